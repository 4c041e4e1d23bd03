"""
Places side by side.

One value per place and metric, with its status, source, rank and the city average.

Three sources give values: the documents' reported figures (:func:`reported_values`), a
ledger's clean rows (:func:`ledger_values`) and accessibility metrics per district
(:func:`infra_values`). Each returns a long table, one row per place and metric (columns
:data:`VALUE_COLUMNS`), whose ``status`` is ``ok`` for a value that can be ranked and
otherwise says why there is none, or only a partial one (:data:`STATUSES`). A missing value
stays missing: it is never 0. :func:`compare_table` ranks the ``ok`` values among the chosen
places and adds each city's average over its districts with data; :func:`by_period` lists
values per year or period for a time view.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from geo import boundaries, coverage, gazetteer, shown
from geo.dates import period_code
from geo.selection import city_headline, city_places, distinct_periods, source_text

__all__ = [
    "INFRA_PREFIX",
    "LEDGER_METRICS",
    "RELATIVE",
    "STATUSES",
    "VALUE_COLUMNS",
    "by_period",
    "cities_of_places",
    "compare_table",
    "default_places",
    "gather_values",
    "infra_values",
    "ledger_values",
    "list_places",
    "metric_kind",
    "metric_options",
    "metric_unit",
    "mixed_periods",
    "relative_modes",
    "relative_values",
    "reported_values",
    "year_range",
]

#: Compare metric → (ledger column, unit); ``None`` counts the rows (communities).
LEDGER_METRICS: dict[str, tuple[str | None, str]] = {
    "ledger_communities": (None, "count"),
    "ledger_households": ("households", "households"),
    "ledger_buildings": ("buildings", "count"),
    "ledger_floor_area_m2": ("floor_area_m2", "m2"),
}
#: Accessibility metrics are offered as ``infra_<metric>`` (``infra_tactile_rate``), so that
#: they never clash with a reported figure of the same name (``curb_ramps``).
INFRA_PREFIX = "infra_"

#: Status → meaning. Only ``ok`` values are ranked, averaged or drawn as bars; the accessibility
#: statuses of :data:`geo.coverage.STATUSES` pass through unchanged.
STATUSES: dict[str, str] = {
    "ok": "a complete value",
    "no_figure": "no document reports this figure for the place: no data, not zero",
    "sum_of_parts": "no city-wide figure; the value sums the districts and zones that report "
    "one, so it is a lower bound",
    "urban_area": "the figure covers the main urban area only, not the whole city",
    "not_in_ledger": "the ledger has no row for the place: no data, not zero",
    "no_mapped_value": "the ledger's rows for the place all lack this value",
    "incomplete": "some of the ledger's rows lack this value, so the sum is a lower bound",
    "not_computed": "not computed for this kind of place",
    "no_year": "the ledger rows give no year",
    "no_household_figure": "no household figure of the same place, source and period",
} | {k: v for k, v in coverage.STATUSES.items() if k != "ok"}

#: Columns of every long table of values.
VALUE_COLUMNS = [
    "adcode",
    "place",
    "city",
    "level",
    "tier",
    "metric",
    "source_kind",
    "value",
    "unit",
    "status",
    "period_label",
    "period_start",
    "period_end",
    "figure_status",
    "qualifier",
    "as_written",
    "scope",
    "source",
    "source_rows",
    "n_periods",
    "parts_n",
    "places_n",
    "zones_n",
]
_PLACE_COLUMNS = ["adcode", "place", "city", "city_adcode", "level", "tier"]


def list_places(
    districts: pd.DataFrame,
    figures: pd.DataFrame,
    cities: Sequence[str],
    *,
    projects: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """
    The places of ``cities`` that can be compared: each city, its districts and its zones.

    ``districts`` are county-level outlines (``adcode``, ``district``, ``city``,
    ``city_adcode``); zones come from the figures and, given ``projects``, from a ledger's
    zone rows. ``tier`` is ``city`` or ``district`` (districts and zones, ranked together).
    One row per place, cities in the order given, each followed by its districts (by adcode)
    and zones.
    """
    rows = []
    for city in cities:
        own = districts[districts["city"] == city].sort_values("adcode")
        code = own["city_adcode"].iloc[0] if len(own) else _city_code(figures, city)
        rows.append((code, city, city, code, "city", "city"))
        rows += [
            (a, d, city, code, "district", "district")
            for a, d in own[["adcode", "district"]].itertuples(index=False)
        ]
        zones = figures.loc[
            (figures["city"] == city) & (figures["level"] == "zone"), ["adcode", "place"]
        ]
        if projects is not None and "level" in projects:
            in_ledger = projects.loc[
                (projects["city"] == city) & (projects["level"] == "zone"), ["adcode", "district"]
            ].rename(columns={"district": "place"})
            zones = pd.concat([zones, in_ledger])
        zones = zones.dropna(subset=["adcode"]).drop_duplicates("adcode").sort_values("adcode")
        rows += [(a, p, city, code, "zone", "district") for a, p in zones.itertuples(index=False)]
    places = pd.DataFrame(rows, columns=_PLACE_COLUMNS)
    return places.drop_duplicates("adcode").reset_index(drop=True)


def _city_code(figures: pd.DataFrame, city: str) -> str | None:
    whole = figures.loc[(figures["city"] == city) & (figures["level"] == "city"), "adcode"]
    return whole.iloc[0] if len(whole) else None


def _row(place: Any, metric: str, kind: str, **values: object) -> dict[str, object]:
    row = dict.fromkeys(VALUE_COLUMNS, pd.NA)
    row.update(
        adcode=place.adcode,
        place=place.place,
        city=place.city,
        level=place.level,
        tier=place.tier,
        metric=metric,
        source_kind=kind,
    )
    row.update(values)
    return row


def _frame(rows: list[dict[str, object]], extra: tuple[str, ...] = ()) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[*VALUE_COLUMNS, *extra])
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    for column in (
        "period_start",
        "period_end",
        "source_rows",
        "n_periods",
        "parts_n",
        "places_n",
        "zones_n",
    ):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    return frame


def _in_years(figures: pd.DataFrame, years: tuple[int, int] | None) -> pd.Series:
    """Figures whose period overlaps ``years``; undated figures stay (as on the map)."""
    if years is None:
        return pd.Series(True, index=figures.index)
    first, last = years
    start = figures["period_start"].fillna(figures["period_end"])
    end = figures["period_end"].fillna(figures["period_start"])
    return ((end >= first) & (start <= last)).fillna(True).astype(bool)


def _figure_fields(figures: pd.DataFrame, latest: pd.Series) -> dict[str, object]:
    return {
        "value": latest["value"],
        "unit": latest["unit"],
        "period_label": latest["period_label"],
        "period_start": latest["period_start"],
        "period_end": latest["period_end"],
        "figure_status": latest["status"],
        "qualifier": latest["qualifier"],
        "as_written": latest["as_written"],
        "scope": latest["place"],
        "source": _source(figures.loc[[latest.name]]).iloc[0],
        "n_periods": len(figures),
    }


def _source(figures: pd.DataFrame) -> pd.Series:
    """Document, issuer, date and the seed file with its line: ``…txt:31``."""
    return source_text(figures) + ":" + figures["seed_line"].astype(str)


def _latest(figures: pd.DataFrame) -> pd.DataFrame:
    return figures.sort_values(["period_end", "period_start"], na_position="first")


def reported_values(
    figures: pd.DataFrame,
    places: pd.DataFrame,
    metrics: Sequence[str],
    *,
    years: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """
    The documents' value of each metric at each place, the latest period where there are several.

    A district or zone takes its own figure (``n_periods`` says how many periods there were);
    a city takes what its city card shows (:func:`geo.selection.city_headline`): a city-wide
    figure or a sum over every district and zone (``ok``), else a main-urban-area figure
    (``urban_area``), else the sum of the districts and zones that report, for their latest
    period (``sum_of_parts``: ``parts_n`` of the city's ``places_n``, ``zones_n`` of them
    zones; not a city total). No figure gives ``no_figure`` and a missing value.
    ``years`` keeps figures whose period overlaps the range. ``source`` names the document and
    the seed line of each value (for a sum, of each part).
    """
    figures = figures[figures["metric"].isin(list(metrics)) & _in_years(figures, years)]
    units = figures.drop_duplicates("metric").set_index("metric")["unit"]
    rows = []
    for place in places.itertuples(index=False):
        here = figures[figures["city"] == place.city]
        for metric in metrics:
            of_metric = here[here["metric"] == metric]
            found = (
                _city_reported(of_metric, place.city)
                if place.tier == "city"
                else _place_reported(of_metric, place.adcode)
            )
            found.setdefault("unit", units.get(metric, "count"))
            rows.append(_row(place, metric, "reported", **found))
    return _frame(rows)


def _place_reported(figures: pd.DataFrame, adcode: str) -> dict[str, object]:
    own = figures[
        (figures["adcode"] == adcode)
        & figures["level"].isin(["district", "zone"])
        & (figures["role"] != "stated_total")
    ]
    if own.empty:
        return {"status": "no_figure"}
    return {"status": "ok", **_figure_fields(own, _latest(own).iloc[-1])}


def _city_reported(figures: pd.DataFrame, city: str) -> dict[str, object]:
    """
    A city's value as the city cards give it (:func:`geo.selection.city_headline`).

    A city-wide figure or a sum over every district and zone is ``ok``; a main-urban-area
    figure ``urban_area``; a sum over some of them ``sum_of_parts``, with ``parts_n`` of
    ``places_n`` saying how many.
    """
    places, n_zones = city_places([city]).get(city, (frozenset(), 0))
    found = city_headline(figures, places, n_zones=n_zones)
    basis = found["basis"]
    if basis == "none":
        return {"status": "no_figure", "places_n": found["n_places"]}
    status = {"parts": "ok", "partial": "sum_of_parts"}.get(
        basis, "urban_area" if found["level"] == "urban_area" else "ok"
    )
    summed = basis in ("parts", "partial")
    return {
        "status": status,
        "value": found["value"],
        "unit": found["unit"],
        "period_label": found["period_label"],
        "period_start": found["period_start"],
        "period_end": found["period_end"],
        "figure_status": found["status"],
        "qualifier": found["qualifier"],
        "as_written": pd.NA if found["as_written"] is None else found["as_written"],
        "scope": pd.NA if summed else found["place"],
        "source": " | ".join(dict.fromkeys(_source(figures.loc[found["rows"]]))),
        "source_rows": found["n_parts"] if summed else pd.NA,
        "n_periods": pd.NA if summed else found["others"] + 1,
        "parts_n": found["n_parts"] if summed else pd.NA,
        "places_n": found["n_places"],
        "zones_n": found["n_zones"],
    }


def ledger_values(
    projects: pd.DataFrame,
    places: pd.DataFrame,
    metrics: Sequence[str],
    *,
    source: str,
    years: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """
    A ledger's count of communities and sums of households, buildings and floor area per place.

    ``projects`` are a ledger's clean rows; a district takes the rows with its adcode (a
    zone's rows count for the zone, as in :func:`geo.reconcile.reconcile`), a city all its
    rows. ``metrics`` are keys of :data:`LEDGER_METRICS`. No row gives ``not_in_ledger``
    (not zero); rows that all lack the value ``no_mapped_value``; some lacking it
    ``incomplete`` with the partial sum. ``source`` is the ledger's file name, and
    ``source_rows`` the number of rows behind each value. ``years`` keeps rows of those years
    (rows without a year are then left out).
    """
    if years is not None:
        projects = projects[projects["year"].between(*years).fillna(False).astype(bool)]
    rows = []
    for place in places.itertuples(index=False):
        mine = _place_rows(projects, place)
        for metric in metrics:
            column, unit = LEDGER_METRICS[metric]
            value, status = _ledger_sum(mine, column)
            rows.append(
                _row(
                    place,
                    metric,
                    "ledger",
                    value=value,
                    unit=unit,
                    status=status,
                    source=source,
                    source_rows=len(mine),
                )
            )
    return _frame(rows)


def _place_rows(projects: pd.DataFrame, place: Any) -> pd.DataFrame:
    """A ledger's rows of ``place``: a city's by name, a district's or zone's by adcode."""
    if place.tier == "city":
        return projects[projects["city"].eq(place.city).fillna(False).astype(bool)]
    return projects[projects["adcode"].eq(place.adcode).fillna(False).astype(bool)]


def _ledger_sum(rows: pd.DataFrame, column: str | None) -> tuple[float, str]:
    if rows.empty:
        return np.nan, "not_in_ledger"
    if column is None:
        return float(len(rows)), "ok"
    values = pd.to_numeric(rows[column], errors="coerce")
    missing = int(values.isna().sum())
    if missing == len(values):
        return np.nan, "no_mapped_value"
    return float(values.sum()), "incomplete" if missing else "ok"


def infra_values(
    table: pd.DataFrame, places: pd.DataFrame, metrics: Sequence[str], *, source: str
) -> pd.DataFrame:
    """
    Accessibility measures per place from :func:`geo.coverage.district_metrics`, status kept.

    ``metrics`` are ``infra_<measure>`` keys. A district takes its row and ``<measure>_status``;
    a district the table does not hold is ``outside_extent`` (the data do not reach its city).
    A city takes :func:`geo.coverage.city_value` over its districts (sums, rates from sums,
    only when every district is ``ok``; household shares are ``not_computed``).
    """
    by_code = table.set_index("adcode") if len(table) else pd.DataFrame()
    rows = []
    for place in places.itertuples(index=False):
        for metric in metrics:
            key = metric.removeprefix(INFRA_PREFIX)
            unit = coverage.describe(key).unit
            if place.tier == "city":
                in_city = table[table["city"] == place.city] if "city" in table else table[:0]
                value, status = coverage.city_value(in_city, key)
            elif place.adcode in by_code.index and f"{key}_status" in by_code:
                value = by_code.at[place.adcode, key]
                status = by_code.at[place.adcode, f"{key}_status"]
            else:
                value, status = np.nan, "outside_extent"
            if status not in ("ok", "partial_extent"):
                value = np.nan  # a value without a usable status is not shown, even if present
            rows.append(
                _row(place, metric, "infra", value=value, unit=unit, status=status, source=source)
            )
    return _frame(rows)


def default_places(places: pd.DataFrame, figures: pd.DataFrame, metric: str) -> list[str]:
    """
    The two places a comparison opens with (adcodes).

    The first city's first two districts (by adcode) that report ``metric``, else its first
    two districts.
    """
    districts = places[places["tier"] == "district"]
    if districts.empty:
        return []
    first = districts[districts["city"] == districts["city"].iloc[0]]
    reporting = set(figures.loc[figures["metric"] == metric, "adcode"])
    chosen = first[first["adcode"].isin(reporting)]
    return (chosen if len(chosen) >= 2 else first)["adcode"].head(2).tolist()


def cities_of_places(codes: Sequence[str]) -> list[str]:
    """
    The city of each adcode (a district, or a zone of data/zones.csv), in order.

    Codes that are neither are left out.
    """
    index = boundaries.read_admin_index().drop_duplicates("adcode").set_index("adcode")["city"]
    zones = gazetteer.list_zones().drop_duplicates("code").set_index("code")["city"]
    return [index.get(code, zones.get(code)) for code in codes if code in index or code in zones]


def year_range(figures: pd.DataFrame, projects: pd.DataFrame | None = None) -> list[int]:
    """First and last year of the figures' periods and of the ledger ``projects``' years."""
    first, last = int(figures["period_start"].min()), int(figures["period_end"].max())
    if projects is not None and projects["year"].notna().any():
        years = projects["year"].dropna()
        first, last = min(first, int(years.min())), max(last, int(years.max()))
    return [first, last]


def metric_kind(key: str) -> str:
    """Where a compare metric's values come from: ``ledger``, ``infra`` or ``reported``."""
    if key in LEDGER_METRICS:
        return "ledger"
    if key.startswith(INFRA_PREFIX):
        return "infra"
    return "reported"


def metric_options(
    figures: pd.DataFrame,
    cities: Sequence[str],
    *,
    order: Sequence[str],
    has_ledger: bool = False,
    infra_table: pd.DataFrame | None = None,
) -> list[str]:
    """
    The metrics that can be compared for ``cities``.

    First the figures they report (in ``order``, the vocabulary of data/metrics.csv), then the
    ledger sums when there is a ledger, then the accessibility measures ``infra_table`` holds
    (``infra_<measure>``).
    """
    present = set(figures.loc[figures["city"].isin(cities), "metric"])
    options = [m for m in order if m in present]
    if has_ledger:
        options += list(LEDGER_METRICS)
    if infra_table is not None:
        shares = sorted(
            {c.removesuffix("_status") for c in infra_table.columns if c.endswith("_status")}
            - set(coverage.MEASURES),
            key=lambda k: (coverage.describe(k).radius, k),
        )
        keys = [k for k in coverage.MEASURES if k in infra_table] + shares
        options += [INFRA_PREFIX + k for k in keys]
    return options


def gather_values(
    figures: pd.DataFrame,
    places: pd.DataFrame,
    metrics: Sequence[str],
    *,
    years: tuple[int, int] | None = None,
    projects: pd.DataFrame | None = None,
    ledger_source: str = "",
    infra_table: pd.DataFrame | None = None,
    infra_source: str = "",
) -> pd.DataFrame:
    """
    One long table of values (:data:`VALUE_COLUMNS`) of ``places`` for ``metrics``.

    Every source is asked: the documents (:func:`reported_values`), the ledger's ``projects``
    (:func:`ledger_values`) and the accessibility ``infra_table`` (:func:`infra_values`),
    each given only when present. Pass every place of the chosen places' cities, so that
    :func:`compare_table` can average over them.
    """
    kinds = {m: metric_kind(m) for m in metrics}
    parts = [
        reported_values(
            figures, places, [m for m, k in kinds.items() if k == "reported"], years=years
        )
    ]
    ledger = [m for m, k in kinds.items() if k == "ledger"]
    if projects is not None and ledger:
        parts.append(ledger_values(projects, places, ledger, source=ledger_source, years=years))
    infra = [m for m, k in kinds.items() if k == "infra"]
    if infra_table is not None and infra:
        parts.append(infra_values(infra_table, places, infra, source=infra_source))
    return pd.concat([p for p in parts if len(p)], ignore_index=True)


#: How values are compared: as they are, as a share of their city, or per household.
RELATIVE = ("value", "share_of_city", "per_household")
#: Units whose values add up over a city's districts (so a share of their sum means
#: something) and can be divided among households; rates and percentages do neither.
_ADDITIVE_UNITS = ("count", "households", "persons", "m2", "km", "m", "cny")
#: Metrics that are households themselves: "households per household" is no comparison.
_HOUSEHOLD_METRICS = ("households", "ledger_households")


def metric_unit(key: str, figures: pd.DataFrame) -> str:
    """The unit of compare metric ``key``: a reported figure's, a ledger sum's or a measure's."""
    kind = metric_kind(key)
    if kind == "ledger":
        return LEDGER_METRICS[key][1]
    if kind == "infra":
        return coverage.describe(key.removeprefix(INFRA_PREFIX)).unit
    units = figures.loc[figures["metric"] == key, "unit"]
    return str(units.iloc[0]) if len(units) else "count"


def relative_modes(metrics: Sequence[str], figures: pd.DataFrame) -> list[str]:
    """
    The ways of :data:`RELATIVE` that make sense for every one of ``metrics``, in that order.

    ``value`` always. ``share_of_city`` for reported figures and ledger sums that add up over
    a city (counts, households, areas, lengths, money), not for rates. ``per_household``
    for those too, except households themselves, and never for accessibility measures,
    whose places have no household figure of the same source.
    """
    modes = ["value"]
    summable = [
        metric_kind(m) != "infra" and metric_unit(m, figures) in _ADDITIVE_UNITS for m in metrics
    ]
    if all(summable):
        modes.append("share_of_city")
        if not set(metrics) & set(_HOUSEHOLD_METRICS):
            modes.append("per_household")
    return modes


def relative_values(values: pd.DataFrame, how: str, metrics: Sequence[str]) -> pd.DataFrame:
    """
    ``values`` (:func:`gather_values`) of ``metrics`` made relative to their city or households.

    ``how`` is one of :data:`RELATIVE`; ``value`` keeps them as they are.
    ``share_of_city``: a district's or zone's value as a percentage of the sum of its city's
    ``ok`` values of the same metric, period and kind (what the city reports in all); a city's
    own row is ``not_computed``. ``per_household``: the value over the households of the same
    place, source, period and kind (``households`` for documents, ``ledger_households`` for a
    ledger; ``values`` must hold them), unit ``<unit>_per_household``; no usable household
    figure gives ``no_household_figure``; households themselves and accessibility measures
    are ``not_computed``. A value that is not ``ok`` stays missing with its status; nothing
    becomes 0. Raises ValueError for another ``how``.
    """
    if how not in RELATIVE:
        raise ValueError(f"Expected how to be one of {RELATIVE}, got {how!r}.")
    mine = values[values["metric"].isin(list(metrics))].copy()
    if how == "value" or mine.empty:
        return mine.reset_index(drop=True)
    keys = ["metric", "city", "period_label", "figure_status"]
    if how == "share_of_city":
        ok = mine[(mine["status"] == "ok") & (mine["tier"] == "district")]
        totals = ok.groupby(keys, dropna=False)["value"].sum().rename("total")
        mine = mine.join(totals, on=keys)
        mine["value"] = 100 * mine["value"] / mine["total"]
        mine["unit"] = "percent"
        mine.loc[mine["tier"] == "city", "status"] = "not_computed"
        mine = mine.drop(columns="total")
    else:
        mine = _per_household(values, mine)
    mine.loc[mine["status"] != "ok", "value"] = np.nan
    return mine.reset_index(drop=True)


def _per_household(values: pd.DataFrame, mine: pd.DataFrame) -> pd.DataFrame:
    keys = ["adcode", "source_kind", "period_label", "figure_status"]
    base = values[values["metric"].isin(["households", "ledger_households"])]
    base = base[(base["status"] == "ok") & (base["value"] > 0)]
    homes = base.drop_duplicates(keys).set_index(keys)["value"].rename("homes")
    mine = mine.join(homes, on=keys)
    undefined = mine["metric"].isin(["households", "ledger_households"]) | (
        mine["source_kind"] == "infra"
    )
    missing = mine["homes"].isna() & ~undefined & (mine["status"] == "ok")
    mine["value"] = mine["value"] / mine["homes"]
    mine["unit"] = mine["unit"].astype(str) + "_per_household"
    mine.loc[undefined, "status"] = "not_computed"
    mine.loc[missing, "status"] = "no_household_figure"
    return mine.drop(columns="homes")


def mixed_periods(table: pd.DataFrame) -> dict[str, list[tuple[str | None, str | None]]]:
    """
    Metrics whose ranked reported values mix periods or kinds.

    Returns metric → the distinct (period, status) pairs of its ranked documents' values, for
    the metrics of a :func:`compare_table` with more than one pair.
    """
    ranked = table[(table["source_kind"] == "reported") & table["rank"].notna()]
    mixed = {}
    for metric, rows in ranked.groupby("metric", sort=False):
        pairs = distinct_periods(rows, status="figure_status")
        if len(pairs) > 1:
            mixed[metric] = pairs
    return mixed


def compare_table(values: pd.DataFrame, chosen: Sequence[str]) -> pd.DataFrame:
    """
    The values of the ``chosen`` places (adcodes), ranked, each beside its city's average.

    ``values`` should hold every place of the chosen places' cities, since the average
    ``city_mean`` is over all districts and zones of the city whose value is ``ok``;
    ``city_mean_n`` is how many that was and ``city_places_n`` how many there are, so a mean of
    3 out of 12 districts reads as such; a city's own row has none. ``rank`` (1 = largest) of
    a district or zone is within its city, among all its districts and zones with an ``ok``
    value of the metric (卫滨区 is 3rd of 11 for households, whichever places are chosen); a
    city is ranked among the cities in ``values``. Values equal as shown share the lowest rank
    (:func:`geo.shown.ranks`: ``rank`` and ``n_tied`` as Chinese writes them, ``rank_en`` and
    ``n_tied_en`` as English does), and every other status has no rank; ``value_shown`` and
    ``value_shown_en`` are each value as the two languages show it, the figure ranked on
    (:func:`geo.shown.as_shown`; NaN where there is no value). Rows follow ``chosen``, then
    the metrics in the order they first appear.
    """
    values = values.reset_index(drop=True)  # the sources' tables are concatenated
    parts = values[values["tier"] == "district"]
    ok = parts[parts["status"] == "ok"]
    means = ok.groupby(["city", "metric"])["value"].agg(city_mean="mean", city_mean_n="size")
    counts = parts.groupby(["city", "metric"]).size().rename("city_places_n")
    order = {code: i for i, code in enumerate(dict.fromkeys(chosen))}
    metric_order = {m: i for i, m in enumerate(dict.fromkeys(values["metric"]))}
    # Ranks over every place of the cities, then kept for the chosen: districts within their
    # city, cities among cities. Assigned by index: rows not ok get no rank, not a last place.
    # On the values as shown (geo.shown): 56.79 % and 56.81 % both read 56.8 %, one rank.
    ranked = values[values["status"] == "ok"]
    scope = ranked["city"].where(ranked["tier"] == "district", "")
    found = shown.ranks(ranked, [ranked["metric"], ranked["tier"], scope])
    values = values.assign(**{column: found[column] for column in shown.RANK_COLUMNS})
    table = values[values["adcode"].isin(order)].copy()
    for lang in shown.WRITES_WAN:
        table["value_shown" + ("" if lang == "zh" else f"_{lang}")] = shown.as_shown(table, lang)
    table = table.join(means, on=["city", "metric"]).join(counts, on=["city", "metric"])
    # A city's own value is a total, not a district: its districts' average is no yardstick.
    whole = table["tier"] == "city"
    table.loc[whole, ["city_mean", "city_mean_n", "city_places_n"]] = np.nan
    for column in shown.RANK_COLUMNS:
        table[column] = table[column].astype("Int64")
    for column in ("city_mean_n", "city_places_n"):
        table[column] = table[column].fillna(0).astype("Int64")
    table = table.assign(
        _place=table["adcode"].map(order), _metric=table["metric"].map(metric_order)
    ).sort_values(["_metric", "_place"], kind="stable")
    return table.drop(columns=["_place", "_metric"]).reset_index(drop=True)


def by_period(
    figures: pd.DataFrame,
    places: pd.DataFrame,
    metrics: Sequence[str],
    *,
    projects: pd.DataFrame | None = None,
    ledger_source: str | None = None,
    years: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """
    Values per year (ledger) or period (documents) at each place, for a time view.

    Reported ``metrics`` give every dated figure of the place (a city: its city-wide and
    urban-area figures), one row per period; ledger metrics (keys of :data:`LEDGER_METRICS`)
    give one row per year and batch, with the rows behind each value in ``source_rows``.
    Ledger rows with no year form one row with status ``no_year``. ``year`` is set when a
    period is a single year. Undated figures are left out: they belong to no year. ``years``
    keeps the figures whose period overlaps the range and the ledger rows of those years.
    """
    if years is not None:
        figures = figures[_in_years(figures, years)]
        if projects is not None:
            projects = projects[projects["year"].between(*years).fillna(False).astype(bool)]
    rows = []
    reported = [m for m in metrics if m not in LEDGER_METRICS and not m.startswith(INFRA_PREFIX)]
    dated = figures[
        figures["metric"].isin(reported)
        & (figures["period_start"].notna() | figures["period_end"].notna())
    ]
    for place in places.itertuples(index=False):
        if place.tier == "city":
            own = dated[(dated["city"] == place.city) & dated["level"].isin(["city", "urban_area"])]
        else:
            own = dated[(dated["adcode"] == place.adcode) & (dated["role"] != "stated_total")]
        for index, figure in own.iterrows():
            rows.append(
                _row(
                    place,
                    figure["metric"],
                    "reported",
                    **_figure_fields(own.loc[[index]], figure),
                    status="ok",
                )
            )
    frame = _frame(rows, extra=("batch",))
    chosen = [m for m in metrics if m in LEDGER_METRICS]
    if projects is not None and chosen:
        frame = pd.concat([frame, _ledger_by_year(projects, places, chosen, ledger_source)])
    frame["period_label"] = _named_periods(frame)
    frame["year"] = frame["period_start"].where(frame["period_start"] == frame["period_end"])
    frame["year"] = frame["year"].astype("Int64")
    frame["batch"] = frame["batch"].astype("string")
    frame["_metric"] = frame["metric"].map({m: i for i, m in enumerate(metrics)})
    frame = frame.sort_values(
        ["_metric", "period_start", "period_end", "batch"], na_position="last", kind="stable"
    )
    return frame.drop(columns="_metric").reset_index(drop=True)


def _named_periods(frame: pd.DataFrame) -> pd.Series:
    """
    The period as written, else its years as a :func:`geo.dates.period_code` layers word.

    ``2024``, ``2019/2022``, ``../2023`` (no start year), ``2021/..`` (no end): in Chinese
    2024年, 2019年至2022年, 截至2023年, 2021年起, as the documents name theirs.
    """
    names = [
        label if isinstance(label, str) and label else period_code(first, last)
        for label, first, last in frame[["period_label", "period_start", "period_end"]].itertuples(
            index=False
        )
    ]
    return pd.Series(names, index=frame.index, dtype="string")


def _ledger_by_year(
    projects: pd.DataFrame, places: pd.DataFrame, metrics: list[str], source: str | None
) -> pd.DataFrame:
    rows = []
    batch = projects["batch"] if "batch" in projects else pd.Series(pd.NA, index=projects.index)
    projects = projects.assign(_year=projects["year"].astype("Int64"), _batch=batch)
    for place in places.itertuples(index=False):
        mine = _place_rows(projects, place)
        for (year, batch_name), group in mine.groupby(["_year", "_batch"], dropna=False, sort=True):
            for metric in metrics:
                column, unit = LEDGER_METRICS[metric]
                value, status = _ledger_sum(group, column)
                dated = not pd.isna(year)
                rows.append(
                    _row(
                        place,
                        metric,
                        "ledger",
                        value=value,
                        unit=unit,
                        status=status if dated else "no_year",
                        period_label=period_code(year, year) if dated else pd.NA,
                        period_start=year,
                        period_end=year,
                        source=source,
                        source_rows=len(group),
                        batch=batch_name,
                    )
                )
    return _frame(rows, extra=("batch",))
