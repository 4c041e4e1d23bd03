"""
The district atlas as a PDF: a cover for the city, then one page per district and zone.

:func:`atlas_pdf` draws a :class:`geo.report.Report` with matplotlib's PDF backend, offline
(no tiles): the cover has the city's districts coloured by one figure
(:mod:`layers.choropleth`'s classes, 暂无数据 hatched grey, never 0), the legend, the
sources, the date, the filters and the contents; each district's page its map (outline,
the ledger's communities, the infrastructure, the data's extent shaded and the rest hatched
as no data; scale bar and north arrow) in the CGCS2000 Gauss-Krüger zone of the city, then
its figures, each with its period and kind, its rank in the city and a numbered source, and
its accessibility and household shares with their statuses: by straight-line distance, so
titled, and when the report has an OSM extract the shares walked along its streets beside
them in the same table (each column headed with its distance), citing the extract.
A zone without an outline gets a page without a map that says why. A map's key (the
cover's legend too) is measured and put where it covers none of what the map draws:
beside it, in a corner it leaves empty, or beside the map made narrower (:func:`_place_key`).
Text is measured in the font's own glyph widths and wraps where it is too long; a table's
columns are as wide as the text it shows needs, in the atlas's language (:func:`_fit_widths`),
the same on every page; the map takes what the tables, the sources and the notes leave,
measured as they will be drawn. A page that still overflows goes on to a continuation page.

Text is real text in the font Debian ships (Noto Sans CJK, ``fonts-noto-cjk``), as Type 3
fonts with a ToUnicode map: measured on the 新乡 atlas, ``pdf.fonttype: 42`` took 7.7 s more
to embed the CFF font (fontTools converts it), while Type 3 text reads back exactly with
pypdf and selects in any viewer. Each line is shaped once (:class:`_PageText`), not twice
as :class:`matplotlib.text.Text` does. Maps stay vector.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import io
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import font_manager, patheffects, rc_context
from matplotlib.artist import Artist
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import LoadFlags
from matplotlib.patches import Patch
from matplotlib_scalebar.scalebar import ScaleBar

from geo import coverage, crs
from geo.coverage import DISTANCE_TYPES
from geo.errors import AtlasError
from geo.report import LEDGER_FIGURES, Report
from layers._html import NO_DATA_COLOUR
from layers.choropleth import class_colours, class_ranges, classify
from layers.citations import (
    citation,
    figure_name,
    filters_text,
    item_value,
    key_name,
    kind_text,
    no_data,
    source_name,
    status_words,
)
from layers.wording import LABELS, class_texts, label, listed_text, rank_label

__all__ = ["FONT_FILES", "FontMissingError", "atlas_pdf"]

#: Debian's Noto CJK (``apt-get install fonts-noto-cjk``): regular and bold.
FONT_FILES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
)
_FAMILY = "Noto Sans CJK SC"
_A4_MM = (210.0, 297.0)
_MARGIN_MM = 14.0
_INK = "#222222"
_GREY = "#666666"
#: Point layers drawn on a district's map: type → (colour, marker, size).
_POINTS = {
    "curb_ramp": ("#1f78b4", "o", 3),
    "accessible_bus_stop": ("#1a9850", "s", 9),
    "accessible_toilet": ("#762a83", "^", 12),
    "elevator": ("#333333", "x", 10),
}
_STATUS_COLOURS = {"completed": "#b2182b", "started": "#f46d43", "plan": "#ffffff"}
_EXTENT_COLOUR = "#d6e6f5"


class FontMissingError(AtlasError, FileNotFoundError):
    """The Chinese font the atlas needs is not installed."""


@functools.cache
def _font_family() -> str:
    """Register Debian's Noto Sans CJK with matplotlib; refuse clearly when it is missing."""
    missing = [str(p) for p in FONT_FILES if not p.exists()]
    if missing:
        raise FontMissingError(
            f"Expected the Chinese font Noto Sans CJK at {', '.join(missing)}, found none. "
            "Install Debian's fonts-noto-cjk (`make fonts`, or `apt-get install fonts-noto-cjk`) "
            "and run again: the atlas writes its Chinese text in that font."
        )
    for path in FONT_FILES:
        font_manager.fontManager.addfont(str(path))
    return _FAMILY


# --- text layout ------------------------------------------------------------------------


@functools.cache
def _font(family: str, size: float, weight: str) -> FontProperties:
    return FontProperties(family=family, size=size, weight=weight)


def _width_em(text: str, *, bold: bool = False) -> float:
    """
    Width of ``text`` in ems, as the atlas's font draws it: the sum of its glyphs' advances.

    A Chinese character is one em; Latin letters are Noto Sans CJK's own (measured on the
    English atlas, the old flat estimate of 0.56 em a letter made "the data cover only part
    of the district" 22.4 ems wide where the font draws 17.5, and wrapped English early).
    """
    return sum(_advance(char, bold) for char in text)


#: The size (pixels to the em) glyph advances are read at: unhinted, so exact to the unit.
_EM_PX = 1000


@functools.cache
def _advance(char: str, bold: bool) -> float:
    """The advance of ``char`` in ems in Noto Sans CJK (regular or bold), unhinted."""
    if unicodedata.east_asian_width(char) in "WF":
        return 1.0
    prop = FontProperties(family=_font_family(), weight="bold" if bold else "normal")
    font = font_manager.get_font(font_manager.findfont(prop, fallback_to_default=False))
    index = font.get_char_index(ord(char))
    if not index:
        return 1.0  # not in the font: drawn by another one, counted a full em wide
    # The font object is shared with the renderer, which sets its own size before drawing.
    font.set_size(_EM_PX * 72 / 100, 100)
    glyph = font.load_glyph(index, flags=LoadFlags.NO_HINTING)
    return glyph.horiAdvance / 64 / _EM_PX


_NO_LINE_START = set("，。、；：）》」”’%！？,.;:)")
#: Brackets whose group a table cell keeps on one line: "（沿路网步行）" never splits.
_BRACKETS = {"（": "）", "(": ")", "〔": "〕", "【": "】", "《": "》"}


def wrap(
    text: str, width_mm: float, size_pt: float, *, groups: bool = False, bold: bool = False
) -> list[str]:
    """
    ``text`` cut into lines no wider than ``width_mm`` at ``size_pt``; nothing is dropped.

    Lines break between any two Chinese characters and at spaces in Latin text; no line
    starts with closing punctuation (:func:`_unbroken`) or ends in a bare number. With
    ``groups`` (a table's cells), a bracketed group that fits on a line is kept whole: the
    line breaks before its opening bracket, never inside it ("300 米内户数占比" / "（直线）");
    a group wider than the line still breaks.
    Widths are the font's, ``bold`` or regular (:func:`_width_em`).
    """
    limit = width_mm / (size_pt * 0.3528)
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line, width = "", 0.0  # the line's width kept as it grows: one pass over the text
        for token in _unbroken(_tokens(paragraph, groups=groups, limit=limit, bold=bold)):
            more = _width_em(token, bold=bold)
            if line and width + more > limit and token.strip() not in _NO_LINE_START:
                lines.append(line.rstrip())
                line = token.lstrip()
                width = _width_em(line, bold=bold)
            else:
                line += token
                width += more
        lines.append(line.rstrip())
    return lines


def _unbroken(tokens: Iterator[str]) -> list[str]:
    """
    ``tokens`` with closing punctuation joined to the token before it.

    A line may not start with it: joined, the line breaks before the word it closes rather
    than running past its width ("第 31 行）" moves on whole).
    """
    out: list[str] = []
    for token in tokens:
        if out and token.strip() in _NO_LINE_START:
            out[-1] += token
        else:
            out.append(token)
    return out


def _tokens(
    text: str, *, groups: bool = False, limit: float = 0.0, bold: bool = False
) -> Iterator[str]:
    """
    Chinese characters one by one; Latin words with their trailing space together.

    A number keeps to the word after it ("300 m", "300 米"): no line ends in a bare number.
    With ``groups``, a bracketed group no wider than ``limit`` ems is one token.
    """
    if groups:
        start = 0
        for index, char in enumerate(text):
            if index < start or char not in _BRACKETS:
                continue
            end = text.find(_BRACKETS[char], index + 1)
            if end < 0 or _width_em(text[index : end + 1], bold=bold) > limit:
                continue
            yield from _tokens(text[start:index])
            yield text[index : end + 1]
            start = end + 1
        yield from _tokens(text[start:])
        return
    held = ""
    for token in _plain_tokens(text):
        if _NUMBER.fullmatch(token):
            held += token
            continue
        yield held + token
        held = ""
    if held:
        yield held


#: A number as :func:`_plain_tokens` yields it, with or without its trailing space.
_NUMBER = re.compile(r"\d[\d.,]* ?")


def _plain_tokens(text: str) -> Iterator[str]:
    """Chinese characters one by one; Latin words with their trailing space together."""
    word = ""
    for char in text:
        if unicodedata.east_asian_width(char) in "WF":
            if word:
                yield word
                word = ""
            yield char
        else:
            word += char
            if char == " ":
                yield word
                word = ""
    if word:
        yield word


#: Where a line's baseline sits below its top, in ems (Noto Sans CJK's ideographs: 0.88).
_ASCENT_EM = 0.88
_PT_PER_MM = 72 / 25.4


class _PageText(Artist):
    """
    A page's text, drawn straight through the renderer: each line shaped once.

    A :class:`matplotlib.text.Text` lays each line out twice (its extent for alignment, then
    the glyphs), and shaping a line of Noto Sans CJK costs about 50 µs a glyph: on the 新乡
    atlas (14 pages, 1,500 lines) that was half the time spent writing the PDF. Every line
    here is left-aligned at a known top, so its extent is never needed. The text is the
    same real, selectable text (``renderer.draw_text``), fonts and all.
    """

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[tuple[float, float, str, FontProperties, str]] = []

    def add(self, x_mm: float, top_mm: float, text: str, prop: FontProperties, colour: str):
        """A line whose top-left corner is (``x_mm``, ``top_mm``) from the page's top-left."""
        baseline = top_mm + prop.get_size_in_points() * _ASCENT_EM / _PT_PER_MM
        self.lines.append((x_mm, baseline, text, prop, colour))

    def draw(self, renderer) -> None:
        if not self.get_visible() or not self.lines:
            return
        gc = renderer.new_gc()
        to_display = self.figure.transFigure.transform
        for x_mm, baseline, text, prop, colour in self.lines:
            x, y = to_display((x_mm / _A4_MM[0], 1 - baseline / _A4_MM[1]))
            gc.set_foreground(colour)
            renderer.draw_text(gc, x, y, text, prop, 0.0)
        gc.restore()


def _line_mm(size: float) -> float:
    """The step (mm) from one line of text to the next at ``size`` points."""
    return size * 0.3528 * 1.45


class _Page:
    """One A4 page being laid out top-down in millimetres."""

    def __init__(self, pdf: PdfPages, family: str) -> None:
        self.pdf, self.family = pdf, family
        self.figure = Figure(figsize=(_A4_MM[0] / 25.4, _A4_MM[1] / 25.4))
        self.words = _PageText()
        self.figure.add_artist(self.words)
        self.y = _MARGIN_MM
        self.width = _A4_MM[0] - 2 * _MARGIN_MM

    def room(self) -> float:
        """Millimetres left above the footer."""
        return _A4_MM[1] - _MARGIN_MM - 8 - self.y

    def text(self, x: float, y: float, text: str, size: float, **style) -> None:
        """
        Text whose top-left corner is (``x``, ``y``) mm from the page's top-left.

        Lines of ``text`` (split at newlines) are ``linespacing`` sizes apart (1.45).
        """
        prop = _font(self.family, size, style.pop("weight", None) or "normal")
        colour = style.pop("color", _INK)
        step = size * style.pop("linespacing", 1.45) / _PT_PER_MM
        for i, line in enumerate(text.split("\n")):
            if line:
                self.words.add(x, y + i * step, line, prop, colour)

    def lines(self, text: str, size: float, *, x: float = _MARGIN_MM, width=None, **style):
        """Wrapped ``text`` at the cursor; the cursor moves below it."""
        width = self.width - (x - _MARGIN_MM) if width is None else width
        for line in wrap(text, width, size, bold=style.get("weight") == "bold"):
            self.text(x, self.y, line, size, **style)
            self.y += _line_mm(size)

    def lines_height(self, text: str, size: float, *, bold: bool = False) -> float:
        """Millimetres :meth:`lines` takes for ``text`` across the page."""
        return len(wrap(text, self.width, size, bold=bold)) * _line_mm(size)

    def axes(self, top: float, height: float, left: float = _MARGIN_MM, width=None):
        """Axes ``height`` mm tall at ``top`` mm, the page's width by default."""
        width = self.width if width is None else width
        box = [left / _A4_MM[0], 1 - (top + height) / _A4_MM[1], width / _A4_MM[0]]
        return self.figure.add_axes([*box, height / _A4_MM[1]])

    def rule(self, y: float) -> None:
        """A hairline across the page at ``y`` mm (a figure line: cheaper than an axes)."""
        from matplotlib.lines import Line2D

        height = 1 - y / _A4_MM[1]
        left, right = _MARGIN_MM / _A4_MM[0], 1 - _MARGIN_MM / _A4_MM[0]
        self.figure.add_artist(
            Line2D([left, right], [height, height], color="#cccccc", linewidth=0.4,
                   transform=self.figure.transFigure)
        )  # fmt: skip

    def footer(self, words: str) -> None:
        y = _A4_MM[1] - _MARGIN_MM - 5
        for i, line in enumerate(wrap(words, self.width, 6.5)):
            self.text(_MARGIN_MM, y + i * 3, line, 6.5, color=_GREY)

    def save(self) -> None:
        self.pdf.savefig(self.figure)


_TABLE_PT = 6.8
#: A cell's text starts at its column's left edge and stops this far (mm) short of the next.
_CELL_PAD_MM = 1.5
_TABLE_MM = _A4_MM[0] - 2 * _MARGIN_MM


def _table(page: _Page, headers: list[str], rows: list[list[str]], widths: list[float]):
    """
    A table at the cursor: every cell wraps in its column; rows never split.

    Returns the rows that did not fit on the page (the caller carries them on).
    """
    size = _TABLE_PT
    step = size * 0.3528 * 1.4

    def draw(cells: list[str], bold: bool) -> bool:
        wrapped = _cell_lines(cells, widths, bold=bold)
        height = max(len(w) for w in wrapped) * step + 1.0
        if height > page.room():
            return False
        x = _MARGIN_MM
        for lines, w in zip(wrapped, widths, strict=True):
            # One text per cell: matplotlib's cost is per text, not per line.
            page.text(x, page.y + 0.5, "\n".join(lines), size, linespacing=1.4,
                      weight="bold" if bold else None)  # fmt: skip
            x += w
        page.y += height
        page.rule(page.y - 0.2)
        return True

    draw(headers, True)
    for index, row in enumerate(rows):
        if not draw(row, False):
            return rows[index:]
    return []


def _cell_lines(cells: list[str], widths: list[float], *, bold: bool = False) -> list[list[str]]:
    """Each cell of a table row wrapped in its column, bracketed groups kept whole."""
    return [
        wrap(c, w - _CELL_PAD_MM, _TABLE_PT, groups=True, bold=bold)
        for c, w in zip(cells, widths, strict=True)
    ]


def _fit_widths(headers: list[str], rows: list[list[str]], total: float = _TABLE_MM) -> list[float]:
    """
    Column widths (mm) summing to ``total``, from the text the table shows in its language.

    A row is as tall as its tallest cell, and a value with its rank below it takes two
    lines whatever the width: the cells beside it may wrap to two lines at no cost. So each
    column gets the least width at which none of its cells makes its row taller than its
    own lines make it (:func:`_least_width`), with the header on one to three lines, and
    every row as it is or a line taller: of these, the layout with the fewest lines that
    fits ``total``. The width left goes to the columns whose text still wraps, up to their
    widest line (:func:`_pour`). Widths fixed for the Chinese text wrapped English cells
    needlessly, and left the source and rank columns mostly empty.
    """
    table = [(list(headers), True), *((list(row), False) for row in rows)]
    own = [max(str(cell).count("\n") + 1 for cell in cells) for cells, _bold in table]

    def least(floors: list[int]) -> np.ndarray:
        """Each column's least width with no row taller than its floor (lines)."""
        return np.array(
            [
                max(
                    _least_width(str(cells[column]), floor, bold)
                    for (cells, bold), floor in zip(table, floors, strict=True)
                )
                for column in range(len(headers))
            ]
        )

    layouts = sorted(
        (header_lines + sum(own[1:]) + more * len(rows), more, header_lines)
        for more in (0, 1)
        for header_lines in (1, 2, 3)
    )
    for _lines, more, header_lines in layouts:
        widths = least([header_lines, *(lines + more for lines in own[1:])])
        if widths.sum() <= total:
            natural = least([0] * len(table))  # every line of every cell unwrapped
            return [float(w) for w in _pour(widths, np.maximum(widths, natural), total)]
    # Too wide even so: the last widths in proportion, their cells wrapping further.
    return [float(w) for w in widths * total / widths.sum()]


def _pour(low: np.ndarray, high: np.ndarray, total: float) -> np.ndarray:
    """
    Widths from ``low`` towards ``high`` summing to ``total``, poured like water.

    Each column is filled to one common level, never below its ``low`` nor above its
    ``high``: narrow columns reach their ``high`` first. Past every ``high``, the rest is
    shared in proportion.
    """
    if high.sum() <= total:
        return high * total / high.sum()
    bottom, top = 0.0, float(high.max())
    for _ in range(40):  # what the columns fill grows with the level: bisect it
        level = (bottom + top) / 2
        if np.clip(level, low, high).sum() > total:
            top = level
        else:
            bottom = level
    widths = np.clip(bottom, low, high)
    return widths + (total - widths.sum()) / len(widths)  # what bisection leaves: a hair


@functools.cache
def _least_width(text: str, lines: int, bold: bool) -> float:
    """
    The least column width (mm) at which ``text`` wraps to at most ``lines`` lines.

    Never less than its widest word or bracketed group (wrapping keeps them whole), never
    more than its widest line unwrapped.
    """
    em = _TABLE_PT * 0.3528
    paragraphs = text.split("\n")
    natural = max(_width_em(line, bold=bold) for line in paragraphs) * em + _CELL_PAD_MM
    if lines <= len(paragraphs):
        return natural
    words = [word.strip() for line in paragraphs for word in _tokens(line)]
    low = max((_width_em(word, bold=bold) for word in words), default=0.0) * em + _CELL_PAD_MM
    high = natural
    while high - low > 0.25:  # a quarter of a millimetre: the lines are monotone in the width
        middle = (low + high) / 2
        if len(wrap(text, middle - _CELL_PAD_MM, _TABLE_PT, groups=True, bold=bold)) <= lines:
            high = middle
        else:
            low = middle
    return high


# --- maps -------------------------------------------------------------------------------


class _CityLayers:
    """A city's outlines, communities and features in its Gauss-Krüger zone, drawn per page."""

    def __init__(self, report: Report, city: str) -> None:
        outlines = report.outlines[report.outlines["city"] == city]
        centre = shapely.centroid(shapely.union_all(outlines.geometry.to_numpy()))
        self.crs = crs.metric_crs(centre.x, centre.y)
        self.outlines = outlines.to_crs(self.crs)
        self.projects = _to(report.projects, self.crs, outlines)
        self.features = _to(report.features, self.crs, outlines)
        self.extent = None
        if report.extent is not None:
            extent = gpd.GeoSeries([report.extent], crs="EPSG:4326").to_crs(self.crs)
            self.extent = shapely.make_valid(extent.iloc[0])


def _to(frame: gpd.GeoDataFrame | None, target, outlines: gpd.GeoDataFrame):
    """``frame``'s rows with a geometry inside the outlines' bounds, in ``target``."""
    if frame is None or frame.empty:
        return None
    minx, miny, maxx, maxy = outlines.total_bounds
    kept = frame[frame.geometry.notna()].cx[minx:maxx, miny:maxy]
    return kept.to_crs(target) if len(kept) else None


def _district_map(ax, layers: _CityLayers, adcode: str, lang: str) -> tuple[list, np.ndarray]:
    """
    The district's map: context, data extent, infrastructure, communities, furniture.

    Returns the key's handles and what the map draws that a key must not cover: the
    district's outline, its infrastructure and its communities (metres of the zone).
    """
    own = layers.outlines[layers.outlines["adcode"] == adcode]
    shape = own.geometry.iloc[0]
    layers.outlines.plot(ax=ax, color="#f0f0f0", edgecolor="white", linewidth=0.5)
    own.plot(ax=ax, color="white", edgecolor="none")
    handles = []
    if layers.extent is not None:
        covered = shapely.intersection(shape, layers.extent)
        missing = shapely.difference(shape, layers.extent)
        # The legend keys only what the map shows: a district the data misses (a sliver
        # along a shared edge is no cover, as for the measures' status) has no "covered"
        # key, one it covers whole no hatching.
        sliver = coverage._SLIVER_SHARE * shape.area
        if covered.area > sliver:
            gpd.GeoSeries([covered], crs=layers.crs).plot(ax=ax, color=_EXTENT_COLOUR, linewidth=0)
            handles.append(Patch(facecolor=_EXTENT_COLOUR, label=label("sheets_extent", lang)))
        if missing.area > sliver:
            gpd.GeoSeries([missing], crs=layers.crs).plot(
                ax=ax, facecolor="none", edgecolor="#bbbbbb", hatch="////", linewidth=0
            )
            handles.append(
                Patch(facecolor="white", edgecolor="#bbbbbb", hatch="////", label=no_data(lang))
            )
    handles += _infrastructure(ax, layers, shape, lang)
    handles += _communities(ax, layers, shape, lang)
    own.boundary.plot(ax=ax, color=_INK, linewidth=1.1)
    _frame_to(ax, shape)
    _furniture(ax, lang)
    drawn = [np.array([shape], dtype=object)]
    for frame in (_inside(layers.features, shape), _inside(layers.projects, shape)):
        if frame is not None:
            drawn.append(frame.geometry.to_numpy())
    return handles, np.concatenate(drawn)


def _map_axes(page: _Page, layers: _CityLayers, adcode: str, height: float, lang: str):
    """
    The district's map at most ``height`` mm tall at the cursor, with its key.

    Returns the axes and where the key went (:class:`_KeyPlace`, see :func:`_place_key`).
    """
    ax = page.axes(page.y, height)
    handles, drawn = _district_map(ax, layers, adcode, lang)
    return ax, _place_key(page, ax, handles, drawn, top=page.y, height=height, size=5.5)


#: Between a map and the key beside it; between a key and the map's frame in its corner (mm).
_KEY_GAP_MM = 2.0
_KEY_INSET_MM = 1.5
#: How far (mm) a key in a corner may reach over what the map draws: a line's width.
_KEY_TOLERANCE_MM = 0.3


@dataclasses.dataclass(frozen=True)
class _KeyPlace:
    """
    Where a map's key went; the map's box as drawn and the key's, in millimetres.

    Each box is (left, top, width, height) from the page's top-left corner. ``where`` is
    ``beside`` (the map and its key side by side, centred on the page), ``lower left`` or
    ``upper left`` (a corner of the map the drawing leaves empty), ``narrowed`` (the map
    made narrower, the key beside it) or ``none`` (nothing to key).
    """

    where: str
    map_box: tuple[float, float, float, float]
    key_box: tuple[float, float, float, float] | None

    @property
    def bottom(self) -> float:
        """The lowest edge of the map and its key (mm from the page's top)."""
        boxes = [self.map_box] if self.key_box is None else [self.map_box, self.key_box]
        return max(top + tall for _left, top, _wide, tall in boxes)


def _place_key(
    page: _Page, ax, handles: list, drawn: np.ndarray, *, top: float, height: float, size: float
) -> _KeyPlace:
    """
    Lay out the map (framed, equal aspect) at ``top`` within ``height`` mm and its key.

    The key is measured (its rendered extent), then put where it covers none of ``drawn``
    (the districts, communities and infrastructure the map draws, in the axes' data
    units): beside the map when the page's width holds both; else in a corner of the map
    the drawing leaves empty (lower left, then upper left: the scale bar and the north
    arrow hold the right-hand corners); else the map is made narrower so the key fits
    beside it. The map sits at ``top``; its height is what its shape needs, at most
    ``height``.
    """
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    aspect = (x1 - x0) / (y1 - y0)
    wide = min(page.width, height * aspect)
    centred = (_MARGIN_MM + (page.width - wide) / 2, top, wide, wide / aspect)
    if not handles:
        _set_box(page, ax, centred)
        return _KeyPlace("none", _floats(centred), None)
    key = ax.legend(handles=handles, loc="lower left", borderaxespad=0, framealpha=0.85,
                    prop={"family": page.family, "size": size})  # fmt: skip
    extent = key.get_window_extent()
    mm_per_px = 25.4 / page.figure.dpi
    key_w, key_h = extent.width * mm_per_px, extent.height * mm_per_px
    if wide + _KEY_GAP_MM + key_w <= page.width:
        left = _MARGIN_MM + (page.width - wide - _KEY_GAP_MM - key_w) / 2
        where, map_box = "beside", (left, top, wide, wide / aspect)
        key_box = _beside(map_box, key_w, key_h)
    else:
        empty = (
            (corner, box)
            for corner, box in _corners(centred, key_w, key_h)
            if not _covers(box, centred, (x0, x1, y0, y1), drawn)
        )
        where, key_box = next(empty, ("narrowed", None))
        map_box = centred
        if key_box is None:
            narrow = page.width - _KEY_GAP_MM - key_w
            map_box = (_MARGIN_MM, top, narrow, narrow / aspect)
            key_box = _beside(map_box, key_w, key_h)
    _set_box(page, ax, map_box)
    left, key_top, _key_w, key_h = key_box
    anchor = (left / _A4_MM[0], 1 - (key_top + key_h) / _A4_MM[1])
    key.set_bbox_to_anchor(anchor, transform=page.figure.transFigure)
    key.set_frame_on(where not in ("beside", "narrowed"))  # on the map, on its own white
    return _KeyPlace(where, _floats(map_box), _floats(key_box))


def _floats(box) -> tuple[float, float, float, float]:
    left, top, wide, tall = map(float, box)
    return left, top, wide, tall


def _beside(map_box, key_w: float, key_h: float) -> tuple[float, float, float, float]:
    """The key's box to the right of ``map_box``, their lower edges level."""
    left, top, wide, tall = map_box
    return (left + wide + _KEY_GAP_MM, max(top, top + tall - key_h), key_w, key_h)


def _corners(map_box, key_w: float, key_h: float):
    """The key's box in the map's lower-left and upper-left corners, where it fits."""
    left, top, wide, tall = map_box
    inset = _KEY_INSET_MM
    # The scale bar takes the lower right (its bar, its label and its frame's padding), the
    # north arrow the upper right.
    room = {"lower left": (0.92 - _SCALE_FRACTION) * wide, "upper left": (_NORTH_X - 0.07) * wide}
    for where, key_top in (("lower left", top + tall - inset - key_h), ("upper left", top + inset)):
        if inset + key_w <= room[where] and key_h + 2 * inset <= tall:
            yield where, (left + inset, key_top, key_w, key_h)


def _covers(box, map_box, limits, drawn: np.ndarray) -> bool:
    """True when the key's ``box`` (mm) on the map ``map_box`` covers any of ``drawn``."""
    left, top, wide, _tall = map_box
    x0, x1, _y0, y1 = limits
    per_mm = (x1 - x0) / wide
    k_left, k_top, k_wide, k_tall = box
    shrink = _KEY_TOLERANCE_MM * per_mm
    area = shapely.box(
        x0 + (k_left - left) * per_mm + shrink,
        y1 - (k_top + k_tall - top) * per_mm + shrink,
        x0 + (k_left + k_wide - left) * per_mm - shrink,
        y1 - (k_top - top) * per_mm - shrink,
    )
    return bool(shapely.intersects(area, drawn).any())


def _set_box(page: _Page, ax, box) -> None:
    """Put ``ax`` at ``box`` (left, top, width, height; mm from the page's top-left)."""
    left, top, wide, tall = box
    ax.set_position(
        [left / _A4_MM[0], 1 - (top + tall) / _A4_MM[1], wide / _A4_MM[0], tall / _A4_MM[1]]
    )


def _inside(frame: gpd.GeoDataFrame | None, shape) -> gpd.GeoDataFrame | None:
    if frame is None:
        return None
    kept = frame[shapely.intersects(frame.geometry.to_numpy(), shape)]
    return kept if len(kept) else None


def _infrastructure(ax, layers: _CityLayers, shape, lang: str) -> list:
    """Tactile paving as lines, ramps, stops, toilets and elevators as points, with handles."""
    from matplotlib.lines import Line2D

    features = _inside(layers.features, shape)
    if features is None:
        return []
    handles = []
    paving = features[features["type"] == "tactile_paving"]
    lines = paving[~paving.geom_type.isin(["Point", "MultiPoint"])]
    if len(lines):
        lines.plot(ax=ax, color="#e08214", linewidth=0.6)
        handles.append(Line2D([], [], color="#e08214", label=label("infra_tactile_paving", lang)))
    for kind, (colour, marker, size) in _POINTS.items():
        points = features[(features["type"] == kind) & features.geom_type.eq("Point")]
        if len(points):
            points.plot(ax=ax, color=colour, marker=marker, markersize=size, linewidth=0.5)
            handles.append(
                Line2D([], [], color=colour, marker=marker, linestyle="", markersize=4,
                       label=label(f"infra_{kind}", lang))
            )  # fmt: skip
    return handles


def _communities(ax, layers: _CityLayers, shape, lang: str) -> list:
    """The ledger's communities with a point, coloured by ledger status."""
    from matplotlib.lines import Line2D

    projects = _inside(layers.projects, shape)
    if projects is None:
        return []
    handles = []
    for status, colour in _STATUS_COLOURS.items():
        mine = projects[projects["status"] == status]
        if len(mine):
            mine.plot(ax=ax, color=colour, edgecolor=_INK, markersize=22, linewidth=0.6)
            handles.append(
                Line2D([], [], marker="o", color=colour, markeredgecolor=_INK, linestyle="",
                       markersize=5, label=label("sheets_community", lang).format(
                           status=label(status, lang)))
            )  # fmt: skip
    return handles


def _frame_to(ax, shape) -> None:
    """Frame the axes on ``shape``, equal aspect, no ticks or axis labels."""
    ax.set_xlabel("")
    ax.set_ylabel("")
    minx, miny, maxx, maxy = shape.bounds
    pad = 0.04 * max(maxx - minx, maxy - miny)
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#999999")
        spine.set_linewidth(0.5)


#: The scale bar's length and the north arrow's place, as fractions of the map's width.
_SCALE_FRACTION = 0.22
_NORTH_X = 0.95


def _furniture(ax, lang: str) -> None:
    """Scale bar (metres of the Gauss-Krüger zone) and a north arrow (grid north)."""
    ax.add_artist(
        ScaleBar(1, "m", location="lower right", length_fraction=_SCALE_FRACTION, box_alpha=0.7,
                 font_properties={"size": 6}, border_pad=0.6)
    )  # fmt: skip
    ax.annotate(
        label("sheets_north", lang),
        xy=(_NORTH_X, 0.95),
        xytext=(_NORTH_X, 0.84),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=7,
        # On white, so an outline passing under it does not run through the letter.
        bbox={
            "boxstyle": "square,pad=0.15",
            "facecolor": "white",
            "edgecolor": "none",
            "alpha": 0.85,
        },
        arrowprops={"arrowstyle": "-|>", "color": _INK, "linewidth": 0.8},
    )


# --- pages ------------------------------------------------------------------------------


class _Sources:
    """A page's numbered sources: each citation once, in order of first use."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}

    def cite(self, item, lang: str) -> str:
        """``[1]`` or ``[1][2]`` for the figure's sources (a sum has one per part)."""
        marks = [
            self.numbers.setdefault(citation(source, lang), len(self.numbers) + 1)
            for source in item["sources"]
        ]
        return "".join(f"[{n}]" for n in dict.fromkeys(marks))

    def write(self, page: _Page, lang: str) -> None:
        """The numbered list of sources at the cursor (nothing when there is none)."""
        if not self.numbers:
            return
        page.y += 1.5
        page.lines(label("sheets_sources", lang), 7.5, weight="bold")
        for text, number in self.numbers.items():
            page.lines(f"[{number}] {text}", 6.5, color=_GREY)

    def height(self, page: _Page, lang: str) -> float:
        """Millimetres :meth:`write` takes: each source as many lines as it wraps to."""
        if not self.numbers:
            return 0.0
        listed = sum(page.lines_height(f"[{n}] {t}", 6.5) for t, n in self.numbers.items())
        return 1.5 + page.lines_height(label("sheets_sources", lang), 7.5, bold=True) + listed


def _rank(item, lang: str) -> str:
    if pd.isna(item["rank"]):
        return ""
    return rank_label(item, lang)


def _figure_rows(items: pd.DataFrame, sources: _Sources, lang: str) -> list[list[str]]:
    """Documents' figures: name, value as written, period and kind, rank, source."""
    return [
        [
            figure_name(item, lang),
            item_value(item, lang),
            kind_text(item, lang),
            _rank(item, lang),
            sources.cite(item, lang),
        ]
        for _, item in items.iterrows()
    ]


def _measure_rows(items: pd.DataFrame, sources: _Sources, lang: str) -> list[list[str]]:
    """Accessibility measures: name, value (short), completeness, rank, source."""
    return [
        [
            figure_name(item, lang),
            item_value(item, lang, short=True),
            status_words([item], lang, short=True),
            _rank(item, lang),
            sources.cite(item, lang),
        ]
        for _, item in items.iterrows()
    ]


def _cell(item, lang: str) -> str:
    """A matrix cell: the value, and its rank below it."""
    rank = _rank(item, lang)
    value = item_value(item, lang, short=True)
    return f"{value}\n{rank}" if rank else value


def _ledger_rows(items: pd.DataFrame, sources: _Sources, lang: str) -> list[list[str]]:
    """The ledger as a matrix: a row per ledger status, a column per figure."""
    rows = []
    for _, group in items.groupby(items["status"].astype("string").fillna(""), sort=False):
        by_key = {item["key"]: item for _, item in group.iterrows()}
        first = group.iloc[0]
        cells = [kind_text(first, lang)]
        cells += [
            _cell(by_key[key], lang) if key in by_key else no_data(lang) for key in LEDGER_FIGURES
        ]
        marks = "".join(dict.fromkeys(sources.cite(item, lang) for item in by_key.values()))
        rows.append([*cells, marks])
    return rows


def _share_rows(
    items: pd.DataFrame,
    columns: list[tuple[str | None, int]],
    sources: _Sources,
    lang: str,
) -> list[list[str]]:
    """
    Household shares as a matrix: a row per feature type, a column per (walker, radius).

    A walker of ``None`` is the straight-line share; a walking share of the same radius sits
    beside it in the same row, so the two read side by side and the page holds one table.
    """
    rows = []
    described = [(coverage.describe(item["metric"]), item) for _, item in items.iterrows()]
    for kind in DISTANCE_TYPES:
        mine = {
            (found.profile, found.radius): item
            for found, item in described
            if found.feature == kind
        }
        if not mine:
            continue
        cells = [label(f"infra_{kind}", lang)]
        cells += [_cell(mine[c], lang) if c in mine else no_data(lang) for c in columns]
        cells.append(status_words(list(mine.values()), lang, short=True))
        cells.append("".join(dict.fromkeys(sources.cite(i, lang) for i in mine.values())))
        rows.append(cells)
    return rows


def _share_columns(report: Report, shares: pd.DataFrame, lang: str) -> tuple[str, list, list]:
    """
    The shares table's title, headers (all but the source's) and columns (walker, radius).

    Straight-line shares alone are so titled; with walking shares (an OSM extract) each
    radius has a straight-line and a walking column, each header naming its distance in
    brackets (kept whole when the header wraps: :func:`_cell_lines`).
    """
    radii = report.radii
    walkers = list(
        dict.fromkeys(
            found.profile
            for found in map(coverage.describe, shares["metric"].astype(str))
            if found.profile is not None
        )
    )
    head = [label("sheets_col_type", lang)]
    if not walkers:
        head += [label("sheets_col_radius", lang).format(radius=r) for r in radii]
        head.append(label("sheets_col_status", lang))
        title, columns = label("sheets_shares", lang), [(None, r) for r in radii]
    else:
        columns = [(walker, r) for walker in [None, *walkers] for r in radii]
        for walker, r in columns:
            method = (
                label("sheets_method_straight", lang)
                if walker is None
                else label("sheets_method_network_short", lang).format(
                    profile=label(f"profile_{walker}", lang)
                )
            )
            head.append(label("sheets_col_radius_method", lang).format(radius=r, method=method))
        head.append(label("sheets_col_status", lang))
        profiles = listed_text((label(f"profile_{w}", lang) for w in walkers), lang)
        title = label("sheets_shares_walked", lang).format(profile=profiles)
    return title, head, columns


def _table_height(headers: list[str], rows: list[list[str]], widths: list[float]) -> float:
    """Millimetres :func:`_table` takes for ``rows`` (0 for none: no table is drawn)."""
    if not rows:
        return 0.0
    step = _TABLE_PT * 0.3528 * 1.4
    return sum(
        max(len(lines) for lines in _cell_lines(cells, widths, bold=bold)) * step + 1.0
        for cells, bold in [(headers, True), *((row, False) for row in rows)]
    )


def _absent_lines(report: Report, items: pd.DataFrame, lang: str, *, outline: bool) -> list[str]:
    """What a place lacks, said: no document figure, no ledger row, no data loaded."""
    said = []
    kinds = set(items.loc[items["value"].notna(), "source_kind"])
    if "reported" not in kinds:
        said.append(label("sheets_no_reported", lang))
    if report.ledger_source is None:
        said.append(label("sheets_no_ledger_loaded", lang))
    elif "ledger" not in kinds:
        said.append(label("sheets_no_ledger_rows", lang))
    if report.infra_source is None:
        said.append(label("sheets_no_infra_loaded", lang))
    elif items.empty or not (items["source_kind"] == "measure").any():
        # A zone is never measured; a district is not when the survey covers another city.
        said.append(label("sheets_not_surveyed" if outline else "sheets_zone_unmeasured", lang))
    return said


def _measured_anywhere(report: Report) -> bool:
    """True when the infrastructure loaded measured a value in any of the atlas's places."""
    items = report.items
    measured = (items["scope"] == "place") & (items["source_kind"] == "measure")
    return bool(items.loc[measured, "value"].notna().any())


class _Atlas:
    """The atlas being drawn: the report, the language, the date, the pages so far."""

    def __init__(self, report: Report, pdf: PdfPages, *, figure: str, today, lang: str):
        self.report, self.pdf, self.figure, self.today, self.lang = (
            report, pdf, figure, today, lang,
        )  # fmt: skip
        self.family = _font_family()
        self.page_number = 0
        self.city_layers = {city: _CityLayers(report, city) for city in report.cities}

    def page(self) -> _Page:
        self.page_number += 1
        return _Page(self.pdf, self.family)

    def finish(self, page: _Page) -> None:
        words = label("sheets_footer", self.lang).format(
            date=self.today.isoformat(),
            filters=filters_text(self.report.selection, self.lang),
            n=self.page_number,
        )
        page.footer(words)
        page.save()

    def header(self, page: _Page, title: str, subtitle: str) -> None:
        page.lines(title, 17, weight="bold")
        page.lines(subtitle, 8, color=_GREY)
        page.y += 2

    # --- a place's page ----------------------------------------------------------------

    def place_page(self, place) -> None:
        """A district's page (a zone's without a map), carried on if it overflows."""
        lang = self.lang
        page = self.page()
        subtitle = label("sheets_place_subtitle", lang).format(
            city=place.city, level=label(f"level_{place.level}", lang)
        )
        self.header(page, place.place, subtitle)
        items = self.report.place_items(place.adcode)
        sources = _Sources()
        parts = self.parts(items, sources)
        absent = _absent_lines(self.report, items, lang, outline=bool(place.has_outline))
        # The map takes what the tables, the sources and the notes leave, 60 to 125 mm: each
        # measured as it will be drawn.
        needed = sum(
            1.2 + page.lines_height(self.title(title), 8, bold=True) + _table_height(*table)
            for title, *table in parts
            if table[1]
        )
        needed += sources.height(page, lang)
        needed += sum(page.lines_height(line, 7.5) for line in absent)
        if place.has_outline:
            # 3 mm below the map, and 1 mm to spare so that rounding never carries a line on.
            height = float(np.clip(page.room() - needed - 4, 60, 125))
            _ax, key = _map_axes(page, self.city_layers[place.city], place.adcode, height, lang)
            page.y = key.bottom + 3
        else:
            words = label("sheets_zone_no_map", lang).format(place=place.place, city=place.city)
            page.lines(words, 9)
            page.y += 2
        for line in absent:
            page.lines(line, 7.5, color=_GREY)
        self.tables(page, place, parts, sources)

    def parts(self, items: pd.DataFrame, sources: _Sources) -> list:
        """
        The place's four tables: (title, headers, rows, column widths).

        A table's widths are the same on every page that has its headers, fitted to the
        rows of every place (:attr:`widths`), so the districts' pages read alike.
        """
        return [
            (title, headers, rows, self.widths[index, tuple(headers)])
            for index, (title, headers, rows) in enumerate(self.table_rows(items, sources))
        ]

    def table_rows(self, items: pd.DataFrame, sources: _Sources) -> list:
        """The place's four tables' titles, headers and rows, in the atlas's language."""
        lang = self.lang
        kinds = items["source_kind"]
        shares = items["metric"].astype(str).str.startswith("households_within_")
        ledger_head = [label("sheets_col_ledger", lang)]
        ledger_head += [figure_name({"source_kind": "ledger", "key": k}, lang, short=True)
                        for k in LEDGER_FIGURES]  # fmt: skip
        title, share_head, columns = _share_columns(self.report, items[shares], lang)
        source = label("sheets_col_source", lang)
        return [
            ("sheets_figures", self.columns(["name", "value", "kind", "rank", "source"]),
             _figure_rows(items[kinds == "reported"], sources, lang)),
            ("sheets_ledger", [*ledger_head, source],
             _ledger_rows(items[kinds == "ledger"], sources, lang)),
            ("sheets_measures", self.columns(["name", "value", "status", "rank", "source"]),
             _measure_rows(items[(kinds == "measure") & ~shares], sources, lang)),
            (title, [*share_head, source], _share_rows(items[shares], columns, sources, lang)),
        ]  # fmt: skip

    @functools.cached_property
    def widths(self) -> dict[tuple[int, tuple[str, ...]], list[float]]:
        """Each place table's column widths (:func:`_fit_widths`) over every place's rows."""
        rows: dict[tuple[int, tuple[str, ...]], list[list[str]]] = {}
        for adcode in self.report.places["adcode"]:
            tables = self.table_rows(self.report.place_items(adcode), _Sources())
            for index, (_title, headers, mine) in enumerate(tables):
                rows.setdefault((index, tuple(headers)), []).extend(mine)
        return {key: _fit_widths(list(key[1]), found) for key, found in rows.items()}

    def title(self, title: str) -> str:
        """A table's title: a catalogue key's words, or the words themselves."""
        return label(title, self.lang) if title in LABELS else title

    def tables(self, page: _Page, place, parts: list, sources: _Sources) -> None:
        """The place's tables and sources, carried on to a continuation page if need be."""
        for title, headers, rows, widths in parts:
            while rows:
                page.y += 1.2
                page.lines(self.title(title), 8, weight="bold")
                rows = _table(page, headers, rows, widths)
                if rows:
                    page = self.continued(page, place)
        if page.room() < sources.height(page, self.lang):
            page = self.continued(page, place)
        sources.write(page, self.lang)
        self.finish(page)

    def columns(self, keys: list[str]) -> list[str]:
        return [label(f"sheets_col_{k}", self.lang) for k in keys]

    def continued(self, page: _Page, place) -> _Page:
        """Close ``page`` and open the place's (or the cover's) continuation page."""
        self.finish(page)
        fresh = self.page()
        name = label("sheets_cover", self.lang) if place is None else place.place
        self.header(fresh, label("sheets_continued", self.lang).format(place=name), "")
        return fresh

    # --- the cover ---------------------------------------------------------------------

    def cover(self) -> None:
        """The cover: title, the coloured map, the cities' own figures, sources, contents."""
        lang, report = self.lang, self.report
        page = self.page()
        cities = "、".join(report.cities) if lang == "zh" else ", ".join(report.cities)
        self.header(
            page,
            label("sheets_title", lang).format(cities=cities),
            label("sheets_cover_subtitle", lang).format(
                date=self.today.isoformat(), filters=filters_text(report.selection, lang)
            ),
        )
        if report.left_out:
            page.lines(label("report_left_out", lang).format(n=report.left_out).lstrip("；; "), 8)
        sources = _Sources()
        rows = self.city_rows(sources)
        headers = self.columns(["name", "value", "kind", "source"])
        widths = _fit_widths(headers, rows)
        chosen = report.colour_items(self.figure)
        # What follows the map, measured as it will be drawn: the figures' table, then the
        # sources, the data's sources and the contents, which stay together.
        tail = self.cover_tail(page, sources)
        table = _table_height(headers, rows, widths) + 1.2 + _line_mm(8) if rows else 0.0
        # The map takes what they leave (and 20 mm for its caption), between 90 and 150 mm.
        height = float(np.clip(page.room() - table - tail - 20, 90, 150))
        caption, key = self.cover_map(page, chosen, height)
        page.y = key.bottom + 2
        page.lines(caption, 8.5, weight="bold")
        for city in report.cities:
            if not report.city_items(city)["value"].notna().any() and not report.has_data():
                page.lines(label("report_nothing", lang).format(city=city), 8.5)
        self.cover_zones(page, chosen)
        while rows:
            page.y += 1.2
            page.lines(label("sheets_city_figures", lang), 8, weight="bold")
            rows = _table(page, headers, rows, widths)
            if rows:
                page = self.continued(page, None)
        if page.room() < tail:
            page = self.continued(page, None)
        sources.write(page, lang)
        self.cover_sources(page)
        self.contents(page)
        self.finish(page)

    def city_rows(self, sources: _Sources) -> list[list[str]]:
        """Each city's own figures (documents, sums, ledger, measures) with a numbered source."""
        rows = []
        for city in self.report.cities:
            items = self.report.city_items(city)
            for _, item in items[items["value"].notna()].iterrows():
                name = figure_name(item, self.lang)
                if len(self.report.cities) > 1:
                    name = f"{city} · {name}"
                value, kind = item_value(item, self.lang), kind_text(item, self.lang)
                rows.append([name, value, kind, sources.cite(item, self.lang)])
        return rows

    def cover_map(self, page: _Page, chosen: pd.DataFrame, height: float):
        """
        Districts coloured by the chosen figure, at most ``height`` mm tall; the legend.

        The map sits at the cursor, its legend where it covers no district
        (:func:`_place_key`). Returns the map's caption and where the legend went
        (:class:`_KeyPlace`).
        """
        lang = self.lang
        top = page.y
        ax = page.axes(top, height)
        outlines = self.report.outlines
        metric_crs = next(iter(self.city_layers.values())).crs
        shown = outlines.to_crs(metric_crs)
        values = (
            shown["adcode"].map(chosen.set_index("adcode")["value"])
            if len(chosen)
            else (pd.Series(np.nan, index=shown.index))
        )
        bins, colours = classify(values)
        has = values.notna()
        if has.any():
            shown[has].plot(ax=ax, color=colours[has].tolist(), edgecolor="white", linewidth=0.6)
        if not has.all():
            shown[~has].plot(ax=ax, facecolor=NO_DATA_COLOUR, edgecolor="#999999", hatch="////",
                         linewidth=0.4, linestyle="--")  # fmt: skip
        # Each name on a white halo, readable on the darkest class and across an outline:
        # the halo a stroked copy beneath (drawn as a path), the name itself real text.
        halo = [patheffects.Stroke(linewidth=1.6, foreground="white")]
        for geometry, name in zip(shown.geometry, shown["district"], strict=True):
            point = geometry.representative_point()
            for effects in (halo, []):
                ax.text(point.x, point.y, name, fontsize=6, ha="center", va="center",
                        family=self.family, color=_INK, path_effects=effects)  # fmt: skip
        _frame_to(ax, shapely.union_all(shown.geometry.to_numpy()))
        _furniture(ax, lang)
        handles = self.cover_legend(values, bins, chosen)
        key = _place_key(page, ax, handles, shown.geometry.to_numpy(), top=top, height=height,
                         size=6)  # fmt: skip
        if chosen.empty:
            return label("sheets_cover_nothing", lang).format(figure=self._figure_words()), key
        first = chosen.iloc[0]
        caption = label("sheets_cover_caption", lang).format(
            figure=figure_name(first, lang), kind=kind_text(first, lang)
        )
        return caption, key

    def _figure_words(self) -> str:
        return key_name(self.figure, self.lang)

    def cover_legend(self, values: pd.Series, bins: list[float], chosen: pd.DataFrame) -> list:
        lang = self.lang
        handles = []
        if bins:
            unit = chosen.iloc[0]["unit"]
            words, texts = class_texts(class_ranges(values, bins), unit, lang)
            for colour, text in zip(class_colours(len(bins)), texts, strict=True):
                handles.append(Patch(facecolor=colour, label=f"{text} {words}".strip()))
        handles.append(
            Patch(facecolor=NO_DATA_COLOUR, edgecolor="#999999", hatch="////", label=no_data(lang))
        )
        return handles

    def cover_zones(self, page: _Page, chosen: pd.DataFrame) -> None:
        """Zones without an outline, with their value of the figure: on no map, still listed."""
        zones = self.report.places[~self.report.places["has_outline"]]
        if zones.empty:
            return
        by_code = chosen.set_index("adcode") if len(chosen) else pd.DataFrame()
        named = []
        for zone in zones.itertuples(index=False):
            value = (
                item_value(by_code.loc[zone.adcode], self.lang)
                if zone.adcode in by_code.index
                else no_data(self.lang)
            )
            named.append(f"{zone.place} {value}")
        page.lines(
            label("sheets_cover_zones", self.lang).format(zones="；".join(named)), 7.5, color=_INK
        )

    def cover_tail(self, page: _Page, sources: _Sources) -> float:
        """Millimetres the cover's sources, its data's sources and its contents take."""
        data = 1.5 + sum(page.lines_height(line, 7) for line in self.cover_source_lines())
        contents = 1.5 + page.lines_height(label("sheets_contents", self.lang), 8.5, bold=True)
        contents += page.lines_height(self.contents_line(), 7.5)
        return sources.height(page, self.lang) + data + contents

    def cover_sources(self, page: _Page) -> None:
        """The data behind the pages: the ledger, the infrastructure, the outlines."""
        page.y += 1.5
        for line in self.cover_source_lines():
            page.lines(line, 7, color=_GREY)

    def cover_source_lines(self) -> list[str]:
        """The data behind the pages, a line each: the ledger, the infrastructure, outlines."""
        lang, report = self.lang, self.report
        lines = []
        if report.ledger_source is not None:
            lines.append(
                label("sheets_source_ledger", lang).format(
                    source=source_name(report.ledger_source, lang)
                )
            )
        if report.infra_source is not None and _measured_anywhere(report):
            lines.append(
                label("sheets_source_infra", lang).format(
                    source=source_name(report.infra_source, lang)
                )
            )
        elif report.infra_source is not None:
            # Loaded, but covering none of the atlas's districts: not this atlas's source.
            cities = "、".join(report.cities) if lang == "zh" else ", ".join(report.cities)
            lines.append(label("sheets_source_infra_none", lang).format(cities=cities))
        lines.append(label("outline_source", lang))
        return lines

    def contents(self, page: _Page) -> None:
        """The places in page order (a continuation page shifts the ones after it)."""
        page.y += 1.5
        page.lines(label("sheets_contents", self.lang), 8.5, weight="bold")
        page.lines(self.contents_line(), 7.5)

    def contents_line(self) -> str:
        return "　".join(self.report.places["place"])


def atlas_pdf(
    report: Report, *, today: datetime.date, figure: str = "households", lang: str = "zh"
) -> bytes:
    """
    The district atlas of ``report`` as PDF bytes (see the module).

    ``figure`` colours the cover's districts (a reported metric, ``ledger_households``,
    ``infra_tactile_km``…). Raises :class:`FontMissingError` when Noto Sans CJK is missing.
    """
    family = _font_family()
    out = io.BytesIO()
    settings = {"pdf.fonttype": 3, "font.family": [family], "axes.unicode_minus": False,
                "hatch.linewidth": 0.4, "pdf.compression": 6}  # fmt: skip
    title = label("sheets_title", lang).format(cities=listed_text(report.cities, lang))
    metadata = {"Title": title, "Creator": "Renovation Atlas", "CreationDate": None}
    with rc_context(settings), PdfPages(out, metadata=metadata) as pdf:
        atlas = _Atlas(report, pdf, figure=figure, today=today, lang=lang)
        atlas.cover()
        for place in report.places.itertuples(index=False):
            atlas.place_page(place)
    return out.getvalue()
