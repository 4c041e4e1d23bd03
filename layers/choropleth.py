"""
Folium choropleth of reported figures by district, with city-level figures on city outlines.

Every value that reaches HTML (names, figures as written, sources) is escaped here: folium's
GeoJsonTooltip and Popup insert property values as raw HTML. Districts without a figure are
drawn grey with a dashed edge and labelled "no data" (无数据), never coloured as zero. No
branca colormap is added, because it makes streamlit-folium fetch d3 from the web; the legend
is plain HTML in a Leaflet control, so the vector layers render with no network at all.
"""

from __future__ import annotations

import html
import warnings

import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from layers.assets import use_local_leaflet
from layers.basemaps import add_basemap, for_display
from layers.labels import format_value, label
from layers.projects import projects_layer

__all__ = [
    "NO_DATA_COLOUR",
    "PALETTE",
    "cities_layer",
    "class_colours",
    "classify",
    "districts_layer",
    "figure_map",
    "legend_html",
]

#: Sequential palette (ColorBrewer YlOrRd, 5 classes), light to dark.
PALETTE = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
NO_DATA_COLOUR = "#bdbdbd"
_MAX_CLASSES = len(PALETTE)


def classify(values: pd.Series) -> tuple[list[float], pd.Series]:
    """
    Fisher-Jenks classes (deterministic, optimal) for the non-missing values.

    Returns the upper bounds of the classes and a colour per row; missing values get
    :data:`NO_DATA_COLOUR`. With fewer distinct values than classes, each value is a class.
    """
    present = values.dropna().astype(float)
    colours = pd.Series(NO_DATA_COLOUR, index=values.index, dtype=object)
    if present.empty:
        return [], colours
    k = min(_MAX_CLASSES, present.nunique())
    if k == 1:
        bins = [float(present.iloc[0])]
        colours[present.index] = class_colours(1)[0]
        return bins, colours
    with warnings.catch_warnings():
        # Without numba mapclassify falls back to pure Python and says so; for at most a few
        # thousand districts that takes milliseconds, so numba is not worth installing.
        warnings.filterwarnings("ignore", "Numba not installed", UserWarning)
        scheme = mapclassify.FisherJenks(present.to_numpy(), k=k)
    palette = class_colours(k)
    colours[present.index] = [palette[c] for c in scheme.yb]
    return [float(b) for b in scheme.bins], colours


def class_colours(k: int) -> list[str]:
    """The colours of ``k`` classes, lightest first, as :func:`classify` assigns them."""
    if k == 1:
        return [PALETTE[-1]]
    # Spread the classes over the whole palette so two classes are not two pale yellows.
    picks = np.linspace(0, len(PALETTE) - 1, k).round().astype(int)
    return [PALETTE[i] for i in picks]


# Braces as HTML entities: branca renders each script it builds once more as a Jinja
# template, so a value holding "{{ ... }}" would run as template code on the server.
_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})


def _esc(value) -> str:
    """``value`` as inert HTML text: ``html.escape``, braces as entities, missing as ""."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return html.escape(str(value)).translate(_BRACES)


def _district_tip(row: pd.Series, metric_name: str, lang: str) -> str:
    head = f"<b>{_esc(row['district'])}</b> · {_esc(row['city'])}<br>"
    if pd.isna(row.get("value")):
        return head + f"{_esc(metric_name)}: <i>{_esc(label('no_data', lang))}</i>"
    qualifier = label("at_least", lang) if row.get("qualifier") == "at_least" else ""
    periods = ""
    if row.get("n_periods", 0) > 1:
        periods = f" ({int(row['n_periods'])} {_esc(label('several_periods', lang))})"
    return (
        head
        + f"{_esc(metric_name)}: <b>{_esc(format_value(row['value'], row['unit'], lang))}</b>"
        + f"{_esc(qualifier)}<br>"
        + f"{_esc(label('as_written', lang))}: {_esc(row['as_written'])}<br>"
        + f"{_esc(label('period', lang))}: {_esc(row['period_label'])}{periods} · "
        + f"{_esc(label(str(row['status']), lang))}<br>"
        + f"{_esc(label('source', lang))}: {_esc(row['doc_number'] or '')} "
        + f"{_esc(row['issuer'])} {_esc(row['doc_date'])}"
        + (
            f"<br><small>{_esc(row['seed_file'])}:{_esc(row['seed_line'])}</small>"
            if row["seed_file"]
            else ""
        )
    )


def districts_layer(
    districts: gpd.GeoDataFrame, *, metric_name: str, lang: str = "zh"
) -> tuple[folium.FeatureGroup, list[float], list[str]]:
    """
    District polygons coloured by ``value``, with escaped tooltips naming each source.

    ``districts`` is the output of :func:`geo.selection.colour_values`. Returns the layer,
    the class upper bounds and the class colours (for :func:`legend_html`).
    """
    bins, colours = classify(districts["value"])
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
    tipped_geojson(shown, _district_style, name=metric_name).add_to(group)
    return group, bins, class_colours(len(bins)) if bins else []


def tipped_geojson(shown: gpd.GeoDataFrame, style, *, name: str | None = None) -> folium.GeoJson:
    """Polygons styled by ``style`` with their (already escaped) ``tip`` as a sticky tooltip."""
    return folium.GeoJson(
        shown.to_json(),
        name=name,
        style_function=style,
        highlight_function=lambda _: {"weight": 3, "color": "#08306b"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
    )


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
        lines = [f"<b>{_esc(city['city'])}</b>"]
        for _, fig in rows.iterrows():
            name = fig["label_zh"] if lang == "zh" else fig["label_en"]
            lines.append(
                f"{_esc(fig['place'])} · {_esc(fig['period_label'])} · {_esc(name)}: "
                f"{_esc(format_value(fig['value'], fig['unit'], lang))} "
                f"<small>({_esc(fig['doc_number'] or fig['title'])})</small>"
            )
        tips.append("<br>".join(lines))
    shown = gpd.GeoDataFrame(
        {"tip": tips}, geometry=cities.geometry.to_numpy(), crs=cities.crs, index=cities.index
    )
    group = folium.FeatureGroup(name=label("city_figures", lang), show=True)
    folium.GeoJson(
        shown.to_json(),
        style_function=lambda _: {"fill": False, "color": "#08306b", "weight": 2.5},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
    ).add_to(group)
    return group


def legend_html(
    title: str,
    bins: list[float],
    colours: list[str],
    *,
    unit: str,
    lowest: float | None = None,
    lang: str = "zh",
    missing: tuple[str, str] | None = None,
) -> str:
    """
    A small legend: one swatch per class (``lowest`` – upper bound) and one for "no data".

    ``missing`` replaces the grey "no data" swatch with a (CSS background, text) pair.
    """
    rows = []
    lower = lowest
    for upper, colour in zip(bins, colours, strict=True):
        text = format_value(upper, unit, lang)
        if lower is not None and lower != upper:
            text = f"{format_value(lower, unit, lang)} – {text}"
        rows.append(_swatch(colour, text, dashed=False))
        lower = upper
    background, text = missing or (NO_DATA_COLOUR, label("no_data", lang))
    rows.append(_swatch(background, text, dashed=True))
    return (
        '<div style="'
        "background:rgba(255,255,255,.92);padding:6px 10px;border-radius:4px;font:12px sans-serif;"
        f'box-shadow:0 1px 4px rgba(0,0,0,.3)"><b>{_esc(title)}</b><br>{"<br>".join(rows)}</div>'
    )


class _Legend(MacroElement):
    """A Leaflet control holding the legend HTML, so it lives in the map script itself."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "atlas-legend");
                div.innerHTML = {{ this.html|tojson }};
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}"""
    )

    def __init__(self, html_text: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = html_text


def _swatch(colour: str, text: str, *, dashed: bool) -> str:
    border = "1px dashed #757575" if dashed else "1px solid #555"
    return (
        f'<span style="display:inline-block;width:14px;height:10px;background:{colour};'
        f'border:{border};margin-right:6px"></span>{_esc(text)}'
    )


def figure_map(
    districts: gpd.GeoDataFrame,
    *,
    metric_name: str,
    unit: str,
    cities: gpd.GeoDataFrame | None = None,
    city_figures: pd.DataFrame | None = None,
    basemap: str | None = None,
    tile_key: str | None = None,
    projects: gpd.GeoDataFrame | None = None,
    infra: gpd.GeoDataFrame | None = None,
    coverage: gpd.GeoDataFrame | None = None,
    coverage_metric: str | None = None,
    lang: str = "zh",
) -> folium.Map:
    """
    The district map: choropleth, city outlines with city-level figures, legend, layer control.

    ``projects`` (a ledger's clean rows) adds a clustered layer of the communities that have
    a point (:func:`layers.projects.projects_layer`). ``infra`` (accessibility features)
    adds one toggle per feature type, and ``coverage`` (:func:`geo.metrics.district_metrics`
    rows on display outlines) adds ``coverage_metric`` as a second choropleth, hidden until
    ticked in the layer control. ``basemap`` is a key of :data:`layers.basemaps.BASEMAPS`
    (``None``: no tiles, works offline; ``tile_key`` is Tianditu's key); over a GCJ-02
    basemap every layer is shifted for display (:func:`layers.basemaps.for_display`).
    Leaflet is loaded from the app's own server (:mod:`layers.assets`), never from a CDN.
    """
    from layers.coverage import coverage_layer, infra_layers  # coverage imports this module

    districts, cities = for_display(districts, basemap), for_display(cities, basemap)
    projects, infra = for_display(projects, basemap), for_display(infra, basemap)
    coverage = for_display(coverage, basemap)
    # SVG, not canvas: tens of district outlines stay light, and each stays a hoverable shape.
    # maxZoom must be set when there are no tiles, or Leaflet.markercluster refuses the map.
    fmap = folium.Map(tiles=None, control_scale=True, maxZoom=18)
    add_basemap(fmap, basemap, key=tile_key)
    group, bins, colours = districts_layer(districts, metric_name=metric_name, lang=lang)
    group.add_to(fmap)
    if coverage is not None and coverage_metric is not None and not coverage.empty:
        shaded, _, _ = coverage_layer(coverage, coverage_metric, lang=lang)
        shaded.show = False
        shaded.add_to(fmap)
    if cities is not None and not cities.empty:
        cities_layer(cities, city_figures, lang=lang).add_to(fmap)
    for layer in infra_layers(infra, lang=lang) if infra is not None else []:
        layer.add_to(fmap)
    if projects is not None:
        projects_layer(projects, lang=lang).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    lowest = districts["value"].min() if districts["value"].notna().any() else None
    legend = legend_html(metric_name, bins, colours, unit=unit, lowest=lowest, lang=lang)
    _Legend(legend).add_to(fmap)
    frame = districts if cities is None or cities.empty else cities
    minx, miny, maxx, maxy = frame.total_bounds
    if np.isfinite([minx, miny, maxx, maxy]).all():
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return use_local_leaflet(fmap)
