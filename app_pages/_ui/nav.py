"""
Links between pages by their address, so that no page imports another page.

``app.py`` builds the navigation from each page's ``render`` and hands its pages to
:func:`register` on every run; a page links to another with ``st.page_link(page("export"))``
or ``st.switch_page(page("map"))``, by the ``url_path`` the navigation gave it.
"""

from __future__ import annotations

import streamlit as st

#: The session's pages by url_path (the map's too: its url_path is "map", served at the root).
PAGES_KEY = "_pages"


def register(pages: dict[str, st.Page]) -> None:
    """Keep this run's pages for :func:`page` (session state: titles follow the language)."""
    st.session_state[PAGES_KEY] = pages


def page(url_path: str) -> st.Page:
    """The page the navigation serves at ``url_path``, for ``st.page_link``/``st.switch_page``."""
    return st.session_state[PAGES_KEY][url_path]
