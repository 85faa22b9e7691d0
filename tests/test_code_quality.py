"""ruff (lint and format) and mypy --strict (package and tests) run with the tests; the layers
stay apart."""

from __future__ import annotations

import subprocess
import sys

import pytest

from returnee_cli.surface import COMMANDS

from .conftest import REPO
from .test_surface import SAMPLES

LINTED = ["src", "tests", "benchmarks", "tools"]


def test_ruff_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", *LINTED], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_applied() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--diff", *LINTED],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, "run: ruff format src tests benchmarks tools\n" + result.stdout


def test_mypy_strict_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_loading_and_queries_import_neither_typer_nor_rich() -> None:
    code = (
        "import sys, returnee_cli.loading, returnee_cli.queries, returnee_cli.records; "
        "print(sorted(m for m in ('typer', 'rich') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]"


def test_the_json_path_does_not_import_rich() -> None:
    code = (
        "import sys\nfrom returnee_cli.cli import main\n"
        "sys.argv = ['returnees', 'sectors', '--city', 'beijing', '--json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('rich' in sys.modules, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert '"value": 20.84' in result.stdout
    assert result.stderr.strip() == "False", result.stderr


JSON_CALLS = [
    [name, *(SAMPLES[p.dest] or "" for p in command.params if p.required), "--json"]
    for name, command in COMMANDS.items()
    if any(p.flags == ("--json",) for p in command.params)
]


@pytest.mark.parametrize("argv", JSON_CALLS, ids=" ".join)
def test_no_json_answer_imports_rich_or_typer(argv: list[str]) -> None:
    """The renderers load on first use (lazy.py): a --json answer of any command never pays for
    rich, the fast path never for Typer, and stdout never for the file writer or sqlite3."""
    code = (
        "import sys\nfrom returnee_cli.main import main\n"
        f"sys.argv = ['returnees', *{argv!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('rich', 'typer', 'sqlite3', 'tempfile') if m in sys.modules), "
        "file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.lstrip().startswith(("[", "{")), result.stdout
    assert result.stderr.strip().splitlines()[-1] == "[]", result.stderr
