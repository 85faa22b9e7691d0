"""The records of every fact file -> one FactSet: ids, sources and cities unique across files,
references resolved, and derived figures computed. Only a cold load (no cache) comes here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from returnee_cli import checks, intervals, lexicon
from returnee_cli.errors import WARNING, Problem
from returnee_cli.fields import FACT_FIELDS, model_values
from returnee_cli.model import NATIONWIDE_NAMES, City, Fact, FactSet, Location, Source
from returnee_cli.suggest import suggest

if TYPE_CHECKING:
    from returnee_cli.parsing import FileContent, RawFact


_CLASHES_SHOWN = 3  # built-in records a pack re-declares, named one by one
_BUILT_IN_CLASH = "is also built in"


def _built_in(location: Location) -> bool:
    from returnee_cli.paths import builtin_facts_dir

    return builtin_facts_dir().resolve() in Path(location.file).resolve().parents


def _same(first: Any, second: Any) -> bool:
    """Two records that say the same (a source's stored text may be a copy elsewhere)."""
    if isinstance(first, Source) and isinstance(second, Source):
        return bool(replace(first, text_path=None) == replace(second, text_path=None))
    return bool(first == second)


def _duplicate(what: str, key: str, first: Location, here: Location, fix: str, same: bool) -> str:
    """A record declared twice; when the first is a built-in one and this one says the same,
    the pack re-declares the built-in facts (an export of them, loaded beside them): the fix is
    --no-builtin, not a new id for every record."""
    if same and _built_in(first) and not _built_in(here):
        return (
            f"{what} `{key}` {_BUILT_IN_CLASH} ({first}): load this pack alone, with "
            f"`returnees --no-builtin --facts {here.file} ...`"
        )
    return f"duplicate {what} `{key}`: also defined at {first}; {fix}"


def _summarised(problems: list[Problem]) -> list[Problem]:
    """A pack that re-declares many built-in records (an export of them): the first few named,
    then one line for the rest of each file, not one problem per record. The same for the
    errors of a load beside the built-in facts and the warnings of `validate PACK`."""
    clashes: dict[tuple[str, str, str], list[Problem]] = {}
    for problem in problems:
        if _BUILT_IN_CLASH in problem.message:
            clashes.setdefault((problem.file, problem.code, problem.severity), []).append(problem)
    hidden = {id(p) for found in clashes.values() for p in found[_CLASHES_SHOWN:]}
    kept = [p for p in problems if id(p) not in hidden]
    for (file, code, severity), found in clashes.items():
        if len(found) > _CLASHES_SHOWN:
            kept.append(
                Problem(
                    file,
                    None,
                    f"{len(found)} of its records are also built in (the first "
                    f"{_CLASHES_SHOWN} are named below): load this pack alone, with "
                    f"`returnees --no-builtin --facts {file} ...`",
                    code,
                    None,
                    severity,
                )
            )
    return kept


class Assembler:
    """Gathers the records of every file and checks what only the whole set can show."""

    def __init__(self, context: FactSet | None = None) -> None:
        self.sources: dict[str, Source] = {}
        self.cities: dict[str, City] = {}
        self.raw_facts: list[RawFact] = []
        self.problems: list[Problem] = []
        # declared but refused (their own problems said): a reference to one says nothing more
        self.refused: dict[str, set[str]] = {"source": set(), "city": set(), "fact": set()}
        # `validate PACK`: the built-in sources and cities, which a pack may name without
        # declaring them (as with --facts); they resolve references, and are not the pack's
        self.context = context
        # the built-in set when this load leaves it out: only to say a name is built in
        self.built_in: Callable[[], FactSet | None] | None = None
        self._built_in_set: FactSet | None = None
        # the id() of each fact whose own rules are known to pass (RawFact.passed)
        self.known: set[int] = set()
        self._ends: dict[tuple[Any, ...], dict[str, int | float | None]] = {}

    def add_file(self, path: Path) -> list[Problem]:
        from returnee_cli.parsing import read_fact_file  # imports yaml: only on a cache miss

        content, problems = read_fact_file(path)
        self.add_content(content)
        return problems

    def add_content(self, content: FileContent) -> None:
        """The records of one file, parsed now or kept from an earlier parse (cache.py)."""
        for source in content.sources:
            self._add_unique(self.sources, source.id, source, "source", source.location, "id")
        for city in content.cities:
            self._add_unique(self.cities, city.slug, city, "city", city.location, "slug")
        self.raw_facts.extend(content.facts)
        for what, ids in content.refused.items():
            self.refused[what] |= ids

    def _also_built_in(self) -> None:
        """A pack validated alone that declares a built-in source, city or fact again: loaded
        with the built-in facts it would clash, so say which flag it needs."""
        if self.context is None:
            return
        context = self.context
        declared: list[tuple[str, str, str, Location, Location]] = [
            ("source", "id", name, record.location, context.sources[name].location)
            for name, record in self.sources.items()
            if name in context.sources
        ]
        declared += [
            ("city", "slug", name, record.location, context.cities[name].location)
            for name, record in self.cities.items()
            if name in context.cities
        ]
        declared += [
            ("fact", "id", raw.values["id"], raw.location, context.by_id[raw.values["id"]].location)
            for raw in self.raw_facts
            if raw.values["id"] in context.by_id
        ]
        for what, key, name, location, theirs in declared:
            if location == theirs:
                continue  # a built-in file itself, checked alone
            self.problems.append(
                Problem(
                    location.file,
                    location.line,
                    f"{what} `{name}` {_BUILT_IN_CLASH} ({theirs}): load this pack alone, with "
                    f"`returnees --no-builtin --facts {location.file} ...`, or remove it here "
                    "to load the pack beside the built-in facts",
                    "built-in-id",
                    key,
                    WARNING,
                )
            )

    def with_context(self, factset: FactSet) -> FactSet:
        """The set with the built-in sources and cities (the pack's own first), and the built-in
        facts its derived ones are computed from: what the checks look up."""
        if self.context is None:
            return factset
        own = {fact.id for fact in factset.facts}
        needed = {ref for fact in factset.facts for ref in fact.derived_from if ref not in own}
        inputs = [self.context.by_id[ref] for ref in sorted(needed)]
        return FactSet(
            (*factset.facts, *inputs),
            {**self.context.sources, **factset.sources},
            {**self.context.cities, **factset.cities},
        )

    def _add_unique(
        self,
        table: dict[str, Any],
        key: str,
        record: Any,
        what: str,
        location: Location,
        field_name: str,
    ) -> None:
        if key in table and table[key] == record and not _built_in(table[key].location):
            return  # the same source or city in two files of a pack (two exports): one record
        if key in table:
            first = table[key].location
            self._problem(
                location,
                _duplicate(
                    what, key, first, location, "rename or remove one", _same(table[key], record)
                ),
                "duplicate-id",
                field_name,
            )
        else:
            table[key] = record

    def _problem(self, location: Location, message: str, code: str, key: str | None = None) -> None:
        self.problems.append(Problem(location.file, location.line, message, code, key))

    def _problem_at(self, raw: RawFact, key: str, message: str, code: str) -> None:
        """A problem of one key of a fact, at that key's line."""
        self.problems.append(Problem(raw.location.file, raw.line_of(key), message, code, key))

    def build(self) -> tuple[FactSet, list[Problem]]:
        self._also_built_in()
        stated: dict[str, Fact] = {}
        derived: list[RawFact] = []
        seen: dict[str, RawFact] = {}
        for raw in self.raw_facts:
            fact_id = raw.values["id"]
            if fact_id in seen:
                self._problem(
                    raw.location,
                    _duplicate(
                        "fact id",
                        fact_id,
                        seen[fact_id].location,
                        raw.location,
                        "give each fact its own id",
                        # all it says agrees (an export leaves out what a derived fact computes)
                        all(seen[fact_id].values.get(k) == v for k, v in raw.values.items()),
                    ),
                    "duplicate-id",
                    "id",
                )
                continue
            seen[fact_id] = raw
            if not self._check_references(raw) or not raw.complete:
                continue
            if raw.values.get("derive") is not None:
                derived.append(raw)
                continue
            fact = self._stated_fact(raw)
            if fact is not None:
                stated[fact_id] = fact
                if raw.passed:
                    self.known.add(id(fact))
        computed = {raw.values["id"]: self._derived_fact(raw, stated) for raw in derived}
        facts = []
        for raw in self.raw_facts:
            fact_id = raw.values["id"]
            fact = stated.get(fact_id) or computed.get(fact_id)
            if fact is not None and fact.location is raw.location:  # made from this raw
                facts.append(fact)
        return FactSet(tuple(facts), self.sources, self.cities), _summarised(self.problems)

    def _check_references(self, raw: RawFact) -> bool:
        values = raw.values
        city = values.get("city")
        if (
            values.get("source") in self.sources
            and values.get("reported_in") in self.sources
            and (city is None or city in self.cities)
        ):
            return True  # the common case, asked of every fact
        ok = True
        for key, table, what, known in (
            ("source", self.sources, "source", "sources"),
            ("reported_in", self.sources, "source", "sources"),
            ("city", self.cities, "city", "cities"),
        ):
            ref = values.get(key)
            if ref is not None and ref not in table and ref in self._elsewhere(what):
                continue  # built in: the pack may name it
            if ref is not None and ref not in table and ref in self.refused[what]:
                ok = False  # declared, but refused: its own problems are reported
                continue
            if ref is not None and ref not in table:
                # `validate PACK` resolves built-in names too: offer them, as a load does
                hint = _known(ref, [*table, *self._elsewhere(what)], known)
                if key == "city" and ref in NATIONWIDE_NAMES:
                    hint = "leave `city` out for a statement about the whole country"
                elif self._built_in_has(what, ref):
                    hint = (
                        f"`{ref}` is a built-in {what}: load the built-in facts with it (leave "
                        "out --no-builtin), or declare it in this pack"
                    )
                self._problem_at(
                    raw,
                    key,
                    f"fact `{values['id']}` names unknown {what} `{ref}` in `{key}`; {hint}",
                    f"unknown-{what}",
                )
                ok = False
        return ok

    def _built_in_has(self, what: str, ref: str) -> bool:
        """Whether the built-in set, left out of this load (--no-builtin), declares `ref`:
        asked only of a reference that is unknown, so a valid load never reads it."""
        if self.built_in is None:
            return False
        if self._built_in_set is None:
            self._built_in_set = self.built_in()
            self.built_in = None if self._built_in_set is None else self.built_in
        factset = self._built_in_set
        if factset is None:
            return False
        return ref in (factset.sources if what == "source" else factset.cities)

    def _elsewhere(self, what: str) -> Mapping[str, Any]:
        if self.context is None:
            return {}
        return self.context.sources if what == "source" else self.context.cities

    def _stated_fact(self, raw: RawFact) -> Fact | None:
        if raw.passed:  # its own rules passed for these very values (RawFact.passed)
            return self._made_fact(raw)
        values = raw.values
        fact_id = values["id"]
        problems_before = len(self.problems)

        def bad(message: str, code: str, key: str) -> None:
            self._problem_at(raw, key, f"fact `{fact_id}` {message}", code)

        value, unit, high = values.get("value"), values.get("unit"), values.get("high")
        qualifier = values.get("qualifier", lexicon.EXACT if value is not None else None)
        quote = values.get("quote")
        if not quote:
            bad(
                "has no `quote`; copy the sentence that states it, verbatim", "missing-key", "quote"
            )
        if value is not None and unit is None:
            bad("has a `value` but no `unit`; add `unit: percent` (or people, ...)", "unit", "unit")
        if value is None and unit is not None:
            bad(
                f"has `unit: {unit}` but no `value`; add the value or remove the unit",
                "unit",
                "unit",
            )
        if value is None and qualifier is not None:
            bad(
                f"has `qualifier: {qualifier}` but no `value`; add the value, or remove the "
                "qualifier (a list or a statement has none)",
                "qualifier",
                "qualifier",
            )
        if qualifier == lexicon.RANGE and value is not None:
            if high is None:
                bad(
                    "is a `range` but has no `high`; add the range's high end (`value` is its "
                    "low end)",
                    "qualifier",
                    "qualifier",
                )
            elif high <= value:
                bad(
                    f"is a range from {value} to {high}; `high` must be above `value`",
                    "range",
                    "high",
                )
        elif high is not None:
            bad(
                "has `high` but is not a `range`; remove `high`, or write `qualifier: range` "
                "with `value` as the low end",
                "qualifier",
                "high",
            )
        for key, number in (("value", value), ("high", high)):
            if number is None:
                continue
            if unit == "percent" and not 0 <= number <= 100:
                bad(
                    f"has a percentage of {number}, outside 0 to 100; check the figure",
                    "range",
                    key,
                )
            elif unit != "percent" and number < 0:
                bad(f"has a negative `{key}` ({number}); check the figure", "range", key)
        if unit == "percent" and value == 100 and qualifier == lexicon.MORE_THAN:
            bad(
                "is more than 100%, more than the whole; check the figure and its qualifier",
                "range",
                "qualifier",
            )
        if value == 0 and qualifier == lexicon.LESS_THAN:
            bad("is less than 0, less than nothing; check the figure", "range", "qualifier")
        if unit == "percent" and value is not None and not values.get("population"):
            bad(
                "is a share but does not say of whom; add `population`: its base (returnees "
                "in a city, survey respondents, their companies, ...)",
                "population",
                "population",
            )
        sample = values.get("sample_size")
        if sample is not None and sample <= 0:
            bad(
                f"has `sample_size: {sample}`; a sample is a positive whole number",
                "range",
                "sample_size",
            )
        self._check_list(raw, bad)
        if len(self.problems) > problems_before:
            return None
        return self._made_fact(raw)

    def _made_fact(self, raw: RawFact) -> Fact:
        """The Fact of a stated fact whose own rules pass: its qualifier (exact where a value
        has none), its precision and the interval its wording allows."""
        values = raw.values
        value = values.get("value")
        qualifier = values.get("qualifier", lexicon.EXACT if value is not None else None)
        if value is None or qualifier is None:
            return _make_fact(values, raw, qualifier=qualifier)
        high = values.get("high")
        precision = max(raw.decimals.get("value", 0), raw.decimals.get("high", 0))
        # "nearly"/"almost" put an `about` figure just under its value; only `about` asks
        just_under = qualifier == lexicon.ABOUT and any(
            w.just_under
            for w in lexicon.wordings_of(checks.normalise(values.get("quote") or ""), value)
        )
        percent = values.get("unit") == "percent"
        # a pack repeats its figures (400 shares of a sample of 400): each interval worked out
        # once per load (the types too: 30 and 30.0 are written, and shown, differently)
        key = (value, type(value), qualifier, precision, percent, high, type(high), just_under)
        ends = self._ends.get(key)
        if ends is None:
            interval = intervals.stated(
                value, qualifier, precision, percent=percent, high=high, just_under=just_under
            )
            ends = self._ends[key] = _ends(interval)
        return _make_fact(values, raw, qualifier=qualifier, precision=precision, **ends)

    def _check_list(self, raw: RawFact, bad: Callable[[str, str, str], None]) -> None:
        items, kind = raw.values.get("items"), raw.values.get("list_kind")
        if items is not None and kind is None:
            bad(
                "has `items` but no `list_kind`; say whether the source ranks them (ranked), "
                "names all of them (complete), or gives a few examples (examples: “such as”, "
                "“include”)",
                "list-kind",
                "items",
            )
        if items is None and kind is not None:
            bad(f"has `list_kind: {kind}` but no `items`; remove it", "list-kind", "list_kind")

    def _derived_fact(self, raw: RawFact, stated: dict[str, Fact]) -> Fact | None:
        values = raw.values
        fact_id = values["id"]
        derive = values["derive"]

        def bad(message: str, code: str = "derived", key: str = "derive") -> None:
            self._problem_at(raw, key, f"derived fact `{fact_id}` {message}", code)

        for key in ("value", "quote", "qualifier", "high", "items", "list_kind"):
            if key in values:
                bad(f"must not state `{key}`: it is computed from `derive`; remove it", key=key)
                return None
        inputs = []
        declared_ids = {r.values["id"] for r in self.raw_facts} | self.refused["fact"]
        for ref in derive["from"]:
            built_in = self.context.by_id.get(ref) if self.context is not None else None
            if ref not in stated and built_in is not None and not built_in.derived:
                inputs.append(built_in)  # a pack validated alone may derive from built-in facts
                continue
            if ref not in stated and ref in declared_ids and not self._derived_id(ref):
                return None  # declared, but refused: its own problems are reported
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
            return self._remainder(raw, inputs, bad)
        return self._share_of_sample(raw, inputs, bad)

    def _derived_id(self, fact_id: str) -> bool:
        return any(
            r.values["id"] == fact_id and r.values.get("derive") is not None for r in self.raw_facts
        )

    def _remainder(self, raw: RawFact, inputs: list[Fact], bad: Callable[..., None]) -> Fact | None:
        values = raw.values
        bounded = [f.id for f in inputs if f.qualifier not in _TWO_SIDED]
        if bounded:
            bad(
                f"cannot take a remainder of `{bounded[0]}`, which is only bounded on one side: "
                "the rest would have no bound"
            )
            return None
        breakdowns = {f.breakdown for f in inputs}
        if len(breakdowns) != 1 or None in breakdowns:
            bad(
                "is a remainder, so `from` must name the parts of one breakdown (facts with the "
                "same `breakdown:`)"
            )
            return None
        (name,) = breakdowns
        parts = [
            r.values["id"]
            for r in self.raw_facts
            if r.values.get("breakdown") == name and r.values.get("derive") is None
        ]
        left_out = [part for part in parts if part not in values["derive"]["from"]]
        if left_out:
            bad(
                f"leaves `{left_out[0]}` of breakdown `{name}` out of `from`; a remainder is "
                "what all the parts of one whole leave, so name every part"
            )
            return None
        if len({f.population for f in inputs}) != 1 or len({f.unit for f in inputs}) != 1:
            bad("is a remainder of shares of different bases; a breakdown splits one base")
            return None
        if values.get("unit", "percent") != "percent":
            bad(
                f"has `unit: {values['unit']}`, but the remainder of percentages is a "
                "percentage; remove `unit`",
                "unit",
                "unit",
            )
            return None
        samples = {f.sample_size for f in inputs}
        if "sample_size" in values and samples != {values["sample_size"]}:
            bad(
                "has a `sample_size` its parts do not have; remove it (the parts' sample "
                "carries over)",
                "sample",
                "sample_size",
            )
            return None
        total = sum((intervals.decimal(f.value or 0) for f in inputs), Decimal(0))
        if total > 100:
            bad(
                f"comes from shares that add up to {intervals.shown(total)}, more than 100",
                "breakdown",
            )
            return None
        result = intervals.remainder(
            [(intervals.decimal(f.value or 0), f.precision or 0, _interval(f)) for f in inputs]
        )
        formula = "100 − (" + " + ".join(
            intervals.shown(intervals.decimal(f.value or 0)) for f in inputs
        )
        return self._derived(
            raw,
            result,
            "remainder",
            formula + ")",
            inputs,
            unit="percent",
            population=values.get("population", inputs[0].population),
            sample_size=values.get("sample_size", inputs[0].sample_size),
        )

    def _share_of_sample(
        self, raw: RawFact, inputs: list[Fact], bad: Callable[..., None]
    ) -> Fact | None:
        values = raw.values
        share = inputs[0]
        sample = share.sample_size
        if len(inputs) != 1 or sample is None:
            bad(
                "with `share_of_sample` needs exactly one share in `from`, and that share needs "
                "a `sample_size`"
            )
            return None
        if values.get("unit", "people") != "people":
            bad(
                f"has `unit: {values['unit']}`, but a share of a sample is a number of people; "
                "write `unit: people` or remove it",
                "unit",
                "unit",
            )
            return None
        if values.get("sample_size", sample) != sample:
            bad(
                f"has `sample_size: {values['sample_size']}`, but its share is of a sample of "
                f"{sample}; remove it",
                "sample",
                "sample_size",
            )
            return None
        value = intervals.decimal(share.value or 0)
        result = intervals.share_of_sample(value, share.qualifier or "", _interval(share), sample)
        return self._derived(
            raw,
            result,
            "share_of_sample",
            f"{intervals.shown(value)}% × {sample}",
            inputs,
            unit="people",
            sample_size=sample,
            population=values.get("population", share.population),
        )

    def _derived(
        self,
        raw: RawFact,
        result: intervals.Derived,
        by: str,
        formula: str,
        inputs: list[Fact],
        **more: Any,
    ) -> Fact:
        return _make_fact(
            raw.values,
            raw,
            value=intervals.number(result.value),
            qualifier=result.qualifier,
            precision=result.precision,
            derived_from=[f.id for f in inputs],
            formula=formula,
            derived_by=by,
            **_ends(result.interval),
            **more,
        )


_TWO_SIDED = (lexicon.EXACT, lexicon.ABOUT, lexicon.RANGE)


def _ends(interval: intervals.Interval) -> dict[str, int | float | None]:
    return {
        "low": intervals.number(interval.low) if interval.low is not None else None,
        "high": intervals.number(interval.high) if interval.high is not None else None,
    }


def _interval(fact: Fact) -> intervals.Interval:
    return intervals.Interval(
        intervals.decimal(fact.low) if fact.low is not None else None,
        intervals.decimal(fact.high) if fact.high is not None else None,
    )


def _make_fact(values: dict[str, Any], raw: RawFact, **overrides: Any) -> Fact:
    """A Fact from the keys its record gave (the rest keep the model's defaults) and what the
    checks or `derive` worked out."""
    if "derived_from" in overrides:
        overrides["derived_from"] = tuple(overrides["derived_from"])
        overrides["derived"] = True
    fields = model_values(FACT_FIELDS, values)
    fields["location"] = raw.location
    fields["lines"] = raw.lines
    fields.update(overrides)
    return Fact(**fields)


def _known(ref: str, table: Iterable[str], known: str) -> str:
    """The did-you-mean of a reference to an unknown source, city or fact: a pack may declare
    thousands, so the list is cut short."""
    names = sorted(set(table))
    if not names:
        return f"no {known} are declared; add it first"
    return suggest(ref, names, known, limit=12)
