"""
Renovation Atlas: the Streamlit entry point. Page config, language, navigation.

Run with `make app` (http://localhost:8501). Each page lives in `app_pages/`; only `app.py`
and `app_pages/` import streamlit. The logic lives in `geo` (data) and `layers` (map and
export). The language is part of the address (``?lang=en``), like every page's filters
(:mod:`app_pages._ui.state`), so a copied link opens the same view.

Before any page, the gate (:mod:`app_pages._ui.gate`): local mode needs no login; a team server
(``ATLAS_AUTH=on``, or a workspace with accounts) shows the login form until there is a
session, and a non-loopback address without ``ATLAS_AUTH=on`` serves nothing at all. A page
that meets a version its account may not read shows "无权访问" (No access).

Pages are functions. Each module of ``app_pages/`` (pages only; what several share is in
``app_pages/_ui/``) exposes ``render(lang: str) -> None``, laid out in small named sections, and
runs nothing at import. This file builds one ``st.Page`` per page from its ``render`` (a
no-argument callable with its own name and an explicit ``url_path``, the address planners'
links use; the map is the default, served at the root) and hands the pages to
:func:`app_pages._ui.nav.register`, so a page links to another by its address.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from app_pages import (
    account,
    compare,
    export,
    figures,
    history,
    infra,
    ledger,
    lifecircle,
    priorities,
    progress,
    quality,
    reach,
    report,
    siting,
)
from app_pages import map as map_page
from app_pages._ui import filters, gate, nav, state
from app_pages._ui.datasets import sidebar_sources
from app_pages._ui.widgets import page_style
from layers.wording import LANGS, label
from store import AccessError

#: (url_path, render, title key) of every page, in the navigation's order. The url_paths are the
#: addresses planners' links use. The first is the default, served at the root: links to the
#: map are /?city=...
PAGES: list[tuple[str, Callable[[str], None], str]] = [
    ("map", map_page.render, "page_map"),
    ("compare", compare.render, "page_compare"),
    ("quality", quality.render, "page_quality"),
    ("export", export.render, "page_export"),
    ("report", report.render, "page_report"),
    ("ledger", ledger.render, "page_ledger"),
    ("accessibility", infra.render, "page_infra"),
    ("reach", reach.render, "page_reach"),
    ("siting", siting.render, "page_siting"),
    ("priorities", priorities.render, "page_priorities"),
    ("lifecircle", lifecircle.render, "page_lifecircle"),
    ("figures", figures.render, "page_figures"),
    ("progress", progress.render, "page_progress"),
    ("history", history.render, "page_history"),
    ("account", account.render, "page_account"),
]


def _page(url_path: str, render: Callable[[str], None], title: str, lang: str) -> st.Page:
    """The page at ``url_path`` that runs ``render`` in this run's language."""

    def run() -> None:
        render(lang)

    # st.Page tells callables apart by name: one per page.
    run.__name__ = run.__qualname__ = f"page_{url_path}"
    default = url_path == PAGES[0][0]
    return st.Page(run, title=label(title, lang), url_path=url_path, default=default)


def _sidebar_language() -> str:
    """Page config, the address's language and the shared filters kept across it: the language."""
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
    return lang


def main() -> None:
    """One run of the app: language, login, navigation, then the chosen page."""
    lang = _sidebar_language()
    gate.require_login(lang)
    pages = {url_path: _page(url_path, render, title, lang) for url_path, render, title in PAGES}
    nav.register(pages)
    # Every page listed: a collapsed list says "View 3 more" in English whatever the language.
    page = st.navigation(list(pages.values()), expanded=True)
    # The saved ledger and infrastructure every page shows (?ledger=xinxiang@3), in the address.
    sidebar_sources(lang)
    state.publish(["lang", "ledger", "infra"], defaults={"lang": "zh", "ledger": "", "infra": ""})
    try:
        page.run()
    except AccessError:  # a permalink to another city's version: no rows, no traceback
        gate.no_access(lang)


# Streamlit runs this file as __main__. multiprocessing's fork server (geo._worker, which reads
# uploads in a bounded child) imports the main script again as __mp_main__ in each child: there
# the app must not run (no Streamlit session; the login gate met no account and the read
# failed).
if __name__ != "__mp_main__":
    main()
