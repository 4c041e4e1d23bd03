"""``atlas report reply|sheets``: the reply draft (.docx) and the district atlas (.pdf)."""

from __future__ import annotations

import argparse
import datetime
import json
from pathlib import Path

from cli._common import acting_user, add_user_option, declare_files
from geo import boundaries, gazetteer, selection
from layers.export import write_bytes


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
        user = acting_user(args, workspace) if workspace is not None else None
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
    walked = _network(args, infra_found)
    used["network"] = walked[1].name if walked is not None else None
    return used, report.gather_report(
        figures,
        chosen,
        projects=ledger.content.projects if ledger is not None else None,
        ledger_source=data_source(ledger),
        infra=infra_found.content if infra_found is not None else None,
        infra_source=data_source(infra_found),
        readable=readable,
        network=walked[0] if walked is not None else None,
        network_source=walked[1] if walked is not None else None,
    )


def _network(args: argparse.Namespace, infra_found):
    """The pedestrian network of ``--network`` and what a report cites for it; or ``None``."""
    if not args.network:
        return None
    if infra_found is None:
        raise ValueError(
            "Expected infrastructure to walk to with --network (a saved --infra, or the "
            "workspace's current state), found none. Save it first with `atlas infra FILE --save`."
        )
    from geo import network, report

    path = Path(args.network)
    built = network.build_network(path)
    return built, report.DataSource(path.name, synthetic=report.looks_synthetic([path.name]))


def _report_command(args: argparse.Namespace) -> int:
    """``atlas report reply|sheets``: the reply draft (Word) or the district atlas (PDF)."""
    out = Path(args.out)
    used, gathered = _report_inputs(args)
    today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
    if args.report_command == "reply":
        from layers.reply import reply_docx

        data = reply_docx(gathered, today=today, lang=args.lang)
    else:
        from layers.atlas_pdf import atlas_pdf

        data = atlas_pdf(gathered, today=today, figure=args.figure, lang=args.lang)
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


def add_commands(sub) -> None:
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
        made.add_argument(
            "--network",
            metavar="EXTRACT",
            help="an OSM extract (.osm.pbf/.osm): walking shares along its streets beside the "
            "straight-line ones",
        )
        made.add_argument("--lang", choices=["zh", "en"], default="zh", help="default zh")
        add_user_option(made)
        made.add_argument("--out", required=True, help=f"output {suffix}")
        if name == "sheets":
            made.add_argument(
                "--figure", default="households", help="the figure colouring the cover's map"
            )
        declare_files(made, inputs=("network",), suffixes=(suffix,))
        made.set_defaults(func=_report_command)
