"""Text from fact files is data: never read as markup, and shown through the one guard."""

from __future__ import annotations

from returnee_cli.render.kit import Text
from returnee_cli.untrusted import neutralise


def data_text(text: str | None, style: str = "", *, lines: bool = False) -> Text:
    """Fact-file text as a Rich Text: `[b]` prints as written, and no character of it can drive
    the terminal (untrusted.neutralise); on one line unless `lines` (a header split by us)."""
    return Text(neutralise(text or "", lines=lines), style=style)
