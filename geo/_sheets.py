"""
Spreadsheet files (CSV and XLSX) as rows of text, and the per-row bookkeeping of quarantine.

Shared by ledgers (:mod:`geo.records`) and survey tables of accessibility infrastructure
(:mod:`geo.infra`): decoding bytes in any encoding a Chinese office produces, finding the
header, keeping every raw cell, and the :class:`Flags` that send each bad row to quarantine
with a reason, its column and a message. A file that cannot be read at all raises
:class:`~geo.errors.InputError`; a bad row never raises.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gc
import io
import re
import unicodedata
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from geo import _cells, crs
from geo.errors import InputError

__all__ = [
    "DATUM_WORDS",
    "ROW_REASONS",
    "Flags",
    "Folded",
    "collector_paused",
    "decode_csv",
    "find_header",
    "header_key",
    "load_bytes",
    "parse_points",
    "quarantine_frame",
    "read_rows",
    "row_datums",
    "table_body",
    "text_frame",
]

#: Reason code → (Chinese, English) message for the row problems found here (reading,
#: coordinates, datum cells); :mod:`geo.records` and :mod:`geo.infra` add their own.
ROW_REASONS: dict[str, tuple[str, str]] = {
    "bad_encoding": (
        "此行编码与文件其他行不同，无法读取：{detail}",
        "this line is not in the file's encoding: {detail}",
    ),
    "ragged_row": (
        "列数与表头不符：{detail}",
        "the row has a different number of cells than the header: {detail}",
    ),
    "blank_row": ("空行", "the row is empty"),
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
}

#: Words in a 坐标系 cell (or a declared datum) → datum, compared NFKC-folded, lower-case.
DATUM_WORDS = {
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


_DATUM_LOOKUP = {w: d for d, words in DATUM_WORDS.items() for w in words}


_MAX_XLSX_BYTES = 200 * 1024 * 1024
_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")


def row_datums(raw: pd.DataFrame, columns: dict[str, str], crs_name: str | None, flags: Flags):
    """The declared datum of each row: its 坐标系 cell, else the file's ``crs``, else None."""
    datum = pd.Series(crs_name, index=raw.index, dtype=object)
    if "datum" not in columns:
        return datum.to_numpy(dtype=object)
    header = columns["datum"]
    words = _cells.normalise_text(raw[header]).fillna("").str.lower()
    given = words.map(_DATUM_LOOKUP)
    unknown = ((words != "") & given.isna()).to_numpy()
    flags.flag(unknown, "bad_value", column=header, detail=quoted(raw[header], unknown))
    return given.where(given.notna(), datum).to_numpy(dtype=object)


def quarantine_frame(
    raw: pd.DataFrame, rows: np.ndarray, flags: Flags, reasons: dict[str, tuple[str, str]]
) -> pd.DataFrame:
    """
    Quarantined rows: row, reason, column, messages in zh and en, then every raw cell.

    ``reasons`` maps each reason code to its (Chinese, English) template, filled with
    ``{column}`` and ``{detail}``.
    """
    bad = ~flags.ok()
    codes = flags.reason[bad]
    templates = [reasons[r] for r in codes]
    report = pd.DataFrame(
        {
            "row": rows[bad],
            "reason": codes,
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


def decode_csv(data: bytes) -> tuple[str, str, set[int]]:
    """
    Decode CSV bytes: BOM, then strict UTF-8, then strict GB18030, else :class:`InputError`.

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
                raise InputError(_encoding_message(data, name, exc)) from exc
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
        raise InputError(_encoding_message(data, "UTF-8 or GB18030", first_error)) from None


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


@contextlib.contextmanager
def collector_paused():
    """
    Pause Python's cyclic garbage collector, then restore it as it was.

    For making many objects that refer to nothing back: a CSV's row lists, a ledger's points.
    The collector runs every few hundred new objects and, now and then, walks every object
    alive, finding nothing to free here. Paused, reading a 100k-row CSV takes 0.16 s instead
    of 0.24 s (1M rows: 1.6 s, not 5.4 s), and making 100k points 0.008 s instead of 0.08 s.
    Reference counting still frees everything; other threads' cycles wait until the end.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _csv_rows(text: str, bad_lines: set[int]) -> tuple[list[list[str]], list[int], list[bool]]:
    if "\x00" in text:
        raise InputError(
            "Expected a text CSV, got a file containing NUL bytes (a binary file?). "
            "Upload the table as .csv or .xlsx."
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;|", key=first_line.count) if first_line else ","
    if not bad_lines:
        # Nothing to trace to a line: read every record at once; a malformed one is read
        # again below, record by record, for the message.
        try:
            with collector_paused():
                rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
            return rows, list(range(1, len(rows) + 1)), [False] * len(rows)
        except csv.Error:
            pass
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
        raise InputError(
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
        raise InputError(
            f"Expected an XLSX of at most {_MAX_XLSX_BYTES // 2**20} MB unpacked, got one that "
            f"unpacks to {unpacked // 2**20} MB. Split it into several files."
        )
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        names = book.sheetnames
        if sheet is not None and sheet not in names:
            raise InputError(
                f"Expected a sheet named {sheet!r}; the workbook has {', '.join(names)}. "
                "Name one of those.",
                fix="sheet",
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
    Split a CSV or XLSX file into rows of text cells, with their 1-based row numbers.

    Returns rows, row numbers, a bad-encoding flag per row, the encoding (CSV) and the sheet
    (XLSX). Raises :class:`InputError` for a file that cannot be read at all.
    """
    suffix = Path(name).suffix.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        raise InputError(
            f"Expected .csv or .xlsx, got an old Excel .xls file ({name or 'upload'}). "
            "Open it in Excel or WPS and save it as .xlsx."
        )
    if data.startswith(b"PK\x03\x04") or suffix in {".xlsx", ".xlsm"}:
        try:
            rows, numbers, title = _xlsx_rows(data, sheet)
        except (zipfile.BadZipFile, KeyError, OSError) as exc:
            raise InputError(
                f"Expected an .xlsx workbook, but {name or 'the upload'} cannot be opened as "
                f"one ({exc}). Save it again from Excel as .xlsx, or as CSV UTF-8."
            ) from exc
        return rows, numbers, [False] * len(rows), None, title
    text, encoding, bad_lines = decode_csv(data)
    rows, numbers, broken = _csv_rows(text, bad_lines)
    return rows, numbers, broken, encoding, None


def header_key(header: str) -> str:
    """A header as compared with synonyms: NFKC, lower-case, no spaces, no bracketed unit."""
    text = unicodedata.normalize("NFKC", header).strip().lower()
    return re.sub(r"\s+", "", _BRACKETS.sub("", text)).rstrip(":：")


def unique_headers(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, column in enumerate(header):
        column = column.strip() or f"column_{i + 1}"
        seen[column] = seen.get(column, 0) + 1
        out.append(column if seen[column] == 1 else f"{column}_{seen[column]}")
    return out


def text_frame(
    body: list[list[str]], header: list[str]
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """
    Rows as a frame of text under ``header``, with ragged and blank masks.

    Cells past the header go to an ``extra_cells`` column, so a long row keeps its values.
    """
    width = len(header)
    lengths = np.fromiter((len(r) for r in body), dtype=np.int64, count=len(body))
    # A short row is padded so its raw values survive; only non-empty extra cells count.
    padded = body
    if (lengths != width).any():
        padded = [r + [""] * (width - len(r)) if len(r) < width else r[:width] for r in body]
    # Every cell is already text (csv yields str, _cell_text too): nothing to fill.
    frame = pd.DataFrame(padded, columns=header, dtype=object)
    long_rows = np.flatnonzero(lengths > width)
    extras = np.full(len(body), "", dtype=object)
    for i in long_rows:  # only rows longer than the header; usually none
        extras[i] = " | ".join(c for c in body[i][width:] if c.strip())
    if long_rows.size:
        frame["extra_cells"] = extras
    # A row is blank when all its text, joined, is whitespace: one strip per row, not per cell.
    blank = np.fromiter((not "".join(r).strip() for r in body), dtype=bool, count=len(body))
    ragged = ((lengths < width) & ~blank) | (extras != "")
    return frame, ragged, blank


class Folded(dict):
    """Each column's NFKC-folded, space-free text ("" for empty), computed once per read."""

    def __init__(self, raw: pd.DataFrame) -> None:
        super().__init__()
        self.raw = raw

    def __missing__(self, header: str) -> pd.Series:
        self[header] = _cells.normalise_text(self.raw[header]).fillna("")
        return self[header]


class Flags:
    """The first reason per row, with its column and detail; later checks skip flagged rows."""

    def __init__(self, rows: int) -> None:
        self.reason = np.full(rows, None, dtype=object)
        self.column = np.full(rows, "", dtype=object)
        self.detail_zh = np.full(rows, "", dtype=object)
        self.detail_en = np.full(rows, "", dtype=object)
        self.stages: list[dict[str, int | str]] = []
        # Kept beside ``reason`` so ok() is a copy, not a scan of objects (about 70 calls
        # per ledger, 3 ms each at 100k rows).
        self._ok = np.ones(rows, dtype=bool)

    def ok(self) -> np.ndarray:
        return self._ok.copy()

    def flag(self, mask, reason: str, *, column: str = "", detail=None, detail_en=None) -> None:
        """Quarantine rows in ``mask`` not already quarantined; details may be per-row arrays."""
        mask = np.asarray(mask, dtype=bool) & self._ok
        if not mask.any():
            return
        self.reason[mask] = reason
        self._ok[mask] = False
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


def quoted(texts: pd.Series, where: np.ndarray | None = None) -> np.ndarray:
    """
    Each cell's ``repr``, for messages; with ``where``, only those rows' (the rest ``""``).

    Flags read only the detail of the rows they flag, so callers pass the mask they flag
    and a clean column costs nothing.
    """
    if where is None:
        return texts.map(repr).to_numpy(dtype=object)
    out = np.full(len(texts), "", dtype=object)
    rows = np.flatnonzero(where)
    out[rows] = [repr(t) for t in texts.to_numpy(dtype=object)[rows]]
    return out


def parse_points(raw: pd.DataFrame, columns: dict[str, str], flags: Flags):
    """Longitude and latitude as written; bad, partial, zero, swapped or foreign points flagged."""
    if "lon" not in columns:
        nan = np.full(len(raw), np.nan)
        return nan, nan.copy()
    lon_h, lat_h = columns["lon"], columns["lat"]
    lon, lon_problem = _cells.parse_coordinates(raw[lon_h])
    lat, lat_problem = _cells.parse_coordinates(raw[lat_h])
    bad_lon, bad_lat = lon_problem.notna().to_numpy(), lat_problem.notna().to_numpy()
    lon, lat = lon.to_numpy(), lat.to_numpy()
    half = np.isnan(lon) != np.isnan(lat)
    swapped = (lon >= 0.8) & (lon <= 56) & (lat >= 72) & (lat <= 138)
    wild = (np.abs(lon) > 180) | (np.abs(lat) > 90)
    with np.errstate(invalid="ignore"):
        abroad = ~np.isnan(lon) & crs.is_outside_china(lon, lat)
    # The "lon, lat" text only of the rows a check may flag: no other row's is ever read.
    shown = np.flatnonzero(bad_lon | bad_lat | half | swapped | wild | abroad)
    pair = np.full(len(raw), "", dtype=object)
    pair[shown] = quoted(raw[lon_h].iloc[shown] + ", " + raw[lat_h].iloc[shown])
    flags.flag(bad_lon, "bad_coordinate", column=lon_h, detail=pair)
    flags.flag(bad_lat, "bad_coordinate", column=lat_h, detail=pair)
    flags.flag(half, "bad_coordinate", column=f"{lon_h}/{lat_h}", detail=pair)
    flags.flag((lon == 0) & (lat == 0), "zero_point", column=f"{lon_h}/{lat_h}")
    flags.flag(swapped, "swapped_lon_lat", column=f"{lon_h}/{lat_h}", detail=pair)
    flags.flag(
        wild,
        "bad_coordinate",
        column=f"{lon_h}/{lat_h}",
        detail=pair + "，不是经纬度（投影坐标？）",
        detail_en=pair + " is not in degrees (projected metres?)",
    )
    flags.flag(abroad, "outside_china", column=f"{lon_h}/{lat_h}", detail=pair)
    return lon, lat


def load_bytes(source: str | Path | bytes, name: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        return bytes(source), name or ""
    path = Path(source)
    if not path.is_file():
        raise InputError(f"Expected a file, but {str(path)!r} does not exist.")
    return path.read_bytes(), name or path.name


_HEADER_SCAN_ROWS = 10


def find_header(rows: list[list[str]], synonyms: dict[str, str], expected: str) -> int:
    """
    The index of the header: the first of the top rows naming at least two known fields.

    ``synonyms`` maps :func:`header_key` of a header to its field; ``expected`` lists the
    fields for the error message. A title row above the header is skipped this way.
    """
    for i, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        if len({synonyms.get(header_key(c)) for c in row} - {None}) >= 2:
            return i
    first = next((r for r in rows if any(c.strip() for c in r)), [])
    raise InputError(
        f"Expected a header row naming at least two of: {expected}; the first row reads "
        f"{[c for c in first if c][:8]!r}. Add a header row, or rename the columns."
    )


def table_body(
    rows: list[list[str]], numbers: list[int], broken: list[bool], start: int
) -> tuple[list[str], list[list[str]], np.ndarray, np.ndarray]:
    """
    Split the rows at the header found at ``start``.

    Returns the header, the data rows under it (minus trailing blank rows), their numbers and
    their bad-encoding flags.
    """
    header = unique_headers(rows[start])
    end = len(rows)
    while end > start + 1 and not any(c.strip() for c in rows[end - 1]):
        end -= 1
    body = rows[start + 1 : end]
    return header, body, np.asarray(numbers[start + 1 : end]), np.asarray(broken[start + 1 : end])
