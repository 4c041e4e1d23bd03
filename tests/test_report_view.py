"""Tests for layers/report_view.py: what the reports page shows of a report, without Streamlit."""

from __future__ import annotations

import io

import docx
from _reports import walked, xinxiang
from pypdf import PdfReader

from geo import report
from geo.figures import load_figures
from geo.selection import Selection
from layers import report_view


def test_the_city_figures_are_shown_as_the_document_wrote_them_with_their_source():
    table = report_view.figures_table(xinxiang(), "zh")
    assert list(table.columns) == ["指标", "数值", "时期·性质", "出处"]
    assert table["出处"].str.contains("新百城提质办〔2023〕2号").any()
    english = report_view.figures_table(xinxiang(), "en")
    assert list(english.columns) == ["Figure", "Value", "Period · kind", "Source"]


def test_without_a_network_every_share_is_a_straight_line_one():
    table = report_view.shares_table(xinxiang(), "zh")
    assert list(table.columns) == ["区县", "指标", "距离", "数值", "数据完整性", "出处"]
    assert set(table["距离"]) == {"直线"}
    weibin = table[table["区县"] == "卫滨区"]
    assert "500 米内有无障碍公交站的户数占比" in weibin["指标"].tolist()
    assert weibin["出处"].str.contains("距离为直线距离").all()
    assert not table["出处"].str.contains("沿路网").any()
    # A place without data reads 暂无数据, never 0.
    assert set(table.loc[table["区县"] == "新乡县", "数值"]) == {"暂无数据"}


def test_with_a_network_the_walking_shares_are_labelled_and_cite_the_extract():
    table = report_view.shares_table(walked(), "zh")
    weibin = table[table["区县"] == "卫滨区"].set_index("指标")
    walk = weibin.loc["沿路网步行 500 米内有无障碍公交站的户数占比"]
    assert walk["距离"] == "沿路网步行"
    assert (
        "距离为沿路网步行距离（路网：OSM 提取，文件 synthetic-network-xinxiang.osm.pbf"
        in (walk["出处"])
    )
    straight = weibin.loc["500 米内有无障碍公交站的户数占比"]
    assert straight["距离"] == "直线" and "距离为直线距离" in straight["出处"]
    english = report_view.shares_table(walked(), "en")
    assert set(english["Distance"]) == {"straight line", "on foot along the network"}


def test_the_summary_counts_places_figures_and_says_who_is_left_out():
    made = xinxiang()
    text = report_view.summary_text(made, ["台账.csv", "调查.geojson"], "zh")
    figures = int(made.items["value"].notna().sum())
    assert text == f"3 个区县和开发区，{figures} 个有值的数字；数据：台账.csv、调查.geojson"
    assert report_view.summary_text(made, [], "en").endswith("data: documents only")
    hidden = report.gather_report(
        load_figures(), Selection(cities=("新乡市",)), readable=frozenset({"410703"})
    )
    said = report_view.summary_text(hidden, [], "zh")
    assert said.endswith(f"；本账户无权查看的 {hidden.left_out} 个区县未列入")
    assert hidden.left_out > 0


def test_a_city_without_any_figure_is_named_as_empty():
    made = report.gather_report(load_figures(), Selection(cities=("鹤壁市",)))
    assert report_view.empty_cities(made) == ["鹤壁市"]
    assert report_view.empty_cities(xinxiang()) == []


def test_the_downloads_build_the_reply_and_the_atlas_only_when_called():
    made = xinxiang(("卫滨区",))
    reply, atlas = report_view.downloads(made, "households", "zh")
    assert (reply.key, reply.file_name, reply.mime) == (
        "dl-reply",
        "新乡市-答复函.docx",
        report_view.DOCX_MIME,
    )
    assert (atlas.key, atlas.file_name, atlas.mime) == (
        "dl-sheets",
        "新乡市-图集.pdf",
        "application/pdf",
    )
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(reply.build())).paragraphs)
    assert "一、老旧小区改造整体情况" in body
    assert len(PdfReader(io.BytesIO(atlas.build())).pages) == 2
