"""A compiled cache of loaded fact sets, so that a start does not parse YAML or re-run the checks.

One entry per set of fact files asked for, in the user's cache folder (RETURNEES_CACHE_DIR
overrides it). An entry holds the validated set as plain rows, its warnings, and the path, size,
modification time and inode of every file it was built from (fact files and stored texts): if
any differs, the entry is stale and the files are read again. Entries are marshal data (no code
runs on loading: never pickle) behind a magic line and a checksum, so a truncated, corrupt or
foreign file is never decoded, only ignored and rebuilt. Entries are written to a temporary file and
renamed into place by the one writer (writer.py): a reader, or an interrupted writer, never leaves
half an entry behind.
Anything wrong with the cache folder makes the cache step aside; it is never fatal.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import marshal
import os
import sys
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from returnee_cli import __version__
from returnee_cli.errors import Problem
from returnee_cli.model import (
    Checked,
    City,
    Declared,
    FactSet,
    Location,
    Source,
    StoredFacts,
    declared,
    fact_row,
)
from returnee_cli.paths import display_path

CACHE_ENV = "RETURNEES_CACHE_DIR"
MAGIC = b"returnees-cache 1\n"
# What an entry depends on besides the files: the format above, this version of returnees (its
# rules decide what is valid) and this Python (marshal's format is its own).
_SALT = f"{MAGIC!r} {__version__} {importlib.util.MAGIC_NUMBER.hex()}"


def cache_dir() -> Path:
    """RETURNEES_CACHE_DIR, else the platform's cache folder: XDG on Linux."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "returnees" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "returnees"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "returnees"


# The modules whose rules decide what a valid fact set is: an entry built under other rules (a
# new release, a local edit) is not trusted, even if __version__ did not change.
_RULES = ("assembly.py", "cache.py", "checks.py", "fields.py", "model.py", "parsing.py")


def _stamp(path: Path) -> list[Any]:
    """What changes when a file does: its size, its times and its inode. The change time (ctime)
    catches even an edit whose modification time was put back (cp -p, touch -r)."""
    info = path.stat()  # through symlinks: a link pointed elsewhere is a changed file
    return [str(path), info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def _absolute(path: Path) -> str:
    return os.path.abspath(path)


def _rules() -> list[list[Any]]:
    here = Path(__file__).parent
    return [_stamp(here / name) for name in _RULES]


def _names(files: Sequence[Path]) -> list[str]:
    return [_absolute(path) for path in files]


def entry_path(files: Sequence[Path], folder: Path | None = None) -> Path:
    """One entry per list of files asked for. The name is a short digest (zlib, to spare the
    start-up hashlib's import); a clash costs a rebuild, never a wrong answer, as an entry also
    records the files it was built from."""
    names = json.dumps([_SALT, _names(files)]).encode("utf-8")
    digest = f"{zlib.crc32(names):08x}{zlib.adler32(names):08x}{len(names):x}"
    return (folder or cache_dir()) / f"factset-{digest}.bin"


def load(files: Sequence[Path], folder: Path | None = None) -> Checked | None:
    """The cached result of loading `files`, or None when there is none, or none to trust."""
    try:
        data = entry_path(files, folder).read_bytes()
    except (OSError, ValueError):
        return None
    split = data.find(b"\n\n")
    header, payload = data[:split], memoryview(data)[split + 2 :]  # no copy of a large payload
    if split < 0 or not header.startswith(MAGIC) or header[len(MAGIC) :] != _checksum(payload):
        return None
    # A million small objects would set off the cyclic garbage collector again and again, and
    # every later collection would walk them all (it doubled the time at 100,000 facts). None of
    # them can form a cycle, and they live as long as the process: load them with the collector
    # off, then freeze them out of its reach.
    collecting = gc.isenabled()
    gc.disable()
    try:
        stored = marshal.loads(payload)
        if stored["files"] != _names(files):
            return None  # another list of files whose entry name is the same
        if stored["deps"] != [_stamp(Path(path)) for path, *_ in stored["deps"]]:
            return None  # a file was edited since
        if stored["rules"] != _rules():
            return None  # built by another version of the rules
        checked = _decode(stored)
        gc.freeze()
        return checked
    except Exception:  # a foreign or old entry: rebuilt, never trusted
        return None
    finally:
        if collecting:
            gc.enable()


def store(files: Sequence[Path], checked: Checked, folder: Path | None = None) -> None:
    """Keep `checked` for the next start. Quietly does nothing if the folder cannot be written."""
    from returnee_cli.errors import UsageError
    from returnee_cli.writer import write_file

    target = entry_path(files, folder)
    try:
        payload = marshal.dumps(_encode(files, checked))
        target.parent.mkdir(parents=True, exist_ok=True)
        entry = MAGIC + _checksum(payload) + b"\n\n" + payload

        def fill(path: Path) -> None:
            path.write_bytes(entry)

        write_file(target, fill, force=True, mode=0o600)
    except (OSError, ValueError, UsageError):
        pass  # no cache this time; the answer is the same


def _checksum(payload: bytes | memoryview) -> bytes:
    """Catches truncation and corruption (not forgery: the folder is the user's own)."""
    return f"{zlib.crc32(payload):08x} {len(payload)}".encode("ascii")


def _encode(files: Sequence[Path], checked: Checked) -> dict[str, Any]:
    factset = checked.factset
    fact_files = _names(files)
    index = {display_path(path): n for n, path in enumerate(files)}
    texts = sorted({str(s.text_path) for s in factset.sources.values() if s.text_path})

    def row(record: Source | City) -> tuple[Any, ...]:
        """Its declared fields in order (marshal holds no Path: as text; no record: a list of
        records as their fields' values), then (file, line)."""
        kind: type = type(record)
        plain = [_plain(getattr(record, field.name), field) for field in declared(kind)]
        return (*plain, index[record.location.file], record.location.line)

    return {
        "deps": [_stamp(Path(path)) for path in [*fact_files, *texts]],
        "rules": _rules(),
        "files": fact_files,
        "sources": [row(source) for source in factset.sources.values()],
        "cities": [row(city) for city in factset.cities.values()],
        "facts": [fact_row(fact, index[fact.location.file]) for fact in factset.facts],
        "warnings": [
            (_absolute(Path(p.file)), p.line, p.message, p.code, p.key, p.severity)
            for p in checked.problems
        ],
    }


def _plain(value: Any, field: Declared) -> Any:
    """A field's value as marshal can hold it."""
    if isinstance(value, Path):
        return str(value)
    if field.item_record is not None and value is not None:
        names = [entry.name for entry in declared(field.item_record)]
        return tuple(tuple(getattr(entry, name) for name in names) for entry in value)
    return value


def _unplain(value: Any, field: Declared) -> Any:
    """What _plain made of a field's value, back into the value."""
    if value is None:
        return None
    if Path in field.types:
        return Path(value)
    if field.item_record is not None:
        names = [entry.name for entry in declared(field.item_record)]
        return tuple(field.item_record(**dict(zip(names, v, strict=True))) for v in value)
    return value


def _decode(stored: dict[str, Any]) -> Checked:
    shown = [display_path(Path(path)) for path in stored["files"]]

    def arguments(record: type, row: Sequence[Any]) -> dict[str, Any]:
        """A row of `row()` in _encode back into the keyword arguments of `record`."""
        *values, file_index, line = row
        fields = {
            field.name: _unplain(value, field)
            for field, value in zip(declared(record), values, strict=True)
        }
        return {**fields, "location": Location(shown[file_index], line)}

    sources = {s.id: s for s in (Source(**arguments(Source, row)) for row in stored["sources"])}
    cities = {c.slug: c for c in (City(**arguments(City, row)) for row in stored["cities"])}
    facts = StoredFacts(stored["facts"], shown)
    problems = tuple(
        Problem(display_path(Path(file)), line, message, code, key, severity)
        for file, line, message, code, key, severity in stored["warnings"]
    )
    return Checked(tuple(shown), FactSet(facts, sources, cities), problems)
