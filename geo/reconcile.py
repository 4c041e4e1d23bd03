"""
Ledger totals against the documents' reported figures, per district (or zone) and period.

:func:`reconcile` compares, for each place a document reports on, the count of communities
and the sums of households, buildings and floor area in a ledger's clean rows with the
reported figure for the same place and period. Ledger places no document reports on are
listed too, with the result ``no_reported_figure``; reported places the ledger has no row for
get ``not_in_ledger`` and no mapped value (an empty ledger district is not a zero).

A ledger with no year column cannot be matched period by period (every row would be
``no_year``): it is compared over all periods instead (``by="all"``), its whole total per
place against each reported figure of the place, and the ``compared`` column says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.dates import period_code

__all__ = ["BY", "COMPARED", "RESULTS", "reconcile", "reconcile_by"]

#: How ledger rows meet the documents' periods: ``year`` (rows whose year lies in the
#: figure's period) or ``all`` (every row of the place, whatever its year).
BY = ("year", "all")

#: Figure metric → ledger column (``None``: count rows).
COMPARED = {
    "communities": None,
    "households": "households",
    "buildings": "buildings",
    "floor_area_m2": "floor_area_m2",
}
#: Every value of the ``result`` column.
RESULTS = (
    "match",
    "incomplete",
    "no_mapped_value",
    "differs",
    "at_least_met",
    "below_at_least",
    "not_in_ledger",
    "no_reported_figure",
    "no_year",
)
_SOURCE = ["figure_id", "doc_number", "seed_file", "seed_line", "as_written"]


def reconcile_by(projects: pd.DataFrame) -> str:
    """``year`` when some of the ledger's rows give a year, else ``all`` (see :data:`BY`)."""
    return "year" if projects["year"].notna().any() else "all"


def _sums(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """
    Per group of ``keys``: ``rows``, and for each summed column its sum and missing count.

    A sum over rows that all lack the value is missing, not 0 (``<column>`` is NA there).
    """
    values = frame[keys].copy()
    columns = [c for c in COMPARED.values() if c is not None]
    for column in columns:
        numbers = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        values[column] = numbers
        values[f"{column}_known"] = numbers.notna()
    grouped = values.groupby(keys, dropna=False, sort=True)
    out = grouped.size().rename("rows").to_frame()
    for column in columns:
        out[column] = grouped[column].sum()
        known = grouped[f"{column}_known"].sum()
        out[f"{column}_missing"] = out["rows"] - known
        out[column] = out[column].where(known > 0)
    return out.reset_index()


def _metric_rows(groups: pd.DataFrame) -> pd.DataFrame:
    """Each group's rows once per compared metric, in :data:`COMPARED` order: mapped, missing."""
    repeated = groups.loc[groups.index.repeat(len(COMPARED))].reset_index(drop=True)
    metrics = np.tile(np.array(list(COMPARED), dtype=object), len(groups))
    repeated["metric"] = metrics
    mapped = pd.Series(np.nan, index=repeated.index, dtype="float64")
    missing = pd.Series(0, index=repeated.index, dtype="int64")
    for metric, column in COMPARED.items():
        at = metrics == metric
        if column is None:
            mapped[at] = repeated.loc[at, "rows"]
        else:
            mapped[at] = repeated.loc[at, column]
            missing[at] = repeated.loc[at, f"{column}_missing"]
    repeated["mapped"] = mapped.astype(object).where(mapped.notna(), pd.NA)
    repeated["rows_missing_value"] = missing
    return repeated


def _reported_rows(projects: pd.DataFrame, figures: pd.DataFrame, by: str) -> pd.DataFrame:
    """One row per reported district figure in a city (and period, by year) the ledger covers."""
    dated = projects[projects["year"].notna()] if by == "year" else projects
    wanted = figures[
        figures["level"].isin(["district", "zone"])
        & figures["metric"].isin(list(COMPARED))
        & (figures["role"] != "stated_total")
        & figures["city"].isin(dated["city"].dropna().unique())
    ]
    if by == "year":
        wanted = wanted[wanted["period_start"].notna() & wanted["period_end"].notna()]
    wanted = wanted.reset_index(drop=True)
    if wanted.empty:
        return pd.DataFrame()
    # The ledger's totals per place (and year), then each figure takes those of its period:
    # a few thousand groups joined with the figures, never a pass over the rows per figure.
    year = dated["year"].astype("Int64") if by == "year" else pd.Series(0, index=dated.index)
    keyed = dated.assign(year=year)
    places = _sums(keyed[keyed["adcode"].notna()], ["adcode", "year"])
    cities = keyed[["city", "year"]].dropna().drop_duplicates()
    figure = wanted[["city", "adcode", "period_start", "period_end"]].assign(figure=wanted.index)
    seen = _in_period(figure.merge(cities, on="city"), by)["figure"].unique()
    found = _in_period(figure.drop(columns="city").merge(places, on="adcode"), by)
    summed = found.groupby("figure").agg(
        rows=("rows", "sum"),
        **{c: (c, "sum") for c in COMPARED.values() if c},
        **{f"{c}_known": (c, "count") for c in COMPARED.values() if c},
        **{f"{c}_missing": (f"{c}_missing", "sum") for c in COMPARED.values() if c},
    )
    # The ledger has nothing from the figure's city in its period: no row for that figure.
    wanted = wanted.loc[np.sort(seen)]
    summed = summed.reindex(wanted.index)
    rows = summed["rows"].fillna(0).astype("int64").to_numpy()
    mapped = pd.Series(pd.NA, index=wanted.index, dtype=object)
    missing = pd.Series(0, index=wanted.index, dtype="int64")
    for metric, column in COMPARED.items():
        at = (wanted["metric"] == metric).to_numpy() & (rows > 0)
        if column is None:
            mapped[at] = rows[at]
            continue
        known = summed[f"{column}_known"].fillna(0).to_numpy() > 0
        mapped[at & known] = summed.loc[at & known, column]
        missing[at] = summed.loc[at, f"{column}_missing"].fillna(0).astype("int64")
    period = wanted["period_label"].where(
        wanted["period_label"].notna() & (wanted["period_label"] != ""),
        _period_text(wanted["period_start"], wanted["period_end"]),
    )
    return pd.DataFrame(
        {
            "city": wanted["city"],
            "place": wanted["place"],
            "adcode": wanted["adcode"],
            "period": period,
            "period_start": wanted["period_start"],
            "period_end": wanted["period_end"],
            "reported_status": wanted["status"],
            "metric": wanted["metric"],
            "reported": wanted["value"],
            "qualifier": wanted["qualifier"],
            "mapped": mapped,
            "ledger_rows": rows,
            "rows_missing_value": missing,
            **{c: wanted[c] for c in _SOURCE},
        }
    ).reset_index(drop=True)


def _in_period(pairs: pd.DataFrame, by: str) -> pd.DataFrame:
    """The (figure, ledger group) pairs whose year lies in the figure's period (all, by all)."""
    if by != "year":
        return pairs
    return pairs[(pairs["year"] >= pairs["period_start"]) & (pairs["year"] <= pairs["period_end"])]


def _period_text(start: pd.Series, end: pd.Series) -> pd.Series:
    """A period no document named, as a :func:`geo.dates.period_code` layers word; else ""."""
    # Worded once per distinct period: a national ledger's ~17k groups hold a few dozen.
    pairs = pd.MultiIndex.from_arrays([start, end])
    distinct = pairs.unique()
    codes = [period_code(a, b) or "" for a, b in distinct]
    return pd.Series(
        np.asarray(codes, dtype=object)[distinct.get_indexer(pairs)],
        index=start.index,
        dtype=object,
    )


def _unreported_rows(projects: pd.DataFrame, covered: pd.DataFrame, by: str) -> pd.DataFrame:
    """Ledger (place, year) groups, or places by ``all``, that no reported figure covered."""
    keys = ["city", "district", "adcode", "year"]
    years = projects["year"].astype("Int64") if by == "year" else pd.NA
    placed = projects.assign(year=years)
    groups = _sums(placed[placed["adcode"].notna()], keys)
    if by == "all":
        hit = groups["adcode"].isin(set(covered["adcode"]))
    else:
        # A group is covered when some figure of its place has a period holding its year.
        spans = covered[["adcode", "period_start", "period_end"]].drop_duplicates()
        pairs = groups[["adcode", "year"]].reset_index().merge(spans, on="adcode")
        pairs = pairs[pairs["year"].notna()]
        inside = (pairs["year"] >= pairs["period_start"]) & (pairs["year"] <= pairs["period_end"])
        hit = groups.index.isin(pairs.loc[inside.fillna(False), "index"])
    groups = groups[~np.asarray(hit)].reset_index(drop=True)
    if groups.empty:
        return pd.DataFrame()
    out = _metric_rows(groups)
    undated = out["year"].isna()
    return pd.DataFrame(
        {
            "city": out["city"],
            "place": out["district"],
            "adcode": out["adcode"],
            "period": _period_text(out["year"], out["year"]),
            "period_start": out["year"],
            "period_end": out["year"],
            "metric": out["metric"],
            "mapped": out["mapped"],
            "ledger_rows": out["rows"],
            "rows_missing_value": out["rows_missing_value"],
            "result": np.where(undated & (by == "year"), "no_year", "no_reported_figure"),
        }
    )


def _judge(table: pd.DataFrame) -> pd.Series:
    reported = pd.to_numeric(table["reported"], errors="coerce")
    mapped = pd.to_numeric(table["mapped"], errors="coerce")
    at_least = (table["qualifier"] == "at_least").fillna(False).to_numpy(dtype=bool)
    result = np.select(
        [
            table["result"].notna(),
            table["ledger_rows"] == 0,
            mapped.isna(),
            table["rows_missing_value"] > 0,
            at_least & (mapped >= reported),
            at_least,
            mapped == reported,
        ],
        [
            table["result"],
            "not_in_ledger",
            "no_mapped_value",
            "incomplete",
            "at_least_met",
            "below_at_least",
            "match",
        ],
        default="differs",
    )
    return pd.Series(result, index=table.index)


def reconcile(projects: pd.DataFrame, figures: pd.DataFrame, *, by: str = "auto") -> pd.DataFrame:
    """
    Reported against mapped, one row per place, period and metric.

    ``projects`` are a ledger's clean rows (:attr:`geo.records.Ledger.projects`); ``figures``
    come from :func:`geo.figures.load_figures`. ``mapped`` is the ledger's count or sum
    (missing when the ledger has no row there, or no row with that value);
    ``rows_missing_value`` says how many ledger rows lacked the value, so a partial sum is
    visible. ``difference`` is mapped − reported. ``result`` is one of :data:`RESULTS`:
    ``incomplete`` when some rows lack the value (the sum is partial), ``no_mapped_value``
    when all do, ``at_least_met``/``below_at_least`` for figures written with 余/多/超.
    Every reported row carries its figure's source columns. ``by`` is one of :data:`BY`, or
    ``auto`` (:func:`reconcile_by`: all periods when the ledger gives no year); ``compared``
    says which was used.
    """
    if by == "auto":
        by = reconcile_by(projects)
    if by not in BY:
        raise ValueError(f"Expected by to be one of {BY} or 'auto', got {by!r}.")
    reported = _reported_rows(projects, figures, by)
    covered = (
        reported
        if len(reported)
        else pd.DataFrame(columns=["adcode", "period_start", "period_end"])
    )
    parts = [reported, _unreported_rows(projects, covered, by)]
    table = (
        pd.concat([p for p in parts if len(p)], ignore_index=True)
        if any(map(len, parts))
        else pd.DataFrame()
    )
    columns = [
        "city",
        "place",
        "adcode",
        "period",
        "metric",
        "reported",
        "qualifier",
        "mapped",
        "difference",
        "result",
        "ledger_rows",
        "rows_missing_value",
        "reported_status",
        *_SOURCE,
        "compared",
    ]
    table = table.reindex(columns=[*columns, "period_start", "period_end"])
    table["compared"] = by
    if table.empty:
        return table[columns]
    table["reported"] = pd.to_numeric(table["reported"], errors="coerce")
    table["mapped"] = pd.to_numeric(table["mapped"], errors="coerce")
    table["difference"] = table["mapped"] - table["reported"]
    table["result"] = _judge(table)
    order = table["metric"].map({m: i for i, m in enumerate(COMPARED)})
    table = table.assign(_order=order).sort_values(["city", "adcode", "period_start", "_order"])
    return table[columns].reset_index(drop=True)
