"""Every row of issue 13's table, measured in one run on this machine, each against a floor
measured in the same run.

    python benchmarks/run.py                     # start-up, then the 100,000-fact pack
    python benchmarks/run.py --quick             # start-up and a 10,000-fact pack
    python benchmarks/run.py --base ../main/src  # and the same, interleaved, for another tree
    python benchmarks/run.py --huge              # also the 1,000,000-fact cold load (minutes)

Ratios, not seconds: absolute times drift between machines and runs. Each timing is the median
(and the minimum) of several runs; peak memory is the child's own maximum resident set
(os.wait4). With --base, every measure runs for both trees in turn (A, B, A, B, ...), with the
same interpreter, so that a load on the machine falls on both alike; the base runs with its
`src` first on PYTHONPATH and a cache folder of its own.

The floors: `python -c pass` for start-up; for a cold load, the C parser's bare scan of the same
files' events (what any YAML reader must pay); for a filter, Python's sqlite3 answering the same
question from the same facts with an index on the column (benchmarks/generate.py writes it).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
# The installed command, as a user runs it (python -m would add runpy to every start).
RETURNEES = str(Path(PYTHON).with_name("returnees"))

SCAN = """
import sys, yaml
for name in sys.argv[1:]:
    with open(name, encoding="utf-8") as stream:
        for _ in yaml.parse(stream.read(), Loader=yaml.CSafeLoader):
            pass
"""
# What any table drawn by Rich pays: Rich imported as a program imports it, and a table like
# `sectors --city beijing`'s drawn (title, three columns, seven rows, a caption).
RICH_TABLE = """
from rich.console import Console
from rich.table import Table
table = Table(title="Beijing: fields of work", caption="Share of: returnees working in Beijing")
for name in ("Field", "Share", "0 to 100%"):
    table.add_column(name)
for row in range(7):
    table.add_row(f"Science and technology-related fields {row}", f"{20.84 - row:.2f}%", "██████▉")
Console(width=80, color_system=None, highlight=False, markup=False, emoji=False).print(table)
"""
# The same table drawn with Rich as the renderers import it (render/kit.py: without ast, pickle
# and fractions); then with the renderers' modules imported too (neither imports the model nor
# the queries): what a table drawn by these renderers pays however its rows are found.
# (inspect a stand-in, as main.py makes it: dataclasses imports it for what is never used)
KIT_TABLE = RICH_TABLE.replace(
    "from rich.console import Console\nfrom rich.table import Table",
    "from returnee_cli.lazy import on_first_use\non_first_use('inspect')\n"
    "from returnee_cli.render.kit import Console, Table",
)
VIEWS_TABLE = (
    KIT_TABLE + "import returnee_cli.main, returnee_cli.output, returnee_cli.render.views\n"
)
SQLITE = """
import json, sqlite3, sys
database = sqlite3.connect(sys.argv[1])
rows = database.execute("SELECT record FROM facts WHERE city = ?", (sys.argv[2],))
print(json.dumps([json.loads(record) for (record,) in rows], ensure_ascii=False, indent=2))
"""


@dataclass
class Tree:
    """One version of returnees under test: its environment and its own cache folder."""

    name: str
    env: dict[str, str]
    work: Path  # its cache folder and its copy of each pack
    packs: dict[int, Path] = field(default_factory=dict)

    def command(self, *args: str) -> list[str]:
        return [RETURNEES, *args]


@dataclass
class Timing:
    median: float
    least: float
    memory: int  # KiB, the largest of the runs

    def __str__(self) -> str:
        return f"{_seconds(self.median)} (min {_seconds(self.least)}) {self.memory / 1024:.0f} MiB"


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


# An installed returnees has its bytecode written (pip compiles it at install): a shell that sets
# PYTHONDONTWRITEBYTECODE would have every start compile each module anew and time the compiler.
INHERITED = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def measure(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall time in seconds and peak memory in KiB of one run of `command`."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**INHERITED, "NO_COLOR": "1", "COLUMNS": "80", **(env or {})},
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return elapsed, int(usage.ru_maxrss)


def timing(results: list[tuple[float, int]]) -> Timing:
    times = [r[0] for r in results]
    return Timing(statistics.median(times), min(times), max(r[1] for r in results))


def interleaved(
    trees: list[Tree],
    command: Callable[[Tree], list[str]],
    runs: int,
    before: Callable[[Tree, int], dict[str, str] | None] | None = None,
    floor_command: list[str] | None = None,
) -> dict[str, Timing]:
    """Each tree's timing of `command`, the trees taking turns run by run; `before` prepares
    each run (touch, edit, a fresh cache folder) and may give more environment. With
    `floor_command`, that too takes its turn in every run (its timing under "floor"): a start
    of 10 ms moves with the machine's load as much as the command does."""
    results: dict[str, list[tuple[float, int]]] = {tree.name: [] for tree in trees}
    if floor_command:
        results[FLOOR] = []
    for run in range(runs):
        if floor_command:
            results[FLOOR].append(measure(floor_command))
        for tree in trees:
            more = before(tree, run) if before else None
            results[tree.name].append(measure(command(tree), {**tree.env, **(more or {})}))
    return {name: timing(found) for name, found in results.items()}


FLOOR = "floor"
PASS = [PYTHON, "-c", "pass"]


def floor(command: list[str], runs: int) -> Timing:
    return timing([measure(command) for _ in range(runs)])


class Table:
    def __init__(self, trees: list[Tree]) -> None:
        self.trees = trees
        names = "".join(f" | {tree.name} | ×" for tree in trees)
        print(f"\n| measure | floor{names} | goal |")
        print("|---|---|" + "---|---|" * len(trees) + "---|")

    def row(self, name: str, base: Timing | None, got: dict[str, Timing], goal: str) -> None:
        cells = []
        for tree in self.trees:
            mine = got.get(tree.name)
            if mine is None:  # not measured for this tree (the row says why)
                cells.append("- | -")
                continue
            ratio = f"{mine.median / base.median:.2f}×" if base else "-"
            cells.append(f"{mine} | {ratio}")
        shown = str(base) if base else "-"
        print(f"| {name} | {shown} | {' | '.join(cells)} | {goal} |", flush=True)


def pack(size: int, root: Path) -> Path:
    folder = root / f"pack-{size}"
    if not (folder / "facts.db").exists():
        subprocess.run(
            [PYTHON, str(HERE / "generate.py"), "--facts", str(size), "--out", str(folder)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return folder


def copy_of(source: Path, tree: Tree, size: int) -> Path:
    """The tree's own copy of a pack: an edit or a touch for one tree leaves the other's be."""
    target = tree.work / f"pack-{size}"
    if not target.exists():
        shutil.copytree(source / "pack", target)
    return target


def touch(folder: Path) -> None:
    for path in folder.glob("*.yaml"):
        os.utime(path)


def check_out(folder: Path) -> None:
    """As `git checkout` of unchanged content does: every file written anew, same bytes."""
    for path in folder.glob("*.yaml"):
        fresh = path.with_suffix(".tmp")
        fresh.write_bytes(path.read_bytes())
        os.replace(fresh, path)


def edit(folder: Path, run: int) -> None:
    """A real edit of one file (the middle one): a comment at its end, other on every run."""
    names = sorted(folder.glob("facts-*.yaml"))
    path = names[len(names) // 2]
    text = path.read_text(encoding="utf-8").split("# edit ")[0]
    path.write_text(f"{text}# edit {run}\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 10,000-fact pack, not 100,000")
    parser.add_argument("--huge", action="store_true", help="also the 1,000,000-fact cold load")
    parser.add_argument("--runs", type=int, default=11, help="runs per start-up timing")
    parser.add_argument("--base", type=Path, help="the src folder of another tree to compare")
    parser.add_argument("--startup", action="store_true", help="the start-up rows only")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "returnees-bench",
        help="where packs and caches go",
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    stamp = time.time_ns()
    trees = [Tree("this tree", {}, args.work / f"ours-{stamp}")]
    if args.base:
        base_env = {"PYTHONPATH": str(args.base.resolve())}
        trees.append(Tree("base", base_env, args.work / f"base-{stamp}"))
    for tree in trees:
        tree.work.mkdir()
        tree.env["RETURNEES_CACHE_DIR"] = str(tree.work / "cache")

    print(
        f"returnees benchmarks: Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores, {platform.platform()}; load average at start "
        + " ".join(f"{n:.2f}" for n in os.getloadavg())
    )
    runs = args.runs
    table = Table(trees)
    startup = ("sectors", "--city", "beijing")
    for tree in trees:  # the cache and each module's bytecode, written
        for warm_up in ((*startup, "--json"), startup, ("sectors", "--help")):
            measure(tree.command(*warm_up), tree.env)

    def startup_row(name: str, argv: tuple[str, ...], goal: str) -> None:
        """A start-up row, its floor (`python -c pass`) measured in turn with the trees."""
        got = interleaved(trees, lambda t: t.command(*argv), runs, floor_command=PASS)
        table.row(name, got[FLOOR], got, goal)

    startup_row("`sectors --city beijing --json` start-up", (*startup, "--json"), "≤ 2.5×")
    startup_row("same, table", startup, "≤ 5×")
    pairs = [(measure(PASS), measure([PYTHON, "-c", RICH_TABLE])) for _ in range(runs)]
    rich_alone = timing([pair[1] for pair in pairs])
    table.row(
        "(Rich alone, drawing a like table: what any table pays)",
        timing([pair[0] for pair in pairs]),
        {tree.name: rich_alone for tree in trees},
        "-",
    )

    def script_row(name: str, script: str) -> None:
        """A script run with this tree's environment, against the floor (this tree only: the
        modules it imports may not be in a base tree)."""
        ours = trees[:1]
        got = interleaved(ours, lambda _tree: [PYTHON, "-c", script], runs, floor_command=PASS)
        table.row(name, got[FLOOR], got, "-")

    script_row("(Rich through render/kit.py: what a table drawn here pays)", KIT_TABLE)
    script_row("(the same, with the renderers imported: a warm table's floor)", VIEWS_TABLE)
    startup_row("`--help` of a command", ("sectors", "--help"), "≤ 8×")
    if args.startup:
        return

    size = 10_000 if args.quick else 100_000
    source = pack(size, args.work)
    for tree in trees:
        tree.packs[size] = copy_of(source, tree, size)

    def facts_command(tree: Tree, *more: str) -> list[str]:
        return tree.command("--no-builtin", "--facts", str(tree.packs[size]), *more)

    city = ("facts", "--city", "beijing", "--json")
    for tree in trees:
        measure(facts_command(tree, *city), tree.env)  # the cache, warm
    warm = interleaved(trees, lambda t: facts_command(t, *city), 7)
    sqlite_floor = floor([PYTHON, "-c", SQLITE, str(source / "facts.db"), "beijing"], 7)
    table.row(f"{size:,} warm, `facts --city X --json`", sqlite_floor, warm, "≤ 1.6×, ≤ 40 MiB")
    jq = shutil.which("jq")
    if jq:  # the other peer: jq filtering the same facts as one JSON file
        jq_floor = floor([jq, '[.[] | select(.city == "beijing")]', str(source / "facts.json")], 5)
        table.row("same (floor: jq on the same facts as JSON)", jq_floor, warm, "-")
    # Like with like: the same output format on both sides (a table pays for Rich, about 40 ms,
    # which the JSON answer does not), each against this tree's own `facts --city`.
    sectors = interleaved(
        trees, lambda t: facts_command(t, "sectors", "--city", "beijing", "--json"), 7
    )
    table.row(
        f"`sectors --city X --json` at {size:,} (floor: `facts --city X --json`)",
        warm["this tree"],
        sectors,
        "≤ 1.1×",
    )
    facts_table = interleaved(trees, lambda t: facts_command(t, "facts", "--city", "beijing"), 7)
    sectors_table = interleaved(
        trees, lambda t: facts_command(t, "sectors", "--city", "beijing"), 7
    )
    table.row(
        f"`sectors --city X` at {size:,}, a table (floor: `facts --city X`, a table)",
        facts_table["this tree"],
        sectors_table,
        "≤ 1.1×",
    )

    def edited(tree: Tree, run: int) -> None:
        edit(tree.packs[size], run)

    changed = interleaved(trees, lambda t: facts_command(t, *city), 3, edited)
    table.row(
        f"{size:,} in {size // 1000 + 1} files, edit one file (floor: warm)",
        warm["this tree"],
        changed,
        "≤ 6×, ≤ 2.5 s",
    )
    for tree in trees:
        measure(facts_command(tree, *city), tree.env)  # the cache, warm again
    touched = interleaved(
        trees, lambda t: facts_command(t, *city), 5, lambda t, _: touch(t.packs[size])
    )
    table.row("`touch` of every file (floor: warm)", warm["this tree"], touched, "≤ 1.5×")
    checked_out = interleaved(
        trees, lambda t: facts_command(t, *city), 5, lambda t, _: check_out(t.packs[size])
    )
    table.row(
        "checkout of unchanged content (floor: warm)", warm["this tree"], checked_out, "≤ 1.5×"
    )

    files = sorted(str(p) for p in (source / "pack").glob("*.yaml"))
    scan = floor([PYTHON, "-c", SCAN, *files], 2)

    def fresh_cache(tree: Tree, run: int) -> dict[str, str]:
        return {"RETURNEES_CACHE_DIR": str(tree.work / f"cold-{run}")}

    cold = interleaved(trees, lambda t: facts_command(t, *city), 2, fresh_cache)
    table.row(
        f"{size:,} facts, cold load (floor: C parser's event scan)", scan, cold, "≤ 4.4×, ≤ 8 s"
    )
    if args.huge:
        big = pack(1_000_000, args.work)
        for tree in trees:
            tree.packs[1_000_000] = big / "pack"
        huge = interleaved(
            trees,
            lambda t: t.command("--no-builtin", "--facts", str(t.packs[1_000_000]), *city),
            1,
            fresh_cache,
        )
        table.row(
            "1,000,000 facts, cold load (floor: 100,000)",
            cold["this tree"],
            huge,
            "≤ 10.5×, ≤ 100 s, ≤ 2 GiB",
        )

        def huge_command(tree: Tree) -> list[str]:
            return tree.command("--no-builtin", "--facts", str(tree.packs[1_000_000]), *city)

        # This tree only, from the entry its cold load above left (in cold-0): the tree before
        # issue 13 writes no entry of a million facts (over its 256 MiB bound), so each of its
        # "warm" runs would be another cold load of minutes.
        ours = trees[:1]
        huge_warm = interleaved(ours, huge_command, 3, lambda t, _: fresh_cache(t, 0))
        huge_sqlite = floor([PYTHON, "-c", SQLITE, str(big / "facts.db"), "beijing"], 3)
        table.row(
            "1,000,000 warm, `facts --city X --json` (this tree only)",
            huge_sqlite,
            huge_warm,
            "≤ 0.6 s, ≤ 200 MiB",
        )
    print(f"\nload average at the end: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
