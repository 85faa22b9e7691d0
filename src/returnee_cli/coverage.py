"""Which figures of each stored source text the facts hold: every figure the drafting rules find
(draft.py), and the facts that state it (same value, qualifier and high end, reported in that
source, quoting the sentence that writes it), or none. Pure: it reads the stored texts, never
prints."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from returnee_cli import checks, draft
from returnee_cli.errors import UsageError
from returnee_cli.model import Fact, FactSet

COLUMNS = ("source", "line", "figure", "value", "high", "unit", "qualifier", "held_by", "quote")


@dataclass(frozen=True)
class Covered:
    """One figure of a stored text, and the facts that hold it."""

    source: str
    figure: draft.Figure
    held_by: tuple[str, ...]

    @property
    def held(self) -> bool:
        return bool(self.held_by)


def coverage(factset: FactSet, only: str | None = None) -> list[Covered]:
    """Every figure of every stored text of the loaded sources (or of the source `only`), in
    source and text order."""
    rows: list[Covered] = []
    for source in factset.sources.values():
        if source.text_path is None or only not in (None, source.id):
            continue
        try:
            text = source.text_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(
                f"cannot read the stored text of source `{source.id}` ({source.text_path}): "
                f"{getattr(error, 'strerror', None) or error}; returnees validate says more"
            ) from None
        stating: dict[Decimal, list[Fact]] = {}  # by value: a large pack is not read per figure
        for fact in factset.facts:
            if fact.reported_in == source.id and fact.quote and fact.value is not None:
                stating.setdefault(Decimal(str(fact.value)), []).append(fact)
        for drafted in draft.draft_text(text).facts:
            figure = drafted.figure
            if figure is not None:
                candidates = stating.get(figure.value, [])
                held = tuple(f.id for f in candidates if _holds(f, figure))
                rows.append(Covered(source.id, figure, held))
    return rows


def _holds(fact: Fact, figure: draft.Figure) -> bool:
    if fact.value is None or fact.derived or Decimal(str(fact.value)) != figure.value:
        return False
    if fact.qualifier != figure.qualifier:
        return False
    if figure.high is not None and (fact.high is None or Decimal(str(fact.high)) != figure.high):
        return False
    quote = checks.normalise(fact.quote or "")
    sentence = checks.normalise(figure.sentence.text)
    if sentence in quote:
        return True
    # a quote that is part of the sentence holds the figure if the figure is inside it
    at = sentence.find(quote)
    while at >= 0:
        if at <= figure.start and figure.end <= at + len(quote):
            return True
        at = sentence.find(quote, at + 1)
    return False


def record(row: Covered) -> dict[str, object]:
    figure = row.figure
    return {
        "source": row.source,
        "line": figure.sentence.line,
        "figure": figure.written,
        "value": _number(figure.value),
        "high": _number(figure.high) if figure.high is not None else None,
        "unit": figure.unit,
        "qualifier": figure.qualifier,
        "held_by": list(row.held_by),
        "quote": figure.sentence.text,
    }


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)
