"""`returnees coverage`: every figure of each stored text, and the fact that holds it, or none."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from .conftest import RunCli
from .test_draft import CHINESE, ENGLISH, EXPECTED_EN, fill_in
from .test_fact_set import STATED_FIGURES


def test_the_built_in_pack_holds_every_figure_of_its_article(run: RunCli) -> None:
    covered = run("coverage", "--json")
    assert covered.exit_code == 0, covered.stderr
    rows = covered.json()
    held = {row["held_by"][0] for row in rows if row["held_by"]}
    assert all(row["held_by"] for row in rows), [r for r in rows if not r["held_by"]]
    assert held == {fact_id for fact_id, *_ in STATED_FIGURES}
    assert len(rows) == len(STATED_FIGURES)
    first = rows[0]
    assert first == {
        "source": "china-minutes-2025",
        "line": 12,
        "figure": "20.84%",
        "value": 20.84,
        "high": None,
        "unit": "percent",
        "qualifier": "exact",
        "held_by": ["beijing-sector-science-technology"],
        "quote": "Those engaged in science and technology-related fields make up the largest "
        "share at 20.84%.",
    }
    assert covered.stderr == "returnees: all 14 figures in 1 stored text are held\n"
    strict = run("coverage", "--strict")
    assert strict.exit_code == 0
    assert "shanghai-women-share" in strict.stdout


def _pack(run: RunCli, tmp_path: Path, text: str) -> Path:
    tmp_path.mkdir(exist_ok=True)
    source = tmp_path / "report.txt"
    source.write_text(text, encoding="utf-8")
    pack = tmp_path / "pack"
    assert run("draft", str(source), "-o", str(pack), "--source", "my-report").exit_code == 0
    fill_in(pack)
    return pack


def test_a_drafted_and_filled_pack_is_fully_covered_in_either_language(
    run: RunCli, tmp_path: Path
) -> None:
    for language, text in (("en", ENGLISH), ("zh", CHINESE)):
        pack = _pack(run, tmp_path / language, text)
        covered = run("--no-builtin", "--facts", str(pack), "coverage", "--json", "--strict")
        assert covered.exit_code == 0, covered.stderr
        rows = covered.json()
        assert rows and all(row["held_by"] for row in rows)
        if language == "en":
            assert [row["value"] for row in rows] == [float(v) for v, *_ in EXPECTED_EN]
        else:
            counted = {row["figure"]: (row["value"], row["unit"], row["qualifier"]) for row in rows}
            assert counted["58万人"] == (580000, "people", "exact")
            assert counted["1.2亿元左右"] == (120000000, "yuan", "about")
            assert counted["300余家"] == (300, "companies", "more_than")
            assert counted["20%至30%"] == (20, "percent", "range")


def test_a_figure_no_fact_holds_is_named_and_strict_fails(run: RunCli, tmp_path: Path) -> None:
    pack = _pack(run, tmp_path, ENGLISH)
    facts_file = pack / "facts.yaml"
    document = yaml.safe_load(facts_file.read_text(encoding="utf-8"))
    dropped = [f for f in document["facts"] if f.get("value") == 25]
    assert len(dropped) == 1
    document["facts"] = [f for f in document["facts"] if f.get("value") != 25]
    facts_file.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    args = ("--no-builtin", "--facts", str(pack), "coverage")

    lenient = run(*args, "--json")
    assert lenient.exit_code == 0
    missing = [row for row in lenient.json() if not row["held_by"]]
    assert [(r["figure"], r["qualifier"], r["line"]) for r in missing] == [
        ("At least 25%", "at_least", 6)
    ]
    assert lenient.stderr == (
        "returnees: 1 of 12 figures in 1 stored text held by no fact; add a fact for each "
        "(returnees draft TEXT_FILE proposes them)\n"
    )
    strict = run(*args, "--strict")
    assert strict.exit_code == 1
    assert "At least 25%" in strict.stdout and "none" in strict.stdout


def test_a_quote_that_holds_part_of_a_sentence_holds_only_its_figures(
    run: RunCli, tmp_path: Path
) -> None:
    pack = _pack(run, tmp_path, ENGLISH)
    facts_file = pack / "facts.yaml"
    document = yaml.safe_load(facts_file.read_text(encoding="utf-8"))
    for fact in document["facts"]:
        if fact.get("value") == 70:  # quote only the clause that states it
            fact["quote"] = "Over 70% of the founders belong to the post-80s generation"
        if fact.get("value") == 15:  # a quote of the other clause cannot hold 15%
            fact["quote"] = "Over 70% of the founders belong to the post-80s generation"
            fact["value"], fact["qualifier"] = 70, "more_than"
            fact["label"] = "Another label"
    facts_file.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    covered = run("--no-builtin", "--facts", str(pack), "coverage", "--json")
    assert covered.exit_code == 0, covered.stderr
    by_figure = {row["figure"]: row["held_by"] for row in covered.json()}
    assert by_figure["Over 70%"] == ["my-report-2", "my-report-3"]
    assert by_figure["no more than 15%"] == []


def test_a_pack_without_stored_texts_has_nothing_to_cover(run: RunCli, tmp_path: Path) -> None:
    pack = _pack(run, tmp_path, ENGLISH)
    shutil.rmtree(pack)
    pack.mkdir()
    (pack / "facts.yaml").write_text(
        "sources:\n  - {id: s, title: T, publisher: P, date: '2025', kind: primary}\n",
        encoding="utf-8",
    )
    covered = run("--no-builtin", "--facts", str(pack), "coverage", "--json", "--strict")
    assert covered.exit_code == 0
    assert covered.json() == []
    assert covered.stderr == "returnees: no stored source text has a figure\n"
