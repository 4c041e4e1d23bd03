"""
Tests for geo/shown.py: figures equal as shown share their rank, in the report's figures (what
the reply and the atlas word), the atlas's tables and the compare tables, in Chinese and English.
"""

from __future__ import annotations

import dataclasses
import datetime
import io

import numpy as np
import pandas as pd
import pytest
from _reports import xinxiang
from pypdf import PdfReader

from geo import compare, report, shown
from layers.citations import item_value, rank_words
from layers.tables import compare_values, side_by_side, with_labels
from layers.wording import format_value, rank_label

CITY = "甲市"
CODES = {"一区": "990101", "二区": "990102", "三区": "990103", "四区": "990104"}
SHARE = "households_within_300m_curb_ramp"


def _items(values: dict[str, float], unit: str, key: str = "infra_" + SHARE) -> pd.DataFrame:
    rows = [
        {"scope": "place", "completeness": "ok", "city": "新乡市", "key": key,
         "source_kind": "measure", "period_label": "", "status": "", "value": value,
         "unit": unit, "adcode": code, "qualifier": "exact"}
        for code, value in values.items()
    ]  # fmt: skip
    return report._ranked(report._frame(rows)).set_index("adcode")


def test_shares_equal_as_shown_share_their_rank_in_either_language():
    # 56.79 % and 56.81 % both read 56.8 %; 56.74 % reads 56.7 %, so it is ranked apart.
    items = _items({"410702": 56.79, "410703": 56.81, "410704": 56.74, "410711": 60.0}, "percent")
    assert [format_value(v, "percent", lang) for v in (56.79, 56.81) for lang in ("zh", "en")] == [
        "56.8%"
    ] * 4
    assert items["rank"].tolist() == [2, 2, 4, 1]
    assert items["n_tied"].tolist() == [2, 2, 1, 1]
    assert items["rank_en"].tolist() == [2, 2, 4, 1]
    assert items["n_tied_en"].tolist() == [2, 2, 1, 1]
    tied = items.loc["410702"]
    assert rank_words(tied, "zh") == "新乡市内并列第 2 名（2 个并列，共 4）"
    assert rank_words(tied, "en") == "tied rank 2 of 4 in 新乡市 (2 tied)"
    assert rank_words(items.loc["410704"], "zh") == "新乡市内第 4 名（共 4）"
    assert rank_words(items.loc["410704"], "en") == "rank 4 of 4 in 新乡市"


def test_households_in_wan_tie_in_chinese_and_rank_apart_in_english():
    # 12,345 and 12,349 households both read 1.23 万户 in Chinese; English writes them whole.
    items = _items(
        {"410702": 12345.0, "410703": 12349.0, "410704": 12400.0},
        "households",
        key="ledger_households",
    )
    assert [format_value(v, "households", "zh") for v in (12345, 12349)] == ["1.23 万户"] * 2
    assert format_value(12345, "households", "en") == "12,345 households"
    assert items["rank"].tolist() == [2, 2, 1]
    assert items["rank_en"].tolist() == [3, 2, 1]
    assert rank_label(items.loc["410702"], "zh") == "并列第 2 名（2 个并列，共 3）"
    assert rank_label(items.loc["410702"], "en") == "rank 3 of 3"
    assert rank_label(items.loc["410703"], "en") == "rank 2 of 3"
    # What each rank was taken on: the value as each language shows it, back in households.
    values = pd.DataFrame(
        {"value": [12345.0, 12349.0, np.nan], "unit": "households", "as_written": None}
    )
    assert shown.as_shown(values, "zh").tolist()[:2] == [12300.0, 12300.0]
    assert shown.as_shown(values, "en").tolist()[:2] == [12345.0, 12349.0]
    assert np.isnan(shown.as_shown(values, "zh").iloc[2])
    # A document's figure Chinese shows as written (1.2345万户) keeps its value there.
    written = values.assign(as_written=["1.2345万户", None, None], qualifier="exact")
    assert shown.as_shown(written, "zh").iloc[0] == 12345.0


def test_counts_and_small_ratios_rank_on_what_is_written():
    # Whole counts are written whole; a small ratio keeps two significant digits (0.0041).
    assert shown.shown(3.0, "count", wan=True) == 3.0
    # Back in its unit exactly: 1.13 万 is 11300, not 11299.999999999998.
    assert shown.shown(11300.0, "households", wan=True) == 11300.0
    assert shown.shown(0.00412, "count_per_household", wan=False) == pytest.approx(0.0041)
    assert shown.shown(0.0049, "count_per_household", wan=False) != shown.shown(
        0.0041, "count_per_household", wan=False
    )
    assert shown.shown(123456789.0, "cny", wan=True) == pytest.approx(1.23e8)
    assert shown.shown(123456789.0, "cny", wan=False) == 123456789.0
    assert np.isnan(shown.shown(np.nan, "percent", wan=True))
    items = _items({"410702": 0.00412, "410703": 0.00414, "410704": 0.0049}, "count_per_household")
    assert items["rank"].tolist() == [2, 2, 1]


def test_a_documents_figure_shown_as_written_in_chinese_keeps_its_words():
    # A reply in Chinese shows 56.79% as the document wrote it, so it is not tied with 56.81%;
    # English writes both 56.8%.
    items = _items({"410702": 56.79, "410703": 56.81}, "percent").assign(
        as_written=["56.79%", "56.81%"]
    )
    keyed = report._ranked(items.reset_index()).set_index("adcode")
    assert item_value(keyed.loc["410702"], "zh") == "56.79%"
    assert keyed["rank"].tolist() == [2, 1]
    assert keyed["rank_en"].tolist() == [1, 1]


@pytest.fixture(scope="module")
def tied_report() -> report.Report:
    """新乡's report with 卫滨区's share at 56.81 % and 红旗区's at 56.79 %, ranked again."""
    made = xinxiang()
    items = made.items
    key = f"infra_{SHARE}"
    mine = (items["adcode"] == "410703") & (items["key"] == key)
    other = items[mine].assign(adcode="410702", place="红旗区", value=56.79)
    items = pd.concat([items.assign(value=items["value"].where(~mine, 56.81)), other])
    return dataclasses.replace(made, items=report._ranked(items.reset_index(drop=True)))


@pytest.mark.parametrize(
    ("lang", "said"),
    [("zh", "缘石坡道56.8%并列第1名（2个并列，共2）"), ("en", "Curbramp56.8%tiedrank1of2(2tied)")],
)
def test_the_atlas_table_ties_shares_equal_as_shown(tied_report, lang, said):
    from layers.atlas_pdf import atlas_pdf

    data = atlas_pdf(tied_report, today=datetime.date(2026, 12, 7), lang=lang)
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)
    assert said in text


def _compared(shares: dict[str, float], lang: str) -> pd.DataFrame:
    places = pd.DataFrame(
        {"adcode": list(CODES.values()), "place": list(CODES), "city": CITY}
    ).assign(city_adcode="990100", level="district", tier="district")
    table = pd.DataFrame(
        {
            "adcode": [CODES[p] for p in shares],
            "city": CITY,
            SHARE: list(shares.values()),
            f"{SHARE}_status": "ok",
        }
    )
    values = compare.infra_values(table, places, [f"infra_{SHARE}"], source="survey.geojson")
    chosen = [CODES[p] for p in shares]
    return with_labels(compare.compare_table(values, chosen), places, lang)


@pytest.mark.parametrize(
    ("lang", "tied", "apart"),
    [
        ("zh", "56.8% · 甲市内并列第 1 名（2 个并列，共 3）", "56.7% · 甲市内第 3 名（共 3）"),
        ("en", "56.8% · tied rank 1 of 3 in 甲市 (2 tied)", "56.7% · rank 3 of 3 in 甲市"),
    ],
)
def test_the_compare_table_ties_shares_equal_as_shown(lang, tied, apart):
    table = _compared({"一区": 56.79, "二区": 56.81, "四区": 56.74}, lang)
    titles = {f"infra_{SHARE}": "share"}
    wide = side_by_side(table, titles, lang)
    wide = wide.set_index(wide.columns[0])
    assert wide["share"].loc[["一区", "二区", "四区"]].tolist() == [tied, tied, apart]
    ranks = compare_values(table, titles, lang).iloc[:, 4].tolist()
    assert ranks[0] == ranks[1] == tied.split(" · ")[1]


def _households_compared(lang: str):
    """一区 12,345 and 二区 12,349 households (1.23 万户 both), 四区 9,000, 三区 none; 甲市 too."""
    from layers.compare import compare_places

    figures = pd.DataFrame(
        [
            {"city": CITY, "place": place, "adcode": CODES[place], "level": "district",
             "period_start": 2023, "period_end": 2023, "period_label": "2023年",
             "status": "plan", "metric": "households", "value": value, "unit": "households",
             "qualifier": "exact", "as_written": None, "role": "part",
             "doc_number": "甲建〔2023〕1号", "issuer": "甲市住建局", "doc_date": "2023-02-07",
             "seed_file": "seed.txt", "seed_line": 31, "title": "通知",
             "label_zh": "户数", "label_en": "Households"}
            for place, value in (("一区", 12345.0), ("二区", 12349.0), ("四区", 9000.0))
        ]
    ).astype({"period_start": "Int64", "period_end": "Int64"})  # fmt: skip
    districts = pd.DataFrame(
        {"adcode": list(CODES.values()), "district": list(CODES), "city": CITY}
    ).assign(city_adcode="990100")
    places = compare.list_places(districts, figures, [CITY])
    chosen = [CODES[p] for p in ("一区", "二区", "四区", "三区")] + ["990100"]
    return compare_places(figures, places, chosen, ["households"], lang=lang)


def _download(lang: str) -> pd.DataFrame:
    from layers.compare import comparison_csv

    data = comparison_csv(_households_compared(lang))
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)


_HEADERS = {
    "zh": [
        "指标", "区划代码", "地点", "所属城市", "数值（完整精度）",
        "显示值（按页面写法取整，排名依据）", "单位", "排名（按显示值，1＝最大）",
        "并列数（显示值相同的地点数）", "参与排名的地点数", "数据状态", "城市平均",
        "城市平均所用区县数", "本市区县数（含开发区）", "时期", "性质", "数值性质", "原文", "出处",
    ],
    "en": [
        "Metric", "Code", "Place", "City", "Value (full precision)",
        "Value as shown (rounded as the page writes it; ranked on)", "Unit",
        "Rank (on the value as shown; 1 = largest)",
        "Tied (places with the same value as shown)", "Places ranked", "Data status",
        "City average", "Districts in the city average", "Districts of the city (zones included)",
        "Period", "Kind", "Qualifier", "As written", "Source",
    ],
}  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        # Chinese: both read 1.23 万户, so both are 12300 as shown, tied first (2 tied).
        ("zh", [["12345.0", "12300.0", "1", "2", "3"], ["12349.0", "12300.0", "1", "2", "3"],
                ["9000.0", "9000.0", "3", "1", "3"]]),
        # English writes them whole: two numbers, two ranks, no tie.
        ("en", [["12345.0", "12345.0", "2", "1", "3"], ["12349.0", "12349.0", "1", "1", "3"],
                ["9000.0", "9000.0", "3", "1", "3"]]),
    ],
)  # fmt: skip
def test_the_compare_download_says_a_tie_is_on_the_value_as_shown(lang, expected):
    written = _download(lang)
    assert written.columns.tolist() == _HEADERS[lang]
    numbers = written.iloc[:3, [4, 5, 7, 8, 9]].values.tolist()
    assert numbers == expected
    assert written.iloc[:3, 2].tolist() == ["一区", "二区", "四区"]


@pytest.mark.parametrize(
    ("lang", "unit", "status", "city"),
    [
        ("zh", "户", "数据不足：文件未上报此项（无数据，不是零）", "甲市（全市）"),
        ("en", "households", "Insufficient data: no document reports this (no data, not zero)",
         "甲市 (city-wide)"),
    ],
)  # fmt: skip
def test_the_compare_download_leaves_no_data_empty_with_its_reason(lang, unit, status, city):
    written = _download(lang).set_index(_HEADERS[lang][2])
    value, as_shown, unit_column, rank, tied, ranked, data_status = _HEADERS[lang][4:11]
    # 三区 reports nothing: no value, no value as shown, no rank, no tie; the status says why.
    missing = written.loc["三区"]
    assert missing[[value, as_shown, unit_column, rank, tied, ranked, data_status]].tolist() == [
        "", "", unit, "", "", "", status,
    ]  # fmt: skip
    # The city's own row is a total: no city average, nor how many districts it used (not 0).
    average = _HEADERS[lang][11:14]
    assert written.loc[city, average].tolist() == ["", "", ""]
    assert written.loc["一区", average].tolist() == ["11231.333333333334", "3", "4"]
