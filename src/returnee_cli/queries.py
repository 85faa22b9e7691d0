"""Pure questions over a FactSet. No printing, no Typer, no Rich: results in, results out.

Every `city` parameter here is a filter: None means every city (the nationwide statements
included), never nationwide; NATIONWIDE means the statements about the whole country.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from returnee_cli.angles import (
    ANGLES,
    DESTINATION_TOPIC,
    city_key,
    sector_order,
)
from returnee_cli.errors import UsageError
from returnee_cli.model import NATIONWIDE, NATIONWIDE_NAMES, City, Fact, FactSet, Source
from returnee_cli.suggest import quoted, suggest

# Names a city goes by that its record does not hold: the old romanisations, still in use in
# names and titles (Peking University). Each applies only where the facts declare its slug.
EXONYMS = {
    "peking": "beijing",
    "peiping": "beijing",
    "canton": "guangzhou",
    "soochow": "suzhou",
    "hangchow": "hangzhou",
    "nanking": "nanjing",
    "tientsin": "tianjin",
    "chungking": "chongqing",
    "amoy": "xiamen",
}


def resolve_city(factset: FactSet, name: str) -> City:
    """A city by slug or name, in any case and as people write it (北京市, Beijing City, Peking);
    NATIONWIDE by any of its names ('nationwide', 'china', '全国', ...) for the statements about
    the whole country."""
    wanted = city_key(name)
    if wanted:
        for city in factset.cities.values():
            names = (city.slug, city.name, city.name_zh or "")
            if wanted in {city_key(known) for known in names if known}:
                return city
        exonym = factset.cities.get(EXONYMS.get(wanted, ""))
        if exonym is not None:
            return exonym
        if wanted in {city_key(known) for known in NATIONWIDE_NAMES}:
            return NATIONWIDE
    known = sorted(factset.cities)
    listed = f"known cities: {', '.join(known)} (or {NATIONWIDE.slug})"
    near = wanted or name.strip().casefold()  # Shanghia City: is `shanghai` meant?
    hint = suggest(near, [*known, NATIONWIDE.slug], "cities", then=listed)
    raise UsageError(f"unknown city {quoted(name)}; {hint}")


def resolve_unit(factset: FactSet, name: str) -> str:
    """A unit as the facts have it (percent, people), in any case."""
    wanted = name.strip().casefold()
    units = sorted({fact.unit for fact in factset.facts if fact.unit})
    if wanted in units:
        return wanted
    raise UsageError(f"unknown unit {quoted(name)}; {suggest(wanted, units, 'units')}")


Cities = City | Collection[City] | None  # one city, any of several, or (None) every city


def _chosen(city: Cities) -> list[City] | None:
    return None if city is None else [city] if isinstance(city, City) else list(city)


def _candidates(
    factset: FactSet,
    city: Cities,
    topics: Collection[str] | None = None,
    source: Source | None = None,
) -> Sequence[Fact]:
    """Every fact (city None: every city, nationwide included), or those of the chosen cities
    from the index, in file order. With no city, the cache entry's index (where the facts come
    from one) narrows them to the topics or the source given; the caller filters by them all
    the same."""
    chosen = _chosen(city)
    if chosen is None:
        found = None
        if topics is not None:
            found = factset.with_index("topic", sorted(topics))
        elif source is not None:
            found = factset.with_index("source", [source.id])
        return factset.facts if found is None else found
    if len(chosen) == 1:
        return factset.in_city(chosen[0])
    wanted = {c.slug for c in chosen}
    return [fact for fact in factset.facts if factset.city_of(fact).slug in wanted]


def resolve_topic(factset: FactSet, name: str) -> str:
    wanted = name.strip().casefold()
    if wanted in factset.topics:
        return wanted
    raise UsageError(f"unknown topic {quoted(name)}; {suggest(wanted, factset.topics, 'topics')}")


def resolve_source(factset: FactSet, name: str) -> Source:
    """A source by id, or by its short title in any case ('beijing blue book')."""
    wanted = name.strip().casefold()
    for source in factset.sources.values():
        if wanted in (source.id, (source.short_title or "").casefold()):
            return source
    containing = [
        s.id
        for s in factset.sources.values()
        if wanted and wanted in f"{s.id} {s.title} {s.short_title or ''}".casefold()
    ]
    # a word of its title ("blue book") points at the one source that has it
    only = containing[0] if len(containing) == 1 else None
    hint = suggest(wanted, sorted(factset.sources), "sources", fallback=only)
    raise UsageError(f"unknown source {quoted(name)}; {hint}")


def get_fact(factset: FactSet, fact_id: str) -> Fact:
    wanted = fact_id.strip().casefold()
    if wanted in factset.by_id:
        return factset.by_id[wanted]
    hint = suggest(wanted, factset.by_id, "fact ids", then="run `returnees facts` to list the ids")
    raise UsageError(f"unknown fact id {quoted(fact_id)}; {hint}")


# Marks that stand for the same thing when one searches: curly quotes and primes are
# straight quotes (master's finds master’s, "post-80s" finds “post-80s”).
_FOLDED = str.maketrans({"’": "'", "‘": "'", "′": "'", "“": '"', "”": '"', "″": '"'})


def fold(text: str) -> str:
    """Text as --search compares it: case, curly quotes and runs of spaces folded, the ends
    stripped."""
    return " ".join(text.translate(_FOLDED).casefold().split())


def _matches(fact: Fact, needle: str, factset: FactSet) -> bool:
    source = factset.sources[fact.source]
    haystack = [
        fact.label,
        fact.population or "",
        fact.quote or "",
        *(fact.items or ()),
        source.title,
        source.short_title or "",
    ]
    return any(needle in fold(text) for text in haystack)


def select_facts(
    factset: FactSet,
    *,
    city: Cities = None,
    topic: str | Collection[str] | None = None,
    source: Source | None = None,
    search: str | None = None,
    qualifier: str | None = None,
    derived: bool | None = None,
    unit: str | None = None,
) -> list[Fact]:
    """Facts in file order, narrowed by every filter given (None: not narrowed). A city or a
    topic may be several, meaning any of them; a city of None is every city, NATIONWIDE the
    statements about the whole country. `derived`: only the computed figures (True) or only the
    stated facts (False)."""
    needle = fold(search) if search is not None else None
    topics = None if topic is None else {topic} if isinstance(topic, str) else set(topic)
    return [
        fact
        for fact in _candidates(factset, city, topics, source)
        if (topics is None or fact.topic in topics)
        and (source is None or source.id in (fact.source, fact.reported_in))
        and (needle is None or _matches(fact, needle, factset))
        and (qualifier is None or (fact.value is not None and fact.qualifier == qualifier))
        and (derived is None or fact.derived == derived)
        and (unit is None or fact.unit == unit)
    ]


class TopicResult:
    """The facts of one topic, and which cities have any (for the 'no data here' note). The
    cities are found the first time they are asked for: only a note about a city without the
    topic needs them, and finding them looks at every fact of the set (issue 13)."""

    def __init__(self, facts: list[Fact], having: Callable[[], list[City]]) -> None:
        self.facts = facts
        self._having = having

    @cached_property
    def cities_with_topic(self) -> list[City]:
        return self._having()


def sectors(factset: FactSet, city: Cities = None) -> TopicResult:
    """The work-sector breakdown of one city (None: every city): stated shares largest first, then
    what is derived from them."""
    topics, shares_only, _ = ANGLES["sectors"]
    result = facts_on(factset, topics, city, shares_only=shares_only)
    ordered = sorted(result.facts, key=lambda f: sector_order(f.city, f.derived, f.value))
    return TopicResult(ordered, lambda: result.cities_with_topic)


@dataclass(frozen=True)
class SourceCount:
    """A source and how many facts cite it, take their figure from it, quote it."""

    source: Source
    facts: int  # facts that cite it either way: what `facts --source ID` lists
    figures: int  # facts whose figure comes from it
    quotes: int  # facts whose quote is taken from it


def source_fact_counts(factset: FactSet) -> list[SourceCount]:
    """Each source with how many facts cite it, take a figure from it, and quote it. A list or a
    statement has no figure: it cites its source, but is no figure of it."""
    cited = Counter(source for fact in factset.facts for source in {fact.source, fact.reported_in})
    figures = Counter(fact.source for fact in factset.facts if fact.value is not None)
    quotes = Counter(fact.reported_in for fact in factset.facts if fact.quote)
    return [
        SourceCount(source, cited[source.id], figures[source.id], quotes[source.id])
        for source in factset.sources.values()
    ]


# --- exploring by angle ---------------------------------------------------------------------------


def facts_on(
    factset: FactSet, topics: Iterable[str], city: Cities = None, *, shares_only: bool = False
) -> TopicResult:
    """Facts of any of `topics`, in file order, of one city, any of several, or (None) every
    city; and which declared cities have any of them."""
    wanted = set(topics)
    facts = [
        fact
        for fact in _candidates(factset, city)
        if fact.topic in wanted and (not shares_only or fact.is_share)
    ]

    def having() -> list[City]:
        indexed = factset.with_index("topic", sorted(wanted))
        slugs = {
            fact.city
            for fact in (factset.facts if indexed is None else indexed)
            if fact.topic in wanted and fact.city and (not shares_only or fact.is_share)
        }
        return [factset.cities[slug] for slug in sorted(slugs)]

    return TopicResult(facts, having)


def industries(factset: FactSet, city: Cities = None) -> TopicResult:
    """The industries returnees work in, of one city (None: every city)."""
    topics, shares_only, _ = ANGLES["industries"]
    return facts_on(factset, topics, city, shares_only=shares_only)


def entrepreneurs(factset: FactSet, city: Cities = None) -> TopicResult:
    """The shares that profile returnee entrepreneurs (the charted ones: no counts, no lists), of
    one city (None: every city)."""
    topics, shares_only, _ = ANGLES["entrepreneurs"]
    return facts_on(factset, topics, city, shares_only=shares_only)


def reasons(factset: FactSet, city: Cities = None) -> TopicResult:
    """Why returnees choose a city, for one city (None: every city)."""
    topics, shares_only, _ = ANGLES["reasons"]
    return facts_on(factset, topics, city, shares_only=shares_only)


@dataclass(frozen=True)
class CityOverview:
    """A city with its facts and what they say of it: a row of `returnees cities`."""

    city: City
    facts: list[Fact]
    roles: list[str]
    headline: Fact | None


def headline_fact(facts: Iterable[Fact]) -> Fact | None:
    """A city's headline: its first stated share, else its first stated figure."""
    stated = [fact for fact in facts if not fact.derived and fact.value is not None]
    shares = [fact for fact in stated if fact.is_share]
    preferred = shares or stated
    return preferred[0] if preferred else None


def headline_words(fact: Fact) -> str:
    """What follows a headline's figure: whose share it is, then what it is ('of
    overseas-educated returnees working in Beijing: Science and technology-related fields'); a
    figure that is no share keeps its base after its label."""
    if fact.is_share and fact.population:
        return f"of {fact.population}: {fact.label}"
    return f"{fact.label} (of {fact.population})" if fact.population else fact.label


def city_roles(factset: FactSet, facts: Iterable[Fact]) -> list[str]:
    """What the article makes of a city: which studies cover it, whether it is named as a
    destination for returnees."""
    roles: list[str] = []
    for fact in facts:
        source = factset.sources[fact.source]
        if source.kind == "primary":
            role = f"studied by the {source.short_title or source.title}"
        elif fact.topic == DESTINATION_TOPIC:
            role = "named as a destination"
        else:
            continue
        if role not in roles:
            roles.append(role)
    return roles


def cities_overview(factset: FactSet) -> list[CityOverview]:
    """Every city that has facts, in the order the cities are declared."""
    overview = []
    for city in factset.cities.values():
        facts = factset.in_city(city)
        if facts:
            overview.append(
                CityOverview(city, facts, city_roles(factset, facts), headline_fact(facts))
            )
    return overview


@dataclass(frozen=True)
class TopicMatrix:
    """How many facts each city has on each topic: `returnees topics`."""

    topics: list[str]
    cities: list[City]  # the declared cities that have facts, then NATIONWIDE
    counts: dict[str, dict[str, int]]  # topic -> city slug -> number of facts

    @property
    def columns(self) -> list[str]:
        """The slugs of the cities: the keys of each row of counts, and of each JSON record."""
        return [city.slug for city in self.cities]


def topic_matrix(factset: FactSet) -> TopicMatrix:
    every = [*factset.cities.values(), NATIONWIDE]
    counts = {topic: {city.slug: 0 for city in every} for topic in factset.topics}
    for fact in factset.facts:
        counts[fact.topic][factset.city_of(fact).slug] += 1
    used = [c for c in every if c == NATIONWIDE or any(row[c.slug] for row in counts.values())]
    columns = [city.slug for city in used]
    return TopicMatrix(
        factset.topics,
        used,
        {topic: {slug: row[slug] for slug in columns} for topic, row in counts.items()},
    )


# --- compare: like with like ----------------------------------------------------------------------

LIKE_WITH_LIKE = "topic_and_base"  # another city has a figure of this topic and base: compared
SAME_TOPIC = "topic_only"  # another city has this topic, but of another base: not compared
ONLY_HERE = "none"  # no other city has this topic
EACH_CITY = "each city"  # what a base reads with its city's name taken out


@dataclass(frozen=True)
class Compared:
    """One fact of one compared city, and what it may be set against."""

    fact: Fact
    city: City
    match: str  # LIKE_WITH_LIKE, SAME_TOPIC or ONLY_HERE
    base: str | None  # its population with the city's name as EACH_CITY: the same across cities
    others: tuple[str, ...]  # the other compared cities that share its key (or its topic)


def _without_city(text: str, city: City) -> str:
    names = sorted({city.name, city.slug, *([city.name_zh] if city.name_zh else [])}, key=len)
    for name in reversed(names):  # the longest first: 'Beijing City' before 'Beijing'
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", EACH_CITY, text, flags=re.IGNORECASE)
    return " ".join(text.split())


def compare_base(fact: Fact, city: City) -> str | None:
    """What the fact counts, the same for every city: 'surveyed returnee founders of startups in
    Shanghai' and '... in Wuhan' are both '... in each city'."""
    return _without_city(fact.population, city) if fact.population else None


def compare_cities(factset: FactSet, cities: Sequence[City]) -> list[Compared]:
    """The facts of these cities, each marked with what it may be set against: only a figure of
    the same topic, base and unit (a share with a share, of the same kind of population) is like
    with like. In order: the like-with-like groups (by topic, base, then each city), then the
    topics that several cities have of other bases, then what each city alone has."""
    if len(cities) < 2:
        raise UsageError(
            "compare needs two cities or more, e.g. returnees compare beijing shanghai"
        )
    seen: set[str] = set()
    for city in cities:
        if city.slug in seen:
            raise UsageError(f"{city.name} is named twice; compare different cities")
        seen.add(city.slug)

    def key(fact: Fact, city: City) -> tuple[str, str | None, str | None]:
        base = compare_base(fact, city)
        return (fact.topic, base.casefold() if base else None, fact.unit)

    facts = {city.slug: factset.in_city(city) for city in cities}
    keys: dict[tuple[str, str | None, str | None], list[str]] = {}
    topics: dict[str, list[str]] = {}
    said: dict[str | None, str | None] = {None: None}  # a base as first written, for every city
    for city in cities:
        for fact in facts[city.slug]:
            base = compare_base(fact, city)
            said.setdefault(base.casefold() if base else None, base)
            for having in (keys.setdefault(key(fact, city), []), topics.setdefault(fact.topic, [])):
                if city.slug not in having:
                    having.append(city.slug)
    order = {slug: n for n, slug in enumerate(facts)}
    topic_order = {topic: n for n, topic in enumerate(topics)}
    found: list[Compared] = []
    for city in cities:
        for fact in facts[city.slug]:
            same_key = [s for s in keys[key(fact, city)] if s != city.slug]
            same_topic = [s for s in topics[fact.topic] if s != city.slug]
            match = LIKE_WITH_LIKE if same_key else SAME_TOPIC if same_topic else ONLY_HERE
            found.append(
                Compared(fact, city, match, said[key(fact, city)[1]], tuple(same_key or same_topic))
            )

    def position(row: Compared) -> tuple[int, int, str, str, str, int]:
        city, topic = order[row.city.slug], topic_order[row.fact.topic]
        if row.match == LIKE_WITH_LIKE:  # a measure's figures next to each other, city by city
            label = _without_city(row.fact.label, row.city).casefold()
            base = (row.base or "").casefold()
            return (0, topic, base, row.fact.unit or "", label, city)
        if row.match == SAME_TOPIC:
            return (1, topic, "", "", "", city)
        return (2, city, "", "", "", topic)

    return sorted(found, key=position)


# --- one source in full ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceDetail:
    """A source, how many facts cite it, and those facts by topic (topics in file order)."""

    count: SourceCount
    by_topic: dict[str, list[Fact]]


def source_detail(factset: FactSet, source: Source) -> SourceDetail:
    """One source: its counts (as `sources` gives them) and the facts that cite it, either way,
    grouped by topic in the order they first appear."""
    count = next(c for c in source_fact_counts(factset) if c.source.id == source.id)
    by_topic: dict[str, list[Fact]] = {}
    for fact in select_facts(factset, source=source):
        by_topic.setdefault(fact.topic, []).append(fact)
    return SourceDetail(count, by_topic)


def source_role(fact: Fact) -> str:
    """What a fact takes from the source it names: a figure, a list or a statement."""
    return "figure" if fact.value is not None else "list" if fact.items else "statement"


def source_roles(fact: Fact, source_id: str) -> list[str]:
    """What a fact takes from this source: its figure (list, statement) and its quote."""
    roles = [source_role(fact)] if fact.source == source_id else []
    if fact.quote is not None and fact.reported_in == source_id:
        roles.append("quote")
    return roles
