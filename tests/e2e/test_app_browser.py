"""
In Chromium, as a planner uses the app: the map, a filter, a shared link, a download, the
compare page, and ten planners at once.
"""

from __future__ import annotations

import contextlib
import json
from urllib.parse import parse_qs, quote, urlsplit

import numpy as np
import pyogrio
import pytest
import shapely

from tests.e2e.conftest import (
    ARTIFACTS,
    choose,
    downloaded,
    drawn_districts,
    new_page,
    open_app,
    pick,
    rerun,
    widget,
)

pytestmark = pytest.mark.browser

XINXIANG_DISTRICTS = 12
# Ten cities of Henan, one per concurrent page.
HENAN = [
    "郑州市",
    "开封市",
    "洛阳市",
    "平顶山市",
    "安阳市",
    "鹤壁市",
    "新乡市",
    "焦作市",
    "濮阳市",
    "许昌市",
]


def test_filter_link_and_download(server_url, page, browser, tmp_path):
    # The map draws every district of the city named in the address.
    open_app(page, f"{server_url}/?city={quote('新乡市')}")
    tips = drawn_districts(page, count=XINXIANG_DISTRICTS)
    assert any("卫滨区" in t for t in tips)
    page.screenshot(path=str(ARTIFACTS / "page-map.png"))

    # A filter change redraws the map and lands in the address bar.
    choose(page, "区县（空=全部）", "卫滨区")
    (tip,) = drawn_districts(page, count=1)
    assert tip.startswith("<b>卫滨区</b>") and "3279 户" in tip
    page.wait_for_function("() => location.search.includes('district=')")
    query = parse_qs(urlsplit(page.url).query)
    assert query["city"] == ["新乡市"] and query["district"] == ["卫滨区"]

    # The copied address, opened in a new browser context (no shared session), is the view.
    shared = new_page(browser)
    open_app(shared, page.url)
    (shared_tip,) = drawn_districts(shared, count=1)
    assert shared_tip == tip
    assert widget(shared, "城市（空=全部）").inner_text().endswith("新乡市")
    assert widget(shared, "区县（空=全部）").inner_text().endswith("卫滨区")
    shared.context.close()

    # The export page exports that view; the GeoJSON is RFC 7946.
    with rerun(page):
        page.locator('[data-testid="stSidebarNav"]').get_by_text("导出", exact=True).click()
    page.screenshot(path=str(ARTIFACTS / "page-export.png"), full_page=True)
    path = tmp_path / "districts.geojson"
    downloaded(page, "districts.geojson").save_as(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and "crs" not in data
    (feature,) = [f for f in data["features"] if f["properties"]["place"] == "卫滨区"]
    assert feature["properties"]["households"] == 3279
    assert "新百城提质办〔2023〕2号" in feature["properties"]["sources"]
    polygons = shapely.geometry.shape(feature["geometry"])
    for polygon in getattr(polygons, "geoms", [polygons]):
        assert shapely.is_ccw(polygon.exterior)  # RFC 7946 §3.1.6: exterior rings CCW
        assert all(not shapely.is_ccw(ring) for ring in polygon.interiors)
    coords = shapely.get_coordinates(polygons)
    assert np.all(
        (coords[:, 0] > 113) & (coords[:, 0] < 115) & (coords[:, 1] > 34) & (coords[:, 1] < 36)
    )
    assert max(len(str(c).split(".")[-1]) for c in coords.ravel()) <= 7
    frame = pyogrio.read_dataframe(path)
    assert frame.crs.to_epsg() == 4326 and frame.geometry.is_valid.all()
    assert page.errors == [] and page.dialogs == []


def test_compare_page_shows_the_chosen_districts(server_url, page):
    # 卫滨区 and 红旗区 of Xinxiang, by adcode, as a shared link names them.
    open_app(page, f"{server_url}/compare?place=410703,410702")
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for()
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "卫滨区" in text and "红旗区" in text
    chosen = page.locator('[data-testid="stMultiSelect"]').all_inner_texts()
    assert any("卫滨区" in c and "红旗区" in c for c in chosen)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "page-compare.png"), full_page=True)
    assert page.errors == []


def test_quality_page_lists_completeness(server_url, page):
    open_app(page, f"{server_url}/quality?city={quote('许昌市')}")
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "page-quality.png"), full_page=True)
    assert "许昌市" in page.locator('[data-testid="stMain"]').inner_text()
    assert page.errors == []


def test_ten_planners_at_once_each_see_their_own_view(server_url, browser):
    pages = [new_page(browser, width=1200, height=900) for _ in HENAN]
    # Ten sessions load at once; then each picks its city's first district while the others
    # are still running their scripts.
    with contextlib.ExitStack() as loading:
        for p, city in zip(pages, HENAN, strict=True):
            loading.enter_context(rerun(p))
            url = f"{server_url}/?province={quote('河南省')}&city={quote(city)}"
            p.goto(url, wait_until="commit")
    picked = []
    for p in pages:
        first = drawn_districts(p)[0]
        picked.append(first[len("<b>") : first.index("</b>")])
    with contextlib.ExitStack() as choosing:
        for p, district in zip(pages, picked, strict=True):
            choosing.enter_context(rerun(p))
            pick(p, "区县（空=全部）", district)
    for p, city, district in zip(pages, HENAN, picked, strict=True):
        (tip,) = drawn_districts(p, count=1)
        assert tip.startswith(f"<b>{district}</b> · {city}"), (city, district, tip)
        query = parse_qs(urlsplit(p.url).query)
        assert query["city"] == [city]
    pages[0].screenshot(path=str(ARTIFACTS / "concurrent-0.png"))
    errors = [e for p in pages for e in p.errors]
    for p in pages:
        p.context.close()
    assert errors == []
