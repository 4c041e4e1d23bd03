"""
Siting: N new sites among candidates for communities, wheelchair profile, R = 300 m.

Run ``python -m bench.siting [--communities 50000] [--candidates 5000] [--existing 500]
[--count 20] [--time-limit 60] [--peer-max-cells 5000000]`` from the repository root. On the
synthetic city of :mod:`bench.network` (217k edges, 20 km across, placed at 新乡):
communities within 21 m of random nodes with 20-800 households, candidates and existing
sites on random nodes. Timed, each from WGS84 arrays:

- ``atlas``: :func:`geo.reach.within` (network pairs within R), then
  :func:`geo.siting.maximal_covering` (reduction, spopt ``MCLP.from_cost_matrix`` with the
  existing predefined, or above ``SPOPT_MAX_CELLS`` the same model sparse in HiGHS; the time
  limit; the curve's optimum for N only).
- ``greedy``: :func:`geo.siting.greedy` on the same pairs.
- ``spopt euclidean``: spopt used the documented way, ``MCLP.from_geodataframe`` with
  ``predefined_facility_col`` on straight-line metres (EPSG:4547), HiGHS with the same time
  limit; its sites are then scored on the network, which is what a wheelchair user walks.
  spopt builds a dense clients × facilities matrix and one Python term per cell, so it is run
  only when that product is at most ``--peer-max-cells``; else it is reported as not run.

Households covered are those within R on the network of an existing or chosen site. Prints
one JSON object; no timing assert anywhere.
"""

from __future__ import annotations

import argparse
import json
import time

import geopandas as gpd
import numpy as np
import pyproj
from scipy import sparse

from bench.network import EPSG, city_graph
from geo import reach, siting

RADIUS_M = 300.0
PROFILE = "wheelchair"


def _instance(city, communities: int, candidates: int, existing: int, seed: int = 26):
    rng = np.random.default_rng(seed)
    xy = city.nodes[["x", "y"]].to_numpy()
    near = xy[rng.integers(0, len(xy), communities)] + rng.uniform(-21, 21, (communities, 2))
    back = pyproj.Transformer.from_crs(EPSG, "EPSG:4326", always_xy=True)
    homes = np.column_stack(back.transform(near[:, 0], near[:, 1]))
    sites = rng.choice(len(xy), candidates + existing, replace=False)
    lonlat = city.nodes[["lon", "lat"]].to_numpy()[sites]
    households = rng.integers(20, 800, communities).astype(float)
    return homes, lonlat[existing:], lonlat[:existing], households


def _covered(matrix: sparse.csr_matrix, n_existing: int, chosen, weights) -> float:
    columns = np.concatenate([np.arange(n_existing), n_existing + np.asarray(chosen, int)])
    return float(weights[matrix[:, columns].getnnz(axis=1) > 0].sum())


def _spopt_euclidean(homes, candidates, existing, weights, count, time_limit):
    import pulp
    from spopt.locate import MCLP

    def frame(lonlat):
        points = gpd.points_from_xy(lonlat[:, 0], lonlat[:, 1], crs="EPSG:4326")
        return gpd.GeoDataFrame(geometry=points).to_crs(EPSG)

    clients = frame(homes).assign(households=weights)
    facilities = frame(np.vstack([existing, candidates]))
    facilities["predefined"] = np.arange(len(facilities)) < len(existing)
    started = time.perf_counter()
    model = MCLP.from_geodataframe(
        clients,
        facilities,
        "geometry",
        "geometry",
        "households",
        service_radius=RADIUS_M,
        p_facilities=len(existing) + count,
        predefined_facility_col="predefined",
    )
    built = time.perf_counter() - started
    model.problem.solve(pulp.HiGHS(msg=False, timeLimit=time_limit, threads=1))
    values = np.array([v.value() or 0.0 for v in model.fac_vars])
    chosen = np.flatnonzero(values[len(existing) :] > 0.5)
    return chosen, built, time.perf_counter() - started, model.problem.sol_status


def run(args) -> dict:
    city = city_graph()
    homes, candidates, existing, weights = _instance(
        city, args.communities, args.candidates, args.existing
    )
    out: dict = {
        "communities": args.communities,
        "candidates": args.candidates,
        "existing": args.existing,
        "count": args.count,
        "radius_m": RADIUS_M,
        "profile": PROFILE,
        "edges": len(city.edges),
    }
    started = time.perf_counter()
    pairs = reach.within(
        city, homes, np.vstack([existing, candidates]), limit_m=RADIUS_M, profile=PROFILE
    )
    n_sites = len(existing) + len(candidates)
    matrix = sparse.csr_matrix(
        (np.ones(pairs.origin.size, bool), (pairs.origin, pairs.destination)),
        shape=(len(homes), n_sites),
    )
    out["pairs_s"] = round(time.perf_counter() - started, 2)
    out["pairs"] = int(pairs.origin.size)
    n_existing = len(existing)
    started = time.perf_counter()
    before = matrix[:, :n_existing].getnnz(axis=1) > 0
    picks, _ = siting.greedy(weights, matrix[:, n_existing:], before, args.count)
    out["greedy_s"] = round(time.perf_counter() - started, 2)
    out["greedy_households"] = _covered(matrix, n_existing, picks, weights)
    out["households_before"] = float(weights[before].sum())
    # spopt's model holds one Python term per cell of the reduced problem: measure its size.
    reduced = siting._reduce(
        weights, matrix[:, n_existing:].tocsr(), matrix[:, :n_existing].tocsr()
    )
    model_cells = reduced.cover.shape[0] * reduced.cover.shape[1]
    out["atlas_model_cells"] = int(model_cells)
    started = time.perf_counter()
    try:
        found = siting.maximal_covering(
            weights,
            matrix[:, n_existing:],
            matrix[:, :n_existing],
            count=args.count,
            time_limit_s=args.time_limit,
            exact_curve=False,
        )
        out["atlas_s"] = round(time.perf_counter() - started, 2)
        out["atlas_households"] = found.summary["covered_optimum"]
        out["atlas_status"] = found.summary["status"]
        out["atlas_gap"] = found.summary["gap"]
        out["atlas_demand_rows"] = found.summary["demand_rows"]
        out["atlas_candidate_columns"] = found.summary["candidate_columns"]
        out["atlas_model"] = found.summary["model"]
    except MemoryError as exc:
        out["atlas_error"] = f"MemoryError: {exc}"
    return _peer(out, args, homes, candidates, existing, weights, matrix)


def _peer(out, args, homes, candidates, existing, weights, matrix) -> dict:
    n_existing = len(existing)
    cells = args.communities * (args.candidates + args.existing)
    if cells <= args.peer_max_cells:
        chosen, built, total, status = _spopt_euclidean(
            homes, candidates, existing, weights, args.count, args.time_limit
        )
        out["spopt_euclidean_build_s"] = round(built, 2)
        out["spopt_euclidean_s"] = round(total, 2)
        out["spopt_euclidean_sol_status"] = int(status)
        out["spopt_euclidean_households_on_network"] = _covered(matrix, n_existing, chosen, weights)
    else:
        out["spopt_euclidean"] = f"not run: {cells:,} cells > --peer-max-cells"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--communities", type=int, default=50_000)
    parser.add_argument("--candidates", type=int, default=5_000)
    parser.add_argument("--existing", type=int, default=500)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--peer-max-cells", type=int, default=5_000_000)
    print(json.dumps(run(parser.parse_args()), ensure_ascii=False))


if __name__ == "__main__":
    main()
