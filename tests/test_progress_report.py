"""The progress made visible (layers/progress.py): tables, the monthly report read back from
its XLSX, the chart's gaps and the map's status-aware legend, in both languages."""

from __future__ import annotations

import dataclasses
import datetime
import io
import json
import re

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from openpyxl import load_workbook

from geo import boundaries, figures, plans, progress, records
from geo.documents.table import read_figure_table
from layers._html import NO_DATA_COLOUR
from layers.coverage import HATCH_FILL
from layers.maps import progress_layers
from layers.progress import (
    as_of_default,
    chart_places,
    deadline_texts,
    headline,
    late_note,
    late_table,
    link_changed_text,
    monthly_table,
    months_note,
    on_outlines,
    plan_options,
    plan_refs,
    progress_chart,
    progress_table,
    ranking_sheet,
    ranking_table,
    ranking_title,
    rate_text,
    read_refs,
    report_sheets,
    versions_text,
)
from layers.spreadsheets import xlsx_bytes
from layers.wording import format_value
from tests.test_coverage_layer import compact_scripts, compact_tips, district_features

HEADER = "小区名称,所属城市,所属区县,改造年度,户数,状态,开工日期,完工日期"
ROWS = [
    "甲,新乡市,卫滨区,2023,100,完工,2023-03-15,2023-06-30",
    '"=HYPERLINK(""http://x"",""y"")",新乡市,卫滨区,2023,70,计划,,',
    "己,新乡市,获嘉县,2023,40,开工,2023-04-10,",
    "庚,新乡市,卫滨区,2022,30,完工,2022-03-01,2022-08-01",
    "辛,新乡市,卫滨区,2023,约30,完工,2023-03-01,2023-08-01",
]
MADE = datetime.datetime(2023, 12, 1, 9, 30)
PAYLOAD = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def found(tmp_path_factory) -> tuple[progress.Overview, records.Ledger]:
    path = tmp_path_factory.mktemp("ledger") / "ledger.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    ledger = records.read_ledger(path, report_date="2023-11-30")
    plan = plans.plan_from_figures(
        figures.load_figures(), city="新乡市", year=2023, start_by="2023-03-31",
        finish_by="2023-10-31",
    )  # fmt: skip
    projects = ledger.projects.assign(dataset="xx", version=2)
    return progress.overview(plan, projects, as_of="2023-11-30"), ledger


def _report(found, lang: str) -> dict[str, list[list]]:
    overview, ledger = found
    sheets = report_sheets(
        overview, plan_ref="plan@1", ledger_refs=["xx@2"], quarantine=ledger.quarantine,
        lang=lang, made=MADE,
    )  # fmt: skip
    book = load_workbook(io.BytesIO(xlsx_bytes(sheets)))
    return {sheet.title: [[c.value for c in row] for row in sheet.iter_rows()] for sheet in book}


def test_the_monthly_report_reads_back_with_its_sources(found):
    book = _report(found, "zh")
    assert list(book)[:2] == ["全市", "红旗区"]
    assert list(book)[-5:] == ["滞后清单", "未计入", "季排名（开工率）", "季排名（完工率）", "逐月"]
    city = {row[0]: row[1:] for row in book["全市"][1:]}
    assert book["全市"][0] == ["项目", "数值", "计划来源", "台账来源"]
    assert city["截至日期"][0] == "2023-11-30"
    assert city["计划"][:2] == ["新乡市 2023", "plan@1"]
    assert city["报送情况"][0] == "11 个计划区县中 1 个已报送"
    assert city["生成时间（北京时间）"][0] == "2023-12-01 09:30"
    assert city["计划小区（个）"] == ["138", "plan@1 · 新百城提质办〔2023〕2号 第29行", None]
    assert city["已开工（个）"] == ["2", None, "xx@2"]
    assert city["开工率"][0] == "1.4%"
    weibin = {row[0]: row[1] for row in book["卫滨区"][1:]}
    assert (weibin["计划小区（个）"], weibin["已完工（个）"], weibin["逾期（个）"]) == (
        "27",
        "1",
        "1",
    )
    huojia = {row[0]: row[1] for row in book["获嘉县"][1:]}
    assert (huojia["计划小区（个）"], huojia["开工率"], huojia["已开工（个）"]) == (
        "无计划",
        "无计划",
        "1",
    )
    muye = {row[0]: row[1] for row in book["牧野区"][1:]}
    assert (muye["已开工（个）"], muye["开工率"]) == ("未报送", "未报送")
    # Deadlines the plan does not set are said so, never guessed.
    assert city["自查日期"][:2] == ["计划未规定", "plan@1"]
    assert city["月报报送"][0] == "计划未规定"


def test_the_deadlines_read_as_the_plan_sets_them():
    plan = plans.plan_from_figures(
        figures.load_figures(), city="新乡市", year=2023, start_by="2023-03-31",
        finish_by="2023-10-31", checks=("2023-06-30", "2023-11-30"), report_day=5,
    )  # fmt: skip
    assert deadline_texts(plan, "zh") == {
        "start_by": "2023-03-31",
        "finish_by": "2023-10-31",
        "checks": "2023-06-30、2023-11-30",
        "due": "次月 5 日前",
    }
    assert deadline_texts(plan, "en")["due"] == "by day 5 of the next month"


def test_the_report_neutralises_formulas_and_says_why_rows_were_not_counted(found):
    book = _report(found, "zh")
    late = book["滞后清单"]
    assert late[0][:5] == ["地区", "小区", "台账行号", "台账版本", "滞后情况"]
    assert late[1][:6] == [
        "卫滨区",
        '\'=HYPERLINK("http://x","y")',
        "3",
        "xx@2",
        "逾期未开工",
        "2023-03-31",
    ]
    uncounted = {row[2]: row[3:] for row in book["未计入"][1:]}
    assert uncounted["辛"] == ["约数", "户数：约数 '约30'，需填写确数"]
    assert uncounted["庚"] == ["不是计划年度的项目", "2022 · 卫滨区 · 2022-03-01 · 2022-08-01"]


def test_the_report_in_english_has_no_chinese_words_of_its_own(found):
    book = _report(found, "en")
    assert next(iter(book)) == "City"
    city = {row[0]: row[1] for row in book["City"][1:]}
    assert city["Reporting"] == "1 of 11 planned districts reported"
    huojia = {row[0]: row[1] for row in book["获嘉县"][1:]}
    assert huojia["Planned communities"] == "No plan"
    assert book["Late list"][1][4] == "Not started by the deadline"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_table_says_gaps_in_words(found, lang):
    table = progress_table(found[0].progress, lang).set_index("地区" if lang == "zh" else "Place")
    no_plan, not_reported = {"zh": ("无计划", "未报送"), "en": ("No plan", "Not reported")}[lang]
    rate = "开工率" if lang == "zh" else "Start rate"
    assert table.loc["获嘉县", rate] == no_plan
    assert table.loc["牧野区", rate] == not_reported
    assert table.loc["卫滨区", rate] == "3.7%"  # 1 of 27
    assert not table.isna().any().any()
    assert late_table(found[0].progress.late, lang).shape == (2, 9)  # 获嘉县 by the city's day


def test_the_chart_breaks_its_line_at_a_month_not_reported():
    months = pd.DataFrame(
        {
            "month": ["2023-03", "2023-04", "2023-05"],
            "adcode": "410703",
            "place": "卫滨区",
            "level": "district",
            "status": ["reported", "not_reported", "late_report"],
            "source": ["xx@1", None, "xx@2"],
            "started": [2, None, 3],
            "finished": [0, None, 1],
            "planned": 27.0,
        }
    )
    spec = json.dumps(progress_chart(months, "410703", "zh").to_dict(), ensure_ascii=False)
    assert "漏报" in spec and "迟报" in spec and "累计开工" in spec
    data = [d for d in progress_chart(months, "410703", "zh").to_dict()["datasets"].values()]
    runs = {
        row["run"] for rows in data for row in rows if "run" in row and row["value"] is not None
    }
    assert runs == {"started-0", "started-1", "finished-0", "finished-1"}  # two runs each


def test_the_map_legend_names_every_status_drawn(found):
    table = found[0].progress.table.iloc[1:]
    shapes = [shapely.box(i, 0, i + 1, 1) for i in range(len(table))]
    districts = gpd.GeoDataFrame(table.reset_index(drop=True), geometry=shapes, crs="EPSG:4326")
    page = progress_layers(districts, rate="start_rate", lang="zh").assembled().get_root().render()
    legend = json.loads(re.search(r"div.innerHTML = (\".*?\");", page).group(1))
    for words in (
        "<b>开工率</b>",
        "0%–20%",
        "80% 及以上",
        "无计划",
        "未报送",
        "分级固定，以计划为 100%",
    ):
        assert words in legend
    assert json.dumps("获嘉县")[1:-1] in page  # its outline and tooltip, as JSON text


def test_a_qualified_target_reads_as_written_and_its_rate_is_no_more_exact(tmp_path):
    # 涧西区 plans 不足30个 (at most 30), 西工区 12个, the city 约2.9万户 (a table of a report).
    table = read_figure_table(
        (
            "地区,城市,时期,状态,指标,数值,单位,文号,发文机关,日期,行号或页码\n"
            "全市,洛阳市,2023,计划,户数,约2.9万户,,,洛阳日报,2023-10-16,第3行\n"
            "涧西区,洛阳市,2023,计划,老旧小区,不足30个,,,洛阳日报,2023-10-16,第4行\n"
            "西工区,洛阳市,2023,计划,老旧小区,12个,,,洛阳日报,2023-10-16,第5行\n"
        ).encode(),
        name="洛阳.csv",
    )
    plan = plans.plan_from_figures(table.figures, city="洛阳市", year=2023)
    path = tmp_path / "luoyang.csv"
    path.write_text(
        "小区名称,所属城市,所属区县,改造年度,户数,状态,开工日期\n"
        "甲,洛阳市,涧西区,2023,100,开工,2023-03-01\n乙,洛阳市,西工区,2023,50,开工,2023-03-02\n",
        encoding="utf-8",
    )
    found = progress.progress_at(plan, records.read_ledger(path).projects, as_of="2023-06-30")
    shown = progress_table(found, "zh").set_index("地区")
    assert shown.loc["涧西区", "计划小区（个）"] == "30（不超过）"
    assert shown.loc["涧西区", "开工率"] == "3.3%（不少于）"  # of at most 30: at least 1/30
    assert shown.loc["西工区", "开工率"] == "8.3%"
    assert shown.loc["洛阳市（全市）", "计划户数"] == "29,000（约）"
    # The city states no count of communities: the sum of its places', at most as 涧西区's.
    assert shown.loc["洛阳市（全市）", "计划小区（个）"] == "42（不超过）"
    # The ranking does not place 涧西区's bound among exact rates, and says so.
    ranked = ranking_table(progress.ranking(found.table, by="start_rate"), "zh")
    ranked = ranked.set_index("地区")
    assert ranked.loc["西工区", ["排名", "比率"]].tolist() == ["第 1 名（共 1）", "8.3%"]
    assert ranked.loc["涧西区", ["排名", "比率"]].tolist() == ["—", "3.3%（不少于）"]
    assert ranked.loc["涧西区", "备注"] == (
        "计划目标非确数（约数或上下限），比率只是估计或界限，不参与排名"
    )
    english = ranking_table(progress.ranking(found.table, by="start_rate"), "en")
    assert english.set_index("Place").loc["涧西区", "Note"] == (
        "The plan's target is not exact (an estimate or a bound), so its rate is too: not ranked"
    )


def test_the_months_sheet_keeps_its_headers_without_a_monthly_version(found):
    # The fixture's ledger is read, not saved: no version, so no month; the sheet says what
    # it would hold rather than being blank.
    book = _report(found, "en")
    assert book["Months"][0][:3] == ["Month", "Place", "Monthly report"]
    assert len(book["Months"]) == 1


def test_the_headline_and_the_outlines_of_the_page(found):
    overview, _ = found
    table = overview.progress.table
    assert headline(table, "zh") == [
        ("计划小区（个）", "138"),
        ("已开工（个）", "2"),
        ("开工率", "1.4%"),
        ("完工率", "0.7%"),
    ]
    assert headline(table, "en")[2] == ("Start rate", "1.4%")
    square = shapely.box(113.8, 35.2, 113.9, 35.3)
    outlines = gpd.GeoDataFrame(
        {"adcode": ["410703"]}, geometry=[square], crs="EPSG:4326"
    ).set_index("adcode")
    districts = on_outlines(table, outlines)
    assert districts.crs == "EPSG:4326" and "410700" not in set(districts["adcode"])
    shapes = districts.set_index("adcode").geometry
    assert shapes["410703"].equals(square) and shapes["410702"] is None  # no outline: kept


def test_versions_and_a_changed_link_are_said_with_every_ref_inert():
    assert (
        versions_text("plan@1", ["月报@1", "月报@2"], "zh")
        == r"计划 plan\@1；台账 月报\@1、月报\@2"
    )
    assert link_changed_text(["月报@2", "月报@1"], ["月报@1", "月报@2"], "zh") is None
    warning = link_changed_text(["![x](http://e/x.png)"], ["月报@1"], "en")
    assert r"\!\[x\]\(http\:\/\/e\/x\.png\)" in warning and "](" not in warning


def test_the_page_offers_every_plan_version_newest_first_and_names_an_unsaved_ledger():
    datasets = [
        {"name": "新乡-2023", "kind": "plan", "latest": 3},
        {"name": "台账", "kind": "ledger", "latest": 5},
        {"name": "焦作-2024", "kind": "plan", "latest": 1},
    ]
    assert plan_refs(datasets) == ["新乡-2023@3", "新乡-2023@2", "新乡-2023@1", "焦作-2024@1"]
    assert plan_refs([]) == []
    assert read_refs(["台账@2", "台账@1"], "zh") == ["台账@2", "台账@1"]
    assert read_refs([], "zh") == ["本次会话读取、尚未保存的台账"]
    assert read_refs([], "en") == ["the ledger read in this session, not saved"]


def test_the_ranking_is_titled_by_its_quarter_and_the_chart_offers_every_place(found):
    day = datetime.date(2023, 6, 30)
    assert ranking_title(day, "zh") == "季排名（2023 年第 2 季度，截至 2023-06-30）"
    assert ranking_title(day, "en") == "Quarterly ranking (Q2 2023, as of 2023-06-30)"
    places = chart_places(found[0].progress.table)
    assert next(iter(places)) == "410700" and places["410700"] == "新乡市"
    assert places["410703"] == "卫滨区" and len(places) == len(found[0].progress.table)


def test_plan_options_offer_what_can_be_planned_and_word_the_rest():
    offered = plans.plannable(figures.load_figures())
    options, refused = plan_options(offered, "zh")
    assert options == {
        "新乡市|2023|xinxiang-2023-2": "新乡市 2023 年 · 新百城提质办〔2023〕2号（12 个地区）"
    }
    assert refused == ["邯郸市 2017：没有可作目标的指标（小区、户数、楼栋、建筑面积、投资）"]
    _, english = plan_options(offered, "en")
    assert english == [
        "邯郸市 2017: no figure a plan can target (communities, households, buildings, "
        "floor area, investment)"
    ]


def test_the_months_say_what_dated_each_version():
    months = pd.DataFrame(
        {
            "month": ["2023-03", "2023-04", "2023-05"],
            "adcode": "410703",
            "place": "卫滨区",
            "level": "district",
            "status": ["reported", "late_report", "not_reported"],
            "source": ["月报@1", "月报@2", None],
            "report_date": [datetime.date(2023, 3, 31), datetime.date(2023, 5, 8), None],
            "basis": ["report_date", "saved_at", None],
            "saved_at": [datetime.date(2026, 1, 10), datetime.date(2023, 5, 8), None],
            "started": [2, 3, None],
            "finished": [0, 0, None],
            "planned": [27, 27, 27],
        }
    )
    shown = monthly_table(months, "zh")
    assert shown["月份与迟报依据"].tolist() == [
        "台账填报日期 2023-03-31",
        "保存日期 2023-05-08（台账未载填报日期）",
        "",
    ]
    assert shown["月报"].tolist() == ["已报送", "迟报", "漏报"]
    english = monthly_table(months, "en")["Month and lateness judged by"].tolist()
    assert english[1] == "the day it was saved, 2023-05-08 (the ledger gives no report date)"


def _tied_table() -> pd.DataFrame:
    """甲区 56.84 %, 乙区 56.76 % (both read 56.8 %), 丙区 9/16 (56.25 %, half up 56.3 %),
    丁区 without data, 戊区 without a plan."""
    return pd.DataFrame(
        {
            "adcode": ["410700", "1", "2", "3", "4", "5"],
            "place": ["市", "甲区", "乙区", "丙区", "丁区", "戊区"],
            "level": ["city", *["district"] * 5],
            "status": ["partial", "ok", "ok", "ok", "ok", "no_plan"],
            "start_rate": pd.array([0.5, 0.5684, 0.5676, 9 / 16, None, None], dtype="Float64"),
        }
    )


def test_a_rate_reads_half_up_as_geo_shown_writes_it():
    # Python's round wrote 9/16 as 56.2 % (half to even) and 23/80 as 28.7 % (its float
    # times 100 is 28.749999…); the rates are written as every other percentage is.
    assert rate_text(0.5685, lang="zh") == "56.9%" == format_value(56.85, "percent", "zh")
    assert rate_text(9 / 16, lang="en") == "56.3%" == format_value(56.25, "percent", "en")
    assert rate_text(23 / 80, lang="zh") == "28.8%"
    assert (rate_text(0.5684), rate_text(0.5676), rate_text(1.0), rate_text(0)) == (
        "56.8%",
        "56.8%",
        "100%",
        "0%",
    )
    assert rate_text(None, lang="en") == "No data" and rate_text(0.2, "no_plan") == "无计划"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_districts_reading_the_same_rate_share_their_rank_and_say_how_many(lang):
    ranked = progress.ranking(_tied_table(), by="start_rate")
    table = ranking_table(ranked, lang)
    words = {
        "zh": [
            ["并列第 1 名（2 个并列，共 3）", "甲区", "56.8%", "与乙区并列"],
            ["并列第 1 名（2 个并列，共 3）", "乙区", "56.8%", "与甲区并列"],
            ["第 3 名（共 3）", "丙区", "56.3%", ""],
            ["—", "丁区", "无数据", "无数据，不参与排名"],
            ["—", "戊区", "无计划", "无计划，不参与排名"],
        ],
        "en": [
            ["tied rank 1 of 3 (2 tied)", "甲区", "56.8%", "tied with 乙区"],
            ["tied rank 1 of 3 (2 tied)", "乙区", "56.8%", "tied with 甲区"],
            ["rank 3 of 3", "丙区", "56.3%", ""],
            ["—", "丁区", "No data", "No data: not ranked"],
            ["—", "戊区", "No plan", "No plan: not ranked"],
        ],
    }[lang]
    assert table.values.tolist() == words


def test_the_ranking_sheets_carry_the_rate_as_shown_and_how_many_tie(found):
    overview, ledger = found
    overview = progress.Overview(
        overview.progress,
        overview.months,
        overview.quarter_end,
        {rate: progress.ranking(_tied_table(), by="start_rate") for rate in progress.RATES},
    )
    zh = _report((overview, ledger), "zh")["季排名（开工率）"]
    assert zh[0] == [
        "排名", "地区", "比率", "比率（%，完整精度）", "显示比率（%，按页面写法取整，排名依据）",
        "名次（按显示比率，1＝最高）", "并列数（显示比率相同的区县数）", "参与排名的区县数",
        "备注",
    ]  # fmt: skip
    assert zh[1] == [
        "并列第 1 名（2 个并列，共 3）", "甲区", "56.8%", 56.84, 56.8, 1, 2, 3, "与乙区并列",
    ]  # fmt: skip
    assert zh[2][3:8] == [56.76, 56.8, 1, 2, 3]
    assert zh[3][3:8] == [56.25, 56.3, 3, 1, 3]
    # No data and no plan: empty cells with the reason, never 0 or a rank.
    assert zh[4][3:] == [None, None, None, None, None, "无数据，不参与排名"]
    assert zh[5][3:] == [None, None, None, None, None, "无计划，不参与排名"]
    en = _report((overview, ledger), "en")["Ranking by completion rate"]
    assert en[0][3:] == [
        "Rate (%, full precision)",
        "Rate as shown (%, rounded as the page writes it; ranked on)",
        "Rank (on the rate as shown; 1 = highest)",
        "Tied (districts with the same rate as shown)",
        "Districts ranked",
        "Note",
    ]
    assert en[2] == [
        "tied rank 1 of 3 (2 tied)", "乙区", "56.8%", 56.76, 56.8, 1, 2, 3, "tied with 甲区",
    ]  # fmt: skip


def test_a_ranking_sheet_without_a_ranked_district_keeps_its_headers():
    empty = ranking_sheet(progress.ranking(_tied_table().iloc[:1], by="start_rate"), "en")
    assert list(empty)[3:6] == [
        "Rate (%, full precision)",
        "Rate as shown (%, rounded as the page writes it; ranked on)",
        "Rank (on the rate as shown; 1 = highest)",
    ]
    assert empty.empty


def test_a_rate_is_coloured_in_the_class_it_reads_in():
    # 20.004 % reads 20% as 20 % does: both in 0%–20%; 20.05 % reads 20.1%, the next class.
    districts = gpd.GeoDataFrame(
        {
            "adcode": ["1", "2", "3", "4"],
            "place": ["甲区", "乙区", "丙区", "丁区"],
            "level": "district",
            "status": ["ok", "ok", "ok", "ok"],
            "start_rate": pd.array([0.2, 0.20004, 0.2005, None], dtype="Float64"),
            "planned": 10.0,
            "started": 2.0,
            "finished": 0.0,
            "late": 0.0,
        },
        geometry=[shapely.box(i, 0, i + 1, 1) for i in range(4)],
        crs="EPSG:4326",
    )
    layers = progress_layers(districts, rate="start_rate", lang="zh")
    fills = [style["fillColor"] for style, _ in district_features(layers.groups[0]).values()]
    assert fills[0] == fills[1] != fills[2] and fills[3] == NO_DATA_COLOUR
    tips = compact_tips(layers.assembled().get_root().render())
    rates = [re.search("开工率: <b>(.*?)</b>", t).group(1) for t in tips]
    assert rates == ["20%", "20%", "20.1%", "无数据"]


def _places(adcodes, names) -> pd.DataFrame:
    """Progress rows of ``names``: reported with a rate, no plan, not reported, no rate."""
    n = len(names)
    return pd.DataFrame(
        {
            "adcode": list(adcodes),
            "place": list(names),
            "level": "district",
            "status": [("ok", "no_plan", "not_reported", "ok")[i % 4] for i in range(n)],
            "start_rate": pd.array(
                [0.5 + i / (2 * n) if i % 4 == 0 else None for i in range(n)], dtype="Float64"
            ),
            "planned": 10.0,
            "started": 5.0,
            "finished": 1.0,
            "late": 0.0,
        }
    )


def test_the_map_writes_its_districts_compactly_with_their_styles_and_escaped_tips():
    codes = ["410702", "410703", "410704", "410711"]
    table = _places(codes, [PAYLOAD, "卫滨区", "凤泉区", "牧野区"])
    districts = gpd.GeoDataFrame(
        table, geometry=[shapely.box(113 + i, 35, 113.9 + i, 35.9) for i in range(4)], crs=4326
    )
    layers = progress_layers(districts, rate="start_rate", lang="zh")
    features = district_features(layers.groups[0])
    (ok, _), (no_plan, _), (not_reported, _), (no_rate, _) = features.values()
    assert ok["fillColor"] not in (NO_DATA_COLOUR, HATCH_FILL) and "dashArray" not in ok
    assert no_plan["fillColor"] == HATCH_FILL
    # Not reported (dashed) and reported without a rate: grey, never the 0% class.
    assert not_reported["fillColor"] == no_rate["fillColor"] == NO_DATA_COLOUR
    assert not_reported["dashArray"] == "4 4"
    page, script = compact_scripts(layers)
    assert 'case "410702": ' in page and '"dashArray": "4 4"' in page
    for text in (page, script):
        tips = compact_tips(text)
        assert tips == [tip for _, tip in features.values()]
        assert tips[0].startswith("<b>&lt;img src=x onerror=alert(1)&gt;</b>")
        assert "台账未覆盖此区县：无数据，不是零。" in tips[2]
        assert "开工率: <b>无数据</b>" in tips[3] and "0%" not in tips[3]


def test_the_largest_city_s_map_stays_under_a_fifth_of_a_megabyte():
    outlines = boundaries.load_boundaries("district", display=True).set_index("adcode")
    # A plan is one city's: 重庆市's 38 places are the most of any.
    assert outlines.groupby("city").size().idxmax() == "重庆市"
    places = outlines[outlines["city"] == "重庆市"]
    shown = on_outlines(_places(places.index, places["district"]), outlines)
    page = progress_layers(shown, rate="start_rate", lang="zh").assembled().get_root().render()
    # Measured 0.11 MB; the outlines as folium's GeoJSON made it 0.52 MB.
    assert len(shown) == 38 and len(page.encode()) < 200_000


@pytest.mark.parametrize(("lang", "joined"), [("zh", "xx@1、xx@2"), ("en", "xx@1, xx@2")])
def test_ledger_versions_are_listed_in_the_interface_language(found, lang, joined):
    overview, ledger = found
    sheets = report_sheets(
        overview, plan_ref="plan@1", ledger_refs=["xx@1", "xx@2"], quarantine=ledger.quarantine,
        lang=lang, made=MADE,
    )  # fmt: skip
    first = next(iter(sheets.values()))
    assert joined in set(first.iloc[:, 1])
    assert joined in set(first.iloc[:, 3])
    shown = versions_text("plan@1", ["xx@1", "xx@2"], lang)
    assert shown.endswith(joined.replace("@", r"\@"))
    changed = link_changed_text(["xx@3", "xx@4"], ["xx@1", "xx@2"], lang)
    assert joined.replace("@", r"\@") in changed
    assert ("、" in shown + changed) == (lang == "zh")


def test_the_late_list_or_why_there_is_none(found):
    shown = found[0].progress
    assert late_note(shown, "en") is None  # two late rows: the list is shown
    on_time = dataclasses.replace(shown, late=shown.late.iloc[:0], notes=[])
    assert late_note(on_time, "en") == ("success", "No community is late as of that day.")
    # Without a start-date column, nobody listed late is not "none is late".
    undated = dataclasses.replace(on_time, notes=[{"code": "no_start_dates"}])
    kind, text = late_note(undated, "zh")
    assert kind == "info" and text.startswith("台账缺少开工或完工日期列")


def test_the_months_say_why_none_are_shown(found):
    months = found[0].months
    assert months_note(months, False, "en").startswith("Month by month reads the ledger versions")
    assert months_note(months.iloc[:0], True, "en").startswith("Month by month: no ledger version")
    some = pd.DataFrame({"month": ["2023-06"]})
    assert months_note(some, True, "en") == ""


def test_the_day_read_defaults_to_today_within_the_plan_year():
    plan = plans.plan_from_figures(figures.load_figures(), city="新乡市", year=2023)
    assert as_of_default(plan, datetime.date(2023, 6, 1)) == datetime.date(2023, 6, 1)
    assert as_of_default(plan, datetime.date(2025, 3, 1)) == datetime.date(2023, 12, 31)
