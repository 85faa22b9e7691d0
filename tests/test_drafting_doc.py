"""docs/drafting.md is true: its files are written and its commands run, in its order, in an
empty folder, and each prints what the page shows."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from .conftest import REPO, RunCli

DOC = REPO / "docs" / "drafting.md"
BLOCK = re.compile(r"^```(\w+)(?: (file|draft)=(\S+))?\n(.*?)\n```$", re.MULTILINE | re.DOTALL)


def test_the_walk_through_prints_what_it_shows(
    run: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    ran = 0
    for kind, role, name, body in BLOCK.findall(DOC.read_text(encoding="utf-8")):
        if role == "file":
            (tmp_path / name).write_text(body + "\n", encoding="utf-8")
        elif role == "draft":  # the start of a file a command wrote
            assert (tmp_path / name).read_text(encoding="utf-8").startswith(body + "\n")
        elif kind == "console":
            for command in re.split(r"^\$ ", body, flags=re.MULTILINE)[1:]:
                line, _, shown = command.partition("\n")
                argv = shlex.split(line)
                assert argv[0] == "returnees"
                result = run(*argv[1:])
                assert (result.stdout + result.stderr).rstrip("\n") == shown, line
                ran += 1
    assert ran == 5


def test_the_readme_links_the_walk_through() -> None:
    assert "(docs/drafting.md)" in (REPO / "README.md").read_text(encoding="utf-8")
