"""Tests of `atlas site` on the shipped synthetic ledger and an OSM grid drawn around it."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from _osm import osm_xml

from cli import main
from geo._data import DATA_DIR

LEDGER = DATA_DIR / "examples" / "synthetic-ledger-xinxiang.csv"
# 卫滨区's south-east of the synthetic ledger, WGS84: 幸小区 and five others lie in it.
LON0, LAT0, STEP_LON, STEP_LAT, SIZE = 113.845, 35.265, 0.0011, 0.0009, 20


def _write_grid(path, *, stop: bool = False):
    """A footway grid ~100 m apart; every third node a crossing, two with lowered kerbs."""
    import pyproj

    # The scene helper places nodes in EPSG:4547 metres; here nodes are placed by lon/lat.
    to_m = pyproj.Transformer.from_crs("EPSG:4326", 4547, always_xy=True)
    nodes, ways = {}, {}
    for i in range(SIZE):
        for j in range(SIZE):
            x, y = to_m.transform(LON0 + i * STEP_LON, LAT0 + j * STEP_LAT)
            tags = {}
            if i % 3 == 0 and j % 3 == 0:
                tags = {"highway": "crossing"}
                if (i, j) in ((3, 3), (12, 12)):
                    tags["kerb"] = "lowered"
            if stop and (i, j) == (10, 10):
                tags = {"highway": "bus_stop", "wheelchair": "yes", "name": "幸站"}
            nodes[1 + i * SIZE + j] = (x - 500_000.0, y - 3_896_000.0, tags)
    for i in range(SIZE):
        ways[10_000 + i] = ([1 + i * SIZE + j for j in range(SIZE)], {"highway": "footway"})
        ways[20_000 + i] = ([1 + j * SIZE + i for j in range(SIZE)], {"highway": "footway"})
    return osm_xml(nodes, ways, path)


@pytest.fixture
def grid(tmp_path):
    return _write_grid(tmp_path / "grid.osm"), tmp_path


def test_site_writes_the_chosen_ramps_and_one_json_line(grid, capsys):
    osm, folder = grid
    out = folder / "sites.geojson"
    args = ["site", "--projects", str(LEDGER), "--network", str(osm), "--count", "3"]
    args += ["--radius", "300", "--profile", "wheelchair", "--out", str(out)]
    assert main(args) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    summary = json.loads(lines[-1])
    assert summary["status"] == "optimal" and summary["gap"] == 0.0
    assert summary["type"] == "curb_ramp" and summary["profile"] == "wheelchair"
    assert summary["communities"] == 26 and summary["existing"] == 2
    assert summary["candidates"] == 49 - 2
    assert 0 < summary["communities_unplaced"] < 26
    assert summary["covered_greedy"] <= summary["covered_optimum"] <= summary["households_total"]
    sites = gpd.read_file(out)
    assert len(sites) == summary["chosen"] <= 3
    assert sites["order"].tolist() == list(range(1, len(sites) + 1))
    assert sites["chosen"].all() and sites["name"].str.startswith("node/").all()
    assert sites["adds_households"].sum() == pytest.approx(summary["gained_optimum"])
    assert (np.diff(sites["adds_households"]) <= 0).all()


def test_site_takes_candidate_and_existing_files(grid, capsys):
    osm, folder = grid
    candidates = gpd.GeoDataFrame(
        {"名称": ["幸小区东口", "远处"]},
        geometry=gpd.points_from_xy([113.8508, 113.70], [35.2788, 35.10]),
        crs="EPSG:4326",
    )
    candidates.to_file(folder / "candidates.geojson")
    existing = gpd.GeoDataFrame(geometry=gpd.points_from_xy([113.855], [35.270]), crs=4326)
    existing.to_file(folder / "existing.geojson")
    out = folder / "sites.geojson"
    args = ["site", "--projects", str(LEDGER), "--network", str(osm), "--count", "2"]
    args += [
        "--radius",
        "300",
        "--profile",
        "walk",
        "--candidates",
        str(folder / "candidates.geojson"),
    ]
    args += ["--existing", str(folder / "existing.geojson"), "--all-candidates", "--out", str(out)]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["candidates"] == 2 and summary["candidates_off_network"] == 1
    sites = gpd.read_file(out)
    assert sites["name"].tolist() == ["幸小区东口", "远处"]
    assert sites["chosen"].tolist() == [True, False]
    assert sites["adds_households"].iloc[0] >= 352  # 幸小区 stands 10 m from it


def test_site_stopped_by_its_time_limit_says_so_and_gives_the_gap(grid, capsys):
    osm, folder = grid
    out = folder / "sites.geojson"
    args = ["site", "--projects", str(LEDGER), "--network", str(osm), "--count", "3"]
    args += ["--radius", "300", "--time-limit", "0", "--out", str(out)]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["status"] == "time_limit"
    assert summary["covered_greedy"] <= summary["covered_optimum"] <= summary["bound"]
    assert summary["gap"] == pytest.approx(
        (summary["bound"] - summary["covered_optimum"]) / summary["bound"]
    )
    assert len(gpd.read_file(out)) == summary["chosen"]


def test_site_weighs_the_households_of_completed_communities(grid, capsys):
    from geo import records

    osm, folder = grid
    out = folder / "sites.geojson"
    args = ["site", "--projects", str(LEDGER), "--network", str(osm), "--count", "2"]
    args += ["--radius", "300", "--weigh", "renovated_households", "--out", str(out)]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    projects = records.read_ledger(LEDGER).projects
    completed = projects.loc[projects["status"] == "completed", "households"].sum()
    assert summary["weigh"] == "renovated_households"
    assert summary["households_total"] == completed < projects["households"].sum()
    assert summary["communities_without_weight"] == projects["status"].isna().sum()


def test_site_reads_candidates_in_the_datum_given(grid, capsys):
    from geo import crs

    osm, folder = grid
    # 幸小区's east gate as Amap (GCJ-02) gives it: written back in WGS84.
    lon, lat = crs.wgs84_to_gcj02(113.8508, 35.2788)
    feature = {"type": "Feature", "properties": {"名称": "东口"}}
    feature["geometry"] = {"type": "Point", "coordinates": [lon, lat]}
    collection = {"type": "FeatureCollection", "features": [feature]}
    (folder / "amap.geojson").write_text(json.dumps(collection), encoding="utf-8")
    out = folder / "sites.geojson"
    args = ["site", "--projects", str(LEDGER), "--network", str(osm), "--count", "1"]
    args += ["--radius", "300", "--candidates", str(folder / "amap.geojson")]
    args += ["--sites-crs", "gcj02", "--out", str(out)]
    assert main(args) == 0
    (point,) = gpd.read_file(out).geometry
    assert (point.x, point.y) == pytest.approx((113.8508, 35.2788), abs=1e-5)


def test_site_refuses_a_wrong_suffix(grid, capsys):
    osm, folder = grid
    args = ["site", "--projects", str(LEDGER), "--network", str(osm), "--count", "1"]
    assert main([*args, "--radius", "300", "--out", str(folder / "x.csv")]) == 2
    assert "Expected --out to end in .geojson" in capsys.readouterr().err


def test_priorities_writes_the_pages_file_for_the_planned_rows_of_the_ledger(tmp_path, capsys):
    from geo import priorities, records
    from layers.priorities import ranked_file

    out = tmp_path / "priorities.csv"
    args = ["priorities", "--projects", str(LEDGER), "--preset", "safety", "--out", str(out)]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    written = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False, dtype=str)
    assert summary["ranked"] == len(written) == 5 and summary["among"] == "planned"
    assert summary["rows"] == 26 and summary["quarantined"] == 5
    # The shipped ledger has households only: every other part is said to have no data.
    assert summary["parts_without_data"] == ["age", "access_gap", "life_circle_gap", "consent"]
    # The very table the 优先 page downloads: its worded headers, the same cells.
    ranked = priorities.rank(records.read_ledger(LEDGER).projects, preset="safety")
    page = ranked_file(ranked, priorities.PRESETS["safety"], "zh")
    assert written.columns.tolist() == page.columns.tolist()
    assert written.columns[:3].tolist() == ["名次", "并列", "小区"]
    assert written["小区"].tolist() == page["小区"].tolist()
    assert (
        written["得分构成"].iloc[0] == "户数 1.00 × 权重 20% → 得分 1.00（按有数据的权重 20% 折算）"
    )
    everyone = tmp_path / "all.xlsx"
    assert (
        main(["priorities", "--projects", str(LEDGER), "--among", "all", "--out", str(everyone)])
        == 0
    )
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["ranked"] == 26


def test_priorities_ranks_a_list_of_candidates_whole_consent_in_words_read(tmp_path, capsys):
    listed = tmp_path / "候选小区.csv"
    listed.write_text(
        "小区名称,所属城市,所属区县,户数,建成年代,状态,居民意愿\n"
        "甲小区,新乡市,卫滨区,300,1985,完工,同意\n"
        "乙小区,新乡市,红旗区,120,90年代,,强烈\n"
        "丙小区,新乡市,牧野区,200,2001,计划,不同意\n"
        "丁小区,新乡市,牧野区,80,2001,计划,一般\n",
        encoding="utf-8",
    )
    out, report = tmp_path / "ranked.xlsx", tmp_path / "quarantine.csv"
    args = ["priorities", "--candidates", str(listed), "--lang", "en", "--out", str(out)]
    assert main([*args, "--report", str(report)]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["among"] == "all" and summary["ranked"] == 3
    assert summary["quarantined"] == 1 and summary["by_reason"] == {"consent_unread": 1}
    assert summary["consent_below_80"] == 1
    (sheet,) = pd.read_excel(out, sheet_name=None).values()
    assert sheet["Community"].tolist() == ["甲小区", "乙小区", "丙小区"]
    assert sheet["Residents' consent"].tolist() == [
        "Agreed (80 % reached)",
        "Strong wish",
        "Not agreed (below 80 %)",
    ]
    assert sheet["Residents' consent (0 to 1)"].tolist() == [0.8, 1.0, 0.0]
    refused = pd.read_csv(report, encoding="utf-8-sig")
    assert refused[["row", "reason", "居民意愿"]].values.tolist() == [[5, "consent_unread", "一般"]]


def test_priorities_takes_one_list_a_ledger_or_candidates(tmp_path, capsys):
    args = ["priorities", "--projects", str(LEDGER), "--candidates", str(LEDGER)]
    with pytest.raises(SystemExit):
        main([*args, "--out", str(tmp_path / "x.csv")])
    assert "not allowed with argument" in capsys.readouterr().err


def test_priorities_measures_the_candidates_on_the_extract_as_the_page_does(tmp_path, capsys):
    from geo import priorities, records

    osm = _write_grid(tmp_path / "grid.osm", stop=True)
    out = tmp_path / "ranked.csv"
    args = ["priorities", "--projects", str(LEDGER), "--among", "all", "--out", str(out)]
    assert main([*args, "--osm", str(osm)]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    # 卫滨区's south-east lies on the grid: those communities get both measured parts.
    assert summary["measured"]["access_gap"] > 0
    assert summary["measured"]["access_gap"] == summary["measured"]["life_circle_gap"]
    assert summary["unmeasured"] == {}
    assert "access_gap" not in summary["parts_without_data"]
    ranked = pd.read_csv(out, encoding="utf-8-sig")
    gap = ranked["无障碍公交站缺口（0 至 1）"]
    assert gap.notna().sum() == summary["measured"]["access_gap"]
    # The same numbers as the page's list: geo.priorities.measure_list on the same rows.
    rows = records.read_ledger(LEDGER).projects
    assert len(rows) > gap.notna().sum()
    assert main([*args]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["unmeasured"] == {"access_gap": "no_network", "life_circle_gap": "no_network"}
    assert summary["measured"] == {"access_gap": 0, "life_circle_gap": 0}
    assert priorities.MEASURED_PARTS == ("access_gap", "life_circle_gap")
