"""AppTest tests of the compare and data-quality pages, driven through app.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests._pages import open_page
from tests.conftest import unescaped

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 120


def _open(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    open_page(at, page).run()
    assert not at.exception, at.exception
    return at


def _frame(at: AppTest, column: str):
    """The first table on the page with ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _load_example_ledger(at: AppTest) -> None:
    open_page(at, "ledger").run()
    next(b for b in at.button if b.label == "加载合成示例台账").click().run()
    assert not at.exception, at.exception


def test_compare_shows_the_places_named_in_the_address():
    at = _open("compare", place="410703,410721,410203", metric="households")
    assert at.title[0].value == "区县对比"
    assert at.multiselect(key="place").value == ["410703", "410721", "410203"]
    values = _frame(at, "出处")
    assert values["地点"].tolist() == ["卫滨区", "新乡县", "顺河回族区"]
    rows = values.set_index("地点")
    assert rows.loc["卫滨区", "数值"] == "3279 户"  # as the plan writes it
    # Ranked within its city among all its districts, not among the chosen (issue 18).
    assert rows.loc["卫滨区", "排名"] == "新乡市内第 3 名（共 11）"
    assert "新百城提质办〔2023〕2号" in rows.loc["卫滨区", "出处"]
    # Cited by document and line, not by the seed file's hash.
    assert rows.loc["卫滨区", "出处"].endswith(" · 2023-02-07 · 第 31 行")
    # 新乡县 reports nothing: marked with the reason, no rank, and not a zero.
    assert rows.loc["新乡县", "数值"].startswith("数据不足")
    assert rows.loc["新乡县", "排名"] == ""
    assert rows.loc["卫滨区", "城市平均"] == "2,014 户（11/13）"  # no fraction of a household
    side = _frame(at, "户数")
    assert side["地点"].tolist()[:3] == ["卫滨区", "新乡县", "顺河回族区"]
    averages = side.set_index("地点").loc["新乡市平均（有数据的区县数/区县数）"]
    assert averages["户数"] == "2,014 户（11/13）"
    assert len(at.get("vega_lite_chart")) == 2  # the bars and the time view (2023, 2019–2022)
    assert at.query_params["place"] == "410703,410721,410203"  # the view stays in the link
    # (红旗区 and 卫滨区 are now the page's default, which a link leaves out: pick others.)
    at.multiselect(key="place").set_value(["410702", "410721"]).run()
    assert at.query_params["place"] == "410702,410721"
    assert _frame(at, "出处")["地点"].tolist() == ["红旗区", "新乡县"]


def test_compare_opens_with_two_places_and_charts_no_single_period():
    at = _open("compare")
    # Two places of the first city that report households, not all of its 13 (issue 18).
    assert at.multiselect(key="place").value == ["410702", "410703"]
    at.multiselect(key="metric").set_value(["households", "communities", "buildings"]).run()
    assert not at.exception, at.exception
    # Three metrics, each only 2023 in 新乡: three bar charts, no time chart repeating them.
    assert len(at.get("vega_lite_chart")) == 3
    assert any("只有一个时期" in c.value for c in at.caption)
    # "Households per household" is no comparison: with households chosen it is not offered.
    assert at.radio(key="show").options == ["数值", "占全市比例（%）"]
    at.multiselect(key="metric").set_value(["communities", "buildings"]).run()
    assert at.radio(key="show").options == ["数值", "占全市比例（%）", "每户"]
    per_home = at.radio(key="show").set_value("per_household").run()
    assert not per_home.exception, per_home.exception
    rows = _frame(per_home, "出处").set_index(["指标", "地点"])
    assert rows.loc[("老旧小区 · 每户", "卫滨区"), "数值"] == "0.01 个/户"
    assert rows.loc[("楼栋 · 每户", "卫滨区"), "数值"] == "0.03 个/户"
    # The time view plots values as reported, and says so; its titles name no ratio.
    assert any("不按占比或每户换算" in c.value for c in per_home.caption)
    per_home.multiselect(key="metric").set_value(["households", "communities"]).run()
    assert per_home.radio(key="show").value == "value"  # per household is no longer offered
    share = per_home.radio(key="show").set_value("share_of_city").run()
    rows = _frame(share, "出处").set_index(["指标", "地点"])
    # 卫滨区's 3,279 of the 22,149 households 新乡's districts and zone report for 2023.
    assert rows.loc[("户数 · 占全市比例（%）", "卫滨区"), "数值"] == "14.8%"
    assert share.query_params["show"] == "share_of_city"


def test_a_link_asking_households_per_household_shows_values_and_says_why():
    at = _open("compare", metric="households", show="per_household")
    assert at.radio(key="show").value == "value"
    assert at.info[0].value == (
        "“每户”不适用于所选指标（如户数的每户值、比率的占全市比例），已按数值显示。"
    )
    assert not at.warning  # no raw code in a "dropped values" warning
    assert "数据不足" not in " ".join(_frame(at, "出处")["数值"])


def test_compare_asks_for_two_places_and_reports_unknown_ones():
    at = _open("compare", place="410703,999999")
    assert at.info[0].value == "请至少选择两个地点进行对比。"
    assert "999999" in at.warning[0].value


def test_compare_uses_the_ledger_with_its_file_and_row_count():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["place"] = "410703,410702,410721"
    _load_example_ledger(at)
    open_page(at, "compare").run()
    assert not at.exception, at.exception
    at.multiselect(key="metric").set_value(["ledger_households"]).run()
    assert not at.exception, at.exception
    rows = _frame(at, "出处").set_index("地点")
    assert rows.loc["卫滨区", "出处"] == "台账 synthetic-ledger-xinxiang.csv（8 行）"
    assert rows.loc["卫滨区", "数值"] == "1,993 户"
    assert rows.loc["新乡县", "数值"] == "数据不足：台账中没有该地的行（无数据，不是零）"
    by_year = next(d.value for d in at.dataframe if "批次" in d.value.columns)
    weibin = by_year[by_year["地点"] == "卫滨区"]
    assert weibin["时期"].tolist() == ["2022年", "2023年"]
    assert weibin["数值"].tolist() == ["783 户", "1,210 户"]


def test_quality_lists_districts_without_figures():
    at = _open("quality", city="新乡市")
    assert at.title[0].value == "数据质量：隔离、核对与完整性"
    assert [i.value for i in at.info][:2] == [
        "本次会话尚未读取台账。在“台账”页上传台账或加载合成示例后，这里按原因列出被隔离的行。",
        "本次会话尚未加载无障碍设施数据（在“无障碍设施”页加载）。",
    ]
    assert "新乡市：新乡县、获嘉县" in at.warning[0].value
    matrix = _frame(at, "有上报数据").set_index("地点")
    assert len(matrix) == 14  # the city, 12 districts and the 高新区 zone
    assert matrix.loc["新乡县", "有上报数据"] == "否"
    assert matrix.loc["新乡县", "改造规模"] == "未上报"
    # Not 无, which under 无障碍 reads "accessibility: none" (issue 22).
    assert matrix.loc["新乡县", "无障碍"] == "未上报"
    assert matrix.loc["卫滨区", "改造规模"] == "✓ 4 项（2023年）"
    assert matrix.loc["卫滨区", "文件"] == "新百城提质办〔2023〕2号"
    assert matrix.loc["卫滨区", "最新文件日期"] == "2023-02-07"
    assert len(at.get("download_button")) == 2


@pytest.mark.parametrize("city", ["开封市"])
def test_quality_follows_the_cities_in_the_address(city):
    at = _open("quality", city=city)
    matrix = _frame(at, "有上报数据")
    assert set(matrix["所属城市"]) == {city}
    assert matrix.set_index("地点").loc["顺河回族区", "文件"] == "汴顺政〔2023〕47号"


def test_quality_shows_the_ledger_quarantine_by_reason():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    _load_example_ledger(at)
    open_page(at, "quality").run()
    assert not at.exception, at.exception
    assert unescaped(at.subheader[0].value) == "台账：synthetic-ledger-xinxiang.csv"
    by_reason = _frame(at, "首次出现的行号")
    # Named and explained in the interface's language only; the codes stay in the files.
    assert by_reason.columns.tolist() == ["原因", "行数", "首次出现的行号", "说明"]
    assert dict(zip(by_reason["原因"], by_reason["行数"], strict=True)) == {
        "同名记录冲突": 2,
        "约数": 1,
        "经纬度填反": 1,
        "合计行": 1,
    }
    row = by_reason.set_index("原因").loc["同名记录冲突"]
    assert row["说明"] == "同名同区小区数据冲突：第 3、30 行；不同项：户数"
    results = _frame(at, "核对结果").set_index("核对结果")
    assert results.loc["台账无此地", "含义"] == "文件有数，台账中没有该地的行（不是零）"
    assert results["行数"].sum() == 60


def test_compare_names_a_period_from_its_years_in_the_pages_language():
    # 顺河回族区's demolitions are dated by their end year only: 截至2023年 as the documents
    # write it, "by 2023" on an English page (geo names it ../2023, in no language).
    shown = {}
    for lang in ("zh", "en"):
        at = _open("compare", place="410203,410204", metric="illegal_structures_removed", lang=lang)
        period = "时期" if lang == "zh" else "Period"
        shown[lang] = [
            p for d in at.dataframe if period in d.value.columns for p in d.value[period]
        ]
    assert "截至2023年" in shown["zh"]
    assert "by 2023" in shown["en"] and not any("年" in p for p in shown["en"])


def test_the_english_compare_page_lists_with_english_commas():
    # Lists in an English sentence are joined with ", ", not the Chinese 、 (a walk through
    # the English pages found "households、Ledger: households").
    at = _open("compare", lang="en", place="410702,410703,999998,999999")
    assert unescaped(at.warning[0].value) == (
        "These values in the link are not choices here and were ignored: 999998, 999999"
    )
    at.multiselect(key="metric").set_value(["households", "communities", "buildings"]).run()
    assert not at.exception, at.exception
    single = next(unescaped(c.value) for c in at.caption if "a single period" in c.value)
    assert single.endswith("(values above): households, old residential communities, buildings")
    assert "、" not in single
