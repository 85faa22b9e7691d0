"""Random Unicode, controls included, in every text field of a pack, through every view and every
output format: no character that could drive a terminal reaches a terminal output or a message,
every data format parses back to exactly the text of the pack, and every SVG is well-formed XML."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from .conftest import RunCli
from .test_untrusted import DANGER

# Any character but lone surrogates (a fact file is UTF-8 text: it cannot hold one), with the
# dangerous ones drawn often.
DANGEROUS = [
    "\x1b",
    "\x07",
    "\x9b",
    "\x85",
    "\x7f",
    "\u202e",
    "\u2066",
    "\u200b",
    "\ufffe",
    "\U000e0041",
]
ANY = st.text(
    alphabet=st.one_of(
        st.sampled_from([*DANGEROUS, "\U0010ffff", *"[]/;0123456789mK=+-@|\\\"'<>&"]),
        st.characters(exclude_categories=["Cs"]),
    ),
    max_size=8,
)
TEXT = st.builds(
    lambda first, before, danger, after: f"{first}{before}{danger}{after}x",
    st.sampled_from(list("x=+-@[<")),  # a first character a spreadsheet, Markdown or XML reads
    ANY,
    st.sampled_from(DANGEROUS),
    ANY,
)
FIELDS = (
    "title",
    "short_title",
    "publisher",
    "author",
    "note",
    "city",
    "city_zh",
    "label",
    "population",
    "item",
    "quote",
)


def _quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar: every character but printable ASCII escaped."""
    escaped = "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08x}" for c in text)
    return f'"{escaped}"'


def _pack(folder: Path, text: dict[str, str]) -> None:
    q = {name: _quoted(value) for name, value in text.items()}
    quote = f"In Wuhan, 12.5% work here: {text['quote']}"
    listed = f"Their reasons include {text['item']} and a | b \\ c, says {text['quote']}"
    (folder / "body.txt").write_text(f"Some text. {quote} {listed}. More.\n", encoding="utf-8")
    (folder / "pack.yaml").write_text(
        f"""\
sources:
  - id: src
    title: {q["title"]}
    short_title: {q["short_title"]}
    publisher: {q["publisher"]}
    author: {q["author"]}
    note: {q["note"]}
    date: "2025-01-01"
    kind: primary
    url: https://real.example/report
    text: body.txt
cities:
  - {{slug: wuhan, name: {q["city"]}, name_zh: {q["city_zh"]}}}
facts:
  - id: wuhan-share
    city: wuhan
    topic: sectors
    label: {q["label"]}
    value: 12.5
    unit: percent
    population: {q["population"]}
    source: src
    reported_in: src
    quote: {_quoted(quote)}
  - id: wuhan-list
    city: wuhan
    topic: reasons
    label: {q["label"]}
    items: [{q["item"]}, "a | b \\\\ c"]
    list_kind: examples
    population: {q["population"]}
    source: src
    reported_in: src
    quote: {_quoted(listed)}
""",
        encoding="utf-8",
    )


# What a person reads: every table, text and citation view.
TERMINAL = (
    ["cities"],
    ["city", "wuhan"],
    ["sectors"],
    ["sectors", "--city", "wuhan"],
    ["reasons", "--city", "wuhan"],
    ["topics"],
    ["facts"],
    ["facts", "--search", "wuhan"],
    ["show", "wuhan-share"],
    ["show", "wuhan-list"],
    ["sources"],
    ["cite", "wuhan-share"],
    ["cite", "wuhan-list", "--style", "markdown"],
    ["cite", "--city", "wuhan", "--style", "markdown"],
    ["cite", "--style", "bibtex"],
    ["compare", "wuhan", "nationwide"],
    ["source", "src"],
    ["validate"],
)
# What a program reads, by format.
DATA = (
    ("json", ["facts", "--json"]),
    ("json", ["show", "wuhan-list", "--json"]),
    ("json", ["sources", "--json"]),
    ("json", ["cities", "--json"]),
    ("json", ["cite", "--json"]),
    ("json", ["cite", "wuhan-share", "--style", "csl-json"]),
    ("json", ["compare", "wuhan", "nationwide", "--json"]),
    ("json", ["source", "src", "--json"]),
    ("jsonl", ["facts", "--format", "jsonl"]),
    ("csv", ["export", "--format", "csv"]),
    ("yaml", ["export", "--format", "yaml"]),
)


def _harmless(text: str) -> bool:
    """Nothing that could drive a terminal: a newline or a tab (kept in a quote's lines) is
    layout, not a control."""
    return not DANGER.search(text.replace("\n", "").replace("\t", ""))


def _records(kind: str, stdout: str) -> list[dict[str, object]]:
    if kind == "json":
        loaded = json.loads(stdout)
        return loaded if isinstance(loaded, list) else [loaded]
    if kind == "jsonl":
        return [json.loads(line) for line in stdout.splitlines()]
    if kind == "csv":
        return list(csv.DictReader(io.StringIO(stdout, newline="")))
    loaded = yaml.safe_load(stdout)
    return list(loaded["facts"] if isinstance(loaded, dict) else loaded)  # export: a fact pack


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.fixed_dictionaries(dict.fromkeys(FIELDS, TEXT)))
def test_random_text_in_every_field_is_harmless_in_every_view_and_exact_in_every_format(
    run: RunCli, tmp_path_factory: pytest.TempPathFactory, text: dict[str, str]
) -> None:
    folder = tmp_path_factory.mktemp("pack")
    _pack(folder, text)
    pack = ["--no-builtin", "--facts", str(folder)]
    first = run(*pack, "facts", "--json")
    assert _harmless(first.stderr)
    if first.exit_code == 1:  # a value the loader refuses (said, harmlessly): nothing to show
        assert first.stdout == ""
        event(f"refused: {first.stderr.partition(': ')[2][:60]}")
        return
    event("loaded")
    assert first.exit_code == 0, first.stderr

    for argv in TERMINAL:
        args = [*pack, *argv] if argv != ["validate"] else ["validate", str(folder)]
        result = run(*args, columns=100)
        assert result.exit_code == 0, (argv, result.stderr)
        assert _harmless(result.stdout), argv
        assert _harmless(result.stderr), argv

    for kind, argv in DATA:
        result = run(*pack, *argv)
        assert result.exit_code == 0, (argv, result.stderr)
        if kind in ("json", "jsonl"):  # exact data, every dangerous character as its escape
            assert _harmless(result.stdout), argv
        records = _records(kind, result.stdout)
        if argv[0] in ("facts", "export"):
            labels = {str(record["label"]) for record in records}
            # CSV guards a cell a spreadsheet would run as a formula with a leading quote
            guarded = "'" + text["label"] if kind == "csv" else None
            assert labels <= {text["label"], guarded}, (argv, labels)
        if "csl-json" in argv:  # a CSL item for a reference manager: the title as the pack has it
            assert records[0]["title"] == text["title"], argv

    for argv in (["sectors", "--city", "wuhan"], ["facts"], ["show", "wuhan-share"]):
        picture = folder / f"{argv[0]}.svg"
        result = run(*pack, *argv, "--svg", str(picture), "--force")
        assert result.exit_code == 0, (argv, result.stderr)
        ElementTree.parse(picture)  # well-formed XML, whatever the pack holds
        assert _harmless(picture.read_text(encoding="utf-8"))
