"""Tests for layers/projects.py: ledger points on the map as compact, escaped JSON."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from layers.assets import MARKERCLUSTER_URL_PREFIX
from layers.projects import projects_layer

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "`${alert(1)}`",
    "</script><script>alert(2)</script>",
    "\"'><svg onload=alert(3)>",
    "{{ 7*7 }}{% if %}{# x",  # Jinja code, were the script ever templated again
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


def rendered(frame: gpd.GeoDataFrame, *, lang: str = "zh") -> str:
    fmap = folium.Map(tiles=None, maxZoom=18)
    projects_layer(frame, lang=lang).add_to(fmap)
    return fmap.get_root().render()


def page_data(page: str) -> dict:
    """The layer's JSON as the page carries it."""
    (data,) = re.findall(r"^\s*var data = (.*);$", page, re.MULTILINE)
    return json.loads(data)


def data(frame: gpd.GeoDataFrame, *, lang: str = "zh") -> dict:
    return json.loads(projects_layer(frame, lang=lang).data_json)


def in_script(text: str) -> str:
    """``text`` as a JSON string that is safe in a <script>: UTF-8, with tojson's escapes."""
    quoted = json.dumps(text, ensure_ascii=False)
    for char, code in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("'", "\\u0027")):
        quoted = quoted.replace(char, code)
    return re.sub(r"\{(?=[{%#])", r"\\u007b", quoted)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_reach_the_page_only_as_escaped_json_strings(payload):
    page = rendered(projects([payload]))
    for tag in ("<img", "<svg", "<script>alert", "</script><script>", "{{ 7"):
        assert tag not in page
    assert in_script(payload) in page
    # And the browser reads back exactly what the ledger says: no HTML entity, no Jinja.
    assert page_data(page)["name"] == [payload]


def test_popups_and_tooltips_are_built_as_text_never_as_html():
    page = rendered(projects(["甲"]))
    script = page[page.index("var data = ") :]
    assert "textContent" in script and "createTextNode" in script
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script
    # Leaflet parses a string returned to bindPopup/bindTooltip as HTML; ours return nodes.
    assert "bindPopup(popup," in script and re.search(r"return document\.createTextNode", script)


def test_missing_households_and_distances_are_null_not_zero():
    frame = projects(["甲", "乙", "丙"])
    frame["households"] = pd.array([None, 0, 1234], dtype="Int64")
    frame["dist_accessible_bus_stop_m"] = [230.4, np.nan, 0.0]
    frame["dist_curb_ramp_m"] = [1234.0, 99.5, np.nan]
    sent = data(frame)
    assert sent["households"] == [None, 0, 1234]
    assert sent["distances"] == [
        {"label": "最近无障碍公交站", "metres": [230, None, 0]},
        {"label": "最近缘石坡道", "metres": [1234, 100, None]},
    ]
    assert sent["text"]["no_data"] == "无数据"
    assert data(frame, lang="en")["text"]["no_data"] == "No data"
    assert data(projects(["甲"]))["distances"] == []


def test_network_distances_sit_beside_the_straight_line_and_say_why_they_are_missing():
    frame = projects(["甲", "乙", "丙"])
    frame["dist_accessible_bus_stop_m"] = [100.2, 80.0, np.nan]
    frame["wheelchair_accessible_bus_stop_m"] = [900.4, np.nan, np.nan]
    frame["wheelchair_accessible_bus_stop_status"] = ["ok", "off_network", "no_point"]
    assert data(frame)["distances"] == [
        {"label": "最近无障碍公交站（直线）", "metres": [100, 80, None]},
        {
            "label": "最近无障碍公交站（轮椅通行，沿路网）",
            "metres": [900, None, None],
            "why": [None, 0, 1],
            "whys": ["离路网太远，未计算", "无坐标"],
        },
    ]
    english = data(frame, lang="en")["distances"][1]
    assert english["label"] == "Nearest accessible bus stop (by wheelchair, along the network)"


def test_units_and_labels_come_from_the_interface_wording():
    assert data(projects(["甲"]))["text"] == {
        "district": "区县",
        "households": "户数",
        "content": "改造内容",
        "status": "状态",
        "row": "台账行号",
        "no_data": "无数据",
        "colon": "：",
        "households_unit": " 户",
        "households_wan": " 万户",
        "metres_unit": " 米",
    }
    english = data(projects(["甲"]), lang="en")["text"]
    assert english["households_unit"] == " households" and english["households_wan"] is None
    assert english["metres_unit"] == " m" and english["colon"] == ": "


def test_categories_are_sent_once_and_referred_to_by_index():
    frame = projects(["甲", "乙", "丙", "丁"])
    frame["district"] = pd.array(["卫滨区", "红旗区", None, "卫滨区"], dtype="string")
    frame["status"] = ["completed", "plan", None, ""]
    frame.loc[2, "content_tags"] = None
    sent = data(frame)
    assert (sent["district"], sent["districts"]) == ([0, 1, None, 0], ["卫滨区", "红旗区"])
    assert (sent["status"], sent["statuses"]) == ([0, 1, None, 2], ["已完成", "计划", ""])
    assert (sent["content"], sent["contents"]) == ([0, 0, None, 0], ["加装电梯、<b>外墙</b>"])
    # In English the known tags are English words too; the ledger's own words stay as written.
    assert data(frame, lang="en")["contents"] == ["Elevator retrofit, <b>外墙</b>"]
    assert sent["name"] == ["甲", "乙", "丙", "丁"] and sent["row"] == [2, 3, 4, 5]


def test_a_city_ledger_is_small_and_carries_each_label_once():
    count = 500
    frame = projects([f"幸福路{i}号院" for i in range(count)])
    frame["dist_curb_ramp_m"] = np.linspace(0, 3000, count)
    page = rendered(frame)
    assert len(page.encode("utf-8")) < 60_000  # 38 MB for 100,000 when popups were HTML
    for text in ("台账行号", "卫滨区", "加装电梯", "最近缘石坡道", "无数据"):
        assert page.count(text) == 1, text


def test_only_points_are_drawn_and_the_layer_counts_them():
    frame = projects(["甲", "乙", "丙"])
    frame.loc[1, "geometry"] = None
    layer = projects_layer(frame)
    assert layer.layer_name == "台账小区 (2)"
    sent = json.loads(layer.data_json)
    assert sent["name"] == ["甲", "丙"]
    step = sent["step"]
    assert [(sent["lat0"] + v) / step for v in sent["lat"]] == [35.3, 35.3]
    assert [(sent["lon0"] + v) / step for v in sent["lon"]] == [113.86, 113.862]
    assert projects_layer(frame.iloc[[1]]).layer_name == "台账小区 (0)"


def test_projected_points_are_sent_in_wgs84_to_five_decimals():
    frame = projects(["甲"]).set_geometry([shapely.Point(113.8612345, 35.3012345)], crs=4326)
    sent = data(frame.to_crs("EPSG:3857"))
    assert (sent["lon0"] + sent["lon"][0], sent["lat0"] + sent["lat"][0]) == (11386123, 3530123)


def test_cluster_scripts_come_from_the_app_not_a_cdn():
    page = rendered(projects(["甲"]))
    assert f"{MARKERCLUSTER_URL_PREFIX}/leaflet.markercluster.js" in page
    assert not re.search(r"cdnjs\.cloudflare\.com/ajax/libs/leaflet\.markercluster", page)
    assert '"chunkedLoading": true' in page and '"showCoverageOnHover": false' in page
    assert '"disableClusteringAtZoom": 16' in page


def test_the_district_map_carries_the_points_and_the_max_zoom_clusters_need():
    from layers.maps import figure_map
    from tests.test_choropleth import _districts

    fmap = figure_map(
        _districts([1.0, 2.0]), metric_name="户数", unit="households", projects=projects(["甲"])
    )
    page = fmap.get_root().render()
    # Without a tile layer, Leaflet.markercluster throws "Map has no maxZoom specified".
    assert '"maxZoom": 18' in page
    assert "L.markerClusterGroup" in page
    assert json.dumps("台账小区 (1)") in page  # the layer control's name, JSON-escaped
    assert page_data(page)["name"] == ["甲"]


def test_over_the_cap_one_marker_per_district_gives_its_count_and_households(monkeypatch):
    from layers import projects as module

    monkeypatch.setattr(module, "MAX_POINTS_DRAWN", 4)
    frame = projects([f"小区{i}" for i in range(5)], households=100)
    frame["adcode"] = ["410703", "410703", "410703", "410702", "410702"]
    frame["district"] = ["卫滨区", "卫滨区", "卫滨区", PAYLOADS[0], PAYLOADS[0]]
    frame.loc[4, "households"] = pd.NA
    layer = projects_layer(frame, lang="zh")
    assert layer.layer_name == "台账小区 (5, 按区县汇总)"
    # Never clustered: a cluster's number would count districts, not communities.
    assert layer.options["disableClusteringAtZoom"] == 0
    sent = json.loads(layer.data_json)
    # By adcode: 410702 first; a missing household leaves its district's total as no data.
    assert sent["name"] == ["2 个小区", "3 个小区"]
    assert sent["households"] == [None, 300]
    assert [sent["districts"][i] for i in sent["district"]] == [PAYLOADS[0], "卫滨区"]
    assert sent["row"] == [None, None] and sent["distances"] == []
    lat = [(sent["lat0"] + v) / sent["step"] for v in sent["lat"]]
    lon = [(sent["lon0"] + v) / sent["step"] for v in sent["lon"]]
    assert lat == [35.3, 35.3] and lon == [113.8635, 113.861]
    assert "<img" not in rendered(frame)
    english = json.loads(projects_layer(frame, lang="en").data_json)
    assert english["name"] == ["2 communities", "3 communities"]
    # At the cap, every community is drawn.
    assert len(data(frame.iloc[:4])["name"]) == 4


def test_over_the_cap_a_map_of_city_outlines_gets_one_marker_per_city(monkeypatch):
    from layers import projects as module

    monkeypatch.setattr(module, "MAX_POINTS_DRAWN", 4)
    frame = projects([f"小区{i}" for i in range(5)], households=100)
    frame["adcode"] = ["410703", "410702", "410802", "410802", "410702"]
    frame["district"] = ["卫滨区", "红旗区", "解放区", "解放区", "红旗区"]
    frame["city"] = ["新乡市", "新乡市", "焦作市", "焦作市", PAYLOADS[0]]
    layer = projects_layer(frame, lang="zh", by_city=True)
    assert layer.layer_name == "台账小区 (5, 按城市汇总)"
    sent = json.loads(layer.data_json)
    # By city name; a city's total holds every one of its districts' communities.
    places = [sent["districts"][i] for i in sent["district"]]
    assert dict(zip(places, sent["name"], strict=True)) == {
        "新乡市": "2 个小区",
        "焦作市": "2 个小区",
        PAYLOADS[0]: "1 个小区",
    }
    assert dict(zip(places, sent["households"], strict=True)) == {
        "新乡市": 200,
        "焦作市": 200,
        PAYLOADS[0]: 100,
    }
    fmap = folium.Map(tiles=None, maxZoom=18)
    layer.add_to(fmap)
    assert "<img" not in fmap.get_root().render()
    # The popup's place line says it is a city, not a district.
    assert sent["text"]["district"] == "城市"
    english = projects_layer(frame, lang="en", by_city=True)
    assert english.layer_name == "Ledger communities (5, totalled by city)"
    assert json.loads(english.data_json)["text"]["district"] == "City"
    assert json.loads(projects_layer(frame, lang="en").data_json)["text"]["district"] == "District"


def test_a_map_drawn_by_city_totals_its_communities_by_city(monkeypatch):
    from layers import projects as module
    from layers.maps import figure_layers
    from tests.test_choropleth import _districts

    monkeypatch.setattr(module, "MAX_POINTS_DRAWN", 4)
    frame = projects([f"小区{i}" for i in range(5)]).assign(adcode="410703", city="新乡市")
    options = {"metric_name": "户数", "unit": "households", "projects": frame}
    # Without city outlines, the outlines drawn are cities': totals by city.
    by_city = figure_layers(_districts([1.0, 2.0]), **options).assembled().get_root().render()
    assert json.dumps("台账小区 (5, 按城市汇总)") in by_city
    cities = _districts([1.0]).assign(city="新乡市")
    city_figures = pd.DataFrame({"city": [], "level": []})
    by_district = figure_layers(
        _districts([1.0, 2.0]), cities=cities, city_figures=city_figures, **options
    )
    assert json.dumps("台账小区 (5, 按区县汇总)") in by_district.assembled().get_root().render()


@pytest.mark.parametrize("seed", range(6))
def test_place_totals_equal_pandas_groupby_with_missing_keys_names_and_households(seed):
    from layers.projects import _totals_by

    rng = np.random.default_rng(seed)
    n = 400
    keys = rng.choice(np.array(["410702", "410703", "", None, "410802"], dtype=object), n)
    names = rng.choice(np.array(["红旗区", None, "卫滨区", PAYLOADS[0]], dtype=object), n)
    households = pd.array(rng.integers(0, 900, n), dtype="Int64")
    households[rng.random(n) < 0.1] = pd.NA
    frame = gpd.GeoDataFrame(
        {"adcode": pd.array(keys, dtype="string"), "district": names, "households": households},
        geometry=shapely.points(rng.uniform(113, 114, n), rng.uniform(35, 36, n)),
        crs="EPSG:4326",
    )
    got = _totals_by(frame["adcode"], frame, "district")
    plain = pd.DataFrame(
        {
            "key": frame["adcode"].fillna(""),
            "district": frame["district"],
            "households": frame["households"].astype(float),
            "lon": shapely.get_x(frame.geometry.to_numpy()),
            "lat": shapely.get_y(frame.geometry.to_numpy()),
        }
    )
    want = plain.groupby("key", sort=True).agg(
        district=("district", "first"),
        lon=("lon", "mean"),
        lat=("lat", "mean"),
        count=("lon", "size"),
        households=("households", "sum"),
        known=("households", "count"),
    )
    assert list(got.index) == list(want.index)
    assert got["count"].tolist() == want["count"].tolist()
    assert got["known"].tolist() == want["known"].tolist()
    assert np.allclose(got[["lon", "lat", "households"]], want[["lon", "lat", "households"]])
    assert [d if isinstance(d, str) else None for d in got["district"]] == [
        d if isinstance(d, str) else None for d in want["district"]
    ]
