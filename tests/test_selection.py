"""Tests for geo/selection.py: filters, colour values, city summaries."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest

from geo import figures, selection
from geo.errors import UnknownPlaceError


@pytest.fixture(scope="module")
def all_figures():
    return figures.load_figures()


def test_year_filter_keeps_undated_figures(all_figures):
    kept = selection.filter_figures(
        all_figures, selection.Selection(cities=("邯郸市",), years=(2019, 2020))
    )
    # Handan's reply is undated: no year range may silently drop its figures.
    assert set(kept["metric"]) >= {"households", "communities", "floor_area_m2"}
    assert kept["period_start"].isna().all()


def test_year_filter_drops_figures_outside_the_range(all_figures):
    kept = selection.filter_figures(
        all_figures, selection.Selection(cities=("新乡市",), years=(2019, 2022))
    )
    assert kept.empty


def test_stated_totals_are_not_places(all_figures):
    kept = selection.filter_figures(all_figures, selection.Selection(cities=("新乡市",)))
    assert "stated_total" not in set(kept["role"])
    assert kept.loc[kept["metric"] == "households", "value"].sum() == 22149


def test_district_filter_accepts_short_and_historical_names(all_figures):
    chosen = selection.Selection(cities=("开封市",), districts=("顺河区",))
    outlines = selection.select_outlines(chosen)
    assert list(outlines["adcode"]) == ["410203"]
    assert set(selection.filter_figures(all_figures, chosen)["adcode"]) == {"410203"}


def test_unknown_district_names_close_matches():
    with pytest.raises(UnknownPlaceError, match=r"Unknown district '卫宾区'.*卫滨区"):
        selection.select_outlines(selection.Selection(cities=("新乡市",), districts=("卫宾区",)))


def test_colour_values_leave_no_data_missing_not_zero(all_figures):
    chosen = selection.Selection(cities=("新乡市",))
    coloured = selection.colour_values(
        selection.select_outlines(chosen),
        selection.filter_figures(all_figures, chosen),
        "households",
    )
    by_name = coloured.set_index("district")
    assert math.isnan(by_name.loc["新乡县", "value"])
    assert by_name.loc["卫滨区", "value"] == 3279
    assert by_name.loc["卫滨区", "doc_number"] == "新百城提质办〔2023〕2号"
    assert str(by_name.loc["卫滨区", "seed_line"]) == "31"  # a line number, not 31.0
    assert len(coloured) == 12


def test_city_summary_says_how_each_headline_was_obtained(all_figures):
    cities = ["新乡市", "焦作市", "许昌市", "邯郸市"]
    kept = selection.filter_figures(all_figures, selection.Selection(cities=tuple(cities)))
    summary = selection.city_summary(kept, "households", cities).set_index("city")
    assert summary.loc["新乡市", "basis"] == "parts"
    assert summary.loc["新乡市", "value"] == 22149  # 10 districts + 高新区
    assert summary.loc["新乡市", "n_parts"] == 11
    assert summary.loc["焦作市", "basis"] == "reported"
    assert summary.loc["邯郸市", "value"] == 189800
    assert summary.loc["许昌市", "basis"] == "none"
    assert math.isnan(summary.loc["许昌市", "value"])


def test_province_selection_lists_every_city():
    chosen = selection.Selection.for_province("河南")
    assert len(chosen.cities) == 18  # 17 prefecture-level cities and 济源
    assert len(selection.select_outlines(chosen)) == 157


def test_filter_projects_by_year_status_and_tags():
    projects = gpd.GeoDataFrame(
        {
            "city": ["新乡市", "新乡市", "开封市", "新乡市"],
            "district": ["卫滨区", "红旗区", "鼓楼区", "卫滨区"],
            "year": pd.array([2023, 2022, 2023, None], dtype="Int64"),
            "status": pd.array(["completed", "plan", "completed", None], dtype="string"),
            "content_tags": pd.array(
                ["elevator|elderly", "pipes", "elderly", None], dtype="string"
            ),
        },
        geometry=[None] * 4,
        crs="EPSG:4326",
    )
    pick = selection.filter_projects
    assert len(pick(projects)) == 4
    assert pick(projects, cities=("新乡市",))["district"].tolist() == ["卫滨区", "红旗区", "卫滨区"]
    assert pick(projects, years=(2023,)).index.tolist() == [0, 2]
    assert pick(projects, statuses=("plan",)).index.tolist() == [1]
    assert pick(projects, tags=("elderly",)).index.tolist() == [0, 2]
    assert pick(projects, tags=("elder",)).empty  # whole tags only
    assert pick(projects, cities=("新乡市",), tags=("elderly",)).index.tolist() == [0]
