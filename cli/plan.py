"""``atlas plan template|plannable|save`` (the annual plan), ``atlas progress`` (its report)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from cli._common import acting_user, add_user_option, declare_files, readable_figures
from layers.export import write_bytes
from layers.spreadsheets import xlsx_bytes
from store import open_workspace


def _plan_template(args: argparse.Namespace) -> int:
    """``atlas plan template``: the blank annual plan table (Excel)."""
    from geo.plans import template_bytes

    out = Path(args.out)
    write_bytes(template_bytes(), out)
    print(json.dumps({"out": str(out), "bytes": out.stat().st_size}, ensure_ascii=False))
    return 0


def _plan_save(args: argparse.Namespace) -> int:
    """``atlas plan save``: save a year's plan, from a filled-in template or the saved figures."""
    from geo import plans

    file = {}
    if args.from_figures == bool(args.file):
        raise ValueError("Expected a plan template FILE, or --from-figures, not both or neither.")
    if args.from_figures:
        if not (args.city and args.year):
            raise ValueError("Expected --city and --year with --from-figures (e.g. 新乡市 2023).")
        plan = plans.plan_from_figures(
            readable_figures(args), city=args.city, year=args.year, start_by=args.start_by,
            finish_by=args.finish_by, checks=tuple(args.check or ()), report_day=args.report_day,
            programme_start=args.programme_start, document=args.document, source=args.source,
        )  # fmt: skip
    else:
        source = Path(args.file)
        plan = plans.read_plan(source, sheet=args.sheet, city=args.city, year=args.year)
        file = {"data": source.read_bytes(), "file_name": source.name}
    with open_workspace() as workspace:
        user = acting_user(args, workspace)
        info = workspace.save_plan(plan, name=args.dataset, user=user, **file)
    print(json.dumps(plan.summary() | {"dataset": info.dataset, "version": info.version},
                     ensure_ascii=False))  # fmt: skip
    return 0


def _plan_plannable(args: argparse.Namespace) -> int:
    """One JSON line per city, year and document the figures can plan, or the reason not."""
    from geo.plans import plannable

    found = plannable(readable_figures(args))
    for row in found.astype(object).where(found.notna(), None).to_dict("records"):
        print(json.dumps(row, ensure_ascii=False))
    return 0


def _progress(args: argparse.Namespace) -> int:
    """``atlas progress``: the plan's progress from the ledger's reports, as of a day."""
    from geo.dates import parse_day
    from geo.progress import overview
    from layers.progress import report_sheets
    from store.loaded import ledger_reports, open_ledger, open_plan

    out, as_of = Path(args.out), parse_day(args.as_of)
    with open_workspace() as workspace:
        user = acting_user(args, workspace)
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


def add_commands(sub) -> None:
    """``atlas plan template|plannable|save`` and ``atlas progress``."""
    plan_cmd = sub.add_parser("plan", help="annual plans: the template, saving a plan")
    commands = plan_cmd.add_subparsers(dest="plan_command", required=True)
    template = commands.add_parser("template", help="write the blank plan template (.xlsx)")
    template.add_argument("--out", required=True, help="output .xlsx")
    declare_files(template, suffixes=(".xlsx",))
    template.set_defaults(func=_plan_template)
    listed = commands.add_parser(
        "plannable", help="the cities, years and documents the figures can plan, or why not"
    )
    add_user_option(listed)
    listed.set_defaults(func=_plan_plannable)
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
    add_user_option(save)
    save.set_defaults(func=_plan_save)
    progress = sub.add_parser("progress", help="a plan's progress as of a day: the monthly report")
    progress.add_argument("--plan", required=True, metavar="NAME[@V]", help="a saved plan")
    progress.add_argument("--ledger", required=True, metavar="NAME[@V]", help="a saved ledger")
    progress.add_argument("--as-of", required=True, metavar="YYYY-MM-DD", help="the day")
    progress.add_argument("--out", required=True, help="the monthly report, .xlsx")
    progress.add_argument("--lang", choices=["zh", "en"], default="zh", help="its language")
    add_user_option(progress)
    declare_files(progress, suffixes=(".xlsx",))
    progress.set_defaults(func=_progress)
