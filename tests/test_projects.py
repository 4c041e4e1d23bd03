"""Tests for layers/projects.py: ledger points on the map, every value escaped."""

from __future__ import annotations

import html
import json
import re

import folium
import geopandas as gpd
import pandas as pd
import pytest
import shapely

from layers.assets import MARKERCLUSTER_URL_PREFIX
from layers.projects import popup_html, projects_layer

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "`${alert(1)}`",
    "</script><script>alert(2)</script>",
    "\"'><svg onload=alert(3)>",
]


def projects(names, *, households=120) -> gpd.GeoDataFrame:
    count = len(names)
    return gpd.GeoDataFrame(
        {
            "row": range(2, 2 + count),
            "name": names,
            "district": ["卫滨区"] * count,
            "households": pd.array([households] * count, dtype="Int64"),
            "content_tags": ["elevator|<b>外墙</b>"] * count,
            "status": ["completed"] * count,
            "located": ["point"] * count,
        },
        geometry=[shapely.Point(113.86 + i * 1e-3, 35.30) for i in range(count)],
        crs="EPSG:4326",
    )


def rendered(frame: gpd.GeoDataFrame) -> str:
    fmap = folium.Map(tiles=None, maxZoom=18)
    projects_layer(frame).add_to(fmap)
    return fmap.get_root().render()


def as_embedded(text: str) -> str:
    """``text`` HTML-escaped, then inside a JSON string as Jinja's ``tojson`` writes it."""
    quoted = json.dumps(html.escape(text, quote=True))
    for char, code in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("'", "\\u0027")):
        quoted = quoted.replace(char, code)
    return quoted


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_reach_the_html_only_as_escaped_text(payload):
    page = rendered(projects([payload]))
    for tag in ("<img", "<svg", "<script>alert", "</script><script>"):
        assert tag not in page
    # The name sits HTML-escaped inside a JSON string literal, so `${...}` is plain text too.
    assert as_embedded(payload) in page


def test_popups_escape_and_show_missing_households_as_no_data():
    frame = projects(["<b>甲</b>"])
    frame["households"] = pd.array([None], dtype="Int64")
    popup = popup_html(frame).iloc[0]
    assert popup.startswith("<b>&lt;b&gt;甲&lt;/b&gt;</b>")
    assert "户数：无数据" in popup and "户数：0" not in popup
    assert "改造内容：加装电梯、&lt;b&gt;外墙&lt;/b&gt;" in popup
    assert "状态：已完成" in popup and "台账行号：2" in popup
    assert "Households: No data" in popup_html(frame, lang="en").iloc[0]


def test_only_points_are_drawn_and_the_layer_counts_them():
    frame = projects(["甲", "乙", "丙"])
    frame.loc[1, "geometry"] = None
    layer = projects_layer(frame)
    assert len(layer.data) == 2
    assert layer.layer_name == "台账小区 (2)"
    assert [row[0] for row in layer.data] == [35.3, 35.3]


def test_cluster_scripts_come_from_the_app_not_a_cdn():
    page = rendered(projects(["甲"]))
    assert f"{MARKERCLUSTER_URL_PREFIX}/leaflet.markercluster.js" in page
    assert not re.search(r"cdnjs\.cloudflare\.com/ajax/libs/leaflet\.markercluster", page)


def test_the_district_map_carries_the_points_and_the_max_zoom_clusters_need():
    from layers.choropleth import figure_map
    from tests.test_choropleth import _districts

    fmap = figure_map(
        _districts([1.0, 2.0]), metric_name="户数", unit="households", projects=projects(["甲"])
    )
    page = fmap.get_root().render()
    # Without a tile layer, Leaflet.markercluster throws "Map has no maxZoom specified".
    assert '"maxZoom": 18' in page
    assert "L.markerClusterGroup" in page
    assert json.dumps("台账小区 (1)") in page  # the layer control's name, JSON-escaped
