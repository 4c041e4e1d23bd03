"""Accounts and roles, their login sessions, the append-only audit, published versions.

Revision ID: 0002
Revises: 0001
Created: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen copy of store/schema.py's JSON type as of this revision.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

# The audit is append-only on both back ends: a trigger refuses any UPDATE or DELETE (and on
# PostgreSQL TRUNCATE), whoever runs it, until a database owner drops the trigger on purpose.
_SQLITE_GUARDS = [
    f"CREATE TRIGGER audit_no_{verb.lower()} BEFORE {verb} ON audit "
    "BEGIN SELECT RAISE(ABORT, 'the audit table is append-only'); END"
    for verb in ("UPDATE", "DELETE")
]
_POSTGRES_GUARDS = [
    """CREATE FUNCTION atlas_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the audit table is append-only'; END $$""",
    "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit "
    "FOR EACH ROW EXECUTE FUNCTION atlas_audit_append_only()",
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION atlas_audit_append_only()",
]


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("city", sa.Text()),
        sa.Column("districts", JSON, nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("disabled_at", sa.DateTime()),
        sa.CheckConstraint(
            "role IN ('admin', 'city', 'district', 'viewer')", name="ck_accounts_role"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.UniqueConstraint("name", name="uq_accounts_name"),
    )
    op.create_table(
        "sessions",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime()),
        sa.Column("address", sa.Text()),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_sessions_account_id", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_sha256", name="pk_sessions"),
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("target", sa.Text()),
        sa.Column("address", sa.Text()),
        sa.Column("detail", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit"),
    )
    op.create_index("ix_audit_actor_action_at", "audit", ["actor", "action", "at"])
    op.create_index("ix_audit_address_action_at", "audit", ["address", "action", "at"])
    op.create_table(
        "published",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("published_by", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["versions.id"], name="fk_published_version_id", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("version_id", name="pk_published"),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _POSTGRES_GUARDS if postgres else _SQLITE_GUARDS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION atlas_audit_append_only() CASCADE")
    for table in ("published", "audit", "sessions", "accounts"):
        op.drop_table(table)
