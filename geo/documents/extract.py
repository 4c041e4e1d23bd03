"""
Propose the reported figures of a document: one row per figure, for a planner to review.

:func:`extract_figures` reads every quantity of a :class:`~geo.documents.read.Document`
(:mod:`geo.documents.quantities`) and proposes, for each, what it counts (``metric``, from the
words around it, :mod:`geo.documents.cues`; ``other`` when nothing fits), where
(``place``/``adcode``/``level`` through :mod:`geo.gazetteer`: a district named before it in its
sentence, else in its section heading, else the document's district or city), when
(``period_start``/``period_end``) and whether planned, under way, done or a standing stock
(``status``), with the line (and page) it came from, its exact wording (``as_written``), a
``confidence`` and the basis of each decision in words. Nothing is forced: a figure whose noun
names no metric (路灯, 街道, 党员) is ``other`` with confidence at most 0.2; a community's
own figure (幸福小区 36 户) has level ``community``; an approximate figure keeps its qualifier.

Lines are read as paragraphs: a line that breaks off mid-sentence (a PDF's wrapped line, a
page break in a text file) continues on the next, so a sentence's cues and period reach its
figures on either line. In a paragraph, a figure with no noun of its own (其中，卫滨区 27 个)
takes the metric of the last figure in the same unit, and a sentence with no period takes the
paragraph's last one. A .docx table row reads each number with its column header as the cue.

The review of the proposals (:mod:`geo.documents.review`) and their score against curated
figures (:mod:`geo.documents.score`) are modules of their own.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from pathlib import Path
from typing import TypedDict

import pandas as pd

from geo import _worker, gazetteer
from geo.documents import cues
from geo.documents.quantities import Folded, Quantity, find_quantities, fold_text, format_decimal
from geo.documents.read import Document, Line, read_document
from geo.errors import InputError, UnknownPlaceError

__all__ = [
    "MAX_FIGURES",
    "MAX_PARAGRAPH_CHARS",
    "PROPOSAL_COLUMNS",
    "READ_CPU_SECONDS",
    "READ_MEMORY",
    "READ_SECONDS",
    "DocumentInfo",
    "Extraction",
    "Place",
    "document_info",
    "extract_figures",
    "propose_figures",
]

#: Columns of :attr:`Extraction.figures`, the review table, in order.
PROPOSAL_COLUMNS = [
    "figure_key", "doc_sha256", "doc_name", "line", "page", "page_line", "start", "end",
    "as_written", "value", "value_max", "unit", "unit_word", "qualifier", "metric",
    "metric_basis", "province", "city", "place", "adcode", "level", "place_basis",
    "period_start", "period_end", "period_label", "status", "status_basis", "role",
    "confidence", "context",
]  # fmt: skip
# Levels a proposal may have: those of geo.figures.LEVELS, plus a community (one compound's
# figure) and a province (全省), which are never mapped as a district's figure.
_MAPPED_LEVELS = ("district", "zone", "city", "urban_area")
_SENTENCE_END = re.compile(r"[。；;！？!?]")
_CLAUSE_END = re.compile(r"[，,。；;：:！？!?、（）()]")
_TERMINAL = tuple("。！？；：!?;:")
_HEADING = re.compile(
    r"^\s*(?P<md>#{1,6}\s*)?(?:\*\*)?(?P<marker>[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]"
    r"|\d{1,2}[.、．](?!\d)|第[一二三四五六七八九十\d]+[章节部分])?"
)
_CITY_WORDS = ("全市", "我市", "本市", "市本级")
_URBAN_WORDS = ("主城区", "中心城区", "市区")
_OWN_DISTRICT_WORDS = ("全辖区", "全区", "辖区", "本区", "我区", "全县", "我县", "本县")
_PROVINCE_WORDS = ("全省", "我省")
_COMMUNITY_SUFFIX = re.compile(r"小区|家属院|家属楼|花园|苑|公寓|新村|宿舍|大院")
_NOT_A_NAME = re.compile(
    r"老旧|城镇|住宅|改造|相邻|该|本|各|每|所有|全部|周边|旧改|示范|样板|完整|美丽|绿色|重点|支持"
    r"|建成|共有|新建|进|老|旧|个|等|其他|全市|全区|辖区|一批|范围内|涉及|居民|部分|多个|试点"
)
_LEADING_WORDS = re.compile(r"^(?:其中|包括|例如|比如|如|位于|对|在|将|的|和|及|与)+")
_DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,14}[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*\d+\s*号"
)
_DATE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
_DATE_LINE = re.compile(r"^\s*" + _DATE.pattern)
_PLAN_TITLE = re.compile(r"实施方案|工作方案|行动方案|计划|规划")
_HEADER_LINES = 15
#: Most figures proposed from one document; a report has tens to a few hundred, and each
#: costs its sentence's length to read.
MAX_FIGURES = 5_000
#: A paragraph is read in pieces of about this many characters (each figure reads its
#: sentence; an endless sentence of n figures cost n times its length).
MAX_PARAGRAPH_CHARS = 4_000
#: Processor seconds a document may take to read and propose, in its own process
#: (:func:`propose_figures`): the worst PDF within the caps takes about 25, the worst .docx
#: and text 4-6.
READ_CPU_SECONDS = 120
#: Wall-clock seconds it may take, on a machine busy with other work.
READ_SECONDS = 300
#: Memory that process may add to what it starts with, in bytes (the worst file within the
#: caps peaks at about 470 MB in all).
READ_MEMORY = 1536 * 2**20


class Place(TypedDict):
    """Where a figure is: the place as named, its adcode (None when unknown), its level."""

    place: str
    adcode: str | None
    level: str


class DocumentInfo(TypedDict):
    """What a document says about itself (:func:`document_info`); None where it says nothing."""

    city: str | None
    city_adcode: str | None
    province: str | None
    district: Place | None
    year: int | None
    doc_number: str
    doc_date: str
    issuer: str
    title: str
    status: str
    period: cues.Period | None


@dataclasses.dataclass
class Extraction:
    """The proposals for one document: ``figures`` (the review table) and ``info``."""

    document: Document
    info: DocumentInfo
    figures: pd.DataFrame

    def summary(self) -> dict[str, object]:
        """One line of counts: lines, figures, figures in a metric, ``other``, by metric."""
        known = self.figures[self.figures["metric"] != "other"]
        return {
            "document": self.document.name,
            "sha256": self.document.sha256,
            "lines": len(self.document.lines),
            "figures": len(self.figures),
            "in_a_metric": len(known),
            "other": len(self.figures) - len(known),
            "by_metric": {str(k): int(v) for k, v in known["metric"].value_counts().items()},
            "city": self.info.get("city"),
            "year": self.info.get("year"),
        }


# --- the document as a whole ----------------------------------------------------------------


def document_info(
    document: Document,
    *,
    city: str | None = None,
    district: str | None = None,
    year: int | None = None,
) -> DocumentInfo:
    """
    What the document says about itself: city, district, year, number, issuer, date, title.

    Read from its first lines (the issuing body's banner, the document number, the title) and
    its closing date; ``city``, ``district`` and ``year`` override what is read. The year is
    the closing date's, else the document number's (〔2023〕), else None. ``status`` is
    ``plan`` for an implementation plan (实施方案, 计划), else ``completed``, and ``period``
    the first period in the title (a :class:`geo.documents.cues.Period` or None): the defaults for a
    figure no word qualifies. Raises :class:`~geo.errors.UnknownPlaceError` for an
    unknown ``city`` or ``district``.
    """
    header = _header(document)
    number = next((m.group() for t in header if (m := _DOC_NUMBER.search(t))), "")
    date = _closing_date(document, header)
    found_city = gazetteer.resolve_city(city) if city else _document_city(document, header)
    place = None
    if found_city is not None:
        place = _given_district(district, found_city) if district else None
        place = place or _issuer_district(header, found_city["city"])
    if year is None:
        year = int(date[:4]) if date else _number_year(number)
    title = next(
        (t for t in header if re.search(r"关于|答复|通知|方案|通报|报告|意见|简报", t)), ""
    )
    periods = cues.find_periods(fold_text(title or (header[0] if header else "")).text, year=year)
    return {
        "city": found_city["city"] if found_city else None,
        "city_adcode": found_city["adcode"] if found_city else None,
        "province": found_city["province"] if found_city else None,
        "district": place,
        "year": year,
        "doc_number": re.sub(r"\s+", "", number),
        "doc_date": date,
        "issuer": _issuer(header),
        "title": re.sub(r"^[#\s*]+|\s+", "", title),
        "status": "plan" if _PLAN_TITLE.search(title or " ".join(header[:6])) else "completed",
        "period": periods[0] if periods else None,
    }


def _header(document: Document) -> list[str]:
    """The banner, number and title: non-empty lines before the first body paragraph."""
    header: list[str] = []
    for line in document.lines:
        if len(line.text.strip()) > 60 or len(header) == _HEADER_LINES:
            break
        if line.text.strip():
            header.append(line.text)
    return header


def _closing_date(document: Document, header: list[str]) -> str:
    """
    The document's date as an ISO date, or "".

    The last short line that starts with a date (the signature's 印发 date), else a date in a
    banner line (…建设局　2023年12月8日).
    """
    lines = [line.text.strip() for line in reversed(document.lines)]
    found = next((m for t in lines if len(t) <= 30 and (m := _DATE_LINE.match(t))), None)
    if found is None:
        found = next((m for t in header if len(t) <= 40 and (m := _DATE.search(t))), None)
    if found is None:
        return ""
    return f"{found['y']}-{int(found['m']):02d}-{int(found['d']):02d}"


def _number_year(number: str) -> int | None:
    match = re.search(r"(?:19|20)\d{2}", number)
    return int(match.group()) if match else None


@functools.lru_cache(maxsize=1)
def _city_pattern() -> tuple[re.Pattern[str], dict[str, dict[str, str]]]:
    cities = gazetteer.list_cities()
    names = {row.city: row._asdict() for row in cities.itertuples(index=False)}
    pattern = re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True)))
    return pattern, names


def _document_city(document: Document, header: list[str]) -> dict[str, str] | None:
    """The first city named in full in the banner and title, else the one named most."""
    pattern, names = _city_pattern()
    for text in header:
        if match := pattern.search(text):
            return names[match.group()]
    counts = pd.Series([m.group() for line in document.lines for m in pattern.finditer(line.text)])
    if counts.empty:
        return None
    return names[counts.value_counts().index[0]]


def _given_district(name: str, city: dict[str, str]) -> Place:
    found = gazetteer.resolve_district(name, city=city["city"])
    if found.adcode is None or found.name is None:  # both are None, or neither
        raise UnknownPlaceError("district", name, [c["name"] for c in found.candidates])
    level = "zone" if found.status == "zone" else "district"
    return {"place": found.name, "adcode": found.adcode, "level": level}


def _issuer_district(header: list[str], city: str) -> Place | None:
    """The district of a district government's banner (开封市顺河回族区人民政府文件)."""
    places = _place_names(city)
    for text in header:
        folded = fold_text(text).text.strip(" #*")
        match = places.pattern.match(folded.removeprefix(city))
        rest = folded.removeprefix(city)[match.end() :] if match else ""
        if match and re.match(r"(?:人民政府|政府|住房|委员会|办公室|[\u4e00-\u9fff]{0,8}局)", rest):
            entry = places.names[match.group()]
            if entry["level"] in ("district", "zone"):
                return Place(place=entry["place"], adcode=entry["adcode"], level=entry["level"])
    return None


def _issuer(header: list[str]) -> str:
    banner = next((t.strip() for t in header if t.strip().endswith("文件")), "")
    return re.sub(r"^[#\s*]+|\s+|文件$", "", banner)


# --- places ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Places:
    """Every way a document may name a place of one city: districts, zones, the city itself."""

    pattern: re.Pattern[str]
    names: dict[str, Place]


@functools.lru_cache(maxsize=64)
def _place_names(city: str) -> _Places:
    """Districts (full and short names), zones and the city of ``city``, resolved once."""
    from geo.boundaries import read_admin_index

    index = read_admin_index()
    districts = index[(index["level"] == "district") & (index["city"] == city)]
    zones = gazetteer.list_zones()
    zones = zones[zones["city"] == city]
    written = set(districts["district"])
    for name in districts["district"]:
        written |= _short_forms(name)
    for aliases in [*zones["name"], *zones["aliases"]]:
        written |= {a for a in aliases.split(";") if a}
    names: dict[str, Place] = {}
    for text in written:
        found = gazetteer.resolve_district(text, city=city)
        # A resolution with an adcode has its name too (gazetteer.Resolution).
        if found.adcode and found.name and found.status in ("ok", "historical", "zone"):
            level = "zone" if found.status == "zone" else "district"
            names[text] = {"place": found.name, "adcode": found.adcode, "level": level}
    city_row = gazetteer.resolve_city(city)
    names[city] = {"place": city, "adcode": city_row["adcode"], "level": "city"}
    pattern = re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True)))
    return _Places(pattern, names)


def _short_forms(name: str) -> set[str]:
    """顺河回族区 → 顺河区; 辉县市 → 辉县; 长垣市 → 长垣县 (names documents also use)."""
    forms = set()
    ethnic = re.sub(r"(?:[\u4e00-\u9fff]{1,3}族)+(?:自治)?(区|县|旗)$", r"\1", name)
    if ethnic != name and len(ethnic) >= 3:
        forms.add(ethnic)
    if name.endswith("市") and len(name) >= 3:
        stem = name[:-1]
        forms.add(stem if stem.endswith("县") else stem + "县")
    return forms


@dataclasses.dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    place: str
    adcode: str | None
    level: str
    clause_only: bool = False


def _mentions(text: str, info: DocumentInfo) -> list[_Mention]:
    """Every place named in folded ``text``: districts, zones, the city, 全市, 主城区, 全区."""
    found: list[_Mention] = []
    city, city_code = info.get("city"), info.get("city_adcode")
    if city:
        places = _place_names(str(city))
        for match in places.pattern.finditer(text):
            entry = places.names[match.group()]
            found.append(
                _Mention(
                    match.start(), match.end(), entry["place"], entry["adcode"], entry["level"]
                )
            )
    own: Place | dict[str, str] = info.get("district") or {}
    generic = [
        *((w, w, city_code, "city") for w in _CITY_WORDS),
        *((w, w, city_code, "urban_area") for w in _URBAN_WORDS),
        *(
            (w, own.get("place", w), own.get("adcode"), own.get("level", "district"))
            for w in _OWN_DISTRICT_WORDS
        ),
    ]
    for word, place, code, level in generic:
        for match in re.finditer(re.escape(word), text):
            found.append(_Mention(match.start(), match.end(), place, code, level))
    for word in _PROVINCE_WORDS:
        for match in re.finditer(word, text):
            found.append(_Mention(match.start(), match.end(), word, None, "province", True))
    # Overlaps (全市 inside 全市区): the longest mention at a place wins.
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[_Mention] = []
    for mention in found:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


# --- lines into paragraphs ------------------------------------------------------------------


@dataclasses.dataclass
class _Block:
    """A paragraph: one or more lines that continue each other, folded and joined."""

    lines: list[Line]
    folded: list[Folded]
    offsets: list[int]
    headings: dict[int, str]

    @functools.cached_property
    def text(self) -> str:
        """The folded lines joined (read once the paragraph is complete)."""
        return "".join(f.text for f in self.folded)

    def locate(self, at: int) -> int:
        """Index of the line holding folded position ``at``."""
        return max(bisect.bisect_right(self.offsets, at) - 1, 0)

    def quote(self, start: int, end: int) -> tuple[str, int, int]:
        """Original text of ``[start, end)``, with its offsets in the first line."""
        first, last = self.locate(start), self.locate(max(end - 1, start))
        parts = []
        for i in range(first, last + 1):
            a = max(start, self.offsets[i]) - self.offsets[i]
            b = min(end, self.offsets[i] + len(self.folded[i].text)) - self.offsets[i]
            parts.append(self.folded[i].quote(a, b))
        a, b = self.folded[first].span(
            start - self.offsets[first],
            min(end, self.offsets[first] + len(self.folded[first].text)) - self.offsets[first],
        )
        return "".join(parts), a, b


def _heading_level(text: str) -> int | None:
    """0 for a markdown title, 1 for 一、, 2 for （一）, 3 for 1., None for body text."""
    match = _HEADING.match(text)
    if match is None or not (match["md"] or match["marker"]):
        return None
    marker = match["marker"] or ""
    if not marker:
        return 0
    if marker.endswith("、") and not marker[0].isdigit():
        return 1
    return 2 if marker.startswith(("（", "(")) else 3


def _heading_title(text: str) -> str:
    return re.sub(r"^[#\s*]+", "", text).split("。")[0].strip("* ")[:40]


def _continues(text: str, level: int | None) -> bool:
    """Whether a line breaks off mid-sentence and goes on in the next line."""
    stripped = text.rstrip()
    if not stripped:
        return False
    if stripped.endswith(("，", ",", "、")):
        return True
    is_title = level is not None and "。" not in stripped
    return not stripped.endswith(_TERMINAL) and not is_title and len(stripped) >= 20


def _blocks(document: Document) -> list[_Block]:
    """
    Paragraphs of the document's text lines; table rows are read on their own.

    A paragraph ends after :data:`MAX_PARAGRAPH_CHARS`, even mid-sentence: each figure reads
    its sentence, so a paragraph of n figures in one endless sentence cost n times its length.
    """
    blocks: list[_Block] = []
    headings: dict[int, str] = {}
    current: _Block | None = None
    size = 0
    for line in document.lines:
        if line.cells or not line.text.strip():
            if line.cells:
                current = None
            continue
        level = _heading_level(line.text)
        if current is None:
            if level is not None:
                headings = {k: v for k, v in headings.items() if k < level}
                headings[level] = _heading_title(line.text)
            current = _Block([], [], [], dict(headings))
            blocks.append(current)
            size = 0
        folded = fold_text(line.text)
        current.offsets.append(size)
        current.lines.append(line)
        current.folded.append(folded)
        size += len(folded.text)
        if not _continues(line.text, level) or size >= MAX_PARAGRAPH_CHARS:
            current = None
    return blocks


# --- one figure -----------------------------------------------------------------------------


@dataclasses.dataclass
class _Memory:
    """What a paragraph said so far: the metric of each unit, and the last period."""

    metrics: dict[str, tuple[str, str]] = dataclasses.field(default_factory=dict)
    period: cues.Period | None = None


def _masked(text: str, mentions: list[_Mention]) -> str:
    """``text`` with place names blanked, so 原阳县 is not taken for the noun 县."""
    chars = list(text)
    for mention in mentions:
        chars[mention.start : mention.end] = "　" * (mention.end - mention.start)
    return "".join(chars)


@functools.lru_cache(maxsize=4)
def _marks(text: str, pattern: re.Pattern[str]) -> list[int]:
    """
    Offsets of the one-character marks ``pattern`` finds (sentence or clause ends).

    Found once per paragraph; each figure then finds its sentence by binary search instead
    of reading the paragraph again from its start.
    """
    return [m.start() for m in pattern.finditer(text)]


def _bounds(text: str, at: int, pattern: re.Pattern[str]) -> tuple[int, int]:
    """Start (after the last mark before ``at``) and end (the next mark) of ``at``'s span."""
    marks = _marks(text, pattern)
    i = bisect.bisect_left(marks, at)
    return (marks[i - 1] + 1 if i else 0), (marks[i] if i < len(marks) else len(text))


def _sentence_bounds(text: str, at: int) -> tuple[int, int]:
    return _bounds(text, at, _SENTENCE_END)


def _clause_start(text: str, at: int) -> int:
    return _bounds(text, at, _CLAUSE_END)[0]


def _after_clause(text: str, at: int) -> str:
    return text[at : _bounds(text, at, _CLAUSE_END)[1]]


def _place_of(
    text: str,
    q: Quantity,
    starts: tuple[int, int],
    mentions: list[_Mention],
    block: _Block,
    info: DocumentInfo,
) -> tuple[Place, str]:
    """
    The place a figure belongs to and the basis: in its sentence, heading, or document.

    ``starts`` are where its sentence starts and where the figure before it does (-1: none).
    """
    sentence_start, previous_start = starts
    clause = _clause_start(text, q.number_start)
    # A share's denominator (占全市老旧小区总量的 16.4%) names no place of the figure.
    until = q.number_start
    if q.unit == "percent" and (share := text.rfind("占", clause, q.number_start)) >= 0:
        until = share
    named = [
        m
        for m in mentions
        if sentence_start <= m.start and m.end <= until and (not m.clause_only or m.start >= clause)
    ]
    place: Place
    if named:
        place = {"place": named[-1].place, "adcode": named[-1].adcode, "level": named[-1].level}
        basis = "named in the sentence"
    elif heading := _heading_place(block, info):
        place, basis = heading, "named in the heading"
    elif district := info.get("district"):
        place, basis = district.copy(), "the issuing district"
    elif city := info.get("city"):
        place = {"place": city, "adcode": info["city_adcode"], "level": "city"}
        basis = "the document's city"
    else:
        place, basis = {"place": "", "adcode": None, "level": ""}, "no place found"
    after_place = named[-1].end if named else sentence_start
    compound = _compound(text, max(after_place, sentence_start), q, previous_start)
    if compound:
        place = {**place, "place": compound, "level": "community"}
        basis = f"one community's figure ({compound}), in {place['adcode'] or 'no district'}"
    return place, basis


def _heading_place(block: _Block, info: DocumentInfo) -> Place | None:
    for level in sorted(block.headings, reverse=True):
        folded = fold_text(block.headings[level]).text
        for m in _mentions(folded, info):
            if m.level in ("district", "zone"):
                return {"place": m.place, "adcode": m.adcode, "level": m.level}
    return None


def _compound(text: str, start: int, q: Quantity, previous_start: int) -> str | None:
    """
    The community a figure is about (幸福小区改造后，36户居民…), or None for an aggregate.

    The last community name between the last place named (``start``) and the figure counts,
    unless a figure stands between them (the one before starts at ``previous_start``), the
    name is generic (老旧小区, 新建小区) or quoted, or the figure sums a list (幸福小区等 3 个).
    """
    before = text[start : q.start]
    if "等" in before[-4:] or previous_start >= start:
        return None
    suffix, opened, closed, read = None, 0, 0, 0
    # Quotes counted as the names are met, not again from the start for each name.
    for m in _COMMUNITY_SUFFIX.finditer(before):
        opened += before.count("“", read, m.start())
        closed += before.count("”", read, m.start())
        read = m.start()
        if opened <= closed:
            suffix = m
    if suffix is None:
        return None
    name = re.findall(r"[\u4e00-\u9fff]{1,8}$", before[max(suffix.start() - 8, 0) : suffix.start()])
    stem = _LEADING_WORDS.sub("", name[0].split("的")[-1]) if name else ""
    if len(stem) < 2 or _NOT_A_NAME.search(stem):
        return None
    return stem + suffix.group()


def _period_of(
    text: str,
    q: Quantity,
    sentence_start: int,
    status: str,
    memory: _Memory,
    block: _Block,
    info: DocumentInfo,
) -> tuple[int | None, int | None, str]:
    """
    Years of a figure.

    The nearest period before it in its sentence, else the paragraph's last, the headings',
    the title's; else the document's year (work done: an open start).
    """
    year = info.get("year")
    own = cues.find_periods(text[sentence_start : q.start], year=year)
    period = own[-1] if own else memory.period
    for level in sorted(block.headings, reverse=True):
        if period is None:
            found = cues.find_periods(fold_text(block.headings[level]).text, year=year)
            period = found[-1] if found else None
    period = period or info.get("period")
    if period is not None:
        first, last = period.first, period.last
        if status == "stock" and period.kind == "since":
            first = last
        return first, last, period.label
    if status == "completed":
        return None, year, ""
    return year, year, ""


def _confidence(where: str, inherited: bool, place_basis: str, metric: str) -> float:
    score = {"after": 0.9, "before": 0.85, "rate": 0.9, "share": 0.85}.get(where, 0.5)
    if inherited:
        score = 0.6
    if "community" in place_basis:
        score *= 0.6
    elif place_basis == "no place found":
        score *= 0.7
    elif place_basis != "named in the sentence":
        score *= 0.95
    if metric == "other":
        score = min(score, 0.2)
    return round(score, 2)


_DEFAULT_METRIC = {"户": "households", "栋": "buildings", "幢": "buildings"}
_LIST_GAP = re.compile(r"^[\s　]*[、和及与][\s　]*$")


def _metric(
    q: Quantity, window: str, before: str, after: str, sentence: str, status: str, memory: _Memory
) -> tuple[str, str, str, bool]:
    """(metric, basis, where, inherited) for one quantity."""
    metric, word, where = cues.metric_of(q, window, after, before, sentence, status=status)
    if metric is not None:
        if metric != "other":
            memory.metrics[q.unit_word] = (metric, word)
        return metric, f"{where}: {word}" if word else where, where, False
    if q.unit_word in memory.metrics:
        metric, word = memory.metrics[q.unit_word]
        metric = cues.refine(metric, word, q, before, sentence, status)
        return metric, f"same as the paragraph's last {q.unit_word} ({word})", "memory", True
    if q.unit_word in _DEFAULT_METRIC:
        return _DEFAULT_METRIC[q.unit_word], f"unit {q.unit_word}", "unit", False
    return "other", "no noun names it", "", False


def _proposal(
    block: _Block,
    q: Quantity,
    where: tuple[int, int],
    places: tuple[list[_Mention], str],
    memory: _Memory,
    info: DocumentInfo,
    document: Document,
) -> dict:
    """
    One figure of a paragraph.

    ``where`` is (where the noun naming it may start, see cues.metric_of; where the figure
    before it starts, -1 for none); ``places`` the paragraph's mentions and its text with
    them blanked (:func:`_masked`), both read once per paragraph.
    """
    text = block.text
    (window, previous_start), (mentions, masked) = where, places
    start, end = _sentence_bounds(text, q.number_start)
    before, after = masked[start : q.start], _after_clause(text, q.end)
    heading = " ".join(block.headings[k] for k in sorted(block.headings))
    status, status_basis = cues.status_of(
        masked[window : q.start], before, after, heading, str(info["status"])
    )
    metric, metric_basis, cue_at, inherited = _metric(
        q, masked[window : q.start], text[start : q.start], after, text[start:end], status, memory
    )
    place, place_basis = _place_of(text, q, (start, previous_start), mentions, block, info)
    first, last, label = _period_of(text, q, start, status, memory, block, info)
    as_written, a, b = block.quote(q.start, q.end)
    line = block.lines[block.locate(q.number_start)]
    context, _, _ = block.quote(start, end)
    return {
        "figure_key": f"{document.sha256[:12]}-{line.number}-{a}",
        "line": line.number,
        "page": line.page,
        "page_line": line.page_line,
        "start": a,
        "end": b,
        "as_written": as_written,
        "value": format_decimal(q.value),
        "value_max": format_decimal(q.value_max),
        "unit": q.unit,
        "unit_word": q.unit_word,
        "qualifier": q.qualifier,
        "metric": metric,
        "metric_basis": metric_basis,
        **place,
        "place_basis": place_basis,
        "period_start": first,
        "period_end": last,
        "period_label": label,
        "status": status,
        "status_basis": status_basis,
        "role": "reported",
        "confidence": _confidence(cue_at, inherited, place_basis, metric),
        "context": context.strip()[:160],
    }


def _block_proposals(
    block: _Block, found: list[Quantity], info: DocumentInfo, document: Document
) -> list[dict]:
    """Every figure of one paragraph (``found``, in order), sharing the paragraph's memory."""
    if not found:
        return []
    text = block.text
    mentions = _mentions(text, info)
    masked = _masked(text, mentions)
    memory = _Memory()
    rows = []
    sentence_start, window = -1, 0
    previous: Quantity | None = None
    # The paragraph's periods, read once: none spans a sentence's end (。；！？ are in no
    # period's pattern), so those ending before a sentence are what its text before says.
    periods = cues.find_periods(text, year=info.get("year"))
    ends = [period.end for period in periods]
    for q in found:
        start, _ = _sentence_bounds(text, q.number_start)
        if start != sentence_start:
            # The paragraph's period so far: the last one written before this sentence.
            before = bisect.bisect_right(ends, start)
            memory.period = periods[before - 1] if before else None
            sentence_start, window = start, start
        elif previous is not None and not _LIST_GAP.match(text[previous.end : q.start]):
            # A noun before the previous figure, or its predicate after it (62个小区已全部
            # 开工), belongs to that one, unless a list shares it (居民 4.2 万余户、11.5 万多人).
            clause_end = _CLAUSE_END.search(text, previous.end, q.start)
            window = clause_end.end() if clause_end else previous.end
        seen = previous.start if previous is not None else -1
        rows.append(_proposal(block, q, (window, seen), (mentions, masked), memory, info, document))
        previous = q
    return rows


# --- tables ---------------------------------------------------------------------------------


_UNIT_IN_HEADER = re.compile(r"[（(]\s*(?P<unit>[^）)]{1,6})\s*[）)]")
_PLACE_HEADER = re.compile(r"区县|县区|县（市、区）|县\(市、区\)|地区|区域|行政区|单位|城市|辖区")
_COMMUNITY_HEADER = re.compile(r"^(?:小区名称|小区|项目名称|名称|小区（项目）名称)$")
_TOTAL_WORDS = ("合计", "总计", "小计", "全市", "共计")


def _table_proposals(document: Document, info: DocumentInfo) -> list[dict]:
    """Each number in a .docx table, read with its column header as the cue."""
    rows: list[dict] = []
    caption = ""
    for line in document.lines:
        if not line.cells:
            caption = line.text if line.text.strip() else caption
            continue
        if line.cells == line.header:
            continue
        rows += _row_proposals(line, caption, info, document)
    _mark_totals(rows)
    return rows


def _row_proposals(line: Line, caption: str, info: DocumentInfo, document: Document) -> list[dict]:
    header = [fold_text(h).text for h in line.header]
    place_col = next((i for i, h in enumerate(header) if _PLACE_HEADER.search(h)), None)
    name_col = next(
        (i for i, h in enumerate(header) if _COMMUNITY_HEADER.match(_UNIT_IN_HEADER.sub("", h))),
        None,
    )
    place, place_basis = _row_place(line, place_col, name_col, info)
    folded_caption = fold_text(caption).text
    out = []
    offset = 0
    for i, cell in enumerate(line.cells):
        at, offset = offset, offset + len(cell) + 1
        if i in (place_col, name_col) or i >= len(header) or not cell.strip():
            continue
        row = _cell_proposal(cell, header[i], folded_caption, info)
        if row is None:
            continue
        start, end = at + len(cell) - len(cell.lstrip()), at + len(cell.rstrip())
        row |= {
            "figure_key": f"{document.sha256[:12]}-{line.number}-{start}",
            "line": line.number,
            "page": line.page,
            "page_line": line.page_line,
            "start": start,
            "end": end,
            "as_written": cell.strip(),
            "_table": line.table,
            **place,
            "place_basis": place_basis,
            "context": (line.header[i] + "：" + cell.strip())[:160],
        }
        row["confidence"] = _confidence(row.pop("_where"), False, place_basis, row["metric"])
        out.append(row)
    return out


def _row_place(
    line: Line, place_col: int | None, name_col: int | None, info: DocumentInfo
) -> tuple[Place, str]:
    city: Place = {"place": info["city"] or "", "adcode": info["city_adcode"], "level": "city"}
    label = fold_text(line.cells[place_col]).text.strip() if place_col is not None else ""
    if label in _TOTAL_WORDS or (label and label in _CITY_WORDS):
        return {**city, "place": label}, "table total row"
    mentions = _mentions(label, info) if label else []
    place: Place
    if mentions:
        m = mentions[0]
        place = {"place": m.place, "adcode": m.adcode, "level": m.level}
        basis = "the row's place column"
    elif district := info.get("district"):
        place, basis = district.copy(), "the issuing district"
    else:
        place, basis = city, "the document's city"
    if name_col is not None and line.cells[name_col].strip():
        name = line.cells[name_col].strip()
        if name in _TOTAL_WORDS:
            return {**city, "place": name}, "table total row"
        return {**place, "place": name, "level": "community"}, f"one community's row, in {basis}"
    return place, basis


def _cell_proposal(cell: str, header: str, caption: str, info: DocumentInfo) -> dict | None:
    """One table cell as a figure: its value, the header's unit and cue, the caption's status."""
    bracket = _UNIT_IN_HEADER.search(header)
    unit = bracket.group("unit") if bracket else None
    label = _UNIT_IN_HEADER.sub("", header)
    text = fold_text(cell).text.strip()
    # The header's unit (万元, 万平方米, 个) goes after a bare number, as a document writes it.
    if unit and re.fullmatch(r"[约近超]?\s*[\d.,]+\s*(?:余|多)?", text):
        text = text + unit
    found = find_quantities(text, default_unit=_default_unit(label))
    if len(found) != 1:
        return None
    q = found[0]
    context = caption + label
    status, status_basis = cues.status_of(label, context, "", caption, str(info["status"]))
    metric, word, where = cues.metric_of(q, label, "", context, context, status=status)
    if metric is None:
        metric, where = _DEFAULT_METRIC.get(q.unit_word, "other"), "unit"
        word = f"unit {q.unit_word}"
    periods = cues.find_periods(caption + label, year=info.get("year"))
    first, last, label_ = (
        (periods[-1].first, periods[-1].last, periods[-1].label)
        if periods
        else (info.get("year"), info.get("year"), "")
    )
    return {
        "value": format_decimal(q.value),
        "value_max": format_decimal(q.value_max),
        "unit": q.unit,
        "unit_word": q.unit_word,
        "qualifier": q.qualifier,
        "metric": metric,
        "metric_basis": f"column {header}" if where != "unit" else word,
        "period_start": first,
        "period_end": last,
        "period_label": label_,
        "status": status,
        "status_basis": status_basis,
        "role": "reported",
        "_where": "before" if where != "unit" else "unit",
    }


def _default_unit(label: str) -> str | None:
    """The unit a header implies without brackets: 户数 → 户, 楼栋数 → 栋, 小区个数 → 个."""
    for word, unit in (
        ("户数", "户"),
        ("栋数", "栋"),
        ("个数", "个"),
        ("人数", "人"),
        ("数量", "个"),
    ):
        if word in label:
            return unit
    return None


def _mark_totals(rows: list[dict]) -> None:
    """In a table with a total row, the total is ``stated_total`` and the places ``part``."""
    by_metric: dict[tuple[int, str], list[dict]] = {}
    for row in rows:
        by_metric.setdefault((row["_table"], row["metric"]), []).append(row)
    for group in by_metric.values():
        totals = [r for r in group if r["place_basis"] == "table total row"]
        if len(totals) == 1 and len(group) > 1:
            for row in group:
                row["role"] = "stated_total" if row is totals[0] else "part"


# --- the pipeline ---------------------------------------------------------------------------


def _check_figures(document: Document, count: int) -> None:
    """Refuse a document with more figures than a review can hold (:data:`MAX_FIGURES`)."""
    if count > MAX_FIGURES:
        name = document.name or "the upload"
        raise InputError(
            f"Expected a document of at most {MAX_FIGURES:,} figures (MAX_FIGURES), found "
            f"{count:,} in {name}: more than a planner can review, or not a report. Upload "
            "the part of the document with the figures (split it by chapter or page).",
            code="document_figures",
            details={"name": name, "figures": f"{count:,}", "cap": f"{MAX_FIGURES:,}"},
        )


def extract_figures(
    document: Document,
    *,
    city: str | None = None,
    district: str | None = None,
    year: int | None = None,
) -> Extraction:
    """
    Propose every figure of ``document``, one row each, for review (:data:`PROPOSAL_COLUMNS`).

    ``city``, ``district`` and ``year`` override what :func:`document_info` reads from the
    document. Every number with a unit becomes a row; those that count nothing the project
    measures are ``other`` (confidence ≤ 0.2), never dropped and never forced into a metric.
    ``value`` is exact text (``27000``, ``97.7``); ``value_max`` is set for ranges.
    """
    info = document_info(document, city=city, district=district, year=year)
    blocks = _blocks(document)
    found = [find_quantities(block.text) for block in blocks]
    _check_figures(document, sum(map(len, found)))
    rows = [
        r
        for b, f in zip(blocks, found, strict=True)
        for r in _block_proposals(b, f, info, document)
    ]
    rows += _table_proposals(document, info)
    _check_figures(document, len(rows))
    frame = pd.DataFrame(
        rows,
        columns=[
            c for c in PROPOSAL_COLUMNS if c not in ("doc_sha256", "doc_name", "province", "city")
        ],
    )
    frame["doc_sha256"] = document.sha256
    frame["doc_name"] = document.name
    frame["province"] = info.get("province")
    frame["city"] = info.get("city")
    for column in ("line", "page", "page_line", "start", "end", "period_start", "period_end"):
        frame[column] = pd.array(frame[column], dtype="Int64")
    frame = frame[PROPOSAL_COLUMNS].sort_values(["line", "start"], kind="stable")
    return Extraction(document, info, frame.reset_index(drop=True))


def propose_figures(
    source: str | Path | bytes,
    *,
    name: str | None = None,
    city: str | None = None,
    district: str | None = None,
    year: int | None = None,
) -> Extraction:
    """
    Read a document and propose its figures in a child process, bounded in time and memory.

    :func:`geo.documents.read.read_document` then :func:`extract_figures`, run by
    :func:`geo._worker.run_bounded` within :data:`READ_CPU_SECONDS` of processor time,
    :data:`READ_SECONDS` of wall-clock time and :data:`READ_MEMORY`, so
    one hostile upload cannot hold the server's process (the app and ``atlas figures
    extract`` both call this). Raises :class:`~geo.errors.InputError` for a document refused
    whole (a cap, the time or the memory it would take) and
    :class:`~geo.errors.UnknownPlaceError` for an unknown ``city`` or ``district``.
    """
    label = name or (Path(source).name if isinstance(source, str | Path) else "the upload")
    return _worker.run_bounded(
        _read_and_extract,
        source,
        name,
        (city, district, year),
        seconds=READ_SECONDS,
        cpu_seconds=READ_CPU_SECONDS,
        memory=READ_MEMORY,
        label=label,
    )


def _read_and_extract(
    source: str | Path | bytes, name: str | None, given: tuple[str | None, str | None, int | None]
) -> Extraction:
    city, district, year = given
    return extract_figures(
        read_document(source, name=name), city=city, district=district, year=year
    )
