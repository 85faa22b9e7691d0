"""The warm answer of the plainest call: one city's facts, or one angle on them, as JSON, from the
set's cache entry, without the model, the queries or the command declarations (issue 13).

    returnees [--facts PATH ...] [--no-builtin] facts|sectors|industries|entrepreneurs|reasons
              --city CITY --json

Scripts call a fact explorer in loops, so this start matters: importing the model (frozen
dataclasses, typing), the queries and the command surface cost more than the answer. Here the
entry's meta section holds, written from the same declarations when the entry was made
(cache._answers), what a record needs: each key and the row's cell it comes from, every
source's record, each city's names as --city compares them (angles.city_key).

It answers only when it is sure to answer as the full path would, byte for byte; anything else
(another option, a name it does not find among the declared cities, no entry, a file changed or
too recent to tell by its stamp, an empty answer with its note, any fault in the entry) returns
None, and the full path answers (fastpath.py): the rules of what is fresh are the cache's, only
stricter. tests/test_perf_layout.py and tests/test_warm.py hold both to the same output.
"""

from __future__ import annotations

import os
import stat
import sys

from returnee_cli import angles, slices

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing at run time (3 ms)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    # the rows, the record's plan, every source's record, every city's row (meta's "cities")
    Found = tuple[list[tuple[Any, ...]], list[tuple[str, int, str]], dict[str, Any], list[Any]]

# The cache's rules (cache.py): the same names and bounds.
CACHE_ENV = "RETURNEES_CACHE_DIR"
FACTS_ENV = "RETURNEES_FACTS"
RACY_WINDOW_NS = 3_000_000_000
MAX_SET_ENTRY_BYTES = 16 * 256 * 1024 * 1024
MAX_ENTRY_BYTES = 256 * 1024 * 1024
RULES = (
    *("assembly.py", "cache.py", "checks.py", "fields.py", "model.py", "parsing.py"),
    *("figures.py", "intervals.py", "lexicon.py", "records.py", "angles.py"),
    "placeholders.py",
)
FACT_FILE_SUFFIXES = (".yaml", ".yml")
COMMANDS = ("facts", *angles.ANGLES)
TABLE_ROW_LIMIT = 1000  # formats.TABLE_ROW_LIMIT: past it the full path cuts, and says so
CITY_NAME_CELL = 1  # a city's row: its declared fields (slug, name, ...), then (file, line)


def answer(argv: Sequence[str]) -> int | None:
    """The exit code of the call, answered from the cache; or None to let the full path
    answer it."""
    call = _parse(argv)
    if call is None:
        return None
    paths, command, city, json = call
    from returnee_cli import output
    from returnee_cli.errors import Terminated

    try:
        found = _found(paths, command, city)
        if found is None:
            return None
        if json:
            from returnee_cli import jsontext

            # written whole, before a byte goes out: a value JSON cannot hold is found here
            text = list(jsontext.array_chunks(_answer(*found)))
        else:
            text = [_table(command, *found)]
    except Exception:  # anything unexpected: the full path answers, or reports it
        return None
    try:
        if json:
            output.write_chunks(text)
        else:
            output.write_text(text[0])
    except (Exception, KeyboardInterrupt, Terminated) as error:
        return output.report(error)
    return 0


def _parse(argv: Sequence[str]) -> tuple[list[str], str, str, bool] | None:
    """(the fact paths, the command, the city, whether --json) of a call of the one form
    answered here."""
    if any(part.strip() for part in os.environ.get(FACTS_ENV, "").split(os.pathsep)):
        return None
    rest = list(argv)
    given: list[str] = []
    builtin = True
    while rest and rest[0].startswith("-"):
        token = rest.pop(0)
        if token == "--no-builtin" and builtin:
            builtin = False
        elif token in ("--facts", "-f") and rest and not rest[0].startswith("-"):
            given.append(rest.pop(0))
        elif token.startswith("--facts="):
            given.append(token.split("=", 1)[1])
        else:
            return None
    if not rest or rest[0] not in COMMANDS:
        return None
    command = rest.pop(0)
    city = None
    json = False
    while rest:
        token = rest.pop(0)
        if token == "--json" and not json:
            json = True
        elif token in ("--city", "-c") and city is None and rest and not rest[0].startswith("-"):
            city = rest.pop(0)
        elif token.startswith("--city=") and city is None:
            city = token.split("=", 1)[1]
        else:
            return None
    if city is None or "," in city or not all(path.strip() for path in given):
        return None
    paths = ([_builtin_facts()] if builtin else []) + given
    return (paths, command, city, json) if paths else None


def _builtin_facts() -> str:
    """paths.builtin_facts_dir, without pathlib."""
    here = os.path.dirname(os.path.realpath(__file__))
    packaged = os.path.join(here, "facts")
    if os.path.isdir(packaged):
        return packaged
    return os.path.join(os.path.dirname(os.path.dirname(here)), "facts")


def _fact_files(paths: Sequence[str]) -> list[str] | None:
    """loading.fact_files, for paths that are all plain folders and files; None for anything
    it would report (then the full path reports it)."""
    files: list[str] = []
    seen: set[str] = set()
    for path in paths:
        try:
            info = os.stat(path)
        except (OSError, ValueError):
            return None
        if stat.S_ISDIR(info.st_mode):
            found = _pack_files(path)
            if not found:
                return None
        elif stat.S_ISREG(info.st_mode):
            found = [path]
        else:
            return None
        for file in found:
            key = os.path.realpath(file)
            if key not in seen:
                seen.add(key)
                files.append(file)
    return files


def _pack_files(folder: str) -> list[str] | None:
    """The fact files in a folder and below, in the order sorted(Path) gives them: by the parts
    of their paths below the folder."""
    unreadable: list[OSError] = []
    found: list[tuple[list[str], str]] = []
    for top, _folders, names in os.walk(folder, onerror=unreadable.append):
        below = [part for part in top[len(folder) :].split(os.sep) if part]
        for name in names:
            dot = name.rfind(".")
            if not 0 < dot < len(name) - 1 or name[dot:] not in FACT_FILE_SUFFIXES:
                continue
            file = os.path.join(top, name)
            try:
                if not stat.S_ISREG(os.stat(file).st_mode):
                    continue
            except OSError:
                return None  # a dangling link, or one the full path reports: it decides
            found.append(([*below, name], file))
    if unreadable:
        return None
    return [file for _, file in sorted(found)]


def _cache_folder() -> str | None:
    """cache.cache_dir where it is plain: the override, else XDG's folder on Linux."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return override
    if sys.platform != "linux":
        return None
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return os.path.join(xdg, "returnees")
    home = os.environ.get("HOME")
    return os.path.join(home, ".cache", "returnees") if home and os.path.isabs(home) else None


def _stamp(path: str) -> tuple[int, int, int, int]:
    info = os.stat(path)
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _fresh(meta: dict[str, Any], written: int) -> bool:
    """cache._still_fresh, where it would answer False: every file's stamp as recorded, and
    none so recent that an edit could hide behind it (then the full path reads it)."""
    reference = max(meta["stamped"], written) - RACY_WINDOW_NS
    for path, size, mtime, ctime, inode, digest, _ in meta["deps"]:
        if _stamp(path) != (size, mtime, ctime, inode):
            return False
        if digest is not None and max(mtime, ctime) >= reference:
            return False
    return True


def _meta_ok(meta: Any) -> bool:
    """The parts of the meta section used here have the shape cache._well_formed checks."""
    if type(meta) is not dict or type(meta.get("answers")) is not dict:
        return False
    deps = meta.get("deps")
    if type(meta.get("stamped")) is not int or type(deps) is not list:
        return False
    for dep in deps:
        if type(dep) is not list or len(dep) != 7 or type(dep[0]) is not str:
            return False
        if not all(type(n) is int for n in dep[1:5]) or type(dep[5]) not in (bytes, type(None)):
            return False
    answers = meta["answers"]
    return (
        type(meta.get("files")) is list
        and type(meta.get("count")) is int
        and type(answers.get("plan")) is list
        and type(answers.get("row_length")) is int
        and type(answers.get("sources")) is dict
        and type(answers.get("cities")) is list
    )


def _found(paths: Sequence[str], command: str, name: str) -> Found | None:
    """The rows of the answer, as the command selects and orders them, and what is needed to
    write them; None where the full path answers (also where there are none: it says so)."""
    files = _fact_files(paths)
    folder = _cache_folder()
    if not files or folder is None:
        return None
    names = [os.path.abspath(file) for file in files]
    opened = slices.open_entry(os.path.join(folder, slices.entry_name(names)), MAX_SET_ENTRY_BYTES)
    if opened is None:
        return None
    handle, size, written = opened
    try:
        entry = slices.open_table("", handle, size, MAX_ENTRY_BYTES)
        if entry is None:
            return None
        meta = entry.value("meta")
        if not _meta_ok(meta) or meta["files"] != names or not _fresh(meta, written):
            return None
        here = os.path.dirname(os.path.realpath(__file__))
        if meta["rules"] != [[rule, *_stamp(os.path.join(here, rule))] for rule in RULES]:
            return None
        answers = meta["answers"]
        wanted = angles.city_key(name)
        slug = (
            next((s for s, keys in answers["cities"] if wanted in keys), None) if wanted else None
        )
        if slug is None:
            return None  # an exonym, nationwide, a typo: the full path resolves it, or says so
        rows = slices.SlicedRows(entry, meta["count"], len(names), answers["row_length"])
        found = _selected(
            [rows[position] for position in rows.positions("city", slug)], command, answers["plan"]
        )
        if not found:
            return None
        return found, answers["plan"], answers["sources"], meta["cities"]
    finally:
        os.close(handle)


def _selected(
    found: list[tuple[Any, ...]], command: str, plan: list[tuple[str, int, str]]
) -> list[tuple[Any, ...]]:
    """The rows of one city, as the command selects and orders them."""
    if command != "facts":
        topics, shares_only, ordered = angles.ANGLES[command]
        cells = {key: n for key, n, _ in plan}
        topic, unit, value = cells["topic"], cells["unit"], cells["value"]
        found = [
            row
            for row in found
            if row[topic] in topics and (not shares_only or angles.is_share(row[unit], row[value]))
        ]
        if ordered:
            city, derived = cells["city"], cells["derived"]
            found.sort(key=lambda row: angles.sector_order(row[city], row[derived], row[value]))
    return found


def _answer(
    found: list[tuple[Any, ...]],
    plan: list[tuple[str, int, str]],
    sources: dict[str, dict[str, Any]],
    cities: list[Any],
) -> list[dict[str, Any]]:
    """The rows as JSON records."""
    from returnee_cli.jsontext import Written, pretty

    # each source's record as the array of facts holds it: its JSON text written once, at the
    # indent of a fact's key (a fact record is indented by two, its keys by four)
    written: dict[str, Written] = {}
    records = []
    for row in found:
        record: dict[str, Any] = {}
        for key, cell, kind in plan:
            value = row[cell]
            if kind == "value":
                record[key] = value
            elif kind == "list":
                record[key] = list(value) if value else None
            elif kind == "source":
                text = written.get(value)
                if text is None:
                    if not _plain(sources[value]):  # a forged record: the full path answers
                        raise ValueError(f"source record {value!r}")
                    text = written[value] = Written(pretty(sources[value], "    "))
                record[key] = text
            else:
                raise ValueError(kind)  # a list of records: not in a fact's record today
        records.append(record)
    return records


# --- the table: the same renderers, drawing from the rows (render/views.py reads what a Fact,
# a City, a Source and the FactSet's city_of and sources give it; here they are given it) -------


def _table(
    command: str,
    found: list[tuple[Any, ...]],
    plan: list[tuple[str, int, str]],
    sources: dict[str, dict[str, Any]],
    cities: list[Any],
) -> str:
    """The table the full path draws for this terminal (its width, its colours)."""
    if len(found) > TABLE_ROW_LIMIT:
        raise ValueError("cut")  # the full path shows the first rows and says so
    from returnee_cli import output
    from returnee_cli.render import views

    facts = [_Row(row, plan) for row in found]
    rows = _Rows(sources, cities)
    drawn: Any
    if command == "facts":
        drawn = views.facts_table(facts, rows)  # type: ignore[arg-type]
    elif command == "sectors":
        drawn = views.sectors_view(facts, rows)  # type: ignore[arg-type]
    elif command == "industries":
        drawn = views.industries_view(facts, rows)  # type: ignore[arg-type]
    elif command == "entrepreneurs":
        drawn = views.entrepreneurs_view(facts, rows)  # type: ignore[arg-type]
    elif command == "reasons":
        drawn = views.reasons_view(facts, rows)  # type: ignore[arg-type]
    else:
        raise ValueError(command)
    return output.render(drawn)


class _Row:
    """A fact as the renderers read it: each key of its record (model.Fact's fields), from its
    row; a source as its id, as a Fact holds it."""

    def __init__(self, row: tuple[Any, ...], plan: list[tuple[str, int, str]]) -> None:
        for key, cell, _ in plan:
            self.__dict__[key] = row[cell]

    @property
    def is_share(self) -> bool:
        return angles.is_share(self.unit, self.value)

    def __getattr__(self, name: str) -> Any:  # (for mypy: the keys set above)
        raise AttributeError(name)


class _Record:
    """A city or a source as the renderers read it: its fields by name."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.__dict__.update(fields)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(name)


class _Rows:
    """What the renderers ask of a FactSet: each source by id, the city a fact is about (the
    same object for each fact of a city, as FactSet gives)."""

    def __init__(self, sources: dict[str, dict[str, Any]], cities: list[Any]) -> None:
        self.sources = {key: _Record(record) for key, record in sources.items()}
        self._cities = {
            row[0]: _Record({"slug": row[0], "name": row[CITY_NAME_CELL]}) for row in cities
        }

    def city_of(self, fact: _Row) -> _Record:
        if type(fact.city) is not str or type(self._cities[fact.city].name) is not str:
            raise ValueError(fact.city)  # nationwide, or a forged row: the full path decides
        return self._cities[fact.city]


PLAIN_VALUES = 10_000  # a source's record has a few dozen


def _plain(record: Any) -> bool:
    """A source's record of plain JSON values, of a size a record has: marshal's references let
    a forged meta section hold one list twice at each level, forty deep (2**40 values in a few
    hundred bytes), which writing the answer out would never finish."""
    left = PLAIN_VALUES
    stack = [record]
    while stack:
        value = stack.pop()
        left -= 1
        kind = type(value)
        if left < 0:
            return False
        if kind is dict:
            if not all(type(key) is str for key in value):
                return False
            stack.extend(value.values())
        elif kind is list or kind is tuple:
            stack.extend(value)
        elif kind is float:
            if value != value or value in (float("inf"), float("-inf")):
                return False
        elif kind not in (str, int, bool, type(None)):
            return False
    return True
