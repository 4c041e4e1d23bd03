"""Tests for bench/map_page.py's arithmetic (the browser loads themselves are the bench's)."""

from __future__ import annotations

from bench import map_page


def test_each_warm_kind_is_taken_above_the_floor_of_the_same_kind():
    floor = {"cold": {"seconds": 2.0}, "warm_median_s": 1.0, "warm_new_browser_median_s": 1.5}
    view = {"cold": {"seconds": 5.5}, "warm_median_s": 1.25, "warm_new_browser_median_s": 3.0}
    assert map_page.above_floor(view, floor) == {
        "cold_above_floor_s": 3.5,
        "warm_above_floor_s": 0.25,
        "warm_new_browser_above_floor_s": 1.5,
    }
    # A kind not measured (no warm loads) is None, never a difference with a missing number.
    none = map_page.above_floor(view | {"warm_new_browser_median_s": None}, floor)
    assert none["warm_new_browser_above_floor_s"] is None
