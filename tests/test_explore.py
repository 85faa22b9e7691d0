"""Issue 3: every angle of the article, in every format, with real values."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from .conftest import RunCli
from .test_installed import returnees

QUERY_COMMANDS = [
    ["cities"],
    ["city", "beijing"],
    ["sectors"],
    ["industries"],
    ["entrepreneurs"],
    ["reasons"],
    ["topics"],
    ["facts"],
    ["show", "shanghai-women-share"],
    ["sources"],
]


# --- cities and city -----------------------------------------------------------------------------


def test_cities_lists_every_city_with_counts_roles_and_headline(run: RunCli) -> None:
    rows = {r["slug"]: r for r in run("cities", "--json").json()}
    assert list(rows) == [
        "beijing",
        "shanghai",
        "guangzhou",
        "shenzhen",
        "suzhou",
        "hangzhou",
        "changsha",
    ]
    assert rows["beijing"]["fact_count"] == 11
    assert rows["beijing"]["roles"] == ["studied by the Beijing Blue Book"]
    assert rows["beijing"]["headline"] == (
        "20.84% of overseas-educated returnees working in Beijing: Science and "
        "technology-related fields"
    )
    assert rows["shanghai"]["roles"] == [
        "named as a destination",
        "studied by the Shanghai returnee startup survey",
    ]
    assert rows["shanghai"]["headline_fact"] == "shanghai-first-choice"
    assert rows["shenzhen"]["roles"] == ["named as a destination"]
    assert rows["shenzhen"]["headline"] is None
    assert rows["hangzhou"]["fact_count"] == 2 and rows["hangzhou"]["name_zh"] == "杭州"


@pytest.mark.parametrize("name", ["上海", "Shanghai", "SHANGHAI", "shanghai"])
def test_city_profile_takes_english_or_chinese_names(run: RunCli, name: str) -> None:
    result = run("city", name, "--json")
    assert result.exit_code == 0
    records = result.json()
    assert len(records) == 16 and {r["city"] for r in records} == {"shanghai"}


def test_city_profile_groups_by_topic_with_bars_lists_and_sources(run: RunCli) -> None:
    out = run("city", "北京", columns=100).stdout
    assert out.startswith("Beijing (北京) · 11 facts\n")
    for part in (
        "Sectors",
        "Emerging industries",
        "20.84%",
        ">80%",
        "▶",
        "1. Beijing’s development potential",  # the key reason: a ranking of one
        "- future manufacturing (among others)",  # "These include": examples, not a ranking
        "Source: Blue Book on Overseas-Educated Returnees in Beijing",
        "Reported in: Overseas Returnees: Driving Innovation in China",
    ):
        assert part in out, part


def test_unknown_city_name_suggests_the_nearest(run: RunCli) -> None:
    result = run("city", "shangai")
    assert result.exit_code == 2 and result.stdout == ""
    assert "did you mean `shanghai`?" in result.stderr


# --- industries, entrepreneurs, reasons, topics --------------------------------------------------


def test_industries_pairs_lists_with_their_shares(run: RunCli) -> None:
    records = run("industries", "--json").json()
    by_id = {r["id"]: r for r in records}
    assert by_id["beijing-emerging-industries-share"]["value"] == 60
    assert by_id["beijing-entrepreneurs-emerging-share"]["qualifier"] == "more_than"
    assert by_id["shanghai-leading-industries"]["items"] == [
        "biomedicine",
        "integrated circuits",
        "artificial intelligence",
    ]
    assert by_id["national-emerging-industries"]["city"] is None
    beijing = run("industries", "--city", "beijing", "--json").json()
    assert {r["city"] for r in beijing} == {"beijing"} and len(beijing) == 3


def test_entrepreneurs_chart_shows_lower_bounds_and_the_sample(run: RunCli) -> None:
    records = run("entrepreneurs", "--json").json()
    assert [(r["topic"], r["value"], r["qualifier"], r["sample_size"]) for r in records] == [
        ("first-choice", 86.67, "exact", 300),
        ("generation", 70, "more_than", 300),
        ("education", 90, "more_than", 300),
        ("industries", 70, "more_than", 300),
        ("profitability", 60, "more_than", None),  # a share of companies, not of the 300
        ("markets", 52, "exact", None),
        ("women", 36, "exact", 300),
    ]
    out = run("entrepreneurs", columns=100).stdout
    assert "Shanghai: returnee entrepreneurs (survey of 300)" in out
    for figure in ("86.67%", ">70%", ">90%", ">60%", "52%", "36%"):
        assert figure in out
    assert " 70%" not in out and " 90%" not in out
    assert "▶┈" in out  # open-ended bars for the lower bounds


def test_entrepreneurs_for_a_city_without_the_survey(run: RunCli) -> None:
    result = run("entrepreneurs", "--city", "beijing", "--json")
    assert (result.exit_code, result.json()) == (0, [])
    assert "no entrepreneur survey figures for Beijing; Shanghai has them" in result.stderr


def test_reasons_keep_the_articles_order_side_by_side(run: RunCli) -> None:
    records = run("reasons", "--json").json()
    assert [(r["city"], r["items"]) for r in records] == [
        ("beijing", ["Beijing’s development potential"]),
        ("beijing", ["the convenience of reuniting with family", "abundant market opportunities"]),
        ("beijing", ["rich innovation resources", "supportive business environment"]),
        ("shanghai", ["talent resources", "market potential", "geographical location"]),
    ]
    wide = run("reasons", columns=100).stdout
    header = wide.splitlines()[0]
    assert header.split() == ["Beijing", "Shanghai"]  # the cities side by side
    # ranked only where the source ranks: the survey names its top factors without a rank
    assert "- talent resources" in wide and "- geographical location" in wide
    assert "1. talent resources" not in wide
    assert "1. Beijing’s development potential" in wide
    narrow = run("reasons", columns=40).stdout
    assert narrow.index("Beijing") < narrow.index("Shanghai")
    assert all(len(line) <= 40 for line in narrow.splitlines())


def test_topics_matrix_says_what_the_data_can_and_cannot_answer(run: RunCli) -> None:
    rows = {r["topic"]: r for r in run("topics", "--json").json()}
    assert rows["sectors"]["beijing"] == 5 and rows["sectors"]["shanghai"] == 0
    assert rows["women"]["shanghai"] == 6 and rows["policy"]["nationwide"] == 2
    assert set(rows["sectors"]) == {
        "topic",
        "beijing",
        "shanghai",
        "guangzhou",
        "shenzhen",
        "suzhou",
        "hangzhou",
        "changsha",
        "nationwide",
    }
    table = run("topics", columns=120).stdout
    sectors_line = next(line for line in table.splitlines() if line.startswith("sectors"))
    assert sectors_line.split() == ["sectors", "5", "·", "·", "·", "·", "·", "·", "·"]
    narrow = run("topics", columns=60).stdout
    assert "sectors               Beijing 5" in narrow


# --- cite ----------------------------------------------------------------------------------------


def test_cite_plain_carries_qualifier_quote_source_and_article(run: RunCli) -> None:
    out = run("cite", "shanghai-education").stdout
    lines = out.splitlines()
    assert lines[0] == (
        "Shanghai: Hold a master’s degree or higher, more than 90% of surveyed "
        "returnee founders of startups in Shanghai; sample of 300 respondents."
    )
    assert lines[1] == (
        "“They are highly educated, with more than 90% holding a master’s degree or higher.”"
    )
    assert lines[2].startswith(
        "Source: Think tank of the Western Returned Scholars Association "
        "Shanghai (SORSA), 2024 project group, “Building an ideal city"
    )
    assert "2025-01-03 (primary source)." in lines[2]
    assert lines[3] == (
        "Reported in: Chen Wang, additional reporting by CNS (China News Service), “Overseas "
        "Returnees: Driving Innovation in China”, China Minutes, 2025-04-01, "
        "https://chinaminutes.com/2025/04/01/overseas-returnees-driving-innovation-in-china "
        "(secondary source)."
    )


def test_cite_markdown_links_the_article_and_marks_derived_figures(run: RunCli) -> None:
    out = run("cite", "shanghai-women-count", "--style", "markdown").stdout
    assert out.startswith("**Shanghai: Number of women among the respondents, about 108 people")
    assert "Derived, not stated in the source: 36% × 300, computed from" in out
    assert (
        "[Overseas Returnees: Driving Innovation in China](<https://chinaminutes.com/2025/04/"
        "01/overseas-returnees-driving-innovation-in-china>)"
    ) in out
    unknown = run("cite", "shanghai-educaton")
    assert unknown.exit_code == 2 and "did you mean `shanghai-education`?" in unknown.stderr


# --- output formats everywhere -------------------------------------------------------------------


@pytest.mark.parametrize("args", QUERY_COMMANDS)
@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "table"])
def test_every_query_command_speaks_every_format(run: RunCli, args: list[str], fmt: str) -> None:
    result = run(*args, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out and "\x1b" not in out
    if fmt == "json":
        assert json.loads(out)
        assert out == run(*args, "--json").stdout
    elif fmt == "jsonl":
        lines = [json.loads(line) for line in out.splitlines()]
        as_json = json.loads(run(*args, "--json").stdout)
        assert lines == (as_json if isinstance(as_json, list) else [as_json])
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert rows and all(None not in row for row in rows)


def test_csv_reads_back_with_one_column_per_json_key(run: RunCli) -> None:
    rows = list(csv.DictReader(io.StringIO(run("facts", "--format", "csv").stdout)))
    records = run("facts", "--json").json()
    assert list(rows[0]) == list(records[0])
    by_id = {row["id"]: row for row in rows}
    assert by_id["shanghai-education"]["value"] == "90"
    assert by_id["shanghai-education"]["qualifier"] == "more_than"
    assert by_id["shanghai-education"]["source"] == "shanghai-survey-2024"
    assert by_id["shanghai-decision-factors"]["items"] == (
        "talent resources|market potential|geographical location"
    )
    assert by_id["shanghai-women-count"]["derived"] == "true"
    assert by_id["shanghai-women-count"]["quote"] == ""


def test_fields_pick_keys_in_every_machine_format(run: RunCli) -> None:
    as_json = run("sectors", "--city", "beijing", "--json", "--fields", "id,value").json()
    assert as_json[0] == {"id": "beijing-sector-science-technology", "value": 20.84}
    jsonl = run("entrepreneurs", "--format", "jsonl", "--fields", "value,qualifier").stdout
    assert jsonl.splitlines()[1] == '{"value": 70, "qualifier": "more_than"}'
    as_csv = run("facts", "--topic", "women", "--format", "csv", "--fields", "id,value").stdout
    assert as_csv.splitlines()[:3] == [
        "id,value",
        "shanghai-women-presence,",
        "shanghai-women-share,36",
    ]
    one = run("show", "shanghai-education", "--json", "--fields", "value,qualifier").json()
    assert one == {"value": 90, "qualifier": "more_than"}


def test_an_unknown_field_exits_2_and_lists_the_valid_ones(run: RunCli) -> None:
    result = run("facts", "--json", "--fields", "id,valeu")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(
        "returnees: --fields: unknown field `valeu`; did you mean `value`? known fields: id, "
        "city, topic, label, value,"
    )


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("json", "[]\n"),
        ("jsonl", ""),
        ("table", ""),
        (
            "csv",
            "id,city,topic,label,value,unit,qualifier,low,high,precision,population,sample_size,"
            "items,list_kind,breakdown,derived,derived_from,formula,source,reported_in,quote\n",
        ),
    ],
)
def test_no_data_is_said_in_each_formats_own_way(run: RunCli, fmt: str, expected: str) -> None:
    result = run("industries", "--city", "changsha", "--format", fmt)
    assert (result.exit_code, result.stdout) == (0, expected)
    assert "no industry facts for Changsha; Beijing and Shanghai have them" in result.stderr


def test_svg_saves_the_picture_and_keeps_stdout_clean(run: RunCli, tmp_path: Path) -> None:
    picture = tmp_path / "sectors.svg"
    result = run("sectors", "--city", "beijing", "--json", "--svg", str(picture))
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["value"] == 20.84  # stdout still pure JSON
    assert "\x1b" not in result.stdout
    root = ElementTree.parse(picture).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = picture.read_text(encoding="utf-8")
    assert "20.84%" in text and "\x1b" not in text
    assert f"saved the picture to {picture}" in result.stderr


def test_svg_to_an_unwritable_place_is_a_usage_error(run: RunCli, tmp_path: Path) -> None:
    result = run("topics", "--svg", str(tmp_path / "no" / "such" / "dir.svg"))
    assert result.exit_code == 2
    assert result.stderr.startswith("returnees: --svg: cannot write ")
    assert "no such folder" in result.stderr


# --- export --------------------------------------------------------------------------------------


def test_export_sqlite_opens_and_answers_queries(run: RunCli, tmp_path: Path) -> None:
    database = tmp_path / "returnees.db"
    result = run("export", "--format", "sqlite", "-o", str(database))
    assert result.exit_code == 0 and result.stdout == ""
    assert "wrote 39 facts" in result.stderr
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT label, value FROM facts WHERE city = 'beijing' AND topic = 'sectors' "
            "AND derived = 0 ORDER BY value DESC"
        ).fetchall()
        assert rows == [
            ("Science and technology-related fields", 20.84),
            ("Economic sectors", 19.5),
            ("Education", 17.8),
            ("Professional services", 13.2),
        ]
        lower = connection.execute(
            "SELECT count(*) FROM facts WHERE qualifier = 'more_than'"
        ).fetchone()
        assert lower == (5,)
        joined = connection.execute(
            "SELECT s.publisher FROM facts f JOIN sources s ON s.id = f.source "
            "WHERE f.id = 'shanghai-women-share'"
        ).fetchone()
        assert joined[0].startswith("Think tank of the Western Returned Scholars")
        types = {row[1]: row[2] for row in connection.execute("PRAGMA table_info(facts)")}
        assert (types["value"], types["sample_size"], types["derived"]) == (
            "REAL",
            "INTEGER",
            "INTEGER",
        )
        items = connection.execute(
            "SELECT items FROM facts WHERE id = 'shanghai-decision-factors'"
        ).fetchone()[0]
        assert json.loads(items) == [
            "talent resources",
            "market potential",
            "geographical location",
        ]


def test_export_sqlite_needs_a_file(run: RunCli) -> None:
    result = run("export", "--format", "sqlite")
    assert result.exit_code == 2 and result.stdout == ""
    assert "add -o FILE" in result.stderr


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "yaml"])
def test_export_text_formats_hold_every_fact(run: RunCli, tmp_path: Path, fmt: str) -> None:
    expected = run("facts", "--json").json()
    target = tmp_path / f"facts.{fmt}"
    assert run("export", "--format", fmt, "-o", str(target)).exit_code == 0
    text = target.read_text(encoding="utf-8")
    if fmt == "yaml":  # a fact pack, its stored text beside it: loaded, every fact as it was
        assert run("--no-builtin", "--facts", str(target), "facts", "--json").json() == expected
        return
    assert text == run("export", "--format", fmt).stdout
    if fmt == "json":
        assert json.loads(text) == expected
    elif fmt == "jsonl":
        assert [json.loads(line) for line in text.splitlines()] == expected
    else:
        assert [row["id"] for row in csv.DictReader(io.StringIO(text))] == [
            r["id"] for r in expected
        ]


def test_export_refuses_to_overwrite_a_fact_file(run: RunCli, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "mine.yaml").write_text("cities:\n  - {slug: wuhan, name: Wuhan}\n", encoding="utf-8")
    before = (pack / "mine.yaml").read_bytes()
    result = run("--facts", str(pack), "export", "--format", "yaml", "-o", str(pack / "mine.yaml"))
    assert (
        result.exit_code == 2
        and "is being read (a fact file or a source's stored text)" in result.stderr
    )
    assert (pack / "mine.yaml").read_bytes() == before


# --- completion ----------------------------------------------------------------------------------


def completions(words: str, cword: int, cwd: Path) -> list[str]:
    """What the installed command offers bash for the word at `cword` of `words`."""
    env = {
        **os.environ,
        "_RETURNEES_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(cword),
    }
    env.pop("RETURNEES_FACTS", None)
    result = subprocess.run(
        [returnees()],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
        encoding="utf-8",
    )
    return result.stdout.split()


@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [
        ("returnees sectors --city be", 3, ["beijing"]),
        ("returnees city 上", 2, ["上海"]),
        ("returnees facts --topic wo", 3, ["women"]),
        ("returnees facts --format js", 3, ["json", "jsonl"]),
        ("returnees show shanghai-edu", 2, ["shanghai-education"]),
        ("returnees ci", 1, ["cities", "city", "cite"]),
    ],
)
def test_shell_completion_offers_values_from_the_data(
    tmp_path: Path, words: str, cword: int, expected: list[str]
) -> None:
    assert completions(words, cword, tmp_path) == expected


# --- limits ----------------------------------------------------------------------------------


def test_limit_caps_every_format_and_says_how_many_were_left_out(run: RunCli) -> None:
    table = run("facts", "--limit", "2", columns=120)
    assert table.exit_code == 0
    assert "beijing-sector-economic" in table.stdout
    assert "beijing-sector-education" not in table.stdout
    assert table.stderr == (
        "returnees: showing 2 of 39 records; --limit 0 shows all (or --format csv)\n"
    )
    as_json = run("facts", "--json", "--limit", "3")
    assert [r["id"] for r in as_json.json()] == [
        "beijing-sector-science-technology",
        "beijing-sector-economic",
        "beijing-sector-education",
    ]
    assert "showing 3 of 39 records" in as_json.stderr


def test_without_limit_machine_formats_give_every_record(run: RunCli) -> None:
    result = run("facts", "--format", "jsonl")
    assert len(result.stdout.splitlines()) == 39 and result.stderr == ""
    assert len(run("facts", "--limit", "0", "--json").json()) == 39


def test_a_negative_limit_is_a_usage_error(run: RunCli) -> None:
    result = run("facts", "--limit", "-1")
    assert result.exit_code == 2 and result.stdout == ""
    assert "--limit" in result.stderr


# --- found by a newcomer -------------------------------------------------------------------


def test_nationwide_is_a_city_filter_for_statements_about_china(run: RunCli) -> None:
    for name in ("nationwide", "China", "全国"):
        records = run("facts", "--city", name, "--json").json()
        assert len(records) == 6 and {r["city"] for r in records} == {None}


def test_an_empty_city_is_an_error_not_everything(run: RunCli) -> None:
    result = run("facts", "--city", "", "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("returnees: unknown city ``;")


def test_source_by_short_title_and_search_in_source_titles(run: RunCli) -> None:
    by_title = run("facts", "--source", "Beijing Blue Book", "--json").json()
    assert len(by_title) == 11
    near = run("facts", "--source", "blue")
    assert "did you mean `beijing-blue-book-2025`?" in near.stderr
    found = run("facts", "--search", "blue book", "--json").json()
    assert {r["source"]["id"] for r in found} == {"beijing-blue-book-2025"}


def test_a_city_given_as_an_argument_gets_a_hint(run: RunCli) -> None:
    result = run("sectors", "beijing")
    assert result.exit_code == 2
    assert "to choose a city, write --city beijing" in result.stderr


def test_shares_of_other_populations_say_of_whom(run: RunCli) -> None:
    out = " ".join(run("entrepreneurs", columns=100).stdout.split())
    # each base is a group of its own, under its heading: respondents first, then companies
    respondents = out.index("Share of surveyed returnee founders of startups in Shanghai")
    companies = out.index("Share of companies of the surveyed returnee founders in Shanghai")
    assert respondents < out.index("Hold a master’s degree") < companies
    assert companies < out.index("Companies that reach profitability")
    industries = " ".join(run("industries", "--city", "beijing", columns=100).stdout.split())
    assert "Share of returnees employed in Beijing" in industries
    assert "Share of returnees in Beijing engaged in innovation and entrepreneurship" in industries


def test_a_share_with_a_list_shows_its_list(run: RunCli) -> None:
    out = run("industries", "--city", "shanghai").stdout
    assert "Focus on leading industries (>70%):" in out
    assert "- integrated circuits" in out and "(among others)" in out  # "such as": examples


@pytest.mark.parametrize(
    "args",
    [["entrepreneurs"], ["industries"], ["city", "beijing"], ["facts"], ["sources"], ["cities"]],
)
def test_narrow_terminals_never_split_a_word_in_half(run: RunCli, args: list[str]) -> None:
    out = run(*args, columns=40).stdout
    assert all(len(line) <= 40 for line in out.splitlines())
    for broken in ("Characteri", "generation\ns", "productiv\n"):
        assert broken not in out


def test_export_keeps_existing_files_unless_forced(run: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "mine.db"
    target.write_bytes(b"my own notes")
    refused = run("export", "--format", "sqlite", "-o", str(target))
    assert refused.exit_code == 2 and "exists; add --force to replace it" in refused.stderr
    assert target.read_bytes() == b"my own notes"
    forced = run("export", "--format", "sqlite", "-o", str(target), "--force")
    assert forced.exit_code == 0
    with sqlite3.connect(target) as connection:
        assert connection.execute("SELECT count(*) FROM facts").fetchone() == (39,)


def test_export_to_a_missing_folder_is_a_usage_error(run: RunCli, tmp_path: Path) -> None:
    result = run("export", "--format", "sqlite", "-o", str(tmp_path / "no" / "x.db"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"returnees: -o: cannot write {tmp_path / 'no' / 'x.db'}")
    assert not list(tmp_path.iterdir())


def test_export_dash_is_stdout(run: RunCli) -> None:
    result = run("export", "--format", "jsonl", "-o", "-")
    assert len(result.stdout.splitlines()) == 39


def test_sectors_draws_only_shares(run: RunCli, tmp_path: Path) -> None:
    pack = tmp_path / "count.yaml"
    pack.write_text(
        """\
facts:
  - id: beijing-sector-headcount
    city: beijing
    topic: sectors
    label: People counted in a sector
    value: 12000
    unit: people
    qualifier: about
    source: beijing-blue-book-2025
    reported_in: beijing-blue-book-2025
    quote: Some 12000 people work in it.
""",
        encoding="utf-8",
    )
    result = run("--facts", str(pack), "sectors", "--city", "beijing", "--json")
    assert result.exit_code == 0, result.stderr
    assert "beijing-sector-headcount" not in {r["id"] for r in result.json()}
    assert len(result.json()) == 5


def test_json_is_byte_for_byte_what_the_json_module_writes(run: RunCli) -> None:
    out = run("facts", "--json").stdout
    assert out == json.dumps(json.loads(out), ensure_ascii=False, indent=2) + "\n"
    one = run("show", "shanghai-decision-factors", "--json").stdout
    assert one == json.dumps(json.loads(one), ensure_ascii=False, indent=2) + "\n"
    assert run("facts", "--search", "nothing at all", "--json").stdout == "[]\n"


def test_the_topics_matrix_shows_whole_city_names_where_they_fit(run: RunCli) -> None:
    lines = run("topics", columns=110).stdout.splitlines()
    assert lines[0].split() == [
        "Topic",
        *("Beijing Shanghai Guangzhou Shenzhen Suzhou Hangzhou Changsha Nationwide".split()),
    ]
    women = next(line for line in lines if line.startswith("women"))
    assert women.split() == ["women", "·", "6", "·", "·", "·", "·", "·", "·"]


@pytest.mark.parametrize("columns", [80, 60, 40, 30])
def test_in_a_narrow_terminal_topics_list_where_each_is_answered_never_splitting_a_name(
    run: RunCli, columns: int
) -> None:
    lines = run("topics", columns=columns).stdout.splitlines()
    assert all(len(line) <= columns for line in lines)
    names = "Beijing Shanghai Guangzhou Shenzhen Suzhou Hangzhou Changsha Nationwide".split()
    entries = re.findall(r"([A-Z][a-z]+) (\d+)", "\n".join(lines))
    # every name stays whole, with its count beside it on the same line
    assert {name for name, _ in entries} == set(names)
    assert ("Nationwide", "2") in entries and ("Beijing", "5") in entries
    if columns == 80:
        assert lines[2:4] == [
            "destinations          Shanghai 1, Guangzhou 1, Shenzhen 1, Suzhou 1, Hangzhou 1,",
            "                      Changsha 1, Nationwide 2",
        ]
        assert "women                 Shanghai 6" in lines


def test_facts_by_qualifier_lists_the_lower_bounds_only(run: RunCli) -> None:
    result = run("facts", "--qualifier", "more_than", "--format", "csv", "--fields", "id,value")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "id,value",
        "beijing-entrepreneurs-emerging-share,80",
        "shanghai-generations,70",
        "shanghai-education,90",
        "shanghai-leading-industries,70",
        "shanghai-profitability,60",
    ]
    found = run("facts", "--qualifier", "MORE_THAN", "--json").json()
    assert found and {fact["qualifier"] for fact in found} == {"more_than"}
    assert all(fact["value"] is not None for fact in found)
    counted = {
        qualifier: len(
            run("export", "--qualifier", qualifier, "--format", "jsonl").stdout.splitlines()
        )
        for qualifier in (
            "exact",
            "more_than",
            "at_least",
            "less_than",
            "at_most",
            "about",
            "range",
        )
    }
    # every figure has one qualifier; the derived rest of Beijing and count of women are about
    assert counted == {
        "exact": 10,
        "more_than": 5,
        "at_least": 0,
        "less_than": 0,
        "at_most": 0,
        "about": 2,
        "range": 0,
    }
    assert sum(counted.values()) == sum(
        1 for fact in run("facts", "--json").json() if fact["value"] is not None
    )
    refused = run("facts", "--qualifier", "ovr")
    assert refused.exit_code == 2
    assert "'ovr' is not one of exact, more_than, at_least, less_than" in refused.stderr


@pytest.mark.parametrize(
    ("flags", "env", "coloured"),
    [
        ([], {}, False),  # a pipe: no colour
        ([], {"FORCE_COLOR": "1", "NO_COLOR": ""}, True),
        (["--color", "always"], {}, True),  # the flag beats NO_COLOR=1 (set by the fixture)
        (["--color", "never"], {"FORCE_COLOR": "1", "NO_COLOR": ""}, False),
        (["--color", "auto"], {}, False),
    ],
)
def test_colour_is_what_the_user_asked_for(
    run: RunCli, flags: list[str], env: dict[str, str], coloured: bool
) -> None:
    result = run("sectors", "--city", "beijing", *flags, env=env)
    assert result.exit_code == 0
    assert ("\x1b[" in result.stdout) is coloured
    assert "Science and technology-related" in result.stdout
    assert all(not line.endswith(" ") for line in result.stdout.splitlines())
    as_json = run("sectors", "--city", "beijing", "--json", *flags, env=env)
    assert "\x1b" not in as_json.stdout and as_json.json()[0]["value"] == 20.84


@pytest.mark.parametrize("columns", [80, 30])
def test_topics_limit_draws_only_the_topics_it_counts(run: RunCli, columns: int) -> None:
    result = run("topics", "--limit", "2", columns=columns)
    assert result.exit_code == 0
    assert result.stderr == (
        "returnees: showing 2 of 15 records; --limit 0 shows all (or --format csv)\n"
    )
    drawn = list(run("topics", "--format", "csv").stdout.splitlines()[1:])
    topics = [row.split(",")[0] for row in drawn]
    assert all(topic in result.stdout for topic in topics[:2])
    assert not any(topic in result.stdout for topic in topics[2:])
