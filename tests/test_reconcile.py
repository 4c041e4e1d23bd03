"""Tests for geo/reconcile.py: a ledger against Xinxiang's 2023 plan (新百城提质办〔2023〕2号)."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from geo import figures, reconcile, records
from layers.wording import period_text

HEADER = ["小区名称", "所属区县", "所属城市", "改造年度", "户数", "楼栋数", "建筑面积（万m²）"]


def weibin_rows() -> list[list[str]]:
    """27 communities summing to the plan's 3,279 households, 87 buildings and 29.19 万m²."""
    rows = []
    for i in range(27):
        households = 121 + (12 if i == 0 else 0)  # 121 × 27 + 12 = 3,279
        buildings = 3 + (6 if i == 0 else 0)  # 3 × 27 + 6 = 87
        area = "1.19" if i == 0 else "1.08"  # 1.19 + 26 × 1.08 = 29.27 ≠ 29.19
        rows.append(
            [f"卫滨{i:02d}小区", "卫滨区", "新乡", "2023", str(households), str(buildings), area]
        )
    return rows


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rows = [
        *weibin_rows(),
        *[[f"红旗{i}", "红旗区", "新乡", "2023", "100", "", ""] for i in range(10)],
        ["高新小区", "高新区", "新乡", "2023", "50", "1", "0.5"],
        ["新年小区", "卫滨区", "新乡", "2024", "50", "1", "0.5"],
        ["无年小区", "卫滨区", "新乡", "", "50", "1", "0.5"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    ledger = records.read_ledger(buffer.getvalue().encode(), name="t.csv")
    assert ledger.summary()["quarantined"] == 0
    return reconcile.reconcile(ledger.projects, figures.load_figures())


def pick(table: pd.DataFrame, place: str, metric: str, period: str = "2023年") -> pd.Series:
    rows = table[
        (table["place"] == place) & (table["metric"] == metric) & (table["period"] == period)
    ]
    assert len(rows) == 1, rows
    return rows.iloc[0]


@pytest.mark.parametrize(
    ("metric", "reported", "mapped", "result"),
    [
        ("communities", 27, 27, "match"),
        ("households", 3279, 3279, "match"),
        ("buildings", 87, 87, "match"),
        ("floor_area_m2", 291_900, 292_700, "differs"),
    ],
)
def test_weibin_against_the_plan(table, metric, reported, mapped, result):
    # The plan's line 31: 卫滨区 27 个小区、3279 户、87 栋、29.19 万 m².
    row = pick(table, "卫滨区", metric)
    assert (row["reported"], row["mapped"], row["result"]) == (reported, mapped, result)
    assert row["difference"] == mapped - reported
    assert (row["doc_number"], row["seed_line"]) == ("新百城提质办〔2023〕2号", 31)


def test_partial_and_missing_values_are_not_read_as_zero(table):
    households = pick(table, "红旗区", "households")
    assert (households["reported"], households["mapped"], households["result"]) == (
        2673,
        1000,
        "differs",
    )
    buildings = pick(table, "红旗区", "buildings")
    assert buildings["result"] == "no_mapped_value" and pd.isna(buildings["mapped"])
    assert buildings["rows_missing_value"] == 10


def test_reported_districts_missing_from_the_ledger_say_so(table):
    row = pick(table, "牧野区", "households")
    assert (row["reported"], row["result"], row["ledger_rows"]) == (6205, "not_in_ledger", 0)
    assert pd.isna(row["mapped"])


def test_zones_reconcile_under_their_own_code(table):
    row = pick(table, "高新区", "communities")
    assert (row["adcode"], row["reported"], row["mapped"]) == ("410771", 7, 1)


def test_ledger_places_without_a_reported_figure_are_listed(table):
    # A ledger year no document reports: its year as a period code, worded by layers.
    later = pick(table, "卫滨区", "households", "2024")
    assert (later["mapped"], later["result"]) == (50, "no_reported_figure")
    assert [period_text(later["period"], lang) for lang in ("zh", "en")] == ["2024年", "2024"]
    assert pd.isna(later["reported"])
    undated = pick(table, "卫滨区", "households", "")
    assert undated["result"] == "no_year"


def test_every_result_is_a_known_one_and_stated_totals_are_not_compared(table):
    assert set(table["result"]) <= set(reconcile.RESULTS)
    assert "全市" not in set(table["place"])  # the 138-community total is a sum, not a place


def test_an_empty_ledger_gives_an_empty_table():
    empty = records.read_ledger("小区名称,所属区县\n".encode(), name="t.csv")
    assert reconcile.reconcile(empty.projects, figures.load_figures()).empty


def test_a_ledger_without_years_is_compared_over_all_periods():
    # Every row was `no_year` before; the planner gets the whole ledger per place against
    # each reported figure, and the table says it compared that way (issue 18).
    rows = [[f"卫滨{i:02d}小区", "卫滨区", "新乡", "", "121", "3", "1.08"] for i in range(27)]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    ledger = records.read_ledger(buffer.getvalue().encode(), name="t.csv")
    table = reconcile.reconcile(ledger.projects, figures.load_figures())
    assert reconcile.reconcile_by(ledger.projects) == "all"
    assert set(table["compared"]) == {"all"} and "no_year" not in set(table["result"])
    communities = pick(table, "卫滨区", "communities")
    assert (communities["reported"], communities["mapped"], communities["result"]) == (
        27,
        27,
        "match",
    )
    assert pick(table, "卫滨区", "households")["mapped"] == 121 * 27
    by_year = reconcile.reconcile(ledger.projects, figures.load_figures(), by="year")
    assert set(by_year["result"]) == {"no_year"}
    with pytest.raises(ValueError, match="Expected by to be one of"):
        reconcile.reconcile(ledger.projects, figures.load_figures(), by="month")


def test_a_ledger_with_years_is_still_compared_year_by_year(table):
    assert set(table["compared"]) == {"year"}
    assert "no_year" in set(table["result"])  # its one row without a year says so


def test_periods_are_worded_once_each_as_row_by_row():
    from geo.dates import period_code
    from geo.reconcile import _period_text

    rng = np.random.default_rng(7)
    start = pd.Series(rng.choice([2019, 2020, 2023, None], 500), dtype="Int64")
    end = start + pd.Series(rng.choice([0, 1, 2, None], 500), dtype="Int64")
    worded = _period_text(start, end)
    assert worded.tolist() == [period_code(a, b) or "" for a, b in zip(start, end, strict=True)]
    assert worded.index.equals(start.index) and "" in set(worded) and "2019" in set(worded)
