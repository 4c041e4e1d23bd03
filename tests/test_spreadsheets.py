"""Tests for layers/spreadsheets.py: CSV and XLSX read back, formula injection, sheet titles."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from layers.spreadsheets import csv_bytes, neutralise_formulas, xlsx_bytes

INJECTIONS = [
    "=1+1",
    "+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
]

XSS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
]

# Strings that merely contain a trigger later on, or look numeric without a sign, stay as-is.
HARMLESS = ["1+1", "a=b", "卫滨区 - 一期", "'=already", "0410703", ""]


def _projects() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "district": pd.Series(["卫滨区", "红旗区", None], dtype="str"),
            "adcode": pd.Series(["0410703", "410702", None], dtype="str"),
            "households": pd.array([120, None, -3], dtype="Int64"),
            "share": pd.array([0.5, None, -3.5], dtype="Float64"),
            "ratio": [1.25, np.nan, -2.0],
            "remark": pd.Series(["改造完成", None, pd.NA], dtype=object),
        }
    )


def _read_csv(frame: pd.DataFrame) -> pd.DataFrame:
    raw = io.BytesIO(csv_bytes(frame))
    return pd.read_csv(raw, dtype=str, encoding="utf-8-sig", keep_default_na=False)


def _read_xlsx(sheets: dict[str, pd.DataFrame]) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(xlsx_bytes(sheets)), data_only=False)


def _one_column_sheet(values: list[object]) -> list[openpyxl.cell.Cell]:
    sheet = _read_xlsx({"t": pd.DataFrame({"value": pd.Series(values, dtype=object)})})["t"]
    return [row[0] for row in sheet.iter_rows(min_row=2)]


def test_csv_starts_with_a_utf8_bom_and_uses_no_gbk():
    data = csv_bytes(_projects())
    assert data.startswith(b"\xef\xbb\xbf")
    assert "卫滨区".encode() in data


def test_csv_round_trip_keeps_chinese_codes_and_writes_missing_as_empty():
    back = _read_csv(_projects())
    assert list(back.columns) == list(_projects().columns)
    assert back["district"].tolist() == ["卫滨区", "红旗区", ""]
    assert back["adcode"].tolist() == ["0410703", "410702", ""]
    assert back["households"].tolist() == ["120", "", "-3"]
    assert back["share"].tolist() == ["0.5", "", "-3.5"]
    assert back["remark"].tolist() == ["改造完成", "", ""]


def test_csv_has_no_index_and_no_nan_spellings():
    text = csv_bytes(_projects()).decode("utf-8-sig")
    assert text.splitlines()[0] == "district,adcode,households,share,ratio,remark"
    for spelling in ("nan", "NaN", "<NA>", "None", "NaT"):
        assert spelling not in text


@pytest.mark.parametrize("payload", INJECTIONS)
def test_csv_prefixes_formula_like_text(payload):
    back = _read_csv(pd.DataFrame({"name": [payload]}))
    assert back["name"].tolist() == ["'" + payload]


@pytest.mark.parametrize("text", XSS + HARMLESS)
def test_csv_keeps_other_text_verbatim(text):
    back = _read_csv(pd.DataFrame({"name": [text]}))
    assert back["name"].tolist() == [text]


def test_csv_keeps_negative_numbers_unprefixed():
    frame = pd.DataFrame({"n": [-3, 4], "x": [-3.5, 1.0], "mixed": [-3, "-3.5"]})
    back = _read_csv(frame)
    assert back["n"].tolist() == ["-3", "4"]
    assert back["x"].tolist() == ["-3.5", "1.0"]
    # In a text column "-3.5" is untrusted text; the int beside it is still a number.
    assert back["mixed"].tolist() == ["-3", "'-3.5"]


def test_csv_neutralises_formula_like_headers():
    back = _read_csv(pd.DataFrame({"=1+1": [1]}))
    assert list(back.columns) == ["'=1+1"]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_xlsx_writes_formula_like_text_as_prefixed_text(payload):
    (cell,) = _one_column_sheet([payload])
    assert cell.data_type == "s"
    # openpyxl writes a carriage return raw (read back as a line feed) or, when lxml is
    # installed (python-docx needs it), as &#13; (read back as itself); the prefix is what matters.
    assert cell.value in ("'" + payload, "'" + payload.replace("\r", "\n"))


@pytest.mark.parametrize("text", XSS + [t for t in HARMLESS if t])
def test_xlsx_keeps_other_text_verbatim(text):
    (cell,) = _one_column_sheet([text])
    assert cell.data_type == "s"
    assert cell.value == text


def test_xlsx_keeps_numbers_numeric_and_codes_as_text():
    sheet = _read_xlsx({"projects": _projects()})["projects"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0] == ("卫滨区", "0410703", 120, 0.5, 1.25, "改造完成")
    assert rows[2][2:5] == (-3, -3.5, -2.0)
    assert sheet["B2"].data_type == "s"
    for ref in ("C2", "D2", "E2", "C4", "D4", "E4"):
        assert sheet[ref].data_type == "n"


def test_xlsx_writes_missing_values_as_empty_cells():
    frame = pd.DataFrame(
        {
            "text": pd.Series(["a", None, "b"], dtype="str"),
            "raw": pd.Series(["a", pd.NA, "b"], dtype=object),
            "count": pd.array([1, None, 2], dtype="Int64"),
            "share": pd.array([0.5, None, 0.25], dtype="Float64"),
            "ratio": [0.5, np.nan, 0.25],
            "when": pd.to_datetime(["2024-01-02", None, "2024-01-03"]),
            "kind": pd.Categorical(["a", None, "b"]),
            "flag": pd.array([True, None, False], dtype="boolean"),
        }
    )
    sheet = _read_xlsx({"t": frame})["t"]
    assert sheet.max_row == 4
    assert [cell.value for cell in sheet[3]] == [None] * 8
    assert [cell.value for cell in sheet[4]] == [
        "b",
        "b",
        2,
        0.25,
        0.25,
        dt.datetime(2024, 1, 3),
        "b",
        False,
    ]
    assert [cell.data_type for cell in sheet[2]] == ["s", "s", "n", "n", "n", "d", "s", "b"]


def test_xlsx_mixed_object_column_keeps_numbers_and_prefixes_text():
    cells = _one_column_sheet([-3, None, "-3.5", 2.5, True])
    assert [c.value for c in cells] == [-3, None, "'-3.5", 2.5, True]
    assert [c.data_type for c in cells] == ["n", "n", "s", "n", "b"]


def test_xlsx_header_is_bold_and_frozen():
    sheet = _read_xlsx({"projects": _projects()})["projects"]
    assert [cell.value for cell in sheet[1]] == list(_projects().columns)
    assert all(cell.font.b for cell in sheet[1])
    assert not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"


def test_xlsx_writes_midnight_datetimes_as_dates_and_keeps_times():
    frame = pd.DataFrame(
        {
            "day": pd.to_datetime(["2024-01-02", None]),
            "moment": pd.to_datetime(["2024-01-02 08:30:00", "2024-01-03 00:00:00"]),
            "aware": pd.to_datetime(["2024-01-02 08:30:00+08:00", None]),
        }
    )
    sheet = _read_xlsx({"t": frame})["t"]
    assert sheet["A2"].is_date and sheet["A2"].value == dt.datetime(2024, 1, 2)
    assert "h" not in sheet["A2"].number_format
    assert sheet["B2"].is_date and sheet["B2"].value == dt.datetime(2024, 1, 2, 8, 30)
    # Wall-clock time in the source zone: what the ledger said, not UTC.
    assert sheet["C2"].value == dt.datetime(2024, 1, 2, 8, 30)
    assert sheet["A3"].value is None and sheet["C3"].value is None


def test_xlsx_drops_control_characters_instead_of_failing():
    (cell,) = _one_column_sheet(["卫滨\x00区\x07"])
    assert cell.value == "卫滨区"


def test_xlsx_writes_infinity_as_empty_and_objects_as_text():
    cells = _one_column_sheet([float("inf"), ["a", "b"]])
    assert [c.value for c in cells] == [None, "['a', 'b']"]


@pytest.mark.parametrize(
    ("names", "titles"),
    [
        (["x" * 40], ["x" * 31]),
        (["a[b]:c*d?e/f\\g"], ["abcdefg"]),
        (["项目", "项目?", "[项目]"], ["项目", "项目 (2)", "项目 (3)"]),
        (["Projects", "PROJECTS"], ["Projects", "PROJECTS (2)"]),
        (["y" * 35, "y" * 33], ["y" * 31, "y" * 27 + " (2)"]),
        (["History"], ["History (2)"]),
        (["", "[]"], ["Sheet", "Sheet (2)"]),
        (["'quoted'"], ["quoted"]),
        (["=1+1"], ["=1+1"]),
    ],
)
def test_xlsx_sheet_titles_follow_excel_rules(names, titles):
    sheets = {name: pd.DataFrame({"n": [number]}) for number, name in enumerate(names)}
    book = _read_xlsx(sheets)
    assert book.sheetnames == titles
    assert [book[t]["A2"].value for t in titles] == list(range(len(names)))


def test_xlsx_empty_dict_says_what_to_pass():
    with pytest.raises(ValueError, match=r"at least one sheet, got an empty dict; pass \{'name'"):
        xlsx_bytes({})


def test_xlsx_writes_header_only_for_empty_frame():
    sheet = _read_xlsx({"empty": pd.DataFrame({"a": [], "b": []})})["empty"]
    assert [cell.value for cell in sheet[1]] == ["a", "b"]
    assert sheet.max_row == 1


def test_neutralise_formulas_keeps_dtypes_and_does_not_modify_input():
    frame = pd.DataFrame(
        {
            "name": pd.Series(["=1+1", "卫滨区", None], dtype="str"),
            "raw": pd.Series(["@x", 1, None], dtype=object),
            "kind": pd.Categorical(["+a", "b", "b"]),
            "n": pd.array([-1, 2, None], dtype="Int64"),
        }
    )
    before = frame.copy()
    out = neutralise_formulas(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert out["name"].tolist()[:2] == ["'=1+1", "卫滨区"] and pd.isna(out["name"][2])
    assert out["raw"].tolist()[:2] == ["'@x", 1]
    assert out["kind"].tolist() == ["'+a", "b", "b"]
    assert out.dtypes.astype(str).tolist() == ["str", "object", "object", "Int64"]
    pd.testing.assert_series_equal(out["n"], frame["n"])


def test_neutralise_formulas_is_idempotent_and_handles_duplicate_columns():
    frame = pd.DataFrame([["=a", "-b"]], columns=["x", "x"], index=[7])
    once = neutralise_formulas(frame)
    assert once.iloc[0].tolist() == ["'=a", "'-b"]
    assert once.index.tolist() == [7]
    pd.testing.assert_frame_equal(neutralise_formulas(once), once)


def test_neutralise_formulas_leaves_clean_categorical_alone():
    frame = pd.DataFrame({"kind": pd.Categorical(["a", "b"])})
    assert isinstance(neutralise_formulas(frame)["kind"].dtype, pd.CategoricalDtype)


# Formula triggers hidden behind characters that a cleaning step or a spreadsheet drops
# (issue 17: "\x01=HYPERLINK(...)" lost its \x01 after the check and became a formula).
HIDDEN_TRIGGERS = [
    '\x01=HYPERLINK("http://x","y")',
    "\x0b=1+1",
    "\x00@SUM(A1)",
    "\x1f+1",
    "\x08-1+1",
    " =1+1",
    "\u3000=1+1",
    "\u200b=1+1",
    "\ufeff@SUM(A1)",
]


@pytest.mark.parametrize("dtype", ["str", "string[python]", "string[pyarrow]", object])
def test_text_columns_of_every_dtype_are_neutralised_as_each_cell_is(dtype):
    from layers.spreadsheets import _neutralised

    values = [*INJECTIONS, *HIDDEN_TRIGGERS, "卫滨区", "a=b", "'=quoted", "", None]
    out = neutralise_formulas(pd.DataFrame({"name": pd.Series(values, dtype=dtype)}))
    expected = [_neutralised(v) for v in values]
    assert out["name"].tolist()[:-1] == expected[:-1] and pd.isna(out["name"].iloc[-1])


@pytest.mark.parametrize("payload", HIDDEN_TRIGGERS)
def test_csv_neutralises_triggers_behind_control_and_invisible_characters(payload):
    (value,) = _read_csv(pd.DataFrame({"name": [payload]}))["name"].tolist()
    assert value.startswith("'")
    assert not any(ord(c) < 32 for c in value)


@pytest.mark.parametrize("payload", HIDDEN_TRIGGERS)
def test_xlsx_never_writes_a_formula_cell_for_hidden_triggers(payload):
    (cell,) = _one_column_sheet([payload])
    assert cell.data_type == "s"
    assert cell.value.startswith("'")
    sheet = _read_xlsx({"t": pd.DataFrame({payload: [1]})})["t"]
    assert sheet.cell(1, 1).data_type == "s" and sheet.cell(1, 1).value.startswith("'")


@pytest.mark.parametrize("payload", [*INJECTIONS, *HIDDEN_TRIGGERS])
def test_geopackage_text_attributes_are_neutralised(tmp_path, payload):
    import geopandas as gpd
    import pyogrio
    from shapely.geometry import Point

    from layers.export import write_geopackage

    points = gpd.GeoDataFrame({"name": [payload]}, geometry=[Point(113.9, 35.3)], crs=4326)
    table = pd.DataFrame({"raw": [payload], "n": [-3]})
    path = write_geopackage({"points": points, "quarantine": table}, tmp_path / "out.gpkg")
    assert pyogrio.read_dataframe(path, layer="points")["name"].iloc[0].startswith("'")
    back = pyogrio.read_dataframe(path, layer="quarantine", read_geometry=False)
    assert back["raw"].iloc[0].startswith("'") and back["n"].iloc[0] == -3
