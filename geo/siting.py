"""
Where N new facilities of one type would reach the most households on foot: maximal covering.

The maximal covering location problem (Church and ReVelle, 1974): among candidate sites,
choose ``count`` that maximise the households within ``radius_m`` metres on the profile's
network of at least one site, the sites that exist kept fixed. Distances are those of
:func:`geo.reach.within` (the walking-reach pipeline: same snapping, legs and profiles), so a
wall or a flight of steps counts as it does for reach.

Solved exactly by PySAL spopt's ``MCLP.from_cost_matrix`` with the existing sites as its
``predefined_facilities_arr``, through PuLP with HiGHS (``highspy``, a wheel) or CBC (in
PuLP's wheel). spopt's model holds one Python term per (demand, site) cell, so a reduced
problem above :data:`SPOPT_MAX_CELLS` cells goes to HiGHS as the same formulation built as a
sparse matrix (``summary["model"]`` says which; tests check both against brute force).
Before the solver sees it, the problem is reduced without changing its optimum:
communities covered by no site are left out (no choice changes them), and communities covered
by exactly the same sites become one demand row with their households summed. A time limit
stops the solver with its best sites and the gap to a bound: the solver's, or, when it stopped
before it had one, the existing coverage plus the ``count`` largest gains alone (coverage is
submodular), whichever is smaller; when greedy found more, greedy's sites are kept (the best
known) and the gap is measured from them.

Beside the optimum: greedy (each step the site adding most, ties to the first candidate),
which is never better than the optimum, and the marginal curve: for 1..N sites the optimum
(one solve each) and greedy, so the planner sees where returns flatten. Each chosen site's
``adds_households`` orders the chosen set greedily: the households it adds to the existing
sites and those chosen before it (the column sums to the total gained). An optimum is rarely
the only one: an unchosen candidate that, in place of one chosen site, covers as many
households as shown (whole households) is that site's equal alternative (``equal_to``), so the
planner is told of both; one site swapped at a time.

Candidates from an OSM extract (:func:`candidate_sites`): for curb ramps, crossings of the
network (``highway=crossing`` or any ``crossing=*`` on a walkable way) whose node has no
lowered or flush kerb, the existing ramps being :func:`geo.infra.read_infra`'s ``curb_ramp``
points; for accessible stops, bus stops not tagged ``wheelchair=yes``, the existing being the
``accessible_bus_stop`` points.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse

from geo import reach
from geo.errors import InputError
from geo.infra import Infra
from geo.io import cells as _cells
from geo.io import vector as _vector
from geo.network import Network

if TYPE_CHECKING:  # both are imported when a siting is solved, not when atlas starts
    import pulp
    from spopt.locate import MCLP

__all__ = [
    "ELDERLY_COLUMNS",
    "PROFILES",
    "REFUSED",
    "SITE_TYPES",
    "SOLVERS",
    "SPOPT_MAX_CELLS",
    "STATUSES",
    "WEIGHS",
    "Siting",
    "candidate_sites",
    "demand",
    "elderly_column",
    "greedy",
    "maximal_covering",
    "plan",
    "read_sites",
    "site",
]

#: Facility types sited, with the infrastructure type that is their existing set.
SITE_TYPES = ("curb_ramp", "accessible_bus_stop")
#: Profiles whose costs are metres (the blind profile's are weighted).
PROFILES = ("walk", "wheelchair")
#: Solvers that ship as wheels, by the name PuLP's solver class is chosen with.
SOLVERS = ("highs", "cbc")
#: The solver's outcome, as ``Siting.summary["status"]`` says it.
STATUSES: dict[str, str] = {
    "optimal": "the solver proved that no choice of as many sites covers more households",
    "time_limit": "the time limit stopped the solver: the best sites found, with the gap to "
    "the solver's bound",
    "no_gain": "no candidate covers a household the existing sites leave uncovered",
    "no_candidates": "there is no candidate to choose (the extract lists none, or the file "
    "given is empty)",
}
#: What a site's reach counts: households, those of renovated (完工) communities, or elderly
#: residents where the ledger has a column of them (:data:`ELDERLY_COLUMNS`).
WEIGHS = ("households", "renovated_households", "elderly")
#: Headers of a ledger's column of elderly residents (the ledger reader carries it as text).
ELDERLY_COLUMNS = (
    "老年人数", "老年人口", "老人数", "60岁以上老人", "60岁以上人口", "60岁及以上人口",
    "60周岁以上老人", "elderly",
)  # fmt: skip
#: Why a row of a site file is not used (:func:`read_sites`), worded ``siting_refused_<code>``.
REFUSED = ("not_a_point",)
_RAMP_KERBS = ("lowered", "flush")


@dataclasses.dataclass
class Siting:
    """
    A maximal covering solution, greedy beside it, and the marginal curve.

    ``candidates`` has one row per candidate, in input order: ``chosen``, ``order`` (1.. in
    the chosen set, else missing), ``adds_households`` (what it adds in that order),
    ``covers_households`` (households within reach that the existing sites leave uncovered,
    its gain if it were the only new site), ``greedy_order``, ``equal_to`` (an unchosen
    candidate as good as a chosen site: that site's ``order``, else missing) and
    ``alternatives`` (how many candidates are ``equal_to`` a chosen site; 0 for the others).
    ``curve`` has one row per number
    of sites 1..N: ``optimum_households``, ``optimum_gain``, ``greedy_households``,
    ``greedy_gain`` (households covered, new and existing sites together, and what that site
    added). ``summary`` holds the totals and the solver's status, gap and seconds.
    """

    candidates: pd.DataFrame
    curve: pd.DataFrame
    summary: dict


# --- the problem, reduced -----------------------------------------------------------------------


@dataclasses.dataclass
class _Reduced:
    """Demand rows merged by the sites that cover them; columns: existing, then candidates."""

    weights: np.ndarray
    cover: sparse.csr_matrix  # groups × (existing + kept candidates), bool
    existing: int  # how many leading columns are existing sites
    columns: np.ndarray  # the candidate behind each kept candidate column
    covered_before: float  # households the existing sites cover


def _reduce(weights: np.ndarray, cover: sparse.csr_matrix, existing: sparse.csr_matrix) -> _Reduced:
    """
    The same optimum with fewer rows and columns, since spopt's model grows as their product.

    Demand covered by an existing site keeps only its existing sites (no choice changes it);
    demand no site covers and candidates that add nothing are left out; rows covered by the
    same sites are merged, their households summed.
    """
    existing = existing.astype(bool).tocsr()
    before = existing.getnnz(axis=1) > 0
    open_rows = (~before & (weights > 0))[:, None]
    useful = sparse.csr_matrix(sparse.csr_matrix(cover, dtype=bool).multiply(open_rows), dtype=bool)
    useful.eliminate_zeros()
    columns = np.flatnonzero(useful.getnnz(axis=0) > 0)
    full = sparse.hstack([existing, useful[:, columns]], format="csr").astype(bool)
    full.sort_indices()
    nnz = np.diff(full.indptr)
    keep = np.flatnonzero((nnz > 0) & (weights > 0))
    rows = full[keep]
    width = int(nnz[keep].max()) if keep.size else 0
    padded = np.full((keep.size, width), -1, dtype=np.int64)
    counts = np.diff(rows.indptr)
    slot = np.arange(rows.indices.size) - np.repeat(rows.indptr[:-1], counts)
    padded[np.repeat(np.arange(keep.size), counts), slot] = rows.indices
    _, first, group = np.unique(padded, axis=0, return_index=True, return_inverse=True)
    merged = np.bincount(group.ravel(), weights=weights[keep], minlength=first.size)
    reduced = rows[first]
    covered = reduced[:, : existing.shape[1]].getnnz(axis=1) > 0
    return _Reduced(merged, reduced, existing.shape[1], columns, float(merged[covered].sum()))


def greedy(
    weights: np.ndarray, cover: sparse.csr_matrix, covered: np.ndarray, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """
    Greedy maximal covering: ``count`` times, the column adding the most weight.

    ``cover`` is demand × candidates, ``covered`` the demand already covered. Ties go to the
    first column; a step that adds nothing stops. Returns the columns and their gains.
    """
    covered = covered.copy()
    cover_t = sparse.csr_matrix(cover.T, dtype=np.float64)
    picks, gains = [], []
    for _ in range(count):
        gain = cover_t @ np.where(covered, 0.0, weights)
        best = int(np.argmax(gain)) if gain.size else -1
        if best < 0 or gain[best] <= 0:
            break
        picks.append(best)
        gains.append(float(gain[best]))
        covered |= cover[:, best].toarray().ravel() > 0
    return np.asarray(picks, dtype=np.int64), np.asarray(gains)


@functools.cache
def _highs_banner_shown() -> None:
    """HiGHS prints its banner to fd 1 once per process, at its first model: send it nowhere."""
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _pulp_solver(solver: str, time_limit_s: float | None) -> pulp.LpSolver:
    import pulp

    if solver not in SOLVERS:
        raise ValueError(f"Expected a solver among {', '.join(SOLVERS)}; got {solver!r}.")
    if solver == "highs":
        # The CLI's last stdout line is its JSON: nothing else may reach stdout.
        _highs_banner_shown()
        return pulp.HiGHS(msg=False, timeLimit=time_limit_s, threads=1)
    with warnings.catch_warnings():
        # PuLP 3.3 announces its bundled CBC goes in 4.0; requirements.txt keeps PuLP < 4.
        warnings.filterwarnings("ignore", "PULP_CBC_CMD is deprecated", DeprecationWarning)
        return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s, threads=1)


def _model(problem: _Reduced, count: int) -> MCLP:
    """The MCLP of spopt for the reduced problem, the existing sites predefined (fixed open)."""
    from spopt.locate import MCLP

    columns = problem.cover.shape[1]
    # Network metres are already folded into ``cover``: within reach costs 0, beyond it 2.
    costs = np.where(problem.cover.toarray(), 0.0, 2.0)
    return MCLP.from_cost_matrix(
        costs,
        problem.weights,
        service_radius=1.0,
        p_facilities=problem.existing + min(count, columns - problem.existing),
        predefined_facilities_arr=np.arange(columns) < problem.existing,
        name="site",
    )


def _solve(
    model: MCLP, problem: _Reduced, count: int, solver: str, time_limit_s: float | None
) -> dict:
    """Solve ``model`` for ``count`` new sites: chosen candidate columns, proof and bound."""
    import pulp

    columns = problem.cover.shape[1]
    # spopt adds "sum of sites == p" last; a smaller count changes only its right-hand side.
    held = model.problem.constraints
    # PuLP 3.3 lists them when called (its mapping is deprecated); earlier ones are a dict.
    facilities = (held() if callable(held) else list(held.values()))[-1]
    facilities.constant = -float(problem.existing + min(count, columns - problem.existing))
    # spopt's own solve() raises on anything but "Optimal": a stopped solve is read here.
    model.problem.solve(_pulp_solver(solver, time_limit_s))
    values = np.array([v.value() or 0.0 for v in model.fac_vars])
    chosen = np.flatnonzero(values[problem.existing :] > 0.5)
    proven = model.problem.sol_status == pulp.LpSolutionOptimal
    return {"chosen": chosen, "proven": bool(proven), "bound": _bound(model.problem, solver)}


#: Above this many cells (demand rows × columns after reduction) spopt's model, one Python term
#: per cell, takes minutes to build: the same formulation goes to HiGHS as a sparse matrix.
SPOPT_MAX_CELLS = 2_000_000


def _solve_sparse(problem: _Reduced, count: int, time_limit_s: float | None) -> dict:
    """
    The MCLP formulation of spopt, built sparse for HiGHS directly (large reduced problems).

    Maximise the weight of covered rows y_i, with y_i <= the sum of the open sites covering
    row i, the sum of open sites = existing + count, the existing fixed open (lower bound 1);
    sites binary, rows continuous in [0, 1] (an optimum sets them to 0 or 1).
    """
    import highspy

    _highs_banner_shown()
    rows, columns = problem.cover.shape
    p = problem.existing + min(count, columns - problem.existing)
    cover = sparse.csc_matrix(problem.cover, dtype=np.float64)
    matrix = sparse.vstack(
        [
            sparse.hstack([-cover, sparse.identity(rows, format="csc")]),
            sparse.hstack([np.ones((1, columns)), sparse.csc_matrix((1, rows))]),
        ],
        format="csc",
    )
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = columns + rows, rows + 1
    lp.col_cost_ = np.concatenate([np.zeros(columns), problem.weights])
    lower = np.zeros(columns + rows)
    lower[: problem.existing] = 1.0
    lp.col_lower_, lp.col_upper_ = lower, np.ones(columns + rows)
    lp.row_lower_ = np.concatenate([np.full(rows, -highspy.kHighsInf), [p]])
    lp.row_upper_ = np.concatenate([np.zeros(rows), [p]])
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_ = matrix.indptr, matrix.indices
    lp.a_matrix_.value_ = matrix.data
    lp.integrality_ = [highspy.HighsVarType.kInteger] * columns + [
        highspy.HighsVarType.kContinuous
    ] * rows
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    if time_limit_s is not None:
        highs.setOptionValue("time_limit", float(time_limit_s))
    highs.passModel(lp)
    highs.run()
    solution = np.asarray(highs.getSolution().col_value)
    chosen = (
        np.flatnonzero(solution[problem.existing : columns] > 0.5)
        if solution.size
        else np.zeros(0, dtype=np.int64)
    )
    proven = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    bound = float(highs.getInfo().mip_dual_bound)
    return {"chosen": chosen, "proven": proven, "bound": bound if np.isfinite(bound) else None}


def _bound(problem: pulp.LpProblem, solver: str) -> float | None:
    """HiGHS's best bound on the households covered; None from CBC (PuLP does not read it)."""
    import pulp

    highs = getattr(problem, "solverModel", None)
    if solver != "highs" or highs is None:
        return None
    bound = float(highs.getInfo().mip_dual_bound)
    # PuLP hands HiGHS a maximisation as the minimisation of the negated objective.
    bound = -bound if problem.sense == pulp.LpMaximize else bound
    return bound if np.isfinite(bound) else None


def _covered(problem: _Reduced, chosen: np.ndarray) -> np.ndarray:
    columns = np.concatenate([np.arange(problem.existing), problem.existing + chosen])
    return problem.cover[:, columns].getnnz(axis=1) > 0


def _order(problem: _Reduced, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The chosen set in greedy order, with what each adds."""
    before = _covered(problem, np.zeros(0, dtype=np.int64))
    sub = problem.cover[:, problem.existing + chosen]
    picks, gains = greedy(problem.weights, sub, before, len(chosen))
    return chosen[picks], gains


def _equals(problem: _Reduced, ordered: np.ndarray) -> np.ndarray:
    """
    For each candidate column, the chosen site (its index in ``ordered``) it could replace.

    An unchosen candidate replaces chosen site X when the sites with it instead of X cover
    as many households as shown (whole households): what it adds to the existing and the
    other chosen sites equals what X adds to them, and that is more than nothing. -1 where it
    replaces none; a candidate equal to several chosen sites is given the first in ``ordered``.
    """
    cand = problem.cover[:, problem.existing :]
    equal_to = np.full(cand.shape[1], -1)
    if not ordered.size:
        return equal_to
    before = _covered(problem, np.zeros(0, dtype=np.int64))
    by_chosen = np.asarray(cand[:, ordered].sum(axis=1)).ravel()
    cand_t = sparse.csr_matrix(cand.T, dtype=np.float64)
    unchosen = ~np.isin(np.arange(cand.shape[1]), ordered)
    for i, site in enumerate(ordered):
        own = cand[:, site].toarray().ravel()
        without = before | (by_chosen - own > 0)
        gains = np.round(cand_t @ np.where(without, 0.0, problem.weights))
        if gains[site] <= 0:
            continue
        equal_to[(gains == gains[site]) & unchosen & (equal_to < 0)] = i
    return equal_to


def maximal_covering(
    weights: np.ndarray,
    cover: sparse.csr_matrix,
    existing: sparse.csr_matrix,
    *,
    count: int,
    solver: str = "highs",
    time_limit_s: float | None = None,
    exact_curve: bool = True,
) -> Siting:
    """
    Choose ``count`` candidates maximising the weight covered, the existing sites fixed.

    ``weights`` is per demand row (NaN or 0 rows count for nothing); ``cover`` is demand ×
    candidates and ``existing`` demand × existing sites, True where within reach. With
    ``exact_curve`` the curve's optimum is solved for every number of sites 1..count (each
    under ``time_limit_s``); without, only for ``count`` and the rest of it is missing.
    """
    if count < 1:
        raise ValueError(f"Expected at least one site to choose; got count={count!r}.")
    started = time.perf_counter()
    weights = np.nan_to_num(np.asarray(weights, dtype=np.float64), nan=0.0)
    problem = _reduce(weights, sparse.csr_matrix(cover), sparse.csr_matrix(existing))
    n_candidates = cover.shape[1]
    # Reduced candidate column j is candidate problem.columns[j]; results are mapped back.
    before = _covered(problem, np.zeros(0, dtype=np.int64))
    cand_cover = problem.cover[:, problem.existing :]
    greedy_picks, greedy_gains = greedy(problem.weights, cand_cover, before, count)
    alone = np.zeros(n_candidates)
    alone[problem.columns] = sparse.csr_matrix(cand_cover.T, dtype=np.float64) @ np.where(
        before, 0.0, problem.weights
    )
    gap: float | None
    status, gap, bound, model = "optimal", 0.0, None, None
    curve_optimum = np.full(count, np.nan)
    if not greedy_picks.size:
        status = "no_gain" if n_candidates else "no_candidates"
        chosen = np.zeros(0, dtype=np.int64)
    else:
        sizes = range(1, count + 1) if exact_curve else [count]
        sparse_model = problem.cover.shape[0] * problem.cover.shape[1] > SPOPT_MAX_CELLS
        model = None if sparse_model else _model(problem, count)
        for k in sizes:
            if model is None:
                found = _solve_sparse(problem, k, time_limit_s)
            else:
                found = _solve(model, problem, k, solver, time_limit_s)
            picks = found["chosen"]
            value = float(problem.weights[_covered(problem, picks)].sum())
            greedy_value = problem.covered_before + float(greedy_gains[:k].sum())
            if value < greedy_value:
                # A stopped solver's incumbent below greedy's: greedy's sites are the best known.
                picks, value = greedy_picks[:k], greedy_value
            curve_optimum[k - 1] = value
            if k == count:
                chosen, bound = picks, found["bound"]
                if not found["proven"]:
                    status = "time_limit"
                    bound = _upper_bound(problem, alone, count, bound, value)
                    gap = (bound - value) / bound if bound > 0 else 0.0
    ordered, adds = _order(problem, chosen)
    equal_to = np.full(n_candidates, -1)
    equal_to[problem.columns] = _equals(problem, ordered)
    ordered, greedy_picks = problem.columns[ordered], problem.columns[greedy_picks]
    candidates = _candidates_frame(alone, ordered, adds, greedy_picks, equal_to)
    curve = _curve(problem.covered_before, curve_optimum, greedy_gains, count)
    covered_optimum = problem.covered_before + float(adds.sum())
    summary = {
        "count": count,
        "chosen": int(ordered.size),
        "candidates": int(n_candidates),
        "existing": int(existing.shape[1]),
        "households_total": float(weights.sum()),
        "covered_before": problem.covered_before,
        "covered_optimum": covered_optimum,
        "covered_greedy": problem.covered_before + float(greedy_gains.sum()),
        "gained_optimum": float(adds.sum()),
        "gained_greedy": float(greedy_gains.sum()),
        "sites_with_alternatives": int((candidates["alternatives"] > 0).sum()),
        "status": status,
        "gap": gap,
        "bound": bound,
        "solver": "highs" if model is None and greedy_picks.size else solver,
        "model": "spopt" if model is not None or not greedy_picks.size else "highs_sparse",
        "demand_rows": int(problem.weights.size),
        "candidate_columns": int(problem.columns.size),
        "seconds": round(time.perf_counter() - started, 3),
    }
    return Siting(candidates, curve, summary)


def _candidates_frame(
    alone: np.ndarray,
    ordered: np.ndarray,
    adds: np.ndarray,
    greedy_picks: np.ndarray,
    equal_to: np.ndarray,
) -> pd.DataFrame:
    """
    One row per candidate, in input order: the columns of :class:`Siting`'s ``candidates``.

    ``ordered`` and ``greedy_picks`` are candidate indices in their order, ``equal_to`` the
    index in ``ordered`` of the chosen site each candidate is as good as (-1: none).
    """
    n_candidates = alone.size
    candidates = pd.DataFrame(
        {
            "chosen": np.isin(np.arange(n_candidates), ordered),
            "order": pd.array([pd.NA] * n_candidates, dtype="Int64"),
            "adds_households": np.zeros(n_candidates),
            "covers_households": alone,
            "greedy_order": pd.array([pd.NA] * n_candidates, dtype="Int64"),
            "equal_to": pd.array([pd.NA] * n_candidates, dtype="Int64"),
            "alternatives": pd.array(np.zeros(n_candidates, dtype=np.int64), dtype="Int64"),
        }
    )
    candidates.loc[ordered, "order"] = np.arange(1, ordered.size + 1)
    candidates.loc[ordered, "adds_households"] = adds
    candidates.loc[greedy_picks, "greedy_order"] = np.arange(1, greedy_picks.size + 1)
    equal = equal_to >= 0
    candidates.loc[equal, "equal_to"] = equal_to[equal] + 1
    candidates.loc[ordered, "alternatives"] = np.bincount(equal_to[equal], minlength=ordered.size)[
        : ordered.size
    ]
    return candidates


def _upper_bound(
    problem: _Reduced, alone: np.ndarray, count: int, solver_bound: float | None, value: float
) -> float:
    """
    The most households ``count`` new sites could cover: the solver's bound, or a simple one.

    Coverage gained is submodular, so no ``count`` sites add more than the ``count`` largest
    gains alone, nor more than every household some candidate reaches: with the existing
    coverage, a bound that holds when a time limit stopped the solver before it had one
    (the gap is then always said). The smaller of the two is kept.
    """
    before = _covered(problem, np.zeros(0, dtype=np.int64))
    reachable = problem.cover[:, problem.existing :].getnnz(axis=1) > 0
    largest = float(np.sort(alone)[::-1][:count].sum())
    simple = problem.covered_before + min(
        largest, float(problem.weights[reachable & ~before].sum())
    )
    if solver_bound is not None and np.isfinite(solver_bound) and solver_bound >= value - 1e-6:
        return min(simple, solver_bound)
    return simple


def _curve(before: float, optimum: np.ndarray, gains: np.ndarray, count: int) -> pd.DataFrame:
    """Households covered with 1..count new sites, optimum and greedy, and each step's gain."""
    greedy_gain = np.zeros(count)
    greedy_gain[: gains.size] = gains
    greedy_total = before + np.cumsum(greedy_gain)
    optimum_gain = np.diff(np.concatenate([[before], optimum]))
    return pd.DataFrame(
        {
            "sites": np.arange(1, count + 1),
            "optimum_households": optimum,
            "optimum_gain": optimum_gain,
            "greedy_households": greedy_total,
            "greedy_gain": greedy_gain,
        }
    )


# --- communities, candidates and the network ---------------------------------------------------


def _lonlat(frame: gpd.GeoDataFrame) -> np.ndarray:
    """(n, 2) lon, lat of each point; NaN for rows without a point."""
    points = frame.geometry.to_numpy()
    is_point = ~shapely.is_missing(points) & (
        shapely.get_type_id(points) == shapely.GeometryType.POINT
    )
    is_point &= ~shapely.is_empty(points)
    xy = np.full((len(points), 2), np.nan)
    if is_point.any():
        xy[is_point] = shapely.get_coordinates(points[is_point])
    return xy


def _cover_matrix(found: reach.Within, n_demand: int, n_sites: int) -> sparse.csr_matrix:
    data = np.ones(found.origin.size, dtype=bool)
    return sparse.csr_matrix(
        (data, (found.origin, found.destination)), shape=(n_demand, n_sites), dtype=bool
    )


def site(
    communities: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame,
    existing: gpd.GeoDataFrame,
    network: Network,
    *,
    count: int,
    radius_m: float,
    profile: str = "walk",
    weight: str = "households",
    solver: str = "highs",
    time_limit_s: float | None = None,
    exact_curve: bool = True,
    max_snap_m: float = reach.MAX_SNAP_M,
) -> tuple[gpd.GeoDataFrame, Siting]:
    """
    Site ``count`` new facilities among ``candidates`` for ``communities``' ``weight`` column.

    All three are point layers in EPSG:4326. A community without a point, off the network, or
    without a number in ``weight`` counts for nothing and is counted in the summary
    (``communities_unplaced``, ``communities_without_weight``): never as zero households
    silently. Returns the candidates (every row, input order) with the columns of
    :class:`Siting` and ``network_snap_ok``, and the :class:`Siting`.
    """
    if profile not in PROFILES:
        raise ValueError(f"Expected a profile among {', '.join(PROFILES)}; got {profile!r}.")
    weights = pd.to_numeric(communities[weight], errors="coerce").to_numpy("float64")
    origins = _lonlat(communities)
    sites = np.vstack([_lonlat(existing), _lonlat(candidates)])
    found = reach.within(
        network, origins, sites, limit_m=radius_m, profile=profile, max_snap_m=max_snap_m
    )
    matrix = _cover_matrix(found, len(communities), len(sites))
    n_existing = len(existing)
    result = maximal_covering(
        weights,
        matrix[:, n_existing:],
        matrix[:, :n_existing],
        count=count,
        solver=solver,
        time_limit_s=time_limit_s,
        exact_curve=exact_curve,
    )
    placed = found.origin_node >= 0
    result.summary |= {
        "radius_m": float(radius_m),
        "profile": profile,
        "communities": len(communities),
        "communities_unplaced": int((~placed).sum()),
        "households_unplaced": float(np.nansum(weights[~placed])),
        "communities_without_weight": int(np.isnan(weights).sum()),
        "candidates_off_network": int((found.destination_node[n_existing:] < 0).sum()),
        "existing_off_network": int((found.destination_node[:n_existing] < 0).sum()),
    }
    out = candidates.copy()
    for column in result.candidates.columns:
        out[column] = result.candidates[column].to_numpy()
    out["network_snap_ok"] = found.destination_node[n_existing:] >= 0
    return out, result


def candidate_sites(
    network: Network, infra: Infra, kind: str
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """
    Candidates and existing sites of ``kind`` (:data:`SITE_TYPES`) from an OSM extract.

    Each a point layer in EPSG:4326 with ``source_id`` (``node/123``) and ``name``. Curb ramp
    candidates are the network's crossing nodes without a lowered or flush kerb; accessible
    stop candidates the ``bus_stop`` points that are not also ``accessible_bus_stop``.
    """
    if kind not in SITE_TYPES:
        raise ValueError(f"Expected a site type among {', '.join(SITE_TYPES)}; got {kind!r}.")
    features = infra.features
    is_point = (shapely.get_type_id(features.geometry.to_numpy()) == 0) & ~features.geometry.isna()
    existing = features[(features["type"] == kind).to_numpy(bool) & is_point]
    if kind == "curb_ramp":
        nodes = network.nodes
        crossing = (nodes["highway"] == "crossing").to_numpy(bool) | nodes["crossing"].notna()
        ramp = nodes["kerb"].isin(_RAMP_KERBS).to_numpy(bool)
        chosen = nodes[crossing & ~ramp]
        candidates = gpd.GeoDataFrame(
            {
                "source_id": "node/" + chosen["node_id"].astype(str).to_numpy(),
                "name": [None] * len(chosen),
            },
            geometry=gpd.points_from_xy(chosen["lon"], chosen["lat"]),
            crs="EPSG:4326",
        )
    else:
        stops = features[(features["type"] == "bus_stop").to_numpy(bool) & is_point]
        candidates = stops[~stops["source_id"].isin(existing["source_id"])]
    keep = ["source_id", "name", "geometry"]
    return (
        gpd.GeoDataFrame(candidates[keep].reset_index(drop=True), crs="EPSG:4326"),
        gpd.GeoDataFrame(existing[keep].reset_index(drop=True), crs="EPSG:4326"),
    )


#: Columns a site file may name its sites in, the first found wins.
NAME_COLUMNS = ("name", "名称", "站点名称", "位置")


def read_sites(
    source: str | Path | bytes, *, name: str | None = None, crs_name: str | None = None
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """
    Candidate or existing sites from an uploaded point file (GeoJSON, GeoPackage, zipped SHP).

    Read by the upload reader (allow-listed drivers, ``crs`` members stripped, datums as
    declared). Returns the points (EPSG:4326, ``source_id`` = ``row N``, ``name`` from the
    first of :data:`NAME_COLUMNS` present, else the ``source_id``) and a quarantine of rows
    that are not one point (``row``, ``reason`` = ``not_a_point``): no row is lost.
    """
    if isinstance(source, bytes | bytearray):
        data, label = bytes(source), name or "sites.geojson"
    else:
        data, label = Path(source).read_bytes(), name or Path(source).name
    frame, _ = _vector.read_vector(data, label, crs_name=crs_name)
    points = frame.geometry.to_numpy()
    ok = ~shapely.is_missing(points) & ~shapely.is_empty(points)
    ok &= shapely.get_type_id(points) == shapely.GeometryType.POINT
    source_id = "row " + frame["row"].astype(str)
    names = next((frame[c] for c in NAME_COLUMNS if c in frame), pd.Series(None, index=frame.index))
    names = names.astype(object).where(names.notna(), source_id)
    sites = gpd.GeoDataFrame(
        {"source_id": source_id[ok].to_numpy(), "name": names[ok].astype(str).to_numpy()},
        geometry=points[ok],
        crs="EPSG:4326",
    )
    quarantine = pd.DataFrame({"row": frame["row"][~ok].to_numpy(), "reason": "not_a_point"})
    return sites, quarantine


def elderly_column(projects: pd.DataFrame) -> str | None:
    """The ledger's column of elderly residents (the first of :data:`ELDERLY_COLUMNS`), or None."""
    return next((c for c in ELDERLY_COLUMNS if c in projects), None)


def demand(projects: pd.DataFrame, weigh: str = "households") -> pd.Series:
    """
    What each community counts for (:data:`WEIGHS`); NaN where it is not known.

    ``renovated_households``: the households of 完工 rows, 0 for rows of another status,
    NaN without a status (renovated or not is unknown). ``elderly``: the number in the
    ledger's column of elderly residents (NaN where a cell is not a whole number); a ledger
    without one raises :class:`~geo.errors.InputError`. Unknown ``weigh`` raises ValueError.
    """
    if weigh not in WEIGHS:
        raise ValueError(f"Expected a weigh among {', '.join(WEIGHS)}; got {weigh!r}.")
    households = pd.to_numeric(projects["households"], errors="coerce").astype("float64")
    if weigh == "households":
        return households
    if weigh == "renovated_households":
        status = projects.get("status", pd.Series(pd.NA, index=projects.index)).astype("string")
        done = status.eq("completed").to_numpy(dtype=bool, na_value=False)
        known = status.notna().to_numpy(dtype=bool)
        return households.where(done, 0.0).where(known)
    column = elderly_column(projects)
    if column is None:
        raise InputError(
            f"Expected a column of elderly residents ({', '.join(ELDERLY_COLUMNS)}) in the "
            "ledger; got none. Weigh households instead, or add the column.",
            code="siting_no_elderly",
            details={"columns": "/".join(ELDERLY_COLUMNS)},
        )
    values, _problems = _cells.parse_numbers(projects[column].astype("string"), integer=True)
    return values.astype("float64")


def plan(
    projects: gpd.GeoDataFrame,
    network: Network,
    *,
    kind: str,
    count: int,
    radius_m: float,
    profile: str = "walk",
    infra: Infra | None = None,
    candidates: gpd.GeoDataFrame | None = None,
    existing: gpd.GeoDataFrame | None = None,
    solver: str = "highs",
    time_limit_s: float | None = None,
    weigh: str = "households",
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, Siting]:
    """
    The pipeline ``atlas site`` and the 选址 page share: sites of ``kind`` for ``projects``.

    Candidates and existing sites not given come from the OSM extract's ``infra`` (and the
    network) by :func:`candidate_sites`. Each community counts for its :func:`demand` by
    ``weigh`` (the ``households`` columns of the result then count that). Returns the
    candidates with the columns of :func:`site` and ``name`` (the file's, else the OSM id),
    the existing sites, the solution.
    """
    weighed = projects.assign(demand=demand(projects, weigh).to_numpy())
    if candidates is None or existing is None:
        if infra is None or infra.kind != "osm":
            raise InputError(
                "Expected candidate and existing sites: give an OSM extract as the network "
                "(it lists crossings and bus stops), or both a candidates and an existing file.",
                code="siting_no_candidates",
            )
        found, fixed = candidate_sites(network, infra, kind)
        candidates = found if candidates is None else candidates
        existing = fixed if existing is None else existing
    out, result = site(
        weighed,
        candidates,
        existing,
        network,
        count=count,
        radius_m=radius_m,
        profile=profile,
        weight="demand",
        solver=solver,
        time_limit_s=time_limit_s,
    )
    out["name"] = out["name"].astype(object).where(out["name"].notna(), out["source_id"])
    result.summary |= {"type": kind, "weigh": weigh}
    return out, existing, result
