"""``atlas infra`` (accessibility features of an extract or a survey) and ``atlas coverage``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cli._common import add_save_options, add_user_option, declare_files, needs_output, saved
from geo import boundaries, coverage, crs, infra, records
from layers.export import write_geojson, write_geopackage


def _infra(args: argparse.Namespace) -> int:
    """``atlas infra``: the accessibility features of an OSM extract or a survey file."""
    needs_output(args, "--out", args.out)
    boundaries.build_boundaries()  # a survey's extent is cut to district outlines
    found = infra.read_infra(Path(args.file), crs_name=args.crs, sheet=args.sheet, layer=args.layer)
    if args.covers:
        found = infra.declare_coverage(found, args.covers, city=args.city)
    found, version = saved(args, found)
    if args.out:
        # One geometry type per layer (infra_points, infra_lines), as QGIS and ArcGIS want;
        # `atlas coverage` reads them back together.
        write_geopackage(found.layers(), Path(args.out))
    print(json.dumps(found.summary() | version, ensure_ascii=False))
    return 0


def _coverage(args: argparse.Namespace) -> int:
    """``atlas coverage``: coverage measures per district, each with its completeness status."""
    out = Path(args.out)
    boundaries.build_boundaries()
    found = infra.read_infra(Path(args.infra))
    projects = records.read_projects(Path(args.projects)) if args.projects else None
    measured = coverage.measure(projects, found, radii=args.radius or coverage.RADII_M)
    if measured.table.empty:
        raise ValueError(
            f"Expected data inside China; {args.infra} covers no county-level district "
            f"(its extent is {found.extent.bounds if found.extent is not None else 'empty'})."
        )
    table = boundaries.with_display_outlines(measured.table)
    write_geojson(table, out)
    statuses = {k: table[f"{k}_status"].value_counts().to_dict() for k in measured.measured_keys()}
    print(json.dumps({"districts": len(table), "status": statuses}, ensure_ascii=False))
    return 0


def add_commands(sub) -> None:
    """``atlas infra`` and ``atlas coverage``."""
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
    survey.add_argument("--out", help="output .gpkg (infra, extent, quarantine)")
    add_save_options(survey)
    add_user_option(survey)
    declare_files(survey, inputs=("file",), suffixes=(".gpkg",))
    survey.set_defaults(func=_infra)

    measured = sub.add_parser("coverage", help="per-district coverage metrics as GeoJSON")
    measured.add_argument("--infra", required=True, help="infrastructure: `atlas infra` output")
    measured.add_argument("--projects", help="renovated communities: `atlas ingest` .gpkg")
    measured.add_argument(
        "--radius", type=int, action="append", help="walking radius in metres (repeatable)"
    )
    measured.add_argument("--out", required=True, help="output .geojson (RFC 7946)")
    declare_files(measured, inputs=("infra", "projects"), suffixes=(".geojson",))
    measured.set_defaults(func=_coverage)
