"""
生活圈 page: life-circle and complete-community indicators of the renovated communities.

The network and the OSM facilities come from the extract in view (read on the accessibility
page, uploaded here, or the synthetic example); a bureau's facilities file may be added. The
page is widgets and layout: :func:`geo.lifecircle.measure` computes, as ``atlas indicators``
does, and :mod:`layers.lifecircle` words and draws. Districts the data do not cover are
hatched "数据不足", never 0; every indicator cites its clause.
"""

from __future__ import annotations

import dataclasses
import hashlib

import streamlit as st

from app_pages._ui.cache import kept_newest, osm_facilities, walking_network
from app_pages._ui.common import current_infra, current_ledger
from app_pages._ui.widgets import (
    community_choice,
    coverage_view,
    datum_select,
    display_outlines,
    download,
    load_network_example,
    map_outlines,
    offer,
    osm_extract,
    refused,
)
from geo import facilities, lifecircle
from geo.errors import InputError
from layers._html import esc_md
from layers.lifecircle import (
    category_name,
    downloads,
    facilities_caption,
    indicator_name,
    inside_heading,
    inside_table,
    tables,
    template_bytes,
)
from layers.maps import lifecircle_layers
from layers.reach import on_network
from layers.wording import label

RESULT_KEY = "lifecircle_result"
DRAWN_KEY = "lifecircle_drawn"


# --- what the page reads (cached per file's SHA-256 on the server) -----------------------------


@st.cache_resource(max_entries=4, show_spinner=False)
def _file_facilities(sha: str, name: str, datum: str | None, _data: bytes):
    registry = facilities.load_registry()
    return facilities.read_facility_file(_data, name=name, crs_name=datum, registry=registry)


def _sources(source: tuple[bytes, str], lang: str):
    """The network, and the facilities of the extract and of an uploaded file."""
    built, found = walking_network(*source), osm_facilities(*source)
    left, right = st.columns([2, 1])
    upload = left.file_uploader(label("upload_facilities", lang), ["csv", "xlsx"], key="lc_fac")
    datum = datum_select(lang, key="lc_fac_datum")
    registry = facilities.load_registry()
    template = label("facilities_template", lang)
    download(template, "facilities-template.xlsx", template_bytes, registry, lang, where=right)
    if upload is not None:
        raw = upload.getvalue()
        listed = _file_facilities(hashlib.sha256(raw).hexdigest(), upload.name, datum, raw)
        found = facilities.combine(found, listed)
    return built, found


# --- settings and the measure --------------------------------------------------------------------


def _settings(lang: str) -> tuple[str, facilities.Registry]:
    """The profile, and the registry with the radii the planner set."""
    registry = facilities.load_registry()
    profile = st.radio(
        label("reach_profile", lang),
        lifecircle.PROFILES,
        format_func=lambda p: label(f"profile_{p}", lang),
        key="lc_profile",
        horizontal=True,
    )
    radii = {}
    with st.expander(label("lc_radii", lang)):
        columns = st.columns(4)
        for i, (key, category) in enumerate(registry.categories.items()):
            metres = columns[i % 4].number_input(
                category_name(key, lang), 50, 3000, int(category.radius_m), step=50, key=f"r_{key}"
            )
            if metres != int(category.radius_m):
                radii[key] = float(metres)
    return profile, registry.with_radii(radii)


def _measured(projects, found, built, profile: str, registry) -> lifecircle.Indicators:
    """The indicators for the newest inputs of this session (one kept)."""
    radii = tuple((k, c.radius_m) for k, c in registry.categories.items())
    return kept_newest(
        RESULT_KEY,
        (id(projects), id(found), built.sha256, profile, radii),
        lambda: lifecircle.measure(projects, found, built, registry=registry, profile=profile),
    )


# --- the map and a community's walkshed ------------------------------------------------------


def _walkshed_form(result, built, found, lang: str) -> None:
    """Draw a community's walksheds and list the services inside them."""
    communities = result.communities
    placed, names = on_network(communities)
    with st.form("lc_walkshed"):
        st.markdown(f"**{label('lc_walkshed_title', lang)}**")
        origin = community_choice(placed, names, lang)
        if st.form_submit_button(label("lc_walkshed_draw", lang)) and origin is not None:
            sheds, inside = lifecircle.walkshed_facilities(
                built, communities.geometry[origin], found, profile=result.profile
            )
            drawn = (built.sha256, result.profile, names[origin], sheds, inside)
            st.session_state[DRAWN_KEY] = drawn
            st.rerun()  # the map above is drawn already: draw it again with the walkshed


def _map(result, built, lang: str) -> None:
    columns = [c for c, _, _ in lifecircle.share_columns(result.registry)]
    column = st.selectbox(
        label("lc_indicator", lang),
        columns,
        index=columns.index("share_complete"),
        format_func=lambda c: indicator_name(c, result.registry, result.profile, lang),
        key="lc_indicator",
    )
    drawn = st.session_state.get(DRAWN_KEY)
    shown = drawn if drawn and drawn[:2] == (built.sha256, result.profile) else None
    displayed = dataclasses.replace(result, districts=map_outlines(result.districts))
    walkshed = shown[2:] if shown else None
    layers = lifecircle_layers(displayed, column, walkshed=walkshed, lang=lang)
    coverage_view(layers, "lifecircle_map")
    if shown is not None:
        _, profile, name, sheds, inside = shown
        heading = esc_md(inside_heading(name, sheds, inside, profile, lang))
        if inside.empty:
            st.info(heading)
        else:
            st.markdown(f"**{heading}**")
            st.dataframe(inside_table(inside, lang), hide_index=True, width="stretch")


# --- the page: its tables and files after the map ----------------------------------------------


def render(lang: str) -> None:
    """The 生活圈 page in ``lang``."""
    st.title(label("page_lifecircle_title", lang))
    st.caption(label("lifecircle_help", lang))
    if st.button(label("load_network_example", lang), key="lc_example"):
        load_network_example()
    loaded, ledger = current_infra(), current_ledger()
    source = osm_extract(loaded, lang, key="lc_net")
    if source is None or ledger is None:
        st.info(label("lifecircle_needs", lang))
        return
    if "synthetic" in source[1]:
        st.warning(label("synthetic_network_warning", lang))
    try:
        with st.spinner(label("reach_building", lang)):
            built, found = _sources(source, lang)
    except InputError as exc:
        refused(exc, lang)
        return
    st.caption(esc_md(facilities_caption(found.counts(), lang)))
    profile, registry = _settings(lang)
    with st.spinner(label("reach_measuring", lang)):
        result = _measured(ledger.ledger.projects, found, built, profile, registry)
    _map(result, built, lang)
    _walkshed_form(result, built, found, lang)
    for heading, table in tables(result, found.quarantine, lang):
        st.subheader(heading)
        st.dataframe(table, hide_index=True)
    offer(downloads(result, found.quarantine, display_outlines(result.districts), lang))
