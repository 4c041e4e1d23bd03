"""
How complete the data are.

Which figures each district has, from which document, how old; and tallies of a ledger's
quarantine and reconciliation.

:func:`completeness` gives one row per place (a city, district or zone, from
:func:`geo.compare.list_places`) and metric family (:data:`FAMILIES`), every place kept
whether or not any document reports on it; :func:`without_figures` lists the places with no
figure at all. Ages are counted from the ``today`` the caller passes, so the result does not
change with the clock during a test.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import pandas as pd

__all__ = [
    "FAMILIES",
    "by_place",
    "completeness",
    "metric_family",
    "quarantine_by_reason",
    "reconciliation_by_result",
    "without_figures",
]

#: Metric family → the figure metrics it holds (``data/metrics.csv``); any other metric is
#: counted under ``other``, never dropped.
FAMILIES: dict[str, tuple[str, ...]] = {
    "scale": ("communities", "projects", "households", "residents", "buildings", "floor_area_m2"),
    "stock": (
        "communities_total",
        "communities_pre2005",
        "share_of_city_households",
        "share_of_district_communities",
        "share_of_city_old_communities",
    ),
    "funding": ("subsidy_cny", "property_management_award_cny", "elderly_retrofit_investment_cny"),
    "elderly": ("elderly_homes_retrofitted",),
    "accessibility": (
        "tactile_paving_new_km",
        "accessible_bus_stops",
        "curb_ramps",
        "sidewalk_km",
        "tactile_paving_km",
        "tactile_paving_rate",
    ),
    "demolition": (
        "illegal_structures_removed",
        "illegal_structures_removed_m2",
        "self_demolition_rate",
    ),
    "services": ("community_rooms_built", "service_outlets_built", "convenience_facilities_added"),
}
_FAMILY_OF = {metric: family for family, members in FAMILIES.items() for metric in members}
_DAYS_PER_YEAR = 365.25


def metric_family(metric: str) -> str:
    """The family of a figure metric, ``other`` for one not in :data:`FAMILIES`."""
    return _FAMILY_OF.get(metric, "other")


def _place_figures(figures: pd.DataFrame, place: Any) -> pd.DataFrame:
    """A district's or zone's own figures; a city's city-wide and urban-area figures."""
    if place.tier == "city":
        return figures[
            (figures["city"] == place.city) & figures["level"].isin(["city", "urban_area"])
        ]
    return figures[
        (figures["adcode"] == place.adcode) & figures["level"].isin(["district", "zone"])
    ]


def _joined(values: Iterable[object]) -> str:
    kept = [str(v) for v in values if not pd.isna(v) and str(v) != ""]
    return "; ".join(dict.fromkeys(kept))


def _family_row(rows: pd.DataFrame, today: datetime.date) -> dict[str, object]:
    """Counts, documents and ages of one place's figures of one family."""
    if rows.empty:
        return {"has_figure": False, "n_figures": 0}
    documents = rows["doc_number"].where(rows["doc_number"].fillna("") != "", rows["title"])
    dates = pd.to_datetime(rows["doc_date"].replace("", pd.NA), format="%Y-%m-%d")
    latest_date = dates.max()
    latest_end = rows["period_end"].max()
    return {
        "has_figure": True,
        "n_figures": len(rows),
        "metrics": _joined(rows["metric"]),
        "periods": _joined(rows["period_label"]),
        "documents": _joined(documents),
        "issuers": _joined(rows["issuer"]),
        "doc_dates": _joined(rows["doc_date"]),
        "seed_lines": _joined(rows["seed_file"] + ":" + rows["seed_line"].astype(str)),
        "latest_doc_date": pd.NA if pd.isna(latest_date) else latest_date.date().isoformat(),
        "latest_period_end": latest_end,
        "doc_age_years": (
            pd.NA
            if pd.isna(latest_date)
            else round((today - latest_date.date()).days / _DAYS_PER_YEAR, 1)
        ),
        "period_age_years": pd.NA if pd.isna(latest_end) else today.year - int(latest_end),
    }


def completeness(
    figures: pd.DataFrame, places: pd.DataFrame, *, today: datetime.date
) -> pd.DataFrame:
    """
    Which figure families each place has, from which documents, and how old they are.

    One row per place of ``places`` and family (every family of :data:`FAMILIES`, plus
    ``other`` if a figure falls outside them), in the order of ``places``. ``has_figure``
    is false and the source columns empty where no document reports that family;
    ``has_any_figure`` is false for a place with no figure at all, which is kept, not dropped.
    ``documents`` gives each document number (or title, for an unnumbered one),
    ``seed_lines`` the seed file and line of each figure. ``doc_age_years`` is the age of the
    newest document on ``today`` (missing when it is undated) and ``period_age_years`` the
    years since the end of the latest period reported.
    """
    families = list(FAMILIES)
    if (figures["metric"].map(metric_family) == "other").any():
        families.append("other")
    records = []
    for place in places.itertuples(index=False):
        own = _place_figures(figures, place)
        family = own["metric"].map(metric_family)
        for name in families:
            records.append(
                {
                    "city": place.city,
                    "place": place.place,
                    "adcode": place.adcode,
                    "level": place.level,
                    "family": name,
                    **_family_row(own[family == name], today),
                }
            )
    columns = [
        "city",
        "place",
        "adcode",
        "level",
        "family",
        "has_figure",
        "n_figures",
        "metrics",
        "periods",
        "documents",
        "issuers",
        "doc_dates",
        "seed_lines",
        "latest_doc_date",
        "latest_period_end",
        "doc_age_years",
        "period_age_years",
    ]
    table = pd.DataFrame.from_records(records, columns=columns)
    table["has_figure"] = table["has_figure"].astype(bool)
    for column in ("n_figures", "latest_period_end", "period_age_years"):
        table[column] = pd.to_numeric(table[column]).astype("Int64")
    table["doc_age_years"] = pd.to_numeric(table["doc_age_years"]).astype("Float64")
    table["has_any_figure"] = table.groupby("adcode", sort=False)["has_figure"].transform("any")
    return table


def by_place(table: pd.DataFrame) -> pd.DataFrame:
    """
    One row per place of a :func:`completeness` table: its figures across families.

    ``families`` counts the families with a figure; ``documents``, ``issuers`` and
    ``seed_lines`` list them once each; the dates and ages are of the newest document and the
    latest period. A place with no figure keeps its row, with zeros and empty sources.
    """

    def union(values: pd.Series) -> str:
        return _joined(part for text in values.dropna() for part in str(text).split("; "))

    grouped = table.groupby("adcode", sort=False)
    places = grouped[["city", "place", "level", "has_any_figure"]].first()
    places["families"] = grouped["has_figure"].sum().astype("Int64")
    places["n_figures"] = grouped["n_figures"].sum().astype("Int64")
    for column in ("documents", "issuers", "seed_lines"):
        places[column] = grouped[column].agg(union)
    places["latest_doc_date"] = grouped["latest_doc_date"].max()
    places["doc_age_years"] = grouped["doc_age_years"].min()
    places["latest_period_end"] = grouped["latest_period_end"].max()
    places["period_age_years"] = grouped["period_age_years"].min()
    return places.reset_index()


def without_figures(table: pd.DataFrame) -> pd.DataFrame:
    """The places of a :func:`completeness` table with no figure in any family."""
    none = table[~table["has_any_figure"]]
    return none.drop_duplicates("adcode")[["city", "place", "adcode", "level"]].reset_index(
        drop=True
    )


def quarantine_by_reason(quarantine: pd.DataFrame) -> pd.DataFrame:
    """
    Quarantined rows counted by reason, most frequent first, with the first row's particulars.

    ``quarantine`` is a ledger's or an infrastructure source's quarantine (``row``,
    ``reason``, and its ``column``, ``detail_zh``/``detail_en`` as read and
    ``detail_params``, or the ``message_zh``/``message_en`` of a version saved before).
    Columns: ``reason``, ``rows``, ``first_row`` and that row's particulars among those,
    which name the column and the value.
    """
    kept = [
        c
        for c in ("column", "detail_zh", "detail_en", "detail_params", "message_zh", "message_en")
        if c in quarantine.columns
    ]
    columns = ["reason", "rows", "first_row", *kept]
    if quarantine.empty:
        return pd.DataFrame(columns=columns)
    ordered = quarantine.sort_values("row", kind="stable")
    # The first row's own particulars, missing ones included: "first" of a groupby would
    # take each column's first non-missing value, another row's where a row has none.
    table = ordered.drop_duplicates("reason")[["reason", "row", *kept]]
    table = table.rename(columns={"row": "first_row"})
    table.insert(1, "rows", table["reason"].map(ordered["reason"].value_counts()))
    return table.sort_values(["rows", "reason"], ascending=[False, True], ignore_index=True)[
        columns
    ]


def reconciliation_by_result(table: pd.DataFrame, results: tuple[str, ...]) -> pd.DataFrame:
    """
    A reconciliation table (:func:`geo.reconcile.reconcile`) counted by result and metric.

    One row per result that occurs, in the order of ``results`` (``geo.reconcile.RESULTS``),
    with ``rows`` and one count column per metric; results not in ``results`` come last.
    """
    if table.empty:
        return pd.DataFrame(columns=["result", "rows"])
    counts = pd.crosstab(table["result"], table["metric"])
    metrics = [m for m in dict.fromkeys(table["metric"]) if m in counts.columns]
    counts = counts[metrics]
    order = [r for r in results if r in counts.index]
    order += [r for r in counts.index if r not in order]
    counts = counts.loc[order]
    counts.insert(0, "rows", counts.sum(axis=1))
    counts.columns.name = None
    return counts.rename_axis("result").reset_index()
