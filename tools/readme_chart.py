"""Redraw the chart the README shows, with the command the README names:

    python -m tools.readme_chart

It writes docs/images/beijing-sectors.svg (our own SVG: the same bytes on every machine) and
docs/images/beijing-sectors.png (drawn from it; PNG bytes depend on the fonts installed, so
tests/test_chart.py holds the SVG to its bytes and the PNG to its size).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
IMAGES = REPO / "docs" / "images"
README_CHART = IMAGES / "beijing-sectors.png"
README_SVG = IMAGES / "beijing-sectors.svg"
COMMAND = "chart sectors --city beijing -o docs/images/beijing-sectors.png"
ENV = {**os.environ, "NO_COLOR": "1"}
ENV.pop("RETURNEES_FACTS", None)


def draw(suffix: str) -> bytes:
    """The README's chart, drawn now by the real command, as .svg or .png."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"chart{suffix}"
        argv = [*COMMAND.split()[:-1], str(target)]
        subprocess.run(
            [sys.executable, "-m", "returnee_cli", "--no-cache", *argv],
            check=True,
            capture_output=True,
            env=ENV,
        )
        return target.read_bytes()


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    README_SVG.write_bytes(draw(".svg"))
    README_CHART.write_bytes(draw(".png"))


if __name__ == "__main__":
    main()
