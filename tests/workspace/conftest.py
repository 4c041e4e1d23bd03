"""
Fixtures: a fresh workspace on each back end, so the same test code runs on both.

PostGIS comes from ``$ATLAS_TEST_DATABASE_URL`` when set, else from a throwaway cluster when
PostgreSQL and PostGIS are installed, else its tests skip; with ``CI`` set they fail instead.
Each test gets its own PostgreSQL schema (first on the ``search_path``), dropped afterwards.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import argon2
import psycopg
import pytest
import streamlit as st
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from geo import records
from geo._data import DATA_DIR
from store import Workspace, _engine, migrate

from .cluster import find_bindir, throwaway_cluster

EXAMPLES = DATA_DIR / "examples"
REPO = DATA_DIR.parent
LEDGER = EXAMPLES / "synthetic-ledger-xinxiang.csv"
SURVEY = EXAMPLES / "synthetic-survey-xinxiang.geojson"


@pytest.fixture(scope="session")
def postgis_url() -> Iterator[str]:
    """
    A database with PostGIS: the given one, or a throwaway cluster's.

    Under pytest-xdist each worker has its own session: the given database is shared (each
    test has a schema of its own, see :func:`postgis_schema`), a throwaway cluster is not.
    """
    given = os.environ.get("ATLAS_TEST_DATABASE_URL")
    if given:
        with psycopg.connect(given, autocommit=True) as conn:
            # Two workers creating the extension at once would both try to insert it.
            conn.execute("SELECT pg_advisory_lock(hashtext('atlas-test-postgis'))")
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            conn.execute("SELECT pg_advisory_unlock(hashtext('atlas-test-postgis'))")
        yield given
        return
    if find_bindir() is None:
        message = (
            "PostgreSQL + PostGIS not installed (apt-get install postgresql "
            "postgresql-15-postgis-3), and ATLAS_TEST_DATABASE_URL is not set"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI must test the PostGIS back end: {message}")
        pytest.skip(message)
    with throwaway_cluster() as url:
        yield url


def schema_url(url: str, schema: str) -> str:
    """``url`` with ``schema`` first on the search path (PostGIS stays reachable in public)."""
    parsed = make_url(url).update_query_dict({"options": f"-csearch_path={schema},public"})
    return parsed.render_as_string(hide_password=False)


@pytest.fixture
def postgis_schema(postgis_url) -> Iterator[str]:
    """The URL of an empty schema of its own on the PostGIS server."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgis_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield schema_url(postgis_url, schema)
    with psycopg.connect(postgis_url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgis"])
def workspace_url(request, tmp_path) -> str:
    """An empty workspace's URL: an embedded file, then a PostGIS schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'atlas.sqlite'}"
    return request.getfixturevalue("postgis_schema")


@pytest.fixture
def atlas(workspace, workspace_url, monkeypatch, capsys):
    """Run `atlas …` against the test workspace; returns (status, stdout lines, stderr)."""
    from cli import main

    monkeypatch.setenv("ATLAS_DATABASE_URL", workspace_url)
    monkeypatch.setenv("ATLAS_USER", "clerk")

    def run(*args: str):
        status = main(list(args))
        out, err = capsys.readouterr()
        return status, [json.loads(line) for line in out.splitlines()], err

    return run


@pytest.fixture
def workspace(workspace_url) -> Iterator[Workspace]:
    """An initialised, empty workspace on each back end (`atlas db init`)."""
    opened = Workspace(workspace_url)
    opened.init()
    yield opened
    opened.close()


def at_revision(url: str, revision: str) -> None:
    """Make the database of ``url`` (a new file on SQLite) hold an earlier atlas's tables."""
    engine = _engine.make_engine(_engine.resolve_url(url), mode="rwc")
    try:
        with engine.begin() as conn:
            migrate.upgrade(conn, revision)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def example_ledger() -> records.Ledger:
    """The shipped synthetic 新乡 ledger, read in GCJ-02 as its file says."""
    return records.read_ledger(LEDGER, crs_name="gcj02")


def monthly_ledger(folder: Path) -> Path:
    """
    A 卫滨区 (410703) monthly ledger derived from the example: 幸小区 now 360 households and
    完工 (finished 2024-05-20), 福东小区 gone, 新建小区 added; every other 卫滨区 row as it was.
    """
    lines = LEDGER.read_text(encoding="utf-8-sig").splitlines()
    header, rows = lines[0], [line for line in lines[1:] if ",卫滨区," in line]
    rows = [r for r in rows if not r.startswith(("幸东小区,", "福东小区,"))]
    # A 完工 row needs its 完工日期 (the last column), or it is quarantined as undated.
    rows = [
        r.replace(",352,2,27.6,充电、停车、适老化,开工,", ",360,2,27.6,充电、停车、适老化,完工,")
        + ("2024-05-20" if ",352,2,27.6," in r else "")
        for r in rows
    ]
    rows.append(
        "新建小区,新乡市,卫滨区,2024,88,1,1.2,外墙,计划,50,113.850000,35.280000,gcj02,"
        "合成示例，非真实台账 (synthetic),,"
    )
    path = folder / "卫滨区-2024-05.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


APP = str(Path(__file__).resolve().parents[2] / "app.py")
APP_TIMEOUT = 120


@pytest.fixture(params=["sqlite", "postgis"])
def app_backend(request, monkeypatch):
    """The app on the embedded file (the default), then on PostGIS (ATLAS_DATABASE_URL)."""
    if request.param == "postgis":
        url = request.getfixturevalue("postgis_schema")
        with Workspace(url) as prepared:
            prepared.init()  # a team server is prepared once: `atlas db init`
        monkeypatch.setenv("ATLAS_DATABASE_URL", url)
    st.cache_resource.clear()  # the app's handle on the workspace is opened anew
    st.cache_data.clear()
    yield request.param
    st.cache_resource.clear()  # and closed


def app_session(**params: str) -> AppTest:
    """A new browser session (nothing in its state), opened on the address ``params``."""
    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


PASSWORD = "correct horse battery"
# name → (role, city, districts)
TEAM = {
    "admin": ("admin", None, ()),
    "xinxiang": ("city", "新乡", ()),
    "weibin": ("district", "新乡市", ("卫滨区",)),
    "hongqi": ("district", "新乡市", ("410702",)),
    "jiaozuo": ("city", "焦作市", ()),
    "reader": ("viewer", "新乡市", ()),
    "visitor": ("viewer", None, ()),
}


@pytest.fixture
def cheap_hashes(monkeypatch):
    """argon2id at its smallest cost, for tests that make many accounts (one keeps the real)."""
    monkeypatch.setattr(
        "store.accounts._HASHER", argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def team(workspace, cheap_hashes):
    """The workspace with the accounts of TEAM, each logged in: name → Account."""
    workspace.add_account("admin", role="admin", password=PASSWORD)  # the first, by the local user
    admin = workspace.login("admin", PASSWORD).account
    for name, (role, city, districts) in list(TEAM.items())[1:]:
        workspace.add_account(
            name, role=role, password=PASSWORD, city=city, districts=districts, user=admin
        )
    return {name: workspace.login(name, PASSWORD, address="10.1.1.1").account for name in TEAM}
