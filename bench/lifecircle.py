"""
Life circles: 100k communities × 8 facility categories on a 217k-edge city, per profile.

The suite's ``lifecircle`` job (``python -m bench --jobs lifecircle``). The city is
``bench/network.py``'s synthetic grid (340 × 340 nodes of about 60 m blocks, jittered, 8 % of
segments removed, diagonal footpaths, 3 % steps, so the wheelchair's graph differs). 100k
communities lie on random points of random streets, up to 30 m off them (inside the city's
hull); the facilities of
8 categories (2,000 community service stations, 1,500 kindergartens, 800 nurseries, 1,000
elderly-care stations, 1,500 health stations, 400 primary schools, 600 markets, 3,000 bus
stops) sit on random nodes. Timed per profile (``walk``, ``wheelchair``), from WGS84 points
to metres per community and category, every structure built inside the run:

- ``atlas``: :func:`geo.lifecircle.community_indicators`, the product itself: each
  community snapped once to the nearest point on a street (R-tree), one multi-source
  ``scipy.sparse.csgraph.dijkstra`` per category, the straight line, pass/fail, the
  checklist.
- ``osmnx + networkx``: the usual way: the profile's projected ``MultiDiGraph``,
  ``osmnx.distance.nearest_edges`` for the communities (once), ``nearest_nodes`` for each
  category's facilities, ``networkx.multi_source_dijkstra_path_length`` from them, and for
  each community the nearer end of its edge (``shapely.line_locate_point`` along it) plus
  its leg. Facilities on nodes make both ways' answers the same to the millimetre.

networkx's metres must equal ours within 1e-6 relative for every community and category
(and be missing exactly where ours are), or the run stops.
"""

from __future__ import annotations

from functools import partial

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from bench.network import EPSG, city_graph, osmnx_graph
from bench.timing import ATLAS, Mismatch, measure, peer_result
from geo import facilities, lifecircle, network

TITLE = "Life circles: 100k communities × 8 categories on a 217k-edge city, per profile"
COMMUNITIES = 100_000
COUNTS = {
    "community_service": 2_000,
    "kindergarten": 1_500,
    "nursery": 800,
    "elderly_care": 1_000,
    "community_health": 1_500,
    "primary_school": 400,
    "market": 600,
    "bus_stop": 3_000,
}
_REL = 1e-6


def scene(city: network.Network, seed: int = 25):
    """The communities (GeoDataFrame) and facilities (:class:`Facilities`) over the city."""
    rng = np.random.default_rng(seed)
    xy = city.nodes[["x", "y"]].to_numpy()
    u, v = city.edges["u"].to_numpy(), city.edges["v"].to_numpy()
    draw = COMMUNITIES * 11 // 10
    pick = rng.integers(0, len(u), draw)
    t = rng.random(draw)[:, None]
    at = xy[u[pick]] + (xy[v[pick]] - xy[u[pick]]) * t + rng.uniform(-21, 21, (draw, 2))
    back = pyproj.Transformer.from_crs(EPSG, "EPSG:4326", always_xy=True)
    lon, lat = back.transform(at[:, 0], at[:, 1])
    # Inside the city's hull only: outside it a community is not measured (no data).
    inside = np.flatnonzero(shapely.contains_xy(city.extent(), lon, lat))[:COMMUNITIES]
    lon, lat = lon[inside], lat[inside]
    projects = gpd.GeoDataFrame(
        {"name": [f"c{i}" for i in range(COMMUNITIES)], "households": 100.0},
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )
    rows = []
    for key, count in COUNTS.items():
        chosen = rng.choice(len(xy), count, replace=False)
        rows += [(key, i) for i in chosen]
    nodes = np.array([i for _, i in rows])
    lonlat = city.nodes[["lon", "lat"]].to_numpy()[nodes]
    features = gpd.GeoDataFrame(
        {
            "category": [k for k, _ in rows],
            "source": "bench",
            "source_id": [f"node/{i}" for i in nodes],
            "name": None,
            "area_m2": np.nan,
        },
        geometry=gpd.points_from_xy(*lonlat.T),
        crs="EPSG:4326",
    )
    source = facilities.Source("bench", "osm", city.extent(), frozenset(COUNTS))
    return projects, facilities.Facilities(features, [source], pd.DataFrame()), nodes


def _registry() -> facilities.Registry:
    """The registry with only the benchmark's 8 categories."""
    registry = facilities.load_registry()
    kept = {k: registry.categories[k] for k in COUNTS}
    return facilities.Registry(
        kept, registry.standards, registry.life_circles, registry.complete_clause
    )


def run_atlas(city, projects, found, registry, profile: str) -> dict[str, np.ndarray]:
    out = lifecircle.community_indicators(projects, found, city, registry=registry, profile=profile)
    return {k: out[f"dist_{k}_m"].to_numpy("float64") for k in COUNTS}


def run_osmnx(graph, origins_m: np.ndarray, nodes_xy: dict[str, np.ndarray]) -> dict:
    import networkx as nx
    import osmnx as ox

    picked, legs = ox.distance.nearest_edges(
        graph, origins_m[:, 0], origins_m[:, 1], return_dist=True
    )
    u = np.array([p[0] for p in picked])
    v = np.array([p[1] for p in picked])
    lines = [graph.edges[p]["geometry"] for p in picked]
    along = shapely.line_locate_point(lines, shapely.points(origins_m))
    length = np.array([graph.edges[p]["length"] for p in picked])
    out = {}
    for key, xy in nodes_xy.items():
        targets = set(ox.distance.nearest_nodes(graph, xy[:, 0], xy[:, 1]))
        metres = nx.multi_source_dijkstra_path_length(graph, targets, weight="length")
        to_u = along + np.array([metres.get(n, np.inf) for n in u])
        to_v = length - along + np.array([metres.get(n, np.inf) for n in v])
        out[key] = np.asarray(legs) + np.minimum(to_u, to_v)
    return out


def _check(case: str, ours: dict, theirs: dict) -> dict:
    worst = 0.0
    for key in COUNTS:
        a, b = ours[key], np.where(np.isinf(theirs[key]), np.nan, theirs[key])
        if not np.array_equal(np.isnan(a), np.isnan(b)):
            i = int(np.flatnonzero(np.isnan(a) != np.isnan(b))[0])
            raise Mismatch(
                f"lifecircle/{case}/{key}: community {i}: atlas {a[i]!r}, "
                f"osmnx + networkx {b[i]!r}."
            )
        both = ~np.isnan(a)
        off = np.abs(a[both] - b[both]) / np.maximum(a[both], 1e-9)
        if (off > _REL).any():
            i = int(np.flatnonzero(both)[np.argmax(off)])
            raise Mismatch(
                f"lifecircle/{case}/{key}: osmnx + networkx differs from atlas for "
                f"{int((off > _REL).sum())} communities, e.g. {i}: atlas {a[i]!r} m, "
                f"osmnx + networkx {b[i]!r} m."
            )
        worst = max(worst, float(off.max()) if off.size else 0.0)
    count = COMMUNITIES * len(COUNTS)
    return {"check": f"metres within {_REL:g} for all {count:,} pairs (max {worst:.1e})"}


def profile_case(city, projects, found, nodes, profile: str, repeat: int) -> dict:
    registry = _registry()

    def fresh() -> None:
        city.graphs.clear()

    timing, ours = measure(
        partial(run_atlas, city, projects, found, registry, profile), repeat, before=fresh
    )
    to_m = pyproj.Transformer.from_crs("EPSG:4326", EPSG, always_xy=True)
    origins_m = np.column_stack(to_m.transform(projects.geometry.x, projects.geometry.y))
    xy = city.nodes[["x", "y"]].to_numpy()
    categories = found.features["category"].to_numpy()
    nodes_xy = {k: xy[nodes[categories == k]] for k in COUNTS}
    reached = {k: float(np.mean(~np.isnan(ours[k]))) for k in COUNTS}
    entry = {
        "case": f"{profile}-{len(city.edges) // 1000}k-edges",
        "size": COMMUNITIES,
        "categories": len(COUNTS),
        "edges": len(city.edges),
        "profile_edges": int(network.profile_edges(city, profile).sum()),
        "median_kindergarten_m": float(np.nanmedian(ours["kindergarten"])),
        "share_measured": min(reached.values()),
        "peers": {ATLAS: peer_result(timing)},
    }
    graph = osmnx_graph(city, profile)
    timing, theirs = measure(partial(run_osmnx, graph, origins_m, nodes_xy), repeat)
    entry["peers"]["osmnx + networkx"] = peer_result(timing, **_check(entry["case"], ours, theirs))
    return entry


def run(*, full: bool, repeat: int, qgis: bool) -> dict:
    city = city_graph()
    projects, found, nodes = scene(city)
    cases = [profile_case(city, projects, found, nodes, p, repeat) for p in lifecircle.PROFILES]
    return {"job": "lifecircle", "title": TITLE, "cases": cases}
