"""
The HTML pieces every map layer shares, near the bottom of the layers graph.

The escaping functions, one for HTML and one for Markdown; legends (classes in one unit,
notes, point layers), and tooltipped GeoJSON, written compactly (:class:`CompactGeoJson`)
where it is many polygons: vertices rounded to a step (:func:`coordinate_step`) in Google's
Encoded Polyline Algorithm Format (:func:`encode_polyline`), each distinct tooltip line once.

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
import json
import re
import string
import unicodedata

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from jinja2 import Template

from geo import boundaries
from layers._leaflet import FollowParent
from layers.wording import label

__all__ = [
    "CompactGeoJson",
    "Legend",
    "compact_features",
    "coordinate_step",
    "encode_polyline",
    "esc",
    "esc_md",
    "legend_html",
    "md_lines",
    "script_json",
    "tipped_geojson",
]

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


#: What Jinja's tojson escapes, then the two line separators old JavaScript parsers reject.
_SCRIPT_SAFE = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"),
                ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))  # fmt: skip
# "{{", "{%" and "{#" start Jinja code; in JSON they can only be inside a string.
_JINJA_START = re.compile(r"\{(?=[{%#])")


def script_json(columns: dict) -> str:
    """
    ``columns`` as JSON that is safe inside an HTML ``<script>``, in UTF-8 not ``\\u`` escapes.

    Written like Jinja's ``tojson`` (``<``, ``>``, ``&``, ``'`` escaped, so ``</script>`` or
    ``<!--`` cannot appear), but keeping Chinese as characters halves the size of the names.
    A ``{`` that starts ``{{``, ``{%`` or ``{#`` is escaped too, so the script stays inert
    should it ever pass through Jinja again.
    """
    text = json.dumps(columns, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escaped in _SCRIPT_SAFE:
        text = text.replace(char, escaped)
    return _JINJA_START.sub(r"\\u007b", text)


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
    A ``kind`` of its own (:class:`CompactGeoJson`) is handed the frame.
    """
    return kind(
        shown.to_geo_dict() if kind is folium.GeoJson else shown,
        name=name,
        style_function=style,
        highlight_function=lambda _: {"weight": 3, "color": "#08306b"},
        # "auto": to the left of the pointer on the right half, so it stays inside the frame.
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True, direction="auto"),
    )


#: The published format the outlines' coordinates are written in (:func:`encode_polyline`).
POLYLINE_FORMAT = "https://developers.google.com/maps/documentation/utilities/polylinealgorithm"


def coordinate_step(shapes: np.ndarray) -> float:
    """
    The step vertices are rounded to: a power of ten, about a fifth of the display tolerance.

    The tolerance is what :func:`layers.view.simplified_outlines` simplifies the extent with
    (1/3000 of its larger side, never under the display outlines' 0.0005°), so rounding adds
    at most a fifth of the error simplification already made: 1e-3° (about 100 m, against
    outlines simplified to 3 km) for all of China, 1e-4° (about 10 m) for a province, a few
    cities or one.
    """
    minx, miny, maxx, maxy = shapely.total_bounds(shapes)
    side = float(max(maxx - minx, maxy - miny)) if np.isfinite(minx) else 0.0
    tolerance = max(side / 3000, boundaries.DISPLAY_TOLERANCE_DEG)
    return float(10.0 ** np.floor(np.log10(tolerance / 5)))


def encode_polyline(points: np.ndarray, precision: int) -> str:
    """
    ``points`` (lon, lat rows) as one polyline in Google's Encoded Polyline Algorithm Format.

    As published (:data:`POLYLINE_FORMAT`), in NumPy: each value times ``10**precision``,
    rounded half away from zero, less the one before (the first point's from 0, 0), shifted
    left one bit and inverted if negative, cut in 5-bit chunks lowest first, each but the last
    or'ed with 0x20, plus 63. Written in Google's order, latitude then longitude, so any
    decoder of the format reads it (``polyline.decode(text, precision, geojson=True)`` gives
    lon, lat back). The letters are ``?`` to ``~``: the backslash and ``{`` among them need
    escaping in a page's script (:func:`script_json` does it).
    """
    if not len(points):
        return ""
    # The axis order flips here: rows are (lon, lat), the format writes lat first.
    scaled = np.asarray(points, dtype=float)[:, ::-1] * float(10**precision)
    steps = np.copysign(np.floor(np.abs(scaled) + 0.5), scaled).astype(np.int64)
    moves = np.diff(steps, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel()
    values = np.where(moves < 0, ~(moves << 1), moves << 1)
    # How many chunks each value takes: one, and one more for each 5 bits left over.
    count = np.ones(len(values), dtype=np.int64)
    rest = values >> 5
    while rest.any():
        count += rest > 0
        rest >>= 5
    place = np.arange(int(count.max()))
    chunks = ((values[:, None] >> (5 * place)) & 0x1F) | (0x20 * (place < (count - 1)[:, None]))
    return (chunks[place < count[:, None]] + 63).astype(np.uint8).tobytes().decode("ascii")


def compact_features(shapes: np.ndarray, tips, ids: list, kept: dict | None = None) -> dict:
    """
    Polygons and their tooltips as :data:`_DECODE` reads them, in NumPy (no loop per feature).

    ``coords``: every vertex, rounded to :func:`coordinate_step` (``precision`` decimals), as
    one polyline of :func:`encode_polyline`; a ring's closing vertex is left out (Leaflet
    closes rings). ``vertices`` per ring, ``rings`` per polygon, ``parts`` (polygons) per
    feature; a missing or empty shape has none. ``lines``: each distinct tooltip line (split
    at ``<br>``) once; ``tip``: their indexes, ``tips`` of them per feature. ``kept``: other
    properties, a list of values per name, as written.
    """
    precision = round(-np.log10(coordinate_step(shapes)))
    shapes = np.where(shapely.is_empty(shapes), None, shapes)
    parts, part_of = shapely.get_parts(shapes, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, vertex_of = shapely.get_coordinates(rings, return_index=True)
    closing = np.r_[vertex_of[1:] != vertex_of[:-1], True] if len(vertex_of) else vertex_of
    coords, vertex_of = coords[~closing], vertex_of[~closing]
    lines = pd.Series(tips, dtype=object).str.split("<br>")
    codes, uniques = pd.factorize(lines.explode())
    return {
        "precision": precision,
        "coords": encode_polyline(coords, precision),
        "vertices": np.bincount(vertex_of, minlength=len(rings)).tolist(),
        "rings": np.bincount(ring_of, minlength=len(parts)).tolist(),
        "parts": np.bincount(part_of, minlength=len(shapes)).tolist(),
        "ids": list(ids),
        "lines": [str(line) for line in uniques],
        "tip": codes.tolist(),
        "tips": lines.str.len().tolist(),
        "kept": kept or {},
    }


# What the page holds in place of the GeoJSON while folium writes its script.
_PLACEHOLDER = {"atlas": "compact-features", "features": []}
# Rebuilds the GeoJSON from compact_features' form; ``DATA`` is replaced. next() is the
# published decoder of one value (POLYLINE_FORMAT); 32-bit operators suffice up to 1e5.
_DECODE = """(function (d) {
    var text = d.coords, at = 0, lat = 0, lng = 0, scale = Math.pow(10, d.precision);
    function next() {
        var result = 0, shift = 0, b;
        do { b = text.charCodeAt(at++) - 63; result |= (b & 0x1f) << shift; shift += 5; }
        while (b >= 0x20);
        return result & 1 ? ~(result >> 1) : result >> 1;
    }
    var features = [], part = 0, ring = 0, line = 0;
    for (var f = 0; f < d.ids.length; f++) {
        var polygons = [], tip = [];
        for (var p = 0; p < d.parts[f]; p++, part++) {
            var rings = [];
            for (var r = 0; r < d.rings[part]; r++, ring++) {
                var points = [];
                for (var v = 0; v < d.vertices[ring]; v++) {
                    lat += next(); lng += next();
                    points.push([lng / scale, lat / scale]);
                }
                rings.push(points);
            }
            polygons.push(rings);
        }
        for (var t = 0; t < d.tips[f]; t++) { tip.push(d.lines[d.tip[line++]]); }
        var properties = {tip: tip.join("<br>")};
        for (var name in d.kept) { properties[name] = d.kept[name][f]; }
        features.push({type: "Feature", id: d.ids[f], properties: properties,
            geometry: polygons.length ? {type: "MultiPolygon", coordinates: polygons} : null});
    }
    return {type: "FeatureCollection", features: features};
})(DATA)"""


class CompactGeoJson(folium.GeoJson):
    """
    A folium GeoJson of polygons with a ``tip``, written compactly (:func:`compact_features`).

    Built from the frame (``tip`` and polygons, by feature id); ``data`` still holds the
    GeoJSON, so folium computes the styles and checks the tooltip's field as it always does.
    Only the script differs: where folium writes the features, it writes them compactly with a
    few lines that rebuild the GeoJSON in the browser before folium's code adds them. The
    template itself does it, since streamlit-folium writes each layer's script from its
    template, not from the page folium renders. A frame with shapes other than polygons, or
    without an id per feature, is written as folium writes it. Properties other than ``tip``
    are left out (folium has already computed the styles from them), except those a subclass
    names in :attr:`kept`.
    """

    #: Columns of the frame written as properties too, for the page's scripts to read.
    kept: tuple[str, ...] = ()

    _template = Template(
        "{% macro script(this, kwargs) %}{{ this.compact_script(kwargs) }}{% endmacro %}"
    )

    def process_data(self, data) -> dict:
        """A frame's features as GeoJSON, keeping its shapes and tips; anything else as folium."""
        self.written = None
        if isinstance(data, gpd.GeoDataFrame):
            self.embed = True
            types = set(shapely.get_type_id(data.geometry.to_numpy()).tolist())
            self.compact = types <= {-1, 3, 6}  # missing, Polygon, MultiPolygon
            self.shapes, self.tips = data.geometry.to_numpy(), data["tip"].to_numpy()
            self.kept_values = {name: data[name].tolist() for name in self.kept}
            return data.to_geo_dict()
        self.compact = False
        return super().process_data(data)

    def compact_script(self, kwargs) -> str:
        """Folium's script of this layer, with the features compact (:data:`_DECODE`)."""
        ids = [feature.get("id") for feature in self.data["features"]]
        script = folium.GeoJson._template.module.script
        if not (self.compact and ids and all(ids) and self.feature_identifier == "feature.id"):
            return script(self, kwargs)
        if self.written is None:
            # Once: the page renders the layer, streamlit-folium renders it again.
            compact = compact_features(self.shapes, self.tips, ids, self.kept_values)
            self.written = _DECODE.replace("DATA", script_json(compact))
        data, self.data = self.data, dict(_PLACEHOLDER)
        try:
            text = script(self, kwargs)
        finally:
            self.data = data
        placeholder = json.dumps(_PLACEHOLDER, sort_keys=True)  # as Jinja's tojson writes it
        if text.count(placeholder) != 1:
            raise RuntimeError(f"Expected folium's GeoJson script to hold {placeholder} once.")
        return text.replace(placeholder, self.written)


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
