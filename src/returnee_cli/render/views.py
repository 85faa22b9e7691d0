"""One function per view: a result in, a renderable out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import groupby
from typing import TypeVar

from returnee_cli import lexicon
from returnee_cli.figures import (
    allowed_words,
    figure_text,
    interval_text,
    number_text,
    plural,
)
from returnee_cli.render.bars import ShareBar
from returnee_cli.render.kit import (
    Console,
    ConsoleOptions,
    Group,
    Measurement,
    Padding,
    RenderableType,
    RenderResult,
    Table,
    Text,
    box,
)
from returnee_cli.render.text import data_text

TYPE_CHECKING = False  # typing.TYPE_CHECKING: the model and the queries are imported by the views
if TYPE_CHECKING:  # that need them at run time, so that a warm table (warm.py) draws without them
    from returnee_cli.model import City, Fact, FactSet, Source
    from returnee_cli.queries import CityOverview, SourceCount, TopicMatrix

DERIVED_MARK = "†"


def source_line(source: Source) -> str:
    return f"{source.title} ({source.publisher}, {source.date}, {source.kind} source)"


def _reported_by(source: Source) -> list[str]:
    """Who published each report of its `described_in`, and when: 'China News Service
    (Shanghai), Fan Yubin, 2025-01-03'."""
    return [
        ", ".join(part for part in (report.publisher, report.author, report.date) if part)
        for report in source.described_in or ()
    ]


def source_rows(source: Source) -> Text:
    """A source as `show` gives it: its line, its original title, and whose reports its details
    are taken from (their titles and addresses are in `sources`)."""
    text = data_text(source_line(source))
    if source.title_zh:
        text.append("\n")
        text.append_text(data_text(source.title_zh))
    if source.described_in:
        text.append("\nDetails from: ", style="dim")
        text.append_text(data_text("; ".join(_reported_by(source)), style="dim"))
    return text


def source_description(source: Source) -> Text:
    """A source in full, for `sources`: title, original title, publisher, then each public report
    its details are taken from, with its title and address (or the lack of one)."""
    text = data_text(source.title)
    if source.title_zh:
        text.append("\n")
        text.append_text(data_text(source.title_zh))
    text.append("\n")
    text.append_text(data_text(source.publisher, style="dim"))
    for report, reported_by in zip(source.described_in or (), _reported_by(source), strict=True):
        text.append("\nDetails from ", style="dim")
        text.append_text(data_text(f"{reported_by}: {report.title}", style="dim"))
        text.append("\n")
        if report.url:
            text.append_text(data_text(report.url))
        else:
            text.append("(no address recorded)", style="dim")
    return text


def citation_lines(facts: Sequence[Fact], factset: FactSet) -> Text:
    """Each distinct source once, then each document the quotes were read in (unless that is
    the only source of the facts it reports)."""
    lines = Text(style="dim")
    second_hand = {fact.reported_in for fact in facts if fact.reported_in != fact.source}
    for label, attribute in (("Source", "source"), ("Reported in", "reported_in")):
        for source_id in dict.fromkeys(getattr(fact, attribute) for fact in facts):
            if label == "Reported in" and source_id not in second_hand:
                continue
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
    """Under a table: what each derived figure is computed from, and the values it allows."""
    notes = Text(style="dim")
    for fact in facts:
        if fact.derived:
            notes.append(f"{DERIVED_MARK} derived, not stated in the source: ")
            notes.append_text(data_text(fact.label))
            notes.append(f" = {fact.formula}")
            allowed = interval_text(fact)
            if allowed and fact.low != fact.high:
                notes.append(f", so {allowed} (what the stated figures allow)")
            notes.append("\n")
    notes.rstrip()
    return notes


def bar_of(fact: Fact) -> ShareBar:
    return ShareBar(
        fact.value or 0,
        qualifier=fact.qualifier,
        low=fact.low,
        high=fact.high,
        style="magenta" if fact.derived else "cyan",
    )


SHARE_TABLE_MIN_WIDTH = 60  # below this, shares are stacked: label, then figure and bar
SCALE_NOTE = "Bars: 0 to 100%"
BASES_NOTE = "Bases differ: compare figures only within a group."  # as the chart says it


def by_base(
    facts: Sequence[Fact], base_of: Callable[[Fact], str | None] | None = None
) -> list[tuple[str | None, list[Fact]]]:
    """Shares grouped by what they are shares of (`base_of`: its population, unless told), in
    order of first appearance: shares of different bases are never set side by side as if
    they compared."""
    return _by_first_appearance(facts, key=base_of or (lambda fact: fact.population))


def several_bases(facts: Sequence[Fact]) -> bool:
    """Whether these facts count more than one kind of population: a view that heads each
    base's group then says BASES_NOTE once."""
    return len({fact.population for fact in facts if fact.population}) > 1


def share_table(
    facts: Sequence[Fact],
    title: str | None,
    label_header: str,
    *,
    sample_column: bool = False,
    group: tuple[str, Callable[[Fact], str]] | None = None,
    base_of: Callable[[Fact], str | None] | None = None,
    bases_note: bool = True,
) -> RenderableType:
    """Shares as bars on one fixed 0-100 scale, grouped by their base: each group under a
    heading that says what its rows are shares of (one base: a line under the table says it).
    `group` adds a leading column (topic, city) shown once per run. A derived figure comes
    after the stated ones of its base, below a rule. `base_of` says what a row is a share of,
    where that is not its population (compare: the same base in each city). Several bases: a
    line under the table says to compare only within a group (`bases_note`: unless the caller
    says it once for its whole view)."""
    bases = by_base(facts, base_of)
    table = Table(
        title=data_text(title) if title else None,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
    )
    if group is not None:
        table.add_column(group[0], overflow="fold", min_width=6, style="bold")
    table.add_column(label_header, overflow="fold", min_width=8)
    figures = {fact.id: figure_cell(fact) for fact in facts}
    table.add_column(
        "Share",
        justify="right",
        no_wrap=True,
        min_width=max((len(f) for f in figures.values()), default=5),
    )
    table.add_column("0 to 100%", min_width=6)
    if sample_column:
        table.add_column("Sample", justify="right", no_wrap=True)
    width = len(table.columns)
    stacked: list[RenderableType] = [data_text(title, style="bold")] if title else []
    stacked.append(Text(SCALE_NOTE, style="dim"))  # the table's heading says it; stacked, this
    for number, (base, rows) in enumerate(bases):
        ordered = [f for f in rows if not f.derived] + [f for f in rows if f.derived]
        if len(bases) > 1:
            heading = data_text(f"Share of {base or 'an unnamed base'}", style="italic")
            label_at = 1 if group is not None else 0
            table.add_row(*[heading if i == label_at else "" for i in range(width)])
            stacked.append(heading)
        previous = None
        for index, fact in enumerate(ordered):
            figure, bar, label = figures[fact.id], bar_of(fact), data_text(fact.label)
            cells: list[RenderableType] = [label, figure, bar]
            if sample_column:
                cells.append(Text(number_text(fact.sample_size) if fact.sample_size else "—"))
            name = group[1](fact) if group is not None else None
            if group is not None:
                cells.insert(0, data_text(name if name != previous else ""))
            following = ordered[index + 1] if index + 1 < len(ordered) else None
            last_of_base = following is None and number < len(bases) - 1
            before_derived = following is not None and following.derived and not fact.derived
            table.add_row(*cells, end_section=last_of_base or before_derived)
            heading_line = label.copy()
            if name is not None and name != previous:
                stacked.append(data_text(name, style="bold underline"))
            previous = name
            line = Table.grid(padding=(0, 1))  # the same figure width on every row: one scale
            line.add_column(
                justify="right", no_wrap=True, width=max(len(f) for f in figures.values())
            )
            line.add_column(ratio=1)
            line.add_row(figure, bar)
            if sample_column and fact.sample_size:
                heading_line.append(f" (sample {number_text(fact.sample_size)})", style="dim")
            stacked.append(Group(heading_line, line))
    below: list[RenderableType] = []
    if len(bases) == 1 and bases[0][0]:
        below.append(data_text(f"Share of: {bases[0][0]}", style="dim"))
    elif len(bases) > 1 and bases_note:
        below.append(Text(BASES_NOTE, style="dim"))
    legend = bounds_legend(facts)
    if legend:
        below.append(Text(legend, style="dim"))
    return Group(Responsive((SHARE_TABLE_MIN_WIDTH, table), (0, Group(*stacked))), *below)


# How each bound is drawn (render/bars.py); its symbol and words are the lexicon's.
_DRAWN = {
    lexicon.MORE_THAN: "anywhere past ▶",  # strict: ▶ itself excluded
    lexicon.AT_LEAST: "at ▶ or past it",
    lexicon.LESS_THAN: "anywhere short of ┤",  # strict: ┤ itself excluded
    lexicon.AT_MOST: "at ┤ or short of it",
    lexicon.ABOUT: "anywhere in ▒",
}
_LEGEND = {
    **{q: f"{lexicon.SYMBOL[q]} {lexicon.WORDS[q]}: {drawn}" for q, drawn in _DRAWN.items()},
    lexicon.RANGE: "a range: anywhere in ├─┤",
}


def bounds_legend(facts: Sequence[Fact]) -> str:
    """How the bounds in these rows are drawn, for the ones that are present."""
    present = dict.fromkeys(fact.qualifier for fact in facts if fact.qualifier in _LEGEND)
    return "; ".join(_LEGEND[q] for q in present if q is not None)


def sectors_view(facts: Sequence[Fact], factset: FactSet) -> RenderableType:
    """One table a city: each sector's share as a bar, the population and sources underneath."""
    parts: list[RenderableType] = []
    for city, group in groupby(facts, key=factset.city_of):
        rows = list(group)
        title = f"{city.name}: fields of work"  # of whom: "Share of: ..." under the table
        parts.append(share_table(rows, title, "Field"))
        parts.append(derived_notes(rows))
        parts.append(citation_lines(rows, factset))
        parts.append(Text(""))
    return Group(*parts[:-1])


def items_text(fact: Fact) -> Text:
    """A list on one line: 'e.g. a; b; c' for examples, '1. a; 2. b' for a ranking."""
    items = fact.items or ()
    if fact.list_kind == "ranked":
        return data_text("; ".join(f"{n}. {item}" for n, item in enumerate(items, 1)))
    prefix = "e.g. " if fact.list_kind == "examples" else ""
    return data_text(prefix + "; ".join(items))


class Responsive:
    """The widest layout that fits: a table where there is room, the same rows stacked one under
    another where there is not. `layouts` are (minimum width, renderable), widest first; the last
    one is used whatever the width."""

    def __init__(self, *layouts: tuple[int, RenderableType]) -> None:
        self.layouts = layouts

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for min_width, layout in self.layouts:
            if options.max_width >= min_width:
                yield layout
                return
        yield self.layouts[-1][1]


def fact_label(fact: Fact) -> Text:
    label = data_text(fact.label)
    if fact.items:
        label.append(": ")
        label.append_text(items_text(fact))
    if fact.is_share and fact.population:  # shares of different bases never read as one kind
        label.append_text(data_text(f" (of {fact.population})", style="dim"))
    return label


def facts_table(facts: Sequence[Fact], factset: FactSet) -> RenderableType:
    """Ids are never broken (they are for copying into `show`); where the city column does not
    fit it goes; where an id column would leave the labels too narrow, each id goes above its
    label; below that every fact is stacked."""
    wide, medium, compact = (
        Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False) for _ in range(3)
    )
    for table in (wide, medium):
        table.add_column("ID", no_wrap=True, style="cyan")
        if table is wide:
            table.add_column("City", no_wrap=True)
        table.add_column("Figure", justify="right", no_wrap=True)
        table.add_column("Label", overflow="fold", min_width=20)
    compact.add_column("Figure", justify="right", no_wrap=True)
    compact.add_column("ID and label", overflow="fold")
    id_width = max((len(fact.id) for fact in facts), default=2)
    figure_width = max((len(figure_text(fact)) + 1 for fact in facts), default=6)
    stacked = Text()
    for fact in facts:
        figure, label = figure_cell(fact), fact_label(fact)
        city = factset.city_of(fact).slug
        wide.add_row(data_text(fact.id), data_text(city), figure, label)
        medium.add_row(data_text(fact.id), figure, label)
        compact.add_row(figure, Group(data_text(fact.id, style="cyan"), label))
        stacked.append_text(data_text(fact.id, style="cyan"))
        stacked.append(f"\n{city} · {fact.topic}\n", style="dim")
        if figure:
            stacked.append_text(figure)
            stacked.append(" ")
        stacked.append_text(label)
        stacked.append("\n\n")
    stacked.rstrip()
    # a table only where its labels get 30 columns at least (with a 44-column id, 80 columns
    # left them 26: five to seven lines a fact)
    figures = max(figure_width, len("Figure"))
    cities = max((len(factset.city_of(fact).slug) for fact in facts), default=4)
    medium_width = id_width + 3 + figures + 3 + 30
    return Responsive(
        (medium_width + max(cities, len("City")) + 3, wide),
        (medium_width, medium),
        (id_width + 3 + figures, compact),
        (0, stacked),
    )


def fact_view(fact: Fact, factset: FactSet) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("ID", data_text(fact.id))
    grid.add_row("Label", data_text(fact.label))
    if fact.value is not None:
        figure = figure_cell(fact)
        detail = allowed_words(fact)
        if detail:
            figure.append(f"  ({detail})", style="")
        grid.add_row("Figure", figure)
    grid.add_row("City", data_text(factset.city_of(fact).name))
    grid.add_row("Topic", data_text(fact.topic))
    if fact.population:
        grid.add_row("Share of" if fact.is_share else "Of", data_text(fact.population))
    if fact.sample_size is not None and fact.value is not None:
        grid.add_row("Sample", Text(f"{number_text(fact.sample_size)} respondents"))
    if fact.items:
        grid.add_row(_LIST_TITLE[fact.list_kind or ""], item_list(fact, indent=0))
    if fact.derived:
        grid.add_row("Derived", data_text(f"{fact.formula}, from {', '.join(fact.derived_from)}"))
    grid.add_row("Source", source_rows(factset.sources[fact.source]))
    grid.add_row("Reported in", source_rows(factset.sources[fact.reported_in]))
    if fact.quote:
        grid.add_row("Quote", data_text(fact.quote, style="italic"))
    return grid


def sources_table(rows: Sequence[SourceCount]) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("ID", overflow="fold", style="cyan", min_width=10)
    table.add_column("Document", overflow="fold", min_width=20)
    table.add_column("Date", no_wrap=True)
    table.add_column("Kind", no_wrap=True)
    table.add_column("Facts", justify="right", no_wrap=True)
    table.add_column("Figures", justify="right", no_wrap=True)
    table.add_column("Quotes", justify="right", no_wrap=True)
    stacked = Text()
    for row in rows:
        source = row.source
        described = source_description(source)
        table.add_row(
            data_text(source.id),
            described,
            data_text(source.date),
            data_text(source.kind),
            Text(str(row.facts)),
            Text(str(row.figures)),
            Text(str(row.quotes)),
        )
        stacked.append_text(data_text(source.id, style="cyan"))
        stacked.append(
            f"\n{source.kind} · {source.date} · cited by {plural(row.facts, 'fact')}: "
            f"{row.figures} for a figure, {row.quotes} for a quote\n",
            style="dim",
        )
        stacked.append_text(described)
        stacked.append("\n\n")
    stacked.rstrip()
    # The table only where its Document column holds a report's address on one line (and 45
    # columns of text), next to the widest id and the 55 columns of the others and the gaps.
    addresses = [r.url for row in rows for r in row.source.described_in or () if r.url]
    ids = max((len(row.source.id) for row in rows), default=2)
    return Responsive((ids + 55 + max([45, *map(len, addresses)]), table), (0, stacked))


# --- exploring by angle ---------------------------------------------------------------------------


_LIST_TITLE = {"ranked": "Ranked", "complete": "Items", "examples": "Examples", "": "Items"}


def item_list(fact: Fact, indent: int = 2) -> Table:
    """A list as its fact says it is: numbered only if the source ranks it; bullets otherwise,
    ending in '(among others)' when it gives a few examples."""
    items = list(fact.items or ())
    if fact.list_kind == "ranked":
        return numbered(items, indent)
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for position, item in enumerate(items):
        text = data_text(item)
        if fact.list_kind == "examples" and position == len(items) - 1:
            text.append(" (among others)", style="dim")
        grid.add_row(Text(" " * indent + "-"), text)
    return grid


def numbered(items: Sequence[str], indent: int = 2) -> Table:
    """A numbered list whose long items wrap under their own text, not under the number."""
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(overflow="fold")
    width = len(str(len(items)))
    for number, item in enumerate(items, 1):
        grid.add_row(Text(" " * indent + f"{number:>{width}}."), data_text(item))
    return grid


def bullets(facts: Sequence[Fact]) -> Table:
    """Figures that are not shares, lists (numbered only if ranked) and statements, one bullet
    each."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for fact in facts:
        line = data_text(fact.label)
        if fact.value is not None:
            line.append(" (" if fact.items else ": ")
            line.append_text(figure_cell(fact))
            line.append(")" if fact.items else "")
        allowed = interval_text(fact) if not fact.is_share else ""
        if allowed and fact.low != fact.high:
            line.append(f" ({allowed})", style="dim")
        if fact.items:
            line.append(":")
            grid.add_row("•", Group(line, item_list(fact)))
        else:
            grid.add_row("•", line)
    return grid


def _topic_title(topic: str) -> str:
    return topic.replace("-", " ").capitalize()


def grouped_view(
    facts: Sequence[Fact],
    factset: FactSet,
    *,
    title: Text | str,
    group_header: str,
    group_of: Callable[[Fact], str],
    sample_column: bool = False,
) -> RenderableType:
    """All shares in one table (one scale), then the other facts as bullets under headings."""
    parts: list[RenderableType] = [
        data_text(title, style="bold") if isinstance(title, str) else title
    ]
    shares = [fact for fact in facts if fact.is_share]
    if shares:
        parts.append(
            share_table(
                shares, None, "Measure", sample_column=sample_column, group=(group_header, group_of)
            )
        )
    listed = [f for f in facts if not f.is_share or f.items]
    for name, group in _by_first_appearance(listed, key=group_of):
        parts.extend([Text(""), data_text(name, style="bold"), bullets(group)])
    parts.append(Text(""))
    parts.extend(_foot(facts, factset))
    return Group(*parts)


def city_view(city: City, facts: Sequence[Fact], factset: FactSet) -> RenderableType:
    """A city's profile (or the nationwide statements'): its facts grouped by topic, sources at
    the foot."""
    heading = data_text(city.name + (f" ({city.name_zh})" if city.name_zh else ""), style="bold")
    heading.append(f" · {plural(len(facts), 'fact')}", style="dim")
    return grouped_view(
        facts,
        factset,
        title=heading,
        group_header="Topic",
        group_of=lambda f: _topic_title(f.topic),
    )


def by_city_view(facts: Sequence[Fact], factset: FactSet, what: str) -> RenderableType:
    """One view across cities (nationwide statements first), sources at the foot."""
    ordered = sorted(facts, key=lambda f: f.city is not None)  # (city_of: NATIONWIDE for None)
    return grouped_view(
        ordered,
        factset,
        title=what,
        group_header="City",
        group_of=lambda f: factset.city_of(f).name,
    )


def industries_view(facts: Sequence[Fact], factset: FactSet) -> RenderableType:
    """The industries returnees work in, across cities."""
    return by_city_view(facts, factset, "Emerging and leading industries")


def reasons_view(facts: Sequence[Fact], factset: FactSet) -> RenderableType:
    """Why returnees choose a city: each city's lists (numbered where the source ranks them),
    the cities side by side."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    cells: list[RenderableType] = []
    stacked: list[RenderableType] = []
    for city, group in _by_first_appearance(facts, key=factset.city_of):
        table.add_column(data_text(city.name), overflow="fold", ratio=1)
        blocks = [Group(data_text(fact.label, style="bold"), item_list(fact)) for fact in group]
        cells.append(Group(*_spaced(blocks)))
        stacked.extend([data_text(city.name, style="bold underline"), *_spaced(blocks), Text("")])
    table.add_row(*cells)
    return Group(
        Responsive((70, table), (0, Group(*stacked[:-1]))), Text(""), *_foot(facts, factset)
    )


def entrepreneurs_view(facts: Sequence[Fact], factset: FactSet) -> RenderableType:
    samples = sorted({f.sample_size for f in facts if f.sample_size is not None})
    sample = f" (survey of {', '.join(number_text(s) for s in samples)})" if samples else ""
    cities = list(dict.fromkeys(factset.city_of(f).name for f in facts))
    title = f"{', '.join(cities)}: returnee entrepreneurs{sample}"
    group = ("City", lambda f: factset.city_of(f).name) if len(cities) > 1 else None
    parts: list[RenderableType] = [
        share_table(facts, title, "Characteristic", sample_column=True, group=group)
    ]
    parts.append(Text(""))
    parts.extend(_foot(facts, factset))
    return Group(*parts)


class Entries:
    """Short entries ("Shanghai 1") separated by commas, wrapped between entries, never inside
    one: a city name and its count stay on one line, whatever the width."""

    def __init__(self, entries: Sequence[Text]) -> None:
        self.entries = entries

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widths = [entry.cell_len for entry in self.entries]
        return Measurement(max(widths, default=1) + 1, sum(w + 2 for w in widths) or 1)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines: list[Text] = []
        for entry in self.entries:
            last = lines[-1] if lines else None
            if last is not None and last.cell_len + 3 + entry.cell_len <= options.max_width:
                last.append(", ")
                last.append_text(entry)
            else:
                if last is not None:
                    last.append(",")
                lines.append(entry.copy())
        yield Text("\n").join(lines)


def topics_view(matrix: TopicMatrix, topics: Sequence[str] | None = None) -> RenderableType:
    """Topics (all, or those given) against cities: the whole matrix where every city name fits
    over its column, and where it does not, each topic with the cities that have facts on it
    (a name is never split between lines)."""
    from returnee_cli.model import NATIONWIDE, NATIONWIDE_SHORT_NAME

    shown = list(matrix.topics if topics is None else topics)
    names = [NATIONWIDE_SHORT_NAME if city == NATIONWIDE else city.name for city in matrix.cities]

    def captioned(caption: str) -> Table:
        return Table(
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            show_edge=False,
            caption=caption,
            caption_justify="left",
        )

    table = captioned("Number of facts on each topic; · = the data cannot answer it.")
    table.add_column("Topic", no_wrap=True)
    for name in names:
        table.add_column(data_text(name), justify="right", no_wrap=True)
    listed_caption = "Number of facts on each topic; a city not named has none."
    listed = captioned(listed_caption)
    listed.add_column("Topic", no_wrap=True)
    listed.add_column("Where the data answers it")
    stacked: list[RenderableType] = []
    for topic in shown:
        row = matrix.counts[topic]
        table.add_row(
            data_text(topic),
            *[Text(str(row[c])) if row[c] else Text("·", style="dim") for c in matrix.columns],
        )
        present = [
            data_text(f"{name} {row[column]}")
            for name, column in zip(names, matrix.columns, strict=True)
            if row[column]
        ]
        listed.add_row(data_text(topic), Entries(present))
        stacked.extend([data_text(topic, style="bold"), Padding(Entries(present), (0, 0, 0, 2))])
    topic_width = max((len(t) for t in shown), default=5)
    wide = topic_width + sum(max(len(name), 2) + 3 for name in names)
    widest = max((len(name) + 4 for name in names), default=0)
    stacked.append(Text(listed_caption))
    return Responsive((wide, table), (topic_width + 3 + widest, listed), (0, Group(*stacked)))


def cities_view(overview: Sequence[CityOverview]) -> RenderableType:
    from returnee_cli.queries import headline_words

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("City", no_wrap=True)
    table.add_column("Facts", justify="right", no_wrap=True)
    table.add_column("Role in the article", overflow="fold", min_width=16, max_width=24)
    table.add_column("Headline", overflow="fold", min_width=12)
    stacked: list[RenderableType] = []
    for entry in overview:
        name = data_text(entry.city.name)
        if entry.city.name_zh:
            name.append_text(data_text(f" {entry.city.name_zh}"))
        roles = Text("\n").join(data_text(role) for role in entry.roles) or Text("—")
        headline = Text("—", style="dim")
        if entry.headline is not None:
            headline = figure_cell(entry.headline)
            headline.append(" ")
            headline.append_text(data_text(headline_words(entry.headline)))
        table.add_row(name, Text(str(len(entry.facts))), roles, headline)
        title = name.copy()
        title.stylize("bold")
        title.append(f" · {plural(len(entry.facts), 'fact')}", style="dim")
        stacked.append(Group(title, roles, headline, Text("")))
    return Responsive((80, table), (0, Group(*stacked)))


def _spaced(blocks: Sequence[RenderableType]) -> list[RenderableType]:
    spaced: list[RenderableType] = []
    for block in blocks:
        spaced.extend([block, Text("")])
    return spaced[:-1]


def _foot(facts: Sequence[Fact], factset: FactSet) -> list[RenderableType]:
    notes = derived_notes(facts)
    foot: list[RenderableType] = [notes] if notes.plain else []
    return [*foot, citation_lines(facts, factset)]


K = TypeVar("K")


def _by_first_appearance(
    facts: Sequence[Fact], key: Callable[[Fact], K]
) -> list[tuple[K, list[Fact]]]:
    groups: dict[K, list[Fact]] = {}
    for fact in facts:
        groups.setdefault(key(fact), []).append(fact)
    return list(groups.items())
