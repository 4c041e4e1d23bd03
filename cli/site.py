"""``atlas priorities`` (which communities first) and ``atlas site`` (where new sites reach)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from cli._common import declare_files, write_table
from geo import boundaries, infra, records
from layers.export import write_geojson


def _site_projects(path: Path, crs_name: str | None) -> pd.DataFrame:
    """Communities from a ledger (read as `atlas ingest` reads it) or an ingested .gpkg."""
    if path.suffix.lower() in {".gpkg", ".geojson"}:
        return records.read_projects(path)
    return records.read_ledger(path, crs_name=crs_name).projects


def _site(args: argparse.Namespace) -> int:
    """``atlas site``: where N new curb ramps or accessible stops reach the most households."""
    from geo import network, siting

    out = Path(args.out)
    boundaries.build_boundaries()
    projects = _site_projects(Path(args.projects), args.crs)
    graph = network.load_network(Path(args.network))
    found = None
    if Path(args.network).suffix.lower() in {".pbf", ".osm"}:
        found = infra.read_infra(Path(args.network))
    refused = {}
    given = {}
    for option in ("candidates", "existing"):
        if getattr(args, option):
            given[option], quarantine = siting.read_sites(Path(getattr(args, option)))
            refused[option] = len(quarantine)
    candidates, _, result = siting.plan(
        projects,
        graph,
        kind=args.type,
        count=args.count,
        radius_m=args.radius,
        profile=args.profile,
        infra=found,
        candidates=given.get("candidates"),
        existing=given.get("existing"),
        solver=args.solver,
        time_limit_s=args.time_limit,
    )
    written = candidates if args.all_candidates else candidates[candidates["chosen"]]
    write_geojson(written.sort_values("order", na_position="last"), out)
    print(json.dumps(result.summary | {"refused_rows": refused}, ensure_ascii=False))
    return 0


def _priorities(args: argparse.Namespace) -> int:
    """``atlas priorities``: which communities first, each score explained by its parts."""
    from geo import priorities

    out = Path(args.out)
    boundaries.build_boundaries()
    projects = _site_projects(Path(args.projects), args.crs)
    ranked = priorities.prioritise(projects, preset=args.preset, only_planned=args.planned)
    table = pd.DataFrame(ranked.drop(columns="geometry", errors="ignore"))
    write_table(table, out, "priorities")
    summary = {
        "ranked": len(ranked),
        "preset": args.preset,
        "tied": int(ranked["tied"].sum()),
        "parts_missing": ranked["parts_missing"].value_counts().to_dict(),
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def add_commands(sub) -> None:
    """``atlas priorities`` and ``atlas site``."""
    from geo.priorities import PRESETS
    from geo.siting import PROFILES, SITE_TYPES, SOLVERS

    ranks = sub.add_parser("priorities", help="which communities first: a score explained by parts")
    ranks.add_argument(
        "--projects", required=True, help="ledger (CSV/XLSX) or `atlas ingest` .gpkg"
    )
    ranks.add_argument("--crs", help="datum of the ledger's coordinates: wgs84|cgcs2000|gcj02|bd09")
    ranks.add_argument("--preset", choices=list(PRESETS), default="balanced")
    ranks.add_argument("--planned", action="store_true", help="rank only the 计划 (plan) rows")
    ranks.add_argument("--out", required=True, help="ranked table .csv or .xlsx")
    declare_files(ranks, inputs=("projects",), suffixes=(".csv", ".xlsx"))
    ranks.set_defaults(func=_priorities)

    site = sub.add_parser("site", help="where N new curb ramps or accessible stops reach most")
    site.add_argument("--projects", required=True, help="ledger (CSV/XLSX) or `atlas ingest` .gpkg")
    site.add_argument("--crs", help="datum of the ledger's coordinates: wgs84|cgcs2000|gcj02|bd09")
    site.add_argument("--network", required=True, help="OSM extract (or `atlas network` .gpkg)")
    site.add_argument("--type", choices=SITE_TYPES, default="curb_ramp", help="facility type")
    site.add_argument("--candidates", help="candidate sites (.geojson/.gpkg/.zip points)")
    site.add_argument("--existing", help="existing sites, kept fixed (.geojson/.gpkg/.zip points)")
    site.add_argument("--count", type=int, required=True, help="how many new sites")
    site.add_argument("--radius", type=float, required=True, help="metres on foot")
    site.add_argument("--profile", choices=PROFILES, default="walk")
    site.add_argument("--solver", choices=SOLVERS, default="highs")
    site.add_argument("--time-limit", type=float, help="seconds per solve; then the gap is given")
    site.add_argument(
        "--all-candidates",
        action="store_true",
        help="write unchosen candidates too (chosen: false)",
    )
    site.add_argument("--out", required=True, help="chosen sites as .geojson")
    declare_files(
        site, inputs=("projects", "network", "candidates", "existing"), suffixes=(".geojson",)
    )
    site.set_defaults(func=_site)
