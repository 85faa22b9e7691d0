"""The one place that writes: data to stdout, messages to stderr.

JSON goes through the json module as UTF-8 bytes, identical in a terminal and in a pipe. Rich is
imported only when a table is actually drawn, so the --json path never pays for it.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from returnee_cli import PROG
from returnee_cli.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, ReturneesError

if TYPE_CHECKING:
    from rich.console import Console, RenderableType


class StdoutClosed(Exception):
    """The reader of our stdout went away (`returnees facts --json | head -1`)."""


def colour_wanted(stream: Any, when: str = "auto") -> bool:
    """--color always or never as told; auto: on a terminal only, never when NO_COLOR is set
    (https://no-color.org), also in a pipe when FORCE_COLOR is (as Rich reads it)."""
    if when != "auto":
        return when == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def make_console(stream: Any = None, when: str = "auto") -> Console:
    from rich.console import Console

    stream = stream if stream is not None else sys.stdout
    colour = colour_wanted(stream, when)
    return Console(
        file=stream,
        width=_columns(),
        color_system="auto" if colour else None,
        force_terminal=colour or None,
        no_color=not colour,
        highlight=False,
        markup=False,
        emoji=False,
    )


def _columns() -> int | None:
    """COLUMNS as Rich would read it, unless it is not a positive whole number (COLUMNS=0, '',
    'wide'): then the terminal's width, or 80, as if it were unset (never a zero-width table)."""
    columns = os.environ.get("COLUMNS")
    if columns is None or (columns.isdigit() and int(columns) > 0):
        return None  # Rich's own reading
    return terminal_width()


def _guard_pipe(write: Any) -> None:
    try:
        write()
        sys.stdout.flush()
    except BrokenPipeError:
        # Point stdout at /dev/null so the interpreter's final flush cannot fail noisily.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise StdoutClosed() from None


def write_text(text: str) -> None:
    """Text for people (tables, reports), in the terminal's own encoding: a character it cannot
    show becomes '?', never a crash (a Windows console, PYTHONIOENCODING=ascii). Data for
    programs (JSON, CSV) is always UTF-8: write_chunks."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    payload = text.encode(encoding, errors="replace")

    def write() -> None:
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is not None:
            sys.stdout.flush()
            buffer.write(payload)
        else:  # a text-only stream (some test runners)
            sys.stdout.write(payload.decode(encoding))

    _guard_pipe(write)


def render(
    renderable: RenderableType | str, *, for_terminal: bool = True, colour: str = "auto"
) -> str:
    """A table or chart as text: for this terminal (its width; colour as `colour` says: auto,
    always or never), or plain for a file. A `str` is text already (a citation, a report) and
    is kept as it is."""
    if isinstance(renderable, str):  # a citation, a report: its lines are its own
        from returnee_cli.untrusted import neutralise

        return neutralise(renderable, lines=True)
    console = make_console(when=colour) if for_terminal else make_console(io.StringIO(), "never")
    if not for_terminal:
        console.width = terminal_width()
    with console.capture() as captured:
        console.print(renderable)
    # Rich pads every line to the table's width; the padding is noise in a pipe or a diff.
    return "\n".join(_PADDING.sub(r"\1", line) for line in captured.get().split("\n"))


# The spaces at the end of a line, before the escape code that ends its colour, if any.
_PADDING = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$")


def write_renderable(renderable: RenderableType | str) -> None:
    write_text(render(renderable))


def message(text: str) -> None:
    """A note for the person at the keyboard, never for a pipe: stderr. It may quote an argument,
    a path or a fact file: nothing of them reaches the terminal raw (untrusted.neutralise)."""
    from returnee_cli.untrusted import neutralise

    print(neutralise(text), file=sys.stderr)


def write_chunks(chunks: Iterable[str]) -> None:
    """Text to stdout as UTF-8, chunk by chunk, so large results stream."""

    def write() -> None:
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is not None:
            sys.stdout.flush()
        for chunk in chunks:
            if buffer is not None:
                buffer.write(chunk.encode("utf-8"))
            else:  # a text-only stream (some test runners)
                sys.stdout.write(chunk)

    _guard_pipe(write)


def terminal_width() -> int:
    import shutil

    columns = shutil.get_terminal_size((80, 24)).columns  # COLUMNS=0 counts as unset here
    return columns if columns > 0 else 80


def svg_text(renderable: RenderableType | str, title: str) -> str:
    """What the terminal shows, as an SVG picture (Rich's own export), in colour whatever
    stdout is."""
    from rich.console import Console

    console = Console(
        record=True,
        file=io.StringIO(),
        width=max(40, terminal_width()),
        force_terminal=True,
        color_system="truecolor",
        legacy_windows=False,
        highlight=False,
        markup=False,
        emoji=False,
    )
    console.print(renderable)
    return console.export_svg(title=title)


def write_lines(lines: list[str]) -> None:
    """Plain lines of data (a report such as `validate`'s), to stdout."""
    write_text("".join(line + "\n" for line in lines))


PROGRESS_FROM_BYTES = 2 * 1024 * 1024  # loads smaller than this finish before a bar would help


@contextmanager
def load_progress() -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback for a long load: a bar on stderr when stderr is a terminal, nothing
    otherwise (never on stdout, never in a pipe). Yields None when there is nothing to show."""
    if not sys.stderr.isatty():
        yield None
        return
    bar: Any = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            if total < PROGRESS_FROM_BYTES:
                return
            from rich.console import Console
            from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

            console = Console(
                stderr=True, color_system="auto" if colour_wanted(sys.stderr) else None
            )
            bar = Progress(
                TextColumn("reading fact files"),
                BarColumn(),
                DownloadColumn(),
                console=console,
                transient=True,
            )
            bar.start()
            bar.add_task("read", total=total)
        bar.update(bar.task_ids[0], completed=done)

    try:
        yield update
    finally:
        if bar is not None:
            bar.stop()


DEBUG_ENV = "RETURNEES_DEBUG"


def report(error: BaseException) -> int:
    """Say what went wrong, one line a problem on stderr, and give the exit code: the one place
    that turns failures into messages, for the Typer app and the fast path alike."""
    if isinstance(error, ReturneesError):
        for line in error.lines():
            message(f"{PROG}: {line}")
        return error.exit_code
    if isinstance(error, StdoutClosed):
        return EXIT_OK
    if isinstance(error, KeyboardInterrupt):
        message(f"{PROG}: interrupted")
        return EXIT_INTERRUPTED
    if os.environ.get(DEBUG_ENV):  # a bug of ours: one line, unless asked for the traceback
        raise error
    message(
        f"{PROG}: internal error ({type(error).__name__}: {error}); please report it, and "
        f"set {DEBUG_ENV}=1 to see the traceback"
    )
    return EXIT_INTERNAL
