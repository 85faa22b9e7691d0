"""The README shows real output and the real set-up commands."""

from __future__ import annotations

import re

import pytest

from .conftest import REPO, RunCli

README = (REPO / "README.md").read_text(encoding="utf-8")


def console_blocks() -> list[tuple[list[str], str]]:
    blocks = re.findall(r"```console\n\$ returnees ([^\n]*)\n(.*?)```", README, flags=re.S)
    return [(command.split(), output) for command, output in blocks]


@pytest.mark.parametrize(("args", "shown"), console_blocks())
def test_readme_examples_are_what_the_command_prints(run: RunCli, args: list[str],
                                                     shown: str) -> None:
    assert run(*args).stdout == shown


def test_readme_has_the_examples() -> None:
    assert len(console_blocks()) >= 2


def test_ci_runs_the_readme_test_command() -> None:
    commands = re.findall(r"```sh\n(python3 -m venv[^\n]*)\n```", README)
    assert len(commands) == 2
    assert commands[0].endswith("returnees sectors --city beijing")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci
