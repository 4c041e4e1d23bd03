"""
Cell values as ledgers write them: numbers with 万 and units, years and batches, statuses, tags.

Every parser takes a column of raw text and returns the parsed values plus a problem code per
cell (``None`` when the cell parsed or was empty). Nothing is rounded: a value that cannot be
read exactly (``约100万``, ``1,2``, ``3279.5`` households) gets a problem code, and the caller
quarantines its row. Parsing runs once per distinct text, so a million-row column with a few
thousand distinct values costs a few thousand parses. Folding and coordinates run in Arrow for
cells of plain ASCII and CJK ideographs, which NFKC leaves as they are; any other cell is
folded in Python, once per distinct text. On a 100k-row ledger the folding of its 16 columns
went from 2.35 s to about 0.35 s, and its coordinates from 1.3 s to 0.2 s (profiles).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable
from decimal import Context, Decimal, InvalidOperation, Overflow

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "CONTENT_TAGS",
    "STATUSES",
    "normalise_text",
    "parse_coordinates",
    "parse_dates",
    "parse_numbers",
    "parse_statuses",
    "parse_tags",
    "parse_years",
    "unit_scale",
]

# Words that make a figure approximate (约100万, 300余户, 近千, 100户左右, 超2万). Matched
# anywhere in the cell, since they may come before or after the digits.
_APPROXIMATE = re.compile(r"约|大约|左右|余|多|近|超|以上|以下|上下|不足|不到|~|≈|～|至|到|—")
# A plain number, optionally with 万/亿, then an optional unit word that says nothing more.
_NUMBER = re.compile(
    r"^(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)"
    r"(?P<mult>万|亿)?"
    r"(?P<unit>户|栋|幢|座|个|处|套|人|平方米|平米|m2|m²|㎡|元|万元|亿元)?$"
)
_MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
_RANGE = re.compile(r"\d\s*-\s*\d")

STATUSES = ("plan", "started", "completed")
_STATUS_WORDS = {
    "plan": ("计划", "规划", "拟改造", "未开工", "待开工", "plan", "planned"),
    "started": ("开工", "已开工", "在建", "施工", "施工中", "实施中", "进行中", "started"),
    "completed": ("完工", "已完工", "竣工", "已竣工", "完成", "已完成", "completed", "done"),
}
_STATUS_LOOKUP = {word: key for key, words in _STATUS_WORDS.items() for word in words}

# Content tags of the renovation programme, with the words ledgers use for them. Unlisted
# tags are kept as written.
CONTENT_TAGS = {
    "elevator": ("加装电梯", "电梯"),
    "elderly": ("适老化", "适老化改造"),
    "accessibility": ("无障碍", "无障碍设施"),
    "pipes": ("管网", "雨污分流", "供排水", "燃气", "供暖"),
    "facade": ("外墙", "外立面", "外墙保温"),
    "parking": ("停车", "停车位"),
    "charging": ("充电", "充电桩"),
}
_TAG_LOOKUP = {word: key for key, words in CONTENT_TAGS.items() for word in words}
_TAG_SPLIT = re.compile(r"[、,，;；/|\s]+")

_YEAR = re.compile(r"^(?P<year>(?:19|20)\d{2})(?:年度?)?(?:[-—]?(?P<batch>第?.+批.*))?$")
_DATE = re.compile(
    r"^(?P<year>(?:19|20)\d{2})[-/.年](?P<month>\d{1,2})(?:[-/.月](?:\d{1,2}日?)?)?$"
)
_BATCH = re.compile(r"^第?.+批次?$")
# Excel stores dates as days since 1899-12-30; 1990-01-01 to 2060-12-31 as serials.
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_SERIAL_RANGE = (32874, 58441)


def normalise_text(values: pd.Series) -> pd.Series:
    """NFKC-fold full-width digits and punctuation and strip whitespace; missing stays missing."""
    codes, folded = _fold_codes(values)
    text = folded.take(pa.array(codes, mask=codes < 0))
    return pd.Series(pd.array(text, dtype="string"), index=values.index)


# Text already folded: ASCII other than Python's \s (tab to carriage return, 0x1c-0x1f and
# space) and CJK Unified Ideographs. NFKC leaves every such character and string as it is
# (none decomposes, none combines) and none is whitespace, so folding would change nothing.
_FOLDED = r"^[\x00-\x08\x0e-\x1b\x21-\x7f\x{4e00}-\x{9fff}]*$"
_SPACE = re.compile(r"\s+")


def _fold_codes(values: pd.Series) -> tuple[np.ndarray, pa.LargeStringArray]:
    """
    Each cell's code (-1 for missing) and the folded text of each distinct cell, in Arrow.

    Distinct cells are found by Arrow's hash, not Python's. Cells made only of non-space
    ASCII and common CJK characters (coordinates, figures, most names) are already folded,
    which one Arrow regex tells; only the others are folded in Python, once per distinct cell.
    """
    # Text cells (as sheets are read) go to Arrow as they are; anything else as text first.
    is_text = values.dtype == object and pd.api.types.infer_dtype(values) in ("string", "empty")
    cells = values if is_text else values.astype("string").array
    array = pa.array(cells, type=pa.large_string(), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    encoded = pc.dictionary_encode(array)
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    distinct = encoded.dictionary
    done = pc.match_substring_regex(distinct, _FOLDED).to_numpy(zero_copy_only=False)
    if done.all():
        return codes, distinct
    texts = distinct.filter(~done).to_pylist()
    refolded = [_SPACE.sub("", unicodedata.normalize("NFKC", t)) for t in texts]
    return codes, pc.replace_with_mask(distinct, ~done, pa.array(refolded, pa.large_string()))


#: Answers for some distinct texts at once: which texts it answered, and its ``width`` answers
#: for those (in order).
Batch = Callable[[pa.LargeStringArray], tuple[np.ndarray, list[np.ndarray]]]


def _by_unique(
    values: pd.Series, parse: Callable[[str], tuple], width: int, batch: Batch | None = None
) -> list[pd.Series]:
    """
    Run ``parse`` once per distinct non-empty text; spread its ``width`` results over rows.

    ``batch`` answers the texts it can in one go (as ``parse`` would answer them); ``parse``
    then reads only the others.
    """
    codes, folded = _fold_codes(values)
    blank = pc.equal(folded, "").to_numpy(zero_copy_only=False)
    done = np.zeros(len(folded), dtype=bool)
    # One slot past the end holds the answer for missing and empty cells.
    tables = [np.full(len(folded) + 1, None, dtype=object) for _ in range(width)]
    if batch is not None and len(folded):
        done, answers = batch(folded)
        for table, answer in zip(tables, answers, strict=True):
            table[np.flatnonzero(done)] = answer
    rest = np.flatnonzero(~done & ~blank)
    for i, result in zip(rest, map(parse, folded.take(rest).to_pylist()), strict=True):
        for table, answer in zip(tables, result, strict=True):
            table[i] = answer
    codes = np.where((codes < 0) | np.append(blank, True)[codes], len(folded), codes)
    return [pd.Series(table[codes], index=values.index, dtype=object) for table in tables]


def unit_scale(header: str, *, base: str) -> Decimal | None:
    """
    The multiplier a column header declares: 建筑面积（万m²） → 10000 for ``base="m2"``.

    Returns ``None`` when the header names no unit, so the caller decides whether a bare
    number is acceptable. ``base`` is ``"m2"`` or ``"cny"``.
    """
    text = unicodedata.normalize("NFKC", header).lower().replace(" ", "")
    units = {
        "m2": (
            ("万平方米", "万平米", "万m2", "万m²", "万㎡"),
            ("平方米", "平米", "m2", "m²", "㎡"),
        ),
        "cny": (("亿元",), ("万元",), ("元", "cny", "yuan")),
    }[base]
    scales: tuple[Decimal, ...]
    if base == "cny":
        scales = (Decimal(100_000_000), Decimal(10_000), Decimal(1))
    else:
        scales = (Decimal(10_000), Decimal(1))
    for words, scale in zip(units, scales, strict=True):
        if any(w in text for w in words):
            return scale
    return None


# Decimal arithmetic with room for any digits a cell may hold: a 400-digit figure is read
# exactly, then refused by its range, never turned into inf or wrapped.
_EXACT = Context(prec=2000, Emax=10_000, Emin=-10_000, traps=[InvalidOperation, Overflow])


def _read_number(
    text: str, scale: Decimal, integer: bool, maximum: Decimal | None
) -> tuple[float | None, str | None]:
    if _APPROXIMATE.search(text) or _RANGE.search(text):
        return None, "approximate_number"
    match = _NUMBER.match(text)
    if match is None or len(match["num"]) > 1000:
        return None, "bad_number"
    try:
        number = _EXACT.create_decimal(match["num"].replace(",", ""))
    except (InvalidOperation, Overflow):
        return None, "bad_number"
    unit = match["unit"] or ""
    # A value's own 万/亿 (or 万元) replaces the header's unit: "29.19万" means 291,900
    # whether the column says m² or 万m².
    if match["mult"] or unit.startswith(("万", "亿")):
        scale = _MULTIPLIERS[match["mult"] or unit[0]]
    value = _EXACT.multiply(number, scale)
    if value < 0:
        return None, "negative_number"
    if integer and value != value.to_integral_value():
        return None, "not_whole"
    if maximum is not None and value > maximum:
        return None, "out_of_range"
    read = float(value)
    # A float keeps 15-17 significant digits: a cell with more would be rounded, silently.
    if Decimal(repr(read)) != value:
        return None, "too_precise"
    return read, None


# Plain numbers: ASCII digits, a decimal point maybe, at most 15 digits in all (a float keeps
# any 15 significant digits exactly), no sign, no grouping, no 万 and no unit.
_PLAIN = r"^[0-9]{1,15}(\.[0-9]{1,15})?$"
#: 10^0 to 10^22, each an exact float (5^22 < 2^53).
_TENS = np.array([float(10**i) for i in range(23)])


def _plain_numbers(scale: Decimal, integer: bool, maximum: Decimal | None) -> Batch | None:
    """
    What :func:`_read_number` answers for plain numbers, read in Arrow and numpy in one go.

    A plain number of digits ``N`` with ``f`` of them after the point is ``N × 10^(k - f)``
    for a scale of ``10^k``: ``N`` (below 10^15) and ``10^|k - f|`` (up to 10^22) are exact
    floats, so one IEEE multiplication or division gives the correctly rounded value, the
    float :func:`_read_number` reads through Decimal, and a value of 15 significant digits or
    fewer is never ``too_precise``. Values near ``maximum`` (within 10^-9 of it) are left to
    :func:`_read_number`, as are scales other than a power of ten and every other text.
    """
    exponent = scale.normalize().as_tuple()
    if (
        exponent.sign
        or exponent.digits != (1,)
        or not isinstance(exponent.exponent, int)
        or not 0 <= exponent.exponent <= 22
    ):
        return None
    k = exponent.exponent
    ceiling = None if maximum is None else float(maximum) * (1 - 1e-9)

    def batch(texts: pa.LargeStringArray) -> tuple[np.ndarray, list[np.ndarray]]:
        plain = pc.match_substring_regex(texts, _PLAIN)
        dot = pc.find_substring(texts, ".").to_numpy(zero_copy_only=False)
        length = pc.utf8_length(texts).to_numpy(zero_copy_only=False)
        digits = np.where(dot < 0, length, length - 1)
        done = plain.to_numpy(zero_copy_only=False) & (digits <= 15)
        picked = texts.filter(pa.array(done))
        whole = pc.cast(pc.replace_substring(picked, ".", ""), pa.int64()).to_numpy()
        shift = k - np.where(dot < 0, 0, length - dot - 1)[done]
        tens = _TENS[np.abs(shift)]
        read = np.where(shift >= 0, whole * tens, whole / tens)
        keep = np.ones(len(read), dtype=bool) if ceiling is None else read <= ceiling
        # A whole number's digits after the point are zeros: 12.0 is 12 households, 12.5 is not.
        places = _TENS[np.clip(-shift, 0, 15)].astype(np.int64)
        fraction = integer & (shift < 0) & (whole % places != 0)
        answer = read.astype(object)
        answer[fraction] = None
        problem = np.full(len(read), None, dtype=object)
        problem[fraction] = "not_whole"
        done[np.flatnonzero(done)[~keep]] = False
        return done, [answer[keep], problem[keep]]

    return batch


def parse_numbers(
    values: pd.Series,
    *,
    scale: Decimal = Decimal(1),
    integer: bool = False,
    maximum: Decimal | None = None,
) -> tuple[pd.Series, pd.Series]:
    """
    Read counts, areas or money: full-width digits, 22,149, 3.5万, 300户 and 29.19万㎡ all parse.

    ``scale`` is the unit the header declares (10000 for 万m²). ``integer=True`` refuses
    fractions, since half a household is a typo, not a figure. Returns the values
    (``Float64``, or ``Int64`` when ``integer``) and a problem per cell: ``bad_number`` (no
    number), ``negative_number`` (below 0), ``not_whole`` (a fraction when ``integer``),
    ``approximate_number``, ``out_of_range`` (above ``maximum``, in the base unit),
    ``too_precise`` (more digits than a float keeps exactly) or ``None``. Every digit is read
    exactly (Decimal): no value overflows, wraps or rounds. Empty cells are missing values
    with no problem.
    """
    parsed, problems = _by_unique(
        values,
        lambda t: _read_number(t, scale, integer, maximum),
        2,
        _plain_numbers(scale, integer, maximum),
    )
    numbers = pd.array(parsed.to_numpy(dtype="float64", na_value=np.nan), dtype="Float64")
    result = pd.Series(numbers, index=values.index)
    if integer:
        result = result.round().astype("Int64")  # already checked to be whole numbers
    return result, problems


def _read_year(text: str) -> tuple[float | None, str | None, str | None]:
    if match := _YEAR.match(text.removesuffix(".0")):
        return float(match["year"]), match["batch"], None
    if match := _DATE.match(text):
        return float(match["year"]), None, None
    if re.fullmatch(r"\d+(\.\d+)?", text) and _SERIAL_RANGE[0] <= float(text) <= _SERIAL_RANGE[1]:
        day = _EXCEL_EPOCH + datetime.timedelta(days=int(float(text)))
        return float(day.year), None, None
    if _BATCH.match(text):
        return None, text, None
    return None, None, "bad_value"


def parse_years(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """
    Read 改造年度/批次: 2023, 2023年, 2023年第一批, 2023-05-01, 2023/5 or an Excel date serial.

    Returns the year (``Int64``), the batch as written (第一批; missing when there is none) and
    a problem per cell (``bad_value`` or ``None``). A batch with no year keeps its batch and a
    missing year.
    """
    years, batches, problems = _by_unique(values, _read_year, 3)
    year = pd.Series(years.to_numpy(dtype="float64", na_value=np.nan), index=values.index)
    return year.astype("Int64"), batches.astype("string"), problems


# A day as ledgers write it: 2023年3月15日, 2023.3.15, 2023/03/15, 2023-03-15, 20230315; a
# time after it (an XLSX date-time read as text, its space folded away) is dropped.
_DAY = re.compile(
    r"^(?P<year>(?:19|20)\d{2})(?:[-/.年](?P<month>\d{1,2})[-/.月](?P<day>\d{1,2})日?"
    r"|(?P<month8>\d{2})(?P<day8>\d{2}))(?:T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
# A month alone: 2023-03, 2023/3, 2023.3, 2023年3月.
_MONTH = re.compile(
    r"^(?P<year>(?:19|20)\d{2})(?:[-/.](?P<month>\d{1,2})|年(?P<month_zh>\d{1,2})月)$"
)
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")


def _read_date(text: str) -> tuple[str | None, str | None]:
    """``(ISO text, problem)``: a day as ``2023-03-15``, a month alone as ``2023-03``."""
    if match := _DAY.match(text):
        month = int(match["month"] or match["month8"])
        day = int(match["day"] or match["day8"])
        try:
            return datetime.date(int(match["year"]), month, day).isoformat(), None
        except ValueError:
            return None, "bad_value"
    if match := _MONTH.match(text):
        month = int(match["month"] or match["month_zh"])
        if 1 <= month <= 12:
            return f"{match['year']}-{month:02d}", None
        return None, "bad_value"
    if _SERIAL.match(text) and _SERIAL_RANGE[0] <= float(text) <= _SERIAL_RANGE[1]:
        return (_EXCEL_EPOCH + datetime.timedelta(days=int(float(text)))).isoformat(), None
    return None, "bad_value"


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """
    Read dates as ledgers write them, keeping their precision.

    2023年3月15日, 2023.3.15, 2023/03/15, 2023-03-15, 20230315 and an Excel date serial
    (45000, days since 1899-12-30) are days, returned as ``2023-03-15``; 2023-03, 2023/3,
    2023.3 and 2023年3月 are months, returned as ``2023-03``: a month is never made its 1st.
    Returns the ISO text (``string``; missing for empty cells) and a problem per cell
    (``bad_value`` for anything else, or a day that does not exist, else ``None``).
    """
    dates, problems = _by_unique(values, _read_date, 2)
    return dates.astype("string"), problems


def parse_statuses(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Map 计划/开工/完工 and their synonyms to ``plan``/``started``/``completed``."""
    statuses, problems = _by_unique(
        values,
        lambda t: (s, None) if (s := _STATUS_LOOKUP.get(t.lower())) else (None, "bad_value"),
        2,
    )
    return statuses.astype("string"), problems


def parse_tags(values: pd.Series) -> pd.Series:
    """
    Split 改造内容 into canonical tags joined by ``|`` (``elevator|elderly|外墙涂料``).

    Known words map to the keys of :data:`CONTENT_TAGS`; other words are kept as written, so no
    content is lost. Empty cells stay missing.
    """

    def split(text: str) -> tuple[str]:
        words = [w for w in _TAG_SPLIT.split(text) if w]
        return ("|".join(dict.fromkeys(_TAG_LOOKUP.get(w, w) for w in words)),)

    (tags,) = _by_unique(values, split, 1)
    return tags.astype("string")


def _read_coordinate(text: str) -> tuple[float | None, str | None]:
    text = text.removesuffix("°")
    try:
        value = float(text)
    except ValueError:
        return None, "bad_coordinate"
    return (value, None) if np.isfinite(value) else (None, "bad_coordinate")


# Plain decimals (113.856585, -.5): Arrow reads them to the same float as Python's float(),
# bit for bit (checked on 200k random decimals, signed zeros and overflow included).
_PLAIN_DECIMAL = r"^-?(?:\d+\.?\d*|\.\d+)$"


def parse_coordinates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Read decimal degrees (``113.87``, ``113.87°``); anything else is ``bad_coordinate``."""
    codes, folded = _fold_codes(values)
    # One slot past the end holds the answer for missing cells.
    numbers = np.full(len(folded) + 1, np.nan)
    problems = np.full(len(folded) + 1, None, dtype=object)
    plain = pc.match_substring_regex(folded, _PLAIN_DECIMAL).to_numpy(zero_copy_only=False)
    numbers[:-1][plain] = pc.cast(folded.filter(plain), pa.float64()).to_numpy()
    plain &= np.isfinite(numbers[:-1])
    # Coordinates are distinct in almost every row: only the unusual ones are read in Python.
    empty = pc.equal(folded, "").to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(~plain & ~empty):
        number, problems[i] = _read_coordinate(folded[i].as_py())
        numbers[i] = np.nan if number is None else number
    codes = np.where(codes < 0, len(folded), codes)
    return (
        pd.Series(numbers[codes], index=values.index),
        pd.Series(problems[codes], index=values.index, dtype=object),
    )
