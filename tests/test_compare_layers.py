"""Tests for layers/compare.py: the compare page's time view, labelled and charted by period."""

from __future__ import annotations

import pandas as pd
import pytest

from geo import boundaries, compare
from geo.figures import load_figures
from layers.compare import period_rows, single_period


@pytest.fixture(scope="module")
def figures() -> pd.DataFrame:
    return load_figures()


def _places(figures: pd.DataFrame, cities: list[str], codes: list[str]) -> pd.DataFrame:
    outlines = boundaries.load_boundaries("district", display=True)
    places = compare.list_places(outlines, figures, cities)
    return places.set_index("adcode").loc[codes].reset_index()


def test_the_time_view_labels_each_place_and_cites_its_line(figures):
    places = _places(figures, ["新乡市", "开封市"], ["410703", "410203"])
    rows = period_rows(figures, places, ["households"], lang="en")
    assert rows[["label", "period_label", "figure_status"]].values.tolist() == [
        ["顺河回族区", "2019年至2022年", "completed"],
        ["卫滨区", "2023年", "plan"],
    ]
    assert rows["source"].iloc[1].endswith(" · 2023-02-07 · line 31")
    # Two periods (and kinds) of households: charted, not listed as a single period.
    assert single_period(rows) == []


def test_metrics_of_one_period_are_named_in_their_order_and_nothing_dated_is_empty(figures):
    places = _places(figures, ["新乡市"], ["410702", "410703"])
    rows = period_rows(figures, places, ["households", "communities"], lang="zh")
    assert set(rows["period_label"]) == {"2023年"}
    assert single_period(rows) == ["households", "communities"]
    assert period_rows(figures, places, ["households"], years=(2030, 2031)).empty
