"""How a figure reads: its value, qualifier and unit. Shared by tables, charts and citations."""

from __future__ import annotations

from returnee_cli.model import Fact

UNIT_SUFFIX = {"percent": "%"}
LOWER_BOUND_MARK = ">"  # "over 70%" reads as >70%, never as 70%


def number_text(value: int | float) -> str:
    """20.84 -> '20.84', 60 -> '60', 19.50 -> '19.5', 1234 -> '1,234'."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.10f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


def figure_text(fact: Fact) -> str:
    """The figure as it should be read: '20.84%', '>70%', '108 people'; '' when there is none."""
    if fact.value is None:
        return ""
    mark = LOWER_BOUND_MARK if fact.qualifier == "more_than" else ""
    number = number_text(fact.value)
    if fact.unit in UNIT_SUFFIX:
        return f"{mark}{number}{UNIT_SUFFIX[fact.unit]}"
    unit = f" {fact.unit}" if fact.unit else ""
    return f"{mark}{number}{unit}"


def figure_words(fact: Fact) -> str:
    """The figure in words, for prose: 'more than 70%', '20.84%'."""
    if fact.value is None:
        return ""
    plain = figure_text(fact).removeprefix(LOWER_BOUND_MARK)
    return f"more than {plain}" if fact.qualifier == "more_than" else plain


def plural(count: int, noun: str) -> str:
    """'1 fact', '2 facts'."""
    return f"{number_text(count)} {noun}{'' if count == 1 else 's'}"
