"""Packs that round-trip: `export --format yaml` writes a fact pack that loads back into the same
facts, derived ones as their recipe; `validate PACK` resolves the built-in cities and sources a
pack names; one refused record never hides the file's other problems behind a cascade."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# --- one refused record hides nothing ---------------------------------------------------------


@st.composite
def damaged_documents(draw: st.DrawFn) -> tuple[str, str, list[str], set[str]]:
    """A valid document with one or two keys of one record given a value no key takes (a
    mapping): its text, notes, the damage markers, and the ids it declares as written."""
    document, notes = draw(valid_documents())
    records = [record for part in ("sources", "cities", "facts") for record in document[part]]
    record = draw(st.sampled_from(records))
    keys = draw(st.lists(st.sampled_from(sorted(record)), min_size=1, max_size=2, unique=True))
    markers = []
    for n, key in enumerate(keys):
        markers.append(f"damaged-{n}")
        record[key] = {f"damaged-{n}": 1}
    declared = {
        str(r.get("id", r.get("slug")))
        for part in ("sources", "cities", "facts")
        for r in document[part]
        if isinstance(r.get("id", r.get("slug")), str)
    }
    return dump(document), notes, markers, declared


UNKNOWN = re.compile(r"unknown \w+ `([^`]+)`|computed from `([^`]+)`")


@settings(SETTINGS, max_examples=60)
@given(damaged_documents())
def test_every_damaged_key_is_reported_and_nothing_cascades(
    run: RunCli, workdir: Path, damaged: tuple[str, str, list[str], set[str]]
) -> None:
    text, notes, markers, declared = damaged
    folder = workdir / "damaged"
    folder.mkdir(exist_ok=True)
    (folder / NOTES).write_text(notes, encoding="utf-8")
    (folder / "pack.yaml").write_text(text, encoding="utf-8")
    result = run("--no-builtin", "validate", str(folder / "pack.yaml"), "--json")
    assert result.exit_code == 1, result.stdout
    errors = result.json()["errors"]
    lines = text.splitlines()
    reported = {error["line"] for error in errors}
    for marker in markers:  # the key's line, or the line of its value
        at = next(n for n, line in enumerate(lines, 1) if marker in line)
        key_line = at - 1 if lines[at - 1].strip().startswith(f"{marker}:") else at
        assert reported & {key_line, at}, (marker, errors)
    for error in errors:
        for named in UNKNOWN.findall(error["message"]):
            assert not set(named) & declared, error  # declared, refused: not "unknown"


def test_a_refused_source_leaves_its_facts_silent_and_its_other_keys_checked(
    run: RunCli, tmp_path: Path
) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "sources:\n"
        "  - id: src\n"
        "    title: T\n"
        "    publisher: P\n"
        "    date: someday\n"
        "    kind: primary\n"
        "    url: javascript:alert(1)\n"
        "facts:\n"
        "  - {id: f1, topic: t, label: L, source: src, reported_in: src, quote: Q}\n",
        encoding="utf-8",
    )
    result = run("--no-builtin", "validate", str(pack), "--json")
    assert [(e["line"], e["code"]) for e in result.json()["errors"]] == [(5, "date"), (7, "url")]


# --- validate PACK: the built-in sources and cities it names resolve --------------------------

CITING = (
    "facts:\n"
    "  - id: my-beijing-share\n"
    "    city: beijing\n"
    "    topic: t\n"
    "    label: A share\n"
    "    value: 20.84\n"
    "    unit: percent\n"
    "    population: returnees in Beijing\n"
    "    source: beijing-blue-book-2025\n"
    "    reported_in: china-minutes-2025\n"
    "    quote: technology-related fields make up the largest share at 20.84%.\n"
)


def test_validate_alone_resolves_the_built_in_records_a_pack_names(
    run: RunCli, tmp_path: Path
) -> None:
    pack = tmp_path / "mine.yaml"
    pack.write_text(CITING, encoding="utf-8")
    alone = run("validate", str(pack))
    assert (alone.exit_code, alone.stdout) == (0, "valid: 1 file, 1 fact, 0 sources, 0 cities\n")
    assert run("--facts", str(pack), "show", "my-beijing-share", "--json").json()["city"] == (
        "beijing"
    )
    # quite alone, with --no-builtin: the built-in names are unknown, and said to be
    bare = run("--no-builtin", "validate", str(pack), "--json")
    assert bare.exit_code == 1
    assert [(e["line"], e["code"]) for e in bare.json()["errors"]] == [
        (3, "unknown-city"),
        (9, "unknown-source"),
        (10, "unknown-source"),
    ]
    assert bare.json()["errors"][0]["message"] == (
        "fact `my-beijing-share` names unknown city `beijing` in `city`; `beijing` is a built-in "
        "city: load the built-in facts with it (leave out --no-builtin), or declare it in this pack"
    )


def test_validate_alone_says_which_flag_a_pack_that_declares_built_in_records_needs(
    run: RunCli, tmp_path: Path
) -> None:
    pack = _round_trip(run, [], tmp_path)
    result = run("validate", str(pack), "--json")
    assert result.exit_code == 0, result.stdout  # warnings: it loads alone, not beside them
    warnings = result.json()["warnings"]
    assert {w["code"] for w in warnings} == {"built-in-id"}
    # the first three named, one line for all (not one warning for each of the 49 records)
    assert len(warnings) == 4
    summary, first = warnings[0]["message"], warnings[1]["message"]
    assert summary == (
        "49 of its records are also built in (the first 3 are named below): load this pack "
        f"alone, with `returnees --no-builtin --facts {pack} ...`"
    )
    assert first.startswith("source `china-minutes-2025` is also built in (")
    assert f"load this pack alone, with `returnees --no-builtin --facts {pack}" in first
    assert run("--no-builtin", "validate", str(pack), "--json").json()["warnings"] == []


def test_validate_alone_derives_from_built_in_facts_as_loading_does(
    run: RunCli, tmp_path: Path
) -> None:
    pack = tmp_path / "count.yaml"
    pack.write_text(
        "facts:\n"
        "  - id: my-count\n"
        "    city: shanghai\n"
        "    topic: t\n"
        "    label: Women surveyed\n"
        "    source: shanghai-survey-2024\n"
        "    reported_in: china-minutes-2025\n"
        "    derive: {formula: share_of_sample, from: [shanghai-women-share]}\n",
        encoding="utf-8",
    )
    assert run("validate", str(pack)).stdout == "valid: 1 file, 1 fact, 0 sources, 0 cities\n"
    loaded = run("--facts", str(pack), "show", "my-count", "--json").json()
    women = run("show", "shanghai-women-count", "--json").json()
    assert (loaded["value"], loaded["low"], loaded["high"]) == (
        women["value"],
        women["low"],
        women["high"],
    )


@pytest.mark.parametrize(
    "written",
    [
        "36",
        "41.5",
        "19.50",
        "20.0",
        "0",
        "0.0",
        "1.5e+2",
        "1.0e+02",
        "1.51e+2",
        "1.0e-7",
        "0.0000001",
    ],
)
def test_a_figure_is_written_back_as_the_loader_read_it(written: str) -> None:
    """Whatever the way a figure was written, the pack writes one the loader reads as the same
    number, of the same type, with the same decimals (and so the same bounds)."""
    from returnee_cli.export import _Number, _PackDumper
    from returnee_cli.parsing import _decimals

    value = yaml.safe_load(f"v: {written}")["v"]
    number = _Number(value, _decimals(written))
    back = yaml.safe_load(yaml.dump({"v": number}, Dumper=_PackDumper))["v"]
    assert (back, type(back), _decimals(number.text)) == (value, type(value), _decimals(written))


def test_validate_alone_checks_one_built_in_file_with_the_cities_and_sources_it_names(
    run: RunCli,
) -> None:
    built_in = Path(__file__).parent.parent / "facts"
    whole = run("validate", str(built_in))
    assert (whole.exit_code, whole.stdout) == (0, "valid: 6 files, 39 facts, 3 sources, 7 cities\n")
    one = run("validate", str(built_in / "beijing.yaml"))  # its city and sources are elsewhere
    assert (one.exit_code, one.stdout) == (0, "valid: 1 file, 11 facts, 0 sources, 0 cities\n")


def test_a_pack_never_replaces_a_file_beside_it_without_force(run: RunCli, tmp_path: Path) -> None:
    (tmp_path / BUILTIN_TEXT).write_text("mine\n", encoding="utf-8")
    pack = tmp_path / "pack.yaml"
    refused = run("export", "--format", "yaml", "-o", str(pack))
    assert (refused.exit_code, refused.stdout) == (2, "")
    assert refused.stderr == (
        f"returnees: -o: {tmp_path / BUILTIN_TEXT} exists (the pack's stored text goes beside "
        "it); add --force to replace it, or write the pack into another folder\n"
    )
    assert not pack.exists()  # nothing written
    assert (tmp_path / BUILTIN_TEXT).read_text(encoding="utf-8") == "mine\n"
    assert run("export", "--format", "yaml", "-o", str(pack), "--force").exit_code == 0
    assert _records(run, "--no-builtin", "--facts", str(pack)) == _records(run)
    # the same text is there already: a second pack beside it needs no --force
    second = run("export", "--format", "yaml", "-o", str(tmp_path / "second.yaml"))
    assert (second.exit_code, second.stderr) == (
        0,
        f"returnees: wrote 39 facts to {tmp_path / 'second.yaml'} (yaml)\n",
    )


@pytest.mark.parametrize("city", ["shanghai", "beijing", None])
def test_an_export_loaded_beside_the_built_in_facts_is_told_to_load_alone(
    run: RunCli, tmp_path: Path, city: str | None
) -> None:
    """Not one 'duplicate id, rename or remove one' per record: the fix is --no-builtin."""
    pack = tmp_path / "pack.yaml"
    selection = ["--city", city] if city else []
    assert run("export", *selection, "--format", "yaml", "-o", str(pack)).exit_code == 0
    result = run("--facts", str(pack), "facts", "--json")
    assert (result.exit_code, result.stdout) == (1, "")
    lines = result.stderr.splitlines()
    assert len(lines) == 5  # the count, the first three named, the total
    assert (
        "of its records are also built in (the first 3 are named below): load this pack alone"
        in (lines[0])
    )
    assert all(f"`returnees --no-builtin --facts {pack} ...`" in line for line in lines[:4])
    assert "rename" not in result.stderr
    assert run("--no-builtin", "--facts", str(pack), "facts", "--json").exit_code == 0


def test_two_exports_in_one_folder_share_their_sources_and_cities(
    run: RunCli, tmp_path: Path
) -> None:
    folder = tmp_path / "pack"
    folder.mkdir()
    for city in ("shanghai", "beijing"):
        written = run(
            "export", "--city", city, "--format", "yaml", "-o", str(folder / f"{city}.yaml")
        )
        assert written.exit_code == 0, written.stderr
    result = run("--no-builtin", "validate", str(folder))
    assert result.stdout == "valid: 2 files, 27 facts, 3 sources, 2 cities\n", result.stderr
    records = run("--no-builtin", "--facts", str(folder), "facts", "--json").json()
    assert len(records) == 27
