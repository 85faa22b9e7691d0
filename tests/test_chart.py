"""`returnees chart`: SVG, PNG and the HTML fact sheet, held to what they draw.

Every SVG is parsed; each figure's mark is found by its fact id and measured: its drawn length
is in proportion to its value on an axis from zero, a lower bound runs on with no end cap, an
upper bound has no start cap, a range does not start at zero. The footer names every source,
nothing in any file fetches anything, PNG pixels are read at the end of a bar (a small PNG
decoder below, zlib only), the same call gives the same bytes, and the fact sheet is drawn by
headless Chromium and checked for contrast."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from returnee_cli import chart as charting
from returnee_cli.chart import png as chart_png
from returnee_cli.chart import sheet

from .conftest import REPO, RunCli
from .test_every_view import FIELDS, TEXT, _harmless, _pack

SVG = "{http://www.w3.org/2000/svg}"
WIDTH = charting.DEFAULT_WIDTH
X0, X1 = charting.MARGIN, WIDTH - charting.MARGIN
LOWER, UPPER = ("more_than", "at_least"), ("less_than", "at_most")

# One fact of every qualifier, of two bases and three units.
QUALIFIER_PACK = """\
sources:
  - id: study
    title: A study of returnees
    publisher: Institute of Examples
    date: "2025-01-01"
    kind: primary
  - id: paper
    title: The Daily Example
    publisher: Example Press
    date: "2025-02-01"
    kind: secondary
    url: https://paper.example/story
cities:
  - {slug: wuhan, name: Wuhan, name_zh: 武汉}
facts:
"""
FACTS = [
    ("q-exact", 40, "exact", None, "percent", "returnees in Wuhan", "Exactly 40% work in tech."),
    ("q-more", 70, "more_than", None, "percent", "returnees in Wuhan", "More than 70% study."),
    ("q-least", 25, "at_least", None, "percent", "returnees in Wuhan", "At least 25% are women."),
    ("q-less", 15, "less_than", None, "percent", "firms of returnees", "Less than 15% export."),
    ("q-most", 35, "at_most", None, "percent", "firms of returnees", "Up to 35% profit."),
    ("q-about", 30, "about", None, "percent", "firms of returnees", "About 30% hire abroad."),
    ("q-range", 20, "range", 30, "percent", "firms of returnees", "Between 20 and 30% are new."),
    ("q-count", 300, "exact", None, "people", None, "The survey asked 300 people."),
    ("q-firms", 1200, "more_than", None, "firms", None, "More than 1,200 firms took part."),
]


@pytest.fixture
def pack(tmp_path: Path) -> list[str]:
    lines = [QUALIFIER_PACK]
    for fact_id, value, qualifier, high, unit, base, quote in FACTS:
        lines.append(
            f"  - {{id: {fact_id}, city: wuhan, topic: sectors, label: Label of {fact_id}, "
            f"value: {value}, qualifier: {qualifier}, unit: {unit}, source: study, "
            f'reported_in: paper, quote: "{quote}"'
            + (f", high: {high}" if high is not None else "")
            + (f", population: {base}" if base else "")
            + "}\n"
        )
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "pack.yaml").write_text("".join(lines), encoding="utf-8")
    return ["--no-builtin", "--facts", str(folder)]


def _chart(run: RunCli, path: Path, *argv: str) -> ElementTree.Element:
    result = run(*argv, "-o", str(path), "--force")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("returnees: wrote a chart of "), result.stderr
    return ElementTree.parse(path).getroot()


def _by_fact(root: ElementTree.Element) -> dict[str, list[ElementTree.Element]]:
    parts: dict[str, list[ElementTree.Element]] = {}
    for element in root.iter():
        if "data-fact" in element.attrib:
            parts.setdefault(element.attrib["data-fact"], []).append(element)
    return parts


def _span(element: ElementTree.Element) -> tuple[float, float]:
    """Where a mark starts and ends along the axis: a rect's x and width, a path's H ends."""
    if element.tag == f"{SVG}rect":
        x = float(element.attrib["x"])
        return x, x + float(element.attrib["width"])
    xs = [float(n) for n in re.findall(r"M([-\d.]+)", element.attrib["d"])]
    xs += [float(n) for n in re.findall(r"H([-\d.]+)", element.attrib["d"])]
    return min(xs), max(xs)


def _verticals(element: ElementTree.Element) -> list[float]:
    """The x of every vertical stroke a path draws (`M x y V y2`)."""
    return [float(x) for x in re.findall(r"M([-\d.]+) [-\d.]+V", element.attrib.get("d", ""))]


def _mark(root: ElementTree.Element, fact_id: str) -> ElementTree.Element:
    found = [e for e in root.iter() if e.attrib.get("id") == f"fact-{fact_id}"]
    assert len(found) == 1, fact_id
    assert "mark" in found[0].attrib["class"].split()
    assert found[0].attrib["data-fact"] == fact_id
    return found[0]


def _texts(root: ElementTree.Element, css: str) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text") if t.attrib.get("class") == css]


def _fetches_nothing(text: str) -> None:
    """No script, no external resource: the only http(s) text is the SVG namespace, the only
    url() references point inside the file."""
    assert "<script" not in text.casefold()
    assert not re.search(r"\b(?:xlink:)?href=", text), "an SVG links nothing"
    assert not re.search(r"<(?:image|use|foreignObject|iframe|link)\b", text)
    assert re.findall(r"https?://[^\"'\s<]*", text) == ["http://www.w3.org/2000/svg"]
    assert all(ref.startswith("#") for ref in re.findall(r"url\(([^)]*)\)", text))
    assert "@import" not in text and "@font-face" not in text


def _check_svg(root: ElementTree.Element, records: list[dict[str, object]]) -> None:
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-labelledby"] == "chart-title"
    assert root.attrib["aria-describedby"] == "chart-desc"
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}desc") is not None
    desc = "".join(root.find(f"{SVG}desc").itertext())  # type: ignore[union-attr]
    parts = _by_fact(root)
    ratios: dict[object, set[float]] = {}
    for record in records:
        fact_id, value = str(record["id"]), float(record["value"])  # type: ignore[arg-type]
        mark = _mark(root, fact_id)
        start, end = _span(mark)
        qualifier = record["qualifier"]
        assert str(record["label"]) in desc
        if qualifier == "range":
            high = float(record["high"])  # type: ignore[arg-type]
            assert start > X0  # a range does not start at zero
            assert (end - start) == pytest.approx((high - value) * (X1 - X0) / 100, abs=0.02)
            assert start - X0 == pytest.approx(value * (X1 - X0) / 100, abs=0.02)
            continue
        assert start == X0, fact_id  # every other bar starts at zero
        if record["unit"] == "percent":  # a 0-100 axis
            assert end - start == pytest.approx(value * (X1 - X0) / 100, abs=0.02), fact_id
        ratios.setdefault(record["unit"], set()).add(round((end - start) / value, 3))
        others = [p for p in parts[fact_id] if p is not mark]
        if qualifier in LOWER:  # runs on from its mark, to the top of the axis, with no end cap
            edge = next(p for p in others if p.attrib["class"] == "open-end-edge")
            run_start, run_end = _span(edge)
            assert run_start == pytest.approx(end) and run_end > end
            assert all(run_end not in _verticals(p) for p in parts[fact_id])
            assert "V" not in edge.attrib["d"]
        if qualifier in UPPER:  # ends at its mark, with no cap at zero
            assert not any(X0 in _verticals(p) for p in parts[fact_id])
            assert any(end in _verticals(p) for p in others)
        if qualifier == "about" or record["derived"]:
            assert mark.attrib["fill"] == "url(#hatch)"  # never drawn as exact
    for unit, seen in ratios.items():  # one axis per unit: one length per unit of value
        assert max(seen) - min(seen) <= 0.002 * max(seen), (unit, seen)


def _records(run: RunCli, *argv: str) -> list[dict[str, object]]:
    result = run(*argv, "--json")
    assert result.exit_code == 0, result.stderr
    loaded = result.json()
    return [r for r in (loaded if isinstance(loaded, list) else [loaded]) if r["value"] is not None]


VIEWS = [
    ["sectors", "--city", "beijing"],
    ["sectors"],
    ["entrepreneurs"],
    ["industries"],
    ["facts", "--city", "shanghai"],
    ["facts"],
]


@pytest.mark.parametrize("view", VIEWS, ids=" ".join)
def test_each_mark_is_found_by_its_fact_id_and_measures_its_value(
    run: RunCli, tmp_path: Path, view: list[str]
) -> None:
    root = _chart(run, tmp_path / "chart.svg", "chart", *view)
    records = _records(run, *view)
    assert records
    _check_svg(root, records)
    drawn = {e.attrib["id"] for e in root.iter() if e.attrib.get("id", "").startswith("fact-")}
    assert drawn == {f"fact-{r['id']}" for r in records}
    text = (tmp_path / "chart.svg").read_text(encoding="utf-8")
    _fetches_nothing(text)
    sources = " ".join(_texts(root, "source"))
    for record in records:  # the producers credited, and the report they were read in
        for key in ("source", "reported_in"):
            source = record[key]
            assert isinstance(source, dict)
            assert str(source["publisher"]) in " ".join(sources.split()), key


def test_every_qualifier_is_drawn_as_what_it_is(
    run: RunCli, tmp_path: Path, pack: list[str]
) -> None:
    root = _chart(run, tmp_path / "all.svg", *pack, "chart", "facts")
    records = _records(run, *pack, "facts")
    assert {r["qualifier"] for r in records} == {
        "exact",
        "more_than",
        "at_least",
        "less_than",
        "at_most",
        "about",
        "range",
    }
    _check_svg(root, records)
    assert "Institute of Examples" in " ".join(_texts(root, "source"))
    # different units on different axes, different bases under their own headings
    assert _texts(root, "unit") == ["In percent (0–100)", "In people", "In firms"]
    assert _texts(root, "base") == [
        "Share of returnees in Wuhan",
        "Share of firms of returnees",
        "Base not stated",
        "Base not stated",
    ]
    figures = dict(zip(_texts(root, "label"), _texts(root, "figure"), strict=True))
    assert figures["Label of q-more"] == "more than 70%"
    assert figures["Label of q-most"] == "at most 35%"
    assert figures["Label of q-about"] == "about 30%, 25–35%"
    assert figures["Label of q-range"] == "between 20 and 30%"
    assert figures["Label of q-firms"] == "more than 1,200 firms"
    desc = "".join(root.find(f"{SVG}desc").itertext())  # type: ignore[union-attr]
    assert "Label of q-less: less than 15% (firms of returnees)." in desc


def test_a_derived_figure_is_hatched_with_its_interval_and_formula(
    run: RunCli, tmp_path: Path
) -> None:
    root = _chart(run, tmp_path / "b.svg", "chart", "sectors", "--city", "beijing")
    mark = _mark(root, "beijing-sector-other")
    assert mark.attrib["fill"] == "url(#hatch)"
    interval = next(p for p in _by_fact(root)["beijing-sector-other"] if p is not mark)
    assert interval.attrib["class"] == "interval"
    low, high = _span(interval)
    assert low - X0 == pytest.approx(28.505 * (X1 - X0) / 100, abs=0.02)
    assert high - X0 == pytest.approx(28.815 * (X1 - X0) / 100, abs=0.02)
    notes = " ".join(_texts(root, "note"))
    assert "Derived, not stated: " in notes and "= 100 − (20.84 + 19.5 + 17.8 + 13.2)" in notes


def test_chinese_text_stays_text(run: RunCli, tmp_path: Path) -> None:
    title = "北京海归的工作领域"
    root = _chart(run, tmp_path / "zh.svg", "chart", "sectors", "-c", "北京", "--title", title)
    assert _texts(root, "title") == [title]
    assert title in (tmp_path / "zh.svg").read_text(encoding="utf-8")  # as text, not escapes


def test_title_subtitle_width_byline_and_desc_are_the_callers(run: RunCli, tmp_path: Path) -> None:
    argv = ["--title", "Beijing at work", "--subtitle", "Shares", "--width", "500"]
    more = ["--byline", "A. Reporter", "--desc", "Five bars."]
    root = _chart(run, tmp_path / "c.svg", "chart", "sectors", "-c", "beijing", *argv, *more)
    assert root.attrib["width"] == "500"
    assert "".join(root.find(f"{SVG}title").itertext()) == "Beijing at work"  # type: ignore[union-attr]
    assert "".join(root.find(f"{SVG}desc").itertext()) == "Five bars."  # type: ignore[union-attr]
    assert _texts(root, "subtitle") == ["Shares"]
    assert _texts(root, "credit") == ["Chart by A. Reporter, made with returnees (returnee-cli)"]
    mark = _mark(root, "beijing-sector-education")
    assert _span(mark)[1] - X0 == pytest.approx(17.8 * (500 - 2 * X0) / 100, abs=0.02)


@pytest.mark.parametrize("suffix", [".svg", ".html", ".png"])
def test_the_same_call_gives_the_same_bytes(run: RunCli, tmp_path: Path, suffix: str) -> None:
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    for path in (first, second):
        result = run("chart", "entrepreneurs", "-o", str(path))
        assert result.exit_code == 0, result.stderr
    assert first.read_bytes() == second.read_bytes()


def test_show_charts_the_facts_named(run: RunCli, tmp_path: Path) -> None:
    root = _chart(run, tmp_path / "s.svg", "chart", "show", "shanghai-education")
    assert "".join(root.find(f"{SVG}title").itertext()).startswith("Shanghai: ")  # type: ignore[union-attr]
    _check_svg(root, _records(run, "show", "shanghai-education"))


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["chart", "sectors"], "returnees: chart writes a file, never stdout: add -o FILE.svg"),
        (
            ["chart", "sectors", "-o", "x.pdf"],
            "returnees: -o x.pdf: a chart is written as .svg, .png or .html",
        ),
        (["chart", "show", "-o", "x.svg"], "returnees: chart show needs a fact id"),
        (["chart", "sectors", "shanghai-education", "-o", "x.svg"], "returnees: fact ids are"),
        (["chart", "show", "no-such-fact", "-o", "x.svg"], "returnees: "),
        (["chart", "show", "beijing-sector-education", "-c", "beijing", "-o", "x.svg"], "filters"),
        (["chart", "graphs", "-o", "x.svg"], "returnees: Invalid value for 'VIEW'"),
        (["chart", "sectors", "--width", "100", "-o", "x.svg"], "from 320 to 2000 pixels"),
    ],
)
def test_a_wrong_call_is_one_line_and_writes_nothing(
    run: RunCli, terminal: Path, argv: list[str], said: str
) -> None:
    result = run(*argv)
    assert result.exit_code == 2, result.stderr
    assert said in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert list(terminal.iterdir()) == []


def test_an_existing_file_is_kept_without_force(run: RunCli, terminal: Path) -> None:
    (terminal / "chart.svg").write_text("mine", encoding="utf-8")
    result = run("chart", "sectors", "-o", "chart.svg")
    assert result.exit_code == 2
    assert result.stderr == "returnees: -o: chart.svg exists; add --force to replace it\n"
    assert (terminal / "chart.svg").read_text(encoding="utf-8") == "mine"
    assert run("chart", "sectors", "-o", "chart.svg", "--force").exit_code == 0
    assert (terminal / "chart.svg").read_text(encoding="utf-8").startswith("<svg ")


def test_nothing_to_chart_is_said_and_nothing_written(run: RunCli, terminal: Path) -> None:
    result = run("chart", "facts", "--topic", "reasons", "-o", "r.svg")
    assert result.exit_code == 0
    assert result.stderr.startswith("returnees: no figures to chart (")
    assert not (terminal / "r.svg").exists()


def test_without_the_extra_png_says_how_to_install_it(
    run: RunCli, terminal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "vl_convert", None)  # import vl_convert raises ImportError
    result = run("chart", "sectors", "-o", "s.png")
    assert result.exit_code == 2
    assert result.stderr == f"returnees: {chart_png.INSTALL_HINT}\n"
    assert not (terminal / "s.png").exists()
    assert run("chart", "sectors", "-o", "s.svg").exit_code == 0  # SVG needs no extra


def test_no_other_command_imports_the_chart_code() -> None:
    code = (
        "import sys\nfrom returnee_cli.main import main\n"
        "sys.argv = ['returnees', 'sectors', '--city', 'beijing']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('vl_convert', 'returnee_cli.chart') if m in sys.modules), "
        "file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "20.84" in result.stdout
    assert result.stderr.strip().splitlines()[-1] == "[]", result.stderr


# --- PNG -----------------------------------------------------------------------------------------


def read_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGBA bytes of an 8-bit RGB or RGBA, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, b"", b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks += body
        position += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0
    channels = 4 if colour == 6 else 3
    raw = zlib.decompress(chunks)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (
                    line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)
                ) & 0xFF
        previous = line
        if channels == 3:
            line = bytearray(
                b"".join(bytes(line[i : i + 3]) + b"\xff" for i in range(0, stride, 3))
            )
        rows.append(bytes(line))
    return width, height, rows


def _pixel(rows: list[bytes], x: float, y: float) -> tuple[int, ...]:
    row = rows[int(y)]
    return tuple(row[int(x) * 4 : int(x) * 4 + 4])


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def test_png_pixels_end_where_the_bar_ends(run: RunCli, tmp_path: Path) -> None:
    root = _chart(run, tmp_path / "b.svg", "chart", "sectors", "--city", "beijing")
    result = run("chart", "sectors", "--city", "beijing", "-o", str(tmp_path / "b.png"))
    assert result.exit_code == 0, result.stderr
    width, height, rows = read_png((tmp_path / "b.png").read_bytes())
    scale = chart_png.SCALE
    assert (width, height) == (
        int(root.attrib["width"]) * scale,
        int(root.attrib["height"]) * scale,
    )
    bar = (*_hex(charting.BAR), 255)
    for fact_id in ("beijing-sector-education", "beijing-sector-science-technology"):
        mark = _mark(root, fact_id)
        start, end = _span(mark)
        middle = (float(mark.attrib["y"]) + charting.BAR_HEIGHT / 2) * scale
        assert _pixel(rows, (start + 2) * scale, middle) == bar
        assert _pixel(rows, end * scale - 2, middle) == bar  # the bar's colour to its end
        assert _pixel(rows, end * scale + 2, middle) != bar  # and not a pixel beyond


# --- the HTML fact sheet -------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)


SHEET_TAGS = {
    *"html head meta title style body main h1 h2 h3 p figure figcaption table caption".split(),
    *"thead tbody tr th td code blockquote section dl dt dd ul li a footer".split(),
    *"svg desc defs pattern rect lineargradient stop path text".split(),
}


def _sheet(text: str) -> _Tags:
    parsed = _Tags()
    parsed.feed(text)
    assert set(parsed.tags) <= SHEET_TAGS, set(parsed.tags) - SHEET_TAGS
    for name, value in parsed.attributes:  # no event handler, no resource: only plain links
        assert not name.startswith("on") and name not in ("src", "srcset", "action"), name
        if name == "href":
            assert value is not None and value.startswith(("https://", "http://")), value
    assert "<script" not in text.casefold() and "@import" not in text and "url(http" not in text
    return parsed


def test_the_fact_sheet_holds_chart_table_quotes_and_sources(
    run: RunCli, tmp_path: Path, pack: list[str]
) -> None:
    path = tmp_path / "sheet.html"
    result = run(*pack, "chart", "facts", "-o", str(path))
    assert result.exit_code == 0, result.stderr
    text = path.read_text(encoding="utf-8")
    parsed = _sheet(text)
    assert parsed.tags.count("blockquote") == len(FACTS)
    assert parsed.tags.count("tr") == len(FACTS) + 1
    assert parsed.tags.count("svg") == 1
    svg = text[text.index("<svg ") : text.index("</svg>") + len("</svg>")]
    _check_svg(ElementTree.fromstring(svg), _records(run, *pack, "facts"))
    for quote in (fact[-1] for fact in FACTS):
        assert f"<blockquote><p>{quote}</p></blockquote>" in text
    for record in ("Institute of Examples", "The Daily Example", "https://paper.example/story"):
        assert record in text
    # readable with CSS off: plain elements in reading order, nothing hidden by the styles
    order = ["<h1>", '<figure class="chart">', 'id="figures"', 'id="quotes"', 'id="sources"']
    assert [text.index(part) for part in order] == sorted(text.index(part) for part in order)
    assert "display" not in sheet.STYLE and "visibility" not in sheet.STYLE
    assert "Content-Security-Policy" in text and "default-src &#39;none&#39;" not in text
    assert """content="default-src 'none'; style-src 'unsafe-inline'\"""" in text


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _hex(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """The WCAG 2 contrast ratio of two #rrggbb colours."""
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_every_text_colour_has_contrast_of_at_least_4_5(run: RunCli, tmp_path: Path) -> None:
    result = run("chart", "facts", "-o", str(tmp_path / "f.html"))
    assert result.exit_code == 0
    text = (tmp_path / "f.html").read_text(encoding="utf-8")
    svg_text = set(re.findall(r'<text[^>]* fill="(#[0-9a-f]{6})"', text))
    css_text = set(re.findall(r"(?<![-\w])color:\s*(#[0-9a-f]{6})", sheet.STYLE))
    background = re.search(r"background:\s*(#[0-9a-f]{6})", sheet.STYLE)
    assert background is not None and background.group(1) == charting.BACKGROUND
    assert svg_text and css_text
    for colour in svg_text | css_text | set(charting.TEXT_COLOURS) | set(sheet.TEXT_COLOURS):
        assert contrast(colour, charting.BACKGROUND) >= 4.5, colour


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium: `apt-get install chromium` (.ci/run installs it)"
)
def test_chromium_draws_the_fact_sheet(run: RunCli, tmp_path: Path) -> None:
    sheet_path, shot = tmp_path / "sheet.html", tmp_path / "shot.png"
    assert run("chart", "sectors", "-o", str(sheet_path)).exit_code == 0
    assert CHROMIUM is not None
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1000,1400",
            f"--screenshot={shot}",
            sheet_path.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert shot.exists(), "chromium wrote no screenshot"
    width, height, rows = read_png(shot.read_bytes())
    assert (width, height) == (1000, 1400)
    colours = {row[i : i + 3] for row in rows[::7] for i in range(0, width * 4, 28)}
    assert len(colours) > 20, "a blank page"
    bar = bytes(_hex(charting.BAR))
    assert bar in colours, "no bar drawn"


# --- untrusted text ------------------------------------------------------------------------------


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.fixed_dictionaries(dict.fromkeys(FIELDS, TEXT)), st.sampled_from(["svg", "html"]))
def test_random_text_gives_well_formed_charts_with_no_control_character(
    run: RunCli, tmp_path_factory: pytest.TempPathFactory, text: dict[str, str], kind: str
) -> None:
    folder = tmp_path_factory.mktemp("pack")
    _pack(folder, text)
    pack = ["--no-builtin", "--facts", str(folder)]
    path = folder / f"chart.{kind}"
    for argv in (["facts"], ["show", "wuhan-share"]):
        result = run(*pack, "chart", *argv, "--title", text["title"], "-o", str(path), "--force")
        if result.exit_code == 1:  # a value the loader refuses: nothing drawn
            assert not path.exists()
            return
        assert result.exit_code == 0, result.stderr
        assert _harmless(result.stderr)
        written = path.read_text(encoding="utf-8")
        assert _harmless(written.replace("\n", ""))
        if kind == "svg":
            root = ElementTree.fromstring(written)
            _fetches_nothing(written)
            _mark(root, "wuhan-share")
        else:
            _sheet(written)
            svg = written[written.index("<svg ") : written.index("</svg>") + len("</svg>")]
            _mark(ElementTree.fromstring(svg), "wuhan-share")


def test_the_readme_chart_is_current() -> None:
    """The SVG is ours, the same bytes everywhere; the PNG's bytes depend on the fonts installed,
    so it is held to the SVG's size (tools/readme_chart.py draws both)."""
    from tools.readme_chart import COMMAND, README_CHART, README_SVG, draw

    hint = "run: python -m tools.readme_chart"
    assert README_SVG.read_bytes() == draw(".svg"), hint
    root = ElementTree.fromstring(README_SVG.read_bytes())
    width, height, _ = read_png(README_CHART.read_bytes())
    size = (
        int(root.attrib["width"]) * chart_png.SCALE,
        int(root.attrib["height"]) * chart_png.SCALE,
    )
    assert (width, height) == size, hint
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"returnees {COMMAND}\n" in readme
    assert "![" in readme and "(docs/images/beijing-sectors.png)" in readme
