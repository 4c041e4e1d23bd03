"""Tests for layers/reach.py: what the walking reach page says of its network and measures."""

from __future__ import annotations

import numpy as np
import pandas as pd

from layers.reach import network_caption, on_network, reach_keys


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
