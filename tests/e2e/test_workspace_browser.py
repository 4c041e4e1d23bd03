"""
In Chromium: a planner saves the example ledger, closes the browser and finds it again; a
district's monthly ledger shows in History as exactly the rows it changed; a link shows one
version to a colleague.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import ARTIFACTS, wait_idle
from tests.workspace.conftest import monthly_ledger

pytestmark = pytest.mark.browser

NAME = "synthetic-ledger-xinxiang"
SAVE_AS = "数据集名称（同名再次保存即为新版本）"


def _new_page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return context, page


def _caption_with(page, text: str, timeout: float = 60_000) -> str:
    found = page.locator('[data-testid="stCaptionContainer"]').filter(has_text=text).first
    found.wait_for(timeout=timeout)
    return found.inner_text()


def _save(page, name: str) -> None:
    page.get_by_label(SAVE_AS).fill(name)
    page.get_by_label(SAVE_AS).press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_text("已保存为").wait_for(timeout=60_000)
    wait_idle(page)


def test_a_saved_ledger_outlives_the_browser_and_history_shows_what_changed(
    server_url, browser, tmp_path
):
    # The first browser: read the example, save it.
    context, page = _new_page(browser)
    page.goto(f"{server_url}/ledger")
    wait_idle(page)
    page.get_by_role("button", name="加载合成示例台账").click()
    page.locator('[data-testid="stMetricValue"]').nth(3).wait_for(timeout=60_000)
    wait_idle(page)
    _save(page, NAME)
    saved = (
        f"已保存为 {NAME}@1（26 条有效记录；5 行已隔离：约数 1、同名记录冲突 2、经纬度填反 1、"
        "合计行 1）。"
    )
    assert page.get_by_text(saved).count() == 1
    context.close()

    # The browser closed; a new one opens the map and finds the same communities.
    context, page = _new_page(browser)
    page.goto(server_url)
    wait_idle(page)
    caption = _caption_with(page, "个小区有坐标")
    assert f"工作区：{NAME}@1" in caption and "23 个小区有坐标；3 个仅按区县名称定位" in caption
    page.frame_locator("iframe").first.locator(".marker-cluster").first.wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "workspace-map.png"), full_page=True)

    # 卫滨区's monthly ledger, uploaded and saved as the next version of the same dataset.
    page.goto(f"{server_url}/ledger")
    wait_idle(page)
    month = monthly_ledger(tmp_path)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(month))
    page.get_by_text(month.name).wait_for()
    page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="GCJ-02（高德、腾讯）").click()
    page.get_by_role("button", name="读取台账").click()
    _caption_with(page, "尚未保存")
    wait_idle(page)
    _save(page, NAME)
    assert page.get_by_text(f"已保存为 {NAME}@2").count() == 1

    # History: exactly the three rows the monthly ledger changed, all in 卫滨区.
    page.goto(f"{server_url}/history?dataset={NAME}&from=1&to=2")
    wait_idle(page)
    page.locator('[data-testid="stMetricValue"]').nth(2).wait_for(timeout=60_000)
    assert page.locator('[data-testid="stMetricValue"]').all_inner_texts() == ["1", "1", "1"]
    page.screenshot(path=str(ARTIFACTS / "workspace-history.png"), full_page=True)
    context.close()

    # A colleague opens a link to version 1: version 1, not the current state.
    context, page = _new_page(browser)
    page.goto(f"{server_url}/?ledger={NAME}@1")
    wait_idle(page)
    caption = _caption_with(page, "个小区有坐标")
    assert f"{NAME}@1" in caption and f"{NAME}@2" not in caption
    assert page.errors == []
    context.close()
