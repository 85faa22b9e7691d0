"""The compiled cache: a hit answers like a fresh read, an edit is never answered from a stale
entry, and nothing wrong with the cache is ever fatal. (Not timed: benchmarks/ measures speed.)"""

from __future__ import annotations

import errno
import json
import marshal
import os
import re
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from returnee_cli import cache, checks, slices
from returnee_cli.loading import fact_files, read_factset
from returnee_cli.model import ROW_FIELD_NAMES
from returnee_cli.paths import builtin_facts_dir

from .conftest import RunCli, fast_path
from .test_loading import GOOD_FACT, HEADER, write


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return write(tmp_path, GOOD_FACT)


def entries(folder: Path) -> list[Path]:
    """What the folder holds but the fact files' own entries: the set's entries, and others."""
    if not folder.exists():
        return []
    return sorted(p for p in folder.glob("*") if not p.name.startswith(cache.FILE_ENTRY_PREFIX))


def file_entries(folder: Path) -> list[Path]:
    """The entry of each fact file (what parsing it gave)."""
    return sorted(folder.glob(f"{cache.FILE_ENTRY_PREFIX}*")) if folder.exists() else []


def test_a_load_is_kept_and_the_next_answers_from_it(run: RunCli, folder: Path, pack: Path) -> None:
    first = run("--facts", str(pack), "facts", "--json")
    assert [p.name.startswith("factset-") for p in entries(folder)] == [True]
    files, _ = fact_files([builtin_facts_dir(), pack])
    assert len(file_entries(folder)) == len(files)  # and one for each fact file
    assert cache.load(files) is not None  # the entry is there and trusted
    second = run("--facts", str(pack), "facts", "--json")
    assert second == first
    assert {r["id"] for r in second.json()} >= {"wuhan-share", "beijing-sector-education"}


def test_a_hit_is_the_same_fact_set_as_a_fresh_read(folder: Path) -> None:
    fresh = read_factset(use_cache=True)
    cached = read_factset(use_cache=True)
    assert cached is not fresh
    assert list(cached.factset.facts) == list(fresh.factset.facts)
    assert [f.location for f in cached.factset.facts] == [f.location for f in fresh.factset.facts]
    assert dict(cached.factset.sources) == dict(fresh.factset.sources)
    assert cached.problems == fresh.problems and cached.files == fresh.files


def test_an_edited_fact_file_is_read_again(run: RunCli, folder: Path, pack: Path) -> None:
    assert run("--facts", str(pack), "show", "wuhan-share", "--json").json()["value"] == 12.5
    text = pack.read_text(encoding="utf-8").replace("12.5", "12.75")
    pack.write_text(text, encoding="utf-8")
    edited = run("--facts", str(pack), "show", "wuhan-share", "--json")
    assert edited.json()["value"] == 12.75


def test_an_edit_that_breaks_a_file_is_reported_not_hidden(
    run: RunCli, folder: Path, pack: Path
) -> None:
    assert run("--facts", str(pack), "facts", "--json").exit_code == 0
    pack.write_text(pack.read_text(encoding="utf-8").replace("value:", "valeu:"), encoding="utf-8")
    broken = run("--facts", str(pack), "facts", "--json")
    assert broken.exit_code == 1 and "unknown key `valeu`" in broken.stderr


def test_a_new_file_in_a_folder_is_seen(run: RunCli, folder: Path, tmp_path: Path) -> None:
    packs = tmp_path / "packs"
    packs.mkdir()
    write(packs, GOOD_FACT, "one.yaml")
    assert run("--facts", str(packs), "facts", "--city", "wuhan", "--json").exit_code == 0
    (packs / "two.yaml").write_text("cities:\n  - {slug: xian, name: Xi'an}\n", encoding="utf-8")
    cities = run("--facts", str(packs), "cities", "--json", "--fields", "slug")
    assert cities.exit_code == 0
    assert run("--facts", str(packs), "facts", "--city", "xian", "--json").exit_code == 0


@pytest.mark.parametrize("damage", ["truncate", "flip", "foreign", "empty"])
def test_a_damaged_entry_is_ignored_and_rebuilt(
    run: RunCli, folder: Path, pack: Path, damage: str
) -> None:
    good = run("--facts", str(pack), "facts", "--json")
    [entry] = entries(folder)
    data = entry.read_bytes()
    damaged = {
        "truncate": data[: len(data) // 2],
        "flip": data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:],
        "foreign": b"PK\x03\x04 not a cache at all" * 100,
        "empty": b"",
    }[damage]
    entry.write_bytes(damaged)
    again = run("--facts", str(pack), "facts", "--json")
    assert again == good
    assert entry.read_bytes() != damaged  # rebuilt


def test_a_read_only_cache_folder_is_not_fatal(run: RunCli, folder: Path, pack: Path) -> None:
    if sys.platform == "win32" or os.geteuid() == 0:
        # root writes through any permission: a file where the folder should be is as unwritable
        folder.write_text("a file where the cache folder should be", encoding="utf-8")
    else:
        folder.mkdir()
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        first = run("--facts", str(pack), "facts", "--json")
        second = run("--facts", str(pack), "facts", "--json")
        assert first.exit_code == second.exit_code == 0
        assert first.stderr == "" and first == second
    finally:
        if folder.is_dir():
            folder.chmod(stat.S_IRWXU)


def test_no_cache_neither_reads_nor_writes_it(run: RunCli, folder: Path, pack: Path) -> None:
    result = run("--no-cache", "--facts", str(pack), "facts", "--json")
    assert result.exit_code == 0 and entries(folder) == file_entries(folder) == []
    run("--facts", str(pack), "facts", "--json")
    pack.write_text(pack.read_text(encoding="utf-8").replace("12.5", "13"), encoding="utf-8")
    fresh = run("--no-cache", "--facts", str(pack), "show", "wuhan-share", "--json")
    assert fresh.json()["value"] == 13


def test_entries_leave_no_partial_files(run: RunCli, folder: Path, pack: Path) -> None:
    run("--facts", str(pack), "facts", "--json")
    assert [p for p in folder.iterdir() if not p.name.endswith(".bin")] == []


def test_the_cache_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("RETURNEES_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert cache.cache_dir() == tmp_path / "xdg" / "returnees"
    monkeypatch.setenv("RETURNEES_CACHE_DIR", str(tmp_path / "mine"))
    assert cache.cache_dir() == tmp_path / "mine"


def test_an_edit_with_its_modification_time_put_back_is_still_seen(
    run: RunCli, folder: Path, pack: Path
) -> None:
    before = pack.stat()
    assert run("--facts", str(pack), "show", "wuhan-share", "--json").json()["label"] == "A share"
    pack.write_text(
        pack.read_text(encoding="utf-8").replace("A share", "B share"), encoding="utf-8"
    )
    os.utime(pack, ns=(before.st_atime_ns, before.st_mtime_ns))  # as cp -p or touch -r would
    assert pack.stat().st_mtime_ns == before.st_mtime_ns
    assert run("--facts", str(pack), "show", "wuhan-share", "--json").json()["label"] == "B share"


def test_a_stored_text_behind_a_symlink_is_followed(
    run: RunCli, folder: Path, tmp_path: Path
) -> None:
    pack = tmp_path / "linked"
    pack.mkdir()
    (pack / "v1.txt").write_text("Twelve: 12.5% of them.\n", encoding="utf-8")
    (pack / "v2.txt").write_text("Twelve: 13.5% of them.\n", encoding="utf-8")
    (pack / "body.txt").symlink_to("v1.txt")
    header = """sources:
  - {id: src, title: T, publisher: P, date: "2025-01-01", kind: primary, text: body.txt}
cities:
  - {slug: wuhan, name: Wuhan}
facts:
  - {id: wuhan-share, city: wuhan, topic: t, label: L, value: 12.5, unit: percent, population: p,
     source: src, reported_in: src, quote: "Twelve: 12.5% of them."}
"""
    (pack / "facts.yaml").write_text(header, encoding="utf-8")
    assert run("--no-builtin", "--facts", str(pack), "validate").exit_code == 0
    (pack / "body.txt").unlink()
    (pack / "body.txt").symlink_to("v2.txt")
    changed = run("--no-builtin", "--facts", str(pack), "validate")
    assert changed.exit_code == 1 and "is not in the stored text" in changed.stdout


def test_an_entry_built_under_other_rules_is_not_trusted(
    run: RunCli, folder: Path, pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("--facts", str(pack), "facts", "--json")
    files, _ = fact_files([builtin_facts_dir(), pack])
    assert cache.load(files) is not None
    monkeypatch.setattr(cache, "_rules", lambda: [["checks.py", 1, 2, 3, 4]])
    assert cache.load(files) is None


def test_an_interrupted_write_leaves_no_partial_entry(
    folder: Path, pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    watch = cache.Watch()
    with checks.watching(watch.saw):
        checked = read_factset([pack], use_cache=False)
    files, _ = fact_files([pack])

    def interrupted(source: object, target: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cache.store(files, checked, watch)
    assert entries(folder) == file_entries(folder) == []  # the partial file went with it


# --- one entry per fact file: an edit re-parses that file alone ----------------------------------


def three_files(tmp_path: Path) -> Path:
    """A pack of three fact files: the sources and cities, and two files of facts."""
    folder = tmp_path / "three"
    folder.mkdir()
    (folder / "a-head.yaml").write_text(HEADER.replace("facts:\n", ""), encoding="utf-8")
    for name, city_share in (("b-first", "12.5"), ("c-second", "30")):
        body = GOOD_FACT.replace("wuhan-share", f"{name}-share").replace("12.5", city_share)
        body = body.replace("In Wuhan, 12.5%", f"In Wuhan, {city_share}%")
        body = body.replace("A share", f"The {name} share")
        (folder / f"{name}.yaml").write_text("facts:\n" + body, encoding="utf-8")
    return folder


def parsed_files(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the fact files parsed from now on (not answered from an entry)."""
    from returnee_cli import parsing

    names: list[str] = []
    parse = parsing.read_fact_file

    def counted(path: Path) -> Any:
        names.append(path.name)
        return parse(path)

    monkeypatch.setattr(parsing, "read_fact_file", counted)
    return names


def test_an_edit_re_parses_that_file_alone_and_answers_as_a_fresh_read(
    run: RunCli, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = three_files(tmp_path)
    argv = ("--no-builtin", "--facts", str(pack), "facts", "--json")
    run(*argv)
    parsed = parsed_files(monkeypatch)
    edited = pack / "c-second.yaml"
    edited.write_text(edited.read_text("utf-8").replace("c-second share", "edited share"), "utf-8")
    answer = run(*argv)
    assert sorted(set(parsed)) == ["c-second.yaml"]  # each run (both paths) parsed it alone
    assert answer == run("--no-cache", *argv)
    assert [r["label"] for r in answer.json()] == ["The b-first share", "The edited share"]
    # a broken edit is reported from the one file parsed, with the others' entries in use
    edited.write_text(edited.read_text("utf-8").replace("value: 30", "value: thirty"), "utf-8")
    parsed.clear()
    broken = run(*argv)
    assert sorted(set(parsed)) == ["c-second.yaml"]
    assert broken.exit_code == 1 and "c-second.yaml:" in broken.stderr
    assert broken == run("--no-cache", *argv)


def _copies(how: str, calls: list[int]) -> Callable[[int, int, int, int], int]:
    """os.copy_file_range as a renewal may find it: refusing, copying nothing, or a little."""
    real = os.copy_file_range

    def copy(source: int, target: int, count: int, offset: int) -> int:
        calls.append(count)
        if how == "refused":
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        if how == "nothing":
            return 0
        return real(source, target, min(count, 7), offset)  # a few bytes at a time

    return copy


@pytest.mark.parametrize("copying", ["kernel", "refused", "nothing", "a few bytes"])
def test_a_touch_or_a_checkout_of_the_same_bytes_parses_nothing_and_renews_the_stamps(
    run: RunCli, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, copying: str
) -> None:
    pack = three_files(tmp_path)
    argv = ("--no-builtin", "--facts", str(pack), "facts", "--json")
    first = run(*argv)
    [entry] = entries(folder)
    rows = stored(entry)["facts"]
    calls: list[int] = []
    if copying != "kernel":  # else the renewal copies the rows and indexes by pread and write
        monkeypatch.setattr(os, "copy_file_range", _copies(copying, calls))
    parsed = parsed_files(monkeypatch)
    asked: list[Path] = []
    monkeypatch.setattr(cache.FileEntries, "get", lambda self, path: asked.append(path))
    later = time.time_ns() + 5 * 10**9
    os.utime(pack / "a-head.yaml", ns=(later, later))  # touched
    checked_out = pack / "b-first.yaml"  # written anew, same bytes: another inode, new times
    copy = pack / "b-first.tmp"
    copy.write_bytes(checked_out.read_bytes())
    os.replace(copy, checked_out)
    assert run(*argv) == first
    assert parsed == [] and asked == []  # answered by the set's entry, by content
    stamps = {dep[0]: tuple(dep[1:5]) for dep in stored(entry)["deps"]}
    for name in ("a-head.yaml", "b-first.yaml"):
        info = (pack / name).stat()
        assert stamps[str(pack / name)] == (
            info.st_size,
            info.st_mtime_ns,
            info.st_ctime_ns,
            info.st_ino,
        )  # renewed: the next start trusts the stamp again
    assert stored(entry)["facts"] == rows  # the rows and indexes copied whole
    assert run(*argv) == first
    assert (calls != []) == (copying != "kernel")


def test_a_fact_files_entry_answers_only_while_its_stored_texts_are_as_they_were(
    run: RunCli, folder: Path, tmp_path: Path
) -> None:
    pack = tmp_path / "texts"
    pack.mkdir()
    (pack / "body.txt").write_text("In Wuhan, 12.5% work in this sector.\n", encoding="utf-8")
    (pack / "facts.yaml").write_text(
        HEADER.replace("kind: primary", "kind: primary\n    text: body.txt")
        + textwrap.dedent(GOOD_FACT),
        encoding="utf-8",
    )
    argv = ("--no-builtin", "--facts", str(pack), "facts", "--json")
    assert run(*argv).exit_code == 0 and len(file_entries(folder)) == 1
    (pack / "body.txt").unlink()  # parsing the source would now find no text
    gone = run(*argv)
    assert gone.exit_code == 1 and "body.txt" in gone.stderr
    assert gone == run("--no-cache", *argv)


# --- racy files: a stamp that cannot tell an edit apart is checked by content --------------------


def stored(entry: Path) -> dict[str, Any]:
    """An entry's decoded content (a set's entry: all of it, its rows too)."""
    if entry.name.startswith(cache.ENTRY_PREFIX):
        whole = cache.stored_entry(entry)
        assert whole is not None
        return whole
    data = entry.read_bytes()
    decoded: dict[str, Any] = marshal.loads(data[data.index(b"\n\n") + 2 :])
    return decoded


def seal(stored_entry: Any, *, whole_set: bool = True) -> bytes:
    """`stored_entry` as an entry with a valid magic line and checksums: as a forger would. A
    set's entry by default (slices, indexes and table), else a fact file's."""
    if whole_set:
        return cache.pack_set(stored_entry)
    payload = marshal.dumps(stored_entry)
    return cache.MAGIC + cache._checksum(payload) + b"\n\n" + payload


def coarse(info: os.stat_result) -> cache.Stamp:
    """A stamp as a file system with whole-second times and no change time (FAT) gives it."""
    second = info.st_mtime_ns // 10**9 * 10**9
    return (info.st_size, second, second, info.st_ino)


def label(run: RunCli, pack: Path) -> str:
    shown = run("--no-builtin", "--facts", str(pack), "show", "wuhan-share", "--json")
    assert shown.exit_code == 0, shown.stderr
    value: str = shown.json()["label"]
    return value


def test_a_same_size_edit_within_the_same_second_is_seen(
    run: RunCli, folder: Path, pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "_stamp_of", coarse)
    second = time.time_ns() // 10**9 * 10**9
    os.utime(pack, ns=(second, second))
    assert label(run, pack) == "A share"
    before = coarse(pack.stat())
    pack.write_text(pack.read_text(encoding="utf-8").replace("A share", "B share"), "utf-8")
    os.utime(pack, ns=(second, second))  # the same second: the same stamp, other bytes
    assert coarse(pack.stat()) == before
    with monkeypatch.context() as stamps_only:  # as the cache was before racy files: stale
        stamps_only.setattr(cache, "_racy", lambda stamp, reference: False)
        assert label(run, pack) == "A share"
    assert label(run, pack) == "B share"  # racy: checked by content, and read again


def test_a_racy_entry_is_rewritten_once_old_enough_and_then_not_read_again(
    run: RunCli, folder: Path, pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A modification time a minute ahead: racy however slow this machine is, until the clock
    # (cache._now, moved on below) has passed it by more than the window.
    ahead = time.time_ns() + 60 * 10**9
    os.utime(pack, ns=(ahead, ahead))
    assert label(run, pack) == "A share"
    [entry] = entries(folder)
    stamped = stored(entry)["stamped"]
    checked: list[str] = []
    content = cache._content

    def counted(path: str, length: int) -> tuple[cache.Stamp, cache.Digest] | None:
        checked.append(path)
        return content(path, length)

    monkeypatch.setattr(cache, "_content", counted)
    assert label(run, pack) == "A share"
    assert checked == [str(pack)] and stored(entry)["stamped"] == stamped  # still too recent
    later = ahead + 10 * 10**9
    monkeypatch.setattr(cache, "_now", lambda: later)  # the clock ten seconds past the file
    os.utime(entry, ns=(ahead, ahead))  # as if written then: its own time is a stamp time too
    assert label(run, pack) == "A share"
    assert len(checked) == 2 and stored(entry)["stamped"] == later  # checked, and written again
    assert label(run, pack) == "A share"
    assert len(checked) == 2  # the new stamp time tells: no more reading


@pytest.mark.parametrize("edited", ["fact file", "stored text"])
def test_an_edit_during_a_cold_load_is_not_recorded_as_seen(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edited: str
) -> None:
    pack = tmp_path / "mid"
    pack.mkdir()
    (pack / "body.txt").write_text("Twelve: 12.5% of them.\n", encoding="utf-8")
    (pack / "facts.yaml").write_text(
        """sources:
  - {id: src, title: T, publisher: P, date: "2025-01-01", kind: primary, text: body.txt}
cities:
  - {slug: wuhan, name: Wuhan}
facts:
  - {id: wuhan-share, city: wuhan, topic: t, label: L, value: 12.5, unit: percent,
     population: p, source: src, reported_in: src, quote: "Twelve: 12.5% of them."}
""",
        encoding="utf-8",
    )
    target = pack / ("facts.yaml" if edited == "fact file" else "body.txt")
    read = checks.read_at_most

    def edit_once_read(path: Path, limit: int) -> bytes | None:
        data = read(path, limit)
        if path.name == target.name and "12.5" in target.read_text(encoding="utf-8"):
            before = target.stat()  # the same size, dated ten seconds earlier (as cp -p can)
            target.write_text(target.read_text(encoding="utf-8").replace("12.5", "17.5"), "utf-8")
            os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns - 10 * 10**9))
        return data

    with monkeypatch.context() as mid_load:
        mid_load.setattr(checks, "read_at_most", edit_once_read)
        first = read_factset([pack], use_cache=True)
    assert first.factset.facts[0].value == 12.5  # the bytes that were read
    assert entries(folder) == file_entries(folder) == []  # changed while it was read: not kept
    again = read_factset([pack], use_cache=True)
    if edited == "fact file":
        assert again.factset.facts[0].value == 17.5
    else:
        assert [p.code for p in again.errors] == ["quote"]  # 12.5 is no longer in the text


# --- what an entry must be before it is read --------------------------------------------------


@pytest.mark.parametrize("what", ["fifo", "dev-zero", "link-to-entry", "too-large"])
def test_only_a_regular_entry_within_the_bound_is_read(
    run: RunCli, folder: Path, pack: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    good = run("--facts", str(pack), "facts", "--json")
    [entry] = entries(folder)
    if what == "too-large":
        # the set's entry as a file, read a slice at a time; a file's entry is read whole
        monkeypatch.setattr(cache, "MAX_SET_ENTRY_BYTES", entry.stat().st_size - 1)
        kept = None
    else:
        kept = entry.rename(folder / "elsewhere")
        if what == "fifo":
            os.mkfifo(entry)  # opened to read, it would wait for a writer forever
        else:
            entry.symlink_to("/dev/zero" if what == "dev-zero" else kept)  # endless bytes
    files, _ = fact_files([builtin_facts_dir(), pack])
    assert cache.load(files) is None  # refused at once: no hang, no read
    again = run("--facts", str(pack), "facts", "--json")
    assert again == good
    if kept is not None:
        assert entry.is_file() and not entry.is_symlink()  # replaced by a real entry


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX owners and modes")
@pytest.mark.parametrize("how", ["writable by others", "another user's"])
def test_an_entry_another_user_could_have_written_is_not_read(
    folder: Path, pack: Path, how: str
) -> None:
    read_factset([pack], use_cache=True)
    [entry] = entries(folder)
    files, _ = fact_files([pack])
    assert cache.load(files) is not None
    if how == "writable by others":
        entry.chmod(0o666)
    elif os.geteuid() == 0:
        os.chown(entry, 65534, 65534)
    else:
        pytest.skip("only root can give a file to another user")
    assert cache.load(files) is None
    read_factset([pack], use_cache=True)
    assert cache.load(files) is not None  # rebuilt as this user's own


def test_a_forged_entry_of_the_users_own_is_trusted_for_content_never_for_safety(
    run: RunCli, folder: Path, pack: Path
) -> None:
    """The trust model: the cache folder is the user's own. An entry the user (or root) forged
    with the right shape is shown, as a fact file would be, through the same sanitizer; one of
    the wrong shape, or carrying code, is rebuilt."""
    run("--no-builtin", "--facts", str(pack), "facts", "--json")
    [entry] = entries(folder)
    forged = stored(entry)
    row = list(forged["facts"][0])
    row[ROW_FIELD_NAMES.index("label")] = "Forged \x1b]0;owned\x07"
    forged["facts"][0] = tuple(row)
    entry.write_bytes(seal(forged))
    table = run("--no-builtin", "--facts", str(pack), "show", "wuhan-share")
    assert "Forged \\x1b]0;owned\\x07" in table.stdout and "\x1b" not in table.stdout
    forged["facts"][0] = compile("raise SystemExit('ran')", "forged", "exec")  # a code object
    entry.write_bytes(seal(forged))
    assert label(run, pack) == "A share"


def test_validate_never_answers_from_the_cache(
    run: RunCli, folder: Path, pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run("--no-builtin", "--facts", str(pack), "facts", "--json")
    [entry] = entries(folder)
    forged = stored(entry)
    forged["warnings"] = [
        (str(pack), 1, "a warning only the cache holds", "forged", None, "warning")
    ]
    entry.write_bytes(seal(forged))
    files, _ = fact_files([pack])
    assert [p.message for p in read_factset([pack], use_cache=True).problems] == [
        "a warning only the cache holds"
    ]  # the entry would answer
    monkeypatch.setattr(cache, "load", lambda *a, **k: pytest.fail("validate read the cache"))
    for argv in (("--no-builtin", "--facts", str(pack), "validate"), ("validate", str(pack))):
        report = run(*argv, "--json")
        assert report.exit_code == 0
        assert [w["code"] for w in report.json()["warnings"]] == ["unverifiable"]


# --- damage of every kind: exactly the uncached answer --------------------------------------------


def _reshaped(entry: dict[str, Any], how: int, seed: int) -> Any:
    """A decoded entry with a wrong shape, each kind of damage by number."""
    forged = marshal.loads(marshal.dumps(entry))  # a deep copy
    key = cache.KEYS[seed % len(cache.KEYS)]
    if how == 0:
        del forged[key]
    elif how == 1:
        forged["extra"] = seed
    elif how == 2:
        forged[key] = [] if type(forged[key]) is not list else {"rows": forged[key]}
    elif how == 3:
        forged["facts"][0] = forged["facts"][0][:-2] + forged["facts"][0][-1:]  # a cell short
    elif how == 4:
        forged["facts"][-1] = (*forged["facts"][-1][:-1], (len(forged["files"]) + seed, 1))
    elif how == 5:
        forged["sources"][0] = (*forged["sources"][0][:-2], -1 - seed, 1)
    elif how == 6:
        forged["sources"][0] = tuple(seed for _ in forged["sources"][0])  # wrong types
    elif how == 7:
        forged["deps"][0][1] = str(forged["deps"][0][1])
    elif how == 8:
        forged["cities"][0] = forged["cities"][0][1:]
    else:
        forged["facts"] = tuple(forged["facts"])
    return forged


def _reshaped_file(entry: dict[str, Any], how: int, seed: int) -> Any:
    """A decoded fact file's entry with a wrong shape, each kind of damage by number."""
    forged = marshal.loads(marshal.dumps(entry))  # a deep copy
    key = cache.FILE_KEYS[seed % len(cache.FILE_KEYS)]
    if how == 0:
        del forged[key]
    elif how == 1:
        forged["extra"] = seed
    elif how == 2:
        forged[key] = [] if type(forged[key]) is not list else {"rows": forged[key]}
    elif how == 3:
        forged["facts"][0] = forged["facts"][0][:-1]  # a cell short
    elif how == 4:
        forged["sources"][0] = (*forged["sources"][0][:-2], 1 + seed, 1)  # no such file
    elif how == 5:
        forged["sources"][0] = tuple(seed for _ in forged["sources"][0])  # wrong types
    elif how == 6:
        forged["digest"] = (str(forged["digest"][0]), forged["digest"][1])
    elif how == 7:
        forged["facts"][0] = (forged["facts"][0][0], str(seed), *forged["facts"][0][2:])
    elif how == 8:
        forged["problems"] = [(None,)]
    elif how == 9:  # the compact key lines (parsing.KeyLines): a byte short, or not bytes
        values, line, complete, lines, decimals = forged["facts"][0]
        keys, first, offsets = lines if type(lines) is tuple else (tuple(lines), 1, b"")
        lines = (keys, first, offsets[:-1] if seed % 2 else list(offsets))
        forged["facts"][0] = (values, line, complete, lines, decimals)
    else:
        forged["facts"] = tuple(forged["facts"])
    return forged


@given(
    which=st.sampled_from(["set", "file"]),
    damage=st.sampled_from(["truncate", "flip", "append", "other marshal", "reshaped"]),
    where=st.floats(0, 1),
    noise=st.binary(min_size=1, max_size=64),
    other=st.recursive(
        st.none() | st.integers() | st.text(max_size=8) | st.binary(max_size=8),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner),
        max_leaves=12,
    ),
    how=st.integers(0, 10),
    seed=st.integers(0, 1000),
)
@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_damage_to_an_entry_gives_exactly_the_uncached_answer(
    folder: Path,
    pack: Path,
    which: str,
    damage: str,
    where: float,
    noise: bytes,
    other: Any,
    how: int,
    seed: int,
) -> None:
    argv = ["--no-builtin", "--facts", str(pack), "facts", "--json"]
    uncached = fast_path(["--no-cache", *argv])
    assert uncached is not None and uncached.exit_code == 0
    assert fast_path(argv) == uncached  # the entries are written
    [entry] = entries(folder) if which == "set" else file_entries(folder)
    reshape = _reshaped if which == "set" else _reshaped_file
    if which == "file":  # asked only when the set's entry cannot answer
        entries(folder)[0].unlink()
    data = entry.read_bytes()
    at = int(where * (len(data) - 1))
    damaged = {
        "truncate": lambda: data[:at],
        "flip": lambda: data[:at] + bytes([data[at] ^ noise[0]]) + data[at + 1 :],
        "append": lambda: data + noise,
        "other marshal": lambda: seal(other, whole_set=which == "set"),
        "reshaped": lambda: seal(reshape(stored(entry), how, seed), whole_set=which == "set"),
    }[damage]()
    entry.write_bytes(damaged)
    assert fast_path(argv) == uncached
    if which == "file":
        entries(folder)[0].unlink()  # the file's entry is asked again (rebuilt by now)
    assert fast_path(argv) == uncached


# --- no home, no folder: no cache, and no word about it -------------------------------------------

RETURNEES = str(Path(sys.executable).with_name("returnees"))


def returnees(
    *args: str, env: dict[str, str], cwd: Path, user: int | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RETURNEES, *args],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", ""), "NO_COLOR": "1", **env},
        cwd=cwd,
        timeout=60,
        preexec_fn=(lambda: os.setuid(user)) if user is not None else None,  # noqa: PLW1509
    )


def other_user(tmp_path: Path) -> int:
    """A user id with no passwd entry that can run returnees here, or skip (and say why)."""
    import pwd

    if os.geteuid() != 0:
        pytest.skip("only root can run a command as another user")
    uid = next(uid for uid in range(54321, 64000) if uid not in {u.pw_uid for u in pwd.getpwall()})
    tmp_path.chmod(0o755)
    try:
        subprocess.run(
            [sys.executable, "-c", "pass"], preexec_fn=lambda: os.setuid(uid), check=True
        )
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"the interpreter {sys.executable} is out of reach of user {uid}")
    return uid


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX users and XDG folders")
@pytest.mark.parametrize(
    "case",
    ["empty HOME", "relative XDG_CACHE_HOME", "a file where the folder goes", "another user"],
)
def test_without_a_usable_cache_folder_the_tool_works_and_says_nothing(
    tmp_path: Path, case: str
) -> None:
    argv = ("sectors", "--city", "beijing", "--json")
    expected = returnees("--no-cache", *argv, env={}, cwd=tmp_path)
    assert expected.returncode == 0
    user = None
    home = tmp_path / "home"
    if case == "empty HOME":
        env = {"HOME": ""}
    elif case == "relative XDG_CACHE_HOME":
        env = {"HOME": str(home), "XDG_CACHE_HOME": "relative-cache"}
    elif case == "a file where the folder goes":  # unwritable even for root
        (tmp_path / "file").write_text("not a folder", encoding="utf-8")
        env = {"RETURNEES_CACHE_DIR": str(tmp_path / "file" / "returnees")}
    else:  # a user with no passwd entry and no HOME, and a folder it may not write
        user = other_user(tmp_path)
        (tmp_path / "locked").mkdir(mode=0o755)
        env = {"RETURNEES_CACHE_DIR": str(tmp_path / "locked" / "returnees")}
    for _ in range(2):  # the second run would answer from a cache, if there were one
        result = returnees(*argv, env=env, cwd=tmp_path, user=user)
        assert (result.returncode, result.stdout, result.stderr) == (0, expected.stdout, "")
    info = returnees("cache", "info", "--json", env=env, cwd=tmp_path, user=user)
    assert info.returncode == 0, info.stderr
    if case == "empty HOME":
        assert json.loads(info.stdout) == {"folder": None, "entries": 0, "bytes": 0}
    elif case == "relative XDG_CACHE_HOME":  # ignored, as the spec says: ~/.cache instead
        assert not (tmp_path / "relative-cache").exists()
        assert json.loads(info.stdout)["folder"] == str(home / ".cache" / "returnees")
        builtin, _ = fact_files([builtin_facts_dir()])
        assert json.loads(info.stdout)["entries"] == 1 + len(builtin)  # the set, each file
    else:
        assert json.loads(info.stdout)["entries"] == 0


def test_no_home_and_no_passwd_entry_means_no_cache(
    run: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pwd

    expected = run("--no-cache", "sectors", "--city", "beijing", "--json")
    for name in ("HOME", "XDG_CACHE_HOME", "RETURNEES_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)

    def no_entry(uid: int) -> pwd.struct_passwd:
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    with pytest.raises(RuntimeError):
        Path.home()
    assert cache.cache_dir() is None
    for _ in range(2):
        assert run("sectors", "--city", "beijing", "--json") == expected
    assert run("cache", "info", "--json").json() == {"folder": None, "entries": 0, "bytes": 0}
    cleared = run("cache", "clear")
    assert (cleared.exit_code, cleared.stdout) == (0, "")
    assert (
        cleared.stderr == "returnees: no cache folder (no home folder and no RETURNEES_CACHE_DIR)\n"
    )


# --- cache info, cache clear, and the size cap ---------------------------------------------------


def test_cache_info_says_where_and_how_much(run: RunCli, folder: Path, pack: Path) -> None:
    assert run("cache", "info", "--json").json() == {
        "folder": str(folder),
        "entries": 0,
        "bytes": 0,
    }
    run("--facts", str(pack), "facts", "--json")
    every = [*entries(folder), *file_entries(folder)]  # the set's, and each fact file's
    size = sum(entry.stat().st_size for entry in every)
    assert run("cache", "info", "--json").json() == {
        "folder": str(folder),
        "entries": len(every),
        "bytes": size,
    }
    table = run("cache", "info")
    assert table.stdout == (
        f"folder   {folder}\nentries  {len(every)}\nsize     {size / 1024:,.1f} KiB\n"
    )
    assert table.stderr == ""


def test_cache_takes_info_or_clear(run: RunCli, folder: Path) -> None:
    refused = run("cache", "flush")
    assert refused.exit_code == 2 and refused.stdout == ""
    assert refused.stderr.startswith(
        "returnees: Invalid value for 'ACTION': 'flush' is not one of info, clear"
    )
    assert run("cache", "INFO", "--json").json()["folder"] == str(folder)
    help_text = " ".join(run("cache", "--help", columns=200).stdout.split())
    assert f"beyond {cache.MAX_FOLDER_BYTES // 2**20} MiB" in help_text


def test_cache_clear_removes_only_returnees_own_entries(
    run: RunCli, folder: Path, pack: Path
) -> None:
    run("--facts", str(pack), "facts", "--json")
    run("--facts", str(pack), "--no-builtin", "facts", "--json")
    mine = [folder / "notes.txt", folder / "factset-notes.txt"]
    for path in mine:
        path.write_text("the user's own", encoding="utf-8")
    (folder / "factset-link.bin").symlink_to(mine[0])
    own = [p for p in [*entries(folder), *file_entries(folder)] if p.name.endswith(".bin")]
    own.remove(folder / "factset-link.bin")  # a symlink: not an entry, never followed
    size = sum(p.stat().st_size for p in own)
    files, _ = fact_files([builtin_facts_dir(), pack])
    assert len(own) == 2 + len(files)  # two sets, one entry for each fact file they share
    cleared = run("cache", "clear")
    assert cleared.exit_code == 0 and cleared.stdout == ""
    shown = f"{size / 1024:,.1f} KiB"
    assert cleared.stderr == (
        f"returnees: removed {len(own)} cache entries ({shown}) from {folder}\n"
    )
    assert entries(folder) == sorted([*mine, folder / "factset-link.bin"])
    assert file_entries(folder) == []
    again = run("cache", "clear")
    assert again.stderr == f"returnees: removed 0 cache entries (0 bytes) from {folder}\n"


def test_the_folder_is_kept_under_its_cap_oldest_first_never_the_new_entry(
    run: RunCli, folder: Path, pack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder.mkdir()
    old = [folder / f"factset-{n}.bin" for n in range(3)]
    for age, path in enumerate(old, start=1):
        path.write_bytes(b"x" * 1000)
        when = time.time_ns() - age * 3600 * 10**9  # factset-2.bin is the oldest
        os.utime(path, ns=(when, when))
    writing = folder / "notes.txt"  # not an entry: never counted, never removed
    writing.write_bytes(b"x" * 100_000)
    argv = ("--no-builtin", "--facts", str(pack), "facts", "--json")
    run(*argv)
    [new] = [p for p in entries(folder) if p.suffix == ".bin" and p not in old]
    [its_file] = file_entries(folder)
    assert entries(folder) == sorted([*old, new, writing])  # under the cap: all kept
    both = new.stat().st_size + its_file.stat().st_size
    # An entry rebuilt from the file's entry may differ by a few bytes (marshal shares a string
    # used twice in a row only where it is one object): half an old entry of slack either way.
    monkeypatch.setattr(cache, "MAX_FOLDER_BYTES", both + 2500)
    new.unlink()
    run(*argv)
    assert entries(folder) == sorted([*old[:2], new, writing])  # the oldest went
    assert file_entries(folder) == [its_file]
    monkeypatch.setattr(cache, "MAX_FOLDER_BYTES", 0)
    new.unlink()
    its_file.unlink()
    run(*argv)
    assert entries(folder) == sorted([new, writing])  # never the ones just written
    assert file_entries(folder) == [its_file]
    assert run(*argv).exit_code == 0 and new.exists()


def test_the_docs_state_the_bounds_the_code_holds() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "robustness.md").read_text("utf-8")
    section = text[text.index("## The cache") :]
    assert f"**{cache.MAX_ENTRY_BYTES // 2**20} MiB**" in section
    assert f"**{cache.MAX_FOLDER_BYTES // 2**20} MiB**" in section
    assert f"**{cache.RACY_WINDOW_NS // 10**9} seconds**" in section
    named = set(re.findall(r"`(test_\w+)`", section))
    defined = {name for name in globals() if name.startswith("test_")}
    assert named and named <= defined, sorted(named - defined)


# Modules a parse or a check imports whose change cannot change what an entry holds: the problem
# type (errors), paths shown (worked out again on every read), the did-you-mean of an error (an
# entry is written only by a load without errors), the terminal guard (applied on output), the
# entry's layout (its own magic), the overviews of records.py (not in the set's meta), the one
# writer (how an entry is written, not what).
NOT_RULES = {"errors.py", "paths.py", "suggest.py", "untrusted.py", "slices.py", "queries.py"}
NOT_RULES |= {"writer.py"}


def test_every_module_a_parse_or_a_check_reads_is_among_the_rules() -> None:
    """An entry answers only under the rules it was built with (the stamps of cache._RULES).
    placeholders.py, which decides what a parse reads as a value still to write, was not
    among them: an edit of it left every per-file entry answering. Each module the rule modules
    import, transitively, is a rule or named in NOT_RULES with its reason."""
    import ast

    src = Path(cache.__file__).parent

    def imported(name: str) -> set[str]:
        found: set[str] = set()
        for node in ast.walk(ast.parse((src / name).read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "returnee_cli":
                found |= {f"{alias.name}.py" for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "returnee_cli."
            ):
                found.add(f"{(node.module or '').split('.')[1]}.py")
        return {name for name in found if (src / name).is_file()}

    seen: set[str] = set()
    todo = list(cache._RULES)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += imported(name) - NOT_RULES
    assert seen <= set(cache._RULES), sorted(seen - set(cache._RULES))


@pytest.mark.parametrize("piece", [1, 7, 64, 10**9])
def test_renewing_the_stamps_copies_the_rows_a_piece_at_a_time(
    run: RunCli,
    folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    piece: int,
) -> None:
    """A touch renews the set's entry's stamps, copying its rows and indexes as they are. They
    were one read of everything before the meta section, past the bound every other read keeps
    (320 MB for a million facts, up to MAX_SET_ENTRY_BYTES for a forged size); now each read is
    at most RENEW_PIECE_BYTES, and the entry written is the same, its stamps renewed."""
    pack = three_files(tmp_path)
    argv = ("--no-builtin", "--facts", str(pack), "facts", "--json")
    first = run(*argv)
    [entry] = entries(folder)
    before = entry.read_bytes()
    reads: list[int] = []
    pread = slices._pread  # what cache._renew calls, by its name in cache.py

    def counted(handle: int, length: int, offset: int) -> bytes:
        reads.append(length)
        return pread(handle, length, offset)

    monkeypatch.setattr(cache, "_pread", counted)
    monkeypatch.setattr(cache, "RENEW_PIECE_BYTES", piece)
    # where the kernel will not copy between the files (copy_file_range), it is read and written
    monkeypatch.setattr(os, "copy_file_range", _copies("refused", []))
    later = time.time_ns() + 5 * 10**9
    os.utime(pack / "a-head.yaml", ns=(later, later))
    assert run(*argv) == first
    assert reads and max(reads) <= piece
    after = entry.read_bytes()
    meta = max(start for start, _ in places_of(after))  # the meta section is written last
    assert meta == max(start for start, _ in places_of(before))
    assert after[cache._HEADER : meta] == before[cache._HEADER : meta]  # rows, indexes as they were
    info = (pack / "a-head.yaml").stat()
    stamps = {dep[0]: tuple(dep[1:5]) for dep in stored(entry)["deps"]}
    assert stamps[str(pack / "a-head.yaml")][1] == info.st_mtime_ns  # renewed
    parsed = parsed_files(monkeypatch)
    assert run(*argv) == first and parsed == []


def places_of(data: bytes) -> list[tuple[int, int]]:
    """The (offset, length) of every section of a set's entry (the rows' slices left out)."""
    at = len(cache.SET_MAGIC)
    offset = int.from_bytes(data[at : at + 8], "little")
    table = marshal.loads(data[offset:])
    return [(start, length) for start, length, _ in table["sections"].values()]


@pytest.mark.parametrize("where", ["items", "label", "derive", "derive from"])
def test_a_file_entry_whose_value_holds_itself_never_hangs_the_answer(
    folder: Path, tmp_path: Path, where: str
) -> None:
    """A forged per-file entry (valid checksum) whose fact's value holds one list twice at each
    level, 40 deep (marshal's references: 2**40 values in a few hundred bytes): the answer,
    after an edit of another file, never finished. A raw fact's values are plain, tuples of
    text, or a `derive` mapping of those; else the file is parsed again."""
    from .test_installed import returnees

    pack = three_files(tmp_path)
    argv = [returnees(), "--no-builtin", "--facts", str(pack), "facts", "--json"]
    env = {**os.environ, "RETURNEES_CACHE_DIR": str(folder)}
    assert subprocess.run(argv, env=env, capture_output=True, timeout=120).returncode == 0
    target = cache.file_entry_path(pack / "b-first.yaml", folder)
    assert target is not None
    stored = marshal.loads(target.read_bytes().split(b"\n\n", 1)[1])
    node: Any = ["x"]
    for _ in range(40):
        node = [node, node]
    values, *rest = stored["facts"][0]
    if where.startswith("derive"):
        values = {**values, "derive": {"formula": "remainder", "from": tuple(node)}}
        if where == "derive":
            values["derive"] = node
    else:
        values = {**values, where: tuple(node)}
    stored["facts"][0] = (values, *rest)
    payload = marshal.dumps(stored)
    target.write_bytes(cache.MAGIC + cache._checksum(payload) + b"\n\n" + payload)
    (pack / "c-second.yaml").write_text(
        (pack / "c-second.yaml").read_text(encoding="utf-8") + "# an edit\n", encoding="utf-8"
    )
    # a limit, so that a regression fails rather than hangs the suite (it takes well under 1 s)
    answer = subprocess.run(argv, env=env, capture_output=True, timeout=120)
    uncached = subprocess.run(
        [argv[0], "--no-cache", *argv[1:]], env=env, capture_output=True, timeout=120
    )
    assert answer.returncode == 0
    assert (answer.stdout, answer.stderr) == (uncached.stdout, uncached.stderr)
