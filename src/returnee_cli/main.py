"""The `returnees` command: the fast path first, then the Typer app for everything else."""

from __future__ import annotations

import signal
import sys

from returnee_cli import PROG


def main() -> None:
    from returnee_cli import output
    from returnee_cli.errors import Terminated

    # The process's own streams and signals, set once here (never in a test's in-process run):
    # a closed or failing stdout or stderr is a one-line error, SIGTERM unwinds like Ctrl-C.
    output.guard_streams()
    signal.signal(signal.SIGTERM, output.on_sigterm)
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
