"""
File exports of a selection: RFC 7946 GeoJSON, GeoPackages of several layers, any bytes.

GDAL's GeoJSON driver does the RFC 7946 work (``RFC7946=YES``: WGS84 lon/lat, counter-clockwise
exterior rings, no ``crs`` member). Before it writes, coordinates are snapped to the 1e-7°
grid it will print (``shapely.set_precision``), which keeps every polygon valid after
rounding instead of hoping the rounding happens to be harmless. Features without an outline
are written with ``"geometry": null``, never dropped.

Every file is written whole or not at all: into a temporary file beside the target, renamed
over it only once complete (:func:`write_bytes`), so a full disk or a killed process leaves
no half file. :func:`check_output` refuses, before any work, a path whose folder is missing
or read-only, a folder, or a device (``/dev/full``); a failure while writing is an
:class:`~geo.errors.InputError` naming the path and the reason. GeoPackage text attributes
are neutralised against formula injection like the CSV and XLSX tables
(:func:`layers.spreadsheets.neutralise_formulas`): QGIS and Excel users open them in spreadsheets.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import pandas as pd
import shapely

from geo.errors import InputError
from geo.io import gdal as _gdal
from layers.spreadsheets import csv_bytes, neutralise_formulas, xlsx_bytes
from layers.tables import plain_table
from layers.wording import quarantine_messages

__all__ = [
    "GEOJSON_DECIMALS",
    "Download",
    "check_output",
    "geojson_bytes",
    "geopackage_bytes",
    "geopackage_layers",
    "layer_csv",
    "layers_xlsx",
    "write_bytes",
    "write_geojson",
    "write_geopackage",
]


class Download(NamedTuple):
    """
    A file a page offers: its button's words, its name, and what writes its bytes.

    ``write(*args)`` runs when the button is clicked, not on every rerun.
    """

    text: str
    file_name: str
    write: Callable[..., bytes]
    args: tuple = ()


#: Geometry families: the layer name suffix and the one type a GeoPackage layer of it holds.
_FAMILIES = {
    "points": ("Point", "MultiPoint"),
    "lines": ("LineString", "MultiLineString"),
    "polygons": ("Polygon", "MultiPolygon"),
}

#: RFC 7946 §11.2 suggests 6 decimals (~10 cm); 7 (~1 cm) is the cap this project allows.
GEOJSON_DECIMALS = 7

# Less free space than this after a failed write: the disk is full.
_NEARLY_FULL = 1 << 20
_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission is denied",
    errno.EPERM: "permission is denied",
    errno.EFBIG: "the file would be larger than this system allows",
}


def _refused(path: Path, reason: str) -> InputError:
    return InputError(
        f"Expected to write {str(path)!r}, but {reason}. Nothing was written there: choose a "
        "path in a folder that exists, that you can write to and that has space.",
        fix="output",
    )


def check_output(path: str | Path) -> Path:
    """
    Refuse an output path that cannot be written, before any work is done; the path.

    The folder must exist and be writable; the path must not be a folder or anything but a
    regular file (``/dev/full``, a pipe), nor a read-only file. Raises :class:`InputError`
    with ``fix="output"``.
    """
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise _refused(path, f"its folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _refused(path, f"its folder {str(folder)!r} is not writable")
    if path.is_dir():
        raise _refused(path, "it is a folder")
    if path.exists() or path.is_symlink():
        mode = path.lstat().st_mode
        if not stat.S_ISREG(mode) and not stat.S_ISLNK(mode):
            raise _refused(path, "it is not a regular file (a device or a pipe)")
        if not os.access(path, os.W_OK):
            raise _refused(path, "the file is read-only")
    return path


def _sidecars(tmp: Path) -> list[Path]:
    """A temporary file and what SQLite writes beside it (a GeoPackage's journal)."""
    return [tmp, *(tmp.with_name(tmp.name + end) for end in ("-journal", "-wal", "-shm"))]


def _written(path: Path, write: Callable[[Path], None]) -> Path:
    """Run ``write(tmp)`` on a temporary file beside ``path``, then rename it over ``path``."""
    path = check_output(path)
    descriptor, name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent
    )
    os.close(descriptor)
    tmp = Path(name)
    tmp.unlink()  # GDAL creates its files itself
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise _refused(path, _REASONS.get(exc.errno, exc.strerror or str(exc))) from None
    except _gdal.GDAL_ERRORS as exc:
        # GDAL words a full disk as a failed INSERT; the space left (before the temporary
        # file is removed) says what happened.
        free = shutil.disk_usage(path.parent).free
        if free < _NEARLY_FULL:
            raise _refused(path, f"the disk is full ({free:,} bytes left)") from None
        raise _refused(path, f"GDAL could not write it ({exc})") from None
    finally:
        for leftover in _sidecars(tmp):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    return path


def write_bytes(data: bytes, path: str | Path) -> Path:
    """Write ``data`` to ``path`` whole or not at all (temporary file, then rename)."""

    def write(tmp: Path) -> None:
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    return _written(Path(path), write)


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
    return _text_columns(out, keep=out.geometry.name)


def _text_columns(frame: pd.DataFrame, keep: str | None = None) -> pd.DataFrame:
    # pyogrio cannot write object columns holding mixed numbers and strings; keep text text.
    for column in frame.columns.drop(keep) if keep else frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].astype("string")
    return frame


def write_geojson(frame: gpd.GeoDataFrame, path: str | Path) -> Path:
    """
    Write ``frame`` as RFC 7946 GeoJSON and return the path.

    Any CRS is accepted and reprojected to EPSG:4326. Rows with no geometry are kept as
    features with ``"geometry": null``. Written whole or not at all.
    """
    out = _prepared(frame)
    options = {"RFC7946": "YES", "COORDINATE_PRECISION": str(GEOJSON_DECIMALS)}
    return _written(
        Path(path),
        lambda tmp: _gdal.write_dataframe(
            out, tmp, "GeoJSON", geometry_type="Unknown", layer_options=options
        ),
    )


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
    tables (the quarantine, its reasons worded in both languages beside their codes by
    :func:`layers.wording.quarantine_messages`; the reconciliation). ``one_type_per_layer=False``
    keeps a mixed layer whole, for a working file this toolkit reads back (``atlas infra`` → ``atlas
    coverage``, whose reader expects one ``infra`` layer). Text attributes are neutralised
    against formula injection. An existing file at ``path`` is replaced only once the new one
    is complete.
    """
    prepared = {}
    split = geopackage_layers(layers) if one_type_per_layer else layers
    for name, frame in split.items():
        if isinstance(frame, gpd.GeoDataFrame):
            out = _prepared(frame)
            geometry = out.geometry.name
            text = neutralise_formulas(pd.DataFrame(out.drop(columns=geometry)))
            out = gpd.GeoDataFrame(text, geometry=out.geometry, crs=out.crs)
            # Polygon beside MultiPolygon: all written as MultiPolygon, one type per layer.
            prepared[name] = (out, len(set(out.geometry.geom_type.dropna())) > 1)
        else:
            worded = quarantine_messages(frame)
            prepared[name] = (_text_columns(neutralise_formulas(worded.copy())), False)

    def write(tmp: Path) -> None:
        for name, (out, multi) in prepared.items():
            _gdal.write_dataframe(out, tmp, "GPKG", layer=name, promote_to_multi=multi)

    return _written(Path(path), write)


def geopackage_bytes(layers: dict[str, pd.DataFrame]) -> bytes:
    """:func:`write_geopackage` into memory, for a download button."""
    with tempfile.TemporaryDirectory() as folder:
        return write_geopackage(layers, Path(folder) / "layers.gpkg").read_bytes()


def layers_xlsx(layers: dict[str, pd.DataFrame]) -> bytes:
    """Every layer as a sheet of one workbook (:func:`layers.tables.plain_table`: WKT, lon/lat)."""
    return xlsx_bytes({name: plain_table(frame) for name, frame in layers.items()})


def layer_csv(frame: pd.DataFrame) -> bytes:
    """One layer as a CSV table with its provenance columns, geometry as WKT or lon/lat."""
    return csv_bytes(plain_table(frame))
