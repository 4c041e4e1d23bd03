"""
``atlas figures extract|read|template``: reported figures from documents and tables.

``extract`` writes the figures a document proposes, one row each with its line, for
review; ``read`` reads a filled-in figures table as ``atlas ingest`` reads a ledger. Either
takes ``--save [--dataset NAME]`` to keep the figures as the next version of a figures
dataset, as the figures page saves them: of a document, the proposals the review's rules
accept (:func:`geo.documents.review.accept_extraction`), with its text and SHA-256; of a
table, its clean rows, with the refused ones as the version's quarantine.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cli._common import (
    acting_user,
    add_user_option,
    declare_files,
    decode_file_name,
    needs_output,
    write_table,
)
from store import open_workspace


def _figures_extract(args: argparse.Namespace) -> int:
    """``atlas figures extract``: a report's proposed figures; ``--save`` keeps the accepted."""
    from geo.documents.extract import propose_figures
    from geo.documents.review import accept_extraction

    needs_output(args, "--out", args.out)
    source = Path(args.document)
    # In a child process bounded in time and memory, as the app reads an upload.
    extraction = propose_figures(source, city=args.city, district=args.district, year=args.year)
    if args.out:
        write_table(extraction.figures, Path(args.out), "figures")
    summary = extraction.summary()
    if args.save:
        accepted, problems = accept_extraction(extraction)
        if accepted.empty:
            raise ValueError(
                f"Expected at least one figure the review accepts in {source.name!r}; got none "
                f"of {len(extraction.figures)} proposals ({len(problems)} accepted but not a "
                "figure). Nothing was saved: write them with --out, review them in the app's "
                "figures page, or save them from a figures table (`atlas figures read`)."
            )
        document = extraction.document
        saved = {"documents": {document.name: document.text()}, "file_name": document.name}
        summary |= _save(args, source, accepted, **saved)
        summary |= {"accepted": len(accepted), "problems": problems.to_dict("records")}
    print(json.dumps(summary, ensure_ascii=False, default=str))
    return 0


def _figures_read(args: argparse.Namespace) -> int:
    """``atlas figures read``: a filled-in figures table, its refused rows in ``--report``."""
    from geo.documents.table import read_figure_table
    from layers.wording import quarantine_messages

    needs_output(args, "--out and --report", args.out and args.report)
    source = Path(args.table)
    table = read_figure_table(source, sheet=args.sheet, city=args.city)
    if args.out:
        write_table(table.figures, Path(args.out), "figures")
    if args.report:
        # Worded as a figures table words its codes (a ledger's words would say 区县, not 地区).
        report = quarantine_messages(table.quarantine, "figures")
        write_table(report, Path(args.report), "quarantine")
    summary = table.summary()
    if args.save:
        if table.figures.empty:
            raise ValueError(
                f"Expected at least one clean figure in {source.name!r}; got none of "
                f"{len(table.quarantine)} rows. Nothing was saved: see why with --report."
            )
        file_name = decode_file_name(source.name)
        summary |= _save(args, source, table.figures, file_name=file_name,
                         quarantine=table.quarantine)  # fmt: skip
    print(json.dumps(summary, ensure_ascii=False, default=str))
    return 0


def _save(args: argparse.Namespace, source: Path, figures, **kwargs) -> dict[str, object]:
    """Save ``figures`` as the next version of ``--dataset`` (default: the file's name)."""
    name = (args.dataset or Path(decode_file_name(source.name)).stem).strip()
    with open_workspace() as workspace:
        user = acting_user(args, workspace)
        info = workspace.save_figures(
            figures, name=name, user=user, data=source.read_bytes(), **kwargs
        )
    return {
        "dataset": info.dataset,
        "version": info.version,
        "saved": info.clean,
        "saved_quarantined": info.quarantined,
        "saved_by_reason": info.by_reason,
    }


def _figures_template(args: argparse.Namespace) -> int:
    """``atlas figures template``: the blank figures table (Excel) with its guide sheet."""
    from geo.documents.table import template_bytes

    out = Path(args.out)
    out.write_bytes(template_bytes())
    print(json.dumps({"out": str(out), "bytes": out.stat().st_size}, ensure_ascii=False))
    return 0


def _add_save_options(parser: argparse.ArgumentParser) -> None:
    """``--save``, ``--dataset`` and ``--user``: keep the figures in the workspace."""
    parser.add_argument(
        "--save", action="store_true", help="save the figures in the workspace, as the page does"
    )
    parser.add_argument("--dataset", help="figures dataset to save into (default: file name)")
    add_user_option(parser)


def add_commands(sub) -> None:
    """``atlas figures extract|read|template``."""
    figures_cmd = sub.add_parser("figures", help="reported figures from documents and tables")
    commands = figures_cmd.add_subparsers(dest="figures_command", required=True)
    extract = commands.add_parser("extract", help="propose the figures of a .txt/.docx/.pdf")
    extract.add_argument("document", help="the document: .txt, .docx or .pdf with a text layer")
    extract.add_argument("--city", help="the document's city, if it does not say (e.g. 洛阳市)")
    extract.add_argument("--district", help="the issuing district, if the figures are its own")
    extract.add_argument("--year", type=int, help="the document's year, if it prints none")
    extract.add_argument("--out", help="proposed figures: .csv or .xlsx")
    _add_save_options(extract)
    declare_files(extract, inputs=("document",))
    extract.set_defaults(func=_figures_extract)
    read = commands.add_parser("read", help="read a filled-in figures table (CSV/XLSX)")
    read.add_argument("table", help="the figures table, .csv or .xlsx")
    read.add_argument("--sheet", help="XLSX sheet name (default: the first sheet)")
    read.add_argument("--city", help="the city of rows whose 城市 cell is empty")
    read.add_argument("--out", help="clean figures: .csv or .xlsx")
    read.add_argument("--report", help="quarantined rows: .csv or .xlsx")
    _add_save_options(read)
    declare_files(read, inputs=("table",), outputs=("out", "report"))
    read.set_defaults(func=_figures_read)
    template = commands.add_parser("template", help="write the blank figures table (.xlsx)")
    template.add_argument("--out", required=True, help="output .xlsx")
    declare_files(template, suffixes=(".xlsx",))
    template.set_defaults(func=_figures_template)
