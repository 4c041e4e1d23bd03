"""
A document under review: its text with the proposed figures marked, and the review's words.

The figures page shows this beside the review table (:func:`geo.documents.extract.extract_figures`),
so a planner sees each proposal where the document says it. Every character of the document
goes through :func:`layers._html.esc`: a report is untrusted input like any upload. The
table keeps its codes (the page saves them) and shows them by name: :func:`review_headers`,
:func:`review_options`, and :func:`review_shown` for the columns a planner reads only.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from geo.documents.read import Document
from geo.documents.review import LEFT_TO_THE_PLANNER
from layers._html import esc
from layers.wording import LABELS, label, unit_text

__all__ = [
    "REVIEW_EDITABLE",
    "REVIEW_FORMATS",
    "REVIEW_READ_ONLY",
    "document_caption",
    "document_html",
    "estimates_left",
    "review_headers",
    "review_options",
    "review_shown",
    "review_table",
    "reviewed",
]

#: Background of a mark by the proposal's metric: known metrics, and ``other``.
_MARKS = {"known": "#fff3b0", "other": "#e0e0e0"}


def _marked_line(text: str, spans: list[tuple[int, int, str, str]]) -> str:
    """``text`` escaped, each (start, end, kind, title) span wrapped in a <mark>."""
    out, at = [], 0
    for start, end, kind, title in sorted(spans):
        if start < at or end > len(text) or start >= end:
            continue  # overlapping or off the line (a figure whose unit runs on): not marked
        out.append(esc(text[at:start]))
        out.append(
            f'<mark title="{esc(title)}" style="background:{_MARKS[kind]};padding:0 1px">'
            f"{esc(text[start:end])}</mark>"
        )
        at = end
    out.append(esc(text[at:]))
    return "".join(out)


def document_html(
    lines, proposals: pd.DataFrame, lang: str = "zh", *, metric_names: dict | None = None
) -> str:
    """
    The document's lines, numbered, with the proposals marked (hover: metric, value, line).

    ``lines`` are :class:`geo.documents.read.Line` objects (number, text, page); ``proposals`` the
    review table, whose ``line``, ``start`` and ``end`` say where each figure stands. Lines
    without a figure are shown too: the planner reads the figure in its context.
    ``metric_names`` names each metric code in ``lang`` (a code it lacks reads "other").
    """
    by_line: dict[int, list[tuple[int, int, str, str]]] = {}
    names = metric_names if metric_names is not None else {}
    for row in proposals.itertuples(index=False):
        kind = "other" if row.metric == "other" else "known"
        metric = names.get(row.metric) or label("figures_metric_other", lang)
        line = label("figures_line", lang).format(line=row.line)
        title = f"{metric} · {row.as_written} · {line}"
        by_line.setdefault(int(row.line), []).append((int(row.start), int(row.end), kind, title))
    rows = []
    for line in lines:
        page = f"p{line.page}·" if line.page else ""
        number = f'<span style="color:#888;user-select:none">{page}{line.number}</span>'
        body = _marked_line(line.text, by_line.get(line.number, []))
        rows.append(f'<div style="white-space:pre-wrap">{number} {body}</div>')
    return (
        '<div style="max-height:420px;overflow:auto;border:1px solid #ddd;padding:8px;'
        f'font:13px/1.6 sans-serif">{"".join(rows)}</div>'
    )


#: The review table's columns → the label key of its header.
_HEADERS = {
    "decision": "figures_decision",
    "metric": "compare_metric",
    "place": "compare_place",
    "adcode": "col_adcode",
    "level": "col_level",
    "period_start": "figures_col_from",
    "period_end": "figures_col_to",
    "status": "status",
    "value": "figures_col_value",
    "as_written": "as_written",
    "unit": "figures_col_unit",
    "qualifier": "col_qualifier",
    "line": "figures_col_line",
    "confidence": "figures_col_confidence",
    "context": "figures_col_context",
}


#: The review table's columns a planner may change, then those shown as they were read.
REVIEW_EDITABLE = ["decision", "metric", "place", "adcode", "level", "period_start", "period_end"]
REVIEW_EDITABLE += ["status", "value"]
REVIEW_READ_ONLY = ["as_written", "unit", "qualifier", "line", "confidence", "context"]
#: Number formats of the review's numeric columns: years and line numbers without a thousands
#: separator, values as the planner's locale writes them.
REVIEW_FORMATS = {"period_start": "%d", "period_end": "%d", "line": "%d", "value": "localized"}
REVIEW_FORMATS |= {"confidence": "%.2f"}


def review_headers(lang: str = "zh") -> dict[str, str]:
    """Each review column's header in ``lang``."""
    return {column: label(key, lang) for column, key in _HEADERS.items()}


def review_options(
    metric_names: dict[str, str], levels, statuses, lang: str = "zh"
) -> dict[str, dict[str, str]]:
    """
    The choices of the review's select columns, code → name in ``lang``.

    ``decision`` (accept, reject, left open), ``metric`` (``metric_names`` and "other"),
    ``level`` and ``status``; the page keeps the codes and shows the names.
    """
    return {
        "decision": {d: label(f"figures_decision_{d}", lang) for d in ("accept", "reject", "open")},
        "metric": {**metric_names, "other": label("figures_metric_other", lang)},
        "level": {v: label(f"level_{v}", lang) for v in levels},
        "status": {s: label(s, lang) for s in statuses},
    }


def _qualifier_name(qualifier: object, lang: str) -> str:
    """确数, 不少于, 约... for a qualifier code; "" for none."""
    if not isinstance(qualifier, str) or not qualifier:
        return ""
    if f"qualifier_{qualifier}" in LABELS:
        return label(f"qualifier_{qualifier}", lang)
    # The words a value's note uses ("（约）", " (about)"), without their brackets.
    return label(qualifier, lang).strip("（）() ") if qualifier in LABELS else qualifier


def review_shown(proposals: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """
    The review table as a planner reads it: units and qualifiers as words, values as numbers.

    A unit the documents wrote that is no code (次) stays as written. The value, kept as exact
    text by the extraction, becomes a number, so the grid writes it with thousands separators
    (2,139,100, not 2139100) and an edit is a number. A decision left to the planner ("") is
    ``open``: the grid writes an empty choice as "None". The other columns are ``proposals``'.
    """
    return proposals.assign(
        decision=proposals["decision"].fillna("").replace("", "open"),
        value=pd.to_numeric(proposals["value"], errors="coerce"),
        unit=[
            (unit_text(u, lang) or label("figures_unit_count", lang)) if isinstance(u, str) else ""
            for u in proposals["unit"]
        ],
        qualifier=[_qualifier_name(q, lang) for q in proposals["qualifier"]],
    )


def review_table(proposals: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The review grid: :data:`REVIEW_EDITABLE` then :data:`REVIEW_READ_ONLY`, worded."""
    return review_shown(proposals[[*REVIEW_EDITABLE, *REVIEW_READ_ONLY]], lang)


def reviewed(proposals: pd.DataFrame, edited: pd.DataFrame) -> pd.DataFrame:
    """
    ``proposals`` with the planner's edits of :data:`REVIEW_EDITABLE` from the grid.

    Only the editable columns come from ``edited`` (:func:`review_table` as edited): the
    read-only ones keep their codes (``households``, ``at_least``), not the grid's words.
    """
    changed = proposals.copy()
    changed[REVIEW_EDITABLE] = edited[REVIEW_EDITABLE].to_numpy()
    return changed


def document_caption(document: Document, info: Mapping[str, object], lang: str = "zh") -> str:
    """
    What a document under review is: its name, hash, lines, city, number and date.

    ``info`` is what the extraction read of its heading (``city``, ``doc_number``,
    ``doc_date``); what it did not find reads "无数据" (the city) or "—".
    """
    return label("figures_document", lang).format(
        name=document.name,
        sha=document.sha256[:12],
        lines=len(document.lines),
        city=info.get("city") or label("no_data", lang),
        number=info.get("doc_number") or "—",
        date=info.get("doc_date") or "—",
    )


def estimates_left(proposals: pd.DataFrame) -> int:
    """
    How many proposals of a known metric are estimates left to the planner (约, 余, 以上).

    :data:`geo.documents.review.LEFT_TO_THE_PLANNER`: not accepted by default.
    """
    left = proposals["qualifier"].isin(LEFT_TO_THE_PLANNER) & (proposals["metric"] != "other")
    return int(left.sum())
