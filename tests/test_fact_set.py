"""The built-in facts are true to the article: every figure, list and statement, verbatim."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from returnee_cli import lexicon
from returnee_cli.loading import load_factset
from returnee_cli.model import Fact, FactSet
from returnee_cli.sentences import split_sentences

from .conftest import ARTICLE, REPO, RunCli, article_body
from .test_contract import CONTRACT

SHARED_ARTICLE = (
    REPO.parent / "shared" / "source" / "overseas-returnees-driving-innovation-in-china.txt"
)


@pytest.fixture(scope="module")
def factset() -> FactSet:
    return load_factset()


def sentences(text: str) -> list[str]:
    """The article's sentences, as `draft` splits them; a heading or a caption line is a
    paragraph of its own."""
    return [sentence.text for sentence in split_sentences(text)]


# Every figure the article states: (fact id, value, unit, qualifier).
STATED_FIGURES = [
    ("beijing-sector-science-technology", 20.84, "percent", "exact"),
    ("beijing-sector-economic", 19.5, "percent", "exact"),
    ("beijing-sector-education", 17.8, "percent", "exact"),
    ("beijing-sector-professional-services", 13.2, "percent", "exact"),
    ("beijing-emerging-industries-share", 60, "percent", "exact"),
    ("beijing-entrepreneurs-emerging-share", 80, "percent", "more_than"),
    ("shanghai-first-choice", 86.67, "percent", "exact"),
    ("shanghai-generations", 70, "percent", "more_than"),
    ("shanghai-education", 90, "percent", "more_than"),
    ("shanghai-leading-industries", 70, "percent", "more_than"),
    ("shanghai-profitability", 60, "percent", "more_than"),
    ("shanghai-international-markets", 52, "percent", "exact"),
    ("shanghai-women-share", 36, "percent", "exact"),
    ("shanghai-survey-respondents", 300, "people", "exact"),
]

# Every list the article states, in its order.
STATED_LISTS = {
    "national-emerging-industries": ["AI", "bio-medicine", "green energy"],
    "national-major-city-advantages": ["strong market potential", "supportive policies"],
    "beijing-emerging-industries-list": [
        "artificial intelligence",
        "next-generation information technology",
        "medical health",
        "intelligent networked vehicles",
        "green energy",
        "future manufacturing",
    ],
    "beijing-reason-key": ["Beijing’s development potential"],
    "beijing-reasons-other": [
        "the convenience of reuniting with family",
        "abundant market opportunities",
    ],
    "beijing-attractions": ["rich innovation resources", "supportive business environment"],
    "shanghai-decision-factors": ["talent resources", "market potential", "geographical location"],
    "shanghai-leading-industries": [
        "biomedicine",
        "integrated circuits",
        "artificial intelligence",
    ],
    "shanghai-women-fields": ["culture", "art", "education"],
    "shanghai-women-roles": ["founders", "scientists", "executives"],
    "shanghai-women-high-tech-industries": [
        "artificial intelligence",
        "smart manufacturing",
        "biomedicine",
    ],
    "national-emerging-destinations": ["Guangzhou", "Shenzhen", "Suzhou", "Hangzhou", "Changsha"],
    "national-policy-aims": ["comprehensive services", "guarantees"],
}


@pytest.mark.parametrize(("fact_id", "value", "unit", "qualifier"), STATED_FIGURES)
def test_every_stated_figure_has_its_value_unit_and_qualifier(
    factset: FactSet, fact_id: str, value: float, unit: str, qualifier: str
) -> None:
    fact = factset.by_id[fact_id]
    assert (fact.value, fact.unit, fact.qualifier, fact.derived) == (value, unit, qualifier, False)


def test_every_number_in_the_article_is_a_fact_with_the_right_qualifier(factset: FactSet) -> None:
    """Read the article for numbers; each must be stated by a fact quoting that sentence, and
    'over' / 'more than' before it must make the fact a lower bound."""
    found = 0
    for sentence in sentences(article_body()):
        for match in re.finditer(
            r"(?:(over|more than)\s+)?(\d+(?:\.\d+)?)(%?)", sentence, flags=re.IGNORECASE
        ):
            value = float(match.group(2))
            if value in (80.0, 90.0) and match.group(3) == "" and "post-" in sentence:
                continue  # the "post-80s" / "post-90s" generation names, not figures
            expected = "more_than" if match.group(1) else "exact"
            candidates = [
                f
                for f in factset.facts
                if f.quote == sentence and f.value == value and not f.derived
            ]
            assert candidates, f"no fact states {match.group(0)!r} from: {sentence}"
            assert all(f.qualifier == expected for f in candidates), (sentence, candidates)
            found += 1
    assert found == len(STATED_FIGURES)


@pytest.mark.parametrize(("fact_id", "items"), sorted(STATED_LISTS.items()))
def test_every_list_is_kept_in_the_articles_order(
    factset: FactSet, fact_id: str, items: list[str]
) -> None:
    fact = factset.by_id[fact_id]
    assert list(fact.items or ()) == items
    positions = [fact.quote.find(item) for item in items] if fact.quote else []
    assert all(p >= 0 for p in positions) and positions == sorted(positions)


def test_every_quote_is_a_verbatim_sentence_of_the_stored_article(factset: FactSet) -> None:
    article = sentences(article_body())
    for fact in factset.facts:
        if fact.derived:
            assert fact.quote is None
        else:
            assert fact.quote in article, f"{fact.id}: quote not in the article: {fact.quote}"


def test_every_sentence_of_the_article_with_content_is_quoted_by_some_fact(
    factset: FactSet,
) -> None:
    quoted = {fact.quote for fact in factset.facts}
    # Sentences that introduce a source or a paragraph rather than state something of their own.
    framing = {
        "Overseas Returnees: Driving Innovation in China",
        "The survey also highlights key characteristics of returnee entrepreneurs.",
        "Written by Chen Wang, additional reporting by CNS.",
        "(Image from CNS)",
    }
    headings = {
        "A Strong Presence in Emerging Industries",
        "A Rising Number of Female Entrepreneurs",
        "Expanding Opportunities Across China",
    }
    missing = [
        sentence
        for sentence in sentences(article_body())
        if sentence not in quoted | framing | headings
        # names the Blue Book: that is the source record beijing-blue-book-2025
        and not sentence.startswith("The recently released “Blue Book")
    ]
    assert not missing, missing


@pytest.mark.skipif(not SHARED_ARTICLE.exists(), reason="../shared is not beside this checkout")
def test_stored_article_is_the_captured_article_body() -> None:
    captured = " ".join(SHARED_ARTICLE.read_text(encoding="utf-8").split())
    for sentence in sentences(article_body()):
        assert sentence in captured


def test_stored_article_carries_its_attribution() -> None:
    head = ARTICLE.read_text(encoding="utf-8")[:600]
    assert "China Minutes, 2025-04-01" in head and "Chen Wang" in head and "CNS" in head


def test_sources_are_records_with_kind_and_date(factset: FactSet) -> None:
    sources = {s.id: (s.publisher, s.date, s.kind) for s in factset.sources.values()}
    assert sources["china-minutes-2025"] == ("China Minutes", "2025-04-01", "secondary")
    assert sources["beijing-blue-book-2025"][1:] == ("2025-03-30", "primary")
    assert sources["shanghai-survey-2024"][1:] == ("2025-01-03", "primary")
    assert {f.reported_in for f in factset.facts} == {"china-minutes-2025"}


def test_each_figure_cites_the_study_it_comes_from(factset: FactSet) -> None:
    for fact in factset.facts:
        if fact.city == "beijing":
            assert fact.source == "beijing-blue-book-2025", fact.id
        if fact.unit == "percent" and fact.city == "shanghai":
            assert fact.source == "shanghai-survey-2024", fact.id


# The survey's 300 belongs to its respondents ("Among 300 respondents"): a share of their
# companies, or of the respondents who chose Shanghai, is not a share of 300 people.
BASES = {
    "shanghai-first-choice": ("surveyed returnee founders of startups in Shanghai", 300),
    "shanghai-generations": ("surveyed returnee founders of startups in Shanghai", 300),
    "shanghai-education": ("surveyed returnee founders of startups in Shanghai", 300),
    "shanghai-leading-industries": ("surveyed returnee founders of startups in Shanghai", 300),
    "shanghai-women-share": ("surveyed returnee founders of startups in Shanghai", 300),
    "shanghai-profitability": ("companies of the surveyed returnee founders in Shanghai", None),
    "shanghai-international-markets": (
        "companies of the surveyed returnee founders in Shanghai",
        None,
    ),
    "shanghai-decision-factors": (
        "respondents who named Shanghai as their first choice for launching a business",
        None,
    ),
    "beijing-sector-education": ("overseas-educated returnees working in Beijing", None),
    "beijing-emerging-industries-share": ("returnees employed in Beijing", None),
    "beijing-entrepreneurs-emerging-share": (
        "returnees in Beijing engaged in innovation and entrepreneurship",
        None,
    ),
}


@pytest.mark.parametrize(("fact_id", "base"), BASES.items())
def test_each_share_names_its_base_and_only_its_own_sample(
    factset: FactSet, fact_id: str, base: tuple[str, int | None]
) -> None:
    fact = factset.by_id[fact_id]
    assert (fact.population, fact.sample_size) == base


def test_every_share_names_its_base(factset: FactSet) -> None:
    assert all(fact.population for fact in factset.facts if fact.is_share)


LIST_KINDS = {
    "beijing-emerging-industries-list": "examples",  # "These include ..."
    "beijing-reason-key": "ranked",  # "the key reason"
    "beijing-reasons-other": "examples",  # "Other major factors include ..."
    "beijing-attractions": "complete",
    "national-emerging-industries": "examples",  # "like AI, bio-medicine, and green energy"
    "national-major-city-advantages": "complete",
    "national-emerging-destinations": "complete",
    "national-policy-aims": "complete",
    "shanghai-decision-factors": "complete",  # not ranked in the CNS report
    "shanghai-leading-industries": "examples",  # "such as"
    "shanghai-women-fields": "complete",
    "shanghai-women-roles": "complete",
    "shanghai-women-high-tech-industries": "examples",  # "such as"
}


def test_each_list_says_whether_it_is_ranked_complete_or_examples(factset: FactSet) -> None:
    kinds = {fact.id: fact.list_kind for fact in factset.facts if fact.items}
    assert kinds == LIST_KINDS


def derived(factset: FactSet, fact_id: str) -> Fact:
    fact = factset.by_id[fact_id]
    assert fact.derived and fact.formula and fact.derived_from and fact.quote is None
    return fact


def test_derived_figures_are_computed_from_the_stated_ones(factset: FactSet) -> None:
    other = derived(factset, "beijing-sector-other")
    assert other.formula == "100 − (20.84 + 19.5 + 17.8 + 13.2)"
    # 100 − 71.34 is 28.66, but three of the parts are stated to one decimal (19.5 is 19.45 to
    # 19.55): the rest is 100 − (20.845 + 19.55 + 17.85 + 13.25) = 28.505 to
    # 100 − (20.835 + 19.45 + 17.75 + 13.15) = 28.815, about 28.7, never an exact 28.66.
    assert (other.value, other.qualifier, other.precision) == (28.7, "about", 1)
    assert (other.low, other.high) == (28.505, 28.815)
    women = derived(factset, "shanghai-women-count")
    assert (women.value, women.unit, women.formula) == (108, "people", "36% × 300")
    # 36% is 35.5% to 36.5%: of 300, 106.5 to 109.5 people, so 107, 108 or 109 women
    assert (women.qualifier, women.low, women.high, women.sample_size) == ("about", 107, 109, 300)
    assert women.derived_from == ("shanghai-women-share",)
    first = derived(factset, "shanghai-first-choice-count")
    # 86.665% to 86.675% of 300 is 259.995 to 260.025: only 260 people
    assert (first.value, first.formula, first.qualifier) == (260, "86.67% × 300", "exact")
    assert (first.low, first.high) == (260, 260)


def test_derived_values_are_not_typed_into_the_files() -> None:
    for path in (REPO / "facts").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        for value in ("28.66", "28.7", "108", "260"):
            assert value not in text, f"{path.name} types in the derived value {value}"


def test_facts_json_holds_every_fact_with_the_whole_contract(run: RunCli, factset: FactSet) -> None:
    records = run("facts", "--json").json()
    assert [r["id"] for r in records] == [f.id for f in factset.facts]
    keys = set(CONTRACT)  # the JSON contract, as test_contract.py writes it out
    for record in records:
        assert keys <= set(record)
        assert record["qualifier"] in (
            lexicon.QUALIFIERS if record["value"] is not None else [None]
        )
        assert {"id", "title", "publisher", "date", "kind"} <= set(record["source"])
        assert record["reported_in"]["id"] == "china-minutes-2025"
    by_id = {r["id"]: r for r in records}
    over = by_id["shanghai-education"]
    assert (over["value"], over["qualifier"], over["sample_size"]) == (90, "more_than", 300)
    assert over["quote"] == (
        "They are highly educated, with more than 90% holding a master’s degree or higher."
    )
    assert by_id["national-emerging-industries"]["city"] is None
    assert by_id["hangzhou-han-bicheng"]["label"].startswith("Han Bicheng, founder and CEO")


def test_fact_files_sit_at_the_top_of_the_repository() -> None:
    assert (REPO / "facts" / "sources" / "sources.yaml").is_file()
    assert Path(ARTICLE).is_file()
