"""
Points onto the pedestrian network: the nearest point on a street a profile may use.

A community or a facility joins the network where a perpendicular from it meets the nearest
edge the profile may use (:func:`snap_to_edges`), not at the nearest graph node: on a sparse
network (200 m blocks, a street drawn as one long segment) the nearest node can be 140 m
away while the street passes 10 m from the door, and a snap to nodes leaves such points
``off_network`` or adds metres nobody walks. The snapped point splits its edge into two
pieces, ``to_u_m`` towards the edge's first node and ``to_v_m`` towards its second; a route
leaves by either end, or runs along the edge itself to a point snapped onto the same edge.

Each point's nearest edge is found exactly through a k-d tree of points sampled every
:data:`SAMPLE_M` along the profile's edges (built once per network and profile, kept in
``network.graphs``): the few edges with a sample near enough to hold the nearest are
candidates, and the foot of the perpendicular on each is computed with numpy, every point at
once. On the 217k-edge synthetic city of ``bench/network.py`` (CPU seconds, shared machine),
100k points: 0.9 s with the tree's build, where ``shapely.STRtree.query_nearest`` over the
segments took 2.1 s and 0.3 s to build, with the same answers.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import shapely
from scipy.spatial import cKDTree

from geo.network import Network, profile_edges

__all__ = ["SAMPLE_M", "Snapped", "edge_tree", "snap_to_edges", "snap_to_nodes"]

#: Edges are sampled this often (m) for the k-d tree that finds each point's nearest edge.
SAMPLE_M = 20.0
# Samples asked for per point; more only where these leave a doubt.
_K = 8


@dataclasses.dataclass
class Snapped:
    """
    Where each point joins the network (arrays, one entry per point).

    ``edge`` indexes ``network.edges`` (-1: off the network, or no finite point; -1 with
    ``u >= 0`` for a point snapped to a node), ``u``/``v`` are the edge's two graph nodes
    (row positions in ``network.nodes``), ``to_u_m``/``to_v_m`` the metres along the edge from
    the snapped point to each, ``leg_m`` the straight metres from the point to the snapped
    point (NaN for a point that is not finite), ``xy`` the snapped point in the network's
    metric CRS (NaN off the network).
    """

    edge: np.ndarray
    u: np.ndarray
    v: np.ndarray
    to_u_m: np.ndarray
    to_v_m: np.ndarray
    leg_m: np.ndarray
    xy: np.ndarray

    @property
    def on(self) -> np.ndarray:
        """Which points joined the network (within ``max_snap_m`` of an allowed edge)."""
        return self.u >= 0

    def subset(self, rows: np.ndarray) -> Snapped:
        """The same snaps for ``rows`` only (an index or a mask)."""
        return Snapped(*(getattr(self, f.name)[rows] for f in dataclasses.fields(self)))


def _empty(count: int) -> Snapped:
    minus = np.full(count, -1, dtype=np.int64)
    nan = np.full(count, np.nan)
    return Snapped(minus, minus.copy(), minus.copy(), nan, nan.copy(), nan.copy(),
                   np.full((count, 2), np.nan))  # fmt: skip


def edge_tree(network: Network, profile: str) -> tuple[np.ndarray, shapely.STRtree]:
    """The profile's allowed edges and an R-tree of their metric segments (built once)."""
    key = ("edge_tree", profile)
    cached = network.graphs.get(key)
    if cached is not None:
        return cached
    allowed = np.flatnonzero(profile_edges(network, profile))
    xy = network.nodes[["x", "y"]].to_numpy()
    u = network.edges["u"].to_numpy()[allowed]
    v = network.edges["v"].to_numpy()[allowed]
    segments = shapely.linestrings(np.stack([xy[u], xy[v]], axis=1)) if len(allowed) else []
    network.graphs[key] = (allowed, shapely.STRtree(segments))
    return network.graphs[key]


@dataclasses.dataclass
class _Samples:
    """Points every :data:`SAMPLE_M` along each allowed edge, in a k-d tree, and the edges."""

    allowed: np.ndarray
    a: np.ndarray
    b: np.ndarray
    owner: np.ndarray
    tree: cKDTree


def _samples(network: Network, profile: str) -> _Samples:
    """The profile's edge samples (built once per network and profile)."""
    key = ("edge_samples", profile)
    cached = network.graphs.get(key)
    if cached is not None:
        return cached
    allowed = np.flatnonzero(profile_edges(network, profile))
    xy = network.nodes[["x", "y"]].to_numpy()
    a = xy[network.edges["u"].to_numpy()[allowed]]
    b = xy[network.edges["v"].to_numpy()[allowed]]
    # Both ends and enough points between them that no two are more than SAMPLE_M apart.
    pieces = np.maximum(np.ceil(np.hypot(*(b - a).T) / SAMPLE_M), 1).astype(np.int64)
    owner = np.repeat(np.arange(len(allowed)), pieces + 1)
    start = np.cumsum(pieces + 1) - (pieces + 1)
    t = (np.arange(len(owner)) - np.repeat(start, pieces + 1)) / np.repeat(pieces, pieces + 1)
    points = a[owner] + (b[owner] - a[owner]) * t[:, None]
    tree = cKDTree(points if len(points) else np.zeros((0, 2)), balanced_tree=False,
                   compact_nodes=False)  # fmt: skip
    network.graphs[key] = _Samples(allowed, a, b, owner, tree)
    return network.graphs[key]


def _foot(point: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Position (0..1 from ``a``) and distance of each point's foot on its segment a→b."""
    ab = b - a
    squared = np.einsum("...i,...i->...", ab, ab)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.einsum("...i,...i->...", point - a, ab) / squared
    t = np.clip(np.nan_to_num(t, nan=0.0), 0.0, 1.0)
    gap = np.hypot(*np.moveaxis(a + ab * t[..., None] - point, -1, 0))
    return t, gap


def _nearest_edges(samples: _Samples, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """
    Index (into ``samples.allowed``) of each point's nearest edge, and its position on it.

    Exact, not approximate: the nearest edge has a sample within ``SAMPLE_M / 2`` of the
    point's foot on it, so within ``d + SAMPLE_M / 2`` of the point, where ``d`` is the
    distance to the nearest sample; every edge with a sample that close is a candidate, and
    the candidates' feet are computed exactly. The K nearest samples hold them all for
    nearly every point; the few whose K-th sample is still that close ask again for all.
    """
    k = min(_K, samples.tree.n)
    distance, index = samples.tree.query(xy, k=k, workers=-1)
    distance, index = distance.reshape(len(xy), k), index.reshape(len(xy), k)
    edge = samples.owner[index]
    t, gap = _foot(xy[:, None, :], samples.a[edge], samples.b[edge])
    best = np.argmin(gap, axis=1)
    chosen = edge[np.arange(len(xy)), best]
    position = t[np.arange(len(xy)), best]
    radius = distance[:, 0] + SAMPLE_M / 2 + 1e-9
    unsure = np.flatnonzero(distance[:, -1] <= radius) if k == _K else np.zeros(0, np.int64)
    if unsure.size:
        # Points among many short edges (a dense junction): every sample that close, at once.
        found = samples.tree.query_ball_point(xy[unsure], radius[unsure], workers=-1)
        counts = np.fromiter(map(len, found), np.int64, len(found))
        flat = np.fromiter(itertools.chain.from_iterable(found), np.int64, int(counts.sum()))
        point, around = np.repeat(unsure, counts), samples.owner[flat]
        foot, gaps = _foot(xy[point], samples.a[around], samples.b[around])
        order = np.lexsort((gaps, point))
        first = order[np.r_[True, point[order][1:] != point[order][:-1]]]
        chosen[point[first]], position[point[first]] = around[first], foot[first]
    return chosen, position


def snap_to_edges(network: Network, xy: np.ndarray, *, profile: str, max_snap_m: float) -> Snapped:
    """
    Snap each metric point (n, 2) to the nearest point on an edge ``profile`` may use.

    A point farther than ``max_snap_m`` from every such edge, or not finite, is off the
    network (``edge == -1``); it keeps its row, and its ``leg_m`` (the metres to the nearest
    edge) when finite. Of two edges at the same distance (a point on a node joining
    several), either is taken: the metres to anywhere are the same.
    """
    out = _empty(len(xy))
    finite = np.flatnonzero(np.isfinite(xy).all(axis=1))
    samples = _samples(network, profile)
    if not finite.size or not len(samples.allowed):
        return out
    which, t = _nearest_edges(samples, xy[finite])
    a, b = samples.a[which], samples.b[which]
    foot = a + (b - a) * t[:, None]
    gap = np.hypot(*(foot - xy[finite]).T)
    out.leg_m[finite] = gap
    on = gap <= max_snap_m
    rows, edge = finite[on], samples.allowed[which[on]]
    length = network.edges["length_m"].to_numpy("float64")[edge]
    out.edge[rows] = edge
    out.u[rows] = network.edges["u"].to_numpy()[edge]
    out.v[rows] = network.edges["v"].to_numpy()[edge]
    out.to_u_m[rows] = t[on] * length
    out.to_v_m[rows] = (1 - t[on]) * length
    out.xy[rows] = foot[on]
    return out


def snap_to_nodes(network: Network, xy: np.ndarray, node: np.ndarray, leg_m: np.ndarray) -> Snapped:
    """Snaps at graph nodes already found (``node`` -1 when off), as :class:`Snapped`."""
    out = _empty(len(xy))
    on = node >= 0
    out.u[on] = out.v[on] = node[on]
    out.to_u_m[on] = out.to_v_m[on] = 0.0
    out.leg_m[:] = leg_m
    out.xy[on] = network.nodes[["x", "y"]].to_numpy()[node[on]]
    return out
