"""The one place that writes: data to stdout, messages to stderr.

JSON goes through the json module as UTF-8 bytes, identical in a terminal and in a pipe. Rich is
imported only when a table is actually drawn, so the --json path never pays for it.

The streams are the user's and may fail: stdout closed (`>&-`), full (`> /dev/full`) or a pipe
whose reader left (`| head -1`), stderr closed (`2>&-`). `guard_streams`, called once at the
start of the command, makes every write to stdout (ours, Typer's help, Rich's) end in one of two
ways: a reader that left ends the command quietly with 0, as `cat` does; anything else is one line
on stderr and exit 74 (errors.EXIT_IO). A closed stderr only loses the messages.
"""

from __future__ import annotations

import io
import os
import sys

from returnee_cli import PROG
from returnee_cli.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    ReturneesError,
    Terminated,
    WriteFailed,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time (3 ms)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from types import TracebackType
    from typing import Any

    from rich.console import Console, RenderableType


class StdoutClosed(Exception):
    """The reader of our stdout went away (`returnees facts --json | head -1`)."""


class StdoutFailed(WriteFailed):
    """stdout is closed, full or otherwise refuses what is written to it."""


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
    from returnee_cli.render.kit import Console

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


STDOUT_CLOSED = (
    "cannot write to stdout: it is closed; redirect it to a file or to /dev/null instead of "
    "closing it"
)


def _guard_pipe(write: Callable[[], None]) -> None:
    if sys.stdout is None:  # started with stdout closed, in a run without guard_streams
        raise StdoutFailed(STDOUT_CLOSED)
    _guarded(write)
    _guarded(sys.stdout.flush)


def _guarded(call: Callable[..., Any], *args: Any) -> Any:
    """`call(*args)`, which writes to stdout: a reader that left is StdoutClosed, any other
    failure StdoutFailed (one line, exit 74). Nothing is swallowed here: a library that probes
    the stream and ignores the error (click does) meets it again at the real write."""
    try:
        return call(*args)
    except BrokenPipeError:
        raise StdoutClosed() from None
    except OSError as error:
        raise StdoutFailed(f"cannot write to stdout: {error.strerror or error}") from None


def _silence(fd: int) -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except OSError:
        pass


class _GuardedStream:
    """sys.stdout (and its byte buffer) with every write and flush through `_guarded`: also the
    help text Typer prints, and anything Rich draws."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def write(self, data: Any) -> Any:
        return _guarded(self._stream.write, data)

    def writelines(self, lines: Any) -> None:
        _guarded(self._stream.writelines, lines)

    def flush(self) -> None:
        _guarded(self._stream.flush)

    @property
    def buffer(self) -> Any:
        buffer = getattr(self._stream, "buffer", None)
        return None if buffer is None else _GuardedStream(buffer)


class _ClosedStdout:
    """sys.stdout when the command was started with it closed: writing to it is an error (one
    line, exit 74); a command that writes only to a file (-o) works. Flushing is a no-op, so the
    interpreter's final flush says nothing."""

    encoding = "utf-8"
    buffer = None

    def write(self, data: Any) -> int:
        raise StdoutFailed(STDOUT_CLOSED)

    def writelines(self, lines: Any) -> None:
        raise StdoutFailed(STDOUT_CLOSED)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return 1


def guard_streams() -> None:
    """Once, at the start of the command (never in a test's in-process run, whose streams are
    the test's). A closed stdin, stdout or stderr gets /dev/null at its number, so that no file
    the command opens later (a temporary file, the cache) can take number 1 or 2 and receive
    what was meant for a stream. Then sys.stdout is guarded (see `_guarded`), and a closed
    stderr becomes /dev/null: the messages are lost, the exit code still tells."""
    closed = set()
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed.add(fd)
            _silence(fd)
    if sys.stdout is None or 1 in closed:
        sys.stdout = _ClosedStdout()
    elif not isinstance(sys.stdout, _GuardedStream | _ClosedStdout):
        sys.stdout = _GuardedStream(sys.stdout)
    if sys.stderr is None or 2 in closed:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 (for the whole run)


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
    import re  # (with enum: only where a table is drawn)

    # Rich pads every line to the table's width; the padding is noise in a pipe or a diff.
    return "\n".join(re.sub(_PADDING, r"\1", line) for line in captured.get().split("\n"))


# The spaces at the end of a line, before the escape code that ends its colour, if any (compiled
# by re on first use, not at every start: a --json call never draws a table).
_PADDING = r" +((?:\x1b\[[0-9;]*m)*)$"


def write_renderable(renderable: RenderableType | str) -> None:
    write_text(render(renderable))


def message(text: str) -> None:
    """A note for the person at the keyboard, never for a pipe: stderr. It may quote an argument,
    a path or a fact file: nothing of them reaches the terminal raw (untrusted.neutralise)."""
    from returnee_cli.untrusted import neutralise

    if sys.stderr is None:  # stderr closed, in a run without guard_streams: never on stdout
        return
    try:
        print(neutralise(text), file=sys.stderr, flush=True)
    except OSError:  # stderr full or gone: nowhere left to say it; the exit code tells
        _silence(2)


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
    from returnee_cli.render.kit import Console

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


def load_progress() -> LoadProgress:
    """A progress callback for a long load, as a context: a bar on stderr when stderr is a
    terminal, nothing otherwise (never on stdout, never in a pipe). Gives None when there is
    nothing to show."""
    return LoadProgress()


class LoadProgress:
    """load_progress's context (a class, not contextlib's decorator: contextlib is imported by
    no plain call)."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __enter__(self) -> Callable[[int, int], None] | None:
        if sys.stderr is None or not sys.stderr.isatty():
            return None
        return self.update

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            if total < PROGRESS_FROM_BYTES:
                return
            from rich.console import Console
            from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

            console = Console(
                stderr=True, color_system="auto" if colour_wanted(sys.stderr) else None
            )
            self.bar = Progress(
                TextColumn("reading fact files"),
                BarColumn(),
                DownloadColumn(),
                console=console,
                transient=True,
            )
            self.bar.start()
            self.bar.add_task("read", total=total)
        self.bar.update(self.bar.task_ids[0], completed=done)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            self.bar.stop()


DEBUG_ENV = "RETURNEES_DEBUG"


def finish(code: int) -> int:
    """The exit code, once what is buffered for stdout has been flushed: a failure that only
    the last flush meets (or that a library swallowed) is still reported."""
    stdout = sys.stdout
    if stdout is None:
        return code
    try:
        _guarded(stdout.flush)
    except (StdoutClosed, StdoutFailed) as error:
        failed = report(error)
        return code or failed
    return code


def on_sigterm(signum: int, frame: Any) -> None:
    """SIGTERM, as Ctrl-C: an exception (errors.Terminated) that unwinds the command, so every
    `finally` runs (a file being written is removed) and the exit code is 143. A second SIGTERM
    ends the process at once."""
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    raise Terminated()


def report(error: BaseException) -> int:
    """Say what went wrong, one line a problem on stderr, and give the exit code: the one place
    that turns failures into messages, for the Typer app and the fast path alike."""
    if isinstance(error, StdoutClosed | StdoutFailed):
        # Whatever is still buffered for stdout goes nowhere: the interpreter's final flush
        # cannot fail again, noisily.
        _silence(1)
    if isinstance(error, ReturneesError):
        for line in error.lines():
            message(f"{PROG}: {line}")
        return error.exit_code
    if isinstance(error, StdoutClosed):
        return EXIT_OK
    if isinstance(error, KeyboardInterrupt):
        message(f"{PROG}: interrupted")
        return EXIT_INTERRUPTED
    if isinstance(error, Terminated):
        message(f"{PROG}: terminated")
        return EXIT_TERMINATED
    if os.environ.get(DEBUG_ENV):  # a bug of ours: one line, unless asked for the traceback
        raise error
    message(
        f"{PROG}: internal error ({type(error).__name__}: {error}); please report it, and "
        f"set {DEBUG_ENV}=1 to see the traceback"
    )
    return EXIT_INTERNAL
