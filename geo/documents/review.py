"""
The planner's review of proposed figures: suggested decisions, then the accepted figures.

:func:`suggest_decisions` gives the decision a review starts from (``accept`` or left to the
planner) for the proposals of :func:`geo.documents.extract.extract_figures`;
:func:`accept_figures` turns the reviewed rows into rows shaped like
:func:`geo.figures.load_figures`, with the document's SHA-256, line and page kept, and lists
every accepted row that cannot be a figure with the reason; :func:`as_figures` types rows of
figure columns held as text (a review, a figures table).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from decimal import Decimal
from typing import TYPE_CHECKING

import pandas as pd

from geo.documents.read import Document

if TYPE_CHECKING:
    from geo.documents.extract import Extraction

__all__ = [
    "FIGURE_COLUMNS",
    "LEFT_TO_THE_PLANNER",
    "accept_extraction",
    "accept_figures",
    "as_figures",
    "suggest_decisions",
]

#: Columns of an accepted figure: those of :func:`geo.figures.load_figures`, then provenance.
FIGURE_COLUMNS = [
    "figure_id", "doc_id", "seed_line", "province", "city", "place", "adcode", "level",
    "period_start", "period_end", "period_label", "status", "metric", "value", "unit",
    "qualifier", "as_written", "role", "doc_number", "issuer", "doc_date", "seed_file",
    "title", "label_zh", "label_en", "doc_sha256", "page",
]  # fmt: skip
_SOURCE_KEYS = ("doc_number", "issuer", "doc_date", "title")
#: Qualifiers never accepted in advance: an estimate is the planner's call, a range no figure.
LEFT_TO_THE_PLANNER = ("approx", "range")


def suggest_decisions(proposals: pd.DataFrame, *, confidence: float = 0.5) -> pd.Series:
    """
    The decision a review starts from: ``accept`` or ``""`` (left to the planner).

    A proposal is suggested for acceptance when its metric is known and its confidence at
    least ``confidence``, unless it is an estimate (约, 近, 左右: ``approx``) or a range, which
    the planner accepts or not for themselves, or an earlier proposal says the same figure
    (same metric, value, place and period: a headline restating the body) — saved twice, it
    would be counted twice in a city's total. Nothing is suggested for rejection.
    """
    sure = (
        (proposals["metric"] != "other")
        & (proposals["confidence"] >= confidence)
        & ~proposals["qualifier"].isin(LEFT_TO_THE_PLANNER)
    )
    same = ["metric", "value", "adcode", "period_start", "period_end"]
    restated = (
        proposals[sure]
        .duplicated(subset=same, keep="first")
        .reindex(proposals.index, fill_value=False)
    )
    return pd.Series(["accept" if ok else "" for ok in sure & ~restated], index=proposals.index)


def accept_figures(
    review: pd.DataFrame, document: Document, *, doc_id: str, source: dict[str, str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """
    Turn the reviewed proposals into figures shaped like :func:`geo.figures.load_figures`.

    ``review`` is :attr:`geo.documents.extract.Extraction.figures` with a ``decision`` column
    (``accept`` or ``reject``; rows left empty are neither) and any edits to ``metric``,
    ``place``, ``adcode``, ``level``, ``period_start``, ``period_end``, ``status`` or ``value``.
    ``source`` gives the document's number, issuer, date and title (e.g. from
    :func:`geo.documents.extract.document_info`). Each figure keeps its provenance: ``doc_id``,
    ``seed_line`` (the line), ``page``, ``as_written``, ``seed_file`` (the document's name)
    and ``doc_sha256``.

    Returns ``(figures, problems)``: an accepted row that cannot be a figure (metric
    ``other`` or unknown, a unit that is not the metric's, no adcode, a level or status
    outside the vocabulary, a range) is not dropped silently but listed in ``problems`` with
    ``figure_key``, ``line`` and ``problem``; nothing of it is in ``figures``.
    """
    from geo.figures import LEVELS, STATUSES, load_metrics

    metrics = load_metrics().set_index("metric")
    accepted = review[review.get("decision", pd.Series("", index=review.index)) == "accept"]
    problems, rows = [], []
    for row in accepted.to_dict("records"):
        problem = _figure_problem(row, metrics, LEVELS, STATUSES)
        if problem:
            problems.append(
                {"figure_key": row["figure_key"], "line": row["line"], "problem": problem}
            )
            continue
        rows.append(row)
    figures = as_figures(pd.DataFrame(rows, columns=review.columns), metrics)
    details = {k: (source or {}).get(k, "") for k in _SOURCE_KEYS}
    figures = figures.assign(
        doc_id=doc_id, seed_file=document.name, doc_sha256=document.sha256, **details
    )
    figures["figure_id"] = [
        f"{doc_id}-{line}-{metric}-{n}"
        for n, (line, metric) in enumerate(
            zip(figures["seed_line"], figures["metric"], strict=True), 1
        )
    ]
    return figures[FIGURE_COLUMNS], pd.DataFrame(
        problems, columns=["figure_key", "line", "problem"]
    )


def accept_extraction(
    extraction: Extraction, review: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """
    The figures a review of ``extraction`` accepts, with the document as their source.

    ``review`` is :attr:`~geo.documents.extract.Extraction.figures` with a ``decision``
    column as the planner left it; without one, the decisions :func:`suggest_decisions`
    proposes (what the figures page starts from). Returns ``(figures, problems)`` as
    :func:`accept_figures` does, with ``doc_id`` ``doc-`` and the first 12 hex digits of the
    document's SHA-256, and the document's number, issuer, date and title as read.
    """
    if review is None:
        review = extraction.figures.assign(decision=suggest_decisions(extraction.figures))
    document, info = extraction.document, extraction.info
    source = {k: str(info.get(k) or "") for k in _SOURCE_KEYS}
    return accept_figures(review, document, doc_id=f"doc-{document.sha256[:12]}", source=source)


def _figure_problem(
    row: dict, metrics: pd.DataFrame, levels: Collection[str], statuses: Collection[str]
) -> str:
    """Why an accepted row cannot be saved as a figure, or ""."""
    metric = row.get("metric")
    if metric not in metrics.index:
        return f"metric {metric!r} is not one of data/metrics.csv; choose one or reject the row"
    if row.get("unit") != metrics.at[metric, "unit"]:
        return f"unit {row.get('unit')!r} is not {metric}'s unit {metrics.at[metric, 'unit']!r}"
    if not isinstance(row.get("adcode"), str) or not re.fullmatch(r"\d{6}", row["adcode"]):
        return "no adcode: choose the district, zone or city the figure is about"
    if row.get("level") not in levels:
        return f"level {row.get('level')!r} is not one of {list(levels)} (a community's figure?)"
    if row.get("status") not in statuses:
        return f"status {row.get('status')!r} is not one of {list(statuses)}"
    if row.get("value_max") or row.get("qualifier") == "range":
        return f"a range ({row.get('as_written')!r}) is not one figure; edit the value or reject it"
    return ""


def as_figures(rows: pd.DataFrame, metrics: pd.DataFrame | None = None) -> pd.DataFrame:
    """
    Rows with the figure columns as text (value exact) → typed like :func:`load_figures`.

    ``value`` becomes a float in the metric's unit, periods nullable years, ``seed_line`` the
    ``line``; metric labels are joined from data/metrics.csv.
    """
    from geo.figures import load_metrics

    metrics = load_metrics().set_index("metric") if metrics is None else metrics
    out = pd.DataFrame(index=rows.index)
    for column in ("province", "city", "place", "adcode", "level", "period_label", "status"):
        out[column] = rows.get(column, "")
    out["seed_line"] = pd.array(rows["line"], dtype="Int64")
    out["page"] = pd.array(rows.get("page", pd.Series(pd.NA, index=rows.index)), dtype="Int64")
    for column in ("period_start", "period_end"):
        out[column] = pd.array(rows[column], dtype="Int64")
    out["metric"] = rows["metric"]
    out["value"] = [float(Decimal(str(v))) for v in rows["value"]]
    for column in ("unit", "qualifier", "as_written"):
        out[column] = rows[column]
    out["role"] = rows.get("role", "reported")
    out["label_zh"] = rows["metric"].map(metrics["label_zh"])
    out["label_en"] = rows["metric"].map(metrics["label_en"])
    return out.reset_index(drop=True)
