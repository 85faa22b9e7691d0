"""The records of every fact file -> one FactSet: ids, sources and cities unique across files,
references resolved, and derived figures computed. Only a cold load (no cache) comes here.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from returnee_cli.errors import Problem
from returnee_cli.fields import FACT_FIELDS, model_values
from returnee_cli.model import NATIONWIDE_NAMES, City, Fact, FactSet, Location, Source
from returnee_cli.suggest import suggest

if TYPE_CHECKING:
    from returnee_cli.parsing import RawFact


class Assembler:
    """Gathers the records of every file and checks what only the whole set can show."""

    def __init__(self) -> None:
        self.sources: dict[str, Source] = {}
        self.cities: dict[str, City] = {}
        self.raw_facts: list[RawFact] = []
        self.problems: list[Problem] = []

    def add_file(self, path: Path) -> list[Problem]:
        from returnee_cli.parsing import read_fact_file  # imports yaml: only on a cache miss

        content, problems = read_fact_file(path)
        for source in content.sources:
            self._add_unique(self.sources, source.id, source, "source", source.location, "id")
        for city in content.cities:
            self._add_unique(self.cities, city.slug, city, "city", city.location, "slug")
        self.raw_facts.extend(content.facts)
        return problems

    def _add_unique(
        self,
        table: dict[str, Any],
        key: str,
        record: Any,
        what: str,
        location: Location,
        field_name: str,
    ) -> None:
        if key in table:
            first = table[key].location
            self._problem(
                location,
                f"duplicate {what} `{key}`: also defined at {first}; rename or remove one",
                "duplicate-id",
                field_name,
            )
        else:
            table[key] = record

    def _problem(self, location: Location, message: str, code: str, key: str | None = None) -> None:
        self.problems.append(Problem(location.file, location.line, message, code, key))

    def build(self) -> tuple[FactSet, list[Problem]]:
        stated: dict[str, Fact] = {}
        derived: list[RawFact] = []
        seen: dict[str, Location] = {}
        for raw in self.raw_facts:
            fact_id = raw.values["id"]
            if fact_id in seen:
                self._problem(
                    raw.location,
                    f"duplicate fact id `{fact_id}`: also defined at "
                    f"{seen[fact_id]}; give each fact its own id",
                    "duplicate-id",
                    "id",
                )
                continue
            seen[fact_id] = raw.location
            if not self._check_references(raw) or not raw.complete:
                continue
            if raw.values.get("derive") is not None:
                derived.append(raw)
                continue
            fact = self._stated_fact(raw)
            if fact is not None:
                stated[fact_id] = fact
        computed = {raw.values["id"]: self._derived_fact(raw, stated) for raw in derived}
        facts = []
        for raw in self.raw_facts:
            fact_id = raw.values["id"]
            fact = stated.get(fact_id) or computed.get(fact_id)
            if fact is not None and fact.location == raw.location:
                facts.append(fact)
        return FactSet(tuple(facts), self.sources, self.cities), self.problems

    def _check_references(self, raw: RawFact) -> bool:
        ok = True
        values = raw.values
        for key, table, what, known in (
            ("source", self.sources, "source", "sources"),
            ("reported_in", self.sources, "source", "sources"),
            ("city", self.cities, "city", "cities"),
        ):
            ref = values.get(key)
            if ref is not None and ref not in table:
                hint = _known(ref, table, known)
                if key == "city" and ref in NATIONWIDE_NAMES:
                    hint = "leave `city` out for a statement about the whole country"
                self._problem(
                    raw.location,
                    f"fact `{values['id']}` names unknown {what} `{ref}` in `{key}`; {hint}",
                    f"unknown-{what}",
                    key,
                )
                ok = False
        return ok

    def _stated_fact(self, raw: RawFact) -> Fact | None:
        values = raw.values
        fact_id = values["id"]
        problems_before = len(self.problems)

        def bad(message: str, code: str, key: str) -> None:
            self._problem(raw.location, f"fact `{fact_id}` {message}", code, key)

        value, unit = values.get("value"), values.get("unit")
        qualifier = values.get("qualifier", "exact")
        if not values.get("quote"):
            bad(
                "has no `quote`; copy the sentence that states it, verbatim", "missing-key", "quote"
            )
        if value is not None and unit is None:
            bad("has a `value` but no `unit`; add `unit: percent` (or people, ...)", "unit", "unit")
        if value is None and unit is not None:
            bad(
                f"has `unit: {unit}` but no `value`; add the value or remove the unit",
                "unit",
                "value",
            )
        if qualifier == "more_than" and value is None:
            bad(
                "is `more_than` but has no numeric `value`; add the value or make it exact",
                "qualifier",
                "qualifier",
            )
        if unit == "percent" and value is not None and not 0 <= value <= 100:
            bad(
                f"has a percentage of {value}, outside 0 to 100; check the figure", "range", "value"
            )
        elif unit == "percent" and qualifier == "more_than" and value == 100:
            bad(
                "is more than 100%, more than the whole; check the figure and its qualifier",
                "range",
                "value",
            )
        sample = values.get("sample_size")
        if sample is not None and sample <= 0:
            bad(
                f"has `sample_size: {sample}`; a sample is a positive whole number",
                "range",
                "sample_size",
            )
        if value is not None and unit != "percent" and value < 0:
            bad(f"has a negative `value` ({value}); check the figure", "range", "value")
        if len(self.problems) > problems_before:
            return None
        return _make_fact(values, raw.location, value=value, qualifier=qualifier)

    def _derived_fact(self, raw: RawFact, stated: dict[str, Fact]) -> Fact | None:
        values = raw.values
        fact_id = values["id"]
        derive = values["derive"]

        def bad(message: str, code: str = "derived", key: str = "derive") -> None:
            self._problem(raw.location, f"derived fact `{fact_id}` {message}", code, key)

        for key in ("value", "quote", "qualifier"):
            if key in values:
                bad(f"must not state `{key}`: it is computed from `derive`; remove it", key=key)
                return None
        inputs = []
        for ref in derive["from"]:
            if ref not in stated:
                hint = (
                    _known(ref, stated, "stated facts")
                    if ref not in {r.values["id"] for r in self.raw_facts}
                    else "derive only from stated facts that are themselves valid"
                )
                bad(
                    f"is computed from `{ref}`, which is not a valid stated fact; {hint}",
                    "unknown-fact",
                )
                return None
            inputs.append(stated[ref])
        if any(not fact.is_share for fact in inputs):
            bad("can only be computed from percentages (`unit: percent` with a value)")
            return None
        if derive["formula"] == "remainder":
            if any(fact.qualifier != "exact" for fact in inputs):
                bad("cannot take a remainder of `more_than` shares: the result has no bound")
                return None
            parts = [_decimal(fact.value) for fact in inputs]
            total = sum(parts, Decimal(0))
            if total > 100:
                bad(f"comes from shares that add up to {total}, more than 100", "breakdown")
                return None
            value = _number(Decimal(100) - total)
            formula = "100 − (" + " + ".join(_show(p) for p in parts) + ")"
            return _make_fact(
                values,
                raw.location,
                value=value,
                qualifier="exact",
                unit=values.get("unit", "percent"),
                derived_from=derive["from"],
                formula=formula,
                derived_by="remainder",
            )
        # share_of_sample
        share = inputs[0]
        sample = share.sample_size
        if len(inputs) != 1 or sample is None:
            bad(
                "with `share_of_sample` needs exactly one share in `from`, and that share needs "
                "a `sample_size`"
            )
            return None
        exact = _decimal(share.value) * sample / 100
        if share.qualifier == "exact":
            value = _number(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
            formula = f"round({_show(_decimal(share.value))}% × {sample})"
        else:
            value = _number(exact)
            formula = f"{_show(_decimal(share.value))}% × {sample}"
        return _make_fact(
            values,
            raw.location,
            value=value,
            qualifier=share.qualifier,
            unit=values.get("unit", "people"),
            derived_from=derive["from"],
            formula=formula,
            derived_by="share_of_sample",
            sample_size=values.get("sample_size", share.sample_size),
            population=values.get("population", share.population),
        )


def _make_fact(values: dict[str, Any], location: Location, **overrides: Any) -> Fact:
    """A Fact from the keys its record gave (the rest keep the model's defaults) and what the
    checks or `derive` worked out."""
    if "derived_from" in overrides:
        overrides["derived_from"] = tuple(overrides["derived_from"])
        overrides["derived"] = True
    fields = {**model_values(FACT_FIELDS, values), "location": location, **overrides}
    return Fact(**fields)


def _known(ref: str, table: Iterable[str], known: str) -> str:
    """The did-you-mean of a reference to an unknown source, city or fact: a pack may declare
    thousands, so the list is cut short."""
    names = sorted(table)
    if not names:
        return f"no {known} are declared; add it first"
    return suggest(ref, names, known, limit=12)


def _decimal(value: int | float | None) -> Decimal:
    return Decimal(str(value))


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _show(value: Decimal) -> str:
    return str(_number(value))
