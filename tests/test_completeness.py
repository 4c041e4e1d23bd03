"""Tests of geo/completeness.py on hand-built figures, quarantines and reconciliations."""

from __future__ import annotations

import datetime

import pandas as pd
import pytest

from geo import completeness
from geo.reconcile import RESULTS

TODAY = datetime.date(2025, 2, 7)


def _places() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("990100", "甲市", "甲市", "990100", "city", "city"),
            ("990101", "一区", "甲市", "990100", "district", "district"),
            ("990102", "二区", "甲市", "990100", "district", "district"),
            ("990171", "高新区", "甲市", "990100", "zone", "district"),
        ],
        columns=["adcode", "place", "city", "city_adcode", "level", "tier"],
    )


def _figure(adcode, place, metric, **extra) -> dict[str, object]:
    row = {
        "city": "甲市",
        "place": place,
        "adcode": adcode,
        "level": "district",
        "period_start": 2023,
        "period_end": 2023,
        "period_label": "2023年",
        "metric": metric,
        "doc_number": "甲建〔2023〕1号",
        "issuer": "甲市住建局",
        "doc_date": "2023-02-07",
        "seed_file": "seed.txt",
        "seed_line": 31,
        "title": "通知",
    }
    row.update(extra)
    return row


@pytest.fixture
def figures() -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            _figure("990101", "一区", "households"),
            _figure("990101", "一区", "communities"),
            _figure(
                "990101",
                "一区",
                "curb_ramps",
                doc_number="",
                title="对提案的答复",
                issuer="未注明",
                doc_date="",
                period_start=2021,
                period_end=2024,
                period_label="2021年以来",
                seed_file="reply.txt",
                seed_line=35,
            ),
            _figure("990100", "全市", "households", level="city", seed_line=29),
            _figure("990171", "高新区", "mystery_metric", level="zone", seed_line=40),
        ]
    )
    for column in ("period_start", "period_end"):
        frame[column] = frame[column].astype("Int64")
    return frame


@pytest.fixture
def table(figures) -> pd.DataFrame:
    return completeness.completeness(figures, _places(), today=TODAY)


def test_every_place_and_family_has_a_row(table):
    families = [*completeness.FAMILIES, "other"]  # the unknown metric adds "other"
    assert len(table) == 4 * len(families)
    assert table["adcode"].drop_duplicates().tolist() == ["990100", "990101", "990102", "990171"]
    assert table["family"].drop_duplicates().tolist() == families


def test_a_district_without_figures_is_listed_not_dropped(table):
    second = table[table["place"] == "二区"]
    assert not second["has_figure"].any()
    assert not second["has_any_figure"].any()
    assert (second["n_figures"] == 0).all()
    missing = completeness.without_figures(table)
    assert missing["place"].tolist() == ["二区"]


def test_sources_and_ages_per_family(table):
    first = table[table["place"] == "一区"].set_index("family")
    scale = first.loc["scale"]
    assert scale["n_figures"] == 2
    assert scale["metrics"] == "households; communities"
    assert scale["documents"] == "甲建〔2023〕1号"
    assert scale["issuers"] == "甲市住建局"
    assert scale["seed_lines"] == "seed.txt:31"
    assert scale["latest_doc_date"] == "2023-02-07"
    assert scale["doc_age_years"] == pytest.approx(2.0)  # 2023-02-07 to 2025-02-07
    assert scale["period_age_years"] == 2
    # An unnumbered, undated reply: its title stands in for a number; its age is unknown.
    access = first.loc["accessibility"]
    assert access["documents"] == "对提案的答复"
    assert pd.isna(access["doc_age_years"])
    assert access["latest_period_end"] == 2024
    assert access["period_age_years"] == 1
    assert not first.loc["funding", "has_figure"]


def test_city_wide_figures_belong_to_the_city_row(table):
    city = table[table["place"] == "甲市"].set_index("family")
    assert city.loc["scale", "seed_lines"] == "seed.txt:29"
    assert city.loc["scale", "n_figures"] == 1


def test_an_unknown_metric_is_counted_under_other(table):
    zone = table[table["place"] == "高新区"].set_index("family")
    assert zone.loc["other", "metrics"] == "mystery_metric"
    assert completeness.metric_family("mystery_metric") == "other"
    assert completeness.metric_family("households") == "scale"


def test_by_place_sums_families_and_keeps_empty_places(table):
    places = completeness.by_place(table).set_index("place")
    assert places.loc["一区", "families"] == 2
    assert places.loc["一区", "n_figures"] == 3
    assert places.loc["一区", "documents"] == "甲建〔2023〕1号; 对提案的答复"
    assert places.loc["一区", "period_age_years"] == 1  # the freshest period
    assert places.loc["二区", "n_figures"] == 0
    assert places.loc["二区", "documents"] == ""
    assert not places.loc["二区", "has_any_figure"]


def test_quarantine_by_reason_counts_and_keeps_first_messages():
    quarantine = pd.DataFrame(
        {
            "row": [30, 3, 28, 5],
            "reason": ["duplicate_conflict", "duplicate_conflict", "approximate_number", "x"],
            "message_zh": ["重复 30", "重复 3", "约数", "x"],
            "message_en": ["dup 30", "dup 3", "approx", "x"],
        }
    )
    table = completeness.quarantine_by_reason(quarantine)
    assert table["reason"].tolist() == ["duplicate_conflict", "approximate_number", "x"]
    assert table["rows"].tolist() == [2, 1, 1]
    first = table.iloc[0]
    assert (first["first_row"], first["message_zh"], first["message_en"]) == (3, "重复 3", "dup 3")
    assert completeness.quarantine_by_reason(quarantine.iloc[:0]).empty


def test_quarantine_by_reason_keeps_the_first_rows_own_particulars():
    # The first row's detail is plain (no parameters), the second's coded: not mixed up.
    quarantine = pd.DataFrame(
        {
            "row": [2, 3],
            "reason": ["no_district", "no_district"],
            "column": ["所属区县", "经度/纬度"],
            "detail_zh": ["'幸福区'", "113.9, 35.3"],
            "detail_en": ["'幸福区'", "113.9, 35.3"],
            "detail_params": [None, '{"code": "point_in_no_district"}'],
        }
    )
    first = completeness.quarantine_by_reason(quarantine).iloc[0]
    assert (first["rows"], first["first_row"], first["column"]) == (2, 2, "所属区县")
    assert first["detail_zh"] == "'幸福区'" and pd.isna(first["detail_params"])


def test_reconciliation_by_result_follows_the_result_order():
    table = pd.DataFrame(
        {
            "result": ["not_in_ledger", "match", "match", "differs"],
            "metric": ["households", "households", "communities", "households"],
        }
    )
    counts = completeness.reconciliation_by_result(table, RESULTS)
    assert counts["result"].tolist() == ["match", "differs", "not_in_ledger"]
    assert counts["rows"].tolist() == [2, 1, 1]
    assert counts.set_index("result").loc["match", "communities"] == 1
    assert completeness.reconciliation_by_result(table.iloc[:0], RESULTS).empty
