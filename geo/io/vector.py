"""
Open an uploaded vector file (GeoJSON, GeoPackage or zipped Shapefile) safely, in EPSG:4326.

Uploads are untrusted, so GDAL only ever sees a local file this module wrote into a private
temporary folder after checking it: an allow-listed suffix and magic bytes; for GeoJSON, JSON
parsed here with every ``crs`` member removed (linked and unknown CRS are refused, EPSG names
honoured); for zips, each Shapefile part copied out by hand with its path, type and real size
checked. Then ``pyogrio.read_info`` must name the driver the suffix promised.

Datum rules: a projected file CRS (e.g. EPSG:4547, CGCS2000 Gauss-Krüger) is reprojected with
pyproj. For a geographic file (EPSG:4326, EPSG:4490, CRS84 or plain RFC 7946 GeoJSON) the
caller's ``crs_name`` wins: GCJ-02 and BD-09 data mislabelled as WGS84 is common, so
``crs_name="gcj02"`` converts such a file with :mod:`geo.crs`. A file with no CRS at all needs
``crs_name``. Every refusal raises :class:`~geo.errors.InputError`; rows are never dropped
(empty and null geometries stay for the caller to quarantine).
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import io
import json
import re
import stat
import tempfile
import warnings
import zipfile
import zlib
from pathlib import Path, PurePosixPath, PureWindowsPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geo import crs
from geo.errors import InputError
from geo.io import gdal as _gdal

__all__ = [
    "LOCAL_UNPACK_RATIO",
    "MAX_UNPACKED_BYTES",
    "MAX_ZIP_ENTRIES",
    "VECTOR_SUFFIXES",
    "read_vector",
    "unpack_cap",
]

#: Upload suffixes read here; ``.zip`` is a zipped Shapefile.
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip")
#: Largest upload, or sum of unpacked zip members, in bytes.
MAX_UNPACKED_BYTES = 200 * 2**20
#: A local file may unpack to this many times its own size (Shapefiles zip 2-5×, bombs 1000×).
LOCAL_UNPACK_RATIO = 8
#: Most members a zipped Shapefile may hold.
MAX_ZIP_ENTRIES = 64

_DRIVERS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG", ".zip": "ESRI Shapefile"}
_ALLOWED = ".geojson, .json, .gpkg or .zip (a zipped Shapefile)"
_ZIP_PARTS = "zip the .shp, .shx, .dbf, .prj (and .cpg) together and upload the .zip"
_LEDGER = "Tables with coordinates are read as ledgers, not here."
_ELSEWHERE = dict.fromkeys((".csv", ".xlsx", ".xls"), _LEDGER)
_ELSEWHERE |= dict.fromkeys((".osm", ".pbf"), "OpenStreetMap extracts have their own importer.")
_ELSEWHERE |= dict.fromkeys(
    (".shp", ".shx", ".dbf"), f"A Shapefile is several files: {_ZIP_PARTS}."
)
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml", ".qmd")
# Only these are copied out for GDAL; indexes and metadata are checked but never read.
_EXTRACTED = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_CPG = {"UTF8": "UTF-8", "65001": "UTF-8", "GB18030": "GB18030", "54936": "GB18030"}
_CPG |= dict.fromkeys(("GBK", "936", "CP936", "ANSI936", "GB2312", "EUCCN"), "GB18030")
# GBK's superset GB18030 decodes every GBK/GB2312 file, so one name covers all three.
_GBK_LDIDS = (0x4D, 0x7A)
_EPSG_NAME = re.compile(
    r"(?:urn:ogc:def:crs:)?epsg:(?:[\d.]*:)?(\d{4,6})"
    r"|https?://www\.opengis\.net/def/crs/epsg/[\d.]+/(\d{4,6})",
    re.IGNORECASE,
)
_CRS84_NAME = re.compile(
    r"(?:urn:ogc:def:crs:ogc:(?:1\.3:)?|ogc:|https?://www\.opengis\.net/def/crs/ogc/1\.3/)?crs84",
    re.IGNORECASE,
)
_SHIFTED = ("gcj02", "bd09")
_GPKG_IDS = (b"GPKG", b"GP10", b"GP11")
_GEOJSON_TYPES = ("FeatureCollection", "Feature")
# Feature, field, geometry and CRS errors all subclass DataLayerError.
_PYOGRIO_ERRORS = _gdal.GDAL_ERRORS
# At most this much of a refused feature's raw text is kept in the quarantine.
_RAW_MAX = 10_000


def read_vector(
    data: bytes,
    name: str,
    *,
    crs_name: str | None = None,
    layer: str | None = None,
    max_unpacked: int = MAX_UNPACKED_BYTES,
) -> tuple[gpd.GeoDataFrame, dict]:
    """
    Read an uploaded GeoJSON, GeoPackage or zipped Shapefile into EPSG:4326.

    Parameters
    ----------
    data
        The uploaded bytes.
    name
        The upload's file name; its suffix must be one of :data:`VECTOR_SUFFIXES`.
    crs_name
        Datum of lon/lat coordinates, one of :data:`geo.crs.DATUMS`. Required when the file
        has no CRS; overrides a geographic file CRS (GCJ-02 data labelled WGS84); refused as
        GCJ-02/BD-09 for a projected file.
    layer
        GeoPackage layer to read; by default the first layer with geometries.
    max_unpacked
        Largest upload, or total unpacked size of a zip, in bytes.

    Returns
    -------
    tuple
        The features in EPSG:4326, in file order, with ``row`` (1-based feature number), the
        attribute columns (dates as text) and ``geometry``; null and empty geometries are kept.
        A file column already called ``row`` becomes ``attr_row``. Then an info dict with
        ``driver``, ``declared_crs``, ``datum`` (applied), ``encoding`` (Shapefile DBF),
        ``layer`` and ``layers`` (GeoPackage) and ``stripped_crs_member`` (GeoJSON).

    Raises
    ------
    InputError
        When the file is refused as a whole; the message says what was expected and the fix.
    """
    suffix = _check_suffix(name)
    datum = _check_datum(crs_name)
    driver = _DRIVERS[suffix]
    with tempfile.TemporaryDirectory(prefix="atlas-upload-") as tmp:
        path, encoding, declared, stripped = _stage(data, name, suffix, Path(tmp), max_unpacked)
        gdal_encoding = _check_driver(path, name, driver)
        chosen, layers = _choose_layer(path, name, layer) if driver == "GPKG" else (None, [])
        frame, unbuilt = _read_features(path, name, driver, chosen, encoding)
    if unbuilt and driver == "GeoJSON":
        unbuilt = _with_raw_json(unbuilt, data, len(frame))
    frame = frame.rename(columns={"row": "attr_row"})
    frame.insert(0, "row", np.arange(1, len(frame) + 1))
    file_crs = declared if driver == "GeoJSON" else frame.crs
    frame, applied = _to_wgs84(frame, file_crs, datum, name, geojson=driver == "GeoJSON")
    info = {
        "driver": driver,
        "declared_crs": None if file_crs is None else _crs_label(file_crs),
        "datum": applied,
        "encoding": (encoding or gdal_encoding) if driver == "ESRI Shapefile" else None,
        "layer": chosen,
        "layers": layers,
        "stripped_crs_member": stripped,
        "unbuilt": unbuilt,
    }
    return frame, info


def unpack_cap(size: int) -> int:
    """
    The ``max_unpacked`` of a local file of ``size`` bytes (one named on the command line).

    The upload cap protects the app; a local file is already on the planner's disk, and the
    toolkit must read back what it wrote (`atlas infra` writes 232 MB for 1M features). So the
    cap scales with the file: a GeoPackage or GeoJSON is never refused for its size, and a
    zipped Shapefile may unpack to :data:`LOCAL_UNPACK_RATIO` times its own size, never less
    than an upload may.
    """
    return max(MAX_UNPACKED_BYTES, LOCAL_UNPACK_RATIO * size)


def _read_features(
    path: Path, name: str, driver: str, layer: str | None, encoding: str | None
) -> tuple[gpd.GeoDataFrame, dict[int, tuple[str, str]]]:
    """
    The features, with the geometries GEOS cannot build set to None and listed.

    GDAL hands over what the file says (an open ring, a one-point line); GEOS refuses to
    build such a geometry, and one refusal would sink the file. So each feature's WKB is
    built on its own: the list maps a feature's position to (GEOS's reason, the WKB in hex).
    """
    try:
        with warnings.catch_warnings():
            # GDAL warns per open ring it passes on; GEOS's refusal below says it per feature.
            warnings.filterwarnings("ignore", "Non closed ring", RuntimeWarning)
            meta, _, wkb, fields = _gdal.read_raw(
                path, driver, layer=layer, encoding=encoding, datetime_as_string=True
            )
    except _gdal.GDAL_ERRORS as exc:
        raise InputError(
            f"Expected a readable {driver} file, got {name!r}, which GDAL cannot read: {exc}. "
            "Export it again from the GIS program.",
            code="vector_unreadable",
            details={"name": name},
        ) from exc
    columns = list(meta["fields"])
    table = pd.DataFrame(dict(zip(columns, fields, strict=True)), columns=columns)
    if wkb is None:
        wkb = np.full(len(table), None, dtype=object)
    geometry = shapely.from_wkb(wkb, on_invalid="ignore")
    unbuilt = {}
    for i in np.flatnonzero(shapely.is_missing(geometry) & pd.notna(wkb)):
        try:
            shapely.from_wkb(wkb[i])
        except shapely.errors.GEOSException as exc:
            reason = str(exc).removeprefix("IllegalArgumentException: ")
            unbuilt[int(i)] = (reason, bytes(wkb[i]).hex()[:_RAW_MAX])
    return gpd.GeoDataFrame(table, geometry=geometry, crs=meta["crs"]), unbuilt


def _with_raw_json(unbuilt: dict, data: bytes, count: int) -> dict[int, tuple[str, str]]:
    """Each unbuilt feature's own GeoJSON text, when the file's features line up with GDAL's."""
    features = json.loads(data).get("features")
    if not isinstance(features, list) or len(features) != count:
        return unbuilt
    return {
        i: (reason, json.dumps(features[i], ensure_ascii=False)[:_RAW_MAX])
        for i, (reason, _) in unbuilt.items()
    }


def _stage(
    data: bytes, name: str, suffix: str, folder: Path, max_unpacked: int
) -> tuple[Path, str | None, pyproj.CRS | None, bool]:
    """Check the upload and write what GDAL may read: path, DBF encoding, GeoJSON CRS, stripped."""
    if suffix == ".zip":
        return *_unpack_shapefile(data, name, folder, max_unpacked), None, False
    if len(data) > max_unpacked:
        raise InputError(
            f"Expected an upload of at most {max_unpacked} bytes, got {len(data)} bytes "
            f"({name!r}). Split the file, or clip it to the area you need.",
            code="vector_bytes",
            details={"name": name, "cap": f"{max_unpacked:,}"},
        )
    if suffix == ".gpkg":
        return _write_gpkg(data, name, folder), None, None, False
    path, declared, stripped = _write_geojson(data, name, folder)
    return path, None, declared, stripped


def _check_suffix(name: str) -> str:
    suffix = PurePosixPath(str(name).replace("\\", "/")).suffix.lower()
    if suffix not in VECTOR_SUFFIXES:
        hint = _ELSEWHERE.get(suffix, "Export the layer as GeoJSON or GeoPackage (e.g. in QGIS).")
        raise InputError(
            f"Expected a {_ALLOWED} file, got {name!r}. {hint}",
            code="vector_suffix",
            details={"name": name},
        )
    return suffix


def _check_datum(crs_name: str | None) -> str | None:
    if crs_name is None:
        return None
    datum = str(crs_name).strip().lower().replace("-", "").replace("_", "")
    if datum not in crs.DATUMS:
        raise InputError(
            f"Expected crs_name to be one of {', '.join(crs.DATUMS)}, got {crs_name!r}. "
            "Pick the datum of the coordinates, or leave it empty to use the file's own CRS.",
            code="unknown_datum",
            details={"value": str(crs_name)},
        )
    return datum


def _check_driver(path: Path, name: str, expected: str) -> str | None:
    """Refuse unless GDAL opens ``path`` with the driver the suffix promised; its encoding."""
    try:
        found = _gdal.read_info(path, expected, layer=0)
    except _gdal.OtherDriverError as exc:
        raise InputError(
            f"Expected a {expected} file, got {name!r}, which GDAL reads as {exc.found}. "
            f"Export it as {expected}, or name it after its real format.",
            code="vector_format",
            details={"name": name, "found": str(exc.found)},
        ) from None
    except _PYOGRIO_ERRORS as exc:
        raise InputError(
            f"Expected a {expected} file, got {name!r}, which GDAL cannot open ({exc}). "
            "Export it again from the GIS program.",
            code="vector_unreadable",
            details={"name": name},
        ) from exc
    return found.get("encoding")


def _write_gpkg(data: bytes, name: str, folder: Path) -> Path:
    # An SQLite header, then the GeoPackage application_id (1.2+, or 1.0/1.1) at byte 68.
    if not data.startswith(b"SQLite format 3\x00") or data[68:72] not in _GPKG_IDS:
        raise InputError(
            f"Expected a GeoPackage (an SQLite file with application_id GPKG), got {name!r} "
            f"starting {data[:16]!r}. Save the layer again as GeoPackage.",
            code="gpkg_magic",
            details={"name": name},
        )
    path = folder / "upload.gpkg"
    path.write_bytes(data)
    return path


def _choose_layer(path: Path, name: str, layer: str | None) -> tuple[str, list[str]]:
    layers = [str(row[0]) for row in _gdal.list_layers(path, "GPKG") if row[1] is not None]
    if not layers or (layer is not None and layer not in layers):
        raise InputError(
            f"Expected a GeoPackage layer {'with geometries' if layer is None else repr(layer)}, "
            f"got {name!r} with geometry layers {layers}. Pass one of those as layer=.",
            code="gpkg_layer",
            details={"name": name, "layers": "/".join(layers)},
        )
    return layer or layers[0], layers


def _write_geojson(data: bytes, name: str, folder: Path) -> tuple[Path, pyproj.CRS | None, bool]:
    """Parse GeoJSON here and strip every ``crs`` member: path, declared CRS, stripped."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):  # also UnicodeDecodeError: RFC 7946 is UTF-8
        document = None
    if not isinstance(document, dict) or document.get("type") not in _GEOJSON_TYPES:
        raise InputError(
            f"Expected GeoJSON (a UTF-8 JSON FeatureCollection or Feature), got {name!r}, which "
            f"is not GeoJSON: it starts {data[:40]!r}. Export the layer as GeoJSON.",
            code="geojson_not",
            details={"name": name},
        )
    members = _strip_crs_members(document)
    labels = {_crs_label(c): c for c in (_parse_crs_member(m, name) for m in members) if c}
    if len(labels) > 1:
        raise InputError(
            f"Expected one CRS per GeoJSON file, got {sorted(labels)} in {name!r}. "
            "Reproject the features to a single CRS.",
            code="geojson_crs_mixed",
            details={"name": name},
        )
    path = folder / "upload.geojson"
    path.write_bytes(json.dumps(document, ensure_ascii=False).encode("utf-8"))
    return path, next(iter(labels.values()), None), bool(members)


def _strip_crs_members(document: dict) -> list:
    """Pop ``crs`` from the document, its features and their (nested) geometries."""
    members = [document.pop("crs")] if "crs" in document else []
    features = document.get("features") if document["type"] == "FeatureCollection" else [document]
    pending = (
        [item for item in features if isinstance(item, dict)] if isinstance(features, list) else []
    )
    while pending:
        item = pending.pop()
        if "crs" in item:
            members.append(item.pop("crs"))
        children = [item.get("geometry"), *(item.get("geometries") or [])]
        pending.extend(child for child in children if isinstance(child, dict))
    return members


def _parse_crs_member(member: object, name: str) -> pyproj.CRS | None:
    """An EPSG or CRS84 ``name`` member as a CRS, parsed offline; ``null`` says nothing."""
    if member is None:
        return None
    fields = member if isinstance(member, dict) else {}
    props = fields.get("properties")
    given = props.get("name") if isinstance(props, dict) and fields.get("type") == "name" else None
    text = given.strip() if isinstance(given, str) else ""
    user_input: str | None
    if match := _EPSG_NAME.fullmatch(text):
        user_input = f"EPSG:{match.group(1) or match.group(2)}"
    else:
        user_input = "OGC:CRS84" if _CRS84_NAME.fullmatch(text) else None
    if user_input is not None:
        # Only "EPSG:<code>" or "OGC:CRS84" reach PROJ, which resolves them from its local db.
        with contextlib.suppress(pyproj.exceptions.CRSError):  # unknown code: refused below
            return pyproj.CRS.from_user_input(user_input)
    raise InputError(
        f"Expected a GeoJSON crs member naming an EPSG code, such as "
        f'{{"type": "name", "properties": {{"name": "EPSG:4547"}}}}, got {str(member)[:160]!r} '
        f"in {name!r}. Linked and unknown CRS are refused: declare the CRS by name (EPSG code), "
        "or convert the file to RFC 7946 WGS84 lon/lat.",
        code="geojson_crs_member",
        details={"name": name},
    )


def _crs_label(file_crs: pyproj.CRS) -> str:
    authority = file_crs.to_authority()
    return ":".join(authority) if authority else file_crs.name


def _unpack_shapefile(
    data: bytes, name: str, folder: Path, max_unpacked: int
) -> tuple[Path, str | None]:
    """Copy the one Shapefile's parts out of the zip by hand; its path and DBF encoding."""
    archive, entries = _open_zip(data, name, max_unpacked)
    shps = [entry for entry in entries if _member(entry).suffix.lower() == ".shp"]
    if len(shps) != 1:
        raise InputError(
            f"Expected exactly one .shp in {name!r}, got {[e.filename for e in shps]}. "
            f"Upload one layer per zip: {_ZIP_PARTS}.",
            code="shp_zip",
            details={"name": name},
        )
    stem = _member(shps[0]).stem.casefold()
    chosen: dict[str, list[zipfile.ZipInfo]] = {suffix: [] for suffix in _EXTRACTED}
    for entry in entries:
        member = _member(entry)
        if member.stem.casefold() == stem and member.suffix.lower() in chosen:
            chosen[member.suffix.lower()].append(entry)
    if not chosen[".shx"] or not chosen[".dbf"] or any(len(v) > 1 for v in chosen.values()):
        raise InputError(
            f"Expected one .shx and one .dbf named like {shps[0].filename!r}, got "
            f"{[e.filename for e in entries]}. {_ZIP_PARTS}.",
            code="shp_zip",
            details={"name": name},
        )
    written = 0
    for suffix, (entry, *_) in ((suffix, found) for suffix, found in chosen.items() if found):
        # A fixed flat name: no member path or name of the upload ever reaches the file system.
        written = _extract(archive, entry, folder / f"upload{suffix}", written, max_unpacked)
    return folder / "upload.shp", _dbf_encoding(folder)


def _open_zip(
    data: bytes, name: str, max_unpacked: int
) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """Open the zip and refuse it unless every member is a safe Shapefile part; its files."""
    try:
        if not data.startswith(b"PK\x03\x04"):
            raise zipfile.BadZipFile(f"it starts {data[:8]!r}")
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InputError(
            f"Expected a zip archive, got {name!r} ({exc}). {_ZIP_PARTS}.",
            code="shp_zip",
            details={"name": name},
        ) from None
    if len(archive.infolist()) > MAX_ZIP_ENTRIES:
        raise InputError(
            f"Expected at most {MAX_ZIP_ENTRIES} members in {name!r}, got "
            f"{len(archive.infolist())}. Zip one Shapefile's parts per upload.",
            code="shp_zip",
            details={"name": name},
        )
    entries = [entry for entry in archive.infolist() if not entry.is_dir()]
    if problems := [problem for entry in entries if (problem := _entry_problem(entry))]:
        raise InputError(
            f"Expected only Shapefile parts ({', '.join(_SHAPEFILE_PARTS)}) at plain relative "
            f"paths in {name!r}, got {'; '.join(problems)}. Zip only the Shapefile's own files.",
            code="shp_zip",
            details={"name": name},
        )
    if (declared := sum(entry.file_size for entry in entries)) > max_unpacked:
        raise InputError(
            f"Expected {name!r} to unpack to at most {max_unpacked} bytes, got members "
            f"declaring {declared} bytes. Split the layer, or clip it to the area you need.",
            code="vector_bytes",
            details={"name": name, "cap": f"{max_unpacked:,}"},
        )
    return archive, entries


def _member(entry: zipfile.ZipInfo) -> PurePosixPath:
    """A member's base name (either slash separates folders), never used as a path to write."""
    return PurePosixPath(entry.filename.replace("\\", "/").rsplit("/", 1)[-1])


def _entry_problem(entry: zipfile.ZipInfo) -> str | None:
    """Why a zip member is refused (zip-slip, link, encryption, type), or None."""
    raw = entry.filename
    parts = raw.replace("\\", "/").split("/")
    if raw.startswith(("/", "\\")) or PureWindowsPath(raw).drive or ":" in parts[0]:
        return f"{raw!r} (an absolute path or drive)"
    if ".." in parts:
        return f"{raw!r} (a '..' path part)"
    if stat.S_ISLNK(entry.external_attr >> 16):
        return f"{raw!r} (a symbolic link)"
    if entry.flag_bits & 0x1:
        return f"{raw!r} (encrypted)"
    if _member(entry).suffix.lower() not in _SHAPEFILE_PARTS:
        return f"{raw!r} (not a Shapefile part)"
    return None


def _extract(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, target: Path, written: int, limit: int
) -> int:
    """Stream one member to ``target``, counting real bytes: zip headers can lie."""
    try:
        with archive.open(entry) as source, target.open("wb") as sink:
            while chunk := source.read(2**16):
                written += len(chunk)
                if written > limit:
                    raise InputError(
                        f"Expected the zip to unpack to at most {limit} bytes, got more while "
                        f"unpacking {entry.filename!r} (its header understates its size). "
                        "Zip the Shapefile again with a standard tool.",
                        code="vector_bytes",
                        details={"name": entry.filename, "cap": f"{limit:,}"},
                    )
                sink.write(chunk)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError) as exc:
        raise InputError(
            f"Expected an intact zip member, got {entry.filename!r}, which cannot be unpacked "
            f"({exc}). Zip the Shapefile again with a standard tool.",
            code="vector_unreadable",
            details={"name": entry.filename},
        ) from exc
    return written


def _dbf_encoding(folder: Path) -> str | None:
    """Encoding to pass to pyogrio: from the .cpg, else the language driver, else sniffed."""
    cpg = folder / "upload.cpg"
    if cpg.exists():
        text = cpg.read_bytes().decode("ascii", "replace").strip()
        key = re.sub(r"[\s_-]", "", text).upper()
        if key in _CPG:
            return _CPG[key]
        try:
            return codecs.lookup(f"CP{key}" if key.isdigit() else key).name.upper()
        except LookupError:
            raise InputError(
                f"Expected a .cpg naming a code page such as UTF-8 or GBK, got {text!r}. "
                "Fix the .cpg, or leave it out of the zip.",
                code="shp_cpg",
                details={"value": text},
            ) from None
    dbf = (folder / "upload.dbf").read_bytes()
    language_driver = dbf[29] if len(dbf) > 32 else 0
    if language_driver in _GBK_LDIDS:
        return "GB18030"
    if language_driver not in (0x00, 0x57):
        return None  # a specific code page GDAL maps itself; read_info reports which
    return _sniff_dbf(dbf)


def _sniff_dbf(dbf: bytes) -> str:
    """UTF-8 or GB18030, whichever decodes the field names and records strictly."""
    header_length = int.from_bytes(dbf[8:10], "little")
    descriptors = dbf[32:header_length]
    names = [descriptors[i : i + 11].split(b"\0")[0] for i in range(0, len(descriptors) - 31, 32)]
    sample = b" ".join(names) + b" " + dbf[header_length:].rstrip(b"\x1a")
    if sample.isascii():
        return "UTF-8"  # plain ASCII reads the same either way
    for encoding in ("UTF-8", "GB18030"):
        try:
            sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    raise InputError(
        "Expected the Shapefile's .dbf text in UTF-8 or GBK/GB18030 (there is no .cpg), got "
        "bytes that are neither. Add a .cpg naming its code page (e.g. 'GBK') to the zip.",
        code="shp_dbf_encoding",
        details={},
    )


def _to_wgs84(
    frame: gpd.GeoDataFrame,
    file_crs: pyproj.CRS | None,
    datum: str | None,
    name: str,
    *,
    geojson: bool,
) -> tuple[gpd.GeoDataFrame, str]:
    """Bring the frame to EPSG:4326 following the module's datum rules; the datum applied."""
    if file_crs is not None and file_crs.is_projected:
        if datum in _SHIFTED:
            raise InputError(
                f"Expected no {datum} declaration for {name!r}, which is in the projected CRS "
                f"{_crs_label(file_crs)}; a projected survey CRS cannot be GCJ-02 or BD-09. "
                "Leave crs_name empty (or wgs84/cgcs2000).",
                code="vector_projected_datum",
                details={"name": name, "datum": str(datum)},
            )
        # CGCS2000 → WGS84 is a null shift at map scale (centimetres), so PROJ needs no grid.
        return frame.set_crs(file_crs, allow_override=True).to_crs(4326), _crs_label(file_crs)
    if file_crs is None and not geojson and datum is None:
        raise InputError(
            f"Expected a CRS for {name!r}, got none (no .prj, or an undefined GeoPackage SRS). "
            f"Pass the datum of its lon/lat ({', '.join(crs.DATUMS)}), or add the .prj.",
            code="vector_no_crs",
            details={"name": name},
        )
    if file_crs is not None and not file_crs.is_geographic:
        raise InputError(
            f"Expected a geographic or projected CRS for {name!r}, got {file_crs.name!r}. "
            "Reproject the layer to EPSG:4326 or a CGCS2000 Gauss-Krüger zone.",
            code="vector_crs_kind",
            details={"name": name, "crs": str(file_crs.name)},
        )
    _check_degrees(frame, name)
    # GeoJSON and pyogrio give x = lon whatever axis order the EPSG code declares (4326 and
    # 4490 say lat first); geopandas reprojects with always_xy, so x stays lon.
    frame = frame.set_crs(file_crs or 4326, allow_override=True).to_crs(4326)
    if datum in _SHIFTED:
        # The caller's datum wins over a geographic label: Amap/Baidu exports often say WGS84.
        convert = functools.partial(crs.to_wgs84, datum=datum)
        geometries = crs.transform_geometries(np.asarray(frame.geometry.array), convert)
        frame["geometry"] = gpd.GeoSeries(geometries, index=frame.index, crs=4326)
    return frame, datum or (_crs_label(file_crs) if file_crs is not None else "wgs84")


def _check_degrees(frame: gpd.GeoDataFrame, name: str) -> None:
    """Refuse lon/lat outside ±180/±90: metres from a projected CRS read as degrees."""
    bounds = shapely.bounds(np.asarray(frame.geometry.array))  # NaN rows for null/empty
    lon, lat = bounds[:, [0, 2]], bounds[:, [1, 3]]
    bad = ((np.abs(lon) > 180) | (np.abs(lat) > 90)).any(axis=1)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"Expected lon/lat degrees in {name!r} (lon -180..180, lat -90..90), got bounds "
            f"{bounds[first].round(3).tolist()} at row {first + 1}: these look projected "
            "(metres), e.g. CGCS2000 Gauss-Krüger such as EPSG:4547. Declare the EPSG code "
            '(a .prj in the zip, or a GeoJSON crs name such as "EPSG:4547").',
            code="vector_projected",
            details={"name": name, "row": str(first + 1)},
        )
