"""
Datum conversions between WGS84/CGCS2000, GCJ-02 and BD-09, and the choice of a metric CRS.

This is the only module in the project where a datum changes. GCJ-02 (Amap, Tencent) and BD-09
(Baidu) have no EPSG code and no PROJ support, so their published formulas are written here,
once, vectorised over numpy arrays. CGCS2000 (EPSG:4490) is treated as WGS84 (EPSG:4326): the
two differ by centimetres, far below map scale.

Every converter takes ``(lon, lat)`` as scalars or array-likes of one shape and returns a
``(lon, lat)`` tuple of the same shape (floats for scalar input, arrays otherwise). Points
outside mainland China's rectangle are returned unshifted, as the published formula does.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyproj
import shapely
from numpy.typing import ArrayLike

from geo.errors import InputError

__all__ = [
    "DATUMS",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "check_datum",
    "from_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "is_outside_china",
    "metric_crs",
    "to_wgs84",
    "transform_geometries",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]

# Krasovsky 1940 ellipsoid, as used by the published GCJ-02 obfuscation formula.
_A = 6378245.0
_EE = 0.00669342162296594323
# Baidu's BD-09 offset constant: x_pi = pi * 3000 / 180.
_X_PI = np.pi * 3000.0 / 180.0
# GCJ-02 ⇄ WGS84 inverse: stop when the forward image is this close to the target (degrees,
# about 1 mm). Ten rounds are never needed in practice; the cap keeps a bad input finite.
_INVERSE_TOL_DEG = 1e-11
_INVERSE_MAX_ITER = 10

#: Datum names accepted by :func:`to_wgs84` and :func:`from_wgs84`.
DATUMS = ("wgs84", "cgcs2000", "gcj02", "bd09")

#: A longitude or a latitude: one number, or an array (list, ndarray, Series) of them.
Coords = ArrayLike
#: Converted (lon, lat): floats for scalar input, arrays of the input's shape otherwise.
LonLat = tuple[float, float] | tuple[np.ndarray, np.ndarray]
#: A ``(lon, lat) -> (lon, lat)`` datum converter, as :func:`to_wgs84` picks one.
Converter = Callable[[Coords, Coords], LonLat]


def _as_arrays(lon: Coords, lat: Coords) -> tuple[np.ndarray, np.ndarray, bool]:
    lon_arr = np.asarray(lon, dtype="float64")
    lat_arr = np.asarray(lat, dtype="float64")
    if lon_arr.shape != lat_arr.shape:
        raise ValueError(
            f"lon and lat must have the same shape, got {lon_arr.shape} and {lat_arr.shape}."
        )
    return lon_arr, lat_arr, lon_arr.ndim == 0


def _shaped(lon: np.ndarray, lat: np.ndarray, scalar: bool) -> LonLat:
    if scalar:
        return float(lon), float(lat)
    return lon, lat


def is_outside_china(lon: Coords, lat: Coords) -> np.ndarray | bool:
    """
    True where a point lies outside the rectangle in which GCJ-02 shifts coordinates.

    The rectangle (72.004–137.8347°E, 0.8293–55.8271°N) is the one in the published formula.
    """
    lon_arr, lat_arr, scalar = _as_arrays(lon, lat)
    outside = (lon_arr < 72.004) | (lon_arr > 137.8347) | (lat_arr < 0.8293) | (lat_arr > 55.8271)
    return bool(outside) if scalar else outside


def _gcj02_delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 offset in degrees for WGS84 points, zero outside China."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * sqrt_abs_x
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * sqrt_abs_x
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    outside = is_outside_china(lon, lat)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def wgs84_to_gcj02(lon: Coords, lat: Coords) -> LonLat:
    """Shift WGS84 (or CGCS2000) lon/lat to GCJ-02 by the published forward formula."""
    lon_arr, lat_arr, scalar = _as_arrays(lon, lat)
    dlon, dlat = _gcj02_delta(lon_arr, lat_arr)
    return _shaped(lon_arr + dlon, lat_arr + dlat, scalar)


def gcj02_to_wgs84(lon: Coords, lat: Coords) -> LonLat:
    """
    Invert GCJ-02 to WGS84 by fixed-point iteration on the forward formula.

    The common one-step inverse (subtract the offset evaluated at the GCJ-02 point) is off by
    up to ~4.5 m; iterating until the forward image matches to ~1 mm makes the round trip
    WGS84 → GCJ-02 → WGS84 exact to well under 0.01 m.
    """
    lon_arr, lat_arr, scalar = _as_arrays(lon, lat)
    lon_w = lon_arr.copy()
    lat_w = lat_arr.copy()
    for _ in range(_INVERSE_MAX_ITER):
        dlon, dlat = _gcj02_delta(lon_w, lat_w)
        err_lon = lon_w + dlon - lon_arr
        err_lat = lat_w + dlat - lat_arr
        lon_w = lon_w - err_lon
        lat_w = lat_w - err_lat
        # NaN inputs never converge; nanmax ignores them so valid points still stop early.
        worst = np.nanmax(np.abs(np.concatenate([np.ravel(err_lon), np.ravel(err_lat)])), initial=0)
        if worst < _INVERSE_TOL_DEG:
            break
    return _shaped(lon_w, lat_w, scalar)


def gcj02_to_bd09(lon: Coords, lat: Coords) -> LonLat:
    """Shift GCJ-02 lon/lat to Baidu's BD-09 by Baidu's published formula."""
    lon_arr, lat_arr, scalar = _as_arrays(lon, lat)
    z = np.sqrt(lon_arr**2 + lat_arr**2) + 0.00002 * np.sin(lat_arr * _X_PI)
    theta = np.arctan2(lat_arr, lon_arr) + 0.000003 * np.cos(lon_arr * _X_PI)
    return _shaped(z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006, scalar)


def bd09_to_gcj02(lon: Coords, lat: Coords) -> LonLat:
    """
    Invert BD-09 to GCJ-02.

    Baidu's own inverse is approximate (~1 m); two rounds of fixed-point correction against
    :func:`gcj02_to_bd09` bring the round trip to sub-millimetre.
    """
    lon_arr, lat_arr, scalar = _as_arrays(lon, lat)
    x = lon_arr - 0.0065
    y = lat_arr - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    lon_g, lat_g = z * np.cos(theta), z * np.sin(theta)
    for _ in range(3):
        lon_b, lat_b = gcj02_to_bd09(lon_g, lat_g)
        lon_g = lon_g - (lon_b - lon_arr)
        lat_g = lat_g - (lat_b - lat_arr)
    return _shaped(lon_g, lat_g, scalar)


def wgs84_to_bd09(lon: Coords, lat: Coords) -> LonLat:
    """Shift WGS84 lon/lat to BD-09 (through GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: Coords, lat: Coords) -> LonLat:
    """Convert BD-09 lon/lat to WGS84 (through GCJ-02)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def _identity(lon: Coords, lat: Coords) -> LonLat:
    lon_arr, lat_arr, scalar = _as_arrays(lon, lat)
    return _shaped(lon_arr, lat_arr, scalar)


_TO_WGS84: dict[str, Converter] = {
    "wgs84": _identity,
    "cgcs2000": _identity,
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}
_FROM_WGS84: dict[str, Converter] = {
    "wgs84": _identity,
    "cgcs2000": _identity,
    "gcj02": wgs84_to_gcj02,
    "bd09": wgs84_to_bd09,
}


def check_datum(datum: str | None) -> None:
    """
    Refuse a declared datum that is not one of :data:`DATUMS` (``None``: none declared).

    Raises :class:`~geo.errors.InputError` with ``fix="datum"``, so each front end can say how
    to declare one.
    """
    if datum is not None and datum not in DATUMS:
        raise InputError(
            f"Expected the datum to be one of {', '.join(DATUMS)}, got {datum!r}.",
            fix="datum",
            code="unknown_datum",
            details={"value": str(datum)},
        )


def _converter(table: dict[str, Converter], datum: str) -> Converter:
    key = str(datum).strip().lower().replace("-", "").replace("_", "")
    if key not in table:
        raise ValueError(
            f"Unknown datum {datum!r}; expected one of {', '.join(DATUMS)} "
            "(CGCS2000 is taken as WGS84 at map scale)."
        )
    return table[key]


def to_wgs84(lon: Coords, lat: Coords, datum: str) -> LonLat:
    """Convert lon/lat declared in ``datum`` (one of :data:`DATUMS`) to WGS84."""
    return _converter(_TO_WGS84, datum)(lon, lat)


def from_wgs84(lon: Coords, lat: Coords, datum: str) -> LonLat:
    """Convert WGS84 lon/lat to ``datum`` (one of :data:`DATUMS`), e.g. for a GCJ-02 basemap."""
    return _converter(_FROM_WGS84, datum)(lon, lat)


def transform_geometries(geometries: ArrayLike, convert: Converter) -> np.ndarray:
    """
    Apply a ``(lon, lat) -> (lon, lat)`` converter to every vertex of shapely geometries.

    One vectorised call over all coordinates of all geometries (``shapely.transform``); the
    output has the input's shape and geometry types.
    """

    def _apply(coords: np.ndarray) -> np.ndarray:
        lon, lat = convert(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geometries, _apply)


# CGCS2000 3-degree Gauss-Krüger zones with central meridians 75°E..135°E are EPSG:4534..4554.
_GK3_FIRST_EPSG = 4534
_GK3_FIRST_CM = 75
_GK3_LAST_CM = 135


def metric_crs(lon: Coords, lat: Coords | None = None) -> pyproj.CRS:
    """
    Pick a metric CRS for lengths, areas and buffers around the given longitudes.

    Inside China's longitudes this is the CGCS2000 3-degree Gauss-Krüger zone whose central
    meridian is nearest the median longitude (e.g. EPSG:4547 for 114°E, covering 112.5–115.5°E).
    Elsewhere (test data from Paris or Berlin, say) it is the WGS84 UTM zone, so nothing here
    assumes a region.
    """
    lon_med = float(np.nanmedian(np.asarray(lon, dtype="float64")))
    lat_med = 35.0 if lat is None else float(np.nanmedian(np.asarray(lat, dtype="float64")))
    central_meridian = round(lon_med / 3.0) * 3
    in_china = not is_outside_china(lon_med, lat_med)
    if in_china and _GK3_FIRST_CM <= central_meridian <= _GK3_LAST_CM:
        return pyproj.CRS.from_epsg(_GK3_FIRST_EPSG + (central_meridian - _GK3_FIRST_CM) // 3)
    zone = int((lon_med + 180.0) // 6.0) % 60 + 1
    return pyproj.CRS.from_epsg((32600 if lat_med >= 0 else 32700) + zone)
