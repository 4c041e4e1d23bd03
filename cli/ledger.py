"""``atlas ingest``: read a ledger, quarantine bad rows, reconcile with the documents."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cli._common import (
    add_save_options,
    add_user_option,
    declare_files,
    needs_output,
    readable_figures,
    saved,
    write_table,
)
from geo import boundaries, crs, reconcile, records
from layers.export import write_geojson, write_geopackage


def _ingest(args: argparse.Namespace) -> int:
    """``atlas ingest``: a ledger read, bad rows quarantined with reasons, checked with figures."""
    needs_output(args, "--out and --report", args.out and args.report)
    out = Path(args.out) if args.out else None
    boundaries.build_boundaries()
    ledger = records.read_ledger(
        Path(args.ledger), crs_name=args.crs, sheet=args.sheet, report_date=args.report_date
    )
    # Saved, the files and counts are those of the version: the rows a save quarantined too.
    ledger, version = saved(args, ledger)
    table = reconcile.reconcile(ledger.projects, readable_figures(args))
    if out is not None and out.suffix.lower() == ".gpkg":
        layers = {"projects": ledger.projects, "quarantine": ledger.quarantine}
        write_geopackage(layers | {"reconciliation": table}, out)
    elif out is not None:
        write_geojson(ledger.projects, out)
    if args.report:
        write_table(ledger.quarantine, Path(args.report), "quarantine")
    if args.reconcile:
        write_table(table, Path(args.reconcile), "reconciliation")
    print(json.dumps(ledger.summary() | version, ensure_ascii=False))
    return 0


def add_commands(sub) -> None:
    """``atlas ingest``."""
    ingest = sub.add_parser(
        "ingest", help="read a ledger (CSV/XLSX), quarantine bad rows, reconcile with the documents"
    )
    ingest.add_argument("ledger", help="the ledger file, .csv or .xlsx")
    ingest.add_argument("--crs", choices=crs.DATUMS, help="datum of the file's coordinates")
    ingest.add_argument("--sheet", help="XLSX sheet name (default: the first sheet)")
    ingest.add_argument(
        "--out",
        help="clean projects: .gpkg (with quarantine and reconciliation layers) or .geojson",
    )
    ingest.add_argument("--report", help="quarantined rows: .csv or .xlsx")
    ingest.add_argument("--reconcile", help="reported vs mapped table: .csv or .xlsx")
    ingest.add_argument(
        "--report-date",
        metavar="YYYY-MM-DD",
        help="the day the ledger speaks for (default: its 填报日期 column, else today): later "
        "dates are quarantined, and a saved version reports for this day's month",
    )
    add_save_options(ingest)
    add_user_option(ingest)
    declare_files(
        ingest,
        inputs=("ledger",),
        outputs=("out", "report", "reconcile"),
        suffixes=(".gpkg", ".geojson"),
    )
    ingest.set_defaults(func=_ingest)
