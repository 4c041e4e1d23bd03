"""Tests for layers/maps.py and layers/place_labels.py: names, legend, fit and layers of a map."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import shapely

from geo import boundaries, coverage, figures, infra, records
from geo._data import DATA_DIR
from layers._leaflet import Remembered
from layers.maps import coverage_layers, extent_of, figure_layers, figure_map
from layers.place_labels import label_points, labels_layer
from layers.view import View, view_map_layers
from tests.test_choropleth import _districts
from tests.test_coverage_layer import infra as infra_frame
from tests.test_coverage_layer import three_districts
from tests.test_projects import projects


def _script_data(page: str, name: str):
    """The JSON a layer script embeds as ``var <name> = ...;``."""
    found = re.search(rf"var {name} = (\[.*?\]), ", page, re.DOTALL)
    return json.loads(found.group(1))


def test_labels_sit_inside_their_outline_cities_first_largest_first():
    ring = shapely.Polygon([(0, 0), (10, 0), (10, 1), (1, 1), (1, 10), (0, 10)])  # an L
    (point,) = label_points(np.array([ring]))
    assert ring.contains(shapely.Point(point))  # a centroid would fall outside the L
    districts = _districts([1.0, 2.0, 3.0])
    districts.loc[0, "district"] = "<b>甲</b>"
    group = labels_layer(districts, districts.assign(city="乙市").iloc[[0]])
    page = figure_map(districts, metric_name="户数", unit="households").get_root().render()
    rows = next(iter(group._children.values())).rows
    assert [r[3] for r in rows] == [0, 1, 1, 1]  # the city, then its districts
    assert rows[1][2] == "&lt;b&gt;甲&lt;/b&gt;" and "<b>甲</b>" not in page
    assert "atlas-label" in page and "L.marker(" not in page  # text icons, no image


def test_an_outlines_label_point_is_found_once_and_each_outline_keeps_its_own(monkeypatch):
    import layers.place_labels as place_labels

    found = []
    inscribed = shapely.maximum_inscribed_circle
    monkeypatch.setattr(
        place_labels.shapely,
        "maximum_inscribed_circle",
        lambda *a: found.append(1) or inscribed(*a),
    )
    place_labels._label_point.cache_clear()
    square, far = shapely.box(0, 0, 2, 2), shapely.box(100, 30, 104, 31)
    shapes = np.array([square, None, far, shapely.Polygon()])
    first = label_points(shapes)
    assert len(found) == 2  # the two outlines; nothing for a missing or an empty one
    again = label_points(shapes[[2, 0, 1]])
    assert len(found) == 2  # kept, not found again
    np.testing.assert_allclose(again[[1, 0]], first[[0, 2]])
    assert np.isnan(again[2]).all() and np.isnan(first[[1, 3]]).all()
    np.testing.assert_allclose(first[0], [1, 1], atol=0.02)
    assert far.contains(shapely.Point(first[2])) and abs(first[2][1] - 30.5) < 0.03


def test_the_legend_names_one_unit_the_periods_and_the_point_layers():
    districts = _districts([117.0, 292.0, 6205.0, 42000.0, np.nan])
    districts.loc[3, ["period_label", "status"]] = ["2019年至2022年", "completed"]
    features = infra_frame([("curb_ramp", None, shapely.Point(113.85, 35.25))])
    fmap = figure_map(
        districts, metric_name="户数", unit="households", infra=features, projects=projects(["甲"])
    )
    page = fmap.get_root().render()
    legend = json.loads(re.search(r"div.innerHTML = (\".*?\");", page).group(1))
    assert "户数（户）" in legend and "万户" not in legend  # one unit for every class
    assert "6,205 – 42,000" in legend or "42,000" in legend
    assert "⚠ 着色混合不同时期或性质：2023年 计划；2019年至2022年 已完成" in legend
    assert "缘石坡道" in legend and "台账小区" in legend  # the point layers, with colours


def test_a_view_fits_its_selection_and_only_once_per_extent():
    layers = figure_layers(_districts([1.0, 2.0]), metric_name="户数", unit="households")
    page = layers.assembled().get_root().render()
    fit = re.search(r"var bounds = (\[\[.*?\]\]), key = (\".*?\");", page)
    bounds = json.loads(fit.group(1))
    assert bounds == [[35.0, 113.0], [35.1, 113.19]]
    assert "map.__atlasView.key === key" in page  # once per extent, per map
    assert "new ResizeObserver(resized)" in page  # fitted when the frame gets its size


def test_all_china_fits_the_mainland_not_the_south_china_sea_specks():
    cities = boundaries.load_boundaries("city", display=True)
    (south, west), (north, east) = extent_of([cities])
    everything = cities.total_bounds
    assert everything[1] < 5  # the outlines reach the Nansha islands
    assert 15 < south < 19 and west < 75 and north > 53 and east > 134


def test_the_map_page_keeps_its_base_map_across_filters():
    reported = figures.load_figures()
    one = view_map_layers(View(cities=("新乡市",)), reported)
    other = view_map_layers(
        View(cities=("焦作市",), figure="communities", years=(2019, 2022)), reported
    )
    # The base map's page is the same (so streamlit-folium keeps it); the layers differ.
    assert one.base.get_root().render().count("leaflet") > 0
    strip = lambda m: re.sub(r"_[0-9a-f]{32}", "", m.get_root().render())  # noqa: E731
    assert strip(one.base) == strip(other.base)
    assert [g.layer_name for g in one.groups][:1] == ["户数"]
    assert [g.layer_name for g in other.groups][:1] == ["老旧小区"]


def test_the_coverage_map_starts_its_point_layers_hidden_and_keeps_lines():
    features = infra_frame(
        [
            ("curb_ramp", None, shapely.Point(113.85, 35.25)),
            ("accessible_bus_stop", None, shapely.Point(113.851, 35.25)),
            ("tactile_paving", None, shapely.LineString([(113.8, 35.2), (113.81, 35.21)])),
        ]
    )
    layers = coverage_layers(three_districts(), "tactile_rate", infra=features)
    shown = {g.layer_name: g.show for g in layers.groups if g.control}
    assert shown["盲道 (1)"] and not shown["缘石坡道 (1)"] and not shown["无障碍公交站 (1)"]
    assert shown["地名标注"]
    page = layers.assembled().get_root().render()
    # Hidden layers take themselves off again when streamlit-folium adds them.
    assert page.count('"infra_curb_ramp"') == 1 and "layer.onAdd = function (map)" in page


def test_a_tiled_basemap_has_its_human_name_and_says_when_it_cannot_load():
    page = (
        figure_map(
            _districts([1.0]), metric_name="户数", unit="households", basemap="osm", lang="en"
        )
        .get_root()
        .render()
    )
    assert '"OpenStreetMap (WGS84, needs the network)"' in page
    assert "OpenStreetMap.Mapnik" not in page
    assert 'tiles.on("tileerror"' in page and "this basemap needs the network" in page
    # Tooltips wrap inside the frame.
    assert ".leaflet-tooltip { white-space: normal" in page and '"direction": "auto"' in page


def test_walkshed_and_route_tooltips_carry_a_community_name_as_text():
    import folium
    import geopandas as gpd
    import shapely

    from layers.reach import route_layer, walkshed_layer

    name = "<img src=x onerror=alert(1)>{{ 7*7 }}"
    shed = gpd.GeoDataFrame(
        {"profile": ["wheelchair"], "distance_m": [500.0], "reachable_km": [0.5]},
        geometry=[shapely.Point(114, 35.2).buffer(0.002)],
        crs="EPSG:4326",
    )
    found = gpd.GeoDataFrame(
        {
            "profile": ["wheelchair"],
            "kind": ["accessible_bus_stop"],
            "length_m": [900.0],
            "untagged_share": [1.0],
        },
        geometry=[shapely.LineString([(114, 35.2), (114.004, 35.2), (114.004, 35.201)])],
        crs="EPSG:4326",
    )
    fmap = folium.Map(tiles=None)
    walkshed_layer(shed, name).add_to(fmap)
    route_layer(found, name).add_to(fmap)
    html = fmap.get_root().render()
    assert "<img src=x" not in html and "{{ 7*7 }}" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;&#123;&#123; 7*7 &#125;&#125;" in html
    assert "轮椅通行 500 米内可达范围" in html and "900 米；无标注路段占 100%" in html


def test_the_scale_is_metric_and_clusters_are_grey_not_a_facility_colour():
    from layers._leaflet import BASE_CSS
    from layers.infra import INFRA_COLOURS
    from layers.projects import PROJECT_COLOUR

    page = figure_map(_districts([1.0, 2.0]), metric_name="户数", unit="households")
    html = page.get_root().render()
    assert "L.control.scale({imperial: false})" in html and "L.control.scale()" not in html
    fills = re.findall(
        r"\.marker-cluster-\w+ div \{ background-color: rgba\((\d+), (\d+), (\d+)", BASE_CSS
    )
    assert len(fills) == 3 and all(r == g == b for r, g, b in fills)  # neutral greys
    facility = {c.lower() for c in [*INFRA_COLOURS.values(), PROJECT_COLOUR]}
    assert not {"#" + "".join(f"{int(c):02x}" for c in f) for f in fills} & facility
    assert ".marker-cluster-small" in html  # on the page, so in the offline copy too


def test_an_english_legend_does_not_repeat_a_unit_its_title_is():
    districts = _districts([117.0, 292.0, 6205.0])

    def legend(metric_name: str, unit: str) -> str:
        fmap = figure_map(districts, metric_name=metric_name, unit=unit, lang="en")
        return json.loads(re.search(r"div.innerHTML = (\".*?\");", fmap.get_root().render())[1])

    assert "households (households)" not in legend("households", "households")
    assert "households" in legend("households", "households")
    assert "floor area (m²)" in legend("floor area", "m2")


SHARED_OSM = Path(__file__).resolve().parents[2] / "shared" / "osm"


@pytest.mark.parametrize("with_ledger", [False, True], ids=["alone", "with-a-ledger"])
@pytest.mark.parametrize("name", ["neukolln.osm", "paris_bss.osm.pbf"])
def test_an_extract_outside_china_shows_its_facility_layers(name, with_ledger):
    path = SHARED_OSM / name
    if not path.exists():
        pytest.skip(f"{path} not found (CI has shared/ beside the checkout)")
    found = infra.read_infra(path.read_bytes(), name=name)
    ledger = records.read_ledger(DATA_DIR / "examples" / "synthetic-ledger-xinxiang.csv")
    table = coverage.measure(ledger.projects if with_ledger else None, found).table
    # No district to colour: none at all (the page says only facilities are shown), or the
    # ledger's districts, every one hatched (the extract is in Berlin or Paris).
    assert table.empty != with_ledger
    layers = coverage_layers(table, "tactile_rate", infra=found.features)
    shown = {}
    for group in layers.groups:
        for child in group._children.values():
            if isinstance(child, Remembered) and child.key.startswith("infra_"):
                shown[child.key.removeprefix("infra_")] = group.show and child.show
    facilities = {k for k, n in found.counts().items() if n and k not in ("bus_stop", "sidewalk")}
    assert facilities >= {"tactile_paving", "curb_ramp"}
    assert {k for k, on in shown.items() if on} == facilities
