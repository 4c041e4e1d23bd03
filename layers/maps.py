"""
Maps: every layer assembled into one folium map, with its legend, layer control and view.

:func:`figure_map` is the district map of reported figures (choropleth, city outlines,
and, when given, the ledger's communities, accessibility layers and a coverage choropleth);
:func:`coverage_map` is the accessibility page's map (coverage choropleth first). Both draw
with Leaflet's SVG renderer (the hatch is an SVG pattern), set ``maxZoom`` (markercluster
refuses a map without one when there are no tiles), shift every layer to GCJ-02 over an
Amap basemap (:func:`layers.basemaps.for_display`), and load Leaflet from the app's own
server (:mod:`layers.assets`), never from a CDN.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo import coverage
from layers._html import Legend, legend_html
from layers.assets import use_local_leaflet
from layers.basemaps import add_basemap, for_display
from layers.choropleth import cities_layer, districts_layer
from layers.coverage import HATCH_CSS, coverage_layer, usable_values, wgs84
from layers.infra import infra_layers
from layers.labels import label, measure_name
from layers.projects import projects_layer

__all__ = ["coverage_map", "figure_map"]


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
    adds one toggle per feature type, and ``coverage`` (:func:`geo.coverage.district_metrics`
    rows on display outlines) adds ``coverage_metric`` as a second choropleth, hidden until
    ticked in the layer control. ``basemap`` is a key of :data:`layers.basemaps.BASEMAPS`
    (``None``: no tiles, works offline; ``tile_key`` is Tianditu's key); over a GCJ-02
    basemap every layer is shifted for display (:func:`layers.basemaps.for_display`).
    Leaflet is loaded from the app's own server (:mod:`layers.assets`), never from a CDN.
    """
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
    Legend(legend).add_to(fmap)
    frame = districts if cities is None or cities.empty else cities
    minx, miny, maxx, maxy = frame.total_bounds
    if np.isfinite([minx, miny, maxx, maxy]).all():
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return use_local_leaflet(fmap)


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
    metrics, infra = for_display(wgs84(metrics), basemap), for_display(infra, basemap)
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
    values = usable_values(metrics, metric)
    legend = legend_html(
        measure_name(metric, lang),
        bins,
        colours,
        unit=coverage.describe(metric).unit,
        lowest=values.min() if values.notna().any() else None,
        lang=lang,
        missing=(HATCH_CSS, label("insufficient_data", lang)),
    )
    Legend(legend).add_to(fmap)
    frame = metrics if not metrics.empty or infra is None else infra
    minx, miny, maxx, maxy = wgs84(frame).total_bounds
    if np.isfinite([minx, miny, maxx, maxy]).all():
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return use_local_leaflet(fmap)
