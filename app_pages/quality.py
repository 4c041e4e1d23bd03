"""
Data quality page: quarantine, reconciliation, and which figures each district has.

What the session's files quarantined, how reported figures reconcile with the ledger and the
computed metrics, and which figures each district has, from where, how old.

The cities of the completeness table live in the address (``?city=新乡市,开封市``). Tables are
``st.dataframe`` (text, never HTML); the completeness table downloads as CSV and XLSX with its
documents, dates and seed lines.
"""

from __future__ import annotations

import datetime

import pandas as pd
import streamlit as st

from app_pages._ui import state
from app_pages._ui.common import (
    current_infra,
    current_ledger,
    ledger_reconciliation,
    load_city_names,
    load_display_outlines,
    load_figures,
    session_copy,
    workspace_revision,
)
from app_pages._ui.measured import session_infra_metrics
from app_pages._ui.paged import paged_dataframe
from app_pages._ui.widgets import download
from geo import boundaries, compare, completeness, coverage
from geo.errors import BoundaryCacheError
from layers._html import esc_md
from layers.spreadsheets import csv_bytes, xlsx_bytes
from layers.tables import (
    completeness_detail,
    completeness_matrix,
    missing_names,
    quarantine_by_reason,
    quarantine_rows,
    reconciliation_counts,
    reconciliation_table,
    reported_table,
)
from layers.wording import label


def quarantine_section(lang: str) -> None:
    """What the session's ledger and infrastructure files quarantined."""
    st.header(label("quality_quarantine", lang))
    loaded = current_ledger()
    if loaded is None:
        st.info(label("quality_no_ledger", lang))
    else:
        st.subheader(esc_md(label("quality_ledger_heading", lang).format(name=loaded.name)))
        if loaded.synthetic:
            st.warning(label("synthetic_warning", lang))
        summary = loaded.ledger.summary()
        st.caption(label("quality_counts", lang).format(**summary))
        quarantined(loaded.ledger.quarantine, "ledger", lang)
    infra = current_infra()
    if infra is None:
        st.info(label("quality_no_infra", lang))
    else:
        st.subheader(esc_md(label("quality_infra_heading", lang).format(name=infra.name)))
        if infra.synthetic:
            st.warning(label("synthetic_survey_warning", lang))
        quarantined(infra.infra.quarantine, "infra", lang)


def quarantined(quarantine, key: str, lang: str) -> None:
    """Counts by reason, then every quarantined row as read."""
    if quarantine.empty:
        st.success(label("nothing_quarantined", lang))
        return
    st.dataframe(quarantine_by_reason(quarantine, lang), hide_index=True, width="stretch")
    with st.expander(f"{label('quality_quarantined_rows', lang)} ({len(quarantine)})"):
        paged_dataframe(
            len(quarantine),
            lambda rows: quarantine_rows(quarantine.iloc[rows], lang, kind=key),
            f"quality_{key}_quarantine_page",
            lang,
        )
        download("CSV", f"{key}-quarantine.csv", csv_bytes, quarantine, key=f"{key}-q")


def reconciliation_section(lang: str) -> None:
    """Reported figures against the ledger and the computed metrics."""
    st.header(label("quality_reconciliation", lang))
    st.subheader(label("quality_ledger_reconciliation", lang))
    loaded = current_ledger()
    figures = load_figures()
    table = None if loaded is None else ledger_reconciliation(loaded)
    if table is None or table.empty:
        st.info(label("quality_nothing_to_reconcile", lang))
    else:
        names = dict(zip(figures["metric"], figures[f"label_{lang}"], strict=False))
        counts = reconciliation_counts(table, names, lang)
        st.dataframe(counts, hide_index=True, width="stretch")
        with st.expander(label("quality_reconciliation_rows", lang)):
            paged_dataframe(
                len(table),
                lambda rows: reconciliation_table(table.iloc[rows], names, lang),
                "quality_reconciliation_page",
                lang,
            )
    st.subheader(label("quality_infra_reported", lang))
    try:
        infra = session_infra_metrics()
    except BoundaryCacheError as exc:
        st.error(esc_md(exc))
        return
    if infra is None:
        st.info(label("quality_no_infra_metrics", lang))
        return
    st.caption(label("reported_vs_computed_help", lang))
    reported = coverage.compare_reported(infra[1], figures)
    if reported.empty:
        st.info(label("no_reported_here", lang))
    else:
        st.dataframe(reported_table(reported, figures, lang), hide_index=True, width="stretch")


# Made once per server for each choice of cities, workspace revision (which names the
# account) and day, not on every run: each run unpickled all of China's outlines and walked
# every place's figures family by family. Each session gets its own copy.
@st.cache_resource(max_entries=16, show_spinner=False)
def _shared_completeness(
    cities: tuple[str, ...], revision: tuple, today: datetime.date
) -> pd.DataFrame:
    places = compare.list_places(load_display_outlines().reset_index(), load_figures(), cities)
    return completeness.completeness(load_figures(), places, today=today)


def completeness_section(cities: list[str], lang: str) -> None:
    """Which figures each place has, from where and how old; downloads."""
    st.header(label("quality_completeness", lang))
    today = datetime.date.today()
    st.caption(label("quality_completeness_help", lang).format(today=today.isoformat()))
    if not cities:
        st.info(label("quality_pick_city", lang))
        return
    table = session_copy(_shared_completeness(tuple(cities), workspace_revision(), today))
    missing = completeness.without_figures(table)
    if missing.empty:
        st.success(label("quality_all_have", lang))
    else:
        names = missing_names(missing, lang)
        st.warning(esc_md(label("quality_no_figures", lang).format(n=len(missing), names=names)))
    shown = completeness_matrix(table, lang)
    st.dataframe(shown, hide_index=True, width="stretch", height=min(35 * len(shown) + 38, 600))
    with st.expander(label("quality_detail", lang)):
        st.dataframe(completeness_detail(table, lang), hide_index=True, width="stretch")
    left, right = st.columns(2)
    # Each file written when its button is clicked, not on every run.
    download(
        label("download_completeness_csv", lang),
        "completeness.csv",
        csv_bytes,
        table,
        where=left,
        key="completeness-csv",
    )
    download(
        label("download_completeness_xlsx", lang),
        "completeness.xlsx",
        lambda: xlsx_bytes({"completeness": table, "by_place": completeness.by_place(table)}),
        where=right,
        key="completeness-xlsx",
    )


def choose_cities(lang: str) -> list[str]:
    """The cities of the completeness table, from the sidebar and the address."""
    city_names = load_city_names()
    # As on the map, no city chosen means the five seed cities.
    dropped = state.seed("city", options=city_names, default=[], multi=True)
    cities = st.sidebar.multiselect(
        label("cities_or_seeds", lang),
        city_names,
        key="city",
        placeholder=label("pick_placeholder", lang),
    )
    state.publish(["city"], defaults={"city": []})
    if dropped:
        st.warning(esc_md(label("compare_dropped", lang).format(values="、".join(dropped))))
    return cities or list(boundaries.SEED_CITIES)


def render(lang: str) -> None:
    """The data quality page: quarantine, reconciliation, completeness by place."""
    st.title(label("quality_title", lang))
    st.caption(label("quality_help", lang))
    cities = choose_cities(lang)
    quarantine_section(lang)
    reconciliation_section(lang)
    completeness_section(cities, lang)
