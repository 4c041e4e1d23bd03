"""
Coverage of accessibility infrastructure per district and per renovated community.

:func:`district_metrics` measures, for each district polygon, tactile paving km, the tactile
paving rate (÷ sidewalk km), curb ramps (count and per sidewalk km), accessible bus stops
(count and share of all stops), accessible toilets and elevators, and, given projects, the
share of renovated households within each radius of each feature type. Every metric ``m``
has a column ``m`` and a column ``m_status`` from :data:`STATUSES`; the value is missing
(never 0) whenever it cannot be computed. Lengths and distances are computed in the CGCS2000
Gauss-Krüger zone of the data (:func:`geo.crs.metric_crs`), never in degrees.

All joins are vectorised: one STRtree query per layer, shapely array functions for the
clipped lengths, ``STRtree.query_nearest`` for distances.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geo import boundaries, crs
from geo.infra import Infra

__all__ = [
    "DISTANCE_TYPES",
    "MIN_EXTENT_SHARE",
    "RADII_M",
    "STATUSES",
    "compare_reported",
    "coverage_districts",
    "district_metrics",
    "metric_columns",
    "project_proximity",
]

#: Default walking radii, straight-line metres.
RADII_M = (300, 500)
#: Feature types each renovated community is measured against.
DISTANCE_TYPES = ("accessible_bus_stop", "curb_ramp", "accessible_toilet")
#: A district less covered than this by the data's extent is ``partial_extent``.
MIN_EXTENT_SHARE = 0.95
#: Below this share a district counts as outside: neighbouring outlines overlap in slivers.
_SLIVER_SHARE = 0.005

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

_COUNTS = {
    "curb_ramps": "curb_ramp",
    "bus_stops": "bus_stop",
    "accessible_bus_stops": "accessible_bus_stop",
    "accessible_toilets": "accessible_toilet",
    "elevators": "elevator",
}


def metric_columns(radii: tuple[int, ...] = RADII_M) -> list[str]:
    """Every metric key :func:`district_metrics` writes, in display order."""
    keys = ["tactile_km", "sidewalk_km", "tactile_rate", "curb_ramps", "curb_ramps_per_km"]
    keys += ["bus_stops", "accessible_bus_stops", "accessible_stop_share"]
    keys += ["accessible_toilets", "elevators"]
    keys += [f"households_within_{r}m_{t}" for r in radii for t in DISTANCE_TYPES]
    return keys


def _metric_crs(frame: gpd.GeoDataFrame) -> pyproj.CRS:
    """The Gauss-Krüger zone (or UTM zone abroad) at the centre of ``frame``'s bounds."""
    if not len(frame):
        return crs.metric_crs([114.0], [35.0])
    minx, miny, maxx, maxy = frame.total_bounds
    return crs.metric_crs([(minx + maxx) / 2], [(miny + maxy) / 2])


def _first_hit(tree: shapely.STRtree, points: np.ndarray, n: int) -> np.ndarray:
    """The index of the first polygon of the tree containing each point, or -1."""
    found = np.full(n, -1, dtype=np.int64)
    if not len(points):
        return found
    rows, polys = tree.query(points, predicate="intersects")
    # Border points go to the lower polygon index, so the answer never depends on order.
    order = np.lexsort((polys, rows))
    rows, polys = rows[order], polys[order]
    first = np.r_[True, rows[1:] != rows[:-1]] if rows.size else np.zeros(0, bool)
    found[rows[first]] = polys[first]
    return found


def _clipped_km(lines_m: np.ndarray, outlines_m: np.ndarray, tree: shapely.STRtree) -> np.ndarray:
    """Length (km) of the lines inside each outline, both in the metric CRS."""
    km = np.zeros(len(outlines_m))
    if not len(lines_m):
        return km
    line_idx, outline_idx = tree.query(lines_m, predicate="intersects")
    pieces = shapely.intersection(lines_m[line_idx], outlines_m[outline_idx])
    np.add.at(km, outline_idx, shapely.length(pieces) / 1000.0)
    return km


def _extent_share(outlines_m: np.ndarray, extent_m) -> np.ndarray:
    if extent_m is None:
        return np.zeros(len(outlines_m))
    area = shapely.area(outlines_m)
    inside = shapely.area(shapely.intersection(outlines_m, extent_m))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(area > 0, inside / area, 0.0)


def _extent_status(share: np.ndarray, minimum: float) -> np.ndarray:
    return np.select(
        [share >= minimum, share > _SLIVER_SHARE],
        ["ok", "partial_extent"],
        default="outside_extent",
    ).astype(object)


def _set(out: pd.DataFrame, key: str, value: np.ndarray, status: np.ndarray) -> None:
    value = np.asarray(value, dtype="float64").copy()
    value[~np.isin(status, ("ok", "partial_extent"))] = np.nan
    out[key] = value
    out[f"{key}_status"] = status


def _ratio(numerator, denominator, base_status, scale: float) -> tuple[np.ndarray, np.ndarray]:
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
    Coverage metrics per district, each with a completeness status.

    ``districts`` has ``adcode`` and polygons in EPSG:4326 (the full outlines: they decide
    what is inside). ``projects`` (a ledger's clean rows, with ``households``) adds the
    household shares within each radius in ``radii`` of each of :data:`DISTANCE_TYPES`.
    A metric of a type the source lacks entirely is ``not_in_source``; of a district outside
    the extent, ``outside_extent``; a rate with a zero denominator, ``no_denominator``. Output
    CRS is EPSG:4326, one row per district in input order.
    """
    metric = _metric_crs(districts if len(districts) else infra.features)
    to_m = pyproj.Transformer.from_crs("EPSG:4326", metric, always_xy=True).transform
    outlines = districts.geometry.to_numpy()
    outlines_m = shapely.transform(outlines, lambda xy: np.column_stack(to_m(xy[:, 0], xy[:, 1])))
    tree_m = shapely.STRtree(outlines_m)
    extent_m = None
    if infra.extent is not None:
        extent_m = shapely.transform(
            infra.extent, lambda xy: np.column_stack(to_m(xy[:, 0], xy[:, 1]))
        )
    share = _extent_share(outlines_m, extent_m)
    base = _extent_status(share, min_extent_share)
    present = set(infra.features["type"])
    out = pd.DataFrame({"adcode": districts["adcode"].to_numpy(), "extent_share": share})
    for column in ("district", "city", "province"):
        if column in districts:
            out[column] = districts[column].to_numpy()

    def status_for(kind: str) -> np.ndarray:
        return base if kind in present else np.full(len(out), "not_in_source", dtype=object)

    features = infra.features
    lengths = {}
    for kind in ("tactile_paving", "sidewalk"):
        lines = features.geometry[(features["type"] == kind) & (features.geom_type != "Point")]
        lines_m = shapely.transform(
            lines.to_numpy(), lambda xy: np.column_stack(to_m(xy[:, 0], xy[:, 1]))
        )
        lengths[kind] = _clipped_km(lines_m, outlines_m, tree_m)
    _set(out, "tactile_km", lengths["tactile_paving"], status_for("tactile_paving"))
    _set(out, "sidewalk_km", lengths["sidewalk"], status_for("sidewalk"))

    tree = shapely.STRtree(outlines)
    counts = {}
    for key, kind in _COUNTS.items():
        points = features.geometry[(features["type"] == kind) & (features.geom_type == "Point")]
        hit = _first_hit(tree, points.to_numpy(), len(points))
        counts[key] = np.bincount(hit[hit >= 0], minlength=len(out)).astype("float64")
        _set(out, key, counts[key], status_for(kind))

    rate, rate_status = _ratio(
        lengths["tactile_paving"], lengths["sidewalk"], _both(out, "tactile_km", "sidewalk_km"), 100
    )
    _set(out, "tactile_rate", rate, rate_status)
    per_km, per_km_status = _ratio(
        counts["curb_ramps"], lengths["sidewalk"], _both(out, "curb_ramps", "sidewalk_km"), 1
    )
    _set(out, "curb_ramps_per_km", per_km, per_km_status)
    stops, stops_status = _ratio(
        counts["accessible_bus_stops"],
        counts["bus_stops"],
        _both(out, "accessible_bus_stops", "bus_stops"),
        100,
    )
    _set(out, "accessible_stop_share", stops, stops_status)
    if projects is not None:
        _household_shares(out, projects, infra, radii, metric, tree)
    return gpd.GeoDataFrame(out, geometry=outlines, crs="EPSG:4326")


def coverage_districts(
    infra: Infra, projects: gpd.GeoDataFrame | None = None, *, folder=None
) -> gpd.GeoDataFrame:
    """
    Every district of each city the data's extent touches, or that holds a project.

    Whole cities, not only the touched districts: a city's computed figure (and the ranking
    beside its neighbours) needs all its districts, each with its own status. Full outlines,
    EPSG:4326; empty when the data lies outside China (e.g. a European OSM extract).
    """
    districts = boundaries.load_boundaries("district", folder=folder)
    touched = set()
    if infra.extent is not None:
        hits = shapely.STRtree(districts.geometry.to_numpy()).query(
            infra.extent, predicate="intersects"
        )
        touched |= set(districts["city_adcode"].iloc[hits])
    if projects is not None and "adcode" in projects:
        codes = set(projects["adcode"].dropna().astype(str))
        touched |= set(districts.loc[districts["adcode"].isin(codes), "city_adcode"])
    return districts[districts["city_adcode"].isin(touched)].reset_index(drop=True)


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
    inside = has_point.copy()
    if infra.extent is None:
        inside[:] = False
    else:
        inside[has_point] = shapely.intersects(points[has_point], infra.extent)
    if metric is None:
        metric = _metric_crs(infra.features if len(infra.features) else projects)
    to_m = pyproj.Transformer.from_crs("EPSG:4326", metric, always_xy=True).transform
    out = pd.DataFrame(index=projects.index)
    xs, ys = to_m(shapely.get_x(points[inside]), shapely.get_y(points[inside]))
    origins = shapely.points(xs, ys)
    for kind in types:
        chosen = infra.features[
            (infra.features["type"] == kind) & (infra.features.geom_type == "Point")
        ]
        distance = np.full(len(projects), np.nan)
        if len(chosen) and len(origins):
            fx, fy = to_m(chosen.geometry.x.to_numpy(), chosen.geometry.y.to_numpy())
            tree = shapely.STRtree(shapely.points(fx, fy))
            (rows, _), found = tree.query_nearest(origins, return_distance=True, all_matches=False)
            near = np.full(len(origins), np.nan)
            near[rows] = found
            distance[inside] = near
        out[f"dist_{kind}_m"] = distance
    return out


def _household_shares(
    out: pd.DataFrame,
    projects: gpd.GeoDataFrame,
    infra: Infra,
    radii: tuple[int, ...],
    metric: pyproj.CRS,
    tree: shapely.STRtree,
) -> None:
    """
    Per district, the share of renovated households within each radius of each type.

    A community belongs to the district its point lies in (a zone's community to its
    county), as on the map; rows without a point are left out.
    """
    distances = project_proximity(projects, infra, metric=metric)
    district = _first_hit(tree, projects.geometry.to_numpy(), len(projects))
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
            _set(out, f"households_within_{radius}m_{kind}", value, status)


_REPORTED = {  # figure metric → (computed metric, comparable as a stock?)
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

    A city's computed value sums its districts (the rate is recomputed from the sums) and is
    given only when every district of the city in ``metrics`` is ``ok``; otherwise the
    ``computed_status`` says why it is missing. Figures of what was built in a period
    (新建改造, since 2021) are listed as not comparable with a stock count.
    """
    chosen = figures[figures["metric"].isin(_REPORTED)].copy()
    rows = []
    for _, figure in chosen.iterrows():
        key, comparable = _REPORTED[figure["metric"]]
        city_rows = metrics[metrics["city"] == figure["city"]] if "city" in metrics else metrics[:0]
        value, status = _city_value(city_rows, key)
        if not comparable:
            value, status = np.nan, "not_comparable"
        rows.append(
            {
                "city": figure["city"],
                "metric": figure["metric"],
                "reported": figure["value"],
                "as_written": figure["as_written"],
                "period": figure["period_label"],
                "computed": value,
                "computed_status": status,
                "doc_id": figure["doc_id"],
                "seed_line": figure["seed_line"],
            }
        )
    return pd.DataFrame(rows)


def _city_value(rows: pd.DataFrame, key: str) -> tuple[float, str]:
    if rows.empty:
        return np.nan, "outside_extent"
    parts = ("tactile_km", "sidewalk_km") if key == "tactile_rate" else (key,)
    statuses = set().union(*(set(rows[f"{p}_status"]) for p in parts))
    if statuses != {"ok"}:
        worst = next(s for s in STATUSES if s in statuses and s != "ok")
        return np.nan, worst
    if key == "tactile_rate":
        sidewalk = rows["sidewalk_km"].sum()
        if sidewalk <= 0:
            return np.nan, "no_denominator"
        return float(rows["tactile_km"].sum() / sidewalk * 100), "ok"
    return float(rows[key].sum()), "ok"
