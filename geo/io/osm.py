"""
An OpenStreetMap extract, checked before GDAL reads it: what it is, and that it is whole.

GDAL's OSM driver says nothing when a file stops early (a truncated ``.osm.pbf`` gave 0 of
15 sidewalks, exit 0), and it opens as OSM anything with ``<osm`` near its start, a VRT
with the text in a comment included. So, before GDAL sees a file:

1. **XML**: expat parses the file up to its root element, which must be ``<osm>`` (a
   substring is not enough); a DOCTYPE before it, where entities are declared, is refused.
2. **PBF**: the first block must be an ``OSMHeader``.
3. **Whole**: pyosmium (libosmium) reads the file to its end, handing Python only its ways
   (nodes and relations stay in C++): a truncated or corrupt file is refused with how far it
   got (the XML line and column, or the nodes, ways and relations read before the PBF broke
   off). libosmium refuses XML entities too. About 0.03 s on the real extracts of the tests.
4. **Bounded**: on the way, each way's node references are counted. A way of more than
   :data:`MAX_WAY_REFS` (OSM's own limit; GDAL refuses them too) is refused, and so, for a
   network, are streets and paths (``highway=*``) of more than ``max_refs`` references in
   all: a 3 KB PBF of one way of 3 million references over 2 nodes took 4.7 GB and 84 s
   to build. A way with a negative id, or starting or ending at a negative node id (a file
   saved by JOSM before upload, whose new objects have no real id yet) is refused: no
   location index holds them, so such a network came out empty with no word.

A file read whole once is not read whole again by the same process while it is unchanged
(same path, inode, size and modification time): :func:`geo.infra.read_infra` and
:func:`geo.network.build_network` of one extract (``atlas reach --infra X.osm.pbf --network
X.osm.pbf``) read it whole once. The streets' references are counted on every read, so a
file read whole for the infrastructure (no cap) is still held to the network's cap. An
upload (bytes, written to a new temporary file by each reader) is known by its SHA-256
instead, across processes too (:func:`read_whole`, :func:`remember_whole`): the app's
infrastructure read, the network built in a bounded child and the life-circle facilities
read an uploaded extract whole once between them.
"""

from __future__ import annotations

import collections
import contextlib
import struct
from pathlib import Path
from xml.parsers import expat

import osmium

from geo.errors import InputError

__all__ = [
    "ERROR_CODES",
    "MAX_OSM_BYTES",
    "MAX_WAY_REFS",
    "check_osm",
    "read_whole",
    "remember_whole",
]

#: Largest extract read (a city's extract is a few MB; a province's, a few hundred).
MAX_OSM_BYTES = 2 * 2**30
#: Most node references of one way: the OSM API's limit (``waynodes maximum``), which GDAL's
#: OSM driver applies too.
MAX_WAY_REFS = 2_000
#: Codes of the refusals for what an extract would cost, each worded in the app's catalogue.
ERROR_CODES = (
    "osm_bytes",
    "osm_not_xml",
    "osm_doctype",
    "osm_root",
    "osm_pbf_header",
    "osm_truncated",
    "osm_way_refs",
    "osm_refs",
    "osm_negative_ids",
)
_PBF_MAGIC = b"OSMHeader"
#: Files read whole in this process: (path, inode, size, mtime, format) → streets' references.
_WHOLE: collections.OrderedDict[tuple, int] = collections.OrderedDict()
_WHOLE_KEPT = 64
_GET_EXTRACT = "Download the extract again (e.g. from Geofabrik), or export it again as .osm XML."


def _format(name: str) -> str:
    return "pbf" if Path(name).suffix.lower() == ".pbf" else "osm"


class _Prolog(Exception):
    """Raised from expat's handlers to stop at the first thing that decides: root or DTD."""


def _root_element(path: Path) -> str:
    """The root element's name, read with expat up to it; a DOCTYPE raises :class:`_Prolog`."""
    parser = expat.ParserCreate()

    def doctype(*_: object) -> None:
        raise _Prolog("DOCTYPE")

    def start(tag: str, _: object) -> None:
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
            f"({exc}). {_GET_EXTRACT}",
            code="osm_not_xml",
            details={"name": name},
        ) from None
    if root == "DOCTYPE":
        raise InputError(
            f"Expected plain OSM XML; {name!r} declares a DOCTYPE (DTD), where XML entities "
            "live, which OSM never needs and XML bombs and file reads use.",
            code="osm_doctype",
            details={"name": name},
        )
    if root != "osm":
        raise InputError(
            f"Expected OSM XML, whose root element is <osm>; the root element of {name!r} is "
            f"<{root[:60]}>. {_GET_EXTRACT}",
            code="osm_root",
            details={"name": name},
        )


def _check_pbf_header(path: Path, name: str) -> None:
    """The first block of a PBF is an ``OSMHeader``: its length, then its type string."""
    with path.open("rb") as handle:
        head = handle.read(64)
    length = struct.unpack(">I", head[:4])[0] if len(head) >= 4 else 0
    if _PBF_MAGIC not in head[4 : 4 + min(length, 60)]:
        raise InputError(
            f"Expected an OSM PBF file (its first block is 'OSMHeader'); {name!r} is not one "
            f"(it starts {head[:16]!r}). {_GET_EXTRACT}",
            code="osm_pbf_header",
            details={"name": name},
        )


class _Counter(osmium.SimpleHandler):
    """Objects read, for the message of a file that broke off (the slow path, Python per object)."""

    def __init__(self) -> None:
        super().__init__()
        self.read = {"nodes": 0, "ways": 0, "relations": 0}

    def node(self, _: osmium.osm.Node) -> None:
        self.read["nodes"] += 1

    def way(self, _: osmium.osm.Way) -> None:
        self.read["ways"] += 1

    def relation(self, _: osmium.osm.Relation) -> None:
        self.read["relations"] += 1


class _Refs(osmium.SimpleHandler):
    """
    Counts the node references of every way, refusing at the first that passes a cap.

    The total counts the ways a network reads (``highway=*``): buildings and land use cost
    nothing there.

    Only ``way`` is defined, so libosmium hands Python nothing else; the refusal is raised
    from inside the read, which stops there.
    """

    def __init__(self, name: str, max_refs: int | None) -> None:
        super().__init__()
        self.name, self.max_refs, self.refs = name, max_refs, 0

    def way(self, way: osmium.osm.Way) -> None:
        nodes = way.nodes
        count = len(nodes)
        if count > MAX_WAY_REFS:
            raise _way_too_long(self.name, way.id, count)
        if way.id < 0 or (count and (nodes[0].ref < 0 or nodes[count - 1].ref < 0)):
            raise negative_ids(self.name, way.id)
        if "highway" not in way.tags:
            return
        self.refs += count
        if self.max_refs is not None and self.refs > self.max_refs:
            raise _too_many_refs(self.name, self.max_refs)


def _way_too_long(name: str, way: int, count: int) -> InputError:
    return InputError(
        f"Expected ways of at most {MAX_WAY_REFS:,} nodes (MAX_WAY_REFS, the OSM API's limit); "
        f"way {way} of {name!r} lists {count:,}. No OSM editor writes such a way: "
        f"{_GET_EXTRACT}",
        code="osm_way_refs",
        details={"name": name, "way": str(way), "refs": f"{count:,}", "cap": f"{MAX_WAY_REFS:,}"},
    )


def _too_many_refs(name: str, cap: int) -> InputError:
    return InputError(
        f"Expected an extract whose streets and paths (highway=*) list at most {cap:,} node "
        f"references in all (MAX_NETWORK_REFS: a city's network); {name!r} lists more. Clip "
        "it to the city you need (e.g. osmium extract --bbox), then build the network from "
        "that.",
        code="osm_refs",
        details={"name": name, "cap": f"{cap:,}"},
    )


def negative_ids(name: str, way: int) -> InputError:
    """The refusal of an extract with negative ids (new objects of a JOSM file not uploaded)."""
    return InputError(
        f"Expected OSM ids above zero; {name!r} has objects with negative ids (way {way} or "
        "its nodes), which JOSM gives new objects before they are uploaded and which no node "
        "index holds. Download the area again from OpenStreetMap after the upload, or save "
        "the data with real ids.",
        code="osm_negative_ids",
        details={"name": name, "way": str(way)},
    )


def _check_whole(path: Path, name: str, kind: str, max_refs: int | None) -> int:
    """
    Read the file to its end with libosmium; refuse it, saying how far, if it stops.

    Returns the node references of its streets and paths (``highway=*``).
    """
    size = path.stat().st_size
    try:
        refs = _Refs(name, max_refs)
        refs.apply_file(osmium.io.File(str(path), kind))
        return refs.refs
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
        f"{problem}.{got} The file is cut short or damaged. {_GET_EXTRACT}",
        code="osm_truncated",
        details={"name": name},
    )


def too_large(name: str, size: int) -> InputError:
    """The refusal of an extract of more than :data:`MAX_OSM_BYTES`."""
    return InputError(
        f"Expected an OSM extract of at most {MAX_OSM_BYTES // 2**30} GB; {name!r} has "
        f"{size:,} bytes. Clip it to the area you need (e.g. osmium extract).",
        code="osm_bytes",
        details={"name": name, "cap": f"{MAX_OSM_BYTES // 2**30}"},
    )


def missing(path: Path, name: str) -> InputError:
    """The refusal of an extract path that names no file."""
    return InputError(
        f"Expected an OSM extract, but {str(path)!r} does not exist.",
        code="osm_missing",
        details={"name": name},
    )


def check_osm(
    path: str | Path, name: str, *, max_refs: int | None = None, sha256: str | None = None
) -> None:
    """
    Refuse ``path`` unless it is a whole OSM extract: XML rooted at ``<osm>``, or PBF.

    ``name`` is the file name shown to the user; its suffix (``.pbf`` or not) says the
    format. A way of more than :data:`MAX_WAY_REFS` nodes, or with negative ids, is refused,
    and so are more than ``max_refs`` node references in all when given. Raises
    :class:`~geo.errors.InputError`, never a parser's traceback.

    The whole-file read is made once per unchanged file in this process (see the module's
    notes); the format checks, reading a few bytes, every time. An upload written to a new
    temporary file each time is known by its content: give its ``sha256``.
    """
    path = Path(path)
    if not path.is_file():
        raise missing(path, name)
    stat = path.stat()
    if stat.st_size > MAX_OSM_BYTES:
        raise too_large(name, stat.st_size)
    kind = _format(name)
    if kind == "pbf":
        _check_pbf_header(path, name)
    else:
        _check_root(path, name)
    key: tuple = (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns, kind)
    if sha256 is not None:
        key = ("sha256", sha256, kind)
    refs = _WHOLE.get(key)
    if refs is None:
        refs = _check_whole(path, name, kind, max_refs)
        _WHOLE[key] = refs
        while len(_WHOLE) > _WHOLE_KEPT:
            _WHOLE.popitem(last=False)
    if max_refs is not None and refs > max_refs:
        raise _too_many_refs(name, max_refs)


def read_whole(sha256: str, name: str) -> int | None:
    """
    The streets' references of the content ``sha256`` if this process read it whole, or None.

    What another process needs to skip the read (:func:`remember_whole`): the app reads an
    upload as infrastructure in the server, then builds its network in a child.
    """
    return _WHOLE.get(("sha256", sha256, _format(name)))


def remember_whole(sha256: str, name: str, refs: int) -> None:
    """Note that the content ``sha256`` (named ``name``) was read whole, with ``refs``."""
    _WHOLE[("sha256", sha256, _format(name))] = refs
    while len(_WHOLE) > _WHOLE_KEPT:
        _WHOLE.popitem(last=False)
