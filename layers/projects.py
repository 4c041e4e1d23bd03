"""
Ledger communities on the map: clustered circle markers with escaped popups.

Only rows with a point (``located == "point"``) are drawn; rows located by a district name
alone are counted in district totals but have no place on the map, since a district's
centroid is not where a community is. Markers are built in the browser from a compact array
(folium's FastMarkerCluster), so thousands of points cost one JSON array, not thousands of
Leaflet objects in the HTML. Every value shown is HTML-escaped here, in Python; the array is
then embedded with Jinja's ``tojson``, which also escapes ``<``, ``>`` and ``&``.
"""

from __future__ import annotations

import html

import geopandas as gpd
import numpy as np
import pandas as pd
from folium.plugins import FastMarkerCluster

from geo.values import CONTENT_TAGS
from layers.assets import use_local_markercluster
from layers.labels import format_value, label

__all__ = ["PROXIMITY_KINDS", "popup_html", "projects_layer"]

#: Distance columns (metres, from geo/metrics.py) that add a "nearest ..." line to popups.
PROXIMITY_KINDS = ("accessible_bus_stop", "curb_ramp", "accessible_toilet")

# Below this zoom, nearby points merge into numbered clusters; at street level they split.
_UNCLUSTER_ZOOM = 16
_CALLBACK = """function (row) {
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {
        radius: 6, color: "#ffffff", weight: 1, fillColor: "#1f78b4", fillOpacity: 0.9
    });
    marker.bindPopup(row[2], {maxWidth: 320});
    marker.bindTooltip(row[3]);
    return marker;
}"""


def _esc(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


def _tags(text: object, lang: str) -> str:
    if text is None or pd.isna(text):
        return ""
    names = {key: words[0] for key, words in CONTENT_TAGS.items()}
    shown = [names.get(t, t) if lang == "zh" else t for t in str(text).split("|")]
    return "、".join(shown) if lang == "zh" else ", ".join(shown)


def popup_html(projects: pd.DataFrame, *, lang: str = "zh") -> pd.Series:
    """
    The popup of each project: name, district, households, content, status, ledger row.

    When ``projects`` has ``dist_<kind>_m`` columns (:data:`PROXIMITY_KINDS`), each adds the
    distance to the nearest such feature, in whole metres. Every value is escaped; missing
    households and distances (NaN: not computed) read "no data", never 0.
    """
    households = [format_value(v, "households", lang) for v in projects["households"]]
    status = [label(s, lang) if isinstance(s, str) and s else "" for s in projects["status"]]
    parts = {
        label("district_col", lang): projects["district"].tolist(),
        label("households_col", lang): households,
        label("content_col", lang): [_tags(t, lang) for t in projects["content_tags"]],
        label("status", lang): status,
    }
    for kind in PROXIMITY_KINDS:
        if f"dist_{kind}_m" in projects:
            metres = projects[f"dist_{kind}_m"].astype(float).round()
            parts[label(f"nearest_{kind}", lang)] = [format_value(m, "m", lang) for m in metres]
    parts[label("ledger_row", lang)] = projects["row"].tolist()
    colon = "：" if lang == "zh" else ": "
    rows = []
    for i, name in enumerate(projects["name"]):
        lines = [f"<b>{_esc(name)}</b>"]
        lines += [f"{_esc(k)}{colon}{_esc(v[i])}" for k, v in parts.items() if _esc(v[i])]
        rows.append("<br>".join(lines))
    return pd.Series(rows, index=projects.index, dtype=object)


def projects_layer(projects: gpd.GeoDataFrame, *, lang: str = "zh") -> FastMarkerCluster:
    """
    A clustered layer of the projects that have a point; rows without one are skipped.

    The layer control names it with the number of communities drawn. The map it is added
    to needs a ``maxZoom`` option (a tile layer sets one; a ``tiles=None`` map must pass
    ``maxZoom=18`` itself; folium's ``max_zoom`` only reaches tiles), or
    Leaflet.markercluster throws "Map has no maxZoom specified".
    """
    points = projects[projects.geometry.notna() & ~projects.geometry.is_empty]
    points = points.to_crs("EPSG:4326") if points.crs and points.crs.to_epsg() != 4326 else points
    data = np.empty((len(points), 4), dtype=object)
    data[:, 0] = points.geometry.y.round(6).to_numpy()
    data[:, 1] = points.geometry.x.round(6).to_numpy()
    data[:, 2] = popup_html(points, lang=lang).to_numpy()
    data[:, 3] = [_esc(n) for n in points["name"]]
    layer = FastMarkerCluster(
        data.tolist(),
        callback=_CALLBACK,
        name=f"{label('projects_layer', lang)} ({len(points)})",
        disableClusteringAtZoom=_UNCLUSTER_ZOOM,
        showCoverageOnHover=False,
    )
    return use_local_markercluster(layer)
