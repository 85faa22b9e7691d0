"""The `returnees` command: the fast path first, then the Typer app for everything else."""

from __future__ import annotations

import sys

from returnee_cli import PROG


def main() -> None:
    from returnee_cli.fastpath import answer

    code = answer(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from returnee_cli.cli import app

    app(prog_name=PROG)


if __name__ == "__main__":
    main()
