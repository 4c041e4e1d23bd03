"""Alembic environment: run on the connection that `store.migrate` hands over, never a URL."""

from __future__ import annotations

from alembic import context

from store.schema import metadata


def _ours(name: str | None, kind: str, _parent: object) -> bool:
    """Our tables only: PostGIS keeps its own (spatial_ref_sys) beside them."""
    return kind != "table" or name in metadata.tables


config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite's DDL is transactional too: the whole upgrade commits or rolls back as one.
    transactional_ddl=True,
    # SQLite alters tables by copying them; batch mode does that for a later revision.
    render_as_batch=connection.dialect.name == "sqlite",
    include_name=_ours,
)
with context.begin_transaction():
    context.run_migrations()
