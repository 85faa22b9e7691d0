"""The plain calls, answered without importing Typer.

Importing Typer and building its commands is about half of every start (measured for issue 5:
`sectors --city beijing --json` went from about 7× `python -c pass` to about 3×). Scripts call
a fact explorer in loops, so a well-formed call is parsed here, strictly, from the same
declarations the Typer app is built from (surface.py, commands.py), and run by the same
`commands.run`. Anything in doubt (help, completion, an unknown or repeated option, a value
its converter refuses) is left to Typer, which answers it, or its error, as always.

RETURNEES_NO_FASTPATH=1 sends every call through Typer (for debugging; the tests run every
CLI test both ways).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time (3 ms)
if TYPE_CHECKING:
    from collections.abc import Sequence

DISABLE_ENV = "RETURNEES_NO_FASTPATH"


def answer(argv: Sequence[str]) -> int | None:
    """The exit code of the call, answered here; or None to let Typer answer it."""
    if os.environ.get(DISABLE_ENV) or any(
        name.startswith("_RETURNEES") and name.endswith("_COMPLETE") for name in os.environ
    ):
        return None
    # the plainest warm calls, one city's facts or one angle, without the model (warm.py)
    if any(part in ("--city", "-c") or part.startswith("--city=") for part in argv):
        from returnee_cli import warm

        code = warm.answer(argv)
        if code is not None:
            return code
    from returnee_cli import commands, output
    from returnee_cli.errors import Terminated
    from returnee_cli.surface import parse

    parsed = parse(argv, commands.GLOBAL_OPTIONS)
    if parsed is None:  # help is printed from the same declarations; the rest is Typer's
        from returnee_cli.helptext import answer as answer_help

        return answer_help(argv)
    try:
        commands.run(parsed.command.name, parsed.global_values, parsed.values, parsed.given)
    except (Exception, KeyboardInterrupt, Terminated) as error:
        return output.report(error)
    return 0
