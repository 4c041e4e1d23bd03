"""
Accessibility infrastructure as map layers: one toggleable layer per feature type.

Points and lines are built in the browser from compact arrays, so thousands of features cost
one array each rather than a GeoJSON document with a tooltip per feature. They are drawn with
SVG too: a canvas above the districts would intercept the pointer events their tooltips need.
Every user value is HTML-escaped here, in Python (:func:`layers._html.esc`); the arrays are
then embedded with Jinja's ``tojson``, which also escapes ``<``, ``>`` and ``&``.

Above :data:`MAX_FEATURES_DRAWN` features (a national survey: 100,000 made a 9.17 MB page),
each type is drawn as one marker per district, at the mean position of its features, whose
tooltip gives their number; the layer's name says so. The districts' coverage measures
underneath are computed from every feature either way; narrowing the view draws each again.
Measured: the coverage map of the seed cities with 100,000 features, 9.17 MB before, 1.20 MB
now; the layers of a 500,000-feature survey of all China alone, 1.25 MB.
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
from layers.wording import label

__all__ = ["INFRA_COLOURS", "INFRA_TYPES", "MAX_FEATURES_DRAWN", "infra_layers", "infra_legend"]

#: Above this many features with a geometry, each type is one marker per district instead
#: (about 90 bytes a feature: 10,000 add 0.9 MB to the page).
MAX_FEATURES_DRAWN = 10_000

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
    kinds = set(present["type"].astype(str))
    lines = set(present.loc[present.geom_type.str.contains("Line|Polygon"), "type"].astype(str))
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
    unknown = sorted(set(infra["type"].astype(str)) - set(INFRA_TYPES))
    if unknown:
        raise ValueError(
            f"Expected feature types among {INFRA_TYPES}, got {unknown}. "
            "Map them to one of these in geo.infra, or drop those rows before drawing."
        )
    infra = wgs84(infra).assign(source=infra["source"].fillna("").astype(str).to_numpy())
    # Each file name is written once per layer; rows carry its index.
    sources = {s: i for i, s in enumerate(dict.fromkeys(infra["source"]))}
    placed = infra[infra.geometry.notna() & ~infra.geometry.is_empty]
    if len(placed) > MAX_FEATURES_DRAWN:
        return _district_layers(placed, lang)
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


def _district_layers(infra: gpd.GeoDataFrame, lang: str) -> list[folium.FeatureGroup]:
    """
    One layer per feature type present: a marker per district with the number of features.

    A feature belongs to the district of its representative point; features in no district
    are one marker of their own. Each marker sits at the mean of its features' points.
    """
    anchor = shapely.point_on_surface(infra.geometry.to_numpy())
    lon, lat = shapely.get_x(anchor), shapely.get_y(anchor)
    frame = pd.DataFrame(
        {
            "type": infra["type"].astype(str).to_numpy(),
            "adcode": pd.array(boundaries.assign_districts(lon, lat), dtype="string").fillna(""),
            "lon": lon,
            "lat": lat,
        }
    )
    totals = frame.groupby(["type", "adcode"], sort=True).agg(
        lon=("lon", "mean"), lat=("lat", "mean"), count=("lon", "size")
    )
    outlines = boundaries.load_boundaries("district").set_index("adcode")["district"]
    totals["district"] = outlines.reindex(totals.index.get_level_values("adcode")).to_numpy()
    totals[["lon", "lat"]] = totals[["lon", "lat"]].round(6)
    unit = label("features_count", lang)
    note = esc(label("by_district", lang))
    groups = []
    for kind in INFRA_TYPES:
        if kind not in totals.index.get_level_values("type"):
            continue
        rows = totals.loc[kind]
        counts = [f"{n:,} {unit}" for n in rows["count"]]
        places = [esc(d) if isinstance(d, str) else "" for d in rows["district"]]
        points = [
            [x, y, esc(c), p, 0]
            for x, y, c, p in zip(rows["lon"], rows["lat"], counts, places, strict=True)
        ]
        name = label(f"infra_{kind}", lang)
        show = kind not in _HIDDEN
        drawn = int(rows["count"].sum())
        group = folium.FeatureGroup(
            name=f"{name} ({drawn}, {label('by_district', lang)})", show=show
        )
        _InfraFeatures(
            points,
            [],
            sources=[note],
            head=f"<b>{html.escape(name)}</b>",
            colour=INFRA_COLOURS[kind],
        ).add_to(group)
        Remembered(f"infra_{kind}", show=show).add_to(group)
        groups.append(group)
    return groups
