"""
The HTML pieces every map layer shares, near the bottom of the layers graph.

The escaping functions, one for HTML and one for Markdown; legends (classes in one unit,
notes, point layers), and tooltipped GeoJSON.

folium's GeoJsonTooltip and Popup insert property values as raw HTML, and branca renders each
script it builds once more as a Jinja template, so every user value that reaches a page goes
through :func:`esc` first: HTML-escaped, with braces as entities so that ``{{ ... }}`` in a
ledger cell is never run as template code on the server. Legends are plain HTML in a
Leaflet control (no branca colormap, which makes streamlit-folium fetch d3 from the web).

Streamlit reads Markdown in ``st.markdown``, captions, alerts, titles, metric and widget labels
and help: a dataset named ``[请点此重新登录](https:evil.example)`` would be a link there, and
``![t](https:evil.example)`` an image fetched from outside. Every user value put in such text
goes through :func:`esc_md` (or is shown with a widget that reads no Markdown:
``st.dataframe``, ``st.text``, ``st.json``, a selectbox's options).
"""

from __future__ import annotations

import html
import string
import unicodedata

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from layers._leaflet import FollowParent
from layers.wording import label

__all__ = ["Legend", "esc", "esc_md", "legend_html", "md_lines", "tipped_geojson"]

#: The grey of "no data" (无数据) districts and swatches.
NO_DATA_COLOUR = "#bdbdbd"

# Braces as HTML entities: branca renders each script it builds once more as a Jinja
# template, so a value holding "{{ ... }}" would run as template code on the server.
_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})


def esc(value) -> str:
    """``value`` as inert HTML text: ``html.escape``, braces as entities, missing as ""."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return html.escape(str(value)).translate(_BRACES)


# CommonMark makes any ASCII punctuation character literal after a backslash: links, images,
# emphasis, code, HTML, headings, lists, tables, math ($) and Streamlit's :colour[...] alike.
_MARKDOWN = str.maketrans({c: "\\" + c for c in string.punctuation})


def esc_md(value) -> str:
    """
    ``value`` as literal Markdown text; missing as "".

    Each ASCII punctuation mark is backslash-escaped; line breaks and other control
    characters become spaces, so a value stays one line (no heading, list or table).
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    flat = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in str(value))
    return flat.translate(_MARKDOWN)


def md_lines(lines) -> str:
    """Each of ``lines`` escaped by :func:`esc_md`, as Markdown lines (hard line breaks)."""
    return "  \n".join(esc_md(line) for line in lines)


def tipped_geojson(
    shown: gpd.GeoDataFrame,
    style,
    *,
    name: str | None = None,
    kind: type[folium.GeoJson] = folium.GeoJson,
) -> folium.GeoJson:
    """
    Polygons styled by ``style`` with their (already escaped) ``tip`` as a sticky tooltip.

    Handed to folium as a dict (``to_geo_dict``), the same features ``to_json`` writes, not
    as text it parses again: all of China's 370 city outlines built in a tenth of the time.
    A ``kind`` of its own (:class:`layers.coverage.CompactGeoJson`) is handed the frame.
    """
    return kind(
        shown.to_geo_dict() if kind is folium.GeoJson else shown,
        name=name,
        style_function=style,
        highlight_function=lambda _: {"weight": 3, "color": "#08306b"},
        # "auto": to the left of the pointer on the right half, so it stays inside the frame.
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True, direction="auto"),
    )


def legend_html(
    title: str,
    classes: list[tuple[str, str]],
    *,
    lang: str = "zh",
    missing: tuple[str, str] | None = None,
    notes: list[str] | tuple[str, ...] = (),
    points: list[tuple[str, str, str]] | tuple[tuple[str, str, str], ...] = (),
) -> str:
    """
    A small legend: one swatch per class, one for "no data", notes, then the point layers.

    ``classes`` are (colour, text) pairs, lightest first; ``missing`` replaces the grey
    "no data" swatch with a (CSS background, text) pair. ``notes`` are lines of small grey
    text (the scheme, the periods coloured). ``points`` are (colour, name, shape) of the
    layers drawn over the districts, ``shape`` being ``point``, ``line`` or ``area`` (a
    translucent fill, as a walkshed is drawn). Every text is
    escaped here.
    """
    rows = [_swatch(colour, text, dashed=False) for colour, text in classes]
    background, text = missing or (NO_DATA_COLOUR, label("no_data", lang))
    rows.append(_swatch(background, text, dashed=True))
    rows += [f'<small style="color:#555">{esc(note)}</small>' for note in notes]
    rows += [_marker(colour, name, shape) for colour, name, shape in points]
    return (
        '<div style="'
        "background:rgba(255,255,255,.92);padding:6px 10px;border-radius:4px;font:12px sans-serif;"
        f'box-shadow:0 1px 4px rgba(0,0,0,.3)"><b>{esc(title)}</b><br>{"<br>".join(rows)}</div>'
    )


class Legend(FollowParent):
    """The legend, a Leaflet control on the map while the layer holding it is."""

    def __init__(self, html_text: str) -> None:
        super().__init__(html_text, css_class="atlas-legend", position="bottomright")
        self._name = "Legend"


def _swatch(colour: str, text: str, *, dashed: bool) -> str:
    border = "1px dashed #757575" if dashed else "1px solid #555"
    return (
        f'<span style="display:inline-block;width:14px;height:10px;background:{colour};'
        f'border:{border};margin-right:6px"></span>{esc(text)}'
    )


def _marker(colour: str, name: str, shape: str) -> str:
    if shape == "line":
        mark = f"width:14px;height:0;border-top:3px solid {colour};vertical-align:middle"
    elif shape == "area":
        mark = f"width:14px;height:10px;background:{colour};opacity:.6;border:2px solid {colour}"
    else:
        mark = f"width:9px;height:9px;border-radius:50%;background:{colour};border:1px solid #fff"
    return f'<span style="display:inline-block;{mark};margin:0 8px 0 2px"></span>{esc(name)}'
