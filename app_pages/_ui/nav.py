"""
Links between pages by their address, so that no page imports another page.

``app.py`` builds the navigation with :func:`pages` from each page's ``render`` (a no-argument
callable with its own name and an explicit ``url_path``, the address planners' links use; the
first page is the default, served at the root) and hands them to :func:`register` and
:func:`navigation` on every run; a page links to another with ``st.page_link(page("export"))``
or ``st.switch_page(page("map"))``, by the ``url_path`` the navigation gave it.

The default page is served at the root only: Streamlit gives a page one address, and the
default's is "/". Its own address (``/map?lang=zh&city=新乡市``, as a planner types or shares
it) is a hidden page that opens the root with the same query, so the link opens the map with
its filters, not Streamlit's "Page not found".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from layers.wording import label

#: The session's pages by url_path (the map's too: its url_path is "map", served at the root).
PAGES_KEY = "_pages"

__all__ = ["PAGES_KEY", "navigation", "page", "pages", "register"]


def register(pages: dict[str, st.Page]) -> None:
    """Keep this run's pages for :func:`page` (session state: titles follow the language)."""
    st.session_state[PAGES_KEY] = pages


def page(url_path: str) -> st.Page:
    """The page the navigation serves at ``url_path``, for ``st.page_link``/``st.switch_page``."""
    return st.session_state[PAGES_KEY][url_path]


def pages(table: Sequence[tuple[str, Callable[[str], None], str]], lang: str) -> dict[str, st.Page]:
    """
    One ``st.Page`` per ``(url_path, render, title key)`` of ``table``, by url_path.

    Each runs its ``render`` in this run's language; the first is the default, served at the
    root ("/"; :func:`navigation` gives its url_path to a hidden page that opens it).
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
    # A page's hash is its url_path's: the default's is the root's (""), its own name is the
    # address of the hidden page that opens it (:func:`navigation`).
    served_at = "" if default else url_path
    return st.Page(run, title=label(title, lang), url_path=served_at, default=default)


def navigation(pages: dict[str, st.Page]) -> st.Page:
    """
    The page this run shows: ``st.navigation`` over ``pages`` (the first is the default).

    Every page is listed (a collapsed list says "View 3 more" in English whatever the
    language), and the default page's url_path is served too, by a hidden page that opens
    the root with the address's query (:func:`_opens_root`).
    """
    url_path, root = next(iter(pages.items()))
    listed = [*pages.values(), _opens_root(url_path, root)]
    return st.navigation(listed, expanded=True)


def _opens_root(url_path: str, root: st.Page) -> st.Page:
    """
    A hidden page at ``url_path`` that switches to ``root`` with the query it was given.

    ``/map?lang=zh&city=新乡市`` becomes ``/?lang=zh&city=新乡市``: the map, its filters kept,
    the navigation's 地图 marked. Every value of a repeated key is kept.
    """

    def run() -> None:
        query = [(key, value) for key in st.query_params for value in st.query_params.get_all(key)]
        st.switch_page(root, query_params=query)

    run.__name__ = run.__qualname__ = f"opens_root_from_{url_path}"
    return st.Page(run, title=root.title, url_path=url_path, visibility="hidden")
