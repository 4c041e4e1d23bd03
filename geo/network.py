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

A network GeoPackage (``atlas network --out``) is read back only if this toolkit wrote it
and nobody changed it since: its ``network`` table names :data:`SCHEMA` and holds the
SHA-256 of what the network holds (:func:`content_sha256`). Before that hash is compared,
:func:`read_network` checks what a hand-made or edited file gets wrong, each with its own
refusal: a file GDAL cannot open, missing layers, columns missing or of another type (read
from the file's header), more rows than a network built within the caps, lengths in a CRS of
degrees (EPSG:4326 taken as metres gave wrong reaches with exit 0), a missing CRS, no nodes or
edges, empty values, edges naming nodes that do not exist, and lengths that are missing,
negative (scipy's Dijkstra then grew to 17 GB) or not the distance between their nodes.
"""

from __future__ import annotations

import array
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

from geo import _worker, boundaries, crs
from geo.coverage import WALK_PROFILES
from geo.errors import InputError
from geo.io import osm as _osm

__all__ = [
    "BLIND_PENALTY",
    "BUILD_CPU_SECONDS",
    "BUILD_MEMORY",
    "BUILD_SECONDS",
    "EDGE_TAGS",
    "ERROR_CODES",
    "LENGTH_TOLERANCE_M",
    "MAX_INCLINE_PCT",
    "MAX_NETWORK_REFS",
    "NODE_TAGS",
    "PEDESTRIAN_RULES",
    "PROFILES",
    "RECIPE",
    "SCHEMA",
    "WALKABLE_HIGHWAYS",
    "Network",
    "build_network",
    "build_network_bounded",
    "cache_path",
    "content_sha256",
    "edge_weights",
    "load_network",
    "parse_incline",
    "profile_edges",
    "read_network",
    "transformer",
]

#: Bump when a rule changes: it is part of the cache key.
RECIPE = "walk-2"
#: What a network GeoPackage's ``network`` table names as its format; another (or none) is
#: refused. Bump when the layers change.
SCHEMA = "atlas-network/1"
#: How far a length may be from the distance between its nodes (metres): the same
#: transformation gives the same metres, so this is rounding only.
LENGTH_TOLERANCE_M = 0.01
#: Most node references an extract's streets and paths (``highway=*``) may list to build a
#: network from it: a large city's. Each costs about 150 bytes while the graph is built and
#: 1.5 KB while ``atlas network`` writes its GeoPackage. Counted before anything is built
#: (:func:`geo.io.osm.check_osm`).
MAX_NETWORK_REFS = 1_000_000
#: Wall-clock seconds, processor seconds and memory (bytes added) to build a network from an
#: upload in its own process (:func:`build_network_bounded`); the largest extract within the
#: caps takes about 5 s of processor time and peaks at 650 MB in all.
BUILD_SECONDS = 300
BUILD_CPU_SECONDS = 120
BUILD_MEMORY = 2 * 2**30
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
        ``network`` holds the source, SHA-256, CRS and summary, with :data:`SCHEMA` and the
        :func:`content_sha256` that :func:`read_network` checks.
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
            | {"schema": [SCHEMA], "content_sha256": [content_sha256(self)]}
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


def _way_kept(tags: dict[str, str | None]) -> str | None:
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
    ways: dict[str, list[int | str | None]] = {"way_id": [], "count": []}
    ways |= {t: [] for t in EDGE_TAGS}
    # Machine integers (8 bytes each), not Python ints in lists (about 40 bytes each).
    refs, xs, ys = array.array("q"), array.array("q"), array.array("q")
    nodes: dict[str, list[int | str | None]] = {"node_id": []}
    nodes |= {t: [] for t in NODE_TAGS}
    dropped: dict[str, int] = {}
    for obj in processor:
        get = obj.tags.get
        if isinstance(obj, osmium.osm.Node):
            nodes["node_id"].append(obj.id)
            for key in NODE_TAGS:
                nodes[key].append(get(key))
            continue
        if not isinstance(obj, osmium.osm.Way):
            continue  # the processor reads nodes and ways only
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
        for node in way_nodes:
            refs.append(node.ref)
            xs.append(node.x)
            ys.append(node.y)
    x, y = np.frombuffer(xs, dtype=np.int64), np.frombuffer(ys, dtype=np.int64)
    ref = np.frombuffer(refs, dtype=np.int64)
    # libosmium marks a node absent from the file with the largest int32 coordinate.
    missing = (x == _UNDEFINED) | (y == _UNDEFINED)
    points = {
        "ref": ref,
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
    epsg = metric.to_epsg()
    assert epsg is not None  # metric_crs builds its CRS from an EPSG code
    # Axis order: lon/lat in, x (east)/y (north) metres out.
    x, y = transformer(epsg).transform(node_lon[keep], node_lat[keep])
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
        # One code per edge from its way's tags (an object column per tag was 88 bytes an
        # edge), as _as_tags would make it: only the values in use, sorted.
        per_way = pd.Categorical(pd.Series(ways[key], dtype=object))
        edges[key.replace(":", "_")] = pd.Categorical.from_codes(
            per_way.codes[way_index], per_way.categories
        ).remove_unused_categories()
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
    return Network(nodes, edges, epsg, source, sha, summary)


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

    The file passes :func:`geo.io.osm.check_osm` first, as :func:`geo.infra.read_infra`'s do
    (a PBF's header, XML rooted at ``<osm>`` with no DOCTYPE, read whole), else
    :class:`~geo.errors.InputError`. A graph already built from the same bytes is read from
    the cache (``folder``, default ``$ATLAS_CACHE_DIR``). Node coordinates are WGS84 (OSM's
    own) with metric ``x``/``y``.
    """
    if isinstance(source, bytes | bytearray):
        label = name or "upload.osm.pbf"
        if len(source) > _osm.MAX_OSM_BYTES:
            raise _osm.too_large(label, len(source))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / ("upload" + "".join(Path(label).suffixes[-2:]))
            path.write_bytes(source)
            sha256 = hashlib.sha256(source).hexdigest()
            _osm.check_osm(path, label, max_refs=MAX_NETWORK_REFS, sha256=sha256)
            return _build_checked(path, label, folder, use_cache)
    path = Path(source)
    label = name or path.name
    if Path(label).suffix.lower() not in (".pbf", ".osm"):
        raise InputError(
            f"Expected an OSM extract (.osm.pbf or .osm); got {label!r}.",
            code="osm_suffix",
            details={"name": label},
        )
    if not path.is_file():
        raise _osm.missing(path, label)
    _osm.check_osm(path, label, max_refs=MAX_NETWORK_REFS)
    return _build_checked(path, label, folder, use_cache)


def build_network_bounded(data: bytes, *, name: str) -> Network:
    """
    :func:`build_network` of an upload's bytes, in a child process bounded in time and memory.

    The app builds uploads this way (:func:`geo._worker.run_bounded`, within
    :data:`BUILD_SECONDS`, :data:`BUILD_CPU_SECONDS` and :data:`BUILD_MEMORY`): the server's
    process keeps only the network, not what building it took, and its other pages go on
    meanwhile. An extract this process has read whole already (as infrastructure) is not
    read whole again in the child, and one the child read whole is known here after
    (:func:`geo.io.osm.read_whole`): one whole-file check per upload.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    built, refs = _worker.run_bounded(
        _build_upload,
        data,
        name,
        _osm.read_whole(sha256, name),
        seconds=BUILD_SECONDS,
        cpu_seconds=BUILD_CPU_SECONDS,
        memory=BUILD_MEMORY,
        label=name,
    )
    _osm.remember_whole(sha256, name, refs)
    return built


def _build_upload(data: bytes, name: str, refs: int | None) -> tuple[Network, int]:
    """
    :func:`build_network` of an upload in the bounded child, with its streets' references.

    ``refs`` is what the parent's whole-file check found (None: not read whole there): the
    child's check then reads only the format, and still holds the file to the network's cap.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    if refs is not None:
        _osm.remember_whole(sha256, name, refs)
    built = build_network(data, name=name)
    # build_network's check noted the content (or met the parent's note): known here.
    return built, _osm.read_whole(sha256, name) or 0


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
            "Download or export it again (.osm.pbf, or .osm XML without a DOCTYPE).",
            code="osm_unreadable",
            details={"name": label},
        ) from exc
    negative = np.flatnonzero(points["ref"] < 0)
    if negative.size:
        # The whole-file check saw each way's ends; a new node inside a way is found here.
        way = np.searchsorted(np.cumsum(ways["count"]), negative[0], side="right")
        raise _osm.negative_ids(label, int(ways["way_id"][way]))
    network = _graph(ways, points, tagged, label, sha)
    if use_cache:
        _write_cache(network, cached)
    return network


#: Codes of the refusals of a network GeoPackage, each worded in the app's catalogue.
ERROR_CODES = (
    "network_unreadable",
    "network_layers",
    "network_schema",
    "network_columns",
    "network_size",
    "network_crs",
    "network_empty",
    "network_nodes",
    "network_lengths",
    "network_changed",
)
_EDGE_COLUMNS = ("u", "v", "way_id", "length_m", "incline_pct")
_NODE_COLUMNS = ("node_id", "lon", "lat", "blocked")
# The columns read back from each layer and the types a GeoPackage may declare for them
# (pyogrio's names; text is "object"), as Network.layers writes them. Others are ignored.
_INTEGER, _REAL, _TEXT = ("int64", "int32", "int16"), ("float64", "float32"), ("object",)
_LAYOUT: dict[str, dict[str, tuple[str, ...]]] = {
    "network": {"source": _TEXT, "sha256": _TEXT, "epsg": _INTEGER, "summary": _TEXT}
    | {"schema": _TEXT, "content_sha256": _TEXT},
    "nodes": {"node_id": _INTEGER, "lon": _REAL, "lat": _REAL, "blocked": ("bool", *_INTEGER)}
    | {key: _TEXT for key in NODE_TAGS},
    "edges": {"u": _INTEGER, "v": _INTEGER, "way_id": _INTEGER}
    | {"length_m": _REAL, "incline_pct": _REAL}
    | {key.replace(":", "_"): _TEXT for key in EDGE_TAGS},
}
#: Columns that may hold no value: an untagged incline (the tags are text, empty when untagged).
_MAY_BE_EMPTY = {"incline_pct"}


def content_sha256(network: Network) -> str:
    """
    SHA-256 of what a network holds: CRS, source, summary, nodes and edges with their tags.

    Computed from values a GeoPackage keeps exactly (integers, doubles, text), so a network
    written and read back hashes the same, and any edit to a length, a node, a tag or the
    summary does not.
    """
    summary = json.dumps(network.summary, ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(
        "\x1f".join([SCHEMA, str(network.epsg), network.source, network.sha256, summary]).encode()
    )
    for frame, numbers, tags in (
        (network.nodes, _NODE_COLUMNS, NODE_TAGS),
        (network.edges, _EDGE_COLUMNS, EDGE_TAGS),
    ):
        digest.update(str(len(frame)).encode())
        for column in numbers:
            values = frame[column].to_numpy()
            kind = "<f8" if values.dtype.kind == "f" else "<i8"
            digest.update(column.encode() + np.ascontiguousarray(values, dtype=kind).tobytes())
        for key in tags:
            # A tag column as its sorted values and one code per row (-1: untagged).
            column = pd.Categorical(frame[key.replace(":", "_")].astype(object))
            digest.update(key.encode() + "\x1f".join(column.categories).encode())
            digest.update(np.asarray(column.codes, dtype="<i4").tobytes())
    return digest.hexdigest()


def _refuse(path: Path, code: str, problem: str, **details: str) -> InputError:
    return InputError(
        f"Expected a network GeoPackage written by `atlas network`; {path.name} {problem} "
        "Write it again with `atlas network EXTRACT --out network.gpkg`, or give the OSM "
        "extract itself to --network.",
        code=code,
        details={"name": path.name, **details},
    )


def read_network(path: str | Path) -> Network:
    """
    Read back a network GeoPackage written by ``atlas network`` (layers nodes, edges, network).

    Refused (:class:`~geo.errors.InputError`, codes :data:`ERROR_CODES`) unless GDAL opens
    it, its ``network`` table is one row naming :data:`SCHEMA`, every layer has the columns
    read back with the types written and at most :data:`MAX_NETWORK_REFS` rows, its CRS is a
    projected one in metres and its nodes are in WGS84, it has nodes and edges with no empty
    number, every edge joins two of its nodes, every length is the distance between its nodes
    (finite, not negative), and what it holds still hashes to its ``content_sha256``.
    """
    path = Path(path)
    try:
        layers = set(pyogrio.list_layers(path)[:, 0])
    except pyogrio.errors.DataSourceError as exc:
        raise _refuse(
            path, "network_unreadable", f"cannot be read as a GeoPackage ({exc})."
        ) from exc
    missing = sorted(set(_LAYOUT) - layers)
    if missing:
        raise _refuse(
            path, "network_layers", f"lacks the layers {missing}.", layers=", ".join(missing)
        )
    meta = pd.DataFrame(pyogrio.read_dataframe(path, layer="network", read_geometry=False))
    if len(meta) != 1:
        raise _refuse(path, "network_schema", f"has {len(meta)} rows in its network table, not 1.")
    if "schema" not in meta or meta["schema"].iloc[0] != SCHEMA:
        found = meta["schema"].iloc[0] if "schema" in meta else None
        raise _refuse(path, "network_schema", f"names the format {found!r}, not {SCHEMA!r}.")
    _check_layout(path)
    meta = meta.iloc[0]
    epsg = _metric_epsg(path, meta["epsg"])
    nodes = pd.DataFrame(pyogrio.read_dataframe(path, layer="nodes", read_geometry=False))
    edges = pd.DataFrame(pyogrio.read_dataframe(path, layer="edges", read_geometry=False))
    if nodes.empty or edges.empty:
        raise _refuse(path, "network_empty", f"has {len(nodes)} nodes and {len(edges)} edges.")
    _check_values(path, "nodes", nodes)
    _check_values(path, "edges", edges)
    nodes["x"], nodes["y"] = transformer(epsg).transform(
        nodes["lon"].to_numpy(), nodes["lat"].to_numpy()
    )
    nodes["blocked"] = nodes["blocked"].astype(bool)
    nodes = _as_tags(nodes, NODE_TAGS)
    edges = edges.drop(
        columns=[c for c in edges if c.startswith("profile_") or c in ("u_id", "v_id")]
    )
    _check_edges(path, nodes, edges)
    edges = _as_tags(edges, EDGE_TAGS)
    try:
        summary = json.loads(str(meta["summary"]))
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        summary = None  # not what Network.layers wrote: the hash below cannot match
    network = Network(nodes, edges, epsg, str(meta["source"]), str(meta["sha256"]), summary or {})
    if not isinstance(summary, dict) or content_sha256(network) != meta["content_sha256"]:
        raise _refuse(
            path,
            "network_changed",
            "was changed after `atlas network` wrote it (its nodes, edges or tags no longer "
            "hash to the SHA-256 it was written with).",
        )
    return network


def _check_layout(path: Path) -> None:
    """
    Each layer has the columns read back, of the types written, and not too many rows.

    Checked in the file's header, before any row is read: at most :data:`MAX_NETWORK_REFS`
    rows a layer (a network built within the caps has fewer).
    """
    for layer, columns in _LAYOUT.items():
        info = pyogrio.read_info(path, layer=layer)
        declared = dict(zip(info["fields"], info["dtypes"], strict=True))
        wrong = [name for name, types in columns.items() if declared.get(name) not in types]
        if wrong:
            raise _refuse(
                path,
                "network_columns",
                f"lacks the columns {wrong} in its layer {layer!r}, or they are not of the type "
                "written.",
                layer=layer,
                columns=", ".join(wrong),
            )
        if info["features"] > MAX_NETWORK_REFS:
            raise _refuse(
                path,
                "network_size",
                f"has {info['features']:,} rows in its layer {layer!r}, more than the "
                f"{MAX_NETWORK_REFS:,} (MAX_NETWORK_REFS) of a network built within the caps.",
                layer=layer,
                rows=f"{info['features']:,}",
                cap=f"{MAX_NETWORK_REFS:,}",
            )


def _check_values(path: Path, layer: str, frame: pd.DataFrame) -> None:
    """No number of ``layer`` is empty, except those that may be (:data:`_MAY_BE_EMPTY`)."""
    numbers = [c for c, types in _LAYOUT[layer].items() if types != _TEXT]
    empty = [c for c in numbers if c not in _MAY_BE_EMPTY and frame[c].isna().any()]
    if empty:
        raise _refuse(
            path,
            "network_columns",
            f"has empty values in the columns {empty} of its layer {layer!r}.",
            layer=layer,
            columns=", ".join(empty),
        )


def _metric_epsg(path: Path, written: object) -> int:
    """The network's metric CRS; refused when missing or not in metres, or nodes not WGS84."""
    nodes_crs = pyogrio.read_info(path, layer="nodes")["crs"]
    try:
        crs_ = pyproj.CRS.from_epsg(int(str(written)))
    except (ValueError, pyproj.exceptions.CRSError):
        crs_ = None
    units = {axis.unit_name for axis in crs_.axis_info} if crs_ is not None else set()
    if crs_ is None or not crs_.is_projected or units != {"metre"}:
        raise _refuse(
            path,
            "network_crs",
            f"gives its lengths in EPSG:{written}, which is not a projected CRS in metres "
            "(degrees would be taken as metres).",
            crs=f"EPSG:{written}",
        )
    if nodes_crs is None or pyproj.CRS.from_user_input(nodes_crs) != pyproj.CRS("EPSG:4326"):
        raise _refuse(
            path,
            "network_crs",
            f"has nodes in {nodes_crs or 'no CRS'}, not WGS84 (EPSG:4326).",
            crs=str(nodes_crs or "—"),
        )
    return crs_.to_epsg() or int(str(written))


def _check_edges(path: Path, nodes: pd.DataFrame, edges: pd.DataFrame) -> None:
    """Every edge joins two nodes of the file, and its length is the distance between them."""
    u, v = edges["u"].to_numpy(), edges["v"].to_numpy()
    if u.dtype.kind not in "iu" or v.dtype.kind not in "iu":
        bad = len(edges)
    else:
        bad = int(((u < 0) | (u >= len(nodes)) | (v < 0) | (v >= len(nodes))).sum())
    if bad:
        raise _refuse(
            path,
            "network_nodes",
            f"has {bad:,} of {len(edges):,} edges naming nodes it does not hold (rows 0 to "
            f"{len(nodes) - 1:,}).",
            edges=f"{bad:,}",
        )
    length = pd.to_numeric(edges["length_m"], errors="coerce").to_numpy(dtype="float64")
    x, y = nodes["x"].to_numpy(), nodes["y"].to_numpy()
    between = np.hypot(x[v] - x[u], y[v] - y[u])
    wrong = ~np.isfinite(length) | (length < 0) | ~(np.abs(length - between) <= LENGTH_TOLERANCE_M)
    if wrong.any():
        first = int(np.flatnonzero(wrong)[0])
        raise _refuse(
            path,
            "network_lengths",
            f"has {int(wrong.sum()):,} edges whose length is missing, negative or not the "
            f"distance between their nodes (the first, row {first}: {float(length[first])!r} m for "
            f"{between[first]:.2f} m).",
            edges=f"{int(wrong.sum()):,}",
        )


def load_network(source: str | Path, *, folder: Path | None = None) -> Network:
    """A network from an ``atlas network`` GeoPackage, or built from an OSM extract."""
    if Path(source).suffix.lower() == ".gpkg":
        return read_network(source)
    return build_network(source, folder=folder)
