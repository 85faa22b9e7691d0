"""Packs that round-trip: `export --format yaml` writes a fact pack that loads back into the same
facts, derived ones as their recipe; `validate PACK` resolves the built-in cities and sources a
pack names; one refused record never hides the file's other problems behind a cascade."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from .conftest import RunCli
from .test_fact_format_doc import example_files
from .test_property import NOTES, dump, valid_documents

SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
BUILTIN_TEXT = "china-minutes-2025-04-01.txt"  # the one stored text of the built-in set


def _records(run: RunCli, *pack: str) -> list[dict[str, Any]]:
    loaded = run(*pack, "facts", "--json", "--limit", "0")
    assert loaded.exit_code == 0, loaded.stderr
    records: list[dict[str, Any]] = loaded.json()
    return records


def _round_trip(run: RunCli, before: list[str], folder: Path) -> Path:
    """Export the facts of `before` as a pack into `folder`; the pack's path."""
    pack = folder / "pack.yaml"
    written = run(*before, "export", "--format", "yaml", "-o", str(pack), "--force")
    assert written.exit_code == 0, written.stderr
    return pack


# --- export --format yaml: a fact pack --------------------------------------------------------


def test_the_built_in_set_round_trips_through_a_pack(run: RunCli, tmp_path: Path) -> None:
    pack = _round_trip(run, [], tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [BUILTIN_TEXT, "pack.yaml"]
    again = _records(run, "--no-builtin", "--facts", str(pack))
    assert again == _records(run)  # every record identical, derived figures and bounds too
    assert len(again) == 39
    checked = run("--no-builtin", "validate", str(pack))
    assert (checked.exit_code, checked.stdout) == (
        0,
        "valid: 1 file, 39 facts, 3 sources, 7 cities\n",  # the text is there: no warning
    )


def test_a_pack_holds_what_a_fact_file_takes_and_derived_facts_as_recipes(
    run: RunCli, tmp_path: Path
) -> None:
    document = yaml.safe_load(_round_trip(run, [], tmp_path).read_text(encoding="utf-8"))
    assert list(document) == ["sources", "cities", "facts"]
    computed = {"low", "precision", "derived", "derived_from", "formula"}
    for fact in document["facts"]:
        assert not computed & set(fact), fact["id"]
        if "derive" in fact:  # never a typed-in figure
            assert not {"value", "qualifier", "high", "quote"} & set(fact)
    derived = {f["id"]: f["derive"] for f in document["facts"] if "derive" in f}
    assert derived["shanghai-women-count"] == {
        "formula": "share_of_sample",
        "from": ["shanghai-women-share"],
    }
    assert len(derived) == len([r for r in _records(run) if r["derived"]])
    assert document["sources"][0]["text"] == BUILTIN_TEXT
    assert (tmp_path / BUILTIN_TEXT).read_bytes() == next(
        Path(__file__).parent.parent.glob(f"facts/sources/{BUILTIN_TEXT}")
    ).read_bytes()


def test_the_docs_example_round_trips_with_its_precision_bounds_and_ranges(
    run: RunCli, tmp_path: Path
) -> None:
    for name, content in example_files().items():
        if name.startswith("my-facts/"):
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text(content, encoding="utf-8")
    # a figure stated as 23.00 keeps its two decimals, and so its bounds
    for name, old, new in (
        ("example-talk.yaml", "value: 23\n", "value: 23.00\n"),
        ("example-talk.yaml", "and 23%\n", "and 23.00%\n"),
        ("example-talk-2025.txt", "23% in", "23.00% in"),
    ):
        path = tmp_path / "my-facts" / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    mine = ["--no-builtin", "--facts", str(tmp_path / "my-facts")]
    before = _records(run, *mine)
    assert next(r for r in before if r["id"] == "example-city-sector-healthcare")["precision"] == 2
    out = tmp_path / "out"
    out.mkdir()
    pack = _round_trip(run, mine, out)
    assert "value: 23.00\n" in pack.read_text(encoding="utf-8")
    assert _records(run, "--no-builtin", "--facts", str(pack)) == before


def test_a_pack_to_stdout_says_it_leaves_the_stored_text_out(run: RunCli) -> None:
    result = run("export", "--format", "yaml")
    assert result.exit_code == 0
    assert result.stderr == (
        "returnees: the pack leaves out the stored text of china-minutes-2025 (quotes are "
        "checked against it): add -o FILE to write it beside the pack\n"
    )
    assert "text:" not in result.stdout
    assert result.stdout.startswith("# A fact pack written by `returnees export --format yaml`")


def test_a_selection_brings_the_facts_its_derived_ones_need(run: RunCli, tmp_path: Path) -> None:
    pack = tmp_path / "women.yaml"
    result = run("export", "--search", "women", "--derived", "--format", "yaml", "-o", str(pack))
    assert result.exit_code == 0, result.stderr
    assert (
        "returnees: the pack adds 1 fact that derived ones are computed from: "
        "shanghai-women-share\n"
    ) in result.stderr
    document = yaml.safe_load(pack.read_text(encoding="utf-8"))
    assert [f["id"] for f in document["facts"]] == ["shanghai-women-share", "shanghai-women-count"]
    assert [s["id"] for s in document["sources"]] == ["china-minutes-2025", "shanghai-survey-2024"]
    assert [c["slug"] for c in document["cities"]] == ["shanghai"]
    again = _records(run, "--no-builtin", "--facts", str(pack))
    assert again == [
        r for r in _records(run) if r["id"] in {"shanghai-women-share", "shanghai-women-count"}
    ]


def test_a_pack_refuses_fields(run: RunCli) -> None:
    result = run("export", "--format", "yaml", "--fields", "id")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("returnees: --fields picks the keys of records; --format yaml")


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


@settings(SETTINGS, max_examples=25)
@given(valid_documents())
def test_generated_packs_round_trip(
    run: RunCli, workdir: Path, generated: tuple[dict[str, Any], str]
) -> None:
    document, notes = generated
    source = workdir / "source"
    out = workdir / "out"
    for folder in (source, out):
        folder.mkdir(exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
    (source / NOTES).write_text(notes, encoding="utf-8")
    (source / "pack.yaml").write_text(dump(document), encoding="utf-8")
    mine = ["--no-builtin", "--facts", str(source)]
    before = _records(run, *mine)
    pack = _round_trip(run, mine, out)
    assert _records(run, "--no-builtin", "--facts", str(pack)) == before
    stored = [s for s in document["sources"] if "text" in s]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["pack.yaml", *([NOTES] if stored else [])]
    )
    assert json.dumps(before)  # records, not Python objects
