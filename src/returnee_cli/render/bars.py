"""A horizontal share bar on a fixed 0-100 scale that takes whatever width its column gives it."""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

_EIGHTHS = " ▏▎▍▌▋▊▉"
FULL = "█"
OPEN_END = "▶"  # a lower bound: the share reaches at least here and goes on
OPEN_TAIL = "┈"


class ShareBar:
    def __init__(
        self,
        share: float,
        *,
        lower_bound: bool = False,
        scale: float = 100.0,
        min_width: int = 6,
        max_width: int = 40,
        style: str = "cyan",
    ) -> None:
        self.share = max(0.0, min(float(share), scale))
        self.lower_bound = lower_bound
        self.scale = scale
        self.min_width = min_width
        self.max_width = max_width
        self.style = style

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.min_width, min(self.max_width, options.max_width))

    def text(self, width: int, *, ascii_only: bool = False) -> Text:
        """The bar in `width` cells: block characters, or #, > and . where the terminal's
        encoding has no others."""
        full_mark, end_mark, tail_mark = (
            ("#", ">", ".") if ascii_only else (FULL, OPEN_END, OPEN_TAIL)
        )
        eighths = round(self.share / self.scale * width * 8)
        full, part = divmod(eighths, 8)
        partial = _EIGHTHS[part] if part and not ascii_only else ""
        bar = Text(full_mark * full + partial, style=self.style)
        if self.lower_bound:  # the open end always shows, even a hair under 100%
            full = min(full, width - 1)
            bar = Text(full_mark * full, style=self.style)
            bar.append(end_mark, style=self.style)
            bar.append(tail_mark * max(0, width - full - 1), style="dim")
        bar.truncate(width)
        return bar

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.text(
            max(1, min(self.max_width, options.max_width)), ascii_only=options.ascii_only
        )
