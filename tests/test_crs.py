"""Tests for geo/crs.py against the published GCJ-02 and BD-09 formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from geo import crs

# Reference values computed with the published scalar formula (the widely copied
# `transform`/`wgs84togcj02` functions), written out independently below.
A = 6378245.0
EE = 0.00669342162296594323


def _reference_wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """The published scalar formula, line for line, as an independent oracle."""
    if not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271):
        return lon, lat
    x, y = lon - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlon += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    dlon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
    dlon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    radlat = lat / 180.0 * math.pi
    magic = 1 - EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (A / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


def _metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Equirectangular distance in metres; exact enough at these separations."""
    lat = np.radians((np.asarray(lat1) + np.asarray(lat2)) / 2)
    dx = np.radians(np.asarray(lon2) - np.asarray(lon1)) * np.cos(lat) * 6371008.8
    dy = np.radians(np.asarray(lat2) - np.asarray(lat1)) * 6371008.8
    return np.hypot(dx, dy)


# Centres of the five seed cities (WGS84) and two far corners of China.
POINTS = [
    (113.9268, 35.3030),  # Xinxiang
    (113.2418, 35.2159),  # Jiaozuo
    (114.3074, 34.7971),  # Kaifeng
    (113.8260, 34.0229),  # Xuchang
    (114.5391, 36.6256),  # Handan
    (87.6168, 43.8256),  # Urumqi
    (126.6425, 45.7567),  # Harbin
]


@pytest.mark.parametrize(("lon", "lat"), POINTS)
def test_forward_matches_published_formula(lon, lat):
    assert crs.wgs84_to_gcj02(lon, lat) == pytest.approx(
        _reference_wgs84_to_gcj02(lon, lat), abs=1e-12
    )


@pytest.mark.parametrize(("lon", "lat"), POINTS[:5])
def test_offset_in_seed_cities_is_hundreds_of_metres(lon, lat):
    # The brief: the shift is 400–800 m in these cities.
    lon_g, lat_g = crs.wgs84_to_gcj02(lon, lat)
    shift = float(_metres(lon, lat, lon_g, lat_g))
    assert 400 < shift < 800


def test_known_offset_beijing():
    # Tiananmen: a widely published WGS84 → GCJ-02 pair for this formula.
    lon_g, lat_g = crs.wgs84_to_gcj02(116.391275, 39.907105)
    assert lon_g == pytest.approx(116.397518, abs=2e-6)
    assert lat_g == pytest.approx(39.908508, abs=2e-6)


def test_round_trip_under_a_centimetre_over_china():
    rng = np.random.default_rng(20231)
    lon = rng.uniform(73.0, 135.0, 50_000)
    lat = rng.uniform(18.0, 53.0, 50_000)
    back = crs.gcj02_to_wgs84(*crs.wgs84_to_gcj02(lon, lat))
    assert _metres(lon, lat, *back).max() < 0.01
    back_bd = crs.bd09_to_wgs84(*crs.wgs84_to_bd09(lon, lat))
    assert _metres(lon, lat, *back_bd).max() < 0.01


def test_iterated_inverse_beats_one_step_inverse():
    # The one-step inverse subtracts the offset at the GCJ-02 point; it is off by metres.
    lon, lat = 114.3074, 34.7971
    lon_g, lat_g = crs.wgs84_to_gcj02(lon, lat)
    dlon = lon_g - _reference_wgs84_to_gcj02(lon_g, lat_g)[0]
    dlat = lat_g - _reference_wgs84_to_gcj02(lon_g, lat_g)[1]
    one_step = _metres(lon, lat, lon_g + dlon, lat_g + dlat)
    iterated = _metres(lon, lat, *crs.gcj02_to_wgs84(lon_g, lat_g))
    assert one_step > 0.1
    assert iterated < 0.001


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(2.3522, 48.8566), (13.4360, 52.4811), (24.9384, 60.1699), (-74.0, 40.7), (151.2, -33.9)],
)
def test_points_outside_china_are_not_shifted(lon, lat):
    for convert in (crs.wgs84_to_gcj02, crs.gcj02_to_wgs84):
        assert convert(lon, lat) == (lon, lat)
    assert crs.is_outside_china(lon, lat)


def test_bd09_matches_baidu_formula():
    # Baidu's published GCJ-02 → BD-09 transform, written out as the oracle.
    lon, lat = 113.9330, 35.3040
    x_pi = math.pi * 3000.0 / 180.0
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * x_pi)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * x_pi)
    expected = (z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006)
    assert crs.gcj02_to_bd09(lon, lat) == pytest.approx(expected, abs=1e-12)
    assert crs.bd09_to_gcj02(*expected) == pytest.approx((lon, lat), abs=1e-9)


def test_arrays_keep_their_shape_and_scalars_stay_scalars():
    lon = np.array([[113.9, 114.3], [2.35, 113.2]])
    lat = np.array([[35.3, 34.8], [48.85, 35.2]])
    for convert in (crs.wgs84_to_gcj02, crs.gcj02_to_wgs84, crs.wgs84_to_bd09, crs.bd09_to_wgs84):
        out_lon, out_lat = convert(lon, lat)
        assert out_lon.shape == lon.shape and out_lat.shape == lat.shape
        scalar = convert(113.9, 35.3)
        assert isinstance(scalar, tuple) and all(isinstance(v, float) for v in scalar)
    assert crs.wgs84_to_gcj02(lon, lat)[0][1, 0] == 2.35  # Paris untouched inside an array


def test_mismatched_shapes_are_refused():
    with pytest.raises(ValueError, match="same shape"):
        crs.wgs84_to_gcj02(np.zeros(3), np.zeros(2))


@pytest.mark.parametrize("datum", ["wgs84", "CGCS2000", "gcj02", "GCJ-02", "bd09", "BD_09"])
def test_to_and_from_wgs84_dispatch(datum):
    lon, lat = 113.9268, 35.3030
    assert crs.to_wgs84(*crs.from_wgs84(lon, lat, datum), datum) == pytest.approx(
        (lon, lat), abs=1e-9
    )


def test_unknown_datum_names_the_choices():
    with pytest.raises(ValueError, match=r"Unknown datum 'amap'; expected one of wgs84, cgcs2000"):
        crs.to_wgs84(1.0, 2.0, "amap")


def test_transform_geometries_shifts_every_vertex():
    square = shapely.box(113.9, 35.3, 114.0, 35.4)
    shifted = crs.transform_geometries(np.array([square, None]), crs.wgs84_to_gcj02)
    assert shifted[1] is None
    coords = shapely.get_coordinates(shifted[0])
    expected = np.column_stack(crs.wgs84_to_gcj02(*shapely.get_coordinates(square).T))
    np.testing.assert_allclose(coords, expected, atol=1e-12)


@pytest.mark.parametrize(
    ("lon", "lat", "epsg"),
    [
        (113.9268, 35.3030, 4547),  # Xinxiang: CM 114°E
        (113.2418, 35.2159, 4547),  # Jiaozuo: 112.5–115.5°E is the 114°E zone
        (111.0, 34.7, 4546),  # Sanmenxia side of Henan: CM 111°E
        (114.5391, 36.6256, 4547),  # Handan
        (116.4, 39.9, 4548),  # Beijing: CM 117°E
        (87.6, 43.8, 4538),  # Urumqi: CM 87°E
        (2.35, 48.85, 32631),  # Paris: UTM 31N, not a Chinese zone
        (13.44, 52.48, 32633),  # Berlin: UTM 33N
    ],
)
def test_metric_crs_picks_the_gauss_kruger_zone(lon, lat, epsg):
    assert crs.metric_crs(lon, lat).to_epsg() == epsg
