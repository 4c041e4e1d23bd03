"""
Place labels: district and city names on the map, drawn offline, decluttered in the browser.

Labels are text markers (no tiles, no fonts fetched) at each outline's pole of inaccessibility
(:func:`shapely.maximum_inscribed_circle`), the point deepest inside the shape, where a name
is least likely to sit on a border. On every move the browser shows, largest place first,
each label that fits inside its own outline at the current zoom and overlaps no label
already shown; city names go before district names. So a province shows its cities, a
city its districts, and zooming in brings the smaller names back. Names are HTML-escaped
here (:func:`layers._html.esc`), then embedded with Jinja's ``tojson``.
"""

from __future__ import annotations

import functools

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import MacroElement
from jinja2 import Template

from layers._html import esc
from layers._leaflet import Remembered
from layers.wording import label

__all__ = ["label_points", "labels_layer"]


def label_points(geometries: np.ndarray) -> np.ndarray:
    """
    The (lon, lat) where each outline's label goes: the centre of its largest inscribed circle.

    A multi-part outline is labelled in its largest part. Missing or empty geometries get
    NaN. The tolerance is 1/200 of each shape's larger side (a label is no more precise).
    Each outline's point is kept once found (by its WKB): a map of all of China asks for the
    same 3,245 outlines' points on every rerun, and finding them took a tenth of its run.
    """
    out = np.full((len(geometries), 2), np.nan)
    present = ~(shapely.is_missing(geometries) | shapely.is_empty(geometries))
    for i, wkb in zip(np.flatnonzero(present), shapely.to_wkb(geometries[present]), strict=True):
        out[i] = _label_point(wkb)
    return out


@functools.lru_cache(maxsize=8192)
def _label_point(wkb: bytes) -> tuple[float, float]:
    """:func:`label_points` of one outline, given as WKB."""
    parts = shapely.get_parts(shapely.from_wkb(wkb))
    largest = parts[np.argmax(shapely.area(parts))]
    minx, miny, maxx, maxy = shapely.bounds(largest)
    tolerance = max(maxx - minx, maxy - miny) / 200 or 1e-6
    x, y = shapely.get_coordinates(shapely.maximum_inscribed_circle(largest, tolerance))[0]
    return float(x), float(y)


def _rows(frame: gpd.GeoDataFrame, column: str, kind: int) -> list[list]:
    """``[lat, lon, name, kind, west, south, east, north]`` per outline, largest first."""
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    if frame.empty:
        return []
    geometries = frame.geometry.to_numpy()
    order = np.argsort(-shapely.area(geometries), kind="stable")
    points = label_points(geometries[order])
    bounds = shapely.bounds(geometries[order])
    names = frame[column].to_numpy()[order]
    return [
        [round(lat, 5), round(lon, 5), esc(name), kind, *np.round(box, 4).tolist()]
        for (lon, lat), name, box in zip(points, names, bounds, strict=True)
        if np.isfinite(lon)
    ]


class _PlaceLabels(MacroElement):
    """The labels' markers, and the declutter that runs after every move of the map."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            var group = {{ this._parent.get_name() }};
            var rows = {{ this.rows|tojson }}, kinds = ["city", "district"];
            // Rows hold [lat, lon, ...]: Leaflet's order, so no flip here. Text icons need no
            // marker images (layers.offline inlines those for maps with L.marker).
            var markers = rows.map(function (row) {
                return new L.Marker([row[0], row[1]], {
                    interactive: false, keyboard: false,
                    icon: L.divIcon({className: "atlas-label atlas-label-" + kinds[row[3]],
                                     html: "<span>" + row[2] + "</span>", iconSize: null})
                }).addTo(group);
            });
            function declutter() {
                var map = group._map;
                if (!map) { return; }
                var size = map.getSize(), shown = [];
                markers.forEach(function (marker, i) {
                    var span = marker._icon && marker._icon.firstChild, row = rows[i];
                    if (!span) { return; }
                    var p = map.latLngToContainerPoint(marker.getLatLng());
                    var sw = map.latLngToContainerPoint([row[5], row[4]]);
                    var ne = map.latLngToContainerPoint([row[7], row[6]]);
                    var w = span.offsetWidth, h = span.offsetHeight;
                    var box = [p.x - w / 2, p.y - h / 2, p.x + w / 2, p.y + h / 2];
                    // Shown only when the name fits its own place, is on screen, and is clear
                    // of every name already shown (bigger places come first). A city wider
                    // than half the frame is the place being looked into: its districts'
                    // names say more than its own.
                    var fits = w <= (ne.x - sw.x) * 1.1 && h <= (sw.y - ne.y);
                    if (row[3] === 0 && ne.x - sw.x > size.x / 2) { fits = false; }
                    var onScreen = box[2] > 0 && box[0] < size.x && box[3] > 0 && box[1] < size.y;
                    var clear = shown.every(function (b) {
                        return box[2] < b[0] || box[0] > b[2] || box[3] < b[1] || box[1] > b[3];
                    });
                    var keep = fits && onScreen && clear;
                    span.style.visibility = keep ? "visible" : "hidden";
                    if (keep) { shown.push(box); }
                });
            }
            var watched = null;
            function watch() {
                watched = group._map;
                watched.on("moveend zoomend resize", declutter);
                setTimeout(declutter, 0);
            }
            group.on("add", watch);
            group.on("remove", function () {
                if (watched) { watched.off("moveend zoomend resize", declutter); }
            });
            if (group._map) { watch(); }
        })();
        {% endmacro %}"""
    )

    def __init__(self, rows: list[list]) -> None:
        super().__init__()
        self._name = "PlaceLabels"
        self.rows = rows


def labels_layer(
    districts: gpd.GeoDataFrame | None,
    cities: gpd.GeoDataFrame | None = None,
    *,
    lang: str = "zh",
) -> folium.FeatureGroup:
    """
    One toggleable layer of place names: cities (bold) above districts.

    ``districts`` and ``cities`` are outlines in EPSG:4326 with a ``district`` and a
    ``city`` column; either may be None. The browser shows the names that fit at each zoom
    (see the module docstring); rows without a geometry get no label.
    """
    rows = []
    if cities is not None:
        rows += _rows(cities, "city", 0)
    if districts is not None:
        rows += _rows(districts, "district", 1)
    group = folium.FeatureGroup(name=label("place_labels", lang), show=True)
    _PlaceLabels(rows).add_to(group)
    Remembered("place_labels", show=True).add_to(group)
    return group
