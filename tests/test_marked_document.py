"""Tests for layers/marked_document.py: a document's text with its figures marked, and nothing of it
run as HTML or template code."""

from __future__ import annotations

import pandas as pd

from geo.documents.read import Line
from layers.marked_document import document_html

PAYLOAD = "<img src=x onerror=alert(1)>{{ 7*7 }}"


def _proposals(*rows):
    columns = ["line", "start", "end", "metric", "as_written"]
    return pd.DataFrame(list(rows), columns=columns)


def test_each_figure_is_marked_where_it_stands():
    lines = [Line(1, "今年改造小区412个，惠及2.2万户。"), Line(2, "没有数字的一行")]
    names = {"communities": "老旧小区"}
    page = document_html(lines, _proposals((1, 6, 10, "communities", "412个")), metric_names=names)
    assert '<mark title="老旧小区 · 412个 · 第 1 行"' in page  # the metric by name, not its code
    assert ">412个</mark>，惠及2.2万户。" in page
    assert "没有数字的一行" in page  # lines without a figure are shown too


def test_hostile_text_in_a_document_stays_text():
    lines = [Line(1, f"{PAYLOAD} 36户")]
    start = len(PAYLOAD) + 1
    page = document_html(lines, _proposals((1, start, start + 3, PAYLOAD, "36户")))
    assert "<img" not in page and "{{" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;&#123;&#123; 7*7 &#125;&#125;" in page


def test_overlapping_or_off_line_spans_are_left_unmarked():
    lines = [Line(1, "412个")]
    page = document_html(lines, _proposals((1, 0, 4, "communities", "412个"), (1, 2, 9, "x", "")))
    assert page.count("<mark") == 1


def test_the_review_table_is_headed_and_worded_in_the_interfaces_language():
    from geo import figures
    from layers.marked_document import review_headers, review_options, review_shown

    assert review_headers("zh")["period_start"] == "起始年"
    assert review_headers("en")["as_written"] == "As written"
    names = {"households": "户数"}
    options = review_options(names, figures.LEVELS, figures.STATUSES, "zh")
    assert options["decision"] == {"accept": "采用", "reject": "不采用", "open": "待定"}
    assert options["metric"] == {"households": "户数", "other": "其他（不保存）"}
    assert (
        options["level"]["urban_area"] == "主城区" and options["status"]["in_progress"] == "实施中"
    )
    proposals = pd.DataFrame(
        {"unit": ["households", "m2", "count", "次", None],
         "qualifier": ["exact", "at_least", "approx", "", None],
         "value": ["22149", "2139100", "138", "2", "0.5"],
         "decision": ["accept", "", None, "reject", "accept"]}
    )  # fmt: skip
    shown = review_shown(proposals, "zh")
    assert shown["unit"].tolist() == ["户", "m²", "个", "次", ""]
    assert shown["qualifier"].tolist() == ["确数", "不少于", "约数", "", ""]
    assert shown["value"].tolist() == [22149, 2139100, 138, 2, 0.5]  # numbers, for the grid
    assert shown["decision"].tolist() == ["accept", "open", "open", "reject", "accept"]
    assert review_shown(proposals, "en")["unit"].tolist()[:3] == ["households", "m²", "count"]


def test_the_document_is_described_by_name_hash_lines_and_what_its_heading_says():
    from geo.documents.read import Document
    from layers.marked_document import document_caption

    document = Document(
        "方案.txt", "txt", "ab" * 32, 10, (Line(1, "一"), Line(2, "二")), "utf-8", ()
    )
    info = {"city": "新乡市", "doc_number": "新政〔2023〕1号", "doc_date": None}
    assert document_caption(document, info, "zh") == (
        "方案.txt · SHA-256 abababababab… · 2 行 · 城市：新乡市 · 文号：新政〔2023〕1号 · 日期：—"
    )
    assert document_caption(document, {}, "en") == (
        "方案.txt · SHA-256 abababababab… · 2 lines · city: No data · number: — · date: —"
    )


def test_estimates_of_known_metrics_are_counted_as_left_to_the_planner():
    from layers.marked_document import estimates_left

    proposals = pd.DataFrame(
        {
            "metric": ["households", "households", "other", "communities"],
            "qualifier": ["approx", "exact", "approx", "range"],
        }
    )
    assert estimates_left(proposals) == 2


def test_the_planners_edits_come_back_and_the_read_only_columns_keep_their_codes():
    from layers.marked_document import (
        REVIEW_EDITABLE,
        REVIEW_FORMATS,
        REVIEW_READ_ONLY,
        review_headers,
        review_table,
        reviewed,
    )

    proposals = pd.DataFrame(
        {"decision": ["", "accept"], "metric": ["households", "other"], "place": ["卫滨区", ""],
         "adcode": ["410703", ""], "level": ["district", ""], "period_start": [2023, None],
         "period_end": [2023, None], "status": ["planned", "planned"], "value": ["4200", "3"],
         "as_written": ["4200户", "3次"], "unit": ["households", "次"],
         "qualifier": ["at_least", ""], "line": [4, 9], "confidence": [0.9, 0.2],
         "context": ["改造4200户", "召开3次"], "figure_id": ["f1", "f2"]}
    )  # fmt: skip
    grid = review_table(proposals, "zh")
    assert list(grid.columns) == [*REVIEW_EDITABLE, *REVIEW_READ_ONLY]  # no figure_id
    assert grid["unit"].tolist() == ["户", "次"] and grid["qualifier"].tolist() == ["不少于", ""]
    grid.loc[0, ["decision", "value"]] = ["accept", 4300]
    back = reviewed(proposals, grid)
    assert back["decision"].tolist() == ["accept", "accept"] and back.loc[0, "value"] == 4300
    # The grid's words never replace the codes that are saved.
    assert back["unit"].tolist() == ["households", "次"]
    assert back["qualifier"].tolist() == ["at_least", ""]
    assert back["figure_id"].tolist() == ["f1", "f2"]
    assert proposals.loc[0, "decision"] == ""  # the proposals are left as they were
    # Every formatted column is a numeric column of the grid, with a header.
    assert set(REVIEW_FORMATS) == {"period_start", "period_end", "value", "line", "confidence"}
    assert set(REVIEW_FORMATS) <= set(review_headers("en")) & set(grid.columns)
