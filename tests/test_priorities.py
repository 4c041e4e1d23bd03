"""Tests of geo/priorities.py: presets, parts that explain the score, no data, ties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo import priorities


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


def test_refuses_unknown_presets_and_parts():
    with pytest.raises(ValueError, match="Expected a preset among safety"):
        priorities.prioritise(_communities(), preset="fast")
    with pytest.raises(ValueError, match=r"Expected parts among .*\['height'\]"):
        priorities.prioritise(_communities(), weights={"height": 1.0})
