"""Tests of geo/compare.py on hand-built figures, ledgers and metrics with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import compare
from layers.wording import period_text

CITY = "甲市"
CODES = {"一区": "990101", "二区": "990102", "三区": "990103", "四区": "990104"}


def _districts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "adcode": list(CODES.values()),
            "district": list(CODES),
            "city": CITY,
            "city_adcode": "990100",
        }
    )


def _figure(place: str, metric: str, value: float, **extra) -> dict[str, object]:
    row = {
        "city": CITY,
        "place": place,
        "adcode": CODES.get(place, "990100"),
        "level": "district",
        "period_start": 2023,
        "period_end": 2023,
        "period_label": "2023年",
        "status": "plan",
        "metric": metric,
        "value": value,
        "unit": "households",
        "qualifier": "exact",
        "as_written": f"{value:g}户",
        "role": "part",
        "doc_number": "甲建〔2023〕1号",
        "issuer": "甲市住建局",
        "doc_date": "2023-02-07",
        "seed_file": "seed.txt",
        "seed_line": 31,
        "title": "通知",
    }
    row.update(extra)
    return row


def _figures(*rows: dict[str, object]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    for column in ("period_start", "period_end"):
        frame[column] = frame[column].astype("Int64")
    return frame


@pytest.fixture
def figures() -> pd.DataFrame:
    # 三区 reports nothing: it must be marked, not ranked, and not averaged as 0.
    return _figures(
        _figure("一区", "households", 100),
        _figure("二区", "households", 300),
        _figure("四区", "households", 300),
        _figure("全市", "households", 700, level="city", role="stated_total", seed_line=29),
    )


@pytest.fixture
def places(figures) -> pd.DataFrame:
    return compare.list_places(_districts(), figures, [CITY])


def test_places_are_the_city_then_its_districts(places):
    assert places["adcode"].tolist() == ["990100", *CODES.values()]
    assert places["tier"].tolist() == ["city"] + ["district"] * 4


def test_rank_skips_insufficient_data_and_ties_share_the_lowest_rank(figures, places):
    values = compare.reported_values(figures, places, ["households"])
    table = compare.compare_table(values, list(CODES.values())).set_index("place")
    assert table.loc["三区", "status"] == "no_figure"
    assert pd.isna(table.loc["三区", "rank"])
    assert table.loc[["二区", "四区", "一区"], "rank"].tolist() == [1, 1, 3]
    assert (table.loc[["一区", "二区", "四区"], "n_ranked"] == 3).all()


def test_city_average_is_over_the_districts_with_data_only(figures, places):
    values = compare.reported_values(figures, places, ["households"])
    table = compare.compare_table(values, ["990101", "990103"]).set_index("place")
    # (100 + 300 + 300) / 3, not / 4: the district without a figure is not a zero.
    assert table.loc["一区", "city_mean"] == pytest.approx(700 / 3)
    assert table.loc["一区", "city_mean_n"] == 3
    assert table.loc["一区", "city_places_n"] == 4
    # Ranks are within the city, among all its districts with data, whichever are chosen
    # (the issue: a planner wants 卫滨区's place in 新乡, not "1st of the 2 I picked").
    assert table.loc["一区", "rank"] == 3
    assert table.loc["一区", "n_ranked"] == 3


def test_no_data_is_missing_never_zero(figures, places):
    values = compare.reported_values(figures, places, ["households", "buildings"])
    third = values[values["place"] == "三区"]
    assert third["value"].isna().all()
    assert (third["status"] == "no_figure").all()
    # No document reports buildings anywhere: every place, the city too, is missing.
    buildings = values[values["metric"] == "buildings"]
    assert buildings["value"].isna().all()
    assert set(buildings["status"]) == {"no_figure"}


def test_sources_travel_with_each_value(figures, places):
    values = compare.reported_values(figures, places, ["households"]).set_index("place")
    assert values.loc["一区", "source"] == "甲建〔2023〕1号 · 甲市住建局 · 2023-02-07 · seed.txt:31"
    assert values.loc["甲市", "source"].endswith("seed.txt:29")
    assert pd.isna(values.loc["三区", "source"])


def test_a_city_takes_its_city_wide_figure(figures, places):
    values = compare.reported_values(figures, places, ["households"]).set_index("place")
    assert values.loc["甲市", "value"] == 700
    assert values.loc["甲市", "status"] == "ok"
    assert values.loc["甲市", "tier"] == "city"


def test_a_city_without_one_gets_a_marked_sum_of_its_parts(places):
    figures = _figures(_figure("一区", "households", 100), _figure("二区", "households", 300))
    values = compare.reported_values(figures, places, ["households"]).set_index("place")
    assert values.loc["甲市", "value"] == 400
    assert values.loc["甲市", "status"] == "sum_of_parts"  # a lower bound: not ranked
    assert values.loc["甲市", "source_rows"] == 2
    table = compare.compare_table(
        compare.reported_values(figures, places, ["households"]), ["990100"]
    )
    assert pd.isna(table["rank"].iloc[0])


def test_an_urban_area_figure_is_not_taken_as_the_whole_city(places):
    figures = _figures(_figure("主城区", "households", 900, level="urban_area", role="reported"))
    values = compare.reported_values(figures, places, ["households"]).set_index("place")
    assert values.loc["甲市", "status"] == "urban_area"
    assert values.loc["甲市", "scope"] == "主城区"


def test_the_latest_period_is_shown_and_counted(places):
    figures = _figures(
        _figure("一区", "households", 500, period_start=2019, period_end=2022, status="completed"),
        _figure("一区", "households", 100),
    )
    values = compare.reported_values(figures, places, ["households"]).set_index("place")
    assert values.loc["一区", "value"] == 100
    assert values.loc["一区", "n_periods"] == 2
    earlier = compare.reported_values(figures, places, ["households"], years=(2019, 2022))
    assert earlier.set_index("place").loc["一区", "value"] == 500


def _projects() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "city": [CITY] * 5,
            "district": ["一区", "一区", "二区", "二区", "四区"],
            "adcode": ["990101", "990101", "990102", "990102", "990104"],
            "level": "district",
            "year": pd.array([2022, 2023, 2023, 2023, None], dtype="Int64"),
            "batch": pd.array([None, "第一批", None, None, None], dtype="string"),
            "households": pd.array([10, 20, 30, None, None], dtype="Int64"),
        }
    )


def test_ledger_sums_say_when_rows_lack_the_value(places):
    metrics = ["ledger_communities", "ledger_households"]
    values = compare.ledger_values(_projects(), places, metrics, source="台账.xlsx")
    by = values.set_index(["place", "metric"])
    assert by.loc[("一区", "ledger_households"), ["value", "status"]].tolist() == [30, "ok"]
    assert by.loc[("二区", "ledger_households"), "status"] == "incomplete"  # one row lacks it
    assert by.loc[("四区", "ledger_households"), "status"] == "no_mapped_value"
    assert np.isnan(by.loc[("四区", "ledger_households"), "value"])
    assert by.loc[("三区", "ledger_communities"), "status"] == "not_in_ledger"
    assert np.isnan(by.loc[("三区", "ledger_communities"), "value"])
    assert by.loc[("甲市", "ledger_communities"), "value"] == 5
    assert by.loc[("二区", "ledger_communities"), "source_rows"] == 2
    assert set(values["source"]) == {"台账.xlsx"}
    table = compare.compare_table(values, list(CODES.values()))
    ranked = table[table["metric"] == "ledger_households"].set_index("place")["rank"]
    assert ranked["一区"] == 1
    assert ranked[["二区", "三区", "四区"]].isna().all()


def _metrics() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "adcode": ["990101", "990102", "990104"],
            "city": CITY,
            "tactile_km": [2.0, 1.0, np.nan],
            "tactile_km_status": ["ok", "partial_extent", "outside_extent"],
            "sidewalk_km": [4.0, 2.0, np.nan],
            "sidewalk_km_status": ["ok", "ok", "outside_extent"],
            "tactile_rate": [50.0, 50.0, np.nan],
            "tactile_rate_status": ["ok", "partial_extent", "outside_extent"],
        }
    )
    return frame


def test_infra_values_keep_their_status(places):
    keys = ["infra_tactile_km", "infra_tactile_rate"]
    values = compare.infra_values(_metrics(), places, keys, source="survey.geojson")
    by = values.set_index(["place", "metric"])
    assert by.loc[("一区", "infra_tactile_km"), ["value", "status"]].tolist() == [2.0, "ok"]
    # A partial value is kept as a lower bound but is not "ok", so it is never ranked.
    assert by.loc[("二区", "infra_tactile_km"), "status"] == "partial_extent"
    assert by.loc[("三区", "infra_tactile_km"), "status"] == "outside_extent"  # not in table
    assert np.isnan(by.loc[("四区", "infra_tactile_km"), "value"])
    # The city is only as complete as its least complete district.
    assert by.loc[("甲市", "infra_tactile_km"), "status"] == "partial_extent"
    assert np.isnan(by.loc[("甲市", "infra_tactile_km"), "value"])
    table = compare.compare_table(values, list(CODES.values()))
    assert table.loc[table["status"] != "ok", "rank"].isna().all()


def test_a_city_rate_is_recomputed_from_its_districts_sums(places):
    metrics = _metrics().iloc[:2].copy()
    metrics["tactile_km_status"] = "ok"
    values = compare.infra_values(metrics, places.iloc[:3], ["infra_tactile_rate"], source="s")
    city = values.set_index("place").loc["甲市"]
    assert city["status"] == "ok"
    assert city["value"] == pytest.approx((2 + 1) / (4 + 2) * 100)


def test_by_period_lists_dated_figures_and_ledger_years(places):
    figures = _figures(
        _figure(
            "一区",
            "households",
            500,
            period_start=2019,
            period_end=2022,
            period_label="2019年至2022年",
        ),
        _figure("一区", "households", 100),
        _figure("一区", "households", 7, period_start=None, period_end=None, period_label=""),
        _figure("一区", "communities", 9, period_start=None, period_end=2023, period_label=""),
    )
    rows = compare.by_period(
        figures,
        places[places["place"] == "一区"],
        ["households", "communities", "ledger_households"],
        projects=_projects(),
        ledger_source="台账.xlsx",
    )
    # A figure with only an end year is named from its years, in no language: up to 2023.
    assert rows.loc[rows["metric"] == "communities", "period_label"].tolist() == ["../2023"]
    reported = rows[(rows["source_kind"] == "reported") & (rows["metric"] == "households")]
    assert reported["period_label"].tolist() == ["2019年至2022年", "2023年"]  # undated left out
    ledger_years = rows.loc[rows["source_kind"] == "ledger", "period_label"]
    assert ledger_years.tolist() == ["2022", "2023"]
    # layers word them as the documents do, and in English on an English page.
    assert [period_text(p, "zh") for p in ["../2023", "2023"]] == ["截至2023年", "2023年"]
    assert [period_text(p, "en") for p in ["../2023", "2023"]] == ["by 2023", "2023"]
    assert reported["year"].isna().tolist() == [True, False]
    ledger = rows[rows["source_kind"] == "ledger"]
    assert ledger[["year", "value"]].astype("float").values.tolist() == [[2022, 10], [2023, 20]]
    assert ledger["batch"].fillna("").tolist() == ["", "第一批"]
    assert (ledger["source_rows"] == 1).all()


def test_ledger_rows_without_a_year_are_counted_apart():
    places = pd.DataFrame(
        [("990104", "四区", CITY, "990100", "district", "district")],
        columns=["adcode", "place", "city", "city_adcode", "level", "tier"],
    )
    rows = compare.by_period(
        _figures(_figure("一区", "households", 1)).iloc[:0],
        places,
        ["ledger_communities"],
        projects=_projects(),
        ledger_source="x",
    )
    assert rows["status"].tolist() == ["no_year"]
    assert rows["value"].tolist() == [1]


def test_compare_table_follows_the_chosen_order(figures, places):
    values = compare.reported_values(figures, places, ["households"])
    table = compare.compare_table(values, ["990104", "990101", "990100"])
    assert table["place"].tolist() == ["四区", "一区", "甲市"]
    # The city is ranked among cities only: it is not "first" ahead of its districts.
    assert table.set_index("place").loc["甲市", "rank"] == 1
    assert table.set_index("place").loc["四区", "rank"] == 1
    assert pd.isna(table.set_index("place").loc["甲市", "city_mean"])


def test_values_relative_to_the_city_and_to_households(figures, places):
    values = compare.reported_values(figures, places, ["households", "buildings"])
    relative = compare.relative_values(values, "share_of_city", ["households"])
    shares = relative.set_index("place")
    # (100 + 300 + 300) households in the districts that report: 一区 holds a seventh.
    assert shares.loc["一区", "value"] == pytest.approx(100 * 100 / 700)
    assert shares.loc["一区", "unit"] == "percent"
    assert pd.isna(shares.loc["三区", "value"]) and shares.loc["三区", "status"] == "no_figure"
    homes = compare.relative_values(values, "per_household", ["buildings", "households"])
    per = homes.set_index(["metric", "place"])
    assert per.loc[("households", "一区"), "status"] == "not_computed"
    assert per.loc[("buildings", "一区"), "unit"] == "count_per_household"
    table = compare.compare_table(relative, list(CODES.values())).set_index("place")
    assert table.loc["一区", "rank"] == 3  # ranked on the shares, within the city
    with pytest.raises(ValueError, match="Expected how to be one of"):
        compare.relative_values(values, "per_capita", ["households"])


def test_a_comparison_opens_with_two_places(figures, places):
    assert compare.default_places(places, figures, "households") == ["990101", "990102"]


def test_a_city_in_compare_is_what_its_card_says():
    from geo import boundaries
    from geo import figures as figures_io

    seed = figures_io.load_figures()
    districts = boundaries.load_boundaries("district", display=True)
    cities = compare.list_places(districts, seed, ["新乡市", "开封市"])
    values = compare.reported_values(seed, cities[cities["tier"] == "city"], ["households"])
    values = values.set_index("place")
    # Xinxiang's plan states its city total; Kaifeng's figure is one district's of nine.
    assert values.loc["新乡市", ["status", "value"]].tolist() == ["ok", 22149]
    assert values.loc["开封市", ["status", "value", "qualifier"]].tolist() == [
        "sum_of_parts",
        42000,
        "at_least",
    ]
    assert (values.loc["开封市", "parts_n"], values.loc["开封市", "places_n"]) == (1, 9)


@pytest.mark.parametrize(
    ("metrics", "modes"),
    [
        (["households"], ["value", "share_of_city"]),  # no "households per household"
        (["communities", "buildings"], ["value", "share_of_city", "per_household"]),
        (["households", "buildings"], ["value", "share_of_city"]),  # what suits every one
        (["share_of_city_households"], ["value"]),  # a rate adds up to nothing
        (["ledger_buildings"], ["value", "share_of_city", "per_household"]),
        (["ledger_households"], ["value", "share_of_city"]),
        (["infra_tactile_rate"], ["value"]),
    ],
)
def test_only_the_comparisons_that_make_sense_are_offered(metrics, modes):
    from geo import figures as figures_io

    assert compare.relative_modes(metrics, figures_io.load_figures()) == modes
