"""Tests for geo/addresses.py: free-text addresses → the district they name."""

from __future__ import annotations

import pytest

from geo.addresses import MAX_PREFIX, parse_address
from geo.errors import UnknownPlaceError
from layers.wording import detail_text

# (address as written, city, year, expected status, expected adcode)
CASES = [
    # the brief's table
    ("河南省新乡市卫滨区健康路18号", None, None, "ok", "410703"),
    ("新乡市红旗区幸福小区3号楼", None, None, "ok", "410702"),
    ("卫滨区自由路", "新乡", None, "ok", "410703"),
    ("许昌县尚集镇政府", None, 2010, "historical", "411003"),
    ("新乡市高新区新二街", None, None, "zone", "410771"),
    ("鼓楼区中山路", None, None, "ambiguous", None),
    ("新乡市幸福小区", None, None, "unknown", None),
    ("开封市顺河回族区东大街", None, None, "ok", "410203"),
    ("焦作市示范区文苑路", None, None, "zone", "410871"),  # data/zones.csv: 示范区 of 焦作
    # prefixes as documents write them
    ("中国河南省新乡市卫滨区", None, None, "ok", "410703"),
    ("中华人民共和国北京市东城区", None, None, "ok", "110101"),
    ("新乡卫滨区健康路", None, None, "ok", "410703"),  # short city prefix
    ("开封市顺河区东大街", None, None, "historical", "410203"),  # short form of 顺河回族区
    ("新乡市新华区", None, None, "historical", "410703"),  # renamed 卫滨区 in 2003
    ("新乡市郊区", None, None, "historical", "410711"),  # renamed 牧野区 in 2003
    ("濮阳市长垣县", None, None, "historical", "410783"),  # moved to 新乡 in 1986
    ("新乡县翟坡镇", None, None, "ok", "410721"),  # starts like 新乡市
    ("济源市天坛路", None, None, "ok", "419001"),  # a city that is its own district
    ("邯郸市经开区", None, None, "zone", "130471"),
    ("新 乡 市 平原示范区", None, None, "zone", "410773"),
    ("北京市朝阳区建国路", None, None, "ok", "110105"),
    ("朝阳区建国路", "北京", None, "ok", "110105"),
    ("内蒙古自治区锡林郭勒盟正蓝旗上都镇", None, None, "ok", "152530"),
    ("甘肃省临夏回族自治州积石山保安族东乡族撒拉族自治县吹麻滩镇", None, None, "ok", "622927"),
    # suffix characters inside a name: the longest adjacent reading wins
    ("新乡市辉县市百泉镇", None, None, "ok", "410782"),
    ("新乡市辉县百泉镇", None, None, "historical", "410782"),
    ("常德市津市市襄阳街", None, None, "ok", "430781"),
    ("荆州市沙市区", None, None, "ok", "421002"),
    ("青岛市市北区", None, None, "ok", "370203"),
    ("济南市市中区", None, None, "ok", "370103"),
    # full-width digits, letters and spaces
    ("新乡市卫滨区健康路１８号", None, None, "ok", "410703"),
    ("\u3000新乡市卫滨区", None, None, "ok", "410703"),
    ("新乡市\u3000卫滨区\u3000健康路", None, None, "ok", "410703"),
    ("新乡市卫 滨 区Ａ座", None, None, "ok", "410703"),
    # 河北 is a province, 河北区 a district of Tianjin
    ("天津市河北区中山路", None, None, "ok", "120105"),
    ("河北区中山路", None, None, "ok", "120105"),
    ("河北区中山路", "天津", None, "ok", "120105"),
]


@pytest.mark.parametrize(("address", "city", "year", "status", "adcode"), CASES)
def test_parse_address(
    address: str, city: str | None, year: int | None, status: str, adcode: str | None
) -> None:
    result = parse_address(address, city=city, year=year)
    assert (result.status, result.adcode) == (status, adcode)
    assert result.query == address


# Names ending in 区 (小区, 社区, 园区), streets, and bare city names: none is a district.
NO_DISTRICT = [
    "新乡市幸福小区",
    "新乡市幸福小区3号楼",
    "幸福小区3号楼",
    "新乡市和平社区",
    "新乡市东区",
    "新乡市新区",
    "新乡市工业园区",
    "健康路18号",
    "红旗路12号",  # 红旗 is not 红旗区
    "新乡市红旗路",
    "新乡市胖东来超市",
    "新乡市",
    "河南省新乡市",
    "北京市",
    "中国",
]


@pytest.mark.parametrize("address", NO_DISTRICT)
def test_address_without_district_is_unknown(address: str) -> None:
    result = parse_address(address)
    assert (result.status, result.adcode, result.name) == ("unknown", None, None)
    assert result.candidates == ()
    assert result.note.startswith(f"No district found in the address {address!r}: ")
    assert result.words["code"] in ("address_no_district", "address_only_city")
    assert result.words["address"] == repr(address)


def test_no_district_note_names_the_city_it_found() -> None:
    note = parse_address("新乡市幸福小区").note
    assert note == (
        f"No district found in the address '新乡市幸福小区': no part of its first {MAX_PREFIX} "
        "characters ending in 区, 县, 市 or 旗 is a known district; it names only the city "
        "新乡市."
    )
    # Worded by layers in each language from its code and parameters (issue 28).
    words = parse_address("新乡市幸福小区").words
    assert detail_text(words, "", "zh") == (
        f"地址 '新乡市幸福小区' 只写到城市新乡市，前 {MAX_PREFIX} 个字中没有区县"
    )
    assert detail_text(words, "", "en") == (
        f"the address '新乡市幸福小区' names only the city 新乡市: no district in its first "
        f"{MAX_PREFIX} characters"
    )


def test_no_district_note_names_the_city_given() -> None:
    note = parse_address("幸福小区3号楼", city="新乡").note
    assert "is a known district of 新乡市." in note


def test_district_after_a_small_community_is_found() -> None:
    result = parse_address("新乡市牧野区和平社区")
    assert (result.status, result.adcode, result.name) == ("ok", "410711", "牧野区")


def test_result_keeps_gazetteer_fields_and_note() -> None:
    result = parse_address("许昌县尚集镇政府", year=2010)
    assert (result.name, result.city, result.province) == ("建安区", "许昌市", "河南省")
    assert result.note.startswith("许昌县 became 建安区 (2016).")
    assert result.words["code"] == "renamed"


def test_zone_keeps_its_full_name() -> None:
    result = parse_address("焦作市示范区文苑路")
    assert (result.name, result.city) == ("焦作城乡一体化示范区", "焦作市")
    assert "410871" in result.note


def test_ambiguous_district_is_never_guessed() -> None:
    result = parse_address("鼓楼区中山路")
    assert result.name is None
    assert {"410204", "320106", "320302", "350102"} <= {c["adcode"] for c in result.candidates}
    assert "pass city=" in result.note


def test_city_resolves_the_ambiguity() -> None:
    result = parse_address("鼓楼区中山路", city="开封市")
    assert (result.status, result.adcode) == ("ok", "410204")


def test_city_prefix_contradicting_city_is_unknown() -> None:
    result = parse_address("开封市鼓楼区中山路", city="新乡")
    assert (result.status, result.adcode, result.candidates) == ("unknown", None, ())
    assert result.note.startswith(
        "The address names 开封市, but city=新乡市 was given; pass the city the "
        "address is in, or leave city out."
    )


def test_city_prefix_contradicting_city_without_district_is_unknown() -> None:
    result = parse_address("开封市幸福路", city="新乡市")
    assert result.status == "unknown"
    assert result.note.startswith("The address names 开封市, but city=新乡市 was given")


@pytest.mark.parametrize(
    ("address", "city", "adcode", "note"),
    [
        (
            "开封鼓楼区中山路",
            "新乡",
            "410204",
            "新乡市 found in the address: it starts with 开封鼓楼区 (开封市鼓楼区).",
        ),
        (
            "卫滨区自由路",
            "开封",
            "410703",
            "开封市 found in the address: it starts with 卫滨区 (新乡市卫滨区).",
        ),
    ],
)
def test_district_of_another_city_is_named_not_returned(
    address: str, city: str, adcode: str, note: str
) -> None:
    result = parse_address(address, city=city)
    assert (result.status, result.adcode) == ("unknown", None)
    assert [c["adcode"] for c in result.candidates] == [adcode]
    assert result.note.startswith(f"No district of {note} Check city=, or leave it out.")


@pytest.mark.parametrize(
    ("address", "city"),
    [("河北省卫滨区", None), ("河北省卫滨区健康路", "新乡"), ("河北省鼓楼区中山路", None)],
)
def test_district_outside_the_named_province_is_unknown(address: str, city: str | None) -> None:
    # resolve_district drops the province prefix unchecked and would answer 新乡's 卫滨区.
    result = parse_address(address, city=city)
    assert (result.status, result.adcode) == ("unknown", None)
    assert "outside 河北省" in result.note
    assert result.candidates


def test_municipality_prefix_limits_generic_names() -> None:
    # resolve_district("天津市市区") answers 濮阳's 华龙区 (once called 市区); 天津 has none.
    result = parse_address("天津市市区某路")
    assert (result.status, result.adcode) == ("unknown", None)
    assert "it names only the city 天津市" in result.note


def test_abolished_county_keeps_the_gazetteer_note() -> None:
    result = parse_address("大同市南郊区口泉乡")
    assert (result.status, result.adcode) == ("unknown", None)
    assert "no single successor" in result.note
    assert result.query == "大同市南郊区口泉乡"


def test_same_address_gives_the_same_result() -> None:
    assert parse_address("新乡市红旗区幸福小区") == parse_address("新乡市红旗区幸福小区")


@pytest.mark.parametrize("address", ["", "   ", "\u3000", "\t\n"])
def test_empty_address_raises(address: str) -> None:
    expected = (
        f"Expected an address such as '河南省新乡市卫滨区健康路18号', got {address!r}. "
        "Pass the address text; an empty address names no district."
    )
    with pytest.raises(ValueError) as caught:
        parse_address(address)
    assert str(caught.value) == expected


@pytest.mark.parametrize("address", [None, 410703, float("nan")])
def test_non_string_address_raises(address: object) -> None:
    with pytest.raises(TypeError, match="Expected the address as a str"):
        parse_address(address)  # type: ignore[arg-type]


def test_unknown_city_raises_even_without_a_district() -> None:
    with pytest.raises(UnknownPlaceError, match="Unknown city '新相'"):
        parse_address("健康路18号", city="新相")


@pytest.mark.parametrize(
    ("year", "error"), [(1900, ValueError), ("2010", TypeError), (True, TypeError)]
)
def test_bad_year_raises_even_without_a_district(year: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="year must be"):
        parse_address("健康路18号", year=year)  # type: ignore[arg-type]
