"""The in-memory model: plain frozen dataclasses, no I/O, no Typer, no Rich.

Fact, Source and City (and Report, an entry of a source's `described_in`) are the one declaration
of their fields. Everything else that lists those
fields is generated from them: the JSON record (records.py: these fields, in this order), the CSV
columns, the SQLite tables (export.py), the cache rows (cache.py) and the fact-file format
(fields.py, and from it the JSON Schema and the loader). What a field's name and annotation do not
say is in its metadata: `about(...)` for a field read from fact files, `computed(...)` for one
worked out while loading."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from functools import cache, cached_property
from pathlib import Path
from types import MappingProxyType, NoneType, UnionType
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin, get_type_hints, overload

from returnee_cli.angles import is_share
from returnee_cli.errors import ERROR, Problem
from returnee_cli.lexicon import QUALIFIERS

if TYPE_CHECKING:
    from returnee_cli.slices import SlicedRows

SOURCE_KINDS = ("primary", "secondary")
LIST_KINDS = ("ranked", "complete", "examples")


@dataclass(frozen=True)
class About:
    """What a field's name and annotation do not say (see `about` and `computed`)."""

    help: str  # its meaning; for a fact-file key, the help the format, its doc and schema show
    read: bool  # read from fact files (else computed while loading)
    key: str | None = None  # the fact-file key, where it is not the field's name
    kind: str | None = None  # what a str must look like in a fact file: slug | date | url
    choices: tuple[str, ...] = ()  # the only values it takes
    references: type | None = None  # the record (Source, City) whose key it holds
    embedded: bool = False  # the JSON record holds the whole referenced record, not its key
    record: bool = True  # part of the JSON record, and so of CSV and SQLite


def about(
    help: str,
    *,
    kind: str | None = None,
    choices: tuple[str, ...] = (),
    references: type | None = None,
    embedded: bool = False,
    key: str | None = None,
    record: bool = True,
) -> Mapping[str, About]:
    """The metadata of a field read from fact files (under its own name, or `key`)."""
    return {"about": About(help, True, key, kind, choices, references, embedded, record)}


def computed(help: str, *, record: bool = True) -> Mapping[str, About]:
    """The metadata of a field that fact files never state: loading works it out."""
    return {"about": About(help, False, record=record)}


@dataclass(frozen=True)
class Declared:
    """One field as the generated lists read it: its name, its annotation resolved to types,
    whether it must be given (no default) and its `About`."""

    name: str
    type: Any
    required: bool
    about: About

    @property
    def types(self) -> tuple[Any, ...]:
        """The annotation's types, without None: `int | float | None` -> (int, float)."""
        return tuple(t for t in _members(self.type) if t is not NoneType)

    @property
    def nullable(self) -> bool:
        return NoneType in _members(self.type)

    @property
    def is_list(self) -> bool:
        return any(get_origin(t) is tuple for t in self.types)

    @property
    def item_record(self) -> type | None:
        """For a list of records (`tuple[Report, ...]`), the record; else None."""
        for t in self.types:
            if get_origin(t) is tuple:
                item = get_args(t)[0]
                return item if is_dataclass(item) else None
        return None

    @property
    def input_key(self) -> str | None:
        """Its key in fact files; None for a computed field."""
        return (self.about.key or self.name) if self.about.read else None


@cache
def declared(record: type) -> tuple[Declared, ...]:
    """The declared fields of Fact, Source, City or Report, in order. Its location (where it was
    read from, for messages) is bookkeeping, not a declared field: it has no `about`."""
    hints = get_type_hints(record)
    return tuple(
        Declared(f.name, hints[f.name], _required(f), f.metadata["about"])
        for f in fields(record)
        if "about" in f.metadata
    )


def _members(annotation: Any) -> tuple[Any, ...]:
    """`int | None` -> (int, NoneType); `tuple[str, ...]` -> (tuple[str, ...],)."""
    union = get_origin(annotation) in (Union, UnionType)
    return get_args(annotation) if union else (annotation,)


def _required(f: Any) -> bool:
    return f.default is MISSING and f.default_factory is MISSING


@dataclass(frozen=True, slots=True)  # slots: one per fact, a million in a cold load
class Location:
    """Where a record was read from, for messages."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file


@dataclass(frozen=True)
class Report:
    """A public report that the details of a source (its publisher, date, title, ...) are taken
    from: one entry of `Source.described_in`. It gives no figure: the figures are the article's."""

    title: str = field(
        metadata=about(
            "its headline; in [square brackets], what it is, where its headline was not recorded"
        )
    )
    publisher: str = field(metadata=about("who published it"))
    date: str = field(
        metadata=about("publication date, YYYY-MM-DD (or YYYY-MM, YYYY)", kind="date")
    )
    author: str | None = field(default=None, metadata=about("who wrote it"))
    url: str | None = field(
        default=None,
        metadata=about("where it can be read: an https:// (or http://) address", kind="url"),
    )


@dataclass(frozen=True)
class Source:
    """A document that facts cite: the study a figure comes from, or the report that quotes it.
    Its first field is its key."""

    id: str = field(
        metadata=about("stable id that facts cite, e.g. beijing-blue-book-2025", kind="slug")
    )
    title: str = field(metadata=about("the document's title"))
    publisher: str = field(metadata=about("who published it"))
    date: str = field(
        metadata=about("publication date, YYYY-MM-DD (or YYYY-MM, YYYY)", kind="date")
    )
    kind: str = field(
        metadata=about(
            "primary (the study itself) or secondary (a report of it)", choices=SOURCE_KINDS
        )
    )
    short_title: str | None = field(
        default=None, metadata=about("a short name for tight spaces, e.g. Beijing Blue Book")
    )
    title_zh: str | None = field(
        default=None,
        metadata=about("its original (Chinese) title, where known, without the 《》 marks"),
    )
    author: str | None = field(default=None, metadata=about("who wrote it"))
    url: str | None = field(
        default=None,
        metadata=about("where it can be read: an https:// (or http://) address", kind="url"),
    )
    described_in: tuple[Report, ...] | None = field(
        default=None,
        metadata=about(
            "the public reports its details are taken from, each with title, publisher, date "
            "and, where known, author and url; left out where it describes itself"
        ),
    )
    note: str | None = field(default=None, metadata=about("anything a reader should know about it"))
    text_path: Path | None = field(  # read for the quote checks; no record shows it
        default=None,
        metadata=about(
            "stored body of the document, relative to this file", key="text", record=False
        ),
    )
    location: Location = field(default=Location("<memory>"), compare=False)


@dataclass(frozen=True)
class City:
    """A city that facts are about. Its first field is its key."""

    slug: str = field(metadata=about("what --city and the JSON use, e.g. beijing", kind="slug"))
    name: str = field(metadata=about("English name, e.g. Beijing"))
    name_zh: str | None = field(default=None, metadata=about("Chinese name, e.g. 北京"))
    location: Location = field(default=Location("<memory>"), compare=False)


# The statements about China as a whole: the facts with no city (`Fact.city` is None). Every view,
# record and filter that shows or takes them uses this one City; `--city` takes any of
# NATIONWIDE_NAMES for it, so a fact file may not declare a city by one of them.
NATIONWIDE = City(slug="nationwide", name="China, nationwide", name_zh="全国")
NATIONWIDE_SHORT_NAME = "Nationwide"  # where a column has no room for its name: the topics matrix
NATIONWIDE_NAMES = frozenset(
    name.casefold()
    for name in (
        NATIONWIDE.slug,
        NATIONWIDE.name,
        NATIONWIDE.name_zh,
        "china",
        "中国",
        "China (nationwide)",
    )
    if name
)


# keywords only: the fields can be in the record's order; slots: a Fact in a third of the memory
# (a cold load of a million facts holds them all)
@dataclass(frozen=True, kw_only=True, slots=True)
class Fact:
    """One figure, list or statement of a source, with the sentence that states it, or a figure
    computed from stated ones (`derive` in a fact file). Its first field is its key."""

    id: str = field(metadata=about("stable id, e.g. beijing-sector-education", kind="slug"))
    city: str | None = field(
        default=None,
        metadata=about(
            "city slug declared under `cities`; leave out for nationwide",
            kind="slug",
            references=City,
        ),
    )
    topic: str = field(metadata=about("what the fact is about, e.g. sectors", kind="slug"))
    label: str = field(metadata=about("short description of the figure"))
    value: int | float | None = field(
        default=None, metadata=about("the figure, without its unit (20.84, not 20.84%)")
    )
    unit: str | None = field(
        default=None, metadata=about("percent, people, ...; required with a value", kind="slug")
    )
    qualifier: str | None = field(
        default=None,
        metadata=about(
            "how the source bounds the figure: exact (the default), more_than (over, more than), "
            "at_least, less_than, at_most (up to), about (around, nearly) or range (with `high`); "
            "none without a value",
            choices=QUALIFIERS,
        ),
    )
    low: int | float | None = field(
        default=None,
        metadata=computed(
            "the lowest value the figure allows, from its qualifier and precision (null without a "
            "value)"
        ),
    )
    high: int | float | None = field(
        default=None,
        metadata=about(
            "with `qualifier: range`, its high end (`value` is the low end); in a record, the "
            "highest value the figure allows (null: no bound above, or no value)"
        ),
    )
    precision: int | None = field(
        default=None,
        metadata=computed("the decimals the figure was stated with: 20.84 has 2, 36 has 0"),
    )
    population: str | None = field(
        default=None,
        metadata=about(
            "the base: who or what a share counts (returnees in a city, survey respondents, "
            "their companies, a subset)"
        ),
    )
    sample_size: int | None = field(
        default=None,
        metadata=about("how many the source says were asked, where it attaches that number"),
    )
    items: tuple[str, ...] | None = field(
        default=None, metadata=about("the list, in the source's order")
    )
    list_kind: str | None = field(
        default=None,
        metadata=about(
            "with `items`: ranked (the source ranks them), complete (all of them, not a rank) or "
            "examples (a few of them: such as, include)",
            choices=LIST_KINDS,
        ),
    )
    breakdown: str | None = field(
        default=None,
        metadata=about("id shared by facts that split one population into parts", kind="slug"),
    )
    derived: bool = field(
        default=False, metadata=computed("true for a figure computed from others by `derive`")
    )
    derived_from: tuple[str, ...] = field(
        default=(), metadata=computed("ids of the stated facts it is computed from")
    )
    formula: str | None = field(
        default=None, metadata=computed('how it was computed, for people: "round(36% × 300)"')
    )
    source: str = field(
        metadata=about(
            "id of the source the figure comes from",
            kind="slug",
            references=Source,
            embedded=True,
        )
    )
    reported_in: str = field(
        metadata=about(
            "id of the source the quote is taken from",
            kind="slug",
            references=Source,
            embedded=True,
        )
    )
    quote: str | None = field(
        default=None, metadata=about("the sentence that states it, copied verbatim")
    )
    derived_by: str | None = field(
        default=None,
        metadata=computed("the `derive` formula's name: remainder | share_of_sample", record=False),
    )
    # The line of each key in its fact file, for the loader's messages; shared with the record it
    # was read from (never copied), and not kept in the cache: a cached set has been checked.
    lines: Mapping[str, int] = field(
        default_factory=dict,
        compare=False,
        metadata=computed("the line of each key in its fact file, for messages", record=False),
    )
    location: Location = field(default=Location("<memory>"), compare=False)

    @property
    def is_share(self) -> bool:
        return is_share(self.unit, self.value)

    def line_of(self, key: str) -> int | None:
        """The line of `key` in the fact's file (the fact's own line where the key is not
        written: a problem with a missing key points at the fact)."""
        return self.lines.get(key, self.location.line)


class StoredFacts(Sequence[Fact]):
    """Facts kept as plain rows (as the cache holds them), each made into a Fact the first time
    it is asked for: a question over 100,000 facts builds only the ones it touches.

    A row is a Fact's fields in declaration order, its location as (index into `files`, line)."""

    def __init__(self, rows: Sequence[tuple[Any, ...]], files: Sequence[str]) -> None:
        self._rows = rows
        self._files = files
        self._made: list[Fact | None] = [None] * len(rows)

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> Fact: ...

    @overload
    def __getitem__(self, index: slice) -> list[Fact]: ...

    def __getitem__(self, index: int | slice) -> Fact | list[Fact]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        fact = self._made[index]
        if fact is None:
            row = self._rows[index]
            file_index, line = row[-1]
            fact = _fact_from_row(row, Location(self._files[file_index], line))
            self._made[index] = fact
        return fact

    def indexed(self) -> SlicedRows | None:
        """The indexes of the rows where they come from the cache's entry (slices.py), which
        reads only the rows a question needs; None for rows held in memory."""
        rows = self._rows
        return rows if hasattr(rows, "positions") else None  # type: ignore[return-value]

    def column(self, name: str) -> list[Any]:
        """One field of every fact, read from the rows without building any Fact."""
        position = ROW_FIELD_NAMES.index(name)
        return [row[position] for row in self._rows]


def fact_row(fact: Fact, file_index: int) -> tuple[Any, ...]:
    """A Fact as a StoredFacts row."""
    values = [getattr(fact, name) for name in ROW_FIELD_NAMES]
    return (*values, (file_index, fact.location.line))


FACT_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Fact))  # location is last
# What a cache row keeps: every field but the key lines (a cached set has been checked, and a
# million small tuples would double a warm load) and the location, stored apart.
ROW_FIELD_NAMES = tuple(name for name in FACT_FIELD_NAMES if name not in ("lines", "location"))


def _row_constructor() -> Callable[[Sequence[Any], Location], Fact]:
    """`fact_from_row(row, location)`, written from Fact's fields and compiled once. kw_only
    rules out Fact(*row), and a call by keywords would cost a warm load of 100,000 facts a tenth
    more; this sets each field as the frozen dataclass's own __init__ does (object.__setattr__),
    with no arguments to bind. Fact has no __post_init__ for it to skip."""
    sets = [f"    set(fact, {name!r}, row[{n}])" for n, name in enumerate(ROW_FIELD_NAMES)]
    code = "\n".join(
        [
            "def fact_from_row(row, location):",
            "    fact = new(Fact)",
            *sets,
            "    set(fact, 'lines', NO_LINES)",
            "    set(fact, 'location', location)",
            "    return fact",
        ]
    )
    namespace: dict[str, Any] = {
        "Fact": Fact,
        "new": object.__new__,
        "set": object.__setattr__,
        "NO_LINES": MappingProxyType({}),
    }
    exec(code, namespace)
    constructor: Callable[[Sequence[Any], Location], Fact] = namespace["fact_from_row"]
    return constructor


_fact_from_row = _row_constructor()


@dataclass(frozen=True)
class FactSet:
    """Every fact, source and city, with the indexes the queries use (each built the first time
    it is needed: `facts --city` over 100,000 facts needs the city index, not the id index)."""

    facts: Sequence[Fact]
    sources: Mapping[str, Source]
    cities: Mapping[str, City]

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))
        object.__setattr__(self, "cities", MappingProxyType(dict(self.cities)))

    def _index(self) -> SlicedRows | None:
        return self.facts.indexed() if isinstance(self.facts, StoredFacts) else None

    def with_index(self, kind: str, keys: Iterable[str]) -> list[Fact] | None:
        """The facts whose topic (`kind` "topic") or source, either way ("source"), is any of
        `keys`, in file order, from the cache entry's index; None where the facts have no index
        (held in memory: a query filters them itself)."""
        index = self._index()
        if index is None:
            return None
        positions: set[int] = set()
        for key in keys:
            positions.update(index.positions(kind, key))
        return [self.facts[position] for position in sorted(positions)]

    def _column(self, name: str) -> list[Any]:
        if isinstance(self.facts, StoredFacts):
            return self.facts.column(name)
        return [getattr(fact, name) for fact in self.facts]

    @cached_property
    def by_id(self) -> Mapping[str, Fact]:
        index = self._index()
        if index is not None:
            return _IndexedIds(self.facts, index)
        return _ById(self.facts, {fact_id: n for n, fact_id in enumerate(self._column("id"))})

    @cached_property
    def _by_city(self) -> dict[str | None, list[int]]:
        by_city: dict[str | None, list[int]] = {}
        for position, city in enumerate(self._column("city")):
            by_city.setdefault(city, []).append(position)
        return by_city

    @cached_property
    def topics(self) -> list[str]:
        index = self._index()
        if index is not None:
            return list(index.topics)
        return sorted(set(self._column("topic")))

    def in_city(self, city: City) -> list[Fact]:
        """The facts about one city (for NATIONWIDE: the facts with no city), in file order, from
        the index."""
        slug = None if city == NATIONWIDE else city.slug
        index = self._index()
        if index is not None:
            return [self.facts[position] for position in index.positions("city", slug)]
        return [self.facts[position] for position in self._by_city.get(slug, ())]

    def city_of(self, fact: Fact) -> City:
        """The city a fact is about: NATIONWIDE for a statement about the whole country."""
        return self._city(fact.city)

    def _city(self, slug: str | None) -> City:
        if slug is None:
            return NATIONWIDE
        # loading refuses a fact whose city is not declared; a FactSet built in memory may not
        return self.cities.get(slug) or City(slug=slug, name=slug)


class _ById(Mapping[str, Fact]):
    def __init__(self, facts: Sequence[Fact], positions: dict[str, int]) -> None:
        self._facts, self._positions = facts, positions

    def __getitem__(self, fact_id: str) -> Fact:
        return self._facts[self._positions[fact_id]]

    def __contains__(self, fact_id: object) -> bool:
        return fact_id in self._positions

    def __iter__(self) -> Iterator[str]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)


class _IndexedIds(Mapping[str, Fact]):
    """Facts by id from the cache entry's index: one bucket of ids read for a lookup, all of
    them only to list them."""

    def __init__(self, facts: Sequence[Fact], index: SlicedRows) -> None:
        self._facts, self._index = facts, index
        self._every: dict[str, int] | None = None

    def __getitem__(self, fact_id: str) -> Fact:
        position = self._index.position_of(fact_id)
        if position is None:
            raise KeyError(fact_id)
        return self._facts[position]

    def __contains__(self, fact_id: object) -> bool:
        return isinstance(fact_id, str) and self._index.position_of(fact_id) is not None

    def __iter__(self) -> Iterator[str]:
        if self._every is None:
            self._every = self._index.ids()
        return iter(self._every)

    def __len__(self) -> int:
        return len(self._facts)


@dataclass(frozen=True)
class Checked:
    """What reading fact files found: the fact set of every valid record, and every problem."""

    files: tuple[str, ...]
    factset: FactSet
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != ERROR]
