"""
XLSX workbooks as rows of text, in bounded memory and time, whatever the file declares.

openpyxl's read-only mode streams a sheet's XML, but its row iterator pads every row to the
sheet's declared dimension and yields every missing row: a single cell at XFD1048576 makes
it build 17 billion empty cells (7.6 GB and a MemoryError after 96 s, issue 17). So the
sheet is read here with openpyxl's own streaming parser (``WorkSheetParser``, the one its
read-only mode uses), keeping only cells that hold a value, and stopping at the caps:

- :data:`MAX_UNPACKED_BYTES` unpacked (the zip's members, as declared and as read),
- :data:`MAX_ROWS` row elements, :data:`MAX_COLUMNS` columns, :data:`MAX_CELLS` cells with
  a value; the message names the cap that was reached and where.

The declared ``<dimension>`` is never used. A workbook whose XML parts declare a DTD (where
entities live: billion laughs, an external entity) is refused in one line before openpyxl
parses it; expat's own limits and its refusal of undefined entities stand behind that.
(``defusedxml`` would do the same inside openpyxl, three times slower: its Python parser
took 12 s for 300k cells against 3.6 s.) A formula whose cached value is missing
(a workbook written by a program that never calculated it) is not an empty cell: its text is
kept and its position reported, for the caller to quarantine the row.

Sheets: the one named, else the first, which must be visible: a hidden first sheet is
refused with the list of sheets and their states, never read silently in place of the one
a person sees.
"""

from __future__ import annotations

import dataclasses
import io
import re
import warnings
import xml.etree.ElementTree as ET
import zipfile
from typing import Any

from openpyxl.workbook.workbook import Workbook as OpenpyxlBook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

from geo.errors import InputError

__all__ = [
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "Workbook",
    "read_workbook",
]

#: Largest sum of a workbook's members, unpacked.
MAX_UNPACKED_BYTES = 200 * 2**20
#: Most row elements read from a sheet: Excel's own limit.
MAX_ROWS = 1_048_576
#: Most columns: a ledger has about twenty, a GeoPackage table holds at most 2,000.
MAX_COLUMNS = 500
#: Most cells with a value per sheet (50,000 rows of 20 columns). openpyxl parses each
#: sheet twice (its read-only worksheet scans for the dimension first), about 100k cells/s
#: here on 2 cores, so this bounds a read to 10-20 s; a larger table reads faster as CSV.
MAX_CELLS = 1_000_000

_STATES = {"visible": "visible", "hidden": "hidden", "veryHidden": "very hidden"}
# Bytes of each XML part read at a time when it is searched for a DTD.
_PROLOG = 1 << 20
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclasses.dataclass
class Workbook:
    """
    One sheet read as text: rows, their row numbers, the sheet and every sheet's state.

    ``formulas`` maps a row's position in ``rows`` to (column index, formula text) for the
    first formula in that row whose cached value is missing.
    """

    rows: list[list[str]]
    numbers: list[int]
    sheet: str
    sheets: list[tuple[str, str]]
    formulas: dict[int, tuple[int, str]]


class _CachedValues(WorkSheetParser):
    """Cached values as ``data_only`` reads them, and a mark on formulas that have none."""

    def parse_cell(self, element: ET.Element) -> dict[str, Any]:
        cell = super().parse_cell(element)
        # No <v> at all: never calculated. An empty <v/> is a formula that gave "" (=IF(...)).
        if element.find(FORMULA_TAG) is not None and element.find(VALUE_TAG) is None:
            # A shared formula's later cells carry only a reference to the first one.
            cell["formula"] = "=" + (element.findtext(FORMULA_TAG) or "(shared formula)")
        return cell


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


def _entities(name: str, what: str) -> InputError:
    return InputError(
        f"Expected a workbook of plain XML; {name} declares XML entities or a DTD ({what}), "
        "which workbooks never need and XML bombs use. Save it again from Excel or WPS as .xlsx.",
        code="xlsx_entities",
        details={"name": name},
    )


def _check_zip(data: bytes, name: str) -> None:
    """Refuse a workbook that unpacks past the cap, or whose XML parts declare a DTD."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            mib, cap = str(unpacked // 2**20), str(MAX_UNPACKED_BYTES // 2**20)
            raise InputError(
                f"Expected an XLSX of at most {cap} MB unpacked, got {name} that unpacks to "
                f"{mib} MB. Split it into several files, or save it as CSV.",
                code="xlsx_unpacked",
                details={"name": name, "mib": mib, "cap": cap},
            )
        for info in archive.infolist():
            if _declares_dtd(archive, info):
                raise _entities(name, f"a DOCTYPE in {info.filename}")


def _declares_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """
    Whether a part holds ``<!DOCTYPE`` or ``<!ENTITY`` anywhere, read in chunks.

    A DTD belongs in the prolog, but a long comment can push it past any fixed window, and
    whichever XML parser openpyxl picks (expat, lxml, defusedxml) must never see one. Excel
    writes neither, even in a comment; the zip's caps bound what is read.
    """
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(_PROLOG):
            seen = tail + chunk
            if _DTD.search(seen):
                return True
            tail = seen[-16:]  # a declaration split across two chunks is still found
    return False


def _listing(sheets: list[tuple[str, str]]) -> str:
    return ", ".join(f"{title!r} ({_STATES.get(state, state)})" for title, state in sheets)


def _choose(
    book: OpenpyxlBook, sheet: str | None, sheets: list[tuple[str, str]]
) -> ReadOnlyWorksheet:
    names = [title for title, _ in sheets]
    if sheet is not None:
        if sheet not in names:
            raise InputError(
                f"Expected a sheet named {sheet!r}; the workbook has {_listing(sheets)}. "
                "Name one of those.",
                fix="sheet",
                code="xlsx_no_such_sheet",
                details={"sheet": sheet, "sheets": "/".join(names)},
            )
        return book[sheet]
    if not sheets:
        raise InputError(
            "Expected a workbook with at least one worksheet; it has none.",
            code="xlsx_no_sheet",
            details={},
        )
    first, state = sheets[0]
    if state != "visible":
        raise InputError(
            f"Expected the first sheet to be visible; {first!r} is {_STATES.get(state, state)}, "
            f"and the workbook has {_listing(sheets)}. A hidden sheet is read only when it "
            "is named: name the sheet to read.",
            fix="sheet",
            code="xlsx_first_hidden",
            details={"sheet": first, "sheets": "/".join(t for t, _ in sheets)},
        )
    return book[first]


def _capped(what: str, cap: int, where: str) -> InputError:
    """``what``: rows, columns or cells (with a value), each its code (``xlsx_<what>``)."""
    words = {"rows": "rows", "columns": "columns", "cells": "cells with a value"}
    return InputError(
        f"Expected at most {cap:,} {words[what]} in a worksheet; {where}. Split the table into "
        "several files, or save it as CSV.",
        code=f"xlsx_{what}",
        details={"cap": f"{cap:,}"},
    )


def _sheet_rows(
    book: OpenpyxlBook, chosen: ReadOnlyWorksheet
) -> tuple[list[list[str]], list[int], dict[int, tuple[int, str]]]:
    """The rows of ``chosen`` that hold a value, capped; their numbers and formulas."""
    rows: list[list[str]] = []
    numbers: list[int] = []
    formulas: dict[int, tuple[int, str]] = {}
    cells_read = elements = 0
    with book._archive.open(chosen._worksheet_path) as source:
        parser = _CachedValues(
            source,
            chosen._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for number, cells in parser.parse():
            elements += 1
            if elements > MAX_ROWS:
                raise _capped("rows", MAX_ROWS, f"it goes on past row element {MAX_ROWS:,}")
            kept = [c for c in cells if c["value"] is not None or "formula" in c]
            if not kept:
                continue  # a formatted row with no value is no row of the table
            width = max(c["column"] for c in kept)
            if width > MAX_COLUMNS:
                raise _capped(
                    "columns", MAX_COLUMNS, f"row {number} has a value in column {width:,}"
                )
            cells_read += len(kept)
            if cells_read > MAX_CELLS:
                raise _capped("cells", MAX_CELLS, f"row {number} passes the cap")
            texts = [""] * width
            for cell in kept:
                texts[cell["column"] - 1] = _cell_text(cell["value"]) or cell.get("formula", "")
                if "formula" in cell and len(rows) not in formulas:
                    formulas[len(rows)] = (cell["column"] - 1, cell["formula"])
            rows.append(texts)
            numbers.append(number)
    return rows, numbers, formulas


def read_workbook(data: bytes, *, name: str = "", sheet: str | None = None) -> Workbook:
    """
    Read one sheet of an XLSX workbook as text, within the caps of this module.

    Raises :class:`InputError` for a file that is no readable workbook, a hidden first sheet
    (unless ``sheet`` names a sheet), a sheet past a cap, or XML with entities.
    """
    import openpyxl

    name = name or "the upload"
    try:
        _check_zip(data, name)
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it drops (extensions, validation, a
            # date cell it reads as #VALUE!); none changes a value read here.
            warnings.simplefilter("ignore", UserWarning)
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheets = [(ws.title, ws.sheet_state) for ws in book.worksheets]
                chosen = _choose(book, sheet, sheets)
                rows, numbers, formulas = _sheet_rows(book, chosen)
            finally:
                book.close()
    except (ET.ParseError, ValueError, TypeError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        if isinstance(exc, InputError):
            raise
        raise _unreadable(exc, name) from None
    return Workbook(rows, numbers, chosen.title, sheets, formulas)


def _unreadable(exc: Exception, name: str) -> InputError:
    """One line for a workbook openpyxl could not read; entities are named as such."""
    from defusedxml.common import DefusedXmlException

    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ET.ParseError | DefusedXmlException):
        # openpyxl re-raises a part's parse error as "Unable to read workbook"
        cause = cause.__cause__ or cause.__context__
    # openpyxl parses with defusedxml once a module has imported it (python-docx's readers
    # do), and then a declared entity is EntitiesForbidden, not expat's ParseError.
    if isinstance(cause, DefusedXmlException) or (
        cause is not None and re.search(r"entity|amplification", str(cause))
    ):
        # Past the prolog check: expat's own limits (billion laughs) or an undefined entity.
        return _entities(name, str(cause))
    text = " ".join(str(exc).split())[:200]
    return InputError(
        f"Expected an .xlsx workbook, but {name} cannot be read as one ({type(exc).__name__}: "
        f"{text}). Save it again from Excel as .xlsx, or as CSV UTF-8.",
        code="xlsx_unreadable",
        details={"name": name},
    )
