"""
A long table shown a page at a time, with how many rows it has and which are shown.

A national ledger has 300,000 communities: written whole as text and sent to the browser,
its tables took seconds a run and tens of megabytes. A page of :data:`PAGE_ROWS` rows is
written and sent; the planner picks the page, the caption says which rows of how many, and
the page's downloads keep every row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from app_pages._ui import state
from layers.wording import label

__all__ = ["PAGE_ROWS", "paged_dataframe", "shown_rows"]

#: Rows a table shows at once: a city's or a province's ledger whole (sorted and searched in
#: the grid as it is), a national one (300,000 communities) a page at a time.
PAGE_ROWS = 5_000


def shown_rows(total: int, key: str, lang: str, *, where=None) -> slice:
    """
    The positions of the rows shown of a table of ``total`` rows: all, or the chosen page.

    Above :data:`PAGE_ROWS` rows, a page number (widget ``key``, kept over the language
    switch) and a caption saying which rows of how many; a page past the end (the table got
    shorter) shows the last.
    """
    if total <= PAGE_ROWS:
        return slice(0, total)
    where = where or st
    pages = -(-total // PAGE_ROWS)
    state.keep([key])
    if st.session_state.get(key, 1) > pages:
        st.session_state[key] = pages
    text = label("table_page", lang).format(pages=f"{pages:,}", size=f"{PAGE_ROWS:,}")
    page = int(where.number_input(text, min_value=1, max_value=pages, step=1, key=key))
    first = (page - 1) * PAGE_ROWS
    last = min(first + PAGE_ROWS, total)
    where.caption(
        label("table_rows_shown", lang).format(
            total=f"{total:,}", first=f"{first + 1:,}", last=f"{last:,}"
        )
    )
    return slice(first, last)


def paged_dataframe(
    total: int,
    write: Callable[[slice], pd.DataFrame],
    key: str,
    lang: str,
    *,
    where=None,
    wide: Sequence[str] = (),
    **options,
) -> slice:
    """
    A table of ``total`` rows as ``st.dataframe``, a page at a time (:func:`shown_rows`).

    ``write(rows)`` writes the rows at those positions for the screen; only they are written
    and sent. The columns named in ``wide`` (a sentence a cell) are drawn wide. ``options``
    go to ``st.dataframe`` (hidden index and full width by default). Returns the positions
    shown.
    """
    rows = shown_rows(total, key, lang, where=where)
    options = {"hide_index": True, "width": "stretch"} | options
    if wide:
        large = {column: st.column_config.TextColumn(width="large") for column in wide}
        options["column_config"] = options.get("column_config", {}) | large
    (where or st).dataframe(write(rows), **options)
    return rows
