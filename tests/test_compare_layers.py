"""Tests for layers/compare.py: the compare page's time view, labelled and charted by period."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from geo import boundaries, compare
from geo.figures import load_figures
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
