"""Tests for layers/export.py and the `atlas export` command: RFC 7946 on re-read."""

from __future__ import annotations

import io
import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from cli import main
from geo import figures, selection
from layers.export import geojson_bytes, write_geojson

XINXIANG_HOUSEHOLDS = 22149


@pytest.fixture(scope="module")
def xinxiang_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "xinxiang.geojson"
    assert main(["export", "--city", "新乡市", "--out", str(out)]) == 0
    return out


def _check_rfc7946(path):
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw["type"] == "FeatureCollection"
    assert "crs" not in raw
    decimals = re.findall(r"-?\d+\.(\d+)", json.dumps(raw["features"][0]["geometry"] or {}))
    assert max((len(d) for d in decimals), default=0) <= 7
    layer = pyogrio.read_dataframe(path)
    assert layer.crs.to_epsg() == 4326
    geoms = layer.geometry.to_numpy()
    present = geoms[~shapely.is_missing(geoms)]
    assert shapely.is_valid(present).all()
    polygons = shapely.get_parts(present)
    exteriors = shapely.get_exterior_ring(polygons)
    assert shapely.is_ccw(exteriors).all()
    return raw, layer


def test_xinxiang_export_is_rfc7946_and_sums_to_the_plan(xinxiang_file):
    raw, _ = _check_rfc7946(xinxiang_file)
    # 12 county-level outlines plus the 高新区 zone, which has no outline.
    assert len(raw["features"]) == 13
    households = [f["properties"].get("households") for f in raw["features"]]
    assert sum(h for h in households if h is not None) == XINXIANG_HOUSEHOLDS
    zone = [f for f in raw["features"] if f["properties"]["place"] == "高新区"]
    assert len(zone) == 1 and zone[0]["geometry"] is None
    assert zone[0]["properties"]["households"] == 1044
    assert zone[0]["properties"]["adcode"] == "410771"


def test_export_keeps_no_data_districts_as_missing_not_zero(xinxiang_file):
    raw = json.loads(xinxiang_file.read_text(encoding="utf-8"))
    by_name = {f["properties"]["district"]: f["properties"] for f in raw["features"]}
    # 新乡县 and 获嘉县 have no row in the 2023 plan.
    for name in ("新乡县", "获嘉县"):
        assert by_name[name].get("households") is None
        assert by_name[name]["has_data"] is False
    assert by_name["卫滨区"]["households"] == 3279
    assert "新百城提质办〔2023〕2号" in by_name["卫滨区"]["sources"]
    assert "002_b03d685b680bd4c7.txt:31" in by_name["卫滨区"]["seed_lines"]


def test_city_level_figures_are_null_geometry_features(tmp_path):
    out = tmp_path / "jiaozuo.geojson"
    assert main(["export", "--city", "焦作", "--out", str(out)]) == 0
    raw, _ = _check_rfc7946(out)
    city = [f for f in raw["features"] if f["properties"]["level"] == "city"]
    assert city and all(f["geometry"] is None for f in city)
    rates = [f["properties"].get("tactile_paving_rate") for f in city]
    assert 97.7 in rates


def test_all_seed_export_holds_55_districts(tmp_path):
    out = tmp_path / "seed.geojson"
    assert main(["export", "--all-seed", "--out", str(out)]) == 0
    layer = pyogrio.read_dataframe(out)
    # One feature per place and period: 顺河回族区 has three (stock, 2019–2022, undated).
    outlined = layer[layer.geometry.notna()]
    assert outlined["adcode"].nunique() == 55
    assert (outlined["adcode"] == "410203").sum() == 3


def test_writer_reprojects_and_orients(tmp_path):
    # A clockwise square in CGCS2000 / GK zone 114°E must come out CCW, in lon/lat.
    square = shapely.Polygon([(0, 0), (0, 1000), (1000, 1000), (1000, 0)])
    frame = gpd.GeoDataFrame(
        {"name": ["<b>x</b>", "no outline"]},
        geometry=[shapely.affinity.translate(square, 500000, 3900000), None],
        crs="EPSG:4547",
    )
    out = write_geojson(frame, tmp_path / "sq.geojson")
    raw, _ = _check_rfc7946(out)
    assert raw["features"][1]["geometry"] is None
    lon, lat = np.asarray(raw["features"][0]["geometry"]["coordinates"][0]).T
    assert 113.9 < lon.min() < 114.1 and 35.1 < lat.min() < 35.3
    assert geojson_bytes(frame).startswith(b"{")


def test_writer_refuses_a_frame_without_crs(tmp_path):
    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(1, 2)])
    with pytest.raises(ValueError, match=r"no CRS; set it"):
        write_geojson(frame, tmp_path / "x.geojson")


def test_export_matches_selection_layer_row_for_row():
    chosen = selection.Selection(cities=("新乡市",), years=(2023, 2023))
    layer = selection.export_frame(
        selection.select_outlines(chosen), selection.filter_figures(figures.load_figures(), chosen)
    )
    assert layer["households"].sum() == XINXIANG_HOUSEHOLDS
    assert layer.crs.to_epsg() == 4326


def test_cli_unknown_city_names_close_matches(tmp_path, capsys):
    status = main(["export", "--city", "新相市", "--out", str(tmp_path / "x.geojson")])
    err = capsys.readouterr().err
    assert status == 2
    assert "Unknown city '新相市'" in err and "新乡市" in err
    assert "Traceback" not in err


def test_cli_unknown_district_names_close_matches(tmp_path, capsys):
    args = ["export", "--city", "新乡市", "--district", "卫宾区", "--out", str(tmp_path / "x")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Unknown district '卫宾区'" in err and "卫滨区" in err


def test_cli_unknown_figure_lists_the_known_ones(tmp_path, capsys):
    args = ["export", "--city", "新乡市", "--figure", "househods", "--out", str(tmp_path / "x")]
    assert main(args) == 2
    assert "Unknown figure 'househods'; expected one of:" in capsys.readouterr().err


def test_cli_resolve_prints_one_json_object(capsys):
    assert main(["resolve", "许昌县"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "historical" and result["adcode"] == "411003"
    assert main(["resolve", "鼓楼区"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "ambiguous" and result["adcode"] is None
    assert len(result["candidates"]) >= 4


def test_province_export_covers_every_district(tmp_path):
    out = tmp_path / "henan.geojson"
    assert main(["export", "--province", "河南", "--figure", "households", "--out", str(out)]) == 0
    raw, layer = _check_rfc7946(out)
    outlined = layer[layer.geometry.notna()]
    assert outlined["adcode"].nunique() == 157
    # Henan's seed figures (Xinxiang, Kaifeng, Jiaozuo) travel with it; Handan's do not.
    households = [f["properties"].get("households") for f in raw["features"]]
    assert 3279 in households and 189800 not in households


def test_a_geopackage_holds_one_geometry_type_per_layer(tmp_path):
    # The export's infra layer mixed tactile paving lines with ramps and stops: GDAL typed it
    # "Unknown", QGIS split it and ArcGIS could not use it (issue 18).
    from layers.export import geopackage_layers, write_geopackage

    infra = gpd.GeoDataFrame(
        {"type": ["tactile_paving", "curb_ramp", "curb_ramp", "accessible_toilet"]},
        geometry=[
            shapely.LineString([(113.8, 35.2), (113.81, 35.21)]),
            shapely.Point(113.85, 35.25),
            None,
            shapely.MultiPoint([(113.86, 35.26), (113.87, 35.27)]),
        ],
        crs="EPSG:4326",
    )
    districts = gpd.GeoDataFrame(
        {"place": ["卫滨区", "二区", "高新区"]},
        geometry=[
            shapely.box(113.8, 35.2, 113.9, 35.3),
            shapely.MultiPolygon([shapely.box(114, 35, 114.1, 35.1)]),
            None,  # a zone: no outline, kept
        ],
        crs="EPSG:4326",
    )
    table = pd.DataFrame({"row": [3], "reason": ["total_row"]})
    layers = {"districts": districts, "infra": infra, "quarantine": table}
    path = write_geopackage(layers, tmp_path / "view.gpkg")
    # GDAL's own reading of the file, as ogrinfo lists it.
    listed = {str(name): str(kind) for name, kind in pyogrio.list_layers(path)}
    assert listed == {
        "districts": "MultiPolygon",
        "infra_points": "MultiPoint",
        "infra_lines": "LineString",
        "quarantine": "None",
    }
    for name in ("districts", "infra_points", "infra_lines"):
        assert pyogrio.read_info(path, layer=name)["geometry_type"] == listed[name]
    # Nothing lost: every row is in one layer, the one without a geometry with the points.
    split = geopackage_layers(layers)
    assert len(split["infra_points"]) + len(split["infra_lines"]) == len(infra)
    assert pyogrio.read_dataframe(path, layer="infra_points").geometry.isna().sum() == 1
    assert len(pyogrio.read_dataframe(path, layer="districts")) == 3
    # A working file read back by the toolkit keeps its one layer when asked.
    whole = write_geopackage(layers, tmp_path / "whole.gpkg", one_type_per_layer=False)
    assert "infra" in {str(name) for name, _ in pyogrio.list_layers(whole)}


def test_layers_as_tables_keep_their_columns_with_points_as_lon_lat():
    from layers.export import layer_csv, layers_xlsx

    points = gpd.GeoDataFrame(
        {"name": ["=甲"]}, geometry=[shapely.Point(113.9, 35.3)], crs="EPSG:4326"
    )
    lines = gpd.GeoDataFrame(
        {"name": ["乙"]}, geometry=[shapely.LineString([(0, 0), (1, 1)])], crs="EPSG:4326"
    )
    text = layer_csv(points).decode("utf-8-sig")
    assert text.splitlines()[0] == "name,lon,lat"
    assert "113.9,35.3" in text and "'=甲" in text  # a formula is neutralised
    sheets = pd.read_excel(
        io.BytesIO(layers_xlsx({"points": points, "lines": lines})), sheet_name=None
    )
    assert list(sheets) == ["points", "lines"]
    assert sheets["lines"]["geometry_wkt"].tolist() == ["LINESTRING (0 0, 1 1)"]
