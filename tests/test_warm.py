"""The warm answers (warm.py): one city's facts or one angle, as JSON, from the cache without the
model. They answer byte for byte as the full path does, or leave the call to it: never a stale,
damaged or different answer. (Not timed: benchmarks/run.py measures speed.)"""

from __future__ import annotations

import os
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from returnee_cli import angles, cache, commands, loading, warm
from returnee_cli.paths import builtin_facts_dir

from .conftest import Run, fast_path, generated_pack

NAMES = ["beijing", "Beijing", "BEIJING CITY", "北京", "北京市", "peking", "shanghai", "city-07"]
NAMES += ["City 07", "city07", "nationwide", "china", "wuhan", "nowhere", " Bei-jing "]


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pack = generated_pack(tmp_path_factory.mktemp("generated"), 700)
    old = time.time_ns() - 3600 * 10**9  # older than a stamp can be mistaken for: not racy
    for path in pack.iterdir():
        os.utime(path, ns=(old, old))
    return pack


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files just written (or given old times, which sets their change time to now) are racy
    for three seconds; here, for the cache and the warm answers alike, no time is too recent
    (test_a_file_too_recent_to_tell_is_left_to_the_full_path keeps the window)."""
    monkeypatch.setattr(cache, "RACY_WINDOW_NS", 0)
    monkeypatch.setattr(warm, "RACY_WINDOW_NS", 0)


def full(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    with monkeypatch.context() as scoped:
        scoped.setattr(warm, "answer", lambda argv: None)
        answered = fast_path(argv)
    assert answered is not None
    return answered


def warm_answer(argv: list[str]) -> Run | None:
    """The warm answer of `argv`, or None where it leaves the call to the full path."""
    answered = fast_path(argv)
    assert answered is not None
    return answered if _answered_warm(argv) else None


def _answered_warm(argv: list[str]) -> bool:
    from contextlib import redirect_stdout
    from io import BytesIO, TextIOWrapper

    with redirect_stdout(TextIOWrapper(BytesIO(), encoding="utf-8")):
        return warm.answer(argv) is not None


@pytest.mark.parametrize("command", ["facts", *angles.ANGLES])
def test_every_warm_answer_is_the_full_paths(
    folder: Path, settled: None, pack: Path, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    answered = 0
    for facts in (["--no-builtin", "--facts", str(pack)], []):
        for n, name in enumerate(NAMES):
            forms = [[*facts, command, "--city", name, "--json"]]
            if n < 2:
                forms += [
                    [*facts, command, "--json", f"--city={name}"],
                    [*facts, command, "-c", name, "--json"],
                ]
            for argv in forms:
                expected = full(argv, monkeypatch)
                assert fast_path(argv) == expected, argv  # writes the entry, or answers warm
                if _answered_warm(argv):
                    answered += 1
                    assert fast_path(argv) == expected, argv
    assert answered >= 8  # it did answer: the plain forms, of cities that have the facts


# The terminals a table is drawn for: width, and colour (NO_COLOR, FORCE_COLOR, neither: a pipe)
TERMINALS = [
    {"COLUMNS": "80", "NO_COLOR": "1"},
    {"COLUMNS": "40", "FORCE_COLOR": "1"},
    {"COLUMNS": "120"},
    {"COLUMNS": "200", "FORCE_COLOR": "1"},
    {"COLUMNS": "24", "NO_COLOR": "1"},
    {"COLUMNS": "62"},
]


@pytest.mark.parametrize("command", ["facts", *angles.ANGLES])
def test_every_warm_table_is_the_full_paths(
    folder: Path, settled: None, pack: Path, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same renderers draw the table from the entry's rows (warm._Row, warm._Rows give them
    what a Fact and a FactSet would): byte for byte the full path's, at every width, in colour
    or not, or the call is left to the full path."""
    answered = 0
    for terminal in TERMINALS:
        with monkeypatch.context() as scoped:
            for name in ("COLUMNS", "NO_COLOR", "FORCE_COLOR"):
                scoped.delenv(name, raising=False)
            for name, value in terminal.items():
                scoped.setenv(name, value)
            for facts in (["--no-builtin", "--facts", str(pack)], []):
                for name in NAMES[:9]:
                    argv = [*facts, command, "--city", name]
                    expected = full(argv, monkeypatch)
                    assert fast_path(argv) == expected, (argv, terminal)
                    if _answered_warm(argv):
                        answered += 1
                        assert fast_path(argv) == expected, (argv, terminal)
    assert answered >= 6 * len(TERMINALS)


def test_a_warm_table_reads_a_city_and_the_limit_as_the_full_path_does() -> None:
    from returnee_cli import formats
    from returnee_cli.model import City, declared

    names = [field.name for field in declared(City)]
    assert names[0] == "slug" and names[warm.CITY_NAME_CELL] == "name"
    assert warm.TABLE_ROW_LIMIT == formats.TABLE_ROW_LIMIT


@pytest.mark.parametrize(
    "argv",
    [
        ["facts", "--city", "beijing", "--limit", "3"],  # a table, cut
        ["sectors", "--city", "beijing", "--color", "always"],
        ["facts", "--city", "beijing", "--json", "--fields", "id"],
        ["facts", "--city", "beijing,shanghai", "--json"],
        ["facts", "--city", "beijing", "--city", "shanghai", "--json"],
        ["--no-cache", "facts", "--city", "beijing", "--json"],
        ["facts", "--city", "beijing", "--json", "--json"],
        ["facts", "--city", "-x", "--json"],
        ["show", "beijing-sector-education", "--json"],
        ["--no-builtin", "facts", "--city", "beijing", "--json"],  # no facts: the full path says so
        ["--facts", "", "facts", "--city", "beijing", "--json"],
        ["--facts", "/no/such/folder", "facts", "--city", "beijing", "--json"],
    ],
)
def test_any_other_call_is_left_to_the_full_path(
    folder: Path, settled: None, argv: list[str]
) -> None:
    fast_path(["facts", "--city", "beijing", "--json"])  # the entry, written
    assert _answered_warm(["facts", "--city", "beijing", "--json"])
    assert not _answered_warm(argv)


def test_an_edit_or_a_touch_is_left_to_the_full_path(
    folder: Path, settled: None, pack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    for path in pack.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    old = time.time_ns() - 3600 * 10**9
    for path in copy.iterdir():
        os.utime(path, ns=(old, old))
    argv = ["--no-builtin", "--facts", str(copy), "facts", "--city", "shanghai", "--json"]
    first = full(argv, monkeypatch)
    assert _answered_warm(argv)
    [facts_file] = copy.glob("facts-*.yaml")
    text = facts_file.read_text(encoding="utf-8")
    facts_file.write_text(text.replace("city: beijing", "city: shanghai", 1), encoding="utf-8")
    assert not _answered_warm(argv)  # edited: the full path reads it
    edited = fast_path(argv)
    assert edited is not None and edited != first and edited == full(argv, monkeypatch)
    assert _answered_warm(argv)  # the entry, rebuilt
    os.utime(facts_file, ns=(old, old))
    assert not _answered_warm(argv)  # touched: the full path renews the stamps
    assert fast_path(argv) == edited
    assert _answered_warm(argv) and fast_path(argv) == edited


def test_a_file_too_recent_to_tell_is_left_to_the_full_path(folder: Path, pack: Path) -> None:
    argv = ["--no-builtin", "--facts", str(pack), "facts", "--city", "beijing", "--json"]
    assert fast_path(argv) is not None
    ahead = time.time_ns() + 60 * 10**9
    [facts_file] = pack.glob("facts-*.yaml")
    stamp = facts_file.stat()
    try:
        os.utime(facts_file, ns=(ahead, ahead))  # a minute ahead: racy however slow this is
        first = fast_path(argv)
        assert not _answered_warm(argv)  # checked by content on the full path, each time
        assert fast_path(argv) == first
    finally:
        os.utime(facts_file, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))


def test_a_damaged_slice_is_left_to_the_full_path(
    folder: Path, settled: None, pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["--no-builtin", "--facts", str(pack), "sectors", "--city", "beijing", "--json"]
    expected = full(argv, monkeypatch)
    assert _answered_warm(argv)
    [entry] = folder.glob(f"{cache.ENTRY_PREFIX}*")
    data = bytearray(entry.read_bytes())
    data[cache._HEADER + 40] ^= 0xFF  # inside the first slice's rows
    entry.write_bytes(bytes(data))
    assert not _answered_warm(argv)
    assert fast_path(argv) == expected  # rebuilt
    assert _answered_warm(argv)


def test_its_rules_are_the_caches_and_the_loaders() -> None:
    assert warm.RACY_WINDOW_NS == cache.RACY_WINDOW_NS
    assert warm.MAX_ENTRY_BYTES == cache.MAX_ENTRY_BYTES
    assert warm.MAX_SET_ENTRY_BYTES == cache.MAX_SET_ENTRY_BYTES
    assert warm.RULES == cache._RULES
    assert warm.CACHE_ENV == cache.CACHE_ENV
    assert warm.FACTS_ENV == commands.FACTS_ENV
    assert warm.FACT_FILE_SUFFIXES == loading.FACT_FILE_SUFFIXES
    assert warm._builtin_facts() == str(builtin_facts_dir())


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=20))
@settings(max_examples=300)
def test_a_city_key_of_ascii_is_what_unicode_folding_gives(name: str) -> None:
    text = unicodedata.normalize("NFKC", name).strip().casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = " ".join(text.split())
    for suffix in ("市", " city", " shi", " municipality"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    assert angles.city_key(name) == "".join(c for c in text if c not in " -'’‘")


NAME_PARTS = st.sampled_from(["a", "b", "B", "a-b", "a.b", ".x", "z", "é", "a b"])
FILE_NAMES = st.builds(
    lambda stem, suffix: stem + suffix,
    NAME_PARTS,
    st.sampled_from([".yaml", ".yml", ".YAML", ".yaml.bak", "", ".txt", "."]),
)


@given(
    files=st.lists(st.tuples(st.lists(NAME_PARTS, max_size=2), FILE_NAMES), min_size=1, max_size=8),
    trailing=st.booleans(),
)
@settings(max_examples=60, deadline=None)
def test_it_lists_a_packs_files_as_the_loader_does(
    tmp_path_factory: pytest.TempPathFactory,
    files: list[tuple[list[str], str]],
    trailing: bool,
) -> None:
    root = tmp_path_factory.mktemp("tree")
    for folders, name in files:
        place = root.joinpath(*folders)
        if place.exists() and not place.is_dir():
            continue
        place.mkdir(parents=True, exist_ok=True)
        target = place / name
        if not target.exists():
            target.write_text("facts: []\n", encoding="utf-8")
    given_path = str(root) + (os.sep if trailing else "")
    listed, problems = loading.fact_files([Path(given_path)])
    mine = warm._fact_files([given_path])
    if problems:
        assert mine is None
    else:
        assert mine is not None
        assert [os.path.abspath(f) for f in mine] == [os.path.abspath(f) for f in listed]
