"""
Renovation Atlas: the Streamlit entry point. Page config, language, navigation.

Run with `make app` (http://localhost:8501). Each page lives in `app_pages/`; only `app.py`
and `app_pages/` import streamlit. The logic lives in `geo` (data) and `layers` (map and
export).
"""

from __future__ import annotations

import streamlit as st

from layers.labels import label

st.set_page_config(page_title="Renovation Atlas 老旧小区改造图集", layout="wide")

lang = st.sidebar.radio(
    "语言 Language",
    ["zh", "en"],
    format_func=lambda x: {"zh": "中文", "en": "English"}[x],
    horizontal=True,
    key="lang",
)
pages = [
    st.Page("app_pages/map.py", title=label("page_map", lang), url_path="map", default=True),
    st.Page("app_pages/ledger.py", title=label("page_ledger", lang), url_path="ledger"),
    st.Page("app_pages/infra.py", title=label("page_infra", lang), url_path="accessibility"),
]
st.navigation(pages).run()
