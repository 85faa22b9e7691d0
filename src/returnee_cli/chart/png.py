"""SVG to PNG, through vl-convert's resvg: the one part of `chart` that needs a library (the
`charts` extra). Imported only when a .png is asked for."""

from __future__ import annotations

from returnee_cli.errors import UsageError

INSTALL_HINT = (
    "PNG charts need the charts extra: pip install 'returnee-cli[charts]' (in a clone of "
    "returnees: pip install '.[charts]'); .svg and .html need nothing more"
)
SCALE = 2  # twice the SVG's size: sharp text on high-density screens and in print


def png_bytes(svg: str) -> bytes:
    """The chart drawn at SCALE × its size. Text is drawn with the fonts vl-convert bundles and
    those installed on the system; a character no font has (Chinese, without a CJK font such as
    Debian's fonts-noto-cjk) is drawn as an empty box (docs/charts.md)."""
    try:
        import vl_convert
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    data: bytes = vl_convert.svg_to_png(svg, scale=SCALE)
    return data
