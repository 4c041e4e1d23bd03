"""
Folium layers for accessibility infrastructure and for each district's coverage metrics.

Districts are coloured by Fisher-Jenks classes (:func:`layers.choropleth.classify`) only where
the metric's status is ``ok``. Every other district, and an ``ok`` row without a value, is
hatched and labelled "insufficient data" (数据不足) with the reason, never coloured as 0.
The hatch is an SVG ``<pattern>`` written inline into the page, so it needs no network; it
works only with Leaflet's SVG renderer, which copies ``fillColor`` into a path's ``fill``
attribute as written (``url(#atlas-hatch)``). A canvas renderer cannot resolve that, so
never build these maps with ``prefer_canvas=True``.

Infrastructure points and lines are built in the browser from compact arrays, one
toggleable layer per feature type, so thousands of features cost one array each rather than
a GeoJSON document with a tooltip per feature. They are drawn with SVG too: a canvas above
the districts would intercept the pointer events their tooltips need. Every user value is
HTML-escaped here, in Python; the arrays are then embedded with Jinja's ``tojson``, which
also escapes ``<``, ``>`` and ``&``.
"""

from __future__ import annotations

import html
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template

from geo.metrics import METRIC_UNITS  # re-exported: each metric's unit
from layers.assets import use_local_leaflet
from layers.basemaps import add_basemap, for_display
from layers.choropleth import (
    _esc,
    _Legend,
    class_colours,
    classify,
    legend_html,
    tipped_geojson,
)
from layers.labels import format_value, label
from layers.projects import projects_layer

__all__ = [
    "HATCH_FILL",
    "INFRA_COLOURS",
    "INFRA_TYPES",
    "METRIC_UNITS",
    "coverage_layer",
    "coverage_map",
    "infra_layers",
    "metric_name",
    "metric_unit",
]

_HOUSEHOLD_SHARE = re.compile(
    r"households_within_(\d+)m_(accessible_bus_stop|curb_ramp|accessible_toilet)"
)
#: Numerator and denominator shown beside each rate.
_RATE_PARTS = {
    "tactile_rate": ("tactile_km", "sidewalk_km"),
    "accessible_stop_share": ("accessible_bus_stops", "bus_stops"),
    "curb_ramps_per_km": ("curb_ramps", "sidewalk_km"),
}
#: Feature types in layer order; the last two start hidden (many, and context only).
INFRA_TYPES = (
    "tactile_paving",
    "curb_ramp",
    "accessible_bus_stop",
    "accessible_toilet",
    "elevator",
    "bus_stop",
    "sidewalk",
)
_HIDDEN = ("bus_stop", "sidewalk")
#: One colour per type (ColorBrewer Dark2 without its orange and mustard, which the
#: YlOrRd districts underneath already use).
INFRA_COLOURS = {
    "tactile_paving": "#7570b3",
    "curb_ramp": "#66a61e",
    "accessible_bus_stop": "#1b9e77",
    "accessible_toilet": "#e7298a",
    "elevator": "#a6761d",
    "bus_stop": "#666666",
    "sidewalk": "#78909c",
}

HATCH_ID = "atlas-hatch"
#: The ``fillColor`` of hatched districts: a reference to the inline SVG pattern.
HATCH_FILL = f"url(#{HATCH_ID})"
# width/height 0 rather than display:none, which stops some browsers painting the pattern.
_HATCH_SVG = (
    '<svg width="0" height="0" style="position:absolute"><defs>'
    f'<pattern id="{HATCH_ID}" patternUnits="userSpaceOnUse" width="8" height="8" '
    'patternTransform="rotate(45)">'
    '<line x1="0" y1="0" x2="0" y2="8" stroke="#757575" stroke-width="3"/>'
    "</pattern></defs></svg>"
)
# The legend is HTML, not SVG, so its swatch draws the same hatch with CSS.
_HATCH_CSS = "repeating-linear-gradient(45deg,#757575 0 2px,transparent 2px 6px)"


def metric_unit(metric: str) -> str:
    """The unit of ``metric`` for :func:`layers.labels.format_value`; ValueError if unknown."""
    if metric in METRIC_UNITS:
        return METRIC_UNITS[metric]
    if _HOUSEHOLD_SHARE.fullmatch(metric):
        return "percent"
    raise ValueError(
        f"Expected a coverage metric ({', '.join(METRIC_UNITS)}, or "
        f"households_within_<metres>m_<accessible_bus_stop|curb_ramp|accessible_toilet>), "
        f"got {metric!r}. Pick one of the value columns geo.metrics writes."
    )


def metric_name(metric: str, lang: str = "zh") -> str:
    """The name of ``metric`` in ``lang``, e.g. "盲道长度" for ``tactile_km``."""
    share = _HOUSEHOLD_SHARE.fullmatch(metric)
    if share:
        # Lower-cased to sit mid-sentence in English; Chinese has no case.
        kind = label(f"infra_{share[2]}", lang).lower()
        return label("metric_households_within", lang).format(radius=share[1], type=kind)
    metric_unit(metric)  # raises, saying what is expected, for an unknown metric
    return label(f"metric_{metric}", lang)


def _wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        return frame.to_crs("EPSG:4326")
    return frame


def _usable_values(metrics: pd.DataFrame, metric: str) -> pd.Series:
    """The metric where its status is ``ok`` and it has a value, NaN elsewhere."""
    values = metrics[metric].astype(float)
    if metric_unit(metric) == "percent":
        # Classes are cut on the one-decimal values the tooltips show, so both agree.
        values = values.round(1)
    return values.where(metrics[f"{metric}_status"].eq("ok") & values.notna())


def _check_columns(metrics: pd.DataFrame, metric: str) -> None:
    required = ["adcode", "district", "city", "extent_share", metric, f"{metric}_status"]
    missing = [c for c in required if c not in metrics.columns]
    if missing:
        raise ValueError(
            f"Expected metrics with the columns {required}; {missing} are missing "
            f"(columns present: {list(metrics.columns)}). Pass the frame geo.metrics builds, "
            "with a metric it computed."
        )


def _reason(status: object, lang: str) -> str:
    """Why a district has no colour, from its status (geo.metrics.STATUSES)."""
    if not isinstance(status, str) or status == "ok":
        return label("reason_not_computed", lang)  # "ok" without a value: defensive
    try:
        return label(f"reason_{status}", lang)
    except KeyError:
        return status  # a status newer than these labels: shown as written, escaped by the caller


def _coverage_tip(row: pd.Series, metric: str, value: float, lang: str) -> str:
    """Tooltip HTML of one district; ``value`` is NaN unless the district is coloured."""
    colon = "：" if lang == "zh" else ": "
    unit = metric_unit(metric)
    lines = [f"<b>{_esc(row['district'])}</b> · {_esc(row['city'])}"]
    head = f"{_esc(metric_name(metric, lang))}{colon}"
    if pd.notna(value):
        lines.append(f"{head}<b>{_esc(format_value(value, unit, lang))}</b>")
    else:
        status = row[f"{metric}_status"]
        lines.append(
            f"{head}<i>{_esc(label('insufficient_data', lang))}</i> · {_esc(_reason(status, lang))}"
        )
        # Counts and lengths over part of a district are lower bounds; a rate is not.
        if status == "partial_extent" and unit in ("count", "km") and pd.notna(row[metric]):
            lines.append(
                f"{_esc(format_value(row[metric], unit, lang))}{_esc(label('at_least', lang))}"
            )
    if metric in _RATE_PARTS and all(part in row.index for part in _RATE_PARTS[metric]):
        lines.append(
            " / ".join(
                f"{_esc(metric_name(part, lang))} "
                f"{_esc(format_value(row[part], metric_unit(part), lang))}"
                for part in _RATE_PARTS[metric]
            )
        )
    share = round(float(row["extent_share"]) * 100, 1)
    lines.append(
        f"{_esc(label('extent_share', lang))}{colon}{_esc(format_value(share, 'percent', lang))}"
    )
    return "<br>".join(lines)


class _HatchPattern(MacroElement):
    """Writes the hatch's SVG pattern into the page that renders the layer carrying it."""

    def render(self, **kwargs) -> None:
        # Keyed by the pattern's id, so two hatched layers on one map still write one pattern.
        self.get_root().html.add_child(Element(_HATCH_SVG), name=HATCH_ID)
        super().render(**kwargs)


def coverage_layer(
    metrics: gpd.GeoDataFrame, metric: str, *, lang: str = "zh"
) -> tuple[folium.FeatureGroup, list[float], list[str]]:
    """
    District polygons coloured by ``metric`` where its status is ``ok``, hatched elsewhere.

    ``metrics`` is the frame geo.metrics builds (one row per district). Rows whose status is
    not ``ok``, or whose value is missing, keep their polygon, hatched, and their tooltip says
    "insufficient data" and why. Needs Leaflet's SVG renderer (the default). Returns the
    layer, the class upper bounds and the class colours (for
    :func:`layers.choropleth.legend_html`). Raises ValueError for an unknown metric or
    missing columns.
    """
    metric_unit(metric)  # an unknown metric is named as such, not as missing columns
    _check_columns(metrics, metric)
    metrics = _wgs84(metrics)
    values = _usable_values(metrics, metric)
    bins, colours = classify(values)
    shown = gpd.GeoDataFrame(
        {
            "tip": [
                _coverage_tip(row, metric, value, lang)
                for (_, row), value in zip(metrics.iterrows(), values, strict=True)
            ],
            "fill": colours.where(values.notna(), HATCH_FILL).to_numpy(),
        },
        geometry=metrics.geometry.to_numpy(),
        crs="EPSG:4326",
        # Feature ids are the adcodes: folium keys its style lookup on the id.
        index=metrics["adcode"].to_numpy(),
    )
    group = folium.FeatureGroup(name=metric_name(metric, lang), show=True)
    _HatchPattern().add_to(group)
    if shown.empty:
        return group, bins, []  # folium's tooltip refuses an empty collection
    tipped_geojson(shown, _coverage_style).add_to(group)
    return group, bins, class_colours(len(bins)) if bins else []


def _coverage_style(feature: dict) -> dict:
    fill = feature["properties"]["fill"]
    if fill == HATCH_FILL:
        # Opaque fill, since the pattern's gaps are already transparent.
        return {"fillColor": fill, "fillOpacity": 1, "color": "#757575", "weight": 1}
    return {"fillColor": fill, "fillOpacity": 0.75, "color": "#555555", "weight": 1}


class _InfraFeatures(MacroElement):
    """One feature type's points and lines, built in the browser into the parent layer."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            var group = {{ this._parent.get_name() }};
            var head = {{ this.head|tojson }}, sources = {{ this.sources|tojson }};
            function tip(row) {
                var n = row.length, name = row[n - 3];
                return head + (name ? "<br>" + name : "") + "<br><small>"
                    + sources[row[n - 1]] + " · " + row[n - 2] + "</small>";
            }
            var pointStyle = {{ this.point_style|tojson }};
            // Rows hold (lon, lat); Leaflet takes [lat, lon], here and in coordsToLatLngs.
            {{ this.points|tojson }}.forEach(function (row) {
                L.circleMarker([row[1], row[0]], pointStyle).bindTooltip(tip(row)).addTo(group);
            });
            var lineStyle = {{ this.line_style|tojson }};
            {{ this.lines|tojson }}.forEach(function (row) {
                L.polyline(L.GeoJSON.coordsToLatLngs(row[0], 1), lineStyle)
                    .bindTooltip(tip(row)).addTo(group);
            });
        })();
        {% endmacro %}"""
    )

    def __init__(self, points: list, lines: list, *, sources: list[str], head: str, colour: str):
        super().__init__()
        self._name = "InfraFeatures"
        self.points, self.lines, self.sources, self.head = points, lines, sources, head
        self.point_style = {
            "radius": 4,
            "color": "#ffffff",
            "weight": 1,
            "fillColor": colour,
            "fillOpacity": 0.9,
        }
        self.line_style = {"color": colour, "weight": 3, "opacity": 0.9}


def _rounded(geom: shapely.Geometry) -> list[list[float]]:
    """The (lon, lat) vertices of ``geom``, rounded to 6 decimals (about 0.1 m)."""
    return np.round(shapely.get_coordinates(geom), 6).tolist()


def _compact_rows(infra: gpd.GeoDataFrame, sources: dict[str, int]) -> tuple[list, list, int]:
    """
    Point rows ``[lon, lat, name, source_id, source]`` and line rows ``[parts, name, ...]``.

    Coordinates stay (lon, lat); the browser flips them to Leaflet's (lat, lon). Polygons
    are drawn as their outline; rows without a geometry are skipped. Also returns the number
    of rows drawn.
    """
    points, lines, drawn = [], [], 0
    for name, source_id, source, geom in zip(
        infra["name"], infra["source_id"], infra["source"], infra.geometry, strict=True
    ):
        if geom is None or geom.is_empty:
            continue
        tip = [_esc(name), _esc(source_id), sources[source]]
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            geom = geom.boundary
        if geom.geom_type in ("Point", "MultiPoint"):
            points += [[*xy, *tip] for xy in _rounded(geom)]
        else:
            # get_parts: a MultiLineString's lines, or a LineString itself.
            parts = [_rounded(part) for part in shapely.get_parts(geom)]
            lines.append([parts, *tip])
        drawn += 1
    return points, lines, drawn


def infra_layers(infra: gpd.GeoDataFrame, *, lang: str = "zh") -> list[folium.FeatureGroup]:
    """
    One toggleable layer per feature type present, named with its count, in INFRA_TYPES order.

    ``infra`` is the frame geo.infra reads (``type``, ``source``, ``source_id``, ``name``,
    Point or LineString geometry). Bus stops and sidewalks start hidden. Rows without a
    geometry are not drawn or counted. Raises ValueError for a type not in INFRA_TYPES.
    """
    unknown = sorted(set(infra["type"].astype(str)) - set(INFRA_TYPES))
    if unknown:
        raise ValueError(
            f"Expected feature types among {INFRA_TYPES}, got {unknown}. "
            "Map them to one of these in geo.infra, or drop those rows before drawing."
        )
    infra = _wgs84(infra).assign(source=infra["source"].fillna("").astype(str).to_numpy())
    # Each file name is written once per layer; rows carry its index.
    sources = {s: i for i, s in enumerate(dict.fromkeys(infra["source"]))}
    groups = []
    for kind in INFRA_TYPES:
        points, lines, drawn = _compact_rows(infra[infra["type"] == kind], sources)
        if not drawn:
            continue
        name = label(f"infra_{kind}", lang)
        group = folium.FeatureGroup(name=f"{name} ({drawn})", show=kind not in _HIDDEN)
        _InfraFeatures(
            points,
            lines,
            sources=[_esc(s) for s in sources],
            head=f"<b>{html.escape(name)}</b>",
            colour=INFRA_COLOURS[kind],
        ).add_to(group)
        groups.append(group)
    return groups


def coverage_map(
    metrics: gpd.GeoDataFrame,
    metric: str,
    *,
    infra: gpd.GeoDataFrame | None = None,
    projects: gpd.GeoDataFrame | None = None,
    basemap: str | None = None,
    tile_key: str | None = None,
    lang: str = "zh",
) -> folium.Map:
    """
    The coverage map: hatched or coloured districts, infrastructure layers, legend, control.

    ``projects`` (a ledger's clean rows, optionally with ``dist_<kind>_m`` columns) adds
    the clustered communities (:func:`layers.projects.projects_layer`). ``basemap`` is a key
    of :data:`layers.basemaps.BASEMAPS` (``None``: no tiles, works offline; ``tile_key`` is
    Tianditu's key); over a GCJ-02 basemap every layer is shifted for display. The view fits
    the districts, or the infrastructure when there are no districts. Leaflet is loaded from
    the app's own server.
    """
    # SVG, not canvas (the hatch is an SVG pattern); maxZoom because markercluster needs one.
    metrics, infra = for_display(_wgs84(metrics), basemap), for_display(infra, basemap)
    projects = for_display(projects, basemap)
    fmap = folium.Map(tiles=None, control_scale=True, maxZoom=18)
    add_basemap(fmap, basemap, key=tile_key)
    group, bins, colours = coverage_layer(metrics, metric, lang=lang)
    group.add_to(fmap)
    for layer in infra_layers(infra, lang=lang) if infra is not None else []:
        layer.add_to(fmap)
    if projects is not None:
        projects_layer(projects, lang=lang).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    values = _usable_values(metrics, metric)
    legend = legend_html(
        metric_name(metric, lang),
        bins,
        colours,
        unit=metric_unit(metric),
        lowest=values.min() if values.notna().any() else None,
        lang=lang,
        missing=(_HATCH_CSS, label("insufficient_data", lang)),
    )
    _Legend(legend).add_to(fmap)
    frame = metrics if not metrics.empty or infra is None else infra
    minx, miny, maxx, maxy = _wgs84(frame).total_bounds
    if np.isfinite([minx, miny, maxx, maxy]).all():
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return use_local_leaflet(fmap)
