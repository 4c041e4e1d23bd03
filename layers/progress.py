"""
A plan's progress made visible: screen tables, the monthly chart, the map layer, the report.

Everything :mod:`geo.progress` computes reaches the planner here, worded from the catalogue
in the interface's language: a district without a plan reads 无计划 / "no plan" and one the
ledger does not cover 未报送 / "not reported", where a number would be, never 0 %; a month a
district did not report is 漏报 on the chart, a gap in its line. :func:`report_sheets` is the
monthly report (月报): the city, each district, the late list, the rows not counted and why,
the ranking and the months, each figure beside the plan and ledger versions it came from;
:func:`layers.spreadsheets.xlsx_bytes` writes it with formulas neutralised. Every user value put in
HTML goes through :func:`layers._html.esc`; the chart takes them as data values.

The map's districts are written compactly (:class:`layers._html.CompactGeoJson`): the 38 of
重庆市, the most of any city's plan, were a map of 0.52 MB as folium's GeoJSON, 0.11 MB so.
"""

from __future__ import annotations

import datetime

import altair as alt
import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo import dates
from geo.plans import Plan
from geo.progress import Overview, Progress, percent, shown_percents
from layers._html import NO_DATA_COLOUR, CompactGeoJson, esc, esc_md, tipped_geojson
from layers.choropleth import class_colours
from layers.coverage import HATCH_CSS, HATCH_FILL
from layers.spreadsheets import xlsx_bytes
from layers.wording import (
    format_value,
    label,
    listed_text,
    qualifier_text,
    quarantine_messages,
    rank_label,
)

__all__ = [
    "RATE_BINS",
    "as_of_default",
    "basis_text",
    "chart_places",
    "count_text",
    "deadline_texts",
    "headline",
    "late_note",
    "late_table",
    "link_changed_text",
    "monthly_table",
    "months_note",
    "on_outlines",
    "plan_options",
    "plan_refs",
    "progress_chart",
    "progress_layer",
    "progress_table",
    "quarter_text",
    "ranking_sheet",
    "ranking_table",
    "ranking_title",
    "rate_text",
    "read_refs",
    "report_file",
    "report_file_name",
    "report_sheets",
    "status_text",
    "uncounted_table",
    "versions_text",
]

#: Upper bounds of the rate classes the map colours: the rates are read against the plan's
#: 100 %, so the classes are fixed, not fitted to the values; the last holds 100 % and above.
RATE_BINS = (0.2, 0.4, 0.6, 0.8, 1.0)


def _sep(lang: str) -> str:
    return "；" if lang == "zh" else "; "


#: A rate against a target the document qualified is qualified the other way: started of
#: 不足30个 (at most 30) is at least the rate against 30.
_RATE_QUALIFIER = {"at_most": "at_least", "at_least": "at_most", "approx": "approx"}


def rate_text(value, status: str = "ok", lang: str = "zh", *, planned: object = None) -> str:
    """
    A rate as a planner reads it (72.5%), or why there is none: 无计划, 未报送, 无数据.

    One decimal, half up as :mod:`geo.shown` rounds (9/16 reads 56.3%, not Python's 56.2%),
    the value :func:`geo.progress.ranking` ranks on, so two rates read alike share a rank.

    ``planned`` is the qualifier of the target it is read against: 约, 不足, 余 make the
    rate ``约`` / at least / at most in turn (``12.5%（不少于）``).
    """
    if status in ("no_plan", "not_reported"):
        return label(f"progress_status_{status}", lang)
    if value is None or pd.isna(value):
        return label("no_data", lang)
    # In percent, written as geo.shown rounds it (half up): the figure the ranks are taken on.
    text = format_value(percent(value), "percent", lang)
    return text + qualifier_text(_RATE_QUALIFIER.get(str(planned)), lang)


def count_text(value, status: str = "ok", lang: str = "zh") -> str:
    """A count (1,044), or 未报送 for a district not reported, 无数据 where it is unknown."""
    if status == "not_reported":
        return label("progress_status_not_reported", lang)
    if value is None or pd.isna(value):
        return label("no_data", lang)
    return f"{round(float(value)):,}"


def _planned_text(value, status: str, lang: str, qualifier: object = None) -> str:
    """A target as its document qualified it (30（不超过）), or 无计划."""
    if status == "no_plan":
        return label("progress_status_no_plan", lang)
    text = count_text(value, "ok", lang)
    return text + qualifier_text(qualifier, lang) if value is not None and pd.notna(value) else text


def _qualifier(row, column: str) -> object:
    """The qualifier of a target column of a progress row, None where the row has none."""
    return row.get(f"{column}_qualifier")


def _day_text(value) -> str:
    """A day, a version, any value as text; nothing at all where there is none."""
    return "" if value is None or pd.isna(value) else str(value)


def _place_name(row, lang: str) -> str:
    if row["level"] == "city":
        return label("progress_city_row", lang).format(city=row["place"])
    return str(row["place"])


def status_text(row, lang: str = "zh") -> str:
    """A place's standing: 已报送, 无计划, 未报送, or for the city how many districts reported."""
    status = str(row["status"])
    if status == "partial":
        return label("progress_status_partial", lang).format(
            reported=int(row["reported"]), places=int(row["places"])
        )
    return label(f"progress_status_{status}", lang)


def progress_table(progress: Progress, lang: str = "zh") -> pd.DataFrame:
    """
    The progress table as shown: one row per place (the city first), worded in ``lang``.

    Planned, listed, started and finished communities and households, the two rates, how
    many ledger rows are late, the deadlines. Gaps are words, never 0.
    """
    rows = []
    for _, row in progress.table.iterrows():
        status = str(row["status"])
        counts = "ok" if status == "partial" else status
        rows.append(
            {
                label("progress_col_place", lang): _place_name(row, lang),
                label("progress_col_status", lang): status_text(row, lang),
                label("progress_col_planned", lang): _planned_text(
                    row["planned"], status, lang, _qualifier(row, "planned")
                ),
                label("progress_col_started", lang): count_text(row["started"], counts, lang),
                label("progress_col_finished", lang): count_text(row["finished"], counts, lang),
                label("rate_start_rate", lang): rate_text(
                    row["start_rate"], counts, lang, planned=_qualifier(row, "planned")
                ),
                label("rate_finish_rate", lang): rate_text(
                    row["finish_rate"], counts, lang, planned=_qualifier(row, "planned")
                ),
                label("progress_col_planned_households", lang): _planned_text(
                    row["planned_households"], status, lang, _qualifier(row, "planned_households")
                ),
                label("progress_col_started_households", lang): count_text(
                    row["started_households"], counts, lang
                ),
                label("progress_col_finished_households", lang): count_text(
                    row["finished_households"], counts, lang
                ),
                label("progress_col_listed", lang): count_text(row["listed"], counts, lang),
                label("progress_col_uncertain", lang): count_text(row["uncertain"], counts, lang),
                label("progress_col_late", lang): count_text(row["late"], counts, lang),
                label("progress_col_start_by", lang): _day_text(row["start_by"]),
                label("progress_col_finish_by", lang): _day_text(row["finish_by"]),
            }
        )
    return pd.DataFrame(rows)


def late_table(late: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The late list as shown: district, community, ledger row and version, dates, why."""
    versions = [
        f"{d}@{int(v)}" if isinstance(d, str) and pd.notna(v) else ""
        for d, v in zip(
            late.get("dataset", [None] * len(late)),
            late.get("version", [None] * len(late)),
            strict=True,
        )
    ]
    return pd.DataFrame(
        {
            label("progress_col_place", lang): late["district"].astype(str).to_numpy(),
            label("progress_col_name", lang): late["name"].astype(str).to_numpy(),
            label("progress_col_row", lang): late["row"].astype("Int64").astype(str).to_numpy(),
            label("progress_col_ledger", lang): versions,
            label("progress_col_kind", lang): [label(f"late_{k}", lang) for k in late["kind"]],
            label("progress_col_deadline", lang): [_day_text(d) for d in late["deadline"]],
            label("progress_col_days_late", lang): [f"{int(d):,}" for d in late["days_late"]],
            label("progress_col_start_date", lang): [_day_text(d) for d in late["start_date"]],
            label("progress_col_finish_date", lang): [_day_text(d) for d in late["finish_date"]],
        }
    )


def uncounted_table(
    uncounted: pd.DataFrame, quarantine: pd.DataFrame | None, lang: str = "zh"
) -> pd.DataFrame:
    """
    Every ledger row not counted, and why: the ledger's quarantine, then the rows left out.

    A quarantined row says its reason (the catalogue's short name) and the reader's message
    in ``lang``; a clean row left out says why the plan does not count it.
    """
    parts = []
    if quarantine is not None and len(quarantine):
        quarantine = quarantine_messages(quarantine)
        message = "message_zh" if lang == "zh" else "message_en"
        parts.append(
            pd.DataFrame(
                {
                    "ledger": _refs(quarantine),
                    "row": quarantine["row"].astype("Int64").astype(str).to_numpy(),
                    "name": _raw_names(quarantine),
                    "reason": [label(f"qreason_{r}", lang) for r in quarantine["reason"]],
                    "detail": quarantine[message].astype(str).to_numpy(),
                }
            )
        )
    if len(uncounted):
        parts.append(
            pd.DataFrame(
                {
                    "ledger": _refs(uncounted),
                    "row": uncounted["row"].astype("Int64").astype(str).to_numpy(),
                    "name": uncounted["name"].fillna("").astype(str).to_numpy(),
                    "reason": [label(f"uncounted_{r}", lang) for r in uncounted["reason"]],
                    "detail": _uncounted_details(uncounted),
                }
            )
        )
    columns = {
        "ledger": label("progress_col_ledger", lang),
        "row": label("progress_col_row", lang),
        "name": label("progress_col_name", lang),
        "reason": label("col_reason", lang),
        "detail": label("progress_col_detail", lang),
    }
    if not parts:
        return pd.DataFrame(columns=list(columns.values()))
    return pd.concat(parts, ignore_index=True).rename(columns=columns)


def _refs(frame: pd.DataFrame) -> list[str]:
    if "dataset" not in frame or "version" not in frame:
        return [""] * len(frame)
    return [
        f"{d}@{int(v)}" if isinstance(d, str) and pd.notna(v) else ""
        for d, v in zip(frame["dataset"], frame["version"], strict=True)
    ]


def _raw_names(quarantine: pd.DataFrame) -> list[str]:
    """A quarantined row's community name as written, where its header says it is one."""
    for header in ("小区名称", "小区名", "小区", "项目名称", "名称", "name", "community"):
        if header in quarantine:
            return quarantine[header].fillna("").astype(str).tolist()
    return [""] * len(quarantine)


def _uncounted_details(rows: pd.DataFrame) -> list[str]:
    """The values a left-out row is judged by: its year, district, dates."""
    out = []
    for _, row in rows.iterrows():
        parts = [str(row.get(k)) for k in ("year", "district", "start_date", "finish_date")]
        out.append(" · ".join(p for p in parts if p not in ("", "None", "nan", "<NA>")))
    return out


def ranking_table(ranking: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """
    The ranking as shown: rank, district, rate, note; the unranked say why.

    A rank reads as the comparison's do (:func:`layers.wording.rank_label`): ``第 3 名（共
    11）``, and where districts read the same rate ``并列第 1 名（2 个并列，共 3）``, the note
    naming who shares it; the rank is ``lang``'s (:func:`geo.progress.ranking`). A district
    whose target the document qualified keeps its rate as qualified (12.5%（不少于）) and says
    it is not ranked for that reason, never placed among exact rates.
    """
    rank = _rank_column(ranking, lang)
    ranked = ranking[rank].notna()
    names = ranking[ranked].groupby(ranking[rank][ranked])["place"].agg(list)
    rows = []
    for (_, row), placed in zip(ranking.iterrows(), ranked, strict=True):
        tied = tuple(n for n in names[row[rank]] if n != row["place"]) if placed else ()
        status = str(row["status"])
        counts = status if status in ("no_plan", "not_reported") else "ok"
        rows.append(
            {
                label("progress_col_rank", lang): rank_label(row, lang) if placed else "—",
                label("progress_col_place", lang): str(row["place"]),
                label("progress_col_rate", lang): rate_text(
                    row["rate"], counts, lang, planned=row.get("qualifier")
                ),
                label("progress_col_note", lang): _rank_note(row, placed, tied, lang),
            }
        )
    keys = ["rank", "place", "rate", "note"]
    return pd.DataFrame(rows, columns=[label(f"progress_col_{k}", lang) for k in keys])


def _rank_column(ranking: pd.DataFrame, lang: str) -> str:
    """``rank``, or ``rank_en`` where ``lang`` ranks as English writes the values."""
    return "rank" if lang == "zh" or f"rank_{lang}" not in ranking else f"rank_{lang}"


def ranking_sheet(ranking: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """
    The ranking as the monthly report's sheet: :func:`ranking_table` with its numbers.

    Beside the words, why two districts tie: the rate at full precision (in %), the rate as
    shown that the rank is taken on, the rank, how many share it and how many were ranked,
    all as ``lang`` writes the rates. A district not ranked has no rank nor counts (empty,
    never 0), the note saying why; one without a rate has none shown either.
    """
    table = ranking_table(ranking, lang)
    note = table.pop(label("progress_col_note", lang))
    suffix = _rank_column(ranking, lang).removeprefix("rank")
    numbers = {
        "progress_rank_percent": ranking["percent"],
        "progress_rank_percent_shown": ranking[f"percent_shown{suffix}"],
        "progress_rank_number": ranking[f"rank{suffix}"],
        "progress_rank_n_tied": ranking[f"n_tied{suffix}"],
        "progress_rank_n_ranked": ranking["n_ranked"],
    }
    for key, cells in numbers.items():
        table[label(key, lang)] = cells.to_numpy()
    table[note.name] = note
    return table


def _rank_note(row, ranked: bool, tied: tuple[str, ...], lang: str) -> str:
    """Who a rank is shared with, or why a district is not ranked."""
    if tied:
        return label("progress_tied_with", lang).format(places=listed_text(tied, lang))
    if ranked:
        return ""
    reason = row.get("reason")
    return label(f"progress_unranked_{reason if isinstance(reason, str) else 'no_data'}", lang)


def monthly_table(months: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Month by month, per place: reported or not (漏报, 迟报), cumulative starts and finishes."""
    shown = months[months["level"] != "city"]
    rows = []
    for _, row in shown.iterrows():
        status = str(row["status"])
        counts = "not_reported" if status in ("not_reported", "not_due") else "ok"
        rows.append(
            {
                label("progress_col_month", lang): _month_text(row["month"], lang),
                label("progress_col_place", lang): str(row["place"]),
                label("progress_col_report", lang): label(f"month_{status}", lang),
                label("progress_col_started", lang): count_text(row["started"], counts, lang),
                label("progress_col_finished", lang): count_text(row["finished"], counts, lang),
                label("progress_col_planned", lang): _planned_text(
                    row["planned"], "no_plan" if pd.isna(row["planned"]) else "ok", lang
                ),
                label("progress_col_ledger", lang): _day_text(row["source"]),
                label("progress_col_basis", lang): basis_text(row, lang),
                label("progress_col_saved", lang): _day_text(row["saved_at"]),
            }
        )
    # No month up to the day (no saved monthly version): the headers still say what it holds.
    keys = [
        "month", "place", "report", "started", "finished", "planned", "ledger", "basis", "saved",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=[label(f"progress_col_{k}", lang) for k in keys])


def basis_text(row, lang: str = "zh") -> str:
    """
    What dated a month's version, and so judged it on time or late.

    台账填报日期 2023-04-30 (the ledger's own day: on time whenever saved), or 保存日期
    2023-05-08 for a ledger that gives none; nothing for a month not reported.
    """
    basis = row.get("basis")
    if not isinstance(basis, str):
        return ""
    return label(f"progress_basis_{basis}", lang).format(day=_day_text(row.get("report_date")))


def _month_text(month: str, lang: str) -> str:
    year, number = month.split("-")
    return f"{year}年{int(number)}月" if lang == "zh" else month


# --- what the page shows around the tables --------------------------------------------------


def headline(table: pd.DataFrame, lang: str = "zh") -> list[tuple[str, str]]:
    """
    The city's figures as (label, value): planned, started, the start and completion rates.

    The city's row of a :attr:`Progress.table`; a rate against a qualified target keeps its
    qualifier, a missing figure reads 无数据, never 0.
    """
    city = table.iloc[0]
    status = "ok" if str(city["status"]) == "partial" else str(city["status"])
    planned = _qualifier(city, "planned")
    return [
        (
            label("progress_col_planned", lang),
            _planned_text(city["planned"], status, lang, planned),
        ),
        (label("progress_col_started", lang), count_text(city["started"], status, lang)),
        (
            label("rate_start_rate", lang),
            rate_text(city["start_rate"], status, lang, planned=planned),
        ),
        (
            label("rate_finish_rate", lang),
            rate_text(city["finish_rate"], status, lang, planned=planned),
        ),
    ]


def on_outlines(table: pd.DataFrame, outlines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """
    The places of a :attr:`Progress.table` (not the city) on their outlines, EPSG:4326.

    ``outlines`` are display outlines indexed by adcode; a zone without one keeps its row
    with an empty geometry (the map leaves it to the table and names it under the legend).
    """
    rows = table[table["level"] != "city"].reset_index(drop=True)
    geometry = outlines.geometry.reindex(rows["adcode"].astype(str)).to_numpy()
    return gpd.GeoDataFrame(rows, geometry=geometry, crs="EPSG:4326")


def versions_text(plan_ref: str, read: list[str], lang: str = "zh") -> str:
    """Which plan and ledger versions are compared, as Markdown (every ref escaped)."""
    shown = listed_text((esc_md(r) for r in read), lang)
    return label("progress_versions", lang).format(plan=esc_md(plan_ref), ledgers=shown)


def plan_refs(datasets: list[dict]) -> list[str]:
    """
    Every version of every plan among the workspace's ``datasets``, newest first by plan.

    ``datasets`` are :meth:`store.Workspace.list_datasets` rows; other kinds are left out.
    """
    plans_found = [d for d in datasets if d["kind"] == "plan"]
    return [f"{d['name']}@{v}" for d in plans_found for v in range(d["latest"], 0, -1)]


def read_refs(refs: list[str], lang: str = "zh") -> list[str]:
    """The ledger versions read, or words for a ledger read in the session and not saved."""
    return list(refs) or [label("progress_unsaved_ledger", lang)]


def ranking_title(quarter_end: datetime.date, lang: str = "zh") -> str:
    """季排名（2023 年第 2 季度，截至 2023-06-30）: the quarterly ranking's heading."""
    quarter = quarter_text(quarter_end, lang)
    return label("progress_rank_title", lang).format(quarter=quarter, day=quarter_end.isoformat())


def chart_places(table: pd.DataFrame) -> dict[str, str]:
    """The places of :attr:`Progress.table` the monthly chart can show: ``{adcode: name}``."""
    return dict(zip(table["adcode"], table["place"], strict=True))


def as_of_default(plan: Plan, today: datetime.date) -> datetime.date:
    """The day progress is read on when the link names none: today, or the plan year's end."""
    return min(today, datetime.date(plan.year, 12, 31))


def late_note(progress: Progress, lang: str = "zh") -> tuple[str, str] | None:
    """
    What stands in for the late list, as (``info`` or ``success``, text); None: list the late.

    Without start or finish dates (a note of :attr:`geo.progress.Progress.notes`), who is late
    cannot be told: that is said, not "none is late".
    """
    if not progress.late.empty:
        return None
    if progress.notes:
        return "info", label("progress_late_unknown", lang)
    return "success", label("progress_late_none", lang)


def months_note(months: pd.DataFrame, saved: bool, lang: str = "zh") -> str:
    """
    Why no month of progress is shown ("" when some are).

    An unsaved ledger has no versions to read months from; a saved one may still report no
    month of the plan's year (saved years later, with no report date): not "not saved".
    """
    if not saved:
        return label("progress_monthly_none", lang)
    return label("progress_monthly_empty", lang) if months.empty else ""


def link_changed_text(then: list[str], read: list[str], lang: str = "zh") -> str | None:
    """
    The warning for a link that named other ledger versions than those read, or None.

    The link's versions are its text, hostile as any: escaped, shown inert.
    """
    if not then or sorted(then) == sorted(read):
        return None
    return label("progress_link_changed", lang).format(
        then=listed_text((esc_md(t) for t in then), lang),
        now=listed_text((esc_md(r) for r in read), lang),
    )


def plan_options(found: pd.DataFrame, lang: str = "zh") -> tuple[dict[str, str], list[str]]:
    """
    What a plan can be made from, and what it cannot and why.

    ``{key: text}`` of the :func:`geo.plans.plannable` rows that plan, keyed
    ``city|year|document``; a line for each row that cannot, with its reason worded.
    """
    options, refused = {}, []
    for row in found.to_dict("records"):
        if isinstance(row["reason"], str):
            why = label(f"progress_unplannable_{row['reason']}", lang)
            refused.append(f"{row['city']} {row['year']}：{why}" if lang == "zh" else
                           f"{row['city']} {row['year']}: {why}")  # fmt: skip
            continue
        key = f"{row['city']}|{row['year']}|{row['document']}"
        options[key] = label("progress_plan_option", lang).format(
            city=row["city"], year=row["year"], places=row["places"],
            document=row["doc_number"] or row["document"],
        )  # fmt: skip
    return options, refused


def report_file_name(city: str, as_of: datetime.date, lang: str = "zh") -> str:
    """月报-新乡市-2023-06-30.xlsx."""
    return f"{label('report_file', lang)}-{city}-{as_of.isoformat()}.xlsx"


# --- the chart -----------------------------------------------------------------------------------


_STARTED = "#2c7fb8"
_FINISHED = "#41ab5d"
_PLAN = "#222222"
_GAP = "#757575"


def progress_chart(months: pd.DataFrame, adcode: str, lang: str = "zh") -> alt.LayerChart:
    """
    Cumulative starts and completions of one place by month, against its plan line.

    ``months`` are :func:`geo.progress.monthly` rows. A month the place did not report
    breaks its lines and is written 漏报 (not reported) on the axis; a month reported late
    keeps its points and is written 迟报. The plan is a flat line at the planned communities,
    drawn only where the place has a plan.
    """
    rows = months[months["adcode"] == adcode].sort_values("month")
    data = _chart_data(rows, lang)
    x = alt.X(
        "month_text:N", sort=list(data["month_text"].drop_duplicates()),
        title=label("progress_col_month", lang), axis=alt.Axis(labelAngle=0),
    )  # fmt: skip
    top = np.nanmax([*data["value"].to_numpy(dtype=float), float(rows["planned"].max() or 0), 1])
    y = alt.Y(
        "value:Q",
        title=label("progress_chart_axis", lang),
        scale=alt.Scale(domain=[0, top * 1.15]),
        # Level, above the axis, as layers.charts writes its units.
        axis=alt.Axis(titleAngle=0, titleAnchor="end", titleAlign="left", titleY=-10, titleX=0),
    )
    colours = alt.Scale(
        domain=[label("progress_chart_started", lang), label("progress_chart_finished", lang)],
        range=[_STARTED, _FINISHED],
    )
    tips = [
        alt.Tooltip("month_text:N", title=label("progress_col_month", lang)),
        alt.Tooltip("series:N", title=label("progress_chart_series", lang)),
        alt.Tooltip("value:Q", title=label("progress_chart_axis", lang)),
        alt.Tooltip("report:N", title=label("progress_col_report", lang)),
        alt.Tooltip("source:N", title=label("progress_col_ledger", lang)),
    ]
    shown = data[data["value"].notna()]
    colour = alt.Color("series:N", scale=colours, title=None, legend=alt.Legend(orient="bottom"))
    layers = [
        # One path per run of reported months (``run``): a month not reported breaks the line.
        alt.Chart(shown).mark_line().encode(x=x, y=y, color=colour, detail="run:N"),
        alt.Chart(shown).mark_circle(size=60).encode(x=x, y=y, color=colour, tooltip=tips),
    ]
    gaps = data[data["gap"] != ""].drop_duplicates("month_text")
    if len(gaps):
        layers.append(
            alt.Chart(gaps)
            .mark_text(color=_GAP, fontStyle="italic", dy=-8)
            .encode(x=x, y=alt.datum(0), text="gap:N", tooltip=tips[:1] + tips[3:4])
        )
    planned = rows["planned"].dropna()
    if len(planned):
        value = float(planned.iloc[0])
        text = label("progress_chart_plan", lang).format(n=f"{round(value):,}")
        plan = pd.DataFrame({"value": [value], "text": [text]})
        line = alt.Chart(plan).mark_rule(color=_PLAN, strokeDash=[6, 4]).encode(y="value:Q")
        layers += [
            line,
            alt.Chart(plan)
            .mark_text(align="left", dx=4, dy=-6, color=_PLAN)
            .encode(y="value:Q", x=alt.datum(data["month_text"].iloc[0]), text="text:N"),
        ]
    return alt.layer(*layers).properties(height=320, width="container")


def _chart_data(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Two series per month (started, finished), the run each belongs to, the gap's word."""
    parts = []
    reported = rows["status"].isin(["reported", "late_report"]).to_numpy()
    # A new run starts after every month not reported.
    runs = np.cumsum(~reported)
    for series, column in (("started", "started"), ("finished", "finished")):
        parts.append(
            pd.DataFrame(
                {
                    "month_text": [_month_text(m, lang) for m in rows["month"]],
                    "series": label(f"progress_chart_{series}", lang),
                    "value": rows[column].astype(float).where(reported).to_numpy(),
                    "run": [f"{series}-{r}" for r in runs],
                    "report": [label(f"month_{s}", lang) for s in rows["status"]],
                    "gap": [
                        label(f"month_{s}", lang)
                        if s in ("not_reported", "not_due", "late_report")
                        else ""
                        for s in rows["status"]
                    ],
                    "source": rows["source"].fillna("").astype(str).to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


# --- the map layer --------------------------------------------------------------------------


def progress_layer(
    districts: gpd.GeoDataFrame, *, rate: str = "start_rate", lang: str = "zh"
) -> tuple[folium.FeatureGroup, list[tuple[str, str]]]:
    """
    District outlines coloured by ``rate`` against fixed classes (:data:`RATE_BINS`).

    ``districts`` are :attr:`geo.progress.Progress.table` rows with display outlines
    (EPSG:4326). A district without a plan is hatched (无计划), one not reported grey and
    dashed (未报送), one with a plan and no data grey: never coloured as 0 %. A rate is classed
    as shown (:func:`geo.progress.shown_percents`), in the class its tooltip's 20% reads in.
    Returns the layer and the legend's rows, (CSS background, text), every status drawn named.
    """
    colours = class_colours(len(RATE_BINS))
    # Classed on the rate as shown, as it is ranked: 20.004 % reads 20% and is in 0%–20%.
    values = shown_percents(districts[rate], lang) / 100
    which = np.searchsorted(np.asarray(RATE_BINS), values.fillna(0).to_numpy(), side="left")
    which = np.minimum(which, len(RATE_BINS) - 1)
    status = districts["status"].astype(str).to_numpy()
    coloured = (status == "ok") & values.notna().to_numpy()
    fill = np.where(coloured, np.asarray(colours, dtype=object)[which], NO_DATA_COLOUR)
    shown = gpd.GeoDataFrame(
        {
            "tip": [_tip(row, rate, lang) for _, row in districts.iterrows()],
            "fill": np.where(status == "no_plan", HATCH_FILL, fill),
            "kind": np.where(coloured, "ok", status),
        },
        geometry=districts.geometry.to_numpy(),
        crs=districts.crs,
        index=districts["adcode"].to_numpy(),
    )
    name = label(f"rate_{rate}", lang)
    group = folium.FeatureGroup(name=name, show=True)
    if len(shown):
        tipped_geojson(shown, _style, name=name, kind=CompactGeoJson).add_to(group)
    legend = _legend_rows(colours, status, coloured, lang)
    return group, legend


def _legend_rows(colours, status, coloured, lang: str) -> list[tuple[str, str]]:
    lows = (0.0, *RATE_BINS[:-1])
    rows = [
        (colour, label("progress_legend_class", lang).format(low=f"{low:.0%}", high=f"{high:.0%}"))
        for colour, low, high in zip(colours, lows, RATE_BINS, strict=True)
    ]
    rows[-1] = (colours[-1], label("progress_legend_top", lang).format(low=f"{lows[-1]:.0%}"))
    if (status == "no_plan").any():
        rows.append((HATCH_CSS, label("progress_status_no_plan", lang)))
    if ((status == "ok") & ~coloured).any():
        rows.append((NO_DATA_COLOUR, label("no_data", lang)))
    return rows


def _style(feature: dict) -> dict:
    props = feature["properties"]
    if props["kind"] == "ok":
        return {"fillColor": props["fill"], "color": "#555555", "weight": 1, "fillOpacity": 0.75}
    if props["kind"] == "no_plan":
        return {"fillColor": props["fill"], "color": "#555555", "weight": 1, "fillOpacity": 0.6}
    return {
        "fillColor": NO_DATA_COLOUR,
        "color": "#757575",
        "weight": 1,
        "dashArray": "4 4",
        "fillOpacity": 0.45,
    }


def _tip(row, rate: str, lang: str) -> str:
    status = str(row["status"])
    head = f"<b>{esc(row['place'])}</b> · {esc(status_text(row, lang))}<br>"
    if status == "not_reported":
        return head + esc(label("progress_tip_not_reported", lang))
    lines = [
        (
            label(f"rate_{rate}", lang),
            rate_text(row[rate], status, lang, planned=_qualifier(row, "planned")),
        ),
        (
            label("progress_col_planned", lang),
            _planned_text(row["planned"], status, lang, _qualifier(row, "planned")),
        ),
        (label("progress_col_started", lang), count_text(row["started"], "ok", lang)),
        (label("progress_col_finished", lang), count_text(row["finished"], "ok", lang)),
        (label("progress_col_late", lang), count_text(row["late"], "ok", lang)),
    ]
    return head + "<br>".join(f"{esc(k)}: <b>{esc(v)}</b>" for k, v in lines)


# --- the monthly report ---------------------------------------------------------------------


def report_sheets(
    found: Overview,
    *,
    plan_ref: str,
    ledger_refs: list[str],
    quarantine: pd.DataFrame | None,
    lang: str = "zh",
    made: datetime.datetime | None = None,
) -> dict[str, pd.DataFrame]:
    """
    The monthly report (月报) as sheets, each a table ready for Excel.

    The city, each district, the late list, the rows not counted and why, the rankings by
    start and completion rate (:func:`ranking_sheet`: the words, and the rate at full
    precision beside the rate as shown, the rank, how many tie), the months.

    The city's and each district's sheet list every figure with the plan version and target
    source it came from and the ledger versions its rows came from; a district's sheet adds
    its months. ``made`` is when it was written (Beijing time).
    """
    progress = found.progress
    made = made or datetime.datetime.now(dates.BEIJING)
    city = _city_sheet(found, plan_ref, ledger_refs, made, lang)
    sheets = {label("report_sheet_city", lang): city}
    for _, row in progress.table[progress.table["level"] != "city"].iterrows():
        sheets[str(row["place"])] = _place_sheet(
            progress, row, plan_ref, ledger_refs, found.months, lang
        )
    sheets[label("report_sheet_late", lang)] = late_table(progress.late, lang)
    sheets[label("report_sheet_uncounted", lang)] = uncounted_table(
        progress.uncounted, quarantine, lang
    )
    for rate, ranked in found.rankings.items():
        sheets[label(f"report_sheet_rank_{rate}", lang)] = ranking_sheet(ranked, lang)
    sheets[label("report_sheet_months", lang)] = monthly_table(found.months, lang)
    return sheets


def report_file(
    found: Overview,
    *,
    plan_ref: str,
    ledger_refs: list[str],
    quarantine: pd.DataFrame | None,
    lang: str = "zh",
) -> bytes:
    """The monthly report as XLSX bytes, formulas neutralised: the page's download."""
    sheets = report_sheets(
        found, plan_ref=plan_ref, ledger_refs=ledger_refs, quarantine=quarantine, lang=lang
    )
    return xlsx_bytes(sheets)


def deadline_texts(plan: Plan, lang: str = "zh") -> dict[str, str]:
    """
    The city's deadlines as words: ``start_by``, ``finish_by``, ``checks``, ``due``.

    A deadline the plan does not set reads 计划未规定 / not set by the plan, never a guess.
    """
    deadline = plan.deadline(plan.adcode)
    unset = label("report_due_none", lang)
    day = deadline["report_day"]
    return {
        "start_by": _day_text(deadline["start_by"]) or unset,
        "finish_by": _day_text(deadline["finish_by"]) or unset,
        "checks": listed_text((c.isoformat() for c in deadline["checks"]), lang) or unset,
        "due": label("report_due_day", lang).format(day=day) if day else unset,
    }


def quarter_text(day: datetime.date, lang: str = "zh") -> str:
    """2023 年第 2 季度 / Q2 2023."""
    year, quarter = dates.quarter_of(day)
    return label("progress_quarter", lang).format(year=year, quarter=quarter)


def _figure_rows(
    progress: Progress, row, plan_ref: str, ledger_refs: list[str], lang: str
) -> list[dict[str, str]]:
    """Each figure of one place: what, the value as read, the plan's source, the ledger's."""
    status = str(row["status"])
    counts = "ok" if status == "partial" else status
    targets = progress.plan.targets
    mine = targets[targets["adcode"] == row["adcode"]].set_index("metric")
    ledgers = _ledger_refs(progress, row, ledger_refs, lang)

    def plan_source(metric: str) -> str:
        if metric == "plan":
            return plan_ref
        if metric not in mine.index:
            return ""
        target = mine.loc[metric]
        line = target["seed_line"]
        where = str(target["doc_number"] or target["doc_id"])
        if pd.notna(line):
            where += " " + label("report_line", lang).format(line=int(line))
        return f"{plan_ref} · {where}"

    texts = {
        "planned": lambda c: _planned_text(row[c], status, lang, _qualifier(row, c)),
        "count": lambda c: count_text(row[c], counts, lang),
        "rate": lambda c: rate_text(row[c], counts, lang, planned=_qualifier(row, "planned")),
        "day": lambda c: _day_text(row[c]),
    }
    return [
        _report_row(
            label(key, lang), texts[kind](column), plan_source(plan), ledgers if ledger else "",
            lang,
        )
        for key, column, kind, plan, ledger in _FIGURES
    ]  # fmt: skip


# (label key, column, how it is written, its plan source: a metric, "plan" or none, whether
# it comes from the ledger too).
_FIGURES = (
    ("progress_col_planned", "planned", "planned", "communities", False),
    ("progress_col_planned_households", "planned_households", "planned", "households", False),
    ("progress_col_listed", "listed", "count", "", True),
    ("progress_col_started", "started", "count", "", True),
    ("progress_col_started_households", "started_households", "count", "", True),
    ("progress_col_finished", "finished", "count", "", True),
    ("progress_col_finished_households", "finished_households", "count", "", True),
    ("rate_start_rate", "start_rate", "rate", "communities", True),
    ("rate_finish_rate", "finish_rate", "rate", "communities", True),
    ("progress_col_uncertain", "uncertain", "count", "", True),
    ("progress_col_late", "late", "count", "plan", True),
    ("progress_col_start_by", "start_by", "day", "plan", False),
    ("progress_col_finish_by", "finish_by", "day", "plan", False),
)


def _report_row(what: str, value: str, plan: str, ledger: str, lang: str) -> dict[str, str]:
    return {
        label("report_col_item", lang): what,
        label("report_col_value", lang): value,
        label("report_col_plan", lang): plan,
        label("report_col_ledger", lang): ledger,
    }


def _ledger_refs(progress: Progress, row, ledger_refs: list[str], lang: str) -> str:
    """The ledger versions a place's counts come from (all of them for the city)."""
    if row["level"] == "city" or not progress.sources:
        return listed_text(ledger_refs, lang)
    return listed_text(progress.sources.get(str(row["adcode"]), []), lang)


def _city_sheet(found: Overview, plan_ref, ledger_refs, made, lang) -> pd.DataFrame:
    progress = found.progress
    plan = progress.plan
    city = progress.table.iloc[0]
    head = [
        _report_row(label("report_as_of", lang), progress.as_of.isoformat(), "", "", lang),
        _report_row(label("report_plan", lang), f"{plan.city} {plan.year}", plan_ref, "", lang),
        _report_row(label("report_ledgers", lang), listed_text(ledger_refs, lang), "", "", lang),
        _report_row(label("report_status", lang), status_text(city, lang), "", "", lang),
        _report_row(label("report_made", lang), made.strftime("%Y-%m-%d %H:%M"), "", "", lang),
    ]
    if found.quarter_end is not None:
        quarter = f"{quarter_text(found.quarter_end, lang)} {found.quarter_end.isoformat()}"
        head.append(_report_row(label("report_ranked_at", lang), quarter, "", "", lang))
    deadline = plan.deadline(plan.adcode)
    source = f"{plan_ref} · {deadline['source']}" if deadline["source"] else plan_ref
    for key, value in deadline_texts(plan, lang).items():
        if key in ("checks", "due"):
            head.append(_report_row(label(f"report_{key}", lang), value, source, "", lang))
    notes = [
        _report_row(
            label("report_note", lang), label(f"progress_note_{n['code']}", lang), "", "", lang
        )
        for n in progress.notes
    ]
    return pd.DataFrame(head + notes + _figure_rows(progress, city, plan_ref, ledger_refs, lang))


def _place_sheet(progress, row, plan_ref, ledger_refs, months, lang) -> pd.DataFrame:
    rows = [_report_row(label("report_status", lang), status_text(row, lang), "", "", lang)]
    rows += _figure_rows(progress, row, plan_ref, ledger_refs, lang)
    mine = months[months["adcode"] == row["adcode"]] if len(months) else months
    for _, month in mine.iterrows():
        status = str(month["status"])
        counts = "not_reported" if status in ("not_reported", "not_due") else "ok"
        when = _month_text(month["month"], lang)
        source = _day_text(month["source"])
        rows += [
            _report_row(
                label("report_month_started", lang).format(month=when),
                count_text(month["started"], counts, lang), "", source, lang,
            ),
            _report_row(
                label("report_month_finished", lang).format(month=when),
                count_text(month["finished"], counts, lang), "", source, lang,
            ),
            _report_row(
                label("report_month_status", lang).format(month=when),
                label(f"month_{status}", lang), "", source, lang,
            ),
        ]  # fmt: skip
        if isinstance(month.get("basis"), str):
            what = label("report_month_basis", lang).format(month=when)
            rows.append(_report_row(what, basis_text(month, lang), "", source, lang))
    return pd.DataFrame(rows)
