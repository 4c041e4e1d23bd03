"""
Where the workspace is and how to connect: the URL, SQLite's one writer, clear errors.

``ATLAS_DATABASE_URL`` (``postgresql://…`` for a team server, or ``sqlite:///path``) wins;
otherwise the workspace is ``atlas.sqlite`` in ``$ATLAS_DATA_DIR``, else in the XDG data
folder (``$XDG_DATA_HOME/renovation-atlas``, by default ``~/.local/share/renovation-atlas``).

SQLite allows one writer at a time: a write transaction starts with ``BEGIN IMMEDIATE`` so a
second writer waits (up to the busy timeout) before it reads anything, instead of failing
half-way; the file is in WAL mode so readers never wait for a writer. SQLite is opened with
``mode=rw``, so it never creates a file (only ``atlas db init`` does, see
:mod:`store._files`), or read-only and immutable for a backup, which must not change as it
is read. Driver errors that mean "cannot use this database" (locked, full, broken,
unreachable) become one :class:`StoreError` whose message gives the fix.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import psycopg
from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from store import _files
from store.errors import StoreError

__all__ = ["default_path", "describe", "errors", "make_engine", "resolve_url", "sqlite_path"]

ENV_URL = "ATLAS_DATABASE_URL"
ENV_DIR = "ATLAS_DATA_DIR"
FILE_NAME = "atlas.sqlite"
#: Seconds a writer waits for another writer (SQLite busy timeout, PostgreSQL lock timeout).
TIMEOUT_S = float(os.environ.get("ATLAS_DB_TIMEOUT", "30"))
#: Seconds to wait for a PostgreSQL server to answer at all.
CONNECT_TIMEOUT_S = 10


def default_path() -> Path:
    """The embedded workspace file: ``$ATLAS_DATA_DIR/atlas.sqlite`` or the XDG data folder."""
    folder: str | Path | None = os.environ.get(ENV_DIR)
    if not folder:
        base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
        folder = Path(base) / "renovation-atlas"
    return Path(folder) / FILE_NAME


def resolve_url(url: str | URL | None = None) -> URL:
    """The workspace URL: ``url``, else ``$ATLAS_DATABASE_URL``, else the embedded file."""
    text = url or os.environ.get(ENV_URL)
    if not text:
        return URL.create("sqlite", database=str(default_path()))
    try:
        parsed = make_url(text)
    except ArgumentError as exc:
        raise StoreError(
            f"Expected {ENV_URL} to be a database URL such as postgresql://user@host/atlas "
            f"or sqlite:///path/atlas.sqlite; got an unreadable value ({exc}). Fix or unset it."
        ) from None
    if parsed.get_backend_name() == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return parsed.set(drivername="sqlite")
    raise StoreError(
        f"Expected {ENV_URL} to start with postgresql:// or sqlite:/// and name a database; "
        f"got {describe(parsed)!r}. Fix it, or unset it to use the embedded workspace file."
    )


def describe(url: URL) -> str:
    """The URL as a user may see it: never the password."""
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return url.set(drivername="postgresql").render_as_string(hide_password=True)


def sqlite_path(url: URL) -> Path:
    """The file of an embedded workspace's URL."""
    return Path(str(url.database))


#: How SQLite opens a file: read-write (never creating it), creating it, or read-only.
Mode = Literal["rw", "rwc", "ro"]


def make_engine(url: URL, *, timeout: float = TIMEOUT_S, mode: Mode = "rw") -> Engine:
    """
    An engine for the workspace; SQLite gets the one-writer rules, PostgreSQL timeouts.

    ``mode`` is SQLite's: ``rw`` opens an existing file only, ``rwc`` may create it (a new
    workspace or backup being built), ``ro`` reads a file that nothing may change, not even
    its journal mode (a backup being restored).
    """
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, timeout, mode)
    engine = create_engine(url, connect_args={"connect_timeout": CONNECT_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _timeouts(dbapi_connection: psycopg.Connection, _record: object) -> None:
        # A writer waiting for a dataset's row lock gives up with a message, not forever.
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, false)", (f"{timeout}s",))
        dbapi_connection.commit()

    return engine


def _sqlite_engine(url: URL, timeout: float, mode: Mode) -> Engine:
    # A URI filename, so SQLite takes the open mode (percent-encoded: ? and # are legal in paths).
    query = {"uri": "true", "mode": mode} | ({"immutable": "1"} if mode == "ro" else {})
    path = urllib.parse.quote(str(sqlite_path(url).absolute()))
    engine = create_engine(
        URL.create("sqlite", database=f"file:{path}", query=query),
        connect_args={"timeout": timeout},
    )

    file = sqlite_path(url).absolute()

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        _files.connected(file, +1)  # the file check never opens a file SQLite has open
        # The driver's own BEGIN is off; _begin below issues the right one (SQLAlchemy's recipe).
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        if mode != "ro":
            dbapi_connection.execute("PRAGMA journal_mode = WAL")

    @event.listens_for(engine, "close")
    def _close(_dbapi_connection: Any, _record: object) -> None:
        _files.connected(file, -1)

    @event.listens_for(engine, "close_detached")
    def _close_detached(_dbapi_connection: Any) -> None:
        _files.connected(file, -1)

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        write = connection.get_execution_options().get("atlas_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@contextlib.contextmanager
def errors(url: URL, *, timeout: float = TIMEOUT_S) -> Iterator[None]:
    """Turn a driver error that means "cannot use this database" into a :class:`StoreError`."""
    try:
        with _files.disk_errors(describe(url)):
            yield
    except (DBAPIError, sqlite3.Error, psycopg.Error) as exc:
        # The driver's error: wrapped by SQLAlchemy, or raw from its connection (COPY, PRAGMA).
        orig = exc.orig if isinstance(exc, DBAPIError) else exc
        full = _no_room(orig)
        if full is not None:
            raise _files.disk_full(describe(url), certain=full) from None
        message = _message(url, orig, timeout)
        if message is None:
            raise
        details: dict[str, object] = {"where": describe(url)}
        raise StoreError(message, code="workspace_unusable", details=details) from None


def _no_room(orig: BaseException | None) -> bool | None:
    """
    Whether a driver error means no room to write: True, False for "maybe", None for no.

    True for "disk full" (SQLite's SQLITE_FULL is ENOSPC; PostgreSQL's 53100), False for a
    failed write that may be one (SQLite says only SQLITE_IOERR_WRITE for EFBIG, EDQUOT or a
    failing disk), None for anything else.
    """
    if isinstance(orig, sqlite3.Error):
        name = getattr(orig, "sqlite_errorname", "")
        if name == "SQLITE_FULL":
            return True
        return False if name in ("SQLITE_IOERR_WRITE", "SQLITE_IOERR_TRUNCATE") else None
    return True if isinstance(orig, psycopg.errors.DiskFull) else None


def _message(url: URL, orig: BaseException | None, timeout: float) -> str | None:
    where = describe(url)
    text = str(orig).strip().splitlines()[0] if orig is not None else ""
    if isinstance(orig, sqlite3.OperationalError | sqlite3.DatabaseError):
        if "locked" in text or "busy" in text:
            return (
                f"The workspace file {where} stayed locked by another writer for {timeout:g} s. "
                "Only one save at a time can write the embedded file: wait for the other save "
                "to finish and try again (set ATLAS_DB_TIMEOUT to wait longer)."
            )
        if "unable to open" in text:
            _files.check(sqlite_path(url))  # gone since it was opened: says so
            return (
                f"Cannot open the workspace file {where}: its folder is not writable (SQLite "
                f"keeps {Path(where).name}-wal and -shm beside it). Make the folder writable, "
                f"or set {ENV_DIR} to a writable folder that holds the workspace."
            )
        if "disk I/O error" in text or "readonly database" in text:
            return (
                f"SQLite could not write or read the workspace file {where} ({text}); nothing "
                "was saved. The disk may be full or failing, the file over a size limit "
                f"(ulimit -f), read-only, or its {Path(where).name}-wal or -shm deleted while "
                "in use. Check the disk (df) and the server's log; if the file stays "
                "unusable, restore the latest backup."
            )
        if "not a database" in text or "malformed" in text:
            return (
                f"{where} is not a workspace file (SQLite says: {text}). Point {ENV_DIR} or "
                f"{ENV_URL} at the workspace, or restore a backup with `atlas db restore FILE`."
            )
        return None
    if isinstance(orig, psycopg.errors.LockNotAvailable):
        return (
            f"A dataset on {where} stayed locked by another save for {timeout:g} s. Wait for "
            "the other save to finish and try again (set ATLAS_DB_TIMEOUT to wait longer)."
        )
    if isinstance(orig, psycopg.errors.UndefinedObject) and "geometry" in text:
        return (
            f"PostGIS is not installed in {where}. Run CREATE EXTENSION postgis; in that "
            "database as its owner, then `atlas db init`."
        )
    if isinstance(orig, psycopg.OperationalError):
        if "does not exist" in text:
            return (
                f"The workspace database {where} does not exist ({text}). Create it "
                f"(createdb {url.database}; CREATE EXTENSION postgis;), then run `atlas db init`."
            )
        return (
            f"Cannot reach the workspace server {where}: {text}. Check that PostgreSQL is "
            f"running there and accepts this user, and that {ENV_URL} is right."
        )
    return None
