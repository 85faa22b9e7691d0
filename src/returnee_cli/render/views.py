"""One function per view: a result in, a renderable out."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text

from returnee_cli.figures import figure_text, number_text
from returnee_cli.model import Fact, FactSet, Source
from returnee_cli.queries import SourceCount
from returnee_cli.render.bars import ShareBar
from returnee_cli.render.text import data_text

DERIVED_MARK = "†"


def source_line(source: Source) -> str:
    return f"{source.title} ({source.publisher}, {source.date}, {source.kind} source)"


def citation_lines(facts: Sequence[Fact], factset: FactSet) -> Text:
    """'Source: ...' and 'Reported in: ...' once for each distinct source, under a table."""
    lines = Text(style="dim")
    seen: list[str] = []
    for fact in facts:
        for label, source_id in (("Source", fact.source), ("Reported in", fact.reported_in)):
            key = f"{label}:{source_id}"
            if key in seen or (label == "Reported in" and source_id == fact.source):
                continue
            seen.append(key)
            lines.append(f"{label}: ")
            lines.append_text(data_text(source_line(factset.sources[source_id])))
            lines.append("\n")
    lines.rstrip()
    return lines


def figure_cell(fact: Fact) -> Text:
    text = Text(figure_text(fact), style="bold")
    if fact.derived:
        text.append(DERIVED_MARK)
    return text


def derived_notes(facts: Sequence[Fact]) -> Text:
    notes = Text(style="dim")
    for fact in facts:
        if fact.derived:
            notes.append(f"{DERIVED_MARK} derived, not stated in the source: ")
            notes.append_text(data_text(fact.label))
            notes.append(f" = {fact.formula}\n")
    notes.rstrip()
    return notes


def share_table(facts: Sequence[Fact], title: str, label_header: str) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
                  show_edge=False)
    table.add_column(label_header, overflow="fold", min_width=8)
    figures = [figure_cell(fact) for fact in facts]
    table.add_column("Share", justify="right", no_wrap=True,
                     min_width=max((len(f) for f in figures), default=5))
    table.add_column("0 ── 100%", min_width=6)
    for fact, figure in zip(facts, figures, strict=True):
        bar = ShareBar(fact.value or 0, lower_bound=fact.qualifier == "more_than",
                       style="magenta" if fact.derived else "cyan")
        table.add_row(data_text(fact.label), figure, bar)
    return table


def sectors_view(facts: Sequence[Fact], factset: FactSet) -> RenderableType:
    """One table a city: each sector's share as a bar, the population and sources underneath."""
    parts: list[RenderableType] = []
    for city, group in groupby(facts, key=lambda f: f.city):
        rows = list(group)
        title = f"{factset.city_name(city)}: fields of work of overseas-educated returnees"
        parts.append(share_table(rows, title, "Field"))
        populations = sorted({f.population for f in rows if f.population})
        if populations:
            parts.append(data_text("Share of: " + "; ".join(populations), style="dim"))
        parts.append(derived_notes(rows))
        parts.append(citation_lines(rows, factset))
        parts.append(Text(""))
    return Group(*parts[:-1])


def items_text(fact: Fact) -> Text:
    return data_text("; ".join(fact.items or ()))


class Responsive:
    """A table where it fits, the same rows stacked one under another where it does not."""

    def __init__(self, wide: RenderableType, narrow: RenderableType, min_width: int) -> None:
        self.wide, self.narrow, self.min_width = wide, narrow, min_width

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.wide if options.max_width >= self.min_width else self.narrow


def fact_label(fact: Fact) -> Text:
    label = data_text(fact.label)
    if fact.items:
        label.append(": ")
        label.append_text(items_text(fact))
    return label


def facts_table(facts: Sequence[Fact], factset: FactSet) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("ID", overflow="fold", style="cyan", min_width=12)
    table.add_column("City", no_wrap=True)
    table.add_column("Figure", justify="right", no_wrap=True)
    table.add_column("Label", overflow="fold", min_width=20)
    stacked = Text()
    for fact in facts:
        figure, label = figure_cell(fact), fact_label(fact)
        table.add_row(data_text(fact.id), data_text(fact.city or "—"), figure, label)
        stacked.append_text(data_text(fact.id, style="cyan"))
        stacked.append(f"\n{fact.city or 'nationwide'} · {fact.topic}\n", style="dim")
        if figure:
            stacked.append_text(figure)
            stacked.append(" ")
        stacked.append_text(label)
        stacked.append("\n\n")
    stacked.rstrip()
    return Responsive(table, stacked, min_width=72)


def fact_view(fact: Fact, factset: FactSet) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("ID", data_text(fact.id))
    grid.add_row("Label", data_text(fact.label))
    if fact.value is not None:
        figure = figure_cell(fact)
        if fact.qualifier == "more_than":
            figure.append(f"  (more than {number_text(fact.value)}: a lower bound)", style="")
        grid.add_row("Figure", figure)
    grid.add_row("City", data_text(factset.city_name(fact.city)))
    grid.add_row("Topic", data_text(fact.topic))
    if fact.population:
        grid.add_row("Share of", data_text(fact.population))
    if fact.sample_size is not None:
        grid.add_row("Sample", Text(f"{number_text(fact.sample_size)} respondents"))
    if fact.items:
        numbered = Text("\n").join(data_text(f"{n}. {item}")
                                   for n, item in enumerate(fact.items, 1))
        grid.add_row("Items", numbered)
    if fact.derived:
        grid.add_row("Derived", data_text(f"{fact.formula}, from {', '.join(fact.derived_from)}"))
    grid.add_row("Source", data_text(source_line(factset.sources[fact.source])))
    grid.add_row("Reported in", data_text(source_line(factset.sources[fact.reported_in])))
    if fact.quote:
        grid.add_row("Quote", data_text(fact.quote, style="italic"))
    return grid


def sources_table(rows: Sequence[SourceCount]) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("ID", overflow="fold", style="cyan", min_width=10)
    table.add_column("Title and publisher", overflow="fold", min_width=20)
    table.add_column("Date", no_wrap=True)
    table.add_column("Kind", no_wrap=True)
    table.add_column("Facts", justify="right", no_wrap=True)
    table.add_column("Quoted", justify="right", no_wrap=True)
    stacked = Text()
    for row in rows:
        source = row.source
        described = data_text(source.title)
        described.append("\n")
        described.append_text(data_text(source.publisher, style="dim"))
        table.add_row(data_text(source.id), described, data_text(source.date),
                      data_text(source.kind), Text(str(row.facts)), Text(str(row.quoted)))
        stacked.append_text(data_text(source.id, style="cyan"))
        stacked.append(f"\n{source.kind} · {source.date} · figures for {row.facts} facts · "
                       f"quoted for {row.quoted}\n", style="dim")
        stacked.append_text(described)
        stacked.append("\n\n")
    stacked.rstrip()
    return Responsive(table, stacked, min_width=100)
