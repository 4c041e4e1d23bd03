"""
Every page, in both languages, on the inputs planners actually have: ledgers without
coordinates, without districts or with only addresses, and figures with every qualifier
(约, 余, 多, 超, 不足, 左右…). First read on the ledger page and not saved, then saved in the
workspace (on both back ends): no page may raise.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cli import main
from geo.documents.quantities import QUALIFIERS
from geo.documents.table import read_figure_table
from layers.wording import LANGS
from store import open_workspace
from tests._pages import open_page
from tests.conftest import unescaped

from .conftest import app_session

PAGES = [
    "map",
    "compare",
    "quality",
    "export",
    "report",
    "ledger",
    "accessibility",
    "reach",
    "lifecircle",
    "figures",
    "progress",
    "history",
    "account",
]
#: The commonest 台账 shapes: (file text, the datum a planner picks for its coordinates).
LEDGERS = {
    "no-coordinates": ("名称,区县,户数\n幸福小区,卫滨区,352\n红旗小区,红旗区,120\n", None),
    "no-districts": (
        "小区名称,经度,纬度,户数\n幸小区,113.856585,35.278208,352\n幸东小区,113.872870,35.247795,173\n",
        "gcj02",
    ),
    "addresses-only": (
        "小区名称,地址,户数\n幸福小区,河南省新乡市卫滨区健康路18号,352\n"
        "红旗小区,新乡市红旗区平原路1号,120\n",
        None,
    ),
}
#: A filled-in figures table for 洛阳 whose values carry every qualifier a report writes.
FIGURES = (
    "地区,城市,时期,状态,指标,数值,单位,文号,发文机关,日期,行号或页码\n"
    "全市,洛阳市,2023,计划,户数,约2.9万户,,,洛阳日报,2023-10-16,第3行\n"
    "涧西区,洛阳市,2023,计划,老旧小区,不足30个,,,洛阳日报,2023-10-16,第4行\n"
    "西工区,洛阳市,2023,计划,老旧小区,12个以上,,,洛阳日报,2023-10-16,第5行\n"
    "老城区,洛阳市,2023,计划,户数,3000余户,,,洛阳日报,2023-10-16,第6行\n"
    "瀍河回族区,洛阳市,2023,计划,户数,2000多户,,,洛阳日报,2023-10-16,第7行\n"
    "洛龙区,洛阳市,2023,计划,户数,超5000户,,,洛阳日报,2023-10-16,第8行\n"
    "偃师区,洛阳市,2023,计划,户数,1200户左右,,,洛阳日报,2023-10-16,第9行\n"
    "孟津区,洛阳市,2023,已完成,户数,4200户,,,洛阳日报,2023-10-16,第10行\n"
)


def _failures(at: AppTest, pages: list[str] = PAGES) -> dict[tuple[str, str], str]:
    """Open every page in each language in this session: the pages that raised, and what."""
    failed = {}
    for lang in LANGS:
        at.sidebar.radio(key="lang").set_value(lang).run()
        for page in pages:
            open_page(at, page).run()
            if at.exception:
                failed[(lang, Path(page).stem)] = at.exception[0].message.splitlines()[-1]
    return failed


def _save_seed_plan(capsys) -> None:
    """The 新乡 2023 plan of the seed figures, saved as ``plan``: the 进度 page then computes."""
    command = ["plan", "save", "--from-figures", "--city", "新乡市", "--year", "2023"]
    assert main([*command, "--start-by", "2023-03-31", "--dataset", "plan"]) == 0
    capsys.readouterr()


def _read_on_the_ledger_page(name: str) -> AppTest:
    text, datum = LEDGERS[name]
    at = app_session()
    open_page(at, "ledger").run()
    at.file_uploader(key="upload").set_value((f"{name}.csv", text.encode(), "text/csv")).run()
    if datum is not None:
        at.selectbox(key="datum-pick").set_value(datum).run()
    next(b for b in at.button if b.label == "读取台账").click().run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("name", list(LEDGERS))
def test_every_page_takes_a_ledger_read_and_not_saved(name):
    at = _read_on_the_ledger_page(name)
    assert [m.value for m in at.metric][:3] == ["2", "2", "0"]  # rows, clean, quarantined
    assert _failures(at) == {}


# The ledger is read, not saved: the store is not what is tested, one back end is enough (the
# plan the page reads is saved and read on both in test_progress_workspace.py).
@pytest.mark.parametrize("app_backend", ["sqlite"], indirect=True)
@pytest.mark.usefixtures("app_backend")
@pytest.mark.parametrize("name", list(LEDGERS))
def test_the_progress_page_takes_a_ledger_read_and_not_saved(name, capsys):
    _save_seed_plan(capsys)
    at = _read_on_the_ledger_page(name)
    assert _failures(at, ["progress"]) == {}
    # Without date columns the page says it has no data for starts, and shows no 0 %.
    assert "The ledger has no start-date column" in " ".join(w.value for w in at.warning)
    table = at.dataframe[0].value.set_index("Place")
    assert "0%" not in set(table["Start rate"])


@pytest.mark.usefixtures("app_backend")
@pytest.mark.parametrize("name", list(LEDGERS))
def test_every_page_takes_a_ledger_saved_from_the_command_line(name, tmp_path, capsys):
    text, datum = LEDGERS[name]
    path = tmp_path / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    _save_seed_plan(capsys)
    assert main(["ingest", str(path), "--save", *(["--crs", datum] if datum else [])]) == 0
    capsys.readouterr()
    at = app_session()
    caption = next(unescaped(c.value) for c in at.caption if "个小区有坐标" in c.value)
    assert f"{name}@1" in caption
    assert _failures(at) == {}


def test_every_qualifier_a_report_writes_is_read():
    table = read_figure_table(FIGURES.encode("utf-8"), name="洛阳.csv")
    assert table.quarantine.empty
    # The qualifiers a figure keeps (a range is refused as one figure, so never saved).
    assert set(table.figures["qualifier"]) == set(QUALIFIERS) - {"range"}


@pytest.mark.usefixtures("app_backend")
def test_every_page_and_place_takes_saved_figures_of_every_qualifier():
    table = read_figure_table(FIGURES.encode("utf-8"), name="洛阳.csv")
    with open_workspace() as workspace:
        workspace.save_figures(table.figures, name="luoyang-2023", user="clerk")
    # The city, its province and all of China: the map's records table for each (the city's
    # map is among every page its session opens, in both languages).
    luoyang = app_session(province="河南省", city="洛阳市")
    shown = luoyang.dataframe[-1].value
    assert set(shown["数值性质"]) == {"约数", "不超过", "不少于", "确数"}
    assert _failures(luoyang) == {}
    for place in ({"province": "河南省"}, {"province": "china"}):
        assert _failures(app_session(**place), ["map"]) == {}, place
