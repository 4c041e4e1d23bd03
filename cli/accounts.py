"""
Accounts of a team server: ``atlas user``, ``audit``, ``publish``, ``serve``.

Every workspace command takes ``--user NAME`` (:func:`cli._common.add_user_option`); the
password comes from ``$ATLAS_PASSWORD`` or a prompt, a new account's from
``$ATLAS_NEW_PASSWORD`` or a prompt (typed twice).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from cli._common import acting_user, add_user_option, new_password
from store import open_workspace, parse_ref


def _user_command(args: argparse.Namespace) -> int:
    """``atlas user add|list|passwd|disable|unlock``: the accounts of a team server."""
    if args.action != "list" and not args.name:
        raise ValueError(f"Expected the account's NAME: atlas user {args.action} NAME.")
    with open_workspace() as workspace:
        acting = acting_user(args, workspace)
        if args.action == "add":
            made = workspace.add_account(
                args.name, role=args.role, password=new_password(args.name), city=args.city,
                districts=args.district or (), user=acting,
            )  # fmt: skip
            found = [made]
        elif args.action == "passwd":
            own = acting is not None and acting.name == args.name
            current = args._password if own else None
            changed = workspace.set_password(
                args.name, new_password(args.name), current=current, user=acting
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
    """``atlas audit``: who saved, published or changed an account, and when, oldest first."""
    with open_workspace() as workspace:
        log = workspace.audit_log(
            user=acting_user(args, workspace),
            limit=args.limit,
            actor=args.actor,
            action=args.action,
        )
    for row in reversed(log.to_dict("records")):  # oldest first, as a log reads
        row["at"] = row["at"].isoformat(timespec="seconds") + "Z"
        print(json.dumps(row, ensure_ascii=False, default=str))
    return 0


def _publish(args: argparse.Namespace) -> int:
    """``atlas publish NAME@V``: make a saved version the one every reader sees (or withdraw it)."""
    name, version = parse_ref(args.ref)
    if version is None:
        raise ValueError(f"Expected NAME@VERSION to publish (e.g. {name}@3), got {args.ref!r}.")
    with open_workspace() as workspace:
        user = acting_user(args, workspace)
        info = workspace.publish(name, version, user=user, withdraw=args.withdraw)
    print(json.dumps({"published": not args.withdraw, "ref": info.ref}, ensure_ascii=False))
    return 0


def _serve(args: argparse.Namespace) -> int:
    """
    ``atlas serve``: the app on ``--address``, refused off loopback without ATLAS_AUTH=on.

    It runs `streamlit run server.py` (app.py and the login routes that set the session
    cookie).

    Streamlit's server (uvicorn) believes X-Forwarded-For only from ATLAS_TRUSTED_PROXIES:
    unset, from no one (uvicorn's own default believes loopback).
    """
    from store.auth import ENV_UVICORN, check_server_address, forwarded_allow_ips

    check_server_address(args.address)
    env = os.environ | {ENV_UVICORN: forwarded_allow_ips()}
    app = Path(__file__).resolve().parent.parent / "server.py"
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.address",
               args.address, "--server.port", str(args.port), "--server.headless", "true",
               "--browser.gatherUsageStats", "false"]  # fmt: skip
    return subprocess.call(command, env=env)


def add_commands(sub) -> None:
    """``atlas user``, ``audit``, ``publish``, ``serve``."""
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
    add_user_option(user)
    user.set_defaults(func=_user_command)
    audit = sub.add_parser("audit", help="who saved, restored, changed accounts, logged in")
    audit.add_argument("--limit", type=int, default=1000, help="newest rows (default 1000)")
    audit.add_argument("--actor", help="only this account (or name typed at a login)")
    audit.add_argument("--action", help="only this action (save, login_failed, ...)")
    add_user_option(audit)
    audit.set_defaults(func=_audit)
    publish = sub.add_parser("publish", help="let every account read a version")
    publish.add_argument("ref", metavar="NAME@VERSION")
    publish.add_argument("--withdraw", action="store_true", help="unpublish it")
    add_user_option(publish)
    publish.set_defaults(func=_publish)
    serve = sub.add_parser("serve", help="the app; off loopback only with ATLAS_AUTH=on")
    serve.add_argument("--address", default="localhost")
    serve.add_argument("--port", type=int, default=8501)
    serve.set_defaults(func=_serve)
