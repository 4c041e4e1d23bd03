"""
Private: the small Leaflet behaviours every map shares, as folium elements.

- :class:`FitView` fits the map to a view's extent once per extent, so a filter that keeps
  the extent keeps the planner's pan and zoom (streamlit-folium swaps the layers in place);
- :class:`Remembered` starts a layer shown or hidden and keeps the planner's tick in the
  layer control across those swaps;
- :class:`FollowParent` puts a control (the legend) on the map while its layer is there;
- :class:`TileErrorNote` says on the map, in words, when basemap tiles cannot be fetched;
- :data:`BASE_CSS` keeps tooltips inside the map's frame and styles the place labels.

Each script reads its layer from ``this._parent`` and the map from the layer once it is added
(``layer._map``), so it works both on a whole folium map and in a layer that
streamlit-folium adds to a map it keeps.
"""

from __future__ import annotations

from branca.element import Element, MacroElement
from jinja2 import Template

__all__ = [
    "BASE_CSS",
    "FitView",
    "FollowParent",
    "PageElement",
    "Remembered",
    "TileErrorNote",
    "add_base_css",
]

#: Tooltips wrap at a width that fits the map's frame (Leaflet's default never wraps, so a
#: long source line ran past the iframe's edge); labels are text with a white halo that never
#: takes the pointer, so the district under a label keeps its tooltip.
BASE_CSS = """<style>
.leaflet-tooltip { white-space: normal; width: max-content;
  max-width: min(340px, calc(100vw - 48px)); overflow-wrap: anywhere; }
.atlas-label { pointer-events: none; }
.atlas-label span { position: absolute; transform: translate(-50%, -50%); white-space: nowrap;
  font: 11px/1.2 "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; color: #333;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; }
.atlas-label-city span { font-size: 13px; font-weight: bold; color: #08306b; }
.atlas-legend { max-width: 260px; }
</style>"""


class PageElement(MacroElement):
    """
    HTML written into the page's ``header`` or ``html`` when the element renders, once by name.

    A child of the map rather than of its figure, so it travels with the map into the
    offline copy (:func:`layers.offline.offline_html` makes a new figure).
    """

    def __init__(self, text: str, *, name: str, where: str = "header") -> None:
        super().__init__()
        self._name = "PageElement"
        self.text, self.key, self.where = text, name, where

    def render(self, **kwargs) -> None:
        """Add the text to the root's part, keyed by name, then render as usual."""
        getattr(self.get_root(), self.where).add_child(Element(self.text), name=self.key)
        super().render(**kwargs)


def add_base_css(fmap) -> None:
    """Add :data:`BASE_CSS` to the page of ``fmap`` once."""
    PageElement(BASE_CSS, name="atlas_base_css").add_to(fmap)


class FitView(MacroElement):
    """
    Fit the map to ``bounds`` ``[[south, west], [north, east]]`` when its layer is added.

    Only once per ``key`` on a map: when the layers are swapped for a filter that keeps the
    extent (the same key), the view the planner panned to stays. Controls on the right (the
    layer switcher, the legend) are measured first and padded, so they cover no data.

    A map without room to fit (0×0 while its frame is hidden or not laid out yet) is never
    fitted: Leaflet would pick its maximum zoom, a grey map at 30 m. It is fitted when its
    container gets a size, and again when that size changes, until the planner moves it.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            var layer = {{ this._parent.get_name() }};
            var bounds = {{ this.bounds|tojson }}, key = {{ this.key|tojson }};
            function fit(map) {
                var view = map.__atlasView, box = map.getContainer(), right = 0;
                var size = box.clientWidth + "x" + box.clientHeight;
                if (box.clientWidth < 64 || box.clientHeight < 64 || view.fitted === size) {
                    return;
                }
                box.querySelectorAll(".leaflet-right .leaflet-control")
                    .forEach(function (c) { right = Math.max(right, c.offsetWidth); });
                right = Math.min(right, box.clientWidth / 3);
                // Leaflet keeps the size it measured first (0×0 in a hidden frame).
                map.invalidateSize({pan: false});
                view.fitting = true;
                try {
                    map.fitBounds(bounds, {paddingTopLeft: [16, 16],
                                           paddingBottomRight: [right + 16, 16],
                                           animate: false});
                } finally { view.fitting = false; }
                view.fitted = size;
            }
            function watch(map) {
                if (map.__atlasView) { return; }
                map.__atlasView = {key: null};
                // A move the fit did not make (a drag, a zoom, a link) is the planner's view.
                map.on("movestart", function () {
                    var view = map.__atlasView;
                    if (view.fitted && !view.fitting) { view.moved = true; }
                });
                function resized() {
                    var view = map.__atlasView;
                    if (view.key === null || view.moved) {
                        map.invalidateSize({debounceMoveend: true});
                    } else {
                        whenStyled(function () { fit(map); });
                    }
                }
                if (window.ResizeObserver) {
                    new ResizeObserver(resized).observe(map.getContainer());
                } else {
                    map.on("resize", resized);  // a window resize, where Leaflet sees one
                }
            }
            // Controls are measured once the page's stylesheets are in (streamlit-folium links
            // Leaflet's after the map exists; unstyled, a control is as wide as the map).
            function whenStyled(then) {
                var links = Array.prototype.filter.call(
                    document.querySelectorAll('link[rel="stylesheet"]'),
                    function (l) { return !l.sheet && !l.__atlasDone; });
                if (!links.length) { return then(); }
                links.forEach(function (l) {
                    function done() { l.__atlasDone = true; whenStyled(then); }
                    l.addEventListener("load", done, {once: true});
                    l.addEventListener("error", done, {once: true});
                });
            }
            function start() {
                var map = layer._map;
                if (!map) { return; }
                watch(map);
                if (map.__atlasView.key === key) { return; }
                var view = map.__atlasView = {key: key, moved: false, fitted: null};
                whenStyled(function () { if (map.__atlasView === view) { fit(map); } });
            }
            // After the layer control and the legend exist, so their widths are known.
            layer.on("add", function () { setTimeout(start, 0); });
            if (layer._map) { setTimeout(start, 0); }
        })();
        {% endmacro %}"""
    )

    def __init__(self, bounds: list[list[float]], key: str) -> None:
        super().__init__()
        self._name = "FitView"
        self.bounds, self.key = bounds, key


class Remembered(MacroElement):
    """
    Start the parent layer shown or hidden, and keep the planner's choice across swaps.

    streamlit-folium adds every layer it swaps in, hidden or not, so a layer that should
    start hidden takes itself off the map again before drawing anything. A tick or untick in
    the layer control is kept per ``key`` for the page. Leaflet's control also reports layers
    added or removed by code (the swap itself) as ``overlayadd``/``overlayremove``, so only
    those during a click on the control count.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            var layer = {{ this._parent.get_name() }}, key = {{ this.key|tojson }};
            var memo = window.__atlasShown = window.__atlasShown || {};
            layer.__atlasKey = key;
            var show = key in memo ? memo[key] : {{ this.show|tojson }};
            var layers = L.Control.Layers.prototype;
            if (!layers.__atlasClicks) {
                layers.__atlasClicks = true;
                var onClick = layers._onInputClick;
                layers._onInputClick = function () {
                    window.__atlasClicking = true;
                    try { return onClick.apply(this, arguments); }
                    finally { window.__atlasClicking = false; }
                };
            }
            function watch(map) {
                if (map.__atlasWatched) { return; }
                map.__atlasWatched = true;
                map.on("overlayadd overlayremove", function (e) {
                    if (window.__atlasClicking && e.layer.__atlasKey) {
                        memo[e.layer.__atlasKey] = e.type === "overlayadd";
                    }
                });
            }
            // Only an add while the page's scripts run is streamlit-folium's; later ones are
            // the planner's tick.
            var initial = true, onAdd = layer.onAdd;
            setTimeout(function () { initial = false; }, 0);
            layer.onAdd = function (map) {
                watch(map);
                if (show || !initial) {
                    layer.onAdd = onAdd;
                    return onAdd.call(layer, map);
                }
                // Added only to be listed: leave again before drawing a single feature.
                setTimeout(function () { map.removeLayer(layer); }, 0);
            };
        })();
        {% endmacro %}"""
    )

    def __init__(self, key: str, *, show: bool) -> None:
        super().__init__()
        self._name = "Remembered"
        self.key, self.show = key, show


class FollowParent(MacroElement):
    """A Leaflet control (``html`` in a div of ``css_class``) on the map while its layer is."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            var layer = {{ this._parent.get_name() }};
            var control = L.control({position: {{ this.position|tojson }}});
            control.onAdd = function () {
                var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            layer.on("add", function () { control.addTo(layer._map); });
            layer.on("remove", function () { control.remove(); });
            if (layer._map) { control.addTo(layer._map); }
        })();
        {% endmacro %}"""
    )

    def __init__(self, html_text: str, *, css_class: str, position: str = "bottomright"):
        super().__init__()
        self._name = "FollowParent"
        self.html, self.css_class, self.position = html_text, css_class, position


class TileErrorNote(MacroElement):
    """
    A note on the map, once, when tiles of the parent tile layer fail to load.

    Without it a basemap that needs the network shows blank grey tiles and says nothing.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            var tiles = {{ this._parent.get_name() }}, shown = false;
            tiles.on("tileerror", function () {
                if (shown || !tiles._map) { return; }
                shown = true;
                var note = L.control({position: "topleft"});
                note.onAdd = function () {
                    var div = L.DomUtil.create("div", "atlas-tile-note");
                    div.style.cssText = "background:#fff3cd;color:#664d03;padding:4px 8px;"
                        + "font:12px sans-serif;border-radius:4px;max-width:260px";
                    div.textContent = {{ this.text|tojson }};
                    return div;
                };
                note.addTo(tiles._map);
            });
        })();
        {% endmacro %}"""
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "TileErrorNote"
        self.text = text
