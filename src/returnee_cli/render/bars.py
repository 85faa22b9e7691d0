"""A horizontal share bar on a fixed 0-100 scale that takes whatever width its column gives it,
drawn so that every kind of figure reads as what it is:

    exact        ██████▉          solid up to the figure
    more_than    ████▶┈┈┈┈┈       solid to the bound, then open to the right (at least this much)
    less_than    ┈┈┈┈┈┤           open to the left, stopping at the bound (at most this much)
    about        █████▒▒          solid to the lowest value it allows, shaded to the highest
    range          ├────┤         a capped span from its low end to its high end
"""

from __future__ import annotations

from returnee_cli import lexicon
from returnee_cli.render.kit import Console, ConsoleOptions, Measurement, RenderResult, Text

_EIGHTHS = " ▏▎▍▌▋▊▉"
FULL = "█"
OPEN_END = "▶"  # a lower bound: the share reaches at least here and goes on
OPEN_TAIL = "┈"
UPPER_END = "┤"  # an upper bound: the share stops at most here
SHADE = "▒"  # the span an approximate figure may lie in
SPAN = ("├", "─", "┤")
_ASCII = {
    FULL: "#",
    OPEN_END: ">",
    OPEN_TAIL: ".",
    UPPER_END: "|",
    SHADE: "~",
    "├": "|",
    "─": "-",
    "┤": "|",
}


class ShareBar:
    def __init__(
        self,
        share: float,
        *,
        qualifier: str | None = lexicon.EXACT,
        low: float | None = None,
        high: float | None = None,
        scale: float = 100.0,
        min_width: int = 6,
        max_width: int = 40,
        style: str = "cyan",
    ) -> None:
        self.share = self._clamp(share, scale)
        self.qualifier = qualifier or lexicon.EXACT
        self.low = self._clamp(low if low is not None else share, scale)
        self.high = self._clamp(high if high is not None else share, scale)
        self.scale = scale
        self.min_width = min_width
        self.max_width = max_width
        self.style = style

    @staticmethod
    def _clamp(value: float, scale: float) -> float:
        return max(0.0, min(float(value), scale))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.min_width, min(self.max_width, options.max_width))

    def _cells(self, value: float, width: int) -> int:
        return round(value / self.scale * width)

    def text(self, width: int, *, ascii_only: bool = False) -> Text:
        """The bar in `width` cells: block characters, or #, >, ~, | and . where the terminal's
        encoding has no others."""

        def mark(character: str) -> str:
            return _ASCII.get(character, character) if ascii_only else character

        if self.qualifier in lexicon.LOWER_BOUNDS:  # the open end always shows, even near 100%
            full = min(self._cells(self.share, width), width - 1)
            bar = Text(mark(FULL) * full + mark(OPEN_END), style=self.style)
            bar.append(mark(OPEN_TAIL) * (width - full - 1), style="dim")
        elif self.qualifier in lexicon.UPPER_BOUNDS:
            stop = max(1, self._cells(self.share, width))
            bar = Text(mark(OPEN_TAIL) * (stop - 1), style="dim")
            bar.append(mark(UPPER_END), style=self.style)
        elif self.qualifier == lexicon.RANGE:
            start = min(self._cells(self.low, width), width - 2)
            end = max(start + 2, self._cells(self.high, width))
            bar = Text(" " * start)
            inner = mark(SPAN[1]) * (end - start - 2)
            bar.append(mark(SPAN[0]) + inner + mark(SPAN[2]), style=self.style)
        elif self.qualifier == lexicon.ABOUT:
            solid = self._cells(self.low, width)
            shaded = max(1, self._cells(self.high, width) - solid)
            bar = Text(mark(FULL) * solid, style=self.style)
            bar.append(mark(SHADE) * shaded, style=self.style)
        else:
            bar = self._exact(width, ascii_only)
        bar.truncate(width)
        return bar

    def _exact(self, width: int, ascii_only: bool) -> Text:
        eighths = round(self.share / self.scale * width * 8)
        full, part = divmod(eighths, 8)
        partial = _EIGHTHS[part] if part and not ascii_only else ""
        return Text(("#" if ascii_only else FULL) * full + partial, style=self.style)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.text(
            max(1, min(self.max_width, options.max_width)), ascii_only=options.ascii_only
        )
