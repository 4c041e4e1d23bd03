"""
The workspace on the ledger and accessibility pages: where data come from, read, save, open.

The top of both pages (read a file or the example, the data in view or a word that there
are none), say where the data in view come from, save what was read as the next version of
a dataset, and open a saved version or a current state.

Widgets only: saving and opening are :mod:`store` calls; which data are in view is
:mod:`app_pages._ui.common`'s rule. The reference in view (``xinxiang@3``, ``xinxiang`` or ""
for every dataset's current state) is the address's ``?ledger=`` / ``?infra=``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from app_pages._ui import state
from app_pages._ui.common import (
    INFRA_KEY,
    INFRA_REF,
    LEDGER_KEY,
    LEDGER_REF,
    NEXT_KEY,
    current_account,
    current_infra,
    current_lang,
    current_ledger,
    workspace,
)
from layers._html import esc_md
from layers.accounts import datasets_table
from layers.wording import error_text, label, saved_text, time_text
from store import DatasetError, StoreError

#: kind → (session key of the unsaved data, session and address key of the reference).
KEYS = {"ledger": (LEDGER_KEY, LEDGER_REF), "infra": (INFRA_KEY, INFRA_REF)}
#: kind → the label keys of its page's title, help and word that nothing is in view.
_PAGE_WORDS = {
    "ledger": ("page_ledger_title", "ledger_help", "no_ledger"),
    "infra": ("page_infra_title", "infra_help", "no_infra"),
}
#: kind → the label keys of the buttons that read the upload and the example.
_READ_WORDS = {
    "ledger": ("read_ledger", "load_example"),
    "infra": ("read_infra", "load_infra_example"),
}


def in_view(kind: str, upload_section: Callable[[str], None], lang: str):
    """
    The top of the ledger or accessibility page; the data in view, else the page stops.

    The title, the help and the page's ``upload_section``; then the ledger or infrastructure
    in view (:mod:`app_pages._ui.common`), or a word that there is none.
    """
    title, help_text, nothing = _PAGE_WORDS[kind]
    st.title(label(title, lang))
    st.caption(label(help_text, lang))
    upload_section(lang)
    loaded = current_ledger() if kind == "ledger" else current_infra()
    if loaded is None:
        st.info(label(nothing, lang))
        st.stop()
    return loaded


def read_buttons(kind: str, upload, read: Callable, example: Path, lang: str, **options) -> None:
    """
    Read the upload (with the page's ``options``: datum, sheet) or the shipped example.

    Then the saved datasets to open instead. ``read(data, name, lang, **options)`` keeps
    what it read in the session; the example is read with no option.
    """
    read_label, example_label = _READ_WORDS[kind]
    left, right = st.columns(2)
    if left.button(label(read_label, lang), type="primary", disabled=upload is None):
        read(upload.getvalue(), upload.name, lang, **options)
    if right.button(label(example_label, lang)):
        read(example.read_bytes(), example.name, lang)
    with st.expander(label("workspace_saved_datasets", lang)):
        open_form(kind, lang)


def source_caption(loaded, lang: str) -> None:
    """Where the data in view come from: unsaved in this session, or which saved versions."""
    if _FLASH in st.session_state:
        show, message = st.session_state.pop(_FLASH)
        (st.warning if show == "warning" else st.success)(esc_md(message))
    if loaded.ref is None:
        st.caption(label("workspace_unsaved", lang))
        return
    saved = ("；" if lang == "zh" else "; ").join(
        label("workspace_saved_by", lang).format(
            ref=info.ref, user=info.saved_by, when=time_text(info.saved_at)
        )
        for info in loaded.sources
    )
    st.caption(esc_md(f"{label('workspace_source', lang)}{saved}"))


def _default_name(file_name: str) -> str:
    stem = Path(file_name).name.split(".")[0].strip() or "dataset"
    return stem.replace("@", "-").replace("/", "-").replace("\\", "-")[:100]


def save_form(kind: str, loaded, lang: str) -> None:
    """Save unsaved data as the next version of a dataset; the saved version comes into view."""
    if loaded is None or loaded.ref is not None:
        return
    st.subheader(label("workspace_save", lang))
    unsaved_key = KEYS[kind][0]
    name = st.text_input(
        label("workspace_dataset_name", lang), _default_name(loaded.name), key=f"{kind}-name"
    )
    if not st.button(label("workspace_save_button", lang), key=f"{kind}-save", type="primary"):
        return
    content = loaded.ledger if kind == "ledger" else loaded.infra
    save = workspace().save_ledger if kind == "ledger" else workspace().save_infra
    try:
        info = save(
            content,
            name=name.strip(),
            user=current_account(),
            data=loaded.data,
            file_name=loaded.name,
            datum=loaded.datum,
        )
    except (DatasetError, StoreError) as exc:
        st.error(esc_md(f"{label('workspace_not_saved', lang)} {error_text(exc, lang)}"))
        return
    del st.session_state[unsaved_key]
    # Said as the version holds it; a warning when the save refused rows the page did not
    # (a district account's rows of other districts, quarantined as out_of_scope).
    refused = info.quarantined > len(content.quarantine)
    message = saved_text(info.ref, info.clean, info.by_reason, lang)
    request(kind, info.ref, message, show="warning" if refused else "success")


def open_form(kind: str, lang: str) -> None:
    """The saved datasets of ``kind``, and a choice of a version or a current state to open."""
    try:
        found = [d for d in workspace().list_datasets(user=current_account()) if d["kind"] == kind]
    except StoreError as exc:
        st.error(esc_md(f"{label('workspace_unavailable', lang)} {error_text(exc, lang)}"))
        return
    if not found:
        st.caption(label("workspace_none_saved", lang))
        return
    st.dataframe(datasets_table(found, lang, kinds=False), hide_index=True, width="stretch")
    state.keep([f"{kind}-open"])  # worded choices: carried over the language switch
    chosen = st.selectbox(
        label("workspace_open", lang),
        _choices(kind),
        format_func=lambda r: ref_text(r, lang),
        key=f"{kind}-open",
    )
    if st.button(label("workspace_open_button", lang), key=f"{kind}-open-button"):
        st.session_state.pop(KEYS[kind][0], None)
        request(kind, chosen)


_FLASH = "workspace_flash"


def request(
    kind: str, ref: str, message: str | None = None, *, show: str = "success", rerun: bool = True
) -> None:
    """
    Bring ``ref`` into view on every page from the next run on (the sidebar's choice).

    The sidebar's widget is drawn before the page, so a page cannot set it in the same run:
    the request waits in the session until :func:`sidebar_sources` applies it. ``message``
    is shown once, after the rerun, as a ``success`` or a ``warning`` (``show``).
    """
    st.session_state[NEXT_KEY.format(KEYS[kind][1])] = ref
    if message:
        st.session_state[_FLASH] = (show, message)
    if rerun:
        st.rerun()


def ref_text(ref: str, lang: str | None = None) -> str:
    """A reference as a planner reads it: every dataset's current state, one's, a version."""
    lang = lang or current_lang()
    if not ref:
        return label("workspace_all_current", lang)
    if "@" not in ref:
        return label("workspace_current_of", lang).format(name=ref)
    return ref


def _choices(kind: str) -> list[str]:
    try:
        found = [d for d in workspace().list_datasets(user=current_account()) if d["kind"] == kind]
    except StoreError:
        return [""]
    refs = [""] + [d["name"] for d in found]
    return refs + [f"{d['name']}@{v}" for d in found for v in range(d["latest"], 0, -1)]


def sidebar_sources(lang: str) -> None:
    """
    The saved data every page shows, in the sidebar.

    The current state by default, or a dataset's, or one version; seeded from the address
    (``?ledger=``, ``?infra=``).

    While this session holds data read and not yet saved, that is what the pages show, and
    the sidebar says so.
    """
    st.sidebar.subheader(label("workspace_in_view", lang))
    for kind, title in (("ledger", "workspace_ledger"), ("infra", "workspace_infra")):
        unsaved_key, ref_key = KEYS[kind]
        if NEXT_KEY.format(ref_key) in st.session_state:
            st.session_state[ref_key] = st.session_state.pop(NEXT_KEY.format(ref_key))
        # Any reference from the address is kept: one that does not exist is reported when
        # opened, one this account may not read shows 无权访问 (never silently dropped).
        state.seed(ref_key, default="")
        options = _choices(kind)
        if st.session_state.get(ref_key, "") not in options:
            options.append(st.session_state[ref_key])
        unsaved = st.session_state.get(unsaved_key)
        st.sidebar.selectbox(
            label(title, lang),
            options,
            format_func=lambda r: ref_text(r, lang),
            key=ref_key,
            disabled=unsaved is not None,
        )
        if unsaved is not None:
            text = label("workspace_unsaved_in_view", lang).format(name=unsaved.name)
            st.sidebar.caption(esc_md(text))
