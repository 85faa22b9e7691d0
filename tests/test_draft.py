"""`returnees draft`: a text -> the facts it states, proposed, in English and Chinese; the pack
folder it writes; and `validate` naming each placeholder of an unfinished draft."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from returnee_cli import lexicon
from returnee_cli.checks import normalise
from returnee_cli.draft import draft_text
from returnee_cli.loading import load_factset
from returnee_cli.sentences import split_sentences

from .conftest import ARTICLE, RunCli
from .test_fact_set import STATED_FIGURES

# Written for these tests; its figures mean nothing. Each line of EXPECTED_EN was worked out by
# hand from it: (value, high, unit, qualifier, the sentence quoted).
ENGLISH = """\
# A note about the file, not the text: 1999 and 42% here are never read.
A Survey of Returnee Founders

In 2024, the survey heard from 1,250 companies founded by returnees. Over 70% of the founders
belong to the post-80s generation, and no more than 15% plan to move abroad again.
At least 25% reached profitability within three years, while fewer than 10% report trouble
raising funds. About 30% expect to list on a stock exchange, and nearly 40% have investors abroad.
Between 20% and 30% already export, and 45-55% hire abroad. Up to 12.50% of revenue goes to
research.
The top factors are talent, market potential, and location. Founders work in industries such as
AI, biotech, and clean energy.
The report was released on March 30, 2025 (No. 1 in the series) at the 2nd annual forum; call
+86 10 6512 3456 for copies.
1. Talent policies
The city's 3.5 million residents include 580,000 returnees.
"""
S1 = "In 2024, the survey heard from 1,250 companies founded by returnees."
S2 = (
    "Over 70% of the founders belong to the post-80s generation, and no more than 15% plan to "
    "move abroad again."
)
S3 = (
    "At least 25% reached profitability within three years, while fewer than 10% report "
    "trouble raising funds."
)
S4 = "About 30% expect to list on a stock exchange, and nearly 40% have investors abroad."
S5 = "Between 20% and 30% already export, and 45-55% hire abroad."
S6 = "Up to 12.50% of revenue goes to research."
S7 = "The city's 3.5 million residents include 580,000 returnees."
EXPECTED_EN = [
    ("1250", None, "companies", "exact", S1),
    ("70", None, "percent", "more_than", S2),
    ("15", None, "percent", "at_most", S2),
    ("25", None, "percent", "at_least", S3),
    ("10", None, "percent", "less_than", S3),
    ("30", None, "percent", "about", S4),
    ("40", None, "percent", "about", S4),
    ("20", "30", "percent", "range", S5),
    ("45", "55", "percent", "range", S5),
    ("12.5", None, "percent", "at_most", S6),  # written 12.50 in the YAML: see the test
    ("3.5", None, "million-people", "exact", S7),
    ("580000", None, "people", "exact", S7),
]
EXPECTED_EN_LISTS = [
    (["talent", "market potential", "location"], "complete"),
    (["AI", "biotech", "clean energy"], "examples"),
]

CHINESE = """\
上海海归创业调查

2024年3月30日，调查共收到300余家企业的回复。其中超过70%的创始人是“80后”和“90后”，不超过15%计划再次出国。
至少25%的受访者在三年内实现盈利，不到10%表示融资困难。约30%的企业年营收在1.2亿元左右，将近40%拥有海外投资者。
受访企业中70%以上从事新兴产业，包括人工智能、生物医药和新能源等领域。百分之三十六的创始人是女性。
全市共有58万人留学归国，其中20%至30%之间在浦东工作。创业者看重的因素主要有：人才资源、市场潜力和地理位置。
第三届论坛的报名电话：010-6512 3456。
1、政策支持
"""
Z1 = "2024年3月30日，调查共收到300余家企业的回复。"
Z2 = "其中超过70%的创始人是“80后”和“90后”，不超过15%计划再次出国。"
Z3 = "至少25%的受访者在三年内实现盈利，不到10%表示融资困难。"
Z4 = "约30%的企业年营收在1.2亿元左右，将近40%拥有海外投资者。"
Z5 = "受访企业中70%以上从事新兴产业，包括人工智能、生物医药和新能源等领域。"
Z6 = "百分之三十六的创始人是女性。"
Z7 = "全市共有58万人留学归国，其中20%至30%之间在浦东工作。"
Z8 = "创业者看重的因素主要有：人才资源、市场潜力和地理位置。"
EXPECTED_ZH = [
    ("300", None, "companies", "more_than", Z1),  # 300余家: more than 300 companies
    ("70", None, "percent", "more_than", Z2),  # 超过70%; 80后 and 90后 are generations
    ("15", None, "percent", "at_most", Z2),  # 不超过, never 超过
    ("25", None, "percent", "at_least", Z3),
    ("10", None, "percent", "less_than", Z3),
    ("30", None, "percent", "about", Z4),
    ("120000000", None, "yuan", "about", Z4),  # 1.2亿元左右
    ("40", None, "percent", "about", Z4),
    ("70", None, "percent", "more_than", Z5),  # 70%以上
    ("36", None, "percent", "exact", Z6),  # 百分之三十六
    ("580000", None, "people", "exact", Z7),  # 58万人
    ("20", "30", "percent", "range", Z7),  # 20%至30%之间
]
EXPECTED_ZH_LISTS = [
    (["人工智能", "生物医药", "新能源"], "examples"),  # 包括 ... 等
    (["人才资源", "市场潜力", "地理位置"], "complete"),  # 主要有：
]


def _facts(stdout: str) -> list[dict[str, Any]]:
    document = yaml.safe_load(stdout)
    facts: list[dict[str, Any]] = document["facts"]
    return facts


def _figures(facts: list[dict[str, Any]]) -> list[tuple[str, str | None, str, str, str]]:
    return [
        (
            str(f["value"]),
            None if "high" not in f else str(f["high"]),
            f["unit"],
            f["qualifier"],
            f["quote"],
        )
        for f in facts
        if "value" in f
    ]


def _lists(facts: list[dict[str, Any]]) -> list[tuple[list[str], str]]:
    return [(f["items"], f["list_kind"]) for f in facts if "items" in f]


@pytest.mark.parametrize(
    ("text", "lang", "figures", "lists"),
    [
        (ENGLISH, "en", EXPECTED_EN, EXPECTED_EN_LISTS),
        (CHINESE, "zh", EXPECTED_ZH, EXPECTED_ZH_LISTS),
    ],
    ids=["english", "chinese"],
)
def test_draft_finds_every_figure_and_list_and_nothing_else(
    run: RunCli, tmp_path: Path, text: str, lang: str, figures: list[Any], lists: list[Any]
) -> None:
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    for chosen in ("auto", lang):
        drafted = run("draft", str(path), "--lang", chosen, "--source", "my-report")
        assert drafted.exit_code == 0, drafted.stderr
        facts = _facts(drafted.stdout)
        # the YAML keeps 12.50 as written: its precision is part of the figure
        assert "value: 12.50\n" in drafted.stdout or lang == "zh"
        assert _figures(facts) == figures
        assert _lists(facts) == lists
        assert all(f["source"] == f["reported_in"] == "my-report" for f in facts)
        assert [f["id"] for f in facts] == [f"my-report-{n}" for n in range(1, len(facts) + 1)]
        assert f"drafted {len(facts)} facts" in drafted.stderr


def test_the_non_figures_are_left_out() -> None:
    """Years, dates, decades as names, ordinals, list numbering and phone numbers: none is a
    figure, in either language."""
    for text in (
        "In 2024 and 2025, the work went on.",
        "It was released on March 30, 2025, or 30 March 2025, or 2025-03-30, at 10:30.",
        "They belong to the post-80s and post-90s generations.",
        "It came 1st and 2nd, No. 1 in the top 10 of Section 3.",
        "1. Talent policies",
        "(2) Housing",
        "Call +86 10 6512 3456, (010) 6512-3456 or 400-810-5000.",
        "2024年3月30日发布。",
        "“80后”和“90后”创业者。",
        "第三届论坛在第2会场。",
        "1、政策支持",
        "电话：13812345678。",
    ):
        assert [f.figure for f in draft_text(text).facts if f.figure] == [], text


def test_drafting_the_stored_article_finds_every_shipped_figure_and_nothing_more(
    run: RunCli,
) -> None:
    drafted = run("draft", str(ARTICLE), "--source", "china-minutes-2025")
    assert drafted.exit_code == 0, drafted.stderr
    factset = load_factset()
    expected = sorted(
        (
            str(factset.by_id[fact_id].value),
            unit,
            qualifier,
            normalise(factset.by_id[fact_id].quote or ""),
        )
        for fact_id, _, unit, qualifier in STATED_FIGURES
    )
    found = sorted(
        (str(value), unit, qualifier, normalise(quote))
        for value, _, unit, qualifier, quote in _figures(_facts(drafted.stdout))
    )
    assert found == expected


def test_a_drafted_quote_is_the_sentence_verbatim() -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    body = normalise("\n".join(line for line in text.splitlines() if not line.startswith("#")))
    for fact in draft_text(text).facts:
        assert normalise(fact.sentence.text) in body
        assert fact.sentence.text in [s.text for s in split_sentences(text)]


# --- the pack folder, and validate on an unfinished draft ----------------------------------------

FILLED = {
    "topic": "survey",
    "population": "surveyed founders",
    "title": "A survey",
    "publisher": "A publisher",
    "date": "2025-01-03",
    "kind": "secondary",
    "name": "Example Town",
}


def fill_in(folder: Path) -> None:
    """What a person does with a draft: write every placeholder (a city line removed: a
    nationwide fact)."""
    for path in folder.glob("*.yaml"):
        kept = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            placeholder = re.match(r"^(\s*)(\w+): '<to fill in", line)
            if placeholder:
                indent, key = placeholder.groups()
                if key == "city":
                    continue
                value = f"Label of line {number}" if key == "label" else FILLED[key]
                line = f"{indent}{key}: {value}"
            kept.append(line)
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")


def placeholder_lines(folder: Path) -> set[tuple[str, int, str]]:
    found = set()
    for path in folder.glob("*.yaml"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            placeholder = re.match(r"^\s*(?:- )?(\w+): '<to fill in", line)
            if placeholder:
                found.add((path.name, number, placeholder.group(1)))
    return found


@pytest.mark.parametrize("text", [ENGLISH, CHINESE], ids=["english", "chinese"])
def test_a_drafted_pack_names_each_placeholder_then_validates_once_filled(
    run: RunCli, tmp_path: Path, text: str
) -> None:
    source = tmp_path / "report.txt"
    source.write_text(text, encoding="utf-8")
    pack = tmp_path / "pack"
    written = run("draft", str(source), "-o", str(pack), "--city", "example-town")
    assert written.exit_code == 0, written.stderr
    assert written.stdout == ""
    assert sorted(p.name for p in pack.iterdir()) == ["facts.yaml", "report.txt", "sources.yaml"]
    assert (pack / "report.txt").read_text(encoding="utf-8") == text
    assert "wrote facts.yaml, sources.yaml and report.txt to" in written.stderr

    unfinished = run("validate", str(pack), "--json")
    assert unfinished.exit_code == 1
    errors = unfinished.json()["errors"]
    # every problem is a placeholder, named at its own line: no crash, no unrelated errors
    assert {e["code"] for e in errors} == {"to-fill-in"}
    where = {(Path(e["file"]).name, e["line"], e["key"]) for e in errors}
    assert where == placeholder_lines(pack)
    assert all("is to fill in" in e["message"] for e in errors)
    facts = yaml.safe_load((pack / "facts.yaml").read_text(encoding="utf-8"))["facts"]
    assert all(f["city"] == "example-town" for f in facts)  # --city filled it in
    sources = yaml.safe_load((pack / "sources.yaml").read_text(encoding="utf-8"))
    assert sources["cities"] == [  # a city no loaded pack declares: declared, its name to write
        {"slug": "example-town", "name": "<to fill in: the city's English name, e.g. Hangzhou>"}
    ]

    fill_in(pack)
    checked = run("validate", str(pack))
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("valid: 2 files")


@pytest.mark.parametrize(
    ("given", "city"), [("上海", "shanghai"), ("Hangzhou City", "hangzhou"), ("全国", None)]
)
def test_a_known_city_is_named_as_people_write_it(
    run: RunCli, tmp_path: Path, given: str, city: str | None
) -> None:
    source = tmp_path / "report.txt"
    source.write_text(CHINESE, encoding="utf-8")
    drafted = run("draft", str(source), "--city", given)
    assert drafted.exit_code == 0, drafted.stderr
    assert {f.get("city") for f in _facts(drafted.stdout)} == {city}


def test_a_pack_is_never_overwritten_without_force(run: RunCli, tmp_path: Path) -> None:
    source = tmp_path / "report.txt"
    source.write_text(ENGLISH, encoding="utf-8")
    pack = tmp_path / "pack"
    assert run("draft", str(source), "-o", str(pack)).exit_code == 0
    (pack / "facts.yaml").write_text("# my work\n", encoding="utf-8")
    refused = run("draft", str(source), "-o", str(pack))
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"returnees: -o: {pack / 'facts.yaml'} exists; add --force to replace the pack's files\n"
    )
    assert (pack / "facts.yaml").read_text(encoding="utf-8") == "# my work\n"
    forced = run("draft", str(source), "-o", str(pack), "--force")
    assert forced.exit_code == 0
    assert (pack / "facts.yaml").read_text(encoding="utf-8").startswith("# Drafted by")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--source", "My Report"], "--source 'My Report' must be lowercase letters"),
        (["--city", "Example Town"], "--city 'Example Town' must be lowercase letters"),
    ],
)
def test_a_bad_slug_is_refused_with_the_fix(
    run: RunCli, tmp_path: Path, args: list[str], message: str
) -> None:
    source = tmp_path / "report.txt"
    source.write_text(ENGLISH, encoding="utf-8")
    refused = run("draft", str(source), *args)
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"returnees: {message}")
    assert refused.stdout == ""


def test_a_text_that_is_not_utf8_is_refused_with_its_line(run: RunCli, tmp_path: Path) -> None:
    source = tmp_path / "report.txt"
    source.write_bytes("第一行\n".encode() + "第二行".encode("gbk"))
    refused = run("draft", str(source))
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"returnees: {source}:2: is not UTF-8 text (byte 10); save it as UTF-8\n"
    )


# --- properties: every wording of every bound, in either language ------------------------------

WORDED = [
    (phrase, qualifier)
    for wording in (lexicon.WORDING, lexicon.WORDING_ZH)
    for qualifier, phrases in wording.items()
    for phrase in phrases
]


@given(
    worded=st.sampled_from(WORDED),
    whole=st.integers(min_value=1, max_value=99),
    tenths=st.one_of(st.none(), st.integers(min_value=0, max_value=9)),
)
def test_every_wording_gives_its_qualifier(
    worded: tuple[str, str], whole: int, tenths: int | None
) -> None:
    phrase, qualifier = worded
    number = f"{whole}.{tenths}" if tenths is not None else str(whole)
    if phrase.isascii():
        sentence = f"Of those asked, {phrase} {number}% work in research."
    else:
        sentence = f"受访者中{phrase}{number}%从事研究工作。"
    (fact,) = draft_text(sentence).facts
    assert fact.figure is not None
    assert (fact.figure.value_text, fact.figure.unit, fact.figure.qualifier) == (
        number,
        "percent",
        qualifier,
    )


UNSAFE = ["\x1b[31m", "\x9b", "\u202e", "\u200b", "\x07", "\U000e0041"]


@given(
    st.lists(
        st.one_of(
            st.text(max_size=40),
            st.sampled_from([*UNSAFE, "Over 70% ", "58万人", "。", ". ", "\n\n", "such as a, b"]),
        ),
        max_size=12,
    ).map("".join)
)
def test_any_text_drafts_to_yaml_that_reads_back_verbatim_and_drives_no_terminal(
    text: str,
) -> None:
    from returnee_cli.draft import fact_records, to_yaml
    from returnee_cli.untrusted import neutralise

    written = to_yaml({"facts": fact_records(draft_text(text), "s", None)})
    assert neutralise(written, lines=True) == written  # every control as an escape
    document = yaml.safe_load(written)
    for fact in document["facts"] or ():
        assert normalise(fact["quote"]) in normalise(text)  # the escapes read back exactly


def test_the_loader_holds_a_chinese_qualifier_to_its_quote(run: RunCli, tmp_path: Path) -> None:
    """The lexicon's Chinese wording is the loader's too: 超过70% is not exact, 70%以上 is
    more_than, 1.2亿元 is 120000000 yuan."""
    source = tmp_path / "report.txt"
    source.write_text(CHINESE, encoding="utf-8")
    pack = tmp_path / "pack"
    assert run("draft", str(source), "-o", str(pack), "--source", "zh-report").exit_code == 0
    fill_in(pack)
    facts_file = pack / "facts.yaml"
    text = facts_file.read_text(encoding="utf-8")
    # the second fact is 超过70%: call it exact
    wrong = text.replace("qualifier: more_than", "qualifier: exact", 2).replace(
        "qualifier: exact", "qualifier: more_than", 1
    )
    facts_file.write_text(wrong, encoding="utf-8")
    checked = run("validate", str(pack), "--json")
    assert checked.exit_code == 1
    (error,) = checked.json()["errors"]
    assert error["code"] == "qualifier" and error["key"] == "qualifier"
    assert (
        "fact `zh-report-2` is `exact` but its quote says “超过70”: “超过” is a strict lower bound"
        in error["message"]
    )


DOC_PACK = {
    name: body
    for _, role, name, body in re.findall(
        r"^```(\w+)(?: (file)=(\S+))?\n(.*?)\n```$",
        (Path(__file__).parents[1] / "docs" / "drafting.md").read_text(encoding="utf-8"),
        re.MULTILINE | re.DOTALL,
    )
    if role == "file"
}
# Every `key: value` line of the finished walk-through pack: (file, line number, key).
KEY_LINES = [
    (name, number, key.group(1))
    for name in ("my-pack/facts.yaml", "my-pack/sources.yaml")
    for number, line in enumerate(DOC_PACK[name].splitlines(), 1)
    if (key := re.match(r"^\s*(?:- )?(\w+): \S", line))
    # not the ids and the references to them: what cites an id to fill in cannot be resolved
    and key.group(1) not in ("id", "slug", "source", "reported_in")
]


@pytest.mark.parametrize(("name", "number", "key"), KEY_LINES, ids=lambda v: str(v))
def test_a_placeholder_in_any_key_is_the_one_problem_named(
    run: RunCli, tmp_path: Path, name: str, number: int, key: str
) -> None:
    """Whatever key a person leaves as a placeholder (or a draft does), validate names that one,
    at its line, and nothing else."""
    for written, body in DOC_PACK.items():
        (tmp_path / written).parent.mkdir(exist_ok=True)
        (tmp_path / written).write_text(body + "\n", encoding="utf-8")
    stored = tmp_path / "my-pack" / "example-report-2025.txt"  # as draft -o stores it
    stored.write_text(DOC_PACK["example-report.txt"] + "\n", encoding="utf-8")
    path = tmp_path / name
    lines = path.read_text(encoding="utf-8").splitlines()
    head = re.match(r"^(\s*(?:- )?\w+): ", lines[number - 1])
    assert head is not None
    lines[number - 1] = f"{head.group(1)}: '<to fill in: the {key}>'"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    checked = run("validate", str(tmp_path / "my-pack"), "--json")
    assert checked.exit_code == 1
    errors = [
        (Path(e["file"]).name, e["line"], e["key"], e["code"]) for e in checked.json()["errors"]
    ]
    assert errors == [(Path(name).name, number, key, "to-fill-in")]
