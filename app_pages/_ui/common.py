"""
What several pages share: figures, language, workspace, the ledger and infrastructure in view.

The ledger in view is the one read on the ledger page in this browser session and not yet
saved, else what the address names in the workspace (``?ledger=xinxiang@3``: a version;
``?ledger=xinxiang``: that dataset's current state), else the current state of every saved
ledger. The same holds for infrastructure (``?infra=``). Saved data outlive the session.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from app_pages._ui.cache import kept_newest
from geo import boundaries, coverage, gazetteer, reconcile
from geo.coverage import Coverage
from geo.infra import Infra
from geo.records import Ledger
from geo.report import looks_synthetic
from layers._html import esc_md
from layers.wording import error_text, label
from store import (
    AccessError,
    Account,
    DatasetError,
    StoreError,
    VersionInfo,
    Workspace,
    open_workspace,
)
from store.loaded import figures_in_view, open_infra, open_ledger

#: Session keys of a ledger or infrastructure read in this session and not yet saved.
LEDGER_KEY = "ledger_read"
INFRA_KEY = "infra_read"
#: Address and session keys of the saved data in view ("" = every dataset's current state).
LEDGER_REF = "ledger"
INFRA_REF = "infra"
INFRA_METRICS_KEY = "infra_metrics"
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


@dataclass(frozen=True)
class LoadedLedger:
    """
    A ledger in view: its name, its reconciliation table, and where it comes from.

    ``ref`` is its workspace reference (``None`` while unsaved) and ``sources`` the saved
    versions its rows come from; ``data`` and ``datum`` are what a save needs of a file read
    in this session. ``reconciliation`` is compared as :func:`geo.reconcile.reconcile`
    chooses; a session's own choice is :func:`ledger_reconciliation`'s. Frozen: no page
    changes what another session may be shown.
    """

    ledger: Ledger
    name: str
    reconciliation: pd.DataFrame
    ref: str | None = None
    sources: list[VersionInfo] = field(default_factory=list)
    data: bytes | None = None
    datum: str | None = None

    @functools.cached_property
    def synthetic(self) -> bool:
        """True for the shipped example, or any file that says it is synthetic."""
        return looks_synthetic([self.name], self.ledger.projects)

    @functools.cached_property
    def token(self) -> str:
        """What names this ledger's content: the saved versions, or the file as read."""
        if self.sources:
            return "workspace:" + "|".join(info.ref for info in self.sources)
        digest = hashlib.sha256(self.data or b"").hexdigest()[:16]
        return f"session:{self.name}:{self.datum}:{digest}"


@dataclass(frozen=True)
class LoadedInfra:
    """Infrastructure in view: its name, a token of its content, and where it comes from."""

    infra: Infra
    name: str
    token: str
    ref: str | None = None
    sources: list[VersionInfo] = field(default_factory=list)
    data: bytes | None = None
    datum: str | None = None

    @functools.cached_property
    def synthetic(self) -> bool:
        """True for the shipped example, or a file whose features say they are synthetic."""
        return looks_synthetic([self.name], self.infra.features)


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
    Who reads, and every dataset they may read with its latest version.

    What a cached opening depends on (a new save opens anew; another account never gets this
    one's).
    """
    account = current_account()
    found = workspace().list_datasets(user=account)
    return (account.name if account else None, *((d["name"], d["latest"]) for d in found))


def _sources_name(refs: list[str], lang: str) -> str:
    return label("workspace_name", lang).format(refs=("、" if lang == "zh" else ", ").join(refs))


# Cached per reference, workspace revision (a new save opens anew) and language, as data:
# each call returns a copy, so nothing a session does to it reaches another session.
@st.cache_data(max_entries=8, show_spinner=False)
def _saved_ledger(ref: str, revision: tuple, lang: str) -> LoadedLedger | None:
    opened = open_ledger(workspace(), ref, user=current_account())
    if opened is None:
        return None
    table = reconcile.reconcile(opened.content.projects, load_figures())
    name = _sources_name(opened.refs, lang)
    return LoadedLedger(opened.content, name, table, ref=opened.ref, sources=opened.sources)


@st.cache_data(max_entries=8, show_spinner=False)
def _saved_infra(ref: str, revision: tuple, lang: str) -> LoadedInfra | None:
    opened = open_infra(workspace(), ref, user=current_account())
    if opened is None:
        return None
    token = "workspace:" + "|".join(opened.refs)
    name = _sources_name(opened.refs, lang)
    return LoadedInfra(opened.content, name, token, ref=opened.ref, sources=opened.sources)


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
        text = label("workspace_unknown_ref", current_lang()).format(ref=ref, error=exc)
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


def infra_metrics(
    loaded: LoadedInfra, projects, radii: tuple[int, ...], covers: tuple[str, ...]
) -> Coverage:
    """
    :func:`geo.coverage.measure` of the session's infrastructure, kept for its inputs.

    Kept per infrastructure, ledger, radii and declared districts (the newest result only, so
    a session holds one).
    """
    return kept_newest(
        INFRA_METRICS_KEY,
        (loaded.token, id(projects), radii, covers),
        lambda: coverage.measure(projects, loaded.infra, radii=radii, covers=covers),
    )


def current_infra_metrics() -> Coverage | None:
    """The newest coverage computed on the accessibility page, or ``None``."""
    memo = st.session_state.get(INFRA_METRICS_KEY) or {}
    return next(iter(memo.values()), None)


def session_infra_metrics() -> tuple[LoadedInfra, pd.DataFrame] | None:
    """
    The session's infrastructure and its district metrics, for the compare and quality pages.

    The metrics the accessibility page computed for this infrastructure (with its radii and
    declared districts) when there are some, else computed once with that page's defaults.
    ``None`` when no infrastructure is loaded.
    """
    loaded = current_infra()
    if loaded is None:
        return None
    memo = st.session_state.get(INFRA_METRICS_KEY) or {}
    for key, measured in memo.items():
        if key[0] == loaded.token:
            return loaded, measured.table
    ledger = current_ledger()
    projects = ledger.ledger.projects if ledger is not None else None
    return loaded, infra_metrics(loaded, projects, coverage.RADII_M, ()).table


@st.cache_data
def load_city_names() -> list[str]:
    """Every prefecture-level city of China, by adcode."""
    return gazetteer.list_cities()["city"].tolist()
