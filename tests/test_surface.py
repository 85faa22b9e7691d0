"""One command surface: the Typer app offers exactly the declared commands and options, and the
fast path answers every declared option as Typer does, or leaves it to Typer.

A new option must get a sample value here (SAMPLES), or test_every_option_has_a_sample fails:
that is what keeps the two parsers held to each other for every option, not just the old ones.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
import typer.main
from hypothesis import given
from hypothesis import strategies as st

from returnee_cli import commands
from returnee_cli.cli import app
from returnee_cli.paths import builtin_facts_dir
from returnee_cli.surface import COMMANDS, Param, cleandoc

from .conftest import RunCli, fast_path

CLICK: Any = typer.main.get_command(app)

# A good value for every option and argument a command declares (None: a flag).
SAMPLES: dict[str, str | None] = {
    "city": "shanghai,北京市",
    "topic": "women",
    "source": "beijing-blue-book-2025",
    "search": "master",
    "qualifier": "more_than",
    "derived": None,
    "unit": "people",
    "format": "csv",
    "json": None,
    "fields": "id",
    "limit": "1",
    "svg": "picture.svg",
    "output": "out.txt",
    "force": None,
    "name": "hangzhou",
    "fact_id": "shanghai-education",
    "fact_ids": "shanghai-education",
    "first": "beijing",
    "second": "shanghai",
    "more": "hangzhou",
    "source_id": "shanghai-survey-2024",
    "style": "markdown",
    "color": "always",
    "raw_csv": None,
    "paths": str(builtin_facts_dir()),
    "action": "info",
    "text_file": str(builtin_facts_dir() / "sources" / "china-minutes-2025-04-01.txt"),
    "lang": "en",
    "pack": "pack",
    "overwrite": None,
    "strict": None,
    "view": "sectors",
    "title": "Beijing at work",
    "subtitle": "Shares",
    "width": "600",
    "byline": "A. Reporter",
    "desc": "Five bars.",
}
# A value each converter refuses: the fast path leaves it to Typer, which explains.
REFUSED = {
    "format": "xml",
    "limit": "-1",
    "svg": ".",
    "output": ".",
    "style": "apa",
    "qualifier": "maybe",
    "color": "sometimes",
    "lang": "fr",
    "width": "100",
}


def _required(command: str) -> list[str]:
    return [SAMPLES[p.dest] or "" for p in COMMANDS[command].params if p.required]


def _calls() -> list[list[str]]:
    calls = []
    for name, command in COMMANDS.items():
        calls.append([name, *_required(name)])
        for param in command.params:
            if param.required:
                continue
            sample = SAMPLES[param.dest]
            given = [param.flags[-1]] if param.flags else []  # the short form where there is one
            calls.append([name, *_required(name), *given, *([sample] if sample else [])])
    return calls


def test_typer_offers_exactly_the_declared_commands() -> None:
    assert list(CLICK.commands) == list(COMMANDS)
    assert all(COMMANDS[name].help for name in COMMANDS), "every command needs help text"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_typer_offers_each_option_as_declared(name: str) -> None:
    offered = {p.name: p for p in CLICK.commands[name].params if p.name != "help"}
    declared = COMMANDS[name].params
    assert list(offered) == [p.dest for p in declared]
    for param in declared:
        click_param = offered[param.dest]
        assert click_param.help == param.help
        assert click_param.required == param.required
        if param.kind == "argument":
            assert click_param.nargs == (-1 if param.many else 1)
            continue
        assert click_param.opts == list(param.flags)
        assert click_param.secondary_opts == list(param.off)
        assert click_param.metavar == param.metavar
        assert click_param.default == (None if param.many else param.default)
        assert click_param.multiple == param.many
        assert click_param.is_flag == (param.kind == "flag")


def test_global_options_are_offered_as_declared() -> None:
    offered = {p.name: p for p in CLICK.params if p.name not in ("help",)}
    for param in commands.GLOBAL_OPTIONS:
        assert offered[param.dest].opts == list(param.flags)
        assert offered[param.dest].help == param.help


def test_every_option_has_a_sample() -> None:
    dests = {p.dest for command in COMMANDS.values() for p in command.params}
    assert dests <= set(SAMPLES), f"add a sample for: {sorted(dests - set(SAMPLES))}"
    converted = {
        p.dest
        for command in COMMANDS.values()
        for p in command.params
        if p.convert is not str and p.kind != "argument"
    }
    assert converted <= set(REFUSED), f"add a refused value for: {sorted(converted - set(REFUSED))}"


@pytest.mark.parametrize("argv", _calls(), ids=" ".join)
def test_both_paths_answer_every_option_alike(
    terminal: Path, run_typer: RunCli, monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    """Each option of each command, in a folder of its own per path (-o and --svg write)."""
    (terminal / "fast").mkdir()
    (terminal / "typer").mkdir()
    monkeypatch.chdir(terminal / "fast")
    answered = fast_path(argv)
    assert answered is not None, "the fast path should answer this call"
    monkeypatch.chdir(terminal / "typer")
    assert answered == run_typer(*argv)
    written = sorted(p.name for p in (terminal / "fast").iterdir())
    assert written == sorted(p.name for p in (terminal / "typer").iterdir())


@pytest.mark.parametrize(
    ("name", "param"),
    [
        (name, param)
        for name, command in COMMANDS.items()
        for param in command.params
        if param.dest in REFUSED
    ],
    ids=lambda value: value if isinstance(value, str) else value.dest,
)
def test_a_refused_value_is_left_to_typer_which_explains(
    terminal: Path, run_typer: RunCli, monkeypatch: pytest.MonkeyPatch, name: str, param: Param
) -> None:
    monkeypatch.chdir(terminal)
    argv = [name, *_required(name), param.flags[0], REFUSED[param.dest]]
    assert fast_path(argv) is None
    refused = run_typer(*argv)
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"returnees: Invalid value for '{param.flags[0]}'")
    assert refused.stdout == ""


def test_global_options_on_both_paths(terminal: Path, run_typer: RunCli) -> None:
    for argv in (
        ["--no-cache", "sectors", "--json"],
        ["--no-builtin", "--facts", str(builtin_facts_dir()), "sources", "--json"],
        ["-f", str(builtin_facts_dir()), "--no-builtin", "topics", "--format", "csv"],
    ):
        answered = fast_path(argv)
        assert answered is not None and answered.exit_code == 0
        assert answered == run_typer(*argv)
    assert fast_path(["--version"]) is None  # eager: Typer answers
    assert run_typer("--version").stdout.startswith("returnees ")


@given(
    st.lists(st.sampled_from(["", " ", "  ", "\t", "x", "word", " two words ", "\n"]), max_size=12)
)
def test_a_commands_help_is_its_docstring_as_inspect_cleans_it(parts: list[str]) -> None:
    """surface.cleandoc spares the fast path `import inspect`; it must give what cleandoc gives."""
    docstring = "".join(parts)
    assert cleandoc(docstring) == inspect.cleandoc(docstring)
    assert cleandoc(None) == ""
    for command in COMMANDS.values():
        assert command.help == inspect.cleandoc(command.action.__doc__ or "")
