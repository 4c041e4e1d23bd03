"""The audit stays append-only under SQLite's REPLACE: a new row may not take an existing id.

Revision ID: 0003
Revises: 0002
Created: 2026-12-06

SQLite's ``REPLACE INTO`` and ``INSERT OR REPLACE`` resolve a key conflict by deleting the old
row, and that delete fires no DELETE trigger unless a connection turns on
``recursive_triggers``, so revision 0002's guards let an audit row be overwritten. A BEFORE
INSERT trigger refuses an id the audit already holds, whatever the connection's settings.
PostgreSQL has no REPLACE: ``INSERT … ON CONFLICT DO UPDATE`` fires the UPDATE guard of 0002,
so this revision changes nothing there.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_SQLITE_GUARD = (
    "CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit "
    "WHEN EXISTS (SELECT 1 FROM audit WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'the audit table is append-only'); END"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(_SQLITE_GUARD)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_no_replace")
