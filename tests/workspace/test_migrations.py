"""Migrations: a fresh database and every earlier revision upgrade to tables that match the
schema, on both back ends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from store import Workspace, migrate
from store.schema import metadata

from .conftest import at_revision


def _differences(workspace: Workspace) -> list:
    def ours(name, kind, _parent):
        return kind != "table" or name in metadata.tables

    with workspace.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": ours})
        return compare_metadata(context, metadata)


def test_a_fresh_database_is_initialised_to_tables_matching_the_schema(workspace_url):
    with Workspace(workspace_url) as fresh:
        made = fresh.init()
        assert made == {
            "where": fresh.where, "created": True, "schema": migrate.head(), "state": "ok",
        }  # fmt: skip
        assert _differences(fresh) == []
        assert fresh.init() == made | {"created": False}  # never again over what is there
        assert fresh.upgrade() == (migrate.head(), migrate.head())  # a no-op
        assert fresh.status()["state"] == "ok"


@pytest.mark.parametrize("revision", sorted(migrate.known()))
def test_every_earlier_revision_upgrades_to_the_newest(workspace_url, revision):
    at_revision(workspace_url, revision)
    with Workspace(workspace_url) as old:
        assert old.status()["schema"] == revision
        old.upgrade()
        assert old.status()["schema"] == migrate.head()
        assert _differences(old) == []
