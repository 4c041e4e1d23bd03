"""
Walking reach page: how far renovated communities are from accessible destinations on foot.

Along the street network of an OSM extract, for a walker, a wheelchair user or a blind
walker, beside the straight line.

The network is built from the OSM extract read on the accessibility page in this session, or
from one uploaded here (the same file; a saved infrastructure dataset keeps its features, not
the extract), and kept per extract (SHA-256) on the server. Districts the extract does not
cover are hatched "数据不足", never 0. A walkshed and a route are drawn on demand. The walker,
radii, snap distance and measure live in the address (``/reach?profile=wheelchair&radii=500``).
"""

from __future__ import annotations

import functools

import streamlit as st

from app_pages._ui import state
from app_pages._ui.cache import kept_newest, walking_network
from app_pages._ui.common import current_infra, current_ledger
from app_pages._ui.widgets import (
    community_choice,
    coverage_view,
    load_network_example,
    map_outlines,
    offer,
    osm_extract,
    refused,
)
from geo import coverage, network, reach
from geo.errors import InputError
from layers._html import esc_md
from layers.reach import (
    address_defaults,
    downloads,
    drawn_for,
    network_caption,
    on_network,
    reach_keys,
    reach_layers,
    route_text,
    tables,
)
from layers.wording import dropped_text, label, measure_name

REACH_KEY = "reach_result"
DRAWN_KEY = "reach_drawn"
RADII_OFFERED = [300, 500, 1000]


def _measured(loaded, projects, built, profile: str, radii: tuple, snap: float):
    """Per-community and per-district reach, kept for the newest inputs of this session."""
    key = (loaded.token, id(projects), built.sha256, profile, radii, snap)
    run = functools.partial(reach.measure, projects, loaded.infra, built, profiles=(profile,))
    return kept_newest(REACH_KEY, key, lambda: run(radii=radii, max_snap_m=snap))


def inputs(lang: str):
    """The infrastructure, the ledger and the network built from the extract; stops without."""
    if st.button(label("load_network_example", lang), key="reach_example"):
        load_network_example()
    loaded, ledger = current_infra(), current_ledger()
    if loaded is None or ledger is None:
        st.info(label("reach_needs", lang))
        st.stop()
    if loaded.synthetic and loaded.infra.kind == "osm":
        st.warning(label("synthetic_network_warning", lang))
    source = osm_extract(loaded, lang, key="net_up")
    if source is None:
        st.info(label("reach_no_network", lang))
        st.stop()
    try:
        with st.spinner(label("reach_building", lang)):
            built = walking_network(*source)
    except InputError as exc:
        refused(exc, lang)
        st.stop()
    st.caption(esc_md(network_caption(built.counts(), source[1], lang)))
    return loaded, ledger, built


def settings(lang: str) -> tuple[str, tuple, int, list]:
    """The walker, the radii and the snap distance; the address values dropped."""
    left, middle, right = st.columns(3)
    profiles, default = list(network.PROFILES), address_defaults()
    dropped = state.seed("profile", options=profiles, default=default["profile"])
    dropped += state.seed(
        "radii", options=RADII_OFFERED, default=default["radii"], multi=True, cast=int
    )
    dropped += state.seed("snap", options=list(range(10, 501)), default=default["snap"], cast=int)
    profile = left.radio(
        label("reach_profile", lang), profiles, key="profile", horizontal=True,
        format_func=lambda p: label(f"profile_{p}", lang),
    )  # fmt: skip
    chosen_radii = middle.multiselect(
        label("reach_radii", lang), RADII_OFFERED, key="radii",
        placeholder=label("choose", lang),  # else Streamlit's own English
    )  # fmt: skip
    radii = tuple(sorted(chosen_radii or coverage.RADII_M))
    snap = right.number_input(label("reach_snap", lang), 10, 500, step=10, key="snap")
    return profile, radii, snap, dropped


def choose_measure(keys: list[str], dropped: list, lang: str) -> str:
    """The measure the map colours by; the walker, radii, snap and measure in the address."""
    dropped += state.seed("measure", options=keys, default=keys[0])
    metric = st.selectbox(
        label("coverage_metric", lang),
        keys,
        format_func=lambda k: measure_name(k, lang),
        key="measure",
    )
    if dropped:
        st.warning(esc_md(dropped_text(dropped, lang)))
    # The walker, radii, snap distance and measure are in the address, as the map's filters are.
    state.publish(["profile", "radii", "snap", "measure"], defaults=address_defaults(keys[0]))
    return metric


def reach_map(loaded, built, communities, table, metric: str, profile: str, lang: str) -> dict:
    """Reach by district with what was drawn for this network and walker; the drawn."""
    drawn = dict(st.session_state.get(DRAWN_KEY, {}))
    shown_drawn = drawn_for(drawn, built.sha256, profile)  # the view fits it
    layers = reach_layers(
        map_outlines(table), metric, infra=loaded.infra.features, communities=communities,
        drawn=shown_drawn, lang=lang,
    )  # fmt: skip
    coverage_view(layers, "reach_map")
    st.caption(label("reach_caption", lang))
    if "route" in shown_drawn:
        st.success(esc_md(route_text(shown_drawn["route"][1], shown_drawn["route"][0], lang)))
    return drawn


def tools(loaded, built, communities, drawn: dict, profile: str, snap, lang: str) -> None:
    """Draw how far one can walk from a community, or its walk to the nearest destination."""
    with_point, names = on_network(communities, profile)
    left, right = st.columns(2)
    with left.form("walkshed"):
        st.markdown(f"**{label('walkshed_title', lang)}**")
        origin = community_choice(with_point, names, lang)
        metres = st.number_input(label("walkshed_distance", lang), 100, 3000, 500, step=100)
        if st.form_submit_button(label("walkshed_draw", lang)) and origin is not None:
            shed = reach.walkshed(
                built, communities.geometry[origin], metres, profile=profile, max_snap_m=snap
            )
            if shed["status"].iloc[0] != "ok":
                st.warning(label("reach_off_network", lang))
            else:
                drawn["walkshed"] = ((built.sha256, profile), names[origin], shed)
                st.session_state[DRAWN_KEY] = drawn
    with right.form("route"):
        st.markdown(f"**{label('route_title', lang)}**")
        start = community_choice(with_point, names, lang)
        kind = st.selectbox(
            label("route_kind", lang),
            coverage.DISTANCE_TYPES,
            format_func=lambda k: label(f"infra_{k}", lang),
        )
        if st.form_submit_button(label("route_draw", lang)) and start is not None:
            found = reach.route(
                built, communities.geometry[start], loaded.infra, kind=kind, profile=profile,
                max_snap_m=snap,
            )  # fmt: skip
            status = found["status"].iloc[0]
            if status != "ok":
                st.warning(esc_md(f"{names[start]}: {label(f'reach_{status}', lang)}"))
            else:
                drawn["route"] = ((built.sha256, profile), names[start], found)
                st.session_state[DRAWN_KEY] = drawn


def render(lang: str) -> None:
    """The walking reach page: settings, reach on a map, walkshed and route, tables, files."""
    st.title(label("page_reach_title", lang))
    st.caption(label("reach_help", lang))
    loaded, ledger, built = inputs(lang)
    profile, radii, snap, dropped = settings(lang)
    projects = ledger.ledger.projects
    with st.spinner(label("reach_measuring", lang)):
        reached = _measured(loaded, projects, built, profile, radii, float(snap))
    communities, table = reached.near, reached.table
    keys = reach_keys(radii, profile)
    metric = choose_measure(keys, dropped, lang)
    drawn = reach_map(loaded, built, communities, table, metric, profile, lang)
    if not communities[f"{profile}_snap_m"].notna().any():
        st.info(label("reach_none_on_network", lang))
    tools(loaded, built, communities, drawn, profile, snap, lang)
    if st.session_state.get(DRAWN_KEY) is drawn:
        st.rerun()  # the map above is drawn already: draw it again with the new layer
    for heading, shown in tables(table, communities, keys, profile, lang):
        st.subheader(heading)
        if isinstance(shown, str):
            st.info(shown)  # no district measured: says why
        else:
            st.dataframe(shown, hide_index=True, width="stretch")
    offer(downloads(communities, table, drawn, profile, lang))
