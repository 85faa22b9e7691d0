"""The Rich classes the renderers draw with, imported from here, so that Rich is imported once
and lighter: without `ast`, `pickle` and `fractions` (with `decimal`), which Rich imports for
what a table drawn without markup never uses (lazy.called_on_first_use says which). Imported the
first time a table is drawn, never for --json."""

from __future__ import annotations

from returnee_cli.lazy import called_on_first_use

# Rich's markup parameters, a style's metadata, a layout's ratios
UNUSED_BY_TABLES = {
    "ast": ("literal_eval",),
    "pickle": ("dumps", "loads"),
    "fractions": ("Fraction",),
}

with called_on_first_use(UNUSED_BY_TABLES):
    from rich import box
    from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
    from rich.measure import Measurement
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

__all__ = [
    "Console",
    "ConsoleOptions",
    "Group",
    "Measurement",
    "Padding",
    "RenderResult",
    "RenderableType",
    "Table",
    "Text",
    "box",
]
