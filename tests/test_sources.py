"""Tests for layers/sources.py: a figure's lines cited by document, never by a seed's hash."""

from __future__ import annotations

import pytest

from layers.sources import cited_lines, line_text, lines_text

SEED = "002_b03d685b680bd4c7.txt"  # 新百城提质办〔2023〕2号
OTHER = "000_62c29093769a1134.txt"  # 焦建办〔2024〕31号


def test_a_source_line_cites_its_line_not_the_seed_file():
    source = (
        f"新百城提质办〔2023〕2号 · 新乡市百城建设提质工程领导小组办公室 · 2023-02-07 · {SEED}:31"
    )
    assert cited_lines(source, "zh").endswith(" · 2023-02-07 · 第 31 行")
    assert cited_lines(source, "en").endswith(" · line 31")
    assert SEED not in cited_lines(source, "zh")


@pytest.mark.parametrize(
    ("lang", "documents", "expected"),
    [
        ("zh", True, "新百城提质办〔2023〕2号 第 29、31 行；焦建办〔2024〕31号 第 23 行"),
        ("en", True, "新百城提质办〔2023〕2号 lines 29, 31; 焦建办〔2024〕31号 line 23"),
        ("zh", False, "第 29、31 行；第 23 行"),
    ],
)
def test_lines_are_grouped_by_document_named_by_number(lang, documents, expected):
    cell = f"{SEED}:29; {SEED}:31; {OTHER}:23"
    assert lines_text(cell, lang, documents=documents) == expected


def test_a_planners_own_document_keeps_its_file_name():
    assert lines_text("新乡-2024.docx:4", "zh") == "新乡-2024.docx 第 4 行"
    assert line_text(None, "zh") == "" and line_text(7.0, "en") == "line 7"
