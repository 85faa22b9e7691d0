"""The fact file format: the loader validates against it, the JSON Schema and the docs describe
it. The keys of sources, cities and facts are generated from the model's declaration (model.py);
`derive`, which only fact files have, is declared here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from returnee_cli.model import City, Declared, Fact, Source, declared

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# ASCII digits: re's \d takes any script's (٢٠٢٥, ２０２５), which the JSON Schema's does not
DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
# A web address a reader may follow: http(s) only (never javascript:, data:, file:), a plain host,
# and only the characters RFC 3986 allows (non-ASCII and spaces percent-encoded).
URL_PATTERN = (
    r"^https?://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]+)?"
    r"([/?#][A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]*)?$"
)
DERIVE_FORMULAS = ("remainder", "share_of_sample")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    # text | slug | number | integer | choice | date | url | text_list | slug_list | record_list
    # | derive
    kind: str
    help: str
    required: bool = False
    nullable: bool = False
    choices: tuple[str, ...] = ()
    attribute: str | None = None  # the model field it fills; None for an input-only key
    record: type | None = None  # record_list: the model record each entry makes
    fields: tuple[FieldSpec, ...] = ()  # record_list: the keys of each entry


DERIVE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "formula",
        "choice",
        "remainder: 100 minus every share of one breakdown, named in `from`; "
        "share_of_sample: the people the share in `from` stands for, of its sample_size",
        required=True,
        choices=DERIVE_FORMULAS,
    ),
    FieldSpec("from", "slug_list", "ids of the stated facts it is computed from", required=True),
)


def model_specs(record: type) -> tuple[FieldSpec, ...]:
    """The fact-file keys of a model record (Fact, Source, City, Report), from its declaration:
    required where the field has no default, nullable where its annotation allows None, of the
    kind its metadata or annotation says; a list of records with the keys of its record."""
    return tuple(
        FieldSpec(
            key,
            _kind(field),
            field.about.help,
            required=field.required,
            nullable=field.nullable,
            choices=field.about.choices,
            attribute=field.name,
            record=field.item_record,
            fields=model_specs(field.item_record) if field.item_record else (),
        )
        for field in declared(record)
        if (key := field.input_key) is not None
    )


def _kind(field: Declared) -> str:
    if field.item_record is not None:
        return "record_list"
    if field.about.choices:
        return "choice"
    if field.about.kind:
        return field.about.kind
    if field.is_list:
        return "text_list"
    if set(field.types) == {int}:
        return "integer"
    if set(field.types) == {int, float}:
        return "number"
    return "text"


def model_values(specs: Sequence[FieldSpec], values: Mapping[str, Any]) -> dict[str, Any]:
    """The model's keyword arguments for the keys a record gave (input-only keys left out)."""
    attributes = _attributes.get(id(specs))
    if attributes is None or attributes[0] is not specs:
        attributes = _attributes[id(specs)] = (specs, _attribute_of(specs))
    of = attributes[1]
    return {of[name]: value for name, value in values.items() if name in of}


def _attribute_of(specs: Sequence[FieldSpec]) -> dict[str, str]:
    return {spec.name: spec.attribute for spec in specs if spec.attribute is not None}


# the attribute of each key, by the declaration it is of (a cold load asks 100,000 times)
_attributes: dict[int, tuple[Sequence[FieldSpec], dict[str, str]]] = {}


SOURCE_FIELDS = model_specs(Source)
CITY_FIELDS = model_specs(City)
FACT_FIELDS: tuple[FieldSpec, ...] = (
    *model_specs(Fact),
    # input only: it says how to work out `value`, `derived_from`, `formula` and `derived_by`
    FieldSpec(
        "derive", "derive", "how a derived figure is computed (no value, no quote)", nullable=True
    ),
)

TOP_LEVEL_KEYS = ("sources", "cities", "facts")
