"""
Compare page: two or more districts, zones or cities side by side, ranked, beside their city's
average, with a time view by year or period.

Values come from the documents (every city), the session's ledger and its accessibility
metrics, when loaded; each keeps its source on screen. Only complete values are ranked or drawn
as bars; the rest say why they are missing (:mod:`geo.compare`). Cities, period, places and
metrics live in the address (``?city=…&years=2019,2024&place=410703,410702&metric=households``).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import state
from app_pages.common import (
    current_lang,
    current_ledger,
    load_city_names,
    load_display_outlines,
    load_figures,
    session_infra_metrics,
)
from geo import boundaries, compare, gazetteer, metrics
from geo import figures as figures_io
from geo.errors import BoundaryCacheError
from layers.charts import compare_chart, period_chart, place_labels, reason_text, value_text
from layers.coverage import metric_name
from layers.labels import label
from layers.tables import csv_bytes

DEFAULT_METRIC = "households"
SEEDS = list(boundaries.SEED_CITIES)
KEYS = ["city", "years", "place", "metric"]


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
    index = boundaries.read_admin_index().drop_duplicates("adcode").set_index("adcode")
    zones = gazetteer.list_zones().drop_duplicates("code").set_index("code")["city"]
    found = []
    for code in codes:
        if code in index.index:
            found.append(index.at[code, "city"])
        elif code in zones.index:
            found.append(zones.at[code])
    return found


def metric_title(key: str, names: dict[str, str], lang: str) -> str:
    """The display name of a compare metric: a reported figure, a ledger sum or a coverage."""
    if key in compare.LEDGER_METRICS:
        return label(f"metric_{key}", lang)
    if key.startswith(compare.INFRA_PREFIX):
        inner = metric_name(key.removeprefix(compare.INFRA_PREFIX), lang)
        return label("metric_infra", lang).format(name=inner)
    return names.get(key, key)


def year_bounds(figures: pd.DataFrame, ledger) -> list[int]:
    """First and last year of the figures' periods and the ledger's years."""
    first, last = int(figures["period_start"].min()), int(figures["period_end"].max())
    if ledger is not None and ledger.ledger.projects["year"].notna().any():
        years = ledger.ledger.projects["year"].dropna()
        first, last = min(first, int(years.min())), max(last, int(years.max()))
    return [first, last]


def metric_options(figures, cities, ledger, infra_table) -> list[str]:
    """Reported figures of the chosen cities, then ledger sums and accessibility metrics."""
    present = set(figures.loc[figures["city"].isin(cities), "metric"])
    options = [m for m in load_metric_order() if m in present]
    if ledger is not None:
        options += list(compare.LEDGER_METRICS)
    if infra_table is not None:
        options += [
            compare.INFRA_PREFIX + m for m in metrics.metric_columns(()) if m in infra_table
        ]
        options += [
            compare.INFRA_PREFIX + c
            for c in infra_table.columns
            if c.startswith("households_within_") and not c.endswith("_status")
        ]
    return options


def gather_values(figures, places, chosen_metrics, years, ledger, infra) -> pd.DataFrame:
    """Long table of values of every place of the chosen places' cities, all sources."""
    reported = [
        m
        for m in chosen_metrics
        if m not in compare.LEDGER_METRICS and not m.startswith(compare.INFRA_PREFIX)
    ]
    parts = [compare.reported_values(figures, places, reported, years=years)]
    mine = [m for m in chosen_metrics if m in compare.LEDGER_METRICS]
    if ledger is not None and mine:
        parts.append(
            compare.ledger_values(
                ledger.ledger.projects, places, mine, source=ledger.name, years=years
            )
        )
    mine = [m for m in chosen_metrics if m.startswith(compare.INFRA_PREFIX)]
    if infra is not None and mine:
        loaded, table = infra
        parts.append(compare.infra_values(table, places, mine, source=loaded.name))
    return pd.concat([p for p in parts if len(p)], ignore_index=True)


def source_texts(rows: pd.DataFrame, lang: str) -> pd.Series:
    """The source of each value on screen: document and seed line, ledger file and rows."""
    out = []
    for row in rows.itertuples(index=False):
        if row.source_kind == "ledger":
            out.append(label("source_ledger", lang).format(name=row.source, rows=row.source_rows))
        elif row.source_kind == "infra":
            out.append(label("source_infra", lang).format(name=row.source))
        else:
            out.append("" if pd.isna(row.source) else str(row.source))
    return pd.Series(out, index=rows.index, dtype="string")


def status_texts(rows: pd.DataFrame, lang: str) -> list[str]:
    return [label("status_ok", lang) if s == "ok" else reason_text(s, lang) for s in rows["status"]]


def side_by_side(table: pd.DataFrame, titles: dict[str, str], lang: str) -> pd.DataFrame:
    """Places as rows, metrics as columns (value and rank), then one row per city average."""
    cells = table.assign(
        cell=[
            value_text(r, lang)
            + (
                ""
                if pd.isna(r["rank"])
                else f" · {label('rank_of', lang).format(rank=r['rank'], n=r['n_ranked'])}"
            )
            for _, r in table.iterrows()
        ]
    )
    wide = cells.pivot_table(
        index="label", columns="metric", values="cell", aggfunc="first", sort=False
    )
    wide = wide.reindex(index=list(dict.fromkeys(cells["label"])), columns=list(titles))
    # One row per city: each cell its average with how many districts it used (11/13).
    averages: dict[str, dict[str, str]] = {}
    districts = cells[cells["tier"] == "district"]
    for (city, metric), rows in districts.groupby(["city", "metric"], sort=False):
        first = rows.iloc[0]
        name = label("city_average_row", lang).format(city=city)
        averages.setdefault(name, {})[metric] = mean_text(first, lang) or label(
            "no_city_average", lang
        ).format(city=city)
    wide = pd.concat([wide, pd.DataFrame.from_dict(averages, orient="index")])
    wide = wide.rename(columns=titles).rename_axis(label("compare_place", lang)).reset_index()
    return wide.fillna("")


def long_table(table: pd.DataFrame, titles: dict[str, str], lang: str) -> pd.DataFrame:
    """
    Every value with rank, city average, period, status and source, in the UI language.

    Rank and average are text here, so a place without one shows an empty cell, not "None";
    the CSV download has the plain numbers.
    """
    return pd.DataFrame(
        {
            label("compare_metric", lang): table["metric"].map(titles),
            label("compare_place", lang): table["label"],
            label("compare_city", lang): table["city"],
            label("compare_value", lang): [value_text(r, lang) for _, r in table.iterrows()],
            label("compare_rank", lang): [
                ""
                if pd.isna(r["rank"])
                else label("rank_of", lang).format(rank=r["rank"], n=r["n_ranked"])
                for _, r in table.iterrows()
            ],
            label("city_average", lang): [mean_text(r, lang) for _, r in table.iterrows()],
            label("period", lang): table["period_label"].fillna(""),
            label("compare_figure_status", lang): [
                label(s, lang) if isinstance(s, str) else "" for s in table["figure_status"]
            ],
            label("compare_data_status", lang): status_texts(table, lang),
            label("source", lang): table["source_text"],
        }
    )


def mean_text(row, lang: str) -> str:
    """A city average with how many districts it used: ``2,013.55 户（11/13）``."""
    if pd.isna(row["city_mean"]):
        return ""
    value = value_text({"value": row["city_mean"], "unit": row["unit"], "status": "ok"}, lang)
    used = f"{row['city_mean_n']}/{row['city_places_n']}"
    return f"{value}（{used}）" if lang == "zh" else f"{value} ({used})"


def csv_table(table: pd.DataFrame, titles: dict[str, str]) -> pd.DataFrame:
    """The comparison with plain numbers and codes, for the CSV download."""
    columns = [
        "metric",
        "adcode",
        "place",
        "city",
        "value",
        "unit",
        "status",
        "rank",
        "n_ranked",
        "city_mean",
        "city_mean_n",
        "city_places_n",
        "period_label",
        "figure_status",
        "qualifier",
        "as_written",
        "source_kind",
        "source_text",
    ]
    return table[columns].assign(metric_name=table["metric"].map(titles))


def mixed_periods(table: pd.DataFrame, titles: dict[str, str], lang: str) -> None:
    """One warning naming each metric whose ranked documents' values mix periods or kinds."""
    ranked = table[(table["source_kind"] == "reported") & table["rank"].notna()]
    mixed = []
    for metric, rows in ranked.groupby("metric", sort=False):
        kinds = rows[["period_label", "figure_status"]].fillna("").drop_duplicates()
        if len(kinds) > 1:
            listed = "；".join(
                f"{p or label('undated', lang)} {label(k, lang) if k else ''}".strip()
                for p, k in kinds.itertuples(index=False)
            )
            mixed.append(
                f"{titles[metric]}（{listed}）" if lang == "zh" else f"{titles[metric]} ({listed})"
            )
    if mixed:
        st.warning(label("compare_mixed_periods", lang).format(metrics="、".join(mixed)))


def fit_rows(rows: int, most: int = 30) -> int:
    """A table height (px) that shows ``rows`` rows without scrolling, up to ``most``."""
    return 35 * (min(rows, most) + 1) + 3


def charts(table: pd.DataFrame, titles: dict[str, str], lang: str) -> None:
    st.subheader(label("compare_side_by_side", lang))
    st.caption(label("compare_chart_help", lang))
    for metric, title in titles.items():
        rows = table[table["metric"] == metric]
        st.markdown(f"**{title}**")
        st.altair_chart(compare_chart(rows, metric_name=title, lang=lang), width="stretch")


def time_view(figures, places, chosen_metrics, titles, ledger, years, lang) -> None:
    """Values by year or period of the chosen places, where the data have years."""
    st.subheader(label("compare_time", lang))
    st.caption(label("compare_time_help", lang))
    rows = compare.by_period(
        figures,
        places,
        chosen_metrics,
        projects=None if ledger is None else ledger.ledger.projects,
        ledger_source=None if ledger is None else ledger.name,
        years=years,
    )
    if rows.empty:
        st.info(label("compare_time_none", lang))
        return
    labels = dict(zip(places["adcode"], place_labels(places, lang), strict=True))
    rows = rows.assign(label=rows["adcode"].map(labels), source=source_texts(rows, lang))
    for metric, of_metric in rows.groupby("metric", sort=False):
        if (of_metric["status"] == "ok").any():
            st.markdown(f"**{titles[metric]}**")
            chart = period_chart(of_metric, places=list(labels.values()), lang=lang)
            st.altair_chart(chart, width="stretch")
    with st.expander(label("compare_time_rows", lang)):
        shown = pd.DataFrame(
            {
                label("compare_metric", lang): rows["metric"].map(titles),
                label("compare_place", lang): rows["label"],
                label("period", lang): rows["period_label"].fillna(""),
                label("compare_batch", lang): rows["batch"].fillna(""),
                label("compare_value", lang): [value_text(r, lang) for _, r in rows.iterrows()],
                label("compare_data_status", lang): status_texts(rows, lang),
                label("source", lang): rows["source"],
            }
        )
        st.dataframe(shown, hide_index=True, width="stretch")


lang = current_lang()
figures = load_figures()
ledger = current_ledger()
try:
    infra = session_infra_metrics()
except BoundaryCacheError as exc:
    st.error(str(exc))
    infra = None

st.title(label("compare_title", lang))
st.caption(label("compare_help", lang))

# Cities and period in the sidebar; places and metrics above the results. All from the address.
# As on the map, no city chosen means the five seed cities; a link naming a place elsewhere
# (?place=320106) opens its city as well.
city_names = load_city_names()
extra = [c for c in place_cities(tuple(state.url_list("place"))) if c not in SEEDS]
default_cities = list(dict.fromkeys([*SEEDS, *extra])) if extra else []
dropped = state.seed("city", options=city_names, default=default_cities, multi=True)
cities = (
    st.sidebar.multiselect(
        label("cities_or_seeds", lang),
        city_names,
        key="city",
        placeholder=label("pick_placeholder", lang),
    )
    or SEEDS
)
bounds = year_bounds(figures, ledger)
dropped += state.seed_range("years", bounds)
years = tuple(st.sidebar.slider(label("years", lang), bounds[0], bounds[1], key="years"))

places = load_places(tuple(cities))
if ledger is not None:
    places = compare.list_places(
        load_display_outlines().reset_index(), figures, cities, projects=ledger.ledger.projects
    )
place_names = dict(zip(places["adcode"], place_labels(places, lang), strict=True))
first_city = places[(places["tier"] == "district") & (places["city"] == (cities or [""])[0])]
dropped += state.seed(
    "place", options=list(place_names), default=first_city["adcode"].tolist(), multi=True
)
chosen = st.multiselect(
    label("compare_places", lang),
    list(place_names),
    format_func=place_names.get,
    key="place",
    placeholder=label("pick_placeholder", lang),
)
names = dict(zip(figures["metric"], figures[f"label_{lang}"], strict=False))
options = metric_options(figures, cities, ledger, None if infra is None else infra[1])
titles_all = {m: metric_title(m, names, lang) for m in options}
default_metrics = [DEFAULT_METRIC] + (["ledger_households"] if ledger is not None else [])
# Another page may keep a single value under "metric"; this page's is a list.
if not isinstance(st.session_state.get("metric", []), list):
    del st.session_state["metric"]
dropped += state.seed(
    "metric", options=options, default=[m for m in default_metrics if m in options], multi=True
)
chosen_metrics = st.multiselect(
    label("compare_metrics", lang),
    options,
    format_func=titles_all.get,
    key="metric",
    placeholder=label("pick_placeholder", lang),
)
state.publish(
    KEYS,
    defaults={
        "city": [],
        "years": bounds,
        "place": first_city["adcode"].tolist(),
        "metric": [m for m in default_metrics if m in options],
    },
)
if dropped:
    st.warning(label("compare_dropped", lang).format(values="、".join(dropped)))
if len(chosen) < 2:
    st.info(label("compare_pick_two", lang))
    st.stop()
if not chosen_metrics:
    st.info(label("compare_pick_metric", lang))
    st.stop()

titles = {m: titles_all[m] for m in chosen_metrics}
scope = places[places["city"].isin(places.set_index("adcode").loc[chosen, "city"])]
table = compare.compare_table(
    gather_values(figures, scope, chosen_metrics, years, ledger, infra), chosen
)
chosen_places = places.set_index("adcode").loc[chosen].reset_index()
labels = dict(zip(chosen_places["adcode"], place_labels(chosen_places, lang), strict=True))
table = table.assign(label=table["adcode"].map(labels), source_text=source_texts(table, lang))
table["source"] = table["source_text"]

mixed_periods(table, titles, lang)
wide = side_by_side(table, titles, lang)
st.dataframe(wide, hide_index=True, width="stretch", height=fit_rows(len(wide)))
if infra is not None and any(m.startswith(compare.INFRA_PREFIX) for m in chosen_metrics):
    st.caption(label("compare_infra_note", lang).format(name=infra[0].name))
charts(table, titles, lang)
st.subheader(label("compare_values", lang))
values = long_table(table, titles, lang)
st.dataframe(values, hide_index=True, width="stretch")
st.download_button(
    label("compare_download", lang), csv_bytes(csv_table(table, titles)), "compare.csv", "text/csv"
)
time_view(figures, chosen_places, chosen_metrics, titles, ledger, years, lang)
