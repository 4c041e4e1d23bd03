"""
In Chromium, what only a browser shows of issue 18: the map fits the selection and keeps a
planner's view when a filter keeps the extent, tooltips stay inside the frame, tables are
headed in the interface's language, and the basemap choice survives a language switch.
"""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest

from geo import boundaries, records
from store import Workspace
from tests.e2e.conftest import (
    ARTIFACTS,
    REPO,
    app_server,
    choose,
    drawn_districts,
    map_frame,
    open_app,
    rerun,
    widget,
)

pytestmark = pytest.mark.browser

EXAMPLE = REPO / "data" / "examples" / "synthetic-ledger-xinxiang.csv"

_VIEW = """() => {
    if (!window.map) { return null; }
    const b = window.map.getBounds(), c = window.map.getCenter();
    return {south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast(),
            lat: c.lat, lon: c.lng, zoom: window.map.getZoom(), mark: window.__testMark || null};
}"""


_TOOLTIPS = """() => Array.from(document.querySelectorAll(".leaflet-tooltip")).map(t => {
    const r = t.getBoundingClientRect(); return [r.x, r.width];
})"""


def _view(page) -> dict:
    return map_frame(page).evaluate(_VIEW)


def _settled_view(page, timeout: float = 300) -> dict:
    """The map's view once it has stopped changing (the fit runs after the layers arrive)."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        now = _view(page)
        if now is not None and now == last:
            return now
        last = now
        time.sleep(0.5)
    raise AssertionError(f"the map kept moving: {last}")


def _bounds(level: str, column: str, name: str) -> tuple[float, float, float, float]:
    outlines = boundaries.load_boundaries(level, display=True)
    return tuple(outlines[outlines[column] == name].total_bounds)


def _contains(view: dict, bounds, slack: float = 0.01) -> bool:
    west, south, east, north = bounds
    return (
        view["west"] <= west + slack
        and view["east"] >= east - slack
        and view["south"] <= south + slack
        and view["north"] >= north - slack
    )


def test_the_map_fits_the_selection_and_keeps_a_panned_view(server_url, page):
    open_app(page, f"{server_url}/?city={quote('新乡市')}")
    drawn_districts(page, count=12)
    city = _bounds("city", "city", "新乡市")
    fitted = _settled_view(page)
    # The whole city is in view, and it fills the frame (not a third of it).
    assert _contains(fitted, city)
    assert fitted["east"] - fitted["west"] < 2.5 * (city[2] - city[0])

    # A district filter zooms to the district.
    choose(page, "区县（空=全部）", "卫滨区")
    drawn_districts(page, count=1)
    district = _bounds("district", "district", "卫滨区")
    zoomed = _settled_view(page)
    assert _contains(zoomed, district) and zoomed["zoom"] >= fitted["zoom"] + 2
    page.screenshot(path=str(ARTIFACTS / "view-district.png"))

    # Its tooltip wraps, and opens towards the middle, so it stays inside the frame.
    frame = map_frame(page)
    iframe = page.locator('iframe[title="streamlit_folium.st_folium"]').first.bounding_box()
    width = frame.evaluate("() => window.innerWidth")
    for share in (0.4, 0.6):
        page.mouse.move(iframe["x"] + iframe["width"] * share, iframe["y"] + iframe["height"] / 2)
        frame.locator(".leaflet-tooltip").first.wait_for()
        time.sleep(1)
        boxes = frame.evaluate(_TOOLTIPS)
        assert boxes and all(w <= 360 and x >= 0 and x + w <= width for x, w in boxes), boxes

    # Pan and zoom; a filter that keeps the extent (the figure) keeps that view, in the same
    # map (the frame is not rebuilt: a mark set in it survives).
    frame.evaluate("() => { window.__testMark = 'kept'; "
                   "window.map.setView([35.30, 113.86], 14, {animate: false}); }")  # fmt: skip
    panned = _settled_view(page)
    choose(page, "着色指标", "楼栋")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        tips = drawn_districts(page, count=1)
        if "楼栋" in tips[0]:
            break
        time.sleep(0.25)
    assert "楼栋: <b>87 栋</b>" in tips[0]  # 卫滨区's 87 buildings, as the plan writes them
    kept = _settled_view(page)
    assert kept["mark"] == "kept"
    assert (kept["zoom"], round(kept["lat"], 4), round(kept["lon"], 4)) == (
        panned["zoom"],
        round(panned["lat"], 4),
        round(panned["lon"], 4),
    )

    assert page.errors == []


def test_english_tables_and_the_basemap_choice_after_a_language_switch(server_url, page):
    open_app(page, f"{server_url}/?city={quote('新乡市')}")
    chosen = '[data-testid="stRadioOption"][data-selected="true"]'
    basemap = page.locator('[data-testid="stRadio"]').filter(has_text="底图")
    basemap.locator(chosen).wait_for()
    assert basemap.locator(chosen).inner_text().strip() == "无（离线）"
    with rerun(page):
        page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    basemap = page.locator('[data-testid="stRadio"]').filter(has_text="Basemap")
    basemap.wait_for()
    # The choice is still shown as chosen (it was left blank after a switch).
    basemap.locator(chosen).wait_for()
    assert basemap.locator(chosen).count() == 1
    assert basemap.locator(chosen).inner_text().strip() == "None (offline)"
    # Tables are headed in English, with English codes and periods.
    table = page.locator('[data-testid="stDataFrame"]').last
    table.scroll_into_view_if_needed()
    # The grid draws on a canvas; its accessible table (hidden) holds the header texts.
    table.locator('[role="columnheader"]').first.wait_for(state="attached")
    headers = [h.text_content() for h in table.locator('[role="columnheader"]').all()]
    assert headers[:6] == ["City", "Place", "Level", "Period", "Kind", "Metric"]
    assert "Document no." in headers
    figure = widget(page, "Colour by figure").locator("input").first
    assert figure.input_value() == "households"  # selectboxes keep their value too
    page.screenshot(path=str(ARTIFACTS / "view-english.png"), full_page=True)
    assert page.errors == []


@pytest.fixture(scope="module")
def saved_ledger_url(tmp_path_factory):
    """A server whose workspace holds the example ledger, saved (as a planner's would be)."""
    data_dir = tmp_path_factory.mktemp("saved-ledger")
    with Workspace(f"sqlite:///{data_dir / 'atlas.sqlite'}") as workspace:
        workspace.init()
        workspace.save_ledger(
            records.read_ledger(EXAMPLE, crs_name="gcj02"),
            name="xinxiang",
            user=None,
            data=EXAMPLE.read_bytes(),
            file_name=EXAMPLE.name,
        )
    with app_server(data_dir, name="saved-ledger") as server:
        yield server.url


@pytest.mark.parametrize("city", ["许昌市", "开封市", "洛阳市", "邯郸市"])
def test_a_city_link_with_a_saved_ledger_shows_the_city(saved_ledger_url, page, city):
    open_app(page, f"{saved_ledger_url}/?city={quote(city)}")
    drawn_districts(page)
    view = _settled_view(page)
    page.screenshot(path=str(ARTIFACTS / f"view-link-{city}.png"))
    outline = _bounds("city", "city", city)
    assert _contains(view, outline), (city, view)  # never a grey map at zoom 18
    assert view["east"] - view["west"] < 3 * (outline[2] - outline[0])  # and it fills the frame
    assert page.errors == []
