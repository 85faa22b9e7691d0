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
    def __init__(self, share: float, *, lower_bound: bool = False, scale: float = 100.0,
                 min_width: int = 6, max_width: int = 40, style: str = "cyan") -> None:
        self.share = max(0.0, min(float(share), scale))
        self.lower_bound = lower_bound
        self.scale = scale
        self.min_width = min_width
        self.max_width = max_width
        self.style = style

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.min_width, min(self.max_width, options.max_width))

    def text(self, width: int) -> Text:
        eighths = round(self.share / self.scale * width * 8)
        full, part = divmod(eighths, 8)
        bar = Text(FULL * full + (_EIGHTHS[part] if part else ""), style=self.style)
        if self.lower_bound:
            bar = Text(FULL * full, style=self.style)
            bar.append(OPEN_END, style=self.style)
            bar.append(OPEN_TAIL * max(0, width - full - 1), style="dim")
        bar.truncate(width)
        return bar

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.text(max(1, min(self.max_width, options.max_width)))
