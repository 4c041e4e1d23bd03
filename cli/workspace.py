"""
The workspace (:mod:`store`): ``atlas db``, ``datasets``, ``history``, ``diff``.

``--save`` and ``--dataset`` of the commands that read files are theirs
(:func:`cli._common.add_save_options`, :func:`cli._common.add_dataset_option`).
"""

from __future__ import annotations

import argparse
import json

from cli._common import acting_user, add_user_option
from store import open_workspace
from store.changes import summary as change_summary
from store.names import version_number


def _db(args: argparse.Namespace) -> int:
    """``atlas db init|upgrade|status|backup|restore``: the workspace itself."""
    with open_workspace() as workspace:
        if args.action == "init":
            result = workspace.init()
        elif args.action == "upgrade":
            before, after = workspace.upgrade(user=acting_user(args, workspace))
            result = {"where": workspace.where, "schema_before": before, "schema": after}
        elif args.action == "status":
            result = workspace.status()
        elif args.action == "backup":
            user = acting_user(args, workspace)
            result = {"backup": args.file, **workspace.backup(args.file, user=user)}
        else:
            user = acting_user(args, workspace)
            restored = workspace.restore(args.file, replace=args.replace, user=user)
            result = {"restored": args.file, **restored}
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _datasets(args: argparse.Namespace) -> int:
    """``atlas datasets``: the saved datasets the account may read, one JSON line each."""
    with open_workspace() as workspace:
        for dataset in workspace.list_datasets(user=acting_user(args, workspace)):
            print(json.dumps(dataset, ensure_ascii=False))
    return 0


def _history(args: argparse.Namespace) -> int:
    """``atlas history``: the versions of a dataset, who saved each and when."""
    with open_workspace() as workspace:
        for info in workspace.history(args.dataset, user=acting_user(args, workspace)):
            print(json.dumps(info.to_dict(), ensure_ascii=False))
    return 0


def _diff(args: argparse.Namespace) -> int:
    """``atlas diff``: what changed between two versions of a dataset, row by row, then counts."""
    with open_workspace() as workspace:
        changes = workspace.diff(
            args.dataset,
            args.old,
            args.new,
            covered=not args.every_district,
            user=acting_user(args, workspace),
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


def add_commands(sub) -> None:
    """``atlas db``, ``datasets``, ``history``, ``diff``."""
    db = sub.add_parser("db", help="the workspace database: init, upgrade, status, backup, restore")
    db.add_argument("action", choices=["init", "upgrade", "status", "backup", "restore"])
    db.add_argument("file", nargs="?", help="backup or restore: the backup file (.sqlite)")
    db.add_argument("--replace", action="store_true", help="restore over existing datasets")
    add_user_option(db)
    db.set_defaults(func=_db)
    datasets = sub.add_parser("datasets", help="list the saved datasets")
    add_user_option(datasets)
    datasets.set_defaults(func=_datasets)
    history = sub.add_parser("history", help="every version of a dataset: who, when, counts")
    history.add_argument("dataset")
    add_user_option(history)
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
    add_user_option(diff)
    diff.set_defaults(func=_diff)
