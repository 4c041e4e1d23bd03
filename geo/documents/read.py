"""
Documents (.txt, .docx, .pdf with a text layer) as numbered lines, refused whole when unsafe.

:func:`read_document` turns an official document into a :class:`Document`: its SHA-256, its
kind and one :class:`Line` per line of text, numbered from 1, so that every figure read from
it can name the line it came from. Text files are decoded as ledgers are (BOM, strict UTF-8,
strict GB18030, Big5 refused; :func:`geo.io.sheets.decode_csv`); a ``.docx`` gives one line per
paragraph and per table row, in the order Word shows them (python-docx); a PDF one line per
line of its text layer, with the page (pypdf).

A file that cannot be read safely raises :class:`~geo.errors.InputError` with one message
saying what was expected, what arrived and the fix: an empty or oversized file, a ``.doc``, a
PDF with no text layer (a scan) or a password, a ``.docx`` whose zip holds too many members
or unpacks too large (a zip bomb), or whose XML declares a DOCTYPE or entities. The zip and
its XML are checked before python-docx opens anything. Nothing here prints a traceback for a
bad upload.

What a document may cost is capped, and each cap is named in its refusal (with a ``code``
the app words in the planner's language): characters, lines and the length of one line
(:data:`MAX_DOCUMENT_CHARS`, :data:`MAX_DOCUMENT_LINES`, :data:`MAX_LINE_CHARS`, counted as
the lines are read, so a reader stops at the cap); a .docx's XML before python-docx parses it
(:data:`MAX_DOCX_XML`); a PDF's pages, its page tree (pypdf's depth limit, a cycle) and the
bytes pypdf decodes to read its text, its page contents, fonts' CMaps and forms
(:data:`MAX_PDF_STREAM_BYTES` for one stream, :data:`MAX_PDF_DECODED_BYTES` summed over the
pages, as pypdf decodes them again for each page), counted before any text is extracted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from geo.errors import InputError
from geo.io import sheets as _sheets

if TYPE_CHECKING:
    # Imported where used: reading a .txt needs neither pypdf nor python-docx.
    from docx.table import _Row
    from pypdf import PageObject, PdfReader
    from pypdf.generic import StreamObject

__all__ = [
    "DOCUMENT_SUFFIXES",
    "ERROR_CODES",
    "MAX_COMPRESSION_RATIO",
    "MAX_DOCUMENT_BYTES",
    "MAX_DOCUMENT_CHARS",
    "MAX_DOCUMENT_LINES",
    "MAX_DOCX_ENTRIES",
    "MAX_DOCX_UNPACKED",
    "MAX_DOCX_XML",
    "MAX_LINE_CHARS",
    "MAX_PDF_DECODED_BYTES",
    "MAX_PDF_PAGES",
    "MAX_PDF_STREAM_BYTES",
    "Document",
    "Line",
    "read_document",
]

#: Largest document accepted, in bytes (20 MiB: a long report with images is 2-5 MiB).
MAX_DOCUMENT_BYTES = 20 * 2**20
#: Most members a .docx zip may hold (Word writes 10-40).
MAX_DOCX_ENTRIES = 500
#: Largest total unpacked size of a .docx, in bytes, as its zip directory declares it.
#: Python's zipfile never unpacks more than a member declares (a member that lies fails its
#: CRC check), so the declared sizes bound what python-docx can unpack.
MAX_DOCX_UNPACKED = 64 * 2**20
#: Largest unpacked/packed ratio of a .docx member over 1 MiB; Word's own XML packs about
#: 30:1, a zip bomb 1000:1.
MAX_COMPRESSION_RATIO = 100
#: Most pages read from a PDF.
MAX_PDF_PAGES = 500
#: Most characters read from a document, line breaks included (about 1,000 pages of Chinese
#: text; a 60-page implementation plan has about 60,000).
MAX_DOCUMENT_CHARS = 2_000_000
#: Most lines read from a document (a 500-page PDF has about 25,000).
MAX_DOCUMENT_LINES = 100_000
#: Longest line, in characters: a paragraph, a table row or a PDF line (the seeds' longest
#: paragraph has 675). Each figure reads its sentence, so the cost grows with this.
MAX_LINE_CHARS = 10_000
#: Most XML a .docx may unpack (its zip directory's sizes), in bytes: python-docx took 13 s
#: and 390 MB for 8 MiB, 210 s and 1.7 GB for 60 MiB. A 300-page report's is about 5 MiB.
MAX_DOCX_XML = 12 * 2**20
#: Largest stream pypdf may decode from a PDF (a page's contents, a font's CMap), in bytes:
#: pypdf's own limit is 75 MB, and its content parser reads about 4 MB a second.
MAX_PDF_STREAM_BYTES = 16 * 2**20
#: Most bytes decoded to read a PDF's text, summed over its pages: each page's contents,
#: and the CMaps and forms its fonts and resources use, which pypdf decodes again per page.
MAX_PDF_DECODED_BYTES = 64 * 2**20
#: Codes of the refusals above (``InputError.code``), each worded in the app's catalogue.
ERROR_CODES = (
    "document_chars",
    "document_lines",
    "document_line_length",
    "docx_xml",
    "pdf_pages",
    "pdf_page_tree",
    "pdf_page_cycle",
    "pdf_stream",
    "pdf_decoded",
)
_TEXT_SUFFIXES = (".txt", ".text", ".md")
#: Suffixes :func:`read_document` reads.
DOCUMENT_SUFFIXES = (*_TEXT_SUFFIXES, ".docx", ".pdf")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SOFT_BREAK = re.compile(r"[\r\n\v\f]+")


@dataclasses.dataclass(frozen=True)
class Line:
    """
    One line of a document: its 1-based ``number`` in the whole document and its text.

    PDF lines also carry their ``page`` and ``page_line`` (both 1-based). A .docx table row
    is one line whose ``text`` is its cells joined by tabs; ``cells`` holds them (a merged
    cell once), ``header`` the cells of the first row of its table and ``table`` the table's
    number in the document.
    """

    number: int
    text: str
    page: int | None = None
    page_line: int | None = None
    cells: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    table: int | None = None


@dataclasses.dataclass(frozen=True)
class Document:
    """
    A document read into lines, with what identifies it: file name, kind and SHA-256.

    ``kind`` is ``txt``, ``docx`` or ``pdf``; ``encoding`` is the text file's encoding.
    ``notes`` lists what was read with a caveat (lines not in the file's encoding, PDF pages
    without text), in English.
    """

    name: str
    kind: str
    sha256: str
    size: int
    lines: tuple[Line, ...]
    encoding: str | None = None
    notes: tuple[str, ...] = ()

    def text(self) -> str:
        """The whole text, lines joined by newlines (a table row's cells by tabs)."""
        return "\n".join(line.text for line in self.lines)

    def line(self, number: int) -> Line:
        """The line numbered ``number`` (1-based)."""
        if not 1 <= number <= len(self.lines):
            raise IndexError(f"Expected a line from 1 to {len(self.lines)}, got {number}.")
        return self.lines[number - 1]

    def summary(self) -> dict[str, object]:
        """A one-line description: name, kind, SHA-256, bytes, lines, pages, notes."""
        pages = {line.page for line in self.lines if line.page is not None}
        return {
            "name": self.name,
            "kind": self.kind,
            "sha256": self.sha256,
            "bytes": self.size,
            "lines": len(self.lines),
            "pages": len(pages) or None,
            "notes": list(self.notes),
        }


def read_document(source: str | Path | bytes, *, name: str | None = None) -> Document:
    """
    Read a .txt, .docx or .pdf (with a text layer) into numbered lines.

    ``source`` is a path or the file's bytes (``name`` then gives its file name, whose suffix
    decides the format together with the file's first bytes). Raises
    :class:`~geo.errors.InputError` for a file refused whole: empty, over
    :data:`MAX_DOCUMENT_BYTES`, a ``.doc``, a scanned or password-protected PDF, a ``.docx``
    that is a zip bomb or declares XML entities, or any other format.
    """
    data, name = _load(source, name)
    if not data.strip():
        raise InputError(
            f"Expected a document with text, got an empty file ({name or 'upload'}, "
            f"{len(data)} bytes). Upload the document itself.",
            code="document_empty",
            details={"name": name or "upload"},
        )
    kind = _kind(data, name)
    digest = hashlib.sha256(data).hexdigest()
    if kind == "txt":
        lines, encoding, notes = _text_lines(data, name)
    elif kind == "docx":
        lines, encoding, notes = _docx_lines(data, name), None, []
    else:
        (lines, notes), encoding = _pdf_lines(data, name), None
    # Every reader counts its lines against the caps as it makes them (_Budget); a line
    # list reaching here is within them.
    if not any(line.text.strip() for line in lines):
        raise InputError(
            f"Expected text in {name or 'the upload'}, found none: the {kind} holds only "
            "empty lines (or only images). Upload a document with its text.",
            code="document_no_text",
            details={"name": name or "upload"},
        )
    return Document(name, kind, digest, len(data), tuple(lines), encoding, tuple(notes))


def _load(source: str | Path | bytes, name: str | None) -> tuple[bytes, str]:
    """The file's bytes and name; the size is checked before a path is read."""
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
        _check_size(len(data), name or "upload")
        return data, name or ""
    path = Path(source)
    if not path.is_file():
        raise InputError(
            f"Expected a document file, but {str(path)!r} does not exist.",
            code="document_missing",
            details={"name": path.name},
        )
    _check_size(path.stat().st_size, path.name)
    return path.read_bytes(), name or path.name


def _check_size(size: int, name: str) -> None:
    if size > MAX_DOCUMENT_BYTES:
        raise InputError(
            f"Expected a document of at most {MAX_DOCUMENT_BYTES // 2**20} MiB "
            f"(MAX_DOCUMENT_BYTES), got {name} of {size / 2**20:.1f} MiB. Split it, or upload "
            "only the pages with the figures.",
            code="document_bytes",
            details={
                "name": name,
                "mib": f"{size / 2**20:.1f}",
                "cap": str(MAX_DOCUMENT_BYTES // 2**20),
            },
        )


def _kind(data: bytes, name: str) -> str:
    """``txt``, ``docx`` or ``pdf`` from the suffix and the first bytes; anything else refused."""
    suffix = Path(name).suffix.lower()
    if data.startswith(_OLE_MAGIC) or suffix == ".doc":
        what = (
            "a password-protected .docx (Word stores those as an old-style OLE file)"
            if suffix == ".docx"
            else "an old Word .doc file"
        )
        raise InputError(
            f"Expected .txt, .docx or .pdf, got {what} ({name or 'upload'}). Open it in Word or "
            "WPS, remove any password and save it as .docx (文件 → 另存为 → .docx).",
            code="document_doc",
            details={"name": name or "upload"},
        )
    if suffix == ".pdf" or (not suffix and b"%PDF-" in data[:1024]):
        if b"%PDF-" not in data[:1024]:
            raise InputError(
                f"Expected a PDF, but {name} does not start like one (first bytes "
                f"{data[:8]!r}). Export the document to PDF again, or upload the .docx.",
                code="pdf_magic",
                details={"name": name},
            )
        return "pdf"
    if suffix == ".docx" or (not suffix and data.startswith(_ZIP_MAGIC)):
        if not data.startswith(_ZIP_MAGIC):
            raise InputError(
                f"Expected a .docx (a zip archive), but {name} starts {data[:8]!r}. Save it "
                "again from Word or WPS as .docx.",
                code="docx_magic",
                details={"name": name},
            )
        return "docx"
    if suffix in _TEXT_SUFFIXES or not suffix:
        return "txt"
    raise InputError(
        f"Expected a document ending in {', '.join(DOCUMENT_SUFFIXES)}, got {name!r}. Save it "
        "as .docx or PDF (with its text, not a scan), or as plain text.",
        code="document_suffix",
        details={"name": name},
    )


def _text_lines(data: bytes, name: str) -> tuple[list[Line], str, list[str]]:
    """A text file's lines, decoded like a ledger; lines not in its encoding are noted."""
    try:
        text, encoding, bad = _sheets.decode_csv(data)
    except InputError as exc:
        if exc.code == "encoding_big5":
            raise  # it says what the file is, and what to do
        raise InputError(
            f"Expected a text file in UTF-8, UTF-16 with BOM, GBK or GB18030; "
            f"{name or 'the upload'} is in none of them (a binary file?). Save it as UTF-8 "
            "text, or upload the .docx or PDF.",
            code="document_encoding",
            details={"name": name or "upload"},
        ) from None
    if "\x00" in text:
        raise InputError(
            f"Expected a text file, got {name or 'an upload'} containing NUL bytes (a binary "
            "file renamed?). Upload the .docx or PDF itself.",
            code="document_nul",
            details={"name": name or "upload"},
        )
    label = name or "the upload"
    # Counted in the decoded text before it is split: 20 MiB of line breaks would otherwise
    # become 20 million lines first.
    if len(text) > MAX_DOCUMENT_CHARS:
        _too_many_chars(label, _count(len(text)))
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    if breaks > MAX_DOCUMENT_LINES:
        _too_many_lines(label, _count(breaks + 1))
    texts = _LINE_BREAK.split(text)
    if texts and texts[-1] == "":
        texts.pop()
    budget = _Budget(name)
    for line in texts:
        budget.add(line)
    lines = budget.lines
    notes = []
    if bad:
        listed = ", ".join(map(str, sorted(bad)[:10]))
        notes.append(
            f"{len(bad)} line(s) are not in {encoding} and were kept with their bytes escaped "
            f"(\\x..): {listed}"
        )
    return lines, encoding, notes


# --- caps on what a document may cost --------------------------------------------------------


def _count(number: int) -> str:
    return f"{number:,}"


class _Budget:
    """
    Lines read so far and their characters, refused past the caps as each line arrives.

    A reader adds its lines one by one, so a document of a million lines stops at the cap
    instead of being read whole first.
    """

    def __init__(self, name: str) -> None:
        self.name = name or "the upload"
        self.lines: list[Line] = []
        self.chars = 0

    def add(
        self,
        text: str,
        *,
        page: int | None = None,
        page_line: int | None = None,
        cells: tuple[str, ...] = (),
        header: tuple[str, ...] = (),
        table: int | None = None,
    ) -> None:
        """Append the next line (numbered in turn), after checking it against the caps."""
        number = len(self.lines) + 1
        if len(text) > MAX_LINE_CHARS:
            raise InputError(
                f"Expected lines of at most {_count(MAX_LINE_CHARS)} characters "
                f"(MAX_LINE_CHARS), got {_count(len(text))} on line {number} of {self.name}. "
                "Break the text into paragraphs, or upload the .docx or PDF.",
                code="document_line_length",
                details={
                    "name": self.name,
                    "line": str(number),
                    "chars": _count(len(text)),
                    "cap": _count(MAX_LINE_CHARS),
                },
            )
        if number > MAX_DOCUMENT_LINES:
            _too_many_lines(self.name, f"more than {_count(MAX_DOCUMENT_LINES)}")
        self.chars += len(text) + 1
        if self.chars > MAX_DOCUMENT_CHARS:
            _too_many_chars(self.name, f"more than {_count(MAX_DOCUMENT_CHARS)}")
        self.lines.append(Line(number, text, page, page_line, cells, header, table))


def _too_many_lines(name: str, lines: str) -> None:
    raise InputError(
        f"Expected a document of at most {_count(MAX_DOCUMENT_LINES)} lines "
        f"(MAX_DOCUMENT_LINES), got {name} with {lines}. Upload the part with the figures "
        "(split it by chapter or page).",
        code="document_lines",
        details={"name": name, "cap": _count(MAX_DOCUMENT_LINES)},
    )


def _too_many_chars(name: str, chars: str) -> None:
    raise InputError(
        f"Expected a document of at most {_count(MAX_DOCUMENT_CHARS)} characters "
        f"(MAX_DOCUMENT_CHARS), got {name} with {chars}. Upload the part with the figures "
        "(split it by chapter or page).",
        code="document_chars",
        details={"name": name, "cap": _count(MAX_DOCUMENT_CHARS)},
    )


# --- .docx ----------------------------------------------------------------------------------


def _docx_lines(data: bytes, name: str) -> list[Line]:
    """One line per paragraph and per table row, after the zip and its XML are checked."""
    import docx
    from docx.opc.exceptions import OpcError
    from docx.table import Table
    from lxml import etree

    _check_docx_zip(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = list(document.iter_inner_content())
    except (OpcError, KeyError, ValueError, zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
        raise InputError(
            f"Expected a Word .docx, but {name or 'the upload'} cannot be opened as one ({exc}). "
            "Save it again from Word or WPS as .docx.",
            code="docx_open",
            details={"name": name or "upload"},
        ) from None
    # A package with the wrong parts (an .xlsx renamed) fails deep inside python-docx with
    # AttributeError or TypeError; the upload is refused with the same message.
    except (AttributeError, TypeError, IndexError) as exc:
        raise InputError(
            f"Expected a Word .docx, but {name or 'the upload'} cannot be opened as one ({exc}). "
            "Save it again from Word or WPS as .docx.",
            code="docx_open",
            details={"name": name or "upload"},
        ) from None
    budget = _Budget(name)
    tables = 0
    for block in blocks:
        if not isinstance(block, Table):
            budget.add(_SOFT_BREAK.sub(" ", block.text))
            continue
        tables += 1
        header: tuple[str, ...] = ()
        for row in block.rows:
            cells = _row_cells(row)
            header = header or cells
            budget.add("\t".join(cells), cells=cells, header=header, table=tables)
    return budget.lines


def _row_cells(row: _Row) -> tuple[str, ...]:
    """A table row's cell texts, a horizontally merged cell once (python-docx repeats it)."""
    texts, seen = [], None
    for cell in row.cells:
        if cell._tc is seen:
            continue
        seen = cell._tc
        texts.append(_SOFT_BREAK.sub(" ", cell.text).strip())
    return tuple(texts)


def _check_docx_zip(data: bytes, name: str) -> None:
    """Refuse a .docx whose zip is a bomb, encrypted, or holds XML with a DOCTYPE."""
    label = name or "the upload"
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InputError(
            f"Expected a .docx (a zip archive), but {label} cannot be opened as one ({exc}). "
            "Save it again from Word or WPS as .docx.",
            code="docx_open",
            details={"name": label},
        ) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_DOCX_ENTRIES:
            raise InputError(
                f"Expected a .docx of at most {MAX_DOCX_ENTRIES} zip members "
                f"(MAX_DOCX_ENTRIES), got {len(entries)} in {label}: not a Word document, or a "
                "zip bomb. Save the document again from Word as .docx.",
                code="docx_entries",
                details={
                    "name": label,
                    "entries": _count(len(entries)),
                    "cap": str(MAX_DOCX_ENTRIES),
                },
            )
        unpacked = sum(entry.file_size for entry in entries)
        if unpacked > MAX_DOCX_UNPACKED:
            raise InputError(
                f"Expected a .docx that unpacks to at most {MAX_DOCX_UNPACKED // 2**20} MiB "
                f"(MAX_DOCX_UNPACKED), got {label}, which unpacks to {unpacked / 2**20:.0f} MiB "
                "(a zip bomb, or very large images). Remove the images, or split the document.",
                code="docx_unpacked",
                details={
                    "name": label,
                    "mib": f"{unpacked / 2**20:.0f}",
                    "cap": str(MAX_DOCX_UNPACKED // 2**20),
                },
            )
        xml = sum(e.file_size for e in entries if e.filename.lower().endswith((".xml", ".rels")))
        if xml > MAX_DOCX_XML:
            mib = f"{xml / 2**20:.0f}"
            raise InputError(
                f"Expected a .docx whose XML unpacks to at most {MAX_DOCX_XML // 2**20} MiB "
                f"(MAX_DOCX_XML), got {label} with {mib} MiB of XML: more text than a report "
                "holds, or a document built to stall the reader. Split the document, or save "
                "the part with the figures as a new .docx.",
                code="docx_xml",
                details={"name": label, "mib": mib, "cap": str(MAX_DOCX_XML // 2**20)},
            )
        for entry in entries:
            _check_entry(entry, label)
        for entry in entries:
            if entry.filename.lower().endswith((".xml", ".rels")):
                _check_xml(archive, entry, label)


def _check_entry(entry: zipfile.ZipInfo, label: str) -> None:
    member = PurePosixPath(entry.filename)
    if entry.flag_bits & 0x1:
        raise InputError(
            f"Expected an unencrypted .docx, but member {entry.filename!r} of {label} is "
            "encrypted. Remove the password in Word and save it again.",
            code="docx_password",
            details={"name": label},
        )
    if member.is_absolute() or ".." in member.parts:
        raise InputError(
            f"Expected a .docx with relative member names, got {entry.filename!r} in {label}: "
            "not a Word document. Save it again from Word as .docx.",
            code="docx_member_name",
            details={"name": label},
        )
    ratio = entry.file_size / max(entry.compress_size, 1)
    if entry.file_size > 2**20 and ratio > MAX_COMPRESSION_RATIO:
        raise InputError(
            f"Expected .docx members packed at most {MAX_COMPRESSION_RATIO}:1 "
            f"(MAX_COMPRESSION_RATIO), got {entry.filename!r} in {label} packed {ratio:.0f}:1 "
            f"({entry.file_size / 2**20:.0f} MiB unpacked): a zip bomb. Upload the original "
            "document.",
            code="docx_ratio",
            details={"name": label, "ratio": f"{ratio:.0f}", "cap": str(MAX_COMPRESSION_RATIO)},
        )


def _check_xml(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, label: str) -> None:
    """Parse one XML member with defusedxml: no DOCTYPE, entities or external references."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        fromstring(archive.read(entry), forbid_dtd=True)
    except DefusedXmlException as exc:
        raise InputError(
            f"Expected plain Word XML, but {entry.filename!r} in {label} declares a DOCTYPE or "
            f"entities ({type(exc).__name__}), which Word never writes and which can expand into "
            "gigabytes or read local files. Save the document again from Word as .docx.",
            code="docx_entities",
            details={"name": label},
        ) from None
    except (ParseError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise InputError(
            f"Expected well-formed XML in {entry.filename!r} of {label}, but it cannot be read "
            f"({exc}). Save the document again from Word as .docx.",
            code="docx_xml_broken",
            details={"name": label},
        ) from None


# --- .pdf -----------------------------------------------------------------------------------


def _pdf_lines(data: bytes, name: str) -> tuple[list[Line], list[str]]:
    """One line per line of each page's text layer; a PDF with none is refused as a scan."""
    import pypdf

    # pypdf's own limits, lowered to ours for this read (a context variable: other threads
    # keep theirs); it calls no outside decoder (jbig2dec) for a text layer.
    limits = {
        key: MAX_PDF_STREAM_BYTES
        for key in (
            "zlib_maximum_output_length",
            "lzw_maximum_output_length",
            "run_length_maximum_output_length",
            "brotli_maximum_output_length",
            "array_based_stream_maximum_output_length",
        )
    }
    with pypdf.apply_configuration(None, **limits, jbig2dec_binary=None):
        reader = _open_pdf(data, name)
        pages = _pdf_pages(reader, name)
        _check_pdf_cost(pages, name)
        return _pdf_text(pages, name)


def _pdf_pages(reader: PdfReader, name: str) -> list[PageObject]:
    """The pages, after pypdf walks the page tree (too deep, or a cycle: refused)."""
    from pypdf.errors import LimitReachedError, PdfReadError

    label = name or "the upload"
    try:
        pages = list(reader.pages)
    except LimitReachedError as exc:
        raise InputError(
            f"Expected a PDF whose page tree nests a few levels, but {label}'s goes past "
            f"pypdf's limit ({exc}); no writer makes such a tree. Print or export it to a new "
            "PDF, then upload that.",
            code="pdf_page_tree",
            details={"name": label},
        ) from None
    except (PdfReadError, RecursionError) as exc:
        cycle = "cyclic" in str(exc)
        raise InputError(
            f"Expected a PDF whose pages can be listed, but {label}'s page tree "
            f"{'refers back to itself' if cycle else 'is broken'} ({exc}). Print or export it "
            "to a new PDF, then upload that.",
            code="pdf_page_cycle" if cycle else "pdf_page_tree",
            details={"name": label},
        ) from None
    if len(pages) > MAX_PDF_PAGES:
        raise InputError(
            f"Expected a PDF of at most {MAX_PDF_PAGES} pages (MAX_PDF_PAGES), got {label} with "
            f"{len(pages)}. Upload only the pages with the figures.",
            code="pdf_pages",
            details={"name": label, "pages": _count(len(pages)), "cap": str(MAX_PDF_PAGES)},
        )
    return pages


def _check_pdf_cost(pages: list[PageObject], name: str) -> None:
    """
    Refuse a PDF whose text costs more than :data:`MAX_PDF_DECODED_BYTES` to read.

    Per page, the bytes pypdf decodes for it: its contents, and the CMaps of the fonts and
    the content of the forms its resources name, each once per page (pypdf reads them again
    for each page that uses them). Each stream is decoded once here (pypdf keeps the
    result, which the text extraction then uses), within :data:`MAX_PDF_STREAM_BYTES`.
    """
    from pypdf.errors import LimitReachedError, PyPdfError

    label, total = name or "the upload", 0
    sizes: dict[int, int] = {}
    for number, page in enumerate(pages, start=1):
        try:
            total += sum(_stream_size(s, sizes) for s in _page_streams(page))
        except LimitReachedError:
            mib = str(MAX_PDF_STREAM_BYTES // 2**20)
            raise InputError(
                f"Expected PDF streams that unpack to at most {mib} MiB "
                f"(MAX_PDF_STREAM_BYTES), but one on page {number} of {label} unpacks to more: "
                "a drawing too large to read for text, or a PDF built to stall the reader. "
                "Upload only the pages with the figures, or the .docx.",
                code="pdf_stream",
                details={"name": label, "page": str(number), "cap": mib},
            ) from None
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError):
            continue  # a damaged page: its text extraction fails and is noted
        if total > MAX_PDF_DECODED_BYTES:
            mib = str(MAX_PDF_DECODED_BYTES // 2**20)
            raise InputError(
                f"Expected a PDF whose pages unpack to at most {mib} MiB in all "
                f"(MAX_PDF_DECODED_BYTES: contents, fonts' CMaps and forms, counted per page), "
                f"but {label} passes that by page {number}: drawings or fonts too large to "
                "read for text, or a PDF built to stall the reader. Upload only the pages with "
                "the figures, or the .docx.",
                code="pdf_decoded",
                details={"name": label, "page": str(number), "cap": mib},
            )


def _page_streams(page: PageObject) -> Iterator[StreamObject]:
    """The streams pypdf decodes to read a page's text: contents, CMaps, forms (nested)."""
    from pypdf.generic import ArrayObject, DictionaryObject, StreamObject

    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    for part in contents if isinstance(contents, ArrayObject) else [contents]:
        part = part.get_object() if part is not None else None
        if isinstance(part, StreamObject):
            yield part
    seen: set[int] = set()
    stack = [page.get("/Resources")]
    while stack:
        resources = stack.pop()
        resources = resources.get_object() if resources is not None else None
        if not isinstance(resources, DictionaryObject) or id(resources) in seen:
            continue
        seen.add(id(resources))
        fonts = resources.get("/Font")
        fonts = fonts.get_object() if fonts is not None else None
        for font in fonts.values() if isinstance(fonts, DictionaryObject) else ():
            font = font.get_object()
            for key in ("/ToUnicode", "/Encoding"):
                cmap = font.get(key) if isinstance(font, DictionaryObject) else None
                cmap = cmap.get_object() if cmap is not None else None
                if isinstance(cmap, StreamObject):
                    yield cmap
        forms = resources.get("/XObject")
        forms = forms.get_object() if forms is not None else None
        for form in forms.values() if isinstance(forms, DictionaryObject) else ():
            form = form.get_object()
            if isinstance(form, StreamObject) and form.get("/Subtype") == "/Form":
                yield form
                stack.append(form.get("/Resources"))


def _stream_size(stream: StreamObject, sizes: dict[int, int]) -> int:
    """Decoded length of a stream, decoded once (pypdf's limits apply)."""
    key = id(stream)
    if key not in sizes:
        sizes[key] = len(stream.get_data())
    return sizes[key]


def _pdf_text(pages: list[PageObject], name: str) -> tuple[list[Line], list[str]]:
    """The text lines of each page, each counted against the caps as it is read."""
    budget = _Budget(name)
    blank_pages, broken_pages = [], []
    for number, page in enumerate(pages, start=1):
        try:
            text = page.extract_text() or ""
        # pypdf raises many kinds of error on a damaged page; that page is noted, not fatal.
        except Exception:
            broken_pages.append(number)
            continue
        texts = _LINE_BREAK.split(text.rstrip("\n"))
        if not text.strip():
            blank_pages.append(number)
        for page_line, line in enumerate(texts, start=1):
            budget.add(line.rstrip(), page=number, page_line=page_line)
    if not any(line.text.strip() for line in budget.lines):
        raise InputError(
            f"Expected a PDF with a text layer, but none of the {len(pages)} page(s) of "
            f"{name or 'the upload'} has any text: a scan. Run OCR on it (e.g. ocrmypdf -l "
            "chi_sim) and upload the result, or upload the .docx.",
            code="pdf_scan",
            details={"name": name or "upload", "pages": str(len(pages))},
        )
    notes = []
    if blank_pages:
        notes.append(f"pages without a text layer (scanned?): {_listed(blank_pages)}")
    if broken_pages:
        notes.append(f"pages whose text could not be read: {_listed(broken_pages)}")
    return budget.lines, notes


def _open_pdf(data: bytes, name: str) -> PdfReader:
    """A pypdf reader; a PDF that needs a password is refused, an owner-only one is read."""
    import pypdf
    from pypdf.errors import DependencyError

    label = name or "the upload"
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        # Permissions-only encryption (no copying) opens with an empty password.
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(
                f"Expected a PDF that opens without a password, but {label} is encrypted. "
                "Remove the password (print or export it to a new PDF), then upload it.",
                code="pdf_password",
                details={"name": label},
            )
        return reader
    except InputError:
        raise
    except DependencyError as exc:
        raise InputError(
            f"Expected a PDF whose encryption pypdf can undo, but {label} needs a library that "
            f"is missing ({exc}). Install the project again (`make install`), or export it to "
            "a new PDF.",
            code="pdf_crypto",
            details={"name": label},
        ) from None
    # pypdf raises many kinds of error on a malformed file; each becomes one message.
    except Exception as exc:
        raise InputError(
            f"Expected a readable PDF, but {label} cannot be opened ({type(exc).__name__}: "
            f"{exc}). Export it to PDF again, or upload the .docx.",
            code="pdf_unreadable",
            details={"name": label},
        ) from None


def _listed(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:20]))
    return shown + (f" and {len(numbers) - 20} more" if len(numbers) > 20 else "")
