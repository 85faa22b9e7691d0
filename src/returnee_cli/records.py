"""The JSON contract: facts and sources as plain dicts, each record self-contained."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from returnee_cli.errors import Problem
from returnee_cli.figures import figure_text
from returnee_cli.model import City, Fact, FactSet, Source, declared
from returnee_cli.queries import CityOverview, SourceCount, headline_words

if TYPE_CHECKING:
    from returnee_cli.model import Checked


def _keys(record: type) -> tuple[str, ...]:
    return tuple(field.name for field in declared(record) if field.about.record)


# The JSON contract, generated from the model's declaration: its fields, in its order, but those
# the declaration keeps out of the record (a source's stored text, a fact's `derived_by`).
FACT_KEYS = _keys(Fact)
SOURCE_KEYS = _keys(Source)
CITY_KEYS = _keys(City)


def _paths(record: type, *, embed: bool = False) -> tuple[str, ...]:
    """Every key of a record, and with a dot every key of the records nested in it
    (`source.title`, `source.described_in.url`): what --fields may name."""
    top: list[str] = []
    nested: list[str] = []
    for field in declared(record):
        if not field.about.record:
            continue
        top.append(field.name)
        inner = field.item_record or (
            field.about.references if embed and field.about.embedded else None
        )
        if inner is not None:
            nested.extend(f"{field.name}.{path}" for path in _paths(inner))
    return (*top, *nested)


FACT_PATHS = _paths(Fact, embed=True)


def _compile(name: str, record: type, *, embed: bool = False) -> Callable[..., dict[str, Any]]:
    """The record function of a model class, written from its declaration and compiled once
    (as dataclasses writes __init__): a dict literal of its record's keys, as fast as one
    written by hand, where a loop over the keys cost a warm `facts --json` of 100,000 facts a
    tenth of its time. A list becomes a JSON array, and no list (None, or a stated fact's empty
    `derived_from`) null, and a list of records (a source's `described_in`) a JSON array of
    their records; with `embed`, a source named by id is given whole, so that each fact
    record stands alone: `f(item, factset)`, else `f(item)`."""
    entries = []
    namespace: dict[str, Any] = {"source_record": source_record} if embed else {}
    for field in declared(record):
        if not field.about.record:
            continue
        value = f"item.{field.name}"
        if field.item_record is not None:  # a list of records: each as its own record
            entry = f"{field.name}_record"
            namespace[entry] = _compile(entry, field.item_record)
            value = f"[{entry}(entry) for entry in {value}] if {value} else None"
        elif field.is_list:
            value = f"list({value}) if {value} else None"
        elif embed and field.about.embedded:
            value = f"source_record(factset.sources[{value}])"
        entries.append(f"{field.name!r}: {value}")
    parameters = "item, factset" if embed else "item"
    code = f"def record({parameters}):\n    return {{{', '.join(entries)}}}\n"
    exec(code, namespace)
    function: Callable[..., dict[str, Any]] = namespace["record"]
    function.__qualname__ = function.__name__ = name  # for tracebacks and profiles
    return function


source_record: Callable[[Source], dict[str, Any]] = _compile("source_record", Source)
city_record: Callable[[City], dict[str, Any]] = _compile("city_record", City)
# fact_values: sources by id, as a table row has them
fact_values: Callable[[Fact], dict[str, Any]] = _compile("fact_values", Fact)
fact_record: Callable[[Fact, FactSet], dict[str, Any]] = _compile("fact_record", Fact, embed=True)


def source_summary_record(count: SourceCount) -> dict[str, Any]:
    """A source with `fact_count` (facts citing it either way: what `facts --source ID` lists),
    `figure_count` (facts whose figure comes from it) and `quote_count` (facts quoting it)."""
    return {
        **source_record(count.source),
        "fact_count": count.facts,
        "figure_count": count.figures,
        "quote_count": count.quotes,
    }


SOURCE_SUMMARY_KEYS = (*SOURCE_KEYS, "fact_count", "figure_count", "quote_count")
SOURCE_SUMMARY_PATHS = (*SOURCE_SUMMARY_KEYS, *_paths(Source)[len(SOURCE_KEYS) :])
CITY_OVERVIEW_KEYS = (*CITY_KEYS, "fact_count", "topics", "roles", "headline", "headline_fact")


def city_overview_record(entry: CityOverview, factset: FactSet) -> dict[str, Any]:
    """A city with its fact count, topics, roles and headline (as text, and the fact's id)."""
    headline = entry.headline
    return {
        **city_record(entry.city),
        "fact_count": len(entry.facts),
        "topics": sorted({fact.topic for fact in entry.facts}),
        "roles": entry.roles,
        "headline": f"{figure_text(headline)} {headline_words(headline)}" if headline else None,
        "headline_fact": headline.id if headline else None,
    }


def problem_record(problem: Problem) -> dict[str, Any]:
    return {
        "file": problem.file,
        "line": problem.line,
        "code": problem.code,
        "key": problem.key,
        "message": problem.message,
    }


def validation_record(checked: Checked) -> dict[str, Any]:
    """`validate --json`: `valid` (no errors; warnings allowed), files read, and each problem."""
    return {
        "valid": not checked.errors,
        "files": list(checked.files),
        "errors": [problem_record(p) for p in checked.errors],
        "warnings": [problem_record(p) for p in checked.warnings],
    }
