"""Tests for layers/coverage.py: hatched districts, infrastructure layers, escaping, size."""

from __future__ import annotations

import html
import json
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import polyline
import pytest
import shapely

from geo import boundaries, coverage
from layers._html import compact_features, coordinate_step, encode_polyline
from layers.choropleth import PALETTE
from layers.coverage import HATCH_FILL, coverage_layer
from layers.infra import infra_layers, totals_note
from layers.maps import coverage_layers, coverage_map
from layers.projects import projects_layer
from layers.wording import label
from layers.wording import measure_name as metric_name

PAYLOAD = "<img src=x onerror=alert(1)>"


def metrics(values, statuses, *, metric="tactile_rate") -> gpd.GeoDataFrame:
    """One square district per value, side by side, with tactile and sidewalk lengths."""
    count = len(values)
    return gpd.GeoDataFrame(
        {
            "adcode": [f"41070{i}" for i in range(count)],
            "district": [f"区{i}" for i in range(count)],
            "city": ["新乡市"] * count,
            "extent_share": [1.0, 0.4, np.nan, 1.0][:count],
            metric: values,
            f"{metric}_status": statuses,
            "tactile_km": [1.2, 0.3, np.nan, 0.0][:count],
            "tactile_km_status": ["ok", "ok", "outside_extent", "ok"][:count],
            "sidewalk_km": [9.7, 0.0, np.nan, 2.0][:count],
        },
        geometry=[shapely.box(113.8 + i * 0.1, 35.2, 113.89 + i * 0.1, 35.3) for i in range(count)],
        crs="EPSG:4326",
    )


def three_districts() -> gpd.GeoDataFrame:
    return metrics([12.3456, np.nan, np.nan], ["ok", "no_denominator", "outside_extent"])


def infra(rows) -> gpd.GeoDataFrame:
    """``rows`` of (type, name, geometry); sources and ids made up."""
    return gpd.GeoDataFrame(
        {
            "type": [r[0] for r in rows],
            "source": ["xinxiang.osm.pbf"] * len(rows),
            "source_id": [f"node/{100 + i}" for i in range(len(rows))],
            "name": [r[1] for r in rows],
        },
        geometry=[r[2] for r in rows],
        crs="EPSG:4326",
    )


def district_features(group: folium.FeatureGroup) -> dict[str, tuple[dict, str]]:
    """adcode -> (style the map applies, tooltip HTML) of each district in ``group``."""
    (geojson,) = [c for c in group._children.values() if isinstance(c, folium.GeoJson)]
    return {
        f["id"]: (geojson.style_function(f), f["properties"]["tip"])
        for f in geojson.data["features"]
    }


def embedded(text: str) -> str:
    """``text`` HTML-escaped, as it appears inside a JSON string written by Jinja's tojson."""
    quoted = json.dumps(html.escape(text, quote=True))[1:-1]
    for char, code in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("'", "\\u0027")):
        quoted = quoted.replace(char, code)
    return quoted


def test_only_ok_districts_get_a_class_colour_the_rest_are_hatched_with_a_reason():
    group, bins, colours = coverage_layer(three_districts(), "tactile_rate")
    features = district_features(group)
    ok, no_denominator, outside = (features[f"41070{i}"] for i in range(3))
    assert ok[0]["fillColor"] in PALETTE and "数据不足" not in ok[1]
    assert "盲道覆盖率（盲道/人行道长度）：<b>12.3%</b>" in ok[1]
    for style, _ in (no_denominator, outside):
        assert style["fillColor"] == HATCH_FILL == "url(#atlas-hatch)"
        assert style["fillOpacity"] == 1
    assert "<i>数据不足</i> · 缺少分母（如无人行道长度），无法计算比率" in no_denominator[1]
    assert "<i>数据不足</i> · 本区不在数据范围内" in outside[1]
    # One value, one class: a light colour, not the darkest (which reads as "the most").
    assert bins == [12.3] and colours == [PALETTE[1]] and ok[0]["fillColor"] == PALETTE[1]


def test_rates_show_numerator_denominator_and_the_extent_share():
    tips = [
        tip
        for _, tip in district_features(
            coverage_layer(three_districts(), "tactile_rate")[0]
        ).values()
    ]
    assert "盲道长度 1.2 千米 / 人行道长度 9.7 千米" in tips[0]  # no decimal invented
    assert "数据范围覆盖本区：100%" in tips[0]
    assert "盲道长度 0.3 千米 / 人行道长度 0 千米" in tips[1]
    assert "数据范围覆盖本区：40%" in tips[1]
    assert "数据范围覆盖本区：无数据" in tips[2]


def test_english_tooltips_say_insufficient_data_and_why():
    tips = [
        tip
        for _, tip in district_features(
            coverage_layer(three_districts(), "tactile_rate", lang="en")[0]
        ).values()
    ]
    assert "<i>Insufficient data</i> · the district is outside the data&#x27;s extent" in tips[2]
    assert "District inside the data extent: 40%" in tips[1]


def test_zero_with_status_ok_is_a_class_and_nan_with_status_ok_is_hatched():
    frame = metrics([0.0, 5.0, np.nan], ["ok", "ok", "ok"], metric="curb_ramps")
    features = district_features(coverage_layer(frame, "curb_ramps")[0])
    assert features["410700"][0]["fillColor"] == PALETTE[0]
    assert "缘石坡道数：<b>0 个</b>" in features["410700"][1]
    assert features["410702"][0]["fillColor"] == HATCH_FILL
    assert "<i>数据不足</i> · 未计算" in features["410702"][1]
    assert "缘石坡道数：<b>0" not in features["410702"][1]


def test_a_map_where_every_value_is_zero_reads_as_zero_not_as_the_most():
    # The walking-reach map of an extract with no stop in reach: 0 % everywhere.
    frame = metrics([0.0, 0.0, 0.0], ["ok", "ok", "partial_extent"], metric="tactile_rate")
    features = district_features(coverage_layer(frame, "tactile_rate")[0])
    assert features["410700"][0]["fillColor"] == features["410701"][0]["fillColor"] == PALETTE[1]
    page = coverage_map(frame, "tactile_rate", lang="en").get_root().render()
    assert embedded("every place with data: 0") in page
    # Over part of a district, 0 % is the covered part's, never "at least 0".
    assert "0% (at least)" not in features["410702"][1] and "（不少于）" not in page


def test_a_partial_count_is_hatched_and_shown_as_a_lower_bound():
    frame = metrics([12.0, 3.0], ["ok", "partial_extent"], metric="curb_ramps")
    features = district_features(coverage_layer(frame, "curb_ramps")[0])
    assert features["410701"][0]["fillColor"] == HATCH_FILL
    assert "数据仅覆盖本区部分范围<br>3 个（不少于）" in features["410701"][1]
    zero = metrics([12.0, 0.0], ["ok", "partial_extent"], metric="curb_ramps")
    features = district_features(coverage_layer(zero, "curb_ramps")[0])
    assert "数据仅覆盖本区部分范围<br>覆盖部分为 0 个" in features["410701"][1]


def test_the_map_writes_one_local_hatch_pattern_and_loads_nothing_from_the_web():
    fmap = coverage_map(three_districts(), "tactile_rate")
    # A second hatched layer on the same map must not write a second pattern.
    coverage_layer(three_districts(), "tactile_km")[0].add_to(fmap)
    page = fmap.get_root().render()
    assert page.count('<pattern id="atlas-hatch"') == 1
    assert '"fillColor": "url(#atlas-hatch)"' in page
    assert f'"fillColor": "{PALETTE[1]}"' in page
    assert "stripe" not in page.lower() and "https://cdn" not in page
    scripts = re.findall(r'<script[^>]*\bsrc="([^"]*)"', page)
    assert scripts == ["/app/static/leaflet/leaflet.js"]
    # The legend: one class, said in words, and the hatched "insufficient data" swatch.
    assert embedded("所有有数据的区域均为 12.3") in page and embedded("数据不足") in page
    assert "repeating-linear-gradient(45deg" in page
    assert '"maxZoom": 18' in page


@pytest.mark.parametrize("column", ["district", "city"])
def test_untrusted_district_text_reaches_the_html_only_escaped(column):
    frame = three_districts()
    frame.loc[0, column] = PAYLOAD
    page = coverage_map(frame, "tactile_rate").get_root().render()
    assert "<img" not in page and "\\u003cimg" not in page
    assert embedded(PAYLOAD) in page


def test_untrusted_infra_text_reaches_the_html_only_escaped():
    features = infra([("curb_ramp", PAYLOAD, shapely.Point(113.85, 35.25))])
    features.loc[0, "source_id"] = "</script><script>alert(2)</script>"
    features.loc[0, "source"] = "\"'><svg onload=alert(3)>"
    page = coverage_map(three_districts(), "tactile_rate", infra=features).get_root().render()
    for tag in ("<img", "<svg onload", "<script>alert", "\\u003cimg"):
        assert tag not in page
    for text in (PAYLOAD, "</script><script>alert(2)</script>", "\"'><svg onload=alert(3)>"):
        assert embedded(text) in page


def test_template_code_in_untrusted_text_is_never_run_when_the_page_renders():
    # branca renders each script once more as a Jinja template; "{{ 6*7 }}" must stay text.
    features = infra([("curb_ramp", "{{ 6*7 }}", shapely.Point(113.85, 35.25))])
    features.loc[0, "source"] = "{{ 7*8 }}.osm"
    frame = three_districts()
    frame.loc[0, "district"] = "{{ 9*9 }}区"
    page = coverage_map(frame, "tactile_rate", infra=features).get_root().render()
    # Evaluated, the expressions would be gone (and 81区 would be there).
    assert "6*7" in page and "7*8" in page and "9*9" in page
    assert "{{ 6*7 }}" not in page and "{{ 7*8 }}" not in page and "{{ 9*9 }}" not in page
    assert "81区" not in page


def test_infra_layers_are_ordered_counted_and_bus_stops_start_hidden():
    features = infra(
        [
            ("bus_stop", "人民路", shapely.Point(113.85, 35.25)),
            ("curb_ramp", None, shapely.Point(113.851, 35.25)),
            ("curb_ramp", None, shapely.Point(113.852, 35.25)),
            ("curb_ramp", None, shapely.Point(113.853, 35.25)),
            ("tactile_paving", None, shapely.LineString([(113.85, 35.25), (113.86, 35.26)])),
            ("tactile_paving", None, shapely.Point(113.854, 35.25)),
            ("elevator", None, None),  # a type present without a geometry draws no layer
        ]
    )
    groups = infra_layers(features)
    assert [g.layer_name for g in groups] == ["盲道 (2)", "缘石坡道 (3)", "公交站（全部） (1)"]
    assert [g.show for g in groups] == [True, True, False]
    assert [g.layer_name for g in infra_layers(features, lang="en")][:2] == [
        "Tactile paving (2)",
        "Curb ramp (3)",
    ]


def test_infra_coordinates_are_rounded_and_stay_lon_lat():
    features = infra(
        [
            ("curb_ramp", None, shapely.Point(113.123456789, 35.987654321)),
            ("sidewalk", None, shapely.LineString([(113.1234564, 35.1), (113.2, 35.2)])),
        ]
    )
    ramps, sidewalks = (next(iter(g._children.values())) for g in infra_layers(features))
    assert ramps.points == [[113.123457, 35.987654, "", "node/100", 0]]
    assert sidewalks.lines == [[[[[113.123456, 35.1], [113.2, 35.2]]], "", "node/101", 0]]
    assert not ramps.lines and not sidewalks.points


def test_an_unknown_feature_type_is_refused_with_the_expected_ones():
    with pytest.raises(ValueError, match=r"Expected feature types among .* got \['ramp'\]"):
        infra_layers(infra([("ramp", None, shapely.Point(113.85, 35.25))]))


def test_an_unknown_metric_or_missing_columns_are_refused():
    with pytest.raises(ValueError, match="got 'tactile_share'"):
        coverage_layer(three_districts(), "tactile_share")
    frame = three_districts().drop(columns=["city", "extent_share"])
    with pytest.raises(ValueError, match=r"\['city', 'extent_share'\] are missing"):
        coverage_layer(frame, "tactile_rate")


def test_household_share_metrics_are_named_from_their_radius_and_type():
    metric = "households_within_300m_accessible_bus_stop"
    assert coverage.describe(metric).unit == "percent"
    assert metric_name(metric) == "300 米内有无障碍公交站的户数占比"
    assert metric_name(metric, "en") == (
        "Share of households within 300 m of the nearest accessible bus stop"
    )
    frame = metrics([45.0, np.nan], ["ok", "no_households"], metric=metric)
    features = district_features(coverage_layer(frame, metric)[0])
    assert "300 米内有无障碍公交站的户数占比：<b>45%</b>" in features["410700"][1]
    assert "台账小区未填户数" in features["410701"][1]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_metric_and_status_geo_metrics_writes_has_a_name_unit_and_reason(lang):
    for metric in coverage.measure_keys():
        assert metric_name(metric, lang) and coverage.describe(metric).unit
    for status in set(coverage.STATUSES) - {"ok"}:
        assert label(f"reason_{status}", lang)


def test_an_unlabelled_status_is_shown_as_written_and_escaped():
    frame = metrics([np.nan], ["<b>new_status</b>"], metric="curb_ramps")
    ((_, tip),) = district_features(coverage_layer(frame, "curb_ramps")[0]).values()
    assert "<i>数据不足</i> · &lt;b&gt;new_status&lt;/b&gt;" in tip


def test_the_map_fits_the_infrastructure_when_there_are_no_districts():
    features = infra([("curb_ramp", None, shapely.Point(113.85, 35.25)),
                      ("curb_ramp", None, shapely.Point(113.95, 35.35))])  # fmt: skip
    page = coverage_map(three_districts().iloc[:0], "tactile_rate", infra=features)
    assert "[[35.25, 113.85], [35.35, 113.95]]" in page.get_root().render()


def projects(distances: dict[str, list[float]]) -> gpd.GeoDataFrame:
    count = len(next(iter(distances.values())))
    return gpd.GeoDataFrame(
        {
            "row": range(2, 2 + count),
            "name": [f"小区{i}" for i in range(count)],
            "district": ["卫滨区"] * count,
            "households": pd.array([120] * count, dtype="Int64"),
            "content_tags": ["elevator"] * count,
            "status": ["completed"] * count,
            "located": ["point"] * count,
            **distances,
        },
        geometry=[shapely.Point(113.86 + i * 1e-3, 35.30) for i in range(count)],
        crs="EPSG:4326",
    )


def test_project_popups_carry_the_nearest_features_and_null_for_nan():
    # The browser writes "最近无障碍公交站：230 米" from these (tests/e2e/test_projects_browser.py).
    frame = projects(
        {
            "dist_accessible_bus_stop_m": [230.4, np.nan],
            "dist_curb_ramp_m": [1234.0, 0.0],
            "dist_accessible_toilet_m": [np.nan, np.nan],
        }
    )
    sent = json.loads(projects_layer(frame).data_json)
    assert sent["distances"] == [
        {"label": "最近无障碍公交站", "metres": [230, None]},
        {"label": "最近缘石坡道", "metres": [1234, 0]},
        {"label": "最近无障碍厕所", "metres": [None, None]},
    ]
    assert sent["text"]["no_data"] == "无数据" and sent["text"]["metres_unit"] == " 米"
    english = json.loads(projects_layer(frame, lang="en").data_json)
    assert english["distances"][0]["label"] == "Nearest accessible bus stop"
    assert json.loads(projects_layer(projects({"other": [1.0]})).data_json)["distances"] == []


def test_projects_with_distances_ride_on_the_coverage_map():
    frame = projects({"dist_curb_ramp_m": [87.0]})
    page = coverage_map(three_districts(), "tactile_rate", projects=frame).get_root().render()
    assert "L.markerClusterGroup" in page
    assert '{"label":"最近缘石坡道","metres":[87]}' in page


def test_five_thousand_points_and_two_thousand_lines_keep_the_page_small():
    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(113.8, 114.1, 7000), rng.uniform(35.2, 35.3, 7000)
    geoms = [shapely.Point(x, y) for x, y in zip(lon[:5000], lat[:5000], strict=True)]
    geoms += [
        shapely.LineString([(x, y), (x + 5e-4, y + 3e-4), (x + 1e-3, y + 2e-4)])
        for x, y in zip(lon[5000:], lat[5000:], strict=True)
    ]
    kinds = ["curb_ramp", "accessible_bus_stop", "bus_stop"] * 1667
    rows = [(k, None, g) for k, g in zip(kinds[:5000] + ["sidewalk"] * 2000, geoms, strict=True)]
    features = infra(rows)
    features["source_id"] = [f"node/{1_000_000_000 + i}" for i in range(len(features))]
    page = coverage_map(three_districts(), "tactile_rate", infra=features).get_root().render()
    # About 0.5 MB measured; one GeoJSON feature with its own tooltip per point is ~3x that.
    assert len(page.encode()) < 800_000


def test_over_the_cap_each_type_is_one_marker_per_district_with_its_count(monkeypatch):
    from layers import infra as module

    monkeypatch.setattr(module, "MAX_FEATURES_DRAWN", 3)
    # Three ramps in 卫滨区, one in 牧野区; a tactile line in 卫滨区.
    ramps = [shapely.Point(113.855 + i * 1e-3, 35.30) for i in range(3)]
    features = infra(
        [("curb_ramp", "<b>x</b>", p) for p in ramps]
        + [("curb_ramp", None, shapely.Point(113.90, 35.32))]
        + [("tactile_paving", None, shapely.LineString([(113.855, 35.301), (113.856, 35.301)]))]
    )
    groups = infra_layers(features)
    assert [g.layer_name for g in groups] == [
        "盲道 (1, 按区县汇总)",
        "缘石坡道 (4, 按区县汇总)",
    ]
    ramps_drawn = next(iter(groups[1]._children.values()))
    assert ramps_drawn.lines == [] and ramps_drawn.sources == ["按区县汇总"]
    assert sorted((row[2], row[3]) for row in ramps_drawn.points) == [
        ("1 处", "牧野区"),
        ("3 处", "卫滨区"),
    ]
    english = infra_layers(features, lang="en")
    assert english[1].layer_name == "Curb ramp (4, totalled by district)"
    # The legend says what is totalled, by what, and that the measures are not.
    assert totals_note(groups) == [
        "设施超过 3 处：每类设施按区县汇总为一个标记，悬停可见数量；"
        "各区县的覆盖指标仍按全部设施计算"
    ]
    assert totals_note(english, "en") == [
        "Over 3 features: each type is one marker per district, its count on hover; "
        "the districts' measures still count every feature"
    ]
    # At the cap, every feature is drawn as itself.
    assert [g.layer_name for g in infra_layers(features.iloc[:3])] == ["缘石坡道 (3)"]


def decoded(compact: dict) -> list[tuple[list, str]]:
    """What the page's script rebuilds from a compact layer: (polygons, tooltip) per district."""
    # The reference decoder of the published format, lon/lat out.
    points = iter(polyline.decode(compact["coords"], compact["precision"], geojson=True))
    vertices, rings, lines = iter(compact["vertices"]), iter(compact["rings"]), iter(compact["tip"])
    out = []
    for parts, tips in zip(compact["parts"], compact["tips"], strict=True):
        polygons = [
            [[next(points) for _ in range(next(vertices))] for _ in range(next(rings))]
            for _ in range(parts)
        ]
        out.append((polygons, "<br>".join(compact["lines"][next(lines)] for _ in range(tips))))
    assert next(points, None) is None and next(vertices, None) is None
    return out


def compact_layers(page: str) -> list[dict]:
    """Each compact layer's data as a page (or streamlit-folium's script) holds it, in order."""
    decoder = json.JSONDecoder()
    return [decoder.raw_decode(page, at.start())[0] for at in re.finditer(r'\{"precision":', page)]


def compact_tips(page: str) -> list[str]:
    """The tooltips the page's script rebuilds, every compact layer's in order."""
    return [tip for layer in compact_layers(page) for _, tip in decoded(layer)]


def compact_scripts(layers) -> tuple[str, str]:
    """
    The page of ``layers`` and streamlit-folium's script of its first layer, both compact.

    Each is checked to hold its outlines as Encoded Polylines (no GeoJSON) and no raw tag.
    """
    from streamlit_folium import _get_feature_group_string

    page = layers.assembled().get_root().render()
    # streamlit-folium writes each layer's script from its template, not from folium's page.
    script = _get_feature_group_string(layers.groups[0], layers.base)
    for text in (page, script):
        assert '"coords":"' in text and '"coordinates"' not in text and "<img" not in text
    return page, script


def test_compact_districts_rebuild_every_ring_and_hole_rounded_and_every_tooltip():
    square = shapely.box(113.80001, 35.2, 113.9, 35.3)
    holed = shapely.Polygon(
        [(114.0, 35.2), (114.2, 35.2), (114.2, 35.4), (114.0, 35.4)],
        [[(114.05, 35.25), (114.1, 35.25), (114.1, 35.3), (114.05, 35.25)]],
    )
    islands = shapely.MultiPolygon([shapely.box(114.3, 35.2, 114.31, 35.21), holed])
    shapes = np.array([square, holed, islands, None, shapely.Polygon()], dtype=object)
    tips = ["<b>甲</b><br>数据不足", "<b>乙</b><br>数据不足", "<b>丙</b>", "<b>丁</b>", "戊"]
    compact = compact_features(shapes, tips, list("abcde"))
    assert compact["precision"] == 4  # a few districts: 1e-4°
    # Each distinct line once: "数据不足" is written once for two districts.
    assert compact["lines"] == [
        "<b>甲</b>",
        "数据不足",
        "<b>乙</b>",
        "<b>丙</b>",
        "<b>丁</b>",
        "戊",
    ]
    assert compact["tip"] == [0, 1, 2, 1, 3, 4, 5] and compact["tips"] == [2, 2, 1, 1, 1]
    rebuilt = decoded(compact)
    assert [tip for _, tip in rebuilt] == tips
    for (polygons, _), shape in zip(rebuilt, shapes, strict=True):
        expected = [] if shape is None or shape.is_empty else shapely.get_parts(shape).tolist()
        assert len(polygons) == len(expected)
        for polygon, part in zip(polygons, expected, strict=True):
            rings = [part.exterior, *part.interiors]
            assert len(polygon) == len(rings)
            for ring, original in zip(polygon, rings, strict=True):
                # Leaflet closes rings: the closing vertex is not sent.
                wanted = np.round(np.asarray(original.coords)[:-1], 4)
                np.testing.assert_allclose(ring, wanted, atol=1e-9)
    # The first square's corner 113.80001 is rounded to the step, not kept to 1e-5.
    assert (113.8, 35.2) in rebuilt[0][0][0][0]


def test_the_rounding_step_follows_the_extent_a_fifth_of_its_display_tolerance():
    city = np.array([shapely.box(113.7, 35.0, 114.6, 35.6)])
    china = np.array([shapely.box(73.5, 18.2, 135.1, 53.6)])
    assert coordinate_step(city) == 1e-4
    assert coordinate_step(china) == 1e-3
    assert coordinate_step(np.array([shapely.Point(114, 35)])) == 1e-4


@pytest.mark.parametrize("precision", [2, 3, 4, 5])
def test_outlines_are_encoded_exactly_as_the_reference_polyline_encoder_does(precision):
    rng = np.random.default_rng(precision)
    # Vertices anywhere on Earth, negative ones and ones halfway between two steps included.
    points = np.column_stack([rng.uniform(-180, 180, 500), rng.uniform(-90, 90, 500)])
    points[::7] = np.round(points[::7], precision) + 0.5 * 10.0**-precision
    points[::11, 0] *= -1
    text = encode_polyline(points, precision)
    # polyline (MIT) writes Google's order, lat then lng; geojson=True takes lon, lat rows.
    assert text == polyline.encode(points.tolist(), precision, geojson=True)
    back = np.array(polyline.decode(text, precision, geojson=True))
    scaled = points * 10**precision
    rounded = np.copysign(np.floor(np.abs(scaled) + 0.5), scaled) / 10**precision
    np.testing.assert_array_equal(back, rounded)
    assert encode_polyline(np.empty((0, 2)), precision) == ""


def test_the_encoding_reads_google_s_published_example():
    # lat, lng: (38.5, -120.2), (40.7, -120.95), (43.252, -126.453); the rows are lon, lat.
    example = np.array([[-120.2, 38.5], [-120.95, 40.7], [-126.453, 43.252]])
    assert encode_polyline(example, 5) == "_p~iF~ps|U_ulLnnqC_mqNvxq`@"


def test_backslashes_and_jinja_openers_in_the_encoding_reach_the_page_escaped():
    # At 1e-4°, a move north of 0.0974° is written "{{@" and one south of 0.0015° "\\".
    assert encode_polyline(np.array([[0, 0.0974], [0, 0.0959]]), 4) == "{{@?\\?"
    district = shapely.Polygon([(113.8, 35.2), (113.8, 35.2974), (113.8, 35.2959), (113.9, 35.2)])
    compact = compact_features(np.array([district]), ["甲"], ["410700"])
    assert "{{@?\\" in compact["coords"]
    frame = metrics([1.0], ["ok"]).set_geometry([district], crs="EPSG:4326")
    page = coverage_map(frame, "tactile_rate").get_root().render()
    written = re.search(r'"coords":("(?:[^"\\]|\\.)*")', page).group(1)
    # JSON-escaped backslashes, "{{" as "\u007b{": the browser reads back the encoding.
    assert "{{" not in written and "\\u007b{@?\\\\" in written
    assert json.loads(written) == compact["coords"]


def test_the_coverage_page_writes_districts_compactly_with_folium_styles_and_escaped_tips():
    frame = three_districts()
    frame.loc[0, "district"] = PAYLOAD
    page = coverage_map(frame, "tactile_rate").get_root().render()
    # No GeoJSON geometry in the page: the outlines are the compact form, decoded in it.
    assert '"coordinates"' not in page and '"coords":"' in page
    assert '"type": "MultiPolygon"' not in page and 'type: "MultiPolygon"' in page
    # folium's own style switch, keyed on the adcodes, and its sticky tooltip of "tip".
    assert 'case "410700": ' in page and '"fillColor": "url(#atlas-hatch)"' in page
    assert "sticky" in page and 'let fields = ["tip"];' in page
    assert "<img" not in page and embedded(PAYLOAD) in page


def national_features(per_district: int) -> gpd.GeoDataFrame:
    """``per_district`` curb ramps at the inner point of each of China's 2,875 districts."""
    districts = boundaries.load_boundaries("district")
    inner = shapely.point_on_surface(districts.geometry.to_numpy())
    points = np.repeat(inner, per_district)
    return infra([("curb_ramp", None, point) for point in points])


def test_over_four_hundred_districts_the_totals_are_one_marker_per_city():
    features = national_features(4)  # 11,500 features, over the cap, in every district
    cities = boundaries.load_boundaries("district")["city"].nunique()
    (ramps,) = infra_layers(features)
    assert ramps.layer_name == "缘石坡道 (11500, 按城市汇总)" and ramps.totalled_by == "city"
    drawn = next(iter(ramps._children.values()))
    # One marker a city (370), not a district (2,875); the counts add up to every feature.
    assert len(drawn.points) == cities
    assert sum(int(row[2].split()[0].replace(",", "")) for row in drawn.points) == 11_500
    assert {row[3] for row in drawn.points} >= {"新乡市", "北京市"}
    (english,) = infra_layers(features, lang="en", points_shown=False)
    assert english.layer_name == "Curb ramp (11500, totalled by city)" and not english.show
    assert totals_note([english], "en") == [
        "Over 10,000 features: each type is one marker per city, its count on hover; "
        "the districts' measures still count every feature"
    ]


def test_all_china_with_features_in_every_district_stays_under_two_megabytes():
    from layers.view import simplified_outlines

    districts = boundaries.load_boundaries("district")
    rng = np.random.default_rng(0)
    table = districts[["adcode", "district", "city", "geometry"]].assign(
        extent_share=rng.uniform(0, 1, len(districts)),
        tactile_km=rng.uniform(0, 50, len(districts)),
        tactile_km_status=np.where(rng.random(len(districts)) < 0.8, "partial_extent", "ok"),
    )
    layers = coverage_layers(
        simplified_outlines(table, "district"), "tactile_km", infra=national_features(4)
    )
    # The districts, their names, one layer of totals, the legend: nothing per feature.
    assert [g.layer_name for g in layers.groups] == [
        "盲道长度",
        "地名标注",
        "缘石坡道 (11500, 按城市汇总)",
        "图例",
    ]
    page = layers.assembled().get_root().render()
    # Measured 1.02 MB; the outlines as folium's GeoJSON alone were 3.19 MB.
    assert len(page.encode()) < 1_500_000
    note = (
        "设施超过 10,000 处：每类设施按城市汇总为一个标记，悬停可见数量；"
        "各区县的覆盖指标仍按全部设施计算"
    )
    assert embedded(note) in page


def test_streamlit_folium_writes_the_districts_compactly_too():
    # streamlit-folium writes each layer's script from its template, not from folium's page.
    from streamlit_folium import _get_feature_group_string

    layers = coverage_layers(three_districts(), "tactile_rate")
    script = _get_feature_group_string(layers.groups[0], layers.base)
    assert '"coords":"' in script and '"coordinates"' not in script
    assert 'case "410700": ' in script and "bindTooltip" in script


def test_communities_over_the_cap_are_totalled_by_city_past_four_hundred_districts(monkeypatch):
    from layers import maps
    from layers import projects as projects_module

    monkeypatch.setattr(projects_module, "MAX_POINTS_DRAWN", 2)
    frame = projects({"dist_curb_ramp_m": [87.0, 12.0, 5.0]}).assign(adcode="410703", city="新乡市")

    def drawn_name() -> str:
        layers = coverage_layers(three_districts(), "tactile_rate", projects=frame)
        return layers.groups[-2].layer_name

    assert drawn_name() == "台账小区 (3, 按区县汇总)"
    # Three districts drawn, past a limit of two: as all of China's 2,875 past 400.
    monkeypatch.setattr(maps, "MAX_DISTRICTS_TOTALLED", 2)
    assert drawn_name() == "台账小区 (3, 按城市汇总)"
