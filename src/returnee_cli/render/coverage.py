"""The coverage of the stored texts as a table: each figure, where it is, and the facts that hold
it (or none)."""

from __future__ import annotations

from collections.abc import Sequence

from returnee_cli.coverage import Covered
from returnee_cli.render.kit import RenderableType, Table, Text, box
from returnee_cli.render.text import data_text


def coverage_table(rows: Sequence[Covered]) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("Source", overflow="fold", style="cyan")
    table.add_column("Line", justify="right", no_wrap=True)
    table.add_column("Figure", overflow="fold")
    table.add_column("Qualifier", no_wrap=True)
    table.add_column("Held by", overflow="fold")
    for row in rows:
        held = data_text(", ".join(row.held_by)) if row.held else Text("none", style="bold red")
        table.add_row(
            data_text(row.source),
            Text(str(row.figure.sentence.line)),
            data_text(row.figure.written),
            Text(row.figure.qualifier),
            held,
        )
    return table
