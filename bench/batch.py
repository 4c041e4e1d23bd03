"""
The batch over cities (``atlas batch``): 8 synthetic cities on a process pool and on Dask.

The suite's ``batch`` job (``python -m bench --jobs batch``). One OSM extract holds a street
grid in each of 8 cities of 河南省 (``GRID`` × ``GRID`` nodes 80 m apart, at a point inside
each city's outline, with accessible bus stops, lowered kerbs and kindergartens), and a
ledger of ``PROJECTS`` communities per city. :func:`geo.batch.run_batch` runs ``reach`` for
every city into a fresh folder (cut, per-city tasks, GeoParquet, summary), timed whole, on:

- ``pool``: a local process pool (forkserver) of 1 and 2 workers;
- ``dask``: a ``distributed.LocalCluster`` on 127.0.0.1 of 1 and 2 worker processes (one
  thread each), started before the timer; its start-up is timed on its own
  (``cluster_start_s``).

Each city's task time (``seconds`` in the summary) is recorded beside the wall times; every
city must end ``done`` or the run stops. On 2 shared cores these are ratios only; the
estimate for 300 cities on 16 workers, from these per-city figures, is the paragraph under
this job's table in RESULTS.md (about 5 s a typical city, 40 s a 2M-edge one: ~3 min of
cities on 16 workers, but the cut in the calling process grows with the extract).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from bench.timing import ATLAS, Mismatch
from geo import batch, boundaries, crs, network

#: Nodes along a side of each city's grid, and their spacing (metres).
GRID = 40
STEP_M = 80.0
#: Communities per city in the ledger.
PROJECTS = 200
CITIES = ("开封市", "洛阳市", "平顶山市", "安阳市", "新乡市", "焦作市", "许昌市", "漯河市")


TITLE = "The batch over 8 cities: a process pool and a Dask cluster, 1 and 2 workers"


def _node_lines(node_id: int, lon: float, lat: float, tags: dict[str, str]) -> str:
    body = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
    return f'<node id="{node_id}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">{body}</node>'


def grid_city(
    centre: tuple[float, float], first_id: int, *, size: int = GRID, step_m: float = STEP_M
) -> tuple[list[str], list[str]]:
    """
    A street grid around ``centre`` (lon, lat): node and way lines of OSM XML, ids from
    ``first_id``. Every 7th node is an accessible bus stop, every 5th a lowered kerb, every
    11th a kindergarten.
    """
    metric = crs.metric_crs(*centre)
    to_m = network.transformer(int(metric.to_epsg()))
    cx, cy = to_m.transform(*centre)
    back = to_m.transform
    half = (size - 1) * step_m / 2
    xs = cx - half + step_m * np.arange(size)
    gx, gy = np.meshgrid(xs, cy - half + step_m * np.arange(size))
    lon, lat = back(gx.ravel(), gy.ravel(), direction="INVERSE")
    ids = first_id + np.arange(size * size)
    nodes = []
    for i, (node_id, x, y) in enumerate(zip(ids.tolist(), lon.tolist(), lat.tolist(), strict=True)):
        tags = {}
        if i % 7 == 3:
            tags = {"highway": "bus_stop", "wheelchair": "yes"}
        elif i % 5 == 1:
            tags = {"kerb": "lowered", "barrier": "kerb"}
        elif i % 11 == 2:
            tags = {"amenity": "kindergarten"}
        nodes.append(_node_lines(node_id, round(x, 7), round(y, 7), tags))
    grid = ids.reshape(size, size)
    ways = []
    for n, refs in enumerate([*grid, *grid.T]):
        body = "".join(f'<nd ref="{r}"/>' for r in refs.tolist())
        way_id = first_id + n
        ways.append(
            f'<way id="{way_id}" version="1">{body}<tag k="highway" v="residential"/></way>'
        )
    return nodes, ways


def city_points(cities: tuple[str, ...] = CITIES) -> gpd.GeoDataFrame:
    """A point inside each city (its outline's representative point), with its names."""
    outlines = boundaries.load_boundaries("city")
    outlines = outlines[outlines["city"].isin(cities)].set_index("city").loc[list(cities)]
    points = shapely.point_on_surface(outlines.geometry.to_numpy())
    return gpd.GeoDataFrame(
        {"city": list(cities), "province": outlines["province"].to_numpy()},
        geometry=points,
        crs="EPSG:4326",
    )


def write_extract(
    places: gpd.GeoDataFrame,
    path: Path,
    *,
    size: int = GRID,
    step_m: float = STEP_M,
    first: int = 0,
) -> Path:
    """
    One OSM XML extract: a grid at each of ``places``' points (ids sorted, as OSM's).

    The i-th grid's ids start at ``(first + i + 1) * 10_000_000``.
    """
    nodes, ways = [], []
    for i, point in enumerate(places.geometry):
        more_nodes, more_ways = grid_city(
            (point.x, point.y), (first + i + 1) * 10_000_000, size=size, step_m=step_m
        )
        nodes += more_nodes
        ways += more_ways
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="bench">']
    path.write_text("\n".join([*lines, *nodes, *ways, "</osm>"]), encoding="utf-8")
    return path


def ledger(
    places: gpd.GeoDataFrame, *, per_city: int = PROJECTS, half_m: float = 1200.0, seed: int = 27
) -> gpd.GeoDataFrame:
    """``per_city`` communities scattered within ``half_m`` of each place, with its city."""
    rng = np.random.default_rng(seed)
    rows = []
    for point, city, province in zip(
        places.geometry, places["city"], places["province"], strict=True
    ):
        metric = crs.metric_crs(point.x, point.y)
        to_m = network.transformer(int(metric.to_epsg()))
        cx, cy = to_m.transform(point.x, point.y)
        x = cx + rng.uniform(-half_m, half_m, per_city)
        y = cy + rng.uniform(-half_m, half_m, per_city)
        lon, lat = to_m.transform(x, y, direction="INVERSE")
        for k in range(per_city):
            rows.append((f"{city}小区{k}", city, province, 100 + k, lon[k], lat[k]))
    names, cities, provinces, households, lon, lat = zip(*rows, strict=True)
    adcodes = boundaries.assign_districts(np.asarray(lon), np.asarray(lat))
    return gpd.GeoDataFrame(
        {
            "name": names,
            "city": cities,
            "province": provinces,
            "households": households,
            "adcode": adcodes,
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


def _timed(extract: Path, projects, workers: int, scheduler) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as out:
        start = time.perf_counter()
        table = batch.run_batch(
            "reach", extract, projects, out, province="河南省", workers=workers, scheduler=scheduler
        )
        wall = time.perf_counter() - start
    if not table["status"].eq("done").all():
        raise Mismatch(
            f"batch: cities not done: {table[['city', 'status', 'error']].to_dict('records')}"
        )
    seconds = table["seconds"].astype(float)
    median, total = float(statistics.median(seconds)), float(seconds.sum())
    check = f"all {len(table)} cities done; a city's task: median {median:.2f} s, sum {total:.1f} s"
    return {
        "size": len(table),
        "wall_s": round(wall, 3),
        "city_median_s": round(median, 3),
        "city_sum_s": round(total, 3),
        "edges_per_city": int(table["edges"].astype(float).median()),
        "peers": {ATLAS: {"median_s": wall, "runs_s": [wall], "check": check}},
    }


def run(*, full: bool, repeat: int, qgis: bool) -> dict:
    """The job: 8 cities × {pool, dask} × {1, 2} workers, and the cluster's start-up."""
    import distributed

    del full, repeat, qgis  # one run each: the whole job stays under two minutes
    boundaries.build_boundaries()
    cases = []
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        places = city_points()
        extract = write_extract(places, Path(tmp) / "henan.osm")
        projects = ledger(places)
        for workers in (1, 2):
            case = {"case": f"pool, {workers} worker(s)", "executor": "pool", "workers": workers}
            cases.append(case | _timed(extract, projects, workers, None))
        for workers in (1, 2):
            start = time.perf_counter()
            cluster = distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
            )
            started = time.perf_counter() - start
            try:
                with distributed.Client(cluster) as client:
                    timed = _timed(extract, projects, workers, client)
            finally:
                cluster.close()
            case = {"case": f"dask, {workers} worker(s)", "executor": "dask", "workers": workers}
            timed["peers"][ATLAS]["check"] += f"; cluster started first in {started:.2f} s"
            cases.append(case | {"cluster_start_s": round(started, 3)} | timed)
    return {"job": "batch", "title": TITLE, "cases": cases}
