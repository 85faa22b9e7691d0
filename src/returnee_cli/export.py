"""The whole fact set as a SQLite database: `facts` and `sources` tables with proper column types,
ready for Datasette or sqlite-utils. Pure standard library."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from returnee_cli.model import Fact, FactSet

SCHEMA = """
CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    publisher TEXT NOT NULL,
    date TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('primary', 'secondary')),
    author TEXT,
    url TEXT,
    note TEXT
);
CREATE TABLE cities (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    name_zh TEXT
);
CREATE TABLE facts (
    id TEXT PRIMARY KEY,
    city TEXT REFERENCES cities(slug),
    topic TEXT NOT NULL,
    label TEXT NOT NULL,
    value REAL,
    unit TEXT,
    qualifier TEXT NOT NULL CHECK (qualifier IN ('exact', 'more_than')),
    population TEXT,
    sample_size INTEGER,
    items TEXT,          -- JSON array of strings, in the source's order
    derived INTEGER NOT NULL CHECK (derived IN (0, 1)),
    derived_from TEXT,   -- JSON array of fact ids
    formula TEXT,
    source TEXT NOT NULL REFERENCES sources(id),
    reported_in TEXT NOT NULL REFERENCES sources(id),
    quote TEXT
);
CREATE INDEX facts_city ON facts(city);
CREATE INDEX facts_topic ON facts(topic);
"""


def write_sqlite(factset: FactSet, facts: Sequence[Fact], path: Path) -> None:
    """Write `facts`, with every source and city of the set, into `path`: a new, empty file."""
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.executescript(SCHEMA)
            connection.executemany(
                "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (s.id, s.title, s.publisher, s.date, s.kind, s.author, s.url, s.note)
                    for s in factset.sources.values()
                ],
            )
            connection.executemany(
                "INSERT INTO cities VALUES (?, ?, ?)",
                [(c.slug, c.name, c.name_zh) for c in factset.cities.values()],
            )
            connection.executemany(
                "INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        f.id,
                        f.city,
                        f.topic,
                        f.label,
                        f.value,
                        f.unit,
                        f.qualifier,
                        f.population,
                        f.sample_size,
                        json.dumps(list(f.items), ensure_ascii=False)
                        if f.items is not None
                        else None,
                        int(f.derived),
                        json.dumps(list(f.derived_from)) if f.derived else None,
                        f.formula,
                        f.source,
                        f.reported_in,
                        f.quote,
                    )
                    for f in facts
                ],
            )
    finally:
        connection.close()
