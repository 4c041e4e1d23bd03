"""store/changes.py: which matched rows changed, compared column by column at once."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from store.changes import _plain, compare


def _frame(**columns) -> gpd.GeoDataFrame:
    n = len(next(iter(columns.values())))
    base = {"name": [f"小区{i}" for i in range(n)], "adcode": ["410703"] * n, "row": range(n)}
    geometry = columns.pop("geometry", [shapely.Point(113.9, 35.3)] * n)
    return gpd.GeoDataFrame(base | columns, geometry=geometry, crs=4326)


def _oracle(old: pd.DataFrame, new: pd.DataFrame) -> list[str]:
    """Each row's changed columns as the values read one by one (rows matched by position)."""
    out = []
    names = [c for c in dict.fromkeys([*old.columns, *new.columns]) if c != "row"]
    for i in range(len(old)):
        changed = []
        for column in names:
            a = _plain(old[column].iloc[[i]])[0] if column in old else None
            b = _plain(new[column].iloc[[i]])[0] if column in new else None
            if a != b:
                changed.append(column)
        out.append(", ".join(changed))
    return out


def test_each_changed_column_is_found_as_the_values_read_one_by_one_say():
    point = shapely.Point(113.9, 35.3)
    old = _frame(
        households=pd.array([100, 80, None, 60, 50, 40], dtype="Int64"),
        status=pd.array(["completed", None, "plan", "plan", None, "plan"], dtype="string"),
        area=[1.5, np.nan, 2.0, 2.0, np.nan, 3.0],
        geometry=[point, point, point, None, point, point],
    )
    new = _frame(
        # An amount as a float now: equal values are no change; a missing one filled is.
        households=[100.0, 80.0, 70.0, 60.0, 50.0, 41.0],
        status=pd.array(["completed", "plan", "plan", None, None, "plan"], dtype="string"),
        area=[1.5, np.nan, 2.5, 2.0, np.nan, 3.0],
        geometry=[
            shapely.Point(113.9 + 1e-9, 35.3),  # moved less than WKT writes: no change
            point,
            shapely.Point(113.9001, 35.3),  # moved
            None,
            None,  # lost its point
            point,
        ],
        batch=["一批", None, None, None, None, "二批"],  # a column only the new version has
    )
    changes = compare("ledger", old, new)
    found = dict(zip(changes["name"], changes["columns"], strict=True))
    expected = dict(zip(new["name"], _oracle(old, new), strict=True))
    assert found == {name: cols for name, cols in expected.items() if cols}
    assert found == {
        "小区0": "batch",
        "小区1": "status",
        "小区2": "households, area, geometry",
        "小区3": "status",
        "小区4": "geometry",
        "小区5": "households, batch",
    }
    moved = changes.set_index("name").loc["小区2"]
    assert (moved["before"]["geometry"], moved["after"]["geometry"]) == (
        "POINT (113.9 35.3)", "POINT (113.9001 35.3)"
    )  # fmt: skip
    assert (moved["before"]["households"], moved["after"]["households"]) == (None, 70.0)


def test_columns_pandas_cannot_compare_at_once_are_compared_value_by_value():
    old = _frame(households=[100, 80], tags=[["加装电梯"], ["管网"]])
    new = _frame(households=["100", 80], tags=[["加装电梯"], ["管网", "外墙"]])
    changes = compare("ledger", old, new)
    assert dict(zip(changes["name"], changes["columns"], strict=True)) == {
        "小区0": "households",  # the text "100" is not the number 100
        "小区1": "tags",
    }
