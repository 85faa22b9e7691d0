"""The fast JSON writer is the json module's output, byte for byte."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from returnee_cli.formats import _pretty, json_chunks

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=20
)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_pretty_is_json_dumps_with_indent_2(value: Any) -> None:
    assert _pretty(value, "") == json.dumps(value, ensure_ascii=False, indent=2)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.dictionaries(st.text(max_size=5), SCALARS | st.lists(SCALARS)), max_size=4))
def test_streamed_arrays_are_json_dumps_with_indent_2(records: list[dict[str, Any]]) -> None:
    streamed = "".join(json_chunks(records, None))
    assert streamed == json.dumps(records, ensure_ascii=False, indent=2) + "\n"
