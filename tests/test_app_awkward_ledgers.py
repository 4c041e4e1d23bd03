"""
Every page with the ledgers planners actually send, in both languages: addresses only, no
district column, district names only (one of them unknown), a city and nothing else.

Each ledger is read on the ledger page, then every page of the navigation is opened: none may
raise, and none may show a code, a missing value or a word of the other language
(:func:`tests._screen.screen_problems`) beyond the planner's own data.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import figures
from geo.boundaries import read_admin_index
from geo.gazetteer import list_zones
from tests._pages import open_page
from tests._screen import screen_problems, screen_texts
from tests.test_app_navigation import URL_PATHS

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 300
LEDGERS = {
    "addresses": (
        "小区名称,所属城市,地址,改造年度,户数\n"
        "幸福小区,新乡市,新乡市卫滨区胜利路12号,2023,352\n"
        "红旗小区,新乡市,红旗区平原路8号,2022,120\n"
        "无名,新乡市,,2023,50\n"
    ),
    "no-district": (
        "小区名称,所属城市,改造年度,户数,经度,纬度,坐标系\n"
        "幸福小区,新乡市,2023,352,113.85,35.28,wgs84\n"
        "红旗小区,新乡市,2022,120,113.90,35.30,wgs84\n"
    ),
    "district-names": (
        "名称,区县,户数\n幸福小区,卫滨区,352\n红旗小区,红旗区,120\n未知小区,不存在区,10\n"
    ),
    "city-only": "小区名称,所属城市,户数\n幸福小区,焦作市,352\n",
}
_READ = {"zh": "读取台账", "en": "Read ledger"}


def _planners_words(text: str) -> set[str]:
    """The places, the documents' words and the file's own cells and headers."""
    places = read_admin_index()[["province", "city", "district"]].to_numpy().ravel()
    zones = list_zones()[["name", "city"]].to_numpy().ravel()
    seed = figures.load_figures()
    wording = seed[["place", "as_written", "doc_number", "issuer", "title", "period_label"]]
    notes = figures.load_notes()[["district", "community", "content_tags"]]
    cells = set(re.split(r"[,\n]", text))
    # 坐标系 is the column a CSV states its datum in: the survey page's datum chooser names it.
    words = {*map(str, places), *map(str, zones), *cells, "坐标系"}
    words |= {*wording.astype(str).to_numpy().ravel(), *notes.astype(str).to_numpy().ravel()}
    # What the export page says its files call their layers (as QGIS lists them).
    words |= {"districts", "projects", "quarantine", "reconciliation", "infra_points"}
    words |= {"infra_lines", "coverage"}
    return {w for w in words if re.search(r"[^\W\d_]", w)}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", list(LEDGERS))
def test_every_page_opens_with_an_awkward_ledger_in_the_planners_language(name, lang):
    text = LEDGERS[name]
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    open_page(at, "ledger").run()
    at.file_uploader(key="upload").set_value((f"{name}.csv", text.encode(), "text/csv")).run()
    next(b for b in at.button if b.label == _READ[lang]).click().run()
    assert not at.exception, at.exception
    words, problems = _planners_words(text), []
    for page in URL_PATHS:
        open_page(at, page).run()
        assert not at.exception, (page, at.exception)
        problems += [f"{page}: {p}" for p in screen_problems(screen_texts(at), lang, data=words)]
    assert problems == [], "\n".join(problems)
