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


def _mapped(rows: pd.DataFrame, column: str | None) -> tuple[object, int]:
    """Count or sum of ``rows``; a sum over rows that all lack the value is missing, not 0."""
    if column is None:
        return len(rows), 0
    values = rows[column]
    missing = int(values.isna().sum())
    return (values.sum() if missing < len(values) else pd.NA), missing


def reconcile_by(projects: pd.DataFrame) -> str:
    """``year`` when some of the ledger's rows give a year, else ``all`` (see :data:`BY`)."""
    return "year" if projects["year"].notna().any() else "all"


def _reported_rows(
    projects: pd.DataFrame, figures: pd.DataFrame, by: str
) -> list[dict[str, object]]:
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
    out = []
    for figure in wanted.itertuples(index=False):
        if by == "year":
            period = dated["year"].between(figure.period_start, figure.period_end)
        else:
            period = pd.Series(True, index=dated.index)
        if not (period & (dated["city"] == figure.city)).any():
            continue  # the ledger has nothing from this city in this period
        rows = dated[period & (dated["adcode"] == figure.adcode)]
        mapped, missing = _mapped(rows, COMPARED[figure.metric])
        out.append(
            {
                "city": figure.city,
                "place": figure.place,
                "adcode": figure.adcode,
                "period": figure.period_label
                or (
                    ""
                    if pd.isna(figure.period_start)
                    else f"{figure.period_start}–{figure.period_end}"
                ),
                "period_start": figure.period_start,
                "period_end": figure.period_end,
                "reported_status": figure.status,
                "metric": figure.metric,
                "reported": figure.value,
                "qualifier": figure.qualifier,
                "mapped": mapped if len(rows) else pd.NA,
                "ledger_rows": len(rows),
                "rows_missing_value": missing,
                **{c: getattr(figure, c) for c in _SOURCE},
            }
        )
    return out


def _unreported_rows(
    projects: pd.DataFrame, covered: pd.DataFrame, by: str
) -> list[dict[str, object]]:
    """Ledger (place, year) groups, or places by ``all``, that no reported figure covered."""
    out = []
    keys = ["city", "district", "adcode", "year"]
    years = projects["year"].astype("Int64") if by == "year" else pd.NA
    grouped = projects.assign(year=years).groupby(keys, dropna=False, sort=True)
    for (city, place, adcode, year), rows in grouped:
        if pd.isna(adcode):
            continue
        if by == "all":
            hit = covered[covered["adcode"] == adcode]
        elif pd.isna(year):
            hit = covered.iloc[:0]
        else:
            hit = covered[
                (covered["adcode"] == adcode)
                & (covered["period_start"] <= year)
                & (covered["period_end"] >= year)
            ]
        if len(hit):
            continue
        for metric, column in COMPARED.items():
            mapped, missing = _mapped(rows, column)
            out.append(
                {
                    "city": city,
                    "place": place,
                    "adcode": adcode,
                    "period": "" if pd.isna(year) else f"{year}年",
                    "period_start": year,
                    "period_end": year,
                    "metric": metric,
                    "mapped": mapped,
                    "ledger_rows": len(rows),
                    "rows_missing_value": missing,
                    "result": "no_year" if pd.isna(year) and by == "year" else "no_reported_figure",
                }
            )
    return out


def _judge(table: pd.DataFrame) -> pd.Series:
    reported = pd.to_numeric(table["reported"], errors="coerce")
    mapped = pd.to_numeric(table["mapped"], errors="coerce")
    at_least = table["qualifier"] == "at_least"
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
    reported = pd.DataFrame(_reported_rows(projects, figures, by))
    covered = (
        reported
        if len(reported)
        else pd.DataFrame(columns=["adcode", "period_start", "period_end"])
    )
    table = pd.concat(
        [reported, pd.DataFrame(_unreported_rows(projects, covered, by))], ignore_index=True
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
