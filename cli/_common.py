"""
What several ``atlas`` commands share.

Their options, the check of their files, the acting account, the workspace's figures and
datasets.

Each command declares its files once (:func:`declare_files`): which options name inputs,
which outputs, and the suffixes ``--out`` may end in. :func:`check_files` refuses a bad
output before any work, for every command alike.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import getpass
import os
import socket
from pathlib import Path

import pandas as pd

from geo import records, selection
from geo.errors import InputError
from layers.export import check_output, write_bytes
from layers.spreadsheets import csv_bytes, xlsx_bytes
from store import Workspace, open_workspace, parse_ref

#: Suffixes an output may end in beside the one its message names (``.json`` for GeoJSON).
_ALIASES = {".geojson": (".json",), ".html": (".htm",)}


def declare_files(
    parser: argparse.ArgumentParser,
    *,
    inputs: tuple[str, ...] = (),
    outputs: tuple[str, ...] = ("out",),
    suffixes: tuple[str, ...] | dict[str, tuple[str, ...]] = (),
) -> None:
    """
    Declare which options of ``parser`` name the files it reads and writes.

    Options by ``dest``, declared before this call; the suffixes an output may end in are a
    tuple (those of ``--out``), a mapping (by output) or none (any), for
    :func:`check_files`.
    """
    flags = {a.dest: max(a.option_strings, key=len, default=a.dest) for a in parser._actions}
    by_output = suffixes if isinstance(suffixes, dict) else {"out": suffixes} if suffixes else {}
    parser.set_defaults(
        files=tuple(tuple((flags[d], d) for d in names) for names in (inputs, outputs)),
        out_suffixes=tuple((flags[d], d, named) for d, named in by_output.items()),
    )


def add_user_option(parser: argparse.ArgumentParser) -> None:
    """``--user``: act as an account of a team server."""
    parser.add_argument(
        "--user", help="act as this account of a team server (password: ATLAS_PASSWORD)"
    )


def add_save_options(parser: argparse.ArgumentParser) -> None:
    """``--save [--dataset NAME] [--dataset-covers ADCODE ...]``: keep the file read."""
    parser.add_argument("--save", action="store_true", help="save it in the workspace")
    parser.add_argument("--dataset", help="dataset to save into (default: file name)")
    parser.add_argument(
        "--dataset-covers",
        action="append",
        metavar="ADCODE",
        help="districts this version replaces (default: those of its rows)",
    )


def add_dataset_option(parser: argparse.ArgumentParser) -> None:
    """``--dataset NAME[@VERSION]`` (repeatable): communities and features from the workspace."""
    parser.add_argument(
        "--dataset",
        action="append",
        metavar="NAME[@VERSION]",
        help="communities (and features) from the workspace: a version, or the current state",
    )


def add_place_options(parser: argparse.ArgumentParser, *, all_seed: bool = False) -> None:
    """The places of a view: ``--city`` (repeatable), ``--province`` or ``--all``."""
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--city", action="append", help="a city (repeatable), e.g. 新乡市")
    where.add_argument("--province", help="every city of a province, e.g. 河南省")
    where.add_argument("--all", action="store_true", help="every city of China")
    if all_seed:
        where.add_argument("--all-seed", action="store_true", help="the five seed cities together")


def _named(suffixes: tuple[str, ...]) -> str:
    """Suffixes for a message: ``.csv or .xlsx``, or a list when more."""
    return " or ".join(suffixes) if len(suffixes) <= 2 else ", ".join(suffixes)


def check_suffix(args: argparse.Namespace) -> None:
    """Refuse an output whose suffix the command does not write."""
    for flag, dest, named in getattr(args, "out_suffixes", ()):
        given = getattr(args, dest, None)
        accepted = {a for s in named for a in (s, *_ALIASES.get(s, ()))}
        if given and Path(given).suffix.lower() not in accepted:
            raise ValueError(f"Expected {flag} to end in {_named(named)}, got {given!r}.")


def _same(a: Path, b: Path) -> bool:
    """Whether two paths name the same file (an output that would overwrite an input)."""
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def check_files(args: argparse.Namespace) -> None:
    """
    Refuse a bad output before any work.

    An output is refused when it is an input, repeated, cannot be written, or ends in a
    suffix the command does not write.
    """
    inputs, outputs = getattr(args, "files", ((), ()))
    given_in = [(flag, Path(v)) for flag, k in inputs if (v := getattr(args, k, None))]
    given_out = [(flag, Path(v)) for flag, k in outputs if (v := getattr(args, k, None))]
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
    check_suffix(args)


def needs_output(args: argparse.Namespace, outputs: str, given) -> None:
    """Refuse a command that would write nothing: no output file given and no ``--save``."""
    if not (given or args.save):
        raise ValueError(f"Expected {outputs}, or --save to keep it in the workspace, or both.")


def readable_figures(args: argparse.Namespace):
    """
    The seed figures and those saved in the workspace, as ``--user`` may read them.

    No workspace is created when there is none.
    """
    from store.loaded import existing_workspace, figures_in_view

    workspace = existing_workspace()
    try:
        user = acting_user(args, workspace) if workspace is not None else None
        return figures_in_view(workspace, user=user)
    finally:
        if workspace is not None:
            workspace.close()


def write_table(frame, path: Path, sheet: str) -> None:
    """Write a table as the planner asked: an Excel sheet for ``.xlsx``, else UTF-8 CSV."""
    data = xlsx_bytes({sheet: frame}) if path.suffix.lower() == ".xlsx" else csv_bytes(frame)
    write_bytes(data, path)


def saved(args: argparse.Namespace, content):
    """
    With ``--save``, save the read file as the next version of ``--dataset``.

    Returns what that version holds (its rows, and those the save quarantined, e.g.
    ``out_of_scope``) and its name, else the content as read and ``{}``. A save with no
    clean row is refused.
    """
    if not args.save:
        return content, {}
    source = Path(args.ledger if isinstance(content, records.Ledger) else args.file)
    file_name = decode_file_name(source.name)
    name = args.dataset or Path(file_name).stem.removesuffix(".osm")
    user = acting_user(args)
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


def stored_layers(refs: list[str], cities: tuple[str, ...] | None, projects, features, user=None):
    """
    Projects and features of ``NAME[@VERSION]`` in ``cities`` (None: all of China).

    A version, or the current state, read in one store query whatever the number of cities.
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
    """A saved ledger's projects or survey's features (a version, or the current state)."""
    if version is None:
        current = workspace.current_projects if kind == "ledger" else workspace.current_features
        return current(dataset=name, city=cities, user=user)
    content = workspace.load(name, version, user=user).content
    rows = content.features if kind == "infra" else content.projects
    if kind == "ledger" and cities is not None:
        rows = selection.filter_projects(rows, cities=cities)
    return rows.assign(dataset=name, version=version)


def acting_user(args: argparse.Namespace, workspace: Workspace | None = None):
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
    A password typed at the terminal (never echoed).

    With no terminal and nothing on the standard input, a usage error that says how to give
    it instead.
    """
    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise ValueError(
            f"Expected {what} from ${variable} or typed at a terminal; got neither (no "
            f"terminal, and the standard input is empty). Set {variable} in the environment "
            "of the command, or run it in a terminal."
        ) from None


def new_password(name: str) -> str:
    """The password to set: ATLAS_NEW_PASSWORD, else typed twice (never echoed, never printed)."""
    given = os.environ.get("ATLAS_NEW_PASSWORD")
    if given:
        return given
    what = f"the new password for {name!r}"
    first = _prompt(f"New password for {name}: ", "ATLAS_NEW_PASSWORD", what)
    if _prompt("Again: ", "ATLAS_NEW_PASSWORD", what) != first:
        raise ValueError("The two passwords differ; nothing was changed. Try again.")
    return first
