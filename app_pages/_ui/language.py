"""
The language switch at the top of the sidebar, and the filters every page keeps across it.

The language is part of the address (``?lang=en``), like every page's filters
(:mod:`app_pages._ui.state`), so a copied link opens the same view in the same language.
"""

from __future__ import annotations

import streamlit as st

from app_pages._ui import filters, state
from app_pages._ui.widgets import page_style
from layers.wording import LANGS

__all__ = ["KEPT_KEYS", "choose_language"]

#: Every shareable filter of every page: each keeps its value when the language (and so its
#: label) changes.
KEPT_KEYS = [
    *filters.URL_KEYS,
    *filters.LEDGER_FILTERS,
    *("place", "metric", "show"),  # the compare page's
    *("ledger", "infra"),  # the saved data in view
    *("near", "far", "covers"),  # the accessibility page's
    *("profile", "radii", "snap", "measure"),  # the walking reach page's
    "covered",  # the history page's
    *("siting_type", "siting_profile", "siting_count", "siting_radius"),
    *("plan", "as_of", "rate", "chart"),  # the progress page's
    *("period", "cover"),  # the report page's
    *("lc_profile", "lc_indicator"),  # the life circle page's
]


def choose_language() -> str:
    """Page config, then the address's language with the filters kept across it: ``zh``/``en``."""
    st.set_page_config(page_title="Renovation Atlas 老旧小区改造图集", layout="wide")
    state.seed("lang", options=LANGS, default="zh")
    state.keep(KEPT_KEYS)
    lang = st.sidebar.radio(
        "语言 Language",
        LANGS,
        format_func=lambda x: {"zh": "中文", "en": "English"}[x],
        horizontal=True,
        key="lang",
    )
    page_style(lang)
    return lang
