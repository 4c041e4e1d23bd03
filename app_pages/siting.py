"""
Siting page (选址): where N new ramps or accessible stops would reach the most households.

Within R metres on foot, the existing ones kept; the optimum beside greedy, the marginal
curve, the chosen sites and their downloads. The same pipeline as `atlas site`
(:func:`geo.siting.plan`), on the walking network of the reach page. Candidates and existing
sites come from the extract, or from point files uploaded here (``--candidates``,
``--existing``), read by the hostile-upload reader of every vector upload
(:func:`geo.siting.read_sites`); rows that are not one point are counted and listed.
"""

from __future__ import annotations

import functools
import hashlib

import streamlit as st

from app_pages._ui import state
from app_pages._ui.cache import kept_newest, walking_network
from app_pages._ui.common import current_infra, current_ledger
from app_pages._ui.widgets import (
    coverage_view,
    datum_select,
    load_network_example,
    offer,
    refused,
    say,
    upload_note,
)
from geo import siting
from geo.errors import InputError
from layers.siting import (
    counted,
    curve_frame,
    fewer_text,
    file_read_text,
    refused_rows,
    siting_downloads,
    siting_layers,
    siting_table,
    summary_notes,
    weighs_offered,
)
from layers.wording import label

SITING_KEY = "siting_result"
WEIGH_KEY = "siting_weigh"
#: The two point files a planner may give instead of the extract's: session key, label.
SITE_FILES = {"candidates": "siting_candidates_upload", "existing": "siting_existing_upload"}
SITE_TYPES = ["geojson", "json", "gpkg", "zip"]
#: A site file's datum "as the file says" (GeoJSON: WGS84 unless stated), in words.
IN_FILE = "datum_in_file_sites"


def _read_sites(role: str, data: bytes, name: str, datum: str | None):
    """An uploaded site file read once per file and datum (kept for this session)."""
    token = (hashlib.sha256(data).hexdigest(), name, datum)
    read = kept_newest(
        f"siting_{role}_read", token, lambda: siting.read_sites(data, name=name, crs_name=datum)
    )
    return (token, *read)


def site_files(lang: str) -> dict:
    """
    The candidate and existing site files, each with its datum; the rows that are not a point.

    Returns role → (token, points) for the files given; a refused file says why and stops.
    """
    given = {}
    with st.expander(label("siting_files", lang), expanded=False):
        st.caption(label("siting_files_help", lang))
        for column, (role, key) in zip(st.columns(2), SITE_FILES.items(), strict=True):
            with column:
                upload = st.file_uploader(label(key, lang), type=SITE_TYPES, key=f"siting_{role}")
                datum = datum_select(lang, key=f"siting_{role}_datum", in_file=IN_FILE)
                if upload is None:
                    continue
                try:
                    token, points, not_points = _read_sites(
                        role, upload.getvalue(), upload.name, datum
                    )
                except InputError as exc:
                    refused(exc, lang)
                    st.stop()
                st.caption(file_read_text(len(points), len(not_points), lang))
                if not not_points.empty:
                    st.dataframe(refused_rows(not_points, lang), hide_index=True, width="stretch")
                given[role] = (token, points)
        upload_note(SITE_TYPES, lang)
    return given


def _planned(loaded, projects, built, given: dict, settings: tuple):
    """The solution for the newest inputs of this session (one kept)."""
    kind, profile, count, radius, weigh = settings
    solve = functools.partial(
        siting.plan, projects, built, kind=kind, count=count, radius_m=radius, profile=profile,
        infra=loaded.infra, candidates=given.get("candidates", (None, None))[1],
        existing=given.get("existing", (None, None))[1], time_limit_s=60.0, weigh=weigh,
    )  # fmt: skip
    files = tuple((role, given[role][0]) for role in sorted(given))
    key = (loaded.token, id(projects), built.sha256, files, *settings)
    return kept_newest(SITING_KEY, key, solve)


def inputs(lang: str):
    """The survey's extract, the ledger and its walking network; stops without them."""
    if st.button(label("load_network_example", lang), key="siting_example"):
        load_network_example()
    loaded, ledger = current_infra(), current_ledger()
    if loaded is None or ledger is None or loaded.extract is None:
        st.info(label("siting_needs", lang))
        st.stop()
    if loaded.synthetic:
        st.warning(label("synthetic_network_warning", lang))
    try:
        built = walking_network(*loaded.extract)
    except InputError as exc:
        refused(exc, lang)
        st.stop()
    return loaded, ledger, built


def weigh_choice(projects, lang: str) -> str:
    """What a site's reach counts; elderly residents only where the ledger has their column."""
    offered = weighs_offered(projects)
    if st.session_state.get(WEIGH_KEY) not in (None, *offered):
        del st.session_state[WEIGH_KEY]  # another ledger, without the column
    state.keep([WEIGH_KEY])
    return st.radio(
        label("siting_weigh", lang),
        offered,
        format_func=lambda w: label(f"siting_weigh_{w}", lang),
        horizontal=True,
        key=WEIGH_KEY,
    )


def settings(lang: str) -> tuple[str, str, int, int]:
    """What to site, for which walker, how many and within how far."""
    first, second, third, fourth = st.columns(4)
    kind = first.radio(
        label("siting_type", lang),
        siting.SITE_TYPES,
        format_func=lambda k: label(f"siting_type_{k}", lang),
        key="siting_type",
    )
    profile = second.radio(
        label("reach_profile", lang),
        siting.PROFILES,
        format_func=lambda p: label(f"profile_{p}", lang),
        key="siting_profile",
    )
    count = int(third.number_input(label("siting_count", lang), 1, 50, 5, key="siting_count"))
    radius = int(
        fourth.number_input(
            label("siting_radius", lang), 50, 2000, 300, step=50, key="siting_radius"
        )
    )
    return kind, profile, count, radius


def render(lang: str) -> None:
    """The siting page: settings, the solution on the map, its table, curve and downloads."""
    st.title(label("page_siting_title", lang))
    st.caption(label("siting_help", lang))
    loaded, ledger, built = inputs(lang)
    kind, profile, count, radius = settings(lang)
    projects = ledger.ledger.projects
    weigh = weigh_choice(projects, lang)
    given = site_files(lang)
    try:
        with st.spinner(label("siting_solving", lang)):
            candidates, existing, result = _planned(
                loaded, projects, built, given, (kind, profile, count, radius, weigh)
            )
    except InputError as exc:
        refused(exc, lang)
        st.stop()
    say(summary_notes(result.summary, lang))
    coverage_view(siting_layers(candidates, existing, lang=lang, weigh=weigh), "siting_map")
    left, right = st.columns(2)
    left.subheader(label("siting_chosen", lang))
    chosen = siting_table(candidates, lang, weigh)
    if chosen.empty:  # not an empty grid, whose only word is Streamlit's English "empty"
        left.info(label("siting_none_chosen", lang))
    else:
        left.dataframe(chosen, hide_index=True, width="stretch")
    right.subheader(label("siting_curve", lang))
    if counted(result.summary):
        curve = curve_frame(result.curve, lang, weigh, before=result.summary["covered_before"])
        sites, covered, solution = curve.columns  # worded: the chart's axes and legend
        right.line_chart(curve, x=sites, y=covered, color=solution)
    else:  # no community counts: a flat line at 0 would draw "no data" as zero
        right.info(label("siting_no_curve", lang))
    if fewer := fewer_text(result.summary, lang):
        right.info(fewer)
    offer(siting_downloads(candidates, f"{kind}-{profile}-{radius}m", lang))
