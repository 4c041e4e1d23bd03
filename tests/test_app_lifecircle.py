"""AppTest of the 生活圈 page on the shipped synthetic example network and ledger."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests._pages import open_page
from tests.conftest import unescaped

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 300


def _table(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_example_network_shows_checklists_districts_with_no_data_and_clauses():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    open_page(at, "lifecircle").run()
    assert at.info[0].value.startswith("请先在“台账”页读入台账")
    next(b for b in at.button if b.label == "加载合成示例路网").click().run()
    assert not at.exception, at.exception
    assert at.warning[0].value.startswith("这是合成示例路网（新乡卫滨区、红旗区、牧野区）")
    share = "300 米内有幼儿园的户数占比（步行）"
    districts = _table(at, share).set_index("区县")
    # 凤泉区 holds example communities but lies outside the example network: no data, not 0.
    assert districts.loc["凤泉区", share] == "数据不足：本区不在数据范围内"
    assert districts.loc["卫滨区", share].endswith("%")
    metro = "800 米内有轨道交通站点的户数占比（步行）"
    assert districts.loc["卫滨区", metro] == "数据不足：数据源中没有此类设施（未采集不等于没有）"
    cities = next(d.value for d in at.dataframe if d.value.columns[0] == "所属城市")
    assert cities.loc[0, share] == "数据不足：并非每个有台账小区的区县都有数据，不计全市数字"
    communities = _table(at, "完整社区").set_index("小区名称")
    assert set(communities["完整社区"]) == {"是", "否", "数据不足"}
    assert communities.loc["建东小区", "幼儿园：步行距离"] == "不在路网数据范围内"
    assert communities.loc["幸小区", "轨道交通站点：步行距离"] == "数据中没有此类设施"
    assert communities.loc["幸小区", "幼儿园：步行距离"].startswith(("✔ ", "✘ "))
    sources = _table(at, "条款")
    assert set(sources["是否核对原文"]) == {"设定值，未核对原文"}
    assert sources.loc[1, "标准"] == "GB 50180-2018 城市居住区规划设计标准"
    # A community's walksheds and the services inside them.
    next(b for b in at.button if b.label == "画出步行范围").click().run()
    assert not at.exception, at.exception
    _, profile, name, sheds, inside = at.session_state["lifecircle_drawn"]
    assert profile == "walk" and sheds["distance_m"].tolist() == [1000, 500, 300]
    assert (inside["distance_m"] <= 1000).all() and len(inside) > 5
    title = f"**{name}：1,000 米内（步行）的设施 {len(inside)} 处**"
    assert title in [unescaped(m.value) for m in at.markdown]
    listed = _table(at, "所在范围")
    assert listed["所在范围"].iloc[0] in {"300 米", "500 米", "1,000 米"}
    assert name in set(_table(at, "完整社区")["小区名称"])
    # The walking-reach page works on the same example (its button calls the same loader).
    open_page(at, "reach").run()
    assert not at.exception, at.exception
    assert at.warning[0].value.startswith("这是合成示例路网")
    assert "最近无障碍公交站（步行，沿路网）" in _table(at, "小区名称").columns


def test_a_ledger_without_coordinates_reads_no_data_not_zero():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    open_page(at, "ledger").run()
    text = "名称,区县,户数\n幸福小区,卫滨区,352\n红旗小区,红旗区,120\n"
    at.file_uploader(key="upload").set_value(("no-xy.csv", text.encode(), "text/csv")).run()
    next(b for b in at.button if b.label == "读取台账").click().run()
    open_page(at, "lifecircle").run()
    next(b for b in at.button if b.label == "加载合成示例路网").click().run()
    assert not at.exception, at.exception
    communities = _table(at, "完整社区").set_index("小区名称")
    assert communities.loc["幸福小区", "完整社区"] == "数据不足"
    assert communities.loc["幸福小区", "幼儿园：步行距离"] == "无坐标"
    cities = next(d.value for d in at.dataframe if d.value.columns[0] == "所属城市")
    assert not cities.isin(["0%"]).any().any()
