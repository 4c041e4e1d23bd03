"""
Map page: districts coloured by reported figures, city cards, provenance, and the ledger's
communities when one is loaded on the ledger page.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app_pages.common import current_lang, current_ledger, load_figures
from geo import boundaries, figures, gazetteer, selection, values
from geo.errors import UnknownPlaceError
from layers.choropleth import figure_map
from layers.export import geojson_bytes
from layers.labels import format_value, label

SEED = "__seed__"


@st.cache_data
def load_notes() -> pd.DataFrame:
    return figures.load_notes()


@st.cache_data
def load_outlines(cities: tuple[str, ...], districts: tuple[str, ...]):
    return selection.select_outlines(
        selection.Selection(cities=cities, districts=districts), display=True
    )


@st.cache_data
def load_city_outlines(cities: tuple[str, ...]):
    outlines = boundaries.load_boundaries("city", display=True)
    return outlines[outlines["city"].isin(cities)].reset_index(drop=True)


@st.cache_data
def city_choices(province: str) -> list[str]:
    if province == SEED:
        return list(boundaries.SEED_CITIES)
    return gazetteer.list_cities(province)["city"].tolist()


def cities_from_url(lang: str) -> tuple[str, ...] | None:
    """Cities named in the address (?city=新乡,焦作); an unknown name is reported, not fatal."""
    raw = st.query_params.get("city")
    if not raw:
        return None
    try:
        return tuple(gazetteer.resolve_city(n.strip())["city"] for n in raw.split(",") if n)
    except UnknownPlaceError as exc:
        st.error(str(exc) if lang == "en" else f"未知城市：{exc}")
        return None


lang = current_lang()
provinces = [SEED, *gazetteer.list_cities()["province"].drop_duplicates().tolist()]
province = st.sidebar.selectbox(
    label("province", lang),
    provinces,
    format_func=lambda p: label("seed_cities", lang) if p == SEED else p,
)
city_options = city_choices(province)
from_url = cities_from_url(lang)
chosen_cities = st.sidebar.multiselect(
    label("cities", lang),
    sorted(set(city_options) | set(from_url or ())),
    default=list(from_url) if from_url else city_options[: len(boundaries.SEED_CITIES)],
)
all_figures = load_figures()
district_names = sorted(load_outlines(tuple(chosen_cities), ())["district"]) + sorted(
    all_figures.loc[
        all_figures["city"].isin(chosen_cities) & (all_figures["level"] == "zone"), "place"
    ].unique()
)
chosen_districts = st.sidebar.multiselect(label("districts", lang), district_names)
first_year, last_year = int(all_figures["period_start"].min()), int(all_figures["period_end"].max())
years = st.sidebar.slider(label("years", lang), first_year, last_year, (first_year, last_year))
basemap = st.sidebar.radio(
    label("basemap", lang),
    [None, "osm"],
    format_func=lambda b: label("basemap_none", lang) if b is None else "OpenStreetMap",
)
loaded = current_ledger()
projects = None
if loaded is not None:
    st.sidebar.subheader(label("ledger_filters", lang))
    ledger_projects = loaded.ledger.projects
    project_years = sorted(int(y) for y in ledger_projects["year"].dropna().unique())
    pick_years = st.sidebar.multiselect(label("ledger_years", lang), project_years)
    pick_status = st.sidebar.multiselect(
        label("status", lang),
        [s for s in values.STATUSES if s in set(ledger_projects["status"].dropna())],
        format_func=lambda s: label(s, lang),
    )
    all_tags = sorted({t for v in ledger_projects["content_tags"].dropna() for t in v.split("|")})
    pick_tags = st.sidebar.multiselect(label("content_col", lang), all_tags)

st.title(label("title", lang))
st.caption(f"{label('subtitle', lang)}{'。' if lang == 'zh' else '. '}{label('datum_note', lang)}")
if not chosen_cities:
    st.info(label("pick_city", lang))
    st.stop()

chosen = selection.Selection(
    cities=tuple(chosen_cities), districts=tuple(chosen_districts), years=tuple(years)
)
kept = selection.filter_figures(all_figures, chosen)
metrics = kept.drop_duplicates("metric").set_index("metric")
metric_options = metrics.index.tolist() or ["households"]
metric = st.sidebar.selectbox(
    label("figure", lang),
    metric_options,
    index=metric_options.index("households") if "households" in metric_options else 0,
    format_func=lambda m: metrics.loc[m, f"label_{lang}"] if m in metrics.index else m,
)
metric_rows = all_figures[all_figures["metric"] == metric].iloc[:1]
metric_name = metric_rows[f"label_{lang}"].iloc[0] if len(metric_rows) else metric
unit = metric_rows["unit"].iloc[0] if len(metric_rows) else "count"

districts = load_outlines(tuple(chosen_cities), tuple(chosen_districts))
if loaded is not None:
    projects = selection.filter_projects(
        loaded.ledger.projects,
        cities=tuple(chosen_cities),
        districts=tuple(chosen_districts),
        years=tuple(pick_years),
        statuses=tuple(pick_status),
        tags=tuple(pick_tags),
    )
coloured = selection.colour_values(districts, kept, metric)
city_level = kept[kept["level"].isin(["city", "urban_area"])]
zones = kept[kept["level"] == "zone"]

# One card per city: the district+zone sum, or the city-level figure; never a silent zero.
summary = selection.city_summary(kept, metric, chosen_cities)
cards = st.columns(max(1, min(len(chosen_cities), 5)))
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

if kept.empty:
    st.warning(label("no_figures", lang))
fmap = figure_map(
    coloured,
    metric_name=metric_name,
    unit=unit,
    cities=load_city_outlines(tuple(chosen_cities)),
    city_figures=city_level,
    basemap=basemap,
    projects=projects,
    lang=lang,
)
st_folium(fmap, height=560, use_container_width=True, returned_objects=[], key="map")
if projects is not None:
    drawn = int((projects["located"] == "point").sum())
    st.caption(
        label("ledger_caption", lang).format(
            name=loaded.name,
            drawn=drawn,
            by_name=len(projects) - drawn,
            quarantined=len(loaded.ledger.quarantine),
        )
    )
    if loaded.synthetic:
        st.warning(label("synthetic_warning", lang))
shown_periods = coloured.dropna(subset=["value"])[["period_label", "status"]].drop_duplicates()
if len(shown_periods) > 1:
    listed = "；".join(
        f"{p or label('undated', lang)} {label(s, lang)}"
        for p, s in shown_periods.itertuples(index=False)
    )
    st.caption(f"⚠ {label('mixed_periods', lang)}: {listed}")

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
notes = notes[notes["city"].isin(chosen_cities)]
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
export = selection.export_frame(districts, kept)
st.download_button(
    label("download", lang),
    geojson_bytes(export),
    file_name="renovation-atlas.geojson",
    mime="application/geo+json",
)
