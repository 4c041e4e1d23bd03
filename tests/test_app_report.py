"""AppTest smoke test of the reports page (app_pages/report.py), driven through app.py."""

from __future__ import annotations

import io
from pathlib import Path

import docx
from pypdf import PdfReader
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


def test_the_deferred_downloads_build_the_selection_s_reply_and_atlas():
    """The callables the buttons were given build what a click would: read them back."""
    at = AppTest.from_file(APP, default_timeout=240)
    at.query_params["city"] = "焦作市"
    at.query_params["district"] = "解放区"
    at.query_params["period"] = "2019-2023"
    open_page(at, "report").run()
    assert not at.exception, at.exception
    offered = at.session_state["report_downloads"]
    shown = {b.key: b.label for b in at.get("download_button")}
    assert {d.key: d.label for d in offered} == shown
    assert [d.file_name for d in offered] == ["焦作市-答复函.docx", "焦作市-图集.pdf"]
    reply, atlas = offered
    document = docx.Document(io.BytesIO(reply.build()))
    header = document.sections[0].header.paragraphs[0].text
    assert "区县：解放区" in header and "时期：2019年至2023年" in header
    body = "\n".join(p.text for p in document.paragraphs)
    assert "焦作市" in body and "一、老旧小区改造整体情况" in body
    pages = PdfReader(io.BytesIO(atlas.build())).pages
    assert len(pages) == 2  # the cover, then 解放区 alone
    assert "解放区焦作市·区县" in "".join(pages[1].extract_text().split())
