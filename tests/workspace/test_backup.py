"""Backup and restore: every version round-trips bit for bit, across back ends."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import sqlite3

import geopandas as gpd
import pandas as pd
import psycopg
import pytest
from alembic import command
from geopandas.testing import assert_geodataframe_equal
from sqlalchemy import create_engine

from geo import infra, plans, records
from geo.figures import load_figures
from store import StoreError, Workspace, _columns, migrate

from .conftest import LEDGER, SURVEY, monthly_ledger, schema_url


def _fill(workspace: Workspace, example_ledger, folder) -> None:
    workspace.save_ledger(
        example_ledger,
        name="xinxiang",
        user="clerk",
        data=LEDGER.read_bytes(),
        file_name=LEDGER.name,
        datum="gcj02",
    )
    month = monthly_ledger(folder)
    workspace.save_ledger(
        records.read_ledger(month, crs_name="gcj02"),
        name="xinxiang",
        user="weibin",
        data=month.read_bytes(),
        file_name=month.name,
    )
    workspace.save_infra(
        infra.read_infra(SURVEY),
        name="survey",
        user="surveyor",
        data=SURVEY.read_bytes(),
        file_name=SURVEY.name,
    )
    workspace.save_figures(
        load_figures(), name="figures", user="editor", documents={"a.txt": "正文"}
    )
    # A plan's targets share the figures table with the figures: each counted once.
    plan = plans.plan_from_figures(
        load_figures(), city="新乡市", year=2023, start_by="2023-03-31", report_day=5
    )
    workspace.save_plan(plan, name="plan", user="editor")


def _same(left: Workspace, right: Workspace) -> None:
    """Every version: the same record, bytes and frames."""
    assert left.list_datasets() == right.list_datasets()
    for dataset in left.list_datasets():
        assert left.history(dataset["name"]) == right.history(dataset["name"])
        for info in left.history(dataset["name"]):
            a, b = left.load(info.dataset, info.version), right.load(info.dataset, info.version)
            assert a.data == b.data
            if info.kind == "ledger":
                assert_geodataframe_equal(a.content.projects, b.content.projects)
                pd.testing.assert_frame_equal(a.content.quarantine, b.content.quarantine)
            elif info.kind == "plan":
                pd.testing.assert_frame_equal(a.content.targets, b.content.targets)
                pd.testing.assert_frame_equal(a.content.deadlines, b.content.deadlines)
            elif info.kind == "infra":
                assert_geodataframe_equal(a.content.features, b.content.features)
                assert a.content.extent.equals_exact(b.content.extent, 0)
            else:
                pd.testing.assert_frame_equal(a.content.figures, b.content.figures)
                assert a.content.documents == b.content.documents


def test_a_backup_restores_every_version_into_the_embedded_file(
    workspace, example_ledger, tmp_path
):
    _fill(workspace, example_ledger, tmp_path)
    counts = workspace.backup(tmp_path / "backup.sqlite")
    assert counts["datasets"] == 4 and counts["versions"] == 5
    assert not (tmp_path / "backup.sqlite-wal").exists()
    restored = Workspace(f"sqlite:///{tmp_path / 'restored.sqlite'}")
    restored.init()
    assert restored.restore(tmp_path / "backup.sqlite") == counts
    _same(workspace, restored)
    assert [v.sha256 for v in restored.history("xinxiang")] == [
        v.sha256 for v in workspace.history("xinxiang")
    ]
    restored.close()


def test_postgis_to_the_embedded_file_and_back(
    postgis_url, postgis_schema, example_ledger, tmp_path
):
    source = Workspace(postgis_schema)
    source.init()
    _fill(source, example_ledger, tmp_path)
    source.backup(tmp_path / "one.sqlite")
    embedded = Workspace(f"sqlite:///{tmp_path / 'embedded.sqlite'}")
    embedded.init()
    embedded.restore(tmp_path / "one.sqlite")
    embedded.backup(tmp_path / "two.sqlite")
    with psycopg.connect(postgis_url, autocommit=True) as conn:
        conn.execute('CREATE SCHEMA "test_back_again"')
    try:
        again = Workspace(schema_url(postgis_url, "test_back_again"))
        again.init()
        again.restore(tmp_path / "two.sqlite")
        _same(source, again)
        _same(source, embedded)
        again.close()
    finally:
        with psycopg.connect(postgis_url, autocommit=True) as conn:
            conn.execute('DROP SCHEMA "test_back_again" CASCADE')
    source.close()
    embedded.close()


def test_restore_refuses_a_workspace_with_data_unless_told_to_replace(
    workspace, example_ledger, tmp_path
):
    workspace.save_ledger(example_ledger, name="old", user="u", data=b"old", file_name="o.csv")
    other = Workspace(f"sqlite:///{tmp_path / 'other.sqlite'}")
    other.init()
    other.save_ledger(example_ledger, name="new", user="u", data=b"new", file_name="n.csv")
    other.backup(tmp_path / "b.sqlite")
    with pytest.raises(StoreError, match="already holds 1 datasets; restore into an empty"):
        workspace.restore(tmp_path / "b.sqlite")
    assert [d["name"] for d in workspace.list_datasets()] == ["old"]
    workspace.restore(tmp_path / "b.sqlite", replace=True)
    assert [d["name"] for d in workspace.list_datasets()] == ["new"]
    with pytest.raises(StoreError, match="atlas never writes a new workspace or backup over a"):
        other.backup(tmp_path / "b.sqlite")
    with pytest.raises(StoreError, match="is missing"):
        workspace.restore(tmp_path / "none.sqlite")
    other.close()


# --- a backup is read, never changed, and checked whole before anything is written -----------


def test_restoring_reads_the_backup_without_changing_it(workspace, example_ledger, tmp_path):
    _fill(workspace, example_ledger, tmp_path)
    path = tmp_path / "backup.sqlite"
    workspace.backup(path)
    before = path.read_bytes()
    assert before[18:20] == b"\x01\x01"  # SQLite's header: a rollback journal, not WAL
    workspace.restore(path, replace=True)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("backup")) == [
        "backup.sqlite"
    ]


def test_a_backup_never_touches_another_partial_file(workspace, example_ledger, tmp_path):
    workspace.save_ledger(example_ledger, name="x", user="u", data=b"1", file_name="1.csv")
    folder = tmp_path / "backups"
    folder.mkdir()
    theirs = folder / "b.sqlite.partial"
    theirs.write_bytes(b"another backup being written")
    workspace.backup(folder / "b.sqlite")
    assert theirs.read_bytes() == b"another backup being written"
    assert sorted(p.name for p in folder.iterdir()) == ["b.sqlite", "b.sqlite.partial"]


def _forged_snapshot(conn: sqlite3.Connection) -> None:
    (data,) = conn.execute(
        "SELECT parquet FROM snapshots WHERE version_id = 1 AND part = 'rows'"
    ).fetchone()
    frame = gpd.read_parquet(io.BytesIO(data))
    frame.loc[0, "households"] = 9999
    conn.execute(
        "UPDATE snapshots SET parquet = ? WHERE version_id = 1 AND part = 'rows'",
        (_columns.to_parquet(frame),),
    )


DAMAGE = {
    "junk snapshot": (
        "UPDATE snapshots SET parquet = x'00112233' WHERE version_id = 1 AND part = 'rows'",
        "xinxiang@1: its rows snapshot is not readable Parquet of its columns (",
    ),
    "forged snapshot": (
        _forged_snapshot,
        "xinxiang@1: its rows snapshot (26 rows) differs from its 26 clean rows",
    ),
    "forged file": (
        "UPDATE files SET content = CAST('forged' AS BLOB) WHERE version_id = 1",
        "xinxiang@1: its file hashes to "
        "ccdd35168ab474fa5764a526cfb83621351e23682c5075b2e18d56bddf96aa30 (6 bytes), not the "
        "recorded 7cbd7bdf749066fa2d203e18b096649eda5e15feb5ff18ed42618cfc24fea519 (5195 bytes)",
    ),
    "missing rows": (
        "DELETE FROM projects WHERE version_id = 1 AND seq = 0",
        "xinxiang@1: 25 clean rows, not the recorded 26",
    ),
    "CHECK broken": (
        "UPDATE versions SET rows = 999 WHERE id = 1",
        "1 row(s) of versions break the rule rows = clean + quarantined",
    ),
    "orphan rows": (
        "DELETE FROM versions WHERE id = 1",
        "5 row(s) of coverage belong to no row of versions; 1 row(s) of files belong to no row "
        "of versions; 26 row(s) of projects belong to no row of versions; 5 row(s) of "
        "quarantine belong to no row of versions; 2 row(s) of snapshots belong to no row of "
        "versions",
    ),
    "text not UTF-8": (
        "UPDATE datasets SET name = CAST(x'e6ff' AS TEXT)",
        "it holds text that is not UTF-8 (column 'dataset')",
    ),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_or_forged_backup_is_refused_with_what_is_wrong(
    workspace, example_ledger, tmp_path, damage
):
    source, _ = _source(example_ledger, tmp_path)
    path = tmp_path / "damaged.sqlite"
    shutil.copyfile(source, path)
    change, problem = DAMAGE[damage]
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as conn:
        # What SQLite lets anyone with the file do: skip its own rules.
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("PRAGMA ignore_check_constraints = ON")
        change(conn) if callable(change) else conn.execute(change)
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        workspace.restore(path)
    message = str(caught.value)
    assert message.startswith(f"{path} is not a backup atlas can restore: ")
    assert problem in message
    assert message.endswith(
        ". Nothing was restored. Restore another backup, or ask whoever made this one "
        "(`atlas db backup`) for a new one."
    )
    assert caught.value.code == "backup_refused"
    assert workspace.list_datasets() == []
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "it is not an SQLite file (its first bytes are b'')"),
        (b"junk" * 10, "it is not an SQLite file (its first bytes are b'junkjunkjunkjunk')"),
        ("foreign", "it holds no atlas tables"),
    ],
)
def test_a_file_that_is_not_a_backup_is_refused(workspace, tmp_path, content, problem):
    path = tmp_path / "not-a-backup.sqlite"
    if content == "foreign":
        with contextlib.closing(sqlite3.connect(path)) as conn:
            conn.execute("CREATE TABLE notes (text TEXT)")
            conn.commit()
    else:
        path.write_bytes(content)
    with pytest.raises(
        StoreError, match=re.escape(f"{path} is not a backup atlas can restore: {problem}. Nothing")
    ):
        workspace.restore(path)


def _source(example_ledger, tmp_path) -> tuple:
    """A backup of the example ledger saved once, by an embedded workspace of its own."""
    folder = tmp_path / "source"
    folder.mkdir()
    with Workspace(f"sqlite:///{folder / 'atlas.sqlite'}") as source:
        source.init()
        source.save_ledger(
            example_ledger, name="xinxiang", user="clerk", data=LEDGER.read_bytes(),
            file_name=LEDGER.name,
        )  # fmt: skip
        source.backup(folder / "backup.sqlite")
        return folder / "backup.sqlite", source.history("xinxiang")


@pytest.mark.parametrize("revision", sorted(migrate.known() - {migrate.head()}))
def test_a_backup_of_an_earlier_schema_is_upgraded_and_restored(
    workspace, example_ledger, tmp_path, revision
):
    source, history = _source(example_ledger, tmp_path)
    path = tmp_path / f"backup-{revision}.sqlite"
    shutil.copyfile(source, path)
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        command.downgrade(migrate._config(conn), revision)
    engine.dispose()
    before = path.read_bytes()
    assert workspace.restore(path) == {"datasets": 1, "versions": 1, "rows": 31}
    assert workspace.history("xinxiang") == history
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("backup-")) == [path.name]
