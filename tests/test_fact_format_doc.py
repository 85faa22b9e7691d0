"""docs/fact-format.md: its worked example is loaded, its commands print what it shows, and its
key tables are the format's own declaration."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from returnee_cli import lexicon
from returnee_cli.fields import (
    CITY_FIELDS,
    DERIVE_FIELDS,
    FACT_FIELDS,
    SOURCE_FIELDS,
    FieldSpec,
)

from .conftest import REPO, RunCli

DOC = (REPO / "docs" / "fact-format.md").read_text(encoding="utf-8")


def example_files() -> dict[str, str]:
    """The blocks marked ```yaml file=PATH (or text), as PATH -> content."""
    return dict(re.findall(r"```(?:yaml|text) file=(\S+)\n(.*?)```", DOC, flags=re.S))


def console_blocks() -> list[tuple[list[str], str]]:
    blocks = re.findall(r"```console\n\$ returnees ([^\n]*)\n(.*?)```", DOC, flags=re.S)
    return [(shlex.split(command), shown) for command, shown in blocks]


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, content in example_files().items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_doc_has_the_example() -> None:
    assert set(example_files()) == {
        "my-facts/example-talk-2025.txt",
        "my-facts/example-talk.yaml",
        "draft.yaml",
    }
    assert len(console_blocks()) == 6


@pytest.mark.parametrize(
    ("args", "shown"), console_blocks(), ids=[" ".join(args) for args, _ in console_blocks()]
)
def test_each_command_prints_what_the_doc_shows(
    run: RunCli, example: Path, args: list[str], shown: str
) -> None:
    assert run(*args).stdout == shown


def test_the_example_pack_sits_beside_the_builtin_facts(run: RunCli, example: Path) -> None:
    result = run("--facts", "my-facts", "validate")
    assert (result.exit_code, result.stdout) == (
        0,
        "valid: 7 files, 50 facts, 4 sources, 8 cities\n",
    )
    count = run("--facts", "my-facts", "show", "example-city-manufacturing-count", "--json")
    # 41.45% to 41.55% of 200 is 82.9 to 83.1 people: exactly 83
    record = count.json()
    assert (record["value"], record["formula"], record["qualifier"]) == (83, "41.5% × 200", "exact")


@pytest.mark.parametrize(
    ("title", "specs"),
    [
        ("sources", SOURCE_FIELDS),
        ("cities", CITY_FIELDS),
        ("facts", FACT_FIELDS),
        ("derive", DERIVE_FIELDS),
    ],
)
def test_key_tables_are_the_field_declarations(title: str, specs: tuple[FieldSpec, ...]) -> None:
    table = DOC.split(f"### `{title}`\n\n", 1)[1].split("\n\n", 1)[0]
    rows = [f"| `{s.name}` | {'yes' if s.required else ''} | {s.help} |" for s in specs]
    assert table.splitlines()[2:] == rows


def test_the_bounds_table_is_the_lexicon() -> None:
    """Each qualifier's row names exactly the words the loader reads as that qualifier."""
    table = DOC.split("| qualifier | the quote says |", 1)[1].split("\n\n", 1)[0]
    rows = {row.split("|")[1].strip(" `"): row for row in table.splitlines()[2:]}
    assert list(rows) == list(lexicon.QUALIFIERS)
    for qualifier, phrases in lexicon.WORDING.items():
        said = rows[qualifier].split("|")[2].strip()
        assert said == ", ".join(phrases), qualifier
        assert f"`{lexicon.SYMBOL[qualifier]}" in rows[qualifier].split("|")[3]
