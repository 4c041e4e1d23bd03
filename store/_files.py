"""
The embedded workspace file on disk: what is there, making one whole, its last commit's record.

SQLite opens whatever lies at a path and makes a database of an empty or missing file, so a
truncated workspace would look like an empty one. Here atlas looks first: :func:`check`
refuses a missing, empty or non-SQLite file before SQLite touches it, and only :func:`build`
(``atlas db init``, a backup) makes a new file, in a private folder beside its target, linked
into place when whole and never over an existing file.

SQLite cannot tell a file whose ``-wal`` was deleted from one whose log was checkpointed: both
open without complaint, the first without the saves the log held. So each commit that adds to
the audit (every save, restore, account change and login does) leaves the audit's last id in
``atlas.sqlite.last-commit`` beside the file, and :func:`check_commits` refuses a file that is
behind it. That catches a lost ``-wal`` and a file replaced by an older copy; it cannot catch
a loss of both the log and this record, nor a loss the server's own process has not yet
noticed (it keeps writing to the deleted log until it stops).
"""

from __future__ import annotations

import collections
import contextlib
import datetime
import errno
import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from store.errors import StoreError

__all__ = [
    "build",
    "check",
    "check_commits",
    "companions",
    "connected",
    "connections",
    "disk_errors",
    "disk_full",
    "record_commit",
    "record_path",
    "recorded_commit",
]

HEADER = b"SQLite format 3\x00"
#: What SQLite keeps beside a database file while it is in use.
COMPANIONS = ("-wal", "-shm", "-journal")
#: errno values that mean "no room to write": a full disk, a quota, a file-size limit.
FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_log = logging.getLogger(__name__)


def companions(path: Path) -> list[Path]:
    """The ``-wal``, ``-shm`` and ``-journal`` files SQLite keeps beside ``path``."""
    return [path.with_name(path.name + suffix) for suffix in COMPANIONS]


def record_path(path: Path) -> Path:
    """Where the last commit of the workspace file ``path`` is recorded."""
    return path.with_name(path.name + ".last-commit")


def check(path: Path, *, missing_ok: bool = False) -> None:
    """
    Refuse a workspace file that is missing, empty or not SQLite, before SQLite opens it.

    ``missing_ok`` lets a missing file pass unless its record says it held saves (``atlas db
    init`` is about to create it).
    """
    where = str(path)
    if not path.exists():
        _check_missing(path, missing_ok)
        return
    if path.is_dir():
        raise StoreError(
            f"Expected a workspace file at {where}; it is a folder. Point ATLAS_DATA_DIR at "
            "the folder that holds atlas.sqlite.",
            code="workspace_not_sqlite",
            details={"where": where},
        )
    # Never open the file while this process has SQLite connections on it: closing any
    # descriptor of a file drops every POSIX lock the process holds on it, SQLite's included,
    # and another process could then fold in and delete the -wal those connections still
    # write to (sqlite.org/howtocorrupt.html, section 2.2). Its size needs no descriptor;
    # while it is connected, SQLite itself refuses a file that is not a database.
    if path.stat().st_size == 0:
        head = b""
    elif connections(path):
        return
    else:
        with path.open("rb") as file:
            head = file.read(len(HEADER))
    if not head:
        raise StoreError(
            f"The workspace file {where} is empty (0 bytes): it was truncated or replaced, and "
            "atlas will not start an empty workspace over it. Restore the latest backup: move "
            f"it and {record_path(path).name} away, run `atlas db init`, then `atlas db "
            "restore BACKUP`.",
            code="workspace_empty",
            details={"where": where},
        )
    if head != HEADER:
        raise StoreError(
            f"Expected a workspace file (SQLite) at {where}; its first bytes are {head!r}. "
            "Point ATLAS_DATA_DIR at the workspace, or restore the latest backup: move it and "
            f"{record_path(path).name} away, run `atlas db init`, then `atlas db restore "
            "BACKUP`.",
            code="workspace_not_sqlite",
            details={"where": where},
        )


#: SQLite connections this process holds open, by the absolute path of their file.
_CONNECTED: collections.Counter[str] = collections.Counter()
_CONNECTED_LOCK = threading.Lock()


def connected(path: Path, change: int) -> None:
    """Count a SQLite connection opened (+1) or closed (-1) on ``path`` by this process."""
    with _CONNECTED_LOCK:
        _CONNECTED[os.path.abspath(path)] += change


def connections(path: Path) -> int:
    """How many SQLite connections this process holds open on ``path``."""
    with _CONNECTED_LOCK:
        return _CONNECTED[os.path.abspath(path)]


def _check_missing(path: Path, missing_ok: bool) -> None:
    """A missing file: refused, and refused even for ``atlas db init`` when it held saves."""
    where = str(path)
    recorded = _recorded(path)
    if recorded is not None:
        raise StoreError(
            f"The workspace file {where} is gone, but {record_path(path)} records saves "
            f"up to audit entry {recorded['audit']} ({recorded['at']} UTC). Put the file "
            "back, or restore the latest backup into a new workspace; to start an empty "
            f"workspace here instead, delete {record_path(path).name} and run `atlas db "
            "init`.",
            code="workspace_gone",
            details={"where": where, "entry": str(recorded["audit"])},
        )
    if missing_ok:
        return
    raise StoreError(
        f"Expected a workspace file at {where}; there is none. Run `atlas db init` to "
        "create an empty workspace there, or set ATLAS_DATA_DIR to the folder that holds "
        "atlas.sqlite (or ATLAS_DATABASE_URL to a team server).",
        code="workspace_missing",
        details={"where": where},
    )


@contextlib.contextmanager
def build(path: Path) -> Iterator[Path]:
    """
    A new file for ``path``: yields where to write it, links it to ``path`` when the block ends.

    The file is written in a private folder beside ``path`` (so nobody else's file is ever
    overwritten or deleted) and linked to ``path`` only if nothing is there yet; the folder
    goes, with SQLite's companions, whether the block succeeded or not. Close every
    connection to the file before the block ends.
    """
    if path.exists():
        raise StoreError(
            f"{path} exists; atlas never writes a new workspace or backup over a file. "
            "Choose a new name, or move the file away first.",
            code="file_exists",
            details={"where": str(path)},
        )
    left = [p.name for p in companions(path) if p.exists()]
    if left:
        raise StoreError(
            f"{', '.join(left)} lie beside {path}, left from an earlier file of that name; "
            "SQLite would replay them into a new one. Move them away (or choose a new name).",
            code="file_exists",
            details={"where": str(path)},
        )
    if not path.parent.is_dir():
        raise StoreError(
            f"Cannot write {path}: the folder {path.parent} does not exist. Create it first.",
            code="folder_missing",
            details={"where": str(path.parent)},
        )
    with disk_errors(path):
        folder = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent))
    try:
        yield folder / path.name
        with disk_errors(path):
            _link(folder / path.name, path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _link(partial: Path, path: Path) -> None:
    """Put ``partial`` at ``path`` unless something is there (a hard link never replaces)."""
    try:
        os.link(partial, path)
    except FileExistsError:
        raise StoreError(
            f"{path} appeared while it was being written; it was left as it is. Choose a new name.",
            code="file_exists",
            details={"where": str(path)},
        ) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        # A file system without hard links: a rename, after one more look.
        if path.exists():
            raise StoreError(
                f"{path} appeared while it was being written; it was left as it is.",
                code="file_exists",
                details={"where": str(path)},
            ) from None
        partial.rename(path)


def disk_full(where: str, *, certain: bool = True) -> StoreError:
    """
    The one error for "no room to write" (a full disk, a quota, a file-size limit).

    ``certain`` is False when the system said only "write failed", which a failing disk says
    too; the message then names both.
    """
    cause = (
        "the disk is full (or a quota or file-size limit was reached)"
        if certain
        else "a write failed: the disk is full, a quota or file-size limit was reached, or "
        "the disk is failing"
    )
    return StoreError(
        f"No room to write {where}: {cause}. Nothing was saved and nothing was left behind. "
        "Free space on that disk (or point ATLAS_DATA_DIR, or the backup, at a larger one) and "
        "try again.",
        code="disk_full" if certain else "disk_write_failed",
        details={"where": where},
    )


@contextlib.contextmanager
def disk_errors(path: Path | str) -> Iterator[None]:
    """Turn an ``OSError`` meaning "no room" (ENOSPC, EDQUOT, EFBIG) into :func:`disk_full`."""
    try:
        yield
    except OSError as exc:
        if exc.errno in FULL:
            raise disk_full(str(path)) from None
        raise


def _recorded(path: Path) -> dict | None:
    try:
        found = json.loads(record_path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        # An unreadable record only weakens the check; saying so beats refusing the workspace.
        _log.warning("ignoring %s: %s", record_path(path), exc)
        return None
    if not isinstance(found, dict) or not isinstance(found.get("audit"), int):
        _log.warning("ignoring %s: not a record atlas wrote", record_path(path))
        return None
    return found


def record_commit(path: Path, audit_id: int | None) -> None:
    """Record ``audit_id`` as committed in ``path`` when it is past the recorded one."""
    recorded = _recorded(path)
    if audit_id is None or (recorded is not None and recorded["audit"] >= audit_id):
        return
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)
    text = json.dumps({"audit": audit_id, "at": now.isoformat()})
    target = record_path(path)
    name = None
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        # Readable by whoever may read the workspace (a server and the CLI may be two users).
        os.chmod(name, path.stat().st_mode & 0o666)
        os.replace(name, target)
    except OSError as exc:
        # The commit itself is done and must be reported as done; only the check weakens.
        _log.warning("could not record the last commit in %s: %s", target, exc)
        if name is not None:
            with contextlib.suppress(OSError):
                os.unlink(name)


def recorded_commit(path: Path) -> dict | None:
    """
    The last commit recorded beside ``path`` (``{"audit": id, "at": time}``), or None.

    Read it before the transaction that reads the file's audit: the record is written after
    its commit, so a commit it names is in any transaction begun later, while a record read
    after the transaction may name a commit made since by another process.
    """
    return _recorded(path)


def check_commits(path: Path, audit_id: int | None, recorded: dict | None) -> None:
    """
    Refuse the file at ``path`` when its audit ends before ``recorded``.

    ``recorded`` is :func:`recorded_commit`'s, read before ``audit_id`` was.
    """
    if recorded is None or recorded["audit"] <= (audit_id or 0):
        return
    raise StoreError(
        f"The workspace file {path} ends at audit entry {audit_id or 0}, but entry "
        f"{recorded['audit']} was committed ({recorded['at']} UTC, recorded in "
        f"{record_path(path).name}): saves acknowledged since then are missing. This happens "
        f"when {path.name}-wal is deleted or the file is replaced by an older copy while "
        "atlas uses it. Restore the latest backup; if you replaced the file with an older "
        f"copy on purpose, delete {record_path(path).name} to accept it as it is.",
        code="workspace_behind",
        details={"where": str(path), "found": str(audit_id or 0), "entry": str(recorded["audit"])},
    )
