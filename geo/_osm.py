"""
An OpenStreetMap extract, checked before GDAL reads it: what it is, and that it is whole.

GDAL's OSM driver says nothing when a file stops early (a truncated ``.osm.pbf`` gave 0 of
15 sidewalks, exit 0), and it opens as OSM anything with ``<osm`` near its start, a VRT
with the text in a comment included. So, before GDAL sees a file:

1. **XML**: expat parses the file up to its root element, which must be ``<osm>`` (a
   substring is not enough); a DOCTYPE before it, where entities are declared, is refused.
2. **PBF**: the first block must be an ``OSMHeader``.
3. **Whole**: pyosmium (libosmium) reads the file to its end in C++, handing no object to
   Python: a truncated or corrupt file is refused with how far it got (the XML line and
   column, or the nodes, ways and relations read before the PBF broke off). libosmium
   refuses XML entities too. About 0.01-0.02 s on the real extracts of the tests.
"""

from __future__ import annotations

import contextlib
import struct
from pathlib import Path
from xml.parsers import expat

import osmium

from geo.errors import InputError

__all__ = ["MAX_OSM_BYTES", "check_osm"]

#: Largest extract read (a city's extract is a few MB; a province's, a few hundred).
MAX_OSM_BYTES = 2 * 2**30
_PBF_MAGIC = b"OSMHeader"
_GET_EXTRACT = "Download the extract again (e.g. from Geofabrik), or export it again as .osm XML."


def _format(name: str) -> str:
    return "pbf" if Path(name).suffix.lower() == ".pbf" else "osm"


class _Prolog(Exception):
    """Raised from expat's handlers to stop at the first thing that decides: root or DTD."""


def _root_element(path: Path) -> str:
    """The root element's name, read with expat up to it; a DOCTYPE raises :class:`_Prolog`."""
    parser = expat.ParserCreate()

    def doctype(*_) -> None:
        raise _Prolog("DOCTYPE")

    def start(tag, _) -> None:
        raise _Prolog(tag)

    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = start
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(2**16):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except _Prolog as found:
            return str(found)
    raise expat.ExpatError("no element found")


def _check_root(path: Path, name: str) -> None:
    """The root element of the XML is ``<osm>``; a DOCTYPE (where entities live) is refused."""
    try:
        root = _root_element(path)
    except expat.ExpatError as exc:
        raise InputError(
            f"Expected OSM XML (a root element <osm>); {name!r} is not well-formed XML "
            f"({exc}). {_GET_EXTRACT}"
        ) from None
    if root == "DOCTYPE":
        raise InputError(
            f"Expected plain OSM XML; {name!r} declares a DOCTYPE (DTD), where XML entities "
            "live, which OSM never needs and XML bombs and file reads use."
        )
    if root != "osm":
        raise InputError(
            f"Expected OSM XML, whose root element is <osm>; the root element of {name!r} is "
            f"<{root[:60]}>. {_GET_EXTRACT}"
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
