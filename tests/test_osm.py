"""Tests for geo/io/osm.py: what an OSM extract must be before GDAL reads it, on files made here."""

from __future__ import annotations

import osmium
import pytest

from geo import infra
from geo.errors import InputError
from geo.io import osm as _osm
from tests._osm import assert_layer_reads_as_pyogrio_frame

_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="test">\n'
    + "".join(
        f'<node id="{i}" version="1" lat="35.30{i:02d}" lon="113.90{i:02d}">'
        '<tag k="kerb" v="lowered"/></node>\n'
        for i in range(1, 60)
    )
    + "</osm>\n"
)


def _write_pbf(path, nodes: int, options: str = "") -> None:
    writer = osmium.SimpleWriter(osmium.io.File(str(path), "pbf" + options))
    try:
        for i in range(1, nodes + 1):
            node = osmium.osm.mutable.Node(
                id=i, location=(113.9 + i * 1e-5, 35.3), tags={"kerb": "lowered"}, version=1
            )
            writer.add_node(node)
    finally:
        writer.close()


@pytest.fixture(scope="module")
def pbf(tmp_path_factory):
    """A real PBF of 2,000 tagged nodes, written by pyosmium (uncompressed: see below)."""
    path = tmp_path_factory.mktemp("pbf") / "ramps.osm.pbf"
    _write_pbf(path, 2000, ",pbf_compression=none")
    return path


def test_a_pbf_gdal_cannot_parse_is_refused_not_read_as_empty(tmp_path):
    # libosmium 2.23 reads this zlib PBF of its own; GDAL 3.12's OSM driver stops at its first
    # data block. Through Arrow that was 0 features and exit 0; now it is a refusal.
    path = tmp_path / "zlib.osm.pbf"
    _write_pbf(path, 2000)
    with pytest.raises(InputError, match=r"GDAL can read to its end; .* around byte \d+"):
        infra.read_infra(path)


def test_whole_files_pass_and_read(pbf, tmp_path):
    xml = tmp_path / "ramps.osm"
    xml.write_text(_XML, encoding="utf-8")
    assert infra.read_infra(xml).counts()["curb_ramp"] == 59
    assert infra.read_infra(pbf).counts()["curb_ramp"] == 2000


def test_gdal_opens_an_extract_once_per_layer_each_read_checking_its_driver(pbf, monkeypatch):
    # GDAL's OSM driver parses a whole extract on each open: no open only to check the driver.
    from geo.io import gdal as _gdal

    pyogrio = _gdal._pyogrio()
    opens = []
    for module, function in (
        (pyogrio, "read_info"),
        (pyogrio, "read_dataframe"),
        (pyogrio.raw, "read"),
        (pyogrio.raw, "read_arrow"),
    ):
        real = getattr(module, function)

        def spy(*args, _real=real, _name=function, **kwargs):
            opens.append((_name, kwargs))
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, function, spy)
    assert infra.read_infra(pbf).counts()["curb_ramp"] == 2000
    # Fields and WKB only: no frame of pandas' string type is built for the three layers.
    assert [name for name, _ in opens] == ["read"] * 3
    # GDAL's temporary database is sized to the file (it reserves 100 MB on each open else).
    assert pbf.stat().st_size < 2**16
    assert {k["MAX_TMPFILE_SIZE"] for _, k in opens} == {"1"}
    monkeypatch.setattr(infra, "_OSM_TMP_MB_PER_MB", 2**20)
    assert infra._osm_options(pbf)["MAX_TMPFILE_SIZE"] == "100"


@pytest.mark.parametrize(("suffix", "driver"), [("gpkg", "GPKG"), ("shp", "ESRI Shapefile")])
def test_a_read_by_another_driver_than_osm_is_refused(tmp_path, suffix, driver):
    import geopandas as gpd
    import shapely

    from geo.io import gdal as _gdal

    path = tmp_path / f"points.{suffix}"
    points = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(1, 2)], crs="EPSG:4326")
    _gdal.write_dataframe(points, path, driver)
    with pytest.raises(_gdal.OtherDriverError, match=f"opened by GDAL's {driver} driver, not OSM"):
        _gdal.read_own(path, "OSM", infra._osm_options(path))
    geojson = tmp_path / "points.geojson"
    geojson.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(_gdal.OtherDriverError, match="GeoJSON driver, not OSM"):
        _gdal.read_own(geojson, "OSM", infra._osm_options(geojson))
    with pytest.raises(ValueError, match="Expected an open option of OSM that"):
        _gdal.read_own(geojson, "OSM", {"ENCODING": "UTF-8"})
    with pytest.raises(ValueError, match=r"Expected a driver among .* got 'CSV'"):
        _gdal.read_own(geojson, "CSV", {"X": "1"})


def test_a_truncated_pbf_is_refused_with_how_far_it_got(pbf, tmp_path):
    cut = tmp_path / "cut.osm.pbf"
    cut.write_bytes(pbf.read_bytes()[: pbf.stat().st_size * 2 // 3])
    with pytest.raises(InputError, match=r"cannot be read to its end: PBF error: .*cut short"):
        infra.read_infra(cut)


def test_a_200_byte_pbf_is_refused(pbf, tmp_path):
    tiny = pbf.read_bytes()[:200]
    with pytest.raises(InputError, match=r"\(200 bytes\) cannot be read to its end"):
        infra.read_infra(tiny, name="tiny.osm.pbf")


def test_a_truncated_xml_is_refused_at_its_line(tmp_path):
    cut = tmp_path / "cut.osm"
    cut.write_text(_XML[: len(_XML) // 2], encoding="utf-8")
    with pytest.raises(InputError, match=r"XML parsing error at line \d+, column \d+"):
        infra.read_infra(cut)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<!-- <osm --><OGRVRTDataSource/>", r"root element of 'x.osm' is <OGRVRTDataSource>"),
        ("<osmChange version='0.6'></osmChange>", r"root element .* is <osmChange>"),
        ("<html><body>&lt;osm</body></html>", r"root element .* is <html>"),
        ("plain text with <osm in it", r"not well-formed XML"),
        ("", r"not well-formed XML"),
        (
            '<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY a "aaaa">]><osm>&a;</osm>',
            r"declares a DOCTYPE \(DTD\), where XML entities live",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE osm SYSTEM "file:///etc/passwd"><osm/>',
            r"declares a DOCTYPE",
        ),
    ],
)
def test_xml_that_is_no_osm_root_is_refused(text, message):
    with pytest.raises(InputError, match=message):
        infra.read_infra(text.encode(), name="x.osm")


def test_a_pbf_without_osmheader_is_refused():
    with pytest.raises(InputError, match=r"its first block is 'OSMHeader'"):
        infra.read_infra(b"\x00\x00\x00\x0dnot a pbf at all", name="x.osm.pbf")
    with pytest.raises(InputError, match=r"its first block is 'OSMHeader'"):
        infra.read_infra(b"", name="x.osm.pbf")


def test_an_extract_over_the_cap_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(_osm, "MAX_OSM_BYTES", 100)
    path = tmp_path / "big.osm"
    path.write_text(_XML, encoding="utf-8")
    with pytest.raises(InputError, match=r"at most 0 GB"):
        _osm.check_osm(path, "big.osm")


def _counted_checks(monkeypatch) -> list[str]:
    """Whole-file reads from now on, in this process, with a memo of its own."""
    reads: list[str] = []
    whole = _osm._check_whole

    def counted(path, name, *args):
        reads.append(name)
        return whole(path, name, *args)

    monkeypatch.setattr(_osm, "_check_whole", counted)
    monkeypatch.setattr(_osm, "_WHOLE", type(_osm._WHOLE)())
    return reads


def test_an_uploaded_extract_is_read_whole_once_by_infra_network_and_facilities(monkeypatch):
    from geo import facilities, network
    from geo._data import EXAMPLES_DIR

    example = EXAMPLES_DIR / "synthetic-network-xinxiang.osm.pbf"
    data, name = example.read_bytes(), example.name
    reads = _counted_checks(monkeypatch)
    found = infra.read_infra(data, name=name)
    # Each reader writes the upload to a new temporary file: known by its content instead.
    built = network.build_network(data, name=name, use_cache=False)
    registry = facilities.load_registry()
    facilities.read_osm_facilities(data, registry=registry, extent=built.extent(), name=name)
    assert reads == [name]
    assert len(found.features) and built.counts()["edges"] > 0


def test_the_bounded_child_reads_an_extract_whole_only_when_the_server_did_not(monkeypatch):
    from geo import network
    from geo._data import EXAMPLES_DIR

    example = EXAMPLES_DIR / "synthetic-network-xinxiang.osm.pbf"
    data, name = example.read_bytes(), example.name
    reads = _counted_checks(monkeypatch)
    # What the child runs: with the server's note, no whole read; without, one, returned.
    _, refs = network._build_upload(data, name, None)
    assert reads == [name] and refs > 0
    monkeypatch.setattr(_osm, "_WHOLE", type(_osm._WHOLE)())
    built, again = network._build_upload(data, name, refs)
    assert reads == [name] and again == refs and built.counts()["edges"] > 0
    # A note is no pass: streets over the network's cap are still refused.
    monkeypatch.setattr(_osm, "_WHOLE", type(_osm._WHOLE)())
    with pytest.raises(InputError) as refused:
        network._build_upload(data, name, network.MAX_NETWORK_REFS + 1)
    assert refused.value.code == "osm_refs"


def test_tags_and_broken_areas_read_as_pyogrio_would_frame_them(tmp_path):
    # Markup, other scripts and empty values in tags; a multipolygon whose ring the extract
    # leaves open (GDAL: no geometry), a closed way, a way of one node.
    nodes = "".join(
        f'<node id="{i}" version="1" lat="35.30{i:02d}" lon="113.90{i % 3:02d}">{tags}</node>'
        for i, tags in enumerate(
            [
                '<tag k="highway" v="bus_stop"/><tag k="name" v="&lt;b&gt;站&lt;/b&gt; \'x\'"/>',
                '<tag k="kerb" v=""/><tag k="tactile_paving" v="yes"/><tag k="crossing" v="x"/>',
                "",
                '<tag k="toilets:wheelchair" v="yes"/><tag k="amenity" v="toilets"/>',
            ],
            start=1,
        )
    )
    ways = (
        '<way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="1"/>'
        '<tag k="amenity" v="toilets"/><tag k="wheelchair" v="yes"/><tag k="name" v=""/></way>'
        '<way id="11" version="1"><nd ref="2"/><nd ref="3"/><nd ref="4"/></way>'
        '<way id="12" version="1"><nd ref="4"/><tag k="highway" v="footway"/></way>'
    )
    relation = (
        '<relation id="20" version="1"><member type="way" ref="11" role="outer"/>'
        '<tag k="type" v="multipolygon"/><tag k="highway" v="platform"/></relation>'
    )
    xml = tmp_path / "tags.osm"
    xml.write_text(
        f'<?xml version="1.0"?><osm version="0.6">{nodes}{ways}{relation}</osm>', encoding="utf-8"
    )
    assert_layer_reads_as_pyogrio_frame(xml)
    read = infra.read_osm(xml)
    assert read.counts()["bus_stop"] == 1
    assert read.counts()["accessible_toilet"] == 2
    assert read.features.loc[read.features["type"] == "bus_stop", "name"].tolist() == [
        "<b>站</b> 'x'"
    ]
