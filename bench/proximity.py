"""
Project proximity: each community's distance to the nearest accessible bus stop, and the
share within 500 m, against ``geopandas.sjoin_nearest`` and a buffer + ``sjoin``.

Projects are synthetic points inside the region's outlines; the stops are the accessible bus
stops of the synthetic infrastructure file of the same region. Everyone measures straight
lines in the CGCS2000 Gauss-Krüger zone :func:`geo.coverage.project_proximity` picks, chosen
once before the clock starts and handed to every peer (as ``district_metrics`` hands it to
``project_proximity``). Timed from the same WGS84 frames (projects; every feature, of every
type) to the distances and share:

- ``atlas``: :func:`geo.coverage.project_proximity` for ``accessible_bus_stop``, then the share.
- ``geopandas.sjoin_nearest``: ``to_crs`` both, ``sjoin_nearest(distance_col=...)``.
- ``buffer + sjoin``: ``to_crs`` both, 500 m buffers, ``sjoin(predicate="intersects")``.
  It gives only within or not; a buffer is a 64-gon inside the circle, so a stop between
  499.4 m and 500 m may count as outside. Those points are listed, not failed; any other
  difference fails.

Distances must agree within 1e-6 relative.
"""

from __future__ import annotations

from functools import partial

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bench import synthetic
from bench.timing import ATLAS, Mismatch, measure, peer_result
from geo import coverage
from geo.infra import Infra

TITLE = "Nearest accessible bus stop and share of communities within 500 m"
RADIUS_M = 500.0
_REL = 1e-6
# A buffer's polygon (16 segments a quarter) lies inside the circle, at worst by r(1 - cos(π/64)).
_BAND_M = RADIUS_M * (1 - np.cos(np.pi / 64))


def cases(full: bool) -> list[tuple[str, int, synthetic.Spec]]:
    seed = synthetic.INFRA_SPECS[0]
    chosen = [("seed-10k", 10_000, seed), ("seed-100k", 100_000, seed)]
    if full:
        chosen.append(("china-1m", 1_000_000, synthetic.INFRA_SPECS[1]))
    return chosen


def inputs(n: int, spec: synthetic.Spec) -> tuple[gpd.GeoDataFrame, Infra]:
    """Projects and an Infra whose extent covers them all (so every distance is computed)."""
    rng = np.random.default_rng([synthetic.BASE_SEED, n, 3])
    lon, lat, _ = synthetic.sample_points(synthetic.region_districts(spec.region), n, rng)
    projects = gpd.GeoDataFrame(
        {"households": rng.integers(20, 1200, n), "synthetic": True},
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )
    features = gpd.read_parquet(synthetic.infra_path(spec))
    everything = np.concatenate([features.geometry.to_numpy(), projects.geometry.to_numpy()])
    extent = shapely.convex_hull(shapely.geometrycollections(everything))
    infra = Infra(features, extent, pd.DataFrame(columns=["row", "reason"]), spec.tag, "survey")
    return projects, infra


def run_atlas(projects, infra, crs) -> tuple[np.ndarray, float]:
    near = coverage.project_proximity(projects, infra, types=("accessible_bus_stop",), metric=crs)
    distance = near["dist_accessible_bus_stop_m"].to_numpy()
    return distance, float(np.mean(distance <= RADIUS_M))


def _stops(features: gpd.GeoDataFrame, crs) -> gpd.GeoDataFrame:
    """The accessible stops of the features, in the metric CRS: each peer's first step."""
    return features.loc[features["type"] == "accessible_bus_stop", ["geometry"]].to_crs(crs)


def run_sjoin_nearest(projects, features, crs) -> tuple[np.ndarray, float]:
    stops = _stops(features, crs)
    joined = gpd.sjoin_nearest(projects.to_crs(crs), stops, distance_col="distance")
    # Ties (two stops at the same distance) give two rows; the distance is the same.
    distance = joined["distance"].groupby(level=0).first().reindex(projects.index).to_numpy()
    return distance, float(np.mean(distance <= RADIUS_M))


def run_buffer(projects, features, crs) -> tuple[np.ndarray, float]:
    stops = _stops(features, crs)
    circles = projects.to_crs(crs)
    circles["geometry"] = circles.buffer(RADIUS_M)
    joined = gpd.sjoin(circles, stops, predicate="intersects", how="inner")
    within = projects.index.isin(joined.index.unique())
    return within, float(within.mean())


def _check_distance(case: str, ours: np.ndarray, theirs: np.ndarray) -> dict:
    off = np.abs(theirs - ours) / np.maximum(ours, 1e-9)
    if np.isnan(theirs).any() or np.isnan(ours).any() or (off > _REL).any():
        i = int(np.nanargmax(np.where(np.isnan(off), np.inf, off)))
        raise Mismatch(
            f"proximity/{case}: sjoin_nearest differs from atlas, e.g. project {i}: "
            f"atlas {ours[i]!r} m, sjoin_nearest {theirs[i]!r} m."
        )
    return {"check": f"distance within {_REL:g} for all {len(ours):,} (max {off.max():.1e})"}


def _check_within(case: str, ours: np.ndarray, within: np.ndarray) -> dict:
    differ = (ours <= RADIUS_M) != within
    edge = differ & (ours > RADIUS_M - _BAND_M) & (ours <= RADIUS_M)
    if (differ & ~edge).any():
        i = int(np.flatnonzero(differ & ~edge)[0])
        raise Mismatch(
            f"proximity/{case}: buffer + sjoin says {within[i]} for project {i}, whose nearest "
            f"stop atlas puts at {ours[i]!r} m (radius {RADIUS_M} m)."
        )
    return {
        "check": f"same within-{RADIUS_M:.0f} m answer for all but {int(edge.sum())} of "
        f"{len(ours):,} (stops {RADIUS_M - _BAND_M:.1f}-{RADIUS_M:.0f} m away, outside the 64-gon)"
    }


def run(*, full: bool, repeat: int, qgis: bool) -> dict:
    results = []
    for case, n, spec in cases(full):
        projects, infra = inputs(n, spec)
        stops = int((infra.features["type"] == "accessible_bus_stop").sum())
        crs = coverage._metric_crs(infra.features)
        timing, (distance, share) = measure(partial(run_atlas, projects, infra, crs), repeat)
        entry = {
            "case": case,
            "size": n,
            "stops": stops,
            "crs": f"EPSG:{crs.to_epsg()}",
            "share_within_500m": share,
            "peers": {ATLAS: peer_result(timing)},
        }
        nearest = partial(run_sjoin_nearest, projects, infra.features, crs)
        timing, (theirs, _) = measure(nearest, repeat)
        check = _check_distance(case, distance, theirs)
        entry["peers"]["geopandas.sjoin_nearest"] = peer_result(timing, **check)
        timing, (within, _) = measure(partial(run_buffer, projects, infra.features, crs), repeat)
        check = _check_within(case, distance, within)
        entry["peers"]["buffer + sjoin"] = peer_result(timing, **check)
        results.append(entry)
    return {"job": "proximity", "title": TITLE, "cases": results}
