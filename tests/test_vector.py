"""Tests for geo/io/vector.py: every fixture is built in tmp_path or in memory; no network."""

from __future__ import annotations

import json
import re
import sqlite3
import stat
import struct
import zipfile
from io import BytesIO
from pathlib import Path

import geopandas as gpd
import pyogrio
import pyproj
import pytest
from shapely.geometry import LineString, Point

from geo import crs
from geo.errors import DataError, InputError
from geo.io import vector as _vector

# A point near Xinxiang (新乡), and the same point in CGCS2000 Gauss-Krüger CM 114E (EPSG:4547).
LON, LAT = 113.9, 35.3
X_4547, Y_4547 = pyproj.Transformer.from_crs(4326, 4547, always_xy=True).transform(LON, LAT)
ALLOWED = ".geojson, .json, .gpkg or .zip (a zipped Shapefile)"


def _feature(geometry: dict | None, **properties) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def _point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def _geojson(features: list[dict], **members) -> bytes:
    return json.dumps({"type": "FeatureCollection", **members, "features": features}).encode()


def _crs_member(name: str) -> dict:
    return {"type": "name", "properties": {"name": name}}


def _zip(members: dict[str, bytes], *, symlinks: tuple[str, ...] = ()) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, content in members.items():
            entry = zipfile.ZipInfo(member)
            if member in symlinks:
                entry.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(entry, content)
    return buffer.getvalue()


def _ramps(crs_code: int = 4547) -> gpd.GeoDataFrame:
    xy = (X_4547, Y_4547) if crs_code == 4547 else (LON, LAT)
    return gpd.GeoDataFrame(
        {"kind": ["盲道", "坡道"], "width_m": [1.2, 0.9]},
        geometry=[Point(*xy), Point(xy[0] + 10, xy[1] + 10)],
        crs=crs_code,
    )


def _shapefile_files(tmp_path: Path, ramps: gpd.GeoDataFrame, encoding: str | None) -> dict:
    folder = tmp_path / "shapefile"
    folder.mkdir()
    pyogrio.write_dataframe(ramps, folder / "ramps.shp", encoding=encoding)
    return {f"survey/{path.name}": path.read_bytes() for path in sorted(folder.iterdir())}


def _forbid_gdal(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("GDAL was handed a file that should have been refused first")

    for function in ("read_info", "read_dataframe", "list_layers"):
        monkeypatch.setattr(pyogrio, function, refuse)


def test_upload_error_is_a_value_error():
    # A refused upload is the user's file, not a fault in the shipped data (DataError).
    assert not issubclass(InputError, DataError)
    assert issubclass(InputError, ValueError)


def test_geojson_round_trip_keeps_attributes_and_order():
    line = {"type": "LineString", "coordinates": [[113.9, 35.3], [113.91, 35.31]]}
    features = [
        _feature(_point(113.9, 35.3), kind="盲道", count=3),
        _feature(_point(113.95, 35.28), kind="坡道", count=1),
        _feature(line, kind="扶手", count=7),
    ]
    frame, info = _vector.read_vector(_geojson(features), "survey.geojson")
    assert frame.crs == "EPSG:4326"
    assert list(frame.columns) == ["row", "kind", "count", "geometry"]
    assert frame["row"].tolist() == [1, 2, 3]
    assert frame["kind"].tolist() == ["盲道", "坡道", "扶手"]
    assert frame["count"].tolist() == [3, 1, 7]
    assert frame.geometry.iloc[0].equals(Point(113.9, 35.3))
    assert frame.geometry.iloc[2].equals(LineString(line["coordinates"]))
    assert info == {
        "driver": "GeoJSON",
        "declared_crs": None,
        "datum": "wgs84",
        "encoding": None,
        "layer": None,
        "layers": [],
        "stripped_crs_member": False,
        "unbuilt": {},
    }


def test_empty_feature_collection_gives_an_empty_frame():
    frame, info = _vector.read_vector(_geojson([]), "survey.geojson")
    assert len(frame) == 0
    assert frame.crs == "EPSG:4326"
    assert info["datum"] == "wgs84"


def test_dates_stay_text_and_a_row_column_is_kept_as_attr_row():
    features = [_feature(_point(LON, LAT), surveyed="2024-05-01", row="A-7")]
    frame, _ = _vector.read_vector(_geojson(features), "survey.json")
    assert frame.loc[0, "surveyed"] == "2024-05-01"
    assert frame.loc[0, "attr_row"] == "A-7"
    assert frame.loc[0, "row"] == 1


def test_null_geometries_are_kept_through_a_datum_shift():
    features = [_feature(_point(LON, LAT), kind="坡道"), _feature(None, kind="无坐标")]
    frame, _ = _vector.read_vector(_geojson(features), "survey.geojson", crs_name="gcj02")
    assert len(frame) == 2
    assert frame.geometry.iloc[1] is None
    assert frame["row"].tolist() == [1, 2]


def test_vrt_disguised_as_geojson_never_reaches_gdal(monkeypatch):
    _forbid_gdal(monkeypatch)
    vrt = (
        b'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd'
        b"</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"
    )
    with pytest.raises(InputError, match=r"not GeoJSON: it starts b'<OGRVRTDataSource>"):
        _vector.read_vector(vrt, "survey.geojson")


@pytest.mark.parametrize(
    "document",
    [[1, 2], {"type": "Topology", "objects": {}}, {"type": "Point", "coordinates": [1, 2]}],
)
def test_json_that_is_not_a_feature_collection_or_feature_is_refused(monkeypatch, document):
    _forbid_gdal(monkeypatch)
    with pytest.raises(InputError, match="not GeoJSON"):
        _vector.read_vector(json.dumps(document).encode(), "survey.json")


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("x.vrt", "Export the layer as GeoJSON or GeoPackage"),
        ("ledger.csv", "read as ledgers"),
        ("ledger.xlsx", "read as ledgers"),
        ("survey.kml", "Export the layer as GeoJSON or GeoPackage"),
        ("extract.osm", "own importer"),
        ("ramps.shp", "zip the .shp, .shx, .dbf, .prj (and .cpg) together"),
        ("no_suffix", "Export the layer"),
    ],
)
def test_other_suffixes_are_refused_naming_the_allowed_types(monkeypatch, name, hint):
    _forbid_gdal(monkeypatch)
    with pytest.raises(InputError) as refused:
        _vector.read_vector(b"{}", name)
    assert str(refused.value).startswith(f"Expected a {ALLOWED} file, got {name!r}.")
    assert hint in str(refused.value)


@pytest.mark.parametrize(
    "member",
    [
        {"type": "link", "properties": {"href": "http://example.invalid/crs", "type": "proj4"}},
        {"type": "name", "properties": {"name": "http://example.invalid/crs"}},
        {"type": "name", "properties": {"name": "+proj=longlat +datum=WGS84"}},
        {"type": "name", "properties": {"name": "EPSG:999999"}},
        {"type": "name", "properties": {"name": "Xi'an 1980"}},
        {"type": "href", "properties": {"href": "file:///etc/passwd"}},
        "EPSG:4326",
    ],
)
def test_linked_or_unknown_crs_member_is_refused_before_gdal(monkeypatch, member):
    _forbid_gdal(monkeypatch)
    data = _geojson([_feature(_point(LON, LAT))], crs=member)
    with pytest.raises(InputError, match="Linked and unknown CRS are refused"):
        _vector.read_vector(data, "survey.geojson")


def test_linked_crs_inside_a_feature_is_refused_too(monkeypatch):
    _forbid_gdal(monkeypatch)
    feature = _feature(_point(LON, LAT))
    feature["geometry"]["crs"] = {"type": "link", "properties": {"href": "http://x.invalid"}}
    with pytest.raises(InputError, match="Linked and unknown CRS are refused"):
        _vector.read_vector(_geojson([feature]), "survey.geojson")


@pytest.mark.parametrize(
    "name",
    [
        "EPSG:4547",
        "urn:ogc:def:crs:EPSG::4547",
        "urn:ogc:def:crs:EPSG:9.8.15:4547",
        "http://www.opengis.net/def/crs/EPSG/0/4547",
    ],
)
def test_epsg_named_crs_member_is_honoured_and_stripped_before_gdal(monkeypatch, name):
    read_bytes: list[bytes] = []
    for function in ("read_info", "read_dataframe"):
        real = getattr(pyogrio, function)

        def spy(path, *args, _real=real, **kwargs):
            read_bytes.append(Path(path).read_bytes())
            return _real(path, *args, **kwargs)

        monkeypatch.setattr(pyogrio, function, spy)
    feature = _feature({"type": "Point", "coordinates": [X_4547, Y_4547], "crs": _crs_member(name)})
    data = _geojson([feature], crs=_crs_member(name))

    frame, info = _vector.read_vector(data, "survey.geojson")

    assert frame.crs == "EPSG:4326"
    assert frame.geometry.iloc[0].x == pytest.approx(LON, abs=1e-6)
    assert frame.geometry.iloc[0].y == pytest.approx(LAT, abs=1e-6)
    assert info["declared_crs"] == "EPSG:4547"
    assert info["datum"] == "EPSG:4547"
    assert info["stripped_crs_member"] is True
    assert len(read_bytes) == 2
    assert all(b'"crs"' not in seen and b"4547" not in seen for seen in read_bytes)


@pytest.mark.parametrize(
    ("name", "label"),
    [("EPSG:4490", "EPSG:4490"), ("urn:ogc:def:crs:OGC:1.3:CRS84", "OGC:CRS84")],
)
def test_geographic_crs_member_keeps_lon_first(name, label):
    data = _geojson([_feature(_point(LON, LAT))], crs=_crs_member(name))
    frame, info = _vector.read_vector(data, "survey.geojson")
    assert frame.geometry.iloc[0].x == pytest.approx(LON, abs=1e-6)
    assert frame.geometry.iloc[0].y == pytest.approx(LAT, abs=1e-6)
    assert (info["declared_crs"], info["datum"]) == (label, label)


def test_two_different_crs_members_are_refused():
    feature = _feature(
        {"type": "Point", "coordinates": [LON, LAT], "crs": _crs_member("EPSG:4490")}
    )
    data = _geojson([feature], crs=_crs_member("EPSG:4547"))
    with pytest.raises(
        InputError, match=r"one CRS per GeoJSON file, got \['EPSG:4490', 'EPSG:4547'\]"
    ):
        _vector.read_vector(data, "survey.geojson")


@pytest.mark.parametrize(
    ("datum", "to_wgs84"), [("gcj02", crs.gcj02_to_wgs84), ("bd09", crs.bd09_to_wgs84)]
)
def test_declared_shifted_datum_converts_a_geographic_file(datum, to_wgs84):
    data = _geojson([_feature(_point(LON, LAT))])
    frame, info = _vector.read_vector(data, "survey.geojson", crs_name=datum)
    expected = to_wgs84(LON, LAT)
    point = frame.geometry.iloc[0]
    assert (point.x, point.y) == pytest.approx(expected, abs=1e-9)
    assert abs(point.x - LON) > 1e-4  # the shift was applied, not skipped
    assert info["datum"] == datum


def test_shifted_datum_is_refused_for_a_projected_file():
    data = _geojson([_feature(_point(X_4547, Y_4547))], crs=_crs_member("EPSG:4547"))
    with pytest.raises(InputError, match="a projected survey CRS cannot be GCJ-02 or BD-09"):
        _vector.read_vector(data, "survey.geojson", crs_name="gcj02")


def test_unknown_crs_name_argument_is_refused():
    with pytest.raises(InputError, match=r"one of wgs84, cgcs2000, gcj02, bd09, got 'utm'"):
        _vector.read_vector(_geojson([]), "survey.geojson", crs_name="utm")


def test_metres_declared_as_wgs84_are_refused_naming_gauss_kruger():
    data = _geojson([_feature(_point(LON, LAT)), _feature(_point(X_4547, Y_4547))])
    with pytest.raises(InputError, match=r"at row 2: these look projected .*EPSG:4547"):
        _vector.read_vector(data, "survey.geojson", crs_name="wgs84")


@pytest.mark.parametrize(
    ("member", "problem"),
    [
        ("../evil.shp", "a '..' path part"),
        ("survey/../../evil.shp", "a '..' path part"),
        ("..\\evil.shp", "a '..' path part"),
        ("/tmp/evil.shp", "an absolute path or drive"),
        ("C:/evil.shp", "an absolute path or drive"),
        ("x.vrt", "not a Shapefile part"),
        ("survey/notes.txt", "not a Shapefile part"),
    ],
)
def test_unsafe_or_foreign_zip_members_are_refused(monkeypatch, member, problem):
    _forbid_gdal(monkeypatch)
    data = _zip({"ok.shp": b"x", "ok.shx": b"x", "ok.dbf": b"x", member: b"x"})
    with pytest.raises(InputError, match="Zip only the Shapefile's own files") as refused:
        _vector.read_vector(data, "survey.zip")
    assert f"{member!r} ({problem})" in str(refused.value)


def test_symlink_zip_member_is_refused(monkeypatch):
    _forbid_gdal(monkeypatch)
    data = _zip({"ok.shp": b"x", "ok.shx": b"x", "ok.dbf": b"/etc/passwd"}, symlinks=("ok.dbf",))
    with pytest.raises(InputError, match=r"'ok.dbf' \(a symbolic link\)"):
        _vector.read_vector(data, "survey.zip")


def test_zip_with_too_many_members_is_refused(monkeypatch):
    _forbid_gdal(monkeypatch)
    members = {f"meta{i}.xml": b"" for i in range(_vector.MAX_ZIP_ENTRIES)} | {"ok.shp": b""}
    with pytest.raises(InputError, match=r"at most 64 members in 'survey.zip', got 65"):
        _vector.read_vector(_zip(members), "survey.zip")


def test_zip_declaring_too_many_bytes_is_refused(monkeypatch, tmp_path):
    data = _zip(_shapefile_files(tmp_path, _ramps(), None))
    _forbid_gdal(monkeypatch)
    with pytest.raises(InputError, match=r"unpack to at most 100 bytes, got members declaring"):
        _vector.read_vector(data, "survey.zip", max_unpacked=100)


def test_zip_member_larger_than_its_header_says_is_refused(monkeypatch):
    _forbid_gdal(monkeypatch)
    data = bytearray(_zip({"ok.shp": b"\0" * 5000, "ok.shx": b"x", "ok.dbf": b"x"}))
    central = data.index(b"PK\x01\x02")  # first central-directory record: ok.shp
    data[central + 24 : central + 28] = struct.pack("<I", 10)  # uncompressed size: a lie
    with pytest.raises(InputError, match="unpack"):
        _vector.read_vector(bytes(data), "survey.zip", max_unpacked=1000)


def test_unpacking_counts_real_bytes_across_members(tmp_path):
    # CPython's zipfile already stops at a member's declared size (then fails its CRC check),
    # so the running byte count is exercised directly.
    archive = zipfile.ZipFile(BytesIO(_zip({"ok.shp": b"\0" * 100})))
    entry = archive.getinfo("ok.shp")
    assert _vector._extract(archive, entry, tmp_path / "a.shp", 0, limit=100) == 100
    with pytest.raises(InputError, match=r"at most 1000 bytes, got more while unpacking 'ok.shp'"):
        _vector._extract(archive, entry, tmp_path / "b.shp", 950, limit=1000)


@pytest.mark.parametrize(
    ("members", "listed"),
    [
        ({"ok.shx": b"x", "ok.dbf": b"x", "ok.prj": b"x"}, "got []"),
        ({"a.shp": b"x", "b/b.shp": b"x"}, "got ['a.shp', 'b/b.shp']"),
    ],
)
def test_zip_needs_exactly_one_shp(monkeypatch, members, listed):
    _forbid_gdal(monkeypatch)
    with pytest.raises(
        InputError, match=r"exactly one \.shp in 'survey.zip', " + re.escape(listed)
    ):
        _vector.read_vector(_zip(members), "survey.zip")


def test_zip_without_shx_or_dbf_is_refused(monkeypatch):
    _forbid_gdal(monkeypatch)
    with pytest.raises(InputError, match=r"one \.shx and one \.dbf named like 'ramps.shp'"):
        _vector.read_vector(_zip({"ramps.shp": b"x", "ramps.dbf": b"x"}), "survey.zip")


def test_not_a_zip_is_refused():
    with pytest.raises(InputError, match=r"Expected a zip archive, got 'survey.zip'"):
        _vector.read_vector(b"<html>", "survey.zip")


@pytest.mark.parametrize(
    ("encoding", "keep_cpg", "language_driver", "label"),
    [
        ("GBK", False, None, "GB18030"),  # no .cpg, language driver 0: sniffed
        ("GBK", False, 0x4D, "GB18030"),  # no .cpg, language driver says code page 936
        ("GBK", True, None, "GB18030"),  # .cpg says GBK
        (None, True, None, "UTF-8"),  # .cpg says UTF-8
        (None, False, None, "UTF-8"),  # no .cpg, UTF-8 bytes: sniffed
    ],
)
def test_shapefile_text_and_coordinates(tmp_path, encoding, keep_cpg, language_driver, label):
    files = _shapefile_files(tmp_path, _ramps(), encoding)
    assert "survey/ramps.cpg" in files
    if not keep_cpg:
        del files["survey/ramps.cpg"]
    if language_driver is not None:
        dbf = bytearray(files["survey/ramps.dbf"])
        dbf[29] = language_driver
        files["survey/ramps.dbf"] = bytes(dbf)

    frame, info = _vector.read_vector(_zip(files), "survey.zip")

    assert frame["kind"].tolist() == ["盲道", "坡道"]
    assert frame["width_m"].tolist() == [1.2, 0.9]
    assert frame.crs == "EPSG:4326"
    assert frame.geometry.iloc[0].x == pytest.approx(LON, abs=1e-6)
    assert frame.geometry.iloc[0].y == pytest.approx(LAT, abs=1e-6)
    assert info["driver"] == "ESRI Shapefile"
    assert (info["declared_crs"], info["datum"], info["encoding"]) == (
        "EPSG:4547",
        "EPSG:4547",
        label,
    )


def test_shapefile_text_in_neither_utf8_nor_gbk_is_refused(tmp_path):
    files = _shapefile_files(tmp_path, _ramps().assign(kind=["zz", "zz"]), None)
    del files["survey/ramps.cpg"]
    # 0xFF starts no character in UTF-8 nor in GB18030.
    files["survey/ramps.dbf"] = files["survey/ramps.dbf"].replace(b"zz", b"\xff\xff")
    with pytest.raises(InputError, match=r"UTF-8 or GBK/GB18030 \(there is no \.cpg\)"):
        _vector.read_vector(_zip(files), "survey.zip")


def test_shapefile_without_prj_needs_a_datum(tmp_path):
    files = _shapefile_files(tmp_path, _ramps(4326), None)
    del files["survey/ramps.prj"]
    with pytest.raises(InputError, match=r"got none \(no \.prj.*or add the \.prj"):
        _vector.read_vector(_zip(files), "survey.zip")
    frame, info = _vector.read_vector(_zip(files), "survey.zip", crs_name="wgs84")
    assert frame.crs == "EPSG:4326"
    assert frame.geometry.iloc[0].equals(Point(LON, LAT))
    assert (info["declared_crs"], info["datum"]) == (None, "wgs84")


def _gpkg(tmp_path: Path, layers: dict[str, gpd.GeoDataFrame]) -> bytes:
    path = tmp_path / "survey.gpkg"
    for layer, frame in layers.items():
        pyogrio.write_dataframe(frame, path, layer=layer)
    return path.read_bytes()


@pytest.mark.parametrize("epsg", [4547, 4526])
def test_gpkg_in_gauss_kruger_lands_on_the_right_point(tmp_path, epsg):
    ramps = _ramps().to_crs(epsg)  # 4526 is the same zone with the 38 prefix on eastings
    frame, info = _vector.read_vector(_gpkg(tmp_path, {"ramps": ramps}), "survey.gpkg")
    assert frame.geometry.iloc[0].x == pytest.approx(LON, abs=1e-6)
    assert frame.geometry.iloc[0].y == pytest.approx(LAT, abs=1e-6)
    assert info["driver"] == "GPKG"
    assert (info["declared_crs"], info["layer"], info["layers"]) == (
        f"EPSG:{epsg}",
        "ramps",
        ["ramps"],
    )


def test_gpkg_reads_the_first_layer_unless_told(tmp_path):
    handrails = gpd.GeoDataFrame({"kind": ["扶手"]}, geometry=[Point(114.0, 35.2)], crs=4326)
    data = _gpkg(tmp_path, {"ramps": _ramps(), "handrails": handrails})
    ramps, info = _vector.read_vector(data, "survey.gpkg")
    assert ramps["kind"].tolist() == ["盲道", "坡道"]
    assert (info["layer"], info["layers"]) == ("ramps", ["ramps", "handrails"])
    chosen, info = _vector.read_vector(data, "survey.gpkg", layer="handrails")
    assert chosen["kind"].tolist() == ["扶手"]
    assert chosen.geometry.iloc[0].equals(Point(114.0, 35.2))
    assert info["layer"] == "handrails"
    with pytest.raises(InputError, match=r"layer 'kerbs', got .* \['ramps', 'handrails'\]"):
        _vector.read_vector(data, "survey.gpkg", layer="kerbs")


def test_gpkg_suffix_on_other_bytes_is_refused(monkeypatch):
    _forbid_gdal(monkeypatch)
    with pytest.raises(
        InputError,
        match=r"Expected a GeoPackage \(an SQLite file with application_id GPKG\), got 'survey",
    ):
        _vector.read_vector(_geojson([]), "survey.gpkg")


def test_plain_sqlite_named_gpkg_is_refused_before_gdal(monkeypatch, tmp_path):
    path = tmp_path / "plain.sqlite"
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("CREATE TABLE ramps (id INTEGER PRIMARY KEY, kind TEXT)")
    connection.close()
    _forbid_gdal(monkeypatch)
    with pytest.raises(InputError, match=r"application_id GPKG\), got 'survey.gpkg'"):
        _vector.read_vector(path.read_bytes(), "survey.gpkg")


def test_file_gdal_reads_with_another_driver_is_refused(monkeypatch):
    monkeypatch.setattr(pyogrio, "read_info", lambda path, **kwargs: {"driver": "OSM"})
    with pytest.raises(
        InputError, match=r"Expected a GeoJSON file, got 's.json', which GDAL reads as OSM"
    ):
        _vector.read_vector(_geojson([_feature(_point(LON, LAT))]), "s.json")


def test_upload_larger_than_the_limit_is_refused(monkeypatch):
    _forbid_gdal(monkeypatch)
    with pytest.raises(InputError, match=r"at most 10 bytes, got \d+ bytes"):
        _vector.read_vector(_geojson([]), "survey.geojson", max_unpacked=10)
