"""The one domain error type, caught once by the CLI and turned into a message and an exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_DATA = 1  # a fact file is broken: fix the file
EXIT_USAGE = 2  # the command line is wrong: fix the call
EXIT_INTERNAL = 70  # a bug in returnees itself (EX_SOFTWARE)
EXIT_IO = 74  # the user's disk or stream failed while writing (EX_IOERR): not a bug, not the data
EXIT_INTERRUPTED = 130  # Ctrl-C
EXIT_TERMINATED = 143  # SIGTERM (128 + 15), as a shell reports a process it ended
# What each exit code means, for `returnees --help` and the README's table (both made from this).
EXIT_CODES = {
    EXIT_OK: "success, also when a filter matches nothing",
    EXIT_DATA: "broken fact files (or validate found a problem)",
    EXIT_USAGE: "bad usage: an unknown option, value, city, topic, source or fact id, a --facts "
    "path that cannot be reached, or an output file that may not or cannot be created",
    EXIT_INTERNAL: "an internal error in returnees itself (RETURNEES_DEBUG=1 shows the traceback)",
    EXIT_IO: "the output could not be written: stdout closed or full, or a disk full or over a "
    "size limit while writing a file (nothing half-written is left)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
    EXIT_TERMINATED: "terminated (SIGTERM); no partial output file is left",
}

ERROR = "error"  # stops every command: the data cannot be trusted
WARNING = "warning"  # shown by `returnees validate` only: something could not be checked


class Problem:
    """One thing wrong in a fact file: where, what, and what to do. (Frozen, compared and hashed
    by value, as a frozen dataclass is; written out, as importing dataclasses costs every start
    about 1 ms.)"""

    __slots__ = ("file", "line", "message", "code", "key", "severity")
    file: str
    line: int | None
    message: str
    code: str
    key: str | None  # the key in the file the problem is about, where there is one
    severity: str

    def __init__(
        self,
        file: str,
        line: int | None,
        message: str,
        code: str = "invalid",
        key: str | None = None,
        severity: str = ERROR,
    ) -> None:
        for name, value in zip(
            self.__slots__, (file, line, message, code, key, severity), strict=True
        ):
            object.__setattr__(self, name, value)

    def _values(self) -> tuple[str, int | None, str, str, str | None, str]:
        return (self.file, self.line, self.message, self.code, self.key, self.severity)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={v!r}" for n, v in zip(self.__slots__, self._values(), strict=True))
        return f"{type(self).__name__}({shown})"

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def __str__(self) -> str:
        return _printable(f"{self.where}: {self.message}")

    def report_line(self) -> str:
        """The line `returnees validate` prints: `file:line: error: message [code]`."""
        return _printable(f"{self.where}: {self.severity}: {self.message} [{self.code}]")


def _printable(text: str) -> str:
    """Keys, values and file names come from the files: shown through the one guard."""
    from returnee_cli.untrusted import neutralise

    return neutralise(text)


class ReturneesError(Exception):
    exit_code = EXIT_DATA

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def lines(self) -> list[str]:
        return [self.message]


class DataError(ReturneesError):
    """The fact files are broken. Carries every problem found, not just the first."""

    exit_code = EXIT_DATA

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{count} {noun} in the fact files; fix them and run the command again")

    def lines(self) -> list[str]:
        return [str(problem) for problem in self.problems] + [self.message]


class UsageError(ReturneesError):
    """The command line asks for something that does not exist (an unknown city, fact id, ...)."""

    exit_code = EXIT_USAGE


class WriteFailed(UsageError):
    """The output was refused by the system while being written: stdout closed or full, a disk
    full, a file-size limit, an I/O error. Not a bug and not a wrong call: the user's disk or
    stream. A UsageError, so that whoever tolerates an output that cannot be written (the cache)
    tolerates this one too; its own exit code (EXIT_IO)."""

    exit_code = EXIT_IO


class Terminated(BaseException):
    """SIGTERM arrived (raised by the handler the command installs at start). A BaseException, as
    KeyboardInterrupt is, so that no `except Exception` swallows it and every `finally` runs: a
    file being written is removed, the target left as it was."""


class Exit(ReturneesError):
    """Ends a command that has already said all it has to say, with this exit code (`validate`
    of invalid files: 1). Nothing more is printed."""

    def __init__(self, exit_code: int) -> None:
        super().__init__("")
        self.exit_code = exit_code

    def lines(self) -> list[str]:
        return []
