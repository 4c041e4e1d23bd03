"""AppTest of the walking-reach page on the hand-built wall scene of tests/_osm.py (延津县)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from _osm import lonlat, osm_xml, wall_scene
from streamlit.testing.v1 import AppTest

from app_pages._ui.common import INFRA_KEY, LEDGER_KEY, LoadedInfra, LoadedLedger
from geo import infra, reconcile, records
from geo.figures import load_figures
from tests._pages import open_page
from tests.conftest import unescaped

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 180


def _ledger_csv(points: dict[str, tuple[float, float]]) -> bytes:
    rows = ["小区名称,所属城市,所属区县,改造年度,户数,经度,纬度,坐标系"]
    for name, (x, y) in points.items():
        lon, lat = lonlat(x, y)
        rows.append(f"{name},新乡市,延津县,2024,100,{lon},{lat},wgs84")
    return "\n".join(rows).encode("utf-8")


@pytest.fixture
def scene(tmp_path):
    """The wall scene with steps as its shortcut: 100 m straight, 107.7 m on foot, 900 m rolled."""
    path = osm_xml(*wall_scene({"highway": "steps"}), tmp_path / "wall.osm")
    data = path.read_bytes()
    found = infra.read_infra(data, name="wall.osm")
    # <script> in a name: the popup, route and walkshed tooltips must carry it as text.
    ledger = records.read_ledger(
        _ledger_csv({"北墙<script>小区": (0, 0), "空地小区": (200, 50)}), name="ledger.csv"
    )
    assert len(ledger.projects) == 2, ledger.quarantine
    return (
        LoadedInfra(found, "wall.osm", hashlib.sha1(data).hexdigest(), data=data),
        LoadedLedger(ledger, "ledger.csv", reconcile.reconcile(ledger.projects, load_figures())),
    )


def _open(scene) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[INFRA_KEY], at.session_state[LEDGER_KEY] = scene
    open_page(at, "reach").run()
    assert not at.exception, at.exception
    return at


def _communities(at: AppTest):
    return next(d.value for d in at.dataframe if "小区名称" in d.value.columns).set_index(
        "小区名称"
    )


def test_wheelchair_goes_around_the_steps_and_the_empty_lot_is_off_network(scene):
    at = _open(scene)
    assert unescaped(at.caption[1].value) == "路网：wall.osm · 9 个节点 · 8 条路段"
    # The empty lot (200, 50) lies 50 m from the ring's streets: off the network once the
    # planner allows 40 m (communities join the nearest point on a street, not a node).
    at.number_input[0].set_value(40).run()
    table = _communities(at)
    walk = "最近无障碍公交站（步行，沿路网）"
    assert table.loc["北墙<script>小区", "最近无障碍公交站（直线）"] == "100 米"
    assert table.loc["北墙<script>小区", walk] == "108 米"
    assert table.loc["空地小区", walk] == "离路网太远，未计算"
    at.radio(key="profile").set_value("wheelchair").run()
    assert not at.exception, at.exception
    table = _communities(at)
    assert table.loc["北墙<script>小区", "最近无障碍公交站（轮椅通行，沿路网）"] == "900 米"
    # 延津县: one of its two communities measured, the other off the network: a lower bound
    # at most, and the scene covers a sliver of the county, so no value at all, not 0.
    districts = next(d.value for d in at.dataframe if "区县" in d.value.columns)
    row = districts.set_index("区县").loc["延津县"]
    share = [v for k, v in row.items() if "沿路网轮椅通行 500 米内有无障碍公交站" in k]
    assert share and share[0].startswith("数据不足"), row


def test_route_and_walkshed_are_drawn_on_demand(scene):
    at = _open(scene)
    at.radio(key="profile").set_value("wheelchair").run()
    next(b for b in at.button if b.label == "画出路线").click().run()
    assert not at.exception, at.exception
    assert (
        unescaped(at.success[0].value)
        == "北墙<script>小区 → 最近无障碍公交站（轮椅通行）：900 米；无标注路段占 100%"
    )
    next(b for b in at.button if b.label == "画出步行范围").click().run()
    assert not at.exception, at.exception
    drawn = at.session_state["reach_drawn"]
    assert set(drawn) == {"walkshed", "route"}
    shed = drawn["walkshed"][2]
    assert shed["status"].iloc[0] == "ok" and shed["profile"].iloc[0] == "wheelchair"
    # 500 m along A → B → C; the steps towards the stop are no way for a wheelchair.
    assert shed["reachable_km"].iloc[0] == pytest.approx(0.5, abs=1e-3)
    labels = [unescaped(b.label) for b in at.get("download_button")]
    assert any(
        unescaped(label).startswith("下载步行范围：北墙<script>小区 500 米") for label in labels
    )
    # Drawn again (the same community): replaced, not compared frame by frame.
    next(b for b in at.button if b.label == "画出路线").click().run()
    assert not at.exception, at.exception
    data = json.loads(at.session_state["reach_drawn"]["route"][2].to_json())
    assert data["features"][0]["geometry"]["type"] == "LineString"


def test_the_walker_radii_snap_and_measure_come_from_the_address(scene):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    link = {"profile": "wheelchair", "radii": "500", "snap": "50"}
    for key, value in link.items():
        at.query_params[key] = value
    at.session_state[INFRA_KEY], at.session_state[LEDGER_KEY] = scene
    open_page(at, "reach").run()
    assert not at.exception, at.exception
    assert at.radio(key="profile").value == "wheelchair"
    assert at.multiselect(key="radii").value == [500]
    assert at.number_input(key="snap").value == 50
    measures = at.selectbox(key="measure").options
    assert measures and all("500 米" in m and "轮椅" in m for m in measures)
    assert {k: at.query_params[k] for k in link} == link


def test_with_no_community_on_the_network_the_community_choices_say_so_in_chinese(scene):
    # A ledger of district names alone: nothing to draw a walkshed or route from. The empty
    # choices read Streamlit's own English "No options to select" on the Chinese page.
    found, _ = scene
    ledger = records.read_ledger(
        "小区名称,所属城市,所属区县,户数\n北街小区,新乡市,延津县,210\n".encode(), name="d.csv"
    )
    table = reconcile.reconcile(ledger.projects, load_figures())
    at = _open((found, LoadedLedger(ledger, "d.csv", table)))
    boxes = [s for s in at.selectbox if s.label == "小区"]
    assert len(boxes) == 2
    assert [(s.options, s.placeholder) for s in boxes] == [([], "没有位于路网上的小区")] * 2
