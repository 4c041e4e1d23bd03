"""
Nothing lost, nothing half-written: killed saves, concurrent writers, and the databases that
cannot be used (missing, locked, newer, unreachable), each with one clear error.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap

import psycopg
import pytest
from sqlalchemy import text

from store import SchemaError, StoreError, Workspace
from store.schema import DATA_TABLES, datasets, versions

from .conftest import LEDGER, REPO

# Builds a 100k-row ledger from the example's rows, saves it, and stops for good once the
# rows are written and the transaction is still open: the parent kills it there.
KILLED_SAVE = textwrap.dedent(
    """
    import sys, time
    import pandas as pd
    from geo import records
    from store import Workspace
    from tests.workspace.test_reliability import big_ledger

    ledger = big_ledger(100_000)
    workspace = Workspace(sys.argv[1])

    def progress(fraction, stage):
        print(stage, flush=True)
        if stage == "rows":
            time.sleep(600)

    workspace.save_ledger(ledger, name="xinxiang", user="killed", data=b"big",
                          file_name="big.csv", progress=progress)
    """
)


def big_ledger(rows: int):
    """The example ledger's clean rows repeated to ``rows`` rows, counts consistent."""
    import pandas as pd

    from geo import records

    example = records.read_ledger(LEDGER, crs_name="gcj02")
    repeats = -(-rows // len(example.projects))
    projects = pd.concat([example.projects] * repeats, ignore_index=True).iloc[:rows]
    projects = projects.reset_index(drop=True)
    projects["row"] = range(2, rows + 2)
    quarantine = example.quarantine
    return records.Ledger(
        projects,
        quarantine,
        rows + len(quarantine),
        example.columns,
        example.stages,
        example.encoding,
        example.sheet,
    )


def _snapshot(workspace: Workspace) -> dict:
    with workspace.engine.connect() as conn:
        counts = {
            t.name: conn.execute(text(f'SELECT count(*) FROM "{t.name}"')).scalar()
            for t in (datasets, versions, *DATA_TABLES)
        }
    return counts | {"history": workspace.history("xinxiang")}


def test_a_save_killed_halfway_leaves_the_workspace_as_it_was(
    workspace, workspace_url, example_ledger
):
    workspace.save_ledger(
        example_ledger,
        name="xinxiang",
        user="clerk",
        data=LEDGER.read_bytes(),
        file_name=LEDGER.name,
    )
    before = _snapshot(workspace)
    command = [sys.executable, "-c", KILLED_SAVE, workspace_url]
    with subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as child:
        stages = []
        for line in child.stdout:
            stages.append(line.strip())
            if stages[-1] == "rows":
                break
        assert stages[-1:] == ["rows"], child.stderr.read()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert stages == ["version", "file", "rows"]
    assert _snapshot(workspace) == before
    # The lock died with the process: the next save lands at once, as version 2.
    info = workspace.save_ledger(
        example_ledger, name="xinxiang", user="clerk", data=b"again", file_name="again.csv"
    )
    assert info.version == 2


def _write(url: str, index: int, barrier, results) -> None:
    ledger = big_ledger(40)
    ledger.projects["adcode"] = f"9900{index:02d}"
    ledger.projects["city"] = "测试市"
    workspace = Workspace(url, timeout=60)
    barrier.wait(timeout=60)
    info = workspace.save_ledger(
        ledger,
        name="city",
        user=f"office-{index}",
        data=f"ledger {index}".encode(),
        file_name=f"{index}.csv",
    )
    results.put((index, info.version))
    workspace.close()


@pytest.mark.parametrize("writers", [None])
def test_concurrent_writers_all_land_whole(workspace, workspace_url, writers):
    writers = 10 if workspace.backend == "postgresql" else 2
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(writers), context.Queue()
    processes = [
        context.Process(target=_write, args=(workspace_url, i, barrier, results))
        for i in range(writers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [p.exitcode for p in processes] == [0] * writers
    landed = dict(results.get(timeout=5) for _ in range(writers))
    assert sorted(landed.values()) == list(range(1, writers + 1))
    history = workspace.history("city")
    assert sorted(v.saved_by for v in history) == sorted(f"office-{i}" for i in range(writers))
    assert {v.clean for v in history} == {40}
    current = workspace.current_projects(city="测试市")
    assert len(current) == 40 * writers
    assert sorted(set(current["adcode"])) == [f"9900{i:02d}" for i in range(writers)]


def _hold_lock(workspace: Workspace, url: str):
    """Another writer in the middle of a save: SQLite's write lock, or the dataset's row."""
    if workspace.backend == "sqlite":
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        return conn
    conn = psycopg.connect(workspace.url.set(drivername="postgresql").render_as_string(False))
    conn.execute("SELECT id FROM datasets WHERE name = 'xinxiang' FOR UPDATE")
    return conn


def test_a_locked_workspace_gives_one_clear_error(workspace, workspace_url, example_ledger):
    workspace.save_ledger(example_ledger, name="xinxiang", user="u", data=b"1", file_name="1.csv")
    holder = _hold_lock(workspace, workspace_url)
    impatient = Workspace(workspace_url, timeout=0.5)
    try:
        with pytest.raises(StoreError, match=r"stayed locked by another (writer|save) for 0.5 s"):
            impatient.save_ledger(
                example_ledger, name="xinxiang", user="u", data=b"2", file_name="2.csv"
            )
    finally:
        holder.close()
        impatient.close()
    assert [v.version for v in workspace.history("xinxiang")] == [1]


def test_a_workspace_of_a_newer_atlas_is_refused(workspace, workspace_url):
    with workspace.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    later = Workspace(workspace_url)
    with pytest.raises(SchemaError) as caught:
        later.list_datasets()
    assert "has schema '9999_future', newer than this atlas knows (up to '0004')" in str(
        caught.value
    )
    with pytest.raises(SchemaError):
        later.upgrade()
    later.close()


def test_postgis_missing_database_unready_schema_and_closed_port(postgis_url, postgis_schema):
    base = postgis_url.rsplit("/", 1)[0]
    with (
        Workspace(f"{base}/nope") as missing,
        pytest.raises(StoreError, match=r"does not exist .*createdb nope"),
    ):
        missing.list_datasets()
    with (
        Workspace(postgis_schema) as unready,
        pytest.raises(SchemaError, match=r"has no atlas tables yet. Run `atlas db init`"),
    ):
        unready.list_datasets()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    closed = Workspace(f"postgresql://atlas:secret@127.0.0.1:{port}/atlas")
    message = rf"Cannot reach the workspace server .*:{port}/"
    with closed, pytest.raises(StoreError, match=message) as caught:
        closed.status()
    assert "secret" not in str(caught.value) and "***" in str(caught.value)


def test_a_bad_url_says_what_is_expected(monkeypatch):
    monkeypatch.setenv("ATLAS_DATABASE_URL", "mysql://x/y")
    with pytest.raises(StoreError, match="Expected ATLAS_DATABASE_URL to start with postgresql"):
        Workspace()
