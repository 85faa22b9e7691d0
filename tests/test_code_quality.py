"""ruff (lint and format) and mypy --strict (package and tests) run with the tests; the layers
stay apart."""

from __future__ import annotations

import subprocess
import sys

from .conftest import REPO

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
