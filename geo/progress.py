"""
A plan's progress: planned against started and finished, as of a day and month by month.

:func:`progress_at` counts, per district (and zone) and for the city, the communities and
households a :class:`~geo.plans.Plan` sets against the ledger's rows of the plan's year that
had started and finished by a day, their rates, and the late list: rows not started after
the start-by day, or started and not finished after the finish-by day, each with its ledger
row. A month-only date (``2023-03``) counts once its month has ended; on a day inside that
month nobody can tell, and the row is counted as ``uncertain``, never guessed either way.

Honest gaps, never zeros: a district of the city the plan sets no target for is ``no_plan``
(its counts shown where the ledger has it, no rate); a district the plan has and the ledger
does not cover is ``not_reported`` (no counts at all); a ledger without a start or finish
column has no data for them.

:func:`monthly` reads the saved versions of monthly ledgers (the workspace's history): for
each month and district, the newest version reporting that month, or ``not_reported``
(漏报), or ``late_report`` (迟报). A version is dated by its ledger's report date (填报日期,
or the date given when it was read) where it has one, else by the day the atlas saved it,
and each month says which (``basis``); that day names the month it reports and whether it
came after the plan's report day (:func:`reported_month`). :func:`ranking` ranks the
districts by a rate as shown (:mod:`geo.shown`: 56.84 % and 56.76 % both read 56.8 % and
tie), ties shared, counted and named; districts without a plan, a report or data,
or whose target the document qualified (约, 不少于), are named apart. Everything is codes
and numbers; layers word them.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

import numpy as np
import pandas as pd

from geo import boundaries, dates, shown
from geo.figures import combined_qualifier
from geo.plans import Plan

__all__ = [
    "LATE",
    "MONTH_BASES",
    "MONTH_STATUSES",
    "NOTES",
    "RATES",
    "STATUSES",
    "UNCOUNTED",
    "UNRANKED",
    "Overview",
    "Progress",
    "Report",
    "monthly",
    "overview",
    "percent",
    "progress_at",
    "ranking",
    "reported_month",
    "shown_percents",
]

#: A place's standing: counted against its plan, in the ledger without a plan, or in the
#: plan without a ledger covering it; ``partial`` is the city's when some districts are not.
STATUSES = ("ok", "no_plan", "not_reported", "partial")
#: Why a row is on the late list.
LATE = ("not_started", "not_finished")
#: A month of a district: reported on time, reported after the report day, not at all, or
#: not yet due (the day is before the plan's report day of the next month); ``partial`` is the
#: city's while some districts are not reported.
MONTH_STATUSES = ("reported", "late_report", "not_reported", "not_due", "partial")
#: What dates a monthly version: its ledger's report date, or (without one) its save day.
MONTH_BASES = ("report_date", "saved_at")
#: Why a clean ledger row is left out of the counts (the ledger's quarantine says its own).
UNCOUNTED = ("outside_city", "other_year", "no_year", "before_programme", "uncertain_date")
#: What a ledger without a date column cannot say.
NOTES = ("no_start_dates", "no_finish_dates")
#: Why a district is left out of a ranking (:func:`ranking`).
UNRANKED = ("no_plan", "not_reported", "no_data", "qualified_target")
#: The rates a map or ranking may show: of communities started and finished.
RATES = ("start_rate", "finish_rate")
_COUNTS = [
    "listed", "listed_households", "started", "started_households", "finished",
    "finished_households", "uncertain",
]  # fmt: skip


@dataclasses.dataclass
class Progress:
    """
    Progress as of ``as_of``: the ``table`` per place and city, the ``late`` and ``uncounted`` rows.

    ``table`` columns: ``adcode``, ``place``, ``level`` (``city`` first), ``status``
    (:data:`STATUSES`), ``planned`` and ``planned_households`` (missing without a plan),
    the counts ``listed`` (the ledger's communities of the year), ``started``, ``finished``
    (and each ``_households``), ``uncertain`` (month-only dates straddling ``as_of``),
    ``start_rate``, ``finish_rate`` (of communities; ``_households`` of households; missing
    without a plan or data, never 0 in their place), ``late``, ``start_by``, ``finish_by``,
    ``planned_qualifier`` and ``planned_households_qualifier`` (as the plan's document wrote
    the target: ``approx``, ``at_most``…; a rate against such a target is no more exact);
    the city's row adds ``places`` and ``reported`` (its plan's districts, those covered).
    ``late``: one row per late ledger row with ``kind`` (:data:`LATE`), ``deadline`` and
    ``days_late``. ``uncounted``: clean rows left out, with ``reason`` (:data:`UNCOUNTED`).
    ``notes``: ``{"code": "no_start_dates"}`` or ``no_finish_dates`` (:data:`NOTES`) for a
    ledger without that column. ``sources``: per adcode, the saved versions (``name@3``)
    its counted rows come from, where the rows say (``dataset`` and ``version``).
    """

    as_of: datetime.date
    plan: Plan
    table: pd.DataFrame
    late: pd.DataFrame
    uncounted: pd.DataFrame
    notes: list[dict[str, object]] = dataclasses.field(default_factory=list)
    sources: dict[str, list[str]] = dataclasses.field(default_factory=dict)

    def place(self, adcode: str) -> dict[str, object]:
        """One place's row of :attr:`table` as a dict."""
        return self.table.set_index("adcode").loc[adcode].to_dict() | {"adcode": adcode}


@dataclasses.dataclass(frozen=True)
class Report:
    """
    One saved version of a monthly ledger: what :func:`monthly` reads.

    ``report_date`` is the day the version is dated, which names the month it reports and
    whether it came late (:func:`reported_month`); ``basis`` (:data:`MONTH_BASES`) where that
    day came from: ``report_date``, the ledger's own (its 填报日期 column, or the date given
    when it was read), else ``saved_at``, the day the atlas saved it (Beijing): a ledger's
    history typed in at once is dated by its ledgers, never all late by its save.
    ``saved_at`` is the save day; ``covers`` the districts it reports for; ``projects`` its
    clean rows.
    """

    ref: str
    report_date: datetime.date
    saved_at: datetime.date
    covers: tuple[str, ...]
    projects: pd.DataFrame
    basis: str = "report_date"


# --- one day ----------------------------------------------------------------------------------


def progress_at(
    plan: Plan,
    projects: pd.DataFrame,
    *,
    as_of: datetime.date | str,
    covers: Iterable[str] | None = None,
) -> Progress:
    """
    Planned against started and finished by ``as_of``, per place and for the city.

    ``projects`` are a ledger's clean rows (:func:`geo.records.read_ledger`, or a saved
    version or current state with ``dataset`` and ``version``); ``covers`` the districts
    the ledger reports for (default: those its rows name). Rows of other cities, other years,
    without a year (when others have one) or dated before the plan's programme start are
    left out, each in :attr:`Progress.uncounted` with its reason.
    """
    as_of = dates.parse_day(as_of)
    day = np.datetime64(as_of, "D")
    counted, uncounted = _counted_rows(plan, projects)
    state = _row_state(counted, day)
    covered = set(covers) if covers is not None else set(projects["adcode"].dropna().astype(str))
    table = _place_table(plan, counted, state, covered)
    late = _late_rows(plan, counted, state, as_of)
    found = table["adcode"].map(late["adcode"].value_counts()).fillna(0).to_numpy(dtype=float)
    table["late"] = np.where(table["adcode"].isin(covered), found, np.nan)
    uncertain = counted[state["uncertain"]].assign(reason="uncertain_date")
    uncounted = pd.concat([uncounted, uncertain], ignore_index=True)
    notes: list[dict[str, object]] = [
        {"code": code}
        for code, field in zip(NOTES, ("start_date", "finish_date"), strict=True)
        if field not in projects.columns
    ]
    table = _city_first(plan, table)
    return Progress(as_of, plan, table, late, uncounted, notes, _sources(counted))


def _sources(rows: pd.DataFrame) -> dict[str, list[str]]:
    """Per adcode, the versions its rows come from (none for rows read, not saved)."""
    if not {"dataset", "version"} <= set(rows.columns) or not len(rows):
        return {}
    refs = rows["dataset"].astype(str) + "@" + rows["version"].astype("Int64").astype(str)
    return {str(a): sorted(set(r)) for a, r in refs.groupby(rows["adcode"].astype(str))}


def _counted_rows(plan: Plan, projects: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows the plan counts, and those it leaves out with a ``reason``."""
    rows = pd.DataFrame(projects.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
    reason = pd.Series(pd.NA, index=rows.index, dtype="string")
    reason[rows["city"].astype("string").fillna("") != plan.city] = "outside_city"
    if "year" in rows and rows["year"].notna().any():
        year = pd.to_numeric(rows["year"], errors="coerce")
        reason[reason.isna() & year.isna()] = "no_year"
        reason[reason.isna() & year.notna() & (year != plan.year)] = "other_year"
    began = np.datetime64(f"{plan.programme_start}-01-01", "D")
    for field in ("start_date", "finish_date"):
        if field in rows:
            _, last = dates.bounds(rows[field])
            reason[reason.isna() & (last < began)] = "before_programme"
    left = reason.notna().to_numpy()
    return rows[~left].reset_index(drop=True), rows[left].assign(reason=reason[left])


def _row_state(rows: pd.DataFrame, day: np.datetime64) -> pd.DataFrame:
    """Per row, as of ``day``: started, finished (True/False, missing without the column)."""
    state = pd.DataFrame(index=rows.index)
    uncertain = np.zeros(len(rows), dtype=bool)
    for field, name in (("start_date", "started"), ("finish_date", "finished")):
        if field not in rows:
            state[name] = pd.array([pd.NA] * len(rows), dtype="boolean")
            continue
        first, last = dates.bounds(rows[field])
        known = ~np.isnat(first)
        state[name] = known & (last <= day)
        uncertain |= known & (first <= day) & (day < last)
    # A finished row has started, whatever its start column says (a 完工 row's own start).
    state["started"] = state["started"] | state["finished"].fillna(False)
    state["uncertain"] = uncertain & ~state["finished"].fillna(False).to_numpy(dtype=bool)
    return state


def _place_table(plan: Plan, rows: pd.DataFrame, state: pd.DataFrame, covered: set) -> pd.DataFrame:
    """One row per district or zone of the plan or the ledger, with counts and rates."""
    planned = plan.planned()
    places = planned[planned["level"] != "city"][["adcode", "place", "level"]]
    households = rows["households"] if "households" in rows else pd.Series(np.nan, rows.index)
    frame = pd.DataFrame(
        {
            "adcode": rows["adcode"].astype("string"),
            "place": rows["district"].astype("string"),
            "level": np.where(rows.get("located", "") == "zone", "zone", "district"),
            "households": pd.to_numeric(households, errors="coerce"),
        }
    ).join(state)
    extra = frame.drop_duplicates("adcode")[["adcode", "place", "level"]]
    places = pd.concat([places, extra, _city_districts(plan)], ignore_index=True)
    places = places.drop_duplicates("adcode", ignore_index=True)
    table = places.join(_counts(frame), on="adcode")
    has_plan = table["adcode"].isin(planned["adcode"])
    table["status"] = np.where(
        ~has_plan, "no_plan", np.where(table["adcode"].isin(covered), "ok", "not_reported")
    )
    # A covered place without rows reported none: 0, where the ledger has the column at all;
    # a place the ledger does not cover (in the plan or not) has no counts, never 0.
    known = {"started": "start_date" in rows, "finished": "finish_date" in rows}
    reported = table["adcode"].isin(covered)
    for column in _COUNTS:
        kind = column.removesuffix("_households")
        filled = table[column].fillna(0) if known.get(kind, True) else table[column]
        table[column] = filled.where(reported)
    by_place = planned.set_index("adcode")
    table["planned"] = table["adcode"].map(by_place.get("communities", pd.Series(dtype=float)))
    table["planned_households"] = table["adcode"].map(
        by_place.get("households", pd.Series(dtype=float))
    )
    for column, metric in (("planned", "communities"), ("planned_households", "households")):
        written = by_place.get(f"{metric}_qualifier", pd.Series(dtype=object))
        table[f"{column}_qualifier"] = table["adcode"].map(written).astype(object)
    _rates(table)
    for key in ("start_by", "finish_by"):
        table[key] = [plan.deadline(a)[key] for a in table["adcode"]]
    return table


def _city_districts(plan: Plan) -> pd.DataFrame:
    """
    Every county-level district of the plan's city, so one the plan leaves out is named 无计划.

    From the outline index (no outline is read). A zone has no row there: it appears when the
    plan or the ledger names it.
    """
    index = boundaries.read_admin_index()
    mine = index[(index["level"] == "district") & (index["city"] == plan.city)]
    return pd.DataFrame(
        {"adcode": mine["adcode"].astype("string"), "place": mine["district"], "level": "district"}
    ).sort_values("adcode")


def _counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Per adcode: communities and households listed, started, finished, uncertain."""
    grouped = frame.groupby("adcode")
    counts = pd.DataFrame(
        {"listed": grouped.size(), "listed_households": grouped["households"].sum(min_count=1)}
    )
    for name in ("started", "finished"):
        flag = frame[name]
        if flag.isna().all():
            counts[name] = np.nan
            counts[f"{name}_households"] = np.nan
            continue
        mask = flag.fillna(False).astype(bool)
        counts[name] = mask.groupby(frame["adcode"]).sum()
        counts[f"{name}_households"] = (
            frame["households"].where(mask).groupby(frame["adcode"]).sum(min_count=0)
        )
    counts["uncertain"] = frame["uncertain"].groupby(frame["adcode"]).sum()
    return counts.astype("Float64")


def _rates(table: pd.DataFrame) -> None:
    """Start and finish rates, of communities and of households; missing where not known."""
    for rate, count in (("start_rate", "started"), ("finish_rate", "finished")):
        for suffix, planned in (("", "planned"), ("_households", "planned_households")):
            base = table[planned].where(table[planned] > 0)
            table[rate + suffix] = (table[count + suffix] / base).astype("Float64")
            table.loc[table["status"] != "ok", rate + suffix] = pd.NA


def _city_first(plan: Plan, table: pd.DataFrame) -> pd.DataFrame:
    """The city's row on top: its plan's own figures, the sums of its places' counts."""
    planned = plan.planned()
    stated = planned[planned["level"] == "city"]
    parts = planned[planned["level"] != "city"]
    city: dict[str, object] = {"adcode": plan.adcode, "place": plan.city, "level": "city"}
    for column, metric in (("planned", "communities"), ("planned_households", "households")):
        written = f"{metric}_qualifier"
        if len(stated) and metric in stated and pd.notna(stated[metric].iloc[0]):
            city[column] = stated[metric].iloc[0]
            city[f"{column}_qualifier"] = stated[written].iloc[0]
        elif metric in parts and parts[metric].notna().all() and len(parts):
            city[column] = parts[metric].sum()
            city[f"{column}_qualifier"] = combined_qualifier(parts[written])
        else:
            city[column] = np.nan
            city[f"{column}_qualifier"] = None
    ours = table[table["status"] != "not_reported"]
    for column in [*_COUNTS, "late"]:
        city[column] = ours[column].sum(min_count=1) if len(ours) else np.nan
    in_plan = table["status"].isin(["ok", "not_reported"])
    city["places"] = int(in_plan.sum())
    city["reported"] = int((table["status"] == "ok").sum())
    city["status"] = "ok" if city["reported"] == city["places"] else "partial"
    deadline = plan.deadline(plan.adcode)
    city["start_by"], city["finish_by"] = deadline["start_by"], deadline["finish_by"]
    row = pd.DataFrame([city])
    for rate, count in (("start_rate", "started"), ("finish_rate", "finished")):
        for suffix, base in (("", "planned"), ("_households", "planned_households")):
            value = row[base].iloc[0]
            row[rate + suffix] = row[count + suffix] / value if value and value > 0 else np.nan
    combined = pd.concat([row, table], ignore_index=True)
    for column in ("places", "reported"):
        combined[column] = combined[column].astype("Int64")
    # Counts and rates stay numbers where all are missing (a ledger without dates): Float64.
    rates = [r + s for r in RATES for s in ("", "_households")]
    for column in [*_COUNTS, "late", "planned", "planned_households", *rates]:
        combined[column] = combined[column].astype("Float64")
    return combined


def _late_rows(
    plan: Plan, rows: pd.DataFrame, state: pd.DataFrame, as_of: datetime.date
) -> pd.DataFrame:
    """Rows not started after their start-by day, or not finished after their finish-by day."""
    parts = []
    deadlines = {a: plan.deadline(a) for a in rows["adcode"].dropna().unique()}
    for kind, key, late in (
        ("not_started", "start_by", ~state["started"].fillna(True) & ~state["uncertain"]),
        (
            "not_finished",
            "finish_by",
            state["started"].fillna(False) & ~state["finished"].fillna(True) & ~state["uncertain"],
        ),
    ):
        due = rows["adcode"].map({a: d[key] for a, d in deadlines.items()})
        past = due.map(lambda d: d is not None and not pd.isna(d) and d < as_of)
        chosen = rows[late.to_numpy(dtype=bool) & past.to_numpy(dtype=bool)]
        if len(chosen):
            days = due[chosen.index].map(lambda d: (as_of - d).days)
            parts.append(chosen.assign(kind=kind, deadline=due[chosen.index], days_late=days))
    columns = [
        "adcode", "district", "name", "row", "dataset", "version", "status", "households",
        "start_date", "finish_date", "kind", "deadline", "days_late",
    ]  # fmt: skip
    if not parts:
        return pd.DataFrame(columns=columns)
    late = pd.concat(parts, ignore_index=True)
    return late.reindex(columns=columns).sort_values(["adcode", "kind", "row"], ignore_index=True)


# --- month by month ------------------------------------------------------------------------------


def monthly(plan: Plan, reports: Sequence[Report], *, through: datetime.date | str) -> pd.DataFrame:
    """
    Cumulative starts and completions per district and month, from monthly versions.

    For each month from the first any report speaks for to ``through``, and each place of
    the plan or the reports: the newest report of that month covering the place (its rows
    counted as of the month's end, or ``through`` within its month), with ``status``
    ``reported``, ``late_report`` (dated after the plan's report day of the next month:
    :func:`reported_month`), ``not_reported`` (漏报; no count: a month not reported is not a
    month without progress) or, on a ``through`` before the month's report is due (the
    plan's report day of the next month, else the month's end), ``not_due``; a district
    without a plan is listed only for the months it reported. The city's row per month sums
    the places reported and is ``partial`` while some are not. Columns: ``month``, ``adcode``,
    ``place``, ``level``, ``status``, ``source``, ``report_date`` and ``basis`` (the day
    that dated the version and where it came from, :data:`MONTH_BASES`), ``saved_at``,
    ``started``, ``finished`` (and ``_households``), ``planned``, ``planned_households``.
    """
    through = dates.parse_day(through)
    due_day = plan.deadline(plan.adcode)["report_day"]
    report_day = due_day if isinstance(due_day, int) else None
    dated = [
        (r, *reported_month(r.report_date, report_day)) for r in reports if r.report_date <= through
    ]
    if not dated:
        return pd.DataFrame(columns=["month", "adcode", "place", "level", "status"])
    rows = []
    for month in dates.months_between(min(m for _, m, _ in dated), through.isoformat()):
        end = min(dates.month_end(month), through)
        mine = [(r, late) for r, m, late in dated if m == month]
        table = _month_table(plan, [r for r, _ in mine], end)
        # Not yet due on ``through``: a month whose report may still come on time.
        due = dates.month_end(month) + datetime.timedelta(days=report_day or 0)
        for place in table.to_dict("records"):
            found = next(
                ((r, late) for r, late in reversed(mine) if place["adcode"] in r.covers), None
            )
            # A district without a plan owes no report: listed only for a month it reported.
            if place["status"] == "no_plan" and found is None:
                continue
            place["month"] = month
            if place["level"] != "city":
                source = found[0] if found else None
                place["source"] = source.ref if source else None
                place["saved_at"] = source.saved_at if source else None
                place["report_date"] = source.report_date if source else None
                place["basis"] = source.basis if source else None
                if place["status"] in ("ok", "no_plan"):
                    place["status"] = "late_report" if found and found[1] else "reported"
                elif place["status"] == "not_reported" and through < due:
                    place["status"] = "not_due"
            elif place["status"] == "ok":
                place["status"] = "reported"
            rows.append(place)
    columns = [
        "month", "adcode", "place", "level", "status", "source", "report_date", "basis",
        "saved_at", "started",
        "started_households", "finished", "finished_households", "planned", "planned_households",
        "places", "reported",
    ]  # fmt: skip
    return pd.DataFrame(rows).reindex(columns=columns)


def reported_month(day: datetime.date, report_day: int | None) -> tuple[str, bool]:
    """
    The month (``2023-03``) a monthly version dated ``day`` reports, and whether it is late.

    A 信息月报 is sent after its month closes, by the plan's ``report_day`` of the next
    month: a version dated the last day of a month reports that month (as of its close); one
    dated on another day reports the month before, late (迟报) after the ``report_day``
    (2023-04-03 is March's on time, 2023-04-12 March's late). A plan without a report day
    sets no such calendar: a version reports the month of its day and is never late.
    """
    if report_day is None or day == dates.month_end(day):
        return day.isoformat()[:7], False
    before = day.replace(day=1) - datetime.timedelta(days=1)
    return before.isoformat()[:7], day.day > report_day


def _month_table(plan: Plan, reports: Sequence[Report], end: datetime.date) -> pd.DataFrame:
    """The places of one month: each from the newest report covering it, as of ``end``."""
    parts, covers = [], set()
    for report in reversed(reports):
        mine = [a for a in report.covers if a not in covers]
        covers |= set(mine)
        parts.append(report.projects[report.projects["adcode"].isin(mine)])
    frame = pd.concat(parts, ignore_index=True) if parts else _EMPTY_PROJECTS
    if not len(frame):
        frame = _EMPTY_PROJECTS
    return progress_at(plan, frame, as_of=end, covers=covers).table


_EMPTY_PROJECTS = pd.DataFrame(
    {
        "adcode": pd.Series(dtype="string"),
        "district": pd.Series(dtype="string"),
        "city": pd.Series(dtype="string"),
        "households": pd.Series(dtype="float"),
    }
)


# --- rankings ------------------------------------------------------------------------------------


def percent(rate: float | None) -> float:
    """
    A rate (``0.5685``) in percent (``56.85``), NaN where there is none.

    Scaled from the rate's shortest decimal (its ``repr``), not its float times 100: 23/80
    is 28.75 %, where ``0.2875 * 100`` is 28.749999999999996, which half up would show as
    28.7. Rounding it as shown is :mod:`geo.shown`'s, never this function's.
    """
    if rate is None or pd.isna(rate):
        return math.nan
    return float(Decimal(repr(float(rate))) * 100)


def shown_percents(rates: pd.Series, lang: str = "zh") -> pd.Series:
    """
    ``rates`` in percent as ``lang`` shows them (:func:`geo.shown.as_shown` of :func:`percent`).

    0.5684 is 56.8 and 9/16 is 56.3 (half up); a missing rate stays NaN. What a rank is
    taken on and a map class chosen by, so neither parts two rates that read alike.
    """
    values = pd.DataFrame(
        {"value": [percent(r) for r in rates], "unit": "percent"}, index=rates.index
    )
    return shown.as_shown(values, lang)


def ranking(table: pd.DataFrame, *, by: str = "start_rate") -> pd.DataFrame:
    """
    The districts of a :attr:`Progress.table` ranked by ``by`` (:data:`RATES`), highest first.

    Ranked on the rate as shown (:func:`geo.shown.ranks` of its :func:`percent`, one decimal
    half up): 56.84 % and 56.76 % both read 56.8 % and share rank 1, the next is 3rd.
    ``rank`` and ``n_tied`` (how many share it) are as Chinese writes the rates, ``rank_en``
    and ``n_tied_en`` as English does, ``n_ranked`` how many were ranked; ``tied_with``
    names the others sharing ``rank`` (a tuple). Only rates read against a target the
    document states exactly are ranked. The rest come last, unranked, ``reason``
    (:data:`UNRANKED`) saying why: no plan, not reported, no data, or a target the document
    qualified (约, 不少于, 不超过: ``qualified_target``), whose rate is itself only a bound or
    an estimate and so cannot be placed among exact ones. Columns: ``rank`` (missing for the
    unranked, as are its counts), ``n_tied``, ``n_ranked``, ``rank_en``, ``n_tied_en``,
    ``adcode``, ``place``, ``rate`` (at full precision), ``percent`` (it in percent),
    ``percent_shown`` and ``percent_shown_en`` (as each language shows it: the rank's key;
    missing with no rate), ``qualifier`` (of the target the rate is read against),
    ``status``, ``reason`` (missing for the ranked), ``tied_with``.
    """
    if by not in RATES:
        raise ValueError(f"Expected a rate among {list(RATES)}, got {by!r}.")
    places = table[table["level"] != "city"].reset_index(drop=True)
    written = places.get("planned_qualifier", pd.Series(None, index=places.index, dtype=object))
    qualifier = written.astype(object).where(written.notna(), "exact")
    reason = pd.Series(None, index=places.index, dtype=object)
    reason[places[by].isna()] = "no_data"
    reason[qualifier != "exact"] = "qualified_target"
    reason[places["status"].isin(["no_plan", "not_reported"])] = places["status"]
    values = pd.DataFrame(
        {"value": [percent(r) for r in places[by]], "unit": "percent"}, index=places.index
    )
    every = pd.DataFrame(
        {
            "adcode": places["adcode"],
            "place": places["place"],
            "rate": places[by].astype(float),
            "percent": values["value"],
            "percent_shown": shown_percents(places[by], "zh"),
            "percent_shown_en": shown_percents(places[by], "en"),
            "qualifier": qualifier,
            "status": places["status"],
            "reason": reason,
        }
    )
    ranked = reason.isna()
    # One group: the city's districts. Rows without a rank keep their counts missing.
    found = shown.ranks(values[ranked], [pd.Series(0, index=values.index[ranked])])
    found = found.reindex(places.index).astype("Int64")
    out = pd.concat([found, every], axis=1)
    out = pd.concat(
        [
            out[ranked].sort_values(["rank", "adcode"]),
            out[~ranked].sort_values(["reason", "adcode"]),
        ]
    )
    names = out[out["rank"].notna()].groupby("rank")["place"].agg(list)
    out["tied_with"] = [
        tuple(n for n in names[r] if n != p) if pd.notna(r) else ()
        for r, p in zip(out["rank"], out["place"], strict=True)
    ]
    # The ranked have no reason: None, as a code column's gap, not NaN.
    out["reason"] = out["reason"].astype(object).where(out["reason"].notna(), None)
    return out[["rank", *_RANKING_COLUMNS]].reset_index(drop=True)


#: The columns of :func:`ranking` after ``rank``.
_RANKING_COLUMNS = (
    "n_tied", "n_ranked", "rank_en", "n_tied_en", "adcode", "place", "rate", "percent",
    "percent_shown", "percent_shown_en", "qualifier", "status", "reason", "tied_with",
)  # fmt: skip


# --- all of it: what the page shows and the monthly report holds -------------------------------


@dataclasses.dataclass
class Overview:
    """
    Progress as of a day, the months, and the rankings at the last quarter end (季排名).

    ``quarter_end`` is the last quarter end on or before the day, ``None`` when it falls
    before the plan's year (no quarter of the plan has ended); ``rankings`` maps each rate of
    :data:`RATES` to :func:`ranking` as of that quarter end (empty without one).
    """

    progress: Progress
    months: pd.DataFrame
    quarter_end: datetime.date | None
    rankings: dict[str, pd.DataFrame]


def overview(
    plan: Plan,
    projects: pd.DataFrame,
    *,
    as_of: datetime.date | str,
    covers: Iterable[str] | None = None,
    reports: Sequence[Report] = (),
) -> Overview:
    """
    Everything the progress page and the monthly report show, computed once.

    :func:`progress_at` on ``as_of``, :func:`monthly` of ``reports`` through ``as_of``, and
    :func:`ranking` by each rate on the last quarter end on or before ``as_of``.
    """
    as_of = dates.parse_day(as_of)
    progress = progress_at(plan, projects, as_of=as_of, covers=covers)
    months = monthly(plan, reports, through=as_of)
    quarter = dates.quarter_end(as_of)
    if quarter.year < plan.year:
        return Overview(
            progress,
            months,
            None,
            {rate: ranking(progress.table.iloc[:0], by=rate) for rate in RATES},
        )
    table = progress_at(plan, projects, as_of=quarter, covers=covers).table
    return Overview(progress, months, quarter, {rate: ranking(table, by=rate) for rate in RATES})
