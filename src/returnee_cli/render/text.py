"""Text from fact files is data: strip what could drive a terminal, and never read it as markup."""

from __future__ import annotations

import re

from rich.text import Text

# ANSI escape sequences (CSI, OSC, and two-character escapes), then any other control character,
# and the invisible bidirectional controls that can make a label read other than it is.
_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[\t\n]+")


def clean(text: str) -> str:
    """The text with escape sequences and control characters removed, on one line."""
    return _SPACES.sub(" ", _CONTROLS.sub("", _ESCAPES.sub("", text)))


def data_text(text: str | None, style: str = "") -> Text:
    """Fact-file text as a Rich Text: `[b]` prints as written, escapes never reach the terminal."""
    return Text(clean(text or ""), style=style)
