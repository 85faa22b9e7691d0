"""What a new-user review found in the views, the command messages and the layout (items 10, 11,
12, 14 and 15 of its list), each held as a class: every city's headline, every view that groups
by base, every pair of cities compared, every one-angle command charted, every option left
without its value, every choice misspelt, every width."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest

from returnee_cli import lexicon
from returnee_cli.lexicon import QUALIFIERS
from returnee_cli.render.compare import SAME_TOPIC_AND_BASE, SAME_TOPIC_ONLY
from returnee_cli.render.views import BASES_NOTE, SCALE_NOTE
from returnee_cli.surface import COMMANDS, Param

from .conftest import RunCli
from .test_surface import SAMPLES

CITIES = ["beijing", "shanghai", "guangzhou", "shenzhen", "suzhou", "hangzhou", "changsha"]
ANGLES = {  # chart view -> what its terminal command says a city lacks
    "sectors": "work-sector figures",
    "industries": "industry facts",
    "entrepreneurs": "entrepreneur survey figures",
}


def _flat(text: str) -> str:
    """The text as one line: what a wrapped table cell says, whatever the width."""
    return " ".join(text.split())


# --- 10: a headline names whose share it is -------------------------------------------------------


def test_every_headline_names_its_base(run: RunCli) -> None:
    facts = {fact["id"]: fact for fact in run("facts", "--json").json()}
    cities = run("cities", "--json").json()
    table = _flat(run("cities", columns=200).stdout)  # each headline on one line
    headlined = [city for city in cities if city["headline_fact"] is not None]
    assert {city["slug"] for city in headlined} == {"beijing", "shanghai"}
    for city in headlined:
        fact = facts[city["headline_fact"]]
        assert fact["unit"] == "percent"  # a share: its base comes right after the figure
        said = f"{fact['value']:g}% of {fact['population']}: {fact['label']}"
        assert city["headline"] == said
        assert said in table
    assert cities[0]["headline"] == (
        "20.84% of overseas-educated returnees working in Beijing: Science and "
        "technology-related fields"
    )


# --- 11: bases that differ are said to differ, in every view that groups by base ----------------


def _share_bases(facts: list[dict[str, Any]]) -> set[str | None]:
    return {f["population"] for f in facts if f["unit"] == "percent" and f["value"] is not None}


@pytest.mark.parametrize(
    "argv",
    [
        ["industries"],
        ["industries", "--city", "beijing"],
        ["industries", "--city", "shanghai"],
        ["entrepreneurs"],
        ["sectors", "--city", "beijing"],
        *[["city", city] for city in CITIES],
    ],
)
def test_a_view_with_several_bases_says_to_compare_within_a_group(
    run: RunCli, argv: list[str]
) -> None:
    several = len(_share_bases(run(*argv, "--json").json())) > 1
    for columns in (40, 80, 120):  # stacked or a table alike
        shown = _flat(run(*argv, columns=columns).stdout)
        assert (BASES_NOTE in shown) is several, (argv, columns)
        if not several and _share_bases(run(*argv, "--json").json()) - {None}:
            assert "Share of:" in shown  # the one base, said under the table


@pytest.mark.parametrize(
    "source", ["china-minutes-2025", "beijing-blue-book-2025", "shanghai-survey-2024"]
)
def test_a_source_citing_several_bases_says_so_once(run: RunCli, source: str) -> None:
    detail = run("source", source, "--json").json()
    bases = {
        fact["population"]
        for facts in detail["facts_by_topic"].values()
        for fact in facts
        if fact["population"]
    }
    shown = _flat(run("source", source).stdout)
    assert shown.count(BASES_NOTE) == (1 if len(bases) > 1 else 0)


def test_compare_says_it_once_at_the_foot(run: RunCli) -> None:
    shown = run("compare", "beijing", "shanghai", "guangzhou").stdout
    assert shown.count(BASES_NOTE) == 1
    assert shown.index(BASES_NOTE) > shown.index("Only Shanghai")


# --- 12: compare heads its compared section ----------------------------------------------------


@pytest.mark.parametrize("cities", list(itertools.combinations(CITIES[:4], 2)) + [CITIES[:3]])
def test_compare_heads_the_section_it_sets_side_by_side(
    run: RunCli, cities: tuple[str, ...]
) -> None:
    result = run("compare", *cities)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].endswith(": like with like")
    assert lines[1:3] == ["", SAME_TOPIC_AND_BASE]
    rows = run("compare", *cities, "--json").json()
    alike = [row for row in rows if row["match"] == "topic_and_base"]
    if not alike:
        assert lines[3].startswith("No figure here has both its topic and its base")
    if any(row["match"] == "topic_only" for row in rows):
        assert result.stdout.index(SAME_TOPIC_AND_BASE) < result.stdout.index(SAME_TOPIC_ONLY)


# --- 14: messages -------------------------------------------------------------------------------


@pytest.mark.parametrize(("view", "city"), list(itertools.product(ANGLES, CITIES)))
def test_an_empty_chart_says_what_its_terminal_command_says(
    run: RunCli, tmp_path: Path, view: str, city: str
) -> None:
    terminal = run(view, "--city", city)
    target = tmp_path / "chart.svg"
    charted = run("chart", view, "--city", city, "-o", str(target))
    assert charted.exit_code == 0
    if terminal.stdout:  # the city has some: charted when they are figures
        assert target.exists() or "without a figure" in charted.stderr
        return
    said = terminal.stderr.strip()
    assert said.startswith(f"returnees: no {ANGLES[view]} for ")
    assert charted.stderr.strip() == f"{said}; nothing written"
    assert not target.exists()


def test_a_chart_names_the_city_it_leaves_out_as_its_command_does(
    run: RunCli, tmp_path: Path
) -> None:
    terminal = run("sectors", "--city", "beijing,shanghai")
    charted = run("chart", "sectors", "--city", "beijing,shanghai", "-o", str(tmp_path / "c.svg"))
    said = "returnees: no work-sector figures for Shanghai; Beijing has them"
    assert terminal.stderr.strip() == said
    assert charted.stderr.splitlines()[0] == said
    assert "wrote a chart of 5 figures" in charted.stderr


def test_an_empty_chart_after_filters_says_so(run: RunCli, tmp_path: Path) -> None:
    argv = ["chart", "sectors", "--city", "beijing", "--qualifier", "at_most"]
    charted = run(*argv, "-o", str(tmp_path / "c.svg"))
    assert charted.stderr.strip() == (
        "returnees: no work-sector figures match those filters; nothing written"
    )


def test_chart_help_never_offers_stdout(run: RunCli) -> None:
    helped = _flat(run("chart", "--help").stdout)
    assert "- means stdout" not in helped
    assert "a chart is never written to stdout" in helped
    refused = run("chart", "sectors", "-o", "-")
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        "returnees: chart writes a file, never stdout: add -o FILE.svg, FILE.png or FILE.html"
    )


def _required(name: str) -> list[str]:
    return [SAMPLES[p.dest] or "" for p in COMMANDS[name].params if p.required]


VALUED = [
    (name, param.flags[0])
    for name, declared in COMMANDS.items()
    for param in declared.params
    if param.kind == "option"
]


@pytest.mark.parametrize(("name", "flag"), VALUED)
def test_an_option_without_its_value_points_to_its_own_command_help(
    run: RunCli, name: str, flag: str
) -> None:
    result = run(name, *_required(name), flag)
    assert result.exit_code == 2
    assert result.stderr == (
        f"returnees: Option '{flag}' requires an argument. (see `returnees {name} --help`)\n"
    )


@pytest.mark.parametrize("given", [[], ["beijing"], ["上海"]])
def test_compare_asks_for_two_cities(run: RunCli, given: list[str]) -> None:
    result = run("compare", *given)
    assert result.exit_code == 2
    assert result.stderr == (
        "returnees: compare needs at least two cities, e.g. returnees compare beijing shanghai "
        "(see `returnees compare --help`)\n"
    )


@pytest.mark.parametrize(
    ("given", "listed", "spaced"),
    [
        ("beijing,shanghai", "beijing,shanghai", "beijing shanghai"),
        ("Beijing, 上海,hangzhou", "Beijing,上海,hangzhou", "Beijing 上海 hangzhou"),
    ],
)
def test_city_with_several_names_says_where_several_go(
    run: RunCli, given: str, listed: str, spaced: str
) -> None:
    result = run("city", given)
    assert result.exit_code == 2
    assert result.stderr == (
        f"returnees: city takes one city; for several, use returnees facts --city {listed} or "
        f"returnees compare {spaced}\n"
    )


def test_city_with_a_trailing_comma_is_still_an_unknown_city(run: RunCli) -> None:
    result = run("city", "bejing,")
    assert result.exit_code == 2
    assert "unknown city `bejing,`; did you mean `beijing`?" in result.stderr


_WRITTEN = [
    (qualifier, phrase)
    for qualifier in QUALIFIERS
    for phrase in (
        *lexicon.WORDING.get(qualifier, ()),
        qualifier.replace("_", " ").upper(),
        qualifier.replace("_", "-"),
    )
]


@pytest.mark.parametrize(("qualifier", "phrase"), _WRITTEN)
def test_a_qualifier_may_be_given_in_its_words(run: RunCli, qualifier: str, phrase: str) -> None:
    by_name = run("facts", "--qualifier", qualifier, "--json")
    by_words = run("facts", "--qualifier", phrase, "--json")
    assert by_words.exit_code == 0, by_words.stderr
    assert by_words.json() == by_name.json()
    assert {fact["qualifier"] for fact in by_words.json()} <= {qualifier}


def _choices(param: Param) -> list[str]:
    assert param.complete is not None
    return param.complete("")


CHOICE_PARAMS = {
    (param.dest, tuple(_choices(param))): (name, param)
    for name, declared in COMMANDS.items()
    for param in declared.params
    if param.convert.__qualname__.split(".")[0] in ("one_of", "format_choice", "_qualifier")
}


@pytest.mark.parametrize(
    ("name", "param", "choice"),
    [
        (name, param, choice)
        for (_, choices), (name, param) in CHOICE_PARAMS.items()
        for choice in choices
    ],
    ids=lambda value: value.dest if isinstance(value, Param) else str(value),
)
def test_every_misspelt_choice_gets_a_did_you_mean(
    run: RunCli, name: str, param: Param, choice: str
) -> None:
    typo = choice + "x"
    argv = [name]
    for other in COMMANDS[name].params:
        if other is param:
            argv += [*other.flags[:1], typo]
        elif other.required:
            argv.append(SAMPLES[other.dest] or "")
    result = run(*argv)
    assert result.exit_code == 2
    assert f"'{typo}' is not one of" in result.stderr
    assert f"did you mean `{choice}`?" in result.stderr
    assert result.stderr.endswith(f"(see `returnees {name} --help`)\n")


@pytest.mark.parametrize(
    ("style", "name", "said"),
    [
        ("markdown", "shanghai.md", "markdown"),
        ("plain", "shanghai.txt", "plain text"),
        ("bibtex", "shanghai.bib", "bibtex"),
        ("csl-json", "shanghai.csl", "csl-json"),
    ],
)
def test_cite_to_a_file_names_the_style_it_wrote(
    run: RunCli, tmp_path: Path, style: str, name: str, said: str
) -> None:
    target = tmp_path / name
    result = run("cite", "--city", "shanghai", "--style", style, "-o", str(target))
    assert result.exit_code == 0
    count = len(run("facts", "--city", "shanghai", "--json").json())
    assert result.stderr == f"returnees: wrote {count} citations to {target} ({said})\n"
    assert target.read_text(encoding="utf-8")
    as_json = run("cite", "--city", "shanghai", "-o", str(tmp_path / "c.json"))
    assert as_json.stderr.endswith("(json)\n")
    assert len(json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))) == count


# --- 15: layout --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv", [["sectors"], ["entrepreneurs"], ["industries"], ["city", "beijing"]]
)
@pytest.mark.parametrize("columns", [30, 40, 59, 60, 80, 120])
def test_bars_always_have_their_scale(run: RunCli, argv: list[str], columns: int) -> None:
    shown = run(*argv, columns=columns).stdout
    assert "0 to 100%" in shown  # the table's heading, or the stacked list's first line
    if columns < 60:
        assert SCALE_NOTE in shown


@pytest.mark.parametrize("columns", [60, 70, 80, 90, 100, 120, 160])
def test_facts_labels_keep_thirty_columns_beside_the_ids(run: RunCli, columns: int) -> None:
    shown = run("facts", columns=columns).stdout
    ids = [fact["id"] for fact in run("facts", "--json").json()]
    header = shown.splitlines()[0]
    assert max(len(line) for line in shown.splitlines()) <= columns
    for fact_id in ids:  # never broken, whatever the layout
        assert re.search(rf"(^|\s){re.escape(fact_id)}(\s|$)", shown, re.M), fact_id
    if header.startswith("ID"):
        label_at = header.index("Label")
        assert columns - label_at >= 30
    elif header.split()[:2] == ["Figure", "ID"]:
        label_at = header.index("ID and label")
        assert columns - label_at >= max(map(len, ids))


def test_facts_at_80_columns_puts_each_id_above_its_label(run: RunCli) -> None:
    assert run("facts").stdout.splitlines()[:5] == [
        "      Figure   ID and label",
        "─" * 80,
        "      20.84%   beijing-sector-science-technology",
        "               Science and technology-related fields (of overseas-educated",
        "               returnees working in Beijing)",
    ]


def test_the_fact_sheet_says_its_title_once_and_what_every_figure_allows(
    run: RunCli, tmp_path: Path
) -> None:
    sheet = tmp_path / "beijing.html"
    run("chart", "sectors", "--city", "beijing", "-o", str(sheet))
    html = sheet.read_text(encoding="utf-8")
    title = "Fields of work of returnees in Beijing"
    assert html.count(f"<h1>{title}</h1>") == 1
    assert 'class="title"' not in html and 'class="subtitle"' not in html  # not drawn again
    assert f'<title id="chart-title">{title}</title>' in html  # still the chart's name
    records = {f["label"]: f for f in run("sectors", "--city", "beijing", "--json").json()}
    allows = dict(
        re.findall(
            r'<th scope="row">([^<]*)</th><td[^>]*>[^<]*</td><td>[^<]*</td><td>([^<]*)</td>', html
        )
    )
    assert set(allows) == {label.replace("'", "&#39;") for label in records}
    for label, allowed in allows.items():
        fact = records[label]
        assert allowed, label
        if fact["qualifier"] == "exact" and not fact["derived"]:
            assert allowed == f"exactly {fact['value']:g}%"
    assert allows["The rest (other fields, or none; not named in the article)"] == "28.505–28.815%"
    svg = tmp_path / "beijing.svg"
    run("chart", "sectors", "--city", "beijing", "-o", str(svg))
    assert 'class="title"' in svg.read_text(encoding="utf-8")  # a chart alone keeps its title


HANGZHOU = """\
sources:
  - id: hangzhou-survey
    title: A survey of returnees in Hangzhou
    publisher: Someone
    date: "2025-02-01"
    kind: primary
facts:
  - id: hangzhou-sector-digital
    city: hangzhou
    topic: sectors
    label: Digital economy
    value: 30
    unit: percent
    population: surveyed returnees in Hangzhou
    source: hangzhou-survey
    reported_in: hangzhou-survey
    quote: 30% of them work in the digital economy.
"""


def test_a_pack_s_sectors_are_titled_without_another_base(run: RunCli, tmp_path: Path) -> None:
    pack = tmp_path / "hangzhou.yaml"
    pack.write_text(HANGZHOU, encoding="utf-8")
    shown = run("--facts", str(pack), "sectors", "--city", "hangzhou").stdout
    assert shown.splitlines()[0] == "Hangzhou: fields of work"
    assert "overseas-educated" not in shown
    assert "Share of: surveyed returnees in Hangzhou" in shown
