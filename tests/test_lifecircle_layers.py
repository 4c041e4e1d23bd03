"""Tests for layers/lifecircle.py: names with their clauses, escaped values, the XLSX files."""

from __future__ import annotations

import dataclasses
import functools
import io

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import boundaries, facilities, lifecircle, network
from layers import lifecircle as words
from layers._html import legend_html
from layers.choropleth import PALETTE
from layers.coverage import HATCH_FILL
from layers.maps import lifecircle_layers
from layers.spreadsheets import xlsx_bytes
from layers.wording import reason_text
from tests._reports import NETWORK, example_ledger
from tests.test_coverage_layer import compact_scripts, compact_tips, district_features

REGISTRY = facilities.load_registry()
SOURCES = lifecircle.sources_table(REGISTRY)
PAYLOAD = "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize(
    ("column", "profile", "lang", "text"),
    [
        ("share_kindergarten", "walk", "zh", "300 米内有幼儿园的户数占比（步行）"),
        ("share_kindergarten", "wheelchair", "en",
         "Households within 300 m of a kindergarten (by wheelchair)"),
        ("share_market_1000m", "walk", "zh",
         "15 分钟生活圈（1,000 米）内有菜市场或生鲜超市的户数占比（步行）"),
        ("share_park", "walk", "zh",
         "公园服务半径内的户数占比（5,000 m²及以上者 500 米、2,000 m²及以上者 300 米；步行）"),
        ("share_complete", "walk", "en", "Households in complete communities (on foot)"),
        ("share_elderly_care", "walk", "en",
         "Households within 300 m of an elderly-care station (on foot)"),
        ("share_elderly_care_500m", "walk", "en",
         "Households with an elderly-care station in the 10-minute circle, 500 m (on foot)"),
    ],
)  # fmt: skip
def test_indicators_are_named_with_their_radius(column, profile, lang, text):
    assert words.indicator_name(column, REGISTRY, profile, lang) == text


def test_every_clause_says_it_is_a_setting_in_both_languages():
    assert words.clause_text(SOURCES, "share_kindergarten", "zh") == (
        "依据：GB 50180-2018 附录 C（五分钟生活圈居住区配套设施）：幼儿园服务半径不宜大于 300 m"
        "（2018（2018-12-01 实施））；设定值，未核对原文"
    )
    english = words.clause_text(SOURCES, "share_kindergarten", "en")
    assert english == (
        "Source: GB 50180-2018 Appendix C (5-minute life-circle facilities): a kindergarten "
        "serves within 300 m (2018 (in force 2018-12-01)); a setting, not checked against "
        "the text"
    )


def test_standards_are_cited_once_and_in_the_interface_language():
    columns = ["share_kindergarten", "share_nursery", "share_park", "share_complete"]
    zh = words.sources_text(SOURCES, columns, REGISTRY, "walk", "zh")["标准"].tolist()
    assert zh == [
        "GB 50180-2018 城市居住区规划设计标准",
        "GB 50180-2018 城市居住区规划设计标准",
        "城市体检指标体系：公园绿化活动场地服务半径覆盖率",
        "建科规〔2020〕7号 附件 完整居住社区建设标准（试行）",
    ]
    en = words.sources_text(SOURCES, columns, REGISTRY, "walk", "en")["Standard"].tolist()
    assert en == [
        "GB 50180-2018, Standard for urban residential area planning and design",
        "GB 50180-2018, Standard for urban residential area planning and design",
        "City health check indicators: park service-radius coverage",
        "Jiankegui [2020] No. 7 attachment, Construction standard for complete residential "
        "communities (trial)",
    ]
    assert words.clause_text(SOURCES, "share_complete", "en").startswith(
        "Source: Jiankegui [2020] No. 7 attachment I (basic public services) items 1–5"
    )


def test_walkshed_facilities_are_escaped():
    sheds = gpd.GeoDataFrame(
        {"profile": ["walk"], "distance_m": [300.0], "reachable_km": [1.2]},
        geometry=[shapely.Point(113.84, 35.27).buffer(0.002)],
        crs="EPSG:4326",
    )
    inside = gpd.GeoDataFrame(
        {
            "category": ["kindergarten"],
            "name": ["<img src=x onerror=alert(1)>"],
            "source_id": ["row 2"],
            "distance_m": [120.0],
        },
        geometry=[shapely.Point(113.841, 35.271)],
        crs="EPSG:4326",
    )
    fmap = folium.Map(tiles=None)
    for group in words.walkshed_layers(sheds, inside, "<b>小区</b>", lang="zh"):
        group.add_to(fmap)
    html = fmap.get_root().render()
    assert "<img src=x" not in html and "<b>小区</b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "幼儿园：&lt;img src=x onerror=alert(1)&gt;（沿路网 120 米）" in html


def test_the_legend_names_each_walkshed_and_the_services_inside():
    sheds = gpd.GeoDataFrame(
        {"profile": ["walk"] * 3, "distance_m": [1000.0, 500.0, 300.0]},
        geometry=[shapely.Point(113.84, 35.27).buffer(r) for r in (0.01, 0.005, 0.003)],
        crs="EPSG:4326",
    )
    inside = pd.DataFrame({"category": ["kindergarten", "park"]})
    entries = words.walkshed_legend(sheds, inside, lang="en")
    assert [(name, shape) for _, name, shape in entries] == [
        ("Walkshed 300 m", "area"),
        ("Walkshed 500 m", "area"),
        ("Walkshed 1,000 m", "area"),
        ("Services inside (2)", "point"),
    ]
    html = legend_html("t", [], lang="zh", points=words.walkshed_legend(sheds, inside, lang="zh"))
    assert "步行范围 300 米" in html and "范围内的设施（2）" in html
    assert "background:#54278f;opacity:.6" in html  # a filled swatch, as drawn


def test_facilities_file_quarantine_in_the_records_shape():
    quarantine = pd.DataFrame(
        {
            "row": [4],
            "reason": ["unknown_category"],
            "column": ["设施类别"],
            "detail_zh": ["'图书馆'"],
            "detail_en": ["'图书馆'"],
            "名称": ["某图书馆"],
        }
    )
    out = words.facility_quarantine(quarantine)
    assert list(out.columns) == ["row", "reason", "column", "message_zh", "message_en", "名称"]
    assert out["message_zh"].iloc[0] == "设施类别：设施类别无法识别 '图书馆'"
    assert out["message_en"].iloc[0] == "设施类别: unknown category '图书馆'"


def test_the_template_is_read_back_as_a_facilities_file():
    template = pd.read_excel(io.BytesIO(words.template_bytes(REGISTRY)), sheet_name=None)
    assert list(template) == ["设施", "类别"]
    header = list(template["设施"].columns)
    assert header == ["编号", "名称", "设施类别", "地址", "经度", "纬度", "坐标系", "面积（m²）"]
    filled = pd.DataFrame(
        [["F1", "甲幼儿园", "幼儿园", "", 113.8383, 35.2741, "wgs84", None],
         ["F2", "乙公园", "公园", "", 113.84, 35.276, "wgs84", "0.6万"]],
        columns=header,
    )  # fmt: skip
    found = facilities.read_facility_file(
        xlsx_bytes({"设施": filled}), name="facilities.xlsx", registry=REGISTRY
    )
    assert found.features["category"].tolist() == ["kindergarten", "park"]
    np.testing.assert_allclose(found.features["area_m2"].iloc[1], 6000)
    assert found.quarantine.empty


def _inside():
    return pd.DataFrame(
        {
            "category": ["kindergarten", "park"],
            "name": ["阳光幼儿园", None],
            "source_id": ["node/1", "way/2"],
            "distance_m": [212.4, 1480.6],
            "within_m": [300.0, 500.0],
        },
        index=[5, 9],
    )


def test_the_services_inside_a_walkshed_are_listed_by_name_or_source_in_whole_metres():
    zh = words.inside_table(_inside(), "zh")
    assert zh.to_dict("list") == {
        "设施类别": ["幼儿园", "公园"],
        "设施名称": ["阳光幼儿园", "way/2"],
        "沿路网距离": ["212 米", "1,481 米"],
        "所在范围": ["300 米", "500 米"],
    }
    assert list(words.inside_table(_inside(), "en").columns) == [
        "Category", "Facility", "Along the network", "Within"
    ]  # fmt: skip


def test_the_walkshed_heading_counts_the_services_or_says_there_are_none():
    sheds = pd.DataFrame({"distance_m": [300.0, 1000.0]})
    assert words.inside_heading("甲", sheds, _inside(), "walk", "zh") == (
        "甲：1,000 米内（步行）的设施 2 处"
    )
    assert words.inside_heading("甲", sheds, _inside().iloc[:0], "wheelchair", "en") == (
        "甲: no service within 1,000 m (by wheelchair)."
    )


def test_the_facilities_found_are_counted_by_category_in_both_languages():
    counts = {"kindergarten": 3, "park": 0}
    assert words.facilities_caption(counts, "zh") == "设施：幼儿园 3、公园 0"
    assert words.facilities_caption(counts, "en") == "Facilities: kindergarten 3, park 0"


def test_the_xlsx_export_holds_every_sheet_with_lon_lat_and_the_quarantine():
    communities = gpd.GeoDataFrame(
        {"name": ["甲", "乙"]}, geometry=[shapely.Point(113.9, 35.3), None], crs="EPSG:4326"
    )
    districts = gpd.GeoDataFrame({"adcode": ["410703"]}, geometry=[None], crs="EPSG:4326")
    found = type("Found", (), {})()
    found.communities, found.districts = communities, districts
    found.cities, found.sources = pd.DataFrame({"city": ["新乡市"]}), SOURCES
    quarantine = pd.DataFrame(
        {
            "row": [3],
            "reason": ["unknown_category"],
            "column": ["设施类别"],
            "detail_zh": ["'图书馆'"],
            "detail_en": ["'图书馆'"],
        }
    )
    data = words.export_xlsx(found, quarantine)
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None)
    assert list(sheets) == ["communities", "districts", "cities", "sources", "facility_quarantine"]
    assert sheets["communities"]["lon"].tolist()[0] == pytest.approx(113.9)
    assert sheets["communities"]["lat"].isna().tolist() == [False, True]
    assert sheets["facility_quarantine"]["message_zh"].tolist() == [
        "设施类别：设施类别无法识别 '图书馆'"
    ]


def test_the_pages_tables_are_headed_and_list_only_districts_with_a_located_community(tmp_path):
    from tests.test_lifecircle import _boxes, _projects, _scene

    nodes = {1: (0, 0, {}), 2: (590, 0, {}), 10: (50, 0, {"amenity": "kindergarten"})}
    built, found = _scene(tmp_path, nodes, {100: ([1, 10, 2], {"highway": "footway"})})
    boxes = _boxes([(-90, -90, 590, 390), (600, -90, 900, 390)])  # 乙区 holds no community
    projects = _projects([(0, 0), (390, 0)]).assign(district="甲区")
    result = lifecircle.measure(projects, found, built, registry=REGISTRY, districts=boxes)
    quarantine = pd.DataFrame(
        {"row": [3], "reason": ["unknown_category"], "column": ["设施类别"],
         "detail_zh": ["'图书馆'"], "detail_en": ["'图书馆'"], "raw": ["{}"]}
    )  # fmt: skip
    listed = words.tables(result, quarantine, "zh")
    assert [heading for heading, _ in listed] == [
        "各区县生活圈指标", "全市", "各小区配套设施清单", "指标依据（标准条款）",
        "设施台账中被隔离的行（1 行）",
    ]  # fmt: skip
    districts = listed[0][1]
    assert districts["区县"].tolist() == ["甲区"]
    assert "300 米内有幼儿园的户数占比（步行）" in districts.columns
    assert listed[2][1]["小区名称"].tolist() == ["小区0", "小区1"]
    assert len(listed[3][1]) == len(REGISTRY.categories) + 1  # each category, then 完整社区
    assert "设施类别：设施类别无法识别 '图书馆'" in listed[4][1].to_string()
    # No quarantined row: no quarantine table, and English headings.
    english = words.tables(result, quarantine.iloc[:0], "en")
    assert [heading for heading, _ in english][-1] == "What each indicator answers to"

    files = words.downloads(result, quarantine, result.districts, "en")
    assert [(f.text, f.file_name) for f in files] == [
        ("Download the indicators (XLSX, with their clauses)", "lifecircle-walk.xlsx"),
        ("Download per-community indicators (GeoJSON)", "lifecircle-communities-walk.geojson"),
        ("Download per-district indicators (GeoJSON)", "lifecircle-districts-walk.geojson"),
    ]
    sheets = pd.read_excel(io.BytesIO(files[0].write(*files[0].args)), sheet_name=None)
    assert len(sheets["facility_quarantine"]) == 1
    read = gpd.read_file(io.BytesIO(files[2].write(*files[2].args)))
    assert sorted(read["adcode"]) == ["410700", "410701"]


@functools.cache
def _example_inputs() -> tuple[network.Network, facilities.Facilities]:
    built = network.build_network(NETWORK, use_cache=False)
    found = facilities.read_osm_facilities(NETWORK, registry=REGISTRY, extent=built.extent())
    return built, found


def _example(districts: gpd.GeoDataFrame | None = None) -> lifecircle.Indicators:
    """The 新乡 example ledger along the example network, on its city's or on ``districts``."""
    built, found = _example_inputs()
    projects = example_ledger().projects
    return lifecircle.measure(projects, found, built, registry=REGISTRY, districts=districts)


def test_the_map_writes_districts_compactly_hatched_without_a_value_and_tips_escaped():
    result = _example()
    named = [PAYLOAD, *result.districts["district"].iloc[1:]]
    result = dataclasses.replace(result, districts=result.districts.assign(district=named))
    layers = lifecircle_layers(result, "share_complete", lang="zh")
    features = district_features(layers.groups[0])
    status = result.districts.set_index("adcode")["share_complete_status"]
    assert {"ok", "no_projects", "outside_extent"} <= set(status)
    for code, (style, tip) in features.items():
        if status[code] == "ok":
            assert style["fillColor"] in PALETTE and "数据不足" not in tip
        else:
            # No value: hatched with the reason, never coloured as 0.
            assert style["fillColor"] == HATCH_FILL and reason_text(status[code], "zh") in tip
    page, script = compact_scripts(layers)
    assert '"fillColor": "url(#atlas-hatch)"' in page
    for text in (page, script):
        tips = compact_tips(text)
        assert tips == [tip for _, tip in features.values()]
        assert tips[0].startswith("<b>&lt;img src=x onerror=alert(1)&gt;</b> · 新乡市<br>")


def test_all_china_s_map_stays_under_one_and_a_fifth_megabytes():
    from layers.view import simplified_outlines

    # A national ledger's map draws every district of each city it holds a community in;
    # measured on the display outlines (quicker, the same statuses), then simplified for the
    # extent from the full outlines, as the page draws them.
    result = _example(boundaries.load_boundaries("district", display=True))
    shown = simplified_outlines(result.districts, "district")
    layers = lifecircle_layers(dataclasses.replace(result, districts=shown), "share_complete")
    page = layers.assembled().get_root().render()
    # Measured 0.88 MB (0.61 MB of it the outlines); as folium's GeoJSON they made it 4.72 MB.
    assert len(shown) == 2875 and len(page.encode()) < 1_200_000
