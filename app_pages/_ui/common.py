"""
What several pages share: figures, language, workspace, the ledger and infrastructure in view.

What the ledger and infrastructure in view hold is :mod:`app_pages._ui.loaded`'s; their
coverage, :mod:`app_pages._ui.measured`'s.

The ledger in view is the one read on the ledger page in this browser session and not yet
saved, else what the address names in the workspace (``?ledger=xinxiang@3``: a version;
``?ledger=xinxiang``: that dataset's current state), else the current state of every saved
ledger. The same holds for infrastructure (``?infra=``). Saved data outlive the session.
"""

from __future__ import annotations

import copy
import dataclasses

import pandas as pd
import streamlit as st

from app_pages._ui.cache import kept_newest
from app_pages._ui.loaded import INFRA_KEY, LEDGER_KEY, LoadedInfra, LoadedLedger
from geo import boundaries, gazetteer, reconcile
from geo.infra import Infra
from geo.records import Ledger
from layers._html import esc_md
from layers.wording import error_text, label, listed_text
from store import (
    AccessError,
    Account,
    DatasetError,
    StoreError,
    Workspace,
    open_workspace,
)
from store.loaded import Opened, figures_in_view, open_infra, open_ledger

#: Address and session keys of the saved data in view ("" = every dataset's current state).
LEDGER_REF = "ledger"
INFRA_REF = "infra"
#: A reference the sidebar's widget takes at the start of the next run (a page cannot set a
#: widget drawn before it).
NEXT_KEY = "{}_next"
#: The session's copy of what the workspace holds under a reference, with what it was opened by.
OPENED_KEY = "{}_opened"
#: The account acting in this browser session (the gate sets it before any page runs).
ACCOUNT_KEY = "account"
#: How this session compares each ledger with the documents (ledger token → ``year``/``all``),
#: and the newest table so compared.
RECONCILE_KEY = "reconcile_by"
RECONCILED_KEY = "reconciled"


@st.cache_data
def load_display_outlines() -> pd.DataFrame:
    """All county-level display outlines (simplified), by adcode."""
    return boundaries.load_boundaries("district", display=True).set_index("adcode")


def load_figures() -> pd.DataFrame:
    """
    The reported figures every page shows.

    The seed figures (data/, validated once per server) and the current state of every
    figures dataset saved in the workspace.
    """
    try:
        return _figures_in_view(workspace_revision())
    except StoreError as exc:
        lang = current_lang()
        st.error(esc_md(f"{label('workspace_unavailable', lang)} {error_text(exc, lang)}"))
        return figures_in_view(None)


@st.cache_data
def _figures_in_view(revision: tuple) -> pd.DataFrame:
    return figures_in_view(workspace(), user=current_account())


def current_lang() -> str:
    """``zh`` or ``en``, from the language switch in app.py."""
    return st.session_state.get("lang", "zh")


@st.cache_resource(on_release=Workspace.close)
def workspace() -> Workspace:
    """The workspace of this server: ``$ATLAS_DATABASE_URL``, else the embedded file."""
    return open_workspace()


def current_account() -> Account | None:
    """The account acting in this browser session: the local user in local mode."""
    return st.session_state.get(ACCOUNT_KEY)


def workspace_revision() -> tuple:
    """
    Who reads with what scope, and every dataset they may read with its latest version.

    What a cached opening depends on: a new save opens anew; another account never gets this
    one's; and an account whose role, city or districts an admin changed opens anew, never
    with what its old scope could read.
    """
    account = current_account()
    found = workspace().list_datasets(user=account)
    who = (account.name, account.role, account.city, account.districts) if account else None
    return (who, *((d["name"], d["latest"]) for d in found))


def sources_name(refs: list[str], lang: str) -> str:
    """What a map or table says it holds of the workspace: "工作区：xinxiang@3、survey"."""
    return label("workspace_name", lang).format(refs=listed_text(refs, lang))


# Opened once per server for each reference, workspace revision (a new save opens anew) and
# account, in no language: a language switch names what is open in the other language, and
# does not read a national ledger again. Each session gets its own copy (:func:`session_copy`),
# so nothing a session does to it reaches another session. Not st.cache_data: it pickles, and
# a national ledger (300k communities, a 134 MB pickle) took 2-5 s to unpickle per session.
@st.cache_resource(max_entries=8, show_spinner=False)
def _shared_ledger(
    ref: str, revision: tuple, _account: Account | None
) -> tuple[Opened[Ledger], pd.DataFrame] | None:
    opened = open_ledger(workspace(), ref, user=_account)
    if opened is None:
        return None
    return opened, reconcile.reconcile(opened.content.projects, load_figures())


@st.cache_resource(max_entries=8, show_spinner=False)
def _shared_infra(ref: str, revision: tuple, _account: Account | None) -> Opened[Infra] | None:
    return open_infra(workspace(), ref, user=_account)


def session_copy(value):
    """
    ``value`` (a loaded ledger or infrastructure) as a session's own, without copying rows.

    Frames are copied shallowly: pandas' copy-on-write gives each copy its own data the
    first time either is changed, so one session's change never reaches another's. Other
    fields are copied deeply (lists and dicts of a few entries); what a frozen value computed
    once (``synthetic``, ``token``) is kept.
    """
    if isinstance(value, pd.DataFrame):
        return value.copy(deep=False)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: session_copy(getattr(value, f.name)) for f in dataclasses.fields(value)}
        copied = dataclasses.replace(value, **fields)
        computed = {k: v for k, v in vars(value).items() if k not in fields}
        vars(copied).update(computed)
        return copied
    return copy.deepcopy(value)


def _saved_ledger(ref: str, revision: tuple, lang: str) -> LoadedLedger | None:
    # The revision names the account (workspace_revision), so an account never gets another's.
    shared = _shared_ledger(ref, revision, current_account())
    if shared is None:
        return None
    opened, table = shared
    name = sources_name(opened.refs, lang)
    loaded = LoadedLedger(opened.content, name, table, ref=opened.ref, sources=opened.sources)
    return session_copy(loaded)


def _saved_infra(ref: str, revision: tuple, lang: str) -> LoadedInfra | None:
    opened = _shared_infra(ref, revision, current_account())
    if opened is None:
        return None
    token = "workspace:" + "|".join(opened.refs)
    name = sources_name(opened.refs, lang)
    loaded = LoadedInfra(opened.content, name, token, ref=opened.ref, sources=opened.sources)
    return session_copy(loaded)


def _saved(opener, key: str):
    """
    What the workspace holds under the session's reference; problems said, not raised.

    The session keeps its copy until the reference, the workspace or the language changes,
    so every run and page of it sees the same objects (and what is computed from them).
    """
    ref = st.session_state.get(key) or ""
    try:
        return _held(opener, key, ref)
    except AccessError:
        raise  # a permalink to what this account may not read: app.py shows 无权访问
    except DatasetError as exc:  # no such version, or a reference that names none
        lang = current_lang()
        text = label("workspace_unknown_ref", lang).format(ref=ref, error=error_text(exc, lang))
        st.warning(esc_md(text))
        # The sidebar's widget holds the reference and is drawn already: reset it next run.
        st.session_state[NEXT_KEY.format(key)] = ""
        return _held(opener, key, "")
    except StoreError as exc:
        lang = current_lang()
        st.error(esc_md(f"{label('workspace_unavailable', lang)} {error_text(exc, lang)}"))
        return None


def _held(opener, key: str, ref: str):
    args = (ref, workspace_revision(), current_lang())
    held = st.session_state.get(OPENED_KEY.format(key))
    if held is None or held[0] != args:
        held = (args, opener(*args))
        st.session_state[OPENED_KEY.format(key)] = held
    return held[1]


def current_ledger() -> LoadedLedger | None:
    """The ledger in view (see the module): unsaved in this session, else from the workspace."""
    return st.session_state.get(LEDGER_KEY) or _saved(_saved_ledger, LEDGER_REF)


def reconcile_choice(loaded: LoadedLedger) -> str:
    """How this session compares ``loaded`` with the documents: ``year`` or ``all``."""
    chosen = st.session_state.get(RECONCILE_KEY, {}).get(loaded.token)
    return chosen or reconcile.reconcile_by(loaded.ledger.projects)


def choose_reconciliation(loaded: LoadedLedger, by: str) -> None:
    """Keep this session's choice (the ledger page's): the other pages compare the same way."""
    st.session_state.setdefault(RECONCILE_KEY, {})[loaded.token] = by


def ledger_reconciliation(loaded: LoadedLedger) -> pd.DataFrame:
    """
    ``loaded``'s reconciliation as this session compares it (:func:`reconcile_choice`).

    Computed again only for a choice the shared table was not made with, and kept in the
    session (the newest only): another session's choice never changes what this one sees.
    """
    by, table = reconcile_choice(loaded), loaded.reconciliation
    if not table.empty and table["compared"].iloc[0] == by:
        return table
    return kept_newest(
        RECONCILED_KEY,
        (loaded.token, by, workspace_revision()),
        lambda: reconcile.reconcile(loaded.ledger.projects, load_figures(), by=by),
    )


def current_infra() -> LoadedInfra | None:
    """The infrastructure in view: unsaved in this session, else from the workspace."""
    return st.session_state.get(INFRA_KEY) or _saved(_saved_infra, INFRA_REF)


@st.cache_data
def load_city_names() -> list[str]:
    """Every prefecture-level city of China, by adcode."""
    return gazetteer.list_cities()["city"].tolist()
