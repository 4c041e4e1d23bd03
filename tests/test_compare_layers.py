"""Tests for layers/compare.py: the compare page's comparison, its notes, files and time view."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from geo import boundaries, compare
from geo.figures import load_figures
from layers import compare as shown
from layers.charts import _period_data
from layers.compare import period_rows, single_period
from layers.tables import period_values
from layers.wording import label


@pytest.fixture(scope="module")
def figures() -> pd.DataFrame:
    return load_figures()


def _places(figures: pd.DataFrame, cities: list[str], codes: list[str]) -> pd.DataFrame:
    outlines = boundaries.load_boundaries("district", display=True)
    places = compare.list_places(outlines, figures, cities)
    return places.set_index("adcode").loc[codes].reset_index()


def test_the_time_view_labels_each_place_and_cites_its_line(figures):
    places = _places(figures, ["新乡市", "开封市"], ["410703", "410203"])
    rows = period_rows(figures, places, ["households"], lang="en")
    assert rows[["label", "period_label", "figure_status"]].values.tolist() == [
        ["顺河回族区", "2019年至2022年", "completed"],
        ["卫滨区", "2023年", "plan"],
    ]
    assert rows["source"].iloc[1].endswith(" · 2023-02-07 · line 31")
    # Two periods (and kinds) of households: charted, not listed as a single period.
    assert single_period(rows) == []


def test_metrics_of_one_period_are_named_in_their_order_and_nothing_dated_is_empty(figures):
    places = _places(figures, ["新乡市"], ["410702", "410703"])
    rows = period_rows(figures, places, ["households", "communities"], lang="zh")
    assert set(rows["period_label"]) == {"2023年"}
    assert single_period(rows) == ["households", "communities"]
    assert period_rows(figures, places, ["households"], years=(2030, 2031)).empty


def test_periods_named_from_their_years_are_worded_in_the_pages_language(figures):
    # 卫滨区's 2023 plan, once more with its end year only (截至2023年), beside two ledger years.
    places = _places(figures, ["新乡市"], ["410703"])
    own = figures[(figures["adcode"] == "410703") & (figures["metric"] == "households")]
    to_2023 = own.iloc[[0]].assign(
        period_start=pd.array([pd.NA], dtype="Int64"), period_label="", status="completed"
    )
    projects = pd.DataFrame(
        {
            "city": "新乡市",
            "district": "卫滨区",
            "adcode": "410703",
            "level": "district",
            "year": pd.array([2022, 2023], dtype="Int64"),
            "households": pd.array([10, 20], dtype="Int64"),
        }
    )
    sources = {"projects": projects, "ledger_source": "台账.xlsx"}
    metrics = ["households", "ledger_households"]
    titles = {"households": "households", "ledger_households": "ledger households"}
    shown, charted = {}, {}
    for lang in ("zh", "en"):
        both = pd.concat([figures, to_2023], ignore_index=True)
        rows = period_rows(both, places, metrics, lang=lang, **sources)
        shown[lang] = period_values(rows, titles, lang)[label("period", lang)].tolist()
        charted[lang] = _period_data(rows[rows["status"] == "ok"], lang)["period"].tolist()
    assert shown["zh"] == ["2023年", "截至2023年", "2022年", "2023年"]
    assert shown["en"] == ["2023", "by 2023", "2022", "2023"]
    # The time chart's bars: the period, then its kind.
    assert "by 2023 completed" in charted["en"] and "截至2023年 已完成" in charted["zh"]
    assert not any(re.search(r"[\u4e00-\u9fff]", p) for p in shown["en"] + charted["en"])


def test_the_time_view_charts_metrics_of_several_periods_and_names_the_rest(figures):
    places = _places(figures, ["新乡市", "开封市"], ["410703", "410203"])
    view = shown.time_view(figures, places, ["households"], lang="zh")
    assert [title for title, _ in view.charts] == ["户数"]  # 2019-2022 and 2023: charted
    assert view.single_note is None
    assert set(view.table["地点"]) == {"卫滨区", "顺河回族区"}
    xinxiang = _places(figures, ["新乡市"], ["410702", "410703"])
    single = shown.time_view(figures, xinxiang, ["households", "communities"], lang="zh")
    assert single.charts == []
    assert single.single_note == "以下指标只有一个时期，不画时间图（数值见上表）：户数、老旧小区"
    assert shown.time_view(figures, places, ["households"], years=(2030, 2031)) is None


def test_the_comparison_is_charted_noted_and_written_as_its_table(figures):
    places = compare.list_places(
        boundaries.load_boundaries("district", display=True), figures, ["新乡市"]
    )
    compared = shown.compare_places(
        figures, places, ["410702", "410703"], ["households"], lang="zh"
    )
    assert [title for title, _ in shown.compare_charts(compared, "zh")] == ["户数"]
    warning, note = shown.comparison_notes(compared, ["households"], "survey.geojson", "zh")
    assert warning is None and note is None  # one period; no accessibility metric
    _, note = shown.comparison_notes(
        compared, ["households", "infra_tactile_km"], "s<b>.geojson", "en"
    )
    assert note == "Accessibility metrics come from s<b>.geojson, as set on the Accessibility page."
    assert shown.comparison_notes(compared, ["infra_tactile_km"], None, "en")[1] is None
    data = shown.comparison_csv(compared)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read Chinese
    written = pd.read_csv(io.BytesIO(data), dtype=str, encoding="utf-8-sig")
    assert written[["区划代码", "地点", "指标"]].values.tolist() == [
        ["410702", "红旗区", "户数"],
        ["410703", "卫滨区", "户数"],
    ]


def test_the_page_opens_on_households_the_seed_cities_and_says_why_a_way_is_gone():
    assert shown.default_metrics(["communities", "households", "ledger_households"]) == [
        "households",
        "ledger_households",
    ]
    assert shown.default_metrics(["communities", "ledger_households"]) == ["ledger_households"]
    seeds = ["新乡市", "焦作市"]
    assert shown.linked_cities(["焦作市"], seeds) == []  # the seeds: no city named
    assert shown.linked_cities(["南京市", "新乡市", "南京市"], seeds) == [
        "新乡市",
        "焦作市",
        "南京市",
    ]
    notes, rest = shown.unsuited_modes(["per_household", "nonsense"], "zh")
    assert notes == ["“每户”不适用于所选指标（如户数的每户值、比率的占全市比例），已按数值显示。"]
    assert rest == ["nonsense"]
