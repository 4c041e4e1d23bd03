"""
Where the workspace is and how to connect: the URL, SQLite's one writer, clear errors.

``ATLAS_DATABASE_URL`` (``postgresql://…`` for a team server, or ``sqlite:///path``) wins;
otherwise the workspace is ``atlas.sqlite`` in ``$ATLAS_DATA_DIR``, else in the XDG data
folder (``$XDG_DATA_HOME/renovation-atlas``, by default ``~/.local/share/renovation-atlas``).

SQLite allows one writer at a time: a write transaction starts with ``BEGIN IMMEDIATE`` so a
second writer waits (up to the busy timeout) before it reads anything, instead of failing
half-way; the file is in WAL mode so readers never wait for a writer. Driver errors that
mean "cannot use this database" become one :class:`StoreError` whose message gives the fix.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from store.errors import StoreError

__all__ = ["default_path", "describe", "errors", "make_engine", "resolve_url"]

ENV_URL = "ATLAS_DATABASE_URL"
ENV_DIR = "ATLAS_DATA_DIR"
FILE_NAME = "atlas.sqlite"
#: Seconds a writer waits for another writer (SQLite busy timeout, PostgreSQL lock timeout).
TIMEOUT_S = float(os.environ.get("ATLAS_DB_TIMEOUT", "30"))
#: Seconds to wait for a PostgreSQL server to answer at all.
CONNECT_TIMEOUT_S = 10


def default_path() -> Path:
    """The embedded workspace file: ``$ATLAS_DATA_DIR/atlas.sqlite`` or the XDG data folder."""
    folder = os.environ.get(ENV_DIR)
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


def make_engine(url: URL, *, timeout: float = TIMEOUT_S) -> Engine:
    """An engine for the workspace; SQLite gets the one-writer rules, PostgreSQL timeouts."""
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, timeout)
    engine = create_engine(url, connect_args={"connect_timeout": CONNECT_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _timeouts(dbapi_connection, _record) -> None:
        # A writer waiting for a dataset's row lock gives up with a message, not forever.
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, false)", (f"{timeout}s",))
        dbapi_connection.commit()

    return engine


def _sqlite_engine(url: URL, timeout: float) -> Engine:
    engine = create_engine(url, connect_args={"timeout": timeout})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        # The driver's own BEGIN is off; _begin below issues the right one (SQLAlchemy's recipe).
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        dbapi_connection.execute("PRAGMA journal_mode = WAL")

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        write = connection.get_execution_options().get("atlas_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@contextlib.contextmanager
def errors(url: URL, *, timeout: float = TIMEOUT_S) -> Iterator[None]:
    """Turn a driver error that means "cannot use this database" into a :class:`StoreError`."""
    try:
        yield
    except DBAPIError as exc:
        message = _message(url, exc.orig, timeout)
        if message is None:
            raise
        raise StoreError(message) from None


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
            return (
                f"Cannot open the workspace file {where}: its folder is missing or not "
                f"writable. Create the folder, or set {ENV_DIR} to a writable folder."
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
