"""
One task per city over a province or all of China: walking reach, life-circle indicators, coverage.

:func:`run_batch` takes an OSM extract, a ledger (projects with ``city``) and a task
(:data:`TASKS`). It cuts each city's part of the extract (:func:`cut_extract`: the city's
outline grown by ``margin_m``, whole ways, one split over the file for every city), runs the
single-city pipeline on each cut (``reach``: :func:`geo.reach.measure`; ``indicators``:
:func:`geo.lifecircle.measure`; ``coverage``: :func:`geo.coverage.measure`, the same functions
as ``atlas reach|indicators|coverage``) on a process pool or a ``distributed`` cluster, and
writes GeoParquet (EPSG:4326) partitioned as a Hive dataset::

    OUT/communities/province=河南省/city=新乡市/part.parquet   (reach, indicators)
    OUT/districts/province=河南省/city=新乡市/part.parquet
    OUT/summary.parquet and OUT/summary.csv                      one row per city
    OUT/cuts/<city_adcode>-<digests>.osm.pbf                     each city's cut, kept

A city's row says ``done``, ``failed`` (with an error code and message: its others go on)
or ``skipped`` (done by an earlier run of the same task into the same folder, nothing run
again). Only the calling process writes files, one city at a time, each renamed into place
once written, and the summary after every city: a run stopped half-way keeps what it
finished. The cuts stay for the next run (a month's new ledger, a failed city again) while
the extract and the cities' outlines are the same: cutting a province's or the country's
extract costs more than its cities' tasks. A changed extract (same file name, another size
or time) removes every cut of its earlier state; :func:`drop_cuts` (``atlas batch
--drop-cuts``) removes them all after a run. Workers read a city's cut and return frames, so
a cluster's workers need no shared disk.
"""

from __future__ import annotations

import array
import concurrent.futures
import contextlib
import dataclasses
import hashlib
import itertools
import json
import multiprocessing
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import boundaries, crs
from geo.errors import AtlasError

if TYPE_CHECKING:
    import distributed
    import osmium

    from geo.network import Network

__all__ = [
    "FAILURE_CODES",
    "MARGIN_M",
    "STATUSES",
    "SUMMARY_COLUMNS",
    "TASKS",
    "CityError",
    "CityJob",
    "city_areas",
    "cut_extract",
    "drop_cuts",
    "partition_path",
    "read_summary",
    "run_batch",
    "run_city",
]

#: What a batch can run per city.
TASKS = ("reach", "indicators", "coverage")
#: A city's outcome in the summary.
STATUSES = ("done", "failed", "skipped")
#: Metres added around a city's outline when its part of the extract is cut: a community near
#: the city's edge walks to a bus stop across it (1 km: the largest life-circle radius).
MARGIN_M = 1000.0
SUMMARY_COLUMNS = [
    "task",
    "province",
    "city",
    "city_adcode",
    "status",
    "communities",
    "districts",
    "edges",
    "seconds",
    "error_code",
    "error",
    "settings",
]
_LAYERS = {"reach": ("communities", "districts"), "indicators": ("communities", "districts"),
           "coverage": ("districts",)}  # fmt: skip

#: Why a city failed (the summary's ``error_code``), besides the codes of
#: :data:`geo.errors.CODES` that the pipeline's own refusals carry, and an exception's class
#: name for any other ``ValueError``.
FAILURE_CODES = ("empty_network", "empty_extract", "internal_error", "worker_lost")

#: What the pool's fork server imports once for every worker (:func:`_pool_results`).
#: Seconds a cluster may have no worker at all while cities wait, before they fail as
#: ``worker_lost`` (a worker that keeps dying is given up by its nanny; nothing would run them).
NO_WORKER_S = 120.0
#: Seconds to fetch an ended city's result before it counts as lost with its worker.
FETCH_S = 300.0
_POLL_S = 5.0  # how often a waiting batch asks the scheduler whether it still has workers
_PRELOAD = ["geo.network", "geo.infra", "geo.reach", "geo.facilities", "geo.lifecircle"]

#: Called with a city's summary row, how many cities have ended so far, and how many in all.
Progress = Callable[[dict, int, int], None]


class CityError(ValueError):
    """One city's task could not run (its ``code`` is one of :data:`FAILURE_CODES`)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclasses.dataclass(frozen=True)
class CityJob:
    """
    One city's task: its cut extract and its projects (EPSG:4326).

    The cut is a path, or its bytes for a worker on another machine.
    """

    task: str
    province: str
    city: str
    city_adcode: str
    extract: str | bytes
    projects: gpd.GeoDataFrame
    options: tuple[tuple[str, object], ...] = ()
    #: The cut's file name when ``extract`` holds its bytes (its suffix says its format).
    name: str = "city.osm.pbf"


# --- which cities, and their part of the extract ----------------------------------------------


def city_areas(
    province: str | None = None, *, margin_m: float = MARGIN_M, folder: Path | None = None
) -> gpd.GeoDataFrame:
    """
    Every city of ``province`` (or of China), its full outline grown by ``margin_m`` metres.

    Columns ``province``, ``city``, ``city_adcode``; EPSG:4326. The margin is drawn in each
    city's own metric CRS (:func:`geo.crs.metric_crs`), never in degrees.
    """
    cities = boundaries.load_boundaries("city", folder=folder)
    if province is not None:
        cities = cities[cities["province"] == province]
        if cities.empty:
            raise ValueError(
                f"Expected a province's full name (e.g. 河南省); got {province!r}, which has no "
                "city in the outlines. Resolve it with geo.gazetteer.resolve_province first."
            )
    grown = [_grown(outline, margin_m) for outline in cities.geometry.to_numpy()]  # 370 at most
    return gpd.GeoDataFrame(
        {
            "province": cities["province"].to_numpy(),
            "city": cities["city"].to_numpy(),
            "city_adcode": cities["adcode"].astype(str).to_numpy(),
        },
        geometry=grown,
        crs="EPSG:4326",
    ).reset_index(drop=True)


def _grown(outline: shapely.Geometry, margin_m: float) -> shapely.Geometry:
    centre = shapely.centroid(outline)
    metric = crs.metric_crs(centre.x, centre.y)
    one = gpd.GeoSeries([outline], crs="EPSG:4326").to_crs(metric).buffer(margin_m)
    return one.to_crs("EPSG:4326").iloc[0]


def _read_elements(path: Path) -> dict[str, np.ndarray]:
    """One pyosmium pass: every node's id and location, every way's refs, relation members."""
    import osmium

    node_id, node_x, node_y = array.array("q"), array.array("q"), array.array("q")
    way_id, way_count, way_ref = array.array("q"), array.array("q"), array.array("q")
    rel_id, rel_count, rel_kind, rel_ref = (array.array("q") for _ in range(4))
    kinds = {"n": 0, "w": 1, "r": 2}
    for obj in osmium.FileProcessor(str(path), _osm_kinds()):
        if isinstance(obj, osmium.osm.Node):
            node_id.append(obj.id)
            location = obj.location
            node_x.append(location.x)
            node_y.append(location.y)
        elif isinstance(obj, osmium.osm.Way):
            refs = [n.ref for n in obj.nodes]
            way_id.append(obj.id)
            way_count.append(len(refs))
            way_ref.extend(refs)
        elif isinstance(obj, osmium.osm.Relation):
            members = list(obj.members)
            rel_id.append(obj.id)
            rel_count.append(len(members))
            rel_kind.extend(kinds[m.type] for m in members)
            rel_ref.extend(m.ref for m in members)
    names = ("node_id", "node_x", "node_y", "way_id", "way_count", "way_ref",
             "rel_id", "rel_count", "rel_kind", "rel_ref")  # fmt: skip
    found = (node_id, node_x, node_y, way_id, way_count, way_ref,
             rel_id, rel_count, rel_kind, rel_ref)  # fmt: skip
    return {k: np.frombuffer(v, dtype=np.int64) for k, v in zip(names, found, strict=True)}


def _osm_kinds() -> osmium.osm.osm_entity_bits:
    """What a cut reads: nodes, ways, relations (a file may hold changesets too, never kept)."""
    import osmium

    return osmium.osm.NODE | osmium.osm.WAY | osmium.osm.RELATION


def _pairs_unique(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (element id, area row) pairs, sorted (one 1-D sort: areas are < 2**16)."""
    if not a.size:
        return a, b
    key = np.unique((a << 16) | b)
    return key >> 16, key & 0xFFFF


def _inside(
    areas: gpd.GeoDataFrame, lon: np.ndarray, lat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(point row, area row) of every point inside an area: boxes first, then prepared tests."""
    outlines = areas.geometry.to_numpy()
    tree = shapely.STRtree(outlines)
    # The tree's boxes only: an exact test against a city outline is ~40x slower unprepared.
    point_row, area_row = tree.query(shapely.points(lon, lat))
    keep = np.zeros(point_row.size, dtype=bool)
    for area in np.unique(area_row):
        mine = np.flatnonzero(area_row == area)
        shapely.prepare(outlines[area])
        rows = point_row[mine]
        keep[mine] = shapely.intersects_xy(outlines[area], lon[rows], lat[rows])
    return point_row[keep], area_row[keep]


def _members_in(
    ids: np.ndarray,
    owner: np.ndarray,
    refs: np.ndarray,
    kept_ids: np.ndarray,
    kept_area: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(owner, area) pairs for owners with a member among (kept_ids, kept_area)."""
    order = np.argsort(kept_ids, kind="stable")
    sorted_ids = kept_ids[order]
    lo = np.searchsorted(sorted_ids, refs, side="left")
    hi = np.searchsorted(sorted_ids, refs, side="right")
    count = hi - lo
    occurrence = np.repeat(np.arange(refs.size), count)
    starts = np.repeat(lo, count) + (
        np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    )
    return _pairs_unique(ids[owner[occurrence]], kept_area[order[starts]])


def _assign(
    elements: dict[str, np.ndarray], areas: gpd.GeoDataFrame
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(element id, area row) pairs per kind: nodes inside, whole ways, relations touching."""
    located = (elements["node_x"] != 2**31 - 1) & (elements["node_y"] != 2**31 - 1)
    lon = elements["node_x"][located] / 1e7
    lat = elements["node_y"][located] / 1e7
    point_row, area_row = _inside(areas, lon, lat)
    inside_nodes = elements["node_id"][located][point_row]
    way_of_ref = np.repeat(np.arange(elements["way_id"].size), elements["way_count"])
    ways, way_area = _members_in(
        elements["way_id"], way_of_ref, elements["way_ref"], inside_nodes, area_row
    )
    # A way is kept whole: every node it names goes with it, inside the margin or not.
    whole_nodes, whole_area = _way_nodes(elements, ways, way_area)
    nodes, node_area = _pairs_unique(
        np.concatenate([inside_nodes, whole_nodes]), np.concatenate([area_row, whole_area])
    )
    rel_of = np.repeat(np.arange(elements["rel_id"].size), elements["rel_count"])
    kind = elements["rel_kind"]
    rel_ids, rel_area = [], []
    for code, kept, where in ((0, nodes, node_area), (1, ways, way_area)):
        mine = kind == code
        found = _members_in(
            elements["rel_id"], rel_of[mine], elements["rel_ref"][mine], kept, where
        )
        rel_ids.append(found[0])
        rel_area.append(found[1])
    relations = _pairs_unique(np.concatenate(rel_ids), np.concatenate(rel_area))
    return {"n": (nodes, node_area), "w": (ways, way_area), "r": relations}


def _way_nodes(
    elements: dict[str, np.ndarray], ways: np.ndarray, way_area: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every node of each kept (way, area) pair, with that area."""
    order = np.argsort(elements["way_id"], kind="stable")
    row_of_way = order[np.searchsorted(elements["way_id"], ways, sorter=order)]
    starts = np.cumsum(elements["way_count"]) - elements["way_count"]
    counts = elements["way_count"][row_of_way]
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    refs = elements["way_ref"][np.repeat(starts[row_of_way], counts) + offsets]
    return refs, np.repeat(way_area, counts)


def cut_extract(
    extract: str | Path, areas: gpd.GeoDataFrame, folder: str | Path
) -> dict[str, Path]:
    """
    Each area's part of ``extract`` as its own extract in ``folder``, by ``city_adcode``.

    Kept: nodes inside the area, every way with a node inside (whole, with all its nodes: a
    street leaving the city keeps its far end), relations with a member kept.

    Two passes over the file for all areas together (one to place elements, one to write).
    An area nothing falls in gets a file with no element (its task then fails as
    ``empty_network``). Elements are written in the file's order (OSM's: sorted by id), in
    the file's format (``.osm`` XML stays XML, else PBF).
    """
    import osmium

    path = Path(extract)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    elements = _read_elements(path)
    assigned = _assign(elements, areas)
    codes = areas["city_adcode"].to_list()
    lookup: dict[str, dict[int, list[int]]] = {}
    for kind, (ids, where) in assigned.items():
        table: dict[int, list[int]] = {}
        for element, area in zip(ids.tolist(), where.tolist(), strict=True):
            table.setdefault(element, []).append(area)
        lookup[kind] = table
    # The input's own format: GDAL reads an XML coordinate's decimals and a PBF's integers
    # into doubles that differ in the last bit, enough to flip a tie between two destinations.
    suffix = ".osm" if path.suffix.lower() == ".osm" else ".osm.pbf"
    paths = {code: folder / f"{code}{suffix}" for code in codes}
    writers = [osmium.SimpleWriter(str(p), bufsz=2**16, overwrite=True) for p in paths.values()]
    try:
        for obj in osmium.FileProcessor(str(path), _osm_kinds()):
            kind = obj.type_str()  # n, w or r: the kinds _osm_kinds reads
            for area in lookup[kind].get(obj.id, ()):
                add = writers[area]
                if isinstance(obj, osmium.osm.Node):
                    add.add_node(obj)
                elif isinstance(obj, osmium.osm.Way):
                    add.add_way(obj)
                elif isinstance(obj, osmium.osm.Relation):
                    add.add_relation(obj)
    finally:
        for writer in writers:
            writer.close()
    return paths


# --- one city ---------------------------------------------------------------------------------


def run_city(job: CityJob) -> dict:
    """
    Run ``job`` (in a worker): the summary row, and ``frames`` (layer name → GeoDataFrame).

    A refusal (:class:`~geo.errors.AtlasError` or ``ValueError``: an empty network, an
    extract a check refuses) gives ``status="failed"`` with its code and message, never a
    raise: the batch goes on with the other cities. Any other exception (a bug) fails the
    city as ``internal_error`` with the exception's class and message, for the same reason.
    """
    started = time.perf_counter()
    row: dict[str, object] = {
        "task": job.task,
        "province": job.province,
        "city": job.city,
        "city_adcode": job.city_adcode,
    }
    with tempfile.TemporaryDirectory(prefix="atlas-city-") as tmp:
        extract = Path(job.extract) if isinstance(job.extract, str) else Path(tmp) / job.name
        if isinstance(job.extract, bytes):
            extract.write_bytes(job.extract)
        try:
            frames, counts = _TASK_RUNNERS[job.task](extract, job.projects, dict(job.options))
            # A district of the neighbouring city that the margin reached is that city's: its
            # share from a network cut 1 km in would be wrong.
            districts = frames["districts"]
            if "city" in districts.columns:
                own = districts["city"].eq(job.city).to_numpy(bool, na_value=False)
                frames["districts"] = districts[own]
            counts["districts"] = len(frames["districts"])
        except (AtlasError, ValueError) as exc:
            code = getattr(exc, "code", None) or type(exc).__name__
            row |= {"status": "failed", "error_code": code, "error": str(exc)}
            frames, counts = {}, {}
        except Exception as exc:  # a bug in one city must not stop the others: reported
            message = f"{type(exc).__name__}: {exc}"
            row |= {"status": "failed", "error_code": "internal_error", "error": message}
            frames, counts = {}, {}
    row |= {"status": row.get("status", "done")} | counts
    row["seconds"] = round(time.perf_counter() - started, 3)
    return row | {"frames": frames}


def _network_of(extract: Path) -> Network:
    from geo import network

    built = network.build_network(extract, use_cache=False)
    if not len(built.edges):
        raise CityError(
            "Expected streets or paths in the city's part of the extract; it has none. "
            "Check that the extract covers the city.",
            code="empty_network",
        )
    return built


def _reach(extract: Path, projects: gpd.GeoDataFrame, options: dict) -> tuple[dict, dict]:
    from geo import coverage, infra, reach

    built = _network_of(extract)
    found = infra.read_infra(extract)
    reached = reach.measure(
        projects,
        found,
        built,
        profiles=tuple(options.get("profiles", ("walk", "wheelchair"))),
        radii=tuple(options.get("radii", coverage.RADII_M)),
        max_snap_m=float(options.get("max_snap_m", reach.MAX_SNAP_M)),
    )
    communities, districts = reached.near, reached.table
    counts = {
        "communities": len(communities),
        "districts": len(districts),
        "edges": len(built.edges),
    }
    return {"communities": communities, "districts": districts}, counts


def _indicators(extract: Path, projects: gpd.GeoDataFrame, options: dict) -> tuple[dict, dict]:
    from geo import facilities, lifecircle

    built = _network_of(extract)
    registry = facilities.load_registry().with_radii(dict(options.get("radii_by_category", {})))
    found = facilities.read_osm_facilities(extract, registry=registry, extent=built.extent())
    result = lifecircle.measure(
        projects,
        found,
        built,
        registry=registry,
        profile=str(options.get("profile", "walk")),
        max_snap_m=float(options.get("max_snap_m", 100.0)),
    )
    counts = {
        "communities": len(result.communities),
        "districts": len(result.districts),
        "edges": len(built.edges),
    }
    return {"communities": result.communities, "districts": result.districts}, counts


def _coverage(extract: Path, projects: gpd.GeoDataFrame, options: dict) -> tuple[dict, dict]:
    from geo import coverage, infra

    found = infra.read_infra(extract)
    if found.extent is None:
        raise CityError(
            "Expected features in the city's part of the extract; it has none. "
            "Check that the extract covers the city.",
            code="empty_extract",
        )
    measured = coverage.measure(
        projects, found, radii=tuple(options.get("radii", coverage.RADII_M))
    )
    counts = {"communities": len(projects), "districts": len(measured.table), "edges": None}
    return {"districts": measured.table}, counts


_TASK_RUNNERS = {"reach": _reach, "indicators": _indicators, "coverage": _coverage}


# --- files ------------------------------------------------------------------------------------


def partition_path(out: str | Path, layer: str, province: str, city: str) -> Path:
    """Where a city's ``layer`` goes: ``OUT/layer/province=…/city=…/part.parquet``."""
    return Path(out) / layer / f"province={province}" / f"city={city}" / "part.parquet"


def read_summary(out: str | Path) -> pd.DataFrame:
    """The summary table of a batch folder (empty, with its columns, if none was written)."""
    path = Path(out) / "summary.parquet"
    if not path.is_file():
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SUMMARY_COLUMNS})
    return pd.read_parquet(path)


def _partition_frame(frame: pd.DataFrame, province: str, city: str) -> gpd.GeoDataFrame:
    """
    ``frame`` as its partition file holds it: its ``province``/``city`` go to the folder names.

    Reading the dataset back (``geopandas.read_parquet(OUT/communities)``) restores them from
    the folder names; a column that would clash with them (string against the partition's
    dictionary) is left out when every row says the partition's value, else kept as
    ``province_in_data``/``city_in_data``.
    """
    for key, value in (("province", province), ("city", city)):
        if key in frame.columns:
            same = frame[key].eq(value).to_numpy(dtype=bool, na_value=False).all()
            frame = (
                frame.drop(columns=key) if same else frame.rename(columns={key: f"{key}_in_data"})
            )
    return gpd.GeoDataFrame(frame).to_crs("EPSG:4326")


def _write_city(out: Path, row: dict, frames: dict[str, gpd.GeoDataFrame]) -> None:
    """Each layer renamed into place once complete: a stopped run leaves no half file."""
    province, city = str(row["province"]), str(row["city"])
    for layer, frame in frames.items():
        target = partition_path(out, layer, province, city)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".parquet.partial")
        _partition_frame(frame, province, city).to_parquet(partial, index=False)
        os.replace(partial, target)


def _write_summary(out: Path, rows: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    table = table.sort_values(["task", "province", "city_adcode"], kind="stable")
    table = table.reset_index(drop=True)
    partial = out / "summary.parquet.partial"
    table.to_parquet(partial, index=False)
    os.replace(partial, out / "summary.parquet")
    table.to_csv(out / "summary.csv", index=False, encoding="utf-8")
    return table


# --- executors --------------------------------------------------------------------------------


def _pool_results(
    jobs: Iterator[CityJob], workers: int, run: Callable[[CityJob], dict] = run_city
) -> Iterator[dict]:
    """
    Rows as cities finish, on a local process pool (forkserver: no fork of threads).

    At most one city more than ``workers`` is handed to the pool at a time (the next as one
    ends, before the caller writes the one that ended, so no worker waits on the writing),
    and a country's cities never queue their inputs in memory at once. A worker that dies
    breaks the whole pool, failing every city in it: those cities are run again one at a
    time, each in a pool of its own, so only the city that kills its worker again is
    ``worker_lost``; the others go on in a fresh pool.
    """
    queue = iter(jobs)
    context = multiprocessing.get_context("forkserver")
    # The fork server imports the pipelines once, so a worker does not pay the imports at
    # its first city (seconds on a busy machine, on the largest city since it goes first).
    # ``__main__`` first, as multiprocessing's default; a server already started keeps its own.
    context.set_forkserver_preload(["__main__", *_PRELOAD])
    limit = workers + 1
    while True:
        suspects: list[CityJob] = []
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            running = {pool.submit(run, job): job for job in itertools.islice(queue, limit)}
            while running:
                ended, _ = concurrent.futures.wait(
                    running, return_when=concurrent.futures.FIRST_COMPLETED
                )
                rows = []
                for future in ended:
                    job = running.pop(future)
                    if isinstance(future.exception(), BrokenProcessPool):
                        suspects.append(job)
                    else:
                        rows.append(_result_or_lost(future, job))
                if suspects:
                    # The pool is broken: every city still in it fails the same way.
                    suspects += running.values()
                    running = {}
                else:
                    for job in itertools.islice(queue, limit - len(running)):
                        running[pool.submit(run, job)] = job
                yield from rows
        if not suspects:
            return
        for job in sorted(suspects, key=lambda j: j.city_adcode):
            with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as alone:
                yield _result_or_lost(alone.submit(run, job), job, (BrokenProcessPool,))


def _cluster_results(
    jobs: Iterator[CityJob],
    scheduler: str | distributed.Client,
    run: Callable[[CityJob], dict] = run_city,
) -> Iterator[dict]:
    """
    Rows as cities finish, on a ``distributed`` cluster (an address or a ``Client``).

    Cities go to the cluster two per worker thread at a time (the next as one ends): each
    carries its cut's bytes, which would otherwise all sit in this process and the
    scheduler at once. A city whose worker died (``KilledWorker``) may only have waited on
    the worker another city killed: each such city runs again alone, after the rest, so only
    a city that kills its worker by itself is ``worker_lost``, as on the process pool.
    """
    import distributed

    client = scheduler if isinstance(scheduler, distributed.Client) else None
    own = client is None
    client = client or distributed.Client(scheduler, set_as_default=False)
    try:
        # The client is not made the process's default (a caller may have its own); the
        # futures find it through as_current.
        with client.as_current():
            limit = max(2, 2 * sum(client.nthreads().values()))
            suspects: list[CityJob] = []
            for job, row in _on_cluster(client, run, iter(jobs), limit):
                if row is None:
                    suspects.append(job)
                else:
                    yield row
            # One at a time: a cluster left without workers by one of them fails the rest
            # at once, instead of each waiting NO_WORKER_S in turn.
            for _, row in _on_cluster(client, run, iter(suspects), 1, last_try=True):
                assert row is not None  # a last try always gives its row
                yield row
    finally:
        if own:
            client.close()


def _on_cluster(
    client: distributed.Client,
    run: Callable[[CityJob], dict],
    queue: Iterator[CityJob],
    limit: int,
    *,
    last_try: bool = False,
) -> Iterator[tuple[CityJob, dict | None]]:
    """
    (job, row) as cities end, at most ``limit`` on the cluster at once.

    The row is None for a city whose worker died, unless ``last_try``: then it is the
    ``worker_lost`` row. A cluster left without any worker for :data:`NO_WORKER_S` fails every
    waiting city as ``worker_lost`` instead of waiting forever.
    """
    import distributed

    futures = {}
    for job in itertools.islice(queue, limit):
        # pure=False: two runs of the same city are two tasks, never a cached answer.
        futures[client.submit(run, _portable(job), pure=False)] = job
    idle = 0.0  # seconds the cluster has had no worker while cities wait
    while futures:
        try:
            ended = distributed.wait(
                list(futures), timeout=_POLL_S, return_when="FIRST_COMPLETED"
            ).done
        except distributed.TimeoutError:
            idle = 0.0 if client.scheduler_info()["workers"] else idle + _POLL_S
            if idle < NO_WORKER_S:
                continue
            # Every worker is gone and none came back (a nanny gives up restarting a worker
            # that keeps dying): the waiting cities would wait forever.
            gone = f"no worker on the cluster for {NO_WORKER_S:.0f} s"
            for future, job in futures.items():
                future.cancel()
                yield job, _lost(job, gone)
            for job in queue:
                yield job, _lost(job, gone)
            return
        idle = 0.0
        for future in ended:
            job = futures.pop(future)
            yield job, _cluster_row(future, job, last_try=last_try)
            for job in itertools.islice(queue, 1):
                futures[client.submit(run, _portable(job), pure=False)] = job


def _cluster_row(future: distributed.Future, job: CityJob, *, last_try: bool) -> dict | None:
    """An ended city's row; None when its worker died and it may run again alone."""
    import distributed

    try:
        # A result held by a worker that then died is lost: fetching it would wait on its
        # recomputation, perhaps forever. Such a city runs again alone.
        return future.result(timeout=FETCH_S)
    except (TimeoutError, distributed.TimeoutError) as exc:
        lost = f"its result was lost with its worker ({type(exc).__name__})"
        return _lost(job, lost) if last_try else None
    except distributed.KilledWorker as exc:
        return _lost(job, f"KilledWorker: {exc}") if last_try else None
    except Exception:  # MemoryError, or a bug outside the city's run: worded there
        return _result_or_lost(future, job)


def _portable(job: CityJob) -> CityJob:
    """The job with its cut's bytes instead of a path: workers need not share our disk."""
    if isinstance(job.extract, str):
        path = Path(job.extract)
        return dataclasses.replace(job, extract=path.read_bytes(), name=path.name)
    return job


class _Future(Protocol):
    """A pending city: a process pool's or a ``distributed`` cluster's future."""

    def result(self) -> Any: ...


def _result_or_lost(
    future: _Future, job: CityJob, lost: tuple[type[BaseException], ...] = ()
) -> dict:
    """
    The row a worker returned; a city whose worker died fails as ``worker_lost``.

    ``lost`` names the executor's exceptions for a dead worker (``distributed``'s
    ``KilledWorker``, a process pool's ``BrokenProcessPool``); a ``MemoryError`` is one too.
    Any other exception raised outside the city's own run (a job that cannot be sent or
    read back) fails the city as ``internal_error``: the others go on.
    """
    dead: tuple[type[BaseException], ...] = (MemoryError, *lost)
    try:
        return future.result()
    except dead as exc:
        return _lost(job, f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a bug outside run_city's own guard: reported, not raised
        return _lost(job, f"{type(exc).__name__}: {exc}", code="internal_error")


def _lost(job: CityJob, message: str, *, code: str = "worker_lost") -> dict:
    """The failed row of a city that never gave its own: its worker died, or a bug."""
    return {
        "task": job.task,
        "province": job.province,
        "city": job.city,
        "city_adcode": job.city_adcode,
        "status": "failed",
        "error_code": code,
        "error": message,
        "frames": {},
    }


# --- the batch --------------------------------------------------------------------------------


def _projects_by_city(
    projects: gpd.GeoDataFrame, areas: gpd.GeoDataFrame
) -> dict[str, gpd.GeoDataFrame]:
    """The ledger's rows per selected city (by the ledger's ``city`` column), EPSG:4326."""
    if "city" not in projects.columns:
        raise ValueError(
            "Expected the ledger to have a city column; it has "
            f"{sorted(map(str, projects.columns))!r}. Read it with `atlas ingest` first."
        )
    projects = projects.to_crs("EPSG:4326")
    groups = {str(k): v for k, v in projects.groupby("city", sort=False)}
    return {
        code: groups.get(city, projects.iloc[:0])
        for code, city in zip(areas["city_adcode"], areas["city"], strict=True)
    }


def _earlier_rows(
    out: Path, task: str, chosen: set[str], settings: str
) -> tuple[list[dict], set[str]]:
    """
    The folder's summary rows this run keeps, and the chosen cities it skips.

    Kept: other tasks' and other cities' rows, and the ``done`` rows of chosen cities (the
    run that did the work keeps its row); a chosen city's failed row is run again, and so
    is one done with other ``settings`` (another radius or profile), whose files it replaces.
    """
    earlier = read_summary(out)
    if "settings" not in earlier.columns:  # a summary written before settings were kept
        earlier["settings"] = _settings({})
    same = earlier["settings"].fillna(_settings({})).eq(settings)
    done = earlier["task"].eq(task) & earlier["status"].eq("done") & same
    done_before = set(earlier.loc[done, "city_adcode"]) & chosen
    rerun = earlier["task"].eq(task) & earlier["city_adcode"].isin(chosen - done_before)
    return earlier[~rerun].to_dict("records"), done_before


def _settings(options: dict) -> str:
    """A run's options as the summary keeps them: JSON, keys sorted."""
    return json.dumps(options, sort_keys=True, ensure_ascii=False, default=list)


#: A cut's file name: the city's adcode, then digests of the extract's name, of its state
#: (size, modification time) and of the city's area.
_CUT_NAME = re.compile(r"(\d{6})-([0-9a-f]{8})-([0-9a-f]{8})-([0-9a-f]{8})\.osm(\.pbf)?")
#: A cut named as before the extract's name and state were told apart: never read again.
_OLDER_CUT_NAME = re.compile(r"\d{6}-[0-9a-f]{16}\.osm(\.pbf)?")


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=4).hexdigest()


def _drop_stale_cuts(folder: Path, source: str, state: str) -> None:
    """
    Remove the cuts no run can use again: of an earlier state of this extract, or old-named.

    Every city's, not only this run's: a province's cuts of last month's extract would
    otherwise stay beside this month's. Cuts of other extracts (another file name) stay.
    """
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        found = _CUT_NAME.fullmatch(path.name)
        if (found and found[2] == source and found[3] != state) or _OLDER_CUT_NAME.fullmatch(
            path.name
        ):
            path.unlink(missing_ok=True)


def drop_cuts(out: str | Path) -> int:
    """
    Remove ``OUT/cuts/`` (every city's cut, of every extract); returns the files removed.

    Safe at any time between runs: a later run cuts again what it needs (``atlas batch
    --drop-cuts`` does this after its run).
    """
    folder = Path(out) / "cuts"
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and (
            _CUT_NAME.fullmatch(path.name) or _OLDER_CUT_NAME.fullmatch(path.name)
        ):
            path.unlink()
            removed += 1
    with contextlib.suppress(OSError):
        folder.rmdir()  # left in place if anything else was put there
    return removed


def _kept_cuts(extract: Path, areas: gpd.GeoDataFrame, out: Path) -> dict[str, Path]:
    """
    Each area's cut of ``extract``, kept in ``OUT/cuts/`` between runs: only missing ones cut.

    A cut's name holds digests of the extract's name, of its state (size, modification
    time) and of the area's outline (:data:`_CUT_NAME`). When the extract changes (a new
    month's file under the same name), every city's cut of its earlier state is removed,
    whichever cities this run concerns; another outline cuts that city again (its older cut
    removed). Cuts of an extract of another name are kept. Cuts are written aside and moved
    in once all are complete. All the missing cities are cut in one pass over the extract
    (:func:`cut_extract`), never one pass per city.
    """
    folder = out / "cuts"
    stat = extract.stat()
    source = _digest(extract.name.encode())
    state = _digest(f"{extract.name}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    _drop_stale_cuts(folder, source, state)
    suffix = ".osm" if extract.suffix.lower() == ".osm" else ".osm.pbf"
    codes = areas["city_adcode"].astype(str).to_list()
    names = {}
    for code, outline in zip(codes, shapely.to_wkb(areas.geometry.to_numpy()), strict=True):
        names[code] = f"{code}-{source}-{state}-{_digest(outline)}{suffix}"
    missing = [not (folder / names[code]).is_file() for code in codes]
    if any(missing):
        with tempfile.TemporaryDirectory(prefix="atlas-cut-", dir=out) as tmp:
            made = cut_extract(extract, areas[missing].reset_index(drop=True), tmp)
            folder.mkdir(exist_ok=True)
            for code, path in made.items():
                for older in folder.glob(f"{code}-{source}-*"):
                    older.unlink()
                os.replace(path, folder / names[code])
    return {code: folder / names[code] for code in codes}


def run_batch(
    task: str,
    extract: str | Path,
    projects: gpd.GeoDataFrame,
    out: str | Path,
    *,
    province: str | None = None,
    areas: gpd.GeoDataFrame | None = None,
    workers: int = 1,
    scheduler: str | distributed.Client | None = None,
    options: dict | None = None,
    progress: Progress | None = None,
    only_with_projects: bool = True,
    keep_cuts: bool = True,
    run: Callable[[CityJob], dict] = run_city,
) -> pd.DataFrame:
    """
    Run ``task`` for every city of ``province`` (or of China) that the ledger names.

    ``areas`` (``province``, ``city``, ``city_adcode``, geometry) replaces the cities'
    outlines (:func:`city_areas`). ``scheduler`` (``"tcp://HOST:8786"`` or a
    ``distributed.Client``) runs the cities on that cluster, else a local process pool of
    ``workers``. ``progress`` is called with each city's summary row as it ends (and once per
    city skipped), with the count of cities ended and of all (:data:`Progress`). Returns the
    summary (:data:`SUMMARY_COLUMNS`) of every city this run concerned, cities done before
    as ``skipped``; the folder's summary keeps their ``done`` rows.

    ``options`` go to each city's pipeline: ``profiles`` and ``radii`` (reach), ``profile``
    and ``radii_by_category`` (indicators), ``radii`` (coverage), ``max_snap_m``. Cities run
    largest cut first, so the last to start are the quickest and the pool's tail is short.
    ``run`` is what a worker runs per city (:func:`run_city`; a picklable stand-in in tests).
    ``keep_cuts=False`` removes ``OUT/cuts/`` once the run ends (:func:`drop_cuts`).
    """
    if task not in TASKS:
        raise ValueError(f"Expected a task among {', '.join(TASKS)}; got {task!r}.")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    areas = city_areas(province) if areas is None else areas
    by_city = _projects_by_city(projects, areas)
    if only_with_projects:
        areas = areas[[len(by_city[c]) > 0 for c in areas["city_adcode"]]].reset_index(drop=True)
    settings = _settings(options or {})
    rows, done_before = _earlier_rows(out, task, set(areas["city_adcode"]), settings)
    total, ended = len(areas), 0
    for row in [r for r in rows if r["task"] == task and r["city_adcode"] in done_before]:
        ended += 1
        if progress:
            progress(row | {"status": "skipped", "seconds": 0.0}, ended, total)
    pending = areas[~areas["city_adcode"].isin(done_before)].reset_index(drop=True)
    cuts = _kept_cuts(Path(extract), pending, out) if len(pending) else {}
    # Largest first (the cut's bytes: building the network is most of a city's time).
    size = {code: path.stat().st_size for code, path in cuts.items()}
    order = sorted(pending.itertuples(), key=lambda a: (-size[a.city_adcode], a.city_adcode))
    chosen_options = tuple(sorted((options or {}).items()))
    jobs = (
        CityJob(task, a.province, a.city, a.city_adcode, str(cuts[a.city_adcode]),
                by_city[a.city_adcode], chosen_options)
        for a in order
    )  # fmt: skip
    if scheduler:
        results = _cluster_results(jobs, scheduler, run)
    else:
        results = _pool_results(jobs, workers, run)
    for result in results:
        frames = result.pop("frames")
        result["settings"] = settings
        if result["status"] == "done":
            _write_city(out, result, frames)
        rows.append(result)
        # After every city: a run stopped half-way still says what it finished.
        _write_summary(out, rows)
        ended += 1
        if progress:
            progress(result, ended, total)
    table = _write_summary(out, rows)
    chosen = table["task"].eq(task) & table["city_adcode"].isin(set(areas["city_adcode"]))
    table = table[chosen].reset_index(drop=True)
    skipped = table["city_adcode"].isin(done_before)
    table.loc[skipped, "status"] = "skipped"
    table.loc[skipped, "seconds"] = 0.0
    if not keep_cuts:
        drop_cuts(out)
    return table
