"""
Network distances computed the plain way, sharing no code with geo.reach or geo.snapping.

Each point joins the nearest edge the profile may use, found by projecting it onto every
edge with numpy (no R-tree, no shapely); the edge is split at the snapped points into a
networkx graph, and networkx's multi-source Dijkstra walks it. Used by the tests that check
geo.reach and geo.lifecircle against an independent computation on real extracts.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import numpy as np
import pytest

from geo import network


def _project(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> list[tuple[int, float, float]]:
    """(edge, position 0..1 from a, distance) of each point's nearest segment a→b."""
    ab = b - a
    squared = np.einsum("ij,ij->i", ab, ab)
    out = []
    for point in points:
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(squared > 0, np.einsum("ij,ij->i", point - a, ab) / squared, 0.0)
        t = np.clip(t, 0.0, 1.0)
        gap = np.hypot(*(a + ab * t[:, None] - point).T)
        k = int(np.argmin(gap))
        out.append((k, float(t[k]), float(gap[k])))
    return out


def edge_snap_distances(
    built: network.Network,
    profile: str,
    origins_m: np.ndarray,
    dests_m: np.ndarray,
    max_snap_m: float,
) -> np.ndarray:
    """
    Metres from each origin to its nearest destination (metric x, y arrays).

    NaN where the origin lies farther than ``max_snap_m`` from every edge the profile may
    use, ``inf`` where no destination is reachable. Routes are chosen by the profile's edge
    weights (the blind profile's preference) and measured in metres.
    """
    nx = pytest.importorskip("networkx")
    allowed = np.flatnonzero(network.profile_edges(built, profile))
    u = built.edges["u"].to_numpy()[allowed]
    v = built.edges["v"].to_numpy()[allowed]
    metres = built.edges["length_m"].to_numpy()[allowed]
    per_metre = network.edge_weights(built, profile)[allowed] / np.where(metres > 0, metres, 1)
    xy = built.nodes[["x", "y"]].to_numpy()
    splits: dict[int, list] = defaultdict(list)
    legs = {}
    for kind, points in (("o", origins_m), ("d", dests_m)):
        for i, (k, t, gap) in enumerate(_project(points, xy[u], xy[v])):
            if gap <= max_snap_m:
                splits[k].append((t, (kind, i)))
                legs[(kind, i)] = gap
    graph = nx.Graph()

    def join(a, b, length: float, per: float) -> None:
        if not graph.has_edge(a, b) or graph[a][b]["weight"] > length * per:
            graph.add_edge(a, b, weight=length * per, metres=length)

    for k in range(len(allowed)):
        chain = [(0.0, int(u[k])), *sorted(splits.get(k, [])), (1.0, int(v[k]))]
        for (t0, a), (t1, b) in itertools.pairwise(chain):
            join(a, b, (t1 - t0) * metres[k], per_metre[k])
    for point, gap in legs.items():
        join(("at", *point), point, gap, 1.0)
    sources = [("at", "d", j) for j in range(len(dests_m)) if ("d", j) in legs]
    out = np.full(len(origins_m), np.nan)
    _, paths = nx.multi_source_dijkstra(graph, sources, weight="weight") if sources else ({}, {})
    for i in range(len(origins_m)):
        if ("o", i) not in legs:
            continue
        path = paths.get(("at", "o", i))
        out[i] = (
            np.inf
            if path is None
            else sum(graph[a][b]["metres"] for a, b in itertools.pairwise(path))
        )
    return out
