"""
Priorities page (优先): which communities first, by a score whose every rank is explained.

The same pipeline as `atlas priorities` (:func:`geo.priorities.rank`); words, table, map and
files from :mod:`layers.priorities`. The candidates are the ledger in view's (计划 rows, not
yet 完工, or all), measured on the 生活圈 and 步行可达 pages, or a list uploaded here, read
as a ledger; what those pages did not measure is measured on the extract in view
(:func:`geo.priorities.measure_list`, as ``atlas priorities --candidates --osm``). Widgets and
layout only.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from app_pages._ui import state
from app_pages._ui.cache import kept_newest, osm_facilities, walking_network
from app_pages._ui.common import current_infra, current_ledger
from app_pages._ui.paged import paged_dataframe
from app_pages._ui.widgets import (
    coverage_view,
    datum_select,
    offer,
    refused,
    say,
    upload_fields,
    upload_note,
)
from geo import priorities, records
from geo.errors import InputError
from layers import priorities as words
from layers.tables import quarantine_rows
from layers.wording import label

#: Session keys of this page's widgets: the candidates, the preset, and one slider per part.
CANDIDATES_KEY = "priorities_candidates"
PRESET_KEY = "priorities_preset"
WEIGHT_KEY = "priorities_weight_{}"
#: Where the 生活圈 and 步行可达 pages keep their newest measure in the session.
MEASURED_KEYS = ("lifecircle_result", "reach_result")
#: The page's choice beside :data:`geo.priorities.CANDIDATES`: a list uploaded here, kept
#: read under LIST_KEY and measured under MEASURES_KEY (the newest of each).
UPLOADED = "uploaded"
LIST_KEY = "priorities_list"
MEASURES_KEY = "priorities_list_measures"
LIST_TYPES = ["csv", "xlsx"]


def _use_preset() -> None:
    """Set every slider to the chosen preset's weights (a preset restores its weights)."""
    for part, percent in words.preset_percents(st.session_state[PRESET_KEY]).items():
        st.session_state[WEIGHT_KEY.format(part)] = percent


def _choices(lang: str) -> tuple[str, str]:
    """The candidates and the preset, side by side."""
    left, right = st.columns(2)
    which = left.radio(
        label("priorities_candidates", lang),
        [*priorities.CANDIDATES, UPLOADED],
        format_func=lambda k: label(f"priorities_candidates_{k}", lang),
        key=CANDIDATES_KEY,
    )
    preset = right.radio(
        label("priorities_preset", lang),
        list(priorities.PRESETS),
        format_func=lambda k: words.preset_name(k, lang),
        index=list(priorities.PRESETS).index("balanced"),  # as `atlas priorities`
        key=PRESET_KEY,
        horizontal=True,
        on_change=_use_preset,
    )
    return which, preset


def _weights(lang: str) -> dict[str, float]:
    """One slider per part (0-100 %), starting at the preset's weights."""
    if any(WEIGHT_KEY.format(p) not in st.session_state for p in priorities.PARTS):
        _use_preset()
    with st.expander(label("priorities_weights", lang), expanded=True):
        st.caption(label("priorities_weights_help", lang))
        columns = st.columns(len(priorities.PARTS))
        return {
            part: column.slider(
                words.part_name(part, lang), 0, 100, step=5, key=WEIGHT_KEY.format(part)
            )
            / 100
            for part, column in zip(priorities.PARTS, columns, strict=True)
        }


def _measures(rows: pd.DataFrame, token: tuple, lang: str, *, listed: bool, skip=()):
    """``rows``' own reach gap and life circle on the extract in view (kept per rows), or None."""
    loaded = current_infra()
    if loaded is None or (extract := loaded.extract) is None:
        return None
    try:
        built, found = walking_network(*extract), osm_facilities(*extract)
    except InputError as exc:
        refused(exc, lang)
        return None
    measures = kept_newest(
        MEASURES_KEY,
        (*token, loaded.token, built.sha256),
        lambda: priorities.measure_list(
            rows, built, infra=loaded.infra, facilities=found, skip=skip
        ),
    )
    if text := words.measured_text(measures, loaded.name, lang, listed=listed):
        st.caption(text)
    return measures


def _uploaded(lang: str) -> pd.DataFrame | None:
    """A list of candidates uploaded here, read as a ledger, its quarantine shown; or None."""
    upload = st.file_uploader(label("priorities_upload", lang), LIST_TYPES, key="priorities_upload")
    upload_note(LIST_TYPES, lang)
    if upload is None:
        st.info(label("priorities_upload_needs", lang))
        return None
    data, name = upload.getvalue(), upload.name
    sheet = st.text_input(label("sheet", lang), "", key="priorities_sheet") or None
    datum = datum_select(lang, key="priorities_datum", fields=upload_fields(data, name, sheet))
    try:
        listed = kept_newest(
            LIST_KEY,
            (hashlib.sha256(data).hexdigest(), name, datum, sheet),
            lambda: records.read_ledger(data, name=name, crs_name=datum, sheet=sheet),
        )
    except InputError as exc:
        refused(exc, lang)
        return None
    summary = listed.summary()
    st.caption(words.list_read_text(listed.rows, summary["clean"], summary["quarantined"], lang))
    if not listed.quarantine.empty:
        shown = quarantine_rows(listed.quarantine, lang)
        st.expander(label("quarantine", lang)).dataframe(shown, hide_index=True, width="stretch")
    return listed.projects


def _candidates(which: str, lang: str):
    """The rows to rank and what was measured of them (why a part was not, too); or None."""
    if which == UPLOADED:
        if (listed := _uploaded(lang)) is None:
            return None
        measures = _measures(listed, (id(listed),), lang, listed=True)
        return listed, measures or priorities.measure_list(listed, None)
    if (loaded := current_ledger()) is None:
        st.info(label("priorities_needs", lang))
        return None
    # What the 生活圈 and 步行可达 pages measured of these very rows in this session, kept;
    # the parts they did not, measured of the candidates on the extract in view.
    kept = [r for k in MEASURED_KEYS for r in (st.session_state.get(k) or {}).values()]
    if measured := priorities.measures_of(loaded.ledger.projects, kept):
        st.caption(label("priorities_measured", lang))
    rows, skip = priorities.candidates_of(loaded.ledger.projects, which, measured)
    token = (loaded.token, which, *sorted(skip))
    measures = _measures(rows, token, lang, listed=False, skip=skip)
    return rows, measures or priorities.ListMeasures(frames=(), measured={}, unmeasured={})


def render(lang: str) -> None:
    """The 优先 page in ``lang``."""
    st.title(label("page_priorities_title", lang))
    st.caption(label("priorities_help", lang))
    # The language switch renames every option and label here: the choices are carried over.
    state.keep([CANDIDATES_KEY, PRESET_KEY, *(WEIGHT_KEY.format(p) for p in priorities.PARTS)])
    which, preset = _choices(lang)
    weights = _weights(lang)
    if not any(weights.values()):
        st.warning(label("priorities_weights_zero", lang))
        return
    if (found := _candidates(which, lang)) is None:
        return
    rows, measures = found  # the rows are the candidates: all of them are ranked
    ranked = priorities.rank(rows, among="all", weights=weights, measured=measures.frames)
    if ranked.empty:
        st.info(label("priorities_no_candidates", lang))
        return
    say(words.ranking_notes(ranked, weights, preset, lang, unmeasured=measures.unmeasured))
    # A page of the ranking is written and drawn (a national one ranks tens of thousands);
    # the downloads keep every row.
    shown = paged_dataframe(
        len(ranked),
        lambda rows: words.ranked_table(ranked, weights, lang, rows=rows),
        "priorities_page",
        lang,
        wide=[label("priorities_col_explained", lang)],  # how the score is made: a sentence
    )
    if unplaced := words.unplaced_text(ranked, lang):
        st.caption(unplaced)
    # A page without a single point (a district's list often has none) draws no empty map.
    if (drawn := words.page_map(ranked, shown, lang)) is not None:
        if drawn[0]:
            st.caption(drawn[0])
        coverage_view(drawn[1], "priorities_map")
    offer(words.ranking_downloads(ranked, weights, preset, lang))
