"""`atlas batch` (cli/batch.py): a line per city on stderr, one JSON line, the exit status."""

from __future__ import annotations

import json

import pandas as pd

from bench import batch as scenes
from cli import main
from geo import boundaries


def test_batch_reach_prints_each_city_then_counts_and_a_rerun_skips(tmp_path, capsys):
    boundaries.build_boundaries()
    places = scenes.city_points(("新乡市", "焦作市"))
    osm = scenes.write_extract(places, tmp_path / "henan.osm", size=6)
    projects = scenes.ledger(places, per_city=5, half_m=150)
    # A third city's communities, with no street of it in the extract.
    lost = projects[projects["city"] == "焦作市"].assign(city="许昌市")
    ledger = tmp_path / "ledger.gpkg"
    pd.concat([projects, lost], ignore_index=True).to_file(ledger, layer="projects")
    args = ["batch", "reach", "--province", "河南", "--osm", str(osm), "--ledger", str(ledger)]
    args += ["--out", str(tmp_path / "out")]

    assert main(args) == 3
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary == {"task": "reach", "cities": 3, "done": 2, "failed": 1, "skipped": 0,
                       "out": str(tmp_path / "out")}  # fmt: skip
    lines = sorted(line.split("] ", 1)[1] for line in captured.err.splitlines())
    assert lines[0].startswith("河南省 新乡市: done, 5 communities, ")
    assert lines[1].startswith("河南省 焦作市: done, 5 communities, ")
    assert lines[2] == (
        "河南省 许昌市: failed (empty_network: Expected streets or paths in the city's part of "
        "the extract; it has none. Check that the extract covers the city.)"
    )

    assert main(args) == 3
    captured = capsys.readouterr()
    assert json.loads(captured.out) | {"out": ""} == {
        "task": "reach", "cities": 3, "done": 0, "failed": 1, "skipped": 2, "out": ""
    }  # fmt: skip
    assert any(line.endswith("河南省 新乡市: skipped") for line in captured.err.splitlines())


def test_batch_refuses_an_unknown_province(tmp_path, capsys):
    args = ["batch", "reach", "--province", "火星省", "--osm", str(tmp_path / "x.osm")]
    assert main([*args, "--ledger", str(tmp_path / "l.gpkg"), "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("atlas batch: Unknown province '火星省'.")


def test_batch_passes_profile_and_radius_to_each_city(tmp_path, capsys):
    import geopandas as gpd

    from geo import batch
    from geo.coverage import DISTANCE_TYPES, share_key

    boundaries.build_boundaries()
    places = scenes.city_points(("新乡市",))
    osm = scenes.write_extract(places, tmp_path / "xinxiang.osm", size=6)
    ledger = tmp_path / "ledger.gpkg"
    scenes.ledger(places, per_city=4, half_m=150).to_file(ledger, layer="projects")
    args = ["batch", "reach", "--province", "河南省", "--osm", str(osm), "--ledger", str(ledger)]
    args += ["--out", str(tmp_path / "out"), "--profile", "wheelchair", "--radius", "300"]
    assert main(args) == 0
    capsys.readouterr()
    path = batch.partition_path(tmp_path / "out", "districts", "河南省", "新乡市")
    shares = {c for c in gpd.read_parquet(path).columns if c.startswith("households_within_")}
    wanted = {share_key(300, kind, "wheelchair") for kind in DISTANCE_TYPES}
    assert shares - {f"{k}_status" for k in wanted} == wanted
    communities = gpd.read_parquet(
        batch.partition_path(tmp_path / "out", "communities", "河南省", "新乡市")
    )
    assert "wheelchair_curb_ramp_status" in communities.columns
    assert "walk_curb_ramp_status" not in communities.columns
    assert len(list((tmp_path / "out" / "cuts").iterdir())) == 1  # kept for the next run
    # Into the same folder with another radius: the city is not skipped but run again; the
    # cut is dropped once the run ends.
    args[-1] = "500"
    assert main([*args, "--drop-cuts"]) == 0
    assert json.loads(capsys.readouterr().out)["done"] == 1
    assert not (tmp_path / "out" / "cuts").exists()
    columns = set(gpd.read_parquet(path).columns)
    assert share_key(500, "curb_ramp", "wheelchair") in columns
    assert share_key(300, "curb_ramp", "wheelchair") not in columns
    settings = pd.read_csv(tmp_path / "out" / "summary.csv")["settings"].tolist()
    assert settings == ['{"profiles": ["wheelchair"], "radii": [500]}']


def test_batch_refuses_two_profiles_for_indicators_and_a_bad_radius(tmp_path, capsys):
    base = ["batch", "indicators", "--province", "河南省", "--osm", str(tmp_path / "x.osm")]
    base += ["--ledger", str(tmp_path / "l.gpkg"), "--out", str(tmp_path / "out")]
    assert main([*base, "--profile", "walk", "--profile", "wheelchair"]) == 2
    assert capsys.readouterr().err.startswith(
        "atlas batch: Expected one --profile for indicators, walk or wheelchair; got walk, "
        "wheelchair. Run the batch once per profile, each into its own --out folder."
    )
    reach = [*base[:1], "reach", *base[2:]]
    assert main([*reach, "--radius", "500m"]) == 2
    assert "Expected --radius in whole metres above zero (e.g. 500); got '500m'." in (
        capsys.readouterr().err
    )
