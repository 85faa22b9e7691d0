"""The one guard between an untrusted string and a person: text from a fact pack, an argument,
the environment or a path, on its way to a terminal, a message or a file meant for people.

Every character that could drive a terminal or make text read other than it is becomes a
visible escape (`\\x1b`, `\\u202e`), so nothing is lost that would mislead: C0 and C1 controls
(ESC, BEL, the one-byte CSI \\x9b), DEL, bidirectional overrides, embeddings and isolates,
zero-width characters, tag characters (invisible letters), line and paragraph separators,
noncharacters (U+FFFE) and lone surrogates (undecodable bytes of an argument). Tabs and newlines
become spaces, unless the text is meant to keep its lines. CSV and the other data formats carry
the data as it is: their readers are programs, and each format escapes for its own. JSON, which
is often read on a terminal, writes those characters as its own \\u escapes (json_safe).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time (3 ms)
if TYPE_CHECKING:
    import re

_PLANES = "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(1, 17))
_UNSAFE_CLASS = (
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # controls, but tab and newline
    "\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"  # bidi, zero-width, separators
    "\U000e0000-\U000e007f"  # tags: invisible letters that can smuggle a hidden text
    "\ufdd0-\ufdef\ufff9-\ufffb\ufffe\uffff" + _PLANES + "\ud800-\udfff]"  # noncharacters
    # (those of every plane), interlinear annotations, lone surrogates
)
_BREAKS = r"[\t\n]"
# The characters of the class that ASCII holds: a text all ASCII (as most JSON is) is searched for
# these alone, about 25 times faster than for the whole set (2.4 MB of JSON: 6 ms, not 150).
_UNSAFE_ASCII = "[\x00-\x08\x0b-\x1f\x7f]"
_compiled: dict[str, re.Pattern[str]] = {}


def _pattern(source: str) -> re.Pattern[str]:
    """A pattern, compiled the first time a text needs it: re itself (with enum, about 3 ms) and
    the whole class (half a millisecond) are for the start that shows such a text, not every
    start (a warm --json answer has none to escape)."""
    pattern = _compiled.get(source)
    if pattern is None:
        import re

        pattern = _compiled[source] = re.compile(source)
    return pattern


def _unsafe() -> re.Pattern[str]:
    return _pattern(_UNSAFE_CLASS)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # JSON writes a character beyond the BMP as its surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 | code >> 10:04x}\\u{0xDC00 | code & 0x3FF:04x}"
    return f"\\u{code:04x}"


def json_safe(text: str) -> str:
    """JSON text with every character that could drive a terminal written as its \\u escape.
    Outside strings JSON holds only ASCII, so this changes no value: a reader decodes exactly the
    data (JSON stays exact), and `returnees ... --json` on a terminal draws no control (the json
    module escapes C0 controls itself, but passes C1 controls, bidi marks and the like)."""
    # Every character of the class is unprintable (a control, a format character, a line or
    # paragraph separator, a surrogate, or unassigned: tests/test_untrusted.py checks them all),
    # so a text that is printable once its newlines are left aside has none to escape.
    if text.replace("\n", " ").isprintable():
        return text
    return (_pattern(_UNSAFE_ASCII) if text.isascii() else _unsafe()).sub(_json_escape, text)


def neutralise(text: str, *, lines: bool = False) -> str:
    """`text` safe to show: every dangerous character as a visible escape; on one line unless
    `lines` (then newlines stay and tabs are kept too)."""
    safe = (_pattern(_UNSAFE_ASCII) if text.isascii() else _unsafe()).sub(_visible, text)
    return safe if lines else _pattern(_BREAKS).sub(" ", safe)
