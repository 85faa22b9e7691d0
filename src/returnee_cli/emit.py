"""The one output switch: every command hands its result here, and this decides what is
printed or written. It cuts the rows (--limit), picks the format (table, json, jsonl, csv, yaml,
sqlite, and the --svg picture) and the destination (stdout, or a file through the one writer).
No command prints on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from returnee_cli import PROG, formats, output
from returnee_cli.errors import UsageError
from returnee_cli.formats import Format, OutputRequest

if TYPE_CHECKING:
    from rich.console import RenderableType

View = Callable[[Sequence[Any]], "RenderableType | str"]


@dataclass(frozen=True)
class Result:
    """What a command found, and how to show it."""

    rows: Sequence[Any]  # the results, one per record
    columns: Sequence[str]  # the keys of a record, in order (the CSV header)
    view: View  # the rows shown -> a table or chart for people (or plain text)
    record: Callable[[Any], dict[str, Any]] = dict  # one row -> its JSON record
    title: str = PROG  # of the --svg picture
    single: bool = False  # one record (show, validate, schema): JSON gives an object
    # said on stderr when there are no rows; a function: found only then (it may cost a scan)
    empty_note: str | Callable[[], str] | None = None
    database: Callable[[Sequence[Any], Path], None] | None = None  # rows -> SQLite (facts only)
    noun: str = "records"  # what the rows are, for "wrote 39 facts to FILE"
    paths: Sequence[str] = ()  # the keys --fields may name, nested ones too; () the columns
    # rows -> the whole text of --format yaml, in place of the records (export: a fact pack)
    document: Callable[[Sequence[Any]], str] | None = None
    # what the text for people is where it is no table (cite: its style): "wrote ... (markdown)"
    text_kind: str | None = None


def emit(out: OutputRequest, result: Result, protected: Sequence[Path] = ()) -> None:
    """Print or write `result` as `out` asks. `protected` are the fact files in use, which no
    output may replace."""
    fields = formats.parse_fields(out.fields, result.paths or result.columns)
    if fields is not None and out.format in (Format.table, Format.sqlite):
        raise UsageError(
            f"--fields picks the keys of json, jsonl, csv and yaml output, not of a "
            f"{out.format.value}; add --json or --format csv"
        )
    if fields is not None and out.format is Format.yaml and result.document is not None:
        raise UsageError(
            "--fields picks the keys of records; --format yaml here writes a fact pack, whose "
            "facts are whole: use --json or --format csv for some keys"
        )
    shown = _cut(out, result)
    if not shown and result.empty_note:
        note = result.empty_note() if callable(result.empty_note) else result.empty_note
        output.message(f"{PROG}: {note}")
    if out.svg is not None:
        from returnee_cli import writer  # tempfile and its imports: only when a file is written

        picture = output.svg_text(result.view(shown), result.title)
        writer.write_text(out.svg, [picture], force=out.force, protected=protected, option="--svg")
        output.message(f"{PROG}: saved the picture to {out.svg}")
    if out.format is Format.sqlite:
        _write_database(out, result, shown, protected)
        return
    if out.output is None and out.format is Format.table:
        if shown or result.single:  # drawn for this terminal: its width, its colours
            output.write_text(output.render(result.view(shown), colour=out.color))
        return
    chunks = _chunks(out, result, shown, fields)
    if out.output is None:
        output.write_chunks(chunks)
        return
    from returnee_cli import writer

    writer.write_text(out.output, chunks, force=out.force, protected=protected, option="-o")
    count = 1 if result.single else len(shown)
    kind = result.text_kind if out.format is Format.table and result.text_kind else out.format.value
    output.message(f"{PROG}: wrote {count:,} {result.noun} to {out.output} ({kind})")


def _cut(out: OutputRequest, result: Result) -> Sequence[Any]:
    limit = None if result.single else out.row_limit()
    shown = result.rows
    if limit is not None and len(shown) > limit:
        hint = " (or --format csv)" if out.format is Format.table else ""
        output.message(
            f"{PROG}: showing {limit:,} of {len(shown):,} records; --limit 0 shows all{hint}"
        )
        shown = shown[:limit]
    return shown


def _chunks(
    out: OutputRequest, result: Result, shown: Sequence[Any], fields: Sequence[str] | None
) -> Iterable[str]:
    """The text of the result in the chosen format, as it streams out (a table for a file is
    drawn whole, without colour)."""
    records = (result.record(row) for row in shown)  # built one at a time
    if out.format is Format.table:
        text = output.render(result.view(shown), for_terminal=False) if shown else ""
        return [text]
    if out.format is Format.json:
        if result.single:
            return [formats.json_object(result.record(shown[0]), fields)]
        return formats.json_chunks(records, fields)
    if out.format is Format.jsonl:
        return formats.jsonl_chunks(records, fields)
    if out.format is Format.csv:
        return formats.csv_chunks(records, fields or result.columns, guard=not out.raw_csv)
    if result.document is not None:
        return [result.document(shown)]
    picked = [formats.pick(record, fields) for record in records]
    return [formats.yaml_text(picked[0] if result.single else picked)]


def _write_database(
    out: OutputRequest, result: Result, shown: Sequence[Any], protected: Sequence[Path]
) -> None:
    if out.output is None:
        raise UsageError("--format sqlite writes a database file: add -o FILE")
    if result.database is None:  # the command's --format choices leave sqlite out
        raise UsageError("--format sqlite is for facts; use json, jsonl, csv or yaml here")
    database = result.database
    import sqlite3

    from returnee_cli import writer

    def fill(path: Path) -> None:
        try:
            database(shown, path)
        except sqlite3.Error as error:
            raise OSError(str(error)) from None

    writer.write_file(out.output, fill, force=out.force, protected=protected, option="-o")
    output.message(f"{PROG}: wrote {len(shown):,} {result.noun} to {out.output} (sqlite)")
