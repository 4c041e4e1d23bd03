"""Tests of `atlas network` and `atlas reach`: one JSON line each, the files, the statuses."""

from __future__ import annotations

import json

import geopandas as gpd
import hostile_files
import numpy as np
import pyogrio
import pytest
import shapely
from _osm import lonlat, osm_xml, wall_scene

from cli import main
from layers.export import write_geopackage


@pytest.fixture
def scene(tmp_path):
    """The wall scene with steps, in 新乡: its network, infrastructure and two communities."""
    osm = osm_xml(*wall_scene({"highway": "steps"}), tmp_path / "scene.osm")
    projects = gpd.GeoDataFrame(
        {"name": ["甲小区", "乙小区"], "adcode": ["410700", "410700"], "households": [100, 300]},
        geometry=[shapely.Point(lonlat(0, 0)), shapely.Point(lonlat(0, 100))],
        crs="EPSG:4326",
    )
    write_geopackage({"projects": projects}, tmp_path / "projects.gpkg")
    return osm, tmp_path


def test_network_prints_counts_and_writes_three_layers(scene, capsys):
    osm, folder = scene
    out = folder / "network.gpkg"
    assert main(["network", str(osm), "--out", str(out)]) == 0
    counts = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert counts["nodes"] == 9 and counts["edges"] == 8
    assert counts["km_wheelchair"] == pytest.approx(2.4, abs=1e-3)
    assert counts["km_walk"] == pytest.approx(2.5077, abs=1e-3)
    layers = dict(pyogrio.list_layers(out))
    assert layers == {"nodes": "Point", "edges": "LineString", "network": None}
    edges = pyogrio.read_dataframe(out, layer="edges")
    steps = edges["highway"] == "steps"
    assert (
        edges.loc[steps, "profile_walk"].all() and not edges.loc[steps, "profile_wheelchair"].any()
    )


def test_reach_writes_communities_and_districts(scene, capsys):
    osm, folder = scene
    assert main(["network", str(osm), "--out", str(folder / "network.gpkg")]) == 0
    assert main(["infra", str(osm), "--out", str(folder / "infra.gpkg")]) == 0
    capsys.readouterr()
    out = folder / "reach.geojson"
    args = ["reach", "--projects", str(folder / "projects.gpkg")]
    args += ["--infra", str(folder / "infra.gpkg"), "--network", str(folder / "network.gpkg")]
    args += ["--profile", "wheelchair", "--radius", "300", "--radius", "1000", "--out", str(out)]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["communities"] == 2
    assert summary["status"]["wheelchair_accessible_bus_stop"] == {"ok": 2}
    communities = gpd.read_file(out)
    np.testing.assert_allclose(communities["wheelchair_accessible_bus_stop_m"], [900, 0], atol=0.05)
    np.testing.assert_allclose(communities["dist_accessible_bus_stop_m"], [100, 0], atol=0.05)
    assert set(dict(pyogrio.list_layers(out.with_suffix(".gpkg")))) == {"communities", "districts"}
    districts = gpd.read_file(folder / "reach-districts.geojson")
    assert len(districts) == summary["districts"] > 0
    # The scene is 600 m × 300 m of a county: the extract does not cover its network, so
    # the share is "no data" (never 0), though both communities have a distance.
    key = "households_within_1000m_accessible_bus_stop_wheelchair"
    held = districts[districts["projects_with_point"] > 0]
    assert held[f"{key}_status"].tolist() == ["outside_extent"]
    assert held[key].isna().all()


def test_reach_refuses_a_wrong_suffix(scene, capsys):
    _, folder = scene
    args = ["reach", "--projects", "p.gpkg", "--infra", "i.gpkg", "--network", "n.gpkg"]
    assert main([*args, "--out", str(folder / "reach.csv")]) == 2
    assert "Expected --out to end in .geojson" in capsys.readouterr().err


def _edit(layer: str, column: str, value):
    def edit(layers):
        layers[layer].loc[0, column] = value

    return edit


def _no_crs(layers):
    layers["nodes"] = layers["nodes"].set_crs(None, allow_override=True)


def _no_edges(layers):
    layers["edges"] = layers["edges"].iloc[:0]


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (_edit("network", "epsg", 4326), "gives its lengths in EPSG:4326"),  # exit 0, wrong
        (_edit("edges", "length_m", float("nan")), "has empty values in the columns ['length_m']"),
        (_edit("edges", "length_m", -1.0), "has 1 edges whose length is missing, negative"),
        (_no_crs, "has nodes in no CRS"),  # an internal error
        (_no_edges, "has 9 nodes and 0 edges"),  # an internal error
        (_edit("edges", "v", 10**6), "has 1 of 8 edges naming nodes it does not hold"),
    ],
)
def test_reach_refuses_a_network_file_it_did_not_write(scene, capsys, edit, problem):
    osm, folder = scene
    assert main(["network", str(osm), "--out", str(folder / "network.gpkg")]) == 0
    assert main(["infra", str(osm), "--out", str(folder / "infra.gpkg")]) == 0
    edited = hostile_files.edited_network(folder / "network.gpkg", folder / "edited.gpkg", edit)
    capsys.readouterr()
    args = ["reach", "--projects", str(folder / "projects.gpkg")]
    args += ["--infra", str(folder / "infra.gpkg"), "--network", str(edited)]
    assert main([*args, "--out", str(folder / "reach.geojson")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(
        "atlas reach: Expected a network GeoPackage written by `atlas network`; edited.gpkg "
        + problem
    ), err
    assert len(err.splitlines()) == 1 and not (folder / "reach.geojson").exists()


def test_reach_snap_default_is_the_library_one(monkeypatch):
    # The option reads geo.reach's default, so the CLI and the page cannot drift apart.
    from cli import _parser
    from geo import reach

    monkeypatch.setattr(reach, "MAX_SNAP_M", 75.0)
    given = ["reach", "--projects", "p", "--infra", "i", "--network", "n", "--out", "o.geojson"]
    args = _parser().parse_args(given)
    assert args.max_snap == 75.0
