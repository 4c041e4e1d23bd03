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
import dataclasses
import gc
import io
import json
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import overload

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from geo import crs
from geo.errors import InputError
from geo.io import cells as _cells
from geo.io import xlsx as _xlsx

__all__ = [
    "DATUM_WORDS",
    "DETAILS",
    "MAX_COLUMNS",
    "MAX_CSV_BYTES",
    "MAX_CSV_CELLS",
    "MAX_CSV_ROWS",
    "MAX_FILE_BYTES",
    "ROW_REASONS",
    "Flags",
    "Folded",
    "Table",
    "collector_paused",
    "decode_csv",
    "find_header",
    "flag_read_problems",
    "header_key",
    "load_bytes",
    "parse_points",
    "quarantine_frame",
    "read_rows",
    "refuse_big5",
    "row_datums",
    "table_body",
    "text_frame",
    "wgs84_points",
]

#: Reason codes of the row problems found here (reading, coordinates, datum cells);
#: :mod:`geo.records` and :mod:`geo.infra` add their own. layers words each, filled with the
#: row's ``column`` and ``detail`` (``row_<code>`` in data/wording.toml).
ROW_REASONS: tuple[str, ...] = (
    "bad_encoding",
    "ragged_row",
    "blank_row",
    "bad_value",
    "bad_coordinate",
    "swapped_lon_lat",
    "outside_china",
    "zero_point",
    "formula_without_value",
)

#: Details that need words (a quarantined row's ``detail_params``), code → the parameters
#: their words take besides the row's ``detail``; layers words each from ``qdetail_<code>``.
DETAILS: dict[str, tuple[str, ...]] = {
    "not_degrees": (),  # a point far outside -180..180, -90..90: metres, not degrees
    "header_cells": ("cells",),  # a row with more or fewer cells than the header
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


#: Largest CSV read, in bytes; the benchmark's 1M-row ledger is 210 MB.
MAX_CSV_BYTES = 256 * 2**20
#: Most lines in a CSV: Excel's own row limit.
MAX_CSV_ROWS = 1_048_576
#: Most cells in a CSV (rows × columns); each costs about 60 bytes as Python text.
MAX_CSV_CELLS = 25_000_000
#: Most columns in a CSV or XLSX header (see :data:`geo.io.xlsx.MAX_COLUMNS`).
MAX_COLUMNS = _xlsx.MAX_COLUMNS
_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")
# The dtype of every raw cell column: text in Arrow (see text_frame).
_TEXT = pd.StringDtype("pyarrow")


def row_datums(
    raw: pd.DataFrame, columns: dict[str, str], crs_name: str | None, flags: Flags
) -> np.ndarray:
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
    raw: pd.DataFrame,
    rows: np.ndarray,
    flags: Flags,
    reasons: Collection[str],
    *,
    adcode: np.ndarray | None = None,
) -> pd.DataFrame:
    """
    Quarantined rows: row, reason, column, detail and its parameters, then every raw cell.

    Nothing is worded here: ``reason`` is a code of ``reasons`` (the reader's own list;
    ValueError for another), ``detail_zh``/``detail_en`` what the row's check found (the
    same text: a cell as written is in no language) and ``detail_params``, where the detail
    needs words, its code and parameters as JSON (:meth:`Flags.flag`);
    :func:`layers.wording.quarantine_messages` fills them into the reason's words.
    ``adcode`` (one per input row, None where unknown) adds each quarantined row's district
    after the details; a raw cell whose header is one of these columns is kept as
    ``raw:<header>``.
    """
    bad = ~flags.ok()
    codes = flags.reason[bad]
    unknown = sorted(set(codes) - set(reasons))
    if unknown:
        raise ValueError(
            f"Expected quarantine reasons among the reader's codes; got {unknown}. Add them to "
            "its REASONS, and their words (row_<code>) to data/wording.toml."
        )
    report = pd.DataFrame(
        {
            "row": rows[bad],
            "reason": codes,
            "column": flags.column[bad],
            "detail_zh": flags.detail[bad],
            "detail_en": flags.detail[bad],
            "detail_params": flags.detail_params(bad),
        }
    )
    if adcode is not None:
        report["adcode"] = pd.array(np.asarray(adcode, dtype=object)[bad], dtype="string")
    cells = raw[bad].reset_index(drop=True)
    cells.columns = [f"raw:{c}" if c in report.columns else c for c in cells.columns]
    return pd.concat([report, cells], axis=1)


def decode_csv(data: bytes) -> tuple[str, str, set[int]]:
    """
    Decode CSV bytes: BOM, then strict UTF-8, then strict GB18030, else :class:`InputError`.

    Big5 decodes as GB18030 into garbled characters, so a GB18030 reading that looks like
    Big5 is refused too (:func:`refuse_big5`).

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
                raise _encoding_error(data, name, exc) from exc
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
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise _encoding_error(data, "UTF-8 or GB18030", first_error) from None
    refuse_big5(data, text)
    return text, "gb18030", set()


#: How many characters beyond ASCII decide whether a file is Big5.
BIG5_SAMPLE = 4000
# The lead bytes of each encoding's everyday text: punctuation (GB2312 rows 1 and 3, Big5's
# symbols) and the most frequent characters (GB2312's first level, Big5's frequent ones).
_EVERYDAY = {"gb2312": ((0xA1, 0xA1), (0xA3, 0xA3), (0xB0, 0xD7)), "big5": ((0xA1, 0xC6),)}


def _non_ascii(text: str) -> list[str]:
    return re.findall(r"[^\x00-\x7f]", text[: BIG5_SAMPLE * 8])[:BIG5_SAMPLE]


def _everyday_share(chars: list[str], encoding: str) -> float:
    """The share of ``chars`` that are everyday text in ``encoding`` (by lead byte)."""
    everyday = 0
    for char in chars:
        with contextlib.suppress(UnicodeEncodeError):
            lead = char.encode(encoding)[0]
            everyday += any(low <= lead <= high for low, high in _EVERYDAY[encoding])
    return everyday / len(chars) if chars else 0.0


def refuse_big5(data: bytes, gb18030_text: str) -> None:
    """
    Refuse bytes in Big5 (traditional Chinese, Taiwan and Hong Kong) that GB18030 decoded.

    GB18030 accepts almost any pair of high bytes, so Big5 decodes without an error into
    kana, box-drawing signs and rare characters. Text is mostly everyday characters and
    punctuation: GB2312's first level and symbol rows when read as GBK, Big5's frequent
    characters and symbols when read as Big5. A file is Big5 when it also decodes as Big5,
    and reads as everyday text there (90 %) but not as GBK (under 60 %); 8 characters
    beyond ASCII at least, to judge by.
    """
    chars = _non_ascii(gb18030_text)
    if len(chars) < 8 or _everyday_share(chars, "gb2312") >= 0.6:
        return
    try:
        big5 = _non_ascii(data.decode("big5"))
    except UnicodeDecodeError:
        return
    if _everyday_share(big5, "big5") < 0.9:
        return
    sample = "".join(big5[:12])
    raise InputError(
        f"Expected a file in UTF-8, GBK or GB18030; this one is in Big5 (traditional Chinese, "
        f"as Taiwan and Hong Kong write it: {sample}…), which would read as garbled "
        "characters. Save it again as UTF-8 (Excel: 'CSV UTF-8'; or iconv -f BIG5 -t UTF-8).",
        code="encoding_big5",
        details={"sample": sample},
    )


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _encoding_error(data: bytes, tried: str, exc: UnicodeDecodeError) -> InputError:
    sample = data[max(0, exc.start - 8) : exc.start + 8]
    return InputError(
        f"Expected a CSV in UTF-8, UTF-8/UTF-16 with BOM, GBK or GB18030; byte {exc.start} "
        f"({sample!r}) is not valid {tried}. Save the file again as 'CSV UTF-8' from Excel, "
        "or upload the .xlsx itself.",
        code="csv_encoding",
        details={"byte": str(exc.start)},
    )


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
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


class ColumnRows(Sequence[list[str]]):
    """
    A CSV's rows held by column (Arrow text), read as the lists of cells they stand for.

    What :func:`read_rows` returns for a CSV that Arrow's reader splits as :mod:`csv` does
    (:func:`_arrow_rows`): a row or a slice is made only where asked (the header search, the
    trailing blank rows), and :func:`text_frame` takes the columns as they are.
    """

    def __init__(self, columns: list[pa.Array]) -> None:
        self.columns = columns

    def __len__(self) -> int:
        return len(self.columns[0])

    @overload
    def __getitem__(self, at: int) -> list[str]: ...

    @overload
    def __getitem__(self, at: slice) -> ColumnRows: ...

    def __getitem__(self, at: int | slice) -> list[str] | ColumnRows:
        if isinstance(at, slice):
            start, stop, step = at.indices(len(self))
            if step != 1:
                raise ValueError("Expected a slice with step 1.")
            return ColumnRows([c.slice(start, max(stop - start, 0)) for c in self.columns])
        row = range(len(self))[at]  # IndexError past the end, as a list's
        return [c[row].as_py() for c in self.columns]


#: What str.strip() removes: every character str.isspace() holds true for (a test checks).
SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
SPACE += "\u2028\u2029\u202f\u205f\u3000"
# A cell of those alone, in RE2's syntax (Arrow's regular expressions).
_ALL_SPACE = "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in SPACE) + "]*$"


def _arrow_rows(text: str, delimiter: str) -> ColumnRows | None:
    """
    The rows of ``text`` split by Arrow's CSV reader (C++), where it splits them as csv does.

    That is: no quote character anywhere (csv and Arrow differ on malformed quoting), no
    blank line, every record with the first line's number of cells, at least two of them,
    none longer than csv's field limit. Otherwise None, and the caller
    reads the text with :mod:`csv`. The same cells, 8 times faster at 100k rows.
    """
    if '"' in text:
        return None
    # A blank line: csv gives a row of no cells, Arrow one of empty cells.
    if text[:1] in ("\r", "\n") or any(two in text for two in ("\n\n", "\n\r", "\r\r")):
        return None
    ends = [at for at in (text.find("\r"), text.find("\n")) if at >= 0]
    width = text[: min(ends, default=len(text))].count(delimiter) + 1
    if width < 2:
        return None
    names = [str(i) for i in range(width)]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pa_csv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                quote_char=False,
                escape_char=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeEncodeError):
        return None
    columns = [table.column(n).combine_chunks() for n in names]
    limit = csv.field_size_limit()
    if any((pc.max(pc.binary_length(c)).as_py() or 0) > limit for c in columns):
        return None  # csv refuses the record: its message, from the reader below
    return ColumnRows(columns)


def _csv_rows(text: str, bad_lines: set[int]) -> tuple[Sequence[list[str]], list[int], list[bool]]:
    if "\x00" in text:
        raise InputError(
            "Expected a text CSV, got a file containing NUL bytes (a binary file?). "
            "Upload the table as .csv or .xlsx.",
            code="csv_binary",
            details={},
        )
    first_line = _first_line(text)
    delimiter = max(",\t;|", key=first_line.count) if first_line else ","
    _check_csv_size(text, delimiter)
    if not bad_lines:
        by_column = _arrow_rows(text, delimiter)
        if by_column is not None:
            return by_column, list(range(1, len(by_column) + 1)), [False] * len(by_column)
        # Nothing to trace to a line: read every record at once; a malformed one is read
        # again below, record by record, for the message.
        try:
            with collector_paused():
                rows = list(csv.reader(_lines(text), delimiter=delimiter))
            return rows, list(range(1, len(rows) + 1)), [False] * len(rows)
        except csv.Error:
            pass
    reader = csv.reader(_lines(text), delimiter=delimiter)
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
            f"split into cells: {exc}. Fix that line, or save the sheet again from Excel.",
            code="csv_malformed",
            details={"line": str(line + 1)},
        ) from exc
    return rows, numbers, broken


@dataclasses.dataclass
class Table:
    """
    A CSV or XLSX file as rows of text cells, before the header is found.

    ``numbers`` are 1-based row numbers as a spreadsheet shows them, ``broken`` marks rows
    not in the file's encoding (CSV), ``formulas`` maps a row's position to the column and
    text of a formula without a cached value (XLSX). ``sheets`` lists a workbook's sheets
    and their states.
    """

    rows: Sequence[list[str]]
    numbers: list[int]
    broken: list[bool]
    encoding: str | None = None
    sheet: str | None = None
    sheets: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    formulas: dict[int, tuple[int, str]] = dataclasses.field(default_factory=dict)

    @property
    def short_rows_are_ragged(self) -> bool:
        """A CSV row with fewer cells than its header lost some; a workbook's are just empty."""
        return self.sheet is None


# A line as io.StringIO(newline="") cuts one: up to and with \r\n, \r or \n.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


# Line breaks str.splitlines knows and a CSV does not (\v, \f, \x1c-\x1e, \x85, \u2028/9).
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _lines(text: str) -> Iterable[str]:
    """
    The lines of ``text`` as csv reads them; StringIO would copy it all, 4 bytes a char.

    str.splitlines (C) when the text has no break but \r and \n, else one line at a time.
    """
    if _OTHER_BREAKS.search(text) is None:
        return text.splitlines(keepends=True)
    return (match.group() for match in _LINE.finditer(text))


def _check_csv_lines(lines: int) -> None:
    if lines > MAX_CSV_ROWS:
        raise InputError(
            f"Expected at most {MAX_CSV_ROWS:,} rows in a CSV, got {lines:,} lines. Split the "
            "file into several.",
            code="csv_rows",
            details={"rows": f"{lines:,}", "cap": f"{MAX_CSV_ROWS:,}"},
        )


def _first_line(text: str) -> str:
    # Sliced, not split: split would copy the rest of a 200 MB text too.
    end = text.find("\n")
    return text if end < 0 else text[:end]


def _check_csv_size(text: str, delimiter: str) -> None:
    """Refuse a CSV past a cap before it is split: counting separators is one C pass."""
    lines = text.count("\n") + 1
    _check_csv_lines(lines)
    first_line = _first_line(text)
    if first_line.count(delimiter) + 1 > MAX_COLUMNS:
        columns = f"{first_line.count(delimiter) + 1:,}"
        raise InputError(
            f"Expected at most {MAX_COLUMNS:,} columns, got a header of {columns} cells. Delete "
            "the empty or unneeded columns.",
            code="csv_columns",
            details={"columns": columns, "cap": f"{MAX_COLUMNS:,}"},
        )
    # An upper bound (quoted separators count too), exact enough for a cap.
    cells = text.count(delimiter) + lines
    if cells > MAX_CSV_CELLS:
        raise InputError(
            f"Expected at most {MAX_CSV_CELLS:,} cells in a CSV, got about {cells:,}. Split the "
            "file into several, or delete the unneeded columns.",
            code="csv_cells",
            details={"cells": f"{cells:,}", "cap": f"{MAX_CSV_CELLS:,}"},
        )


def read_rows(data: bytes, *, name: str = "", sheet: str | None = None) -> Table:
    """
    Split a CSV or XLSX file into rows of text cells, with their 1-based row numbers.

    Raises :class:`InputError` for a file that cannot be read at all, or that passes a cap
    (:data:`MAX_CSV_BYTES`, :data:`MAX_CSV_ROWS`, :data:`MAX_CSV_CELLS`, :data:`MAX_COLUMNS`;
    XLSX: :mod:`geo.io.xlsx`).
    """
    suffix = Path(name).suffix.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        raise InputError(
            f"Expected .csv or .xlsx, got an old Excel .xls file ({name or 'upload'}). "
            "Open it in Excel or WPS and save it as .xlsx.",
            code="xls_file",
            details={"name": name or "upload"},
        )
    if data.startswith(b"PK\x03\x04") or suffix in {".xlsx", ".xlsm"}:
        book = _xlsx.read_workbook(data, name=name, sheet=sheet)
        broken = [False] * len(book.rows)
        return Table(book.rows, book.numbers, broken, None, book.sheet, book.sheets, book.formulas)
    if len(data) > MAX_CSV_BYTES:
        mib, cap = str(len(data) // 2**20), str(MAX_CSV_BYTES // 2**20)
        raise InputError(
            f"Expected a CSV of at most {cap} MB, got {mib} MB ({name or 'upload'}). Split the "
            "file into several.",
            code="file_bytes",
            details={"name": name or "upload", "mib": mib, "cap": cap},
        )
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Counted in the bytes, before the text is decoded (twice their size in memory).
        _check_csv_lines(data.count(b"\n") + 1)
    text, encoding, bad_lines = decode_csv(data)
    rows, numbers, broken = _csv_rows(text, bad_lines)
    return Table(rows, numbers, broken, encoding)


def header_key(header: str) -> str:
    """A header as compared with synonyms: NFKC, lower-case, no spaces, no bracketed unit."""
    text = unicodedata.normalize("NFKC", header).strip().lower()
    return re.sub(r"\s+", "", _BRACKETS.sub("", text)).rstrip(":：")


def claim_columns(header: list[str], synonyms: dict[str, str]) -> dict[str, str]:
    """
    Field → header, each header matched by :func:`header_key` against ``synonyms``.

    Headers that name no field are left alone; two headers for one field raise
    :class:`InputError` listing every such field at once.
    """
    claims: dict[str, list[str]] = {}
    for column in header:
        field = synonyms.get(header_key(column))
        if field is not None:
            claims.setdefault(field, []).append(column)
    clashes = {f: cols for f, cols in claims.items() if len(cols) > 1}
    if clashes:
        listed = "; ".join(f"{f}: {', '.join(map(repr, cols))}" for f, cols in clashes.items())
        columns = "/".join(c for cols in clashes.values() for c in cols)
        raise InputError(
            f"Expected one column per field, got several for {listed}. "
            "Rename or delete the extra columns.",
            code="same_field_columns",
            details={"columns": columns},
        )
    return {field: cols[0] for field, cols in claims.items()}


def unique_headers(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, column in enumerate(header):
        column = column.strip() or f"column_{i + 1}"
        seen[column] = seen.get(column, 0) + 1
        out.append(column if seen[column] == 1 else f"{column}_{seen[column]}")
    return out


def text_frame(
    body: Sequence[list[str]], header: list[str], *, short_is_ragged: bool = True
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """
    Rows as a frame of text under ``header``, with ragged and blank masks.

    Cells past the header go to an ``extra_cells`` column, so a long row keeps its values.
    A short row is ragged only with ``short_is_ragged`` (CSV); a workbook row simply ends
    at its last value.
    """
    width = len(header)
    if isinstance(body, ColumnRows) and len(body.columns) == width and len(body):
        return _column_frame(body, header)
    lengths = np.fromiter((len(r) for r in body), dtype=np.int64, count=len(body))
    # A short row is padded so its raw values survive; only non-empty extra cells count.
    padded = body
    if (lengths != width).any():
        padded = [r + [""] * (width - len(r)) if len(r) < width else r[:width] for r in body]
    # Every cell is already text (csv yields str, _cell_text too): nothing to fill. Each
    # column becomes Arrow text, UTF-8 in one buffer, and the rows' str objects are freed:
    # at 1M rows of 15 columns those held 1.2 GB, and every column goes to Arrow anyway.
    transposed = zip(*padded, strict=True) if padded else iter(())
    frame = pd.DataFrame(
        {name: _arrow_text(cells) for name, cells in zip(header, transposed, strict=False)},
        columns=header,
        index=pd.RangeIndex(len(body)),
    )
    for name in header:
        if name not in frame:  # no rows: typed empty columns
            frame[name] = pd.array([], dtype=_TEXT)
    long_rows = np.flatnonzero(lengths > width)
    extras = np.full(len(body), "", dtype=object)
    for i in long_rows:  # only rows longer than the header; usually none
        extras[i] = " | ".join(c for c in body[int(i)][width:] if c.strip())
    if long_rows.size:
        frame["extra_cells"] = extras
    # A row is blank when all its text, joined, is whitespace: one strip per row, not per cell.
    blank = np.fromiter((not "".join(r).strip() for r in body), dtype=bool, count=len(body))
    ragged = ((lengths < width) & ~blank & short_is_ragged) | (extras != "")
    return frame, ragged, blank


def _column_frame(
    body: ColumnRows, header: list[str]
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """:func:`text_frame` of rows held by column: each as many cells as the header, none ragged."""
    frame = pd.DataFrame(
        {name: pd.arrays.ArrowStringArray(c) for name, c in zip(header, body.columns, strict=True)},
        columns=header,
        index=pd.RangeIndex(len(body)),
    )
    # Blank: every cell only what str.strip() removes, as text_frame's joined rows are.
    blank = np.ones(len(body), dtype=bool)
    for column in body.columns:
        blank &= pc.match_substring_regex(column, _ALL_SPACE).to_numpy(zero_copy_only=False)
    return frame, np.zeros(len(body), dtype=bool), blank


def _arrow_text(cells: Sequence[str | None]) -> pd.api.extensions.ExtensionArray:
    # Straight to Arrow: pandas' own constructor checks every cell in Python first (1 s for
    # 15 columns of 100k rows, against 0.1 s).
    return pd.arrays.ArrowStringArray(pa.array(cells, type=pa.large_string()))


class Folded(dict):
    """Each column's NFKC-folded, space-free text ("" for empty), computed once per read."""

    def __init__(self, raw: pd.DataFrame) -> None:
        super().__init__()
        self.raw = raw

    def __missing__(self, header: str) -> pd.Series:
        self[header] = _cells.normalise_text(self.raw[header]).fillna("")
        return self[header]


def _plain(value: object) -> object:
    """A parameter as JSON keeps it: numpy scalars and arrays as Python numbers and lists."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray | list | tuple):
        return [_plain(v) for v in value]
    return value


def _json(value: object) -> str:
    return json.dumps(_plain(value), ensure_ascii=False)


def _json_values(values: np.ndarray) -> np.ndarray:
    """Each value as JSON text: one encoding per distinct value (a list, per row)."""
    try:
        codes, distinct = pd.factorize(values, use_na_sentinel=False)
    except TypeError:  # lists (a duplicate group's rows): few rows, one each
        return np.array([_json(v) for v in values], dtype=object)
    return np.array([_json(v) for v in distinct], dtype=object)[codes]


def coded_params(params: Mapping[str, object], mask: np.ndarray) -> str | np.ndarray:
    """
    The JSON text of a detail's code and parameters, for the rows of ``mask``.

    One text for all when every parameter is one value; else one per flagged row, joined
    column by column from each distinct value's encoding (no dict, no dump per row: a
    100k-row ledger of implausible figures stays as fast as its worded messages were).
    """
    own = {n: v for n, v in params.items() if isinstance(v, np.ndarray | pd.Series)}
    shared = _json({n: v for n, v in params.items() if n not in own})
    if not own:
        return shared
    at = np.flatnonzero(mask)
    text = np.full(len(at), shared[:-1], dtype=object)
    sep = ", " if shared != "{}" else ""
    for name, value in own.items():
        encoded = _json_values(np.asarray(value, dtype=object)[at])
        text = text + f"{sep}{json.dumps(name)}: " + encoded
        sep = ", "
    return text + "}"


class Flags:
    """
    The first reason per row, with its column and detail; later checks skip flagged rows.

    A detail is what the check found as the file wrote it (a quoted cell, a point), the same
    in every language; a detail that needs words is a code with parameters
    (``params`` of :meth:`flag`), worded by :mod:`layers.wording` from ``qdetail_<code>``.
    """

    def __init__(self, rows: int) -> None:
        self.reason = np.full(rows, None, dtype=object)
        self.column = np.full(rows, "", dtype=object)
        self.detail = np.full(rows, "", dtype=object)
        # Per row: None, or the detail's code and parameters as JSON ({"code": ..., ...}).
        self.params = np.full(rows, None, dtype=object)
        self.stages: list[dict[str, int | str]] = []
        # Kept beside ``reason`` so ok() is a copy, not a scan of objects (about 70 calls
        # per ledger, 3 ms each at 100k rows).
        self._ok = np.ones(rows, dtype=bool)

    def ok(self) -> np.ndarray:
        """Rows not quarantined so far (a copy)."""
        return self._ok.copy()

    def flag(
        self,
        mask: np.ndarray | pd.Series,
        reason: str,
        *,
        column: str = "",
        detail: str | Sequence[object] | np.ndarray | pd.Series | None = None,
        params: Mapping[str, object] | np.ndarray | None = None,
    ) -> None:
        """
        Quarantine rows in ``mask`` not already quarantined; details may be per-row arrays.

        ``params`` words the detail: its ``code`` (a key of the reader's ``DETAILS``) and
        the parameters its words take, each one value for all rows or an array (or Series)
        with one per input row; or an array of their JSON texts, one per input row (None
        where the detail is plain).
        """
        mask = np.asarray(mask, dtype=bool) & self._ok
        if not mask.any():
            return
        self.reason[mask] = reason
        self._ok[mask] = False
        self.column[mask] = column
        if detail is not None:
            self.detail[mask] = (
                detail if isinstance(detail, str) else np.asarray(detail, dtype=object)[mask]
            )
        if isinstance(params, np.ndarray):
            self.params[mask] = params[mask]
        elif params is not None:
            self.params[mask] = coded_params(params, mask)

    def detail_params(self, rows: np.ndarray) -> np.ndarray:
        """The coded details of ``rows`` (a mask) as JSON text, None where plain."""
        return self.params[rows]

    def stage(self, name: str) -> None:
        """Record how many rows are clean and quarantined after the stage ``name``."""
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
    if rows.size:
        # Those rows' cells alone as Python text, not the whole column's.
        out[rows] = [repr(t) for t in texts.iloc[rows].to_numpy(dtype=object)]
    return out


def parse_points(
    raw: pd.DataFrame, columns: dict[str, str], flags: Flags
) -> tuple[np.ndarray, np.ndarray]:
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
        detail=pair,
        params={"code": "not_degrees"},
    )
    flags.flag(abroad, "outside_china", column=f"{lon_h}/{lat_h}", detail=pair)
    return lon, lat


def wgs84_points(
    raw: pd.DataFrame, columns: dict[str, str], crs_name: str | None, flags: Flags
) -> tuple[np.ndarray, np.ndarray]:
    """
    Each row's lon, lat in WGS84, from its own datum (坐标系 cell, else ``crs_name``).

    Bad points are flagged (:func:`parse_points`); a row without a point, or quarantined,
    gets NaN. Points with no datum anywhere raise :class:`InputError` (``fix="datum"``):
    nothing is guessed.
    """
    lon, lat = parse_points(raw, columns, flags)
    datums = row_datums(raw, columns, crs_name, flags)
    undeclared = flags.ok() & ~np.isnan(lon) & pd.isna(datums)
    if undeclared.any():
        raise InputError(
            f"Expected the datum of the coordinates; {int(undeclared.sum())} rows have points "
            "and no 坐标系 cell, and no datum was given. Declare it (wgs84, cgcs2000, gcj02 for "
            "Amap/Tencent, bd09 for Baidu) or add a 坐标系 column. Nothing is guessed.",
            fix="datum",
            code="no_datum",
        )
    lon_w, lat_w = np.full(len(lon), np.nan), np.full(len(lat), np.nan)
    for datum in crs.DATUMS:
        rows = flags.ok() & (datums == datum) & ~np.isnan(lon)
        if rows.any():
            # Each row's datum flips to WGS84 here, and only here.
            lon_w[rows], lat_w[rows] = crs.to_wgs84(lon[rows], lat[rows], datum)
    return lon_w, lat_w


#: Largest file read into memory by :func:`load_bytes`.
MAX_FILE_BYTES = 256 * 2**20


def load_bytes(
    source: str | Path | bytes, name: str | None, *, capped: bool = True
) -> tuple[bytes, str]:
    """
    A file's bytes and name; a missing, special or too large file is refused before reading.

    ``source`` is a path or the bytes themselves (then ``name`` is the upload's file name).
    ``capped=False`` lifts :data:`MAX_FILE_BYTES` for a local file whose size is checked
    elsewhere (a vector file: :func:`geo.io.vector.unpack_cap`).
    """
    if isinstance(source, bytes | bytearray):
        size, label = len(source), name or "upload"
    else:
        path = Path(source)
        if not path.exists():
            raise InputError(
                f"Expected a file, but {str(path)!r} does not exist.",
                code="file_missing",
                details={"name": str(path)},
            )
        if not path.is_file():
            raise InputError(
                f"Expected a file, but {str(path)!r} is a folder or a device. Name the file.",
                code="file_not_regular",
                details={"name": str(path)},
            )
        size, label = path.stat().st_size, path.name
    if capped and size > MAX_FILE_BYTES:
        mib, cap = str(size // 2**20), str(MAX_FILE_BYTES // 2**20)
        raise InputError(
            f"Expected a file of at most {cap} MB, got {mib} MB ({label}). Split it into "
            "several files, or clip it to the area you need.",
            code="file_bytes",
            details={"name": label, "cap": cap, "mib": mib},
        )
    if isinstance(source, bytes | bytearray):
        return bytes(source), name or ""
    return path.read_bytes(), name or path.name


_HEADER_SCAN_ROWS = 10


def find_header(rows: Sequence[list[str]], synonyms: dict[str, str], expected: str) -> int:
    """
    The index of the header: the first of the top rows naming at least two known fields.

    ``synonyms`` maps :func:`header_key` of a header to its field; ``expected`` lists the
    fields for the error message. A title row above the header is skipped this way.
    """
    for i, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        if len({synonyms.get(header_key(c)) for c in row} - {None}) >= 2:
            return i
    first = next((r for r in rows if any(c.strip() for c in r)), [])
    shown = [c for c in first if c][:8]
    raise InputError(
        f"Expected a header row naming at least two of: {expected}; the first row reads "
        f"{shown!r}. Add a header row, or rename the columns.",
        code="no_header",
        details={"expected": expected, "first": " | ".join(shown)},
    )


def table_body(
    table: Table, start: int
) -> tuple[list[str], Sequence[list[str]], np.ndarray, np.ndarray, dict[int, tuple[int, str]]]:
    """
    Split the rows at the header found at ``start``.

    Returns the header, the data rows under it (minus trailing blank rows), their numbers,
    their bad-encoding flags and their formulas without a value (by position in the body).
    """
    rows = table.rows
    header = unique_headers(rows[start])
    end = len(rows)
    while end > start + 1 and not any(c.strip() for c in rows[end - 1]):
        end -= 1
    body = rows[start + 1 : end]
    formulas = {i - start - 1: f for i, f in table.formulas.items() if start < i < end}
    numbers = np.asarray(table.numbers[start + 1 : end])
    return header, body, numbers, np.asarray(table.broken[start + 1 : end]), formulas


def flag_read_problems(
    flags: Flags,
    raw: pd.DataFrame,
    header: list[str],
    masks: tuple[np.ndarray, np.ndarray, np.ndarray],
    formulas: dict[int, tuple[int, str]],
) -> None:
    """Quarantine rows not in the encoding, blank, ragged, or holding an uncalculated formula."""
    broken, blank, ragged = masks
    flags.flag(broken, "bad_encoding", detail=quoted(raw[header[0]], broken))
    flags.flag(blank, "blank_row")
    flags.flag(
        ragged,
        "ragged_row",
        params={"code": "header_cells", "cells": len(header)},
    )
    by_column: dict[int, list[int]] = {}
    for row, (column, _) in formulas.items():
        by_column.setdefault(column, []).append(row)
    for column, rows in sorted(by_column.items()):
        mask = np.zeros(len(raw), dtype=bool)
        mask[rows] = True
        detail = np.full(len(raw), "", dtype=object)
        detail[rows] = [repr(formulas[r][1]) for r in rows]
        name = header[column] if column < len(header) else "extra_cells"
        flags.flag(mask, "formula_without_value", column=name, detail=detail)
