"""Every kind of bound, read from its wording and held to it both ways; the interval each figure
allows, worked out by hand here; derivations that cannot lie."""

from __future__ import annotations

import itertools
import textwrap
from pathlib import Path

import pytest

from returnee_cli import lexicon
from returnee_cli.errors import DataError
from returnee_cli.loading import load_factset

from .conftest import RunCli

HEADER = """\
sources:
  - {id: src, title: A survey, publisher: Someone, date: "2025-01-01", kind: primary}
facts:
"""

# One sentence per qualifier, with the figure 30 (a range: 20 to 30).
WORDED = {
    "exact": "In the survey, 30% said yes.",
    "more_than": "In the survey, over 30% said yes.",
    "at_least": "In the survey, at least 30% said yes.",
    "less_than": "In the survey, less than 30% said yes.",
    "at_most": "In the survey, up to 30% said yes.",
    "about": "In the survey, about 30% said yes.",
    "range": "In the survey, between 20% and 30% said yes.",
}


def fact(qualifier: str, quote: str, **more: object) -> str:
    value = 20 if qualifier == "range" else 30
    lines = [
        "  - id: f",
        "    topic: t",
        "    label: L",
        f"    value: {value}",
        "    unit: percent",
        f"    qualifier: {qualifier}",
        "    population: people asked",
        "    source: src",
        "    reported_in: src",
        f'    quote: "{quote}"',
    ]
    if qualifier == "range":
        lines.append("    high: 30")
    lines += [f"    {key}: {value}" for key, value in more.items()]
    return "\n".join(lines) + "\n"


def load(tmp_path: Path, body: str) -> list[str] | None:
    """The problems of a pack, or None when it loads."""
    path = tmp_path / "pack.yaml"
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    try:
        load_factset([path])
    except DataError as error:
        return [str(p) for p in error.problems]
    return None


def test_the_lexicon_covers_every_qualifier() -> None:
    assert set(WORDED) == set(lexicon.QUALIFIERS)
    assert set(lexicon.WORDING) == set(lexicon.QUALIFIERS) - {"exact", "range"}


@pytest.mark.parametrize("qualifier", lexicon.QUALIFIERS)
def test_each_qualifier_is_accepted_with_its_own_wording(tmp_path: Path, qualifier: str) -> None:
    assert load(tmp_path, fact(qualifier, WORDED[qualifier])) is None


@pytest.mark.parametrize(
    ("qualifier", "worded"),
    [
        (q, w)
        for q, w in itertools.permutations(lexicon.QUALIFIERS, 2)
        if "range" not in (q, w)  # a range is refused by its own rule, below
    ],
)
def test_each_qualifier_is_refused_with_another_ones_wording(
    tmp_path: Path, qualifier: str, worded: str
) -> None:
    problems = load(tmp_path, fact(qualifier, WORDED[worded]))
    assert problems is not None and len(problems) == 1, problems
    assert f"fact `f` is `{qualifier}` but its quote" in problems[0]
    if worded != "exact":  # it names the wording it found and the qualifier that fits it
        assert f"set `qualifier: {worded}`" in problems[0]
    assert problems[0].startswith(f"{tmp_path / 'pack.yaml'}:9: ")  # the qualifier's line


@pytest.mark.parametrize("every_phrase", [p for ps in lexicon.WORDING.values() for p in ps])
def test_every_phrase_of_the_lexicon_is_read_as_its_qualifier(every_phrase: str) -> None:
    qualifier = next(q for q, phrases in lexicon.WORDING.items() if every_phrase in phrases)
    for written in (every_phrase, every_phrase.upper(), every_phrase.capitalize()):
        [said] = lexicon.wordings_of(f"They say {written} 42% agree.", 42)
        assert said.qualifier == qualifier, written


def test_a_range_must_be_written_as_one(tmp_path: Path) -> None:
    problems = load(tmp_path, fact("range", "In the survey, 20% said no and 30% said yes."))
    assert problems is not None and "does not state 20 to 30 as one range" in problems[0]
    for quote in ("20 to 30% said yes.", "from 20% to 30% said yes.", "20–30% said yes."):
        assert load(tmp_path, fact("range", quote)) is None, quote


# --- intervals, worked out by hand -------------------------------------------------------------

STATED = [
    # (qualifier, value, unit, quote, low, high)
    ("exact", 19.5, "percent", "Some say, 19.5% work.", 19.45, 19.55),
    ("exact", 36, "percent", "Then 36% work.", 35.5, 36.5),
    ("exact", 20.84, "percent", "Then 20.84% work.", 20.835, 20.845),
    ("exact", 300, "people", "Among 300 respondents.", 300, 300),  # a whole count is exact
    ("more_than", 70, "percent", "Over 70% work.", 70, 100),
    ("at_least", 25, "percent", "At least 25% work.", 25, 100),
    ("less_than", 10, "percent", "Less than 10% work.", 0, 10),
    ("at_most", 15, "people", "Up to 15 people work.", 0, 15),
    ("more_than", 70, "people", "Over 70 people work.", 70, None),  # a count has no top
    ("about", 30, "percent", "About 30% work.", 25, 35),
    # never as tight as the bare number: at least 5% of it either way
    ("about", 36, "percent", "About 36% work.", 34.2, 37.8),
    ("about", 45, "percent", "Around 45% work.", 42.75, 47.25),
    ("about", 2.5, "percent", "About 2.5% work.", 2.375, 2.625),
    ("about", 40, "percent", "Nearly 40% work.", 35, 40),  # just under
    ("about", 300, "people", "Almost 300 people work.", 250, 300),
]


@pytest.mark.parametrize(("qualifier", "value", "unit", "quote", "low", "high"), STATED)
def test_the_interval_of_a_stated_figure(
    tmp_path: Path,
    qualifier: str,
    value: float,
    unit: str,
    quote: str,
    low: float,
    high: float | None,
) -> None:
    body = fact(qualifier, quote).replace("value: 30", f"value: {value}")
    body = body.replace("unit: percent", f"unit: {unit}").replace("Some say, ", "")
    path = tmp_path / "pack.yaml"
    path.write_text(HEADER + body, encoding="utf-8")
    loaded = load_factset([path]).by_id["f"]
    assert (loaded.low, loaded.high) == (low, high)


def test_a_fact_without_a_value_has_no_qualifier(run: RunCli) -> None:
    records = run("facts", "--json").json()
    assert all(r["qualifier"] is None for r in records if r["value"] is None)
    assert all(r["low"] is None and r["high"] is None for r in records if r["value"] is None)
    lists = {r["id"]: r["list_kind"] for r in records if r["items"]}
    assert lists["shanghai-decision-factors"] == "complete"
    assert lists["beijing-reason-key"] == "ranked"
    assert lists["shanghai-leading-industries"] == "examples"


# --- derivations that cannot lie ---------------------------------------------------------------

BREAKDOWN = """\
  - id: a
    topic: t
    label: A
    value: 41.5
    unit: percent
    population: people asked
    breakdown: work
    source: src
    reported_in: src
    quote: "41.5% work in a and 23% in b."
  - id: b
    topic: t
    label: B
    value: 23
    unit: percent
    population: people asked
    breakdown: work
    sample_size: 200
    source: src
    reported_in: src
    quote: "41.5% work in a and 23% in b."
"""


def derived(formula: str, sources: str, **more: object) -> str:
    extra = "".join(f"    {key}: {value}\n" for key, value in more.items())
    return (
        "  - id: rest\n    topic: t\n    label: The rest\n    source: src\n    reported_in: src\n"
        f"{extra}    derive: {{formula: {formula}, from: [{sources}]}}\n"
    )


def test_a_remainder_of_the_whole_breakdown_is_an_interval(tmp_path: Path) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(HEADER + BREAKDOWN + derived("remainder", "a, b"), encoding="utf-8")
    rest = load_factset([path]).by_id["rest"]
    # 100 − (41.5 + 23) = 35.5 as written; 23 is 22.5 to 23.5, 41.5 is 41.45 to 41.55:
    # 100 − (41.55 + 23.5) = 34.95 to 100 − (41.45 + 22.5) = 36.05, with no decimal: about 36
    assert (rest.value, rest.qualifier, rest.low, rest.high, rest.precision) == (
        36,
        "about",
        34.95,
        36.05,
        0,
    )
    assert rest.unit == "percent" and rest.population == "people asked"


def test_a_partial_remainder_is_refused(tmp_path: Path) -> None:
    problems = load(tmp_path, BREAKDOWN + derived("remainder", "a"))
    assert problems is not None
    assert (
        "leaves `b` of breakdown `work` out of `from`; a remainder is what all the parts of one "
        "whole leave, so name every part" in problems[0]
    )


def test_a_derived_figure_cannot_claim_a_unit_or_sample_its_formula_does_not_yield(
    tmp_path: Path,
) -> None:
    people = load(tmp_path, BREAKDOWN + derived("remainder", "a, b", unit="people"))
    assert people is not None
    assert "has `unit: people`, but the remainder of percentages is a percentage" in people[0]
    percent = load(tmp_path, BREAKDOWN + derived("share_of_sample", "b", unit="percent"))
    assert percent is not None
    assert "has `unit: percent`, but a share of a sample is a number of people" in percent[0]
    sample = load(tmp_path, BREAKDOWN + derived("share_of_sample", "b", sample_size=300))
    assert sample is not None
    assert "has `sample_size: 300`, but its share is of a sample of 200" in sample[0]


def test_a_share_of_a_sample_is_the_whole_numbers_it_allows(tmp_path: Path) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(HEADER + BREAKDOWN + derived("share_of_sample", "b"), encoding="utf-8")
    count = load_factset([path]).by_id["rest"]
    # 22.5% to 23.5% of 200 is 45 to 47 people: about 46
    assert (count.value, count.qualifier, count.low, count.high) == (46, "about", 45, 47)
    assert (count.unit, count.sample_size, count.formula) == ("people", 200, "23% × 200")


def test_two_facts_of_one_city_and_topic_need_their_own_labels(tmp_path: Path) -> None:
    twice = BREAKDOWN.replace("label: B", "label: A")
    problems = load(tmp_path, twice)
    assert problems is not None
    assert (
        "fact `b` has the label of `a` (same city and topic); give each its own label"
        in (problems[0])
    )


@pytest.mark.parametrize("cue", ["such as", "like", "include", "including", "Among them,"])
@pytest.mark.parametrize("kind", ["ranked", "complete"])
def test_a_list_given_as_examples_must_say_so(tmp_path: Path, cue: str, kind: str) -> None:
    quote = f"Fields {cue} hiking, chess and music grow."
    body = (
        "  - id: l\n    topic: t\n    label: Fields\n    items: [hiking, chess, music]\n"
        f"    list_kind: {kind}\n    source: src\n    reported_in: src\n    quote: {quote}\n"
    )
    problems = load(tmp_path, body)
    assert problems is not None and len(problems) == 1, problems
    said = cue.rstrip(",").casefold()
    assert problems[0].endswith(
        f"fact `l` is `list_kind: {kind}`, but its quote gives the items as examples "
        f"(“{said if said != 'among them' else 'Among them'}”); set `list_kind: examples`"
    )
    assert load(tmp_path, body.replace(f"list_kind: {kind}", "list_kind: examples")) is None
