"""Filters and selection (issue 11): --derived/--no-derived and --unit, several cities and topics,
a single-valued option given twice, --json against --format, nested --fields, a --search that
folds quotes, city names as people write them, completion of the new values, and the empty-result
message that names the city. Every test drives the real CLI (both paths) with the built-in facts.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from returnee_cli import queries
from returnee_cli.loading import load_factset
from returnee_cli.paths import builtin_facts_dir
from returnee_cli.surface import COMMANDS, Param

from .conftest import RunCli, fast_path
from .test_explore import completions
from .test_surface import SAMPLES


def ids(result: object) -> list[str]:
    return [record["id"] for record in result.json()]  # type: ignore[attr-defined]


# --- --derived / --no-derived, --unit -----------------------------------------------------------


@pytest.mark.parametrize("command", ["facts", "export"])
def test_derived_and_stated_figures_split_the_facts(run: RunCli, command: str) -> None:
    derived = run(command, "--derived", "--json")
    assert derived.exit_code == 0
    assert ids(derived) == [
        "beijing-sector-other",
        "shanghai-first-choice-count",
        "shanghai-women-count",
    ]
    assert {r["formula"] for r in derived.json()} == {
        "100 − (20.84 + 19.5 + 17.8 + 13.2)",
        "86.67% × 300",
        "36% × 300",
    }
    stated = run(command, "--no-derived", "--json").json()
    assert len(stated) == 36 and not any(r["derived"] for r in stated)


def test_the_switch_is_answered_alike_by_the_fast_path_and_typer(
    terminal: Path, run_typer: RunCli
) -> None:
    for argv in (["facts", "--no-derived", "--format", "csv"], ["export", "--derived"]):
        answered = fast_path(argv)
        assert answered is not None and answered.exit_code == 0
        assert answered == run_typer(*argv)


@pytest.mark.parametrize("command", ["facts", "export"])
def test_unit_takes_the_units_of_the_facts_in_any_case(run: RunCli, command: str) -> None:
    people = run(command, "--unit", "PEOPLE", "--format", "csv", "--fields", "id,value,unit")
    assert people.exit_code == 0
    assert list(csv.reader(io.StringIO(people.stdout))) == [
        ["id", "value", "unit"],
        ["shanghai-survey-respondents", "300", "people"],
        ["shanghai-first-choice-count", "260", "people"],
        ["shanghai-women-count", "108", "people"],
    ]
    shares = run(command, "--unit", "percent", "--no-derived", "--json").json()
    assert len(shares) == 13 and {r["unit"] for r in shares} == {"percent"}


def test_an_unknown_unit_gets_a_did_you_mean(run: RunCli) -> None:
    result = run("facts", "--unit", "percnt")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "returnees: unknown unit `percnt`; did you mean `percent`? known units: people, percent\n"
    )


def test_filters_combine_on_export_as_on_facts(run: RunCli) -> None:
    argv = ["--city", "shanghai", "--qualifier", "more_than", "--unit", "percent", "--json"]
    assert (
        ids(run("export", *argv))
        == ids(run("facts", *argv))
        == [
            "shanghai-generations",
            "shanghai-education",
            "shanghai-leading-industries",
            "shanghai-profitability",
        ]
    )


# --- several cities and topics ------------------------------------------------------------------


def test_several_cities_repeated_or_comma_separated_mean_any_of_them(run: RunCli) -> None:
    beijing = ids(run("facts", "--city", "beijing", "--json"))
    shanghai = ids(run("facts", "--city", "shanghai", "--json"))
    assert (len(beijing), len(shanghai)) == (11, 16)
    repeated = ids(run("facts", "-c", "beijing", "--city", "shanghai", "--json"))
    joined = ids(run("facts", "--city", "beijing, Shanghai", "--json"))
    assert repeated == joined == beijing + shanghai  # in file order, each once
    assert ids(run("facts", "--city", "beijing,北京市,Peking", "--json")) == beijing


def test_several_topics_mean_any_of_them(run: RunCli) -> None:
    both = run("facts", "--topic", "women,education", "--format", "csv", "--fields", "id,topic")
    rows = list(csv.reader(io.StringIO(both.stdout)))[1:]
    assert len(rows) == 7 and {topic for _, topic in rows} == {"women", "education"}
    assert ("shanghai-education", "education") in {tuple(row) for row in rows}
    wrong = run("facts", "--topic", "women,sector")
    assert wrong.exit_code == 2
    assert wrong.stderr.startswith("returnees: unknown topic `sector`; did you mean `sectors`?")


def test_an_empty_city_in_a_list_is_left_out_an_empty_city_alone_is_refused(run: RunCli) -> None:
    assert ids(run("facts", "--city", "shanghai,,", "--json")) == ids(
        run("facts", "--city", "shanghai", "--json")
    )
    alone = run("facts", "--city", ",")
    assert alone.exit_code == 2 and alone.stderr.startswith("returnees: unknown city `,`;")


def test_one_angle_commands_take_several_cities_side_by_side(run: RunCli) -> None:
    both = run("reasons", "--city", "beijing,shanghai", "--json")
    assert {r["city"] for r in both.json()} == {"beijing", "shanghai"}
    assert both.json() == run("reasons", "--json").json()  # only they have reasons
    partial = run("sectors", "--city", "shanghai,beijing", "--json")
    assert partial.exit_code == 0 and len(partial.json()) == 5
    assert {r["city"] for r in partial.json()} == {"beijing"}
    assert partial.stderr == "returnees: no work-sector figures for Shanghai; Beijing has them\n"


# --- single-valued options given twice; --json against --format --------------------------------


def _single_valued() -> list[tuple[str, Param]]:
    return [
        (name, param)
        for name, command in COMMANDS.items()
        for param in command.params
        if param.flags
        and not param.many
        and not param.eager
        and (param.kind == "option" or param.off)
    ]


def _required(name: str) -> list[str]:
    return [SAMPLES[p.dest] or "" for p in COMMANDS[name].params if p.required]


@pytest.mark.parametrize(
    ("name", "param"),
    _single_valued(),
    ids=lambda value: value if isinstance(value, str) else value.dest,
)
def test_a_single_valued_option_given_twice_is_refused_naming_it(
    terminal: Path, run: RunCli, name: str, param: Param
) -> None:
    """Every option that takes one value (and every switch), from the declarations: given twice,
    in its long then its short spelling (or --derived then --no-derived), is an error naming it,
    on both paths; nothing is written."""
    if param.off:
        twice = [param.flags[0], param.off[0]]
    else:
        sample = SAMPLES[param.dest] or ""
        twice = [param.flags[0], sample, param.flags[-1], sample]
    argv = [name, *_required(name), *twice]
    assert fast_path(argv) is None  # left to Typer, which refuses
    result = run(*argv)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"returnees: {param.flags[0]}")
    assert "was given twice" in result.stderr and "\n" not in result.stderr.rstrip("\n")
    assert list(terminal.iterdir()) == []


def test_a_plain_flag_given_twice_asks_the_same_thing(run: RunCli) -> None:
    result = run("facts", "--json", "--json", "--city", "beijing", "--derived")
    assert result.exit_code == 0 and ids(result) == ["beijing-sector-other"]


@pytest.mark.parametrize(
    ("name", "chosen"),
    [
        (name, choice)
        for name, command in COMMANDS.items()
        for param in command.params
        if param.dest == "format" and any(p.dest == "json" for p in command.params)
        for choice in ("table", "csv", "yaml", "jsonl")
        if name not in ("export",) or choice != "table"
    ],
)
def test_json_with_another_format_is_an_error_naming_both(
    terminal: Path, run: RunCli, name: str, chosen: str
) -> None:
    result = run(name, *_required(name), "--json", "--format", chosen)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"returnees: --json and --format {chosen} ask for two formats; give one of them\n"
    )
    same = run(name, *_required(name), "--format", "json", "--json")
    assert same.exit_code == 0 and same.json() is not None


# --- nested --fields ----------------------------------------------------------------------------


def test_fields_take_nested_keys_in_every_machine_format(run: RunCli) -> None:
    argv = ["facts", "--topic", "education", "--fields", "id,source.short_title,reported_in.date"]
    assert run(*argv, "--json").json() == [
        {
            "id": "shanghai-education",
            "source": {"short_title": "Shanghai returnee startup survey"},
            "reported_in": {"date": "2025-04-01"},
        }
    ]
    rows = list(csv.reader(io.StringIO(run(*argv, "--format", "csv").stdout)))
    assert rows == [
        ["id", "source.short_title", "reported_in.date"],
        ["shanghai-education", "Shanghai returnee startup survey", "2025-04-01"],
    ]
    assert run(*argv, "--format", "yaml").stdout == (
        "- id: shanghai-education\n"
        "  source:\n"
        "    short_title: Shanghai returnee startup survey\n"
        "  reported_in:\n"
        "    date: '2025-04-01'\n"
    )


def test_a_nested_key_through_a_list_of_records_is_taken_from_each(run: RunCli) -> None:
    argv = ["sources", "--fields", "id,described_in.publisher"]
    records = run(*argv, "--json").json()
    assert records[1] == {
        "id": "beijing-blue-book-2025",
        "described_in": [
            {"publisher": "JST Science Portal China"},
            {"publisher": "People's Daily Online, Japanese edition"},
        ],
    }
    assert records[0] == {"id": "china-minutes-2025", "described_in": None}
    rows = list(csv.reader(io.StringIO(run(*argv, "--format", "csv").stdout)))
    assert rows[2] == [
        "beijing-blue-book-2025",
        "JST Science Portal China|People's Daily Online, Japanese edition",
    ]


def test_a_whole_record_asked_for_wins_over_its_keys(run: RunCli) -> None:
    whole = run("show", "shanghai-education", "--json", "--fields", "source.title,source")
    assert whole.json()["source"]["id"] == "shanghai-survey-2024"
    assert len(whole.json()["source"]) == 11


def test_a_bad_nested_key_lists_the_keys_of_its_record(run: RunCli) -> None:
    result = run("facts", "--json", "--fields", "id,source.titel")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "returnees: --fields: unknown field `source.titel`; did you mean `source.title`? "
        "known fields of source: source.id, source.title, source.publisher, source.date, "
        "source.kind, source.short_title, source.title_zh, source.author, source.url, "
        "source.described_in, source.note\n"
    )
    top = run("facts", "--json", "--fields", "vaule")
    assert top.stderr.startswith(
        "returnees: --fields: unknown field `vaule`; did you mean `value`?"
    )
    assert top.stderr.endswith(
        "quote; and with a dot, those of source, reported_in (e.g. source.id)\n"
    )
    flat = run("topics", "--json", "--fields", "topic.x")
    assert flat.stderr == (
        "returnees: --fields: unknown field `topic.x`; did you mean `topic`? known fields: topic, "
        "beijing, shanghai, guangzhou, shenzhen, suzhou, hangzhou, changsha, nationwide\n"
    )


# --- --search folds case, quotes and spaces -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("master's", ["shanghai-education"]),
        ("  MASTER’S DEGREE ", ["shanghai-education"]),
        ("master′s", ["shanghai-education"]),
        ('"post-80s"', ["shanghai-generations"]),
        ("beijing's development", ["beijing-reason-key"]),
        ("regions' policy", ["national-policy-aims"]),
    ],
)
def test_search_folds_case_quotes_and_spaces(run: RunCli, text: str, found: list[str]) -> None:
    result = run("facts", "--search", text, "--json")
    assert result.exit_code == 0 and ids(result) == found


_FACTSET = load_factset([builtin_facts_dir()], use_cache=False)
_TEXTS = [
    (fact.id, text)
    for fact in _FACTSET.facts
    for text in (fact.label, fact.quote or "", fact.population or "", *(fact.items or ()))
    if any(mark in text for mark in "’‘“”")
]


@given(
    st.sampled_from(_TEXTS),
    st.integers(0, 200),
    st.integers(1, 40),
    st.sampled_from([str.upper, str.lower, str.title]),
)
def test_any_piece_of_a_curly_quoted_text_is_found_with_straight_quotes(
    chosen: tuple[str, str], start: int, length: int, case: object
) -> None:
    """Cut any piece of a label, quote or population with a curly quote in it, write its quotes
    straight, change its case and pad it with spaces: the fact is found."""
    fact_id, text = chosen
    piece = text[start % len(text) :][:length].strip()
    if not piece:
        return
    straight = piece.translate(str.maketrans("’‘“”", "''\"\""))
    written = f"  {case(straight)} "  # type: ignore[operator]
    found = queries.select_facts(_FACTSET, search=written)
    assert fact_id in {fact.id for fact in found}


def test_the_built_in_facts_hold_the_curly_quotes_searched_for() -> None:
    assert {fact_id for fact_id, _ in _TEXTS} >= {
        "shanghai-education",
        "shanghai-generations",
        "beijing-reason-key",
        "national-policy-aims",
    }


# --- city names as people write them ------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "slug"),
    [
        ("北京市", "beijing"),
        ("上海市", "shanghai"),
        ("Beijing City", "beijing"),
        ("Peking", "beijing"),
        ("Shanghai Shi", "shanghai"),
        ("shanghai municipality", "shanghai"),
        ("  BEIJING ", "beijing"),
        ("Běijīng", "beijing"),
        ("Canton", "guangzhou"),
        ("杭州市", "hangzhou"),
        ("ＳＨＡＮＧＨＡＩ", "shanghai"),
    ],
)
def test_city_names_as_people_write_them(run: RunCli, written: str, slug: str) -> None:
    as_written = run("facts", "--city", written, "--json")
    assert as_written.exit_code == 0 and as_written.json()
    assert as_written.json() == run("facts", "--city", slug, "--json").json()
    assert run("city", written, "--json").json() == as_written.json()


@pytest.mark.parametrize(
    ("written", "hint"),
    [("Shanghia City", "`shanghai`"), ("Bejing", "`beijing`"), ("Pekin", None)],
)
def test_an_unknown_city_keeps_its_did_you_mean(
    run: RunCli, written: str, hint: str | None
) -> None:
    result = run("facts", "--city", written)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"returnees: unknown city `{written}`; ")
    assert (
        (f"did you mean {hint}?" in result.stderr)
        if hint
        else "did you mean" not in (result.stderr)
    )


@given(st.sampled_from([c.slug for c in _FACTSET.cities.values()]), st.data())
def test_every_city_is_found_by_its_names_with_the_word_for_city(
    slug: str, data: st.DataObject
) -> None:
    city = _FACTSET.cities[slug]
    name = data.draw(st.sampled_from([city.name, city.name_zh or city.name, city.slug]))
    suffix = data.draw(st.sampled_from(["", "市", " City", " shi", " MUNICIPALITY"]))
    assert queries.resolve_city(_FACTSET, f" {name}{suffix} ") == city


# --- completion ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [
        ("returnees facts --source bei", 3, ["beijing-blue-book-2025"]),
        ("returnees facts --source ''", 3, None),
        ("returnees facts --fields id,sou", 3, ["id,source"]),
        ("returnees facts --fields source.ti", 3, ["source.title", "source.title_zh"]),
        ("returnees sources --fields described_in.u", 3, ["described_in.url"]),
        ("returnees facts --topic women,edu", 3, ["women,education"]),
        ("returnees facts --city beijing,", 3, None),
        ("returnees sectors --city nat", 3, ["nationwide"]),
        ("returnees facts --unit pe", 3, ["people", "percent"]),
    ],
)
def test_completion_of_sources_fields_topics_units_and_nationwide(
    tmp_path: Path, words: str, cword: int, expected: list[str] | None
) -> None:
    offered = completions(words, cword, tmp_path)
    if expected is not None:
        assert offered == expected
    elif words.endswith("''"):
        assert offered == list(_FACTSET.sources)
    else:  # after a comma: every other city, and nationwide
        assert "beijing" not in ",".join(o.split(",", 1)[1] for o in offered)
        assert offered[0] == "beijing,shanghai" and "beijing,nationwide" in offered


# --- the empty-result message names the city ----------------------------------------------------

ANGLES = {
    "sectors": "work-sector figures",
    "industries": "industry facts",
    "entrepreneurs": "entrepreneur survey figures",
    "reasons": "reasons",
}


@pytest.mark.parametrize("command", list(ANGLES))
def test_an_empty_angle_names_the_city_and_those_that_have_it(run: RunCli, command: str) -> None:
    """For each city of the facts: either it has figures of this angle, or the note on stderr
    names it and every city that has them (worked out from the whole answer)."""
    having = sorted({r["city"] for r in run(command, "--json").json() if r["city"]})
    names = [_FACTSET.cities[slug].name for slug in having]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    verb = "has" if len(names) == 1 else "have"
    for city in [*_FACTSET.cities.values()]:
        result = run(command, "--city", city.slug, "--json")
        assert result.exit_code == 0
        if city.slug in having:
            assert result.json() and result.stderr == ""
        else:
            assert result.json() == []
            assert result.stderr == (
                f"returnees: no {ANGLES[command]} for {city.name}; {listed} {verb} them\n"
            )
