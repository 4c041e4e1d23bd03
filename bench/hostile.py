"""
The costliest files the caps on documents and networks allow, and what reading each costs.

``python -m bench.hostile write FOLDER`` writes them (with the issue's originals, which the
caps now refuse); ``python -m bench.hostile read KIND FILE`` reads one in this process, as
the bounded worker would (``document``: read_document then extract_figures; ``network``:
build_network; ``gpkg``: read_network), and prints one JSON line. Measured in
docs/security.md with ``/usr/bin/time -v python -m bench.hostile read KIND FILE``.
"""

from __future__ import annotations

import io
import json
import random
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import hostile_files  # tests/ holds the generators the tests use

_SENTENCE = "卫滨区红旗区牧野区凤泉区推进老旧小区改造和无障碍环境建设，新建盲道缘石坡道"


def worst_text() -> bytes:
    """
    2,000,000 characters in 10,000-character lines: two lines of 5,000 figures in one
    endless sentence each figure reads, then place names and cue words with no full stop.
    """
    figures = ["1个 " * 3_333, "2户 " * 1_666]
    prose = (_SENTENCE * (10_000 // len(_SENTENCE) + 1))[:9_999]
    lines = figures + [prose] * (1_999_000 // 10_000 - len(figures))
    return "\n".join(lines).encode()


def worst_docx() -> bytes:
    """Just under 12 MiB of Word XML: paragraphs of 200 formatted runs of 2 characters each."""
    from fixture_documents import docx_bytes

    with zipfile.ZipFile(io.BytesIO(docx_bytes([{"p": "x"}]))) as archive:
        members = {i.filename: archive.read(i) for i in archive.infolist()}
    xml = members["word/document.xml"].decode()
    head, tail = xml.split("<w:body>")[0] + "<w:body>", xml[xml.index("<w:sectPr") :]
    rng = random.Random(29)
    run = '<w:r><w:rPr><w:b/><w:sz w:val="24"/></w:rPr><w:t>{}</w:t></w:r>'
    paragraph = len(("<w:p>" + run.format("改造") * 200 + "</w:p>").encode())
    others = sum(len(data) for name, data in members.items() if name != "word/document.xml")
    count = (12 * 2**20 - others - len((head + tail).encode())) // paragraph
    body = "".join(
        "<w:p>"
        + "".join(run.format("".join(rng.choices(_SENTENCE, k=2))) for _ in range(200))
        + "</w:p>"
        for _ in range(count)
    )
    members["word/document.xml"] = (head + body + tail).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def worst_pdf() -> bytes:
    """Four pages drawing one 16 MiB stream of empty text operators: 64 MiB to parse."""
    ops = b"BT /F1 12 Tf 50 700 Td () Tj ET\n"
    stream = hostile_files.text_ops() + ops * ((16 * 2**20 - 200) // len(ops))
    return hostile_files.pdf_pages([stream] * 4, shared=True)


def write(folder: Path) -> list[Path]:
    """Every file measured in docs/security.md, written into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "worst.txt": worst_text(),
        "worst.docx": worst_docx(),
        "worst.pdf": worst_pdf(),
        "spaces.txt": "全市改造小区1个".encode() + b" " * 64_000,
        "cmap.pdf": hostile_files.pdf_with_cmap(300_000, 100),
        "pages.pdf": hostile_files.pdf_pages(
            [hostile_files.text_ops() + b" " * 5_000_000] * 500, shared=True
        ),
    }
    written = [hostile_files.write(folder / name, data) for name, data in files.items()]
    written += [
        hostile_files.long_way_pbf(folder / "issue-3m.osm.pbf", 3_000_000),
        hostile_files.long_way_pbf(folder / "worst-2-nodes.osm.pbf", 2_000, ways=500),
        _distinct_nodes(folder / "worst-1m-nodes.osm.pbf", ways=500, refs=2_000),
    ]
    return written


def _distinct_nodes(path: Path, *, ways: int, refs: int) -> Path:
    """``ways`` ways of ``refs`` references over a million nodes, on a 1,000 × 1,000 grid."""
    count = 1_000_000
    nodes = {i + 1: (114.0 + (i % 1000) * 1e-4, 35.2 + (i // 1000) * 1e-4) for i in range(count)}
    lists = {w + 1: [1 + (w * refs + k) % count for k in range(refs)] for w in range(ways)}
    return hostile_files.osm_pbf(path, nodes, lists)


def read(kind: str, path: Path) -> dict:
    """Read one file as the app's worker does; what came out, or the refusal's code."""
    start = time.perf_counter()
    try:
        if kind == "document":
            from geo.documents.extract import extract_figures
            from geo.documents.read import read_document

            out = f"{len(extract_figures(read_document(path)).figures)} figures"
        elif kind == "network":
            from geo.network import build_network

            built = build_network(path, use_cache=False)
            out = f"{len(built.nodes)} nodes, {len(built.edges)} edges"
        else:
            from geo.network import read_network

            out = f"{len(read_network(path).edges)} edges"
    except ValueError as exc:
        out = f"refused: {getattr(exc, 'code', None) or str(exc)[:60]}"
    return {"file": path.name, "result": out, "seconds": round(time.perf_counter() - start, 1)}


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    if command == "write":
        for written in write(Path(rest[0])):
            print(f"{written}  {written.stat().st_size:,} bytes")
    else:
        print(json.dumps(read(rest[0], Path(rest[1]))))
