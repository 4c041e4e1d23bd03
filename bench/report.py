"""
Write a run's results: ``bench/results/<date>.json``, two plots, and ``bench/RESULTS.md``.

RESULTS.md is rewritten from the JSON of the last complete run: a table per job (median of
the timed runs, the range, each peer's time divided by the project's, the check each peer
passed), the targets of the issue with what was measured, the machine, its load and the
library versions. Plots are time against size for the main jobs, log-log.

A job the complete run left without cases (``national`` runs only with ``--full``) is shown
from the newest saved run that measured it (:func:`with_earlier_runs`), named under its
table and beside each of its targets: never left empty, never passed off as this run's.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.timing import ATLAS

__all__ = [
    "RESULTS",
    "RESULTS_MD",
    "targets",
    "with_earlier_runs",
    "write_json",
    "write_markdown",
    "write_plots",
]

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
RESULTS_MD = BENCH / "RESULTS.md"
#: The osm_import job's floor: the three layer reads of read_osm, GDAL's alone.
OSM_FLOOR = "pyogrio (floor: GDAL reads only)"
#: The part of the osm_import job's atlas time no peer does: the whole-file check, timed alone.
OSM_CHECK = "atlas's whole-file check alone (libosmium; within atlas's time)"
PLOTS = {"assign": "plot-assign.png", "jobs": "plot-jobs.png"}


def write_json(record: dict, name: str) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _job(record: dict, name: str) -> dict | None:
    return next((j for j in record["jobs"] if j["job"] == name), None)


def _saved_runs(folder: Path, but: str) -> list[dict]:
    """Every run saved in ``folder`` except ``but`` and failed ones, newest first."""
    runs = []
    for path in folder.glob("*.json"):
        if path.stem == but or path.stem.endswith("-failed"):
            continue
        record = json.loads(path.read_text(encoding="utf-8"))
        if "jobs" in record and "date" in record:  # older files kept another shape
            runs.append(record | {"name": path.stem})
    return sorted(runs, key=lambda run: run["date"], reverse=True)


def with_earlier_runs(record: dict, folder: Path | None = None) -> dict:
    """
    ``record`` with each job it ran without cases taken from the newest saved run with cases.

    A moderate run leaves ``national`` empty (it needs ``--full``, 1M-row inputs). Its table
    then comes from the newest run in ``folder`` (default ``bench/results``) that measured it,
    and the job carries ``from``: that run's name, date, command, mode and why this run has
    none. Jobs this run measured stay its own, however many later runs exist.
    """
    if all(job["cases"] for job in record["jobs"]):
        return record
    runs = _saved_runs(folder or RESULTS, record.get("name", ""))
    jobs = []
    for job in record["jobs"]:
        found = None if job["cases"] else _newest(runs, job["job"])
        if found is None:
            jobs.append(job)
            continue
        run, earlier = found
        origin = {key: run.get(key) for key in ("name", "date", "command", "mode")}
        jobs.append(earlier | {"from": origin | {"why": job.get("note", "no cases")}})
    return record | {"jobs": jobs}


def _newest(runs: list[dict], name: str) -> tuple[dict, dict] | None:
    """(run, job) of the first of ``runs`` whose job ``name`` has cases; None if none has."""
    for run in runs:
        job = _job(run, name)
        if job and job["cases"]:
            return run, job
    return None


def _origin(job: dict | None) -> str:
    """Where a job taken from an earlier run was measured, to follow its figures; "" if here."""
    origin = (job or {}).get("from")
    return f" (run of {origin['date']}, `{origin['name']}.json`)" if origin else ""


def _median(case: dict, peer: str = ATLAS) -> float | None:
    return (case["peers"].get(peer) or {}).get("median_s")


#: The ledger job's floor (bench/ledger.py): read_csv, the datum conversion and sjoin, unchecked.
LEDGER_FLOOR = "pandas.read_csv + sjoin (floor)"


def _ratio(case: dict, peer: str) -> float | None:
    ours, theirs = _median(case), _median(case, peer)
    return theirs / ours if ours and theirs else None


def _case(job: dict | None, name: str) -> dict | None:
    return next((c for c in job["cases"] if c["case"] == name), None) if job else None


def targets(record: dict) -> list[tuple[str, str, bool | None]]:
    """(target, what was measured, met?) for each target of the issue; None: not measured."""
    rows = []
    assign = _case(_job(record, "assign"), "seed-box-1m")
    for peer in ("geopandas.sjoin", "duckdb"):
        ratio = _ratio(assign, peer) if assign else None
        rows.append(_ratio_row(f"assignment of 1M points ≥ 2× faster than {peer}", ratio))
    for job, peer in (
        ("lengths", "geopandas.overlay"),
        ("proximity", "geopandas.sjoin_nearest"),
        ("proximity", "buffer + sjoin"),
    ):
        found = _job(record, job)
        for case in found["cases"] if found else []:
            target = f"{job} {case['case']} ≥ 2× faster than {peer}"
            rows.append(_ratio_row(target, _ratio(case, peer)))
    ledger = _job(record, "ledger")
    for case in ledger["cases"] if ledger else []:
        speed = (case["peers"][ATLAS] or {}).get("rows_per_s")
        text = f"{speed:,.0f} rows/s" if speed else "not measured"
        rows.append((f"ledger import {case['case']} ≥ 50,000 rows/s", text, _met(speed, 50_000)))
        # Against its floor in the same run: 0.43× on 22 Nov (seed-100k and china-1m).
        ratio = _ratio(case, LEDGER_FLOOR)
        text = f"{ratio:.2f}× (floor ÷ atlas)" if ratio else "not measured"
        rows.append((f"ledger import {case['case']} ≥ 0.43× its floor", text, _met(ratio, 0.43)))
    for name, rows_of in (
        ("osm_import", _osm_rows),
        ("mapbuild", _payload_rows),
        ("app", _app_rows),
        ("network", _network_rows),
        ("lifecircle", _lifecircle_rows),
        ("store", _store_rows),
        ("national", _national_rows),
    ):
        job = _job(record, name)
        rows += [(target, text + _origin(job), met) for target, text, met in rows_of(job)]
    return rows


def _osm_rows(job: dict | None) -> list:
    """Issue 27: OSM import within 1.5× of GDAL's own read of the same layers, checks kept."""
    rows = []
    for case in job["cases"] if job else []:
        ratio = _ratio(case, OSM_FLOOR)
        text = f"{1 / ratio:.2f}× the floor" if ratio else "not measured"
        check, ours = _median(case, OSM_CHECK), _median(case)
        if ratio and check and ours:
            # Unequal work, said: the floor does not check the file; the target counts it.
            text += f", {check / ours:.0%} of it the whole-file check no peer makes"
        target = f"OSM import {case['case']} within 1.5× of GDAL's own read"
        rows.append((target, text, _met(ratio, 1 / 1.5)))
    return rows


def _national_rows(job: dict | None) -> list:
    """Issue 27 on one machine: ingest within 4× of its floor, reconcile ≤ 10 %, coverage ≤ 60 s."""
    if not job or not job["cases"]:
        return []
    rows = []
    ingest, share = _case(job, "ingest 300k"), _case(job, "reconcile 300k")
    ratio = _ratio(ingest, "read_csv + sjoin + GPKG write") if ingest else None
    text = f"{1 / ratio:.1f}× the floor" if ratio else "not measured"
    rows.append(("ingest 300k within 4× of read_csv + sjoin + GPKG write", text, _met(ratio, 0.25)))
    part = _median(share) / _median(ingest) if share and ingest and _median(ingest) else None
    text = f"{part:.1%} of the ingest" if part is not None else "not measured"
    rows.append(
        ("reconcile ≤ 10 % of the 300k ingest", text, None if part is None else part <= 0.1)
    )
    seconds = _median(_case(job, "coverage 500k") or {"peers": {}})
    text = f"{seconds:.1f} s" if seconds else "not measured"
    rows.append(
        (
            "atlas coverage, 500k features, all China ≤ 60 s",
            text,
            None if seconds is None else seconds <= 60,
        )
    )
    for case in job["cases"]:
        if "payload_bytes" in case:
            met = case["payload_bytes"] <= job["limit_bytes"]
            text = f"{case['payload_bytes'] / 2**20:.2f} MB"
            rows.append((f"{case['case']} ≤ 2 MB", text, met))
    return rows


def _network_rows(job: dict | None) -> list:
    """Issue 16: ≥ 10× faster than OSMnx + networkx, and within 3× of pandana (or ahead)."""
    query = next((c for c in job["cases"] if c["case"].startswith("city")), None) if job else None
    if query is None:
        return []
    ratio = _ratio(query, "osmnx + networkx")
    rows = [(f"network {query['case']} ≥ 10× faster than osmnx + networkx",
             f"{ratio:.1f}×" if ratio else "not measured", _met(ratio, 10.0))]  # fmt: skip
    ratio = _ratio(query, "pandana")
    text = f"{ratio:.1f}× (pandana ÷ atlas)" if ratio else "pandana not measured"
    rows.append((f"network {query['case']} within 3× of pandana", text, _met(ratio, 1 / 3)))
    return rows


def _lifecircle_rows(job: dict | None) -> list:
    """Issue 25: per profile, ≥ 10× faster than OSMnx + networkx done the usual way."""
    rows = []
    for case in job["cases"] if job else []:
        ratio = _ratio(case, "osmnx + networkx")
        rows.append((f"lifecircle {case['case']} ≥ 10× faster than osmnx + networkx",
                     f"{ratio:.1f}×" if ratio else "not measured", _met(ratio, 10.0)))  # fmt: skip
    return rows


def _store_rows(job: dict | None) -> list:
    """The workspace targets: saves ≥ 50,000 rows/s, opening every city's state ≤ 0.5 s."""
    rows = []
    for case in job["cases"] if job else []:
        if case["case"].startswith("save"):
            speed = (case["peers"][ATLAS] or {}).get("rows_per_s")
            text = f"{speed:,.0f} rows/s" if speed else "not measured"
            rows.append((f"{case['case']} ≥ 50,000 rows/s", text, _met(speed, 50_000)))
        elif case["case"].startswith("open-all"):
            seconds = _median(case)
            text = f"{seconds:.2f} s for {case['size']:,} rows" if seconds else "not measured"
            met = None if seconds is None else seconds <= 0.5
            rows.append((f"{case['case']} ≤ 0.5 s", text, met))
    return rows


def _met(value: float | None, floor: float) -> bool | None:
    return None if value is None else value >= floor


def _ratio_row(target: str, ratio: float | None) -> tuple[str, str, bool | None]:
    return target, f"{ratio:.2f}×" if ratio else "not measured", _met(ratio, 2.0)


def _payload_rows(job: dict | None) -> list:
    rows = []
    for case in job["cases"] if job else []:
        payload = case.get("payload_bytes")
        text = f"{payload / 2**20:.2f} MB" if payload else "not measured"
        met = None if payload is None else payload <= job["limit_bytes"]
        rows.append((f"map payload ≤ 2 MB: {case['case']}", text, met))
    return rows


def _app_rows(job: dict | None) -> list:
    rows = []
    for case in job["cases"] if job else []:
        name, seconds = case["case"], _median(case)
        if name.startswith("rerun"):
            limit = 0.5
        elif "ledger points" in name:
            limit = 2.0 if case["size"] <= 10_000 else 4.0
        else:
            continue
        text = f"{seconds:.2f} s" if seconds else "not measured"
        met = None if seconds is None else seconds <= limit
        rows.append((f"{name} ≤ {limit:g} s", text, met))
    return rows


def _fmt_s(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _size(case: dict) -> str:
    size = case.get("size")
    if size is None:
        return ""
    if case.get("unit") == "bytes":
        return f"{size / 2**20:.2f} MB"
    return f"{size:,}"


def _job_table(job: dict) -> list[str]:
    lines = [
        "| case | size | peer | median s | runs min–max s | peer ÷ atlas | check / note |",
        "|---|---|---|---|---|---|---|",
    ]
    for case in job["cases"]:
        for peer, result in case["peers"].items():
            runs = result.get("runs_s") or []
            spread = f"{min(runs):.3f}–{max(runs):.3f}" if runs else "–"
            ratio = _ratio(case, peer) if peer != ATLAS else None
            note = result.get("error") or result.get("check") or ""
            if result.get("rows_per_s"):
                note = f"{result['rows_per_s']:,.0f} rows/s. {note}"
            if result.get("payload_bytes"):
                note = f"payload {result['payload_bytes']:,} bytes. {note}"
            if result.get("edges"):
                note = f"{result['nodes']:,} nodes, {result['edges']:,} edges. {note}"
            if result.get("preprocess_s"):
                built = result["preprocess_s"]
                note = f"contraction hierarchy built once first: {built:.0f} s. {note}"
            if result.get("ledger_read_in_browser_s"):
                read = result["ledger_read_in_browser_s"]
                note = f"reading the ledger in the browser took {read:.1f} s. {note}"
            cells = [
                case["case"],
                _size(case),
                f"**{peer}**" if peer == ATLAS else peer,
                _fmt_s(result.get("median_s")),
                spread,
                f"{ratio:.2f}×" if ratio else "",
                note.replace("|", "/").strip(),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return lines


def write_markdown(record: dict, notes: dict[str, list[str]]) -> Path:
    """Rewrite RESULTS.md from ``record``; ``notes`` adds paragraphs under each job."""
    machine, load = record["machine"], record["load"]
    lines = [
        "# Benchmark results",
        "",
        "Written by `python -m bench` (`make bench`: moderate sizes; `make bench-full`: "
        "everything); do not edit by hand. Every peer runs on the same inputs in the same "
        f"process and run, once untimed, then {record['repeat']} times; the median is "
        "reported. **peer ÷ atlas** is the peer's median divided by the project's: above 1, "
        "the project leads. Absolute times are context only: the machine is shared.",
        "",
        f"- Run: {record['date']}, `{record['command']}` ({record['mode']}), "
        f"{record['seconds'] / 60:.1f} min in all.",
        f"- Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, "
        f"{machine['system']}, Python {machine['python']}.",
        f"- Load average (1/5/15 min): {load['start']} at the start, {load['end']} at the end; "
        "per job in the JSON. Above 2.0 other work shared the 2 cores.",
        "- Libraries: " + ", ".join(f"{k} {v}" for k, v in record["versions"].items() if v) + ".",
        f"- QGIS: {record['qgis']}.",
        f"- Raw numbers: `bench/results/{record['name']}.json`. Other runs beside it: "
        + (", ".join(f"`{p.name}`" for p in _other_runs(record["name"])) or "none")
        + "; the same case can differ by a third between runs on this shared machine.",
        "",
        "## Targets",
        "",
        "| target | measured | met |",
        "|---|---|---|",
    ]
    for target, measured, met in targets(record):
        verdict = {True: "yes", False: "**no**", None: "not measured"}[met]
        lines.append(f"| {target} | {measured} | {verdict} |")
    lines += ["", f"![Assignment time against points]({RESULTS.name}/{PLOTS['assign']})", ""]
    lines += [f"![Time against size, other jobs]({RESULTS.name}/{PLOTS['jobs']})", ""]
    for job in record["jobs"]:
        lines += ["", f"## {job['title']}", ""]
        lines += notes.get(job["job"], [])
        lines += ["", *_job_table(job), ""]
        if origin := job.get("from"):
            lines += [
                f"Not measured by this run ({origin['why']}): the table is the newest run that "
                f"measured it, `bench/results/{origin['name']}.json` ({origin['date']}, "
                f"`{origin['command']}`, {origin['mode']}).",
                "",
            ]
    RESULTS_MD.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return RESULTS_MD


def _other_runs(name: str) -> list[Path]:
    return sorted(p for p in RESULTS.glob("*.json") if p.stem != name)


def _series(job: dict | None, keep) -> dict[str, list[tuple[int, float]]]:
    """Peer → [(size, median s)] over the cases ``keep`` accepts."""
    found: dict[str, list[tuple[int, float]]] = {}
    for case in job["cases"] if job else []:
        if not keep(case):
            continue
        for peer, result in case["peers"].items():
            if result.get("median_s"):
                found.setdefault(peer, []).append((case["size"], result["median_s"]))
    return found


def _panel(axis, series: dict, title: str, xlabel: str) -> None:
    for peer, points in sorted(series.items(), key=lambda kv: kv[0] != ATLAS):
        points.sort()
        xs, ys = zip(*points, strict=True)
        style = {"linewidth": 2.5, "color": "black"} if peer == ATLAS else {"linewidth": 1.2}
        axis.plot(xs, ys, marker="o", label=peer, **style)
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.xaxis.set_minor_formatter("")  # 3×10⁴ 4×10⁴ … crowd the axis
    axis.set_title(title, fontsize=10)
    axis.set_xlabel(xlabel)
    axis.set_ylabel("median seconds")
    axis.grid(True, which="both", alpha=0.3)
    if series:
        axis.legend(fontsize=7)


def write_plots(record: dict) -> list[Path]:
    """Assignment time against points; lengths, proximity and ledger time against size."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    paths = []
    figure, axis = plt.subplots(figsize=(7, 4.5))
    seed = _series(_job(record, "assign"), lambda c: c["case"].startswith("seed"))
    _panel(axis, seed, "Point → district, five seed cities (1M: their bounding box)", "points")
    figure.tight_layout()
    paths.append(RESULTS / PLOTS["assign"])
    figure.savefig(paths[-1], dpi=110)
    plt.close(figure)
    figure, axes = plt.subplots(1, 3, figsize=(13, 4.2))
    panels = (
        ("lengths", "Tactile km per district (largest: all China)", "lines"),
        ("proximity", "Nearest accessible stop (1M: all China)", "projects"),
        ("ledger", "Ledger import (1M: all China)", "rows"),
    )
    for axis, (name, title, xlabel) in zip(axes, panels, strict=True):
        _panel(axis, _series(_job(record, name), lambda c: True), title, xlabel)
    figure.tight_layout()
    paths.append(RESULTS / PLOTS["jobs"])
    figure.savefig(paths[-1], dpi=110)
    plt.close(figure)
    return paths
