"""Run docs/recipes.md: every `$ command` of its console blocks, in a shell, section by section
(the commands of one `## ` section share a fresh working folder, so a recipe can write a file
and read it back), and write what each prints under it. tests/test_docs.py runs the same and
fails when the page and the commands differ.

    python tools/recipes.py
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

RECIPES = Path(__file__).resolve().parents[1] / "docs" / "recipes.md"
_BLOCK = re.compile(r"```console\n(.*?)```", flags=re.S)


@dataclass(frozen=True)
class Ran:
    command: str
    output: str
    exit_code: int


def _environment(folder: Path) -> dict[str, str]:
    """The README's terminal (80 columns, no colour), `returnees` of this interpreter first on
    the PATH, and a cache of the run's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RETURNEES_")}
    bin_dir = str(Path(sys.executable).parent)
    return {
        **env,
        "PATH": bin_dir + os.pathsep + env.get("PATH", ""),
        "NO_COLOR": "1",
        "COLUMNS": "80",
        "RETURNEES_CACHE_DIR": str(folder / ".cache"),
    }


def run_section(commands: list[str]) -> list[Ran]:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        env = _environment(folder)
        ran = []
        for command in commands:
            result = subprocess.run(
                ["bash", "-o", "pipefail", "-c", command],
                cwd=folder,
                env=env,
                capture_output=True,
                text=True,
                encoding="utf-8",
            )
            ran.append(Ran(command, result.stdout, result.returncode))
    return ran


def sections(text: str) -> list[str]:
    """The page cut before each `## ` heading."""
    return re.split(r"(?m)^(?=## )", text)


def commands_of(section: str) -> list[str]:
    return [
        line[2:]
        for block in _BLOCK.findall(section)
        for line in block.splitlines()
        if line.startswith("$ ")
    ]


def render_section(section: str, ran: list[Ran]) -> str:
    outputs = iter(ran)

    def block(match: re.Match[str]) -> str:
        lines = []
        for line in match.group(1).splitlines():
            if line.startswith("$ "):
                result = next(outputs)
                lines.append(f"$ {result.command}\n{result.output}")
        return "```console\n" + "".join(lines) + "```"

    return _BLOCK.sub(block, section)


def rendered(text: str) -> tuple[str, list[Ran]]:
    """The page with every output as the commands print it now, and every run."""
    parts, runs = [], []
    for section in sections(text):
        ran = run_section(commands_of(section))
        runs.extend(ran)
        parts.append(render_section(section, ran))
    return "".join(parts), runs


def main() -> None:
    text, runs = rendered(RECIPES.read_text(encoding="utf-8"))
    failed = [run for run in runs if run.exit_code != 0]
    for run in failed:
        print(f"exit {run.exit_code}: {run.command}", file=sys.stderr)
    RECIPES.write_text(text, encoding="utf-8")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
