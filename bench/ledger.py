"""
Ledger import end to end, in rows per second, against a plain pandas + sjoin floor.

Input: the synthetic ledgers (CSV, UTF-8 with BOM, GCJ-02 and WGS84 rows, 1% deliberate
problems, a 地址 column), and ledgers of a real one's cardinality (``-distinct``: every name
and address distinct, some names in full-width brackets). Timed from the file on disk to the
answer:

- ``atlas``: :func:`geo.records.read_ledger`: decode, find the header, read every value
  exactly, check every row, resolve named districts, convert each row's datum, assign
  districts, find duplicates, build the quarantine.
- ``pandas.read_csv + sjoin`` (floor): ``read_csv(dtype=str)``, ``to_numeric`` on the
  coordinates, the same datum conversion (:func:`geo.crs.to_wgs84`) per 坐标系, then
  ``points_from_xy`` + ``sjoin(predicate="within")``. No validation, no quarantine.

Check: for every row atlas keeps with a point, the floor puts the point in the same district.
"""

from __future__ import annotations

from functools import partial

import geopandas as gpd
import pandas as pd

from bench import synthetic
from bench.timing import ATLAS, Mismatch, first_difference, measure, peer_result
from geo import boundaries, crs, records

TITLE = "Ledger import end to end (read, validate, convert datum, assign)"
_DATUMS = {"高德": "gcj02", "wgs84": "wgs84"}


def cases(full: bool) -> list[synthetic.Spec]:
    specs = (*synthetic.LEDGER_SPECS, *synthetic.DISTINCT_LEDGER_SPECS)
    return [s for s in specs if full or s.size < 1_000_000]


def run_floor(path, districts: gpd.GeoDataFrame) -> pd.Series:
    """The district of each row's point (index = the row's position), ``None`` if none."""
    table = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    lon = pd.to_numeric(table["经度"], errors="coerce").to_numpy(dtype="float64", copy=True)
    lat = pd.to_numeric(table["纬度"], errors="coerce").to_numpy(dtype="float64", copy=True)
    datum = table["坐标系"].map(_DATUMS).to_numpy(dtype=object)
    for name in ("gcj02", "wgs84"):
        rows = datum == name
        lon[rows], lat[rows] = crs.to_wgs84(lon[rows], lat[rows], name)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    joined = gpd.sjoin(points, districts, predicate="within", how="left")
    return joined["adcode"].groupby(level=0).min().reindex(table.index)


def _check(case: str, ledger: records.Ledger, floor: pd.Series) -> dict:
    placed = ledger.projects[ledger.projects["located"] == "point"]
    # Row numbers count the header as row 1: data row r is position r - 2 in read_csv.
    theirs = floor.to_numpy(dtype=object)[placed["row"].to_numpy() - 2]
    ours = placed["county_adcode"].to_numpy(dtype=object)
    count, i = first_difference(ours, theirs)
    if count:
        raise Mismatch(
            f"ledger/{case}: the floor puts {count} of atlas's points elsewhere, e.g. "
            f"row {placed['row'].iloc[i]}: atlas {ours[i]!r}, floor {theirs[i]!r}."
        )
    return {"check": f"same district for all {len(ours):,} rows atlas keeps with a point"}


def run(*, full: bool, repeat: int, qgis: bool) -> dict:
    districts = boundaries.load_boundaries("district")[["adcode", "geometry"]]
    results = []
    for spec in cases(full):
        path = synthetic.ledger_path(spec)
        timing, ledger = measure(partial(records.read_ledger, path), repeat)
        summary = ledger.summary()
        entry = {
            "case": spec.tag,
            "size": ledger.rows,
            "unit": "rows/s",
            "clean": summary["clean"],
            "quarantined": summary["quarantined"],
            "by_reason": summary["by_reason"],
            "peers": {ATLAS: peer_result(timing, rows_per_s=ledger.rows / timing.median_s)},
        }
        timing, floor = measure(partial(run_floor, path, districts), repeat)
        entry["peers"]["pandas.read_csv + sjoin (floor)"] = peer_result(
            timing, rows_per_s=ledger.rows / timing.median_s, **_check(spec.tag, ledger, floor)
        )
        results.append(entry)
    return {"job": "ledger", "title": TITLE, "cases": results}
