"""The commands as a user sees them: figures, qualifiers, exit codes, stdout and stderr."""

from __future__ import annotations

import re

import pytest
import typer

from returnee_cli import __version__
from returnee_cli.cli import app

from .conftest import RunCli

SECTORS_80 = """\
Beijing: fields of work of overseas-educated returnees
Field                                  Share   0 to 100%
────────────────────────────────────────────────────────────────────────────────
Science and technology-related        20.84%   ██████▉
fields
Economic sectors                       19.5%   ██████▍
Education                              17.8%   █████▉
Professional services                  13.2%   ████▍

The rest (other fields, or none;     ≈28.7%†   █████████▒
not named in the article)
Share of: overseas-educated returnees working in Beijing
≈ about: anywhere in ▒
† derived, not stated in the source: The rest (other fields, or none; not named
in the article) = 100 − (20.84 + 19.5 + 17.8 + 13.2), so 28.505–28.815% (what
the stated figures allow)
Source: Blue Book on Overseas-Educated Returnees in Beijing (Beijing Western
Returned Scholars Association with the Center for China and Globalization (CCG),
2025-03-30, primary source)
Reported in: Overseas Returnees: Driving Innovation in China (China Minutes,
2025-04-01, secondary source)
"""

KNOWN_CITIES = "beijing, changsha, guangzhou, hangzhou, shanghai, shenzhen, suzhou (or nationwide)"


def test_sectors_beijing_table_is_exact(run: RunCli) -> None:
    result = run("sectors", "--city", "beijing")
    assert result.exit_code == 0
    assert result.stdout == SECTORS_80
    assert result.stderr == ""


@pytest.mark.parametrize("city", ["beijing", "Beijing", "BEIJING"])
def test_sectors_json_gives_the_four_shares_largest_first(run: RunCli, city: str) -> None:
    result = run("sectors", "--city", city, "--json")
    assert result.exit_code == 0 and result.stderr == ""
    records = result.json()
    stated = [(r["label"], r["value"], r["qualifier"]) for r in records if not r["derived"]]
    assert stated == [
        ("Science and technology-related fields", 20.84, "exact"),
        ("Economic sectors", 19.5, "exact"),
        ("Education", 17.8, "exact"),
        ("Professional services", 13.2, "exact"),
    ]
    other = records[-1]
    assert (other["id"], other["value"], other["derived"]) == ("beijing-sector-other", 28.7, True)
    # about, not exact: the parts stated to one decimal allow 28.505 to 28.815
    assert (other["qualifier"], other["low"], other["high"], other["precision"]) == (
        "about",
        28.505,
        28.815,
        1,
    )
    assert other["derived_from"] == [
        "beijing-sector-science-technology",
        "beijing-sector-economic",
        "beijing-sector-education",
        "beijing-sector-professional-services",
    ]
    assert all(r["source"]["id"] == "beijing-blue-book-2025" for r in records)


def test_sectors_without_a_city_covers_every_city_that_has_them(run: RunCli) -> None:
    records = run("sectors", "--json").json()
    assert {r["city"] for r in records} == {"beijing"}
    assert len(records) == 5


@pytest.mark.parametrize("columns", [40, 200])
def test_tables_keep_every_figure_whole_at_any_width(run: RunCli, columns: int) -> None:
    out = run("sectors", "--city", "beijing", columns=columns).stdout
    for figure in ("20.84%", "19.5%", "17.8%", "13.2%", "≈28.7%†"):
        assert figure in out
    assert all(len(line) <= columns for line in out.splitlines())
    facts = run("facts", "--city", "shanghai", columns=columns).stdout
    for figure in (">70%", ">90%", ">60%", "86.67%", "52%", "36%", "300 people", "108 people†"):
        assert figure in facts, figure
    assert all(len(line) <= columns for line in facts.splitlines())


def test_a_lower_bound_reads_as_one_in_tables_and_bars(run: RunCli) -> None:
    out = run("facts", "--topic", "generation").stdout
    assert ">70%" in out and " 70%" not in out
    shown = run("show", "shanghai-generations").stdout
    assert ">70%" in shown and "more than 70%: a lower bound, up to 100%" in shown


def test_unknown_city_exits_2_with_one_line_and_a_suggestion(run: RunCli) -> None:
    result = run("sectors", "--city", "Bejing")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"returnees: unknown city `Bejing`; did you mean `beijing`? known cities: {KNOWN_CITIES}\n"
    )
    far = run("sectors", "--city", "atlantis", "--json")
    assert far.exit_code == 2 and far.stdout == ""
    assert far.stderr == f"returnees: unknown city `atlantis`; known cities: {KNOWN_CITIES}\n"


def test_known_city_without_the_data_exits_0_and_names_the_cities_that_have_it(run: RunCli) -> None:
    as_json = run("sectors", "--city", "shanghai", "--json")
    assert (as_json.exit_code, as_json.json()) == (0, [])
    assert as_json.stderr == "returnees: no work-sector figures for Shanghai; Beijing has them\n"
    table = run("sectors", "--city", "shanghai")
    assert (table.exit_code, table.stdout) == (0, "")
    assert table.stderr == ("returnees: no work-sector figures for Shanghai; Beijing has them\n")


def test_facts_filters_combine(run: RunCli) -> None:
    women = run("facts", "--city", "Shanghai", "--topic", "women", "--json").json()
    assert [r["id"] for r in women] == [
        "shanghai-women-presence",
        "shanghai-women-share",
        "shanghai-women-count",
        "shanghai-women-fields",
        "shanghai-women-roles",
        "shanghai-women-high-tech-industries",
    ]
    assert women[1]["value"] == 36 and women[2]["value"] == 108
    blue_book = run("facts", "--source", "beijing-blue-book-2025", "--json").json()
    assert blue_book and all(r["city"] == "beijing" for r in blue_book)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("INTEGRATED circuits", {"shanghai-leading-industries"}),  # items, any case
        ("reuniting", {"beijing-reasons-other"}),  # an item
        ("employed in beijing", {"beijing-emerging-industries-share"}),  # population and quote
        ("Qiangnao", {"hangzhou-han-bicheng"}),  # label and quote
    ],
)
def test_facts_search_matches_label_population_items_and_quote(
    run: RunCli, text: str, expected: set[str]
) -> None:
    records = run("facts", "--search", text, "--json").json()
    assert {r["id"] for r in records} == expected


def test_facts_with_no_match_exits_0_empty(run: RunCli) -> None:
    as_json = run("facts", "--search", "no such words anywhere", "--json")
    assert (as_json.exit_code, as_json.json()) == (0, [])
    table = run("facts", "--city", "changsha", "--topic", "sectors")
    assert (table.exit_code, table.stdout) == (0, "")
    assert "no facts match" in table.stderr


def test_unknown_topic_and_source_exit_2_with_suggestions(run: RunCli) -> None:
    topic = run("facts", "--topic", "sector")
    assert topic.exit_code == 2 and topic.stdout == ""
    assert topic.stderr.startswith(
        "returnees: unknown topic `sector`; did you mean `sectors`? known topics: "
    )
    source = run("facts", "--source", "blue-book")
    assert source.exit_code == 2
    assert source.stderr == (
        "returnees: unknown source `blue-book`; did you mean `beijing-blue-book-2025`? known "
        "sources: beijing-blue-book-2025, china-minutes-2025, shanghai-survey-2024\n"
    )


def test_show_prints_one_fact_in_full(run: RunCli) -> None:
    result = run("show", "shanghai-women-share")
    assert result.exit_code == 0
    out = " ".join(result.stdout.split())
    for part in (
        "36%",
        "surveyed returnee founders of startups in Shanghai",
        "300 respondents",
        "Among 300 respondents, 36% were women.",
        "Think tank of the Western Returned Scholars Association Shanghai",
        "China Minutes, 2025-04-01",
    ):
        assert part in out
    record = run("show", "shanghai-women-share", "--json").json()
    assert isinstance(record, dict)
    assert (record["value"], record["qualifier"], record["sample_size"]) == (36, "exact", 300)


def test_show_numbers_a_ranked_list_only(run: RunCli) -> None:
    # the survey does not rank its top factors: bullets, in the article's order, no sample line
    out = run("show", "shanghai-decision-factors").stdout
    assert re.search(
        r"Items +- talent resources\s+- market potential\s+- geographical location", out
    )
    assert "1." not in out and "Sample" not in out
    assert "Of           respondents who named Shanghai as their first choice" in out
    ranked = run("show", "beijing-reason-key").stdout
    assert re.search(r"Ranked +1\. Beijing’s development potential", ranked)
    examples = run("show", "shanghai-leading-industries").stdout
    assert re.search(r"Examples +- biomedicine\s+- integrated circuits\s+- artificial", examples)
    assert "(among others)" in examples


def test_unknown_fact_id_behaves_like_an_unknown_city(run: RunCli) -> None:
    result = run("show", "shanghai-woman-share")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        "returnees: unknown fact id `shanghai-woman-share`; did you mean "
        "`shanghai-women-share`? run `returnees facts` to list the ids\n"
    )


def test_sources_lists_each_with_its_counts(run: RunCli) -> None:
    records = run("sources", "--json").json()
    counts = {
        r["id"]: (r["kind"], r["fact_count"], r["figure_count"], r["quote_count"]) for r in records
    }
    assert counts == {
        "china-minutes-2025": ("secondary", 39, 0, 36),
        "beijing-blue-book-2025": ("primary", 11, 7, 0),
        "shanghai-survey-2024": ("primary", 15, 10, 0),
    }
    for source_id, (_, fact_count, _, _) in counts.items():
        listed = run("facts", "--source", source_id, "--json").json()
        assert len(listed) == fact_count
    table = " ".join(run("sources", columns=120).stdout.split())
    assert "Beijing Western Returned Scholars Association" in table
    assert "2025-03-30" in table


@pytest.mark.parametrize(
    "args",
    [
        ["sectors", "--city", "beijing"],
        ["facts"],
        ["show", "shanghai-education"],
        ["sources"],
    ],
)
def test_json_is_the_same_in_a_terminal_and_a_pipe_and_never_coloured(
    run: RunCli, args: list[str]
) -> None:
    plain = run(*args, "--json").stdout
    forced = run(
        *args, "--json", env={"NO_COLOR": "", "FORCE_COLOR": "1", "TERM": "xterm-256color"}
    ).stdout
    assert plain == forced
    assert "\x1b" not in plain
    assert plain.endswith("\n")


def test_json_keeps_unicode_as_is(run: RunCli) -> None:
    out = run("show", "beijing-reason-key", "--json").stdout
    assert "Beijing’s development potential" in out  # ensure_ascii=False


def test_version(run: RunCli) -> None:
    result = run("--version")
    assert (result.exit_code, result.stdout) == (0, f"returnees {__version__}\n")


def test_bad_option_is_a_one_line_usage_error(run: RunCli) -> None:
    result = run("sectors", "--cty", "beijing")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr == (
        "returnees: No such option: --cty (Possible options: --city) "
        "(see `returnees sectors --help`)\n"
    )


def test_no_arguments_shows_the_help(run: RunCli) -> None:
    result = run()
    assert "sectors" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def test_the_command_list_is_the_one_documented() -> None:
    assert COMMANDS == [
        "cache",
        "chart",
        "cite",
        "cities",
        "city",
        "compare",
        "coverage",
        "draft",
        "entrepreneurs",
        "export",
        "facts",
        "industries",
        "reasons",
        "schema",
        "sectors",
        "show",
        "source",
        "sources",
        "topics",
        "validate",
    ]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_summary_and_an_example(run: RunCli, command: str) -> None:
    result = run(command, "--help", columns=120)
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "Example: returnees " + command in text
    summary = typer.main.get_command(app).commands[command].help  # type: ignore[attr-defined]
    assert summary and summary.split("\n\n")[0].strip().endswith(".")


def test_help_documents_the_exit_codes(run: RunCli) -> None:
    out = " ".join(run("--help", columns=200).stdout.split())
    assert "1 broken fact files" in out and "2 bad usage" in out and "130 interrupted" in out


def test_the_list_of_commands_gives_each_a_whole_sentence(run: RunCli) -> None:
    """click cuts a long first sentence in the middle ("its role in the..."): each command's
    line is the first sentence of its help, or what comes before that sentence's colon."""
    shown = run("--help", columns=80).stdout
    listed = shown.split("Commands:\n")[1].split("\n\n")[0].splitlines()
    assert len(listed) == len(COMMANDS)
    for line in listed:
        name, _, summary = line.strip().partition(" ")
        assert name in COMMANDS
        assert summary.strip().endswith(".") and "..." not in summary, line
    assert "  cities         Every city in the facts.\n" in shown
