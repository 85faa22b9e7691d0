"""Rewrite the README's "Using it" examples with what the commands print now (80 columns, no
colour). tests/test_docs.py fails whenever an example and the real output differ.

    python tools/readme_examples.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80"}
ENV.pop("RETURNEES_FACTS", None)


def output(command: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "returnee_cli", *command.split()],
        capture_output=True,
        text=True,
        env=ENV,
        encoding="utf-8",
    )
    return result.stdout


def main() -> None:
    text = README.read_text(encoding="utf-8")
    pattern = re.compile(r"```console\n\$ returnees ([^\n]*)\n.*?```", flags=re.S)
    text = pattern.sub(
        lambda m: f"```console\n$ returnees {m.group(1)}\n{output(m.group(1))}```", text
    )
    README.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
