"""
The forms that save an annual plan: from the reported figures, or from the plan template.

Only what can make a plan is offered (:func:`geo.plans.plannable`: a city, a year, one
document), the rest said with its reason; a filled-in template shows its refused rows before
it is saved. Saving is :meth:`store.Workspace.save_plan`; the plan saved becomes the one in
view (``?plan=``) on the progress page.
"""

from __future__ import annotations

import datetime

import streamlit as st

from app_pages._ui import state
from app_pages._ui.common import current_account, load_figures, workspace
from app_pages._ui.widgets import NO_RERUN
from geo import dates, plans
from geo.errors import InputError
from layers._html import esc_md
from layers.progress import plan_options
from layers.tables import quarantine_rows
from layers.wording import error_text, label
from store import StoreError


def plan_forms(lang: str) -> None:
    """The two ways in, one tab each."""
    figures_tab, template_tab = st.tabs(
        [label("progress_from_figures", lang), label("progress_from_template", lang)]
    )
    with figures_tab:
        figures_form(lang)
    with template_tab:
        template_form(lang)


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


def figures_form(lang: str) -> None:
    """A plan from reported figures: only what can make one is offered, the rest said why."""
    figures = load_figures()
    options, refused = plan_options(plans.plannable(figures), lang)
    if refused:
        st.caption(" ".join([label("progress_unplannable_title", lang), *map(esc_md, refused)]))
    if not options:
        st.info(label("progress_no_plannable", lang))
        return
    state.keep(["plan-of"])  # worded choices: carried over the language switch
    key = st.selectbox(
        label("progress_plan_source", lang), list(options), format_func=options.get, key="plan-of"
    )
    city, year, document = key.split("|")
    left, right = st.columns(2)
    first = datetime.date(int(year), 1, 1)
    start_by = left.date_input(label("progress_start_by", lang), first.replace(month=3, day=31))
    finish_by = right.date_input(label("progress_finish_by", lang), first.replace(month=10, day=31))
    report_day = left.number_input(label("progress_report_day", lang), 0, 28, 0)
    source = right.text_input(label("progress_deadline_source", lang), key="plan-source")
    checks = st.text_input(
        label("progress_checks", lang), f"{year}-06-30, {year}-11-30", key="plan-checks"
    )
    name = st.text_input(
        label("progress_dataset", lang),
        label("progress_dataset_default", lang).format(city=city, year=year),
        key="plan-name",
    )
    if not st.button(label("progress_save", lang), key="plan-save-figures"):
        return
    try:
        plan = plans.plan_from_figures(
            figures, city=city, year=int(year), start_by=start_by, finish_by=finish_by,
            checks=dates.parse_days(checks), report_day=report_day or None, source=source,
            document=document,
        )  # fmt: skip
    except InputError as exc:
        st.error(esc_md(error_text(exc, lang)))
        return
    except ValueError:
        st.error(label("progress_checks_bad", lang).format(value=esc_md(checks)))
        return
    _save(plan, name, lang)


def template_form(lang: str) -> None:
    """A plan from the filled-in template: its refused rows shown before it is saved."""
    st.download_button(
        label("progress_template_download", lang),
        plans.template_bytes,
        "plan-template.xlsx",
        on_click=NO_RERUN,
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
    st.caption(label("progress_plan_read", lang).format(**plan.summary()))
    if len(plan.quarantine):
        shown = quarantine_rows(plan.quarantine, lang, kind="plan")
        st.dataframe(shown, hide_index=True, width="stretch")
    name = st.text_input(label("progress_dataset", lang), upload.name.split(".")[0], key="plan-nt")
    if st.button(label("progress_save", lang), key="plan-save-template"):
        _save(plan, name, lang, data=data, file_name=upload.name)
