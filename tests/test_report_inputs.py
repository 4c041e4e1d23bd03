"""
The reply draft and the district atlas from the ledgers planners actually have: one without
coordinates (located by its 区县 column) and one without districts (located by its points),
in both languages, read back with python-docx and pypdf.
"""

from __future__ import annotations

import datetime
import functools
import io

import docx
import pytest
from _reports import example_survey
from pypdf import PdfReader

from geo import records, report
from geo.figures import load_figures
from geo.selection import Selection
from layers.atlas_pdf import atlas_pdf
from layers.reply import reply_docx

TODAY = datetime.date(2026, 12, 7)
#: The commonest 台账 shapes, as in tests/workspace/test_app_inputs.py: (file text, datum).
LEDGERS = {
    "no-coordinates.csv": ("名称,区县,户数\n幸福小区,卫滨区,352\n红旗小区,红旗区,120\n", None),
    "no-districts.csv": (
        "小区名称,经度,纬度,户数\n幸小区,113.856585,35.278208,352\n幸东小区,113.872870,35.247795,173\n",
        "gcj02",
    ),
}
PLACES = ("卫滨区", "红旗区")


@functools.cache
def _report(name: str) -> report.Report:
    text, datum = LEDGERS[name]
    ledger = records.read_ledger(text.encode("utf-8"), name=name, crs_name=datum)
    assert len(ledger.projects) == 2 and ledger.quarantine.empty
    return report.gather_report(
        load_figures(),
        Selection(cities=("新乡市",), districts=PLACES),
        projects=ledger.projects,
        ledger_source=report.DataSource(name),
        infra=example_survey(),
        infra_source=report.DataSource("synthetic-survey-xinxiang.geojson", synthetic=True),
    )


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def _pdf_pages(data: bytes) -> dict[str, str]:
    """Each page's text (spaces removed) by the place its title names; the cover as "cover"."""
    texts = ["".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]
    named = {place: t for t in texts[1:] for place in PLACES if f"{place}新乡市·" in t}
    assert len(named) == len(texts) - 1
    return {"cover": texts[0], **named}


def _ledger_households(made: report.Report) -> dict[str, float]:
    items = made.items
    rows = items[(items["source_kind"] == "ledger") & (items["metric"] == "households")]
    return dict(zip(rows["place"], rows["value"], strict=True))


def test_a_ledger_without_coordinates_is_summed_by_its_district_column():
    assert _ledger_households(_report("no-coordinates.csv")) == {
        "红旗区": 120,
        "卫滨区": 352,
        "新乡市": 472,
    }


def test_a_ledger_without_districts_is_summed_where_its_points_lie():
    # Both points lie in 卫滨区: 红旗区 has no ledger row, so no ledger figure (never 0).
    assert _ledger_households(_report("no-districts.csv")) == {"卫滨区": 525, "新乡市": 525}


def test_the_reply_from_a_ledger_without_coordinates_has_its_sums_and_says_why_no_reach():
    zh = _docx_text(reply_docx(_report("no-coordinates.csv"), today=TODAY))
    assert "户数 472 户" in zh
    # The communities are in the ledger, only not on the map: the walking shares say so.
    assert "本区没有带坐标的台账小区" in zh
    assert "本区没有台账小区" not in zh
    en = _docx_text(reply_docx(_report("no-coordinates.csv"), today=TODAY, lang="en"))
    assert "Households 472 households" in en
    assert "no ledger community with a location here" in en
    assert "；" not in en and "暂无数据" not in en


def test_the_atlas_from_a_ledger_without_coordinates_in_both_languages():
    made = _report("no-coordinates.csv")
    pages = _pdf_pages(atlas_pdf(made, today=TODAY))
    assert "352户" in pages["卫滨区"] and "120户" in pages["红旗区"]
    assert "本区没有带坐标的台账小区" in pages["卫滨区"]
    assert "no-coordinates.csv" in pages["卫滨区"]  # the ledger sum's source
    pages = _pdf_pages(atlas_pdf(made, today=TODAY, lang="en"))
    assert "352households" in pages["卫滨区"]
    # The atlas's tables word the reason short (reason_short_no_projects).
    assert "nolocatedcommunities" in pages["卫滨区"]
    assert "暂无数据" not in "".join(pages.values())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_reply_and_atlas_from_a_ledger_without_districts(lang):
    made = _report("no-districts.csv")
    text = _docx_text(reply_docx(made, today=TODAY, lang=lang))
    assert ("户数 525 户" if lang == "zh" else "Households 525 households") in text
    pages = _pdf_pages(atlas_pdf(made, today=TODAY, lang=lang))
    assert ("525户" if lang == "zh" else "525households") in pages["卫滨区"]


def test_ledger_buildings_are_counted_in_dong_as_the_documents_count_theirs():
    zh = _docx_text(reply_docx(_xinxiang_example(), today=TODAY))
    assert "楼栋数 94 栋" in zh and "楼栋数 94 个" not in zh


@functools.cache
def _xinxiang_example() -> report.Report:
    from _reports import example_ledger

    return report.gather_report(
        load_figures(),
        Selection(cities=("新乡市",)),
        projects=example_ledger().projects,
        ledger_source=report.DataSource("synthetic-ledger-xinxiang.csv", synthetic=True),
    )
