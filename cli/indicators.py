"""``atlas indicators``: life-circle and complete-community indicators, with their clauses."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cli._common import declare_files
from geo import boundaries, crs, records
from layers.export import write_bytes, write_geojson, write_geopackage


def _radius_settings(pairs: list[str] | None) -> dict[str, float]:
    """``--radius kindergarten=500`` (repeatable) as {category: metres}."""
    out = {}
    for pair in pairs or ():
        key, _, metres = pair.partition("=")
        try:
            out[key.strip()] = float(metres)
        except ValueError:
            raise ValueError(
                f"Expected --radius CATEGORY=METRES (e.g. kindergarten=500); got {pair!r}."
            ) from None
    return out


def _indicator_inputs(args: argparse.Namespace):
    """The projects, the network, the registry with its settings, the facilities."""
    from geo import facilities, network

    path = Path(args.projects)
    if path.suffix.lower() == ".gpkg":
        projects = records.read_projects(path)
    else:
        projects = records.read_ledger(path, crs_name=args.crs, sheet=args.sheet).projects
    built = network.build_network(Path(args.osm))
    registry = facilities.load_registry().with_radii(_radius_settings(args.radius))
    found = facilities.read_osm_facilities(Path(args.osm), registry=registry, extent=built.extent())
    if args.facilities:
        listed = facilities.read_facility_file(
            Path(args.facilities), registry=registry, crs_name=args.facilities_crs
        )
        found = facilities.combine(found, listed)
    return projects, built, registry, found


def _indicators(args: argparse.Namespace) -> int:
    """``atlas indicators``: life-circle indicators per community and district, with clauses."""
    from geo import lifecircle
    from layers.lifecircle import export_xlsx, facility_quarantine

    out = Path(args.out)
    boundaries.build_boundaries()
    projects, built, registry, found = _indicator_inputs(args)
    result = lifecircle.measure(
        projects, found, built, registry=registry, profile=args.profile, max_snap_m=args.max_snap
    )
    districts = boundaries.with_display_outlines(result.districts)
    if out.suffix.lower() == ".gpkg":
        layers = {
            "communities": result.communities,
            "districts": districts,
            "cities": result.cities,
            "sources": result.sources,
            "facility_quarantine": facility_quarantine(found.quarantine),
        }
        write_geopackage(layers, out)
    elif out.suffix.lower() == ".xlsx":
        write_bytes(export_xlsx(result, found.quarantine), out)
    else:
        write_geojson(result.communities, out)
        write_geojson(districts, out.with_name(out.stem + "-districts.geojson"))
    communities = result.communities
    summary = {
        "profile": result.profile,
        "communities": len(communities),
        "complete": {
            str(k): int(v) for k, v in communities["complete"].value_counts(dropna=False).items()
        },
        "status": {
            k: communities[f"status_{k}"].value_counts().to_dict() for k in registry.categories
        },
        "districts": len(districts),
    } | found.summary()
    print(json.dumps(summary, ensure_ascii=False, default=str))
    return 0


def add_commands(sub) -> None:
    """``atlas indicators``."""
    from geo.lifecircle import PROFILES
    from geo.reach import MAX_SNAP_M

    command = sub.add_parser(
        "indicators", help="life-circle and complete-community indicators, with their clauses"
    )
    command.add_argument(
        "--projects", required=True, help="the ledger (.csv/.xlsx) or `atlas ingest` .gpkg"
    )
    command.add_argument("--crs", choices=crs.DATUMS, help="datum of the ledger's coordinates")
    command.add_argument("--sheet", help="XLSX sheet of the ledger (default: the first)")
    command.add_argument("--osm", required=True, help=".osm.pbf or .osm: network and facilities")
    command.add_argument("--facilities", help="the bureau's facilities file (.csv/.xlsx)")
    command.add_argument(
        "--facilities-crs", choices=crs.DATUMS, help="datum of the facilities file's coordinates"
    )
    command.add_argument("--profile", choices=PROFILES, default="walk", help="walk or wheelchair")
    command.add_argument(
        "--radius",
        action="append",
        metavar="CATEGORY=METRES",
        help="set a category's radius (repeatable); written as a setting in every output",
    )
    command.add_argument(
        "--max-snap",
        type=float,
        default=MAX_SNAP_M,
        help="metres to the nearest street beyond which a community is off_network",
    )
    command.add_argument(
        "--out",
        required=True,
        help="OUT.gpkg (every layer), OUT.geojson (and OUT-districts.geojson) or OUT.xlsx",
    )
    declare_files(
        command,
        inputs=("projects", "osm", "facilities"),
        suffixes=(".gpkg", ".geojson", ".json", ".xlsx"),
    )
    command.set_defaults(func=_indicators)
