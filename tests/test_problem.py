"""errors.Problem is a class of its own (importing dataclasses cost every start about 1 ms): it
must behave as the frozen dataclass it replaced, field by field: made, compared, hashed, shown
and refused as that one would be."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from returnee_cli.errors import ERROR, WARNING, Problem


@dataclasses.dataclass(frozen=True)
class AsDataclass:
    """The declaration Problem had."""

    file: str
    line: int | None
    message: str
    code: str = "invalid"
    key: str | None = None
    severity: str = ERROR


text = st.text(max_size=8)
arguments = st.tuples(
    text,
    st.none() | st.integers(min_value=0, max_value=10**6),
    text,
    text,
    st.none() | text,
    st.sampled_from([ERROR, WARNING]),
)


@given(arguments, arguments)
def test_a_problem_behaves_as_the_frozen_dataclass_it_was(
    first: tuple[str, int | None, str, str, str | None, str],
    second: tuple[str, int | None, str, str, str | None, str],
) -> None:
    one, other = Problem(*first), Problem(*second)
    assert (one == other) == (first == second)
    assert (one != other) == (first != second)
    assert hash(one) == hash(Problem(*first))
    shown = repr(AsDataclass(*first)).replace("AsDataclass(", "Problem(", 1)
    assert repr(one) == shown
    assert (one.file, one.line, one.message, one.code, one.key, one.severity) == first
    assert one.where == (f"{first[0]}:{first[1]}" if first[1] is not None else first[0])


def test_its_defaults_and_keywords_are_the_dataclasses() -> None:
    made = Problem("a.yaml", 3, "bad", key="value")
    assert made == Problem("a.yaml", 3, "bad", "invalid", "value", ERROR)
    assert made.report_line() == "a.yaml:3: error: bad [invalid]"
    assert str(Problem("a.yaml", None, "gone")) == "a.yaml: gone"
    assert made != AsDataclass("a.yaml", 3, "bad", key="value")  # another class: never equal
    assert len({made, Problem("a.yaml", 3, "bad", key="value")}) == 1


def test_a_problem_cannot_be_changed() -> None:
    made = Problem("a.yaml", 3, "bad")
    with pytest.raises(AttributeError):
        made.line = 4
    with pytest.raises(AttributeError):
        del made.message
    with pytest.raises(AttributeError):
        made.other = 1
    assert made.line == 3
