"""
Progress page (进度): a saved plan against the ledger in view, as of a day.

The map colours districts by start or completion rate (无计划 and 未报送 named in the legend,
never 0 %), the table and the late list follow, then the quarterly ranking, the months from
the saved versions of the ledger, and the monthly report to download. A plan is saved here
from the reported figures or the plan template. The plan version, the day, the rate and the
chart's place (``?chart=``) live in the address
(``/progress?plan=xinxiang-2023@1&as_of=2023-06-30``),
beside the sidebar's ``?ledger=``; ``ledger_versions`` records which versions the ledger in
view read, and a link opened after they changed says so. Computing is :mod:`geo.progress`'s
(:func:`geo.progress.overview`), wording :mod:`layers.progress`'s, as for ``atlas progress``.
"""

from __future__ import annotations

import datetime

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app_pages._ui import state
from app_pages._ui.common import (
    LEDGER_REF,
    current_account,
    current_ledger,
    load_display_outlines,
    load_figures,
    workspace,
    workspace_revision,
)
from geo import dates, plans
from geo.errors import InputError
from geo.progress import RATES, overview
from layers._html import esc_md
from layers.maps import progress_layers
from layers.progress import (
    deadline_texts,
    late_table,
    monthly_table,
    progress_chart,
    progress_table,
    quarter_text,
    ranking_table,
    rate_text,
    report_sheets,
    uncounted_table,
)
from layers.spreadsheets import xlsx_bytes
from layers.tables import quarantine_rows
from layers.wording import error_text, label
from store import StoreError
from store.loaded import ledger_reports, open_plan

KEYS = ["plan", "as_of", "rate", "chart", "ledger_versions"]


# --- saving a plan ------------------------------------------------------------------------------


def _save(plan: plans.Plan, name: str, lang: str, **file) -> None:
    try:
        info = workspace().save_plan(plan, name=name.strip(), user=current_account(), **file)
    except (StoreError, ValueError) as exc:
        st.error(esc_md(error_text(exc, lang)))
        return
    st.session_state["plan"] = info.ref
    st.session_state["progress_flash"] = label("progress_saved", lang).format(
        ref=esc_md(info.ref), n=info.clean
    )
    st.rerun()


def plan_forms(lang: str) -> None:
    """Save a plan from the reported figures (status plan) or from a filled-in template."""
    figures_tab, template_tab = st.tabs(
        [label("progress_from_figures", lang), label("progress_from_template", lang)]
    )
    with figures_tab:
        figures = load_figures()
        planned = figures[(figures["status"] == "plan") & figures["period_start"].notna()]
        cities = sorted(set(planned["city"]))
        left, right = st.columns(2)
        city = left.selectbox(label("progress_city", lang), cities, key="plan-city")
        years = sorted({int(y) for y in planned.loc[planned["city"] == city, "period_start"]})
        year = right.selectbox(label("progress_year", lang), years, key="plan-year")
        first = datetime.date(year or dates.today().year, 1, 1)
        start_by = left.date_input(label("progress_start_by", lang), first.replace(month=3, day=31))
        finish_by = right.date_input(
            label("progress_finish_by", lang), first.replace(month=10, day=31)
        )
        report_day = left.number_input(label("progress_report_day", lang), 0, 28, 0)
        source = right.text_input(label("progress_deadline_source", lang), key="plan-source")
        checks_text = st.text_input(
            label("progress_checks", lang), f"{year}-06-30, {year}-11-30", key="plan-checks"
        )
        name = st.text_input(
            label("progress_dataset", lang), f"{city}-{year}-plan", key="plan-name"
        )
        if city and year and st.button(label("progress_save", lang), key="plan-save-figures"):
            checks = check_days(checks_text, lang)
            if checks is None:
                return
            try:
                plan = plans.plan_from_figures(
                    figures, city=city, year=year, start_by=start_by, finish_by=finish_by,
                    checks=checks, report_day=report_day or None, source=source,
                )  # fmt: skip
            except InputError as exc:
                st.error(esc_md(error_text(exc, lang)))
                return
            _save(plan, name, lang)
    with template_tab:
        st.download_button(
            label("progress_template_download", lang), plans.template_bytes(), "plan-template.xlsx"
        )
        upload = st.file_uploader(
            label("progress_template_upload", lang), type=["xlsx", "csv"], key="plan-upload"
        )
        if upload is None:
            return
        data = upload.getvalue()
        try:
            plan = plans.read_plan(data, name=upload.name)
        except InputError as exc:
            st.error(esc_md(error_text(exc, lang)))
            return
        summary = plan.summary()
        st.caption(label("progress_plan_read", lang).format(**summary))
        if len(plan.quarantine):
            st.dataframe(
                quarantine_rows(plan.quarantine, lang, kind="plan"),
                hide_index=True,
                width="stretch",
            )
        name = st.text_input(
            label("progress_dataset", lang), upload.name.split(".")[0], key="plan-name-t"
        )
        if st.button(label("progress_save", lang), key="plan-save-template"):
            _save(plan, name, lang, data=data, file_name=upload.name)


def check_days(text: str, lang: str) -> tuple[datetime.date, ...] | None:
    """The self-check days typed (``2023-06-30, 2023-11-30``); None, said, when one is no day."""
    try:
        return dates.parse_days(text)
    except ValueError:
        st.error(label("progress_checks_bad", lang).format(value=esc_md(text)))
        return None


# --- what is compared -----------------------------------------------------------------------------


@st.cache_data(max_entries=8, show_spinner=False)
def _plan(ref: str, revision: tuple):
    return open_plan(workspace(), ref, user=current_account())


@st.cache_data(max_entries=4, show_spinner=False)
def _reports(ref: str, revision: tuple):
    return ledger_reports(workspace(), ref, user=current_account())


def choose_plan(lang: str) -> str | None:
    """The plan version in view (``?plan=``), or None when the workspace holds none."""
    found = [d for d in workspace().list_datasets(user=current_account()) if d["kind"] == "plan"]
    refs = [f"{d['name']}@{v}" for d in found for v in range(d["latest"], 0, -1)]
    with st.expander(label("progress_new_plan", lang), expanded=not refs):
        plan_forms(lang)
    if not refs:
        st.info(label("progress_no_plans", lang))
        return None
    dropped = state.seed("plan", options=refs, default=refs[0])
    state.warn_dropped("plan", dropped, lang, refs)
    return st.selectbox(label("progress_plan", lang), refs, key="plan")


def choose_view(plan: plans.Plan, lang: str) -> tuple[datetime.date, str]:
    """The day (``?as_of=``, default the plan year's end or today) and the rate coloured."""
    default = min(dates.today(), datetime.date(plan.year, 12, 31)).isoformat()
    state.warn_dropped("as_of", state.seed("as_of", default=default, cast=_day_text), lang)
    state.seed("rate", options=list(RATES), default=RATES[0])
    left, right = st.columns(2)
    picked = left.date_input(
        label("progress_as_of", lang), dates.parse_day(st.session_state["as_of"]), key="as_of_pick"
    )
    st.session_state["as_of"] = picked.isoformat()
    rate = right.radio(
        label("progress_colour", lang), list(RATES), key="rate", horizontal=True,
        format_func=lambda r: label(f"rate_{r}", lang),
    )  # fmt: skip
    return picked, rate


def _day_text(text: str) -> str:
    return dates.parse_day(text).isoformat()


# --- the page ---------------------------------------------------------------------------------


def headline(found, lang: str) -> None:
    """The city's figures: planned, started and finished, the two rates."""
    city = found.progress.table.iloc[0]
    columns = st.columns(4)
    columns[0].metric(label("progress_col_planned", lang), rate_or_count(city["planned"]))
    columns[1].metric(label("progress_col_started", lang), rate_or_count(city["started"]))
    columns[2].metric(label("rate_start_rate", lang), rate_text(city["start_rate"], "ok", lang))
    columns[3].metric(label("rate_finish_rate", lang), rate_text(city["finish_rate"], "ok", lang))
    for note in found.progress.notes:
        st.warning(label(f"progress_note_{note['code']}", lang))


def on_outlines(table: pd.DataFrame) -> gpd.GeoDataFrame:
    """The districts' rows on their display outlines (a zone has none: left to the table)."""
    outlines = load_display_outlines().reindex(table["adcode"])
    rows = table.reset_index(drop=True)
    return gpd.GeoDataFrame(rows, geometry=outlines.geometry.to_numpy(), crs="EPSG:4326")


def rate_or_count(value) -> str:
    """A rate or count as a whole number with thousands separators; a dash when missing."""
    return "—" if pd.isna(value) else f"{round(float(value)):,}"


def months_view(found, lang: str, saved: bool) -> None:
    """The months read from the ledger's saved versions."""
    st.subheader(label("progress_monthly_title", lang))
    if not saved or found.months.empty:
        st.info(label("progress_monthly_none", lang))
        return
    st.caption(label("progress_monthly_help", lang))
    places = found.progress.table[["adcode", "place", "level"]]
    codes = places["adcode"].tolist()
    names = dict(zip(places["adcode"], places["place"], strict=True))
    state.seed("chart", options=codes, default=codes[0])
    chosen = st.selectbox(
        label("progress_chart_place", lang), codes, key="chart", format_func=lambda a: names[a]
    )
    st.altair_chart(progress_chart(found.months, chosen, lang), width="stretch")
    st.dataframe(monthly_table(found.months, lang), hide_index=True, width="stretch")


def render(lang: str) -> None:
    """The progress page in ``lang``."""
    st.title(label("progress_title", lang))
    st.caption(label("progress_help", lang))
    if "progress_flash" in st.session_state:
        st.success(st.session_state.pop("progress_flash"))
    try:
        ref = choose_plan(lang)
    except StoreError as exc:
        st.error(esc_md(f"{label('workspace_unavailable', lang)} {error_text(exc, lang)}"))
        return
    loaded = current_ledger()
    if ref is None or loaded is None:
        if ref is not None:
            st.info(label("progress_no_ledger", lang))
        return
    plan, info = _plan(ref, workspace_revision())
    as_of, rate = choose_view(plan, lang)
    saved = bool(loaded.sources)
    covers = {a for s in loaded.sources for a in s.covers} if saved else None
    ledger_ref = st.session_state.get(LEDGER_REF) or ""
    reports = _reports(ledger_ref, workspace_revision()) if saved else []
    found = overview(plan, loaded.ledger.projects, as_of=as_of, covers=covers, reports=reports)
    read = [s.ref for s in loaded.sources] or [label("progress_unsaved_ledger", lang)]
    versions_caption(info.ref, read, lang)
    st.caption(label("progress_deadlines", lang).format(**deadline_texts(plan, lang)))
    headline(found, lang)
    districts = on_outlines(found.progress.table.iloc[1:])
    layers = progress_layers(districts, rate=rate, lang=lang)
    st_folium(
        layers.base, feature_group_to_add=layers.groups, layer_control=layers.control,
        height=480, width="stretch", returned_objects=[], key="progress-map",
    )  # fmt: skip
    st.dataframe(progress_table(found.progress, lang), hide_index=True, width="stretch")
    st.subheader(label("progress_late_title", lang))
    if found.progress.late.empty:
        st.success(label("progress_late_none", lang))
    else:
        st.dataframe(late_table(found.progress.late, lang), hide_index=True, width="stretch")
    rankings(found, lang)
    months_view(found, lang, saved)
    with st.expander(label("progress_uncounted_title", lang)):
        shown = uncounted_table(found.progress.uncounted, loaded.ledger.quarantine, lang)
        st.dataframe(shown, hide_index=True, width="stretch")
    sheets = report_sheets(
        found, plan_ref=info.ref, ledger_refs=read, quarantine=loaded.ledger.quarantine, lang=lang
    )
    name = f"{label('report_file', lang)}-{plan.city}-{as_of.isoformat()}.xlsx"
    st.download_button(label("progress_download", lang), xlsx_bytes(sheets), name, key="report")
    st.session_state["ledger_versions"] = ",".join(s.ref for s in loaded.sources)
    state.publish(KEYS, defaults={"rate": RATES[0]})


def versions_caption(plan_ref: str, read: list[str], lang: str) -> None:
    """Which versions are compared; a link made when the ledger read others says so."""
    sep = "、"
    shown = sep.join(esc_md(r) for r in read)
    st.caption(label("progress_versions", lang).format(plan=esc_md(plan_ref), ledgers=shown))
    # The versions in a link are the link's text, hostile as any: shown inert.
    then = state.url_list("ledger_versions")
    if then and "ledger_versions" not in st.session_state and sorted(then) != sorted(read):
        st.warning(
            label("progress_link_changed", lang).format(
                then=sep.join(esc_md(t) for t in then), now=shown
            )
        )


def rankings(found, lang: str) -> None:
    """The quarterly ranking of districts."""
    if found.quarter_end is None:
        st.caption(label("progress_rank_none", lang))
        return
    title = label("progress_rank_title", lang).format(
        quarter=quarter_text(found.quarter_end, lang), day=found.quarter_end.isoformat()
    )
    st.subheader(title)
    columns = st.columns(len(RATES))
    for column, rate in zip(columns, RATES, strict=True):
        column.markdown(f"**{label(f'rate_{rate}', lang)}**")
        column.dataframe(ranking_table(found.rankings[rate], lang), hide_index=True)
