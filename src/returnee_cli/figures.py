"""How a figure reads: its value, its bound, its unit, and the interval it allows. Shared by
tables, charts and citations; the wording of each bound is the lexicon's."""

from __future__ import annotations

from returnee_cli import lexicon
from returnee_cli.model import Fact

UNIT_SUFFIX = {"percent": "%"}
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
    """The values the figure allows, where that says more than the figure: '28.505–28.815%',
    '107–109 people', 'more than 70% (to 100%)'; '' for an exact stated figure or none."""
    if fact.value is None or fact.low is None:
        return ""
    if fact.qualifier == lexicon.EXACT and not fact.derived:
        return ""
    if fact.high is None:
        return f"{_with_unit(number_text(fact.low), fact.unit)} or more"
    if fact.low == fact.high:
        return _with_unit(number_text(fact.low), fact.unit)
    span = f"{number_text(fact.low)}{lexicon.RANGE_DASH}{number_text(fact.high)}"
    return _with_unit(span, fact.unit)


def plural(count: int, noun: str) -> str:
    """'1 fact', '2 facts'."""
    return f"{number_text(count)} {noun}{'' if count == 1 else 's'}"
