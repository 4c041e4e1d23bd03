"""Tests of layers/siting.py: the sites drawn with escaped, worded tooltips; the curve; refusals."""

from __future__ import annotations

import json

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from layers import siting as shown


def _tips(parts) -> list[str]:
    """Every drawn site's tooltip, as the GeoJSON handed to Leaflet holds it."""
    return [
        feature["properties"]["tip"]
        for group in parts.groups
        for child in group._children.values()
        if isinstance(child, folium.GeoJson)
        for feature in child.data["features"]
    ]


def _candidates():
    # As geo.siting.plan returns them: the order of an unchosen site is missing.
    return gpd.GeoDataFrame(
        {
            "name": ["<img src=x onerror=alert(1)>", "乙", "丙"],
            "chosen": [True, True, False],
            "order": [2.0, 1.0, np.nan],
            "adds_households": [120.0, 300.0, 0.0],
            "covers_households": [150.0, 300.0, 40.0],
            "equal_to": pd.array([pd.NA] * 3, dtype="Int64"),
            "alternatives": pd.array([0, 0, 0], dtype="Int64"),
        },
        geometry=[shapely.Point(113.85 + i / 100, 35.27) for i in range(3)],
        crs="EPSG:4326",
    )


@pytest.mark.parametrize(
    ("lang", "chosen"),
    [
        (
            "zh",
            [
                "第 1 处：乙，新增覆盖 300 户",
                "第 2 处：&lt;img src=x onerror=alert(1)&gt;，新增覆盖 120 户",
            ],
        ),
        (
            "en",
            [
                "No. 1: 乙, adds 300 households",
                "No. 2: &lt;img src=x onerror=alert(1)&gt;, adds 120 households",
            ],
        ),
    ],
)
def test_the_sites_are_drawn_numbered_in_order_and_escaped(lang, chosen):
    existing = gpd.GeoDataFrame(
        {"name": ["</script>"]}, geometry=[shapely.Point(113.8, 35.2)], crs="EPSG:4326"
    )
    tips = _tips(shown.siting_layers(_candidates(), existing, lang=lang))
    assert tips[-2:] == chosen
    assert tips[1] == {"zh": "已有：&lt;/script&gt;", "en": "Existing: &lt;/script&gt;"}[lang]


def test_the_curve_is_long_with_worded_columns():
    curve = pd.DataFrame(
        {
            "sites": [1, 2],
            "optimum_households": [300.0, 420.0],
            "optimum_gain": [300.0, 120.0],
            "greedy_households": [300.0, 400.0],
            "greedy_gain": [300.0, 100.0],
        }
    )
    frame = shown.curve_frame(curve, "en")
    assert frame.columns.tolist() == ["New sites", "Households covered", "Solution"]
    assert frame["Solution"].tolist() == ["Optimum"] * 2 + ["Greedy"] * 2
    assert frame["New sites"].tolist() == [1, 2, 1, 2]
    assert frame["Households covered"].tolist() == [300.0, 420.0, 300.0, 400.0]
    # From what the existing sites cover, at 0 new sites: the first site's gain is a step.
    frame = shown.curve_frame(curve, "en", before=120.0)
    assert frame["New sites"].tolist() == [0, 1, 2, 0, 1, 2]
    assert frame["Households covered"].tolist() == [120.0, 300.0, 420.0, 120.0, 300.0, 400.0]


def _summary(**changed):
    summary = {
        "candidates": 1200, "existing": 3, "weigh": "households", "households_total": 900.0,
        "households_unplaced": 0.0, "covered_before": 50.0, "chosen": 2, "count": 2,
        "covered_optimum": 350.0, "covered_greedy": 340.0, "status": "optimal", "gap": 0.0,
        "communities_unplaced": 0, "communities_without_weight": 0,
    }  # fmt: skip
    return summary | changed


def test_the_summary_says_counts_totals_status_and_only_then_the_unplaced():
    notes = shown.summary_notes(_summary(), "zh")
    assert notes == [
        ("caption", "候选点 1,200 处，已有设施 3 处"),
        (
            "success",
            "已有设施覆盖 50 户；新增 2 处后覆盖 350 户（最优解），贪心解 340 户；"
            "共 900 户有坐标和户数。",
        ),
        ("caption", "已证明为最优解"),
    ]
    notes = shown.summary_notes(
        _summary(communities_unplaced=2, communities_without_weight=1, households_unplaced=1234.0),
        "en",
    )
    assert notes[-1] == (
        "caption",
        "3 communities without a point, off the network or without a household count are not "
        "counted (1,234 households).",
    )


def test_the_downloads_are_the_chosen_in_order_and_every_candidate_with_chosen_false():
    (chosen_label, chosen_name, write, chosen), (_, every_name, _, every) = shown.siting_downloads(
        _candidates(), "curb_ramp-walk-300m", "en"
    )
    assert chosen_label == "Download the chosen sites (GeoJSON)"
    assert (chosen_name, every_name) == (
        "sites-curb_ramp-walk-300m.geojson",
        "candidates-curb_ramp-walk-300m.geojson",
    )
    written = json.loads(write(*chosen))
    assert [f["properties"]["name"] for f in written["features"]] == [
        "乙",
        "<img src=x onerror=alert(1)>",
    ]
    features = json.loads(write(*every))["features"]
    assert [f["properties"]["chosen"] for f in features] == [True, True, False]
    assert shown.file_read_text(1234, 2, "zh") == "读入 1,234 个点；2 行不是单个点，未使用。"


@pytest.mark.parametrize(
    ("lang", "fewer", "none"),
    [
        (
            "zh",
            "只选出 1 处（要求 10 处）：其余候选点在 300 米内覆盖不到已有设施和已选点位之外的"
            "任何人，多建不增加覆盖。",
            "没有候选点可选：",
        ),
        (
            "en",
            "Only 1 of the 10 sites asked for are chosen: no other candidate reaches anyone more "
            "within 300 m, so more sites would add nothing.",
            "No candidate to choose from: ",
        ),
    ],
)
def test_fewer_sites_than_asked_and_no_candidate_at_all_are_said(lang, fewer, none):
    assert shown.fewer_text(_summary(count=10, chosen=1, radius_m=300.0), lang) == fewer
    assert shown.fewer_text(_summary(), lang) == ""
    empty = _summary(candidates=0, chosen=0, count=5, status="no_candidates")
    assert shown.summary_notes(empty, lang)[2][1].startswith(none)
    assert shown.fewer_text(empty, lang) == ""


def _with_alternatives():
    """乙 (No. 1) has four candidates as good as it, ``<b>x</b>`` (No. 2) one."""
    names = ["乙", "<b>x</b>", "丙", "丁", "<i>y</i>", "戊", "己"]
    return gpd.GeoDataFrame(
        {
            "name": names,
            "chosen": [True, True, False, False, False, False, False],
            "order": [1.0, 2.0, *[np.nan] * 5],
            "adds_households": [300.0, 120.0, *[0.0] * 5],
            "covers_households": [300.0, 150.0, 300.0, 300.0, 120.0, 310.0, 300.0],
            "equal_to": pd.array([pd.NA, pd.NA, 1, 1, 2, 1, 1], dtype="Int64"),
            "alternatives": pd.array([4, 1, 0, 0, 0, 0, 0], dtype="Int64"),
        },
        geometry=[shapely.Point(113.85 + i / 100, 35.27) for i in range(len(names))],
        crs="EPSG:4326",
    )


@pytest.mark.parametrize(
    ("lang", "cells", "tips", "note"),
    [
        (
            "zh",
            ["或 丙、丁、戊 及另外 1 处（同等）", "或 <i>y</i>（同等）"],
            [
                "第 1 处：乙，新增覆盖 300 户；或 丙、丁、戊 及另外 1 处（同等）",
                "候选：&lt;i&gt;y&lt;/i&gt;，单独覆盖 120 户；与第 2 处同等",
            ],
            "已选点位中有 2 处可换成同等的候选点位（换后覆盖总数不变）："
            "见表中“同等的替代点位”一列，可按实地条件取舍。",
        ),
        (
            "en",
            ["or 丙, 丁, 戊 and 1 more (equal)", "or <i>y</i> (equal)"],
            [
                "No. 1: 乙, adds 300 households; or 丙, 丁, 戊 and 1 more (equal)",
                "Candidate: &lt;i&gt;y&lt;/i&gt;, reaches 120 households alone; as good as No. 2",
            ],
            "2 of the chosen sites could be swapped for an equally good candidate (the total "
            "covered stays the same): see the table's “Equally good instead” column, and choose "
            "by the conditions on the ground.",
        ),
    ],
)
def test_a_chosen_site_names_the_candidates_as_good_as_it(lang, cells, tips, note):
    candidates = _with_alternatives()
    table = shown.siting_table(candidates, lang)
    column = {"zh": "同等的替代点位", "en": "Equally good instead"}[lang]
    assert table[column].tolist() == cells
    drawn = _tips(shown.siting_layers(candidates, candidates.iloc[:0], lang=lang))
    assert tips[0] in drawn and tips[1] in drawn
    assert ("info", note) in shown.summary_notes(_summary(sites_with_alternatives=2), lang)
    # Without any: the cell says so, and no note.
    table = shown.siting_table(_candidates(), lang)
    assert set(table[column]) == {{"zh": "无", "en": "none"}[lang]}
    assert all(kind != "info" for kind, _ in shown.summary_notes(_summary(), lang))


def test_elderly_residents_are_offered_only_where_the_ledger_counts_them():
    ledger = pd.DataFrame({"name": ["甲", "乙"], "households": [100, 200]})
    assert shown.weighs_offered(ledger) == ["households", "renovated_households"]
    counted = ledger.assign(老年人数=["30", "45"])
    assert shown.weighs_offered(counted) == ["households", "renovated_households", "elderly"]
