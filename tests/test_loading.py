"""Bad fact files: every problem at once, with file, line and a fix; exit 1, never a traceback."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from returnee_cli.errors import DataError
from returnee_cli.loading import load_factset

from .conftest import RunCli

HEADER = """\
sources:
  - id: src
    title: A survey
    publisher: Someone
    date: "2025-01-01"
    kind: primary
cities:
  - {slug: wuhan, name: Wuhan}
facts:
"""

GOOD_FACT = """\
  - id: wuhan-share
    city: wuhan
    topic: sectors
    label: A share
    value: 12.5
    unit: percent
    source: src
    reported_in: src
    quote: In Wuhan, 12.5% work in this sector.
    population: workers in Wuhan
"""


def write(tmp_path: Path, body: str, name: str = "pack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        load_factset([path])
    return [str(p) for p in caught.value.problems]


def test_a_valid_pack_loads(tmp_path: Path) -> None:
    factset = load_factset([write(tmp_path, GOOD_FACT)])
    fact = factset.by_id["wuhan-share"]
    assert (fact.value, fact.qualifier, fact.city) == (12.5, "exact", "wuhan")


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (
            GOOD_FACT.replace("value:", "valeu:"),
            14,
            "unknown key `valeu` in a fact; did you mean `value`? known keys: id, city, topic,",
        ),
        (GOOD_FACT.replace("value: 12.5", "value: twelve"), 14, "`value` must be a number, not"),
        (GOOD_FACT.replace("value: 12.5", "value: 12.5%"), 14, "without the % sign"),
        (GOOD_FACT.replace("value: 12.5", "value: 120"), 14, "percentage of 120, outside 0 to 100"),
        (
            GOOD_FACT.replace("    topic: sectors\n", ""),
            10,
            "fact `wuhan-share` is missing `topic`",
        ),
        (
            GOOD_FACT.replace("source: src", "source: scr"),
            16,
            "unknown source `scr` in `source`; did you mean `src`?",
        ),
        (GOOD_FACT.replace("city: wuhan", "city: atlantis"), 11, "unknown city `atlantis`"),
        (
            GOOD_FACT.replace("    label: A share\n", "    label: A share\n    label: Again\n"),
            14,
            "duplicate key `label` in a fact (first at line 13); keep one",
        ),
        (GOOD_FACT + GOOD_FACT, 20, "duplicate fact id `wuhan-share`: also defined at"),
        (
            GOOD_FACT.replace("value: 12.5\n    unit: percent\n", "qualifier: more_than\n"),
            14,
            "has `qualifier: more_than` but no `value`; add the value, or remove the qualifier",
        ),
        (
            GOOD_FACT.replace("    population: workers in Wuhan\n", ""),
            10,
            "is a share but does not say of whom; add `population`: its base",
        ),
        (
            GOOD_FACT.replace("unit: percent\n", "unit: percent\n    high: 20\n"),
            16,
            "has `high` but is not a `range`; remove `high`, or write `qualifier: range`",
        ),
        (
            GOOD_FACT.replace("unit: percent\n", "unit: percent\n    qualifier: range\n"),
            16,
            "is a `range` but has no `high`",
        ),
        (
            GOOD_FACT.replace(
                "unit: percent\n", "unit: percent\n    qualifier: range\n    high: 10\n"
            ),
            17,
            "is a range from 12.5 to 10; `high` must be above `value`",
        ),
        (
            GOOD_FACT.replace("    value: 12.5\n    unit: percent\n", "    items: [a, b]\n"),
            14,
            "has `items` but no `list_kind`; say whether the source ranks them (ranked)",
        ),
        (
            GOOD_FACT.replace("label: A share", "label: yes"),
            13,
            "`label` must be text, but YAML reads 'yes' as true/false; put it in quotes",
        ),
        (GOOD_FACT.replace("value: 12.5", "value: 012"), 14, "must be written as a plain decimal"),
        (
            GOOD_FACT.replace(
                "quote: In Wuhan, 12.5% work in this sector.", "quote: !!python/object:os.system x"
            ),
            18,
            "uses the YAML tag !!python/object:os.system",
        ),
        (
            GOOD_FACT.replace("qualifier", "x").replace(
                "    unit: percent\n", "    unit: percent\n    qualifier: over\n"
            ),
            16,
            "`qualifier` 'over' is not a known qualifier; known qualifiers: exact, more_than, "
            "at_least, less_than, at_most, about, range; a figure stated as “over” or “more than” "
            "is `more_than`",
        ),
    ],
)
def test_each_mistake_is_named_with_its_line_and_fix(
    tmp_path: Path, body: str, line: int, message: str
) -> None:
    found = problems(write(tmp_path, body))
    assert any(f"pack.yaml:{line}: " in p and message in p for p in found), found


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    # `caption` is no near miss of a key: the fact is also missing `label` (a near miss such as
    # `lable` says only that: tests/test_review_checks.py)
    body = GOOD_FACT.replace("label:", "caption:") + GOOD_FACT.replace(
        "wuhan-share", "other"
    ).replace("source: src", "source: nope")
    found = problems(write(tmp_path, body))
    assert len(found) == 3  # in line order
    assert "pack.yaml:10: fact `wuhan-share` is missing `label`" in found[0]
    assert "pack.yaml:13: unknown key `caption` in a fact; known keys: id," in found[1]
    assert "pack.yaml:26: fact `other` names unknown source `nope`" in found[2]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("- a\n- b\n", "a fact file must be a mapping"),
        ("facts: [unclosed\n", "is not valid YAML"),
        ("just a scalar\n", "a fact file must be a mapping"),
    ],
)
def test_malformed_files_are_one_clear_problem(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    found = problems(path)
    assert len(found) == 1 and message in found[0], found


def test_non_utf8_bytes_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"facts:\n  - id: caf\xe9\n")
    [problem] = problems(path)
    assert problem.endswith("latin1.yaml:2: is not UTF-8 text (byte 18); save it as UTF-8")


def test_aliases_are_refused_without_expanding_them(tmp_path: Path) -> None:
    laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    laughs += [
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)
    ]
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(laughs) + "\n", encoding="utf-8")
    found = problems(path)
    assert found and all("laughs.yaml:" in p for p in found)


def test_derived_facts_refuse_a_typed_in_value(tmp_path: Path) -> None:
    body = (
        GOOD_FACT.replace("    topic: sectors\n", "    topic: sectors\n    breakdown: wuhan-work\n")
        + """\
  - id: wuhan-rest
    city: wuhan
    topic: sectors
    label: The rest
    value: 87.5
    unit: percent
    source: src
    reported_in: src
    derive: {formula: remainder, from: [wuhan-share]}
"""
    )
    found = problems(write(tmp_path, body))
    assert any("must not state `value`: it is computed" in p for p in found), found
    factset = load_factset([write(tmp_path, body.replace("    value: 87.5\n", ""))])
    rest = factset.by_id["wuhan-rest"]
    assert (rest.value, rest.derived, rest.formula) == (87.5, True, "100 − (12.5)")
    # 12.5 stands for 12.45 to 12.55: the rest is 87.45 to 87.55, about 87.5
    assert (rest.qualifier, rest.low, rest.high, rest.precision) == ("about", 87.45, 87.55, 1)


def test_the_cli_exits_1_on_bad_data_and_lists_each_problem(run: RunCli, tmp_path: Path) -> None:
    path = write(
        tmp_path, GOOD_FACT.replace("value:", "valeu:").replace("source: src", "source: nope")
    )
    before = path.read_bytes()
    result = run("--facts", str(path), "facts", "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 3
    assert "pack.yaml:14: unknown key `valeu`" in lines[0]
    assert "pack.yaml:16: fact `wuhan-share` names unknown source `nope`" in lines[1]
    assert lines[2] == "returnees: 2 problems in the fact files; fix them and run the command again"
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == before


def test_a_user_pack_adds_to_the_builtin_facts(run: RunCli, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_FACT)
    both = run("--facts", str(path), "facts", "--city", "wuhan", "--json").json()
    assert [r["id"] for r in both] == ["wuhan-share"]
    alone = run("--no-builtin", "--facts", str(path), "facts", "--json").json()
    assert [r["id"] for r in alone] == ["wuhan-share"]
    from_env = run("facts", "--city", "wuhan", "--json", env={"RETURNEES_FACTS": str(path)})
    assert [r["id"] for r in from_env.json()] == ["wuhan-share"]


def test_a_missing_pack_path_is_a_usage_error(run: RunCli, tmp_path: Path) -> None:
    result = run("--facts", str(tmp_path / "nope.yaml"), "sources")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("returnees: --facts: no such file or folder: ")


def test_a_city_written_as_a_name_gets_its_slug_as_the_fix(tmp_path: Path) -> None:
    found = problems(write(tmp_path, GOOD_FACT.replace("city: wuhan", "city: Wu Han")))
    assert any(
        "`city` 'Wu Han' must be lowercase letters, digits and hyphens; write `wu-han`" in p
        for p in found
    ), found


def test_a_fact_with_a_bad_field_is_still_checked_with_the_rest(tmp_path: Path) -> None:
    """All in one run: the bad value, and the duplicate id and unknown source of the same fact."""
    bad = GOOD_FACT.replace("value: 12.5", "value: twelve").replace(
        "source: src", "source: nowhere"
    )
    found = problems(write(tmp_path, GOOD_FACT + bad))
    assert any("`value` must be a number" in p for p in found), found
    assert any("duplicate fact id `wuhan-share`" in p for p in found), found
    assert len(found) == 2  # the duplicate is not checked further: its first definition stands
    lone = problems(write(tmp_path, bad))
    assert any("`value` must be a number" in p for p in lone)
    assert any("names unknown source `nowhere`" in p for p in lone), lone
