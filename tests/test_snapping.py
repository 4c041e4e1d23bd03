"""Tests for geo/snapping.py and its use by geo/reach.py: points join the nearest street."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from _osm import EPSG, X0, Y0, lonlat, osm_xml

from geo import network, reach, snapping


def _street(tmp_path: Path, tags: dict | None = None) -> network.Network:
    """One 400 m street A(0,0) → B(400,0) and a 300 m side street B → C(400,300)."""
    nodes = {1: (0, 0, {}), 2: (400, 0, {}), 3: (400, 300, {})}
    ways = {7: ([1, 2, 3], tags or {"highway": "residential"})}
    return network.build_network(osm_xml(nodes, ways, tmp_path / "street.osm"), use_cache=False)


def _metric(*points: tuple[float, float]) -> np.ndarray:
    return np.array([[X0 + x, Y0 + y] for x, y in points])


def test_a_point_joins_the_nearest_point_of_the_nearest_street(tmp_path):
    built = _street(tmp_path)
    assert built.epsg == EPSG
    found = snapping.snap_to_edges(
        built, _metric((150, 30), (410, 200), (150, 300)), profile="walk", max_snap_m=100
    )
    np.testing.assert_allclose(found.leg_m, [30, 10, 250], atol=0.02)
    assert found.on.tolist() == [True, True, False]
    np.testing.assert_allclose(found.to_u_m[:2], [150, 200], atol=0.02)
    np.testing.assert_allclose(found.to_u_m[:2] + found.to_v_m[:2], [400, 300], atol=0.02)
    np.testing.assert_allclose(found.xy[0], [X0 + 150, Y0], atol=0.02)
    assert found.edge[2] == -1 and np.isnan(found.xy[2]).all()


def test_not_finite_points_keep_their_row_off_the_network(tmp_path):
    found = snapping.snap_to_edges(
        _street(tmp_path), np.array([[np.nan, np.nan]]), profile="walk", max_snap_m=100
    )
    assert found.edge.tolist() == [-1] and np.isnan(found.leg_m[0])


def test_mid_block_point_is_on_the_network_only_when_edges_are_snapped_to(tmp_path):
    built = _street(tmp_path)
    origin = np.array([lonlat(200, 40)])
    stop = np.array([lonlat(400, 300)])
    by_edge = reach.nearest_destinations(built, origin, stop, max_snap_m=50)
    by_node = reach.nearest_destinations(built, origin, stop, max_snap_m=50, snap="node")
    # 40 m to the street, then 200 m to B and 300 m up to C; the nearest node is 204 m away.
    assert by_edge.distance_m[0] == pytest.approx(40 + 200 + 300, abs=0.05)
    assert np.isnan(by_node.distance_m[0]) and by_node.node[0] == -1


def test_a_destination_on_the_same_street_is_reached_along_it(tmp_path):
    built = _street(tmp_path)
    origin = np.array([lonlat(100, 20)])
    shop = np.array([lonlat(300, -10)])
    found = reach.nearest_destinations(built, origin, shop)
    # Along the street from x=100 to x=300, not out to A or B and back.
    assert found.direct[0]
    assert found.distance_m[0] == pytest.approx(20 + 200 + 10, abs=0.05)
    assert found.path_m[0] == pytest.approx(200, abs=0.05)


def test_route_from_mid_block_starts_where_the_community_meets_the_street(tmp_path):
    from geo import infra

    nodes = {
        1: (0, 0, {}),
        2: (400, 0, {}),
        3: (400, 300, {"highway": "bus_stop", "wheelchair": "yes"}),
    }
    path = osm_xml(nodes, {7: ([1, 2, 3], {"highway": "footway"})}, tmp_path / "r.osm")
    built = network.build_network(path, use_cache=False)
    line = reach.route(built, lonlat(150, 30), infra.read_infra(path)).geometry.iloc[0]
    coords = np.array(line.coords)
    # Origin, its foot on the street, B, then the stop (snapped onto itself).
    assert shapely.Point(coords[1]).distance(shapely.Point(lonlat(150, 0))) < 1e-6
    assert shapely.Point(coords[2]).distance(shapely.Point(lonlat(400, 0))) < 1e-6
    assert len(coords) == 5


def test_walkshed_from_mid_block_reaches_both_ways(tmp_path):
    built = _street(tmp_path)
    shed = reach.walkshed(built, lonlat(100, 10), 110, buffer_m=5)
    # 10 m to the street, then 100 m each way: to A (100 m) and towards B.
    assert shed["reachable_km"].iloc[0] == pytest.approx(0.2, abs=1e-4)
    area = shed.geometry.iloc[0]
    assert area.contains(shapely.Point(lonlat(195, 0)))
    assert not area.contains(shapely.Point(lonlat(215, 0)))


def test_snaps_only_to_streets_the_profile_may_use(tmp_path):
    nodes = {1: (0, 0, {}), 2: (400, 0, {}), 3: (0, 60, {}), 4: (400, 60, {})}
    ways = {7: ([1, 2], {"highway": "steps"}), 8: ([3, 4], {"highway": "footway"})}
    built = network.build_network(osm_xml(nodes, ways, tmp_path / "s.osm"), use_cache=False)
    point = _metric((200, 10))
    walk = snapping.snap_to_edges(built, point, profile="walk", max_snap_m=100)
    wheel = snapping.snap_to_edges(built, point, profile="wheelchair", max_snap_m=100)
    assert walk.leg_m[0] == pytest.approx(10, abs=0.02)
    assert wheel.leg_m[0] == pytest.approx(50, abs=0.02)
