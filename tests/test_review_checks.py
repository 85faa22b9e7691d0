"""The loader's checks and the wording of bounds, as a new user met them (review items 3, 6, 7, 8
and 9), each held as a class: every qualifier and unit, every near miss of every key of every
record kind, every way a share is written, through the real CLI with real values."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from returnee_cli import lexicon
from returnee_cli.fields import (
    CITY_FIELDS,
    DERIVE_FIELDS,
    FACT_FIELDS,
    SOURCE_FIELDS,
    TOP_LEVEL_KEYS,
)
from returnee_cli.suggest import CUTOFF
from tests.conftest import RunCli

SOURCE = """\
sources:
  - id: notes
    title: Field notes
    publisher: Example
    date: "2025-01-01"
    kind: primary
    text: notes.txt
cities:
  - {slug: testville, name: Testville}
facts:
"""


def fact_yaml(
    fact_id: str, value: Any, unit: str, qualifier: str, quote: str, high: Any = None
) -> str:
    return (
        f"  - id: {fact_id}\n    city: testville\n    topic: t-{fact_id}\n"
        f"    label: L {fact_id}\n    value: {value}\n"
        + (f"    high: {high}\n" if high is not None else "")
        + f"    unit: {unit}\n    qualifier: {qualifier}\n    population: people surveyed\n"
        f"    source: notes\n    reported_in: notes\n    quote: {quote}\n"
    )


def write(folder: Path, facts: str, notes: str) -> Path:
    """A pack of one source whose stored text is `notes`; the path of its fact file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.txt").write_text(notes + "\n", encoding="utf-8")
    (folder / "facts.yaml").write_text(SOURCE + facts, encoding="utf-8")
    return folder / "facts.yaml"


def errors(run: RunCli, path: Path) -> list[dict[str, Any]]:
    result = run("validate", str(path), "--json")
    report = result.json()
    assert result.exit_code == (1 if report["errors"] else 0), result.stderr
    return list(report["errors"])


# --- 6: every qualifier x unit reads as the bound it is -----------------------------------------

# (qualifier, the quote's words, value, high) for a count of people and for a share
BOUNDS = {
    "more_than": ("More than", 1200, None),
    "at_least": ("At least", 1200, None),
    "less_than": ("Fewer than", 1200, None),
    "at_most": ("Up to", 1200, None),
    "about": ("About", 1200, None),
    "range": ("Between 1,000 and", 1000, 1200),
    "exact": ("Exactly", 1200, None),
}
# What `show` says after the figure, and the values `source` says it allows.
SHOWN = {
    ("more_than", "people"): (
        ">1,200 people  (more than 1,200 people: a lower bound, with no upper limit stated)",
        ">1,200 people (no upper limit stated) L",
    ),
    ("at_least", "people"): (
        "≥1,200 people  (at least 1,200 people: a lower bound, with no upper limit stated)",
        "≥1,200 people (no upper limit stated) L",
    ),
    ("less_than", "people"): (
        "<1,200 people  (less than 1,200 people: an upper bound, down to 0 people)",
        "<1,200 people (0 to under 1,200 people) L",
    ),
    ("at_most", "people"): (
        "≤1,200 people  (at most 1,200 people: an upper bound, down to 0 people)",
        "≤1,200 people (0–1,200 people) L",
    ),
    ("about", "people"): (
        "≈1,200 people  (about 1,200 people: an approximation, between 1,140 and 1,260 people)",
        "≈1,200 people (1,140–1,260 people) L",
    ),
    ("range", "people"): (
        "1,000–1,200 people  (between 1,000 and 1,200 people: a range)",
        "1,000–1,200 people L",
    ),
    ("exact", "people"): ("1,200 people", "1,200 people L"),
    ("more_than", "percent"): (
        ">70%  (more than 70%: a lower bound, up to 100%)",
        ">70% (over 70% to 100%) L",
    ),
    ("at_least", "percent"): (
        "≥70%  (at least 70%: a lower bound, up to 100%)",
        "≥70% (70–100%) L",
    ),
    ("less_than", "percent"): (
        "<70%  (less than 70%: an upper bound, down to 0%)",
        "<70% (0% to under 70%) L",
    ),
    ("at_most", "percent"): (
        "≤70%  (at most 70%: an upper bound, down to 0%)",
        "≤70% (0–70%) L",
    ),
    ("about", "percent"): (
        "≈70%  (about 70%: an approximation, between 65 and 75%)",
        "≈70% (65–75%) L",
    ),
    ("range", "percent"): ("60–70%  (between 60 and 70%: a range)", "60–70% L"),
    ("exact", "percent"): ("70%", "70% L"),
}


def bound_pack(folder: Path) -> Path:
    facts, sentences = [], []
    for qualifier, (words, value, high) in BOUNDS.items():
        count = f"{words} {'1,200' if high is None else '1,200'} people came."
        share_words = words.replace("1,000", "60").replace("Fewer", "Less")
        share = f"{share_words} {70}% came." if high is None else "Between 60% and 70% came."
        tag = qualifier.replace("_", "-")
        facts.append(fact_yaml(f"{tag}-people", value, "people", qualifier, count, high))
        share_value, share_high = (60, 70) if high is not None else (70, None)
        facts.append(
            fact_yaml(f"{tag}-percent", share_value, "percent", qualifier, share, share_high)
        )
        sentences += [count, share]
    return write(folder, "".join(facts), " ".join(sentences))


@pytest.fixture(scope="module")
def bounds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bound_pack(tmp_path_factory.mktemp("bounds") / "pack")


def test_the_bound_pack_is_valid(run: RunCli, bounds: Path) -> None:
    assert errors(run, bounds) == []


@pytest.mark.parametrize(("qualifier", "unit"), sorted(SHOWN))
def test_every_bound_is_worded_as_what_it_claims(
    run: RunCli, bounds: Path, qualifier: str, unit: str
) -> None:
    fact_id = f"{qualifier.replace('_', '-')}-{unit}"
    detail, listed = SHOWN[qualifier, unit]
    shown = run("--no-builtin", "--facts", str(bounds), "show", fact_id, columns=200)
    assert shown.exit_code == 0, shown.stderr
    assert f"Figure       {detail}\n" in shown.stdout
    source = run("--no-builtin", "--facts", str(bounds), "source", "notes", columns=200)
    line = next(x for x in source.stdout.splitlines() if x.startswith(fact_id + " "))
    assert line.split(None, 1)[1].startswith(listed), line
    # The class of the review's bug: a wording that says another bound than the qualifier's.
    for text in (detail, listed):
        assert (
            "or more" not in text
            and "between" not in text.split(":")[-1]
            or (qualifier in ("about",))
        ), text
        if qualifier == "more_than":
            assert "at least" not in text and "–" not in text.split("(", 1)[-1], text
        if qualifier == "less_than":
            assert "at most" not in text and "–" not in text.split("(", 1)[-1], text


def test_the_legend_of_bars_tells_strict_bounds_from_inclusive_ones(
    run: RunCli, bounds: Path
) -> None:
    city = run("--no-builtin", "--facts", str(bounds), "city", "testville", columns=400)
    assert (
        "> more than: anywhere past ▶; ≥ at least: at ▶ or past it; < less than: anywhere "
        "short of ┤; ≤ at most: at ┤ or short of it; ≈ about: anywhere in ▒; a range: anywhere "
        "in ├─┤"
    ) in city.stdout


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    qualifier=st.sampled_from(sorted(set(lexicon.WORDING) | {"exact"})),
    percent=st.booleans(),
    value=st.integers(min_value=1, max_value=10**7),
)
def test_any_bound_of_any_figure_reads_as_its_qualifier(
    run: RunCli, qualifier: str, percent: bool, value: int
) -> None:
    value = value % 99 + 1 if percent else value
    unit = "percent" if percent else "people"
    words = lexicon.WORDING.get(qualifier, ("",))[0]
    written = f"{value:,}{'%' if percent else ' people'}"
    quote = f"{words} {written} came.".strip().capitalize()
    with tempfile.TemporaryDirectory() as scratch:
        pack = write(Path(scratch), fact_yaml("f", value, unit, qualifier, quote), quote)
        assert errors(run, pack) == []
        shown = run("--no-builtin", "--facts", str(pack), "show", "f", columns=300)
    figure = next(x for x in shown.stdout.splitlines() if x.startswith("Figure"))
    detail = figure.partition("(")[2]
    said = lexicon.WORDS[qualifier]
    if qualifier == "exact":
        assert detail == "", figure
        return
    assert detail.startswith(f"{said} {written}: {lexicon.MEANING[qualifier]}"), figure
    if qualifier in lexicon.LOWER_BOUNDS:
        tail = "up to 100%)" if percent else "with no upper limit stated)"
        assert detail.endswith(", " + tail), figure
    if qualifier in lexicon.UPPER_BOUNDS:
        assert detail.endswith(", down to 0%)" if percent else ", down to 0 people)"), figure
    assert (
        "or more" not in detail
        and "between" not in detail.replace("about", "", 1)
        or (qualifier == "about")
    ), figure


# --- 8 and 3: the qualifier held to the quote's words, and a share to a percentage ----------------

KINDS = {
    "more_than": ("a strict lower bound", "above {x}, not {x} itself"),
    "at_least": ("a lower bound", "{x} or more"),
    "less_than": ("a strict upper bound", "below {x}, not {x} itself"),
    "at_most": ("an upper bound", "{x} or less"),
    "about": ("an approximation", "near {x}, either side"),
    "exact": ("an exact figure", "{x} as written"),
}
WORDED = sorted(lexicon.WORDING)  # the qualifiers a quote's words can state
DECLARED = sorted(KINDS)


@pytest.mark.parametrize("unit", ["percent", "people"])
@pytest.mark.parametrize(
    ("written", "declared"), [(w, d) for w in WORDED for d in DECLARED if w != d]
)
def test_a_qualifier_the_quote_contradicts_is_named_with_both_bounds(
    run: RunCli, tmp_path: Path, written: str, declared: str, unit: str
) -> None:
    words = lexicon.WORDING[written][0]
    if words in lexicon.JUST_UNDER:
        words = "about"
    figure = "70%" if unit == "percent" else "1,200 people"
    x = "70" if unit == "percent" else "1,200"
    quote = f"{words.capitalize()} {figure} came."
    value = 70 if unit == "percent" else 1200
    pack = write(tmp_path, fact_yaml("f", value, unit, declared, quote), quote)
    found = errors(run, pack)
    assert [(e["code"], e["key"]) for e in found] == [("qualifier", "qualifier")], found
    kind, meant = KINDS[written]
    assert found[0]["message"] == (
        f"fact `f` is `{declared}` but its quote says “{words.capitalize()} {x}”: “{words}” is "
        f"{kind}, `{written}` ({meant.format(x=x)}), not `{declared}` "
        f"({KINDS[declared][1].format(x=x)}); set `qualifier: {written}`"
    )


def test_over_is_a_strict_bound_not_at_least(run: RunCli, tmp_path: Path) -> None:
    """The review's own case, word for word."""
    quote = "Over 70% of them were born after 1980."
    pack = write(tmp_path, fact_yaml("gen", 70, "percent", "at_least", quote), quote)
    (message,) = [e["message"] for e in errors(run, pack)]
    assert message == (
        "fact `gen` is `at_least` but its quote says “Over 70”: “over” is a strict lower bound, "
        "`more_than` (above 70, not 70 itself), not `at_least` (70 or more); set "
        "`qualifier: more_than`"
    )


PERCENTAGES = ["35%", "35 %", "35％", "35 percent", "35 per cent", "35 Per Cent", "百分之三十五"]
NOT_PERCENTAGES = ["35.", "35 years old.", "35 people.", "35, they said."]


@pytest.mark.parametrize("qualifier", DECLARED)
@pytest.mark.parametrize("written", PERCENTAGES)
def test_a_share_written_as_a_percentage_is_found(
    run: RunCli, tmp_path: Path, written: str, qualifier: str
) -> None:
    words = lexicon.WORDING.get(qualifier, ("",))[0]
    quote = f"Of them, {words} {written} came.".replace("  ", " ")
    pack = write(tmp_path, fact_yaml("share", 35, "percent", qualifier, quote), quote)
    assert errors(run, pack) == []


@pytest.mark.parametrize("qualifier", DECLARED)
@pytest.mark.parametrize("written", NOT_PERCENTAGES)
@pytest.mark.parametrize("words", ["", *(p[0] for p in lexicon.WORDING.values())])
def test_a_plain_number_is_no_share_and_suggests_no_qualifier(
    run: RunCli, tmp_path: Path, written: str, qualifier: str, words: str
) -> None:
    quote = f"About half of them were {words} {written}".replace("  ", " ")
    pack = write(tmp_path, fact_yaml("age", 35, "percent", qualifier, quote), quote)
    found = errors(run, pack)
    assert found == [
        {
            **found[0],
            "code": "figure",
            "key": "value",
            "message": "fact `age` is a share (`unit: percent`), but its quote writes 35 as a "
            "plain number, not as a percentage (35%, “35 percent”, “35 per cent”); quote the "
            "sentence that states the share, or check `value` and `unit`",
        }
    ]


@pytest.mark.parametrize(
    ("quote", "valid"),
    [
        ("Between 20% and 30% came.", True),
        ("Between 20 and 30% came.", True),
        ("From 20 to 30 per cent came.", True),
        ("在百分之二十至百分之三十之间。", True),
        ("Those aged between 20 and 30 came.", False),
        ("Between 20 and 30 of them came.", False),
    ],
)
def test_a_range_of_shares_is_a_range_of_percentages(
    run: RunCli, tmp_path: Path, quote: str, valid: bool
) -> None:
    pack = write(tmp_path, fact_yaml("r", 20, "percent", "range", quote, high=30), quote)
    found = errors(run, pack)
    assert [e["code"] for e in found] == ([] if valid else ["figure"]), found


# --- 7: a near miss of a key is reported alone -------------------------------------------------

BASE = """\
sources:
  - id: notes
    title: Field notes
    publisher: Example
    date: "2025-01-01"
    kind: primary
    short_title: Notes
    title_zh: 笔记
    author: A. Person
    url: https://example.org/notes
    note: typed up by hand
    text: notes.txt
    described_in:
      - title: A report of the notes
        publisher: Example Daily
        date: "2025-02-01"
        author: B. Writer
        url: https://example.org/report
  - id: report
    title: A report of the notes
    publisher: Example
    date: "2025-02-01"
    kind: secondary
cities:
  - slug: testville
    name: Testville
    name_zh: 测试
facts:
  - id: share
    city: testville
    topic: sectors
    label: Tech
    value: 36
    unit: percent
    qualifier: more_than
    population: people surveyed
    sample_size: 300
    breakdown: work
    source: notes
    reported_in: notes
    quote: Over 36% work in tech.
  - id: span
    topic: ages
    label: Aged 20 to 30
    value: 20
    high: 30
    unit: percent
    qualifier: range
    population: people surveyed
    source: notes
    reported_in: report
    quote: Between 20% and 30% are aged 20 to 30.
  - id: fields
    topic: fields
    label: Fields
    items: [tech, finance]
    list_kind: examples
    source: notes
    reported_in: notes
    quote: They work in fields such as tech and finance.
  - id: share-count
    topic: sectors
    label: People in tech
    unit: people
    source: notes
    reported_in: notes
    derive: {formula: share_of_sample, from: [share]}
"""
NOTES = "Over 36% work in tech. Between 20% and 30% are aged 20 to 30. They work in fields such "
NOTES += "as tech and finance."


def _record_of(key: str, kind: str) -> str:
    """The record of the base pack that has `key`, by the line it starts on."""
    starts = {
        "source": "  - id: notes\n",
        "city": "  - slug: testville\n",
        "report": "      - title: A report of the notes\n",
        "top": "sources:\n",
        "derive": "  - id: share-count\n",
    }
    if kind != "fact":
        return starts[kind]
    for start in ("  - id: share\n", "  - id: span\n", "  - id: fields\n", "  - id: share-count\n"):
        block = BASE[BASE.index(start) :].split("\n  - ", 1)[0]
        if f"\n    {key}:" in block or block.startswith(f"  - {key}:"):
            return start
    raise AssertionError(key)


def near_miss(key: str, known: list[str]) -> str:
    """The key with its last letter doubled: `qualifierr`, `idd`; nearest to the key itself."""
    import difflib

    miss = key + key[-1]
    assert difflib.get_close_matches(miss, known, n=1, cutoff=CUTOFF) == [key]
    return miss


REPORT_FIELDS = next(s for s in SOURCE_FIELDS if s.name == "described_in").fields
KEYS = [
    *(("top", key, list(TOP_LEVEL_KEYS)) for key in TOP_LEVEL_KEYS),
    *(("source", s.name, [f.name for f in SOURCE_FIELDS]) for s in SOURCE_FIELDS),
    *(("report", s.name, [f.name for f in REPORT_FIELDS]) for s in REPORT_FIELDS),
    *(("city", s.name, [f.name for f in CITY_FIELDS]) for s in CITY_FIELDS),
    *(("fact", s.name, [f.name for f in FACT_FIELDS]) for s in FACT_FIELDS),
    *(("derive", s.name, [f.name for f in DERIVE_FIELDS]) for s in DERIVE_FIELDS),
]


def test_the_base_pack_has_every_key_and_is_valid(run: RunCli, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text(NOTES, encoding="utf-8")
    (tmp_path / "facts.yaml").write_text(BASE, encoding="utf-8")
    for kind, key, _ in KEYS:
        assert _record_of(key, kind)
    assert errors(run, tmp_path / "facts.yaml") == []


@pytest.mark.parametrize(("kind", "key", "known"), KEYS, ids=[f"{k}-{n}" for k, n, _ in KEYS])
def test_a_misspelt_key_is_the_only_problem_reported(
    run: RunCli, tmp_path: Path, kind: str, key: str, known: list[str]
) -> None:
    miss = near_miss(key, known)
    start = _record_of(key, kind)
    at = BASE.index(start)
    if kind == "derive":
        pack = BASE.replace(f"{{{key}:", f"{{{miss}:", 1) if key == "formula" else BASE
        pack = pack.replace(", from:", f", {miss}:", 1) if key == "from" else pack
    else:
        # the record's own key: the first line from its start that holds it, at any indentation
        head, record = BASE[:at], BASE[at:]
        pattern = rf"(^|\n)( *(?:- )?){re.escape(key)}:"
        pack = head + re.sub(pattern, rf"\g<1>\g<2>{miss}:", record, count=1)
    assert pack != BASE
    (tmp_path / "notes.txt").write_text(NOTES, encoding="utf-8")
    (tmp_path / "facts.yaml").write_text(pack, encoding="utf-8")
    found = errors(run, tmp_path / "facts.yaml")
    assert [(e["code"], e["key"]) for e in found] == [("unknown-key", miss)], found
    assert f"unknown key `{miss}` in a" in found[0]["message"]
    assert f"did you mean `{key}`?" in found[0]["message"]


def test_a_misspelt_qualifier_is_not_held_to_the_quote_as_exact(
    run: RunCli, tmp_path: Path
) -> None:
    """The review's own case: `qualifer: more_than` and a quote that says “Over 70”."""
    quote = "Over 70% belong to the post-80s and post-90s generations."
    fact = fact_yaml("shanghai-generations", 70, "percent", "more_than", quote)
    pack = write(tmp_path, fact.replace("qualifier:", "qualifer:"), quote)
    result = run("validate", str(pack))
    assert result.exit_code == 1
    assert "is `exact`" not in result.stdout + result.stderr
    assert "unknown key `qualifer` in a fact; did you mean `qualifier`?" in result.stdout


# --- 9: `validate PATH` names built-in sources and cities as a load does ------------------------

MINE = """\
sources:
  - id: my-paper
    title: My paper
    publisher: Me
    date: "2025-01-01"
    kind: primary
facts:
  - id: mine
    city: {city}
    topic: age
    label: Under 40
    value: 70
    unit: percent
    qualifier: more_than
    population: people surveyed
    source: {source}
    reported_in: {reported_in}
    quote: Over 70% are under 40.
"""
GOOD = {"city": "shanghai", "source": "my-paper", "reported_in": "my-paper"}
TYPOS = {
    ("source", "shanghai-survy-2024", "shanghai-survey-2024"),
    ("reported_in", "beijing-blue-bok-2025", "beijing-blue-book-2025"),
    ("city", "shanghia", "shanghai"),
}


@pytest.mark.parametrize(("key", "typo", "meant"), sorted(TYPOS))
def test_validate_path_hints_a_built_in_name_as_loading_does(
    run: RunCli, tmp_path: Path, key: str, typo: str, meant: str
) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(MINE.format(**{**GOOD, key: typo}), encoding="utf-8")
    validated = run("validate", str(path), "--json").json()["errors"]
    code = "unknown-city" if key == "city" else "unknown-source"
    assert [(e["code"], e["key"]) for e in validated] == [(code, key)]
    message = validated[0]["message"]
    assert f"did you mean `{meant}`?" in message
    assert "my-paper" in message or key == "city"
    loaded = run("--facts", str(path), "facts")
    assert loaded.exit_code == 1
    assert f"{message}\n" in loaded.stderr  # word for word the same hint and list
