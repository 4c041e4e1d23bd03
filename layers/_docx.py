"""
Word plumbing python-docx lacks: footnotes, fields to fill, font fallbacks, GB/T 9704 pages.

python-docx 1.2 writes paragraphs, tables, styles and sections, but has no API for footnotes,
content controls or the font table. This module adds them through python-docx's own OPC and
oxml layer (a real ``word/footnotes.xml`` part with its relationship and content type, so
Word, WPS and LibreOffice number, move and delete notes with their references), nothing
string-patched after saving.

The page and the styles follow GB/T 9704-2012 (党政机关公文格式) where Word can carry them:
A4; top margin (天头) 37 mm and left (订口) 28 mm, a type area of 156 × 225 mm (§5.2.1), so
35 mm bottom and 26 mm right; 22 lines (§5.2.3) through the document's line grid, about 28
characters of 16 pt a line;
body 3号 (16 pt) 仿宋 (§5.2.2), title 2号 (22 pt) 小标宋 (§7.3.1), first-level headings 黑体 and
second-level 楷体, 抄送 and 印发 in 4号 (14 pt) 仿宋 (§7.4), page numbers in 4号 宋体 between
一字线 (§7.5). The fonts a bureau uses (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312) are named in
the styles; the font table gives each the font that ships with Windows and WPS as its
alternate (仿宋, 楷体, 宋体) and a CJK family and charset, so a machine without them substitutes
a Chinese face of the same kind instead of a Latin one.
"""

from __future__ import annotations

from docx.document import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.text.paragraph import Paragraph

__all__ = [
    "BODY_FONT",
    "HEADING_FONT",
    "KAI_FONT",
    "TITLE_FONT",
    "Footnotes",
    "add_field",
    "gbt9704_document",
    "page_number_footer",
    "set_east_asian_font",
    "set_style",
]

#: The fonts GB/T 9704-2012 names, and the font shipped with Windows and WPS each falls back to.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
_PAGE_NUMBER_FONT = "宋体"
# name → (alternate, PANOSE, family): a serif (roman) or sans (swiss) CJK face, GB2312 (86).
_FALLBACKS = {
    TITLE_FONT: ("宋体", "02000000000000000000", "roman"),
    BODY_FONT: ("仿宋", "02010609030101010101", "modern"),
    KAI_FONT: ("楷体", "02010609030101010101", "modern"),
    HEADING_FONT: ("SimHei", "02010609060101010101", "modern"),
    _PAGE_NUMBER_FONT: ("SimSun", "02010600030101010101", "roman"),
}
_LATIN_FONT = "Times New Roman"
#: Type area 156 × 225 mm on A4 (§5.2.1): 22 lines (§5.2.3) make a line pitch of 225/22 mm.
_LINE_PITCH_TWIPS = round(225 / 22 / 25.4 * 1440)
_BODY_PT = 16
_LINE_PT = 225 / 22 / 25.4 * 72  # exact line spacing, 28.98 pt: the same 22 lines a page


def set_east_asian_font(target, name: str, *, latin: str = _LATIN_FONT) -> None:
    """Give a style's or run's ``rPr`` the Chinese font ``name`` and a Latin font for digits."""
    r_pr = target.element.get_or_add_rPr() if hasattr(target, "element") else target
    fonts = r_pr.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), latin)
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:hint"), "eastAsia")


def _style(document: Document, name: str, kind: WD_STYLE_TYPE, base: str | None = None):
    """The style ``name``, created (based on ``base``) when the template lacks it."""
    styles = document.styles
    if name in [s.name for s in styles]:
        return styles[name]
    made = styles.add_style(name, kind)
    if base is not None:
        made.base_style = styles[base]
    return made


def _paragraph_style(
    style: BaseStyle,
    font: str,
    size: float,
    *,
    bold: bool = False,
    align=None,
    indent_chars: int = 0,
    exact: bool = True,
) -> None:
    """Font, size, alignment and first-line indent (in characters) of a paragraph style."""
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    set_east_asian_font(style, font)
    layout = style.paragraph_format
    layout.space_before = Pt(0)
    layout.space_after = Pt(0)
    if exact:
        layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        layout.line_spacing = Pt(_LINE_PT)
    else:
        # Small text (notes, tables) keeps its own single spacing, off the 22-line grid.
        layout.line_spacing_rule = WD_LINE_SPACING.SINGLE
        style.element.get_or_add_pPr().append(
            parse_xml(f'<w:snapToGrid {nsdecls("w")} w:val="0"/>')
        )
    if align is not None:
        layout.alignment = align
    p_pr = style.element.get_or_add_pPr()
    ind = p_pr.find(qn("w:ind"))
    if ind is None:
        ind = parse_xml(f"<w:ind {nsdecls('w')}/>")
        p_pr.append(ind)
    # firstLineChars follows the font (two characters whatever the size); firstLine is for
    # readers that ignore it.
    ind.set(qn("w:firstLineChars"), str(indent_chars * 100))
    ind.set(qn("w:firstLine"), str(int(indent_chars * size * 20)))


def _page(document: Document) -> None:
    """A4, the GB/T 9704 margins, and a grid of 22 lines of 28 characters."""
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    # The page number's 一字线 sit 7 mm below the type area (§7.5): 35 - 7 - one 4号 line.
    section.footer_distance = Mm(23)
    section.start_type = WD_SECTION_START.NEW_PAGE
    sect_pr = section._sectPr
    for old in sect_pr.findall(qn("w:docGrid")):
        sect_pr.remove(old)
    # A grid of lines only: a character grid makes LibreOffice and WPS space out every
    # character of a size other than the document default (tables, the title). 28
    # characters a line come from the 16 pt body in the 156 mm type area.
    sect_pr.append(
        parse_xml(f'<w:docGrid {nsdecls("w")} w:type="lines" w:linePitch="{_LINE_PITCH_TWIPS}"/>')
    )


def _styles(document: Document) -> None:
    """The reply's Word styles: body, title, two heading levels, tables, notes, 版记, fields."""
    P, C = WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER
    styles = document.styles
    _paragraph_style(styles["Normal"], BODY_FONT, _BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    body = _style(document, "公文正文", P, "Normal")
    _paragraph_style(body, BODY_FONT, _BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_chars=2)
    title = _style(document, "公文标题", P, "Normal")
    _paragraph_style(title, TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.line_spacing = Pt(_LINE_PT * 1.2)
    for name, font in (("Heading 1", HEADING_FONT), ("Heading 2", KAI_FONT)):
        _paragraph_style(styles[name], font, _BODY_PT, indent_chars=2)
        styles[name].font.italic = False
        styles[name].paragraph_format.keep_with_next = True
    table = _style(document, "公文表格", P, "Normal")
    _paragraph_style(table, BODY_FONT, 10.5, align=WD_ALIGN_PARAGRAPH.CENTER, exact=False)
    caption = _style(document, "公文表题", P, "Normal")
    _paragraph_style(caption, HEADING_FONT, 14, align=WD_ALIGN_PARAGRAPH.CENTER)
    caption.paragraph_format.keep_with_next = True
    record = _style(document, "公文版记", P, "Normal")
    _paragraph_style(record, BODY_FONT, 14)
    organ = _style(document, "发文机关标志", P, "Normal")
    _paragraph_style(organ, TITLE_FONT, 26, align=WD_ALIGN_PARAGRAPH.CENTER, exact=False)
    organ.font.color.rgb = RGBColor(0xE6, 0, 0)  # red (§7.2.4)
    note = _style(document, "footnote text", P, "Normal")
    _paragraph_style(note, BODY_FONT, 10.5, exact=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    mark = _style(document, "footnote reference", C)
    mark.font.superscript = True
    hint = _style(document, "Placeholder Text", C)
    hint.font.color.rgb = RGBColor(0x80, 0x80, 0x80)
    page = _style(document, "公文页码", P, "Normal")
    _paragraph_style(page, _PAGE_NUMBER_FONT, 14, exact=False)


def _font_table(document: Document) -> None:
    """Each GB/T 9704 font named in the font table with its shipped alternate and family."""
    part = document.part.part_related_by(RT.FONT_TABLE)
    fonts = parse_xml(part.blob)
    known = {f.get(qn("w:name")) for f in fonts.findall(qn("w:font"))}
    for name, (alternate, panose, family) in _FALLBACKS.items():
        if name in known:
            continue
        fonts.append(
            parse_xml(
                f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alternate}"/>'
                f'<w:panose1 w:val="{panose}"/><w:charset w:val="86"/>'
                f'<w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'
            )
        )
    from lxml import etree

    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


def gbt9704_document() -> Document:
    """A new document with the GB/T 9704-2012 page, styles and font fallbacks."""
    import docx

    document = docx.Document()
    _page(document)
    _styles(document)
    _font_table(document)
    return document


def page_number_footer(document: Document) -> None:
    """``— 1 —`` in 4号 宋体: odd pages right, even pages left, one character in (§7.5)."""
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        paragraph.style = document.styles["公文页码"]
        paragraph.alignment = align
        indent = Pt(14)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = indent
        else:
            paragraph.paragraph_format.left_indent = indent
        paragraph.add_run("— ")
        _page_field(paragraph)
        paragraph.add_run(" —")


def _page_field(paragraph: Paragraph) -> None:
    """A PAGE field: Word and LibreOffice fill in the page's number."""
    for xml in (
        '<w:r {ns}><w:fldChar w:fldCharType="begin"/></w:r>',
        '<w:r {ns}><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>',
        '<w:r {ns}><w:fldChar w:fldCharType="separate"/></w:r>',
        "<w:r {ns}><w:t>1</w:t></w:r>",
        '<w:r {ns}><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        paragraph._p.append(parse_xml(xml.format(ns=nsdecls("w"))))


def set_style(paragraph: Paragraph, style_id: str) -> None:
    """
    Give ``paragraph`` the style ``style_id`` directly.

    python-docx's ``paragraph.style = …`` looks the default style up among the template's
    hundreds on every call: 6 ms each, seconds for a reply's table cells.
    """
    paragraph._p.get_or_add_pPr().get_or_add_pStyle().val = style_id


def add_field(paragraph: Paragraph, name: str, hint: str) -> None:
    """
    A field to fill (a Word content control) named ``name``, showing ``hint`` until typed in.

    Word and WPS show the name on the control's tab and select the hint on a click; the
    planner types over it. LibreOffice (7.4 on) keeps it as a content control.
    """
    tag = name.replace(" ", "_")
    paragraph._p.append(
        parse_xml(
            f"<w:sdt {nsdecls('w')}><w:sdtPr>"
            f'<w:alias w:val="{_attr(name)}"/><w:tag w:val="{_attr(tag)}"/>'
            "<w:showingPlcHdr/><w:text/></w:sdtPr>"
            '<w:sdtContent><w:r><w:rPr><w:rStyle w:val="PlaceholderText"/></w:rPr>'
            f'<w:t xml:space="preserve">{_text(hint)}</w:t></w:r></w:sdtContent></w:sdt>'
        )
    )


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    return _text(value).replace('"', "&quot;")


class Footnotes:
    """
    A document's footnotes part: ``add(paragraph, text)`` puts a numbered note at the end.

    Notes are real Word footnotes (``w:footnoteReference`` in the body, ``w:footnote`` in
    ``word/footnotes.xml``), numbered by Word in order, so a planner who deletes a sentence
    deletes its note and the others renumber; each note's text stays with its figure.
    """

    def __init__(self, document: Document) -> None:
        xml = (
            f"<w:footnotes {nsdecls('w')}>"
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" '
            'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p>'
            "</w:footnote>"
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing '
            'w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r>'
            "<w:continuationSeparator/></w:r></w:p></w:footnote></w:footnotes>"
        )
        package = document.part.package
        self._part = XmlPart(
            PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, parse_xml(xml), package
        )
        document.part.relate_to(self._part, RT.FOOTNOTES)
        self._settings(document)
        self._style_ids = (
            document.styles["footnote text"].style_id,
            document.styles["footnote reference"].style_id,
        )
        self.count = 0

    @staticmethod
    def _settings(document: Document) -> None:
        """Name the separators in the settings, as Word writes them."""
        settings = document.settings.element
        if settings.find(qn("w:footnotePr")) is None:
            note_pr = parse_xml(
                f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/>'
                "</w:footnotePr>"
            )
            settings.insert_element_before(note_pr, *_SETTINGS_AFTER_FOOTNOTES)

    def add(self, paragraph: Paragraph, text: str) -> int:
        """Put footnote ``text`` after the last run of ``paragraph``; returns its id."""
        self.count += 1
        number = self.count
        text_style, mark_style = self._style_ids
        paragraph._p.append(
            parse_xml(
                f'<w:r {nsdecls("w")}><w:rPr><w:rStyle w:val="{mark_style}"/></w:rPr>'
                f'<w:footnoteReference w:id="{number}"/></w:r>'
            )
        )
        self._part.element.append(
            parse_xml(
                f'<w:footnote {nsdecls("w")} w:id="{number}"><w:p><w:pPr>'
                f'<w:pStyle w:val="{text_style}"/></w:pPr>'
                f'<w:r><w:rPr><w:rStyle w:val="{mark_style}"/></w:rPr><w:footnoteRef/></w:r>'
                f'<w:r><w:t xml:space="preserve"> {_text(text)}</w:t></w:r></w:p></w:footnote>'
            )
        )
        return number


# The elements CT_Settings orders after w:footnotePr (ECMA-376 §17.15.1.78).
_SETTINGS_AFTER_FOOTNOTES = (
    "w:endnotePr",
    "w:compat",
    "w:docVars",
    "w:rsids",
    "m:mathPr",
    "w:attachedSchema",
    "w:themeFontLang",
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "sl:schemaLibrary",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
)
