"""
AppTest of long tables: a page of rows written and sent, which rows of how many said.

A national ledger has 300,000 communities; a table of them all took seconds a run to write
and tens of megabytes to send. A ledger of 1,234 clean and 520 quarantined rows stands in.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _osm import lonlat
from streamlit.testing.v1 import AppTest

from app_pages._ui import paged
from app_pages._ui.common import LEDGER_KEY, LoadedLedger
from geo import completeness, priorities, reconcile, records
from geo.figures import load_figures
from layers import priorities as words
from layers.tables import projects_table
from tests._pages import open_page

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 180
CLEAN, QUARANTINED = 1234, 520
#: The page's size here: the app's (5,000) scaled down, so a 1,234-row ledger spans pages.
PAGE_ROWS = 500


@pytest.fixture(autouse=True)
def _small_pages(monkeypatch):
    monkeypatch.setattr(paged, "PAGE_ROWS", PAGE_ROWS)


@pytest.fixture(scope="module")
def loaded() -> LoadedLedger:
    lines = ["小区名称,所属城市,所属区县,户数,状态,建成年代,经度,纬度,坐标系"]
    for i in range(CLEAN):  # every 10th with a point
        lon, lat, datum = (*lonlat(i, i), "wgs84") if i % 10 == 0 else ("", "", "")
        lines.append(f"小区{i}号,新乡市,延津县,{100 + i},计划,{1960 + i % 50},{lon},{lat},{datum}")
    lines += [f"约{i}号,新乡市,延津县,约{i}户,计划,1990,,," for i in range(QUARANTINED)]
    ledger = records.read_ledger("\n".join(lines).encode("utf-8"), name="big.csv")
    assert (len(ledger.projects), len(ledger.quarantine)) == (CLEAN, QUARANTINED)
    return LoadedLedger(ledger, "big.csv", reconcile.reconcile(ledger.projects, load_figures()))


def _open(loaded: LoadedLedger, page: str, lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[LEDGER_KEY] = loaded
    at.session_state["lang"] = lang
    open_page(at, page).run()
    assert not at.exception, at.exception
    return at


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_ledger_page_shows_a_page_of_its_communities_and_says_which(loaded, lang):
    at = _open(loaded, "ledger", lang)
    tables = [t.value for t in at.dataframe]
    projects = projects_table(loaded.ledger.projects, lang)
    shown = next(t for t in tables if list(t.columns) == list(projects.columns))
    assert len(shown) == PAGE_ROWS
    assert shown.iloc[:, 0].tolist() == projects.iloc[:PAGE_ROWS, 0].tolist()
    said = {
        "zh": ["共 1,234 行，本页显示第 1–500 行。", "共 520 行，本页显示第 1–500 行。"],
        "en": ["1,234 rows; this page shows rows 1–500.", "520 rows; this page shows rows 1–500."],
    }[lang]
    assert set(said) <= set(_captions(at))
    # Every row stays reachable: the last page has the last 234.
    at.number_input(key="ledger_projects_page").set_value(3).run()
    shown = next(t.value for t in at.dataframe if list(t.value.columns) == list(projects.columns))
    assert shown.iloc[:, 0].tolist() == projects.iloc[1000:, 0].tolist()
    last = "共 1,234 行，本页显示第 1,001–1,234 行。" if lang == "zh" else "rows 1,001–1,234."
    assert any(c.endswith(last) for c in _captions(at))
    quarantine = [t for t in (t.value for t in at.dataframe) if len(t) == PAGE_ROWS]
    assert len(quarantine) == 1  # the quarantined rows, their first page


def test_the_priorities_page_ranks_every_candidate_and_shows_a_page(loaded):
    at = _open(loaded, "priorities", "en")
    weights = priorities.PRESETS["balanced"]
    ranked = priorities.rank(loaded.ledger.projects, among="planned", weights=weights)
    whole = words.ranked_table(ranked, weights, "en")
    table = at.dataframe[0].value
    assert len(table) == PAGE_ROWS and list(table.columns) == list(whole.columns)
    assert "Communities ranked: 1,234; preset: Balanced." in _captions(at)
    assert "1,234 rows; this page shows rows 1–500." in _captions(at)
    # The map draws the communities of the page shown, and says so.
    page = ranked.iloc[:PAGE_ROWS]
    placed = int(page.geometry.notna().sum())
    assert 0 < placed < int(ranked.geometry.notna().sum())
    said = f"The map shows the {placed} communities with a point on this page of the table"
    assert any(c.startswith(said) for c in _captions(at))
    at.number_input(key="priorities_page").set_value(2).run()
    table = at.dataframe[0].value
    assert table.to_numpy().tolist() == whole.iloc[500:1000].to_numpy().tolist()


def test_the_quality_page_shows_a_page_of_the_quarantined_rows(loaded):
    at = _open(loaded, "quality", "zh")
    assert [len(t.value) for t in at.dataframe if len(t.value) == PAGE_ROWS] == [PAGE_ROWS]
    assert "共 520 行，本页显示第 1–500 行。" in _captions(at)


def test_the_quality_page_makes_the_completeness_table_once_per_server(monkeypatch):
    # Each run listed the places over all of China's outlines and walked every place's
    # figures family by family, whatever the planner clicked; now once per cities and day.
    made = []
    real = completeness.completeness
    monkeypatch.setattr(
        completeness, "completeness", lambda *a, **kw: made.append(1) or real(*a, **kw)
    )
    tables = []
    for lang in ("zh", "en", "zh"):
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.query_params["city"] = "新乡市"
        at.session_state["lang"] = lang
        open_page(at, "quality").run()
        assert not at.exception, at.exception
        tables.append(at.dataframe[-2].value)  # the place × family matrix
    assert made == [1]
    assert tables[0].equals(tables[2]) and len(tables[1]) == len(tables[0]) > 5
