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


def test_with_an_osm_extract_in_view_the_page_shows_walking_shares_beside_straight_ones():
    """The extract in view is walked: each share says its distance and cites its network."""
    import hashlib

    from _reports import NETWORK, example_ledger

    from app_pages._ui.common import INFRA_KEY, LEDGER_KEY, LoadedInfra, LoadedLedger
    from geo import infra, reconcile
    from geo.figures import load_figures

    data = NETWORK.read_bytes()
    found = infra.read_infra(data, name=NETWORK.name)
    ledger = example_ledger()
    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state[INFRA_KEY] = LoadedInfra(
        found, NETWORK.name, hashlib.sha1(data).hexdigest(), data=data
    )
    at.session_state[LEDGER_KEY] = LoadedLedger(
        ledger, "台账.csv", reconcile.reconcile(ledger.projects, load_figures())
    )
    at.query_params["city"] = "新乡市"
    at.query_params["district"] = "卫滨区"
    open_page(at, "report").run()
    assert not at.exception, at.exception
    assert "各区县改造小区住户到最近设施的距离" in [s.value for s in at.subheader]
    (shares,) = [d.value for d in at.dataframe if "距离" in d.value.columns]
    shares = shares.set_index("指标")
    walk = shares.loc["沿路网步行 500 米内有无障碍公交站的户数占比"]
    assert (walk["区县"], walk["距离"], walk["数值"]) == ("卫滨区", "沿路网步行", "56.8%")
    assert (
        "距离为沿路网步行距离（路网：OSM 提取，文件 synthetic-network-xinxiang.osm.pbf"
        in (walk["出处"])
    )
    straight = shares.loc["500 米内有无障碍公交站的户数占比"]
    assert (straight["距离"], straight["数值"]) == ("直线", "100%")
    assert "距离为直线距离" in straight["出处"] and "沿路网" not in straight["出处"]
