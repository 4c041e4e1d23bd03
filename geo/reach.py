"""
Walking reach along the pedestrian network: nearest destinations, shares, walksheds, routes.

Origins (communities) and destinations (accessible stops, curb ramps, accessible toilets of
:func:`geo.infra.read_infra`) snap the same way: to the nearest node that the profile may use,
by a k-d tree over metric coordinates; one farther than ``max_snap_m`` (100 m) is
``off_network`` and gets no distance. A network distance is the straight leg from the origin
to its node, the shortest path between nodes, and the straight leg from the destination's
node to the destination, so it is never shorter than the straight line.

Shortest paths are ``scipy.sparse.csgraph.dijkstra`` (BSD): one multi-source run per profile
and destination type, from every destination at once (``min_only``), over a CSR matrix of
both directions of each edge plus one virtual source per destination whose edge to its node
weighs the destination's leg. The run's predecessor tree gives each origin's route; sums
along routes (real metres under the blind profile's weighted costs, metres without a tag,
metres with tactile paving) come from pointer jumping over that tree, with no Python loop
per node. Chosen over igraph (GPL), networkx (pure Python, 20x slower) and pandana (AGPL,
minutes of contraction before the first query); ``bench/network.py`` measures them.

Per district (:func:`district_reach`), the share of renovated households within each radius
on foot takes the statuses of :data:`geo.metrics.STATUSES` with their meaning: where the
extract does not cover a district's network, "数据不足", never 0.
"""

from __future__ import annotations

import dataclasses
import functools

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy import sparse
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from geo import metrics
from geo.infra import Infra
from geo.network import PROFILES, Network, edge_weights, profile_edges

__all__ = [
    "COMMUNITY_STATUSES",
    "MAX_SNAP_M",
    "RADII_M",
    "WALKSHED_BUFFER_M",
    "Nearest",
    "community_reach",
    "district_reach",
    "nearest_destinations",
    "route",
    "walkshed",
]

#: A point farther than this from the profile's nearest node is off the network.
MAX_SNAP_M = 100.0
#: Default walking radii (metres along the network).
RADII_M = (300, 500, 1000)
#: Half-width of the band drawn around reachable edges to make a walkshed polygon.
WALKSHED_BUFFER_M = 25.0
_TYPES = metrics.DISTANCE_TYPES
_SLIVER_SHARE = 0.005

#: Status of one community's network distance to one type, per profile.
COMMUNITY_STATUSES: dict[str, str] = {
    "ok": "a route was found; the distance is metres along it",
    "unreachable": "the profile's network joins the community to no such destination (e.g. "
    "only steps lead there): measured, and not within any radius",
    "off_network": "the nearest node the profile may use is farther than max_snap_m",
    "outside_extent": "the point lies outside the extract (or the infrastructure data)",
    "not_in_source": "no destination of this type lies on the network",
    "no_point": "the community has no point",
}


@dataclasses.dataclass
class _Graph:
    """One profile's graph: directed CSR parts, the usable nodes and their k-d tree."""

    rows: np.ndarray
    cols: np.ndarray
    weights: np.ndarray
    keys: np.ndarray  # rows * n + cols, sorted: finds the edge behind each predecessor step
    edge: np.ndarray  # index into network.edges of each directed entry
    usable: np.ndarray
    tree: cKDTree
    n: int


def _profile_graph(network: Network, profile: str) -> _Graph:
    """Both directions of each allowed edge; of parallel edges the cheaper one is kept."""
    cached = network.graphs.get(profile)
    if cached is not None:
        return cached
    allowed = np.flatnonzero(profile_edges(network, profile))
    u = network.edges["u"].to_numpy()[allowed]
    v = network.edges["v"].to_numpy()[allowed]
    weight = edge_weights(network, profile)[allowed]
    n = len(network.nodes)
    rows, cols = np.concatenate([u, v]), np.concatenate([v, u])
    weights, edge = np.concatenate([weight, weight]), np.concatenate([allowed, allowed])
    keys = rows.astype(np.int64) * n + cols
    # Sorted by key then weight: the first of each key is the cheapest of parallel edges
    # (a CSR matrix would add them up instead).
    order = np.lexsort((weights, keys))
    keys = keys[order]
    first = np.r_[True, keys[1:] != keys[:-1]] if keys.size else np.zeros(0, bool)
    order = order[first]
    usable = np.unique(np.concatenate([u, v]))
    xy = network.nodes[["x", "y"]].to_numpy()[usable]
    graph = _Graph(
        rows[order], cols[order], weights[order], keys[first], edge[order], usable, cKDTree(xy), n
    )
    network.graphs[profile] = graph
    return graph


@functools.lru_cache(maxsize=8)
def _transformer(epsg: int) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs("EPSG:4326", epsg, always_xy=True)


def _metric_xy(network: Network, lon, lat) -> np.ndarray:
    # Axis order: lon/lat in, x (east)/y (north) metres out.
    x, y = _transformer(network.epsg).transform(np.asarray(lon, "float64"), np.asarray(lat))
    return np.column_stack([x, y])


def _snap(graph: _Graph, xy: np.ndarray, max_snap_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Node of each point (-1 when off the network or not finite) and its straight leg (m)."""
    node = np.full(len(xy), -1, dtype=np.int64)
    leg = np.full(len(xy), np.nan)
    finite = np.isfinite(xy).all(axis=1)
    if not finite.any() or not len(graph.usable):
        return node, leg
    distance, index = graph.tree.query(xy[finite], k=1)
    leg[finite] = distance
    on = np.flatnonzero(finite)[distance <= max_snap_m]
    node[on] = graph.usable[index[distance <= max_snap_m]]
    return node, leg


@dataclasses.dataclass
class Nearest:
    """
    For each origin: its node and leg, network metres to the nearest destination, which one.

    ``distance_m`` is NaN off the network and ``inf`` where no destination is reachable;
    ``destination`` is the index into the destinations given (-1 when none). ``sums``
    holds metres along each route of edges matching each named edge mask.
    """

    node: np.ndarray
    leg_m: np.ndarray
    distance_m: np.ndarray
    destination: np.ndarray
    sums: dict[str, np.ndarray]
    destinations_on_network: int
    predecessors: np.ndarray
    dest_node: np.ndarray
    dest_leg_m: np.ndarray


def _edge_masks(network: Network, profile: str) -> dict[str, np.ndarray]:
    """Edge masks summed along routes: ``length`` always; tag coverage per profile."""
    edges = network.edges
    masks = {"length": np.ones(len(edges), dtype=bool)}
    if profile == "wheelchair":
        masks["untagged"] = (edges["wheelchair"].isna() & edges["incline"].isna()).to_numpy()
    if profile == "blind":
        masks["untagged"] = edges["tactile_paving"].isna().to_numpy()
        masks["tactile"] = (edges["tactile_paving"] == "yes").to_numpy(dtype=bool)
    return masks


def _path_sums(graph: _Graph, pred: np.ndarray, values: np.ndarray) -> np.ndarray:
    """
    Sum of ``values`` (per directed entry, columns) along each node's path to its root.

    Pointer jumping: each round adds the running sum of the node 2^k steps up and jumps
    there, so a tree of depth d needs log2(d) vectorised rounds.
    """
    size = len(pred)
    step = np.zeros((size, values.shape[1]))
    parent = np.arange(size)
    has = np.flatnonzero(pred >= 0)
    if has.size:
        found = np.searchsorted(graph.keys, pred[has].astype(np.int64) * graph.n + has)
        step[has] = values[found]
        parent[has] = pred[has]
    while True:
        grand = parent[parent]
        step += step[parent] * (parent != np.arange(size))[:, None]
        if np.array_equal(grand, parent):
            return step
        parent = grand


def nearest_destinations(
    network: Network,
    origins: np.ndarray,
    destinations: np.ndarray,
    *,
    profile: str = "walk",
    max_snap_m: float = MAX_SNAP_M,
    sums: bool = True,
) -> Nearest:
    """
    Network distance from each origin to the nearest destination, for one profile.

    ``origins`` and ``destinations`` are (n, 2) arrays of WGS84 lon, lat (NaN rows allowed:
    they get NaN). Both snap to the profile's nodes; destinations off the network are left
    out and counted. With ``sums``, metres of each route along the masks of the profile
    (tag coverage, tactile paving) are summed too.
    """
    graph = _profile_graph(network, profile)
    origin_node, origin_leg = _snap(graph, _metric_xy(network, *origins.T), max_snap_m)
    dest_node, dest_leg = _snap(graph, _metric_xy(network, *destinations.T), max_snap_m)
    placed = np.flatnonzero(dest_node >= 0)
    n, d = graph.n, placed.size
    distance = np.where(origin_node >= 0, np.inf, np.nan)
    which = np.full(len(origins), -1, dtype=np.int64)
    out = {k: np.full(len(origins), np.nan) for k in _edge_masks(network, profile)}
    if d == 0:
        out.pop("length")
        empty = np.zeros(0, dtype=np.int64)
        return Nearest(origin_node, origin_leg, distance, which, out, 0, empty, dest_node, dest_leg)
    # Virtual sources n..n+d-1, one per destination, joined to its node by its leg.
    rows = np.concatenate([graph.rows, n + np.arange(d)])
    cols = np.concatenate([graph.cols, dest_node[placed]])
    weights = np.concatenate([graph.weights, dest_leg[placed]])
    matrix = sparse.csr_matrix((weights, (rows, cols)), shape=(n + d, n + d))
    cost, pred, source = dijkstra(
        matrix, directed=True, indices=np.arange(n, n + d), min_only=True, return_predecessors=True
    )
    on = origin_node >= 0
    reached = on & np.isfinite(cost[np.maximum(origin_node, 0)])
    nodes = origin_node[reached]
    which[reached] = placed[source[nodes] - n]
    masks = _edge_masks(network, profile)
    length = network.edges["length_m"].to_numpy("float64")
    if sums or profile == "blind":
        keys = list(masks) if sums else ["length"]
        values = np.column_stack([np.where(masks[k], length, 0.0)[graph.edge] for k in keys])
        # A node whose predecessor is a virtual source is a root here; its destination's
        # leg is added after (the virtual entries are not in graph.keys).
        summed = _path_sums(graph, np.where(pred >= n, -9999, pred), values)
        leg_end = _dest_leg_of(pred, source, n, dest_leg, placed)
        for i, key in enumerate(keys):
            out[key][reached] = summed[nodes, i]
        true_path = summed[:, 0] + leg_end
    else:
        true_path = cost
    distance[reached] = origin_leg[reached] + true_path[nodes]
    out.pop("length", None)
    return Nearest(origin_node, origin_leg, distance, which, out, d, pred, dest_node, dest_leg)


def _dest_leg_of(pred, source, n, dest_leg, placed) -> np.ndarray:
    """The leg of each node's nearest destination (0 for unreached nodes)."""
    leg = np.zeros(len(pred))
    reached = source >= n
    leg[reached] = dest_leg[placed[source[reached] - n]]
    return leg
