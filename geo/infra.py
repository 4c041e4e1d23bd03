"""
Accessibility infrastructure: read OpenStreetMap extracts and survey files into feature types.

Every source ends as an :class:`Infra`: one row per feature and type in EPSG:4326 (a bus stop
with tactile paving and ``wheelchair=yes`` is three rows: ``tactile_paving``, ``bus_stop``
and ``accessible_bus_stop``), the extent the source covers, and a quarantine of what could
not be used, with a reason. The tag rules are :data:`OSM_RULES`, the same text as the
README's table; survey files name their types in a column through :data:`SURVEY_TYPES`.

OSM is read with GDAL's OSM driver through pyogrio (``.osm.pbf`` and ``.osm``), configured by
``data/osmconf.ini`` so each tag the rules need is a column. Measured against peers in
``bench/osm_import.py`` (same counts from all of them): on the three real extracts it takes
0.2-0.26 s, pyosmium 0.02-0.09 s and pyrosm 0.06-0.10 s (pbf only); 90% of its time is GDAL
parsing the file once per layer. Kept for now because GDAL is the reader the rest of the
toolkit already trusts for uploads, it reads both formats and assembles areas in C++ with no
Python loop per element. Whether pyosmium should replace it is for a benchmark at 100k-1M
features to decide.
"""

from __future__ import annotations

import configparser
import dataclasses
import functools
import hashlib
import json
import math
import tempfile
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import boundaries, crs, gazetteer
from geo._data import DATA_DIR
from geo.errors import InputError
from geo.io import cells as _cells
from geo.io import gdal as _gdal
from geo.io import osm as _osm
from geo.io import sheets as _sheets
from geo.io import vector as _vector

__all__ = [
    "DETAILS",
    "FEATURE_TYPES",
    "GEOMETRY_NAMES",
    "GEOMETRY_TYPES",
    "KINDS",
    "OSM_RULES",
    "REASONS",
    "SURVEY_FIELDS",
    "SURVEY_TYPES",
    "Infra",
    "area_tags",
    "declare_coverage",
    "read_infra",
    "read_osm",
    "read_survey",
    "survey_extent",
]

#: The feature types, in the order layers and counts list them.
FEATURE_TYPES = (
    "tactile_paving",
    "curb_ramp",
    "accessible_bus_stop",
    "bus_stop",
    "accessible_toilet",
    "elevator",
    "sidewalk",
)
#: The geometry types a feature may have, each also as its Multi form: any other (a
#: GeometryCollection, a bare LinearRing) is quarantined as ``wrong_geometry``.
GEOMETRY_TYPES = ("Point", "LineString", "Polygon")
#: Where features come from (``Infra.kind``): an OSM extract, or a survey (table or file).
KINDS = ("osm", "survey")
POINT_TYPES = ("curb_ramp", "accessible_bus_stop", "bus_stop", "accessible_toilet", "elevator")

#: Type → the OSM rule, as implemented below (and in the README's table).
OSM_RULES: dict[str, str] = {
    "tactile_paving": (
        "ways with tactile_paving=yes and highway=footway|pedestrian|path or "
        "footway=sidewalk|crossing or highway=crossing (lines); nodes with tactile_paving=yes "
        "that are a crossing (highway=crossing, railway=crossing or any crossing=*), a kerb "
        "(barrier=kerb or any kerb=*) or a stop (highway=bus_stop, public_transport=platform|"
        "stop_position, railway=tram_stop|platform) (points)"
    ),
    "curb_ramp": (
        "nodes with kerb=lowered|flush; ways with kerb=lowered|flush give their two end nodes; "
        "a point given twice (an end node that is itself tagged) counts once"
    ),
    "accessible_bus_stop": "a bus_stop (below) with wheelchair=yes",
    "bus_stop": (
        "highway=bus_stop or public_transport=platform: nodes, and ways or areas at their "
        "representative point"
    ),
    "accessible_toilet": (
        "amenity=toilets with wheelchair=yes or toilets:wheelchair=yes: nodes, and ways or "
        "areas at their representative point"
    ),
    "elevator": "highway=elevator: nodes, and ways or areas at their representative point",
    "sidewalk": "ways with footway=sidewalk (lines): the denominator of the tactile paving rate",
}

#: Survey column → header synonyms (compared like ledger headers: NFKC, no spaces or units).
SURVEY_FIELDS: dict[str, tuple[str, ...]] = {
    "type": ("设施类型", "类型", "设施类别", "类别", "设施", "type", "feature_type", "category"),
    "name": ("名称", "设施名称", "位置描述", "name"),
    "id": ("编号", "设施编号", "id", "code", "source_id"),
    "lon": ("经度", "lon", "lng", "longitude", "x"),
    "lat": ("纬度", "lat", "latitude", "y"),
    "datum": ("坐标系", "坐标系统", "datum", "crs"),
}

#: Type → the words a survey's type column may hold for it (NFKC-folded, lower-case).
SURVEY_TYPES: dict[str, tuple[str, ...]] = {
    "tactile_paving": (
        "盲道",
        "提示盲道",
        "行进盲道",
        "盲道砖",
        "tactile paving",
        "tactile_paving",
    ),
    "curb_ramp": ("缘石坡道", "路缘石坡道", "路缘坡道", "curb ramp", "kerb ramp", "curb_ramp"),
    "accessible_bus_stop": (
        "无障碍公交站",
        "无障碍公交站台",
        "无障碍公交车站",
        "accessible bus stop",
        "accessible_bus_stop",
    ),
    "bus_stop": ("公交站", "公交站台", "公交车站", "公交停靠站", "bus stop", "bus_stop"),
    "accessible_toilet": (
        "无障碍厕所",
        "无障碍卫生间",
        "第三卫生间",
        "accessible toilet",
        "accessible_toilet",
    ),
    "elevator": ("电梯", "无障碍电梯", "加装电梯", "elevator", "lift"),
    "sidewalk": ("人行道", "sidewalk"),
}
_TYPE_LOOKUP = {
    w.replace(" ", ""): t for t, words in SURVEY_TYPES.items() for w in (*words, t) if w
}
_FIELD_SYNONYMS = {
    _sheets.header_key(w): field for field, words in SURVEY_FIELDS.items() for w in words
}

#: Reason codes of quarantined survey rows and OSM features; layers words each with its
#: ``column`` and ``detail`` (``row_<code>`` in data/wording.toml).
REASONS: tuple[str, ...] = (
    *_sheets.ROW_REASONS,
    "missing_type",
    "unknown_type",
    "no_geometry",
    "wrong_geometry",
    "invalid_geometry",
    "empty_geometry",
)
#: Details that need words, code → the parameters they take besides the row's ``detail``
#: (besides those of :data:`geo.io.sheets.DETAILS`); layers words them (``qdetail_<code>``).
DETAILS: dict[str, tuple[str, ...]] = {
    "geometry": ("geometry",),  # a geometry type of GEOMETRY_NAMES
    "too_wide": ("span",),  # degrees of longitude
    "open_rings": (),  # an OSM area whose rings the extract does not close
}
_PARAMS = "detail_params"

_YES = ("yes",)
#: Every geometry type by shapely's type id, as a detail names it (``geometry_<name>``).
GEOMETRY_NAMES = np.array(
    [
        "Point",
        "LineString",
        "LinearRing",
        "Polygon",
        "MultiPoint",
        "MultiLineString",
        "MultiPolygon",
        "GeometryCollection",
    ],
    dtype=object,
)
# shapely's type ids of GEOMETRY_TYPES and their Multi forms (0, 1, 3, 4, 5, 6).
_ALLOWED_TYPE_IDS = np.flatnonzero(
    np.isin([n.removeprefix("Multi") for n in GEOMETRY_NAMES], GEOMETRY_TYPES)
)
_RAMP_KERBS = ("lowered", "flush")
_OSMCONF = DATA_DIR / "osmconf.ini"
#: GDAL's OSM driver reserves its in-memory temporary database whole on every open (GDAL's
#: default, 100 MB, zeroed: 0.1-0.2 s per open of a 90 KB extract, three opens a read); past
#: it, the database goes on to a file on disk, so a smaller reservation loses nothing.
_OSM_TMP_MB_PER_MB = 16
_OSM_TMP_MB = (1, 100)


def _osm_options(path: Path) -> dict[str, str]:
    """
    GDAL's OSM driver's open options for ``path``: the project's tags, a database sized to it.

    Open options of one open, not process-wide config; no other allowed driver knows them,
    so each read checks its own driver (:func:`geo.io.gdal.read_own_raw`).
    """
    low, high = _OSM_TMP_MB
    reserve = min(high, max(low, math.ceil(path.stat().st_size * _OSM_TMP_MB_PER_MB / 2**20)))
    return {
        "CONFIG_FILE": str(_OSMCONF),
        # GDAL's fast node index needs node ids in increasing order; an extract edited or
        # written by hand may not have them, and the general index reads it whole.
        "USE_CUSTOM_INDEXING": "NO",
        "MAX_TMPFILE_SIZE": str(reserve),
    }


@dataclasses.dataclass
class Infra:
    """
    Accessibility features from one source, in EPSG:4326.

    ``features`` has ``type`` (one of :data:`FEATURE_TYPES`), ``source``, ``source_id``
    (``node/123``, ``way/45``, ``row 7``), ``name`` and the geometry: points, or lines for
    tactile paving and sidewalks. ``extent`` is the area the source covers: for an OSM
    extract the convex hull of everything read, tagged or not; for a survey, per district,
    the hull of the features in it (:func:`survey_extent`), or the districts declared whole.
    Metrics call a district outside it "no data", never zero. ``quarantine`` lists what was
    refused, with ``row``, ``reason`` and messages. ``sheet`` is the workbook sheet read.
    """

    features: gpd.GeoDataFrame
    extent: shapely.Geometry | None
    quarantine: pd.DataFrame
    source: str
    kind: str
    sheet: str | None = None
    sheets: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Features per type, every type listed (0 when absent)."""
        found = self.features["type"].value_counts()
        return {t: int(found.get(t, 0)) for t in FEATURE_TYPES}

    def summary(self) -> dict[str, object]:
        """The CLI's one-line JSON: counts per type, tactile lines and points, quarantine."""
        tactile = self.features[self.features["type"] == "tactile_paving"].geometry
        by_reason = self.quarantine["reason"].value_counts().sort_index()
        return {
            "source": self.source,
            "kind": self.kind,
            "counts": self.counts(),
            "tactile_paving_lines": int((tactile.geom_type == "LineString").sum()),
            "tactile_paving_points": int((tactile.geom_type == "Point").sum()),
            "quarantined": len(self.quarantine),
            "by_reason": {str(k): int(v) for k, v in by_reason.items()},
        } | ({"sheet": self.sheet, "sheets": dict(self.sheets)} if self.sheet is not None else {})

    def layers(self) -> dict[str, pd.DataFrame]:
        """The GeoPackage layers ``infra``, ``extent`` and ``quarantine``, as read_infra reads."""
        extent = gpd.GeoDataFrame(
            {"source": [self.source], "kind": [self.kind]},
            geometry=[self.extent],
            crs="EPSG:4326",
        )
        return {"infra": self.features, "extent": extent, "quarantine": self.quarantine}


def _empty_features() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {c: pd.Series(dtype=object) for c in ("type", "source", "source_id", "name")},
        geometry=gpd.GeoSeries([], crs="EPSG:4326"),
    )


def _empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame(columns=["row", "reason", "column", "detail_zh", "detail_en", _PARAMS])


# --- OpenStreetMap ---------------------------------------------------------------------------


def area_tags() -> tuple[set[str], set[tuple[str, str]]]:
    """Keys, and key=value pairs, that make GDAL read a closed way as an area (osmconf.ini)."""
    config = configparser.ConfigParser(inline_comment_prefixes=(";",))
    config.read(_OSMCONF)
    entries = config["general"]["closed_ways_are_polygons"].split(",")
    pairs = {(key, value) for key, _, value in (e.partition("=") for e in entries if "=" in e)}
    return {e for e in entries if "=" not in e}, pairs


@dataclasses.dataclass
class _Layer:
    """One layer of GDAL's OSM driver: tag columns (text, None where absent) and geometries."""

    cells: dict[str, np.ndarray]
    geometry: np.ndarray

    def __len__(self) -> int:
        return len(self.geometry)

    def __contains__(self, column: str) -> bool:
        return column in self.cells

    def __getitem__(self, column: str) -> np.ndarray:
        return self.cells[column]


def _tag(frame: _Layer, key: str, accepted: tuple[str, ...] | None = None) -> np.ndarray:
    """Rows whose ``key`` tag is in ``accepted`` (or present at all, when it is None)."""
    column = key.replace(":", "_")
    if column not in frame:
        return np.zeros(len(frame), dtype=bool)
    cells = frame[column]
    if accepted is None:
        return np.asarray(pd.notna(cells), dtype=bool)
    found = np.zeros(len(cells), dtype=bool)
    for value in accepted:
        found |= cells == value
    return found


def _is_stop(frame: _Layer) -> np.ndarray:
    return _tag(frame, "highway", ("bus_stop",)) | _tag(frame, "public_transport", ("platform",))


def _is_accessible_toilet(frame: _Layer) -> np.ndarray:
    return _tag(frame, "amenity", ("toilets",)) & (
        _tag(frame, "wheelchair", _YES) | _tag(frame, "toilets:wheelchair", _YES)
    )


def _point_rules(nodes: _Layer) -> dict[str, np.ndarray]:
    """Type → mask over OSM nodes."""
    crossing = (
        _tag(nodes, "highway", ("crossing",))
        | _tag(nodes, "railway", ("crossing",))
        | _tag(nodes, "crossing")
    )
    kerb = _tag(nodes, "barrier", ("kerb",)) | _tag(nodes, "kerb")
    stop = (
        _is_stop(nodes)
        | _tag(nodes, "public_transport", ("stop_position",))
        | _tag(nodes, "railway", ("tram_stop", "platform"))
    )
    bus_stop = _is_stop(nodes)
    return {
        "tactile_paving": _tag(nodes, "tactile_paving", _YES) & (crossing | kerb | stop),
        "curb_ramp": _tag(nodes, "kerb", _RAMP_KERBS),
        "accessible_bus_stop": bus_stop & _tag(nodes, "wheelchair", _YES),
        "bus_stop": bus_stop,
        "accessible_toilet": _is_accessible_toilet(nodes),
        "elevator": _tag(nodes, "highway", ("elevator",)),
    }


def _area_rules(ways: _Layer) -> dict[str, np.ndarray]:
    """Type → mask over ways and areas that count as one point each."""
    stop = _is_stop(ways)
    return {
        "accessible_bus_stop": stop & _tag(ways, "wheelchair", _YES),
        "bus_stop": stop,
        "accessible_toilet": _is_accessible_toilet(ways),
        "elevator": _tag(ways, "highway", ("elevator",)),
    }


def _line_rules(ways: _Layer) -> dict[str, np.ndarray]:
    """Type → mask over OSM ways drawn as lines."""
    walkway = _tag(ways, "highway", ("footway", "pedestrian", "path", "crossing")) | _tag(
        ways, "footway", ("sidewalk", "crossing")
    )
    return {
        "tactile_paving": _tag(ways, "tactile_paving", _YES) & walkway,
        "sidewalk": _tag(ways, "footway", ("sidewalk",)),
    }


def _osm_rows(
    frame: _Layer,
    rules: dict[str, np.ndarray],
    geometry: np.ndarray,
    ids: np.ndarray,
    source: str,
) -> list[pd.DataFrame]:
    """One block of feature rows per matching rule."""
    names = frame.cells.get("name")
    blocks = []
    for kind, mask in rules.items():
        if not mask.any():
            continue
        blocks.append(
            pd.DataFrame(
                {
                    "type": kind,
                    "source": source,
                    "source_id": ids[mask],
                    "name": names[mask] if names is not None else None,
                    "geometry": geometry[mask],
                }
            )
        )
    return blocks


def _osm_ids(frame: _Layer, prefix: str, used: Iterable[np.ndarray]) -> np.ndarray:
    """``node/1``, ``way/2``: each row's id (``?`` when GDAL gives none) where ``used`` marks it."""
    wanted = np.logical_or.reduce([np.zeros(len(frame), dtype=bool), *used])
    ids = np.full(len(frame), None, dtype=object)
    found = pd.Series(frame["osm_id"][wanted], dtype=object).astype("string")
    ids[wanted] = (prefix + found.fillna("?")).to_numpy(dtype=object)
    return ids


def _area_ids(areas: _Layer, wanted: np.ndarray) -> np.ndarray:
    """An area's way (``way/2``) or else its relation (``relation/3``), where ``wanted``."""
    way = pd.Series(areas["osm_way_id"][wanted], dtype=object).astype("string")
    relation = pd.Series(areas["osm_id"][wanted], dtype=object).astype("string")
    ids = np.full(len(areas), None, dtype=object)
    ids[wanted] = ("way/" + way).where(way.notna(), "relation/" + relation).to_numpy(dtype=object)
    return ids


#: The areas read: those a rule of :func:`_area_rules` may match (GDAL builds each one's rings).
_AREA_WHERE = (
    "amenity = 'toilets' OR public_transport = 'platform' "
    "OR highway IN ('bus_stop', 'platform', 'elevator')"
)


def _read_layer(
    path: Path,
    layer: str,
    name: str,
    options: dict[str, str],
    on_invalid: str = "raise",
    **kwargs: Any,
) -> _Layer:
    """
    One layer of GDAL's OSM driver: its tags (text cells, None where absent) and geometries.

    The tags stay Python objects: the rules compare a few of them, and a frame of pandas'
    string type (inferred cell by cell for each of the dozen columns) cost more than the rules.
    """
    # Not through Arrow: its stream ends quietly where GDAL fails to parse the file (a PBF
    # block it cannot inflate gave 0 features, exit 0); feature by feature GDAL raises.
    try:
        with warnings.catch_warnings():
            # Extracts cut at a bounding box hold relations with rings that the cut left
            # open; GDAL warns per ring. Such areas are kept (invalid) or come back empty.
            warnings.filterwarnings("ignore", category=RuntimeWarning, module="pyogrio")
            meta, _, wkb, cells = _gdal.read_own_raw(path, "OSM", options, layer=layer, **kwargs)
            geometry = shapely.from_wkb(wkb, on_invalid=on_invalid)
    except _gdal.GDAL_ERRORS as exc:
        raise InputError(
            f"Expected an OSM extract GDAL can read to its end; reading the {layer} of {name!r} "
            f"it stopped: {exc}. Download the extract again, or convert it with osmium "
            "(osmium cat in.osm.pbf -o out.osm).",
            code="osm_unreadable",
            details={"name": name},
        ) from None
    return _Layer(dict(zip(meta["fields"], cells, strict=True)), geometry)


def read_osm(path: str | Path, *, name: str | None = None, sha256: str | None = None) -> Infra:
    """
    Read an ``.osm.pbf`` or ``.osm`` XML extract into the feature types of :data:`OSM_RULES`.

    The file is checked first (:func:`geo.io.osm.check_osm`): XML rooted at ``<osm>`` with no
    DTD, or PBF starting with an ``OSMHeader``, read whole; else :class:`InputError`. Only
    then does GDAL's OSM driver, named explicitly, read it.

    Ways and areas that count as points (platforms, toilets) are placed at their
    representative point; kerb ways give their two end nodes. An area whose geometry GDAL
    cannot build is quarantined as ``invalid_geometry`` when a rule matched it. Output CRS is
    EPSG:4326 (OSM's own). ``sha256`` names an upload's content (its whole-file check is
    then made once per content, not per temporary file).
    """
    path = Path(path)
    source = name or path.name
    _osm.check_osm(path, source, sha256=sha256)
    # Each read checks GDAL's driver by the OSM driver's open options: GDAL's OSM driver
    # parses the whole file on every open, so no open is made only to check it.
    options = _osm_options(path)
    nodes = _read_layer(path, "points", source, options)
    ways = _read_layer(path, "lines", source, options)
    areas = _read_layer(
        path,
        "multipolygons",
        source,
        options,
        on_invalid="ignore",
        where=_AREA_WHERE,
    )
    node_geoms, line_geoms, area_geoms = nodes.geometry, ways.geometry, areas.geometry
    point_rules = _point_rules(nodes)
    node_ids = _osm_ids(nodes, "node/", point_rules.values())
    blocks = _osm_rows(nodes, point_rules, node_geoms, node_ids, source)
    line_rules, (placed_rules, placed) = _line_rules(ways), _placed(_area_rules(ways), line_geoms)
    kerbs = _kerb_ways(ways)
    line_ids = _osm_ids(ways, "way/", [*line_rules.values(), *placed_rules.values(), kerbs])
    blocks += _osm_rows(ways, line_rules, line_geoms, line_ids, source)
    blocks += _osm_rows(ways, placed_rules, placed, line_ids, source)
    area_rules = _area_rules(areas)
    matched = np.logical_or.reduce(list(area_rules.values())) if len(areas) else np.zeros(0, bool)
    broken = matched & (shapely.is_missing(area_geoms) | ~shapely.is_valid(area_geoms))
    with np.errstate(invalid="ignore"):
        points = shapely.point_on_surface(np.where(broken, np.array(None, object), area_geoms))
    area_rules = {k: v & ~broken for k, v in area_rules.items()}
    area_ids = _area_ids(areas, matched)
    blocks += _osm_rows(areas, area_rules, points, area_ids, source)
    blocks.append(_kerb_way_ends(ways, kerbs, line_ids, source))
    features = _dedupe_ramps(_concat(blocks))
    names = areas["name"][broken] if "name" in areas else None
    quarantine = _osm_quarantine(names, area_ids[broken])
    everything = np.concatenate([node_geoms, line_geoms, area_geoms[~broken]])
    extent = _extent(everything)
    return Infra(features, extent, quarantine, source, "osm")


def _placed(
    rules: dict[str, np.ndarray], geometry: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The rules, and the representative points of the rows a rule matched (no others)."""
    points = np.full(len(geometry), None, dtype=object)
    matched = np.logical_or.reduce(list(rules.values())) if len(geometry) else np.zeros(0, bool)
    points[matched] = shapely.point_on_surface(geometry[matched])
    return rules, points


def _kerb_ways(ways: _Layer) -> np.ndarray:
    """Ways tagged as lowered or flush kerbs, whose two ends are curb ramps."""
    return _tag(ways, "kerb", _RAMP_KERBS) & ~shapely.is_missing(ways.geometry)


def _kerb_way_ends(
    ways: _Layer, ramps: np.ndarray, line_ids: np.ndarray, source: str
) -> pd.DataFrame:
    line_geoms = ways.geometry
    ends = np.concatenate(
        [shapely.get_point(line_geoms[ramps], 0), shapely.get_point(line_geoms[ramps], -1)]
    )
    ids = np.concatenate([line_ids[ramps], line_ids[ramps]])
    names = ways["name"][ramps] if "name" in ways else None
    return pd.DataFrame(
        {
            "type": "curb_ramp",
            "source": source if isinstance(source, str) else source.to_numpy(dtype=object),
            "source_id": ids,
            "name": np.concatenate([names, names]) if names is not None else None,
            "geometry": ends,
        }
    )


def _dedupe_ramps(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A kerb way's end node that is itself a tagged ramp counts once (the node is kept)."""
    ramps = features["type"] == "curb_ramp"
    xy = shapely.get_coordinates(features.geometry[ramps].to_numpy()).round(7)
    key = pd.Series(list(map(tuple, xy)), index=features.index[ramps])
    repeated = key.duplicated(keep="first")
    return features.drop(index=repeated[repeated].index).reset_index(drop=True)


def _concat(blocks: list[pd.DataFrame]) -> gpd.GeoDataFrame:
    blocks = [b for b in blocks if len(b)]
    if not blocks:
        return _empty_features()
    frame = pd.concat(blocks, ignore_index=True)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")


def _osm_quarantine(names: np.ndarray | None, ids: np.ndarray) -> pd.DataFrame:
    if not len(ids):
        return _empty_quarantine()
    return pd.DataFrame(
        {
            "row": ids,
            "reason": "invalid_geometry",
            "column": "geometry",
            "detail_zh": ids,
            "detail_en": ids,
            _PARAMS: json.dumps({"code": "open_rings"}),
            "name": names,
        }
    )


def _extent(geometries: np.ndarray) -> shapely.Geometry | None:
    present = geometries[~shapely.is_missing(geometries)]
    if present.size == 0:
        return None
    hull = shapely.convex_hull(shapely.geometrycollections(present))
    return hull if hull.geom_type == "Polygon" else hull.buffer(1e-4)


# --- survey files ----------------------------------------------------------------------------


def survey_extent(
    features: gpd.GeoDataFrame, *, folder: Path | None = None
) -> shapely.Geometry | None:
    """
    What a survey covers: in each district, the hull of the features found in it.

    A feature belongs to the district of its representative point. Each district's piece is
    the convex hull of every vertex of its features, cut to the district's outline, so a few
    stray points make no area anywhere (no data, never "complete with 0") and no district is
    covered by features that lie in others. A surveyor who walked whole districts declares
    them (:func:`declare_coverage`). ``None`` when no piece has an area. EPSG:4326.
    """
    geometries = features.geometry.to_numpy()
    if not len(geometries):
        return None
    anchor = shapely.point_on_surface(geometries)
    codes = boundaries.assign_districts(shapely.get_x(anchor), shapely.get_y(anchor), folder=folder)
    placed = pd.notna(codes)
    if not placed.any():
        return None
    district, group = np.unique(codes[placed].astype(str), return_inverse=True)
    xy, owner = shapely.get_coordinates(geometries[placed], return_index=True)
    order = np.argsort(group[owner], kind="stable")
    hulls = shapely.convex_hull(shapely.multipoints(xy[order], indices=group[owner][order]))
    outlines = boundaries.load_boundaries("district", folder=folder, adcodes=district)
    outline = outlines.set_index("adcode").geometry.reindex(district).to_numpy()
    pieces = shapely.intersection(hulls, outline)
    pieces = pieces[shapely.area(pieces) > 0]
    if not len(pieces):
        return None
    return shapely.union_all(shapely.get_parts(pieces)[shapely.area(shapely.get_parts(pieces)) > 0])


def _survey_types(cells: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The feature type of each cell (None if unknown) and a mask of empty cells."""
    folded = _cells.normalise_text(cells).fillna("").str.lower().str.replace(" ", "")
    return folded.map(_TYPE_LOOKUP).to_numpy(dtype=object), (folded == "").to_numpy()


def _type_column(columns: list[str]) -> str:
    for column in columns:
        if _FIELD_SYNONYMS.get(_sheets.header_key(column)) == "type":
            return column
    raise InputError(
        f"Expected a column naming each feature's type ({'、'.join(SURVEY_FIELDS['type'])}); "
        f"the file has {columns!r}. Add one, with values such as 盲道、缘石坡道、无障碍公交站 "
        "(see the survey mapping in the README).",
        code="survey_type_column",
        details={"header": "、".join(map(str, columns))},
    )


def _field(columns: list[str], field: str) -> str | None:
    return next((c for c in columns if _FIELD_SYNONYMS.get(_sheets.header_key(c)) == field), None)


def _survey_features(
    raw: pd.DataFrame,
    geometry: np.ndarray,
    rows: np.ndarray,
    flags: _sheets.Flags,
    source: str | pd.Series,
    *,
    add_stops: bool = True,
    unbuilt: dict[int, tuple[str, str]] | None = None,
) -> gpd.GeoDataFrame:
    """
    Check types and geometries, then one feature row per clean row.

    With ``add_stops`` (a survey, not a file this module wrote), an accessible stop also gives
    a ``bus_stop`` row, since the share's denominator counts every stop, and features outside
    China are quarantined as ledger rows are. ``unbuilt`` maps the positions of features
    whose geometry GEOS could not build to (reason, raw text), as
    :func:`geo.io.vector.read_vector` lists them.
    """
    columns = list(raw.columns)
    type_column = _type_column(columns)
    kinds, empty = _survey_types(raw[type_column])
    flags.flag(empty, "missing_type", column=type_column)
    flags.flag(
        pd.isna(kinds), "unknown_type", column=type_column, detail=_sheets.quoted(raw[type_column])
    )
    placed = _check_geometries(geometry, kinds, flags, unbuilt or {}, china=add_stops)
    ok = flags.ok()
    name_column = _field(columns, "name")
    id_column = _field(columns, "id")
    ids = (
        raw[id_column].to_numpy(dtype=object)
        if id_column
        else ("row " + pd.Series(rows).astype("string")).to_numpy(dtype=object)
    )
    frame = pd.DataFrame(
        {
            "type": kinds,
            "source": source if isinstance(source, str) else source.to_numpy(dtype=object),
            "source_id": ids,
            "name": raw[name_column].to_numpy(dtype=object) if name_column else None,
            "geometry": placed,
        }
    )[ok]
    # A multi-part feature (three ramps as one MultiPoint) counts each part; the row stays
    # one row for the clean + quarantined tally.
    parts, index = shapely.get_parts(frame["geometry"].to_numpy(), return_index=True)
    frame = frame.iloc[index].assign(geometry=parts)
    also = frame[frame["type"] == "accessible_bus_stop"].assign(type="bus_stop")
    return _concat([frame, also] if add_stops else [frame])


def _check_geometries(
    geometry: np.ndarray, kinds: np.ndarray, flags: _sheets.Flags, unbuilt: dict, *, china: bool
) -> np.ndarray:
    """
    Quarantine geometries a feature cannot have; the point (areas) or line each row keeps.

    In order: GEOS could not build it (an open ring, a one-point line), none, empty, a type
    its feature cannot have, invalid by GEOS (a self-intersecting ring: quarantined, never
    repaired, since a repair guesses the shape), wider than 180° of longitude (a ring across
    the antimeridian, or lon/lat mixed up), and with ``china``, not wholly inside China's box
    (an OSM extract re-read from a file of this module may lie anywhere).
    """
    at = np.fromiter(unbuilt, dtype=np.int64, count=len(unbuilt))
    mask, detail = np.zeros(len(geometry), dtype=bool), np.full(len(geometry), "", dtype=object)
    mask[at], detail[at] = True, [unbuilt[i][0] for i in at]
    flags.flag(mask, "invalid_geometry", detail=detail)
    missing = shapely.is_missing(geometry)
    flags.flag(missing, "no_geometry")
    kind_geom = shapely.get_type_id(geometry)
    names = GEOMETRY_NAMES[np.clip(kind_geom, 0, 7)]
    named = {"code": "geometry", "geometry": names}
    empty = ~missing & shapely.is_empty(geometry)
    flags.flag(empty, "empty_geometry", detail=names, params=named)
    lines = np.isin(kind_geom, (1, 5))
    areas = np.isin(kind_geom, (3, 6))
    is_point_type = np.isin(kinds.astype(str), POINT_TYPES)
    wrong = (lines & is_point_type) | (kinds == "sidewalk") & ~lines | (areas & ~is_point_type)
    flags.flag(
        wrong | ~np.isin(kind_geom, _ALLOWED_TYPE_IDS),
        "wrong_geometry",
        detail=names,
        params=named,
    )
    invalid = ~missing & ~shapely.is_valid(geometry)
    flags.flag(invalid, "invalid_geometry", detail=shapely.is_valid_reason(geometry))
    bounds = shapely.bounds(geometry)
    with np.errstate(invalid="ignore"):
        wide = bounds[:, 2] - bounds[:, 0] > 180
        abroad = crs.is_outside_china(bounds[:, 0], bounds[:, 1]) | crs.is_outside_china(
            bounds[:, 2], bounds[:, 3]
        )
    spans = np.round(np.nan_to_num(bounds[:, 2] - bounds[:, 0]), 1)
    flags.flag(wide, "invalid_geometry", params={"code": "too_wide", "span": spans})
    box = _sheets.quoted(pd.Series([str(b) for b in bounds.round(6).tolist()]), ~missing)
    flags.flag(~missing & abroad & china, "outside_china", detail=box)
    # Areas stand for point features at their representative point.
    with np.errstate(invalid="ignore"):
        return np.where(areas & flags.ok(), shapely.point_on_surface(geometry), geometry)


def _table_points(raw: pd.DataFrame, crs_name: str | None, flags: _sheets.Flags) -> np.ndarray:
    """WGS84 points from the lon/lat columns in each row's declared datum."""
    columns = {f: c for f in ("lon", "lat", "datum") if (c := _field(list(raw.columns), f))}
    if "lon" not in columns or "lat" not in columns:
        raise InputError(
            f"Expected 经度 and 纬度 (lon, lat) columns in a survey table; the header has "
            f"{list(raw.columns)!r}. Add them, or upload GeoJSON, GeoPackage or a zipped "
            "Shapefile.",
            code="survey_coordinates",
            details={"header": "、".join(map(str, raw.columns))},
        )
    lon_w, lat_w = _sheets.wgs84_points(raw, columns, crs_name, flags)
    points = shapely.points(lon_w, lat_w)
    points[np.isnan(lon_w)] = None
    return points


def _read_table(data: bytes, name: str, crs_name: str | None, sheet: str | None) -> Infra:
    table = _sheets.read_rows(data, name=name, sheet=sheet)
    start = _sheets.find_header(table.rows, _FIELD_SYNONYMS, "、".join(SURVEY_FIELDS["type"]))
    header, body, numbers, broken, formulas = _sheets.table_body(table, start)
    raw, ragged, blank = _sheets.text_frame(
        body, header, short_is_ragged=table.short_rows_are_ragged
    )
    flags = _sheets.Flags(len(raw))
    _sheets.flag_read_problems(flags, raw, header, (broken, blank, ragged), formulas)
    points = _table_points(raw, crs_name, flags)
    features = _survey_features(raw, points, numbers, flags, name)
    quarantine = _sheets.quarantine_frame(raw, numbers, flags, REASONS)
    extent = survey_extent(features)
    return Infra(features, extent, quarantine, name, "survey", table.sheet, table.sheets)


def _own_parts(info: dict) -> list[str]:
    """
    The feature layers of a file `atlas infra` wrote (it has an ``extent`` layer), or none.

    That is ``infra``, or one layer per geometry type (``infra_points``, ``infra_lines``).
    """
    layers = list(info.get("layers") or [])
    if "extent" not in layers:
        return []
    return [name for name in layers if name == "infra" or name.startswith("infra_")]


def _read_vector(
    data: bytes, name: str, crs_name: str | None, layer: str | None, cap: int
) -> Infra:
    frame, info = _vector.read_vector(data, name, crs_name=crs_name, layer=layer, max_unpacked=cap)
    # A file written by `atlas infra`: its extent is recorded, its layers hold every feature.
    parts = _own_parts(info) if layer is None or layer.startswith("infra") else []
    own = info["layer"] in parts
    if own and len(parts) > 1:
        again = functools.partial(_vector.read_vector, data, name, max_unpacked=cap)
        read = [frame if p == info["layer"] else again(layer=p)[0] for p in parts]
        # Row numbers run on from one layer to the next, so each names one feature.
        offsets = np.cumsum([0, *(len(f) for f in read[:-1])])
        read = [f.assign(row=f["row"] + offset) for f, offset in zip(read, offsets, strict=True)]
        frame = gpd.GeoDataFrame(pd.concat(read, ignore_index=True), crs="EPSG:4326")
    rows = frame["row"].to_numpy()
    raw = pd.DataFrame(frame.drop(columns=[frame.geometry.name, "row"]))
    flags = _sheets.Flags(len(raw))
    geometry = frame.geometry.to_numpy()
    source = raw["source"] if own else name
    unbuilt = info["unbuilt"]
    features = _survey_features(
        raw, geometry, rows, flags, source, add_stops=not own, unbuilt=unbuilt
    )
    if unbuilt:
        # What GEOS could not build travels to the quarantine as the file wrote it.
        raw["raw_feature"] = pd.Series({i: text for i, (_, text) in unbuilt.items()}, dtype=object)
        raw["raw_feature"] = raw["raw_feature"].fillna("")
    quarantine = _sheets.quarantine_frame(raw, rows, flags, REASONS)
    if not own:
        return Infra(features, survey_extent(features), quarantine, name, "survey")
    extents, _ = _vector.read_vector(data, name, layer="extent", max_unpacked=cap)
    if extents.empty:
        return Infra(features, None, quarantine, name, "survey")
    first = extents.iloc[0]
    return Infra(features, first.geometry, quarantine, first["source"], first["kind"])


_TABLES = (".csv", ".xlsx", ".xlsm", ".txt")


def read_survey(
    source: str | Path | bytes,
    *,
    name: str | None = None,
    crs_name: str | None = None,
    sheet: str | None = None,
    layer: str | None = None,
) -> Infra:
    """
    Read a survey file: CSV/XLSX with coordinates, GeoJSON, GeoPackage or zipped Shapefile.

    Each row's type comes from its type column through :data:`SURVEY_TYPES`; a row with an
    unknown type, no geometry or a geometry its type cannot have is quarantined. Tables need
    a declared datum (``crs_name`` or a 坐标系 column), as ledgers do; vector files pass the
    checks of :func:`geo.io.vector.read_vector`. Output CRS is EPSG:4326.
    """
    crs.check_datum(crs_name)
    local = None if isinstance(source, bytes | bytearray) else Path(source)
    upload = local is None
    table = Path(name or ("" if local is None else local.name)).suffix.lower() in _TABLES
    # Caps protect the app from uploads; a local vector file (the command line's, such as
    # what `atlas infra --out` wrote) is read whatever its size (see _vector.unpack_cap).
    data, name = _sheets.load_bytes(source, name, capped=upload or table)
    if table:
        return _read_table(data, name, crs_name, sheet)
    cap = _vector.MAX_UNPACKED_BYTES if upload else _vector.unpack_cap(len(data))
    return _read_vector(data, name, crs_name, layer, cap)


def read_infra(
    source: str | Path | bytes,
    *,
    name: str | None = None,
    crs_name: str | None = None,
    sheet: str | None = None,
    layer: str | None = None,
) -> Infra:
    """
    Read any infrastructure file: an OSM extract (``.osm.pbf``, ``.osm``) or a survey file.

    ``source`` is a path or the file's bytes (``name`` then gives its file name, whose suffix
    decides the reader). Raises :class:`~geo.errors.InputError` for a file refused as a whole.
    """
    label = name or (Path(source).name if not isinstance(source, bytes | bytearray) else "")
    if Path(label).suffix.lower() not in (".pbf", ".osm"):
        return read_survey(source, name=name, crs_name=crs_name, sheet=sheet, layer=layer)
    if crs_name not in (None, "wgs84"):
        raise InputError(
            f"OSM data is always WGS84; got the datum {crs_name!r}. Declare none, or wgs84.",
            fix="datum",
            code="osm_datum",
            details={"datum": str(crs_name)},
        )
    if isinstance(source, bytes | bytearray):
        if len(source) > _osm.MAX_OSM_BYTES:
            raise _osm.too_large(label, len(source))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / ("upload" + "".join(Path(label).suffixes[-2:]))
            path.write_bytes(source)
            return read_osm(path, name=label, sha256=hashlib.sha256(source).hexdigest())
    path = Path(source)
    if not path.is_file():
        raise _osm.missing(path, label)
    return read_osm(path, name=label)


def _candidates(candidates: Iterable[Mapping[str, str]]) -> str:
    names = [f"{c['city']}{c['name']}" for c in candidates]
    return f" ({', '.join(names)})" if names else ""


def _not_a_district(text: str, found: gazetteer.Resolution) -> InputError:
    """
    The refusal of a declared name that is no one district with an outline.

    ``coverage_ambiguous`` (its districts as ``candidates``, "/" between), ``coverage_zone``
    (a development zone: no official outline), else ``coverage_unknown``.
    """
    message = (
        f"Expected a district the survey covers; {text!r} is {found.status}"
        f"{_candidates(found.candidates)}."
        " Give the full name, and the city to tell apart districts of the same name."
    )
    if found.status == "ambiguous":
        listed = "/".join(f"{c['city']}{c['name']}" for c in found.candidates)
        details = {"name": text, "candidates": listed}
        return InputError(message, fix="city", code="coverage_ambiguous", details=details)
    code = "coverage_zone" if found.status == "zone" else "coverage_unknown"
    return InputError(message, fix="city", code=code, details={"name": text})


def declare_coverage(
    found: Infra, districts: list[str], *, city: str | None = None, folder: Path | None = None
) -> Infra:
    """
    The same features, with the extent set to the named districts' full outlines.

    A survey's own extent is only the hull of what it found; a surveyor who walked whole
    districts declares them, and only then are those districts' figures complete (the rest
    stay partial or "no data"). ``districts`` are adcodes or names; names resolve through the
    gazetteer (``city`` narrows them);
    an unknown or ambiguous name raises :class:`~geo.errors.InputError`.
    """
    codes = []
    for text in districts:
        if text.isdigit() and len(text) == 6:
            codes.append(text)
            continue
        found_name = gazetteer.resolve_district(text, city=city)
        if found_name.status not in ("ok", "historical") or found_name.adcode is None:
            raise _not_a_district(text, found_name)
        codes.append(found_name.adcode)
    outlines = boundaries.load_boundaries("district", folder=folder)
    chosen = outlines[outlines["adcode"].isin(codes)].geometry.to_numpy()
    extent = shapely.union_all(chosen) if len(chosen) else None
    return dataclasses.replace(found, extent=extent)
