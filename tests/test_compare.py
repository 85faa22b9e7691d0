"""compare (like with like: a figure is set against another city's only where topic, base and
unit match) and source (one source in full), through the real CLI with the built-in facts and
a pack of one's own."""

from __future__ import annotations

import itertools
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from returnee_cli import queries
from returnee_cli.commands import COMPARE_KEYS
from returnee_cli.loading import load_factset
from returnee_cli.model import NATIONWIDE
from returnee_cli.paths import builtin_facts_dir

from .conftest import RunCli
from .test_untrusted import DANGER, HOSTILE

# A city of one's own whose survey counts what the Shanghai survey counts (its founders, their
# companies), and one figure of another base on a topic Shanghai has (women).
WUHAN = """\
sources:
  - id: wuhan-survey
    title: A survey of returnee founders in Wuhan
    publisher: Someone
    date: "2025-02-01"
    kind: primary
cities:
  - {slug: wuhan, name: Wuhan, name_zh: 武汉}
facts:
  - id: wuhan-education
    city: wuhan
    topic: education
    label: Hold a master’s degree or higher
    value: 80
    qualifier: more_than
    unit: percent
    population: surveyed returnee founders of startups in Wuhan
    sample_size: 200
    source: wuhan-survey
    reported_in: wuhan-survey
    quote: More than 80% hold a master’s degree or higher.
  - id: wuhan-profitability
    city: wuhan
    topic: profitability
    label: Companies that reach profitability within three years
    value: 55
    unit: percent
    population: Companies of the surveyed returnee founders in WUHAN
    source: wuhan-survey
    reported_in: wuhan-survey
    quote: 55% of their companies reach profitability within three years.
  - id: wuhan-women-share
    city: wuhan
    topic: women
    label: Women among returnees working in Wuhan
    value: 40
    unit: percent
    population: returnees working in Wuhan
    source: wuhan-survey
    reported_in: wuhan-survey
    quote: 40% of returnees working in Wuhan are women.
"""


@pytest.fixture(scope="module")
def wuhan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wuhan")
    (folder / "wuhan.yaml").write_text(WUHAN, encoding="utf-8")
    return folder


def _by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in rows}


def test_beijing_and_shanghai_have_no_figure_of_one_base(run: RunCli) -> None:
    """The two studies count different people (Beijing: returnees working there; Shanghai:
    surveyed founders and their companies): nothing is set side by side, and each city's
    figures are listed apart with their bounds."""
    rows = run("compare", "beijing", "shanghai", "--json").json()
    assert len(rows) == 11 + 16  # every fact of both cities, each once
    assert not [row for row in rows if row["match"] == "topic_and_base"]
    same_topic = [(row["city"], row["id"]) for row in rows if row["match"] == "topic_only"]
    assert same_topic == [
        ("beijing", "beijing-reason-key"),
        ("beijing", "beijing-reasons-other"),
        ("beijing", "beijing-attractions"),
        ("shanghai", "shanghai-decision-factors"),
    ]
    by_id = _by_id(rows)
    science = by_id["beijing-sector-science-technology"]
    assert (science["match"], science["figure"], science["value"]) == ("none", "20.84%", 20.84)
    assert science["base"] == "overseas-educated returnees working in each city"
    assert science["others"] == []
    education = by_id["shanghai-education"]
    assert (education["figure"], education["qualifier"]) == (">90%", "more_than")
    assert (education["low"], education["high"], education["sample_size"]) == (90, 100, 300)
    assert by_id["beijing-sector-other"]["figure"] == "≈28.7%"
    assert (by_id["beijing-sector-other"]["low"], by_id["beijing-sector-other"]["high"]) == (
        28.505,
        28.815,
    )
    assert by_id["shanghai-decision-factors"]["others"] == ["beijing"]

    table = run("compare", "beijing", "shanghai").stdout
    assert table.startswith(
        "Beijing and Shanghai: like with like\n"
        "No figure here has both its topic and its base in another of these cities:\n"
        "nothing is set side by side.\n\n"
        "On the same topic, of other bases (not compared)\nReasons\n  Beijing\n"
    )
    assert table.index("Only Beijing") < table.index("Only Shanghai")
    only_beijing = table[table.index("Only Beijing") : table.index("Only Shanghai")]
    assert only_beijing.splitlines() == [
        "Only Beijing",
        "Sectors",
        "Share of overseas-educated returnees working in Beijing",
        "• 20.84% Science and technology-related fields",
        "• 19.5% Economic sectors",
        "• 17.8% Education",
        "• 13.2% Professional services",
        "• ≈28.7%† (28.505–28.815%) The rest (other fields, or none; not named in the",
        "  article)",
        "Emerging industries",
        "Share of returnees employed in Beijing",
        "• 60% Work in new productivity fields and emerging industries",
        "• New productivity fields and emerging industries: e.g. artificial intelligence;",
        "  next-generation information technology; medical health; intelligent networked",
        "  vehicles; green energy; future manufacturing",
        "Share of returnees in Beijing engaged in innovation and entrepreneurship",
        "• >80% (over 80% to 100%) Innovators and entrepreneurs working in these emerging",
        "  industries",
        "",
    ]
    only_shanghai = table[table.index("Only Shanghai") :]
    assert (
        "Share of surveyed returnee founders of startups in Shanghai\n• >90% (over 90% to 100%)"
        in (only_shanghai)
    )
    assert "• ≈108 people† (107–109 people) Number of women among the respondents" in only_shanghai


def test_like_with_like_is_set_side_by_side(run: RunCli, wuhan: Path) -> None:
    rows = run("--facts", str(wuhan), "compare", "shanghai", "wuhan", "--json").json()
    alike = [row for row in rows if row["match"] == "topic_and_base"]
    assert [(row["id"], row["figure"], row["others"]) for row in alike] == [
        ("shanghai-education", ">90%", ["wuhan"]),
        ("wuhan-education", ">80%", ["shanghai"]),
        ("shanghai-profitability", ">60%", ["wuhan"]),
        ("wuhan-profitability", "55%", ["shanghai"]),
    ]
    assert {row["base"] for row in alike[:2]} == {
        "surveyed returnee founders of startups in each city"
    }
    # a base written in another case is the same base, said as it was first written
    assert {row["base"] for row in alike[2:]} == {
        "companies of the surveyed returnee founders in each city"
    }
    women = [row["id"] for row in rows if row["match"] == "topic_only"]
    assert "wuhan-women-share" in women and "shanghai-women-share" in women

    table = run("--facts", str(wuhan), "compare", "shanghai", "wuhan", columns=100).stdout
    assert table.splitlines()[:13] == [
        "Shanghai and Wuhan: like with like",
        "City       Measure                              Share   0 to 100%                  "
        "           Sample",
        "─" * 100,
        "           Share of surveyed returnee",
        "           founders of startups in each city",
        "Shanghai   Hold a master’s degree or higher      >90%   ████████████████████████████"
        "████▶┈┈      300",
        "Wuhan      Hold a master’s degree or higher      >80%   ████████████████████████████"
        "▶┈┈┈┈┈┈      200",
        "",
        "           Share of companies of the surveyed",
        "           returnee founders in each city",
        "Shanghai   Companies that reach profitability    >60%   █████████████████████▶┈┈┈┈┈┈"
        "┈┈┈┈┈┈┈        —",
        "           within one to three years",
        "Wuhan      Companies that reach profitability     55%   ███████████████████▎        "
        "               —",
    ]
    apart = table[table.index("On the same topic, of other bases") : table.index("Only Shanghai")]
    assert (
        "  Share of returnees working in Wuhan\n  • 40% Women among returnees working in" in apart
    )


def test_no_bar_ever_sets_shares_of_different_bases_against_each_other() -> None:
    """Over every pair of cities of the built-in facts (nationwide too): the figures set side by
    side share topic, base and unit, and every other city it names has such a figure."""
    factset = load_factset([builtin_facts_dir()])
    cities = [*factset.cities.values(), NATIONWIDE]
    for pair in itertools.permutations(cities, 2):
        rows = queries.compare_cities(factset, pair)
        assert len(rows) == sum(len(factset.in_city(city)) for city in pair)
        for row in rows:
            key = (row.fact.topic, (row.base or "").casefold(), row.fact.unit)
            for other in row.others:
                peers = [r for r in rows if r.city.slug == other]
                if row.match == "topic_and_base":
                    assert any(
                        (p.fact.topic, (p.base or "").casefold(), p.fact.unit) == key for p in peers
                    )
                else:
                    assert row.match == "topic_only"
                    assert any(p.fact.topic == row.fact.topic for p in peers)


def test_compare_speaks_the_output_formats(run: RunCli) -> None:
    as_json = run("compare", "beijing", "shanghai", "--json").json()
    csv = run("compare", "beijing", "shanghai", "--format", "csv").stdout
    assert csv.splitlines()[0] == ",".join(COMPARE_KEYS)
    assert len(csv.splitlines()) == 1 + len(as_json)
    assert yaml.safe_load(run("compare", "beijing", "shanghai", "--format", "yaml").stdout) == (
        as_json
    )
    lines = run("compare", "beijing", "shanghai", "--format", "jsonl").stdout.splitlines()
    assert len(lines) == len(as_json)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["beijing", "shanghai", "Beijing"], "returnees: Beijing is named twice; compare"),
        (["beijing", "北京"], "returnees: Beijing is named twice; compare different cities"),
        (["beijing", "shanghia"], "did you mean `shanghai`?"),
    ],
)
def test_compare_refuses_what_is_no_comparison(run: RunCli, args: list[str], said: str) -> None:
    result = run("compare", *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert said in result.stderr and result.stderr.count("\n") == 1


# --- source -------------------------------------------------------------------------------------


def test_source_in_full(run: RunCli) -> None:
    record = run("source", "shanghai-survey-2024", "--json").json()
    assert record["title_zh"] == "打造青年创新创业的理想之城——上海海归创业者状况调查研究"
    assert record["described_in"] == [
        {
            "title": "[Report of the survey study's release]",
            "publisher": "China News Service (Shanghai)",
            "date": "2025-01-03",
            "author": "Fan Yubin",
            "url": None,
        }
    ]
    assert record["note"].startswith("Survey study of returnee entrepreneurs in Shanghai")
    assert (record["fact_count"], record["figure_count"], record["quote_count"]) == (15, 10, 0)
    topics = record["facts_by_topic"]
    assert list(topics) == [
        "survey",
        "first-choice",
        "reasons",
        "generation",
        "education",
        "industries",
        "profitability",
        "markets",
        "women",
    ]
    assert sum(len(facts) for facts in topics.values()) == 15
    assert topics["education"] == [
        {
            "id": "shanghai-education",
            "city": "shanghai",
            "label": "Hold a master’s degree or higher",
            "figure": ">90%",
            "value": 90,
            "unit": "percent",
            "qualifier": "more_than",
            "low": 90,
            "high": 100,
            "population": "surveyed returnee founders of startups in Shanghai",
            "cited_for": ["figure"],
        }
    ]
    assert [f["cited_for"] for f in topics["reasons"]] == [["list"]]

    article = run("source", "china-minutes-2025", "--json").json()
    assert (article["fact_count"], article["figure_count"], article["quote_count"]) == (39, 0, 36)
    assert article["facts_by_topic"]["education"][0]["cited_for"] == ["quote"]
    assert article["described_in"] is None


def test_source_table_says_where_its_details_come_from(run: RunCli) -> None:
    out = run("source", "beijing blue book").stdout  # its short title, in any case
    lines = out.splitlines()
    assert lines[0] == "ID        beijing-blue-book-2025"
    assert "          Details from JST Science Portal China, 2025-04-01: [News report of the" in (
        out
    )
    assert "          https://spc.jst.go.jp/news/250401/topic_5_02.html" in lines
    assert "Cited by  11 facts: 7 for a figure, 0 for a quote" in lines
    assert "Sectors" in lines and "Reasons" in lines
    assert any(
        line.startswith("beijing-sector-science-technology    20.84% Science and") for line in lines
    )


def test_an_unknown_source_gets_a_did_you_mean(run: RunCli) -> None:
    result = run("source", "shanghai-survy")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        "returnees: unknown source `shanghai-survy`; did you mean `shanghai-survey-2024`? "
        "known sources: beijing-blue-book-2025, china-minutes-2025, shanghai-survey-2024\n"
    )


def _yaml_text(text: str) -> str:
    return '"' + text.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(HOSTILE, HOSTILE, HOSTILE)
def test_hostile_text_is_shown_harmless_in_compare_and_source(
    run: RunCli, tmp_path_factory: pytest.TempPathFactory, name: str, title: str, base: str
) -> None:
    """A city's name, a source's title and note, a fact's label and base reach headings, base
    lines and citations in both views: never a character that could drive the terminal."""
    folder = tmp_path_factory.mktemp("hostile")
    pack = (
        WUHAN.replace(
            "{slug: wuhan, name: Wuhan, name_zh: 武汉}",
            f"{{slug: wuhan, name: {_yaml_text(name)}}}\n  - {{slug: xian, name: Xi'an}}",
        )
        .replace(
            "title: A survey of returnee founders in Wuhan",
            f"title: {_yaml_text(title)}\n    note: {_yaml_text(title)}",
        )
        .replace(
            "population: surveyed returnee founders of startups in Wuhan",
            f"population: {_yaml_text(base)}",
        )
    )
    pack += textwrap.indent(
        textwrap.dedent(
            f"""\
            - id: xian-education
              city: xian
              topic: education
              label: {_yaml_text(base)}
              value: 70
              unit: percent
              population: {_yaml_text(base)}
              source: wuhan-survey
              reported_in: wuhan-survey
              quote: 70% hold a degree.
            """
        ),
        "  ",
    )
    (folder / "pack.yaml").write_text(pack, encoding="utf-8")
    for args in (["compare", "wuhan", "xian"], ["source", "wuhan-survey"]):
        result = run("--no-builtin", "--facts", str(folder), *args, columns=120)
        if result.exit_code == 1:  # a pack the loader refuses: said, harmless
            assert not DANGER.search(result.stderr)
            return
        assert result.exit_code == 0, (args, result.stderr)
        assert not DANGER.search(result.stdout.replace("\n", "")), args
