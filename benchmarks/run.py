"""Every performance ratio of issue 5, measured in one run on this machine, printed side by side.

    python benchmarks/run.py            # start-up, then 1k / 10k / 100k packs (generated once)
    python benchmarks/run.py --quick    # start-up and 1k / 10k only

Ratios, not seconds: absolute times drift between machines and runs. Each timing is the median of
several runs; peak memory is the child's own maximum resident set (os.wait4).
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
# The installed command, as a user runs it (python -m would add runpy to every start).
RETURNEES = [str(Path(PYTHON).with_name("returnees"))]


def measure(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    stdout: int | None = subprocess.DEVNULL,
) -> tuple[float, int]:
    """Wall time in seconds and peak memory in KiB of one run of `command`."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=stdout, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})}
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return elapsed, int(usage.ru_maxrss)


def median(command: list[str], runs: int, **kwargs: object) -> tuple[float, int]:
    results = [measure(command, **kwargs) for _ in range(runs)]  # type: ignore[arg-type]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def row(name: str, value: float, target: str, ok: bool | None = None) -> None:
    verdict = "" if ok is None else ("  ok" if ok else "  MISSED")
    print(f"  {name:<58} {value:>7.2f}×   target {target}{verdict}")


def pack(size: int, root: Path) -> Path:
    folder = root / f"pack-{size}"
    if not (folder / "facts.json").exists():
        subprocess.run(
            [PYTHON, str(HERE / "generate.py"), "--facts", str(size), "--out", str(folder)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 100,000-fact pack")
    parser.add_argument("--runs", type=int, default=15, help="runs per start-up timing")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "returnees-bench",
        help="where packs and caches go",
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    cache = {"RETURNEES_CACHE_DIR": str(args.work / "cache"), "NO_COLOR": "1", "COLUMNS": "80"}

    print(
        f"returnees benchmarks: Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores, {platform.platform()}"
    )
    print("start-up (median of", args.runs, "runs; 1× = python -c pass)")
    floor, _ = median([PYTHON, "-c", "pass"], args.runs)
    measure([*RETURNEES, "sectors", "--city", "beijing", "--json"], env=cache)  # warm the cache
    as_json, _ = median(
        [*RETURNEES, "sectors", "--city", "beijing", "--json"], args.runs, env=cache
    )
    table, _ = median([*RETURNEES, "sectors", "--city", "beijing"], args.runs, env=cache)
    helped, _ = median([*RETURNEES, "sectors", "--help"], args.runs, env=cache)
    imports, _ = median([PYTHON, "-c", "import typer, rich.console, rich.table, yaml"], args.runs)
    print(f"  python -c pass: {floor * 1000:.1f} ms")
    row("import typer, rich and yaml (for reference)", imports / floor, "-")
    row("returnees sectors --city beijing --json", as_json / floor, "≤ 6×", as_json / floor <= 6)
    row("returnees sectors --city beijing (table)", table / floor, "≤ 10×", table / floor <= 10)
    row("returnees sectors --help", helped / floor, "≤ 10×", helped / floor <= 10)

    jq = shutil.which("jq")
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    times: dict[int, float] = {}
    print("scale: returnees --no-builtin --facts PACK facts --city beijing --json (warm cache)")
    for size in sizes:
        folder = pack(size, args.work)
        command = [
            *RETURNEES,
            "--no-builtin",
            "--facts",
            str(folder / "pack"),
            "facts",
            "--city",
            "beijing",
            "--json",
        ]
        if size == sizes[-1]:
            cold, cold_memory = measure(
                command,
                env={**cache, "RETURNEES_CACHE_DIR": str(args.work / f"cold-{time.time_ns()}")},
            )
            print(
                f"  cold load of {size:,} facts (no cache yet): {cold:.2f} s, "
                f"peak {cold_memory / 1024:.0f} MiB"
            )
        measure(command, env=cache)  # warm the cache
        ours, our_memory = median(command, 5, env=cache)
        times[size] = ours
        line = f"  {size:>7,} facts: {ours * 1000:7.1f} ms, peak {our_memory / 1024:6.1f} MiB"
        if jq:
            theirs, their_memory = median(
                [jq, '[.[] | select(.city == "beijing")]', str(folder / "facts.json")], 5
            )
            line += (
                f"   jq: {theirs * 1000:7.1f} ms, peak {their_memory / 1024:6.1f} MiB"
                f"   time {ours / theirs:.2f}× jq, memory {our_memory / their_memory:.2f}× jq"
            )
            if size == 100_000:
                print(line)
                row(
                    "time against jq at 100,000 facts",
                    ours / theirs,
                    "≤ 0.5×",
                    ours / theirs <= 0.5,
                )
                row(
                    "peak memory against jq at 100,000 facts",
                    our_memory / their_memory,
                    "≤ 2×",
                    our_memory / their_memory <= 2,
                )
                continue
        print(line)
    if 100_000 in times:
        ratio = times[100_000] / times[10_000]
        row("growth: 100,000 facts against 10,000", ratio, "≤ 12×", ratio <= 12)
    if not jq:
        print("  (jq not found: install it, e.g. apt-get install jq, to compare against it)")


if __name__ == "__main__":
    main()
