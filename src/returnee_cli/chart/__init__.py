"""Publishable charts of figures: `returnees chart VIEW -o FILE` (.svg, .png, .html).

The SVG is written here, by hand: a chart of horizontal bars is simple geometry, and writing it
ourselves keeps every byte deterministic (no dates, no random ids), keeps text as text, puts each
figure's fact id on its mark, and draws each qualifier as docs/charts.md describes, without a
dependency. Only PNG needs a library (png.py: vl-convert's resvg, the `charts` extra); the HTML
fact sheet (sheet.py) inlines this SVG. Pure: text in, text out; no I/O, no typer, no rich.

Every string from a pack passes `untrusted.neutralise` (no control, bidi or invisible character
survives: each becomes a visible escape) and then XML escaping, so any label gives well-formed
XML with nothing that could hide or reorder text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from returnee_cli import lexicon
from returnee_cli.figures import figure_words, interval_text, number_text
from returnee_cli.model import Fact, FactSet, Source
from returnee_cli.untrusted import neutralise

# Colours: every text colour has a contrast of at least 4.5:1 on the background (WCAG AA);
# tests/test_chart.py computes the ratios. Meaning is never carried by colour alone: each
# qualifier has its own shape, and its words next to the row.
BACKGROUND = "#ffffff"
INK = "#1a1a1a"  # titles, labels, figures: 17.4:1
MUTED = "#555555"  # subtitle, notes, sources: 7.5:1
BAR = "#1d5a8a"  # the marks (not text)
TINT = "#c9dcec"  # an upper bound's fill, a lower bound's continuation
GRID = "#dddddd"
TEXT_COLOURS = (INK, MUTED)
FONT = "'Liberation Sans', Arial, Helvetica, sans-serif"  # the reader's own fonts: none fetched

MARGIN = 24
BAR_HEIGHT = 14
WIDTH_RANGE = (320, 2000)
DEFAULT_WIDTH = 720


@dataclass(frozen=True)
class ChartOptions:
    """What the command line may set; None: generated from the facts."""

    title: str | None = None
    subtitle: str | None = None
    width: int = DEFAULT_WIDTH
    byline: str | None = None
    desc: str | None = None


def xml_text(text: str) -> str:
    """Untrusted text as XML/HTML character data or an attribute value: neutralised (visible
    escapes for every control, bidi and invisible character), then escaped."""
    return (
        neutralise(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _n(value: float) -> str:
    """A coordinate, the same bytes every run: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def text_width(text: str, size: float) -> float:
    """An estimate, on the generous side, of how wide `text` is drawn: wide (CJK) characters a
    full em, others a little over half."""
    return sum(size * _em(c) for c in neutralise(text))


def _em(char: str) -> float:
    """Widths near Liberation Sans' (Arial's), rounded up a little; bold is a little wider."""
    if unicodedata.east_asian_width(char) in "WF":
        return 1.0
    if char == " ":
        return 0.3
    if char.isupper() or char in "mw—–%":
        return 0.72
    return 0.56


def wrap(text: str, size: float, width: float) -> list[str]:
    """`text` in lines no wider than `width` (estimated), broken at spaces, and inside a word
    only where a word alone is too wide (CJK text has no spaces)."""
    lines: list[str] = []
    line = ""
    for word in neutralise(text).split(" "):
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if line and text_width(line + char, size) > width:
                lines.append(line)
                line = ""
            line += char
    if line or not lines:
        lines.append(line)
    return lines


# --- what is drawn ---------------------------------------------------------------------------


def figures(facts: Iterable[Fact]) -> list[Fact]:
    """The facts a chart can draw: those with a figure (lists and statements have none)."""
    return [fact for fact in facts if fact.value is not None]


def _by_first(facts: Iterable[Fact], key: Callable[[Fact], str | None]) -> list[list[Fact]]:
    groups: dict[str | None, list[Fact]] = {}
    for fact in facts:
        groups.setdefault(key(fact), []).append(fact)
    return list(groups.values())


@dataclass(frozen=True)
class Panel:
    """Figures of one unit on one axis that starts at zero, in groups of one base each."""

    unit: str | None
    top: float  # the axis' end: 100 for percentages
    groups: list[list[Fact]]

    @property
    def percent(self) -> bool:
        return self.unit == "percent"


def _nice(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k at or above `value`."""
    if value <= 0:
        return 1.0
    magnitude = Decimal(10) ** Decimal(value).adjusted()
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if magnitude * step >= Decimal(str(value)):
            return float(magnitude * step)
    return float(magnitude * 10)  # pragma: no cover


def panels(facts: Sequence[Fact]) -> list[Panel]:
    """Figures of different units never share an axis; within a unit, figures of different bases
    are grouped under their base."""
    result = []
    for same_unit in _by_first(figures(facts), lambda fact: fact.unit):
        unit = same_unit[0].unit
        if unit == "percent":
            top = 100.0
        else:
            ends = [float(f.high if f.high is not None else f.value or 0) for f in same_unit]
            top = _nice(max(ends) * 1.05)
        result.append(Panel(unit, top, _by_first(same_unit, lambda fact: fact.population)))
    return result


def in_chart_order(facts: Sequence[Fact]) -> list[Fact]:
    """The figures in the order the chart draws them: by unit, then by base, so that the
    description and the fact sheet's table and quotes follow the picture."""
    return [fact for panel in panels(facts) for group in panel.groups for fact in group]


def qualifier_of(fact: Fact) -> str:
    return fact.qualifier or lexicon.EXACT


def approximate(fact: Fact) -> bool:
    """Drawn hatched, so as not to read as exact: an `about`, or any derived figure."""
    return fact.derived or qualifier_of(fact) == lexicon.ABOUT


def figure_label(fact: Fact) -> str:
    """The figure in words, as written next to its row: 'more than 70%', 'about 28.7%, derived,
    28.505–28.815%'."""
    words = figure_words(fact)
    extra = ["derived"] if fact.derived else []
    allowed = interval_text(fact)
    if allowed and qualifier_of(fact) not in (*lexicon.LOWER_BOUNDS, *lexicon.UPPER_BOUNDS):
        if fact.low != fact.high and qualifier_of(fact) != lexicon.RANGE:
            extra.append(allowed)
    return words + (f", {', '.join(extra)}" if extra else "")


def source_credit(source: Source, *, full: bool = False) -> str:
    """'Beijing Association of Returned Scholars, Beijing Blue Book (2025)': the producer first;
    `full` names a report by its whole title (an article's short title says little)."""
    name = f"“{source.title}”" if full else source.short_title or source.title
    return f"{source.publisher}, {name} ({source.date[:4]})"


def sources_of(facts: Sequence[Fact], factset: FactSet) -> tuple[list[Source], list[Source]]:
    """The producers of the figures, and the reports the figures were read in (those that are
    not themselves a producer here), each once, in order of first appearance."""
    produced = list(dict.fromkeys(fact.source for fact in facts))
    read_in = [s for s in dict.fromkeys(f.reported_in for f in facts) if s not in produced]
    return (
        [factset.sources[s] for s in produced if s in factset.sources],
        [factset.sources[s] for s in read_in if s in factset.sources],
    )


def default_subtitle(facts: Sequence[Fact]) -> str:
    """The measure, the unit and the base: 'Share of overseas-educated returnees in Beijing, in
    percent (0–100)'."""
    shown = figures(facts)
    units = list(dict.fromkeys(fact.unit for fact in shown))
    bases = list(dict.fromkeys(fact.population for fact in shown))
    if units == ["percent"]:
        measure, unit = "Share", "in percent (0–100)"
    else:
        measure = "Figures"
        unit = "in " + ", ".join(
            "percent (0–100)" if u == "percent" else (u or "units") for u in units
        )
    if len(bases) == 1 and bases[0]:
        return f"{measure} of {bases[0]}, {unit}"
    return f"{measure}, {unit}; bases differ: each group is headed by what it counts"


def notes(facts: Sequence[Fact]) -> list[str]:
    """The notes line: how the marks read, derived formulas, and that bases or units differ."""
    shown = figures(facts)
    qualifiers = {qualifier_of(fact) for fact in shown}
    said: list[str] = []
    if qualifiers & set(lexicon.LOWER_BOUNDS):
        said.append(
            "A bar that runs on, open-ended, past its mark: a lower bound (more than, or at "
            "least, the mark: its row says which)."
        )
    if qualifiers & set(lexicon.UPPER_BOUNDS):
        said.append(
            "A bar that fades in from the left up to its mark: an upper bound (less than, or at "
            "most, the mark: its row says which)."
        )
    if any(approximate(fact) for fact in shown):
        said.append("Hatched: approximate or derived, with the interval it allows as a line.")
    if lexicon.RANGE in qualifiers:
        said.append("A capped span: a range, from its low to its high end.")
    for fact in shown:
        if fact.derived:
            said.append(f"Derived, not stated: {fact.label} = {fact.formula}.")
    if len({fact.population for fact in shown}) > 1:
        said.append("Bases differ: compare figures only within a group.")
    if len({fact.unit for fact in shown}) > 1:
        said.append("Units differ: each unit has its own axis.")
    return said


def generated_desc(facts: Sequence[Fact], factset: FactSet, title: str, subtitle: str) -> str:
    """Every value with its qualifier and base, then the sources: what a screen reader reads."""
    parts = [f"{title}. {subtitle}."]
    for fact in in_chart_order(facts):
        base = f" ({fact.population})" if fact.population else ""
        parts.append(f"{fact.label}: {figure_label(fact)}{base}.")
    producers, read_in = sources_of(figures(facts), factset)
    parts.append("Source: " + "; ".join(source_credit(s) for s in producers) + ".")
    if read_in:
        parts.append(
            "Reported in: " + "; ".join(source_credit(s, full=True) for s in read_in) + "."
        )
    return " ".join(parts)


# --- drawing -------------------------------------------------------------------------------------


@dataclass
class _Canvas:
    width: int
    parts: list[str] = field(default_factory=list)
    y: float = MARGIN

    def text(
        self,
        lines: Sequence[str],
        size: float,
        *,
        colour: str = INK,
        bold: bool = False,
        x: float = MARGIN,
        anchor: str = "start",
        css: str = "",
        advance: bool = True,
    ) -> None:
        """Lines already neutralised (by `wrap`), each set as its own <text>."""
        height = size * 1.3
        weight = ' font-weight="bold"' if bold else ""
        end = ' text-anchor="end"' if anchor == "end" else ""
        kind = f' class="{css}"' if css else ""
        y = self.y
        for line in lines:
            y += height
            self.parts.append(
                f'<text{kind} x="{_n(x)}" y="{_n(y - size * 0.3)}" font-size="{_n(size)}" '
                f'fill="{colour}"{weight}{end}>{_escaped(line)}</text>'
            )
        if advance:
            self.y = y

    def para(self, text: str, size: float, **style: object) -> None:
        self.text(wrap(text, size, self.width - 2 * MARGIN), size, **style)  # type: ignore[arg-type]


def _escaped(neutral: str) -> str:
    """Text already neutralised, escaped for XML."""
    return xml_text(neutral)


def _mark(fact: Fact, scale: Callable[[float], float], y: float) -> list[str]:
    """The marks of one figure (docs/charts.md): the first carries the fact's id and class
    `mark`; every part carries data-fact."""
    data = f'data-fact="{xml_text(fact.id)}"'
    main = f'id="fact-{xml_text(fact.id)}" {data} data-qualifier="{qualifier_of(fact)}"'
    q = qualifier_of(fact)
    x0 = scale(0)
    value = float(fact.value or 0)
    xv = scale(value)
    bottom = y + BAR_HEIGHT
    fill = "url(#hatch)" if approximate(fact) else BAR
    kind = "approximate" if approximate(fact) else "stated"
    parts: list[str] = []
    if q == lexicon.RANGE and fact.high is not None:
        xl, xh = scale(value), scale(float(fact.high))
        parts.append(
            f'<rect class="mark range {kind}" {main} x="{_n(xl)}" y="{_n(y)}" '
            f'width="{_n(xh - xl)}" height="{BAR_HEIGHT}" fill="{fill}" stroke="{BAR}"/>'
        )
        parts.append(
            f'<path class="cap" {data} d="M{_n(xl)} {_n(y - 3)}V{_n(bottom + 3)}'
            f'M{_n(xh)} {_n(y - 3)}V{_n(bottom + 3)}" stroke="{INK}" stroke-width="2"/>'
        )
        return parts
    if q in lexicon.UPPER_BOUNDS:
        parts.append(  # fades in from the left: the true value is anywhere up to the mark
            f'<path class="mark upper-bound {kind}" {main} d="M{_n(x0)} {_n(y)}H{_n(xv)}'
            f'V{_n(bottom)}H{_n(x0)}Z" fill="url(#fade-in)"/>'
        )
        parts.append(  # top and bottom edges only: no start cap, the bound is open below
            f'<path class="open-start-edge" {data} d="M{_n(x0)} {_n(y)}H{_n(xv)}'
            f'M{_n(x0)} {_n(bottom)}H{_n(xv)}" stroke="{BAR}" stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<path class="bound" {data} d="M{_n(xv)} {_n(y - 3)}V{_n(bottom + 3)}" '
            f'stroke="{INK}" stroke-width="2"/>'
        )
        return parts
    parts.append(
        f'<rect class="mark {"lower-bound" if q in lexicon.LOWER_BOUNDS else q} {kind}" {main} '
        f'x="{_n(x0)}" y="{_n(y)}" width="{_n(xv - x0)}" height="{BAR_HEIGHT}" fill="{fill}"'
        + (f' stroke="{BAR}"' if approximate(fact) else "")
        + "/>"
    )
    if q in lexicon.LOWER_BOUNDS:
        end = scale(float(fact.high)) if fact.high is not None else scale(float("inf"))
        parts.append(
            f'<rect class="open-end" {data} x="{_n(xv)}" y="{_n(y)}" width="{_n(end - xv)}" '
            f'height="{BAR_HEIGHT}" fill="url(#fade)"/>'
        )
        parts.append(  # top and bottom edges only: no end cap, the bound is open
            f'<path class="open-end-edge" {data} d="M{_n(xv)} {_n(y)}H{_n(end)}'
            f'M{_n(xv)} {_n(bottom)}H{_n(end)}" stroke="{BAR}" stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<path class="bound" {data} d="M{_n(xv)} {_n(y - 3)}V{_n(bottom + 3)}" '
            f'stroke="{INK}" stroke-width="2"/>'
        )
    elif fact.low is not None and fact.high is not None and fact.low != fact.high:
        if approximate(fact):
            xl, xh, mid = scale(float(fact.low)), scale(float(fact.high)), y + BAR_HEIGHT / 2
            parts.append(
                f'<path class="interval" {data} d="M{_n(xl)} {_n(mid)}H{_n(xh)}'
                f'M{_n(xl)} {_n(y + 2)}V{_n(bottom - 2)}M{_n(xh)} {_n(y + 2)}V{_n(bottom - 2)}" '
                f'stroke="{INK}" stroke-width="1.5"/>'
            )
    return parts


DEFS = (
    "<defs>"
    '<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)">'
    f'<rect width="6" height="6" fill="{TINT}"/>'
    f'<rect width="2.5" height="6" fill="{BAR}"/></pattern>'
    '<linearGradient id="fade" x1="0" y1="0" x2="1" y2="0">'
    f'<stop offset="0" stop-color="{BAR}" stop-opacity="0.45"/>'
    f'<stop offset="1" stop-color="{BAR}" stop-opacity="0"/></linearGradient>'
    '<linearGradient id="fade-in" x1="0" y1="0" x2="1" y2="0">'
    f'<stop offset="0" stop-color="{BAR}" stop-opacity="0"/>'
    f'<stop offset="1" stop-color="{BAR}" stop-opacity="0.45"/></linearGradient>'
    "</defs>"
)


def _ticks(top: float) -> list[float]:
    return [top * n / 4 for n in range(5)]


def _panel(canvas: _Canvas, panel: Panel, factset: FactSet, several_units: bool) -> None:
    x0, x1 = MARGIN, canvas.width - MARGIN
    scale_width = x1 - x0

    def scale(value: float) -> float:
        return x0 + min(value, panel.top) / panel.top * scale_width

    unit = "%" if panel.percent else f" {panel.unit}" if panel.unit else ""
    if several_units:
        canvas.y += 6
        what = "percent (0–100)" if panel.percent else (panel.unit or "no unit")
        canvas.para(f"In {what}", 13, bold=True, css="unit")
    several_bases = len(panel.groups) > 1
    first_y = canvas.y + 4
    behind = len(canvas.parts)  # the grid goes here: under the labels and the marks
    rows: list[str] = []
    for group in panel.groups:
        base = group[0].population
        if several_bases or several_units:  # else the subtitle names the one base
            canvas.y += 4
            canvas.para(
                f"{'Share of' if panel.percent else 'Of'} {base}" if base else "Base not stated",
                12,
                colour=MUTED,
                bold=True,
                css="base",
            )
        for fact in group:
            figure = figure_label(fact)
            figure_width = text_width(figure, 13) + 12
            canvas.y += 4
            if figure_width < scale_width * 0.45:
                label_lines = wrap(fact.label, 13, scale_width - figure_width)
                canvas.text(
                    [neutralise(figure)],
                    13,
                    x=x1,
                    anchor="end",
                    css="figure",
                    bold=True,
                    advance=False,
                )
                canvas.text(label_lines, 13, css="label")
            else:
                canvas.text(wrap(fact.label, 13, scale_width), 13, css="label")
                canvas.text(wrap(figure, 13, scale_width), 13, css="figure", bold=True)
            canvas.y += 3
            rows.extend(_mark(fact, scale, canvas.y))
            canvas.y += BAR_HEIGHT + 6
    last_y = canvas.y
    grid = [
        f'<path class="grid" d="M{_n(scale(t))} {_n(first_y)}V{_n(last_y)}" stroke="{GRID}"/>'
        for t in _ticks(panel.top)
    ]
    canvas.parts[behind:behind] = grid
    canvas.parts.extend(rows)
    canvas.y += 2
    for n, tick in enumerate(_ticks(panel.top)):
        anchor = "end" if n == 4 else "start" if n == 0 else "middle"
        canvas.parts.append(
            f'<text class="tick" x="{_n(scale(tick))}" y="{_n(canvas.y + 11)}" font-size="11" '
            f'fill="{MUTED}" text-anchor="{anchor}">{number_text(round(tick, 6))}{xml_text(unit)}'
            "</text>"
        )
    canvas.y += 16


def chart_svg(
    facts: Sequence[Fact],
    factset: FactSet,
    options: ChartOptions,
    title: str,
    *,
    headed: bool = True,
) -> str:
    """The chart as an SVG document (one line per element, ending in a newline). `headed`: the
    title and subtitle drawn at its top (not in the fact sheet, whose heading says them; its
    <title> and description still do, for a screen reader)."""
    width = options.width
    shown = figures(facts)
    chart_title = options.title if options.title is not None else title
    subtitle = options.subtitle if options.subtitle is not None else default_subtitle(shown)
    desc = options.desc or generated_desc(shown, factset, chart_title, subtitle)
    canvas = _Canvas(width)
    if headed:
        canvas.para(chart_title, 20, bold=True, css="title")
        canvas.y += 2
        canvas.para(subtitle, 14, colour=MUTED, css="subtitle")
        canvas.y += 6
    drawn = panels(shown)
    for panel in drawn:
        _panel(canvas, panel, factset, len(drawn) > 1)
    canvas.y += 4
    canvas.parts.append(f'<path d="M{MARGIN} {_n(canvas.y)}H{width - MARGIN}" stroke="{GRID}"/>')
    canvas.y += 2
    producers, read_in = sources_of(shown, factset)
    canvas.para(
        "Source: " + "; ".join(source_credit(s) for s in producers) + ".",
        11,
        colour=MUTED,
        css="source",
    )
    if read_in:
        canvas.para(
            "Reported in: " + "; ".join(source_credit(s, full=True) for s in read_in) + ".",
            11,
            colour=MUTED,
            css="source",
        )
    for note in notes(shown):
        canvas.para(note, 11, colour=MUTED, css="note")
    credit = "Chart: returnees (returnee-cli)"
    if options.byline:
        credit = f"Chart by {options.byline}, made with returnees (returnee-cli)"
    canvas.para(credit, 10, colour=MUTED, css="credit")
    height = int(canvas.y + MARGIN)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title" '
        f'aria-describedby="chart-desc" '
        f'font-family="{FONT}">'
    )
    return (
        "\n".join(
            [
                head,
                f'<title id="chart-title">{xml_text(chart_title)}</title>',
                f'<desc id="chart-desc">{xml_text(desc)}</desc>',
                DEFS,
                f'<rect class="background" width="{width}" height="{height}" fill="{BACKGROUND}"/>',
                *canvas.parts,
                "</svg>",
            ]
        )
        + "\n"
    )


def render(
    kind: str, facts: Sequence[Fact], factset: FactSet, options: ChartOptions, title: str
) -> bytes:
    """The chart as `kind` asks: svg, html (the fact sheet) or png (needs the charts extra)."""
    if kind == "html":
        from returnee_cli.chart.sheet import fact_sheet

        return fact_sheet(facts, factset, options, title).encode("utf-8")
    svg = chart_svg(facts, factset, options, title)
    if kind == "png":
        from returnee_cli.chart.png import png_bytes

        return png_bytes(svg)
    return svg.encode("utf-8")
