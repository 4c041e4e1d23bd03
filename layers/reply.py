"""
The reply draft (答复函) as a Word document: the seeds' layout, every figure footnoted.

:func:`reply_docx` lays out a :class:`geo.report.Report` as the bureaus' replies to proposals
are laid out (``../shared/seeds``): the issuing organ, document number, 签发人 and 办理结果 as
fields to fill; the title and addressee with the proposal's number and member to fill; then
一、the programme as a whole (the city's figures, each period and kind on its own, a plan never
called done); 二、by district (a table per period and kind of the documents, a table per status
of the ledger, each headed with its period and kind; 暂无数据 where a place has no figure);
三、accessibility (what the documents report beside what was mapped, with the completeness of
each measured value; a flow is never set against a stock); 四、next steps to write; and the
closing block (contact, 抄送, 印发) to fill.

Every figure carries a real Word footnote with its source (:mod:`layers.citations`): a
sentence's figure after the number, a table's row after the place. The page and styles are
GB/T 9704-2012's (:mod:`layers._docx`), so a planner restyles the draft in one click.
"""

from __future__ import annotations

import datetime
import io

import pandas as pd
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm, Pt

from geo.report import Report
from layers import _docx
from layers.citations import (
    citation_key,
    figure_name,
    filters_text,
    item_citations,
    item_value,
    kind_text,
    ledger_table_citation,
    merged_citation,
    no_data,
    source_name,
    status_words,
)
from layers.wording import label

__all__ = ["TABLE_FIGURES", "reply_docx"]

#: The by-district table's columns: documents' metrics, then the ledger's, in that order.
TABLE_FIGURES = {
    "reported": ("communities", "households", "buildings", "floor_area_m2", "investment_cny"),
    "ledger": (
        "ledger_communities",
        "ledger_households",
        "ledger_buildings",
        "ledger_floor_area_m2",
        "ledger_investment_cny",
    ),
}
_COLUMN_KEYS = ("col_communities", "col_households", "col_buildings", "col_floor_area", "col_inv")
#: Accessibility measures of the by-district table, and the share beside them.
_MEASURE_COLUMNS = ("tactile_km", "curb_ramps", "accessible_bus_stops")
_ACCESS_ROWS = ("tactile_km", "sidewalk_km", "tactile_rate", "curb_ramps", "accessible_bus_stops")
#: The type area's width (GB/T 9704 §5.2.1), what a table spans.
_TYPE_WIDTH_MM = 156
_NUMERALS = "一二三四五六七八九十"
#: A value ending in one of these (万 m²) takes its note after the punctuation that follows.
_SUPERSCRIPTS = ("²", "³", "¹", "⁰", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹")


def reply_docx(report: Report, *, today: datetime.date, lang: str = "zh") -> bytes:
    """The reply draft of ``report`` as .docx bytes (see the module)."""
    return _Reply(report, today, lang).build()


class _Reply:
    """One draft being written: the document, its footnotes, the table count."""

    def __init__(self, report: Report, today: datetime.date, lang: str) -> None:
        self.report, self.today, self.lang = report, today, lang
        self.document = _docx.gbt9704_document()
        self.notes = _docx.Footnotes(self.document)
        self.tables = 0
        self.style_ids: dict[str, str] = {}

    def build(self) -> bytes:
        self._header_note()
        self._heading_block()
        self._opening()
        self._programme()
        self._by_district()
        self._accessibility()
        self._closing()
        _docx.page_number_footer(self.document)
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()

    # --- text helpers ----------------------------------------------------------------

    def label(self, key: str, **values: object) -> str:
        return label(key, self.lang).format(**values) if values else label(key, self.lang)

    def para(self, text: str = "", style: str = "公文正文"):
        paragraph = self.document.add_paragraph()
        self.style(paragraph, style)
        if text:
            paragraph.add_run(text)
        return paragraph

    def style(self, paragraph, name: str) -> None:
        """Give ``paragraph`` the style ``name`` (by id: python-docx looks names up slowly)."""
        if name not in self.style_ids:
            self.style_ids[name] = self.document.styles[name].style_id
        _docx.set_style(paragraph, self.style_ids[name])

    def heading(self, text: str, level: int) -> None:
        self.document.add_heading(text, level=level)

    def field(self, paragraph, key: str) -> None:
        """A field to fill named by ``reply_field_<key>``, hinted by ``reply_hint_<key>``."""
        _docx.add_field(
            paragraph, self.label(f"reply_field_{key}"), self.label(f"reply_hint_{key}")
        )

    def figures_sentence(self, paragraph, items: pd.DataFrame) -> None:
        """
        ``name value、name value¹。`` into ``paragraph``: figures of one source share a note.

        The note follows the last figure of its run and names each figure with its words; after
        a value ending in a superscript (213.91 万 m²) it follows the punctuation instead, so
        the note's number is never read as the unit's (m²²).
        """
        sep = "、" if self.lang == "zh" else ", "
        keys = [citation_key(item, self.lang) for _, item in items.iterrows()]
        start, pending = 0, None
        for i, (_, item) in enumerate(items.iterrows()):
            if i and keys[i] != keys[i - 1]:
                start = i
            if i:
                paragraph.add_run(sep)
            if pending is not None:
                self.notes.add(paragraph, pending)
                pending = None
            paragraph.add_run(f"{figure_name(item, self.lang, short=True)} ")
            value = item_value(item, self.lang)
            paragraph.add_run(value)
            if i + 1 == len(keys) or keys[i + 1] != keys[i]:
                note = merged_citation(items.iloc[start : i + 1], self.lang)
                if value.endswith(_SUPERSCRIPTS):
                    pending = note
                else:
                    self.notes.add(paragraph, note)
        paragraph.add_run("。" if self.lang == "zh" else ".")
        if pending is not None:
            self.notes.add(paragraph, pending)

    # --- 版头, title, addressee, opening -------------------------------------------------

    def _header_note(self) -> None:
        """The draft's origin in the page header, for the planner (delete before issuing)."""
        header = self.document.sections[0].header.paragraphs[0]
        self.style(header, "公文版记")
        header.paragraph_format.first_line_indent = Pt(0)
        left_out = (
            self.label("report_left_out", n=self.report.left_out) if self.report.left_out else ""
        )
        header.add_run(
            self.label(
                "reply_draft_note",
                date=self.today.isoformat(),
                filters=filters_text(self.report.selection, self.lang),
            )
            + left_out
        ).font.size = Pt(9)

    def _heading_block(self) -> None:
        organ = self.para(style="发文机关标志")
        self.field(organ, "organ")
        organ.add_run(self.label("reply_organ_suffix"))
        number = self.para(style="公文版记")
        number.alignment = 1  # centred
        self.field(number, "number")
        _red_rule(number)
        for key in ("signer", "result"):
            line = self.para(style="公文版记")
            line.add_run(self.label(f"reply_{key}"))
            self.field(line, key)
        self.para(style="公文版记")
        title = self.para(style="公文标题")
        title.add_run(self.label("reply_title_before"))
        self.field(title, "meeting")
        title.add_run(self.label("reply_title_middle"))
        self.field(title, "proposal")
        title.add_run(self.label("reply_title_after"))
        self.para(style="公文版记")
        addressee = self.para(style="Normal")
        self.field(addressee, "member")
        addressee.add_run(self.label("reply_member_suffix"))

    def _scope_words(self) -> str:
        sep = "、" if self.lang == "zh" else ", "
        places = sep.join(self.report.selection.districts)
        cities = sep.join(self.report.cities)
        return f"{cities}{places}" if self.lang == "zh" else f"{cities} {places}".strip()

    def _opening(self) -> None:
        opening = self.para()
        opening.add_run(self.label("reply_opening_before"))
        self.field(opening, "subject")
        opening.add_run(self.label("reply_opening_after", scope=self._scope_words()))

    # --- 一、the programme as a whole ---------------------------------------------------

    def _section(self, number: int, key: str, **values: object) -> None:
        numeral = _NUMERALS[number - 1] if self.lang == "zh" else str(number)
        self.heading(self.label("reply_section", n=numeral, title=self.label(key, **values)), 1)

    def _programme(self) -> None:
        self._section(1, "reply_programme")
        for i, city in enumerate(self.report.cities):
            if len(self.report.cities) > 1:
                self.heading(f"（{_NUMERALS[i]}）{city}" if self.lang == "zh" else city, 2)
            items = self.report.city_items(city)
            if not self.report.has_data() or items["value"].notna().sum() == 0:
                self.para(self.label("report_nothing", city=city))
                continue
            self._city_groups(items[items["family"] == "programme"], city)

    def _city_groups(self, items: pd.DataFrame, city: str) -> None:
        """One paragraph per source, period and kind: never a plan beside done in one sum."""
        shown = items[items["value"].notna()]
        for kind in ("reported", "ledger"):
            mine = shown[shown["source_kind"] == kind]
            for _, group in mine.groupby(_group_keys(mine), dropna=False, sort=False):
                paragraph = self.para()
                first = group.iloc[0]
                key = "reply_city_ledger" if kind == "ledger" else "reply_city_reported"
                paragraph.add_run(self.label(key, city=city, kind=kind_text(first, self.lang)))
                self.figures_sentence(paragraph, group)

    # --- 二、by district -----------------------------------------------------------------

    def _by_district(self) -> None:
        self._section(2, "reply_by_district")
        items = self.report.items
        places = items[(items["scope"] == "place") & (items["family"] == "programme")]
        shown = places[places["value"].notna()]
        if shown.empty:
            self.para(self.label("reply_no_district_figures"))
            return
        for city in self.report.cities:
            for kind in ("reported", "ledger"):
                mine = shown[(shown["source_kind"] == kind) & (shown["city"] == city)]
                for _, group in mine.groupby(_group_keys(mine), dropna=False, sort=False):
                    if group["key"].isin(TABLE_FIGURES[kind]).any():
                        self._district_table(kind, city, group.iloc[0])
                    self._other_figures(group[~group["key"].isin(TABLE_FIGURES[kind])])

    def _caption(self, key: str, **values: object):
        self.tables += 1
        caption = self.para(style="公文表题")
        caption.add_run(self.label(key, n=self.tables, **values))
        return caption

    def _district_table(self, kind: str, city: str, first: pd.Series) -> None:
        """
        Every place of ``city`` for one source, period and kind, the city's own row last.

        Figures of one source get one note, on the caption; a row whose figures come from
        elsewhere (a city total of another line) gets its own. A ledger's table says how many
        rows each sum holds.
        """
        items = _same_group(self.report.items, first)
        items = items[items["city"] == city]
        whole = items[items["scope"] == "city"]
        named = whole.iloc[0] if len(whole) else first  # a ledger's years are the city's
        caption = self._caption("reply_table_caption", kind=kind_text(named, self.lang))
        keys = TABLE_FIGURES[kind]
        cited = items[items["key"].isin(keys) & items["value"].notna()]
        if kind == "ledger":
            # One note for the ledger; each row's count of rows is in its own column.
            common = ledger_table_citation(named, self.lang)
        else:
            common = _common_citation(cited[cited["scope"] == "place"], self.lang)
        if common is not None:
            self.notes.add(caption, self.label("reply_table_note", source=common))
        headers = [self.label("districts_short")] + [self.label(f"reply_{k}") for k in _COLUMN_KEYS]
        if kind == "ledger":
            headers.append(self.label("reply_col_rows"))
        places = self.report.places[self.report.places["city"] == city]
        table = self._table(headers, len(places) + 2, first_width=26)
        by_place = dict(tuple(items[items["scope"] == "place"].groupby("adcode")))
        rows = [(p.place, by_place.get(p.adcode, items[:0])) for p in places.itertuples()]
        rows.append((self.label("reply_city_row", city=city), whole))
        for row, (name, mine) in zip(table.rows[1:], rows, strict=True):
            own = kind != "ledger" and (
                common is None or _common_citation(mine, self.lang, keys) != common
            )
            self._row(row, name, mine, keys, note=own, ledger=kind == "ledger")

    def _row(self, row, name, items, keys, *, note=True, ledger=False) -> None:
        """A place's cells, 暂无数据 where it has no figure; a note on its name if ``note``."""
        cells = row.cells
        head = cells[0].paragraphs[0]
        head.add_run(name)
        by_key = {item["key"]: item for _, item in items.iterrows()}
        for cell, key in zip(cells[1:], keys, strict=False):
            found = by_key.get(key)
            cell.paragraphs[0].add_run(
                no_data(self.lang) if found is None else item_value(found, self.lang, short=True)
            )
        if ledger:
            count = by_key.get(keys[0])
            cells[-1].paragraphs[0].add_run(
                no_data(self.lang) if count is None else str(count["sources"][0].rows)
            )
        cited = items[items["key"].isin(keys) & items["value"].notna()]
        if note and len(cited):
            self.notes.add(head, merged_citation(cited, self.lang))

    def _table(self, headers: list[str], n_rows: int, *, first_width: float = 26):
        """A grid of ``n_rows`` (headers first, repeated on each page) in the type area."""
        table = self.document.add_table(rows=n_rows, cols=len(headers))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        other = (_TYPE_WIDTH_MM - first_width) / (len(headers) - 1)
        for i, column in enumerate(table.columns):
            width = Mm(first_width if i == 0 else other)
            column.width = width
            for cell in column.cells:
                cell.width = width
                self.style(cell.paragraphs[0], "公文表格")
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            cell.paragraphs[0].add_run(text).bold = True
        _repeat_header(table.rows[0])
        return table

    def _other_figures(self, items: pd.DataFrame) -> None:
        """Figures of the group outside the table's columns, as a sentence per place."""
        for _, mine in items.groupby("adcode", sort=False):
            first = mine.iloc[0]
            paragraph = self.para()
            paragraph.add_run(
                self.label(
                    "reply_place_figures", place=first["place"], kind=kind_text(first, self.lang)
                )
            )
            self.figures_sentence(paragraph, mine)

    # --- 三、accessibility ---------------------------------------------------------------

    def _accessibility(self) -> None:
        self._section(3, "reply_accessibility")
        items = self.report.items
        for city in self.report.cities:
            mine = items[(items["city"] == city) & (items["family"] == "accessibility")]
            mapped = mine[mine["source_kind"] == "measure"]
            reported = mine[(mine["source_kind"] == "reported") & (mine["scope"] == "city")]
            if reported.empty and mapped.empty:
                self.para(self.label("reply_no_accessibility", city=city))
            else:
                self._beside_table(city, reported, mapped)
            if len(mapped):
                self._measure_table(city, mapped)
        elderly = items[(items["family"] == "elderly") & items["value"].notna()]
        for _, group in elderly.groupby(_group_keys(elderly), dropna=False, sort=False):
            first = group.iloc[0]
            paragraph = self.para()
            paragraph.add_run(
                self.label("reply_elderly", city=first["city"], kind=kind_text(first, self.lang))
            )
            self.figures_sentence(paragraph, group)

    def _beside_table(self, city: str, reported: pd.DataFrame, mapped: pd.DataFrame) -> None:
        """Each measure: what the documents report (period, kind) beside what was mapped."""
        self._caption("reply_beside_caption", city=city)
        headers = [self.label(f"reply_beside_{k}") for k in ("measure", "reported", "mapped")]
        present = set(reported["measure"].dropna()) | set(mapped["metric"])
        measures = [m for m in _ACCESS_ROWS if m in present]
        table = self._table(headers, len(measures) + 1, first_width=36)
        whole = mapped[mapped["scope"] == "city"]
        for row, measure in zip(table.rows[1:], measures, strict=True):
            cells = row.cells
            name = figure_name({"source_kind": "measure", "metric": measure}, self.lang)
            cells[0].paragraphs[0].add_run(name)
            self._reported_cell(cells[1], reported[reported["measure"] == measure])
            found = whole[whole["metric"] == measure]
            self._mapped_cell(cells[2], found.iloc[0] if len(found) else None)

    def _reported_cell(self, cell, items: pd.DataFrame) -> None:
        """Each reported figure with its period and kind: a flow says it is one."""
        if items.empty:
            cell.paragraphs[0].add_run(no_data(self.lang))
            return
        for i, (_, item) in enumerate(items.iterrows()):
            paragraph = cell.paragraphs[0]
            if i:
                paragraph = cell.add_paragraph()
                self.style(paragraph, "公文表格")
            paragraph.add_run(f"{item_value(item, self.lang)}（{kind_text(item, self.lang)}）")
            self.notes.add(paragraph, item_citations(item, self.lang))

    def _mapped_cell(self, cell, item) -> None:
        paragraph = cell.paragraphs[0]
        if item is None:
            paragraph.add_run(f"{no_data(self.lang)}（{self.label('reply_not_mapped')}）")
            return
        paragraph.add_run(item_value(item, self.lang))
        self.notes.add(paragraph, item_citations(item, self.lang))

    def _measure_table(self, city: str, mapped: pd.DataFrame) -> None:
        """Each district's mapped measures, the share of households near a stop, the status."""
        places = mapped[mapped["scope"] == "place"]
        method = self.report.share_method()
        share = f"households_within_{max(self.report.radii)}m_accessible_bus_stop"
        if method != "straight":
            share += f"_{method}"  # walked along the network, never called so when it is not
        keys = tuple(f"infra_{k}" for k in (*_MEASURE_COLUMNS, share))
        caption = self._caption("reply_measure_caption", city=city)
        common = _common_citation(places, self.lang)
        if common is not None:
            self.notes.add(caption, self.label("reply_table_note", source=common))
        headers = [self.label("districts_short")]
        headers += [
            figure_name({"source_kind": "measure", "metric": k[6:]}, self.lang) for k in keys
        ]
        if method == "straight":
            headers[-1] += self.label("reply_straight_suffix")
        headers.append(self.label("reply_beside_status"))
        rows = self.report.places[self.report.places["city"] == city]
        table = self._table(headers, len(rows) + 1, first_width=24)
        for row, place in zip(table.rows[1:], rows.itertuples(index=False), strict=True):
            mine = places[places["adcode"] == place.adcode]
            own = common is None or _common_citation(mine, self.lang, keys) != common
            self._row(row, place.place, mine, keys, note=own)
            status = (
                status_words(mine, self.lang)
                if place.has_outline
                else self.label("report_zone_unmeasured")
            )
            row.cells[-1].paragraphs[0].add_run(status)
        self.para(self._share_method_words())

    def _share_method_words(self) -> str:
        """Which distance the table's shares are: straight-line, or along which network."""
        source = self.report.network_source
        if self.report.share_method() == "straight" or source is None:
            return self.label("reply_share_straight")
        return self.label(
            "reply_share_walk",
            profile=self.label(f"profile_{self.report.share_method()}"),
            network=source_name(source, self.lang),
        )

    # --- 四、next steps; closing ---------------------------------------------------------

    def _closing(self) -> None:
        self._section(4, "reply_next")
        self.field(self.para(), "next")
        self.para(self.label("reply_thanks"))
        self.para(style="公文版记")
        for key in ("contact_unit", "contact_person"):
            line = self.para()
            line.add_run(self.label(f"reply_{key}"))
            self.field(line, key)
        copy_to = self.para(style="公文版记")
        _rule(copy_to, "top")
        copy_to.add_run(self.label("reply_copy_to"))
        self.field(copy_to, "copy_to")
        issued = self.para(style="公文版记")
        _rule(issued, "bottom")
        self.field(issued, "issuer_office")
        issued.add_run("　　")
        self.field(issued, "issue_date")
        issued.add_run(self.label("reply_issued"))


def _group_keys(items: pd.DataFrame) -> list[pd.Series]:
    """
    Keys of a figure's group: its source, and for a document's figure its period and kind.

    A ledger's figures group by ledger status alone: each place's rows span their own years,
    and the table names the years of all of them.
    """
    dated = items["source_kind"] == "reported"

    def text(column: str) -> pd.Series:
        return items[column].astype("string").fillna("").where(dated, "")

    status = items["status"].astype("string").fillna("")
    return [
        items["source_kind"],
        text("period_label"),
        text("period_start"),
        text("period_end"),
        status,
    ]


def _same_group(items: pd.DataFrame, first: pd.Series) -> pd.DataFrame:
    """The items of ``first``'s group (see :func:`_group_keys`), in every place and the city."""
    keep = pd.Series(True, index=items.index)
    for key in _group_keys(items):
        keep &= key == key.loc[first.name]
    return items[keep]


def _common_citation(items: pd.DataFrame, lang: str, keys=None) -> str | None:
    """
    The one source every figure of ``items`` (of ``keys``) shares, without words; else None.

    None too when there is no figure: an empty row needs no note.
    """
    if keys is not None:
        items = items[items["key"].isin(keys) & items["value"].notna()]
    if items.empty:
        return None
    keys = {citation_key(item, lang) for _, item in items.iterrows()}
    if len(keys) != 1:
        return None
    return merged_citation(items.iloc[[0]], lang, names=False, words=False)


def _repeat_header(row) -> None:
    """The table's first row repeats on every page it runs over."""
    row._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))


def _red_rule(paragraph) -> None:
    """The red rule under the document number (版头分隔线, §7.2.7)."""
    _rule(paragraph, "bottom", colour="E60000", size=12)


def _rule(paragraph, side: str, *, colour: str = "000000", size: int = 8) -> None:
    """A line above or below a paragraph, the type area's width (版记分隔线, §7.4.1)."""
    p_pr = paragraph._p.get_or_add_pPr()
    p_pr.append(
        parse_xml(
            f'<w:pBdr {nsdecls("w")}><w:{side} w:val="single" w:sz="{size}" w:space="4" '
            f'w:color="{colour}"/></w:pBdr>'
        )
    )
