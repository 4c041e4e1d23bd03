"""
A ministry-sized day: a national ledger and an all-China survey, end to end (``--full`` only).

Inputs: the synthetic 300k-row ledger over all of China with a real ledger's cardinality
(``china-300k-distinct``: ~370 cities, every name and address distinct) and the 500k-feature
survey over all of China (``china-500k``), both from :mod:`bench.synthetic`. Each case runs
once untimed, then once timed (``--repeat`` is not used: the job must stay under ten minutes
on 2 cores), in this process:

- ``ingest 300k``: ``atlas ingest LEDGER --out projects.gpkg --report quarantine.csv`` (read,
  check every row, convert datums, assign districts, reconcile with the documents, write
  three layers), against a floor in the same run: ``pandas.read_csv`` + the same datum
  conversion + ``geopandas.sjoin`` + ``to_file`` of the joined points as a GeoPackage, with no
  check at all. Target: within 4× of the floor.
- ``reconcile 300k``: :func:`geo.reconcile.reconcile` of the ingested rows alone, as a share
  of the ingest. Target: ≤ 10 %.
- ``coverage 500k``: ``atlas coverage --infra infra.gpkg`` on the survey as ``atlas infra``
  wrote it (read back, every district of China measured). Target: ≤ 60 s. On 6 Dec it took
  185 s of CPU and 3.6 GB (5 min 24 s on a quiet machine), 60 % of it cutting each outline
  by the survey's extent, whose districts' pieces merge into one 1.3M-vertex polygon, and
  16 % repairing that polygon; with the extent cut into small pieces first, 46-51 s of CPU
  and 2.1 GB (the same statuses, extent shares within 5e-7).
- ``export --all``: every community of the workspace's current state, read in one store query
  and written as GeoJSON (``atlas export --dataset national --all``), the command end to end.
- ``read all China``: that read alone (``current_projects()``), against the former way in the
  same run: one ``current_projects(city=…)`` per city, concatenated (the same rows). Each run
  starts with nothing decoded (:mod:`store._decoded`), as a command's process does; the
  cities after the first then cut the frame the first decoded, as a server's pages do.
- ``map payload``: the map page's map of all of China with the national ledger, and the
  accessibility page's map with the whole survey: the rendered HTML's bytes against the 2 MB
  ceiling (the ``mapbuild`` job's measure).
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from functools import partial
from pathlib import Path

import geopandas as gpd
import pandas as pd

from bench import synthetic
from bench.timing import ATLAS, Mismatch, environ, measure, peer_result
from geo import boundaries, crs, figures, gazetteer, reconcile, records
from store import _decoded

TITLE = "National scale: a 300k-row ledger and a 500k-feature survey over all of China"
PAYLOAD_LIMIT = 2 * 2**20
#: Timed runs per case, whatever ``--repeat`` says: the job stays under ten minutes.
_REPEAT = 1
_DATUMS = {"高德": "gcj02", "wgs84": "wgs84"}
_FLOOR = "read_csv + sjoin + GPKG write"


def _atlas(*argv: str) -> str:
    """``atlas ARGV`` in this process; its printed line."""
    from cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(list(argv))
    if status != 0:
        raise Mismatch(f"national: atlas {' '.join(argv)} exited with {status}")
    return out.getvalue()


def run_floor(path: Path, districts: gpd.GeoDataFrame, out: Path) -> int:
    """The floor: read, convert datums, join to districts, write a GeoPackage; rows written."""
    table = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    lon = pd.to_numeric(table["经度"], errors="coerce").to_numpy(dtype="float64", copy=True)
    lat = pd.to_numeric(table["纬度"], errors="coerce").to_numpy(dtype="float64", copy=True)
    datum = table["坐标系"].map(_DATUMS).to_numpy(dtype=object)
    for name in ("gcj02", "wgs84"):
        rows = datum == name
        lon[rows], lat[rows] = crs.to_wgs84(lon[rows], lat[rows], name)
    points = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    joined = gpd.sjoin(points, districts, predicate="within", how="left")
    joined.drop(columns="index_right").to_file(out, driver="GPKG", layer="projects")
    return len(joined)


def _ingest_cases(folder: Path) -> list[dict]:
    path = synthetic.ledger_path(synthetic.NATIONAL_LEDGER_SPEC)
    gpkg, report = folder / "projects.gpkg", folder / "quarantine.csv"
    ingest = partial(_atlas, "ingest", str(path), "--out", str(gpkg), "--report", str(report))
    timing, _ = measure(ingest, _REPEAT)
    ingested = records.read_projects(gpkg)
    case = {"case": "ingest 300k", "size": len(ingested), "peers": {ATLAS: peer_result(timing)}}
    districts = boundaries.load_boundaries("district")[["adcode", "geometry"]]
    floor_out = folder / "floor.gpkg"

    def floor() -> int:
        floor_out.unlink(missing_ok=True)
        return run_floor(path, districts, floor_out)

    timing, written = measure(floor, _REPEAT)
    case["peers"][_FLOOR] = peer_result(timing, check=f"{written:,} rows written, unchecked")
    reported = figures.load_figures()
    timing, table = measure(partial(reconcile.reconcile, ingested, reported), _REPEAT)
    share = {"case": "reconcile 300k", "size": len(ingested), "rows": len(table)}
    share["peers"] = {ATLAS: peer_result(timing, check=f"{len(table):,} reconciliation rows")}
    return [case, share]


def _coverage_cases(folder: Path) -> list[dict]:
    survey = folder / "survey.gpkg"
    frame = gpd.read_parquet(synthetic.infra_path(synthetic.NATIONAL_INFRA_SPEC))
    frame.to_file(survey, driver="GPKG", layer="survey")
    written = folder / "infra.gpkg"
    _atlas("infra", str(survey), "--out", str(written))
    out = folder / "coverage.geojson"
    run = partial(_atlas, "coverage", "--infra", str(written), "--out", str(out))
    timing, line = measure(run, _REPEAT)
    case = {"case": "coverage 500k", "size": len(frame), "limit_s": 60}
    case["peers"] = {ATLAS: peer_result(timing, check=line.strip()[:200])}
    return [case]


def _workspace_cases(folder: Path) -> list[dict]:
    """Save the national ledger once (untimed), then read all of it back two ways."""
    from store import Workspace

    url = f"sqlite:///{folder / 'atlas.sqlite'}"
    path = synthetic.ledger_path(synthetic.NATIONAL_LEDGER_SPEC)
    with environ(ATLAS_DATABASE_URL=url, ATLAS_USER="bench"):
        _atlas("db", "init")
        _atlas("ingest", str(path), "--save", "--dataset", "national")
        out = folder / "all.geojson"
        export = partial(_atlas, "export", "--all", "--dataset", "national", "--out", str(out))
        timing, line = measure(export, _REPEAT, before=_decoded.SHARED.clear)
        case = {"case": "export --all", "peers": {ATLAS: peer_result(timing, check=line.strip())}}
        cities = tuple(gazetteer.list_cities()["city"].drop_duplicates())
        workspace = Workspace(url)
        try:

            def once() -> gpd.GeoDataFrame:
                return workspace.current_projects(dataset="national")

            def per_city() -> int:
                parts = [workspace.current_projects(dataset="national", city=c) for c in cities]
                return sum(len(p) for p in parts)

            # Each a process's first read: nothing decoded before (store._decoded).
            timing, projects = measure(once, _REPEAT, before=_decoded.SHARED.clear)
            reads = {"case": "read all China", "peers": {ATLAS: peer_result(timing)}}
            timing, rows = measure(per_city, _REPEAT, before=_decoded.SHARED.clear)
        finally:
            workspace.close()
    case["size"] = reads["size"] = len(projects)
    if rows != len(projects):
        raise Mismatch(f"national: {rows:,} rows read city by city, {len(projects):,} at once")
    check = f"{rows:,} rows, the same as one read, in {len(cities)} store reads"
    reads["peers"]["one store read per city"] = peer_result(timing, check=check)
    return [case, reads, *_payload_cases(projects, folder / "coverage.geojson")]


def _payload_cases(projects: gpd.GeoDataFrame, metrics_path: Path) -> list[dict]:
    from layers.maps import coverage_map
    from layers.view import View, simplified_outlines, view_map

    cities = tuple(gazetteer.list_cities()["city"].drop_duplicates())
    reported = figures.load_figures()
    cases = []

    def china() -> int:
        fmap = view_map(View(cities=cities), reported, projects=projects)
        return len(fmap.get_root().render().encode("utf-8"))

    features = gpd.read_parquet(synthetic.infra_path(synthetic.NATIONAL_INFRA_SPEC))
    # The metrics the coverage case wrote (display outlines), not measured a second time.
    table = gpd.read_file(metrics_path)

    def accessibility() -> int:
        # As the accessibility page draws them: outlines simplified for the extent shown.
        fmap = coverage_map(simplified_outlines(table, "district"), "tactile_km", infra=features)
        return len(fmap.get_root().render().encode("utf-8"))

    for name, build, size in (
        ("map payload: all China + 300k communities", china, len(projects)),
        ("map payload: coverage + 500k features", accessibility, len(features)),
    ):
        timing, payload = measure(build, _REPEAT)
        entry = {"case": name, "size": size, "payload_bytes": payload}
        entry["peers"] = {ATLAS: peer_result(timing, payload_bytes=payload)}
        cases.append(entry)
    return cases


def run(*, full: bool, repeat: int, qgis: bool) -> dict:
    if not full:
        return {"job": "national", "title": TITLE, "cases": [], "note": "run with --full"}
    cases = []
    with tempfile.TemporaryDirectory(prefix="atlas-national-") as tmp:
        folder = Path(tmp)
        cases += _ingest_cases(folder)
        cases += _coverage_cases(folder)
        cases += _workspace_cases(folder)
    return {"job": "national", "title": TITLE, "cases": cases, "limit_bytes": PAYLOAD_LIMIT}
