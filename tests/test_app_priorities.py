"""AppTest of the 优先 page: a ledger's 计划 rows ranked, explained, tied and mapped, zh and en."""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from _osm import lonlat
from _screen import screen_problems, screen_texts
from streamlit.testing.v1 import AppTest
from test_siting import _grid

from app_pages._ui.common import INFRA_KEY, LEDGER_KEY, LoadedInfra, LoadedLedger
from app_pages.priorities import MEASURED_KEYS
from geo import infra, reach, reconcile, records
from geo.figures import load_figures
from tests._pages import open_page

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 120
HEADER = "小区名称,所属城市,所属区县,户数,状态,建成年代,居民同意率,经度,纬度,坐标系"
#: name, households, status, build year, consent, point (x, y metres) or none.
ROWS = (
    ("甲<b>小区", 400, "计划", 1980, "50%", (0, 0)),
    ("乙小区", 380, "计划", 2010, "100%", (300, 300)),
    ("丁小区", 300, "计划", 1990, "", None),
    ("戊小区", 300, "计划", 1990, "", None),
    ("己小区", 500, "完工", 1970, "90%", None),
)
#: Wheelchair metres to the nearest accessible stop, as the walking reach page measures them.
STOP_M = {"甲<b>小区": 100.0, "乙小区": 1500.0}
DATA = [*(r[0] for r in ROWS), "新乡市", "延津县", "ledger.csv"]


@pytest.fixture
def loaded():
    lines = [HEADER]
    for name, households, status, built, consent, point in ROWS:
        lon, lat = lonlat(*point) if point else ("", "")
        datum = "wgs84" if point else ""
        lines.append(
            f"{name},新乡市,延津县,{households},{status},{built},{consent},{lon},{lat},{datum}"
        )
    ledger = records.read_ledger("\n".join(lines).encode("utf-8"), name="ledger.csv")
    assert len(ledger.projects) == len(ROWS), ledger.quarantine
    return LoadedLedger(ledger, "ledger.csv", reconcile.reconcile(ledger.projects, load_figures()))


def _open(loaded, lang="zh") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[LEDGER_KEY] = loaded
    reached = loaded.ledger.projects.copy()
    reached["wheelchair_accessible_bus_stop_m"] = reached["name"].map(STOP_M)
    # What the walking reach page keeps: its measure, the communities' metres in ``near``.
    kept = reach.Reach(table=None, near=reached, profiles=("wheelchair",), radii=(300,))
    at.session_state[MEASURED_KEYS[1]] = {"newest": kept}
    at.session_state["lang"] = lang
    open_page(at, "priorities").run()
    assert not at.exception, at.exception
    return at


def _table(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_the_planned_rows_ranked_explained_and_tied_and_a_preset_reorders_them(loaded):
    at = _open(loaded)
    table = _table(at, "名次")
    # 均衡 first, as `atlas priorities`: 乙's wide gap to an accessible stop and its consent.
    assert table["小区"].tolist() == ["乙小区", "丁小区", "戊小区", "甲<b>小区"]
    assert table["名次"].tolist() == ["1", "2（并列）", "2（并列）", "4"]
    assert table["居民同意率"].tolist() == ["100%", "无数据", "无数据", "50%（低于 80%）"]
    # The life circle, which no candidate has, is said once above the table, not per row.
    assert table["无数据（不计分）"].tolist() == ["", *["无障碍公交站缺口、居民同意率"] * 2, ""]
    assert [i.value for i in at.info] == ["尚未测算生活圈指标（生活圈页）：生活圈缺项不计分。"]
    assert "得分并列：第 2 名 丁小区、戊小区" in [w.value for w in at.warning]
    assert "参与排序的小区 4 个；预设：均衡。" in [c.value for c in at.caption]
    assert screen_problems(screen_texts(at), "zh", data=DATA) == []
    at.radio(key="priorities_preset").set_value("safety").run()
    assert not at.exception, at.exception
    table = _table(at, "名次")
    assert table["小区"].tolist() == ["甲<b>小区", "丁小区", "戊小区", "乙小区"]
    assert table["得分构成"].iloc[0] == (
        "户数 1.00 × 权重 20%；房龄 1.00 × 权重 50%；无障碍公交站缺口 0.10 × 权重 10%；"
        "居民同意率 0.50 × 权重 10% → 得分 0.84（按有数据的权重 90% 折算）"
    )
    assert at.slider(key="priorities_weight_age").value == 50
    assert "参与排序的小区 4 个；预设：安全优先。" in [c.value for c in at.caption]


def test_in_english_every_community_not_completed_and_no_word_of_chinese(loaded):
    at = _open(loaded, "en")
    at.radio(key="priorities_candidates").set_value("all").run()
    assert not at.exception, at.exception
    table = _table(at, "Rank")
    # The oldest and largest, once completed rows count too.
    assert table["Community"].tolist() == ["己小区", "乙小区", "丁小区", "戊小区", "甲<b>小区"]
    assert table["Residents' consent"].iloc[4] == "50% (below 80 %)"
    assert "No life-circle indicators measured yet" in at.info[0].value
    assert screen_problems(screen_texts(at), "en", data=DATA) == []


def test_a_weight_moved_by_hand_and_every_weight_at_zero(loaded):
    at = _open(loaded)
    for part in ("households", "age", "access_gap", "life_circle_gap", "consent"):
        at.slider(key=f"priorities_weight_{part}").set_value(0)
    at.slider(key="priorities_weight_consent").set_value(100).run()
    table = _table(at, "名次")
    assert table["小区"].tolist() == ["乙小区", "甲<b>小区", "丁小区", "戊小区"]
    # Without a consent figure, nothing weighed has data: said, not ranked last as a 0.
    assert table["名次"].tolist()[2:] == ["未排序", "未排序"]
    assert table["得分构成"].iloc[2] == "所有加权项均无数据，未排序"
    at.slider(key="priorities_weight_consent").set_value(0).run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == ["所有权重均为 0：请至少给一项大于 0 的权重。"]
    assert not at.dataframe


def test_the_life_circle_measured_in_the_session_is_weighed_and_choices_outlive_the_language(
    loaded,
):
    projects = loaded.ledger.projects
    passes = {"甲<b>小区": False, "乙小区": True, "丁小区": False, "戊小区": None}
    measured = SimpleNamespace(
        communities=projects.assign(pass_clinic=projects["name"].map(passes))
    )
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[LEDGER_KEY] = loaded
    at.session_state[MEASURED_KEYS[0]] = {"newest": measured}
    open_page(at, "priorities").run()
    assert not at.exception, at.exception
    # No wheelchair reach in this session: that gap alone is said missing.
    assert [i.value for i in at.info] == [
        "尚未测算到无障碍公交站的轮椅路程（步行可达页，轮椅）：无障碍缺口不计分。"
    ]
    assert any("取自本次会话在生活圈页" in c.value for c in at.caption)
    table = _table(at, "名次").set_index("小区")
    assert "生活圈缺项 1.00 × 权重 20%" in table.loc["甲<b>小区", "得分构成"]
    assert "生活圈缺项 0.00 × 权重 20%" in table.loc["乙小区", "得分构成"]
    assert table.loc["戊小区", "无数据（不计分）"] == "生活圈缺项、居民同意率"
    at.radio(key="priorities_preset").set_value("safety").run()
    at.slider(key="priorities_weight_consent").set_value(35).run()
    at.radio(key="lang").set_value("en").run()
    assert not at.exception, at.exception
    assert at.radio(key="priorities_preset").value == "safety"
    assert at.slider(key="priorities_weight_consent").value == 35
    assert "Communities ranked: 4; preset: Safety first." in [c.value for c in at.caption]


#: A list of candidates as a district sends it: no coordinates, consent in words, one row the
#: atlas cannot read (一般 says no share and no agreement) and a hostile name.
LISTED = (
    "小区名称,所属城市,所属区县,户数,建成年代,居民意愿\n"
    "<img src=x onerror=alert(1)>小区,新乡市,卫滨区,300,1985,同意\n"
    "乙小区,新乡市,红旗区,120,90年代,强烈\n"
    "丙小区,新乡市,牧野区,200,2001,一般\n"
)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_uploaded_list_is_read_as_a_ledger_ranked_whole_its_quarantine_said(lang):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    open_page(at, "priorities").run()
    assert not at.exception, at.exception
    # No ledger in view: the page says so, and offers the list.
    needs = {"zh": "也可选择“上传的候选小区清单”", "en": "or choose an uploaded list"}[lang]
    assert needs in at.info[0].value
    at.radio(key="priorities_candidates").set_value("uploaded").run()
    upload = ("候选.csv", LISTED.encode("utf-8"), "text/csv")
    at.file_uploader(key="priorities_upload").set_value(upload).run()
    assert not at.exception, at.exception
    read = {
        "zh": "清单共 3 行：2 行参与排序，1 行隔离。",
        "en": "The list has 3 rows: 2 ranked, 1 quarantined.",
    }[lang]
    assert read in [c.value for c in at.caption]
    quarantined = next(d.value for d in at.dataframe if len(d.value) == 1).iloc[0]
    message = {
        "zh": "居民意愿：无法识别的居民意愿 '一般'（可写 85%、0.85、八成、同意、不同意、强烈）",
        "en": "居民意愿: '一般' is not a consent the atlas reads (a share such as 85 % or 0.85, "
        "tenths, or the words for agreed, not agreed or strong)",
    }[lang]
    reason = {"zh": "居民意愿无法识别", "en": "consent not read"}[lang]
    assert quarantined.iloc[:4].tolist() == [4, reason, "居民意愿", message]
    rank, name, consent = {
        "zh": ("名次", "小区", "居民同意率"),
        "en": ("Rank", "Community", "Residents' consent"),
    }[lang]
    table = _table(at, rank)
    assert table[name].tolist() == ["<img src=x onerror=alert(1)>小区", "乙小区"]
    assert (
        table[consent].tolist()
        == {
            "zh": ["同意（达到 80%）", "意愿强烈"],
            "en": ["Agreed (80 % reached)", "Strong wish"],
        }[lang]
    )
    data = ["<img src=x onerror=alert(1)>小区", "乙小区", "丙小区", "一般", "新乡市", "卫滨区"]
    # The quarantined row keeps the file's own headers and cells: they are what it said.
    data += ["红旗区", "牧野区", "候选.csv", "90年代", *LISTED.splitlines()[0].split(",")]
    # Not one candidate has a point: said, and no empty map drawn.
    assert not at.get("component_instance")
    assert screen_problems(screen_texts(at), lang, data=data) == []


#: A list with points on the 5 × 5 footway grid of tests/test_siting.py (an accessible stop at
#: (0, 400), a plain one at (400, 0)), one row without a point.
LISTED_ON_GRID = (
    ("近站小区", 300, (0, 300)),
    ("远站小区", 300, (400, 100)),
    ("无坐标小区", 300, None),
)


def _grid_list() -> bytes:
    lines = ["小区名称,所属城市,所属区县,户数,建成年代,经度,纬度,坐标系"]
    for name, households, point in LISTED_ON_GRID:
        lon, lat = lonlat(*point) if point else ("", "")
        lines.append(
            f"{name},新乡市,延津县,{households},1990,{lon},{lat},{'wgs84' if point else ''}"
        )
    return "\n".join(lines).encode("utf-8")


def _upload(at: AppTest, data: bytes) -> AppTest:
    at.radio(key="priorities_candidates").set_value("uploaded").run()
    at.file_uploader(key="priorities_upload").set_value(("候选.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    return at


def _assert_measured_on_the_grid(at: AppTest, lang: str):
    """The grid's ranking: reach and life circle are parts; the row without a point lacks them."""
    words = {
        "zh": ("名次", "小区", "得分构成", "无数据（不计分）", "无障碍公交站缺口", "生活圈缺项"),
        "en": ("Rank", "Community", "How the score is made", "No data (not scored)",
               "Accessible-stop gap", "Life-circle gaps"),
    }[lang]  # fmt: skip
    rank, name, explained, missing, access, circle = words
    table = _table(at, rank).set_index(name)
    # The wheelchair route to the accessible stop: 100 m and 700 m (of the 1,000 m cap).
    assert f"{access} 0.10 ×" in table.loc["近站小区", explained]
    assert f"{access} 0.70 ×" in table.loc["远站小区", explained]
    # The life circle measured on the same network: its lacks are a part, not missing.
    assert circle in table.loc["近站小区", explained]
    assert table.loc["近站小区", missing] == ""
    assert access in table.loc["无坐标小区", missing]
    return table


def _assert_only_consent_is_said_missing(at: AppTest, lang: str) -> None:
    assert [i.value for i in at.info] == [
        {
            "zh": "此台账没有居民同意率：同意率不计分。",
            "en": "No residents' consent in this ledger: consent not scored.",
        }[lang]
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_uploaded_list_is_measured_on_the_extract_in_view_as_a_ledger_is(tmp_path, lang):
    data = _grid(tmp_path).read_bytes()
    found = infra.read_infra(data, name="grid.osm")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[INFRA_KEY] = LoadedInfra(
        found, "grid.osm", hashlib.sha1(data).hexdigest(), data=data
    )
    at.session_state["lang"] = lang
    open_page(at, "priorities").run()
    _upload(at, _grid_list())
    _assert_measured_on_the_grid(at, lang)
    measured = {
        "zh": "清单中有坐标的小区在 OSM 摘录 grid\\.osm 的街道网络上测算：无障碍公交站缺口 2 个"
        "（轮椅），生活圈缺项 2 个（步行，标准半径）；其余没有数据，不计分。",
        "en": "Measured on the street network of the OSM extract grid\\.osm for the list's "
        "communities with a point: the accessible-stop gap of 2 (wheelchair), the life-circle "
        "gaps of 2 (on foot, standard radii); the others have no data and are not scored.",
    }[lang]
    assert measured in [c.value for c in at.caption]
    # Every part has data somewhere, but the list's consent: that alone is said.
    _assert_only_consent_is_said_missing(at, lang)
    data_shown = [r[0] for r in LISTED_ON_GRID] + ["新乡市", "延津县", "候选.csv", "grid.osm"]
    # The file's own headers, where the datum note names its column.
    data_shown += _grid_list().decode("utf-8").splitlines()[0].split(",")
    assert screen_problems(screen_texts(at), lang, data=data_shown) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_uploaded_list_says_why_its_reach_and_life_circle_are_not_scored(tmp_path, lang):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    open_page(at, "priorities").run()
    _upload(at, _grid_list())
    no_network = {
        "zh": [
            "无障碍公交站缺口不计分：此项要在街道网络上测算，本次会话尚未读入 OSM 摘录"
            "（在无障碍设施页读入，或在步行可达页载入示例）。",
            "生活圈缺项不计分：此项要在街道网络上测算，本次会话尚未读入 OSM 摘录"
            "（在无障碍设施页读入，或在步行可达页载入示例）。",
        ],
        "en": [
            f"{part} not scored: it is measured on a street network, and no OSM extract is read "
            "in this session (read one on the accessibility page, or load the example on the "
            "walking reach page)."
            for part in ("Accessible-stop gap", "Life-circle gaps")
        ],
    }[lang]
    infos = [i.value for i in at.info]
    assert all(text in infos for text in no_network), infos
    # The list without one point, with an extract in view: said so, not 0 and not silence.
    data = _grid(tmp_path).read_bytes()
    at.session_state[INFRA_KEY] = LoadedInfra(
        infra.read_infra(data, name="grid.osm"), "grid.osm", "grid", data=data
    )
    _upload(at, LISTED.encode("utf-8"))
    no_points = {
        "zh": "无障碍公交站缺口不计分：清单中没有一个小区有坐标（经度、纬度），"
        "无法在街道网络上测算。",
        "en": "Accessible-stop gap not scored: not one community in the list has a point "
        "(longitude and latitude) to measure on the street network.",
    }[lang]
    assert no_points in [i.value for i in at.info]
    table = _table(at, {"zh": "名次", "en": "Rank"}[lang])
    explained = table[{"zh": "得分构成", "en": "How the score is made"}[lang]]
    assert not explained.str.contains("0.00").any()


def _grid_ledger() -> LoadedLedger:
    """The grid list as a ledger: its rows 计划, and one 完工 beside the accessible stop."""
    lines = _grid_list().decode("utf-8").splitlines()
    lines[0] = lines[0].replace("建成年代", "建成年代,状态")
    lines[1:] = [line.replace(",1990,", ",1990,计划,") for line in lines[1:]]
    lon, lat = lonlat(0, 350)
    lines.append(f"已完工小区,新乡市,延津县,300,1990,完工,{lon},{lat},wgs84")
    ledger = records.read_ledger("\n".join(lines).encode("utf-8"), name="ledger.csv")
    assert len(ledger.projects) == 4, ledger.quarantine
    return LoadedLedger(ledger, "ledger.csv", reconcile.reconcile(ledger.projects, load_figures()))


def _with_grid(at: AppTest, tmp_path) -> AppTest:
    data = _grid(tmp_path).read_bytes()
    found = infra.read_infra(data, name="grid.osm")
    at.session_state[INFRA_KEY] = LoadedInfra(found, "grid.osm", "grid", data=data)
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_ledgers_planned_rows_are_measured_on_the_extract_in_view(tmp_path, lang):
    at = _with_grid(AppTest.from_file(APP, default_timeout=TIMEOUT), tmp_path)
    at.session_state[LEDGER_KEY] = _grid_ledger()
    at.session_state["lang"] = lang
    open_page(at, "priorities").run()
    assert not at.exception, at.exception
    # The 计划 rows only, measured as an uploaded list is: 100 m and 700 m by wheelchair.
    table = _assert_measured_on_the_grid(at, lang)
    assert sorted(table.index) == sorted(r[0] for r in LISTED_ON_GRID)
    measured = {
        "zh": "台账中有坐标的候选小区在 OSM 摘录 grid\\.osm 的街道网络上测算：无障碍公交站缺口 "
        "2 个（轮椅），生活圈缺项 2 个（步行，标准半径）；其余没有数据，不计分。",
        "en": "Measured on the street network of the OSM extract grid\\.osm for the ledger's "
        "candidates with a point: the accessible-stop gap of 2 (wheelchair), the life-circle "
        "gaps of 2 (on foot, standard radii); the others have no data and are not scored.",
    }[lang]
    assert measured in [c.value for c in at.caption]
    # No more "measure it on the other pages first": the ledger's consent alone is missing.
    _assert_only_consent_is_said_missing(at, lang)
    shown = [*(r[0] for r in LISTED_ON_GRID), "新乡市", "延津县", "ledger.csv", "grid.osm"]
    assert screen_problems(screen_texts(at), lang, data=shown) == []


def test_a_reach_measured_on_its_page_is_kept_and_the_life_circle_measured_here(tmp_path):
    loaded = _grid_ledger()
    at = _with_grid(AppTest.from_file(APP, default_timeout=TIMEOUT), tmp_path)
    at.session_state[LEDGER_KEY] = loaded
    # The walking reach page's measure of this ledger: 远站小区 at 1,500 m (the cap: 1.00).
    reached = loaded.ledger.projects.copy()
    metres = {"近站小区": 100.0, "远站小区": 1500.0, "已完工小区": 50.0}
    reached["wheelchair_accessible_bus_stop_m"] = reached["name"].map(metres)
    kept = reach.Reach(table=None, near=reached, profiles=("wheelchair",), radii=(300,))
    at.session_state[MEASURED_KEYS[1]] = {"newest": kept}
    open_page(at, "priorities").run()
    assert not at.exception, at.exception
    table = _table(at, "名次").set_index("小区")
    assert "无障碍公交站缺口 1.00 ×" in table.loc["远站小区", "得分构成"]
    assert "生活圈缺项" in table.loc["近站小区", "得分构成"]
    captions = [c.value for c in at.caption]
    assert "生活圈和轮椅路程取自本次会话在生活圈页、步行可达页对此台账的测算。" in captions
    assert (
        "台账中有坐标的候选小区在 OSM 摘录 grid\\.osm 的街道网络上测算：生活圈缺项 2 个"
        "（步行，标准半径）；其余没有数据，不计分。" in captions
    )
    assert [i.value for i in at.info] == ["此台账没有居民同意率：同意率不计分。"]
