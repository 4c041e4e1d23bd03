"""AppTest smoke test of the reports page (app_pages/report.py), driven through app.py."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests._pages import open_page
from tests.conftest import unescaped

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_the_reports_page_offers_both_documents_for_the_cities_in_the_address():
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["city"] = "焦作市"
    open_page(at, "report").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "答复函与区县图集"
    assert at.multiselect(key="city").value == ["焦作市"]
    assert any(c.value.startswith("10 个区县和开发区，17 个有值的数字") for c in at.caption)
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["下载答复函（Word）", "下载区县图集（PDF）"]
    shown = at.dataframe[0].value
    assert "1481 个" in shown["数值"].tolist()  # as the document wrote it, with its source
    assert shown["出处"].str.contains("焦建办〔2024〕31号").all()
    at.text_input(key="period").set_value("20x3").run()
    refused = "时期应为一个年份（2023）或年份范围（2019-2023），收到“20x3”。"
    assert unescaped(at.error[0].value) == refused
