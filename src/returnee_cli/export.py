"""What `export` writes beyond records: the fact set as a SQLite database, and as a fact pack.

A database has `sources`, `cities` and `facts` tables with proper column
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
from typing import Any, NamedTuple

import yaml

from returnee_cli import lexicon
from returnee_cli.formats import yaml_dumper
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


# --- a fact pack: the facts as a fact file that loads back into the same facts -------------------


class Pack(NamedTuple):
    """A fact file's mapping (`sources`, `cities`, `facts`), and what it leaves to its writer."""

    document: dict[str, list[dict[str, Any]]]
    texts: dict[str, Path]  # a `text:` name the pack gives -> the stored text to copy there
    added: list[str]  # facts not asked for: the inputs of derived facts that were
    textless: list[str]  # sources whose stored text the pack leaves out (no folder to put it in)


def fact_pack(factset: FactSet, facts: Sequence[Fact], *, with_texts: bool) -> Pack:
    """`facts` as a fact pack that loads on its own (`--no-builtin`) into facts whose records
    are those of `facts`: each key as a fact file takes it (never a computed one), a derived
    fact as its `derive:` recipe with the stated facts it needs, and the sources and cities
    they name (every one of the set when all its facts are asked for). With `with_texts`, a
    source's stored text is named by `text:` (the writer copies it beside the pack); without,
    `text` is left out and the source listed in `textless`."""
    by_id = {fact.id: fact for fact in factset.facts}
    wanted = {fact.id for fact in facts}
    needed = {ref for fact in facts for ref in fact.derived_from if ref not in wanted}
    chosen = [fact for fact in factset.facts if fact.id in wanted or fact.id in needed]
    if len(chosen) == len(factset.facts):
        sources, cities = list(factset.sources.values()), list(factset.cities.values())
    else:
        named = {ref for fact in chosen for ref in (fact.source, fact.reported_in)}
        sources = [s for s in factset.sources.values() if s.id in named]
        cities = [c for c in factset.cities.values() if c.slug in {f.city for f in chosen}]
    texts: dict[str, Path] = {}
    names: dict[Path, str] = {}
    textless = []
    source_entries = []
    for source in sources:
        entry = _entry(source, skip=("text",))
        if source.text_path is not None:
            if with_texts:
                name = names.get(source.text_path) or source.text_path.name
                if texts.get(name, source.text_path) != source.text_path:
                    name = f"{source.id}-{name}"  # two texts of one name: each its own
                texts[name] = source.text_path
                names[source.text_path] = name
                entry["text"] = name
            else:
                textless.append(source.id)
        source_entries.append(entry)
    return Pack(
        {
            "sources": source_entries,
            "cities": [_entry(city) for city in cities],
            "facts": [_fact_entry(fact, by_id) for fact in chosen],
        },
        texts,
        [fact.id for fact in chosen if fact.id not in wanted],
        textless,
    )


def _entry(record: Any, skip: Sequence[str] = ()) -> dict[str, Any]:
    """The keys a fact file takes for a source, city or report, in their declared order: those
    given (not None), a list of reports as its entries."""
    entry: dict[str, Any] = {}
    kind: type = type(record)
    for field in declared(kind):
        key = field.input_key
        value = getattr(record, field.name)
        if key is None or key in skip or value is None:
            continue
        if field.item_record is not None:
            value = [_entry(item) for item in value]
        elif field.is_list:
            value = list(value)
        entry[key] = value
    return entry


# What a derived fact's file entry may hold besides `derive`: the rest is computed from its inputs.
_DERIVED_KEYS = ("id", "city", "topic", "label", "population", "breakdown", "source", "reported_in")


def _fact_entry(fact: Fact, by_id: dict[str, Fact]) -> dict[str, Any]:
    """A fact as a fact file gives it: a stated one with its figure written with the decimals
    it was stated with (19.50 stays 19.50), `high` only for a range; a derived one with the
    `derive` it was computed by, and `population` only where it is not its input's."""
    entry = _entry(fact, skip=("high", "value", "derive"))
    if fact.derived:
        entry = {key: value for key, value in entry.items() if key in _DERIVED_KEYS}
        first = by_id[fact.derived_from[0]]
        if fact.population == first.population:
            entry.pop("population", None)
        entry["derive"] = {"formula": fact.derived_by, "from": list(fact.derived_from)}
        return entry
    figure: dict[str, Any] = {}
    if fact.value is not None:
        figure["value"] = _Number(fact.value, fact.precision or 0)
    if fact.qualifier == lexicon.RANGE and fact.high is not None:
        figure["high"] = _Number(fact.high, fact.precision or 0)
    ordered = {}  # in the declared order, the figure's keys in their places
    for field in declared(Fact):
        key = field.input_key
        if key in figure:
            ordered[key] = figure[key]
        elif key in entry:
            ordered[key] = entry[key]
    return ordered


class _Number:
    """A figure as written: an int as it is, a float with the decimals it was stated with (a
    whole float stated with none, 1.5e+2, in the exponent form that keeps it a float of 0
    decimals)."""

    def __init__(self, value: int | float, decimals: int) -> None:
        if isinstance(value, bool) or not isinstance(value, float):
            self.text = str(value)
        elif decimals and float(f"{value:.{decimals}f}") == value:
            self.text = f"{value:.{decimals}f}"
        elif decimals == 0 and value == 0:
            self.text = "0.0e+1"  # 0.0e+0 would have a decimal
        elif decimals == 0 and value.is_integer():
            digits = len(str(abs(int(value))).rstrip("0"))
            self.text = f"{value:.{max(digits, 2) - 1}e}"  # 150.0 -> 1.5e+02, 100.0 -> 1.0e+02
        else:
            self.text = repr(value)


class _PackDumper(yaml_dumper()):  # type: ignore[misc]
    """The dumper of every YAML returnees writes, and figures as they were stated."""


def _number(dumper: yaml.SafeDumper, number: _Number) -> yaml.ScalarNode:
    tag = "int" if "." not in number.text else "float"
    return dumper.represent_scalar(f"tag:yaml.org,2002:{tag}", number.text)


_PackDumper.add_representer(_Number, _number)

PACK_HEADER = (
    "# A fact pack written by `returnees export --format yaml` (docs/fact-format.md).\n"
    "# Load it alone with: returnees --no-builtin --facts THIS-FILE facts\n"
)


def pack_text(pack: Pack) -> str:
    """The pack as a fact file."""
    body = yaml.dump(
        pack.document,
        Dumper=_PackDumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
    return PACK_HEADER + str(body)
