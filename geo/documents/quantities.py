"""
Quantities in Chinese text: numbers with their multiplier, unit and qualifier, read exactly.

:func:`fold_text` makes one comparable form of a line (Traditional script to Simplified with
OpenCC, full-width digits and letters to ASCII, 馀 to 余, ``m<sup>2</sup>`` to ``m2``) and keeps,
for every folded character, where it came from, so a quantity found in the folded text is
quoted from the original exactly (``2.7萬餘戶``). :func:`find_quantities` reads every number
followed by a unit: Arabic digits (``1,200``, ``29.19``), Chinese numerals (``一千二百``, via
cn2an), 万/亿 multipliers, ranges (``100-200户``) and the words that make a figure a bound or an
estimate (余/多/超/以上 → ``at_least``, 约/近/左右 → ``approx``, 不足/以下 → ``at_most``).
Values are :class:`~decimal.Decimal`, never rounded, and an approximate figure is never made
exact. Dates, years, durations, ordinals (第三批) and document numbers (〔2024〕31号) are not
quantities and are skipped; so is a bare number with no unit, and a number of more than
:data:`MAX_DIGITS` digits (a serial or junk). Matching is linear in the text's length.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
import unicodedata
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import opencc

__all__ = [
    "MAX_DIGITS",
    "QUALIFIERS",
    "UNIT_WORDS",
    "Brackets",
    "Folded",
    "Quantity",
    "find_quantities",
    "fold_text",
    "format_decimal",
    "read_quantity",
    "written_quantity",
]

#: How a figure relates to its value: ``at_least`` (余/多/超/以上), ``at_most`` (不足/以下),
#: ``approx`` (约/近/左右), ``range`` (100-200: ``value`` to ``value_max``), else ``exact``.
#: All but ``range`` are :data:`geo.figures.QUALIFIERS`, what a saved figure may carry.
QUALIFIERS = ("exact", "at_least", "at_most", "approx", "range")

#: Unit word → (canonical unit, factor to it). Canonical units are those of data/metrics.csv;
#: a word with no canonical unit (次, 册, 亩 …) keeps itself as the unit, factor 1.
UNIT_WORDS: dict[str, tuple[str, Decimal]] = {
    "户": ("households", Decimal(1)),
    "人": ("persons", Decimal(1)),
    "名": ("persons", Decimal(1)),
    **{w: ("count", Decimal(1)) for w in "个处座栋幢套间部台家条项辆所"},
    "平方米": ("m2", Decimal(1)),
    "平米": ("m2", Decimal(1)),
    "m2": ("m2", Decimal(1)),
    "千米": ("km", Decimal(1)),
    "公里": ("km", Decimal(1)),
    "km": ("km", Decimal(1)),
    "米": ("km", Decimal("0.001")),
    "延米": ("km", Decimal("0.001")),
    "m": ("km", Decimal("0.001")),
    "元": ("cny", Decimal(1)),
    "%": ("percent", Decimal(1)),
}
# Units that count something this project never reports (campaign material, events, trees):
# kept as their own unit so a reviewer sees them, never given a metric.
_OTHER_UNITS = (
    "个百分点", "人次", "公顷", "亩", "次", "篇", "册", "份", "幅", "支", "批", "块", "盏",
    "棵", "株", "根", "张", "组", "位", "只", "把", "场", "期", "宗", "类", "种", "倍", "本",
)  # fmt: skip
# Units of time and numbering: a number before one of these is a date, a duration, a
# session or a document number, never a figure.
_SKIP_UNITS = (
    "次会议", "年度", "季度", "小时", "分钟", "年", "月", "日", "天", "周", "号", "届", "时",
    "秒", "岁", "级", "楼", "层",
)  # fmt: skip
_UNITS = sorted({*UNIT_WORDS, *_OTHER_UNITS, *_SKIP_UNITS}, key=len, reverse=True)

_ARABIC = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
_CN = rf"[{_CN_DIGITS}]+(?:点[零〇一二三四五六七八九]+)?"
_PRE = {
    "约为": "approx", "大约": "approx", "约": "approx", "将近": "approx", "接近": "approx",
    "近": "approx", "超过": "at_least", "超": "at_least", "逾": "at_least",
    "不超过": "at_most", "不足": "at_most", "不到": "at_most", "不少于": "at_least",
    "不低于": "at_least", "至少": "at_least",
}  # fmt: skip
_BETWEEN = {"余": "at_least", "多": "at_least", "来": "approx", "几": "approx"}
_POST = {
    "以上": "at_least",
    "以下": "at_most",
    "以内": "at_most",
    "左右": "approx",
    "上下": "approx",
}
_alternatives = "|".join
_RANGE_UNITS = _alternatives(re.escape(u) for u in sorted(UNIT_WORDS, key=len, reverse=True))
# Linear time: spaces are read only after a word that needs them (never at a match's
# start, where each of n spaces would begin a scan of the rest), and possessively (``*+``),
# since what follows a gap never starts with a space: one figure and 64,000 spaces took 139 s
# with ``[ \t]*``, each run split every way between neighbouring gaps before failing.
_GAP = r"[ \t]*+"
_QUANTITY = re.compile(
    rf"(?:(?P<pre>{_alternatives(sorted(_PRE, key=len, reverse=True))}){_GAP})?"
    r"(?P<pct>百分之)?"
    rf"(?P<num>{_ARABIC}|{_CN})"
    rf"(?:{_GAP}(?:(?P<unit1>{_RANGE_UNITS}){_GAP})?"
    rf"(?P<sep>-|—|–|~|～|至|到){_GAP}(?P<num2>{_ARABIC}|{_CN}))?"
    rf"{_GAP}(?P<m1>万|亿)?{_GAP}(?P<between>余|多|来|几)?{_GAP}(?P<m2>万|亿)?{_GAP}"
    rf"(?P<unit>{_alternatives(re.escape(u) for u in _UNITS)})?"
    rf"(?P<post>{_GAP}(?:{_alternatives(_POST)}))?"
)
#: Most digits a figure is written with (a city's investment in 元 has 11); a longer number is
#: a serial, a code or junk, never a figure.
MAX_DIGITS = 20
_MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
_IS_CN = re.compile(rf"^{_CN}$")
# Full-width punctuation kept as it is: a full-width comma separates clauses, never thousands.
_KEEP = frozenset("，；：！？（）")
_SUPERSCRIPT = re.compile(r"<su[pb]>\s*(\d)\s*</su[pb]>", re.IGNORECASE)
# 一X一Y is a slogan (一栋一策, 一小区一策), not a count of one.
# Matched at a position (pattern.match(text, pos)), where ^ would never match.
_SLOGAN = re.compile(r"[^\d\s，。、；]{1,3}一")


@dataclasses.dataclass(frozen=True)
class Folded:
    """
    A line in comparable form, with each character's span in the original line.

    ``text`` is Simplified, NFKC-folded (full-width digits and letters to ASCII, ㎡ to m2),
    with 馀 as 余 and HTML superscripts as digits. ``starts[i]``/``ends[i]`` are the offsets in
    ``original`` of the characters that became ``text[i]``.
    """

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets of ``text[start:end]``."""
        if start >= end:
            at = self.starts[start] if start < len(self.starts) else len(self.original)
            return at, at
        return self.starts[start], self.ends[end - 1]

    def quote(self, start: int, end: int) -> str:
        """The original text of ``text[start:end]``, exactly as written."""
        a, b = self.span(start, end)
        return self.original[a:b]


@dataclasses.dataclass(frozen=True)
class Quantity:
    """
    A number with its unit, found in folded text (offsets are into :attr:`Folded.text`).

    ``value`` is exact, in ``unit`` (canonical where :data:`UNIT_WORDS` has the word, else the
    word itself); ``value_max`` is the top of a range. ``unit_word`` is the unit as folded
    (个, 户, m2), ``multiplier`` the 万/亿 written, ``numeral`` ``arabic`` or ``chinese``.
    """

    start: int
    end: int
    number_start: int
    number_end: int
    value: Decimal
    value_max: Decimal | None
    unit: str
    unit_word: str
    qualifier: str
    multiplier: str
    numeral: str


@functools.lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    # OpenCC's own dictionaries ship in the wheel: nothing is fetched.
    import opencc

    return opencc.OpenCC("t2s")


def fold_text(original: str) -> Folded:
    """
    Fold a line for matching: Simplified script, ASCII digits, 余 for 馀, m2 for m².

    Each folded character remembers the original characters it came from, so any match
    can be quoted from ``original`` exactly (:meth:`Folded.quote`).
    """
    simplified = _converter().convert(original)
    if len(simplified) != len(original):
        # Phrase conversion changed the length: convert character by character instead.
        simplified = "".join(_converter().convert(c) or c for c in original)
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    for tag in [*_SUPERSCRIPT.finditer(original), None]:
        stop = tag.start() if tag is not None else len(original)
        for i in range(position, stop):
            for char in _fold_char(simplified[i]):
                chars.append(char)
                starts.append(i)
                ends.append(i + 1)
        if tag is not None:
            chars.append(tag.group(1))
            starts.append(tag.start())
            ends.append(tag.end())
            position = tag.end()
    return Folded(original, "".join(chars), tuple(starts), tuple(ends))


def _fold_char(char: str) -> str:
    if char in _KEEP:
        return char
    if char == "馀":  # OpenCC keeps 餘 → 馀 in some phrases; the figure word is 余
        return "余"
    return unicodedata.normalize("NFKC", char)


def find_quantities(text: str, *, default_unit: str | None = None) -> list[Quantity]:
    """
    Every quantity in folded ``text``: a number with its unit, multiplier and qualifier.

    Numbers before a unit of time or numbering (年, 月, 日, 号, 届 …), after 第 or inside
    〔〕 or 《》, and numbers with no unit are skipped (``default_unit`` gives bare numbers a
    unit: a table column's). A single 一 (一个, 一栋一策) is never a figure.
    """
    found = []
    titles = Brackets(text)
    for match in _QUANTITY.finditer(text):
        quantity = _read_match(text, match, default_unit, titles)
        if quantity is not None:
            found.append(quantity)
    return found


def read_quantity(text: str, *, default_unit: str | None = None) -> Quantity | None:
    """The quantity a whole cell holds (``2.7万余户``, ``约300``), or None for other text."""
    folded = fold_text(text).text.strip()
    match = _QUANTITY.fullmatch(folded)
    if match is None:
        return None
    return _read_match(folded, match, default_unit, Brackets(folded))


@functools.lru_cache(maxsize=4096)
def written_quantity(as_written: str) -> Quantity | None:
    """
    The quantity a figure's ``as_written`` states (``4.2 万余户``), or None if it states none.

    Cached: screens ask it of the same few hundred figures on every rerun.
    """
    return read_quantity(as_written)


def _read_match(
    text: str, match: re.Match[str], default_unit: str | None, titles: Brackets
) -> Quantity | None:
    word = "%" if match["pct"] else match["unit"] or default_unit
    if word is None or word in _SKIP_UNITS or _is_numbering(text, match, titles):
        return None
    if match["unit1"] and match["unit1"] != word:
        return None  # 3个至5户: not one range
    value = _number(match["num"], match)
    if value is None:
        return None
    top = _number(match["num2"], match) if match["num2"] else None
    if match["num2"] and top is None:
        return None
    if match["num"] == "一" and not match["num2"]:
        return None  # 一个, 一名, 一栋一策: an article or a slogan, not a count
    unit, factor = UNIT_WORDS.get(word, (word, Decimal(1)))
    # A quantity runs from the word that qualifies it (超 283) to its unit or 以上, no spaces.
    first = next(g for g in ("pre", "pct", "num") if match[g] is not None)
    last = next(
        g for g in ("post", "unit", "m2", "between", "m1", "num2", "num") if match[g] is not None
    )
    return Quantity(
        start=match.start(first),
        end=match.end(last),
        number_start=match.start("num"),
        number_end=match.end("num2") if match["num2"] else match.end("num"),
        value=value * factor,
        value_max=top * factor if top is not None else None,
        unit=unit,
        unit_word=word,
        qualifier=_qualifier(match, top is not None),
        multiplier="".join(m for m in (match["m1"], match["m2"]) if m),
        numeral="chinese" if _IS_CN.match(match["num"]) else "arabic",
    )


def _is_numbering(text: str, match: re.Match[str], titles: Brackets) -> bool:
    """True for 第N, 〔N〕, a number inside 《…》, a code (G107) or a slogan (一栋一策)."""
    at = match.start("num")
    while at and text[at - 1] in " \t":
        at -= 1
    # Only the few characters before the number decide, so each figure costs the same
    # however long its line is (a 400 KB line of figures read each prefix again).
    before = text[max(at - 4, 0) : at]
    if before.endswith(("第", "〔", "[", "【", "No.", "NO.", "№")) or re.search(
        r"[A-Za-z]$", before
    ):
        return True
    if titles.inside(at):
        return True
    return bool(match["num"] == "一" and _SLOGAN.match(text, match.end()))


class Brackets:
    """
    Where a pair of brackets (《》, 〔〕) stands in a text, to tell whether a place is inside.

    Built once per text; each question is a binary search, so asking it of every figure
    stays linear in the text (reading each figure's prefix again was quadratic).
    """

    def __init__(self, text: str, pair: str = "《》") -> None:
        self.opens = [m.start() for m in re.finditer(re.escape(pair[0]), text)]
        self.closes = [m.start() for m in re.finditer(re.escape(pair[1]), text)]

    def inside(self, at: int) -> bool:
        """True when the last opening bracket before ``at`` comes after the last closing one."""
        opened = bisect.bisect_left(self.opens, at)
        closed = bisect.bisect_left(self.closes, at)
        return bool(opened) and (not closed or self.opens[opened - 1] > self.closes[closed - 1])


def _number(written: str, match: re.Match[str]) -> Decimal | None:
    """The exact value of the digits or numerals, times the 万/亿 written after them."""
    if sum(c.isdigit() for c in written) > MAX_DIGITS or len(written) > MAX_DIGITS * 2:
        return None  # a serial number or junk; a million digits overflowed Decimal's context
    if _IS_CN.match(written):
        import cn2an

        try:
            number = Decimal(str(cn2an.cn2an(written, "normal")))
        except (ValueError, KeyError, IndexError):
            return None  # 万, 千, 十四五: not a number
    else:
        number = Decimal(written.replace(",", ""))
    for multiplier in (match["m1"], match["m2"]):
        if multiplier:
            number *= _MULTIPLIERS[multiplier]
    return number


def _qualifier(match: re.Match[str], is_range: bool) -> str:
    if is_range:
        return "range"
    words = [
        _PRE.get(match["pre"] or ""),
        _BETWEEN.get(match["between"] or ""),
        _POST.get((match["post"] or "").strip()),
    ]
    marks = {w for w in words if w}
    if "approx" in marks or {"at_least", "at_most"} <= marks:
        return "approx"
    return marks.pop() if marks else "exact"


def format_decimal(value: Decimal | None) -> str:
    """A Decimal as plain digits, no exponent, no trailing zeros (27000, 97.7); None → ""."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"
