"""cite: several facts at once, by id or by every filter of `facts`, in four styles, each read
back by a real parser of its format: Markdown (markdown-it with its table and footnote
plugins), BibTeX (bibtexparser), CSL-JSON (the CSL data schema as the csl-data package ships
it, and citeproc-py, which formats a bibliography from it)."""

from __future__ import annotations

import importlib.metadata
import json
import re
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from returnee_cli.citations import bibtex_entry
from returnee_cli.model import Fact, Source
from returnee_cli.untrusted import neutralise

from .conftest import RunCli

SHANGHAI_LOWER_BOUNDS = [
    "shanghai-generations",
    "shanghai-education",
    "shanghai-leading-industries",
    "shanghai-profitability",
]


def test_several_ids_each_cited_in_full(run: RunCli) -> None:
    result = run("cite", "shanghai-education", "beijing-sector-education", "shanghai-education")
    assert result.exit_code == 0, result.stderr
    citations = result.stdout.split("\n\n")
    assert len(citations) == 2  # the repeated id is cited once
    assert citations[0].startswith(
        "Shanghai: Hold a master’s degree or higher, more than 90% of surveyed returnee founders "
        "of startups in Shanghai; sample of 300 respondents."
    )
    assert citations[1].startswith(
        "Beijing: Education, 17.8% of overseas-educated returnees working in Beijing."
    )
    assert "Source: Beijing Western Returned Scholars Association" in citations[1]
    assert citations[1].endswith("Fact id: beijing-sector-education\n")


def test_the_filters_of_facts_select_what_is_cited(run: RunCli) -> None:
    selected = run("cite", "--city", "shanghai", "--qualifier", "more_than", "--json").json()
    listed = run("facts", "--city", "shanghai", "--qualifier", "more_than", "--json").json()
    assert [r["id"] for r in selected] == [r["id"] for r in listed] == SHANGHAI_LOWER_BOUNDS
    education = selected[1]
    assert education["value"] == 90 and education["qualifier"] == "more_than"
    assert education["style"] == "plain"
    assert education["citation"].startswith("Shanghai: Hold a master’s degree or higher, more ")
    assert education["cite_keys"] == ["shanghai-survey-2024", "china-minutes-2025"]
    as_csl = run("cite", "shanghai-education", "--style", "csl-json", "--json").json()
    assert [item["id"] for item in as_csl[0]["citation"]] == as_csl[0]["cite_keys"]


def test_ids_or_filters_one_of_them(run: RunCli) -> None:
    everything = run("cite", "--json").json()
    assert len(everything) == 39  # no id, no filter: every fact, as `facts` lists them
    both = run("cite", "shanghai-education", "--city", "beijing")
    assert both.exit_code == 2
    assert "cite takes fact ids or filters, not both" in both.stderr
    unknown = run("cite", "shanghai-education", "shanghai-educaton")
    assert unknown.exit_code == 2 and unknown.stdout == ""
    assert "did you mean `shanghai-education`?" in unknown.stderr
    nothing = run("cite", "--search", "no such words anywhere")
    assert nothing.exit_code == 0 and nothing.stdout == ""
    assert nothing.stderr == "returnees: no facts match those filters\n"


# --- Markdown: a table with a footnote a fact ---------------------------------------------------


def _markdown(text: str) -> list[Any]:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    return MarkdownIt("commonmark").enable("table").use(footnote_plugin).parse(text)


def test_markdown_many_facts_is_a_table_with_footnotes(run: RunCli) -> None:
    out = run(
        "cite", "--city", "shanghai", "--qualifier", "more_than", "--style", "markdown"
    ).stdout
    tokens = _markdown(out)
    cells: list[str] = []
    row: list[str] = []
    for index, token in enumerate(tokens):
        if token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open"):
            row.append(tokens[index + 1].content)
        elif token.type == "tr_close":
            cells.append(" | ".join(row))
    assert cells[0] == "Figure | What | Of"
    assert cells[2] == (
        "more than 90% | Hold a master’s degree or higher[^shanghai-education] | "
        "surveyed returnee founders of startups in Shanghai"
    )
    assert len(cells) == 1 + len(SHANGHAI_LOWER_BOUNDS)
    references = [
        child.meta["label"]
        for token in tokens
        for child in token.children or []
        if child.type == "footnote_ref"
    ]
    assert references == SHANGHAI_LOWER_BOUNDS
    notes = [t.meta["label"] for t in tokens if t.type == "footnote_open"]
    assert notes == SHANGHAI_LOWER_BOUNDS
    education = out[out.index("[^shanghai-education]:") :].splitlines()[0]
    assert "“They are highly educated, with more than 90% holding a master’s degree" in education
    assert "Source: Think tank of the Western Returned Scholars Association Shanghai" in education
    assert (
        "[Overseas Returnees: Driving Innovation in China](<https://chinaminutes.com/" in education
    )


def test_markdown_of_several_cities_names_the_city(run: RunCli) -> None:
    out = run(
        "cite", "shanghai-women-share", "beijing-sector-education", "--style", "markdown"
    ).stdout
    assert out.splitlines()[:4] == [
        "| City | Figure | What | Of |",
        "|---|---:|---|---|",
        "| Shanghai | 36% | Women among the respondents[^shanghai-women-share] | surveyed "
        "returnee founders of startups in Shanghai |",
        "| Beijing | 17.8% | Education[^beijing-sector-education] | overseas-educated returnees "
        "working in Beijing |",
    ]


# --- BibTeX -------------------------------------------------------------------------------------


def _bibtex(text: str) -> Any:
    from bibtexparser.entrypoint import parse_string

    library = parse_string(text)
    assert not library.failed_blocks, text
    return library


def _fields(entry: Any) -> dict[str, str]:
    return {field.key: field.value for field in entry.fields}


def test_bibtex_one_entry_a_source_with_what_each_fact_takes(run: RunCli) -> None:
    out = run("cite", "--city", "shanghai", "--topic", "women", "--style", "bibtex").stdout
    library = _bibtex(out)
    assert [(e.entry_type, e.key) for e in library.entries] == [
        ("techreport", "shanghai-survey-2024"),
        ("misc", "china-minutes-2025"),
    ]
    survey, article = (_fields(entry) for entry in library.entries)
    assert survey["title"] == (
        "{Building an ideal city for young people's innovation and entrepreneurship: a survey "
        "study of the situation of returnee entrepreneurs in Shanghai}"
    )
    assert survey["author"] == (
        "{Think tank of the Western Returned Scholars Association Shanghai (SORSA), 2024 "
        "project group}"
    )
    assert (survey["year"], survey["month"], survey["date"]) == ("2025", "jan", "2025-01-03")
    assert survey["origtitle"] == "打造青年创新创业的理想之城——上海海归创业者状况调查研究"
    assert "shanghai-women-share: Women among the respondents, 36\\% of surveyed" in survey["note"]
    assert article["url"] == (
        "https://chinaminutes.com/2025/04/01/overseas-returnees-driving-innovation-in-china"
    )
    assert "quoted: “Among 300 respondents, 36\\% were women.”" in article["note"]
    assert article["howpublished"] == "China Minutes"


# The inverse of the escapes citations.bibtex_text writes: what LaTeX would print.
_UNESCAPE = {
    r"\textbackslash{}": "\\",
    r"\textbraceleft{}": "{",
    r"\textbraceright{}": "}",
    r"\textasciitilde{}": "~",
    r"\textasciicircum{}": "^",
    **{"\\" + c: c for c in "%&#$_"},
}
_ESCAPE = re.compile("|".join(re.escape(k) for k in sorted(_UNESCAPE, key=len, reverse=True)))
TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("{}\\@%&#$_~^\n\t \"',=\x1b\u202e\x85")), st.characters()
    ),
    min_size=1,
    max_size=40,
)


@given(TEXT, TEXT, TEXT, TEXT)
def test_hostile_text_never_breaks_the_bibtex(
    title: str, publisher: str, note: str, label: str
) -> None:
    """Whatever a pack's title, publisher, note or label holds, the entry parses as one entry
    with its fields, and each reads back as the text, on one line."""
    source = Source(
        id="src",
        title=title,
        publisher=publisher,
        date="2025-03",
        kind="primary",
        note=note,
        url="https://example.org/a{b}%20c\\d",
    )
    fact = Fact(id="a-fact", topic="t", label=label, source="src", reported_in="src", quote=title)
    library = _bibtex(bibtex_entry(source, [fact]))
    assert [e.key for e in library.entries] == ["src"]
    fields = _fields(library.entries[0])
    read = {
        key: _ESCAPE.sub(lambda m: _UNESCAPE[m.group()], value) for key, value in fields.items()
    }

    def one_line(text: str) -> str:  # as a terminal may show it: no character that drives it
        return neutralise(" ".join(text.split()))

    assert read["title"] == "{" + one_line(title) + "}"
    assert read["author"] == "{" + one_line(publisher) + "}"
    assert read["institution"] == one_line(publisher)
    assert read["annote"] == one_line(note)
    assert read["note"] == one_line(f"Cited for: a-fact: {label}, quoted: “{title}”")
    assert (read["year"], read["month"]) == ("2025", "mar")
    assert fields["url"] == "https://example.org/a%7Bb%7D%20c%5Cd"


# --- CSL-JSON -----------------------------------------------------------------------------------


def _csl_schema() -> dict[str, Any]:
    """The CSL data schema (draft 3) that the csl-data package ships."""
    shipped = importlib.metadata.distribution("csl-data").locate_file("csl_data/csl-data.json")
    return json.loads(Path(str(shipped)).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_csl_json_is_valid_csl_data_and_formats_as_a_bibliography(run: RunCli) -> None:
    import jsonschema
    from citeproc import (  # type: ignore[import-untyped]
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON  # type: ignore[import-untyped]

    out = run("cite", "--source", "beijing-blue-book-2025", "--style", "csl-json").stdout
    items = json.loads(out)
    schema = _csl_schema()
    jsonschema.Draft3Validator(schema).validate(items)
    known = set(schema["items"]["properties"])
    assert all(set(item) <= known for item in items), "only variables the schema declares"
    assert [item["id"] for item in items] == ["beijing-blue-book-2025", "china-minutes-2025"]
    book, article = items
    assert book["type"] == "report" and book["issued"] == {"date-parts": [[2025, 3, 30]]}
    assert book["author"] == [
        {
            "literal": "Beijing Western Returned Scholars Association with the Center for China "
            "and Globalization (CCG)"
        }
    ]
    assert (
        "beijing-sector-science-technology: Science and technology-related fields, 20.84% "
        in (book["note"])
    )
    assert article["type"] == "article-newspaper" and article["container-title"] == "China Minutes"

    import citeproc

    style_file = Path(citeproc.__file__).parent / "data" / "styles" / "harvard-cite-them-right.csl"
    style = CitationStylesStyle(str(style_file), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    entries = [str(entry) for entry in bibliography.bibliography()]
    assert entries[0].startswith(
        "Beijing Western Returned Scholars Association with the Center for China and "
        "Globalization (CCG) (2025) Blue Book on Overseas-Educated Returnees in Beijing."
    )
    assert "“Overseas Returnees: Driving Innovation in China”, China Minutes" in entries[1]


def test_csl_json_escapes_what_could_drive_a_terminal() -> None:
    from returnee_cli.citations import csl_json_text

    title = "a\x1b[2J\u202eb\x9b\U000e0041"
    text = csl_json_text([{"id": "x", "type": "report", "title": title}])
    assert not [c for c in "\x1b\u202e\x9b\U000e0041" if c in text]
    assert json.loads(text)[0]["title"] == title


@given(TEXT, TEXT, TEXT)
def test_hostile_text_never_breaks_the_markdown_table(label: str, base: str, quote: str) -> None:
    """Whatever a label, a base or a quote holds, the table keeps its cells, each fact its one
    footnote, and no text becomes a link, a tag or another footnote."""
    from returnee_cli.citations import markdown_table
    from returnee_cli.model import City, FactSet

    source = Source(id="src", title="T", publisher="P", date="2025", kind="primary")
    facts = [
        Fact(
            id=f"fact-{n}",
            city="wuhan",
            topic="t",
            label=label,
            value=12.5,
            unit="percent",
            qualifier="exact",
            population=base,
            source="src",
            reported_in="src",
            quote=quote,
        )
        for n in (1, 2)
    ]
    cities = {"wuhan": City(slug="wuhan", name="Wuhan")}
    text = markdown_table(facts, FactSet(facts, {"src": source}, cities))
    tokens = _markdown(text)
    rows = [t for t in tokens if t.type == "tr_open"]
    cells = [t for t in tokens if t.type in ("th_open", "td_open")]
    assert len(rows) == 3 and len(cells) == 3 * 3, text
    inline = [child for token in tokens for child in token.children or []]
    refs = [child.meta["label"] for child in inline if child.type == "footnote_ref"]
    assert refs == ["fact-1", "fact-2"], text
    assert [t.meta["label"] for t in tokens if t.type == "footnote_open"] == refs
    assert not [t for t in [*tokens, *inline] if t.type in ("link_open", "html_inline")]
