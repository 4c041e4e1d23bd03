"""
Alembic migrations run from code (``atlas db upgrade``), on a connection the caller holds.

``store/migrations/versions`` holds one revision per schema change; :func:`upgrade` brings a
database, empty or at any earlier revision, to the newest in one transaction.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from store.errors import StoreError

__all__ = ["head", "known", "revision", "upgrade"]

_SCRIPTS = Path(__file__).resolve().parent / "migrations"
# Alembic logs each step and each context at INFO; the CLI prints its own one line.
logging.getLogger("alembic").setLevel(logging.WARNING)


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision this atlas knows."""
    newest = ScriptDirectory.from_config(_config()).get_current_head()
    if newest is None:
        raise StoreError(
            f"Expected the workspace's migrations in {_SCRIPTS}, found none. Install atlas "
            "again (make install)."
        )
    return newest


def known() -> set[str]:
    """Every revision this atlas knows."""
    return {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}


def revision(connection: Connection) -> str | None:
    """The database's revision, or None when it has no atlas tables."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: Connection, target: str = "head") -> None:
    """Upgrade to ``target`` inside the caller's transaction."""
    command.upgrade(_config(connection), target)
