"""Plans are datasets too: ``datasets.kind`` may be ``plan`` (its targets in ``figures``).

Revision ID: 0004
Revises: 0003
Created: 2026-12-06

A plan's targets are figures (status ``plan``), kept in the ``figures`` table, its deadlines
in ``versions.meta``; only the check on ``datasets.kind`` changes. PostgreSQL replaces the
constraint. SQLite cannot alter one, and copying ``datasets`` the usual way (batch mode)
would drop it, and ``versions`` with it through ``ON DELETE CASCADE``, since foreign keys
stay on inside the upgrade's transaction. So the stored ``CREATE TABLE`` text is rewritten
in place, SQLite's documented way to loosen a CHECK constraint (lang_altertable.html,
"making other kinds of table schema changes"): no row is touched, the schema version is
bumped so every connection reads the new text, and the file is checked whole.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_BEFORE = "kind IN ('ledger', 'infra', 'figures')"
_AFTER = "kind IN ('ledger', 'infra', 'figures', 'plan')"


def _replace_check(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # Its name as 0001 made it (the naming convention doubled its prefix), kept.
        name = bind.exec_driver_sql(
            "SELECT conname FROM pg_constraint WHERE conrelid = 'datasets'::regclass "
            "AND contype = 'c' AND strpos(pg_get_constraintdef(oid), 'kind') > 0"
        ).scalar_one()
        op.execute(f'ALTER TABLE datasets DROP CONSTRAINT "{name}"')
        op.execute(f'ALTER TABLE datasets ADD CONSTRAINT "{name}" CHECK ({new})')
        return
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'datasets'"
    ).scalar_one()
    if sql.count(old) != 1:
        raise RuntimeError(f"Expected the datasets table to check {old!r}; it reads {sql!r}.")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'datasets'",
        (sql.replace(old, new),),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    found = bind.exec_driver_sql("PRAGMA integrity_check").scalar_one()
    if found != "ok":
        raise RuntimeError(f"Expected the workspace file to check ok after the change; {found}.")


def upgrade() -> None:
    _replace_check(_BEFORE, _AFTER)


def downgrade() -> None:
    plans = op.get_bind().exec_driver_sql("SELECT count(*) FROM datasets WHERE kind = 'plan'")
    if plans.scalar_one():
        raise RuntimeError("The workspace holds plans; delete them before going back to 0003.")
    _replace_check(_AFTER, _BEFORE)
