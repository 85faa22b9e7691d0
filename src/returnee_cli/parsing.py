"""One YAML fact file -> its records, each with the line it came from. The only module that
imports PyYAML: a warm start answered from the cache never loads it.

The YAML is composed into nodes (never constructed into Python objects by PyYAML), so that every
value keeps its line, duplicate keys can be seen, tags can be refused and aliases never expand.
"""

from __future__ import annotations

import calendar
import difflib
import math
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from returnee_cli import checks, figures
from returnee_cli.errors import Problem
from returnee_cli.fields import (
    CITY_FIELDS,
    DATE_PATTERN,
    DERIVE_FIELDS,
    FACT_FIELDS,
    SLUG_PATTERN,
    SOURCE_FIELDS,
    TOP_LEVEL_KEYS,
    URL_PATTERN,
    FieldSpec,
    model_values,
)
from returnee_cli.model import NATIONWIDE_NAMES, City, Location, Source
from returnee_cli.paths import display_path
from returnee_cli.placeholders import STAND_IN, is_placeholder
from returnee_cli.suggest import CUTOFF, suggest

try:  # the C parser is many times faster; fall back to the pure-Python one where it is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

# Limits that keep a hostile file from costing minutes or gigabytes (measured for issue 4: composing
# costs about 1 s and 60 MB per 100,000 YAML values). The built-in facts are 1,000 times smaller.
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_VALUES = 100_000  # YAML values (scalars, lists, mappings) in one file
MAX_DEPTH = 64  # nesting of lists and mappings; a fact file needs 5
MAX_TEXT_CHARS = 10_000  # one text value; the whole stored article is 4,500
MAX_NUMBER_CHARS = 40
MAX_INTEGER = 2**63 - 1  # SQLite's integers (the export) are signed 64-bit
MIN_INTEGER = -(2**63)

_TAG = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {
    _TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}
_YAML_KIND = {
    _TAG + "int": "a number",
    _TAG + "float": "a number",
    _TAG + "bool": "true/false",
    _TAG + "null": "empty (null)",
    _TAG + "timestamp": "a date",
}
_SLUG = re.compile(SLUG_PATTERN)
_DATE = re.compile(DATE_PATTERN)
_URL = re.compile(URL_PATTERN)
_DECIMAL_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_DECIMAL_FLOAT = re.compile(r"^[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$")


def read_fact_file(path: Path, *, fast: bool = True) -> tuple[FileContent, list[Problem]]:
    """The records of one fact file, and every problem found in it.

    A file is first read in one pass over the C parser's events, building its records as it goes
    (_fast_read); that pass gives up at the first thing that is not plainly valid, and the file
    is then read by _FileReader, which composes the tree and says what is wrong, where. Both give
    the same records for a valid file (tests/test_fast_parse.py holds them to it), so every
    message comes from the one careful reader. `fast=False` takes the careful reader only."""
    reader = _FileReader(path)
    text = reader.text()
    if text is None:
        return FileContent(), reader.problems
    if fast:
        content = _fast_read(path, reader.file, text)
        if content is not None:
            return content, []
    return reader.read(text), reader.problems


# --- one file -------------------------------------------------------------------------------------


class KeyLines(Mapping[str, int]):
    """The line of each key of a fact, as `{key: line}` says it, in a tenth of the memory: the
    keys (one tuple shared by every fact written with the same keys in the same order), the
    fact's first line and each key's distance from it as a byte. A dict of a dozen lines cost
    about a kilobyte a fact; a million facts are read at once (issue 13)."""

    __slots__ = ("_keys", "_first", "_offsets")

    def __init__(self, keys: tuple[str, ...], first: int, offsets: bytes) -> None:
        self._keys, self._first, self._offsets = keys, first, offsets

    @classmethod
    def of(cls, keys: tuple[str, ...], lines: Sequence[int]) -> Mapping[str, int]:
        """The lines of `keys`, compact where every one is within 255 lines of the first."""
        first = lines[0] if lines else 0
        try:
            return cls(keys, first, bytes(line - first for line in lines))
        except ValueError:  # a key more than 255 lines below the first, or above it
            return dict(zip(keys, lines, strict=True))

    def parts(self) -> tuple[tuple[str, ...], int, bytes]:
        return self._keys, self._first, self._offsets

    def __getitem__(self, key: str) -> int:
        try:
            return self._first + self._offsets[self._keys.index(key)]
        except ValueError:
            raise KeyError(key) from None

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return repr(dict(self))


@dataclass(slots=True)
class RawFact:
    values: dict[str, Any]  # the fields that are valid
    location: Location
    complete: bool = True  # False: some field was refused, so no Fact is built from it, but its
    # id and references are still checked with the rest, so every problem shows in one run
    lines: Mapping[str, int] = field(default_factory=dict)  # the line of each key, for messages
    decimals: dict[str, int] = field(default_factory=dict)  # of each number, as written
    # read from a per-file cache entry, which only a load without errors writes: the rules that
    # look at this fact alone passed for these very values (checks.check_factset's `known`)
    passed: bool = field(default=False, compare=False)

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key, self.location.line)


@dataclass
class FileContent:
    sources: list[Source] = field(default_factory=list)
    cities: list[City] = field(default_factory=list)
    facts: list[RawFact] = field(default_factory=list)
    # the ids (as written) of records declared here but refused: a reference to one is not to an
    # unknown record, and says nothing (the record's own problems are reported)
    refused: dict[str, set[str]] = field(
        default_factory=lambda: {"source": set(), "city": set(), "fact": set()}
    )


class _Invalid:
    """Marks a value that failed validation (its problem is already recorded)."""


_INVALID = _Invalid()
_OMITTED = _Invalid()  # a placeholder with no stand-in: the key is read as not given


class _FileReader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = display_path(path)
        self.problems: list[Problem] = []

    def problem(
        self, node: yaml.Node | None, message: str, code: str = "invalid", key: str | None = None
    ) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.problems.append(Problem(self.file, line, message, code, key))

    def read(self, text: str) -> FileContent:
        content = FileContent()
        root = self._compose(text)
        if root is None:
            return content
        misspelt: list[str] = []
        top = self._mapping(root, "a fact file", TOP_LEVEL_KEYS, misspelt)
        if top is None:
            return content
        if misspelt:
            self._note_misspelt_sections(root, content)
        for key, node in top.items():
            if key == "sources":
                for item in self._sequence(node, "sources"):
                    source = self._source(item)
                    if source is not None:
                        content.sources.append(source)
                    else:
                        _note_refused(content, "source", item, "id")
            elif key == "cities":
                for item in self._sequence(node, "cities"):
                    city = self._city(item)
                    if city is not None:
                        content.cities.append(city)
                    else:
                        _note_refused(content, "city", item, "slug")
            elif key == "facts":
                for item in self._sequence(node, "facts"):
                    lines: dict[str, int] = {}
                    decimals: dict[str, int] = {}
                    values, ok = self._fields(item, "fact", FACT_FIELDS, lines, decimals)
                    if "id" in values:
                        location = Location(self.file, _line(item))
                        content.facts.append(RawFact(values, location, ok, lines, decimals))
                    else:
                        _note_refused(content, "fact", item, "id")
        return content

    def _note_misspelt_sections(self, root: yaml.Node, content: FileContent) -> None:
        """The records under a near miss of `sources` or `cities` (`sourcse:`) are not read, but
        facts that name them are not told of an unknown source or city: the misspelling is the
        one problem to fix."""
        assert isinstance(root, yaml.MappingNode)
        for key, node in root.value:
            if not isinstance(key, yaml.ScalarNode) or key.value in TOP_LEVEL_KEYS:
                continue
            meant = difflib.get_close_matches(str(key.value), TOP_LEVEL_KEYS, n=1, cutoff=CUTOFF)
            if meant and meant[0] != "facts" and isinstance(node, yaml.SequenceNode):
                what, id_key = ("source", "id") if meant[0] == "sources" else ("city", "slug")
                for item in node.value:
                    _note_refused(content, what, item, id_key)

    def text(self) -> str | None:
        """The file's text, or None (and the problem) where it cannot be read, is too large or
        is not UTF-8. Read once, through checks.read_at_most, which stamps it for the cache."""
        try:
            data = checks.read_at_most(self.path, MAX_FILE_BYTES)
        except OSError as error:
            self.problem(
                None, f"cannot be read ({error.strerror}); check its permissions", "unreadable"
            )
            return None
        if data is None:
            self.problem(
                None,
                f"is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; "
                "split it into several fact files",
                "too-large",
            )
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            self.problems.append(
                Problem(
                    self.file,
                    line,
                    f"is not UTF-8 text (byte {error.start}); save it as UTF-8",
                    "encoding",
                )
            )
            return None
        return text

    def _compose(self, text: str) -> yaml.Node | None:
        try:
            refused = _refuse_costly_structure(text)
            if refused is not None:
                self.problems.append(Problem(self.file, *refused))
                return None
            root = yaml.compose(text, Loader=_Loader)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            what = error.problem or error.context or "invalid YAML"
            if error.problem and error.context and not error.context.startswith("while "):
                what = f"{error.context}, {error.problem}"  # "expected a single document ..."
            at = mark.line + 1 if mark is not None else None
            self.problems.append(
                Problem(
                    self.file,
                    at,
                    f"is not valid YAML: {what}; fix the syntax at that line",
                    "yaml-syntax",
                )
            )
            return None
        except yaml.reader.ReaderError as error:  # a character YAML does not allow, e.g. NUL
            at = text[: error.position].count("\n") + 1
            self.problems.append(
                Problem(
                    self.file,
                    at,
                    f"is not valid YAML: character "
                    f"#x{error.character:04x} is not allowed in YAML "
                    "text; remove it",
                    "yaml-syntax",
                )
            )
            return None
        except yaml.YAMLError as error:
            self.problem(None, f"is not valid YAML: {error}; fix the syntax", "yaml-syntax")
            return None
        except RecursionError:  # the pre-scan bounds the depth; kept for the pure-Python parser
            self.problem(None, "is nested too deeply to be a fact file", "too-deep")
            return None
        if root is None:
            self.problem(
                None,
                "is empty; a fact file is a mapping with `sources`, `cities` and/or `facts`",
                "empty",
            )
        return root

    # -- structure

    def _enter(self, node: yaml.Node) -> bool:
        """Refuse foreign tags (aliases never get this far: see _refuse_costly_structure)."""
        if node.tag not in _ALLOWED_TAGS:
            self.problem(
                node,
                f"uses the YAML tag {node.tag.replace(_TAG, '!!')!s}, which fact "
                "files do not allow; remove the tag",
                "tag",
            )
            return False
        return True

    def _mapping(
        self,
        node: yaml.Node,
        what: str,
        known: Sequence[str],
        misspelt: list[str] | None = None,
    ) -> dict[str, yaml.Node] | None:
        """The known keys of a mapping, each unknown one reported; `misspelt` gets the known
        keys that an unknown one is a near miss of (`qualifer`: `qualifier`)."""
        if not self._enter(node):
            return None
        if not isinstance(node, yaml.MappingNode):
            self.problem(
                node, f"{what} must be a mapping of `key: value` lines, not {_shape(node)}", "type"
            )
            return None
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _TAG + "str":
                self.problem(key_node, f"keys in {what} must be plain words", "key")
                continue
            key = key_node.value
            if key in result:
                self.problem(
                    key_node,
                    f"duplicate key `{_short(key)}` in {what} (first at "
                    f"line {_line(result[key])}); keep one",
                    "duplicate-key",
                    _short(key),
                )
                continue
            if key not in known:
                if misspelt is not None:
                    misspelt.extend(difflib.get_close_matches(key, known, n=1, cutoff=CUTOFF))
                self.problem(
                    key_node,
                    f"unknown key `{_short(key)}` in {what}; {suggest(key, known, 'keys')}",
                    "unknown-key",
                    _short(key),
                )
                continue
            result[key] = value_node
        return result

    def _sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not self._enter(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(
                node,
                f"`{what}` must be a list (lines starting with '- '), not {_shape(node)}",
                "type",
            )
            return []
        return list(node.value)

    def _record(
        self, node: yaml.Node, what: str, specs: Sequence[FieldSpec]
    ) -> dict[str, Any] | None:
        values, ok = self._fields(node, what, specs)
        return values if ok else None

    def _fields(
        self,
        node: yaml.Node,
        what: str,
        specs: Sequence[FieldSpec],
        lines: dict[str, int] | None = None,
        decimals: dict[str, int] | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """The valid fields of a record, and whether it has no invalid or missing one; `lines`
        gets the line of each key, `decimals` the decimals of each number as written (19.50: 2)."""
        by_name = {spec.name: spec for spec in specs}
        misspelt: list[str] = []
        mapping = self._mapping(node, f"a {what}", list(by_name), misspelt)
        if mapping is None:
            return {}, False
        values: dict[str, Any] = {}
        # A near miss of a key (`qualifer`) leaves that key at its default: the record is not
        # built, so no check reports what the default says ("is `exact` but its quote says
        # “Over 70”") before the misspelling is fixed. Its id and references are still checked.
        ok = not misspelt
        if lines is not None and isinstance(node, yaml.MappingNode):
            lines.update(
                (k.value, _line(k))
                for k, _ in node.value
                if isinstance(k, yaml.ScalarNode) and k.value in mapping
            )
        for name, value_node in mapping.items():
            value = self._value(value_node, by_name[name], what)
            if value is _OMITTED:
                continue
            if value is _INVALID:
                ok = False
            else:
                values[name] = value
                if decimals is not None and by_name[name].kind == "number" and value is not None:
                    decimals[name] = _decimals(str(value_node.value))
        for spec in specs:
            if spec.required and spec.name not in mapping and spec.name not in misspelt:
                ident = values.get("id") or values.get("slug")
                named = f" `{ident}`" if ident else ""
                self.problem(
                    node,
                    f"{what}{named} is missing `{spec.name}` ({spec.help})",
                    "missing-key",
                    spec.name,
                )
                ok = False
        return values, ok

    # -- values

    def _value(self, node: yaml.Node, spec: FieldSpec, what: str) -> Any:
        if spec.kind == "derive":
            derive = self._record(node, "derive", DERIVE_FIELDS)
            return _INVALID if derive is None else derive
        if spec.kind == "record_list":
            return self._entries(node, spec)
        if spec.kind in ("text_list", "slug_list"):
            if not self._enter(node):
                return _INVALID
            if node.tag == _TAG + "null" and spec.nullable:
                return None
            if not isinstance(node, yaml.SequenceNode) or not node.value:
                self.problem(
                    node,
                    f"`{spec.name}` must be a non-empty list of text (lines starting with '- ')",
                    "type",
                    spec.name,
                )
                return _INVALID
            item_spec = FieldSpec(spec.name, spec.kind.removesuffix("_list"), spec.help)
            items = [self._value(item, item_spec, what) for item in node.value]
            return _INVALID if any(i is _INVALID for i in items) else tuple(items)
        if not self._enter(node):
            return _INVALID
        if not isinstance(node, yaml.ScalarNode):
            self.problem(
                node, f"`{spec.name}` must be a single value, not {_shape(node)}", "type", spec.name
            )
            return _INVALID
        if node.tag == _TAG + "null":
            if spec.nullable:
                return None
            self.problem(node, f"`{spec.name}` is empty; give {spec.help}", "type", spec.name)
            return _INVALID
        if node.tag == _TAG + "str" and is_placeholder(str(node.value)):
            return self._placeholder(node, spec, what)
        if len(node.value) > MAX_TEXT_CHARS:
            self.problem(
                node,
                f"`{spec.name}` is {len(node.value):,} characters long; a value "
                f"in a fact file holds at most {MAX_TEXT_CHARS:,}",
                "too-long",
                spec.name,
            )
            return _INVALID
        if spec.kind == "number":
            return self._number(node, spec, allow_float=True)
        if spec.kind == "integer":
            return self._number(node, spec, allow_float=False)
        if spec.kind == "date":
            return self._date(node, spec)
        if spec.kind == "url":
            return self._url(node, spec)
        return self._text(node, spec)

    def _placeholder(self, node: yaml.ScalarNode, spec: FieldSpec, what: str) -> Any:
        """A value `returnees draft` left for a person to write (placeholders.py): named as to
        fill in, at its line, and nothing more said of it. A fact's label, base or topic is
        stood in for, so that the rest of the fact (its quote, figure and qualifier) is still
        checked; a fact's city is left out; any other key of a fact leaves the fact unbuilt
        (its id and references are still checked). A source or a city is always kept, a
        stand-in in each of its keys, so that the facts citing it are not unresolved."""
        self.problem(
            node,
            f"`{spec.name}` is to fill in ({spec.help}): replace the placeholder",
            "to-fill-in",
            spec.name,
        )
        if what == "fact":
            if spec.name == "city":
                return _OMITTED  # no city: a nationwide fact, which names no unknown city
            if spec.name not in ("label", "population", "topic"):
                return _INVALID
        elif not spec.required and spec.kind not in (*STAND_IN, "text"):
            return _OMITTED
        if spec.kind == "choice":
            return spec.choices[0]
        if spec.name == "text":
            return _OMITTED  # no stored text: its quotes are not checked (a warning says so)
        return STAND_IN.get(spec.kind, str(node.value).strip())

    def _text(self, node: yaml.ScalarNode, spec: FieldSpec) -> Any:
        if node.tag != _TAG + "str":
            self.problem(
                node,
                f"`{spec.name}` must be text, but YAML reads "
                f"{_short(node.value)!r} as {_YAML_KIND.get(node.tag, node.tag)}; put it "
                "in quotes",
                "type",
                spec.name,
            )
            return _INVALID
        text = str(node.value).strip()
        if not text:
            self.problem(node, f"`{spec.name}` is empty; give {spec.help}", "type", spec.name)
            return _INVALID
        if spec.kind == "slug" and not _SLUG.match(text):
            slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
            fix = f"write `{_short(slug)}`" if slug else f"give {spec.help}"
            self.problem(
                node,
                f"`{spec.name}` {_short(text)!r} must be lowercase letters, digits "
                f"and hyphens; {fix}",
                "slug",
                spec.name,
            )
            return _INVALID
        if spec.kind == "choice" and text not in spec.choices:
            fix = suggest(text, spec.choices, f"{spec.name}s")
            if spec.name == "qualifier":
                fix += "; a figure stated as “over” or “more than” is `more_than`"
            self.problem(
                node,
                f"`{spec.name}` {_short(text)!r} is not a known {spec.name}; {fix}",
                "choice",
                spec.name,
            )
            return _INVALID
        return text

    def _number(self, node: yaml.ScalarNode, spec: FieldSpec, *, allow_float: bool) -> Any:
        raw = str(node.value).strip().replace("_", "")
        kind = "a whole number" if not allow_float else "a number"
        if node.tag not in (_TAG + "int", _TAG + "float"):
            fix = " without the % sign (the unit says percent)" if raw.endswith("%") else ""
            self.problem(
                node,
                f"`{spec.name}` must be {kind}{fix}, not {_short(node.value)!r}",
                "type",
                spec.name,
            )
            return _INVALID
        if len(raw) > MAX_NUMBER_CHARS:
            self.problem(
                node,
                f"`{spec.name}` is a number of {len(raw):,} characters; no figure needs that many",
                "number",
                spec.name,
            )
            return _INVALID
        number: int | float | None = None
        if _DECIMAL_INT.match(raw):
            number = int(raw)
        elif allow_float and _DECIMAL_FLOAT.match(raw):
            as_float = float(raw)
            if math.isfinite(as_float):
                is_whole = as_float.is_integer() and "." not in raw
                number = int(as_float) if is_whole else as_float
        if number is not None:
            return self._held(node, spec, number)
        self.problem(
            node,
            f"`{spec.name}` {_short(node.value)!r} must be written as a plain "
            f"decimal {'number' if allow_float else 'whole number'} (YAML would read it "
            "differently)",
            "number",
            spec.name,
        )
        return _INVALID

    def _held(self, node: yaml.ScalarNode, spec: FieldSpec, number: int | float) -> Any:
        """A number every output holds as written: a whole number fits SQLite's 64-bit integers
        (the export), and the figure shown in tables and citations reads back as the number."""
        written = _short(str(node.value).strip())
        if isinstance(number, int) and not MIN_INTEGER <= number <= MAX_INTEGER:
            self.problem(
                node,
                f"`{spec.name}` {written} is beyond the whole numbers an export can hold "
                f"(SQLite's 64-bit integers, up to {MAX_INTEGER:,}); check the figure",
                "number",
                spec.name,
            )
            return _INVALID
        shown = figures.number_text(number)
        if Decimal(shown.replace(",", "")) != Decimal(str(number)):  # 1e23: 99,999,…,611,392
            self.problem(
                node,
                f"`{spec.name}` {written} would be shown as {shown}, which is another "
                f"number; write it with at most {figures.MAX_DECIMALS} decimals, or in a "
                "larger unit",
                "number",
                spec.name,
            )
            return _INVALID
        return number

    def _date(self, node: yaml.ScalarNode, spec: FieldSpec) -> Any:
        text = str(node.value).strip()
        if node.tag in (_TAG + "str", _TAG + "timestamp", _TAG + "int") and _DATE.match(text):
            impossible = _impossible_date(text)
            if impossible is None:
                return text
            self.problem(
                node,
                f"`{spec.name}` {_short(text)!r} is not a date on the calendar ({impossible}); "
                "check it",
                "date",
                spec.name,
            )
            return _INVALID
        self.problem(
            node,
            f"`{spec.name}` {_short(text)!r} must be a date written YYYY-MM-DD "
            "(or YYYY-MM, or YYYY)",
            "date",
            spec.name,
        )
        return _INVALID

    def _url(self, node: yaml.ScalarNode, spec: FieldSpec) -> Any:
        """A web address that a reader (of a table, an export, a Markdown citation) may follow:
        http(s) only, so never `javascript:` or `file:`."""
        text = self._text(node, spec)
        if text is _INVALID or _URL.match(text):
            return text
        self.problem(
            node,
            f"`{spec.name}` {_short(text)!r} is not a web address; give one that starts with "
            "https:// (or http://), with spaces and other characters percent-encoded",
            "url",
            spec.name,
        )
        return _INVALID

    # -- records

    def _entries(self, node: yaml.Node, spec: FieldSpec) -> Any:
        """A list of nested records (a source's `described_in`), each checked key by key as a
        record is, and made into the model record its spec names."""
        if not self._enter(node):
            return _INVALID
        if node.tag == _TAG + "null" and spec.nullable:
            return None
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.problem(
                node,
                f"`{spec.name}` must be a non-empty list of mappings (lines starting with '- ', "
                f"each with {', '.join(f.name for f in spec.fields if f.required)})",
                "type",
                spec.name,
            )
            return _INVALID
        assert spec.record is not None  # a record_list spec names its record (fields.py)
        entries = [self._record(item, f"`{spec.name}` entry", spec.fields) for item in node.value]
        if any(values is None for values in entries):
            return _INVALID
        return tuple(spec.record(**model_values(spec.fields, values or {})) for values in entries)

    def _source(self, node: yaml.Node) -> Source | None:
        values = self._record(node, "source", SOURCE_FIELDS)
        if values is None:
            return None
        text_path = None
        if values.get("text"):
            # absolute, but not resolved: a stored text behind a symlink is stamped (for the
            # cache) where the link points now, not where it pointed once
            text_path = Path(os.path.abspath(self.path.parent / values["text"]))
            if not os.path.isfile(text_path):  # False, never an error, for a name too long
                self.problem(
                    node,
                    f"source `{values['id']}` names a stored text "
                    f"{values['text']!r} that does not exist next to this file; "
                    "fix the path or remove `text`",
                    "missing-text",
                    "text",
                )
        fields = {**model_values(SOURCE_FIELDS, values), "text_path": text_path}
        return Source(**fields, location=Location(self.file, _line(node)))

    def _city(self, node: yaml.Node) -> City | None:
        values = self._record(node, "city", CITY_FIELDS)
        if values is None:
            return None
        self._refuse_nationwide_name(node, values)
        return City(**model_values(CITY_FIELDS, values), location=Location(self.file, _line(node)))

    def _refuse_nationwide_name(self, node: yaml.Node, values: dict[str, Any]) -> None:
        """`--city nationwide` (or china, 全国, ...) means the facts with no city: a declared city
        of that slug or name would be shadowed by them, or shadow them."""
        for key in ("slug", "name", "name_zh"):
            value = values.get(key)
            if value is None or value.casefold() not in NATIONWIDE_NAMES:
                continue
            at = next((v for k, v in node.value if k.value == key), node)
            names = " ".join(f"`{name}`" for name in sorted(NATIONWIDE_NAMES))
            self.problem(
                at,
                f"city `{values['slug']}` has the {key} {_short(value)!r}, which names the whole "
                f"country: `--city` takes {names} for the facts "
                "with no city; give the city another one, and leave `city` out of a fact about "
                "the whole country",
                "reserved-name",
                key,
            )
            return


_SCALAR = yaml.ScalarEvent
_OPENS = frozenset((yaml.SequenceStartEvent, yaml.MappingStartEvent))
_CLOSES = frozenset((yaml.SequenceEndEvent, yaml.MappingEndEvent))


def _refuse_costly_structure(text: str) -> tuple[int | None, str, str] | None:
    """Walk the parser's events, in a loop and without building anything, and refuse what would
    make composing the tree costly or unsafe: aliases (a "billion laughs" file), deep nesting (the
    composer recurses), and more values than any fact file needs. Returns (line, message, code).

    The loop runs once per event of every file of a cold load (about 2 million at 100,000 facts),
    so it asks each event one question, its exact class, and takes its line only to refuse it."""
    depth = values = 0
    for event in yaml.parse(text, Loader=_Loader):
        kind = event.__class__
        if kind is _SCALAR:
            values += 1
            if values > MAX_VALUES:
                return _too_many(event)
        elif kind in _OPENS:
            values += 1
            if values > MAX_VALUES:
                return _too_many(event)
            depth += 1
            if depth > MAX_DEPTH:
                return (
                    _event_line(event),
                    f"nests lists or mappings more than {MAX_DEPTH} deep; a fact file needs 5",
                    "too-deep",
                )
        elif kind in _CLOSES:
            depth -= 1
        elif kind is yaml.AliasEvent:
            return (
                _event_line(event),
                "uses a YAML alias (*name); write the value out in full",
                "alias",
            )
    return None


def _note_refused(content: FileContent, what: str, node: yaml.Node, key: str) -> None:
    """Keep the id of a refused record, as written, so that references to it do not cascade: under
    its key, or under a near miss of it (`idd`), which is reported as that."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if not (isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)):
                continue
            if k.value == key or difflib.get_close_matches(str(k.value), [key], cutoff=CUTOFF):
                content.refused[what].add(str(v.value).strip())


def _event_line(event: yaml.Event) -> int | None:
    return event.start_mark.line + 1 if event.start_mark is not None else None


def _too_many(event: yaml.Event) -> tuple[int | None, str, str]:
    return (
        _event_line(event),
        f"holds more than {MAX_VALUES:,} YAML values; split it into several fact files",
        "too-large",
    )


def _impossible_date(text: str) -> str | None:
    """Why a YYYY-MM-DD, YYYY-MM or YYYY matched by DATE_PATTERN is not on the calendar, or None:
    2025-02-30 is not, though YAML's own resolver reads it as a timestamp."""
    year, month, day = (int(part) for part in (text.split("-") + ["1", "1"])[:3])
    if year < 1:
        return "there is no year 0"
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{year}-{month:02d} has {days} days"
    return None


def _short(text: str, limit: int = 40) -> str:
    """A value from a file, cut to a length a message can show."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _decimals(written: str) -> int:
    """The decimals of a number as written: 19.50 has 2, 36 has 0, 1.5e2 has 0."""
    exponent = Decimal(written.strip().replace("_", "")).as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _shape(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"the value {_short(str(node.value))!r}"


# --- the fast path: records straight from the parser's events -------------------------------------
#
# A cold load of 100,000 facts spent most of its time composing the tree (a node object per value,
# each plain scalar resolved through PyYAML's Python resolver), walking the events a second time
# for the safety limits, and validating field by field through the general reader above. Here the
# events are read once, in order, and each value is checked as it arrives by a validator made once
# per declared field (fields.py): a valid file never has a tree. The pass accepts only what is
# plainly valid (no tag, anchor or alias; known keys, once each; every value of its kind) and
# gives up (_Bail) at anything else, leaving the file to _FileReader, which composes it, applies
# the limits first and says what is wrong at which line. So the safety checks hold here by
# construction: an alias or a tag is given up on at once, the nesting is that of the format (at
# most 5 deep), and the values are counted as they come.


class _Bail(Exception):
    """Not plainly valid: the careful reader reads this file."""


_STR, _INT, _FLOAT, _NULL, _TIMESTAMP = (
    _TAG + name for name in ("str", "int", "float", "null", "timestamp")
)
_IMPLICIT = _Loader.yaml_implicit_resolvers  # first character -> [(tag, pattern)]
_WILDCARD = _IMPLICIT.get(None, [])
_NUMBERS: dict[tuple[str, bool], tuple[int | float, int] | None] = {}  # checked number memo
_NUMBERS_KEPT = 10_000


def _plain_tag(value: str) -> str:
    """The tag YAML's resolver gives a plain (unquoted) scalar: Resolver.resolve, inlined."""
    for tag, pattern in _IMPLICIT.get(value[:1], []) + _WILDCARD:
        if pattern.match(value):
            return str(tag)
    return _STR


def _tag(event: Any) -> str:
    """The tag of a scalar without an explicit tag or anchor (any other is given up on)."""
    if event.tag is not None or event.anchor is not None:
        raise _Bail
    value = event.value
    if event.implicit[0] and (not value or value[0] in _IMPLICIT or _WILDCARD):
        return _plain_tag(value)
    return _STR


_SHARED_KEPT = 100_000


def _text_value(spec: FieldSpec) -> Any:
    nullable, kind = spec.nullable, spec.kind
    pattern = {"slug": _SLUG, "url": _URL}.get(kind)
    # One string object for each choice, and for each name a fact refers to (a city, a topic, a
    # source, a unit): a million facts name fifty cities, and the per-file cache entries, which
    # marshal writes a shared object once in, are read back as fast again.
    choices = {choice: choice for choice in spec.choices}
    shared = choices if choices else ({} if kind == "slug" and spec.name != "id" else None)

    def check(event: Any) -> Any:
        tag = _tag(event)
        value = event.value
        if tag is not _STR and tag != _STR:
            if tag == _NULL and nullable:
                return None
            raise _Bail
        if len(value) > MAX_TEXT_CHARS or ("<" in value and is_placeholder(value)):
            raise _Bail
        text = value.strip()
        if not text:
            raise _Bail
        if shared is None:
            if pattern is not None and not pattern.match(text):
                raise _Bail
            return text
        known = shared.get(text)
        if known is not None:
            return known
        if choices or (pattern is not None and not pattern.match(text)):
            raise _Bail
        if len(shared) < _SHARED_KEPT:
            shared[text] = text
        return text

    return check


def _date_value(spec: FieldSpec) -> Any:
    nullable = spec.nullable

    def check(event: Any) -> Any:
        tag = _tag(event)
        value = event.value
        if tag == _NULL and nullable:
            return None
        if tag not in (_STR, _TIMESTAMP, _INT) or len(value) > MAX_TEXT_CHARS:
            raise _Bail
        if tag == _STR and "<" in value and is_placeholder(value):
            raise _Bail
        text = value.strip()
        if not _DATE.match(text) or _impossible_date(text) is not None:
            raise _Bail
        return text

    return check


def _checked_number(value: str, allow_float: bool) -> tuple[int | float, int] | None:
    """The number a scalar YAML reads as int or float stands for, as _FileReader._number and
    _held accept it, with its decimals as written; None where they would not."""
    raw = value.strip().replace("_", "")
    if len(raw) > MAX_NUMBER_CHARS:
        return None
    number: int | float
    if _DECIMAL_INT.match(raw):
        number = int(raw)
        if not MIN_INTEGER <= number <= MAX_INTEGER:
            return None
    elif allow_float and _DECIMAL_FLOAT.match(raw):
        as_float = float(raw)
        if not math.isfinite(as_float):
            return None
        number = int(as_float) if as_float.is_integer() and "." not in raw else as_float
        if isinstance(number, int) and not MIN_INTEGER <= number <= MAX_INTEGER:
            return None
    else:
        return None
    shown = figures.number_text(number)
    if Decimal(shown.replace(",", "")) != Decimal(str(number)):
        return None
    return number, _decimals(value)


def _number_value(spec: FieldSpec) -> Any:
    nullable, allow_float = spec.nullable, spec.kind == "number"

    def check(event: Any) -> Any:
        tag = _tag(event)
        value = event.value
        if tag == _NULL and nullable:
            return None
        if (tag != _INT and tag != _FLOAT) or len(value) > MAX_TEXT_CHARS:
            raise _Bail
        key = (value, allow_float)
        try:
            found = _NUMBERS[key]
        except KeyError:
            found = _checked_number(value, allow_float)
            if len(_NUMBERS) < _NUMBERS_KEPT:
                _NUMBERS[key] = found
        if found is None:
            raise _Bail
        if not allow_float:
            return found[0], None  # decimals are kept for `number` keys only
        return found  # (number, decimals): the record's reader keeps both

    return check


class _Record:
    """The validators of one kind of record (a source, a city, a fact, a `derive`, an entry of
    `described_in`), made once from its declared fields."""

    def __init__(self, specs: Sequence[FieldSpec]) -> None:
        self.scalars: dict[str, Any] = {}
        self.lists: dict[str, tuple[Any, bool]] = {}  # text or slug lists: item check, nullable
        self.records: dict[str, tuple[_Record, FieldSpec]] = {}  # `derive`, `described_in`
        self.numbers: set[str] = set()
        self.required = frozenset(spec.name for spec in specs if spec.required)
        self.names = {spec.name: spec.name for spec in specs}  # one key object for every record
        self.specs = tuple(specs)
        for spec in specs:
            if spec.kind in ("number", "integer"):
                self.scalars[spec.name] = _number_value(spec)
                self.numbers.add(spec.name)
            elif spec.kind == "date":
                self.scalars[spec.name] = _date_value(spec)
            elif spec.kind in ("text_list", "slug_list"):
                item = FieldSpec(spec.name, spec.kind.removesuffix("_list"), spec.help)
                self.lists[spec.name] = (_text_value(item), spec.nullable)
            elif spec.kind in ("derive", "record_list"):
                self.records[spec.name] = (_Record(spec.fields or DERIVE_FIELDS), spec)
            else:
                self.scalars[spec.name] = _text_value(spec)


_SCALAR_EVENT = yaml.ScalarEvent
_MAPPING_START = yaml.MappingStartEvent
_MAPPING_END = yaml.MappingEndEvent
_SEQUENCE_START = yaml.SequenceStartEvent
_SEQUENCE_END = yaml.SequenceEndEvent


class _EventReader:
    def __init__(self, text: str) -> None:
        self.parser = _Loader(text)
        self.next: Callable[[], Any] = self.parser.get_event
        self.values = 0  # YAML values so far, held to MAX_VALUES

    def collection(self, event: Any, kind: type) -> None:
        """A list or mapping starts here: plain (no tag or anchor) and of the kind wanted."""
        # the kind first: an alias (`facts: *a`, whose anchor need not exist) has no tag at all
        start: Any = event  # (mypy narrows `event` to object below)
        if start.__class__ is not kind or event.tag is not None or event.anchor is not None:
            raise _Bail
        self.values += 1

    def record(
        self, start: Any, rules: _Record, lines: list[int], decimals: dict[str, int] | None
    ) -> dict[str, Any]:
        """The values of one mapping, all valid; `lines` gets the line of each key, in order."""
        self.collection(start, _MAPPING_START)
        values: dict[str, Any] = {}
        scalars, numbers, get = rules.scalars, rules.numbers, self.next
        count = 0
        while True:
            key_event = get()
            if key_event.__class__ is not _SCALAR_EVENT:
                if key_event.__class__ is _MAPPING_END:
                    break
                raise _Bail
            key = rules.names.get(key_event.value)
            if key is None or key in values or _tag(key_event) != _STR:
                raise _Bail
            event = get()
            count += 2
            check = scalars.get(key)
            if check is not None and event.__class__ is _SCALAR_EVENT:
                value = check(event)
                if key in numbers and value is not None:
                    value, decimal_places = value
                    if decimals is not None and decimal_places is not None:
                        decimals[key] = decimal_places
            elif key in rules.lists:
                value = self.text_list(event, *rules.lists[key])
            elif key in rules.records:
                value = self.nested(event, *rules.records[key])
            else:
                raise _Bail
            values[key] = value
            mark: Any = key_event.start_mark  # a parser's event always has its mark
            lines.append(mark.line + 1)
        self.values += count
        if self.values > MAX_VALUES or not rules.required <= values.keys():
            raise _Bail
        return values

    def text_list(self, event: Any, check: Any, nullable: bool) -> tuple[str, ...] | None:
        if event.__class__ is _SCALAR_EVENT:
            if nullable and _tag(event) == _NULL:
                return None
            raise _Bail
        self.collection(event, _SEQUENCE_START)
        items = []
        while (item := self.next()).__class__ is _SCALAR_EVENT:
            items.append(check(item))
        if item.__class__ is not _SEQUENCE_END or not items:
            raise _Bail
        self.values += len(items)
        return tuple(items)

    def nested(self, event: Any, rules: _Record, spec: FieldSpec) -> Any:
        if spec.kind == "derive":
            return self.record(event, rules, [], None)
        if event.__class__ is _SCALAR_EVENT:  # a record_list: described_in
            if spec.nullable and _tag(event) == _NULL:
                return None
            raise _Bail
        self.collection(event, _SEQUENCE_START)
        entries = []
        while (item := self.next()).__class__ is not _SEQUENCE_END:
            entries.append(self.record(item, rules, [], None))
        if not entries or spec.record is None:
            raise _Bail
        return tuple(spec.record(**model_values(spec.fields, values)) for values in entries)

    def items(self) -> Any:
        """The records (mappings) of one top-level list, each as its start event."""
        start = self.next()
        self.collection(start, _SEQUENCE_START)
        while (event := self.next()).__class__ is not _SEQUENCE_END:
            yield event


_SOURCE_RULES = _Record(SOURCE_FIELDS)
_CITY_RULES = _Record(CITY_FIELDS)
_FACT_RULES = _Record(FACT_FIELDS)


def _fast_read(path: Path, file: str, text: str) -> FileContent | None:
    """The records of a plainly valid fact file, or None (read it with _FileReader)."""
    try:
        reader = _EventReader(text)
    except yaml.YAMLError:
        return None
    try:
        return _fast_records(reader, path, file)
    except Exception:  # _Bail, a YAML error, or any slip of this pass: the careful reader decides
        return None
    finally:
        reader.parser.dispose()


def _fast_records(reader: _EventReader, path: Path, file: str) -> FileContent:
    content = FileContent()
    get = reader.next
    if get().__class__ is not yaml.StreamStartEvent:
        raise _Bail
    if get().__class__ is not yaml.DocumentStartEvent:
        raise _Bail  # an empty file
    reader.collection(get(), _MAPPING_START)
    seen: set[str] = set()
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    while (key_event := get()).__class__ is _SCALAR_EVENT:
        key = key_event.value
        if _tag(key_event) != _STR or key in seen or key not in TOP_LEVEL_KEYS:
            raise _Bail
        seen.add(key)
        reader.values += 1
        if key == "facts":
            facts = content.facts
            for start in reader.items():
                lines: list[int] = []
                decimals: dict[str, int] = {}
                values = reader.record(start, _FACT_RULES, lines, decimals)
                location = Location(file, start.start_mark.line + 1)
                keys = tuple(values)
                keys = shared.setdefault(keys, keys)
                facts.append(
                    RawFact(values, location, True, KeyLines.of(keys, lines), _shared(decimals))
                )
        elif key == "sources":
            for start in reader.items():
                values = reader.record(start, _SOURCE_RULES, [], None)
                content.sources.append(_fast_source(path, file, start, values))
        else:
            for start in reader.items():
                values = reader.record(start, _CITY_RULES, [], None)
                if any(
                    values.get(name) is not None and values[name].casefold() in NATIONWIDE_NAMES
                    for name in ("slug", "name", "name_zh")
                ):
                    raise _Bail
                location = Location(file, start.start_mark.line + 1)
                content.cities.append(City(**model_values(CITY_FIELDS, values), location=location))
    if key_event.__class__ is not _MAPPING_END:
        raise _Bail
    if get().__class__ is not yaml.DocumentEndEvent or get().__class__ is not yaml.StreamEndEvent:
        raise _Bail  # more than one document
    return content


_DECIMALS: dict[tuple[tuple[str, int], ...], dict[str, int]] = {}


def _shared(decimals: dict[str, int]) -> dict[str, int]:
    """One dict for every fact whose numbers have the same decimals ({'value': 1}): nothing
    changes a RawFact's decimals once it is read."""
    key = tuple(decimals.items())
    found = _DECIMALS.get(key)
    if found is not None:
        return found
    if len(_DECIMALS) < _NUMBERS_KEPT:
        _DECIMALS[key] = decimals
    return decimals


def _fast_source(path: Path, file: str, start: Any, values: dict[str, Any]) -> Source:
    text_path = None
    if values.get("text"):
        text_path = Path(os.path.abspath(path.parent / values["text"]))
        if not os.path.isfile(text_path):
            raise _Bail
    fields = {**model_values(SOURCE_FIELDS, values), "text_path": text_path}
    return Source(**fields, location=Location(file, start.start_mark.line + 1))
