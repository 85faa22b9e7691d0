"""The JSON contract, and every list of fields generated from the model's one declaration: each
export format carries exactly the contract's keys and the same values, SQLite refuses what the
model does not declare, and the fact-file format names exactly the model's input fields."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import pytest
import yaml

from returnee_cli.export import TABLES
from returnee_cli.fields import CITY_FIELDS, FACT_FIELDS, SOURCE_FIELDS, FieldSpec
from returnee_cli.loading import load_factset
from returnee_cli.model import City, Fact, Source, StoredFacts, declared, fact_row
from returnee_cli.records import CITY_KEYS, FACT_KEYS, SOURCE_KEYS

from .conftest import RunCli

# The contract's order is part of the contract: written out here, not read from the model.
CONTRACT = (
    "id",
    "city",
    "topic",
    "label",
    "value",
    "unit",
    "qualifier",
    "low",
    "high",
    "precision",
    "population",
    "sample_size",
    "items",
    "list_kind",
    "breakdown",
    "derived",
    "derived_from",
    "formula",
    "source",
    "reported_in",
    "quote",
)
SOURCE_CONTRACT = (
    "id",
    "title",
    "publisher",
    "date",
    "kind",
    "short_title",
    "title_zh",
    "author",
    "url",
    "described_in",
    "note",
)
LISTS = ("items", "derived_from")
SOURCES = ("source", "reported_in")


def test_the_record_keys_are_the_contract_in_its_order() -> None:
    assert FACT_KEYS == CONTRACT
    assert SOURCE_KEYS == SOURCE_CONTRACT
    assert CITY_KEYS == ("slug", "name", "name_zh")


@pytest.fixture
def records(run: RunCli) -> list[dict[str, Any]]:
    """The built-in facts as `export --format json` writes them."""
    result = run("export", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data: list[dict[str, Any]] = result.json()
    return data


def test_json_records_hold_every_field_of_the_model(records: list[dict[str, Any]]) -> None:
    factset = load_factset()
    assert [r["id"] for r in records] == [fact.id for fact in factset.facts]
    for record, fact in zip(records, factset.facts, strict=True):
        assert tuple(record) == CONTRACT
        for key in CONTRACT:
            value = getattr(fact, key)
            if key in LISTS:
                assert record[key] == (list(value) if value else None)
            elif key in SOURCES:
                source = factset.sources[value]
                assert record[key] == {k: _source_value(source, k) for k in SOURCE_CONTRACT}
            else:
                assert record[key] == value
    assert any(r["breakdown"] for r in records)
    assert any(r["derived_from"] for r in records)
    assert all(r["source"]["short_title"] for r in records)


def _source_value(source: Source, key: str) -> Any:
    """A source's field as its record holds it: its `described_in` reports as objects."""
    value = getattr(source, key)
    if key == "described_in":
        return [asdict(report) for report in value] if value else None
    return value


def test_jsonl_and_yaml_carry_the_same_records(run: RunCli, records: list[dict[str, Any]]) -> None:
    jsonl = run("export", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line) for line in jsonl] == records
    assert [tuple(json.loads(line)) for line in jsonl] == [CONTRACT] * len(records)
    # `facts` gives records as YAML; `export --format yaml` a fact pack (tests/test_packs.py)
    loaded = yaml.safe_load(run("facts", "--format", "yaml").stdout)
    assert loaded == records
    assert [tuple(record) for record in loaded] == [CONTRACT] * len(records)


def _csv_text(value: Any) -> str:
    """What a CSV cell holds for a JSON value: see README, "In CSV, a list ..."."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "|".join(value)
    if isinstance(value, dict):
        return str(value["id"])
    return str(value)


def test_csv_has_a_column_for_every_key(run: RunCli, records: list[dict[str, Any]]) -> None:
    reader = csv.DictReader(io.StringIO(run("export", "--format", "csv").stdout))
    assert tuple(reader.fieldnames or ()) == CONTRACT
    rows = list(reader)
    assert rows == [{key: _csv_text(r[key]) for key in CONTRACT} for r in records]


@pytest.fixture
def database(run: RunCli, tmp_path: Path) -> sqlite3.Connection:
    path = tmp_path / "facts.db"
    result = run("export", "--format", "sqlite", "-o", str(path))
    assert result.exit_code == 0, result.stderr
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    return connection


def _columns(database: sqlite3.Connection, table: str) -> tuple[str, ...]:
    return tuple(row["name"] for row in database.execute(f"PRAGMA table_info({table})"))


def test_sqlite_tables_are_the_json_records(
    database: sqlite3.Connection, records: list[dict[str, Any]]
) -> None:
    assert _columns(database, "facts") == CONTRACT
    assert _columns(database, "sources") == SOURCE_CONTRACT
    assert _columns(database, "cities") == CITY_KEYS
    rows = [dict(row) for row in database.execute("SELECT * FROM facts ORDER BY rowid")]
    for row in rows:
        for key in LISTS:  # lists are JSON arrays
            row[key] = json.loads(row[key]) if row[key] is not None else None
        row["derived"] = bool(row["derived"])
    flat = [{**r, **{key: r[key]["id"] for key in SOURCES}} for r in records]
    assert rows == flat  # values compare equal (a REAL column reads 83 back as 83.0)
    assert any(row["breakdown"] for row in rows)

    sources = {row["id"]: dict(row) for row in database.execute("SELECT * FROM sources")}
    for source in sources.values():  # a list of reports is a JSON array
        if source["described_in"] is not None:
            source["described_in"] = json.loads(source["described_in"])
    for record in records:
        for key in SOURCES:
            assert sources[record[key]["id"]] == record[key]
    factset = load_factset()
    assert set(sources) == set(factset.sources)
    assert all(source["short_title"] for source in sources.values())
    cities = [dict(row) for row in database.execute("SELECT * FROM cities")]
    assert cities == [
        {key: getattr(city, key) for key in CITY_KEYS} for city in factset.cities.values()
    ]


CHOICES = [
    (table, field.name, field.about.choices)
    for table, record in TABLES
    for field in declared(record)
    if field.about.choices
]


@pytest.mark.parametrize(("table", "column", "choices"), CHOICES, ids=[c[1] for c in CHOICES])
def test_sqlite_takes_the_declared_choices_and_refuses_any_other(
    database: sqlite3.Connection, table: str, column: str, choices: tuple[str, ...]
) -> None:
    record = dict(TABLES)[table]
    key = declared(record)[0].name
    row = dict(database.execute(f"SELECT * FROM {table} LIMIT 1").fetchone())

    def insert(value: str) -> None:
        values = {**row, key: f"new-{value}", column: value}
        database.execute(
            f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
            list(values.values()),
        )

    for value in choices:
        insert(value)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        insert("not-a-choice")


def test_sqlite_checks_the_qualifiers_of_the_model(database: sqlite3.Connection) -> None:
    assert [(table, column) for table, column, _ in CHOICES] == [
        ("sources", "kind"),
        ("facts", "qualifier"),
        ("facts", "list_kind"),
    ]
    with pytest.raises(sqlite3.IntegrityError, match="qualifier"):
        database.execute("UPDATE facts SET qualifier = 'over' WHERE rowid = 1")


@pytest.mark.parametrize(
    ("specs", "record", "input_only"),
    [(SOURCE_FIELDS, Source, []), (CITY_FIELDS, City, []), (FACT_FIELDS, Fact, ["derive"])],
    ids=["sources", "cities", "facts"],
)
def test_fact_file_keys_are_the_models_input_fields(
    specs: tuple[FieldSpec, ...], record: type, input_only: list[str]
) -> None:
    read = [field for field in declared(record) if field.about.read]
    assert [spec.attribute for spec in specs if spec.attribute] == [f.name for f in read]
    assert [spec.name for spec in specs if spec.attribute] == [f.input_key for f in read]
    assert [spec.name for spec in specs if spec.attribute is None] == input_only
    for spec, field in zip(specs, read, strict=False):
        assert (spec.required, spec.nullable, spec.choices) == (
            field.required,
            field.nullable,
            field.about.choices,
        )


def test_what_fact_files_never_state_is_computed() -> None:
    computed = [field.name for field in declared(Fact) if not field.about.read]
    assert computed == [
        "low",
        "precision",
        "derived",
        "derived_from",
        "formula",
        "derived_by",
        "lines",
    ]
    assert [spec.name for spec in SOURCE_FIELDS][-1] == "text"  # Source.text_path


@pytest.mark.parametrize("record", [Fact, Source, City])
def test_every_field_but_the_location_is_declared(record: type) -> None:
    names = [f.name for f in fields(record)]
    assert [field.name for field in declared(record)] + ["location"] == names


def test_a_cached_row_is_the_fact_it_was_made_from() -> None:
    facts = load_factset().facts
    files = sorted({fact.location.file for fact in facts})
    rows = [fact_row(fact, files.index(fact.location.file)) for fact in facts]
    stored = StoredFacts(rows, files)
    assert list(stored) == list(facts)
    assert [fact.location for fact in stored] == [fact.location for fact in facts]

    # every field but the key lines, which only the loader's messages need: a cached set has
    # been checked, and keeping them would double a warm load of 100,000 facts
    def kept(fact: Fact) -> dict[str, object]:
        return {f.name: getattr(fact, f.name) for f in fields(fact) if f.name != "lines"}

    assert [kept(fact) for fact in stored] == [kept(fact) for fact in facts]
    assert all(not fact.lines for fact in stored) and all(fact.lines for fact in facts)
