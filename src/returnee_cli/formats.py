"""Records -> text in the machine formats: JSON, JSON Lines, CSV, YAML. Pure: no printing.

Writers yield chunks so that a large result streams to stdout instead of being built in memory.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from enum import Enum
from pathlib import Path
from typing import Any

from returnee_cli import jsontext
from returnee_cli.errors import UsageError
from returnee_cli.suggest import quoted, suggest
from returnee_cli.untrusted import json_safe


class Format(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    yaml = "yaml"
    sqlite = "sqlite"


@dataclass(frozen=True)
class OutputRequest:
    """What a command's output options asked for: a format, the keys to keep, how many records,
    a picture, and a file to write instead of stdout."""

    format: Format = Format.table
    fields: str | None = None
    svg: Path | None = None
    limit: int | None = None  # None: the default (tables capped, machine formats whole); 0: all
    output: Path | None = None  # None: stdout
    force: bool = False  # replace an existing output file
    color: str = "auto"  # colour in tables: auto, always or never
    raw_csv: bool = False  # keep CSV text cells that a spreadsheet would run as formulas

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> OutputRequest:
        """The output options as parsed (surface.output_options; each one's dest is a field
        here); --json wins over --format, and an output of '-' is stdout."""
        given = {
            f.name: values[f.name] for f in dataclass_fields(cls) if values.get(f.name) is not None
        }
        if values.get("json"):
            given["format"] = Format.json
        if str(given.get("output")) == "-":
            del given["output"]
        return cls(**given)

    def row_limit(self) -> int | None:
        """How many records to print: a terminal is not flooded unless asked; scripts get all."""
        if self.limit is None:
            return TABLE_ROW_LIMIT if self.format is Format.table else None
        return self.limit or None


TABLE_ROW_LIMIT = 1000  # rows a table shows unless --limit says otherwise
LIST_SEPARATOR = "|"  # how CSV joins a list (items, derived_from, roles): "a|b|c"
_BATCH = jsontext.BATCH


def parse_fields(text: str | None, available: Sequence[str]) -> list[str] | None:
    """`--fields id,source.title` -> ['id', 'source.title'], checked against the keys the command
    has (`available`: the top-level keys, and those of nested records written with a dot)."""
    if text is None:
        return None
    wanted = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in available]
    if unknown or not wanted:
        raise UsageError(f"--fields: {_unknown_field(unknown[0] if unknown else '', available)}")
    return wanted


def _unknown_field(name: str, available: Sequence[str]) -> str:
    """What is wrong with a --fields key, with the nearest known one and the keys at its level:
    those of the nested record it names (source.titel), else the top-level ones, and which
    records nest."""
    what = f"unknown field {quoted(name)}" if name else "no field named"
    parent = name.rpartition(".")[0]
    while parent and not any(key.startswith(parent + ".") for key in available):
        parent = parent.rpartition(".")[0]
    if parent:
        depth = parent.count(".") + 1
        level = [k for k in available if k.startswith(parent + ".") and k.count(".") == depth]
        return f"{what}; {suggest(name, level, f'fields of {parent}')}"
    top = [key for key in available if "." not in key]
    nested = [key for key in top if any(k.startswith(key + ".") for k in available)]
    then = None
    if nested:
        example = next(key for key in available if "." in key)
        then = (
            f"known fields: {', '.join(top)}; and with a dot, those of "
            f"{', '.join(nested)} (e.g. {example})"
        )
    return f"{what}; {suggest(name, available, 'fields', then=then)}"


def pick(record: dict[str, Any], fields: Sequence[str] | None) -> dict[str, Any]:
    """The keys of `fields` of a record; a nested key (source.title) keeps its record around it
    ({"source": {"title": ...}}), and through a list of records, in each of them."""
    if fields is None:
        return record
    if not any("." in name for name in fields):
        return {name: record.get(name) for name in fields}
    picked: dict[str, Any] = _project(record, _tree(tuple(fields)))
    return picked


Tree = dict[str, "Tree"]


@functools.lru_cache(maxsize=32)
def _tree(fields: tuple[str, ...]) -> Tree:
    """['id', 'source.title', 'source.date'] -> {'id': {}, 'source': {'title': {}, 'date': {}}};
    a whole record asked for ('source') wins over its keys."""
    tree: Tree = {}
    for name in fields:
        level = tree
        parts = name.split(".")
        for n, part in enumerate(parts):
            if part in level and not level[part]:
                break  # the whole of it is asked for already
            if n == len(parts) - 1:
                level[part] = {}
            else:
                level = level.setdefault(part, {})
    return tree


def _project(value: Any, tree: Tree) -> Any:
    if not tree:
        return value
    if isinstance(value, list):
        return [_project(item, tree) for item in value]
    if not isinstance(value, dict):
        return value  # null, or a plain value where a record was expected: as it is
    return {key: _project(value.get(key), subtree) for key, subtree in tree.items()}


def lookup(record: dict[str, Any], name: str) -> Any:
    """A key's value, a nested one (source.title) too: through a list of records, the list of
    their values."""
    if "." not in name:
        return record.get(name)
    value: Any = record
    parts = name.split(".")
    for n, part in enumerate(parts):
        if isinstance(value, list):
            rest = ".".join(parts[n:])
            return [lookup(item, rest) if isinstance(item, dict) else None for item in value]
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


# One writer of JSON text (jsontext.py), shared with the warm answers (warm.py).
_dumps, _pretty = jsontext.dumps, jsontext.pretty


def json_chunks(records: Iterable[dict[str, Any]], fields: Sequence[str] | None) -> Iterator[str]:
    """A JSON array, byte for byte what json.dumps(list, indent=2) gives, written as it goes."""
    return jsontext.array_chunks(pick(record, fields) for record in records)


def json_object(record: dict[str, Any], fields: Sequence[str] | None) -> str:
    return json_safe(_pretty(pick(record, fields), "")) + "\n"


def jsonl_chunks(records: Iterable[dict[str, Any]], fields: Sequence[str] | None) -> Iterator[str]:
    """One compact JSON object a line; nothing at all for no records."""
    batch: list[str] = []
    for record in records:
        batch.append(_dumps(pick(record, fields)) + "\n")
        if len(batch) >= _BATCH:
            yield json_safe("".join(batch))
            batch = []
    if batch:
        yield json_safe("".join(batch))


def _listed(item: str) -> str:
    """An item of a joined list: a separator or backslash inside it escaped (a\\|b), so that
    splitting on an unescaped '|' gives the items back."""
    return item.replace("\\", "\\\\").replace(LIST_SEPARATOR, "\\" + LIST_SEPARATOR)


def csv_cell(value: Any) -> str | int | float:
    """Flatten one JSON value into a CSV cell: objects by their id, lists joined with '|',
    booleans as true/false, null as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return str(value.get("id", _dumps(value)))
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(_listed(str(csv_cell(item))) for item in value)
    if isinstance(value, (int, float)):
        return value
    return str(value)


# A text cell a spreadsheet would run as a formula (OWASP, "CSV injection"): =, +, -, @, tab, CR.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guarded(cell: str | int | float) -> str | int | float:
    """A text cell that a spreadsheet would run as a formula, with a leading ' so that it shows
    it instead (OWASP's advice); numbers as they are."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


def _row_text(cells: Sequence[str | int | float]) -> str:
    """One CSV row as the csv module writes it, but with every cell holding a carriage return
    quoted: with "\\n" as the line end, the module (before Python 3.13) leaves a lone CR bare,
    and every reader takes it for the end of the row."""
    if len(cells) == 1 and cells[0] == "":
        return '""\n'
    return (
        ",".join(
            '"' + cell.replace('"', '""') + '"'
            if isinstance(cell, str) and any(c in cell for c in ',"\r\n')
            else str(cell)
            for cell in cells
        )
        + "\n"
    )


def csv_chunks(
    records: Iterable[dict[str, Any]], columns: Sequence[str], *, guard: bool = True
) -> Iterator[str]:
    """A header row (always, even with no records), then one row a record; with `guard`, no
    text cell starts a spreadsheet formula."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    rows: list[Sequence[str | int | float]] = [columns]
    writer.writerow(columns)

    def batch() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        # a CR in a cell is rare: the fast writer's batch is checked once, rewritten if need be
        return "".join(_row_text(row) for row in rows) if "\r" in text else text

    for count, record in enumerate(records, 1):
        cells = [csv_cell(lookup(record, name)) for name in columns]
        row = [guarded(cell) for cell in cells] if guard else cells
        writer.writerow(row)
        rows.append(row)
        if count % _BATCH == 0:
            yield batch()
            rows = []
    yield batch()


def yaml_text(data: list[dict[str, Any]] | dict[str, Any]) -> str:
    """Records (or one record) as YAML: the same keys and values as the JSON."""
    import yaml

    dumped = yaml.dump(data, Dumper=yaml_dumper(), allow_unicode=True, sort_keys=False, width=100)
    return str(dumped)


@functools.cache
def yaml_dumper() -> Any:
    """The safe dumper of every YAML returnees writes (records, and export's fact pack)."""
    import yaml

    class Dumper(yaml.SafeDumper):
        """PyYAML would write a text holding NEL or a Unicode line or paragraph separator in
        single quotes, where a reader folds that break into a space: double quotes escape it."""

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = '"' if any(c in value for c in "\x85\u2028\u2029") else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return Dumper
