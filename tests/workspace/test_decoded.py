"""
Saved snapshots decoded once per process (store/_decoded.py), on both back ends: a second read
decodes nothing and returns the same rows; each account still reads only its own; a reader's
change stays its own; a new version, a database made anew over the same file, and a server's
read-ahead (``server.warm_workspace``) each give the rows they should.
"""

from __future__ import annotations

import os
import threading
import time

import pandas as pd
import pytest

from geo import infra
from store import Workspace, _decoded, migrate

from .conftest import LEDGER, SURVEY, monthly_ledger


@pytest.fixture(autouse=True)
def empty_store():
    """Each test starts with nothing decoded."""
    _decoded.SHARED.clear()
    yield
    _decoded.SHARED.clear()


def _save(workspace, ledger, name="xinxiang", user=None, path=LEDGER):
    return workspace.save_ledger(
        ledger, name=name, user=user, data=path.read_bytes(), file_name=path.name
    )


def _decodings() -> int:
    return _decoded.SHARED.decoded


def test_a_second_read_decodes_nothing_and_returns_the_same_rows(workspace, example_ledger):
    _save(workspace, example_ledger)
    first = workspace.current_projects()
    quarantine = workspace.current_quarantine("ledger")
    done = _decodings()
    assert done == 2  # the rows and the quarantine, once each
    again = workspace.current_projects()
    pd.testing.assert_frame_equal(again, first)
    pd.testing.assert_frame_equal(workspace.current_quarantine("ledger"), quarantine)
    assert _decodings() == done
    # A version read by number shares the same decoding.
    loaded = workspace.load("xinxiang", 1).content.projects
    assert _decodings() == done
    assert len(loaded) == len(first)


def test_each_account_reads_its_own_rows_from_what_was_decoded(workspace, example_ledger, team):
    _save(workspace, example_ledger, user=team["admin"])
    everything = workspace.current_projects(user=team["admin"])
    done = _decodings()
    weibin = workspace.current_projects(city="新乡市", user=team["weibin"])
    assert _decodings() == done
    assert len(weibin) == len(everything) > 0  # a district account reads its city's rows
    # Another city's account reads none of them, though they are decoded in this process.
    assert workspace.current_projects(user=team["jiaozuo"]).empty
    assert workspace.current_projects(city="新乡市", user=team["jiaozuo"]).empty
    # A district's rows only: the kept frame is cut as the store's query says.
    hongqi = workspace.current_projects(districts=["410702"], user=team["admin"])
    assert set(hongqi["adcode"]) == {"410702"}
    assert len(hongqi) == int((everything["adcode"] == "410702").sum())


def test_a_readers_change_never_reaches_the_next_reader(workspace, example_ledger):
    _save(workspace, example_ledger)
    mine = workspace.current_projects()
    names = mine["name"].copy()
    mine["name"] = "改过"
    mine.loc[mine.index[0], "households"] = -1
    theirs = workspace.current_projects()
    pd.testing.assert_series_equal(theirs["name"], names)
    assert (theirs["households"].dropna() >= 0).all()


def test_a_new_version_is_decoded_and_the_districts_it_replaces_are_left(
    workspace, example_ledger, tmp_path
):
    from geo import records

    _save(workspace, example_ledger)
    before = workspace.current_projects()
    month = monthly_ledger(tmp_path)
    _save(workspace, records.read_ledger(month, crs_name="gcj02"), path=month)
    after = workspace.current_projects()
    weibin = after["adcode"] == "410703"
    assert set(after.loc[weibin, "version"]) == {2}
    assert set(after.loc[~weibin, "version"]) == {1}
    assert "新建小区" in set(after["name"]) and "新建小区" not in set(before["name"])
    assert len(after[~weibin]) == int((before["adcode"] != "410703").sum())


def test_a_database_made_anew_over_the_same_file_never_meets_the_old_rows(tmp_path, example_ledger):
    from geo import records

    url = f"sqlite:///{tmp_path / 'atlas.sqlite'}"
    with Workspace(url) as first:
        first.init()
        _save(first, example_ledger)
        old = first.current_projects()
    (tmp_path / "atlas.sqlite").unlink()
    for leftover in tmp_path.glob("atlas.sqlite*"):
        leftover.unlink()
    time.sleep(1.1)  # a save's time is kept to the second on SQLite
    month = monthly_ledger(tmp_path)
    with Workspace(url) as second:
        second.init()
        _save(second, records.read_ledger(month, crs_name="gcj02"), path=month)
        new = second.current_projects()
    # The same dataset, number and version id, another file: its own rows.
    assert len(new) != len(old) and set(new["adcode"]) == {"410703"}


def test_the_read_ahead_decodes_what_the_first_page_reads(workspace, example_ledger, tmp_path):
    _save(workspace, example_ledger)
    found = infra.read_infra(SURVEY)
    workspace.save_infra(
        found, name="survey", user=None, data=SURVEY.read_bytes(), file_name=SURVEY.name
    )
    assert _decodings() == 0
    rows = workspace.warm()
    assert _decodings() == 4  # each kind's rows and quarantine
    saved = workspace.current_projects(), workspace.current_quarantine("ledger")
    features = workspace.current_features(), workspace.current_quarantine("infra")
    assert rows == sum(len(f) for f in (*saved, *features)) > 0
    assert _decodings() == 4


def test_readers_asking_at_once_wait_for_one_decoding():
    kept = _decoded.DecodedSnapshots()
    started = threading.Event()
    calls = []

    def decode():
        calls.append(1)
        started.set()
        time.sleep(0.2)
        return pd.DataFrame({"a": range(3)})

    out = []
    readers = [threading.Thread(target=lambda: out.append(kept.get("k", decode))) for _ in range(4)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert len(calls) == 1 and len(out) == 4
    assert all(frame["a"].tolist() == [0, 1, 2] for frame in out)


def test_the_least_recently_read_goes_first_and_an_oversized_frame_is_not_kept():
    kept = _decoded.DecodedSnapshots(max_rows=10)
    frame = pd.DataFrame({"a": range(4)})
    for key in "abc":  # 12 rows: the first read goes
        kept.get(key, lambda: frame)
    assert "a" not in kept and "b" in kept and "c" in kept and kept.rows() == 8
    kept.get("b", lambda: pytest.fail("b is kept"))  # b read again: c is now the oldest
    kept.get("d", lambda: frame)
    assert "c" not in kept and "b" in kept and "d" in kept
    big = pd.DataFrame({"a": range(11)})
    assert len(kept.get("big", lambda: big)) == 11
    assert "big" not in kept and kept.rows() == 8


def test_a_server_reads_ahead_at_start_and_starts_whatever_the_workspace(
    tmp_path, example_ledger, monkeypatch, caplog
):
    import server

    url = f"sqlite:///{tmp_path / 'atlas.sqlite'}"
    with Workspace(url) as workspace:
        workspace.init()
        _save(workspace, example_ledger)
    monkeypatch.setenv("ATLAS_DATABASE_URL", url)
    _decoded.SHARED.clear()
    server.warm_workspace().join(timeout=60)
    assert _decoded.SHARED.rows() == len(example_ledger.projects) + len(example_ledger.quarantine)
    with Workspace(url) as page:  # a page's own workspace object reads what was decoded
        page.current_projects()
    assert _decoded.SHARED.decoded == 2
    # A workspace that is not there: said in the log, for the pages to say too; no traceback.
    monkeypatch.setenv("ATLAS_DATABASE_URL", f"sqlite:///{tmp_path / 'missing.sqlite'}")
    with caplog.at_level("WARNING", logger="server"):
        thread = server.warm_workspace()
        thread.join(timeout=60)
    assert not thread.is_alive()
    assert "workspace not read ahead" in caplog.text


def test_the_read_ahead_leaves_an_older_schema_to_the_first_reader(tmp_path):
    from .conftest import at_revision

    url = f"sqlite:///{tmp_path / 'atlas.sqlite'}"
    at_revision(url, "0001")
    with Workspace(url) as workspace:
        assert workspace.warm() == 0
        with workspace.engine.connect() as conn:
            assert migrate.revision(conn) == "0001"  # not upgraded behind the planner's back
        workspace.current_projects()  # the first reader upgrades it, as before
        with workspace.engine.connect() as conn:
            assert migrate.revision(conn) == migrate.head()


def test_a_server_told_to_keep_nothing_decodes_each_time(tmp_path):
    import subprocess
    import sys

    code = "from store import _decoded; print(_decoded.MAX_ROWS, _decoded.SHARED.max_rows)"
    env = {**os.environ, "ATLAS_DECODED_ROWS": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["0", "0"], out.stderr
    kept = _decoded.DecodedSnapshots(max_rows=0)
    assert len(kept.get("a", lambda: pd.DataFrame({"a": [1]}))) == 1 and "a" not in kept


def test_a_server_draws_the_usual_maps_ahead_from_the_seed_figures_only(monkeypatch):
    import server
    from geo import gazetteer
    from layers import place_labels

    place_labels._label_point.cache_clear()
    monkeypatch.setenv("ATLAS_DATABASE_URL", "sqlite:////nonexistent/atlas.sqlite")
    assert server.warm_maps() == 2  # no workspace read: none there
    # All of China's city outlines have their label points found for the first page.
    assert place_labels._label_point.cache_info().currsize >= len(gazetteer.list_cities())
