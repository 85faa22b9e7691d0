"""The statements about China as a whole (facts with no city) are one City, NATIONWIDE, in every
filter, view and record; and no pack may declare a city by one of its names."""

from __future__ import annotations

from pathlib import Path

import pytest

from returnee_cli import queries
from returnee_cli.loading import load_factset
from returnee_cli.model import NATIONWIDE, NATIONWIDE_NAMES, FactSet

from .conftest import RunCli
from .test_loading import GOOD_FACT, HEADER, problems

NATIONWIDE_IDS = [
    "national-emerging-industries",
    "national-major-city-advantages",
    "national-other-cities-attractive",
    "national-emerging-destinations",
    "national-talent-policies",
    "national-policy-aims",
]


@pytest.fixture(scope="module")
def factset() -> FactSet:
    return load_factset()


def test_a_fact_with_no_city_is_about_nationwide(factset: FactSet) -> None:
    fact = factset.by_id["national-policy-aims"]
    assert fact.city is None  # the data format is unchanged
    assert factset.city_of(fact) == NATIONWIDE
    assert factset.city_of(factset.by_id["shanghai-education"]) == factset.cities["shanghai"]


def test_in_city_takes_a_city_and_nationwide_is_one(factset: FactSet) -> None:
    assert [f.id for f in factset.in_city(NATIONWIDE)] == NATIONWIDE_IDS
    assert {f.city for f in factset.in_city(factset.cities["beijing"])} == {"beijing"}


def test_no_city_filter_means_every_city_nationwide_included(factset: FactSet) -> None:
    assert queries.select_facts(factset, city=None) == list(factset.facts)
    every = queries.industries(factset, None).facts
    assert {factset.city_of(f) for f in every} >= {NATIONWIDE, factset.cities["beijing"]}


@pytest.mark.parametrize(
    "name", ["nationwide", "China", "全国", "中国", "China (nationwide)", "china, nationwide"]
)
def test_every_name_of_nationwide_resolves_to_the_one_constant(factset: FactSet, name: str) -> None:
    assert name.casefold() in NATIONWIDE_NAMES
    assert queries.resolve_city(factset, name) is NATIONWIDE


def test_the_topics_matrix_ends_with_nationwide(factset: FactSet) -> None:
    matrix = queries.topic_matrix(factset)
    assert matrix.cities[-1] is NATIONWIDE and matrix.columns[-1] == "nationwide"


def test_every_view_names_nationwide_the_same_way(run: RunCli) -> None:
    shown = run("show", "national-policy-aims").stdout
    assert "City         China, nationwide\n" in shown
    assert run("cite", "national-policy-aims").stdout.startswith("China, nationwide: ")
    assert run("city", "nationwide").stdout.startswith("China, nationwide (全国) · 6 facts")
    assert "China, nationwide" in run("industries").stdout


def test_the_facts_table_shows_the_nationwide_slug_wide_or_stacked(run: RunCli) -> None:
    wide = run("facts", "--city", "nationwide", columns=160).stdout.splitlines()
    assert wide[2].split()[:2] == ["national-emerging-industries", "nationwide"]
    stacked = run("facts", "--city", "nationwide", columns=40).stdout.splitlines()
    assert stacked[:2] == ["national-emerging-industries", "nationwide · emerging-industries"]


def _problems(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "pack.yaml"
    path.write_text(body, encoding="utf-8")
    return [problem.rpartition("/")[2] for problem in problems(path)]


def test_a_pack_may_not_declare_a_city_called_nationwide(tmp_path: Path) -> None:
    body = HEADER.replace("  - {slug: wuhan, name: Wuhan}\n", "  - {slug: nationwide, name: X}\n")
    found = _problems(tmp_path, body + GOOD_FACT.replace("city: wuhan", "city: nationwide"))
    assert found == [
        "pack.yaml:8: city `nationwide` has the slug 'nationwide', which names the whole "
        "country: `--city` takes `china` `china (nationwide)` `china, nationwide` `nationwide` "
        "`中国` `全国` for the facts "
        "with no city; give the city another one, and leave `city` out of a fact about the "
        "whole country"
    ]


def test_nor_a_city_whose_name_means_china(tmp_path: Path) -> None:
    city = "  - slug: cn\n    name: China\n"
    body = HEADER.replace("  - {slug: wuhan, name: Wuhan}\n", city) + GOOD_FACT.replace(
        "    city: wuhan\n", ""
    )
    (found,) = _problems(tmp_path, body)
    assert found.startswith("pack.yaml:9: city `cn` has the name 'China', which names the whole")


def test_a_fact_naming_nationwide_as_its_city_is_told_to_leave_it_out(tmp_path: Path) -> None:
    body = HEADER + GOOD_FACT.replace("city: wuhan", "city: nationwide")
    assert _problems(tmp_path, body) == [
        "pack.yaml:11: fact `wuhan-share` names unknown city `nationwide` in `city`; leave "
        "`city` out for a statement about the whole country"
    ]
