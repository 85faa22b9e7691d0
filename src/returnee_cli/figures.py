"""How a figure reads: its value, its bound, its unit, and the interval it allows. Shared by
tables, charts and citations; the wording of each bound is the lexicon's."""

from __future__ import annotations

from returnee_cli import lexicon

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (nor the model) at run time
if TYPE_CHECKING:
    from returnee_cli.model import Fact

UNIT_SUFFIX = {"percent": "%"}
NO_UPPER_LIMIT = "no upper limit stated"  # a count's lower bound: a count has no top
MAX_DECIMALS = 10  # shown; the loader refuses a figure that would show as another number


def number_text(value: int | float) -> str:
    """20.84 -> '20.84', 60 -> '60', 19.50 -> '19.5', 1234 -> '1,234'."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.{MAX_DECIMALS}f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


def _with_unit(number: str, unit: str | None) -> str:
    if unit in UNIT_SUFFIX:
        return f"{number}{UNIT_SUFFIX[unit]}"
    return f"{number} {unit}" if unit else number


def figure_text(fact: Fact) -> str:
    """The figure as it should be read: '20.84%', '>70%', '≈28.7%', '20–30%', '108 people'; ''
    when there is none."""
    if fact.value is None:
        return ""
    number = number_text(fact.value)
    if fact.qualifier == lexicon.RANGE and fact.high is not None:
        return _with_unit(f"{number}{lexicon.RANGE_DASH}{number_text(fact.high)}", fact.unit)
    return lexicon.SYMBOL.get(fact.qualifier or "", "") + _with_unit(number, fact.unit)


def figure_words(fact: Fact) -> str:
    """The figure in words, for prose: 'more than 70%', 'about 28.7%', '20.84%'."""
    if fact.value is None:
        return ""
    if fact.qualifier == lexicon.RANGE and fact.high is not None:
        return (
            f"between {number_text(fact.value)} and {_with_unit(number_text(fact.high), fact.unit)}"
        )
    words = lexicon.WORDS.get(fact.qualifier or "", "")
    plain = _with_unit(number_text(fact.value), fact.unit)
    return f"{words} {plain}" if words else plain


def interval_text(fact: Fact) -> str:
    """The values the figure allows, where that says more than the figure, in the figure's own
    bound: '28.505–28.815%', '107–109 people', 'over 70% to 100%' (70 itself excluded), '70–100%'
    (at least), '0% to under 20%', 'no upper limit stated' (a count's lower bound); '' for an
    exact or range figure as stated, or none."""
    if fact.value is None or fact.low is None:
        return ""
    if fact.qualifier in (lexicon.EXACT, lexicon.RANGE) and not fact.derived:
        return ""  # the figure as stated says it all: 20.84%, 20–30%
    if fact.high is None:
        return NO_UPPER_LIMIT
    low, high = number_text(fact.low), number_text(fact.high)
    if fact.low == fact.high:
        return _with_unit(low, fact.unit)
    if fact.qualifier == lexicon.MORE_THAN:
        return f"over {_with_unit(low, fact.unit)} to {_with_unit(high, fact.unit)}"
    if fact.qualifier == lexicon.LESS_THAN:
        start = low if fact.unit not in UNIT_SUFFIX else _with_unit(low, fact.unit)
        return f"{start} to under {_with_unit(high, fact.unit)}"
    return _with_unit(f"{low}{lexicon.RANGE_DASH}{high}", fact.unit)


def allowed_words(fact: Fact) -> str:
    """The figure, its kind of bound and the values it allows, in prose: 'more than 1,200 people:
    a lower bound, with no upper limit stated', 'less than 20%: an upper bound, down to 0%',
    'about 28.7%: an approximation, between 28.505 and 28.815%'; '' for an exact stated figure."""
    if fact.value is None or (fact.qualifier == lexicon.EXACT and not fact.derived):
        return ""
    said = lexicon.MEANING.get(fact.qualifier or "", "")
    words = f"{figure_words(fact)}: {said}" if fact.qualifier != lexicon.EXACT else ""
    if fact.low is None or fact.qualifier == lexicon.RANGE:
        tail = ""
    elif fact.high is None:
        tail = f"with {NO_UPPER_LIMIT}"
    elif fact.qualifier in lexicon.LOWER_BOUNDS:
        tail = f"up to {_with_unit(number_text(fact.high), fact.unit)}"
    elif fact.qualifier in lexicon.UPPER_BOUNDS:
        tail = f"down to {_with_unit(number_text(fact.low), fact.unit)}"
    elif fact.low == fact.high:
        tail = ""  # a derived figure that only one value allows: the figure says it
    else:
        ends = f"{number_text(fact.low)} and {_with_unit(number_text(fact.high), fact.unit)}"
        tail = f"between {ends}"
    return ", ".join(part for part in (words, tail) if part)


def plural(count: int, noun: str) -> str:
    """'1 fact', '2 facts'."""
    return f"{number_text(count)} {noun}{'' if count == 1 else 's'}"
