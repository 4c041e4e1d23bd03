"""
A throwaway PostgreSQL + PostGIS cluster on a free loopback port, for tests and benchmarks.

``initdb`` refuses to run as root, so as root the server runs as the ``postgres`` user (Debian
creates it with the ``postgresql`` package), with its data and socket in a temporary folder
that is deleted when the cluster stops. Trust authentication, loopback only.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg

__all__ = ["find_bindir", "throwaway_cluster"]


def find_bindir() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl`` with PostGIS beside them, or None."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    found = shutil.which("initdb")
    if found:
        candidates.append(str(Path(found).resolve().parent))
    for folder in candidates:
        version = Path(folder).parent.name
        postgis = glob.glob(f"/usr/share/postgresql/{version}/extension/postgis.control")
        if (Path(folder) / "initdb").exists() and postgis:
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def throwaway_cluster(*, fsync: bool = False, database: str = "atlas") -> Iterator[str]:
    """Start a cluster, create ``database`` with PostGIS, yield its URL, stop and delete it."""
    bindir = find_bindir()
    if bindir is None:
        raise FileNotFoundError(
            "Expected PostgreSQL with PostGIS (apt-get install postgresql postgresql-15-postgis-3)."
        )
    folder = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(folder, "postgres", "postgres")

    def run(*command: str) -> None:
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    data, port = folder / "data", _free_port()
    try:
        run(
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-locale",
        )
        options = f"-p {port} -c listen_addresses=127.0.0.1 -k {folder} -c max_connections=50"
        if not fsync:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        run(
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(folder / "server.log"),
            "-w",
            "start",
        )
        admin = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        url = f"postgresql://postgres@127.0.0.1:{port}/{database}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION postgis")
        yield url
    finally:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
