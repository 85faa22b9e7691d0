"""The source records: what `sources` counts for each, and where each source's details come
from (`described_in`, `title_zh`), through the real CLI with the built-in values."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from returnee_cli import schema
from returnee_cli.fields import SOURCE_FIELDS
from returnee_cli.loading import read_factset

from .conftest import REPO, RunCli


def _sources(run: RunCli) -> dict[str, dict[str, Any]]:
    result = run("sources", "--json")
    assert result.exit_code == 0, result.stderr
    return {record["id"]: record for record in result.json()}


# --- counts ---------------------------------------------------------------------------------------


def test_figure_count_counts_only_facts_with_a_figure(run: RunCli) -> None:
    sources = _sources(run)
    for source_id, record in sources.items():
        facts = run("facts", "--source", source_id, "--json").json()
        with_a_value = [
            f for f in facts if f["source"]["id"] == source_id and f["value"] is not None
        ]
        assert record["figure_count"] == len(with_a_value), source_id
    # the Shanghai survey: 8 stated figures and 2 derived from them; its 5 lists and statements
    # cite it but are no figure of it
    shanghai = run("facts", "--source", "shanghai-survey-2024", "--json").json()
    assert len(shanghai) == sources["shanghai-survey-2024"]["fact_count"] == 15
    assert sum(f["value"] is not None for f in shanghai) == 10
    assert sources["shanghai-survey-2024"]["figure_count"] == 10
    # the article is the source of lists and statements only: every figure is a study's
    assert sources["china-minutes-2025"]["figure_count"] == 0
    assert sources["china-minutes-2025"]["quote_count"] == 36


def test_the_stacked_sources_say_how_many_figures(run: RunCli) -> None:
    out = run("sources").stdout
    assert "secondary · 2025-04-01 · cited by 39 facts: 0 for a figure, 36 for a quote" in out
    assert "primary · 2025-03-30 · cited by 11 facts: 7 for a figure, 0 for a quote" in out
    assert "primary · 2025-01-03 · cited by 15 facts: 10 for a figure, 0 for a quote" in out


# --- the built-in sources -------------------------------------------------------------------------
# What public coverage says of the article's two sources, and which report says it.

JST = {
    "title": "[News report of the Blue Book's release, relaying China News Service]",
    "publisher": "JST Science Portal China",
    "date": "2025-04-01",
    "author": None,
    "url": "https://spc.jst.go.jp/news/250401/topic_5_02.html",
}
PEOPLES_DAILY = {
    "title": "[The same report, relaying China News Service; reposted by Record China]",
    "publisher": "People's Daily Online, Japanese edition",
    "date": "2025-04-01",
    "author": None,
    "url": "https://recordchina.co.jp/b950951-s6-c20-d0189.html",
}
CNS = {
    "title": "[Report of the survey study's release]",
    "publisher": "China News Service (Shanghai)",
    "date": "2025-01-03",
    "author": "Fan Yubin",
    "url": None,  # seen through a copy: the CNS address itself was not seen
}
SHANGHAI_TITLE_ZH = "打造青年创新创业的理想之城——上海海归创业者状况调查研究"


def test_the_article_describes_itself(run: RunCli) -> None:
    article = _sources(run)["china-minutes-2025"]
    assert (article["described_in"], article["title_zh"]) == (None, None)
    assert article["url"] == (
        "https://chinaminutes.com/2025/04/01/overseas-returnees-driving-innovation-in-china"
    )
    assert (article["date"], article["kind"]) == ("2025-04-01", "secondary")


def test_the_blue_book_is_described_by_two_reports_of_china_news_service(run: RunCli) -> None:
    blue_book = _sources(run)["beijing-blue-book-2025"]
    assert blue_book["described_in"] == [JST, PEOPLES_DAILY]
    assert (blue_book["date"], blue_book["kind"], blue_book["title_zh"]) == (
        "2025-03-30",
        "primary",
        None,  # no public report seen gives its Chinese title
    )
    note = " ".join(blue_book["note"].split())
    assert "returnee innovation and entrepreneurship forum of the 2025 Zhongguancun Forum" in note
    assert "from April 2024 to January 2025" in note
    assert "Its figures here are the China Minutes article's." in note


def test_the_shanghai_survey_is_described_by_the_cns_report(run: RunCli) -> None:
    survey = _sources(run)["shanghai-survey-2024"]
    assert survey["described_in"] == [CNS]
    assert survey["title_zh"] == SHANGHAI_TITLE_ZH
    assert survey["title"] == (
        "Building an ideal city for young people's innovation and entrepreneurship: a survey "
        "study of the situation of returnee entrepreneurs in Shanghai"
    )
    assert (survey["date"], survey["kind"]) == ("2025-01-03", "primary")
    note = " ".join(survey["note"].split())
    assert "300 questionnaire respondents" in note
    assert "the CNS address itself was not seen, so it has no url" in note


def test_every_fact_record_carries_its_sources_reports(run: RunCli) -> None:
    record = run("show", "shanghai-women-share", "--json").json()
    assert record["source"]["described_in"] == [CNS]
    assert record["source"]["title_zh"] == SHANGHAI_TITLE_ZH
    assert record["reported_in"]["described_in"] is None
    sectors = run("sectors", "--city", "beijing", "--json").json()
    assert all(r["source"]["described_in"] == [JST, PEOPLES_DAILY] for r in sectors)


def test_csv_and_sqlite_carry_the_reports(run: RunCli, tmp_path: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run("sources", "--format", "csv").stdout)))
    by_id = {row["id"]: row for row in rows}
    assert by_id["shanghai-survey-2024"]["title_zh"] == SHANGHAI_TITLE_ZH
    assert by_id["china-minutes-2025"]["described_in"] == ""
    assert (
        "https://spc.jst.go.jp/news/250401/topic_5_02.html"
        in (by_id["beijing-blue-book-2025"]["described_in"])
    )
    facts = list(csv.DictReader(io.StringIO(run("facts", "--format", "csv").stdout)))
    assert {row["source"] for row in facts} == {  # a source object is given by its id
        "beijing-blue-book-2025",
        "china-minutes-2025",
        "shanghai-survey-2024",
    }
    path = tmp_path / "facts.db"
    assert run("export", "--format", "sqlite", "-o", str(path)).exit_code == 0
    with sqlite3.connect(path) as database:
        stored = dict(database.execute("SELECT id, described_in FROM sources").fetchall())
        title_zh = database.execute(
            "SELECT title_zh FROM sources WHERE id = 'shanghai-survey-2024'"
        ).fetchone()
    assert json.loads(stored["beijing-blue-book-2025"]) == [JST, PEOPLES_DAILY]
    assert json.loads(stored["shanghai-survey-2024"]) == [CNS]
    assert stored["china-minutes-2025"] is None
    assert title_zh == (SHANGHAI_TITLE_ZH,)


# --- described_in and title_zh in a fact file ---------------------------------------------------

PACK = """\
sources:
  - id: talk
    title: A talk about returnees
    title_zh: 关于海归的讲座
    publisher: Example Forum
    date: "2025-05-01"
    kind: primary
    described_in:
      - title: "[Programme of the forum]"
        publisher: Example Forum
        date: "2025-04"
        url: https://example.org/programme?day=1#talks
      - title: A newsletter
        publisher: Example News
        author: A. Writer
        date: "2025-05-02"
facts:
  - id: talk-statement
    topic: t
    label: A statement
    source: talk
    reported_in: talk
    quote: Returnees spoke.
"""
ENTRY = """\
      - title: A newsletter
        publisher: Example News
        author: A. Writer
        date: "2025-05-02"
"""


def _write(folder: Path, pack: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "facts.yaml").write_text(pack, encoding="utf-8")
    return folder / "facts.yaml"


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # messages show `pack/facts.yaml`
    return tmp_path


def test_a_source_with_its_reports_loads_and_keeps_them(run: RunCli, in_tmp: Path) -> None:
    _write(in_tmp / "pack", PACK)
    result = run("--no-builtin", "--facts", "pack", "sources", "--json")
    assert result.exit_code == 0, result.stderr
    [record] = result.json()
    assert record["title_zh"] == "关于海归的讲座"
    assert record["described_in"] == [
        {
            "title": "[Programme of the forum]",
            "publisher": "Example Forum",
            "date": "2025-04",
            "author": None,
            "url": "https://example.org/programme?day=1#talks",
        },
        {
            "title": "A newsletter",
            "publisher": "Example News",
            "date": "2025-05-02",
            "author": "A. Writer",
            "url": None,
        },
    ]
    fact = run("--no-builtin", "--facts", "pack", "show", "talk-statement", "--json").json()
    assert (
        fact["source"]
        == fact["reported_in"]
        == {k: v for k, v in record.items() if "_count" not in k}
    )


def test_a_cached_source_keeps_its_reports(in_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETURNEES_CACHE_DIR", str(in_tmp / "cache"))
    path = _write(in_tmp / "pack", PACK)
    fresh = read_factset([path], use_cache=True)
    cached = read_factset([path], use_cache=True)
    assert list((in_tmp / "cache").glob("factset-*"))
    assert cached is not fresh and not cached.errors
    assert dict(cached.factset.sources) == dict(fresh.factset.sources)
    reports = cached.factset.sources["talk"].described_in
    assert reports is not None and [r.title for r in reports] == [
        "[Programme of the forum]",
        "A newsletter",
    ]


BROKEN = [
    (
        "an entry without a title",
        PACK.replace(
            ENTRY,
            ENTRY.replace("      - title: A newsletter\n        publisher", "      - publisher"),
        ),
        "      - publisher: Example News",
        "missing-key",
        "`described_in` entry is missing `title` (its headline; in [square brackets], what it is, "
        "where its headline was not recorded)",
    ),
    (
        "an entry with an unknown key",
        PACK.replace(ENTRY, ENTRY + "        link: https://example.org/news\n"),
        "        link:",
        "unknown-key",
        "unknown key `link` in a `described_in` entry; known keys: title, publisher, date, "
        "author, url",
    ),
    (
        "a javascript: address",
        PACK.replace("https://example.org/programme?day=1#talks", "javascript:alert(1)"),
        "        url: javascript",
        "url",
        "`url` 'javascript:alert(1)' is not a web address; give one that starts with https:// "
        "(or http://)",
    ),
    (
        "a file: address",
        PACK.replace("https://example.org/programme?day=1#talks", "file:///etc/passwd"),
        "        url: file",
        "url",
        "`url` 'file:///etc/passwd' is not a web address",
    ),
    (
        "a bad date",
        PACK.replace('date: "2025-04"', "date: 1 April 2025"),
        "        date: 1 April",
        "date",
        "`date` '1 April 2025' must be a date written YYYY-MM-DD",
    ),
    (
        "one report, not a list",
        PACK[: PACK.index("    described_in:")]
        + '    described_in: {title: A newsletter, publisher: Example News, date: "2025"}\n'
        + PACK[PACK.index("facts:") :],
        "    described_in:",
        "type",
        "`described_in` must be a non-empty list of mappings",
    ),
    (
        "an entry that is not a mapping",
        PACK.replace(ENTRY, "      - JST Science Portal China\n"),
        "      - JST",
        "type",
        "a `described_in` entry must be a mapping of `key: value` lines",
    ),
    (
        "a javascript: address of the source itself",
        PACK.replace("    kind: primary\n", "    kind: primary\n    url: JavaScript:alert(1)\n"),
        "    url: JavaScript",
        "url",
        "`url` 'JavaScript:alert(1)' is not a web address",
    ),
]


@pytest.mark.parametrize(
    ("name", "pack", "where", "code", "message"), BROKEN, ids=[case[0] for case in BROKEN]
)
def test_a_broken_report_is_refused_with_file_and_line(
    run: RunCli, in_tmp: Path, name: str, pack: str, where: str, code: str, message: str
) -> None:
    _write(in_tmp / "pack", pack)
    line = _line_of(pack, where)
    result = run("validate", "pack")
    assert result.exit_code == 1
    assert f"pack/facts.yaml:{line}: error: {message}" in result.stdout
    reported = [row for row in result.stdout.splitlines() if f"[{code}]" in row]
    assert reported and reported[0].startswith(f"pack/facts.yaml:{line}: error: ")
    # every command refuses the pack, on stderr, with the same place
    refused = run("--no-builtin", "--facts", "pack", "sources", "--json")
    assert (refused.exit_code, refused.stdout) == (1, "")
    assert f"returnees: pack/facts.yaml:{line}: {message}" in refused.stderr


def test_the_schema_refuses_what_the_loader_refuses_in_a_report() -> None:
    validator = jsonschema.Draft202012Validator(schema.fact_file_schema())
    assert not list(validator.iter_errors(yaml.safe_load(PACK)))
    for _, pack, *_ in BROKEN:
        assert list(validator.iter_errors(yaml.safe_load(pack))), pack


def test_the_doc_lists_the_keys_of_a_report() -> None:
    [reports] = [spec for spec in SOURCE_FIELDS if spec.kind == "record_list"]
    assert reports.name == "described_in"
    doc = (REPO / "docs" / "fact-format.md").read_text(encoding="utf-8")
    table = doc.split("### `described_in`\n\n", 1)[1].split("\n\n", 1)[0]
    rows = [f"| `{s.name}` | {'yes' if s.required else ''} | {s.help} |" for s in reports.fields]
    assert table.splitlines()[2:] == rows


# --- what people see ------------------------------------------------------------------------------

SOURCES_80 = """\
china-minutes-2025
secondary · 2025-04-01 · cited by 39 facts: 0 for a figure, 36 for a quote
Overseas Returnees: Driving Innovation in China
China Minutes

beijing-blue-book-2025
primary · 2025-03-30 · cited by 11 facts: 7 for a figure, 0 for a quote
Blue Book on Overseas-Educated Returnees in Beijing
Beijing Western Returned Scholars Association with the Center for China and
Globalization (CCG)
Details from JST Science Portal China, 2025-04-01: [News report of the Blue
Book's release, relaying China News Service]
https://spc.jst.go.jp/news/250401/topic_5_02.html
Details from People's Daily Online, Japanese edition, 2025-04-01: [The same
report, relaying China News Service; reposted by Record China]
https://recordchina.co.jp/b950951-s6-c20-d0189.html

shanghai-survey-2024
primary · 2025-01-03 · cited by 15 facts: 10 for a figure, 0 for a quote
Building an ideal city for young people's innovation and entrepreneurship: a
survey study of the situation of returnee entrepreneurs in Shanghai
打造青年创新创业的理想之城——上海海归创业者状况调查研究
Think tank of the Western Returned Scholars Association Shanghai (SORSA), 2024
project group
Details from China News Service (Shanghai), Fan Yubin, 2025-01-03: [Report of
the survey study's release]
(no address recorded)
"""


def test_sources_stacked_at_80_columns_is_exact(run: RunCli) -> None:
    result = run("sources")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == SOURCES_80


def test_the_wide_sources_table_shows_the_reports_and_the_counts(run: RunCli) -> None:
    # a table only where an address fits on one line of its column; stacked below that
    assert run("sources", columns=127).stdout.startswith("china-minutes-2025\nsecondary · ")
    lines = run("sources", columns=128).stdout.splitlines()
    assert lines[0].split() == ["ID", "Document", "Date", "Kind", "Facts", "Figures", "Quotes"]
    rows = {line.split()[0]: line.split()[-5:] for line in lines[2:] if line[:1].strip()}
    assert rows == {
        "china-minutes-2025": ["2025-04-01", "secondary", "39", "0", "36"],
        "beijing-blue-book-2025": ["2025-03-30", "primary", "11", "7", "0"],
        "shanghai-survey-2024": ["2025-01-03", "primary", "15", "10", "0"],
    }
    cells = [line[25:].split("  ")[0].strip() for line in lines[2:]]
    for shown in (
        "https://spc.jst.go.jp/news/250401/topic_5_02.html",
        "https://recordchina.co.jp/b950951-s6-c20-d0189.html",
        "(no address recorded)",
    ):
        assert shown in cells
    text = " ".join(" ".join(cells).split())
    assert "Details from JST Science Portal China, 2025-04-01: [News report of the Blue" in text
    assert "Details from China News Service (Shanghai), Fan Yubin, 2025-01-03" in text
    assert SHANGHAI_TITLE_ZH in "".join(cells)  # folded to the column, in two lines


@pytest.mark.parametrize("args", [["sources"], ["show", "beijing-sector-education"]])
def test_sources_fit_40_columns(run: RunCli, args: list[str]) -> None:
    out = run(*args, columns=40).stdout
    assert all(len(line) <= 40 for line in out.splitlines())
    words = {word.strip(",;:()[]") for word in out.split()}
    for word in ("Details", "JST", "Science", "Portal", "Japanese", "edition", "2025-04-01"):
        assert word in words, word  # wrapped between words, never inside one


def test_show_names_the_reports_under_the_source(run: RunCli) -> None:
    out = run("show", "shanghai-women-share").stdout
    lines = out.splitlines()
    source = lines.index(next(line for line in lines if line.startswith("Source ")))
    reported = lines.index(next(line for line in lines if line.startswith("Reported in ")))
    rows = [line.strip() for line in lines[source:reported]]
    assert rows[-2:] == [
        SHANGHAI_TITLE_ZH,
        "Details from: China News Service (Shanghai), Fan Yubin, 2025-01-03",
    ]
    # the article describes itself: nothing under it
    assert lines[reported + 1 :][0].startswith("             2025-04-01, secondary source)")
    assert lines[reported + 2].startswith("Quote")
    blue_book = " ".join(run("show", "beijing-sector-education").stdout.split())
    assert (
        "2025-03-30, primary source) Details from: JST Science Portal China, 2025-04-01; "
        "People's Daily Online, Japanese edition, 2025-04-01 Reported in"
    ) in blue_book


def test_text_from_a_report_is_never_markup_or_escapes(run: RunCli, in_tmp: Path) -> None:
    hostile = PACK.replace(
        'title: "[Programme of the forum]"', 'title: "[bold red]Programme[/] \\e[31mred"'
    ).replace("publisher: Example News", 'publisher: "News \\e]8;;https://evil.example\\a"')
    _write(in_tmp / "pack", hostile)
    for args in (["sources"], ["show", "talk-statement"]):
        result = run("--no-builtin", "--facts", "pack", *args, env={"FORCE_COLOR": "1"})
        assert result.exit_code == 0, result.stderr
        assert "\x1b]8" not in result.stdout  # no link escape reaches the terminal: shown instead
        assert "\\x1b]8;;https://evil.example\\x07" in " ".join(result.stdout.split())
        plain = run("--no-builtin", "--facts", "pack", *args).stdout
        assert "\x1b" not in plain
    shown = run("--no-builtin", "--facts", "pack", "sources").stdout
    assert "[bold red]Programme[/] \\x1b[31mred" in shown
