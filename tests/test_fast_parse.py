"""The fast reader (records straight from the parser's events) gives exactly what the careful
reader gives for every file it accepts, and gives up on every file that has any problem, so that
each message still comes from the careful reader, with its file and line (parsing.py)."""

from __future__ import annotations

import glob
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from returnee_cli import parsing
from returnee_cli.parsing import read_fact_file
from returnee_cli.paths import builtin_facts_dir

BASE = """\
sources:
  - id: src
    title: A survey
    publisher: Someone
    date: "2025-01-01"
    kind: primary
    url: https://example.org/survey
    short_title: Survey
    described_in:
      - title: A report
        publisher: Another
        date: 2025-02
        url: https://example.org/report
  - id: other
    title: 'Another survey'
    publisher: Someone else
    date: 2024
    kind: secondary
    note: null
cities:
  - {slug: wuhan, name: Wuhan, name_zh: 武汉}
  - slug: xian
    name: Xi'an
facts:
  - id: wuhan-share
    city: wuhan
    topic: sectors
    label: A share
    value: 12.5
    unit: percent
    qualifier: about
    source: src
    reported_in: src
    quote: In Wuhan, about 12.5% work in this sector.
    population: workers in Wuhan
    sample_size: 400
    breakdown: sectors-wuhan
  - id: wuhan-range
    city: wuhan
    topic: sectors
    label: A range
    value: 20
    high: 30.50
    unit: percent
    qualifier: range
    source: src
    reported_in: other
    quote: "Between 20% and 30.50% do."
    population: workers in Wuhan
  - id: wuhan-list
    topic: reasons
    label: A list
    items: [family, career]
    list_kind: examples
    source: other
    reported_in: other
    quote: Reasons such as family and career.
  - id: wuhan-rest
    city: wuhan
    topic: sectors
    label: The rest
    derive:
      formula: remainder
      from:
        - wuhan-share
    source: src
    reported_in: src
"""

# What may stand in a value's place: every kind of scalar YAML resolves, and the shapes the
# careful reader refuses (a tag, an anchor, an alias, a placeholder, a list, a mapping).
ODD_VALUES = [
    "yes",
    "No",
    "null",
    "~",
    "",
    "1e3",
    "0x10",
    "0o17",
    "1_000",
    "12.50",
    "-3",
    "+4",
    ".inf",
    ".nan",
    "2025-02-30",
    "2025-13",
    "0000",
    "12:30",
    "'12.5'",
    '"yes"',
    "!!str wuhan",
    "!!int 3",
    "&anchor wuhan",
    "*anchor",
    "<to fill in: a label>",
    "'<to fill in: x>'",
    "[a, b]",
    "[]",
    "{a: 1}",
    "{}",
    "wuhan",
    "Wuhan City",
    "nationwide",
    "全国",
    "sectors",
    "https://example.org",
    "javascript:alert(1)",
    "exact",
    "more_than",
    "ranked",
    "|\n      x",
    "999999999999999999999",
    "1e23",
    "0.1234567",
    "a" * 50,
    "src",
    "other",
    "wuhan-share",
    "- x",
    "x: y",
    "'  '",
    "12%",
    "2025",
    "2025-02-28",
    "null # note",
]

LINES = BASE.splitlines()


def _same(path: Path) -> None:
    fast = read_fact_file(path)
    careful = read_fact_file(path, fast=False)
    assert fast == careful


@settings(max_examples=500, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(LINES) - 1),
            st.sampled_from(["value", "key", "drop", "copy", "indent", "insert"]),
            st.sampled_from(ODD_VALUES),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_a_changed_file_reads_the_same_either_way(tmp_path: Path, edits) -> None:  # type: ignore[no-untyped-def]
    lines = list(LINES)
    for index, how, odd in edits:
        index %= len(lines)
        line = lines[index]
        head, colon, _ = line.partition(":")
        if how == "value" and colon:
            lines[index] = f"{head}: {odd}"
        elif how == "key" and colon:
            lines[index] = f"{head[: len(head) - len(head.lstrip(' -'))]}{odd}: x"
        elif how == "drop":
            del lines[index]
        elif how == "copy":
            lines.insert(index, line)
        elif how == "indent":
            lines[index] = "  " + line
        elif how == "insert":
            lines.insert(index, odd)
        if not lines:
            lines = ["facts:"]
    path = tmp_path / "pack.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _same(path)


def test_the_base_file_is_read_fast(tmp_path: Path) -> None:
    path = tmp_path / "pack.yaml"
    path.write_text(BASE, encoding="utf-8")
    content = parsing._fast_read(path, str(path), BASE)
    assert content is not None
    assert [raw.values["id"] for raw in content.facts][:2] == ["wuhan-share", "wuhan-range"]
    assert content.facts[1].decimals == {"value": 0, "high": 2}
    _same(path)


def test_the_built_in_files_are_read_fast() -> None:
    """A slip in a validator that gave up on valid files would only cost time: held here."""
    for name in sorted(glob.glob(str(builtin_facts_dir() / "**" / "*.yaml"), recursive=True)):
        path = Path(name)
        text = path.read_text(encoding="utf-8")
        assert parsing._fast_read(path, name, text) is not None, name
        _same(path)


def test_the_limits_hold_on_the_fast_path(tmp_path: Path) -> None:
    """Too many values and an alias are refused by the careful reader, with its message."""
    fact = "\n".join(line for line in BASE.splitlines()[37:50])
    many = BASE + "\n".join(
        fact.replace("wuhan-share", f"share-{n}") for n in range(parsing.MAX_VALUES // 25)
    )
    path = tmp_path / "many.yaml"
    path.write_text(many, encoding="utf-8")
    content, problems = read_fact_file(path)
    assert content.facts == [] and [p.code for p in problems] == ["too-large"]
    path.write_text(
        BASE.replace("unit: percent", "unit: &u percent", 1).replace(
            "unit: percent", "unit: *u", 1
        ),
        encoding="utf-8",
    )
    content, problems = read_fact_file(path)
    assert [p.code for p in problems] == ["alias"]


def _restyled(line: str, how: str) -> str:
    head, colon, value = line.partition(": ")
    value = value.strip()
    plain = (
        colon
        and value
        and "{" not in head  # a flow mapping's first key: its value runs on
        and value[0] not in "[{'\"|>&*!"
        and "'" not in value
        and "#" not in value
    )
    if how == "comment" and colon:
        return f"{line}  # a note"
    if how == "single" and plain and not value[0].isdigit() and value not in ("null", "~"):
        return f"{head}: '{value}'"
    if how == "double" and plain and not value[0].isdigit() and value not in ("null", "~"):
        return f'{head}: "{value}"'
    if how == "blank":
        return f"\n{line}"
    if how == "spaces" and colon:
        return f"{head}:    {value}   "
    return line


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.sampled_from(["keep", "comment", "single", "double", "blank", "spaces"]),
        min_size=len(LINES),
        max_size=len(LINES),
    ),
    st.sampled_from(["\n", "\r\n"]),
)
def test_a_restyled_valid_file_is_read_fast_and_the_same(
    tmp_path: Path, styles: list[str], newline: str
) -> None:
    """Quotes, comments, blank lines, spacing and line endings that YAML reads alike: the fast
    reader takes the file, and gives what the careful reader gives, lines included."""
    text = newline.join(_restyled(line, how) for line, how in zip(LINES, styles, strict=True))
    path = tmp_path / "pack.yaml"
    path.write_bytes((text + newline).encode("utf-8"))
    assert parsing._fast_read(path, str(path), path.read_text(encoding="utf-8")) is not None
    fast, careful = read_fact_file(path), read_fact_file(path, fast=False)
    assert fast == careful and fast[1] == []
    assert [dict(raw.lines) for raw in fast[0].facts] == [
        dict(raw.lines) for raw in careful[0].facts
    ]


def test_an_alias_in_any_place_is_refused_by_the_careful_reader(tmp_path: Path) -> None:
    """An alias (its anchor defined or not: the parser does not look) where a list, a mapping or
    a list's item should be has no tag: the fast pass gave up on it with an AttributeError, an
    internal error. Every line, as a value, a list's item and a whole section."""
    lines = BASE.splitlines()
    variants = []
    for index, line in enumerate(lines):
        head, colon, _ = line.partition(":")
        indent = line[: len(line) - len(line.lstrip(" "))]
        if colon:
            variants.append([*lines[:index], f"{head}: *undefined", *lines[index + 1 :]])
        variants.append([*lines[:index], f"{indent}- *undefined", *lines[index:]])
    variants += [["facts: *a"], ["facts:", "  - *a"], ["cities: [*a]"], ["sources: {a: *a}"]]
    path = tmp_path / "pack.yaml"
    for variant in variants:
        path.write_text("\n".join(variant) + "\n", encoding="utf-8")
        content, problems = read_fact_file(path)
        assert (content, problems) == read_fact_file(path, fast=False)
        assert problems, variant
