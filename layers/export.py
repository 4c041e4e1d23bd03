"""
File exports of a selection: RFC 7946 GeoJSON, and GeoPackages of several layers.

GDAL's GeoJSON driver does the RFC 7946 work (``RFC7946=YES``: WGS84 lon/lat, counter-clockwise
exterior rings, no ``crs`` member). Before it writes, coordinates are snapped to the 1e-7°
grid it will print (``shapely.set_precision``), which keeps every polygon valid after
rounding instead of hoping the rounding happens to be harmless. Features without an outline
are written with ``"geometry": null``, never dropped.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

__all__ = [
    "GEOJSON_DECIMALS",
    "geojson_bytes",
    "geopackage_bytes",
    "geopackage_layers",
    "write_geojson",
    "write_geopackage",
]

#: Geometry families: the layer name suffix and the one type a GeoPackage layer of it holds.
_FAMILIES = {
    "points": ("Point", "MultiPoint"),
    "lines": ("LineString", "MultiLineString"),
    "polygons": ("Polygon", "MultiPolygon"),
}

#: RFC 7946 §11.2 suggests 6 decimals (~10 cm); 7 (~1 cm) is the cap this project allows.
GEOJSON_DECIMALS = 7


def _prepared(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is None:
        raise ValueError(
            "The frame has no CRS; set it (e.g. frame.set_crs('EPSG:4326')) before exporting."
        )
    out = frame.to_crs("EPSG:4326")
    geoms = out.geometry.to_numpy()
    present = ~shapely.is_missing(geoms)
    grid = 10.0**-GEOJSON_DECIMALS
    snapped = geoms.copy()
    snapped[present] = shapely.orient_polygons(
        shapely.set_precision(geoms[present], grid), exterior_cw=False
    )
    out = out.set_geometry(gpd.GeoSeries(snapped, index=out.index, crs="EPSG:4326"))
    # pyogrio cannot write object columns holding mixed numbers and strings; keep text text.
    for column in out.columns.drop(out.geometry.name):
        if out[column].dtype == object:
            out[column] = out[column].astype("string")
    return out


def write_geojson(frame: gpd.GeoDataFrame, path: str | Path) -> Path:
    """
    Write ``frame`` as RFC 7946 GeoJSON and return the path.

    Any CRS is accepted and reprojected to EPSG:4326. Rows with no geometry are kept as
    features with ``"geometry": null``.
    """
    path = Path(path)
    out = _prepared(frame)
    pyogrio.write_dataframe(
        out,
        path,
        driver="GeoJSON",
        geometry_type="Unknown",
        layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": str(GEOJSON_DECIMALS)},
    )
    return path


def geojson_bytes(frame: gpd.GeoDataFrame) -> bytes:
    """The RFC 7946 GeoJSON of ``frame`` as bytes, for a download button."""
    with tempfile.TemporaryDirectory() as folder:
        return write_geojson(frame, Path(folder) / "layer.geojson").read_bytes()


def geopackage_layers(layers: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """
    The layers as a GeoPackage holds them: one geometry type per layer.

    A GeoDataFrame whose rows mix points, lines and polygons (the ``infra`` layer: tactile
    paving lines beside ramps and stops) becomes ``<name>_points``, ``<name>_lines`` and
    ``<name>_polygons``, so QGIS and ArcGIS read each as one typed layer rather than one of
    "Unknown" type. Rows without a geometry go with the first of those; a layer of one family
    keeps its name. Plain DataFrames stay attribute tables. No row is dropped.
    """
    out: dict[str, pd.DataFrame] = {}
    for name, frame in layers.items():
        if not isinstance(frame, gpd.GeoDataFrame):
            out[name] = frame
            continue
        kinds = frame.geometry.geom_type
        present = [f for f, types in _FAMILIES.items() if kinds.isin(types).any()]
        if len(present) <= 1:
            out[name] = frame
            continue
        missing = kinds.isna()
        for i, family in enumerate(present):
            rows = kinds.isin(_FAMILIES[family]) | (missing if i == 0 else False)
            out[f"{name}_{family}"] = frame[rows]
    return out


def write_geopackage(
    layers: dict[str, pd.DataFrame], path: str | Path, *, one_type_per_layer: bool = True
) -> Path:
    """
    Write several layers into one GeoPackage and return the path.

    GeoDataFrames become spatial layers in EPSG:4326, one geometry type each
    (:func:`geopackage_layers`; single parts are written as multi-parts where a layer mixes
    them), rows without geometry kept with a null geometry; plain DataFrames become attribute
    tables (the quarantine, the reconciliation). ``one_type_per_layer=False`` keeps a mixed
    layer whole, for a working file this toolkit reads back (``atlas infra`` → ``atlas
    coverage``, whose reader expects one ``infra`` layer). An existing file at ``path`` is
    replaced.
    """
    path = Path(path)
    path.unlink(missing_ok=True)
    split = geopackage_layers(layers) if one_type_per_layer else layers
    for name, frame in split.items():
        if isinstance(frame, gpd.GeoDataFrame):
            out = _prepared(frame)
            types = set(out.geometry.geom_type.dropna())
            multi = len(types) > 1  # Polygon beside MultiPolygon: all MultiPolygon
            pyogrio.write_dataframe(out, path, layer=name, driver="GPKG", promote_to_multi=multi)
            continue
        out = frame.copy()
        for column in out.columns:
            if out[column].dtype == "object":
                out[column] = out[column].astype("string")
        pyogrio.write_dataframe(out, path, layer=name, driver="GPKG")
    return path


def geopackage_bytes(layers: dict[str, pd.DataFrame]) -> bytes:
    """:func:`write_geopackage` into memory, for a download button."""
    with tempfile.TemporaryDirectory() as folder:
        return write_geopackage(layers, Path(folder) / "layers.gpkg").read_bytes()
