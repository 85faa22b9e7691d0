"""Property-based: thousands of generated fact documents, valid and broken. The loader returns a
fact set or raises the project's own DataError, never anything else; valid documents load with
their figures as written."""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from returnee_cli import records
from returnee_cli.errors import DataError
from returnee_cli.fields import CITY_FIELDS, DERIVE_FIELDS, FACT_FIELDS, SOURCE_FIELDS
from returnee_cli.loading import load_factset, read_factset
from returnee_cli.model import NATIONWIDE_NAMES

SETTINGS = settings(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
NOTES = "notes.txt"


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


# --- valid documents ------------------------------------------------------------------------------

labels = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=30
).filter(str.strip)
shares = st.one_of(
    st.integers(0, 100), st.decimals(0, 100, places=2).map(lambda d: float(d.normalize()))
)


@st.composite
def valid_documents(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """A document every rule accepts, and the stored text its quotes come from."""
    sources = [
        {
            "id": f"s{i}",
            "title": draw(labels),
            "publisher": draw(labels),
            "date": draw(st.sampled_from(["2025", "2025-04", "2025-04-01"])),
            "kind": draw(st.sampled_from(["primary", "secondary"])),
            **({"text": NOTES} if draw(st.booleans()) else {}),
        }
        for i in range(draw(st.integers(1, 2)))
    ]
    # a city may not be called by a name of the whole country (中国, China): that is refused
    names = labels.filter(lambda name: name.strip().casefold() not in NATIONWIDE_NAMES)
    cities = [{"slug": f"c{i}", "name": draw(names)} for i in range(draw(st.integers(0, 2)))]
    facts: list[dict[str, Any]] = []
    sentences = []
    for i in range(draw(st.integers(0, 6))):
        value = draw(shares)
        more_than = draw(st.booleans()) and value < 100  # over 100% is refused
        sample = draw(st.sampled_from([100, 300, 1000])) if isinstance(value, int) else None
        quote = f"In case {i}, {'over ' if more_than else ''}{value}% said yes."
        sentences.append(quote)
        source = draw(st.sampled_from(sources))["id"]
        fact = {
            "id": f"f{i}",
            "topic": "t",
            "label": f"{draw(labels)} {i}",  # one city and topic never share a label
            "value": value,
            "unit": "percent",
            "population": "people asked",
            "qualifier": "more_than" if more_than else "exact",
            "source": source,
            "reported_in": source,
            "quote": quote,
        }
        in_a_city = draw(st.booleans())
        if cities and in_a_city:
            fact["city"] = draw(st.sampled_from(cities))["slug"]
        if sample:
            fact["sample_size"] = sample
        facts.append(fact)
        if sample and draw(st.booleans()):
            facts.append(
                {
                    "id": f"f{i}-count",
                    "topic": "t",
                    "label": f"count {i}",
                    "unit": "people",
                    "source": source,
                    "reported_in": source,
                    "derive": {"formula": "share_of_sample", "from": [f"f{i}"]},
                }
            )
    document = {"sources": sources, "cities": cities, "facts": facts}
    return document, "# a note, not the document\n" + "\n".join(sentences) + "\n"


def dump(document: Any) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def write(folder: Path, text: str | bytes, notes: str = "") -> Path:
    (folder / NOTES).write_text(notes, encoding="utf-8")
    path = folder / "pack.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


@settings(SETTINGS, max_examples=400)
@given(valid_documents())
def test_valid_documents_load_with_their_figures_as_written(
    folder: Path, generated: tuple[dict[str, Any], str]
) -> None:
    document, notes = generated
    factset = load_factset([write(folder, dump(document), notes)])
    for fact in document["facts"]:
        loaded = factset.by_id[fact["id"]]
        if "value" in fact:
            assert Decimal(str(loaded.value)) == Decimal(str(fact["value"]))
            assert loaded.qualifier == fact["qualifier"]
        else:
            share = factset.by_id[fact["derive"]["from"][0]]
            assert loaded.derived and loaded.value is not None and share.sample_size
            assert share.value is not None
            people = Decimal(str(share.value)) * share.sample_size / 100
            if share.qualifier == "more_than":  # over 70% of 300: at least 211
                assert (loaded.qualifier, loaded.value) == ("at_least", math.floor(people) + 1)
            else:  # the count as computed, and an interval of whole numbers around it
                assert abs(Decimal(str(loaded.value)) - people) <= Decimal("0.5")
                assert loaded.low is not None and loaded.high is not None
                assert loaded.low <= loaded.value <= loaded.high
                assert loaded.qualifier == ("exact" if loaded.low == loaded.high else "about")
    assert not read_factset([folder / "pack.yaml"]).errors


# --- broken documents -----------------------------------------------------------------------------

KEYS = sorted(
    {
        spec.name
        for specs in (SOURCE_FIELDS, CITY_FIELDS, FACT_FIELDS, DERIVE_FIELDS)
        for spec in specs
    }
    | {"sources", "cities", "facts", "valeu", "Value", "", "id "}
)
hostile_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**40, max_value=10**400),
    st.floats(),
    st.text(max_size=40),
    st.dates(),
    st.datetimes(),
    st.sampled_from(
        [
            "yes",
            "no",
            "on",
            "012",
            "0x1F",
            "1e3",
            ".inf",
            "12.5%",
            "2025-01-01",
            "percent",
            "people",
            "exact",
            "more_than",
            "remainder",
            "share_of_sample",
            "s0",
            "f0",
            "f1",
            "c0",
            "notes.txt",
            "../notes.txt",
            "/dev/zero",
            "-1",
            "101",
            "\x1b[31m",
            "[b]x[/b]",
            "  ",
            "over 50% said yes",
        ]
    ),
)
anything = st.recursive(
    hostile_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def broken_documents(draw: st.DrawFn) -> tuple[Any, str]:
    """A valid document with a few things done to it: keys renamed, dropped or added, values
    replaced by anything or by a plausible slip (which the consistency checks must catch),
    records duplicated, or the whole replaced."""
    document, notes = draw(valid_documents())
    records_ = [r for key in ("sources", "cities", "facts") for r in document[key]]
    slips = st.one_of(
        st.tuples(st.just("value"), shares),
        st.tuples(st.just("qualifier"), st.sampled_from(["exact", "more_than"])),
        st.tuples(st.just("breakdown"), st.just("b")),
        st.tuples(st.just("population"), st.sampled_from(["p", "q"])),
        st.tuples(st.just("sample_size"), st.integers(1, 1000)),
        st.tuples(st.just("quote"), st.sampled_from(notes.splitlines())),
    )
    for _ in range(draw(st.integers(1, 4))):
        action = draw(
            st.sampled_from(["set", "drop", "rename", "duplicate", "section", "slip", "slip"])
        )
        if action == "section":
            document[draw(st.sampled_from(["sources", "cities", "facts", "junk"]))] = draw(anything)
            continue
        if not records_:
            continue
        record = draw(st.sampled_from(records_))
        if action == "set":
            record[draw(st.sampled_from(KEYS))] = draw(anything)
        elif action == "slip" and "topic" in record:  # a fact
            key, value = draw(slips)
            record[key] = value
        elif action == "drop" and record:
            record.pop(draw(st.sampled_from(sorted(record))))
        elif action == "rename" and record:
            key = draw(st.sampled_from(sorted(record)))
            record[draw(st.sampled_from(KEYS))] = record.pop(key)
        elif action == "duplicate" and isinstance(document["facts"], list):
            document["facts"].append(dict(record))  # a duplicate id, or a source among facts
    return (draw(anything) if draw(st.integers(0, 9)) == 0 else document), notes


@st.composite
def mangled_text(draw: st.DrawFn) -> tuple[str, str]:
    """A dumped document, sometimes cut short or with text spliced in."""
    document, notes = draw(broken_documents())
    text = dump(document)
    cut = draw(st.integers(0, len(text)))
    edit = draw(st.sampled_from(["none", "none", "truncate", "splice"]))
    if edit == "truncate":
        text = text[:cut]
    elif edit == "splice":
        text = (
            text[:cut]
            + draw(
                st.sampled_from(
                    [
                        "&a ",
                        "*a",
                        "!!python/object:os.system ",
                        "[[[[",
                        "{",
                        "'",
                        '"',
                        ": ",
                        "\n- ",
                        "\t",
                        "\x00",
                        "\ufeff",
                        "---\n",
                        "%YAML 1.1\n",
                        "? ",
                        "<<: *a\n",
                        "\\",
                    ]
                )
            )
            + text[cut:]
        )
    return text, notes


def loads_or_refuses(path: Path) -> None:
    """The property: a fact set whose records are plain JSON, or DataError; nothing else."""
    try:
        factset = load_factset([path])
    except DataError as error:
        assert error.problems and all(str(problem) for problem in error.problems)
        event(f"refused: {error.problems[0].code}")  # --hypothesis-show-statistics shows the mix
        return
    event("loaded")
    data = [records.fact_record(fact, factset) for fact in factset.facts]
    json.dumps(data, allow_nan=False)  # only str, numbers, lists, None: no dates, no infinity


@settings(SETTINGS, max_examples=1000)
@given(mangled_text())
def test_broken_documents_load_or_raise_data_error(
    folder: Path, generated: tuple[str, str]
) -> None:
    text, notes = generated
    loads_or_refuses(write(folder, text, notes))


@settings(SETTINGS, max_examples=500)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_any_bytes_load_or_raise_data_error(folder: Path, content: bytes) -> None:
    loads_or_refuses(write(folder, content))
