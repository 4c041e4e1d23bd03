"""Tests for geo/documents/read.py: .txt/.docx/.pdf into numbered lines, and every refusal."""

from __future__ import annotations

import hashlib
import io
import random
import re
import struct
import zipfile

import hostile_files
import pytest
from fixture_documents import document_bytes, docx_bytes, pdf_bytes

from geo.documents.read import (
    MAX_DOCUMENT_BYTES,
    MAX_DOCUMENT_CHARS,
    MAX_DOCUMENT_LINES,
    MAX_DOCX_ENTRIES,
    MAX_LINE_CHARS,
    read_document,
)
from geo.errors import InputError

XINXIANG = "002_b03d685b680bd4c7.txt"


def test_a_seed_reads_into_its_numbered_lines(seeds_dir):
    data = (seeds_dir / XINXIANG).read_bytes()
    document = read_document(seeds_dir / XINXIANG)
    assert document.kind == "txt"
    assert document.encoding == "utf-8"
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    # Line numbers are the seed lines data/figures.csv cites.
    assert document.line(31).text.startswith("涉及居民 22149 户，房屋 620 栋")
    assert document.line(29).text.endswith("老旧小区 138 个，")


def test_gb18030_text_is_decoded_like_a_ledger():
    document = read_document(document_bytes("zhangjiakou-tongbao-2023q3.txt"), name="通报.txt")
    assert document.encoding == "gb18030"
    assert document.line(3).text == "张建城〔2023〕58号"
    assert len(document.lines) == 16


def test_big5_text_is_refused_not_read_as_garbled_gbk():
    data = "臺中市政府民國112年度老舊社區改造計畫\n全市改造社區120處。\n".encode("big5")
    with pytest.raises(InputError) as caught:
        read_document(data, name="計畫.txt")
    assert caught.value.code == "encoding_big5"
    assert "this one is in Big5 (traditional Chinese" in str(caught.value)


def test_a_docx_gives_paragraphs_and_table_rows_in_order():
    document = read_document(document_bytes("anyang-report-2023.docx"), name="r.docx")
    assert document.kind == "docx"
    assert document.line(2).text == "安老改办〔2024〕3号"
    header, first = document.line(6), document.line(7)
    assert (
        header.cells
        == header.header
        == (
            "县（市、区）",
            "完工小区（个）",
            "涉及户数（户）",
            "建筑面积（万平方米）",
            "完成投资（万元）",
        )
    )
    assert first.cells == ("文峰区", "58", "5210", "46.3", "12850")
    assert first.header == header.cells and first.table == 1
    assert first.text == "文峰区\t58\t5210\t46.3\t12850"
    assert document.line(13).text.startswith("另外，在改造中同步加装电梯42部")


def test_a_merged_table_cell_is_read_once():
    data = docx_bytes([{"table": [["区县", "户数（户）", "备注"], ["合计", "合计", "3279"]]}])
    import docx

    document = docx.Document(io.BytesIO(data))
    cells = document.tables[0].rows[1].cells
    cells[0].merge(cells[1])
    out = io.BytesIO()
    document.save(out)
    row = read_document(out.getvalue(), name="m.docx").line(2)
    assert row.cells == ("合计 合计", "3279")


def test_a_pdf_gives_page_and_line():
    document = read_document(document_bytes("hebi-plan-2024.pdf"), name="h.pdf")
    assert document.kind == "pdf"
    line = document.line(10)
    assert (line.page, line.page_line, line.text) == (2, 2, "计划不少于20部，同步建设无障碍设施。")
    assert document.line(5).text == "老旧小区86个，涉及居民6320户、楼栋214栋，建筑面积约52万平方"
    assert document.summary()["pages"] == 2


def test_a_pdf_with_only_an_owner_password_is_read_with_a_note():
    import pypdf

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(pdf_bytes([["全市改造老旧小区12个。"]])))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    document = read_document(out.getvalue(), name="p.pdf")
    assert document.line(1).text == "全市改造老旧小区12个。"


def _encrypted_pdf() -> bytes:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(pdf_bytes([["机密"]])))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _scanned_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.rect(50, 50, 400, 600, fill=1)  # an "image" of a page: no text
    page.showPage()
    page.save()
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _declaring(data: bytes, size: int) -> bytes:
    """A one-member zip whose directory declares ``size`` bytes unpacked (headers can lie)."""
    patched = bytearray(data)
    struct.pack_into("<I", patched, patched.rfind(b"PK\x01\x02") + 24, size)
    struct.pack_into("<I", patched, 22, size)
    return bytes(patched)


_DOCTYPE = (
    b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>"
)
_EXTERNAL = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]><w>&x;</w>'


def _with_document_xml(xml: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(docx_bytes([{"p": "正文"}]))) as archive:
        members = {i.filename: archive.read(i) for i in archive.infolist()}
    return _zip(members | {"word/document.xml": xml})


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (lambda: b"", "a.txt", "Expected a document with text, got an empty file (a.txt, 0 bytes)"),
        (lambda: b" \n\t\n", "a.txt", "got an empty file"),
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "a.doc", "an old Word .doc"),
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "a.docx", "password-protected"),
        (lambda: b"{\\rtf1 hello}", "a.rtf", "Expected a document ending in .txt, .text, .md"),
        (lambda: b"plain text", "a.docx", "Expected a .docx (a zip archive), but a.docx starts"),
        (lambda: b"PK\x03\x04 broken", "a.docx", "cannot be opened as one"),
        (lambda: b"%PDF-1.7 garbage", "a.pdf", "Expected a readable PDF, but a.pdf cannot be"),
        (lambda: b"not a pdf", "a.pdf", "Expected a PDF, but a.pdf does not start like one"),
        (_encrypted_pdf, "a.pdf", "Expected a PDF that opens without a password"),
        (_scanned_pdf, "a.pdf", "has any text: a scan. Run OCR on it"),
        (lambda: b"\x00\x01\x02binary", "a.txt", "containing NUL bytes"),
        (
            lambda: _zip({"word/document.xml": b"\0" * (2 * 2**20)}),
            "bomb.docx",
            "packed at most 100:1 (MAX_COMPRESSION_RATIO), got 'word/document.xml'",
        ),
        (
            lambda: _declaring(_zip({"word/document.xml": b"<w/>"}), 100 * 2**20),
            "big.docx",
            "unpacks to at most 64 MiB (MAX_DOCX_UNPACKED), got big.docx, which unpacks to 100 MiB",
        ),
        (
            lambda: _zip({f"word/m{i}.xml": b"<a/>" for i in range(MAX_DOCX_ENTRIES + 1)}),
            "many.docx",
            f"at most {MAX_DOCX_ENTRIES} zip members (MAX_DOCX_ENTRIES), got 501",
        ),
        (lambda: _with_document_xml(_DOCTYPE), "laughs.docx", "declares a DOCTYPE or entities"),
        (lambda: _with_document_xml(_EXTERNAL), "xxe.docx", "declares a DOCTYPE or entities"),
        (
            lambda: _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}),
            "sheet.docx",
            "Expected a Word .docx, but sheet.docx cannot be opened as one",
        ),
        (lambda: _zip({"word/document.xml": b"<w><unclosed>"}), "bad.docx", "well-formed XML"),
    ],
)
def test_a_bad_document_is_refused_with_one_message(make, name, message):
    from layers.wording import error_text

    with pytest.raises(InputError) as error:
        read_document(make(), name=name)
    assert message in str(error.value)
    # The figures page words it in the planner's language, from its code (geo.errors.CODES).
    zh, en = error_text(error.value, "zh"), error_text(error.value, "en")
    assert error.value.code and name in zh and name in en
    assert "Expected" not in zh and re.search(r"[\u4e00-\u9fff]", zh)
    assert not re.search(r"[\u4e00-\u9fff]", en)


@pytest.mark.parametrize(
    ("make", "name", "code", "zh"),
    [
        (
            lambda: _zip({"word/document.xml": b"\0" * (2 * 2**20)}),
            "bomb.docx",
            "docx_ratio",
            "bomb.docx 中有文件的压缩比为 ",
        ),
        (
            lambda: _declaring(_zip({"word/document.xml": b"<w/>"}), 100 * 2**20),
            "big.docx",
            "docx_unpacked",
            "big.docx 解压后有 100 MiB，超过 64 MiB 的上限",
        ),
        (
            lambda: _zip({f"word/m{i}.xml": b"<a/>" for i in range(MAX_DOCX_ENTRIES + 1)}),
            "many.docx",
            "docx_entries",
            f"many.docx 的压缩包里有 501 个文件，超过 .docx {MAX_DOCX_ENTRIES} 个的上限",
        ),
        (
            lambda: _with_document_xml(_DOCTYPE),
            "laughs.docx",
            "docx_entities",
            "laughs.docx 的 XML 声明了 DOCTYPE 或实体",
        ),
        (
            lambda: _with_document_xml(_EXTERNAL),
            "xxe.docx",
            "docx_entities",
            "xxe.docx 的 XML 声明了 DOCTYPE 或实体",
        ),
        (
            lambda: b" " * (MAX_DOCUMENT_BYTES + 1),
            "huge.txt",
            "document_bytes",
            "huge.txt 有 20.0 MiB，超过单个文档 20 MiB 的上限",
        ),
    ],
)
def test_a_document_past_a_cap_is_refused_in_both_languages(make, name, code, zh):
    from layers.wording import error_text

    with pytest.raises(InputError) as error:
        read_document(make(), name=name)
    assert error.value.code == code
    assert error_text(error.value, "zh").startswith(zh)
    assert name in error_text(error.value, "en")


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(MAX_DOCUMENT_BYTES + 1)
    with pytest.raises(InputError, match=r"at most 20 MiB \(MAX_DOCUMENT_BYTES\), got huge.txt"):
        read_document(path)


def test_a_missing_file_is_named():
    with pytest.raises(InputError, match="does not exist") as error:
        read_document("no/such/report.docx")
    assert (error.value.code, error.value.details) == ("document_missing", {"name": "report.docx"})


def test_a_docx_with_no_text_is_refused():
    with pytest.raises(InputError, match="found none: the docx holds only empty lines"):
        read_document(docx_bytes([{"p": ""}, {"p": "  "}]), name="empty.docx")


def test_lines_pasted_from_another_encoding_are_kept_and_noted():
    data = "第一行\n".encode() + "第二行".encode("gbk") + "\n第三行\n全市改造小区3个\n".encode()
    document = read_document(data, name="mixed.txt")
    assert [line.text for line in document.lines][2:] == ["第三行", "全市改造小区3个"]
    assert document.notes == (
        "1 line(s) are not in utf-8 and were kept with their bytes escaped (\\x..): 2",
    )


# --- what a document may cost (issue 29): each cap named in its refusal ----------------------


def _refusal(data: bytes, name: str) -> InputError:
    with pytest.raises(InputError) as error:
        read_document(data, name=name)
    return error.value


def test_a_line_past_the_cap_is_refused_with_its_number():
    # The 64 KB of one figure and 64,000 spaces, and its 400 KB line, are such lines.
    data = b"title\n" + "1个".encode() + b" " * MAX_LINE_CHARS
    error = _refusal(data, "spaces.txt")
    assert str(error) == (
        "Expected lines of at most 10,000 characters (MAX_LINE_CHARS), got 10,002 on line 2 "
        "of spaces.txt. Break the text into paragraphs, or upload the .docx or PDF."
    )
    assert (error.code, error.details["line"]) == ("document_line_length", "2")


def test_a_text_past_the_character_cap_is_refused_before_it_is_split():
    data = ("改" * 9_999 + "\n").encode() * (MAX_DOCUMENT_CHARS // 10_000) + b"x"
    error = _refusal(data, "long.txt")
    assert str(error).startswith(
        "Expected a document of at most 2,000,000 characters (MAX_DOCUMENT_CHARS), got "
        "long.txt with 2,000,001."
    )
    assert error.code == "document_chars"


def test_a_text_past_the_line_cap_is_refused_before_it_is_split():
    error = _refusal(b"1\n" * (MAX_DOCUMENT_LINES + 1), "lines.txt")
    assert str(error).startswith(
        "Expected a document of at most 100,000 lines (MAX_DOCUMENT_LINES), got lines.txt with "
        "100,002."
    )
    assert error.code == "document_lines"


def test_a_docx_past_the_line_cap_stops_at_the_cap():
    rows = [{"table": [["区县", "户数"]] + [["卫滨区", "1"]] * 50}]
    with pytest.MonkeyPatch.context() as patch:
        # python-docx would take minutes for 100,000 rows: the count is what is tested.
        patch.setattr("geo.documents.read.MAX_DOCUMENT_LINES", 40)
        error = _refusal(docx_bytes(rows), "rows.docx")
    assert str(error).startswith(
        "Expected a document of at most 40 lines (MAX_DOCUMENT_LINES), got rows.docx with more "
        "than 40."
    )


def test_a_docx_with_more_xml_than_the_cap_is_refused_before_it_is_parsed():
    # The docx held 60 MiB of XML packed under 100:1; here the zip declares 13 MiB
    # for a member of 160 KB (packed 85:1), which no parser is asked to read.
    member = _zip({"word/document.xml": random.Random(29).randbytes(160_000)})
    error = _refusal(_declaring(member, 13 * 2**20), "xml.docx")
    assert str(error).startswith(
        "Expected a .docx whose XML unpacks to at most 12 MiB (MAX_DOCX_XML), got xml.docx with "
        "13 MiB of XML"
    )
    assert error.code == "docx_xml"


@pytest.mark.parametrize(
    ("make", "code", "start"),
    [
        (
            lambda: hostile_files.pdf_deep_tree(120),
            "pdf_page_tree",
            "Expected a PDF whose page tree nests a few levels, but deep.pdf's goes past pypdf's",
        ),
        (
            hostile_files.pdf_cyclic_tree,
            "pdf_page_cycle",
            "Expected a PDF whose pages can be listed, but deep.pdf's page tree refers back to",
        ),
        (
            lambda: hostile_files.pdf_pages([hostile_files.text_ops()] * 501, shared=True),
            "pdf_pages",
            "Expected a PDF of at most 500 pages (MAX_PDF_PAGES), got deep.pdf with 501.",
        ),
        (
            # 17 MB of one page's drawing, packed into 17 KB.
            lambda: hostile_files.pdf_pages([hostile_files.text_ops() + b" " * 17_000_000]),
            "pdf_stream",
            "Expected PDF streams that unpack to at most 16 MiB (MAX_PDF_STREAM_BYTES), but one "
            "on page 1 of deep.pdf",
        ),
        (
            # The 500 pages of 5-40 MB streams: here 7 pages drawing one 10 MB stream.
            lambda: hostile_files.pdf_pages(
                [hostile_files.text_ops() + b" " * 10_000_000] * 7, shared=True
            ),
            "pdf_decoded",
            "Expected a PDF whose pages unpack to at most 64 MiB in all (MAX_PDF_DECODED_BYTES",
        ),
        (
            # The 300k-entry CMap, which pypdf reads again for each page using it.
            lambda: hostile_files.pdf_with_cmap(300_000, 16),
            "pdf_decoded",
            "Expected a PDF whose pages unpack to at most 64 MiB in all (MAX_PDF_DECODED_BYTES",
        ),
    ],
)
def test_a_pdf_that_would_cost_without_limit_is_refused_naming_the_cap(make, code, start):
    error = _refusal(make(), "deep.pdf")
    assert str(error).startswith(start)
    assert error.code == code


def test_a_pdf_within_the_caps_reads_every_page():
    document = read_document(
        hostile_files.pdf_pages(
            [hostile_files.text_ops(f"page {n} 12 households") for n in range(3)]
        ),
        name="small.pdf",
    )
    assert [line.text for line in document.lines] == [f"page {n} 12 households" for n in range(3)]
