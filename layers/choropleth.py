"""
Choropleth layers of reported figures.

Districts coloured by a figure, city outlines with their city-level figures, and the classes
(mapclassify's Fisher-Jenks, quantiles or equal intervals) the choropleths use.

Every value that reaches HTML (names, figures as written, sources) goes through
:func:`layers._html.esc`. Districts without a figure are drawn grey with a dashed edge and
labelled "no data" (无数据), never coloured as zero. :func:`layers.maps.figure_map` puts
these layers on a map.

Outlines are written compactly (:class:`layers._html.CompactGeoJson`): all of China's 370
coloured city outlines with their tooltips were 0.90 MB of folium's GeoJSON (of a map page of
0.98 MB), 0.19 MB so.
"""

from __future__ import annotations

import warnings

import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
from branca.utilities import color_brewer

from layers._html import NO_DATA_COLOUR, CompactGeoJson, esc, tipped_geojson
from layers.sources import line_text
from layers.wording import figure_text, label, period_text, place_text

__all__ = [
    "CLASS_COUNTS",
    "DEFAULT_CLASSES",
    "NO_DATA_COLOUR",
    "PALETTE",
    "SCHEMES",
    "cities_layer",
    "class_colours",
    "class_count",
    "class_ranges",
    "classify",
    "districts_layer",
]

#: Sequential palette (ColorBrewer YlOrRd, 5 classes), light to dark.
PALETTE = tuple(color_brewer("YlOrRd", 5))
#: Class schemes a planner can pick (mapclassify), the first the default: Fisher-Jenks is
#: deterministic and optimal for a few hundred values; quantiles put as many places in each
#: class; equal intervals cut the range in equal steps.
SCHEMES = {
    "fisher_jenks": mapclassify.FisherJenks,
    "quantiles": mapclassify.Quantiles,
    "equal_interval": mapclassify.EqualInterval,
}
#: Class counts offered; 5 by default. ColorBrewer's YlOrRd has a ramp for each.
CLASS_COUNTS = (3, 4, 5, 6, 7)
DEFAULT_CLASSES = 5


def class_count(n_distinct: int, k: int = DEFAULT_CLASSES) -> int:
    """
    How many classes ``n_distinct`` values get when ``k`` are asked for.

    Up to three values are a class each (a legend of the values themselves); from four on, at
    least two values per class on average, so four cities of data make two classes, not four
    classes of one.
    """
    if n_distinct <= 3:
        return n_distinct
    return max(2, min(k, n_distinct // 2))


def classify(
    values: pd.Series, *, scheme: str = "fisher_jenks", k: int = DEFAULT_CLASSES
) -> tuple[list[float], pd.Series]:
    """
    Classes of the non-missing values by ``scheme`` (a key of :data:`SCHEMES`), ``k`` asked.

    Returns the upper bounds of the classes and a colour per row; missing values get
    :data:`NO_DATA_COLOUR`. Fewer classes than ``k`` are made when the values are few
    (:func:`class_count`). Raises ValueError naming the schemes for an unknown one.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"Unknown class scheme {scheme!r}; choose one of {list(SCHEMES)}.")
    present = values.dropna().astype(float)
    colours = pd.Series(NO_DATA_COLOUR, index=values.index, dtype=object)
    if present.empty:
        return [], colours
    k = class_count(present.nunique(), k)
    if k == 1:
        bins = [float(present.max())]
        colours[present.index] = class_colours(1)[0]
        return bins, colours
    with warnings.catch_warnings():
        # Without numba mapclassify falls back to pure Python and says so; for at most a few
        # thousand districts that takes milliseconds, so numba is not worth installing.
        warnings.filterwarnings("ignore", "Numba not installed", UserWarning)
        # Quantiles of few, repeated values may make fewer classes than asked, and say so.
        warnings.filterwarnings("ignore", "Not enough unique values", UserWarning)
        classes = SCHEMES[scheme](present.to_numpy(), k=k)
    bins = [float(b) for b in classes.bins]
    palette = class_colours(len(bins))
    colours[present.index] = [palette[c] for c in classes.yb]
    return bins, colours


def class_ranges(values: pd.Series, bins: list[float]) -> list[tuple[float, float] | None]:
    """
    The lowest and highest value in each class (upper bounds ``bins``), or None if it is empty.

    Legends show these rather than the cut points, so a class says which values it holds.
    """
    present = values.dropna().astype(float).to_numpy()
    which = np.searchsorted(np.asarray(bins), present, side="left")
    out: list[tuple[float, float] | None] = []
    for i in range(len(bins)):
        members = present[which == i]
        out.append((float(members.min()), float(members.max())) if len(members) else None)
    return out


def class_colours(k: int) -> list[str]:
    """
    The colours of ``k`` classes, lightest first, as :func:`classify` assigns them.

    One class (every value equal) is a light colour: the darkest would read as "the most",
    and 0 % drawn darkest once did.
    """
    if k == 1:
        return [PALETTE[1]]
    if k == 2:
        return [PALETTE[0], PALETTE[-1]]  # two pale yellows would not read as two classes
    return list(color_brewer("YlOrRd", k))


def _district_tip(row: pd.Series, metric_name: str, lang: str) -> str:
    head = f"<b>{esc(row['district'])}</b> · {esc(row['city'])}<br>"
    if pd.isna(row.get("value")):
        return head + f"{esc(metric_name)}: <i>{esc(label('no_data', lang))}</i>"
    periods = ""
    if row.get("n_periods", 0) > 1:
        periods = f" ({int(row['n_periods'])} {esc(label('several_periods', lang))})"
    written, note, shown = row.get("as_written"), row.get("note"), _figure(row, lang)
    if written == shown:
        written = None  # the value is already the document's words
    return (
        head
        + f"{esc(metric_name)}: <b>{esc(shown)}</b><br>"
        + (f"{esc(note)}<br>" if isinstance(note, str) and note else "")
        + (
            f"{esc(label('as_written', lang))}: {esc(written)}<br>"
            if isinstance(written, str) and written
            else ""
        )
        + f"{esc(label('period', lang))}: {esc(period_text(row['period_label'], lang))}{periods} · "
        + f"{esc(label(str(row['status']), lang))}<br>"
        + f"{esc(label('source', lang))}: {esc(row['doc_number'] or '')} "
        + f"{esc(row['issuer'])} {esc(row['doc_date'])}"
        + (
            f"<br><small>{esc(line_text(row['seed_line'], lang))}</small>"
            if row["seed_file"]
            else ""
        )
    )


def _figure(row, lang: str) -> str:
    """A figure's value as the document wrote it, qualifier and unit word included."""
    word = row.get("unit_word")
    return figure_text(
        row["value"],
        row["unit"],
        lang,
        qualifier=row.get("qualifier"),
        as_written=row.get("as_written"),
        unit_word=word if isinstance(word, str) else None,
    )


def districts_layer(
    districts: gpd.GeoDataFrame,
    *,
    metric_name: str,
    lang: str = "zh",
    scheme: str = "fisher_jenks",
    k: int = DEFAULT_CLASSES,
) -> tuple[folium.FeatureGroup, list[float], list[str]]:
    """
    District polygons coloured by ``value``, with escaped tooltips naming each source.

    ``districts`` is the output of :func:`geo.selection.colour_values`; ``scheme`` and ``k``
    go to :func:`classify`. Returns the layer, the class upper bounds and the class colours
    (for :func:`layers._html.legend_html`).
    """
    bins, colours = classify(districts["value"], scheme=scheme, k=k)
    # Feature ids are the adcodes: folium keys its style lookup on the id, not on a property.
    shown = gpd.GeoDataFrame(
        {
            "tip": [_district_tip(row, metric_name, lang) for _, row in districts.iterrows()],
            "fill": colours.to_numpy(),
            "has_data": districts["value"].notna().to_numpy(),
        },
        geometry=districts.geometry.to_numpy(),
        crs=districts.crs,
        index=districts["adcode"].to_numpy() if "adcode" in districts else None,
    )
    group = folium.FeatureGroup(name=metric_name, show=True)
    if shown.empty:
        # A filter down to a zone (no outline) leaves nothing to draw; folium's tooltip
        # refuses an empty collection, so the group stays empty.
        return group, bins, []
    tipped_geojson(shown, _district_style, name=metric_name, kind=_Districts).add_to(group)
    return group, bins, class_colours(len(bins)) if bins else []


class _Districts(CompactGeoJson):
    """The districts, compact, keeping ``has_data``: it tells them from a city outline."""

    kept = ("has_data",)


def _district_style(feature: dict) -> dict:
    props = feature["properties"]
    if props["has_data"]:
        return {"fillColor": props["fill"], "color": "#555555", "weight": 1, "fillOpacity": 0.75}
    # No data: grey and dashed, so it cannot be read as the lowest class.
    return {
        "fillColor": NO_DATA_COLOUR,
        "color": "#757575",
        "weight": 1,
        "dashArray": "4 4",
        "fillOpacity": 0.45,
    }


def cities_layer(
    cities: gpd.GeoDataFrame, city_figures: pd.DataFrame, *, lang: str = "zh"
) -> folium.FeatureGroup:
    """
    City outlines, unfilled, with the city-level figures (e.g. Jiaozuo, Handan) in the tooltip.

    ``city_figures`` holds figures at ``level`` city or urban_area; a city without any shows
    its outline and name only.
    """
    tips = []
    for _, city in cities.iterrows():
        rows = city_figures[city_figures["city"] == city["city"]]
        lines = [f"<b>{esc(city['city'])}</b>"]
        for _, fig in rows.iterrows():
            name = fig["label_zh"] if lang == "zh" else fig["label_en"]
            place, period = place_text(fig["place"], lang), period_text(fig["period_label"], lang)
            lines.append(
                f"{esc(place)} · {esc(period)} · {esc(name)}: "
                f"{esc(_figure(fig, lang))} "
                f"<small>({esc(fig['doc_number'] or fig['title'])})</small>"
            )
        tips.append("<br>".join(lines))
    shown = gpd.GeoDataFrame(
        {"tip": tips}, geometry=cities.geometry.to_numpy(), crs=cities.crs, index=cities.index
    )
    group = folium.FeatureGroup(name=label("city_figures", lang), show=True)
    CompactGeoJson(
        shown,
        style_function=lambda _: {"fill": False, "color": "#08306b", "weight": 2.5},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True, direction="auto"),
    ).add_to(group)
    return group
