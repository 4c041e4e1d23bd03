"""Tests for geo/network.py: which ways are walked, lengths, profiles, file checks, the cache."""

from __future__ import annotations

import re
from pathlib import Path

import hostile_files
import numpy as np
import pandas as pd
import pytest
from _osm import osm_xml, wall_scene

from geo import network
from geo.errors import InputError
from geo.io.osm import MAX_WAY_REFS
from layers.export import write_geopackage
from layers.wording import error_text

SHARED_OSM = Path(__file__).resolve().parents[2] / "shared" / "osm"


def _build(tmp_path: Path, nodes, ways) -> network.Network:
    return network.build_network(osm_xml(nodes, ways, tmp_path / "scene.osm"), use_cache=False)


def test_lengths_are_metres_in_the_metric_crs(tmp_path):
    built = _build(tmp_path, *wall_scene())
    assert built.epsg == 4547
    ring = built.edges["way_id"] == 100
    assert sorted(built.edges["length_m"][ring].round(1)) == [100.0, 400.0, 400.0]
    # The wall is not a highway: no edge, and its nodes are no graph nodes.
    assert set(built.nodes["node_id"]) == {1, 2, 3, 4, 20, 21, 22, 23}
    assert built.counts()["km_walk"] == pytest.approx(0.9 + 1.5, abs=1e-4)


@pytest.mark.parametrize(
    ("tags", "kept", "reason"),
    [
        ({"highway": "footway"}, True, None),
        ({"highway": "residential", "oneway": "yes"}, True, None),
        ({"highway": "trunk"}, True, None),
        ({"highway": "motorway"}, False, "not_walkable_highway"),
        ({"highway": "construction"}, False, "not_walkable_highway"),
        ({"highway": "footway", "foot": "no"}, False, "foot_no"),
        ({"highway": "primary", "foot": "use_sidepath"}, False, "foot_no"),
        ({"highway": "service", "access": "private"}, False, "access_private"),
        ({"highway": "service", "access": "private", "foot": "yes"}, True, None),
        ({"highway": "cycleway"}, False, "cycleway_without_foot"),
        ({"highway": "cycleway", "foot": "designated"}, True, None),
    ],
)
def test_pedestrian_rule(tmp_path, tags, kept, reason):
    nodes = {1: (0, 0, {}), 2: (50, 0, {})}
    built = _build(tmp_path, nodes, {7: ([1, 2], tags)})
    assert (len(built.edges) == 1) is kept
    assert built.summary["ways_dropped"] == ({} if kept else {reason: 1})


def test_oneway_is_walked_both_ways(tmp_path):
    from geo import reach

    nodes, ways = wall_scene({"highway": "footway", "oneway": "yes"})
    ways[102] = ([4, 5, 1], ways[102][1])  # drawn D → A: the walk A → D still takes it
    built = _build(tmp_path, nodes, ways)
    a, d = np.array([[*_lonlat(built, 1)]]), np.array([[*_lonlat(built, 4)]])
    found = reach.nearest_destinations(built, a, d)
    assert found.distance_m[0] == pytest.approx(107.70, abs=0.05)


def _lonlat(built: network.Network, node_id: int) -> tuple[float, float]:
    row = built.nodes.set_index("node_id").loc[node_id]
    return float(row["lon"]), float(row["lat"])


@pytest.mark.parametrize(
    ("shortcut", "kerb", "wheelchair_uses_it"),
    [
        ({"highway": "steps"}, None, False),
        ({"highway": "steps", "ramp:wheelchair": "yes"}, None, True),
        ({"highway": "footway", "footway": "crossing"}, "raised", False),
        ({"highway": "footway", "footway": "crossing"}, "lowered", True),
        ({"highway": "footway", "footway": "crossing"}, "flush", True),
        ({"highway": "footway", "footway": "crossing"}, "no", True),
        ({"highway": "footway", "kerb": "raised"}, None, False),
        ({"highway": "footway", "wheelchair": "no"}, None, False),
        ({"highway": "footway", "wheelchair": "limited"}, None, True),
        ({"highway": "footway", "incline": "12%"}, None, False),
        ({"highway": "footway", "incline": "-9 %"}, None, False),
        ({"highway": "footway", "incline": "5%"}, None, True),
        ({"highway": "footway", "incline": "up"}, None, True),
        ({"highway": "footway", "surface": "gravel"}, None, True),
    ],
)
def test_wheelchair_profile(tmp_path, shortcut, kerb, wheelchair_uses_it):
    built = _build(tmp_path, *wall_scene(shortcut, kerb=kerb))
    shortcut_edges = (built.edges["way_id"] == 102).to_numpy()
    assert network.profile_edges(built, "walk")[shortcut_edges].all()
    assert network.profile_edges(built, "wheelchair")[shortcut_edges].all() is np.bool_(
        wheelchair_uses_it
    )


@pytest.mark.parametrize(
    ("tags", "wheelchair_passes"),
    [
        ({"barrier": "kissing_gate", "wheelchair": "no"}, False),
        ({"barrier": "bollard"}, True),
        ({"highway": "bus_stop", "wheelchair": "no"}, True),  # a stop's tag, not a barrier
    ],
)
def test_node_barriers_and_wheelchairs(tmp_path, tags, wheelchair_passes):
    nodes, ways = wall_scene({"highway": "footway"})
    nodes[5] = (-20, 50, tags)
    built = _build(tmp_path, nodes, ways)
    shortcut = (built.edges["way_id"] == 102).to_numpy()
    assert network.profile_edges(built, "walk")[shortcut].all()
    assert network.profile_edges(built, "wheelchair")[shortcut].all() is np.bool_(wheelchair_passes)


def test_barrier_without_foot_access_blocks_every_profile(tmp_path):
    nodes, ways = wall_scene({"highway": "footway"})
    nodes[5] = (-20, 50, {"barrier": "gate", "access": "private"})
    built = _build(tmp_path, nodes, ways)
    shortcut = (built.edges["way_id"] == 102).to_numpy()
    for profile in network.PROFILES:
        assert not network.profile_edges(built, profile)[shortcut].any()


@pytest.mark.parametrize(
    ("text", "pct"),
    [("8%", 8.0), ("-12 %", -12.0), ("10°", 17.63), ("0.1", 10.0), ("15", 15.0), ("3,5%", 3.5)],
)
def test_parse_incline(text, pct):
    assert network.parse_incline(pd.Series([text]))[0] == pytest.approx(pct, abs=0.01)


@pytest.mark.parametrize("text", ["up", "down", "yes", None, "steep"])
def test_parse_incline_unknown_is_nan(text):
    assert np.isnan(network.parse_incline(pd.Series([text], dtype=object))[0])


def test_missing_way_node_breaks_the_way(tmp_path):
    nodes = {1: (0, 0, {}), 2: (50, 0, {}), 4: (150, 0, {}), 5: (200, 0, {})}
    built = _build(tmp_path, nodes, {7: ([1, 2, 3, 4, 5], {"highway": "footway"})})
    assert len(built.edges) == 2  # 1-2 and 4-5; nothing joins 2 to 4 across the gap
    assert built.summary["way_nodes_missing"] == 1
    assert built.summary["ways_cut_at_missing_nodes"] == 1


def test_refuses_xml_with_entities(tmp_path):
    path = tmp_path / "bomb.osm"
    path.write_text('<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY a "x">]><osm></osm>')
    with pytest.raises(InputError, match="declares a DOCTYPE"):
        network.build_network(path, use_cache=False)


def test_refuses_entities_hidden_past_the_first_block(tmp_path):
    # The root check parses up to the root element, however far it is: the DTD is refused.
    path = tmp_path / "late.osm"
    path.write_text(
        f'<?xml version="1.0"?><!-- <osm {"x" * 5000} --><!DOCTYPE osm [<!ENTITY a "footway">]>'
        '<osm version="0.6"><node id="1" lat="35" lon="114"/><node id="2" lat="35.001" '
        'lon="114"/><way id="3"><nd ref="1"/><nd ref="2"/><tag k="highway" v="&a;"/></way></osm>'
    )
    with pytest.raises(InputError, match="declares a DOCTYPE"):
        network.build_network(path, use_cache=False)


def test_an_extract_without_ways_gives_an_empty_network(tmp_path):
    from geo import reach

    built = _build(tmp_path, {1: (0, 0, {}), 2: (0, 50, {})}, {3: ([1, 2], {"building": "yes"})})
    assert built.counts()["edges"] == 0 and built.extent() is None
    found = reach.nearest_destinations(built, np.array([[114.0, 35.2]]), np.array([[114.0, 35.2]]))
    assert np.isnan(found.distance_m[0]) and found.node[0] == -1


def test_refuses_pbf_without_header(tmp_path):
    path = tmp_path / "fake.osm.pbf"
    path.write_bytes(b"\x00\x00\x00\x0dnot a header")
    with pytest.raises(InputError, match="OSMHeader"):
        network.build_network(path, use_cache=False)


def test_refuses_bytes_that_are_not_osm():
    with pytest.raises(InputError, match="Expected OSM XML"):
        network.build_network(b"<html></html>", name="x.osm", use_cache=False)


def test_cache_is_keyed_by_sha256_and_written_atomically(tmp_path):
    path = osm_xml(*wall_scene({"highway": "steps"}), tmp_path / "scene.osm")
    cache = tmp_path / "cache"
    first = network.build_network(path, folder=cache)
    folder = network.cache_path(first.sha256, folder=cache)
    assert sorted(p.name for p in cache.iterdir()) == [folder.name]  # no temporary left
    stamp = (folder / "edges.parquet").stat().st_mtime_ns
    again = network.build_network(path, folder=cache, name="again.osm")
    assert (folder / "edges.parquet").stat().st_mtime_ns == stamp
    assert again.source == "again.osm"
    pd.testing.assert_frame_equal(again.edges, first.edges)
    pd.testing.assert_frame_equal(again.nodes, first.nodes)
    # Other bytes, another key: one more way gives a second cache entry.
    osm_xml(*wall_scene({"highway": "footway"}), path)
    other = network.build_network(path, folder=cache)
    assert other.sha256 != first.sha256 and len(list(cache.iterdir())) == 2
    assert len(other.edges) == len(first.edges)


def test_geopackage_round_trip(tmp_path):
    built = _build(tmp_path, *wall_scene({"highway": "steps"}, kerb="raised"))
    out = write_geopackage(built.layers(), tmp_path / "network.gpkg")
    back = network.read_network(out)
    assert back.epsg == built.epsg and back.summary == built.summary
    for profile in network.PROFILES:
        assert (network.profile_edges(back, profile) == network.profile_edges(built, profile)).all()
    np.testing.assert_allclose(back.edges["length_m"], built.edges["length_m"])
    np.testing.assert_allclose(back.nodes["x"], built.nodes["x"])


def test_read_network_names_missing_layers(tmp_path):
    built = _build(tmp_path, *wall_scene())
    out = write_geopackage({"nodes": built.layers()["nodes"]}, tmp_path / "n.gpkg")
    with pytest.raises(InputError, match=r"lacks the layers \['edges', 'network'\]") as error:
        network.read_network(out)
    assert error.value.code == "network_layers"
    assert error.value.details == {"name": "n.gpkg", "layers": "edges, network"}


@pytest.mark.parametrize("name", ["paris_bss.osm.pbf", "neukolln.osm"])
def test_real_extracts(name):
    path = SHARED_OSM / name
    if not path.is_file():
        pytest.skip(f"{path} not found (CI has shared/ beside the checkout)")
    built = network.build_network(path, use_cache=False)
    counts = built.counts()
    assert counts["edges_wheelchair"] < counts["edges_walk"] <= counts["edges"]
    # OSM's node ids are kept: every edge joins two distinct nodes of the extract.
    assert (built.edges["u"] != built.edges["v"]).all()
    assert built.nodes["node_id"].is_unique
    assert (built.edges["length_m"] > 0).mean() > 0.99


# --- what an extract may cost (issue 29): references counted before anything is built ------


def test_a_way_longer_than_osm_allows_is_refused_before_it_is_built(tmp_path):
    # The 3 KB PBF held one way of 3 million references (4.7 GB, 84 s); 2,001 is
    # enough to be refused at the same cap.
    path = hostile_files.long_way_pbf(tmp_path / "long.osm.pbf", MAX_WAY_REFS + 1)
    with pytest.raises(InputError) as error:
        network.build_network(path, use_cache=False)
    assert str(error.value) == (
        "Expected ways of at most 2,000 nodes (MAX_WAY_REFS, the OSM API's limit); way 1 of "
        "'long.osm.pbf' lists 2,001. No OSM editor writes such a way: Download the extract "
        "again (e.g. from Geofabrik), or export it again as .osm XML."
    )
    assert error.value.code == "osm_way_refs"


def test_an_extract_past_the_total_of_references_is_refused(tmp_path):
    ways = network.MAX_NETWORK_REFS // MAX_WAY_REFS + 1
    path = hostile_files.long_way_pbf(tmp_path / "many.osm.pbf", MAX_WAY_REFS, ways=ways)
    assert path.stat().st_size < 10_000  # a million references in a few KB
    with pytest.raises(InputError) as error:
        network.build_network(path, use_cache=False)
    assert str(error.value).startswith(
        "Expected an extract whose streets and paths (highway=*) list at most 1,000,000 node "
        "references in all (MAX_NETWORK_REFS: a city's network); 'many.osm.pbf' lists more."
    )
    assert error.value.code == "osm_refs"


@pytest.mark.parametrize(
    ("nodes", "ways", "way"),
    [
        ({-1: (114.0, 35.2), -2: (114.0001, 35.2)}, {-5: [-1, -2]}, -5),  # a JOSM file
        ({1: (114.0, 35.2), -2: (114.0001, 35.2)}, {5: [1, -2]}, 5),  # a new node at an end
        (  # a new node inside an existing way, seen when the way is read
            {1: (114.0, 35.2), -2: (114.00005, 35.2), 3: (114.0001, 35.2)},
            {5: [1, -2, 3]},
            5,
        ),
    ],
)
def test_negative_ids_are_refused_not_built_into_an_empty_network(tmp_path, nodes, ways, way):
    path = hostile_files.osm_pbf(tmp_path / "josm.osm.pbf", nodes, ways)
    with pytest.raises(InputError) as error:
        network.build_network(path, use_cache=False)
    assert str(error.value).startswith(
        f"Expected OSM ids above zero; 'josm.osm.pbf' has objects with negative ids (way {way} "
        "or its nodes)"
    )
    assert error.value.code == "osm_negative_ids"


def test_only_streets_and_paths_count_towards_the_total(tmp_path):
    ways = {w: [1, 2, 3, 1] for w in range(1, network.MAX_NETWORK_REFS // 4 + 2)}
    nodes = {1: (114.0, 35.2), 2: (114.0001, 35.2), 3: (114.0001, 35.2001)}
    path = hostile_files.osm_pbf(tmp_path / "buildings.osm.pbf", nodes, ways, tags={})
    built = network.build_network(path, use_cache=False)  # a million refs of buildings
    assert len(built.edges) == 0


def test_an_extract_within_the_caps_is_built(tmp_path):
    path = hostile_files.long_way_pbf(tmp_path / "ok.osm.pbf", MAX_WAY_REFS, ways=2)
    built = network.build_network(path, use_cache=False)
    assert (len(built.nodes), len(built.edges)) == (2, 2 * (MAX_WAY_REFS - 1))


# --- a network GeoPackage is read only as atlas network wrote it (issue 29) -----------------


@pytest.fixture
def written(tmp_path) -> Path:
    built = _build(tmp_path, *wall_scene({"highway": "steps"}, kerb="raised"))
    return write_geopackage(built.layers(), tmp_path / "network.gpkg")


def _set(layer: str, column: str, value):
    def edit(layers):
        layers[layer].loc[0, column] = value

    return edit


def _no_crs(layers):
    layers["nodes"] = layers["nodes"].set_crs(None, allow_override=True)


def _empty_edges(layers):
    layers["edges"] = layers["edges"].iloc[:0]


def _two_rows(layers):
    layers["network"] = pd.concat([layers["network"]] * 2, ignore_index=True)


def _without(layer: str, column: str | None = None):
    def edit(layers):
        if column is None:
            return {name: frame for name, frame in layers.items() if name != layer}
        layers[layer] = layers[layer].drop(columns=[column])
        return None

    return edit


def _as_text(layer: str, column: str):
    def edit(layers):
        layers[layer][column] = layers[layer][column].astype(str)

    return edit


def _summary(text: str):
    def edit(layers):
        layers["network"]["summary"] = text

    return edit


def _older(layers):
    layers["network"] = layers["network"].drop(columns=["schema", "content_sha256"])


@pytest.mark.parametrize(
    ("edit", "code", "problem"),
    [
        (_older, "network_schema", "names the format None, not 'atlas-network/1'."),
        (_two_rows, "network_schema", "has 2 rows in its network table, not 1."),
        (_without("edges"), "network_layers", "lacks the layers ['edges']."),
        (  # a KeyError
            _without("edges", "length_m"),
            "network_columns",
            "lacks the columns ['length_m'] in its layer 'edges', or they are not of the type "
            "written.",
        ),
        (  # a ValueError from int()
            _as_text("edges", "incline_pct"),
            "network_columns",
            "lacks the columns ['incline_pct'] in its layer 'edges', or they are not of the type "
            "written.",
        ),
        (  # a KeyError
            _without("network", "summary"),
            "network_columns",
            "lacks the columns ['summary'] in its layer 'network', or they are not of the type "
            "written.",
        ),
        (
            _set("nodes", "lon", float("nan")),
            "network_columns",
            "has empty values in the columns ['lon'] of its layer 'nodes'.",
        ),
        (
            _set("network", "epsg", 4326),
            "network_crs",
            "gives its lengths in EPSG:4326, which is not a projected CRS in metres (degrees "
            "would be taken as metres).",
        ),
        (_no_crs, "network_crs", "has nodes in no CRS, not WGS84 (EPSG:4326)."),
        (_empty_edges, "network_empty", "has 9 nodes and 0 edges."),
        (
            _set("edges", "u", 999),
            "network_nodes",
            "has 1 of 8 edges naming nodes it does not hold (rows 0 to 8).",
        ),
        (  # wrong statuses with exit 0
            _set("edges", "length_m", float("nan")),
            "network_columns",
            "has empty values in the columns ['length_m'] of its layer 'edges'.",
        ),
        (
            _set("edges", "length_m", -400.0),
            "network_lengths",
            "has 1 edges whose length is missing, negative or not the distance between their "
            "nodes (the first, row 0: -400.0 m for 400.00 m).",
        ),
        (
            _set("edges", "highway", "pedestrian"),
            "network_changed",
            "was changed after `atlas network` wrote it (its nodes, edges or tags no longer hash "
            "to the SHA-256 it was written with).",
        ),
        (  # read as written: the summary was not hashed
            _summary('{"edges": 1}'),
            "network_changed",
            "was changed after `atlas network` wrote it (its nodes, edges or tags no longer hash "
            "to the SHA-256 it was written with).",
        ),
        (  # a RecursionError
            _summary("[" * 200_000),
            "network_changed",
            "was changed after `atlas network` wrote it (its nodes, edges or tags no longer hash "
            "to the SHA-256 it was written with).",
        ),
        (  # a JSONDecodeError
            _summary("{not json"),
            "network_changed",
            "was changed after `atlas network` wrote it (its nodes, edges or tags no longer hash "
            "to the SHA-256 it was written with).",
        ),
    ],
)
def test_a_network_file_not_as_written_is_refused(written, tmp_path, edit, code, problem):
    path = hostile_files.edited_network(written, tmp_path / "edited.gpkg", edit)
    with pytest.raises(InputError) as error:
        network.read_network(path)
    assert str(error.value) == (
        f"Expected a network GeoPackage written by `atlas network`; edited.gpkg {problem} Write "
        "it again with `atlas network EXTRACT --out network.gpkg`, or give the OSM extract "
        "itself to --network."
    )
    assert error.value.code == code
    zh, en = error_text(error.value, "zh"), error_text(error.value, "en")
    assert "edited.gpkg" in zh and "edited.gpkg" in en
    assert "Expected" not in zh and not re.search(r"[\u4e00-\u9fff]", en)


def test_a_file_that_is_no_geopackage_is_refused_by_name(tmp_path):
    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(b"not a GeoPackage" * 64)
    for path in (junk, tmp_path / "missing.gpkg"):
        with pytest.raises(InputError) as error:
            network.read_network(path)
        assert str(error.value).startswith(
            f"Expected a network GeoPackage written by `atlas network`; {path.name} cannot be "
            "read as a GeoPackage ("
        )
        assert error.value.code == "network_unreadable"
        assert error_text(error.value, "zh").startswith(f"{path.name} 无法作为 GeoPackage 读取。")


def test_a_layer_of_more_rows_than_the_caps_build_is_refused_before_it_is_read(
    written, monkeypatch
):
    # A network built within the caps has at most MAX_NETWORK_REFS nodes and edges; a bigger
    # file is refused from its header (here the scene's 9 nodes against a cap of 5).
    monkeypatch.setattr(network, "MAX_NETWORK_REFS", 5)
    read, read_dataframe = [], network.pyogrio.read_dataframe

    def reading(*args, **kwargs):
        read.append(kwargs["layer"])
        return read_dataframe(*args, **kwargs)

    monkeypatch.setattr(network.pyogrio, "read_dataframe", reading)
    with pytest.raises(InputError) as error:
        network.read_network(written)
    assert str(error.value).startswith(
        "Expected a network GeoPackage written by `atlas network`; network.gpkg has 9 rows in "
        "its layer 'nodes', more than the 5 (MAX_NETWORK_REFS) of a network built within the "
        "caps."
    )
    assert error.value.code == "network_size"
    assert read == ["network"]  # the nodes and edges were never read


def test_a_network_file_copied_as_written_is_read(written, tmp_path):
    path = hostile_files.edited_network(written, tmp_path / "copy.gpkg", lambda layers: None)
    assert network.read_network(path).summary == network.read_network(written).summary


def test_an_upload_is_built_in_a_bounded_process_as_here(tmp_path):
    path = osm_xml(*wall_scene({"highway": "steps"}), tmp_path / "scene.osm")
    apart = network.build_network_bounded(path.read_bytes(), name="scene.osm")
    here = network.build_network(path, use_cache=False)
    pd.testing.assert_frame_equal(apart.edges, here.edges)
    with pytest.raises(InputError) as error:
        network.build_network_bounded(
            hostile_files.long_way_pbf(tmp_path / "l.osm.pbf", 3_000).read_bytes(),
            name="l.osm.pbf",
        )
    assert error.value.code == "osm_way_refs"


def _cut_xml(tmp_path) -> bytes:
    whole = osm_xml(*wall_scene(), tmp_path / "whole.osm").read_bytes()
    return whole[: len(whole) // 2]


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (lambda tmp: b"plain text with <osm in it", "x.osm", "osm_not_xml"),
        (
            lambda tmp: b'<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY a "a">]><osm>&a;</osm>',
            "x.osm",
            "osm_doctype",
        ),
        (lambda tmp: b"<html><body>&lt;osm</body></html>", "x.osm", "osm_root"),
        (lambda tmp: b"\x00\x00\x00\x0dnot a pbf at all", "x.osm.pbf", "osm_pbf_header"),
        (_cut_xml, "cut.osm", "osm_truncated"),
        (lambda tmp: b"x" * 101, "big.osm", "osm_bytes"),  # over a cap of 100 bytes here
        (lambda tmp: tmp / "missing.osm.pbf", None, "osm_missing"),
        (lambda tmp: tmp / "roads.geojson", None, "osm_suffix"),
    ],
)
def test_an_extract_refused_is_worded_in_both_languages(tmp_path, monkeypatch, data, name, code):
    # The reach page shows these to a planner: each has its code and its words in Chinese.
    if code == "osm_bytes":
        monkeypatch.setattr(network._osm, "MAX_OSM_BYTES", 100)
    source = data(tmp_path)
    with pytest.raises(InputError) as error:
        network.build_network(source, name=name, use_cache=False)
    assert error.value.code == code
    shown = name or source.name
    zh, en = error_text(error.value, "zh"), error_text(error.value, "en")
    assert shown in zh and "Expected" not in zh and re.search(r"[\u4e00-\u9fff]", zh)
    assert shown in en and not re.search(r"[\u4e00-\u9fff]", en)


def test_an_extract_read_for_infrastructure_is_not_read_whole_again_for_its_network(
    tmp_path, monkeypatch
):
    # `atlas reach --infra X.osm.pbf --network X.osm.pbf`: one whole-file read, not two.
    from geo import infra
    from geo.io import osm as _osm

    path = hostile_files.long_way_pbf(tmp_path / "both.osm.pbf", 4, ways=2)
    reads = []
    real = _osm._check_whole
    monkeypatch.setattr(_osm, "_check_whole", lambda *a, **k: reads.append(a[1]) or real(*a, **k))
    infra.read_infra(path)
    built = network.build_network(path, use_cache=False)
    assert reads == ["both.osm.pbf"]
    assert len(built.edges) == 2 * 3
    # The count made for the infrastructure (no cap) still holds the file to the network's.
    monkeypatch.setattr(network, "MAX_NETWORK_REFS", 7)
    with pytest.raises(InputError) as error:
        network.build_network(path, use_cache=False)
    assert error.value.code == "osm_refs"
    assert reads == ["both.osm.pbf"]
    # A changed file is read whole again.
    hostile_files.long_way_pbf(path, 3, ways=2)
    assert len(network.build_network(path, use_cache=False).edges) == 2 * 2
    assert reads == ["both.osm.pbf", "both.osm.pbf"]
