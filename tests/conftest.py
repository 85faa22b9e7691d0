from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from returnee_cli.cli import app
from returnee_cli.fastpath import answer
from returnee_cli.paths import builtin_facts_dir

REPO = Path(__file__).resolve().parents[1]

# The same examples on every run: CI never turns red on a draw the last run did not make (a
# property's failures still show at once, on every machine, and stay until they are fixed).
settings.register_profile("returnees", derandomize=True, deadline=None)
settings.load_profile("returnees")
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


def fast_path(argv: list[str]) -> Run | None:
    """The fast path's answer, in this process, or None where it leaves the call to Typer."""
    out, err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = answer(argv)
    if code is None:
        return None
    out.flush()
    stdout = out.buffer.getvalue().decode("utf-8")
    return Run(code, stdout, err.getvalue())


def typer_path(argv: list[str], environ: dict[str, str]) -> Run:
    result = CliRunner().invoke(app, argv, env=environ)
    return Run(result.exit_code, result.stdout, result.stderr)


def _invoker(monkeypatch: pytest.MonkeyPatch, *, fast: bool) -> RunCli:
    monkeypatch.delenv("RETURNEES_FACTS", raising=False)
    monkeypatch.delenv("RETURNEES_NO_FASTPATH", raising=False)

    def invoke(*args: str, columns: int = 80, env: dict[str, str] | None = None) -> Run:
        environ = {"NO_COLOR": "1", "COLUMNS": str(columns), **(env or {})}
        if fast:
            with monkeypatch.context() as scoped:
                for name, value in environ.items():
                    scoped.setenv(name, value)
                answered = fast_path(list(args))
            if answered is not None:
                return answered
        return typer_path(list(args), environ)

    return invoke


@pytest.fixture(params=["fastpath", "typer"])
def run(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> RunCli:
    """Drive the real CLI with a pinned, colourless 80-column terminal, once as `returnees` does
    (the fast path, else the Typer app) and once through the Typer app alone
    (RETURNEES_NO_FASTPATH=1): every CLI test holds both paths to the same answer."""
    return _invoker(monkeypatch, fast=request.param == "fastpath")


@pytest.fixture
def run_typer(monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """The Typer app alone, for holding the fast path to it."""
    return _invoker(monkeypatch, fast=False)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A pinned, colourless 80-column terminal in a folder of the test's own, for tests that call
    the fast path and the Typer app themselves."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("RETURNEES_FACTS", raising=False)
    monkeypatch.delenv("RETURNEES_NO_FASTPATH", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def article_body() -> str:
    """The stored article, without the attribution lines at its top."""
    lines = ARTICLE.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("#"))


def generated_pack(out: Path, facts: int) -> Path:
    """A synthetic pack of `facts` facts (benchmarks/generate.py: 50 cities, 12 topics, sources
    bench-source-0 to 5, 1,000 facts a file) written into `out`; its folder of fact files."""
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "generate.py"), "--facts", str(facts)]
        + ["--out", str(out)],
        check=True,
        capture_output=True,
    )
    return out / "pack"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of this test's own, for the CLI and for the library."""
    where = tmp_path / "cache"
    monkeypatch.setenv("RETURNEES_CACHE_DIR", str(where))
    return where
