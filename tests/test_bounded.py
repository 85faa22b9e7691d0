"""Bounded work (issue 10, section 5): the quote check gives the answer of `quote in text` for
every quote without a scan of the text per quote, one load is bounded as well as each file, and
no value is accepted that an output would hold or show as something else."""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from returnee_cli import checks, figures, loading, parsing
from returnee_cli.checks import normalise, quotes_found
from returnee_cli.parsing import MAX_INTEGER, MIN_INTEGER, read_fact_file

from .conftest import RunCli
from .test_loading import GOOD_FACT, HEADER

# --- the quote check: the same answer as `in`, for every quote ---------------------------------

# Few letters, so that stretches repeat and quotes are found often; whitespace of every kind and
# curly quotes (normalise folds them), and characters of one, two and four bytes in UTF-8.
ALPHABET = st.sampled_from(list("ab a\u00e9\u4e2d\U0001f600 \t\n\u3000\u2019\u201c.,"))
TEXTS = st.text(ALPHABET, max_size=400)


@st.composite
def text_and_quotes(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A normalised text and quotes: pieces of it (its very start and end included), pieces
    changed by one character, and strings of its alphabet."""
    text = normalise(draw(TEXTS))
    quotes = []
    for _ in range(draw(st.integers(0, 40))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        piece = draw(
            st.sampled_from([text[start:end], text[:end], text[start:]]) | st.just(text[start:end])
        )
        if piece and draw(st.booleans()):
            at = draw(st.integers(0, len(piece) - 1))
            piece = piece[:at] + draw(ALPHABET) + piece[at + 1 :]
        quotes.append(normalise(piece))
    quotes += [normalise(q) for q in draw(st.lists(TEXTS, max_size=5))]
    return text, quotes


@settings(max_examples=600)
@given(text_and_quotes(), st.sampled_from([None, 0, 3]))
def test_quotes_found_is_the_answer_of_in(case: tuple[str, list[str]], budget: int | None) -> None:
    """With the default budget, and with budgets that send long quotes to the plain scan."""
    text, quotes = case
    assert quotes_found(text, quotes, scan_budget=budget) == {q for q in quotes if q in text}


@settings(max_examples=100)
@given(TEXTS, st.integers(1, checks.QUOTE_LONG - 1))
def test_many_short_quotes_of_one_length_are_found_in_one_pass(raw: str, length: int) -> None:
    """Many short quotes of one length take the one-pass path (here from three on), the text's
    very start and end included."""
    text = normalise(raw)
    pieces = {text[i : i + length] for i in range(max(0, len(text) - length + 1))}
    others = {("ab" * length)[:length], ("\u4e2d" * length), (" a" * length)[:length]}
    quotes = sorted(pieces | others)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(checks, "_FEW", 2)
        assert quotes_found(text, quotes) == {q for q in quotes if q in text}


def test_a_repetitive_text_is_answered_like_any_other() -> None:
    """A text that repeats itself makes every stretch common: those quotes take the plain scan."""
    text = "ab" * 5_000 + "abc" + "ab" * 5_000
    quotes = ["ab" * 40, "ba" * 40 + "c", "ab" * 40 + "c" + "ab" * 3, "abc" + "ab" * 20 + "x"]
    assert quotes_found(text, quotes) == {q for q in quotes if q in text}


def stored_pack(folder: Path, text: str, quotes: list[str], *, sources: int = 1) -> Path:
    """A pack whose facts quote a stored text (statements: the quote is all they need)."""
    (folder / "article.txt").write_text(text, encoding="utf-8")
    lines = ["sources:"]
    for n in range(sources):
        lines += [
            f"  - id: src{n}",
            "    title: A survey",
            "    publisher: Someone",
            '    date: "2025-01-01"',
            "    kind: primary",
            "    text: article.txt",
        ]
    lines.append("facts:")
    for n, quote in enumerate(quotes):
        lines += [
            f"  - id: fact-{n}",
            "    topic: sectors",
            f"    label: Statement {n}",
            f"    source: src{n % sources}",
            f"    reported_in: src{n % sources}",
            f"    quote: '{quote}'",
        ]
    path = folder / "pack.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_validate_finds_every_missing_quote_of_a_long_text(
    run: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 1 MB stored text, 200 quotes in it and 200 not: each missing one is named, the first
    ones with where they stop agreeing, as before."""
    sentences = [f"Sentence number {n} says that {n * 7 % 100}% agree." for n in range(20_000)]
    text = " ".join(sentences)
    present = sentences[::100]
    absent = [f"Sentence number {n} says that nobody agrees." for n in range(0, 20_000, 100)]
    stored_pack(tmp_path, text, present + absent)
    monkeypatch.chdir(tmp_path)
    result = run("validate", "pack.yaml")
    assert result.exit_code == 1
    missing = [line for line in result.stdout.splitlines() if "[quote]" in line]
    assert len(missing) == len(absent)
    assert missing[0] == (
        f"pack.yaml:{14 + 6 * 200}: error: fact `fact-200`: its `quote` is not in the stored "
        "text of source `src0` (it agrees up to “Sentence number 0 says that ” and differs "
        "after that); copy the sentence verbatim (only curly quotes and spacing may differ) [quote]"
    )
    hinted = [line for line in missing if "it agrees up to" in line]
    assert len(hinted) == checks._hints(normalise(text)) == 4
    assert (
        "fact `fact-399`: its `quote` is not in the stored text of source `src0`; " in (missing[-1])
    )


# --- limits per load ---------------------------------------------------------------------------


def one_fact_files(folder: Path, count: int) -> Path:
    folder.mkdir()
    (folder / "000-sources.yaml").write_text(HEADER.split("facts:")[0], encoding="utf-8")
    for n in range(count):
        fact = GOOD_FACT.replace("wuhan-share", f"share-{n}").replace("A share", f"Share {n}")
        (folder / f"facts-{n}.yaml").write_text("facts:\n" + fact, encoding="utf-8")
    return folder


def test_more_fact_files_than_one_load_reads_are_refused_before_reading(
    run: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = one_fact_files(tmp_path / "pack", 3)
    assert run("--no-builtin", "--facts", str(pack), "facts", "--json").exit_code == 0
    monkeypatch.setattr(loading, "MAX_LOAD_FILES", 3)

    def never(path: Path) -> object:
        raise AssertionError(f"{path} was read")

    monkeypatch.setattr(parsing, "read_fact_file", never)
    result = run("--no-builtin", "--facts", str(pack), "facts", "--json")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[0] == (
        f"returnees: {pack}: 4 fact files, more than the 3 one load reads; load fewer packs at once"
    )


def test_more_bytes_of_fact_files_than_one_load_reads_are_refused(
    run: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = one_fact_files(tmp_path / "pack", 3)
    total = sum(path.stat().st_size for path in pack.iterdir())
    monkeypatch.setattr(loading, "MAX_LOAD_BYTES", total - 1)
    result = run("--no-builtin", "--facts", str(pack), "validate")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"{pack}: error: more than 0 GiB of fact files, more than one load reads; load fewer "
        "packs at once [too-large]"
    )
    monkeypatch.setattr(loading, "MAX_LOAD_BYTES", total)
    assert run("--no-builtin", "--facts", str(pack), "validate").exit_code == 0


def test_stored_texts_beyond_the_load_budget_are_refused(
    run: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "One sentence. Another sentence."
    stored_pack(tmp_path, text, ["One sentence.", "Another sentence."], sources=2)
    monkeypatch.chdir(tmp_path)
    pack = "pack.yaml"
    assert run("--no-builtin", "--facts", pack, "validate").exit_code == 0
    monkeypatch.setattr(checks, "MAX_LOAD_STORED_TEXT_BYTES", len(text) * 2 - 1)
    result = run("--no-builtin", "--facts", pack, "validate")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "pack.yaml:8: error: source `src1`: its stored text takes the stored texts of one load "
        "past 0 MiB; store the documents' bodies only, or load fewer packs at once [stored-text]"
    )


def test_issue_13s_largest_pack_is_within_the_load_limits() -> None:
    """benchmarks/generate.py writes 1,000 facts (about 0.33 MB) a file: a million facts is
    1,001 files and about 330 MB, well within both limits."""
    assert loading.MAX_LOAD_FILES >= 9 * 1_001
    assert loading.MAX_LOAD_BYTES >= 3 * 1_000 * 340_000


# --- values no output can hold ------------------------------------------------------------------


def parsed_value(tmp_path: Path, written: str, unit: str = "people") -> tuple[object, list[str]]:
    path = tmp_path / "pack.yaml"
    fact = GOOD_FACT.replace("value: 12.5", f"value: {written}").replace("percent", unit)
    path.write_text(HEADER + fact, encoding="utf-8")
    content, problems = read_fact_file(path)
    return content.facts[0].values.get("value"), [p.message for p in problems]


NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(0, 14)
    .flatmap(lambda places: st.decimals(allow_nan=False, allow_infinity=False, places=places))
    .map(str),
    st.builds(
        lambda m, e: f"{m}e{e}", st.sampled_from(["1.0", "2.5", "1", "9.99"]), st.integers(-40, 40)
    ),
)


@settings(max_examples=400)
@given(NUMBERS)
def test_every_accepted_value_is_shown_as_itself(
    tmp_path_factory: pytest.TempPathFactory, written: str
) -> None:
    """Whatever number is written, if the loader takes it, the figure tables and citations show
    reads back as that number, and a whole number fits SQLite's 64-bit integers."""
    value, problems = parsed_value(tmp_path_factory.mktemp("v"), written)
    if value is None:
        assert problems
        return
    assert isinstance(value, (int, float))
    shown = figures.number_text(value).replace(",", "")
    assert float(shown) == value
    assert Decimal(shown) == Decimal(str(value))  # the very number the pack gives, as written
    if isinstance(value, int):
        assert MIN_INTEGER <= value <= MAX_INTEGER


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            "9223372036854775808",
            "`value` 9223372036854775808 is beyond the whole numbers an export can hold (SQLite's "
            "64-bit integers, up to 9,223,372,036,854,775,807); check the figure",
        ),
        (
            "-9223372036854775809",
            "`value` -9223372036854775809 is beyond the whole numbers an export can hold (SQLite's "
            "64-bit integers, up to 9,223,372,036,854,775,807); check the figure",
        ),
        (
            "1.0e+23",
            "`value` 1.0e+23 would be shown as 99,999,999,999,999,991,611,392, which is another "
            "number; write it with at most 10 decimals, or in a larger unit",
        ),
        (
            "1.0e-31",
            "`value` 1.0e-31 would be shown as 0, which is another number; write it with at "
            "most 10 decimals, or in a larger unit",
        ),
        (
            "0.12345678901",
            "`value` 0.12345678901 would be shown as 0.123456789, which is another number; write "
            "it with at most 10 decimals, or in a larger unit",
        ),
    ],
)
def test_a_value_no_output_holds_is_refused(tmp_path: Path, written: str, message: str) -> None:
    assert parsed_value(tmp_path, written) == (None, [message])


def test_the_largest_integers_an_export_holds_are_taken(tmp_path: Path) -> None:
    assert parsed_value(tmp_path, str(MAX_INTEGER)) == (MAX_INTEGER, [])
    assert parsed_value(tmp_path, "0.0000000001") == (1e-10, [])


DATES = st.builds(
    lambda y, m, d, parts: "-".join([f"{y:04d}", f"{m:02d}", f"{d:02d}"][:parts]),
    st.integers(0, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(1, 3),
)


@settings(max_examples=400)
@given(DATES, st.booleans())
def test_a_date_is_taken_exactly_when_it_is_on_the_calendar(
    tmp_path_factory: pytest.TempPathFactory, written: str, quoted: bool
) -> None:
    """Quoted or not (YAML reads 2025-02-30 unquoted as a timestamp), a date is taken exactly
    when the calendar has it, and refused with one line otherwise."""
    path = tmp_path_factory.mktemp("d") / "pack.yaml"
    date = f'"{written}"' if quoted else written
    path.write_text(HEADER.replace('"2025-01-01"', date) + GOOD_FACT, encoding="utf-8")
    content, problems = read_fact_file(path)
    year, month, day = (int(p) for p in (written.split("-") + ["1", "1"])[:3])
    try:
        datetime.date(year, month, day)
        real = True
    except ValueError:
        real = False
    if real:
        assert [s.date for s in content.sources] == [written]
    else:
        assert content.sources == []
        assert [p.code for p in problems] == ["date"]
        assert problems[0].message.startswith(f"`date` '{written}' is not a date on the calendar")


def test_february_has_its_days(tmp_path_factory: pytest.TempPathFactory) -> None:
    assert calendar.monthrange(2024, 2)[1] == 29  # the rule the loader uses
    path = tmp_path_factory.mktemp("d") / "pack.yaml"
    path.write_text(HEADER.replace('"2025-01-01"', "2025-02-29") + GOOD_FACT, encoding="utf-8")
    _, problems = read_fact_file(path)
    assert [p.message for p in problems] == [
        "`date` '2025-02-29' is not a date on the calendar (2025-02 has 28 days); check it"
    ]


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.characters(categories=["Nd"]), min_size=8, max_size=8),
    st.booleans(),
)
def test_a_date_in_digits_of_another_script_is_refused_by_both_readers(
    tmp_path_factory: pytest.TempPathFactory, digits: list[str], quoted: bool
) -> None:
    """re's `\\d` takes any script's digits (٢٠٢٥, ２０２５): a date written so was taken as
    written, which the JSON Schema (ASCII digits) refuses. Only 0-9 make a date, either way."""
    written = "".join(digits[:4]) + "-" + "".join(digits[4:6]) + "-" + "".join(digits[6:])
    path = tmp_path_factory.mktemp("d") / "pack.yaml"
    date = f'"{written}"' if quoted else written
    path.write_text(HEADER.replace('"2025-01-01"', date) + GOOD_FACT, encoding="utf-8")
    fast = read_fact_file(path)
    assert fast == read_fact_file(path, fast=False)
    content, problems = fast
    if written.isascii():
        assert [s.date for s in content.sources] == [written] or [p.code for p in problems] == [
            "date"
        ]
    else:
        assert content.sources == []
        assert [p.message for p in problems] == [
            f"`date` '{written}' must be a date written YYYY-MM-DD (or YYYY-MM, or YYYY)"
        ]
