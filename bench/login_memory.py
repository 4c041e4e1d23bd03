"""
Peak memory of 30 parallel failed logins, with argon2id at its real cost (64 MiB a hash).

``python -m bench.login_memory`` runs each case in a process of its own (the peak resident
set, ``ru_maxrss``, as ``/usr/bin/time -v`` reports it, only grows) and prints one JSON line
per case: the process's peak before the parallel logins (already holding one hash's 64 MiB:
the account set-up hashed), after them, and how many passwords were checked. Not part of
``python -m bench``: there is no peer to compare with, only the bound on hashes in flight
(``ATLAS_HASHES_IN_FLIGHT``, :mod:`store.accounts`).

Cases, each on the embedded file and on a throwaway PostgreSQL cluster:

- ``strangers``: 30 names that are no account, from 30 addresses, at once (a spray).
- ``accounts``: 30 accounts, each from the address it last logged in from, a wrong
  password at once (a morning of typos: nothing serialises these but the bound).
- ``verify``: :func:`store.accounts.verify_password` from 30 threads, no database.

Measured on 2 cores (peak MB, before → after the bound of 2): verify 2,195 → 384;
PostgreSQL strangers 1,236 → 322, accounts 1,236 → 387; the embedded file 341 → 324 and
340 → 324 (its logins already ran one at a time).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

PARALLEL = 30
PASSWORD = "correct horse battery"
CASES = ("strangers", "accounts", "verify")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _at_once(task, count: int) -> list[BaseException]:
    """Run ``task(i)`` in ``count`` threads released together; the exceptions they raised."""
    start, raised = threading.Barrier(count), []

    def run(index: int) -> None:
        start.wait()
        try:
            task(index)
        except Exception as exc:  # each thread's refusal is the expected outcome here
            raised.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return raised


def run_case(case: str, url: str | None) -> dict[str, object]:
    """One case in this process: peaks before and after, passwords checked."""
    from store import Workspace, accounts

    if case == "verify":
        stored = accounts.hash_password(PASSWORD)
        before = _peak_mb()
        _at_once(lambda i: accounts.verify_password(stored, "wrong password!"), PARALLEL)
        return {"case": case, "before_mb": round(before), "peak_mb": round(_peak_mb())}
    with Workspace(url) as workspace:
        workspace.upgrade()
        workspace.add_account("admin", role="admin", password=PASSWORD)
        admin = workspace.login("admin", PASSWORD).account
        names = [f"clerk{i}" for i in range(PARALLEL)]
        if case == "accounts":
            for i, name in enumerate(names):
                workspace.add_account(name, role="viewer", password=PASSWORD, user=admin)
                workspace.login(name, PASSWORD, address=f"10.0.{i}.1")
        else:
            names = [f"nobody{i}" for i in range(PARALLEL)]
        before = _peak_mb()

        def guess(i: int) -> None:
            workspace.login(names[i], "wrong password!", address=f"10.0.{i}.1")

        refused = _at_once(guess, PARALLEL)
        log = workspace.audit_log(user=admin, action="login_failed")
    return {
        "case": case,
        "backend": workspace.backend,
        "before_mb": round(before),
        "peak_mb": round(_peak_mb()),
        "checked": len(log),
        "refused": len(refused),
    }


def main() -> int:
    """Each case on each back end, in a process of its own."""
    import psycopg

    from tests.workspace.cluster import throwaway_cluster
    from tests.workspace.conftest import schema_url

    with tempfile.TemporaryDirectory() as folder, throwaway_cluster() as postgres:
        runs = [("verify", "")]
        for case in CASES[:2]:
            with psycopg.connect(postgres, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {case}")
            sqlite = f"sqlite:///{Path(folder) / case}.sqlite"
            runs += [(case, sqlite), (case, schema_url(postgres, case))]
        for case, url in runs:
            subprocess.run([sys.executable, "-m", "bench.login_memory", case, url], check=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3:
        print(json.dumps(run_case(sys.argv[1], sys.argv[2] or None)), flush=True)
        sys.exit(0)
    sys.exit(main())
