"""
Run the benchmark suite: ``python -m bench [--full] [--repeat 5] [--jobs assign,ledger]``.

Writes the synthetic inputs it lacks (``bench/data/``), runs each job against its peers,
then ``bench/results/<date>.json`` (``<date>-full.json`` with ``--full``), the plots and
``bench/RESULTS.md``. A run of only some jobs writes ``bench/results/<date>-<jobs>.json``
and leaves RESULTS.md alone; a complete run shows a job it left empty (``national`` needs
``--full``) from the newest saved run that measured it, and says so. When a peer's answer
differs from the project's the run stops with exit status 1 and says where.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import sys
import time
from pathlib import Path

from bench import peers, report, synthetic
from bench.timing import Mismatch, load, machine, versions

JOBS = (
    "assign",
    "lengths",
    "proximity",
    "ledger",
    "osm_import",
    "mapbuild",
    "app",
    "network",
    "lifecircle",
    "store",
    "reports",
    "national",
    "batch",
)
_MODULES = {"app": "bench.app_speed"}


def _module(job: str):
    return importlib.import_module(_MODULES.get(job, f"bench.{job}"))


def _notes(job: dict, module) -> list[str]:
    """The job module's docstring (what is timed, and how), then figures of the run."""
    text = (module.__doc__ or "").strip().split("\n\n", 1)
    lines = text[1].splitlines() if len(text) > 1 else []
    extra = job.get("extra") or {}
    if "grid_build_s" in extra:
        lines += [
            "",
            f"The district grid is built once ({extra['grid_build_s']:.1f} s here) and saved "
            f"in the outline cache; a new process reads it in {extra['grid_read_s']:.2f} s.",
        ]
    for case in job["cases"]:
        if "by_reason" in case:
            lines += ["", f"{case['case']}: {case['clean']:,} clean, {case['quarantined']:,} "
                      f"quarantined {case['by_reason']}."]  # fmt: skip
        if "share_within_500m" in case:
            share, stops = case["share_within_500m"], case["stops"]
            lines += ["", f"{case['case']}: {share:.1%} of {case['size']:,} communities lie "
                      f"within 500 m of one of {stops:,} accessible stops."]  # fmt: skip
    return lines


def _rewrite(path: Path) -> int:
    """RESULTS.md and the plots again, from a complete run's JSON (no timing)."""
    record = json.loads(path.read_text(encoding="utf-8"))
    record = report.with_earlier_runs(record | {"name": path.stem}, path.parent)
    notes = {job["job"]: _notes(job, _module(job["job"])) for job in record["jobs"]}
    report.write_plots(record)
    print(f"wrote {report.write_markdown(record, notes).relative_to(report.BENCH.parent)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--full", action="store_true", help="every size, 1M rows included")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per peer and case")
    parser.add_argument("--jobs", default=",".join(JOBS), help=f"comma-separated, of {JOBS}")
    parser.add_argument("--no-qgis", action="store_true", help="leave qgis_process out")
    parser.add_argument(
        "--report", metavar="JSON", help="only rewrite RESULTS.md and the plots from a saved run"
    )
    args = parser.parse_args()
    if args.report:
        return _rewrite(Path(args.report))
    jobs = [j.strip() for j in args.jobs.split(",") if j.strip()]
    unknown = sorted(set(jobs) - set(JOBS))
    if unknown:
        parser.error(f"unknown jobs {unknown}; expected some of {', '.join(JOBS)}")
    started = time.perf_counter()
    for path in synthetic.write_all(full=args.full):
        print(f"wrote {path.relative_to(synthetic.DATA.parents[1])}", flush=True)
    missing = "left out (--no-qgis)" if args.no_qgis else peers.qgis_missing()
    qgis = missing is None
    now = dt.datetime.now()
    complete = set(jobs) == set(JOBS)
    name = now.date().isoformat() + ("-full" if args.full else "")
    name += "" if complete else "-" + "-".join(jobs)
    record = {
        "name": name,
        "date": now.isoformat(timespec="minutes"),
        "mode": "full" if args.full else "moderate",
        "command": "python -m bench " + " ".join(sys.argv[1:]),
        "repeat": args.repeat,
        "machine": machine(),
        "versions": versions(),
        "qgis": (
            f"{peers.qgis_version()} (qgis_process.bin, headless); start-up alone "
            f"{peers.qgis_startup_s(3):.1f} s, included in its times"
            if qgis
            else missing
        ),
        "load": {"start": load()},
        "jobs": [],
    }
    notes = {}
    try:
        for job in jobs:
            print(f"[{time.perf_counter() - started:6.0f} s] {job} ...", flush=True)
            module, before, clock = _module(job), load(), time.perf_counter()
            result = module.run(full=args.full, repeat=args.repeat, qgis=qgis)
            result |= {"load_before": before, "load_after": load()}
            result["seconds"] = time.perf_counter() - clock
            record["jobs"].append(result)
            notes[job] = _notes(result, module)
    except Mismatch as exc:
        record["failed"] = str(exc)
        print(f"\nMISMATCH: {exc}", file=sys.stderr)
        report.write_json(record | {"seconds": time.perf_counter() - started}, name + "-failed")
        return 1
    record["load"]["end"] = load()
    record["seconds"] = time.perf_counter() - started
    print(f"wrote {report.write_json(record, name).relative_to(report.BENCH.parent)}")
    if complete:
        shown = report.with_earlier_runs(record)
        for job in shown["jobs"]:
            if "from" in job:  # a job this run left empty, shown from the run that measured it
                notes[job["job"]] = _notes(job, _module(job["job"]))
        report.write_plots(shown)
        print(f"wrote {report.write_markdown(shown, notes).relative_to(report.BENCH.parent)}")
    for target, measured, met in report.targets(record):
        print(f"  {'yes' if met else 'NO ' if met is False else ' - '}  {target}: {measured}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
