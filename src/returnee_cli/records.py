"""The JSON contract: facts and sources as plain dicts, each record self-contained."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from returnee_cli.errors import Problem
from returnee_cli.figures import figure_text
from returnee_cli.model import Fact, FactSet, Source
from returnee_cli.queries import CityOverview, SourceCount

if TYPE_CHECKING:
    from returnee_cli.model import Checked

FACT_KEYS = (
    "id",
    "city",
    "topic",
    "label",
    "value",
    "unit",
    "qualifier",
    "population",
    "sample_size",
    "items",
    "derived",
    "derived_from",
    "formula",
    "source",
    "reported_in",
    "quote",
)


def source_record(source: Source) -> dict[str, Any]:
    return {
        "id": source.id,
        "title": source.title,
        "publisher": source.publisher,
        "date": source.date,
        "kind": source.kind,
        "short_title": source.short_title,
        "author": source.author,
        "url": source.url,
        "note": source.note,
    }


def fact_record(fact: Fact, factset: FactSet) -> dict[str, Any]:
    return {
        "id": fact.id,
        "city": fact.city,
        "topic": fact.topic,
        "label": fact.label,
        "value": fact.value,
        "unit": fact.unit,
        "qualifier": fact.qualifier,
        "population": fact.population,
        "sample_size": fact.sample_size,
        "items": list(fact.items) if fact.items is not None else None,
        "derived": fact.derived,
        "derived_from": list(fact.derived_from) if fact.derived else None,
        "formula": fact.formula,
        "source": source_record(factset.sources[fact.source]),
        "reported_in": source_record(factset.sources[fact.reported_in]),
        "quote": fact.quote,
    }


def source_summary_record(count: SourceCount) -> dict[str, Any]:
    """A source with `fact_count` (facts citing it either way: what `facts --source ID` lists),
    `figure_count` (facts whose figure comes from it) and `quote_count` (facts quoting it)."""
    return {
        **source_record(count.source),
        "fact_count": count.facts,
        "figure_count": count.figures,
        "quote_count": count.quotes,
    }


SOURCE_SUMMARY_KEYS = (
    "id",
    "title",
    "publisher",
    "date",
    "kind",
    "short_title",
    "author",
    "url",
    "note",
    "fact_count",
    "figure_count",
    "quote_count",
)
CITY_OVERVIEW_KEYS = (
    "slug",
    "name",
    "name_zh",
    "fact_count",
    "topics",
    "roles",
    "headline",
    "headline_fact",
)


def city_overview_record(entry: CityOverview, factset: FactSet) -> dict[str, Any]:
    """A city with its fact count, topics, roles and headline (as text, and the fact's id)."""
    headline = entry.headline
    return {
        "slug": entry.city.slug,
        "name": entry.city.name,
        "name_zh": entry.city.name_zh,
        "fact_count": len(entry.facts),
        "topics": sorted({fact.topic for fact in entry.facts}),
        "roles": entry.roles,
        "headline": f"{figure_text(headline)} {headline.label}" if headline else None,
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
