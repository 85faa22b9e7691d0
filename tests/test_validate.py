"""`returnees validate`, the consistency rules, fact packs and the schema: each rule fails on a
fixture with file, line and code, and passes on the shipped facts."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from returnee_cli import assembly, fields, lexicon, schema
from returnee_cli.model import Fact

from .conftest import REPO, RunCli

FACTS = REPO / "facts"
SHIPPED_SCHEMA = FACTS / "schema" / "fact-file.schema.json"

# What the notes say. The '#' line is a note about the file, not the document: never quotable.
NOTES = """\
# Field notes, typed up by hand. Secret 99% here.
Of the 300 people surveyed, 36% work in "tech", 52% in finance
and 8.67% in farming.   Over 70% are under 40.
"""

PACK = """\
sources:
  - id: notes
    title: Field notes
    publisher: Example
    date: "2025-01-01"
    kind: primary
    text: notes.txt
facts:
  - id: tech
    topic: sectors
    label: Tech
    value: 36
    unit: percent
    population: people surveyed
    sample_size: 300
    breakdown: work
    source: notes
    reported_in: notes
    quote: Of the 300 people surveyed, 36% work in “tech”, 52% in finance and 8.67% in farming.
  - id: finance
    topic: sectors
    label: Finance
    value: 52
    unit: percent
    population: people surveyed
    sample_size: 300
    breakdown: work
    source: notes
    reported_in: notes
    quote: Of the 300 people surveyed, 36% work in “tech”, 52% in finance and 8.67% in farming.
  - id: farming
    topic: sectors
    label: Farming
    value: 8.67
    unit: percent
    population: people surveyed
    sample_size: 300
    breakdown: work
    source: notes
    reported_in: notes
    quote: Of the 300 people surveyed, 36% work in “tech”, 52% in finance and 8.67% in farming.
  - id: young
    topic: age
    label: Under 40
    value: 70
    unit: percent
    qualifier: more_than
    population: people surveyed
    source: notes
    reported_in: notes
    quote: Over 70% are under 40.
  - id: rest
    topic: sectors
    label: Everything else
    unit: percent
    population: people surveyed
    source: notes
    reported_in: notes
    derive: {formula: remainder, from: [tech, finance, farming]}
  - id: tech-count
    topic: sectors
    label: People in tech
    unit: people
    source: notes
    reported_in: notes
    derive: {formula: share_of_sample, from: [tech]}
"""


def write_pack(folder: Path, pack: str = PACK, notes: str = NOTES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.txt").write_text(notes, encoding="utf-8")
    (folder / "facts.yaml").write_text(pack, encoding="utf-8")
    return folder / "facts.yaml"


def line_of(text: str, needle: str) -> int:
    """The line, as a person counts, where `needle` last appears (`  - id: tech`, `valeu:`)."""
    return text[: text.rindex(needle)].count("\n") + 1


def fact_block(fact_id: str) -> str:
    start = PACK.index(f"  - id: {fact_id}\n")
    end = PACK.find("  - id: ", start + 1)
    return PACK[start : end if end != -1 else len(PACK)]


def change(fact_id: str, old: str, new: str) -> str:
    """The pack with one fact edited: the kind of slip a person makes by hand."""
    block = fact_block(fact_id)
    assert old in block, (fact_id, old)
    return PACK.replace(block, block.replace(old, new, 1))


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work from tmp_path, so that messages show `pack/facts.yaml`."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- the shipped facts -------------------------------------------------------------------------


def test_validate_passes_on_the_shipped_facts(run: RunCli) -> None:
    result = run("validate")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "valid: 6 files, 39 facts, 3 sources, 7 cities\n"
    report = run("validate", "--json").json()
    assert report == {"valid": True, "files": report["files"], "errors": [], "warnings": []}
    assert [Path(f).name for f in report["files"]] == [
        "beijing.yaml",
        "cities.yaml",
        "national.yaml",
        "other-cities.yaml",
        "shanghai.yaml",
        "sources.yaml",
    ]


def test_the_fixture_pack_is_valid(run: RunCli, in_tmp: Path) -> None:
    write_pack(in_tmp / "pack")
    result = run("validate", "pack")
    assert (result.exit_code, result.stdout) == (0, "valid: 1 file, 6 facts, 1 source, 0 cities\n")
    counts = run("--no-builtin", "--facts", "pack", "facts", "--json").json()
    by_id = {r["id"]: (r["value"], r["qualifier"], r["low"], r["high"]) for r in counts}
    # 100 − (36 + 52 + 8.67): whole percents leave the rest only to the nearest whole: about 3,
    # between 100 − (36.5 + 52.5 + 8.675) and 100 − (35.5 + 51.5 + 8.665)
    assert by_id["rest"] == (3, "about", 2.325, 4.335)
    # 36% of 300 is 108; 35.5% to 36.5% of 300 allows 107 to 109 people
    assert by_id["tech-count"] == (108, "about", 107, 109)


# --- each rule, on a fixture: exit 1, file and line, code ---------------------------------------


RULES = [
    # (what goes wrong, the pack, the fact (or key) reported, code, words of the message)
    (
        "quote not verbatim",
        change("tech", "52% in finance", "52% in banking"),
        "tech",
        "quote",
        "fact `tech`: its `quote` is not in the stored text of source `notes` (it agrees up to "
        '“…e surveyed, 36% work in "tech", 52% in ” and differs after that); copy the '
        "sentence verbatim (only curly quotes and spacing may differ)",
    ),
    (
        "quote only in the '#' note",
        change("young", "quote: Over 70% are under 40.", "quote: Secret 99% here.").replace(
            "value: 70", "value: 99"
        ),
        "young",
        "quote",
        "fact `young`: its `quote` is not in the stored text of source `notes`;",
    ),
    (
        "figure not in its quote",
        change("tech", "value: 36", "value: 37"),
        "tech",
        "figure",
        "fact `tech`: its `value` 37 is not written in its `quote`; check the figure, or quote the "
        "sentence that states it",
    ),
    (
        "a lower bound typed as exact",
        change("young", "    qualifier: more_than\n", ""),
        "young",
        "qualifier",
        "fact `young` is `exact` but its quote says “Over 70”: “over” is a strict lower bound, "
        "`more_than` (above 70, not 70 itself), not `exact` (70 as written); set "
        "`qualifier: more_than`",
    ),
    (
        "an exact figure typed as a lower bound",
        change("finance", "    unit: percent\n", "    unit: percent\n    qualifier: more_than\n"),
        "finance",
        "qualifier",
        "fact `finance` is `more_than` but its quote does not say “over” or "
        "“more than” (or the like) before 52; make it `qualifier: exact`, or check the quote",
    ),
    (
        "breakdown over 100",
        change("young", "    source:", "    breakdown: work\n    source:"),
        "tech",
        "breakdown",
        "breakdown `work` adds up to more than 166.67% (36 + 52 + 8.67 + more than "
        "70), but the parts of one whole add up to 100% at most; check the figures and which facts "
        "have `breakdown: work`",
    ),
    (
        "breakdown of two populations",
        change("young", "population: people surveyed", "population: people asked").replace(
            "    qualifier: more_than\n    population: people asked\n",
            "    qualifier: more_than\n    population: people asked\n    breakdown: work\n",
        ),
        "young",
        "breakdown",
        "fact `young` is in breakdown `work` but is a share of “people asked”, "
        "not of “people surveyed” like `tech`; a breakdown splits one population",
    ),
    (
        "a share that is no whole number of people",
        change("farming", "sample_size: 300", "sample_size: 301"),
        "farming",
        "sample",
        "fact `farming`: 8.67% of a sample of 301 is 26.0967 people, and no "
        "whole number of people rounds to 8.67% (26.08165 to 26.11175); check the share or the "
        "`sample_size`",
    ),
    (
        "loader: typo in a key",
        change("tech", "value:", "valeu:"),
        "valeu:",
        "unknown-key",
        "unknown key `valeu` in a fact; did you mean `value`?",
    ),
    (
        "loader: a lower bound of 100%",
        change("young", "value: 70", "value: 100"),
        "young",
        "range",
        "fact `young` is more than 100%, more than the whole; check the figure and its qualifier",
    ),
    (
        "loader: duplicate id",
        PACK + fact_block("tech"),
        "tech",
        "duplicate-id",
        "duplicate fact id `tech`: also defined at pack/facts.yaml:9",
    ),
]


# The key each problem is about: the problem points at its line, not at the fact's.
KEY_AT_FAULT = {
    "quote not verbatim": "quote",
    "quote only in the '#' note": "quote",
    "figure not in its quote": "value",
    "a lower bound typed as exact": "value",
    "an exact figure typed as a lower bound": "qualifier",
    "breakdown over 100": "breakdown",
    "breakdown of two populations": "population",
    "a share that is no whole number of people": "sample_size",
    "loader: a lower bound of 100%": "qualifier",
}


def fact_text(pack: str, fact_id: str) -> str:
    """The fact's block in `pack`, its last definition."""
    start = pack.rindex(f"  - id: {fact_id}\n")
    end = pack.find("  - id: ", start + 1)
    return pack[start : end if end != -1 else len(pack)]


@pytest.mark.parametrize(
    ("name", "pack", "where", "code", "message"), RULES, ids=[rule[0] for rule in RULES]
)
def test_each_rule_fails_with_file_line_and_code(
    run: RunCli, in_tmp: Path, name: str, pack: str, where: str, code: str, message: str
) -> None:
    key = KEY_AT_FAULT.get(name)
    write_pack(in_tmp / "pack", pack)
    result = run("validate", "pack")
    assert result.exit_code == 1 and result.stderr == ""
    lines = result.stdout.splitlines()
    reported = [line for line in lines if f"[{code}]" in line]
    assert reported, result.stdout
    line = line_of(pack, where if where.endswith(":") else f"  - id: {where}\n")
    if key is not None:  # the line of the key at fault, within that fact
        line += fact_text(pack, where)[: fact_text(pack, where).index(f"    {key}:")].count("\n")
    assert reported[0].startswith(f"pack/facts.yaml:{line}: error: "), reported
    assert message in reported[0]
    assert lines[-1].startswith("invalid: ")
    report = run("validate", "pack", "--json").json()
    assert report["valid"] is False
    error = next(e for e in report["errors"] if e["code"] == code)
    assert (error["file"], error["line"]) == ("pack/facts.yaml", line)
    assert set(error) == {"file", "line", "code", "key", "message"}


def test_every_rule_stops_the_normal_commands_too(run: RunCli, in_tmp: Path) -> None:
    write_pack(in_tmp / "pack", change("young", "    qualifier: more_than\n", ""))
    result = run("--facts", "pack", "show", "young", "--json")
    assert result.exit_code == 1 and result.stdout == ""
    young = line_of(PACK, "  - id: young")
    assert f"pack/facts.yaml:{young + 3}: fact `young` is `exact` but its quote says" in (
        result.stderr
    )


def test_quotes_match_across_curly_quotes_and_line_breaks_but_nothing_else(
    run: RunCli, in_tmp: Path
) -> None:
    # The quote has curly “tech” and one line; the stored text has "tech" and a line break.
    write_pack(in_tmp / "pack")
    assert run("validate", "pack").exit_code == 0
    write_pack(in_tmp / "pack", change("tech", "36% work in", "36 % work in"))
    assert "[quote]" in run("validate", "pack").stdout  # a space added inside: not the same text
    write_pack(in_tmp / "pack", change("tech", "Of the", "of the"))
    assert "[quote]" in run("validate", "pack").stdout  # case matters


def test_a_derived_value_that_disagrees_with_its_inputs_is_an_error(
    run: RunCli, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loader computes derived values; the check computes them again on its own. A loader
    that went wrong (simulated here: one more than it should) is caught, with file and line."""
    compute = assembly.Assembler._derived_fact

    def off_by_one(self: Any, raw: Any, stated: dict[str, Fact]) -> Fact | None:
        fact = compute(self, raw, stated)
        return dataclasses.replace(fact, value=fact.value + 1) if fact and fact.value else fact

    monkeypatch.setattr(assembly.Assembler, "_derived_fact", off_by_one)
    write_pack(in_tmp / "pack")
    result = run("validate", "pack")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        f"pack/facts.yaml:{line_of(PACK, '    derive: {formula: remainder')}: error: derived fact "
        "`rest` holds 4 (about: 2.325 to 4.335), but its `derive` (remainder) gives 3 (about: "
        "2.325 to 4.335); report this as a bug in returnees [derived]",
        f"pack/facts.yaml:{line_of(PACK, '    derive: {formula: share_of')}: error: derived fact "
        "`tech-count` holds 109 (about: 107 to 109), but its `derive` (share_of_sample) gives 108 "
        "(about: 107 to 109); report this as a bug in returnees [derived]",
    ]


def test_a_source_without_stored_text_is_a_warning_not_an_error(run: RunCli, in_tmp: Path) -> None:
    write_pack(in_tmp / "pack", PACK.replace("    text: notes.txt\n", ""))
    result = run("validate", "pack")
    assert result.exit_code == 0
    assert result.stdout == (
        "pack/facts.yaml:2: warning: source `notes` has no stored text, so the quotes of 4 facts "
        "reported in it cannot be checked; add `text:` with the document's body to check them "
        "[unverifiable]\n"
        "valid: 1 file, 6 facts, 1 source, 0 cities; 1 warning\n"
    )
    report = run("validate", "pack", "--json").json()
    assert report["valid"] is True and report["errors"] == []
    assert report["warnings"] == [
        {
            "file": "pack/facts.yaml",
            "line": 2,
            "code": "unverifiable",
            "key": "text",
            "message": report["warnings"][0]["message"],
        }
    ]
    quiet = run("--no-builtin", "--facts", "pack", "facts", "--json")  # only validate warns
    assert (quiet.exit_code, quiet.stderr) == (0, "")


def test_every_problem_is_reported_at_once(run: RunCli, in_tmp: Path) -> None:
    pack = change("finance", "value: 52", "value: 53")
    pack = pack.replace(fact_block("tech"), fact_block("tech").replace("label:", "caption:"))
    pack = pack.replace(
        fact_block("young"), fact_block("young").replace("source: notes", "source: nope")
    )
    write_pack(in_tmp / "pack", pack)
    report = run("validate", "pack", "--json").json()
    codes = [(e["code"], e["key"]) for e in report["errors"]]
    # Every problem, in the order of the lines they point at; the derived facts computed from
    # `tech`, declared but refused, say nothing more (no cascade: tests/test_packs.py)
    assert codes == [
        ("missing-key", "label"),
        ("unknown-key", "caption"),
        ("figure", "value"),
        ("unknown-source", "source"),
    ]
    lines = [e["line"] for e in report["errors"]]
    assert lines == sorted(lines)


# --- the command line ----------------------------------------------------------------------------


def test_validate_a_missing_path_is_a_usage_error(run: RunCli, tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "nope"))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"returnees: no such file or folder: {tmp_path / 'nope'}\n"


def test_validate_an_empty_folder_is_an_error(run: RunCli, in_tmp: Path) -> None:
    (in_tmp / "empty").mkdir()
    result = run("validate", "empty")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "empty: error: holds no fact files (*.yaml, *.yml); check the path [no-facts]"
    )


def test_validate_without_paths_checks_the_facts_in_use(run: RunCli, in_tmp: Path) -> None:
    write_pack(in_tmp / "pack")
    alone = run("--no-builtin", "--facts", "pack", "validate")
    assert alone.stdout == "valid: 1 file, 6 facts, 1 source, 0 cities\n"
    both = run("--facts", "pack", "validate")
    assert both.stdout == "valid: 7 files, 45 facts, 4 sources, 7 cities\n"
    env = run("validate", env={"RETURNEES_FACTS": "pack"})
    assert env.stdout == both.stdout
    write_pack(in_tmp / "bad", change("tech", "value:", "valeu:"))
    broken = run("--facts", "bad", "validate", "--json")
    assert broken.exit_code == 1 and broken.json()["errors"][0]["file"] == "bad/facts.yaml"


def test_validate_with_paths_checks_exactly_those(run: RunCli, in_tmp: Path) -> None:
    write_pack(in_tmp / "pack")
    result = run("--facts", str(FACTS), "validate", "pack", "--json").json()
    assert result["files"] == ["pack/facts.yaml"]


@pytest.mark.parametrize("command", ["validate", "schema"])
def test_new_commands_have_a_summary_and_an_example(run: RunCli, command: str) -> None:
    result = run(command, "--help", columns=120)
    assert result.exit_code == 0
    assert "Example: returnees " + command in " ".join(result.stdout.split())


# --- fact packs: a clash names both files --------------------------------------------------------


def test_a_source_clash_with_the_builtin_facts_names_both_files(run: RunCli, in_tmp: Path) -> None:
    pack = in_tmp / "mine.yaml"
    pack.write_text(
        "sources:\n  - id: china-minutes-2025\n    title: Mine\n    publisher: Me\n"
        "    date: '2025'\n    kind: primary\n",
        encoding="utf-8",
    )
    result = run("--facts", "mine.yaml", "sources")
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(
        "returnees: mine.yaml:2: duplicate source `china-minutes-2025`: also defined at "
    )
    assert first.endswith(f"{Path('facts', 'sources', 'sources.yaml')}:5; rename or remove one")


def test_fact_and_city_clashes_between_two_packs_name_both_files(run: RunCli, in_tmp: Path) -> None:
    write_pack(in_tmp / "one")
    write_pack(
        in_tmp / "two",
        PACK.replace("id: notes", "id: notes-two")
        .replace("source: notes\n", "source: notes-two\n")
        .replace("reported_in: notes\n", "reported_in: notes-two\n"),
    )
    (in_tmp / "cities-a.yaml").write_text("cities:\n  - {slug: wuhan, name: Wuhan}\n")
    # another city by the same slug (one written the same way twice is one record)
    (in_tmp / "cities-b.yaml").write_text("cities:\n  - {slug: wuhan, name: Wuhan Shi}\n")
    report = run(
        "--no-builtin",
        "--facts",
        "one",
        "--facts",
        "two",
        "--facts",
        "cities-a.yaml",
        "--facts",
        "cities-b.yaml",
        "validate",
        "--json",
    ).json()
    messages = [f"{e['file']}:{e['line']}: {e['message']}" for e in report["errors"]]
    assert (
        "cities-b.yaml:2: duplicate city `wuhan`: also defined at cities-a.yaml:2; rename or "
        "remove one" in messages
    )
    assert (
        "two/facts.yaml:9: duplicate fact id `tech`: also defined at one/facts.yaml:9; give "
        "each fact its own id" in messages
    )
    assert len([m for m in messages if "duplicate fact id" in m]) == 6


def test_the_same_pack_named_twice_is_read_once(run: RunCli, in_tmp: Path) -> None:
    write_pack(in_tmp / "pack")
    result = run("--no-builtin", "--facts", "pack", "--facts", "pack/facts.yaml", "validate")
    assert result.stdout == "valid: 1 file, 6 facts, 1 source, 0 cities\n"


# --- the schema ----------------------------------------------------------------------------------


def test_schema_prints_the_shipped_schema(run: RunCli) -> None:
    result = run("schema")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout == SHIPPED_SCHEMA.read_text(encoding="utf-8"), (
        "facts/schema is stale: run `returnees schema > facts/schema/fact-file.schema.json`"
    )
    jsonschema.Draft202012Validator.check_schema(json.loads(result.stdout))


def test_schema_comes_from_the_field_declarations() -> None:
    generated = schema.fact_file_schema()
    assert tuple(schema.SECTIONS) == fields.TOP_LEVEL_KEYS
    assert list(generated["properties"]) == list(fields.TOP_LEVEL_KEYS)
    fact = generated["$defs"]["fact"]
    assert list(fact["properties"]) == [spec.name for spec in fields.FACT_FIELDS]
    assert fact["required"] == [spec.name for spec in fields.FACT_FIELDS if spec.required]
    assert fact["properties"]["qualifier"]["anyOf"][0]["enum"] == list(lexicon.QUALIFIERS)
    assert fact["properties"]["list_kind"]["anyOf"][0]["enum"] == ["ranked", "complete", "examples"]


SHIPPED_YAML = sorted(FACTS.rglob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED_YAML, ids=[p.name for p in SHIPPED_YAML])
def test_shipped_fact_files_point_to_the_schema_and_satisfy_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    hint = text.splitlines()[0]
    assert hint.startswith("# yaml-language-server: $schema=")
    assert (path.parent / hint.split("=", 1)[1]).resolve() == SHIPPED_SCHEMA.resolve()
    document = yaml.safe_load(text)  # for this test only: the loader never constructs objects
    jsonschema.validate(document, json.loads(SHIPPED_SCHEMA.read_text(encoding="utf-8")))


def test_the_schema_refuses_what_the_loader_refuses() -> None:
    validator = jsonschema.Draft202012Validator(schema.fact_file_schema())
    document = yaml.safe_load(PACK)
    assert not list(validator.iter_errors(document))
    document["facts"][0]["valeu"] = document["facts"][0].pop("value")
    document["facts"][1]["qualifier"] = "over"
    errors = sorted(error.message for error in validator.iter_errors(document))
    assert any("'valeu' was unexpected" in e for e in errors), errors
    assert any("'over' is not valid under any of the given schemas" in e for e in errors), errors


def test_a_listed_item_must_be_in_its_quote_and_in_its_order(run: RunCli, tmp_path: Path) -> None:
    pack = tmp_path / "lists.yaml"
    fact = """\
facts:
  - id: shanghai-made-up-list
    city: shanghai
    topic: reasons
    label: Factors
    items: [{items}]
    list_kind: complete
    source: shanghai-survey-2024
    reported_in: china-minutes-2025
    quote: >-
      The top factors influencing their decision are talent resources, market potential, and
      geographical location.
"""
    pack.write_text(fact.format(items="talent resources, low taxes"), encoding="utf-8")
    invented = run("--facts", str(pack), "validate")
    assert invented.exit_code == 1
    assert "item “low taxes” is not written in its `quote`" in invented.stdout
    pack.write_text(fact.format(items="market potential, talent resources"), encoding="utf-8")
    reordered = run("--facts", str(pack), "validate")
    assert reordered.exit_code == 1
    assert (
        "item “talent resources” is named before “market potential” in the quote; keep the "
        "quote's order"
    ) in reordered.stdout
    pack.write_text(fact.format(items="talent resources, Market Potential"), encoding="utf-8")
    assert run("--facts", str(pack), "validate").exit_code == 0
