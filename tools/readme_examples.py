"""Rewrite what the README shows of the code: every "Using it" example with what the command
prints now (80 columns, no colour), and the reference tables between `<!-- begin NAME -->` and
`<!-- end NAME -->` made from the declarations (commands, output options, exit codes).
tests/test_docs.py fails whenever the README and the code differ.

    python tools/readme_examples.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from returnee_cli.commands import FACT_OUTPUT
from returnee_cli.errors import EXIT_CODES
from returnee_cli.surface import COMMANDS, OUTPUT_DESTS, Param

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


def _written(param: Param) -> str:
    if param.kind == "argument":
        return param.metavar or param.dest.upper()
    value = f" {param.metavar}" if param.kind == "option" else ""
    if param.off:  # a switch: --derived/--no-derived
        return f"`{'/'.join(param.names)}`"
    return f"`{', '.join(sorted(param.flags, key=len))}{value}`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def commands_table() -> str:
    lines = ["| command | what it answers | its own options |", "|---|---|---|"]
    for name, command in COMMANDS.items():
        arguments = " ".join(_written(p) for p in command.arguments)
        takes_output = any(p.dest == "format" for p in command.params)
        own = [
            _written(p)
            for p in command.params
            if p.flags and not (takes_output and p.dest in OUTPUT_DESTS)
        ]
        options = ", ".join(own + (["the output options"] if takes_output else [])) or "—"
        summary = command.help.split("\n\n")[0]
        lines.append(
            f"| `returnees {name}{' ' + arguments if arguments else ''}` | "
            f"{_cell(summary)} | {options} |"
        )
    return "\n".join(lines)


def output_options_table() -> str:
    lines = ["| option | what it does |", "|---|---|"]
    for param in FACT_OUTPUT:
        lines.append(f"| {_written(param)} | {_cell(param.help)} |")
    return "\n".join(lines)


def exit_codes_table() -> str:
    lines = ["| code | meaning |", "|---|---|"]
    lines += [f"| {code} | {_cell(meaning)} |" for code, meaning in EXIT_CODES.items()]
    return "\n".join(lines)


BLOCKS: dict[str, Callable[[], str]] = {
    "commands": commands_table,
    "output-options": output_options_table,
    "exit-codes": exit_codes_table,
}


def block_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- begin {name} [^>]*-->\n)(.*?)(<!-- end {name} -->)", flags=re.S)


def replace_block(text: str, name: str, table: str) -> str:
    return block_pattern(name).sub(lambda m: f"{m.group(1)}{table}\n{m.group(3)}", text)


def main() -> None:
    text = README.read_text(encoding="utf-8")
    pattern = re.compile(r"```console\n\$ returnees ([^\n]*)\n.*?```", flags=re.S)
    text = pattern.sub(
        lambda m: f"```console\n$ returnees {m.group(1)}\n{output(m.group(1))}```", text
    )
    for name, make in BLOCKS.items():
        text = replace_block(text, name, make())
    README.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
