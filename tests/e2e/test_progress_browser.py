"""
In Chromium: the 进度 page of the 新乡 2023 plan against two monthly versions (红旗区 did not
report April), its map drawn, and the monthly report made when its button is clicked.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from store import Workspace
from tests.e2e.conftest import (
    ARTIFACTS,
    app_server,
    downloaded,
    drawn_districts,
    new_page,
    open_app,
)
from tests.workspace.test_progress_workspace import APRIL, MARCH, _save_month, _seed_plan

pytestmark = pytest.mark.browser

ADDRESS = "/progress?plan=plan@1&as_of=2023-05-10&ledger=月报&chart=410702"


@pytest.fixture(scope="module")
def progress_url(tmp_path_factory):
    """A server over a workspace with the plan (report due on the 5th) and two months."""
    data = tmp_path_factory.mktemp("progress-data")
    with Workspace(f"sqlite:///{data / 'atlas.sqlite'}") as workspace:
        workspace.init()
        workspace.save_plan(_seed_plan(report_day=5), name="plan", user="planner")
        _save_month(workspace, data, MARCH, "2023-03-31")
        _save_month(workspace, data, APRIL, "2023-04-30")
    with app_server(data, name="test_progress_browser") as server:
        yield server.url


@pytest.mark.parametrize(
    ("lang", "download", "months"),
    [
        ("zh", "下载月报（XLSX）", "逐月"),
        ("en", "Download the monthly report (XLSX)", "Months"),
    ],
)
def test_the_progress_page_and_its_monthly_report(browser, progress_url, lang, download, months):
    page = new_page(browser, height=1400)
    open_app(page, f"{progress_url}{ADDRESS}&lang={lang}")
    # The districts with an outline, decoded in the page from their compact form, tipped.
    tips = drawn_districts(page, count=12, kept="tip")
    assert any(tip.startswith("<b>红旗区</b> · ") for tip in tips), tips
    page.screenshot(path=str(ARTIFACTS / f"progress-{lang}.png"), full_page=True)
    clicked = downloaded(page, download)
    assert clicked.suggested_filename.endswith("-新乡市-2023-05-10.xlsx")
    book = load_workbook(io.BytesIO(Path(clicked.path()).read_bytes()))
    rows = {(r[0], r[1]): r[2] for r in book[months].iter_rows(min_row=2, values_only=True)}
    # 红旗区 reported March, not April (due 5 May: 漏报); May is not yet due on 10 May.
    april, may = ("2023年4月", "2023年5月") if lang == "zh" else ("2023-04", "2023-05")
    expected = {
        "zh": ("已报送", "漏报", "未到报送期"),
        "en": ("Reported", "Not reported", "Not yet due"),
    }[lang]
    march = "2023年3月" if lang == "zh" else "2023-03"
    assert (rows[(march, "红旗区")], rows[(april, "红旗区")], rows[(may, "红旗区")]) == expected
    assert page.errors == []
    page.context.close()
