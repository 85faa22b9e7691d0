"""The JSON writer of every --json answer (jsontext.py) and the terminal guard's shortcuts
(untrusted.py): the same bytes as the json module and the full character class, faster."""

from __future__ import annotations

import json
import re
import sys
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from returnee_cli import jsontext, slices, untrusted

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and the infinities too: json writes NaN, Infinity, -Infinity
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=20,
)


@given(JSON_VALUES)
@settings(max_examples=300)
def test_pretty_is_json_dumps_with_an_indent_of_two(value: object) -> None:
    assert jsontext.pretty(value, "") == json.dumps(value, ensure_ascii=False, indent=2)


@given(st.lists(st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=4), max_size=3))
def test_an_array_is_json_dumps_safe_on_a_terminal(records: list[dict[str, object]]) -> None:
    text = "".join(jsontext.array_chunks(records))
    assert text == untrusted.json_safe(json.dumps(records, ensure_ascii=False, indent=2)) + "\n"
    assert json.loads(text) == json.loads(json.dumps(records))


def test_every_character_the_guard_escapes_is_unprintable() -> None:
    """json_safe skips its pattern for a text printable but for newlines: sound only while every
    character of the class is unprintable in this Python's Unicode data."""
    pattern = re.compile(untrusted._UNSAFE_CLASS)
    caught = [chr(n) for n in range(sys.maxunicode + 1) if pattern.match(chr(n))]
    assert len(caught) > 2000
    assert [c for c in caught if c.isprintable()] == []


@given(st.text())
@settings(max_examples=300)
def test_json_safe_is_the_whole_class_substituted(text: str) -> None:
    expected = re.compile(untrusted._UNSAFE_CLASS).sub(untrusted._json_escape, text)
    assert untrusted.json_safe(text) == expected


@given(st.lists(st.text(), max_size=4))
def test_an_entry_name_is_json_written_without_the_json_package(names: list[str]) -> None:
    text = json.dumps([slices._SALT, names]).encode("utf-8")
    digest = f"{zlib.crc32(text):08x}{zlib.adler32(text):08x}{len(text):x}"
    assert slices.entry_name(names) == f"{slices.ENTRY_PREFIX}{digest}{slices.ENTRY_SUFFIX}"
