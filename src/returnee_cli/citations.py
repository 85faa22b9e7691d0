"""A ready-to-paste citation of one fact, in plain text or Markdown. Pure: returns text."""

from __future__ import annotations

import re
from collections.abc import Callable

from returnee_cli.figures import figure_words, number_text
from returnee_cli.model import Fact, FactSet, Source

# What Markdown (and the HTML it may carry) would read as syntax in text from a fact file: a
# title could otherwise close a link and open another, a label open a tag or a table cell. With
# [ and ] escaped, no ( can start a link target; a block marker only counts at a line's start.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~])")
_BLOCK_START = re.compile(r"^([#>+\-=]|\d+[.)])")


def markdown_text(text: str) -> str:
    """Fact-file text as literal Markdown, on one line: what Markdown could read as syntax is
    escaped, and nothing in it can start a block."""
    escaped = _MARKDOWN.sub(r"\\\1", " ".join(text.split()))
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
