"""
Ledger communities on the map: clustered circle markers whose popups are built as text.

Only rows with a point (``located == "point"``) are drawn; rows located by a district name
alone are counted in district totals but have no place on the map, since a district's
centroid is not where a community is.

The page carries one compact, column-wise JSON object, not a popup per community:
coordinates as whole steps of 1e-5° (about 1 m) from the south-west corner, names as strings,
households, ledger rows and distances as numbers, and district, status and content as small
indexes into lookup lists. The browser makes the markers from it and writes a popup or
tooltip only when one is opened, always as text nodes (``textContent``), so no ledger value
is ever parsed as HTML. The JSON is written the way Jinja's ``tojson`` writes it (``<``,
``>``, ``&`` and ``'`` as ``\\u`` escapes), so no value can close the ``<script>``.

Markers are SVG circle markers in a Leaflet.markercluster group (``chunkedLoading``, so the
page keeps responding while it clusters). They are queued with ``addLayer`` before the group
is on the map and clustered in one pass when it is added: ``addLayers`` on a group not yet on
a map scans its queue once per marker, which is quadratic. Each marker binds its popup and
tooltip when first added to the map or asked for its popup, not up front.

Measured on 100,000 random communities around 新乡 (125 per km²; medians of 5; the page is
``folium.Map(tiles=None, maxZoom=18)`` with this layer, rendered, in UTF-8):

- page: 40.6 MB with the former FastMarkerCluster (an HTML popup per row), 5.4 MB now
  (56 kB for 1,000 communities);
- build in Python: 3.9 s before, 0.16 s now;
- Chromium, load to first cluster: 1.7 s before, 1.0 s now; JavaScript heap 224 MB before,
  74 MB now (binding every popup and tooltip up front: 1.5 s and 167 MB).

Why SVG, not a canvas (``L.canvas()``): time to first cluster was the same within noise
(0.9 to 1.1 s both), since below zoom 16 markercluster draws at most a few hundred clusters.
A canvas only wins at street level in the densest case (zooming to 16 and panning twice:
0.3 s against 0.4 s, with about 6,000 markers in markercluster's padded view), while SVG
keeps every community a ``<path>`` that the page's tests and users' tools can find.

Above :data:`MAX_POINTS_DRAWN` communities with a point (a province or all of China with a
national ledger: 300,000 communities made an 18.7 MB page), the layer draws one marker per
district instead, at the mean position of its communities, whose popup gives their number and
households; per city where the map outlines cities, not districts (all of China: 370 markers,
not 2,875 SVG nodes the browser took seconds to draw, for outlines it does not draw). The page
stays under 2 MB whatever the ledger, and narrowing the view to fewer communities (a city, a
district, a year) draws each one again. The layer's name says which it draws. Points fetched by
the map's bounds at high zoom would keep each community reachable from the national view, at
the cost of a server round trip per pan; the offline HTML could not do that, so both draw the
same.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element
from folium.plugins import MarkerCluster
from folium.template import Template

from geo.coverage import DISTANCE_TYPES, WALK_PROFILES
from layers._html import script_json
from layers.assets import use_local_markercluster
from layers.wording import colon, format_value, label, tags_text

__all__ = ["MAX_POINTS_DRAWN", "PROJECT_COLOUR", "PROXIMITY_KINDS", "Check", "projects_layer"]

#: The fill of a community's marker (ColorBrewer Paired blue), also its legend swatch.
PROJECT_COLOUR = "#1f78b4"

#: Above this many communities with a point, one marker per district is drawn instead. At
#: about 60 bytes a community, 10,000 add 0.6 MB to the 1.04 MB of all of China's outlines.
MAX_POINTS_DRAWN = 10_000

#: Distance columns (metres, from geo/coverage.py) that add a "nearest ..." line to popups.
PROXIMITY_KINDS = DISTANCE_TYPES

# Below this zoom, nearby points merge into numbered clusters; at street level they split.
_UNCLUSTER_ZOOM = 16
# Coordinates are sent as whole multiples of this step (1e-5° is 1.1 m north-south).
_STEPS_PER_DEGREE = 100_000


@dataclasses.dataclass(frozen=True)
class Check:
    """
    One checklist line of a popup, by the names of its columns.

    ``label``, then ✔ or ✘ by the boolean column ``passed`` (— where it is missing), and
    the metres of column ``metres`` or, where those are missing, the reason its ``status``
    column gives (``reach_<status>`` in the catalogue).
    """

    label: str
    passed: str
    metres: str
    status: str


class _Communities(MarkerCluster):
    """A markercluster group that makes its markers, and their popups as text, in the browser."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var data = {{ this.data_json }};
            var text = data.text, count = data.name.length;
            var Community = L.CircleMarker.extend({
                options: {radius: 6, color: "#ffffff", weight: 1,
                          fillColor: {{ this.colour|tojson }}, fillOpacity: 0.9},
                initialize: function (latlng, index) {
                    L.CircleMarker.prototype.initialize.call(this, latlng);
                    this.index = index;
                },
                onAdd: function (map) {
                    this.getPopup();
                    if (!this.getTooltip()) {
                        this.bindTooltip(function (marker) {
                            return document.createTextNode(data.name[marker.index] || "");
                        });
                    }
                    return L.CircleMarker.prototype.onAdd.call(this, map);
                },
                getPopup: function () {
                    // A long checklist scrolls inside its popup rather than leave the map.
                    if (!this._popup) { this.bindPopup(popup, {maxWidth: 320, maxHeight: 360}); }
                    return this._popup;
                }
            });
            // As labels.format_value: 1,234 户, 1.23 万户 from 10,000 (zh only, two decimals
            // rounded half up like toFixed), no data for null.
            function amount(value, unit, wan) {
                if (value === null) { return text.no_data; }
                if (wan && Math.abs(value) >= 10000) {
                    var short = Number((value / 10000).toFixed(2));
                    return short.toLocaleString("en-US", {maximumFractionDigits: 2}) + wan;
                }
                return value.toLocaleString("en-US", Number.isInteger(value)
                    ? {} : {minimumFractionDigits: 2, maximumFractionDigits: 2}) + unit;
            }
            // A missing value (or a null lookup index) leaves its line out.
            function line(node, name, value) {
                if (value === null || value === undefined || value === "") { return; }
                node.appendChild(document.createElement("br"));
                node.appendChild(document.createTextNode(name + text.colon + value));
            }
            function popup(marker) {
                var i = marker.index, node = document.createElement("div");
                node.appendChild(document.createElement("b")).textContent = data.name[i] || "";
                if (data.verdict) {
                    node.appendChild(document.createElement("br"));
                    node.appendChild(document.createElement("b")).textContent =
                        data.verdicts[data.verdict[i]] || "";
                }
                line(node, text.district, data.districts[data.district[i]]);
                line(node, text.households,
                     amount(data.households[i], text.households_unit, text.households_wan));
                line(node, text.content, data.contents[data.content[i]]);
                line(node, text.status, data.statuses[data.status[i]]);
                data.distances.forEach(function (kind) {
                    // A network distance that could not be measured says why (off the
                    // network, unreachable...), never "no data" alone and never 0.
                    var why = kind.why ? kind.whys[kind.why[i]] : null;
                    line(node, kind.label, kind.metres[i] === null && why
                         ? why : amount(kind.metres[i], text.metres_unit, null));
                });
                (data.checks || []).forEach(function (check) {
                    // ✔ within the radius, ✘ beyond it or no route, — not measured (and why).
                    var mark = check.pass[i] === 1 ? "✔ " : check.pass[i] === 0 ? "✘ " : "— ";
                    var why = check.whys[check.why[i]];
                    line(node, mark + check.label, check.metres[i] === null && why
                         ? why : amount(check.metres[i], text.metres_unit, null));
                });
                line(node, text.row, data.row[i]);
                return node;
            }
            var group = L.markerClusterGroup({{ this.options|tojavascript }});
            for (var i = 0, step = data.step; i < count; i++) {
                group.addLayer(new Community(new L.LatLng(
                    (data.lat0 + data.lat[i]) / step, (data.lon0 + data.lon[i]) / step), i));
            }
            return group;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, data_json: str, *, name: str, **options) -> None:
        super().__init__(name=name, **options)
        self._name = "Communities"
        # A string, not the columns: offline exports deep-copy the map, and a str copies free.
        self.data_json = data_json
        self.colour = PROJECT_COLOUR

    def render(self, **kwargs) -> None:
        """Render as any folium layer, but put this script into the page verbatim."""
        # branca makes every script a new Jinja template and renders it again, which would
        # lex megabytes of data for nothing and run "{{ ... }}" in a ledger value as code.
        data_json, self.data_json = self.data_json, "null"
        try:
            super().render(**kwargs)
        finally:
            self.data_json = data_json
        self.colour = PROJECT_COLOUR
        script = self._template.module.script(self, kwargs)
        self.get_root().script._children[self.get_name()] = _Verbatim(script)


class _Verbatim(Element):
    """Text that goes into the page as it is, never read as a Jinja template."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


def projects_layer(
    projects: gpd.GeoDataFrame,
    *,
    lang: str = "zh",
    checks: tuple[Check, ...] | list[Check] = (),
    verdict: pd.Series | None = None,
    by_city: bool = False,
) -> MarkerCluster:
    """
    A clustered layer of the projects that have a point; rows without one are skipped.

    Above :data:`MAX_POINTS_DRAWN` of them, one marker per district (:func:`_place_totals`),
    or per city with ``by_city`` (a map that draws city outlines, not districts).

    A popup gives the name, district, households, content, status, the distance to each
    nearest feature in ``dist_<kind>_m`` columns (:data:`PROXIMITY_KINDS`, whole metres), and
    the ledger row; missing households and distances (NaN: not computed) read "no data",
    never 0, and an empty district, content, status or row leaves its line out. Other
    coordinate reference systems are converted to EPSG:4326. The layer control names the
    layer with the number of communities drawn. The map it is added to needs a ``maxZoom``
    option (a tile layer sets one; a ``tiles=None`` map must pass ``maxZoom=18`` itself;
    folium's ``max_zoom`` only reaches tiles), or Leaflet.markercluster throws "Map has no
    maxZoom specified". ``checks`` add a checklist line each (:class:`Check`: ✔, ✘ or —,
    the metres or why there are none), and ``verdict`` (text per row, on the projects' index)
    a bold line under the name.
    """
    points = projects[projects.geometry.notna() & ~projects.geometry.is_empty]
    points = points.to_crs("EPSG:4326") if points.crs and points.crs.to_epsg() != 4326 else points
    name = f"{label('projects_layer', lang)} ({len(points)})"
    unclustered = _UNCLUSTER_ZOOM
    if len(points) > MAX_POINTS_DRAWN:
        # Checklists and verdicts are per community: shown once the view is narrowed.
        columns = _place_totals(points, lang, by="city" if by_city else "district")
        by = label("by_city" if by_city else "by_district", lang)
        name = f"{label('projects_layer', lang)} ({len(points)}, {by})"
        # A cluster's number would count districts, not communities: never clustered.
        unclustered = 0
    else:
        columns = _columns(points, lang) | _checklist(points, checks, lang)
        if verdict is not None:
            columns["verdict"], columns["verdicts"] = _codes(verdict.reindex(points.index))
    layer = _Communities(
        script_json(columns),
        name=name,
        chunkedLoading=True,
        disableClusteringAtZoom=unclustered,
        showCoverageOnHover=False,
    )
    return use_local_markercluster(layer)


def _totals_by(key: pd.Series, points: gpd.GeoDataFrame, by: str) -> pd.DataFrame:
    """
    Per distinct ``key`` (missing as ``""``), sorted: what a place's marker says.

    The first ``by`` name, the mean lon/lat, the number of communities, the sum of their
    known households and how many are known.

    In NumPy (``factorize`` and ``bincount``): a national ledger's 300,000 rows are totalled
    for every map drawn, and pandas' groupby of their text keys took most of the layer's time.
    """
    codes, uniques = pd.factorize(key, sort=True, use_na_sentinel=True)
    uniques = pd.Index(uniques, dtype=object)
    if (codes < 0).any():
        # Missing keys are the place "": first when sorted, with any key that is "" itself.
        if len(uniques) and uniques[0] == "":
            codes = np.where(codes < 0, 0, codes)
        else:
            codes, uniques = codes + 1, uniques.insert(0, "")
    count = np.bincount(codes, minlength=len(uniques))
    shapes = points.geometry.to_numpy()
    lon, lat = shapely.get_x(shapes), shapely.get_y(shapes)
    households = pd.to_numeric(points["households"], errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    known = ~np.isnan(households)
    named = np.flatnonzero(points[by].notna().to_numpy())
    # The first name of each place, in the rows' order, as groupby's "first" takes it.
    places, first = np.unique(codes[named], return_index=True)
    first_name = np.full(len(uniques), None, dtype=object)
    first_name[places] = points[by].iloc[named[first]].to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "district": first_name,
            "lon": np.bincount(codes, weights=lon, minlength=len(uniques)) / count,
            "lat": np.bincount(codes, weights=lat, minlength=len(uniques)) / count,
            "count": count,
            "households": np.bincount(
                codes, weights=np.where(known, households, 0.0), minlength=len(uniques)
            ),
            "known": np.bincount(codes, weights=known, minlength=len(uniques)).astype(int),
        },
        index=uniques.rename("key"),
    )


def _columns(points: gpd.GeoDataFrame, lang: str) -> dict:
    """The popup's values column by column, as the layer's script reads them."""
    district, districts = _codes(points["district"])
    content, contents = _codes(points["content_tags"], lambda tags: tags_text(tags, lang))
    status, statuses = _codes(points["status"], lambda key: label(key, lang) if key else "")
    return {
        **_steps(points.geometry.y.to_numpy(), "lat"),
        **_steps(points.geometry.x.to_numpy(), "lon"),
        "step": _STEPS_PER_DEGREE,
        "name": _strings(points["name"]),
        "households": _numbers(points["households"]),
        "row": _numbers(points["row"]),
        "district": district,
        "districts": districts,
        "content": content,
        "contents": contents,
        "status": status,
        "statuses": statuses,
        "distances": _distances(points, lang),
        "text": _text(lang),
    }


def _place_totals(points: gpd.GeoDataFrame, lang: str, *, by: str = "district") -> dict:
    """
    One marker per district (per city with ``by="city"``), at its communities' mean position.

    For the layer's script. Each is named by their number, with the place and their households (no
    data when any community's is missing, never a partial sum). Communities without a district
    (city) are one marker of their own, without a place line. Districts are keyed by adcode,
    cities by name.
    """
    totals = _totals_by(points["adcode"] if by == "district" else points[by], points, by)
    households = totals["households"].where(totals["known"] == totals["count"])
    unit = label("communities_count", lang)
    # 1,234 个小区 (the unit as written, Chinese only), 1,234 communities.
    names = [format_value(n, "count", lang, unit_word=unit) for n in totals["count"]]
    names = [n if n.endswith(unit) else f"{n} {unit}" for n in names]
    district, districts = _codes(totals["district"])
    return {
        **_steps(totals["lat"].to_numpy(), "lat"),
        **_steps(totals["lon"].to_numpy(), "lon"),
        "step": _STEPS_PER_DEGREE,
        "name": names,
        "households": _numbers(households),
        "row": [None] * len(totals),
        "district": district,
        "districts": districts,
        "content": [None] * len(totals),
        "contents": [],
        "status": [None] * len(totals),
        "statuses": [],
        "distances": [],
        # The place line names what it is: 城市 City for a city's total.
        "text": _text(lang) | ({"district": label("city_col", lang)} if by == "city" else {}),
    }


def _distances(points: gpd.GeoDataFrame, lang: str) -> list[dict]:
    """
    The popup's distance lines: straight-line, then along the network per profile.

    Straight-line ``dist_<kind>_m``, and beside each the network metres of every profile
    :func:`geo.reach.community_reach` measured (``<profile>_<kind>_m`` with its ``_status``:
    a community that could not be measured says why).
    """
    profiles = [p for p in WALK_PROFILES if any(f"{p}_{k}_m" in points for k in PROXIMITY_KINDS)]
    out = []
    for kind in PROXIMITY_KINDS:
        name = label(f"nearest_{kind}", lang)
        if f"dist_{kind}_m" in points:
            shown = label("nearest_straight", lang).format(name=name) if profiles else name
            metres = _numbers(points[f"dist_{kind}_m"].astype(float).round())
            out.append({"label": shown, "metres": metres})
        for profile in profiles:
            column = f"{profile}_{kind}"
            if f"{column}_m" not in points:
                continue
            why, whys = _codes(
                points[f"{column}_status"].where(points[f"{column}_status"] != "ok"),
                lambda status: label(f"reach_{status}", lang),
            )
            shown = label("nearest_on_network", lang).format(
                name=name, profile=label(f"profile_{profile}", lang)
            )
            metres = _numbers(points[f"{column}_m"].astype(float).round())
            out.append({"label": shown, "metres": metres, "why": why, "whys": whys})
    return out


def _checklist(points: gpd.GeoDataFrame, checks, lang: str) -> dict:
    """The popup's checklist lines (``checks``), column by column: 1/0/null, metres, why."""
    out = []
    for check in checks:
        passed = points[check.passed].astype("boolean")
        status = points[check.status]
        why, whys = _codes(status.where(status != "ok"), lambda s: label(f"reach_{s}", lang))
        out.append(
            {
                "label": check.label,
                "pass": [None if pd.isna(p) else int(p) for p in passed],
                "metres": _numbers(points[check.metres].astype(float).round()),
                "why": why,
                "whys": whys,
            }
        )
    return {"checks": out} if out else {}


def _steps(degrees: np.ndarray, axis: str) -> dict:
    """``degrees`` as whole 1e-5° steps from their minimum: 5 digits where 9 or 10 would be."""
    steps = np.rint(degrees * _STEPS_PER_DEGREE).astype(np.int64)
    origin = int(steps.min()) if len(steps) else 0
    return {f"{axis}0": origin, axis: (steps - origin).tolist()}


def _codes(values: pd.Series, shown=str) -> tuple[list[int | None], list[str]]:
    """
    Index of each value in a list of the distinct values, each written by ``shown`` once.

    Missing values get no index (JSON null), so their popup line is left out.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    indexes = codes.astype(object)
    indexes[codes < 0] = None
    return indexes.tolist(), [shown(value) for value in uniques]


def _strings(values: pd.Series) -> list[str | None]:
    """Text for JSON, missing as null."""
    text = values.astype("string")
    return text.astype(object).where(text.notna(), None).tolist()


def _numbers(values: pd.Series) -> list[int | float | None]:
    """Numbers for JSON: whole numbers as ints (``120``, not ``120.0``), missing as null."""
    floats = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
    out = floats.astype(object)
    whole = np.isfinite(floats) & (floats == np.round(floats))
    out[whole] = floats[whole].astype(np.int64).tolist()
    out[~np.isfinite(floats)] = None
    return out.tolist()


def _text(lang: str) -> dict[str, str | None]:
    """The popup's labels, and unit words exactly as :func:`layers.wording.format_value` writes."""
    return {
        "district": label("district_col", lang),
        "households": label("households_col", lang),
        "content": label("content_col", lang),
        "status": label("status", lang),
        "row": label("ledger_row", lang),
        "no_data": label("no_data", lang),
        "colon": colon(lang),
        # Probing format_value keeps one source for the words: " 户", " households", " 米".
        "households_unit": format_value(1, "households", lang).removeprefix("1"),
        "households_wan": (
            format_value(10_000, "households", lang).removeprefix("1") if lang == "zh" else None
        ),
        "metres_unit": format_value(1, "m", lang).removeprefix("1"),
    }
