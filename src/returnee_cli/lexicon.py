"""How reporting words a figure's bound, declared once: the qualifiers, the words that state
each one in a sentence, the symbol a terminal shows and the words prose uses. `validate` reads
it to hold a fact's qualifier to its quote (both ways), the renderers to show the figure, and a
drafting command can read it to propose a qualifier. Pure: no I/O.

Matching is case-insensitive, and curly and straight quotes count alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

EXACT = "exact"
MORE_THAN = "more_than"
AT_LEAST = "at_least"
LESS_THAN = "less_than"
AT_MOST = "at_most"
ABOUT = "about"
RANGE = "range"

QUALIFIERS = (EXACT, MORE_THAN, AT_LEAST, LESS_THAN, AT_MOST, ABOUT, RANGE)
LOWER_BOUNDS = (MORE_THAN, AT_LEAST)  # the true value is above the figure
UPPER_BOUNDS = (LESS_THAN, AT_MOST)  # the true value is below it

# The words just before a figure that state its bound. Longer phrases are tried first, so that
# "no more than 15%" is at_most, never more_than.
WORDING: dict[str, tuple[str, ...]] = {
    MORE_THAN: ("over", "more than", "above", "exceeds", "exceeding", "in excess of"),
    AT_LEAST: ("at least", "no fewer than", "no less than", "not less than", "a minimum of"),
    LESS_THAN: ("less than", "under", "below", "fewer than"),
    AT_MOST: ("up to", "at most", "no more than", "not more than", "a maximum of"),
    ABOUT: ("about", "around", "roughly", "approximately", "some", "nearly", "almost"),
}
# Words of `about` that put the true value just under the figure: "nearly 30%" is below 30.
JUST_UNDER = ("nearly", "almost")

# How a terminal shows the bound before the figure, and how prose says it.
SYMBOL = {EXACT: "", MORE_THAN: ">", AT_LEAST: "≥", LESS_THAN: "<", AT_MOST: "≤", ABOUT: "≈"}
WORDS = {
    EXACT: "",
    MORE_THAN: "more than",
    AT_LEAST: "at least",
    LESS_THAN: "less than",
    AT_MOST: "at most",
    ABOUT: "about",
}
RANGE_DASH = "–"  # 20–30%
MEANING = {
    EXACT: "an exact figure",
    MORE_THAN: "a lower bound",
    AT_LEAST: "a lower bound",
    LESS_THAN: "an upper bound",
    AT_MOST: "an upper bound",
    ABOUT: "an approximation",
    RANGE: "a range",
}

# One phrase of any qualifier, as the last words before a figure ("over 70%", "nearly 30 per").
_PHRASES = sorted(
    ((phrase, qualifier) for qualifier, phrases in WORDING.items() for phrase in phrases),
    key=lambda pair: -len(pair[0]),
)
# The patterns are compiled on first use (re keeps them): a start that never reads a quote, as
# every warm one, does not pay for them.
_BEFORE = r"\b(" + "|".join(re.escape(phrase) for phrase, _ in _PHRASES) + r")\s*$"
_QUALIFIER_OF = dict(_PHRASES)
# Between the two ends of a range: "between 20 and 30", "20 to 30", "from 20% to 30%", "20–30".
_RANGE_JOIN = r"^\s*%?\s*(?:and|to|–|—|-)\s*$"
# Words just before a list that make its items a few examples, not all of them.
EXAMPLE_CUES = (
    "such as",
    "like",
    "include",
    "includes",
    "including",
    "among them",
    "e.g.",
    "for example",
    "for instance",
)
_EXAMPLES = r"\b(" + "|".join(re.escape(cue) for cue in EXAMPLE_CUES) + r")\s*[:,]?\s*$"
_CURLY = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
# A figure as written: 300, 20.84, 1,234.5; not the 80 of "post-80s", not a digit of a longer one.
FIGURE = r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w]|[.,]\d)"


@dataclass(frozen=True)
class Wording:
    """What the words before a figure in a sentence say of it."""

    qualifier: str  # exact when no bound is worded
    words: str  # the words as written ("" for exact)

    @property
    def just_under(self) -> bool:
        return self.words.casefold() in JUST_UNDER


def wording_before(sentence: str, start: int) -> Wording:
    """The bound that the words just before position `start` of `sentence` give a figure."""
    found = re.compile(_BEFORE, re.IGNORECASE).search(sentence.translate(_CURLY), 0, start)
    if found is None:
        return Wording(EXACT, "")
    return Wording(_QUALIFIER_OF[found.group(1).casefold()], found.group(1))


def joins_a_range(between: str) -> bool:
    """Whether the text between two figures makes them the ends of one range."""
    return bool(re.match(_RANGE_JOIN, between, re.IGNORECASE))


def phrases(qualifier: str) -> Iterator[str]:
    """The wording of a qualifier, for messages: “over”, “more than”, ..."""
    for phrase in WORDING.get(qualifier, ()):
        yield f"“{phrase}”"


def figures_in(sentence: str, value: int | float) -> list[re.Match[str]]:
    """Where `value` is written in `sentence` (20.84 in "at 20.84%", 1234 in "1,234")."""
    wanted = Decimal(str(value))
    return [
        match
        for match in re.finditer(FIGURE, sentence)
        if Decimal(match.group().replace(",", "")) == wanted
    ]


def wordings_of(sentence: str, value: int | float) -> list[Wording]:
    """What the words before each place `value` is written in `sentence` say of it."""
    return [wording_before(sentence, match.start()) for match in figures_in(sentence, value)]


def example_cue_before(sentence: str, start: int) -> str | None:
    """The words just before position `start` that make a list a few examples ("such as"), if
    any."""
    found = re.compile(_EXAMPLES, re.IGNORECASE).search(sentence.translate(_CURLY), 0, start)
    return found.group(1) if found else None
