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

The districts are written compactly (:class:`layers._html.CompactGeoJson`): all of China's
2,875 outlines with their tooltips were 3.19 MB of folium's GeoJSON, 0.75 MB so. Each vertex
is rounded to a step of about a fifth of the tolerance the outlines were simplified with for
the extent shown (:func:`layers.view.simplified_outlines`: 1e-3° for all of China, 1e-4° from
a few cities down) and written in Google's Encoded Polyline Algorithm Format, each distinct
tooltip line (a measure's name and why it has no value, repeated in most districts) once. The
browser rebuilds the GeoJSON before folium's own code draws it, so styles, highlight and
tooltips work as folium writes them, and every tooltip is the escaped HTML it was.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element, MacroElement

from geo import coverage
from layers._html import CompactGeoJson, esc, tipped_geojson
from layers._leaflet import PageElement
from layers.choropleth import class_colours, classify
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
