"""
A document under review: its text with every proposed figure marked, as escaped HTML.

The figures page shows this beside the review table (:func:`geo.extract.extract_figures`),
so a planner sees each proposal where the document says it. Every character of the document
goes through :func:`layers._html.esc`: a report is untrusted input like any upload.
"""

from __future__ import annotations

import pandas as pd

from layers._html import esc
from layers.labels import label

__all__ = ["document_html"]

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


def document_html(lines, proposals: pd.DataFrame, lang: str = "zh") -> str:
    """
    The document's lines, numbered, with the proposals marked (hover: metric, value, line).

    ``lines`` are :class:`geo.documents.Line` objects (number, text, page); ``proposals`` the
    review table, whose ``line``, ``start`` and ``end`` say where each figure stands. Lines
    without a figure are shown too: the planner reads the figure in its context.
    """
    by_line: dict[int, list[tuple[int, int, str, str]]] = {}
    for row in proposals.itertuples(index=False):
        kind = "other" if row.metric == "other" else "known"
        title = f"{row.metric} · {row.as_written} · {label('history_col_rows', lang)} {row.line}"
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
