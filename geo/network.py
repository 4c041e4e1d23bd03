"""
The pedestrian street network of an OpenStreetMap extract: nodes, edges, profiles, cache.

:func:`build_network` reads an ``.osm.pbf`` or ``.osm`` XML extract (after the same file
checks as :func:`geo.infra.read_infra`) with pyosmium, which reads both formats and gives
every way's node ids, so two ways join where OSM says they do and nowhere else. Every OSM
node on a kept way is a graph node and every pair of consecutive nodes an edge (no
simplification: an origin snaps to the node nearest to it, not to an intersection 200 m
away). Lengths are metres in :func:`geo.crs.metric_crs` of the extract, never degrees.

Which ways a pedestrian may walk (:data:`PEDESTRIAN_RULES`, the README's table):

=====================  ======================================================================
rule                   effect
=====================  ======================================================================
``highway=*``          kept if in :data:`WALKABLE_HIGHWAYS` (footway, path, steps, pedestrian,
                       living and residential streets, service roads, tracks, every road
                       class up to trunk, their links, corridors, crossings, elevators)
``highway=cycleway``   kept only with ``foot=yes|designated|permissive``
``highway=motorway``   never (nor its links, nor construction, proposed, raceway, busway, …)
``foot=no``            dropped (also ``foot=use_sidepath``: the sidewalk is drawn separately)
``access=no|private``  dropped unless ``foot=yes|designated|permissive``
``oneway=*``           ignored: one-way rules do not apply on foot
a node ``barrier=*``   impassable when ``foot=no``, or ``access=no|private`` without a foot
                       permission; other barriers (bollards, kerbs, gates) are passable
a missing node         a way node absent from the extract (cut at its edge) breaks the way
=====================  ======================================================================

Profiles (:func:`profile_edges`): ``walk`` is every kept edge; ``wheelchair`` drops
``highway=steps`` (unless ``ramp:wheelchair=yes``), ``wheelchair=no``, an ``incline`` steeper
than 8 % where one is tagged (``up``/``down`` pass), ways tagged ``kerb=raised`` and every
edge through a node tagged ``kerb=raised`` (``lowered``, ``flush``, ``no``, ``rolled`` and
untagged kerbs pass) or through a barrier tagged ``wheelchair=no``; ``blind`` walks every
edge but prefers ``tactile_paving=yes``: an edge without it costs :data:`BLIND_PENALTY`
times its length when routes are chosen (reported distances stay real metres). Unknown
tags pass; :mod:`geo.reach` reports how much of each route had no tag.

A built network is cached per extract, keyed by the file's SHA-256 and :data:`RECIPE`, in
``$ATLAS_CACHE_DIR`` (as the outline cache), written atomically: a folder renamed into place.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely

from geo import _osm, boundaries, crs
from geo.coverage import WALK_PROFILES
from geo.errors import InputError

__all__ = [
    "BLIND_PENALTY",
    "EDGE_TAGS",
    "MAX_INCLINE_PCT",
    "NODE_TAGS",
    "PEDESTRIAN_RULES",
    "PROFILES",
    "RECIPE",
    "WALKABLE_HIGHWAYS",
    "Network",
    "build_network",
    "cache_path",
    "edge_weights",
    "load_network",
    "parse_incline",
    "profile_edges",
    "read_network",
    "transformer",
]

#: Bump when a rule changes: it is part of the cache key.
RECIPE = "walk-2"
#: Walking profiles (one list with the coverage registry's share keys).
PROFILES = WALK_PROFILES
#: ``highway=*`` values a pedestrian may walk (subject to foot/access tags).
WALKABLE_HIGHWAYS = frozenset(
    {
        "footway", "pedestrian", "path", "steps", "living_street", "residential", "service",
        "track", "unclassified", "road", "tertiary", "tertiary_link", "secondary",
        "secondary_link", "primary", "primary_link", "trunk", "trunk_link", "corridor",
        "crossing", "elevator", "bridleway", "platform",
    }
)  # fmt: skip
_FOOT_YES = frozenset({"yes", "designated", "permissive"})
_FOOT_NO = frozenset({"no", "use_sidepath"})
_ACCESS_NO = frozenset({"no", "private"})
#: Inclines steeper than this (percent, either way) exclude a way for the wheelchair profile.
MAX_INCLINE_PCT = 8.0
#: Cost factor, for route choice only, of an edge without tactile paving (blind profile).
BLIND_PENALTY = 1.5

#: Way tags kept on every edge (the profiles and the reports read them).
EDGE_TAGS = (
    "highway",
    "footway",
    "wheelchair",
    "incline",
    "surface",
    "tactile_paving",
    "kerb",
    "ramp:wheelchair",
    "foot",
    "access",
    "name",
)
#: Node tags kept on graph nodes (kerbs at crossings block or pass edges through them).
NODE_TAGS = (
    "kerb",
    "barrier",
    "highway",
    "crossing",
    "tactile_paving",
    "wheelchair",
    "foot",
    "access",
)

PEDESTRIAN_RULES: dict[str, str] = {
    "highway=*": "kept if in WALKABLE_HIGHWAYS",
    "highway=cycleway": "kept only with foot=yes|designated|permissive",
    "highway=motorway|motorway_link|construction|proposed|…": "never",
    "foot=no|use_sidepath": "dropped",
    "access=no|private": "dropped unless foot=yes|designated|permissive",
    "oneway=*": "ignored: one-way rules do not apply on foot",
    "node barrier=*": "impassable with foot=no, or access=no|private and no foot permission",
    "missing node": "a way node absent from the extract breaks the way there",
}

_UNDEFINED = 2**31 - 1
_INCLINE = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?)\s*(%|°)?\s*$")


@dataclasses.dataclass
class Network:
    """
    A pedestrian graph: ``nodes`` and undirected ``edges`` between them, metres in ``epsg``.

    ``nodes`` has ``node_id`` (OSM), ``lon``/``lat`` (WGS84), ``x``/``y`` (metric) and the
    :data:`NODE_TAGS` (``:`` written ``_``) plus ``blocked`` (an impassable barrier).
    ``edges`` has ``u``/``v`` (row positions in ``nodes``), ``way_id``, ``length_m`` and the
    :data:`EDGE_TAGS`, plus ``incline_pct`` (parsed; missing when untagged or ``up``/``down``).
    ``summary`` counts what was read, kept and dropped, by reason.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    epsg: int
    source: str
    sha256: str
    summary: dict
    #: Per-profile query structures that :mod:`geo.reach` builds once and keeps here.
    graphs: dict = dataclasses.field(default_factory=dict, repr=False, compare=False)

    @property
    def crs(self) -> pyproj.CRS:
        """The metric CRS the lengths were measured in."""
        return pyproj.CRS.from_epsg(self.epsg)

    def extent(self) -> shapely.Geometry | None:
        """
        The convex hull of the nodes (WGS84): outside it the extract says nothing.

        Grown by 1e-6° (about 10 cm, ten times OSM's coordinate step) so that a point given
        at a hull node's coordinates is inside however its decimals were rounded.
        """
        if not len(self.nodes):
            return None
        points = shapely.multipoints(np.column_stack([self.nodes["lon"], self.nodes["lat"]]))
        hull = shapely.convex_hull(points)
        return hull.buffer(1e-6) if hull.geom_type == "Polygon" else hull.buffer(1e-4)

    def counts(self) -> dict[str, object]:
        """The CLI's one JSON line: nodes, edges, km, edges and km per profile, what was read."""
        out: dict[str, object] = {
            "source": self.source,
            "nodes": len(self.nodes),
            "edges": len(self.edges),
            "km": round(float(self.edges["length_m"].sum()) / 1000, 3),
        }
        for profile in PROFILES:
            mask = profile_edges(self, profile)
            out[f"edges_{profile}"] = int(mask.sum())
            out[f"km_{profile}"] = round(float(self.edges["length_m"][mask].sum()) / 1000, 3)
        return out | self.summary

    def layers(self) -> dict[str, pd.DataFrame]:
        """
        The GeoPackage layers ``nodes``, ``edges`` and ``network``.

        ``edges`` carry a flag ``profile_<name>`` per profile and the OSM ids ``u_id``/``v_id``;
        ``network`` holds the source, SHA-256, CRS and summary.
        """
        nodes = gpd.GeoDataFrame(
            self.nodes.drop(columns=["x", "y"]),
            geometry=gpd.points_from_xy(self.nodes["lon"], self.nodes["lat"]),
            crs="EPSG:4326",
        )
        u, v = self.edges["u"].to_numpy(), self.edges["v"].to_numpy()
        lon, lat = self.nodes["lon"].to_numpy(), self.nodes["lat"].to_numpy()
        lines = shapely.linestrings(
            np.stack([np.column_stack([lon[u], lat[u]]), np.column_stack([lon[v], lat[v]])], 1)
        )
        edges = self.edges.assign(
            u_id=self.nodes["node_id"].to_numpy()[u], v_id=self.nodes["node_id"].to_numpy()[v]
        )
        for profile in PROFILES:
            edges[f"profile_{profile}"] = profile_edges(self, profile)
        meta = pd.DataFrame(
            {"source": [self.source], "sha256": [self.sha256], "epsg": [self.epsg]}
            | {"recipe": [RECIPE], "summary": [json.dumps(self.summary, ensure_ascii=False)]}
        )
        edges = gpd.GeoDataFrame(_plain(edges), geometry=lines, crs="EPSG:4326")
        return {"nodes": _plain(nodes), "edges": edges, "network": meta}


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical tag columns as text, which GDAL writes (it has no dictionary type)."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.CategoricalDtype):
            out[column] = out[column].astype(object).astype("string")
    return out


# --- reading OSM -------------------------------------------------------------------------------


def _way_kept(tags: dict[str, str]) -> str | None:
    """None if a pedestrian may walk the way, else the reason it is dropped."""
    highway = tags.get("highway")
    foot = tags.get("foot")
    if highway == "cycleway":
        return None if foot in _FOOT_YES else "cycleway_without_foot"
    if highway not in WALKABLE_HIGHWAYS:
        return "not_walkable_highway"
    if foot in _FOOT_NO:
        return "foot_no"
    if tags.get("access") in _ACCESS_NO and foot not in _FOOT_YES:
        return "access_private"
    return None


def _read_osm(path: Path) -> tuple[dict, dict, dict]:
    """
    One pyosmium pass: kept ways (ids, tags, node refs, locations) and tagged nodes.

    Node locations come from pyosmium's own index (``with_locations``); a tag filter in C++
    hands Python only elements with a tag the rules read.
    """
    import osmium

    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.KeyFilter(*sorted({"highway", *NODE_TAGS})))
    )
    ways = {"way_id": [], "count": [], **{t: [] for t in EDGE_TAGS}}
    refs, xs, ys = [], [], []
    nodes = {"node_id": [], **{t: [] for t in NODE_TAGS}}
    dropped: dict[str, int] = {}
    for obj in processor:
        get = obj.tags.get
        if obj.is_node():
            nodes["node_id"].append(obj.id)
            for key in NODE_TAGS:
                nodes[key].append(get(key))
            continue
        tags = {key: get(key) for key in EDGE_TAGS}
        if tags["highway"] is None:
            continue
        reason = _way_kept(tags)
        if reason is not None:
            dropped[reason] = dropped.get(reason, 0) + 1
            continue
        ways["way_id"].append(obj.id)
        for key in EDGE_TAGS:
            ways[key].append(tags[key])
        # Fixed-point coordinates (1e-7°), read without building a location object per node.
        way_nodes = obj.nodes
        ways["count"].append(len(way_nodes))
        for ref in way_nodes:
            refs.append(ref.ref)
            xs.append(ref.x)
            ys.append(ref.y)
    x, y = np.asarray(xs, dtype=np.int64), np.asarray(ys, dtype=np.int64)
    # libosmium marks a node absent from the file with the largest int32 coordinate.
    missing = (x == _UNDEFINED) | (y == _UNDEFINED)
    points = {
        "ref": np.asarray(refs, dtype=np.int64),
        "lon": np.where(missing, np.nan, x / 1e7),
        "lat": np.where(missing, np.nan, y / 1e7),
    }
    return ways, points, nodes | {"_dropped": dropped}


def parse_incline(values: pd.Series) -> np.ndarray:
    """
    Percent slope of ``incline=*`` values: ``8%``, ``-12 %``, ``5°`` (as tan), ``0.1``.

    A bare number is read as percent when above 1 in magnitude, else as a fraction (OSM
    allows both). ``up``, ``down``, ``yes`` and anything else give NaN: unknown, which passes.
    """
    text = values.astype("string").str.strip()
    found = text.str.extract(_INCLINE)
    number = pd.to_numeric(found[0].str.replace(",", "."), errors="coerce").to_numpy("float64")
    unit = found[1].fillna("").to_numpy(dtype=str)
    degrees = unit == "°"
    bare = unit == ""
    pct = number.copy()
    pct[degrees] = np.tan(np.radians(number[degrees])) * 100
    fraction = bare & (np.abs(number) <= 1)
    pct[fraction] = number[fraction] * 100
    return pct


def _graph(ways: dict, points: dict, tagged: dict, source: str, sha: str) -> Network:
    """Node and edge tables from the ways' refs: one edge per consecutive pair of refs."""
    counts = np.asarray(ways["count"], dtype=np.int64)
    way_of = np.repeat(np.arange(len(counts)), counts)
    ref, lon, lat = points["ref"], points["lon"], points["lat"]
    located = ~np.isnan(lon)
    ids, first, inverse = np.unique(ref, return_index=True, return_inverse=True)
    node_lon, node_lat = lon[first], lat[first]
    # A ref without a location anywhere is absent from the extract: no node, no edges.
    valid_node = ~np.isnan(node_lon)
    same_way = way_of[:-1] == way_of[1:]
    pair = same_way & located[:-1] & located[1:] & (ref[:-1] != ref[1:])
    u_all, v_all = inverse[:-1][pair], inverse[1:][pair]
    used = np.zeros(len(ids), dtype=bool)
    used[u_all] = used[v_all] = True
    keep = used & valid_node
    position = np.cumsum(keep) - 1
    metric = crs.metric_crs(node_lon[keep], node_lat[keep]) if keep.any() else crs.metric_crs(0, 0)
    # Axis order: lon/lat in, x (east)/y (north) metres out.
    x, y = transformer(int(metric.to_epsg())).transform(node_lon[keep], node_lat[keep])
    nodes = pd.DataFrame(
        {"node_id": ids[keep], "lon": node_lon[keep], "lat": node_lat[keep], "x": x, "y": y}
    )
    nodes = _node_tags(nodes, tagged)
    u, v = position[u_all], position[v_all]
    edges = pd.DataFrame({"u": u.astype(np.int64), "v": v.astype(np.int64)})
    way_index = way_of[:-1][pair]
    edges["way_id"] = np.asarray(ways["way_id"], dtype=np.int64)[way_index]
    edges["length_m"] = np.hypot(x[v] - x[u], y[v] - y[u])
    for key in EDGE_TAGS:
        edges[key.replace(":", "_")] = np.asarray(ways[key], dtype=object)[way_index]
    edges = _as_tags(edges, EDGE_TAGS)
    # Parsed once per distinct value, then spread by the categorical's codes.
    inclines = edges["incline"].cat
    pct = np.append(parse_incline(pd.Series(inclines.categories, dtype=object)), np.nan)
    edges["incline_pct"] = pct[inclines.codes]
    broken_ways = np.unique(way_of[~located]).size if (~located).any() else 0
    summary = {
        "ways_kept": len(counts),
        "ways_dropped": dict(sorted(tagged["_dropped"].items())),
        "way_nodes_missing": int(np.unique(ref[~located]).size),
        "ways_cut_at_missing_nodes": int(broken_ways),
    }
    return Network(nodes, edges, int(metric.to_epsg()), source, sha, summary)


@functools.lru_cache(maxsize=8)
def transformer(epsg: int) -> pyproj.Transformer:
    """WGS84 lon/lat → the metric CRS ``epsg`` (x, y), built once per CRS (about 40 ms each)."""
    return pyproj.Transformer.from_crs("EPSG:4326", epsg, always_xy=True)


def _node_tags(nodes: pd.DataFrame, tagged: dict) -> pd.DataFrame:
    """The graph nodes with their tags (untagged nodes get missing values), and ``blocked``."""
    tags = pd.DataFrame({k: v for k, v in tagged.items() if k != "_dropped"})
    tags["node_id"] = tags["node_id"].astype(np.int64)
    out = nodes.merge(tags.drop_duplicates("node_id"), on="node_id", how="left")
    foot, access = out["foot"], out["access"]
    out["blocked"] = (
        out["barrier"].notna()
        & (foot.isin(_FOOT_NO) | (access.isin(_ACCESS_NO) & ~foot.isin(_FOOT_YES)))
    ).to_numpy(dtype=bool)
    return _as_tags(out, NODE_TAGS)


# --- profiles ----------------------------------------------------------------------------------


def profile_edges(network: Network, profile: str) -> np.ndarray:
    """Which edges ``profile`` may use (a boolean per edge); see the module's table."""
    if profile not in PROFILES:
        raise ValueError(f"Expected a profile among {', '.join(PROFILES)}; got {profile!r}.")
    edges, nodes = network.edges, network.nodes
    u, v = edges["u"].to_numpy(), edges["v"].to_numpy()
    blocked = nodes["blocked"].to_numpy(dtype=bool)
    allowed = ~(blocked[u] | blocked[v])
    if profile != "wheelchair":
        return allowed
    # A raised kerb, or a barrier a wheelchair cannot pass (wheelchair=no: a kissing gate,
    # a stile), closes every edge through the node; a stop's own wheelchair=no does not.
    raised = (nodes["kerb"] == "raised").to_numpy(dtype=bool) | (
        nodes["barrier"].notna() & (nodes["wheelchair"] == "no")
    ).to_numpy(dtype=bool)
    steps = (edges["highway"] == "steps").to_numpy(dtype=bool)
    ramp = (edges["ramp_wheelchair"] == "yes").to_numpy(dtype=bool)
    steep = np.abs(edges["incline_pct"].to_numpy("float64")) > MAX_INCLINE_PCT
    return (
        allowed
        & ~(steps & ~ramp)
        & ~(edges["wheelchair"] == "no").to_numpy(dtype=bool)
        & ~steep
        & ~(edges["kerb"] == "raised").to_numpy(dtype=bool)
        & ~(raised[u] | raised[v])
    )


def edge_weights(network: Network, profile: str) -> np.ndarray:
    """Cost of each edge for route choice: its length, or more for ``blind`` off tactile paving."""
    length = network.edges["length_m"].to_numpy("float64")
    if profile != "blind":
        return length
    tactile = (network.edges["tactile_paving"] == "yes").to_numpy(dtype=bool)
    return np.where(tactile, length, length * BLIND_PENALTY)


# --- build, cache, files -----------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_path(sha256: str, *, folder: Path | None = None) -> Path:
    """The cache folder of the network built from the extract with this SHA-256."""
    return (folder or boundaries.cache_dir()) / f"network-{RECIPE}-{sha256}"


def _write_cache(network: Network, path: Path) -> None:
    """Write to a temporary folder beside ``path``, then rename it into place (atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent))
    try:
        network.nodes.to_parquet(tmp / "nodes.parquet", index=False)
        network.edges.to_parquet(tmp / "edges.parquet", index=False)
        meta = {"epsg": network.epsg, "source": network.source, "summary": network.summary}
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        # Another process renamed its copy first (the same bytes): keep that one.
        shutil.rmtree(tmp, ignore_errors=True)
        if not path.is_dir():
            raise


def _as_tags(frame: pd.DataFrame, keys: tuple[str, ...]) -> pd.DataFrame:
    """Tag columns as categoricals, as built (a file may give text, or object when empty)."""
    for key in keys:
        column = key.replace(":", "_")
        frame[column] = pd.Categorical(frame[column].astype(object).where(frame[column].notna()))
    return frame


def _read_cache(path: Path, sha: str) -> Network:
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    nodes = _as_tags(pd.read_parquet(path / "nodes.parquet"), NODE_TAGS)
    edges = _as_tags(pd.read_parquet(path / "edges.parquet"), EDGE_TAGS)
    return Network(nodes, edges, meta["epsg"], meta["source"], sha, meta["summary"])


def build_network(
    source: str | Path | bytes,
    *,
    name: str | None = None,
    folder: Path | None = None,
    use_cache: bool = True,
) -> Network:
    """
    The pedestrian graph of an ``.osm.pbf`` or ``.osm`` extract (a path, or its bytes).

    The file passes :func:`geo._osm.check_osm` first, as :func:`geo.infra.read_infra`'s do
    (a PBF's header, XML rooted at ``<osm>`` with no DOCTYPE, read whole), else
    :class:`~geo.errors.InputError`. A graph already built from the same bytes is read from
    the cache (``folder``, default ``$ATLAS_CACHE_DIR``). Node coordinates are WGS84 (OSM's
    own) with metric ``x``/``y``.
    """
    if isinstance(source, bytes | bytearray):
        label = name or "upload.osm.pbf"
        if len(source) > _osm.MAX_OSM_BYTES:
            raise InputError(f"Expected an OSM extract under 2 GB; {label!r} is larger.")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / ("upload" + "".join(Path(label).suffixes[-2:]))
            path.write_bytes(source)
            _osm.check_osm(path, label)
            return _build_checked(path, label, folder, use_cache)
    path = Path(source)
    label = name or path.name
    if Path(label).suffix.lower() not in (".pbf", ".osm"):
        raise InputError(f"Expected an OSM extract (.osm.pbf or .osm); got {label!r}.")
    if not path.is_file():
        raise InputError(f"Expected an OSM extract, but {str(path)!r} does not exist.")
    _osm.check_osm(path, label)
    return _build_checked(path, label, folder, use_cache)


def _build_checked(path: Path, label: str, folder: Path | None, use_cache: bool) -> Network:
    sha = _sha256(path)
    cached = cache_path(sha, folder=folder)
    if use_cache and cached.is_dir():
        return dataclasses.replace(_read_cache(cached, sha), source=label)
    try:
        ways, points, tagged = _read_osm(path)
    except RuntimeError as exc:
        # libosmium's own refusals: broken XML or PBF, and XML entities however well hidden.
        raise InputError(
            f"Expected a readable OSM extract; {label!r} could not be read: {exc}. "
            "Download or export it again (.osm.pbf, or .osm XML without a DOCTYPE)."
        ) from exc
    network = _graph(ways, points, tagged, label, sha)
    if use_cache:
        _write_cache(network, cached)
    return network


def read_network(path: str | Path) -> Network:
    """Read back a network GeoPackage written by ``atlas network`` (layers nodes, edges)."""
    path = Path(path)
    try:
        layers = set(pyogrio.list_layers(path)[:, 0])
    except pyogrio.errors.DataSourceError as exc:
        raise InputError(f"Expected a network .gpkg from `atlas network`: {exc}") from exc
    missing = sorted({"nodes", "edges", "network"} - layers)
    if missing:
        raise InputError(
            f"Expected the layers nodes, edges and network of `atlas network`; {path.name} "
            f"lacks {missing}. Write it with `atlas network EXTRACT --out network.gpkg`."
        )
    meta = pyogrio.read_dataframe(path, layer="network").iloc[0]
    nodes = pd.DataFrame(pyogrio.read_dataframe(path, layer="nodes", read_geometry=False))
    edges = pd.DataFrame(pyogrio.read_dataframe(path, layer="edges", read_geometry=False))
    epsg = int(meta["epsg"])
    nodes["x"], nodes["y"] = transformer(epsg).transform(
        nodes["lon"].to_numpy(), nodes["lat"].to_numpy()
    )
    nodes["blocked"] = nodes["blocked"].astype(bool)
    nodes = _as_tags(nodes, NODE_TAGS)
    edges = edges.drop(
        columns=[c for c in edges if c.startswith("profile_") or c in ("u_id", "v_id")]
    )
    edges = _as_tags(edges, EDGE_TAGS)
    summary = json.loads(meta["summary"])
    return Network(nodes, edges, epsg, str(meta["source"]), str(meta["sha256"]), summary)


def load_network(source: str | Path, *, folder: Path | None = None) -> Network:
    """A network from an ``atlas network`` GeoPackage, or built from an OSM extract."""
    if Path(source).suffix.lower() == ".gpkg":
        return read_network(source)
    return build_network(source, folder=folder)
