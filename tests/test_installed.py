"""The installed `returnees` command, in a subprocess, from a folder outside the project."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def returnees() -> str:
    beside = Path(sys.executable).with_name("returnees")
    found = str(beside) if beside.exists() else shutil.which("returnees")
    if found is None:
        pytest.fail("the `returnees` command is not installed: pip install -e '.[test]'")
    return found


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RETURNEES_FACTS", "FORCE_COLOR")}
    return subprocess.run(
        [returnees(), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**env, "COLUMNS": "80"},
        timeout=60,
        encoding="utf-8",
    )


def test_main_job_from_another_folder(tmp_path: Path) -> None:
    table = run("sectors", "--city", "beijing", cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "20.84%" in table.stdout and "\x1b" not in table.stdout
    result = run("sectors", "--city", "beijing", "--json", cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    values = [r["value"] for r in json.loads(result.stdout) if not r["derived"]]
    assert values == [20.84, 19.5, 17.8, 13.2]


def test_python_dash_m_works_the_same(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "returnee_cli", "show", "shanghai-education", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        encoding="utf-8",
    )
    assert result.returncode == 0
    assert json.loads(result.stdout)["qualifier"] == "more_than"


def test_bad_city_in_a_real_process(tmp_path: Path) -> None:
    result = run("sectors", "--city", "atlantis", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("returnees: unknown city `atlantis`")
    assert "Traceback" not in result.stderr


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    producer = subprocess.Popen(
        [returnees(), "facts", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    assert producer.stdout is not None and producer.stderr is not None
    producer.stdout.read(10)
    producer.stdout.close()
    producer.wait(timeout=60)
    assert producer.stderr.read() == b""
    assert producer.returncode == 0


def test_the_licence_is_in_the_package_metadata_and_names_what_it_does_not_cover() -> None:
    from importlib.metadata import metadata

    meta = metadata("returnee-cli")
    assert meta["License-Expression"] == "MIT"
    licence = (Path(__file__).resolve().parents[1] / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License")
    assert "does not cover the text in\nfacts/sources/" in licence
