"""The README shows real output and the real set-up commands; docs/cli.md is the app's own."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from tools.readme_examples import BLOCKS, block_pattern

from .conftest import REPO, RunCli

README = (REPO / "README.md").read_text(encoding="utf-8")
CLI_REFERENCE = REPO / "docs" / "cli.md"
REGENERATE = [
    sys.executable,
    "-m",
    "typer",
    "returnee_cli.cli",
    "utils",
    "docs",
    "--name",
    "returnees",
    "--title",
    "returnees command reference",
]


def console_blocks() -> list[tuple[list[str], str]]:
    blocks = re.findall(r"```console\n\$ returnees ([^\n]*)\n(.*?)```", README, flags=re.S)
    return [(command.split(), output) for command, output in blocks]


@pytest.mark.parametrize(("args", "shown"), console_blocks())
def test_readme_examples_are_what_the_command_prints(
    run: RunCli, args: list[str], shown: str
) -> None:
    assert run(*args).stdout == shown


def test_readme_shows_every_command() -> None:
    shown = [args[0] for args, _ in console_blocks()]
    for command in (
        "cities",
        "city",
        "sectors",
        "industries",
        "entrepreneurs",
        "reasons",
        "topics",
        "facts",
        "show",
        "sources",
        "cite",
        "compare",
        "source",
    ):
        assert command in shown, command
    assert "returnees export --format sqlite" in README


def test_ci_runs_the_readme_test_command() -> None:
    commands = re.findall(r"```sh\n(python3 -m venv[^\n]*)\n```", README)
    assert len(commands) == 2
    assert commands[0].endswith("returnees sectors --city beijing")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci


def test_cli_reference_is_generated_from_the_app_and_up_to_date() -> None:
    result = subprocess.run(
        REGENERATE,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={"COLUMNS": "100", "NO_COLOR": "1", "PATH": ""},
    )
    assert result.returncode == 0, result.stderr
    assert CLI_REFERENCE.read_text(encoding="utf-8") == result.stdout.rstrip("\n") + "\n", (
        "docs/cli.md is out of date: run "
        "python -m typer returnee_cli.cli utils docs --name returnees "
        "--title 'returnees command reference' --output docs/cli.md"
    )


@pytest.mark.parametrize("name", list(BLOCKS))
def test_readme_reference_tables_are_made_from_the_declarations(name: str) -> None:
    found = block_pattern(name).search(README)
    assert found is not None, f"README has no {name} block"
    assert found.group(2) == BLOCKS[name]() + "\n", (
        f"the README's {name} table is out of date: run python tools/readme_examples.py"
    )


def test_code_layout_names_every_module() -> None:
    layout = README[README.index("## Code layout") :]
    modules = sorted(p.name for p in (REPO / "src" / "returnee_cli").glob("*.py"))
    missing = [m for m in modules if m not in ("__init__.py", "__main__.py") and m not in layout]
    assert not missing, f"add to the README's code layout: {missing}"


def test_readme_explains_every_key_of_a_fact_record() -> None:
    from returnee_cli.records import FACT_KEYS

    explained = README[README.index("| key | meaning |") :].split("\n\n")[0]
    missing = [key for key in FACT_KEYS if f"`{key}`" not in explained]
    assert not missing, f"add to the README's key table: {missing}"


def test_no_help_text_calls_a_list_ranked() -> None:
    """Only a fact's `list_kind` may say a list is ranked: no command's help presumes it."""
    from returnee_cli.surface import COMMANDS

    for name, command in COMMANDS.items():
        assert "ranked" not in command.help.casefold(), name
    assert "as ranked lists" not in README


def test_every_recipe_runs_and_prints_what_docs_recipes_shows() -> None:
    from tools.recipes import RECIPES, rendered

    text = RECIPES.read_text(encoding="utf-8")
    now, runs = rendered(text)
    assert len(runs) >= 5
    assert [run.command for run in runs if run.exit_code != 0] == []
    assert now == text, "docs/recipes.md is out of date: run python tools/recipes.py"
