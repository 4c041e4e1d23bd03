"""Tests of `atlas ingest`: one JSON line, the GeoPackage layers, exit codes."""

from __future__ import annotations

import json

import pandas as pd
import pyogrio

from cli import main

LEDGER = (
    "小区名称,所属区县,所属城市,改造年度,户数,经度,纬度,坐标系\n"
    "幸福小区,卫滨区,新乡,2023,120,113.8687,35.3017,gcj02\n"
    "和平小区,红旗区,新乡,2023,约80,,,\n"
    '=HYPERLINK("http://x"),卫滨区,新乡,2023,10,,,\n'
)


def test_ingest_prints_one_json_line_and_writes_every_layer(tmp_path, capsys):
    ledger = tmp_path / "台账.csv"
    ledger.write_text(LEDGER, encoding="gbk")
    out, report, table = tmp_path / "p.gpkg", tmp_path / "q.csv", tmp_path / "r.xlsx"
    args = ["ingest", str(ledger), "--out", str(out), "--report", str(report)]
    assert main([*args, "--reconcile", str(table)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert json.loads(lines[-1]) == {
        "rows": 3,
        "clean": 2,
        "quarantined": 1,
        "by_reason": {"approximate_number": 1},
    }
    layers = dict(pyogrio.list_layers(out))
    assert layers == {"projects": "Point", "quarantine": None, "reconciliation": None}
    projects = pyogrio.read_dataframe(out, layer="projects")
    assert projects.crs.to_epsg() == 4326
    assert projects["adcode"].tolist() == ["410703", "410703"]
    assert projects.geometry.isna().tolist() == [False, True]  # district-only: no point
    quarantine = pd.read_csv(report, encoding="utf-8-sig", dtype=str)
    assert quarantine[["row", "reason", "户数"]].values.tolist() == [
        ["3", "approximate_number", "约80"]
    ]
    assert table.stat().st_size > 0


def test_a_ledger_that_cannot_be_read_exits_2_with_the_fix(tmp_path, capsys):
    ledger = tmp_path / "l.csv"
    ledger.write_text("小区名称,所属区县,经度,纬度\n甲,卫滨区,113.87,35.30\n", encoding="utf-8")
    args = ["ingest", str(ledger), "--out", str(tmp_path / "p.gpkg"), "--report", "q.csv"]
    assert main(args) == 2
    assert "pass --crs wgs84|cgcs2000|gcj02|bd09" in capsys.readouterr().err
    assert main(["ingest", str(tmp_path / "none.csv"), "--out", "p.gpkg", "--report", "q"]) == 2
    assert "does not exist" in capsys.readouterr().err
