"""Tests for layers/wording.py and its catalogue: both languages, the same placeholders, every
key the code asks for present, and a clear error for one that is missing."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pandas as pd
import pytest

from geo import _worker, coverage, errors, network
from geo.io import osm as _osm
from layers import tables
from layers.wording import LABELS, LANGS, label, measure_name
from tests.test_codes import coded_keys

REPO = Path(__file__).resolve().parent.parent
SOURCES = [
    REPO / "app.py",
    *REPO.glob("cli/*.py"),
    *REPO.glob("app_pages/**/*.py"),
    *REPO.glob("layers/*.py"),
]
# label("key", ...) and label('key', ...) with a literal key.
LITERAL = re.compile(r"""\blabel\(\s*["']([a-z0-9_]+)["']""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _keys_in_code() -> set[str]:
    return {key for path in SOURCES for key in LITERAL.findall(path.read_text(encoding="utf-8"))}


def _keys_built_from_names() -> set[str]:
    """The keys the code builds from a code (f"reason_{status}"), for every code it can meet."""
    # The readers' and the store's codes, from their own lists (tests/test_codes.py), the
    # export's layer names (worded when the catalogue has them), and the table headers.
    keys = {f"layer_{n}" for n in ("districts", "projects", "quarantine", "reconciliation")}
    keys |= {f"layer_{n}" for n in ("infra", "coverage")}
    # A city's life-circle status worded by a lookup (layers.lifecircle.city_table).
    keys |= {"lc_city_incomplete", "lc_city_no_projects", "lc_complete_unknown"}
    return coded_keys() | keys | set(tables._HEADERS.values())


def test_every_entry_has_both_languages_with_the_same_placeholders():
    for key, texts in LABELS.items():
        assert set(texts) == set(LANGS), key
        assert all(texts[lang].strip() for lang in LANGS), key
        assert _placeholders(texts["zh"]) == _placeholders(texts["en"]), key


def test_every_key_the_code_uses_is_in_the_catalogue():
    used = _keys_in_code()
    assert len(used) > 150  # the scan found the calls, not nothing
    missing = sorted((used | _keys_built_from_names()) - set(LABELS))
    assert missing == []


def test_every_measure_has_a_name_in_both_languages():
    for key in coverage.measure_keys((300, 500)):
        for lang in LANGS:
            assert measure_name(key, lang)


def test_a_missing_key_names_itself_and_the_catalogue():
    with pytest.raises(KeyError, match=r"'no_such_key'.*data/wording.toml"):
        label("no_such_key")
    with pytest.raises(ValueError, match="Expected lang to be one of"):
        label("title", "fr")


def test_a_missing_qualifier_reads_as_nothing():
    import pandas as pd

    from layers.wording import qualifier_text

    assert [qualifier_text(q) for q in (pd.NA, None, float("nan"), "exact")] == [""] * 4
    assert qualifier_text("approx", "en") == " (about)"


@pytest.mark.parametrize(
    ("value", "unit", "zh", "en"),
    [
        (22149, "households", "2.21 万户", "22,149 households"),  # not 2.2149 万户
        (42000, "households", "4.2 万户", "42,000 households"),
        (11250, "households", "1.13 万户", "11,250 households"),  # half up, as toFixed
        (3279, "households", "3,279 户", "3,279 households"),
        (1_800_000_000, "cny", "18 亿元", "1,800,000,000 CNY"),
        (102100, "m2", "10.21 万 m²", "102,100 m²"),
        (57.9842, "percent", "58%", "58%"),
        (46.8, "km", "46.8 千米", "46.8 km"),  # not 46.80: no decimal invented
        (0.0041152, "count_per_household", "0.0041 个/户", "0.0041 per household"),  # not 0
        (float("nan"), "km", "无数据", "No data"),
    ],
)
def test_figures_read_as_reports_write_them(value, unit, zh, en):
    from layers.wording import format_value

    assert (format_value(value, unit, "zh"), format_value(value, unit, "en")) == (zh, en)


@pytest.mark.parametrize(
    ("value", "unit", "options", "zh", "en"),
    [
        # A document's own figure in its own words, qualifier and unit included (issue 22).
        (42000, "households", {"qualifier": "at_least", "as_written": "4.2 万余户"}, "4.2 万余户",
         "at least 42,000 households"),
        (35200, "households", {"qualifier": "at_least", "as_written": "3.52万余户"}, "3.52万余户",
         "at least 35,200 households"),
        (1230, "count", {"as_written": "1230处"}, "1230处", "1,230"),
        (46.8, "km", {"as_written": "46.8公里"}, "46.8公里", "46.8 km"),
        (4.68, "km", {"as_written": "4680米"}, "4680米", "4.68 km"),
        (29000, "households", {"qualifier": "approx", "as_written": "约2.9万户"}, "约2.9万户",
         "about 29,000 households"),
        # A value the words do not state (a sum, an edited value) is formatted, still qualified.
        (46.8, "km", {}, "46.8 千米", "46.8 km"),
        (1230, "count", {"unit_word": "处"}, "1,230 处", "1,230"),
        (45000, "households", {"qualifier": "at_least", "as_written": "4.2 万余户"}, "4.5 万余户",
         "at least 45,000 households"),
        (8600, "count", {"qualifier": "at_least"}, "8,600 余个", "at least 8,600"),
        (2830000, "m2", {"qualifier": "at_least"}, "283 万余 m²", "at least 2,830,000 m²"),
        (97.7, "percent", {"qualifier": "at_least"}, "97.7%以上", "at least 97.7%"),
        (29000, "households", {"qualifier": "approx"}, "约 2.9 万户", "about 29,000 households"),
        (300, "households", {"qualifier": "at_most"}, "不超过 300 户", "at most 300 households"),
        (float("nan"), "households", {"qualifier": "at_least"}, "无数据", "No data"),
    ],
)  # fmt: skip
def test_a_figure_reads_as_its_document_wrote_it(value, unit, options, zh, en):
    from layers.wording import figure_text

    assert figure_text(value, unit, "zh", **options) == zh
    assert figure_text(value, unit, "en", **options) == en


@pytest.mark.parametrize(
    ("row", "zh"),
    [
        # Over part of a district: a count is "at least", a rate or a zero is the part's.
        ({"value": 3.0, "unit": "count", "status": "partial_extent"},
         "3 个（不少于）（数据不足：数据仅覆盖本区部分范围）"),
        ({"value": 0.0, "unit": "percent", "status": "partial_extent"},
         "覆盖部分为 0%（数据不足：数据仅覆盖本区部分范围）"),
        ({"value": 0.0, "unit": "count", "status": "partial_extent"},
         "覆盖部分为 0 个（数据不足：数据仅覆盖本区部分范围）"),
        ({"value": 40.0, "unit": "households", "status": "incomplete"},
         "40 户（不少于）（数据不足：部分台账行未填此项，合计偏小）"),
        # A city's sum over some districts says how many of how many.
        ({"value": 42000.0, "unit": "households", "status": "sum_of_parts",
          "qualifier": "at_least", "parts_n": 1, "places_n": 9, "zones_n": 0},
         "4.2 万余户（9 个区县中 1 个有数据，不是全市合计）"),
        ({"value": 189800.0, "unit": "households", "status": "urban_area",
          "as_written": "18.98万户"}, "18.98万户（数据不足：仅为主城区数据，非全市）"),
    ],
)  # fmt: skip
def test_a_partial_value_says_what_it_covers(row, zh):
    from layers.wording import value_text

    assert value_text(row) == zh
    assert "at least 0" not in value_text({**row, "value": 0.0}, "en")


def test_a_legend_writes_every_class_in_one_unit():
    from layers.wording import class_texts

    # The map once read "6,205 户 – 4.2 万户": now 万 only when every class reaches it.
    assert class_texts([(117, 292), (1354, 3843), (6205, 42000)], "households") == (
        "户",
        ["117 – 292", "1,354 – 3,843", "6,205 – 42,000"],
    )
    assert class_texts([(42000, 42000), (126000, 189800)], "households") == (
        "万户",
        ["4.2", "12.6 – 18.98"],
    )
    assert class_texts([(1.0, 2.0), None], "count", "en") == ("", ["1 – 2", "—"])


@pytest.mark.parametrize(
    ("period", "english"),
    [
        ("2023年", "2023"),
        ("2019年至2022年", "2019–2022"),
        ("2019-2023年", "2019–2023"),
        ("2021年以来", "since 2021"),
        ("截至目前", "to date"),
        ("", "undated"),
        (None, "undated"),
    ],
)
def test_periods_are_english_in_english(period, english):
    from layers.wording import period_text, periods_text

    assert period_text(period, "en") == english
    assert period_text(period, "zh") == (period or "未注明时期")
    # Before a kind, as cards and legends write it: "undated stock", not "period not stated stock".
    assert periods_text([(period, "stock")], "en") == f"{english} stock"


@pytest.mark.parametrize(
    ("years", "code", "chinese", "english"),
    [
        ((2023, 2023), "2023", "2023年", "2023"),
        ((2019, 2022), "2019/2022", "2019年至2022年", "2019–2022"),
        ((None, 2023), "../2023", "截至2023年", "by 2023"),
        ((2021, None), "2021/..", "2021年起", "since 2021"),
        ((None, None), None, "未注明时期", "undated"),
    ],
)
def test_a_period_named_from_its_years_reads_as_the_documents_write_it(
    years, code, chinese, english
):
    from geo.dates import period_code
    from layers.wording import period_text, years_text

    # geo names it in no language; layers word it, in Chinese as the documents do.
    assert period_code(*years) == code
    assert (period_text(code, "zh"), period_text(code, "en")) == (chinese, english)
    assert (years_text(*years, "zh"), years_text(*years, "en")) == (chinese, english)


def test_a_document_saying_up_to_a_year_reads_by_that_year_in_english():
    from layers.wording import period_text

    assert period_text("截至2023年底", "en") == "by 2023"
    assert period_text("截至2023年底", "zh") == "截至2023年底"


def test_sources_and_scopes_lose_their_chinese_stock_words_in_english():
    from layers.wording import place_text, source_words, tags_text

    line = "x号 · 未注明 · 未注明日期 · 003.txt:5 | y号 · 新乡市 · 2023-02-07 · a.txt:1"
    assert source_words(line, "en") == (
        "x号 · not stated · undated · 003.txt:5 | y号 · 新乡市 · 2023-02-07 · a.txt:1"
    )
    assert source_words(line, "zh") == line
    assert (place_text("主城区", "en"), place_text("全市", "en")) == (
        "main urban area",
        "city-wide",
    )
    assert tags_text("facade|pipes|外墙保温层", "zh") == "外墙、管网、外墙保温层"
    assert tags_text("facade|pipes|外墙保温层", "en") == "Facades, Pipes and networks, 外墙保温层"


def test_a_datum_error_is_written_in_the_interfaces_language():
    from geo.errors import InputError
    from layers.wording import error_text

    hinted = InputError(
        "Expected a declared datum ...",
        fix="datum",
        code="no_datum_hint",
        details={"best": "gcj02", "tally": "wgs84 0/5, gcj02 5/5, bd09 0/5"},
    )
    zh = error_text(hinted, "zh")
    assert zh.startswith("坐标未声明坐标系，未做任何转换。提示（未采用）：按 gcj02 读取时")
    assert "--crs" not in zh and "Expected" not in zh
    assert zh.endswith("请在上传框下方的“坐标系”中选择数据的坐标系。")
    assert error_text(hinted, "en").startswith("The coordinates have no declared datum")
    # A datum error geo has no words for is still introduced in Chinese, its detail kept.
    other = InputError("OSM data is always WGS84; got the datum 'bd09'.", fix="datum")
    assert error_text(other, "zh").startswith("坐标系有误或未声明（OSM data is always WGS84")


def test_network_shares_are_named_with_their_profile():
    assert measure_name("households_within_500m_curb_ramp_wheelchair") == (
        "沿路网轮椅通行 500 米内有缘石坡道的户数占比"
    )
    assert measure_name("households_within_300m_accessible_bus_stop_walk", "en") == (
        "Share of households within 300 m on foot along the network of the nearest "
        "accessible bus stop"
    )


def test_a_ledger_note_names_the_datums_in_words():
    from layers.wording import note_text

    overridden = {
        "code": "datum_overridden",
        "declared": "wgs84",
        "column": "坐标系",
        "rows": 24,
        "datums": "gcj02",
    }
    assert note_text(overridden) == (
        "所选坐标系为 WGS84（GPS、OSM），但“坐标系”列为 24 行有坐标的记录写明了 "
        "GCJ-02（高德、腾讯）：这些行已按该列读取（每行自带的坐标系优先）。如该列有误，请改正后重新读取。"
    )
    suspect = {
        "code": "datum_suspect",
        "declared": "wgs84",
        "best": "gcj02/bd09",
        "rows": 5,
        "fits_declared": 2,
        "fits_best": 5,
    }
    assert note_text(suspect, "en") == (
        "The coordinates may not be WGS84 (GPS, OSM): read as WGS84 (GPS, OSM), 2 of 5 points "
        "with a named district fall in it; read as GCJ-02 (Amap, Tencent) or BD-09 (Baidu), 5 "
        "do (common: Amap coordinates declared as WGS84, about 600 m off). Nothing was "
        "converted: check the datum and read the file again."
    )
    assert note_text(suspect).startswith("坐标可能不是 WGS84（GPS、OSM）：按WGS84（GPS、OSM）读取")


def test_a_save_says_what_its_version_holds_and_a_refusal_why():
    from layers.wording import error_text, saved_text
    from store.errors import NothingToSaveError

    held = {"out_of_scope": 18, "total_row": 1}
    assert saved_text("x@2", 8, held, "zh") == (
        "已保存为 x@2（8 条有效记录；19 行已隔离：不属本账户的区县 18、合计行 1）。"
    )
    assert saved_text("x@2", 8, held, "en") == (
        "Saved as x@2 (8 clean rows; 19 quarantined: outside this account's districts 18, "
        "total row 1)."
    )
    assert saved_text("x@1", 26, {}, "zh") == "已保存为 x@1（26 条有效记录）。"
    assert saved_text("f@1", 2, {}, "en", kind="figures") == (
        "Saved as f@1 (2 figures); the map and the other pages show them."
    )
    refused = NothingToSaveError("…", rows=3, by_reason={"out_of_scope": 3})
    assert error_text(refused, "en") == (
        "Nothing to save: all 3 rows are quarantined (outside this account's districts 3), so "
        "no version was made. Fix the quarantined rows, or save as an account that may write "
        "their districts."
    )


def _refusals(tmp_path) -> list[Exception]:
    """One real refusal of each cap on what a file may cost (issue 29)."""
    import hostile_files

    from geo.documents.read import read_document

    found = []
    for data, name in [
        (b"1\n" * 100_001, "lines.txt"),
        (b"1" * 10_001, "line.txt"),
        (("改" * 9_999 + "\n").encode() * 201, "chars.txt"),
        (hostile_files.pdf_deep_tree(120), "deep.pdf"),
        (hostile_files.pdf_cyclic_tree(), "cycle.pdf"),
        (hostile_files.pdf_pages([b" " * 17_000_000]), "stream.pdf"),
        (hostile_files.pdf_pages([b" " * 10_000_000] * 7, shared=True), "pages.pdf"),
    ]:
        with pytest.raises(errors.InputError) as error:
            read_document(data, name=name)
        found.append(error.value)
    path = hostile_files.long_way_pbf(tmp_path / "long.osm.pbf", 2_001)
    with pytest.raises(errors.InputError) as error:
        network.build_network(path, use_cache=False)
    found.append(error.value)
    found += [
        _worker._timeout("a.pdf", 120),
        _worker._out_of_memory("a.pdf", 2**30),
        _worker._stopped("a.pdf", -9),
        _osm._too_many_refs("a.osm.pbf", 1_000_000),
        _osm.negative_ids("a.osm", -5),
    ]
    return found


def test_every_cost_refusal_is_worded_in_both_languages(tmp_path):
    from layers.wording import error_text

    refusals = _refusals(tmp_path)
    assert len({e.code for e in refusals}) == len(refusals)
    for refusal in refusals:
        zh, en = error_text(refusal, "zh"), error_text(refusal, "en")
        assert "Expected" not in zh and not re.search(r"[\u4e00-\u9fff]", en), refusal.code
        for value in refusal.details.values():
            assert value in zh and value in en, (refusal.code, value)


# --- a quarantined row worded from its code (issue 28) -----------------------------------------


def _coded(reason: str, column: str, detail_zh: str, detail_en: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": [3],
            "reason": [reason],
            "column": [column],
            "detail_zh": [detail_zh],
            "detail_en": [detail_en],
            "户数": ["约100"],
        }
    )


def test_a_quarantined_row_is_worded_from_its_code_in_both_languages():
    from layers.wording import quarantine_messages

    worded = quarantine_messages(_coded("approximate_number", "户数", "'约100'", "'约100'"))
    fixed = ["row", "reason", "column", "message_zh", "message_en"]
    assert worded.columns.tolist() == [*fixed, "户数"]
    assert worded.iloc[0].tolist() == [
        3,
        "approximate_number",
        "户数",
        "户数：约数 '约100'，需填写确数",
        "户数: '约100' is approximate; give the exact figure",
        "约100",
    ]


def test_a_figures_table_words_a_code_its_own_way():
    from layers.wording import quarantine_messages

    coded = _coded("no_district", "地区", "'幸福区'", "'幸福区'")
    ledger, table = quarantine_messages(coded), quarantine_messages(coded, "figures")
    assert ledger["message_zh"].iloc[0] == "无法确定所属区县：'幸福区'"
    assert table["message_zh"].iloc[0] == "无法确定地区：'幸福区'"
    assert table["message_en"].iloc[0] == "no place could be found: '幸福区'"


def test_a_row_that_holds_its_words_keeps_them():
    from layers.wording import quarantine_messages

    # An account's out-of-scope row (worded where it was made) after a reader's coded rows.
    coded = _coded("blank_row", "", "", "")
    saved = pd.DataFrame(
        {"row": [9], "reason": ["out_of_scope"], "message_zh": ["范围外"], "message_en": ["out"]}
    )
    worded = quarantine_messages(pd.concat([coded, saved], ignore_index=True))
    assert worded["message_zh"].tolist() == ["空行", "范围外"]
    assert worded["message_en"].tolist() == ["the row is empty", "out"]
    assert "detail_zh" not in worded
    # A quarantine already worded (a version saved before codes) is returned as it is.
    assert quarantine_messages(saved) is saved


def test_a_coded_detail_is_worded_from_its_parameters_and_a_worded_one_reads_as_saved():
    import json

    from layers.wording import quarantine_messages

    found = "'9999999'"
    coded = _coded("bad_number", "户数", found, found).assign(
        detail_params=json.dumps(
            {"code": "implausible_number", "top": 100000, "unit": "households"}
        )
    )
    # A version saved before the details were coded: the details worded, no parameters.
    saved = _coded(
        "bad_number",
        "户数",
        f"{found} 超出一个小区的合理范围（0 至 100,000 户）",
        f"{found} is outside the plausible range for one community (0 to 100,000 households)",
    )
    worded = quarantine_messages(pd.concat([coded, saved], ignore_index=True))
    fixed = ["row", "reason", "column", "message_zh", "message_en"]
    assert worded.columns.tolist() == [*fixed, "户数"]
    zh = f"户数：{found} 超出一个小区的合理范围（0 至 100,000 户）"
    en = f"户数: {found} is outside the plausible range for one community (0 to 100,000 households)"
    assert worded["message_zh"].tolist() == [zh, zh]
    assert worded["message_en"].tolist() == [en, en]


@pytest.mark.parametrize(
    ("reason", "params", "zh", "en"),
    [
        (
            "out_of_scope",
            {"code": "outside_scope", "place": "红旗区", "adcode": "410702",
             "scope": ["410703", "410711"]},
            "不在本账户可写范围内：红旗区（410702）；本账户只能写 410703、410711",
            "outside this account's scope: 红旗区 (410702); it may write 410703, 410711 only",
        ),
        (
            "wrong_geometry",
            {"code": "geometry", "geometry": "LineString"},
            "线不能作为该类设施的几何",
            "a LineString cannot be this feature type's geometry",
        ),
        (
            "duplicate_conflict",
            {"code": "conflicting_rows", "rows": [3, 1030], "fields": ["households", "floor_area"]},
            "同名同区小区数据冲突：第 3、1030 行；不同项：户数、建筑面积",
            "same community and district with conflicting figures: rows 3, 1030 differ in "
            "households, floor area",
        ),
        (
            "invalid_geometry",
            {"code": "too_wide", "span": 359.0},
            "几何无效：跨越 359.0° 经度（跨越 180° 经线，或经纬度填反）",
            "invalid geometry: it spans 359.0° of longitude (across the antimeridian, or lon/lat "
            "mixed up)",
        ),
    ],
    ids=["scope", "geometry", "rows", "span"],
)  # fmt: skip
def test_each_kind_of_parameter_is_worded_in_the_interfaces_language(reason, params, zh, en):
    import json

    from layers.wording import quarantine_messages

    coded = _coded(reason, "", "", "").assign(detail_params=json.dumps(params, ensure_ascii=False))
    worded = quarantine_messages(coded).iloc[0]
    assert (worded["message_zh"], worded["message_en"]) == (zh, en)


@pytest.mark.parametrize(
    ("read", "data", "zh", "en"),
    [
        (
            "ledger",
            "所属区县,户数,经度\n卫滨区,3,113.9\n",
            "台账缺少以下列：小区名称；纬度。文件表头为：所属区县、户数、经度。"
            "请按用户指南中的表头同义词重命名或添加这些列。",
            "The ledger lacks columns for: the community's name (小区名称); latitude (纬度). Its "
            "header is: 所属区县、户数、经度. Rename the columns (see the header synonyms in the "
            "user guide) or add them.",
        ),
        (
            "survey",
            "类型,名称\n盲道,甲\n",
            "设施表格缺少经度、纬度列。文件表头为：类型、名称。"
            "请添加这两列，或上传 GeoJSON、GeoPackage 或压缩的 Shapefile。",
            "The survey table has no 经度 and 纬度 (longitude, latitude) columns. Its header is: "
            "类型、名称. Add them, or upload GeoJSON, GeoPackage or a zipped Shapefile.",
        ),
    ],
)
def test_a_header_without_a_needed_column_is_refused_in_the_interfaces_language(read, data, zh, en):
    from geo import infra, records
    from layers.wording import error_text

    readers = {
        "ledger": lambda d: records.read_ledger(d, name="t.csv"),
        "survey": lambda d: infra.read_survey(d, name="t.csv", crs_name="wgs84"),
    }
    with pytest.raises(errors.InputError) as caught:
        readers[read](data.encode())
    assert (error_text(caught.value, "zh"), error_text(caught.value, "en")) == (zh, en)


def test_a_survey_table_without_a_datum_is_refused_in_the_interfaces_language():
    from geo import infra
    from layers.wording import error_text

    with pytest.raises(errors.InputError) as caught:
        infra.read_survey("类型,名称,经度,纬度\n盲道,甲,113.9,35.3\n".encode(), name="t.csv")
    zh = error_text(caught.value, "zh")
    assert zh.startswith("坐标未声明坐标系，未做任何转换。") and "Expected" not in zh
    assert error_text(caught.value, "en").startswith("The coordinates have no declared datum")
