"""compare and source: a result in, a renderable out (nothing here prints)."""

from __future__ import annotations

from collections.abc import Sequence

from returnee_cli.figures import interval_text, plural
from returnee_cli.model import City, Fact, FactSet
from returnee_cli.queries import LIKE_WITH_LIKE, SAME_TOPIC, Compared, SourceDetail, source_roles
from returnee_cli.render.kit import Group, Padding, RenderableType, Table, Text
from returnee_cli.render.text import data_text
from returnee_cli.render.views import (
    BASES_NOTE,
    citation_lines,
    derived_notes,
    figure_cell,
    items_text,
    several_bases,
    share_table,
    source_description,
)

SAME_TOPIC_AND_BASE = "Same topic and base (set side by side)"
SAME_TOPIC_ONLY = "On the same topic, of other bases (not compared)"


def _topic_title(topic: str) -> str:
    return topic.replace("-", " ").capitalize()


def _names(cities: Sequence[City]) -> str:
    names = [city.name for city in cities]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def compare_view(
    rows: Sequence[Compared], factset: FactSet, cities: Sequence[City]
) -> RenderableType:
    """Like with like first: the figures of one topic and base in every city that has them, on
    one 0-100 scale, a heading per base; then the topics several cities have of other bases,
    each city's apart; then what each city alone has. Sources at the foot."""
    parts: list[RenderableType] = [
        data_text(f"{_names(cities)}: like with like", style="bold"),
        Text(""),
        Text(SAME_TOPIC_AND_BASE, style="bold"),
    ]
    alike = [row for row in rows if row.match == LIKE_WITH_LIKE]
    shares = [row for row in alike if row.fact.is_share]
    if shares:
        base = {row.fact.id: row.base for row in shares}
        parts.append(
            share_table(
                [row.fact for row in shares],
                None,
                "Measure",
                sample_column=True,
                group=("City", lambda fact: factset.city_of(fact).name),
                base_of=lambda fact: base[fact.id],
                bases_note=False,  # said once, at the foot, for every section
            )
        )
    others = [row for row in alike if not row.fact.is_share]
    if others:
        parts.append(_by_topic_and_city(others, factset))
    if not alike:
        parts.append(
            Text(
                "No figure here has both its topic and its base in another of these cities: "
                "nothing is set side by side.",
                style="dim",
            )
        )
    same_topic = [row for row in rows if row.match == SAME_TOPIC]
    if same_topic:
        parts.extend(
            [
                Text(""),
                Text(SAME_TOPIC_ONLY, style="bold"),
                _by_topic_and_city(same_topic, factset),
            ]
        )
    for city in cities:
        alone = [
            row.fact
            for row in rows
            if row.city == city
            and row.match
            not in (
                LIKE_WITH_LIKE,
                SAME_TOPIC,
            )
        ]
        if not alone:
            continue
        parts.extend([Text(""), data_text(f"Only {city.name}", style="bold"), _by_topic(alone)])
    facts = [row.fact for row in rows]
    notes = derived_notes(facts)
    parts.append(Text(""))
    if notes.plain:
        parts.append(notes)
    if several_bases(facts):
        parts.append(Text(BASES_NOTE, style="dim"))
    parts.append(citation_lines(facts, factset))
    return Group(*parts)


def _figure_line(fact: Fact) -> Text:
    """A figure with its bound and the values it allows, then what it is (its base is said
    above it): '>70% (70–100%) Belong to the ...'; a list inline."""
    line = Text()
    if fact.value is not None:
        line.append_text(figure_cell(fact))
        allowed = interval_text(fact)
        if allowed and fact.low != fact.high:
            line.append(f" ({allowed})", style="dim")
        line.append(" ")
    line.append_text(data_text(fact.label))
    if fact.items:
        line.append(": ")
        line.append_text(items_text(fact))
    return line


def _by_base(facts: Sequence[Fact], indent: str) -> list[RenderableType]:
    """Facts under what they count ('Share of ...', 'Of ...'): one base a group, never mixed."""
    groups: dict[tuple[str | None, bool], list[Fact]] = {}
    for fact in facts:
        groups.setdefault((fact.population, fact.is_share), []).append(fact)
    blocks: list[RenderableType] = []
    for (base, share), group in groups.items():
        if base:
            said = data_text(f"{'Share of' if share else 'Of'} {base}", style="dim")
            blocks.append(Padding(said, (0, 0, 0, len(indent))))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for fact in group:
            grid.add_row(f"{indent}•", _figure_line(fact))
        blocks.append(grid)
    return blocks


def _by_topic(facts: Sequence[Fact]) -> RenderableType:
    groups: dict[str, list[Fact]] = {}
    for fact in facts:
        groups.setdefault(fact.topic, []).append(fact)
    blocks: list[RenderableType] = []
    for topic, group in groups.items():
        blocks.append(data_text(_topic_title(topic), style="italic"))
        blocks.extend(_by_base(group, ""))
    return Group(*blocks)


def _by_topic_and_city(rows: Sequence[Compared], factset: FactSet) -> RenderableType:
    """Each topic, and under it each city's facts apart: never one scale for other bases."""
    groups: dict[str, dict[str, list[Fact]]] = {}
    for row in rows:
        groups.setdefault(row.fact.topic, {}).setdefault(row.city.name, []).append(row.fact)
    blocks: list[RenderableType] = []
    for topic, by_city in groups.items():
        blocks.append(data_text(_topic_title(topic), style="italic"))
        for name, facts in by_city.items():
            blocks.append(data_text(f"  {name}", style="bold"))
            blocks.extend(_by_base(facts, "  "))
    return Group(*blocks)


def source_view(detail: SourceDetail) -> RenderableType:
    """One source in full: what it is, where its details come from, its note, and the facts
    that cite it, by topic (a figure taken from it, or a quote read in it)."""
    source, count = detail.count.source, detail.count
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("ID", data_text(source.id))
    grid.add_row("Document", source_description(source))
    if source.author:
        grid.add_row("Author", data_text(source.author))
    grid.add_row("Date", data_text(source.date))
    grid.add_row(
        "Kind",
        data_text(
            f"{source.kind} ({'the study itself' if source.kind == 'primary' else 'a report'})"
        ),
    )
    if source.url:
        grid.add_row("Address", data_text(source.url))
    if source.note:
        grid.add_row("Note", data_text(source.note))
    grid.add_row(
        "Cited by",
        Text(
            f"{plural(count.facts, 'fact')}: {count.figures} for a figure, "
            f"{count.quotes} for a quote"
        ),
    )
    facts = Table.grid(padding=(0, 1))
    facts.add_column(no_wrap=True, style="cyan")
    facts.add_column(overflow="fold")
    for topic, group in detail.by_topic.items():
        facts.add_row("")
        facts.add_row(data_text(_topic_title(topic), style="bold"))
        bases: dict[tuple[str | None, bool], list[Fact]] = {}
        for fact in group:
            bases.setdefault((fact.population, fact.is_share), []).append(fact)
        for (base, share), same_base in bases.items():
            if base:  # said once above its facts, as in compare
                facts.add_row("", data_text(f"{'Share of' if share else 'Of'} {base}", style="dim"))
            for fact in same_base:
                line = _figure_line(fact)
                roles = source_roles(fact, source.id)
                if roles:
                    line.append(f" [{' and '.join(roles)}]", style="dim")
                facts.add_row(data_text(fact.id), line)
    cited = [fact for group in detail.by_topic.values() for fact in group]
    if several_bases(cited):
        return Group(grid, facts, Text(""), Text(BASES_NOTE, style="dim"))
    return Group(grid, facts)
