"""Tests for layers/tables.py: the screen tables in the interface's language."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo._data import DATA_DIR
from layers.wording import label

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


# --- screen tables in the planner's language (issue 22) ---------------------------------------

QUARANTINE = pd.DataFrame(
    {
        "row": [3, 30, 3042],
        "reason": ["duplicate_conflict", "duplicate_conflict", "wrong_geometry"],
        "column": ["", "", ""],
        "message_zh": ["第 3、30 行；不同项：户数"] * 2 + ["点不能作为该类设施的几何"],
        "message_en": ["rows 3, 30 differ in households"] * 2
        + ["a Point cannot be this feature type's geometry"],
        "小区名称": ["幸东小区", "幸东小区", ""],
    }
)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh", {"原因": "同名记录冲突", "行数": 2, "首次出现的行号": 3,
                "说明": "第 3、30 行；不同项：户数"}),
        ("en", {"Reason": "conflicting duplicates", "Rows": 2, "First row": 3,
                "Message": "rows 3, 30 differ in households"}),
    ],
)  # fmt: skip
def test_quarantine_by_reason_speaks_one_language_without_codes(lang, expected):
    from layers.tables import quarantine_by_reason

    table = quarantine_by_reason(QUARANTINE, lang)
    assert table.iloc[0].to_dict() == expected


def test_quarantine_rows_name_a_surveys_rows_as_features():
    from layers.tables import quarantine_rows

    ledger = quarantine_rows(QUARANTINE, "zh")
    assert ledger.columns.tolist() == ["台账行号", "原因", "列", "说明", "小区名称"]
    survey = quarantine_rows(QUARANTINE, "en", kind="infra")
    assert survey.columns.tolist()[:4] == ["Feature or row", "Reason", "Column", "Message"]
    assert survey["Message"].iloc[2] == "a Point cannot be this feature type's geometry"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_quarantine_rows_of_a_ledger_whose_quarantined_rows_have_no_district(lang):
    # A ledger of addresses alone: neither quarantined row found a district, so the place
    # column has nothing to name; the table still shows both rows, the place left blank.
    from geo.records import read_ledger
    from layers.tables import quarantine_rows

    ledger = read_ledger(
        "小区名称,地址,户数\n胜利小区,新乡市卫滨区胜利路12号,220\n无名小区,幸福路3号,90\n"
        "空地址小区,,80\n".encode(),
        name="addresses.csv",
    )
    assert ledger.quarantine["adcode"].isna().all()
    table = quarantine_rows(ledger.quarantine, lang)
    assert table[label("compare_place", lang)].tolist() == ["", ""]
    assert table[label("ledger_row", lang)].tolist() == [3, 4]


VERSIONS = [
    {"version": 1, "saved_by": "admin", "saved_at": "2026-12-06T05:02:33Z",
     "file_name": "台账.csv", "sha256": "b1a8d4532a50" + "0" * 52, "datum": "gcj02",
     "rows": 31, "clean": 26, "quarantined": 5,
     "by_reason": {"duplicate_conflict": 2, "total_row": 3}, "covers": ["410703", "410702"]},
    {"version": 2, "saved_by": "weibin", "saved_at": "2026-12-06T16:30:00Z",
     "file_name": None, "sha256": None, "datum": None,
     "rows": 1, "clean": 1, "quarantined": 0, "by_reason": {}, "covers": ["410703"]},
]  # fmt: skip


def test_versions_table_in_beijing_time_with_reasons_and_datums_named():
    from layers.tables import versions_table

    zh = versions_table(VERSIONS, "zh")
    assert zh["保存时间（北京时间）"].tolist() == ["2026-12-06 13:02", "2026-12-07 00:30"]
    # Version 2 declared no datum: a 坐标系 column, or no coordinates at all (a ledger of
    # addresses alone read "stated in the file (坐标系 column)", which it has not).
    assert zh["原坐标系"].tolist() == [
        "GCJ-02（高德、腾讯）",
        "未另行指定（按文件的坐标系列；或文件没有坐标）",
    ]
    assert zh["原因"].tolist() == ["同名记录冲突 2、合计行 3", ""]
    assert zh["覆盖区县"].tolist() == ["卫滨区、红旗区", "卫滨区"]
    en = versions_table(VERSIONS, "en")
    assert en["Reason"].tolist()[0] == "conflicting duplicates 2, total row 3"
    assert en["Districts covered"].tolist()[0] == "卫滨区, 红旗区"


def test_changes_table_words_the_changed_columns_and_values():
    from layers.tables import changes_table

    changes = pd.DataFrame(
        {
            "change": ["changed"],
            "district": ["卫滨区"],
            "name": ["幸小区"],
            "row_old": [2],
            "row_new": [2],
            "before": [{"status": "started", "households": 352}],
            "after": [{"status": "completed", "households": 360}],
        }
    )
    assert (
        changes_table(changes, "zh").iloc[0, -1] == "状态：已开工 → 已完成；户数：352 户 → 360 户"
    )
    assert changes_table(changes, "en").iloc[0, -1] == (
        "Status: started → completed; Households: 352 households → 360 households"
    )


def test_changes_of_features_that_no_district_holds_leave_the_place_blank():
    # Survey features outside every district (no adcode): the History page's table of
    # changes names no place for them, and is shown.
    from geo import infra
    from layers.tables import changes_table
    from store.changes import compare

    survey = DATA_DIR / "examples" / "synthetic-survey-xinxiang.geojson"
    features = infra.read_infra(survey).features.assign(adcode=pd.NA)
    renamed = features.copy()
    renamed.loc[0, "name"] = "新站"
    shown = changes_table(compare("infra", features, renamed), "en")
    assert shown["Place"].tolist() == [""]


def test_changes_of_a_survey_and_of_figures_are_worded():
    # A survey's feature moved and renamed, a figure's value and status changed: the History
    # page names the feature by its type and id, the figure by its metric, and writes each
    # changed column and value in words (no "geometry：POINT (…)", no figure id, no "89.0").
    import shapely

    from geo import infra
    from geo.figures import load_figures
    from layers.tables import changes_table
    from store.changes import compare

    survey = DATA_DIR / "examples" / "synthetic-survey-xinxiang.geojson"
    features = infra.read_infra(survey).features.assign(adcode="410703")
    stop = int(np.flatnonzero(features["type"] == "accessible_bus_stop")[0])
    moved = features.copy()
    moved.loc[stop, "geometry"] = shapely.affinity.translate(moved.geometry[stop], xoff=0.0001)
    moved.loc[stop, "name"] = "新站"
    changes = compare("infra", features, moved)
    source_id = features["source_id"][stop]
    assert changes_table(changes, "zh").iloc[0, 2:].tolist() == [
        f"无障碍公交站 {source_id}", "", f"名称：{features['name'][stop]} → 新站；位置：移动 9 米",
    ]  # fmt: skip
    assert changes_table(changes, "en").iloc[0, -1].endswith("; Location: moved 9 m")
    seed = load_figures()
    table = seed[seed["figure_id"] == "xinxiang-2023-2-total-buildings"].reset_index(drop=True)
    changed = table.assign(value=table["value"] + 1, status="completed")
    shown = changes_table(compare("figures", table, changed), "zh")
    assert shown.iloc[0, 1:3].tolist() == ["全市", "楼栋"]
    assert shown.iloc[0, -1] == (
        f"性质：计划 → 已完成；数值：{int(table['value'][0])} 栋 → {int(table['value'][0]) + 1} 栋"
    )
    shown = changes_table(compare("figures", table, changed), "en")
    assert shown.iloc[0, 2] == "buildings"
    # Two amounts the tables write alike (34.79 万平方米) are written with every digit.
    area = seed[seed["figure_id"] == "xinxiang-2023-2-changyuan-floor-area"]
    shown = changes_table(compare("figures", area, area.assign(value=area["value"] + 1)), "zh")
    assert shown.iloc[0, -1] == "数值：347,900 平方米 → 347,901 平方米"
    ledger = pd.DataFrame({"change": ["changed"], "district": ["卫滨区"], "name": ["幸小区"],
                           "row_old": [2], "row_new": [2], "before": [{"floor_area_m2": 34790}],
                           "after": [{"floor_area_m2": 34791}]})  # fmt: skip
    assert changes_table(ledger, "en").iloc[0, -1] == "Floor area: 34,790 m² → 34,791 m²"


def test_layers_summary_names_each_layer_and_keeps_its_name_in_the_files():
    import geopandas as gpd
    import shapely

    from layers.tables import layers_summary

    points = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(113, 35)], crs="EPSG:4326")
    layers = {"districts": points, "infra_points": points, "quarantine": pd.DataFrame({"a": [1]})}
    zh = layers_summary(layers, "zh")
    assert zh["图层"].tolist() == ["区县及上报数据", "无障碍设施（点）", "隔离的行"]
    assert zh["文件中的图层名"].tolist() == ["districts", "infra_points", "quarantine"]
    en = layers_summary(layers, "en")
    assert en["Layer"].tolist() == ["Districts with figures", "Accessibility features (points)",
                                    "Quarantined rows"]  # fmt: skip


def test_district_names_name_a_citys_own_code_as_the_city():
    from layers.tables import district_names

    names = district_names(["410700", "410703", "410771", "999999"])
    assert names == "新乡市、卫滨区、新乡高新技术产业开发区、999999"


def test_metric_names_are_the_figures_names_in_the_interfaces_language(shipped_figures):
    from layers.tables import metric_names

    assert metric_names(shipped_figures, "zh")["households"] == "户数"
    assert metric_names(shipped_figures, "en")["households"] == "households"


@pytest.mark.parametrize(
    ("numbers", "linked", "compared"),
    [
        ([1, 2, 3, 4], 3, (2, 3)),  # ?ledger=xinxiang@3: what version 3 changed
        ([1, 2, 3, 4], None, (3, 4)),  # the current state: the newest two
        ([1, 2, 3, 4], 9, (3, 4)),  # a version the dataset does not hold: the newest two
        ([1, 2, 3, 4], 1, (1, 1)),  # nothing before the first
        ([2, 5, 7], 7, (5, 7)),  # versions the account may read, not every number
        ([4], None, (4, 4)),
    ],
)
def test_history_compares_the_version_a_link_names_with_the_one_before(numbers, linked, compared):
    from layers.tables import compared_versions

    assert compared_versions(numbers, linked) == compared
