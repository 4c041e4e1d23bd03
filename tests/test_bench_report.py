"""Tests for bench/report.py: a small run's JSON becomes RESULTS.md, its targets and plots."""

from __future__ import annotations

import json
import os

import pytest

from bench import __main__ as bench_main
from bench import report


def _peer(seconds: float, **extra) -> dict:
    return {"median_s": seconds, "runs_s": [seconds, seconds * 1.1], "error": None, **extra}


def _case(name: str, size: int, **peers) -> dict:
    return {"case": name, "size": size, "peers": peers}


def _job(job: str, *cases, **extra) -> dict:
    return {"job": job, "title": f"The {job} job", "cases": list(cases), **extra}


def small_run() -> dict:
    """One case of every job the targets read, with made-up times (not a measurement)."""
    return {
        "name": "2026-01-01",
        "date": "2026-01-01T10:00",
        "mode": "moderate",
        "command": "python -m bench",
        "repeat": 2,
        "machine": {
            "cpu": "test",
            "cores": 2,
            "memory_gib": 4,
            "system": "Linux",
            "python": "3.11",
        },
        "versions": {"shapely": "2.1"},
        "qgis": "left out (--no-qgis)",
        "load": {"start": [0.5, 0.5, 0.5], "end": [1.0, 0.8, 0.6]},
        "seconds": 60.0,
        "jobs": [
            _job(
                "assign",
                _case(
                    "seed-box-1m",
                    1_000_000,
                    atlas=_peer(0.2),
                    **{"geopandas.sjoin": _peer(2.0), "duckdb": _peer(6.0)},
                ),
                extra={"grid_build_s": 2.5, "grid_read_s": 0.07},
            ),
            _job(
                "proximity",
                _case(
                    "seed-10k",
                    10_000,
                    atlas=_peer(0.01),
                    **{"geopandas.sjoin_nearest": _peer(0.025)},
                ),
            ),
            _job(
                "osm_import",
                _case("paris.osm.pbf", 90_146, atlas=_peer(0.3), **{report.OSM_FLOOR: _peer(0.25)}),
                _case(
                    "neukolln.osm",
                    1_466_704,
                    atlas=_peer(0.4),
                    **{report.OSM_FLOOR: _peer(0.2), report.OSM_CHECK: _peer(0.1)},
                ),
            ),
            _job(
                "ledger",
                _case(
                    "seed-10k",
                    10_000,
                    atlas=_peer(0.2, rows_per_s=50_000),
                    **{report.LEDGER_FLOOR: _peer(0.08)},
                ),
            ),
            _job(
                "mapbuild",
                {
                    **_case("all China", 1_000_000, atlas=_peer(0.5, payload_bytes=1_000_000)),
                    "payload_bytes": 1_000_000,
                    "unit": "bytes",
                },
                limit_bytes=2 * 2**20,
            ),
            _job("app", _case("rerun, no ledger", 0, atlas=_peer(0.1))),
            _job(
                "network",
                _case(
                    "city-100k",
                    100_000,
                    atlas=_peer(0.1, nodes=10, edges=20),
                    **{"osmnx + networkx": _peer(2.0), "pandana": _peer(0.05)},
                ),
            ),
            _job("store", _case("save-100k", 100_000, atlas=_peer(1.0, rows_per_s=100_000))),
            _job(
                "national",
                _case(
                    "ingest 300k",
                    296_910,
                    atlas=_peer(30.0),
                    **{"read_csv + sjoin + GPKG write": _peer(10.0)},
                ),
                _case("reconcile 300k", 296_910, atlas=_peer(2.4)),
                _case("coverage 500k", 500_000, atlas=_peer(75.0)),
                {
                    **_case("map payload: all China + 300k communities", 296_910, atlas=_peer(3)),
                    "payload_bytes": 3 * 2**20,
                },
                limit_bytes=2 * 2**20,
            ),
        ],
    }


def test_every_target_is_listed_with_what_was_measured():
    rows = report.targets(small_run())
    found = {target: (measured, met) for target, measured, met in rows}
    assert found["network city-100k ≥ 10× faster than osmnx + networkx"] == ("20.0×", True)
    assert found["network city-100k within 3× of pandana"] == ("0.5× (pandana ÷ atlas)", True)
    assert found["proximity seed-10k ≥ 2× faster than geopandas.sjoin_nearest"] == ("2.50×", True)
    assert found["OSM import paris.osm.pbf within 1.5× of GDAL's own read"] == (
        "1.20× the floor",
        True,
    )
    # The check atlas makes and the floor does not is counted, and said.
    assert found["OSM import neukolln.osm within 1.5× of GDAL's own read"] == (
        "2.00× the floor, 25% of it the whole-file check no peer makes",
        False,
    )
    assert found["save-100k ≥ 50,000 rows/s"] == ("100,000 rows/s", True)
    assert found["ledger import seed-10k ≥ 0.43× its floor"] == ("0.40× (floor ÷ atlas)", False)
    assert found["map payload ≤ 2 MB: all China"] == ("0.95 MB", True)
    assert found["ingest 300k within 4× of read_csv + sjoin + GPKG write"] == (
        "3.0× the floor",
        True,
    )
    assert found["reconcile ≤ 10 % of the 300k ingest"] == ("8.0% of the ingest", True)
    assert found["atlas coverage, 500k features, all China ≤ 60 s"] == ("75.0 s", False)
    assert found["map payload: all China + 300k communities ≤ 2 MB"] == ("3.00 MB", False)


def test_a_saved_run_rewrites_results_md_and_its_plots(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    # The repository's RESULTS.md and plots stay as they are: the run writes beside tmp_path.
    monkeypatch.setattr(report, "BENCH", tmp_path / "bench")
    monkeypatch.setattr(report, "RESULTS", tmp_path / "bench" / "results")
    monkeypatch.setattr(report, "RESULTS_MD", tmp_path / "bench" / "RESULTS.md")
    (tmp_path / "bench" / "results").mkdir(parents=True)
    saved = tmp_path / "bench" / "results" / "2026-01-01.json"
    saved.write_text(json.dumps(small_run(), ensure_ascii=False), encoding="utf-8")
    assert bench_main._rewrite(saved) == 0
    text = (tmp_path / "bench" / "RESULTS.md").read_text(encoding="utf-8")
    assert "| network city-100k ≥ 10× faster than osmnx + networkx | 20.0× | yes |" in text
    assert (tmp_path / "bench" / "results" / "plot-assign.png").stat().st_size > 0
    assert (tmp_path / "bench" / "results" / "plot-jobs.png").stat().st_size > 0


def test_every_job_names_its_table():
    # RESULTS.md heads each job's table with its title (the batch job had none: no RESULTS.md).
    for job in bench_main.JOBS:
        assert bench_main._module(job).TITLE


def _runs_folder(tmp_path, monkeypatch) -> tuple:
    """A moderate run with ``national`` empty, and a later and an earlier run that measured it."""
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(report, "BENCH", tmp_path / "bench")
    monkeypatch.setattr(report, "RESULTS", tmp_path / "bench" / "results")
    monkeypatch.setattr(report, "RESULTS_MD", tmp_path / "bench" / "RESULTS.md")
    folder = tmp_path / "bench" / "results"
    folder.mkdir(parents=True)
    moderate = small_run()
    national = report._job(moderate, "national")
    moderate["jobs"] = [j for j in moderate["jobs"] if j["job"] != "national"]
    moderate["jobs"].append(_job("national", note="run with --full"))
    for name, date, coverage in (
        ("2025-12-31-full-national", "2025-12-31T10:00", 90.0),
        ("2026-01-02-full-national", "2026-01-02T08:00", 40.0),
        ("2026-01-03-full-national-failed", "2026-01-03T08:00", 1.0),
    ):
        job = national | {"cases": [_case("coverage 500k", 500_000, atlas=_peer(coverage))]}
        run = small_run() | {"name": name, "date": date, "mode": "full", "jobs": [job]}
        (folder / f"{name}.json").write_text(json.dumps(run), encoding="utf-8")
    saved = folder / "2026-01-01.json"
    saved.write_text(json.dumps(moderate), encoding="utf-8")
    return saved, moderate


def test_a_job_the_run_left_empty_comes_from_the_newest_run_that_measured_it(tmp_path, monkeypatch):
    saved, moderate = _runs_folder(tmp_path, monkeypatch)
    shown = report.with_earlier_runs(moderate)
    national = report._job(shown, "national")
    # The newest run that measured it, not the older one, nor a failed one.
    assert national["from"]["name"] == "2026-01-02-full-national"
    assert national["from"]["why"] == "run with --full"
    found = {target: (text, met) for target, text, met in report.targets(shown)}
    assert found["atlas coverage, 500k features, all China ≤ 60 s"] == (
        "40.0 s (run of 2026-01-02T08:00, `2026-01-02-full-national.json`)",
        True,
    )
    # The jobs this run measured stay its own: no origin beside their targets.
    assert found["save-100k ≥ 50,000 rows/s"] == ("100,000 rows/s", True)
    assert "from" not in report._job(shown, "store")
    # RESULTS.md shows the table and says where it came from.
    assert bench_main._rewrite(saved) == 0
    text = (tmp_path / "bench" / "RESULTS.md").read_text(encoding="utf-8")
    assert "| coverage 500k | 500,000 | **atlas** | 40.0 |" in text
    assert "Not measured by this run (run with --full)" in text
    assert "`bench/results/2026-01-02-full-national.json`" in text


def test_a_run_that_measured_every_job_is_shown_as_it_is(tmp_path, monkeypatch):
    _runs_folder(tmp_path, monkeypatch)
    run = small_run()
    assert report.with_earlier_runs(run) is run


def test_the_app_jobs_run_on_a_workspace_of_their_own_and_leave_the_environment(monkeypatch):
    from bench.timing import environ, scratch_workspace
    from store import Workspace

    monkeypatch.setenv("ATLAS_DATABASE_URL", "postgresql://nowhere/planner")
    monkeypatch.delenv("ATLAS_AUTH", raising=False)
    before = dict(os.environ)
    with scratch_workspace() as folder:
        assert "ATLAS_DATABASE_URL" not in os.environ
        assert os.environ["ATLAS_DATA_DIR"] == str(folder)
        with Workspace() as workspace:  # the app's own default: there, initialised, empty
            assert workspace.path == folder / "atlas.sqlite" and workspace.list_datasets() == []
        with environ(ATLAS_USER="bench", ATLAS_DATA_DIR=None):
            assert os.environ["ATLAS_USER"] == "bench" and "ATLAS_DATA_DIR" not in os.environ
        assert os.environ["ATLAS_DATA_DIR"] == str(folder) and "ATLAS_USER" not in os.environ
    assert dict(os.environ) == before and not folder.exists()


def test_the_store_bench_leaves_nothing_that_refuses_its_next_run(tmp_path):
    from bench.store import _Fresh

    for _ in range(2):  # the second run makes save-1.sqlite again, beside nothing of the first
        fresh = _Fresh("sqlite:///unused", tmp_path)
        fresh()
        assert fresh.workspace.list_datasets() == []
        fresh.close()
        assert list(tmp_path.iterdir()) == []
