"""The common calls of the query commands, answered without importing Typer.

Importing Typer and building its commands is about half of every start (measured for issue 5:
`sectors --city beijing --json` went from about 7× `python -c pass` to about 3×). Scripts call
a fact explorer in loops, so the plain calls (a query command, its options written out in full
or in their short form, the global --facts/--no-builtin/--no-cache) are parsed here, strictly,
and answered by the same actions as the Typer commands. Anything else, and anything in doubt
(help, completion, an unknown or repeated option, a value Typer would refuse, `--opt=value` of a
flag), is left to Typer, which answers it, or its error, as always. tests/test_fastpath.py holds
the two paths to the same bytes on stdout and stderr, and the same exit code.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from returnee_cli import actions, output
from returnee_cli.formats import Format, OutputRequest

DISABLE_ENV = "RETURNEES_NO_FASTPATH"

_OUTPUT = {
    "--format": "format",
    "--json": "json",
    "--fields": "fields",
    "--limit": "limit",
    "-n": "limit",
    "--svg": "svg",
}
_CITY = {"--city": "city", "-c": "city"}
_FACTS = {
    **_CITY,
    "--topic": "topic",
    "-t": "topic",
    "--source": "source",
    "-s": "source",
    "--search": "search",
    "-q": "search",
}
_FLAGS = {"json"}
# command -> (its positional argument, if any; its own options)
_COMMANDS: dict[str, tuple[str | None, dict[str, str]]] = {
    "cities": (None, {}),
    "city": ("name", {}),
    "sectors": (None, _CITY),
    "industries": (None, _CITY),
    "entrepreneurs": (None, _CITY),
    "reasons": (None, _CITY),
    "topics": (None, {}),
    "facts": (None, _FACTS),
    "show": ("fact_id", {}),
    "sources": (None, {}),
}
_FORMATS = {member.value for member in Format}
_WHOLE_NUMBER = re.compile(r"[0-9]+")


def answer(argv: Sequence[str]) -> int | None:
    """The exit code of the call, answered here; or None to let Typer answer it."""
    if os.environ.get(DISABLE_ENV) or any(
        name.endswith("_COMPLETE") for name in os.environ if name.startswith("_RETURNEES")
    ):
        return None
    parsed = _parse(list(argv))
    if parsed is None:
        return None
    command, global_options, options = parsed
    try:
        settings = actions.settings(**global_options)
        chosen = Format(options.pop("format", "table"))
        if options.pop("json", False):  # --json wins over --format, as in the Typer app
            chosen = Format.json
        out = OutputRequest(
            chosen,
            options.pop("fields", None),
            options.pop("svg", None),
            options.pop("limit", None),
        )
        getattr(actions, command)(settings, out, **options)
    except (Exception, KeyboardInterrupt) as error:
        return output.report(error)
    return 0


def _parse(argv: list[str]) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    facts: list[Path] = []
    global_options: dict[str, Any] = {"extra": facts}
    while argv and argv[0].startswith("-"):
        token = argv.pop(0)
        if token in ("--no-builtin", "--no-cache"):
            global_options[token[2:].replace("-", "_")] = True
        elif token in ("--facts", "-f") and argv and not argv[0].startswith("-"):
            facts.append(Path(argv.pop(0)))
        elif token.startswith("--facts=") and len(token) > len("--facts="):
            facts.append(Path(token.split("=", 1)[1]))
        else:
            return None
    if not argv or argv[0] not in _COMMANDS:
        return None
    command = argv.pop(0)
    positional, own = _COMMANDS[command]
    names = {**own, **_OUTPUT}
    options: dict[str, Any] = {}
    while argv:
        token = argv.pop(0)
        name, attached = (
            (token.split("=", 1) + [None])[:2] if token.startswith("--") else (token, None)
        )
        if name in names:
            dest = names[name]
            if dest in options:
                return None  # repeated: Typer knows which one wins
            if dest in _FLAGS:
                if attached is not None:
                    return None
                options[dest] = True
                continue
            if attached is None:
                if not argv or argv[0].startswith("-"):
                    return None
                attached = argv.pop(0)
            value = _value(dest, attached)
            if value is None:
                return None
            options[dest] = value
        elif token.startswith("-") or positional is None or positional in options:
            return None
        else:
            options[positional] = token
    if positional is not None and positional not in options:
        return None
    return command, global_options, options


def _value(dest: str, text: str) -> Any:
    """The option's value as Typer would convert it, or None where Typer should judge it."""
    if dest == "format":
        return text.lower() if text.lower() in _FORMATS else None
    if dest == "limit":
        return int(text) if _WHOLE_NUMBER.fullmatch(text) else None
    if dest == "svg":
        return None if Path(text).is_dir() else Path(text)
    return text
