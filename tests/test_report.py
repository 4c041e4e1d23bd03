"""Tests for geo/report.py: a selection's figures with their sources, places and account rules."""

from __future__ import annotations

import pandas as pd
import pytest
from _reports import xinxiang

from geo import records, report
from geo._data import EXAMPLES_DIR
from geo.errors import InputError
from geo.figures import load_figures
from geo.report import DocumentSource, LedgerSource, MeasureSource, looks_synthetic
from geo.selection import Selection


@pytest.mark.parametrize(
    ("text", "expected"),
    [(None, None), ("", None), ("2023", (2023, 2023)), ("2019-2023", (2019, 2023)),
     ("2023–2019", (2019, 2023)), ("2021年", (2021, 2021))],
)  # fmt: skip
def test_periods_are_a_year_or_a_range(text, expected):
    assert report.parse_period(text) == expected


@pytest.mark.parametrize("text", ["20x3", "2019-2020-2021", "1900"])
def test_a_period_that_is_no_year_is_refused_saying_what_is_expected(text):
    with pytest.raises(InputError, match=r"Expected a period as a year \(2023\) or a range"):
        report.parse_period(text)


def test_every_district_and_zone_of_the_city_is_a_place_zones_without_an_outline():
    made = report.gather_report(load_figures(), Selection(cities=("新乡市",)))
    assert len(made.places) == 13 and made.left_out == 0
    zone = made.places.set_index("place").loc["高新区"]
    assert (zone["level"], bool(zone["has_outline"])) == ("zone", False)


def test_a_document_figure_keeps_its_document_line_and_words_and_is_ranked_in_its_city():
    made = report.gather_report(load_figures(), Selection(cities=("新乡市",)))
    households = made.items[(made.items["key"] == "households") & (made.items["place"] == "卫滨区")]
    (item,) = households.to_dict("records")
    assert (item["value"], item["status"], item["period_label"]) == (3279, "plan", "2023年")
    assert (item["rank"], item["n_ranked"]) == (3, 11)  # as the compare page ranks it
    (source,) = item["sources"]
    assert source == DocumentSource(
        "新百城提质办〔2023〕2号",
        "关于印发《2023年新乡市重点民生实事城镇老旧小区改造工作实施方案》的通知",
        "新乡市百城建设提质工程领导小组办公室",
        "2023-02-07",
        "002_b03d685b680bd4c7.txt",
        31,
        "3279 户",
    )
    # The city's own total is the document's (stated) total, never a sum beside it.
    whole = made.city_items("新乡市")
    assert whole.loc[whole["key"] == "households", "value"].tolist() == [22149]


def test_a_city_without_its_own_figure_gets_a_sum_that_says_it_is_partial():
    made = report.gather_report(load_figures(), Selection(cities=("开封市",)))
    summed = made.city_items("开封市")
    households = summed[summed["key"] == "households"].iloc[0]
    assert households["basis"] == "partial" and households["completeness"] == "sum_of_parts"
    assert (households["n_parts"], households["n_places"]) == (1, 9)
    assert households["qualifier"] == "at_least"  # 4.2 万余户 summed is still "at least"


def test_a_kind_filter_keeps_like_with_like_and_a_plan_is_never_completed():
    plans = report.gather_report(
        load_figures(), Selection(cities=("新乡市",), statuses=("plan",))
    ).items
    assert set(plans["status"]) == {"plan"}
    done = report.gather_report(
        load_figures(), Selection(cities=("新乡市",), statuses=("completed",))
    ).items
    assert done.empty  # 新乡's document is a plan: nothing of it is completed work


def test_reported_flows_are_never_compared_with_a_mapped_stock():
    made = report.gather_report(load_figures(), Selection(cities=("焦作市",)))
    rows = made.city_items("焦作市").set_index("key")
    assert rows.loc["curb_ramps", "measure"] == "curb_ramps"
    assert not rows.loc["curb_ramps", "comparable"]  # 926处 built since 2021: a flow
    assert rows.loc["tactile_paving_km", "comparable"]  # 1039千米 to date: a stock


def test_ledger_sums_per_place_and_status_carry_their_rows_and_stay_missing_not_zero():
    made = xinxiang()
    ledger = made.items[(made.items["source_kind"] == "ledger") & (made.items["scope"] == "place")]
    done = ledger[(ledger["place"] == "卫滨区") & (ledger["status"] == "completed")]
    counted = done.set_index("key")
    assert counted.loc["ledger_communities", "value"] == 7
    (source,) = counted.loc["ledger_households", "sources"]
    assert isinstance(source, LedgerSource) and (source.rows, source.missing) == (7, 0)
    assert source.source.synthetic
    # 新乡县 has no ledger row: no ledger figure at all, never a 0.
    assert ledger[ledger["place"] == "新乡县"].empty


def test_measures_keep_their_status_and_a_city_value_needs_every_district_complete():
    made = report.gather_report(load_figures(), Selection(cities=("新乡市",)))
    assert made.items[made.items["source_kind"] == "measure"].empty  # no data, no measure
    measured = xinxiang().items[xinxiang().items["source_kind"] == "measure"]
    outside = measured[(measured["place"] == "新乡县") & (measured["metric"] == "tactile_km")]
    assert outside["completeness"].tolist() == ["outside_extent"]
    assert outside["value"].isna().all()
    (source,) = measured.iloc[0]["sources"]
    assert isinstance(source, MeasureSource) and source.data_kind == "survey"


def test_places_the_account_may_not_read_are_left_out_with_their_figures():
    readable = frozenset({"410703", "410702"})
    made = report.gather_report(
        load_figures(), Selection(cities=("新乡市", "焦作市")), readable=readable
    )
    assert made.places["place"].tolist() == ["红旗区", "卫滨区"] and made.left_out == 21
    assert made.cities == ("新乡市",)  # 焦作: nothing readable, left out whole
    places = made.items[made.items["scope"] == "place"]
    assert set(places["place"]) == {"红旗区", "卫滨区"} and set(made.items["city"]) == {"新乡市"}
    # Two of 新乡's thirteen places: a sum of them is never a city total.
    assert not (made.items["basis"] == "parts").any()


def test_a_selection_with_nothing_readable_or_too_many_places_is_refused():
    with pytest.raises(InputError, match="it may read none of them") as caught:
        report.gather_report(load_figures(), Selection(cities=("焦作市",)), readable=frozenset())
    assert caught.value.code == "report_nothing_readable"
    with pytest.raises(InputError, match="at most 60 districts and zones in one report, got 157"):
        report.gather_report(load_figures(), Selection.for_province("河南省"))


def test_the_cover_colours_one_period_and_kind():
    chosen = xinxiang(()).colour_items("households")
    assert set(chosen["status"]) == {"plan"} and len(chosen) == 11  # 10 districts and 高新区
    assert xinxiang(()).colour_items("no_such_figure").empty
    assert isinstance(chosen, pd.DataFrame)


# --- which data are the shipped examples (the pages' warning and the documents' note) -----------


def test_looks_synthetic_reads_the_name_and_the_text_cells_only():
    example = EXAMPLES_DIR / "synthetic-ledger-xinxiang.csv"
    ledger = records.read_ledger(example.read_bytes(), name="ledger.csv")
    assert looks_synthetic(["ledger.csv"], ledger.projects)  # its rows say so
    assert looks_synthetic(["synthetic-ledger-xinxiang.csv"])
    real = records.read_ledger("名称,区县,户数\n幸福小区,卫滨区,352\n".encode(), name="a.csv")
    assert not looks_synthetic(["a.csv"], real.projects)
    assert not looks_synthetic(["a.csv"], real.projects.iloc[:0])


def test_places_with_equal_values_are_tied_at_the_lowest_rank_and_say_so():
    from layers.wording import rank_label

    rows = [
        {"scope": "place", "completeness": "ok", "city": "新乡市", "key": "measure:share",
         "source_kind": "measure", "period_label": "", "status": "", "value": value,
         "adcode": code}
        for code, value in (("410702", 0.0), ("410703", 0.0), ("410704", 0.0), ("410711", 0.5))
    ]  # fmt: skip
    items = report._ranked(report._frame(rows)).set_index("adcode")
    assert items["rank"].tolist() == [2, 2, 2, 1]
    assert items["n_tied"].tolist() == [3, 3, 3, 1]
    assert items["n_ranked"].tolist() == [4] * 4
    assert rank_label(items.loc["410702"], "zh") == "并列第 2 名（3 个并列，共 4）"
    assert rank_label(items.loc["410702"], "en", city="新乡市") == (
        "tied rank 2 of 4 in 新乡市 (3 tied)"
    )
    assert rank_label(items.loc["410711"], "zh", city="新乡市") == "新乡市内第 1 名（共 4）"
