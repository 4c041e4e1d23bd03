"""
The 新乡 district atlas and reply draft, built from the shipped example ledger and survey.

Target (issue 23): the atlas of 新乡's 12 districts (and 高新区, the zone without an outline),
with the synthetic ledger and survey, built in ≤ 10 s on this machine; reported with its page
count and file size. Timed from the files already read (as the page and ``atlas report``
have them), in one process after a warm-up run (imports, outline cache, font registration):

- ``gather``: :func:`geo.report.gather_report`, the figures with their sources, the ledger's
  sums and the coverage measured from the survey (:func:`geo.coverage.measure`);
- ``atlas``: ``gather`` then :func:`layers.atlas_pdf.atlas_pdf` (cover + a page per place);
- ``reply``: ``gather`` then :func:`layers.reply.reply_docx`.

No peer writes a reply whose figures carry their sources, or a district atlas of these
figures: the job measures the target alone. ``python -m bench.reports`` runs it on its own
and prints one JSON line per case (also written to ``bench/results/reports-<date>.json``).
"""

from __future__ import annotations

import datetime
import io
import json
import sys

from bench import report as bench_report
from bench.timing import ATLAS, load, measure, peer_result

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

    return {
        "gather": gather,
        "atlas": lambda: atlas_pdf(gather(), today=today),
        "reply": lambda: reply_docx(gather(), today=today),
    }


def _describe(name: str, result) -> dict:
    """Pages and bytes of a document; places and figures of a gathered report."""
    if name == "gather":
        return {"places": len(result.places), "figures": int(result.items["value"].notna().sum())}
    if name == "atlas":
        from pypdf import PdfReader

        return {"pages": len(PdfReader(io.BytesIO(result)).pages), "bytes": len(result)}
    return {"bytes": len(result)}


def run(*, full: bool = False, repeat: int = 3, qgis: bool = False) -> dict:
    results = []
    for name, build in _cases().items():
        timing, made = measure(build, repeat)
        extra = _describe(name, made)
        entry = {"case": name, "size": extra.get("pages", 0), "peers": {}, **extra}
        entry["peers"][ATLAS] = peer_result(timing, **extra)
        if name == "atlas":
            entry["within_target"] = timing.median_s <= TARGET_S
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
