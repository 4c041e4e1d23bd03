"""
Links between pages by their address, so that no page imports another page.

``app.py`` builds the navigation with :func:`pages` from each page's ``render`` (a no-argument
callable with its own name and an explicit ``url_path``, the address planners' links use; the
first page is the default, served at the root) and hands them to :func:`register` on every
run; a page links to another with ``st.page_link(page("export"))``
or ``st.switch_page(page("map"))``, by the ``url_path`` the navigation gave it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from layers.wording import label

#: The session's pages by url_path (the map's too: its url_path is "map", served at the root).
PAGES_KEY = "_pages"


def register(pages: dict[str, st.Page]) -> None:
    """Keep this run's pages for :func:`page` (session state: titles follow the language)."""
    st.session_state[PAGES_KEY] = pages


def page(url_path: str) -> st.Page:
    """The page the navigation serves at ``url_path``, for ``st.page_link``/``st.switch_page``."""
    return st.session_state[PAGES_KEY][url_path]


def pages(table: Sequence[tuple[str, Callable[[str], None], str]], lang: str) -> dict[str, st.Page]:
    """
    One ``st.Page`` per ``(url_path, render, title key)`` of ``table``, by url_path.

    Each runs its ``render`` in this run's language; the first is the default (the root).
    """
    return {
        url_path: _page(url_path, render, title, lang, default=i == 0)
        for i, (url_path, render, title) in enumerate(table)
    }


def _page(
    url_path: str, render: Callable[[str], None], title: str, lang: str, *, default: bool
) -> st.Page:
    def run() -> None:
        render(lang)

    # st.Page tells callables apart by name: one per page.
    run.__name__ = run.__qualname__ = f"page_{url_path}"
    return st.Page(run, title=label(title, lang), url_path=url_path, default=default)
