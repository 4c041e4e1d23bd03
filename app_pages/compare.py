"""
Compare page: two or more districts, zones or cities side by side, ranked.

Each place is set beside its city's average, with a time view by year or period. Values come
from the documents (every city), the session's ledger and its accessibility metrics, when
loaded; each keeps its source on screen. Only complete values are ranked or drawn as bars; the
rest say why they are missing (:mod:`geo.compare`). Cities, period, places and metrics live in
the address (``?city=…&years=2019,2024&place=410703,410702&metric=households``). The table is
:func:`layers.compare.compare_places`'s, as ``atlas compare`` writes it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages._ui import state
from app_pages._ui.common import (
    current_ledger,
    load_city_names,
    load_display_outlines,
    load_figures,
)
from app_pages._ui.measured import session_infra_metrics
from app_pages._ui.widgets import download
from geo import boundaries, compare
from geo import figures as figures_io
from geo.errors import BoundaryCacheError
from layers._html import esc_md
from layers.compare import (
    Comparison,
    compare_charts,
    compare_places,
    comparison_csv,
    comparison_notes,
    default_metrics,
    linked_cities,
    time_view,
    unsuited_modes,
)
from layers.tables import compare_titles, compare_values, side_by_side
from layers.wording import dropped_text, label, place_labels

SEEDS = list(boundaries.SEED_CITIES)
KEYS = ["city", "years", "place", "metric", "show"]


@st.cache_data
def load_places(cities: tuple[str, ...]) -> pd.DataFrame:
    """Each city, its districts and its zones with figures."""
    outlines = load_display_outlines().reset_index()
    return compare.list_places(outlines, load_figures(), cities)


@st.cache_data
def load_metric_order() -> list[str]:
    """Figure metrics in the order of data/metrics.csv: scale first, then the rest."""
    return figures_io.load_metrics()["metric"].tolist()


@st.cache_data
def place_cities(codes: tuple[str, ...]) -> list[str]:
    """Cities of the places named in the address, so that ``?place=`` alone opens them."""
    return compare.cities_of_places(codes)


def charts(titled: list) -> None:
    """Each chart under its title."""
    for title, chart in titled:
        st.markdown(f"**{esc_md(title)}**")
        st.altair_chart(chart, width="stretch")


def periods(figures, places, metrics, sources: dict, lang: str, *, relative: bool) -> None:
    """Values by year or period of the chosen places, where the data have years."""
    st.subheader(label("compare_time", lang))
    st.caption(label("compare_time_help", lang))
    if relative:
        st.caption(label("compare_time_values", lang))
    view = time_view(figures, places, metrics, lang=lang, **sources)
    if view is None:
        st.info(label("compare_time_none", lang))
        return
    charts(view.charts)
    if view.single_note:
        st.caption(esc_md(view.single_note))
    with st.expander(label("compare_time_rows", lang)):
        st.dataframe(view.table, hide_index=True, width="stretch")


def choose_cities(figures, ledger, defaults: dict, dropped: list, lang: str) -> tuple[list, tuple]:
    """
    Cities and period, in the sidebar and the address.

    As on the map, no city chosen means the five seed cities; a link naming a place elsewhere
    (?place=320106) opens its city as well. Each choice sets its default of the address in
    ``defaults`` and adds the values of the link it dropped to ``dropped``.
    """
    linked = linked_cities(place_cities(tuple(state.url_list("place"))), SEEDS)
    title, names = label("cities_or_seeds", lang), load_city_names()
    cities, lost = state.picked("city", title, names, lang, default=linked, where=st.sidebar)
    bounds = compare.year_range(figures, ledger.ledger.projects if ledger else None)
    dropped += lost + state.seed_range("years", bounds)
    defaults |= {"city": [], "years": bounds}
    years = tuple(st.sidebar.slider(label("years", lang), bounds[0], bounds[1], key="years"))
    return cities or SEEDS, years


def choose(places, figures, options, titles, defaults: dict, dropped: list, lang: str) -> tuple:
    """
    The places and the metrics compared, and how: values, or relative where that suits.

    By default the city's first two places that report, households (and the ledger's), values.
    """
    names = dict(zip(places["adcode"], place_labels(places, lang), strict=True))
    defaults["place"] = compare.default_places(places, figures, "households")
    defaults["metric"] = default_metrics(options)
    defaults["show"] = "value"
    chosen, lost = state.picked(
        "place", label("compare_places", lang), list(names), lang, default=defaults["place"],
        format_func=names.get,
    )  # fmt: skip
    # Another page may keep a single value under "metric"; this page's is a list.
    if not isinstance(st.session_state.get("metric", []), list):
        del st.session_state["metric"]
    metrics, lost_metrics = state.picked(
        "metric", label("compare_metrics", lang), options, lang, default=defaults["metric"],
        format_func=titles.get,
    )  # fmt: skip
    # Only the ways that make sense for every chosen metric: no "households per household".
    modes = compare.relative_modes(metrics, figures)
    notes, lost_show = unsuited_modes(state.seed("show", options=modes, default="value"), lang)
    for note in notes:
        st.info(note)
    dropped += lost + lost_metrics + lost_show
    show = st.radio(
        label("compare_show", lang), modes, key="show", horizontal=True,
        format_func=lambda how: label(f"relative_{how}", lang), help=label("relative_help", lang),
    )  # fmt: skip
    return chosen, metrics, show


def results(compared: Comparison, metrics, infra_name: str | None, lang: str) -> None:
    """The side-by-side table, the charts, every value and its download."""
    table, titles = compared.table, compared.titles
    warning, note = comparison_notes(compared, metrics, infra_name, lang)
    if warning:
        st.warning(esc_md(warning))
    wide = side_by_side(table, titles, lang)
    st.dataframe(wide, hide_index=True, width="stretch", height=35 * (min(len(wide), 30) + 1) + 3)
    if note:
        st.caption(esc_md(note))
    st.subheader(label("compare_side_by_side", lang))
    st.caption(label("compare_chart_help", lang))
    charts(compare_charts(compared, lang))
    st.subheader(label("compare_values", lang))
    st.dataframe(compare_values(table, titles, lang), hide_index=True, width="stretch")
    download(label("compare_download", lang), "compare.csv", comparison_csv, compared)


def render(lang: str) -> None:
    """The compare page: places and metrics chosen, then the comparison and the time view."""
    figures, ledger = load_figures(), current_ledger()
    try:  # the session's infrastructure and its district metrics
        infra = session_infra_metrics()
    except BoundaryCacheError as exc:
        st.error(esc_md(exc))
        infra = None
    st.title(label("compare_title", lang))
    st.caption(label("compare_help", lang))
    projects, ledger_name = (ledger.ledger.projects, ledger.name) if ledger else (None, "")
    infra_table, infra_name = (infra[1], infra[0].name) if infra else (None, None)
    # Cities and period in the sidebar; places and metrics above the results; all in the address.
    defaults, dropped = {}, []
    cities, years = choose_cities(figures, ledger, defaults, dropped, lang)
    places = load_places(tuple(cities))
    if ledger is not None:
        outlines = load_display_outlines().reset_index()
        places = compare.list_places(outlines, figures, cities, projects=projects)
    options = compare.metric_options(
        figures, cities, order=load_metric_order(), has_ledger=ledger is not None,
        infra_table=infra_table,
    )  # fmt: skip
    titles = compare_titles(options, figures, lang)
    chosen, metrics, show = choose(places, figures, options, titles, defaults, dropped, lang)
    state.publish(KEYS, defaults=defaults)
    if dropped:
        st.warning(esc_md(dropped_text(dropped, lang)))
    if len(chosen) < 2 or not metrics:
        st.info(label("compare_pick_two" if len(chosen) < 2 else "compare_pick_metric", lang))
        return
    compared = compare_places(
        figures, places, chosen, metrics, years=years, show=show, lang=lang, projects=projects,
        ledger_source=ledger_name, infra_table=infra_table, infra_source=infra_name or "",
    )  # fmt: skip
    results(compared, metrics, infra_name, lang)
    # The time view plots values as reported, whatever the table above compares: titled so.
    sources = {"projects": projects, "ledger_source": ledger_name, "years": years}
    periods(figures, compared.places, metrics, sources, lang, relative=show != "value")
