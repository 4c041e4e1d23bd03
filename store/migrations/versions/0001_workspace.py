"""The workspace: datasets, their versions, and each version's file, districts and rows.

Revision ID: 0001
Revises:
Created: 2026-12-02
"""

from __future__ import annotations

from typing import Any

import geoalchemy2
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of store/schema.py's types as of this revision.
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ROW_TABLES = ("projects", "features", "figures", "quarantine")


def _geometry(kind: str = "GEOMETRY") -> sa.types.TypeEngine[Any]:
    # On SQLite a plain BLOB: GeoAlchemy2's SpatiaLite hooks must not see a geometry type.
    if op.get_bind().dialect.name == "sqlite":
        return sa.LargeBinary()
    return geoalchemy2.types.Geometry(kind, srid=4326, spatial_index=False)


def _owner(table: str, *, seq: bool = False) -> tuple[list, list[str]]:
    """``version_id`` (and ``seq``): the primary key and the version that owns the row."""
    columns = [sa.Column("version_id", sa.Integer(), nullable=False)]
    key = ["version_id"]
    if seq:
        columns.append(sa.Column("seq", sa.Integer(), nullable=False))
        key.append("seq")
    return [
        *columns,
        sa.ForeignKeyConstraint(
            ["version_id"], ["versions.id"], name=f"fk_{table}_version_id", ondelete="CASCADE"
        ),
    ], key


def _create(
    table: str, *columns: sa.schema.SchemaItem, key: tuple[str, ...] = (), seq: bool = False
) -> None:
    owned, primary = _owner(table, seq=seq)
    primary += list(key)
    op.create_table(table, *owned, *columns, sa.PrimaryKeyConstraint(*primary, name=f"pk_{table}"))


def _text(*names: str) -> list[sa.Column]:
    return [sa.Column(name, sa.Text()) for name in names]


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('ledger', 'infra', 'figures')", name="ck_datasets_kind"),
        sa.PrimaryKeyConstraint("id", name="pk_datasets"),
        sa.UniqueConstraint("name", name="uq_datasets_name"),
    )
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("saved_by", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("file_name", sa.Text()),
        sa.Column("sha256", sa.String(length=64)),
        sa.Column("size", sa.BigInteger()),
        sa.Column("datum", sa.Text()),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("clean", sa.Integer(), nullable=False),
        sa.Column("quarantined", sa.Integer(), nullable=False),
        sa.Column("by_reason", JSON, nullable=False),
        sa.Column("meta", JSON, nullable=False),
        sa.Column("frames", JSON, nullable=False),
        sa.Column("note", sa.Text()),
        sa.CheckConstraint("rows = clean + quarantined", name="ck_versions_counts"),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name="fk_versions_dataset_id", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_versions"),
        sa.UniqueConstraint("dataset_id", "number", name="uq_versions_dataset_id_number"),
    )
    _create("files", sa.Column("content", sa.LargeBinary(), nullable=False))
    _create(
        "coverage", sa.Column("adcode", sa.Text(), nullable=False), *_text("city"), key=("adcode",)
    )
    _create(
        "projects",
        sa.Column("row", sa.BigInteger()),
        *_text("name", "address", "city", "district", "adcode", "level", "county_adcode"),
        *_text("province", "located"),
        sa.Column("year", sa.Integer()),
        *_text("batch", "status", "content_tags"),
        sa.Column("households", sa.BigInteger()),
        sa.Column("buildings", sa.BigInteger()),
        *[sa.Column(n, sa.Double()) for n in ("floor_area_m2", "investment_cny", "lon", "lat")],
        *_text("datum"),
        *[sa.Column(n, sa.Double()) for n in ("lon_source", "lat_source")],
        sa.Column("extra", JSON),
        sa.Column("geom", _geometry("POINT")),
        seq=True,
    )
    _create(
        "features",
        *_text("type", "source", "source_id", "name"),
        sa.Column("extra", JSON),
        sa.Column("geom", _geometry()),
        *_text("adcode"),
        seq=True,
    )
    _create(
        "figures",
        *_text("figure_id", "doc_id"),
        sa.Column("seed_line", sa.BigInteger()),
        *_text("province", "city", "place", "adcode", "level"),
        sa.Column("period_start", sa.Integer()),
        sa.Column("period_end", sa.Integer()),
        *_text("period_label", "status", "metric"),
        sa.Column("value", sa.Double()),
        *_text("unit", "qualifier", "as_written", "role"),
        sa.Column("extra", JSON),
        seq=True,
    )
    _create(
        "quarantine",
        sa.Column("row", sa.BigInteger()),
        *_text("reason", "column", "message_zh", "message_en"),
        sa.Column("extra", JSON),
        seq=True,
    )
    _create("extents", sa.Column("geom", _geometry()))
    _create(
        "documents",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        key=("name",),
    )
    _create(
        "snapshots",
        sa.Column("part", sa.Text(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("parquet", sa.LargeBinary(), nullable=False),
        key=("part",),
    )
    op.create_index("ix_coverage_adcode", "coverage", ["adcode"])


def downgrade() -> None:
    for table in ("snapshots", "documents", "extents", *ROW_TABLES, "coverage", "files"):
        op.drop_table(table)
    op.drop_table("versions")
    op.drop_table("datasets")
