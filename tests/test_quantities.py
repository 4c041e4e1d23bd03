"""Tests for geo/documents/quantities.py: numbers, multipliers, units, qualifiers read exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from geo.documents.cues import find_periods
from geo.documents.quantities import (
    _QUANTITY,
    MAX_DIGITS,
    find_quantities,
    fold_text,
    format_decimal,
    read_quantity,
)


def _found(text: str) -> list[tuple[str, str, str, str, str]]:
    folded = fold_text(text)
    return [
        (
            folded.quote(q.start, q.end),
            format_decimal(q.value),
            format_decimal(q.value_max),
            q.unit,
            q.qualifier,
        )
        for q in find_quantities(folded.text)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("共 1481 个", ("1481 个", "1481", "", "count", "exact")),
        ("12.6 万户", ("12.6 万户", "126000", "", "households", "exact")),
        ("18 亿元", ("18 亿元", "1800000000", "", "cny", "exact")),
        ("213.91 万 m<sup>2</sup>", ("213.91 万 m<sup>2</sup>", "2139100", "", "m2", "exact")),
        ("面积超 283 万 m²", ("超 283 万 m²", "2830000", "", "m2", "at_least")),
        ("4.2 万余户", ("4.2 万余户", "42000", "", "households", "at_least")),
        ("11.5 万多人", ("11.5 万多人", "115000", "", "persons", "at_least")),
        ("1500 余万元", ("1500 余万元", "15000000", "", "cny", "at_least")),
        ("2.7萬餘戶", ("2.7萬餘戶", "27000", "", "households", "at_least")),
        ("650馀处", ("650馀处", "650", "", "count", "at_least")),
        ("１２００户", ("１２００户", "1200", "", "households", "exact")),
        ("1,200个", ("1,200个", "1200", "", "count", "exact")),
        ("一千二百户", ("一千二百户", "1200", "", "households", "exact")),
        ("两万二千一百四十九户", ("两万二千一百四十九户", "22149", "", "households", "exact")),
        ("約一萬零五百戶", ("約一萬零五百戶", "10500", "", "households", "approx")),
        ("约80户", ("约80户", "80", "", "households", "approx")),
        ("100户左右", ("100户左右", "100", "", "households", "approx")),
        ("不足50户", ("不足50户", "50", "", "households", "at_most")),
        ("不少于20部", ("不少于20部", "20", "", "count", "at_least")),
        ("300户以上", ("300户以上", "300", "", "households", "at_least")),
        ("100-200户", ("100-200户", "100", "200", "households", "range")),
        ("３至５个", ("３至５个", "3", "5", "count", "range")),
        ("300个至350个", ("300个至350个", "300", "350", "count", "range")),
        ("112千米", ("112千米", "112", "", "km", "exact")),
        ("3.2公里", ("3.2公里", "3.2", "", "km", "exact")),
        ("850米", ("850米", "0.85", "", "km", "exact")),
        ("97.7%", ("97.7%", "97.7", "", "percent", "exact")),
        ("百分之八十五", ("百分之八十五", "85", "", "percent", "exact")),
        ("２．３６億元", ("２．３６億元", "236000000", "", "cny", "exact")),
        ("宣传册4万余册", ("4万余册", "40000", "", "册", "at_least")),
    ],
)
def test_a_figure_is_read_exactly(text, expected):
    assert _found(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "2025年",
        "2019-2023 年",
        "2019 年至 2022 年",
        "2024年6月28日印发",
        "6 月份全面开工",
        "焦建办〔2024〕31号",
        "第1520051号提案",
        "第三批",
        "《2023 年河南省重点民生实事工作方案》",
        "一栋一策、一小区一策",
        "一个临时党组织引领",
        "“十四五”民生实事任务",
        "联系电话：0371-25322640",
        "提前两年完成",
        "千家万户",
    ],
)
def test_dates_numbering_slogans_and_bare_numbers_are_not_figures(text):
    assert _found(text) == []


def test_a_quote_is_the_original_text_whatever_the_folding():
    folded = fold_text("累計改造老舊小區１２００個")
    assert folded.text == "累计改造老旧小区1200个"
    (quantity,) = find_quantities(folded.text)
    assert folded.quote(quantity.start, quantity.end) == "１２００個"
    assert quantity.value == Decimal(1200)


def test_a_cell_reads_whole_with_a_default_unit():
    assert read_quantity("3279", default_unit="户").value == Decimal(3279)
    assert read_quantity("29.19万平方米").value == Decimal(291900)
    assert read_quantity("约300", default_unit="户").qualifier == "approx"
    assert read_quantity("3279户（含商户）") is None


def test_decimals_print_without_exponent_or_float_noise():
    assert format_decimal(Decimal("2.7") * 10_000) == "27000"
    assert format_decimal(Decimal("29.19") * 10_000) == "291900"
    assert format_decimal(Decimal("0.1") + Decimal("0.2")) == "0.3"
    assert format_decimal(None) == ""


# --- linear time (issue 29): one figure and 64,000 spaces took 139 s -------------------------


def test_a_figure_before_64000_spaces_is_read_at_once():
    # Before, each of the spaces began a scan of the rest (quadratic): 139 s for this text.
    found = find_quantities("1个" + " " * 64_000)
    assert [(q.value, q.unit_word, q.start, q.end) for q in found] == [(Decimal(1), "个", 0, 2)]


def test_no_match_starts_on_a_space():
    # The cause of the quadratic time, asserted without a clock: a match used to start at the
    # first of the spaces before a number, so every space began a new attempt.
    assert [m.start() for m in _QUANTITY.finditer("   5个 \t 6户")] == [3, 8]


def test_a_period_after_64000_spaces_starts_at_its_year():
    periods = find_periods(" " * 64_000 + "2021年以来改造小区3个", year=2024)
    assert [(p.start, p.label, p.first, p.last) for p in periods] == [
        (64_000, "2021年以来", 2021, 2024)
    ]


def test_a_million_digit_number_is_no_figure():
    # Before: decimal.Overflow (an internal error) from the number times 万.
    found = find_quantities("1" * 1_000_001 + "万个，另有卫滨区3个")
    assert [(q.value, q.unit_word) for q in found] == [(Decimal(3), "个")]


def test_a_figure_has_at_most_max_digits_digits():
    assert MAX_DIGITS == 20
    assert [q.value for q in find_quantities("9" * 20 + "元")] == [Decimal("9" * 20)]
    assert find_quantities("9" * 21 + "元") == []
