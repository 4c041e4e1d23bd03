"""
Figures as they are shown: the precision a number is written with, and ranks tied on it.

One rule, used twice: :mod:`layers.wording` writes a figure with it, and a rank is taken on
the figure rounded as written, so two districts both reading 56.8 % share their rank (a
planner reads "1st and 2nd at 56.8 %" as a contradiction). Rounding is half up, as
JavaScript's toFixed: a percentage with :data:`PERCENT_DECIMALS` decimals; any other figure
with at most :data:`DECIMALS` (46.8 km, none invented), a small ratio that would round to 0
keeping :data:`SMALL_DIGITS` significant digits (0.0041 个/户). Chinese writes households,
areas, persons and money (:data:`WAN_UNITS`) from :data:`WAN` in 万 (money from :data:`YI` in
亿) with :data:`WAN_DECIMALS` decimals (2.21 万户); English writes them whole (22,100
households), so a rank can differ by language: :func:`ranks` gives both. A document's own
figure, shown in Chinese as the document wrote it (:func:`is_written_as`), keeps its value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from geo.documents.quantities import written_quantity

__all__ = [
    "DECIMALS",
    "PERCENT_DECIMALS",
    "RANK_COLUMNS",
    "SMALL_DIGITS",
    "WAN",
    "WAN_DECIMALS",
    "WAN_UNITS",
    "WRITES_WAN",
    "YI",
    "as_shown",
    "decimals",
    "divisor",
    "is_written_as",
    "ranks",
    "rounded",
    "shown",
]

#: Decimals a percentage is shown with (56.8 %).
PERCENT_DECIMALS = 1
#: Most decimals any other figure is shown with (46.8 km; a whole number with none).
DECIMALS = 2
#: Significant digits of a small ratio that :data:`DECIMALS` would round to 0 (0.0041 个/户).
SMALL_DIGITS = 2
#: Units Chinese writes in 万 (and money in 亿) from :data:`WAN`.
WAN_UNITS = ("households", "m2", "persons", "cny")
#: 万: a figure of a :data:`WAN_UNITS` unit from this much is written in 万 in Chinese.
WAN = 1e4
#: 亿: money from this much is written in 亿 in Chinese.
YI = 1e8
#: Decimals of a figure written in 万 or 亿 (2.21 万户, 1.25 亿元).
WAN_DECIMALS = 2
#: Language → whether it writes figures in 万 and 亿 (the languages the interface speaks).
WRITES_WAN = {"zh": True, "en": False}
#: What :func:`ranks` gives: rank and ties as Chinese writes the values, then as English does.
RANK_COLUMNS = ("rank", "n_ranked", "n_tied", "rank_en", "n_tied_en")


def rounded(value: float, places: int) -> Decimal:
    """``value`` to ``places`` decimals, half up (as JavaScript's toFixed)."""
    step = Decimal(1).scaleb(-places)
    return Decimal(float(value)).quantize(step, rounding=ROUND_HALF_UP)


def divisor(value: float, unit: str, *, wan: bool) -> float:
    """What ``value`` is written divided by: 1, :data:`WAN` or :data:`YI` (``wan``: in 万)."""
    if not wan or unit not in WAN_UNITS or abs(value) < WAN:
        return 1.0
    return YI if unit == "cny" and abs(value) >= YI else WAN


def decimals(value: float, unit: str, scale: float = 1.0) -> int:
    """
    The decimals ``value`` (of ``unit``, divided by ``scale``) is written with.

    :data:`PERCENT_DECIMALS` for a percentage, :data:`WAN_DECIMALS` in 万 or 亿; else none
    for a whole number, :data:`DECIMALS`, or :data:`SMALL_DIGITS` significant digits for a
    ratio :data:`DECIMALS` would round to 0.
    """
    if unit == "percent":
        return PERCENT_DECIMALS
    if scale != 1:
        return WAN_DECIMALS
    if float(value).is_integer():
        return 0
    if value and abs(value) < 0.5 * 10.0**-DECIMALS:
        return SMALL_DIGITS - 1 - math.floor(math.log10(abs(value)))
    return DECIMALS


def shown(value: float, unit: str, *, wan: bool) -> float:
    """``value`` as it is written (in 万 or 亿 with ``wan``), back in its unit: a rank's key."""
    if value is None or pd.isna(value):
        return math.nan
    scale = divisor(value, unit, wan=wan)
    # Scaled back in decimal: 1.13 万 is 11300, not the float product 11299.999999999998.
    return float(rounded(value / scale, decimals(value / scale, unit, scale)) * Decimal(scale))


def is_written_as(as_written: object, value: float, unit: str, qualifier: object) -> bool:
    """True where ``as_written`` states exactly ``value`` in ``unit`` with this qualifier."""
    if not isinstance(as_written, str) or not as_written.strip():
        return False
    found = written_quantity(as_written)
    if found is None or found.unit != unit or found.value_max is not None:
        return False
    same_kind = found.qualifier == (qualifier if isinstance(qualifier, str) else "exact")
    return same_kind and math.isclose(float(found.value), float(value), rel_tol=1e-9)


def as_shown(values: pd.DataFrame, lang: str = "zh") -> pd.Series:
    """
    Each of ``values`` (``value``, ``unit``; ``as_written``, ``qualifier`` if any) as shown.

    As ``lang`` writes it, back in its unit: the figure :func:`ranks` ranks on (12,345
    households: 12300.0 in Chinese, 1.23 万户; 12345.0 in English). In Chinese a document's
    figure shown as written keeps its value. A missing value stays NaN.
    """
    wan = WRITES_WAN[lang]
    written = values.get("as_written", pd.Series(pd.NA, index=values.index))
    qualifier = values.get("qualifier", pd.Series(pd.NA, index=values.index))
    keys = [
        float(v) if wan and is_written_as(w, v, u, q) else shown(v, u, wan=wan)
        for v, u, w, q in zip(values["value"], values["unit"], written, qualifier, strict=True)
    ]
    return pd.Series(keys, index=values.index, dtype="float64")


def ranks(values: pd.DataFrame, by: Sequence[pd.Series]) -> pd.DataFrame:
    """
    Ranks of ``values`` (``value``, ``unit``; ``as_written``, ``qualifier`` if any) in groups.

    ``by`` are the group keys (aligned with ``values``). ``rank`` is 1 for the largest as
    shown; values equal as shown share the lowest rank and ``n_tied`` counts them;
    ``n_ranked`` is the group's size. ``rank`` and ``n_tied`` are as Chinese writes the
    values, ``rank_<lang>`` and ``n_tied_<lang>`` as each other language of
    :data:`WRITES_WAN` does. Rows with a missing value must be left out by the caller.
    """
    out = pd.DataFrame(index=values.index)
    # The groups numbered once: the key columns are factorised one time, not per language.
    group = values.groupby(list(by), dropna=False, sort=False).ngroup()
    out["n_ranked"] = group.groupby(group).transform("size")
    for lang in WRITES_WAN:
        key = as_shown(values, lang)
        suffix = "" if lang == "zh" else f"_{lang}"
        out[f"rank{suffix}"] = key.groupby(group).rank(method="min", ascending=False)
        out[f"n_tied{suffix}"] = key.groupby([group, key]).transform("size")
    return out[list(RANK_COLUMNS)]
