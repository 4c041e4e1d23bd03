"""
Renovation Atlas: the Streamlit entry point. Page config, language, navigation.

Run with `make app` (http://localhost:8501). Each page lives in `app_pages/`; only `app.py`
and `app_pages/` import streamlit. The logic lives in `geo` (data) and `layers` (map and
export). The language is part of the address (``?lang=en``), like every page's filters
(:mod:`app_pages.state`), so a copied link opens the same view.
"""

from __future__ import annotations

import streamlit as st

from app_pages import filters, state
from app_pages.common import page_style
from layers.labels import LANGS, label

st.set_page_config(page_title="Renovation Atlas 老旧小区改造图集", layout="wide")

state.seed("lang", options=LANGS, default="zh")
# Every shareable filter keeps its value when the language (and so its label) changes.
state.keep([*filters.URL_KEYS, *filters.LEDGER_FILTERS, "place", "metric", "show"])
lang = st.sidebar.radio(
    "语言 Language",
    LANGS,
    format_func=lambda x: {"zh": "中文", "en": "English"}[x],
    horizontal=True,
    key="lang",
)
page_style(lang)
pages = [
    # The default page is served at the root: links to the map are /?city=...
    st.Page("app_pages/map.py", title=label("page_map", lang), default=True),
    st.Page("app_pages/compare.py", title=label("page_compare", lang), url_path="compare"),
    st.Page("app_pages/quality.py", title=label("page_quality", lang), url_path="quality"),
    st.Page("app_pages/export.py", title=label("page_export", lang), url_path="export"),
    st.Page("app_pages/ledger.py", title=label("page_ledger", lang), url_path="ledger"),
    st.Page("app_pages/infra.py", title=label("page_infra", lang), url_path="accessibility"),
]
page = st.navigation(pages)
state.publish(["lang"], defaults={"lang": "zh"})
page.run()
