"""Tests of geo/priorities.py: presets, parts that explain the score, no data, ties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import priorities, records
from layers.priorities import ranked_table
from layers.wording import quarantine_messages
from tests._communities import with_holes


def _communities():
    return pd.DataFrame(
        {
            "name": ["甲", "乙", "丙", "丁"],
            "status": ["plan", "plan", "completed", "plan"],
            "households": [400, 200, 400, 200],
            "built_year": [1980, 2000, 1980, 2000],
            "wheelchair_accessible_bus_stop_m": [100.0, 1500.0, 100.0, None],
            "consent_share": [90, 70, 90, 95],
        }
    )


def test_presets_change_the_order_and_the_parts_add_up_to_the_score():
    safety = priorities.prioritise(_communities(), preset="safety", year=2026)
    access = priorities.prioritise(_communities(), preset="accessibility", year=2026)
    assert safety["name"].iloc[0] == "甲"
    assert access["name"].iloc[0] == "乙"
    contributions = safety.filter(like="contribution_").sum(axis=1, min_count=1)
    np.testing.assert_allclose(contributions, safety["score"])
    row = safety.set_index("name").loc["甲"]
    assert row["part_households"] == 1.0 and row["part_age"] == 1.0
    assert row["part_access_gap"] == pytest.approx(0.1)
    assert not row["consent_below_80"]


def test_no_data_is_left_out_and_named_never_zero():
    ranked = priorities.prioritise(_communities(), preset="balanced").set_index("name")
    # 丁 has no distance: the part is missing, its weight left out of its mean.
    assert np.isnan(ranked.loc["丁", "part_access_gap"])
    assert np.isnan(ranked.loc["丁", "contribution_access_gap"])
    assert ranked.loc["丁", "parts_missing"] == "access_gap,life_circle_gap"
    assert ranked.loc["乙", "consent_below_80"]


def test_the_life_circle_gap_reads_the_indicators_pass_columns():
    communities = _communities().assign(
        pass_kindergarten=[True, False, True, None],
        pass_clinic=[False, False, True, None],
    )
    ranked = priorities.prioritise(communities).set_index("name")
    assert ranked.loc["甲", "part_life_circle_gap"] == 0.5
    assert ranked.loc["乙", "part_life_circle_gap"] == 1.0
    assert ranked.loc["丙", "part_life_circle_gap"] == 0.0
    assert np.isnan(ranked.loc["丁", "part_life_circle_gap"])


def test_ties_share_a_rank_and_are_named():
    ranked = priorities.prioritise(_communities(), preset="balanced")
    tied = ranked[ranked["tied"]]
    assert set(tied["name"]) == {"甲", "丙"} and tied["rank"].nunique() == 1
    planned = priorities.prioritise(_communities(), only_planned=True)
    assert set(planned["name"]) == {"甲", "乙", "丁"} and not planned["tied"].any()


def test_scores_equal_as_shown_are_tied():
    # 1000 and 999 households both score 1.00 on households alone; 994 scores 0.99.
    communities = pd.DataFrame({"name": ["甲", "乙", "丙"], "households": [1000, 999, 994]})
    ranked = priorities.prioritise(communities, weights={"households": 1.0})
    assert ranked["score"].iloc[0] != ranked["score"].iloc[1]
    table = ranked_table(ranked, {"households": 1.0}, "zh")
    assert table["得分（0 至 1）"].tolist() == ["1.00", "1.00", "0.99"]
    assert table["名次"].tolist() == ["1（并列）", "1（并列）", "3"]


def test_refuses_unknown_presets_and_parts():
    with pytest.raises(ValueError, match="Expected a preset among safety"):
        priorities.prioritise(_communities(), preset="fast")
    with pytest.raises(ValueError, match=r"Expected parts among .*\['height'\]"):
        priorities.prioritise(_communities(), weights={"height": 1.0})


def _ledger(header: str, *rows: str) -> records.Ledger:
    lines = [f"小区名称,所属城市,所属区县,户数,状态,{header}"]
    lines += [f"{name},新乡市,卫滨区,100,计划,{cells}" for name, cells in rows]
    return records.read_ledger("\n".join(lines).encode("utf-8"), name="ledger.csv")


def test_the_ledger_reads_a_build_year_and_a_consent_share():
    ledger = _ledger(
        "建成年代,居民同意率",
        ("甲", "1985年,90"),
        ("乙", "1990,85%"),
        ("丙", "2001-05-01,0.9"),
        ("丁", ","),
    )
    assert ledger.columns["built_year"] == "建成年代" and ledger.columns["consent"] == "居民同意率"
    projects = ledger.projects.set_index("name")
    assert projects["built_year"].tolist()[:3] == [1985, 1990, 2001]
    assert projects["consent_share"].tolist()[:3] == pytest.approx([0.9, 0.85, 0.9])
    # An empty cell is no data, never 0.
    assert projects.loc["丁", ["built_year", "consent_share"]].isna().all()
    ranked = priorities.prioritise(ledger.projects, preset="safety").set_index("name")
    assert ranked.loc["甲", "part_age"] == 1.0 and not ranked.loc["甲", "consent_below_80"]


@pytest.mark.parametrize("header", ["建成年份,同意率", "竣工年份,意愿"])
def test_the_synonyms_of_both_columns(header):
    ledger = _ledger(header, ("甲", "1985,90%"))
    assert ledger.projects[["built_year", "consent_share"]].iloc[0].tolist() == [1985, 0.9]


@pytest.mark.parametrize(
    ("written", "year"),
    [("80年代", 1985), ("1980年代末", 1988), ("上世纪90年代初", 1992), ("2000年代中期", 2005)],
)
def test_a_build_year_written_as_a_decade_is_the_year_it_stands_for(written, year):
    # 建成年代 is often a decade; the row stays clean, never quarantined as unreadable.
    ledger = _ledger("建成年代", ("甲", written))
    assert ledger.projects["built_year"].tolist() == [year]
    assert ledger.summary()["quarantined"] == 0


def test_an_impossible_year_or_consent_quarantines_the_row_with_its_reason():
    ledger = _ledger(
        "建成年代,居民同意率",
        ("甲", "1985,90"),
        ("乙", "1750,85%"),
        ("丙", "1990,120"),
        ("丁", "旧,50"),
        ("戊", "2990,-5%"),
    )
    assert ledger.projects["name"].tolist() == ["甲"]
    worded = quarantine_messages(ledger.quarantine)
    reasons = worded.set_index("row")[["reason", "column", "message_zh", "message_en"]]
    assert reasons["reason"].to_dict() == {
        3: "impossible_year",
        4: "consent_out_of_range",
        5: "bad_value",
        6: "impossible_year",
    }
    assert reasons.loc[3, "message_zh"] == "建成年代：年份 '1750' 不可能（应在 1900 年至今年之间）"
    assert reasons.loc[4, "message_en"] == "居民同意率: '120' is outside 0 to 100 %"
    assert ledger.summary()["clean"] + ledger.summary()["quarantined"] == ledger.rows


@pytest.mark.parametrize(
    ("written", "share", "level"),
    [
        ("85%", 0.85, None),
        ("0.85", 0.85, None),
        ("85", 0.85, None),
        ("８５％", 0.85, None),
        ("80%以上", 0.8, None),
        ("约90%", 0.9, None),
        ("八成", 0.8, None),
        ("八成五", 0.85, None),
        ("9成以上", 0.9, None),
        ("百分之八十五", 0.85, None),
        ("45/50", 0.9, None),
        ("同意", None, "agreed"),
        ("已同意", None, "agreed"),
        ("不同意", None, "not_agreed"),
        ("强烈", None, "strong"),
        ("意愿强烈", None, "strong"),
    ],
)
def test_consent_as_a_ledger_writes_it(written, share, level):
    ledger = _ledger("居民意愿", ("甲", written))
    assert ledger.summary()["quarantined"] == 0, ledger.quarantine
    row = ledger.projects.iloc[0]
    if share is None:
        assert pd.isna(row["consent_share"])
    else:
        assert row["consent_share"] == pytest.approx(share)
    assert (row.get("consent_level") if level else None) == level


def test_consent_in_words_weighs_as_its_level_and_the_rest_is_quarantined_with_its_reason():
    ledger = _ledger(
        "居民意愿",
        ("甲", "强烈"),
        ("乙", "同意"),
        ("丙", "不同意"),
        ("丁", "75%"),
        ("戊", "一般"),
        ("己", "51/50"),
    )
    assert ledger.projects["name"].tolist() == list("甲乙丙丁")
    worded = quarantine_messages(ledger.quarantine).set_index("row")
    assert worded["reason"].to_dict() == {6: "consent_unread", 7: "consent_out_of_range"}
    assert worded.loc[6, "message_zh"] == (
        "居民意愿：无法识别的居民意愿 '一般'（可写 85%、0.85、八成、同意、不同意、强烈）"
    )
    ranked = priorities.prioritise(ledger.projects, weights={"consent": 1.0}).set_index("name")
    assert ranked["part_consent"].to_dict() == pytest.approx(
        {"甲": 1.0, "乙": 0.8, "丙": 0.0, "丁": 0.75}
    )
    assert ranked["consent_below_80"].to_dict() == {
        "甲": False,
        "乙": False,
        "丙": True,
        "丁": True,
    }


def test_a_ledger_without_the_columns_has_none_of_them():
    ledger = _ledger("改造年度", ("甲", "2024"))
    assert not {"built_year", "consent_share"} & set(ledger.projects.columns)


@pytest.mark.parametrize(
    ("which", "names"),
    [
        ("planned", ["甲", "乙", "丁"]),
        ("not_completed", ["甲", "乙", "丁"]),
        ("all", list("甲乙丙丁")),
    ],
)
def test_the_candidates_a_planner_picks(which, names):
    assert priorities.select_candidates(_communities(), which)["name"].tolist() == names


def test_without_a_status_nothing_is_planned_and_nothing_completed():
    communities = _communities().drop(columns="status")
    assert priorities.select_candidates(communities, "planned").empty
    assert len(priorities.select_candidates(communities, "not_completed")) == 4
    with pytest.raises(ValueError, match="Expected candidates among planned"):
        priorities.select_candidates(communities, "urgent")


def test_every_preset_weighs_every_part_and_sums_to_one():
    for name, weights in priorities.PRESETS.items():
        assert set(weights) == set(priorities.PARTS), name
        assert sum(weights.values()) == pytest.approx(1.0), name
    # Each preset leans where its name says.
    assert max(priorities.PRESETS["safety"], key=priorities.PRESETS["safety"].get) == "age"
    access = priorities.PRESETS["accessibility"]
    assert max(access, key=access.get) == "access_gap"


def test_the_parts_no_candidate_has_are_named():
    ranked = priorities.prioritise(_communities().drop(columns="built_year"))
    assert priorities.parts_without_data(ranked) == ["age", "life_circle_gap"]


def test_measures_of_the_same_rows_lend_their_columns_and_others_none():
    communities = _communities()
    measured = communities.assign(
        wheelchair_accessible_bus_stop_m=[1.0, 2.0, 3.0, 4.0], pass_clinic=[True] * 4, other=1
    )
    joined = priorities.with_measures(
        communities.drop(columns="wheelchair_accessible_bus_stop_m"), measured
    )
    assert joined["wheelchair_accessible_bus_stop_m"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert "pass_clinic" in joined and "other" not in joined
    # The ledger's own column is kept; a measure of other rows lends nothing.
    kept = priorities.with_measures(communities, measured)
    assert kept["wheelchair_accessible_bus_stop_m"].tolist()[:2] == [100.0, 1500.0]
    assert "pass_clinic" not in priorities.with_measures(communities, measured.iloc[:2])


def test_consent_on_a_scale_is_not_read_as_percents():
    # 1-5 marks: "4" is not 4 % agreeing, nor "1" all of them.
    ledger = _ledger("居民意愿", ("甲", "4"), ("乙", "1"), ("丙", "5"), ("丁", "同意"))
    assert ledger.projects["name"].tolist() == ["丁"]
    worded = quarantine_messages(ledger.quarantine).set_index("row")
    assert set(worded["reason"]) == {"consent_scale"}
    assert "1–5" in worded.loc[2, "message_zh"] and "'4'" in worded.loc[2, "message_zh"]
    assert "scale" in worded.loc[2, "message_en"]
    # Percents without their sign, and shares, still read: a column whose numbers pass 10.
    read = _ledger("居民意愿", ("甲", "85"), ("乙", "4"), ("丙", "0.9")).projects
    assert read["consent_share"].tolist() == pytest.approx([0.85, 0.04, 0.9])


def test_a_list_is_measured_on_the_network_rows_without_a_point_left_without_data(tmp_path):
    import geopandas as gpd
    import shapely
    from _osm import lonlat
    from test_siting import _grid

    from geo import facilities, infra, network

    osm = _grid(tmp_path)
    built = network.build_network(osm, use_cache=False)
    registry = facilities.load_registry()
    found = facilities.read_osm_facilities(osm, registry=registry, extent=built.extent())
    points = [lonlat(0, 300), lonlat(400, 100), None, lonlat(90_000, 90_000)]
    rows = gpd.GeoDataFrame(
        {"name": ["近", "远", "无坐标", "网外"], "households": [100, 100, 100, 100]},
        geometry=[shapely.Point(p) if p else None for p in points],
        crs="EPSG:4326",
    )
    measures = priorities.measure_list(rows, built, infra=infra.read_infra(osm), facilities=found)
    assert measures.measured == {"access_gap": 2, "life_circle_gap": 2}
    assert measures.unmeasured == {}
    ranked = priorities.rank(rows, among="all", measured=measures.frames, year=2026)
    ranked = ranked.set_index("name")
    # 100 m and 700 m on the grid to the one accessible stop, of the 1,000 m cap.
    assert ranked.loc["近", "part_access_gap"] == pytest.approx(0.1, abs=1e-3)
    assert ranked.loc["远", "part_access_gap"] == pytest.approx(0.7, abs=1e-3)
    assert ranked.loc[["无坐标", "网外"], "part_access_gap"].isna().all()
    assert ranked.loc[["近", "远"], "part_life_circle_gap"].notna().all()
    assert ranked.loc[["无坐标", "网外"], "part_life_circle_gap"].isna().all()
    # Why nothing was measured, per part: the first reason that applies.
    assert priorities.measure_list(rows, None).unmeasured == dict.fromkeys(
        priorities.MEASURED_PARTS, "no_network"
    )
    unplaced = rows.iloc[[2]]
    assert priorities.measure_list(unplaced, built).unmeasured == dict.fromkeys(
        priorities.MEASURED_PARTS, "no_points"
    )
    away = priorities.measure_list(rows.iloc[[3]], built, infra=infra.read_infra(osm),
                                   facilities=found)  # fmt: skip
    assert away.unmeasured == {"access_gap": "off_network", "life_circle_gap": "off_network"}
    assert priorities.measure_list(rows, built).unmeasured == dict.fromkeys(
        priorities.MEASURED_PARTS, "not_in_source"
    )
    # A part measured already (on its page) is neither measured again nor said missing.
    skipped = priorities.measure_list(rows, built, infra=infra.read_infra(osm), facilities=found,
                                      skip=["access_gap"])  # fmt: skip
    assert (skipped.measured, skipped.unmeasured) == ({"access_gap": 0, "life_circle_gap": 2}, {})
    assert not any("wheelchair_accessible_bus_stop_m" in f for f in skipped.frames)
    assert priorities.measure_list(rows, None, skip=priorities.MEASURED_PARTS).unmeasured == {}


def test_the_measures_a_page_keeps_lend_their_columns_to_the_same_rows_only():
    from types import SimpleNamespace

    from geo import reach

    rows = _communities().drop(columns="wheelchair_accessible_bus_stop_m")
    near = rows.assign(wheelchair_accessible_bus_stop_m=[100.0, 1500.0, 100.0, 50.0])
    kept = reach.Reach(table=None, near=near, profiles=("wheelchair",), radii=(300,))
    circle = SimpleNamespace(communities=rows.assign(pass_clinic=[True, False, True, True]))
    other = near.iloc[:2]
    found = priorities.measures_of(rows, [kept, circle, other, None, "x"])
    assert [len(f.columns) for f in found] == [len(near.columns), len(rows.columns) + 1]
    ranked = priorities.rank(rows, among="all", measured=tuple(found), year=2026)
    assert ranked["part_access_gap"].notna().all()
    assert ranked["part_life_circle_gap"].notna().all()
    # The candidates keep what the pages measured of the whole ledger, and say which parts.
    chosen, parts = priorities.candidates_of(rows, "all", found)
    assert parts == {"access_gap", "life_circle_gap"}
    assert chosen["wheelchair_accessible_bus_stop_m"].tolist() == [100.0, 1500.0, 100.0, 50.0]
    assert priorities.candidates_of(rows, "all")[1] == set()
    unmeasured = near.assign(wheelchair_accessible_bus_stop_m=np.nan)
    assert priorities.measured_parts(unmeasured) == set()


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(
    "weights", [*priorities.PRESETS.values(), {"households": 0.5, "consent": 0.5}]
)
def test_parts_missing_is_each_rows_weighed_parts_without_data_in_parts_order(seed, weights):
    ranked = priorities.prioritise(with_holes(400, seed), weights=weights, year=2026)
    used = [p for p in priorities.PARTS if weights.get(p, 0) > 0]
    # As written row by row before: the parts in PARTS order, those weighed and without data.
    expected = [
        ",".join(p for p in used if pd.isna(ranked.at[i, f"part_{p}"])) for i in ranked.index
    ]
    assert ranked["parts_missing"].tolist() == expected
    assert "" in expected and any("," in e for e in expected)  # both kinds were generated
