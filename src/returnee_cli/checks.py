"""Consistency rules over a whole fact set: what the records claim, held against each other and
against the stored text of the documents they quote.

The loader checks each record on its own; these rules need the whole set. They run on every load
(an error here stops every command: a figure the source does not support is never shown), and
`returnees validate` also prints their warnings. No typer, no rich: a FactSet in, Problems out.
"""

from __future__ import annotations

import math
import os
import re
from array import array
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Iterator
from contextlib import contextmanager
from decimal import Context, Decimal, localcontext
from itertools import compress
from pathlib import Path

from returnee_cli import intervals, lexicon
from returnee_cli.errors import ERROR, WARNING, Problem
from returnee_cli.model import Fact, FactSet, Location, Source

MAX_STORED_TEXT_BYTES = 16 * 1024 * 1024  # one source's stored text
MAX_LOAD_STORED_TEXT_BYTES = 256 * 1024 * 1024  # the stored texts of one load, all together

_EXACT = Context(prec=100)  # enough digits for any value the loader accepts (40 characters)


def check_factset(factset: FactSet, known: Container[int] = ()) -> list[Problem]:
    """Every rule, over every fact: errors, then the warnings of what could not be checked.

    `known` holds (by id()) the facts whose own rules (their figure, items and sample, which
    look at nothing but the fact) are known to pass: each was read from a per-file cache entry,
    which only a load without errors writes, under the same rules (cache.FileEntries). The rules
    that hold facts against each other and against the stored texts run over every fact."""
    with localcontext(_EXACT):
        problems = [
            *_check_quotes(factset, known),
            *_check_breakdowns(factset),
            *_check_samples(factset, known),
            *_check_derived(factset),
            *_check_labels(factset),
        ]
    return sorted(problems, key=lambda p: (p.severity == WARNING, p.file, p.line or 0))


def normalise(text: str) -> str:
    """Curly quotes made straight and runs of whitespace made one space; nothing else."""
    return " ".join(lexicon.straight(text).split())


Reader = Callable[[Path, os.stat_result, bytes], None]  # (path, its stamp, the bytes read)
_readers: list[Reader] = []


def read_at_most(path: Path, limit: int) -> bytes | None:
    """The file's bytes, or None when it holds more than `limit` (read no further: a device or a
    /proc file can claim any size, or none). Every fact file and stored text is read here."""
    with path.open("rb") as stream:
        stamp = os.fstat(stream.fileno()) if _readers else None  # before a byte is read
        data = stream.read(limit + 1)
    if stamp is not None:
        for reader in _readers:
            reader(path, stamp, data)
    return data if len(data) <= limit else None


@contextmanager
def watching(reader: Reader) -> Iterator[None]:
    """Tell `reader` of every file read meanwhile: the cache records what a load depends on."""
    _readers.append(reader)
    try:
        yield
    finally:
        _readers.remove(reader)


def _problem(
    location: Location, message: str, code: str, key: str | None = None, severity: str = ERROR
) -> Problem:
    return Problem(location.file, location.line, message, code, key, severity)


# --- quotes: found verbatim in the stored text, the figure in the quote, the qualifier worded ----


def _check_quotes(factset: FactSet, known: Container[int]) -> Iterator[Problem]:
    quoted: dict[str, list[tuple[Fact, str]]] = defaultdict(list)  # by source, in fact order
    in_order: list[tuple[Fact, str]] = []
    for fact in factset.facts:
        if fact.quote is not None:
            quote = normalise(fact.quote)
            entry = (fact, fact.quote if quote == fact.quote else quote)  # no copy kept
            quoted[fact.reported_in].append(entry)
            in_order.append(entry)
    # Each stored text is read once per load, all its quotes looked up together (quotes_found),
    # and let go before the next: one text in memory at a time.
    unusable: dict[str, list[Problem]] = {}
    agreed: dict[str, dict[str, int]] = {}  # source -> quote not in its text -> agreed length
    budget = MAX_LOAD_STORED_TEXT_BYTES
    for source_id, entries in quoted.items():
        source = factset.sources[source_id]
        if source.text_path is None:
            continue
        text, unusable[source_id], budget = _stored_text(source, source.text_path, budget)
        if text is not None:
            quotes = {quote for _, quote in entries}
            missing = quotes - quotes_found(text, quotes)
            hinted = list(dict.fromkeys(q for _, q in entries if q in missing))[: _hints(text)]
            agreed[source_id] = dict.fromkeys(missing, 0)
            agreed[source_id].update((quote, agreed_length(text, quote)) for quote in hinted)
    unverifiable: dict[str, int] = defaultdict(int)
    told: set[str] = set()
    for fact, quote in in_order:
        if id(fact) not in known:
            yield from _check_figure(fact, quote)
            yield from _check_items(fact, quote)
        source = factset.sources[fact.reported_in]
        if source.text_path is None:
            unverifiable[source.id] += 1
            continue
        if source.id not in told:
            told.add(source.id)
            yield from unusable.get(source.id, [])
        lengths = agreed.get(source.id, {})
        if quote in lengths:
            yield _at(
                fact,
                "quote",
                f"fact `{fact.id}`: its `quote` is not in the stored "
                f"text of source `{source.id}`{_where_it_differs(quote, lengths[quote])}; copy "
                "the sentence verbatim (only curly quotes and spacing may differ)",
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


def _stored_text(source: Source, path: Path, budget: int) -> tuple[str | None, list[Problem], int]:
    """The stored text, normalised and without its '#' note lines, or None and why not; and what
    is left of the load's budget of stored-text bytes once it is read."""

    def unusable(why: str) -> tuple[None, list[Problem], int]:
        problem = _problem(
            source.location, f"source `{source.id}`: its stored text {why}", "stored-text", "text"
        )
        return None, [problem], budget

    try:
        data = read_at_most(path, min(MAX_STORED_TEXT_BYTES, budget))
    except (FileNotFoundError, ValueError):
        # the loader has reported it: `text` names a file that is not there, or one no file
        # system can hold (`text: "a\0b"`: open() refuses a NUL with ValueError)
        return None, [], budget
    except OSError as error:
        return unusable(f"cannot be read ({error.strerror}); check its permissions")
    if data is None and budget < MAX_STORED_TEXT_BYTES:
        return unusable(
            f"takes the stored texts of one load past {_mib(MAX_LOAD_STORED_TEXT_BYTES)}; "
            "store the documents' bodies only, or load fewer packs at once"
        )
    if data is None:
        return unusable(
            f"is larger than {_mib(MAX_STORED_TEXT_BYTES)}; store the document's body only"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return unusable("is not UTF-8; save it as UTF-8")
    kept = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return normalise(kept), [], budget - len(data)


def _mib(size: int) -> str:
    return f"{size // (1024 * 1024)} MiB"


def _where_it_differs(quote: str, found: int) -> str:
    """Where the quote stops agreeing with the text, given its longest beginning found in the
    text (agreed_lengths)."""
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
            yield _at(fact, "items", f"fact `{fact.id}`: item “{item}” {why}", "items")
            return
        if previous is None:
            yield from _check_list_kind(fact, quote, found)
        position, previous = found + len(normalise(item)), item


def _check_list_kind(fact: Fact, quote: str, first: int) -> Iterator[Problem]:
    """A list introduced by “such as”, “include”, “like” is a few examples: never all of
    them, never a ranking."""
    cue = lexicon.example_cue_before(quote, first)
    if cue is not None and fact.list_kind != "examples":
        yield _at(
            fact,
            "list_kind",
            f"fact `{fact.id}` is `list_kind: {fact.list_kind}`, but its quote gives the items "
            f"as examples (“{cue}”); set `list_kind: examples`",
            "list-kind",
        )


def _check_figure(fact: Fact, quote: str) -> Iterator[Problem]:
    """The figure is in its quote, and the words before it state the fact's qualifier, both
    ways: “less than 20%” is not exact, and “about 30%” is not more_than (lexicon.py)."""
    if fact.value is None or fact.qualifier is None:
        return
    shown = intervals.shown(Decimal(str(fact.value)))
    written = lexicon.figures_in(quote, fact.value)
    if not written:
        yield _at(
            fact,
            "value",
            f"fact `{fact.id}`: its `value` {shown} is not written in its `quote`; check the "
            "figure, or quote the sentence that states it",
            "figure",
        )
        return
    if fact.qualifier == lexicon.RANGE:
        yield from _check_range(fact, quote, written)
        return
    if fact.is_share:
        # A share is written as one (35%, 35 percent, 百分之三十五): the 35 of "under 35" is an
        # age, and what the words before it say is no bound of a share.
        written = [match for match in written if lexicon.as_percentage(quote, match)]
        if not written:
            yield _not_a_percentage(fact, shown)
            return
    worded = [lexicon.wording_at(quote, match) for match in written]
    if any(w.qualifier == fact.qualifier for w in worded):
        return
    said, as_written = worded[0], written[0].group()
    if said.qualifier == lexicon.EXACT:
        wanted = " or ".join(list(lexicon.phrases(fact.qualifier))[:2])
        message = (
            f"fact `{fact.id}` is `{fact.qualifier}` but its quote does not say {wanted} (or "
            f"the like) before {shown}; make it `qualifier: exact`, or check the quote"
        )
    else:
        meant = _claims(said.qualifier, as_written, just_under=said.just_under)
        if said.words in lexicon.AFTER_ZH:  # 70%以上: the words follow the figure
            phrase = f"{as_written}{said.words}"
        else:
            phrase = f"{said.words}{' ' if said.words.isascii() else ''}{as_written}"
        message = (
            f"fact `{fact.id}` is `{fact.qualifier}` but its quote says “{phrase}”: "
            f"“{said.words.casefold()}” is {_KIND[said.qualifier]}, "
            f"`{said.qualifier}` ({meant}), not `{fact.qualifier}` "
            f"({_claims(fact.qualifier, as_written)}); set `qualifier: {said.qualifier}`"
        )
    written_key = "qualifier" if "qualifier" in fact.lines else "value"
    yield _at(fact, written_key, message, "qualifier")


_KIND = {
    lexicon.EXACT: "an exact figure",
    lexicon.MORE_THAN: "a strict lower bound",
    lexicon.AT_LEAST: "a lower bound",
    lexicon.LESS_THAN: "a strict upper bound",
    lexicon.AT_MOST: "an upper bound",
    lexicon.ABOUT: "an approximation",
}


def _claims(qualifier: str, shown: str, *, just_under: bool = False) -> str:
    """What a qualifier claims of a figure, told apart from its neighbour: 'over 70' is above 70
    (more_than), 'at least 70' is 70 or more (at_least)."""
    if qualifier == lexicon.ABOUT and just_under:
        return f"just under {shown}"
    return {
        lexicon.EXACT: f"{shown} as written",
        lexicon.MORE_THAN: f"above {shown}, not {shown} itself",
        lexicon.AT_LEAST: f"{shown} or more",
        lexicon.LESS_THAN: f"below {shown}, not {shown} itself",
        lexicon.AT_MOST: f"{shown} or less",
        lexicon.ABOUT: f"near {shown}, either side",
    }.get(qualifier, shown)


def _not_a_percentage(fact: Fact, shown: str) -> Problem:
    return _at(
        fact,
        "value",
        f"fact `{fact.id}` is a share (`unit: percent`), but its quote writes {shown} as a "
        f"plain number, not as a percentage ({shown}%, “{shown} percent”, “{shown} per cent”); "
        "quote the sentence that states the share, or check `value` and `unit`",
        "figure",
    )


def _check_range(fact: Fact, quote: str, low_ends: list[re.Match[str]]) -> Iterator[Problem]:
    high = lexicon.figures_in(quote, fact.high) if fact.high is not None else []
    plain = False  # a range of the two figures is in the quote, but not one of percentages
    for low, top in ((a, b) for a in low_ends for b in high):
        if low.end() < top.start() and lexicon.joins_a_range(quote[low.end() : top.start()]):
            if not fact.is_share or any(lexicon.as_percentage(quote, m) for m in (low, top)):
                return
            plain = True
    if plain:
        yield _not_a_percentage(fact, intervals.shown(Decimal(str(fact.value))))
        return
    yield _at(
        fact,
        "qualifier",
        f"fact `{fact.id}` is a `range`, but its quote does not state "
        f"{intervals.shown(Decimal(str(fact.value)))} to {fact.high} as one range "
        "(“between X and Y”, “X to Y”, “X–Y”); check `value`, `high` and the quote",
        "qualifier",
    )


def _at(fact: Fact, key: str, message: str, code: str, severity: str = ERROR) -> Problem:
    """A problem of one key of a fact, at that key's line in its file."""
    return Problem(fact.location.file, fact.line_of(key), message, code, key, severity)


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
                yield _at(
                    fact,
                    "breakdown",
                    f"fact `{fact.id}` is in breakdown `{name}` but is "
                    "not a share (`unit: percent` with a `value`); a breakdown splits "
                    "one population into shares",
                    "breakdown",
                )
            elif fact.population != first.population:
                yield _at(
                    fact,
                    "population",
                    f"fact `{fact.id}` is in breakdown `{name}` but is "
                    f"a share of “{fact.population}”, not of “{first.population}” "
                    f"like `{first.id}`; a breakdown splits one population",
                    "breakdown",
                )
            else:
                shares.append(fact)
        shares = [fact for fact in shares if not fact.derived]  # a remainder is not a part
        # Each part at the lowest its wording allows (19.5 for 19.45, "over 70" for 70): the
        # parts of one whole can hardly add up to more than 100 even then.
        lowest = sum((Decimal(str(fact.low)) for fact in shares), Decimal(0))
        total = sum((Decimal(str(fact.value)) for fact in shares), Decimal(0))
        open_ended = any(fact.qualifier in lexicon.LOWER_BOUNDS for fact in shares)
        if lowest > 100 or (lowest == 100 and open_ended):
            terms = " + ".join(
                (f"{lexicon.WORDS[f.qualifier]} " if f.qualifier in lexicon.LOWER_BOUNDS else "")
                + intervals.shown(Decimal(str(f.value)))
                for f in shares
            )
            total_text = ("more than " if open_ended else "") + f"{intervals.shown(total)}%"
            yield _at(
                first,
                "breakdown",
                f"breakdown `{name}` adds up to {total_text} "
                f"({terms}), but the parts of one whole add up to 100% at most; "
                f"check the figures and which facts have `breakdown: {name}`",
                "breakdown",
            )


# --- samples: a share of a known sample is a whole number of people ----------------------------


def _check_samples(factset: FactSet, known: Container[int]) -> Iterator[Problem]:
    for fact in factset.facts:
        if id(fact) in known or not (
            fact.is_share
            and fact.sample_size
            and fact.qualifier == lexicon.EXACT
            and not fact.derived
            and fact.low is not None
            and fact.high is not None
        ):
            continue
        share, sample = Decimal(str(fact.value)), fact.sample_size
        # The share as written stands for anything that rounds to it: 36% for 35.5% to 36.5%.
        low = Decimal(str(fact.low)) * sample / 100
        high = Decimal(str(fact.high)) * sample / 100
        if math.ceil(low) > math.floor(high):
            yield _at(
                fact,
                "sample_size",
                f"fact `{fact.id}`: {intervals.shown(share)}% of a sample of "
                f"{sample} is {intervals.shown(share * sample / 100)} people, and no whole "
                f"number of people rounds to {intervals.shown(share)}% ({intervals.shown(low)} to "
                f"{intervals.shown(high)}); check the share or the `sample_size`",
                "sample",
            )


# --- labels: two facts of one city and topic are told apart by their labels ------------------


def _check_labels(factset: FactSet) -> Iterator[Problem]:
    seen: dict[tuple[str | None, str, str], Fact] = {}
    for fact in factset.facts:
        key = (fact.city, fact.topic, fact.label.casefold())
        if key in seen:
            yield _at(
                fact,
                "label",
                f"fact `{fact.id}` has the label of `{seen[key].id}` (same city and topic); "
                "give each its own label, so that a table tells them apart",
                "label",
            )
        else:
            seen[key] = fact


# --- derived facts: computed again, independently of the loader, and compared ------------------


def _check_derived(factset: FactSet) -> Iterator[Problem]:
    for fact in factset.facts:
        if not fact.derived:
            continue
        inputs = [factset.by_id[ref] for ref in fact.derived_from if ref in factset.by_id]
        recomputed = _recompute(fact, inputs) if len(inputs) == len(fact.derived_from) else None
        if recomputed is None or fact.value is None:
            yield _at(
                fact,
                "derive",
                f"derived fact `{fact.id}` cannot be computed again "
                f"from {', '.join(fact.derived_from)}; report this as a bug in "
                "returnees",
                "derived",
            )
            continue
        held = (fact.value, fact.qualifier, fact.low, fact.high)
        ends = (recomputed.interval.low, recomputed.interval.high)
        expected = (
            intervals.number(recomputed.value),
            recomputed.qualifier,
            *(intervals.number(end) if end is not None else None for end in ends),
        )
        if held != expected:
            yield _at(
                fact,
                "derive",
                f"derived fact `{fact.id}` holds {_described(*held)}, but its `derive` "
                f"({fact.derived_by}) gives {_described(*expected)}; report this as a bug in "
                "returnees",
                "derived",
            )


def _described(value: object, qualifier: object, low: object, high: object) -> str:
    """28.7 (about: 28.505 to 28.815), for a message."""
    return f"{value} ({qualifier}: {low} to {high if high is not None else 'no bound'})"


def _recompute(fact: Fact, inputs: list[Fact]) -> intervals.Derived | None:
    """What `derive` gives, from the inputs as stated, apart from the loader's own arithmetic."""
    if any(f.value is None or f.low is None for f in inputs):
        return None

    def interval(f: Fact) -> intervals.Interval:
        high = Decimal(str(f.high)) if f.high is not None else None
        return intervals.Interval(Decimal(str(f.low)), high)

    if fact.derived_by == "remainder":
        return intervals.remainder(
            [(Decimal(str(f.value)), f.precision or 0, interval(f)) for f in inputs]
        )
    share = inputs[0] if len(inputs) == 1 else None
    if fact.derived_by == "share_of_sample" and share is not None and share.sample_size:
        return intervals.share_of_sample(
            Decimal(str(share.value)), share.qualifier or "", interval(share), share.sample_size
        )
    return None


# --- finding many quotes in one long text --------------------------------------------------------
#
# `quote in text` scans the whole text for each quote that is not there: 7,000 such quotes in a
# 16 MiB text took minutes. Instead the text is indexed once per batch of quotes, in one pass
# that is a chain of C iterators (map, compress) over every QUOTE_STRIDE-th position, never a
# Python loop per character; what is kept is the positions (8 bytes each) of the stretches the
# quotes need, nothing else of the text. A quote of at least QUOTE_LONG characters that is in
# the text has one of any QUOTE_STRIDE consecutive QUOTE_GRAM-character stretches of it on an
# indexed position: its candidates are those positions (of its first run of stretches or its
# last, whichever has fewer), each verified with startswith. No candidate: not in the text. A
# short quote is looked up with `in`, or, when hundreds share a length, all of them in one pass
# over every stretch of that length. A quote with more candidates than about one scan's worth
# (a text that repeats itself) is looked up with `in`: never slower than before.
# tests/test_bounded.py holds the answer to `in` on random texts; benchmarks/quotes.py measures
# it.

QUOTE_GRAM = 8  # characters in each indexed stretch of the text
QUOTE_STRIDE = 8  # every QUOTE_STRIDE-th position of the text is indexed
QUOTE_LONG = QUOTE_GRAM + QUOTE_STRIDE - 1
QUOTE_HINTS = 20  # missing quotes of one stored text told where they stop agreeing with it
QUOTE_HINT_CHARS = 4 * 1024 * 1024  # ... at most this / the text's length of them (at least 1)
_FEW = 512  # short quotes of one length looked up with `in`; more, in one pass (which costs
# about as much as 450 scans with `in`: a slice and a set lookup per position)
_BATCH = 20_000  # long quotes looked up in one pass: about 40 MB of stretches to look for
_WINDOWS = 1  # where a long quote may anchor: its first _WINDOWS strides, or its end


def quotes_found(text: str, quotes: Iterable[str], *, scan_budget: int | None = None) -> set[str]:
    """The quotes that are in `text`: for each, the answer of `quote in text`, in time about
    linear in the text plus the quotes. A long quote whose candidates would take more than
    `scan_budget` startswith calls (default: about one scan's worth) is looked up with `in`."""
    size = len(text)
    found: set[str] = set()
    short: dict[int, set[str]] = defaultdict(set)
    long: list[str] = []
    for quote in set(quotes):
        if not quote:
            found.add(quote)
        elif len(quote) >= QUOTE_LONG and len(quote) <= size:
            long.append(quote)
        elif len(quote) <= size:
            short[len(quote)].add(quote)
    for length, group in short.items():
        if len(group) <= _FEW:
            found.update(quote for quote in group if quote in text)
        else:
            every = map(slice, range(size - length + 1), range(length, size + 1))
            found |= group.intersection(map(text.__getitem__, every))
    if long:
        budget = 256 + size // 256 if scan_budget is None else scan_budget
        for first in range(0, len(long), _BATCH):  # a pass over the text per batch
            found |= _long_quotes_found(text, long[first : first + _BATCH], budget)
    return found


def _stretches(text: str) -> Iterator[str]:
    """The text's QUOTE_GRAM-character stretches at every QUOTE_STRIDE-th position."""
    size = len(text)
    starts = range(0, size - QUOTE_GRAM + 1, QUOTE_STRIDE)
    return map(text.__getitem__, map(slice, starts, range(QUOTE_GRAM, size + 1, QUOTE_STRIDE)))


def _windows(quote: str) -> list[list[tuple[int, str]]]:
    """Runs of QUOTE_STRIDE consecutive stretches of a quote, as (offset, stretch): one of each
    run sits on an indexed position wherever the quote is in the text."""
    last = len(quote) - QUOTE_LONG  # the last offset a run may start at
    firsts = sorted({*range(0, min(last, QUOTE_STRIDE * _WINDOWS) + 1, QUOTE_STRIDE), last})
    return [
        [(j, quote[j : j + QUOTE_GRAM]) for j in range(first, first + QUOTE_STRIDE)]
        for first in firsts
    ]


def _long_quotes_found(text: str, quotes: list[str], budget: int) -> set[str]:
    runs = {quote: _windows(quote) for quote in quotes}
    wanted = {gram for windows in runs.values() for run in windows for _, gram in run}
    # One pass: where each wanted stretch sits on an indexed position (8 bytes a position).
    positions: dict[str, array[int]] = defaultdict(lambda: array("q"))
    starts = range(0, len(text) - QUOTE_GRAM + 1, QUOTE_STRIDE)
    for position in compress(starts, map(wanted.__contains__, _stretches(text))):
        positions[text[position : position + QUOTE_GRAM]].append(position)
    found: set[str] = set()
    nowhere: array[int] = array("q")
    for quote, windows in runs.items():
        candidates = [
            [(offset, positions.get(gram, nowhere)) for offset, gram in run] for run in windows
        ]
        cost, run = min(((sum(len(at) for _, at in run), run) for run in candidates), key=_first)
        if cost == 0:
            continue  # no stretch of the run is in the text: neither is the quote
        if cost > budget:
            if quote in text:
                found.add(quote)
        elif any(
            position >= offset and text.startswith(quote, position - offset)
            for offset, at in run
            for position in at
        ):
            found.add(quote)
    return found


def _first(pair: tuple[int, object]) -> int:
    return pair[0]


def agreed_length(text: str, quote: str) -> int:
    """The length of the quote's longest beginning found in the text: a binary search, since
    every beginning of a found beginning is found too. Costs about log2(len(quote)) scans of the
    text, so a load asks it for a few missing quotes only (_hints)."""
    found, missing = 0, len(quote)
    while found < missing:
        middle = (found + missing + 1) // 2
        if quote[:middle] in text:
            found = middle
        else:
            missing = middle - 1
    return found


def _hints(text: str) -> int:
    """How many missing quotes of one stored text are told where they stop agreeing with it:
    QUOTE_HINTS for an article, fewer for a long text (one for 16 MiB)."""
    return max(1, min(QUOTE_HINTS, QUOTE_HINT_CHARS // max(1, len(text))))
