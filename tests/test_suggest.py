"""One did-you-mean for every unknown name: the same words and quotes on the command line and in
fact-file messages."""

from __future__ import annotations

from pathlib import Path

from returnee_cli.suggest import quoted, suggest

from .test_loading import GOOD_FACT, HEADER, problems


def test_a_close_name_is_suggested_then_the_known_ones_listed() -> None:
    assert suggest("bejing", ["beijing", "shanghai"], "cities") == (
        "did you mean `beijing`? known cities: beijing, shanghai"
    )


def test_a_far_name_gets_only_the_list() -> None:
    assert suggest("atlantis", ["beijing", "shanghai"], "cities") == (
        "known cities: beijing, shanghai"
    )


def test_the_list_can_be_replaced_cut_short_or_empty() -> None:
    assert suggest("x-1", ["x-2"], "ids", then="run `returnees facts`") == (
        "did you mean `x-2`? run `returnees facts`"
    )
    assert suggest("zzz", ["a", "b", "c"], "sources", limit=2) == "known sources: a, b, ..."
    assert suggest("zzz", [], "topics") == "known topics: none"


def test_a_fallback_is_suggested_only_when_nothing_is_close_in_spelling() -> None:
    assert suggest("blue", ["beijing-blue-book"], "sources", fallback="other") == (
        "did you mean `other`? known sources: beijing-blue-book"
    )
    assert suggest("beijing-blue-boo", ["beijing-blue-book"], "sources", fallback="other") == (
        "did you mean `beijing-blue-book`? known sources: beijing-blue-book"
    )


def test_names_are_quoted_in_backticks_even_with_an_apostrophe() -> None:
    assert quoted("xi'an") == "`xi'an`"


def _problems(tmp_path: Path, body: str) -> list[str]:
    """The problems of a pack, each without the folder the file is in."""
    path = tmp_path / "pack.yaml"
    path.write_text(body, encoding="utf-8")
    return [problem.rpartition("/")[2] for problem in problems(path)]


def test_a_fact_file_choice_gets_the_same_did_you_mean(tmp_path: Path) -> None:
    body = HEADER.replace("kind: primary", "kind: primray") + GOOD_FACT
    assert _problems(tmp_path, body)[0] == (
        "pack.yaml:6: `kind` 'primray' is not a known kind; did you mean `primary`? "
        "known kinds: primary, secondary"
    )


def test_a_reference_to_an_unknown_city_lists_the_declared_ones(tmp_path: Path) -> None:
    body = HEADER + GOOD_FACT.replace("city: wuhan", "city: wuhna")
    assert _problems(tmp_path, body) == [
        "pack.yaml:11: fact `wuhan-share` names unknown city `wuhna` in `city`; "
        "did you mean `wuhan`? known cities: wuhan"
    ]
