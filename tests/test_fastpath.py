"""The fast path answers the plain calls exactly as the Typer app does, and leaves every other
call to it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import RunCli, fast_path

ANSWERED = [
    ["sectors", "--city", "beijing", "--json"],
    ["sectors", "--json", "--format", "csv"],
    ["sectors", "--format", "table", "--json", "--fields", "id"],
    ["city", "nationwide"],
    ["city", "全国", "--format", "csv"],
    ["sectors", "-c", "Beijing", "--format", "JSONL"],
    ["sectors"],
    ["facts", "--city=shanghai", "--topic", "women", "--format", "csv", "--fields", "id,value"],
    ["facts", "--search", "blue book", "--json"],
    ["facts", "-q", "reuniting", "-t", "reasons", "-s", "beijing-blue-book-2025"],
    ["--no-cache", "facts", "--json", "-n", "3"],
    ["show", "shanghai-education", "--json"],
    ["show", "shanghai-decision-factors"],
    ["city", "上海", "--json"],
    ["city", "hangzhou"],
    ["cities", "--format", "jsonl"],
    ["cities"],
    ["topics", "--json"],
    ["sources", "--format", "csv"],
    ["industries", "--json", "--limit", "2"],
    ["reasons"],
    ["entrepreneurs", "--format", "csv", "--fields", "value,qualifier"],
    # errors and empty answers: the same message, the same exit code
    ["sectors", "--city", "bejing"],
    ["show", "nope", "--json"],
    ["facts", "--topic", "sector"],
    ["facts", "--json", "--fields", "id,vaule"],
    ["facts", "--city", ""],
    ["entrepreneurs", "--city", "beijing", "--json"],
    ["industries", "--city", "changsha", "--format", "csv"],
    ["--facts", "no-such-pack.yaml", "facts"],
    ["sectors", "--limit", "+3"],
    ["export", "--format", "csv", "--city", "shanghai"],
    ["validate"],
    ["validate", "--json"],
    ["schema"],
    ["cite", "shanghai-education", "--style", "markdown"],
    ["cite", "shanghai-education"],
]

LEFT_TO_TYPER = [
    [],
    ["sectors", "--city", "beijing", "--help"],  # `--help` alone is printed here: test_help.py
    ["--version"],
    ["sectors", "--cty", "x"],
    ["sectors", "--limit", "-1"],
    ["sectors", "--format", "xml"],
    ["sectors", "--json", "--json"],
    ["sectors", "beijing"],
    ["sectors", "--json=yes"],
    ["sectors", "-cbeijing"],
    ["show"],
    ["show", "a", "b"],
    ["nope"],
    ["--facts"],
    ["--unknown", "facts"],
    ["facts", "--", "x"],
    ["sectors", "--city"],
]


@pytest.mark.parametrize("argv", ANSWERED, ids=" ".join)
def test_the_fast_path_answers_as_typer_does(
    terminal: Path, run_typer: RunCli, argv: list[str]
) -> None:
    answered = fast_path(argv)
    assert answered is not None, "the fast path should answer this call"
    assert answered == run_typer(*argv)


@pytest.mark.parametrize("argv", LEFT_TO_TYPER, ids=" ".join)
def test_everything_else_is_left_to_typer(terminal: Path, argv: list[str]) -> None:
    assert fast_path(argv) is None


def test_it_can_be_switched_off(terminal: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETURNEES_NO_FASTPATH", "1")
    assert fast_path(["sectors", "--json"]) is None


def test_the_fast_path_imports_neither_typer_nor_yaml_nor_rich() -> None:
    code = (
        "import sys\nfrom returnee_cli.fastpath import answer\n"
        "answer(['sectors', '--city', 'beijing', '--json'])\n"
        "print(sorted(m for m in ('typer', 'yaml', 'rich') if m in sys.modules), "
        "file=sys.stderr)"
    )
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)  # warm cache
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert '"value": 20.84' in result.stdout
    assert result.stderr.strip() == "[]", result.stderr
