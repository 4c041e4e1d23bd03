"""`atlas db`, `--save`, `datasets`, `history`, `diff` and `--dataset`, on both back ends."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy import event
from sqlalchemy.engine import Engine

from store import _decoded

from .conftest import LEDGER, SURVEY, monthly_ledger


def test_ingest_save_then_history_datasets_and_diff(atlas, tmp_path):
    status, lines, _ = atlas("ingest", str(LEDGER), "--crs", "gcj02", "--save", "--dataset", "xx")
    assert status == 0
    assert lines == [
        {
            "rows": 31,
            "clean": 26,
            "quarantined": 5,
            "by_reason": {
                "approximate_number": 1,
                "duplicate_conflict": 2,
                "swapped_lon_lat": 1,
                "total_row": 1,
            },
            "dataset": "xx",
            "version": 1,
        }
    ]
    month = monthly_ledger(tmp_path)
    status, lines, _ = atlas("ingest", str(month), "--crs", "gcj02", "--save", "--dataset", "xx")
    assert (status, lines[0]["version"]) == (0, 2)
    status, lines, _ = atlas("history", "xx")
    assert [(v["version"], v["saved_by"], v["covers"]) for v in lines] == [
        (1, "clerk", ["410702", "410703", "410704", "410711", "410771"]),
        (2, "clerk", ["410703"]),
    ]
    status, lines, _ = atlas("datasets")
    assert [(d["name"], d["kind"], d["versions"]) for d in lines] == [("xx", "ledger", 2)]
    status, lines, _ = atlas("diff", "xx", "1", "2")
    assert status == 0
    weibin = [c for c in lines[:-1] if c["adcode"] == "410703"]
    assert [(c["change"], c["name"], c["columns"]) for c in weibin] == [
        ("added", "新建小区", ""),
        ("changed", "幸小区", "status, households, finish_date"),
        ("removed", "福东小区", ""),
    ]
    # By default only the districts v2 covers: exactly what saving it changed.
    assert {c["adcode"] for c in lines[:-1]} == {"410703"}
    assert lines[-1] == {"added": 1, "removed": 1, "changed": 1}
    # Whole versions: v2 holds only 卫滨区, so every other district's row is "removed".
    status, lines, _ = atlas("diff", "xx", "1", "2", "--every-district")
    assert lines[-1] == {"added": 1, "removed": 1 + 26 - 8, "changed": 1}


def test_export_and_map_read_communities_from_the_workspace(atlas, tmp_path):
    atlas("ingest", str(LEDGER), "--crs", "gcj02", "--save", "--dataset", "xx")
    atlas("infra", str(SURVEY), "--save", "--dataset", "survey")
    out = tmp_path / "p.geojson"
    status, lines, _ = atlas("export", "--city", "新乡市", "--dataset", "xx@1", "--out", str(out))
    assert (status, lines) == (0, [{"out": str(out), "communities": 26}])
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert sorted({f["properties"]["adcode"] for f in features}) == [
        "410702",
        "410703",
        "410704",
        "410711",
        "410771",
    ]
    html = tmp_path / "m.html"
    status, lines, _ = atlas(
        "map", "--city", "新乡", "--dataset", "xx", "--dataset", "survey", "--out", str(html)
    )
    assert status == 0 and lines[0]["bytes"] > 500_000
    assert "幸小区" in html.read_text(encoding="utf-8")


def _city_ledger(folder, city: str) -> Path:
    """Two communities in each of ``city``'s first two districts, as a WGS84 ledger file."""
    from geo import boundaries

    districts = boundaries.load_boundaries("district")
    districts = districts[districts["city"] == city].sort_values("adcode").iloc[:2]
    header = "小区名称,所属城市,所属区县,改造年度,户数,状态,经度,纬度,坐标系"
    lines = [header]
    for i, row in enumerate(districts.itertuples()):
        for j, point in enumerate(shapely.points(_inner_points(row.geometry, 2))):
            name = f"{row.district}{i}{j}号小区"
            lines.append(
                f"{name},{city},{row.district},2023,{100 + j},完工,{point.x},{point.y},wgs84"
            )
    path = folder / f"{city}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _inner_points(outline, n: int):
    """``n`` distinct points well inside ``outline``."""
    centre = shapely.get_coordinates(shapely.point_on_surface(outline))[0]
    inner = shapely.buffer(shapely.points(centre), 0.001)
    assert outline.contains(inner)
    return [centre + np.array([0.0002 * k, 0.0]) for k in range(n)]


@contextlib.contextmanager
def _statements():
    """Every SQL statement any engine runs inside the block, as a list of their texts."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def test_export_and_map_of_a_province_or_all_china_read_the_workspace_once(atlas, tmp_path):
    # Each city saves its own ledger (its own version): the reads must not grow with them.
    cities = ("新乡市", "焦作市", "开封市", "许昌市")
    out, html = tmp_path / "p.geojson", tmp_path / "m.html"
    counts: dict[str, list[int]] = {"export": [], "map": []}
    for saved, city in enumerate(cities, start=1):
        status, lines, _ = atlas(
            "ingest", str(_city_ledger(tmp_path, city)), "--save", "--dataset", "xx"
        )
        assert (status, lines[0]["clean"], lines[0]["version"]) == (0, 4, saved)
        for where in (["--province", "河南"], ["--all"]):
            _decoded.SHARED.clear()  # each command a process of its own, as from a shell
            with _statements() as seen:
                status, lines, _ = atlas("export", *where, "--dataset", "xx", "--out", str(out))
            assert (status, lines) == (0, [{"out": str(out), "communities": 4 * saved}])
            counts["export"].append(len(seen))
            # The rows come from one statement reading every version's snapshot at once.
            assert sum("snapshots" in s for s in seen) == 1
        _decoded.SHARED.clear()
        with _statements() as seen:
            status, lines, _ = atlas(
                "map", "--province", "河南省", "--dataset", "xx", "--out", str(html)
            )
        assert status == 0
        counts["map"].append(len(seen))
    # The same statements for one city's version as for four cities' (export: --province,
    # then --all, each time).
    assert len(set(counts["export"])) == 1 and len(set(counts["map"])) == 1, counts
    text = html.read_text(encoding="utf-8")
    names = [
        line.split(",")[0]
        for c in cities
        for line in _city_ledger(tmp_path, c).read_text(encoding="utf-8").splitlines()[1:]
    ]
    assert [n for n in names if n not in text] == []
    status, lines, _ = atlas("export", "--province", "河北", "--dataset", "xx", "--out", str(out))
    assert (status, lines) == (0, [{"out": str(out), "communities": 0}])


def test_a_ledger_whose_file_name_is_gbk_bytes_is_saved_under_its_name(atlas, tmp_path):
    # A name from a Chinese Windows share: 台账.csv in GBK, which Python gives as surrogates.
    path = tmp_path / os.fsdecode("台账.csv".encode("gbk"))
    path.write_bytes(LEDGER.read_bytes())
    status, lines, err = atlas("ingest", str(path), "--crs", "gcj02", "--save")
    assert (status, err, lines[0]["dataset"]) == (0, "", "台账")
    status, lines, _ = atlas("history", "台账")
    assert lines[0]["file_name"] == "台账.csv"


def test_db_status_backup_and_restore(atlas, tmp_path, monkeypatch):
    atlas("ingest", str(LEDGER), "--crs", "gcj02", "--save", "--dataset", "xx")
    status, lines, _ = atlas("db", "status")
    assert lines[0]["state"] == "ok" and lines[0]["datasets"] == 1
    backup = tmp_path / "b.sqlite"
    status, lines, _ = atlas("db", "backup", str(backup))
    assert lines == [{"backup": str(backup), "datasets": 1, "versions": 1, "rows": 31}]
    monkeypatch.setenv("ATLAS_DATABASE_URL", f"sqlite:///{tmp_path / 'new.sqlite'}")
    status, _, err = atlas("db", "restore", str(backup))
    assert (status, err) == (
        2,
        f"atlas db: Expected a workspace file at {tmp_path / 'new.sqlite'}; there is none. Run "
        "`atlas db init` to create an empty workspace there, or set ATLAS_DATA_DIR to the "
        "folder that holds atlas.sqlite (or ATLAS_DATABASE_URL to a team server).\n",
    )
    status, lines, _ = atlas("db", "init")
    assert (status, lines[0]["created"]) == (0, True)
    status, lines, _ = atlas("db", "restore", str(backup))
    assert (status, lines[0]["versions"]) == (0, 1)
    status, lines, _ = atlas("history", "xx")
    assert lines[0]["sha256"] == "7cbd7bdf749066fa2d203e18b096649eda5e15feb5ff18ed42618cfc24fea519"


def test_workspace_errors_are_one_line_and_exit_2(atlas, monkeypatch):
    status, lines, err = atlas("history", "nope")
    assert (status, lines) == (2, [])
    assert err.startswith("atlas history: No dataset 'nope' in the workspace")
    assert "Traceback" not in err and len(err.splitlines()) == 1
    status, _, err = atlas("ingest", str(LEDGER), "--crs", "gcj02")
    assert (status, err) == (
        2,
        "atlas ingest: Expected --out and --report, or --save to keep it in the workspace, "
        "or both.\n",
    )
    monkeypatch.setenv("ATLAS_DATABASE_URL", "postgresql://atlas@127.0.0.1:1/atlas")
    status, _, err = atlas("datasets")
    assert status == 2 and err.startswith(
        "atlas datasets: Cannot reach the workspace server postgresql://atlas@127.0.0.1:1/atlas"
    )
