"""
AppTest of figures for a city outside the seeds: a report's reviewed figures are saved and
colour its districts, traced to the report's lines; a filled-in table brings the same
figures; the seed cities show what they showed before.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import figures
from geo.documents.extract import extract_figures
from geo.documents.read import read_document
from geo.documents.table import read_figure_table
from store import open_workspace
from tests._pages import open_page
from tests.conftest import unescaped

from .conftest import app_session

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "app.py")
REPORT = REPO / "tests" / "data" / "documents" / "luoyang-news-2023.txt"
TIMEOUT = 120
# The report's first figures, as a planner would type them into the template.
TABLE = (
    "地区,城市,时期,状态,指标,数值,单位,文号,发文机关,日期,行号或页码\n"
    "全市,洛阳市,2023,计划,老旧小区,412个,,,洛阳日报,2023-10-16,第3行\n"
    "全市,洛阳市,2023,计划,户数,2.2万户,,,洛阳日报,2023-10-16,第3行\n"
)


pytestmark = pytest.mark.usefixtures("app_backend")


def _luoyang_table(at: AppTest):
    """The map page's table of figures (headed in Chinese), 洛阳's rows."""
    table = at.dataframe[-1].value
    return table[table["所属城市"] == "洛阳市"]


def test_a_reviewed_report_colours_its_city_with_the_figures_traced_to_its_lines():
    seed_view = _luoyang_table(app_session(province="河南省", city="洛阳市"))
    assert seed_view.empty  # 洛阳: no seed figure, every district 无数据
    extraction = extract_figures(read_document(REPORT))
    proposals = extraction.figures.assign(decision="")
    # The planner accepts the plan's households and communities on line 3, rejects the rest.
    chosen = (proposals["line"] == 3) & proposals["metric"].isin(["households", "communities"])
    chosen &= proposals["status"] == "plan"
    proposals.loc[chosen, "decision"] = "accept"
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["figures_review"] = (extraction, proposals, REPORT.read_bytes())
    at.run()
    open_page(at, "figures").run()
    assert not at.exception, at.exception
    # The report's text, every proposal marked where it stands (escaped, as any upload).
    (text,) = [h for h in at.html if not h.value.startswith("<style>")]  # not the page's style
    assert text.value.count("<mark") == len(proposals) and "<script" not in text.value
    assert text.value.count('<mark title="户数 · 2.2万户') == 2
    at.button(key="figures-save").click().run()
    assert not at.exception, at.exception
    assert [unescaped(s.value) for s in at.success] == [
        "已保存为 luoyang-news-2023@1（2 项数据），地图等页面已可显示。"
    ]
    shown = _luoyang_table(app_session(province="河南省", city="洛阳市"))
    assert sorted(shown["数值"]) == ["2.2万户", "412个"]  # as the report writes them
    assert set(shown["文件行号"]) == {"第 3 行"}  # the report's line
    cards = app_session(province="河南省", city="洛阳市").metric
    assert any(m.value == "2.2万户" for m in cards)


def test_a_filled_in_table_brings_the_same_figures():
    table = read_figure_table(TABLE.encode("utf-8"), name="洛阳.csv")
    assert len(table.figures) == 2 and table.quarantine.empty
    with open_workspace() as workspace:
        workspace.save_figures(table.figures, name="luoyang-table", user="clerk")
    shown = _luoyang_table(app_session(province="河南省", city="洛阳市"))
    assert sorted(shown["数值"]) == ["2.2万户", "412个"]  # as the table writes them
    assert set(shown["性质"]) == {"计划"}


def test_the_seed_cities_show_exactly_what_they_showed():
    seed = figures.load_figures()
    with open_workspace() as workspace:
        table = read_figure_table(TABLE.encode("utf-8"), name="洛阳.csv")
        workspace.save_figures(table.figures, name="luoyang-table", user="clerk")
    shown = app_session().dataframe[-1].value
    assert len(shown) == len(seed[seed["role"] != "stated_total"])
    assert set(shown["所属城市"]) <= set(seed["city"])
