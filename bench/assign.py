"""
Point → district assignment over all 2,875 county-level outlines, against its peers.

Every peer gets the same WGS84 lon/lat arrays and all 2,875 full outlines, and must return
the adcode of each point (lowest adcode when a point lies on a shared border; ``None`` in no
district). Timed from arrays to that answer:

- ``atlas``: :func:`geo.boundaries.assign_districts` (the district grid, warm: built once and
  read from the cache folder; the build and the read are reported apart).
- ``geopandas.sjoin``: ``points_from_xy`` + ``sjoin(predicate="within")``, lowest adcode.
- ``duckdb``: ``ST_Point`` + a join on ``ST_Within`` (DuckDB's SPATIAL_JOIN), ``min(adcode)``
  per point; all cores (2).
- ``shapely.STRtree`` (floor): a tree of the points, queried with the prepared outlines.
- ``shapely.STRtree, points ask``: the points asking a tree of outlines, as atlas did before
  the grid; only up to 100k points (it takes ~10 s per million).
- ``qgis_process``: ``native:countpointsinpolygon`` on GeoPackages written beforehand. It
  gives counts per outline, so it is checked by counts.
"""

from __future__ import annotations

import time
from functools import partial

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from bench import peers, synthetic
from bench.timing import ATLAS, Mismatch, first_difference, measure, peer_result
from geo import boundaries

TITLE = "Point → district assignment (all 2,875 county-level outlines)"
_SLOW_FLOOR_MAX = 100_000
_QGIS_MAX_QUICK = 100_000


def cases(full: bool) -> list[tuple[str, int, str]]:
    """(name, points, how they are drawn): generator points, and the issue's five-city box."""
    chosen = [("seed-10k", 10_000, "seed"), ("seed-100k", 100_000, "seed")]
    chosen.append(("seed-box-1m", 1_000_000, "box"))
    if full:
        chosen.append(("china-1m", 1_000_000, "china"))
    return chosen


def points(n: int, how: str) -> tuple[np.ndarray, np.ndarray]:
    """``box``: uniform in the five seed cities' bounding box; else inside real outlines."""
    rng = np.random.default_rng([synthetic.BASE_SEED, n, 2])
    if how == "box":
        minx, miny, maxx, maxy = synthetic.region_districts("seed").total_bounds
        return rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
    lon, lat, _ = synthetic.sample_points(synthetic.region_districts(how), n, rng)
    return lon, lat


def _lowest(rows: np.ndarray, adcodes: np.ndarray, n: int) -> np.ndarray:
    """Per point, the lowest adcode among its (point row, adcode) pairs; None for no pair."""
    found = np.full(n, None, dtype=object)
    if rows.size:
        order = np.lexsort((adcodes.astype(str), rows))
        rows, adcodes = rows[order], adcodes[order]
        first = np.r_[True, rows[1:] != rows[:-1]]
        found[rows[first]] = adcodes[first]
    return found


def run_sjoin(lon, lat, districts) -> np.ndarray:
    found = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    joined = gpd.sjoin(found, districts, predicate="within", how="inner")
    return _lowest(joined.index.to_numpy(), joined["adcode"].to_numpy(dtype=object), len(lon))


def run_floor(lon, lat, outlines, adcodes) -> np.ndarray:
    tree = shapely.STRtree(shapely.points(lon, lat))
    outline, row = tree.query(outlines, predicate="intersects")
    return _lowest(row, adcodes[outline], len(lon))


def run_points_ask(lon, lat, tree, adcodes) -> np.ndarray:
    row, outline = tree.query(shapely.points(lon, lat), predicate="intersects")
    return _lowest(row, adcodes[outline], len(lon))


_DUCKDB_SQL = """
SELECT p.i, min(d.adcode) AS adcode
FROM (SELECT i, ST_Point(lon, lat) AS pt FROM pts) AS p
JOIN districts AS d ON ST_Within(p.pt, d.geom)
GROUP BY p.i
"""


def run_duckdb(con, n: int) -> np.ndarray:
    answer = con.execute(_DUCKDB_SQL).arrow().read_all()
    found = np.full(n, None, dtype=object)
    found[answer["i"].to_numpy()] = answer["adcode"].to_numpy(zero_copy_only=False)
    return found


def _check(name: str, case: str, ours: np.ndarray, theirs: np.ndarray) -> dict:
    count, i = first_difference(ours, theirs)
    if count:
        raise Mismatch(
            f"assign/{case}: {name} differs from atlas at {count} points, e.g. point "
            f"{i}: atlas {ours[i]!r}, {name} {theirs[i]!r}."
        )
    return {"check": f"same adcode for all {len(ours):,} points"}


def _qgis_counts(lon, lat, case: str, districts_gpkg, repeat: int) -> tuple:
    """Time countpointsinpolygon; return (timing, counts by adcode)."""
    folder = synthetic.DATA / "qgis"
    points_gpkg = folder / f"synthetic-points-{case}.gpkg"
    if not points_gpkg.exists():
        frame = gpd.GeoDataFrame(
            {"i": np.arange(len(lon))}, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326"
        )
        peers.write_gpkg(frame, points_gpkg, "points")
    out = folder / f"counts-{case}.gpkg"

    def run():
        out.unlink(missing_ok=True)
        peers.qgis_run(
            "native:countpointsinpolygon",
            {
                "POLYGONS": f"{districts_gpkg}|layername=districts",
                "POINTS": f"{points_gpkg}|layername=points",
                "FIELD": "NUMPOINTS",
                "OUTPUT": str(out),
            },
        )
        counted = gpd.read_file(out, ignore_geometry=True)
        return counted.set_index("adcode")["NUMPOINTS"].astype("int64")

    return measure(run, repeat)


def districts_gpkg() -> str:
    """All full outlines as one GeoPackage for QGIS (written once into bench/data/qgis)."""
    path = synthetic.DATA / "qgis" / "synthetic-bench-districts-full.gpkg"
    if not path.exists():
        districts = boundaries.load_boundaries("district")[["adcode", "geometry"]]
        peers.write_gpkg(districts, path, "districts")
    return str(path)


def _grid_costs() -> dict:
    """Seconds to build the district grid from the outlines, and to read it from the cache."""
    districts = boundaries.load_boundaries("district").sort_values("adcode")
    outlines = districts.geometry.to_numpy()
    start = time.perf_counter()
    boundaries._build_grid(outlines)
    built = time.perf_counter() - start
    boundaries._district_grid.cache_clear()
    start = time.perf_counter()
    boundaries._district_grid(None)
    return {"grid_build_s": built, "grid_read_s": time.perf_counter() - start}


def run(*, full: bool, repeat: int, qgis: bool) -> dict:
    """Every case and peer; raises :class:`Mismatch` when a peer's answer differs."""
    districts = boundaries.load_boundaries("district").sort_values("adcode", ignore_index=True)
    frame = districts[["adcode", "geometry"]]
    outlines = districts.geometry.to_numpy()
    shapely.prepare(outlines)
    adcodes = districts["adcode"].to_numpy(dtype=object)
    tree = shapely.STRtree(outlines)
    con = peers.duckdb_connect()
    con.register("d_arrow", peers.geometry_table(frame, ["adcode"]))
    con.execute("CREATE TABLE districts AS SELECT adcode, ST_GeomFromWKB(wkb) AS geom FROM d_arrow")
    extra = _grid_costs()
    gpkg = districts_gpkg() if qgis else None
    results = []
    for case, n, how in cases(full):
        lon, lat = points(n, how)
        con.execute("DROP VIEW IF EXISTS pts")
        con.register("pts", pa.table({"i": np.arange(n), "lon": lon, "lat": lat}))
        timing, ours = measure(partial(boundaries.assign_districts, lon, lat), repeat)
        entry = {"case": case, "size": n, "peers": {ATLAS: peer_result(timing)}}
        runs = {
            "geopandas.sjoin": partial(run_sjoin, lon, lat, frame),
            "duckdb": partial(run_duckdb, con, n),
            "shapely.STRtree (floor)": partial(run_floor, lon, lat, outlines, adcodes),
        }
        if n <= _SLOW_FLOOR_MAX:
            runs["shapely.STRtree, points ask"] = partial(run_points_ask, lon, lat, tree, adcodes)
        for name, peer in runs.items():
            timing, theirs = measure(peer, repeat)
            entry["peers"][name] = peer_result(timing, **_check(name, case, ours, theirs))
        if gpkg and (full or n <= _QGIS_MAX_QUICK):
            entry["peers"]["qgis_process"] = _qgis_peer(lon, lat, case, gpkg, repeat, ours)
        entry["placed"] = int(pd.notna(ours).sum())
        results.append(entry)
    con.close()
    return {"job": "assign", "title": TITLE, "cases": results, "extra": extra}


def _qgis_peer(lon, lat, case, gpkg, repeat, ours) -> dict:
    try:
        timing, counts = _qgis_counts(lon, lat, case, gpkg, repeat)
    except RuntimeError as exc:
        return peer_result(None, error=str(exc))
    expected = pd.Series(ours).value_counts().reindex(counts.index, fill_value=0)
    differ = counts[counts != expected]
    if len(differ):
        raise Mismatch(
            f"assign/{case}: qgis_process counts differ from atlas in {len(differ)} outlines, "
            f"e.g. {differ.index[0]}: atlas {expected[differ.index[0]]}, qgis {differ.iloc[0]}."
        )
    return peer_result(timing, check=f"same count in all {len(counts):,} outlines")
