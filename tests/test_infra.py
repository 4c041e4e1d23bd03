"""Tag rules, survey mapping and datums of geo/infra.py, on tiny hand-written files."""

from __future__ import annotations

import json
import re

import pyogrio
import pytest
import shapely

from geo import coverage, crs, infra
from geo.errors import InputError
from layers.export import write_geopackage
from layers.wording import quarantine_messages

# Node ids say what each node is; ways refer to them. Coordinates around 13.40 E, 52.50 N.
_NODES = {
    1: {"highway": "crossing", "tactile_paving": "yes"},  # tactile point (crossing)
    2: {"barrier": "kerb", "kerb": "lowered", "tactile_paving": "yes"},  # tactile + ramp
    3: {"highway": "bus_stop", "tactile_paving": "yes", "wheelchair": "yes"},  # tactile+2 stops
    4: {"tactile_paving": "yes"},  # tactile on a bare node: not a crossing/kerb/stop
    5: {"kerb": "flush"},  # ramp
    6: {"kerb": "raised"},  # not a ramp
    7: {"highway": "bus_stop", "wheelchair": "no"},  # stop, not accessible
    8: {"public_transport": "platform", "wheelchair": "yes"},  # both stop types
    9: {"amenity": "toilets", "wheelchair": "yes"},  # accessible toilet
    10: {"amenity": "toilets", "toilets:wheelchair": "yes"},  # accessible toilet
    11: {"amenity": "toilets", "wheelchair": "no"},  # not accessible
    12: {"highway": "elevator"},
    13: {"kerb": "lowered"},  # end of the kerb way below, tagged itself: counted once
}
_WAYS = {
    # id: (node refs, tags)
    101: ([20, 21], {"highway": "footway", "footway": "sidewalk", "tactile_paving": "yes"}),
    102: ([22, 23], {"highway": "footway", "footway": "crossing", "tactile_paving": "yes"}),
    103: ([24, 25], {"highway": "residential", "tactile_paving": "yes"}),  # a road: no
    104: ([26, 27], {"highway": "footway", "footway": "sidewalk"}),  # sidewalk only
    105: ([13, 28], {"barrier": "kerb", "kerb": "lowered"}),  # two ends; node 13 is tagged
    106: ([29, 30, 31, 32, 29], {"amenity": "toilets", "wheelchair": "yes"}),  # area toilet
}


def _osm_xml() -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    ids = sorted(set(_NODES) | {n for refs, _ in _WAYS.values() for n in refs})
    for i in ids:
        lon, lat = 13.40 + i * 0.0002, 52.50 + (i % 5) * 0.0002
        tags = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in _NODES.get(i, {}).items())
        lines.append(f'<node id="{i}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">{tags}</node>')
    for i, (refs, tags) in _WAYS.items():
        body = "".join(f'<nd ref="{r}"/>' for r in refs)
        body += "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        lines.append(f'<way id="{i}" version="1">{body}</way>')
    lines.append("</osm>")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def rules(tmp_path_factory) -> infra.Infra:
    path = tmp_path_factory.mktemp("osm") / "rules.osm"
    path.write_text(_osm_xml(), encoding="utf-8")
    return infra.read_infra(path)


def _ids(found: infra.Infra, kind: str) -> list[str]:
    return sorted(found.features.loc[found.features["type"] == kind, "source_id"])


def test_tactile_paving_rule(rules):
    # Node 4 has tactile_paving=yes but is no crossing, kerb or stop; way 103 is a road.
    assert _ids(rules, "tactile_paving") == ["node/1", "node/2", "node/3", "way/101", "way/102"]
    tactile = rules.features[rules.features["type"] == "tactile_paving"]
    kinds = dict(zip(tactile["source_id"], tactile.geom_type, strict=True))
    assert kinds["way/101"] == "LineString" and kinds["node/1"] == "Point"


def test_curb_ramp_rule(rules):
    # Node 6 (raised) is not a ramp. Way 105 gives its two ends; node 13 is one of them and
    # is tagged itself, so it counts once.
    assert _ids(rules, "curb_ramp") == ["node/13", "node/2", "node/5", "way/105"]


def test_bus_stop_rules(rules):
    assert _ids(rules, "bus_stop") == ["node/3", "node/7", "node/8"]
    assert _ids(rules, "accessible_bus_stop") == ["node/3", "node/8"]


def test_accessible_toilet_rule(rules):
    # Either wheelchair=yes or toilets:wheelchair=yes; a closed way counts at one point.
    assert _ids(rules, "accessible_toilet") == ["node/10", "node/9", "way/106"]
    toilets = rules.features[rules.features["type"] == "accessible_toilet"]
    assert (toilets.geom_type == "Point").all()


def test_elevator_and_sidewalk_rules(rules):
    assert _ids(rules, "elevator") == ["node/12"]
    assert _ids(rules, "sidewalk") == ["way/101", "way/104"]
    assert rules.extent is not None and rules.extent.geom_type == "Polygon"
    assert rules.features.crs.to_epsg() == 4326


def test_osm_xml_with_entities_is_refused(tmp_path):
    bomb = '<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY a "aaaa">]><osm>&a;</osm>'
    with pytest.raises(InputError, match="DOCTYPE"):
        infra.read_infra(bomb.encode(), name="bomb.osm")
    with pytest.raises(InputError, match="OSMHeader"):
        infra.read_infra(b"\x00\x00\x00\x0dnot a pbf at all", name="x.osm.pbf")


# A point ~330 m from the 卫滨区/红旗区 border: 卫滨区 (410703) once read as GCJ-02,
# 红旗区 (410702) if the GCJ-02 numbers were taken as WGS84.
LON_GCJ, LAT_GCJ = 113.8687, 35.3017


def _survey_csv(datum: str | None) -> bytes:
    rows = ["设施类型,名称,经度,纬度" + (",坐标系" if datum else "")]
    extra = f",{datum}" if datum else ""
    rows.append(f"缘石坡道,路口A,{LON_GCJ},{LAT_GCJ}{extra}")
    rows.append(f"无障碍公交站,站台B,{LON_GCJ + 0.001},{LAT_GCJ}{extra}")
    rows.append(f"路灯,灯C,{LON_GCJ},{LAT_GCJ}{extra}")
    rows.append(f"盲道,,,{extra}")
    return "\n".join(rows).encode("gbk")


def test_a_gcj02_survey_csv_lands_in_the_right_district():
    found = infra.read_infra(_survey_csv("高德"), name="survey.csv")
    ramp = found.features[found.features["type"] == "curb_ramp"].geometry.iloc[0]
    lon, lat = crs.gcj02_to_wgs84(LON_GCJ, LAT_GCJ)
    assert ramp.x == pytest.approx(lon, abs=1e-9) and ramp.y == pytest.approx(lat, abs=1e-9)
    from geo.boundaries import assign_districts

    assert list(assign_districts([ramp.x], [ramp.y])) == ["410703"]
    assert list(assign_districts([LON_GCJ], [LAT_GCJ])) == ["410702"]
    # The accessible stop is also a stop; the unknown type and the row without a point are
    # quarantined with their rows, and the counts add up.
    assert found.counts()["bus_stop"] == 1 and found.counts()["accessible_bus_stop"] == 1
    assert sorted(zip(found.quarantine["row"], found.quarantine["reason"], strict=True)) == [
        (4, "unknown_type"),
        (5, "no_geometry"),
    ]
    assert found.quarantine.loc[found.quarantine["row"] == 4, "名称"].item() == "灯C"


def test_a_survey_table_without_a_datum_is_refused_not_guessed():
    with pytest.raises(InputError, match="Expected the datum of the coordinates") as raised:
        infra.read_infra(_survey_csv(None), name="survey.csv")
    # The message names no CLI flag; the CLI and the app each add their own way to declare it.
    assert raised.value.fix == "datum" and "--" not in str(raised.value)
    found = infra.read_infra(_survey_csv(None), name="survey.csv", crs_name="gcj02")
    assert found.counts()["curb_ramp"] == 1


def test_survey_geojson_maps_types_and_quarantines_wrong_geometry():
    features = [
        {"type": "Feature", "properties": {"类型": "盲道", "名称": "甲"},
         "geometry": {"type": "LineString", "coordinates": [[113.9, 35.3], [113.901, 35.3]]}},
        {"type": "Feature", "properties": {"类型": "人行道", "名称": "乙"},
         "geometry": {"type": "Point", "coordinates": [113.9, 35.3]}},
        {"type": "Feature", "properties": {"类型": "公交站", "名称": "丙"},
         "geometry": {"type": "LineString", "coordinates": [[113.9, 35.3], [113.901, 35.3]]}},
        {"type": "Feature", "properties": {"类型": "无障碍厕所", "名称": "丁"},
         "geometry": {"type": "Polygon", "coordinates": [[[113.9, 35.3], [113.901, 35.3],
                                                         [113.901, 35.301], [113.9, 35.3]]]}},
        {"type": "Feature", "properties": {"类型": "缘石坡道", "名称": "戊"},
         "geometry": {"type": "MultiPoint", "coordinates": [[113.9, 35.3], [113.902, 35.3],
                                                            [113.903, 35.3]]}},
    ]  # fmt: skip
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    found = infra.read_infra(data, name="survey.geojson")
    assert found.counts()["tactile_paving"] == 1
    assert found.counts()["accessible_toilet"] == 1  # the polygon, at a point inside it
    assert found.counts()["curb_ramp"] == 3  # one row, three ramps
    assert sorted(found.quarantine["reason"]) == ["wrong_geometry", "wrong_geometry"]
    # Each message names the geometry in its own language: no English word in the Chinese one.
    messages = quarantine_messages(found.quarantine).set_index("名称")[["message_zh", "message_en"]]
    assert messages.loc["乙"].tolist() == [
        "点不能作为该类设施的几何",
        "a Point cannot be this feature type's geometry",
    ]
    assert messages.loc["丙", "message_zh"] == "线不能作为该类设施的几何"
    clean_rows = found.features["source_id"].nunique()
    assert clean_rows + len(found.quarantine) == len(features)


@pytest.mark.parametrize("one_type_per_layer", [True, False], ids=["by-type", "whole"])
def test_atlas_infra_output_reads_back_with_its_extent(tmp_path, rules, one_type_per_layer):
    # As `atlas infra` writes it (infra_points and infra_lines), or as one `infra` layer.
    layers = rules.layers()
    path = write_geopackage(layers, tmp_path / "infra.gpkg", one_type_per_layer=one_type_per_layer)
    written = {name for name, _ in pyogrio.list_layers(path)}
    assert ("infra_lines" in written) == one_type_per_layer
    again = infra.read_infra(path)
    assert again.counts() == rules.counts()
    assert shapely.normalize(again.extent).equals_exact(shapely.normalize(rules.extent), 1e-7)
    assert (again.source, again.kind) == ("rules.osm", "osm")
    assert sorted(again.features["source_id"]) == sorted(rules.features["source_id"])


def test_a_survey_is_complete_only_where_it_declares_whole_districts():
    found = infra.read_infra(infra_example())
    assert set(found.quarantine["reason"]) == {"unknown_type", "wrong_geometry"}
    districts = coverage.coverage_districts(found)
    assert set(districts["city"]) == {"新乡市"}
    # Undeclared, each district's extent is the hull of the features found in it: nothing
    # spills over a neighbour, and a district surveyed to its edges is nearly whole.
    hull = coverage.district_metrics(found, districts).set_index("district")
    assert (hull.loc[["凤泉区", "新乡县"], "extent_share"] < 0.005).all()
    assert (hull.loc[["卫滨区", "红旗区", "牧野区"], "extent_share"] > 0.85).all()
    declared = infra.declare_coverage(found, ["卫滨区", "红旗区", "牧野区"], city="新乡")
    table = coverage.district_metrics(declared, districts).set_index("district")
    ok = table.loc[["卫滨区", "红旗区", "牧野区"]]
    assert (ok["tactile_rate_status"] == "ok").all()
    # The generator lays tactile paving on 90%, 60% and 30% of sidewalks (random draws).
    assert ok["tactile_rate"].iloc[0] > ok["tactile_rate"].iloc[1] > ok["tactile_rate"].iloc[2]
    others = table.drop(index=["卫滨区", "红旗区", "牧野区"])
    assert (others["tactile_rate_status"] == "outside_extent").all()
    assert others["tactile_rate"].isna().all()
    with pytest.raises(InputError, match="鼓楼区"):
        infra.declare_coverage(found, ["鼓楼区"])  # four cities have one


def infra_example():
    from geo._data import DATA_DIR

    return DATA_DIR / "examples" / "synthetic-survey-xinxiang.geojson"


def test_extent_is_the_hull_of_everything_read(rules):
    xy = shapely.get_coordinates(rules.features.geometry.to_numpy())
    assert shapely.contains_xy(rules.extent.buffer(1e-9), xy[:, 0], xy[:, 1]).all()


# --- hostile survey files (issue 17) ----------------------------------------------------------


def _survey(features: list[dict]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _feature(kind: str, geometry: dict | None) -> dict:
    return {"type": "Feature", "properties": {"类型": kind}, "geometry": geometry}


_RAMP = {"type": "Point", "coordinates": [113.87, 35.30]}


@pytest.mark.parametrize(
    ("bad", "reason", "says"),
    [
        (
            _feature(
                "无障碍厕所",
                {
                    "type": "Polygon",
                    "coordinates": [[[113.9, 35.3], [113.91, 35.3], [113.91, 35.31]]],
                },
            ),
            "invalid_geometry",
            "do not form a closed linestring",
        ),
        (
            _feature("盲道", {"type": "LineString", "coordinates": [[113.9, 35.3]]}),
            "invalid_geometry",
            "0 or >1",
        ),
        (
            _feature("盲道", {"type": "LineString", "coordinates": []}),
            "empty_geometry",
            "empty LineString",
        ),
        (
            _feature("无障碍厕所", {"type": "MultiPolygon", "coordinates": []}),
            "empty_geometry",
            "empty MultiPolygon",
        ),
        (
            _feature(
                "无障碍厕所",
                {
                    "type": "Polygon",
                    "coordinates": [[[179, 50], [-179, 50], [-179, 51], [179, 51], [179, 50]]],
                },
            ),
            "invalid_geometry",
            "spans 358.0° of longitude",
        ),
        (
            _feature(
                "无障碍厕所",
                {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [113.9, 35.3],
                            [113.91, 35.31],
                            [113.91, 35.3],
                            [113.9, 35.31],
                            [113.9, 35.3],
                        ]
                    ],
                },
            ),
            "invalid_geometry",
            "Self-intersection",
        ),
        (
            _feature("缘石坡道", {"type": "Point", "coordinates": [13.4, 52.5]}),
            "outside_china",
            "outside China",
        ),
    ],
    ids=[
        "open ring",
        "one-point line",
        "empty line",
        "empty multipolygon",
        "antimeridian",
        "bowtie",
        "Berlin",
    ],
)
def test_one_bad_feature_is_quarantined_and_the_rest_are_read(bad, reason, says):
    found = infra.read_infra(
        _survey([_feature("缘石坡道", _RAMP), bad, _feature("缘石坡道", _RAMP)]), name="s.geojson"
    )
    assert found.counts()["curb_ramp"] == 2
    assert found.quarantine[["row", "reason"]].values.tolist() == [[2, reason]]
    assert says in quarantine_messages(found.quarantine)["message_en"].iloc[0]
    assert found.features["source_id"].nunique() + len(found.quarantine) == 3  # rows add up


def test_a_feature_geos_cannot_build_keeps_its_raw_json():
    line = {"type": "LineString", "coordinates": [[113.9, 35.3]]}
    found = infra.read_infra(_survey([_feature("盲道", line)]), name="s.geojson")
    raw = json.loads(found.quarantine["raw_feature"].iloc[0])
    assert raw == _feature("盲道", line)


def test_the_cli_reads_a_survey_with_a_broken_feature(tmp_path, capsys):
    from cli import main

    path = tmp_path / "s.geojson"
    line = {"type": "LineString", "coordinates": [[113.9, 35.3]]}
    path.write_bytes(_survey([_feature("缘石坡道", _RAMP), _feature("盲道", line)]))
    assert main(["infra", str(path), "--out", str(tmp_path / "i.gpkg")]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (summary["counts"]["curb_ramp"], summary["by_reason"]) == (1, {"invalid_geometry": 1})


def test_stray_points_make_no_extent_and_their_districts_no_data():
    # Three points far apart in 新乡市: the hull of outliers made 324 districts "ok" with 0
    # elevators. Now each district's extent is the hull of what lies in it: a point, no area.
    points = [[113.94, 35.07], [114.68, 35.20], [114.07, 35.40]]
    survey = _survey([_feature("电梯", {"type": "Point", "coordinates": p}) for p in points])
    found = infra.read_infra(survey, name="s.geojson")
    assert found.extent is None
    table = coverage.measure(None, found).table
    assert set(table["city"]) == {"新乡市"}  # the districts that hold a point are listed
    assert set(table["elevators_status"]) == {"outside_extent"}
    assert table["elevators"].isna().all()  # no data, never 0


def test_a_survey_extent_is_cut_to_the_districts_its_features_lie_in():
    # A dense square of ramps inside 卫滨区 covers part of it, and no other district.
    grid = [[113.84 + i * 0.004, 35.28 + j * 0.004] for i in range(5) for j in range(5)]
    survey = _survey([_feature("缘石坡道", {"type": "Point", "coordinates": p}) for p in grid])
    found = infra.read_infra(survey, name="s.geojson")
    table = coverage.measure(None, found).table.set_index("district")
    assert table.loc["卫滨区", "curb_ramps_status"] == "partial_extent"
    assert 0 < table.loc["卫滨区", "extent_share"] < 0.95
    assert (table.drop(index="卫滨区")["curb_ramps_status"] == "outside_extent").all()


def _folder(path):
    path.mkdir()
    return path


@pytest.mark.parametrize(
    ("call", "code", "shown"),
    [
        (lambda tmp: infra.read_infra(tmp / "gone.osm.pbf"), "osm_missing", "gone.osm.pbf"),
        (lambda tmp: infra.read_infra(b"x" * 101, name="big.osm"), "osm_bytes", "big.osm"),
        (
            lambda tmp: infra.read_infra(b"<osm/>", name="a.osm", crs_name="gcj02"),
            "osm_datum",
            "GCJ-02",
        ),
        (lambda tmp: infra.read_infra(tmp / "gone.csv"), "file_missing", "gone.csv"),
        (lambda tmp: infra.read_infra(_folder(tmp / "dir.csv")), "file_not_regular", "dir.csv"),
        (
            lambda tmp: infra.declare_coverage(infra.read_infra(infra_example()), ["鼓楼区"]),
            "coverage_ambiguous",
            "开封市鼓楼区",
        ),
        (
            lambda tmp: infra.declare_coverage(infra.read_infra(infra_example()), ["无此区"]),
            "coverage_unknown",
            "无此区",
        ),
    ],
)
def test_a_file_or_district_refused_is_worded_in_both_languages(
    tmp_path, monkeypatch, call, code, shown
):
    # The infrastructure page shows these: a code, and its words in each language (issue 28).
    from geo.io import osm as _osm
    from layers.wording import error_text, label

    monkeypatch.setattr(_osm, "MAX_OSM_BYTES", 100)
    with pytest.raises(InputError) as error:
        call(tmp_path)
    assert error.value.code == code
    zh, en = error_text(error.value, "zh"), error_text(error.value, "en")
    assert shown in zh and "Expected" not in zh
    # The setting to change, named by its widget's label (坐标系 Datum) where it has one.
    own = en.replace(label(f"fix_{error.value.fix}", "en"), "") if error.value.fix else en
    values = [n for v in error.value.details.values() for n in v.split("/")]
    for name in sorted(values, key=len, reverse=True):  # place names: Chinese in every language
        own = own.replace(name, "")
    assert shown in en and not re.search(r"[\u4e00-\u9fff]", own)


@pytest.mark.parametrize(
    ("data", "name", "code", "zh"),
    [
        (b"<kml/>", "s.kml", "vector_suffix", "s.kml 不是可读取的格式"),
        (b"not json at all", "s.geojson", "geojson_not", "s.geojson 不是 GeoJSON"),
        (b"SQLite format 3\x00" + b"\x00" * 200, "s.gpkg", "gpkg_magic", "s.gpkg 不是 GeoPackage"),
    ],
)
def test_a_survey_file_refused_whole_is_worded_in_each_language_alone(data, name, code, zh):
    # geo.io.vector gives each refusal a code; layers words it (issue 28).
    from layers.wording import error_text, label

    with pytest.raises(InputError) as error:
        infra.read_infra(data, name=name)
    assert error.value.code == code
    assert error_text(error.value, "zh").startswith(zh)
    assert not re.search(r"[\u4e00-\u9fff]", label(f"error_{code}", "en"))
