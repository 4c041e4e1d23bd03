"""
Backup and restore: every dataset and version, row for row, through an embedded workspace file.

A backup is itself a workspace file (SQLite, the current schema), so a backup of a PostGIS
workspace restores into the embedded file and back: rows are read and written with the same
code as saving, geometry as WKB, JSON as JSON. Both directions end with a check of every
version, in the same transaction: the stored file's SHA-256 equals the one recorded when it
was saved, and the clean and quarantined rows number what the version says. A backup is
written beside its target and renamed when whole; a restore is one transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import URL, Connection

from store import _rows
from store.errors import StoreError
from store.schema import DATA_TABLES, ROWS_TABLE, datasets, files, quarantine, versions

__all__ = ["backup", "restore"]


def backup(workspace, path: Path) -> dict[str, int]:
    """Copy ``workspace`` into a new workspace file at ``path``; returns the counts."""
    if path.exists():
        raise StoreError(f"{path} exists; a backup never overwrites a file. Choose a new name.")
    if not path.parent.is_dir():
        raise StoreError(f"Cannot write {path}: the folder {path.parent} does not exist.")
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    # A backup is a workspace file of the same kind of Workspace as the one copied.
    target = type(workspace)(URL.create("sqlite", database=str(partial)))
    try:
        target.upgrade()
        with workspace._begin(snapshot=True) as source, target._begin(write=True) as into:
            counts = _copy(source, into)
            _verify(into, ROWS_TABLE)
    except BaseException:
        target.close()
        partial.unlink(missing_ok=True)
        raise
    target.close()
    # One self-contained file: fold the write-ahead log back in before the rename.
    with contextlib.closing(sqlite3.connect(partial)) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
    partial.replace(path)
    return counts


def restore(workspace, path: Path, *, replace: bool = False, record=None) -> dict[str, int]:
    """
    Copy every version of the backup at ``path`` into ``workspace``, in one transaction.

    The workspace must hold no dataset, unless ``replace``: then its datasets are deleted
    first, in the same transaction, so a failed restore leaves them as they were.
    ``record(connection, counts)`` runs in that transaction before it commits (the audit).
    """
    if not path.is_file():
        raise StoreError(f"Expected a backup file from `atlas db backup`; {path} is missing.")
    source = type(workspace)(URL.create("sqlite", database=str(path)))
    try:
        state = source.status()
        if state["state"] != "ok":
            raise StoreError(
                f"{path} is not a backup this atlas can restore (schema {state['schema']!r}, "
                f"expected {state['head']!r}). Restore it with the atlas that wrote it."
            )
        with source._begin() as reading, workspace._begin(write=True) as into:
            held = into.execute(select(func.count()).select_from(datasets)).scalar()
            if held and not replace:
                raise StoreError(
                    f"The workspace {workspace.where} already holds {held} datasets; restore "
                    "into an empty workspace, or pass --replace to delete them first (in the "
                    "same transaction)."
                )
            into.execute(delete(datasets))
            counts = _copy(reading, into)
            _verify(into, ROWS_TABLE)
            if record is not None:
                record(into, counts)
    finally:
        source.close()
    return counts


def _copy(source: Connection, into: Connection) -> dict[str, int]:
    """
    Append every dataset and version of ``source`` to ``into``, ids renumbered.

    Returns how many datasets and versions, and the versions' rows (clean + quarantined).
    """
    dataset_ids = {}
    for row in source.execute(select(datasets).order_by(datasets.c.id)).mappings():
        values = {k: v for k, v in row.items() if k != "id"}
        dataset_ids[row["id"]] = into.execute(insert(datasets).values(values)).inserted_primary_key[
            0
        ]
    count = rows = 0
    for row in source.execute(select(versions).order_by(versions.c.id)).mappings().all():
        values = {k: v for k, v in row.items() if k != "id"}
        values["dataset_id"] = dataset_ids[row["dataset_id"]]
        version_id = into.execute(insert(versions).values(values)).inserted_primary_key[0]
        for table in DATA_TABLES:
            names = [c.name for c in table.columns if c.name != "version_id"]
            order = [c for c in table.primary_key.columns if c.name != "version_id"]
            columns = _rows.read_rows(source, table, names, table.c.version_id == row["id"], order)
            if "geom" in columns:
                columns["geom"] = shapely.from_wkb(np.asarray(columns["geom"], dtype=object))
            size = len(columns[names[0]])
            _rows.write_rows(into, table, {"version_id": [version_id] * size} | columns)
        count += 1
        rows += row["rows"]
    return {"datasets": len(dataset_ids), "versions": count, "rows": rows}


def _verify(conn: Connection, rows_tables: dict) -> None:
    """Each version's file hashes to its SHA-256 and its rows number its counts."""
    for version in conn.execute(select(versions)).mappings().all():
        content = conn.execute(
            select(files.c.content).where(files.c.version_id == version["id"])
        ).scalar()
        digest = None if content is None else hashlib.sha256(bytes(content)).hexdigest()
        found = {}
        for name, table in {"clean": None, "quarantined": quarantine}.items():
            tables = rows_tables.values() if table is None else [table]
            found[name] = sum(
                conn.execute(
                    select(func.count()).select_from(t).where(t.c.version_id == version["id"])
                ).scalar()
                for t in tables
            )
        if digest != version["sha256"] or found != {
            "clean": version["clean"],
            "quarantined": version["quarantined"],
        }:
            raise StoreError(
                f"Version {version['number']} of dataset id {version['dataset_id']} did not "
                f"copy whole (SHA-256 {digest} vs {version['sha256']}, rows {found}); nothing "
                "was changed. Report this with the backup file."
            )
