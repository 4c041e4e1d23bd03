"""Tests for layers/basemaps.py: providers, the Tianditu key, and the GCJ-02 display shift."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

from geo import crs
from layers.basemaps import (
    BASEMAPS,
    TIANDITU_ENV,
    add_basemap,
    display_datum,
    for_display,
    tianditu_key,
)
from layers.maps import figure_map

# 卫滨区, Xinxiang (WGS84).
XINXIANG = (113.8545, 35.3020)


def _tiles(fmap: folium.Map) -> list[folium.TileLayer]:
    return [c for c in fmap._children.values() if isinstance(c, folium.TileLayer)]


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return pyproj.Geod(ellps="WGS84").inv(a[0], a[1], b[0], b[1])[2]


def test_each_basemap_declares_its_datum():
    assert display_datum(None) == "wgs84"
    assert display_datum("osm") == "wgs84"
    assert display_datum("tianditu") == "wgs84"  # CGCS2000 ≈ WGS84 at map scale
    assert display_datum("gaode") == "gcj02"
    assert BASEMAPS["tianditu"][1] == "cgcs2000"
    with pytest.raises(ValueError, match="Unknown basemap"):
        display_datum("baidu")


def test_no_basemap_adds_no_tiles_and_amap_adds_its_provider():
    assert _tiles(add_basemap(folium.Map(tiles=None), None)) == []
    (layer,) = _tiles(add_basemap(folium.Map(tiles=None), "gaode"))
    assert "autonavi.com" in layer.tiles


def test_tianditu_needs_a_key_and_puts_it_only_in_the_tile_url(monkeypatch):
    with pytest.raises(ValueError, match=TIANDITU_ENV):
        add_basemap(folium.Map(tiles=None), "tianditu", key=None)
    vector, labels = _tiles(add_basemap(folium.Map(tiles=None), "tianditu", key="abc123"))
    assert "tk=abc123" in vector.tiles and "LAYER=vec" in vector.tiles
    assert "LAYER=cva" in labels.tiles and labels.overlay
    monkeypatch.setenv(TIANDITU_ENV, "from-env")
    assert tianditu_key(None) == "from-env"
    assert tianditu_key("  typed ") == "typed"
    monkeypatch.delenv(TIANDITU_ENV)
    assert tianditu_key("") is None


def test_amap_display_shift_is_the_gcj02_formula_and_leaves_the_input_alone():
    frame = gpd.GeoDataFrame(
        {"name": ["a", "b"]},
        geometry=[shapely.Point(XINXIANG), shapely.box(113.8, 35.2, 113.9, 35.3)],
        crs="EPSG:4326",
    )
    before = frame.geometry.copy()
    shifted = for_display(frame, "gaode")
    assert frame.geometry.equals(before)
    lon, lat = crs.wgs84_to_gcj02(*XINXIANG)
    assert shifted.geometry.iloc[0].x == pytest.approx(lon, abs=1e-12)
    assert shifted.geometry.iloc[0].y == pytest.approx(lat, abs=1e-12)
    # The shift is the 400-800 m the project warns about, here.
    assert 400 < _metres(XINXIANG, (lon, lat)) < 800
    # Every vertex of the polygon moved, not only the points.
    ring = np.asarray(shifted.geometry.iloc[1].exterior.coords)
    raw = np.asarray(frame.geometry.iloc[1].exterior.coords)
    assert np.all(np.abs(ring - raw).max(axis=1) > 1e-3)
    assert for_display(frame, "osm") is frame and for_display(None, "gaode") is None


def test_figure_map_over_amap_draws_shifted_outlines():
    districts = gpd.GeoDataFrame(
        {
            "adcode": ["410703"],
            "district": ["卫滨区"],
            "city": ["新乡市"],
            "value": [np.nan],
        },
        geometry=[shapely.Point(XINXIANG).buffer(0.01)],
        crs="EPSG:4326",
    )
    drawn = {}
    for basemap in (None, "gaode"):
        fmap = figure_map(districts, metric_name="户数", unit="households", basemap=basemap)
        group = next(c for c in fmap._children.values() if isinstance(c, folium.FeatureGroup))
        geojson = next(iter(group._children.values()))
        ring = geojson.data["features"][0]["geometry"]["coordinates"][0]
        drawn[basemap] = np.asarray(ring).mean(axis=0)
    expected = np.asarray(crs.wgs84_to_gcj02(*drawn[None]))
    assert drawn["gaode"] == pytest.approx(expected, abs=1e-5)
    assert _metres(tuple(drawn[None]), tuple(drawn["gaode"])) > 400
