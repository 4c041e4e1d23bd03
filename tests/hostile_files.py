"""
Hostile files built in code, each as small as it can be while still costing without limit
before its cap: PDFs written object by object, PBFs with pyosmium's writer.

The tests build them at sizes the fixed code refuses at once; ``bench/hostile.py`` builds the
same kinds at the issue's sizes and at the largest the caps allow, to measure them.
"""

from __future__ import annotations

import warnings
import zlib
from pathlib import Path

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def text_ops(line: str = "2023 1200 households") -> bytes:
    """One line of text drawn with the page's font /F1."""
    return b"BT /F1 12 Tf 50 700 Td (" + line.encode("ascii") + b") Tj ET\n"


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(data, 9)
    head = b"<< /Length %d /Filter /FlateDecode %s>>\nstream\n" % (len(packed), extra)
    return head + packed + b"\nendstream"


def _pdf(objects: dict[int, bytes]) -> bytes:
    """A PDF of ``objects`` (number → body), object 1 the catalog, with its xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    xref, size = len(out), max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += (
            b"%010d 00000 n \n" % offsets[number]
            if number in offsets
            else b"0" * 10 + b" 65535 f \n"
        )
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def _page(contents: int, parent: int = 2, font: int = 3) -> bytes:
    return (
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (parent, font, contents)
    )


def pdf_pages(contents: list[bytes], *, font: bytes = FONT, shared: bool = False) -> bytes:
    """
    A PDF with one page per content stream (Flate-packed), all using font /F1.

    With ``shared``, every page draws the first stream (one object, decoded for each page).
    """
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: font}
    kids, number = [], 10
    for content in contents:
        if not shared or number == 10:
            objects[number] = _stream(content)
        objects[number + 1] = _page(10 if shared else number)
        kids.append(number + 1)
        number += 2
    listed = b" ".join(b"%d 0 R" % kid for kid in kids)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (listed, len(kids))
    return _pdf(objects)


def pdf_deep_tree(depth: int) -> bytes:
    """A PDF whose one page hangs ``depth`` /Pages nodes below the root."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: FONT, 4: _stream(text_ops())}
    chain = [2, *range(10, 10 + depth)]
    for i, node in enumerate(chain):
        kid = chain[i + 1] if i + 1 < len(chain) else 5
        parent = b"/Parent %d 0 R " % chain[i - 1] if i else b""
        objects[node] = b"<< /Type /Pages %s/Kids [%d 0 R] /Count 1 >>" % (parent, kid)
    objects[5] = _page(4, parent=chain[-1])
    return _pdf(objects)


def pdf_cyclic_tree() -> bytes:
    """A PDF whose page tree lists the root again below itself."""
    return _pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [5 0 R 6 0 R] /Count 2 >>",
            3: FONT,
            4: _stream(text_ops()),
            5: _page(4),
            6: b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
        }
    )


def cmap(entries: int) -> bytes:
    """A ToUnicode CMap of ``entries`` one-to-one mappings (about 14 bytes each)."""
    lines = [
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /X def",
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    for start in range(0, entries, 100):
        count = min(100, entries - start)
        lines.append(b"%d beginbfchar" % count)
        codes = range(start, start + count)
        lines += [b"<%04X> <%04X>" % (code % 65536, 0x4E00 + code % 20000) for code in codes]
        lines.append(b"endbfchar")
    lines.append(b"endcmap CMapName currentdict /CMap defineresource pop end end")
    return b"\n".join(lines)


def pdf_with_cmap(entries: int, pages: int) -> bytes:
    """``pages`` pages of one line, whose font carries a ToUnicode CMap of ``entries``."""
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 9 0 R >>"
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: font, 9: _stream(cmap(entries))}
    objects[10] = _stream(text_ops())
    kids = list(range(11, 11 + pages))
    for kid in kids:
        objects[kid] = _page(10)
    listed = b" ".join(b"%d 0 R" % kid for kid in kids)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (listed, pages)
    return _pdf(objects)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def osm_pbf(
    path: Path,
    nodes: dict[int, tuple[float, float]],
    ways: dict[int, list[int]],
    *,
    tags: dict[str, str] | None = None,
) -> Path:
    """
    A PBF written with pyosmium: ``nodes`` id → (lon, lat), ``ways`` id → refs.

    Each way has ``tags`` (default: a footway).
    """
    import osmium

    tags = {"highway": "footway"} if tags is None else tags
    path.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(path)) as writer:
        for node, location in nodes.items():
            writer.add_node(osmium.osm.mutable.Node(id=node, location=location, tags={}))
        for way, refs in ways.items():
            writer.add_way(osmium.osm.mutable.Way(id=way, nodes=refs, tags=tags))
    return path


def long_way_pbf(path: Path, refs: int, *, ways: int = 1) -> Path:
    """``ways`` ways of ``refs`` references each, back and forth over two nodes (3 KB for 3M)."""
    nodes = {1: (114.0, 35.2), 2: (114.0001, 35.2)}
    return osm_pbf(path, nodes, {w: [1 + k % 2 for k in range(refs)] for w in range(1, ways + 1)})


def edited_network(network_gpkg: Path, out: Path, edit) -> Path:
    """
    A copy of an ``atlas network`` GeoPackage whose layers ``edit`` changed.

    ``edit(layers)`` gets the layers nodes, edges and network as (Geo)DataFrames and changes
    them in place or returns new ones; the copy is written with pyogrio, as any GIS would.
    """
    import pyogrio

    layers = {
        name: pyogrio.read_dataframe(network_gpkg, layer=name)
        for name in ("nodes", "edges", "network")
    }
    layers = edit(layers) or layers
    out.unlink(missing_ok=True)
    for name, frame in layers.items():
        with warnings.catch_warnings():
            # A layer without a CRS is one of the hostile files: pyogrio says so, rightly.
            warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
            pyogrio.write_dataframe(frame, out, layer=name, driver="GPKG", append=out.exists())
    return out
