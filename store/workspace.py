"""
The workspace's interface: save versions, list and load them, the current state, changes.

A :class:`Workspace` wraps one database (see :mod:`store._engine` for where it is). Every
write takes the acting ``user``; every save is one transaction, so a save that fails or is
killed leaves the workspace as it was. Versions are numbered 1, 2, … per dataset and never
change once saved; ``name@3`` names one.

The current state of a district is, for each dataset, the rows of the latest version that
covers the district: a monthly ledger covering 卫滨区 (410703) replaces 卫滨区's rows only.

Every method takes the acting ``user``: an :class:`~store.accounts.Account` from
:meth:`Workspace.login` (or :meth:`Workspace.session`), or, in local mode (a workspace
without accounts and without ``ATLAS_AUTH=on``), a name or None for the one local user with
admin rights. Logins, accounts and the audit are administered by the workspace's base
class, :class:`store.admin.Administration`. Roles are enforced here, not only in the pages:
a read the account may not make raises :class:`~store.errors.AccessError`; a save keeps only
the rows of the account's city or districts and quarantines the others as ``out_of_scope``
(see :mod:`store.accounts`).
Saves, restores, publications, account changes and logins are written to the audit in the
transaction of the change.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import (
    LargeBinary,
    Table,
    Text,
    and_,
    cast,
    delete,
    func,
    insert,
    select,
    type_coerce,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, RowMapping
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import NullType

from geo import boundaries
from geo.infra import Infra
from geo.plans import Plan
from geo.records import Ledger
from store import _bulk, _columns, _decoded, _engine, _files, accounts, audit, migrate, schema
from store._draft import REFUSED, Draft
from store._scope import scope_draft as _scope_draft
from store.accounts import Account, acting_user, city_index
from store.admin import Administration, User, as_account, require_admin
from store.errors import (
    AccessError,
    DatasetError,
    SchemaError,
    StoreError,
    UnknownDatasetError,
)
from store.names import normalise_name, version_number
from store.schema import (
    KINDS,
    ROWS_TABLE,
    coverage,
    datasets,
    documents,
    extents,
    files,
    published,
    quarantine,
    snapshots,
    versions,
)

__all__ = [
    "KINDS",
    "Account",
    "SavedFigures",
    "SavedVersion",
    "VersionInfo",
    "Workspace",
    "acting_user",
    "open_workspace",
]

Progress = Callable[[float, str], None]


@dataclasses.dataclass(frozen=True)
class VersionInfo:
    """Who saved a version, when, from which file, and its counts."""

    dataset: str
    kind: str
    version: int
    saved_by: str
    saved_at: datetime.datetime
    file_name: str | None
    sha256: str | None
    size: int | None
    datum: str | None
    rows: int
    clean: int
    quarantined: int
    by_reason: dict[str, int]
    covers: tuple[str, ...]
    note: str | None = None

    @property
    def ref(self) -> str:
        """``dataset@version``, as ``--dataset`` and permalinks name it."""
        return f"{self.dataset}@{self.version}"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: the time in ISO 8601 UTC."""
        out = dataclasses.asdict(self)
        out["saved_at"] = self.saved_at.isoformat(timespec="seconds") + "Z"
        out["covers"] = list(self.covers)
        out["by_reason"] = dict(sorted(self.by_reason.items()))
        return out


@dataclasses.dataclass
class SavedFigures:
    """A figures table (the columns of ``geo.figures.load_figures``) and its documents' text."""

    figures: pd.DataFrame
    documents: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class SavedVersion:
    """One saved version: its record and what was saved (a Ledger, an Infra, a SavedFigures)."""

    info: VersionInfo
    content: Ledger | Infra | SavedFigures | Plan
    data: bytes | None = None


def open_workspace(url: str | URL | None = None) -> Workspace:
    """The workspace of ``url``, ``$ATLAS_DATABASE_URL`` or the embedded default file."""
    return Workspace(url)


class Workspace(Administration):
    """
    One workspace database, embedded SQLite or PostgreSQL + PostGIS, behind one interface.

    Only :meth:`init` (``atlas db init``) creates one: an embedded file that is missing,
    empty, not SQLite, without atlas tables or behind its last recorded commit is refused
    with a :class:`~store.errors.StoreError`, never replaced by an empty workspace (see
    :mod:`store._files`). The embedded file is brought to the current schema on first use;
    a team server's owner decides when to migrate (``atlas db upgrade``).
    """

    def __init__(self, url: str | URL | None = None, *, timeout: float = _engine.TIMEOUT_S):
        self.url = _engine.resolve_url(url)
        self.timeout = timeout
        self.backend = self.url.get_backend_name()
        self.where = _engine.describe(self.url)
        self.engine = _engine.make_engine(self.url, timeout=timeout)
        #: What time it is for logins (their throttle and audit rows); a test sets its own.
        self.clock: Callable[[], datetime.datetime] = audit.now
        self._ready = False
        #: The embedded file, or None on PostgreSQL.
        self.path = _engine.sqlite_path(self.url) if self.backend == "sqlite" else None
        #: Saved versions' snapshots as decoded: one store per process, for every workspace
        #: object of the same database (a server's pages and its start's :meth:`warm`).
        self.decoded = _decoded.SHARED

    def __repr__(self) -> str:
        return f"Workspace({self.where!r})"

    def close(self) -> None:
        """Close the pooled connections."""
        self.engine.dispose()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- connections and schema ---------------------------------------------------------

    @contextlib.contextmanager
    def _begin(
        self, *, write: bool = False, check: bool = True, snapshot: bool = False
    ) -> Iterator[Connection]:
        """
        A transaction on the workspace.

        ``write`` takes SQLite's write lock first; ``snapshot`` reads as of one moment on
        PostgreSQL too (SQLite's read transactions always do).
        """
        if check:
            self._ensure_schema()
        last = None
        with _engine.errors(self.url, timeout=self.timeout), self.engine.connect() as conn:
            conn.execution_options(atlas_write=write)
            if snapshot and self.backend == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn
                if write and check and self.path is not None:
                    last = _last_audit(conn)
        if last is not None and self.path is not None:
            _files.record_commit(self.path, last)  # committed: what a lost -wal would lose

    def _check_file(self) -> None:
        if self.path is not None:
            _files.check(self.path)

    def init(self) -> dict[str, object]:
        """
        Create the workspace if there is none: the embedded file, or a server's atlas tables.

        Never writes over anything: a workspace already there is left as it is (its state
        says whether it needs ``atlas db upgrade``), and an embedded file that is not a
        workspace is refused. Returns where, whether it was created, and the schema state.
        """
        if self.path is not None and not self.path.exists():
            _files.check(self.path, missing_ok=True)
            if self.path == _engine.default_path():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._create_file(self.path)
        elif self.status()["state"] == "empty":
            if self.path is not None:
                raise self._not_atlas()
            self.upgrade()  # a server's empty database: the tables, in one transaction
        else:
            return {"where": self.where, "created": False} | self._state()
        return {"where": self.where, "created": True} | self._state()

    def _state(self) -> dict[str, object]:
        status = self.status()
        return {"schema": status["schema"], "state": status["state"]}

    def _create_file(self, path: Path) -> None:
        """A new embedded file at the current schema, put in place only when whole."""
        with _files.build(path) as partial:
            building = _engine.make_engine(URL.create("sqlite", database=str(partial)), mode="rwc")
            try:
                with _engine.errors(self.url), building.begin() as conn:
                    migrate.upgrade(conn)
            finally:
                building.dispose()  # the last connection folds the -wal in before the link

    def _not_atlas(self) -> SchemaError:
        return SchemaError(
            f"Expected a workspace file at {self.where}; it is an SQLite database without "
            "atlas tables (another program's file, or one emptied). Only `atlas db init` "
            "creates a workspace, never over a file: point ATLAS_DATA_DIR at the workspace, or "
            "move this file away, run `atlas db init` and restore the latest backup.",
            code="workspace_not_atlas",
            details={"where": self.where},
        )

    def status(self) -> dict[str, object]:
        """Back end, location, schema revision against this atlas's, datasets and versions."""
        self._check_file()
        with self._begin(check=False) as conn:
            current = migrate.revision(conn)
            counts: dict[str, int | None] = {"datasets": None, "versions": None}
            if current is not None and current in migrate.known():
                counts = {
                    "datasets": conn.execute(select(func.count()).select_from(datasets)).scalar(),
                    "versions": conn.execute(select(func.count()).select_from(versions)).scalar(),
                }
        return {
            "backend": self.backend,
            "where": self.where,
            "schema": current,
            "head": migrate.head(),
            "state": _schema_state(current),
            **counts,
        }

    def upgrade(self, *, user: User = None, _own: bool = False) -> tuple[str | None, str | None]:
        """
        Bring the schema to this atlas's newest, in one transaction: (before, after).

        Once the workspace has accounts, only an admin may; the embedded file's own upgrade
        on first use (``_own``) needs nobody.
        """
        self._check_file()
        with self._begin(write=True, check=False) as conn:
            before = migrate.revision(conn)
            if _schema_state(before) == "newer":
                raise SchemaError(self._newer_message(before))
            if before is None and self.path is not None:
                raise self._not_atlas()
            actor = None
            if not _own and sa_inspect(conn).has_table(accounts.accounts.name):
                actor = require_admin(self._acting(conn, user), "upgrade the workspace")
            migrate.upgrade(conn)
            after = migrate.revision(conn)
            if before != after and not _own:
                name = actor.name if actor else as_account(user).name
                audit.record(conn, name, "upgrade", detail={"from": before, "to": after})
        self._ready = True
        return before, after

    def _newer_message(self, current: str | None) -> str:
        return (
            f"The workspace {self.where} has schema {current!r}, newer than this atlas knows "
            f"(up to {migrate.head()!r}). Update atlas (git pull, then make install), or set "
            f"{_engine.ENV_URL} to another workspace."
        )

    def _ensure_schema(self) -> None:
        if self._ready:
            return
        self._check_file()
        with self._begin(check=False) as conn:
            current = migrate.revision(conn)
        state = _schema_state(current)
        if state == "newer":
            raise SchemaError(self._newer_message(current))
        if state == "empty" and self.path is not None:
            raise self._not_atlas()
        if state == "older" and self.path is not None:
            self.upgrade(_own=True)  # the embedded file is this atlas's own
        elif state == "empty":
            raise SchemaError(
                f"The workspace database {self.where} has no atlas tables yet. Run "
                "`atlas db init` once (as a user who may create tables there)."
            )
        elif state == "older":
            raise SchemaError(
                f"The workspace database {self.where} has schema {current!r}; this atlas needs "
                f"{migrate.head()!r}. Back it up (`atlas db backup FILE`), then run "
                "`atlas db upgrade`."
            )
        if self.path is not None:
            # The record first: another process may commit (and record) while this one reads.
            recorded = _files.recorded_commit(self.path)
            with self._begin(check=False) as conn:
                last = _last_audit(conn)
            _files.check_commits(self.path, last, recorded)
        self._ready = True

    # --- saving -------------------------------------------------------------------------

    def save_ledger(
        self,
        ledger: Ledger,
        *,
        name: str,
        user: User,
        data: bytes,
        file_name: str,
        datum: str | None = None,
        covers: Iterable[str] | None = None,
        note: str | None = None,
        progress: Progress | None = None,
    ) -> VersionInfo:
        """
        Save a read ledger as the next version of dataset ``name``; returns its record.

        ``data`` is the file as uploaded and ``datum`` the datum it was read in (the
        ``crs_name`` given to ``read_ledger``; a 坐标系 column's per-row datums stay in
        ``projects.datum``). ``covers`` names the districts (adcodes) the ledger speaks for;
        by default those of its clean rows. Raises :class:`DatasetError` when the counts do
        not add up or ``name`` holds another kind, :class:`AccessError` for a viewer or
        ``covers`` outside the account's districts. Rows outside a city or district
        account's scope are quarantined as ``out_of_scope`` with their raw cells.
        """
        meta = {
            "encoding": ledger.encoding,
            "sheet": ledger.sheet,
            "columns": dict(ledger.columns),
            "stages": list(ledger.stages),
            # The day the ledger speaks for: which month a monthly version reports.
            "report_date": ledger.report_date,
            "report_date_source": ledger.report_date_source,
        }
        draft = Draft("ledger", name, "", data, file_name, datum, ledger.rows)
        draft.frame, draft.quarantine, draft.meta = ledger.projects, ledger.quarantine, meta
        draft.covers, draft.note = _covers(covers, ledger.projects), note
        draft.covers_given = covers is not None
        return self._save(draft, progress, user)

    def save_infra(
        self,
        infra: Infra,
        *,
        name: str,
        user: User,
        data: bytes,
        file_name: str,
        datum: str | None = None,
        covers: Iterable[str] | None = None,
        note: str | None = None,
        progress: Progress | None = None,
    ) -> VersionInfo:
        """
        Save accessibility features (from ``geo.infra.read_infra``) as the next version.

        Each feature is filed under the district of its representative point, which is what
        the current state replaces; ``covers`` defaults to those districts. The counts are
        features (clean) and quarantined rows; ``rows`` is their sum.
        """
        adcodes = _feature_districts(infra.features)
        meta = {"source": infra.source, "kind": infra.kind}
        own = {"adcode": adcodes}
        default = pd.DataFrame({"adcode": pd.array(adcodes, dtype="string")})
        rows = len(infra.features) + len(infra.quarantine)
        draft = Draft("infra", name, "", data, file_name, datum, rows)
        draft.frame, draft.quarantine, draft.meta = infra.features, infra.quarantine, meta
        draft.own, draft.extent, draft.note = own, infra.extent, note
        draft.covers, draft.covers_given = _covers(covers, default), covers is not None
        return self._save(draft, progress, user)

    def save_figures(
        self,
        table: pd.DataFrame,
        *,
        name: str,
        user: User,
        documents: Mapping[str, str] | None = None,
        data: bytes | None = None,
        file_name: str | None = None,
        covers: Iterable[str] | None = None,
        note: str | None = None,
        quarantine: pd.DataFrame | None = None,
    ) -> VersionInfo:
        """
        Save a figures table (columns of ``load_figures``) and its documents' text.

        ``quarantine`` holds a figures table's refused rows (``geo.documents.table``), saved
        beside the figures with their raw cells, so the counts add up as for a ledger.
        Figures of places outside a city or district account's scope are quarantined as
        ``out_of_scope``, as a ledger's rows are.
        """
        refused = 0 if quarantine is None else len(quarantine)
        draft = Draft("figures", name, "", data, file_name, None, len(table) + refused)
        draft.frame, draft.texts, draft.note = table, dict(documents or {}), note
        if quarantine is not None:
            draft.quarantine = quarantine
        draft.covers, draft.covers_given = _covers(covers, table), covers is not None
        return self._save(draft, None, user)

    def save_plan(
        self,
        plan: Plan,
        *,
        name: str,
        user: User,
        data: bytes | None = None,
        file_name: str | None = None,
        note: str | None = None,
    ) -> VersionInfo:
        """
        Save a plan (``geo.plans``) as the next version of dataset ``name`` (kind ``plan``).

        Its targets are the version's rows (figures), its deadlines, city and year are kept
        with the version; a template's refused rows are its quarantine. The counts are
        targets (clean) and quarantined template rows. A city or district account's targets
        outside its scope are quarantined as ``out_of_scope``.
        """
        rows = len(plan.targets) + len(plan.quarantine)
        draft = Draft("plan", name, "", data, file_name, None, rows)
        draft.frame, draft.quarantine, draft.meta = plan.targets, plan.quarantine, plan.to_meta()
        draft.covers, draft.note = _covers(None, plan.targets), note
        return self._save(draft, None, user)

    def _save(self, draft: Draft, progress: Progress | None, user: User) -> VersionInfo:
        """Everything of one version in one transaction; ``progress`` hears each stage."""
        report = progress or (lambda fraction, stage: None)
        with self._begin() as conn:
            account = self._acting(conn, user)
        scope = accounts.write_scope(account)
        _scope_draft(draft, scope)
        draft.user = account.name
        specs = draft.check()
        with self._begin(write=True) as conn:
            if accounts.write_scope(self._acting(conn, user)) != scope:
                raise AccessError(
                    f"The account {account.name!r} changed role or districts during the save; "
                    "nothing was saved. Save again.",
                    code="scope_changed",
                    details={"account": account.name},
                )
            version_id, number = _insert_version(conn, draft, specs)
            report(0.1, "version")
            if draft.data is not None:
                conn.execute(insert(files).values(version_id=version_id, content=draft.data))
            cities = _cities(draft.covers, draft.frame)
            owned: dict[str, _bulk.Values] = {
                "version_id": [version_id] * len(draft.covers),
                "adcode": draft.covers,
            }
            _bulk.write_rows(
                conn, coverage, owned | {"city": [cities.get(c) for c in draft.covers]}
            )
            report(0.2, "file")
            table = ROWS_TABLE[draft.kind]
            self._write_frame(conn, version_id, table, draft.frame, specs["rows"], draft.own)
            report(0.8, "rows")
            self._write_frame(
                conn, version_id, quarantine, draft.quarantine, specs["quarantine"], {}
            )
            _write_snapshots(conn, version_id, draft.frame, draft.own, draft.quarantine)
            if draft.kind == "infra":
                _bulk.write_rows(
                    conn, extents, {"version_id": [version_id], "geom": [draft.extent]}
                )
            texts = draft.texts
            if texts:
                owned = {"version_id": [version_id] * len(texts), "name": list(texts)}
                _bulk.write_rows(conn, documents, owned | {"text": list(texts.values())})
            _record_save(conn, account, draft, number)
            report(0.95, "quarantine")
        report(1.0, "done")
        return self.info(draft.name, number, user=account)

    @staticmethod
    def _write_frame(
        conn: Connection,
        version_id: int,
        table: Table,
        frame: pd.DataFrame,
        spec: list[dict],
        own: Mapping[str, Sequence[Any]],
    ) -> None:
        columns: dict[str, _bulk.Values] = {
            "version_id": [version_id] * len(frame),
            "seq": list(range(len(frame))),
        }
        _bulk.write_rows(conn, table, columns | dict(own) | _columns.encode(frame, spec))

    # --- reading ------------------------------------------------------------------------

    def list_datasets(self, *, user: User = None) -> list[dict[str, object]]:
        """
        Every dataset ``user`` may read: name, kind, versions, the latest, when, by whom.

        Counts and the latest version are those of the versions ``user`` may read.
        """
        with self._begin() as conn:
            readable = accounts.readable_versions(self._acting(conn, user))
        latest = (
            select(
                versions.c.dataset_id,
                func.max(versions.c.number).label("latest"),
                func.count().label("versions"),
            )
            .where(readable)
            .group_by(versions.c.dataset_id)
            .subquery()
        )
        query = (
            select(
                datasets.c.name,
                datasets.c.kind,
                latest.c.versions,
                latest.c.latest,
                versions.c.saved_at,
                versions.c.saved_by,
            )
            .join(latest, latest.c.dataset_id == datasets.c.id)
            .join(
                versions,
                and_(versions.c.dataset_id == datasets.c.id, versions.c.number == latest.c.latest),
            )
            .order_by(datasets.c.name)
        )
        with self._begin() as conn:
            found = conn.execute(query).mappings().all()
        return [
            dict(row) | {"saved_at": row["saved_at"].isoformat(timespec="seconds") + "Z"}
            for row in found
        ]

    def history(self, name: str, *, user: User = None) -> list[VersionInfo]:
        """
        Every version of ``name`` that ``user`` may read, oldest first.

        Raises :class:`UnknownDatasetError`, or :class:`AccessError` when it may read none.
        """
        with self._begin() as conn:
            return self._infos(conn, name, user=self._acting(conn, user))

    def info(self, name: str, version: int | None = None, *, user: User = None) -> VersionInfo:
        """The record of ``name@version`` (default: the latest version ``user`` may read)."""
        with self._begin() as conn:
            return self._infos(conn, name, version, user=self._acting(conn, user))[-1]

    def _infos(
        self,
        conn: Connection,
        name: str,
        version: int | None = None,
        *,
        user: Account,
        mine: bool = False,
    ) -> list[VersionInfo]:
        """
        Records of ``name`` that ``user`` may read (``mine``: of its own city, unpublished).

        Nothing readable raises :meth:`_unknown`'s error.
        """
        name = normalise_name(name)
        version = None if version is None else version_number(version)
        query = (
            select(datasets.c.name.label("dataset"), datasets.c.kind, versions)
            .join(datasets, datasets.c.id == versions.c.dataset_id)
            .where(datasets.c.name == name)
            .order_by(versions.c.number)
        )
        if version is not None:
            query = query.where(versions.c.number == version)
        readable = accounts.readable_versions(user, with_published=not mine)
        found = conn.execute(query.where(readable)).mappings().all()
        if not found:
            raise self._unknown(conn, name, version, user, mine=mine)
        ids = [row["id"] for row in found]
        covered = conn.execute(
            select(coverage.c.version_id, coverage.c.adcode)
            .where(coverage.c.version_id.in_(ids))
            .order_by(coverage.c.version_id, coverage.c.adcode)
        ).all()
        by_version: dict[int, list[str]] = {}
        for version_id, adcode in covered:
            by_version.setdefault(version_id, []).append(adcode)
        return [_info(row, tuple(by_version.get(row["id"], ()))) for row in found]

    def _unknown(
        self, conn: Connection, name: str, version: int | None, user: Account, *, mine: bool
    ) -> StoreError:
        """
        Why ``user`` finds nothing under ``name@version``, in words that tell it nothing more.

        To an admin, the versions of the dataset or the datasets the workspace holds. To any
        other account one refusal, ``no_access`` (无权访问), whether the name or version exists
        or not (so a name never tells another city it is there), or ``no_access_versions``
        with the versions it may read; layers word them.
        """
        readable = accounts.readable_versions(user, with_published=not mine)
        numbers = (
            conn.execute(
                select(versions.c.number).join(datasets).where(datasets.c.name == name, readable)
            )
            .scalars()
            .all()
        )
        held = f" versions {min(numbers)}–{max(numbers)}" if numbers else ""
        # The versions as the words give them: 1–3, or 2 alone.
        spans = (
            f"{min(numbers)}–{max(numbers)}"
            if len(set(numbers)) > 1
            else "".join(str(n) for n in set(numbers))
        )
        if not user.is_admin:
            ref = name if version is None else f"{name}@{version}"
            details: dict[str, object] = {"account": user.name, "ref": ref}
            if numbers:
                details |= {"name": name, "versions": spans}
            return AccessError(
                f"No access: the account {user.name!r} may read no {ref} (there is none, or "
                "it is another city's data, not published). "
                + (f"It may read{held} of {name}. " if numbers else "")
                + "`atlas datasets` lists what it may read.",
                code="no_access_versions" if numbers else "no_access",
                details=details,
            )
        if numbers:
            return UnknownDatasetError(
                f"Dataset {name!r} has no version {version}; it has{held}. "
                f"See `atlas history {name}`.",
                code="no_version",
                details={"name": name, "version": version, "versions": spans},
            )
        names = conn.execute(select(datasets.c.name).order_by(datasets.c.name)).scalars().all()
        listed = ", ".join(names) if names else "none yet"
        return UnknownDatasetError(
            f"No dataset {name!r} in the workspace {self.where}; it holds: {listed}. "
            "Save one with `atlas ingest FILE --save --dataset NAME`.",
            code="no_dataset",
            details={"name": name, "where": self.where, "datasets": "/".join(names) or "-"},
        )

    def load(self, name: str, version: int | None = None, *, user: User = None) -> SavedVersion:
        """
        Everything saved in ``name@version`` (default: the latest ``user`` may read).

        The record, the content as the reader returned it (a ``Ledger``, an ``Infra``, a
        :class:`SavedFigures` or a ``Plan``) and the original file's bytes. Raises
        :class:`AccessError` for a version of another city that is not published: a permalink
        to it shows "无权访问" (No access), never its rows.
        """
        with self._begin() as conn:
            info = self._infos(conn, name, version, user=self._acting(conn, user))[-1]
            row = conn.execute(
                select(
                    versions.c.id,
                    versions.c.meta,
                    versions.c.frames,
                    versions.c.saved_at,
                    versions.c.rows,
                )
                .join(datasets)
                .where(datasets.c.name == info.dataset, versions.c.number == info.version)
            ).one()
            stamp = (row.id, info.dataset, info.version, str(row.saved_at), row.rows)
            one = {row.id: _Current(info.dataset, info.version, row.frames, [], stamp)}
            frame = self._decoded_parts(conn, one, "rows")[row.id]
            refused = self._decoded_parts(conn, one, "quarantine")[row.id]
            data = conn.execute(
                select(files.c.content).where(files.c.version_id == row.id)
            ).scalar()
            content = self._content(conn, info, row.id, row.meta, frame, refused)
        return SavedVersion(info, content, None if data is None else bytes(data))

    def _content(
        self,
        conn: Connection,
        info: VersionInfo,
        version_id: int,
        meta: dict[str, Any],
        frame: pd.DataFrame,
        refused: pd.DataFrame,
    ) -> Ledger | Infra | SavedFigures | Plan:
        if info.kind == "ledger":
            return Ledger(
                frame,
                refused,
                info.rows,
                meta["columns"],
                meta["stages"],
                meta["encoding"],
                meta["sheet"],
                report_date=meta.get("report_date"),
                report_date_source=meta.get("report_date_source"),
            )
        if info.kind == "plan":
            return Plan.from_meta(frame, refused, meta)
        if info.kind == "infra":
            wkb = conn.execute(
                select(_rows_geom(conn, extents)).where(extents.c.version_id == version_id)
            ).scalar()
            extent = None if wkb is None else shapely.from_wkb(bytes(wkb))
            return Infra(frame, extent, refused, meta["source"], meta["kind"])
        texts = conn.execute(
            select(documents.c.name, documents.c.text)
            .where(documents.c.version_id == version_id)
            .order_by(documents.c.name)
        ).all()
        return SavedFigures(frame, dict(texts))

    @staticmethod
    def _read_frame(
        conn: Connection, table: Table, version_id: int, spec: list[dict]
    ) -> pd.DataFrame:
        """A saved frame decoded from its table rows (the relational copy of the snapshot)."""
        names = [c["name"] for c in spec if c["at"] == "column"]
        if any(c["at"] == "extra" for c in spec):
            names.append("extra")
        if any(c["at"] == _columns.GEOMETRY for c in spec):
            names.append("geom")
        columns = _bulk.read_rows(
            conn, table, names, table.c.version_id == version_id, [table.c.seq]
        )
        return _columns.decode(columns, spec, len(columns[names[0]]) if names else 0)

    def current_projects(
        self,
        *,
        city: str | Iterable[str] | None = None,
        districts: Iterable[str] | None = None,
        dataset: str | None = None,
        user: User = None,
    ) -> gpd.GeoDataFrame:
        """
        The current communities: per district, the latest version of each ledger covering it.

        Narrow by ``city`` (full name, 新乡市; or several, read at once), ``districts``
        (adcodes) or one ``dataset``. Adds ``dataset`` and ``version`` (where each row comes
        from) to the columns of the saved projects. Output CRS is EPSG:4326. ``user`` sees the
        districts of its city and published versions (an admin, everything): another
        city's rows are not in its current state.
        """
        return self._current("ledger", city=city, districts=districts, dataset=dataset, user=user)

    def current_features(
        self,
        *,
        city: str | Iterable[str] | None = None,
        districts: Iterable[str] | None = None,
        dataset: str | None = None,
        user: User = None,
    ) -> gpd.GeoDataFrame:
        """The current accessibility features, per district as :meth:`current_projects`."""
        return self._current("infra", city=city, districts=districts, dataset=dataset, user=user)

    def current_figures(
        self,
        *,
        city: str | None = None,
        districts: Iterable[str] | None = None,
        dataset: str | None = None,
        user: User = None,
    ) -> pd.DataFrame:
        """The current saved figures, per district (adcode) as :meth:`current_projects`."""
        rows = self._current("figures", city=city, districts=districts, dataset=dataset, user=user)
        return pd.DataFrame(rows.drop(columns="geometry", errors="ignore"))

    def current_quarantine(
        self, kind: str, *, dataset: str | None = None, user: User = None
    ) -> pd.DataFrame:
        """
        The quarantined rows of a kind's current state, with ``dataset`` and ``version``.

        From each version the current state takes rows from (:meth:`current_projects`), the
        quarantined rows of the districts (``adcode``) no later version of its dataset
        covers: after ``@2`` replaced 卫滨区, ``@1``'s 卫滨区 rows are gone, its other rows
        stay. A row whose district could not be told (no ``adcode``: a total row, an unknown
        place, a version saved before quarantined rows kept their district) stays while its
        version is in the current state.
        """
        parts = []
        with self._begin() as conn:
            account = self._acting(conn, user)
            by_version = self._current_versions(conn, kind, account, dataset=dataset)
            latest: dict[tuple[str, str], int] = {}
            for name, number, _, adcodes, _ in by_version.values():
                latest |= {(name, adcode): number for adcode in adcodes}
            decoded = self._decoded_parts(conn, by_version, "quarantine")
            for version_id, (name, number, _, _, _) in sorted(by_version.items()):
                refused = decoded[version_id]
                codes = refused.get("adcode", pd.Series(pd.NA, index=refused.index))
                newest = codes.map({c: n for (d, c), n in latest.items() if d == name})
                replaced = (newest > number).fillna(False).to_numpy(dtype=bool)
                parts.append(
                    refused[~replaced].reset_index(drop=True).assign(dataset=name, version=number)
                )
        if not parts:
            return pd.DataFrame(
                {c: pd.Series(dtype="object") for c in [*REFUSED, "dataset", "version"]}
            )
        return pd.concat(parts, ignore_index=True)

    def _current_versions(
        self,
        conn: Connection,
        kind: str,
        account: Account,
        *,
        city: str | Iterable[str] | None = None,
        districts: Iterable[str] | None = None,
        dataset: str | None = None,
    ) -> dict[int, _Current]:
        """
        The versions of the current state, as ``account`` may read them.

        Version id → (dataset, number, frame specs, the districts it is the latest version of
        its dataset to cover, what names the version's snapshots in :attr:`decoded`).
        """
        filters = [datasets.c.kind == kind, accounts.readable_districts(account)]
        if dataset is not None:
            dataset = normalise_name(dataset)
            filters.append(datasets.c.name == dataset)
        if city is not None:
            # One city, or several read at once (a province, all of China: one store read).
            filters.append(coverage.c.city.in_([city] if isinstance(city, str) else list(city)))
        if districts is not None:
            filters.append(coverage.c.adcode.in_(list(districts)))
        latest = (
            select(
                coverage.c.adcode,
                versions.c.dataset_id,
                func.max(versions.c.number).label("number"),
            )
            .join(versions, versions.c.id == coverage.c.version_id)
            .join(datasets, datasets.c.id == versions.c.dataset_id)
            .where(*filters)
            .group_by(coverage.c.adcode, versions.c.dataset_id)
            .subquery()
        )
        chosen = (
            select(
                versions.c.id,
                versions.c.number,
                # As text, decoded once per version below: a national version is the latest
                # for ~2,900 districts, one row each (decoding each took 1 s of a map page).
                type_coerce(cast(versions.c.frames, Text), NullType()).label("frames"),
                datasets.c.name,
                versions.c.saved_at,
                versions.c.rows,
                latest.c.adcode,
            )
            .join(
                latest,
                and_(
                    versions.c.dataset_id == latest.c.dataset_id,
                    versions.c.number == latest.c.number,
                ),
            )
            .join(datasets, datasets.c.id == versions.c.dataset_id)
        )
        picked = conn.execute(chosen).all()
        if dataset is not None and not picked:
            self._infos(conn, dataset, user=account)  # raises for an unknown name
        by_version: dict[int, _Current] = {}
        for row in picked:
            if row.id not in by_version:
                stamp = (row.id, row.name, row.number, str(row.saved_at), row.rows)
                by_version[row.id] = _Current(
                    row.name, row.number, json.loads(row.frames), [], stamp
                )
            by_version[row.id].adcodes.append(row.adcode)
        return by_version

    def _current(
        self,
        kind: str,
        *,
        city: str | Iterable[str] | None,
        districts: Iterable[str] | None,
        dataset: str | None,
        user: User,
    ) -> gpd.GeoDataFrame:
        parts = []
        with self._begin() as conn:
            account = self._acting(conn, user)
            by_version = self._current_versions(
                conn, kind, account, city=city, districts=districts, dataset=dataset
            )
            key = "adcode" if kind != "infra" else _FEATURE_ADCODE
            extra = [key] if kind == "infra" else []
            # Every version's rows decoded once per process (self.decoded), then cut to the
            # districts it is the latest to cover that this account may read.
            decoded = self._decoded_parts(conn, by_version, "rows", extra=extra)
            for version_id, (name, number, _, adcodes, _) in sorted(by_version.items()):
                rows = decoded[version_id]
                kept = rows[key].isin(adcodes).to_numpy(dtype=bool)
                # Every row kept (a whole version, as an admin reads it): the decoded frame
                # itself, not a second copy of its 300,000 rows.
                part = (rows if kept.all() else rows[kept]).drop(columns=extra)
                parts.append(part.reset_index(drop=True).assign(dataset=name, version=number))
        if not parts:
            return _empty_current()
        current = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        if not isinstance(current, gpd.GeoDataFrame):
            current = gpd.GeoDataFrame(current, geometry=None)
        return current

    def warm(self) -> int:
        """
        Decode every kind's current state into :attr:`decoded` before a reader asks for it.

        What a server does once at start (``server.py``), so that the first page opened, by
        whichever account, does not wait for a national ledger's Parquet and WKB. Reads as an
        admin would, and returns nothing but how many rows are kept: what each reader may see
        is still decided by its own read. Returns how many rows it decoded or found decoded
        (kept up to :data:`store._decoded.MAX_ROWS`).
        """
        self._check_file()  # a missing file is refused, never created empty by a connection
        with self._begin(check=False) as conn:
            if _schema_state(migrate.revision(conn)) != "ok":
                return 0  # brought up to date by the first reader (or refused), not read ahead
        reader = accounts.local_account("warm-up")
        rows = 0
        with self._begin(snapshot=True) as conn:
            for kind in ("ledger", "infra"):
                by_version = self._current_versions(conn, kind, reader)
                extra = [_FEATURE_ADCODE] if kind == "infra" else []
                for frames in (
                    self._decoded_parts(conn, by_version, "rows", extra=extra),
                    self._decoded_parts(conn, by_version, "quarantine"),
                ):
                    rows += sum(len(frame) for frame in frames.values())
        return rows

    def _decoded_parts(
        self,
        conn: Connection,
        by_version: dict[int, _Current],
        part: str,
        extra: Sequence[str] = (),
    ) -> dict[int, pd.DataFrame]:
        """
        Each version's ``part`` snapshot decoded, from :attr:`decoded` or read and kept there.

        The snapshots not kept are read in one query, however many versions: a province's
        cities each saving their own ledger would otherwise cost a query per city.
        """
        database = self.url.render_as_string(hide_password=True)
        keys = {vid: (database, *entry.stamp, part, *extra) for vid, entry in by_version.items()}
        blobs = _snapshot_blobs(
            conn, [v for v, key in keys.items() if key not in self.decoded], part
        )

        def decode(vid: int) -> pd.DataFrame:
            # A snapshot let go since the query above is read on its own.
            data = blobs[vid] if vid in blobs else _snapshot_blobs(conn, [vid], part)[vid]
            return _columns.from_parquet(data, by_version[vid].frames[part], extra=extra)

        return {
            vid: self.decoded.get(key, functools.partial(decode, vid)) for vid, key in keys.items()
        }

    # --- changes, backup ----------------------------------------------------------------

    def diff(
        self, name: str, old: int, new: int, *, covered: bool = False, user: User = None
    ) -> pd.DataFrame:
        """
        Rows added, removed and changed from ``name@old`` to ``name@new`` (see store.changes).

        ``covered`` keeps the districts ``name@new`` covers: what saving it changed in the
        current state (a 卫滨区 monthly ledger leaves 红旗区's rows as they were, so they are
        not listed as removed).
        """
        from store.changes import compare

        # A version against itself is read once (a dataset of one version opens the history
        # page with it on both sides): a national ledger's version is 300,000 rows.
        before = self.load(name, old, user=user)
        after = before if new == old else self.load(name, new, user=user)
        rows = _placed_rows(before.content)
        changes = compare(
            before.info.kind, rows, rows if after is before else _placed_rows(after.content)
        )
        if covered:
            changes = changes[changes["adcode"].isin(after.info.covers)].reset_index(drop=True)
        return changes

    def backup(self, path: str | Path, *, user: User = None) -> dict[str, int]:
        """
        Write every dataset and version to a new workspace file at ``path`` (SQLite).

        Admins only. Accounts, sessions and the audit stay behind: a backup holds data.
        """
        from store.backup import backup

        with self._begin() as conn:
            account = require_admin(self._acting(conn, user), "back up the workspace")
        counts = backup(self, Path(path))
        with self._begin(write=True) as conn:
            audit.record(
                conn, account.name, "backup", target=str(path), address=account.address,
                detail=counts,
            )  # fmt: skip
        return counts

    def restore(
        self, path: str | Path, *, replace: bool = False, user: User = None
    ) -> dict[str, int]:
        """
        Load every version of the backup at ``path`` into this workspace, in one transaction.

        Admins only; the audit row is written in the restore's transaction.
        """
        from store.backup import restore

        with self._begin() as conn:
            account = require_admin(self._acting(conn, user), "restore a backup")

        def record(conn: Connection, counts: dict[str, int]) -> None:
            detail = counts | {"replace": replace}
            audit.record(
                conn, account.name, "restore", target=str(path), address=account.address,
                detail=detail,
            )  # fmt: skip

        return restore(self, Path(path), replace=replace, record=record)

    # --- publication: who may read a version beyond its city ------------------------------

    def publish(
        self, name: str, version: int, *, user: User = None, withdraw: bool = False
    ) -> VersionInfo:
        """
        Let every account read ``name@version`` (or no longer, with ``withdraw``).

        An admin, or a city account whose city the version is.
        """
        with self._begin(write=True) as conn:
            actor = self._acting(conn, user)
            if not (actor.is_admin or actor.role == "city"):
                raise AccessError(
                    f"The account {actor.name!r} may not publish; a city's may.",
                    code="publish_refused",
                    details={"account": actor.name},
                )
            info = self._infos(conn, name, version, user=actor, mine=True)[-1]
            version_id = conn.execute(
                select(versions.c.id)
                .join(datasets)
                .where(datasets.c.name == info.dataset, versions.c.number == info.version)
            ).scalar_one()
            conn.execute(delete(published).where(published.c.version_id == version_id))
            if not withdraw:
                conn.execute(
                    insert(published).values(
                        version_id=version_id, published_by=actor.name, published_at=audit.now()
                    )
                )
            action = "unpublish" if withdraw else "publish"
            audit.record(conn, actor.name, action, target=info.ref, address=actor.address)
        return info


# --- helpers --------------------------------------------------------------------------------


def _insert_version(conn: Connection, draft: Draft, specs: dict) -> tuple[int, int]:
    """The version's record under the dataset's lock: (its id, its number)."""
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)
    dataset_id = _lock_dataset(conn, draft.name, draft.kind, draft.user, now)
    latest = select(func.max(versions.c.number)).where(versions.c.dataset_id == dataset_id)
    number = 1 + (conn.execute(latest).scalar() or 0)
    reasons = draft.by_reason()
    data = draft.data
    record = {
        "dataset_id": dataset_id,
        "number": number,
        "saved_by": draft.user,
        "saved_at": now,
        "file_name": draft.file_name,
        "sha256": hashlib.sha256(data).hexdigest() if data is not None else None,
        "size": len(data) if data is not None else None,
        "datum": draft.datum,
        "rows": int(draft.rows),
        "clean": len(draft.frame),
        "quarantined": len(draft.quarantine),
        "by_reason": reasons,
        "meta": draft.meta,
        "frames": specs,
        "note": draft.note,
    }
    return _bulk.insert_one(conn, insert(versions).values(record)), number


# The snapshot of infrastructure rows keeps each feature's district beside its columns.
_FEATURE_ADCODE = "__atlas_district__"


class _Current(NamedTuple):
    """A version of the current state (:meth:`Workspace._current_versions`)."""

    name: str
    number: int
    frames: dict
    #: The districts it is the latest version of its dataset to cover.
    adcodes: list[str]
    #: What names its snapshots in :attr:`Workspace.decoded`: never another version's.
    stamp: tuple


def _write_snapshots(
    conn: Connection,
    version_id: int,
    rows_frame: pd.DataFrame,
    own: Mapping[str, Sequence[Any]],
    refused: pd.DataFrame,
) -> None:
    kept = rows_frame
    if own:
        kept = rows_frame.assign(**{_FEATURE_ADCODE: pd.array(own["adcode"], dtype="string")})
    parts = {"rows": kept, "quarantine": refused}
    # Two large values: bound as binary parameters, not escaped into COPY's text.
    conn.execute(
        insert(snapshots),
        [
            {
                "version_id": version_id,
                "part": part,
                "rows": len(f),
                "parquet": _columns.to_parquet(f),
            }
            for part, f in parts.items()
        ],
    )


def _snapshot_blobs(conn: Connection, version_ids: list[int], part: str) -> dict[int, bytes]:
    """Version id → its ``part`` snapshot (Parquet bytes), for every version in one query."""
    if not version_ids:
        return {}
    found = conn.execute(
        select(snapshots.c.version_id, snapshots.c.parquet).where(
            snapshots.c.version_id.in_(version_ids), snapshots.c.part == part
        )
    ).all()
    return {row.version_id: bytes(row.parquet) for row in found}


def _last_audit(conn: Connection) -> int | None:
    """The audit's last id: grows with every save, restore, account change and login."""
    return conn.execute(select(func.max(schema.audit.c.id))).scalar()


def _schema_state(current: str | None) -> str:
    if current is None:
        return "empty"
    if current == migrate.head():
        return "ok"
    return "older" if current in migrate.known() else "newer"


def _lock_dataset(conn: Connection, name: str, kind: str, user: str, now: datetime.datetime) -> int:
    """The dataset's id, created if new, its row locked until commit (PostgreSQL)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(
        dialect.insert(datasets)
        .values(name=name, kind=kind, created_by=user, created_at=now)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    # Two saves to one dataset take turns here, so version numbers never collide.
    found = conn.execute(
        select(datasets.c.id, datasets.c.kind).where(datasets.c.name == name).with_for_update()
    ).one()
    if found.kind != kind:
        raise DatasetError(
            f"Dataset {name!r} holds {found.kind} versions; a {kind} cannot be saved in it. "
            "Choose another dataset name."
        )
    return found.id


def _covers(covers: Iterable[str] | None, frame: pd.DataFrame) -> list[str]:
    if covers is not None:
        codes = sorted({str(c) for c in covers})
    elif "adcode" in frame and len(frame):
        codes = sorted(frame["adcode"].dropna().astype(str).unique())
    else:
        codes = []
    bad = [c for c in codes if not re.fullmatch(r"\d{6}", c)]
    if bad:
        raise DatasetError(f"Expected 6-digit adcodes (e.g. 410703) to cover; got {bad!r}.")
    return codes


def _cities(adcodes: list[str], frame: pd.DataFrame) -> dict[str, str | None]:
    """Each covered adcode's city: from the rows where they say, else the outline index."""
    known: dict[str, str | None] = {}
    if {"adcode", "city"} <= set(frame.columns) and len(frame):
        pairs = frame[["adcode", "city"]].dropna().drop_duplicates("adcode")
        known = dict(zip(pairs["adcode"].astype(str), pairs["city"].astype(str), strict=True))
    missing = [c for c in adcodes if c not in known]
    if missing:
        index = city_index()
        known |= {c: index.get(c) for c in missing}
    return known


def _feature_districts(features: gpd.GeoDataFrame) -> list:
    """The district (adcode) of each feature's representative point; None outside China."""
    if not len(features):
        return []
    points = shapely.point_on_surface(np.asarray(features.geometry.array, dtype=object))
    lon, lat = shapely.get_x(points), shapely.get_y(points)
    return list(boundaries.assign_districts(lon, lat))


def _rows_geom(conn: Connection, table: Table) -> ColumnElement[Any]:
    if conn.dialect.name == "postgresql":
        return type_coerce(func.ST_AsBinary(table.c.geom), LargeBinary)
    return table.c.geom


def _info(row: RowMapping, covers: tuple[str, ...]) -> VersionInfo:
    return VersionInfo(
        dataset=row["dataset"],
        kind=row["kind"],
        version=row["number"],
        saved_by=row["saved_by"],
        saved_at=row["saved_at"],
        file_name=row["file_name"],
        sha256=row["sha256"],
        size=row["size"],
        datum=row["datum"],
        rows=row["rows"],
        clean=row["clean"],
        quarantined=row["quarantined"],
        by_reason=dict(sorted(row["by_reason"].items())),
        covers=covers,
        note=row["note"],
    )


def _placed_rows(content: Ledger | Infra | SavedFigures | Plan) -> pd.DataFrame:
    """A version's rows, each with its district (``adcode``), as its covers count them."""
    if isinstance(content, Ledger):
        return content.projects
    if isinstance(content, Infra):
        features = content.features
        return features.assign(adcode=pd.array(_feature_districts(features), dtype="string"))
    if isinstance(content, Plan):
        return content.targets
    return content.figures


def _empty_current() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"dataset": pd.Series(dtype="string"), "version": pd.Series(dtype="int64")},
        geometry=gpd.GeoSeries([], crs="EPSG:4326"),
    )


def _record_save(conn: Connection, account: Account, draft: Draft, number: int) -> None:
    refused = draft.quarantine["reason"] if len(draft.quarantine) else pd.Series([], dtype=str)
    audit.record(
        conn,
        account.name,
        "save",
        target=f"{draft.name}@{number}",
        address=account.address,
        detail={
            "kind": draft.kind,
            "file_name": draft.file_name,
            "rows": int(draft.rows),
            "clean": len(draft.frame),
            "quarantined": len(draft.quarantine),
            "out_of_scope": int((refused == "out_of_scope").sum()),
            "covers": list(draft.covers),
        },
    )
