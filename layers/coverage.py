"""
The coverage choropleth: districts coloured by an accessibility measure, or hatched.

A district is coloured where the measure's status is ``ok``, and hatched "insufficient data"
(数据不足) with the reason everywhere else.

Districts are coloured by classes (:func:`layers.choropleth.classify`) only where
the measure's status is ``ok``. Every other district, and an ``ok`` row without a value, is
hatched and labelled with the reason, never coloured as 0. The hatch is an SVG ``<pattern>``
written inline into the page, so it needs no network; it works only with Leaflet's SVG
renderer, which copies ``fillColor`` into a path's ``fill`` attribute as written
(``url(#atlas-hatch)``). A canvas renderer cannot resolve that, so never build these maps
with ``prefer_canvas=True``. :func:`layers.maps.coverage_map` puts the layer on a map.

The districts are written compactly (:class:`CompactGeoJson`): all of China's 2,875 outlines
with their tooltips were 3.19 MB of folium's GeoJSON, 0.74 MB so. Each vertex is rounded to a
step of about a fifth of the tolerance the outlines were simplified with for the extent shown
(:func:`layers.view.simplified_outlines`: 1e-3° for all of China, 1e-4° from a few cities
down), sent as the difference from the one before in a few letters, and each distinct
tooltip line (a measure's name and why it has no value, repeated in most districts) once.
The browser rebuilds the GeoJSON before folium's own code draws it, so styles, highlight and
tooltips work as folium writes them, and every tooltip is the escaped HTML it was.
"""

from __future__ import annotations

import json

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template

from geo import boundaries, coverage
from layers._html import esc, tipped_geojson
from layers._leaflet import PageElement
from layers.choropleth import class_colours, classify
from layers.projects import _script_json
from layers.wording import format_value, label, measure_name

__all__ = [
    "HATCH_CSS",
    "HATCH_FILL",
    "CompactGeoJson",
    "add_hatch_pattern",
    "coverage_layer",
    "usable_values",
    "wgs84",
]

HATCH_ID = "atlas-hatch"
#: The ``fillColor`` of hatched districts: a reference to the inline SVG pattern.
HATCH_FILL = f"url(#{HATCH_ID})"
# width/height 0 rather than display:none, which stops some browsers painting the pattern.
_HATCH_SVG = (
    '<svg width="0" height="0" style="position:absolute"><defs>'
    f'<pattern id="{HATCH_ID}" patternUnits="userSpaceOnUse" width="8" height="8" '
    'patternTransform="rotate(45)">'
    '<line x1="0" y1="0" x2="0" y2="8" stroke="#757575" stroke-width="3"/>'
    "</pattern></defs></svg>"
)
# The legend is HTML, not SVG, so its swatch draws the same hatch with CSS.
HATCH_CSS = "repeating-linear-gradient(45deg,#757575 0 2px,transparent 2px 6px)"


def wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` in EPSG:4326 (itself when it already is)."""
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        return frame.to_crs("EPSG:4326")
    return frame


def usable_values(metrics: pd.DataFrame, metric: str) -> pd.Series:
    """The metric where its status is ``ok`` and it has a value, NaN elsewhere."""
    values = metrics[metric].astype(float)
    if coverage.describe(metric).unit == "percent":
        # Classes are cut on the one-decimal values the tooltips show, so both agree.
        values = values.round(1)
    return values.where(metrics[f"{metric}_status"].eq("ok") & values.notna())


def _check_columns(metrics: pd.DataFrame, metric: str) -> None:
    required = ["adcode", "district", "city", "extent_share", metric, f"{metric}_status"]
    missing = [c for c in required if c not in metrics.columns]
    if missing:
        raise ValueError(
            f"Expected metrics with the columns {required}; {missing} are missing "
            f"(columns present: {list(metrics.columns)}). Pass the frame geo.coverage builds, "
            "with a metric it computed."
        )


def _reason(status: object, lang: str) -> str:
    """Why a district has no colour, from its status (geo.coverage.STATUSES)."""
    if not isinstance(status, str) or status == "ok":
        return label("reason_not_computed", lang)  # "ok" without a value: defensive
    try:
        return label(f"reason_{status}", lang)
    except KeyError:
        return status  # a status newer than these labels: shown as written, escaped by the caller


def _coverage_tip(row: pd.Series, metric: str, value: float, lang: str) -> str:
    """Tooltip HTML of one district; ``value`` is NaN unless the district is coloured."""
    colon = "：" if lang == "zh" else ": "
    unit = coverage.describe(metric).unit
    lines = [f"<b>{esc(row['district'])}</b> · {esc(row['city'])}"]
    head = f"{esc(measure_name(metric, lang))}{colon}"
    if pd.notna(value):
        lines.append(f"{head}<b>{esc(format_value(value, unit, lang))}</b>")
    else:
        status = row[f"{metric}_status"]
        lines.append(
            f"{head}<i>{esc(label('insufficient_data', lang))}</i> · {esc(_reason(status, lang))}"
        )
        # Counts and lengths over part of a district are lower bounds; a rate is not, and
        # "at least 0" says nothing: a zero is the covered part's.
        if status == "partial_extent" and unit in ("count", "km") and pd.notna(row[metric]):
            text = format_value(row[metric], unit, lang)
            if float(row[metric]) > 0:
                text += label("at_least", lang)
            else:
                text = label("in_covered_part", lang).format(value=text)
            lines.append(esc(text))
    parts = coverage.describe(metric).parts or ()
    if parts and all(part in row.index for part in parts):
        lines.append(
            " / ".join(
                f"{esc(measure_name(part, lang))} "
                f"{esc(format_value(row[part], coverage.describe(part).unit, lang))}"
                for part in parts
            )
        )
    share = round(float(row["extent_share"]) * 100, 1)
    lines.append(
        f"{esc(label('extent_share', lang))}{colon}{esc(format_value(share, 'percent', lang))}"
    )
    return "<br>".join(lines)


def add_hatch_pattern(fmap) -> None:
    """Write the hatch's SVG pattern into the page of ``fmap`` (once, keyed by its id)."""
    PageElement(_HATCH_SVG, name=HATCH_ID, where="html").add_to(fmap)


class _HatchPattern(MacroElement):
    """Writes the hatch's SVG pattern into the page that renders the layer carrying it."""

    def render(self, **kwargs) -> None:
        # Keyed by the pattern's id, so two hatched layers on one map still write one pattern.
        self.get_root().html.add_child(Element(_HATCH_SVG), name=HATCH_ID)
        super().render(**kwargs)


#: The 64 letters a compact outline is written in: the first 32 end a number, the last 32
#: carry on to its next five bits. None of them needs escaping in JSON, HTML or Jinja.
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
_DIGIT_BYTES = np.frombuffer(_DIGITS.encode("ascii"), dtype=np.uint8)
# What the page holds in place of the GeoJSON while folium writes its script.
_PLACEHOLDER = {"atlas": "compact-features", "features": []}
# Rebuilds the GeoJSON from the compact form (see CompactGeoJson); ``DATA`` is replaced.
_DECODE = """(function (d) {
    var digits = "DIGITS", value = {}, text = d.coords, at = 0, x = 0, y = 0;
    for (var i = 0; i < 64; i++) { value[digits.charCodeAt(i)] = i; }
    function next() {
        var n = 0, scale = 1, c;
        do { c = value[text.charCodeAt(at++)]; n += (c % 32) * scale; scale *= 32; }
        while (c >= 32);
        return n % 2 ? -(n + 1) / 2 : n / 2;
    }
    var features = [], part = 0, ring = 0, line = 0;
    for (var f = 0; f < d.ids.length; f++) {
        var polygons = [], tip = [];
        for (var p = 0; p < d.parts[f]; p++, part++) {
            var rings = [];
            for (var r = 0; r < d.rings[part]; r++, ring++) {
                var points = [];
                for (var v = 0; v < d.vertices[ring]; v++) {
                    x += next(); y += next();
                    points.push([x / d.scale, y / d.scale]);
                }
                rings.push(points);
            }
            polygons.push(rings);
        }
        for (var t = 0; t < d.tips[f]; t++) { tip.push(d.lines[d.tip[line++]]); }
        features.push({type: "Feature", id: d.ids[f], properties: {tip: tip.join("<br>")},
            geometry: polygons.length ? {type: "MultiPolygon", coordinates: polygons} : null});
    }
    return {type: "FeatureCollection", features: features};
})(DATA)""".replace("DIGITS", _DIGITS)


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


def _varints(values: np.ndarray) -> str:
    """Signed integers in :data:`_DIGITS`, zigzagged, five bits a letter, lowest bits first."""
    zigzag = (values << 1) ^ (values >> 63)
    count = np.ones(len(zigzag), dtype=np.int64)
    rest = zigzag >> 5
    while rest.any():
        count += rest > 0
        rest >>= 5
    width = int(count.max()) if len(count) else 0
    place = np.arange(width)
    chunks = (zigzag[:, None] >> (5 * place)) & 31
    letters = chunks + 32 * (place < (count - 1)[:, None])
    return _DIGIT_BYTES[letters[place < count[:, None]]].tobytes().decode("ascii")


def compact_features(shapes: np.ndarray, tips, ids: list) -> dict:
    """
    Polygons and their tooltips as :data:`_DECODE` reads them, in NumPy (no loop per district).

    ``coords``: every vertex as the difference from the one before (the first from 0, 0), in
    whole steps of :func:`coordinate_step`, x then y, in :func:`_varints`; a ring's closing
    vertex is left out (Leaflet closes rings). ``vertices`` per ring, ``rings`` per polygon,
    ``parts`` (polygons) per feature. ``lines``: each distinct tooltip line (split at
    ``<br>``) once; ``tip``: their indexes, ``tips`` of them per feature.
    """
    step = coordinate_step(shapes)
    scale = round(1 / step)
    # An empty outline is none: no polygon, drawn as a feature without a geometry.
    shapes = np.where(shapely.is_empty(shapes), None, shapes)
    parts, part_of = shapely.get_parts(shapes, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, vertex_of = shapely.get_coordinates(rings, return_index=True)
    closing = np.r_[vertex_of[1:] != vertex_of[:-1], True] if len(vertex_of) else vertex_of
    coords, vertex_of = coords[~closing], vertex_of[~closing]
    steps = np.rint(coords * scale).astype(np.int64)
    moves = np.diff(steps, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel()
    lines = pd.Series(tips, dtype=object).str.split("<br>")
    codes, uniques = pd.factorize(lines.explode())
    return {
        "scale": scale,
        "coords": _varints(moves),
        "vertices": np.bincount(vertex_of, minlength=len(rings)).tolist(),
        "rings": np.bincount(ring_of, minlength=len(parts)).tolist(),
        "parts": np.bincount(part_of, minlength=len(shapes)).tolist(),
        "ids": list(ids),
        "lines": [str(line) for line in uniques],
        "tip": codes.tolist(),
        "tips": lines.str.len().tolist(),
    }


class CompactGeoJson(folium.GeoJson):
    """
    A folium GeoJson of polygons with a ``tip``, written compactly (:func:`compact_features`).

    Built from the frame (``tip`` and polygons, by feature id); ``data`` still holds the
    GeoJSON, so folium computes the styles and checks the tooltip's field as it always does.
    Only the script differs: where folium writes the features, it writes them compactly with a
    few lines that rebuild the GeoJSON in the browser before folium's code adds them. The
    template itself does it, since streamlit-folium writes each layer's script from its
    template, not from the page folium renders. A frame with shapes other than polygons, or
    without an id per feature, is written as folium writes it.
    """

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
            compact = compact_features(self.shapes, self.tips, ids)
            self.written = _DECODE.replace("DATA", _script_json(compact))
        data, self.data = self.data, dict(_PLACEHOLDER)
        try:
            text = script(self, kwargs)
        finally:
            self.data = data
        placeholder = json.dumps(_PLACEHOLDER, sort_keys=True)  # as Jinja's tojson writes it
        if text.count(placeholder) != 1:
            raise RuntimeError(f"Expected folium's GeoJson script to hold {placeholder} once.")
        return text.replace(placeholder, self.written)


def coverage_layer(
    metrics: gpd.GeoDataFrame, metric: str, *, lang: str = "zh"
) -> tuple[folium.FeatureGroup, list[float], list[str]]:
    """
    District polygons coloured by ``metric`` where its status is ``ok``, hatched elsewhere.

    ``metrics`` is the frame geo.coverage builds (one row per district). Rows whose status is
    not ``ok``, or whose value is missing, keep their polygon, hatched, and their tooltip says
    "insufficient data" and why. Needs Leaflet's SVG renderer (the default). Returns the
    layer, the class upper bounds and the class colours (for
    :func:`layers.choropleth.legend_html`). Raises ValueError for an unknown metric or
    missing columns.
    """
    coverage.describe(metric)  # an unknown measure is named as such, not as missing columns
    _check_columns(metrics, metric)
    metrics = wgs84(metrics)
    values = usable_values(metrics, metric)
    bins, colours = classify(values)
    shown = gpd.GeoDataFrame(
        {
            "tip": [
                _coverage_tip(row, metric, value, lang)
                for (_, row), value in zip(metrics.iterrows(), values, strict=True)
            ],
            "fill": colours.where(values.notna(), HATCH_FILL).to_numpy(),
        },
        geometry=metrics.geometry.to_numpy(),
        crs="EPSG:4326",
        # Feature ids are the adcodes: folium keys its style lookup on the id.
        index=metrics["adcode"].to_numpy(),
    )
    group = folium.FeatureGroup(name=measure_name(metric, lang), show=True)
    _HatchPattern().add_to(group)
    if shown.empty:
        return group, bins, []  # folium's tooltip refuses an empty collection
    tipped_geojson(shown, _coverage_style, kind=CompactGeoJson).add_to(group)
    return group, bins, class_colours(len(bins)) if bins else []


def _coverage_style(feature: dict) -> dict:
    fill = feature["properties"]["fill"]
    if fill == HATCH_FILL:
        # Opaque fill, since the pattern's gaps are already transparent.
        return {"fillColor": fill, "fillOpacity": 1, "color": "#757575", "weight": 1}
    return {"fillColor": fill, "fillOpacity": 0.75, "color": "#555555", "weight": 1}
