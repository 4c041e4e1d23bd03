"""
An OpenStreetMap extract, checked before GDAL reads it: what it is, and that it is whole.

GDAL's OSM driver says nothing when a file stops early (a truncated ``.osm.pbf`` gave 0 of
15 sidewalks, exit 0), and it opens as OSM anything with ``<osm`` near its start, a VRT
with the text in a comment included. So, before GDAL sees a file:

1. **XML**: the root element is parsed with ``defusedxml`` (a DTD or an entity is refused)
   and must be ``<osm>``; a substring is not enough.
2. **PBF**: the first block must be an ``OSMHeader``.
3. **Whole**: pyosmium (libosmium) reads the file to its end in C++, handing no object to
   Python: a truncated or corrupt file is refused with how far it got (the XML line and
   column, or the nodes, ways and relations read before the PBF broke off). libosmium
   refuses XML entities too. About 0.01-0.02 s on the real extracts of the tests.
"""

from __future__ import annotations

import contextlib
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import defusedxml
import defusedxml.ElementTree
import osmium

from geo.errors import InputError

__all__ = ["MAX_OSM_BYTES", "check_osm"]

#: Largest extract read (a city's extract is a few MB; a province's, a few hundred).
MAX_OSM_BYTES = 2 * 2**30
_PBF_MAGIC = b"OSMHeader"
_GET_EXTRACT = "Download the extract again (e.g. from Geofabrik), or export it again as .osm XML."


def _format(name: str) -> str:
    return "pbf" if Path(name).suffix.lower() == ".pbf" else "osm"


def _check_root(path: Path, name: str) -> None:
    """The root element of the XML is ``<osm>``; a DTD or entity is refused."""
    try:
        with path.open("rb") as handle:
            _, root = next(
                defusedxml.ElementTree.iterparse(handle, events=("start",), forbid_dtd=True)
            )
    except defusedxml.DefusedXmlException as exc:
        raise InputError(
            f"Expected plain OSM XML; {name!r} declares a DOCTYPE (DTD) or XML entities "
            f"({type(exc).__name__}), which OSM never needs and XML bombs and file reads use."
        ) from None
    except (ET.ParseError, StopIteration) as exc:
        raise InputError(
            f"Expected OSM XML (a root element <osm>); {name!r} is not well-formed XML "
            f"({exc or 'no element'}). {_GET_EXTRACT}"
        ) from None
    if root.tag != "osm":
        raise InputError(
            f"Expected OSM XML, whose root element is <osm>; the root element of {name!r} is "
            f"<{root.tag[:60]}>. {_GET_EXTRACT}"
        )


def _check_pbf_header(path: Path, name: str) -> None:
    """The first block of a PBF is an ``OSMHeader``: its length, then its type string."""
    with path.open("rb") as handle:
        head = handle.read(64)
    length = struct.unpack(">I", head[:4])[0] if len(head) >= 4 else 0
    if _PBF_MAGIC not in head[4 : 4 + min(length, 60)]:
        raise InputError(
            f"Expected an OSM PBF file (its first block is 'OSMHeader'); {name!r} is not one "
            f"(it starts {head[:16]!r}). {_GET_EXTRACT}"
        )


class _Counter(osmium.SimpleHandler):
    """Objects read, for the message of a file that broke off (the slow path, Python per object)."""

    def __init__(self) -> None:
        super().__init__()
        self.read = {"nodes": 0, "ways": 0, "relations": 0}

    def node(self, _) -> None:
        self.read["nodes"] += 1

    def way(self, _) -> None:
        self.read["ways"] += 1

    def relation(self, _) -> None:
        self.read["relations"] += 1


def _check_whole(path: Path, name: str, kind: str) -> None:
    """Read the file to its end with libosmium; refuse it, saying how far, if it stops."""
    size = path.stat().st_size
    try:
        # A C++ filter as the handler: libosmium parses every block, Python sees nothing.
        osmium.apply(osmium.io.Reader(osmium.io.File(str(path), kind)), _NOTHING)
        return
    except RuntimeError as exc:
        problem = str(exc)
    counter = _Counter()
    with contextlib.suppress(RuntimeError):  # the same error: what matters is how far it got
        counter.apply_file(osmium.io.File(str(path), kind))
    # XML is parsed in batches, so its counts stay 0 and the line and column say how far.
    read = ", ".join(f"{n:,} {what}" for what, n in counter.read.items())
    got = f" Read before it stopped: {read}." if any(counter.read.values()) else ""
    raise InputError(
        f"Expected a complete OSM extract; {name!r} ({size:,} bytes) cannot be read to its end: "
        f"{problem}.{got} The file is cut short or damaged. {_GET_EXTRACT}"
    )


# Keeps only objects with this key: none. A handler libosmium runs without calling Python.
_NOTHING = osmium.filter.KeyFilter("atlas:check-only")


def check_osm(path: str | Path, name: str) -> None:
    """
    Refuse ``path`` unless it is a whole OSM extract: XML rooted at ``<osm>``, or PBF.

    ``name`` is the file name shown to the user; its suffix (``.pbf`` or not) says the
    format. Raises :class:`~geo.errors.InputError`, never a parser's traceback.
    """
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_OSM_BYTES:
        raise InputError(
            f"Expected an OSM extract of at most {MAX_OSM_BYTES // 2**30} GB; {name!r} has "
            f"{size:,} bytes. Clip it to the area you need (e.g. osmium extract)."
        )
    kind = _format(name)
    if kind == "pbf":
        _check_pbf_header(path, name)
    else:
        _check_root(path, name)
    _check_whole(path, name, kind)
