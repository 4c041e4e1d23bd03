"""
The 新乡 district atlas and reply draft, built from the shipped example ledger and survey.

Target (issue 23): the reply and the atlas of 新乡's 12 districts (and 高新区, the zone
without an outline), with the synthetic ledger and survey, built in ≤ 10 s on this machine;
reported with the atlas's page count and file size. Timed two ways:

- in one process, from the files already read (as the page has them), after a warm-up run
  (imports, outline cache, font registration):

  - ``gather``: :func:`geo.report.gather_report`, the figures with their sources, the
    ledger's sums and the coverage measured from the survey (:func:`geo.coverage.measure`);
  - ``atlas``: ``gather`` then :func:`layers.atlas_pdf.atlas_pdf` (cover + a page per place);
  - ``reply``: ``gather`` then :func:`layers.reply.reply_docx`;
  - ``reply+atlas``: one ``gather``, then both documents (the page's two buttons);

- as a planner runs them, each a fresh ``atlas report sheets|reply`` process against a
  throwaway workspace holding the example ledger and survey (saved untimed): ``cli atlas``,
  ``cli reply`` and ``cli reply+atlas`` (both commands, one after the other). Their CPU
  seconds are the child processes' (user + system).

The machine has 2 cores shared with others: the load before and after is recorded, and CPU
seconds are the figure to compare across runs. No peer writes a reply whose figures carry
their sources, or a district atlas of these figures: the job measures the target alone.
``python -m bench.reports [REPEAT]`` runs it on its own and prints one JSON line per case
(also written to ``bench/results/reports-<date>.json``).
"""

from __future__ import annotations

import datetime
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import report as bench_report
from bench.timing import ATLAS, Timing, load, measure, peer_result

TITLE = "新乡 district atlas and reply draft (12 districts + 1 zone, example ledger and survey)"
TARGET_S = 10.0


def _inputs():
    from geo import infra, records
    from geo._data import DATA_DIR
    from geo.report import DataSource

    examples = DATA_DIR / "examples"
    ledger = records.read_ledger(examples / "synthetic-ledger-xinxiang.csv", crs_name="gcj02")
    survey = infra.read_infra(examples / "synthetic-survey-xinxiang.geojson")
    return {
        "projects": ledger.projects,
        "ledger_source": DataSource("synthetic-ledger-xinxiang.csv", synthetic=True),
        "infra": survey,
        "infra_source": DataSource("synthetic-survey-xinxiang.geojson", synthetic=True),
    }


def _cases():
    from geo.figures import load_figures
    from geo.report import gather_report
    from geo.selection import Selection
    from layers.atlas_pdf import atlas_pdf
    from layers.reply import reply_docx

    inputs, figures = _inputs(), load_figures()
    today = datetime.date.today()

    def gather():
        return gather_report(figures, Selection(cities=("新乡市",)), **inputs)

    def both():
        made = gather()
        return atlas_pdf(made, today=today), reply_docx(made, today=today)

    return {
        "gather": gather,
        "atlas": lambda: atlas_pdf(gather(), today=today),
        "reply": lambda: reply_docx(gather(), today=today),
        "reply+atlas": both,
    }


_ATLAS_BIN = Path(sys.executable).with_name("atlas")
_COMMANDS = {
    "cli atlas": ("sheets",),
    "cli reply": ("reply",),
    "cli reply+atlas": ("reply", "sheets"),
}


def _workspace(folder: Path) -> dict[str, str]:
    """A throwaway workspace holding the example ledger and survey; the environment to use it."""
    from geo._data import DATA_DIR

    env = os.environ | {"ATLAS_DATA_DIR": str(folder)}
    examples = DATA_DIR / "examples"
    for args in (
        ["db", "init"],
        ["ingest", str(examples / "synthetic-ledger-xinxiang.csv"), "--crs", "gcj02", "--save"],
        ["infra", str(examples / "synthetic-survey-xinxiang.geojson"), "--save"],
    ):
        subprocess.run([str(_ATLAS_BIN), *args], env=env, check=True, capture_output=True)
    return env


def _cli(kinds: tuple[str, ...], folder: Path, env: dict[str, str], repeat: int):
    """Run ``atlas report KIND`` for each kind, fresh processes; wall and children's CPU."""
    timing, made = Timing(), {}
    for attempt in range(repeat + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        for kind in kinds:
            out = folder / ("新乡.pdf" if kind == "sheets" else "答复.docx")
            command = [str(_ATLAS_BIN), "report", kind, "--city", "新乡市", "--out", str(out)]
            subprocess.run(command, env=env, check=True, capture_output=True)
            made[kind] = out.read_bytes()
        wall = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if attempt:  # the first run warms the disk cache, as measure() does
            timing.runs_s.append(wall)
            timing.cpu_s.append(cpu)
    return timing, made


def _pages(pdf: bytes) -> dict:
    from pypdf import PdfReader

    return {"pages": len(PdfReader(io.BytesIO(pdf)).pages), "bytes": len(pdf)}


def _describe(name: str, result) -> dict:
    """Pages and bytes of a document; places and figures of a gathered report."""
    if name == "gather":
        return {"places": len(result.places), "figures": int(result.items["value"].notna().sum())}
    if name == "atlas":
        return _pages(result)
    if name == "reply+atlas":
        return _pages(result[0]) | {"reply_bytes": len(result[1])}
    if name.startswith("cli"):
        found = _pages(result["sheets"]) if "sheets" in result else {}
        return found | ({"reply_bytes": len(result["reply"])} if "reply" in result else {})
    return {"bytes": len(result)}


def run(*, full: bool = False, repeat: int = 3, qgis: bool = False) -> dict:
    results = []
    timed = [(name, lambda build=build: measure(build, repeat)) for name, build in _cases().items()]
    with tempfile.TemporaryDirectory(prefix="atlas-bench-reports-") as temp:
        folder = Path(temp)
        env = _workspace(folder)
        timed += [
            (name, lambda kinds=kinds: _cli(kinds, folder, env, repeat))
            for name, kinds in _COMMANDS.items()
        ]
        for name, timer in timed:
            loaded = load()
            timing, made = timer()
            extra = _describe(name, made)
            entry = {"case": name, "size": extra.get("pages", 0), "peers": {}, **extra}
            entry["peers"][ATLAS] = peer_result(timing, **extra)
            entry["load_before"], entry["load_after"] = loaded, load()
            if "atlas" in name:
                entry["within_target"] = timing.median_s <= TARGET_S
                entry["cpu_within_target"] = statistics.median(timing.cpu_s) <= TARGET_S
            results.append(entry)
    return {"job": "reports", "title": TITLE, "cases": results, "target_s": TARGET_S}


def main() -> int:
    before = load()
    record = run(repeat=int(sys.argv[1]) if len(sys.argv) > 1 else 3)
    record |= {
        "load_before": before,
        "load_after": load(),
        "date": datetime.date.today().isoformat(),
    }
    for case in record["cases"]:
        timing = case["peers"][ATLAS]
        shown = {k: v for k, v in case.items() if k not in ("peers",)}
        print(json.dumps(shown | {"median_s": round(timing["median_s"], 2),
                                  "runs_s": [round(r, 2) for r in timing["runs_s"]],
                                  "cpu_s": [round(c, 2) for c in timing["cpu_s"]]},
                         ensure_ascii=False))  # fmt: skip
    print(json.dumps({"load_before": before, "load_after": record["load_after"]}))
    bench_report.write_json(record, f"reports-{record['date']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
