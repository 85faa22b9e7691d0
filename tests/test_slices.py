"""The set's cache entry read a slice at a time (slices.py): a question reads only its slices,
answers exactly as a fresh read, and any damage to any slice or section, found before or after
the load, gives exactly the uncached answer. (Not timed: benchmarks/run.py measures speed.)"""

from __future__ import annotations

import marshal
import os
import subprocess
import time
import zlib
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from returnee_cli import cache, queries, slices
from returnee_cli.loading import fact_files, read_factset

from .conftest import Run, fast_path, generated_pack
from .test_installed import returnees

# A question of each kind the index answers, and the full scans, on the generated pack
# (benchmarks/generate.py: 50 cities, 12 topics, sources bench-source-1 to 5).
QUESTIONS = (
    ["facts", "--city", "beijing", "--json"],
    ["facts", "--city", "city-07", "--topic", "first-choice", "--format", "jsonl"],
    ["facts", "--topic", "sectors", "--format", "csv"],
    ["facts", "--topic", "generation,reasons", "--json"],
    ["facts", "--source", "bench-source-2", "--json"],
    ["show", "bench-0000042", "--json"],
    ["show", "bench-0000299"],
    ["show", "bench-9999999"],  # no such fact: the message suggests ids (every id listed)
    ["sectors", "--city", "shanghai", "--json"],
    ["reasons", "--city", "nationwide"],  # none: the note names the cities that have them
    ["facts", "--json"],
    ["topics"],
)


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_pack(tmp_path_factory.mktemp("generated"), 300)


def ask(pack: Path, argv: list[str], *more: str) -> Run:
    answered = fast_path([*more, "--no-builtin", "--facts", str(pack), *argv])
    assert answered is not None
    return answered


def set_entry(folder: Path) -> Path:
    [entry] = folder.glob(f"{cache.ENTRY_PREFIX}*")
    return entry


def places(entry: Path) -> dict[str, tuple[int, int]]:
    """Every slice and section of an entry, by name: (offset, length)."""
    data = entry.read_bytes()
    at = len(cache.SET_MAGIC)
    offset = int.from_bytes(data[at : at + 8], "little")
    table = marshal.loads(data[offset:])
    found = {name: (start, length) for name, (start, length, _) in table["sections"].items()}
    for city, start, length, *_ in table["slices"]:
        found[f"slice {city}"] = (start, length)
    found["table"] = (offset, len(data) - offset)
    found["header"] = (0, cache._HEADER)
    return found


def test_every_question_answers_as_a_fresh_read(folder: Path, pack: Path) -> None:
    fresh = [ask(pack, argv, "--no-cache") for argv in QUESTIONS]
    assert [run.exit_code for run in fresh] == [2 if "bench-9999999" in q else 0 for q in QUESTIONS]
    assert [ask(pack, argv) for argv in QUESTIONS] == fresh  # read anew, the entry written
    assert [ask(pack, argv) for argv in QUESTIONS] == fresh  # from the entry's slices


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The (offset, length) of every read of a set's entry from now on."""
    done: list[tuple[int, int]] = []
    pread = slices._pread

    def counted(handle: int, length: int, offset: int) -> bytes:
        done.append((offset, length))
        return pread(handle, length, offset)

    monkeypatch.setattr(slices, "_pread", counted)
    monkeypatch.setattr(cache, "_pread", counted)
    return done


@pytest.mark.parametrize(
    ("argv", "wanted"),
    [
        (["facts", "--city", "beijing", "--json"], {"city:beijing", "slice beijing"}),
        (["sectors", "--city", "beijing", "--json"], {"city:beijing", "slice beijing"}),
        (  # fact 42 is about city-35 (benchmarks/generate.py: cities in turn)
            ["show", "bench-0000042", "--json"],
            {f"ids:{slices.id_bucket('bench-0000042')}", "slice city-35"},
        ),
    ],
)
def test_a_question_reads_only_its_slices(
    folder: Path, pack: Path, reads: list[tuple[int, int]], argv: list[str], wanted: set[str]
) -> None:
    fresh = ask(pack, argv, "--no-cache")
    ask(pack, argv)  # the entry, written
    reads.clear()
    assert ask(pack, argv) == fresh
    named = {(start, length): name for name, (start, length) in places(set_entry(folder)).items()}
    read = {named.get(place, f"bytes {place}") for place in reads}
    always = {"header", "table", "meta", "locate:offsets", "locate:lengths"}
    assert read - always == wanted


def test_a_topic_or_a_source_reads_its_positions_and_no_other_index(
    folder: Path, pack: Path, reads: list[tuple[int, int]]
) -> None:
    argv = ["facts", "--topic", "generation", "--source", "bench-source-3", "--json"]
    fresh = ask(pack, argv, "--no-cache")
    ask(pack, argv)
    reads.clear()
    assert ask(pack, argv) == fresh and fresh.json()
    named = {(start, length): name for name, (start, length) in places(set_entry(folder)).items()}
    indexes = {named[place] for place in reads if ":" in named.get(place, "")}
    assert indexes == {"topic:generation", "locate:offsets", "locate:lengths"}


def test_an_edit_moves_a_fact_between_slices(folder: Path, pack: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in pack.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    asked = ["facts", "--city", "shanghai", "--json"]
    before = {record["id"] for record in ask(copy, asked).json()}
    ask(copy, asked)  # from the entry
    [facts_file] = list(copy.glob("facts-*.yaml"))
    text = facts_file.read_text(encoding="utf-8")
    edited = text.replace("city: beijing", "city: shanghai", 1)
    assert edited != text
    facts_file.write_text(edited, encoding="utf-8")
    after = ask(copy, asked)
    assert after == ask(copy, asked, "--no-cache")
    assert len({record["id"] for record in after.json()} - before) == 1
    assert ask(copy, asked) == after  # and from the entry rebuilt


def test_a_racy_edit_is_seen_by_an_indexed_question(
    folder: Path, pack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in pack.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    [facts_file] = list(copy.glob("facts-*.yaml"))
    second = time.time_ns() // 10**9 * 10**9
    monkeypatch.setattr(cache, "_stamp_of", lambda info: (info.st_size, second, second, 0))
    asked = ["show", "bench-0000001", "--json"]
    label = ask(copy, asked).json()["label"]
    ask(copy, asked)
    text = facts_file.read_text(encoding="utf-8")
    facts_file.write_text(text.replace(label, label.upper(), 1), encoding="utf-8")  # same size
    assert ask(copy, asked).json()["label"] == label.upper()


def test_a_reader_keeps_the_entry_it_opened_while_another_replaces_it(
    folder: Path, pack: Path
) -> None:
    files, _ = fact_files([pack])
    read_factset([pack], use_cache=True)
    checked = cache.load(files)
    assert checked is not None
    entry = set_entry(folder)
    fresh = entry.with_suffix(".new")
    fresh.write_bytes(b"another process's entry, or a damaged one" * 100)
    os.replace(fresh, entry)  # as the writer does: the reader's open file is still whole
    factset = checked.factset
    found = queries.select_facts(factset, city=queries.resolve_city(factset, "beijing"))
    assert [f.id for f in found] == [
        f.id for f in read_factset([pack]).factset.facts if f.city == "beijing"
    ]


def test_a_slice_damaged_after_the_load_is_found_and_the_answer_rebuilt(
    folder: Path, pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["facts", "--city", "beijing", "--json"]
    fresh = ask(pack, argv, "--no-cache")
    ask(pack, argv)
    entry = set_entry(folder)
    start, length = places(entry)["slice beijing"]
    load = cache.load
    damaged: list[Path] = []

    def then_damaged(*args: object, **kwargs: object) -> object:
        found = load(*args, **kwargs)  # type: ignore[arg-type]
        if not damaged:
            with open(entry, "r+b") as stream:  # in place: the reader's open file sees it
                stream.seek(start + length // 2)
                stream.write(b"\xff\x00")
            damaged.append(entry)
        return found

    monkeypatch.setattr(cache, "load", then_damaged)
    assert ask(pack, argv) == fresh
    assert damaged and not entry.exists() or entry.read_bytes()  # removed, then written anew
    monkeypatch.setattr(cache, "load", load)
    assert ask(pack, argv) == fresh  # the entry was rebuilt
    assert places(set_entry(folder))["slice beijing"]


def test_concurrent_loads_answer_alike_and_leave_one_whole_entry(
    pack: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "cache"
    env = {**os.environ, "RETURNEES_CACHE_DIR": str(folder), "NO_COLOR": "1"}
    asked = [returnees(), "--no-builtin", "--facts", str(pack), "facts", "--city", "beijing"]
    processes = [
        subprocess.Popen([*asked, "--json"], stdout=subprocess.PIPE, env=env) for _ in range(4)
    ]
    answers = [process.communicate(timeout=120)[0] for process in processes]
    assert [process.returncode for process in processes] == [0] * 4
    assert len(set(answers)) == 1
    files, _ = fact_files([pack])
    assert cache.load(files, folder) is not None  # one whole entry, whoever wrote last
    again = subprocess.run([*asked, "--json"], capture_output=True, env=env, timeout=120)
    assert again.stdout == answers[0]


def _damaged(data: bytes, start: int, length: int, how: str, at: float, noise: bytes) -> bytes:
    where = start + min(int(at * length), max(length - 1, 0))
    if how == "flip":
        return data[:where] + bytes([data[where] ^ (noise[0] or 1)]) + data[where + 1 :]
    if how == "zero":
        return data[:start] + bytes(length) + data[start + length :]
    if how == "swap":  # the bytes of the section moved by one: the checksum must catch it
        moved = data[start : start + length]
        return data[:start] + moved[1:] + moved[:1] + data[start + length :]
    return data[:where] + noise + data[where:]  # bytes put in: everything after moves


def _resealed(data: bytes, start: int, content: bytes) -> bytes:
    """`data` with the section at `start` holding `content` (of its length), every checksum
    made right again: as a forger would, or a bug in the writer."""
    at = len(cache.SET_MAGIC)
    offset = int.from_bytes(data[at : at + 8], "little")
    table = marshal.loads(data[offset:])
    for name, (begin, length, _) in table["sections"].items():
        if begin == start:
            table["sections"][name] = (begin, length, zlib.crc32(content))
    body = data[:start] + content + data[start + len(content) : offset]
    return (
        cache._header(offset, marshal.dumps(table)) + body[cache._HEADER :] + marshal.dumps(table)
    )


def _forged(data: bytes, name: str, start: int, length: int, seed: int) -> bytes:
    """An entry whose checksums hold but whose index lies: the positions of a city, topic or
    source moved on by one (rows of another), an id bucket pointing at other rows, a row of
    the wrong shape; anything else damaged and resealed."""
    content = data[start : start + length]
    if name.split(":")[0] in ("city", "topic", "source"):
        positions = array("I", content)
        moved = array("I", [p + 1 + seed % 3 for p in positions])
        return _resealed(data, start, moved.tobytes())
    if name.startswith("ids:"):
        ids = marshal.loads(content)
        shifted = marshal.dumps({key: (value + 1) % 300 for key, value in ids.items()})
        if len(shifted) == len(content):
            return _resealed(data, start, shifted)
    if name in ("header", "table") or not content:
        return data[:start] + bytes(length) + data[start + length :]
    where = seed % len(content)
    return _resealed(
        data, start, content[:where] + bytes([content[where] ^ 0x55]) + content[where + 1 :]
    )


_UNCACHED: dict[tuple[str, int], Run] = {}  # the answers read anew, once per question


@given(
    question=st.integers(0, len(QUESTIONS) - 1),
    target=st.integers(0, 10**6),
    how=st.sampled_from(["flip", "zero", "swap", "insert", "forged"]),
    at=st.floats(0, 1),
    noise=st.binary(min_size=1, max_size=16),
)
@settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_damage_to_any_slice_or_section_gives_exactly_the_uncached_answer(
    folder: Path, pack: Path, question: int, target: int, how: str, at: float, noise: bytes
) -> None:
    argv = QUESTIONS[question]
    for left in folder.glob(f"{cache.ENTRY_PREFIX}*"):  # each example from a fresh set entry
        left.unlink()
    key = (str(pack), question)
    uncached = _UNCACHED.get(key) or _UNCACHED.setdefault(key, ask(pack, argv, "--no-cache"))
    assert ask(pack, argv) == uncached  # the entry, written
    entry = set_entry(folder)
    data = entry.read_bytes()
    named = sorted(places(entry).items())
    name, (start, length) = named[target % len(named)]
    if how == "forged":
        damaged = _forged(data, name, start, length, target)
    else:
        damaged = _damaged(data, start, length, how, at, noise)
    entry.write_bytes(damaged)
    assert ask(pack, argv) == uncached, name
    assert ask(pack, argv) == uncached, name  # rebuilt, or still answering alike


def test_the_rows_of_an_entry_are_read_once_each(folder: Path, pack: Path) -> None:
    read_factset([pack], use_cache=True)
    checked = cache.load(fact_files([pack])[0])
    assert checked is not None
    facts = checked.factset.facts
    rows: Iterator[object] = iter(facts)
    assert next(rows) is facts[0]  # built once, kept
    assert len(facts) == 300 and facts[-1].id == "bench-0000299"


@pytest.mark.parametrize("unlink", ["EROFS", "EACCES", "EPERM", "EBUSY", "stays"])
@pytest.mark.parametrize(
    "argv",
    [
        ["facts", "--city", "beijing", "--json"],
        ["facts", "--topic", "sectors", "--json"],
        ["show", "ID", "--json"],
        ["facts", "--json"],
        ["sectors", "--city", "beijing"],
    ],
)
def test_a_damaged_slice_the_cache_cannot_remove_is_read_past(
    folder: Path, pack: Path, monkeypatch: pytest.MonkeyPatch, unlink: str, argv: list[str]
) -> None:
    """A slice found damaged is removed and the command answered again. In a cache folder that
    cannot be written (a read-only mount, a folder of mode 0500) the removal failed, and the
    answer was an internal error (exit 70); where the entry is still there when the command is
    asked again (or another process wrote a damaged one meanwhile), the second answer met the
    same damage. Either way the answer is now read past the cache: exactly the uncached one."""
    import errno

    first = ask(pack, ["facts", "--city", "beijing", "--json"], "--no-cache").json()[0]["id"]
    argv = [first if part == "ID" else part for part in argv]
    fresh = ask(pack, argv, "--no-cache")
    ask(pack, argv)
    entry = set_entry(folder)
    data = bytearray(entry.read_bytes())
    for name, (start, length) in places(entry).items():
        if name.startswith("slice "):
            data[start + length // 2] ^= 0xFF  # every slice: each question meets one
    entry.write_bytes(bytes(data))
    removals: list[Path] = []
    real_unlink = Path.unlink

    def refused(self: Path, missing_ok: bool = False) -> None:
        if self != entry:
            return real_unlink(self, missing_ok=missing_ok)
        removals.append(self)
        if unlink != "stays":
            code = getattr(errno, unlink)
            raise OSError(code, os.strerror(code), str(self))

    monkeypatch.setattr(Path, "unlink", refused)
    assert ask(pack, argv) == fresh
    assert removals and entry.exists()


def _shared_twice(depth: int) -> Any:
    """A value that holds one list twice at each level: marshal writes each level once (a
    reference for the second), so 2**depth values take a few hundred bytes."""
    node: Any = ["x"]
    for _ in range(depth):
        node = [node, node]
    return node


@pytest.mark.parametrize(
    "where", ["items", "label", "derived_from", "value", "source record", "source note"]
)
def test_a_forged_value_that_holds_itself_never_hangs_the_answer(
    folder: Path, pack: Path, where: str
) -> None:
    """The forged entry (valid checksums) of the trust model may say anything, but it must never
    hang an answer. marshal's references let a row's cell or a source's record hold one list
    twice at each level, 40 deep: the answer wrote 2**40 values (the warm answer from a
    source's record, the full path from a row's cell). A row's cells are plain values and
    tuples of text where a list is; a source's record plain values of a record's size; else
    the entry is not used and the answer is the uncached one."""
    argv = [returnees(), "--no-builtin", "--facts", str(pack), "facts", "--city", "beijing"]
    env = {**os.environ, "RETURNEES_CACHE_DIR": str(folder)}
    fresh = subprocess.run([*argv, "--json"], env=env, capture_output=True, timeout=120)
    entry = set_entry(folder)
    stamp = entry.stat()
    stored = cache.stored_entry(entry)
    assert stored is not None and fresh.returncode == 0
    bomb = _shared_twice(40)
    if where.startswith("source"):
        for record in stored["answers"]["sources"].values():
            record["title" if where == "source record" else "note"] = bomb
    else:
        from returnee_cli.model import ROW_FIELD_NAMES

        cell = ROW_FIELD_NAMES.index(where)
        stored["facts"] = [
            (*row[:cell], tuple(bomb) if where != "value" else bomb, *row[cell + 1 :])
            for row in stored["facts"]
        ]
    entry.write_bytes(cache.pack_set(stored))
    os.utime(entry, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    for more in (["--json"], []):
        # a limit, so that a regression fails rather than hangs the suite: the answer takes
        # a fraction of a second
        answer = subprocess.run([*argv, *more], env=env, capture_output=True, timeout=120)
        uncached = subprocess.run(
            [argv[0], "--no-cache", *argv[1:], *more], env=env, capture_output=True, timeout=120
        )
        assert (answer.returncode, answer.stdout, answer.stderr) == (
            uncached.returncode,
            uncached.stdout,
            uncached.stderr,
        )
