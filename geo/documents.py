"""
Documents (.txt, .docx, .pdf with a text layer) as numbered lines, refused whole when unsafe.

:func:`read_document` turns an official document into a :class:`Document`: its SHA-256, its
kind and one :class:`Line` per line of text, numbered from 1, so that every figure read from
it can name the line it came from. Text files are decoded as ledgers are (BOM, strict UTF-8,
strict GB18030, Big5 refused; :func:`geo._sheets.decode_csv`); a ``.docx`` gives one line per
paragraph and per table row, in the order Word shows them (python-docx); a PDF one line per
line of its text layer, with the page (pypdf).

A file that cannot be read safely raises :class:`~geo.errors.InputError` with one message
saying what was expected, what arrived and the fix: an empty or oversized file, a ``.doc``, a
PDF with no text layer (a scan) or a password, a ``.docx`` whose zip holds too many members
or unpacks too large (a zip bomb), or whose XML declares a DOCTYPE or entities. The zip and
its XML are checked before python-docx opens anything. Nothing here prints a traceback for a
bad upload.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import zipfile
from pathlib import Path, PurePosixPath

from geo import _sheets
from geo.errors import InputError

__all__ = [
    "DOCUMENT_SUFFIXES",
    "MAX_COMPRESSION_RATIO",
    "MAX_DOCUMENT_BYTES",
    "MAX_DOCX_ENTRIES",
    "MAX_DOCX_UNPACKED",
    "MAX_PDF_PAGES",
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
            f"{len(data)} bytes). Upload the document itself."
        )
    kind = _kind(data, name)
    digest = hashlib.sha256(data).hexdigest()
    if kind == "txt":
        lines, encoding, notes = _text_lines(data, name)
    elif kind == "docx":
        lines, encoding, notes = _docx_lines(data, name), None, ()
    else:
        (lines, notes), encoding = _pdf_lines(data, name), None
    if not any(line.text.strip() for line in lines):
        raise InputError(
            f"Expected text in {name or 'the upload'}, found none: the {kind} holds only "
            "empty lines (or only images). Upload a document with its text."
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
        raise InputError(f"Expected a document file, but {str(path)!r} does not exist.")
    _check_size(path.stat().st_size, path.name)
    return path.read_bytes(), name or path.name


def _check_size(size: int, name: str) -> None:
    if size > MAX_DOCUMENT_BYTES:
        raise InputError(
            f"Expected a document of at most {MAX_DOCUMENT_BYTES // 2**20} MiB "
            f"(MAX_DOCUMENT_BYTES), got {name} of {size / 2**20:.1f} MiB. Split it, or upload "
            "only the pages with the figures."
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
            "WPS, remove any password and save it as .docx (文件 → 另存为 → .docx)."
        )
    if suffix == ".pdf" or (not suffix and b"%PDF-" in data[:1024]):
        if b"%PDF-" not in data[:1024]:
            raise InputError(
                f"Expected a PDF, but {name} does not start like one (first bytes "
                f"{data[:8]!r}). Export the document to PDF again, or upload the .docx."
            )
        return "pdf"
    if suffix == ".docx" or (not suffix and data.startswith(_ZIP_MAGIC)):
        if not data.startswith(_ZIP_MAGIC):
            raise InputError(
                f"Expected a .docx (a zip archive), but {name} starts {data[:8]!r}. Save it "
                "again from Word or WPS as .docx."
            )
        return "docx"
    if suffix in _TEXT_SUFFIXES or not suffix:
        return "txt"
    raise InputError(
        f"Expected a document ending in {', '.join(DOCUMENT_SUFFIXES)}, got {name!r}. Save it "
        "as .docx or PDF (with its text, not a scan), or as plain text."
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
            "text, or upload the .docx or PDF."
        ) from None
    if "\x00" in text:
        raise InputError(
            f"Expected a text file, got {name or 'an upload'} containing NUL bytes (a binary "
            "file renamed?). Upload the .docx or PDF itself."
        )
    texts = _LINE_BREAK.split(text)
    if texts and texts[-1] == "":
        texts.pop()
    lines = [Line(number, line) for number, line in enumerate(texts, start=1)]
    notes = []
    if bad:
        listed = ", ".join(map(str, sorted(bad)[:10]))
        notes.append(
            f"{len(bad)} line(s) are not in {encoding} and were kept with their bytes escaped "
            f"(\\x..): {listed}"
        )
    return lines, encoding, notes


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
            "Save it again from Word or WPS as .docx."
        ) from None
    # A package with the wrong parts (an .xlsx renamed) fails deep inside python-docx with
    # AttributeError or TypeError; the upload is refused with the same message.
    except (AttributeError, TypeError, IndexError) as exc:
        raise InputError(
            f"Expected a Word .docx, but {name or 'the upload'} cannot be opened as one ({exc}). "
            "Save it again from Word or WPS as .docx."
        ) from None
    lines: list[Line] = []
    tables = 0
    for block in blocks:
        if not isinstance(block, Table):
            lines.append(Line(len(lines) + 1, _SOFT_BREAK.sub(" ", block.text)))
            continue
        tables += 1
        header: tuple[str, ...] = ()
        for row in block.rows:
            cells = _row_cells(row)
            header = header or cells
            lines.append(
                Line(len(lines) + 1, "\t".join(cells), cells=cells, header=header, table=tables)
            )
    return lines


def _row_cells(row) -> tuple[str, ...]:
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
            "Save it again from Word or WPS as .docx."
        ) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_DOCX_ENTRIES:
            raise InputError(
                f"Expected a .docx of at most {MAX_DOCX_ENTRIES} zip members "
                f"(MAX_DOCX_ENTRIES), got {len(entries)} in {label}: not a Word document, or a "
                "zip bomb. Save the document again from Word as .docx."
            )
        unpacked = sum(entry.file_size for entry in entries)
        if unpacked > MAX_DOCX_UNPACKED:
            raise InputError(
                f"Expected a .docx that unpacks to at most {MAX_DOCX_UNPACKED // 2**20} MiB "
                f"(MAX_DOCX_UNPACKED), got {label}, which unpacks to {unpacked / 2**20:.0f} MiB "
                "(a zip bomb, or very large images). Remove the images, or split the document."
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
            "encrypted. Remove the password in Word and save it again."
        )
    if member.is_absolute() or ".." in member.parts:
        raise InputError(
            f"Expected a .docx with relative member names, got {entry.filename!r} in {label}: "
            "not a Word document. Save it again from Word as .docx."
        )
    ratio = entry.file_size / max(entry.compress_size, 1)
    if entry.file_size > 2**20 and ratio > MAX_COMPRESSION_RATIO:
        raise InputError(
            f"Expected .docx members packed at most {MAX_COMPRESSION_RATIO}:1 "
            f"(MAX_COMPRESSION_RATIO), got {entry.filename!r} in {label} packed {ratio:.0f}:1 "
            f"({entry.file_size / 2**20:.0f} MiB unpacked): a zip bomb. Upload the original "
            "document."
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
            "gigabytes or read local files. Save the document again from Word as .docx."
        ) from None
    except (ParseError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise InputError(
            f"Expected well-formed XML in {entry.filename!r} of {label}, but it cannot be read "
            f"({exc}). Save the document again from Word as .docx."
        ) from None


# --- .pdf -----------------------------------------------------------------------------------


def _pdf_lines(data: bytes, name: str) -> tuple[list[Line], list[str]]:
    """One line per line of each page's text layer; a PDF with none is refused as a scan."""
    reader = _open_pdf(data, name)
    pages = len(reader.pages)
    if pages > MAX_PDF_PAGES:
        raise InputError(
            f"Expected a PDF of at most {MAX_PDF_PAGES} pages (MAX_PDF_PAGES), got {name} with "
            f"{pages}. Upload only the pages with the figures."
        )
    lines: list[Line] = []
    blank_pages, broken_pages = [], []
    for number, page in enumerate(reader.pages, start=1):
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
            lines.append(Line(len(lines) + 1, line.rstrip(), page=number, page_line=page_line))
    if not any(line.text.strip() for line in lines):
        raise InputError(
            f"Expected a PDF with a text layer, but none of the {pages} page(s) of "
            f"{name or 'the upload'} has any text: a scan. Run OCR on it (e.g. ocrmypdf -l "
            "chi_sim) and upload the result, or upload the .docx."
        )
    notes = []
    if blank_pages:
        notes.append(f"pages without a text layer (scanned?): {_listed(blank_pages)}")
    if broken_pages:
        notes.append(f"pages whose text could not be read: {_listed(broken_pages)}")
    return lines, notes


def _open_pdf(data: bytes, name: str):
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
                "Remove the password (print or export it to a new PDF), then upload it."
            )
        return reader
    except InputError:
        raise
    except DependencyError as exc:
        raise InputError(
            f"Expected a PDF whose encryption pypdf can undo, but {label} needs a library that "
            f"is missing ({exc}). Install requirements.txt again, or export it to a new PDF."
        ) from None
    # pypdf raises many kinds of error on a malformed file; each becomes one message.
    except Exception as exc:
        raise InputError(
            f"Expected a readable PDF, but {label} cannot be opened ({type(exc).__name__}: "
            f"{exc}). Export it to PDF again, or upload the .docx."
        ) from None


def _listed(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:20]))
    return shown + (f" and {len(numbers) - 20} more" if len(numbers) > 20 else "")
