"""
Ledger page: upload a 台账, declare its datum, see the quarantine and the reconciliation.

The ledger stays in this browser session (``st.session_state``); nothing is written to disk.
Tables are shown with ``st.dataframe``, which renders values as text, never as HTML.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages.common import (
    LEDGER_KEY,
    LoadedLedger,
    current_lang,
    current_ledger,
    datum_select,
    load_figures,
)
from app_pages.datasets import open_form, save_form, source_caption
from geo import reconcile, records
from geo._data import EXAMPLES_DIR
from geo.errors import InputError
from layers.export import geopackage_bytes
from layers.labels import error_text, label, sheet_text
from layers.tables import csv_bytes, quarantine_by_reason, xlsx_bytes

EXAMPLE_FILE = EXAMPLES_DIR / "synthetic-ledger-xinxiang.csv"


def read(data: bytes, name: str, datum: str | None, sheet: str | None, lang: str) -> None:
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
        st.error(f"{label('unreadable', lang)}: {error_text(exc, lang)}")
        return
    table = reconcile.reconcile(ledger.projects, load_figures())
    st.session_state[LEDGER_KEY] = LoadedLedger(ledger, name, table, data=data, datum=datum)
    bar.empty()


def downloads(frame: pd.DataFrame, stem: str, key: str, lang: str) -> None:
    left, right = st.columns(2)
    left.download_button("CSV", csv_bytes(frame), f"{stem}.csv", "text/csv", key=f"{key}-csv")
    right.download_button(
        "XLSX",
        xlsx_bytes({stem: frame}),
        f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}-xlsx",
    )


lang = current_lang()
st.title(label("page_ledger_title", lang))
st.caption(label("ledger_help", lang))

upload = st.file_uploader(label("upload", lang), type=["csv", "xlsx"], key="upload")
datum = datum_select(lang)
sheet = st.text_input(label("sheet", lang), "") or None
left, right = st.columns(2)
if left.button(label("read_ledger", lang), type="primary", disabled=upload is None):
    read(upload.getvalue(), upload.name, datum, sheet, lang)
if right.button(label("load_example", lang)):
    read(EXAMPLE_FILE.read_bytes(), EXAMPLE_FILE.name, None, None, lang)
with st.expander(label("workspace_saved_datasets", lang)):
    open_form("ledger", lang)

loaded = current_ledger()
if loaded is None:
    st.info(label("no_ledger", lang))
    st.stop()

ledger = loaded.ledger
if loaded.synthetic:
    st.warning(label("synthetic_warning", lang))
summary = ledger.summary()
columns = st.columns(4)
columns[0].metric(label("rows", lang), summary["rows"])
columns[1].metric(label("clean", lang), summary["clean"])
columns[2].metric(label("quarantined", lang), summary["quarantined"])
columns[3].metric(label("drawn", lang), int((ledger.projects["located"] == "point").sum()))
st.caption(f"{loaded.name} · {ledger.encoding or sheet_text(ledger.sheet, ledger.sheets, lang)}")
source_caption(loaded, lang)
save_form("ledger", loaded, lang)

st.subheader(label("quarantine", lang))
if ledger.quarantine.empty:
    st.success(label("nothing_quarantined", lang))
else:
    st.dataframe(quarantine_by_reason(ledger.quarantine, lang), hide_index=True, width="stretch")
    st.dataframe(ledger.quarantine, hide_index=True, width="stretch")
    downloads(ledger.quarantine, "quarantine", "quarantine", lang)

st.subheader(label("reconciliation", lang))
st.caption(label("reconciliation_help", lang))
if loaded.reconciliation.empty:
    st.info(label("nothing_to_reconcile", lang))
else:
    st.dataframe(loaded.reconciliation, hide_index=True, width="stretch")
    downloads(loaded.reconciliation, "reconciliation", "reconciliation", lang)

st.subheader(label("clean_projects", lang))
st.dataframe(ledger.projects.drop(columns="geometry"), hide_index=True, width="stretch")
st.download_button(
    label("download_gpkg", lang),
    geopackage_bytes(
        {
            "projects": ledger.projects,
            "quarantine": ledger.quarantine,
            "reconciliation": loaded.reconciliation,
        }
    ),
    "ledger.gpkg",
    "application/geopackage+sqlite3",
)
