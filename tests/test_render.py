"""Text from fact files is data: markup prints as written, escapes never reach the terminal."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from returnee_cli.loading import load_factset
from returnee_cli.render import views
from returnee_cli.render.bars import ShareBar

from .conftest import RunCli
from .test_loading import GOOD_FACT, write


def render(renderable: object, width: int = 60) -> str:
    console = Console(width=width, file=StringIO(), color_system=None, legacy_windows=False)
    console.print(renderable)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(out, str)
    return out


def test_markup_in_a_label_prints_as_written(run: RunCli, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_FACT.replace("label: A share", 'label: "[b]bold[/b] [red]x"'))
    out = run("--facts", str(path), "facts", "--city", "wuhan", columns=120).stdout
    assert "[b]bold[/b] [red]x" in out


def test_escape_sequences_in_a_label_are_shown_never_run(run: RunCli, tmp_path: Path) -> None:
    label = 'label: "safe\\e[31m red\\e]0;title\\a\\x07 end\\x9b"'
    path = write(tmp_path, GOOD_FACT.replace("label: A share", label))
    result = run("--facts", str(path), "sectors", "--city", "wuhan", columns=120)
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "safe\\x1b[31m red\\x1b]0;title\\x07\\x07 end\\x9b" in result.stdout
    as_json = run("--facts", str(path), "sectors", "--city", "wuhan", "--json").json()
    assert as_json[0]["label"].startswith("safe\x1b[31m")  # JSON keeps the data, escaped


def test_bars_are_on_a_fixed_scale_and_lower_bounds_are_open() -> None:
    assert ShareBar(50).text(20).plain == "█" * 10
    assert ShareBar(100).text(20).plain == "█" * 20
    assert ShareBar(0).text(20).plain == ""
    open_bar = ShareBar(70, qualifier="more_than").text(10).plain
    assert open_bar == "███████▶┈┈"
    assert ShareBar(70, qualifier="at_least").text(10).plain == "███████▶┈┈"
    assert ShareBar(99, qualifier="more_than").text(6).plain == "█████▶"
    assert ShareBar(99.9, qualifier="more_than").text(40).plain == "█" * 39 + "▶"


@pytest.mark.parametrize(
    ("qualifier", "value", "low", "high", "drawn", "ascii"),
    [
        ("exact", 50, None, None, "█████", "#####"),
        ("more_than", 70, 70, 100, "███████▶┈┈", "#######>.."),
        ("less_than", 20, 0, 20, "┈┤", ".|"),
        ("at_most", 50, 0, 50, "┈┈┈┈┤", "....|"),
        ("about", 30, 25, 35, "██▒▒", "##~~"),  # solid to the lowest, shaded to the highest
        ("about", 28.7, 28.505, 28.815, "███▒", "###~"),  # never less than one shaded cell
        ("range", 20, 20, 50, "  ├─┤", "  |-|"),  # a span that does not start at zero
    ],
)
def test_every_bound_is_drawn_as_what_it_is(
    qualifier: str, value: float, low: float | None, high: float | None, drawn: str, ascii: str
) -> None:
    bar = ShareBar(value, qualifier=qualifier, low=low, high=high)
    assert bar.text(10).plain == drawn
    assert bar.text(10, ascii_only=True).plain == ascii


def test_sector_view_renders_the_derived_mark_and_sources() -> None:
    factset = load_factset()
    facts = [f for f in factset.facts if f.topic == "sectors"]
    out = render(views.sectors_view(facts, factset), width=100)
    assert "≈28.7%†" in out
    assert "28.505–28.815% (what the stated figures allow)" in out
    assert "† derived, not stated in the source" in out
    assert "Source: Blue Book on Overseas-Educated Returnees in Beijing" in out


def test_bidirectional_controls_never_reach_the_terminal() -> None:
    from returnee_cli.untrusted import neutralise

    assert neutralise("20\u202e%48 \u2066isolated\u2069 \u200fmark") == (
        "20\\u202e%48 \\u2066isolated\\u2069 \\u200fmark"
    )


def test_stacked_bars_keep_one_scale(run: RunCli) -> None:
    """Below 60 columns shares are stacked; every bar still starts and ends in the same column."""
    out = run("entrepreneurs", columns=40).stdout
    bar_lines = [line for line in out.splitlines() if "█" in line]
    assert len(bar_lines) == 7
    assert len({line.index("█") for line in bar_lines}) == 1
    assert len({len(line) for line in bar_lines if "┈" in line}) == 1  # open bars run to the end


def test_a_terminal_without_utf8_gets_ascii_not_a_crash(tmp_path: Path) -> None:
    import os
    import subprocess

    from .test_installed import returnees

    env = {**os.environ, "PYTHONIOENCODING": "ascii", "COLUMNS": "80", "NO_COLOR": "1"}
    for args in (
        ["entrepreneurs"],
        ["city", "北京"],
        ["show", "shanghai-education"],
        ["validate"],
        ["--version"],
    ):
        result = subprocess.run(
            [returnees(), *args], capture_output=True, env=env, cwd=tmp_path, timeout=60
        )
        assert result.returncode == 0, (args, result.stderr)
        result.stdout.decode("ascii")  # nothing but ASCII reached the terminal
    bars = subprocess.run(
        [returnees(), "entrepreneurs"], capture_output=True, env=env, cwd=tmp_path, timeout=60
    ).stdout.decode("ascii")
    assert re.search(r"\| +>70% \| #+>\.+ +\| +300", bars), bars
