"""
Account administration through the workspace: who acts, logins and sessions, accounts, the audit.

:class:`Administration` is the part of :class:`store.workspace.Workspace` that manages
accounts rather than datasets: it resolves the acting ``user`` (an
:class:`~store.accounts.Account`, or in local mode a name or None for the local user), opens
and ends sessions (:mod:`store.auth`), adds, lists, disables and unlocks accounts and changes
passwords (:mod:`store.accounts`), and reads the audit (:mod:`store.audit`). Every change and
every login is written to the audit in the transaction of the change. Only an admin
administers; the first account of a workspace is an admin, created by the local user.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
from collections.abc import Callable, Iterable

import pandas as pd
from sqlalchemy.engine import Connection

from store import accounts, audit, auth
from store.accounts import Account
from store.errors import AccessError, LoginError
from store.names import check_text

__all__ = ["Administration", "User", "as_account", "require_admin"]

#: Who acts: an account, or in local mode a name (or None) for the local user.
User = Account | str | None


def as_account(user: User) -> Account:
    """An account as given, or the local user for a name or None (local mode only)."""
    return user if isinstance(user, Account) else accounts.local_account(user)


def require_admin(account: Account, what: str) -> Account:
    """``account`` if it is an admin's; :class:`AccessError` saying who may ``what`` if not."""
    if not account.is_admin:
        raise AccessError(f"Only an admin may {what}; {account.name!r} is a {account.role}.")
    return account


class Administration:
    """
    Accounts, logins and the audit of one workspace: the base of the workspace class.

    The workspace supplies the transaction (:meth:`_begin`) and the clock logins are
    throttled and audited by.
    """

    #: What time it is for logins (their throttle and audit rows); a test sets its own.
    clock: Callable[[], datetime.datetime]

    def _begin(
        self, *, write: bool = False, check: bool = True, snapshot: bool = False
    ) -> contextlib.AbstractContextManager[Connection]:
        """A transaction on the workspace (:meth:`store.workspace.Workspace._begin`)."""
        raise NotImplementedError

    def _acting(self, conn: Connection, user: User) -> Account:
        """``user`` as the database has it now, keeping the address it acts from."""
        given = as_account(user)
        found = accounts.current(conn, given)
        return dataclasses.replace(found, address=given.address)

    def acting(self, user: User = None) -> Account:
        """The account ``user`` stands for now; :class:`AccessError` when it may not act."""
        with self._begin() as conn:
            return self._acting(conn, user)

    def has_accounts(self) -> bool:
        """True once the workspace holds an account."""
        with self._begin() as conn:
            return accounts.has_accounts(conn)

    def requires_login(self) -> bool:
        """True once the workspace has an account, or with ``ATLAS_AUTH=on`` (team mode)."""
        with self._begin() as conn:
            return accounts.has_accounts(conn) or accounts.auth_forced()

    def login(
        self, name: str, password: str, *, address: str | None = None, session: bool = True
    ) -> auth.Login:
        """
        A session for ``name`` if ``password`` is right and the name is not throttled.

        Raises :class:`~store.errors.LoginError` (``auth.Throttled`` when throttled) with a
        message that never says whether the account exists. The failure is on record.
        ``session=False`` (the command line) checks the password and opens no session.
        A name or password no database can keep raises :class:`~store.errors.TextError`.
        """
        check_text(name, "login name")
        check_text(password, "password")
        refused = None
        with self._begin(write=True) as conn:
            try:
                done = auth.log_in(
                    conn, name, password, address=address, session=session, now=self.clock()
                )
            except auth.LoginError as exc:
                refused = exc  # raised after the commit: the audit row throttles the next try
        if refused is not None:
            raise refused
        return dataclasses.replace(done, account=dataclasses.replace(done.account, address=address))

    def session(self, token: str | None, *, address: str | None = None) -> Account | None:
        """The account of a live session token, or None (ended, expired, disabled, unknown)."""
        if not token:
            return None
        with self._begin() as conn:
            found = auth.session_account(conn, token)
        return None if found is None else dataclasses.replace(found, address=address)

    def logout(self, token: str, *, address: str | None = None) -> None:
        """End the session of ``token``; later requests with its cookie are refused."""
        with self._begin(write=True) as conn:
            account = auth.end_session(conn, token)
            if account is not None:
                audit.record(conn, account.name, "logout", address=address)

    def add_account(
        self,
        name: str,
        *,
        role: str,
        password: str,
        city: str | None = None,
        districts: Iterable[str] = (),
        user: User = None,
    ) -> Account:
        """
        Create an account (admins only).

        The first account of a workspace must be an admin, and may be created by the local
        user: that is how a team server starts.
        """
        with self._begin(write=True) as conn:
            if accounts.has_accounts(conn):
                actor = require_admin(self._acting(conn, user), "add accounts")
            elif role != "admin":
                raise AccessError(
                    "The first account of a workspace must be an admin (--role admin); it then "
                    "adds the others."
                )
            else:
                actor = as_account(user)
            made = accounts.add(
                conn, name, role, password, city=city, districts=districts, by=actor.name
            )
            audit.record(
                conn, actor.name, "account_add", target=made.name, address=actor.address,
                detail=made.to_dict(),
            )  # fmt: skip
        return made

    def list_accounts(self, *, user: User = None) -> list[Account]:
        """Every account (admins only): name, role, city, districts, disabled."""
        with self._begin() as conn:
            require_admin(self._acting(conn, user), "list accounts")
            return accounts.list_accounts(conn)

    def set_password(
        self, name: str, password: str, *, current: str | None = None, user: User = None
    ) -> Account:
        """
        Change ``name``'s password; ends its sessions. Returns the account.

        An account changing its own password gives the ``current`` one (checked as a login
        is: a wrong one is a failed login, on record and throttled); an admin may set
        another account's without it. The new one must pass
        :func:`store.accounts.check_password`.
        """
        with self._begin() as conn:
            actor = self._acting(conn, user)
        if actor.name != name:
            require_admin(actor, "change another account's password")
        else:
            self._check_current(name, current, address=actor.address)
        with self._begin(write=True) as conn:
            changed = accounts.set_password(conn, name, password)
            auth.end_sessions(conn, changed)
            audit.record(conn, actor.name, "account_password", target=name, address=actor.address)
        return changed

    def _check_current(self, name: str, current: str | None, *, address: str | None) -> None:
        """Refuse a change of one's own password without the right current one."""
        if not current:
            raise accounts.PasswordError(
                "current_needed",
                f"Expected the current password of {name!r} to change it; nothing was changed.",
            )
        try:
            self.login(name, current, address=address, session=False)
        except auth.Throttled:
            raise
        except LoginError:
            raise accounts.PasswordError(
                "current_wrong",
                f"The current password given for {name!r} is wrong; nothing was changed. Type "
                "it again (each wrong one counts as a failed login).",
            ) from None

    def disable_account(self, name: str, *, user: User = None) -> Account:
        """Disable ``name`` (admins only): no more logins, its sessions end at once."""
        with self._begin(write=True) as conn:
            actor = require_admin(self._acting(conn, user), "disable accounts")
            admins = [a for a in accounts.list_accounts(conn) if a.is_admin and not a.disabled]
            if [a.name for a in admins] == [name]:
                raise AccessError(
                    f"{name!r} is the last admin; add another admin before disabling it."
                )
            done = accounts.disable(conn, name)
            auth.end_sessions(conn, done)
            audit.record(conn, actor.name, "account_disable", target=name, address=actor.address)
        return done

    def unlock_account(self, name: str, *, user: User = None) -> Account:
        """
        Start ``name``'s count of failed logins again (admins only), as a good login would.

        Its next login waits for no earlier failure of its name; the address and spray delays
        still apply to an address it never logged in from (:mod:`store.throttle`).
        """
        with self._begin(write=True) as conn:
            actor = require_admin(self._acting(conn, user), "unlock accounts")
            done = accounts.require(conn, name)
            audit.record(conn, actor.name, "account_unlock", target=name, address=actor.address)
        return done

    def audit_log(
        self, *, user: User = None, limit: int | None = 1000, actor: str | None = None,
        action: str | None = None,
    ) -> pd.DataFrame:  # fmt: skip
        """The audit, newest first (admins only): at, actor, action, target, address, detail."""
        with self._begin() as conn:
            require_admin(self._acting(conn, user), "read the audit")
            return audit.read(conn, limit=limit, actor=actor, action=action)
