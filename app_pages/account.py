"""
Account page: who is signed in, what it may read, a version, password; accounts and audit.

For admins, every account and the audit.

``?ledger=NAME@3`` opens that version's record and rows if the account may read it, else
"无权访问" (the workspace refuses; nothing of the version is shown). Tables are
``st.dataframe``, which renders values as text, headed and worded in the interface's language
by :mod:`layers.accounts` (kinds, roles and actions by name, districts by name, Beijing time).
"""

from __future__ import annotations

import streamlit as st

from app_pages._ui import state
from app_pages._ui.common import current_account, workspace
from app_pages._ui.gate import no_access, throttled_text
from layers._html import esc_md
from layers.accounts import accounts_table, audit_table, datasets_table, rows_table
from layers.tables import versions_table
from layers.wording import error_text, label
from store import AccessError, DatasetError, auth, parse_ref
from store.accounts import PasswordError

VERSION_KEY = "account_version"


def readable_section(account, lang: str) -> list[dict]:
    """The datasets this account may read; the list of them."""
    st.subheader(label("readable_datasets", lang))
    readable = workspace().list_datasets(user=account)
    if readable:
        st.dataframe(datasets_table(readable, lang), hide_index=True, width="stretch")
    else:
        st.info(label("nothing_readable", lang))
    return readable


def version_section(account, readable: list[dict], lang: str) -> None:
    """A version by link (``?ledger=NAME@3``): its record and rows, or "无权访问"."""
    refs = [f"{d['name']}@{n}" for d in readable for n in range(d["latest"], 0, -1)]
    linked = st.query_params.get("ledger", "")
    # No version is an option of its own (""), carried over the language switch: not carried,
    # the box kept the other language's words; as None, "Choose an option".
    choices = ["", *refs] if linked in ("", *refs) else ["", linked, *refs]
    state.keep([VERSION_KEY])
    if st.session_state.get(VERSION_KEY) not in choices:
        st.session_state[VERSION_KEY] = linked  # the link's, on opening (or gone from the list)
    chosen = st.selectbox(
        label("open_version", lang),
        choices,
        format_func=lambda ref: ref or label("account_no_version", lang),
        key=VERSION_KEY,
    )
    if not chosen:
        if "ledger" in st.query_params:
            del st.query_params["ledger"]
        return
    st.query_params["ledger"] = chosen
    try:
        name, version = parse_ref(chosen)
        saved = workspace().load(name, version, user=account)
    except AccessError:
        no_access(lang)
    except DatasetError as exc:
        st.error(esc_md(error_text(exc, lang)))
        st.stop()
    st.dataframe(versions_table([saved.info.to_dict()], lang), hide_index=True, width="stretch")
    st.dataframe(rows_table(saved.info.kind, saved.content, lang), hide_index=True)


def password_section(account, lang: str) -> None:
    """The form that changes the signed-in account's password."""
    st.subheader(label("change_password", lang))
    with st.form("password", clear_on_submit=True):
        current = st.text_input(label("current_password", lang), type="password")
        first = st.text_input(label("new_password", lang), type="password")
        again = st.text_input(label("new_password_again", lang), type="password")
        if not st.form_submit_button(label("change_password", lang)):
            return
        if first != again:
            st.error(label("passwords_differ", lang))
            return
        try:
            workspace().set_password(account.name, first, current=current, user=account)
            st.success(label("password_changed", lang))
        except PasswordError as exc:
            st.error(label(f"password_refused_{exc.reason}", lang))
        except auth.Throttled as exc:  # too many wrong current passwords
            st.error(throttled_text(exc.seconds, lang))


def admin_section(account, lang: str) -> None:
    """For admins: every account (on a team server) and the audit."""
    if not account.local:
        st.subheader(label("accounts_title", lang))
        people = accounts_table(workspace().list_accounts(user=account), lang)
        st.dataframe(people, hide_index=True, width="stretch")
    st.subheader(label("audit_title", lang))
    log = workspace().audit_log(user=account, limit=500)
    st.dataframe(audit_table(log, lang), hide_index=True, width="stretch")


def render(lang: str) -> None:
    """The account page: who is signed in, what it may read, a version, password, admin."""
    account = current_account()
    st.title(label("account_title", lang))
    if account.local:
        st.info(label("local_mode", lang))
    readable = readable_section(account, lang)
    version_section(account, readable, lang)
    if not account.local:
        password_section(account, lang)
    if account.is_admin:
        admin_section(account, lang)
