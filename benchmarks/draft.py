"""How long `returnees draft` takes on a long report: a generated text of N pages (about 3,000
characters a page, half of its sentences with figures, English and Chinese paragraphs mixed),
drafted by the installed command as a user runs it.

    python benchmarks/draft.py                 # 100 pages, median of 5 runs
    python benchmarks/draft.py --pages 500 --runs 3

The issue's target: a 100-page report in seconds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RETURNEES = str(Path(sys.executable).with_name("returnees"))
WORDING = ["over", "more than", "at least", "fewer than", "up to", "about", "nearly", ""]
WORDING_ZH = ["超过", "不少于", "不到", "不超过", "约", "将近", ""]
NOUNS = ["founders", "returnees", "respondents", "companies", "students"]


def english_sentence(rng: random.Random) -> str:
    kind = rng.randrange(6)
    share = f"{rng.randint(1, 99)}{rng.choice(['', '.5', '.25'])}%"
    if kind == 0:
        return f"{rng.choice(WORDING).capitalize()} {share} of the {rng.choice(NOUNS)} work abroad."
    if kind == 1:
        count = f"{rng.randint(1, 999)},{rng.randint(0, 999):03d}"
        return f"In {rng.randint(2000, 2025)}, the survey reached {count} {rng.choice(NOUNS)}."
    if kind == 2:
        low = rng.randint(1, 40)
        return f"Between {low}% and {low + rng.randint(1, 40)}% plan to hire, ranked No. 1."
    if kind == 3:
        return "Key sectors include AI, biomedicine, and clean energy, among several others."
    return "The report describes how returnees build companies and networks in the city."


def chinese_sentence(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return f"{rng.choice(WORDING_ZH)}{rng.randint(1, 99)}%的受访者是“80后”。"
    if kind == 1:
        year, people, revenue = rng.randint(2000, 2025), rng.randint(1, 99), rng.randint(1, 9)
        return f"{year}年共有{people}万人留学归国，营收{revenue}.5亿元。"
    return "创业者看重的因素主要有：人才资源、市场潜力和地理位置。"


def report(pages: int, seed: int = 12) -> str:
    rng = random.Random(seed)
    paragraphs: list[str] = []
    size = 0
    while size < pages * 3000:
        chinese = rng.random() < 0.25
        sentence = chinese_sentence if chinese else english_sentence
        paragraph = ("" if chinese else " ").join(sentence(rng) for _ in range(rng.randint(2, 6)))
        paragraphs.append(paragraph)
        size += len(paragraph)
    return "\n\n".join(paragraphs) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        text = Path(folder) / "report.txt"
        text.write_text(report(args.pages), encoding="utf-8")
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            done = subprocess.run(
                [RETURNEES, "draft", str(text)], capture_output=True, text=True, check=True
            )
            times.append(time.perf_counter() - start)
        size = text.stat().st_size
    print(
        f"returnees draft: {args.pages} pages ({size / 1024:,.0f} KiB), "
        f"{done.stderr.strip().removeprefix('returnees: ')}: "
        f"{statistics.median(times):.2f} s (median of {args.runs} runs)"
    )


if __name__ == "__main__":
    main()
