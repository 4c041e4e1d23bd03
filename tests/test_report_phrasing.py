"""
The reply draft and the district atlas write numbers as the documents do, and never turn a
plan into done work, a flow into part of a stock, or no data into 0: read back from the
files themselves (python-docx, pypdf).
"""

from __future__ import annotations

import datetime
import functools
import io
import re

import docx
import pandas as pd
from _reports import example_ledger
from pypdf import PdfReader

from geo import records, report
from geo.figures import load_figures
from geo.selection import Selection
from layers.atlas_pdf import atlas_pdf
from layers.citations import item_value
from layers.reply import reply_docx

TODAY = datetime.date(2026, 12, 7)
#: Two communities of 卫滨区 whose sums the documents would write 2.21 万户 and 29.19 万 m².
LEDGER = (
    "名称,区县,户数,建筑面积（平方米）,改造状态,改造年度\n"
    "甲小区,卫滨区,12000,200000,已完成,2023\n"
    "乙小区,卫滨区,10149,91900,已完成,2023\n"
)


def _text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


@functools.cache
def _summed() -> report.Report:
    ledger = records.read_ledger(LEDGER.encode("utf-8"), name="ledger.csv")
    return report.gather_report(
        load_figures(),
        Selection(cities=("新乡市",), districts=("卫滨区",)),
        projects=ledger.projects,
        ledger_source=report.DataSource("ledger.csv"),
    )


def test_sums_are_written_in_wan_as_the_documents_write_them():
    text = _text(reply_docx(_summed(), today=TODAY))
    # The ledger's sums, in the table of 卫滨区: 万户 and 万 m² with two decimals.
    assert "2.21 万户" in text and "29.19 万 m²" in text
    assert "22,149 户" not in text and "291,900" not in text
    # A document's own figure stays in its words.
    assert "3279 户" in text and "29.19 万 m²" in text
    page = PdfReader(io.BytesIO(atlas_pdf(_summed(), today=TODAY))).pages[1].extract_text()
    assert "2.21万户" in "".join(page.split())


def test_a_measured_length_is_written_with_its_thousands_separator():
    item = pd.Series(
        {"value": 1039.0, "unit": "km", "completeness": "ok", "unit_word": pd.NA,
         "as_written": pd.NA, "qualifier": "exact"}
    )  # fmt: skip
    assert item_value(item, "zh") == "1,039 千米"
    assert item_value(item, "en") == "1,039 km"


def test_a_plan_is_never_called_completed():
    made = report.gather_report(
        load_figures(),
        Selection(cities=("新乡市",), statuses=("plan",)),
        projects=example_ledger().projects,
        ledger_source=report.DataSource("synthetic-ledger-xinxiang.csv", synthetic=True),
    )
    text = _text(reply_docx(made, today=TODAY))
    assert "新乡市2023年 计划：老旧小区 138 个" in text
    assert "已完成" not in text and "已开工" not in text
    assert "台账所列计划项目" in text  # the ledger's plan rows, named as plans


def test_a_flow_is_labelled_and_never_added_to_the_stock_beside_it():
    made = report.gather_report(load_figures(), Selection(cities=("焦作市",)))
    text = _text(reply_docx(made, today=TODAY))
    flow = "112千米（2021年以来 已完成（期间新建改造量，为增量，不与存量相加））"
    assert flow in text and "1039千米（截至目前 存量）" in text
    assert "1151" not in text and "1,151" not in text  # 112 + 1039, never written


def test_no_data_is_written_as_such_and_never_as_zero():
    made = report.gather_report(load_figures(), Selection(cities=("新乡市",)))
    text = _text(reply_docx(made, today=TODAY))
    assert "暂无数据" in text
    assert not re.search(r"(?<![\d.,])0 ?(户|个|栋|千米|万 m²|万元)", text)
    pages = PdfReader(io.BytesIO(atlas_pdf(made, today=TODAY))).pages
    atlas = "".join("".join(p.extract_text().split()) for p in pages)
    assert "暂无数据" in atlas
    assert not re.search(r"(?<![\d.,])0(户|个|栋|千米|万m²|万元)", atlas)
