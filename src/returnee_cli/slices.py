"""The set's cache entry read a slice at a time (issue 13): a filter reads only what it needs.

The entry (written by cache.py) is one file:

    magic line | table offset, length, crc (binary) | rows, one slice per city | index sections
    | meta section | table

Each fact row is marshalled on its own, and the rows of one city lie together in file order (its
slice), so `--city X` reads one contiguous run of bytes. The table (marshal) gives each slice and
each section its place, its length and its CRC-32. The sections: `meta` (stamps, files, sources,
cities, warnings: everything but the rows), `locate` (each row's offset and length, by position),
`city:SLUG`, `topic:TOPIC` and `source:ID` (the positions of the rows that have it, in file
order), and `ids:N` (id -> position, for the ids whose bucket is N).

Nothing is trusted before its checksum and its shape are checked. What the load reads (table,
meta) is checked by cache.load: anything wrong there is a rebuild. A slice or section is read
later, while the command works; any fault found then (checksum, shape, a row that is not what
its index said: another city, topic, source or id) raises Damaged, before any answer is written,
and the command is answered again from a rebuilt set (commands.run).
"""

from __future__ import annotations

import marshal
import os
import stat
import sys
import zlib
from _json import encode_basestring_ascii
from bisect import bisect_right

from returnee_cli import __version__

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time (3 ms)
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

SET_MAGIC = b"returnees-set 4\n"
# After the magic line: the table's offset (8 bytes), length and CRC-32 (4 each), little-endian.
HEADER = len(SET_MAGIC) + 16
# What an entry depends on besides the files: its layout, this version of returnees (its rules
# decide what is valid) and this Python (marshal's format is its own).
_SALT = f"{SET_MAGIC!r} {__version__} {sys.implementation.cache_tag} {sys.hexversion:x}"
ENTRY_PREFIX, ENTRY_SUFFIX = "factset-", ".bin"
ID_BUCKETS = 256
# Each row is (its fields as model.ROW_FIELD_NAMES names them, (file index, line)); the cells an
# index vouches for, by position in the row (cache.py checks they match the model).
ID, CITY, TOPIC = 0, 1, 2
ITEMS, DERIVED_FROM = 12, 16  # the two cells that hold a list (a tuple of text)
SOURCE, REPORTED_IN = 18, 19
# A row's cells: plain values, a tuple of text where a list is, a tuple for its location. Nothing
# else: marshal's references can make a tuple hold itself twice at each level, forty levels deep
# (2**40 values in a few hundred bytes), which writing the answer out would never finish.
_CELL_TYPES = frozenset((str, int, float, bool, type(None), tuple))


class Damaged(Exception):
    """A slice or section of the set's entry failed its check after the load: rebuild."""

    def __init__(self, entry: str, what: str) -> None:
        super().__init__(f"{entry}: {what}")
        self.entry = entry


def id_bucket(fact_id: str) -> int:
    return zlib.crc32(fact_id.encode("utf-8", "surrogatepass")) % ID_BUCKETS


def section_name(kind: str, key: str | None) -> str:
    """`city:beijing`; the nationwide statements (city None) are `city:`."""
    return f"{kind}:{key or ''}"


def entry_name(names: list[str]) -> str:
    """The file name of the entry of a load of these files (absolute paths, in order): a short
    digest (zlib: hashlib's import would cost every start 3 ms). A clash costs a rebuild, never
    a wrong answer: the entry also records the files it was built from."""
    # json.dumps([_SALT, names]), without the json package
    listed = ", ".join(map(encode_basestring_ascii, names))
    text = f"[{encode_basestring_ascii(_SALT)}, [{listed}]]".encode()
    digest = f"{zlib.crc32(text):08x}{zlib.adler32(text):08x}{len(text):x}"
    return f"{ENTRY_PREFIX}{digest}{ENTRY_SUFFIX}"


def open_entry(target: str, limit: int) -> tuple[int, int, int] | None:
    """An open handle on the entry, its size and modification time, if it is a regular file
    (not a symlink, FIFO or device), within `limit` bytes, owned by this user and writable by
    no one else; else None."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        handle = os.open(target, flags | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(handle)
    except OSError:
        os.close(handle)
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > limit or not own(info):
        os.close(handle)
        return None
    return handle, info.st_size, info.st_mtime_ns


def own(info: os.stat_result) -> bool:
    """Written by this user, and writable by no one else: another user's entry is never read."""
    if not hasattr(os, "geteuid"):  # Windows: the folder's ACL, in the user's profile, decides
        return True
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def open_table(path: str, handle: int, size: int, limit: int) -> Entry | None:
    """The entry's table read and checked: every slice and section inside the file, before the
    table, no one of them over `limit` bytes; None if anything is wrong."""
    head = _pread(handle, HEADER, 0)
    if len(head) != HEADER or not head.startswith(SET_MAGIC):
        return None
    at = len(SET_MAGIC)
    offset = int.from_bytes(head[at : at + 8], "little")
    length = int.from_bytes(head[at + 8 : at + 12], "little")
    crc = int.from_bytes(head[at + 12 : at + 16], "little")
    if offset < HEADER or offset + length != size or length > limit:
        return None
    data = _pread(handle, length, offset)
    if len(data) != length or zlib.crc32(data) != crc:
        return None
    table = marshal.loads(data)
    if type(table) is not dict or tuple(table) != ("byteorder", "sections", "slices"):
        return None
    sections, slices = table["sections"], table["slices"]
    if (
        table["byteorder"] != sys.byteorder
        or type(sections) is not dict
        or type(slices) is not list
    ):
        return None
    if not all(type(name) is str and _place_ok(place) for name, place in sections.items()):
        return None
    if not all(
        type(s) is tuple
        and len(s) == 5
        and type(s[0]) in (str, type(None))
        and _place_ok(s[1:4])
        and type(s[4]) is int
        and s[4] > 0
        for s in slices
    ):
        return None
    places = [place[:2] for place in sections.values()] + [s[1:3] for s in slices]
    if (
        not all(HEADER <= start and start + size <= offset for start, size in places)
        or [s[1] for s in slices] != sorted(s[1] for s in slices)
        or "meta" not in sections
    ):
        return None
    return Entry(path, handle, sections, slices, limit)


def _place_ok(place: object) -> bool:
    """(offset, length, crc): three ints, none negative."""
    return (
        type(place) is tuple and len(place) == 3 and all(type(n) is int and n >= 0 for n in place)
    )


def _pread(handle: int, length: int, offset: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(handle, length, offset)
    os.lseek(handle, offset, os.SEEK_SET)  # pragma: no cover - Windows
    return os.read(handle, length)  # pragma: no cover


class Entry:
    """An open set entry: its sections read, checked and decoded on demand."""

    def __init__(
        self,
        path: str,
        handle: int,
        sections: dict[str, tuple[int, int, int]],
        slices: list[tuple[str | None, int, int, int, int]],
        limit: int,
    ) -> None:
        self.path = path
        self.handle = handle
        self.sections = sections
        self.slices = slices  # (city, offset, length, crc, rows), by offset
        self.starts = [s[1] for s in slices]
        self.limit = limit  # no one read beyond this many bytes

    def damaged(self, what: str) -> Damaged:
        return Damaged(self.path, what)

    def read(self, offset: int, length: int, crc: int, what: str) -> bytes:
        if length > self.limit:
            raise self.damaged(f"{what} is too large")
        try:
            data = _pread(self.handle, length, offset)
        except OSError:
            raise self.damaged(f"{what} cannot be read") from None
        if len(data) != length or zlib.crc32(data) != crc:
            raise self.damaged(f"{what} fails its checksum")
        return data

    def section(self, name: str) -> bytes | None:
        """A section's bytes, checked; None if the entry has no such section (no row has it)."""
        place = self.sections.get(name)
        if place is None:
            return None
        return self.read(*place, what=f"section {name}")

    def value(self, name: str) -> Any:
        data = self.section(name)
        if data is None:
            return None
        try:
            return marshal.loads(data)
        except (ValueError, EOFError, TypeError):
            raise self.damaged(f"section {name} is not marshal data") from None

    def numbers(self, name: str, wide: bool = False) -> memoryview[int]:
        """A section of numbers (C unsigned ints, or with `wide` unsigned long longs, as
        array.array wrote them), as a view of its checked bytes (no import of array)."""
        data = self.section(name) or b""
        if len(data) % (8 if wide else 4):
            raise self.damaged(f"section {name} has a partial number")
        return memoryview(data).cast("Q") if wide else memoryview(data).cast("I")


class SlicedRows:
    """The fact rows of a set's entry as a sequence, by position (file order), each read and
    checked the first time it is asked for; and the entry's indexes (`positions`, `position_of`).
    StoredFacts (model.py) builds Facts from them as it does from rows in memory."""

    def __init__(self, entry: Entry, count: int, file_count: int, row_length: int) -> None:
        self.topics: list[str] = []  # every topic, sorted (from the entry's meta section)
        self._entry = entry
        self._count = count
        self._file_count = file_count
        self._row_length = row_length
        self._rows: dict[int, tuple[Any, ...]] = {}
        self._slices: dict[int, memoryview] = {}  # read and checked, by number
        self._left: dict[int, int] = {}  # rows of each slice not read yet
        self._located: tuple[memoryview[int], memoryview[int]] | None = None

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, position: int) -> tuple[Any, ...]:
        if position < 0:
            position += self._count
        row = self._rows.get(position)
        if row is not None:
            return row
        if not 0 <= position < self._count:
            raise IndexError(position)
        return self._read(position)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for position in range(self._count):
            yield self[position]

    def _locate(self) -> tuple[memoryview[int], memoryview[int]]:
        if self._located is None:
            offsets = self._entry.numbers("locate:offsets", wide=True)
            lengths = self._entry.numbers("locate:lengths")
            if len(offsets) != self._count or len(lengths) != self._count:
                raise self._entry.damaged("its row table does not count the rows")
            self._located = (offsets, lengths)
        return self._located

    def _slice(self, offset: int, length: int) -> tuple[int, memoryview, int, str | None]:
        """The checked slice holding bytes [offset, offset + length): its number, its bytes, the
        row's start in it and the city of its rows."""
        entry = self._entry
        number = bisect_right(entry.starts, offset) - 1
        if number < 0:
            raise entry.damaged("a row lies outside every slice")
        city, start, size, crc, rows = entry.slices[number]
        if offset + length > start + size:
            raise entry.damaged("a row runs past its slice")
        data = self._slices.get(number)
        if data is None:
            data = memoryview(entry.read(start, size, crc, f"slice {city or 'nationwide'}"))
            self._slices[number] = data
            self._left.setdefault(number, rows)
        return number, data, offset - start, city

    def _read(self, position: int) -> tuple[Any, ...]:
        offsets, lengths = self._locate()
        offset, length = offsets[position], lengths[position]
        number, data, start, city = self._slice(offset, length)
        try:
            row: Any = marshal.loads(data[start : start + length])
        except (ValueError, EOFError, TypeError):
            raise self._entry.damaged(f"row {position} is not marshal data") from None
        if not self._row_ok(row) or row[CITY] != city:
            raise self._entry.damaged(f"row {position} is not a fact row of its slice")
        self._rows[position] = row
        self._left[number] -= 1
        if self._left[number] <= 0:  # every row of it read: its bytes are not needed again
            del self._slices[number]
        checked: tuple[Any, ...] = row
        return checked

    def _row_ok(self, row: Any) -> bool:
        """The shape cache._well_formed asks of every row: its length, an id, a city and a topic
        as text, and a (file index, line) location."""
        if type(row) is not tuple or len(row) != self._row_length:
            return False
        where = row[-1]
        kinds = list(map(type, row))
        items, derived_from = row[ITEMS], row[DERIVED_FROM]
        lists = (type(items) is tuple) + (type(derived_from) is tuple)
        return (
            set(kinds) <= _CELL_TYPES
            and kinds.count(tuple) == 1 + lists  # the location, and a tuple only where a list is
            and (type(items) is not tuple or set(map(type, items)) <= {str})
            and (type(derived_from) is not tuple or set(map(type, derived_from)) <= {str})
            and type(row[ID]) is str
            and type(row[TOPIC]) is str
            and (row[CITY] is None or type(row[CITY]) is str)
            and type(where) is tuple
            and len(where) == 2
            and type(where[0]) is int
            and 0 <= where[0] < self._file_count
            and (where[1] is None or type(where[1]) is int)
        )

    def positions(self, kind: str, key: str | None) -> list[int]:
        """The positions of the rows whose `kind` (city, topic, source) is `key`, in file order,
        each row read and checked against it."""
        found = self._entry.numbers(section_name(kind, key)).tolist()
        if found != sorted(set(found)) or (found and found[-1] >= self._count):
            raise self._entry.damaged(f"index {kind}:{key} is out of order")
        for position in found:
            row = self[position]
            if kind == "source":
                holds = key in (row[SOURCE], row[REPORTED_IN])
            else:
                holds = row[CITY if kind == "city" else TOPIC] == key
            if not holds:
                raise self._entry.damaged(f"row {position} is not of {kind} {key}")
        return found

    def position_of(self, fact_id: str) -> int | None:
        """The position of the fact with this id, or None."""
        bucket = self._bucket(id_bucket(fact_id))
        position = bucket.get(fact_id)
        if position is not None and self[position][ID] != fact_id:
            raise self._entry.damaged(f"row {position} is not fact {fact_id}")
        return position

    def _bucket(self, number: int) -> dict[str, int]:
        found = self._entry.value(f"ids:{number}")
        if found is None:
            return {}
        if type(found) is not dict or not all(
            type(k) is str and type(v) is int and 0 <= v < self._count for k, v in found.items()
        ):
            raise self._entry.damaged(f"id bucket {number} is not ids by position")
        return found

    def ids(self) -> dict[str, int]:
        """Every id by its position, in file order."""
        every: list[tuple[int, str]] = []
        for number in range(ID_BUCKETS):
            every.extend((position, fact_id) for fact_id, position in self._bucket(number).items())
        every.sort()
        if len(every) != self._count or any(p != n for n, (p, _) in enumerate(every)):
            raise self._entry.damaged("its ids do not number the rows")
        return {fact_id: position for position, fact_id in every}
