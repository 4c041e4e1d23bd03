"""
The comparison of places as the compare page shows it and ``atlas compare`` writes it.

:func:`compare_places` runs :mod:`geo.compare`'s steps in the page's order (gather the
values of the chosen places' cities, make them relative, rank the chosen places) and labels
the rows in the interface's language; :func:`layers.tables.compare_csv` turns the result
into the table a planner downloads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from geo import compare
from layers.tables import compare_titles, with_labels
from layers.wording import label

__all__ = ["Comparison", "compare_places", "period_rows", "single_period"]


@dataclass(frozen=True)
class Comparison:
    """
    A comparison of places, as :func:`compare_places` makes it.

    ``table`` is :func:`geo.compare.compare_table` (one row per place and metric) with each
    place's ``label`` and source text; ``titles`` names its metrics (with the relative way
    when not ``value``); ``places`` are the chosen places, in order.
    """

    table: pd.DataFrame
    titles: dict[str, str]
    places: pd.DataFrame


def compare_places(
    figures: pd.DataFrame,
    places: pd.DataFrame,
    chosen: Sequence[str],
    metrics: Sequence[str],
    *,
    years: tuple[int, int] | None = None,
    show: str = "value",
    projects: pd.DataFrame | None = None,
    ledger_source: str = "",
    infra_table: pd.DataFrame | None = None,
    infra_source: str = "",
    lang: str = "zh",
) -> Comparison:
    """
    The ``chosen`` places compared on ``metrics``, as values or relative (``show``).

    ``chosen`` are adcodes of ``places`` (:func:`geo.compare.list_places`); ``show`` is one
    of :data:`geo.compare.RELATIVE`. Values are gathered over every place of the chosen
    places' cities, so each is ranked and set beside its city's average; a value that cannot
    be compared keeps its row with the status saying why (:mod:`geo.compare`), never a zero.
    """
    metrics = list(metrics)
    suffix = "" if show == "value" else f" · {label(f'relative_{show}', lang)}"
    titles = {m: title + suffix for m, title in compare_titles(metrics, figures, lang).items()}
    by_code = places.set_index("adcode")
    scope = places[places["city"].isin(by_code.loc[list(chosen), "city"])]
    # Per household needs the households of each source, whether chosen or not.
    bases = ["households"] + (["ledger_households"] if projects is not None else [])
    gathered = list(dict.fromkeys(metrics + (bases if show == "per_household" else [])))
    values = compare.gather_values(
        figures,
        scope,
        gathered,
        years=years,
        projects=projects,
        ledger_source=ledger_source,
        infra_table=infra_table,
        infra_source=infra_source,
    )
    values = compare.relative_values(values, show, metrics)
    chosen_places = by_code.loc[list(chosen)].reset_index()
    table = with_labels(compare.compare_table(values, list(chosen)), chosen_places, lang)
    return Comparison(table=table, titles=titles, places=chosen_places)


def period_rows(
    figures: pd.DataFrame,
    places: pd.DataFrame,
    metrics: Sequence[str],
    *,
    lang: str = "zh",
    **sources: object,
) -> pd.DataFrame:
    """
    The time view of the compared ``places``: values by year or period, labelled in ``lang``.

    :func:`geo.compare.by_period` (values as reported, whatever the comparison shows; its
    ``projects``, ``ledger_source`` and ``years`` are given as ``sources``) with each
    place's ``label`` and source text (:func:`layers.tables.with_labels`); empty where no
    value has a year or period.
    """
    rows = compare.by_period(figures, places, metrics, **sources)  # type: ignore[arg-type]
    return rows if rows.empty else with_labels(rows, places, lang)


def single_period(rows: pd.DataFrame) -> list[str]:
    """
    The metrics of :func:`period_rows` whose complete values are of one period and kind.

    One bar per place says nothing the table does not: the page charts the other metrics.
    """
    ok = rows[rows["status"] == "ok"]
    pairs = ok.drop_duplicates(["metric", "period_label", "figure_status"])["metric"]
    counts = pairs.value_counts()
    return [m for m in dict.fromkeys(rows["metric"]) if counts.get(m, 0) < 2]
