"""
The audit: who did what, when, from which address. Append-only.

Every save, restore, publication, account change and login (failed ones too) adds one row,
in the same transaction as the change it records, so a change without its record cannot
commit. The store only ever inserts here; revision 0002's triggers refuse UPDATE and DELETE
on both back ends (and TRUNCATE on PostgreSQL), revision 0003's an insert that would replace
a row on SQLite (REPLACE INTO). Passwords never reach this table.
"""

from __future__ import annotations

import datetime

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from store.schema import audit

__all__ = ["ACTIONS", "read", "record"]

#: Every action the audit records.
ACTIONS = (
    "save",
    "restore",
    "backup",
    "upgrade",
    "publish",
    "unpublish",
    "account_add",
    "account_password",
    "account_disable",
    "account_unlock",
    "login",
    "login_failed",
    "login_throttled",
    "logout",
)


def now() -> datetime.datetime:
    """UTC now, to the second, without a zone (as every time in the workspace)."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)


def record(
    conn: Connection,
    actor: str,
    action: str,
    *,
    target: str | None = None,
    address: str | None = None,
    detail: dict | None = None,
    at: datetime.datetime | None = None,
) -> None:
    """Append one row; ``action`` is one of :data:`ACTIONS`."""
    if action not in ACTIONS:
        raise ValueError(f"Expected an audit action among {ACTIONS}; got {action!r}.")
    conn.execute(
        insert(audit).values(
            at=at or now(),
            actor=actor,
            action=action,
            target=target,
            address=address,
            detail=detail or {},
        )
    )


def read(
    conn: Connection,
    *,
    limit: int | None = 1000,
    actor: str | None = None,
    action: str | None = None,
) -> pd.DataFrame:
    """The newest ``limit`` rows first: at, actor, action, target, address, detail."""
    query = select(audit).order_by(audit.c.id.desc())
    if actor is not None:
        query = query.where(audit.c.actor == actor)
    if action is not None:
        query = query.where(audit.c.action == action)
    if limit is not None:
        query = query.limit(limit)
    rows = conn.execute(query).mappings().all()
    columns = ["id", "at", "actor", "action", "target", "address", "detail"]
    return pd.DataFrame([dict(r) for r in rows], columns=columns)
