"""
The workspace: saving a 100k-row ledger, and opening the current state, on each back end.

Input: the synthetic 100k-row ledger, read once with :func:`geo.records.read_ledger`
(untimed). Each back end is its own case, so **peer ÷ atlas** compares like with like:

- ``save`` (rows/s): :meth:`store.Workspace.save_ledger` saves the whole read ledger as one
  version in one transaction: the clean rows with geometry (rows table and Parquet snapshot),
  the quarantine, the original file, the districts it covers. Each run saves into a new,
  empty workspace. Peers write the clean rows only, into a new file or table:
  ``GeoDataFrame.to_file`` (GPKG, pyogrio) and ``GeoDataFrame.to_postgis``.
- ``open``: the current state after a second version replaced one district (卫滨区) with a
  monthly ledger, every city (``current_projects()``, about 99k rows) and one city
  (``current_projects(city="新乡市")``), against ``read_file`` of the GPKG and
  ``read_postgis`` of the table (the same rows; ``where`` / ``WHERE city = …`` for one city).
  Each read is a process's first: what a server keeps decoded (:mod:`store._decoded`) is let
  go before each, as the peers read their file or table again.

PostGIS: ``$ATLAS_BENCH_DATABASE_URL``, else a throwaway cluster on a loopback port with
``fsync`` on, as the embedded file has. Checks: the saved version loads back equal to what
was saved; the current state holds the same row numbers as each peer read back.
"""

from __future__ import annotations

import os
import uuid
from functools import partial
from pathlib import Path

import geopandas as gpd
import psycopg
import pyogrio
from geopandas.testing import assert_geodataframe_equal
from sqlalchemy import create_engine

from bench import synthetic
from bench.timing import ATLAS, Mismatch, measure, peer_result
from geo import boundaries, records
from store import Workspace, _decoded
from store._files import record_path
from tests.workspace.cluster import find_bindir, throwaway_cluster

TITLE = "Workspace: save a 100k-row ledger, open the current state"
SPEC = synthetic.Spec("seed", 100_000)
CITY = "新乡市"
MONTHLY = "410703"  # 卫滨区


class _Fresh:
    """A new, empty workspace before each run: a new file, or a new PostgreSQL schema."""

    def __init__(self, url: str, folder: Path) -> None:
        self.url, self.folder, self.workspace, self.count = url, folder, None, 0

    def __call__(self) -> None:
        self.close()
        self.count += 1
        if self.url.startswith("sqlite"):
            url = f"sqlite:///{self.folder / f'save-{self.count}.sqlite'}"
        else:
            url = _schema(self.url)
        self.workspace = Workspace(url)
        self.workspace.init()

    def close(self) -> None:
        if self.workspace is not None:
            self.workspace.close()
            _drop(self.workspace)


def _schema(url: str) -> str:
    """A new schema on the server, first on the search path of the URL returned."""
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    return f"{url}?options=-csearch_path%3D{name},public"


def _drop(workspace: Workspace) -> None:
    """Delete a benchmark workspace: its file, or its schema."""
    if workspace.backend == "sqlite":
        path = Path(workspace.url.database)
        # The file, SQLite's own beside it, and the record of its last commit: left behind,
        # the record refuses the next run's new file of the same name as a lost workspace.
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), record_path(path)):
            leftover.unlink(missing_ok=True)
        return
    schema = workspace.url.query["options"].split("=", 1)[1].split(",")[0]
    server = workspace.url.set(drivername="postgresql", query={})
    with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _save(fresh: _Fresh, ledger: records.Ledger, data: bytes):
    return fresh.workspace.save_ledger(
        ledger, name="bench", user="bench", data=data, file_name="ledger.csv"
    )


def _check_saved(fresh: _Fresh, ledger: records.Ledger) -> str:
    loaded = fresh.workspace.load("bench").content
    try:
        assert_geodataframe_equal(loaded.projects, ledger.projects)
    except AssertionError as exc:
        raise Mismatch(f"store/save: the version loads back different: {exc}") from None
    return f"loads back equal: {len(ledger.projects):,} rows and {len(ledger.quarantine):,} refused"


def _same_rows(case: str, ours: gpd.GeoDataFrame, theirs: gpd.GeoDataFrame) -> str:
    if sorted(ours["row"]) != sorted(theirs["row"]):
        raise Mismatch(f"store/{case}: atlas has {len(ours):,} rows, the peer {len(theirs):,}.")
    return f"same {len(ours):,} row numbers"


def _save_case(name: str, url: str, folder: Path, ledger, data, repeat, peer) -> dict:
    fresh = _Fresh(url, folder)
    timing, _ = measure(partial(_save, fresh, ledger, data), repeat, before=fresh)
    rows = ledger.rows
    entry = {"case": f"save-100k {name}", "size": rows, "unit": "rows/s", "peers": {}}
    entry["peers"][ATLAS] = peer_result(
        timing, rows_per_s=rows / timing.median_s, check=_check_saved(fresh, ledger)
    )
    label, write, reset = peer
    timing, _ = measure(write, repeat, before=reset)
    entry["peers"][label] = peer_result(timing, rows_per_s=len(ledger.projects) / timing.median_s)
    fresh.close()
    return entry


def _open_cases(name: str, workspace: Workspace, peers: dict, repeat: int) -> list[dict]:
    entries = []
    for case, city in (("open-all", None), ("open-city", CITY)):
        # Each read as a process's first: a server keeps what it decoded (store._decoded),
        # a peer reads its file or table again.
        read = partial(workspace.current_projects, city=city)
        timing, ours = measure(read, repeat, before=_decoded.SHARED.clear)
        entry = {"case": f"{case} {name}", "size": len(ours), "unit": "rows", "peers": {}}
        entry["peers"][ATLAS] = peer_result(timing)
        for label, read in peers.items():
            timing, theirs = measure(partial(read, city), repeat)
            entry["peers"][label] = peer_result(timing, check=_same_rows(case, ours, theirs))
        entries.append(entry)
    return entries


def _fill(url: str, ledger, monthly, data) -> Workspace:
    workspace = Workspace(url)
    workspace.init()
    workspace.save_ledger(ledger, name="bench", user="city", data=data, file_name="ledger.csv")
    workspace.save_ledger(monthly, name="bench", user="weibin", data=data, file_name="m.csv")
    return workspace


def _embedded(folder: Path, ledger, monthly, data, repeat) -> list[dict]:
    gpkg = folder / "peer.gpkg"

    def write() -> None:
        ledger.projects.to_file(gpkg, layer="projects", engine="pyogrio")

    def read(city):
        where = f"city = '{city}'" if city else None
        return pyogrio.read_dataframe(gpkg, layer="projects", where=where, use_arrow=True)

    url = f"sqlite:///{folder / 'save.sqlite'}"
    peer = ("GeoDataFrame.to_file (GPKG)", write, partial(gpkg.unlink, missing_ok=True))
    entries = [_save_case("embedded", url, folder, ledger, data, repeat, peer)]
    write()
    workspace = _fill(f"sqlite:///{folder / 'open.sqlite'}", ledger, monthly, data)
    entries += _open_cases("embedded", workspace, {"read_file (GPKG, Arrow)": read}, repeat)
    workspace.close()
    _drop(workspace)
    return entries


def _postgis(url: str, folder: Path, ledger, monthly, data, repeat) -> list[dict]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))

    def write() -> None:
        ledger.projects.to_postgis("peer_projects", engine, if_exists="replace")

    def reset() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS peer_projects")

    def read(city):
        query = "SELECT * FROM peer_projects" + (f" WHERE city = '{city}'" if city else "")
        return gpd.read_postgis(query, engine, geom_col="geometry")

    entries = [
        _save_case("PostGIS", url, folder, ledger, data, repeat, ("to_postgis", write, reset))
    ]
    write()
    workspace = _fill(_schema(url), ledger, monthly, data)
    entries += _open_cases("PostGIS", workspace, {"read_postgis": read}, repeat)
    workspace.close()
    _drop(workspace)
    reset()
    engine.dispose()
    return entries


def _monthly(ledger: records.Ledger) -> records.Ledger:
    """卫滨区's rows of the ledger as a second version covering only 卫滨区."""
    rows = ledger.projects[ledger.projects["adcode"] == MONTHLY].reset_index(drop=True)
    empty = ledger.quarantine.iloc[:0]
    return records.Ledger(rows, empty, len(rows), ledger.columns, [], ledger.encoding, None)


def run(*, full: bool, repeat: int, qgis: bool) -> dict:
    boundaries.build_boundaries()
    path = synthetic.ledger_path(SPEC)
    ledger = records.read_ledger(path)
    data, monthly = path.read_bytes(), _monthly(ledger)
    folder = synthetic.DATA / "store"
    folder.mkdir(parents=True, exist_ok=True)
    cases = _embedded(folder, ledger, monthly, data, repeat)
    given = os.environ.get("ATLAS_BENCH_DATABASE_URL")
    note = None
    if given:
        cases += _postgis(given, folder, ledger, monthly, data, repeat)
    elif find_bindir() is not None:
        with throwaway_cluster(fsync=True) as url:
            cases += _postgis(url, folder, ledger, monthly, data, repeat)
    else:
        note = "PostGIS cases left out: no PostgreSQL with PostGIS, no ATLAS_BENCH_DATABASE_URL"
    return {"job": "store", "title": TITLE, "cases": cases, "extra": {"note": note}}
