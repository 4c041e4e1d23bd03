"""
Accessibility infrastructure as map layers: one toggleable layer per feature type.

Points and lines are built in the browser from compact arrays, so thousands of features cost
one array each rather than a GeoJSON document with a tooltip per feature. They are drawn with
SVG too: a canvas above the districts would intercept the pointer events their tooltips need.
Every user value is HTML-escaped here, in Python (:func:`layers._html.esc`); the arrays are
then embedded with Jinja's ``tojson``, which also escapes ``<``, ``>`` and ``&``.

Above :data:`MAX_FEATURES_DRAWN` features (a national survey: 100,000 made a 9.17 MB page),
each type is drawn as one marker per district, at the mean position of its features, whose
tooltip gives their number; past :data:`MAX_DISTRICTS_TOTALLED` districts, one per city. The
layer's name and the coverage map's legend say so (:func:`totals_note`). The districts'
coverage measures underneath are computed from every feature either way; narrowing the view
draws each again. Measured: the coverage map of the seed cities with 100,000 features, 9.17 MB
before, 1.20 MB with the totals; the layers of a 500,000-feature survey of all China, 1.30 MB
by district, 0.20 MB by city (370 markers a type, not 2,875).
"""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geo import boundaries
from layers._html import esc
from layers._leaflet import Remembered
from layers.coverage import wgs84
from layers.projects import _totals_by
from layers.wording import label

__all__ = [
    "INFRA_COLOURS",
    "INFRA_TYPES",
    "MAX_DISTRICTS_TOTALLED",
    "MAX_FEATURES_DRAWN",
    "infra_layers",
    "infra_legend",
    "totals_note",
]

#: Above this many features with a geometry, each type is one marker per district instead
#: (about 90 bytes a feature: 10,000 add 0.9 MB to the page).
MAX_FEATURES_DRAWN = 10_000

#: Above this many districts holding features, the totals are by city (as the map page draws
#: city outlines above :data:`layers.view.MAX_DISTRICTS_DRAWN` districts): all of China's
#: 2,875 districts are 370 cities.
MAX_DISTRICTS_TOTALLED = 400

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
        tip = [esc(name), esc(source_id), sources[source]]
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


def infra_legend(infra: gpd.GeoDataFrame, *, lang: str = "zh") -> list[tuple[str, str, str]]:
    """(colour, name, ``point`` or ``line``) of each feature type present, for a legend."""
    present = infra[infra.geometry.notna()]
    types = present["type"].astype(str)
    # Lines, rings and polygons (drawn as their outline), by shapely's type ids; the unique
    # values only, not a survey's 500,000 types read one by one (1.5 s).
    linear = np.isin(shapely.get_type_id(present.geometry.to_numpy()), [1, 2, 3, 5, 6])
    kinds, lines = set(types.unique()), set(types[linear].unique())
    return [
        (INFRA_COLOURS[k], label(f"infra_{k}", lang), "line" if k in lines else "point")
        for k in INFRA_TYPES
        if k in kinds
    ]


def infra_layers(
    infra: gpd.GeoDataFrame, *, lang: str = "zh", points_shown: bool = True
) -> list[folium.FeatureGroup]:
    """
    One toggleable layer per feature type present, named with its count, in INFRA_TYPES order.

    ``infra`` is the frame geo.infra reads (``type``, ``source``, ``source_id``, ``name``,
    Point or LineString geometry). Bus stops and sidewalks start hidden, and with
    ``points_shown=False`` so does every type drawn mostly as points (ramps, stops, toilets),
    for maps where the districts beneath are the point. A layer keeps the planner's tick
    across reruns (:class:`layers._leaflet.Remembered`). Rows without a geometry are not
    drawn or counted. Raises ValueError for a type not in INFRA_TYPES.
    """
    unknown = sorted(set(infra["type"].astype(str).unique()) - set(INFRA_TYPES))
    if unknown:
        raise ValueError(
            f"Expected feature types among {INFRA_TYPES}, got {unknown}. "
            "Map them to one of these in geo.infra, or drop those rows before drawing."
        )
    placed = infra[infra.geometry.notna() & ~infra.geometry.is_empty]
    if len(placed) > MAX_FEATURES_DRAWN:
        return _place_layers(wgs84(placed), lang, points_shown)
    infra = wgs84(infra).assign(source=infra["source"].fillna("").astype(str).to_numpy())
    # Each file name is written once per layer; rows carry its index.
    sources = {s: i for i, s in enumerate(dict.fromkeys(infra["source"]))}
    groups = []
    for kind in INFRA_TYPES:
        points, lines, drawn = _compact_rows(infra[infra["type"] == kind], sources)
        if not drawn:
            continue
        name = label(f"infra_{kind}", lang)
        show = kind not in _HIDDEN and (points_shown or len(points) <= len(lines))
        group = folium.FeatureGroup(name=f"{name} ({drawn})", show=show)
        _InfraFeatures(
            points,
            lines,
            sources=[esc(s) for s in sources],
            head=f"<b>{html.escape(name)}</b>",
            colour=INFRA_COLOURS[kind],
        ).add_to(group)
        Remembered(f"infra_{kind}", show=show).add_to(group)
        groups.append(group)
    return groups


def _place_layers(
    infra: gpd.GeoDataFrame, lang: str, points_shown: bool = True
) -> list[folium.FeatureGroup]:
    """
    One layer per feature type present: a marker per district, or per city, with its number.

    A feature belongs to the district of its representative point; features in no district
    are one marker of their own. Past :data:`MAX_DISTRICTS_TOTALLED` districts (all of China:
    2,875 markers a type made 1.3 MB), a marker per city. Each marker sits at the mean of its
    features' points. Totalled by :func:`layers.projects._totals_by`, as the ledger's
    communities are. Each group keeps what it totals by in ``totalled_by`` (for the legend).
    Every type is drawn as points here, so with ``points_shown=False`` every layer starts
    hidden (ticked in the layer control).
    """
    anchor = shapely.point_on_surface(infra.geometry.to_numpy())
    adcode = boundaries.assign_districts(shapely.get_x(anchor), shapely.get_y(anchor))
    # Names looked up once per district found, then spread to the features by code.
    codes, found = pd.factorize(adcode, use_na_sentinel=True)
    outlines = boundaries.load_boundaries("district").set_index("adcode").reindex(found)
    district, city = (
        np.append(outlines[column].to_numpy(dtype=object), None)[codes]
        for column in ("district", "city")
    )
    places = gpd.GeoDataFrame(
        {"adcode": adcode, "district": district, "city": city, "households": np.nan},
        geometry=anchor,
    )
    by = "city" if len(found) > MAX_DISTRICTS_TOTALLED else "district"
    key = pd.Series(adcode if by == "district" else city, dtype=object)
    # Compared in the column's own (Arrow) type: reading 500,000 types out one by one took 1 s.
    types = infra["type"].astype(str)
    unit, note = label("features_count", lang), label(f"by_{by}", lang)
    groups = []
    for kind in INFRA_TYPES:
        chosen = (types == kind).to_numpy()
        if not chosen.any():
            continue
        totals = _totals_by(key[chosen], places[chosen], by)
        counts = [f"{n:,} {unit}" for n in totals["count"]]
        names = totals["district"].map(esc).tolist()
        points = (
            pd.DataFrame(
                {
                    "lon": totals["lon"].round(6),
                    "lat": totals["lat"].round(6),
                    "count": [esc(c) for c in counts],
                    "place": names,
                    "source": 0,
                }
            )
            .to_numpy(dtype=object)
            .tolist()
        )
        name = label(f"infra_{kind}", lang)
        show = kind not in _HIDDEN and points_shown
        group = folium.FeatureGroup(name=f"{name} ({int(chosen.sum())}, {note})", show=show)
        group.totalled_by = by
        _InfraFeatures(
            points,
            [],
            sources=[esc(note)],
            head=f"<b>{html.escape(name)}</b>",
            colour=INFRA_COLOURS[kind],
        ).add_to(group)
        Remembered(f"infra_{kind}", show=show).add_to(group)
        groups.append(group)
    return groups


def totals_note(groups: list[folium.FeatureGroup], lang: str = "zh") -> list[str]:
    """
    The legend's line saying the infrastructure is totalled, and by what; none when drawn whole.

    ``groups`` are :func:`infra_layers`'.
    """
    by = {getattr(group, "totalled_by", None) for group in groups} - {None}
    return [label(f"legend_infra_by_{b}", lang).format(cap=f"{MAX_FEATURES_DRAWN:,}") for b in by]
