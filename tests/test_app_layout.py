"""The map is the page: on a 1366×768 laptop the map fills the window below the cards.

What only a browser shows (the map's position, its height) was checked on screenshots at
1366×768 (the map from y = 285 to the bottom of the window, 478 px); this test holds the
rules that make it so. And the house check on the pages' size: a page is widgets and layout,
at most :data:`PAGE_LINES` lines; what it computes or words lives in ``layers/``.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from layers._leaflet import BASE_CSS
from layers.maps import FILL_FRAME_CSS

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "app.py")
#: The most lines a page module (app_pages/*.py) may have (docs/developer guide, STYLE.md).
PAGE_LINES = 200


def test_every_page_module_stays_within_the_house_line_count():
    sizes = {
        path.name: len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted((REPO / "app_pages").glob("*.py"))
    }
    assert len(sizes) > 10, sizes  # the pages were found
    over = {name: lines for name, lines in sizes.items() if lines > PAGE_LINES}
    assert not over, f"pages over {PAGE_LINES} lines (move logic to layers/): {over}"


def test_the_map_frame_fills_the_window_below_compact_cards():
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, at.exception
    styles = "".join(h.value for h in at.html if h.value.startswith("<style>"))
    # The frame reaches the window's bottom from where it starts; never shorter than 420 px.
    assert "height: max(420px, calc(100vh - 290px)) !important;" in styles
    assert "-webkit-line-clamp: 2" in styles  # two lines of a card's caption
    # Inside the map page's frame, the map takes the frame's whole height; other pages' maps
    # (coverage, reach) keep streamlit-folium's own height, so none starts at 0 px.
    assert "#map_div, #map_div2 { height: 100vh !important; }" in FILL_FRAME_CSS
    assert "#map_div" not in BASE_CSS
    # The styles take no row of the page: st.html, not st.markdown.
    assert not any(m.value.startswith("<style>") for m in at.markdown)
