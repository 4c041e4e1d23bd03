"""Tests for layers/tables.py: CSV and XLSX read back, formula injection, sheet titles."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from geo._data import DATA_DIR
from layers.tables import csv_bytes, neutralise_formulas, xlsx_bytes

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
    from layers.tables import _neutralised

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


# --- the screen tables in the interface's language (issue 18) --------------------------------


@pytest.fixture(scope="module")
def shipped_figures():
    from geo import figures

    return figures.load_figures()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figure_tables_are_headed_coded_and_rounded_in_the_interfaces_language(
    shipped_figures, lang
):
    from layers.tables import figure_table

    table = figure_table(shipped_figures, lang)
    english = lang == "en"
    assert list(table.columns)[:7] == (
        ["City", "Place", "Level", "Period", "Kind", "Metric", "Value"]
        if english
        else ["所属城市", "地点", "级别", "时期", "性质", "指标", "数值"]
    )
    cells = " ".join(table.astype(str).drop(columns=table.columns[[0, 8]]).to_numpy().ravel())
    codes = ("in_progress", "at_least", "None", "nan", "1800000000")
    for code in codes if english else (*codes, "exact", "stock", "plan"):
        assert code not in cells, code
    subsidy = table[table.iloc[:, 6].str.contains("亿元|1,800,000,000")].iloc[0]
    assert subsidy.iloc[6] == ("1,800,000,000 CNY" if english else "18 亿元")
    if english:
        for chinese in ("未注明日期", "主城区", "2023年", "计划"):
            assert chinese not in cells, chinese


def test_reconciliation_rows_say_what_each_result_means(shipped_figures):
    from geo import reconcile, records
    from layers.tables import reconciliation_table

    ledger = records.read_ledger(DATA_DIR / "examples" / "synthetic-ledger-xinxiang.csv")
    raw = reconcile.reconcile(ledger.projects, shipped_figures)
    names = dict(zip(shipped_figures["metric"], shipped_figures["label_zh"], strict=False))
    table = reconciliation_table(raw, names)
    assert len(table) == len(raw)
    row = table[
        (table["地点"] == "红旗区") & (table["指标"] == "户数") & (table["时期"] == "2023年")
    ]
    assert row[["上报数", "台账合计", "差值（台账−上报）", "核对结果"]].values.tolist() == [
        ["2673 户", "810 户", "-1,863 户", "不一致"]  # reported as the plan writes it
    ]
    unreported = table[table["核对结果"] == "文件未上报"].iloc[0]
    assert unreported["上报数"] == "无数据" and unreported["含义"].startswith("台账有行")


def test_clean_ledger_rows_show_tags_and_statuses_as_words():
    from geo import records
    from layers.tables import projects_table

    ledger = records.read_ledger(DATA_DIR / "examples" / "synthetic-ledger-xinxiang.csv")
    zh = projects_table(ledger.projects).set_index("小区名称")
    assert zh.loc["幸西小区", "改造内容"] == "外墙、管网、无障碍"
    assert (zh.loc["幸小区", "状态"], zh.loc["幸小区", "户数"]) == ("已开工", "352 户")
    en = projects_table(ledger.projects, "en").set_index("Community")
    assert en.loc["幸西小区", "Content"] == "Facades, Pipes and networks, Accessibility"
    assert en.loc["幸小区", "Status"] == "started"
    assert "facade|pipes" not in " ".join(en.astype(str).to_numpy().ravel())


def test_a_card_names_its_period_kind_and_the_filtered_district(shipped_figures):
    from geo import selection
    from layers.tables import card_texts

    chosen = selection.Selection(cities=("新乡市",), districts=("卫滨区",))
    kept = selection.filter_figures(shipped_figures, chosen)
    (card,) = [r for _, r in selection.city_summary(kept, "households", ["新乡市"]).iterrows()]
    headline, value, caption = card_texts(card, districts=("卫滨区",))
    assert (headline, value) == ("新乡市 · 卫滨区 · 2023年 计划", "3279 户")
    assert (
        caption.startswith("新百城提质办〔2023〕2号 关于印发《2023年新乡市")
        and ".txt" not in caption
    )
    whole = selection.filter_figures(
        shipped_figures, selection.Selection(cities=("新乡市",)), stated_totals=True
    )
    (card,) = [r for _, r in selection.city_summary(whole, "households", ["新乡市"]).iterrows()]
    assert card_texts(card, "en")[:2] == ("新乡市 · city-wide · 2023 plan", "22,149 households")
    assert card_texts(card)[:2] == ("新乡市 · 全市 · 2023年 计划", "22149 户")


def test_a_card_of_one_district_says_it_is_no_city_total(shipped_figures):
    from geo import selection
    from layers.tables import card_texts

    kept = selection.filter_figures(
        shipped_figures, selection.Selection(cities=("开封市",)), stated_totals=True
    )
    (card,) = [r for _, r in selection.city_summary(kept, "households", ["开封市"]).iterrows()]
    headline, value, caption = card_texts(card)
    assert headline == "开封市 · 9 个区县中 1 个有数据 · 2019年至2022年 已完成"
    assert value == "4.2 万余户"
    assert caption.startswith("仅为顺河回族区的数字，不是全市合计  \n汴顺政〔2023〕47号")
    headline, value, caption = card_texts(card, "en")
    assert (headline, value) == (
        "开封市 · 1 of 9 districts with data · 2019–2022 completed",
        "at least 42,000 households",
    )
    assert caption.startswith("顺河回族区 only, not a city total")
    (card,) = [r for _, r in selection.city_summary(kept, "residents", ["开封市"]).iterrows()]
    assert card_texts(card)[1] == "11.5 万多人"
