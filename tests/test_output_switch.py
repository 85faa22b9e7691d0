"""The one output switch: every command that prints records gives the same records in every
format, to stdout or to a file, and refuses what a format cannot do, in one clear line."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from returnee_cli.surface import COMMANDS, Param

from .conftest import RunCli
from .test_surface import SAMPLES


def _call(name: str) -> list[str]:
    return [name, *(SAMPLES[p.dest] or "" for p in COMMANDS[name].params if p.required)]


def _formats(name: str) -> list[str]:
    declared = next(p for p in COMMANDS[name].params if p.dest == "format")
    return [f for f in ("table", "json", "jsonl", "csv", "yaml", "sqlite") if _takes(declared, f)]


def _takes(param: Param, value: str) -> bool:
    try:
        param.convert(value)
    except ValueError:
        return False
    return True


RECORD_COMMANDS = [
    name for name, c in COMMANDS.items() if any(p.dest == "format" for p in c.params)
]


@pytest.mark.parametrize("name", RECORD_COMMANDS)
def test_every_format_carries_the_same_records(run: RunCli, name: str) -> None:
    as_json = run(*_call(name), "--json")
    assert as_json.exit_code == 0, as_json.stderr
    records = as_json.json()
    rows = records if isinstance(records, list) else [records]
    assert rows, "the built-in facts answer every command"
    formats = _formats(name)
    if "yaml" in formats and name != "export":  # export's yaml is a fact pack: tests/test_packs.py
        assert yaml.safe_load(run(*_call(name), "--format", "yaml").stdout) == records
    if "jsonl" in formats:
        lines = run(*_call(name), "--format", "jsonl").stdout.splitlines()
        assert [json.loads(line) for line in lines] == rows
    if "csv" in formats:
        table = list(csv.DictReader(io.StringIO(run(*_call(name), "--format", "csv").stdout)))
        assert [list(row) for row in table] == [list(rows[0])] * len(rows)
        assert [row[next(iter(rows[0]))] for row in table] == [
            str(r[next(iter(rows[0]))]) for r in rows
        ]


@pytest.mark.parametrize("name", RECORD_COMMANDS)
def test_every_format_writes_to_a_file_what_it_prints(
    run: RunCli, name: str, tmp_path: Path
) -> None:
    for chosen in _formats(name):
        if chosen == "sqlite":
            continue
        target = tmp_path / f"out.{chosen}"
        written = run(*_call(name), "--format", chosen, "-o", str(target))
        assert written.exit_code == 0, written.stderr
        assert written.stdout == ""
        # cite's text is no table but citations in its style (plain, by default)
        said = "plain text" if (name, chosen) == ("cite", "table") else chosen
        assert f"to {target} ({said})" in written.stderr
        printed = run(*_call(name), "--format", chosen).stdout
        written_text = target.read_text(encoding="utf-8")
        if name == "export" and chosen == "yaml":  # a pack in a file names its texts beside it
            text_line = "  text: china-minutes-2025-04-01.txt\n"
            assert text_line in written_text and text_line not in printed
            written_text = written_text.replace(text_line, "")
        assert written_text == printed
        again = run(*_call(name), "--format", chosen, "-o", str(target))
        assert again.exit_code == 2
        assert again.stderr == f"returnees: -o: {target} exists; add --force to replace it\n"
        assert run(*_call(name), "--format", chosen, "-o", str(target), "--force").exit_code == 0
    # export's pack has the stored text of its source copied beside it (tests/test_packs.py)
    copied = ["china-minutes-2025-04-01.txt"] if name == "export" else []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"out.{f}" for f in _formats(name) if f != "sqlite"] + copied
    ), "no temporary file is left behind"


@pytest.mark.parametrize("name", [n for n in RECORD_COMMANDS if "sqlite" in _formats(n)])
def test_sqlite_holds_the_facts_the_command_selects(run: RunCli, name: str, tmp_path: Path) -> None:
    database = tmp_path / "facts.db"
    result = run(*_call(name), "--format", "sqlite", "-o", str(database))
    assert result.exit_code == 0, result.stderr
    ids = [record["id"] for record in _rows(run(*_call(name), "--json").json())]
    with sqlite3.connect(database) as connection:
        stored = [row[0] for row in connection.execute("SELECT id FROM facts ORDER BY rowid")]
    assert stored == ids
    assert run(*_call(name), "--format", "sqlite").stderr == (
        "returnees: --format sqlite writes a database file: add -o FILE\n"
    )


def _rows(records: Any) -> list[Any]:
    return records if isinstance(records, list) else [records]


@pytest.mark.parametrize("name", [n for n in RECORD_COMMANDS if "sqlite" not in _formats(n)])
def test_sqlite_is_refused_where_the_records_are_not_facts(run: RunCli, name: str) -> None:
    result = run(*_call(name), "--format", "sqlite", "-o", "x.db")
    assert result.exit_code == 2 and result.stdout == ""
    assert "'sqlite' is not one of table, json, jsonl, csv, yaml" in result.stderr


def test_fields_are_refused_for_a_table_with_a_hint(run: RunCli) -> None:
    result = run("facts", "--fields", "id")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "returnees: --fields picks the keys of json, jsonl, csv and yaml output, not of a "
        "table; add --json or --format csv\n"
    )
    picked = run("facts", "--format", "yaml", "--fields", "id,value", "--limit", "1")
    assert yaml.safe_load(picked.stdout) == [
        {"id": "beijing-sector-science-technology", "value": 20.84}
    ]


def test_no_output_lands_on_a_fact_file(run: RunCli, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    fact_file = pack / "mine.yaml"
    fact_file.write_text("facts: []\n", encoding="utf-8")
    before = fact_file.read_bytes()
    for extra in (["--svg", str(fact_file)], ["-o", str(fact_file)], ["-o", str(pack / "x.yml")]):
        result = run("--facts", str(pack), "sources", *extra, "--force")
        assert result.exit_code == 2, extra
        assert "is being read (a fact file or a source's stored text); choose another file" in (
            result.stderr
        )
    assert fact_file.read_bytes() == before
    assert sorted(p.name for p in pack.iterdir()) == ["mine.yaml"]


def test_no_output_lands_on_a_stored_text_either(run: RunCli, tmp_path: Path) -> None:
    """Written over, the text a pack's quotes are checked against would vouch for anything."""
    pack = tmp_path / "pack"
    pack.mkdir()
    assert (
        run(
            "export", "--city", "shanghai", "--format", "yaml", "-o", str(pack / "shanghai.yaml")
        ).exit_code
        == 0
    )
    text = pack / "china-minutes-2025-04-01.txt"
    before = text.read_bytes()
    for argv in (
        ["export", "--format", "yaml", "-o", str(text)],
        ["facts", "--format", "csv", "-o", str(text)],
        ["cite", "--style", "markdown", "-o", str(text)],
        ["sectors", "--svg", str(text)],
    ):
        result = run("--no-builtin", "--facts", str(pack), *argv, "--force")
        assert result.exit_code == 2, (argv, result.stderr)
        assert f"{text} is being read (a fact file or a source's stored text)" in result.stderr
    assert text.read_bytes() == before


def test_a_symlink_target_is_replaced_never_written_through(run: RunCli, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    link = tmp_path / "out.json"
    link.symlink_to(victim)
    refused = run("sources", "--json", "-o", str(link))
    assert refused.exit_code == 2 and "exists; add --force" in refused.stderr
    assert run("sources", "--json", "-o", str(link), "--force").exit_code == 0
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    assert not link.is_symlink() and json.loads(link.read_text(encoding="utf-8"))


def test_a_folder_or_a_fifo_is_never_an_output(run: RunCli, tmp_path: Path) -> None:
    folder = run("sources", "--json", "-o", str(tmp_path), "--force")
    assert folder.exit_code == 2 and "is a folder; give a file name" in folder.stderr
    fifo = tmp_path / "pipe"
    import os

    os.mkfifo(fifo)
    refused = run("sources", "--json", "-o", str(fifo), "--force")
    assert refused.exit_code == 2
    assert refused.stderr == f"returnees: -o: {fifo} is not a regular file; choose a file name\n"


@pytest.mark.parametrize("chosen", ["table", "json", "csv"])
def test_a_view_is_drawn_only_when_a_table_is_shown(
    chosen: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Drawing is the dear part of a table: once for a table, never for data."""
    from returnee_cli.emit import Result, emit
    from returnee_cli.formats import Format, OutputRequest

    drawn: list[int] = []

    def view(rows: Sequence[Any]) -> str:
        drawn.append(len(rows))
        return "a table\n"

    emit(OutputRequest(Format(chosen)), Result([{"id": "a"}, {"id": "b"}], ["id"], view))
    assert drawn == ([2] if chosen == "table" else [])
    assert (
        capsys.readouterr().out
        == {
            "table": "a table\n",
            "json": '[\n  {\n    "id": "a"\n  },\n  {\n    "id": "b"\n  }\n]\n',
            "csv": "id\na\nb\n",
        }[chosen]
    )


@pytest.mark.parametrize(
    ("name", "suffix", "written"),
    [
        ("export", ".db", "sqlite"),
        ("facts", ".csv", "csv"),
        ("facts", ".jsonl", "jsonl"),
        ("sources", ".yml", "yaml"),
        ("export", ".txt", "json"),  # no table for export: its own default, named in the note
        ("facts", ".out", "table"),  # an extension no format has: the command's default
    ],
)
def test_the_output_files_extension_picks_its_format(
    run: RunCli, tmp_path: Path, name: str, suffix: str, written: str
) -> None:
    target = tmp_path / f"out{suffix}"
    result = run(name, "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith(f"to {target} ({written})\n")
    if written == "sqlite":
        assert target.read_bytes().startswith(b"SQLite format 3\x00")


def test_format_or_json_beats_the_extension(run: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    assert run("facts", "--json", "-o", str(target)).stderr.endswith("(json)\n")
    assert json.loads(target.read_text(encoding="utf-8"))
    again = run("facts", "--format", "table", "-o", str(target), "--force")
    assert again.stderr.endswith("(table)\n")


def test_csv_never_hands_a_spreadsheet_a_formula(run: RunCli, tmp_path: Path) -> None:
    from .test_loading import GOOD_FACT, HEADER

    pack = tmp_path / "pack.yaml"
    body = GOOD_FACT.replace("label: A share", 'label: "=HYPERLINK(\\"http://x.example\\")"')
    body += (
        GOOD_FACT.replace("wuhan-share", "wuhan-list")
        .replace(
            "    value: 12.5\n    unit: percent\n",
            "    items: [a|b, '@c', d\\e]\n    list_kind: complete\n",
        )
        .replace("label: A share", "label: '-2+3'")
        .replace(
            "quote: In Wuhan, 12.5% work in this sector.", "quote: 'In Wuhan, a|b, @c and d\\e.'"
        )
    )
    pack.write_text(HEADER + body, encoding="utf-8")
    argv = ["--no-builtin", "--facts", str(pack), "facts", "--format", "csv"]
    rows = list(csv.DictReader(io.StringIO(run(*argv, "--fields", "label,value,items").stdout)))
    assert rows[0] == {"label": '\'=HYPERLINK("http://x.example")', "value": "12.5", "items": ""}
    assert rows[1]["label"] == "'-2+3"
    # a separator or backslash inside an item is escaped: split on an unescaped | to get it back
    assert rows[1]["items"] == "a\\|b|@c|d\\\\e"
    raw = list(csv.DictReader(io.StringIO(run(*argv, "--raw-csv").stdout)))
    assert raw[0]["label"] == '=HYPERLINK("http://x.example")' and raw[1]["label"] == "-2+3"
    as_json = run("--no-builtin", "--facts", str(pack), "facts", "--json").json()
    assert as_json[0]["label"] == '=HYPERLINK("http://x.example")'  # JSON is the data as it is


# --- two runs at once -------------------------------------------------------------------------

RIVALS = [["--fields", "id"], ["--fields", "id,value"], ["--fields", "id,qualifier,value"]]


def _at_once(target: Path, force: bool) -> list[tuple[int, str, str]]:
    """Six real processes writing the same target, started together: whatever the order the
    system runs them in, each either wrote its whole output or was refused."""
    import subprocess

    from .test_installed import returnees

    env = {k: v for k, v in os.environ.items() if not k.startswith("RETURNEES_FACTS")}
    processes = [
        (
            fields[1],
            subprocess.Popen(
                [returnees(), "export", "--format", "csv", *fields, "-o", str(target)]
                + (["--force"] if force else []),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            ),
        )
        for fields in RIVALS * 2
    ]
    done = []
    for fields, process in processes:
        out, err = process.communicate(timeout=60)
        done.append((process.returncode, fields, err))
    return done


def test_two_runs_writing_one_target_at_once_leave_one_whole_output(tmp_path: Path) -> None:
    import subprocess

    from .test_installed import returnees

    expected = {
        fields[1]: subprocess.run(
            [returnees(), "export", "--format", "csv", *fields],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for fields in RIVALS
    }
    forced = tmp_path / "forced.csv"
    results = _at_once(forced, force=True)
    assert [code for code, _, _ in results] == [0] * 6, results
    assert forced.read_text(encoding="utf-8") in expected.values()  # one whole output, not a mix

    kept = tmp_path / "kept.csv"
    results = _at_once(kept, force=False)
    winners = [fields for code, fields, _ in results if code == 0]
    assert len(winners) == 1, results  # the first to link its file; the others see it taken
    assert kept.read_text(encoding="utf-8") == expected[winners[0]]
    for code, _, err in results:
        assert code == 0 or (code == 2 and "exists; add --force to replace it" in err), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forced.csv", "kept.csv"]  # no leftover
