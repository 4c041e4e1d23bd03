"""
Compare page: two or more districts, zones or cities side by side, ranked.

Each place is set beside its city's average, with a time view by year or period.

Values come from the documents (every city), the session's ledger and its accessibility
metrics, when loaded; each keeps its source on screen. Only complete values are ranked or drawn
as bars; the rest say why they are missing (:mod:`geo.compare`). Cities, period, places and
metrics live in the address (``?city=…&years=2019,2024&place=410703,410702&metric=households``).
The table is :func:`layers.compare.compare_places`'s, as ``atlas compare`` writes it.
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
from geo import boundaries, compare
from geo import figures as figures_io
from geo.errors import BoundaryCacheError
from layers._html import esc_md
from layers.charts import compare_chart, period_chart
from layers.compare import Comparison, compare_places, period_rows, single_period
from layers.spreadsheets import csv_bytes
from layers.tables import (
    compare_csv,
    compare_titles,
    compare_values,
    period_values,
    side_by_side,
)
from layers.wording import label, mixed_periods_text, place_labels

DEFAULT_METRIC = "households"
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


def charts(table: pd.DataFrame, titles: dict[str, str], lang: str) -> None:
    """One bar chart per metric: the chosen places side by side, missing values marked."""
    st.subheader(label("compare_side_by_side", lang))
    st.caption(label("compare_chart_help", lang))
    for metric, title in titles.items():
        rows = table[table["metric"] == metric]
        st.markdown(f"**{esc_md(title)}**")
        st.altair_chart(compare_chart(rows, metric_name=title, lang=lang), width="stretch")


def time_view(
    figures, places, chosen_metrics, titles, ledger, years, lang, *, relative: bool = False
) -> None:
    """Values by year or period of the chosen places, where the data have years."""
    st.subheader(label("compare_time", lang))
    st.caption(label("compare_time_help", lang))
    if relative:
        st.caption(label("compare_time_values", lang))
    rows = period_rows(
        figures,
        places,
        chosen_metrics,
        projects=None if ledger is None else ledger.ledger.projects,
        ledger_source=None if ledger is None else ledger.name,
        years=years,
        lang=lang,
    )
    if rows.empty:
        st.info(label("compare_time_none", lang))
        return
    single = single_period(rows)
    for metric, of_metric in rows.groupby("metric", sort=False):
        if metric in single:
            continue
        st.markdown(f"**{esc_md(titles[metric])}**")
        chart = period_chart(of_metric, places=place_labels(places, lang).tolist(), lang=lang)
        st.altair_chart(chart, width="stretch")
    if single:
        listed = "、".join(titles[m] for m in single)
        st.caption(esc_md(label("compare_one_period", lang).format(metrics=listed)))
    with st.expander(label("compare_time_rows", lang)):
        shown = period_values(rows, titles, lang)
        st.dataframe(shown, hide_index=True, width="stretch")


def session_infra(lang: str):
    """The session's infrastructure and its district metrics, or None (said when unreadable)."""
    try:
        return session_infra_metrics()
    except BoundaryCacheError as exc:
        st.error(esc_md(exc))
        return None


def choose_cities(figures, ledger, lang: str) -> tuple[list[str], tuple, list[int], list[str]]:
    """
    Cities and period, in the sidebar and the address; the period's bounds; values dropped.

    As on the map, no city chosen means the five seed cities; a link naming a place elsewhere
    (?place=320106) opens its city as well.
    """
    city_names = load_city_names()
    extra = [c for c in place_cities(tuple(state.url_list("place"))) if c not in SEEDS]
    default_cities = list(dict.fromkeys([*SEEDS, *extra])) if extra else []
    title = label("cities_or_seeds", lang)
    cities, dropped = state.picked(
        "city", title, city_names, lang, default=default_cities, where=st.sidebar
    )
    cities = cities or SEEDS
    bounds = compare.year_range(figures, ledger.ledger.projects if ledger else None)
    dropped += state.seed_range("years", bounds)
    years = tuple(st.sidebar.slider(label("years", lang), bounds[0], bounds[1], key="years"))
    return cities, years, bounds, dropped


def choose_places(places, figures, lang: str) -> tuple[list[str], list[str], list[str]]:
    """The places compared, their default (the first two that report), and values dropped."""
    place_names = dict(zip(places["adcode"], place_labels(places, lang), strict=True))
    # Two places to start with, not every district of the city: its first two that report.
    default_places = compare.default_places(places, figures, DEFAULT_METRIC)
    title, options = label("compare_places", lang), list(place_names)
    chosen, dropped = state.picked(
        "place", title, options, lang, default=default_places, format_func=place_names.get
    )
    return chosen, default_places, dropped


def choose_metrics(options, titles_all, ledger, lang: str) -> tuple[list[str], list[str], list]:
    """The metrics compared, their default, and the address values dropped."""
    default_metrics = [DEFAULT_METRIC] + (["ledger_households"] if ledger is not None else [])
    default_metrics = [m for m in default_metrics if m in options]
    # Another page may keep a single value under "metric"; this page's is a list.
    if not isinstance(st.session_state.get("metric", []), list):
        del st.session_state["metric"]
    title = label("compare_metrics", lang)
    chosen_metrics, dropped = state.picked(
        "metric", title, options, lang, default=default_metrics, format_func=titles_all.get
    )
    return chosen_metrics, default_metrics, dropped


def choose_show(chosen_metrics, figures, lang: str) -> tuple[str, list[str]]:
    """Values or relative: only the ways that suit every chosen metric; values dropped."""
    # Only the ways that make sense for every chosen metric: no "households per household".
    modes = compare.relative_modes(chosen_metrics, figures)
    # A link's way that does not suit these metrics is named in words, saying why it is gone.
    dropped = []
    for how in state.seed("show", options=modes, default="value"):
        if how in compare.RELATIVE:
            mode = label(f"relative_{how}", lang)
            st.info(label("compare_mode_unsuited", lang).format(mode=mode))
        else:
            dropped.append(how)
    show = st.radio(
        label("compare_show", lang),
        modes,
        format_func=lambda how: label(f"relative_{how}", lang),
        horizontal=True,
        key="show",
        help=label("relative_help", lang),
    )
    return show, dropped


def results(compared: Comparison, chosen_metrics, infra, lang: str) -> None:
    """The side-by-side table, the charts, every value and its download."""
    table, titles = compared.table, compared.titles
    mixed = compare.mixed_periods(table)
    if mixed:
        st.warning(esc_md(mixed_periods_text(mixed, titles, lang)))
    wide = side_by_side(table, titles, lang)
    st.dataframe(wide, hide_index=True, width="stretch", height=35 * (min(len(wide), 30) + 1) + 3)
    if infra is not None and any(m.startswith(compare.INFRA_PREFIX) for m in chosen_metrics):
        st.caption(esc_md(label("compare_infra_note", lang).format(name=infra[0].name)))

    charts(table, titles, lang)
    st.subheader(label("compare_values", lang))
    st.dataframe(compare_values(table, titles, lang), hide_index=True, width="stretch")
    st.download_button(
        label("compare_download", lang),
        csv_bytes(compare_csv(table, titles)),
        "compare.csv",
        "text/csv",
    )


def render(lang: str) -> None:
    """The compare page: places and metrics chosen, then the comparison and the time view."""
    figures = load_figures()
    ledger = current_ledger()
    infra = session_infra(lang)
    st.title(label("compare_title", lang))
    st.caption(label("compare_help", lang))

    # Cities and period in the sidebar; places and metrics above the results, all from the
    # address.
    cities, years, bounds, dropped = choose_cities(figures, ledger, lang)
    places = load_places(tuple(cities))
    if ledger is not None:
        outlines = load_display_outlines().reset_index()
        places = compare.list_places(outlines, figures, cities, projects=ledger.ledger.projects)
    chosen, default_places, dropped_places = choose_places(places, figures, lang)
    options = compare.metric_options(
        figures,
        cities,
        order=load_metric_order(),
        has_ledger=ledger is not None,
        infra_table=None if infra is None else infra[1],
    )
    titles_all = compare_titles(options, figures, lang)
    chosen_metrics, default_metrics, dropped_metrics = choose_metrics(
        options, titles_all, ledger, lang
    )
    show, dropped_show = choose_show(chosen_metrics, figures, lang)
    dropped += dropped_places + dropped_metrics + dropped_show
    state.publish(
        KEYS,
        defaults={
            "city": [],
            "years": bounds,
            "place": default_places,
            "show": "value",
            "metric": default_metrics,
        },
    )
    if dropped:
        st.warning(esc_md(label("compare_dropped", lang).format(values="、".join(dropped))))
    if len(chosen) < 2:
        st.info(label("compare_pick_two", lang))
        return
    if not chosen_metrics:
        st.info(label("compare_pick_metric", lang))
        return

    sources = {
        "projects": ledger.ledger.projects if ledger else None,
        "ledger_source": ledger.name if ledger else "",
        "infra_table": infra[1] if infra else None,
        "infra_source": infra[0].name if infra else "",
    }
    compared = compare_places(
        figures, places, chosen, chosen_metrics, years=years, show=show, lang=lang, **sources
    )
    results(compared, chosen_metrics, infra, lang)
    # The time view plots values as reported, whatever the table above compares: titled so.
    time_view(
        figures,
        compared.places,
        chosen_metrics,
        {m: titles_all[m] for m in chosen_metrics},
        ledger,
        years,
        lang,
        relative=show != "value",
    )
