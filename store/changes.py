"""
Changes between two versions of a dataset: rows added, removed and changed, columns named.

Ledger rows are matched by community name, folded as the duplicate rules fold it (NFKC,
no spaces: geo/records.py), and district adcode; a community listed in two years is two rows,
matched in year order. Infrastructure features are matched by type and source id, figures
by ``figure_id``. ``row`` (the line in the file) is not compared: a row that moved in the file
is not a change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from geo.records import community_key

__all__ = ["compare", "summary"]

#: Columns that say where a row sits, not what it says.
IGNORED = ("row",)
CHANGES = ("added", "removed", "changed")


def _keys(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    if kind == "ledger":
        keys = pd.DataFrame(
            {
                "name": community_key(frame["name"]),
                "adcode": frame["adcode"].astype("string").fillna(""),
            }
        )
        order = frame["year"] if "year" in frame else pd.Series(0, index=frame.index)
    else:
        columns = ["type", "source_id"] if kind == "infra" else ["figure_id"]
        keys = frame[columns].astype("string").fillna("")
        order = pd.Series(0, index=frame.index)
    # The n-th record of a key, in year order, meets the n-th of the other version.
    ranked = keys.assign(order=order.astype("float64")).sort_values("order", kind="stable")
    keys["nth"] = ranked.groupby(list(keys.columns), sort=False).cumcount().reindex(keys.index)
    return keys


def _is_geometry(series: pd.Series) -> bool:
    return (
        isinstance(series.dtype, pd.api.extensions.ExtensionDtype)
        and series.dtype.name == "geometry"
    )


def _plain(series: pd.Series) -> np.ndarray:
    """The column's values as Python objects, missing as None; shapes as WKT."""
    if _is_geometry(series):
        return np.asarray(shapely.to_wkt(np.asarray(series.array, dtype=object)), dtype=object)
    return series.to_numpy(dtype=object, na_value=None)


def _differs(a: pd.Series | None, b: pd.Series | None, length: int) -> np.ndarray:
    """
    Where two aligned columns differ as their plain values (:func:`_plain`) do, vectorised.

    Missing equals missing; a column one version lacks differs where the other has a value.
    Shapes differ where their WKT does (exactly equal ones are not written out). Columns
    pandas cannot compare at once (another dtype on each side, lists in cells) are compared
    value by value.
    """
    if a is None or b is None:
        present = b if a is None else a
        if present is None:
            return np.zeros(length, dtype=bool)
        return ~present.isna().to_numpy(dtype=bool)
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    if _is_geometry(a) and _is_geometry(b):
        left, right = (np.asarray(x.array, dtype=object) for x in (a, b))
        same = shapely.equals_exact(left, right, tolerance=0) | (
            shapely.is_missing(left) & shapely.is_missing(right)
        )
        differs = ~same
        at = np.flatnonzero(differs)  # equal in WKT's precision is equal, as before
        differs[at] = _plain(a.iloc[at]) != _plain(b.iloc[at])
        return differs
    try:
        equal = a.eq(b).fillna(False).to_numpy(dtype=bool)
    except (TypeError, ValueError, NotImplementedError, pa.ArrowException):
        return ~np.asarray(_plain(a) == _plain(b), dtype=bool)
    return ~(equal | (a.isna() & b.isna()).to_numpy(dtype=bool))


def compare(kind: str, old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """
    One row per change between ``old`` and ``new``.

    Columns: ``change`` (added, removed, changed), what names the row (for every kind its
    district, ``adcode``: ``old`` and ``new`` must have one), ``row_old`` and ``row_new``
    (file rows where the frames have them), ``columns`` (the changed columns,
    comma-separated) and ``before``/``after`` (those columns' values).
    """
    if old is new:  # the same rows on both sides change nothing: no row is compared
        old = new = old.iloc[:0]
    left = _keys(kind, old).assign(at_old=np.arange(len(old)))
    right = _keys(kind, new).assign(at_new=np.arange(len(new)))
    key = [c for c in left.columns if c != "at_old"]
    pairs = left.merge(right, on=key, how="outer", indicator=True, sort=False)
    both = pairs[pairs["_merge"] == "both"]
    at_old = both["at_old"].to_numpy(dtype="int64")
    at_new = both["at_new"].to_numpy(dtype="int64")
    names = [c for c in dict.fromkeys([*old.columns, *new.columns]) if c not in IGNORED]
    flagged = {}
    for column in names:
        a = old[column].iloc[at_old] if column in old else None
        b = new[column].iloc[at_new] if column in new else None
        differs = _differs(a, b, len(both))
        if differs.any():
            flagged[column] = differs
    differs = np.zeros(len(both), dtype=bool)
    for flags in flagged.values():
        differs |= flags
    hit = np.flatnonzero(differs)
    # Only the changed rows' values are written out: (flags, before, after) per column.
    missing = np.full(len(hit), None, dtype=object)
    values = {
        column: (
            flags[hit],
            _plain(old[column].iloc[at_old[hit]]) if column in old else missing,
            _plain(new[column].iloc[at_new[hit]]) if column in new else missing,
        )
        for column, flags in flagged.items()
    }
    labels = _label_columns(kind)
    parts = [
        _side("changed", (old, at_old[hit]), (new, at_new[hit]), labels),
        _side("removed", (old, _at(pairs, "left_only", "at_old")), None, labels),
        _side("added", None, (new, _at(pairs, "right_only", "at_new")), labels),
    ]
    named = [[c for c, (flags, _, _) in values.items() if flags[i]] for i in range(len(hit))]
    parts[0]["columns"] = [", ".join(c) for c in named]
    for side, field in ((1, "before"), (2, "after")):
        parts[0][field] = [{c: _scalar(values[c][side][i]) for c in n} for i, n in enumerate(named)]
    for part in parts[1:]:
        part["columns"], part["before"], part["after"] = "", [{}] * len(part), [{}] * len(part)
    out = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    return out.sort_values(["change", *labels], kind="stable", ignore_index=True)


#: One version's side of a change: its frame and the positions of the changed rows in it.
_Rows = tuple[pd.DataFrame, np.ndarray]


def _at(pairs: pd.DataFrame, side: str, column: str) -> np.ndarray:
    return pairs.loc[pairs["_merge"] == side, column].to_numpy(dtype="int64")


def _side(change: str, old: _Rows | None, new: _Rows | None, labels: list[str]) -> pd.DataFrame:
    """The change's label columns (from the new row, else the old) and its file rows."""
    either = new if new is not None else old
    if either is None:
        raise ValueError("Expected the rows of the old or the new version, got neither.")
    shown, at = either
    out = pd.DataFrame({"change": [change] * len(at)})
    for label in labels:
        column = shown[label] if label in shown else pd.Series(pd.NA, index=shown.index)
        out[label] = column.iloc[at].to_numpy(dtype=object, na_value=None)
    for name, side in (("row_old", old), ("row_new", new)):
        rows = side[0]["row"].iloc[side[1]] if side is not None and "row" in side[0] else None
        out[name] = pd.array([pd.NA] * len(at) if rows is None else rows, dtype="Int64")
    return out


def _label_columns(kind: str) -> list[str]:
    """What names a changed row, its district (``adcode``) always among them."""
    return {
        "ledger": ["name", "adcode", "district"],
        "infra": ["type", "source_id", "adcode"],
        "figures": ["figure_id", "adcode", "place", "metric"],
        "plan": ["figure_id", "adcode", "place", "metric"],
    }[kind]


def _scalar(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def summary(changes: pd.DataFrame) -> dict[str, int]:
    """How many rows were added, removed and changed."""
    counts = changes["change"].value_counts()
    return {change: int(counts.get(change, 0)) for change in CHANGES}
