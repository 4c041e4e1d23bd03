"""
Backup and restore: every dataset and version, row for row, through an embedded workspace file.

A backup is itself a workspace file (SQLite), so a backup of a PostGIS workspace restores
into the embedded file and back: rows are read and written with the same code as saving,
geometry as WKB, JSON as JSON. A backup is written in a private folder beside its target and
linked into place when whole (:func:`store._files.build`): a full disk or a failure leaves
nothing behind, and no file of anyone else's is touched.

A backup is read-only and immutable while it is restored (SQLite's ``mode=ro&immutable=1``),
so restoring never changes it; one of an earlier schema is copied to a temporary file and
upgraded there with the migrations first. Before anything is written, the backup is checked
whole, and refused with every problem found: SQLite's integrity check, rows whose owner is
missing, rows that break a CHECK or NOT NULL rule, text that is not UTF-8, and per version
its file's SHA-256 and size, its clean and quarantined counts against its rows, and its
Parquet snapshots (what loading reads) against its rows. The restore is then one transaction
that ends with the same SHA-256 and count check of every version written.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
import sqlite3
import tempfile
import typing
from collections.abc import Callable, Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from sqlalchemy import CheckConstraint, Table, delete, func, insert, or_, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import URL, Connection, Engine, RowMapping
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement, TextClause

from store import _bulk, _columns, _engine, _files, migrate
from store.errors import StoreError
from store.schema import (
    DATA_TABLES,
    ROWS_TABLE,
    datasets,
    files,
    metadata,
    quarantine,
    snapshots,
    versions,
)


class _Workspace(typing.Protocol):
    """What a backup or a restore uses of :class:`store.workspace.Workspace`, which calls it."""

    where: str

    def _begin(
        self, *, write: bool = False, check: bool = True, snapshot: bool = False
    ) -> contextlib.AbstractContextManager[Connection]: ...


__all__ = ["backup", "restore"]

#: How many problems a refused backup lists.
SHOWN = 10
# The snapshot of infrastructure rows keeps each feature's district (store.workspace).
_FEATURE_ADCODE = "__atlas_district__"


def backup(workspace: _Workspace, path: Path) -> dict[str, int]:
    """Copy ``workspace`` into a new workspace file at ``path``; returns the counts."""
    where = URL.create("sqlite", database=str(path))
    with _files.build(path) as partial:
        target = _engine.make_engine(URL.create("sqlite", database=str(partial)), mode="rwc")
        try:
            with _engine.errors(where), target.begin() as into:
                migrate.upgrade(into)
            # The backup's errors inside the workspace's: a full disk names the backup.
            with (
                workspace._begin(snapshot=True) as source,
                _engine.errors(where),
                target.begin() as into,
            ):
                counts = _copy(source, into)
                _verify(into, ROWS_TABLE)
            # One self-contained file: fold the write-ahead log back in before the link
            # (outside any transaction, so on the driver's own connection).
            with _engine.errors(where), contextlib.closing(target.raw_connection()) as raw:
                # The backup is an SQLite file: its driver connection is sqlite3's.
                typing.cast(sqlite3.Connection, raw.driver_connection).execute(
                    "PRAGMA journal_mode = DELETE"
                )
        finally:
            target.dispose()
    return counts


def restore(
    workspace: _Workspace,
    path: Path,
    *,
    replace: bool = False,
    record: Callable[[Connection, dict[str, int]], None] | None = None,
) -> dict[str, int]:
    """
    Copy every version of the backup at ``path`` into ``workspace``, in one transaction.

    The backup is checked whole first, and never changed. The workspace must hold no
    dataset, unless ``replace``: then its datasets are deleted first, in the same
    transaction, so a failed restore leaves them as they were. ``record(connection,
    counts)`` runs in that transaction before it commits (the audit).
    """
    with _readable(path) as source:
        where = URL.create("sqlite", database=str(path))
        with _engine.errors(where), _refusing(path), source.connect() as reading:
            _check_whole(reading, path)
            with workspace._begin(write=True) as into:
                held = into.execute(select(func.count()).select_from(datasets)).scalar()
                if held and not replace:
                    raise StoreError(
                        f"The workspace {workspace.where} already holds {held} datasets; "
                        "restore into an empty workspace, or pass --replace to delete them "
                        "first (in the same transaction).",
                        code="restore_not_empty",
                        details={"where": workspace.where, "datasets": str(held)},
                    )
                into.execute(delete(datasets))
                counts = _copy(reading, into)
                _verify(into, ROWS_TABLE)
                if record is not None:
                    record(into, counts)
    return counts


def _refused(path: Path, problems: list[str], code: str = "backup_refused") -> StoreError:
    listed = "; ".join(problems[:SHOWN])
    more = f" (and {len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
    return StoreError(
        f"{path} is not a backup atlas can restore: {listed}{more}. Nothing was restored. "
        "Restore another backup, or ask whoever made this one (`atlas db backup`) for a new "
        "one.",
        code=code,
        details={"where": str(path), "problems": listed + more},
    )


@contextlib.contextmanager
def _readable(path: Path) -> Iterator[Engine]:
    """
    The backup as a read-only engine at this atlas's schema.

    A backup of this schema is read in place, immutable; one of an earlier schema is copied
    to a temporary folder and upgraded there.
    """
    if not path.is_file():
        raise StoreError(
            f"Expected a backup file from `atlas db backup`; {path} is missing.",
            code="backup_missing",
            details={"where": str(path)},
        )
    with path.open("rb") as file:
        head = file.read(len(_files.HEADER))
    if head != _files.HEADER:
        raise _refused(path, [f"it is not an SQLite file (its first bytes are {head!r})"])
    where = URL.create("sqlite", database=str(path))
    engine = _engine.make_engine(where, mode="ro")
    try:
        with _engine.errors(where), engine.connect() as conn:
            current = migrate.revision(conn)
        if current == migrate.head():
            yield engine
            return
        if current not in migrate.known():
            problem = (
                "it holds no atlas tables"
                if current is None
                else f"its schema {current!r} is newer than this atlas knows "
                f"(up to {migrate.head()!r}); restore it with the atlas that wrote it"
            )
            raise _refused(path, [problem])
    finally:
        engine.dispose()
    with _upgraded_copy(path) as upgraded:
        yield upgraded


@contextlib.contextmanager
def _upgraded_copy(path: Path) -> Iterator[Engine]:
    """A backup of an earlier schema, copied and brought to this atlas's with the migrations."""
    with tempfile.TemporaryDirectory(prefix="atlas-restore-") as folder:
        copy = Path(folder) / path.name
        with _files.disk_errors(copy):
            shutil.copyfile(path, copy)
        url = URL.create("sqlite", database=str(copy))
        engine = _engine.make_engine(url, mode="rw")
        try:
            with _engine.errors(url), _refusing(path), engine.begin() as conn:
                migrate.upgrade(conn)
            yield engine
        finally:
            engine.dispose()


@contextlib.contextmanager
def _refusing(path: Path) -> Iterator[None]:
    """A value SQLite cannot give as text (not UTF-8) refuses the backup, naming it."""
    try:
        yield
    except DBAPIError as exc:
        message = str(exc.orig).splitlines()[0] if exc.orig is not None else ""
        if "Could not decode to UTF-8" not in message:
            raise
        # SQLite's message carries the text itself, mangled: name the column only.
        column = re.search(r"column '([^']*)'", message)
        where = f" (column {column.group(1)!r})" if column else ""
        raise _refused(path, [f"it holds text that is not UTF-8{where}"]) from None


def _check_whole(conn: Connection, path: Path) -> None:
    """Refuse a backup that is damaged, inconsistent or forged, listing what is wrong."""
    problems = [
        f"SQLite's integrity check says: {row[0]}"
        for row in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()
        if row[0] != "ok"
    ]
    if problems:
        raise _refused(path, problems)
    problems += _orphans(conn) + _broken_rules(conn)
    if problems:
        raise _refused(path, problems)
    problems += _version_problems(conn)
    if problems:
        raise _refused(path, problems)


def _orphans(conn: Connection) -> list[str]:
    """Rows whose owning row (a version, a dataset) is not in the backup."""
    found: dict[tuple[str, str], int] = {}
    for table, _rowid, parent, _key in conn.exec_driver_sql("PRAGMA foreign_key_check"):
        found[(table, parent)] = found.get((table, parent), 0) + 1
    return [
        f"{count} row(s) of {table} belong to no row of {parent}"
        for (table, parent), count in sorted(found.items())
    ]


def _broken_rules(conn: Connection) -> list[str]:
    """Rows that break a table's CHECK or NOT NULL rules (SQLite can be told to skip them)."""
    problems = []
    present = set(sa_inspect(conn).get_table_names())
    for table in metadata.sorted_tables:
        if table.name not in present:
            continue
        rules: dict[str, ColumnElement[bool] | TextClause] = {
            # The rule as the schema writes it, negated: rows that break it.
            f"the rule {rule.sqltext}": text(f"NOT ({rule.sqltext})")
            for rule in table.constraints
            if isinstance(rule, CheckConstraint)
        }
        required = [column for column in table.columns if not column.nullable]
        if required:
            rules["a value in every required column"] = or_(*(c.is_(None) for c in required))
        if not rules:
            continue
        counts = conn.execute(
            select(*(func.count().filter(where) for where in rules.values())).select_from(table)
        ).one()
        problems += [
            f"{count} row(s) of {table.name} break {rule}"
            for rule, count in zip(rules, counts, strict=True)
            if count
        ]
    return problems


def _version_problems(conn: Connection) -> list[str]:
    """Per version: its file against its SHA-256 and size, its rows against counts, snapshots."""
    problems = []
    listed = conn.execute(
        select(versions, datasets.c.name.label("dataset"), datasets.c.kind)
        .join(datasets, datasets.c.id == versions.c.dataset_id)
        .order_by(versions.c.id)
    ).mappings()
    for version in listed.all():
        ref = f"{version['dataset']}@{version['number']}"
        try:
            found = _one_version(conn, version)
        except (KeyError, TypeError, ValueError) as exc:
            # A record whose frames or counts atlas did not write (JSON of another shape).
            found = [f"its record is not one atlas wrote ({type(exc).__name__}: {exc})"]
        problems += [f"{ref}: {problem}" for problem in found]
    return problems


def _one_version(conn: Connection, version: RowMapping) -> list[str]:
    content = conn.execute(
        select(files.c.content).where(files.c.version_id == version["id"])
    ).scalar()
    data = None if content is None else bytes(content)
    digest = None if data is None else hashlib.sha256(data).hexdigest()
    problems = []
    if digest != version["sha256"] or (data is not None and len(data) != version["size"]):
        problems.append(
            f"its file hashes to {digest} ({None if data is None else len(data)} bytes), not "
            f"the recorded {version['sha256']} ({version['size']} bytes)"
        )
    parts = {"rows": ROWS_TABLE[version["kind"]], "quarantine": quarantine}
    expected = {"rows": version["clean"], "quarantine": version["quarantined"]}
    for part, table in parts.items():
        spec = version["frames"][part]
        stored = _table_frame(conn, table, version["id"], spec)
        if len(stored) != expected[part]:
            kind = "clean" if part == "rows" else "quarantined"
            problems.append(f"{len(stored)} {kind} rows, not the recorded {expected[part]}")
            continue
        problem = _snapshot_problem(conn, version, part, stored, spec)
        if problem:
            problems.append(problem)
    return problems


def _table_frame(conn: Connection, table: Table, version_id: int, spec: list[dict]) -> pd.DataFrame:
    """A saved frame from its table rows (``features`` with their district, as saved)."""
    names = [c["name"] for c in spec if c["at"] == "column"]
    if any(c["at"] == "extra" for c in spec):
        names.append("extra")
    if any(c["at"] == _columns.GEOMETRY for c in spec):
        names.append("geom")
    own = ["adcode"] if table.name == "features" else []
    read = [*names, *own] or ["seq"]
    columns = _bulk.read_rows(conn, table, read, table.c.version_id == version_id, [table.c.seq])
    frame = _columns.decode(columns, spec, len(columns[read[0]]))
    if own:
        frame[_FEATURE_ADCODE] = pd.array(columns["adcode"], dtype="string")
    return frame


def _snapshot_problem(
    conn: Connection, version: RowMapping, part: str, stored: pd.DataFrame, spec: list[dict]
) -> str | None:
    """What is wrong with a version's snapshot of ``part`` against its rows, or None."""
    data = conn.execute(
        select(snapshots.c.parquet, snapshots.c.rows).where(
            snapshots.c.version_id == version["id"], snapshots.c.part == part
        )
    ).first()
    if data is None:
        return f"no {part} snapshot"
    extra = [_FEATURE_ADCODE] if _FEATURE_ADCODE in stored.columns else []
    try:
        snapshot = _columns.from_parquet(bytes(data.parquet), spec, extra=extra)
    except (pa.ArrowException, ValueError, KeyError, OSError) as exc:
        return f"its {part} snapshot is not readable Parquet of its columns ({exc})"
    if extra:
        snapshot[_FEATURE_ADCODE] = snapshot[_FEATURE_ADCODE].astype("string")
    if data.rows != len(stored) or not _comparable(snapshot).equals(_comparable(stored)):
        kind = "clean" if part == "rows" else "quarantined"
        return (
            f"its {part} snapshot ({len(snapshot)} rows) differs from its {len(stored)} {kind} rows"
        )
    return None


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with geometry as WKB bytes, so equality is value for value."""
    out = pd.DataFrame(frame)
    for name in out.columns:
        if isinstance(out[name].dtype, gpd.array.GeometryDtype):
            out[name] = shapely.to_wkb(np.asarray(out[name].array, dtype=object))
    return out


def _copy(source: Connection, into: Connection) -> dict[str, int]:
    """
    Append every dataset and version of ``source`` to ``into``, ids renumbered.

    Returns how many datasets and versions, and the versions' rows (clean + quarantined).
    """
    dataset_ids = {}
    for row in source.execute(select(datasets).order_by(datasets.c.id)).mappings():
        values = {k: v for k, v in row.items() if k != "id"}
        dataset_ids[row["id"]] = _bulk.insert_one(into, insert(datasets).values(values))
    count = rows = 0
    for row in source.execute(select(versions).order_by(versions.c.id)).mappings().all():
        values = {k: v for k, v in row.items() if k != "id"}
        values["dataset_id"] = dataset_ids[row["dataset_id"]]
        version_id = _bulk.insert_one(into, insert(versions).values(values))
        for table in DATA_TABLES:
            names = [c.name for c in table.columns if c.name != "version_id"]
            order = [c for c in table.primary_key.columns if c.name != "version_id"]
            columns = _bulk.read_rows(source, table, names, table.c.version_id == row["id"], order)
            if "geom" in columns:
                columns["geom"] = shapely.from_wkb(np.asarray(columns["geom"], dtype=object))
            size = len(columns[names[0]])
            _bulk.write_rows(into, table, {"version_id": [version_id] * size} | columns)
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
            # A plan's rows are figures: each table counted once, whichever kinds share it.
            tables = dict.fromkeys(rows_tables.values()) if table is None else [table]
            found[name] = sum(
                conn.execute(
                    select(func.count()).select_from(t).where(t.c.version_id == version["id"])
                ).scalar_one()
                for t in tables
            )
        if digest != version["sha256"] or found != {
            "clean": version["clean"],
            "quarantined": version["quarantined"],
        }:
            raise StoreError(
                f"Version {version['number']} of dataset id {version['dataset_id']} did not "
                f"copy whole (SHA-256 {digest} vs {version['sha256']}, rows {found}); nothing "
                "was changed. Report this with the backup file.",
                code="copy_incomplete",
            )
