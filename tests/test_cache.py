"""The compiled cache: a hit answers like a fresh read, an edit is never answered from a stale
entry, and nothing wrong with the cache is ever fatal. (Not timed: benchmarks/ measures speed.)"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from returnee_cli import cache, checks
from returnee_cli.loading import fact_files, read_factset
from returnee_cli.paths import builtin_facts_dir

from .conftest import RunCli
from .test_loading import GOOD_FACT, write


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of this test's own, for the CLI and for the library."""
    where = tmp_path / "cache"
    monkeypatch.setenv("RETURNEES_CACHE_DIR", str(where))
    return where


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return write(tmp_path, GOOD_FACT)


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*")) if folder.exists() else []


def test_a_load_is_kept_and_the_next_answers_from_it(run: RunCli, folder: Path, pack: Path) -> None:
    first = run("--facts", str(pack), "facts", "--json")
    assert [p.name.startswith("factset-") for p in entries(folder)] == [True]
    files, _ = fact_files([builtin_facts_dir(), pack])
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
    assert result.exit_code == 0 and entries(folder) == []
    run("--facts", str(pack), "facts", "--json")
    pack.write_text(pack.read_text(encoding="utf-8").replace("12.5", "13"), encoding="utf-8")
    fresh = run("--no-cache", "--facts", str(pack), "show", "wuhan-share", "--json")
    assert fresh.json()["value"] == 13


def test_entries_leave_no_partial_files(run: RunCli, folder: Path, pack: Path) -> None:
    run("--facts", str(pack), "facts", "--json")
    assert not [p for p in entries(folder) if p.name.endswith(".partial")]


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
    assert entries(folder) == []  # the partial file went with the interruption
