"""
The workspace tables, one definition for SQLite and PostgreSQL + PostGIS.

A dataset is a sequence of immutable versions. Each version owns its original file
(``files``), the districts it covers (``coverage``) and its rows: clean ``projects`` (ledgers),
``features`` (infrastructure), ``figures`` (figure tables, and a plan's targets: revision
0004), the ``quarantine`` of any kind, an infrastructure file's ``extents``, a figure table's
``documents`` and whether it is ``published`` (readable by every account). Rows keep their place
in the saved frame (``seq``); columns a table does not name travel in ``extra`` (JSON). The
same frames are kept whole as Parquet in ``snapshots``, which loading reads.

Geometry is PostGIS ``geometry`` with SRID 4326 on PostgreSQL and WKB in a BLOB on SQLite;
either way it is WGS84 (EPSG:4326). Times are UTC without a zone.

Beside the data (revision 0002): ``accounts`` (name, role, city, districts, an argon2 hash),
their login ``sessions`` and the append-only ``audit`` of every save, restore, account change
and login. Migrations live in
``store/migrations``; a change here needs a new revision there.
"""

from __future__ import annotations

from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeEngine

__all__ = ["DATA_TABLES", "KINDS", "ROLES", "ROWS_TABLE", "SRID", "metadata"]

#: What a dataset holds. A plan's targets are figures (status ``plan``), its deadlines in
#: ``versions.meta`` (revision 0004).
KINDS = ("ledger", "infra", "figures", "plan")
#: What an account may do (store/accounts.py says what each means).
ROLES = ("admin", "city", "district", "viewer")
SRID = 4326

# Constraint names fixed by convention, so both dialects and Alembic agree on them.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_json = JSON().with_variant(JSONB(), "postgresql")


def geometry(kind: str = "GEOMETRY") -> TypeEngine[Any]:
    """A geometry column type: PostGIS ``geometry(kind, 4326)``, WKB BLOB on SQLite."""
    # No GiST index: inserting 100k points into one took 1.2 of a 3 s save on PostGIS, and
    # atlas reads whole versions, not boxes. A GIS client that needs one can add it.
    return Geometry(kind, srid=SRID, spatial_index=False).with_variant(LargeBinary(), "sqlite")


def _owned() -> Column:
    return Column("version_id", ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True)


datasets = Table(
    "datasets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("kind", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    CheckConstraint("kind IN ('ledger', 'infra', 'figures', 'plan')", name="kind"),
)

versions = Table(
    "versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("dataset_id", ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("saved_by", Text, nullable=False),
    Column("saved_at", DateTime, nullable=False),
    Column("file_name", Text),
    Column("sha256", String(64)),
    Column("size", BigInteger),
    Column("datum", Text),
    Column("rows", Integer, nullable=False),
    Column("clean", Integer, nullable=False),
    Column("quarantined", Integer, nullable=False),
    Column("by_reason", _json, nullable=False),
    # Kind-specific facts (a ledger's encoding, sheet, header map and stages; a survey's kind).
    Column("meta", _json, nullable=False),
    # Per saved frame: its columns in order, each with its dtype and where it is stored.
    Column("frames", _json, nullable=False),
    Column("note", Text),
    UniqueConstraint("dataset_id", "number"),
    CheckConstraint("rows = clean + quarantined", name="counts"),
)

files = Table(
    "files",
    metadata,
    _owned(),
    Column("content", LargeBinary, nullable=False),
)

coverage = Table(
    "coverage",
    metadata,
    _owned(),
    Column("adcode", Text, primary_key=True),
    Column("city", Text),
    Index(None, "adcode"),
)

projects = Table(
    "projects",
    metadata,
    _owned(),
    Column("seq", Integer, primary_key=True),
    Column("row", BigInteger),
    Column("name", Text),
    Column("address", Text),
    Column("city", Text),
    Column("district", Text),
    Column("adcode", Text),
    Column("level", Text),
    Column("county_adcode", Text),
    Column("province", Text),
    Column("located", Text),
    Column("year", Integer),
    Column("batch", Text),
    Column("status", Text),
    Column("content_tags", Text),
    Column("households", BigInteger),
    Column("buildings", BigInteger),
    Column("floor_area_m2", Double),
    Column("investment_cny", Double),
    Column("lon", Double),
    Column("lat", Double),
    Column("datum", Text),
    Column("lon_source", Double),
    Column("lat_source", Double),
    Column("extra", _json),
    Column("geom", geometry("POINT")),
)

features = Table(
    "features",
    metadata,
    _owned(),
    Column("seq", Integer, primary_key=True),
    Column("type", Text),
    Column("source", Text),
    Column("source_id", Text),
    Column("name", Text),
    Column("extra", _json),
    Column("geom", geometry()),
    # The district of the feature's representative point, set on saving: not a frame column.
    Column("adcode", Text),
)

figures = Table(
    "figures",
    metadata,
    _owned(),
    Column("seq", Integer, primary_key=True),
    Column("figure_id", Text),
    Column("doc_id", Text),
    Column("seed_line", BigInteger),
    Column("province", Text),
    Column("city", Text),
    Column("place", Text),
    Column("adcode", Text),
    Column("level", Text),
    Column("period_start", Integer),
    Column("period_end", Integer),
    Column("period_label", Text),
    Column("status", Text),
    Column("metric", Text),
    Column("value", Double),
    Column("unit", Text),
    Column("qualifier", Text),
    Column("as_written", Text),
    Column("role", Text),
    Column("extra", _json),
)

quarantine = Table(
    "quarantine",
    metadata,
    _owned(),
    Column("seq", Integer, primary_key=True),
    Column("row", BigInteger),
    Column("reason", Text),
    Column("column", Text),
    Column("message_zh", Text),
    Column("message_en", Text),
    # Every raw cell of the refused row, by header.
    Column("extra", _json),
)

extents = Table(
    "extents",
    metadata,
    _owned(),
    Column("geom", geometry()),
)

documents = Table(
    "documents",
    metadata,
    _owned(),
    Column("name", Text, primary_key=True),
    Column("text", Text, nullable=False),
)

# Each saved frame also as Parquet (GeoParquet for geometry), read whole: a city's current
# state opens from these in a fraction of the time rows take through a database driver.
snapshots = Table(
    "snapshots",
    metadata,
    _owned(),
    Column("part", Text, primary_key=True),
    Column("rows", Integer, nullable=False),
    Column("parquet", LargeBinary, nullable=False),
)

# A version every account may read, whatever its city ("what is published").
published = Table(
    "published",
    metadata,
    _owned(),
    Column("published_by", Text, nullable=False),
    Column("published_at", DateTime, nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("role", Text, nullable=False),
    # A city account's city (full name, 新乡市); a district account's city and its adcodes.
    Column("city", Text),
    Column("districts", _json, nullable=False),
    # argon2id, in the PHC string form argon2-cffi writes (parameters and salt included).
    Column("password_hash", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("changed_at", DateTime, nullable=False),
    Column("disabled_at", DateTime),
    CheckConstraint("role IN ('admin', 'city', 'district', 'viewer')", name="role"),
)

# A login: the SHA-256 of its random token (the cookie carries the token, signed), so a copy
# of the database opens no session.
sessions = Table(
    "sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
    Column("address", Text),
)

# Append-only: triggers refuse UPDATE and DELETE on both back ends (revision 0002), and on
# SQLite an INSERT that would REPLACE an existing row (revision 0003).
audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    # The acting account's name, or the name typed into a failed login.
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("target", Text),
    Column("address", Text),
    Column("detail", _json, nullable=False),
    Index(None, "actor", "action", "at"),
    Index(None, "address", "action", "at"),
)

#: The table of each kind's clean rows.
ROWS_TABLE = {"ledger": projects, "infra": features, "figures": figures, "plan": figures}

#: Tables of rows owned by a version, in the order a backup copies them.
DATA_TABLES = (
    files,
    coverage,
    projects,
    features,
    figures,
    quarantine,
    extents,
    documents,
    snapshots,
    published,
)
