"""Every command of returnees: its arguments and options, declared once right above it, and what
it does, free of Typer. A command's whole path reads top to bottom here:

    @command(options...)  ->  the action  ->  a query (queries.py)  ->  emit(Result) (emit.py)

The Typer app (cli.py) and the fast path (fastpath.py) are both built from these declarations
(surface.py says how); neither holds a list of commands or options of its own.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from returnee_cli import PROG, __version__, lexicon, output, queries, records
from returnee_cli.emit import Result, emit
from returnee_cli.errors import EXIT_DATA, Exit, ReturneesError, UsageError
from returnee_cli.formats import Format, OutputRequest
from returnee_cli.lexicon import QUALIFIERS
from returnee_cli.loading import load_factset, read_factset
from returnee_cli.model import NATIONWIDE, City, Fact, FactSet
from returnee_cli.paths import builtin_facts_dir
from returnee_cli.surface import (
    FACT_FORMATS,
    FORCE,
    OUTPUT_FILE,
    Command,
    Param,
    argument,
    choice,
    command,
    each_of,
    existing_path,
    flag,
    one_of,
    option,
    output_options,
    several,
    starting_with,
    switch,
)

if TYPE_CHECKING:
    from rich.console import RenderableType

    from returnee_cli.render import compare as side_by_side
    from returnee_cli.render import views
else:  # the renderers import rich: loaded the first time a table is drawn, never for --json
    from returnee_cli.lazy import lazy_module

    views = lazy_module("returnee_cli.render.views")
    side_by_side = lazy_module("returnee_cli.render.compare")

FACTS_ENV = "RETURNEES_FACTS"


# --- the facts of a call --------------------------------------------------------------------------


class Settings(NamedTuple):
    """The fact files of this call, and whether the cache may answer."""

    paths: list[Path]
    use_cache: bool


class GlobalOptions(NamedTuple):
    """The global options as given; checked (`settings`) only by a command that loads facts, so
    that a stale RETURNEES_FACTS never stands in the way of --help, `schema` or `validate PATH`."""

    facts: list[Path]
    no_builtin: bool
    no_cache: bool

    def settings(self) -> Settings:
        """The fact files of this call: built-in, then RETURNEES_FACTS, then --facts."""
        from_env = [Path(p) for p in os.environ.get(FACTS_ENV, "").split(os.pathsep) if p.strip()]
        for path in [*from_env, *self.facts]:
            must_exist(path, f"{FACTS_ENV if path in from_env else '--facts'}: ")
        paths = [*([] if self.no_builtin else [builtin_facts_dir()]), *from_env, *self.facts]
        if not paths:
            raise UsageError("--no-builtin leaves no facts to load; add --facts PATH")
        return Settings(paths, use_cache=not self.no_cache)


def must_exist(path: Path, origin: str = "") -> None:
    """Refuse (UsageError) a path to read that is not there, or cannot be reached: a name too
    long, a file taken for a folder, a folder on the way that may not be entered."""
    try:
        path.stat()
    except FileNotFoundError:
        raise UsageError(f"{origin}no such file or folder: {path}") from None
    except OSError as error:
        raise UsageError(f"{origin}cannot reach {path}: {error.strerror or error}") from None


class Call:
    """What every action receives besides its own options: the global options and the output
    options (`out`)."""

    def __init__(self, options: GlobalOptions, out: OutputRequest) -> None:
        self.options, self.out = options, out
        self._settings: Settings | None = None
        self._texts: list[Path] = []

    @property
    def settings(self) -> Settings:
        """The fact files of this call, checked once, on first use (never for `schema`)."""
        if self._settings is None:
            self._settings = self.options.settings()
        return self._settings

    def load(self) -> FactSet:
        """The facts of this call, loaded and validated (from the cache when nothing changed),
        with a progress bar on a terminal for long loads."""
        with output.load_progress() as progress:
            factset = load_factset(
                self.settings.paths, use_cache=self.settings.use_cache, progress=progress
            )
        self._texts = [s.text_path for s in factset.sources.values() if s.text_path]
        return factset

    @property
    def protected(self) -> list[Path]:
        """What no output may replace, even with --force: the fact files in use and the stored
        texts their quotes are checked against (written over, a text would vouch for anything)."""
        return [*self.settings.paths, *self._texts]

    def emit(self, result: Result) -> None:
        """Print or write the result as the output options ask; never over a fact file."""
        emit(self.out, result, self.protected)


def run(
    name: str,
    global_values: dict[str, Any],
    values: dict[str, Any],
    given: frozenset[str] = frozenset(),
) -> None:
    """Run one command with its parsed values (`given`: the ones written on the command line):
    the one entry of both the Typer app and the fast path."""
    from returnee_cli.surface import COMMANDS, OUTPUT_DESTS

    declared = COMMANDS[name]
    own = {dest: value for dest, value in values.items() if dest not in OUTPUT_DESTS}
    chosen = values.get("format")
    if values.get("json") and "format" in given and chosen is not None and chosen != Format.json:
        raise UsageError(
            f"--json and --format {Format(chosen).value} ask for two formats; give one of them"
        )
    if "format" not in given and not values.get("json"):
        values = {**values, **_format_of_output(declared, values.get("output"))}
    out = OutputRequest.from_values(values)
    from returnee_cli.slices import Damaged

    try:
        declared.action(Call(GlobalOptions(**global_values), out), **own)
    except Damaged as damaged:
        # A slice of the cache's entry, read after the load (slices.py), failed its check. The
        # rows a command reads are read while it asks its questions, before its answer is
        # written: so nothing is out yet. The entry goes, and the command is answered again
        # from a set rebuilt from the files (which holds its rows in memory).
        try:
            Path(damaged.entry).unlink(missing_ok=True)
        except OSError:  # a cache folder that cannot be written: the entry stays, read past it
            global_values = {**global_values, "no_cache": True}
        try:
            declared.action(Call(GlobalOptions(**global_values), out), **own)
        except Damaged:  # damaged again (another process wrote it meanwhile): read past the cache
            declared.action(Call(GlobalOptions(**{**global_values, "no_cache": True}), out), **own)


SUFFIXES = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".db": "sqlite",
    ".sqlite": "sqlite",
    ".sqlite3": "sqlite",
    ".txt": "table",
}


def _format_of_output(declared: Command, output: Path | None) -> dict[str, Any]:
    """-o data.csv writes CSV unless --format (or --json) says otherwise: the format its
    extension names, where the command offers it."""
    suffix = SUFFIXES.get(output.suffix.casefold()) if output is not None else None
    chosen = next((p for p in declared.params if p.dest == "format"), None)
    if suffix is None or chosen is None:
        return {}
    try:
        return {"format": chosen.convert(suffix)}
    except ValueError:
        return {}  # not a format of this command: its default, which the message names


# --- shell completion: quiet, from the built-in facts and RETURNEES_FACTS -------------------------


def _completion_factset() -> FactSet | None:
    try:
        return Call(GlobalOptions([], False, False), OutputRequest()).load()
    except ReturneesError:
        return None


def complete_city(incomplete: str) -> list[str]:
    """The slugs and Chinese names of the cities, and `nationwide`; after a comma
    (beijing,sh), those of the cities not written yet."""
    from returnee_cli.untrusted import neutralise

    factset = _completion_factset()
    head, comma, last = incomplete.rpartition(",")
    written = set(head.split(",")) if comma else set()
    names = [
        name
        for city in [*(factset.cities.values() if factset else ()), NATIONWIDE]
        if not written & {city.slug, city.name_zh}
        for name in (city.slug, city.name_zh)
        if name and neutralise(name) == name  # a name that could drive the terminal: never offered
    ]
    return [
        head + comma + name
        for name in names
        if name.startswith(last.casefold()) or name.startswith(last)
    ]


def _offered(names: Iterable[str], incomplete: str) -> list[str]:
    from returnee_cli.untrusted import neutralise

    return [n for n in names if n.startswith(incomplete) and neutralise(n) == n]


def complete_topic(incomplete: str) -> list[str]:
    factset = _completion_factset()
    return _offered(factset.topics if factset else [], incomplete)


def complete_source(incomplete: str) -> list[str]:
    factset = _completion_factset()
    return _offered(factset.sources if factset else {}, incomplete)


def complete_unit(incomplete: str) -> list[str]:
    from returnee_cli.slices import Damaged

    factset = _completion_factset()
    try:
        units = sorted({fact.unit for fact in factset.facts if fact.unit}) if factset else []
    except Damaged:  # the cache's entry, damaged: no completion this time (the next load rebuilds)
        return []
    return _offered(units, incomplete)


def complete_fact_id(incomplete: str) -> list[str]:
    from returnee_cli.slices import Damaged

    factset = _completion_factset()
    try:
        return [i for i in (factset.by_id if factset else {}) if i.startswith(incomplete)]
    except Damaged:
        return []


def _qualifier(text: str) -> str:
    """A qualifier, in any case, or its words as a source writes them ("more than", "over",
    "up to", "nearly"): the qualifier they state."""
    written = " ".join(text.split())
    named = written.casefold().replace(" ", "_").replace("-", "_")
    if named in QUALIFIERS:
        return named
    said = lexicon.wording_before(written + " ", len(written) + 1)
    if said.qualifier != lexicon.EXACT and said.words.casefold() == written.casefold():
        return said.qualifier
    try:
        return one_of(QUALIFIERS)(text)
    except ValueError as error:
        raise ValueError(f"{error} (or their words: over, at least, up to, nearly, ...)") from None


# --- options shared by several commands -----------------------------------------------------------


def _version() -> None:
    output.write_text(f"{PROG} {__version__}\n")


GLOBAL_OPTIONS = (
    option(
        "--facts",
        "-f",
        dest="facts",
        metavar="PATH",
        convert=existing_path,
        many=True,
        help="Also load this fact file or folder (repeatable). RETURNEES_FACTS adds more, "
        "separated by the OS path separator.",
    ),
    flag(
        "--no-builtin",
        dest="no_builtin",
        help="Leave the built-in facts out; use only --facts and RETURNEES_FACTS.",
    ),
    flag(
        "--no-cache",
        dest="no_cache",
        help="Read every fact file anew; neither use nor update the cache (RETURNEES_CACHE_DIR "
        "says where it is).",
    ),
    flag("--version", "-V", dest="version", eager=_version, help="Print the version and exit."),
)

CITY = several(
    "--city",
    "-c",
    dest="city",
    metavar="CITY",
    complete=complete_city,
    help="Only this city, or any of several (repeated, or beijing,shanghai): English name in any "
    "case, Chinese name (beijing, Shanghai, 北京, 上海市), or nationwide.",
)
FACT_FILTERS = (
    CITY,
    several(
        "--topic",
        "-t",
        dest="topic",
        metavar="TOPIC",
        complete=each_of(complete_topic),
        help="Only this topic, or any of several (repeated, or women,education), e.g. sectors, "
        "women, reasons; returnees topics lists them.",
    ),
    option(
        "--source",
        "-s",
        dest="source",
        metavar="SOURCE_ID",
        complete=complete_source,
        help="Only facts from (or reported in) this source; returnees sources lists them.",
    ),
    option(
        "--search",
        "-q",
        dest="search",
        metavar="TEXT",
        help="Only facts whose label, population, items, quote or source title contain this "
        "text, in any case, curly quotes as straight ones (master's finds master’s).",
    ),
    option(
        "--qualifier",
        dest="qualifier",
        metavar="QUALIFIER",
        convert=_qualifier,
        complete=starting_with(QUALIFIERS),
        help="Only figures with this bound: " + ", ".join(QUALIFIERS) + ", or its words as a "
        'source writes them ("more than" or over is more_than, "up to" is at_most, nearly is '
        "about).",
    ),
    switch(
        "--derived",
        "--no-derived",
        dest="derived",
        help="Only the figures computed from stated ones (--derived), or only what the sources "
        "state (--no-derived).",
    ),
    option(
        "--unit",
        dest="unit",
        metavar="UNIT",
        complete=complete_unit,
        help="Only figures in this unit, as the facts give it, e.g. percent, people.",
    ),
)
FACT_ID = argument(
    "fact_id",
    metavar="FACT_ID",
    complete=complete_fact_id,
    help="A fact id, as listed by: returnees facts.",
)
OUTPUT = output_options()
FACT_OUTPUT = output_options(FACT_FORMATS, keys=lambda: records.FACT_PATHS)


# --- results --------------------------------------------------------------------------------------


def fact_result(
    facts: Sequence[Fact],
    factset: FactSet,
    view: Callable[[Sequence[Fact]], RenderableType | str],
    title: str,
    **more: Any,
) -> Result:
    """Facts as a result: each a self-contained JSON record, and a SQLite database on request."""

    def write_sqlite(rows: Sequence[Fact], path: Path) -> None:
        from returnee_cli.export import write_sqlite  # sqlite3: only when a database is asked for

        write_sqlite(factset, rows, path)

    return Result(
        facts,
        records.FACT_KEYS,
        view,
        record=lambda fact: records.fact_record(fact, factset),
        title=title,
        database=write_sqlite,
        noun="facts",
        paths=records.FACT_PATHS,
        **more,
    )


def _cities(factset: FactSet, names: Sequence[str]) -> list[City] | None:
    """The cities named (None: none named, every city), each once, in the order given."""
    if not names:
        return None
    chosen = [queries.resolve_city(factset, name) for name in names]
    return list(dict.fromkeys(chosen))


def _no_data(what: str, chosen: Sequence[City], result: queries.TopicResult) -> str:
    """'no work-sector figures for Shanghai; Beijing has them': what is missing, for which
    cities, and where to find it instead."""
    having = [city.name for city in result.cities_with_topic]
    names = " or ".join(city.name for city in chosen)
    where = f" for {names}" if chosen else " in these facts"
    if not having:
        return f"no {what}{where}; no city has them"
    if not chosen:
        return f"no {what}{where}"
    listed = ", ".join(having[:-1]) + " and " + having[-1] if len(having) > 1 else having[0]
    return f"no {what}{where}; {listed} {'have' if len(having) > 1 else 'has'} them"


def _one_angle(
    call: Call,
    city: Sequence[str],
    query: Callable[[FactSet, list[City] | None], queries.TopicResult],
    what: str,
    draw: Callable[[Sequence[Fact], FactSet], RenderableType],
    name: str,
) -> None:
    """sectors, industries, entrepreneurs, reasons: one angle on the facts, for every city, one,
    or several (side by side, as for every city); a city without any is named on stderr."""
    factset = call.load()
    chosen = _cities(factset, city)
    found = query(factset, chosen)
    shown = {factset.city_of(fact).slug for fact in found.facts}
    missing = [c for c in chosen or () if c.slug not in shown]
    if found.facts and missing:
        output.message(f"{PROG}: {_no_data(what, missing, found)}")
    call.emit(
        fact_result(
            found.facts,
            factset,
            lambda rows: draw(rows, factset),
            f"{PROG} {name}",
            empty_note=lambda: _no_data(what, chosen or [], found),
        )
    )


def _one_fact(
    call: Call,
    fact_id: str,
    draw: Callable[[Fact, FactSet], RenderableType | str],
    name: str,
) -> None:
    """show: one fact, drawn for people, or its record."""
    factset = call.load()
    fact = queries.get_fact(factset, fact_id)
    call.emit(
        fact_result(
            [fact],
            factset,
            lambda rows: draw(fact, factset),
            f"{PROG} {name} {fact.id}",
            single=True,
        )
    )


# --- the commands, in the order --help lists them -------------------------------------------------


@command(output_options(keys=lambda: records.CITY_OVERVIEW_KEYS))
def cities(call: Call) -> None:
    """Every city in the facts: how many facts, its role in the article, its headline figure.

    Example: returnees cities
    """
    factset = call.load()
    call.emit(
        Result(
            queries.cities_overview(factset),
            records.CITY_OVERVIEW_KEYS,
            lambda rows: views.cities_view(rows),
            record=lambda entry: records.city_overview_record(entry, factset),
            title=f"{PROG} cities",
            noun="cities",
        )
    )


@command(
    argument(
        "name",
        metavar="CITY",
        complete=complete_city,
        help="English name in any case, or Chinese name: beijing, Shanghai, 杭州.",
    ),
    FACT_OUTPUT,
)
def city(call: Call, name: str) -> None:
    """A profile of one city: its facts by topic, shares as bars, lists numbered, sources cited.

    Example: returnees city shanghai
    """
    factset = call.load()
    try:
        chosen = queries.resolve_city(factset, name)
    except UsageError:
        from returnee_cli.untrusted import neutralise

        several = [neutralise(part.strip()) for part in name.split(",") if part.strip()]
        if len(several) < 2:
            raise
        raise UsageError(
            f"city takes one city; for several, use returnees facts --city {','.join(several)} "
            f"or returnees compare {' '.join(several)}"
        ) from None
    facts = queries.select_facts(factset, city=chosen)
    call.emit(
        fact_result(
            facts,
            factset,
            lambda rows: views.city_view(chosen, rows, factset),
            f"{PROG} city {chosen.slug}",
            empty_note=f"no facts about {chosen.name} yet",
        )
    )


@command(CITY, FACT_OUTPUT)
def sectors(call: Call, city: list[str]) -> None:
    """The fields returnees work in, as shares on a 0-100 scale.

    Example: returnees sectors --city beijing
    """

    def draw(rows: Sequence[Fact], factset: FactSet) -> RenderableType:
        return views.sectors_view(rows, factset)

    _one_angle(call, city, queries.sectors, "work-sector figures", draw, "sectors")


@command(CITY, FACT_OUTPUT)
def industries(call: Call, city: list[str]) -> None:
    """The industries returnees work in: the emerging and leading ones, with their shares.

    Example: returnees industries --city beijing
    """

    def draw(rows: Sequence[Fact], factset: FactSet) -> RenderableType:
        return views.industries_view(rows, factset)

    _one_angle(call, city, queries.industries, "industry facts", draw, "industries")


@command(CITY, FACT_OUTPUT)
def entrepreneurs(call: Call, city: list[str]) -> None:
    """Who returnee entrepreneurs are: a bar chart with the sample size.

    First choice, generation, education, leading industries, profitability, international markets
    and women founders.

    Example: returnees entrepreneurs --city shanghai
    """

    def draw(rows: Sequence[Fact], factset: FactSet) -> RenderableType:
        return views.entrepreneurs_view(rows, factset)

    _one_angle(
        call, city, queries.entrepreneurs, "entrepreneur survey figures", draw, "entrepreneurs"
    )


@command(CITY, FACT_OUTPUT)
def reasons(call: Call, city: list[str]) -> None:
    """Why returnees choose a city: the reasons each study names, the cities side by side.

    Example: returnees reasons
    """

    def draw(rows: Sequence[Fact], factset: FactSet) -> RenderableType:
        return views.reasons_view(rows, factset)

    _one_angle(call, city, queries.reasons, "reasons", draw, "reasons")


@command(OUTPUT)
def topics(call: Call) -> None:
    """Which topics the facts cover for which city: what the data can and cannot answer.

    Example: returnees topics
    """
    factset = call.load()
    matrix = queries.topic_matrix(factset)
    rows = [{"topic": topic, **matrix.counts[topic]} for topic in matrix.topics]
    call.emit(
        Result(
            rows,
            ["topic", *matrix.columns],
            lambda shown: views.topics_view(matrix, [row["topic"] for row in shown]),
            title=f"{PROG} topics",
            noun="topics",
        )
    )


def _select(
    factset: FactSet,
    city: Sequence[str] = (),
    topic: Sequence[str] = (),
    source: str | None = None,
    unit: str | None = None,
    **checked: Any,
) -> list[Fact]:
    """The facts the FACT_FILTERS select. Names are resolved here (cities, topics, a source, a
    unit); a filter whose value its converter has already checked goes to the query as it is."""
    return queries.select_facts(
        factset,
        city=_cities(factset, city),
        topic=[queries.resolve_topic(factset, name) for name in topic] or None,
        source=queries.resolve_source(factset, source) if source is not None else None,
        unit=queries.resolve_unit(factset, unit) if unit is not None else None,
        **checked,
    )


@command(FACT_FILTERS, FACT_OUTPUT)
def facts(call: Call, **filters: Any) -> None:
    """Every fact, or those the filters select: by city, topic, source, text, bound, unit or
    whether it is derived.

    Example: returnees facts --city shanghai --topic women,education
    """
    factset = call.load()
    found = _select(factset, **filters)
    call.emit(
        fact_result(
            found,
            factset,
            lambda rows: views.facts_table(rows, factset),
            f"{PROG} facts",
            empty_note="no facts match those filters",
        )
    )


@command(FACT_ID, FACT_OUTPUT)
def show(call: Call, fact_id: str) -> None:
    """One fact in full: figure and qualifier, population, sample, source and quote.

    Example: returnees show shanghai-women-share
    """
    _one_fact(call, fact_id, lambda fact, factset: views.fact_view(fact, factset), "show")


@command(output_options(keys=lambda: records.SOURCE_SUMMARY_PATHS))
def sources(call: Call) -> None:
    """The documents the facts come from: how many facts each supports.

    Example: returnees sources --json
    """
    factset = call.load()
    call.emit(
        Result(
            queries.source_fact_counts(factset),
            records.SOURCE_SUMMARY_KEYS,
            lambda shown: views.sources_table(shown),
            record=records.source_summary_record,
            title=f"{PROG} sources",
            noun="sources",
            paths=records.SOURCE_SUMMARY_PATHS,
        )
    )


CITATION_STYLES = ("plain", "markdown", "bibtex", "csl-json")


@command(
    argument(
        "fact_ids",
        metavar="FACT_ID...",
        many=True,
        complete=complete_fact_id,
        help="Fact ids, as listed by: returnees facts. None: every fact the filters select (all, "
        "without a filter).",
    ),
    FACT_FILTERS,
    choice(
        "--style",
        dest="style",
        choices=CITATION_STYLES,
        default="plain",
        help="plain text; markdown (a table with footnotes for several facts); bibtex or "
        "csl-json (an entry for each source, for a reference manager).",
    ),
    OUTPUT,
)
def cite(call: Call, fact_ids: list[str], style: str, **filters: Any) -> None:
    """Ready-to-paste citations of facts: by id, or every fact the filters select.

    The figure with its qualifier, the quote, the source with publisher and date, and the article
    it was read in; --json gives each fact's record with its citation inside.

    Example: returnees cite --city shanghai --topic women --style markdown
    """
    from returnee_cli import citations

    unset = {param.dest: param.value(None) for param in FACT_FILTERS}
    if fact_ids and any(value != unset.get(name) for name, value in filters.items()):
        raise UsageError("cite takes fact ids or filters, not both: the ids already name the facts")
    factset = call.load()
    if fact_ids:
        facts = list({f.id: f for f in (queries.get_fact(factset, i) for i in fact_ids)}.values())
    else:  # as facts and export: no filter, every fact
        facts = _select(factset, **filters)

    def record(fact: Fact) -> dict[str, Any]:
        return {
            **records.fact_record(fact, factset),
            "style": style,
            "citation": citations.citation_of(fact, factset, style),
            "cite_keys": citations.cite_keys(fact),
        }

    call.emit(
        Result(
            facts,
            (*records.FACT_KEYS, "style", "citation", "cite_keys"),
            lambda rows: citations.citations(rows, factset, style),
            record=record,
            title=f"{PROG} cite",
            empty_note="no facts match those filters",
            noun="citations",
            text_kind=f"{style} text" if style == "plain" else style,
        )
    )


COMPARE_KEYS = (
    "match",
    "topic",
    "base",
    "city",
    "others",
    "id",
    "label",
    "figure",
    "value",
    "unit",
    "qualifier",
    "low",
    "high",
    "population",
    "sample_size",
    "items",
    "derived",
    "source",
)


def compare_record(row: queries.Compared) -> dict[str, Any]:
    """One fact of a comparison: `match` says what it may be set against (topic_and_base: the
    figures of `others` with the same topic, base and unit; topic_only: `others` have the topic
    of another base; none), `base` its population with the city as 'each city'."""
    fact = row.fact
    return {
        "match": row.match,
        "topic": fact.topic,
        "base": row.base,
        "city": row.city.slug,
        "others": list(row.others),
        "id": fact.id,
        **_figure_fields(fact),
        "sample_size": fact.sample_size,
        "items": list(fact.items) if fact.items else None,
        "derived": fact.derived,
        "source": fact.source,
    }


def _figure_fields(fact: Fact) -> dict[str, Any]:
    """A figure as the records of `compare` and `source` give it: the fact record's fields
    that say what it is, with `figure`, the bound as a reader writes it (">70%")."""
    from returnee_cli.figures import figure_text

    return {
        "label": fact.label,
        "figure": figure_text(fact) or None,
        "value": fact.value,
        "unit": fact.unit,
        "qualifier": fact.qualifier,
        "low": fact.low,
        "high": fact.high,
        "population": fact.population,
    }


def _city_argument(dest: str, metavar: str, help: str, **more: Any) -> Param:
    return argument(dest, metavar=metavar, complete=complete_city, help=help, **more)


@command(
    _city_argument(
        "first",
        "CITY",
        "A city: English name in any case, Chinese name, or nationwide.",
        missing="compare needs at least two cities, e.g. returnees compare beijing shanghai",
    ),
    _city_argument(
        "second",
        "CITY",
        "Another city, set against the first.",
        missing="compare needs at least two cities, e.g. returnees compare beijing shanghai",
    ),
    _city_argument("more", "CITY...", "More cities, if any.", many=True),
    OUTPUT,
)
def compare(call: Call, first: str, second: str, more: list[str]) -> None:
    """Cities side by side, like with like: only figures of the same topic and base compared.

    A share is set against another city's only where both count the same kind of population
    (surveyed founders with surveyed founders); what only one city has is listed apart, and
    every figure keeps its bound and the values it allows.

    Example: returnees compare beijing shanghai
    """
    factset = call.load()
    chosen = [queries.resolve_city(factset, name) for name in (first, second, *more)]
    rows = queries.compare_cities(factset, chosen)
    call.emit(
        Result(
            rows,
            COMPARE_KEYS,
            lambda shown: side_by_side.compare_view(shown, factset, chosen),
            record=compare_record,
            title=f"{PROG} compare {' '.join(city.slug for city in chosen)}",
            empty_note="no facts about these cities yet",
            noun="facts",
        )
    )


def source_detail_record(detail: queries.SourceDetail) -> dict[str, Any]:
    """A source as `sources` gives it, and `facts_by_topic`: topic -> the facts that cite it,
    each with `cited_for` (figure, list or statement taken from it; quote read in it)."""
    source_id = detail.count.source.id
    return {
        **records.source_summary_record(detail.count),
        "facts_by_topic": {
            topic: [
                {
                    "id": fact.id,
                    "city": fact.city,
                    **_figure_fields(fact),
                    "cited_for": queries.source_roles(fact, source_id),
                }
                for fact in facts
            ]
            for topic, facts in detail.by_topic.items()
        },
    }


@command(
    argument(
        "source_id",
        metavar="SOURCE_ID",
        help="A source's id or short title, as listed by: returnees sources.",
    ),
    OUTPUT,
)
def source(call: Call, source_id: str) -> None:
    """One source in full: its record, where its details come from, its note, its facts by topic.

    Example: returnees source shanghai-survey-2024
    """
    factset = call.load()
    detail = queries.source_detail(factset, queries.resolve_source(factset, source_id))
    call.emit(
        Result(
            [detail],
            (*records.SOURCE_SUMMARY_KEYS, "facts_by_topic"),
            lambda shown: side_by_side.source_view(detail),
            record=source_detail_record,
            title=f"{PROG} source {detail.count.source.id}",
            single=True,
            noun="sources",
        )
    )


@command(FACT_FILTERS, output_options(FACT_FORMATS[1:], default=Format.json))
def export(call: Call, **filters: Any) -> None:
    """Export the facts: all, or those the filters select, for a spreadsheet, a database or a
    program; --format yaml writes a fact pack that --facts loads back.

    With --format yaml and -o FILE, the stored texts of its sources are copied beside FILE, so
    that its quotes are checked when it is loaded.

    Example: returnees export --format yaml -o my-facts/pack.yaml
    """
    factset = call.load()
    found = _select(factset, **filters)
    if call.out.format is not Format.yaml:
        call.emit(fact_result(found, factset, lambda rows: "", f"{PROG} export"))
        return
    from returnee_cli.export import fact_pack, pack_text

    target = call.out.output
    texts: dict[str, Path] = {}

    def document(rows: Sequence[Fact]) -> str:
        pack = fact_pack(factset, rows, with_texts=target is not None)
        texts.update(pack.texts)
        if target is not None:
            _check_texts(call, target.parent, texts)  # before the pack is written
        if pack.added:
            output.message(
                f"{PROG}: the pack adds {_plural(len(pack.added), 'fact')} that derived ones "
                f"are computed from: {', '.join(pack.added)}"
            )
        if pack.textless:
            output.message(
                f"{PROG}: the pack leaves out the stored text of "
                f"{', '.join(pack.textless)} (quotes are checked against it): add -o FILE to "
                "write it beside the pack"
            )
        return pack_text(pack)

    call.emit(fact_result(found, factset, lambda rows: "", f"{PROG} export", document=document))
    if target is not None:
        _copy_texts(call, target.parent, texts)


def _beside(folder: Path, texts: dict[str, Path]) -> dict[Path, Path]:
    """Where each stored text goes (target -> stored), but those already there (the text
    itself, or a copy of it)."""
    import filecmp

    targets = {folder / name: stored for name, stored in texts.items()}
    return {
        target: stored
        for target, stored in targets.items()
        if not (
            target.is_file()
            and (os.path.samefile(target, stored) or filecmp.cmp(target, stored, shallow=False))
        )
    }


def _check_texts(call: Call, folder: Path, texts: dict[str, Path]) -> None:
    """Refuse, before anything is written, a text that would replace a file without --force."""
    for target in _beside(folder, texts):
        if not call.out.force and (target.exists() or target.is_symlink()):
            raise UsageError(
                f"-o: {target} exists (the pack's stored text goes beside it); add --force to "
                "replace it, or write the pack into another folder"
            )


def _copy_texts(call: Call, folder: Path, texts: dict[str, Path]) -> None:
    """The stored texts a pack names, copied beside it through the one writer."""
    import shutil

    from returnee_cli import writer

    for target, stored in _beside(folder, texts).items():

        def copy(path: Path, stored: Path = stored) -> None:
            shutil.copyfile(stored, path)

        writer.write_file(target, copy, force=call.out.force, protected=call.protected, option="-o")
        output.message(f"{PROG}: copied the stored text of the pack to {target}")


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


CHART_VIEWS = ("sectors", "industries", "entrepreneurs", "facts", "show")
CHART_SUFFIXES = {".svg": "svg", ".png": "png", ".html": "html", ".htm": "html"}
CHART_WIDTHS = (320, 2000)
# a chart's view: its query, its default title, and what it is of (as its terminal command says
# when a city has none: "no work-sector figures for Shanghai; Beijing has them")
_ANGLES: dict[str, tuple[Callable[..., queries.TopicResult], str, str]] = {
    "sectors": (queries.sectors, "Fields of work of returnees", "work-sector figures"),
    "industries": (queries.industries, "Industries of returnees", "industry facts"),
    "entrepreneurs": (
        queries.entrepreneurs,
        "Returnee entrepreneurs",
        "entrepreneur survey figures",
    ),
}


class _Charted(NamedTuple):
    """The facts of a chart, their fact set, the default title, and what to say when none has a
    figure (`empty`) or when a city named has none (`missing`)."""

    facts: list[Fact]
    factset: FactSet
    title: str
    empty: str = "no facts match those filters"
    missing: str = ""


def _chart_width(text: str) -> int:
    low, high = CHART_WIDTHS
    try:
        width = int(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a whole number of pixels") from None
    if not low <= width <= high:
        raise ValueError(f"'{text}' is not a width from {low} to {high} pixels")
    return width


def _chart_facts(
    call: Call, view: str, fact_ids: Sequence[str], filters: dict[str, Any]
) -> _Charted:
    """The facts of a chart's view and filters, the fact set, the default title, and what to say
    when there is nothing to chart: for sectors, industries and entrepreneurs what their terminal
    command says."""
    factset = call.load()
    filtered = any(value not in (None, [], ()) for value in filters.values())
    if view == "show":
        if not fact_ids:
            raise UsageError("chart show needs a fact id: returnees chart show FACT_ID -o FILE")
        if filtered:
            raise UsageError("chart show takes fact ids, not filters; use chart facts --filters")
        chosen = [queries.get_fact(factset, fact_id) for fact_id in dict.fromkeys(fact_ids)]
        first = chosen[0]
        title = f"{factset.city_of(first).name}: {first.label}" if len(chosen) == 1 else ""
        return _Charted(chosen, factset, title or "Figures on returnees")
    if fact_ids:
        raise UsageError(f"fact ids are for chart show; chart {view} takes filters")
    selected = _select(factset, **filters)
    empty, missing = "no facts match those filters", ""
    if view == "facts":
        found, title = selected, "Figures on returnees"
    else:
        query, title, what = _ANGLES[view]
        cities = _cities(factset, filters.get("city") or [])
        result = query(factset, cities)
        wanted = {fact.id for fact in selected}
        found = [fact for fact in result.facts if fact.id in wanted]
        shown = {factset.city_of(fact).slug for fact in result.facts}
        absent = [c for c in cities or () if c.slug not in shown]
        if result.facts and absent:
            missing = _no_data(what, absent, result)
        if not result.facts:
            empty = _no_data(what, cities or [], result)
        elif not found:
            empty = f"no {what} match those filters"
        else:
            empty = f"no {what} with a figure"
    places = list(dict.fromkeys(factset.city_of(fact).name for fact in found))
    if 0 < len(places) <= 3:
        title += " in " + " and ".join(places) if view != "facts" else ": " + ", ".join(places)
    return _Charted(found, factset, title, empty, missing)


@command(
    argument(
        "view",
        metavar="VIEW",
        convert=one_of(CHART_VIEWS),
        complete=starting_with(CHART_VIEWS),
        help="What to chart: " + ", ".join(CHART_VIEWS) + " (show: the facts named by id).",
    ),
    argument(
        "fact_ids",
        metavar="[FACT_ID]...",
        many=True,
        complete=complete_fact_id,
        help="With show: the facts to chart, by id.",
    ),
    FACT_FILTERS,
    option(
        "--title", dest="title", metavar="TEXT", help="The chart's title (default: the view's)."
    ),
    option(
        "--subtitle",
        dest="subtitle",
        metavar="TEXT",
        help="The line under the title (default: the measure, the unit and the base).",
    ),
    option(
        "--width",
        dest="width",
        metavar="PIXELS",
        default="720",
        convert=_chart_width,
        help=f"The chart's width, {CHART_WIDTHS[0]} to {CHART_WIDTHS[1]} pixels (a PNG is drawn "
        "at twice this).",
    ),
    option("--byline", dest="byline", metavar="NAME", help="Who made the chart, for the credit."),
    option(
        "--desc",
        dest="desc",
        metavar="TEXT",
        help="The text description for screen readers (default: every value, its bound and the "
        "sources).",
    ),
    replace(
        OUTPUT_FILE,
        help="The chart file to write (a chart is never written to stdout): .svg, .png or "
        ".html, as its extension says; an existing FILE needs --force.",
    ),
    FORCE,
)
def chart(
    call: Call,
    view: str,
    fact_ids: list[str],
    title: str | None,
    subtitle: str | None,
    width: int,
    byline: str | None,
    desc: str | None,
    **filters: Any,
) -> None:
    """A chart to publish: SVG, PNG or an HTML fact sheet, as the extension of -o says.

    Every bound drawn as what it is, the base of each share named, the sources credited; the
    same facts give the same bytes. PNG needs: pip install 'returnee-cli[charts]'.

    Example: returnees chart sectors --city beijing -o beijing.svg
    """
    target = call.out.output
    if target is None:
        raise UsageError(
            "chart writes a file, never stdout: add -o FILE.svg, FILE.png or FILE.html"
        )
    kind = CHART_SUFFIXES.get(target.suffix.casefold())
    if kind is None:
        raise UsageError(
            f"-o {target}: a chart is written as .svg, .png or .html; give one of those extensions"
        )
    found, factset, default_title, empty, missing = _chart_facts(call, view, fact_ids, filters)
    from returnee_cli.chart import ChartOptions, figures  # only now: no other command pays

    drawn = figures(found)
    if missing and drawn:
        output.message(f"{PROG}: {missing}")
    if not drawn:
        listed = f" ({len(found)} without a figure: lists or statements)" if found else ""
        said = f"no figures to chart{listed}" if found else empty
        output.message(f"{PROG}: {said}; nothing written")
        return
    options = ChartOptions(title, subtitle, width, byline, desc)
    from returnee_cli import writer
    from returnee_cli.chart import render

    data = render(kind, drawn, factset, options, default_title)

    def fill(path: Path) -> None:
        path.write_bytes(data)

    writer.write_file(target, fill, force=call.out.force, protected=call.protected, option="-o")
    left_out = len(found) - len(drawn)
    skipped = f"; {left_out} without a figure left out" if left_out else ""
    from returnee_cli.figures import plural

    output.message(
        f"{PROG}: wrote a chart of {plural(len(drawn), 'figure')} to {target} ({kind}){skipped}"
    )


@command(
    argument(
        "paths",
        metavar="PATH...",
        convert=existing_path,
        many=True,
        help="Fact files or folders to check; by default the facts in use (built-in, --facts "
        "and RETURNEES_FACTS).",
    ),
    flag("--json", dest="json", help="Print a JSON report: valid, files, errors and warnings."),
)
def validate(call: Call, paths: list[Path]) -> None:
    """Check fact files: every problem at once, with file, line and what to do. Exit 1 if invalid.

    Example: returnees validate my-facts/
    """
    from returnee_cli.render.report import report_lines

    for path in paths:
        must_exist(path)
    # PATHs alone may name the built-in sources and cities, as they may when loaded with --facts
    context = None if not paths or call.options.no_builtin else read_factset().factset
    with output.load_progress() as progress:
        checked = read_factset(
            paths or call.settings.paths,
            use_cache=False,  # the checker reads every file anew: it never answers from the cache
            progress=progress,
            context=context,
        )
    emit(
        call.out,
        Result(
            [checked],
            ("valid", "files", "errors", "warnings"),
            lambda rows: "".join(line + "\n" for line in report_lines(checked)),
            record=records.validation_record,
            single=True,
        ),
    )
    if checked.errors:
        raise Exit(EXIT_DATA)


@command(
    argument(
        "text_file",
        metavar="TEXT_FILE",
        convert=existing_path,
        help="A UTF-8 text: a report, an article, a press release (English or Chinese).",
    ),
    choice(
        "--lang",
        dest="lang",
        choices=("auto", "en", "zh"),
        default="auto",
        metavar="LANG",
        help="The text's language: en, zh, or auto (zh when Chinese characters outnumber Latin "
        "letters).",
    ),
    option(
        "--source",
        "-s",
        dest="source",
        metavar="SOURCE_ID",
        help="The id of the source the facts cite (default: from the file name).",
    ),
    option(
        "--city",
        "-c",
        dest="city",
        metavar="CITY",
        help="The city of every fact: a known one by any name (上海, Shanghai, nationwide), or a "
        "new slug the pack declares (default: a placeholder to fill in).",
    ),
    option(
        "--output",
        "-o",
        dest="pack",
        metavar="DIR",
        help="Write a pack folder: facts.yaml, sources.yaml and the text beside them.",
    ),
    flag("--force", dest="overwrite", help="Replace the files of an existing pack folder."),
)
def draft(
    call: Call,
    text_file: Path,
    lang: str,
    source: str | None,
    city: str | None,
    pack: str | None,
    overwrite: bool,
) -> None:
    """Draft a fact file from a text: one fact per figure and list, quotes verbatim.

    Value, unit and qualifier come from the text; label, base, city and topic are left as
    "<to fill in: ...>" placeholders, which validate names with their lines.

    Example: returnees draft report.txt --source my-report-2025 -o my-facts
    """
    from returnee_cli import drafting

    text = drafting.read_text(text_file)
    source_id = drafting.source_id(source, text_file)
    factset = _facts_in_use(call) if city is not None else None
    slug, new_city = _draft_city(factset, city)
    drafted = drafting.draft(text, lang)
    if pack is None:
        output.write_text(drafting.facts_yaml(drafted, source_id, slug, text_file))
    else:
        written = drafting.write_pack(
            Path(pack),
            drafted,
            text,
            (text_file, source_id),
            (slug, new_city),
            overwrite,
            _protected(call),
        )
        output.message(f"{PROG}: {written}")
    output.message(f"{PROG}: {drafting.summary(drafted)}")


def _facts_in_use(call: Call) -> FactSet | None:
    """The facts in use, to know their cities; None when they cannot be loaded (a draft does not
    need them)."""
    try:
        return call.load()
    except ReturneesError:
        pass
    try:  # a stale RETURNEES_FACTS or a broken pack: the built-in cities at least
        return load_factset([builtin_facts_dir()])
    except ReturneesError:
        return None


def _draft_city(factset: FactSet | None, name: str | None) -> tuple[str | None, str | None]:
    """--city of `draft`: the slug of a known city by any of its names (上海 is shanghai; "" for
    nationwide: the facts name no city), or a new slug, which the pack then declares. Returns
    (the facts' city, the new city to declare)."""
    from returnee_cli import drafting

    if name is None:
        return None, None
    if factset is not None:
        try:
            known = queries.resolve_city(factset, name)
        except UsageError:
            pass
        else:
            return ("" if known is NATIONWIDE else known.slug), None
    drafting.check_slug(name, "--city")
    return name, name


def _protected(call: Call) -> list[Path]:
    """What a drafted pack may not write over: the fact files in use and their stored texts."""
    try:
        return call.protected
    except ReturneesError:  # a stale RETURNEES_FACTS: the built-in facts are still protected
        return [builtin_facts_dir()]


def _coverage_keys() -> Sequence[str]:
    from returnee_cli.coverage import COLUMNS

    return COLUMNS


@command(
    option(
        "--source",
        "-s",
        dest="source",
        metavar="SOURCE_ID",
        complete=complete_source,
        help="Only the stored text of this source; returnees sources lists them.",
    ),
    flag(
        "--strict",
        dest="strict",
        help="Exit 1 when any figure of a stored text is held by no fact.",
    ),
    output_options(keys=lambda: _coverage_keys()),
)
def coverage(call: Call, source: str | None, strict: bool) -> None:
    """Which figures of the stored source texts the facts hold: each one, its fact, or none.

    A fact holds a figure when it is reported in that source with the same value and qualifier,
    and its quote contains the figure. --strict keeps a pack complete in its CI.

    Example: returnees coverage --strict
    """
    from returnee_cli import coverage as covered
    from returnee_cli.figures import plural

    def table(shown: Sequence[covered.Covered]) -> RenderableType:
        from returnee_cli.render.coverage import coverage_table  # rich: for a table only

        return coverage_table(shown)

    factset = call.load()
    only = queries.resolve_source(factset, source).id if source is not None else None
    rows = covered.coverage(factset, only)
    missing = [row for row in rows if not row.held]
    call.emit(
        Result(
            rows,
            covered.COLUMNS,
            table,
            record=covered.record,
            title=f"{PROG} coverage",
            noun="figures",
            empty_note="no stored source text has a figure",
        )
    )
    texts = len({row.source for row in rows})
    if missing:
        output.message(
            f"{PROG}: {len(missing):,} of {plural(len(rows), 'figure')} in "
            f"{plural(texts, 'stored text')} held by no fact; add a fact for each (returnees "
            "draft TEXT_FILE proposes them)"
        )
        if strict:
            raise Exit(EXIT_DATA)
    elif rows:
        output.message(
            f"{PROG}: all {plural(len(rows), 'figure')} in {plural(texts, 'stored text')} are held"
        )


@command()
def schema(call: Call) -> None:
    """The JSON Schema of fact files: generated from the format, for editors and other tools.

    Example: returnees schema > fact-file.schema.json
    """
    from returnee_cli.schema import fact_file_schema

    emit(
        OutputRequest(Format.json),
        Result([fact_file_schema()], (), lambda rows: "", single=True),
    )


# --- the cache: what it holds, and clearing it ----------------------------------------------------

CACHE_ACTIONS = ("info", "clear")


@command(
    argument(
        "action",
        metavar="ACTION",
        convert=one_of(CACHE_ACTIONS),
        complete=starting_with(CACHE_ACTIONS),
        help="info: where the cache is, how many entries it holds and their size; clear: remove "
        "them.",
    ),
    OUTPUT,
    name="cache",
)
def cache_(call: Call, action: str) -> None:
    """The cache of loaded fact files: where it is and what it holds, or clear it.

    The cache keeps each set of fact files loaded, checked, so that the next start does not read
    them again (RETURNEES_CACHE_DIR moves it; --no-cache leaves it alone). The oldest entries are
    removed when it grows beyond 128 MiB. clear removes returnees' own entry files, nothing else.

    Example: returnees cache info --json
    """
    from returnee_cli import cache

    if action == "clear":
        cleared = cache.clear()
        if cleared.folder is None:
            output.message(f"{PROG}: no cache folder (no home folder and no {cache.CACHE_ENV})")
        else:
            entries = "entry" if cleared.entries == 1 else "entries"
            output.message(
                f"{PROG}: removed {cleared.entries:,} cache {entries} ({_size(cleared.size)}) "
                f"from {cleared.folder}"
            )
        return
    held = cache.summary()
    emit(
        call.out,
        Result(
            [held],
            ("folder", "entries", "bytes"),
            lambda rows: "".join(
                f"{key:<8} {value}\n"
                for key, value in (
                    ("folder", held.folder if held.folder is not None else "(none)"),
                    ("entries", f"{held.entries:,}"),
                    ("size", _size(held.size)),
                )
            ),
            record=lambda summary: {
                "folder": str(summary.folder) if summary.folder is not None else None,
                "entries": summary.entries,
                "bytes": summary.size,
            },
            single=True,
        ),
    )


def _size(count: int) -> str:
    """1,234 bytes -> '1.2 KiB'; as a person reads a size."""
    size = float(count)
    for unit in ("bytes", "KiB", "MiB"):
        if size < 1024 or unit == "MiB":
            return f"{count:,} bytes" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{size:,.1f} GiB"
