"""
Project records: read a ledger (台账), validate every row, and quarantine what cannot be used.

:func:`read_ledger` takes a CSV (UTF-8, UTF-8 with BOM, UTF-16 with BOM, GBK or GB18030; a Big5
file is refused, as GB18030 would read it as garbled characters) or an XLSX file and returns a
:class:`Ledger`: the clean projects as a GeoDataFrame in EPSG:4326 and the quarantined rows,
each with its row number as a spreadsheet shows it (the header is row 1), a reason code from
:data:`REASONS` with its column and detail (layers words them), the ``adcode`` of the district
its own words name (missing where they name none, or several) and every raw value. At every
stage, rows in = clean + quarantined; :attr:`Ledger.stages` records it.

Headers in Chinese or English map to fields through :data:`FIELDS`; columns that match no
field are kept as they are. Coordinates need a declared datum (``crs=`` for the file, or a
坐标系 column per row); a file with coordinates and no datum raises :class:`InputError`
whose message says how to declare one, and suggests one when the named districts allow it.

Every step works on whole columns: text is folded once per distinct cell, names are resolved
once per distinct (code, district, city, year) and an address only when a row has neither
code nor district, messages are written only for the rows quarantined. On the benchmark's
synthetic 100k-row ledger a read went from 7.9 s (12.6k rows/s; 85,562 name look-ups, one
per distinct 地址) to 1.35 s (74k rows/s), and without its 地址 column from 4.7 s to 1.3 s
(2 cores, ``bench/RESULTS.md``), with the same output row for row.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import boundaries, crs, dates, gazetteer
from geo import priorities as _priorities
from geo.addresses import address_key, parse_address
from geo.errors import InputError, UnknownPlaceError
from geo.io import cells as _cells
from geo.io import gdal as _gdal
from geo.io import sheets as _sheets

__all__ = [
    "CONTENT_TAGS",
    "DATE_FIELDS",
    "DETAILS",
    "FIELDS",
    "LOCATED",
    "NEEDED_COLUMNS",
    "PLAUSIBLE_MAXIMUM",
    "PROGRAMME_START",
    "REASONS",
    "STATUSES",
    "Ledger",
    "community_key",
    "ledger_fields",
    "map_columns",
    "read_ledger",
    "read_projects",
]

#: A project's status (计划/开工/完工 and their synonyms, as read by :mod:`geo.io.cells`).
STATUSES = _cells.STATUSES
#: Content tag → the words of a 改造内容 cell it stands for.
CONTENT_TAGS = _cells.CONTENT_TAGS
#: How a clean row is placed (``located``): by its ``point``, or by the name of its
#: ``district`` or development ``zone`` alone (then it has no geometry).
LOCATED = ("point", "district", "zone")

#: Field → header synonyms, compared after NFKC folding, lower-casing and removing spaces and
#: any bracketed unit: 建筑面积（万m²） matches 建筑面积 and declares 万m². Documented in README.
FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("小区名称", "小区名", "小区", "项目名称", "名称", "name", "community"),
    "address": ("地址", "详细地址", "小区地址", "位置", "address"),
    "district": ("所属区县", "区县", "所在区县", "县区", "所属区", "区", "district", "county"),
    "city": ("所属城市", "城市", "所在城市", "所属市", "市", "city"),
    "adcode": ("行政区划代码", "区划代码", "区县代码", "adcode"),
    "year": ("改造年度", "年度", "改造年度/批次", "年度/批次", "改造年份", "年份", "year"),
    "batch": ("批次", "改造批次", "batch"),
    "households": ("户数", "改造户数", "涉及户数", "居民户数", "households"),
    "buildings": ("楼栋数", "栋数", "楼栋", "楼栋数量", "buildings"),
    "floor_area": ("建筑面积", "改造面积", "floor_area", "area"),
    "content": ("改造内容", "主要改造内容", "内容", "content", "tags"),
    "status": ("状态", "改造状态", "项目状态", "进度", "status"),
    "investment": ("总投资", "投资", "投资额", "估算投资", "investment"),
    "lon": ("经度", "lon", "lng", "longitude", "x"),
    "lat": ("纬度", "lat", "latitude", "y"),
    "datum": ("坐标系", "坐标系统", "datum", "crs"),
    # Dates (geo.io.cells.parse_dates): a day or a month alone, kept as ISO text.
    "start_date": (
        "开工日期", "开工时间", "实际开工", "实际开工日期", "实际开工时间", "开工年月",
        "start_date", "started_on", "start date",
    ),
    "finish_date": (
        "完工日期", "竣工日期", "完工时间", "竣工时间", "实际完工", "实际完工日期", "实际竣工日期",
        "完工年月", "finish_date", "completion_date", "completed_on", "finished_on", "finish date",
    ),
    "report_date": (
        "填报日期", "报送日期", "填报时间", "统计截止日期", "数据截止日期", "截止日期",
        "report_date", "as_of",
    ),
    # What the priorities weigh (geo.priorities, issue 26): a year, and a share 0-100 %.
    "built_year": (
        "建成年代", "建成年份", "竣工年份", "建成时间", "建成年", "built_year", "year_built",
    ),
    "consent": (
        "居民同意率", "同意率", "意愿", "居民意愿", "改造意愿", "consent", "consent_share",
    ),
}  # fmt: skip
#: The date fields, in the order their columns are added to the projects.
DATE_FIELDS = ("start_date", "finish_date", "report_date")
#: The year the national programme's count begins (its totals run from 2019): a start or
#: finish before it is quarantined as ``before_programme`` unless the reader is given
#: another year (a plan's own).
PROGRAMME_START = 2019

#: Reason codes of a quarantined ledger row; layers words each with its ``column`` and
#: ``detail`` (``row_<code>`` in data/wording.toml).
REASONS: tuple[str, ...] = (
    *_sheets.ROW_REASONS,
    "total_row",
    "missing_required",
    "bad_number",
    "approximate_number",
    "no_district",
    "ambiguous_district",
    "district_mismatch",
    "duplicate_conflict",
    "duplicate_row",
    # Dates that cannot be true (issue 24): the row is kept, its dates are not guessed.
    "date_order",
    "future_date",
    "before_programme",
    "undated",
    "status_dates",
    # What the priorities weigh (issue 26): a year no building has, a share beyond 0-100 %.
    "impossible_year",
    "consent_out_of_range",
    "consent_scale",
    "consent_unread",
)
#: The columns a ledger cannot be read without (a refusal's ``missing``), as the English
#: message names them; layers words each (``column_needed_<kind>``).
NEEDED_COLUMNS = {
    "name": "小区名称 (name)",
    "lon": "经度 (lon)",
    "lat": "纬度 (lat)",
    "location": "经度/纬度, 所属区县, 地址 or 行政区划代码 (a location)",
}
#: Details that need words, code → the parameters they take besides the row's ``detail``
#: (besides those of :data:`geo.io.sheets.DETAILS`); layers words them (``qdetail_<code>``).
DETAILS: dict[str, tuple[str, ...]] = {
    "inexact_number": (),
    "negative_number": (),  # a count, area or amount below 0 (-40 户)
    "not_whole_number": (),  # a fraction of a household or building (2.5 户)
    "implausible_number": ("top", "unit"),  # PLAUSIBLE_MAXIMUM in its unit
    "too_precise": (),
    "status_dated": ("status", "header"),  # the status as written, the date's column
    "not_a_county_code": (),
    "code_names_other": ("adcode", "place"),  # the code's place; the detail, the district's
    "point_in_no_district": (),
    "point_elsewhere": ("named", "county"),  # the named place, the point's district
    "point_elsewhere_fits": ("named", "county", "fix"),  # fix: the datum that would fit
    # The words as written (the detail: each filled cell quoted) name no single district:
    # none, several, or a code and a name that disagree; the point's district.
    "written_point_elsewhere": ("county",),
    # No longer given (their words quoted nothing the row wrote); versions saved with them
    # still word them.
    "unnamed_point_elsewhere": ("county",),
    "unnamed_point_elsewhere_fits": ("county", "fix"),
    "conflicting_rows": ("rows", "fields"),  # the group's rows, the figures that differ
    "repeated_rows": ("rows",),
    "unknown_city": ("closest",),  # the city column's text (the detail) names no city
}

_NUMBER_FIELDS = {  # field → (output column, whole numbers only)
    "households": ("households", True),
    "buildings": ("buildings", True),
    "floor_area": ("floor_area_m2", False),
    "investment": ("investment_cny", False),
}
#: Field → the largest plausible value for one community, in its output unit (households,
#: buildings, m², CNY). A larger figure is a typo or a total, quarantined as ``bad_number``
#: with the range in the message; the README's ledger section lists them.
PLAUSIBLE_MAXIMUM: dict[str, Decimal] = {
    "households": Decimal(100_000),
    "buildings": Decimal(10_000),
    "floor_area": Decimal(20_000_000),
    "investment": Decimal(10_000_000_000),
}
#: Field → the unit of its plausible range (layers words it: 户, households).
_UNITS = {"households": "households", "buildings": "buildings", "floor_area": "m2",
          "investment": "cny"}  # fmt: skip
_FIGURES = [column for column, _ in _NUMBER_FIELDS.values()]
_TOTAL_WORDS = {"合计", "总计", "小计", "共计", "total", "subtotal", "sum"}
_THIS_YEAR = datetime.date.today().year
Progress = Callable[[float, str], None]


@dataclasses.dataclass
class Ledger:
    """
    A read ledger: clean ``projects``, ``quarantine``d rows and the counts at every stage.

    ``projects`` is in EPSG:4326; rows located only by a district name have no geometry.
    ``columns`` maps each recognised field to the header it came from.
    """

    projects: gpd.GeoDataFrame
    quarantine: pd.DataFrame
    rows: int
    columns: dict[str, str]
    stages: list[dict[str, int | str]]
    encoding: str | None = None
    sheet: str | None = None
    sheets: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    #: Warnings about the whole file that quarantine no row, each ``{"code": ..., details}``:
    #: ``datum_overridden`` (the 坐标系 column named another datum than the one declared, and
    #: was followed), ``datum_suspect`` (read in another datum, more points would fall in the
    #: district their row names). Worded by the front ends.
    notes: list[dict[str, object]] = dataclasses.field(default_factory=list)
    #: The day the ledger speaks for (ISO), against which a date "in the future" is refused,
    #: and where it came from (``report_date_source``): ``given`` (the reader's argument,
    #: ``atlas ingest --report-date``), ``column`` (the latest of a 填报日期 column; each row
    #: is checked against its own) or ``read`` (the day it was read, Beijing time: for a
    #: saved version, its save date).
    report_date: str | None = None
    report_date_source: str | None = None

    def summary(self) -> dict[str, object]:
        """
        The one-line report: ``{"rows", "clean", "quarantined", "by_reason"}``.

        A workbook adds ``sheet``, the sheet read, and ``sheets``, each sheet's state; a file
        with :attr:`notes` adds them as ``notes``.
        """
        by_reason = self.quarantine["reason"].value_counts().sort_index()
        summary: dict[str, object] = {
            "rows": self.rows,
            "clean": len(self.projects),
            "quarantined": len(self.quarantine),
            "by_reason": {str(k): int(v) for k, v in by_reason.items()},
        }
        if self.sheet is not None:
            summary |= {"sheet": self.sheet, "sheets": dict(self.sheets)}
        if self.notes:
            summary["notes"] = list(self.notes)
        return summary


# --- reading bytes into rows ---------------------------------------------------------------


# --- headers --------------------------------------------------------------------------------


_SYNONYMS = {
    _sheets.header_key(word): field for field, words in FIELDS.items() for word in words
} | {_sheets.header_key(f"{word}（万元）"): "investment" for word in FIELDS["investment"]}


def map_columns(header: list[str]) -> dict[str, str]:
    """Recognised field → header; :class:`InputError` if two headers claim one field."""
    return _sheets.claim_columns(header, _SYNONYMS)


def ledger_fields(
    source: str | Path | bytes, *, name: str | None = None, sheet: str | None = None
) -> set[str]:
    """
    The fields a ledger's header row holds (keys of :data:`FIELDS`), without reading its rows.

    For a page that must know, before reading, whether the file states its datum (a 坐标系
    column) or has coordinates at all. Raises :class:`InputError` as :func:`read_ledger`
    does for a file that cannot be read.
    """
    data, name = _sheets.load_bytes(source, name)
    rows = _sheets.read_rows(data, name=name, sheet=sheet).rows
    start = _sheets.find_header(rows, _SYNONYMS, "、".join(w[0] for w in FIELDS.values()))
    return set(map_columns(rows[start]))


@dataclasses.dataclass(frozen=True)
class _Read:
    """
    A ledger being read, for the checks to share in place of long argument lists.

    ``folded`` holds the raw cells (``raw``) and their folded text; ``columns`` the header
    of each field (:func:`map_columns`); ``flags`` each row's quarantine so far; ``parsed``
    the values read (:func:`_parse_values`, then the dates).
    """

    folded: _sheets.Folded
    columns: dict[str, str]
    flags: _sheets.Flags
    parsed: dict[str, pd.Series]

    @property
    def raw(self) -> pd.DataFrame:
        """Every cell as written, as text."""
        return self.folded.raw


# --- validation -----------------------------------------------------------------------------


def _check_columns(columns: dict[str, str], header: list[str]) -> None:
    """Refuse a header without a name, with half a point, or with no location at all."""
    missing = []
    if "name" not in columns:
        missing.append("name")
    if ("lon" in columns) != ("lat" in columns):
        missing.append("lon" if "lat" in columns else "lat")
    if not {"lon", "district", "address", "adcode"} & set(columns):
        missing.append("location")
    if missing:
        said = "; ".join(NEEDED_COLUMNS[m] for m in missing)
        raise InputError(
            f"Expected columns for {said}; the header has {header!r}. "
            "Rename the columns (see the synonyms table in the README) or add them.",
            code="ledger_columns",
            details={"missing": "/".join(missing), "header": "、".join(map(str, header))},
        )


def _check_rows(folded: _sheets.Folded, columns: dict[str, str], flags: _sheets.Flags) -> None:
    """合计 rows, and rows missing a name or any location."""
    raw = folded.raw
    name = folded[columns["name"]]
    is_total = name.str.lower().isin(_TOTAL_WORDS)
    for field in ("district", "city"):
        if field in columns:
            label = folded[columns[field]]
            is_total |= label.str.lower().isin(_TOTAL_WORDS)
    flags.flag(is_total.to_numpy(), "total_row")
    flags.flag((name == "").to_numpy(), "missing_required", column=columns["name"])
    located = np.zeros(len(raw), dtype=bool)
    for field in ("lon", "lat", "district", "address", "adcode"):
        if field in columns:
            located |= (folded[columns[field]] != "").to_numpy()
    fields = {columns[f] for f in ("lon", "lat", "district", "address", "adcode") if f in columns}
    where = "/".join(c for c in raw.columns if c in fields)
    flags.flag(~located, "missing_required", column=where)


def _scale(field: str, header: str, cells: pd.Series) -> Decimal:
    """The unit a number column's header declares; 总投资 with no unit anywhere is refused."""
    if field in ("households", "buildings"):
        return Decimal(1)
    if field == "floor_area":
        # 建筑面积 is in m² unless its header says 万m²; a cell's own 万 still counts.
        return _cells.unit_scale(header, base="m2") or Decimal(1)
    scale = _cells.unit_scale(header, base="cny")
    if scale is not None:
        return scale
    text = _cells.normalise_text(cells).fillna("")
    bare = (text != "") & ~text.str.contains("元|万|亿", regex=True)
    if bare.any():
        sample = repr(text[bare].iloc[0])
        raise InputError(
            f"Expected the investment column {header!r} to state its unit; it does not, and "
            f"{int(bare.sum())} cells (e.g. {sample}) give none either. Rename the "
            f"column {header}（万元） or {header}（元）.",
            code="investment_unit",
            details={"header": header, "cells": str(int(bare.sum())), "sample": sample},
        )
    return Decimal(1)


def _parse_values(
    raw: pd.DataFrame, columns: dict[str, str], flags: _sheets.Flags
) -> dict[str, pd.Series]:
    """Numbers, year and batch, status and tags; bad cells quarantine their row."""
    parsed: dict[str, pd.Series] = {}
    for field, (out, integer) in _NUMBER_FIELDS.items():
        if field in columns:
            header = columns[field]
            scale = _scale(field, header, raw[header])
            numbers, problems = _cells.parse_numbers(
                raw[header], scale=scale, integer=integer, maximum=PLAUSIBLE_MAXIMUM[field]
            )
            _flag_numbers(field, header, raw[header], problems, flags)
            parsed[out] = numbers
    year_header = columns.get("year") or columns.get("batch")
    if year_header:
        year, batch, problems = _cells.parse_years(raw[year_header])
        bad = (problems == "bad_value").to_numpy()
        flags.flag(
            bad, "bad_value", column=year_header, detail=_sheets.quoted(raw[year_header], bad)
        )
        parsed["year"] = year
        parsed["batch"] = batch
        if "batch" in columns and "year" in columns:
            parsed["batch"] = _cells.normalise_text(raw[columns["batch"]]).replace("", pd.NA)
    if "status" in columns:
        status, problems = _cells.parse_statuses(raw[columns["status"]])
        bad = (problems == "bad_value").to_numpy()
        flags.flag(
            bad,
            "bad_value",
            column=columns["status"],
            detail=_sheets.quoted(raw[columns["status"]], bad),
        )
        parsed["status"] = status
    if "content" in columns:
        parsed["content_tags"] = _cells.parse_tags(raw[columns["content"]])
    _parse_priority_inputs(raw, columns, flags, parsed)
    return parsed


#: What :func:`_parse_priority_inputs` adds to the projects, where the ledger has the column.
_PRIORITY_COLUMNS = ("built_year", "consent_share", "consent_level")
_PLAIN_YEAR = re.compile(r"^[+-]?\d{1,5}(?:年)?$")
# A decade, as 建成年代 is often written: 80年代, 1980年代末, 上世纪90年代初, 2000年代中期.
_DECADE = re.compile(
    r"^(?:上世纪|20世纪|21世纪)?(?P<decade>(?:19|20)?\d0)年代(?P<part>初|中|末)?期?$"
)
#: The year a decade stands for: its middle, or the early/middle/late year 初/中/末 names.
_DECADE_YEAR = {"初": 2, "中": 5, "末": 8}


def _decade_years(text: pd.Series) -> pd.Series:
    """A decade as written (80年代, 1980年代末, 上世纪90年代初) → 1985, 1988, 1992; else missing."""
    found = text.astype(object).str.extract(_DECADE)
    decade = pd.to_numeric(found["decade"], errors="coerce").to_numpy(dtype="float64")
    # Two digits: 20年代 to 90年代 are the 1900s, 00年代 and 10年代 this century.
    decade = np.where(decade >= 100, decade, decade + np.where(decade >= 20, 1900, 2000))
    offset = found["part"].map(_DECADE_YEAR).fillna(5).to_numpy(dtype="float64")
    return pd.Series(pd.array(decade + offset, dtype="Int64"), index=text.index)


def _parse_priority_inputs(
    raw: pd.DataFrame, columns: dict[str, str], flags: _sheets.Flags, parsed: dict[str, pd.Series]
) -> None:
    """
    建成年代 → ``built_year`` (Int64) and 同意率 → ``consent_share`` (0-1, Float64).

    A year is read as 改造年度 is (1985, 1985年, a date), a decade as the year it stands for
    (80年代 → 1985, 1980年代末 → 1988, 上世纪90年代初 → 1992); a plain year before 1900 or after
    this year is ``impossible_year``; other unreadable years are ``bad_value``. Consent is
    read by :func:`geo.priorities.read_consent` (85%, 0.85, 八成, 同意 → ``consent_level``);
    below 0 or above 100 % is ``consent_out_of_range``, a 1-5 scale ``consent_scale``, anything
    else ``consent_unread``.
    """
    if "built_year" in columns:
        header = columns["built_year"]
        cells = raw[header]
        text = _cells.normalise_text(cells).fillna("")
        year, _, _problems = _cells.parse_years(cells)
        year = year.where(year.notna(), _decade_years(text))
        written = (text != "").to_numpy()
        plain = text.str.match(_PLAIN_YEAR).to_numpy()
        number = pd.to_numeric(text.str.rstrip("年"), errors="coerce").to_numpy()
        impossible = plain & ((number < 1900) | (number > _THIS_YEAR))
        flags.flag(
            impossible, "impossible_year", column=header, detail=_sheets.quoted(cells, impossible)
        )
        unread = written & year.isna().to_numpy() & ~impossible
        flags.flag(unread, "bad_value", column=header, detail=_sheets.quoted(cells, unread))
        parsed["built_year"] = year.mask(year > _THIS_YEAR)
    if "consent" in columns:
        header = columns["consent"]
        cells = raw[header]
        consent = _priorities.read_consent(cells, percent="%" in header or "％" in header)
        for reason in ("consent_out_of_range", "consent_scale", "consent_unread"):
            bad = (consent["problem"] == reason).to_numpy()
            flags.flag(bad, reason, column=header, detail=_sheets.quoted(cells, bad))
        parsed["consent_share"] = consent["share"]
        if consent["level"].notna().any():
            parsed["consent_level"] = consent["level"]


def _flag_numbers(
    field: str, header: str, cells: pd.Series, problems: pd.Series, flags: _sheets.Flags
) -> None:
    """Quarantine the cells :func:`geo.io.cells.parse_numbers` could not read exactly."""
    problems = problems.to_numpy(dtype=object)
    mask = problems == "approximate_number"
    flags.flag(mask, "approximate_number", column=header, detail=_sheets.quoted(cells, mask))
    details: dict[str, dict[str, object]] = {
        "bad_number": {"code": "inexact_number"},
        "negative_number": {"code": "negative_number"},
        "not_whole": {"code": "not_whole_number"},
        "out_of_range": {
            "code": "implausible_number",
            "top": int(PLAUSIBLE_MAXIMUM[field]),
            "unit": _UNITS[field],
        },
        "too_precise": {"code": "too_precise"},
    }
    for problem, params in details.items():
        mask = problems == problem
        detail = _sheets.quoted(cells, mask)
        flags.flag(mask, "bad_number", column=header, detail=detail, params=params)


# --- dates ----------------------------------------------------------------------------------


def _report_day(read: _Read, given: datetime.date | str | None) -> tuple[datetime.date, str]:
    """Read the date columns into ``parsed``; the ledger's report day and where it came from."""
    raw, columns, parsed, flags = read.raw, read.columns, read.parsed, read.flags
    for field in DATE_FIELDS:
        if field in columns:
            header = columns[field]
            parsed[field], problems = _cells.parse_dates(raw[header])
            bad = (problems == "bad_value").to_numpy()
            flags.flag(bad, "bad_value", column=header, detail=_sheets.quoted(raw[header], bad))
    if given is not None:
        return dates.parse_day(given), "given"
    if "report_date" in parsed:
        _, last = dates.bounds(parsed["report_date"])
        if not np.isnat(last).all():
            return np.nanmax(last).astype(datetime.date), "column"
    return dates.today(), "read"


def _check_dates(read: _Read, report: datetime.date, programme_start: int) -> None:
    """Quarantine dates that cannot be true: order, future, before the programme, status."""
    raw, columns, parsed, flags = read.raw, read.columns, read.parsed, read.flags
    fields = [f for f in ("start_date", "finish_date") if f in parsed]
    if not fields:
        return
    spans = {f: dates.bounds(parsed[f]) for f in fields}
    if len(fields) == 2:
        early = spans["finish_date"][1] < spans["start_date"][0]
        text = parsed["start_date"].fillna("") + " > " + parsed["finish_date"].fillna("")
        both = f"{columns['start_date']}/{columns['finish_date']}"
        flags.flag(early, "date_order", column=both, detail=text.to_numpy(dtype=object))
    own = np.full(len(raw), np.datetime64(report, "D"))
    if "report_date" in parsed:
        _, last = dates.bounds(parsed["report_date"])
        own = np.where(np.isnat(last), own, last)
    began = np.datetime64(f"{programme_start}-01-01", "D")
    for field in fields:
        first, last = spans[field]
        text = parsed[field].fillna("")
        later = (text + " > " + pd.Series(own.astype(str), index=raw.index)).to_numpy(dtype=object)
        flags.flag(first > own, "future_date", column=columns[field], detail=later)
        before = (text + f" < {programme_start}").to_numpy(dtype=object)
        flags.flag(last < began, "before_programme", column=columns[field], detail=before)
    if "status" in parsed:
        _check_status(read, fields)


def _check_status(read: _Read, fields: Sequence[str]) -> None:
    """完工 or 开工 without their dates (``undated``), 计划 with a date or 开工 with a finish."""
    raw, columns, parsed, flags = read.raw, read.columns, read.parsed, read.flags
    status = parsed["status"].fillna("").to_numpy(dtype=object)
    written = raw[columns["status"]].fillna("").str.strip().to_numpy(dtype=object)
    has = {f: parsed[f].notna().to_numpy() for f in fields}
    needs = {"start_date": ("started", "completed"), "finish_date": ("completed",)}
    for field in fields:
        missing = np.isin(status, needs[field]) & ~has[field]
        flags.flag(missing, "undated", column=columns[field], detail=written)
    for code, field in (
        ("plan", "start_date"),
        ("plan", "finish_date"),
        ("started", "finish_date"),
    ):
        if field not in fields:
            continue
        clash = (status == code) & has[field]
        date = parsed[field].fillna("").to_numpy(dtype=object)
        params = {"code": "status_dated", "status": written, "header": columns[field]}
        flags.flag(clash, "status_dates", column=columns["status"], detail=date, params=params)


# --- where each row is ----------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _admin_places() -> pd.DataFrame:
    """County-level districts and zones by code: ``name``, ``city``, ``province``, ``level``."""
    index = boundaries.read_admin_index()
    districts = index.loc[index["level"] == "district", ["adcode", "district", "city", "province"]]
    districts = districts.rename(columns={"district": "name"}).assign(level="district")
    zones = gazetteer.list_zones().rename(columns={"code": "adcode"})
    zones = zones[["adcode", "name", "city", "province"]].assign(level="zone")
    return pd.concat([districts, zones]).drop_duplicates("adcode").set_index("adcode")


def _from_adcode(text: str, district: str, city: str, year: int | None) -> dict[str, object]:
    code = text[:6] if re.fullmatch(r"\d{6}(\d{3}|\d{6})?", text) else text
    places = _admin_places()
    if code not in places.index:
        words = json.dumps({"code": "not_a_county_code"})
        return {"status": "unknown", "note": repr(text), "words": words, "source": "adcode"}
    place = places.loc[code]
    found = {"status": place["level"] if place["level"] == "zone" else "ok", "adcode": code}
    found |= {"name": place["name"], "city": place["city"], "province": place["province"]}
    if district:
        named = _resolve_text(district, "", city, year)
        if named.get("adcode") not in (None, code):
            words = json.dumps(
                {"code": "code_names_other", "adcode": code, "place": place["name"]},
                ensure_ascii=False,
            )
            return {
                "status": "conflict",
                "note": repr(district),
                "words": words,
                "source": "adcode",
            }
    return found | {"source": "adcode"}


def _resolve_text(district: str, address: str, city: str, year: int | None) -> dict[str, object]:
    try:
        if district:
            found, source = (
                gazetteer.resolve_district(district, city=city or None, year=year),
                "district",
            )
        else:
            found, source = parse_address(address, city=city or None, year=year), "address"
    except UnknownPlaceError as exc:
        words = json.dumps({"code": "unknown_city", "closest": exc.suggestions}, ensure_ascii=False)
        return {"status": "unknown", "note": repr(exc.value), "words": words, "source": "city"}
    # The fields one by one: dataclasses.asdict deep-copies every candidate, and took 2 of
    # the 18 CPU seconds of a 300k-row national ledger (19,486 distinct keys).
    fields = ("status", "adcode", "name", "city", "province")
    out: dict[str, object] = {field: getattr(found, field) for field in fields}
    out["candidates"] = tuple(c["adcode"] for c in found.candidates)
    # The resolver's note as its code and parameters (gazetteer.NOTES, addresses.NOTES),
    # worded by layers; the detail as read is the text resolved.
    out["note"] = repr(district or address)
    out["words"] = json.dumps(found.words, ensure_ascii=False) if found.words else None
    return out | {"source": source}


def _resolve_one(
    adcode: str, district: str, address: str, city: str, year: int
) -> dict[str, object]:
    """What the row's own words say about its district, whatever its point says."""
    # Years outside the code lists (or 0 for "no year") resolve against today's names.
    usable_year = year if gazetteer.FIRST_RELIABLE_YEAR <= year <= _THIS_YEAR else None
    if adcode:
        return _from_adcode(adcode, district, city, usable_year)
    if district or address:
        return _resolve_text(district, address, city, usable_year)
    return {"status": "none", "source": "none"}


def _resolve_names(
    folded: _sheets.Folded, columns: dict[str, str], years: pd.Series, todo: np.ndarray
) -> pd.DataFrame:
    """Resolve every distinct (code, district, address, city, year) once; one row per input row."""
    raw = folded.raw
    keys = pd.DataFrame(index=raw.index)
    for field in ("adcode", "district", "address", "city"):
        keys[f"key_{field}"] = folded[columns[field]] if field in columns else ""
    keys["key_year"] = years.fillna(0).astype("int64") if years is not None else 0
    # An address is read only when the row gives neither code nor district (_resolve_one).
    # Blanking it otherwise leaves a few thousand distinct keys instead of one per row: a
    # 100k-row ledger with a 地址 column resolved 85,562 keys in 21 s before this, 3,263 after.
    named = (keys["key_adcode"] != "") | (keys["key_district"] != "")
    keys.loc[named, "key_address"] = ""
    keys = keys[todo]
    # And an address only by the part that decides its district (addresses.address_key):
    # a real ledger's addresses are all distinct, a 100k-row one with no 区县 column took
    # 33 s (one parse per address), their keys are a few hundred.
    full = keys["key_address"]
    keys["key_address"] = full.map(_address_keys(full))
    group, first = _key_groups(keys)
    found = _resolve_rows(keys.iloc[first])
    merged = found.iloc[group].set_axis(keys.index.rename("index"))
    merged = _renote_unknown_addresses(merged, full)
    return merged.reindex(raw.index)


def _key_groups(keys: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """
    Each row's group of equal keys (numbered as first seen), and each group's first row.

    What ``drop_duplicates`` then a merge back on every key column give, by one factorisation
    per column: the merge was most of a small ledger's name stage.
    """
    group = np.zeros(len(keys), dtype=np.int64)
    for column in keys.columns:
        codes, uniques = pd.factorize(keys[column])
        # Missing keys (-1) are a value of their own, as they are to merge and drop_duplicates.
        group, _ = pd.factorize(group * (len(uniques) + 1) + codes + 1)
    first = np.full(group.max() + 1 if len(group) else 0, len(group), dtype=np.int64)
    np.minimum.at(first, group, np.arange(len(group)))
    return group, first


#: What a row's words resolve to; ``note`` says why they did not (as read: a quoted cell, or
#: the gazetteer's note), ``words`` the note's code and parameters (JSON) where it has words.
_RESOLVED = [
    "status", "adcode", "name", "city", "province", "candidates", "note", "words", "source"
]  # fmt: skip


def _address_keys(addresses: pd.Series) -> dict[str, str]:
    return {text: address_key(text) if text else "" for text in addresses.unique()}


def _resolve_rows(unique: pd.DataFrame) -> pd.DataFrame:
    """What each distinct key resolves to, beside the key."""
    # The keys as Python objects, column by column: itertuples walked Arrow's strings a cell
    # at a time.
    cells = [unique[column].to_numpy(dtype=object) for column in unique.columns]
    found = pd.DataFrame(
        [_resolve_one(*row) for row in zip(*cells, strict=True)],
        index=unique.index,
        columns=_RESOLVED,
    )
    return pd.concat([unique, found], axis=1)


def _renote_unknown_addresses(merged: pd.DataFrame, full: pd.Series) -> pd.DataFrame:
    """A not-found address's note quotes the address itself: those rows, from the full text."""
    # An address naming no place at all (幸福路3号) has an empty key, as a row with no words:
    # it is read again too, so its note says why rather than nothing.
    nameless = (merged["status"] == "none") & (full.reindex(merged.index).fillna("") != "")
    lost = ((merged["status"] == "unknown") & (merged["source"] == "address")) | nameless
    if not lost.any():
        return merged
    keys = merged.loc[lost, ["key_adcode", "key_district", "key_address", "key_city", "key_year"]]
    keys = keys.assign(key_address=full.reindex(keys.index))
    again = _resolve_rows(keys.drop_duplicates())
    notes = keys.reset_index().merge(again, on=list(keys.columns), how="left").set_index("index")
    # As objects: where no row found words, a column of Nones came back as floats.
    merged = merged.astype(dict.fromkeys(_RESOLVED, object))
    merged.loc[lost, _RESOLVED] = notes[_RESOLVED].reindex(merged.index[lost]).to_numpy()
    return merged


@dataclasses.dataclass(frozen=True)
class _Points:
    """Each row's coordinates as written (NaN where none) and their datum (None where none)."""

    lon: np.ndarray
    lat: np.ndarray
    datums: np.ndarray


@dataclasses.dataclass(frozen=True)
class _Located:
    """
    What the resolver knows of each row once its point is placed, for the helpers to share.

    ``points`` as written; ``lon_w``/``lat_w`` the same in WGS84 (NaN where not converted);
    ``named`` the adcode the row's words name and ``status`` how they resolved
    (:func:`_resolve_names`); ``county`` the district the WGS84 point falls in (None where
    none); ``places`` :func:`_admin_places`; ``folder`` the boundaries' folder.
    """

    points: _Points
    lon_w: np.ndarray
    lat_w: np.ndarray
    named: np.ndarray
    status: np.ndarray
    county: np.ndarray
    places: pd.DataFrame
    folder: Path | None


_ALTERNATIVES = {
    "wgs84": ("gcj02", "bd09"),
    "cgcs2000": ("gcj02", "bd09"),
    "gcj02": ("wgs84", "bd09"),
    "bd09": ("gcj02", "wgs84"),
}


def _to_wgs84(
    lon: np.ndarray, lat: np.ndarray, datums: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Convert each row from its own datum; rows without one stay NaN."""
    lon_out = np.full(len(lon), np.nan)
    lat_out = np.full(len(lat), np.nan)
    for datum in pd.unique(datums[pd.notna(datums)]):
        rows = datums == datum
        lon_out[rows], lat_out[rows] = crs.to_wgs84(lon[rows], lat[rows], datum)
    return lon_out, lat_out


def _datum_message(
    lon: np.ndarray, lat: np.ndarray, named: np.ndarray, folder: Path | None
) -> tuple[str, dict[str, str]]:
    """
    The no-datum error and its details, with a hint when named districts single a datum out.

    The details (``best``, ``tally``) let a front end write the hint in its own language.
    """
    text = (
        "Expected a declared datum for the coordinates: declare wgs84, cgcs2000, gcj02 or bd09 "
        "for the file, or add a 坐标系 column. Coordinates from "
        "Amap (高德) or Tencent are gcj02, from Baidu bd09, from GPS or OSM wgs84, from "
        "Tianditu (天地图) or official surveys cgcs2000. Nothing was converted."
    )
    rows = pd.notna(named) & ~np.isnan(lon)
    if rows.sum() < 3:
        return text, {}
    hits = {}
    for datum in ("wgs84", "gcj02", "bd09"):
        lon_w, lat_w = crs.to_wgs84(lon[rows], lat[rows], datum)
        hits[datum] = int(
            (boundaries.assign_districts(lon_w, lat_w, folder=folder) == named[rows]).sum()
        )
    top = max(hits.values())
    best = " or ".join(d for d, n in hits.items() if n == top)
    tally = ", ".join(f"{d} {n}/{int(rows.sum())}" for d, n in hits.items())
    if top > min(hits.values()):
        text += (
            f" Hint, not applied: read as {best}, the most points fall in the district their "
            f"row names ({tally})."
        )
        # Language-neutral for the front ends' own words: the datums joined by "/".
        return text, {"best": best.replace(" or ", "/"), "tally": tally}
    return text, {}


def _mismatch_hints(at: _Located, rows: np.ndarray) -> np.ndarray:
    """For mismatched rows, the other datum that would put the point in its named district."""
    lon, lat, datums = at.points.lon, at.points.lat, at.points.datums
    hints = np.full(len(lon), "", dtype=object)
    for declared, others in _ALTERNATIVES.items():
        subset = rows & (datums == declared)
        for other in others:
            todo = subset & (hints == "")
            if not todo.any():
                continue
            lon_w, lat_w = crs.to_wgs84(lon[todo], lat[todo], other)
            fits = boundaries.assign_districts(lon_w, lat_w, folder=at.folder) == at.named[todo]
            hints[np.flatnonzero(todo)[fits]] = f"{declared}→{other}"
    return hints


def _or_none(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` where ``mask``, None elsewhere, as an object array."""
    return np.where(mask, values, np.full(len(mask), None, dtype=object))


def _lookup(table: pd.Series, keys: np.ndarray) -> np.ndarray:
    """``table[key]`` for each key as an object array, ``None`` where the key is absent."""
    # Looked up once per distinct key (a ledger's rows name a few hundred districts).
    codes, distinct = pd.factorize(keys)
    found = table.reindex(pd.Index(distinct, dtype=object))
    values = found.astype(object).where(found.notna(), None).to_numpy()
    return np.append(values, np.array([None], dtype=object))[codes]


def _city_names(read: _Read) -> np.ndarray:
    """The canonical city each row names (新乡 → 新乡市), or None; unknown cities quarantined."""
    raw, folded, columns, flags = read.raw, read.folded, read.columns, read.flags
    if "city" not in columns:
        return np.full(len(raw), None, dtype=object)
    text = folded[columns["city"]]

    def canonical(name: str) -> str | None:
        try:
            return gazetteer.resolve_city(name)["city"]
        except UnknownPlaceError:
            return None

    known = {name: canonical(name) for name in text[text != ""].unique()}
    cities = text.map(known).astype(object)
    cities = cities.where(cities.notna(), None).to_numpy()
    unknown = (text != "").to_numpy() & pd.isna(cities)
    detail = _sheets.quoted(raw[columns["city"]], unknown)
    flags.flag(unknown, "bad_value", column=columns["city"], detail=detail)
    return cities


def _locate(
    read: _Read, names: pd.DataFrame, points: _Points, folder: Path | None
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """
    Decide each row's district from its point and its words; disagreements are flagged.

    Returns the placed rows and the file's datum notes (:func:`_datum_suspicions`).
    """
    raw, columns, flags = read.raw, read.columns, read.flags
    lon, lat, datums = points.lon, points.lat, points.datums
    places = _admin_places()
    cities = _city_names(read)
    lonlat = "/".join(columns[f] for f in ("lon", "lat") if f in columns)
    point = ~np.isnan(lon) & flags.ok()
    status = names["status"].fillna("none").to_numpy(dtype=object)
    named = names["adcode"].astype(object).where(names["adcode"].notna(), None).to_numpy()
    if (point & pd.isna(datums)).any():
        if "datum" not in columns:
            message, details = _datum_message(lon, lat, _or_none(status == "ok", named), folder)
            raise InputError(
                message,
                fix="datum",
                code="no_datum_hint" if details else "no_datum",
                details=details,
            )
        flags.flag(point & pd.isna(datums), "missing_required", column=columns["datum"])
        point &= flags.ok()
    lon_w, lat_w = _to_wgs84(lon, lat, _or_none(point, datums))
    county = np.full(len(raw), None, dtype=object)
    county[point] = boundaries.assign_districts(lon_w[point], lat_w[point], folder=folder)
    at = _Located(points, lon_w, lat_w, named, status, county, places, folder)
    lost = point & pd.isna(county)
    where = _rows_text(lost, lambda at: _lonlat_text(lon_w[at], lat_w[at]))
    where_params = {"code": "point_in_no_district"}
    flags.flag(lost, "no_district", column=lonlat, detail=where, params=where_params)
    point &= flags.ok()
    said = {"detail": names["note"].astype(object).fillna("").to_numpy(dtype=object)}
    said["params"] = names["words"].astype(object).where(names["words"].notna(), None).to_numpy()
    words = "/".join(columns[f] for f in ("adcode", "district", "address") if f in columns)
    alone = ~point & flags.ok()
    flags.flag(alone & (status == "ambiguous"), "ambiguous_district", column=words, **said)
    flags.flag(alone & (status == "conflict"), "district_mismatch", column=words, **said)
    flags.flag(alone & np.isin(status, ["unknown", "none"]), "no_district", column=words, **said)
    county_city = _lookup(places["city"], county)
    named_city = _lookup(places["city"], named)
    # Only rows whose name is ambiguous need their point among the name's candidates.
    among = np.zeros(len(raw), dtype=bool)
    ambiguous = np.flatnonzero(status == "ambiguous")
    among[ambiguous] = [
        c in (cands if isinstance(cands, tuple) else ())
        for c, cands in zip(county[ambiguous], names["candidates"].iloc[ambiguous], strict=True)
    ]
    if not len(raw):
        return _placed(at, raw.index, point), []
    agree = (
        ((status == "none") & (pd.isna(cities) | (cities == county_city)))
        | (np.isin(status, ["ok", "historical"]) & (named == county))
        | ((status == "ambiguous") & among)
        | ((status == "zone") & (named_city == county_city))
    )
    mismatch = point & ~agree
    notes = _datum_suspicions(at, point & np.isin(status, ["ok", "historical"]))
    # Words that name no single district are quoted from their own columns, beside the point's.
    quoted = "/".join(read.columns[f] for f in _WRITTEN_FIELDS if f in read.columns)
    written = _written(read, mismatch & pd.isna(named))
    _flag_mismatch(at, mismatch, flags, lonlat, written, f"{quoted}/{lonlat}")
    return _placed(at, raw.index, point & flags.ok()), notes


def _datum_suspicions(at: _Located, rows: np.ndarray) -> list[dict[str, object]]:
    """
    A note for each declared datum whose points another datum would put in their districts.

    ``rows`` have a point and name a district. For each datum declared on at least three of
    them, the points are read in each other datum (:data:`_ALTERNATIVES`): when one puts more
    of them in the district their row names, by two or more, or by every one still off, the
    note ``datum_suspect`` gives the declared datum, the ``best`` one and how many fit each
    (``fits_declared``, ``fits_best`` of ``rows``). Nothing is converted: it is a hint.
    Another datum's count is taken only as far as it can still gain (:func:`_other_fits`).
    """
    datums, named, county = at.points.datums, at.named, at.county
    notes: list[dict[str, object]] = []
    for declared in pd.unique(datums[rows]):
        group = rows & (datums == declared)
        total = int(group.sum())
        off = group & (county != named)
        fits = {str(declared): total - int(off.sum())}
        if total < 3 or not off.any():
            continue
        for other in _ALTERNATIVES[str(declared)]:
            found = _other_fits(at, other, off, group & ~off)
            if found is not None:
                fits[other] = fits[str(declared)] + found
        top = max(fits.values())
        gain = top - fits[str(declared)]
        if gain >= 2 or (gain >= 1 and top == total):
            notes.append(
                {
                    "code": "datum_suspect",
                    "declared": str(declared),
                    # Language-neutral, as the no-datum hint: the datums joined by "/".
                    "best": "/".join(d for d, n in fits.items() if n == top),
                    "rows": total,
                    "fits_declared": fits[str(declared)],
                    "fits_best": top,
                }
            )
    return notes


#: Points read again in another datum at a time, until that datum can gain nothing.
_CHUNK = 4096


def _other_fits(at: _Located, other: str, off: np.ndarray, fit: np.ndarray) -> int | None:
    """
    How many more points ``other`` puts where their rows name than the declared datum.

    None when it can put no more there (it then neither gives nor shares the note).

    Another datum can only gain among the ``off`` points (misplaced as declared), and only
    loses among the ``fit`` ones (placed as declared). So the ``off`` points are read first:
    the gain is at most those placed. The ``fit`` points are then read a chunk at a time,
    and as soon as they lose as many, no more are read. A clean national ledger (300k
    points, a few off) was read four times whole for no note; now a few thousand points.
    """
    lon, lat = at.points.lon, at.points.lat

    def placed(rows: np.ndarray) -> int:
        lon_w, lat_w = crs.to_wgs84(lon[rows], lat[rows], other)
        found = boundaries.assign_districts(lon_w, lat_w, folder=at.folder)
        return int((found == at.named[rows]).sum())

    gained = placed(np.flatnonzero(off))
    lost = 0
    rows = np.flatnonzero(fit)
    for start in range(0, len(rows), _CHUNK):
        if lost >= gained:
            return None
        chunk = rows[start : start + _CHUNK]
        lost += len(chunk) - placed(chunk)
    return None if lost >= gained else gained - lost


def _rows_text(mask: np.ndarray, text: Callable[[np.ndarray], object]) -> np.ndarray:
    """``text(rows)`` in the rows of ``mask``, ``""`` elsewhere: messages only where flagged."""
    out = np.full(len(mask), "", dtype=object)
    at = np.flatnonzero(mask)
    if at.size:
        out[at] = np.asarray(text(at), dtype=object)
    return out


def _lonlat_text(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    both = pd.Series(lon).round(6).astype(str) + ", " + pd.Series(lat).round(6).astype(str)
    return both.to_numpy(dtype=object)


def _flag_mismatch(
    at: _Located,
    mismatch: np.ndarray,
    flags: _sheets.Flags,
    column: str,
    written: np.ndarray,
    written_column: str,
) -> None:
    """
    Quarantine the rows whose point is in another district than their words name.

    The detail names both places (``point_elsewhere``); ``_fits`` adds the datum (``fix``)
    that would put the point in the named district (:func:`_mismatch_hints`). Words that
    name no single district (unknown, none but a city, several, a code and a name that
    disagree) are quoted as ``written`` (:func:`_written`) beside the point's district
    (``written_point_elsewhere``), with no datum's hint: no district is named for another
    datum to put the point in; their column names the columns quoted and the point's
    (``written_column``), the others' the point's (``column``).
    """
    if not mismatch.any():
        return
    unnamed = pd.isna(at.named)
    hints = _mismatch_hints(at, mismatch & ~unnamed)
    names = at.places["name"]
    # Names only of the mismatched rows.
    county = _rows_text(mismatch, lambda rows: _place_names(names, at.county[rows]))
    named = _rows_text(mismatch & ~unnamed, lambda rows: _place_names(names, at.named[rows]))
    fix = np.char.partition(hints.astype(str), "→")[:, 2].astype(object)
    hinted = hints != ""
    elsewhere = {"code": "point_elsewhere", "named": named, "county": county}
    flags.flag(
        mismatch & ~unnamed & hinted,
        "district_mismatch",
        column=column,
        params=elsewhere | {"code": "point_elsewhere_fits", "fix": fix},
    )
    flags.flag(mismatch & ~unnamed, "district_mismatch", column=column, params=elsewhere)
    flags.flag(
        mismatch & unnamed,
        "district_mismatch",
        column=written_column,
        detail=written,
        params={"code": "written_point_elsewhere", "county": county},
    )


#: The columns of a row's words for its place, as :func:`_written` quotes them, in order.
_WRITTEN_FIELDS = ("adcode", "district", "address", "city")


def _written(read: _Read, rows: np.ndarray) -> np.ndarray:
    """
    What each of ``rows`` wrote of its place, as written: "'幸福区' / '新乡'" ("" elsewhere).

    Each filled cell of its code, district, address and city columns quoted (``repr``), in
    that order, joined by " / " (in no language): the words a planner looks for.
    """
    headers = [read.columns[f] for f in _WRITTEN_FIELDS if f in read.columns]

    def quoted(at: np.ndarray) -> list[str]:
        cells = read.raw[headers].iloc[at].astype(object).to_numpy()
        return [" / ".join(repr(c) for c in row if pd.notna(c) and str(c).strip()) for row in cells]

    return _rows_text(rows, quoted)


def _place_names(names: pd.Series, codes: np.ndarray) -> np.ndarray:
    """Each code's place name, "?" where none."""
    return np.where(pd.isna(codes), "?", _lookup(names, codes)).astype(object)


def _named_districts(read: _Read, names: pd.DataFrame) -> np.ndarray:
    """
    The district (or zone) each quarantined row's own words name, else None.

    None where they name none or several. The workspace shows a district's quarantined rows
    from the version current for it. ``names`` are every row's: those of rows refused before
    their names were read (a bad number) were read with the others, in the same pass (a
    second pass for them cost 8 % of a 10k-row ledger's import).
    """
    quarantined = ~read.flags.ok()
    status = names["status"].to_numpy(dtype=object)
    named = names["adcode"].to_numpy(dtype=object)
    found = np.isin(status, ["ok", "historical", "zone"])
    return _or_none(found & quarantined & pd.notna(named), named)


def _placed(at: _Located, index: pd.Index, point: np.ndarray) -> pd.DataFrame:
    """The reporting unit of each row: a named zone, else the point's district, else the name's."""
    named, county, places = at.named, at.county, at.places
    zone = at.status == "zone"
    adcode = np.where(zone, named, np.where(point, county, named))
    county_adcode = np.where(point, county, _or_none(~zone, named))
    placed = pd.DataFrame(
        {
            "adcode": pd.array(adcode, dtype="string"),
            "county_adcode": pd.array(county_adcode, dtype="string"),
            "located": np.where(point, LOCATED[0], np.where(zone, LOCATED[2], LOCATED[1])),
            "lon": np.where(point, at.lon_w, np.nan),
            "lat": np.where(point, at.lat_w, np.nan),
        },
        index=index,
    )
    # One lookup of each distinct code for the four columns; -1 (not a place, or no code)
    # takes the None at the end, and the rows take their code's answer.
    codes, distinct = pd.factorize(adcode)
    found = np.append(places.index.get_indexer(pd.Index(distinct, dtype=object)), -1)
    for column in ("name", "city", "province", "level"):
        mapped = np.append(places[column].to_numpy(dtype=object), [None])[found]
        # Code -1 (none) takes the last answer, that of no place.
        answers = pd.array(mapped, dtype="string").take(codes)
        placed["district" if column == "name" else column] = answers
    return placed


def _grouped_rows(group: np.ndarray, rows: pd.Series) -> np.ndarray:
    """Each row's group as its row numbers ([3, 17, 42]): one list per group, not per row."""
    # ``group`` numbers the groups 0, 1, 2…, so the sorted groups' lists are in that order.
    order = np.argsort(group, kind="stable")
    numbers = rows.to_numpy()[order]
    starts = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1]])
    return _objects(part.tolist() for part in np.split(numbers, starts[1:]))[group]


def _objects(items: Iterable[object]) -> np.ndarray:
    """An object array of ``items`` as they are (lists stay lists, not a second dimension)."""
    values = list(items)
    out = np.empty(len(values), dtype=object)
    for at, value in enumerate(values):
        out[at] = value
    return out


#: A figure column → its field, as the details name it (``ledger_field_<field>``).
_FIGURE_FIELDS = {column: field for field, (column, _) in _NUMBER_FIELDS.items()}


def _flag_duplicates(
    name: pd.Series, placed: pd.DataFrame, parsed: dict, rows: np.ndarray, flags: _sheets.Flags
) -> None:
    """Same community and district: conflicting figures flag all; a same-year repeat, the later."""
    frame = pd.DataFrame({"key_name": name, "key_code": placed["adcode"], "row": rows})
    for column in [*_FIGURES, "year"]:
        frame[column] = parsed.get(column, pd.NA)
    frame = frame[flags.ok() & placed["adcode"].notna().to_numpy()]
    frame = frame[frame.duplicated(["key_name", "key_code"], keep=False)]
    if frame.empty:
        return
    groups = frame.groupby(["key_name", "key_code"], sort=False)
    at = frame.index.to_numpy()
    listed = np.empty(len(rows), dtype=object)
    listed[at] = _grouped_rows(groups.ngroup().to_numpy(), frame["row"])
    differ = {
        field: (groups[column].transform("nunique") > 1).to_numpy()
        for column, field in _FIGURE_FIELDS.items()
    }
    fields = np.empty(len(rows), dtype=object)
    fields[at] = _objects([f for f, found in differ.items() if found[i]] for i in range(len(at)))
    conflict = np.logical_or.reduce(list(differ.values()))
    mask = np.zeros(len(rows), dtype=bool)
    mask[at[conflict]] = True
    params = {"code": "conflicting_rows", "rows": listed, "fields": fields}
    flags.flag(mask, "duplicate_conflict", params=params)
    # Same figures: a community renovated in two years is two records, the same year is one.
    repeat = frame[~conflict].duplicated(["key_name", "key_code", "year"], keep="first")
    mask[:] = False
    mask[repeat.index[repeat.to_numpy()]] = True
    flags.flag(mask, "duplicate_row", params={"code": "repeated_rows", "rows": listed})


_PROJECT_COLUMNS = [
    "row",
    "name",
    "address",
    "city",
    "district",
    "adcode",
    "level",
    "county_adcode",
    "province",
    "located",
    "year",
    "batch",
    "status",
    "content_tags",
    *_FIGURES,
    "lon",
    "lat",
    "datum",
    "lon_source",
    "lat_source",
]


def _projects(
    read: _Read, placed: pd.DataFrame, points: _Points, rows: np.ndarray
) -> gpd.GeoDataFrame:
    """Clean rows as a GeoDataFrame in EPSG:4326; district-located rows have no geometry."""
    raw, columns, parsed, ok = read.raw, read.columns, read.parsed, read.flags.ok()
    # The columns gathered first, the frame made once: a column added at a time copied the
    # frame's index and blocks each time (8 ms of every ledger's import, whatever its size).
    columns_of: dict[str, Any] = {"row": rows}
    for field in ("name", "address"):
        # As written, minus outer spaces: 'Ａ座 1号' stays itself; only matching normalises.
        text = raw[columns[field]].str.strip().replace("", pd.NA) if field in columns else pd.NA
        columns_of[field] = pd.Series(text, index=raw.index, dtype="string")
    columns_of.update(placed.reindex(raw.index).items())
    for column in ("year", "batch", "status", "content_tags", *_FIGURES):
        columns_of[column] = parsed.get(column, pd.Series(pd.NA, index=raw.index))
    point = placed["located"].to_numpy() == "point"
    columns_of["datum"] = pd.array(_or_none(point, points.datums), dtype="string")
    columns_of["lon_source"] = np.where(point, points.lon, np.nan)
    columns_of["lat_source"] = np.where(point, points.lat, np.nan)
    data = pd.DataFrame(columns_of, index=raw.index)
    # Unrecognised columns travel along under their own header, as text.
    known = set(columns.values())
    extra = [c for c in raw.columns if c not in known and c not in _PROJECT_COLUMNS]
    # A ledger's dates (only where it has their columns) follow the figures, as ISO text.
    # So do a build year and a consent share (only where the ledger has their columns).
    weighed = [*DATE_FIELDS, *_PRIORITY_COLUMNS]
    dated = pd.DataFrame({f: parsed[f] for f in weighed if f in parsed}, index=raw.index)
    data = pd.concat([data[_PROJECT_COLUMNS], dated, raw[extra]], axis=1)[ok]
    with _sheets.collector_paused():
        geometry = shapely.points(data["lon"].to_numpy(), data["lat"].to_numpy())
    geometry[np.isnan(data["lon"].to_numpy())] = None
    return gpd.GeoDataFrame(data.reset_index(drop=True), geometry=geometry, crs="EPSG:4326")


# --- the pipeline ---------------------------------------------------------------------------


def read_ledger(
    source: str | Path | bytes,
    *,
    crs_name: str | None = None,
    sheet: str | None = None,
    name: str | None = None,
    progress: Progress | None = None,
    folder: Path | None = None,
    report_date: datetime.date | str | None = None,
    programme_start: int = PROGRAMME_START,
) -> Ledger:
    """
    Read a ledger and sort every row into clean projects or quarantine.

    ``source`` is a path or the file's bytes (``name`` then gives its file name). ``crs_name``
    declares the datum of the file's coordinates (one of :data:`geo.crs.DATUMS`); a 坐标系
    cell overrides it for its row. ``progress(fraction, stage)`` is called after each stage.
    Start and finish dates (开工日期, 完工日期 and their synonyms) are read as days or months
    (:func:`geo.io.cells.parse_dates`); a row whose dates cannot be true is quarantined:
    ``date_order``, ``future_date`` (after the report date: the row's 填报日期 cell, else
    ``report_date``, else the latest 填报日期 of the file, else today in Beijing; see
    :attr:`Ledger.report_date`), ``before_programme`` (before ``programme_start``),
    ``undated`` (开工 or 完工 without the date its status needs) and ``status_dates`` (计划 with a
    date, 开工 with a finish date). Ledgers without date columns are read as before.
    Raises :class:`InputError` only for a file that cannot be read as a whole; a bad row
    never raises. Projects come out in EPSG:4326.
    """
    crs.check_datum(crs_name)
    report = progress or (lambda fraction, stage: None)
    data, name = _sheets.load_bytes(source, name)
    table = _sheets.read_rows(data, name=name, sheet=sheet)
    start = _sheets.find_header(table.rows, _SYNONYMS, "、".join(w[0] for w in FIELDS.values()))
    header, body, numbers, broken, formulas = _sheets.table_body(table, start)
    encoding, sheet_title, sheets = table.encoding, table.sheet, table.sheets
    short_is_ragged = table.short_rows_are_ragged
    del table  # the rows as lists: the frame below holds the same text
    raw, ragged, blank = _sheets.text_frame(body, header, short_is_ragged=short_is_ragged)
    del body
    columns = map_columns(header)
    _check_columns(columns, header)
    flags = _sheets.Flags(len(raw))
    _sheets.flag_read_problems(flags, raw, header, (broken, blank, ragged), formulas)
    flags.stage("read")
    report(0.2, "read")
    folded = _sheets.Folded(raw)
    _check_rows(folded, columns, flags)
    flags.stage("rows")
    read = _Read(folded, columns, flags, _parse_values(raw, columns, flags))
    parsed = read.parsed
    report_day, report_source = _report_day(read, report_date)
    _check_dates(read, report_day, programme_start)
    lon, lat = _sheets.parse_points(raw, columns, flags)
    datums = _sheets.row_datums(raw, columns, crs_name, flags)
    overridden = _datum_overridden(columns, crs_name, datums, ~np.isnan(lon) & flags.ok())
    points = _Points(lon, lat, datums)
    flags.stage("values")
    report(0.4, "values")
    # Every row's words, read once: those of rows refused before this stage (a bad number)
    # still name the district whose quarantine shows them (_named_districts).
    every = _resolve_names(folded, columns, parsed.get("year"), np.ones(len(raw), dtype=bool))
    names = every[flags.ok()].reindex(raw.index)
    report(0.6, "names")
    placed, notes = _locate(read, names, points, folder)
    notes = overridden + notes
    flags.stage("locate")
    report(0.8, "locate")
    community = folded[columns["name"]]
    _flag_duplicates(community, placed, parsed, numbers, flags)
    flags.stage("duplicates")
    projects = _projects(read, placed, points, numbers)
    districts = _named_districts(read, every)
    quarantine = _sheets.quarantine_frame(raw, numbers, flags, REASONS, adcode=districts)
    report(1.0, "done")
    return Ledger(
        projects,
        quarantine,
        len(raw),
        columns,
        flags.stages,
        encoding,
        sheet_title,
        sheets,
        notes=notes,
        report_date=report_day.isoformat(),
        report_date_source=report_source,
    )


def _datum_overridden(
    columns: dict[str, str], crs_name: str | None, datums: np.ndarray, located: np.ndarray
) -> list[dict[str, object]]:
    """
    The note ``datum_overridden`` when the 坐标系 column names another datum than ``crs_name``.

    A row's own datum comes first (it is followed, not the declaration); the note says for
    how many rows with readable coordinates (``located``), and which datums the column named,
    so that a planner who declared WGS84 on an Amap file that says gcj02 learns which was used.
    """
    if crs_name is None or "datum" not in columns:
        return []
    other = pd.notna(datums) & (datums != crs_name) & located
    if not other.any():
        return []
    named = sorted({str(d) for d in datums[other]})
    return [
        {
            "code": "datum_overridden",
            "declared": crs_name,
            "column": columns["datum"],
            "rows": int(other.sum()),
            "datums": "/".join(named),
        }
    ]


def raw_cells(
    source: str | Path | bytes, *, name: str | None = None, sheet: str | None = None
) -> pd.DataFrame:
    """
    Every data row of a ledger file as written: ``row``, then each cell by header, as text.

    ``row`` is the row as a spreadsheet numbers it. These are the cells
    :func:`read_ledger` starts from, for a caller that quarantines clean rows later (the
    workspace's ``out_of_scope``) and must keep their raw values. A header that is itself
    ``row`` comes out as ``raw:row``.
    """
    data, name = _sheets.load_bytes(source, name)
    table = _sheets.read_rows(data, name=name, sheet=sheet)
    start = _sheets.find_header(table.rows, _SYNONYMS, "、".join(w[0] for w in FIELDS.values()))
    header, body, numbers, _, _ = _sheets.table_body(table, start)
    raw, _, _ = _sheets.text_frame(body, header, short_is_ragged=table.short_rows_are_ragged)
    cells = raw.reset_index(drop=True)
    cells.columns = [f"raw:{c}" if c == "row" else c for c in cells.columns]
    return pd.concat([pd.DataFrame({"row": np.asarray(numbers)}), cells], axis=1)


def community_key(names: pd.Series) -> pd.Series:
    """
    The form of community names the duplicate rules compare: NFKC-folded, spaces removed.

    The workspace matches rows between two versions of a ledger by this key and the adcode,
    as :func:`read_ledger` does for duplicates; a missing name folds to "".
    """
    return _cells.normalise_text(names.astype("string")).fillna("")


def read_projects(path: str | Path) -> gpd.GeoDataFrame:
    """
    Read back the clean projects that ``atlas ingest`` wrote.

    A .gpkg (layer ``projects``) or .geojson; codes come back as text. Output CRS is EPSG:4326.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"Expected a projects file from `atlas ingest`; {str(path)!r} is missing.",
            code="file_missing",
            details={"name": str(path)},
        )
    gpkg = path.suffix.lower() == ".gpkg"
    try:
        # GDAL opens it with the driver its suffix names, or not at all (geo.io.gdal).
        projects = _gdal.read_dataframe(
            path, "GPKG" if gpkg else "GeoJSON", layer="projects" if gpkg else None
        )
    except (*_gdal.GDAL_ERRORS, shapely.errors.GEOSException) as exc:
        raise InputError(
            f"Expected a .gpkg (layer projects) or .geojson written by `atlas ingest`; "
            f"{path.name!r} cannot be read as one ({exc}). Write it again with atlas ingest.",
            code="projects_unreadable",
            details={"name": path.name},
        ) from None
    missing = [c for c in ("name", "adcode", "households") if c not in projects]
    if missing:
        raise InputError(
            f"Expected the columns of `atlas ingest` output; {path.name} lacks {missing}. "
            "Write it by ingesting the ledger (atlas ingest) into a GeoPackage.",
            code="projects_columns",
            details={"name": path.name, "columns": "/".join(missing)},
        )
    projects["adcode"] = projects["adcode"].astype("string")
    return projects.to_crs("EPSG:4326")
