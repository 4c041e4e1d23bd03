"""
Map page: districts coloured by reported figures, city cards, provenance, and, when loaded on
their pages, the ledger's communities and the accessibility layers, under a layer control.

Every filter lives in the address bar (:mod:`app_pages.state`), so a copied link reopens the
same view; the view is also kept in the session for the export page. Uploaded files are not
part of a link: they stay in the browser session that read them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app_pages import state
from app_pages.common import (
    VIEW_KEY,
    current_infra,
    current_infra_metrics,
    current_lang,
    current_ledger,
    load_figures,
)
from geo import boundaries, figures, gazetteer, selection, values
from geo.errors import UnknownPlaceError
from layers.basemaps import BASEMAPS, display_datum, tianditu_key
from layers.coverage import metric_name as coverage_metric_name
from layers.labels import format_value, label
from layers.view import MAX_DISTRICTS_DRAWN, View, view_map

SEED = "seed"
ALL_CHINA = "china"
#: Widget keys kept in the address bar.
URL_KEYS = ["province", "city", "district", "years", "figure", "basemap", "coverage"]
LEDGER_URL_KEYS = ["ledger_year", "batch", "status", "tag"]


@st.cache_data
def load_notes() -> pd.DataFrame:
    return figures.load_notes()


@st.cache_data
def load_outlines(cities: tuple[str, ...], districts: tuple[str, ...]):
    return selection.select_outlines(
        selection.Selection(cities=cities, districts=districts), display=True
    )


@st.cache_data
def city_choices(province: str) -> list[str]:
    if province == SEED:
        return list(boundaries.SEED_CITIES)
    if province == ALL_CHINA:
        return gazetteer.list_cities()["city"].tolist()
    return gazetteer.list_cities(province)["city"].tolist()


def city_name(text: str) -> str:
    """新乡 → 新乡市, so a hand-typed link works; an unknown name stays as typed."""
    try:
        return gazetteer.resolve_city(text)["city"]
    except UnknownPlaceError:  # reported as a dropped value by state.seed
        return text


def suggestions(value: str, key: str, options: list[str]) -> list[str]:
    """Close matches for a dropped value: the gazetteer's for a city, else by spelling."""
    if key == "city":
        try:
            gazetteer.resolve_city(value)
        except UnknownPlaceError as exc:
            return [s for s in exc.suggestions if s in options][:3]
    return gazetteer.close_matches(value, options, limit=3)


def warn_dropped(key: str, dropped: list[str], lang: str, options: list[str] = ()) -> None:
    """Say which values of the address were not choices here, with close matches."""
    for value in dropped:
        matches = suggestions(value, key, list(options)) if options else []
        hint = label("did_you_mean", lang).format(names="、".join(matches)) if matches else ""
        st.sidebar.warning(label("url_dropped", lang).format(key=key, values=value) + hint)


lang = current_lang()
all_figures = load_figures()

# Where: a group of cities (the five seeds, a province, all of China), then cities, districts.
provinces = [SEED, ALL_CHINA, *gazetteer.list_cities()["province"].drop_duplicates().tolist()]
warn_dropped("province", state.seed("province", options=provinces, default=SEED), lang)
group_names = {SEED: label("seed_cities", lang), ALL_CHINA: label("all_china", lang)}
province = st.sidebar.selectbox(
    label("province", lang), provinces, format_func=lambda p: group_names.get(p, p), key="province"
)
city_options = city_choices(province)
dropped = state.seed("city", options=city_options, default=[], multi=True, cast=city_name)
warn_dropped("city", dropped, lang, city_options)
chosen_cities = st.sidebar.multiselect(
    label("cities_all", lang), city_options, key="city", placeholder=label("choose", lang)
)
view_cities = tuple(chosen_cities or city_options)
zone_names = all_figures.loc[
    all_figures["city"].isin(view_cities) & (all_figures["level"] == "zone"), "place"
].unique()
district_names = sorted(load_outlines(view_cities, ())["district"]) + sorted(zone_names)
dropped = state.seed("district", options=district_names, default=[], multi=True)
warn_dropped("district", dropped, lang, district_names)
chosen_districts = st.sidebar.multiselect(
    label("districts", lang), district_names, key="district", placeholder=label("choose", lang)
)

# When and what: the period of the reported figures, and the figure that colours the map.
first_year, last_year = int(all_figures["period_start"].min()), int(all_figures["period_end"].max())
warn_dropped("years", state.seed_range("years", (first_year, last_year)), lang)
years = st.sidebar.slider(label("years", lang), first_year, last_year, key="years")
chosen = selection.Selection(
    cities=view_cities, districts=tuple(chosen_districts), years=tuple(years)
)
kept = selection.filter_figures(all_figures, chosen)
named = all_figures.drop_duplicates("metric").set_index("metric")
metric_options = kept["metric"].drop_duplicates().tolist() or ["households"]
default_metric = "households" if "households" in metric_options else metric_options[0]
warn_dropped("figure", state.seed("figure", options=metric_options, default=default_metric), lang)
metric = st.sidebar.selectbox(
    label("figure", lang),
    metric_options,
    format_func=lambda m: named.loc[m, f"label_{lang}"] if m in named.index else m,
    key="figure",
)

# The ledger's communities (from the ledger page) and their own filters.
loaded = current_ledger()
ledger_filters: dict[str, tuple] = {}
if loaded is not None:
    st.sidebar.subheader(label("ledger_filters", lang))
    ledger_projects = loaded.ledger.projects
    choices = {
        "ledger_year": sorted(int(y) for y in ledger_projects["year"].dropna().unique()),
        "batch": sorted(str(b) for b in ledger_projects["batch"].dropna().unique()),
        "status": [s for s in values.STATUSES if s in set(ledger_projects["status"].dropna())],
        "tag": sorted({t for v in ledger_projects["content_tags"].dropna() for t in v.split("|")}),
    }
    names = {
        "ledger_year": "ledger_years",
        "batch": "batch",
        "status": "status",
        "tag": "content_col",
    }
    for key, options in choices.items():
        if not options:
            continue
        cast = int if key == "ledger_year" else str
        warn_dropped(key, state.seed(key, options=options, default=[], multi=True, cast=cast), lang)
        ledger_filters[key] = tuple(
            st.sidebar.multiselect(
                label(names[key], lang),
                options,
                format_func=(lambda s: label(s, lang)) if key == "status" else str,
                key=key,
                placeholder=label("choose", lang),
            )
        )

# Accessibility layers (from the accessibility page): which coverage figure to shade.
found = current_infra()
computed = current_infra_metrics()
coverage_keys = []
if computed is not None:
    coverage_keys = [k for k in computed[0].columns if f"{k}_status" in computed[0].columns]
if coverage_keys:
    state.seed("coverage", options=coverage_keys, default="tactile_rate")
    st.sidebar.selectbox(
        label("coverage_layer", lang),
        coverage_keys,
        format_func=lambda k: coverage_metric_name(k, lang),
        key="coverage",
    )

# Basemap: none by default (offline); Amap is GCJ-02, so layers are shifted to meet it.
state.seed("basemap", options=list(BASEMAPS), default=None)
basemap = st.sidebar.radio(
    label("basemap", lang),
    list(BASEMAPS),
    format_func=lambda b: label(f"basemap_{b or 'none'}", lang),
    key="basemap",
)
tile_key = None
if basemap == "tianditu":
    tile_key = tianditu_key(
        st.sidebar.text_input(label("tianditu_key", lang), type="password", key="tk")
    )
    if tile_key is None:
        st.sidebar.warning(label("tianditu_needs_key", lang))
        basemap = None
if display_datum(basemap) == "gcj02":
    st.sidebar.info(label("gcj02_display", lang))
state.publish(
    URL_KEYS + LEDGER_URL_KEYS,
    defaults={
        "province": SEED,
        "city": [],
        "district": [],
        "years": (first_year, last_year),
        "figure": default_metric,
        "basemap": None,
        "coverage": "tactile_rate",
        **{key: [] for key in LEDGER_URL_KEYS},
    },
)

view = View(
    cities=view_cities,
    districts=tuple(chosen_districts),
    years=tuple(years),
    figure=metric,
    ledger_years=ledger_filters.get("ledger_year", ()),
    batches=ledger_filters.get("batch", ()),
    statuses=ledger_filters.get("status", ()),
    tags=ledger_filters.get("tag", ()),
    basemap=basemap,
    coverage_metric=st.session_state.get("coverage") if coverage_keys else None,
    lang=lang,
)
st.session_state[VIEW_KEY] = view

st.title(label("title", lang))
st.caption(f"{label('subtitle', lang)}{'。' if lang == 'zh' else '. '}{label('datum_note', lang)}")

# One card per city: the district+zone sum, or the city-level figure; never a silent zero.
summary = selection.city_summary(kept, metric, list(view_cities))
if len(view_cities) <= 10:
    cards = st.columns(max(1, min(len(view_cities), 5)))
    for i, card in summary.iterrows():
        with cards[i % len(cards)]:
            if card["basis"] == "none":
                st.metric(card["city"], label("no_data", lang))
                continue
            place = label("city_total", lang) if card["basis"] == "parts" else card["place"]
            place = label("city_wide", lang) if place == card["city"] else place
            period = card["period_label"] or label("undated", lang)
            st.metric(f"{card['city']} · {place}", format_value(card["value"], card["unit"], lang))
            more = f" · +{card['others']} {label('more_figures', lang)}" if card["others"] else ""
            st.caption(f"{period} · {label(card['status'], lang)}{more}  \n{card['source']}")
else:
    with_data = int((summary["basis"] != "none").sum())
    st.caption(label("many_cities", lang).format(n=len(view_cities), with_data=with_data))

if kept.empty:
    st.warning(label("no_figures", lang))
near = computed[1] if computed is not None else None
projects = near if near is not None else (loaded.ledger.projects if loaded else None)
fmap = view_map(
    view,
    all_figures,
    projects=projects,
    infra=found.infra.features if found is not None else None,
    coverage=computed[0] if computed is not None else None,
    tile_key=tile_key,
)
st_folium(fmap, height=560, use_container_width=True, returned_objects=[], key="map")
if len(load_outlines(view_cities, ())) > MAX_DISTRICTS_DRAWN:
    st.caption(label("drawn_by_city", lang).format(limit=MAX_DISTRICTS_DRAWN))
if loaded is not None:
    shown = selection.filter_projects(
        loaded.ledger.projects,
        cities=view.cities,
        districts=view.districts,
        years=view.ledger_years,
        batches=view.batches,
        statuses=view.statuses,
        tags=view.tags,
    )
    drawn = int((shown["located"] == "point").sum())
    st.caption(
        label("ledger_caption", lang).format(
            name=loaded.name,
            drawn=drawn,
            by_name=len(shown) - drawn,
            quarantined=len(loaded.ledger.quarantine),
        )
    )
    if loaded.synthetic:
        st.warning(label("synthetic_warning", lang))
if found is not None and found.synthetic:
    st.warning(label("synthetic_survey_warning", lang))

coloured_periods = kept[(kept["metric"] == metric) & (kept["level"] == "district")]
shown_periods = coloured_periods[["period_label", "status"]].drop_duplicates()
if len(shown_periods) > 1:
    listed = "；".join(
        f"{p or label('undated', lang)} {label(s, lang)}"
        for p, s in shown_periods.itertuples(index=False)
    )
    st.caption(f"⚠ {label('mixed_periods', lang)}: {listed}")

city_level = kept[kept["level"].isin(["city", "urban_area"])]
if not city_level.empty:
    with st.expander(f"{label('city_figures', lang)} ({len(city_level)})"):
        st.dataframe(
            city_level[
                [
                    "city",
                    "place",
                    "period_label",
                    "status",
                    f"label_{lang}",
                    "value",
                    "unit",
                    "as_written",
                    "doc_number",
                    "seed_file",
                    "seed_line",
                ]
            ],
            hide_index=True,
            width="stretch",
        )
zones = kept[kept["level"] == "zone"]
if not zones.empty:
    st.subheader(label("zones", lang))
    st.dataframe(
        zones[
            [
                "city",
                "place",
                "adcode",
                "period_label",
                f"label_{lang}",
                "value",
                "as_written",
                "doc_number",
            ]
        ],
        hide_index=True,
    )
notes = load_notes()
notes = notes[notes["city"].isin(view_cities)]
if not notes.empty:
    st.subheader(label("notes", lang))
    for _, note in notes.iterrows():
        st.markdown(
            f"- **{note['district']} · {note['community']}**: "
            f"{note['summary_zh' if lang == 'zh' else 'summary_en']} "
            f"({note['content_tags']})"
        )

st.subheader(label("table", lang))
table_cols = [
    "city",
    "place",
    "level",
    "period_label",
    "status",
    f"label_{lang}",
    "value",
    "unit",
    "qualifier",
    "as_written",
    "doc_number",
    "issuer",
    "doc_date",
    "seed_file",
    "seed_line",
]
st.dataframe(kept[table_cols], hide_index=True, width="stretch")
st.page_link("app_pages/export.py", label=label("to_export", lang), icon="⬇️")
