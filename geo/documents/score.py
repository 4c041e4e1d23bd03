"""
Score proposed figures against curated ones: recall and precision, per metric and overall.

:func:`score_figures` measures :func:`geo.documents.extract.extract_figures` against
``data/figures.csv`` (:func:`geo.figures.load_figures`) or a labelled set of documents.
"""

from __future__ import annotations

from decimal import Decimal
from typing import SupportsInt

import numpy as np
import pandas as pd

__all__ = ["score_figures"]


def score_figures(proposals: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """
    Recall and precision of proposals against curated figures, per metric and overall.

    Both frames have ``doc_id``; ``gold`` has ``seed_line``, ``metric`` and ``value`` (as
    :func:`geo.figures.load_figures`), ``proposals`` ``line``, ``metric`` and ``value``. A
    gold figure is *found* when a proposal on its line has its metric and value. A proposal
    in a metric (not ``other``) is *right* when it is a gold figure; *restated* when it has
    the metric and value of a gold figure of its document on another line (the curated table
    records a figure stated twice once). Returns one row per metric and ``all``: ``gold``,
    ``found``, ``recall``, ``proposed``, ``right``, ``restated``, ``precision``
    (right/proposed), ``precision_restated`` ((right+restated)/proposed), and, of the found,
    how many also have the gold ``status``, period and ``adcode``.
    """
    keys = ["doc_id", "line", "metric", "_value"]
    gold = gold.assign(_value=[_exact(v) for v in gold["value"]], line=gold["seed_line"])
    known = proposals[proposals["metric"] != "other"]
    known = known.assign(_value=[_exact(v) for v in known["value"]])
    # The same value may stand twice on a line (7 个 for two districts): pair them in order.
    gold = gold.assign(_n=gold.groupby(keys).cumcount()).reset_index(drop=True)
    known = known.assign(_n=known.groupby(keys).cumcount()).reset_index(drop=True)
    paired = gold.merge(
        known[[*keys, "_n", "status", "adcode", "period_start", "period_end"]],
        on=[*keys, "_n"], how="left", suffixes=("", "_p"), indicator=True,
    )  # fmt: skip
    gold["found"] = (paired["_merge"] == "both").to_numpy()
    for column in ("status", "adcode"):
        gold[f"{column}_ok"] = (paired[column] == paired[f"{column}_p"]).to_numpy() & gold["found"]
    gold["period_ok"] = gold["found"].to_numpy() & np.array([
        _same_year(a, b) and _same_year(c, d)
        for a, b, c, d in zip(
            paired["period_start"], paired["period_start_p"], paired["period_end"],
            paired["period_end_p"], strict=True,
        )
    ], dtype=bool)  # fmt: skip
    matched = known.merge(gold[[*keys, "_n"]], on=[*keys, "_n"], how="left", indicator=True)
    in_document = set(zip(gold["doc_id"], gold["metric"], gold["_value"], strict=True))
    right = (matched["_merge"] == "both").to_numpy()
    restated = [
        (d, m, v) in in_document
        for d, m, v in zip(known["doc_id"], known["metric"], known["_value"], strict=True)
    ]
    known = known.assign(right=right, restated=~right & pd.Series(restated).to_numpy())
    return _score_table(gold, known)


def _score_table(gold: pd.DataFrame, known: pd.DataFrame) -> pd.DataFrame:
    by_gold = gold.groupby("metric").agg(
        gold=("found", "size"), found=("found", "sum"), status_ok=("status_ok", "sum"),
        period_ok=("period_ok", "sum"), adcode_ok=("adcode_ok", "sum"),
    )  # fmt: skip
    by_known = known.groupby("metric").agg(
        proposed=("right", "size"), right=("right", "sum"), restated=("restated", "sum")
    )
    table = by_gold.join(by_known, how="outer").fillna(0).astype("int64")
    table.loc["all"] = table.sum()
    table["recall"] = (table["found"] / table["gold"].where(table["gold"] > 0)).round(3)
    proposed = table["proposed"].where(table["proposed"] > 0)
    table["precision"] = (table["right"] / proposed).round(3)
    table["precision_restated"] = ((table["right"] + table["restated"]) / proposed).round(3)
    order = ["gold", "found", "recall", "proposed", "right", "restated", "precision",
             "precision_restated", "status_ok", "period_ok", "adcode_ok"]  # fmt: skip
    return table[order].reset_index().rename(columns={"index": "metric"})


def _exact(value: object) -> Decimal:
    return Decimal(str(value)).normalize()


#: A period cell as a merged frame holds it: a year (int, float or text), or missing.
_Year = SupportsInt | str | None


def _same_year(a: _Year, b: _Year) -> bool:
    if a is None or b is None or pd.isna(a) or pd.isna(b):
        return pd.isna(a) and pd.isna(b)
    return int(a) == int(b)
