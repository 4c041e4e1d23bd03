"""
Life-circle and complete-community indicators of renovated communities, on the walking network.

Per community and profile (``walk`` or ``wheelchair``), for each category of the registry
(:func:`geo.facilities.load_registry`): the metres on foot to the nearest facility along the
pedestrian network (:func:`geo.reach.nearest_destinations`, communities and facilities
joining the nearest street), the straight line beside it, and whether it lies within the
radius the category's standard sets (``pass``). A park counts by its size: within 500 m if
of 5,000 m² or more, within 300 m if of 2,000–5,000 m² (each tier is its own nearest-facility
run). A facility drawn as an area (a park, a school's grounds) is reached at its outline,
sampled every :data:`AREA_STEP_M`. The complete-community checklist says which of the five
required facilities are within reach, which are not, and which could not be measured.

Per district and city: the share of renovated households within each category's radius and
within each life circle (300, 500, 1,000 m), and the share of complete communities, with the
statuses of :data:`geo.coverage.STATUSES`: where the network or the facility layer of a
category does not cover a district it is ``outside_extent`` or ``partial_extent`` (数据不足
on screen), where no source maps the category at all ``not_in_source``; never 0 for missing
data. Every table carries the clause each column answers to (``clause_<category>``, and the
``sources`` table per exported column).

:func:`measure` is the one pipeline ``atlas indicators`` and the 生活圈 page share.
"""

from __future__ import annotations

import dataclasses
import functools

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy.spatial import cKDTree

from geo import coverage, reach
from geo.facilities import Facilities, Registry, Tier, load_registry
from geo.infra import Infra
from geo.network import Network, transformer
from geo.reach import Nearest, _district_of, _district_status, _extent_shares
from geo.snapping import Snapped, edge_tree

__all__ = [
    "AREA_STEP_M",
    "PROFILES",
    "Indicators",
    "community_indicators",
    "district_indicators",
    "facility_points",
    "measure",
    "share_columns",
    "sources_table",
    "walkshed_facilities",
]

#: The profiles a standard's radius is judged for (a blind walker's has no standard here).
PROFILES = ("walk", "wheelchair")
#: A facility drawn as an area is reached at points this far apart along its outline.
AREA_STEP_M = 25.0
#: Statuses of a share where a value is shown (a partial one as a lower bound's share).
_SHOWN = ("ok", "partial_extent")


@dataclasses.dataclass
class Indicators:
    """
    What :func:`measure` computes for one profile: per community, district and city.

    ``sources`` cites, for every indicator column written, the standard, clause, edition
    and radius it answers to, and whether the radius is a setting.
    """

    communities: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    cities: pd.DataFrame
    sources: pd.DataFrame
    profile: str
    registry: Registry


def facility_points(
    facilities: Facilities, network: Network, category: str, *, min_area_m2: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """
    Where each facility of ``category`` may be reached: WGS84 lon/lat (k, 2), facility row.

    A point is itself; an area is reached on its outline, sampled every :data:`AREA_STEP_M`
    metres in the network's metric CRS and wherever a street crosses it; a line anywhere
    along it, sampled the same way. With ``min_area_m2``, only
    facilities of known area at least that large count.
    """
    features = facilities.features
    chosen = (features["category"] == category).to_numpy(dtype=bool, na_value=False).copy()
    if min_area_m2 > 0:
        area = features["area_m2"].to_numpy("float64")
        chosen &= np.nan_to_num(area, nan=-1.0) >= min_area_m2
    rows = np.flatnonzero(chosen)
    if not rows.size:
        return np.zeros((0, 2)), rows
    geometry = features.geometry.to_numpy()[rows]
    to_m = transformer(network.epsg)
    # Axis order: lon/lat in, x/y metres out; the outline is walked in metres.
    metric = shapely.transform(geometry, lambda xy: np.column_stack(to_m.transform(*xy.T)))
    # An area is reached at its outline; a point or a line is walked as it is.
    polygonal = np.isin(shapely.get_type_id(metric), (3, 6))  # Polygon, MultiPolygon
    outline = np.where(polygonal, shapely.boundary(np.where(polygonal, metric, None)), metric)
    dense = shapely.segmentize(outline, AREA_STEP_M)
    xy, owner = shapely.get_coordinates(dense, return_index=True)
    if polygonal.any():
        # Where a street crosses an area's outline is an entrance, wherever the samples fall.
        _, streets = edge_tree(network, "walk")
        at, hit = streets.query(np.where(polygonal, outline, None), predicate="intersects")
        crossings = shapely.intersection(outline[at], streets.geometries[hit])
        more, which = shapely.get_coordinates(crossings, return_index=True)
        xy, owner = np.vstack([xy, more]), np.concatenate([owner, at[which]])
    lon, lat = _inverse(network).transform(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat]), rows[owner]


def _inverse(network: Network) -> pyproj.Transformer:
    return _back(network.epsg)


@functools.lru_cache(maxsize=8)
def _back(epsg: int) -> pyproj.Transformer:
    """The metric CRS ``epsg`` → WGS84, built once per CRS (a build costs 40-250 ms)."""
    return pyproj.Transformer.from_crs(epsg, "EPSG:4326", always_xy=True)


def _straight_m(
    points_m: np.ndarray, facilities: Facilities, rows: np.ndarray, epsg: int
) -> np.ndarray:
    """
    Straight metres from each metric point to the nearest of the facilities ``rows``.

    Points by a k-d tree of their coordinates; areas and lines by an R-tree of their shapes
    (0 inside an area); the nearer of the two.
    """
    out = np.full(len(points_m), np.nan)
    finite = np.isfinite(points_m).all(axis=1)
    if not rows.size or not finite.any():
        return out
    to_m = transformer(epsg)
    geometry = facilities.features.geometry.to_numpy()[rows]
    # Axis order: lon/lat in, x/y metres out.
    metric = shapely.transform(geometry, lambda xy: np.column_stack(to_m.transform(*xy.T)))
    is_point = shapely.get_type_id(metric) == shapely.GeometryType.POINT
    best = np.full(int(finite.sum()), np.inf)
    if is_point.any():
        best = cKDTree(shapely.get_coordinates(metric[is_point])).query(points_m[finite])[0]
    if (~is_point).any():
        (found, _), distance = shapely.STRtree(metric[~is_point]).query_nearest(
            shapely.points(points_m[finite]), return_distance=True, all_matches=False
        )
        best[found] = np.minimum(best[found], distance)
    out[finite] = best
    return out


@dataclasses.dataclass
class _Origins:
    """The communities once: lon/lat, which have a point, metric x/y, where they join."""

    lonlat: np.ndarray
    has_point: np.ndarray
    xy_m: np.ndarray
    snapped: Snapped
    in_network: np.ndarray


def _origins(projects: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat of each project's point (NaN without one) and which have one."""
    points = projects.geometry.to_numpy()
    has_point = (
        ~shapely.is_missing(points)
        & ~shapely.is_empty(points)
        & (shapely.get_type_id(points) == shapely.GeometryType.POINT)
    )
    safe = np.where(has_point, points, None)
    lonlat = np.column_stack([shapely.get_x(safe), shapely.get_y(safe)]).astype("float64")
    lonlat[~has_point] = np.nan
    return lonlat, has_point


def _inside(
    lonlat: np.ndarray, has_point: np.ndarray, extent: shapely.Geometry | None
) -> np.ndarray:
    inside = np.zeros(len(lonlat), dtype=bool)
    if extent is None or not has_point.any():
        return inside
    shapely.prepare(extent)
    inside[has_point] = shapely.intersects_xy(extent, *lonlat[has_point].T)
    return inside


def _only(snapped: Snapped, keep: np.ndarray) -> Snapped:
    """The snaps with every row outside ``keep`` taken off the network."""
    out = dataclasses.replace(snapped, u=snapped.u.copy(), v=snapped.v.copy())
    out.u[~keep] = out.v[~keep] = -1
    return out


def _nearest_by_tier(
    key: str,
    registry: Registry,
    facilities: Facilities,
    network: Network,
    start: Snapped,
    profile: str,
) -> list[tuple[Tier, Nearest, np.ndarray]]:
    """Per size tier (largest first): the tier, the nearest run, the facility rows it used."""
    runs = []
    for tier in registry.categories[key].rules:
        xy, rows = facility_points(facilities, network, key, min_area_m2=tier.min_area_m2)
        found = reach.nearest_destinations(network, start, xy, profile=profile, sums=False)
        runs.append((tier, found, rows))
    return runs


def _category_columns(
    out: pd.DataFrame,
    key: str,
    context: tuple[Registry, Facilities, Network, str],
    origins: _Origins,
    base: np.ndarray,
) -> None:
    """One category's columns: network and straight metres, pass, status, nearest facility."""
    registry, facilities, network, profile = context
    inside = base == "ok"
    start = _only(origins.snapped, inside)
    runs = _nearest_by_tier(key, registry, facilities, network, start, profile)
    _, nearest, rows = runs[-1]  # the smallest tier counts every facility of the category
    distance = nearest.distance_m
    status = np.select(
        [base != "ok", ~start.on, ~np.isfinite(distance)],
        [base, "off_network", "unreachable"],
        default="ok",
    ).astype(object)
    ok, measured = status == "ok", np.isin(status, ("ok", "unreachable"))
    passed = np.zeros(len(out), dtype=bool)
    for tier, found, _ in runs:
        passed |= np.nan_to_num(found.distance_m, nan=np.inf) <= tier.radius_m
    straight = _straight_m(origins.xy_m, facilities, np.unique(rows), network.epsg)
    out[f"dist_{key}_m"] = np.where(ok, distance, np.nan)
    out[f"straight_{key}_m"] = np.where(inside, straight, np.nan)
    passes = pd.array(passed, dtype="boolean")
    passes[~measured] = pd.NA  # not measured: no verdict, never a fail
    out[f"pass_{key}"] = passes
    names = facilities.features["name"].where(
        facilities.features["name"].notna(), facilities.features["source_id"]
    )
    to = np.full(len(out), None, dtype=object)
    if rows.size:
        to[ok] = names.to_numpy(dtype=object)[rows[nearest.destination[ok]]]
    out[f"to_{key}"] = to
    out[f"status_{key}"] = status


def community_indicators(
    projects: gpd.GeoDataFrame,
    facilities: Facilities,
    network: Network,
    *,
    registry: Registry | None = None,
    profile: str = "walk",
    max_snap_m: float = reach.MAX_SNAP_M,
) -> gpd.GeoDataFrame:
    """
    Per community: network metres to the nearest facility of each category, and the checklist.

    Adds to ``projects`` (every row kept, same order, EPSG:4326), per category ``c``:
    ``dist_<c>_m`` (along the network; missing unless ``status_<c>`` is ``ok``, never 0 for
    a missing value), ``straight_<c>_m``, ``pass_<c>`` (within the standard's radius; missing
    where not measured), ``to_<c>`` (the nearest facility's name, else its id) and
    ``status_<c>`` (:data:`geo.reach.COMMUNITY_STATUSES`: ``not_in_source`` when no source
    maps the category, ``outside_extent`` outside the network's or the category's facility
    extent). Then ``complete`` (every required category passes; False once one measured
    fails; missing otherwise), ``missing`` and ``unmeasured`` (the required categories that
    fail, and that could not be measured, ``;``-separated), ``profile`` and ``snap_m``.
    """
    if profile not in PROFILES:
        raise ValueError(f"Expected a profile among {', '.join(PROFILES)}; got {profile!r}.")
    registry = registry or load_registry()
    lonlat, has_point = _origins(projects)
    x, y = transformer(network.epsg).transform(lonlat[:, 0], lonlat[:, 1])
    origins = _Origins(
        lonlat,
        has_point,
        np.column_stack([x, y]),
        reach.snap_points(network, lonlat, profile=profile, max_snap_m=max_snap_m),
        _inside(lonlat, has_point, network.extent()),
    )
    out = projects.copy()
    context = (registry, facilities, network, profile)
    for key in registry.categories:
        extent = facilities.extent(key)
        inside = origins.in_network & _inside(lonlat, has_point, extent)
        base = np.where(inside, "ok", "outside_extent").astype(object)
        base[extent is None] = "not_in_source"
        base[~has_point] = "no_point"
        _category_columns(out, key, context, origins, base)
    _checklist(out, registry)
    out["profile"] = profile
    out["snap_m"] = np.where(origins.in_network, origins.snapped.leg_m, np.nan)
    return out


def _checklist(out: pd.DataFrame, registry: Registry) -> None:
    """``complete``, ``missing`` and ``unmeasured`` from the required categories' passes."""
    required = registry.complete_community
    passes = pd.DataFrame({k: out[f"pass_{k}"] for k in required}, index=out.index)
    failed = passes.eq(False).fillna(False)
    unknown = passes.isna()
    complete = pd.array(np.where(failed.any(axis=1), False, True), dtype="boolean")
    complete[(unknown.any(axis=1) & ~failed.any(axis=1)).to_numpy()] = pd.NA
    out["complete"] = complete
    out["missing"] = _joined(failed)
    out["unmeasured"] = _joined(unknown)


def _joined(mask: pd.DataFrame) -> np.ndarray:
    """Per row, the names of the columns that hold True, ``;``-separated (no Python loop)."""
    text = np.full(len(mask), "", dtype=object)
    for column in mask.columns:
        text = text + np.where(mask[column].to_numpy(dtype=bool), f"{column};", "")
    return np.array([t[:-1] for t in text], dtype=object) if len(text) else text


# --- districts and cities -----------------------------------------------------------------------


def share_columns(registry: Registry) -> list[tuple[str, str, float | None]]:
    """
    Every share column the district and city tables hold, in display order.

    (column, category or ``complete``, life-circle radius or None for the standard's own).
    """
    circles = [c.radius_m for c in registry.life_circles]
    columns: list[tuple[str, str, float | None]] = []
    for key in registry.categories:
        columns.append((f"share_{key}", key, None))
        columns += [(f"share_{key}_{int(r)}m", key, r) for r in circles]
    return [*columns, ("share_complete", "complete", None)]


def _within(communities: pd.DataFrame, key: str, radius: float | None) -> tuple:
    """Which communities are measured for ``key``, and which count as within reach."""
    if key == "complete":
        complete = communities["complete"]
        return complete.notna().to_numpy(), complete.eq(True).fillna(False).to_numpy(bool)
    status = communities[f"status_{key}"].to_numpy(dtype=object)
    measured = np.isin(status, ("ok", "unreachable"))
    if radius is None:
        return measured, communities[f"pass_{key}"].eq(True).fillna(False).to_numpy(bool)
    distance = communities[f"dist_{key}_m"].to_numpy("float64")
    return measured, measured & (np.nan_to_num(distance, nan=np.inf) <= radius)


@dataclasses.dataclass
class _Tally:
    """Households per district: measured and within reach, per share column."""

    measured: dict[str, np.ndarray]
    within: dict[str, np.ndarray]
    status: dict[str, np.ndarray]


def district_indicators(
    communities: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    network: Network,
    facilities: Facilities,
    registry: Registry | None = None,
    min_extent_share: float = coverage.MIN_EXTENT_SHARE,
) -> gpd.GeoDataFrame:
    """
    Per district: the share of renovated households within reach, per category and circle.

    ``communities`` is :func:`community_indicators`' output (with ``households``);
    ``districts`` has ``adcode`` and full outlines (EPSG:4326). Columns, each with a
    ``_status`` from :data:`geo.coverage.STATUSES`: ``share_<c>`` (percent of measured
    households within the standard's radius of ``c``), ``share_<c>_<r>m`` (within each life
    circle's radius), ``share_complete`` (in a complete community); the value is missing
    unless the status is ``ok`` or ``partial_extent`` (the share over the part measured).
    ``clause_<c>`` cites the standard. One row per district in input order, EPSG:4326.
    """
    table, _ = _district_tally(
        communities, districts, network, facilities, registry or load_registry(), min_extent_share
    )
    return table


def _district_tally(
    communities: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    network: Network,
    facilities: Facilities,
    registry: Registry,
    min_share: float,
) -> tuple[gpd.GeoDataFrame, _Tally]:
    outlines = districts.geometry.to_numpy()
    n = len(districts)
    district = _district_of(outlines, communities.geometry.to_numpy())
    households = pd.to_numeric(communities["households"], errors="coerce").to_numpy("float64")
    known = (district >= 0) & ~np.isnan(households)
    with_point = np.bincount(district[district >= 0], minlength=n)
    with_households = np.bincount(district[known], minlength=n)
    out = pd.DataFrame({"adcode": districts["adcode"].to_numpy()})
    for column in ("district", "city", "province"):
        if column in districts:
            out[column] = districts[column].to_numpy()
    network_extent = network.extent()
    out["extent_share"] = _extent_shares(outlines, network_extent, network.epsg)
    out["projects_with_point"] = with_point
    out["households_total"] = np.bincount(district[known], weights=households[known], minlength=n)
    verdicts = {}
    for key in registry.categories:
        extent = facilities.extent(key)
        both = (
            None
            if extent is None or network_extent is None
            else extent.intersection(network_extent)
        )
        share = _extent_shares(outlines, both, network.epsg)
        measured, _ = _within(communities, key, None)
        covered = np.bincount(district[known & measured], households[known & measured], n)
        missed = np.bincount(district[known & ~measured], minlength=n)
        verdicts[key] = _district_status(
            with_point, with_households, extent is None, covered, missed, share, min_share
        )
    verdicts["complete"] = _weakest([verdicts[k] for k in registry.complete_community])
    tally = _Tally({}, {}, {})
    for column, key, radius in share_columns(registry):
        measured, near = _within(communities, key, radius)
        tally.measured[column] = np.bincount(
            district[known & measured], households[known & measured], n
        )
        tally.within[column] = np.bincount(district[known & near], households[known & near], n)
        tally.status[column] = verdicts[key]
        with np.errstate(invalid="ignore", divide="ignore"):
            value = tally.within[column] / tally.measured[column] * 100
        out[column] = np.where(
            np.isin(verdicts[key], _SHOWN) & (tally.measured[column] > 0), value, np.nan
        )
        out[f"{column}_status"] = verdicts[key]
    for key in registry.categories:
        out[f"clause_{key}"] = registry.citation(key)
    return gpd.GeoDataFrame(out, geometry=outlines, crs="EPSG:4326"), tally


def _weakest(statuses: list[np.ndarray]) -> np.ndarray:
    """Per district, the first status of :data:`geo.coverage.STATUSES` order that is not ok."""
    order = list(coverage.STATUSES)
    stacked = np.vstack(statuses)
    rank = np.vectorize(lambda s: order.index(s) if s != "ok" else len(order))(stacked)
    first = rank.min(axis=0)
    return np.array([order[r] if r < len(order) else "ok" for r in first], dtype=object)


def _city_table(table: pd.DataFrame, tally: _Tally, registry: Registry) -> pd.DataFrame:
    """
    Per city: each share over its districts' households.

    Only where every district with households is ``ok``; else missing, with the first other
    status of the districts.
    """
    if "city" not in table or table.empty:
        return pd.DataFrame(columns=["city"])
    rows = []
    for city, group in table.groupby("city", sort=False):
        at = group.index.to_numpy()
        row: dict[str, object] = {"city": city, "districts": len(at)}
        row["households_total"] = float(group["households_total"].sum())
        for column, _, _ in share_columns(registry):
            statuses = tally.status[column][at]
            counted = statuses[~np.isin(statuses, ("no_projects", "no_households"))]
            measured = tally.measured[column][at].sum()
            if not counted.size:
                value, status = np.nan, "no_projects"
            elif (counted == "ok").all() and measured > 0:
                value, status = tally.within[column][at].sum() / measured * 100, "ok"
            else:
                value, status = np.nan, _weakest([counted[:, None]])[0]
            row[column], row[f"{column}_status"] = value, status
        rows.append(row)
    return pd.DataFrame(rows)


def sources_table(registry: Registry) -> pd.DataFrame:
    """
    For every indicator column written: the category, standard, clause, edition, radius.

    ``checked`` is true only where the radius was read in the clause's text; ``setting``
    where a planner changed it. Columns of one category share their row's citation.
    """
    rows = []
    for column, key, radius in share_columns(registry):
        rows.append(_source_row(column, key, radius, registry))
        if key != "complete" and radius is None:
            for name in (f"dist_{key}_m", f"straight_{key}_m", f"pass_{key}"):
                rows.append(_source_row(name, key, None, registry))
    rows.append(_source_row("complete", "complete", None, registry))
    return pd.DataFrame(rows)


def _source_row(column: str, key: str, radius: float | None, registry: Registry) -> dict:
    """The citation of one column: a category's clause, a life circle's, or completeness'."""
    category = registry.categories.get(key)
    circle = next((c for c in registry.life_circles if c.radius_m == radius), None)
    if category is None:
        standard_key, clause, clause_en = registry.complete_clause
        checked, metres, setting = False, np.nan, False
    elif circle is not None:
        standard_key, clause, clause_en = circle.standard, circle.clause, circle.clause_en
        checked, metres, setting = circle.checked, circle.radius_m, False
    else:
        standard_key, clause, clause_en = category.standard, category.clause, category.clause_en
        checked, metres, setting = category.checked, category.radius_m, category.setting
    standard = registry.standards[standard_key]
    return {
        "column": column,
        "category": key,
        "code": standard.code,
        "title": standard.title,
        "clause": clause,
        "edition": standard.edition,
        "code_en": standard.code_en,
        "title_en": standard.title_en,
        "clause_en": clause_en,
        "edition_en": standard.edition_en,
        "radius_m": metres,
        "checked": bool(checked and not setting),
        "setting": bool(setting or not checked),
    }


def _touched_districts(network: Network, projects: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Every district of the cities the network's extent or the projects touch."""
    empty = gpd.GeoDataFrame(
        {"type": pd.Series(dtype=object)}, geometry=gpd.GeoSeries([], crs="EPSG:4326")
    )
    area = Infra(empty, network.extent(), pd.DataFrame(), network.source, "osm")
    return coverage.coverage_districts(area, projects)


def measure(
    projects: gpd.GeoDataFrame,
    facilities: Facilities,
    network: Network,
    *,
    registry: Registry | None = None,
    profile: str = "walk",
    max_snap_m: float = reach.MAX_SNAP_M,
    districts: gpd.GeoDataFrame | None = None,
) -> Indicators:
    """
    The pipeline ``atlas indicators`` and the 生活圈 page share, for one profile.

    :func:`community_indicators` of every project, then the districts of every city the
    network or the projects touch (:func:`geo.coverage.coverage_districts`, full outlines;
    or ``districts``) with :func:`district_indicators`, the cities, and the citations.
    """
    registry = registry or load_registry()
    communities = community_indicators(
        projects, facilities, network, registry=registry, profile=profile, max_snap_m=max_snap_m
    )
    if districts is None:
        districts = _touched_districts(network, projects)
    table, tally = _district_tally(
        communities, districts, network, facilities, registry, coverage.MIN_EXTENT_SHARE
    )
    cities = _city_table(table, tally, registry)
    return Indicators(communities, table, cities, sources_table(registry), profile, registry)


# --- a community's walkshed and the facilities inside it -----------------------------------


def walkshed_facilities(
    network: Network,
    origin: shapely.Point | tuple[float, float],
    facilities: Facilities,
    *,
    profile: str = "walk",
    distances: tuple[float, ...] = (300, 500, 1000),
    max_snap_m: float = reach.MAX_SNAP_M,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """
    A community's walksheds at ``distances`` and the facilities within the largest on foot.

    ``origin`` is a Point or (lon, lat). Returns the walksheds (:func:`geo.reach.walkshed`,
    one row per distance, largest first) and the facilities within ``max(distances)`` metres
    along the network: their rows of ``facilities.features`` with ``distance_m`` (from the
    community to the facility's nearest reachable point) and ``within_m`` (the smallest of
    ``distances`` it lies within), nearest first. Both EPSG:4326.
    """
    sheds = gpd.GeoDataFrame(
        pd.concat(
            [
                reach.walkshed(network, origin, d, profile=profile, max_snap_m=max_snap_m)
                for d in sorted(distances, reverse=True)
            ],
            ignore_index=True,
        ),
        crs="EPSG:4326",
    )
    features = facilities.features
    inside = features.iloc[:0].assign(distance_m=pd.Series(dtype="float64"))
    if sheds["status"].iloc[0] != "ok" or features.empty:
        return sheds, inside.assign(within_m=pd.Series(dtype="float64"))
    start = reach._point_lonlat(origin)
    metres = np.full(len(features), np.inf)
    for key in features["category"].unique():
        xy, rows = facility_points(facilities, network, key)
        # From every point of every facility to the one community: the same metres both
        # ways on foot (no one-way rule applies), in one run.
        found = reach.nearest_destinations(
            network, xy, start, profile=profile, max_snap_m=max_snap_m, sums=False
        )
        distance = np.where(np.isnan(found.distance_m), np.inf, found.distance_m)
        np.minimum.at(metres, rows, distance)
    near = metres <= max(distances)
    inside = features[near].assign(distance_m=metres[near])
    steps = np.sort(np.asarray(distances, dtype="float64"))
    within = steps[np.searchsorted(steps, inside["distance_m"].to_numpy(), side="left")]
    return sheds, inside.assign(within_m=within).sort_values("distance_m")
