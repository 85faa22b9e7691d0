"""The interval of the true value a figure allows, from how it was stated; and the intervals of
figures computed from others. Decimal arithmetic throughout: 100 − 71.34 is 28.66, not
28.659999999999997. Pure: no I/O.

The rules (docs/fact-format.md shows each with an example):
- exact: the figure stands for everything that rounds to it as written: 19.5 is 19.45 to 19.55,
  36% is 35.5% to 36.5%. A count stated as a whole number (300 respondents) is exactly that.
- more_than X: above X, up to the top; at_least X: X or above. less_than X: from the bottom up
  to X, X excluded; at_most X: up to X. The bottom is 0; the top is 100 for a percentage and
  unbounded (None) for a count.
- about X: within half a unit of X's last significant digit, and never closer than 5% of X
  (an "about" is looser than the same number stated bare): about 30 is 25 to 35, about 45 is
  42.75 to 47.25, about 2.5 is 2.375 to 2.625. "nearly" and "almost" X are just under X: from X
  less that margin up to X, X excluded (nearly 40 is 35 up to 40).
- range X–Y: X to Y.
- remainder of a breakdown: 100 less the parts, each part at either end of its interval.
- share of a sample: the whole numbers of people that the share's interval allows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from returnee_cli import lexicon

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Interval:
    low: Decimal | None  # None: no bound below is known (never for a figure: the bottom is 0)
    high: Decimal | None  # None: unbounded above (a count's top)

    @property
    def single(self) -> bool:
        return self.low is not None and self.low == self.high


def decimal(value: int | float) -> Decimal:
    return Decimal(str(value))


def number(value: Decimal) -> int | float:
    """A Decimal as the JSON number it is: 28.66, 260, never 260.0 or 28.659999."""
    return int(value) if value == value.to_integral_value() else float(value)


def shown(value: Decimal) -> str:
    """A Decimal as a person writes it: 28.66, 260, 0.5 (no exponent, no trailing zeros)."""
    return str(number(value))


def _half_unit(precision: int) -> Decimal:
    return Decimal(5).scaleb(-precision - 1)


def _significant_half_unit(value: Decimal, precision: int) -> Decimal:
    """Half a unit of the last significant digit: 30 -> 5, 36 -> 0.5, 2.5 -> 0.05, 0 -> 0.5."""
    if precision == 0 and value != 0:
        digits = str(abs(int(value)))
        trailing = len(digits) - len(digits.rstrip("0"))
        return Decimal(5).scaleb(trailing - 1)
    return _half_unit(precision)


def stated(
    value: int | float,
    qualifier: str,
    precision: int,
    *,
    percent: bool,
    high: int | float | None = None,
    just_under: bool = False,
) -> Interval:
    """The interval a stated figure allows (see the rules above)."""
    x = decimal(value)
    bottom, top = Decimal(0), (HUNDRED if percent else None)
    if qualifier == lexicon.RANGE and high is not None:
        return Interval(x, decimal(high))
    if qualifier in lexicon.LOWER_BOUNDS:
        return Interval(x, top)
    if qualifier in lexicon.UPPER_BOUNDS:
        return Interval(bottom, x)
    if qualifier == lexicon.ABOUT:
        half = max(_significant_half_unit(x, precision), x / 20)
        return _clip(Interval(x - half, x if just_under else x + half), bottom, top)
    if not percent and precision == 0:
        return Interval(x, x)  # a count stated as a whole number
    half = _half_unit(precision)
    return _clip(Interval(x - half, x + half), bottom, top)


def _clip(interval: Interval, bottom: Decimal, top: Decimal | None) -> Interval:
    low = max(interval.low, bottom) if interval.low is not None else bottom
    high = interval.high
    if high is not None and top is not None:
        high = min(high, top)
    return Interval(low, high)


@dataclass(frozen=True)
class Derived:
    """A computed figure: its value, the decimals it can carry, its qualifier and interval."""

    value: Decimal
    precision: int
    qualifier: str
    interval: Interval


def remainder(parts: Sequence[tuple[Decimal, int, Interval]]) -> Derived:
    """100 less the parts of a breakdown, each (value, precision, interval). The result carries
    no more decimals than its least precise part, and is exact only if its interval is a point."""
    total = sum((value for value, _, _ in parts), Decimal(0))
    precision = min((p for _, p, _ in parts), default=0)
    lows = [i.low for _, _, i in parts]
    highs = [i.high for _, _, i in parts]
    low = HUNDRED - sum((h for h in highs if h is not None), Decimal(0))
    high = HUNDRED - sum((x for x in lows if x is not None), Decimal(0))
    interval = Interval(max(low, Decimal(0)), high)
    value = (HUNDRED - total).quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)
    qualifier = lexicon.EXACT if interval.single else lexicon.ABOUT
    return Derived(value, precision, qualifier, interval)


def share_of_sample(share: Decimal, qualifier: str, interval: Interval, sample: int) -> Derived:
    """The number of people a share of a sample stands for: the whole numbers its interval allows
    (36% of 300 is 107 to 109: 35.5% to 36.5% of 300 is 106.5 to 109.5). One whole number is
    exact; an open share gives a bound (over 70% of 300: at least 211); otherwise about."""
    low = interval.low * sample / HUNDRED if interval.low is not None else None
    high = interval.high * sample / HUNDRED if interval.high is not None else None
    central = (share * sample / HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if qualifier in lexicon.LOWER_BOUNDS and low is not None:
        first = math.floor(low) + 1 if qualifier == lexicon.MORE_THAN else math.ceil(low)
        at_least = Decimal(first)
        return Derived(at_least, 0, lexicon.AT_LEAST, Interval(at_least, Decimal(sample)))
    if qualifier in lexicon.UPPER_BOUNDS and high is not None:
        last = math.ceil(high) - 1 if qualifier == lexicon.LESS_THAN else math.floor(high)
        at_most = Decimal(last)
        return Derived(at_most, 0, lexicon.AT_MOST, Interval(Decimal(0), at_most))
    assert low is not None and high is not None
    fewest, most = Decimal(math.ceil(low)), Decimal(math.floor(high))
    if fewest == most:
        return Derived(fewest, 0, lexicon.EXACT, Interval(fewest, fewest))
    return Derived(central, 0, lexicon.ABOUT, Interval(fewest, most))
