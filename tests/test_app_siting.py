"""AppTest of the 选址 page on a 5 × 5 footway grid (tests/test_siting.py) in 新乡."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from _osm import lonlat
from streamlit.testing.v1 import AppTest
from test_siting import _grid

from app_pages._ui.common import INFRA_KEY, LEDGER_KEY, LoadedInfra, LoadedLedger
from geo import infra, reconcile, records
from geo.figures import load_figures
from tests._pages import open_page

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 180


@pytest.fixture
def scene(tmp_path):
    data = _grid(tmp_path).read_bytes()
    found = infra.read_infra(data, name="grid.osm")
    rows = ["小区名称,所属城市,所属区县,改造年度,户数,经度,纬度,坐标系"]
    for name, (x, y), households in (
        ("东北<script>小区", (300, 300), 100),
        ("中间小区", (100, 100), 200),
        ("西南小区", (0, 0), 50),
    ):
        lon, lat = lonlat(x, y)
        rows.append(f"{name},新乡市,延津县,2024,{households},{lon},{lat},wgs84")
    ledger = records.read_ledger("\n".join(rows).encode("utf-8"), name="ledger.csv")
    assert len(ledger.projects) == 3, ledger.quarantine
    return (
        LoadedInfra(found, "grid.osm", hashlib.sha1(data).hexdigest(), data=data),
        LoadedLedger(ledger, "ledger.csv", reconcile.reconcile(ledger.projects, load_figures())),
    )


def _open(scene, lang="zh") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[INFRA_KEY], at.session_state[LEDGER_KEY] = scene
    at.session_state["lang"] = lang
    open_page(at, "siting").run()
    assert not at.exception, at.exception
    return at


def test_two_ramps_reach_the_two_communities_the_existing_one_misses(scene):
    at = _open(scene)
    at.number_input(key="siting_count").set_value(2).run()
    at.number_input(key="siting_radius").set_value(150).run()
    assert not at.exception, at.exception
    assert at.success[0].value == (
        "已有设施覆盖 50 户；新增 2 处后覆盖 350 户（最优解），贪心解 350 户；"
        "共 350 户有坐标和户数。"
    )
    assert "已证明为最优解" in [c.value for c in at.caption]
    assert "候选点 2 处，已有设施 1 处" in [c.value for c in at.caption]
    table = next(d.value for d in at.dataframe if "次序" in d.value.columns)
    assert table["名称或 OSM 编号"].tolist() == ["node/7", "node/19"]
    assert table["新增覆盖（户）"].tolist() == ["200", "100"]


def test_in_english_and_a_stop_that_adds_nobody(scene):
    at = _open(scene, "en")
    at.number_input(key="siting_count").set_value(1).run()
    at.number_input(key="siting_radius").set_value(150).run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Order" in d.value.columns)
    assert table["Name or OSM id"].tolist() == ["node/7"]
    assert table["Households added"].tolist() == ["200"]
    assert at.success[0].value == (
        "The existing sites cover 50 households; with 1 new site(s) 250 (optimum), greedy 250; "
        "350 households have a point and a count."
    )
    # 乙站 at (400, 0) is 400 m on foot from every community: nothing within 300 m.
    at.radio(key="siting_type").set_value("accessible_bus_stop").run()
    at.number_input(key="siting_radius").set_value(300).run()
    assert not at.exception, at.exception
    assert "1 candidates, 1 existing sites" in [c.value for c in at.caption]
    assert "No candidate reaches a household the existing sites leave out" in [
        c.value for c in at.caption
    ]
