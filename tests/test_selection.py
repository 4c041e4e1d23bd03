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
    chosen = selection.Selection(cities=tuple(cities))
    kept = selection.filter_figures(all_figures, chosen, stated_totals=True)
    summary = selection.city_summary(kept, "households", cities).set_index("city")
    # Xinxiang's plan states its own city total (22149 户, the sum of 10 districts + 高新区).
    assert summary.loc["新乡市", ["basis", "place", "value"]].tolist() == [
        "reported",
        "全市",
        22149,
    ]
    assert summary.loc["新乡市", "as_written"] == "22149 户"
    assert summary.loc["焦作市", "basis"] == "reported"
    assert summary.loc["邯郸市", ["basis", "place", "value"]].tolist() == [
        "reported",
        "主城区",
        189800,
    ]
    assert summary.loc["许昌市", "basis"] == "none"
    assert math.isnan(summary.loc["许昌市", "value"])


def test_a_sum_over_some_districts_is_not_a_city_total(all_figures):
    kept = selection.filter_figures(all_figures, selection.Selection(cities=("开封市",)))
    (card,) = [r for _, r in selection.city_summary(kept, "households", ["开封市"]).iterrows()]
    # 顺河回族区 alone, one of Kaifeng's nine districts: its 4.2 万余户 is no city total.
    assert card["basis"] == "partial"
    assert (card["n_parts"], card["n_places"], card["n_zones"]) == (1, 9, 0)
    assert card[["value", "qualifier", "as_written"]].tolist() == [42000, "at_least", "4.2 万余户"]
    # Without the document's own total, Xinxiang's 11 reporting places are 11 of 15.
    kept = selection.filter_figures(all_figures, selection.Selection(cities=("新乡市",)))
    (card,) = [r for _, r in selection.city_summary(kept, "households", ["新乡市"]).iterrows()]
    assert (card["basis"], card["n_parts"], card["n_places"], card["n_zones"]) == (
        "partial",
        11,
        15,
        3,
    )
    assert card["value"] == 22149


def _xuchang_figures(all_figures, places: dict[str, str], qualifiers=None) -> pd.DataFrame:
    """One households figure per place of Xuchang (which reports none), same period and kind."""
    template = all_figures[all_figures["figure_id"] == "xinxiang-2023-2-weibin-households"]
    rows = []
    for i, (adcode, name) in enumerate(places.items()):
        qualifier = (qualifiers or {}).get(adcode, "exact")
        rows.append(
            template.assign(
                figure_id=f"x-{adcode}",
                city="许昌市",
                place=name,
                adcode=adcode,
                level="zone" if adcode == "411071" else "district",
                value=float(100 * (i + 1)),
                qualifier=qualifier,
                as_written=f"{100 * (i + 1)}{'余' if qualifier == 'at_least' else ''}户",
            )
        )
    return pd.concat(rows, ignore_index=True)


XUCHANG = {
    "411002": "魏都区",
    "411003": "建安区",
    "411024": "鄢陵县",
    "411025": "襄城县",
    "411081": "禹州市",
    "411082": "长葛市",
    "411071": "许昌经济技术开发区",
}


def test_a_sum_over_every_district_and_zone_is_a_city_total(all_figures):
    every = _xuchang_figures(all_figures, XUCHANG, qualifiers={"411003": "at_least"})
    (card,) = [r for _, r in selection.city_summary(every, "households", ["许昌市"]).iterrows()]
    assert (card["basis"], card["n_parts"], card["n_places"]) == ("parts", 7, 7)
    assert card["value"] == 2800
    assert card["qualifier"] == "at_least"  # one part "at least": so is the sum
    assert card["as_written"] is None and card["unit_word"] == "户"
    # Without the zone, the six districts are not the whole city.
    no_zone = every[every["adcode"] != "411071"]
    (card,) = [r for _, r in selection.city_summary(no_zone, "households", ["许昌市"]).iterrows()]
    assert (card["basis"], card["n_parts"], card["n_places"], card["n_zones"]) == (
        "partial",
        6,
        7,
        1,
    )


def test_a_sum_is_of_one_period_and_kind(all_figures):
    every = _xuchang_figures(all_figures, XUCHANG)
    # One district's figure is of another kind (completed): the plan is then not complete.
    every.loc[every["adcode"] == "411002", "status"] = "completed"
    (card,) = [r for _, r in selection.city_summary(every, "households", ["许昌市"]).iterrows()]
    assert card["basis"] == "partial"
    assert card["others"] == 1


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
