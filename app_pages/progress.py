"""
Progress page (进度): a saved plan against the ledger in view, as of a day.

The map colours districts by start or completion rate (无计划 and 未报送 named in the legend,
never 0 %), the table and the late list follow, then the quarterly ranking, the months from
the saved versions of the ledger, and the monthly report, made when its button is clicked.
A plan is saved here (:mod:`app_pages._ui.plan_forms`) from the reported figures or the
plan template. The plan version, the day, the rate and the chart's place (``?chart=``) live
in the address (``/progress?plan=xinxiang-2023@1&as_of=2023-06-30``), beside ``?ledger=``;
``ledger_versions`` records which versions the ledger in view read, and a link opened after
they changed says so. Computing is :func:`geo.progress.overview`'s, wording and the report
:mod:`layers.progress`'s, as for ``atlas progress``.
"""

from __future__ import annotations

import datetime
import functools

import streamlit as st

from app_pages._ui import state
from app_pages._ui.common import (
    LEDGER_REF,
    current_account,
    current_ledger,
    load_display_outlines,
    workspace,
    workspace_revision,
)
from app_pages._ui.plan_forms import plan_forms
from app_pages._ui.widgets import coverage_view, download, say
from geo import dates, plans
from geo.progress import RATES, Overview, overview
from layers._html import esc_md
from layers.maps import progress_layers
from layers.progress import (
    as_of_default,
    chart_places,
    deadline_texts,
    headline,
    late_note,
    late_table,
    link_changed_text,
    monthly_table,
    months_note,
    on_outlines,
    plan_refs,
    progress_chart,
    progress_table,
    ranking_table,
    ranking_title,
    read_refs,
    report_file,
    report_file_name,
    uncounted_table,
    versions_text,
)
from layers.wording import error_text, label
from store import StoreError
from store.loaded import ledger_reports, open_plan

KEYS = ["plan", "as_of", "rate", "chart", "ledger_versions"]


# --- what is compared -----------------------------------------------------------------------------


@st.cache_data(max_entries=8, show_spinner=False)
def _plan(ref: str, revision: tuple):
    return open_plan(workspace(), ref, user=current_account())


@st.cache_data(max_entries=4, show_spinner=False)
def _reports(ref: str, revision: tuple):
    return ledger_reports(workspace(), ref, user=current_account())


def choose_plan(lang: str) -> str | None:
    """The plan version in view (``?plan=``), or None when the workspace holds none."""
    refs = plan_refs(workspace().list_datasets(user=current_account()))
    with st.expander(label("progress_new_plan", lang), expanded=not refs):
        plan_forms(lang)
    if not refs:
        st.info(label("progress_no_plans", lang))
        return None
    state.warn_dropped("plan", state.seed("plan", options=refs, default=refs[0]), lang, refs)
    return st.selectbox(label("progress_plan", lang), refs, key="plan")


def choose_view(plan: plans.Plan, lang: str) -> tuple[datetime.date, str]:
    """The day (``?as_of=``, default the plan year's end or today) and the rate coloured."""
    default = as_of_default(plan, dates.today()).isoformat()
    as_day = lambda text: dates.parse_day(text).isoformat()  # noqa: E731
    state.warn_dropped("as_of", state.seed("as_of", default=default, cast=as_day), lang)
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


# --- the page ---------------------------------------------------------------------------------


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
    read = read_refs([s.ref for s in loaded.sources], lang)
    st.caption(versions_text(info.ref, read, lang))
    changed = link_changed_text(state.url_list("ledger_versions"), read, lang)
    if changed and "ledger_versions" not in st.session_state:
        st.warning(changed)
    st.caption(label("progress_deadlines", lang).format(**deadline_texts(plan, lang)))
    figures = headline(found.progress.table, lang)
    for column, (what, value) in zip(st.columns(len(figures)), figures, strict=True):
        column.metric(what, value)
    for note in found.progress.notes:
        st.warning(label(f"progress_note_{note['code']}", lang))
    shown = on_outlines(found.progress.table, load_display_outlines())
    layers = progress_layers(shown, rate=rate, lang=lang)
    coverage_view(layers, "progress-map", height=480)
    st.dataframe(progress_table(found.progress, lang), hide_index=True, width="stretch")
    st.subheader(label("progress_late_title", lang))
    if note := late_note(found.progress, lang):
        say([note])
    else:
        st.dataframe(late_table(found.progress.late, lang), hide_index=True, width="stretch")
    rankings(found, lang)
    months_view(found, lang, saved)
    with st.expander(label("progress_uncounted_title", lang)):
        shown = uncounted_table(found.progress.uncounted, loaded.ledger.quarantine, lang)
        st.dataframe(shown, hide_index=True, width="stretch")
    # Made on click, not on every rerun: the report of many districts takes a while.
    make = functools.partial(
        report_file, found, plan_ref=info.ref, ledger_refs=read,
        quarantine=loaded.ledger.quarantine, lang=lang,
    )  # fmt: skip
    download(
        label("progress_download", lang), report_file_name(plan.city, as_of, lang), make,
        key="report", help=label("progress_download_help", lang),
    )  # fmt: skip
    st.session_state["ledger_versions"] = ",".join(s.ref for s in loaded.sources)
    state.publish(KEYS, defaults={"rate": RATES[0]})


def rankings(found: Overview, lang: str) -> None:
    """The quarterly ranking of districts."""
    if found.quarter_end is None:
        st.caption(label("progress_rank_none", lang))
        return
    st.subheader(ranking_title(found.quarter_end, lang))
    # One under the other, the page's width each: a shared rank reads in full
    # (并列第 1 名（2 个并列，共 3）), which half the page cut short.
    for rate in RATES:
        st.markdown(f"**{label(f'rate_{rate}', lang)}**")
        st.dataframe(ranking_table(found.rankings[rate], lang), hide_index=True, width="stretch")


def months_view(found: Overview, lang: str, saved: bool) -> None:
    """The months read from the ledger's saved versions: the chart of one place, the table."""
    st.subheader(label("progress_monthly_title", lang))
    if note := months_note(found.months, saved, lang):
        st.info(note)
        return
    st.caption(label("progress_monthly_help", lang))
    names = chart_places(found.progress.table)
    codes = list(names)
    state.seed("chart", options=codes, default=codes[0])
    chosen = st.selectbox(
        label("progress_chart_place", lang), codes, key="chart", format_func=names.get
    )
    st.altair_chart(progress_chart(found.months, chosen, lang), width="stretch")
    st.dataframe(monthly_table(found.months, lang), hide_index=True, width="stretch")
