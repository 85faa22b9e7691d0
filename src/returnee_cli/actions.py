"""What each query command does, free of Typer: load the facts, ask `queries`, hand the result to
the one output switch (`emit`). The Typer commands in cli.py and the fast path in fastpath.py
both call these, so a command's whole path is option -> action -> query -> output.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from returnee_cli import formats, output, queries, records
from returnee_cli.errors import UsageError
from returnee_cli.formats import Format, OutputRequest
from returnee_cli.loading import load_factset
from returnee_cli.model import City, Fact, FactSet
from returnee_cli.paths import builtin_facts_dir

if TYPE_CHECKING:
    from types import ModuleType

    from rich.console import RenderableType

PROG = "returnees"
FACTS_ENV = "RETURNEES_FACTS"


class Settings(NamedTuple):
    """What the global options settled, for every command of this call. (A NamedTuple, not a
    dataclass: Typer's doc generator imports cli.py without registering it as a module.)"""

    paths: list[Path]
    use_cache: bool


class GlobalOptions(NamedTuple):
    """The global options as given; checked (`settings`) only by a command that loads facts, so
    that a stale RETURNEES_FACTS never stands in the way of --help, `schema` or `validate PATH`."""

    facts: list[Path]
    no_builtin: bool
    no_cache: bool

    def settings(self) -> Settings:
        return settings(self.facts, no_builtin=self.no_builtin, no_cache=self.no_cache)


def settings(
    extra: Sequence[Path] = (), *, no_builtin: bool = False, no_cache: bool = False
) -> Settings:
    """The fact files of this call: built-in, then RETURNEES_FACTS, then --facts."""
    from_env = [Path(p) for p in os.environ.get(FACTS_ENV, "").split(os.pathsep) if p.strip()]
    for path in [*from_env, *extra]:
        if not path.exists():
            origin = FACTS_ENV if path in from_env else "--facts"
            raise UsageError(f"{origin}: no such file or folder: {path}")
    paths = [*([] if no_builtin else [builtin_facts_dir()]), *from_env, *extra]
    if not paths:
        raise UsageError("--no-builtin leaves no facts to load; add --facts PATH")
    return Settings(paths, use_cache=not no_cache)


def load(settings: Settings) -> FactSet:
    """The facts of this call, loaded and validated (from the cache when nothing changed), with a
    progress bar on a terminal for long loads."""
    with output.load_progress() as progress:
        return load_factset(settings.paths, use_cache=settings.use_cache, progress=progress)


# --- the one output switch ------------------------------------------------------------------------


def views() -> ModuleType:
    """The renderers, imported only when a table is drawn: the JSON path never loads rich."""
    from returnee_cli.render import views

    return views


def emit(
    out: OutputRequest,
    rows: Sequence[Any] | dict[str, Any],
    columns: Sequence[str],
    view: Callable[[Sequence[Any]], RenderableType],
    *,
    record: Callable[[Any], dict[str, Any]] = dict,
    empty_note: str | None = None,
    title: str = PROG,
) -> None:
    """`rows` are a command's results (or one record, for `show`), `record` turns one into its
    JSON record, `columns` are the keys a record has, and `view` builds the table or chart for
    people from the rows it is given."""
    fields = formats.parse_fields(out.fields, columns)
    single = isinstance(rows, dict)
    shown: Sequence[Any] = [rows] if isinstance(rows, dict) else rows
    limit = None if single else out.row_limit()
    if limit is not None and len(shown) > limit:
        hint = " (or --format csv)" if out.format is Format.table else ""
        output.message(
            f"{PROG}: showing {limit:,} of {len(shown):,} records; --limit 0 shows all{hint}"
        )
        shown = shown[:limit]
    if not shown and empty_note:
        output.message(f"{PROG}: {empty_note}")
    if out.svg is not None:
        try:
            output.write_svg(view(shown), out.svg, title)
        except OSError as error:
            raise UsageError(f"--svg: cannot write {out.svg}: {error.strerror}") from None
        output.message(f"{PROG}: saved the picture to {out.svg}")
    dicts = (record(row) for row in shown)  # built one at a time, as they stream out
    if out.format is Format.json:
        chunks: Iterable[str] = (
            [formats.json_object(record(shown[0]), fields)]
            if single
            else formats.json_chunks(dicts, fields)
        )
    elif out.format is Format.jsonl:
        chunks = formats.jsonl_chunks(dicts, fields)
    elif out.format is Format.csv:
        chunks = formats.csv_chunks(dicts, fields or columns)
    elif shown:
        output.write_renderable(view(shown))
        return
    else:
        return
    output.write_chunks(chunks)


def fact_records(facts: Sequence[Fact], factset: FactSet) -> list[dict[str, Any]]:
    return [records.fact_record(fact, factset) for fact in facts]


def _fact_record(factset: FactSet) -> Callable[[Fact], dict[str, Any]]:
    return lambda fact: records.fact_record(fact, factset)


def _no_data(what: str, result: queries.TopicResult) -> str:
    having = ", ".join(city.slug for city in result.cities_with_topic) or "none"
    return f"no {what} for that city; cities that have it: {having}"


def _city(factset: FactSet, city: str | None) -> City | None:
    return queries.resolve_city(factset, city) if city is not None else None


# --- the query commands ---------------------------------------------------------------------------


def cities(settings: Settings, out: OutputRequest) -> None:
    factset = load(settings)
    overview = queries.cities_overview(factset)
    emit(
        out,
        overview,
        records.CITY_OVERVIEW_KEYS,
        lambda rows: views().cities_view(rows),
        record=lambda entry: records.city_overview_record(entry, factset),
    )


def city(settings: Settings, out: OutputRequest, name: str) -> None:
    factset = load(settings)
    chosen = queries.resolve_city(factset, name)
    facts = queries.select_facts(factset, city=chosen)
    emit(
        out,
        facts,
        records.FACT_KEYS,
        lambda rows: views().city_view(chosen, rows, factset),
        record=_fact_record(factset),
        empty_note=f"no facts about {chosen.name} yet",
        title=f"returnees city {chosen.slug}",
    )


def _one_angle(
    settings: Settings,
    out: OutputRequest,
    city: str | None,
    query: Callable[[FactSet, City | None], queries.TopicResult],
    what: str,
    draw: Callable[[Sequence[Fact], FactSet], RenderableType],
    command: str,
) -> None:
    """sectors, industries, entrepreneurs, reasons: one angle on the facts, for one city or all."""
    factset = load(settings)
    result = query(factset, _city(factset, city))
    emit(
        out,
        result.facts,
        records.FACT_KEYS,
        lambda rows: draw(rows, factset),
        record=_fact_record(factset),
        empty_note=_no_data(what, result),
        title=f"returnees {command}",
    )


def sectors(settings: Settings, out: OutputRequest, city: str | None = None) -> None:
    _one_angle(
        settings,
        out,
        city,
        queries.sectors,
        "work-sector figures",
        lambda rows, factset: views().sectors_view(rows, factset),
        "sectors",
    )


def industries(settings: Settings, out: OutputRequest, city: str | None = None) -> None:
    _one_angle(
        settings,
        out,
        city,
        queries.industries,
        "industry facts",
        lambda rows, factset: views().by_city_view(
            rows, factset, "Emerging and leading industries"
        ),
        "industries",
    )


def entrepreneurs(settings: Settings, out: OutputRequest, city: str | None = None) -> None:
    _one_angle(
        settings,
        out,
        city,
        queries.entrepreneurs,
        "entrepreneur survey figures",
        lambda rows, factset: views().entrepreneurs_view(rows, factset),
        "entrepreneurs",
    )


def reasons(settings: Settings, out: OutputRequest, city: str | None = None) -> None:
    _one_angle(
        settings,
        out,
        city,
        queries.reasons,
        "reasons",
        lambda rows, factset: views().reasons_view(rows, factset),
        "reasons",
    )


def topics(settings: Settings, out: OutputRequest) -> None:
    factset = load(settings)
    matrix = queries.topic_matrix(factset)
    rows = [{"topic": topic, **matrix.counts[topic]} for topic in matrix.topics]
    emit(
        out,
        rows,
        ["topic", *matrix.columns],
        lambda shown: views().topics_view(matrix, factset),
        title="returnees topics",
    )


def facts(
    settings: Settings,
    out: OutputRequest,
    city: str | None = None,
    topic: str | None = None,
    source: str | None = None,
    search: str | None = None,
) -> None:
    factset = load(settings)
    found = queries.select_facts(
        factset,
        city=_city(factset, city),
        topic=queries.resolve_topic(factset, topic) if topic is not None else None,
        source=queries.resolve_source(factset, source) if source is not None else None,
        search=search,
    )
    emit(
        out,
        found,
        records.FACT_KEYS,
        lambda rows: views().facts_table(rows, factset),
        record=_fact_record(factset),
        empty_note="no facts match those filters",
        title="returnees facts",
    )


def show(settings: Settings, out: OutputRequest, fact_id: str) -> None:
    factset = load(settings)
    fact = queries.get_fact(factset, fact_id)
    emit(
        out,
        records.fact_record(fact, factset),
        records.FACT_KEYS,
        lambda rows: views().fact_view(fact, factset),
        title=f"returnees show {fact.id}",
    )


def sources(settings: Settings, out: OutputRequest) -> None:
    factset = load(settings)
    rows = queries.source_fact_counts(factset)
    emit(
        out,
        rows,
        records.SOURCE_SUMMARY_KEYS,
        lambda shown: views().sources_table(shown),
        record=records.source_summary_record,
        title="returnees sources",
    )
