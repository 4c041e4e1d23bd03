"""
In Chromium: a planner saves the example ledger, closes the browser and finds it again; a
district's monthly ledger shows in History as exactly the rows it changed; a link shows one
version to a colleague.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, new_page, open_app, rerun
from tests.workspace.conftest import monthly_ledger

pytestmark = pytest.mark.browser

NAME = "synthetic-ledger-xinxiang"
SAVE_AS = "数据集名称（同名再次保存即为新版本）"


def _caption_with(page, text: str) -> str:
    found = page.locator('[data-testid="stCaptionContainer"]').filter(has_text=text).first
    found.wait_for()
    return found.inner_text()


def _save(page, name: str) -> None:
    field = page.get_by_label(SAVE_AS, exact=True)
    if field.input_value() != name:  # a new value reruns the page; the same one does not
        with rerun(page):
            field.fill(name)
            field.press("Enter")
    with rerun(page):
        page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_text("已保存为").wait_for()


def test_a_saved_ledger_outlives_the_browser_and_history_shows_what_changed(
    server_url, browser, tmp_path
):
    # The first browser: read the example, save it.
    page = new_page(browser)
    open_app(page, f"{server_url}/ledger")
    with rerun(page):
        page.get_by_role("button", name="加载合成示例台账", exact=True).click()
    page.locator('[data-testid="stMetricValue"]').nth(3).wait_for()
    _save(page, NAME)
    saved = (
        f"已保存为 {NAME}@1（26 条有效记录；5 行已隔离：约数 1、同名记录冲突 2、经纬度填反 1、"
        "合计行 1）。"
    )
    assert page.get_by_text(saved).count() == 1
    page.context.close()

    # The browser closed; a new one opens the map and finds the same communities.
    page = new_page(browser)
    open_app(page, server_url)
    caption = _caption_with(page, "个小区有坐标")
    assert f"工作区：{NAME}@1" in caption and "23 个小区有坐标；3 个仅按区县名称定位" in caption
    page.frame_locator("iframe").first.locator(".marker-cluster").first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "workspace-map.png"), full_page=True)

    # 卫滨区's monthly ledger, uploaded and saved as the next version of the same dataset.
    open_app(page, f"{server_url}/ledger")
    month = monthly_ledger(tmp_path)
    with rerun(page):  # the upload reruns the page, which redraws the datum choice
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(month))
    page.get_by_text(month.name, exact=True).wait_for()
    page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.click()
    with rerun(page):
        page.get_by_role("option", name="GCJ-02（高德、腾讯）", exact=True).click()
    with rerun(page):
        page.get_by_role("button", name="读取台账", exact=True).click()
    _caption_with(page, "尚未保存")
    _save(page, NAME)
    assert page.get_by_text(f"已保存为 {NAME}@2").count() == 1

    # History: exactly the three rows the monthly ledger changed, all in 卫滨区.
    open_app(page, f"{server_url}/history?dataset={NAME}&from=1&to=2")
    page.locator('[data-testid="stMetricValue"]').nth(2).wait_for()
    page.screenshot(path=str(ARTIFACTS / "workspace-history.png"), full_page=True)
    assert page.locator('[data-testid="stMetricValue"]').all_inner_texts() == ["1", "1", "1"]
    page.screenshot(path=str(ARTIFACTS / "workspace-history.png"), full_page=True)
    page.context.close()

    # A colleague opens a link to version 1: version 1, not the current state.
    page = new_page(browser)
    open_app(page, f"{server_url}/?ledger={NAME}@1")
    caption = _caption_with(page, "个小区有坐标")
    assert f"{NAME}@1" in caption and f"{NAME}@2" not in caption
    assert page.errors == []
    page.context.close()
