"""Write a synthetic fact pack of N facts for benchmarks: many cities, topics and sources, so that
filters have work to do, and every fact valid (`returnees validate` accepts the pack).

    python benchmarks/generate.py --facts 100000 --out /tmp/pack-100k

Also writes `facts.json` beside the pack: the same facts as one JSON array (source ids, not
objects), for comparing against jq.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

CITIES = ["beijing", "shanghai", "guangzhou", "shenzhen", "suzhou", "hangzhou", "changsha"] + [
    f"city-{n:02d}" for n in range(43)
]
TOPICS = [
    "sectors",
    "emerging-industries",
    "reasons",
    "destinations",
    "first-choice",
    "generation",
    "education",
    "industries",
    "profitability",
    "markets",
    "women",
    "policy",
]
SOURCES = [(f"bench-source-{n}", "primary" if n else "secondary") for n in range(6)]
FACTS_PER_FILE = 1000
SAMPLE = 400  # shares are multiples of 0.25%, so each implies a whole number of respondents


def fact(number: int, rng: random.Random) -> dict[str, object]:
    city = CITIES[number % len(CITIES)]
    topic = TOPICS[(number // len(CITIES)) % len(TOPICS)]
    source = SOURCES[1 + number % (len(SOURCES) - 1)][0]
    record: dict[str, object] = {"id": f"bench-{number:07d}", "city": city, "topic": topic}
    kind = number % 10
    if kind < 7:  # a share of the sample
        quarters = rng.randrange(1, 400)
        value: int | float = quarters // 4 if quarters % 4 == 0 else quarters / 4
        more = kind == 6
        text = f"{value:g}"
        record.update(
            label=f"Synthetic share {number} of {topic} in {city}",
            value=value,
            unit="percent",
            qualifier="more_than" if more else "exact",
            population=f"surveyed returnees in {city}",
            sample_size=SAMPLE,
            quote=f"In {city}, {'more than ' if more else ''}{text}% of respondents answered "
            f"question {number} on {topic}.",
        )
    elif kind < 9:  # a list
        items = [f"item {number}-{i}" for i in range(1 + number % 4)]
        record.update(
            label=f"Synthetic list {number} on {topic}",
            items=items,
            list_kind=("ranked", "complete", "examples")[number % 3],
            quote=f"The list for {city} names {', '.join(items)}.",
        )
    else:  # a statement
        record.update(
            label=f"Synthetic statement {number} about {city}",
            quote=f"Statement {number} says something about {topic} in {city}.",
        )
    record.update(source=source, reported_in=SOURCES[0][0])
    return record


def header() -> dict[str, object]:
    return {
        "sources": [
            {
                "id": source_id,
                "title": f"Benchmark source {n}",
                "publisher": "returnees benchmarks",
                "date": "2025-01-01",
                "kind": kind,
            }
            for n, (source_id, kind) in enumerate(SOURCES)
        ],
        "cities": [{"slug": slug, "name": slug.replace("-", " ").title()} for slug in CITIES],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, required=True, help="how many facts")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the pack to")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    import yaml

    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    pack = args.out / "pack"
    pack.mkdir(exist_ok=True)
    for old in pack.glob("*.yaml"):
        old.unlink()
    (pack / "000-sources.yaml").write_text(
        yaml.safe_dump(header(), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    facts = [fact(number, rng) for number in range(args.facts)]
    for start in range(0, len(facts), FACTS_PER_FILE):
        chunk = {"facts": facts[start : start + FACTS_PER_FILE]}
        name = pack / f"facts-{start // FACTS_PER_FILE:05d}.yaml"
        name.write_text(
            yaml.dump(
                chunk,
                Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
                allow_unicode=True,
                sort_keys=False,
                width=200,
            ),
            encoding="utf-8",
        )
    (args.out / "facts.json").write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    write_database(facts, args.out / "facts.db")
    print(f"wrote {len(facts):,} facts to {pack}, {args.out / 'facts.json'} and facts.db")


def write_database(facts: list[dict[str, object]], path: Path) -> None:
    """The same facts in SQLite, each as its JSON record, with an index on each filter's column:
    the peer for `facts --city X --json` (Python's sqlite3 answering the same question)."""
    import sqlite3

    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as database:
        database.execute(
            "CREATE TABLE facts (id TEXT PRIMARY KEY, city TEXT, topic TEXT, source TEXT, "
            "record TEXT)"
        )
        database.executemany(
            "INSERT INTO facts VALUES (?, ?, ?, ?, ?)",
            (
                (f["id"], f.get("city"), f["topic"], f["source"], json.dumps(f, ensure_ascii=False))
                for f in facts
            ),
        )
        for column in ("city", "topic", "source"):
            database.execute(f"CREATE INDEX facts_{column} ON facts ({column})")
    database.close()


if __name__ == "__main__":
    main()
