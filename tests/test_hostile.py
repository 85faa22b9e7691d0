"""Whatever is in a fact file, returnees answers with a clear error and the right exit code, or
works: no traceback, no hang, no code run, no memory blown, no fact file written.

Each case here is a row of docs/robustness.md, and a test holds the two to each other.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from returnee_cli.paths import builtin_facts_dir

from .conftest import REPO, RunCli
from .test_loading import GOOD_FACT, HEADER

ROBUSTNESS = REPO / "docs" / "robustness.md"
TIME_LIMIT = 5.0  # seconds for any one case; each takes well under half a second


def with_fact_line(old: str, new: str) -> bytes:
    """A valid pack with one line of its fact replaced."""
    assert old in GOOD_FACT
    return (HEADER + GOOD_FACT.replace(old, new)).encode("utf-8")


def billion_laughs() -> bytes:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)
    ]
    return ("\n".join(lines) + "\n").encode()


def many_facts(megabytes: int) -> bytes:
    fact = GOOD_FACT.replace("id: wuhan-share", "id: wuhan-share-{}")
    count = megabytes * 1024 * 1024 // len(fact)
    return (HEADER + "".join(fact.format(i) for i in range(count))).encode()


Content = Callable[[], bytes]
PWNED = "pwned-by-yaml"  # a file the !!python tag below would create if PyYAML ran it

# (row in docs/robustness.md, file content, the first line on stderr after "returnees: ", exit)
CASES: list[tuple[str, Content, str, int]] = [
    (
        "invalid YAML",
        lambda: b"facts: [unclosed\n",
        "hostile.yaml:2: is not valid YAML: did not "
        "find expected ',' or ']'; fix the syntax at that line",
        1,
    ),
    (
        "two YAML documents in one file",
        lambda: b"facts: []\n---\nfacts: []\n",
        "hostile.yaml:2: is not valid YAML: expected a single document in the stream, but found "
        "another document; fix the syntax at that line",
        1,
    ),
    (
        "an empty file",
        lambda: b"",
        "hostile.yaml: is empty; a fact file is a mapping with `sources`, `cities` and/or `facts`",
        1,
    ),
    (
        "only comments",
        lambda: b"# nothing here\n",
        "hostile.yaml: is empty; a fact file is a mapping with `sources`, `cities` and/or `facts`",
        1,
    ),
    (
        "a top-level list",
        lambda: b"- a\n- b\n",
        "hostile.yaml:1: a fact file must be a mapping of `key: value` lines, not a list",
        1,
    ),
    (
        "a top-level scalar",
        lambda: b"just words\n",
        "hostile.yaml:1: a fact file must be a "
        "mapping of `key: value` lines, not the value 'just words'",
        1,
    ),
    (
        "non-UTF-8 bytes (Latin-1)",
        lambda: b"facts:\n  - id: caf\xe9\n",
        "hostile.yaml:2: is not UTF-8 text (byte 18); save it as UTF-8",
        1,
    ),
    (
        "UTF-16 text",
        lambda: "facts: []\n".encode("utf-16"),
        "hostile.yaml:1: is not UTF-8 text (byte 0); save it as UTF-8",
        1,
    ),
    (
        "binary junk",
        lambda: bytes(range(256)) * 64,
        "hostile.yaml:2: is not UTF-8 text (byte 128); save it as UTF-8",
        1,
    ),
    (
        "a NUL byte in UTF-8 text",
        lambda: b"facts:\n  - id: a\x00b\n",
        "hostile.yaml:2: is not "
        "valid YAML: character #x0000 is not allowed in YAML text; remove it",
        1,
    ),
    (
        "`!!python/object/apply` tag",
        lambda: f'facts: !!python/object/apply:os.system ["touch {PWNED}"]\n'.encode(),
        "hostile.yaml:1: uses the YAML tag "
        "!!python/object/apply:os.system, which fact files do not allow; remove the tag",
        1,
    ),
    (
        "`!!python/object` tag in a value",
        lambda: with_fact_line("label: A share", "label: !!python/object:builtins.dict {}"),
        "hostile.yaml:13: uses the "
        "YAML tag !!python/object:builtins.dict, which fact files do not allow; remove the tag",
        1,
    ),
    (
        "`!!binary`, `!!set` and custom `!tags`",
        lambda: b"sources: !!binary aGk=\ncities: !!set {a}\nfacts: !mine []\n",
        "hostile.yaml:1: uses the YAML tag !!binary, which fact files do not allow; remove the tag",
        1,
    ),
    (
        "an anchor and an alias",
        lambda: with_fact_line("    label: A share", "    label: &l A share\n    population: *l"),
        "hostile.yaml:14: uses a YAML alias (*name); write the value out in full",
        1,
    ),
    (
        'a "billion laughs" file',
        billion_laughs,
        "hostile.yaml:2: uses a YAML alias (*name); write the value out in full",
        1,
    ),
    (
        "lists nested 10,000 deep (block)",
        lambda: b"- " * 10_000 + b"x\n",
        "hostile.yaml:1: nests lists or mappings more than 64 deep; a fact file needs 5",
        1,
    ),
    (
        "lists nested 10,000 deep (flow)",
        lambda: b"[" * 10_000 + b"]" * 10_000,
        "hostile.yaml:1: is not valid YAML: exceeded maximum nesting depth; fix the syntax at that "
        "line",
        1,
    ),
    (
        "mappings nested 100 deep",
        lambda: ("facts:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(100))).encode(),
        "hostile.yaml:65: nests lists or mappings more than 64 deep; a fact file needs 5",
        1,
    ),
    (
        "an integer of 5,000 digits as a value",
        lambda: with_fact_line("value: 12.5", "value: " + "9" * 5000),
        "hostile.yaml:14: `value` is a number of 5,000 characters; no figure needs that many",
        1,
    ),
    (
        "an integer of 5,000 digits as a label",
        lambda: with_fact_line("label: A share", "label: " + "9" * 5000),
        "hostile.yaml:13: `label` must be text, but "
        "YAML reads '999999999999999999999999999999999999999…' as a number; put it in quotes",
        1,
    ),
    (
        "a YAML date as a label",
        lambda: with_fact_line("label: A share", "label: 2025-01-01"),
        "hostile.yaml:13: `label` must be text, but YAML reads '2025-01-01' as a date; put it in "
        "quotes",
        1,
    ),
    (
        "`yes` as a label",
        lambda: with_fact_line("label: A share", "label: yes"),
        "hostile.yaml:13: `label` must be text, but YAML reads 'yes' as true/false; put it in "
        "quotes",
        1,
    ),
    (
        "`on` as a topic",
        lambda: with_fact_line("topic: sectors", "topic: on"),
        "hostile.yaml:12: `topic` must be text, but YAML reads 'on' as true/false; put it in "
        "quotes",
        1,
    ),
    (
        "`no` as a value",
        lambda: with_fact_line("value: 12.5", "value: no"),
        "hostile.yaml:14: `value` must be a number, not 'no'",
        1,
    ),
    (
        "an octal-looking value `012`",
        lambda: with_fact_line("value: 12.5", "value: 012"),
        "hostile.yaml:14: `value` '012' must be written as a plain decimal number (YAML would read "
        "it differently)",
        1,
    ),
    (
        "a hexadecimal value `0x1F`",
        lambda: with_fact_line("value: 12.5", "value: 0x1F"),
        "hostile.yaml:14: `value` '0x1F' must be written as a plain decimal number "
        "(YAML would read it differently)",
        1,
    ),
    (
        "`.inf` as a value",
        lambda: with_fact_line("value: 12.5", "value: .inf"),
        "hostile.yaml:14: `value` '.inf' must be written as a plain decimal number "
        "(YAML would read it differently)",
        1,
    ),
    (
        "`1.0e+400` (infinite as a float) as a value",
        lambda: with_fact_line("value: 12.5", "value: 1.0e+400"),
        "hostile.yaml:14: `value` '1.0e+400' must be written "
        "as a plain decimal number (YAML would read it differently)",
        1,
    ),
    (
        "an integer beyond SQLite's 64-bit range",
        lambda: with_fact_line("value: 12.5", "value: 9223372036854775808"),
        "hostile.yaml:14: `value` 9223372036854775808 is beyond the whole numbers an export can "
        "hold (SQLite's 64-bit integers, up to 9,223,372,036,854,775,807); check the figure",
        1,
    ),
    (
        "a value shown as another number (`1.0e-31`)",
        lambda: with_fact_line("value: 12.5", "value: 1.0e-31"),
        "hostile.yaml:14: `value` 1.0e-31 would be shown as 0, which is another number; write it "
        "with at most 10 decimals, or in a larger unit",
        1,
    ),
    (
        "an impossible date (`2025-02-30`, unquoted: a YAML timestamp)",
        lambda: (HEADER.replace('"2025-01-01"', "2025-02-30") + GOOD_FACT).encode(),
        "hostile.yaml:5: `date` '2025-02-30' is not a date on the calendar (2025-02 has 28 days); "
        "check it",
        1,
    ),
    (
        "a file larger than 16 MiB",
        lambda: b"",
        "hostile.yaml: is larger than 16 MiB; split it into several fact files",
        1,
    ),  # written sparse below: 50 MB, never read past 16 MiB
    (
        "10 MB of facts",
        lambda: many_facts(10),
        "hostile.yaml:47618: holds more than 100,000 YAML values; split it into several fact files",
        1,
    ),
    (
        "a label of 10 million characters",
        lambda: with_fact_line("label: A share", "label: " + "x" * 10_000_000),
        "hostile.yaml:13: `label` is 10,000,000 "
        "characters long; a value in a fact file holds at most 10,000",
        1,
    ),
    (
        "terminal escapes in a key",
        lambda: with_fact_line("label: A share", 'label: A share\n    "\\e[2J\\e]0;owned\\a": 1'),
        "hostile.yaml:14: "
        "unknown key `\\x1b[2J\\x1b]0;owned\\x07` in a fact; known keys: id, city, topic, label, "
        "value, unit, qualifier, high, population, sample_size, items, list_kind, breakdown, "
        "source, reported_in, quote, derive",
        1,
    ),
    (
        "a NUL in a stored text's name",
        lambda: (
            HEADER.replace("kind: primary", 'kind: primary\n    text: "a\\0b.txt"') + GOOD_FACT
        ).encode("utf-8"),
        "hostile.yaml:2: source `src` names a stored text 'a\\x00b.txt' that does not exist next "
        "to this file; fix the path or remove `text`",
        1,
    ),
    (
        "an alias where the list of facts should be",
        lambda: (HEADER.replace("facts:\n", "") + "facts: *facts\n").encode("utf-8"),
        "hostile.yaml:9: uses a YAML alias (*name); write the value out in full",
        1,
    ),
]


def write_case(folder: Path, name: str, content: Content) -> Path:
    path = folder / "hostile.yaml"
    if name == "a file larger than 16 MiB":
        with path.open("wb") as stream:
            stream.truncate(50 * 1024 * 1024)
    else:
        path.write_bytes(content())
    return path


@pytest.mark.parametrize(
    ("name", "content", "first", "code"), CASES, ids=[case[0] for case in CASES]
)
def test_hostile_input_gets_a_clear_error(
    run: RunCli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    content: Content,
    first: str,
    code: int,
) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_case(tmp_path, name, content)
    before = path.read_bytes()
    started = time.perf_counter()
    result = run("--no-builtin", "--facts", path.name, "facts", "--json")
    assert time.perf_counter() - started < TIME_LIMIT
    assert result.exit_code == code, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(f"returnees: {first}\n"), result.stderr
    assert "Traceback" not in result.stderr and "\x1b" not in result.stderr
    assert result.stderr.endswith("fix them and run the command again\n")
    assert len(result.stderr) < 2000  # one problem (or a few), never the file echoed back
    assert path.read_bytes() == before
    assert not (tmp_path / PWNED).exists()


def test_control_characters_in_a_label_are_shown_escaped_and_markup_printed_as_written(
    run: RunCli, tmp_path: Path
) -> None:
    path = tmp_path / "pack.yaml"
    path.write_bytes(
        with_fact_line(
            "label: A share", 'label: "[bold red]Loud[/] \\e[31mred\\e]0;title\\a\\x9b end"'
        )
    )
    for args in (["facts"], ["show", "wuhan-share"], ["sectors", "--city", "wuhan"]):
        result = run("--no-builtin", "--facts", str(path), *args, columns=120)
        assert result.exit_code == 0, result.stderr
        assert "[bold red]Loud[/] \\x1b[31mred\\x1b]0;title\\x07\\x9b end" in result.stdout
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", result.stdout)
    record = run("--no-builtin", "--facts", str(path), "show", "wuhan-share", "--json").json()
    assert record["label"] == "[bold red]Loud[/] \x1b[31mred\x1b]0;title\x07\x9b end"


def test_a_symlink_loop_in_a_pack_folder_is_not_followed(run: RunCli, tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_bytes(with_fact_line("value: 12.5", "value: 12.5"))
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    result = run("--no-builtin", "--facts", str(tmp_path), "validate")
    assert result.stdout.endswith("valid: 1 file, 1 fact, 1 source, 1 city; 1 warning\n")


def test_a_device_is_not_read_as_a_fact_file_or_a_stored_text(run: RunCli, tmp_path: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    result = run("--no-builtin", "--facts", "/dev/zero", "validate")
    assert (result.exit_code, result.stdout.splitlines()[0]) == (
        1,
        "/dev/zero: error: is not a file or folder; check the path [missing-path]",
    )
    pack = tmp_path / "pack.yaml"
    pack.write_bytes(
        HEADER.replace("kind: primary", "kind: primary\n    text: /dev/zero").encode()
        + GOOD_FACT.encode()
    )
    stored = run("validate", str(pack))
    assert stored.exit_code == 1
    assert "names a stored text '/dev/zero' that does not exist" in stored.stdout


def test_no_command_writes_to_the_fact_files(run: RunCli, tmp_path: Path) -> None:
    builtin = builtin_facts_dir()
    pack = tmp_path / "pack.yaml"
    pack.write_bytes(with_fact_line("value: 12.5", "value: 12.5"))

    def fingerprint() -> dict[Path, tuple[int, str]]:
        files = [*builtin.rglob("*"), pack]
        return {
            p: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in files
            if p.is_file()
        }

    before = fingerprint()
    for args in (
        ["sectors"],
        ["facts"],
        ["show", "wuhan-share"],
        ["sources"],
        ["validate"],
        ["validate", str(pack), "--json"],
        ["schema"],
    ):
        assert run("--facts", str(pack), *args).exit_code == 0, args
    assert fingerprint() == before


def documented_rows() -> dict[str, tuple[str, int]]:
    """docs/robustness.md's table: input -> (what returnees says, exit code)."""
    rows = {}
    for line in ROBUSTNESS.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if len(cells) == 3 and cells[2].isdigit():
            rows[cells[0]] = (cells[1], int(cells[2]))
    return rows


def test_docs_robustness_table_is_what_the_tests_assert() -> None:
    rows = documented_rows()
    for name, _, first, code in CASES:
        assert rows.get(name) == (first, code), f"docs/robustness.md, row {name!r}"
