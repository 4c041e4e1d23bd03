"""
Walking reach along the pedestrian network: nearest destinations, shares, walksheds, routes.

Origins (communities) and destinations (accessible stops, curb ramps, accessible toilets of
:func:`geo.infra.read_infra`) snap the same way: to the nearest point on a street the profile
may use (:mod:`geo.snapping`; ``snap="node"`` takes the nearest node instead, by a k-d tree);
one farther than ``max_snap_m`` (100 m) is ``off_network`` and gets no distance. A network
distance is the straight leg from the origin to its snapped point, the metres along the
network to the destination's snapped point (out by either end of the origin's edge, or along
that edge itself when both lie on it) and the straight leg from there to the destination, so
it is never shorter than the straight line.

Shortest paths are ``scipy.sparse.csgraph.dijkstra`` (BSD): one multi-source run per profile
and destination type, from every destination at once (``min_only``), over a CSR matrix of
both directions of each edge plus one virtual source per destination whose edge to its node
weighs the destination's leg. The run's predecessor tree gives each origin's route; sums
along routes (real metres under the blind profile's weighted costs, metres without a tag,
metres with tactile paving) come from pointer jumping over that tree, with no Python loop
per node. Measured (2 shared cores) on the 217k-edge synthetic city of ``bench/network.py``,
graph build and multi-source query from 5k destinations: csgraph 0.03 s, igraph (GPL)
0.41 s, networkx 1.5 s; end to end for 100k origins, this module 0.12-0.16 s, OSMnx +
networkx 2.9-5.6 s, pandana (AGPL) 10.7-11.4 s after a 314-397 s contraction hierarchy.

Per district (:func:`district_reach`), the share of renovated households within each radius
on foot takes the statuses of :data:`geo.coverage.STATUSES` with their meaning: where the
extract does not cover a district's network, "数据不足", never 0.
"""

from __future__ import annotations

import dataclasses
from typing import TypeAlias, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy import sparse
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from geo import coverage
from geo.infra import Infra
from geo.network import Network, edge_weights, profile_edges, transformer
from geo.snapping import Snapped, snap_to_edges, snap_to_nodes

__all__ = [
    "COMMUNITY_STATUSES",
    "MAX_SNAP_M",
    "SNAP_TO",
    "WALKSHED_BUFFER_M",
    "Nearest",
    "Origin",
    "Reach",
    "Within",
    "community_reach",
    "district_reach",
    "measure",
    "nearest_destinations",
    "route",
    "snap_points",
    "walkshed",
    "within",
]

#: A point farther than this from the profile's nearest street is off the network.
MAX_SNAP_M = 100.0
#: How a point joins the network: at the nearest point on a street, or at the nearest node.
SNAP_TO = ("edge", "node")
#: Half-width of the band drawn around reachable edges to make a walkshed polygon.
WALKSHED_BUFFER_M = 25.0
_TYPES = coverage.DISTANCE_TYPES
_SLIVER_SHARE = 0.005
#: Where a walkshed or a route starts: a Point, or (lon, lat) in WGS84.
Origin: TypeAlias = "shapely.Point | tuple[float, float]"
#: One geometry or an array of them: :func:`shapely.transform` gives back what it is given.
_G = TypeVar("_G", shapely.Geometry, np.ndarray)

#: Status of one community's network distance to one type, per profile.
COMMUNITY_STATUSES: dict[str, str] = {
    "ok": "a route was found; the distance is metres along it",
    "unreachable": "the profile's network joins the community to no such destination (only "
    "steps lead there, or none lies within max_snap_m of a street the profile may use): "
    "measured, and not within any radius",
    "off_network": "the nearest street the profile may use is farther than max_snap_m",
    "outside_extent": "the point lies outside the extract (or the infrastructure data)",
    "not_in_source": "the infrastructure data has no destination of this type",
    "no_point": "the community has no point",
}


@dataclasses.dataclass
class _Graph:
    """One profile's graph: directed CSR parts, the usable nodes (and their k-d tree)."""

    rows: np.ndarray
    cols: np.ndarray
    weights: np.ndarray
    keys: np.ndarray  # rows * n + cols, sorted: finds the edge behind each predecessor step
    edge: np.ndarray  # index into network.edges of each directed entry
    usable: np.ndarray
    n: int
    #: A k-d tree of the usable nodes, built when first asked (only node snapping needs it).
    tree: cKDTree | None = None


def _profile_graph(network: Network, profile: str) -> _Graph:
    """Both directions of each allowed edge; of parallel edges the cheaper one is kept."""
    cached = network.graphs.get(profile)
    if cached is not None:
        return cached
    allowed = np.flatnonzero(profile_edges(network, profile))
    u = network.edges["u"].to_numpy()[allowed]
    v = network.edges["v"].to_numpy()[allowed]
    weight = edge_weights(network, profile)[allowed]
    if not (np.isfinite(weight) & (weight >= 0)).all():
        # Dijkstra is only defined for such lengths; a negative one grew scipy to 17 GB.
        raise ValueError(
            f"Expected edge lengths that are finite and not negative; {network.source!r} has "
            f"{int((~np.isfinite(weight) | (weight < 0)).sum()):,} others. Build the network "
            "again from its OSM extract."
        )
    n = len(network.nodes)
    rows, cols = np.concatenate([u, v]), np.concatenate([v, u])
    weights, edge = np.concatenate([weight, weight]), np.concatenate([allowed, allowed])
    keys = rows.astype(np.int64) * n + cols
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    repeated = np.flatnonzero(keys[1:] == keys[:-1])
    if repeated.size:
        # Parallel edges (two ways sharing two nodes): a CSR matrix would add their lengths,
        # so each pair keeps its cheapest, found by sorting only the repeated pairs by cost.
        group = np.unique(np.concatenate([repeated, repeated + 1]))
        ranked = group[np.lexsort((weights[order[group]], keys[group]))]
        order[group] = order[ranked]
    first = np.r_[True, keys[1:] != keys[:-1]] if keys.size else np.zeros(0, bool)
    order = order[first]
    used = np.zeros(n, dtype=bool)
    used[u] = used[v] = True
    usable = np.flatnonzero(used)
    graph = _Graph(rows[order], cols[order], weights[order], keys[first], edge[order], usable, n)
    network.graphs[profile] = graph
    return graph


def _metric_xy(network: Network, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    # Axis order: lon/lat in, x (east)/y (north) metres out.
    x, y = transformer(network.epsg).transform(np.asarray(lon, "float64"), np.asarray(lat))
    return np.column_stack([x, y])


def _snap(
    network: Network, graph: _Graph, xy: np.ndarray, max_snap_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Node of each point (-1 when off the network or not finite) and its straight leg (m)."""
    node = np.full(len(xy), -1, dtype=np.int64)
    leg = np.full(len(xy), np.nan)
    finite = np.isfinite(xy).all(axis=1)
    if not finite.any() or not len(graph.usable):
        return node, leg
    if graph.tree is None:
        # An unbalanced tree builds in half the time and answers nearest queries as fast.
        nodes_xy = network.nodes[["x", "y"]].to_numpy()[graph.usable]
        graph.tree = cKDTree(nodes_xy, balanced_tree=False, compact_nodes=False)
    distance, index = graph.tree.query(xy[finite], k=1, workers=-1)
    leg[finite] = distance
    on = np.flatnonzero(finite)[distance <= max_snap_m]
    node[on] = graph.usable[index[distance <= max_snap_m]]
    return node, leg


def snap_points(
    network: Network,
    lonlat: np.ndarray,
    *,
    profile: str = "walk",
    max_snap_m: float = MAX_SNAP_M,
    snap: str = "edge",
) -> Snapped:
    """
    Where WGS84 points (n, 2: lon, lat) join the profile's network (:class:`Snapped`).

    ``snap="edge"`` (the default) takes the nearest point on a street
    (:func:`geo.snapping.snap_to_edges`); ``"node"`` the nearest graph node, as OSMnx's
    ``nearest_nodes`` does. Farther than ``max_snap_m``: off the network.
    """
    xy = _metric_xy(network, *np.asarray(lonlat, "float64").reshape(-1, 2).T)
    if snap == "edge":
        return snap_to_edges(network, xy, profile=profile, max_snap_m=max_snap_m)
    if snap != "node":
        raise ValueError(f"Expected snap to be one of {SNAP_TO}; got {snap!r}.")
    node, leg = _snap(network, _profile_graph(network, profile), xy, max_snap_m)
    return snap_to_nodes(network, xy, node, leg)


@dataclasses.dataclass
class Nearest:
    """
    For each origin: where it joined, network metres to the nearest destination, which one.

    ``distance_m`` is the origin's leg, ``path_m`` (along the network between the two snapped
    points) and the destination's leg; it is NaN off the network and ``inf`` where no
    destination is reachable; ``destination`` is the index into the destinations given (-1
    when none). ``node`` is the graph node the route leaves the origin's edge by (-1 off the
    network), ``direct`` marks routes that run along one edge from the origin's snapped point
    to the destination's, never through a node. ``sums`` holds metres along each route of
    edges matching each named edge mask.
    """

    node: np.ndarray
    leg_m: np.ndarray
    distance_m: np.ndarray
    path_m: np.ndarray
    destination: np.ndarray
    sums: dict[str, np.ndarray]
    destinations_on_network: int
    predecessors: np.ndarray
    origins: Snapped
    destinations: Snapped
    direct: np.ndarray


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


def _path_sums(
    graph: _Graph, pred: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """
    Sum of ``values`` (per directed entry, columns) along each node's path to its root.

    Pointer jumping: each round adds the running sum of the node 2^k steps up and jumps
    there, so a tree of depth d needs log2(d) vectorised rounds. Returns the sums and each
    node's root.
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
            return step, parent
        parent = grand


def _per_metre(network: Network, profile: str, edge: np.ndarray) -> np.ndarray:
    """Route-choice cost of one metre along each ``edge`` (1 but off tactile paving, blind)."""
    if profile != "blind" or not len(edge):
        return np.ones(len(edge))
    length = network.edges["length_m"].to_numpy("float64")
    cost = edge_weights(network, profile)
    at = np.maximum(edge, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        per = np.where(length[at] > 0, cost[at] / length[at], 1.0)
    return np.where(edge >= 0, per, 1.0)


def _from_destinations(
    graph: _Graph, dests: Snapped, per_metre: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One Dijkstra from every destination at once: cost, predecessor and source per node."""
    n, d = graph.n, len(dests.u)
    # Virtual sources n..n+d-1, one per destination, joined to both ends of its edge by its
    # leg and the piece of edge to that end (once, to its node, when snapped to a node).
    source = n + np.arange(d)
    second = dests.v != dests.u
    rows = np.concatenate([graph.rows, source, source[second]])
    cols = np.concatenate([graph.cols, dests.u, dests.v[second]])
    to_u = dests.leg_m + dests.to_u_m * per_metre
    to_v = (dests.leg_m + dests.to_v_m * per_metre)[second]
    weights = np.concatenate([graph.weights, to_u, to_v])
    matrix = sparse.csr_matrix((weights, (rows, cols)), shape=(n + d, n + d))
    return dijkstra(matrix, directed=True, indices=source, min_only=True, return_predecessors=True)


def _along_one_edge(
    origins: Snapped, dests: Snapped, on: np.ndarray, per_metre: np.ndarray
) -> pd.DataFrame:
    """
    For origins sharing an edge with a destination: the nearest such one along that edge.

    Columns ``origin``, ``destination`` (index into ``dests``) and ``along_m`` (metres along
    the edge between the two snapped points). Snaps to nodes share no edge.
    """
    mine = pd.DataFrame(
        {"origin": np.flatnonzero(on), "edge": origins.edge[on], "at": origins.to_u_m[on]}
    )
    theirs = pd.DataFrame(
        {"destination": np.arange(len(dests.edge)), "edge": dests.edge, "to": dests.to_u_m}
    )
    pairs = mine[mine["edge"] >= 0].merge(theirs[theirs["edge"] >= 0], on="edge")
    if pairs.empty:
        return pd.DataFrame({"origin": [], "destination": [], "along_m": []})
    pairs["along_m"] = (pairs["at"] - pairs["to"]).abs()
    per = per_metre[pairs["origin"].to_numpy()]
    pairs["cost"] = pairs["along_m"] * per + dests.leg_m[pairs["destination"].to_numpy()]
    best = pairs.loc[pairs.groupby("origin")["cost"].idxmin()]
    return best[["origin", "destination", "along_m"]].reset_index(drop=True)


def nearest_destinations(
    network: Network,
    origins: np.ndarray | Snapped,
    destinations: np.ndarray,
    *,
    profile: str = "walk",
    max_snap_m: float = MAX_SNAP_M,
    sums: bool = True,
    snap: str = "edge",
) -> Nearest:
    """
    Network distance from each origin to the nearest destination, for one profile.

    ``origins`` and ``destinations`` are (n, 2) arrays of WGS84 lon, lat (NaN rows allowed:
    they get NaN); ``origins`` may also be :func:`snap_points` of them, to snap once for
    several destination sets. Both snap to the profile's streets (``snap="node"``: to its
    nodes); destinations off the network are left out and counted. With ``sums``, metres of
    each route along the masks of the profile (tag coverage, tactile paving) are summed too.
    """
    graph = _profile_graph(network, profile)
    if isinstance(origins, Snapped):
        start = origins
    else:
        start = snap_points(network, origins, profile=profile, max_snap_m=max_snap_m, snap=snap)
    ends = snap_points(network, destinations, profile=profile, max_snap_m=max_snap_m, snap=snap)
    placed = np.flatnonzero(ends.on)
    count, d = len(start.u), placed.size
    found = Nearest(
        node=np.where(start.on, start.u, -1),
        leg_m=start.leg_m,
        distance_m=np.where(start.on, np.inf, np.nan),
        path_m=np.full(count, np.nan),
        destination=np.full(count, -1, dtype=np.int64),
        sums={k: np.full(count, np.nan) for k in _edge_masks(network, profile) if k != "length"},
        destinations_on_network=d,
        predecessors=np.zeros(0, dtype=np.int64),
        origins=start,
        destinations=ends,
        direct=np.zeros(count, dtype=bool),
    )
    if d == 0:
        return found
    dests = ends.subset(placed)
    cost, found.predecessors, source = _from_destinations(
        graph, dests, _per_metre(network, profile, dests.edge)
    )
    costs = _through_nodes(network, graph, found, dests, placed, (cost, source), profile, sums)
    _along_edges(network, found, dests, placed, costs, profile)
    return found


def _through_nodes(
    network: Network,
    graph: _Graph,
    found: Nearest,
    dests: Snapped,
    placed: np.ndarray,
    run: tuple[np.ndarray, np.ndarray],
    profile: str,
    sums: bool,
) -> np.ndarray:
    """
    Fill ``found`` for routes that leave the origin's edge by its cheaper end.

    Returns each route's cost from the origin's snapped point (``inf`` where none).
    """
    cost, source = run
    start, n = found.origins, graph.n
    per = _per_metre(network, profile, start.edge)
    on = start.on
    at_u = np.where(on, cost[np.maximum(start.u, 0)] + start.to_u_m * per, np.inf)
    at_v = np.where(on, cost[np.maximum(start.v, 0)] + start.to_v_m * per, np.inf)
    by_v = at_v < at_u
    end = np.where(by_v, start.v, start.u)
    piece = np.where(by_v, start.to_v_m, start.to_u_m)
    reached = on & np.isfinite(np.minimum(at_u, at_v))
    nodes, pieces = end[reached], piece[reached]
    found.node[on] = end[on]
    which = source[nodes] - n
    found.destination[reached] = placed[which]
    masks = _edge_masks(network, profile)
    length = network.edges["length_m"].to_numpy("float64")
    # Costs are metres unless blind: with no tag to sum, the tree need not be walked.
    if (sums and len(masks) > 1) or profile == "blind":
        keys = list(masks) if sums else ["length"]
        values = np.column_stack([np.where(masks[k], length, 0.0)[graph.edge] for k in keys])
        # A node whose predecessor is a virtual source is a root here; the destination's leg
        # and piece of edge are added after (the virtual entries are not in graph.keys).
        pred = found.predecessors
        summed, root = _path_sums(graph, np.where(pred >= n, -9999, pred), values)
        by_u = root[nodes] == dests.u[which]
        far_piece = np.where(by_u, dests.to_u_m[which], dests.to_v_m[which])
        for i, key in enumerate(keys):
            ends = _on_edge(masks[key], start.edge[reached]) * pieces
            ends += _on_edge(masks[key], dests.edge[which]) * far_piece
            if key != "length":
                found.sums[key][reached] = summed[nodes, i] + ends
        found.path_m[reached] = summed[nodes, 0] + pieces + far_piece
    else:
        found.path_m[reached] = pieces + cost[nodes] - dests.leg_m[which]
    found.distance_m[reached] = start.leg_m[reached] + found.path_m[reached] + dests.leg_m[which]
    return np.minimum(at_u, at_v)


def _on_edge(mask: np.ndarray, edge: np.ndarray) -> np.ndarray:
    """``mask`` of each edge as 0/1, 0 where there is no edge (a snap to a node)."""
    return np.where(edge >= 0, mask[np.maximum(edge, 0)], False).astype("float64")


def _along_edges(
    network: Network,
    found: Nearest,
    dests: Snapped,
    placed: np.ndarray,
    costs: np.ndarray,
    profile: str,
) -> None:
    """Where the origin's own edge leads to a destination more cheaply, take that instead."""
    start = found.origins
    pairs = _along_one_edge(start, dests, start.on, _per_metre(network, profile, start.edge))
    if pairs.empty:
        return
    origin = pairs["origin"].to_numpy(dtype=np.int64)
    which = pairs["destination"].to_numpy(dtype=np.int64)
    along = pairs["along_m"].to_numpy("float64")
    edge = start.edge[origin]
    per = _per_metre(network, profile, edge)
    # Compared as route costs (metres, but for the blind profile's weighting).
    better = along * per + dests.leg_m[which] < costs[origin]
    origin, which, along, edge = origin[better], which[better], along[better], edge[better]
    found.direct[origin] = True
    found.destination[origin] = placed[which]
    found.path_m[origin] = along
    found.distance_m[origin] = start.leg_m[origin] + along + dests.leg_m[which]
    masks = _edge_masks(network, profile)
    for key in found.sums:
        found.sums[key][origin] = _on_edge(masks[key], edge) * along


@dataclasses.dataclass
class Within:
    """
    Every (origin, destination) pair no more than ``limit_m`` apart on foot, as three arrays.

    ``origin`` and ``destination`` index the points given; ``metres`` is the origin's leg,
    the path between the two nodes and the destination's leg, as in :class:`Nearest`.
    ``origin_node``/``destination_node`` are -1 for a point off the network (it has no pair).
    """

    origin: np.ndarray
    destination: np.ndarray
    metres: np.ndarray
    origin_node: np.ndarray
    destination_node: np.ndarray


#: Distances held at once while :func:`within` runs (sources × graph nodes, float64).
_WITHIN_CELLS = 8_000_000


def within(
    network: Network,
    origins: np.ndarray,
    destinations: np.ndarray,
    *,
    limit_m: float,
    profile: str = "walk",
    max_snap_m: float = MAX_SNAP_M,
) -> Within:
    """
    The pairs of origins and destinations within ``limit_m`` metres along the network.

    Points snap as in :func:`nearest_destinations` (same k-d tree, same ``max_snap_m``).
    One Dijkstra per distinct destination node, bounded by ``limit_m`` (scipy stops there),
    in batches whose dense rows stay under :data:`_WITHIN_CELLS` values; only the origins'
    nodes are read from each row. Profiles whose cost is not metres (``blind``) are refused:
    a limit in metres means nothing on weighted costs.
    """
    if not np.array_equal(edge_weights(network, profile), network.edges["length_m"].to_numpy()):
        raise ValueError(
            f"Expected a profile measured in metres (walk, wheelchair); got {profile!r}."
        )
    graph = _profile_graph(network, profile)
    origin_node, origin_leg = _snap(network, graph, _metric_xy(network, *origins.T), max_snap_m)
    dest_node, dest_leg = _snap(network, graph, _metric_xy(network, *destinations.T), max_snap_m)
    on_origin = np.flatnonzero(origin_node >= 0)
    on_dest = np.flatnonzero(dest_node >= 0)
    empty = np.zeros(0, dtype=np.int64)
    pairs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = [(empty, empty, np.zeros(0))]
    if on_origin.size and on_dest.size:
        matrix = sparse.csr_matrix(
            (graph.weights, (graph.rows, graph.cols)), shape=(graph.n, graph.n)
        )
        targets, target_of = np.unique(origin_node[on_origin], return_inverse=True)
        sources, source_of = np.unique(dest_node[on_dest], return_inverse=True)
        # Destinations grouped by their node: one Dijkstra serves every one on it.
        by_source = np.argsort(source_of, kind="stable")
        starts = np.searchsorted(source_of[by_source], np.arange(len(sources) + 1))
        step = max(1, _WITHIN_CELLS // max(graph.n, 1))
        for first in range(0, len(sources), step):
            batch = sources[first : first + step]
            cost = dijkstra(matrix, directed=True, indices=batch, limit=float(limit_m))
            pairs.append(
                _batch_pairs(
                    cost[:, targets], first, starts, by_source, on_dest, dest_leg,
                    on_origin, target_of, origin_leg, float(limit_m),
                )
            )  # fmt: skip
    origin, destination, metres = (np.concatenate(p) for p in zip(*pairs, strict=True))
    order = np.lexsort((destination, origin))
    return Within(origin[order], destination[order], metres[order], origin_node, dest_node)


def _batch_pairs(
    cost: np.ndarray,
    first: int,
    starts: np.ndarray,
    by_source: np.ndarray,
    on_dest: np.ndarray,
    dest_leg: np.ndarray,
    on_origin: np.ndarray,
    target_of: np.ndarray,
    origin_leg: np.ndarray,
    limit: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of one batch: each reached (source node, origin node) spread to their points."""
    src, tgt = np.nonzero(np.isfinite(cost))
    if not src.size:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    path = cost[src, tgt]
    # Node pairs → destination points on the source node (a node may carry several).
    counts = starts[first + src + 1] - starts[first + src]
    node_pair = np.repeat(np.arange(src.size), counts)
    offsets = np.arange(node_pair.size) - np.repeat(np.cumsum(counts) - counts, counts)
    dest = on_dest[by_source[starts[first + src[node_pair]] + offsets]]
    # … and to the origin points on the target node, through a sort of the origins by node.
    by_target = np.argsort(target_of, kind="stable")
    tstarts = np.searchsorted(target_of[by_target], np.arange(cost.shape[1] + 1))
    tcounts = tstarts[tgt[node_pair] + 1] - tstarts[tgt[node_pair]]
    pair = np.repeat(np.arange(node_pair.size), tcounts)
    toffsets = np.arange(pair.size) - np.repeat(np.cumsum(tcounts) - tcounts, tcounts)
    origin = on_origin[by_target[tstarts[tgt[node_pair[pair]]] + toffsets]]
    metres = origin_leg[origin] + path[node_pair[pair]] + dest_leg[dest[pair]]
    keep = metres <= limit
    return origin[keep], dest[pair][keep], metres[keep]


# --- communities and districts -----------------------------------------------------------------


def _destinations(infra: Infra, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat (n, 2) of the point features of ``kind``, and their ``source_id``."""
    features = infra.features
    geometry = features.geometry.to_numpy()
    chosen = (features["type"] == kind).to_numpy(dtype=bool, na_value=False) & (
        shapely.get_type_id(geometry) == shapely.GeometryType.POINT
    )
    xy = shapely.get_coordinates(geometry[chosen])
    return xy, features["source_id"].to_numpy(dtype=object)[chosen]


def _covered(network: Network, infra: Infra | None) -> shapely.Geometry | None:
    """Where both the extract's network and the infrastructure data say something."""
    extent = network.extent()
    if extent is None or infra is None:
        return extent
    if infra.extent is None:
        return None
    return shapely.intersection(extent, infra.extent)


def _origins(
    projects: gpd.GeoDataFrame, extent: shapely.Geometry | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lon/lat of each project (NaN where it has no point or lies outside ``extent``)."""
    points = projects.geometry.to_numpy()
    has_point = (
        ~shapely.is_missing(points)
        & ~shapely.is_empty(points)
        & (shapely.get_type_id(points) == shapely.GeometryType.POINT)
    )
    lon = np.where(has_point, shapely.get_x(np.where(has_point, points, None)), np.nan)
    lat = np.where(has_point, shapely.get_y(np.where(has_point, points, None)), np.nan)
    inside = np.zeros(len(points), dtype=bool)
    if extent is not None and has_point.any():
        shapely.prepare(extent)
        inside[has_point] = shapely.intersects_xy(extent, lon[has_point], lat[has_point])
    xy = np.column_stack([np.where(inside, lon, np.nan), np.where(inside, lat, np.nan)])
    return xy, has_point, inside


def community_reach(
    projects: gpd.GeoDataFrame,
    infra: Infra,
    network: Network,
    *,
    profiles: tuple[str, ...] = ("walk", "wheelchair"),
    types: tuple[str, ...] = _TYPES,
    max_snap_m: float = MAX_SNAP_M,
) -> gpd.GeoDataFrame:
    """
    Per community: network metres to the nearest destination of each type, per profile.

    Adds to ``projects`` (every row kept, same order, EPSG:4326): ``dist_<type>_m`` (straight
    line, :func:`geo.coverage.project_proximity`), and per profile ``<profile>_snap_m`` and per
    type ``<profile>_<type>_m``, ``_status`` (:data:`COMMUNITY_STATUSES`), ``_to`` (the
    destination's ``source_id``) and ``_untagged_share`` (share of the route between nodes
    with none of the tags the profile reads; missing for ``walk``, which reads none), plus
    ``_tactile_share`` for ``blind``. A distance is missing unless the status is ``ok``.
    """
    extent = _covered(network, infra)
    origins, has_point, inside = _origins(projects, extent)
    out = projects.copy()
    straight = coverage.project_proximity(projects, infra, types=types)
    for column in straight.columns:
        out[column] = straight[column].to_numpy()
    base = np.where(has_point, np.where(inside, "ok", "outside_extent"), "no_point")
    for profile in profiles:
        for i, kind in enumerate(types):
            xy, ids = _destinations(infra, kind)
            found = nearest_destinations(
                network, origins, xy, profile=profile, max_snap_m=max_snap_m
            )
            if i == 0:
                out[f"{profile}_snap_m"] = np.where(inside, found.leg_m, np.nan)
            _community_columns(out, f"{profile}_{kind}", found, base, ids)
    return out


def _community_columns(
    out: pd.DataFrame, prefix: str, found: Nearest, base: np.ndarray, ids: np.ndarray
) -> None:
    distance = found.distance_m
    status = np.select(
        [
            base != "ok",
            found.node < 0,
            np.full(len(base), len(ids) == 0),
            np.isinf(distance) | (found.destinations_on_network == 0),
        ],
        [base, "off_network", "not_in_source", "unreachable"],
        default="ok",
    ).astype(object)
    ok = status == "ok"
    out[f"{prefix}_m"] = np.where(ok, distance, np.nan)
    out[f"{prefix}_status"] = status
    out[f"{prefix}_to"] = np.where(
        ok, ids[np.maximum(found.destination, 0)] if len(ids) else None, None
    )
    path = found.path_m
    for key, metres in found.sums.items():
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(ok & (metres <= path) & (path > 0), metres / path, np.nan)
        out[f"{prefix}_{key}_share"] = share


def _district_of(outlines: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Index of the first outline containing each point, or -1 (points without one too)."""
    found = np.full(len(points), -1, dtype=np.int64)
    present = ~shapely.is_missing(points)
    if not present.any() or not len(outlines):
        return found
    rows = np.flatnonzero(present)
    polys, hits = shapely.STRtree(points[rows]).query(outlines, predicate="intersects")
    order = np.lexsort((polys, hits))
    hits, polys = hits[order], polys[order]
    first = np.r_[True, hits[1:] != hits[:-1]] if hits.size else np.zeros(0, bool)
    found[rows[hits[first]]] = polys[first]
    return found


def _extent_shares(outlines: np.ndarray, extent: shapely.Geometry | None, epsg: int) -> np.ndarray:
    """Share of each outline's area inside ``extent``, in the network's metric CRS."""
    if extent is None or not len(outlines):
        return np.zeros(len(outlines))
    to_m = transformer(epsg)

    def metric(geometry: _G) -> _G:
        return shapely.transform(geometry, lambda xy: np.column_stack(to_m.transform(*xy.T)))

    # Reprojecting can fold a valid ring onto itself (a survey's extent cut by the network's
    # hull): GEOS then refuses the intersection, so both are made valid in metres.
    outlines_m, extent_m = shapely.make_valid(metric(outlines)), shapely.make_valid(metric(extent))
    area = shapely.area(outlines_m)
    inside = shapely.area(shapely.intersection(outlines_m, extent_m))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(area > 0, inside / area, 0.0)


def _district_status(
    with_point: np.ndarray,
    with_households: np.ndarray,
    absent: bool,
    covered: np.ndarray,
    missed: np.ndarray,
    share: np.ndarray,
    min_share: float,
) -> np.ndarray:
    """Statuses of :data:`geo.coverage.STATUSES`, the first that applies, per district."""
    return np.select(
        [
            with_point == 0,
            with_households == 0,
            np.full(len(share), absent),
            (covered == 0) | (share <= _SLIVER_SHARE),
            (missed > 0) | (share < min_share),
        ],
        ["no_projects", "no_households", "not_in_source", "outside_extent", "partial_extent"],
        default="ok",
    ).astype(object)


def district_reach(
    communities: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    network: Network,
    infra: Infra | None = None,
    profiles: tuple[str, ...] = ("walk", "wheelchair"),
    types: tuple[str, ...] = _TYPES,
    radii: tuple[int, ...] = coverage.RADII_M,
    min_extent_share: float = coverage.MIN_EXTENT_SHARE,
) -> gpd.GeoDataFrame:
    """
    Per district: share of renovated households within each radius on foot, per profile.

    ``communities`` is :func:`community_reach`'s output (with ``households``); ``districts``
    has ``adcode`` and full outlines in EPSG:4326. Column
    ``households_within_<r>m_<type>_<profile>`` and its ``_status`` from
    :data:`geo.coverage.STATUSES`: a community that could not be measured (off the network,
    outside the extract) makes the district ``partial_extent``, none measured
    ``outside_extent``, and so does a district less than ``min_extent_share`` inside the
    extract; the value is then missing or a lower bound, never 0 for "no data". An
    ``unreachable`` community is measured: it is not within any radius. One row per
    district in input order, EPSG:4326.
    """
    outlines = districts.geometry.to_numpy()
    share = _extent_shares(outlines, _covered(network, infra), network.epsg)
    district = _district_of(outlines, communities.geometry.to_numpy())
    households = pd.to_numeric(communities["households"], errors="coerce").to_numpy("float64")
    placed = district >= 0
    known = placed & ~np.isnan(households)
    n = len(districts)
    out = pd.DataFrame({"adcode": districts["adcode"].to_numpy(), "extent_share": share})
    for column in ("district", "city", "province"):
        if column in districts:
            out[column] = districts[column].to_numpy()
    with_point = np.bincount(district[placed], minlength=n)
    with_households = np.bincount(district[known], minlength=n)
    out["projects_with_point"] = with_point
    out["households_total"] = np.bincount(district[known], weights=households[known], minlength=n)
    for profile in profiles:
        for kind in types:
            prefix = f"{profile}_{kind}"
            status = communities[f"{prefix}_status"].to_numpy(dtype=object)
            measured = known & np.isin(status, ("ok", "unreachable"))
            covered = np.bincount(district[measured], weights=households[measured], minlength=n)
            missed = np.bincount(district[known & ~measured], minlength=n)
            absent = bool((status == "not_in_source").any())
            verdict = _district_status(
                with_point, with_households, absent, covered, missed, share, min_extent_share
            )
            distance = communities[f"{prefix}_m"].to_numpy("float64")
            for radius in radii:
                near = measured & (distance <= radius)
                within = np.bincount(district[near], weights=households[near], minlength=n)
                with np.errstate(invalid="ignore", divide="ignore"):
                    value = np.where(covered > 0, within / covered * 100, np.nan)
                value[~np.isin(verdict, ("ok", "partial_extent"))] = np.nan
                key = coverage.share_key(radius, kind, profile)
                out[key] = value
                out[f"{key}_status"] = verdict
    return gpd.GeoDataFrame(out, geometry=outlines, crs="EPSG:4326")


@dataclasses.dataclass(frozen=True)
class Reach:
    """
    What :func:`measure` computes: walking reach per district and per project.

    ``table`` is :func:`district_reach`, one row per district (full outlines, EPSG:4326);
    ``near`` is :func:`community_reach`, every project with its metres on foot to the nearest
    destination of each type (same rows and order); with the ``profiles`` and ``radii``
    measured. The same shape as :class:`geo.coverage.Coverage`.
    """

    table: gpd.GeoDataFrame
    near: gpd.GeoDataFrame
    profiles: tuple[str, ...]
    radii: tuple[int, ...]


def measure(
    projects: gpd.GeoDataFrame,
    infra: Infra,
    network: Network,
    *,
    profiles: tuple[str, ...] = ("walk", "wheelchair"),
    radii: tuple[int, ...] = coverage.RADII_M,
    max_snap_m: float = MAX_SNAP_M,
) -> Reach:
    """
    The pipeline ``atlas reach`` and the app's walking-reach page share.

    :func:`community_reach` of every project, then :func:`district_reach` over every district
    of the cities the data touches (:func:`geo.coverage.coverage_districts`, full outlines).
    Arguments in the order of :func:`geo.coverage.measure`, ``network`` after them.
    """
    communities = community_reach(
        projects, infra, network, profiles=profiles, max_snap_m=max_snap_m
    )
    districts = coverage.coverage_districts(infra, projects)
    table = district_reach(
        communities, districts, network=network, infra=infra, profiles=profiles, radii=radii
    )
    return Reach(table, communities, tuple(profiles), tuple(radii))


# --- walksheds and routes ----------------------------------------------------------------------


def _point_lonlat(origin: Origin) -> np.ndarray:
    if isinstance(origin, shapely.Geometry):
        return np.array([[shapely.get_x(origin), shapely.get_y(origin)]])
    lon, lat = origin
    return np.array([[float(lon), float(lat)]])


def _to_wgs84(network: Network, geometry: shapely.Geometry) -> shapely.Geometry:
    back = pyproj.Transformer.from_crs(network.epsg, "EPSG:4326", always_xy=True)
    # Axis order: metric x/y in, lon/lat out.
    return shapely.transform(geometry, lambda xy: np.column_stack(back.transform(*xy.T)))


def _reachable_segments(
    network: Network, profile: str, cost: np.ndarray, left: float, start: Snapped
) -> np.ndarray:
    """
    (k, 2, 2) metric segments: each allowed edge as far as ``left`` metres reach it.

    ``cost`` holds each node's metres from the origin; the origin's own edge (``start``, a
    one-point :class:`Snapped`) is walked from its snapped point too, both ways.
    """
    allowed = np.flatnonzero(profile_edges(network, profile))
    allowed = allowed[allowed != start.edge[0]]
    u, v = network.edges["u"].to_numpy()[allowed], network.edges["v"].to_numpy()[allowed]
    length = network.edges["length_m"].to_numpy("float64")[allowed]
    reached_u, reached_v = np.isfinite(cost[u]), np.isfinite(cost[v])
    from_u = np.where(reached_u, np.clip(left - np.where(reached_u, cost[u], 0), 0, length), 0)
    from_v = np.where(reached_v, np.clip(left - np.where(reached_v, cost[v], 0), 0, length), 0)
    # Walked through from one end, or reached from both ends far enough to meet.
    whole = (reached_u | reached_v) & (from_u + from_v >= length)
    xy = network.nodes[["x", "y"]].to_numpy()
    a, b = xy[u], xy[v]
    with np.errstate(invalid="ignore", divide="ignore"):
        t_u = np.where(whole, 1.0, np.where(length > 0, from_u / length, 0.0))
        t_v = np.where(whole, 0.0, np.where(length > 0, 1 - from_v / length, 1.0))
    pieces = [
        np.stack([a, a + (b - a) * t_u[:, None]], axis=1)[(from_u > 0) | whole],
        np.stack([a + (b - a) * t_v[:, None], b], axis=1)[(from_v > 0) & ~whole],
        _origin_edge_pieces(network, cost, left, start),
    ]
    return np.concatenate(pieces)


def _origin_edge_pieces(
    network: Network, cost: np.ndarray, left: float, start: Snapped
) -> np.ndarray:
    """
    The reachable parts of the origin's edge, merged where they overlap.

    From its snapped point both ways, and from each end as the network reaches it (a loop
    back to the same edge).
    """
    edge = int(start.edge[0])
    if edge < 0:
        return np.zeros((0, 2, 2))
    u, v = int(start.u[0]), int(start.v[0])
    length = float(network.edges["length_m"].iloc[edge])
    at, reach_m = float(start.to_u_m[0]), left - float(start.leg_m[0])
    spans = [(at - reach_m, at + reach_m)] if reach_m > 0 else []
    if np.isfinite(cost[u]) and left > cost[u]:
        spans.append((0.0, left - cost[u]))
    if np.isfinite(cost[v]) and left > cost[v]:
        spans.append((length - (left - cost[v]), length))
    merged: list[list[float]] = []
    for lo, hi in sorted((max(lo, 0.0), min(hi, length)) for lo, hi in spans):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        elif hi > lo:
            merged.append([lo, hi])
    xy = network.nodes[["x", "y"]].to_numpy()
    a, b = xy[u], xy[v]
    scale = 1.0 / length if length > 0 else 0.0
    return np.array([[a + (b - a) * lo * scale, a + (b - a) * hi * scale] for lo, hi in merged])


def walkshed(
    network: Network,
    origin: Origin,
    distance_m: float,
    *,
    profile: str = "walk",
    buffer_m: float = WALKSHED_BUFFER_M,
    max_snap_m: float = MAX_SNAP_M,
) -> gpd.GeoDataFrame:
    """
    The area reachable within ``distance_m`` metres on foot of ``origin`` (a Point or lon, lat).

    The origin joins the nearest street the profile may use (:func:`snap_points`); every
    edge the profile may use is walked as far as the distance left allows from either end
    (an edge reached from both ends but not walked through gives two pieces), and the
    origin's own edge from the snapped point both ways; the reachable pieces, buffered by
    ``buffer_m`` on each side and dissolved, make the polygon. Metres are real lengths for
    every profile (the blind profile's preference does not shrink its walkshed). One row:
    ``profile``, ``distance_m``, ``snap_m``, ``reachable_km``, ``buffer_m``, ``status``
    (``ok`` or ``off_network``, then with no geometry), EPSG:4326.
    """
    graph = _profile_graph(network, profile)
    start = snap_points(network, _point_lonlat(origin), profile=profile, max_snap_m=max_snap_m)
    row = {"profile": profile, "distance_m": float(distance_m), "snap_m": float(start.leg_m[0])}
    row |= {"buffer_m": float(buffer_m)}
    if not start.on[0]:
        row |= {"reachable_km": np.nan, "status": "off_network"}
        return gpd.GeoDataFrame([row], geometry=[None], crs="EPSG:4326")
    left = float(distance_m)
    cost = _costs_from(network, graph, start, left)
    segments = _reachable_segments(network, profile, cost, left, start)
    lines = shapely.linestrings(segments) if len(segments) else np.array([], dtype=object)
    reachable = shapely.multilinestrings(lines) if len(lines) else shapely.Point(start.xy[0])
    area = shapely.buffer(reachable, buffer_m)
    row |= {"reachable_km": float(shapely.length(lines).sum()) / 1000, "status": "ok"}
    return gpd.GeoDataFrame([row], geometry=[_to_wgs84(network, area)], crs="EPSG:4326")


def _costs_from(network: Network, graph: _Graph, start: Snapped, limit: float) -> np.ndarray:
    """Metres from one snapped origin to every node, up to ``limit`` (``inf`` beyond)."""
    n = graph.n
    length = network.edges["length_m"].to_numpy("float64")
    # A virtual origin n, joined to both ends of its edge by its leg and piece of edge.
    ends = [int(start.u[0])] + ([int(start.v[0])] if start.v[0] != start.u[0] else [])
    legs = [start.leg_m[0] + start.to_u_m[0], start.leg_m[0] + start.to_v_m[0]][: len(ends)]
    matrix = sparse.csr_matrix(
        (
            np.concatenate([length[graph.edge], legs]),
            (np.concatenate([graph.rows, [n] * len(ends)]), np.concatenate([graph.cols, ends])),
        ),
        shape=(n + 1, n + 1),
    )
    return dijkstra(matrix, directed=True, indices=n, limit=max(limit, 0.0))[:n]


def route(
    network: Network,
    origin: Origin,
    infra: Infra,
    *,
    kind: str = "accessible_bus_stop",
    profile: str = "walk",
    max_snap_m: float = MAX_SNAP_M,
) -> gpd.GeoDataFrame:
    """
    The path from ``origin`` (a Point or lon, lat) to its nearest ``kind`` feature, on foot.

    One row, EPSG:4326: a LineString from the origin to where it joins the network, through
    every node of the route, to where the destination joins it and to the destination, with
    ``profile``, ``kind``, ``length_m`` (legs included, as in :func:`community_reach`),
    ``to`` (the destination's ``source_id``), ``status`` (as :data:`COMMUNITY_STATUSES`; no
    geometry unless ``ok``) and the profile's tag shares.
    """
    xy, ids = _destinations(infra, kind)
    start = _point_lonlat(origin)
    found = nearest_destinations(network, start, xy, profile=profile, max_snap_m=max_snap_m)
    base = np.array(["ok"])
    frame = pd.DataFrame(index=[0])
    _community_columns(frame, "r", found, base, ids)
    status = frame["r_status"].iloc[0]
    row = {"profile": profile, "kind": kind, "status": status, "to": frame["r_to"].iloc[0]}
    row["length_m"] = frame["r_m"].iloc[0]
    row |= {f"{k}_share": frame[f"r_{k}_share"].iloc[0] for k in found.sums}
    if status != "ok":
        return gpd.GeoDataFrame([row], geometry=[None], crs="EPSG:4326")
    path: list[int] = [] if found.direct[0] else [int(found.node[0])]
    n = len(network.nodes)
    while path and 0 <= found.predecessors[path[-1]] < n:
        path.append(int(found.predecessors[path[-1]]))
    chosen = found.destination[0]
    joins = np.vstack([found.origins.xy[0], found.destinations.xy[chosen]])
    # Axis order: metric x/y in, lon/lat out.
    joined = np.column_stack(
        pyproj.Transformer.from_crs(network.epsg, "EPSG:4326", always_xy=True).transform(*joins.T)
    )
    lonlat = network.nodes[["lon", "lat"]].to_numpy()[path]
    end = xy[chosen]
    line = shapely.linestrings(np.vstack([start, joined[:1], lonlat, joined[1:], end[None, :]]))
    return gpd.GeoDataFrame([row], geometry=[line], crs="EPSG:4326")
