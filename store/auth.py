"""
Logins for a team server: passwords checked, failures throttled, sessions and their cookies.

- **Throttling** reads the audit's failed logins, so it holds across server processes and
  restarts: at most :data:`MAX_PER_ACCOUNT` failures per name (counted since its last
  successful login) and :data:`MAX_PER_ADDRESS` per address within :data:`WINDOW`. A
  throttled attempt is refused before its password is checked. Names that are no account
  count the same as names that are, and every refusal says the same words either way.
- **Sessions** are random tokens; the workspace keeps only their SHA-256, with an expiry,
  and ends them on logout, on a password change and when the account is disabled.
- **Cookies** carry the token signed with ``$ATLAS_SECRET_KEY`` (itsdangerous, HMAC-SHA1 over
  a timestamped payload): a tampered or expired cookie is refused before the database is
  asked.
- **Team mode** is ``ATLAS_AUTH=on``; a server on any address but loopback must be in it
  (:func:`check_server_address`).
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import os
import secrets
from dataclasses import dataclass

import itsdangerous
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from store import accounts, audit
from store.accounts import Account
from store.errors import LoginError, StoreError
from store.schema import sessions

__all__ = [
    "COOKIE",
    "MAX_PER_ACCOUNT",
    "MAX_PER_ADDRESS",
    "WINDOW",
    "Login",
    "check_server_address",
    "cookie_signer",
    "is_loopback",
    "read_cookie",
]

ENV_KEY = "ATLAS_SECRET_KEY"
ENV_HOURS = "ATLAS_SESSION_HOURS"
#: The cookie's name.
COOKIE = "atlas_session"
MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 20
WINDOW = datetime.timedelta(minutes=15)
#: One message for a wrong name, a wrong password and a disabled account alike.
WRONG = "Wrong name or password."
_SALT = "renovation-atlas session"
_MIN_KEY = 32
_MAX_NAME = 200


@dataclass(frozen=True)
class Login:
    """A successful login: the account, its session token (for the cookie) and its expiry."""

    account: Account
    token: str
    expires_at: datetime.datetime


class Throttled(LoginError):
    """Too many failed logins for the name or from the address; ``minutes`` until the next try."""

    def __init__(self, minutes: int) -> None:
        self.minutes = minutes
        super().__init__(
            f"Too many failed logins for this name or from this address: try again in "
            f"{minutes} min."
        )


def session_hours() -> float:
    """How long a login lasts: ``$ATLAS_SESSION_HOURS``, 8 (a working day) by default."""
    return float(os.environ.get(ENV_HOURS, "8"))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _retry_minutes(oldest: datetime.datetime, now: datetime.datetime) -> int:
    left = (oldest + WINDOW - now).total_seconds()
    return max(1, -(-int(left) // 60))


def _check_throttle(conn: Connection, name: str, address: str | None, now) -> None:
    since = now - WINDOW
    # A successful login starts the name's count again (rows are numbered in order).
    last_ok = audit.last_id(conn, name, "login")
    count, oldest = audit.failures_since(conn, since, actor=name, after_id=last_ok)
    if count >= MAX_PER_ACCOUNT:
        raise Throttled(_retry_minutes(oldest, now))
    if address is not None:
        count, oldest = audit.failures_since(conn, since, address=address)
        if count >= MAX_PER_ADDRESS:
            raise Throttled(_retry_minutes(oldest, now))


def log_in(
    conn: Connection, name: str, password: str, *, address: str | None, session: bool = True
) -> Login:
    """
    Check ``name`` and ``password``; a session for the account, or :class:`LoginError`.

    The caller commits the transaction either way: a failure's audit row is what throttles
    the next attempt. A throttled attempt is recorded too, and refused unchecked.
    """
    now = audit.now()
    name = str(name).strip()[:_MAX_NAME]  # a name pasted by the megabyte is not kept whole
    try:
        _check_throttle(conn, name, address, now)
    except Throttled as exc:
        audit.record(conn, name, "login_failed", address=address, detail={"why": "throttled"})
        raise exc from None
    found = accounts.find(conn, name)
    account, stored = found if found else (None, None)
    if not accounts.verify_password(stored, password) or account is None or account.disabled:
        # Counted toward the throttle; the detail is for admins, never shown at the login.
        why = "no_account" if account is None else "disabled" if account.disabled else "password"
        audit.record(conn, name, "login_failed", address=address, detail={"why": why})
        raise LoginError(WRONG)
    if accounts.needs_rehash(stored):
        accounts.rehash(conn, name, password)
    token = secrets.token_urlsafe(32)
    expires = now + datetime.timedelta(hours=session_hours())
    if not session:  # a command line checks the password for one command; nothing to resume
        audit.record(conn, name, "login", address=address, detail={"session": False})
        return Login(account, "", now)
    conn.execute(
        insert(sessions).values(
            token_sha256=_digest(token),
            account_id=account.id,
            created_at=now,
            expires_at=expires,
            address=address,
        )
    )
    audit.record(conn, name, "login", address=address, detail={"expires_at": str(expires)})
    return Login(account, token, expires)


def session_account(conn: Connection, token: str) -> Account | None:
    """The account of a live session (not ended, not expired, not disabled), or None."""
    found = conn.execute(
        select(sessions.c.account_id, sessions.c.expires_at, sessions.c.ended_at).where(
            sessions.c.token_sha256 == _digest(token)
        )
    ).one_or_none()
    if found is None or found.ended_at is not None or found.expires_at <= audit.now():
        return None
    account = accounts.by_id(conn, found.account_id)
    return None if account is None or account.disabled else account


def end_session(conn: Connection, token: str) -> Account | None:
    """End the session of ``token`` (logout); returns its account, or None if none was live."""
    account = session_account(conn, token)
    conn.execute(
        update(sessions)
        .where(sessions.c.token_sha256 == _digest(token), sessions.c.ended_at.is_(None))
        .values(ended_at=audit.now())
    )
    return account


def end_sessions(conn: Connection, account: Account) -> None:
    """End every live session of ``account`` (password changed, account disabled)."""
    conn.execute(
        update(sessions)
        .where(sessions.c.account_id == account.id, sessions.c.ended_at.is_(None))
        .values(ended_at=audit.now())
    )


# --- cookies ------------------------------------------------------------------------------


def cookie_signer(key: str | None = None) -> itsdangerous.URLSafeTimedSerializer:
    """The signer of session cookies, keyed by ``key`` or ``$ATLAS_SECRET_KEY``."""
    key = key if key is not None else os.environ.get(ENV_KEY, "")
    if len(key) < _MIN_KEY:
        raise StoreError(
            f"Expected {ENV_KEY} to hold a secret of at least {_MIN_KEY} characters for signing "
            f"login cookies; it is {'unset' if not key else 'too short'}. Set it, e.g. "
            f"export {ENV_KEY}=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))'), "
            "the same on every server process."
        )
    return itsdangerous.URLSafeTimedSerializer(key, salt=_SALT)


def make_cookie(token: str, *, key: str | None = None) -> str:
    """The cookie value for a session token: the token, timestamped and signed."""
    return cookie_signer(key).dumps(token)


def read_cookie(value: str | None, *, key: str | None = None) -> str | None:
    """The session token in a cookie, or None when it is missing, tampered with or expired."""
    if not value:
        return None
    try:
        token = cookie_signer(key).loads(value, max_age=int(session_hours() * 3600))
    except itsdangerous.BadData:  # bad signature, expired, or not a cookie of ours at all
        return None
    return token if isinstance(token, str) else None


# --- where the server listens -------------------------------------------------------------


def is_loopback(address: str | None) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1; False for "" (every interface) and the rest."""
    text = (address or "").strip().strip("[]")
    if text == "localhost":
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def check_server_address(address: str | None) -> None:
    """Refuse to serve on a non-loopback address unless ``ATLAS_AUTH=on``, with the fix."""
    if is_loopback(address) or accounts.auth_forced():
        return
    where = address or "every interface (server.address unset)"
    raise StoreError(
        f"Refusing to serve on {where} without logins: anyone who reaches it would read and "
        "change the workspace. Either bind to this machine only (--server.address localhost, "
        f"as `make app` does), or run a team server: set ATLAS_AUTH=on and {ENV_KEY}, and "
        "create the first admin with `atlas user add NAME --role admin`."
    )
