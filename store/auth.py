"""
Logins for a team server: passwords checked, failures throttled, sessions and their cookies.

- **Throttling** (:mod:`store.throttle`) reads the audit's failed logins, so it holds across
  server processes and restarts: a delay that grows per name, per address and per both, and
  a gate against spraying many names, never a lock an attacker can hold. A throttled attempt
  is refused before its password is checked. Names that are no account count the same as
  names that are, and every refusal says the same words either way.
- **Sessions** are random tokens; the workspace keeps only their SHA-256, with an expiry,
  and ends them on logout, on a password change and when the account is disabled.
- **Cookies** carry the token signed with ``$ATLAS_SECRET_KEY`` (itsdangerous, HMAC-SHA1 over
  a timestamped payload): a tampered or expired cookie is refused before the database is
  asked.
- **Team mode** is ``ATLAS_AUTH=on``; a server on any address but loopback must be in it
  (:func:`check_server_address`).
- **Addresses** come from the connection; ``X-Forwarded-For`` is believed only from the
  proxies in ``$ATLAS_TRUSTED_PROXIES`` (:func:`client_address`).
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import math
import os
import secrets
from dataclasses import dataclass

import itsdangerous
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from store import accounts, audit, throttle
from store.accounts import Account
from store.errors import LoginError, StoreError
from store.schema import sessions

__all__ = [
    "COOKIE",
    "LOGIN_FAILURES",
    "Login",
    "Throttled",
    "check_server_address",
    "client_address",
    "cookie_signer",
    "forwarded_allow_ips",
    "is_loopback",
    "read_cookie",
    "trusted_proxies",
]

ENV_KEY = "ATLAS_SECRET_KEY"
ENV_HOURS = "ATLAS_SESSION_HOURS"
#: The cookie's name.
COOKIE = "atlas_session"
ENV_PROXIES = "ATLAS_TRUSTED_PROXIES"
#: uvicorn's own setting, read by Streamlit's server when it starts (``atlas serve`` sets it).
ENV_UVICORN = "FORWARDED_ALLOW_IPS"
#: One message for a wrong name, a wrong password and a disabled account alike.
WRONG = "Wrong name or password."
#: Why a login failed, as a failed login's audit row records it (``{"why": ...}``).
LOGIN_FAILURES = ("password", "no_account", "disabled")
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
    """Too many failed logins for the name or from the address; ``seconds`` until the next try."""

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        when = f"{seconds} s" if seconds < 60 else f"{-(-seconds // 60)} min"
        super().__init__(
            f"Too many failed logins for this name or from this address: try again in {when}."
        )


def session_hours() -> float:
    """How long a login lasts: ``$ATLAS_SESSION_HOURS``, 8 (a working day) by default."""
    return float(os.environ.get(ENV_HOURS, "8"))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def log_in(
    conn: Connection,
    name: str,
    password: str,
    *,
    address: str | None,
    session: bool = True,
    now: datetime.datetime | None = None,
) -> Login:
    """
    Check ``name`` and ``password``; a session for the account, or :class:`LoginError`.

    The caller commits the transaction either way: a failure's audit row is what throttles
    the next attempt. A throttled attempt (:class:`Throttled`) is recorded too, as
    ``login_throttled``, and refused unchecked. ``now`` is the time the attempt is judged and
    recorded at (the workspace's clock).
    """
    now = now or audit.now()
    name = str(name).strip()[:_MAX_NAME]  # a name pasted by the megabyte is not kept whole
    left = throttle.wait(conn, name, address, now=now)
    if left:
        seconds = max(1, math.ceil(left.total_seconds()))
        waited = {"wait_s": seconds}
        audit.record(conn, name, "login_throttled", address=address, detail=waited, at=now)
        raise Throttled(seconds)
    found = accounts.find(conn, name)
    account, stored = found if found else (None, None)
    if not accounts.verify_password(stored, password) or account is None or account.disabled:
        # Counted toward the throttle; the detail is for admins, never shown at the login.
        why = "no_account" if account is None else "disabled" if account.disabled else "password"
        audit.record(conn, name, "login_failed", address=address, detail={"why": why}, at=now)
        raise LoginError(WRONG)
    if stored is not None and accounts.needs_rehash(stored):
        accounts.rehash(conn, name, password)
    token = secrets.token_urlsafe(32)
    expires = now + datetime.timedelta(hours=session_hours())
    if not session:  # a command line checks the password for one command; nothing to resume
        audit.record(conn, name, "login", address=address, detail={"session": False}, at=now)
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
    detail = {"expires_at": str(expires)}
    audit.record(conn, name, "login", address=address, detail=detail, at=now)
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


# --- where a request comes from -----------------------------------------------------------


def trusted_proxies() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """
    The proxies whose ``X-Forwarded-For`` is believed: ``$ATLAS_TRUSTED_PROXIES``, else none.

    Addresses or networks (CIDR), separated by commas or spaces; one that is neither is
    refused with the fix, never read as a name to trust.
    """
    found, bad = [], []
    for item in os.environ.get(ENV_PROXIES, "").replace(",", " ").split():
        try:
            found.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            bad.append(item)
    if bad:
        raise StoreError(
            f"Expected {ENV_PROXIES} to list the addresses or networks of the reverse proxies "
            f"in front of atlas (e.g. 127.0.0.1/32,10.0.0.0/24); got {', '.join(map(repr, bad))}. "
            "Fix it, or unset it when no proxy stands in front (then no X-Forwarded-For header "
            "is believed)."
        )
    return tuple(found)


def forwarded_allow_ips() -> str:
    """:func:`trusted_proxies` as uvicorn's ``FORWARDED_ALLOW_IPS`` ("" believes no header)."""
    return ",".join(str(network) for network in trusted_proxies())


def client_address(seen: str | None, forwarded_for: str | None) -> str:
    """
    The browser's address, as logins are throttled and the audit records it.

    ``seen`` is the connection's address as Streamlit's server (uvicorn) reports it, None for
    loopback; uvicorn replaces the peer with the client an ``X-Forwarded-For`` header names
    when the peer is one of ``$FORWARDED_ALLOW_IPS``. ``atlas serve`` sets that from
    :func:`trusted_proxies`, and then ``seen`` is the answer. A server started otherwise keeps
    uvicorn's default, which believes the header from loopback: an address that came out of
    the header (it appears in ``forwarded_for``) is not believed, and the request counts as
    from the proxies, so a rotating header cannot make one peer many addresses. Text that is
    no IP address (``cli:HOST`` in a header) counts as from the proxies too; an address is
    written one way (``::FFFF:10.0.0.1`` is ``10.0.0.1``), so spellings do not split counts.
    """
    proxies = os.environ.get(ENV_UVICORN) or "127.0.0.1"
    try:
        parsed = ipaddress.ip_address(seen or "127.0.0.1")
    except ValueError:
        return proxies
    managed = os.environ.get(ENV_UVICORN) == forwarded_allow_ips()
    if not managed and forwarded_for and str(seen or "127.0.0.1") in forwarded_for:
        return proxies
    mapped = parsed.ipv4_mapped if isinstance(parsed, ipaddress.IPv6Address) else None
    return str(mapped or parsed)
