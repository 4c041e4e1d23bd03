"""
CSV and XLSX files for Excel, with every formula neutralised.

Both writers first pass the frame through `neutralise_formulas`, so a project name or
remark typed by someone else (``=HYPERLINK(...)``, ``+1``, ``@SUM(A1)``) reaches the planner
as text, never as a formula (the OWASP advice on CSV injection: prefix ``'``). Only ``str``
values are touched; numeric, boolean and datetime columns keep their type, so ``-3`` in a
numeric column is still a number. Missing values become empty cells, never ``nan`` or
``<NA>``. HTML in a value is kept verbatim: escaping it is the job of whatever renders HTML.
The GeoPackages of :mod:`layers.export` neutralise their text attributes the same way.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Iterable
from decimal import Decimal

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from layers.wording import quarantine_messages

__all__ = [
    "FORMULA_TRIGGERS",
    "SHEET_TITLE_MAX",
    "csv_bytes",
    "neutralise_formulas",
    "xlsx_bytes",
]

#: Leading characters that make Excel, LibreOffice or Sheets evaluate a cell (OWASP list).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: Excel refuses sheet titles longer than this.
SHEET_TITLE_MAX = 31

_FORBIDDEN_IN_TITLE = re.compile(r"[\[\]:*?/\\]")


# What a spreadsheet may skip before it reads a cell's first character: spaces (ASCII,
# ideographic, no-break) and invisible format characters (zero-width space, BOM).
_SKIPPED = " \u3000\u00a0\u200b\u200c\u200d\u2060\ufeff"


def _neutralised(value: object) -> object:
    """
    Text cleaned for a spreadsheet, then made inert: the cleaning first, the check last.

    Control characters that XML 1.0 cannot hold (``\x01``, ``\x0b``) are removed first, so
    ``"\x01=HYPERLINK(...)"`` cannot lose its ``\x01`` after the check and become a formula.
    Idempotent: a prefixed value starts with ``'``, which is no trigger.
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_TRIGGERS) or value.lstrip(_SKIPPED).startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _holds_text(column: pd.Series) -> bool:
    return column.dtype == object or isinstance(column.dtype, pd.StringDtype | pd.CategoricalDtype)


def _neutralised_column(column: pd.Series) -> pd.Series:
    # Each distinct value checked once (a network's 2M edges hold a few dozen tag values):
    # a column with nothing to change is returned as it is, without a pass per row. Values
    # that cannot be hashed (lists) are checked row by row.
    try:
        distinct = pd.unique(column.array)
    except TypeError:
        distinct = column.array
    if all(_neutralised(value) is value for value in distinct):
        return column
    values = [_neutralised(value) for value in column.array]
    # Categories are a closed set; a prefixed value only fits in a plain object column.
    dtype = object if isinstance(column.dtype, pd.CategoricalDtype) else column.dtype
    return pd.Series(values, index=column.index, name=column.name, dtype=dtype)


# ILLEGAL_CHARACTERS_RE as a pattern both Python's re and Arrow's RE2 read.
_ILLEGAL = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]"


def _neutralised_strings(column: pd.Series) -> pd.Series:
    """
    :func:`_neutralised` over a column of a string dtype, in Arrow's string kernels.

    A national ledger's names and addresses are all distinct: one Python call per cell took
    12 of the 34 CPU seconds of ``atlas ingest`` at 300k rows.
    """
    cleaned = column.str.replace(_ILLEGAL, "", regex=True)
    trigger = cleaned.str.lstrip(_SKIPPED).str.startswith(FORMULA_TRIGGERS).fillna(False)
    return cleaned.where(~trigger.to_numpy(dtype=bool), "'" + cleaned)


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """
    Return a copy of ``frame`` where no text can be read as a spreadsheet formula.

    Every ``str`` value or column label first loses the control characters XML cannot hold
    (``\x00``-``\x08``, ``\x0b``, ``\x0c``, ``\x0e``-``\x1f``); then one starting with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, also after spaces or zero-width
    characters, gets a leading ``'``. Numbers, booleans, datetimes and missing values are
    left alone, and so is the dtype of each column, except that a categorical column holding
    such a value becomes ``object``. No row is dropped; ``frame`` is not modified.
    """
    out = frame.rename(columns=_neutralised)
    # Positions, not labels, so that duplicate column names are each handled once.
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if isinstance(column.dtype, pd.StringDtype):
            out.isetitem(position, _neutralised_strings(column))
        elif _holds_text(column):
            out.isetitem(position, _neutralised_column(column))
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """
    The CSV of ``frame`` as UTF-8 bytes with a BOM, for a download button.

    The BOM makes Excel on Chinese Windows read UTF-8 instead of GBK. The index is not
    written, missing values are empty cells and text is written as-is, so a code such as
    ``"0410703"`` reads back unchanged with ``pd.read_csv(..., dtype=str)`` (Excel itself
    drops leading zeros when it opens any CSV; use `xlsx_bytes` to keep them in Excel).
    Formula-like text is prefixed with ``'`` by `neutralise_formulas`. A reader's quarantine
    is written with its reasons worded in both languages beside their codes
    (:func:`layers.wording.quarantine_messages`).
    """
    worded = quarantine_messages(frame)
    text = neutralise_formulas(worded).to_csv(index=False, na_rep="", lineterminator="\r\n")
    return text.encode("utf-8-sig")


def _cell_value(value: object) -> object:
    # Neutralised again here because str() of an odd object can itself look like a formula;
    # _neutralised also drops the control characters XML 1.0 cannot hold, before its check.
    if isinstance(value, str):
        return _neutralised(value)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    # Excel has no time zones and keeps at most microseconds: keep the wall-clock time.
    if isinstance(value, dt.datetime | np.datetime64):
        return pd.Timestamp(value).tz_localize(None).floor("us").to_pydatetime()
    if isinstance(value, dt.timedelta | np.timedelta64):
        return pd.Timedelta(value).floor("us").to_pytimedelta()
    if isinstance(value, np.generic):
        value = value.item()
    # Excel has no infinity; an empty cell is the honest "no usable number".
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int | float | Decimal | dt.date | dt.time):
        return value
    return _cell_value(str(value))


def _column_cells(column: pd.Series) -> list[object]:
    if pd.api.types.is_datetime64_any_dtype(column):
        stamps = column.dt.tz_localize(None) if column.dt.tz is not None else column
        present = stamps.dropna()
        # A column of midnights is a column of dates; Excel then shows no 00:00:00.
        if (present == present.dt.normalize()).all():
            return [None if pd.isna(stamp) else stamp.date() for stamp in stamps]
        return [_cell_value(stamp) for stamp in stamps]
    return [_cell_value(value) for value in column.array]


def _sheet_titles(names: Iterable[object]) -> list[str]:
    # Excel reserves "History" and compares titles case-insensitively.
    seen = {"history"}
    titles = []
    for name in names:
        cleaned = ILLEGAL_CHARACTERS_RE.sub("", _FORBIDDEN_IN_TITLE.sub("", str(name)))
        # Excel also rejects a title that starts or ends with an apostrophe.
        base = cleaned.strip("'")[:SHEET_TITLE_MAX].strip("'") or "Sheet"
        title, number = base, 1
        while title.casefold() in seen:
            number += 1
            suffix = f" ({number})"
            title = base[: SHEET_TITLE_MAX - len(suffix)].rstrip("'") + suffix
        seen.add(title.casefold())
        titles.append(title)
    return titles


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """
    An Excel workbook with one sheet per entry of ``sheets``, as bytes.

    Sheet titles lose the characters ``[]:*?/\\``, are cut to 31 characters and get a
    `` (2)``-style suffix where two would clash. The header row is bold and frozen. Text is
    always a text cell (codes keep their leading zeros) and formula-like text is prefixed
    with ``'``; nullable ``Int64``/``Float64`` values are numbers; missing values and
    infinities are empty cells; datetime columns whose values are all midnight are written
    as dates, others as date-times in wall-clock time. A row of missing values is an empty row.
    A reader's quarantine is written with its reasons worded in both languages, as by
    `csv_bytes`.
    """
    if not sheets:
        raise ValueError(
            "xlsx_bytes needs at least one sheet, got an empty dict; pass {'name': frame}."
        )
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, raw in zip(_sheet_titles(sheets), sheets.values(), strict=True):
        frame = neutralise_formulas(quarantine_messages(raw))
        sheet = workbook.create_sheet(title)
        sheet.append([_cell_value(str(label)) for label in frame.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        columns = [_column_cells(frame.iloc[:, i]) for i in range(frame.shape[1])]
        for row in zip(*columns, strict=True):
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
