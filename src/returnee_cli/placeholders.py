"""The mark of a value a person must still write, in a fact file `returnees draft` made:
`"<to fill in: what to write>"`. The loader (parsing.py) names each one as to fill in, with its
line, instead of reading it as a value; the drafting rules write them. Pure: no I/O."""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"<to fill in\b[^\n]*>", re.IGNORECASE)
# What the loader puts in a placeholder's stead, so that the rest of the record is still checked
# (its quote, its figure) without a second message for the same key: a slug, a date, and for a
# choice the first choice. Text keeps the placeholder itself (unique per fact: no label clash).
STAND_IN = {"slug": "to-fill-in", "date": "1970"}


def placeholder(hint: str) -> str:
    return f"<to fill in: {hint}>"


def is_placeholder(text: str) -> bool:
    return bool(_PLACEHOLDER.fullmatch(text.strip()))
