"""
History page: every version of a saved dataset and the rows changed between two versions.

Each version says who saved it, when, from which file, and its counts.

By default the changes are those the newer version made to the current state: the districts
it covers (a 卫滨区 monthly ledger changes 卫滨区's rows only). The dataset and the two versions
live in the address (``/history?dataset=xinxiang&from=1&to=2``), and so does showing every
change (``&covered=false``). Without ``?dataset=``, the dataset is the ledger in view (the
sidebar's choice, ``?ledger=``), the one the other pages show; without ``?from=`` and ``?to=``,
the version it names is compared with the one before (``?ledger=xinxiang@3``: 2 and 3).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages._ui import nav, state
from app_pages._ui.common import (
    LEDGER_REF,
    current_account,
    session_copy,
    workspace,
    workspace_revision,
)
from app_pages._ui.datasets import request
from app_pages._ui.paged import paged_dataframe
from app_pages._ui.widgets import download
from layers._html import esc_md
from layers.spreadsheets import csv_bytes
from layers.tables import changes_table, compared_versions, versions_table
from layers.wording import dropped_text, error_text, label
from store import Account, DatasetError, StoreError, parse_ref


def saved_datasets(lang: str) -> dict[str, str]:
    """The kind of every dataset this account may read, by name; stops when there is none."""
    try:
        found = workspace().list_datasets(user=current_account())
    except StoreError as exc:
        st.error(esc_md(f"{label('workspace_unavailable', lang)} {error_text(exc, lang)}"))
        st.stop()
    if not found:
        st.info(label("workspace_none_saved", lang))
        st.stop()
    return {d["name"]: d["kind"] for d in found}


def ledger_in_view(kinds: dict[str, str]) -> tuple[str | None, int | None]:
    """
    The saved ledger the sidebar (or ``?ledger=``) shows and the version it names.

    ``(None, None)`` when the account may not read it as a ledger; the version is None for
    the current state (``?ledger=xinxiang``).
    """
    try:
        name, version = parse_ref(st.session_state.get(LEDGER_REF) or "")
    except DatasetError:  # a reference that names none: the sidebar says so
        return None, None
    return (name, version) if kinds.get(name) == "ledger" else (None, None)


def choose_dataset(kinds: dict[str, str]) -> tuple[list, bool]:
    """
    Seed the dataset chooser: the address's ``?dataset=``, else the ledger in view.

    The ledger chosen in the sidebar (or linked with ``?ledger=``) is the one the other pages
    show: History shows its versions too, and follows when the sidebar's choice changes.
    Returns the address values dropped, and whether it followed a change just now.
    """
    in_view, _ = ledger_in_view(kinds)
    ref = st.session_state.get(LEDGER_REF) or ""
    followed = st.session_state.get(_FOLLOWED_KEY, ref)
    st.session_state[_FOLLOWED_KEY] = ref
    moved = in_view is not None and followed != ref and "dataset" in st.session_state
    if moved:
        st.session_state["dataset"] = in_view  # the sidebar's ledger changed on this page
    default = in_view or next(iter(kinds))
    return state.seed("dataset", options=list(kinds), default=default), moved


# The sidebar's ledger reference when History last ran, to follow a change of the sidebar's choice.
_FOLLOWED_KEY = "history-ledger-in-view"


def choose_versions(
    numbers: list[int], dropped: list, lang: str, *, linked: int | None, moved: bool
) -> tuple[int, int, bool]:
    """
    The two versions compared and whether only the districts the newer covers count.

    Without ``?from=`` and ``?to=``, the ``linked`` version (the ledger in view's, when it is
    this dataset) and the one before it; the sidebar's choice ``moved`` on this page: those.
    """
    first, last = compared_versions(numbers, linked)
    if moved:  # the address still holds the versions compared before: not those
        st.session_state["from"], st.session_state["to"] = first, last
    dropped += state.seed("from", options=numbers, default=first, cast=int)
    dropped += state.seed("to", options=numbers, default=last, cast=int)
    dropped += state.seed("covered", default=True, cast=state.flag)
    if dropped:
        st.warning(esc_md(dropped_text(dropped, lang)))
    left, right = st.columns(2)
    old = left.selectbox(label("history_from", lang), numbers, key="from")
    new = right.selectbox(label("history_to", lang), numbers, key="to")
    covered = st.toggle(label("history_covered_only", lang), key="covered")
    return old, new, covered


# Compared once per server for each pair of versions, choice and workspace revision (which
# names the account, so an account never gets another's); each session gets its own copy.
# A national ledger's two versions are 300,000 rows each: read and compared on every run,
# they took seconds whatever the planner clicked. Not st.cache_data: it pickles every hit.
# Four kept: a national comparison can hold 300,000 changed rows.
@st.cache_resource(max_entries=4, show_spinner=False)
def _shared_changes(
    name: str, old: int, new: int, covered: bool, revision: tuple, _account: Account | None
) -> pd.DataFrame:
    return workspace().diff(name, old, new, covered=covered, user=_account)


def changes_section(name: str, infos: list, old: int, new: int, covered: bool, lang: str) -> None:
    """Rows added, removed and changed between the two versions, and their CSV."""
    account = current_account()
    revision = workspace_revision()
    changes = session_copy(_shared_changes(name, old, new, covered, revision, account))
    counts = changes["change"].value_counts()
    columns = st.columns(3)
    for column, change in zip(columns, ("added", "removed", "changed"), strict=True):
        column.metric(label(f"change_{change}", lang), int(counts.get(change, 0)))
    if covered:
        covers = infos[[info.version for info in infos].index(new)].covers
        st.caption(label("history_covered_note", lang).format(version=new, n=len(covers)))
    if changes.empty:
        st.success(label("history_no_changes", lang))
    else:
        # A page of the changes is written and sent; the CSV (written when clicked) has all.
        paged_dataframe(
            len(changes),
            lambda rows: changes_table(changes.iloc[rows], lang),
            "history_changes_page",
            lang,
        )
        download("CSV", f"{name}-{old}-{new}.csv", csv_bytes, changes, key="changes-csv")


def render(lang: str) -> None:
    """The history page: a dataset's versions, two of them compared, a link to view one."""
    st.title(label("history_title", lang))
    st.caption(label("history_help", lang))
    kinds = saved_datasets(lang)
    dropped, moved = choose_dataset(kinds)
    name = st.selectbox(label("history_dataset", lang), list(kinds), key="dataset")
    infos = workspace().history(name, user=current_account())
    numbers = [info.version for info in infos]
    versions = [i.to_dict() for i in infos]
    st.dataframe(versions_table(versions, lang), hide_index=True, width="stretch")
    in_view, linked = ledger_in_view(kinds)
    linked = linked if in_view == name else None  # a version of another dataset: not this one
    old, new, covered = choose_versions(numbers, dropped, lang, linked=linked, moved=moved)
    state.publish(["dataset", "from", "to", "covered"], defaults={"covered": True})
    changes_section(name, infos, old, new, covered, lang)
    # Open a version where the other pages show it: the map, compare, quality and export.
    if st.button(esc_md(label("history_view", lang).format(ref=f"{name}@{new}"))):
        request(kinds[name], f"{name}@{new}", rerun=False)
        st.switch_page(nav.page("map"))
