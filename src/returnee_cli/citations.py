"""A ready-to-paste citation of one fact, in plain text or Markdown. Pure: returns text."""

from __future__ import annotations

from returnee_cli.figures import figure_words, number_text
from returnee_cli.model import Fact, FactSet, Source


def _claim(fact: Fact, factset: FactSet) -> str:
    """'Shanghai: Hold a master’s degree or higher, more than 90% of surveyed returnee ...'"""
    claim = f"{factset.city_of(fact).name}: {fact.label}"
    if fact.value is not None:
        claim += f", {figure_words(fact)}"
        if fact.population:
            claim += f" of {fact.population}" if fact.is_share else f" ({fact.population})"
        if fact.sample_size is not None:
            claim += f"; sample of {number_text(fact.sample_size)} respondents"
    elif fact.items:
        claim += ": " + ", ".join(fact.items)
    return claim + "."


def _source(source: Source, markdown: bool) -> str:
    """Author (or publisher), “Title”, publisher, date, address: the usual order of a reference."""
    title = f"“{source.title}”"
    if markdown:
        title = f"[{source.title}]({source.url})" if source.url else f"*{source.title}*"
    parts = [source.author, title, source.publisher] if source.author else [source.publisher, title]
    parts.append(source.date)
    if source.url and not markdown:
        parts.append(source.url)
    return f"{', '.join(parts)} ({source.kind} source)"


def cite(fact: Fact, factset: FactSet, style: str = "plain") -> str:
    markdown = style == "markdown"
    claim = _claim(fact, factset)
    lines = [f"**{claim}**" if markdown else claim]
    if fact.quote:
        lines.append(f"> {fact.quote}" if markdown else f"“{fact.quote}”")
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
