"""A text -> its sentences, each with the line it starts on: what `draft` quotes and `coverage`
reads. English and Chinese alike. Pure: no I/O.

- A paragraph ends at a blank line; a heading or a caption is a paragraph of its own.
- A line that starts with list numbering (`1.`, `(2)`, `3、`, `- `) is a paragraph of its own,
  with the indented lines after it.
- Lines starting with `#` are notes about the file, not the text (as in a stored text).
- An English sentence ends at . ! or ? followed by a space and a capital, a digit or an opening
  quote, unless the word before the dot is an abbreviation (Mr., No., e.g.); a Chinese one ends
  at 。！？ (and the closing quotes after them), with or without a space.
- Runs of whitespace become one space: a quote is the sentence as the text writes it, and the
  quote check (checks.normalise) compares spacing as one space too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBERED = re.compile(r"^\s*(?:\d{1,3}[.)、．]|[(（]\d{1,3}[)）]|[-*•·])\s*")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof no nos vs e.g i.e co inc ltd st fig approx dept est jr sr u.s".split()
)
# An English end: . ! ? (and closing quotes), then whitespace, then something that opens a sentence.
_ENGLISH_END = re.compile(r"[.!?][”’\"')\]]*(?=\s+[A-Z0-9“‘\"'(\[\u3400-\u9fff])")
_CHINESE_END = re.compile(r"[。！？!?][”’」』）)]*")


@dataclass(frozen=True)
class Sentence:
    text: str  # whitespace made one space
    line: int  # the line of the text it starts on (1-based)


def split_sentences(text: str, chinese: bool = True) -> list[Sentence]:
    """Every sentence of `text`, in order. `chinese`: also end sentences at 。！？."""
    found: list[Sentence] = []
    for body, starts in _paragraphs(text):
        found.extend(_split(body, starts, chinese))
    return found


def _paragraphs(text: str) -> list[tuple[str, list[tuple[int, int]]]]:
    """(paragraph, [(offset in it, line)]) pairs: blank lines and numbered lines start new
    paragraphs; notes left out."""
    paragraphs: list[tuple[str, list[tuple[int, int]]]] = []
    pieces: list[str] = []
    starts: list[tuple[int, int]] = []
    offset = 0

    def close() -> None:
        nonlocal offset
        if pieces:
            paragraphs.append((" ".join(pieces), list(starts)))
        pieces.clear()
        starts.clear()
        offset = 0

    in_item = False  # a numbered line goes on only on indented lines
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("#") or not raw.strip():
            close()
            continue
        numbered = bool(_NUMBERED.match(raw))
        if numbered or (in_item and not raw[:1].isspace()):
            close()
        in_item = numbered or (in_item and raw[:1].isspace())
        starts.append((offset, number))
        piece = " ".join(raw.split())
        pieces.append(piece)
        offset += len(piece) + 1
    close()
    return paragraphs


def _line_at(starts: list[tuple[int, int]], offset: int) -> int:
    return max(line for begin, line in starts if begin <= offset)


def _split(body: str, starts: list[tuple[int, int]], chinese: bool) -> list[Sentence]:
    ends = {m.end() for m in _ENGLISH_END.finditer(body) if not _abbreviated(body, m.start())}
    if chinese:
        ends |= {m.end() for m in _CHINESE_END.finditer(body)}
    numbering = _NUMBERED.match(body)
    if numbering:  # "1. Talent": the numbering's dot ends no sentence
        ends = {end for end in ends if end > numbering.end()}
    sentences: list[Sentence] = []
    begin = 0
    for end in sorted(ends):
        piece = body[begin:end].strip()
        if piece:
            sentences.append(Sentence(piece, _line_at(starts, begin + _lead(body, begin))))
        begin = end
    rest = body[begin:].strip()
    if rest:
        sentences.append(Sentence(rest, _line_at(starts, begin + _lead(body, begin))))
    return sentences


def _lead(body: str, begin: int) -> int:
    """The spaces at `begin` before the sentence's first character."""
    return len(body[begin:]) - len(body[begin:].lstrip())


def _abbreviated(body: str, dot: int) -> bool:
    """Whether the dot at `dot` ends an abbreviation (No. 1, Mr. Wang, e.g. AI), not a sentence."""
    if body[dot] != ".":
        return False
    word = re.search(r"([A-Za-z][A-Za-z.]*)$", body[:dot])
    return word is not None and word.group(1).casefold() in _ABBREVIATIONS
