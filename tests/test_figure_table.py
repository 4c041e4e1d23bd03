"""Tests for geo/documents/table.py and `atlas figures`: tables in, figures out, bad rows kept."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest

from cli import main
from geo import selection
from geo.documents.table import read_figure_table, template_bytes
from geo.errors import InputError
from geo.figures import load_figures
from layers.wording import error_text, quarantine_messages

HEADER = "地区,城市,时期,状态,指标,数值,单位,文号,发文机关,日期,行号或页码,备注\n"
SOURCE = "新百城提质办〔2023〕2号,新乡市百城办,2023-02-07"
TABLE = HEADER + (
    f"卫滨区,新乡市,2023,计划,户数,3279户,,{SOURCE},第31行,示例行\n"  # 2: example
    f"卫滨区,新乡市,2023,计划,户数,3279,,{SOURCE},第31行,\n"  # 3
    f"红旗区,新乡市,2023,计划,建筑面积,30.08,万平方米,{SOURCE},31,\n"  # 4
    f"全市,新乡市,2023,计划,老旧小区,138个,,{SOURCE},第3页第29行,\n"  # 5
    f"牧野区,新乡市,2021年以来,完成,盲道,约12.5千米,,{SOURCE},,\n"  # 6
    f"鼓楼区,,2023,完成,户数,100,,{SOURCE},,\n"  # 7: ambiguous
    f"凤泉区,新乡市,2023,计划,户数,100-200户,,{SOURCE},,\n"  # 8: range
    f"凤泉区,新乡市,2023,计划,路灯,100个,,{SOURCE},,\n"  # 9: unknown metric
    f"凤泉区,新乡市,2023,计划,户数,3.2公里,,{SOURCE},,\n"  # 10: wrong unit
    f"凤泉区,新乡市,2023,搞定,户数,3,,{SOURCE},,\n"  # 11: bad status
    f"长垣市,新乡市,2023,计划,communities,19,,{SOURCE},,\n"  # 12: conflict
    f"长垣市,新乡市,2023,计划,communities,20,,{SOURCE},,\n"  # 13: conflict
    "延津县,新乡市,2023,计划,subsidy_cny,2.1亿元,,,,,,\n"  # 14: no source
    f"高新区,新乡市,2023,计划,投资,1500余万元,,{SOURCE},p.3,\n"  # 15
    f"红旗区,新乡市,2023,计划,建筑面积,30.08,万平方米,{SOURCE},31,\n"  # 16: repeat of 4
)


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "figures.csv"
    path.write_text(TABLE, encoding="gbk")
    return read_figure_table(path)


def test_every_row_is_a_figure_or_quarantined_with_its_reason(table):
    assert table.summary() == {
        "rows": 15,
        "clean": 5,
        "quarantined": 10,
        "by_reason": {
            "ambiguous_district": 1,
            "bad_value": 1,
            "duplicate_conflict": 2,
            "duplicate_row": 1,
            "example_row": 1,
            "missing_required": 1,
            "range_value": 1,
            "unit_mismatch": 1,
            "unknown_metric": 1,
        },
    }
    reasons = table.quarantine.set_index("row")["reason"].to_dict()
    assert reasons == {
        2: "example_row",
        7: "ambiguous_district",
        8: "range_value",
        9: "unknown_metric",
        10: "unit_mismatch",
        11: "bad_value",
        12: "duplicate_conflict",
        13: "duplicate_conflict",
        14: "missing_required",
        16: "duplicate_row",
    }
    worded = quarantine_messages(table.quarantine, "figures")
    range_row = worded[worded["row"] == 8].iloc[0]
    assert range_row["message_en"] == "数值: '100-200户' is a range, not one figure"
    assert range_row["数值"] == "100-200户"  # the raw cells travel with the row


def test_clean_rows_have_exact_values_places_and_sources(table):
    figures = table.figures.set_index("table_row")
    assert figures.loc[3, ["place", "adcode", "level", "metric", "value", "unit"]].tolist() == [
        "卫滨区",
        "410703",
        "district",
        "households",
        3279.0,
        "households",
    ]
    assert figures.loc[4, "value"] == 300800.0  # 30.08 万平方米
    assert (figures.loc[5, "level"], figures.loc[5, "seed_line"], figures.loc[5, "page"]) == (
        "city",
        29,
        3,
    )
    paving = figures.loc[6]
    assert (paving["qualifier"], paving["period_start"], paving["period_end"]) == (
        "approx",
        2021,
        2023,
    )
    assert figures.loc[15, ["level", "adcode", "qualifier"]].tolist() == [
        "zone",
        "410771",
        "at_least",
    ]
    assert set(figures["doc_number"]) == {"新百城提质办〔2023〕2号"}


def test_the_figures_have_the_shape_the_seed_figures_have(table):
    seeds = load_figures()
    assert set(seeds.columns) <= set(table.figures.columns)
    together = pd.concat([seeds, table.figures], ignore_index=True)
    # The map's filter takes them with the seed figures, unchanged.
    chosen = selection.Selection(cities=("新乡市",), districts=("卫滨区",), metrics=("households",))
    kept = selection.filter_figures(together, chosen)
    assert sorted(kept["value"].tolist()) == [3279.0, 3279.0]
    assert sorted(kept["seed_file"].tolist()) == ["002_b03d685b680bd4c7.txt", "figures.csv"]
    assert selection.source_text(kept).str.contains("新百城提质办〔2023〕2号").all()


def test_english_headers_and_an_xlsx_read_alike():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["place", "city", "period", "status", "metric", "value", "doc_number"])
    sheet.append(["Weibin", "新乡市", 2023, "plan", "households", 3279, "x〔2023〕1号"])
    sheet.append(["卫滨区", "新乡市", 2023, "completed", "households", "2.7万余户", "x〔2023〕1号"])
    out = io.BytesIO()
    book.save(out)
    table = read_figure_table(out.getvalue(), name="f.xlsx")
    assert table.quarantine["reason"].tolist() == ["no_district"]
    assert table.figures[["value", "qualifier"]].values.tolist() == [[27000.0, "at_least"]]


def test_a_table_without_the_columns_it_needs_is_refused_whole():
    with pytest.raises(InputError) as error:
        read_figure_table("地区,数值\n卫滨区,3\n".encode(), name="t.csv")
    assert str(error.value).startswith("Expected columns for 指标 (metric); 状态 (status); 文号")
    assert (error.value.code, error.value.details) == (
        "figures_columns",
        {"needed": "metric/status/source", "header": "地区、数值"},
    )
    assert error_text(error.value, "zh") == (
        "数据表缺少以下列：指标；状态；文号、发文机关或文件名称（至少一项）。文件表头为：地区、数值。"
        "请重命名这些列，或下载空白模板按模板填写。"
    )
    assert error_text(error.value, "en") == (
        "The figures table lacks columns for: the metric (指标); the status (状态); the source: "
        "document number (文号), issuer (发文机关) or title (文件名称), at least one. Its header "
        "is: 地区、数值. Rename the columns, or download the blank template and fill it in."
    )


def test_the_template_reads_back_with_only_its_example_quarantined():
    data = template_bytes()
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["figures 数值"]
    assert [c.value for c in sheet[1]][:6] == [
        "地区 (place)",
        "城市 (city)",
        "行政区划代码 (adcode)",
        "时期 (period)",
        "状态 (status)",
        "指标 (metric)",
    ]
    assert len(sheet.data_validations.dataValidation) == 2
    assert read_figure_table(data, name="t.xlsx").summary()["by_reason"] == {"example_row": 1}
    sheet.append(["红旗区", "新乡市", "", "2023", "完成", "户数", "2673", "", "x〔2023〕1号"])
    out = io.BytesIO()
    book.save(out)
    filled = read_figure_table(out.getvalue(), name="t.xlsx")
    assert filled.figures[["place", "value", "status"]].values.tolist() == [
        ["红旗区", 2673.0, "completed"]
    ]


def test_atlas_figures_read_and_template(tmp_path, capsys):
    path = tmp_path / "figures.csv"
    path.write_text(TABLE, encoding="utf-8")
    out, report = tmp_path / "f.csv", tmp_path / "q.xlsx"
    assert main(["figures", "read", str(path), "--out", str(out), "--report", str(report)]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["clean"] == 5
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == 5
    template = tmp_path / "t.xlsx"
    assert main(["figures", "template", "--out", str(template)]) == 0
    assert template.stat().st_size > 0
    assert main(["figures", "template", "--out", str(tmp_path / "t.csv")]) == 2


def test_atlas_figures_extract_prints_its_counts(tmp_path, capsys, seeds_dir):
    out = tmp_path / "proposed.csv"
    args = ["figures", "extract", str(seeds_dir / "004_e2793aa5775d1ac6.txt"), "--out", str(out)]
    assert main(args) == 0
    counts = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (counts["figures"], counts["in_a_metric"], counts["city"]) == (28, 15, "开封市")
    proposed = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert proposed.loc[proposed["as_written"] == "4091 处", "line"].tolist() == ["43"]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.txt", "got an empty file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "old.doc", "an old Word .doc file"),
        (b"%PDF-1.4 nothing", "broken.pdf", "Expected a readable PDF"),
    ],
)
def test_a_bad_document_exits_2_with_one_line_and_no_traceback(
    tmp_path, capsys, data, name, message
):
    path = tmp_path / name
    path.write_bytes(data)
    assert main(["figures", "extract", str(path), "--out", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "Traceback" not in err and len(err.splitlines()) == 1
