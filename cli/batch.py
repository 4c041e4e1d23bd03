"""
``atlas batch reach|indicators|coverage``: one task per city over a province or all of China.

    atlas batch reach|indicators|coverage (--province 河南省 | --all) --osm EXTRACT
                --ledger NAME[@V]|FILE --out DIR/ [--profile P ...] [--radius R ...]
                [--workers N] [--scheduler tcp://HOST:8786] [--drop-cuts]

The command's options and handler (:func:`add_commands`, listed in :data:`cli.COMMANDS`).
The work is :func:`geo.batch.run_batch`'s: a line per city
on stderr as it ends, then one JSON line of counts by status on stdout; exit 0 when no city
failed, 3 when some did (the others are written, and a re-run skips them).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cli._common import declare_files

__all__ = ["add_commands"]

#: Exit status when some cities failed (2 is a usage error, 1 a bug).
EXIT_SOME_FAILED = 3
_LEDGER_FILES = (".csv", ".xlsx", ".gpkg", ".geojson")


def _ledger(text: str):
    """The projects of a ledger file (read as `atlas ingest` reads it) or a saved ledger."""
    from geo import records

    path = Path(text)
    if path.suffix.lower() in _LEDGER_FILES:
        if path.suffix.lower() in (".gpkg", ".geojson"):
            return records.read_projects(path)
        return records.read_ledger(path).projects
    from store.loaded import existing_workspace, open_ledger

    workspace = existing_workspace()
    if workspace is None:
        raise ValueError(
            f"Expected a ledger file ({', '.join(_LEDGER_FILES)}) or a saved ledger NAME[@V]; "
            f"got {text!r} and there is no workspace. Save it with `atlas ingest FILE --save`."
        )
    try:
        opened = open_ledger(workspace, text)
    finally:
        workspace.close()
    if opened is None:
        raise ValueError(f"Expected a saved ledger named {text!r}; the workspace has none.")
    return opened.content.projects


def _say(row: dict, ended: int, total: int) -> None:
    """One line per city as it ends: where it stands, counts, seconds, or why it failed."""
    line = f"[{ended}/{total}] {row['province']} {row['city']}: {row['status']}"
    if row["status"] == "failed":
        line += f" ({row['error_code']}: {row['error']})"
    elif row["status"] == "done":
        line += f", {row['communities']} communities, {row['seconds']:.1f} s"
    print(line, file=sys.stderr, flush=True)


def _options(args: argparse.Namespace) -> dict:
    """
    ``--profile`` and ``--radius`` as the single-city commands take them, for each task.

    ``reach``: profiles (repeatable, default walk and wheelchair) and radii in metres;
    ``indicators``: one profile (default walk) and ``CATEGORY=METRES`` radii, as
    ``atlas indicators``; ``coverage``: radii in metres and no profile (straight lines).
    """
    from cli.indicators import _radius_settings
    from geo import lifecircle

    profiles = tuple(dict.fromkeys(args.profile or ()))
    radii = args.radius or []
    if args.task == "indicators":
        if len(profiles) > 1 or not set(profiles) <= set(lifecircle.PROFILES):
            raise ValueError(
                f"Expected one --profile for indicators, {' or '.join(lifecircle.PROFILES)}; "
                f"got {', '.join(profiles)}. Run the batch once per profile, each into its "
                "own --out folder."
            )
        return {"profile": profiles[0] if profiles else "walk",
                "radii_by_category": _radius_settings(radii)}  # fmt: skip
    if args.task == "coverage" and profiles:
        raise ValueError(
            "Expected no --profile for coverage: its distances are straight lines. "
            "Use the reach task for distances on foot."
        )
    options: dict[str, object] = {}
    if profiles:
        options["profiles"] = profiles
    if radii:
        options["radii"] = tuple(_metres(r) for r in radii)
    return options


def _metres(text: str) -> int:
    """A ``--radius`` of reach or coverage: whole metres, above zero."""
    try:
        metres = int(text)
    except ValueError:
        metres = 0
    if metres <= 0:
        raise ValueError(f"Expected --radius in whole metres above zero (e.g. 500); got {text!r}.")
    return metres


def _batch(args: argparse.Namespace) -> int:
    """``atlas batch``: one task for every city of a province or of China; 3 if any city failed."""
    from geo import batch, boundaries, gazetteer

    boundaries.build_boundaries()
    province = None if args.all else gazetteer.resolve_province(args.province)["province"]
    if args.workers < 1:
        raise ValueError(f"Expected --workers to be 1 or more; got {args.workers}.")
    options = _options(args)
    table = batch.run_batch(
        args.task,
        Path(args.osm),
        _ledger(args.ledger),
        Path(args.out),
        province=province,
        workers=args.workers,
        scheduler=args.scheduler,
        options=options,
        progress=_say,
        keep_cuts=not args.drop_cuts,
    )
    counts = {status: int((table["status"] == status).sum()) for status in batch.STATUSES}
    summary = {"task": args.task, "cities": len(table), **counts, "out": str(args.out)}
    print(json.dumps(summary, ensure_ascii=False))
    return EXIT_SOME_FAILED if counts["failed"] else 0


def add_commands(sub) -> None:
    """``atlas batch``."""
    from geo.batch import TASKS
    from geo.network import PROFILES

    command = sub.add_parser("batch", help="reach, indicators or coverage for every city at once")
    command.add_argument("task", choices=TASKS)
    where = command.add_mutually_exclusive_group(required=True)
    where.add_argument("--province", help="every city of a province, e.g. 河南省")
    where.add_argument("--all", action="store_true", help="every city of China")
    command.add_argument("--osm", required=True, help=".osm.pbf or .osm covering the cities")
    command.add_argument(
        "--ledger", required=True, metavar="NAME[@V]|FILE", help="saved ledger or ledger file"
    )
    command.add_argument("--out", required=True, help="output folder (GeoParquet and summary)")
    command.add_argument(
        "--profile",
        action="append",
        choices=PROFILES,
        help="walking profile (reach: repeatable, default walk and wheelchair; indicators: one)",
    )
    command.add_argument(
        "--radius",
        action="append",
        metavar="METRES|CATEGORY=METRES",
        help="radius in metres (reach, coverage; repeatable) or a category's (indicators)",
    )
    command.add_argument("--workers", type=int, default=1, help="local processes (default 1)")
    command.add_argument(
        "--scheduler", metavar="tcp://HOST:8786", help="a dask.distributed scheduler to use"
    )
    command.add_argument(
        "--drop-cuts",
        action="store_true",
        help="remove OUT/cuts/ (each city's part of the extract) once the run ends",
    )
    # --out is a folder (GeoParquet and the summary): only the extract is a checked file.
    declare_files(command, inputs=("osm",), outputs=())
    command.set_defaults(func=_batch)
