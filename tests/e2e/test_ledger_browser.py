"""In Chromium: a ledger full of XSS payloads is shown as text, and no script runs."""

from __future__ import annotations

import csv
import io

import pytest

from tests.e2e.conftest import ARTIFACTS, map_frame, open_app, rerun
from tests.test_records import GCJ

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "`${alert(2)}`",
    "</script><script>alert(3)</script>",
    "\"'><svg onload=alert(4)>",
]


def hostile_ledger() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["小区名称", "所属区县", "所属城市", "改造年度", "户数", "改造内容", "备注", "经度", "纬度"]
    )
    for i, payload in enumerate(PAYLOADS):
        lon, lat = GCJ[0] + i * 0.0005, GCJ[1]  # ~45 m apart, all in 卫滨区
        writer.writerow([payload, "卫滨区", "新乡", "2023", "10", payload, payload, lon, lat])
    return buffer.getvalue().encode("utf-8")


def test_xss_payloads_in_a_ledger_stay_text_on_both_pages(server_url, page):
    open_app(page, f"{server_url}/ledger")
    with rerun(page):  # the upload reruns the page, which redraws the datum choice
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            {"name": "hostile.csv", "mimeType": "text/csv", "buffer": hostile_ledger()}
        )
    page.get_by_text("hostile.csv", exact=True).wait_for()
    page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.click()
    with rerun(page):
        page.get_by_role("option", name="GCJ-02（高德、腾讯）", exact=True).click()
    with rerun(page):
        page.get_by_role("button", name="读取台账", exact=True).click()
    metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert metrics == ["4", "4", "0", "4"]
    page.screenshot(path=str(ARTIFACTS / "ledger-hostile.png"), full_page=True)

    # Navigate inside the app: a reload would start a new session, without the ledger.
    with rerun(page):
        page.locator('[data-testid="stSidebarNav"]').get_by_text("地图", exact=True).click()
    component = map_frame(page)
    frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').first
    frame.locator(".marker-cluster").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "map-hostile.png"), full_page=True)
    # Zoom to street level so the four points split out of their cluster, then open each.
    component.evaluate(f"() => window.map.setView([{GCJ[1]}, {GCJ[0] - 0.0045}], 17)")
    frame.locator("path.leaflet-interactive[fill='#1f78b4']").first.wait_for()
    # Open every community's popup in turn; Leaflet writes its HTML into the page then.
    opened = component.evaluate(
        """() => {
            const texts = [];
            window.map.eachLayer(layer => {
                if (layer instanceof L.CircleMarker && layer.getPopup()) {
                    layer.openPopup();
                    texts.push(layer.getPopup().getElement().innerText);
                }
            });
            return texts;
        }"""
    )
    page.screenshot(path=str(ARTIFACTS / "map-hostile-popup.png"), full_page=True)
    assert len(opened) == len(PAYLOADS)
    for payload in PAYLOADS:
        assert any(text.startswith(payload) for text in opened), (payload, opened)
    assert frame.locator("img[src='x'], svg[onload]").count() == 0
    assert page.dialogs == [] and page.errors == []
