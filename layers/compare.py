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

import altair as alt
import pandas as pd

from geo import compare
from layers.charts import compare_chart, period_chart
from layers.spreadsheets import csv_bytes
from layers.tables import compare_csv, compare_titles, period_values, with_labels
from layers.wording import label, listed_text, mixed_periods_text, place_labels

__all__ = [
    "Comparison",
    "TimeView",
    "compare_charts",
    "compare_places",
    "comparison_csv",
    "comparison_notes",
    "default_metrics",
    "linked_cities",
    "period_rows",
    "single_period",
    "time_view",
    "unsuited_modes",
]


@dataclass(frozen=True)
class Comparison:
    """
    A comparison of places, as :func:`compare_places` makes it.

    ``table`` is :func:`geo.compare.compare_table` (one row per place and metric) with each
    place's ``label`` and source text, ranked as ``lang`` shows the values; ``titles`` names
    its metrics (with the relative way when not ``value``); ``places`` are the chosen places,
    in order; ``lang`` is the language of the labels, titles and ranks.
    """

    table: pd.DataFrame
    titles: dict[str, str]
    places: pd.DataFrame
    lang: str = "zh"


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
    table = with_labels(
        _ranks_in(compare.compare_table(values, list(chosen)), lang), chosen_places, lang
    )
    return Comparison(table=table, titles=titles, places=chosen_places, lang=lang)


def _ranks_in(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """
    ``table`` with ``rank``, ``n_tied`` and ``value_shown`` as ``lang`` writes the values.

    The page's table, chart and download then give the ranks its words show: 12,345 and
    12,349 households are two ranks in English, one (1.23 万户) in Chinese.
    """
    if f"rank_{lang}" not in table:
        return table
    return table.assign(
        rank=table[f"rank_{lang}"],
        n_tied=table[f"n_tied_{lang}"],
        value_shown=table[f"value_shown_{lang}"],
    )


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


def compare_charts(compared: Comparison, lang: str = "zh") -> list[tuple[str, alt.LayerChart]]:
    """One bar chart per metric, under its title: the places side by side, missing ones marked."""
    table = compared.table
    return [
        (title, compare_chart(table[table["metric"] == m], metric_name=title, lang=lang))
        for m, title in compared.titles.items()
    ]


def comparison_csv(compared: Comparison) -> bytes:
    """
    The comparison a planner downloads: :func:`layers.tables.compare_csv` as CSV bytes.

    In the comparison's language (headers, words and ranks, as the page it came from), UTF-8
    with the BOM Excel needs (:func:`layers.spreadsheets.csv_bytes`).
    """
    return csv_bytes(compare_csv(compared.table, compared.titles, compared.lang))


def comparison_notes(
    compared: Comparison, metrics: Sequence[str], infra_name: str | None, lang: str = "zh"
) -> tuple[str | None, str | None]:
    """
    What the page says above and below the comparison's table, or None for each.

    The warning naming metrics whose ranked values mix periods or kinds; the note naming the
    accessibility dataset ``infra_name`` when one of ``metrics`` is its measure.
    """
    mixed = compare.mixed_periods(compared.table)
    warning = mixed_periods_text(mixed, compared.titles, lang) if mixed else None
    measured = any(m.startswith(compare.INFRA_PREFIX) for m in metrics)
    note = None
    if infra_name is not None and measured:
        note = label("compare_infra_note", lang).format(name=infra_name)
    return warning, note


def linked_cities(linked: Sequence[str], seeds: Sequence[str]) -> list[str]:
    """
    The cities a comparison opens with, given the cities of the places a link names.

    None (which the page reads as the ``seeds``) unless one of the ``linked`` cities is not a
    seed; then the ``seeds`` and the ``linked`` cities, once each, in that order.
    """
    extra = [city for city in linked if city not in seeds]
    return list(dict.fromkeys([*seeds, *extra])) if extra else []


def default_metrics(options: Sequence[str]) -> list[str]:
    """
    The metrics a comparison opens with: households as reported, and the ledger's.

    Those of them among ``options`` (:func:`geo.compare.metric_options`: the ledger's only
    when a ledger is loaded, reported households only where the cities report them).
    """
    return [m for m in ("households", "ledger_households") if m in options]


def unsuited_modes(dropped: Sequence[str], lang: str = "zh") -> tuple[list[str], list[str]]:
    """
    The notes for the ways of comparing a link named that do not suit the chosen metrics.

    Values of :data:`geo.compare.RELATIVE` among ``dropped`` are said in words, with why they
    are gone; the other values dropped are returned as they are, for the page's one warning.
    """
    notes = [
        label("compare_mode_unsuited", lang).format(mode=label(f"relative_{how}", lang))
        for how in dropped
        if how in compare.RELATIVE
    ]
    return notes, [how for how in dropped if how not in compare.RELATIVE]


@dataclass(frozen=True)
class TimeView:
    """
    The compare page's time view of :func:`time_view`.

    ``charts`` are the (title, chart) of each metric with values of two periods or kinds or
    more; ``single_note`` names the metrics of a single period (None when there is none), not
    escaped; ``table`` lists every value (:func:`layers.tables.period_values`).
    """

    charts: list[tuple[str, alt.Chart]]
    single_note: str | None
    table: pd.DataFrame


def time_view(
    figures: pd.DataFrame,
    places: pd.DataFrame,
    metrics: Sequence[str],
    *,
    lang: str = "zh",
    **sources: object,
) -> TimeView | None:
    """
    The values of ``places`` by year or period, charted where they span several; None if none.

    :func:`period_rows` (``sources`` as it takes them); the metrics are named as reported
    (:func:`layers.tables.compare_titles`), whatever way the comparison shows them.
    """
    rows = period_rows(figures, places, metrics, lang=lang, **sources)
    if rows.empty:
        return None
    titles = compare_titles(list(metrics), figures, lang)
    single = single_period(rows)
    shown = place_labels(places, lang).tolist()
    charts = [
        (titles[metric], period_chart(of_metric, places=shown, lang=lang))
        for metric, of_metric in rows.groupby("metric", sort=False)
        if metric not in single
    ]
    listed = listed_text((titles[m] for m in single), lang)
    note = label("compare_one_period", lang).format(metrics=listed) if single else None
    return TimeView(charts=charts, single_note=note, table=period_values(rows, titles, lang))
