"""The command line, declared once: what a command, an argument and an option are, the options
several commands share, and the strict parser of the fast path.

Every command is declared in `commands.py` with the `@command(...)` decorator, its arguments and
options listed right above it. Two parsers are made from those declarations and nothing else:

- the Typer app (`cli.py`), which answers help, completion, errors, and every call;
- the fast path (`parse` below), which answers the plain, well-formed calls without importing
  Typer (about half of every start, measured for issue 5) and leaves anything in doubt to Typer.

Both convert a value with the same `convert` function and fill in the same default, so they
cannot disagree on what a call means; tests/test_surface.py compares the two over every command
and option. No typer, no rich here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from returnee_cli.formats import Format

Kind = Literal["option", "flag", "argument"]


@dataclass(frozen=True)
class Param:
    """One argument or option of a command: how it is written, what it becomes, what it says."""

    dest: str  # the keyword the action receives
    kind: Kind
    flags: tuple[str, ...] = ()  # ("--city", "-c"); none for an argument
    help: str = ""
    metavar: str | None = None
    default: Any = None  # as typed on the command line; converted like any other value
    convert: Callable[[str], Any] = str  # raises ValueError, with a message, for a bad value
    complete: Callable[[str], list[str]] | None = None  # shell completion of a value
    many: bool = False  # a repeatable option, or an argument that takes several values
    eager: Callable[[], None] | None = None  # a flag that answers at once (--version)
    off: tuple[str, ...] = ()  # a switch's other spelling (--no-derived): given, it is False
    separator: str | None = None  # a repeatable option that also takes "a,b" for a and b
    missing: str = ""  # the message when a required argument is left out (click's otherwise)

    @property
    def names(self) -> tuple[str, ...]:
        """Every way it is written: its flags, and a switch's other spelling."""
        return (*self.flags, *self.off)

    @property
    def required(self) -> bool:
        """An argument that must be given: one value, and no default."""
        return self.kind == "argument" and not self.many and self.default is None

    def value(self, given: Any) -> Any:
        """The value an action receives: the default (converted) when nothing was given."""
        if given is not None and given != []:
            if self.separator is not None:  # ["a,b", "c"] -> ["a", "b", "c"]
                return _split(given, self.separator)
            return given
        if self.kind == "flag":
            return None if self.off else bool(self.default)
        if self.many:
            return []
        return None if self.default is None else self.convert(self.default)


def _split(given: Sequence[Any], separator: str) -> list[Any]:
    """Each value given, split at the separator, its parts stripped; an empty part is left out,
    but a value with no part at all stays as it was (`--city ""` is an unknown city, not every
    city)."""
    parts: list[Any] = []
    for text in given:
        found = [part.strip() for part in str(text).split(separator) if part.strip()]
        parts.extend(found or [text])
    return parts


def option(*flags: str, dest: str, help: str, metavar: str, **more: Any) -> Param:
    return Param(dest, "option", flags, help, metavar, **more)


def several(*flags: str, dest: str, help: str, metavar: str, **more: Any) -> Param:
    """An option that takes several values, repeated (-c a -c b) or comma-separated (-c a,b),
    meaning any of them."""
    return option(*flags, dest=dest, help=help, metavar=metavar, many=True, separator=",", **more)


def flag(*flags: str, dest: str, help: str, **more: Any) -> Param:
    return Param(dest, "flag", flags, help, default=False, **more)


def switch(on: str, off: str, *, dest: str, help: str) -> Param:
    """A flag with a negative (--derived / --no-derived): True, False, or None when neither is
    given."""
    return Param(dest, "flag", (on,), help, default=None, off=(off,))


def argument(dest: str, *, metavar: str, help: str, **more: Any) -> Param:
    return Param(dest, "argument", (), help, metavar, **more)


@dataclass(frozen=True)
class Command:
    """One command: its name, its arguments and options, its action and its help."""

    name: str
    params: tuple[Param, ...]
    action: Callable[..., None]  # action(call, **values of the command's own params)
    help: str = ""

    @property
    def options(self) -> dict[str, Param]:
        """Every flag the command takes (every spelling) -> its Param."""
        return {name: param for param in self.params for name in param.names}

    @property
    def arguments(self) -> list[Param]:
        return [param for param in self.params if param.kind == "argument"]


COMMANDS: dict[str, Command] = {}  # filled by @command, in the order `--help` lists them


def command(*params: Param | Iterable[Param], name: str | None = None) -> Callable[[Any], Any]:
    """Declare a command: its arguments and options (single or in shared groups), its name (the
    function's, unless given) and its help (the function's docstring)."""
    flat: list[Param] = []
    for item in params:
        flat.extend([item] if isinstance(item, Param) else item)

    def register(action: Callable[..., None]) -> Callable[..., None]:
        called = name or action.__name__.strip("_")
        COMMANDS[called] = Command(called, tuple(flat), action, cleandoc(action.__doc__))
        return action

    return register


def cleandoc(docstring: str | None) -> str:
    """The docstring as `inspect.cleandoc` gives it (the same lines, tests/test_surface.py holds
    them equal), without importing inspect on every start: its indentation and the blank lines
    around it removed."""
    lines = (docstring or "").expandtabs().split("\n")
    margins = [len(line) - len(line.lstrip()) for line in lines[1:] if line.lstrip()]
    margin = min(margins, default=0)
    lines = [lines[0].lstrip(), *(line[margin:] for line in lines[1:])]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


# --- converters: text -> value, ValueError with a message for anything else -----------------------

_WHOLE_NUMBER = r"\+?[0-9]+"  # compiled by re on first use: most calls give no number


def whole_number(text: str) -> int:
    if not re.fullmatch(_WHOLE_NUMBER, text.strip()):
        raise ValueError(f"'{text}' is not a whole number of 0 or more")
    return int(text)


def file_path(text: str) -> Path:
    """A file to write: '-' is stdout (None to the action), a folder is refused."""
    path = Path(text)
    if text != "-" and os.path.isdir(text):  # False for a name too long: the writer says why
        raise ValueError(f"'{text}' is a folder; give a file name")
    return path


def existing_path(text: str) -> Path:
    """A file or folder to read. An empty one is refused: Path('') is the working folder, and
    reading all of it is never what was meant."""
    if not text.strip():
        raise ValueError("an empty path names no file or folder")
    return Path(text)


def starting_with(choices: Sequence[str]) -> Callable[[str], list[str]]:
    """Shell completion of a value from a fixed list."""
    return lambda incomplete: [choice for choice in choices if choice.startswith(incomplete)]


def each_of(complete: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    """Shell completion of the last of several comma-separated values (`women,edu`), after the
    ones already written, which are not offered again."""

    def completion(incomplete: str) -> list[str]:
        head, comma, last = incomplete.rpartition(",")
        written = set(head.split(",")) if comma else set()
        return [head + comma + value for value in complete(last) if value not in written]

    return completion


def key_paths(paths: Callable[[], Sequence[str]]) -> Callable[[str], list[str]]:
    """Shell completion of a record's keys: the top-level ones, and those under `source.` once
    the dot is written."""

    def completion(incomplete: str) -> list[str]:
        depth = incomplete.count(".")
        return [p for p in paths() if p.startswith(incomplete) and p.count(".") == depth]

    return completion


def choice(*flags: str, dest: str, choices: Sequence[str], help: str, **more: Any) -> Param:
    """An option whose value is one of `choices`, in any case, completed from them."""
    return option(
        *flags,
        dest=dest,
        metavar=more.pop("metavar", dest.upper()),
        convert=one_of(choices),
        complete=starting_with(choices),
        help=help,
        **more,
    )


def one_of(choices: Sequence[str]) -> Callable[[str], str]:
    """A value from `choices`, in any case; anything else refused with the nearest choice."""

    def convert(text: str) -> str:
        chosen = text.strip().casefold()
        if chosen not in choices:
            import difflib

            from returnee_cli.suggest import CUTOFF, quoted

            close = difflib.get_close_matches(chosen, choices, n=1, cutoff=CUTOFF)
            hint = f"; did you mean {quoted(close[0])}?" if close else ""
            raise ValueError(f"'{text}' is not one of {', '.join(choices)}{hint}")
        return chosen

    return convert


def format_choice(formats: Sequence[Format]) -> Callable[[str], Format]:
    names = [f.value for f in formats]
    check = one_of(names)

    def convert(text: str) -> Format:
        return Format(check(text))

    return convert


# --- options several commands share -------------------------------------------------------------

RECORD_FORMATS = (Format.table, Format.json, Format.jsonl, Format.csv, Format.yaml)
FACT_FORMATS = (*RECORD_FORMATS, Format.sqlite)


def _format_help(formats: Sequence[Format]) -> str:
    """'table (for people); json, jsonl, csv or yaml (for scripts); sqlite (...)'."""
    data = [f.value for f in formats if f not in (Format.table, Format.sqlite)]
    parts = ["table (for people)"] if Format.table in formats else []
    parts.append(", ".join(data[:-1]) + " or " + data[-1] + " (for scripts)")
    if Format.sqlite in formats:
        parts.append("sqlite (a database of the facts, their sources and cities; needs -o)")
    return "; ".join(parts) + "."


JSON_FLAG = flag("--json", dest="json", help="Shorthand for --format json.")
FIELDS = option(
    "--fields",
    dest="fields",
    metavar="KEY,...",
    help="Only these keys in json, jsonl, csv and yaml output, e.g. id,value; a key of a nested "
    "record with a dot: source.title.",
)
LIMIT = option(
    "--limit",
    "-n",
    dest="limit",
    metavar="N",
    convert=whole_number,
    help="Show at most N records (0: all). Tables stop at 1,000 unless told; json, jsonl, csv "
    "and yaml give every record.",
)
SVG = option(
    "--svg",
    dest="svg",
    metavar="FILE",
    convert=file_path,
    help="Also save what the terminal shows as an SVG picture (an existing FILE needs "
    "--force); for a chart to publish, see returnees chart.",
)
OUTPUT_FILE = option(
    "--output",
    "-o",
    dest="output",
    metavar="FILE",
    convert=file_path,
    help="Write to FILE instead of stdout (- means stdout); an existing FILE needs --force.",
)
FORCE = flag("--force", dest="force", help="Replace an existing output FILE (never a fact file).")
RAW_CSV = flag(
    "--raw-csv",
    dest="raw_csv",
    help="Keep CSV text cells that start with =, +, -, @ as they are; by default they get a "
    "leading ' so that a spreadsheet shows them instead of running them as formulas.",
)
COLOURS = ("auto", "always", "never")
COLOR = choice(
    "--color",
    dest="color",
    choices=COLOURS,
    metavar="WHEN",
    default="auto",
    help="Colour in tables: auto (on a terminal, unless NO_COLOR is set; FORCE_COLOR forces "
    "it), always (also in a pipe: | less -R), or never.",
)


def output_options(
    formats: Sequence[Format] = RECORD_FORMATS,
    default: Format = Format.table,
    keys: Callable[[], Sequence[str]] | None = None,
) -> tuple[Param, ...]:
    """--format (of these formats), --json, --fields, --limit, --svg, --output, --force and
    --color: the options of every command that prints records. They reach the action as
    `call.out` (formats.OutputRequest, a field for each). `keys`: the keys --fields may name
    (nested ones as `source.title`), for its shell completion."""
    chosen = option(
        "--format",
        dest="format",
        metavar="FORMAT",
        default=default.value,
        convert=format_choice(formats),
        complete=starting_with([f.value for f in formats]),
        help=_format_help(formats),
    )
    for_people = (SVG, COLOR) if Format.table in formats else ()  # a picture, colours
    fields = FIELDS if keys is None else replace(FIELDS, complete=each_of(key_paths(keys)))
    return (
        chosen,
        JSON_FLAG,
        fields,
        LIMIT,
        *for_people[:1],
        OUTPUT_FILE,
        FORCE,
        *for_people[1:],
        RAW_CSV,
    )


OUTPUT_DESTS = frozenset(param.dest for param in output_options(FACT_FORMATS))


@dataclass(frozen=True)
class Parsed:
    """A call the fast path understood: the command, the global values, the command's values."""

    command: Command
    global_values: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    given: frozenset[str] = frozenset()  # the dests written on the command line


def parse(argv: Sequence[str], global_params: Sequence[Param]) -> Parsed | None:
    """The call, parsed strictly from the declarations; None for anything in doubt (help, an
    unknown or repeated option, a value its converter refuses, `--opt=value` of a flag, `--`,
    joined short options), which Typer then answers, or refuses, with its own message."""
    rest = list(argv)
    global_values = _parse_options(rest, {n: p for p in global_params for n in p.names}, True)
    if global_values is None or not rest or rest[0] not in COMMANDS:
        return None
    chosen = COMMANDS[rest.pop(0)]
    values = _parse_options(rest, chosen.options, False, chosen.arguments)
    if values is None:
        return None
    filled = {p.dest: p.value(global_values.get(p.dest)) for p in global_params if not p.eager}
    own = {p.dest: p.value(values.get(p.dest)) for p in chosen.params}
    return Parsed(chosen, filled, own, frozenset(values))


def _parse_options(
    rest: list[str],
    options: dict[str, Param],
    stop_at_word: bool,
    arguments: Sequence[Param] = (),
) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    positional = list(arguments)
    while rest:
        token = rest[0]
        if not token.startswith("-") or token == "-":
            if stop_at_word:
                return values
            if not positional:
                return None  # an extra argument: Typer explains
            param = positional[0]
            rest.pop(0)
            if not _store(values, param, token):
                return None
            if not param.many:
                positional.pop(0)
            continue
        rest.pop(0)
        name, attached = (
            token.split("=", 1)
            if token.startswith("--") and "=" in token
            else (
                token,
                None,
            )
        )
        named = options.get(name)
        if named is None or named.eager:
            return None
        if named.kind == "flag":
            if attached is not None or named.dest in values:
                return None  # given twice (--derived --no-derived too): Typer decides
            values[named.dest] = name not in named.off
            continue
        if attached is None:
            if not rest or (rest[0].startswith("-") and rest[0] != "-"):
                return None
            attached = rest.pop(0)
        if not _store(values, named, attached):
            return None
    if any(p.required and p.dest not in values for p in positional):
        return None  # a missing argument: Typer explains
    return values


def _store(values: dict[str, Any], param: Param, text: str) -> bool:
    try:
        value = param.convert(text)
    except ValueError:
        return False
    if param.many:
        values.setdefault(param.dest, []).append(value)
    elif param.dest in values:
        return False  # given twice: Typer refuses it, naming the option
    else:
        values[param.dest] = value
    return True
