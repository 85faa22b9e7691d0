"""What the one-angle commands ask, and how a city's name is compared: declared once, read by
the queries (queries.py) and by the warm answers (warm.py), which import nothing heavier."""

from __future__ import annotations

SECTORS_TOPIC = "sectors"
INDUSTRY_TOPICS = ("emerging-industries", "industries")
ENTREPRENEUR_TOPICS = (
    "first-choice",
    "generation",
    "education",
    "industries",
    "profitability",
    "markets",
    "women",
)
REASON_TOPIC = "reasons"
DESTINATION_TOPIC = "destinations"

# Each one-angle command: its topics, whether it shows shares only, whether it orders them as
# `sectors` does (sector_order).
ANGLES: dict[str, tuple[tuple[str, ...], bool, bool]] = {
    "sectors": ((SECTORS_TOPIC,), True, True),
    "industries": (INDUSTRY_TOPICS, False, False),
    "entrepreneurs": (ENTREPRENEUR_TOPICS, True, False),
    "reasons": ((REASON_TOPIC,), False, False),
}


def is_share(unit: str | None, value: float | None) -> bool:
    return unit == "percent" and value is not None


def sector_order(city: str | None, derived: bool, value: float | None) -> tuple[str, bool, float]:
    """A city's stated shares largest first, then what is derived from them."""
    return (city or "", derived, -(value or 0))


# What people add to a city's name: 北京市, Beijing City, Shanghai Shi, Shanghai Municipality.
_CITY_SUFFIXES = ("市", " city", " shi", " municipality")


def city_key(name: str) -> str:
    """A city name as it is compared: width and case folded, tone marks gone (Běijīng), the
    word for city dropped (北京市, Beijing City, Shanghai Shi), spaces, hyphens and apostrophes
    left out (Xi'an, Bei-jing)."""
    if name.isascii():  # no width, no tone marks: NFKC and NFKD change nothing
        text = name.strip().casefold()
    else:
        import unicodedata

        text = unicodedata.normalize("NFKC", name).strip().casefold()
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    text = " ".join(text.split())
    for suffix in _CITY_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    return "".join(c for c in text if c not in " -'’‘")
