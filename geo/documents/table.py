"""
A figures table (CSV/XLSX) filled in by a bureau: read it as figures, quarantine bad rows.

One row per reported figure: place, period, status, metric, the value as the document writes
it, and its source (document number, issuer, date, line or page). :func:`read_figure_table`
reads it with the rules ledgers follow (:mod:`geo.io.sheets`: any encoding, header synonyms in
Chinese or English, every raw cell kept) and returns :class:`FigureTable`: the clean rows
shaped like :func:`geo.figures.load_figures` (so the map, compare and quality code take them
unchanged) and the quarantine, each bad row with its row number, a reason code from
:data:`REASONS` with its column and detail (layers words them) and its raw cells. Rows in = clean +
quarantined. Values are read exactly (:mod:`geo.documents.quantities`): ``2.7万余户`` is 27,000 and
``at_least``; a range is quarantined, never averaged. :func:`template_bytes` writes the blank
template (``atlas figures template``).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from geo import gazetteer
from geo.documents import cues
from geo.documents.quantities import fold_text, read_quantity
from geo.documents.review import FIGURE_COLUMNS, as_figures
from geo.errors import InputError, UnknownPlaceError
from geo.io import sheets as _sheets

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "FIELDS",
    "NEEDED_COLUMNS",
    "REASONS",
    "STATUS_WORDS",
    "FigureTable",
    "Resolved",
    "read_figure_table",
    "read_source_line",
    "resolve_place",
    "template_bytes",
]

#: Field → header synonyms (compared NFKC-folded, lower-case, without spaces or a bracketed
#: part, so the template's ``地区 (place)`` matches 地区). The first word heads the template.
FIELDS: dict[str, tuple[str, ...]] = {
    "place": (
        "地区",
        "区县",
        "所属区县",
        "县（市、区）",
        "区域",
        "行政区",
        "地点",
        "place",
        "district",
    ),
    "city": ("城市", "所属城市", "市", "city"),
    "adcode": ("行政区划代码", "区划代码", "adcode"),
    "period": ("时期", "年度", "年份", "期间", "统计期", "period", "year"),
    "status": ("状态", "计划或完成", "类型", "status"),
    "metric": ("指标", "指标名称", "统计指标", "metric"),
    "value": ("数值（原文）", "数值", "原文数值", "数量", "value", "as_written"),
    "unit": ("单位", "计量单位", "unit"),
    "doc_number": ("文号", "文件编号", "发文字号", "doc_number"),
    "issuer": ("发文机关", "发文单位", "来源单位", "issuer"),
    "doc_date": ("日期", "发文日期", "成文日期", "印发日期", "doc_date", "date"),
    "title": ("文件名称", "文件标题", "标题", "title"),
    "source_line": ("行号或页码", "行号", "页码", "出处", "line", "page"),
    "note": ("备注", "说明", "note"),
}
_ENGLISH = {
    "place": "place", "city": "city", "adcode": "adcode", "period": "period",
    "status": "status", "metric": "metric", "value": "value as written", "unit": "unit",
    "doc_number": "document number", "issuer": "issuer", "doc_date": "date",
    "title": "title", "source_line": "line or page", "note": "note",
}  # fmt: skip
#: Words of a status cell → the figure status (compared folded, lower-case).
STATUS_WORDS: dict[str, str] = {
    **dict.fromkeys(("计划", "规划", "目标", "拟改造", "plan", "planned"), "plan"),
    **dict.fromkeys(
        ("完成", "已完成", "完工", "已完工", "竣工", "已竣工", "completed", "done"), "completed"
    ),
    **dict.fromkeys(
        ("实施中", "在建", "进行中", "开工", "已开工", "正在实施", "in_progress", "started"),
        "in_progress",
    ),
    **dict.fromkeys(("存量", "现状", "现有", "总量", "stock"), "stock"),
}
#: Reason codes of a refused figures-table row; layers words each with its ``column`` and
#: ``detail`` (``row_figures_<code>``, else ``row_<code>``, in data/wording.toml).
REASONS: tuple[str, ...] = (
    *_sheets.ROW_REASONS,
    "example_row",
    "missing_required",
    "bad_number",
    "range_value",
    "unit_mismatch",
    "unknown_metric",
    "no_district",
    "ambiguous_district",
    "district_mismatch",
    "duplicate_conflict",
    "duplicate_row",
)
_SYNONYMS = {_sheets.header_key(w): field for field, words in FIELDS.items() for w in words}
_CITY_WORDS = ("全市", "市本级", "全市合计", "合计", "总计")
_URBAN_WORDS = ("主城区", "中心城区", "市区")
_EXAMPLE = "示例"
_PROVENANCE = ("doc_number", "issuer", "title")
#: What a figures table needs a column for (the code an InputError ``figures_columns`` names in
#: ``needed``, "/" between; layers word it ``figures_column_<code>``) → its fields, any one of
#: which will do, and the English the message names it by.
NEEDED_COLUMNS: dict[str, tuple[tuple[str, ...], str]] = {
    "place": (("place", "adcode"), "地区 (place) or 行政区划代码 (adcode)"),
    "metric": (("metric",), "指标 (metric)"),
    "value": (("value",), "数值 (value)"),
    "status": (("status",), "状态 (status)"),
    "source": (_PROVENANCE, "文号 (doc_number), 发文机关 (issuer) or 文件名称 (title)"),
}
# Excel stores dates as days since 1899-12-30.
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


@dataclasses.dataclass
class FigureTable:
    """
    A read figures table: clean figures, quarantined rows, and the counts at every stage.

    ``figures`` is shaped like :func:`geo.figures.load_figures`, plus ``table_row``.
    """

    figures: pd.DataFrame
    quarantine: pd.DataFrame
    rows: int
    columns: dict[str, str]
    stages: list[dict[str, int | str]]
    encoding: str | None = None
    sheet: str | None = None

    def summary(self) -> dict[str, object]:
        """The one-line report: ``{"rows", "clean", "quarantined", "by_reason"}``."""
        by_reason = self.quarantine["reason"].value_counts().sort_index()
        return {
            "rows": self.rows,
            "clean": len(self.figures),
            "quarantined": len(self.quarantine),
            "by_reason": {str(k): int(v) for k, v in by_reason.items()},
        }


def read_figure_table(
    source: str | Path | bytes,
    *,
    name: str | None = None,
    sheet: str | None = None,
    city: str | None = None,
) -> FigureTable:
    """
    Read a figures table and sort every row into figures or quarantine.

    ``source`` is a path or the file's bytes (``name`` gives its file name). ``city`` is the
    city of rows whose 城市 cell is empty (their place is resolved within it). Raises
    :class:`~geo.errors.InputError` only for a file that cannot be read as a whole (encoding,
    format, no header, missing columns); a bad row never raises.
    """
    data, name = _sheets.load_bytes(source, name)
    table = _sheets.read_rows(data, name=name, sheet=sheet)
    start = _sheets.find_header(table.rows, _SYNONYMS, "、".join(w[0] for w in FIELDS.values()))
    header, body, numbers, broken, formulas = _sheets.table_body(table, start)
    encoding, sheet_title = table.encoding, table.sheet
    raw, ragged, blank = _sheets.text_frame(
        body, header, short_is_ragged=table.short_rows_are_ragged
    )
    columns = _map_columns(header)
    default_city = gazetteer.resolve_city(city)["city"] if city else None
    flags = _sheets.Flags(len(raw))
    _sheets.flag_read_problems(flags, raw, header, (broken, blank, ragged), formulas)
    flags.stage("read")
    folded = _sheets.Folded(raw)
    _check_rows(folded, columns, flags)
    flags.stage("rows")
    parsed = _parse(folded, columns, default_city, flags)
    flags.stage("values")
    _flag_duplicates(parsed, numbers, flags)
    flags.stage("duplicates")
    ok = flags.ok()
    figures = _figures(parsed[ok], numbers[ok], name, data)
    quarantine = _sheets.quarantine_frame(raw, numbers, flags, REASONS)
    return FigureTable(figures, quarantine, len(raw), columns, flags.stages, encoding, sheet_title)


def _map_columns(header: list[str]) -> dict[str, str]:
    """Field → header; every required field missing is named at once, with the fix."""
    columns = _sheets.claim_columns(header, _SYNONYMS)
    missing = [
        need for need, (fields, _) in NEEDED_COLUMNS.items() if not set(fields) & set(columns)
    ]
    if missing:
        said = "; ".join(NEEDED_COLUMNS[m][1] for m in missing)
        raise InputError(
            f"Expected columns for {said}; the header has {header!r}. Rename the columns or "
            "start from the template (`atlas figures template --out t.xlsx`).",
            code="figures_columns",
            details={"needed": "/".join(missing), "header": "、".join(map(str, header))},
        )
    return columns


def _check_rows(folded: _sheets.Folded, columns: dict[str, str], flags: _sheets.Flags) -> None:
    """The template's example row, and rows missing a metric, value, status, place or source."""
    if "note" in columns:
        example = folded[columns["note"]].str.startswith(_EXAMPLE).to_numpy()
        flags.flag(example, "example_row", column=columns["note"])
    for field in ("metric", "value", "status"):
        flags.flag(
            (folded[columns[field]] == "").to_numpy(), "missing_required", column=columns[field]
        )
    for fields in (("place", "adcode"), _PROVENANCE):
        present = [columns[f] for f in fields if f in columns]
        empty = np.logical_and.reduce([(folded[c] == "").to_numpy() for c in present])
        flags.flag(empty, "missing_required", column="/".join(present))


# --- cell values ----------------------------------------------------------------------------


def _parse(
    folded: _sheets.Folded, columns: dict[str, str], city: str | None, flags: _sheets.Flags
) -> pd.DataFrame:
    """Every field of every row, parsed once per distinct cell; bad cells flag their row."""
    raw = folded.raw
    cell = {
        f: (folded[c] if f in columns else pd.Series("", index=raw.index))
        for f, c in columns.items()
    }
    text = {f: raw[c].fillna("").str.strip() for f, c in columns.items()}
    out = pd.DataFrame(index=raw.index)
    out["doc_number"] = text.get("doc_number", "")
    out["issuer"] = text.get("issuer", "")
    out["title"] = text.get("title", "")
    out["doc_date"] = _dates(cell.get("doc_date"), raw.index, columns, flags)
    out["status"] = _statuses(cell["status"], columns, flags)
    year = out["doc_date"].str[:4].where(out["doc_date"] != "", _number_year(out["doc_number"]))
    _periods(out, cell.get("period"), year, columns, flags)
    _values(out, text["value"], text.get("unit"), cell["metric"], columns, flags)
    _places(out, cell.get("place"), cell.get("city"), cell.get("adcode"), city, columns, flags)
    out["line"], out["page"] = _source_lines(cell.get("source_line"), raw.index, columns, flags)
    return out


_Cell = TypeVar("_Cell")
_Parsed = TypeVar("_Parsed")
#: A place cell resolved: ``(place, adcode, level, city, province, problem, note)``.
Resolved = tuple[str | None, str | None, str | None, str | None, str | None, str | None, str]


def _mapped(cells: Iterable[_Cell], parse: Callable[[_Cell], _Parsed]) -> list[_Parsed]:
    """``parse`` of each distinct cell (or tuple of cells), one result per row."""
    distinct: dict[_Cell, _Parsed] = {}
    return [distinct[c] if c in distinct else distinct.setdefault(c, parse(c)) for c in cells]


def _flag_cells(
    flags: _sheets.Flags,
    mask: ArrayLike,
    reason: str,
    column: str,
    cells: pd.Series,
    detail: np.ndarray | None = None,
) -> None:
    mask = np.asarray(mask, dtype=bool)
    shown = _sheets.quoted(cells, mask) if detail is None else detail
    flags.flag(mask, reason, column=column, detail=shown)


def _dates(
    cells: pd.Series | None, index: pd.Index, columns: dict[str, str], flags: _sheets.Flags
) -> pd.Series:
    if cells is None:
        return pd.Series("", index=index)
    parsed = _mapped(cells, _read_date)
    bad = np.array([p is None for p in parsed], dtype=bool)
    _flag_cells(flags, bad, "bad_value", columns["doc_date"], cells)
    return pd.Series([p or "" for p in parsed], index=index)


def _read_date(text: str) -> str | None:
    if not text:
        return ""
    if match := re.fullmatch(r"((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text):
        try:
            return datetime.date(*map(int, match.groups())).isoformat()
        except ValueError:
            return None
    if re.fullmatch(r"\d{5}(?:\.0)?", text) and 32874 <= float(text) <= 58441:
        return (_EXCEL_EPOCH + datetime.timedelta(days=int(float(text)))).isoformat()
    return None


def _number_year(numbers: pd.Series) -> pd.Series:
    return numbers.str.extract(r"[〔\[(（【]\s*((?:19|20)\d{2})", expand=False).fillna("")


def _statuses(cells: pd.Series, columns: dict[str, str], flags: _sheets.Flags) -> pd.Series:
    statuses = cells.str.lower().map(STATUS_WORDS).astype(object)
    bad = statuses.isna() & (cells != "")
    _flag_cells(flags, bad, "bad_value", columns["status"], cells)
    return statuses


def _periods(
    out: pd.DataFrame,
    cells: pd.Series | None,
    years: pd.Series,
    columns: dict[str, str],
    flags: _sheets.Flags,
) -> None:
    if cells is None:
        out["period_start"], out["period_end"], out["period_label"] = pd.NA, pd.NA, ""
        return
    keys = zip(cells, years, strict=True)
    parsed = _mapped(keys, lambda k: _read_period(k[0], int(k[1]) if k[1] else None))
    bad = np.array([p is None for p in parsed], dtype=bool)
    _flag_cells(flags, bad, "bad_value", columns["period"], cells)
    periods = [p or (None, None, "") for p in parsed]
    out["period_start"] = pd.array([p[0] for p in periods], dtype="Int64")
    out["period_end"] = pd.array([p[1] for p in periods], dtype="Int64")
    out["period_label"] = [p[2] for p in periods]


def _read_period(text: str, year: int | None) -> tuple[int | None, int | None, str] | None:
    """A period cell: 2023, 2023年, 2019-2023, 2019年至2022年, 2021年以来; None if not one."""
    if not text:
        return None, None, ""
    written = text + "年" if re.fullmatch(r"\d{4}(?:\s*[-—~至到]\s*\d{4})?", text) else text
    found = cues.find_periods(fold_text(written).text, year=year)
    if len(found) != 1 or found[0].label != re.sub(r"\s+", "", fold_text(written).text):
        return None
    return found[0].first, found[0].last, text


@functools.lru_cache(maxsize=1)
def _metric_names() -> tuple[pd.DataFrame, dict[str, str]]:
    from geo.figures import load_metrics

    metrics = load_metrics().set_index("metric")
    names = {key: key for key in metrics.index}
    for key, row in metrics.iterrows():
        names[fold_text(row["label_zh"]).text.replace(" ", "")] = key
        names[row["label_en"].lower().replace(" ", "")] = key
    return metrics, names


def _values(
    out: pd.DataFrame,
    values: pd.Series,
    units: pd.Series | None,
    metric_cells: pd.Series,
    columns: dict[str, str],
    flags: _sheets.Flags,
) -> None:
    """
    Metric and exact value of each row.

    The unit is the value's own, else the unit column's, else the metric's; a value that is no
    number, a range or in the wrong unit flags its row.
    """
    metrics, names = _metric_names()
    units = units if units is not None else pd.Series("", index=values.index)
    keys = zip(metric_cells, values, units, out["status"].fillna(""), strict=True)
    parsed = _mapped(keys, lambda k: _read_value(*k, metrics, names))
    for reason, field in (
        ("unknown_metric", "metric"),
        ("bad_number", "value"),
        ("range_value", "value"),
        ("unit_mismatch", "value"),
    ):
        mask = np.array([p[4] == reason for p in parsed], dtype=bool)
        _flag_cells(
            flags, mask, reason, columns[field], values if field == "value" else metric_cells
        )
    out["metric"] = [p[0] for p in parsed]
    out["value"] = [p[1] for p in parsed]
    out["unit"] = [p[2] for p in parsed]
    out["qualifier"] = [p[3] for p in parsed]
    out["as_written"] = values


def _read_value(
    metric_text: str,
    value: str,
    unit: str,
    status: str,
    metrics: pd.DataFrame,
    names: dict[str, str],
) -> tuple[str | None, str | None, str | None, str | None, str | None]:
    """(metric, value text, unit, qualifier, problem) of one row."""
    metric = names.get(metric_text) or names.get(metric_text.lower())
    default = metrics.at[metric, "unit_zh"] if metric else None
    written = value.strip()
    if unit and re.fullmatch(r"[约近超]?\s*[\d.,]+\s*(?:万|亿)?\s*(?:余|多)?", written):
        written += unit
    quantity = read_quantity(written, default_unit=default)
    if quantity is None:
        return metric, None, None, None, "bad_number"
    if metric is None:
        found, _, _ = cues.metric_of(
            quantity, metric_text, "", metric_text, metric_text, status=status
        )
        metric = found if found not in (None, "other") else None
    if metric is None:
        return None, None, None, None, "unknown_metric"
    if quantity.qualifier == "range":
        return metric, None, None, None, "range_value"
    if quantity.unit != metrics.at[metric, "unit"]:
        return metric, None, None, None, "unit_mismatch"
    return metric, str(quantity.value), quantity.unit, quantity.qualifier, None


def _places(
    out: pd.DataFrame,
    places: pd.Series | None,
    cities: pd.Series | None,
    codes: pd.Series | None,
    default_city: str | None,
    columns: dict[str, str],
    flags: _sheets.Flags,
) -> None:
    """Place, adcode and level of each row, through the gazetteer; failures flag the row."""
    index = out.index
    blank = pd.Series("", index=index)
    keys = zip(
        places if places is not None else blank,
        cities if cities is not None else blank,
        codes if codes is not None else blank,
        strict=True,
    )
    parsed = _mapped(keys, lambda k: _resolve(*k, default_city))
    column = "/".join(columns[f] for f in ("place", "city", "adcode") if f in columns)
    for reason in ("no_district", "ambiguous_district", "district_mismatch"):
        mask = np.array([p[5] == reason for p in parsed], dtype=bool)
        detail = np.array(
            [p[6] if m else "" for p, m in zip(parsed, mask, strict=True)], dtype=object
        )
        flags.flag(mask, reason, column=column, detail=detail)
    for i, field in enumerate(("place", "adcode", "level", "city", "province")):
        out[field] = [p[i] for p in parsed]


def resolve_place(place: str, *, city: str | None = None, code: str = "") -> Resolved:
    """
    Where a table's place cell points: ``(place, adcode, level, city, province, problem, note)``.

    ``place`` is a district, zone, city or 全市/合计 (the city itself) within ``city``; a
    ``code`` (6 digits) is checked against it. ``problem`` is ``no_district``,
    ``ambiguous_district``, ``district_mismatch`` or ``None``; ``note`` says why. Plans read
    their places the way figures tables do.
    """
    return _resolve(place, "", code, city)


def _resolve(place: str, city: str, code: str, default_city: str | None) -> Resolved:
    """(place, adcode, level, city, province, problem, note) of one row's place."""
    wanted = city or default_city
    try:
        found_city = gazetteer.resolve_city(wanted) if wanted else None
    except UnknownPlaceError as exc:
        return (None,) * 5 + ("no_district", str(exc))
    if code:
        return _from_code(place, code, found_city)
    if not place:
        return (None,) * 5 + ("no_district", "no place or adcode")
    if found_city and (place in _CITY_WORDS or place in (found_city["city"], city)):
        return (
            place,
            found_city["adcode"],
            "city",
            found_city["city"],
            found_city["province"],
            None,
            "",
        )
    if found_city and place in _URBAN_WORDS:
        row = found_city
        return place, row["adcode"], "urban_area", row["city"], row["province"], None, ""
    try:
        whole = gazetteer.resolve_city(place)
        if not found_city or whole["adcode"] == found_city["adcode"]:
            return place, whole["adcode"], "city", whole["city"], whole["province"], None, ""
    except UnknownPlaceError:
        pass
    found = gazetteer.resolve_district(place, city=found_city["city"] if found_city else None)
    if found.status == "ambiguous":
        return (None,) * 5 + ("ambiguous_district", found.note)
    if found.adcode is None:
        return (None,) * 5 + ("no_district", found.note)
    level = "zone" if found.status == "zone" else "district"
    return place, found.adcode, level, found.city, found.province, None, ""


@functools.lru_cache(maxsize=1)
def _codes() -> dict[str, tuple[str, str, str, str]]:
    """Adcode → (name, level, city, province) of every district, zone and city."""
    from geo.boundaries import read_admin_index

    index = read_admin_index()
    codes = {}
    for row in index.itertuples(index=False):
        if row.level in ("district", "city"):
            name = row.district if row.level == "district" else row.city
            codes[row.adcode] = (name, row.level, row.city, row.province)
    for row in gazetteer.list_zones().itertuples(index=False):
        codes.setdefault(row.code, (row.name, "zone", row.city, row.province))
    return codes


def _from_code(place: str, code: str, found_city: dict[str, str] | None) -> Resolved:
    entry = _codes().get(code[:6] if re.fullmatch(r"\d{6}(\d{3}|\d{6})?", code) else code)
    if entry is None:
        return (None,) * 5 + ("no_district", f"{code!r} is not a district, zone or city code")
    name, level, city, province = entry
    if found_city and city != found_city["city"]:
        return (None,) * 5 + ("district_mismatch", f"{code} is in {city}, not {found_city['city']}")
    if place and place not in _CITY_WORDS + _URBAN_WORDS:
        named = gazetteer.resolve_district(place, city=city)
        if named.adcode not in (None, code[:6]) or (named.adcode is None and level != "city"):
            return (None,) * 5 + ("district_mismatch", f"{code[:6]} is {name}, not {place!r}")
    level = "urban_area" if place in _URBAN_WORDS else level
    return place or name, code[:6], level, city, province, None, ""


def _source_lines(
    cells: pd.Series | None, index: pd.Index, columns: dict[str, str], flags: _sheets.Flags
) -> tuple[pd.Series, pd.Series]:
    """Line and page of ``第31行``, ``31``, ``第3页第12行``, ``p.3``; other text flags its row."""
    if cells is None:
        return pd.Series(pd.NA, index=index, dtype="Int64"), pd.Series(
            pd.NA, index=index, dtype="Int64"
        )
    parsed = _mapped(cells, _read_source_line)
    bad = np.array([p is None for p in parsed], dtype=bool)
    _flag_cells(flags, bad, "bad_value", columns["source_line"], cells)
    lines = [p or (None, None) for p in parsed]
    return (
        pd.Series(pd.array([p[0] for p in lines], dtype="Int64"), index=index),
        pd.Series(pd.array([p[1] for p in lines], dtype="Int64"), index=index),
    )


def read_source_line(text: str) -> tuple[int | None, int | None] | None:
    """``(line, page)`` of ``第31行``, ``31``, ``第3页第12行``, ``p.3``; None for other text."""
    return _read_source_line(text)


def _read_source_line(text: str) -> tuple[int | None, int | None] | None:
    if not text:
        return None, None
    if re.fullmatch(r"\d+", text):
        return int(text), None
    page = re.search(r"第?(\d+)页|^p\.?(\d+)", text, re.IGNORECASE)
    line = re.search(r"第?(\d+)行", text)
    if not (page or line) or re.sub(r"第?\d+[页行]|^p\.?\d+|[，,、\s]", "", text, flags=re.I):
        return None
    page_number = next(g for g in page.groups() if g) if page else None
    return (int(line.group(1)) if line else None), (int(page_number) if page_number else None)


# --- rows -----------------------------------------------------------------------------------


def _flag_duplicates(parsed: pd.DataFrame, rows: np.ndarray, flags: _sheets.Flags) -> None:
    """
    Flag duplicates: same place, period, status, metric and document.

    Different values flag every copy, the same value flags the later ones.
    """
    keys = [
        "adcode",
        "level",
        "period_start",
        "period_end",
        "status",
        "metric",
        "doc_number",
        "issuer",
    ]
    frame = parsed.assign(row=rows)[flags.ok()]
    frame = frame[frame.duplicated(keys, keep=False)]
    if frame.empty:
        return
    groups = frame.groupby(keys, dropna=False, sort=False)
    listed = groups["row"].transform(lambda r: "、".join(map(str, r)))
    conflict = (groups["value"].transform("nunique") > 1).to_numpy()
    detail = np.full(len(rows), "", dtype=object)
    at = frame.index.to_numpy()
    detail[at] = ("rows " + listed).to_numpy(dtype=object)
    mask = np.zeros(len(rows), dtype=bool)
    mask[at[conflict]] = True
    flags.flag(mask, "duplicate_conflict", detail=detail)
    repeat = frame[~conflict].duplicated(keys, keep="first").to_numpy()
    mask[:] = False
    mask[at[~conflict][repeat]] = True
    flags.flag(mask, "duplicate_row", detail=detail)


def _figures(parsed: pd.DataFrame, rows: np.ndarray, name: str, data: bytes) -> pd.DataFrame:
    """Clean rows as figures: ``doc_id`` names the document, ``table_row`` the row read."""
    sha = hashlib.sha256(data).hexdigest()
    source = parsed["doc_number"] + "|" + parsed["issuer"] + "|" + parsed["doc_date"]
    doc_ids = source.map(lambda s: "table-" + hashlib.sha1(s.encode()).hexdigest()[:10])
    figures = as_figures(parsed.assign(role="reported"))
    figures = figures.assign(
        doc_id=doc_ids.to_numpy(),
        doc_number=parsed["doc_number"].to_numpy(),
        issuer=parsed["issuer"].to_numpy(),
        doc_date=parsed["doc_date"].to_numpy(),
        title=parsed["title"].to_numpy(),
        seed_file=name,
        doc_sha256=sha,
        table_row=rows,
    )
    figures["figure_id"] = [f"{d}-r{r}" for d, r in zip(figures["doc_id"], rows, strict=True)]
    return figures[[*FIGURE_COLUMNS, "table_row"]]


# --- the template ---------------------------------------------------------------------------


_EXAMPLE_ROW = {
    "place": "卫滨区", "city": "新乡市", "adcode": "410703", "period": "2023",
    "status": "计划", "metric": "户数", "value": "3279户", "unit": "",
    "doc_number": "新百城提质办〔2023〕2号", "issuer": "新乡市百城建设提质工程领导小组办公室",
    "doc_date": "2023-02-07", "title": "2023年新乡市重点民生实事城镇老旧小区改造工作实施方案",
    "source_line": "第31行", "note": "示例行，读取时忽略（example row: skipped when read）",
}  # fmt: skip


def template_bytes() -> bytes:
    """
    The blank figures table as XLSX.

    Chinese headers with English beside, one example row (marked in 备注, skipped when read),
    drop-down lists for 状态 and 指标, and a guide sheet listing every metric with its unit
    and every status word.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    metrics, _ = _metric_names()
    book = Workbook()
    sheet = book.active
    sheet.title = "figures 数值"
    fields = list(FIELDS)
    sheet.append([f"{FIELDS[f][0]} ({_ENGLISH[f]})" for f in fields])
    sheet.append([_EXAMPLE_ROW[f] for f in fields])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        cell.fill = PatternFill("solid", fgColor="FFF2CC")
    sheet.freeze_panes = "A2"
    for i, field in enumerate(fields, start=1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = (
            14 if field != "title" else 30
        )
    lists = book.create_sheet("lists")
    statuses = ["计划", "实施中", "完成", "存量"]
    for row, (status, label) in enumerate(
        zip(statuses + [""] * len(metrics), list(metrics["label_zh"]), strict=False), start=1
    ):
        lists.cell(row, 1, status or None)
        lists.cell(row, 2, label)
    lists.sheet_state = "hidden"
    for field, source in (
        ("status", f"lists!$A$1:$A${len(statuses)}"),
        ("metric", f"lists!$B$1:$B${len(metrics)}"),
    ):
        column = sheet.cell(1, fields.index(field) + 1).column_letter
        check = DataValidation(type="list", formula1=f"={source}", allow_blank=True)
        # A list only proposes: 指标 also takes a metric key or another wording (checked on read).
        check.showErrorMessage = False
        sheet.add_data_validation(check)
        check.add(f"{column}2:{column}1000")
    _guide(book.create_sheet("说明 guide"), metrics)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _guide(sheet: Worksheet, metrics: pd.DataFrame) -> None:
    sheet.append(["指标 metric", "中文名", "English", "单位 unit"])
    for key, row in metrics.iterrows():
        sheet.append([key, row["label_zh"], row["label_en"], row["unit_zh"]])
    sheet.append([])
    sheet.append(["状态 status", "可填写 words"])
    for status in ("plan", "in_progress", "completed", "stock"):
        sheet.append([status, "、".join(w for w, s in STATUS_WORDS.items() if s == status)])
    sheet.append([])
    sheet.append(
        [
            "数值 value",
            "照原文填写，如 2.7万余户、29.19万平方米、约300户；范围（100-200户）不能作为一个数值",
        ]
    )
    sheet.append(["时期 period", "2023、2019-2023、2019年至2022年、2021年以来"])
    sheet.append(["行号或页码", "原文件中的位置：第31行、第3页第12行"])
