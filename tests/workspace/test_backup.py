"""Backup and restore: every version round-trips bit for bit, across back ends."""

from __future__ import annotations

import pandas as pd
import psycopg
import pytest
from geopandas.testing import assert_geodataframe_equal

from geo import infra, records
from geo.figures import load_figures
from store import StoreError, Workspace

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
    assert counts["datasets"] == 3 and counts["versions"] == 4
    assert not (tmp_path / "backup.sqlite-wal").exists()
    restored = Workspace(f"sqlite:///{tmp_path / 'restored.sqlite'}")
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
    source.upgrade()
    _fill(source, example_ledger, tmp_path)
    source.backup(tmp_path / "one.sqlite")
    embedded = Workspace(f"sqlite:///{tmp_path / 'embedded.sqlite'}")
    embedded.restore(tmp_path / "one.sqlite")
    embedded.backup(tmp_path / "two.sqlite")
    with psycopg.connect(postgis_url, autocommit=True) as conn:
        conn.execute('CREATE SCHEMA "test_back_again"')
    try:
        again = Workspace(schema_url(postgis_url, "test_back_again"))
        again.upgrade()
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
    other.save_ledger(example_ledger, name="new", user="u", data=b"new", file_name="n.csv")
    other.backup(tmp_path / "b.sqlite")
    with pytest.raises(StoreError, match="already holds 1 datasets; restore into an empty"):
        workspace.restore(tmp_path / "b.sqlite")
    assert [d["name"] for d in workspace.list_datasets()] == ["old"]
    workspace.restore(tmp_path / "b.sqlite", replace=True)
    assert [d["name"] for d in workspace.list_datasets()] == ["new"]
    with pytest.raises(StoreError, match="a backup never overwrites a file"):
        other.backup(tmp_path / "b.sqlite")
    with pytest.raises(StoreError, match="is missing"):
        workspace.restore(tmp_path / "none.sqlite")
    other.close()
