"""Fact files -> FactSet: every file read (parsing.py) or answered from the cache (cache.py),
the records assembled into one set, and the consistency checks (checks.py) run over it. Every
problem is reported with its file and line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from returnee_cli.errors import ERROR, DataError, Problem
from returnee_cli.model import Checked, FactSet
from returnee_cli.paths import builtin_facts_dir, display_path

if TYPE_CHECKING:
    pass

FACT_FILE_SUFFIXES = (".yaml", ".yml")

# Per load, on top of each file's own limits (parsing.py): issue 13's largest pack, a million
# facts in 1,001 files of 0.33 MB (benchmarks/generate.py), is a third of the bytes and a tenth
# of the files. Stored texts have their own budget (checks.MAX_LOAD_STORED_TEXT_BYTES).
MAX_LOAD_FILES = 10_000
MAX_LOAD_BYTES = 1024 * 1024 * 1024  # fact files of one load, all together


def fact_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Expand files and folders into the fact files they hold, in a stable order. A file named
    twice (a folder and a file in it) is read once: that is not a clash between packs."""
    files: list[Path] = []
    problems: list[Problem] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.suffix in FACT_FILE_SUFFIXES and p.is_file()
            )
            if not found:
                problems.append(
                    Problem(
                        display_path(path),
                        None,
                        "holds no fact files (*.yaml, *.yml); check the path",
                        "no-facts",
                    )
                )
        elif path.is_file():
            found = [path]
        else:
            what = "is not a file or folder" if path.exists() else "no such file or folder"
            problems.append(
                Problem(display_path(path), None, f"{what}; check the path", "missing-path")
            )
            continue
        for file in found:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                files.append(file)
    return files, problems


Progress = Callable[[int, int], None]  # (bytes read so far, bytes to read), after each file


def read_factset(
    paths: Sequence[Path] | None = None,
    *,
    use_cache: bool = False,
    progress: Progress | None = None,
) -> Checked:
    """Read, validate and check fact files (default: the built-in facts) without raising: every
    problem of every file, then the consistency checks over the records that are valid.

    With `use_cache`, a set loaded before from unchanged files comes from the cache, checks and
    warnings included, and a valid set read anew is kept there for the next start."""
    files, problems = fact_files(paths if paths is not None else [builtin_facts_dir()])
    too_much = _beyond_load_limits(files, paths or [builtin_facts_dir()])
    if too_much is not None:  # refused before any file is read
        return Checked(tuple(display_path(f) for f in files), FactSet((), {}, {}), (too_much,))
    if use_cache and not problems:
        from returnee_cli import cache

        cached = cache.load(files)
        if cached is not None:
            return cached
    # The cold path: no cache entry to answer from. Imported here, so a warm start never pays.
    from returnee_cli import checks
    from returnee_cli.assembly import Assembler

    assembler = Assembler()
    total = sum(_size(path) for path in files) if progress else 0
    done = 0
    for path in files:
        problems.extend(assembler.add_file(path))
        if progress:
            done += _size(path)
            progress(done, total)
    factset, more = assembler.build()
    problems.extend(more)
    problems.extend(checks.check_factset(factset))
    # as a compiler lists them: errors first, then by file and line
    problems.sort(key=lambda p: (p.severity != ERROR, p.file, p.line or 0))
    checked = Checked(tuple(display_path(f) for f in files), factset, tuple(problems))
    if use_cache and not checked.errors:
        from returnee_cli import cache

        cache.store(files, checked)
    return checked


def _beyond_load_limits(files: list[Path], given: Sequence[Path]) -> Problem | None:
    """A load of more fact files, or more bytes of them, than MAX_LOAD_FILES or MAX_LOAD_BYTES;
    named after the last path given (the built-in facts come first, the user's packs after)."""
    if len(files) > MAX_LOAD_FILES:
        why = f"{len(files):,} fact files, more than the {MAX_LOAD_FILES:,} one load reads"
    elif sum(_size(path) for path in files) > MAX_LOAD_BYTES:
        limit = MAX_LOAD_BYTES // (1024 * 1024 * 1024)
        why = f"more than {limit} GiB of fact files, more than one load reads"
    else:
        return None
    where = display_path(given[-1]) if given else "--facts"
    return Problem(where, None, f"{why}; load fewer packs at once", "too-large")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def load_factset(
    paths: Sequence[Path] | None = None,
    *,
    use_cache: bool = False,
    progress: Progress | None = None,
) -> FactSet:
    """Load and validate fact files (default: the built-in facts). Raises DataError listing every
    error found; warnings (a source whose quotes cannot be checked) are for `validate` only."""
    checked = read_factset(paths, use_cache=use_cache, progress=progress)
    if checked.errors:
        raise DataError(checked.errors)
    return checked.factset
