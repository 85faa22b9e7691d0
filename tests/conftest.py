from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from returnee_cli.cli import app
from returnee_cli.paths import builtin_facts_dir

REPO = Path(__file__).resolve().parents[1]
ARTICLE = builtin_facts_dir() / "sources" / "china-minutes-2025-04-01.txt"


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


RunCli = Callable[..., Run]


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every test, and every process a test starts, caches in a folder of the test run's own,
    never in the user's cache."""
    os.environ["RETURNEES_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """Drive the real CLI with a pinned, colourless 80-column terminal."""
    monkeypatch.delenv("RETURNEES_FACTS", raising=False)

    def invoke(*args: str, columns: int = 80, env: dict[str, str] | None = None) -> Run:
        runner = CliRunner()
        result = runner.invoke(app, list(args), env={"NO_COLOR": "1", "COLUMNS": str(columns),
                                                     **(env or {})})
        return Run(result.exit_code, result.stdout, result.stderr)

    return invoke


def article_body() -> str:
    """The stored article, without the attribution lines at its top."""
    lines = ARTICLE.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("#"))
