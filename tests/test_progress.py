"""Progress against a plan (geo/progress.py): known rates at several days, gaps said as gaps."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest

from geo import figures, plans, progress, records, shown

HEADER = "小区名称,所属城市,所属区县,改造年度,户数,状态,开工日期,完工日期"
# 45017 is 2023-04-01 as an Excel serial; 2023-03 and 2023-09 are months alone.
ROWS = [
    "甲,新乡市,卫滨区,2023,100,完工,2023年3月15日,2023.6.30",
    "乙,新乡市,卫滨区,2023,50,开工,2023-03,",
    "丙,新乡市,卫滨区,2023,60,开工,45017,",
    "丁,新乡市,卫滨区,2023,70,计划,,",
    "戊,新乡市,红旗区,2023,200,完工,2023/02/10,2023-09",
    "己,新乡市,获嘉县,2023,40,开工,2023-04-10,",  # 获嘉县 is in no plan
    "庚,新乡市,卫滨区,2022,30,完工,2022-03-01,2022-08-01",  # another year
]


@pytest.fixture(scope="module")
def plan() -> plans.Plan:
    """The seed plan of 新乡 2023 (新百城提质办〔2023〕2号), its monthly report due on the 5th."""
    return plans.plan_from_figures(
        figures.load_figures(), city="新乡市", year=2023, start_by="2023-03-31",
        finish_by="2023-10-31", report_day=5,
    )  # fmt: skip


def _ledger(tmp_path, rows: list[str], name: str = "ledger.csv") -> pd.DataFrame:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    ledger = records.read_ledger(path, report_date="2023-12-31")
    assert ledger.quarantine.empty, ledger.quarantine
    return ledger.projects


def _place(found: progress.Progress, place: str) -> dict:
    table = found.table.set_index("place")
    return table.loc[place].to_dict()


@pytest.mark.parametrize(
    ("day", "started", "finished", "uncertain", "late"),
    [
        # The month-only start (乙, 2023-03) cannot be told on 15 March: uncertain, not started.
        ("2023-03-15", 1, 0, 1, []),
        ("2023-03-31", 2, 0, 0, []),
        # The Excel serial start (丙, 2023-04-01) counts from April; 丁 is late to start.
        ("2023-04-30", 3, 0, 0, [("丁", "not_started", 30)]),
        (
            "2023-11-30",
            3,
            1,
            0,
            [("乙", "not_finished", 30), ("丙", "not_finished", 30), ("丁", "not_started", 244)],
        ),
    ],
)
def test_a_district_s_rates_and_late_list_as_of_each_day(
    tmp_path, plan, day, started, finished, uncertain, late
):
    found = progress.progress_at(plan, _ledger(tmp_path, ROWS), as_of=day)
    weibin = _place(found, "卫滨区")
    assert (weibin["status"], weibin["planned"], weibin["listed"]) == ("ok", 27, 4)
    assert (weibin["started"], weibin["finished"], weibin["uncertain"]) == (
        started,
        finished,
        uncertain,
    )
    assert weibin["start_rate"] == pytest.approx(started / 27)
    assert weibin["finish_rate"] == pytest.approx(finished / 27)
    rows = found.late[found.late["district"] == "卫滨区"]
    assert list(zip(rows["name"], rows["kind"], rows["days_late"], strict=True)) == late


def test_households_are_counted_with_their_rates(tmp_path, plan):
    found = progress.progress_at(plan, _ledger(tmp_path, ROWS), as_of="2023-11-30")
    weibin = _place(found, "卫滨区")
    assert (weibin["started_households"], weibin["finished_households"]) == (210, 100)
    assert weibin["start_rate_households"] == pytest.approx(210 / 3279)
    hongqi = _place(found, "红旗区")  # finished in September (a month): counted by November
    assert (hongqi["started"], hongqi["finished"], hongqi["finish_rate"]) == (
        1,
        1,
        pytest.approx(1 / 11),
    )


def test_no_plan_and_not_reported_are_said_never_zero(tmp_path, plan):
    found = progress.progress_at(plan, _ledger(tmp_path, ROWS), as_of="2023-11-30")
    huojia = _place(found, "获嘉县")
    assert huojia["status"] == "no_plan"
    assert (huojia["started"], huojia["listed"]) == (1, 1)  # its counts shown
    assert pd.isna(huojia["planned"]) and pd.isna(huojia["start_rate"])  # no rate, not 0 %
    # 新乡县 is in neither: named as a district of the city without a plan, with no counts.
    xinxiang = _place(found, "新乡县")
    assert xinxiang["status"] == "no_plan" and pd.isna(xinxiang["listed"])
    muye = _place(found, "牧野区")  # in the plan, not in the ledger
    assert muye["status"] == "not_reported" and muye["planned"] == 20
    assert all(pd.isna(muye[c]) for c in ("listed", "started", "finished", "start_rate", "late"))
    city = found.table.iloc[0]
    assert (city["level"], city["status"], city["planned"]) == ("city", "partial", 138)
    assert (city["reported"], city["places"]) == (2, 11)
    assert (city["started"], city["finished"]) == (5, 2)  # 获嘉县's start is the city's too
    assert city["start_rate"] == pytest.approx(5 / 138)
    assert found.uncounted[["name", "reason"]].values.tolist() == [["庚", "other_year"]]


def test_a_ledger_without_dates_has_no_data_for_them(tmp_path, plan):
    path = tmp_path / "plain.csv"
    path.write_text(
        "小区名称,所属城市,所属区县,改造年度,状态\n甲,新乡市,卫滨区,2023,完工\n", "utf-8"
    )
    found = progress.progress_at(plan, records.read_ledger(path).projects, as_of="2023-11-30")
    weibin = _place(found, "卫滨区")
    assert weibin["listed"] == 1 and pd.isna(weibin["started"]) and pd.isna(weibin["start_rate"])
    assert found.notes == [{"code": "no_start_dates"}, {"code": "no_finish_dates"}]
    # Rates all missing are still numbers (a map classes them), never objects.
    assert all(found.table[r].dtype == "Float64" for r in progress.RATES)


def _report(ref, report_day, saved_day, covers, projects, basis="saved_at") -> progress.Report:
    return progress.Report(
        ref,
        datetime.date.fromisoformat(report_day),
        datetime.date.fromisoformat(saved_day),
        covers,
        projects.assign(dataset=ref.split("@")[0], version=int(ref.split("@")[1])),
        basis,
    )


def test_months_from_two_versions_where_one_district_did_not_report(tmp_path, plan):
    # 甲 and 戊 had started, not finished, when March and April were reported.
    started = [r.replace("完工", "开工").rsplit(",", 1)[0] + "," for r in (ROWS[0], ROWS[4])]
    march = _ledger(tmp_path, [started[0], ROWS[1], started[1]], "march.csv")
    april = _ledger(tmp_path, [started[0], *ROWS[1:3], ROWS[5]], "april.csv")
    # Ledgers without a 填报日期, dated by the day they were saved: March's on 3 April.
    reports = [
        _report("月报@1", "2023-04-03", "2023-04-03", ("410703", "410702"), march),
        # 卫滨区 (and 获嘉县, without a plan) report April, three days after the 5th.
        _report("月报@2", "2023-05-08", "2023-05-08", ("410703", "410724"), april),
    ]
    months = progress.monthly(plan, reports, through="2023-05-31").set_index(["month", "place"])
    assert months.loc[("2023-03", "卫滨区"), ["status", "started", "source"]].tolist() == [
        "reported",
        2,
        "月报@1",
    ]
    assert months.loc[("2023-03", "红旗区"), ["status", "started"]].tolist() == ["reported", 1]
    assert months.loc[("2023-04", "卫滨区"), ["status", "started"]].tolist() == ["late_report", 3]
    hongqi = months.loc[("2023-04", "红旗区")]
    assert hongqi["status"] == "not_reported" and pd.isna(hongqi["started"])  # 漏报, not 0
    assert months.loc[("2023-04", "新乡市"), "status"] == "partial"
    assert months.loc[("2023-04", "牧野区"), "status"] == "not_reported"
    assert set(months["status"]) <= set(progress.MONTH_STATUSES)
    # Without a plan, a district owes no report: a row only for the month it sent one.
    assert months.loc[("2023-04", "获嘉县"), ["status", "started"]].tolist() == ["late_report", 1]
    assert ("2023-03", "获嘉县") not in months.index
    assert months.loc[("2023-04", "卫滨区"), ["basis", "report_date"]].tolist() == [
        "saved_at",
        datetime.date(2023, 5, 8),
    ]
    # Nobody has reported May, and on 31 May its report is not due until 5 June: not yet
    # due, not 漏报; a day after the 5th it is 漏报. Never 0.
    may = months.loc[("2023-05", "卫滨区")]
    assert may["status"] == "not_due" and pd.isna(may["started"])
    later = progress.monthly(plan, reports, through="2023-06-06").set_index(["month", "place"])
    assert later.loc[("2023-05", "卫滨区"), "status"] == "not_reported"


def test_a_version_dated_by_its_ledger_is_on_time_whenever_it_was_saved(tmp_path, plan):
    # The same April, its ledger's 填报日期 saying 30 April: saved years later (history typed
    # in at once), it is still April's report and not late; without that date, its save
    # day would name the month (2026-01) and April would be 漏报.
    april = _ledger(tmp_path, ROWS[:3], "april.csv")
    dated = _report("月报@1", "2023-04-30", "2026-01-10", ("410703",), april, "report_date")
    months = progress.monthly(plan, [dated], through="2023-04-30").set_index(["month", "place"])
    assert months.loc[("2023-04", "卫滨区"), ["status", "started", "basis"]].tolist() == [
        "reported",
        3,
        "report_date",
    ]
    undated = _report("月报@1", "2026-01-10", "2026-01-10", ("410703",), april, "saved_at")
    months = progress.monthly(plan, [undated], through="2026-01-31").set_index(["month", "place"])
    assert months.loc[("2025-12", "卫滨区"), ["status", "basis"]].tolist() == [
        "late_report",
        "saved_at",
    ]
    assert ("2023-04", "卫滨区") not in months.index


@pytest.mark.parametrize(
    ("day", "report_day", "month", "late"),
    [
        ("2023-03-31", 5, "2023-03", False),  # a month's last day: that month, as it closed
        ("2023-04-03", 5, "2023-03", False),  # March's, sent by the 5th
        ("2023-04-05", 5, "2023-03", False),
        ("2023-04-06", 5, "2023-03", True),  # March's, late (迟报)
        ("2023-01-12", 5, "2022-12", True),
        ("2023-04-12", None, "2023-04", False),  # no report day: no calendar to be late by
    ],
)
def test_the_month_a_version_reports_and_whether_it_is_late(day, report_day, month, late):
    found = progress.reported_month(datetime.date.fromisoformat(day), report_day)
    assert found == (month, late)


def test_ranking_shares_a_rank_between_ties_and_names_who_is_not_ranked():
    table = pd.DataFrame(
        {
            "adcode": ["410700", "1", "2", "3", "4", "5"],
            "place": ["市", "甲区", "乙区", "丙区", "丁区", "戊区"],
            "level": ["city", *["district"] * 5],
            "status": ["partial", "ok", "ok", "ok", "no_plan", "not_reported"],
            "start_rate": [0.3, 0.5, 0.25, 0.5, None, None],
        }
    )
    ranked = progress.ranking(table, by="start_rate")
    assert ranked[["rank", "place", "tied_with", "reason"]].astype(object).values.tolist() == [
        [1, "甲区", ("丙区",), None],
        [1, "丙区", ("甲区",), None],
        [3, "乙区", (), None],
        [pd.NA, "丁区", (), "no_plan"],
        [pd.NA, "戊区", (), "not_reported"],
    ]


def test_a_rate_against_a_qualified_target_is_not_ranked_among_exact_ones():
    # 乙区's target is 约 20 (approx), 丙区's 不少于 10 (at least): their rates are an
    # estimate and an upper bound, so they cannot be placed among 甲区's and 丁区's.
    table = pd.DataFrame(
        {
            "adcode": ["410700", "1", "2", "3", "4"],
            "place": ["市", "甲区", "乙区", "丙区", "丁区"],
            "level": ["city", *["district"] * 4],
            "status": ["ok", "ok", "ok", "ok", "ok"],
            "start_rate": pd.array([0.4, 0.5, 0.9, 0.8, None], dtype="Float64"),
            "planned_qualifier": ["approx", "exact", "approx", "at_least", "exact"],
        }
    )
    ranked = progress.ranking(table, by="start_rate")
    assert ranked[["rank", "place", "qualifier", "reason"]].astype(object).values.tolist() == [
        [1, "甲区", "exact", None],
        [pd.NA, "丁区", "exact", "no_data"],
        [pd.NA, "乙区", "approx", "qualified_target"],
        [pd.NA, "丙区", "at_least", "qualified_target"],
    ]
    assert ranked.loc[2, "rate"] == 0.9  # kept, shown as the estimate it is
    assert set(ranked["reason"].dropna()) <= set(progress.UNRANKED)


def test_the_overview_ranks_at_the_last_quarter_end(tmp_path, plan):
    found = progress.overview(plan, _ledger(tmp_path, ROWS), as_of="2023-05-20")
    assert found.quarter_end == datetime.date(2023, 3, 31)
    start = found.rankings["start_rate"].set_index("place")
    # On 31 March: 卫滨区 2 of 27, 红旗区 1 of 11.
    assert start.loc["红旗区", "rank"] == 1 and start.loc["卫滨区", "rank"] == 2
    assert start.loc["获嘉县", "status"] == "no_plan" and pd.isna(start.loc["获嘉县", "rank"])
    early = progress.overview(plan, _ledger(tmp_path, ROWS), as_of="2023-02-20")
    assert early.quarter_end is None  # no quarter of the plan's year has ended


def _rates(*rates: float | None) -> pd.DataFrame:
    """A progress table of one city and a district per rate (甲区, 乙区…), all with a plan."""
    names = "甲乙丙丁戊"[: len(rates)]
    return pd.DataFrame(
        {
            "adcode": ["410700", *[str(i) for i in range(1, len(rates) + 1)]],
            "place": ["市", *[f"{n}区" for n in names]],
            "level": ["city", *["district"] * len(rates)],
            "status": "ok",
            "start_rate": pd.array([0.5, *rates], dtype="Float64"),
        }
    )


def test_districts_that_read_the_same_rate_share_its_rank():
    # 56.84 % and 56.76 % both read 56.8 %: one rank, two tied, in both languages; the rank
    # after them is 3 and the rate at full precision is kept beside the one shown.
    ranked = progress.ranking(_rates(0.5676, 0.5684, 0.5, None), by="start_rate")
    columns = ["rank", "place", "n_tied", "n_ranked", "rank_en", "n_tied_en", "reason"]
    assert ranked[columns].astype(object).values.tolist() == [
        [1, "甲区", 2, 3, 1, 2, None],
        [1, "乙区", 2, 3, 1, 2, None],
        [3, "丙区", 1, 3, 3, 1, None],
        [pd.NA, "丁区", pd.NA, pd.NA, pd.NA, pd.NA, "no_data"],
    ]
    assert ranked["percent"].tolist()[:3] == [56.76, 56.84, 50.0]
    assert ranked["percent_shown"].tolist()[:3] == [56.8, 56.8, 50.0]
    assert ranked["percent_shown_en"].tolist()[:3] == [56.8, 56.8, 50.0]
    assert ranked["tied_with"].tolist()[:2] == [("乙区",), ("甲区",)]
    # No data is no rate, no value shown, no rank: never 0 or last.
    assert ranked.loc[3, ["rate", "percent", "percent_shown"]].isna().all()


def test_a_rate_is_ranked_on_the_percent_geo_shown_writes_half_up():
    # 9/16 is 56.25 %: half up 56.3 (as layers.wording writes it), tied with 56.34 %, above
    # 56.24 %; 23/80 is 28.75 %, whose float times 100 is 28.749999…: still 28.8.
    ranked = progress.ranking(_rates(9 / 16, 0.5634, 0.5624, 23 / 80, 0.2884), by="start_rate")
    assert ranked["percent_shown"].tolist() == [56.3, 56.3, 56.2, 28.8, 28.8]
    assert ranked["rank"].tolist() == [1, 1, 3, 4, 4]
    assert ranked["percent_shown"].tolist() == [
        shown.shown(p, "percent", wan=False) for p in (56.25, 56.34, 56.24, 28.75, 28.84)
    ]
    assert progress.percent(0.5685) == 56.85 and shown.shown(56.85, "percent", wan=True) == 56.9
    assert pd.isna(progress.percent(None)) and pd.isna(progress.percent(pd.NA))
