"""
Project records: read a ledger (台账), validate every row, and quarantine what cannot be used.

:func:`read_ledger` takes a CSV (UTF-8, UTF-8 with BOM, UTF-16 with BOM, GBK or GB18030) or
an XLSX file and returns a :class:`Ledger`: the clean projects as a GeoDataFrame in EPSG:4326
and the quarantined rows, each with its row number as a spreadsheet shows it (the header is
row 1), a reason code from :data:`REASONS`, a message in Chinese and English and every raw
value. At every stage, rows in = clean + quarantined; :attr:`Ledger.stages` records it.

Headers in Chinese or English map to fields through :data:`FIELDS`; columns that match no
field are kept as they are. Coordinates need a declared datum (``crs=`` for the file, or a
坐标系 column per row); a file with coordinates and no datum raises :class:`LedgerError`
whose message says how to declare one, and suggests one when the named districts allow it.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime
import functools
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import boundaries, crs, gazetteer, values
from geo.addresses import parse_address
from geo.errors import LedgerError, UnknownPlaceError

__all__ = ["FIELDS", "REASONS", "Ledger", "decode_csv", "read_ledger", "read_rows"]

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
}

#: Reason code → (Chinese, English) message; ``{column}`` and ``{detail}`` are filled per row.
REASONS: dict[str, tuple[str, str]] = {
    "bad_encoding": (
        "此行编码与文件其他行不同，无法读取：{detail}",
        "this line is not in the file's encoding: {detail}",
    ),
    "ragged_row": (
        "列数与表头不符：{detail}",
        "the row has a different number of cells than the header: {detail}",
    ),
    "blank_row": ("空行", "the row is empty"),
    "total_row": ("合计行，不是小区", "a total row, not a community"),
    "missing_required": ("缺少必填项：{column}", "a required value is missing: {column}"),
    "bad_number": (
        "{column}：无法精确读取的数值 {detail}",
        "{column}: {detail} is not an exact number",
    ),
    "approximate_number": (
        "{column}：约数 {detail}，需填写确数",
        "{column}: {detail} is approximate; give the exact figure",
    ),
    "bad_value": (
        "{column}：无法识别的值 {detail}",
        "{column}: {detail} is not a recognised value",
    ),
    "bad_coordinate": ("{column}：坐标无效 {detail}", "{column}: invalid coordinate {detail}"),
    "swapped_lon_lat": (
        "经纬度似乎填反了：{detail}",
        "longitude and latitude look swapped: {detail}",
    ),
    "outside_china": ("坐标在中国境外：{detail}", "the point is outside China: {detail}"),
    "zero_point": (
        "坐标为 (0, 0)，多为空值导出",
        "the point is (0, 0), usually an empty cell exported as zero",
    ),
    "no_district": ("无法确定所属区县：{detail}", "no district could be found: {detail}"),
    "ambiguous_district": ("区县名称有歧义：{detail}", "the district name is ambiguous: {detail}"),
    "district_mismatch": (
        "所填区县与坐标所在区县不一致：{detail}",
        "the named district disagrees with the point: {detail}",
    ),
    "duplicate_conflict": (
        "同名同区小区数据冲突：{detail}",
        "same community and district with conflicting figures: {detail}",
    ),
    "duplicate_row": ("重复记录：{detail}", "a repeated record: {detail}"),
}

_NUMBER_FIELDS = {  # field → (output column, whole numbers only)
    "households": ("households", True),
    "buildings": ("buildings", True),
    "floor_area": ("floor_area_m2", False),
    "investment": ("investment_cny", False),
}
_FIGURES = [column for column, _ in _NUMBER_FIELDS.values()]
_DATUM_WORDS = {
    "wgs84": ("wgs84", "wgs-84", "wgs1984", "gps", "epsg:4326", "4326"),
    "cgcs2000": (
        "cgcs2000",
        "cgcs-2000",
        "国家2000",
        "2000国家大地坐标系",
        "epsg:4490",
        "4490",
        "天地图",
    ),
    "gcj02": ("gcj02", "gcj-02", "火星坐标", "国测局", "高德", "腾讯", "amap", "tencent"),
    "bd09": ("bd09", "bd-09", "bd09ll", "百度", "baidu"),
}
_DATUM_LOOKUP = {w: d for d, words in _DATUM_WORDS.items() for w in words}
_TOTAL_WORDS = {"合计", "总计", "小计", "共计", "total", "subtotal", "sum"}
_HEADER_SCAN_ROWS = 10
_MAX_XLSX_BYTES = 200 * 1024 * 1024
_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")
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

    def summary(self) -> dict[str, object]:
        """The one-line report: ``{"rows", "clean", "quarantined", "by_reason"}``."""
        by_reason = self.quarantine["reason"].value_counts().sort_index()
        return {
            "rows": self.rows,
            "clean": len(self.projects),
            "quarantined": len(self.quarantine),
            "by_reason": {str(k): int(v) for k, v in by_reason.items()},
        }


# --- reading bytes into rows ---------------------------------------------------------------


def decode_csv(data: bytes) -> tuple[str, str, set[int]]:
    """
    Decode CSV bytes: BOM, then strict UTF-8, then strict GB18030, else :class:`LedgerError`.

    Returns the text, the encoding's name and the 1-based physical line numbers that are not
    in that encoding. Those come from a mostly-UTF-8 file with a few lines pasted from a GBK
    one: each such line is decoded with backslash escapes (never replacement characters) so
    its bytes stay visible, and the caller quarantines it as ``bad_encoding``.
    """
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16")):
        if data.startswith(bom) or (name == "utf-16" and data.startswith(codecs.BOM_UTF16_BE)):
            try:
                return data.decode(name), name, set()
            except UnicodeDecodeError as exc:
                raise LedgerError(_encoding_message(data, name, exc)) from exc
    try:
        return data.decode("utf-8"), "utf-8", set()
    except UnicodeDecodeError as exc:
        first_error = exc
    lines = data.split(b"\n")
    bad = {i + 1 for i, line in enumerate(lines) if not _is_utf8(line)}
    utf8_non_ascii = sum(1 for line in lines if not line.isascii() and _is_utf8(line))
    if utf8_non_ascii > len(bad):
        text = "\n".join(line.decode("utf-8", errors="backslashreplace") for line in lines)
        return text, "utf-8", bad
    try:
        return data.decode("gb18030"), "gb18030", set()
    except UnicodeDecodeError:
        raise LedgerError(_encoding_message(data, "UTF-8 or GB18030", first_error)) from None


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _encoding_message(data: bytes, tried: str, exc: UnicodeDecodeError) -> str:
    sample = data[max(0, exc.start - 8) : exc.start + 8]
    return (
        f"Expected a CSV in UTF-8, UTF-8/UTF-16 with BOM, GBK or GB18030; byte {exc.start} "
        f"({sample!r}) is not valid {tried}. Save the file again as 'CSV UTF-8' from Excel, "
        "or upload the .xlsx itself."
    )


def _csv_rows(text: str, bad_lines: set[int]) -> tuple[list[list[str]], list[int], list[bool]]:
    if "\x00" in text:
        raise LedgerError(
            "Expected a text CSV, got a file containing NUL bytes (a binary file?). "
            "Upload the ledger as .csv or .xlsx."
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;|", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, numbers, broken = [], [], []
    line = 0
    try:
        for record in reader:
            span = range(line + 1, reader.line_num + 1)
            line = reader.line_num
            rows.append(record)
            numbers.append(len(rows))
            broken.append(any(n in bad_lines for n in span))
    except csv.Error as exc:
        raise LedgerError(
            f"Expected a well-formed CSV; record {len(rows) + 1} (line {line + 1}) cannot be "
            f"split into cells: {exc}. Fix that line, or save the sheet again from Excel."
        ) from exc
    return rows, numbers, broken


def _cell_text(value: object) -> str:
    """One XLSX cell as text: whole floats without '.0', dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if getattr(value, "hour", 0) == 0 else value.isoformat()
    return str(value)


def _xlsx_rows(data: bytes, sheet: str | None) -> tuple[list[list[str]], list[int], str]:
    import openpyxl

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > _MAX_XLSX_BYTES:
        raise LedgerError(
            f"Expected an XLSX of at most {_MAX_XLSX_BYTES // 2**20} MB unpacked, got one that "
            f"unpacks to {unpacked // 2**20} MB. Split the ledger into several files."
        )
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        names = book.sheetnames
        if sheet is not None and sheet not in names:
            raise LedgerError(
                f"Expected a sheet named {sheet!r}; the workbook has {', '.join(names)}. "
                "Pass one of those with --sheet."
            )
        chosen = book[sheet] if sheet is not None else book.worksheets[0]
        rows, numbers = [], []
        for cells in chosen.iter_rows():
            texts = [_cell_text(getattr(c, "value", None)) for c in cells]
            # Read-only sheets skip rows with no cells; the cell's own row keeps the numbering.
            number = next((c.row for c in cells if getattr(c, "row", None)), None)
            rows.append(texts)
            numbers.append(number if number is not None else (numbers[-1] + 1 if numbers else 1))
        return rows, numbers, chosen.title
    finally:
        book.close()


def read_rows(
    data: bytes, *, name: str = "", sheet: str | None = None
) -> tuple[list[list[str]], list[int], list[bool], str | None, str | None]:
    """
    Split a ledger file into rows of text cells, with their 1-based row numbers.

    Returns rows, row numbers, a bad-encoding flag per row, the encoding (CSV) and the sheet
    (XLSX). Raises :class:`LedgerError` for a file that cannot be read at all.
    """
    suffix = Path(name).suffix.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        raise LedgerError(
            f"Expected .csv or .xlsx, got an old Excel .xls file ({name or 'upload'}). "
            "Open it in Excel or WPS and save it as .xlsx."
        )
    if data.startswith(b"PK\x03\x04") or suffix in {".xlsx", ".xlsm"}:
        try:
            rows, numbers, title = _xlsx_rows(data, sheet)
        except (zipfile.BadZipFile, KeyError, OSError) as exc:
            raise LedgerError(
                f"Expected an .xlsx workbook, but {name or 'the upload'} cannot be opened as "
                f"one ({exc}). Save it again from Excel as .xlsx, or as CSV UTF-8."
            ) from exc
        return rows, numbers, [False] * len(rows), None, title
    text, encoding, bad_lines = decode_csv(data)
    rows, numbers, broken = _csv_rows(text, bad_lines)
    return rows, numbers, broken, encoding, None


# --- headers --------------------------------------------------------------------------------


def _header_key(header: str) -> str:
    text = unicodedata.normalize("NFKC", header).strip().lower()
    return re.sub(r"\s+", "", _BRACKETS.sub("", text)).rstrip(":：")


_SYNONYMS = {_header_key(word): field for field, words in FIELDS.items() for word in words} | {
    _header_key(f"{word}（万元）"): "investment" for word in FIELDS["investment"]
}


def map_columns(header: list[str]) -> dict[str, str]:
    """
    Recognised field → header. Raises :class:`LedgerError` if two headers claim one field.
    """
    claims: dict[str, list[str]] = {}
    for column in header:
        field = _SYNONYMS.get(_header_key(column))
        if field is not None:
            claims.setdefault(field, []).append(column)
    clashes = {f: cols for f, cols in claims.items() if len(cols) > 1}
    if clashes:
        listed = "; ".join(f"{f}: {', '.join(map(repr, cols))}" for f, cols in clashes.items())
        raise LedgerError(
            f"Expected one column per field, got several for {listed}. "
            "Rename or delete the extra columns."
        )
    return {field: cols[0] for field, cols in claims.items()}


def _find_header(rows: list[list[str]]) -> int:
    for i, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        if len({_SYNONYMS.get(_header_key(c)) for c in row} - {None}) >= 2:
            return i
    first = next((r for r in rows if any(c.strip() for c in r)), [])
    known = "、".join(words[0] for words in FIELDS.values())
    raise LedgerError(
        f"Expected a header row naming at least two of: {known}; the first row reads "
        f"{[c for c in first if c][:8]!r}. Add a header row, or rename the columns."
    )


def _unique_headers(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, column in enumerate(header):
        column = column.strip() or f"column_{i + 1}"
        seen[column] = seen.get(column, 0) + 1
        out.append(column if seen[column] == 1 else f"{column}_{seen[column]}")
    return out


def _frame(body: list[list[str]], header: list[str]) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """
    Rows as a frame of text under ``header``, with ragged and blank masks.

    Cells past the header go to an ``extra_cells`` column, so a long row keeps its values.
    """
    width = len(header)
    lengths = np.fromiter((len(r) for r in body), dtype=np.int64, count=len(body))
    # A short row is padded so its raw values survive; only non-empty extra cells count.
    padded = [r + [""] * (width - len(r)) if len(r) < width else r[:width] for r in body]
    frame = pd.DataFrame(padded, columns=header, dtype=object).fillna("")
    long_rows = np.flatnonzero(lengths > width)
    extras = np.full(len(body), "", dtype=object)
    for i in long_rows:  # only rows longer than the header; usually none
        extras[i] = " | ".join(c for c in body[i][width:] if c.strip())
    if long_rows.size:
        frame["extra_cells"] = extras
    blank = np.fromiter((not any(c.strip() for c in r) for r in body), dtype=bool, count=len(body))
    ragged = ((lengths < width) & ~blank) | (extras != "")
    return frame, ragged, blank


# --- validation -----------------------------------------------------------------------------


class _Folded(dict):
    """Each column's NFKC-folded, space-free text ("" for empty), computed once per read."""

    def __init__(self, raw: pd.DataFrame) -> None:
        super().__init__()
        self.raw = raw

    def __missing__(self, header: str) -> pd.Series:
        self[header] = values.normalise_text(self.raw[header]).fillna("")
        return self[header]


class _Flags:
    """The first reason per row, with its column and detail; later checks skip flagged rows."""

    def __init__(self, rows: int) -> None:
        self.reason = np.full(rows, None, dtype=object)
        self.column = np.full(rows, "", dtype=object)
        self.detail_zh = np.full(rows, "", dtype=object)
        self.detail_en = np.full(rows, "", dtype=object)
        self.stages: list[dict[str, int | str]] = []

    def ok(self) -> np.ndarray:
        return pd.isna(self.reason)

    def flag(self, mask, reason: str, *, column: str = "", detail=None, detail_en=None) -> None:
        """Quarantine rows in ``mask`` not already quarantined; details may be per-row arrays."""
        mask = np.asarray(mask, dtype=bool) & self.ok()
        if not mask.any():
            return
        self.reason[mask] = reason
        self.column[mask] = column
        for target, text in (
            (self.detail_zh, detail),
            (self.detail_en, detail if detail_en is None else detail_en),
        ):
            if text is None:
                continue
            target[mask] = text if isinstance(text, str) else np.asarray(text, dtype=object)[mask]

    def stage(self, name: str) -> None:
        quarantined = int((~self.ok()).sum())
        rows = len(self.reason)
        self.stages.append(
            {"stage": name, "rows": rows, "clean": rows - quarantined, "quarantined": quarantined}
        )


def _check_columns(columns: dict[str, str], header: list[str]) -> None:
    missing = []
    if "name" not in columns:
        missing.append("小区名称 (name)")
    if ("lon" in columns) != ("lat" in columns):
        missing.append("经度 (lon)" if "lat" in columns else "纬度 (lat)")
    if not {"lon", "district", "address", "adcode"} & set(columns):
        missing.append("经度/纬度, 所属区县, 地址 or 行政区划代码 (a location)")
    if missing:
        raise LedgerError(
            f"Expected columns for {'; '.join(missing)}; the header has {header!r}. "
            "Rename the columns (see the synonyms table in the README) or add them."
        )


def _quoted(texts: pd.Series) -> np.ndarray:
    return texts.map(repr).to_numpy(dtype=object)


def _check_rows(folded: _Folded, columns: dict[str, str], flags: _Flags) -> None:
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
        return values.unit_scale(header, base="m2") or Decimal(1)
    scale = values.unit_scale(header, base="cny")
    if scale is not None:
        return scale
    text = values.normalise_text(cells).fillna("")
    bare = (text != "") & ~text.str.contains("元|万|亿", regex=True)
    if bare.any():
        raise LedgerError(
            f"Expected the investment column {header!r} to state its unit; it does not, and "
            f"{int(bare.sum())} cells (e.g. {text[bare].iloc[0]!r}) give none either. Rename the "
            f"column {header}（万元） or {header}（元）."
        )
    return Decimal(1)


def _parse_values(
    raw: pd.DataFrame, columns: dict[str, str], flags: _Flags
) -> dict[str, pd.Series]:
    """Numbers, year and batch, status and tags; bad cells quarantine their row."""
    parsed: dict[str, pd.Series] = {}
    for field, (out, integer) in _NUMBER_FIELDS.items():
        if field in columns:
            header = columns[field]
            scale = _scale(field, header, raw[header])
            numbers, problems = values.parse_numbers(raw[header], scale=scale, integer=integer)
            for code in ("approximate_number", "bad_number"):
                mask = (problems == code).to_numpy()
                flags.flag(mask, code, column=header, detail=_quoted(raw[header]))
            parsed[out] = numbers
    year_header = columns.get("year") or columns.get("batch")
    if year_header:
        year, batch, problems = values.parse_years(raw[year_header])
        flags.flag(
            (problems == "bad_value").to_numpy(),
            "bad_value",
            column=year_header,
            detail=_quoted(raw[year_header]),
        )
        parsed["year"] = year
        parsed["batch"] = batch
        if "batch" in columns and "year" in columns:
            parsed["batch"] = values.normalise_text(raw[columns["batch"]]).replace("", pd.NA)
    if "status" in columns:
        status, problems = values.parse_statuses(raw[columns["status"]])
        flags.flag(
            (problems == "bad_value").to_numpy(),
            "bad_value",
            column=columns["status"],
            detail=_quoted(raw[columns["status"]]),
        )
        parsed["status"] = status
    if "content" in columns:
        parsed["content_tags"] = values.parse_tags(raw[columns["content"]])
    return parsed


def _row_datums(raw: pd.DataFrame, columns: dict[str, str], crs_name: str | None, flags: _Flags):
    """The declared datum of each row: its 坐标系 cell, else the file's ``crs``, else None."""
    datum = pd.Series(crs_name, index=raw.index, dtype=object)
    if "datum" not in columns:
        return datum.to_numpy(dtype=object)
    header = columns["datum"]
    words = values.normalise_text(raw[header]).fillna("").str.lower()
    given = words.map(_DATUM_LOOKUP)
    flags.flag(
        ((words != "") & given.isna()).to_numpy(),
        "bad_value",
        column=header,
        detail=_quoted(raw[header]),
    )
    return given.where(given.notna(), datum).to_numpy(dtype=object)


def _parse_points(raw: pd.DataFrame, columns: dict[str, str], flags: _Flags):
    """Longitude and latitude as written; bad, partial, zero, swapped or foreign points flagged."""
    if "lon" not in columns:
        nan = np.full(len(raw), np.nan)
        return nan, nan.copy()
    lon_h, lat_h = columns["lon"], columns["lat"]
    lon, lon_problem = values.parse_coordinates(raw[lon_h])
    lat, lat_problem = values.parse_coordinates(raw[lat_h])
    pair = _quoted(raw[lon_h] + ", " + raw[lat_h])
    flags.flag(lon_problem.notna().to_numpy(), "bad_coordinate", column=lon_h, detail=pair)
    flags.flag(lat_problem.notna().to_numpy(), "bad_coordinate", column=lat_h, detail=pair)
    lon, lat = lon.to_numpy(), lat.to_numpy()
    half = np.isnan(lon) != np.isnan(lat)
    flags.flag(half, "bad_coordinate", column=f"{lon_h}/{lat_h}", detail=pair)
    flags.flag((lon == 0) & (lat == 0), "zero_point", column=f"{lon_h}/{lat_h}")
    swapped = (lon >= 0.8) & (lon <= 56) & (lat >= 72) & (lat <= 138)
    flags.flag(swapped, "swapped_lon_lat", column=f"{lon_h}/{lat_h}", detail=pair)
    wild = (np.abs(lon) > 180) | (np.abs(lat) > 90)
    flags.flag(
        wild,
        "bad_coordinate",
        column=f"{lon_h}/{lat_h}",
        detail=pair + "，不是经纬度（投影坐标？）",
        detail_en=pair + " is not in degrees (projected metres?)",
    )
    with np.errstate(invalid="ignore"):
        abroad = ~np.isnan(lon) & crs.is_outside_china(lon, lat)
    flags.flag(abroad, "outside_china", column=f"{lon_h}/{lat_h}", detail=pair)
    return lon, lat


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
        note = f"{text!r} is not a county-level code (6 digits, e.g. 410703)"
        return {"status": "unknown", "note": note, "source": "adcode"}
    place = places.loc[code]
    found = {"status": place["level"] if place["level"] == "zone" else "ok", "adcode": code}
    found |= {"name": place["name"], "city": place["city"], "province": place["province"]}
    if district:
        named = _resolve_text(district, "", city, year)
        if named.get("adcode") not in (None, code):
            note = f"code {code} is {place['name']}, but the district column says {district!r}"
            return {"status": "conflict", "note": note, "source": "adcode"}
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
        return {"status": "unknown", "note": str(exc), "source": "city"}
    out = found.to_dict()
    out["candidates"] = tuple(c["adcode"] for c in found.candidates)
    del out["query"]
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
    folded: _Folded, columns: dict[str, str], years: pd.Series, todo: np.ndarray
) -> pd.DataFrame:
    """Resolve every distinct (code, district, address, city, year) once; one row per input row."""
    raw = folded.raw
    keys = pd.DataFrame(index=raw.index)
    for field in ("adcode", "district", "address", "city"):
        keys[f"key_{field}"] = folded[columns[field]] if field in columns else ""
    keys["key_year"] = years.fillna(0).astype("int64") if years is not None else 0
    keys = keys[todo]
    unique = keys.drop_duplicates()
    found = pd.DataFrame(
        [_resolve_one(*row) for row in unique.itertuples(index=False)],
        index=unique.index,
        columns=["status", "adcode", "name", "city", "province", "candidates", "note", "source"],
    )
    found = pd.concat([unique, found], axis=1)
    merged = keys.reset_index().merge(found, on=list(keys.columns), how="left").set_index("index")
    return merged.reindex(raw.index)


_ALTERNATIVES = {
    "wgs84": ("gcj02", "bd09"),
    "cgcs2000": ("gcj02", "bd09"),
    "gcj02": ("wgs84", "bd09"),
    "bd09": ("gcj02", "wgs84"),
}
_DATUM_LABELS = {
    "wgs84": "WGS84 (GPS, OSM)",
    "cgcs2000": "CGCS2000 (天地图)",
    "gcj02": "GCJ-02 (高德/腾讯 Amap/Tencent)",
    "bd09": "BD-09 (百度 Baidu)",
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


def _datum_message(lon, lat, named: np.ndarray, folder: Path | None) -> str:
    """The no-datum error, with a suggestion when named districts single one datum out."""
    text = (
        "Expected a declared datum for the coordinates: pass --crs wgs84|cgcs2000|gcj02|bd09 "
        "(in the app, choose it under the upload), or add a 坐标系 column. Coordinates from "
        "Amap (高德) or Tencent are gcj02, from Baidu bd09, from GPS or OSM wgs84, from "
        "Tianditu (天地图) or official surveys cgcs2000. Nothing was converted."
    )
    rows = pd.notna(named) & ~np.isnan(lon)
    if rows.sum() < 3:
        return text
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
    return text


def _mismatch_hints(lon, lat, datums, named, rows: np.ndarray, folder: Path | None) -> np.ndarray:
    """For mismatched rows, the other datum that would put the point in its named district."""
    hints = np.full(len(lon), "", dtype=object)
    for declared, others in _ALTERNATIVES.items():
        subset = rows & (datums == declared)
        for other in others:
            todo = subset & (hints == "")
            if not todo.any():
                continue
            lon_w, lat_w = crs.to_wgs84(lon[todo], lat[todo], other)
            fits = boundaries.assign_districts(lon_w, lat_w, folder=folder) == named[todo]
            hints[np.flatnonzero(todo)[fits]] = f"{declared}→{other}"
    return hints


def _lookup(table: pd.Series, keys) -> np.ndarray:
    """``table[key]`` for each key as an object array, ``None`` where the key is absent."""
    found = table.reindex(pd.Index(keys, dtype=object))
    return found.astype(object).where(found.notna(), None).to_numpy()


def _city_names(folded: _Folded, columns: dict[str, str], flags: _Flags) -> np.ndarray:
    """The canonical city each row names (新乡 → 新乡市), or None; unknown cities quarantined."""
    raw = folded.raw
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
    flags.flag(unknown, "bad_value", column=columns["city"], detail=_quoted(raw[columns["city"]]))
    return cities


def _locate(folded, columns, names, lon, lat, datums, flags, folder) -> pd.DataFrame:
    """Decide each row's district from its point and its words; disagreements are flagged."""
    raw = folded.raw
    places = _admin_places()
    cities = _city_names(folded, columns, flags)
    lonlat = "/".join(columns[f] for f in ("lon", "lat") if f in columns)
    point = ~np.isnan(lon) & flags.ok()
    status = names["status"].fillna("none").to_numpy(dtype=object)
    named = names["adcode"].astype(object).where(names["adcode"].notna(), None).to_numpy()
    if (point & pd.isna(datums)).any():
        if "datum" not in columns:
            raise LedgerError(
                _datum_message(lon, lat, np.where(status == "ok", named, None), folder)
            )
        flags.flag(point & pd.isna(datums), "missing_required", column=columns["datum"])
        point &= flags.ok()
    lon_w, lat_w = _to_wgs84(lon, lat, np.where(point, datums, None))
    county = np.full(len(raw), None, dtype=object)
    county[point] = boundaries.assign_districts(lon_w[point], lat_w[point], folder=folder)
    where = pd.Series(lon_w).round(6).astype(str) + ", " + pd.Series(lat_w).round(6).astype(str)
    flags.flag(
        point & pd.isna(county),
        "no_district",
        column=lonlat,
        detail=("WGS84 " + where).to_numpy(dtype=object),
        detail_en=("WGS84 " + where + " is in no county-level district").to_numpy(dtype=object),
    )
    point &= flags.ok()
    note = names["note"].astype(object).fillna("").to_numpy(dtype=object)
    words = "/".join(columns[f] for f in ("adcode", "district", "address") if f in columns)
    alone = ~point & flags.ok()
    flags.flag(alone & (status == "ambiguous"), "ambiguous_district", column=words, detail=note)
    flags.flag(alone & (status == "conflict"), "district_mismatch", column=words, detail=note)
    flags.flag(
        alone & np.isin(status, ["unknown", "none"]), "no_district", column=words, detail=note
    )
    county_city = _lookup(places["city"], county)
    named_city = _lookup(places["city"], named)
    candidates = names["candidates"]
    among = np.array(
        [
            c in (cands if isinstance(cands, tuple) else ())
            for c, cands in zip(county, candidates, strict=True)
        ]
    )
    if not len(raw):
        return _placed(raw.index, point, status, named, county, lon_w, lat_w, places)
    agree = (
        ((status == "none") & (pd.isna(cities) | (cities == county_city)))
        | (np.isin(status, ["ok", "historical"]) & (named == county))
        | ((status == "ambiguous") & among)
        | ((status == "zone") & (named_city == county_city))
    )
    mismatch = point & ~agree
    _flag_mismatch(mismatch, lon, lat, datums, named, county, status, places, flags, lonlat, folder)
    return _placed(raw.index, point & flags.ok(), status, named, county, lon_w, lat_w, places)


def _flag_mismatch(
    mismatch, lon, lat, datums, named, county, status, places, flags, column, folder
):
    if not mismatch.any():
        return
    hints = _mismatch_hints(lon, lat, datums, named, mismatch, folder)
    named_name = np.where(pd.isna(named), "?", _lookup(places["name"], named)).astype(object)
    county_name = np.where(pd.isna(county), "?", _lookup(places["name"], county)).astype(object)
    zh = "所填 " + named_name + "，坐标落在 " + county_name
    en = "named " + named_name + ", point in " + county_name
    unnamed = np.isin(status, ["unknown", "none", "conflict"])
    zh = np.where(unnamed, "所填区县/城市与坐标不符，坐标落在 " + county_name, zh)
    en = np.where(unnamed, "the named place does not match; the point is in " + county_name, en)
    fix = np.char.partition(hints.astype(str), "→")[:, 2]
    has_hint = hints != ""
    zh = np.where(
        has_hint,
        zh + "；若坐标实为 " + fix + " 则正好落在所填区县（常见：高德坐标误标为 WGS84）",
        zh,
    )
    en = np.where(
        has_hint,
        en
        + "; read as "
        + fix
        + " it falls in the named district (common: Amap GCJ-02 declared as WGS84)",
        en,
    )
    flags.flag(mismatch, "district_mismatch", column=column, detail=zh, detail_en=en)


def _placed(index, point, status, named, county, lon_w, lat_w, places) -> pd.DataFrame:
    """The reporting unit of each row: a named zone, else the point's district, else the name's."""
    zone = status == "zone"
    adcode = np.where(zone, named, np.where(point, county, named))
    county_adcode = np.where(point, county, np.where(zone, None, named))
    placed = pd.DataFrame(
        {
            "adcode": pd.array(adcode, dtype="string"),
            "county_adcode": pd.array(county_adcode, dtype="string"),
            "located": np.where(point, "point", np.where(zone, "zone", "district")),
            "lon": np.where(point, lon_w, np.nan),
            "lat": np.where(point, lat_w, np.nan),
        },
        index=index,
    )
    for column in ("name", "city", "province", "level"):
        mapped = places[column].reindex(placed["adcode"].fillna("")).to_numpy(dtype=object)
        placed["district" if column == "name" else column] = pd.array(mapped, dtype="string")
    return placed


def _flag_duplicates(
    name: pd.Series, placed: pd.DataFrame, parsed: dict, rows: np.ndarray, flags: _Flags
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
    listed = groups["row"].transform(lambda r: "、".join(map(str, r)))
    differ = pd.Series("", index=frame.index)
    for column in _FIGURES:
        conflicting = groups[column].transform("nunique") > 1
        differ[conflicting] += np.where(differ[conflicting] == "", column, ", " + column)
    conflict = (differ != "").to_numpy()
    at = frame.index.to_numpy()
    detail_zh = np.full(len(rows), "", dtype=object)
    detail_en = detail_zh.copy()
    detail_zh[at] = ("第 " + listed + " 行；不同项：" + differ).to_numpy(dtype=object)
    detail_en[at] = ("rows " + listed + " differ in " + differ).to_numpy(dtype=object)
    mask = np.zeros(len(rows), dtype=bool)
    mask[at[conflict]] = True
    flags.flag(mask, "duplicate_conflict", detail=detail_zh, detail_en=detail_en)
    # Same figures: a community renovated in two years is two records, the same year is one.
    repeat = frame[~conflict].duplicated(["key_name", "key_code", "year"], keep="first")
    mask[:] = False
    mask[repeat.index[repeat.to_numpy()]] = True
    detail_en[at] = ("same community, district, year and figures as rows " + listed).to_numpy(
        dtype=object
    )
    detail_zh[at] = ("与第 " + listed + " 行的小区、区县、年度和数据相同").to_numpy(dtype=object)
    flags.flag(mask, "duplicate_row", detail=detail_zh, detail_en=detail_en)


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


def _projects(raw, columns, parsed, placed, lon, lat, datums, rows, ok) -> gpd.GeoDataFrame:
    """Clean rows as a GeoDataFrame in EPSG:4326; district-located rows have no geometry."""
    data = pd.DataFrame({"row": rows}, index=raw.index)
    for field in ("name", "address"):
        # As written, minus outer spaces: 'Ａ座 1号' stays itself; only matching normalises.
        text = raw[columns[field]].str.strip().replace("", pd.NA) if field in columns else pd.NA
        data[field] = pd.Series(text, index=raw.index, dtype="string")
    data = data.join(placed)
    for column in ("year", "batch", "status", "content_tags", *_FIGURES):
        data[column] = parsed.get(column, pd.Series(pd.NA, index=raw.index))
    point = placed["located"].to_numpy() == "point"
    data["datum"] = pd.array(np.where(point, datums, None), dtype="string")
    data["lon_source"] = np.where(point, lon, np.nan)
    data["lat_source"] = np.where(point, lat, np.nan)
    # Unrecognised columns travel along under their own header, as text.
    known = set(columns.values())
    extra = [c for c in raw.columns if c not in known and c not in _PROJECT_COLUMNS]
    data = pd.concat([data[_PROJECT_COLUMNS], raw[extra]], axis=1)[ok]
    geometry = shapely.points(data["lon"].to_numpy(), data["lat"].to_numpy())
    geometry[np.isnan(data["lon"].to_numpy())] = None
    return gpd.GeoDataFrame(data.reset_index(drop=True), geometry=geometry, crs="EPSG:4326")


def _quarantine(raw: pd.DataFrame, rows: np.ndarray, flags: _Flags) -> pd.DataFrame:
    """Quarantined rows: row, reason, column, messages in zh and en, then every raw cell."""
    bad = ~flags.ok()
    reasons = flags.reason[bad]
    templates = [REASONS[r] for r in reasons]
    report = pd.DataFrame(
        {
            "row": rows[bad],
            "reason": reasons,
            "column": flags.column[bad],
            "message_zh": [
                t[0].format(column=c, detail=d)
                for t, c, d in zip(templates, flags.column[bad], flags.detail_zh[bad], strict=True)
            ],
            "message_en": [
                t[1].format(column=c, detail=d)
                for t, c, d in zip(templates, flags.column[bad], flags.detail_en[bad], strict=True)
            ],
        }
    )
    cells = raw[bad].reset_index(drop=True)
    cells.columns = [f"raw:{c}" if c in report.columns else c for c in cells.columns]
    return pd.concat([report, cells], axis=1)


# --- the pipeline ---------------------------------------------------------------------------


def _load(source: str | Path | bytes, name: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        return bytes(source), name or ""
    path = Path(source)
    if not path.is_file():
        raise LedgerError(f"Expected a ledger file, but {str(path)!r} does not exist.")
    return path.read_bytes(), name or path.name


def _body(rows, numbers, broken) -> tuple[list[str], list[list[str]], np.ndarray, np.ndarray]:
    """The header row and the data rows under it, minus blank rows at the very end."""
    start = _find_header(rows)
    header = _unique_headers(rows[start])
    end = len(rows)
    while end > start + 1 and not any(c.strip() for c in rows[end - 1]):
        end -= 1
    body = rows[start + 1 : end]
    return header, body, np.asarray(numbers[start + 1 : end]), np.asarray(broken[start + 1 : end])


def read_ledger(
    source: str | Path | bytes,
    *,
    crs_name: str | None = None,
    sheet: str | None = None,
    name: str | None = None,
    progress: Progress | None = None,
    folder: Path | None = None,
) -> Ledger:
    """
    Read a ledger and sort every row into clean projects or quarantine.

    ``source`` is a path or the file's bytes (``name`` then gives its file name). ``crs_name``
    declares the datum of the file's coordinates (one of :data:`geo.crs.DATUMS`); a 坐标系
    cell overrides it for its row. ``progress(fraction, stage)`` is called after each stage.
    Raises :class:`LedgerError` only for a file that cannot be read as a whole; a bad row
    never raises. Projects come out in EPSG:4326.
    """
    if crs_name is not None and crs_name not in crs.DATUMS:
        raise LedgerError(f"Expected --crs to be one of {', '.join(crs.DATUMS)}, got {crs_name!r}.")
    report = progress or (lambda fraction, stage: None)
    data, name = _load(source, name)
    rows, numbers, broken, encoding, sheet_title = read_rows(data, name=name, sheet=sheet)
    header, body, numbers, broken = _body(rows, numbers, broken)
    raw, ragged, blank = _frame(body, header)
    columns = map_columns(header)
    _check_columns(columns, header)
    flags = _Flags(len(raw))
    first_cells = raw[header[0]].map(repr).to_numpy(dtype=object)
    flags.flag(broken, "bad_encoding", detail=first_cells)
    flags.flag(blank, "blank_row")
    flags.flag(ragged, "ragged_row", detail=f"header has {len(header)} cells")
    flags.stage("read")
    report(0.2, "read")
    folded = _Folded(raw)
    _check_rows(folded, columns, flags)
    flags.stage("rows")
    parsed = _parse_values(raw, columns, flags)
    lon, lat = _parse_points(raw, columns, flags)
    datums = _row_datums(raw, columns, crs_name, flags)
    flags.stage("values")
    report(0.4, "values")
    names = _resolve_names(folded, columns, parsed.get("year"), flags.ok())
    report(0.6, "names")
    placed = _locate(folded, columns, names, lon, lat, datums, flags, folder)
    flags.stage("locate")
    report(0.8, "locate")
    community = folded[columns["name"]]
    _flag_duplicates(community, placed, parsed, numbers, flags)
    flags.stage("duplicates")
    projects = _projects(raw, columns, parsed, placed, lon, lat, datums, numbers, flags.ok())
    quarantine = _quarantine(raw, numbers, flags)
    report(1.0, "done")
    return Ledger(projects, quarantine, len(raw), columns, flags.stages, encoding, sheet_title)
