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
            path = Path(getattr(args, option))
            given[option], quarantine = siting.read_sites(path, crs_name=args.sites_crs)
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
        weigh=args.weigh,
    )
    written = candidates if args.all_candidates else candidates[candidates["chosen"]]
    write_geojson(written.sort_values("order", na_position="last"), out)
    print(json.dumps(result.summary | {"refused_rows": refused}, ensure_ascii=False))
    return 0


def _ranked_rows(args: argparse.Namespace) -> tuple[pd.DataFrame, str, dict]:
    """The communities to rank, which of them are candidates, and the file's quarantine."""
    path = Path(args.candidates or args.projects)
    if path.suffix.lower() in {".gpkg", ".geojson"}:
        rows, refused = records.read_projects(path), {}
    else:
        ledger = records.read_ledger(path, crs_name=args.crs, sheet=args.sheet)
        rows, reasons = ledger.projects, ledger.quarantine.get("reason", pd.Series(dtype=str))
        refused = {"quarantined": len(ledger.quarantine)}
        refused |= {"by_reason": reasons.value_counts().to_dict()}
        if args.report:
            # As `atlas ingest --report`: every quarantined row, its reason and raw cells.
            write_table(ledger.quarantine, Path(args.report), "quarantine")
    # A list of candidates is ranked whole; a ledger by the rows --among names.
    among = "all" if args.candidates else "planned" if args.planned else args.among
    return rows, among, refused


def _list_measures(chosen: pd.DataFrame, osm: Path | None):
    """The candidates' reach gap and life circle on the extract ``osm`` (None: unmeasured)."""
    from geo import facilities, network, priorities

    if osm is None:
        return priorities.measure_list(chosen, None)
    built = network.load_network(osm)
    registry = facilities.load_registry()
    found = facilities.read_osm_facilities(osm, registry=registry, extent=built.extent())
    return priorities.measure_list(
        chosen, built, infra=infra.read_infra(osm), facilities=found, registry=registry
    )


def _priorities(args: argparse.Namespace) -> int:
    """``atlas priorities``: which communities first, each score explained by its parts."""
    from geo import priorities
    from layers.priorities import ranked_file
    from layers.wording import label

    out = Path(args.out)
    boundaries.build_boundaries()
    rows, among, refused = _ranked_rows(args)
    # The page's list and this one alike: the candidates' own reach gap and life circle on the
    # extract's walking network (without --osm, said unmeasured, never 0).
    chosen = priorities.select_candidates(rows, among)
    measures = _list_measures(chosen, Path(args.osm) if args.osm else None)
    ranked = priorities.rank(chosen, among=among, preset=args.preset, measured=measures.frames)
    weights = priorities.PRESETS[args.preset]
    # The very file the 优先 page downloads, worded in --lang.
    write_table(ranked_file(ranked, weights, args.lang), out, label("page_priorities", args.lang))
    summary = {
        "rows": len(rows),
        "among": among,
        "ranked": len(ranked),
        "preset": args.preset,
        "tied": int(ranked["tied"].sum()),
        "parts_without_data": priorities.parts_without_data(ranked),
        "consent_below_80": int(ranked["consent_below_80"].fillna(False).astype(bool).sum()),
        "measured": measures.measured,
        "unmeasured": measures.unmeasured,
    }
    print(json.dumps(summary | refused, ensure_ascii=False))
    return 0


def add_commands(sub) -> None:
    """``atlas priorities`` and ``atlas site``."""
    from geo.priorities import CANDIDATES, PRESETS
    from geo.siting import PROFILES, SITE_TYPES, SOLVERS, WEIGHS

    ranks = sub.add_parser("priorities", help="which communities first: a score explained by parts")
    given = ranks.add_mutually_exclusive_group(required=True)
    given.add_argument("--projects", help="ledger (CSV/XLSX) or `atlas ingest` .gpkg")
    given.add_argument(
        "--candidates",
        help="a list of candidate communities (CSV/XLSX, read as a ledger), ranked whole",
    )
    ranks.add_argument("--crs", help="datum of the file's coordinates: wgs84|cgcs2000|gcj02|bd09")
    ranks.add_argument("--sheet", help="the workbook's sheet (default: the first with a header)")
    ranks.add_argument(
        "--among",
        choices=list(CANDIDATES),
        default="planned",
        help="which rows of --projects to rank: the 计划 rows (default), not yet 完工, or all",
    )
    ranks.add_argument("--planned", action="store_true", help="same as --among planned")
    ranks.add_argument(
        "--osm",
        help="OSM extract (.osm.pbf/.osm): the candidates' wheelchair gap to an accessible stop "
        "and life-circle lacks, measured on its walking network (without it: not scored)",
    )
    ranks.add_argument("--preset", choices=list(PRESETS), default="balanced")
    ranks.add_argument("--lang", choices=["zh", "en"], default="zh", help="the table's language")
    ranks.add_argument("--out", required=True, help="ranked table .csv or .xlsx, as the page's")
    ranks.add_argument("--report", help="the file's quarantined rows: .csv or .xlsx")
    declare_files(
        ranks,
        inputs=("projects", "candidates", "osm"),
        outputs=("out", "report"),
        suffixes={"out": (".csv", ".xlsx"), "report": (".csv", ".xlsx")},
    )
    ranks.set_defaults(func=_priorities)

    site = sub.add_parser("site", help="where N new curb ramps or accessible stops reach most")
    site.add_argument("--projects", required=True, help="ledger (CSV/XLSX) or `atlas ingest` .gpkg")
    site.add_argument("--crs", help="datum of the ledger's coordinates: wgs84|cgcs2000|gcj02|bd09")
    site.add_argument("--network", required=True, help="OSM extract (or `atlas network` .gpkg)")
    site.add_argument("--type", choices=SITE_TYPES, default="curb_ramp", help="facility type")
    site.add_argument("--candidates", help="candidate sites (.geojson/.gpkg/.zip points)")
    site.add_argument("--existing", help="existing sites, kept fixed (.geojson/.gpkg/.zip points)")
    site.add_argument(
        "--sites-crs",
        help="datum of the --candidates and --existing files' lon/lat when they do not say "
        "(GeoJSON without one is WGS84): wgs84|cgcs2000|gcj02|bd09",
    )
    site.add_argument("--count", type=int, required=True, help="how many new sites")
    site.add_argument("--radius", type=float, required=True, help="metres on foot")
    site.add_argument("--profile", choices=PROFILES, default="walk")
    site.add_argument(
        "--weigh",
        choices=WEIGHS,
        default="households",
        help="what a site reaches: households, those of 完工 communities, or elderly residents "
        "(a 老年人数 column)",
    )
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
