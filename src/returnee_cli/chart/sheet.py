"""The HTML fact sheet: the chart inline, a table of the same figures, each figure's quote as a
block quote, and the full record of every source. Self-contained: no script, no web font, no
request to anywhere (a Content-Security-Policy says so to the browser too); plain HTML elements
in reading order, so it reads with CSS off. Every string from a pack is neutralised and escaped
(chart.xml_text). Pure: text in, text out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from returnee_cli import lexicon, records
from returnee_cli.chart import (
    BACKGROUND,
    INK,
    MUTED,
    ChartOptions,
    chart_svg,
    default_subtitle,
    figure_label,
    in_chart_order,
    notes,
    qualifier_of,
    sources_of,
    xml_text,
)
from returnee_cli.figures import interval_text, number_text
from returnee_cli.model import Fact, FactSet, Source

LINK = "#1d4f91"  # 8.1:1 on the background
RULE = "#d0d0d0"
TEXT_COLOURS = (INK, MUTED, LINK)

STYLE = f"""
body {{ margin: 0; background: {BACKGROUND}; color: {INK};
  font-family: 'Liberation Sans', Arial, Helvetica, sans-serif; line-height: 1.45; }}
main {{ max-width: 60rem; margin: 0 auto; padding: 1.5rem; }}
.muted, figcaption, footer, caption {{ color: {MUTED}; }}
a {{ color: {LINK}; }}
figure.chart {{ margin: 1rem 0; }}
figure.chart svg {{ max-width: 100%; height: auto; }}
table {{ border-collapse: collapse; width: 100%; font-size: 0.95rem; }}
th, td {{ border-bottom: 1px solid {RULE}; padding: 0.3rem 0.5rem; text-align: left;
  vertical-align: top; }}
td.number {{ text-align: right; font-variant-numeric: tabular-nums; }}
blockquote {{ margin: 0.5rem 0 0.25rem 0; padding-left: 1rem; border-left: 3px solid {RULE}; }}
dt {{ font-weight: bold; }}
dd {{ margin: 0 0 0.4rem 1rem; overflow-wrap: anywhere; }}
""".strip()

CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _t(text: str) -> str:
    return xml_text(text)


def _table(shown: Sequence[Fact], factset: FactSet) -> list[str]:
    head = ("Figure", "Value", "Read as", "Allows", "Base", "Sample", "Source", "Fact id")
    lines = [
        "<table>",
        "<caption>The figures charted above, with their bounds and bases</caption>",
        "<thead><tr>" + "".join(f'<th scope="col">{h}</th>' for h in head) + "</tr></thead>",
        "<tbody>",
    ]
    for fact in shown:
        source = factset.sources.get(fact.source)
        cells = [
            f'<th scope="row">{_t(fact.label)}</th>',
            f'<td class="number">{_t(figure_label(fact))}</td>',
            f"<td>{lexicon.MEANING[qualifier_of(fact)]}{', derived' if fact.derived else ''}</td>",
            f"<td>{_t(_allows(fact))}</td>",
            f"<td>{_t(fact.population or '')}</td>",
            '<td class="number">'
            + (number_text(fact.sample_size) if fact.sample_size is not None else "")
            + "</td>",
            f"<td>{_t(source.publisher if source else fact.source)}</td>",
            f"<td><code>{_t(fact.id)}</code></td>",
        ]
        lines.append('<tr id="row-' + _t(fact.id) + '">' + "".join(cells) + "</tr>")
    lines += ["</tbody>", "</table>"]
    return lines


def _allows(fact: Fact) -> str:
    """The values a figure allows, as its JSON record's low and high say: an exact one only
    itself ('exactly 20.84%'), never a blank cell."""
    return interval_text(fact) or f"exactly {figure_label(fact)}"


def _quotes(shown: Sequence[Fact], factset: FactSet) -> list[str]:
    lines = ['<h2 id="quotes">What the sources say</h2>']
    for fact in shown:
        reported = factset.sources.get(fact.reported_in)
        where = f", as reported in {_t(reported.title)}" if reported else ""
        lines.append(f'<figure class="quote" id="quote-{_t(fact.id)}">')
        if fact.quote:
            lines.append(f"<blockquote><p>{_t(fact.quote)}</p></blockquote>")
        elif fact.derived:
            lines.append(f"<p>Derived, not stated in the source: {_t(fact.formula or '')}.</p>")
        lines.append(f"<figcaption>{_t(fact.label)}: {_t(figure_label(fact))}{where}")
        if fact.derived:
            lines.append(f". Computed from {_t(', '.join(fact.derived_from))}")
        lines.append("</figcaption></figure>")
    return lines


def _value(value: Any, key: str = "") -> str:
    """A value of a source record: text escaped, an address (a `url`, checked as http(s) when the
    fact file was read) a plain link, a list of reports each as its own list."""
    if isinstance(value, list):
        return "<ul>" + "".join(f"<li>{_value(item)}</li>" for item in value) + "</ul>"
    if isinstance(value, dict):
        return (
            "<dl>"
            + "".join(
                f"<dt>{_t(name)}</dt><dd>{_value(item, name)}</dd>"
                for name, item in value.items()
                if item is not None
            )
            + "</dl>"
        )
    text = str(value)
    if key == "url" and text.startswith(("https://", "http://")):
        return f'<a href="{_t(text)}">{_t(text)}</a>'
    return _t(text)


def _source_records(sources: Sequence[Source]) -> list[str]:
    lines = ['<h2 id="sources">Sources</h2>']
    for source in sources:
        lines.append(f'<section class="source" id="source-{_t(source.id)}">')
        lines.append(f"<h3>{_t(source.title)}</h3>")
        lines.append(_value(records.source_record(source)))
        lines.append("</section>")
    return lines


def fact_sheet(facts: Sequence[Fact], factset: FactSet, options: ChartOptions, title: str) -> str:
    """The fact sheet as one HTML document."""
    shown = in_chart_order(facts)
    chart_title = options.title if options.title is not None else title
    subtitle = options.subtitle if options.subtitle is not None else default_subtitle(shown)
    producers, read_in = sources_of(shown, factset)
    svg = chart_svg(facts, factset, options, title, headed=False)  # the page's h1 heads it
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_t(chart_title)}</title>",
        f"<style>\n{STYLE}\n</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{_t(chart_title)}</h1>",
        f'<p class="muted">{_t(subtitle)}</p>',
        '<figure class="chart">',
        svg.rstrip("\n"),
        "</figure>",
        '<h2 id="figures">The figures</h2>',
        *_table(shown, factset),
        *(f'<p class="muted">{_t(note)}</p>' for note in notes(shown)),
        *_quotes(shown, factset),
        *_source_records([*producers, *read_in]),
        "<footer>",
        "<p>Source: "
        + "; ".join(f"{_t(s.publisher)}, {_t(s.title)}" for s in producers)
        + (".</p>" if producers else "</p>"),
        "<p>Fact sheet made with returnees (returnee-cli)"
        + (f" by {_t(options.byline)}" if options.byline else "")
        + ". The figures are the sources&#39;; credit them.</p>",
        "</footer>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(lines) + "\n"
