"""JSON text as returnees writes it: json.dumps(value, indent=2, ensure_ascii=False), byte for
byte, several times faster, and safe on a terminal (untrusted.json_safe). Only json's C encoder
and the sanitizer: the warm answers (warm.py) write JSON without importing formats.py, nor the
json package (a millisecond of their start)."""

from __future__ import annotations

from _json import encode_basestring as _string  # json's C string encoder, ensure_ascii=False

from returnee_cli.untrusted import json_safe

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time (3 ms)
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any

BATCH = 500  # records a chunk: large results stream, small ones are one write
_INFINITE = (float("-inf"), float("inf"))


def dumps(value: Any, indent: int | None = None) -> str:
    import json  # the package, with its decoder: not for what pretty writes itself

    return json.dumps(value, ensure_ascii=False, indent=indent)


class Written(str):
    """A value's JSON text, written by `pretty` at the indent where it is put: a record many
    others embed (a fact's source) is written once, not once for each."""


def pretty(value: Any, indent: str) -> str:
    """json.dumps(value, indent=2, ensure_ascii=False), byte for byte, for the plain values of a
    record (str, int, float, bool, None, list, dict), several times faster: with an indent, the
    json module encodes in Python; here each string goes through its C encoder."""
    if isinstance(value, str):
        return value if type(value) is Written else str(_string(value))
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):  # as json writes a float: its repr, but NaN and the infinities
        return float.__repr__(value) if value == value and value not in _INFINITE else dumps(value)
    if isinstance(value, int):
        return int.__repr__(value)
    inner = indent + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = ",\n".join(
            f"{inner}{_string(str(key))}: {pretty(item, inner)}" for key, item in value.items()
        )
        return f"{{\n{items}\n{indent}}}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        items = ",\n".join(inner + pretty(item, inner) for item in value)
        return f"[\n{items}\n{indent}]"
    return dumps(value)  # anything else: let the json module decide (or refuse)


def array_chunks(records: Iterable[Any]) -> Iterator[str]:
    """A JSON array of the records, byte for byte what json.dumps(list, indent=2) gives and a
    newline, written as it goes."""
    opened = False
    batch: list[str] = []
    for record in records:
        batch.append(("[\n  " if not opened else ",\n  ") + pretty(record, "  "))
        opened = True
        if len(batch) >= BATCH:
            yield json_safe("".join(batch))
            batch = []
    batch.append("\n]\n" if opened else "[]\n")
    yield json_safe("".join(batch))
