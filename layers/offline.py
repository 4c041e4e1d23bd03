"""
Single-file offline HTML maps for intranets (政务网) that can fetch nothing from outside.

A folium map is rendered, then every script and stylesheet it links is written into the page
itself: Leaflet 1.9.4 from the installed PyPI package, Leaflet.markercluster 1.5.3 from the
npm tarball ``make install`` fetched (or the app's ``static/`` copy), and the images Leaflet's
stylesheet names (``url(images/layers.png)`` ...) as ``data:`` URIs. A link to anything else,
such as a folium plugin's CDN script, raises ValueError naming it: nothing external is left in
the page silently. Tile layers are removed, since tiles need the network; the page says so in
a note on the map. A Content-Security-Policy ``<meta>`` then forbids every fetch, so even a
reference missed here cannot leave the machine: scripts run only if their SHA-256 is listed,
styles only inline, images only from ``data:``.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import html
import posixpath
import re
import tarfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import folium
from branca.element import Figure, MacroElement
from folium.raster_layers import TileLayer, WmsTileLayer
from jinja2 import Template

from layers.assets import (
    _CLUSTER_FILES,
    LEAFLET_URL_PREFIX,
    MARKERCLUSTER_TARBALL,
    MARKERCLUSTER_URL_PREFIX,
    leaflet_source,
)

__all__ = ["CSP_BASE", "NO_BASEMAP_NOTE", "offline_html", "offline_html_bytes"]

#: The policy before the scripts' hashes are added: nothing may be fetched, from anywhere.
#: ``'unsafe-inline'`` for scripts only matters to browsers older than CSP level 2; newer
#: ones ignore it once hashes are listed, so an injected inline handler would not run.
CSP_BASE = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:; base-uri 'none'; form-action 'none'"
)
#: Shown on the map when its tile layers were removed.
NO_BASEMAP_NOTE = "离线地图：无底图 · Offline map: no basemap"
_STATIC = Path(__file__).resolve().parent.parent / "static"
_MIME = {".png": "image/png", ".gif": "image/gif", ".svg": "image/svg+xml", ".jpg": "image/jpeg"}
# What folium's JavascriptLink and CssLink write, and nothing else.
_LINKED = re.compile(
    r'<script src="(?P<js>[^"]*)"></script>|<link rel="stylesheet" href="(?P<css>[^"]*)"\s*/?>'
)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]*)\1\s*\)""")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
# A JS string that is wholly a URL (a tile template, an image overlay, a fetched file) and a
# src=/url() written into HTML or CSS inside a JS string.
_JS_URL = re.compile(r"""(["'])((?:https?:)?//[^"'\s]+)\1""")
_JS_EMBEDDED = re.compile(
    r"""(?:\b(?:src|srcset|poster|background)\s*=\s*\\?["']?|url\(\s*\\?["']?)"""
    r"""((?:https?:)?//[^"'\\\s)>]+)"""
)
# Attributes a browser fetches by itself; <a>/<area> href only navigate when clicked.
_FETCHED_ATTRS = {"src", "srcset", "href", "poster", "data", "background", "action",
                  "formaction", "manifest", "xlink:href", "ping", "codebase"}  # fmt: skip
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
_XML_NAMESPACE = "http://www.w3.org/"
_MARKER_IMAGES = {
    "iconUrl": "marker-icon.png",
    "iconRetinaUrl": "marker-icon-2x.png",
    "shadowUrl": "marker-shadow.png",
}


def offline_html(
    fmap: folium.Map, *, title: str | None = None, heading: list[str] | None = None
) -> str:
    """
    One self-contained HTML page of ``fmap``: no external script, stylesheet, font or tile.

    ``heading`` lines are written on the map itself, top left, the first in bold (the title,
    what the view filters, its sources and the export date), so a printed or forwarded page
    still says what it shows; they are text nodes, never HTML.

    Works on a deep copy; ``fmap`` itself is not changed and still renders its own links.
    The copy loses its tile layers (no basemap; a note on the map says so, and a Tianditu
    key in a tile address never reaches the file). A map drawn over the GCJ-02 Amap basemap
    keeps its shifted layers, so build offline maps with ``basemap=None``. ``title`` becomes
    the page's ``<title>`` (default: the figure's). Elements added to the map's figure
    rather than to the map are not carried over. Raises ValueError naming every reference
    that cannot be inlined (a plugin's CDN script, an image overlay's address), with the
    fix; FileNotFoundError when Leaflet.markercluster is needed and neither its tarball nor
    ``static/`` copy exists.
    """
    if title is None:
        title = getattr(fmap.get_root(), "title", None)
    page = _detached_copy(fmap)
    if heading:
        _Heading(heading).add_to(page)
    if _drop_tiles(page):
        _Note(NO_BASEMAP_NOTE).add_to(page)
        # Leaflet.markercluster needs the map's maxZoom, which a tile layer may have given.
        if "maxZoom" not in page.options and "max_zoom" not in page.options:
            page.options["maxZoom"] = 18
    rendered = page.get_root().render().replace("\r\n", "\n")
    links: list[tuple[str, str]] = []

    def hold(match: re.Match) -> str:
        kind = "js" if match["js"] is not None else "css"
        links.append((kind, match[kind]))
        return f"\0{len(links) - 1}\0"

    held = _LINKED.sub(hold, rendered)
    problems = [url for _, url in links if _source_of(url) is None]
    problems += _outside_references(held)
    if problems:
        raise ValueError(_problem_message(problems))
    uses_markers = bool(re.search(r"\bL\.marker\(", held))
    inlined = [_inline(kind, url, markers=uses_markers) for kind, url in links]
    body = re.sub(r"\0(\d+)\0", lambda m: inlined[int(m[1])], held)
    return _with_head(body, title)


def offline_html_bytes(
    fmap: folium.Map, *, title: str | None = None, heading: list[str] | None = None
) -> bytes:
    """:func:`offline_html` as UTF-8 bytes, e.g. for ``st.download_button``."""
    return offline_html(fmap, title=title, heading=heading).encode("utf-8")


class _Heading(MacroElement):
    """The map's title, filters, sources and date, in a box at its top left, as text."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            var box = L.control({position: "topleft"});
            box.onAdd = function () {
                var div = L.DomUtil.create("div", "atlas-offline-heading");
                div.style.cssText = "background:rgba(255,255,255,.92);padding:6px 10px;"
                    + "font:12px sans-serif;color:#333;border-radius:4px;max-width:420px;"
                    + "box-shadow:0 1px 4px rgba(0,0,0,.3)";
                {{ this.lines|tojson }}.forEach(function (text, i) {
                    var line = L.DomUtil.create(i ? "div" : "b", "", div);
                    line.textContent = text;
                    if (!i) { line.style.fontSize = "14px"; }
                });
                return div;
            };
            box.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}"""
    )

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self._name = "OfflineHeading"
        self.lines = list(lines)


class _Note(MacroElement):
    """A small grey note in the map's bottom-left corner, above the scale bar."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            var note = L.control({position: "bottomleft"});
            note.onAdd = function () {
                var div = L.DomUtil.create("div", "atlas-offline-note");
                div.style.cssText = "background:rgba(255,255,255,.85);padding:2px 6px;"
                    + "font:11px sans-serif;color:#555;border-radius:3px";
                div.textContent = {{ this.text|tojson }};
                return div;
            };
            note.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}"""
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "OfflineNote"
        self.text = text


def _detached_copy(fmap: folium.Map) -> folium.Map:
    """
    A deep copy of ``fmap`` in a new, empty figure.

    Rendering writes each element's script into the figure and never takes it out, so a
    copy of an already rendered figure would still hold the scripts of removed tile layers.
    """
    # The memo stands the old figure in for None, so it is neither copied nor shared.
    page = copy.deepcopy(fmap, memo={id(fmap._parent): None})
    page._parent = None
    Figure().add_child(page)
    return page


def _drop_tiles(fmap: folium.Map) -> int:
    """Remove every tile layer (XYZ or WMS) from ``fmap``'s tree; returns how many."""
    dropped, stack = 0, [fmap]
    while stack:
        element = stack.pop()
        for key, child in list(element._children.items()):
            if isinstance(child, TileLayer | WmsTileLayer):
                del element._children[key]
                dropped += 1
            else:
                stack.append(child)
    return dropped


def _source_of(url: str) -> tuple[Callable[[str], bytes], str] | None:
    """(reader, file name) for a URL under a known local prefix; None for anything else."""
    for prefix, reader in ((LEAFLET_URL_PREFIX, _leaflet_file),
                           (MARKERCLUSTER_URL_PREFIX, _markercluster_file)):  # fmt: skip
        if url.startswith(prefix + "/"):
            name = posixpath.normpath(url[len(prefix) + 1 :])
            if not name.startswith(("..", "/")):
                return reader, name
    return None


@functools.cache
def _leaflet_file(name: str) -> bytes:
    root = leaflet_source().resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise ValueError(f"Expected {name!r} in Leaflet's package folder {root}; it is not there.")
    return path.read_bytes()


@functools.cache
def _markercluster_file(name: str, tarball: Path = MARKERCLUSTER_TARBALL) -> bytes:
    if name not in _CLUSTER_FILES:
        raise ValueError(f"Expected one of Leaflet.markercluster's {_CLUSTER_FILES}, got {name!r}.")
    if tarball.exists():
        # Only the built files, by name, as layers.assets.install_markercluster reads them.
        with tarfile.open(tarball, "r:gz") as archive:
            try:
                return archive.extractfile(f"package/dist/{name}").read()
            except KeyError:
                pass  # not in this tarball: try the static copy
    if (_STATIC / "leaflet.markercluster" / name).is_file():
        return (_STATIC / "leaflet.markercluster" / name).read_bytes()
    raise FileNotFoundError(
        f"Expected Leaflet.markercluster at {tarball} or in {_STATIC}; it is fetched by "
        "`make install` (npm pack leaflet.markercluster@1.5.3). Run `make install`."
    )


def _inline(kind: str, url: str, *, markers: bool) -> str:
    """The ``<script>`` or ``<style>`` element holding the file ``url`` names."""
    reader, name = _source_of(url)
    text = reader(name).decode("utf-8").replace("\r\n", "\n")
    if kind == "js":
        # "</script" would end the element early; "<\/" is the same string to JavaScript.
        script = "<script>" + re.sub(r"</(script)", r"<\\/\1", text, flags=re.I) + "</script>"
        if markers and name == "leaflet.js":
            script += _default_icon_script()
        return script
    css = _CSS_COMMENT.sub("", text)
    css = _CSS_URL.sub(lambda m: _data_url(m, reader, name), css)
    return "<style>" + re.sub(r"</(style)", r"<\\/\1", css, flags=re.I) + "</style>"


def _data_url(match: re.Match, reader: Callable[[str], bytes], css_name: str) -> str:
    ref = match[2]
    if ref.startswith(("data:", "#")):
        return match[0]
    name = posixpath.normpath(posixpath.join(posixpath.dirname(css_name), ref))
    mime = _MIME.get(posixpath.splitext(name)[1].lower())
    if mime is None:
        raise ValueError(f"Expected an image ({', '.join(_MIME)}) in {css_name}, got {ref!r}.")
    return f"url({_data_uri(reader(name), mime)})"


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _default_icon_script() -> str:
    """
    Default marker images as data: URIs, for maps with ``L.marker``.

    Leaflet finds its icon folder by reading ``url(.../marker-icon.png)`` back from its
    stylesheet; from a data: URI it would derive ``"null"`` and ask for
    ``nullmarker-icon.png``. An empty ``imagePath`` makes it use these addresses as written.
    """
    options = ",".join(
        f'{key}:"{_data_uri(_leaflet_file(f"images/{file}"), "image/png")}"'
        for key, file in _MARKER_IMAGES.items()
    )
    script = f'L.Icon.Default.imagePath="";L.Icon.Default.mergeOptions({{{options}}});'
    return f"<script>{script}</script>"


class _References(HTMLParser):
    """Collects what a browser would fetch from the page by itself (before inlining)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in = tag if tag in ("script", "style") else None
        for name, value in attrs:
            value = (value or "").strip()
            if name == "style":
                self.found += _css_references(value)
            elif _is_fetched(tag, name, value):
                self.found.append(value)
        if tag == "base" or (tag == "meta" and ("http-equiv", "refresh") in attrs):
            self.found.append(f"<{tag}> {dict(attrs)}")

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.found += _css_references(data)
        elif self._in == "script":
            self.found += [
                m[2] for m in _JS_URL.finditer(data) if not m[2].startswith(_XML_NAMESPACE)
            ]
            self.found += [m[1] for m in _JS_EMBEDDED.finditer(data)]


def _is_fetched(tag: str, name: str, value: str) -> bool:
    if name not in _FETCHED_ATTRS or not value or value.startswith(("data:", "#")):
        return False
    return not (tag in ("a", "area") and name == "href")


def _css_references(css: str) -> list[str]:
    css = _CSS_COMMENT.sub("", css)
    found = [m[2] for m in _CSS_URL.finditer(css) if not m[2].startswith(("data:", "#"))]
    return found + [f"@import {m}" for m in re.findall(r"@import\s+([^;]*)", css)]


def _outside_references(page: str) -> list[str]:
    parser = _References()
    parser.feed(page)
    parser.close()
    return parser.found


def _problem_message(urls: list[str]) -> str:
    listed = ", ".join(repr(u) for u in dict.fromkeys(urls))
    hints = []
    if any("leaflet.markercluster" in u for u in urls):
        hints.append("pass MarkerCluster layers through layers.assets.use_local_markercluster")
    if any(re.search(r"/leaflet(@[\d.]+)?/dist/|jquery|bootstrap|font-?awesome", u) for u in urls):
        hints.append("pass the map through layers.assets.use_local_leaflet")
    hints.append("remove the plugin or layer that adds any other")
    return (
        "Expected every script, stylesheet and image of an offline map to be inlined from "
        f"Leaflet or Leaflet.markercluster's local files; it also references {listed}, "
        f"which an offline page cannot load. Fix: {'; '.join(hints)}."
    )


def _with_head(page: str, title: str | None) -> str:
    """
    ``page`` with its title and a Content-Security-Policy allowing exactly its inline scripts.

    Both go right after the charset declaration, before the first script or style.
    """
    hashes = " ".join(
        "'sha256-{}'".format(
            base64.b64encode(hashlib.sha256(m[1].encode("utf-8")).digest()).decode("ascii")
        )
        for m in _SCRIPT.finditer(page)
    )
    policy = CSP_BASE.replace("script-src 'unsafe-inline'", f"script-src 'unsafe-inline' {hashes}")
    head = f'\n    <meta http-equiv="Content-Security-Policy" content="{policy}" />'
    if title is not None:
        head += f"\n    <title>{html.escape(title)}</title>"
    charset = re.search(r"<head>\s*<meta http-equiv=\"content-type\"[^>]*>|<head>", page)
    return page[: charset.end()] + head + page[charset.end() :]
