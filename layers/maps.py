"""
Maps: every layer assembled into one folium map, with its labels, legend, control and view.

:func:`figure_layers` is the district map of reported figures (choropleth, city outlines, place
names, and, when given, the ledger's communities, accessibility layers and a coverage
choropleth); :func:`coverage_layers` is the accessibility page's map (coverage choropleth
first, its point layers off); :func:`progress_layers` is the progress page's (districts by
start or completion rate against their plan). Each returns a :class:`MapLayers`: a base map
that depends only on the basemap and the language, and the layers drawn on it. The pages hand
both to streamlit-folium, which keeps the base map (and the planner's pan and zoom) across
reruns and swaps the layers in place; files and tests take :meth:`MapLayers.assembled`, one
folium map (:func:`figure_map`, :func:`coverage_map`). The view fits the data's extent once
per extent (:class:`layers._leaflet.FitView`).

Both draw with Leaflet's SVG renderer (the hatch is an SVG pattern), set ``maxZoom``
(markercluster refuses a map without one when there are no tiles), shift every layer to GCJ-02
over an Amap basemap (:func:`layers.basemaps.for_display`), and load Leaflet from the app's own
server (:mod:`layers.assets`), never from a CDN.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import coverage, selection
from layers._html import NO_DATA_COLOUR, Legend, legend_html
from layers._leaflet import FitView, MetricScale, PageElement, Remembered, add_base_css
from layers.assets import use_local_leaflet
from layers.basemaps import add_basemap, for_display
from layers.choropleth import DEFAULT_CLASSES, cities_layer, class_ranges, districts_layer
from layers.coverage import HATCH_CSS, add_hatch_pattern, coverage_layer, usable_values, wgs84
from layers.infra import MAX_DISTRICTS_TOTALLED, infra_layers, infra_legend, totals_note
from layers.place_labels import labels_layer
from layers.progress import progress_layer
from layers.projects import PROJECT_COLOUR, projects_layer
from layers.wording import class_texts, label, listed_text, measure_name, periods_text

__all__ = [
    "MapLayers",
    "coverage_layers",
    "coverage_map",
    "extent_of",
    "figure_layers",
    "figure_map",
    "lifecircle_layers",
    "progress_layers",
]

#: Where a map opens before it fits its data: China, whole.
_START = ([35.0, 105.0], 4)


@dataclass
class MapLayers:
    """
    A map as streamlit-folium redraws it: the base map, the layers on it, their control.

    ``base`` holds the tiles and page styles only, so it is the same for every filter of one
    basemap and language; ``groups`` are every data layer in drawing order, the last (not
    listed) holding the legend and the fit of the view; ``control`` lists the others.
    """

    base: folium.Map
    groups: list[folium.FeatureGroup] = field(default_factory=list)
    control: folium.LayerControl = field(default_factory=folium.LayerControl)

    def assembled(self) -> folium.Map:
        """Everything on the base map as one folium map (for files and tests); use it once."""
        for group in self.groups:
            group.add_to(self.base)
        self.control.add_to(self.base)
        return self.base


def _base_map(basemap: str | None, tile_key: str | None, lang: str) -> folium.Map:
    # SVG, not canvas: tens of outlines stay light, each a hoverable shape, and the hatch is an
    # SVG pattern. maxZoom must be set when there are no tiles, or markercluster refuses the
    # map; quarter zoom steps let a fit fill the frame.
    fmap = folium.Map(
        location=_START[0],
        zoom_start=_START[1],
        tiles=None,
        maxZoom=18,
        zoomSnap=0.25,
        zoomDelta=0.5,
    )
    add_basemap(fmap, basemap, key=tile_key, lang=lang)
    add_base_css(fmap)
    MetricScale().add_to(fmap)
    add_hatch_pattern(fmap)
    return use_local_leaflet(fmap)


def extent_of(frames: list[gpd.GeoDataFrame | None], *, share: float = 0.995):
    """
    ``[[south, west], [north, east]]`` of the parts that hold ``share`` of the frames' area.

    Points and lines count whole. Far specks of a large outline (the islands of the South
    China Sea in an all-China view) are left out of the fit, so the mainland fills the frame;
    a place made only of specks keeps them all. ``None`` when there is nothing to fit.
    """
    geoms = [wgs84(f).geometry.to_numpy() for f in frames if f is not None and not f.empty]
    if not geoms:
        return None
    parts = shapely.get_parts(np.concatenate(geoms))
    parts = parts[~(shapely.is_missing(parts) | shapely.is_empty(parts))]
    if not len(parts):
        return None
    areas = shapely.area(parts)
    if areas.sum() > 0:
        order = np.argsort(-areas)
        before = np.cumsum(areas[order]) - areas[order]
        # Largest first, until the share is reached (the part that reaches it included).
        parts = np.concatenate([parts[order][before < share * areas.sum()], parts[areas == 0]])
    minx, miny, maxx, maxy = shapely.total_bounds(parts)
    if not np.isfinite([minx, miny, maxx, maxy]).all():
        return None
    return [
        [round(float(miny), 5), round(float(minx), 5)],
        [round(float(maxy), 5), round(float(maxx), 5)],
    ]


def _view_group(legend: str, bounds, lang: str) -> folium.FeatureGroup:
    """The unlisted layer holding the legend and the view's fit."""
    group = folium.FeatureGroup(name=label("legend", lang), control=False, show=True)
    Legend(legend).add_to(group)
    if bounds is not None:
        FitView(bounds, key=str(bounds)).add_to(group)
    return group


def _remembered(layer, key: str, *, show: bool = True) -> folium.FeatureGroup:
    """``layer`` in a listed group that keeps the planner's tick (markercluster is no group)."""
    if isinstance(layer, folium.FeatureGroup):
        group = layer
        group.show = show
    else:
        group = folium.FeatureGroup(name=layer.layer_name, show=show)
        layer.control = False
        layer.add_to(group)
    Remembered(key, show=show).add_to(group)
    return group


def _points_legend(infra, projects, lang: str) -> list[tuple[str, str, str]]:
    points = infra_legend(infra, lang=lang) if infra is not None else []
    if projects is not None and len(projects):
        points.append((PROJECT_COLOUR, label("projects_layer", lang), "point"))
    return points


def _figure_notes(districts: gpd.GeoDataFrame, scheme: str, k: int, lang: str) -> list[str]:
    """What the colours hold: their periods and kinds (a warning when mixed), the scheme."""
    coloured = districts[districts["value"].notna()]
    notes = []
    if len(coloured) and "period_label" in coloured:
        pairs = selection.distinct_periods(coloured)
        key = "legend_mixed" if len(pairs) > 1 else "legend_periods"
        notes.append(label(key, lang).format(periods=periods_text(pairs, lang)))
    if k > 1:
        scheme_name = label(f"scheme_{scheme}", lang)
        notes.append(label("legend_scheme", lang).format(scheme=scheme_name, k=k))
    return notes


def _classes_legend(values: pd.Series, bins, colours, unit: str, title: str, lang: str):
    words, texts = class_texts(class_ranges(values, bins), unit, lang)
    if len(texts) == 1:
        # One class means one value: said in words, not a bare "0" that reads as a scale.
        texts = [label("legend_one_value", lang).format(value=texts[0])]
    heading = f"{title}（{words}）" if lang == "zh" else f"{title} ({words})"
    # A unit the title already ends in ("households", in English) is not said twice.
    named = words and not title.casefold().endswith(words.casefold())
    return (heading if named else title), list(zip(colours, texts, strict=True))


def figure_layers(
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
    scheme: str = "fisher_jenks",
    classes: int = DEFAULT_CLASSES,
    bounds=None,
    lang: str = "zh",
) -> MapLayers:
    """
    The district map's layers: choropleth, city outlines, names, legend, the optional layers.

    ``districts`` (:func:`geo.selection.colour_values`) are classed by ``scheme`` into up to
    ``classes`` classes (:func:`layers.choropleth.classify`); the legend names its unit once,
    the periods and kinds it colours, and every point layer drawn. ``projects`` (a ledger's
    clean rows) adds a clustered layer of the communities that have a point; ``infra``
    (accessibility features) one toggle per feature type; ``coverage``
    (:func:`geo.coverage.district_metrics` rows on display outlines) adds ``coverage_metric``
    as a second choropleth, hidden until ticked. ``cities`` None means ``districts`` are city
    outlines (a view drawn by city), labelled as cities. ``bounds`` is the extent the view
    fits (default: the outlines'). ``basemap`` is a key of
    :data:`layers.basemaps.BASEMAPS` (``None``: no tiles, works offline; ``tile_key`` is
    Tianditu's key); over a GCJ-02 basemap every layer is shifted for display.
    """
    districts, cities = for_display(districts, basemap), for_display(cities, basemap)
    projects, infra = for_display(projects, basemap), for_display(infra, basemap)
    coverage = for_display(coverage, basemap)
    parts = MapLayers(
        _base_map(basemap, tile_key, lang), control=folium.LayerControl(collapsed=False)
    )
    group, bins, colours = districts_layer(
        districts, metric_name=metric_name, lang=lang, scheme=scheme, k=classes
    )
    title, rows = _classes_legend(districts["value"], bins, colours, unit, metric_name, lang)
    legend = legend_html(
        title,
        rows,
        lang=lang,
        notes=_figure_notes(districts, scheme, len(bins), lang),
        points=_points_legend(infra, projects, lang),
    )
    frame = districts if cities is None or cities.empty else cities
    if bounds is None:
        bounds = extent_of([frame])
    parts.groups.append(_remembered(group, "figure"))
    if coverage is not None and coverage_metric is not None and not coverage.empty:
        shaded, _, _ = coverage_layer(coverage, coverage_metric, lang=lang)
        parts.groups.append(_remembered(shaded, "coverage", show=False))
    if cities is not None and not cities.empty:
        parts.groups.append(_remembered(cities_layer(cities, city_figures, lang=lang), "cities"))
        parts.groups.append(labels_layer(districts, cities, lang=lang))
    else:
        parts.groups.append(
            labels_layer(None, districts.assign(city=districts["district"]), lang=lang)
        )
    for layer in infra_layers(infra, lang=lang) if infra is not None else []:
        parts.groups.append(layer)
    if projects is not None:
        # Totals (over the cap) by the places the map outlines: cities when it draws cities.
        shown = projects_layer(projects, lang=lang, by_city=cities is None)
        parts.groups.append(_remembered(shown, "projects"))
    parts.groups.append(_view_group(legend, bounds, lang))
    # A long list of layers would cover the legend and the data: folded into its button.
    parts.control = folium.LayerControl(collapsed=len(parts.groups) > 6)
    return parts


def figure_map(districts: gpd.GeoDataFrame, **options) -> folium.Map:
    """:func:`figure_layers` as one folium map, for files and tests."""
    return figure_layers(districts, **options).assembled()


def coverage_layers(
    metrics: gpd.GeoDataFrame,
    metric: str,
    *,
    infra: gpd.GeoDataFrame | None = None,
    projects: gpd.GeoDataFrame | None = None,
    basemap: str | None = None,
    tile_key: str | None = None,
    fit: list[gpd.GeoDataFrame] | None = None,
    lang: str = "zh",
) -> MapLayers:
    """
    The coverage map's layers: hatched or coloured districts, names, infrastructure, legend.

    The coverage choropleth is what the page is for, so the infrastructure's point layers and
    the communities start hidden (ticked in the layer control; the legend lists them), and
    lines (tactile paving) stay; when no district has a value to colour (an extract outside
    China, or outside the ledger's districts), the facilities are the map and every facility
    layer starts shown (bus stops and sidewalks, context only, stay hidden).
    Over :data:`layers.infra.MAX_FEATURES_DRAWN` features, each type is totalled by district
    (by city past :data:`layers.infra.MAX_DISTRICTS_TOTALLED` districts), and the legend says
    so. ``projects`` (a ledger's clean rows, optionally with
    ``dist_<kind>_m`` columns) adds the clustered communities, totalled over
    :data:`layers.projects.MAX_POINTS_DRAWN` by district, or by city when the map draws more
    than :data:`layers.infra.MAX_DISTRICTS_TOTALLED` districts. ``basemap`` is a key of
    :data:`layers.basemaps.BASEMAPS`; over a GCJ-02 basemap every layer is shifted for display.
    The view fits ``fit`` (e.g. a walkshed just drawn) when given, else the infrastructure's
    extent (the survey or extract), else the districts.
    """
    metrics, infra = for_display(wgs84(metrics), basemap), for_display(infra, basemap)
    projects = for_display(projects, basemap)
    parts = MapLayers(
        _base_map(basemap, tile_key, lang), control=folium.LayerControl(collapsed=True)
    )
    group, bins, colours = coverage_layer(metrics, metric, lang=lang)
    values = usable_values(metrics, metric)
    # Nothing coloured (only hatches, or no district at all): the facilities are the map.
    shown = bool(values.isna().all())
    drawn = infra_layers(infra, lang=lang, points_shown=shown) if infra is not None else []
    by_city = metrics["adcode"].nunique() > MAX_DISTRICTS_TOTALLED
    title, rows = _classes_legend(
        values, bins, colours, coverage.describe(metric).unit, measure_name(metric, lang), lang
    )
    legend = legend_html(
        title,
        rows,
        lang=lang,
        missing=(HATCH_CSS, label("insufficient_data", lang)),
        # Features totalled by place are said so, in words, under the classes.
        notes=totals_note(drawn, lang),
        points=_points_legend(infra, projects, lang),
    )
    bounds = extent_of([infra]) if infra is not None and not infra.empty else extent_of([metrics])
    if fit:
        bounds = extent_of([for_display(frame, basemap) for frame in fit])
    parts.groups.append(_remembered(group, "coverage"))
    parts.groups.append(labels_layer(metrics, None, lang=lang))
    parts.groups += drawn
    if projects is not None:
        parts.groups.append(
            # Totals (over the cap) by city past as many districts as the features' totals.
            _remembered(
                projects_layer(projects, lang=lang, by_city=by_city), "projects", show=False
            )
        )
    parts.groups.append(_view_group(legend, bounds, lang))
    return parts


def coverage_map(metrics: gpd.GeoDataFrame, metric: str, **options) -> folium.Map:
    """:func:`coverage_layers` as one folium map, for files and tests."""
    return coverage_layers(metrics, metric, **options).assembled()


#: In streamlit-folium's frame (#map_div), the map takes the frame's whole height.
FILL_FRAME_CSS = "<style>#map_div, #map_div2 { height: 100vh !important; }</style>"


def fill_frame(fmap: folium.Map) -> folium.Map:
    """
    Let ``fmap`` fill its streamlit-folium frame, however tall the page makes the frame.

    For a page that sizes the frame itself (the map page: the window's height below the
    cards). A frame left at streamlit-folium's own height would start at 0 px, and a map
    fitted at 0 px opens at its maximum zoom.
    """
    PageElement(FILL_FRAME_CSS, name="atlas_fill_frame").add_to(fmap)
    return fmap


def lifecircle_layers(
    found,
    column: str,
    *,
    walkshed: tuple[str, gpd.GeoDataFrame, pd.DataFrame] | None = None,
    basemap: str | None = None,
    tile_key: str | None = None,
    lang: str = "zh",
) -> MapLayers:
    """
    The 生活圈 page's map: districts by one indicator, checklists in popups, walksheds.

    Districts are coloured by ``column`` of ``found`` (:class:`geo.lifecircle.Indicators`),
    hatched where there is no value; each community's popup holds its checklist. A
    ``walkshed`` drawn (the community's name, and the walksheds and services inside of
    :func:`geo.lifecircle.walkshed_facilities`) goes on top, named in the legend
    (:func:`layers.lifecircle.walkshed_layers`, :func:`layers.lifecircle.walkshed_legend`).

    The legend names the indicator and cites its clause. The view fits the walkshed when
    there is one, else the communities, else the districts.
    """
    from layers.lifecircle import (
        checks,
        clause_text,
        indicator_name,
        share_layer,
        verdicts,
        walkshed_layers,
        walkshed_legend,
    )

    drawn, drawn_legend, fit = [], [], []
    if walkshed is not None:
        origin, sheds, inside = walkshed
        drawn = walkshed_layers(sheds, inside, origin, lang=lang)
        drawn_legend, fit = walkshed_legend(sheds, inside, lang=lang), [sheds]

    districts = for_display(wgs84(found.districts), basemap)
    communities = for_display(found.communities, basemap)
    parts = MapLayers(
        _base_map(basemap, tile_key, lang), control=folium.LayerControl(collapsed=True)
    )
    options = {"registry": found.registry, "sources": found.sources, "profile": found.profile}
    group, bins, colours = share_layer(districts, column, lang=lang, **options)
    status = districts[f"{column}_status"]
    values = districts[column].astype(float).round(1).where(status.eq("ok"))
    name = indicator_name(column, found.registry, found.profile, lang)
    title, rows = _classes_legend(values, bins, colours, "percent", name, lang)
    legend = legend_html(
        title,
        rows,
        lang=lang,
        missing=(HATCH_CSS, label("insufficient_data", lang)),
        notes=[clause_text(found.sources, column, lang)],
        points=[(PROJECT_COLOUR, label("projects_layer", lang), "point"), *drawn_legend],
    )
    parts.groups.append(_remembered(group, "lifecircle"))
    parts.groups.append(labels_layer(districts, None, lang=lang))
    layer = projects_layer(
        communities,
        lang=lang,
        checks=checks(found.registry, found.profile, lang),
        verdict=verdicts(communities, found.profile, lang),
    )
    parts.groups.append(_remembered(layer, "projects"))
    parts.groups += drawn
    placed = communities[communities.geometry.notna()]
    bounds = extent_of([placed]) if len(placed) else extent_of([districts])
    if fit:
        bounds = extent_of([for_display(frame, basemap) for frame in fit])
    parts.groups.append(_view_group(legend, bounds, lang))
    return parts


def progress_layers(
    districts: gpd.GeoDataFrame,
    *,
    rate: str = "start_rate",
    basemap: str | None = None,
    tile_key: str | None = None,
    lang: str = "zh",
) -> MapLayers:
    """
    The progress page's layers: districts by ``rate`` (status-aware legend), names, the fit.

    ``districts`` are :attr:`geo.progress.Progress.table` rows on display outlines; rows
    without an outline (a development zone) are left to the page's table. The legend names
    every status drawn: the rate's classes, 无计划 (hatched), 未报送 (grey, dashed).
    """
    districts = for_display(wgs84(districts), basemap)
    drawn = districts[districts.geometry.notna() & ~districts.geometry.is_empty]
    parts = MapLayers(
        _base_map(basemap, tile_key, lang), control=folium.LayerControl(collapsed=True)
    )
    group, rows = progress_layer(drawn, rate=rate, lang=lang)
    notes = [label("progress_legend_fixed", lang)]
    if len(drawn) < len(districts):
        unmapped = districts.loc[~districts.index.isin(drawn.index), "place"]
        names = listed_text(unmapped.astype(str), lang)
        notes.append(label("progress_legend_unmapped", lang).format(places=names))
    legend = legend_html(
        label(f"rate_{rate}", lang),
        rows,
        lang=lang,
        missing=(NO_DATA_COLOUR, label("progress_status_not_reported", lang)),
        notes=notes,
    )
    parts.groups.append(_remembered(group, f"progress-{rate}"))
    parts.groups.append(labels_layer(drawn.assign(district=drawn["place"]), None, lang=lang))
    parts.groups.append(_view_group(legend, extent_of([drawn]), lang))
    return parts
