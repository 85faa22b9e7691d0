"""A text -> the facts it states, proposed: one per figure, with its value, unit, qualifier and
the sentence that states it, and one per list after a list cue. Rule-based, offline and
deterministic: the same text always gives the same draft. Pure: no I/O, no YAML (drafting.py
writes it).

The figures are those lexicon.FIGURE finds (300, 20.84%, 58万人, 1.2亿元, 百分之三十六), the bound
is the lexicon's wording around each (over, 超过, 以上, ...), and what is not a figure is left out
by the rules below (NOT_FIGURES), documented in docs/drafting.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from returnee_cli import lexicon
from returnee_cli.sentences import Sentence, split_sentences

LANGS = ("auto", "en", "zh")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")

# --- units: what the words after a figure say it counts -------------------------------------------

_PERCENT_AFTER = re.compile(r"\s*(?:[%％]|per\s?cent\b)", re.IGNORECASE)
_NOUNS = {
    "people": (
        "people persons respondents returnees students graduates entrepreneurs founders women men "
        "employees workers scholars talents participants members residents individuals "
        "researchers scientists professionals experts interviewees applicants"
    ).split(),
    "companies": "companies firms enterprises startups start-ups businesses".split(),
    "yuan": "yuan rmb renminbi cny".split(),
    "dollars": "dollars usd".split(),
}
_UNIT_OF_NOUN = {noun: unit for unit, nouns in _NOUNS.items() for noun in nouns}
_SCALES = ("thousand", "million", "billion", "trillion")
_CHINESE_UNITS = {"人": "people", "名": "people", "位": "people", "家": "companies"}
_CHINESE_UNITS.update({"元": "yuan", "美元": "dollars", "年": "years", "个": "items"})
_CHINESE_COUNTED = re.compile(r"(?:余|多)?(?:美元|[人名位家元])")
_CURRENCY_BEFORE = (
    (re.compile(r"(?:¥|￥|RMB|CNY)\s*$"), "yuan"),
    (re.compile(r"(?:US\$|\$|USD)\s*$"), "dollars"),
)

# --- what is not a figure -------------------------------------------------------------------------

_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
_MONTH = r"(?:" + "|".join(_MONTHS) + r")\.?"
_REFERENCE_WORDS = (
    r"(?:\b(?:no\.|nos\.|number|top|rank|ranked|ranking|section|chapter|figure|fig\.|table|page|"
    r"p\.|pp\.|article|phase|level|grade|version|item|point|step|round|session|issue|volume|"
    r"vol\.|room|tel|tel\.|phone|telephone|fax|call|hotline)|第|电话|热线|手机|传真)\s*[:：]?\s*$"
)
_PHONE = re.compile(
    r"\+\d{1,3}(?:[\s-]\(?\d{1,4}\)?){2,5}"
    r"|(?:\(\d{2,4}\)\s?|（\d{2,4}）|\d{2,4}-)\d{3,4}(?:[\s-]\d{3,5})?"
    r"|(?<!\d)1[3-9]\d{9}(?!\d)"
)
_DATE_SPANS = re.compile(
    r"\d{4}[-/.]\d{1,2}(?:[-/.]\d{1,2})?|\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}:\d{2}(?::\d{2})?"
)
# (rule, what it leaves out), for the docs and the tests.
NOT_FIGURES = (
    ("year", "a whole number from 1900 to 2099 with no unit after it: in 2024, 2024年"),
    ("date", "a day or month of a date: March 30, 30 March, 2025-03-30, 3月30日, and times 10:30"),
    ("decade", "a decade used as a name: post-80s, 80后, 90後"),
    ("ordinal", "an ordinal or a place in a ranking: 1st, No. 1, top 10, 第三, Section 2"),
    ("numbering", "list numbering: 1. at the start of a line, (2), 3、"),
    ("phone", "a phone number: +86 10 6512 3456, (010) 6512-3456, 400-810-5000, 13812345678"),
)

_CHANGE_VERBS = re.compile(
    r"\b(?:rose|rise|rising|grew|grow|growing|increased|increase|fell|fall|falling|declined|"
    r"dropped|climbed|jumped|went up|went down|up|down)\b[^.]*\bfrom\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Figure:
    """One figure of a sentence, as the drafting rules read it."""

    sentence: Sentence
    start: int  # where it is written in the sentence (its low end, for a range)
    end: int  # just after it (after its high end, for a range)
    value: Decimal
    value_text: str  # the value as the fact file should write it (19.50 keeps its 0)
    unit: str | None  # None: the text does not say; a person must
    qualifier: str
    words: str  # the words that bound it, as written ("over", "以上"; "" for exact)
    high: Decimal | None = None
    high_text: str | None = None

    @property
    def written(self) -> str:
        """The figure as the sentence writes it, with its bound: 'over 70%', '58万人'."""
        text = self.sentence.text
        start = self.start
        if self.words and text.rfind(self.words, 0, self.start) >= 0:
            start = min(start, text.rfind(self.words, 0, self.start))
        end = self.end
        after = _PERCENT_AFTER.match(text, end)
        if after:
            end = after.end()
        counted = _CHINESE_COUNTED.match(text, end)  # 58万人, 300余家, 1.2亿元
        if counted:
            end = counted.end()
        if self.words and text.startswith(self.words, end):
            end += len(self.words)
        return text[start:end]


@dataclass(frozen=True)
class ListFound:
    """A list the sentence gives after a cue ("such as", "include", 包括, a colon)."""

    sentence: Sentence
    start: int  # where the cue is
    items: tuple[str, ...]
    kind: str  # examples | complete


@dataclass(frozen=True)
class Drafted:
    """One proposed fact: a figure, a list, or a figure with the list that follows it."""

    sentence: Sentence
    figure: Figure | None
    items: ListFound | None


@dataclass
class Draft:
    """What a text states: the proposed facts in the text's order, and how many sentences it
    has."""

    facts: list[Drafted] = field(default_factory=list)
    sentences: int = 0
    lang: str = "en"


def detect_lang(text: str) -> str:
    """zh when Chinese characters outnumber Latin letters, else en."""
    return "zh" if len(_CJK.findall(text)) > len(_LATIN.findall(text)) else "en"


def draft_text(text: str, lang: str = "auto") -> Draft:
    """The facts `text` states, proposed."""
    lang = detect_lang(text) if lang == "auto" else lang
    sentences = split_sentences(text, chinese=lang == "zh" or bool(_CJK.search(text)))
    result = Draft(sentences=len(sentences), lang=lang)
    for sentence in sentences:
        result.facts.extend(draft_sentence(sentence))
    return result


def draft_sentence(sentence: Sentence) -> list[Drafted]:
    figures = figures_of(sentence)
    lists = lists_of(sentence)
    drafted = [Drafted(sentence, figure, None) for figure in figures]
    for found in lists:
        before = [i for i, d in enumerate(drafted) if d.figure and d.figure.end <= found.start]
        # a list right after a figure is what the figure's share does ("over 70% focus on
        # industries such as ..."): one fact; a list alone is a fact of its own
        if before and drafted[before[-1]].items is None:
            at = before[-1]
            drafted[at] = Drafted(sentence, drafted[at].figure, found)
        else:
            drafted.append(Drafted(sentence, None, found))
    return sorted(
        drafted, key=lambda d: d.figure.start if d.figure else (d.items.start if d.items else 0)
    )


def figures_of(sentence: Sentence) -> list[Figure]:
    """Every figure of the sentence, ranges joined, non-figures left out."""
    text = sentence.text
    kept = [m for m in re.finditer(lexicon.FIGURE, text) if not _not_a_figure(text, m)]
    figures: list[Figure] = []
    index = 0
    while index < len(kept):
        match = kept[index]
        following = kept[index + 1] if index + 1 < len(kept) else None
        if following is not None and _is_range(text, match, following):
            figures.append(_range(sentence, match, following))
            index += 2
            continue
        wording = lexicon.wording_at(text, match)
        figures.append(
            Figure(
                sentence,
                match.start(),
                match.end(),
                lexicon.figure_value(match.group()),
                _value_text(match.group()),
                _unit(text, match),
                wording.qualifier,
                wording.words,
            )
        )
        index += 1
    return figures


def _range(sentence: Sentence, low: re.Match[str], high: re.Match[str]) -> Figure:
    text = sentence.text
    unit = _unit(text, high) or _unit(text, low)
    return Figure(
        sentence,
        low.start(),
        high.end(),
        lexicon.figure_value(low.group()),
        _value_text(low.group()),
        unit,
        lexicon.RANGE,
        "",
        lexicon.figure_value(high.group()),
        _value_text(high.group()),
    )


def _is_range(text: str, low: re.Match[str], high: re.Match[str]) -> bool:
    between = text[low.end() : high.start()]
    if not lexicon.joins_a_range(between):
        return False
    joiner = between.strip(" %％").casefold()
    before = text[: low.start()]
    if joiner in ("and", "和", "与"):  # "between 20% and 30%", "在20%和30%之间"; not "36% and 52%"
        after = text[high.end() : high.end() + 6]
        return bool(re.search(r"\bbetween\s+$", before, re.IGNORECASE)) or "之间" in after
    return not _CHANGE_VERBS.search(before)  # "rose from 20% to 30%" is a change, not a range


def _value_text(written: str) -> str:
    """How the fact file writes the value: as the text does (19.50 keeps its precision), without
    thousands commas; a figure in 万 or 亿, or in Chinese numerals, as the plain number."""
    if written[-1] in "万亿" or written.startswith("百分之"):
        value = lexicon.figure_value(written)
        return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"
    return written.replace(",", "")


def _unit(text: str, match: re.Match[str]) -> str | None:
    """percent, people, companies, yuan, ... as the words around the figure say; None when they
    do not."""
    written = match.group()
    if written.startswith("百分之") or _PERCENT_AFTER.match(text, match.end()):
        return "percent"
    before = text[: match.start()]
    for pattern, unit in _CURRENCY_BEFORE:
        if pattern.search(before):
            return unit
    after = text[match.end() :]
    chinese = re.match(r"\s*(?:余|多)?\s*(美元|[人名位家元年个])", after)
    if chinese:
        return _CHINESE_UNITS[chinese.group(1)]
    words = re.findall(r"[A-Za-z][A-Za-z’'-]*", after[:80])[:4]
    scale = ""
    if words and words[0].casefold() in _SCALES:
        scale = words.pop(0).casefold() + "-"
    for word in words[:3]:
        noun = _UNIT_OF_NOUN.get(word.casefold())
        if noun is not None:
            return scale + noun
    if scale:
        return scale.rstrip("-")
    if words and re.fullmatch(r"[a-z]+s", words[0]) and words[0] not in ("is", "was", "has"):
        return str(words[0])  # "300 projects": the noun the text counts in
    return None


def _not_a_figure(text: str, match: re.Match[str]) -> bool:
    """Years, dates, decades as names, ordinals, list numbering, phone numbers (NOT_FIGURES)."""
    written = match.group()
    start, end = match.start(), match.end()
    before, after = text[:start], text[end:]
    if written.startswith("百分之"):
        return False
    if any(span.start() <= start < span.end() for span in _PHONE.finditer(text)):
        return _digits(text, start) >= 7
    if any(span.start() <= start < span.end() for span in _DATE_SPANS.finditer(text)):
        return True
    if re.match(r"[后後]", after):  # 80后: the generation born in the 1980s
        return True
    if re.search(r"post-\s*$", before, re.IGNORECASE):
        return True
    if re.search(_REFERENCE_WORDS, before, re.IGNORECASE):
        return True
    if not before.strip() and re.match(r"\s*[.)）、．]", after):  # "1. Talent"
        return True
    if re.search(r"[(（]\s*$", before) and re.match(r"\s*[)）]", after) and "." not in written:
        return not _PERCENT_AFTER.match(after)  # "(2)": numbering; "(36%)" is a figure
    if re.match(r"\s*(?:月|日|号)", after) or re.match(r"\s*年\s*\d{1,2}\s*月", after):
        return True
    if re.search(rf"\b{_MONTH}\s*$", before, re.IGNORECASE) or re.match(
        rf"\s*{_MONTH}\b", after, re.IGNORECASE
    ):
        return "." not in written and written.isdigit() and int(written) <= 31 or _is_year(written)
    if _is_year(written):
        unit = _unit(text, match)
        return unit in (None, "years") or re.match(r"\s*年", after) is not None
    return False


def _is_year(written: str) -> bool:
    return written.isdigit() and len(written) == 4 and 1900 <= int(written) <= 2099


def _digits(text: str, start: int) -> int:
    """The digits of the phone-number-like run that starts at `start`."""
    span = next(s for s in _PHONE.finditer(text) if s.start() <= start < s.end())
    return sum(c.isdigit() for c in span.group())


# --- lists ----------------------------------------------------------------------------------------

_COMPLETE_CUES = re.compile(
    r"\b(?:top|main|major|key|leading|primary|principal)\s+(?:[\w’'-]+\s+){0,5}?"
    r"(?:are|were)\b|[:：]|主要有|分别是|分别为|依次是|依次为",
    re.IGNORECASE,
)


def _example_cues() -> re.Pattern[str]:
    cues = sorted(lexicon.EXAMPLE_CUES, key=len, reverse=True)
    return re.compile(
        "|".join((r"\b" + re.escape(c) + r"\b" if c.isascii() else re.escape(c)) for c in cues),
        re.IGNORECASE,
    )


def lists_of(sentence: Sentence) -> list[ListFound]:
    """The lists a sentence gives after a cue, in its order: examples after “such as”,
    “include”, “like”, 包括, 例如 (or ending in 等); complete after “the top factors are”, a
    colon, 主要有, 分别是."""
    text = sentence.text
    cues: list[tuple[int, int, str]] = [
        (m.start(), m.end(), "examples") for m in _example_cues().finditer(text)
    ]
    cues += [(m.start(), m.end(), "complete") for m in _COMPLETE_CUES.finditer(text)]
    found: list[ListFound] = []
    taken = 0
    for start, end, kind in sorted(cues):
        if start < taken:
            continue
        items, stop, examples = _items(text, end)
        if len(items) >= 2:
            found.append(ListFound(sentence, start, tuple(items), "examples" if examples else kind))
            taken = stop
    return found


_CHINESE_LAST = re.compile(r"以及|及|和|与|或")


def _items(text: str, at: int) -> tuple[list[str], int, bool]:
    """The items of the list that starts at `at`, where it stops, and whether it ends in 等 (and
    the like: examples)."""
    rest = text[at:]
    lead = len(rest) - len(rest.lstrip(" :：,，"))
    rest = rest[lead:]
    if "、" in rest.split("，")[0].split("。")[0]:  # a Chinese list: A、B和C(等)
        body = re.split(r"[，。；！？,;]", rest)[0]
        examples = False
        cut = body.find("等")
        if cut > 0:
            body, examples = body[:cut], True
        parts = [p.strip() for p in body.split("、")]
        last = _CHINESE_LAST.split(parts[-1], maxsplit=1)
        listed = [*parts[:-1], *last]
        return [i for i in listed if i], at + lead + len(body), examples
    body = re.split(r"[.;!?](?:\s|$)|[.;!?]$", rest)[0]
    items: list[str] = []
    consumed = 0
    for part in re.split(r",(?!\d)", body):  # not the comma of 1,250
        consumed += len(part) + 1
        piece = part.strip()
        closing = re.match(r"(?:(?:and|or)\s+)(.*)$", piece)
        if closing:
            items.append(closing.group(1).strip())
            break
        joined = re.split(r"\s+(?:and|or)\s+", piece, maxsplit=1)
        items.extend(p.strip() for p in joined)
        if len(joined) > 1:
            break
    items = [re.sub(r",?\s*(?:etc\.?|and so on)$", "", i).strip() for i in items]
    if any(not i or len(i.split()) > 8 for i in items):
        return [], at, False
    return items, at + lead + consumed, False


def text_of(figures: Sequence[Figure]) -> list[str]:
    """The figures as written, for messages and tests."""
    return [figure.written for figure in figures]


# --- the fact file: the draft as YAML in the fact format (docs/fact-format.md) --------------------


def fact_records(draft: Draft, source: str, city: str | None) -> list[dict[str, object]]:
    """One fact-file record per proposed fact, in the text's order, with the placeholders a
    person must fill in. `city`: its slug; None: a placeholder; "": none (nationwide)."""
    from returnee_cli.placeholders import placeholder

    records: list[dict[str, object]] = []
    for number, drafted in enumerate(draft.facts, start=1):
        fact_id = f"{source}-{number}"
        figure, found = drafted.figure, drafted.items
        what = (
            f"“{figure.written}”" if figure else f"the list “{found.items[0]}, …”" if found else ""
        )
        record: dict[str, object] = {"id": fact_id}
        if city != "":  # "": a nationwide fact, which names no city
            record["city"] = city or placeholder(
                "the city slug (returnees cities), or remove this line for a nationwide fact"
            )
        record["topic"] = placeholder("a topic slug, e.g. sectors")
        record["label"] = placeholder(f"a short label for {what} ({fact_id})")
        if figure is not None:
            record["value"] = Written(figure.value_text)
            record["unit"] = figure.unit or placeholder(
                f"what {what} counts: people, companies, ..."
            )
            record["qualifier"] = figure.qualifier
            if figure.high_text is not None:
                record["high"] = Written(figure.high_text)
            if figure.unit == "percent":
                record["population"] = placeholder(f"whom {what} is a share of")
        if found is not None:
            record["items"] = list(found.items)
            record["list_kind"] = found.kind
        record["source"] = source
        record["reported_in"] = source
        record["quote"] = drafted.sentence.text
        records.append(record)
    return records


def source_record(source: str, text_name: str) -> dict[str, object]:
    """The source record skeleton of a drafted pack: its id, the stored text beside it, and what
    a person must fill in."""
    from returnee_cli.placeholders import placeholder

    return {
        "id": source,
        "title": placeholder("the document's title"),
        "publisher": placeholder("who published it"),
        "date": placeholder("its date, YYYY-MM-DD"),
        "kind": placeholder("primary (the study itself) or secondary (a report of it)"),
        "text": text_name,
    }


class Written(str):
    """A number as the text writes it (19.50), kept so in the YAML (a float would be 19.5)."""


def to_yaml(document: dict[str, list[dict[str, object]]], header: Sequence[str] = ()) -> str:
    """A fact-file document as YAML, as the shipped files are written: each list of records under
    its key, records apart by a blank line, quotes verbatim. Each record is dumped on its own by
    libyaml's emitter where PyYAML has it (the pure-Python one takes seconds on a long report).
    Not formats.yaml_dumper, which is pure-Python: this one also writes every character that
    could drive a terminal (NEL and U+2028/9 among them) as its escape in double quotes, and a
    number as the text wrote it (Written)."""
    import yaml

    from returnee_cli.untrusted import neutralise

    try:
        base: type[yaml.SafeDumper] = yaml.CSafeDumper  # type: ignore[assignment]
    except AttributeError:  # pragma: no cover - PyYAML built without libyaml
        base = yaml.SafeDumper

    class Dumper(base):  # type: ignore[valid-type,misc]
        pass

    def number(dumper: yaml.SafeDumper, data: Written) -> yaml.Node:
        tag = "tag:yaml.org,2002:" + ("float" if "." in data else "int")
        return dumper.represent_scalar(tag, str(data))

    def plain(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
        # a character that could drive a terminal: double-quoted, so that its escape (below)
        # reads back as the character itself and the quote stays verbatim
        style = '"' if neutralise(data, lines=True) != data else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    Dumper.add_representer(Written, number)
    Dumper.add_representer(str, plain)
    lines = [f"# {line}" if line else "#" for line in header]
    for key, records in document.items():
        lines.append(f"{key}:")
        for number_of, record in enumerate(records):
            text = yaml.dump(
                record,
                Dumper=Dumper,
                allow_unicode=True,
                sort_keys=False,
                width=96,
                default_flow_style=False,
            )
            if number_of:
                lines.append("")
            body = text.rstrip("\n").split("\n")
            lines.append("  - " + body[0])
            lines.extend("    " + line if line else "" for line in body[1:])
    # \x1b, \u202e, ...: YAML's own escapes in a double-quoted scalar, so no terminal is driven
    return neutralise("\n".join(lines), lines=True) + "\n"
