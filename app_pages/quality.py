"""
Data quality page: what the session's files quarantined, how reported figures reconcile with
the ledger and the computed metrics, and which figures each district has, from where, how old.

The cities of the completeness table live in the address (``?city=新乡市,开封市``). Tables are
``st.dataframe`` (text, never HTML); the completeness table downloads as CSV and XLSX with its
documents, dates and seed lines.
"""

from __future__ import annotations

import datetime

import pandas as pd
import streamlit as st

from app_pages import state
from app_pages.common import (
    current_infra,
    current_lang,
    current_ledger,
    load_city_names,
    load_display_outlines,
    load_figures,
    session_infra_metrics,
)
from geo import boundaries, compare, completeness, metrics, reconcile
from geo.errors import BoundaryCacheError
from layers.labels import format_value, label
from layers.tables import csv_bytes, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def by_reason(quarantine: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Quarantine counts by reason, with the first row's messages in both languages."""
    table = completeness.quarantine_by_reason(quarantine)
    return table.rename(
        columns={
            "reason": label("col_reason", lang),
            "rows": label("col_rows", lang),
            "first_row": label("col_first_row", lang),
            "message_zh": label("col_message_zh", lang),
            "message_en": label("col_message_en", lang),
        }
    )


def quarantine_section(lang: str) -> None:
    st.header(label("quality_quarantine", lang))
    loaded = current_ledger()
    if loaded is None:
        st.info(label("quality_no_ledger", lang))
    else:
        st.subheader(label("quality_ledger_heading", lang).format(name=loaded.name))
        if loaded.synthetic:
            st.warning(label("synthetic_warning", lang))
        summary = loaded.ledger.summary()
        st.caption(label("quality_counts", lang).format(**summary))
        quarantined(loaded.ledger.quarantine, "ledger", lang)
    infra = current_infra()
    if infra is None:
        st.info(label("quality_no_infra", lang))
    else:
        st.subheader(label("quality_infra_heading", lang).format(name=infra.name))
        if infra.synthetic:
            st.warning(label("synthetic_survey_warning", lang))
        quarantined(infra.infra.quarantine, "infra", lang)


def quarantined(quarantine: pd.DataFrame, key: str, lang: str) -> None:
    """Counts by reason, then every quarantined row as read."""
    if quarantine.empty:
        st.success(label("nothing_quarantined", lang))
        return
    st.dataframe(by_reason(quarantine, lang), hide_index=True, width="stretch")
    with st.expander(f"{label('quality_quarantined_rows', lang)} ({len(quarantine)})"):
        named = {
            "row": label("ledger_row", lang),
            "reason": label("col_reason", lang),
            "column": label("col_column", lang),
            "message_zh": label("col_message_zh", lang),
            "message_en": label("col_message_en", lang),
        }
        st.dataframe(quarantine.rename(columns=named), hide_index=True, width="stretch")
        st.download_button(
            "CSV", csv_bytes(quarantine), f"{key}-quarantine.csv", "text/csv", key=f"{key}-q"
        )


def reconciliation_section(lang: str) -> None:
    st.header(label("quality_reconciliation", lang))
    st.subheader(label("quality_ledger_reconciliation", lang))
    loaded = current_ledger()
    if loaded is None or loaded.reconciliation.empty:
        st.info(label("quality_nothing_to_reconcile", lang))
    else:
        counts = completeness.reconciliation_by_result(loaded.reconciliation, reconcile.RESULTS)
        counts.insert(1, "meaning", [label(f"result_{r}", lang) for r in counts["result"]])
        counts = counts.rename(
            columns={
                "result": label("col_result", lang),
                "meaning": label("col_meaning", lang),
                "rows": label("col_rows", lang),
                **metric_names(lang),
            }
        )
        st.dataframe(counts, hide_index=True, width="stretch")
        with st.expander(label("quality_reconciliation_rows", lang)):
            st.dataframe(loaded.reconciliation, hide_index=True, width="stretch")
    st.subheader(label("quality_infra_reported", lang))
    try:
        infra = session_infra_metrics()
    except BoundaryCacheError as exc:
        st.error(str(exc))
        return
    if infra is None:
        st.info(label("quality_no_infra_metrics", lang))
        return
    st.caption(label("reported_vs_computed_help", lang))
    table = metrics.compare_reported(infra[1], load_figures())
    if not table.empty:
        documents = load_figures().drop_duplicates("doc_id").set_index("doc_id")["doc_number"]
        table = table.assign(
            metric=table["metric"].map(metric_names(lang)),
            computed=[
                "" if pd.isna(v) else format_value(v, u, lang)
                for v, u in zip(table["computed"], units(table["metric"]), strict=True)
            ],
            doc_id=table["doc_id"].map(documents).fillna(table["doc_id"]),
            computed_status=[
                label("status_ok", lang) if s == "ok" else label(f"reason_{s}", lang)
                for s in table["computed_status"]
            ],
        ).rename(columns=reported_columns(lang))
    st.dataframe(table, hide_index=True, width="stretch")


def units(metric_keys: pd.Series) -> list[str]:
    """The canonical unit of each figure metric."""
    figures = load_figures()
    unit = dict(zip(figures["metric"], figures["unit"], strict=False))
    return [unit.get(m, "count") for m in metric_keys]


def metric_names(lang: str) -> dict[str, str]:
    """Figure metric → its name in ``lang``, from data/metrics.csv."""
    figures = load_figures()
    return dict(zip(figures["metric"], figures[f"label_{lang}"], strict=False))


def reported_columns(lang: str) -> dict[str, str]:
    """Column names of :func:`geo.metrics.compare_reported` in ``lang``."""
    return {
        "city": label("compare_city", lang),
        "metric": label("compare_metric", lang),
        "reported": label("col_reported", lang),
        "as_written": label("as_written", lang),
        "period": label("period", lang),
        "computed": label("col_computed", lang),
        "computed_status": label("compare_data_status", lang),
        "doc_id": label("col_documents", lang),
        "seed_line": label("col_seed_line", lang),
    }


def family_cell(row, lang: str) -> str:
    """``✓ 4 项（2023年）`` or ``无``: one cell of the district × family matrix."""
    if not row["has_figure"]:
        return label("cell_none", lang)
    text = label("cell_figures", lang).format(n=row["n_figures"])
    if not row["periods"]:
        return text
    return f"{text}（{row['periods']}）" if lang == "zh" else f"{text} ({row['periods']})"


def matrix(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Places as rows, families as columns, then the place's documents and their age."""
    cells = table.assign(cell=[family_cell(r, lang) for _, r in table.iterrows()])
    wide = cells.pivot(index="adcode", columns="family", values="cell")
    families = list(dict.fromkeys(table["family"]))
    places = completeness.by_place(table).set_index("adcode")
    out = pd.DataFrame(
        {
            label("compare_city", lang): places["city"],
            label("compare_place", lang): places["place"],
            label("col_level", lang): [label(f"level_{v}", lang) for v in places["level"]],
            label("col_has_any", lang): [
                label("yes" if v else "no", lang) for v in places["has_any_figure"]
            ],
        }
    )
    for family in families:
        out[label(f"family_{family}", lang)] = wide.loc[places.index, family]
    out[label("col_documents", lang)] = places["documents"]
    out[label("col_issuers", lang)] = places["issuers"]
    out[label("col_latest_doc_date", lang)] = places["latest_doc_date"].fillna("")
    out[label("col_doc_age", lang)] = places["doc_age_years"]
    out[label("col_latest_period_end", lang)] = places["latest_period_end"]
    out[label("col_period_age", lang)] = places["period_age_years"]
    return out.reset_index(drop=True)


def detail(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The long table (place × family) with its provenance, column names in the UI language."""
    shown = table[table["has_figure"]]
    return pd.DataFrame(
        {
            label("compare_city", lang): shown["city"],
            label("compare_place", lang): shown["place"],
            label("col_family", lang): [label(f"family_{f}", lang) for f in shown["family"]],
            label("col_figures", lang): shown["n_figures"],
            label("col_metrics", lang): shown["metrics"],
            label("col_periods", lang): shown["periods"],
            label("col_documents", lang): shown["documents"],
            label("col_issuers", lang): shown["issuers"],
            label("col_latest_doc_date", lang): shown["latest_doc_date"].fillna(
                label("undated_doc", lang)
            ),
            label("col_doc_age", lang): shown["doc_age_years"],
            label("col_latest_period_end", lang): shown["latest_period_end"],
            label("col_period_age", lang): shown["period_age_years"],
            label("col_seed_lines", lang): shown["seed_lines"],
        }
    )


def missing_names(missing: pd.DataFrame, lang: str) -> str:
    """``新乡市：新乡县、获嘉县；开封市：全市、龙亭区``: the places without figures, by city."""
    named = missing.assign(
        name=missing["place"].where(missing["level"] != "city", label("level_city", lang))
    )
    sep = ("：", "、", "；") if lang == "zh" else (": ", ", ", "; ")
    return sep[2].join(
        f"{city}{sep[0]}{sep[1].join(rows['name'])}"
        for city, rows in named.groupby("city", sort=False)
    )


def completeness_section(cities: list[str], lang: str) -> None:
    st.header(label("quality_completeness", lang))
    today = datetime.date.today()
    st.caption(label("quality_completeness_help", lang).format(today=today.isoformat()))
    if not cities:
        st.info(label("quality_pick_city", lang))
        return
    places = compare.list_places(load_display_outlines().reset_index(), load_figures(), cities)
    table = completeness.completeness(load_figures(), places, today=today)
    missing = completeness.without_figures(table)
    if missing.empty:
        st.success(label("quality_all_have", lang))
    else:
        st.warning(
            label("quality_no_figures", lang).format(
                n=len(missing), names=missing_names(missing, lang)
            )
        )
    shown = matrix(table, lang)
    st.dataframe(shown, hide_index=True, width="stretch", height=min(35 * len(shown) + 38, 600))
    with st.expander(label("quality_detail", lang)):
        st.dataframe(detail(table, lang), hide_index=True, width="stretch")
    left, right = st.columns(2)
    left.download_button(
        label("download_completeness_csv", lang),
        csv_bytes(table),
        "completeness.csv",
        "text/csv",
        key="completeness-csv",
    )
    right.download_button(
        label("download_completeness_xlsx", lang),
        xlsx_bytes({"completeness": table, "by_place": completeness.by_place(table)}),
        "completeness.xlsx",
        XLSX,
        key="completeness-xlsx",
    )


lang = current_lang()
st.title(label("quality_title", lang))
st.caption(label("quality_help", lang))
city_names = load_city_names()
# As on the map, no city chosen means the five seed cities.
dropped = state.seed("city", options=city_names, default=[], multi=True)
cities = st.sidebar.multiselect(
    label("cities_or_seeds", lang),
    city_names,
    key="city",
    placeholder=label("pick_placeholder", lang),
)
cities = cities or list(boundaries.SEED_CITIES)
state.publish(["city"], defaults={"city": []})
if dropped:
    st.warning(label("compare_dropped", lang).format(values="、".join(dropped)))

quarantine_section(lang)
reconciliation_section(lang)
completeness_section(cities, lang)
