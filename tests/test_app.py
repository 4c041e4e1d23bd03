"""AppTest smoke tests of app.py: it runs, and a filter change changes what is shown."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import boundaries, gazetteer
from layers.maps import extent_of
from tests._pages import open_page
from tests.conftest import unescaped

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 120


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


def _table(at: AppTest):
    return at.dataframe[-1].value


def _fitted(at: AppTest) -> list[list[float]]:
    """The extent the map page's map fits (its FitView), from streamlit-folium's arguments."""
    (component,) = at.get("component_instance")
    layers = json.loads(component.proto.json_args)["feature_group"]
    return json.loads(re.search(r"var bounds = (\[\[.*?\]\]), key", layers).group(1))


def _cities_extent(names) -> list[list[float]]:
    cities = boundaries.load_boundaries("city", display=True)
    return extent_of([cities[cities["city"].isin(set(names))]])


def test_default_view_shows_the_five_seed_cities(app):
    assert app.title[0].value == "老旧小区改造图集"
    assert app.sidebar.selectbox(key="province").value == "seed"
    assert app.sidebar.multiselect(key="city").value == []  # empty = every city of the group
    table = _table(app)
    # Headers and codes in the interface's language (issue 18), every figure with its source.
    assert {"新乡市", "焦作市", "开封市", "邯郸市"} <= set(table["所属城市"])
    assert (table["文号"] != "").all()
    assert table["文件行号"].str.fullmatch(r"第 \d+ 行").all()  # a line, not a seed's hash
    assert set(table["性质"]) <= {"计划", "已完成", "实施中", "存量"}
    assert "1800000000" not in " ".join(table["数值"]) and "18 亿元" in set(table["数值"])
    # Xinxiang's card is the plan's own city total, as it writes it; its headline names the
    # period and the kind. Kaifeng's one district is no city total, and says so (issue 22).
    cards = {unescaped(m.label): m.value for m in app.metric}
    assert cards["新乡市 · 全市 · 2023年 计划"] == "22149 户"
    assert cards["开封市 · 9 个区县中 1 个有数据 · 2019年至2022年 已完成"] == "4.2 万余户"
    assert [unescaped(m.label) for m in app.metric if m.value == "无数据"] == ["许昌市"]
    assert not app.query_params  # the default view needs no parameters


def test_city_filter_changes_the_records_and_the_address(app):
    app.sidebar.multiselect(key="city").set_value(["新乡市"]).run()
    assert not app.exception
    table = _table(app)
    assert set(table["所属城市"]) == {"新乡市"}
    assert len(table) == 44  # 11 places × 4 figures; the stated totals are checks, not rows
    zones = app.dataframe[0].value
    assert list(zones["地点"].unique()) == ["高新区"]
    assert app.query_params["city"] == "新乡市"


def test_a_copied_address_reopens_the_same_view(app):
    app.sidebar.multiselect(key="city").set_value(["焦作市", "开封市"]).run()
    app.sidebar.selectbox(key="figure").set_value("communities").run()
    app.sidebar.slider(key="years").set_value((2019, 2022)).run()
    app.sidebar.radio(key="lang").set_value("en").run()
    assert not app.exception
    link = dict(app.query_params)
    assert link == {
        "city": "焦作市,开封市",
        "figure": "communities",
        "years": "2019,2022",
        "lang": "en",
    }
    fresh = AppTest.from_file(APP, default_timeout=TIMEOUT)
    fresh.query_params.update(link)
    fresh.run()
    assert not fresh.exception
    assert fresh.title[0].value == "Renovation Atlas"
    assert fresh.sidebar.multiselect(key="city").value == ["焦作市", "开封市"]
    assert fresh.sidebar.selectbox(key="figure").value == "communities"
    assert fresh.sidebar.slider(key="years").value == (2019, 2022)
    assert _table(fresh).equals(_table(app))


def test_year_filter_drops_the_2023_plan(app):
    app.sidebar.slider(key="years").set_value((2019, 2022)).run()
    table = _table(app)
    assert "新乡市" not in set(table["所属城市"])
    assert "开封市" in set(table["所属城市"])


def test_english_switch(app):
    app.sidebar.radio(key="lang").set_value("en").run()
    assert app.title[0].value == "Renovation Atlas"
    # Fully English: headers, kinds, periods and the words the documents use for scopes.
    table = _table(app)
    assert {"City", "Place", "Period", "Kind", "Value", "Document no."} <= set(table.columns)
    words = " ".join(table.astype(str).to_numpy().ravel())
    for chinese in ("未注明日期", "主城区", "2023年", "全市", "计划"):
        assert chinese not in words, chinese
    assert "main urban area" in set(table["Place"]) and "2023" in set(table["Period"])


def test_unknown_city_in_the_address_is_reported_with_matches():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["city"] = "新相,焦作"
    at.run()
    assert not at.exception
    assert "新相" in at.sidebar.warning[0].value and "新乡市" in at.sidebar.warning[0].value
    # The known city is kept (焦作 → 焦作市); the unknown one is dropped, not guessed.
    assert at.sidebar.multiselect(key="city").value == ["焦作市"]


def test_zone_only_filter_keeps_the_zone_and_draws_no_outline(app):
    app.sidebar.multiselect(key="city").set_value(["新乡市"]).run()
    app.sidebar.multiselect(key="district").set_value(["高新区"]).run()
    assert not app.exception
    table = _table(app)
    assert set(table["地点"]) == {"高新区"}
    assert any(m.value == "1044 户" for m in app.metric)


def test_a_province_view_lists_every_city_and_all_china_draws_by_city(app):
    app.sidebar.selectbox(key="province").set_value("河南省").run()
    assert not app.exception
    # 17 prefecture-level cities and 济源市, which the province administers directly.
    assert len(app.sidebar.multiselect(key="city").options) == 18
    app.sidebar.selectbox(key="province").set_value("china").run()
    assert not app.exception
    assert any("按城市轮廓绘制" in c.value for c in app.caption)


def test_ledger_page_reads_the_synthetic_example_and_labels_it(app):
    open_page(app, "ledger").run()
    assert app.title[0].value == "台账导入与核对"
    assert [i.value for i in app.info] == ["尚未读取台账。"]
    app.button[1].click().run()  # 加载合成示例台账
    assert not app.exception
    assert [m.value for m in app.metric] == ["31", "26", "5", "23"]
    assert "合成示例" in app.warning[0].value
    quarantine = app.dataframe[1].value
    # Reasons by name in the interface's language (the codes stay in the downloads).
    assert set(quarantine["原因"]) == {"约数", "同名记录冲突", "经纬度填反", "合计行"}
    results = app.dataframe[2].value.set_index("核对结果")
    assert results.loc["文件未上报", "含义"] == "台账有行，文件未上报该地该时期"
    reconciliation = app.dataframe[3].value
    weibin = reconciliation[
        (reconciliation["地点"] == "卫滨区")
        & (reconciliation["指标"] == "老旧小区")
        & (reconciliation["时期"] == "2023年")
    ]
    assert weibin["上报数"].tolist() == ["27 个"]
    clean = app.dataframe[4].value
    assert clean.set_index("小区名称").loc["幸西小区", "改造内容"] == "外墙、管网、无障碍"
    assert clean.set_index("小区名称").loc["幸小区", "状态"] == "已开工"
    # The map page now draws the 23 communities with a point and says what it left out.
    open_page(app, "map").run()
    assert not app.exception
    assert any("23 个小区有坐标；3 个仅按区县名称定位" in c.value for c in app.caption)


def test_accessibility_page_measures_the_synthetic_survey_against_the_ledger(app):
    open_page(app, "ledger").run()
    app.button[1].click().run()  # the synthetic ledger, for the household shares
    open_page(app, "accessibility").run()
    assert not app.exception, app.exception
    assert [i.value for i in app.info] == ["尚未加载设施数据。上传文件，或加载合成示例。"]
    app.button[1].click().run()  # 加载合成示例调查
    assert not app.exception, app.exception
    assert "合成示例调查" in app.warning[0].value
    metrics = dict(zip([m.label for m in app.metric], [m.value for m in app.metric], strict=True))
    assert (metrics["人行道"], metrics["盲道"], metrics["隔离"]) == ("1495", "838", "2")
    table = app.dataframe[0].value.set_index("区县")
    # Undeclared, a district's extent is the hull of what was found in it: 卫滨区 is partial
    # (a lower bound), its neighbour 凤泉区, where nothing was found, has no data.
    assert table.loc["卫滨区", "盲道长度"].endswith("（数据不足：数据仅覆盖本区部分范围）")
    assert "数据不足" in table.loc["凤泉区", "盲道长度"]
    assert "部分范围" not in table.loc["凤泉区", "盲道长度"]
    app.multiselect(key="covers").set_value(["410703", "410702", "410711"]).run()
    assert not app.exception, app.exception
    table = app.dataframe[0].value.set_index("区县")
    rate = table.loc["卫滨区", "盲道覆盖率（盲道/人行道长度）"]
    assert rate.endswith("%") and 80 < float(rate[:-1]) <= 100  # rounded: one decimal at most
    assert table.loc["凤泉区", "盲道长度"] == "数据不足：本区不在数据范围内"
    shares = table.loc["延津县", "500 米内有缘石坡道的户数占比"]
    assert shares == "数据不足：本区没有带坐标的台账小区"
    # A 新乡 survey: 焦作's reported figures are not listed beside it (issue 18).
    assert not any("焦作市" in str(d.value.to_numpy()) for d in app.dataframe)
    assert [i.value for i in app.info] == ["数据覆盖的城市没有上报的无障碍数字。"]


@pytest.mark.parametrize(
    ("province", "cities"),
    [
        ("seed", boundaries.SEED_CITIES),
        ("河南省", gazetteer.list_cities("河南省")["city"]),
        ("china", gazetteer.list_cities()["city"]),
    ],
    ids=["landing", "province", "all-china"],
)
def test_the_map_fits_the_places_it_names_not_the_ledger_on_it(province, cities):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    open_page(at, "ledger").run()
    next(b for b in at.button if b.label == "加载合成示例台账").click().run()
    open_page(at, "map").run()
    if province != "seed":
        at.sidebar.selectbox(key="province").set_value(province).run()
    assert not at.exception, at.exception
    # The example ledger lies in 新乡; the map shows the group its cards are about.
    assert _fitted(at) == _cities_extent(cities)


@pytest.mark.parametrize(
    ("link", "province", "cities"),
    [
        ("洛阳市", "河南省", ["洛阳市"]),
        ("洛阳,许昌市", "河南省", ["洛阳市", "许昌市"]),
        ("许昌市,邯郸市", "seed", ["许昌市", "邯郸市"]),
        ("洛阳市,石家庄市", "china", ["洛阳市", "石家庄市"]),
    ],
    ids=["one-city", "short-name", "seeds", "two-provinces"],
)
def test_a_city_link_opens_the_cities_it_names_beyond_the_seeds(link, province, cities):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["city"] = link
    at.run()
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="province").value == province
    assert at.sidebar.multiselect(key="city").value == cities
    assert not at.sidebar.warning  # nothing named was dropped
    assert _fitted(at) == _cities_extent(cities)


def test_a_shared_export_link_exports_the_view_it_names():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["city"] = "洛阳市"
    open_page(at, "export").run()  # the map page never ran in this session
    assert not at.exception, at.exception
    assert at.markdown[-1].value.startswith("城市：洛阳市 · ") or any(
        m.value.startswith("城市：洛阳市 · ") for m in at.markdown
    )
    layers = at.dataframe[0].value.set_index("文件中的图层名")
    luoyang = boundaries.load_boundaries("district", display=True).query("city == '洛阳市'")
    assert layers.loc["districts", "要素/行数"] >= len(luoyang)
    assert at.sidebar.multiselect(key="city").value == ["洛阳市"]
    assert at.query_params["city"] == "洛阳市"  # and the export page's own link keeps it


def test_the_accessibility_page_reads_its_radii_districts_and_measure_from_the_address():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    link = {"near": "200", "far": "800", "covers": "410703,410702", "coverage": "curb_ramps"}
    for key, value in link.items():
        at.query_params[key] = value
    open_page(at, "ledger").run()
    next(b for b in at.button if b.label == "加载合成示例台账").click().run()
    open_page(at, "accessibility").run()
    next(b for b in at.button if b.label.startswith("加载合成示例调查")).click().run()
    assert not at.exception, at.exception
    assert at.sidebar.number_input(key="near").value == 200
    assert at.sidebar.number_input(key="far").value == 800
    assert at.multiselect(key="covers").value == ["410703", "410702"]
    assert at.selectbox(key="coverage").value == "curb_ramps"
    headers = at.dataframe[0].value.columns
    assert any("200 米内" in h for h in headers) and any("800 米内" in h for h in headers)
    assert {k: at.query_params[k] for k in link} == link  # and the page's link keeps them
    at.sidebar.number_input(key="near").set_value(300).run()
    assert "near" not in at.query_params  # the default leaves the link


def test_the_history_page_keeps_showing_every_change_in_the_address():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["covered"] = "false"
    open_page(at, "ledger").run()
    next(b for b in at.button if b.label == "加载合成示例台账").click().run()
    next(b for b in at.button if b.label == "保存").click().run()
    open_page(at, "history").run()
    assert not at.exception, at.exception
    assert at.toggle(key="covered").value is False
    assert at.query_params["covered"] == "False"


def test_export_page_exports_the_map_pages_view(app):
    app.sidebar.multiselect(key="city").set_value(["新乡市"]).run()
    open_page(app, "export").run()
    assert not app.exception, app.exception
    layers = app.dataframe[0].value.set_index("文件中的图层名")
    # 12 district outlines and the 高新区 zone, which has figures but no outline.
    assert layers.loc["districts", "要素/行数"] == 13
    assert layers.loc["districts", "几何类型"] == "面、部分行无几何（开发区、城市级或仅按名称定位）"
    labels = [b.label for b in app.get("download_button")]
    assert labels[:2] == ["下载 GeoPackage（全部图层，一个文件）", "下载离线 HTML 地图"]
    assert "districts.geojson" in labels and "districts.csv" in labels


def test_amap_basemap_says_layers_are_shifted_and_tianditu_asks_for_a_key(app, monkeypatch):
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    app.sidebar.radio(key="basemap").set_value("gaode").run()
    assert not app.exception
    assert "GCJ-02" in app.sidebar.info[0].value
    assert "需要联网" in app.sidebar.caption[-1].value  # a tiled basemap says it needs a network
    assert app.query_params["basemap"] == "gaode"
    app.sidebar.radio(key="basemap").set_value("tianditu").run()
    assert not app.exception
    assert "密钥" in app.sidebar.warning[0].value
    assert "tk" not in app.query_params  # the key is never put in a link


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_map_says_how_many_communities_the_view_leaves_out(lang):
    # A view of one district of the example ledger (26 clean rows in 新乡): the others are
    # neither drawn nor counted, and the caption says how many, so every clean row is said.
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    open_page(at, "ledger").run()
    next(b for b in at.button if "example" in b.label or "示例台账" in b.label).click().run()
    assert not at.exception, at.exception
    at.query_params["city"] = "新乡市"
    at.query_params["district"] = "卫滨区"
    open_page(at, "map").run()
    assert not at.exception, at.exception
    # Markdown-escaped on screen: "Ledger \\(NAME\\)\\: 4 communities …"; the name may hold digits.
    caption = next(c.value for c in at.caption if c.value.startswith(("台账（", "Ledger \\(")))
    body = caption.split("）：" if lang == "zh" else "\\)\\:", 1)[1]
    drawn, by_name, _quarantined, outside = (
        int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", body)
    )
    assert drawn + by_name + outside == 26 and outside > 0
    more = "另有" if lang == "zh" else "more communities lie outside this view"
    assert more in caption
