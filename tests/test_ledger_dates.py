"""Start and finish dates in ledgers: every form ledgers write, the precision kept, and the
dates that cannot be true quarantined with their codes (geo/io/cells.py, geo/records.py,
geo/dates.py)."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

from geo import dates, records
from geo.io import cells as _cells
from layers.wording import quarantine_messages

HEADER = "小区名称,所属城市,所属区县,改造年度,户数,状态,开工日期,完工日期"


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("2023年3月15日", "2023-03-15"),
        ("2023.3.15", "2023-03-15"),
        ("2023/03/15", "2023-03-15"),
        ("2023-03-15", "2023-03-15"),
        ("20230315", "2023-03-15"),
        ("２０２３年３月１５日", "2023-03-15"),  # full-width digits, folded
        ("2023-03-15 08:30:00", "2023-03-15"),  # an XLSX date-time read as text
        ("45000", "2023-03-15"),  # an Excel serial: days since 1899-12-30
        ("45000.5", "2023-03-15"),
        # A month alone stays a month: never made its 1st.
        ("2023-03", "2023-03"),
        ("2023/3", "2023-03"),
        ("2023.3", "2023-03"),
        ("2023年3月", "2023-03"),
    ],
)
def test_every_form_a_ledger_writes_a_date_in_reads_with_its_precision(written, read):
    values, problems = _cells.parse_dates(pd.Series([written]))
    assert (values.iloc[0], problems.iloc[0]) == (read, None)


@pytest.mark.parametrize("written", ["2023-02-30", "2023-13", "2023年13月", "三月", "12345", "x"])
def test_a_date_that_does_not_exist_or_is_no_date_is_a_bad_value(written):
    values, problems = _cells.parse_dates(pd.Series([written]))
    assert pd.isna(values.iloc[0]) and problems.iloc[0] == "bad_value"


def test_a_month_spans_its_days_and_a_day_is_itself():
    first, last = dates.bounds(pd.Series(["2023-02", "2024-02", "2023-03-15", None]))
    assert [str(d) for d in first] == ["2023-02-01", "2024-02-01", "2023-03-15", "NaT"]
    assert [str(d) for d in last] == ["2023-02-28", "2024-02-29", "2023-03-15", "NaT"]
    assert dates.is_month(pd.Series(["2023-02", "2023-02-01", None])).tolist() == [
        True,
        False,
        False,
    ]


@pytest.mark.parametrize(
    ("day", "end"),
    [("2023-05-31", "2023-03-31"), ("2023-06-30", "2023-06-30"), ("2023-02-01", "2022-12-31")],
)
def test_a_ranking_day_is_the_last_quarter_end_on_or_before(day, end):
    assert dates.quarter_end(datetime.date.fromisoformat(day)).isoformat() == end


def _read(tmp_path, rows: list[str], **options) -> records.Ledger:
    path = tmp_path / "dated.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return records.read_ledger(path, **options)


def test_dates_that_cannot_be_true_are_quarantined_with_their_codes(tmp_path):
    ledger = _read(
        tmp_path,
        [
            "甲,新乡市,卫滨区,2023,100,完工,2023年3月15日,2023.6.30",
            "乙,新乡市,卫滨区,2023,50,开工,2023-03,",
            "丙,新乡市,卫滨区,2023,60,完工,2023/05/01,2023/04/01",
            "丁,新乡市,卫滨区,2023,70,开工,2024-01-02,",
            "戊,新乡市,卫滨区,2023,80,完工,2018-05,2019-06",
            "己,新乡市,卫滨区,2023,90,完工,2023-04-01,",
            "庚,新乡市,卫滨区,2023,90,计划,2023-04-01,",
            "辛,新乡市,卫滨区,2023,90,开工,2023-04-01,2023-05-01",
            "壬,新乡市,卫滨区,2023,90,开工,45000,",
            "癸,新乡市,卫滨区,2023,90,开工,,",
            "子,新乡市,卫滨区,2023,90,开工,2023-13,",
            "丑,新乡市,卫滨区,2023,90,完工,2023-05,2023-05",  # one month: order cannot be told
        ],
        report_date="2023-12-31",
    )
    assert ledger.projects["name"].tolist() == ["甲", "乙", "壬", "丑"]
    assert ledger.projects["start_date"].tolist() == [
        "2023-03-15",
        "2023-03",
        "2023-03-15",
        "2023-05",
    ]
    refused = quarantine_messages(ledger.quarantine).set_index("row")
    assert refused["reason"].to_dict() == {
        4: "date_order",
        5: "future_date",
        6: "before_programme",
        7: "undated",
        8: "status_dates",
        9: "status_dates",
        11: "undated",
        12: "bad_value",
    }
    assert refused.loc[4, "message_zh"] == "完工日期早于开工日期：2023-05-01 > 2023-04-01"
    assert (
        refused.loc[5, "message_en"]
        == "开工日期: after the ledger's report date (2024-01-02 > 2023-12-31)"
    )
    assert refused.loc[6, "message_zh"] == "开工日期：早于改造工作开始之年（2018-05 < 2019）"
    assert refused.loc[7, "message_zh"] == "完工日期：状态为完工，但未填日期"
    assert refused.loc[8, "message_zh"] == "状态与日期矛盾：状态为计划，开工日期 2023-04-01"
    assert refused.loc[11, "column"] == "开工日期"
    # Rows in = clean + quarantined, and the row's raw cells are kept.
    assert len(ledger.projects) + len(ledger.quarantine) == ledger.rows == 12
    assert refused.loc[5, "开工日期"] == "2024-01-02"
    assert (ledger.report_date, ledger.report_date_source) == ("2023-12-31", "given")


def test_the_report_date_comes_from_the_column_else_today(tmp_path, monkeypatch):
    path = tmp_path / "dated.csv"
    path.write_text(
        "小区名称,所属区县,状态,开工日期,填报日期\n"
        "甲,卫滨区,开工,2023-05-02,2023-04-30\n"  # after its own row's report date
        "乙,卫滨区,开工,2023-05-02,2023-05-31\n",
        encoding="utf-8",
    )
    ledger = records.read_ledger(path)
    assert ledger.quarantine["reason"].tolist() == ["future_date"]
    assert (ledger.report_date, ledger.report_date_source) == ("2023-05-31", "column")
    monkeypatch.setattr(dates, "today", lambda: datetime.date(2023, 5, 1))
    later = _read(tmp_path, ["甲,新乡市,卫滨区,2023,100,开工,2023-05-02,"])
    assert later.quarantine["reason"].tolist() == ["future_date"]
    assert (later.report_date, later.report_date_source) == ("2023-05-01", "read")


def test_a_plan_may_start_its_programme_later(tmp_path):
    rows = ["甲,新乡市,卫滨区,2023,100,完工,2019-05-01,2019-08-01"]
    assert _read(tmp_path, rows).quarantine.empty
    late = _read(tmp_path, rows, programme_start=2020)
    assert late.quarantine["reason"].tolist() == ["before_programme"]


def test_a_ledger_without_date_columns_reads_as_before(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("小区名称,所属区县,状态\n甲,卫滨区,完工\n", encoding="utf-8")
    ledger = records.read_ledger(path)
    assert ledger.quarantine.empty
    assert "start_date" not in ledger.projects and "finish_date" not in ledger.projects


def test_date_headers_in_english_and_an_excel_date_cell(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["name", "district", "status", "start date", "completion_date"])
    sheet.append(["甲", "卫滨区", "completed", datetime.date(2023, 3, 15), 45138])
    path = tmp_path / "dated.xlsx"
    book.save(path)
    ledger = records.read_ledger(path)
    assert ledger.projects[["start_date", "finish_date"]].values.tolist() == [
        ["2023-03-15", "2023-07-31"]
    ]
    assert np.array_equal(ledger.quarantine["reason"].to_numpy(), np.array([], dtype=object))


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("2023-06-30, 2023-11-30", ("2023-06-30", "2023-11-30")),
        ("2023-06-30，2023-11-30、2023-12-31", ("2023-06-30", "2023-11-30", "2023-12-31")),
        (" ", ()),
    ],
)
def test_a_typed_list_of_days_reads_in_order(text, days):
    assert dates.parse_days(text) == tuple(datetime.date.fromisoformat(d) for d in days)


def test_a_typed_list_with_one_wrong_day_says_which():
    with pytest.raises(ValueError, match=r"got '6月底'"):
        dates.parse_days("2023-03-31, 6月底")
