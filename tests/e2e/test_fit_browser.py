"""
In Chromium: a map whose frame has no size yet is fitted when it gets one, never at the
maximum zoom, and a view the planner moved is kept when the frame changes size.
"""

from __future__ import annotations

import pytest

from layers.offline import offline_html
from tests.e2e.conftest import ARTIFACTS
from tests.test_offline import xinxiang_map

pytestmark = pytest.mark.browser

# The map's view, read from Leaflet (offline pages name their map map_<id>).
_VIEW = """() => {
    const map = Object.keys(window).filter(k => k.startsWith("map_")).map(k => window[k])[0];
    const b = map.getBounds();
    return {zoom: map.getZoom(), south: b.getSouth(), west: b.getWest(),
            north: b.getNorth(), east: b.getEast(), width: map.getSize().x};
}"""
# 新乡's outline, in degrees (west, south, east, north), a little inside it.
XINXIANG = (113.4, 34.95, 114.6, 35.8)
HIDDEN = '<style id="hidden">.folium-map { display: none; }</style>'


def _open_hidden(page, tmp_path) -> None:
    """The offline map of 新乡, its container 0×0 (display: none) until the test shows it."""
    page_html = offline_html(xinxiang_map(with_ledger=False), title="新乡市")
    path = tmp_path / "hidden-map.html"
    path.write_text(page_html.replace("</head>", f"{HIDDEN}</head>", 1), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_function("() => window.L && document.querySelector('.leaflet-control-layers')")


def _shows_xinxiang(view: dict) -> bool:
    west, south, east, north = XINXIANG
    return (
        view["west"] <= west
        and view["east"] >= east
        and view["south"] <= south
        and view["north"] >= north
    )


def test_a_map_without_a_size_is_fitted_when_it_gets_one(page, tmp_path):
    _open_hidden(page, tmp_path)
    # While hidden, nothing is fitted: the map keeps its opening view of China.
    # (Timers of equal delay run in order: the map's own fit timer has run after this one.)
    page.evaluate("() => new Promise(done => setTimeout(done, 0))")
    assert page.evaluate(_VIEW)["zoom"] == 4
    page.evaluate("() => document.getElementById('hidden').remove()")
    page.wait_for_function(f"() => ({_VIEW})().zoom > 5")
    view = page.evaluate(_VIEW)
    page.screenshot(path=str(ARTIFACTS / "fit-after-hidden.png"))
    assert view["width"] > 0 and 7 <= view["zoom"] <= 10, view
    assert _shows_xinxiang(view), view


def test_a_resized_frame_fits_again_until_the_planner_moves_the_map(page, tmp_path):
    _open_hidden(page, tmp_path)
    page.evaluate("() => document.getElementById('hidden').remove()")
    page.wait_for_function(f"() => ({_VIEW})().zoom > 5")
    small = page.evaluate(_VIEW)
    # The frame grows (streamlit-folium sets its height after the first paint): fitted again.
    page.set_viewport_size({"width": 1600, "height": 1200})
    page.wait_for_function(f"() => ({_VIEW})().width === 1600")
    page.wait_for_function(f"() => ({_VIEW})().zoom > {small['zoom']}")
    assert _shows_xinxiang(page.evaluate(_VIEW))
    # The planner zooms in; a later resize keeps that view.
    page.evaluate(
        "() => Object.keys(window).filter(k => k.startsWith('map_')).map(k => window[k])[0]"
        ".setView([35.30, 113.86], 14, {animate: false})"
    )
    page.set_viewport_size({"width": 1200, "height": 900})
    page.wait_for_function(f"() => ({_VIEW})().width === 1200")
    assert page.evaluate(_VIEW)["zoom"] == 14
