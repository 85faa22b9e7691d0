"""Rewrite what docs/fact-format.md shows of the code: the key tables (from fields.py) and the
output of every `console` block, run on the doc's own example files in a scratch folder.
tests/test_fact_format_doc.py fails whenever the doc and the code differ.

    python tools/fact_format_doc.py
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from returnee_cli.fields import CITY_FIELDS, DERIVE_FIELDS, FACT_FIELDS, SOURCE_FIELDS, FieldSpec

DOC = Path(__file__).resolve().parents[1] / "docs" / "fact-format.md"
TABLES = {"sources": SOURCE_FIELDS, "cities": CITY_FIELDS, "facts": FACT_FIELDS}
TABLES["derive"] = DERIVE_FIELDS


def key_table(specs: tuple[FieldSpec, ...]) -> str:
    rows = [f"| `{s.name}` | {'yes' if s.required else ''} | {s.help} |" for s in specs]
    return "\n".join(["| key | required | what it holds |", "|---|---|---|", *rows])


def _replace_table(text: str, title: str, table: str) -> str:
    pattern = re.compile(rf"(### `{title}`\n\n)(.*?)(\n\n)", flags=re.S)
    return pattern.sub(lambda m: m.group(1) + table + m.group(3), text, count=1)


def main() -> None:
    text = DOC.read_text(encoding="utf-8")
    for title, specs in TABLES.items():
        text = _replace_table(text, title, key_table(specs))
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80"}
    env.pop("RETURNEES_FACTS", None)
    with tempfile.TemporaryDirectory() as scratch:
        for name, content in re.findall(r"```(?:yaml|text) file=(\S+)\n(.*?)```", text, re.S):
            path = Path(scratch) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")

        def output(match: re.Match[str]) -> str:
            command = match.group(1)
            result = subprocess.run(
                [sys.executable, "-m", "returnee_cli", *shlex.split(command)],
                capture_output=True,
                text=True,
                env=env,
                cwd=scratch,
                encoding="utf-8",
            )
            return f"```console\n$ returnees {command}\n{result.stdout}```"

        text = re.sub(r"```console\n\$ returnees ([^\n]*)\n.*?```", output, text, flags=re.S)
    DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
