"""The in-memory model: plain frozen dataclasses, no I/O, no Typer, no Rich."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, overload

from returnee_cli.errors import ERROR, Problem

QUALIFIERS = ("exact", "more_than")
SOURCE_KINDS = ("primary", "secondary")


@dataclass(frozen=True)
class Location:
    """Where a record was read from, for messages."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    date: str
    kind: str
    short_title: str | None = None  # for tight spaces: "Beijing Blue Book"
    author: str | None = None
    url: str | None = None
    note: str | None = None
    text_path: Path | None = None  # the stored body of the document, for quote checks
    location: Location = field(default=Location("<memory>"), compare=False)


@dataclass(frozen=True)
class City:
    slug: str
    name: str
    name_zh: str | None = None
    location: Location = field(default=Location("<memory>"), compare=False)


# The statements about China as a whole: the facts with no city (`Fact.city` is None). Every view,
# record and filter that shows or takes them uses this one City; `--city` takes any of
# NATIONWIDE_NAMES for it, so a fact file may not declare a city by one of them.
NATIONWIDE = City(slug="nationwide", name="China (nationwide)", name_zh="全国")
NATIONWIDE_SHORT_NAME = "Nationwide"  # where a column has no room for its name: the topics matrix
NATIONWIDE_NAMES = frozenset(
    name.casefold()
    for name in (NATIONWIDE.slug, NATIONWIDE.name, NATIONWIDE.name_zh, "china", "中国")
    if name
)


@dataclass(frozen=True)
class Fact:
    id: str
    topic: str
    label: str
    source: str  # id of the Source the figure comes from
    reported_in: str  # id of the Source the quote is taken from
    city: str | None = None  # slug; None for a nationwide statement
    value: int | float | None = None
    unit: str | None = None
    qualifier: str = "exact"
    population: str | None = None
    sample_size: int | None = None
    items: tuple[str, ...] | None = None
    quote: str | None = None
    breakdown: str | None = None
    derived: bool = False
    derived_from: tuple[str, ...] = ()
    formula: str | None = None  # how it was computed, for people: "round(36% × 300)"
    derived_by: str | None = None  # the `derive` formula's name: remainder | share_of_sample
    location: Location = field(default=Location("<memory>"), compare=False)

    @property
    def is_share(self) -> bool:
        return self.unit == "percent" and self.value is not None


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
            fact = _new_fact(*row[:-1], Location(self._files[file_index], line))
            self._made[index] = fact
        return fact

    def column(self, name: str) -> list[Any]:
        """One field of every fact, read from the rows without building any Fact."""
        position = FACT_FIELD_NAMES.index(name)
        return [row[position] for row in self._rows]


def fact_row(fact: Fact, file_index: int) -> tuple[Any, ...]:
    """A Fact as a StoredFacts row."""
    values = [getattr(fact, name) for name in FACT_FIELD_NAMES[:-1]]
    return (*values, (file_index, fact.location.line))


FACT_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Fact))  # location is last
_new_fact: Callable[..., Fact] = Fact  # built from a row: every field, in order


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

    def _column(self, name: str) -> list[Any]:
        if isinstance(self.facts, StoredFacts):
            return self.facts.column(name)
        return [getattr(fact, name) for fact in self.facts]

    @cached_property
    def by_id(self) -> Mapping[str, Fact]:
        return _ById(self.facts, {fact_id: n for n, fact_id in enumerate(self._column("id"))})

    @cached_property
    def _by_city(self) -> dict[str | None, list[int]]:
        by_city: dict[str | None, list[int]] = {}
        for position, city in enumerate(self._column("city")):
            by_city.setdefault(city, []).append(position)
        return by_city

    @cached_property
    def topics(self) -> list[str]:
        return sorted(set(self._column("topic")))

    def in_city(self, city: City) -> list[Fact]:
        """The facts about one city (for NATIONWIDE: the facts with no city), in file order, from
        the index."""
        slug = None if city == NATIONWIDE else city.slug
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
