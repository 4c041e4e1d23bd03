"""
Coverage of accessibility infrastructure per district and per renovated community.

The one registry of accessibility measures, and the functions that compute them.

:data:`MEASURES` is the registry: each measure's key, unit, and how it is computed (a length
or a count of one feature type, or a rate of two other measures), plus the household shares
``households_within_<radius>m_<type>`` (:func:`share_key`, :func:`describe`). Everything else
(the map, the compare page, the CLI) asks it, never re-derives a formula.

:func:`measure` runs the whole pipeline the app and ``atlas coverage`` share: declared
districts, the districts to measure, :func:`district_metrics` and :func:`project_proximity`.
:func:`district_metrics` measures, for each district polygon, tactile paving km, the tactile
paving rate (÷ sidewalk km), curb ramps (count and per sidewalk km), accessible bus stops
(count and share of all stops), accessible toilets and elevators, and, given projects, the
share of renovated households within each radius of each feature type. Every measure ``m``
has a column ``m`` and a column ``m_status`` from :data:`STATUSES`; the value is missing
(never 0) whenever it cannot be computed. Lengths and distances are computed in the CGCS2000
Gauss-Krüger zone of the data (:func:`geo.crs.metric_crs`), never in degrees.

All joins are vectorised, and built so the expensive side is asked least: each layer's
geometries go into a tree that the prepared outlines query (a point or a short line asking a
tree of county outlines pays a scan of each candidate outline, 0.6 s per 100k against 0.03
s); a line wholly inside an outline keeps its length and only lines across a boundary are cut;
distances come from a k-d tree over the features' metric coordinates; a transformer is built
once per CRS. Measured on the benchmark's synthetic survey of the five seed cities (2 cores):
``district_metrics`` over 30k tactile paving lines went from 1.40 s to 0.11 s
(``geopandas.overlay``: 1.5-1.8 s), with every type and 100k communities from 4.5 s to
0.57 s; ``project_proximity`` for 100k communities from 0.33 s to 0.07 s for one type
(``sjoin_nearest``: 0.31-0.33 s) and from 0.69 s to 0.16 s for three. ``bench/RESULTS.md``
has the runs; ``tests/test_fastpaths.py`` checks the answers against the plain way.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from numpy.typing import ArrayLike

from geo import boundaries, crs
from geo.infra import Infra, declare_coverage

__all__ = [
    "DISTANCE_TYPES",
    "MEASURES",
    "MIN_EXTENT_SHARE",
    "RADII_M",
    "STATUSES",
    "WALK_PROFILES",
    "Coverage",
    "Measure",
    "city_value",
    "compare_reported",
    "coverage_districts",
    "describe",
    "district_metrics",
    "measure",
    "measure_keys",
    "project_proximity",
    "share_key",
]

#: The radii every measure defaults to, straight-line (here) or on foot (:mod:`geo.reach`):
#: the walking distances of the 5- and 10-minute life circles of GB 50180-2018
#: (``data/lifecircle.toml``), where a bus stop is judged at 500 m. The 15-minute circle's
#: 1,000 m is for district-level facilities (:mod:`geo.facilities`); a caller may add it.
RADII_M = (300, 500)
#: Feature types each renovated community is measured against.
DISTANCE_TYPES = ("accessible_bus_stop", "curb_ramp", "accessible_toilet")
#: A district less covered than this by the data's extent is ``partial_extent``.
MIN_EXTENT_SHARE = 0.95
#: Below this share a district counts as outside: neighbouring outlines overlap in slivers.
_SLIVER_SHARE = 0.005

#: WGS84 (lon, lat) arrays → metric (x, y) arrays: a transformer's bound ``transform``.
_ToMetric = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
#: One geometry or an array of them: :func:`shapely.transform` gives back what it is given.
_G = TypeVar("_G", shapely.Geometry, np.ndarray)

#: Status → meaning. Only ``ok`` values are ranked or coloured; the rest are drawn hatched.
STATUSES: dict[str, str] = {
    "ok": "computed over a district fully inside the data's extent",
    "partial_extent": "the data covers only part of the district; the value is a lower bound",
    "outside_extent": "the data does not cover the district at all: no data, not zero",
    "not_in_source": "the source has no feature of this type anywhere: absence of mapping is "
    "not absence of infrastructure, so no value is given",
    "no_denominator": "the denominator (sidewalk km, bus stops) is zero or missing",
    "no_projects": "no renovated community with a point lies in the district",
    "no_households": "the district's communities have no household figures",
}


@dataclasses.dataclass(frozen=True)
class Measure:
    """
    One accessibility measure: its key, unit and how it is computed.

    ``kind`` is ``length`` (km of ``feature`` lines), ``count`` (``feature`` points),
    ``rate`` (``parts[0] / parts[1] * scale``, recomputed from sums for a city) or ``share``
    (percent of renovated households within ``radius`` metres of ``feature``). ``unit`` is
    what :func:`layers.wording.format_value` takes.
    """

    key: str
    kind: str
    unit: str
    feature: str | None = None
    parts: tuple[str, str] | None = None
    scale: float = 1.0
    radius: int | None = None
    #: For a share measured along the walking network (:mod:`geo.reach`): its profile.
    profile: str | None = None


#: The measures of :func:`district_metrics` in display order (household shares aside).
MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure("tactile_km", "length", "km", feature="tactile_paving"),
        Measure("sidewalk_km", "length", "km", feature="sidewalk"),
        Measure("tactile_rate", "rate", "percent", parts=("tactile_km", "sidewalk_km"), scale=100),
        Measure("curb_ramps", "count", "count", feature="curb_ramp"),
        Measure("curb_ramps_per_km", "rate", "count_per_km", parts=("curb_ramps", "sidewalk_km")),
        Measure("bus_stops", "count", "count", feature="bus_stop"),
        Measure("accessible_bus_stops", "count", "count", feature="accessible_bus_stop"),
        Measure(
            "accessible_stop_share",
            "rate",
            "percent",
            parts=("accessible_bus_stops", "bus_stops"),
            scale=100,
        ),
        Measure("accessible_toilets", "count", "count", feature="accessible_toilet"),
        Measure("elevators", "count", "count", feature="elevator"),
    )
}
#: Walking profiles of :mod:`geo.reach`; a share key may end in one (network metres).
WALK_PROFILES = ("walk", "wheelchair", "blind")
_SHARE = re.compile(
    rf"households_within_(\d+)m_({'|'.join(DISTANCE_TYPES)})(?:_({'|'.join(WALK_PROFILES)}))?"
)


def share_key(radius: int, kind: str, profile: str | None = None) -> str:
    """
    The key of the household share within ``radius`` m of ``kind``.

    Straight-line metres, or with ``profile`` metres on foot along the network
    (:func:`geo.reach.district_reach` writes ``households_within_500m_curb_ramp_wheelchair``).
    """
    if kind not in DISTANCE_TYPES:
        raise ValueError(f"Expected a feature type among {DISTANCE_TYPES}, got {kind!r}.")
    if profile is not None and profile not in WALK_PROFILES:
        raise ValueError(f"Expected a walking profile among {WALK_PROFILES}, got {profile!r}.")
    return f"households_within_{int(radius)}m_{kind}" + (f"_{profile}" if profile else "")


def describe(key: str) -> Measure:
    """The :class:`Measure` of ``key``; ValueError naming what is expected if it is none."""
    if key in MEASURES:
        return MEASURES[key]
    share = _SHARE.fullmatch(key)
    if share:
        return Measure(
            key, "share", "percent", feature=share[2], radius=int(share[1]), profile=share[3]
        )
    raise ValueError(
        f"Expected a coverage measure ({', '.join(MEASURES)}, or "
        f"households_within_<metres>m_<{'|'.join(DISTANCE_TYPES)}>[_<profile>]), "
        f"got {key!r}. Pick one of the value columns geo.coverage writes."
    )


def measure_keys(radii: Sequence[int] = RADII_M) -> list[str]:
    """Every measure key :func:`district_metrics` writes for ``radii``, in display order."""
    return [*MEASURES, *(share_key(r, t) for r in radii for t in DISTANCE_TYPES)]


def _metric_crs(frame: gpd.GeoDataFrame) -> pyproj.CRS:
    """The Gauss-Krüger zone (or UTM zone abroad) at the centre of ``frame``'s bounds."""
    if not len(frame):
        return crs.metric_crs([114.0], [35.0])
    minx, miny, maxx, maxy = frame.total_bounds
    return crs.metric_crs([(minx + maxx) / 2], [(miny + maxy) / 2])


@functools.lru_cache(maxsize=8)
def _to_metric(metric: pyproj.CRS) -> _ToMetric:
    """
    WGS84 (lon, lat) → ``metric`` (x, y), built once per CRS.

    Building a transformer costs about 40 ms, as much as the rest of a 10k-community
    proximity; pyproj makes each thread its own copy of the one cached here.
    """
    return pyproj.Transformer.from_crs("EPSG:4326", metric, always_xy=True).transform


def _is_point(geometries: ArrayLike) -> np.ndarray:
    """Which geometries are a Point, from GEOS type codes (``geom_type`` makes strings)."""
    return shapely.get_type_id(np.asarray(geometries)) == shapely.GeometryType.POINT


def _first_hit(outlines: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The index of the first of ``outlines`` (prepared) containing each point, or -1."""
    found = np.full(len(points), -1, dtype=np.int64)
    if not len(points) or not len(outlines):
        return found
    # The tree holds the points and the outlines ask it: each outline's prepared index
    # tests its candidates in O(log n), where a point asking a tree of outlines pays a full
    # scan of each candidate's boundary (0.6 s against 0.05 s for 100k points, 55 outlines).
    polys, rows = shapely.STRtree(points).query(outlines, predicate="intersects")
    # Border points go to the lower polygon index, so the answer never depends on order.
    order = np.lexsort((polys, rows))
    rows, polys = rows[order], polys[order]
    first = np.r_[True, rows[1:] != rows[:-1]] if rows.size else np.zeros(0, bool)
    found[rows[first]] = polys[first]
    return found


def _clipped_km(lines_m: np.ndarray, outlines_m: np.ndarray) -> np.ndarray:
    """Length (km) of the lines inside each outline (prepared), both in the metric CRS."""
    km = np.zeros(len(outlines_m))
    if not len(lines_m) or not len(outlines_m):
        return km
    outline_idx, line_idx = shapely.STRtree(lines_m).query(outlines_m, predicate="intersects")
    # A line wholly inside keeps its length; only lines across a boundary are cut, since
    # cutting a short line by a county outline costs a pass over the outline's vertices.
    inside = shapely.contains_properly(outlines_m[outline_idx], lines_m[line_idx])
    length = shapely.length(lines_m[line_idx])
    cut = np.flatnonzero(~inside)
    pieces = shapely.intersection(lines_m[line_idx[cut]], outlines_m[outline_idx[cut]])
    length[cut] = shapely.length(pieces)
    np.add.at(km, outline_idx, length / 1000.0)
    return km


def _extent_share(outlines_m: np.ndarray, extent_m: shapely.Geometry | None) -> np.ndarray:
    if extent_m is None:
        return np.zeros(len(outlines_m))
    area = shapely.area(outlines_m)
    # Only outlines that cross the extent's edge are cut: one inside keeps its whole area,
    # one outside has none (the prepared extent decides both in O(log n) per vertex run).
    shapely.prepare(extent_m)
    inside = np.where(shapely.contains_properly(extent_m, outlines_m), area, 0.0)
    cut = np.flatnonzero((inside == 0) & shapely.intersects(extent_m, outlines_m))
    inside[cut] = shapely.area(shapely.intersection(outlines_m[cut], extent_m))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(area > 0, inside / area, 0.0)


def _extent_status(share: np.ndarray, minimum: float) -> np.ndarray:
    return np.select(
        [share >= minimum, share > _SLIVER_SHARE],
        ["ok", "partial_extent"],
        default="outside_extent",
    ).astype(object)


def _projected(geometries: _G, to_m: _ToMetric) -> _G:
    """``geometries`` (lon, lat) in the metric CRS of ``to_m``."""
    return shapely.transform(geometries, lambda xy: np.column_stack(to_m(xy[:, 0], xy[:, 1])))


def _set(out: pd.DataFrame, key: str, value: np.ndarray, status: np.ndarray) -> None:
    value = np.asarray(value, dtype="float64").copy()
    value[~np.isin(status, ("ok", "partial_extent"))] = np.nan
    out[key] = value
    out[f"{key}_status"] = status


def _ratio(
    numerator: np.ndarray, denominator: np.ndarray, base_status: np.ndarray, scale: float
) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(denominator > 0, numerator / denominator * scale, np.nan)
    status = np.where(
        np.isin(base_status, ("ok", "partial_extent")) & ~(denominator > 0),
        "no_denominator",
        base_status,
    ).astype(object)
    return value, status


def district_metrics(
    infra: Infra,
    districts: gpd.GeoDataFrame,
    *,
    projects: gpd.GeoDataFrame | None = None,
    radii: tuple[int, ...] = RADII_M,
    min_extent_share: float = MIN_EXTENT_SHARE,
) -> gpd.GeoDataFrame:
    """
    Coverage measures (:data:`MEASURES`) per district, each with a completeness status.

    ``districts`` has ``adcode`` and polygons in EPSG:4326 (the full outlines: they decide
    what is inside). ``projects`` (a ledger's clean rows, with ``households``) adds the
    household shares within each radius in ``radii`` of each of :data:`DISTANCE_TYPES`.
    A measure of a type the source lacks entirely is ``not_in_source``; of a district outside
    the extent, ``outside_extent``; a rate with a zero denominator, ``no_denominator``. Output
    CRS is EPSG:4326, one row per district in input order.
    """
    metric = _metric_crs(districts if len(districts) else infra.features)
    to_m = _to_metric(metric)
    outlines = districts.geometry.to_numpy()
    outlines_m = _projected(outlines, to_m)
    shapely.prepare(outlines_m)
    extent_m = None if infra.extent is None else _projected(infra.extent, to_m)
    if extent_m is not None and not shapely.is_valid(extent_m):
        # A survey's extent is pieces cut to district outlines; projecting the pieces' shared
        # edges can leave slivers that cross, which GEOS cannot intersect until repaired.
        extent_m = shapely.make_valid(extent_m)
    share = _extent_share(outlines_m, extent_m)
    out = pd.DataFrame({"adcode": districts["adcode"].to_numpy(), "extent_share": share})
    for column in ("district", "city", "province"):
        if column in districts:
            out[column] = districts[column].to_numpy()
    base = _extent_status(share, min_extent_share)
    present = set(infra.features["type"])
    is_point = _is_point(infra.features.geometry.to_numpy())
    shapely.prepare(outlines)  # an index cached inside each geometry; no value changes
    for m in MEASURES.values():
        if m.kind == "rate":
            continue
        of_type = infra.features["type"].to_numpy() == m.feature
        if m.kind == "length":
            lines = infra.features.geometry.to_numpy()[of_type & ~is_point]
            value = _clipped_km(_projected(lines, to_m), outlines_m)
        else:
            hit = _first_hit(outlines, infra.features.geometry.to_numpy()[of_type & is_point])
            value = np.bincount(hit[hit >= 0], minlength=len(out)).astype("float64")
        status = base if m.feature in present else np.full(len(out), "not_in_source", object)
        _set(out, m.key, value, status)
    for m in MEASURES.values():
        if m.kind == "rate":
            assert m.parts is not None  # every rate of MEASURES names its two parts
            numerator, denominator = m.parts
            value, status = _ratio(
                out[numerator].to_numpy(),
                out[denominator].to_numpy(),
                _both(out, numerator, denominator),
                m.scale,
            )
            _set(out, m.key, value, status)
    if projects is not None:
        _household_shares(out, projects, infra, radii, metric, outlines)
    return gpd.GeoDataFrame(out, geometry=outlines, crs="EPSG:4326")


def coverage_districts(
    infra: Infra, projects: gpd.GeoDataFrame | None = None, *, folder: Path | None = None
) -> gpd.GeoDataFrame:
    """
    Every district of each city the data's extent touches, or that holds a project.

    Whole cities, not only the touched districts: a city's computed figure (and the ranking
    beside its neighbours) needs all its districts, each with its own status. A district
    holding a feature counts as touched even where the extent has no area there. Full
    outlines (only those read), EPSG:4326, in adcode order; empty when the data lies outside
    China (e.g. a European OSM extract).
    """
    index = boundaries.read_index("district", folder=folder)
    city_of = index.set_index("adcode")["city_adcode"]
    codes: set[str] = set()
    if infra.extent is not None:
        # Bounding boxes first (no geometry read), then the exact test on those outlines.
        minx, miny, maxx, maxy = shapely.bounds(infra.extent)
        near = index[
            (index["minx"] <= maxx)
            & (index["maxx"] >= minx)
            & (index["miny"] <= maxy)
            & (index["maxy"] >= miny)
        ]
        nearby = boundaries.load_boundaries("district", folder=folder, adcodes=near["adcode"])
        hits = shapely.intersects(nearby.geometry.to_numpy(), infra.extent)
        codes |= set(nearby["adcode"][hits])
    features = infra.features.geometry.to_numpy()
    if len(features):
        # Districts holding features count too: stray points make no extent, yet their
        # districts are to be listed as "no data", not left out.
        anchor = shapely.point_on_surface(features)
        found = boundaries.assign_districts(
            shapely.get_x(anchor), shapely.get_y(anchor), folder=folder
        )
        codes |= {str(code) for code in found if code is not None}
    if projects is not None and "adcode" in projects:
        codes |= set(projects["adcode"].dropna().astype(str))
    touched = set(city_of.reindex(sorted(codes)).dropna())
    chosen = index.loc[index["city_adcode"].isin(touched), "adcode"]
    districts = boundaries.load_boundaries("district", folder=folder, adcodes=chosen)
    return districts.reset_index(drop=True)


def _both(out: pd.DataFrame, a: str, b: str) -> np.ndarray:
    """The weaker of two statuses: a ratio is only as complete as its parts."""
    first, second = out[f"{a}_status"].to_numpy(), out[f"{b}_status"].to_numpy()
    return np.where(first == "ok", second, first).astype(object)


def project_proximity(
    projects: gpd.GeoDataFrame,
    infra: Infra,
    *,
    types: tuple[str, ...] = DISTANCE_TYPES,
    metric: pyproj.CRS | None = None,
) -> pd.DataFrame:
    """
    Straight-line distance (m) from each project point to the nearest feature of each type.

    Returns ``dist_<type>_m`` columns on the projects' index. A distance is missing when the
    project has no point, lies outside the data's extent (the nearest feature might be just
    beyond it), or the source has no feature of that type. Output has no geometry.
    """
    points = projects.geometry.to_numpy()
    has_point = ~shapely.is_missing(points) & ~shapely.is_empty(points)
    inside = _inside_extent(points, has_point, infra.extent)
    if metric is None:
        metric = _metric_crs(infra.features if len(infra.features) else projects)
    to_m = _to_metric(metric)
    out = pd.DataFrame(index=projects.index)
    origins = np.column_stack(to_m(shapely.get_x(points[inside]), shapely.get_y(points[inside])))
    measurable = np.isfinite(origins).all(axis=1)
    features = infra.features
    geometries = features.geometry.to_numpy()
    for kind in types:
        rows = np.flatnonzero((features["type"] == kind).to_numpy(dtype=bool, na_value=False))
        chosen = geometries[rows[_is_point(geometries[rows])]]
        distance = np.full(len(projects), np.nan)
        if len(chosen) and measurable.any():
            near = np.full(len(origins), np.nan)
            near[measurable] = _nearest_m(chosen, origins[measurable], to_m)
            distance[inside] = near
        out[f"dist_{kind}_m"] = distance
    return out


def _inside_extent(
    points: np.ndarray, present: np.ndarray, extent: shapely.Geometry | None
) -> np.ndarray:
    """Which present geometries intersect ``extent``; points by coordinates (no geometry)."""
    inside = np.zeros(len(points), dtype=bool)
    if extent is None:
        return inside
    shapely.prepare(extent)  # an index cached inside the geometry; no value changes
    is_point = present & (shapely.get_type_id(points) == shapely.GeometryType.POINT)
    inside[is_point] = shapely.intersects_xy(
        extent, shapely.get_x(points[is_point]), shapely.get_y(points[is_point])
    )
    other = present & ~is_point
    inside[other] = shapely.intersects(points[other], extent)
    return inside


def _nearest_m(points: np.ndarray, origins: np.ndarray, to_m: _ToMetric) -> np.ndarray:
    """
    Distance from each origin (metric x, y) to the nearest of the feature points.

    A k-d tree over the points' metric coordinates answers 100k origins in about a tenth of
    what ``STRtree.query_nearest`` over point geometries took (0.19 s), and no origin needs
    a geometry. The distance is the same Euclidean sqrt(dx² + dy²) GEOS computes.
    """
    from scipy.spatial import cKDTree

    lon_lat = shapely.get_coordinates(points)
    tree = cKDTree(np.column_stack(to_m(lon_lat[:, 0], lon_lat[:, 1])))
    distance, _ = tree.query(origins, k=1)
    return distance


def _household_shares(
    out: pd.DataFrame,
    projects: gpd.GeoDataFrame,
    infra: Infra,
    radii: tuple[int, ...],
    metric: pyproj.CRS,
    outlines: np.ndarray,
) -> None:
    """
    Per district, the share of renovated households within each radius of each type.

    A community belongs to the district its point lies in (a zone's community to its
    county), as on the map; rows without a point are left out.
    """
    distances = project_proximity(projects, infra, metric=metric)
    district = _first_hit(outlines, projects.geometry.to_numpy())
    placed = district >= 0
    households = pd.to_numeric(projects["households"], errors="coerce").to_numpy("float64")
    known = placed & ~np.isnan(households)
    n = len(out)
    with_point = np.bincount(district[placed], minlength=n)
    with_households = np.bincount(district[known], minlength=n)
    total = np.bincount(district[known], weights=households[known], minlength=n)
    out["projects_with_point"] = with_point
    out["households_total"] = total
    present = set(infra.features["type"])
    for kind in DISTANCE_TYPES:
        measured = known & ~np.isnan(distances[f"dist_{kind}_m"].to_numpy())
        covered = np.bincount(district[measured], weights=households[measured], minlength=n)
        missed = np.bincount(district[known & ~measured], minlength=n)
        status = np.select(
            [
                with_point == 0,
                with_households == 0,
                np.full(n, kind not in present),
                covered == 0,
                missed > 0,
            ],
            ["no_projects", "no_households", "not_in_source", "outside_extent", "partial_extent"],
            default="ok",
        ).astype(object)
        for radius in radii:
            near = measured & (distances[f"dist_{kind}_m"].to_numpy() <= radius)
            within = np.bincount(district[near], weights=households[near], minlength=n)
            with np.errstate(invalid="ignore", divide="ignore"):
                value = np.where(covered > 0, within / covered * 100, np.nan)
            _set(out, share_key(radius, kind), value, status)


_REPORTED = {  # figure metric → (computed measure, comparable as a stock?)
    "tactile_paving_km": ("tactile_km", True),
    "sidewalk_km": ("sidewalk_km", True),
    "tactile_paving_rate": ("tactile_rate", True),
    "tactile_paving_new_km": ("tactile_km", False),
    "curb_ramps": ("curb_ramps", False),
    "accessible_bus_stops": ("accessible_bus_stops", False),
}


def compare_reported(metrics: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """
    Reported accessibility figures beside the values computed from the data, per city.

    Only the cities ``metrics`` holds are listed (a 新乡 survey lists no 焦作 figure). A
    city's computed value is :func:`city_value` over its districts in ``metrics``. Figures
    of what was built in a period (新建改造, since 2021) are listed as not comparable with a
    stock count.
    """
    chosen = figures[figures["metric"].isin(_REPORTED)].copy()
    cities = set(metrics["city"].dropna()) if "city" in metrics else set()
    chosen = chosen[chosen["city"].isin(cities)]
    rows = []
    for _, figure in chosen.iterrows():
        key, comparable = _REPORTED[figure["metric"]]
        city_rows = metrics[metrics["city"] == figure["city"]] if "city" in metrics else metrics[:0]
        value, status = city_value(city_rows, key)
        if not comparable:
            value, status = np.nan, "not_comparable"
        rows.append(
            {
                "city": figure["city"],
                "metric": figure["metric"],
                "reported": figure["value"],
                "qualifier": figure["qualifier"],
                "as_written": figure["as_written"],
                "period": figure["period_label"],
                "computed": value,
                "computed_status": status,
                "doc_id": figure["doc_id"],
                "seed_line": figure["seed_line"],
            }
        )
    columns = ["city", "metric", "reported", "qualifier", "as_written", "period", "computed"]
    return pd.DataFrame(rows, columns=[*columns, "computed_status", "doc_id", "seed_line"])


def city_value(rows: pd.DataFrame, key: str) -> tuple[float, str]:
    """
    A city's value of measure ``key`` from its districts' rows of :func:`district_metrics`.

    Counts and lengths are summed and rates recomputed from the summed parts, only when every
    district is ``ok`` for every part; otherwise the value is missing and the status is the
    first non-``ok`` one in :data:`STATUSES` order. No rows: ``outside_extent``; a household
    share: ``not_computed`` (it belongs to districts).
    """
    if rows.empty:
        return np.nan, "outside_extent"
    found = describe(key)
    if found.kind == "share":
        return np.nan, "not_computed"
    parts = found.parts or (key,)
    statuses = set().union(*(set(rows[f"{p}_status"]) for p in parts))
    if statuses != {"ok"}:
        return np.nan, next(s for s in STATUSES if s in statuses and s != "ok")
    if found.parts is None:
        return float(rows[key].sum()), "ok"
    numerator, denominator = found.parts
    total = rows[denominator].sum()
    if not total > 0:
        return np.nan, "no_denominator"
    return float(rows[numerator].sum() / total * found.scale), "ok"


@dataclasses.dataclass(frozen=True)
class Coverage:
    """
    What :func:`measure` computes: the measures per district and per project.

    ``table`` is :func:`district_metrics`, one row per district (full outlines, EPSG:4326);
    ``near`` the projects, each with its distance to the nearest feature of each type
    (:func:`project_proximity`; ``None`` without projects); ``radii`` and ``infra`` what was
    measured (``infra`` with any declared coverage). :class:`geo.reach.Reach` has the same
    shape for distances on foot.
    """

    table: gpd.GeoDataFrame
    near: gpd.GeoDataFrame | None
    radii: tuple[int, ...]
    infra: Infra

    def measured_keys(self) -> list[str]:
        """The measure keys the table holds (household shares only with projects)."""
        return measure_keys(self.radii if self.near is not None else ())


def measure(
    projects: gpd.GeoDataFrame | None,
    infra: Infra,
    *,
    radii: Sequence[int] = RADII_M,
    covers: Sequence[str] = (),
    city: str | None = None,
    folder: Path | None = None,
) -> Coverage:
    """
    Coverage of ``infra`` per district and per project: the pipeline the app and the CLI share.

    ``projects`` (a ledger's clean rows, or ``None``) comes first, as in
    :func:`geo.reach.measure`. ``covers`` names districts (adcodes or names, ``city``
    narrowing them) that a survey covers whole (:func:`geo.infra.declare_coverage`); the
    districts measured are every district of each city the data or the projects touch
    (:func:`coverage_districts`). Empty when the data lie outside China.
    """
    radii = tuple(sorted({int(r) for r in radii}))
    if covers:
        infra = declare_coverage(infra, list(covers), city=city, folder=folder)
    districts = coverage_districts(infra, projects, folder=folder)
    table = district_metrics(infra, districts, projects=projects, radii=radii)
    near = None if projects is None else projects.join(project_proximity(projects, infra))
    return Coverage(table, near, radii, infra)
