"""The cold load's shortcuts in the checks answer as the plain computation does."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from returnee_cli import lexicon
from returnee_cli.checks import normalise

PHRASES = [phrase for phrase, _ in lexicon._PHRASES]
PIECES = st.sampled_from(
    [
        *PHRASES,
        *(p.upper() for p in PHRASES),
        " ",
        "  ",
        "\t",
        "\u3000",
        "x",
        "no",
        "70",
        "%",
        "“",
        "”",
        "‘",
        "’",
        "'",
        '"',
        "5",
        ".",
        "-",
    ]
)


@settings(max_examples=800)
@given(st.lists(PIECES, max_size=12), st.lists(PIECES, max_size=4))
def test_the_words_before_a_figure_are_found_as_by_a_search_from_the_start(
    before: list[str], after: list[str]
) -> None:
    sentence = "".join(before) + "70%" + "".join(after)
    start = len("".join(before))
    plain = re.compile(lexicon._BEFORE, re.IGNORECASE).search(
        sentence.translate(lexicon._CURLY), 0, start
    )
    expected = (
        lexicon.Wording(lexicon.EXACT, "")
        if plain is None
        else lexicon.Wording(lexicon._QUALIFIER_OF[plain.group(1).casefold()], plain.group(1))
    )
    assert lexicon.wording_before(sentence, start) == expected


@settings(max_examples=300)
@given(st.lists(PIECES, max_size=12))
def test_quotes_are_made_straight_as_by_translate(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert lexicon.straight(text) == text.translate(lexicon._CURLY)
    assert normalise(text) == " ".join(text.translate(lexicon._CURLY).split())


@settings(max_examples=300)
@given(st.from_regex(r"[0-9]{1,3}(,[0-9]{3})*(\.[0-9]{1,3})?(万|亿|万亿)?", fullmatch=True))
def test_a_figure_is_read_as_before(written: str) -> None:
    from decimal import Decimal

    suffix = next((s for s in ("万亿", "万", "亿") if written.endswith(s)), "")
    number = Decimal(written.removesuffix(suffix).replace(",", ""))
    expected = number * lexicon.MULTIPLIERS[suffix] if suffix else number
    assert lexicon.figure_value(written) == expected
