"""
Ledger totals against the documents' reported figures, per district (or zone) and period.

:func:`reconcile` compares, for each place a document reports on, the count of communities
and the sums of households, buildings and floor area in a ledger's clean rows with the
reported figure for the same place and period. Ledger places no document reports on are
listed too, with the result ``no_reported_figure``; reported places the ledger has no row for
get ``not_in_ledger`` and no mapped value (an empty ledger district is not a zero).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["COMPARED", "RESULTS", "reconcile"]

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


def _reported_rows(projects: pd.DataFrame, figures: pd.DataFrame) -> list[dict[str, object]]:
    """One row per reported district figure in a city and period the ledger covers."""
    dated = projects[projects["year"].notna()]
    wanted = figures[
        figures["level"].isin(["district", "zone"])
        & figures["metric"].isin(list(COMPARED))
        & (figures["role"] != "stated_total")
        & figures["city"].isin(dated["city"].dropna().unique())
        & figures["period_start"].notna()
        & figures["period_end"].notna()
    ]
    out = []
    for figure in wanted.itertuples(index=False):
        period = dated["year"].between(figure.period_start, figure.period_end)
        if not (period & (dated["city"] == figure.city)).any():
            continue  # the ledger has nothing from this city in this period
        rows = dated[period & (dated["adcode"] == figure.adcode)]
        mapped, missing = _mapped(rows, COMPARED[figure.metric])
        out.append(
            {
                "city": figure.city,
                "place": figure.place,
                "adcode": figure.adcode,
                "period": figure.period_label or f"{figure.period_start}–{figure.period_end}",
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


def _unreported_rows(projects: pd.DataFrame, covered: pd.DataFrame) -> list[dict[str, object]]:
    """Ledger (place, year) groups that no reported figure covered."""
    out = []
    keys = ["city", "district", "adcode", "year"]
    grouped = projects.assign(year=projects["year"].astype("Int64")).groupby(
        keys, dropna=False, sort=True
    )
    for (city, place, adcode, year), rows in grouped:
        if pd.isna(adcode):
            continue
        hit = (
            covered[
                (covered["adcode"] == adcode)
                & (covered["period_start"] <= year)
                & (covered["period_end"] >= year)
            ]
            if not pd.isna(year)
            else covered.iloc[:0]
        )
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
                    "result": "no_year" if pd.isna(year) else "no_reported_figure",
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


def reconcile(projects: pd.DataFrame, figures: pd.DataFrame) -> pd.DataFrame:
    """
    Reported against mapped, one row per place, period and metric.

    ``projects`` are a ledger's clean rows (:attr:`geo.records.Ledger.projects`); ``figures``
    come from :func:`geo.figures.load_figures`. ``mapped`` is the ledger's count or sum
    (missing when the ledger has no row there, or no row with that value);
    ``rows_missing_value`` says how many ledger rows lacked the value, so a partial sum is
    visible. ``difference`` is mapped − reported. ``result`` is one of :data:`RESULTS`:
    ``incomplete`` when some rows lack the value (the sum is partial), ``no_mapped_value``
    when all do, ``at_least_met``/``below_at_least`` for figures written with 余/多/超.
    Every reported row carries its figure's source columns.
    """
    reported = pd.DataFrame(_reported_rows(projects, figures))
    covered = (
        reported
        if len(reported)
        else pd.DataFrame(columns=["adcode", "period_start", "period_end"])
    )
    table = pd.concat(
        [reported, pd.DataFrame(_unreported_rows(projects, covered))], ignore_index=True
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
    ]
    table = table.reindex(columns=[*columns, "period_start", "period_end"])
    if table.empty:
        return table[columns]
    table["reported"] = pd.to_numeric(table["reported"], errors="coerce")
    table["mapped"] = pd.to_numeric(table["mapped"], errors="coerce")
    table["difference"] = table["mapped"] - table["reported"]
    table["result"] = _judge(table)
    order = table["metric"].map({m: i for i, m in enumerate(COMPARED)})
    table = table.assign(_order=order).sort_values(["city", "adcode", "period_start", "_order"])
    return table[columns].reset_index(drop=True)
