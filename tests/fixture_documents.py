"""
The labelled test documents of tests/data/documents/, and tiny .docx/.pdf files made in code.

The .txt documents are read as they are. The .docx is built from its JSON spec with
python-docx and the PDF from its text (pages split by form feeds) with reportlab's built-in
CID font STSong-Light, so the PDF's text layer holds exactly those lines and nothing binary is
committed. See tests/data/README.md.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd

DOCUMENTS = Path(__file__).resolve().parent / "data" / "documents"
#: The labelled documents: file name as the extractor sees it → where its content lives.
SOURCES = {
    "luoyang-news-2023.txt": "luoyang-news-2023.txt",
    "zhangjiakou-tongbao-2023q3.txt": "zhangjiakou-tongbao-2023q3.txt",
    "luohe-traditional.txt": "luohe-traditional.txt",
    "anyang-report-2023.docx": "anyang-report-2023.docx.json",
    "hebi-plan-2024.pdf": "hebi-plan-2024.pdf.txt",
}


def docx_bytes(blocks: list[dict]) -> bytes:
    """A .docx of paragraphs (``{"p": text}``) and tables (``{"table": rows}``), in order."""
    import docx

    document = docx.Document()
    for block in blocks:
        if "p" in block:
            document.add_paragraph(block["p"])
            continue
        rows = block["table"]
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                table.cell(i, j).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_bytes(pages: list[list[str]], *, font: str = "STSong-Light") -> bytes:
    """A PDF with one text line per string, pages in order (reportlab, CID font, no file)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(font))
    out = io.BytesIO()
    page = canvas.Canvas(out, invariant=1)
    for lines in pages:
        page.setFont(font, 11)
        for n, line in enumerate(lines):
            page.drawString(40, 800 - 18 * n, line)
        page.showPage()
    page.save()
    return out.getvalue()


def document_bytes(name: str) -> bytes:
    """The bytes of one labelled document, built from its source where it is a .docx or PDF."""
    source = DOCUMENTS / SOURCES[name]
    if name.endswith(".docx"):
        return docx_bytes(json.loads(source.read_text(encoding="utf-8"))["blocks"])
    if name.endswith(".pdf"):
        text = source.read_text(encoding="utf-8")
        return pdf_bytes([page.strip("\n").split("\n") for page in text.split("\f")])
    return source.read_bytes()


def load_labels() -> pd.DataFrame:
    """The hand labels: one row per figure of each document (``other`` for the traps)."""
    labels = pd.read_csv(DOCUMENTS / "labels.csv", dtype=str, keep_default_na=False)
    return labels.assign(
        doc_id=labels["document"],
        seed_line=labels["line"].astype(int),
        value=labels["value"],
        period_start=pd.array(pd.to_numeric(labels["period_start"]), dtype="Int64"),
        period_end=pd.array(pd.to_numeric(labels["period_end"]), dtype="Int64"),
    )
