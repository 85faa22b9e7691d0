"""The quote check at its limits (issue 10, "Bounded work"): 7,000 quotes that are in a 16 MiB
stored text and 7,000 that are not, looked up as `returnees` does now (checks.quotes_found) and
as it did before (`quote in text` for each), each in a fresh process for its peak memory.

    python benchmarks/quotes.py             # both; the old way takes a minute or more
    python benchmarks/quotes.py --new-only  # the new way only
    python benchmarks/quotes.py --cli [--returnees PATH]  # `returnees validate` on such a pack

The text is made of sentences of made-up words (ASCII, or with --cjk a third of the words
Chinese, which makes Python store the text at 4 bytes a character): present quotes are
sentences of it, absent ones the same words in another order.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

TEXT_BYTES = 16 * 1024 * 1024
QUOTES = 7_000


def corpus(cjk: bool) -> tuple[str, list[str], list[str]]:
    from returnee_cli.checks import normalise

    rng = random.Random(2025)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(20_000)]
    if cjk:
        words += [
            "".join(chr(0x4E00 + rng.randrange(2_000)) for _ in range(2)) for _ in range(10_000)
        ]
    sentences, size = [], 0
    while size < TEXT_BYTES:
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(8, 25))).capitalize() + "."
        sentences.append(sentence)
        size += len(sentence.encode()) + 1
    text = normalise(" ".join(sentences))
    while len(text.encode()) > TEXT_BYTES:
        text = text[: -len(sentences[-1]) - 1]
        sentences.pop()
    present = [rng.choice(sentences) for _ in range(QUOTES)]
    absent = [" ".join(rng.choice(words) for _ in range(15)) + "." for _ in range(QUOTES)]
    return text, present, absent


def child(way: str, cjk: bool) -> None:
    """One measurement, in this process: prints seconds, quotes found, the text's size in memory
    and the check's own peak allocation (tracemalloc, in a second run), both in MiB."""
    import tracemalloc

    from returnee_cli.checks import quotes_found

    text, present, absent = corpus(cjk)
    quotes = present + absent

    def check() -> set[str]:
        if way == "new":
            return quotes_found(text, quotes)
        return {quote for quote in quotes if quote in text}

    start = time.perf_counter()
    found = check()
    elapsed = time.perf_counter() - start
    tracemalloc.start()
    check()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(elapsed, len(found), sys.getsizeof(text) / 2**20, peak / 2**20)


def cli(returnees: str, cjk: bool) -> None:
    """`returnees validate` on a pack of 14,000 statements quoting a 16 MiB stored text."""
    import tempfile

    text, present, absent = corpus(cjk)
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "article.txt").write_text(text, encoding="utf-8")
        (Path(folder) / "sources.yaml").write_text(
            "sources:\n  - {id: src, title: T, publisher: P, date: '2025-01-01', kind: primary,"
            " text: article.txt}\n",
            encoding="utf-8",
        )
        quoted = present + absent
        for first in range(0, len(quoted), 5_000):  # a file holds at most 100,000 YAML values
            lines = ["facts:"] + [
                f"  - {{id: f{n}, topic: t, label: L{n}, source: src, reported_in: src,"
                f" quote: '{quoted[n]}'}}"
                for n in range(first, min(first + 5_000, len(quoted)))
            ]
            (Path(folder) / f"facts-{first}.yaml").write_text(
                "\n".join(lines) + "\n", encoding="utf-8"
            )
        pack = Path(folder)
        start = time.perf_counter()
        process = subprocess.Popen(
            [returnees, "--no-builtin", "--facts", str(pack), "validate"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        out = process.stdout.read() if process.stdout else b""
        _, _, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
    missing = out.count(b"[quote]")
    print(
        f"returnees validate: {elapsed:.2f} s, peak {usage.ru_maxrss / 1024:.0f} MiB, "
        f"{missing:,} quotes reported missing"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--new-only", action="store_true")
    parser.add_argument("--cjk", action="store_true", help="a third of the words Chinese")
    parser.add_argument("--cli", action="store_true", help="time `returnees validate` instead")
    parser.add_argument("--returnees", default=str(Path(sys.executable).with_name("returnees")))
    parser.add_argument("--child", choices=["new", "old"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cli:
        cli(args.returnees, args.cjk)
        return
    if args.child:
        child(args.child, args.cjk)
        return
    print(
        f"{QUOTES:,} quotes present and {QUOTES:,} absent, in a 16 MiB stored text "
        f"({'a third Chinese' if args.cjk else 'ASCII'})"
    )
    results = {}
    for way in ["new"] if args.new_only else ["new", "old"]:
        command = [sys.executable, __file__, "--child", way] + (["--cjk"] if args.cjk else [])
        output = subprocess.run(command, check=True, capture_output=True, text=True, env=os.environ)
        seconds, found, text, peak = output.stdout.split()
        results[way] = int(found)
        name = "checks.quotes_found" if way == "new" else "`quote in text`, each"
        print(
            f"  {name:<24} {float(seconds):7.2f} s   {int(found):,} found   "
            f"peak {float(peak):.1f} MiB allocated by the check (the text takes {float(text):.0f})"
        )
    if len(results) == 2 and results["new"] != results["old"]:
        raise SystemExit("MISMATCH: the two ways found different quotes")


if __name__ == "__main__":
    main()
