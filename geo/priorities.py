"""
Which communities first: a transparent priority score, every rank explained by its parts.

Each part is a number from 0 to 1 computed from one column, said in :data:`PARTS`; the score
is the weighted mean of the parts a community has (a part it lacks is "no data": left out of
its mean, its weight too, and named in ``parts_missing``, never counted as 0). Weights come from a
preset (:data:`PRESETS`: 安全优先, 无障碍优先, 均衡) or the caller. Ranks are 1 = first;
communities whose scores are equal share the rank and carry ``tied`` (ties named, not broken
silently). The consent rule of the seeds' plans (80 % of residents agreeing) is a flag,
``consent_below_80``, not a part: the planner sees it beside the rank.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "CANDIDATES",
    "CONSENT_MIN",
    "PARTS",
    "PRESETS",
    "parts_without_data",
    "prioritise",
    "select_candidates",
    "with_measures",
]

#: Part → (column read, how it becomes 0..1).
PARTS: dict[str, tuple[str, str]] = {
    "households": ("households", "households / the most households among the candidates"),
    "age": ("built_year", "(this year - built_year) / the oldest candidate's age"),
    "access_gap": (
        "wheelchair_accessible_bus_stop_m",
        "metres on the network to the nearest accessible stop / 1,000, at most 1; no route = 1",
    ),
    "life_circle_gap": (
        "pass_<category>",
        "categories failing their standard's radius / categories measured "
        "(geo.lifecircle.community_lifecircle's pass_ columns)",
    ),
    "consent": ("consent_share", "residents' consent (0-1, or percent)"),
}
#: Named weights (sum 1): safety first leans on age, accessibility on the reach gap.
PRESETS: dict[str, dict[str, float]] = {
    "safety": {"households": 0.2, "age": 0.5, "access_gap": 0.1, "life_circle_gap": 0.1,
               "consent": 0.1},
    "accessibility": {"households": 0.2, "age": 0.1, "access_gap": 0.5, "life_circle_gap": 0.1,
                      "consent": 0.1},
    "balanced": {"households": 0.2, "age": 0.2, "access_gap": 0.2, "life_circle_gap": 0.2,
                 "consent": 0.2},
}  # fmt: skip
#: Which communities are ranked: the 计划 rows, every row not yet 完工 (计划, 开工 and rows
#: without a status), or every row.
CANDIDATES = ("planned", "not_completed", "all")
#: The seeds' rule: a community goes ahead with at least this share of residents agreeing.
CONSENT_MIN = 0.8
_ACCESS_CAP_M = 1000.0


def _life_circle_gap(rows: pd.DataFrame) -> pd.Series:
    """Share of the measured life-circle categories that fail; NaN where none was measured."""
    passes = rows[[c for c in rows.columns if str(c).startswith("pass_")]]
    if passes.empty:
        return pd.Series(np.nan, index=rows.index)
    measured = passes.notna().sum(axis=1)
    failed = passes.eq(False).sum(axis=1)
    return (failed / measured.where(measured > 0)).astype("float64")


def _parts(rows: pd.DataFrame, year: int) -> pd.DataFrame:
    """Each part 0..1 per row, NaN where the column is absent or the cell has no number."""

    def number(column: str) -> pd.Series:
        if column not in rows:
            return pd.Series(np.nan, index=rows.index)
        return pd.to_numeric(rows[column], errors="coerce").astype("float64")

    households = number("households")
    age = year - number("built_year")
    access = number("wheelchair_accessible_bus_stop_m")
    if "wheelchair_accessible_bus_stop_status" in rows:
        # A community measured with no route at all has the widest gap there is.
        unreachable = rows["wheelchair_accessible_bus_stop_status"] == "unreachable"
        access = access.mask(unreachable.to_numpy(dtype=bool), np.inf)
    consent = number("consent_share")
    consent = consent.where(consent <= 1, consent / 100)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.DataFrame(
            {
                "households": households / households.max(),
                "age": (age / age.max()).clip(0, 1),
                "access_gap": (access / _ACCESS_CAP_M).clip(0, 1),
                "life_circle_gap": _life_circle_gap(rows),
                "consent": consent.clip(0, 1),
            },
            index=rows.index,
        )


def prioritise(
    communities: pd.DataFrame,
    *,
    preset: str = "balanced",
    weights: dict[str, float] | None = None,
    year: int = 2026,
    only_planned: bool = False,
) -> pd.DataFrame:
    """
    Rank ``communities`` by the weighted mean of their parts.

    ``weights`` (part → weight) replaces the ``preset``'s; unknown parts raise ValueError.
    With ``only_planned``, only rows whose ``status`` is ``plan`` (计划) are ranked. Returns
    the rows ranked (input columns kept), with ``score``, ``rank``, ``tied``, per part
    ``part_<name>`` and ``contribution_<name>`` (its share of the score), ``parts_missing`` (the
    parts without data, comma-separated) and ``consent_below_80`` (missing without a column).
    """
    if weights is None:
        if preset not in PRESETS:
            raise ValueError(f"Expected a preset among {', '.join(PRESETS)}; got {preset!r}.")
        weights = PRESETS[preset]
    unknown = sorted(set(weights) - set(PARTS))
    if unknown:
        raise ValueError(f"Expected parts among {', '.join(PARTS)}; got {unknown}.")
    rows = communities
    if only_planned and "status" in rows:
        rows = rows[(rows["status"] == "plan").to_numpy(dtype=bool)]
    parts = _parts(rows, year)
    w = pd.Series({k: float(weights.get(k, 0.0)) for k in PARTS})
    known = parts.notna()
    weight_known = known.mul(w, axis=1).sum(axis=1)
    weighted = parts.fillna(0.0).mul(w, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = weighted.sum(axis=1) / weight_known.where(weight_known > 0)
    out = rows.copy()
    for name in PARTS:
        out[f"part_{name}"] = parts[name]
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"contribution_{name}"] = (weighted[name] / weight_known).where(known[name])
    out["score"] = score
    rounded = score.round(9)
    out["rank"] = rounded.rank(ascending=False, method="min").astype("Int64")
    out["tied"] = rounded.duplicated(keep=False) & rounded.notna()
    used = [k for k in PARTS if w[k] > 0]
    out["parts_missing"] = [",".join(k for k in used if not known.at[i, k]) for i in rows.index]
    consent = parts["consent"]
    out["consent_below_80"] = (consent < CONSENT_MIN).astype("boolean").mask(consent.isna())
    return out.sort_values(["rank", "score"], ascending=[True, False], na_position="last")


def select_candidates(communities: pd.DataFrame, which: str = "planned") -> pd.DataFrame:
    """
    The rows :data:`CANDIDATES` names: ``planned`` (status 计划), ``not_completed`` (not 完工).

    A ledger without a status column has no 计划 rows and nothing 完工: ``planned`` is then
    empty and ``not_completed`` every row. Unknown ``which`` raises ValueError.
    """
    if which not in CANDIDATES:
        raise ValueError(f"Expected candidates among {', '.join(CANDIDATES)}; got {which!r}.")
    if which == "all":
        return communities
    status = (
        communities["status"].astype("string")
        if "status" in communities
        else pd.Series(pd.NA, index=communities.index, dtype="string")
    )
    # A row without a status is not 计划, and not 完工 either.
    if which == "planned":
        keep = status.eq("plan").fillna(False)
    else:
        keep = ~status.eq("completed").fillna(False)
    return communities[keep.to_numpy(dtype=bool)]


def parts_without_data(ranked: pd.DataFrame) -> list[str]:
    """
    The parts no ranked row has (the ledger lacks the column, or every cell is empty).

    A front end says so ("no build year in this ledger: age not scored"); such a part is left
    out of every score, never counted as 0.
    """
    return [name for name in PARTS if ranked[f"part_{name}"].isna().all()]


#: The measured columns a part reads (:data:`PARTS`), besides the ledger's own.
_MEASURED = ("wheelchair_accessible_bus_stop_m", "wheelchair_accessible_bus_stop_status")


def with_measures(communities: pd.DataFrame, *measured: pd.DataFrame | None) -> pd.DataFrame:
    """
    ``communities`` with the columns the parts read from measures of the same rows.

    Each of ``measured`` is what :func:`geo.lifecircle.measure` (``pass_`` columns) or
    :func:`geo.reach.community_reach` (the wheelchair distance to an accessible stop) returned
    for these very communities: same index, same length; any other frame is ignored (a
    measure of another ledger never lends its numbers). Columns the ledger has are kept.
    """
    out = communities.copy()
    for frame in measured:
        if frame is None or len(frame) != len(out) or not frame.index.equals(out.index):
            continue
        wanted = [c for c in frame.columns if str(c).startswith("pass_") or c in _MEASURED]
        for column in wanted:
            if column not in out:
                out[column] = frame[column].to_numpy()
    return out
