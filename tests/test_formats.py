"""The fast JSON writer is the json module's output, byte for byte (but for the escapes that keep
a terminal safe); CSV reads back as the cells written, whatever they hold."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from returnee_cli.formats import _pretty, csv_chunks, json_chunks, jsonl_chunks
from returnee_cli.untrusted import json_safe

from .test_untrusted import DANGER

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
    assert streamed == json_safe(json.dumps(records, ensure_ascii=False, indent=2)) + "\n"
    assert json.loads(streamed) == records  # exact data: the escapes decode to the same text
    lines = "".join(jsonl_chunks(records, None))
    assert [json.loads(line) for line in lines.splitlines()] == records
    assert not DANGER.search(streamed.replace("\n", "") + lines.replace("\n", ""))


TEXT_CELLS = st.lists(st.text(alphabet=st.characters(exclude_categories=["Cs"])), max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT_CELLS.filter(lambda row: len(row) == 3), min_size=1, max_size=5))
def test_csv_reads_back_as_the_text_written(rows: list[list[str]]) -> None:
    """Commas, quotes, newlines and a lone carriage return (which the csv module leaves bare
    with a newline line end) included."""
    records = [dict(zip("abc", row, strict=True)) for row in rows]
    written = "".join(csv_chunks(records, ["a", "b", "c"], guard=False))
    assert list(csv.reader(io.StringIO(written, newline=""))) == [["a", "b", "c"], *rows]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(st.text(max_size=5), SCALARS | st.lists(SCALARS)), max_size=3))
def test_yaml_reads_back_as_the_records_written(records: list[dict[str, Any]]) -> None:
    """Line breaks of every kind included (PyYAML folds a NEL or U+2028 written in single
    quotes into a space)."""
    import yaml

    from returnee_cli.formats import yaml_text

    assert yaml.safe_load(yaml_text(records)) == records
