"""Ready-to-paste citations: of one fact in plain text or Markdown, of many as a Markdown table
with footnotes, and of their sources as BibTeX or CSL-JSON for a reference manager. Pure:
returns text (or, for a JSON record, CSL items)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from returnee_cli.figures import figure_words, interval_text, number_text
from returnee_cli.model import Fact, FactSet, Source
from returnee_cli.untrusted import json_safe, neutralise

# What Markdown (and the HTML it may carry) would read as syntax in text from a fact file: a
# title could otherwise close a link and open another, a label open a tag or a table cell. With
# [ and ] escaped, no ( can start a link target; a block marker only counts at a line's start.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~])")
_BLOCK_START = re.compile(r"^([#>+\-=]|\d+[.)])")


def markdown_text(text: str, *, inline: bool = False) -> str:
    """Fact-file text as literal Markdown, on one line: what Markdown could read as syntax is
    escaped, and nothing in it can start a block (`inline`: text that never starts a line, a
    table cell or a footnote's text, where '17.8%' starts no list)."""
    escaped = _MARKDOWN.sub(r"\\\1", " ".join(text.split()))
    if inline:
        return escaped
    return _BLOCK_START.sub(lambda m: m.group()[:-1] + "\\" + m.group()[-1], escaped)


def _plain(text: str) -> str:
    return text


def _claim(fact: Fact, factset: FactSet, text: Callable[[str], str]) -> str:
    """'Shanghai: Hold a master’s degree or higher, more than 90% of surveyed returnee ...'"""
    claim = f"{text(factset.city_of(fact).name)}: {text(fact.label)}"
    if fact.value is not None:
        claim += f", {text(figure_words(fact))}"
        if fact.population:
            base = text(fact.population)
            claim += f" of {base}" if fact.is_share else f" ({base})"
        if fact.sample_size is not None:
            claim += f"; sample of {number_text(fact.sample_size)} respondents"
    elif fact.items:
        claim += ": " + ", ".join(text(item) for item in fact.items)
    return claim + "."


def _source(source: Source, markdown: bool) -> str:
    """Author (or publisher), “Title”, publisher, date, address: the usual order of a reference."""
    text = markdown_text if markdown else _plain
    title = f"“{source.title}”"
    if markdown:  # the url is http(s), checked when it was read; <> keep it one destination
        named = text(source.title)
        title = f"[{named}](<{source.url}>)" if source.url else f"*{named}*"
    author, publisher = (text(source.author) if source.author else None), text(source.publisher)
    parts = [author, title, publisher] if author else [publisher, title]
    parts.append(text(source.date))
    if source.url and not markdown:
        parts.append(source.url)
    return f"{', '.join(parts)} ({source.kind} source)"


def cite(fact: Fact, factset: FactSet, style: str = "plain") -> str:
    markdown = style == "markdown"
    text = markdown_text if markdown else _plain
    claim = _claim(fact, factset, text)
    lines = [f"**{claim}**" if markdown else claim]
    if fact.quote:
        lines.append(f"> {text(fact.quote)}" if markdown else f"“{fact.quote}”")
    if fact.derived:
        lines.append(
            f"Derived, not stated in the source: {fact.formula}, computed from "
            f"{', '.join(fact.derived_from)}."
        )
    source = factset.sources[fact.source]
    lines.append(f"Source: {_source(source, markdown)}.")
    if fact.reported_in != fact.source:
        lines.append(f"Reported in: {_source(factset.sources[fact.reported_in], markdown)}.")
    lines.append(f"Fact id: {fact.id}" if not markdown else f"Fact id: `{fact.id}`")
    return ("\n\n" if markdown else "\n").join(lines) + "\n"


# --- many facts at once: a Markdown table with footnotes, BibTeX and CSL-JSON for the sources -----


def cited_sources(facts: Sequence[Fact], factset: FactSet) -> list[Source]:
    """The sources of these facts, each once, in the order the facts name them: the source of
    each figure, then the document its quote is read in."""
    ids = dict.fromkeys(i for fact in facts for i in (fact.source, fact.reported_in))
    return [factset.sources[source_id] for source_id in ids]


def cite_keys(fact: Fact) -> list[str]:
    """The keys of a fact's entries in BibTeX and CSL-JSON: its sources' ids (slugs, which both
    formats take as they are), the figure's source first."""
    return list(dict.fromkeys((fact.source, fact.reported_in)))


def citations(facts: Sequence[Fact], factset: FactSet, style: str) -> str:
    """The citation of these facts in one style, as text to paste."""
    if style == "bibtex":
        return bibtex(facts, factset)
    if style == "csl-json":
        return csl_json_text(csl_items(facts, factset))
    if style == "markdown" and len(facts) > 1:
        return markdown_table(facts, factset)
    return "\n".join(cite(fact, factset, style) for fact in facts)


def citation_of(fact: Fact, factset: FactSet, style: str) -> Any:
    """One fact's citation for its JSON record: text for plain, markdown and bibtex (the entries
    of its sources), CSL items (objects, never text to parse) for csl-json."""
    if style == "csl-json":
        return csl_items([fact], factset)
    if style == "bibtex":
        return bibtex([fact], factset)
    return cite(fact, factset, style)


def _figure_cell(fact: Fact) -> str:
    """The figure in words; a derived one says so in the cell itself, with the values it allows
    (a footnote can be lost on the way into a page)."""
    if fact.value is None:
        return "—"
    if fact.derived:
        allows = interval_text(fact) if fact.low != fact.high else ""
        return f"{figure_words(fact)} (derived{', ' + allows if allows else ''})"
    return figure_words(fact)


def markdown_table(facts: Sequence[Fact], factset: FactSet) -> str:
    """A Markdown table of the facts (figure with its qualifier in words, what it is, what it
    is a share of), each with a footnote that holds its quote and its sources. The footnotes
    are labelled by fact id: unique, stable, and safe (a slug) in a footnote label."""

    def cell(text: str) -> str:  # a cell or a footnote's text never starts a line
        return markdown_text(text, inline=True)

    cities = list(dict.fromkeys(factset.city_of(fact).name for fact in facts))
    with_city = len(cities) > 1
    head = ["City"] if with_city else []
    lines = [
        "| " + " | ".join([*head, "Figure", "What", "Of"]) + " |",
        "|" + "---|" * len(head) + "---:|---|---|",
    ]
    for fact in facts:
        what = cell(fact.label)
        if fact.items:
            what += ": " + "; ".join(cell(item) for item in fact.items)
        cells = [cell(factset.city_of(fact).name)] if with_city else []
        cells += [
            cell(_figure_cell(fact)),
            f"{what}[^{fact.id}]",
            cell(fact.population or "") or "—",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for fact in facts:
        parts = [f"“{cell(fact.quote)}”"] if fact.quote else []
        if fact.sample_size is not None and fact.value is not None:
            parts.append(f"Sample of {number_text(fact.sample_size)} respondents.")
        if fact.derived:
            parts.append(
                f"Derived, not stated in the source: {cell(fact.formula or '')}, "
                f"computed from {', '.join(f'`{i}`' for i in fact.derived_from)}."
            )
        parts.append(f"Source: {_source(factset.sources[fact.source], True)}.")
        if fact.reported_in != fact.source:
            parts.append(f"Reported in: {_source(factset.sources[fact.reported_in], True)}.")
        parts.append(f"Fact id: `{fact.id}`.")
        lines.append(f"[^{fact.id}]: " + " ".join(parts))
    return "\n".join(lines) + "\n"


def _cited_for(source: Source, facts: Sequence[Fact]) -> list[str]:
    """What each fact takes from this source: its figure (label and figure in words), and the
    quote where it is read in it: the note of the source's entry."""
    notes = []
    for fact in facts:
        if source.id not in (fact.source, fact.reported_in):
            continue
        note = f"{fact.id}: {fact.label}"
        if fact.value is not None and fact.source == source.id:
            note += f", {figure_words(fact)}"
            if fact.population:
                note += f" of {fact.population}" if fact.is_share else f" ({fact.population})"
        if fact.quote and fact.reported_in == source.id:
            note += f", quoted: “{fact.quote}”"
        notes.append(note)
    return notes


# --- BibTeX -----------------------------------------------------------------------------------

# Text in a braced BibTeX value: BibTeX counts braces whatever stands before them (so \{ would
# still open a group), and LaTeX reads \ % & # $ _ ~ ^ as syntax. Each becomes a command with
# balanced braces; @ stays (inside braces it starts no entry), newlines become spaces.
_BIBTEX = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_SPECIAL = re.compile("[" + re.escape("".join(_BIBTEX)) + "]")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def bibtex_text(text: str) -> str:
    """Fact-file text as the inside of a braced BibTeX value: on one line, no character that
    could drive a terminal, and none that BibTeX or LaTeX would read as syntax."""
    one_line = neutralise(" ".join(text.split()))
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX[m.group()], one_line)


_URL_UNSAFE = re.compile(r"[\s{}\\]")


def bibtex_url(url: str) -> str:
    """An address as a BibTeX url value, which \\url reads as it is (no LaTeX escapes): what
    could unbalance the braces or break the line is percent-encoded, as an address allows."""
    safe = neutralise(url)
    return _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), safe)


def bibtex_entry(source: Source, facts: Sequence[Fact]) -> str:
    """One entry: @techreport for a study (primary), @misc for a report of it; the source's id
    is its key. Names stay as written: a corporate author in double braces, never split into
    first and last names."""
    kind = "techreport" if source.kind == "primary" else "misc"
    fields: list[tuple[str, str]] = [("title", "{" + bibtex_text(source.title) + "}")]
    fields.append(("author", "{" + bibtex_text(source.author or source.publisher) + "}"))
    fields.append(("institution" if kind == "techreport" else "howpublished", source.publisher))
    parts = source.date.split("-")
    fields.append(("year", parts[0]))
    if len(parts) > 1:
        fields.append(("month", _MONTHS[int(parts[1]) - 1]))
    fields.append(("date", source.date))
    if source.url:
        fields.append(("url", source.url))
    if source.title_zh:
        fields.append(("origtitle", source.title_zh))
    cited = _cited_for(source, facts)
    if cited:
        fields.append(("note", "Cited for: " + "; ".join(cited)))
    if source.note:
        fields.append(("annote", source.note))
    body = []
    for name, value in fields:
        if name == "month":
            body.append(f"  {name} = {value},")  # the month macro, as BibTeX styles expect
        elif name in ("title", "author"):
            body.append(f"  {name} = {{{value}}},")  # already escaped, kept as one group
        elif name == "url":
            body.append(f"  {name} = {{{bibtex_url(value)}}},")
        else:
            body.append(f"  {name} = {{{bibtex_text(value)}}},")
    return f"@{kind}{{{source.id},\n" + "\n".join(body) + "\n}\n"


def bibtex(facts: Sequence[Fact], factset: FactSet) -> str:
    """A BibTeX entry for each source of these facts, in the order they are named."""
    return "\n".join(bibtex_entry(source, facts) for source in cited_sources(facts, factset))


# --- CSL-JSON ---------------------------------------------------------------------------------


def csl_item(source: Source, facts: Sequence[Fact]) -> dict[str, Any]:
    """One CSL-JSON item (the input of Zotero, Pandoc, citeproc): a report for a study (its
    publisher), a news article for a report of it (published in its publisher); the source's
    id is its id; names as literals, never split into given and family names."""
    item: dict[str, Any] = {
        "id": source.id,
        "type": "report" if source.kind == "primary" else "article-newspaper",
        "title": source.title,
        "author": [{"literal": source.author or source.publisher}],
        "issued": {"date-parts": [[int(part) for part in source.date.split("-")]]},
    }
    publisher = "publisher" if source.kind == "primary" else "container-title"
    item[publisher] = source.publisher
    if source.url:
        item["URL"] = source.url
    if source.title_zh:
        item["original-title"] = source.title_zh
    cited = _cited_for(source, facts)
    if cited:
        item["note"] = "Cited for: " + "; ".join(cited)
    if source.note:
        item["annote"] = source.note
    return item


def csl_items(facts: Sequence[Fact], factset: FactSet) -> list[dict[str, Any]]:
    return [csl_item(source, facts) for source in cited_sources(facts, factset)]


def csl_json_text(items: list[dict[str, Any]]) -> str:
    """CSL-JSON as text, safe on a terminal as all our JSON is (untrusted.json_safe): every
    character that could drive it written as a JSON escape, which reads back as itself."""
    return json_safe(json.dumps(items, ensure_ascii=False, indent=2)) + "\n"
