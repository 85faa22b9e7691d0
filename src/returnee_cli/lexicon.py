"""How reporting words a figure's bound, declared once: the qualifiers, the words that state
each one in a sentence, the symbol a terminal shows and the words prose uses. `validate` reads
it to hold a fact's qualifier to its quote (both ways), the renderers to show the figure, and
`returnees draft` to propose a qualifier. English and Chinese reporting alike: 超过70%, 70%以上,
58万人, 1.2亿元, 百分之三十六 (Chinese is written without spaces, so a Chinese phrase needs no word
boundary, and a Chinese character next to a figure does not make it part of a word). Pure: no I/O.

Matching is case-insensitive, and curly and straight quotes count alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # decimal is imported where a figure is read: the warm path never reads one
    from decimal import Decimal

EXACT = "exact"
MORE_THAN = "more_than"
AT_LEAST = "at_least"
LESS_THAN = "less_than"
AT_MOST = "at_most"
ABOUT = "about"
RANGE = "range"

QUALIFIERS = (EXACT, MORE_THAN, AT_LEAST, LESS_THAN, AT_MOST, ABOUT, RANGE)
LOWER_BOUNDS = (MORE_THAN, AT_LEAST)  # the true value is above the figure
UPPER_BOUNDS = (LESS_THAN, AT_MOST)  # the true value is below it

# The words just before a figure that state its bound. Longer phrases are tried first, so that
# "no more than 15%" is at_most, never more_than.
WORDING: dict[str, tuple[str, ...]] = {
    MORE_THAN: ("over", "more than", "above", "exceeds", "exceeding", "in excess of"),
    AT_LEAST: ("at least", "no fewer than", "no less than", "not less than", "a minimum of"),
    LESS_THAN: ("less than", "under", "below", "fewer than"),
    AT_MOST: ("up to", "at most", "no more than", "not more than", "a maximum of"),
    ABOUT: ("about", "around", "roughly", "approximately", "some", "nearly", "almost"),
}
# The same in Chinese reporting, before the figure (超过70%, 不超过15%, 约30%).
WORDING_ZH: dict[str, tuple[str, ...]] = {
    MORE_THAN: ("超过", "逾", "多于", "高于"),
    AT_LEAST: ("至少", "不少于", "不低于"),
    LESS_THAN: ("不到", "不足", "低于", "少于"),
    AT_MOST: ("最多", "不超过", "至多", "不高于"),
    ABOUT: ("约", "大约", "近", "将近", "接近"),
}
# Chinese wording after the figure (and its %, 万 or 亿): 70%以上, 30%左右, 300余人, 300多家.
AFTER_ZH: dict[str, str] = {
    "以上": MORE_THAN,
    "以下": LESS_THAN,
    "左右": ABOUT,
    "余": MORE_THAN,
    "多": MORE_THAN,
}
# Words of `about` that put the true value just under the figure: "nearly 30%" is below 30.
JUST_UNDER = ("nearly", "almost", "近", "将近", "接近")

# How a terminal shows the bound before the figure, and how prose says it.
SYMBOL = {EXACT: "", MORE_THAN: ">", AT_LEAST: "≥", LESS_THAN: "<", AT_MOST: "≤", ABOUT: "≈"}
WORDS = {
    EXACT: "",
    MORE_THAN: "more than",
    AT_LEAST: "at least",
    LESS_THAN: "less than",
    AT_MOST: "at most",
    ABOUT: "about",
}
RANGE_DASH = "–"  # 20–30%
MEANING = {
    EXACT: "an exact figure",
    MORE_THAN: "a lower bound",
    AT_LEAST: "a lower bound",
    LESS_THAN: "an upper bound",
    AT_MOST: "an upper bound",
    ABOUT: "an approximation",
    RANGE: "a range",
}

# One phrase of any qualifier, as the last words before a figure ("over 70%", "nearly 30 per").
_PHRASES = sorted(
    (
        (phrase, qualifier)
        for wording in (WORDING, WORDING_ZH)
        for qualifier, phrases in wording.items()
        for phrase in phrases
    ),
    key=lambda pair: -len(pair[0]),
)


def _word(phrase: str) -> str:
    """A phrase as a pattern: an English one starts at a word boundary; Chinese is written
    without spaces, so a Chinese one starts anywhere (有超过70%)."""
    return (r"\b" if phrase.isascii() else "") + re.escape(phrase)


# The patterns are compiled on first use (re keeps them): a start that never reads a quote, as
# every warm one, does not pay for them.
_BEFORE = r"(" + "|".join(_word(phrase) for phrase, _ in _PHRASES) + r")\s*$"
_QUALIFIER_OF = dict(_PHRASES)
_LONGEST_PHRASE = max(len(phrase) for phrase, _ in _PHRASES)
_phrase_ends: frozenset[str] | None = None


def _ends_of_phrases() -> frozenset[str]:
    """The ASCII characters a phrase can end with, as the pattern matches them (any case): asked
    of re itself, so that the two cannot disagree; worked out on first use (a start that reads no
    quote never pays for it). No phrase ends with whitespace."""
    global _phrase_ends
    if _phrase_ends is None:
        ends = {phrase[-1] for phrase, _ in _PHRASES}
        assert not any(end.isspace() for end in ends)
        _phrase_ends = frozenset(
            char
            for char in map(chr, range(128))
            if any(re.fullmatch(re.escape(end), char, re.IGNORECASE) for end in ends)
        )
    return _phrase_ends


# (after the unit, if any: 1.2亿元左右, 300人以上)
_AFTER = (
    r"\s*[%％]?\s*(?:美元|[人名位家元个])?\s*("
    + "|".join(sorted(AFTER_ZH, key=len, reverse=True))
    + ")"
)
# Between the two ends of a range: "between 20 and 30", "20 to 30", "from 20% to 30%", "20–30",
# and in Chinese 20%至30%, 20到30, 20%～30%, (在)20%和30%(之间).
_RANGE_JOIN = r"^\s*[%％]?\s*(?:and|to|–|—|-|至|到|~|～|和|与)\s*$"
# Words just before a list that make its items a few examples, not all of them.
EXAMPLE_CUES = (
    "such as",
    "like",
    "include",
    "includes",
    "including",
    "among them",
    "e.g.",
    "for example",
    "for instance",
    "包括",
    "例如",
    "比如",
    "诸如",
    "如",
    "像",
)
_EXAMPLES = (
    r"("
    + "|".join(_word(cue) for cue in sorted(EXAMPLE_CUES, key=len, reverse=True))
    + r")\s*[:,：，]?\s*$"
)
_CURLY = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def straight(text: str) -> str:
    """Curly quotes made straight; the text itself where it has none (str.translate walks every
    character in Python's slow path, a cold load's quotes 400,000 times)."""
    if "‘" in text or "’" in text or "“" in text or "”" in text:
        return text.translate(_CURLY)
    return text


# A letter or digit that makes a figure part of a longer word: Chinese characters do not (Chinese
# is written without spaces: 有58万人), Latin letters and digits do.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_GLUED = rf"[^\W{_CJK}]"
# Chinese numerals, as in 百分之三十六 and 百分之二十点五.
CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
CHINESE_DIGITS.update({"七": 7, "八": 8, "九": 9})
CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
MULTIPLIERS = {"万": 10_000, "亿": 100_000_000, "万亿": 1_000_000_000_000}
_MULTIPLIER_ENDS = frozenset(suffix[-1] for suffix in MULTIPLIERS)
_NUMERALS = "零〇一二两三四五六七八九十百千"
# A figure as written: 300, 20.84, 1,234.5, 58万, 1.2亿, 百分之三十六; not the 80 of "post-80s",
# not a digit of a longer one.
FIGURE = (
    rf"(?<!{_GLUED}|[.,])(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?(?:万亿|万|亿)?"
    rf"(?!{_GLUED}|[.,]\d)"
    rf"|百分之[{_NUMERALS}]+(?:点[{_NUMERALS}]+)?"
)


@dataclass(frozen=True)
class Wording:
    """What the words before a figure in a sentence say of it."""

    qualifier: str  # exact when no bound is worded
    words: str  # the words as written ("" for exact)

    @property
    def just_under(self) -> bool:
        return self.words.casefold() in JUST_UNDER


def figure_value(written: str) -> Decimal:
    """The value of a figure as FIGURE finds it: '1,234.5' -> 1234.5, '58万' -> 580000,
    '1.2亿' -> 120000000, '百分之三十六' -> 36."""
    from decimal import Decimal

    if written.startswith("百分之"):
        whole, _, decimals = written.removeprefix("百分之").partition("点")
        value = Decimal(_chinese_whole(whole))
        if decimals:
            value += Decimal("0." + "".join(str(CHINESE_DIGITS.get(c, 0)) for c in decimals))
        return value
    if written[-1:] not in _MULTIPLIER_ENDS:  # the common case: digits, commas and a point
        return Decimal(written.replace(",", ""))
    for suffix in sorted(MULTIPLIERS, key=len, reverse=True):
        if written.endswith(suffix):
            number = Decimal(written.removesuffix(suffix).replace(",", ""))
            return number * MULTIPLIERS[suffix]
    return Decimal(written.replace(",", ""))


def _chinese_whole(text: str) -> int:
    """三十六 -> 36, 十二 -> 12, 一百零五 -> 105, 二五 -> 25 (digit by digit)."""
    if not any(c in CHINESE_UNITS for c in text):
        return int("".join(str(CHINESE_DIGITS.get(c, 0)) for c in text) or "0")
    total, digit = 0, None
    for char in text:
        if char in CHINESE_UNITS:
            total += (1 if digit is None else digit) * CHINESE_UNITS[char]
            digit = None
        else:
            digit = CHINESE_DIGITS.get(char, 0)
    return total + (digit or 0)


def wording_at(sentence: str, match: re.Match[str]) -> Wording:
    """The bound the words around a figure give it: before it (over 70%, 超过70%), or, in
    Chinese, after it (70%以上, 30%左右, 300余人)."""
    before = wording_before(sentence, match.start())
    if before.qualifier != EXACT:
        return before
    after = re.compile(_AFTER).match(sentence, match.end())
    if after is None:
        return before
    return Wording(AFTER_ZH[after.group(1)], after.group(1))


def wording_before(sentence: str, start: int) -> Wording:
    """The bound that the words just before position `start` of `sentence` give a figure."""
    # The phrase must end where only whitespace is left before `start`, so the search begins
    # no further back than the longest phrase before that: the same first match as a search
    # from 0 (\b still sees the character before), at a fraction of the cost for a long quote.
    end = start
    while end > 0 and sentence[end - 1].isspace():
        end -= 1
    if end == 0 or (sentence[end - 1].isascii() and sentence[end - 1] not in _ends_of_phrases()):
        return Wording(EXACT, "")  # no phrase ends there ("In Beijing, 36%"): most figures
    begin = max(0, end - _LONGEST_PHRASE)
    found = re.compile(_BEFORE, re.IGNORECASE).search(straight(sentence), begin, start)
    if found is None:
        return Wording(EXACT, "")
    return Wording(_QUALIFIER_OF[found.group(1).casefold()], found.group(1))


def joins_a_range(between: str) -> bool:
    """Whether the text between two figures makes them the ends of one range."""
    return bool(re.match(_RANGE_JOIN, between, re.IGNORECASE))


def phrases(qualifier: str) -> Iterator[str]:
    """The wording of a qualifier, for messages: “over”, “more than”, ..."""
    for phrase in WORDING.get(qualifier, ()):
        yield f"“{phrase}”"


def as_percentage(sentence: str, match: re.Match[str]) -> bool:
    """Whether a figure FIGURE found is written as a percentage: 35%, 35 ％, 35 percent,
    35 per cent, 百分之三十五; not the 35 of "under 35" (an age)."""
    if match.group().startswith("百分之"):
        return True
    return re.compile(_PERCENT_AFTER, re.IGNORECASE).match(sentence, match.end()) is not None


_PERCENT_AFTER = r"\s*(?:[%％]|per\s*cent\b)"


def figures_in(sentence: str, value: int | float) -> list[re.Match[str]]:
    """Where `value` is written in `sentence` (20.84 in "at 20.84%", 1234 in "1,234")."""
    from decimal import Decimal

    wanted = Decimal(str(value))
    return [
        match for match in re.finditer(FIGURE, sentence) if figure_value(match.group()) == wanted
    ]


def wordings_of(sentence: str, value: int | float) -> list[Wording]:
    """What the words before each place `value` is written in `sentence` say of it."""
    return [wording_at(sentence, match) for match in figures_in(sentence, value)]


def example_cue_before(sentence: str, start: int) -> str | None:
    """The words just before position `start` that make a list a few examples ("such as"), if
    any."""
    found = re.compile(_EXAMPLES, re.IGNORECASE).search(straight(sentence), 0, start)
    return found.group(1) if found else None
