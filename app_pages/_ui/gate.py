"""
The login gate: who is acting, the login form in team mode, logout, the no-access page.

Widgets only; the checks are :mod:`store.auth`'s and the workspace's. Local mode (a workspace
without accounts, no ``ATLAS_AUTH=on``) needs no login: the one local user acts. In team mode
every page waits for a login. The login form and the logout button are plain HTML forms that
post to the server's own routes (:mod:`app_pages._ui.session`, mounted by ``server.py``), which
set and clear the session cookie: ``HttpOnly`` (no script in the page can read it),
``SameSite=Strict``, ``Secure`` over HTTPS. A page reads the cookie from the request that
opened it and asks the workspace on every run whether its session is live, so a logout, a
password change or a disabled account ends it everywhere.
"""

from __future__ import annotations

import os
import urllib.parse

import streamlit as st

from app_pages._ui import session
from app_pages._ui.common import ACCOUNT_KEY, current_account, workspace
from layers._html import esc, esc_md
from layers.tables import district_names
from layers.wording import error_text, label
from store import Account, StoreError, auth, local_account
from store.throttle import POLICY

__all__ = ["current_account", "no_access", "require_login", "throttled_text"]

TOKEN_KEY = "session_token"
# How a login or logout went, as the server's routes say it (?login=...): the label to show.
_FLASH = {
    "wrong": ("error", "login_wrong"),
    "throttled": ("error", "login_throttled_later"),  # worded with its wait when it has one
    "text": ("error", "login_bad_text"),
    "unavailable": ("error", "login_unavailable"),
    "out": ("info", "logged_out"),
}
# No wait the throttle gives is longer than its longest cap: a link saying more is not its.
_MAX_WAIT = max(d.cap for d in (POLICY.pair, POLICY.name, POLICY.address, POLICY.spray))
_FORM_CSS = """<style>
.atlas-login { display: flex; flex-direction: column; gap: .75rem; max-width: 26rem; }
.atlas-login label { display: flex; flex-direction: column; gap: .25rem; font-size: .875rem; }
.atlas-login input { font: inherit; padding: .5rem .75rem; border: 1px solid #d0d3d9;
  border-radius: .5rem; background: #f0f2f6; }
.atlas-login button, .atlas-logout button { font: inherit; padding: .4rem .9rem;
  border-radius: .5rem; cursor: pointer; }
.atlas-login button { align-self: flex-start; color: #fff; background: #ff4b4b;
  border: 1px solid #ff4b4b; }
.atlas-logout button { background: #fff; border: 1px solid #d0d3d9; }
</style>"""


def _address() -> str:
    """The browser's address as the audit records it; X-Forwarded-For from trusted proxies only."""
    found = st.context.ip_address
    return auth.client_address(
        found if isinstance(found, str) and found else None,
        st.context.headers.get("X-Forwarded-For"),
    )


def _stop_with(message: str) -> None:
    st.error(esc_md(message))
    st.stop()


def require_login(lang: str) -> Account:
    """
    The acting account; in team mode the page stops at the login form until there is one.

    Refuses to serve at all on a non-loopback address without ``ATLAS_AUTH=on``.
    """
    try:
        auth.check_server_address(st.get_option("server.address"))
        address = _address()  # refuses a malformed ATLAS_TRUSTED_PROXIES
        shared = workspace()
        needed = shared.requires_login()
    except StoreError as exc:
        key = "server_refused" if "Refusing to serve" in str(exc) else "workspace_unavailable"
        _stop_with(f"{label(key, lang)} {error_text(exc, lang)}")
    if not needed:
        st.session_state[ACCOUNT_KEY] = local_account()
        return st.session_state[ACCOUNT_KEY]
    if not os.environ.get(session.ENV_MOUNTED):
        _stop_with(label("login_needs_server", lang))
    token = st.session_state.get(TOKEN_KEY)
    if token is None:
        try:
            token = auth.read_cookie(st.context.cookies.get(auth.COOKIE))
        except StoreError as exc:  # ATLAS_SECRET_KEY unset or too short
            _stop_with(f"{label('workspace_unavailable', lang)} {error_text(exc, lang)}")
    account = shared.session(token, address=address)
    if account is None:
        st.session_state.pop(ACCOUNT_KEY, None)
        st.session_state.pop(TOKEN_KEY, None)
        _login_form(shared, lang)
    st.session_state[TOKEN_KEY] = token
    st.session_state[ACCOUNT_KEY] = account
    _sidebar(account, lang)
    return account


def _here() -> str:
    """The page's path and address parameters, where a login or logout comes back to."""
    path = urllib.parse.urlsplit(st.context.url or "").path or "/"
    kept = {
        k: v for k, v in st.query_params.to_dict().items() if k not in (session.FLASH, session.WAIT)
    }
    return path + (f"?{urllib.parse.urlencode(kept)}" if kept else "")


def _flash(lang: str) -> None:
    """Say how the last login or logout went (the routes' ?login=...), once."""
    code = st.query_params.get(session.FLASH)
    if code not in _FLASH:
        return
    kind, key = _FLASH[code]
    text = label(key, lang)
    if code == "throttled":
        # The wait the throttle gave (store.auth.Throttled.seconds), in seconds or minutes.
        seconds = st.query_params.get(session.WAIT, "")
        if seconds.isdecimal() and 0 < int(seconds) <= _MAX_WAIT.total_seconds():
            text = throttled_text(int(seconds), lang)
    getattr(st, kind)(text)
    for name in (session.FLASH, session.WAIT):
        st.query_params.pop(name, None)


def throttled_text(seconds: int, lang: str) -> str:
    """The refusal of a throttled login, in seconds, or whole minutes from one minute on."""
    if seconds < 60:
        return label("login_throttled_seconds", lang).format(seconds=seconds)
    return label("login_throttled", lang).format(minutes=-(-seconds // 60))


def _login_form(shared, lang: str) -> None:
    """The login form, posted to the server's login route; the page stops here."""
    st.title(label("login_title", lang))
    st.caption(label("login_help", lang))
    if not shared.has_accounts():
        st.warning(label("login_no_accounts", lang))
    _flash(lang)
    st.html(_FORM_CSS)
    st.html(
        f'<form class="atlas-login" method="post" action="{esc(session.login_path())}">'
        f'<input type="hidden" name="next" value="{esc(_here())}">'
        f"<label>{esc(label('login_name', lang))}"
        '<input name="account" autocomplete="username" required maxlength="200"></label>'
        f"<label>{esc(label('login_password', lang))}"
        '<input name="password" type="password" autocomplete="current-password" required>'
        f'</label><button type="submit">{esc(label("login_button", lang))}</button></form>'
    )
    st.stop()


def _sidebar(account: Account, lang: str) -> None:
    """Who is signed in, and the logout button (a form posted to the server's logout route)."""
    scope = (
        label("scope_everything", lang)
        if account.is_admin
        else " ".join(
            [
                account.city or label("scope_published", lang),
                district_names(account.districts, lang),
            ]
        ).strip()
    )
    role = label(f"role_{account.role}", lang)
    signed_in = label("signed_in_as", lang).format(name=account.name, role=role, scope=scope)
    st.sidebar.caption(esc_md(signed_in))
    st.sidebar.html(_FORM_CSS)
    st.sidebar.html(
        f'<form class="atlas-logout" method="post" action="{esc(session.logout_path())}">'
        f'<input type="hidden" name="next" value="{esc(_here())}">'
        f'<button type="submit">{esc(label("logout", lang))}</button></form>'
    )


def no_access(lang: str) -> None:
    """The page for a version the account may not read: no data, no traceback."""
    st.error(label("no_access", lang))
    st.caption(label("no_access_help", lang))
    st.stop()
