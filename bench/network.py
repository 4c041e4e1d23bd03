"""
Walking network: nearest destination along the street network, and the graph build.

The suite's ``network`` job (``python -m bench --jobs network``). Two parts:

- **Query.** 100k origins to the nearest of 5k destinations on a synthetic city graph of
  >= 200k edges: a 340 × 340 street grid of about 60 m blocks jittered by up to 15 m,
  8 % of its street segments removed (walled compounds, rail lines), diagonal footpaths
  through 4 % of the blocks, 3 % of segments steps; about 20 km across, placed at 新乡
  (EPSG:4547). Origins are within 30 m of a random node; destinations sit on nodes.
  Timed from WGS84 lon/lat arrays to metres per origin, every structure built inside the
  run (no cache):

  - ``atlas``: :func:`geo.reach.nearest_destinations` with ``snap="node"`` (k-d tree snap to
    the nearest node, as the peers do; the product snaps to the nearest point on a street,
    timed in ``bench/lifecircle.py``), one ``scipy.sparse.csgraph.dijkstra`` from all
    destinations with ``min_only``.
  - ``osmnx + networkx``: the usual way: ``osmnx.distance.nearest_nodes`` on the
    projected ``MultiDiGraph`` (both directions), then
    ``networkx.multi_source_dijkstra_path_length`` from the destinations' nodes.
  - ``pandana``: ``get_node_ids``, ``set_pois`` and ``nearest_pois`` (maxdist 5 km) on a
    ``pandana.Network`` whose contraction hierarchy is built once beforehand; that build
    is timed once and reported beside it (``preprocess_s``). AGPL-3.0: a peer here only.

  networkx's answer must equal ours within 1e-6 relative for every origin; pandana's within
  1e-4 (it keeps its weights in single precision), or the run stops.
- **Build.** The pedestrian graph of the three real extracts (Paris, Berlin-Neukölln,
  Helsinki): :func:`geo.network.build_network` (pyosmium, cache off) against
  ``osmnx.graph_from_xml`` (XML only: a PBF is first written as XML by pyosmium, untimed,
  keeping highway ways whose nodes are all in the file, since OSMnx stops on a missing
  node) and pyrosm's ``get_network("walking", nodes=True)`` (PBF only). Their node and
  edge counts are recorded, not compared: each applies its own rules (OSMnx keeps every
  highway way it is given).
"""

from __future__ import annotations

import tempfile
import time
import warnings
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj

from bench.osm_import import extracts
from bench.timing import ATLAS, Mismatch, measure, peer_result
from geo import network, reach

TITLE = "Walking network: nearest of 5k destinations for 100k origins; graph build"
SIDE = 340
BLOCK_M = 60.0
EPSG = 4547
ORIGINS = 100_000
DESTINATIONS = 5_000
PANDANA_MAXDIST = 5_000.0
_REL = 1e-6
_REL_PANDANA = 1e-4


def city_graph(seed: int = 16) -> network.Network:
    """The synthetic city as a :class:`geo.network.Network` (tags as an OSM build gives)."""
    rng = np.random.default_rng(seed)
    i, j = np.meshgrid(np.arange(SIDE), np.arange(SIDE), indexing="ij")
    x = 500_000 - SIDE * BLOCK_M / 2 + i.ravel() * BLOCK_M + rng.uniform(-15, 15, i.size)
    y = 3_910_000 + j.ravel() * BLOCK_M + rng.uniform(-15, 15, i.size)
    index = (i * SIDE + j).ravel()
    east = index[(i < SIDE - 1).ravel()]
    north = index[(j < SIDE - 1).ravel()]
    u = np.concatenate([east, north])
    v = np.concatenate([east + SIDE, north + 1])
    keep = rng.random(u.size) > 0.08
    u, v = u[keep], v[keep]
    diagonal = index[((i < SIDE - 1) & (j < SIDE - 1)).ravel()]
    diagonal = diagonal[rng.random(diagonal.size) < 0.04]
    u, v = np.concatenate([u, diagonal]), np.concatenate([v, diagonal + SIDE + 1])
    # Nodes left without a segment are dropped, as a build from OSM has none.
    used = np.zeros(x.size, dtype=bool)
    used[u] = used[v] = True
    position = np.cumsum(used) - 1
    u, v, x, y = position[u], position[v], x[used], y[used]
    lon, lat = pyproj.Transformer.from_crs(EPSG, "EPSG:4326", always_xy=True).transform(x, y)
    nodes = pd.DataFrame({"node_id": np.arange(x.size), "lon": lon, "lat": lat, "x": x, "y": y})
    for key in network.NODE_TAGS:
        nodes[key] = pd.Categorical([None] * x.size)
    nodes["blocked"] = False
    highway = np.where(rng.random(u.size) < 0.03, "steps", "residential")
    highway[u.size - diagonal.size :] = "footway"
    edges = pd.DataFrame({"u": u, "v": v, "way_id": np.arange(u.size)})
    edges["length_m"] = np.hypot(x[v] - x[u], y[v] - y[u])
    for key in network.EDGE_TAGS:
        edges[key.replace(":", "_")] = pd.Categorical([None] * u.size)
    edges["highway"] = pd.Categorical(highway)
    edges["incline_pct"] = np.nan
    return network.Network(nodes, edges, EPSG, "synthetic city", "", {})


def points(city: network.Network, seed: int = 17) -> tuple[np.ndarray, np.ndarray]:
    """Origins within 30 m of random nodes, destinations on random nodes (WGS84 lon/lat)."""
    rng = np.random.default_rng(seed)
    xy = city.nodes[["x", "y"]].to_numpy()
    near = xy[rng.integers(0, len(xy), ORIGINS)] + rng.uniform(-21, 21, (ORIGINS, 2))
    chosen = rng.choice(len(xy), DESTINATIONS, replace=False)
    back = pyproj.Transformer.from_crs(EPSG, "EPSG:4326", always_xy=True)
    origins = np.column_stack(back.transform(near[:, 0], near[:, 1]))
    dests = city.nodes[["lon", "lat"]].to_numpy()[chosen]
    return origins, dests


def run_atlas(city, origins, dests) -> np.ndarray:
    return reach.nearest_destinations(city, origins, dests, profile="walk", snap="node").distance_m


def _metric(lon_lat: np.ndarray) -> np.ndarray:
    to_m = pyproj.Transformer.from_crs("EPSG:4326", EPSG, always_xy=True)
    return np.column_stack(to_m.transform(lon_lat[:, 0], lon_lat[:, 1]))


def osmnx_graph(city: network.Network, profile: str = "walk"):
    """The profile's edges as OSMnx builds a walking graph: projected, both directions."""
    import geopandas as gpd
    import osmnx as ox
    import shapely

    nodes = gpd.GeoDataFrame(
        {"x": city.nodes["x"], "y": city.nodes["y"]},
        geometry=shapely.points(city.nodes[["x", "y"]].to_numpy()),
        crs=EPSG,
    )
    nodes.index = pd.Index(city.nodes["node_id"].to_numpy(), name="osmid")
    walkable = network.profile_edges(city, profile)
    e = city.edges[walkable]
    u = np.concatenate([e["u"], e["v"]])
    v = np.concatenate([e["v"], e["u"]])
    length = np.concatenate([e["length_m"], e["length_m"]])
    frame = pd.DataFrame({"u": u, "v": v, "key": 0, "length": length})
    frame = frame.sort_values("length").drop_duplicates(["u", "v"]).set_index(["u", "v", "key"])
    xy = city.nodes[["x", "y"]].to_numpy()
    ends = [xy[frame.index.get_level_values(level)] for level in (0, 1)]
    lines = shapely.linestrings(np.stack(ends, axis=1))
    edges = gpd.GeoDataFrame(frame, geometry=lines, crs=EPSG)
    return ox.graph_from_gdfs(nodes, edges, graph_attrs={"crs": f"EPSG:{EPSG}"})


def run_osmnx(graph, origins_m, dests_m) -> np.ndarray:
    import networkx as nx
    import osmnx as ox

    origin_nodes, legs = ox.distance.nearest_nodes(
        graph, origins_m[:, 0], origins_m[:, 1], return_dist=True
    )
    dest_nodes, dest_legs = ox.distance.nearest_nodes(
        graph, dests_m[:, 0], dests_m[:, 1], return_dist=True
    )
    assert np.allclose(dest_legs, 0, atol=1e-6)  # destinations sit on nodes
    lengths = nx.multi_source_dijkstra_path_length(graph, set(dest_nodes), weight="length")
    path = np.array([lengths.get(n, np.inf) for n in origin_nodes])
    return np.asarray(legs) + path


def pandana_network(city: network.Network):
    import pandana

    walkable = network.profile_edges(city, "walk")
    e = city.edges[walkable]
    nodes = city.nodes.set_index("node_id")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pandana.Network(nodes["x"], nodes["y"], e["u"], e["v"], e[["length_m"]], twoway=True)


def run_pandana(net, city, origins_m, dests_m) -> np.ndarray:
    ids = net.get_node_ids(pd.Series(origins_m[:, 0]), pd.Series(origins_m[:, 1]))
    xy = city.nodes.set_index("node_id").loc[ids.to_numpy(), ["x", "y"]].to_numpy()
    legs = np.hypot(*(origins_m - xy).T)
    net.set_pois("dest", PANDANA_MAXDIST, 1, pd.Series(dests_m[:, 0]), pd.Series(dests_m[:, 1]))
    near = net.nearest_pois(PANDANA_MAXDIST, "dest", num_pois=1)
    path = near[1].reindex(ids.to_numpy()).to_numpy("float64")
    return legs + path


def _check(case: str, peer: str, ours: np.ndarray, theirs: np.ndarray, rel: float) -> dict:
    off = np.abs(theirs - ours) / np.maximum(ours, 1e-9)
    bad = ~(off <= rel)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise Mismatch(
            f"network/{case}: {peer} differs from atlas for {int(bad.sum())} origins, e.g. "
            f"origin {i}: atlas {ours[i]!r} m, {peer} {theirs[i]!r} m."
        )
    return {"check": f"distance within {rel:g} for all {len(ours):,} (max {off.max():.1e})"}


def query_case(repeat: int) -> dict:
    city = city_graph()
    origins, dests = points(city)
    origins_m, dests_m = _metric(origins), _metric(dests)
    walkable = int(network.profile_edges(city, "walk").sum())

    def fresh() -> None:
        city.graphs.clear()

    timing, ours = measure(partial(run_atlas, city, origins, dests), repeat, before=fresh)
    assert np.isfinite(ours).all() and ours.max() < PANDANA_MAXDIST
    entry = {
        "case": f"city-{len(city.edges) // 1000}k-edges",
        "size": ORIGINS,
        "nodes": len(city.nodes),
        "edges": len(city.edges),
        "walkable_edges": walkable,
        "destinations": DESTINATIONS,
        "median_m": float(np.median(ours)),
        "peers": {ATLAS: peer_result(timing)},
    }
    graph = osmnx_graph(city)
    timing, theirs = measure(partial(run_osmnx, graph, origins_m, dests_m), repeat)
    check = _check(entry["case"], "osmnx + networkx", ours, theirs, _REL)
    entry["peers"]["osmnx + networkx"] = peer_result(timing, **check)
    del graph
    entry["peers"]["pandana"] = _pandana_peer(entry["case"], city, origins_m, dests_m, ours, repeat)
    return entry


def _pandana_peer(case, city, origins_m, dests_m, ours, repeat) -> dict:
    try:
        import pandana  # noqa: F401
    except ImportError:
        return peer_result(None, error="pandana is not installed (pip install pandana)")
    clock = time.perf_counter()
    net = pandana_network(city)
    preprocess_s = time.perf_counter() - clock
    timing, theirs = measure(partial(run_pandana, net, city, origins_m, dests_m), repeat)
    check = _check(case, "pandana", ours, theirs, _REL_PANDANA)
    return peer_result(timing, preprocess_s=preprocess_s, **check)


# --- graph build from the real extracts ---------------------------------------------------------


def highway_xml(path: Path, folder: Path) -> Path:
    """The extract's highway ways (every node present) and their nodes, as OSM XML."""
    import osmium

    nodes: set[int] = set()
    ways = []
    reader = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations()
    for way in reader:
        if way.is_way() and "highway" in way.tags and all(n.location.valid() for n in way.nodes):
            ways.append(way.id)
            nodes.update(n.ref for n in way.nodes)
    keep_ways = set(ways)
    out = folder / (path.name.split(".")[0] + "-highways.osm")
    with osmium.SimpleWriter(str(out)) as writer:
        for obj in osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY):
            if obj.is_node() and obj.id in nodes:
                writer.add_node(obj)
            elif obj.is_way() and obj.id in keep_ways:
                writer.add_way(obj)
    return out


def run_build_atlas(path: Path) -> tuple[int, int]:
    built = network.build_network(path, use_cache=False)
    return len(built.nodes), len(built.edges)


def run_build_osmnx(xml: Path) -> tuple[int, int]:
    import osmnx as ox

    graph = ox.graph_from_xml(xml, bidirectional=True, simplify=False, retain_all=True)
    return graph.number_of_nodes(), graph.number_of_edges()


def run_build_pyrosm(path: Path) -> tuple[int, int]:
    import pyrosm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nodes, edges = pyrosm.OSM(str(path)).get_network("walking", nodes=True)
    return len(nodes), len(edges)


def build_cases(repeat: int) -> list[dict]:
    cases = []
    with tempfile.TemporaryDirectory() as folder:
        for name, path in extracts().items():
            timing, (n, e) = measure(partial(run_build_atlas, path), repeat)
            entry = {"case": name, "size": path.stat().st_size, "nodes": n, "edges": e}
            entry["peers"] = {ATLAS: peer_result(timing, nodes=n, edges=e)}
            xml = highway_xml(path, Path(folder))
            timing, (n, e) = measure(partial(run_build_osmnx, xml), repeat)
            entry["peers"]["osmnx.graph_from_xml"] = peer_result(timing, nodes=n, edges=e)
            if path.suffix == ".pbf":
                timing, (n, e) = measure(partial(run_build_pyrosm, path), repeat)
                entry["peers"]["pyrosm"] = peer_result(timing, nodes=n, edges=e)
            else:
                entry["peers"]["pyrosm"] = peer_result(None, error="pyrosm reads PBF only")
            cases.append(entry)
    return cases


def run(*, full: bool, repeat: int, qgis: bool) -> dict:
    cases = [query_case(repeat), *build_cases(repeat)]
    return {"job": "network", "title": TITLE, "cases": cases}
