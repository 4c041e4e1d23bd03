"""
Renovation Atlas: the Streamlit entry point. Page config, language, navigation.

Run with `make app` (http://localhost:8501). Each page lives in `app_pages/`; only `app.py`
and `app_pages/` import streamlit. The logic lives in `geo` (data) and `layers` (map and
export). The language is part of the address (``?lang=en``), like every page's filters
(:mod:`app_pages.state`), so a copied link opens the same view.

Before any page, the gate (:mod:`app_pages.gate`): local mode needs no login; a team server
(``ATLAS_AUTH=on``, or a workspace with accounts) shows the login form until there is a
session, and a non-loopback address without ``ATLAS_AUTH=on`` serves nothing at all. A page
that meets a version its account may not read shows "无权访问" (No access).
"""

from __future__ import annotations

import streamlit as st

from app_pages import filters, gate, priorities, state
from app_pages.datasets import sidebar_sources
from app_pages.widgets import page_style
from layers.wording import LANGS, label
from store import AccessError

st.set_page_config(page_title="Renovation Atlas 老旧小区改造图集", layout="wide")

state.seed("lang", options=LANGS, default="zh")
# Every shareable filter keeps its value when the language (and so its label) changes.
state.keep(
    [
        *filters.URL_KEYS,
        *filters.LEDGER_FILTERS,
        "place",
        "metric",
        "show",
        "ledger",
        "infra",
        "near",
        "far",
        "covers",
        "profile",
        "radii",
        "snap",
        "measure",
        "covered",
        *("siting_type", "siting_profile", "siting_count", "siting_radius"),
        *("plan", "as_of", "rate", "chart"),  # the progress page's
    ]
)
lang = st.sidebar.radio(
    "语言 Language",
    LANGS,
    format_func=lambda x: {"zh": "中文", "en": "English"}[x],
    horizontal=True,
    key="lang",
)
page_style(lang)
gate.require_login(lang)
pages = [
    # The default page is served at the root: links to the map are /?city=...
    st.Page("app_pages/map.py", title=label("page_map", lang), default=True),
    st.Page("app_pages/compare.py", title=label("page_compare", lang), url_path="compare"),
    st.Page("app_pages/quality.py", title=label("page_quality", lang), url_path="quality"),
    st.Page("app_pages/export.py", title=label("page_export", lang), url_path="export"),
    st.Page("app_pages/report.py", title=label("page_report", lang), url_path="report"),
    st.Page("app_pages/ledger.py", title=label("page_ledger", lang), url_path="ledger"),
    st.Page("app_pages/infra.py", title=label("page_infra", lang), url_path="accessibility"),
    st.Page("app_pages/reach.py", title=label("page_reach", lang), url_path="reach"),
    st.Page("app_pages/siting.py", title=label("page_siting", lang), url_path="siting"),
    st.Page(
        lambda: priorities.render(lang), title=label("page_priorities", lang), url_path="priorities"
    ),
    st.Page("app_pages/lifecircle.py", title=label("page_lifecircle", lang), url_path="lifecircle"),
    st.Page("app_pages/figures.py", title=label("page_figures", lang), url_path="figures"),
    st.Page("app_pages/progress.py", title=label("page_progress", lang), url_path="progress"),
    st.Page("app_pages/history.py", title=label("page_history", lang), url_path="history"),
    st.Page("app_pages/account.py", title=label("page_account", lang), url_path="account"),
]
# Every page listed: a collapsed list says "View 3 more" in English whatever the language.
page = st.navigation(pages, expanded=True)
# The saved ledger and infrastructure every page shows (?ledger=xinxiang@3), in the address.
sidebar_sources(lang)
state.publish(["lang", "ledger", "infra"], defaults={"lang": "zh", "ledger": "", "infra": ""})
try:
    page.run()
except AccessError:  # a permalink to another city's version: no rows, no traceback
    gate.no_access(lang)
