"""
Ledger page: upload a 台账, declare its datum, see the quarantine and the reconciliation.

The ledger stays in this browser session (``st.session_state``); nothing is written to disk.
Tables are shown with ``st.dataframe``, which renders values as text, never as HTML; their
headers, codes and numbers are in the interface's language (:mod:`layers.tables`), and the
downloads keep the plain columns and codes.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages._ui import state
from app_pages._ui.common import (
    choose_reconciliation,
    ledger_reconciliation,
    load_figures,
    reconcile_choice,
)
from app_pages._ui.datasets import in_view, read_buttons, save_form, source_caption
from app_pages._ui.loaded import LEDGER_KEY, LoadedLedger
from app_pages._ui.paged import paged_dataframe
from app_pages._ui.widgets import datum_select, download, refused, upload_fields, upload_note
from geo import reconcile, records
from geo._data import EXAMPLES_DIR
from geo.errors import InputError
from layers._html import esc_md
from layers.export import geopackage_bytes
from layers.spreadsheets import csv_bytes, xlsx_bytes
from layers.tables import (
    metric_names,
    projects_table,
    quarantine_by_reason,
    quarantine_rows,
    reconciliation_counts,
    reconciliation_table,
)
from layers.wording import encoding_text, label, note_text, sheet_text

EXAMPLE_FILE = EXAMPLES_DIR / "synthetic-ledger-xinxiang.csv"
TYPES = ["csv", "xlsx"]


def read(data: bytes, name: str, lang: str, datum: str | None = None, sheet: str | None = None):
    """Read the ledger with a progress bar and keep it in the session; errors are shown."""
    bar = st.progress(0.0, text=label("reading", lang))
    try:
        ledger = records.read_ledger(
            data,
            name=name,
            crs_name=datum,
            sheet=sheet,
            progress=lambda f, stage: bar.progress(f, text=f"{label('reading', lang)} · {stage}"),
        )
    except InputError as exc:
        bar.empty()
        refused(exc, lang)
        return
    table = reconcile.reconcile(ledger.projects, load_figures())
    st.session_state[LEDGER_KEY] = LoadedLedger(ledger, name, table, data=data, datum=datum)
    bar.empty()


def downloads(frame: pd.DataFrame, stem: str, key: str, lang: str) -> None:
    """The frame as CSV and XLSX, each written when its button is clicked."""
    left, right = st.columns(2)
    download("CSV", f"{stem}.csv", csv_bytes, frame, where=left, key=f"{key}-csv")
    download("XLSX", f"{stem}.xlsx", xlsx_bytes, {stem: frame}, where=right, key=f"{key}-xlsx")


def reconciliation_section(loaded: LoadedLedger, lang: str) -> None:
    """Ledger totals against the documents, by year or over all periods, every result named."""
    st.subheader(label("reconciliation", lang))
    st.caption(label("reconciliation_help", lang))
    key = f"reconcile-by-{loaded.token}"
    state.keep([key])  # worded choices: carried over the language switch
    st.session_state.setdefault(key, reconcile_choice(loaded))
    by = st.radio(
        label("reconcile_by", lang),
        list(reconcile.BY),
        format_func=lambda b: label(f"reconcile_by_{b}", lang),
        horizontal=True,
        key=key,
    )
    if reconcile.reconcile_by(loaded.ledger.projects) == "all":
        st.caption(label("reconcile_no_year", lang))
    # Kept in this session, so its quality and export pages show the same comparison.
    choose_reconciliation(loaded, by)
    table = ledger_reconciliation(loaded)
    if table.empty:
        st.info(label("nothing_to_reconcile", lang))
        return
    names = metric_names(load_figures(), lang)
    st.dataframe(reconciliation_counts(table, names, lang), hide_index=True, width="stretch")
    with st.expander(label("reconcile_all_results", lang)):
        st.markdown(
            "\n".join(
                f"- **{label(f'result_name_{r}', lang)}**: {label(f'result_{r}', lang)}"
                for r in reconcile.RESULTS
            )
        )
    paged_dataframe(
        len(table),
        lambda rows: reconciliation_table(table.iloc[rows], names, lang),
        "ledger_reconciliation_page",
        lang,
    )
    downloads(table, "reconciliation", "reconciliation", lang)


def upload_section(lang: str) -> None:
    """The file, its sheet and datum, the buttons that read it or the example, saved ones."""
    upload = st.file_uploader(label("upload", lang), type=TYPES, key="upload")
    upload_note(TYPES, lang)
    sheet = st.text_input(label("sheet", lang), "") or None
    # Until a file is read, no datum is assumed: the choice starts empty unless it has a 坐标系
    # column.
    fields = (
        {"lon", "lat"} if upload is None else upload_fields(upload.getvalue(), upload.name, sheet)
    )
    datum = datum_select(lang, key="datum", fields=fields)
    read_buttons("ledger", upload, read, EXAMPLE_FILE, lang, datum=datum, sheet=sheet)


def summary_section(loaded: LoadedLedger, lang: str) -> None:
    """Rows read, clean, quarantined and drawn; the file's encoding or sheet; save."""
    ledger = loaded.ledger
    if loaded.synthetic:
        st.warning(label("synthetic_warning", lang))
    summary = ledger.summary()
    for note in ledger.notes:
        st.warning(note_text(note, lang))
    columns = st.columns(4)
    columns[0].metric(label("rows", lang), summary["rows"])
    columns[1].metric(label("clean", lang), summary["clean"])
    columns[2].metric(label("quarantined", lang), summary["quarantined"])
    columns[3].metric(label("drawn", lang), int((ledger.projects["located"] == "point").sum()))
    # The file's encoding or sheet; a workspace's current state (several files) has neither.
    read_as = encoding_text(ledger.encoding, lang) or sheet_text(ledger.sheet, ledger.sheets, lang)
    st.caption(esc_md(" · ".join(part for part in (loaded.name, read_as) if part)))
    source_caption(loaded, lang)
    save_form("ledger", loaded, lang)


def quarantine_section(ledger, lang: str) -> None:
    """The quarantined rows by reason, then each, with their downloads."""
    st.subheader(label("quarantine", lang))
    if ledger.quarantine.empty:
        st.success(label("nothing_quarantined", lang))
        return
    st.dataframe(quarantine_by_reason(ledger.quarantine, lang), hide_index=True, width="stretch")
    quarantine = ledger.quarantine
    paged_dataframe(
        len(quarantine),
        lambda rows: quarantine_rows(quarantine.iloc[rows], lang),
        "ledger_quarantine_page",
        lang,
    )
    downloads(quarantine, "quarantine", "quarantine", lang)


def projects_section(loaded: LoadedLedger, lang: str) -> None:
    """The clean communities and the ledger's GeoPackage."""
    ledger = loaded.ledger
    st.subheader(label("clean_projects", lang))
    # A page of the communities is written and sent (a national ledger has 300,000); the
    # GeoPackage keeps every one.
    projects = ledger.projects
    paged_dataframe(
        len(projects),
        lambda rows: projects_table(projects.iloc[rows], lang),
        "ledger_projects_page",
        lang,
    )
    layers = {
        "projects": ledger.projects,
        "quarantine": ledger.quarantine,
        "reconciliation": ledger_reconciliation(loaded),
    }
    download(label("download_gpkg", lang), "ledger.gpkg", geopackage_bytes, layers)


def render(lang: str) -> None:
    """The ledger page: upload, summary, quarantine, reconciliation, clean communities."""
    loaded = in_view("ledger", upload_section, lang)
    summary_section(loaded, lang)
    quarantine_section(loaded.ledger, lang)
    reconciliation_section(loaded, lang)
    projects_section(loaded, lang)
