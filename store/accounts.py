"""
Accounts and roles: who may read and write what, and the argon2 hashes of their passwords.

| role | reads | writes |
|---|---|---|
| ``admin`` | everything | everything, and accounts |
| ``city`` | its city | its city's rows (datasets and figures) |
| ``district`` | its city | only rows whose district is one of its own |
| ``viewer`` | its city (when it has one), or what is published | nothing |

"Its city" is the city each covered district belongs to (``coverage.city``): a version is a
city's when every district it covers is that city's (or, covering none, when its saver is
the reader). Rows outside a writer's scope are quarantined as ``out_of_scope`` by the
workspace, never dropped.

A workspace without accounts is in **local mode**: one implicit local user with admin
rights (:func:`local_account`), no login. Once it holds an account, or with
``ATLAS_AUTH=on``, every call needs a logged-in account (:mod:`store.auth`). The workspace
reads the acting account again from the database on every call, so a role change or a
disabled account takes effect at once.

Passwords are hashed with argon2id (argon2-cffi's ``PasswordHasher`` defaults: 64 MiB,
3 passes, 4 lanes); the hash string carries its salt and parameters. A password is never
logged, stored, nor put in a message. As NIST SP 800-63B asks, a new password is normalised
(NFKC, invisible characters removed: :func:`store.names.normalise_password`), at least
:data:`MIN_PASSWORD` characters, and refused when zxcvbn (Dropbox's estimator, offline, with
its lists of common passwords, words and names) counts it among the first 10^8 guesses,
the account's own name, city and districts and this toolkit's words counted as guessed.
Each hash or check takes its 64 MiB for its duration, so at most ``$ATLAS_HASHES_IN_FLIGHT``
(2) run at once in a process (:func:`hashes_in_flight`); the others wait their turn rather
than take memory an attacker's parallel logins ask for.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import getpass
import os
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import argon2
import zxcvbn
from sqlalchemy import and_, exists, false, func, insert, not_, or_, select, true, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.elements import ColumnElement

from geo import boundaries, gazetteer
from geo.errors import UnknownPlaceError
from store import names
from store.errors import AccessError, AccountError, StoreError
from store.schema import ROLES, accounts, coverage, published, versions

__all__ = [
    "ROLES",
    "Account",
    "acting_user",
    "city_index",
    "local_account",
    "readable_versions",
]

ENV_AUTH = "ATLAS_AUTH"
ENV_IN_FLIGHT = "ATLAS_HASHES_IN_FLIGHT"
#: Shortest password accepted (NIST SP 800-63B asks for at least 8; a bureau's server, 10).
MIN_PASSWORD = 10
#: Longest password accepted (NIST asks to allow at least 64).
MAX_PASSWORD = 1024
#: Why a password change is refused (:class:`PasswordError`), each worded on the account page.
PASSWORD_REASONS = ("short", "long", "guessable", "current_needed", "current_wrong")
#: zxcvbn's score a new password must reach, of 4: 3 is "safely unguessable", 10^8 guesses.
MIN_STRENGTH = 3
# Words anyone guessing at this server tries first (NIST's "context-specific words").
_CONTEXT_WORDS = ("atlas", "renovation", "laojiu", "gaizao", "xiaoqu", "mima", "老旧小区", "改造")
_HASHER = argon2.PasswordHasher()
# Verified when the account does not exist, so a wrong name costs the time a wrong password does.
# Made by :func:`prepare_logins` (the server calls it when it mounts the login route, so no
# login pays for it) or at the first such login, not at import: every `atlas` command imports
# this module, and an argon2 hash costs 0.2 s of CPU (0.6 s under load) no command but a login
# needs.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH  # one hash per process, made when first needed
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _HASHER.hash("atlas: no such account")
    return _DUMMY_HASH


def prepare_logins() -> None:
    """
    Make the hash a login with an unknown name is checked against, before any login comes.

    Otherwise the first unknown name in a process would cost a hash more than a wrong
    password does, and tell a guesser the name does not exist.
    """
    _dummy_hash()


@dataclasses.dataclass(frozen=True)
class Account:
    """
    The acting user: name, role, the city and districts (adcodes) it may work on.

    ``local`` marks the implicit user of a workspace without accounts (local mode).
    """

    name: str
    role: str
    city: str | None = None
    districts: tuple[str, ...] = ()
    id: int | None = None
    local: bool = False
    disabled: bool = False
    #: Where it acts from (the browser's IP, ``cli:HOST``), as the audit records it.
    address: str | None = dataclasses.field(default=None, compare=False)

    @property
    def is_admin(self) -> bool:
        """True for an admin account and for the local user."""
        return self.role == "admin"

    @property
    def writes(self) -> bool:
        """True when the role may save anything."""
        return self.role != "viewer"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready, as ``atlas user list`` prints it (no hash, ever)."""
        return {
            "name": self.name,
            "role": self.role,
            "city": self.city,
            "districts": list(self.districts),
            "disabled": self.disabled,
        }


def acting_user() -> str:
    """The local user's name, as saves record it: ``$ATLAS_USER``, else the OS login name."""
    return os.environ.get("ATLAS_USER") or getpass.getuser()


def local_account(name: str | None = None) -> Account:
    """The one implicit user of local mode: admin rights, named ``$ATLAS_USER`` or the login."""
    return Account(name=name or acting_user(), role="admin", local=True)


def auth_forced() -> bool:
    """True when ``ATLAS_AUTH=on`` (team mode even before the first account exists)."""
    return os.environ.get(ENV_AUTH, "").strip().lower() in ("on", "1", "true", "yes")


# --- passwords ----------------------------------------------------------------------------


@functools.cache
def hashes_in_flight() -> threading.BoundedSemaphore:
    """
    The turns for argon2 in this process: ``$ATLAS_HASHES_IN_FLIGHT`` at once, 2 by default.

    Read once, on the first hash. Each turn holds 64 MiB while it runs, so the setting bounds
    what logins can take (2 × 64 MiB by default) whatever the number of requests.
    """
    text = os.environ.get(ENV_IN_FLIGHT, "2").strip()
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise StoreError(
            f"Expected {ENV_IN_FLIGHT} to be how many password hashes may run at once, a whole "
            f"number from 1 to 64 (each takes 64 MiB while it runs); got {text!r}. Fix or unset "
            "it (2 by default)."
        )
    return threading.BoundedSemaphore(int(text))


class PasswordError(AccountError):
    """
    A password change refused, and why (``reason``).

    ``short``, ``long`` or ``guessable`` for the new one; ``current_needed`` or
    ``current_wrong`` for the current one (changing one's own).
    """

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


def check_password(password: str, *, context: tuple[str, ...] = ()) -> str:
    """
    ``password`` as it is hashed (normalised), or :class:`PasswordError` saying why not.

    ``context`` holds the words a guesser knows of the account: its name, city, districts.
    """
    cleaned = names.normalise_password(password)
    if len(cleaned) < MIN_PASSWORD:
        raise PasswordError(
            "short",
            f"Expected a password of at least {MIN_PASSWORD} characters (invisible ones not "
            "counted); the one given is shorter. Choose a longer one (a passphrase of a few "
            "words works well).",
        )
    if len(cleaned) > MAX_PASSWORD:
        raise PasswordError(
            "long",
            f"Expected a password of at most {MAX_PASSWORD} characters; choose a shorter one.",
        )
    # zxcvbn reads at most 72 characters; what follows only makes a password harder to guess.
    strength = zxcvbn.zxcvbn(cleaned[:72], user_inputs=[*context, *_CONTEXT_WORDS])
    if strength["score"] < MIN_STRENGTH:
        raise PasswordError(
            "guessable",
            "Expected a password that is hard to guess; this one is among the first "
            f"10^{strength['guesses_log10']:.0f} guesses (a repeated or common password, a "
            "keyboard run, or the account's own name, city or district with digits). Choose "
            "a passphrase of a few unrelated words.",
        )
    return cleaned


def hash_password(password: str, *, context: tuple[str, ...] = ()) -> str:
    """The argon2id hash of a new ``password``, once :func:`check_password` accepts it."""
    cleaned = check_password(password, context=context)
    with hashes_in_flight():
        return _HASHER.hash(cleaned)


def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored``; takes the same time when ``stored`` is None."""
    cleaned = names.normalise_password(password)
    try:
        with hashes_in_flight():
            return _HASHER.verify(stored or _dummy_hash(), cleaned) and stored is not None
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        # A password set before normalisation was hashed as typed.
        return cleaned != password and stored is not None and _verify_as_typed(stored, password)


def _verify_as_typed(stored: str, password: str) -> bool:
    try:
        with hashes_in_flight():
            return _HASHER.verify(stored, password)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True when ``stored`` was hashed with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(stored)


# --- places -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def city_index() -> dict[str, str]:
    """Each adcode's city (full name): every district, city and development zone."""
    index = boundaries.read_admin_index()
    found = dict(zip(index["adcode"], index["city"], strict=True))
    found |= dict(zip(index["city_adcode"], index["city"], strict=True))
    zones = gazetteer.list_zones()
    return found | dict(zip(zones["code"].astype(str), zones["city"], strict=True))


def _scope(role: str, city: str | None, districts: list[str]) -> tuple[str | None, list[str]]:
    """The account's city (full name) and district adcodes, checked against its role."""
    if role not in ROLES:
        raise AccountError(f"Expected a role among {', '.join(ROLES)}; got {role!r}.")
    if role == "admin" and (city or districts):
        raise AccountError("An admin reads and writes every city: give no --city or --district.")
    if role in ("city", "district") and not city:
        raise AccountError(f"Expected --city for a {role} account (e.g. --city 新乡市).")
    if role == "district" and not districts:
        raise AccountError("Expected --district for a district account (e.g. --district 卫滨区).")
    if role != "district" and districts:
        raise AccountError(f"Only a district account has districts; a {role} has its city.")
    try:
        full = gazetteer.resolve_city(city)["city"] if city else None
    except UnknownPlaceError as exc:
        raise AccountError(str(exc)) from None
    return full, [_district_code(d, full) for d in districts]


def _district_code(text: str, city: str | None) -> str:
    text = str(text).strip()
    if text.isdigit() and len(text) == 6:
        found = city_index().get(text)
        if found is None or found != city:
            raise AccountError(f"Expected a district of {city}; {text} is in {found or 'none'}.")
        return text
    resolved = gazetteer.resolve_district(text, city=city)
    if resolved.adcode is None or resolved.city != city:
        raise AccountError(f"Expected a district of {city}; got {text!r}. {resolved.note}")
    return resolved.adcode


# --- the accounts table -------------------------------------------------------------------


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)


def _account(row: Row[Any]) -> Account:
    return Account(
        name=row.name,
        role=row.role,
        city=row.city,
        districts=tuple(row.districts or ()),
        id=row.id,
        disabled=row.disabled_at is not None,
    )


def has_accounts(conn: Connection) -> bool:
    """True once the workspace holds any account (then it is no longer in local mode)."""
    return bool(conn.execute(select(exists().where(accounts.c.id.isnot(None)))).scalar_one())


def find(conn: Connection, name: str) -> tuple[Account, str] | None:
    """The account named ``name`` and its stored hash, or None."""
    row = conn.execute(select(accounts).where(accounts.c.name == name)).one_or_none()
    return None if row is None else (_account(row), row.password_hash)


def by_id(conn: Connection, account_id: int) -> Account | None:
    """The account with that id, or None."""
    row = conn.execute(select(accounts).where(accounts.c.id == account_id)).one_or_none()
    return None if row is None else _account(row)


def list_accounts(conn: Connection) -> list[Account]:
    """Every account, by name."""
    return [_account(r) for r in conn.execute(select(accounts).order_by(accounts.c.name))]


def add(
    conn: Connection,
    name: str,
    role: str,
    password: str,
    *,
    city: str | None,
    districts: Iterable[str] | None,
    by: str,
) -> Account:
    """
    Create an account; refuses a taken or malformed name, a scope-less role, a weak password.

    The name is kept as :func:`store.names.normalise_name` writes it.
    """
    name = names.normalise_name(name, "account name", error=AccountError)
    full, codes = _scope(role, city, list(districts or ()))
    if find(conn, name) is not None:
        raise AccountError(f"An account named {name!r} exists; choose another name.")
    now = _now()
    conn.execute(
        insert(accounts).values(
            name=name,
            role=role,
            city=full,
            districts=codes,
            password_hash=hash_password(password, context=_context(name, full, codes)),
            created_by=by,
            created_at=now,
            changed_at=now,
        )
    )
    return require(conn, name)


def set_password(conn: Connection, name: str, password: str) -> Account:
    """Replace the account's password hash (the caller ends its sessions)."""
    account = require(conn, name)
    context = _context(name, account.city, account.districts)
    conn.execute(
        update(accounts)
        .where(accounts.c.name == name)
        .values(password_hash=hash_password(password, context=context), changed_at=_now())
    )
    return account


def _context(name: str, city: str | None, districts: Sequence[str]) -> tuple[str, ...]:
    """What a guesser knows of an account: its name, its city, its districts' codes and names."""
    index = boundaries.read_admin_index().set_index("adcode")["district"]
    places = [city, (city or "").removesuffix("市"), *districts]
    places += [index.get(code) for code in districts]
    return tuple(w for w in [name, *places] if isinstance(w, str) and w)


def rehash(conn: Connection, name: str, password: str) -> None:
    """Store a fresh hash of a just-verified password (parameters raised since)."""
    with hashes_in_flight():
        fresh = _HASHER.hash(names.normalise_password(password))
    conn.execute(update(accounts).where(accounts.c.name == name).values(password_hash=fresh))


def disable(conn: Connection, name: str) -> Account:
    """Disable the account: it can no longer log in, and its sessions stop working."""
    require(conn, name)
    now = _now()
    conn.execute(
        update(accounts)
        .where(accounts.c.name == name, accounts.c.disabled_at.is_(None))
        .values(disabled_at=now, changed_at=now)
    )
    return require(conn, name)


def require(conn: Connection, name: str) -> Account:
    """The account named ``name``; refuses a name that is none, listing the accounts."""
    found = find(conn, name)
    if found is None:
        names = [a.name for a in list_accounts(conn)]
        raise AccountError(f"No account {name!r}; the accounts are: {', '.join(names) or 'none'}.")
    return found[0]


def current(conn: Connection, user: Account) -> Account:
    """
    ``user`` as the database has it now: role, city and districts; refused if disabled.

    The local user is accepted only while the workspace is in local mode.
    """
    if user.local:
        if has_accounts(conn) or auth_forced():
            raise AccessError(
                "This workspace has accounts (or ATLAS_AUTH=on): log in first. On the command "
                "line pass --user NAME (password from ATLAS_PASSWORD or the prompt).",
                code="login_first",
            )
        return user
    row = conn.execute(select(accounts).where(accounts.c.name == user.name)).one_or_none()
    if row is None or row.disabled_at is not None:
        raise AccessError(
            f"The account {user.name!r} is disabled or gone: log in again.",
            code="account_gone",
            details={"account": user.name},
        )
    return _account(row)


# --- what an account may read ---------------------------------------------------------------


def readable_versions(user: Account, *, with_published: bool = True) -> ColumnElement[bool]:
    """
    A condition on ``versions``: the versions ``user`` may open whole.

    Published ones (unless ``with_published`` is false: its own city's only); those whose
    every covered district is in the user's city (at least one); those covering nothing
    that the user saved.
    """
    if user.is_admin:
        return true()
    shown: list[ColumnElement[bool]] = (
        [versions.c.id.in_(select(published.c.version_id))] if with_published else []
    )
    covers = select(coverage.c.version_id).where(coverage.c.version_id == versions.c.id)
    if user.city is not None:
        other = covers.where(or_(coverage.c.city.is_(None), coverage.c.city != user.city))
        shown.append(and_(exists(covers), not_(exists(other))))
    shown.append(and_(not_(exists(covers)), versions.c.saved_by == user.name))
    return or_(*shown)


def readable_districts(user: Account) -> ColumnElement[bool]:
    """A condition on ``coverage`` joined to ``versions``: districts whose rows ``user`` reads."""
    if user.is_admin:
        return true()
    mine = coverage.c.city == user.city if user.city is not None else false()
    return or_(mine, versions.c.id.in_(select(published.c.version_id)))


def write_scope(user: Account) -> tuple[str | None, tuple[str, ...] | None]:
    """(city, districts) a save is limited to: (None, None) for everything; refuses a viewer."""
    if not user.writes:
        raise AccessError(
            f"The account {user.name!r} is a viewer: it reads, and saves nothing.",
            code="account_viewer",
            details={"account": user.name},
        )
    if user.is_admin:
        return None, None
    return user.city, (user.districts if user.role == "district" else None)


def count(conn: Connection) -> int:
    """How many accounts."""
    return int(conn.execute(select(func.count()).select_from(accounts)).scalar_one())
