"""
Figures page: a city's reported figures from its documents or a table, reviewed and saved.

Bring a city's reported figures in from its own documents (实施方案, 答复, 通报) or from a
filled-in figures table, review them, and save them with their source.

A document's proposed figures are shown in its text and in a table to accept, edit (metric,
place, period, status) or reject; only accepted rows are saved, as the next version of a
figures dataset in the workspace, with the document's SHA-256 and text, so every figure
traces to its line. The map, compare, quality and export pages then show them beside the
seed figures.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages._ui import state
from app_pages._ui.common import current_account, load_city_names, workspace
from app_pages._ui.widgets import download, refused
from geo import figures
from geo.documents.extract import propose_figures
from geo.documents.review import accept_extraction, suggest_decisions
from geo.documents.table import read_figure_table, template_bytes
from geo.errors import InputError, UnknownPlaceError
from layers._html import esc_md
from layers.marked_document import (
    REVIEW_FORMATS,
    REVIEW_READ_ONLY,
    document_caption,
    document_html,
    estimates_left,
    review_headers,
    review_options,
    review_table,
    reviewed,
)
from layers.tables import figure_table, metric_names, quarantine_rows
from layers.wording import error_text, label, saved_text
from store import DatasetError, StoreError

REVIEW_KEY = "figures_review"


def extract(data: bytes, name: str, city: str | None, lang: str) -> None:
    """Read the document, propose its figures, keep both in the session for review."""
    try:
        # Read in a child process with a time and memory limit: this page's thread only
        # waits, so a hostile upload cannot stall another planner's page.
        extraction = propose_figures(data, name=name, city=city)
    except (InputError, UnknownPlaceError) as exc:
        refused(exc, lang)
        return
    proposals = extraction.figures
    proposals = proposals.assign(decision=suggest_decisions(proposals))
    st.session_state[REVIEW_KEY] = (extraction, proposals, data)


def save(frame: pd.DataFrame, name: str, lang: str, **kwargs) -> None:
    """
    Save figures as the next version of dataset ``name``; say what the version holds.

    As a warning when the save refused figures (of places outside the account's scope).
    """
    try:
        info = workspace().save_figures(frame, name=name.strip(), user=current_account(), **kwargs)
    except (DatasetError, StoreError) as exc:
        st.error(esc_md(f"{label('workspace_not_saved', lang)} {error_text(exc, lang)}"))
        return
    refused_rows = kwargs.get("quarantine")
    cut = info.quarantined > (0 if refused_rows is None else len(refused_rows))
    said = saved_text(info.ref, info.clean, info.by_reason, lang, kind="figures")
    (st.warning if cut else st.success)(esc_md(said))


def review_columns(metric_names: dict[str, str], lang: str) -> dict:
    """The review table's headers and choices in ``lang``; its cells keep their codes."""
    headers = review_headers(lang)
    options = review_options(metric_names, figures.LEVELS, figures.STATUSES, lang)

    def select(column: str) -> st.column_config.SelectboxColumn:
        names = options[column]
        return st.column_config.SelectboxColumn(
            headers[column], options=list(names), format_func=lambda code: names.get(code, code)
        )

    columns = {column: headers[column] for column in headers}
    columns |= {column: select(column) for column in options}
    number = st.column_config.NumberColumn
    return columns | {c: number(headers[c], format=f) for c, f in REVIEW_FORMATS.items()}


def review(lang: str) -> None:
    """The document with its figures marked, the review table, and the save button."""
    extraction, proposals, data = st.session_state[REVIEW_KEY]
    document = extraction.document
    st.caption(esc_md(document_caption(document, extraction.info, lang)))
    names = metric_names(figures.load_metrics(), lang)
    st.html(document_html(document.lines, proposals, lang, metric_names=names))
    estimates = estimates_left(proposals)
    if estimates:
        st.caption(label("figures_estimates_left", lang).format(n=estimates))
    edited = st.data_editor(
        review_table(proposals, lang),
        column_config=review_columns(names, lang),
        disabled=REVIEW_READ_ONLY,
        hide_index=True,
        key="figures-editor",
    )
    name = st.text_input(
        label("workspace_dataset_name", lang), Path(document.name).stem, key="figures-name"
    )
    if not st.button(label("figures_save_accepted", lang), type="primary", key="figures-save"):
        return
    accepted, problems = accept_extraction(extraction, reviewed(proposals, edited))
    if len(problems):
        st.warning(label("figures_problems", lang).format(n=len(problems)))
        st.dataframe(problems, hide_index=True, width="stretch")
    if accepted.empty:
        st.info(label("figures_none_accepted", lang))
        return
    save(
        accepted,
        name,
        lang,
        documents={document.name: document.text()},
        data=data,
        file_name=document.name,
    )


def from_document(lang: str) -> None:
    """The document tab: upload, propose figures, review them and save."""
    upload = st.file_uploader(
        label("figures_upload_document", lang), type=["txt", "docx", "pdf"], key="doc-upload"
    )
    # "As the document says" is an option of its own (""), carried over the language switch:
    # not carried, the box kept the other language's words; as None, "Choose an option".
    state.keep(["doc-city"])
    city = st.selectbox(
        label("figures_city", lang),
        ["", *load_city_names()],
        format_func=lambda c: c or label("figures_city_in_document", lang),
        key="doc-city",
    )
    if st.button(label("figures_extract", lang), disabled=upload is None, key="doc-extract"):
        extract(upload.getvalue(), upload.name, city or None, lang)
    if REVIEW_KEY in st.session_state:
        review(lang)


def from_table(lang: str) -> None:
    """The table tab: the template, a filled-in table read, its refused rows, save."""
    text = label("figures_template", lang)
    download(text, "figures-template.xlsx", template_bytes, key="figures-template")
    upload = st.file_uploader(
        label("figures_upload_table", lang), type=["csv", "xlsx"], key="table-upload"
    )
    if upload is None:
        return
    try:
        table = read_figure_table(upload.getvalue(), name=upload.name)
    except (InputError, UnknownPlaceError) as exc:
        refused(exc, lang)
        return
    summary = table.summary()
    st.caption(label("quality_counts", lang).format(**summary))
    if len(table.quarantine):
        refused_rows = quarantine_rows(table.quarantine, lang, kind="figures")
        st.dataframe(refused_rows, hide_index=True, width="stretch")
    st.dataframe(figure_table(table.figures, lang), hide_index=True, width="stretch")
    name = st.text_input(
        label("workspace_dataset_name", lang), Path(upload.name).stem, key="table-name"
    )
    if st.button(label("workspace_save_button", lang), type="primary", key="table-save"):
        save(
            table.figures,
            name,
            lang,
            data=upload.getvalue(),
            file_name=upload.name,
            quarantine=table.quarantine,
        )


def render(lang: str) -> None:
    """The figures page: from a document, reviewed, or from a filled-in table; saved."""
    st.title(label("figures_title", lang))
    st.caption(label("figures_help", lang))
    document_tab, table_tab = st.tabs(
        [label("figures_from_document", lang), label("figures_from_table", lang)]
    )
    with document_tab:
        from_document(lang)
    with table_tab:
        from_table(lang)
