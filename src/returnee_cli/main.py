"""The `returnees` command: the fast path first, then the Typer app for everything else."""

from __future__ import annotations

# signal's C module: `signal` wraps it in enums (importing enum: about 3 ms of every start) that
# nothing here needs
import _signal  # type: ignore[import-not-found]
import sys

from returnee_cli import PROG


def main() -> None:
    from returnee_cli.lazy import on_first_use

    # `dataclasses` imports `inspect` (and with it ast, dis, tokenize: about 4 ms, a tenth of a
    # plain start) only to write a signature into a class that has no docstring. Every class
    # here has one, so inspect is loaded on first use (the Typer app uses it), never on the
    # fast path (tests/test_perf_layout.py).
    on_first_use("inspect")
    from returnee_cli import output
    from returnee_cli.errors import Terminated

    # The process's own streams and signals, set once here (never in a test's in-process run):
    # a closed or failing stdout or stderr is a one-line error, SIGTERM unwinds like Ctrl-C.
    output.guard_streams()
    _signal.signal(_signal.SIGTERM, output.on_sigterm)
    try:
        from returnee_cli.fastpath import answer

        code = answer(sys.argv[1:])
        if code is None:
            from returnee_cli.cli import app

            code = app(prog_name=PROG, standalone_mode=False)
    except (KeyboardInterrupt, Terminated) as error:  # before a command started, or after
        code = output.report(error)
    sys.exit(output.finish(code if isinstance(code, int) else 0))


if __name__ == "__main__":
    main()
