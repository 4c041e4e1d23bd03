"""
The map page's sidebar: where, when and what, each a widget seeded from the address bar.

Where (cities, districts), when and what (period, figure), the ledger's own filters, the
coverage layer and the basemap.

:func:`map_view` draws them all, publishes their values to the address and returns the
:class:`layers.view.View` they make. The map and the export page both draw it, so a link to
either (``/export?city=洛阳市``) opens the view it names, and the files hold what the map shows.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages._ui import state
from geo import gazetteer, selection
from geo.figures import STATUSES as FIGURE_KINDS
from layers.address_view import ALL_KINDS, LEDGER_FILTERS, group_cities, group_district_names
from layers.basemaps import BASEMAPS, display_datum, tianditu_key
from layers.choropleth import CLASS_COUNTS, DEFAULT_CLASSES, SCHEMES
from layers.tables import metric_names
from layers.view import ALL_CHINA, SEED_CITIES, View, city_group, figure_choices
from layers.wording import label, measure_name, tag_text

__all__ = ["district_names", "map_view"]

SEED = SEED_CITIES
#: Widget keys kept in the address bar.
URL_KEYS = [
    "province",
    "city",
    "district",
    "years",
    "kind",
    "figure",
    "scheme",
    "classes",
    "basemap",
    "coverage",
]
#: The radio's value for no basemap (a widget value of None would read as "nothing chosen").
NO_BASEMAP = "none"


@st.cache_data
def district_names(cities: tuple[str, ...]) -> list[str]:
    """
    The county-level districts of ``cities``, by name, in outline order.

    Names only: st.cache_data pickles what it keeps, and all of China's 2,875 outlines took
    0.1-0.2 s to unpickle on every call, twice a run, for a list and a count.
    """
    return list(group_district_names(cities))


@st.cache_data
def city_choices(province: str) -> list[str]:
    """The cities offered for a group: the seed cities, all of China, or a province's."""
    return list(group_cities(province))


def linked_group() -> str:
    """The group of cities of a link that names cities and no province (``/?city=洛阳市``)."""
    return city_group(state.url_list("city"))


def choose_places(all_figures: pd.DataFrame, lang: str) -> tuple[tuple, tuple]:
    """A group of cities (the seeds, a province, all of China), then cities and districts."""
    provinces = [SEED, ALL_CHINA, *gazetteer.list_cities()["province"].drop_duplicates()]
    dropped = state.seed("province", options=provinces, default=linked_group())
    state.warn_dropped("province", dropped, lang)
    groups = {SEED: label("seed_cities", lang), ALL_CHINA: label("all_china", lang)}
    province = st.sidebar.selectbox(
        label("province", lang), provinces, format_func=lambda p: groups.get(p, p), key="province"
    )
    options = city_choices(province)
    cities = tuple(
        state.multiselect(
            "city", label("cities_all", lang), options, lang, cast=gazetteer.full_city_name
        )
        or options
    )
    zones = all_figures.loc[
        all_figures["city"].isin(cities) & (all_figures["level"] == "zone"), "place"
    ].unique()
    names = sorted(district_names(cities)) + sorted(zones)
    return cities, tuple(state.multiselect("district", label("districts", lang), names, lang))


def choose_figure(all_figures, cities, districts, lang) -> tuple[tuple, str, str, pd.DataFrame]:
    """The period, the kind, the figure that colours the map and its default, the figures kept."""
    first, last = int(all_figures["period_start"].min()), int(all_figures["period_end"].max())
    state.warn_dropped("years", state.seed_range("years", (first, last)), lang)
    years = tuple(st.sidebar.slider(label("years", lang), first, last, key="years"))
    kinds = [ALL_KINDS, *FIGURE_KINDS]
    state.warn_dropped("kind", state.seed("kind", options=kinds, default=ALL_KINDS), lang)
    kind = st.sidebar.selectbox(
        label("figure_kind", lang),
        kinds,
        format_func=lambda k: label("kind_all" if k == ALL_KINDS else k, lang),
        key="kind",
    )
    chosen = selection.Selection(
        cities=cities,
        districts=districts,
        years=years,
        statuses=() if kind == ALL_KINDS else (kind,),
    )
    kept = selection.filter_figures(all_figures, chosen)
    names = metric_names(all_figures, lang)
    options, default = figure_choices(kept)
    state.warn_dropped("figure", state.seed("figure", options=options, default=default), lang)
    metric = st.sidebar.selectbox(
        label("figure", lang),
        options,
        format_func=lambda m: names.get(m, m),
        key="figure",
    )
    return years, metric, default, kept


def choose_classes(lang: str) -> tuple[str, int]:
    """The class scheme (mapclassify) and how many classes, side by side."""
    left, right = st.sidebar.columns([3, 2])
    schemes = list(SCHEMES)
    state.warn_dropped("scheme", state.seed("scheme", options=schemes, default=schemes[0]), lang)
    scheme = left.selectbox(
        label("class_scheme", lang),
        schemes,
        format_func=lambda s: label(f"scheme_{s}", lang),
        key="scheme",
        help=label("scheme_help", lang),
    )
    counts = list(CLASS_COUNTS)
    dropped = state.seed("classes", options=counts, default=DEFAULT_CLASSES, cast=int)
    state.warn_dropped("classes", dropped, lang)
    classes = right.selectbox(label("class_count", lang), counts, key="classes")
    return scheme, int(classes)


def choose_ledger_filters(loaded, lang: str) -> dict[str, tuple]:
    """The ledger's own filters (year, batch, status, content), for the facets it has."""
    if loaded is None:
        return {}
    facets = selection.ledger_facets(loaded.ledger.projects)
    if not any(facets[facet] for facet, _, _ in LEDGER_FILTERS.values()):
        return {}  # no year, batch, status or content to filter by: no empty heading
    st.sidebar.subheader(label("ledger_filters", lang))
    shown = {"status": lambda s: label(s, lang), "tag": lambda t: tag_text(t, lang)}
    chosen = {}
    for key, (facet, title, cast) in LEDGER_FILTERS.items():
        if facets[facet]:
            chosen[key] = tuple(
                state.multiselect(
                    key,
                    label(title, lang),
                    facets[facet],
                    lang,
                    cast=cast,
                    format_func=shown.get(key, str),
                )
            )
    return chosen


def choose_coverage(computed, lang: str) -> str | None:
    """Which coverage measure the hidden coverage layer shades, when there is coverage."""
    if computed is None:
        return None
    keys = [k for k in computed.table.columns if f"{k}_status" in computed.table.columns]
    if not keys:
        return None
    state.seed("coverage", options=keys, default="tactile_rate")
    return st.sidebar.selectbox(
        label("coverage_layer", lang),
        keys,
        format_func=lambda k: measure_name(k, lang),
        key="coverage",
    )


def choose_basemap(lang: str) -> tuple[str | None, str | None]:
    """None by default (offline); Amap is GCJ-02, so layers are shifted to meet it."""
    options = [b or NO_BASEMAP for b in BASEMAPS]
    state.seed("basemap", options=options, default=NO_BASEMAP)
    chosen = st.sidebar.radio(
        label("basemap", lang),
        options,
        format_func=lambda b: label(f"basemap_{b}", lang),
        key="basemap",
    )
    basemap = None if chosen == NO_BASEMAP else chosen
    tile_key = None
    if basemap is not None:
        st.sidebar.caption(label("basemap_needs_network", lang))
    if basemap == "tianditu":
        typed = st.sidebar.text_input(label("tianditu_key", lang), type="password", key="tk")
        tile_key = tianditu_key(typed)
        if tile_key is None:
            st.sidebar.warning(label("tianditu_needs_key", lang))
            basemap = None
    if display_datum(basemap) == "gcj02":
        st.sidebar.info(label("gcj02_display", lang))
    return basemap, tile_key


def map_view(
    all_figures: pd.DataFrame, loaded, computed, lang: str, *, basemap_choice: bool = True
):
    """
    Draw the sidebar and return (the view, the figures it keeps, Tianditu's key or None).

    ``loaded`` is the session's ledger and ``computed`` its coverage (either may be None).
    The map fits the places the view names (:func:`layers.view.view_bounds`), whatever data
    is drawn on it. Without ``basemap_choice`` (the export page: files carry no tiles) the
    basemap is not offered and the view has none.
    """
    cities, districts = choose_places(all_figures, lang)
    years, metric, default_metric, kept = choose_figure(all_figures, cities, districts, lang)
    scheme, classes = choose_classes(lang)
    ledger_filters = choose_ledger_filters(loaded, lang)
    coverage_metric = choose_coverage(computed, lang)
    basemap, tile_key = choose_basemap(lang) if basemap_choice else (None, None)
    state.publish(
        URL_KEYS + list(LEDGER_FILTERS),
        defaults={
            "province": SEED,
            "city": [],
            "district": [],
            "years": (int(all_figures["period_start"].min()), int(all_figures["period_end"].max())),
            "kind": ALL_KINDS,
            "figure": default_metric,
            "scheme": next(iter(SCHEMES)),
            "classes": DEFAULT_CLASSES,
            "basemap": NO_BASEMAP,
            "coverage": "tactile_rate",
            **{key: [] for key in LEDGER_FILTERS},
        },
    )
    kind = st.session_state.get("kind", ALL_KINDS)
    view = View(
        cities=cities,
        districts=districts,
        years=years,
        figure=metric,
        ledger_years=ledger_filters.get("ledger_year", ()),
        batches=ledger_filters.get("batch", ()),
        statuses=ledger_filters.get("status", ()),
        tags=ledger_filters.get("tag", ()),
        basemap=basemap,
        coverage_metric=coverage_metric,
        lang=lang,
        kinds=() if kind == ALL_KINDS else (kind,),
        scheme=scheme,
        classes=classes,
    )
    return view, kept, tile_key
