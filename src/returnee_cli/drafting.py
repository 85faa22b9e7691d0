"""`returnees draft`: a text file -> a fact-file skeleton on stdout, or a pack folder (facts.yaml,
sources.yaml and the text stored beside them) written through the one writer. The drafting rules
are draft.py's; this module reads the text and writes the files."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from returnee_cli import PROG
from returnee_cli import draft as rules
from returnee_cli.errors import UsageError
from returnee_cli.fields import SLUG_PATTERN
from returnee_cli.figures import plural
from returnee_cli.untrusted import neutralise

MAX_TEXT_BYTES = 64 * 1024 * 1024  # a 100-page report is about 300 KB
FACTS_FILE = "facts.yaml"
SOURCES_FILE = "sources.yaml"


def read_text(path: Path) -> str:
    from returnee_cli.checks import read_at_most

    try:
        data = read_at_most(path, MAX_TEXT_BYTES)
    except IsADirectoryError:
        raise UsageError(f"{neutralise(str(path))} is a folder; give a text file") from None
    except OSError as error:
        raise UsageError(
            f"cannot read {neutralise(str(path))}: {error.strerror or error}"
        ) from None
    if data is None:
        raise UsageError(f"{neutralise(str(path))} is larger than 64 MiB; split it")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise UsageError(
            f"{neutralise(str(path))}:{line}: is not UTF-8 text (byte {error.start}); "
            "save it as UTF-8"
        ) from None


def check_slug(value: str, option: str) -> None:
    if not re.match(SLUG_PATTERN, value):
        slug = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "my-source"
        raise UsageError(
            f"{option} {neutralise(value)!r} must be lowercase letters, digits and hyphens, "
            f"e.g. {slug}"
        )


def source_id(given: str | None, text_file: Path) -> str:
    """--source as given (checked), or a slug of the file's name."""
    if given is not None:
        check_slug(given, "--source")
        return given
    slug = re.sub(r"[^a-z0-9]+", "-", text_file.stem.lower()).strip("-")
    return slug or "draft-source"


def draft(text: str, lang: str) -> rules.Draft:
    return rules.draft_text(text, lang)


def _header(drafted: rules.Draft, text_file: Path) -> list[str]:
    return [
        f"Drafted by `{PROG} draft` from {neutralise(text_file.name)} ({drafted.lang}).",
        'Replace every "<to fill in: ...>" value; check with: returnees validate FOLDER',
    ]


def facts_yaml(drafted: rules.Draft, source: str, city: str | None, text_file: Path) -> str:
    records = rules.fact_records(drafted, source, city)
    return rules.to_yaml({"facts": records}, _header(drafted, text_file))


def summary(drafted: rules.Draft) -> str:
    figures = sum(1 for d in drafted.facts if d.figure is not None)
    lists = sum(1 for d in drafted.facts if d.items is not None)
    return (
        f"drafted {plural(len(drafted.facts), 'fact')} ({plural(figures, 'figure')}, "
        f"{plural(lists, 'list')}) from {plural(drafted.sentences, 'sentence')}; fill in each "
        "<to fill in: ...> value"
    )


def write_pack(
    folder: Path,
    drafted: rules.Draft,
    text: str,
    origin: tuple[Path, str],
    cities: tuple[str | None, str | None],
    force: bool,
    protected: Sequence[Path],
) -> str:
    """Write the pack folder: every file checked first, so that a refusal leaves no half pack.
    `origin`: the text file and the source id; `cities`: the facts' city, and that city again
    when no loaded pack declares it (the sources file then declares it, its name to fill in)."""
    from returnee_cli.placeholders import placeholder

    text_file, source = origin
    city, new_city = cities
    document = {"sources": [rules.source_record(source, f"{source}.txt")]}
    if new_city is not None:
        document["cities"] = [
            {"slug": new_city, "name": placeholder("the city's English name, e.g. Hangzhou")}
        ]
    from returnee_cli import writer

    if folder.exists() and not folder.is_dir():
        raise UsageError(f"-o: {neutralise(str(folder))} is not a folder; give a folder name")
    if not folder.parent.is_dir() and not folder.exists():
        raise UsageError(
            f"-o: cannot write {neutralise(str(folder))}: no such folder "
            f"{neutralise(str(folder.parent))}"
        )
    stored = f"{source}.txt"
    files = {
        folder / FACTS_FILE: facts_yaml(drafted, source, city, text_file),
        folder / SOURCES_FILE: rules.to_yaml(
            document,
            ["The source the drafted facts cite, and any new city they name: fill in each value."],
        ),
        folder / stored: text,
    }
    for target in files:
        if not force and (target.exists() or target.is_symlink()):
            raise UsageError(
                f"-o: {neutralise(str(target))} exists; add --force to replace the pack's files"
            )
    try:
        folder.mkdir(exist_ok=True)
    except OSError as error:
        raise UsageError(
            f"-o: cannot create {neutralise(str(folder))}: {error.strerror or error}"
        ) from None
    for target, content in files.items():
        writer.write_text(target, [content], force=force, protected=protected, option="-o")
    return f"wrote {FACTS_FILE}, {SOURCES_FILE} and {stored} to {neutralise(str(folder))}"
