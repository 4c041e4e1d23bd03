"""
GDAL, set up once for hostile files: four drivers, no network, and every open checked.

Imported by ``geo/__init__.py`` (and so by ``layers``), it sets GDAL's environment before
anything imports pyogrio, since GDAL reads ``GDAL_SKIP`` when it registers its drivers, which
pyogrio does on import; pyogrio itself is imported on first use, so ``import geo`` stays
light. The rules, all here:

- **Drivers: an allow-list.** Only :data:`ALLOWED_DRIVERS` stay registered: GeoJSON, GPKG and
  ESRI Shapefile (uploads, the toolkit's own files) and OSM (extracts). Every other vector
  driver is skipped, among them ``OGR_VRT`` (an XML file that makes GDAL open any other
  path, local or ``/vsicurl/``) and those that fetch by themselves (WFS, OAPIF, Elasticsearch,
  CSW, Carto, NGW, EEDA, HTTP, ...). If pyogrio was imported before this module, its drivers
  are registered again with the skip list set, which GDAL answers by deregistering them.
- **No network.** ``/vsicurl/`` may open only a file name that cannot exist, with no retry, a
  one-second timeout and no ``.netrc``; so a path that slips through still sends nothing.
- **Each open names its driver.** :func:`read_info`, :func:`read_dataframe`,
  :func:`read_own`, :func:`read_own_raw`, :func:`list_layers`, :func:`read_raw` and
  :func:`write_dataframe` take the driver the caller expects; the file is refused unless GDAL
  opened it with that one. Callers check magic bytes and structure first
  (:mod:`geo.io.vector`, :mod:`geo.io.osm`): GDAL is the second guard.

GDAL errors are :class:`pyogrio.errors.DataSourceError`, ``DataLayerError`` and
:class:`OtherDriverError` (``GDAL_ERRORS``); the callers turn them into messages.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import warnings
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pyogrio's frames and arrays; pandas is imported where a frame is read
    import numpy as np
    import pandas as pd

__all__ = [  # and GDAL_ERRORS, made on first use (see __getattr__)
    "ALLOWED_DRIVERS",
    "NETWORK_OFF",
    "OtherDriverError",
    "list_layers",
    "read_dataframe",
    "read_info",
    "read_own",
    "read_own_raw",
    "read_raw",
    "set_config",
    "write_dataframe",
]

#: The only vector drivers GDAL keeps registered.
ALLOWED_DRIVERS = ("GeoJSON", "GPKG", "ESRI Shapefile", "OSM")

# Skipped before GDAL first registers drivers: those that open other files or the network
# by what a file says (VRT, GTI, GDALG), and those that fetch by themselves; all are built
# into pyogrio's GDAL (a name GDAL lacks costs a warning). Every other vector driver is
# removed after import, by name, against ALLOWED_DRIVERS.
_NEVER = (
    "OGR_VRT",
    "VRT",
    "GTI",
    "GDALG",
    "HTTP",
    "WFS",
    "OAPIF",
    "OGCAPI",
    "CSW",
    "WMS",
    "WMTS",
    "WCS",
    "Elasticsearch",
    "Carto",
    "AmigoCloud",
    "NGW",
    "EEDA",
    "EEDAI",
    "DAAS",
    "PLSCENES",
    "PLMOSAIC",
    "STACTA",
    "STACIT",
    "ADBC",
    "AIVector",
    "GPSBabel",
)

#: Config options that keep GDAL off the network, whatever a file or the environment says.
NETWORK_OFF = {
    # /vsicurl/ opens only files with this extension, and only this one file name.
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".atlas-network-off",
    "CPL_VSIL_CURL_ALLOWED_FILENAME": "/vsicurl/atlas-network-off.atlas-network-off",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_NETRC": "NO",
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    # A GeoPackage's views and triggers may not call GDAL's SQL functions.
    "ALLOW_OGR_SQL_FUNCTIONS_FROM_TRIGGER_AND_VIEW": "NO",
    "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
}


def _skip_list(names: Iterable[str]) -> str:
    # Commas: some driver names have spaces (MapInfo File), which GDAL_SKIP would split.
    return ",".join(sorted(set(names)))


_before = os.environ.get("GDAL_SKIP", "")
os.environ["GDAL_SKIP"] = _skip_list([*_NEVER, *filter(None, _before.replace(",", " ").split())])
os.environ.update(NETWORK_OFF)


class OtherDriverError(ValueError):
    """GDAL opened the file with another driver than the one the caller named."""

    def __init__(self, path: Path, driver: str, found: str) -> None:
        self.found = found
        super().__init__(f"{path.name} was opened by GDAL's {found} driver, not {driver}")


@functools.cache
def _pyogrio() -> ModuleType:
    """pyogrio, imported on first use (after GDAL_SKIP is set) and restricted once."""
    import pyogrio

    pyogrio.set_gdal_config_options(NETWORK_OFF)
    extra = set(pyogrio.list_drivers()) - set(ALLOWED_DRIVERS)
    if extra:
        from pyogrio._ogr import _register_drivers

        # pyogrio was loaded before this module set GDAL_SKIP, or GDAL has drivers _NEVER
        # does not name: GDAL deregisters the drivers in GDAL_SKIP each time it registers.
        pyogrio.set_gdal_config_options({"GDAL_SKIP": _skip_list([*_NEVER, *extra])})
        with warnings.catch_warnings():
            # Names skipped before, at import, are no longer there to skip: GDAL says so.
            warnings.filterwarnings("ignore", "Unable to find driver", RuntimeWarning)
            _register_drivers()
    left = set(pyogrio.list_drivers()) - set(ALLOWED_DRIVERS)
    if left:
        raise ImportError(
            f"Expected GDAL to register only {ALLOWED_DRIVERS}; {sorted(left)} are still "
            "registered and may open files by what they say."
        )
    return pyogrio


def __getattr__(name: str) -> tuple[type[Exception], ...]:
    # GDAL_ERRORS needs pyogrio; importing it waits for the first module that asks.
    if name == "GDAL_ERRORS":
        errors = _pyogrio().errors
        return (errors.DataSourceError, errors.DataLayerError, OtherDriverError)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _check(driver: str) -> None:
    if driver not in ALLOWED_DRIVERS:
        raise ValueError(f"Expected a driver among {ALLOWED_DRIVERS}, got {driver!r}.")


def read_info(path: str | Path, driver: str, **kwargs: Any) -> dict:
    """``pyogrio.read_info``; :class:`OtherDriverError` unless GDAL used ``driver``."""
    _check(driver)
    info = _pyogrio().read_info(path, **kwargs)
    if info["driver"] != driver:
        raise OtherDriverError(Path(path), driver, info["driver"])
    return info


def list_layers(path: str | Path, driver: str) -> np.ndarray:
    """``pyogrio.list_layers`` of a file GDAL opens with ``driver``."""
    read_info(path, driver, layer=0)
    return _pyogrio().list_layers(path)


def read_dataframe(path: str | Path, driver: str, **kwargs: Any) -> pd.DataFrame:
    """``pyogrio.read_dataframe`` of a file GDAL opens with ``driver``."""
    read_info(path, driver, layer=kwargs.get("layer") or 0)
    return _pyogrio().read_dataframe(path, **kwargs)


# GDAL checks open options against the driver that opened the file, and only that one.
_FOREIGN_OPTION = re.compile(r"driver (?P<driver>.+) does not support open option ")


@functools.cache
def _open_options(driver: str) -> frozenset[str]:
    """The open options ``driver`` declares (an empty set: it declares none)."""
    from pyogrio._ogr import _get_driver_metadata_item

    listed = _get_driver_metadata_item(driver, "DMD_OPENOPTIONLIST") or ""
    return frozenset(re.findall(r"<Option name='([^']+)'", listed))


def read_own(path: str | Path, driver: str, options: dict[str, str], **kwargs: Any) -> pd.DataFrame:
    """
    ``pyogrio.read_dataframe`` with ``driver``'s own open ``options``: the read checks itself.

    GDAL checks open options against the driver that opened the file and warns of each it
    does not know ("driver GPKG does not support open option CONFIG_FILE"). ``options`` must
    hold one that every other allowed driver lacks (each declares a list), so such a warning
    means another driver read the file: it is refused with :class:`OtherDriverError`, as
    :func:`read_info` refuses it, without opening the file a second time (GDAL's OSM driver
    parses an extract on every open). Other warnings are passed on as GDAL gave them.
    """
    return _read_own(_pyogrio().read_dataframe, path, driver, options, **kwargs)


def read_own_raw(path: str | Path, driver: str, options: dict[str, str], **kwargs: Any) -> tuple:
    """
    ``pyogrio.raw.read`` (fields and WKB, no frame built) with ``driver``'s own open ``options``.

    Checked as :func:`read_own` checks: a warning that another driver ignored an option of
    ``options`` refuses the file with :class:`OtherDriverError`. Returns ``(meta, fids,
    geometry, field_data)``: what ``read_dataframe`` builds its frame from, without the cost
    of a frame (pandas infers a string type for each text column, cell by cell).
    """
    return _read_own(_pyogrio().raw.read, path, driver, options, **kwargs)


def _read_own(
    read: Any, path: str | Path, driver: str, options: dict[str, str], **kwargs: Any
) -> Any:
    _check(driver)
    for other in set(ALLOWED_DRIVERS) - {driver}:
        if not _open_options(other) or set(options) <= _open_options(other):
            raise ValueError(
                f"Expected an open option of {driver} that {other} does not declare; got "
                f"{sorted(options)}."
            )
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = read(path, **options, **kwargs)
    for warning in seen:
        foreign = _FOREIGN_OPTION.match(str(warning.message))
        if foreign and foreign["driver"] != driver:
            raise OtherDriverError(Path(path), driver, foreign["driver"])
    for warning in seen:
        _warn_again(warning)
    return result


def _warn_again(warning: warnings.WarningMessage) -> None:
    """Issue a recorded warning again, under its own module's name (as filters match it)."""
    module = next(
        (
            name
            for name, loaded in list(sys.modules.items())
            if getattr(loaded, "__file__", None) == warning.filename
        ),
        None,
    )
    warnings.warn_explicit(
        warning.message, warning.category, warning.filename, warning.lineno, module=module
    )


def read_raw(path: str | Path, driver: str, **kwargs: Any) -> tuple[Any, ...]:
    """``pyogrio.raw.read`` (fields and WKB, nothing built) of a file GDAL opens with ``driver``."""
    read_info(path, driver, layer=kwargs.get("layer") or 0)
    return _pyogrio().raw.read(path, **kwargs)


def set_config(options: dict[str, str]) -> None:
    """Set GDAL config options (e.g. the OSM driver's), never the ones :data:`NETWORK_OFF` holds."""
    clash = sorted(set(options) & {*NETWORK_OFF, "GDAL_SKIP"})
    if clash:
        raise ValueError(f"Expected no network or driver option, got {clash}.")
    _pyogrio().set_gdal_config_options(options)


def write_dataframe(frame: pd.DataFrame, path: str | Path, driver: str, **kwargs: Any) -> None:
    """``pyogrio.write_dataframe`` with the driver named (GPKG or GeoJSON)."""
    _check(driver)
    _pyogrio().write_dataframe(frame, path, driver=driver, **kwargs)
