"""Tests of `atlas ingest`: one JSON line, the GeoPackage layers, exit codes."""

from __future__ import annotations

import json

import pandas as pd
import pyogrio
import pytest

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


def test_infra_then_coverage_write_counts_and_rfc7946_metrics(tmp_path, capsys):
    from geo._data import DATA_DIR

    survey = DATA_DIR / "examples" / "synthetic-survey-xinxiang.geojson"
    ledger = DATA_DIR / "examples" / "synthetic-ledger-xinxiang.csv"
    infra_out, projects = tmp_path / "infra.gpkg", tmp_path / "p.gpkg"
    covers = ["--covers", "卫滨区", "--covers", "红旗区", "--covers", "牧野区", "--city", "新乡"]
    assert main(["infra", str(survey), *covers, "--out", str(infra_out)]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["counts"]["sidewalk"] == 1496 - 1  # one 人行道 is a point: quarantined
    assert summary["counts"]["bus_stop"] == 121 + 104  # accessible stops are stops too
    assert summary["by_reason"] == {"unknown_type": 1, "wrong_geometry": 1}
    # One geometry type per layer (issue 18), which `atlas coverage` reads back together.
    assert dict(pyogrio.list_layers(infra_out)) == {
        "infra_points": "Point",
        "infra_lines": "LineString",
        "extent": "Polygon",
        "quarantine": None,
    }
    args = ["ingest", str(ledger), "--out", str(projects), "--report", str(tmp_path / "q.csv")]
    assert main(args) == 0
    out = tmp_path / "coverage.geojson"
    capsys.readouterr()
    args = ["coverage", "--infra", str(infra_out), "--projects", str(projects), "--out", str(out)]
    assert main([*args, "--radius", "300", "--radius", "800"]) == 0
    printed = json.loads(capsys.readouterr().out.strip())
    assert printed["districts"] == 12  # every district of 新乡市
    assert printed["status"]["tactile_rate"]["ok"] == 3
    document = json.loads(out.read_text(encoding="utf-8"))
    assert "crs" not in document  # RFC 7946: WGS84 only, no crs member
    props = {f["properties"]["district"]: f["properties"] for f in document["features"]}
    assert props["卫滨区"]["tactile_rate_status"] == "ok"
    assert 0 < props["卫滨区"]["tactile_rate"] <= 100
    assert props["延津县"]["tactile_rate"] is None
    assert props["延津县"]["tactile_rate_status"] == "outside_extent"
    assert "households_within_800m_accessible_bus_stop" in props["卫滨区"]


def test_the_cli_reads_back_a_survey_it_wrote_above_the_upload_caps(tmp_path, capsys, monkeypatch):
    # A 1M-feature survey is 232 MB as `atlas infra` writes it, over the 200 MiB upload cap:
    # here the caps are made smaller than this file instead.
    from geo import infra
    from geo._data import DATA_DIR
    from geo.errors import InputError
    from geo.io import sheets as _sheets
    from geo.io import vector as _vector

    survey = DATA_DIR / "examples" / "synthetic-survey-xinxiang.geojson"
    written = tmp_path / "infra.gpkg"
    assert main(["infra", str(survey), "--out", str(written)]) == 0
    size = written.stat().st_size
    monkeypatch.setattr(_vector, "MAX_UNPACKED_BYTES", size // 4)
    monkeypatch.setattr(_sheets, "MAX_FILE_BYTES", size // 4)
    counts = json.loads(capsys.readouterr().out)["counts"]
    # What `atlas coverage`, `atlas map --infra` and `atlas reach --infra` read it with.
    assert infra.read_infra(written).counts() == counts
    # `atlas coverage` itself, the command that refused a 232 MB survey it had written.
    covered = tmp_path / "coverage.geojson"
    assert main(["coverage", "--infra", str(written), "--out", str(covered)]) == 0
    assert json.loads(capsys.readouterr().out)["districts"] > 0
    # The same bytes as an upload (the app's infrastructure page reads them so) are refused.
    with pytest.raises(InputError, match="Expected a file of at most"):
        infra.read_infra(written.read_bytes(), name="infra.gpkg")
    monkeypatch.setattr(_sheets, "MAX_FILE_BYTES", size * 4)
    with pytest.raises(InputError, match=f"Expected an upload of at most {size // 4} bytes"):
        infra.read_infra(written.read_bytes(), name="infra.gpkg")


def test_coverage_of_data_outside_china_exits_2(tmp_path, capsys):
    osm = tmp_path / "x.osm"
    osm.write_text(
        '<?xml version="1.0"?><osm version="0.6"><node id="1" lat="52.5" lon="13.4">'
        '<tag k="kerb" v="lowered"/></node></osm>',
        encoding="utf-8",
    )
    out = tmp_path / "i.gpkg"
    assert main(["infra", str(osm), "--out", str(out)]) == 0
    assert main(["coverage", "--infra", str(out), "--out", str(tmp_path / "c.geojson")]) == 2
    assert "covers no county-level district" in capsys.readouterr().err


# --- output paths (issue 17): one line, exit 2, nothing half-written -------------------------

import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402

from geo._data import DATA_DIR  # noqa: E402

EXAMPLE_LEDGER = DATA_DIR / "examples" / "synthetic-ledger-xinxiang.csv"
EXAMPLE_SURVEY = DATA_DIR / "examples" / "synthetic-survey-xinxiang.geojson"


def _mount(folder, options: str):
    """A tmpfs at ``folder`` (root only): the way to a full disk or a read-only folder."""
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)])
    if done.returncode != 0:
        pytest.skip("this machine cannot mount a tmpfs")
    return folder


@pytest.fixture
def tiny_disk(tmp_path):
    folder = _mount(tmp_path / "disk", "size=64k")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture
def read_only(tmp_path):
    folder = _mount(tmp_path / "ro", "ro,size=64k")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


def _commands(tmp_path, out):
    """One command line per writing command, each writing ``out`` (suffix chosen by it)."""
    infra_gpkg = tmp_path / "infra-in.gpkg"
    if not infra_gpkg.exists():
        assert main(["infra", str(EXAMPLE_SURVEY), "--out", str(infra_gpkg)]) == 0
    report = tmp_path / "q.csv"
    return {
        "export": ["export", "--city", "新乡市", "--out", f"{out}.geojson"],
        "ingest": ["ingest", str(EXAMPLE_LEDGER), "--out", f"{out}.gpkg", "--report", str(report)],
        "ingest --report": ["ingest", str(EXAMPLE_LEDGER), "--out", str(tmp_path / "p.gpkg"),
                            "--report", f"{out}.xlsx"],
        "infra": ["infra", str(EXAMPLE_SURVEY), "--out", f"{out}.gpkg"],
        "coverage": ["coverage", "--infra", str(infra_gpkg), "--out", f"{out}.geojson"],
        "map": ["map", "--city", "新乡市", "--out", f"{out}.html"],
    }  # fmt: skip


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize(
    "command", ["export", "ingest", "ingest --report", "infra", "coverage", "map"]
)
def test_a_missing_output_folder_is_one_line_before_any_work(tmp_path, capsys, command):
    args = _commands(tmp_path, tmp_path / "no" / "such" / "out")[command]
    capsys.readouterr()
    assert main(args) == 2
    err = _one_line(capsys)
    assert "does not exist" in err and "Fix: pass another path to the output option." in err
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("command", ["export", "ingest", "infra", "coverage", "map"])
def test_a_full_disk_is_one_line_and_leaves_no_file(tmp_path, tiny_disk, capsys, command):
    args = _commands(tmp_path, tiny_disk / "out")[command]
    capsys.readouterr()
    assert main(args) == 2
    err = _one_line(capsys)
    assert "the disk is full" in err, err
    assert list(tiny_disk.iterdir()) == []  # no half file, no temporary file


def test_a_read_only_folder_is_refused_before_any_work(tmp_path, read_only, capsys):
    args = _commands(tmp_path, read_only / "out")["ingest"]
    capsys.readouterr()
    assert main(args) == 2
    assert "is not writable" in _one_line(capsys)


def test_a_device_as_output_is_refused_and_left_alone(tmp_path, capsys):
    args = [
        "ingest",
        str(EXAMPLE_LEDGER),
        "--out",
        str(tmp_path / "p.gpkg"),
        "--report",
        "/dev/full",
    ]
    assert main(args) == 2
    assert "is not a regular file" in _one_line(capsys)
    assert not os.path.isfile("/dev/full")  # never replaced by a renamed file


def test_an_output_that_is_the_input_is_refused_and_the_input_kept(tmp_path, capsys):
    ledger = tmp_path / "台账.csv"
    ledger.write_bytes(EXAMPLE_LEDGER.read_bytes())
    before = ledger.read_bytes()
    assert (
        main(["ingest", str(ledger), "--out", str(tmp_path / "p.gpkg"), "--report", str(ledger)])
        == 2
    )
    assert "which is the input ledger" in _one_line(capsys)
    assert ledger.read_bytes() == before
    same = str(tmp_path / "x.csv")
    assert main(["ingest", str(ledger), "--out", str(tmp_path / "p.gpkg"), "--report", same,
                 "--reconcile", same]) == 2  # fmt: skip
    assert "to be different files" in _one_line(capsys)


def test_an_existing_output_is_replaced_only_whole(tmp_path, capsys):
    out = tmp_path / "p.gpkg"
    out.write_bytes(b"old")
    args = ["ingest", str(EXAMPLE_LEDGER), "--out", str(out), "--report", str(tmp_path / "q.csv")]
    assert main(args) == 0
    assert out.read_bytes().startswith(b"SQLite format 3")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.gpkg", "q.csv"]  # no temp files


def test_an_unreadable_input_is_one_line(tmp_path, capsys):
    assert (
        main(
            [
                "ingest",
                str(tmp_path),
                "--out",
                str(tmp_path / "p.gpkg"),
                "--report",
                str(tmp_path / "q.csv"),
            ]
        )
        == 2
    )
    assert "is a folder or a device" in _one_line(capsys)


def test_each_command_is_registered_by_the_module_the_cli_imports_for_it():
    """`atlas report …` imports cli.report alone: the map of names must be what they add."""
    import argparse
    import importlib

    from cli import COMMANDS, _parser

    for module, commands in COMMANDS.items():
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(f"cli.{module}").add_commands(sub)
        assert tuple(sub.choices) == commands, module
    everything = _parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert list(everything) == [name for names in COMMANDS.values() for name in names]
    only = _parser("report")._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert list(only) == ["report"]


def test_a_command_runs_without_importing_the_other_commands():
    import subprocess
    import sys

    code = (
        "import sys; from cli import main; main(['resolve', '卫滨区', '--city', '新乡市']);"
        "print(sorted(m for m in sys.modules if m.startswith('cli.') or m == 'mapclassify'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "['cli._common', 'cli.places']"
