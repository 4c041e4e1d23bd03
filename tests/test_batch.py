"""The batch over cities (geo/batch.py): equal to the single-city pipeline, failures, re-runs."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from bench import batch as scenes
from geo import batch, boundaries, infra, network, reach

CITIES = ("新乡市", "焦作市", "开封市")


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


def _single_city(path: Path, projects: gpd.GeoDataFrame):
    """What `atlas reach` computes for one city's own extract."""
    return reach.measure(
        projects, infra.read_infra(path), network.build_network(path, use_cache=False)
    )


def _partition(out: Path, layer: str, city: str) -> gpd.GeoDataFrame:
    return gpd.read_parquet(batch.partition_path(out, layer, "河南省", city))


def test_batch_reach_equals_each_city_alone(scene, tmp_path):
    extract, alone, projects = scene
    seen = []
    table = batch.run_batch(
        "reach",
        extract,
        projects,
        tmp_path,
        province="河南省",
        workers=2,
        progress=lambda row, ended, total: seen.append((row, ended, total)),
    )
    assert table["status"].tolist() == ["done"] * 3
    assert sorted(r["city"] for r, _, _ in seen) == sorted(CITIES)
    assert [(ended, total) for _, ended, total in seen] == [(1, 3), (2, 3), (3, 3)]
    for city in CITIES:
        mine = projects[projects["city"] == city]
        communities, districts = _single_city(alone[city], mine)
        got = _partition(tmp_path, "communities", city)
        assert got.crs == "EPSG:4326"
        pd.testing.assert_frame_equal(
            pd.DataFrame(got.drop(columns="geometry")),
            pd.DataFrame(communities.drop(columns="geometry")).reset_index(drop=True),
            check_dtype=False,
            check_categorical=False,
        )
        assert got.geometry.equals(communities.geometry.reset_index(drop=True))
        assert (got["walk_curb_ramp_status"] == "ok").all()
        got_districts = _partition(tmp_path, "districts", city)
        pd.testing.assert_frame_equal(
            pd.DataFrame(got_districts.drop(columns="geometry")),
            pd.DataFrame(districts.drop(columns="geometry")).reset_index(drop=True),
            check_dtype=False,
            check_categorical=False,
        )
    summary = pd.read_csv(tmp_path / "summary.csv", dtype={"city_adcode": str})
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


def test_dask_cluster_gives_the_pool_results(scene, tmp_path):
    distributed = pytest.importorskip("distributed")
    extract, _, projects = scene
    pool = batch.run_batch("reach", extract, projects, tmp_path / "pool", province="河南省")
    with distributed.LocalCluster(
        n_workers=1,
        processes=False,
        threads_per_worker=2,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
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
            _partition(tmp_path / "pool", "communities", city),
        )


def test_unknown_task_is_refused(tmp_path):
    with pytest.raises(
        ValueError, match=r"^Expected a task among reach, indicators, coverage; got 'walk'\.$"
    ):
        batch.run_batch("walk", tmp_path / "x.osm", gpd.GeoDataFrame(), tmp_path)
