"""
A workspace that is broken never looks empty: truncated, foreign, missing or deleted files,
a lost ``-wal``, a full disk, and an audit row overwritten with SQLite's REPLACE.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import uuid
from pathlib import Path

import psycopg
import pytest
import streamlit as st
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from streamlit.testing.v1 import AppTest

import store.workspace
from cli import main
from store import StoreError, Workspace, _files

from .conftest import APP, APP_TIMEOUT, REPO
from .test_reliability import big_ledger


def _save(workspace: Workspace, name: str = "xinxiang", rows: int = 40):
    return workspace.save_ledger(
        big_ledger(rows), name=name, user="clerk", data=f"{name}{rows}".encode(), file_name="l.csv"
    )


def _sqlite(tmp_path: Path) -> tuple[Workspace, Path]:
    path = tmp_path / "atlas.sqlite"
    workspace = Workspace(f"sqlite:///{path}")
    workspace.init()
    return workspace, path


# --- the embedded file: only `atlas db init` creates one ---------------------------------------


def test_a_truncated_workspace_is_refused_never_recreated(tmp_path, monkeypatch, capsys):
    workspace, path = _sqlite(tmp_path)
    _save(workspace)
    workspace.close()
    path.write_bytes(b"")
    for stale in _files.companions(path):
        stale.unlink(missing_ok=True)
    expected = (
        f"The workspace file {path} is empty (0 bytes): it was truncated or replaced, and atlas "
        "will not start an empty workspace over it. Restore the latest backup: move it and "
        "atlas.sqlite.last-commit away, run `atlas db init`, then `atlas db restore BACKUP`."
    )
    with Workspace(f"sqlite:///{path}") as reopened, pytest.raises(StoreError) as caught:
        reopened.list_datasets()
    assert (str(caught.value), caught.value.code) == (expected, "workspace_empty")
    monkeypatch.setenv("ATLAS_DATABASE_URL", f"sqlite:///{path}")
    for command in (["datasets"], ["db", "init"], ["db", "status"]):
        assert main(command) == 2
        assert capsys.readouterr() == ("", f"atlas {command[0]}: {expected}\n")
    assert path.stat().st_size == 0
    assert not any(p.exists() for p in _files.companions(path))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            b"PK\x03\x04 a spreadsheet saved over it",
            "Expected a workspace file (SQLite) at {path}; its first bytes are "
            "b'PK\\x03\\x04 a spreadshe'. Point ATLAS_DATA_DIR at the workspace, or restore the "
            "latest backup: move it and atlas.sqlite.last-commit away, run `atlas db init`, "
            "then `atlas db restore BACKUP`.",
        ),
        (
            "foreign",
            "Expected a workspace file at {path}; it is an SQLite database without atlas tables "
            "(another program's file, or one emptied). Only `atlas db init` creates a "
            "workspace, never over a file: point ATLAS_DATA_DIR at the workspace, or move this "
            "file away, run `atlas db init` and restore the latest backup.",
        ),
    ],
)
def test_a_file_that_is_not_a_workspace_is_refused_and_left_alone(tmp_path, content, expected):
    path = tmp_path / "atlas.sqlite"
    if content == "foreign":
        with contextlib.closing(sqlite3.connect(path)) as conn:
            conn.execute("CREATE TABLE notes (text TEXT)")
            conn.commit()
    else:
        path.write_bytes(content)
    before = path.read_bytes()
    with Workspace(f"sqlite:///{path}") as opened:
        for attempt in (opened.list_datasets, opened.init, opened.upgrade):
            with pytest.raises(StoreError) as caught:
                attempt()
            assert str(caught.value) == expected.format(path=path)
    if content != "foreign":  # SQLite itself may set a foreign file's journal mode
        assert path.read_bytes() == before


def test_a_missing_workspace_is_refused_and_only_init_creates_it(tmp_path, monkeypatch):
    monkeypatch.delenv("ATLAS_DATABASE_URL", raising=False)
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "data" / "atlas.sqlite"
    with Workspace() as fresh:
        with pytest.raises(StoreError) as caught:
            fresh.list_datasets()
        assert (str(caught.value), caught.value.code) == (
            f"Expected a workspace file at {path}; there is none. Run `atlas db init` to create "
            "an empty workspace there, or set ATLAS_DATA_DIR to the folder that holds "
            "atlas.sqlite (or ATLAS_DATABASE_URL to a team server).",
            "workspace_missing",
        )
        assert not (tmp_path / "data").exists()
        made = fresh.init()
        assert made == {"where": str(path), "created": True, "schema": "0004", "state": "ok"}
        assert fresh.list_datasets() == []
    assert sorted(p.name for p in path.parent.iterdir()) == ["atlas.sqlite"]
    elsewhere = Workspace(f"sqlite:///{tmp_path / 'no' / 'such' / 'atlas.sqlite'}")
    with elsewhere, pytest.raises(StoreError, match=r"the folder .*/no/such does not exist"):
        elsewhere.init()


def test_a_deleted_workspace_that_held_saves_is_not_recreated(tmp_path):
    workspace, path = _sqlite(tmp_path)
    _save(workspace)
    workspace.close()
    path.unlink()
    with Workspace(f"sqlite:///{path}") as again:
        for attempt in (again.list_datasets, again.init):
            with pytest.raises(StoreError) as caught:
                attempt()
            assert caught.value.code == "workspace_gone"
            assert str(caught.value).startswith(
                f"The workspace file {path} is gone, but {path}.last-commit records saves up to "
                "audit entry 1 ("
            )
    assert not path.exists()
    _files.record_path(path).unlink()  # what the message says to do to start afresh
    with Workspace(f"sqlite:///{path}") as again:
        assert again.init()["created"] is True


def test_init_refuses_sqlite_companions_left_without_their_file(tmp_path):
    path = tmp_path / "atlas.sqlite"
    wal = tmp_path / "atlas.sqlite-wal"
    wal.write_bytes(b"an old log")
    with Workspace(f"sqlite:///{path}") as fresh, pytest.raises(StoreError) as caught:
        fresh.init()
    assert str(caught.value) == (
        f"atlas.sqlite-wal lie beside {path}, left from an earlier file of that name; SQLite "
        "would replay them into a new one. Move them away (or choose a new name)."
    )
    assert not path.exists() and wal.read_bytes() == b"an old log"


def test_the_app_says_its_workspace_is_truncated_instead_of_showing_it_empty(tmp_path, monkeypatch):
    path = tmp_path / "data" / "atlas.sqlite"
    path.parent.mkdir()
    path.write_bytes(b"")
    monkeypatch.setenv("ATLAS_DATA_DIR", str(path.parent))
    st.cache_resource.clear()  # the app's cached handle on the workspace opens anew
    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT).run()
    assert [unescaped(e.value) for e in at.error] == [
        f"无法打开工作区： 工作区文件 {path} 是空的（0 字节），已被截断或替换；atlas 不会用空工作区"
        "顶替它。请恢复最近的备份（`atlas db restore`）。"
    ]
    at.session_state["lang"] = "en"
    at.run()
    assert unescaped(at.error[0].value).startswith(
        f"The workspace cannot be opened: The workspace file {path} is empty (0 bytes)"
    )
    st.cache_resource.clear()


# --- a lost -wal: what SQLite cannot tell, the last-commit record does ------------------------

# Saves, says so, and holds its connection (the save still only in the -wal) until killed.
HELD_SAVE = textwrap.dedent(
    """
    import sys, time
    from store import Workspace
    from tests.workspace.test_faults import _save

    workspace = Workspace(sys.argv[1])
    print(_save(workspace, "held").version, flush=True)
    time.sleep(600)
    """
)


def test_a_save_lost_with_its_wal_is_reported_on_the_next_open(tmp_path):
    workspace, path = _sqlite(tmp_path)
    _save(workspace)
    workspace.close()
    url = f"sqlite:///{path}"
    command = [sys.executable, "-c", HELD_SAVE, url]
    with subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as server:
        assert server.stdout.readline().strip() == "1", server.stderr.read()
        (tmp_path / "atlas.sqlite-wal").unlink()
        # While the server holds the file, another process cannot use it: one clear error.
        with Workspace(url) as other, pytest.raises(StoreError) as caught:
            other.list_datasets()
        assert f"SQLite could not write or read the workspace file {path}" in str(caught.value)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
    with Workspace(url) as reopened, pytest.raises(StoreError) as caught:
        reopened.list_datasets()
    assert caught.value.code == "workspace_behind"
    assert str(caught.value).startswith(
        f"The workspace file {path} ends at audit entry 1, but entry 2 was committed ("
    )
    assert str(caught.value).endswith(
        "saves acknowledged since then are missing. This happens when atlas.sqlite-wal is "
        "deleted or the file is replaced by an older copy while atlas uses it. Restore the "
        "latest backup; if you replaced the file with an older copy on purpose, delete "
        "atlas.sqlite.last-commit to accept it as it is."
    )
    _files.record_path(path).unlink()
    with Workspace(url) as accepted:
        assert [d["name"] for d in accepted.list_datasets()] == ["xinxiang"]


def test_a_commit_by_another_process_while_a_workspace_opens_is_no_lost_save(tmp_path, monkeypatch):
    # A team server commits (and records it) between this process's read of the audit and
    # its check: the commit is not lost, and the workspace opens.
    workspace, path = _sqlite(tmp_path)
    _save(workspace)
    workspace.close()
    url = f"sqlite:///{path}"
    read = store.workspace._last_audit
    committed = []

    def read_then_another_commits(conn):
        last = read(conn)
        if not committed:
            committed.append(True)
            with Workspace(url) as server:
                _save(server, "another")
        return last

    monkeypatch.setattr(store.workspace, "_last_audit", read_then_another_commits)
    with Workspace(url) as opened:
        names = [d["name"] for d in opened.list_datasets()]
    assert committed and sorted(names) == ["another", "xinxiang"]


# --- a full disk: one clear error, the workspace as it was, nothing left behind ---------------


# Saves 20,000 rows (about 6 MB) with the process's file size limit at 1 MB: EFBIG.
def unescaped(markdown: str) -> str:
    """What a reader sees of escaped Markdown (tests.conftest's, which this module cannot import:
    LIMITED's child imports this module, and tests.conftest points ATLAS_DATA_DIR elsewhere)."""
    return re.sub(r"\\(.)", r"\1", markdown)


LIMITED = textwrap.dedent(
    """
    import json, resource, sys
    from store import StoreError, Workspace
    from tests.workspace.test_faults import _save
    from cli import main

    workspace = Workspace(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_FSIZE, (2**20, 2**20))
    if sys.argv[2] == "save":
        try:
            _save(workspace, "big", 20_000)
        except StoreError as exc:
            print(json.dumps({"code": exc.code, "message": str(exc)}))
    else:
        sys.exit(main(["db", "backup", sys.argv[3]]))
    """
)


def test_a_save_past_the_file_size_limit_is_one_clear_error(tmp_path):
    workspace, path = _sqlite(tmp_path)
    _save(workspace)
    url = f"sqlite:///{path}"
    done = subprocess.run(
        [sys.executable, "-c", LIMITED, url, "save"],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    assert done.stdout.strip() == (
        '{"code": "disk_write_failed", "message": "No room to write '
        f"{path}: a write failed: the disk is full, a quota or file-size limit was reached, or "
        "the disk is failing. Nothing was saved and nothing was left behind. Free space on that "
        'disk (or point ATLAS_DATA_DIR, or the backup, at a larger one) and try again."}'
    ), done.stderr
    assert [d["name"] for d in workspace.list_datasets()] == ["xinxiang"]
    assert _save(workspace).version == 2
    workspace.close()


def test_a_backup_past_the_file_size_limit_leaves_nothing_behind(tmp_path, monkeypatch):
    workspace, path = _sqlite(tmp_path)
    _save(workspace, rows=20_000)
    workspace.close()
    target = tmp_path / "backups" / "b.sqlite"
    target.parent.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", LIMITED, f"sqlite:///{path}", "backup", str(target)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env=os.environ | {"ATLAS_DATABASE_URL": f"sqlite:///{path}"},
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (
        2,
        f"atlas db: No room to write {target}: a write failed: the disk is full, a quota or "
        "file-size limit was reached, or the disk is failing. Nothing was saved and nothing "
        "was left behind. Free space on that disk (or point ATLAS_DATA_DIR, or the backup, at "
        "a larger one) and try again.\n",
    )
    assert list(target.parent.iterdir()) == []


@pytest.fixture
def small_disk():
    """
    A 2 MB tmpfs (needs root: mount); skipped where it cannot be mounted.

    In /tmp, not in pytest's folder, so the PostgreSQL server's user can reach it.
    """
    folder = Path(tempfile.mkdtemp(prefix="atlas-small-disk-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", str(folder)],
        capture_output=True,
    )
    if mounted.returncode:
        folder.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        # Lazily: a test that failed half-way may still hold a file open there.
        subprocess.run(["umount", "--lazy", str(folder)], check=True)
        folder.rmdir()


def test_a_full_disk_during_a_save_and_a_backup(tmp_path, small_disk):
    workspace = Workspace(f"sqlite:///{small_disk / 'atlas.sqlite'}")
    workspace.init()
    _save(workspace)
    with pytest.raises(StoreError) as caught:
        _save(workspace, "big", 20_000)
    assert (caught.value.code, str(caught.value)) == (
        "disk_full",
        f"No room to write {small_disk / 'atlas.sqlite'}: the disk is full (or a quota or "
        "file-size limit was reached). Nothing was saved and nothing was left behind. Free "
        "space on that disk (or point ATLAS_DATA_DIR, or the backup, at a larger one) and try "
        "again.",
    )
    assert [d["name"] for d in workspace.list_datasets()] == ["xinxiang"]
    workspace.close()
    big, _ = _sqlite(tmp_path)
    _save(big, "big", 20_000)
    with pytest.raises(StoreError) as caught:
        big.backup(small_disk / "b.sqlite")
    assert caught.value.code == "disk_full"
    # The small workspace's own files (its -wal keeps what a full disk kept it from folding
    # in); nothing of the backup.
    assert {p.name for p in small_disk.iterdir()} <= {
        "atlas.sqlite", "atlas.sqlite-wal", "atlas.sqlite-shm", "atlas.sqlite.last-commit",
    }  # fmt: skip
    big.close()


@pytest.fixture
def small_tablespace(postgis_url, small_disk):
    """A PostGIS schema whose tables live on the 2 MB tmpfs (a tablespace); its URL."""
    shutil.chown(small_disk, "postgres", "postgres")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgis_url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLESPACE small LOCATION '{small_disk}'")
        conn.execute(f'CREATE SCHEMA "{schema}"')
    options = f"-csearch_path={schema},public -cdefault_tablespace=small"
    url = make_url(postgis_url).update_query_dict({"options": options})
    url = url.render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with psycopg.connect(postgis_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
            conn.execute("DROP TABLESPACE small")


def test_a_full_disk_on_the_server_during_a_save(small_tablespace):
    workspace = Workspace(small_tablespace)
    workspace.init()
    _save(workspace)
    with pytest.raises(StoreError) as caught:
        _save(workspace, "big", 20_000)
    assert caught.value.code == "disk_full"
    assert str(caught.value).startswith("No room to write postgresql://postgres@127.0.0.1:")
    assert [d["name"] for d in workspace.list_datasets()] == ["xinxiang"]
    workspace.close()


# --- the audit: REPLACE cannot overwrite a row ---------------------------------------------------


def test_no_statement_overwrites_an_audit_row(workspace):
    _save(workspace)
    if workspace.backend == "sqlite":
        statements = [
            "REPLACE INTO audit (id, at, actor, action, detail) "
            "VALUES (1, '2020-01-01', 'nobody', 'save', '{}')",
            "INSERT OR REPLACE INTO audit (id, at, actor, action, detail) "
            "VALUES (1, '2020-01-01', 'nobody', 'save', '{}')",
            "INSERT INTO audit (id, at, actor, action, detail) "
            "VALUES (1, '2020-01-01', 'nobody', 'save', '{}') "
            "ON CONFLICT (id) DO UPDATE SET actor = 'nobody'",
        ]
    else:
        statements = [
            "INSERT INTO audit (id, at, actor, action, detail) "
            "VALUES (1, '2020-01-01', 'nobody', 'save', '{}') "
            "ON CONFLICT (id) DO UPDATE SET actor = 'nobody'",
        ]
    audit = text("SELECT id, actor, action FROM audit ORDER BY id")
    with workspace.engine.connect() as conn:
        with conn.begin():
            before = conn.execute(audit).all()
        assert before[-1][1:] == ("clerk", "save")
        for statement in statements:
            with pytest.raises(DBAPIError, match="the audit table is append-only"), conn.begin():
                conn.execute(text(statement.replace("(1,", f"({before[0][0]},")))
        with conn.begin():
            assert conn.execute(audit).all() == before
