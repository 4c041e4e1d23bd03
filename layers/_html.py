"""
The HTML pieces every map layer shares, at the bottom of the layers graph.

The one escaping function, legends, and tooltipped GeoJSON.

folium's GeoJsonTooltip and Popup insert property values as raw HTML, and branca renders each
script it builds once more as a Jinja template, so every user value that reaches a page goes
through :func:`esc` first: HTML-escaped, with braces as entities so that ``{{ ... }}`` in a
ledger cell is never run as template code on the server. Legends are plain HTML in a
Leaflet control (no branca colormap, which makes streamlit-folium fetch d3 from the web).
"""

from __future__ import annotations

import html

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from layers.labels import format_value, label

__all__ = ["Legend", "esc", "legend_html", "tipped_geojson"]

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


def tipped_geojson(shown: gpd.GeoDataFrame, style, *, name: str | None = None) -> folium.GeoJson:
    """Polygons styled by ``style`` with their (already escaped) ``tip`` as a sticky tooltip."""
    return folium.GeoJson(
        shown.to_json(),
        name=name,
        style_function=style,
        highlight_function=lambda _: {"weight": 3, "color": "#08306b"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
    )


def legend_html(
    title: str,
    bins: list[float],
    colours: list[str],
    *,
    unit: str,
    lowest: float | None = None,
    lang: str = "zh",
    missing: tuple[str, str] | None = None,
) -> str:
    """
    A small legend: one swatch per class (``lowest`` – upper bound) and one for "no data".

    ``missing`` replaces the grey "no data" swatch with a (CSS background, text) pair.
    """
    rows = []
    lower = lowest
    for upper, colour in zip(bins, colours, strict=True):
        text = format_value(upper, unit, lang)
        if lower is not None and lower != upper:
            text = f"{format_value(lower, unit, lang)} – {text}"
        rows.append(_swatch(colour, text, dashed=False))
        lower = upper
    background, text = missing or (NO_DATA_COLOUR, label("no_data", lang))
    rows.append(_swatch(background, text, dashed=True))
    return (
        '<div style="'
        "background:rgba(255,255,255,.92);padding:6px 10px;border-radius:4px;font:12px sans-serif;"
        f'box-shadow:0 1px 4px rgba(0,0,0,.3)"><b>{esc(title)}</b><br>{"<br>".join(rows)}</div>'
    )


class Legend(MacroElement):
    """A Leaflet control holding the legend HTML, so it lives in the map script itself."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "atlas-legend");
                div.innerHTML = {{ this.html|tojson }};
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}"""
    )

    def __init__(self, html_text: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = html_text


def _swatch(colour: str, text: str, *, dashed: bool) -> str:
    border = "1px dashed #757575" if dashed else "1px solid #555"
    return (
        f'<span style="display:inline-block;width:14px;height:10px;background:{colour};'
        f'border:{border};margin-right:6px"></span>{esc(text)}'
    )
