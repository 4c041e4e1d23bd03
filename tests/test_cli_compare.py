"""`atlas compare`: the compare page's table, written as its download."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from cli import main
from geo import boundaries, compare
from geo.figures import load_figures
from layers.compare import compare_places
from layers.tables import compare_csv


def test_compare_writes_the_pages_table_with_each_value_and_its_source(tmp_path, capsys):
    out = tmp_path / "compare.csv"
    args = ["compare", "--city", "新乡", "--place", "卫滨区", "--place", "410702"]
    assert main([*args, "--metric", "households", "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary == {
        "out": str(out),
        "places": ["410703", "410702"],
        "metrics": ["households"],
        "years": [2017, 2024],
        "show": "value",
        "rows": 2,
        "status": {"ok": 2},
        "mixed_periods": [],
    }
    table = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert table[["区划代码", "地点", "原文", "时期"]].values.tolist() == [
        ["410703", "卫滨区", "3279 户", "2023年"],
        ["410702", "红旗区", "2673 户", "2023年"],
    ]
    assert table["出处"].str.startswith("新百城提质办〔2023〕2号").all()
    # Full precision beside the value as shown (3279 户 as written), ranked on the latter.
    assert table[["数值（完整精度）", "显示值（按页面写法取整，排名依据）"]].values.tolist() == [
        ["3279.0", "3279.0"],
        ["2673.0", "2673.0"],
    ]
    # What the page computes for the same choices, and offers as its download.
    figures = load_figures()
    outlines = boundaries.load_boundaries("district", display=True)
    places = compare.list_places(outlines, figures, ["新乡市"])
    page = compare_places(figures, places, ["410703", "410702"], ["households"], years=(2017, 2024))
    expected = compare_csv(page.table, page.titles)
    pd.testing.assert_frame_equal(
        table, expected.astype(str).replace({"nan": None, "<NA>": None}), check_dtype=False
    )


def test_compare_shares_of_the_city_in_english_as_xlsx(tmp_path, capsys):
    out = tmp_path / "compare.xlsx"
    args = ["compare", "--city", "新乡市", "--metric", "households", "--metric", "communities"]
    assert main([*args, "--show", "share_of_city", "--lang", "en", "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["places"], summary["rows"]) == (["410702", "410703"], 4)
    table = pd.read_excel(out, sheet_name="Compare places")
    assert set(table["Unit"]) == {"%"}
    assert table["Metric"].tolist()[0] == "households · share of the city (%)"
    # The workbook has the CSV's columns: the value as shown and the ties, in English.
    shown, tied = (
        "Value as shown (rounded as the page writes it; ranked on)",
        "Tied (places with the same value as shown)",
    )
    assert (table[shown] - table["Value (full precision)"]).abs().max() < 0.05
    assert table[tied].notna().all() and (table[tied] >= 1).all()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--place", "卫滨区"],
            "atlas compare: Expected two places or more to compare; got 1.\n",
        ),
        (
            ["--metric", "households", "--show", "per_household"],
            "atlas compare: Expected --show to be one of value, share_of_city for these "
            "metrics; got 'per_household' (a share of the city suits counts that add up; per "
            "household, those that are not households themselves).\n",
        ),
    ],
)
def test_compare_refuses_what_the_page_would_not_offer(tmp_path, capsys, args, message):
    out = tmp_path / "c.csv"
    assert main(["compare", "--city", "新乡市", *args, "--out", str(out)]) == 2
    assert capsys.readouterr().err == message
    assert not out.exists()


def test_compare_refuses_an_output_it_does_not_write(tmp_path, capsys):
    assert main(["compare", "--city", "新乡市", "--out", str(tmp_path / "c.json")]) == 2
    assert capsys.readouterr().err == (
        f"atlas compare: Expected --out to end in .csv or .xlsx, got '{tmp_path / 'c.json'}'.\n"
    )
