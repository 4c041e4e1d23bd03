"""AppTest smoke tests of app.py: it runs, and a filter change changes what is shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

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


def test_default_view_shows_the_five_seed_cities(app):
    assert app.title[0].value == "老旧小区改造图集"
    assert app.sidebar.selectbox(key="province").value == "seed"
    assert app.sidebar.multiselect(key="city").value == []  # empty = every city of the group
    table = _table(app)
    assert {"新乡市", "焦作市", "开封市", "邯郸市"} <= set(table["city"])
    assert table["doc_number"].notna().all() or table["seed_file"].notna().all()
    assert table["seed_file"].str.endswith(".txt").all()
    # Xinxiang's card sums districts and the zone: 22,149 households = 2.2149 万户.
    assert any("2.2149 万户" in m.value for m in app.metric)
    assert [m.label for m in app.metric if m.value == "无数据"] == ["许昌市"]
    assert not app.query_params  # the default view needs no parameters


def test_city_filter_changes_the_records_and_the_address(app):
    app.sidebar.multiselect(key="city").set_value(["新乡市"]).run()
    assert not app.exception
    table = _table(app)
    assert set(table["city"]) == {"新乡市"}
    assert len(table) == 44  # 11 places × 4 figures; the stated totals are checks, not rows
    zones = app.dataframe[0].value
    assert list(zones["place"].unique()) == ["高新区"]
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
    assert "新乡市" not in set(table["city"])
    assert "开封市" in set(table["city"])


def test_english_switch(app):
    app.sidebar.radio(key="lang").set_value("en").run()
    assert app.title[0].value == "Renovation Atlas"


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
    assert set(table["place"]) == {"高新区"}
    assert any("1,044 户" in m.value for m in app.metric)


def test_a_province_view_lists_every_city_and_all_china_draws_by_city(app):
    app.sidebar.selectbox(key="province").set_value("河南省").run()
    assert not app.exception
    # 17 prefecture-level cities and 济源市, which the province administers directly.
    assert len(app.sidebar.multiselect(key="city").options) == 18
    app.sidebar.selectbox(key="province").set_value("china").run()
    assert not app.exception
    assert any("按城市轮廓绘制" in c.value for c in app.caption)


def test_ledger_page_reads_the_synthetic_example_and_labels_it(app):
    app.switch_page("app_pages/ledger.py").run()
    assert app.title[0].value == "台账导入与核对"
    assert [i.value for i in app.info] == ["尚未读取台账。"]
    app.button[1].click().run()  # 加载合成示例台账
    assert not app.exception
    assert [m.value for m in app.metric] == ["31", "26", "5", "23"]
    assert "合成示例" in app.warning[0].value
    quarantine = app.dataframe[1].value
    assert set(quarantine["reason"]) == {
        "approximate_number",
        "duplicate_conflict",
        "swapped_lon_lat",
        "total_row",
    }
    reconciliation = app.dataframe[2].value
    weibin = reconciliation[
        (reconciliation["place"] == "卫滨区")
        & (reconciliation["metric"] == "communities")
        & (reconciliation["period"] == "2023年")
    ]
    assert weibin["reported"].tolist() == [27]
    # The map page now draws the 23 communities with a point and says what it left out.
    app.switch_page("app_pages/map.py").run()
    assert not app.exception
    assert any("23 个小区有坐标；3 个仅按区县名称定位" in c.value for c in app.caption)


def test_accessibility_page_measures_the_synthetic_survey_against_the_ledger(app):
    app.switch_page("app_pages/ledger.py").run()
    app.button[1].click().run()  # the synthetic ledger, for the household shares
    app.switch_page("app_pages/infra.py").run()
    assert not app.exception, app.exception
    assert [i.value for i in app.info] == ["尚未加载设施数据。上传文件，或加载合成示例。"]
    app.button[1].click().run()  # 加载合成示例调查
    assert not app.exception, app.exception
    assert "合成示例调查" in app.warning[0].value
    metrics = dict(zip([m.label for m in app.metric], [m.value for m in app.metric], strict=True))
    assert (metrics["人行道"], metrics["盲道"], metrics["隔离"]) == ("1495", "838", "2")
    table = app.dataframe[0].value.set_index("district")
    # Undeclared, a district's extent is the hull of what was found in it: 卫滨区 is partial
    # (a lower bound), its neighbour 凤泉区, where nothing was found, has no data.
    assert table.loc["卫滨区", "tactile_km_status"] == "partial_extent"
    assert table.loc["凤泉区", "tactile_km_status"] == "outside_extent"
    app.multiselect(key="covers").set_value(["410703", "410702", "410711"]).run()
    assert not app.exception, app.exception
    table = app.dataframe[0].value.set_index("district")
    assert table.loc["卫滨区", "tactile_rate_status"] == "ok"
    assert 80 < table.loc["卫滨区", "tactile_rate"] <= 100
    assert table.loc["凤泉区", "tactile_km_status"] == "outside_extent"
    assert table.loc["卫滨区", "households_within_500m_accessible_bus_stop_status"] == "ok"
    assert table.loc["延津县", "households_within_500m_curb_ramp_status"] == "no_projects"
    reported = app.dataframe[1].value.set_index("metric")
    assert reported.loc["tactile_paving_rate", "reported"] == pytest.approx(97.7)
    assert reported.loc["tactile_paving_rate", "computed_status"] == "outside_extent"


def test_export_page_exports_the_map_pages_view(app):
    app.sidebar.multiselect(key="city").set_value(["新乡市"]).run()
    app.switch_page("app_pages/export.py").run()
    assert not app.exception, app.exception
    layers = app.dataframe[0].value.set_index("图层")
    # 12 district outlines and the 高新区 zone, which has figures but no outline.
    assert layers.loc["districts", "要素/行数"] == 13
    labels = [b.label for b in app.get("download_button")]
    assert labels[:2] == ["下载 GeoPackage（全部图层，一个文件）", "下载离线 HTML 地图"]
    assert "districts.geojson" in labels and "districts.csv" in labels


def test_amap_basemap_says_layers_are_shifted_and_tianditu_asks_for_a_key(app, monkeypatch):
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    app.sidebar.radio(key="basemap").set_value("gaode").run()
    assert not app.exception
    assert "GCJ-02" in app.sidebar.info[0].value
    assert app.query_params["basemap"] == "gaode"
    app.sidebar.radio(key="basemap").set_value("tianditu").run()
    assert not app.exception
    assert "密钥" in app.sidebar.warning[0].value
    assert "tk" not in app.query_params  # the key is never put in a link
