"""AppTest of the 选址 page on a 5 × 5 footway grid (tests/test_siting.py) in 新乡."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pandas as pd
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


def _choose_one_site(at, existing: bytes, candidates: bytes) -> None:
    """Upload the sites there are and the candidates, and ask for one within 150 m."""
    at.file_uploader(key="siting_existing").set_value(
        ("已有.geojson", existing, "application/geo+json")
    )
    at.file_uploader(key="siting_candidates").set_value(
        ("候选.geojson", candidates, "application/geo+json")
    )
    at.number_input(key="siting_count").set_value(1)
    at.number_input(key="siting_radius").set_value(150).run()
    assert not at.exception, at.exception


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
        "350 households have a point and a household count."
    )
    # 乙站 at (400, 0) is 400 m on foot from every community: nothing within 300 m.
    at.radio(key="siting_type").set_value("accessible_bus_stop").run()
    at.number_input(key="siting_radius").set_value(300).run()
    assert not at.exception, at.exception
    assert "Candidates: 1; existing sites: 1" in [c.value for c in at.caption]
    assert "No candidate reaches a household the existing sites leave out" in [
        c.value for c in at.caption
    ]


def _geojson(*features) -> bytes:
    """A FeatureCollection of (name, geometry) as an upload brings it."""
    import json

    import shapely

    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"名称": name},
                    "geometry": shapely.geometry.mapping(geometry),
                }
                for name, geometry in features
            ],
        },
        ensure_ascii=False,
    ).encode("utf-8")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_uploaded_candidates_and_existing_sites_replace_the_extracts(scene, lang):
    import shapely
    from _screen import screen_problems, screen_texts

    at = _open(scene, lang)
    # The existing site stands by 中间小区 (200 households); one candidate by 东北<script>小区,
    # one line that is not a point (refused, said), one far away.
    existing = _geojson(("已有<b>坡道", shapely.Point(lonlat(100, 100))))
    candidates = _geojson(
        ("东口<script>", shapely.Point(lonlat(300, 300))),
        ("一段路", shapely.LineString([lonlat(0, 0), lonlat(0, 100)])),
        ("远处", shapely.Point(lonlat(2000, 2000))),
    )
    _choose_one_site(at, existing, candidates)
    captions = [c.value for c in at.caption]
    texts = {
        "zh": (
            "读入 2 个点；1 行不是单个点，未使用。",
            "读入 1 个点；0 行不是单个点，未使用。",
            "候选点 2 处，已有设施 1 处",
            "已有设施覆盖 200 户；新增 1 处后覆盖 300 户（最优解），贪心解 300 户；"
            "共 350 户有坐标和户数。",
        ),
        "en": (
            "Points read: 2; rows that are not a single point (not used): 1.",
            "Points read: 1; rows that are not a single point (not used): 0.",
            "Candidates: 2; existing sites: 1",
            "The existing sites cover 200 households; with 1 new site(s) 300 (optimum), "
            "greedy 300; 350 households have a point and a household count.",
        ),
    }[lang]
    assert {texts[0], texts[1], texts[2]} <= set(captions)
    assert at.success[0].value == texts[3]
    refused = next(d.value for d in at.dataframe if len(d.value.columns) == 2)
    assert refused.iloc[0].tolist() == [
        2,
        {
            "zh": "不是单个点（线、面、多点或无几何）",
            "en": "Not a single point (a line, an area, several points or no geometry)",
        }[lang],
    ]
    order = {"zh": "次序", "en": "Order"}[lang]
    table = next(d.value for d in at.dataframe if order in d.value.columns)
    assert table.iloc[:, 1].tolist() == ["东口<script>"]
    assert table.iloc[:, 2].tolist() == [{"zh": "无", "en": "none"}[lang]]  # no equal one
    assert table.iloc[:, 3].tolist() == ["100"]
    data = ["东口<script>", "已有<b>坡道", "一段路", "远处", "东北<script>小区", "中间小区"]
    data += ["西南小区", "已有.geojson", "候选.geojson", "新乡市", "延津县"]
    assert screen_problems(screen_texts(at), lang, data=data) == []


def test_every_reason_a_site_row_is_refused_has_its_words():
    from geo import siting
    from layers.siting import refused_rows

    refused = pd.DataFrame({"row": range(len(siting.REFUSED)), "reason": siting.REFUSED})
    for lang in ("zh", "en"):
        assert refused_rows(refused, lang).iloc[:, 1].str.len().gt(0).all()


def test_elderly_residents_are_offered_where_the_ledger_counts_them(scene):
    at = _open(scene)
    # The ledger has no elderly column: households, or those of completed communities.
    assert at.radio(key="siting_weigh").options == ["全部住户", "已完工小区的住户"]
    _, loaded = scene
    projects = loaded.ledger.projects.assign(老年人数=["30", "5", "60"])
    ledger = dataclasses.replace(loaded.ledger, projects=projects)
    at.session_state[LEDGER_KEY] = dataclasses.replace(loaded, ledger=ledger)
    at.run()
    at.radio(key="siting_weigh").set_value("elderly")
    at.number_input(key="siting_count").set_value(1)
    at.number_input(key="siting_radius").set_value(150).run()
    assert not at.exception, at.exception
    # 西南小区's 60 elderly are by the existing ramp; 东北<script>小区's 30 by node/19.
    assert at.success[0].value == (
        "已有设施覆盖 60 位老人；新增 1 处后覆盖 90 位老人（最优解），贪心解 90 位老人；"
        "共 95 位老人有坐标和老年人数。"
    )
    table = next(d.value for d in at.dataframe if "次序" in d.value.columns)
    assert table.columns.tolist()[3] == "新增覆盖（老人）"
    assert table.iloc[:, 1].tolist() == ["node/19"]


def test_a_site_file_refused_says_why_its_name_as_text(scene):
    at = _open(scene)
    hostile = ("*x*[a](b).geojson", b"not json", "application/geo+json")
    at.file_uploader(key="siting_candidates").set_value(hostile).run()
    assert not at.exception, at.exception
    (error,) = at.error
    # The file's name is the planner's: escaped, so Markdown shows it as it is written.
    assert "\\*x\\*\\[a\\]\\(b\\)\\.geojson" in error.value
    assert error.value.startswith("无法读取")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_candidate_as_good_as_the_chosen_one_is_named_beside_it(scene, lang):
    import shapely

    at = _open(scene, lang)
    # Two candidates by 东北<script>小区 reach the same households: either one will do.
    candidates = _geojson(
        ("东口<script>", shapely.Point(lonlat(300, 300))),
        ("北口", shapely.Point(lonlat(300, 300))),
    )
    existing = _geojson(("已有坡道", shapely.Point(lonlat(100, 100))))
    _choose_one_site(at, existing, candidates)
    order, column = {"zh": ("次序", "同等的替代点位"), "en": ("Order", "Equally good instead")}[
        lang
    ]
    table = next(d.value for d in at.dataframe if order in d.value.columns)
    chosen = table.iloc[0, 1]
    other = {"东口<script>": "北口", "北口": "东口<script>"}[chosen]
    assert table[column].tolist() == [
        {"zh": f"或 {other}（同等）", "en": f"or {other} (equal)"}[lang]
    ]
    assert [i.value for i in at.info] == [
        {
            "zh": "已选点位中有 1 处可换成同等的候选点位（换后覆盖总数不变）："
            "见表中“同等的替代点位”一列，可按实地条件取舍。",
            "en": "1 of the chosen sites could be swapped for an equally good candidate (the total "
            "covered stays the same): see the table's “Equally good instead” column, and choose "
            "by the conditions on the ground.",
        }[lang]
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_ledger_without_points_says_coverage_cannot_be_measured_not_zero(scene, lang):
    # A ledger of district names alone (no coordinates): no community can be placed on the
    # network, so what the sites cover is unknown. The page said "The existing sites cover 0
    # households; ... 0 households have a point" in a success box and drew a flat curve at 0.
    found, _ = scene
    rows = ["小区名称,所属城市,所属区县,改造年度,户数", "北街小区,新乡市,延津县,2024,210"]
    ledger = records.read_ledger("\n".join(rows).encode("utf-8"), name="districts.csv")
    assert ledger.projects["located"].tolist() == ["district"]
    table = reconcile.reconcile(ledger.projects, load_figures())
    loaded = LoadedLedger(ledger, "districts.csv", table)
    at = _open((found, loaded), lang)
    assert not at.success
    assert at.warning[-1].value == (
        "没有可计入的小区：没有小区既有坐标、靠近路网，又有户数，设施覆盖多少户无从计算（不是 0）。"
        "台账只有地址或区县名称时，请补上经纬度。"
        if lang == "zh"
        else "No community counts: none has a point near the network and a household count, so "
        "how many households the sites cover cannot be measured (it is not 0). A ledger of "
        "addresses or district names alone needs coordinates here."
    )
    assert not at.get("vega_lite_chart")  # no curve flat at 0
    # No site chosen: said, not an empty table reading Streamlit's English "empty".
    assert ("没有选出新增点位。" if lang == "zh" else "No new site is chosen.") in [
        i.value for i in at.info
    ]
    assert not [d for d in at.dataframe if len(d.value) == 0]
    assert at.info[-1].value == (
        "没有可计入的小区，不画边际曲线。" if lang == "zh" else
        "No community counts, so there is no marginal curve."
    )  # fmt: skip
