"""Tests for layers/reply.py and layers/_docx.py: the reply draft read back with python-docx."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from _reports import xinxiang
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from lxml import etree
from pypdf import PdfReader

from geo import report
from geo.figures import load_figures
from geo.report import LedgerSource
from geo.selection import Selection
from layers.citations import citation, item_value, no_data, source_name
from layers.reply import reply_docx

TODAY = datetime.date(2026, 12, 7)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def draft() -> bytes:
    return reply_docx(xinxiang(), today=TODAY)


def _texts(document: docx.Document) -> str:
    """Every paragraph and table cell's text, in order."""
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _footnotes(document: docx.Document) -> dict[str, str]:
    """Footnote id → its text, from the real footnotes part."""
    part = document.part.part_related_by(RT.FOOTNOTES)
    notes = etree.fromstring(part.blob)
    return {
        n.get(f"{W}id"): "".join(t.text or "" for t in n.iter(f"{W}t"))
        for n in notes.iter(f"{W}footnote")
        if n.get(f"{W}type") is None
    }


def test_every_figure_of_the_selection_is_in_the_draft_with_its_source_in_a_footnote(draft):
    document = docx.Document(io.BytesIO(draft))
    text, notes = _texts(document), _footnotes(document)
    referenced = {r.get(f"{W}id") for r in document.element.body.iter(f"{W}footnoteReference")}
    assert referenced == set(notes) and len(notes) >= 5
    made = xinxiang()
    shown = made.items[made.items["value"].notna() & (made.items["family"] == "programme")]
    notes_text = "\n".join(notes.values())
    for _, item in shown.iterrows():
        assert item_value(item, "zh", short=True) in text or item_value(item, "zh") in text, item
        for source in item["sources"]:
            if isinstance(source, LedgerSource):
                # A ledger table has one note for the ledger and a column of row counts.
                assert source_name(source.source, "zh") in notes_text
                assert str(source.rows) in text
            else:
                assert citation(source, "zh") in notes_text, citation(source, "zh")
    assert (
        "新百城提质办〔2023〕2号，新乡市百城建设提质工程领导小组办公室，2023年2月7日，第 31 行"
        in notes_text
    )
    assert "22149 户" in text and "3279 户" in text  # numbers as the document wrote them


def test_places_without_a_figure_read_no_data_never_zero(draft):
    document = docx.Document(io.BytesIO(draft))
    (table,) = [t for t in document.tables if "分区县情况（2023年 计划）" in _caption_before(t)]
    rows = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows[1:]}
    assert rows["卫滨区"][:4] == ["27 个", "3279 户", "87 栋", "29.19 万 m²"]
    assert rows["新乡县"] == [no_data("zh")] * 5
    assert not re.search(r"(?<![\d.,])0 (户|个|栋)", _texts(document))


def _caption_before(table) -> str:
    previous = table._tbl.getprevious()
    return "".join(t.text or "" for t in previous.iter(f"{W}t")) if previous is not None else ""


def test_issuer_number_signer_and_result_are_fields_to_fill_and_the_closing_block_too(draft):
    document = docx.Document(io.BytesIO(draft))
    aliases = [a.get(qn("w:val")) for a in document.element.body.iter(qn("w:alias"))]
    for name in (
        "发文机关",
        "文号",
        "签发人",
        "办理结果",
        "提案人",
        "联系单位",
        "抄送",
        "印发日期",
    ):
        assert name in aliases


def test_the_page_and_styles_are_gbt_9704s(draft):
    document = docx.Document(io.BytesIO(draft))
    section = document.sections[0]
    sizes = (section.page_width, section.page_height, section.top_margin,
             section.bottom_margin, section.left_margin, section.right_margin)  # fmt: skip
    wanted = (210, 297, 37, 35, 28, 26)  # A4; 天头 37, 订口 28; type area 156 × 225 mm
    assert [round(size.mm, 1) for size in sizes] == [float(w) for w in wanted]
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    title = document.styles["公文标题"]
    assert title.element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert title.font.size.pt == 22 and document.styles["Normal"].font.size.pt == 16
    table_part = document.part.part_related_by(RT.FONT_TABLE).blob.decode()
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in table_part


def test_a_city_without_figures_or_data_gets_a_draft_that_says_so():
    made = report.gather_report(load_figures(), Selection(cities=("洛阳市",)))
    document = docx.Document(io.BytesIO(reply_docx(made, today=TODAY)))
    text = _texts(document)
    assert "洛阳市在所选时期和性质下暂无数据" in text
    assert "各区县暂无数据" in text and not document.tables


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice not installed (make office)"
)
def test_libreoffice_opens_the_draft_and_prints_its_figures_and_footnotes(draft, tmp_path: Path):
    source = tmp_path / "reply.docx"
    source.write_bytes(draft)
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "reply.pdf").pages)
    text = "".join(text.split())  # LibreOffice's PDF spaces digits apart from Chinese
    assert "22149户" in text and "新百城提质办〔2023〕2号" in text and "暂无数据" in text
    assert "第31行" in text  # a footnote, printed at the foot of its page


def test_a_note_never_follows_a_unit_ending_in_a_superscript(draft):
    # "213.91 万 m²" then note 2 would read m²²: the note follows the punctuation instead.
    body = docx.Document(io.BytesIO(draft)).element.body
    marks = 0
    for paragraph in body.iter(f"{W}p"):
        text = ""
        for run in paragraph.iter(f"{W}r"):
            if run.find(f"{W}footnoteReference") is not None:
                marks += 1
                assert not text.endswith("²"), text
            text += "".join(t.text or "" for t in run.iter(f"{W}t"))
    assert marks and "万 m²。" in _texts(docx.Document(io.BytesIO(draft)))


def _table_after(document: docx.Document, caption: str):
    (table,) = [t for t in document.tables if caption in _caption_before(t)]
    return table


def _has_note(element) -> bool:
    return element.find(f".//{W}footnoteReference") is not None


def test_a_straight_line_share_says_so_and_every_row_with_a_figure_has_its_source(draft):
    document = docx.Document(io.BytesIO(draft))
    table = _table_after(document, "新乡市各区县无障碍设施测绘情况")
    header = [c.text for c in table.rows[0].cells]
    assert header[4] == "500 米内有无障碍公交站的户数占比（直线距离）"
    assert "表中户数占比按直线距离计算，并非沿路网的步行距离。" in _texts(document)
    assert "步行" not in "".join(header)
    # Each district's measures differ in extent, so each row with a figure carries its note.
    for row in table.rows[1:]:
        values = [c.text for c in row.cells[1:5]]
        if any(v != no_data("zh") for v in values):
            assert _has_note(row.cells[0]._tc), row.cells[0].text
    notes = "\n".join(_footnotes(document).values())
    assert "距离为直线距离" in notes and "沿路网" not in notes


def test_with_a_network_the_shares_are_walked_and_cite_the_extract():
    from _reports import walked

    document = docx.Document(io.BytesIO(reply_docx(walked(), today=TODAY)))
    table = _table_after(document, "新乡市各区县无障碍设施测绘情况")
    assert table.rows[0].cells[4].text == "沿路网步行 500 米内有无障碍公交站的户数占比"
    assert (
        "表中户数占比按沿路网步行距离计算，路网取自 OSM 提取（文件 "
        "synthetic-network-xinxiang.osm.pbf，未存入工作区，合成示例数据，非真实）。"
    ) in _texts(document)
    notes = "\n".join(_footnotes(document).values())
    assert "距离为沿路网步行距离（路网：OSM 提取，文件 synthetic-network-xinxiang.osm.pbf" in notes


@pytest.mark.parametrize("network", [False, True])
def test_a_row_of_measures_cites_its_survey_once_whatever_distance_each_share_took(network):
    from _reports import walked

    made = walked() if network else xinxiang()
    document = docx.Document(io.BytesIO(reply_docx(made, today=TODAY)))
    table = _table_after(document, "新乡市各区县无障碍设施测绘情况")
    notes = _footnotes(document)
    method = "沿路网步行距离（路网：OSM 提取" if network else "直线距离"
    share = ("沿路网步行 " if network else "") + "500 米内有无障碍公交站的户数占比"
    survey = "按调查数据（文件 synthetic-survey-xinxiang.geojson，未存入工作区，"
    survey += "合成示例数据，非真实）测算"
    (weibin,) = [row for row in table.rows if row.cells[0].text == "卫滨区"]
    (mark,) = weibin.cells[0]._tc.iter(f"{W}footnoteReference")
    note = notes[mark.get(f"{W}id")]
    assert note.count(survey) == 1, note
    assert note.strip().startswith(f"盲道长度、缘石坡道数、无障碍公交站数、{share}：{survey}，")
    assert f"数据范围覆盖本区 88%；其中{share}，距离为{method}" in note
