"""A compiled cache of loaded fact sets, so that a start does not parse YAML or re-run the checks.

One entry per set of fact files asked for, in the user's cache folder (RETURNEES_CACHE_DIR
overrides it). An entry holds the validated set as plain rows, its warnings, and for every file it
was built from (fact files and stored texts) the stamp it had when it was read (size, modification
and change times, inode) with a digest of the bytes read, and the time the stamps were taken.
Beside it, one entry per fact file (FileEntries) holds what parsing that file gave, for the bytes
it was parsed from: when the set's entry cannot answer (a file edited, added, removed), the files
that did not change are not parsed again, and the whole-set checks run over their records.

What the cache trusts, and what it does not (docs/robustness.md, "The cache", says it for users):

- A file is stamped on the open file before its bytes are read, and stamped again by name after
  the whole load: a file that changed meanwhile is not cached. An entry answers only while every
  stamp is still the same.
- A stamp that changed while the bytes did not (a touch, a checkout of the same content) is
  found out by the digest, and the entry is written again with the new stamp.
- A stamp cannot tell apart two versions of a file written within one tick of its file system's
  clock (a second, two on FAT) at the same size. A file whose times fall that close to the moment
  its stamp was taken is "racy" (git's word, Documentation/technical/racy-git.txt) and is checked
  by content on the next load; once it is old enough to tell, the entry is written again with a
  new stamp time, so later starts skip that read.
- An entry is read only as a regular file, not through a symlink, within MAX_ENTRY_BYTES, owned by
  this user and writable by no one else. It is marshal data (no code runs on loading: never
  pickle) behind a magic line and a checksum, and its shape is checked before use; anything
  wrong means "rebuild", never a crash and never an empty answer.
- A forged entry written by this user (or root) is outside the threat model: whoever can write it
  could as well edit the fact files or returnees itself. It is shown like a fact file's content,
  through the same sanitizer. Other users cannot forge one: their files are never read.
- Anything wrong with the cache folder (none to be found, not writable) makes the cache step
  aside, silently; it is never fatal. Entries are written by the one writer (writer.py), and the
  folder is kept under MAX_FOLDER_BYTES by removing the oldest entries.
"""

from __future__ import annotations

import errno
import gc
import importlib.util
import json
import marshal
import os
import stat
import sys
import time
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, repeat
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

from returnee_cli import __version__
from returnee_cli.errors import Problem
from returnee_cli.model import (
    ROW_FIELD_NAMES,
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
from returnee_cli.slices import (
    CITY,
    DERIVED_FROM,
    HEADER,
    ID,
    ITEMS,
    REPORTED_IN,
    SOURCE,
    TOPIC,
    Entry,
    SlicedRows,
    _pread,
    entry_name,
    id_bucket,
    open_entry,
    open_table,
    own,
    section_name,
)
from returnee_cli.slices import ENTRY_PREFIX as ENTRY_PREFIX  # the set's entry: its names
from returnee_cli.slices import ENTRY_SUFFIX as ENTRY_SUFFIX
from returnee_cli.slices import SET_MAGIC as SET_MAGIC

if TYPE_CHECKING:
    from returnee_cli.parsing import FileContent

CACHE_ENV = "RETURNEES_CACHE_DIR"
MAGIC = b"returnees-cache 3\n"
# What an entry depends on besides the files: the format above, this version of returnees (its
# rules decide what is valid) and this Python (marshal's format is its own).
_SALT = f"{MAGIC!r} {__version__} {importlib.util.MAGIC_NUMBER.hex()}"
# The set's entry has a layout and a name of its own (slices.py), read a slice at a time.
_HEADER = HEADER
# One entry per fact file as well (issue 13): what parsing it gave, keyed by its bytes, so that
# an edit of one file of a pack re-parses that file alone.
FILE_ENTRY_PREFIX = "factfile-"
ENTRY_PREFIXES = (ENTRY_PREFIX, FILE_ENTRY_PREFIX)

# An entry larger than this is neither read nor written. The entry of 100,000 facts (the largest
# benchmark) takes 27 MiB; the bound keeps a stray huge file from being read into memory.
MAX_ENTRY_BYTES = 256 * 1024 * 1024
# Renewing a set's entry's stamps copies its rows and indexes in pieces of at most this size.
RENEW_PIECE_BYTES = 16 * 1024 * 1024
# The set's entry is never read whole (slices.py): each of its slices and sections is one read,
# within MAX_ENTRY_BYTES; the file itself may hold a million facts (about 300 MB).
MAX_SET_ENTRY_BYTES = 16 * MAX_ENTRY_BYTES
# After each write the folder is brought under this size: the oldest entries (by modification
# time) go first, never the one just written. Every edit of a pack leaves one more entry behind.
MAX_FOLDER_BYTES = 128 * 1024 * 1024
# How close to its stamp time a file's times may fall before its stamp cannot tell an edit apart:
# FAT keeps modification times to 2 s, ext3 and HFS+ to 1 s; a second more for clocks that
# round rather than truncate.
RACY_WINDOW_NS = 3_000_000_000

Stamp = tuple[int, int, int, int]  # size, modification time, change time, inode
Digest = tuple[bytes, int]  # BLAKE2b (128 bits) and length of the bytes read


def _now() -> int:
    return time.time_ns()


def cache_dir() -> Path | None:
    """RETURNEES_CACHE_DIR, else the platform's cache folder (XDG on Linux); None when there is
    none to be found (no home folder: no HOME and no passwd entry)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        base = Path(local) if local else _home() / "AppData" / "Local" if _home() else None
        return base / "returnees" / "Cache" if base else None
    home = _home()
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "returnees" if home else None
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):  # the XDG spec: a relative path is invalid and must be ignored
        return Path(xdg) / "returnees"
    return home / ".cache" / "returnees" if home else None


def _home() -> Path | None:
    given = os.environ.get("HOME")
    if given is not None and not os.path.isabs(given):
        return None  # HOME='' (Python would make it /) or relative: nowhere to trust
    try:
        return Path.home()
    except (RuntimeError, KeyError, OSError):  # no HOME, and no passwd entry to fall back on
        return None


# The modules whose rules decide what a valid fact set is: an entry built under other rules (a
# new release, a local edit) is not trusted, even if __version__ did not change.
_RULES = (
    *("assembly.py", "cache.py", "checks.py", "fields.py", "model.py", "parsing.py"),
    *("figures.py", "intervals.py", "lexicon.py"),  # the figures and words the checks read
    *("records.py", "angles.py"),  # the records and city names the set entry's meta holds
    "placeholders.py",  # what a parse reads as a value still to write (not a value)
)


def _stamp_of(info: os.stat_result) -> Stamp:
    """What changes when a file does: its size, its times and its inode. The change time (ctime)
    catches even an edit whose modification time was put back (cp -p, touch -r)."""
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _stamp(path: str | Path) -> Stamp:
    return _stamp_of(os.stat(path))  # through symlinks: a link pointed elsewhere is a change


def _digest(data: bytes) -> Digest:
    """A digest of the bytes a load read: BLAKE2b of 128 bits, and the length. It answers for a
    file's content where its stamp cannot: a racy file, a file touched or checked out again
    with the same bytes (then only the stamp is renewed), and which per-file entry holds what
    parsing those bytes gave. A stamp that changed may hide any edit, so the digest must catch
    any edit: a CRC would let one in four billion through. Its import (hashlib, 3 ms) is paid
    only where a file is read; a warm start reads none."""
    from hashlib import blake2b

    return (blake2b(data, digest_size=16).digest(), len(data))


def _absolute(path: Path) -> str:
    return os.path.abspath(path)


def _rules() -> list[list[Any]]:
    here = Path(__file__).parent
    return [[name, *_stamp(here / name)] for name in _RULES]


def _names(files: Sequence[Path]) -> list[str]:
    return [_absolute(path) for path in files]


def entry_path(files: Sequence[Path], folder: Path | None = None) -> Path | None:
    """One entry per list of files asked for (None: no cache folder). The name is a short digest
    (zlib, to spare the start-up hashlib's import); a clash costs a rebuild, never a wrong answer,
    as an entry also records the files it was built from."""
    folder = folder or cache_dir()
    if folder is None:
        return None
    return folder / entry_name(_names(files))


class Watch:
    """What a load read: for every file, its stamp on the open file before its bytes were read
    and a digest of those bytes; and when the stamping began. `loading` hands `saw` to
    checks.watching for the length of a cold load."""

    def __init__(self) -> None:
        self.started = _now()
        self.reads: list[tuple[str, Stamp, Digest]] = []

    def saw(self, path: Path, info: os.stat_result, data: bytes) -> None:
        self.reads.append((_absolute(path), _stamp_of(info), _digest(data)))


def load(files: Sequence[Path], folder: Path | None = None) -> Checked | None:
    """The cached result of loading `files`, or None when there is none, or none to trust.

    Only the entry's table and its meta section (stamps, files, sources, cities, warnings) are
    read here; the fact rows stay in the entry until a question reads them (slices.py)."""
    target = entry_path(files, folder)
    if target is None:
        return None
    opened = _open_entry(target, MAX_SET_ENTRY_BYTES)
    if opened is None:
        return None
    handle, size, written = opened
    kept = False
    # The rows a question reads are few, but a full scan makes a million small objects: with the
    # cyclic collector on, each of its passes would walk them all. None can form a cycle.
    collecting = gc.isenabled()
    gc.disable()
    try:
        entry = _open_sections(str(target), handle, size)
        if entry is None:
            return None
        stored = entry.value("meta")
        if not _well_formed(stored):
            return None  # damaged, foreign or forged: rebuilt
        if stored["files"] != _names(files):
            return None  # another list of files whose entry name is the same
        if stored["rules"] != _rules():
            return None  # built by another version of the rules
        fresh = _still_fresh(stored, max(stored["stamped"], written))
        if fresh is None:
            return None  # a file was edited since
        checked = _decode(stored, entry)
        if fresh:
            _renew(target, entry, stored)  # verified by content, and now old enough to tell
        import weakref

        weakref.finalize(entry, os.close, handle)  # open while its rows may be asked for
        kept = True
        gc.freeze()  # what the start made lives as long as the process: out of the collector's way
        return checked
    except Exception:  # anything the checks above missed: rebuilt, never trusted
        return None
    finally:
        if not kept:
            os.close(handle)
        if collecting:
            gc.enable()


def _open_entry(target: Path, limit: int) -> tuple[int, int, int] | None:
    return open_entry(str(target), limit)


def _read_entry(target: Path) -> tuple[bytes, int] | None:
    """The entry's bytes and modification time, if it is a regular file (not a symlink, FIFO or
    device: nothing that could hang or never end), within MAX_ENTRY_BYTES, owned by this user
    and writable by no one else (slices.open_entry); else None."""
    opened = _open_entry(target, MAX_ENTRY_BYTES)
    if opened is None:
        return None
    handle, size, written = opened
    try:
        with open(handle, "rb", closefd=False) as stream:
            data = stream.read(size + 1)
        return (data, written) if len(data) == size else None
    except (OSError, ValueError, MemoryError):
        return None
    finally:
        os.close(handle)


_own = own  # the same rule for every entry (slices.py)


def _racy(stamp: Stamp, reference: int) -> bool:
    """Whether an edit after `reference` could have left `stamp` as it was: the file's times
    fall within a clock tick of it (or after it: a clock set back)."""
    return max(stamp[1], stamp[2]) >= reference - RACY_WINDOW_NS


def _still_fresh(stored: dict[str, Any], reference: int) -> bool | None:
    """None if a file changed since the entry was made. Else whether to write the entry again:
    True when a file's stamp changed but not its bytes (touched, or checked out again: its new
    stamp is recorded), or when a racy file was checked by content and is now old enough for
    its stamp alone to tell (then the entry's stamp time moves on, and later starts skip that
    read)."""
    begun = _now()
    verified = renewed = False
    for dep in stored["deps"]:
        path, size, mtime, ctime, inode, digest, length = dep
        recorded: Stamp = (size, mtime, ctime, inode)
        try:
            now = _stamp(path)
        except (OSError, ValueError):
            return None
        if now != recorded:
            if digest is None:
                return None  # a stored text no fact quotes was never read: its stamp decides
            read = _content(path, length)
            if read is None or read[1] != (digest, length):
                return None
            dep[1:5] = read[0]  # the same bytes: only the stamp is new
            renewed = True
        elif digest is not None and _racy(recorded, reference):
            if _content(path, length) != (recorded, (digest, length)):
                return None
            verified = True
    if renewed:
        stored["stamped"] = begun  # a renewed stamp is racy now: checked by content next time
        return True
    if not verified:
        return False
    later = begun - 1_000_000_000  # a second to spare for the time the entry takes to write
    if any(_racy((s, m, c, i), later) for _, s, m, c, i, *_ in stored["deps"]):
        return False  # still too recent to tell: checked by content again next time
    stored["stamped"] = begun
    return True


def _content(path: str, length: int) -> tuple[Stamp, Digest] | None:
    """A file's stamp, taken on the open file before its bytes are read, and the digest of
    those bytes; None if it is not a regular file of `length` bytes (then it changed)."""
    try:
        with open(path, "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size != length:
                return None
            return _stamp_of(info), _digest(stream.read(info.st_size + 1))
    except (OSError, ValueError):
        return None


def store(
    files: Sequence[Path],
    checked: Checked,
    watch: Watch,
    folder: Path | None = None,
    entries: FileEntries | None = None,
) -> None:
    """Keep `checked` for the next start, and an entry for each file of `entries` parsed anew,
    unless a file changed while it was read. Quietly does nothing if the folder cannot be
    written."""
    target = entry_path(files, folder)
    if target is None:
        return
    try:
        seen = _seen(watch)
        deps = None if seen is None else _dependencies(files, checked, seen)
        if deps is None:
            return  # a file changed during the load: this result may mix two versions of it
        written = _store_files(entries, seen or {}) if entries is not None else []
        # _pack_set takes the rows out of the dict it is given and lets them go once
        # marshalled: with a million facts, the rows, their bytes and the file laid out in
        # memory were three copies at once (over the 2 GiB issue 13 allows a cold load).
        _write_parts(target, _pack_set(_encode(files, checked, deps, watch.started)))
        prune(target.parent, keep=[target, *written])
    except (OSError, ValueError):
        pass  # no cache this time; the answer is the same


def _seen(watch: Watch) -> dict[str, tuple[Stamp, Digest]] | None:
    """Each file read, with its stamp and digest; None if a file read twice was found different."""
    seen: dict[str, tuple[Stamp, Digest]] = {}
    for path, stamp, digest in watch.reads:
        if seen.setdefault(path, (stamp, digest)) != (stamp, digest):
            return None
    return seen


def _dependencies(
    files: Sequence[Path], checked: Checked, seen: dict[str, tuple[Stamp, Digest]]
) -> list[Any] | None:
    """Every file the result depends on, stamped as it was read; None if any stamp differs now,
    after the load, from the one taken before its bytes were read. Stored texts no fact quotes
    were never read: only their stamps count."""
    if not set(_names(files)) <= set(seen):
        return None  # a fact file that was not read through checks.read_at_most: no stamp
    for path, (stamp, _) in seen.items():
        if _stamp(path) != stamp:
            return None
    deps: list[Any] = [[path, *stamp, *digest] for path, (stamp, digest) in seen.items()]
    texts = {str(s.text_path) for s in checked.factset.sources.values() if s.text_path}
    for text in sorted({_absolute(Path(t)) for t in texts} - set(seen)):
        deps.append([text, *_stamp(text), None, None])
    return deps


def _store_entry(target: Path, stored: dict[str, Any] | bytes) -> None:
    """Write an entry: `stored`, or `stored` already marshalled."""
    from returnee_cli.errors import UsageError
    from returnee_cli.writer import write_file

    payload = stored if isinstance(stored, bytes) else marshal.dumps(stored)
    header = MAGIC + _checksum(payload) + b"\n\n"
    if len(header) + len(payload) > MAX_ENTRY_BYTES:
        return  # it would never be read
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if target.is_symlink() or (target.exists() and not target.is_file()):
            target.unlink()  # a FIFO or device under an entry's name: the writer would refuse it

        def fill(path: Path) -> None:
            with path.open("wb") as stream:  # not joined first: a second copy of a large entry
                stream.write(header)
                stream.write(payload)

        write_file(target, fill, force=True, mode=0o600)
    except (OSError, ValueError, UsageError):
        pass  # no cache this time; the answer is the same


class _Span(NamedTuple):
    """Bytes of an open file, to be copied as they are: the rows and indexes a renewal keeps."""

    handle: int
    offset: int
    length: int


Part = bytes | bytearray | memoryview | list[bytes] | _Span


def _copy_span(span: _Span, stream: BinaryIO) -> None:
    """Copy `span` to the end of `stream`, in the kernel where it can (copy_file_range: a
    renewal of 100,000 facts' entry no longer reads 32 MB into memory and writes it back)."""
    stream.flush()
    handle, offset, left = span
    while left:
        try:
            done = os.copy_file_range(handle, stream.fileno(), left, offset)
        except (AttributeError, OSError):  # no such call here, or not between these files
            done = 0
        if done <= 0:
            data = _pread(handle, min(left, RENEW_PIECE_BYTES), offset)
            if not data:
                raise OSError(errno.EIO, "the entry being renewed ended early")
            stream.write(data)
            stream.flush()
            done = len(data)
        offset, left = offset + done, left - done


def _write_parts(target: Path, parts: Sequence[Part] | None) -> None:
    """Write an entry made of `parts` (None: none to write), as _store_entry does: bytes, a
    list of bytes (the rows, each marshalled alone), or a span of an open file."""
    from returnee_cli.errors import UsageError
    from returnee_cli.writer import write_file

    if parts is None:
        return
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if target.is_symlink() or (target.exists() and not target.is_file()):
            target.unlink()  # a FIFO or device under an entry's name: the writer would refuse it

        def fill(path: Path) -> None:
            with open(path, "wb") as stream:
                for part in parts:
                    if isinstance(part, _Span):
                        _copy_span(part, stream)
                    elif isinstance(part, list):
                        stream.writelines(part)
                    else:
                        stream.write(part)

        write_file(target, fill, force=True, mode=0o600)
    except (OSError, ValueError, UsageError):
        pass  # no cache this time; the answer is the same


def _checksum(payload: bytes | memoryview) -> bytes:
    """Catches truncation and corruption (not forgery: see the trust model above)."""
    return f"{zlib.crc32(payload):08x} {len(payload)}".encode("ascii")


# --- one entry per fact file ----------------------------------------------------------------------

FILE_KEYS = ("file", "digest", "rules", "texts", "sources", "cities", "facts", "problems")


def file_entry_path(path: Path, folder: Path | None = None) -> Path | None:
    """The entry of one fact file, named after its absolute path (None: no cache folder)."""
    folder = folder or cache_dir()
    if folder is None:
        return None
    name = json.dumps([_SALT, "file", _absolute(path)]).encode("utf-8")
    digest = f"{zlib.crc32(name):08x}{zlib.adler32(name):08x}{len(name):x}"
    return folder / f"{FILE_ENTRY_PREFIX}{digest}{ENTRY_SUFFIX}"


class FileEntries:
    """What parsing each fact file gave, for a load the set's entry cannot answer (a file was
    edited, added or removed). An entry answers only for the very bytes it was parsed from (its
    digest), under the same rules, with the same stored texts present or missing (parsing a
    source looks for its text): whatever else a file's parse could depend on, its path, is the
    entry's name. So an edit re-parses the edited file alone; the set's checks run again over
    the whole (loading.py), and no YAML is read for the files that did not change."""

    def __init__(self, folder: Path | None = None, watch: Watch | None = None) -> None:
        self.folder = folder or cache_dir()
        self.watch = watch
        # what was parsed anew in this load, by absolute path, as the digest of the bytes parsed
        # and the entry marshalled at once (a tenth of the memory of the records themselves,
        # which a load of a million facts lets go of file by file): `store` writes each entry if
        # the load is kept
        self.parsed: dict[str, tuple[Digest, bytes]] = {}

    def get(self, path: Path) -> tuple[FileContent, list[Problem]] | None:
        """The records and problems of `path` as parsing its present bytes gives them, or None
        (parse it). The file is read through checks.read_at_most, so the load records it."""
        target = file_entry_path(path, self.folder)
        read = _read_entry(target) if target is not None else None
        if read is None:
            return None
        try:
            stored = _unpack(read[0])
            if not _file_well_formed(stored) or stored["file"] != _absolute(path):
                return None
            if stored["rules"] != _rules():
                return None
            if any(os.path.isfile(text) != present for text, present in stored["texts"]):
                return None  # a stored text appeared or went: the parse would differ
            length = stored["digest"][1]
            if os.stat(path).st_size != length:
                return None  # edited: not worth reading twice
            from returnee_cli import checks

            data = checks.read_at_most(path, length)
            if data is None or _digest(data) != stored["digest"]:
                return None
            return _decode_file(stored, display_path(path))
        except Exception:  # damaged beyond what the shape check sees: parsed again
            return None

    def keep(self, path: Path, content: FileContent, problems: list[Problem]) -> None:
        """Keep what parsing `path` gave, for the bytes the load read of it (the last read of it
        the watch saw: checks.read_at_most, in parsing, has just read it)."""
        if self.watch is None:
            return
        name = _absolute(path)
        digest = next((d for p, _, d in reversed(self.watch.reads) if p == name), None)
        if digest is None:
            return
        try:
            self.parsed[name] = (
                digest,
                marshal.dumps(_encode_file(name, digest, content, problems)),
            )
        except (ValueError, KeyError):
            pass  # a value marshal cannot hold: this file is parsed every time


def _unpack(data: bytes) -> Any:
    """An entry's payload, decoded, if its magic line and checksum are right; else None."""
    split = data.find(b"\n\n")
    header, payload = data[:split], memoryview(data)[split + 2 :]  # no copy of a large payload
    if split < 0 or not header.startswith(MAGIC) or header[len(MAGIC) :] != _checksum(payload):
        return None
    return marshal.loads(payload)


def _store_files(entries: FileEntries, seen: dict[str, tuple[Stamp, Digest]]) -> list[Path]:
    """An entry for each file parsed anew, for the bytes the load read of it; their paths."""
    written = []
    for path, (digest, payload) in entries.parsed.items():
        target = file_entry_path(Path(path), entries.folder)
        if target is None or path not in seen or seen[path][1] != digest:
            continue
        _store_entry(target, payload)
        written.append(target)
    entries.parsed.clear()  # written: let go of them before the set's entry is made
    return written


def _encode_file(
    path: str, digest: Digest, content: FileContent, problems: list[Problem]
) -> dict[str, Any]:
    texts = sorted({str(s.text_path) for s in content.sources if s.text_path is not None})
    return {
        "file": path,
        "digest": digest,
        "rules": _rules(),
        "texts": [(text, os.path.isfile(text)) for text in texts],
        "sources": [_record_row(source, 0) for source in content.sources],
        "cities": [_record_row(city, 0) for city in content.cities],
        "facts": [
            (raw.values, raw.location.line, raw.complete, _lines_cell(raw.lines), raw.decimals)
            for raw in content.facts
        ],
        "problems": [(p.line, p.message, p.code, p.key, p.severity) for p in problems],
    }


def _lines_cell(lines: Mapping[str, int]) -> Any:
    """The line of each key of a fact: a dict, or a compact KeyLines as its parts."""
    parts = getattr(lines, "parts", None)
    return parts() if parts is not None else dict(lines)


def _file_well_formed(stored: Any) -> bool:
    """The shape _encode_file gives an entry: as for a set's entry (_well_formed), the values of
    the facts' fields are not checked one by one; their rows, keys and lines are."""
    if type(stored) is not dict or tuple(stored) != FILE_KEYS or type(stored["file"]) is not str:
        return False
    if not _cells_ok(stored["digest"], (bytes, int)):
        return False
    texts = stored["texts"]
    if type(texts) is not list or not all(
        type(t) is tuple and len(t) == 2 and type(t[0]) is str and type(t[1]) is bool for t in texts
    ):
        return False
    for kind, rows in ((Source, stored["sources"]), (City, stored["cities"])):
        fields = declared(kind)
        if type(rows) is not list or not all(_record_ok(row, fields, 1) for row in rows):
            return False
    optional = (int, type(None))
    problem = (optional, str, str, (str, type(None)), str)
    if type(stored["problems"]) is not list or not all(
        _cells_ok(row, problem) for row in stored["problems"]
    ):
        return False
    return _raw_facts_ok(stored["facts"])


def _raw_facts_ok(facts: Any) -> bool:
    """Each raw fact a (values, line, complete, lines, decimals) row: a dict of fields by name,
    an int, a bool, and dicts of ints by name. Checked column by column, each in one pass in C
    (a row at a time cost a rebuild of 100,000 facts a third of a second)."""
    if type(facts) is not list:
        return False
    if not facts:
        return True
    if set(map(type, facts)) != {tuple} or set(map(len, facts)) != {5}:
        return False
    values, lines, complete, key_lines, decimals = zip(*facts, strict=True)
    compact = [cell for cell in key_lines if type(cell) is tuple]
    numbered = (*(cell for cell in key_lines if type(cell) is not tuple), *decimals)
    return (
        set(map(type, values)) == {dict}
        and _plain_values(list(chain.from_iterable(map(dict.values, values))), nested=True)
        and set(map(type, lines)) == {int}
        and set(map(type, complete)) <= {bool}
        and set(map(type, numbered)) <= {dict}
        and set(map(type, chain.from_iterable((*values, *numbered)))) <= {str}
        and set(map(type, chain.from_iterable(map(dict.values, numbered)))) <= {int}
        and _compact_lines_ok(compact)
    )


_PLAIN = frozenset((str, int, float, bool, type(None)))


def _plain_values(cells: list[Any], nested: bool) -> bool:
    """The values of a raw fact's fields: plain, a tuple of text (a list), or (`nested`) a
    `derive` mapping of the same. Nothing deeper: marshal's references let a forged entry hold
    one list twice at each level, forty deep (2**40 values in a few hundred bytes), which an
    answer would never finish writing."""
    kinds = set(map(type, cells))
    if not kinds <= _PLAIN | {tuple, dict} or (dict in kinds and not nested):
        return False
    if tuple in kinds:
        lists = [cell for cell in cells if type(cell) is tuple]
        if not set(map(type, chain.from_iterable(lists))) <= {str}:
            return False
    if dict in kinds:
        mappings = [cell for cell in cells if type(cell) is dict]
        inner = list(chain.from_iterable(map(dict.values, mappings)))
        keys = chain.from_iterable(mappings)
        return set(map(type, keys)) <= {str} and _plain_values(inner, nested=False)
    return True


def _compact_lines_ok(cells: list[tuple[Any, ...]]) -> bool:
    """Each one KeyLines' parts: the keys (text), the first line, a byte for each key. Column
    by column, as the rest; the keys' tuples are shared, so each is looked into once."""
    if not cells:
        return True
    if set(map(len, cells)) != {3}:
        return False
    keys, firsts, offsets = zip(*cells, strict=True)
    if set(map(type, keys)) != {tuple} or set(map(type, firsts)) != {int}:
        return False
    if set(map(type, offsets)) != {bytes} or list(map(len, keys)) != list(map(len, offsets)):
        return False
    distinct = {id(names): names for names in keys}.values()
    return set(map(type, chain.from_iterable(distinct))) <= {str}


def _decode_file(stored: dict[str, Any], shown: str) -> tuple[FileContent, list[Problem]]:
    from returnee_cli.parsing import FileContent, KeyLines, RawFact

    files = [shown]
    content = FileContent(
        [Source(**_arguments(Source, row, files)) for row in stored["sources"]],
        [City(**_arguments(City, row, files)) for row in stored["cities"]],
        [
            RawFact(
                values,
                Location(shown, line),
                complete,
                KeyLines(*lines) if type(lines) is tuple else lines,
                decimals,
                passed=True,
            )
            for values, line, complete, lines, decimals in stored["facts"]
        ],
    )
    problems = [
        Problem(shown, line, message, code, key, severity)
        for line, message, code, key, severity in stored["problems"]
    ]
    return content, problems


# --- housekeeping: `returnees cache info` and `returnees cache clear` ---------------------------


@dataclass(frozen=True)
class Summary:
    """What `returnees cache info` reports: where the cache is, its entries and their size."""

    folder: Path | None  # None: no cache folder can be found
    entries: int
    size: int  # bytes


def _own_files(folder: Path) -> list[tuple[Path, os.stat_result]]:
    """The entries in `folder`: only returnees' own names, only regular files (never followed
    through a symlink). Interrupted writes' leftovers are the writer's to remove."""
    found = []
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    for name in names:
        if not (name.startswith(ENTRY_PREFIXES) and name.endswith(ENTRY_SUFFIX)):
            continue
        try:
            info = os.lstat(folder / name)
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode):
            found.append((folder / name, info))
    return found


def summary(folder: Path | None = None) -> Summary:
    folder = folder or cache_dir()
    if folder is None:
        return Summary(None, 0, 0)
    files = _own_files(folder)
    return Summary(folder, len(files), sum(info.st_size for _, info in files))


def clear(folder: Path | None = None) -> Summary:
    """Remove every entry of returnees' own, nothing else (and, as every write does, leftovers
    of writers that were killed); what was removed."""
    from returnee_cli.writer import remove_leftovers

    folder = folder or cache_dir()
    if folder is None:
        return Summary(None, 0, 0)
    removed, size = 0, 0
    for path, info in _own_files(folder):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed, size = removed + 1, size + info.st_size
    if folder.is_dir():
        remove_leftovers(folder)
    return Summary(folder, removed, size)


def prune(folder: Path, keep: Sequence[Path], limit: int | None = None) -> None:
    """Remove the oldest entries until the folder holds at most `limit` (MAX_FOLDER_BYTES) bytes
    of them, never those in `keep` (the entries just written)."""
    limit = MAX_FOLDER_BYTES if limit is None else limit
    files = _own_files(folder)
    total = sum(info.st_size for _, info in files)
    for path, info in sorted(files, key=lambda item: item[1].st_mtime_ns):
        if total <= limit:
            break
        if path not in keep:
            path.unlink(missing_ok=True)
            total -= info.st_size


# --- the entry's content --------------------------------------------------------------------------

KEYS = ("stamped", "deps", "rules", "files", "sources", "cities", "facts", "warnings", "answers")
# What the meta section holds: all but the rows, and how many rows there are and their topics.
META_KEYS = (*(key for key in KEYS if key != "facts"), "count", "topics")
# The cells the entry's indexes vouch for (slices.py reads them by position).
assert [ROW_FIELD_NAMES[n] for n in (ID, CITY, TOPIC, SOURCE, REPORTED_IN)] == [
    "id",
    "city",
    "topic",
    "source",
    "reported_in",
]
assert [ROW_FIELD_NAMES[n] for n in (ITEMS, DERIVED_FROM)] == ["items", "derived_from"]


def _encode(
    files: Sequence[Path], checked: Checked, deps: list[Any], stamped: int
) -> dict[str, Any]:
    """The entry's content, all of it in memory: _pack_set lays it out in slices."""
    factset = checked.factset
    index = {display_path(path): n for n, path in enumerate(files)}

    def row(record: Source | City) -> tuple[Any, ...]:
        return _record_row(record, index[record.location.file])

    return {
        "stamped": stamped,
        "deps": deps,
        "rules": _rules(),
        "files": _names(files),
        "sources": [row(source) for source in factset.sources.values()],
        "cities": [row(city) for city in factset.cities.values()],
        "facts": [fact_row(fact, index[fact.location.file]) for fact in factset.facts],
        "warnings": [
            (_absolute(Path(p.file)), p.line, p.message, p.code, p.key, p.severity)
            for p in checked.problems
        ],
        "answers": _answers(factset),
    }


def _answers(factset: FactSet) -> dict[str, Any]:
    """What the warm answers (warm.py) need to write a fact's JSON record from its row without
    the model: the record's plan (each key, the row's cell, and how it is written: as it is, a
    list or null, or the source's record), every source's record, and each declared city's
    names as --city compares them. Generated here from the same declarations (records.py)."""
    from returnee_cli import records
    from returnee_cli.angles import city_key
    from returnee_cli.model import Fact

    def keys(*known: str | None) -> list[str]:
        return sorted({city_key(name) for name in known if name})

    plan = []
    for field in declared(Fact):
        if not field.about.record:
            continue
        kind = (
            "records"
            if field.item_record is not None
            else "list"
            if field.is_list
            else "source"
            if field.about.embedded
            else "value"
        )
        plan.append((field.name, ROW_FIELD_NAMES.index(field.name), kind))
    names = [
        (
            city.slug,
            sorted({city_key(name) for name in (city.slug, city.name, city.name_zh) if name}),
        )
        for city in factset.cities.values()
    ]
    return {
        "plan": plan,
        "row_length": len(ROW_FIELD_NAMES) + 1,
        "sources": {s.id: records.source_record(s) for s in factset.sources.values()},
        "cities": names,
    }


def _answers_ok(answers: Any) -> bool:
    """The shape _answers gives, to the depth warm.py relies on: it writes each source's record
    whole, and leaves the call to the full path on anything JSON cannot write (a forged value)."""
    if type(answers) is not dict or tuple(answers) != ("plan", "row_length", "sources", "cities"):
        return False
    plan, row_length = answers["plan"], answers["row_length"]
    if type(row_length) is not int or type(plan) is not list:
        return False
    if not all(_cells_ok(step, (str, int, str)) and 0 <= step[1] < row_length - 1 for step in plan):
        return False
    sources, cities = answers["sources"], answers["cities"]
    if type(sources) is not dict or not all(
        type(key) is str and type(record) is dict for key, record in sources.items()
    ):
        return False
    return type(cities) is list and all(
        type(city) is tuple
        and len(city) == 2
        and type(city[0]) is str
        and type(city[1]) is list
        and all(type(name) is str for name in city[1])
        for city in cities
    )


def _cell(row: Any, position: int) -> Any:
    """A row's text at `position`, or None (the nationwide statements have no city; a row of
    another shape, forged for a test, is laid out all the same and refused when read)."""
    return row[position] if type(row) is tuple and len(row) > position else None


def _pack_set(stored: dict[str, Any], other: Any = None) -> list[Part] | None:
    """The set's entry as the parts of its file (slices.py tells the layout); None if a slice
    or section would be too large to read back. (`other`: a meta section of anything else, for
    the damage tests.) The rows are taken out of `stored`, so that they can be let go of once
    marshalled, and the marshalled rows are parts of their own, never joined into one copy."""
    from array import array  # writing only: a start reads the numbers as memoryviews

    facts = list(stored.pop("facts", []))
    # Each indexed cell of every row, column by column (text, or None: the nationwide
    # statements' city; a cell of a forged row that is no text is laid out under None too, and
    # refused when read).
    whole = set(map(type, facts)) <= {tuple} and min(map(len, facts), default=99) > REPORTED_IN
    cities, topics, sources, quoted, fact_ids = (
        [
            cell if type(cell) is str else None
            for cell in (map(itemgetter(n), facts) if whole else map(_cell, facts, repeat(n)))
        ]
        for n in (CITY, TOPIC, SOURCE, REPORTED_IN, ID)
    )
    by_city: dict[str | None, list[int]] = {}
    by_topic: dict[str | None, list[int]] = {}
    by_source: dict[str | None, list[int]] = {}
    buckets: dict[int, dict[str, int]] = {}
    for position, city in enumerate(cities):
        by_city.setdefault(city, []).append(position)
    for position, topic in enumerate(topics):
        by_topic.setdefault(topic, []).append(position)
    for position, (source, quote) in enumerate(zip(sources, quoted, strict=True)):
        by_source.setdefault(source, []).append(position)
        if quote != source:
            by_source.setdefault(quote, []).append(position)
    for position, fact_id in enumerate(fact_ids):
        if fact_id is not None:
            buckets.setdefault(id_bucket(fact_id), {})[fact_id] = position
    order = [
        p for city in sorted(by_city, key=lambda c: (c is not None, c or "")) for p in by_city[city]
    ]
    # marshalled in file order, then laid out city by city
    count_of_rows = len(facts)
    blobs = list(map(_marshalled(facts).__getitem__, order))
    del facts, cities, topics, sources, quoted, fact_ids  # the rows: only their bytes from here
    sizes = list(map(len, blobs))
    starts = list(accumulate(sizes, initial=0))
    rows_length = starts[-1]
    offsets = array("Q", bytes(8 * count_of_rows))
    lengths = array("I", bytes(4 * count_of_rows))
    for n, position in enumerate(order):
        offsets[position], lengths[position] = _HEADER + starts[n], sizes[n]
    slices: list[tuple[str | None, int, int, int, int]] = []
    done = 0
    for city in sorted(by_city, key=lambda c: (c is not None, c or "")):
        first, done = done, done + len(by_city[city])
        begin, end = starts[first], starts[done]
        crc = zlib.crc32(b"".join(blobs[first:done]))  # one slice's copy at a time
        slices.append((city, _HEADER + begin, end - begin, crc, done - first))
    sections: dict[str, tuple[int, int, int]] = {}
    tail = bytearray()  # the sections, after the rows

    def add(name: str, data: bytes) -> None:
        sections[name] = (_HEADER + rows_length + len(tail), len(data), zlib.crc32(data))
        tail.extend(data)

    add("locate:offsets", offsets.tobytes())
    add("locate:lengths", lengths.tobytes())
    for kind, index in (("city", by_city), ("topic", by_topic), ("source", by_source)):
        for key, positions in index.items():
            add(section_name(kind, key), array("I", positions).tobytes())
    for number, ids in buckets.items():
        add(f"ids:{number}", marshal.dumps(ids))
    meta: Any = {key: value for key, value in stored.items() if key != "facts"}
    meta["count"] = count_of_rows
    meta["topics"] = sorted(topic for topic in by_topic if topic is not None)
    add(
        "meta", marshal.dumps(meta if other is None else other)
    )  # last: a renewal of its stamps rewrites it and the table
    sizes = [place[1] for place in sections.values()] + [place[2] for place in slices]
    if max(sizes, default=0) > MAX_ENTRY_BYTES:
        return None
    table = marshal.dumps({"byteorder": sys.byteorder, "sections": sections, "slices": slices})
    return [_header(_HEADER + rows_length + len(tail), table), blobs, tail, table]


def _marshalled(facts: list[Any]) -> list[bytes]:
    """Each row marshalled, in file order (twice as fast as in the slices' order: the rows lie
    in memory as they were made), with the text of each column that repeats (a city, a topic, a
    unit, a source, a base) interned: marshal marks it so, and each row read alone then shares
    it with the others (a full scan of 100,000 facts: about 60 MiB less than a copy in every
    row). A few thousand rows at a time, each let go of once marshalled: `facts` is left empty."""
    if not facts or set(map(type, facts)) != {tuple} or len(set(map(len, facts))) != 1:
        blobs = list(map(marshal.dumps, facts))  # (a forged entry's rows, in the tests)
        facts.clear()
        return blobs
    repeating = []
    for n in range(len(facts[0])):
        column = list(map(itemgetter(n), facts))
        repeating.append(
            set(map(type, column)) <= {str, type(None)} and len(set(column)) * 10 <= len(column)
        )
    blobs = []
    for start in range(0, len(facts), 4096):
        columns = list(zip(*facts[start : start + 4096], strict=True))
        facts[start : start + 4096] = repeat(None, len(columns[0]))
        for n, cells in enumerate(columns):
            if repeating[n]:
                columns[n] = tuple(c if c is None else sys.intern(c) for c in cells)
        blobs.extend(map(marshal.dumps, zip(*columns, strict=True)))
    facts.clear()
    return blobs


def _header(offset: int, table: bytes) -> bytes:
    return (
        SET_MAGIC
        + offset.to_bytes(8, "little")
        + len(table).to_bytes(4, "little")
        + zlib.crc32(table).to_bytes(4, "little")
    )


def _open_sections(path: str, handle: int, size: int) -> Entry | None:
    return open_table(path, handle, size, MAX_ENTRY_BYTES)


def _renew(target: Path, entry: Entry, stored: dict[str, Any]) -> None:
    """Write the entry again with its renewed stamps: the rows and indexes copied as they are,
    a new meta section and table."""
    start = entry.sections["meta"][0]
    meta = marshal.dumps({key: stored[key] for key in META_KEYS})
    sections = {**entry.sections, "meta": (start, len(meta), zlib.crc32(meta))}
    table = marshal.dumps(
        {"byteorder": sys.byteorder, "sections": sections, "slices": entry.slices}
    )
    rows_and_indexes = _Span(entry.handle, _HEADER, start - _HEADER)
    _write_parts(target, [_header(start + len(meta), table), rows_and_indexes, meta, table])


def stored_entry(target: Path) -> dict[str, Any] | None:
    """A set's entry decoded whole, as _encode gave it (for tests and for looking into a cache);
    None if it cannot be read or fails a check."""
    opened = _open_entry(target, MAX_SET_ENTRY_BYTES)
    if opened is None:
        return None
    handle, size, _ = opened
    try:
        entry = _open_sections(str(target), handle, size)
        if entry is None:
            return None
        stored = entry.value("meta")
        if not _well_formed(stored):
            return None
        rows = SlicedRows(entry, stored["count"], len(stored["files"]), len(ROW_FIELD_NAMES) + 1)
        return {key: list(rows) if key == "facts" else stored[key] for key in KEYS}
    except Exception:
        return None
    finally:
        os.close(handle)


def pack_set(stored: Any) -> bytes:
    """An entry's file for `stored` (a dict as stored_entry gives), as a forger would write it;
    for anything else, an entry of no rows whose meta section holds it."""
    if type(stored) is dict and "facts" in stored:
        parts = _pack_set(dict(stored))  # (which takes the rows out of the dict it is given)
    else:
        parts = _pack_set({}, other=stored)
    assert parts is not None
    return b"".join(
        b"".join(part) if isinstance(part, list) else bytes(part)
        for part in parts
        if not isinstance(part, _Span)  # (a renewal's only)
    )


def _record_row(record: Source | City, file_index: int) -> tuple[Any, ...]:
    """Its declared fields in order (marshal holds no Path: as text; no record: a list of
    records as their fields' values), then (file, line)."""
    kind: type = type(record)
    plain = [_plain(getattr(record, field.name), field) for field in declared(kind)]
    return (*plain, file_index, record.location.line)


def _well_formed(stored: Any) -> bool:
    """Whether a decoded meta section has the shape _pack_set gives one: its keys, every row's
    length and cell types, every index in range. The fact rows are checked as they are read
    (slices.py). A checksum guards them against damage; a forger is outside the threat model
    (see above)."""
    if type(stored) is not dict or tuple(stored) != META_KEYS or type(stored["stamped"]) is not int:
        return False
    files, deps = stored["files"], stored["deps"]
    if type(files) is not list or any(type(f) is not str for f in files):
        return False
    if type(deps) is not list or not all(_dep_ok(dep) for dep in deps):
        return False
    optional = (int, type(None))
    warning = (str, optional, str, str, (str, type(None)), str)
    if type(stored["warnings"]) is not list or not all(
        _cells_ok(row, warning) for row in stored["warnings"]
    ):
        return False
    for kind, rows in ((Source, stored["sources"]), (City, stored["cities"])):
        fields = declared(kind)
        if type(rows) is not list or not all(_record_ok(row, fields, len(files)) for row in rows):
            return False
    topics = stored["topics"]
    if type(topics) is not list or not all(type(t) is str for t in topics):
        return False
    if not _answers_ok(stored["answers"]):
        return False
    return type(stored["count"]) is int and stored["count"] >= 0


def _cells_ok(row: Any, types: Sequence[type | tuple[type, ...]]) -> bool:
    return (
        type(row) is tuple
        and len(row) == len(types)
        and all(isinstance(v, t) and type(v) is not bool for v, t in zip(row, types, strict=True))
    )


def _dep_ok(dep: Any) -> bool:
    """[path, size, mtime, ctime, inode, digest, length]; the digest and length None for a
    stored text that was never read."""
    if type(dep) is not list or len(dep) != 7 or type(dep[0]) is not str:
        return False
    if not all(type(n) is int for n in dep[1:5]):
        return False
    return (dep[5] is None and dep[6] is None) or (type(dep[5]) is bytes and type(dep[6]) is int)


def _record_ok(row: Any, fields: Sequence[Declared], file_count: int) -> bool:
    """A row of `row()` in _encode: each field's value as _plain made it, then (file, line)."""
    if type(row) is not tuple or len(row) != len(fields) + 2:
        return False
    *values, file_index, line = row
    if type(file_index) is not int or not 0 <= file_index < file_count:
        return False
    if line is not None and type(line) is not int:
        return False
    return all(_value_ok(value, field) for value, field in zip(values, fields, strict=True))


def _value_ok(value: Any, field: Declared) -> bool:
    if value is None:
        return field.nullable
    if Path in field.types:
        return type(value) is str
    if field.item_record is not None:
        inner = declared(field.item_record)
        return type(value) is tuple and all(
            type(item) is tuple
            and len(item) == len(inner)
            and all(_value_ok(v, f) for v, f in zip(item, inner, strict=True))
            for item in value
        )
    if field.is_list:
        return type(value) is tuple and all(type(item) is str for item in value)
    return type(value) in field.types


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


def _arguments(record: type, row: Sequence[Any], shown: Sequence[str]) -> dict[str, Any]:
    """A row of _record_row back into the keyword arguments of `record`."""
    *values, file_index, line = row
    fields = {
        field.name: _unplain(value, field)
        for field, value in zip(declared(record), values, strict=True)
    }
    return {**fields, "location": Location(shown[file_index], line)}


def _decode(stored: dict[str, Any], entry: Entry) -> Checked:
    shown = [display_path(Path(path)) for path in stored["files"]]

    def arguments(record: type, row: Sequence[Any]) -> dict[str, Any]:
        return _arguments(record, row, shown)

    sources = {s.id: s for s in (Source(**arguments(Source, row)) for row in stored["sources"])}
    cities = {c.slug: c for c in (City(**arguments(City, row)) for row in stored["cities"])}
    rows = SlicedRows(entry, stored["count"], len(shown), len(ROW_FIELD_NAMES) + 1)
    rows.topics = stored["topics"]
    facts = StoredFacts(rows, shown)  # type: ignore[arg-type]  # a sequence of rows, read late
    problems = tuple(
        Problem(display_path(Path(file)), line, message, code, key, severity)
        for file, line, message, code, key, severity in stored["warnings"]
    )
    return Checked(tuple(shown), FactSet(facts, sources, cities), problems)
