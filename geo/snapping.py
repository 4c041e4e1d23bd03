"""
Points onto the pedestrian network: the nearest point on a street a profile may use.

A community or a facility joins the network where a perpendicular from it meets the nearest
edge the profile may use (:func:`snap_to_edges`), not at the nearest graph node: on a sparse
network (200 m blocks, a street drawn as one long segment) the nearest node can be 140 m
away while the street passes 10 m from the door, and a snap to nodes leaves such points
``off_network`` or adds metres nobody walks. The snapped point splits its edge into two
pieces, ``to_u_m`` towards the edge's first node and ``to_v_m`` towards its second; a route
leaves by either end, or runs along the edge itself to a point snapped onto the same edge.

Edges are searched by an R-tree (``shapely.STRtree``) over their metric segments, built once
per network and profile and kept in ``network.graphs``; the nearest edge within
``max_snap_m`` comes from ``query_nearest`` and the position along it from
``shapely.line_locate_point``, both vectorised over every point at once. Measured on the
217k-edge synthetic city of ``bench/network.py`` (2 shared cores): tree 0.15 s, 100k points
0.3 s.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import shapely

from geo.network import Network, profile_edges

__all__ = ["Snapped", "edge_tree", "snap_to_edges", "snap_to_nodes"]


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


def snap_to_edges(network: Network, xy: np.ndarray, *, profile: str, max_snap_m: float) -> Snapped:
    """
    Snap each metric point (n, 2) to the nearest point on an edge ``profile`` may use.

    A point farther than ``max_snap_m`` from every such edge, or not finite, is off the
    network (``edge == -1``); it keeps its row. Of two edges at the same distance (a point on
    a node joining several), the tree's first is taken: the metres to anywhere are the same.
    """
    out = _empty(len(xy))
    finite = np.flatnonzero(np.isfinite(xy).all(axis=1))
    allowed, tree = edge_tree(network, profile)
    if not finite.size or not len(allowed):
        return out
    points = shapely.points(xy[finite])
    # A point exactly on an edge has distance 0, which max_distance must exceed.
    found, hit, distance = _nearest(tree, points, max(float(max_snap_m), 1e-9))
    rows = finite[found]
    edge = allowed[hit]
    along = shapely.line_locate_point(tree.geometries[hit], points[found])
    length = network.edges["length_m"].to_numpy("float64")[edge]
    out.edge[rows] = edge
    out.u[rows] = network.edges["u"].to_numpy()[edge]
    out.v[rows] = network.edges["v"].to_numpy()[edge]
    out.to_u_m[rows] = np.clip(along, 0.0, length)
    out.to_v_m[rows] = np.clip(length - along, 0.0, length)
    out.leg_m[rows] = distance
    out.xy[rows] = shapely.get_coordinates(
        shapely.line_interpolate_point(tree.geometries[hit], along)
    )
    # Beyond max_snap_m: off the network, with the straight metres to the nearest edge kept.
    far = np.setdiff1d(finite, rows)
    if far.size:
        out.leg_m[far] = _nearest(tree, shapely.points(xy[far]), None)[2]
    return out


def _nearest(tree: shapely.STRtree, points: np.ndarray, limit: float | None):
    """(point index, tree index, distance) of each point's nearest tree geometry (one each)."""
    pairs, distance = tree.query_nearest(
        points, max_distance=limit, return_distance=True, all_matches=False
    )
    return pairs[0], pairs[1], distance


def snap_to_nodes(network: Network, xy: np.ndarray, node: np.ndarray, leg_m: np.ndarray) -> Snapped:
    """Snaps at graph nodes already found (``node`` -1 when off), as :class:`Snapped`."""
    out = _empty(len(xy))
    on = node >= 0
    out.u[on] = out.v[on] = node[on]
    out.to_u_m[on] = out.to_v_m[on] = 0.0
    out.leg_m[:] = leg_m
    out.xy[on] = network.nodes[["x", "y"]].to_numpy()[node[on]]
    return out
