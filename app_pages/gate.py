"""
The login gate: who is acting, the login form in team mode, logout, the no-access page.

Widgets only; the checks are :mod:`store.auth` and the workspace's. Local mode (a workspace
without accounts, no ``ATLAS_AUTH=on``) needs no login: the one local user acts. In team mode
every page waits for a login; the session lives in the workspace and in a cookie signed with
``$ATLAS_SECRET_KEY`` (:func:`store.auth.make_cookie`), so a reload keeps it and a logout,
a password change or a disabled account ends it everywhere. The cookie is written by a
script of ours (Streamlit has no cookie API for a script), ``SameSite=Strict``, ``Secure``
over HTTPS; it holds a signed random token, never a name or a password.
"""

from __future__ import annotations

import json

import streamlit as st

from app_pages.common import ACCOUNT_KEY, current_account, workspace
from layers.labels import error_text, label
from store import Account, LoginError, StoreError, auth, local_account

__all__ = ["current_account", "no_access", "require_login"]

TOKEN_KEY = "session_token"


def _address() -> str:
    """The browser's address as the audit records it; X-Forwarded-For from trusted proxies only."""
    found = st.context.ip_address
    return auth.client_address(
        found if isinstance(found, str) and found else None,
        st.context.headers.get("X-Forwarded-For"),
    )


def _cookie_script(value: str, max_age: int) -> None:
    # Our own script, our own signed value (URL-safe base64 and dots): no user text in it.
    st.html(
        "<script>(() => { const secure = location.protocol === 'https:' ? '; Secure' : ''; "
        f"document.cookie = {json.dumps(auth.COOKIE)} + '=' + {json.dumps(value)} + "
        f"'; Path=/; Max-Age={int(max_age)}; SameSite=Strict' + secure; }})();</script>",
        unsafe_allow_javascript=True,
        width="content",
    )


def _stop_with(message: str) -> None:
    st.error(message)
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
    token = st.session_state.get(TOKEN_KEY)
    if token is None:
        try:
            token = auth.read_cookie(st.context.cookies.get(auth.COOKIE))
        except StoreError as exc:  # ATLAS_SECRET_KEY unset or too short
            _stop_with(f"{label('workspace_unavailable', lang)} {exc}")
    account = shared.session(token, address=address)
    if account is not None:
        st.session_state[TOKEN_KEY] = token
    else:
        st.session_state.pop(ACCOUNT_KEY, None)
        st.session_state.pop(TOKEN_KEY, None)
        account = _login_form(shared, lang, address)
    st.session_state[ACCOUNT_KEY] = account
    _sidebar(shared, account, lang)
    return account


def _login_form(workspace, lang: str, address: str) -> Account:
    """The login form; returns the account once logged in, else stops the page."""
    box = st.empty()
    with box.container():
        st.title(label("login_title", lang))
        st.caption(label("login_help", lang))
        if not workspace.has_accounts():
            st.warning(label("login_no_accounts", lang))
        with st.form("login"):
            name = st.text_input(label("login_name", lang), key="login_name")
            password = st.text_input(label("login_password", lang), type="password")
            pressed = st.form_submit_button(label("login_button", lang), type="primary")
    if not pressed:
        st.stop()
    try:
        done = workspace.login(name, password, address=address)
        cookie = auth.make_cookie(done.token)
    except auth.Throttled as exc:
        _stop_with(_throttled(exc.seconds, lang))
    except LoginError:
        _stop_with(label("login_wrong", lang))
    except StoreError as exc:
        _stop_with(f"{label('workspace_unavailable', lang)} {exc}")
    box.empty()
    _cookie_script(cookie, int(auth.session_hours() * 3600))
    st.session_state[TOKEN_KEY] = done.token
    return done.account


def _throttled(seconds: int, lang: str) -> str:
    """The refusal of a throttled login, in seconds, or whole minutes from one minute on."""
    if seconds < 60:
        return label("login_throttled_seconds", lang).format(seconds=seconds)
    return label("login_throttled", lang).format(minutes=-(-seconds // 60))


def _sidebar(workspace, account: Account, lang: str) -> None:
    """Who is signed in, and the logout button."""
    scope = (
        label("scope_everything", lang)
        if account.is_admin
        else " ".join([account.city or label("scope_published", lang), *account.districts])
    )
    role = label(f"role_{account.role}", lang)
    st.sidebar.caption(
        label("signed_in_as", lang).format(name=account.name, role=role, scope=scope)
    )
    if st.sidebar.button(label("logout", lang), key="logout"):
        workspace.logout(st.session_state.get(TOKEN_KEY, ""), address=_address())
        st.session_state.pop(ACCOUNT_KEY, None)
        st.session_state.pop(TOKEN_KEY, None)
        _cookie_script("", 0)
        st.info(label("logged_out", lang))
        st.stop()


def no_access(lang: str) -> None:
    """The page for a version the account may not read: no data, no traceback."""
    st.error(label("no_access", lang))
    st.caption(label("no_access_help", lang))
    st.stop()
