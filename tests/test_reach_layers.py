"""Tests for layers/reach.py: what the walking reach page says of its network and measures."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from geo import coverage
from layers import reach as shown
from layers.reach import network_caption, on_network, reach_keys
from layers.wording import dropped_text


def test_the_network_is_counted_with_thousands_separated_in_both_languages():
    counts = {"nodes": 12345, "edges": 678}
    assert (
        network_caption(counts, "x.osm.pbf", "zh") == "路网：x.osm.pbf · 12,345 个节点 · 678 条路段"
    )
    assert "12,345" in network_caption(counts, "x.osm.pbf", "en")


def test_the_measures_are_each_radius_then_each_kind_of_destination():
    assert reach_keys((300, 500), "wheelchair") == [
        "households_within_300m_accessible_bus_stop_wheelchair",
        "households_within_300m_curb_ramp_wheelchair",
        "households_within_300m_accessible_toilet_wheelchair",
        "households_within_500m_accessible_bus_stop_wheelchair",
        "households_within_500m_curb_ramp_wheelchair",
        "households_within_500m_accessible_toilet_wheelchair",
    ]


def test_a_walk_starts_only_from_communities_on_the_network():
    communities = pd.DataFrame(
        {"name": ["甲", "乙", "丙"], "walk_snap_m": [12.0, np.nan, 30.0]}, index=[4, 7, 9]
    )
    placed, names = on_network(communities, "walk")
    assert placed == [4, 9]
    assert names[9] == "丙" and list(names.index) == [4, 7, 9]
    # The life circle measures one walker: its communities' snap distance is ``snap_m``.
    one_walker = communities.rename(columns={"walk_snap_m": "snap_m"}).assign(snap_m=[np.nan, 5, 1])
    assert on_network(one_walker)[0] == [7, 9]


def test_the_reach_map_lists_what_was_drawn_above_the_rest_and_fits_it():
    import geopandas as gpd
    import shapely

    from layers.reach import reach_layers
    from tests.test_coverage_layer import three_districts

    shed = gpd.GeoDataFrame(
        {
            "profile": ["wheelchair"],
            "distance_m": [500.0],
            "reachable_km": [3.21],
            "status": ["ok"],
        },
        geometry=[shapely.box(113.81, 35.21, 113.83, 35.23)],
        crs="EPSG:4326",
    )
    infra = gpd.GeoDataFrame(
        {"type": ["curb_ramp"], "source": ["s"], "source_id": ["node/1"], "name": [None]},
        geometry=[shapely.Point(113.85, 35.25)],
        crs="EPSG:4326",
    )
    communities = gpd.GeoDataFrame(
        {
            "name": ["<b>甲</b>"],
            "city": ["新乡市"],
            "district": ["卫滨区"],
            "adcode": ["410703"],
            "households": [120],
            "status": ["completed"],
            "content_tags": ["accessibility"],
            "row": [2],
        },
        geometry=[shapely.Point(113.82, 35.22)],
        crs="EPSG:4326",
    )
    plain = reach_layers(
        three_districts(), "tactile_rate", infra=infra, communities=communities, drawn={}
    )
    drawn = reach_layers(
        three_districts(),
        "tactile_rate",
        infra=infra,
        communities=communities,
        drawn={"walkshed": ("<b>甲</b>", shed)},
    )
    assert len(drawn.groups) == len(plain.groups) + 1
    html = drawn.assembled().get_root().render()
    assert "&lt;b&gt;甲&lt;/b&gt;" in html and "<b>甲</b>" not in html


def _communities():
    import geopandas as gpd
    import shapely

    columns = {"name": ["幸福<b>小区"], "district": ["卫滨区"], "households": [120]}
    for kind in coverage.DISTANCE_TYPES:
        columns |= {f"walk_{kind}_m": [412.4], f"walk_{kind}_status": ["ok"]}
    columns["walk_curb_ramp_status"] = ["off_network"]
    return gpd.GeoDataFrame(columns, geometry=[shapely.Point(113.9, 35.3)], crs="EPSG:4326")


def test_the_reach_tables_are_headed_and_say_why_no_district_was_measured():
    from tests.test_coverage_layer import three_districts

    communities, districts = _communities(), three_districts()
    key = "households_within_500m_curb_ramp_walk"
    districts[key], districts[f"{key}_status"] = [12.5, np.nan, np.nan], ["ok"] * 3
    listed = shown.tables(districts, communities, [key], "walk", "zh")
    assert [heading for heading, _ in listed] == ["各区县指标及完整性", "各小区沿路网距离"]
    assert list(listed[0][1]["区县"]) == ["区0", "区1", "区2"]
    assert listed[1][1].loc[0, "小区名称"] == "幸福<b>小区"
    assert listed[1][1].loc[0, "最近缘石坡道（步行，沿路网）"] == "离路网太远，未计算"
    empty = shown.tables(districts.iloc[:0], communities, [key], "walk", "en")
    assert empty[0] == (
        "Metrics by district, with completeness",
        "The data lie in no Chinese county-level district (e.g. a European OSM sample); "
        "only the infrastructure layers are shown.",
    )


def test_the_files_keep_their_places_and_the_walkshed_is_named_inert():
    import geopandas as gpd
    import shapely

    communities = _communities()
    districts = gpd.GeoDataFrame({"adcode": ["410703"]}, geometry=[None], crs="EPSG:4326")
    shed = gpd.GeoDataFrame(
        {"distance_m": [500.0], "profile": ["wheelchair"], "status": ["ok"]},
        geometry=[shapely.box(113.8, 35.2, 113.9, 35.3)],
        crs="EPSG:4326",
    )
    drawn = {"walkshed": (("sha", "wheelchair"), "幸福*小区*", shed)}
    only = shown.downloads(communities, districts.iloc[:0], {}, "walk", "zh")
    assert only[1:] == [None, None] and only[0].file_name == "reach-communities-walk.geojson"
    files = shown.downloads(communities, districts, drawn, "wheelchair", "zh")
    assert [f.file_name for f in files] == [
        "reach-communities-wheelchair.geojson",
        "reach-districts-wheelchair.geojson",
        "walkshed-wheelchair.geojson",
    ]
    assert files[2].text == r"下载步行范围：幸福\*小区\* 500 米（GeoJSON）"
    written = gpd.read_file(io.BytesIO(files[2].write(*files[2].args)))
    assert written["origin"].tolist() == ["幸福*小区*"]


def test_what_was_drawn_is_shown_only_on_its_network_for_its_walker():
    drawn = {
        "walkshed": (("a", "walk"), "甲", "shed"),
        "route": (("a", "wheelchair"), "乙", "route"),
    }
    assert shown.drawn_for(drawn, "a", "walk") == {"walkshed": ("甲", "shed")}
    assert shown.drawn_for(drawn, "b", "walk") == {}
    assert shown.drawn_for(drawn, "a", "wheelchair") == {"route": ("乙", "route")}


def test_the_address_defaults_and_the_values_it_dropped():
    assert shown.address_defaults() == {"profile": "walk", "radii": [300, 500], "snap": 100}
    assert shown.address_defaults("m")["measure"] == "m"
    assert dropped_text(["x", 7], "zh") == "链接中的以下值不在当前可选范围内，已忽略：x、7"
