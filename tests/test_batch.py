"""The batch over cities (geo/batch.py): equal to the single-city pipeline, failures, re-runs."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from bench import batch as scenes
from geo import batch, boundaries, coverage, facilities, infra, lifecircle, network, reach

CITIES = ("新乡市", "焦作市", "开封市")
# ../shared/osm beside the checkout (CI), or beside the folder of worktrees.
SHARED_OSM = next(
    (
        p / "shared" / "osm"
        for p in Path(__file__).resolve().parents[2:4]
        if (p / "shared").is_dir()
    ),
    Path(__file__).resolve().parents[2] / "shared" / "osm",
)


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    """Three grid cities in one extract, each also in its own; 12 communities per city."""
    boundaries.build_boundaries()
    folder = tmp_path_factory.mktemp("batch")
    places = scenes.city_points(CITIES)
    extract = scenes.write_extract(places, folder / "henan.osm", size=8)
    alone = {
        # The same ids as in the joint extract, so edges compare one to one.
        city: scenes.write_extract(places.iloc[[i]], folder / f"{i}.osm", size=8, first=i)
        for i, city in enumerate(CITIES)
    }
    projects = scenes.ledger(places, per_city=12, half_m=250)
    return extract, alone, projects


@pytest.fixture(scope="module")
def alone_networks(scene):
    """Each city's walking network, built from its own extract (as `atlas reach` builds it)."""
    _, alone, _ = scene
    return {city: network.build_network(alone[city], use_cache=False) for city in CITIES}


@pytest.fixture(scope="module")
def reach_run(scene, tmp_path_factory):
    """
    The three cities' reach, run once on a pool of two workers: its folder, its summary and
    the progress calls (a row, the cities ended, all cities), for the tests that read it.
    """
    extract, _, projects = scene
    out = tmp_path_factory.mktemp("reach-run")
    seen = []
    table = batch.run_batch(
        "reach",
        extract,
        projects,
        out,
        province="河南省",
        workers=2,
        progress=lambda row, ended, total: seen.append((row, ended, total)),
    )
    return out, table, seen


def _single_city(path: Path, projects: gpd.GeoDataFrame, built: network.Network | None = None):
    """What `atlas reach` computes for one city's own extract (``built``: its network)."""
    if built is None:
        built = network.build_network(path, use_cache=False)
    reached = reach.measure(projects, infra.read_infra(path), built)
    return reached.near, reached.table


def _partition(out: Path, layer: str, city: str) -> gpd.GeoDataFrame:
    return gpd.read_parquet(batch.partition_path(out, layer, "河南省", city))


def _as_written(frame: gpd.GeoDataFrame, city: str | None = None) -> pd.DataFrame:
    """A single-city frame as a partition holds it: the city's rows, no province/city."""
    if city is not None:
        frame = frame[frame["city"] == city]
    plain = pd.DataFrame(frame.drop(columns=["geometry", "province", "city"], errors="ignore"))
    return plain.reset_index(drop=True)


def test_batch_reach_equals_each_city_alone(scene, reach_run, alone_networks):
    _, alone, projects = scene
    out, table, seen = reach_run
    assert table["status"].tolist() == ["done"] * 3
    assert sorted(r["city"] for r, _, _ in seen) == sorted(CITIES)
    assert [(ended, total) for _, ended, total in seen] == [(1, 3), (2, 3), (3, 3)]
    for city in CITIES:
        mine = projects[projects["city"] == city]
        communities, districts = _single_city(alone[city], mine, alone_networks[city])
        got = _partition(out, "communities", city)
        assert got.crs == "EPSG:4326"
        pd.testing.assert_frame_equal(
            pd.DataFrame(got.drop(columns="geometry")),
            _as_written(communities),
            check_dtype=False,
            check_categorical=False,
        )
        assert got.geometry.equals(communities.geometry.reset_index(drop=True))
        assert (got["walk_curb_ramp_status"] == "ok").all()
        got_districts = _partition(out, "districts", city)
        pd.testing.assert_frame_equal(
            pd.DataFrame(got_districts.drop(columns="geometry")),
            _as_written(districts, city),
            check_dtype=False,
            check_categorical=False,
        )
    # The folder reads back as one dataset, province and city from the folder names.
    everything = gpd.read_parquet(out / "communities")
    assert everything.crs == "EPSG:4326"
    assert everything["city"].astype(str).value_counts().to_dict() == dict.fromkeys(CITIES, 12)
    assert set(everything["province"].astype(str)) == {"河南省"}
    summary = pd.read_csv(out / "summary.csv", dtype={"city_adcode": str})
    assert summary[["city", "status", "communities"]].to_dict("records") == [
        {"city": "开封市", "status": "done", "communities": 12},
        {"city": "新乡市", "status": "done", "communities": 12},
        {"city": "焦作市", "status": "done", "communities": 12},
    ]


def test_a_city_without_streets_fails_alone_and_a_rerun_skips_the_done(scene, tmp_path):
    extract, _, projects = scene
    # 许昌市's communities have no grid in the extract: its cut holds nothing.
    xuchang = projects[projects["city"] == "新乡市"].assign(city="许昌市")
    ledger = pd.concat([projects, xuchang], ignore_index=True)
    first = batch.run_batch("reach", extract, ledger, tmp_path, province="河南省", workers=1)
    by_city = first.set_index("city")
    assert by_city.loc["许昌市", "status"] == "failed"
    assert by_city.loc["许昌市", "error_code"] == "empty_network"
    assert by_city.loc[list(CITIES), "status"].tolist() == ["done"] * 3
    assert not batch.partition_path(tmp_path, "communities", "河南省", "许昌市").exists()
    written = batch.partition_path(tmp_path, "communities", "河南省", "新乡市").stat().st_mtime_ns

    seen = []
    again = batch.run_batch(
        "reach",
        extract,
        ledger,
        tmp_path,
        province="河南省",
        workers=1,
        progress=lambda row, ended, total: seen.append((row, ended, total)),
    )
    statuses = dict(zip(again["city"], again["status"], strict=True))
    assert statuses == {"开封市": "skipped", "新乡市": "skipped", "焦作市": "skipped",
                        "许昌市": "failed"}  # fmt: skip
    assert len(seen) == 4
    assert (
        batch.partition_path(tmp_path, "communities", "河南省", "新乡市").stat().st_mtime_ns
        == written
    )
    # The folder keeps the done rows of the run that did the work: a third run skips them too.
    kept = batch.read_summary(tmp_path).set_index("city")["status"].to_dict()
    assert kept == {"开封市": "done", "新乡市": "done", "焦作市": "done", "许昌市": "failed"}


def test_dask_cluster_gives_the_pool_results(scene, reach_run, tmp_path):
    distributed = pytest.importorskip("distributed")
    extract, _, projects = scene
    pool_folder, pool, _ = reach_run
    with distributed.LocalCluster(
        n_workers=1,
        processes=False,
        threads_per_worker=2,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=":0",  # a free port: 8787 may be another cluster's
    ) as cluster:
        dask = batch.run_batch(
            "reach",
            extract,
            projects,
            tmp_path / "dask",
            province="河南省",
            scheduler=cluster.scheduler_address,
        )
    assert dask["status"].tolist() == pool["status"].tolist() == ["done"] * 3
    for city in CITIES:
        pd.testing.assert_frame_equal(
            _partition(tmp_path / "dask", "communities", city),
            _partition(pool_folder, "communities", city),
        )


def test_unknown_task_is_refused(tmp_path):
    with pytest.raises(
        ValueError, match=r"^Expected a task among reach, indicators, coverage; got 'walk'\.$"
    ):
        batch.run_batch("walk", tmp_path / "x.osm", gpd.GeoDataFrame(), tmp_path)


def test_a_changeset_in_an_osm_file_is_left_out_of_the_cut(tmp_path):
    # OSM XML may carry <changeset> elements (a changeset dump, an editor's save): the cut
    # keeps the city's nodes and ways and leaves the changeset out, instead of failing.
    path = tmp_path / "with_changeset.osm"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="test">\n'
        ' <changeset id="10" created_at="2020-01-01T00:00:00Z" open="false" user="a" uid="1"/>\n'
        ' <node id="1" version="1" lat="35.05" lon="113.05"/>\n'
        ' <node id="2" version="1" lat="35.06" lon="113.06"/>\n'
        ' <way id="10" version="1"><nd ref="1"/><nd ref="2"/>'
        '<tag k="highway" v="footway"/></way>\n'
        "</osm>\n",
        encoding="utf-8",
    )
    areas = gpd.GeoDataFrame(
        {"province": ["河南省"], "city": ["新乡市"], "city_adcode": ["410700"]},
        geometry=[shapely.box(113.0, 35.0, 113.2, 35.2)],
        crs="EPSG:4326",
    )
    cuts = batch.cut_extract(path, areas, tmp_path / "cuts")
    cut = cuts["410700"].read_text(encoding="utf-8")
    assert cut.count("<node ") == 2
    assert cut.count("<way ") == 1
    assert "<changeset" not in cut


def test_batch_indicators_and_coverage_equal_each_city_alone(scene, alone_networks, tmp_path):
    extract, alone, projects = scene
    indicators = batch.run_batch("indicators", extract, projects, tmp_path / "i", province="河南省")
    coverage_table = batch.run_batch(
        "coverage", extract, projects, tmp_path / "c", province="河南省"
    )
    assert indicators["status"].tolist() == coverage_table["status"].tolist() == ["done"] * 3
    for city in CITIES:
        mine = projects[projects["city"] == city]
        built = alone_networks[city]
        registry = facilities.load_registry()
        found = facilities.read_osm_facilities(
            alone[city], registry=registry, extent=built.extent()
        )
        expected = lifecircle.measure(mine, found, built, registry=registry)
        got = _partition(tmp_path / "i", "communities", city)
        assert (got["status_kindergarten"] == "ok").any()
        pd.testing.assert_frame_equal(
            pd.DataFrame(got.drop(columns="geometry")),
            _as_written(expected.communities),
            check_dtype=False,
            check_categorical=False,
        )
        measured = coverage.measure(mine, infra.read_infra(alone[city]))
        pd.testing.assert_frame_equal(
            pd.DataFrame(_partition(tmp_path / "c", "districts", city).drop(columns="geometry")),
            _as_written(measured.table, city),
            check_dtype=False,
            check_categorical=False,
        )


@pytest.mark.parametrize("name", ["neukolln.osm", "paris_bss.osm.pbf"])
def test_a_cut_around_a_whole_real_extract_changes_nothing(name, tmp_path):
    path = SHARED_OSM / name
    if not path.is_file():
        pytest.skip(f"OSM extracts not found at {SHARED_OSM} (CI has shared/ beside the checkout)")
    built = network.build_network(path, use_cache=False)
    area = built.extent().buffer(0.01)
    areas = gpd.GeoDataFrame(
        {"province": ["外"], "city": ["外市"], "city_adcode": ["990100"]},
        geometry=[area],
        crs="EPSG:4326",
    )
    nodes = built.nodes.iloc[:: max(1, len(built.nodes) // 25)]
    projects = gpd.GeoDataFrame(
        {"name": [f"小区{i}" for i in range(len(nodes))], "city": "外市", "households": 100},
        geometry=gpd.points_from_xy(nodes["lon"] + 1e-4, nodes["lat"]),
        crs="EPSG:4326",
    )
    table = batch.run_batch("reach", path, projects, tmp_path, areas=areas)
    assert table["status"].tolist() == ["done"]
    assert table["edges"].tolist() == [len(built.edges)]
    communities, _ = _single_city(path, projects)
    got = gpd.read_parquet(batch.partition_path(tmp_path, "communities", "外", "外市"))
    assert got["walk_snap_m"].notna().sum() > len(got) // 2  # on the network, measured
    pd.testing.assert_frame_equal(
        pd.DataFrame(got.drop(columns="geometry")),
        _as_written(communities),
        check_dtype=False,
        check_categorical=False,
    )


# --- a city that kills its worker, a city that meets a bug: each fails alone ------------------


def _boom(extract, projects, options):
    raise KeyError("a bug in one city's pipeline")


def _dies_or_breaks(job: batch.CityJob) -> dict:
    """In the worker: 新乡市 kills its process, 焦作市's pipeline raises a bug, others run."""
    import os
    from unittest import mock

    if job.city == "新乡市":
        os._exit(9)  # as the kernel's OOM killer would end it: no exception, no clean-up
    if job.city == "焦作市":
        with mock.patch.dict(batch._TASK_RUNNERS, {job.task: _boom}):
            return batch.run_city(job)
    return batch.run_city(job)


def test_a_dead_worker_and_a_bug_fail_their_cities_and_the_rest_finish(scene, tmp_path):
    from layers.wording import label

    extract, _, projects = scene
    # A fourth city, so a healthy city is still queued when the pool breaks.
    fourth = projects[projects["city"] == "开封市"].assign(city="许昌市")
    ledger = pd.concat([projects, fourth], ignore_index=True)
    seen = []
    table = batch.run_batch(
        "reach",
        extract,
        ledger,
        tmp_path,
        province="河南省",
        workers=2,
        run=_dies_or_breaks,
        progress=lambda row, ended, total: seen.append((row["city"], ended, total)),
    )
    by_city = table.set_index("city")
    assert by_city.loc["新乡市", ["status", "error_code"]].tolist() == ["failed", "worker_lost"]
    assert by_city.loc["新乡市", "error"].startswith("BrokenProcessPool: ")
    assert by_city.loc["焦作市", ["status", "error_code"]].tolist() == ["failed", "internal_error"]
    assert by_city.loc["焦作市", "error"] == 'KeyError: "a bug in one city\'s pipeline"'
    assert by_city.loc["开封市", "status"] == "done"
    # 许昌市 has no streets in the extract: it fails as itself, not as the dead worker's.
    assert by_city.loc["许昌市", "error_code"] == "empty_network"
    assert sorted(city for city, _, _ in seen) == ["开封市", "新乡市", "焦作市", "许昌市"]
    assert [(ended, total) for _, ended, total in seen] == [(i, 4) for i in range(1, 5)]
    assert batch.partition_path(tmp_path, "communities", "河南省", "开封市").exists()
    assert not batch.partition_path(tmp_path, "communities", "河南省", "新乡市").exists()
    for code in ("worker_lost", "internal_error"):
        assert code in batch.FAILURE_CODES
    assert label("error_worker_lost", "zh").startswith("计算这个城市的工作进程中断")
    assert label("error_worker_lost", "en").startswith("The worker computing this city stopped")
    assert label("error_internal_error", "en").startswith("This city's run failed on a fault")
    # A re-run computes only what is not done, with the healthy runner: all done now.
    again = batch.run_batch("reach", extract, projects, tmp_path, province="河南省", workers=2)
    assert dict(zip(again["city"], again["status"], strict=True)) == {
        "开封市": "skipped", "新乡市": "done", "焦作市": "done"}  # fmt: skip


def test_cities_run_largest_cut_first(tmp_path):
    boundaries.build_boundaries()
    places = scenes.city_points(CITIES)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    nodes, ways = [], []
    for i, (point, size) in enumerate(zip(places.geometry, (4, 10, 6), strict=True)):
        more_nodes, more_ways = scenes.grid_city(
            (point.x, point.y), (i + 1) * 10_000_000, size=size
        )
        nodes += more_nodes
        ways += more_ways
    extract = tmp_path / "three.osm"
    extract.write_text("\n".join([*lines, *nodes, *ways, "</osm>"]), encoding="utf-8")
    projects = scenes.ledger(places, per_city=3, half_m=100)
    seen = []
    batch.run_batch(
        "reach",
        extract,
        projects,
        tmp_path / "out",
        province="河南省",
        workers=1,
        progress=lambda row, ended, total: seen.append(row["city"]),
    )
    # One worker ends the cities in the order they were handed over: 10×10, 6×6, 4×4 grids.
    assert seen == ["焦作市", "开封市", "新乡市"]


def test_cuts_are_kept_for_the_next_run_until_the_extract_changes(scene, tmp_path, monkeypatch):
    import os

    extract, _, projects = scene
    copy = tmp_path / "henan.osm"
    copy.write_bytes(Path(extract).read_bytes())
    out = tmp_path / "out"
    first = batch.run_batch("reach", copy, projects, out, province="河南省")
    kept = sorted(p.name for p in (out / "cuts").iterdir())
    before = {city: _partition(out, "communities", city) for city in CITIES}
    assert [name.split("-")[0] for name in kept] == sorted(first["city_adcode"])
    cut = []
    real = batch.cut_extract
    monkeypatch.setattr(
        batch, "cut_extract", lambda e, areas, f: cut.append(len(areas)) or real(e, areas, f)
    )
    (out / "summary.parquet").unlink()  # every city runs again
    again = batch.run_batch("reach", copy, projects, out, province="河南省")
    assert cut == [] and again["status"].tolist() == ["done"] * 3
    for city in CITIES:
        pd.testing.assert_frame_equal(_partition(out, "communities", city), before[city])
    # The same file name, another extract: every city is cut again, the older cuts removed.
    os.utime(copy, ns=(0, 0))
    (out / "summary.parquet").unlink()
    batch.run_batch("reach", copy, projects, out, province="河南省")
    assert cut == [3]
    now = sorted(p.name for p in (out / "cuts").iterdir())
    assert len(now) == 3 and not set(now) & set(kept)


def test_a_city_that_kills_its_dask_workers_fails_alone(scene, tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    import dask

    # A city whose result sat on the worker the killer then took runs again alone, soon.
    monkeypatch.setattr(batch, "FETCH_S", 20.0)

    extract, _, projects = scene
    # One task on a worker thread at a time (the rest wait at the scheduler): a task waiting
    # on a worker that dies counts as a suspect too, and after the retries is lost with it.
    # No retry on the cluster (allowed-failures 0): the killer takes the worker down once in
    # the first round and once alone. Each death is a nanny restart, and under load a nanny
    # that restarted the worker three times in a row has been seen to give it up, leaving
    # the innocent cities no worker to run on (they then fail as "no worker on the cluster",
    # which is the truth, but not what this test is about).
    with (
        dask.config.set(
            {
                "distributed.scheduler.worker-saturation": 1.0,
                "distributed.scheduler.allowed-failures": 0,
            }
        ),
        distributed.LocalCluster(
            n_workers=1,
            processes=True,
            threads_per_worker=1,
            protocol="tcp",
            host="127.0.0.1",
            dashboard_address=":0",
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):
        table = batch.run_batch(
            "reach",
            extract,
            projects,
            tmp_path,
            province="河南省",
            scheduler=client,
            run=_dies_or_breaks,
        )
    by_city = table.set_index("city")
    assert by_city.loc["新乡市", ["status", "error_code"]].tolist() == ["failed", "worker_lost"]
    # Killed again when alone; or its nanny gave up restarting the worker it kept killing.
    assert by_city.loc["新乡市", "error"].startswith(("KilledWorker: ", "no worker on the cluster"))
    assert by_city.loc["焦作市", ["status", "error_code"]].tolist() == ["failed", "internal_error"]
    assert by_city.loc["开封市", "status"] == "done"


def test_a_cluster_left_without_workers_fails_the_waiting_cities_instead_of_waiting(
    scene, tmp_path, monkeypatch
):
    distributed = pytest.importorskip("distributed")
    extract, _, projects = scene
    # A scheduler whose workers are all gone (a nanny gives up a worker that keeps dying).
    monkeypatch.setattr(batch, "NO_WORKER_S", 1.0)
    monkeypatch.setattr(batch, "_POLL_S", 0.2)
    with (
        distributed.LocalCluster(
            n_workers=0, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):
        table = batch.run_batch(
            "reach", extract, projects, tmp_path, province="河南省", scheduler=client
        )
    assert table["status"].tolist() == ["failed"] * len(CITIES)
    assert set(table["error_code"]) == {"worker_lost"}
    assert table["error"].str.contains("no worker on the cluster").all()


def test_a_changed_extract_removes_every_citys_older_cut_and_drop_cuts_removes_them_all(
    tmp_path, monkeypatch
):
    import os

    boundaries.build_boundaries()
    places = scenes.city_points(CITIES)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    nodes, ways = [], []
    for i, point in enumerate(places.geometry):
        more_nodes, more_ways = scenes.grid_city((point.x, point.y), (i + 1) * 10_000_000, size=3)
        nodes += more_nodes
        ways += more_ways
    extract = tmp_path / "henan.osm"
    extract.write_text("\n".join([*lines, *nodes, *ways, "</osm>"]), encoding="utf-8")
    other = tmp_path / "other.osm"
    other.write_bytes(extract.read_bytes())
    areas = batch.city_areas("河南省")
    areas = areas[areas["city"].isin(CITIES)].reset_index(drop=True)
    out = tmp_path / "out"
    out.mkdir()
    cut = []
    real = batch.cut_extract

    def counted(e, chosen, f):
        cut.append(sorted(chosen["city"]))
        return real(e, chosen, f)

    kept = batch._kept_cuts(other, areas, out)
    # An older release's name for a cut, never read again.
    stray = out / "cuts" / "410700-0123456789abcdef.osm"
    stray.write_text("<osm/>", encoding="utf-8")
    monkeypatch.setattr(batch, "cut_extract", counted)
    first = batch._kept_cuts(extract, areas, out)
    # Every missing city in one pass over the extract.
    assert cut == [sorted(CITIES)]
    # Next month's extract under the same name, a run for one city only: the other cities'
    # cuts of the earlier extract go too; another extract's cuts stay.
    os.utime(extract, ns=(0, 0))
    one = areas.iloc[:1].reset_index(drop=True)
    second = batch._kept_cuts(extract, one, out)
    assert cut[1] == [one["city"].iloc[0]]
    now = set((out / "cuts").iterdir())
    assert now == set(second.values()) | set(kept.values())
    assert not set(first.values()) & now and not stray.exists()
    assert batch.drop_cuts(out) == len(now) and not (out / "cuts").exists()
    assert batch.drop_cuts(out) == 0
