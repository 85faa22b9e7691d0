"""The fact set as a SQLite database: `sources`, `cities` and `facts` tables with proper column
types, ready for Datasette or sqlite-utils. Pure standard library.

Each table is generated from the model's declaration: a column a key of the JSON record, in its
order, typed from the field's annotation, NOT NULL where the record is never null, CHECK (... IN
...) from the declared choices, REFERENCES from the declared references; the first column is the
key. A row holds the JSON record's values, with sources by id and lists as JSON arrays."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from returnee_cli.model import City, Declared, Fact, FactSet, Source, declared
from returnee_cli.records import city_record, fact_values, source_record

# In the order they are created: a table comes after those it references.
TABLES: tuple[tuple[str, type], ...] = (("sources", Source), ("cities", City), ("facts", Fact))
INDEXES = (("facts", "city"), ("facts", "topic"))  # the columns the queries filter by
_VALUES: dict[type, Callable[[Any], dict[str, Any]]] = {
    Source: source_record,
    City: city_record,
    Fact: fact_values,
}


def schema_sql() -> str:
    """CREATE TABLE and CREATE INDEX statements for the whole database."""
    statements = [_create_table(name, record) for name, record in TABLES]
    statements += [
        f"CREATE INDEX {table}_{column} ON {table}({column});" for table, column in INDEXES
    ]
    return "\n".join(statements) + "\n"


def write_sqlite(factset: FactSet, facts: Sequence[Fact], path: Path) -> None:
    """Write `facts`, and every source and city of `factset`, into `path`: a new, empty file
    (the caller makes it, and renames it into place once written)."""
    rows: dict[type, Iterable[Any]] = {
        Source: factset.sources.values(),
        City: factset.cities.values(),
        Fact: facts,
    }
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.executescript(schema_sql())
            for name, record in TABLES:
                names = [field.name for field in _columns(record)]
                values = _VALUES[record]
                placeholders = ", ".join("?" * len(names))
                connection.executemany(
                    f"INSERT INTO {name} ({', '.join(names)}) VALUES ({placeholders})",
                    ([_cell(values(item)[key]) for key in names] for item in rows[record]),
                )
    finally:
        connection.close()


def _columns(record: type) -> list[Declared]:
    return [field for field in declared(record) if field.about.record]


def _cell(value: Any) -> Any:
    """A JSON record value as SQLite holds it: a list as a JSON array (booleans are 0 and 1)."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value


def _create_table(name: str, record: type) -> str:
    columns = [_column(field, key=n == 0) for n, field in enumerate(_columns(record))]
    return f"CREATE TABLE {name} (\n    " + ",\n    ".join(columns) + "\n);"


def _column(field: Declared, *, key: bool) -> str:
    parts = [field.name, _sql_type(field)]
    if not (field.nullable or field.is_list):  # no list is null in a record (records.py)
        parts.append("NOT NULL")
    if key:
        parts.append("PRIMARY KEY")
    if field.about.choices:
        parts.append(f"CHECK ({field.name} IN ({', '.join(map(_literal, field.about.choices))}))")
    elif field.types == (bool,):
        parts.append(f"CHECK ({field.name} IN (0, 1))")
    if field.about.references is not None:
        table = next(name for name, record in TABLES if record is field.about.references)
        parts.append(f"REFERENCES {table}({declared(field.about.references)[0].name})")
    if field.is_list:  # the one thing its type does not say
        parts.append(f"/* a JSON array: {field.about.help} */")
    return " ".join(parts)


def _sql_type(field: Declared) -> str:
    if field.is_list:
        return "TEXT"
    if set(field.types) in ({bool}, {int}):
        return "INTEGER"
    if set(field.types) <= {int, float}:
        return "REAL"
    return "TEXT"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
