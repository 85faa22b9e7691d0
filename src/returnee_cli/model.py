"""The in-memory model: plain frozen dataclasses, no I/O, no Typer, no Rich."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

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


@dataclass(frozen=True)
class FactSet:
    """Every fact, source and city, with the indexes the queries use."""

    facts: tuple[Fact, ...]
    sources: Mapping[str, Source]
    cities: Mapping[str, City]
    by_id: Mapping[str, Fact] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))
        object.__setattr__(self, "cities", MappingProxyType(dict(self.cities)))
        object.__setattr__(self, "by_id", MappingProxyType({f.id: f for f in self.facts}))

    @property
    def topics(self) -> list[str]:
        return sorted({fact.topic for fact in self.facts})

    def city_name(self, slug: str | None) -> str:
        if slug is None:
            return "China (nationwide)"
        city = self.cities.get(slug)
        return city.name if city else slug
