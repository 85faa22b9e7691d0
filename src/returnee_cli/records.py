"""The JSON contract: facts and sources as plain dicts, each record self-contained."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from returnee_cli.errors import Problem
from returnee_cli.model import Fact, FactSet, Source

if TYPE_CHECKING:
    from returnee_cli.loading import Checked

FACT_KEYS = (
    "id", "city", "topic", "label", "value", "unit", "qualifier", "population", "sample_size",
    "items", "derived", "derived_from", "formula", "source", "reported_in", "quote",
)


def source_record(source: Source) -> dict[str, Any]:
    return {
        "id": source.id,
        "title": source.title,
        "publisher": source.publisher,
        "date": source.date,
        "kind": source.kind,
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


def source_summary_record(source: Source, fact_count: int, quoted_count: int) -> dict[str, Any]:
    """A source with `fact_count` (facts whose figure it supports) and `quoted_count` (facts whose
    quote is taken from it)."""
    return {**source_record(source), "fact_count": fact_count, "quoted_count": quoted_count}


def problem_record(problem: Problem) -> dict[str, Any]:
    return {"file": problem.file, "line": problem.line, "code": problem.code, "key": problem.key,
            "message": problem.message}


def validation_record(checked: Checked) -> dict[str, Any]:
    """`validate --json`: `valid` (no errors; warnings allowed), files read, and each problem."""
    return {
        "valid": not checked.errors,
        "files": list(checked.files),
        "errors": [problem_record(p) for p in checked.errors],
        "warnings": [problem_record(p) for p in checked.warnings],
    }
