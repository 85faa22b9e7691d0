"""Help printed on the fast path (helptext.py) is the Typer app's help, byte for byte: for every
command and the top level, at any width, with colour wanted or not. The Typer side here is the
real app at the real width (typer.testing.CliRunner would force click's width to 80)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from typer._click import formatting

from returnee_cli import PROG, helptext
from returnee_cli.cli import app
from returnee_cli.surface import COMMANDS

from .conftest import Run, fast_path

GROUP: Any = typer.main.get_command(app)
CALLS = [["--help"], *([name, "--help"] for name in COMMANDS)]
COLOURS = (
    {"NO_COLOR": "1"},
    {"FORCE_COLOR": "1", "TERM": "xterm-256color"},
    {"TERM": "dumb"},
)


def typer_help(argv: list[str]) -> Run:
    """The Typer app's answer, in this process, at the width COLUMNS gives."""
    out, err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = GROUP.main(args=list(argv), prog_name=PROG, standalone_mode=False)
    out.flush()
    return Run(code, out.buffer.getvalue().decode("utf-8"), err.getvalue())


def both(argv: list[str], env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> tuple[Run, Run]:
    with monkeypatch.context() as scoped:
        for name in ("COLUMNS", "NO_COLOR", "FORCE_COLOR", "TERM", "RETURNEES_NO_FASTPATH"):
            scoped.delenv(name, raising=False)
        for name, value in env.items():
            scoped.setenv(name, value)
        fast = fast_path(argv)
        assert fast is not None, f"the fast path should print {' '.join(argv)}"
        return fast, typer_help(argv)


@pytest.mark.parametrize("argv", CALLS, ids=" ".join)
def test_every_help_is_the_typer_apps_at_every_width(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # click's width is the terminal's, at most 80, less 2, at least 50: every case and its edges,
    # and COLUMNS that does not count (0, empty, a word: the terminal's, or 80)
    widths = ["1", "50", "51", "52", "53", "60", "71", "77", "78", "79", "80", "81", "200"]
    for number, columns in enumerate([*widths, "0", "", "wide", None]):
        flag = ("--help", "-h")[number % 2]
        call = [*argv[:-1], flag]
        for colour in COLOURS:
            env = {**colour, **({} if columns is None else {"COLUMNS": columns})}
            fast, typer_path = both(call, env, monkeypatch)
            assert fast == typer_path, (call, env)
            assert fast.exit_code == 0 and fast.stdout.endswith("\n") and not fast.stderr


@given(
    st.sampled_from(CALLS),
    st.integers(min_value=1, max_value=400),
    st.sampled_from(COLOURS),
)
def test_help_at_any_width_is_the_typer_apps(
    argv: list[str], columns: int, colour: dict[str, str]
) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, typer_path = both(argv, {**colour, "COLUMNS": str(columns)}, monkeypatch)
    assert fast == typer_path


# Help text as a declaration could write it: words, long words, paragraphs, indented and \b blocks.
WORDS = st.sampled_from(
    ["word", "a", "longer-hyphenated-word", "北京", "x" * 45, "--city", "[default: x]", "e.g."]
)
LINE = st.lists(WORDS, min_size=1, max_size=14).map(" ".join)
PARAGRAPH = st.tuples(st.sampled_from(["", "  ", "\b\n"]), st.lists(LINE, min_size=1, max_size=4))
TEXT = st.lists(PARAGRAPH, min_size=1, max_size=4).map(
    lambda paragraphs: "\n\n".join(
        lead + "\n".join(lines) if lead != "  " else "\n".join(lead + line for line in lines)
        for lead, lines in paragraphs
    )
)


@given(TEXT, st.integers(min_value=10, max_value=120), st.sampled_from(["", "  ", "      "]))
def test_text_wraps_as_click_wraps_it(text: str, width: int, indent: str) -> None:
    for paragraphs in (False, True):
        mine = helptext._wrap(text, width, indent, indent, preserve_paragraphs=paragraphs)
        assert mine == formatting.wrap_text(
            text, width, indent, indent, preserve_paragraphs=paragraphs
        )


@given(
    st.lists(st.tuples(st.text("-abcxyz ,/", min_size=1, max_size=36), TEXT), min_size=1),
    st.integers(min_value=50, max_value=78),
)
def test_lists_of_options_are_laid_out_as_clicks(rows: list[tuple[str, str]], width: int) -> None:
    mine = helptext._Formatter(width)
    mine.section("Options", rows)
    theirs = formatting.HelpFormatter(width=width)
    with theirs.section("Options"):
        theirs.write_dl(rows)
    assert mine.getvalue() == theirs.getvalue()


@pytest.mark.parametrize(
    "argv",
    [
        [],  # no command: the help on stderr, from Typer
        ["--help", "sectors"],
        ["sectors", "--city", "beijing", "--help"],
        ["-f", "pack", "sectors", "--help"],
        ["nope", "--help"],
        ["sectors", "--help", "--help"],
        ["--version"],
    ],
    ids=" ".join,
)
def test_other_calls_for_help_are_left_to_typer(terminal: Path, argv: list[str]) -> None:
    assert helptext.help_for(argv) is None
    assert fast_path(argv) is None


def test_a_stdout_that_is_not_utf8_is_left_to_typer(
    terminal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """click would write to it through a stream of its own; Typer does, as before."""
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="ascii"))
    assert helptext.help_for(["sectors", "--help"]) is None
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="UTF8"))
    assert helptext.help_for(["sectors", "--help"]) is not None


def installed(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    script = "import sys\nfrom returnee_cli.main import main\nsys.argv[0] = 'returnees'\nmain()\n"
    clean = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR")}
    return subprocess.run(
        [sys.executable, "-c", script, *argv],
        capture_output=True,
        env={**clean, **env},
        timeout=120,
    )


@pytest.mark.parametrize("argv", [["--help"], ["compare", "-h"]], ids=" ".join)
def test_the_installed_command_prints_the_same_help_either_way(argv: list[str]) -> None:
    """As a user runs it: no COLUMNS and no terminal (click's 80 less 2), or a narrow one."""
    for env in ({}, {"COLUMNS": "55", "FORCE_COLOR": "1"}):
        fast = installed(argv, env)
        slow = installed(argv, {**env, "RETURNEES_NO_FASTPATH": "1"})
        assert (fast.returncode, fast.stdout, fast.stderr) == (0, slow.stdout, b"")
        assert slow.returncode == 0


def test_a_help_whose_reader_left_ends_quietly() -> None:
    """`returnees --help | head -1`: as any other output, 0 and nothing on stderr; stdout
    closed (>&-) is the usual one line and 74."""
    script = (
        "import sys\nfrom returnee_cli.main import main\n"
        "sys.argv = ['returnees', 'facts', '--help']\nmain()\n"
    )
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has left before a byte is written
    try:
        done = subprocess.run(
            [sys.executable, "-c", script], stdout=write_end, stderr=subprocess.PIPE, timeout=120
        )
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (0, b"")
    closed = subprocess.run(
        [sys.executable, "-c", script],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),
        timeout=120,
    )
    assert closed.returncode == 74
    assert closed.stderr.decode().startswith("returnees: cannot write to stdout: it is closed")
