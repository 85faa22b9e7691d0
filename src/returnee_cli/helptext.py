"""Help, printed from the declarations without importing Typer.

`returnees --help` and `returnees COMMAND --help` (or `-h`) are answered on the fast path, laid
out as the Typer app prints them (rich_markup_mode=None: click's plain help): the same usage
line, paragraphs, lists of options and commands, wrapping and width, byte for byte.
tests/test_help.py holds the two equal for every command and the top level, at several widths,
with and without colour. Importing Typer and building its commands is most of a help call's time
(issue 13: `--help` at about 9× `python -c pass`, Typer's import alone about 15 ms); here, a help
call costs what a plain --json call does, and imports no Typer, click or Rich (no Markdown).

Anything else that asks for help (`returnees sectors --city x --help`, no command at all,
completion, a stdout whose encoding is not UTF-8, which click would wrap in a stream of its own)
goes to Typer, which answers it as always. A new kind of option, or a Typer whose layout
changes, fails tests/test_help.py until this follows.

The layout is click's (typer._click.formatting, BSD-3-Clause): `HelpFormatter.write_usage`,
`write_text`, `write_dl` and `wrap_text`, kept to what these declarations use.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from returnee_cli import PROG
from returnee_cli.commands import GLOBAL_OPTIONS  # and with them, every command declared
from returnee_cli.errors import EXIT_CODES
from returnee_cli.fastpath import DISABLE_ENV
from returnee_cli.surface import COMMANDS, Command, Param, cleandoc

HELP_FLAGS = ("-h", "--help")  # the Typer app's context_settings["help_option_names"]
HELP_LINE = "Show this message and exit."  # click's help option

APP_HELP = (
    "Question the figures on overseas-educated returnees in China: tables and bars on the "
    "terminal, JSON, JSON Lines, CSV or YAML for scripts. Start with: returnees cities, or: "
    "returnees sectors --city beijing."
)
APP_EPILOG = (
    "Exit codes: "
    + "; ".join(f"{code} {meaning}" for code, meaning in EXIT_CODES.items())
    + f". {DISABLE_ENV}=1 sends every call through this full parser (for debugging)."
)
# The options Typer adds to the top level (add_completion), after the declared ones.
COMPLETION_OPTIONS = (
    ("--install-completion", "Install completion for the current shell."),
    (
        "--show-completion",
        "Show completion for the current shell, to copy it or customize the installation.",
    ),
)


def summary(help: str) -> str:
    """A command's line in the list of commands: its help's first sentence, or what comes before
    that sentence's colon (click would cut a long one in the middle, with "...")."""
    first = help.split("\n\n")[0].replace("\n", " ")
    head, colon, _ = first.partition(": ")
    return f"{head}." if colon else first


def answer(argv: Sequence[str]) -> int | None:
    """Exit code 0 once the help asked for is printed; None to leave the call to Typer."""
    text = help_for(argv)
    if text is None:
        return None
    from returnee_cli import output

    try:
        output.write_text(text + "\n")  # as click.echo writes it
    except (Exception, KeyboardInterrupt) as error:
        return output.report(error)
    return 0


def help_for(argv: Sequence[str]) -> str | None:
    """The help `argv` asks for, exactly as the Typer app would print it (without the final
    newline); None for any call that is not `--help`, or `COMMAND --help`, alone."""
    if not _stdout_is_utf8():
        return None  # click would re-encode the stream: Typer answers
    if len(argv) == 1 and argv[0] in HELP_FLAGS:
        return top_help(_width())
    if len(argv) == 2 and argv[1] in HELP_FLAGS and argv[0] in COMMANDS:
        return command_help(COMMANDS[argv[0]], _width())
    return None


def _stdout_is_utf8() -> bool:
    import codecs

    encoding = getattr(sys.stdout, "encoding", None)
    try:
        return isinstance(encoding, str) and codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def _width() -> int:
    """click's help width: the terminal's (as shutil.get_terminal_size reads it, without
    importing shutil), at most 80, less 2, at least 50."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
        columns = columns or 80
    return max(min(columns, 80) - 2, 50)


# --- what is shown: from the declarations, as cli.py hands them to Typer -------------------------


def top_help(width: int) -> str:
    out = _Formatter(width)
    out.write_usage(PROG, "[OPTIONS] COMMAND [ARGS]...")
    out.write_help_text(cleandoc(cleandoc(APP_HELP)))
    options = [_record(param) for param in GLOBAL_OPTIONS]
    options += [*COMPLETION_OPTIONS, (", ".join(HELP_FLAGS), HELP_LINE)]
    out.section("Options", options)
    out.section("Commands", [(c.name, summary(c.help).strip()) for c in COMMANDS.values()])
    out.write_help_text(cleandoc(APP_EPILOG))
    return out.getvalue().rstrip("\n")


def command_help(declared: Command, width: int) -> str:
    out = _Formatter(width)
    pieces = ["[OPTIONS]", *(_usage_piece(param) for param in declared.arguments)]
    out.write_usage(f"{PROG} {declared.name}", " ".join(pieces))
    # Typer reads the help with inspect.getdoc; click cleans it again, and cuts it at a form feed
    out.write_help_text(cleandoc(cleandoc(declared.help)).partition("\f")[0])
    out.section("Arguments", [_record(param) for param in declared.arguments])
    options = [_record(param) for param in declared.params if param.kind != "argument"]
    out.section("Options", [*options, (", ".join(HELP_FLAGS), HELP_LINE)])
    return out.getvalue().rstrip("\n")


def _usage_piece(param: Param) -> str:
    metavar = param.metavar or param.dest
    if metavar.startswith("["):
        return metavar
    return f"{{{metavar}}}" if param.required else f"[{metavar}]"


def _record(param: Param) -> tuple[str, str]:
    """An option's or argument's line: how it is written, and its help with the default (as
    Typer shows it: for a value with a default, never for a flag that is off unless given) and
    whether it is required."""
    if param.kind == "argument":
        name = param.metavar or param.dest
    elif param.kind == "flag" and param.off:
        name = f"{_joined(param.flags)} / {_joined(param.off)}"
    elif param.kind == "flag":
        name = _joined(param.flags)
    else:
        name = f"{_joined(param.flags)} {param.metavar}"
    extra = []
    if param.kind != "flag" and not param.many and param.default is not None:
        extra.append(f"default: {param.default}")
    if param.kind == "flag" and param.default and not param.off:
        extra.append(f"default: {param.default}")
    if param.required:
        extra.append("required")
    if not extra:
        return name, param.help
    shown = f"[{'; '.join(extra)}]"
    return name, f"{param.help}  {shown}" if param.help else shown


def _joined(flags: Sequence[str]) -> str:
    """'-c, --city': the shorter prefix first (click's join_options)."""
    return ", ".join(sorted(flags, key=lambda flag: 2 if flag[:2] == "--" else 1))


# --- click's layout -------------------------------------------------------------------------------


class _Formatter:
    """click's HelpFormatter, as far as these help pages use it."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.indent = 0
        self.buffer: list[str] = []

    def getvalue(self) -> str:
        return "".join(self.buffer)

    def write_paragraph(self) -> None:
        if self.buffer:
            self.buffer.append("\n")

    @contextmanager
    def indented(self) -> Iterator[None]:
        self.indent += 2
        try:
            yield
        finally:
            self.indent -= 2

    def write_usage(self, prog: str, args: str) -> None:
        prefix = "Usage: "
        usage_prefix = f"{prefix:>{self.indent}}{prog} "
        text_width = self.width - self.indent
        if text_width >= len(usage_prefix) + 20:  # the arguments fit to the right of the prefix
            indent = " " * len(usage_prefix)
            self.buffer.append(_wrap(args, text_width, usage_prefix, indent))
        else:  # the prefix is too long: the arguments on the next line
            self.buffer.append(usage_prefix + "\n")
            indent = " " * (max(self.indent, len(prefix)) + 4)
            self.buffer.append(_wrap(args, text_width, indent, indent))
        self.buffer.append("\n")

    def write_help_text(self, text: str) -> None:
        """A paragraph of help (the command's, the epilog), indented."""
        if not text:
            return
        self.write_paragraph()
        with self.indented():
            self.write_text(text)

    def write_text(self, text: str) -> None:
        indent = " " * self.indent
        self.buffer.append(_wrap(text, self.width, indent, indent, preserve_paragraphs=True))
        self.buffer.append("\n")

    def section(self, heading: str, rows: Sequence[tuple[str, str]]) -> None:
        if not rows:
            return
        self.write_paragraph()
        self.buffer.append(f"{'':>{self.indent}}{heading}:\n")
        with self.indented():
            self.write_dl(rows)

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30) -> None:
        spacing = 2
        first_col = min(max(len(first) for first, _ in rows), col_max) + spacing
        for first, second in rows:
            self.buffer.append(f"{'':>{self.indent}}{first}")
            if not second:
                self.buffer.append("\n")
                continue
            if len(first) <= first_col - spacing:
                self.buffer.append(" " * (first_col - len(first)))
            else:
                self.buffer.append("\n" + " " * (first_col + self.indent))
            text_width = max(self.width - first_col - 2, 10)
            lines = _wrap(second, text_width, preserve_paragraphs=True).splitlines()
            if lines:
                self.buffer.append(f"{lines[0]}\n")
                for line in lines[1:]:
                    self.buffer.append(f"{'':>{first_col + self.indent}}{line}\n")
            else:
                self.buffer.append("\n")


class _Wrapper(textwrap.TextWrapper):
    """click's TextWrapper: a word longer than the line is cut where the line ends."""

    def _handle_long_word(
        self, reversed_chunks: list[str], cur_line: list[str], cur_len: int, width: int
    ) -> None:
        space_left = max(width - cur_len, 1)
        last = reversed_chunks[-1]
        cur_line.append(last[:space_left])
        reversed_chunks[-1] = last[space_left:]


def _wrap(
    text: str,
    width: int,
    initial_indent: str = "",
    subsequent_indent: str = "",
    preserve_paragraphs: bool = False,
) -> str:
    """click's wrap_text: paragraphs are separated by an empty line, each keeps the indentation
    of its first line, and one that starts with a line of a lone \\b is not rewrapped."""
    text = text.expandtabs()
    wrapper = _Wrapper(
        width,
        initial_indent=initial_indent,
        subsequent_indent=subsequent_indent,
        replace_whitespace=False,
    )
    if not preserve_paragraphs:
        return wrapper.fill(text)
    paragraphs: list[tuple[int, bool, str]] = []
    buffer: list[str] = []
    indent: int | None = None

    def flush() -> None:
        if not buffer:
            return
        if buffer[0].strip() == "\b":
            paragraphs.append((indent or 0, True, "\n".join(buffer[1:])))
        else:
            paragraphs.append((indent or 0, False, " ".join(buffer)))
        buffer.clear()

    for line in text.splitlines():
        if not line:
            flush()
            indent = None
        else:
            if indent is None:
                stripped = line.lstrip()
                indent = len(line) - len(stripped)
                line = stripped
            buffer.append(line)
    flush()
    done = []
    for extra, raw, paragraph in paragraphs:
        wrapper.initial_indent = initial_indent + " " * extra
        wrapper.subsequent_indent = subsequent_indent + " " * extra
        if raw:
            lines = paragraph.splitlines()
            done.append(
                "\n".join(
                    (wrapper.subsequent_indent if number else wrapper.initial_indent) + line
                    for number, line in enumerate(lines)
                )
            )
        else:
            done.append(wrapper.fill(paragraph))
    return "\n\n".join(done)
