"""Tests for layers/choropleth.py: classes, no-data styling and HTML escaping."""

from __future__ import annotations

import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from layers.choropleth import (
    NO_DATA_COLOUR,
    SCHEMES,
    class_colours,
    class_count,
    class_ranges,
    classify,
)
from layers.maps import figure_map

PAYLOAD = '<img src=x onerror="alert(1)">'


def _districts(values):
    n = len(values)
    return gpd.GeoDataFrame(
        {
            "district": [PAYLOAD, *[f"区{i}" for i in range(1, n)]],
            "city": ["<script>alert(2)</script>"] * n,
            "value": values,
            "unit": "households",
            "qualifier": "exact",
            "period_label": "2023年",
            "status": "plan",
            "as_written": ["<b>3279 户</b>"] * n,
            "doc_number": "新百城提质办〔2023〕2号",
            "issuer": "x",
            "doc_date": "2023-02-07",
            "seed_file": "002.txt",
            "seed_line": 31,
            "n_periods": 1,
        },
        geometry=[shapely.box(113 + i * 0.1, 35, 113.09 + i * 0.1, 35.1) for i in range(n)],
        crs="EPSG:4326",
    )


def test_missing_values_get_the_no_data_colour_not_the_lowest_class():
    bins, colours = classify(pd.Series([np.nan, 0.0, 10.0, 20.0]))
    assert colours.iloc[0] == NO_DATA_COLOUR
    assert colours.iloc[1] != NO_DATA_COLOUR
    assert len(bins) == 3
    bins, _ = classify(pd.Series([np.nan, 0.0, 10.0, 20.0, 30.0, 40.0, 50.0]))
    assert len(bins) == 3  # six values: at most three classes of two


@pytest.mark.parametrize(
    ("distinct", "asked", "made"),
    [(1, 5, 1), (2, 5, 2), (3, 5, 3), (4, 5, 2), (9, 5, 4), (40, 7, 7)],
)
def test_few_values_are_a_class_each_and_more_make_classes_of_two(distinct, asked, made):
    # The all-China legend had a class of one city: four cities of data now make two classes.
    assert class_count(distinct, asked) == made


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_each_scheme_classes_every_value_and_ranges_hold_their_members(scheme):
    values = pd.Series([117.0, 265, 292, 1044, 1354, 2673, 2865, 3279, 3843, 6205, np.nan])
    bins, colours = classify(values, scheme=scheme, k=4)
    assert len(bins) == 4 and colours.iloc[-1] == NO_DATA_COLOUR
    assert set(colours.iloc[:-1]) <= set(class_colours(4))
    ranges = [r for r in class_ranges(values, bins) if r is not None]
    assert ranges[0][0] == 117 and ranges[-1][1] == 6205
    assert all(low <= high for low, high in ranges)


def test_an_unknown_scheme_is_named_with_the_choices():
    with pytest.raises(ValueError, match=r"Unknown class scheme 'jenks'; choose one of \['fisher"):
        classify(pd.Series([1.0, 2.0]), scheme="jenks")


def test_all_missing_gives_no_classes():
    bins, colours = classify(pd.Series([np.nan, np.nan]))
    assert bins == [] and (colours == NO_DATA_COLOUR).all()


def _geojson_tips(fmap) -> list[str]:
    import folium

    layers = [c for c in fmap._children.values() if isinstance(c, folium.FeatureGroup)]
    data = [
        g.data
        for layer in layers
        for g in layer._children.values()
        if isinstance(g, folium.GeoJson)
    ]
    return [f["properties"]["tip"] for d in data for f in d["features"]]


def test_user_values_are_escaped_in_the_map_html():
    fmap = figure_map(_districts([np.nan, 3279.0, 100.0]), metric_name="户数", unit="households")
    tips = _geojson_tips(fmap)
    assert len(tips) == 3
    assert all("<img" not in t and "<script" not in t for t in tips)
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in tips[0]
    assert "无数据" in tips[0]  # the no-data district says so, with no number
    assert "3,279 户" in tips[1] and "&lt;b&gt;3279 户&lt;/b&gt;" in tips[1]
    assert "<small>第 31 行</small>" in tips[1] and "002.txt" not in tips[1]  # line, not file
    html = fmap.get_root().render()
    assert "<img src=x" not in html and "\\u003cimg" not in html


def test_map_has_no_cdn_links_and_a_legend():
    fmap = figure_map(_districts([1.0, 2.0]), metric_name="户数", unit="households")
    links = [url for _, url in fmap.default_js + fmap.default_css]
    assert links == ["/app/static/leaflet/leaflet.js", "/app/static/leaflet/leaflet.css"]
    assert "cdn" not in fmap.get_root().render()
    assert "atlas-legend" in fmap.get_root().render()


def test_a_districts_period_reads_in_the_maps_language():
    districts = _districts([3279.0, 100.0]).assign(period_label=["2019年至2022年", "../2023"])
    for lang, first, second in (
        ("zh", "时期: 2019年至2022年", "时期: 截至2023年"),
        ("en", "Period: 2019–2022", "Period: by 2023"),
    ):
        tips = _geojson_tips(
            figure_map(districts, metric_name="户数", unit="households", lang=lang)
        )
        assert first in tips[0] and second in tips[1], (lang, tips)


def test_the_map_page_writes_its_district_and_city_outlines_compactly_with_their_styles():
    from streamlit_folium import _get_feature_group_string

    from geo import figures
    from layers._html import CompactGeoJson
    from layers.view import View, view_map_layers

    layers = view_map_layers(View(cities=("新乡市",)), figures.load_figures())
    drawn = [
        child
        for group in layers.groups[:2]
        for child in group._children.values()
        if isinstance(child, folium.GeoJson)
    ]
    assert all(isinstance(layer, CompactGeoJson) for layer in drawn) and len(drawn) == 2
    assert [len(layer.data["features"]) for layer in drawn] == [12, 1]
    page = layers.assembled().get_root().render()
    # The districts and the city outline, as Encoded Polylines the page decodes: no GeoJSON.
    assert page.count('"coords":"') == 2 and '"coordinates"' not in page
    # folium's styles as it writes them: by adcode, no data dashed, the city unfilled.
    assert re.search(r'case "4107\d\d": ', page) and '"dashArray": "4 4"' in page
    assert 'return {"color": "#08306b", "fill": false, "weight": 2.5};' in page
    assert page.count('let fields = ["tip"];') == 2
    # The districts keep has_data, which tells them from the city outline in the page.
    assert re.search(r'"kept":\{"has_data":\[(true|false)(,(true|false)){11}\]\}', page)
    # streamlit-folium writes each layer's script from its template: compact there too.
    for group in layers.groups[:2]:
        script = _get_feature_group_string(group, layers.base)
        assert '"coords":"' in script and '"coordinates"' not in script


def test_all_china_s_map_page_stays_under_a_third_of_a_megabyte():
    from geo import figures, gazetteer
    from layers.view import View, view_map_layers

    cities = tuple(gazetteer.list_cities()["city"].drop_duplicates())
    page = view_map_layers(View(cities=cities), figures.load_figures()).assembled()
    # The 370 city outlines as folium's GeoJSON were 0.90 MB of it; compact, 0.19 MB.
    assert len(page.get_root().render().encode()) < 330_000
