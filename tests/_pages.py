"""
Open a page of ``app.py`` in an AppTest by its address, as a planner's link does.

Pages are functions (``render(lang)``, built into ``st.Page`` by ``app.py``), and
``AppTest.switch_page`` finds file pages only. A page's script hash is Streamlit's hash of its
``url_path`` (``/accessibility`` is the infra page), so the test sets that hash, as a click on
the page's link does. The default page (the map) is served at the root; ``map`` is the hidden
page at ``/map`` that opens the root with the same query (:func:`app_pages._ui.nav.navigation`).
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash


def open_page(at: AppTest, url_path: str) -> AppTest:
    """Switch ``at`` to the page at ``url_path`` (run it after); an unknown page fails."""
    page_hash = calc_hash(url_path)
    # After a first run the navigation's pages are known: a typo names what is there.
    known = {info.get("url_pathname") for info in at._registered_pages.values()}
    assert not at._registered_pages or page_hash in at._registered_pages, (url_path, known)
    at._page_hash = page_hash
    return at
