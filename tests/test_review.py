"""Tests for layers/review.py: a document's text with its figures marked, and nothing of it
run as HTML or template code."""

from __future__ import annotations

import pandas as pd

from geo.documents import Line
from layers.review import document_html

PAYLOAD = "<img src=x onerror=alert(1)>{{ 7*7 }}"


def _proposals(*rows):
    columns = ["line", "start", "end", "metric", "as_written"]
    return pd.DataFrame(list(rows), columns=columns)


def test_each_figure_is_marked_where_it_stands():
    lines = [Line(1, "今年改造小区412个，惠及2.2万户。"), Line(2, "没有数字的一行")]
    page = document_html(lines, _proposals((1, 6, 10, "communities", "412个")))
    assert '<mark title="communities · 412个 · 文件行号 1"' in page
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
