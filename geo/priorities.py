"""
Which communities first: a transparent priority score, every rank explained by its parts.

Each part is a number from 0 to 1 computed from one column, said in :data:`PARTS`; the score
is the weighted mean of the parts a community has (a part it lacks is "no data": left out of
its mean, its weight too, and named in ``parts_missing``, never counted as 0). Weights come from a
preset (:data:`PRESETS`: 安全优先, 无障碍优先, 均衡) or the caller. Ranks are 1 = first;
communities whose scores are equal as shown (:data:`SCORE_DECIMALS` decimals) share the rank
and carry ``tied`` (ties named, not broken silently). The consent rule of the seeds' plans
(80 % of residents agreeing) is a flag, ``consent_below_80``, not a part: the planner sees it
beside the rank.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from geo import dates, lifecircle, reach
from geo.facilities import Facilities, Registry
from geo.infra import Infra
from geo.io import cells as _cells
from geo.network import Network

__all__ = [
    "CANDIDATES",
    "CONSENT_LEVELS",
    "CONSENT_MIN",
    "CONSENT_WORDS",
    "MEASURED_PARTS",
    "PARTS",
    "PRESETS",
    "SCORE_DECIMALS",
    "UNMEASURED",
    "ListMeasures",
    "candidates_of",
    "measure_list",
    "measured_parts",
    "measures_of",
    "parts_without_data",
    "prioritise",
    "rank",
    "read_consent",
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
    "consent": (
        "consent_share",
        "residents' consent (0-1, or percent); where the ledger says it in words "
        "(consent_level), 强烈 = 1, 同意 = 0.8 (the 80 % rule met), 不同意 = 0",
    ),
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
#: Decimals a score is shown with: scores equal to as many are tied (one rank, ``tied``).
SCORE_DECIMALS = 2
#: Consent as ledgers write it in words (意愿 columns), by the level each word stands for.
CONSENT_WORDS: dict[str, tuple[str, ...]] = {
    "strong": (
        "强烈", "意愿强烈", "改造意愿强烈", "群众意愿强烈", "居民意愿强烈", "很强烈", "非常强烈",
        "十分强烈", "迫切", "非常迫切", "strong",
    ),
    "agreed": (
        "同意", "已同意", "愿意", "是", "达到", "已达到", "达标", "通过", "已通过", "满足",
        "符合", "yes", "agreed", "agree",
    ),
    "not_agreed": (
        "不同意", "未同意", "不愿意", "否", "未达到", "未达标", "未通过", "不满足", "不符合",
        "no", "not agreed", "disagree",
    ),
}  # fmt: skip
#: The consent part's value for each level: 同意 is the 80 % rule met, no more is known.
CONSENT_LEVELS: dict[str, float] = {"strong": 1.0, "agreed": CONSENT_MIN, "not_agreed": 0.0}
_ACCESS_CAP_M = 1000.0
_WORD_LEVEL = {word: level for level, words in CONSENT_WORDS.items() for word in words}
# A share as a bound or an estimate reads as its number: 80%以上, ≥80%, 约85%, 九成多.
_BOUND = re.compile(
    r"^(?:约|大约|超过|不低于|不少于|达到|达|高于|大于|>=|≥|>)?(?P<body>.+?)"
    r"(?:及以上|以上|左右|多|\+)?$"
)
_SHARE = re.compile(r"^(?P<n>-?\d+(?:\.\d+)?)(?P<pct>%)?$")
_OF = re.compile(r"^(?P<a>\d+)(?:户|人)?/(?P<b>\d+)(?:户|人)?$")
_TENTHS = re.compile(r"^(?P<t>[一二两三四五六七八九十]|\d{1,2})成(?P<h>[一二三四五六七八九]|\d)?$")
_HUNDREDTHS = re.compile(r"^百分之(?P<n>[零一二两三四五六七八九十百]+|\d+(?:\.\d+)?)$")
_DIGITS = dict(zip("零一二两三四五六七八九", (0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))


def _chinese_number(text: str) -> float | None:
    """一 to 一百 in Chinese numerals (八十五 → 85, 十 → 10, 百 → 100); None otherwise."""
    if text in ("百", "一百"):
        return 100.0
    if text in _DIGITS:
        return float(_DIGITS[text])
    tens, _, ones = text.partition("十")
    if "十" not in text or len(text) > 3:
        return None
    high = 1 if tens == "" else _DIGITS.get(tens)
    low = 0 if ones == "" else _DIGITS.get(ones)
    return None if high is None or low is None else float(high * 10 + low)


def _one_consent(text: str, percent: bool) -> tuple[float | None, str | None, str | None]:
    """One cell's (share, level, problem), the text already folded (NFKC, stripped)."""
    if level := _WORD_LEVEL.get(text.lower()):
        return None, level, None
    body = _BOUND.match(text)
    core = body["body"].strip() if body else text
    share: float | None = None
    if match := _SHARE.match(core):
        share = float(match["n"])
        share = share / 100 if match["pct"] or percent or abs(share) > 1 else share
    elif match := _OF.match(core):
        share = float(match["a"]) / float(match["b"]) if float(match["b"]) else None
    elif match := _TENTHS.match(core):
        tenths = _chinese_number(match["t"]) if not match["t"].isdigit() else float(match["t"])
        extra = match["h"] or "零"
        hundredths = float(extra) if extra.isdigit() else _DIGITS[extra]
        share = None if tenths is None else tenths / 10 + hundredths / 100
    elif match := _HUNDREDTHS.match(core):
        n = match["n"]
        value = float(n) if n[0].isdigit() else _chinese_number(n)
        share = None if value is None else value / 100
    if share is None:
        return None, None, "consent_unread"
    if not 0 <= share <= 1:
        return None, None, "consent_out_of_range"
    return share, None, None


def read_consent(cells: pd.Series, *, percent: bool = False) -> pd.DataFrame:
    """
    Residents' consent as a ledger writes it: a share, a percent, 八成, or a word.

    ``85%``, ``0.85``, ``85`` (above 1: a percent; every number when ``percent``, the header
    saying %), ``80%以上`` and ``约85%`` (a bound or an estimate reads as its number),
    ``八成``/``八成五``/``8成``, ``百分之八十``, ``45/50`` (agreeing of asked) become
    ``share`` (0-1). A word of :data:`CONSENT_WORDS` (同意, 不同意, 强烈 …) becomes ``level``
    (``agreed``, ``not_agreed``, ``strong``) and no share: the word is kept, never turned
    into a number it did not say. Anything else has a ``problem``: ``consent_out_of_range``
    (below 0 or above 100 %), ``consent_scale`` (a column of bare numbers 0 to 10 with one
    above 1: a 1-5 or 1-10 scale, whose "4" is not 4 %) or ``consent_unread``. Empty cells
    are no data, no problem. Same index as ``cells``.
    """
    text = _cells.normalise_text(cells).fillna("")
    codes, uniques = pd.factorize(text)
    found = [_one_consent(t, percent) if t else (None, None, None) for t in uniques]
    # A column of bare small whole numbers (1 to 5, 1 to 10) with one above 1 is a scale, not
    # a share nor a percent: "4" is not 4 % agreeing. Its numbers are not read as either.
    bare = pd.Series(uniques, dtype="string").str.fullmatch(r"\d+")
    numbers = pd.to_numeric(pd.Series(uniques)[bare.to_numpy(dtype=bool)])
    if not percent and len(numbers) and numbers.max() <= 10 and (numbers > 1).any():
        found = [
            (None, None, "consent_scale") if is_bare else one
            for one, is_bare in zip(found, bare.to_numpy(dtype=bool), strict=True)
        ]
    table = pd.DataFrame(found, columns=["share", "level", "problem"])
    picked = table.iloc[codes].reset_index(drop=True)
    return pd.DataFrame(
        {
            "share": pd.array(
                picked["share"].to_numpy(dtype="float64", na_value=np.nan), "Float64"
            ),
            "level": pd.array(picked["level"].to_numpy(dtype=object), dtype="string"),
            "problem": picked["problem"].to_numpy(dtype=object),
        },
        index=cells.index,
    )


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
    if "consent_level" in rows:
        # A word (同意, 强烈) where the ledger gave no number: the value its level stands for.
        worded = rows["consent_level"].astype("string").map(CONSENT_LEVELS, na_action="ignore")
        consent = consent.fillna(pd.to_numeric(worded, errors="coerce").astype("float64"))
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


def _missing_parts(known: pd.DataFrame, used: list[str]) -> np.ndarray:
    """
    Each row's weighed parts without data, comma-separated in :data:`PARTS` order ("" if none).

    Column by column over the rows, not row by row: a national ledger's 300,000 candidates
    took seconds one ``.at`` at a time.
    """
    out = np.full(len(known), "", dtype=object)
    for part in used:
        lacks = ~known[part].to_numpy(dtype=bool)
        joined = np.where(out == "", part, out + "," + part)
        out = np.where(lacks, joined, out)
    return out


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
    # Tied as shown: the score is written with two decimals (layers.priorities), and two rows
    # both reading 0.67 are not ranked apart by what the planner cannot see.
    rounded = score.round(SCORE_DECIMALS)
    out["rank"] = rounded.rank(ascending=False, method="min").astype("Int64")
    out["tied"] = rounded.duplicated(keep=False) & rounded.notna()
    out["parts_missing"] = _missing_parts(known, [k for k in PARTS if w[k] > 0])
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


def measures_of(communities: pd.DataFrame, measured: Iterable[object]) -> list[pd.DataFrame]:
    """
    The measures among ``measured`` that measure these very rows: same length, same index.

    Each is a frame, or what a page keeps of its measure: :class:`geo.lifecircle.Indicators`
    (its ``communities``) or :class:`geo.reach.Reach` (its ``near``); anything else is left.
    """
    frames = []
    for one in measured:
        frame = one if isinstance(one, pd.DataFrame) else getattr(one, "communities", None)
        frame = getattr(one, "near", None) if frame is None else frame
        if not isinstance(frame, pd.DataFrame) or len(frame) != len(communities):
            continue
        if frame.index.equals(communities.index):
            frames.append(frame)
    return frames


def with_measures(communities: pd.DataFrame, *measured: pd.DataFrame | None) -> pd.DataFrame:
    """
    ``communities`` with the columns the parts read from measures of the same rows.

    Each of ``measured`` is what :func:`geo.lifecircle.measure` (``pass_`` columns) or
    :func:`geo.reach.community_reach` (the wheelchair distance to an accessible stop) returned
    for these very communities: same index, same length; any other frame is ignored (a
    measure of another ledger never lends its numbers). Columns the ledger has are kept.
    """
    out = communities.copy()
    for frame in measures_of(communities, measured):
        wanted = [c for c in frame.columns if str(c).startswith("pass_") or c in _MEASURED]
        for column in wanted:
            if column not in out:
                out[column] = frame[column].to_numpy()
    return out


def candidates_of(
    communities: pd.DataFrame, among: str, measured: Iterable[pd.DataFrame] = ()
) -> tuple[pd.DataFrame, set[str]]:
    """
    The candidates :func:`select_candidates` names, with the measures of all ``communities``.

    Returns them and the parts of :data:`MEASURED_PARTS` they hold already
    (:func:`measured_parts`): what the 生活圈 and 步行可达 pages measured is kept, not
    measured again.
    """
    rows = select_candidates(with_measures(communities, *measured), among)
    return rows, measured_parts(rows)


def rank(
    communities: pd.DataFrame,
    *,
    among: str = "planned",
    preset: str = "balanced",
    weights: dict[str, float] | None = None,
    measured: tuple[pd.DataFrame | None, ...] = (),
    year: int | None = None,
) -> pd.DataFrame:
    """
    The ranking the 优先 page and ``atlas priorities`` share: candidates chosen, then ranked.

    The measures of the same rows (``measured``, :func:`with_measures`) lend their columns,
    the rows :data:`CANDIDATES` names by ``among`` are kept (an uploaded list of candidates
    is ranked whole: ``among="all"``), and :func:`prioritise` ranks them by ``weights``, else
    the ``preset``'s, for ``year`` (this year in Beijing by default).
    """
    chosen = select_candidates(with_measures(communities, *measured), among)
    when = dates.today().year if year is None else year
    return prioritise(chosen, preset=preset, weights=weights, year=when)


#: The parts measured on a street network, not read from the ledger: the reach gap and the
#: life circle's lacks.
MEASURED_PARTS = ("access_gap", "life_circle_gap")
#: Why a measured part could not be computed for a list, the first that applies: no walking
#: network (no OSM extract), not one row with a point, the source maps nothing of the kind
#: (no accessible stop, no life-circle category), or no row with a point on the network.
UNMEASURED = ("no_network", "no_points", "not_in_source", "off_network")


@dataclasses.dataclass(frozen=True)
class ListMeasures:
    """
    What :func:`measure_list` measured of a list's rows, for :func:`rank`'s ``measured``.

    ``frames`` are the measures (same index as the list); ``measured`` counts, per part of
    :data:`MEASURED_PARTS`, the rows that got a value; ``unmeasured`` says, per part no row
    got, why (a code of :data:`UNMEASURED`); ``profile`` is the life circle's walker.
    """

    frames: tuple[pd.DataFrame, ...]
    measured: dict[str, int]
    unmeasured: dict[str, str]
    profile: str = "walk"


def measured_parts(rows: pd.DataFrame) -> set[str]:
    """
    The parts of :data:`MEASURED_PARTS` that ``rows`` hold a value of for at least one row.

    The wheelchair metres to an accessible stop for the reach gap, a ``pass_`` column for
    the life circle (as the 步行可达 and 生活圈 pages measure them, :func:`with_measures`).
    """
    found = set()
    stop = rows.get("wheelchair_accessible_bus_stop_m")
    if stop is not None and stop.notna().any():
        found.add("access_gap")
    passes = [c for c in rows.columns if str(c).startswith("pass_")]
    if passes and rows[passes].notna().any(axis=None):
        found.add("life_circle_gap")
    return found


def _has_point(rows: pd.DataFrame) -> np.ndarray:
    geometry = getattr(rows, "geometry", None)
    if geometry is None:
        return np.zeros(len(rows), dtype=bool)
    return (~(geometry.isna() | geometry.is_empty)).to_numpy(dtype=bool)


def _why(statuses: pd.DataFrame, has_point: np.ndarray, measured: int) -> str | None:
    """The reason no row was measured (None when one was), from the rows with a point."""
    if measured:
        return None
    values = statuses.to_numpy(dtype=object)[has_point].ravel()
    if len(values) and (values == "not_in_source").all():
        return "not_in_source"
    return "off_network"


def measure_list(
    communities: pd.DataFrame,
    network: Network | None,
    *,
    infra: Infra | None = None,
    facilities: Facilities | None = None,
    registry: Registry | None = None,
    profile: str = "walk",
    max_snap_m: float = reach.MAX_SNAP_M,
    skip: Iterable[str] = (),
) -> ListMeasures:
    """
    The reach gap and the life circle's lacks of a list's own rows, on the walking network.

    What the 步行可达 and 生活圈 pages measure of a ledger, measured here for a list that has
    no such page (an uploaded list, ``atlas priorities --candidates --osm``): the wheelchair
    metres to the nearest accessible stop (:func:`geo.reach.community_reach`, the stops of
    ``infra``) and the life-circle passes for ``profile`` (:func:`geo.lifecircle.
    community_indicators`, the categories of ``facilities``). Rows without a point or off the
    network get no value (no data, never 0); a part no row got says why in ``unmeasured``.
    The parts in ``skip`` (measured already, :func:`measured_parts`) are neither measured nor
    said missing.
    """
    has_point = _has_point(communities)
    frames: list[pd.DataFrame] = []
    measured = dict.fromkeys(MEASURED_PARTS, 0)
    unmeasured: dict[str, str] = {}
    wanted = [part for part in MEASURED_PARTS if part not in set(skip)]
    if not wanted:
        return ListMeasures((), measured, {}, profile)
    if network is None or not has_point.any():
        reason = "no_network" if network is None else "no_points"
        return ListMeasures((), measured, dict.fromkeys(wanted, reason), profile)
    if "access_gap" not in wanted:
        pass
    elif infra is None:
        unmeasured["access_gap"] = "not_in_source"
    else:
        near = reach.community_reach(
            communities, infra, network, profiles=("wheelchair",),
            types=("accessible_bus_stop",), max_snap_m=max_snap_m,
        )  # fmt: skip
        status = near[["wheelchair_accessible_bus_stop_status"]]
        measured["access_gap"] = int(status.isin(["ok", "unreachable"]).to_numpy().sum())
        frames.append(near)
        if why := _why(status, has_point, measured["access_gap"]):
            unmeasured["access_gap"] = why
    if "life_circle_gap" not in wanted:
        pass
    elif facilities is None:
        unmeasured["life_circle_gap"] = "not_in_source"
    else:
        circle = lifecircle.community_indicators(
            communities, facilities, network, registry=registry, profile=profile,
            max_snap_m=max_snap_m,
        )  # fmt: skip
        passes = circle[[c for c in circle.columns if str(c).startswith("pass_")]]
        measured["life_circle_gap"] = int(passes.notna().any(axis=1).sum())
        frames.append(circle)
        statuses = circle[[c for c in circle.columns if str(c).startswith("status_")]]
        if why := _why(statuses, has_point, measured["life_circle_gap"]):
            unmeasured["life_circle_gap"] = why
    return ListMeasures(tuple(frames), measured, unmeasured, profile)
