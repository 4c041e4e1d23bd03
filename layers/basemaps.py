"""
Basemaps and the datum each one is drawn in, so vector layers line up with the tiles.

| name | tiles | datum | vector layers are drawn in |
|---|---|---|---|
| ``None`` | none (works offline; the default) | — | WGS84 |
| ``"osm"`` | OpenStreetMap | WGS84 | WGS84 |
| ``"tianditu"`` | 天地图 vector + labels | CGCS2000 (≈ WGS84 at map scale) | WGS84 |
| ``"gaode"`` | 高德 Amap | GCJ-02 | GCJ-02 (shifted for display) |

Amap's tiles are drawn in GCJ-02, which is offset 400–800 m from WGS84 in these cities.
When the Amap basemap is chosen, :func:`for_display` shifts every vector layer into GCJ-02
(:func:`geo.crs.wgs84_to_gcj02`) just before it is drawn, so outlines and points sit on the
right streets. Nothing is stored shifted: data and every export stay in WGS84.

Tianditu needs the user's own key (tk). It is read from the ``TIANDITU_KEY`` environment
variable or typed into the app; it is never stored in the repository or in a link. The
providers come from xyzservices; Tianditu is not in its catalogue, so it is declared here as
an ``xyzservices.TileProvider`` with Tianditu's published WMTS address.
"""

from __future__ import annotations

import os

import folium
import geopandas as gpd
import xyzservices
import xyzservices.providers as xyz

from geo import crs
from layers._leaflet import TileErrorNote
from layers.wording import label

__all__ = [
    "BASEMAPS",
    "TIANDITU_ENV",
    "TIANDITU_LABELS",
    "TIANDITU_VECTOR",
    "add_basemap",
    "display_datum",
    "for_display",
    "tianditu_key",
]

#: Environment variable holding a Tianditu key (tk), read at run time, never written anywhere.
TIANDITU_ENV = "TIANDITU_KEY"

_TIANDITU_URL = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={tk}"
)
_TIANDITU_ATTRIBUTION = "&copy; 国家地理信息公共服务平台 天地图 (tianditu.gov.cn)"


def _tianditu(layer: str, name: str) -> xyzservices.TileProvider:
    return xyzservices.TileProvider(
        name=name,
        url=_TIANDITU_URL.replace("{layer}", layer),
        attribution="Tianditu (tianditu.gov.cn)",
        html_attribution=_TIANDITU_ATTRIBUTION,
        subdomains="01234567",
        max_zoom=18,
        tk="<insert your tk here>",
    )


#: Tianditu's Web Mercator vector map and its Chinese annotation layer.
TIANDITU_VECTOR = _tianditu("vec", "Tianditu.Vector")
TIANDITU_LABELS = _tianditu("cva", "Tianditu.Labels")

#: name → (tile providers, datum the tiles are drawn in)
BASEMAPS: dict[str | None, tuple[tuple[xyzservices.TileProvider, ...], str]] = {
    None: ((), "wgs84"),
    "osm": ((xyz.OpenStreetMap.Mapnik,), "wgs84"),
    "tianditu": ((TIANDITU_VECTOR, TIANDITU_LABELS), "cgcs2000"),
    "gaode": ((xyz.Gaode.Normal,), "gcj02"),
}


def tianditu_key(typed: str | None = None) -> str | None:
    """The Tianditu key typed by the user, else ``$TIANDITU_KEY``, else ``None``."""
    key = (typed or "").strip() or os.environ.get(TIANDITU_ENV, "").strip()
    return key or None


def display_datum(basemap: str | None) -> str:
    """The datum vector layers are drawn in over ``basemap``: ``gcj02`` for Amap, else WGS84."""
    _check(basemap)
    return "gcj02" if BASEMAPS[basemap][1] == "gcj02" else "wgs84"


def for_display(frame: gpd.GeoDataFrame | None, basemap: str | None) -> gpd.GeoDataFrame | None:
    """
    ``frame`` in EPSG:4326, shifted to GCJ-02 when ``basemap`` is drawn in GCJ-02.

    Returns a copy when it shifts; the input is never changed. The result still says
    EPSG:4326 (Leaflet reads plain lon/lat), so it is for drawing only, never for export.
    """
    if frame is None or display_datum(basemap) == "wgs84":
        return frame
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs("EPSG:4326")
    shifted = crs.transform_geometries(frame.geometry.to_numpy(), crs.wgs84_to_gcj02)
    return frame.set_geometry(gpd.GeoSeries(shifted, index=frame.index, crs="EPSG:4326"))


def add_basemap(
    fmap: folium.Map, basemap: str | None, *, key: str | None = None, lang: str = "zh"
) -> folium.Map:
    """
    Add the tiles of ``basemap`` (a key of :data:`BASEMAPS`) to ``fmap``.

    ``None`` adds nothing, so the map needs no network. Tianditu needs ``key`` (see
    :func:`tianditu_key`); without one it raises ValueError saying where to put it. The
    layer control names the basemap as the sidebar does (label ``basemap_<name>``), and a
    note appears on the map when its tiles cannot be fetched (no network).
    """
    _check(basemap)
    providers, _ = BASEMAPS[basemap]
    if basemap == "tianditu" and not key:
        raise ValueError(
            f"The Tianditu basemap needs your own key (tk): set {TIANDITU_ENV} in the "
            "environment or type it in the app. Keys are issued at console.tianditu.gov.cn."
        )
    for i, provider in enumerate(providers):
        url = provider.build_url(tk=key) if "tk" in provider else provider.build_url()
        tiles = folium.TileLayer(
            tiles=url,
            attr=provider.html_attribution,
            name=label(f"basemap_{basemap}", lang) if i == 0 else provider.name,
            subdomains=provider.get("subdomains", "abc"),
            max_zoom=provider.get("max_zoom", 18),
            overlay=i > 0,  # Tianditu's labels sit over its vector map
            control=i == 0,
        )
        if i == 0:
            TileErrorNote(label("tiles_failed", lang)).add_to(tiles)
        tiles.add_to(fmap)
    return fmap


def _check(basemap: str | None) -> None:
    if basemap not in BASEMAPS:
        raise ValueError(f"Unknown basemap {basemap!r}; choose one of {list(BASEMAPS)}.")
