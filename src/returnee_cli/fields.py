"""The fact file format, declared once: the loader validates against it and the docs describe it."""

from __future__ import annotations

from dataclasses import dataclass

from returnee_cli.model import QUALIFIERS, SOURCE_KINDS

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
DERIVE_FORMULAS = ("remainder", "share_of_sample")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # text | slug | number | integer | choice | date | text_list | slug_list | derive
    help: str
    required: bool = False
    nullable: bool = False
    choices: tuple[str, ...] = ()


SOURCE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "id", "slug", "stable id that facts cite, e.g. beijing-blue-book-2025", required=True
    ),
    FieldSpec("title", "text", "the document's title", required=True),
    FieldSpec("publisher", "text", "who published it", required=True),
    FieldSpec("date", "date", "publication date, YYYY-MM-DD (or YYYY-MM, YYYY)", required=True),
    FieldSpec(
        "kind",
        "choice",
        "primary (the study itself) or secondary (a report of it)",
        required=True,
        choices=SOURCE_KINDS,
    ),
    FieldSpec(
        "short_title",
        "text",
        "a short name for tight spaces, e.g. Beijing Blue Book",
        nullable=True,
    ),
    FieldSpec("author", "text", "who wrote it", nullable=True),
    FieldSpec("url", "text", "where it can be read", nullable=True),
    FieldSpec("note", "text", "anything a reader should know about it", nullable=True),
    FieldSpec("text", "text", "stored body of the document, relative to this file", nullable=True),
)

CITY_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("slug", "slug", "what --city and the JSON use, e.g. beijing", required=True),
    FieldSpec("name", "text", "English name, e.g. Beijing", required=True),
    FieldSpec("name_zh", "text", "Chinese name, e.g. 北京", nullable=True),
)

DERIVE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "formula",
        "choice",
        "remainder: 100 minus the shares in `from`; "
        "share_of_sample: the share in `from` times its sample_size",
        required=True,
        choices=DERIVE_FORMULAS,
    ),
    FieldSpec("from", "slug_list", "ids of the stated facts it is computed from", required=True),
)

FACT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", "slug", "stable id, e.g. beijing-sector-education", required=True),
    FieldSpec(
        "city", "slug", "city slug declared under `cities`; leave out for nationwide", nullable=True
    ),
    FieldSpec("topic", "slug", "what the fact is about, e.g. sectors", required=True),
    FieldSpec("label", "text", "short description of the figure", required=True),
    FieldSpec("value", "number", "the figure, without its unit (20.84, not 20.84%)", nullable=True),
    FieldSpec("unit", "slug", "percent, people, ...; required with a value", nullable=True),
    FieldSpec(
        "qualifier",
        "choice",
        "exact, or more_than for 'over'/'more than' figures",
        choices=QUALIFIERS,
    ),
    FieldSpec("population", "text", "who the share is a share of", nullable=True),
    FieldSpec(
        "sample_size", "integer", "how many were surveyed, where the source says", nullable=True
    ),
    FieldSpec("items", "text_list", "the list or ranking, in the source's order", nullable=True),
    FieldSpec(
        "breakdown",
        "slug",
        "id shared by facts that split one population into parts",
        nullable=True,
    ),
    FieldSpec("source", "slug", "id of the source the figure comes from", required=True),
    FieldSpec("reported_in", "slug", "id of the source the quote is taken from", required=True),
    FieldSpec("quote", "text", "the sentence that states it, copied verbatim", nullable=True),
    FieldSpec(
        "derive", "derive", "how a derived figure is computed (no value, no quote)", nullable=True
    ),
)

TOP_LEVEL_KEYS = ("sources", "cities", "facts")
