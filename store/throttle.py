"""
Failed logins slow down the next ones: delays per name, address and both, a spray gate.

Every failed login (a wrong password, a name that is no account, a disabled account) is an
audit row, so what follows holds across server processes and restarts. An attempt first asks
:func:`wait`; a non-zero wait refuses it before its password is checked, and that refusal
(``login_throttled`` in the audit) counts toward nothing: hammering during a delay neither
checks a password nor lengthens the delay. Each count below gives a :class:`Delay` after its
latest failure: none for the first few failures, then 2 s doubling with each one, up to a cap.

- **pair**: the name from this address, since the name's last good login from this address.
- **name**: the name from any address, since its last good login anywhere.
- **address**: any name from this address.
- **spray**: how many different names failed on the whole server in the last 15 minutes.

Which counts judge an attempt depends on where it comes from. From an address where the name
logged in successfully in the last 30 days (a *known* address; the command line,
``cli:HOST``, always is), only the **pair**: a guesser elsewhere, however many names and
addresses it uses, cannot delay the owner at their own desk, and the command line (which
holds the database's own credentials) stays a way in. From any other address, all four:
guessing one name from many addresses meets the name's delay, many names from one address
the address's, and a spray of few guesses per name from many addresses, which none of those
sees, meets the spray gate, which slows logins from new addresses only. No delay is a lock:
once it has passed, a right password logs in, and ``atlas user unlock NAME`` starts a name's
counts again at once. A name that is no account is judged exactly like one that is.

Counting and checking are one step: :func:`wait` runs in the login's transaction and, on
PostgreSQL, first takes transaction-scoped advisory locks on the name, the address and (for
an attempt from a new address) the spray gate, always in that order, so parallel attempts
are counted one after another. The embedded file needs none: a login's transaction is a
write (``BEGIN IMMEDIATE``), and SQLite runs one writer at a time.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection

from store.schema import audit

__all__ = ["POLICY", "Delay", "Policy", "is_command_line", "wait"]

#: How the command line's logins are recorded (``cli:HOST``).
COMMAND_LINE = "cli:"
_ZERO = datetime.timedelta(0)


@dataclasses.dataclass(frozen=True)
class Delay:
    """No wait for the first ``free`` failures, then ``first``, doubling each one, up to ``cap``."""

    free: int
    first: datetime.timedelta
    cap: datetime.timedelta

    def after(self, failures: int) -> datetime.timedelta:
        """How long after the latest of ``failures`` failures the next attempt waits."""
        if failures < self.free:
            return _ZERO
        return min(self.cap, self.first * 2 ** min(failures - self.free, 20))


def _seconds(value: float) -> datetime.timedelta:
    return datetime.timedelta(seconds=value)


@dataclasses.dataclass(frozen=True)
class Policy:
    """The delays of each count, and the windows they count over."""

    pair: Delay = Delay(5, _seconds(2), _seconds(15 * 60))
    name: Delay = Delay(3, _seconds(2), _seconds(15 * 60))
    address: Delay = Delay(20, _seconds(2), _seconds(15 * 60))
    #: Counts different failing names server-wide, not failures.
    spray: Delay = Delay(10, _seconds(1), _seconds(60))
    window: datetime.timedelta = datetime.timedelta(hours=24)
    spray_window: datetime.timedelta = datetime.timedelta(minutes=15)
    known_for: datetime.timedelta = datetime.timedelta(days=30)


POLICY = Policy()


def is_command_line(address: str | None) -> bool:
    """True for the command line's address, ``cli:HOST``."""
    return (address or "").startswith(COMMAND_LINE)


def wait(
    conn: Connection,
    name: str,
    address: str | None,
    *,
    now: datetime.datetime,
    policy: Policy = POLICY,
) -> datetime.timedelta:
    """
    How long an attempt for ``name`` from ``address`` must still wait; zero: check it.

    Takes the locks that serialise attempts (PostgreSQL) first, in the caller's transaction;
    they are held until it ends, so the caller records the outcome before committing.
    """
    known = is_command_line(address) or _is_known(conn, name, address, now - policy.known_for)
    _lock(conn, f"name:{name}", f"address:{address}", *(() if known else ("spray",)))
    since = now - policy.window
    name_reset = _reset_id(conn, name)
    pair_reset = _reset_id(conn, name, address) if address is not None else name_reset
    counts = [
        (policy.pair, _failures(conn, since, actor=name, address=address, after_id=pair_reset))
    ]
    if not known:
        counts.append((policy.name, _failures(conn, since, actor=name, after_id=name_reset)))
        if address is not None:
            counts.append((policy.address, _failures(conn, since, address=address)))
        counts.append((policy.spray, _failing_names(conn, now - policy.spray_window)))
    return max(_left(delay, counted, now) for delay, counted in counts)


def _left(
    delay: Delay, counted: tuple[int, datetime.datetime | None], now: datetime.datetime
) -> datetime.timedelta:
    count, latest = counted
    if latest is None:
        return _ZERO
    return max(_ZERO, latest + delay.after(count) - now)


def _lock(conn: Connection, *keys: str) -> None:
    """Transaction-scoped advisory locks on PostgreSQL, in the order given."""
    if conn.dialect.name != "postgresql":
        return  # SQLite: the login's BEGIN IMMEDIATE already admits one writer at a time
    for key in keys:
        digest = hashlib.sha256(f"atlas login {key}".encode()).digest()
        conn.execute(select(func.pg_advisory_xact_lock(int.from_bytes(digest[:8], signed=True))))


def _is_known(conn: Connection, name: str, address: str | None, since: datetime.datetime) -> bool:
    """True when ``name`` logged in successfully from ``address`` since ``since``."""
    if address is None:
        return False
    found = select(audit.c.id).where(
        audit.c.actor == name,
        audit.c.action == "login",
        audit.c.address == address,
        audit.c.at >= since,
    )
    return conn.execute(found.limit(1)).first() is not None


def _reset_id(conn: Connection, name: str, address: str | None = None) -> int | None:
    """The audit row after which the name's failures count: its last good login, or unlock."""
    login = and_(audit.c.actor == name, audit.c.action == "login")
    if address is not None:
        login = and_(login, audit.c.address == address)
    unlock = and_(audit.c.action == "account_unlock", audit.c.target == name)
    return conn.execute(select(func.max(audit.c.id)).where(or_(login, unlock))).scalar()


def _failures(
    conn: Connection,
    since: datetime.datetime,
    *,
    actor: str | None = None,
    address: str | None = None,
    after_id: int | None = None,
) -> tuple[int, datetime.datetime | None]:
    """Failed logins since ``since`` (after row ``after_id``): how many, and the latest."""
    query = select(func.count(), func.max(audit.c.at)).where(
        audit.c.action == "login_failed", audit.c.at >= since
    )
    if actor is not None:
        query = query.where(audit.c.actor == actor)
    if address is not None:
        query = query.where(audit.c.address == address)
    if after_id is not None:
        query = query.where(audit.c.id > after_id)
    found, latest = conn.execute(query).one()
    return int(found), latest


def _failing_names(
    conn: Connection, since: datetime.datetime
) -> tuple[int, datetime.datetime | None]:
    """How many different names failed to log in since ``since``, and the latest failure."""
    query = select(func.count(audit.c.actor.distinct()), func.max(audit.c.at)).where(
        audit.c.action == "login_failed", audit.c.at >= since
    )
    found, latest = conn.execute(query).one()
    return int(found), latest
