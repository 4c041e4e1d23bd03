"""``atlas network`` (an extract's pedestrian graph) and ``atlas reach`` (walking distances)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cli._common import declare_files
from geo import boundaries, coverage, infra, records
from layers.export import write_geojson, write_geopackage


def _network(args: argparse.Namespace) -> int:
    """``atlas network``: the pedestrian network of an OSM extract, as a GeoPackage."""
    from geo import network

    out = Path(args.out)
    built = network.build_network(Path(args.osm))
    write_geopackage(built.layers(), out)
    print(json.dumps(built.counts(), ensure_ascii=False))
    return 0


def _reach(args: argparse.Namespace) -> int:
    """``atlas reach``: metres on foot from each community to the nearest accessible feature."""
    from geo import network, reach

    out = Path(args.out)
    boundaries.build_boundaries()
    graph = network.load_network(Path(args.network))
    found = infra.read_infra(Path(args.infra))
    projects = records.read_projects(Path(args.projects))
    profiles = tuple(dict.fromkeys(args.profile or ("walk", "wheelchair")))
    radii = tuple(args.radius or coverage.RADII_M)
    reached = reach.measure(
        projects, found, graph, profiles=profiles, radii=radii, max_snap_m=args.max_snap
    )
    communities, table = reached.near, reached.table
    table = boundaries.with_display_outlines(table)
    write_geojson(communities, out)
    write_geojson(table, out.with_name(out.stem + "-districts.geojson"))
    write_geopackage({"communities": communities, "districts": table}, out.with_suffix(".gpkg"))
    status = {
        f"{p}_{t}": communities[f"{p}_{t}_status"].value_counts().to_dict()
        for p in profiles
        for t in coverage.DISTANCE_TYPES
    }
    summary = {"communities": len(communities), "districts": len(table), "status": status}
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def add_commands(sub) -> None:
    """``atlas network`` and ``atlas reach``."""
    from geo.network import PROFILES
    from geo.reach import MAX_SNAP_M

    build = sub.add_parser("network", help="the pedestrian graph of an OSM extract as a GeoPackage")
    build.add_argument("osm", help=".osm.pbf or .osm extract")
    build.add_argument("--out", required=True, help="output .gpkg (nodes, edges, network)")
    declare_files(build, inputs=("osm",), suffixes=(".gpkg",))
    build.set_defaults(func=_network)

    measure = sub.add_parser("reach", help="walking distance to accessible destinations")
    measure.add_argument("--projects", required=True, help="renovated communities (`atlas ingest`)")
    measure.add_argument("--infra", required=True, help="destinations (`atlas infra` output)")
    measure.add_argument("--network", required=True, help="`atlas network` .gpkg or an extract")
    measure.add_argument(
        "--profile", action="append", choices=PROFILES, help="walk, wheelchair, blind (repeatable)"
    )
    measure.add_argument(
        "--radius", type=int, action="append", help="walking radius in metres (repeatable)"
    )
    measure.add_argument(
        "--max-snap",
        type=float,
        default=MAX_SNAP_M,
        help=f"metres to the network beyond which a community is off_network (default "
        f"{MAX_SNAP_M:g})",
    )
    measure.add_argument(
        "--out", required=True, help="communities .geojson; beside it -districts.geojson and .gpkg"
    )
    declare_files(measure, inputs=("projects", "infra", "network"), suffixes=(".geojson",))
    measure.set_defaults(func=_reach)
