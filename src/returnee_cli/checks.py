"""Consistency rules over a whole fact set: what the records claim, held against each other and
against the stored text of the documents they quote.

The loader checks each record on its own; these rules need the whole set. They run on every load
(an error here stops every command: a figure the source does not support is never shown), and
`returnees validate` also prints their warnings. No typer, no rich: a FactSet in, Problems out.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from pathlib import Path

from returnee_cli.errors import ERROR, WARNING, Problem
from returnee_cli.model import Fact, FactSet, Location, Source

MAX_STORED_TEXT_BYTES = 16 * 1024 * 1024
LOWER_BOUND_WORDS = ("over", "more than", "above")  # before a figure, they make it a lower bound

_CURLY = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})
# A figure as written: 300, 20.84, 1,234.5; not the 80 of "post-80s", not a digit of a longer one.
_FIGURE = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w]|[.,]\d)")
_LOWER_BOUND = re.compile(r"\b(" + "|".join(LOWER_BOUND_WORDS) + r")\s*$", re.IGNORECASE)
_EXACT = Context(prec=100)  # enough digits for any value the loader accepts (40 characters)


def check_factset(factset: FactSet) -> list[Problem]:
    """Every rule, over every fact: errors, then the warnings of what could not be checked."""
    with localcontext(_EXACT):
        problems = [
            *_check_quotes(factset),
            *_check_breakdowns(factset),
            *_check_samples(factset),
            *_check_derived(factset),
        ]
    return sorted(problems, key=lambda p: (p.severity == WARNING, p.file, p.line or 0))


def normalise(text: str) -> str:
    """Curly quotes made straight and runs of whitespace made one space; nothing else."""
    return " ".join(text.translate(_CURLY).split())


def read_at_most(path: Path, limit: int) -> bytes | None:
    """The file's bytes, or None when it holds more than `limit` (read no further: a device or a
    /proc file can claim any size, or none)."""
    with path.open("rb") as stream:
        data = stream.read(limit + 1)
    return data if len(data) <= limit else None


def _problem(
    location: Location, message: str, code: str, key: str | None = None, severity: str = ERROR
) -> Problem:
    return Problem(location.file, location.line, message, code, key, severity)


# --- quotes: found verbatim in the stored text, the figure in the quote, the qualifier worded ----


def _check_quotes(factset: FactSet) -> Iterator[Problem]:
    texts: dict[str, str | None] = {}  # each stored text is read once per load
    unverifiable: dict[str, int] = defaultdict(int)
    for fact in factset.facts:
        if fact.quote is None:
            continue
        quote = normalise(fact.quote)
        yield from _check_figure(fact, quote)
        yield from _check_items(fact, quote)
        source = factset.sources[fact.reported_in]
        if source.text_path is None:
            unverifiable[source.id] += 1
            continue
        if source.id not in texts:
            texts[source.id], unusable = _stored_text(source, source.text_path)
            yield from unusable
        text = texts[source.id]
        if text is not None and quote not in text:
            yield _problem(
                fact.location,
                f"fact `{fact.id}`: its `quote` is not in the stored "
                f"text of source `{source.id}`{_where_it_differs(quote, text)}; copy "
                "the sentence verbatim (only curly quotes and spacing may differ)",
                "quote",
                "quote",
            )
    for source_id, count in unverifiable.items():
        source = factset.sources[source_id]
        facts = "fact" if count == 1 else "facts"
        yield _problem(
            source.location,
            f"source `{source_id}` has no stored text, so the quotes "
            f"of {count} {facts} reported in it cannot be checked; add `text:` with "
            "the document's body to check them",
            "unverifiable",
            "text",
            WARNING,
        )


def _stored_text(source: Source, path: Path) -> tuple[str | None, list[Problem]]:
    """The stored text, normalised and without its '#' note lines; or None and why not."""

    def unusable(why: str) -> tuple[None, list[Problem]]:
        return None, [
            _problem(
                source.location,
                f"source `{source.id}`: its stored text {why}",
                "stored-text",
                "text",
            )
        ]

    try:
        data = read_at_most(path, MAX_STORED_TEXT_BYTES)
    except FileNotFoundError:
        return None, []  # the loader has reported it: `text` names a file that does not exist
    except OSError as error:
        return unusable(f"cannot be read ({error.strerror}); check its permissions")
    if data is None:
        return unusable(
            f"is larger than {MAX_STORED_TEXT_BYTES // (1024 * 1024)} MiB; store "
            "the document's body only"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return unusable("is not UTF-8; save it as UTF-8")
    return normalise("\n".join(line for line in text.splitlines() if not line.startswith("#"))), []


def _where_it_differs(quote: str, text: str) -> str:
    """Where the quote stops agreeing with the text: its longest beginning found in the text
    (a binary search, since every beginning of a found beginning is found too)."""
    found, missing = 0, len(quote)
    while found < missing:
        middle = (found + missing + 1) // 2
        if quote[:middle] in text:
            found = middle
        else:
            missing = middle - 1
    if found == 0:
        return ""
    agreed = quote[:found]
    shown = agreed if len(agreed) <= 40 else "…" + agreed[-39:]
    return f" (it agrees up to “{shown}” and differs after that)"


def _check_items(fact: Fact, quote: str) -> Iterator[Problem]:
    """Each item of a list is written in its quote, in the quote's order: a list shows what the
    source names, no more, and a ranking keeps the source's order."""
    position, previous = 0, None
    for item in fact.items or ():
        found = quote.casefold().find(normalise(item).casefold(), position)
        if found < 0:
            elsewhere = quote.casefold().find(normalise(item).casefold())
            why = (
                f"is named before “{previous}” in the quote; keep the quote's order"
                if elsewhere >= 0
                else "is not written in its `quote`; copy it from the quote as it stands"
            )
            yield _problem(
                fact.location, f"fact `{fact.id}`: item “{item}” {why}", "items", "items"
            )
            return
        position, previous = found + len(normalise(item)), item


def _check_figure(fact: Fact, quote: str) -> Iterator[Problem]:
    """The figure is in its quote, and "over"/"more than" before it agrees with the qualifier."""
    if fact.value is None:
        return
    value = Decimal(str(fact.value))
    written = [
        match
        for match in _FIGURE.finditer(quote)
        if Decimal(match.group().replace(",", "")) == value
    ]
    shown = _show(value)
    if not written:
        yield _problem(
            fact.location,
            f"fact `{fact.id}`: its `value` {shown} is not written in "
            "its `quote`; check the figure, or quote the sentence that states it",
            "figure",
            "value",
        )
        return
    bounded = [_LOWER_BOUND.search(quote, 0, match.start()) for match in written]
    if fact.qualifier == "more_than" and not any(bounded):
        yield _problem(
            fact.location,
            f"fact `{fact.id}` is `more_than` but its quote does not "
            f"say “over” or “more than” before {shown}; make it `qualifier: exact`, "
            "or check the quote",
            "qualifier",
            "qualifier",
        )
    if fact.qualifier == "exact" and all(bounded):
        said = next(b.group(1) for b in bounded if b is not None)
        yield _problem(
            fact.location,
            f"fact `{fact.id}` is exact but its quote says “{said} "
            f"{shown}”: a lower bound; set `qualifier: more_than`",
            "qualifier",
            "qualifier",
        )


# --- breakdowns: the parts of one population add up to no more than the whole ------------------


def _check_breakdowns(factset: FactSet) -> Iterator[Problem]:
    groups: dict[str, list[Fact]] = defaultdict(list)
    for fact in factset.facts:
        if fact.breakdown is not None:
            groups[fact.breakdown].append(fact)
    for name, members in groups.items():
        first = members[0]
        shares = []
        for fact in members:
            if not fact.is_share:
                yield _problem(
                    fact.location,
                    f"fact `{fact.id}` is in breakdown `{name}` but is "
                    "not a share (`unit: percent` with a `value`); a breakdown splits "
                    "one population into shares",
                    "breakdown",
                    "breakdown",
                )
            elif fact.population != first.population:
                yield _problem(
                    fact.location,
                    f"fact `{fact.id}` is in breakdown `{name}` but is "
                    f"a share of “{fact.population}”, not of “{first.population}” "
                    f"like `{first.id}`; a breakdown splits one population",
                    "breakdown",
                    "population",
                )
            else:
                shares.append(fact)
        total = sum((Decimal(str(fact.value)) for fact in shares), Decimal(0))
        open_ended = any(fact.qualifier == "more_than" for fact in shares)
        if total > 100 or (total == 100 and open_ended):
            terms = " + ".join(
                ("over " if f.qualifier == "more_than" else "") + _show(Decimal(str(f.value)))
                for f in shares
            )
            total_text = ("more than " if open_ended else "") + f"{_show(total)}%"
            yield _problem(
                first.location,
                f"breakdown `{name}` adds up to {total_text} "
                f"({terms}), but the parts of one whole add up to 100% at most; "
                f"check the figures and which facts have `breakdown: {name}`",
                "breakdown",
                "breakdown",
            )


# --- samples: a share of a known sample is a whole number of people ----------------------------


def _check_samples(factset: FactSet) -> Iterator[Problem]:
    for fact in factset.facts:
        if not (
            fact.is_share and fact.sample_size and fact.qualifier == "exact" and not fact.derived
        ):
            continue
        share, sample = Decimal(str(fact.value)), fact.sample_size
        # The share as written stands for anything that rounds to it: 36% for 35.5% to 36.5%.
        half = Decimal(1).scaleb(int(share.as_tuple().exponent)) / 2
        low, high = (share - half) * sample / 100, (share + half) * sample / 100
        if math.ceil(low) > math.floor(high):
            yield _problem(
                fact.location,
                f"fact `{fact.id}`: {_show(share)}% of a sample of "
                f"{sample} is {_show(share * sample / 100)} people, and no whole "
                f"number of people rounds to {_show(share)}% ({_show(low)} to "
                f"{_show(high)}); check the share or the `sample_size`",
                "sample",
                "sample_size",
            )


# --- derived facts: computed again, independently of the loader, and compared ------------------


def _check_derived(factset: FactSet) -> Iterator[Problem]:
    for fact in factset.facts:
        if not fact.derived:
            continue
        inputs = [factset.by_id[ref] for ref in fact.derived_from if ref in factset.by_id]
        recomputed = _recompute(fact, inputs) if len(inputs) == len(fact.derived_from) else None
        if recomputed is None or fact.value is None:
            yield _problem(
                fact.location,
                f"derived fact `{fact.id}` cannot be computed again "
                f"from {', '.join(fact.derived_from)}; report this as a bug in "
                "returnees",
                "derived",
                "derive",
            )
            continue
        expected, qualifier = recomputed
        if float(expected) != float(fact.value) or qualifier != fact.qualifier:
            yield _problem(
                fact.location,
                f"derived fact `{fact.id}` holds {fact.value} "
                f"({fact.qualifier}), but its `derive` ({fact.derived_by}) gives "
                f"{_show(expected)} ({qualifier}); report this as a bug in returnees",
                "derived",
                "derive",
            )


def _recompute(fact: Fact, inputs: list[Fact]) -> tuple[Decimal, str] | None:
    """The value and qualifier `derive` gives, from the inputs' values as written."""
    values = [Decimal(str(f.value)) for f in inputs if f.value is not None]
    if len(values) != len(inputs):
        return None
    if fact.derived_by == "remainder":
        return Decimal(100) - sum(values, Decimal(0)), "exact"
    sample = inputs[0].sample_size if len(inputs) == 1 else None
    if fact.derived_by == "share_of_sample" and sample:
        share = inputs[0]
        count = values[0] * sample / 100
        if share.qualifier == "exact":
            count = count.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return count, share.qualifier
    return None


def _show(value: Decimal) -> str:
    """A decimal as a person writes it: 28.66, 108, 109.5 (no exponent, no trailing zeros)."""
    return f"{value.normalize():f}"
