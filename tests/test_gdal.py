"""
Tests for geo/io/gdal.py: four drivers, no network, every reader and writer through it.

Each network test runs a listener on a loopback port and asserts that no connection reached
it: the hostile files point GDAL at that port, as the battery of issue 17 did.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import zipfile
from io import BytesIO
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo import infra, records
from geo.errors import InputError
from geo.io import gdal as _gdal
from geo.io import vector as _vector
from layers.export import write_geojson, write_geopackage

REPO = Path(__file__).resolve().parent.parent


class Listener:
    """A TCP server on 127.0.0.1 that records every connection and answers 404."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.requests: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    self.requests.append(connection.recv(1024) or b"(connected)")
                    connection.sendall(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    self.requests.append(b"(connected)")

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def _vrt(url: str, *, comment: str = "<osm") -> bytes:
    # The battery's file: '<osm' in a comment before an OGR VRT root that reads a URL.
    return (
        f"<!-- {comment} -->\n<OGRVRTDataSource><OGRVRTLayer name='x'>"
        f"<SrcDataSource>CSV:/vsicurl/{url}</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"
    ).encode()


def test_only_the_four_drivers_are_registered_whatever_imports_first():
    # pyogrio imported before geo: its drivers are registered already, and removed.
    code = (
        "import pyogrio, geo, geo.io.gdal as g; g._pyogrio(); print(sorted(pyogrio.list_drivers()))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(sorted(_gdal.ALLOWED_DRIVERS))
    assert out.stderr == ""  # no GDAL warning about the skip list


def test_network_options_are_set_in_gdal():
    pyogrio = _gdal._pyogrio()
    for key, value in _gdal.NETWORK_OFF.items():
        assert str(pyogrio.get_gdal_config_option(key)).upper() == value.upper(), key


def test_a_vrt_named_osm_is_refused_and_sends_nothing(listener, tmp_path):
    path = tmp_path / "extract.osm"
    path.write_bytes(_vrt(listener.url("x.csv")))
    with pytest.raises(InputError, match=r"root element of 'extract.osm' is <OGRVRTDataSource>"):
        infra.read_infra(path)
    with pytest.raises(InputError, match=r"<OGRVRTDataSource>"):
        infra.read_infra(path.read_bytes(), name="upload.osm")
    assert listener.requests == []


def test_gdal_itself_cannot_open_a_vrt_or_a_url(listener, tmp_path):
    # Past every check of this toolkit, GDAL is the second guard: no VRT driver, no /vsicurl/.
    path = tmp_path / "x.vrt"
    path.write_bytes(_vrt(listener.url("x.csv"), comment="plain"))
    for driver in _gdal.ALLOWED_DRIVERS:
        with pytest.raises(_gdal.GDAL_ERRORS):
            _gdal.read_info(path, driver)
        with pytest.raises(_gdal.GDAL_ERRORS):
            _gdal.read_info(f"/vsicurl/{listener.url('x.geojson')}", driver)
    assert listener.requests == []


def test_a_driver_outside_the_list_is_refused():
    with pytest.raises(ValueError, match=r"Expected a driver among .* got 'CSV'"):
        _gdal.read_info("x.csv", "CSV")
    with pytest.raises(ValueError, match=r"Expected no network or driver option"):
        _gdal.set_config({"GDAL_SKIP": ""})


@pytest.mark.parametrize("name", ["survey.geojson", "survey.json", "survey.gpkg"])
def test_vector_uploads_that_are_vrts_send_nothing(listener, name):
    with pytest.raises(InputError):
        _vector.read_vector(_vrt(listener.url("x.csv")), name)
    assert listener.requests == []


def test_a_zipped_vrt_sends_nothing(listener):
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("survey.shp", _vrt(listener.url("x.csv")))
        archive.writestr("survey.shx", b"")
        archive.writestr("survey.dbf", b"")
    with pytest.raises(InputError):
        _vector.read_vector(buffer.getvalue(), "survey.zip", crs_name="wgs84")
    assert listener.requests == []


def test_a_geojson_whose_crs_links_to_a_url_sends_nothing(listener):
    document = {
        "type": "FeatureCollection",
        "crs": {"type": "link", "properties": {"href": listener.url("crs.wkt")}},
        "features": [
            {"type": "Feature", "properties": {}, "geometry": Point(113.9, 35.3).__geo_interface__}
        ],
    }
    with pytest.raises(InputError, match=r"Linked and unknown CRS are refused"):
        _vector.read_vector(json.dumps(document).encode(), "survey.geojson")
    assert listener.requests == []


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson"])
def test_projects_and_infra_rereads_of_a_vrt_send_nothing(listener, tmp_path, suffix):
    path = tmp_path / f"projects{suffix}"
    path.write_bytes(_vrt(listener.url("x.csv")))
    with pytest.raises(InputError):
        records.read_projects(path)
    with pytest.raises(InputError):
        infra.read_infra(path)
    assert listener.requests == []


def test_exports_to_a_url_are_refused_and_send_nothing(listener):
    frame = gpd.GeoDataFrame({"a": [1]}, geometry=[Point(113.9, 35.3)], crs="EPSG:4326")
    with pytest.raises(InputError, match=r"does not exist"):
        write_geojson(frame, f"/vsicurl/{listener.url('out.geojson')}")
    with pytest.raises(InputError, match=r"does not exist"):
        write_geopackage({"a": frame}, f"/vsicurl/{listener.url('out.gpkg')}")
    assert listener.requests == []


def test_the_listener_does_see_a_request_when_one_is_made(listener):
    # The check above could pass with a deaf listener; this one would fail then.
    with socket.create_connection(("127.0.0.1", listener.port), timeout=2) as connection:
        connection.sendall(b"GET / HTTP/1.0\r\n\r\n")
        connection.recv(100)
    assert listener.requests == [b"GET / HTTP/1.0\r\n\r\n"]
