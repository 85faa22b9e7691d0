"""Fact files -> FactSet: every file read (parsing.py) or answered from the cache (cache.py),
the records assembled into one set, and the consistency checks (checks.py) run over it. Every
problem is reported with its file and line.
"""

from __future__ import annotations

import errno
import gc
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from returnee_cli.errors import ERROR, DataError, Problem
from returnee_cli.model import Checked, FactSet
from returnee_cli.paths import builtin_facts_dir, display_path

if TYPE_CHECKING:
    from returnee_cli.cache import FileEntries

FACT_FILE_SUFFIXES = (".yaml", ".yml")

# Per load, on top of each file's own limits (parsing.py): issue 13's largest pack, a million
# facts in 1,001 files of 0.33 MB (benchmarks/generate.py), is a third of the bytes and a tenth
# of the files. Stored texts have their own budget (checks.MAX_LOAD_STORED_TEXT_BYTES).
MAX_LOAD_FILES = 10_000
MAX_LOAD_BYTES = 1024 * 1024 * 1024  # fact files of one load, all together


def fact_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Expand files and folders into the fact files they hold, in a stable order. A file named
    twice (a folder and a file in it) is read once: that is not a clash between packs. A path
    that cannot be reached, or a folder (the pack's own or any folder inside it) that cannot be
    listed, is a problem naming it: never a pack silently read in part."""
    files: list[Path] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for path in paths:
        try:
            info = path.stat()
        except OSError as error:
            problems.append(_unreachable(path, error))
            continue
        if stat.S_ISDIR(info.st_mode):
            found, unlisted = _pack_files(path)
            problems.extend(unlisted)
            if not found and not unlisted:
                problems.append(
                    Problem(
                        display_path(path),
                        None,
                        "holds no fact files (*.yaml, *.yml); check the path",
                        "no-facts",
                    )
                )
        elif stat.S_ISREG(info.st_mode):
            found = [path]
        else:
            problems.append(
                Problem(
                    display_path(path),
                    None,
                    "is not a file or folder; check the path",
                    "missing-path",
                )
            )
            continue
        for file in found:
            key = os.path.realpath(file)
            if key not in seen:
                seen.add(key)
                files.append(file)
    return files, problems


def _pack_files(folder: Path) -> tuple[list[Path], list[Problem]]:
    """The fact files in `folder` and every folder below it (symlinked folders are not entered,
    so a loop cannot trap the walk), and a problem for each folder that cannot be listed."""
    problems: list[Problem] = []

    def unlisted(error: OSError) -> None:
        where = Path(error.filename) if error.filename else folder
        problems.append(_unreachable(where, error))

    found = []
    for top, _folders, names in os.walk(folder, onerror=unlisted):
        for name in names:
            file = Path(top, name)
            if file.suffix not in FACT_FILE_SUFFIXES:
                continue
            try:
                if stat.S_ISREG(os.stat(file).st_mode):
                    found.append(file)
            except OSError as error:
                if error.errno not in _NOT_THERE:  # not a dangling link or a loop: unreadable
                    problems.append(_unreachable(file, error))
    return sorted(found), problems


# A name in a folder that leads nowhere (a dangling or looping symlink): not a fact file.
_NOT_THERE = (errno.ENOENT, errno.ENOTDIR, errno.ELOOP)


def _unreachable(path: Path, error: OSError) -> Problem:
    if isinstance(error, FileNotFoundError):
        return Problem(
            display_path(path), None, "no such file or folder; check the path", "missing-path"
        )
    reason = error.strerror or str(error)
    fix = "check its permissions" if isinstance(error, PermissionError) else "check the path"
    return Problem(display_path(path), None, f"cannot be read ({reason}); {fix}", "unreadable")


Progress = Callable[[int, int], None]  # (bytes read so far, bytes to read), after each file


def read_factset(
    paths: Sequence[Path] | None = None,
    *,
    use_cache: bool = False,
    progress: Progress | None = None,
    context: FactSet | None = None,
) -> Checked:
    """Read, validate and check fact files (default: the built-in facts) without raising: every
    problem of every file, then the consistency checks over the records that are valid.

    With `context` (the built-in set, for `validate PACK`), the files may name its sources,
    cities and stated facts without declaring them; the set returned holds the files' own
    records only, and nothing is cached.

    With `use_cache`, a set loaded before from unchanged files comes from the cache, checks and
    warnings included, and a valid set read anew is kept there for the next start."""
    files, problems = fact_files(paths if paths is not None else [builtin_facts_dir()])
    too_much = _beyond_load_limits(files, paths or [builtin_facts_dir()])
    if too_much is not None:  # refused before any file is read
        return Checked(tuple(display_path(f) for f in files), FactSet((), {}, {}), (too_much,))
    if not use_cache or problems or context is not None:
        return _read(files, problems, progress, context=context)
    from returnee_cli import cache

    cached = cache.load(files)
    if cached is not None:
        return cached
    from returnee_cli import checks

    # Every file is stamped as it is read, and the stamps are checked again before the result
    # is kept: a file edited during the load leaves nothing in the cache (cache.py).
    # What parsing each unchanged file gave is kept by its bytes: an edit re-parses one file.
    watch = cache.Watch()
    entries = cache.FileEntries(watch=watch)
    collecting = gc.isenabled()
    gc.disable()  # as in _read: the entry's rows, a million at --huge, are no cycles either
    try:
        with checks.watching(watch.saw):
            checked = _read(files, problems, progress, entries=entries)
        if not checked.errors:
            cache.store(files, checked, watch, entries=entries)
    finally:
        if collecting:
            gc.freeze()
            gc.enable()
    return checked


def _read(
    files: list[Path],
    problems: list[Problem],
    progress: Progress | None,
    context: FactSet | None = None,
    entries: FileEntries | None = None,
) -> Checked:
    """The cold path: every file parsed, assembled and checked. Imported here, so a warm start
    from the cache never pays for it."""
    # Composing YAML makes millions of small objects, none in a cycle; each one would count
    # towards the cyclic collector's next pass, and each pass walks them all (building the tree
    # of 100,000 facts took 10.0 s with it, 3.6 s without: issue 13). What survives the load
    # lives as long as the process, so it is frozen out of the collector's reach after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _read_all(files, problems, progress, context, entries)
    finally:
        if collecting:
            gc.freeze()
            gc.enable()


def _read_all(
    files: list[Path],
    problems: list[Problem],
    progress: Progress | None,
    context: FactSet | None,
    entries: FileEntries | None,
) -> Checked:
    from returnee_cli import checks
    from returnee_cli.assembly import Assembler

    assembler = Assembler(context)
    if context is None and not _holds_built_in(files):
        assembler.built_in = _built_in_set
    total = sum(_size(path) for path in files) if progress else 0
    done = 0
    for path in files:
        kept = entries.get(path) if entries is not None else None
        if kept is None:
            from returnee_cli.parsing import read_fact_file  # imports yaml: only for a parse

            kept = read_fact_file(path)
            if entries is not None:
                entries.keep(path, *kept)
        assembler.add_content(kept[0])
        problems.extend(kept[1])
        if progress:
            done += _size(path)
            progress(done, total)
    factset, more = assembler.build()
    assembler.raw_facts.clear()  # each made into its Fact: a million of them is a gigabyte
    problems.extend(more)
    problems.extend(checks.check_factset(assembler.with_context(factset), assembler.known))
    # as a compiler lists them: errors first, then by file and line
    problems.sort(key=lambda p: (p.severity != ERROR, p.file, p.line or 0))
    return Checked(tuple(display_path(f) for f in files), factset, tuple(problems))


def _holds_built_in(files: Sequence[Path]) -> bool:
    built_in = os.path.realpath(builtin_facts_dir())
    return any(os.path.realpath(file).startswith(built_in + os.sep) for file in files)


def _built_in_set() -> FactSet | None:
    """The built-in facts, or None where they do not load: read anew (asked only when a
    reference is unknown, and so `validate` never answers from the cache)."""
    checked = read_factset()
    return None if checked.errors else checked.factset


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
