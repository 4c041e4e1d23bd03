"""
Tests for geo/io/xlsx.py: workbooks written here part by part, as a hostile program might.

Every workbook is a zip of the few XML parts Excel needs; cells hold inline strings or
numbers, so each test shows exactly what the file says.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from xml.sax.saxutils import escape

import pytest

from geo import records
from geo.errors import InputError
from geo.io import sheets as _sheets
from geo.io import xlsx as _xlsx
from layers.wording import error_text, quarantine_messages

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}{strings}</Types>"
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
LEDGER = [["小区名称", "所属区县", "所属城市", "户数"], ["甲", "卫滨区", "新乡", "120"]]


def _column(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(ref: str, value: object) -> str:
    if isinstance(value, str) and value.startswith("<c"):
        return value.replace("REF", ref)  # a raw cell, e.g. a formula
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def _sheet_xml(rows, *, dimension: str | None = None, start: int = 1) -> str:
    body = "".join(
        f'<row r="{r}">'
        + "".join(_cell(f"{_column(c)}{r}", v) for c, v in enumerate(row, 1) if v != "")
        + "</row>"
        for r, row in enumerate(rows, start)
    )
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">{dim}'
        f"<sheetData>{body}</sheetData></worksheet>"
    )


def workbook(
    sheets: dict[str, str], *, states: dict[str, str] | None = None, strings: str = ""
) -> bytes:
    """An XLSX of the given sheet XML parts, in order; ``states`` hides some."""
    states = states or {}
    entries = "".join(
        f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"'
        + (f' state="{states[name]}"' if name in states else "")
        + "/>"
        for n, name in enumerate(sheets, 1)
    )
    rels = "".join(
        f'<Relationship Id="rId{n}" Target="worksheets/sheet{n}.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        for n in range(1, len(sheets) + 1)
    )
    if strings:
        rels += (
            f'<Relationship Id="rId{len(sheets) + 1}" Target="sharedStrings.xml" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
        )
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        types = "".join(_SHEET_TYPE.format(n=n) for n in range(1, len(sheets) + 1))
        archive.writestr(
            "[Content_Types].xml",
            _TYPES.format(sheets=types, strings=_STRINGS_TYPE if strings else ""),
        )
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            f"<sheets>{entries}</sheets></workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>',
        )
        for n, xml in enumerate(sheets.values(), 1):
            archive.writestr(f"xl/worksheets/sheet{n}.xml", xml)
        if strings:
            archive.writestr("xl/sharedStrings.xml", strings)
    return buffer.getvalue()


def test_a_plain_workbook_reads_its_rows_and_numbers():
    book = _xlsx.read_workbook(workbook({"台账": _sheet_xml(LEDGER)}))
    assert book.rows == [
        ["小区名称", "所属区县", "所属城市", "户数"],
        ["甲", "卫滨区", "新乡", "120"],
    ]
    assert (book.numbers, book.sheet, book.sheets) == ([1, 2], "台账", [("台账", "visible")])


def test_a_declared_dimension_of_the_whole_sheet_allocates_nothing():
    # The battery's file made openpyxl's row iterator pad to XFD1048576: 7.6 GB, MemoryError.
    xml = _sheet_xml(LEDGER, dimension="A1:XFD1048576")
    ledger = records.read_ledger(workbook({"台账": xml}), name="t.xlsx")
    assert ledger.summary()["rows"] == 1 and ledger.summary()["clean"] == 1


def test_a_value_in_the_last_column_is_refused_naming_the_cap():
    rows = [*LEDGER, ["乙", "卫滨区", "新乡", "1"]]
    xml = _sheet_xml(rows).replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    )
    with pytest.raises(
        InputError, match=r"at most 500 columns .* row 1048576 has a value in column 16,384"
    ):
        records.read_ledger(workbook({"台账": xml}), name="t.xlsx")


def test_a_far_row_keeps_its_number_without_filling_the_gap():
    xml = _sheet_xml([LEDGER[0]]).replace(
        "</sheetData>",
        _sheet_xml([LEDGER[1]], start=1_000_000).split("<sheetData>")[1].split("</sheetData>")[0]
        + "</sheetData>",
    )
    book = _xlsx.read_workbook(workbook({"台账": xml}))
    assert book.numbers == [1, 1_000_000] and len(book.rows) == 2


def test_empty_styled_cells_do_not_widen_a_row():
    xml = _sheet_xml(LEDGER).replace("</row>", '<c r="XFD2" s="1"/></row>', 1)
    book = _xlsx.read_workbook(workbook({"台账": xml}))
    assert len(book.rows[0]) == 4


def test_caps_on_rows_and_cells_name_the_cap(monkeypatch):
    rows = [LEDGER[0], *([["甲", "卫滨区", "新乡", "1"]] * 20)]
    data = workbook({"台账": _sheet_xml(rows)})
    monkeypatch.setattr(_xlsx, "MAX_CELLS", 40)
    with pytest.raises(InputError, match=r"at most 40 cells with a value in a worksheet; row 11"):
        _xlsx.read_workbook(data)
    monkeypatch.setattr(_xlsx, "MAX_CELLS", 10_000)
    monkeypatch.setattr(_xlsx, "MAX_ROWS", 5)
    with pytest.raises(InputError, match=r"at most 5 rows in a worksheet"):
        _xlsx.read_workbook(data)


def test_a_10000_column_header_is_refused_in_xlsx_and_csv():
    header = [f"列{i}" for i in range(10_000)]
    with pytest.raises(InputError, match=r"at most 500 columns"):
        records.read_ledger(workbook({"台账": _sheet_xml([header])}), name="t.xlsx")
    csv = (",".join(["小区名称", "所属区县", *header]) + "\n甲,卫滨区\n").encode()
    with pytest.raises(InputError, match=r"at most 500 columns, got a header of 10,002 cells"):
        records.read_ledger(csv, name="t.csv")


def test_a_billion_laughs_in_shared_strings_is_one_clear_line():
    lol = "".join(f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, 10))
    strings = (
        f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY l0 "lol">{lol}]>'
        f'<sst xmlns="{_MAIN}" count="1" uniqueCount="1"><si><t>&l9;</t></si></sst>'
    )
    xml = _sheet_xml([["小区名称", "所属区县"]]).replace(
        '<c r="A1" t="inlineStr"><is><t>小区名称</t></is></c>', '<c r="A1" t="s"><v>0</v></c>'
    )
    with pytest.raises(
        InputError, match=r"declares XML entities or a DTD \(a DOCTYPE in xl/sharedStrings.xml\)"
    ) as caught:
        records.read_ledger(workbook({"台账": xml}, strings=strings), name="t.xlsx")
    assert "\n" not in str(caught.value)


def test_a_dtd_past_the_prolog_check_is_still_one_line(monkeypatch):
    # With the DTD check off, the parser stops the billion laughs: expat's amplification
    # limit, or defusedxml's refusal where openpyxl was imported before geo set it to expat.
    monkeypatch.setattr(_xlsx, "_declares_dtd", lambda archive, info: False)
    lol = "".join(f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, 10))
    xml = (
        _sheet_xml(LEDGER)
        .replace("<worksheet", f'<!DOCTYPE worksheet [<!ENTITY l0 "lol">{lol}]><worksheet')
        .replace("<t>甲</t>", "<t>&l9;</t>")
    )
    refusal = r"declares XML entities or a DTD \((.*amplification|EntitiesForbidden)"
    with pytest.raises(InputError, match=refusal):
        records.read_ledger(workbook({"台账": xml}), name="t.xlsx")


def test_an_external_entity_in_a_sheet_is_refused():
    xml = (
        _sheet_xml(LEDGER)
        .replace(
            "<worksheet", '<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]><worksheet'
        )
        .replace("<t>甲</t>", "<t>&x;</t>")
    )
    with pytest.raises(InputError, match=r"declares XML entities or a DTD"):
        records.read_ledger(workbook({"台账": xml}), name="t.xlsx")


def test_a_hidden_first_sheet_is_refused_listing_the_sheets():
    data = workbook(
        {
            "旧表": _sheet_xml([*LEDGER[:1], ["丙", "卫滨区", "新乡", "5"]]),
            "台账": _sheet_xml(LEDGER * 2),
        },
        states={"旧表": "hidden"},
    )
    with pytest.raises(
        InputError,
        match=r"'旧表' is hidden, and the workbook has '旧表' \(hidden\), '台账' \(visible\)",
    ) as caught:
        records.read_ledger(data, name="t.xlsx")
    assert caught.value.fix == "sheet"
    # Worded in the app's language from its code (issue 28): the sheets listed as it lists.
    assert caught.value.code == "xlsx_first_hidden"
    assert error_text(caught.value, "zh").startswith(
        "第一个工作表 旧表 已隐藏（工作簿中有：旧表、台账）。"
    )
    with pytest.raises(InputError) as absent:
        records.read_ledger(data, name="t.xlsx", sheet="新表")
    assert error_text(absent.value, "en").startswith(
        "The workbook has no sheet named 新表 (it has: 旧表, 台账)."
    )
    named = records.read_ledger(data, name="t.xlsx", sheet="旧表")
    assert named.summary()["sheet"] == "旧表" and named.summary()["rows"] == 1
    visible = records.read_ledger(data, name="t.xlsx", sheet="台账")
    assert visible.summary()["sheets"] == {"旧表": "hidden", "台账": "visible"}


def test_a_formula_without_a_cached_value_is_quarantined_not_an_empty_cell():
    rows = [
        LEDGER[0],
        ["甲", "卫滨区", "新乡", '<c r="REF"><f>SUM(X1:X9)</f></c>'],  # never calculated
        ["乙", "卫滨区", "新乡", '<c r="REF"><f>SUM(X1:X9)</f><v>80</v></c>'],  # cached
        ["丙", "卫滨区", "新乡", '<c r="REF" t="str"><f>IF(1,"","")</f><v></v></c>'],  # gave ""
    ]
    ledger = records.read_ledger(workbook({"台账": _sheet_xml(rows)}), name="t.xlsx")
    quarantine = ledger.quarantine
    assert quarantine[["row", "reason", "column"]].values.tolist() == [
        [2, "formula_without_value", "户数"]
    ]
    worded = quarantine_messages(quarantine)
    assert "'=SUM(X1:X9)' has no calculated value" in worded["message_en"].iloc[0]
    assert quarantine["户数"].tolist() == ["=SUM(X1:X9)"]
    assert ledger.projects["households"].tolist()[0] == 80
    assert ledger.projects["households"].isna().tolist() == [False, True]


def test_a_workbook_unpacking_past_the_cap_is_refused(monkeypatch):
    monkeypatch.setattr(_xlsx, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(InputError, match=r"at most 0 MB unpacked"):
        _xlsx.read_workbook(workbook({"台账": _sheet_xml(LEDGER * 40)}), name="t.xlsx")


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04 not really a zip", workbook({"台账": "<worksheet"})],
    ids=["broken zip", "broken sheet xml"],
)
def test_a_broken_workbook_is_one_clear_line(data):
    with pytest.raises(InputError, match=r"cannot be read as one") as caught:
        _sheets.read_rows(data, name="t.xlsx")
    assert "\n" not in str(caught.value)


def test_a_dtd_pushed_past_any_window_by_a_long_comment_is_refused():
    xml = _sheet_xml(LEDGER).replace(
        "<worksheet",
        "<!-- " + "x" * 3_000_000 + ' --><!DOCTYPE worksheet [<!ENTITY x "y">]><worksheet',
    )
    with pytest.raises(InputError, match=r"declares XML entities or a DTD"):
        records.read_ledger(workbook({"台账": xml}), name="t.xlsx")


# --- openpyxl's private parser, which geo/io/xlsx.py leans on -----------------------------------


def test_openpyxl_is_the_version_pinned_for_its_private_parser():
    # geo/io/xlsx.py subclasses openpyxl.worksheet._reader.WorkSheetParser, which openpyxl may
    # change in any release: an upgrade is a deliberate edit of the pin, with this file rerun.
    import importlib.metadata
    import re
    import tomllib
    from pathlib import Path

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    dependencies = tomllib.loads(pyproject.read_text("utf-8"))["project"]["dependencies"]
    pins = [d for d in dependencies if re.match(r"openpyxl\b", d)]
    assert pins == [f"openpyxl=={importlib.metadata.version('openpyxl')}"]


def test_openpyxl_private_parser_has_the_shape_geo_xlsx_uses():
    import inspect

    from openpyxl.reader.excel import load_workbook
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    tags = {"formula": FORMULA_TAG, "value": VALUE_TAG}
    assert tags == {"formula": f"{{{_MAIN}}}f", "value": f"{{{_MAIN}}}v"}
    parameters = inspect.signature(WorkSheetParser.__init__).parameters
    assert {"src", "shared_strings", "data_only", "epoch", "date_formats"} <= set(parameters)
    assert "timedelta_formats" in parameters
    assert callable(WorkSheetParser.parse) and callable(WorkSheetParser.parse_cell)
    # The read-only workbook's private attributes _sheet_rows reads the sheet through.
    book = load_workbook(BytesIO(workbook({"台账": _sheet_xml(LEDGER)})), read_only=True)
    sheet = book["台账"]
    assert {"_archive", "_date_formats", "_timedelta_formats", "epoch"} <= set(dir(book))
    assert {"_worksheet_path", "_shared_strings"} <= set(dir(sheet))
    parser = WorkSheetParser(
        book._archive.open(sheet._worksheet_path), sheet._shared_strings, data_only=True,
        epoch=book.epoch, date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )  # fmt: skip
    number, cells = next(iter(parser.parse()))
    assert number == 1 and {"column", "value"} <= set(cells[0])
    book.close()
