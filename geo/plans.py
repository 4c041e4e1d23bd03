"""
Annual plans: each district's (and the city's) targets for a year, and the plan's deadlines.

A :class:`Plan` holds ``targets`` shaped like :func:`geo.figures.load_figures` (status
``plan``; one row per place and metric of :data:`PLAN_METRICS`), each with its source (a
document and line, or the plan table's row), and ``deadlines`` per place: start by, finish
by, the self-check days and the day of the following month the monthly report (信息月报) is
due. A district without a row of its own keeps the city's deadlines (:meth:`Plan.deadline`).

Three ways in:

- :func:`plan_from_figures`: reported figures that are plans, such as the 新乡 2023 district
  table of 新百城提质办〔2023〕2号 in the seed figures, or the figures of a document read by the
  figures extractor and accepted in its review (saved figures are figures like the seed's);
- :func:`read_plan`: the plan template (:func:`template_bytes`) filled in, read with the
  ledgers' rules for hostile files (:mod:`geo.io.sheets`): any encoding, headers in Chinese or
  English, every bad row quarantined with a reason code, its row number and raw cells, rows
  in = clean + quarantined.

Nothing here is worded for a reader: refusals carry codes (:data:`REASONS`, the
``no_plan_figures`` error), front ends word them.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo import dates, gazetteer, records
from geo.documents import table as figure_table
from geo.documents.review import FIGURE_COLUMNS
from geo.errors import InputError, UnknownPlaceError
from geo.io import cells as _cells
from geo.io import sheets as _sheets

__all__ = [
    "FIELDS",
    "PLAN_METRICS",
    "REASONS",
    "UNPLANNABLE",
    "Plan",
    "plan_from_figures",
    "plannable",
    "read_plan",
    "template_bytes",
]

#: What a plan sets for each place, as metrics of data/metrics.csv.
PLAN_METRICS = ("communities", "households", "buildings", "floor_area_m2", "investment_cny")
#: Template field → header synonyms (compared NFKC-folded, lower-case, without spaces or a
#: bracketed unit). The first word heads the template.
FIELDS: dict[str, tuple[str, ...]] = {
    "place": ("地区", "区县", "所属区县", "县（市、区）", "place", "district"),
    "city": ("城市", "所属城市", "city"),
    "adcode": ("行政区划代码", "区划代码", "adcode"),
    "year": ("年度", "计划年度", "year"),
    "communities": ("小区个数", "小区数", "改造小区", "communities"),
    "households": ("户数", "涉及居民", "居民户数", "households"),
    "buildings": ("楼栋数", "房屋栋数", "栋数", "buildings"),
    "floor_area": ("建筑面积", "floor_area", "floorarea"),
    "investment": ("总投资", "投资", "估算投资", "investment"),
    "start_by": ("开工截止日期", "开工时限", "开工截止", "start_by", "startby"),
    "finish_by": ("完工截止日期", "完工时限", "完工截止", "finish_by", "finishby"),
    "checks": ("自查日期", "自查自评日期", "自查自评", "self_checks", "selfchecks"),
    "report_day": ("月报报送日", "月报截止日", "report_day", "reportday"),
    "programme_start": ("改造起始年份", "起始年份", "programme_start"),
    "doc_number": ("文号", "文件编号", "doc_number"),
    "issuer": ("发文机关", "发文单位", "issuer"),
    "title": ("文件名称", "文件标题", "title"),
    "source_line": ("行号或页码", "行号", "页码", "line", "page"),
    "note": ("备注", "说明", "note"),
}
_ENGLISH = {
    "place": "place", "city": "city", "adcode": "adcode", "year": "year",
    "communities": "communities", "households": "households", "buildings": "buildings",
    "floor_area": "floor area", "investment": "investment", "start_by": "start by",
    "finish_by": "finish by", "checks": "self-check days", "report_day": "monthly report due day",
    "programme_start": "programme start year", "doc_number": "document number",
    "issuer": "issuer", "title": "title", "source_line": "line or page", "note": "note",
}  # fmt: skip
# Template field → (metric, whole numbers only, the unit base a header may scale).
_METRIC_FIELDS = {
    "communities": ("communities", True, None),
    "households": ("households", True, None),
    "buildings": ("buildings", True, None),
    "floor_area": ("floor_area_m2", False, "m2"),
    "investment": ("investment_cny", False, "cny"),
}
_DEADLINE_FIELDS = ("start_by", "finish_by", "checks", "report_day", "programme_start")
#: Reason codes of a refused plan row: the figures tables' own and a ledger's
#: ``approximate_number``, so a plan row is refused in the same words (layers words them as a
#: figures table's, ``row_figures_<code>`` else ``row_<code>`` in data/wording.toml).
REASONS: tuple[str, ...] = (
    *_sheets.ROW_REASONS,
    "example_row",
    "missing_required",
    "bad_number",
    "no_district",
    "ambiguous_district",
    "district_mismatch",
    "duplicate_conflict",
    "duplicate_row",
    "approximate_number",
)
_SYNONYMS = {_sheets.header_key(w): field for field, words in FIELDS.items() for w in words}
_EXAMPLE = "示例"
_DEADLINE_SUFFIX = re.compile(r"(?:底前|底|末|前|以前|之前)$")
_SPLIT = re.compile(r"[、,，;；/]+")
_DEADLINE_COLUMNS = [
    "adcode", "place", "level", "start_by", "finish_by", "checks", "report_day", "source",
    "table_row",
]  # fmt: skip


@dataclasses.dataclass
class Plan:
    """
    One city's plan for one year: ``targets`` (figures, status ``plan``) and ``deadlines``.

    ``targets`` has the columns of :data:`geo.documents.review.FIGURE_COLUMNS` plus ``table_row``
    (the template row, missing for figures from documents); the city's own row, when the
    plan states one, has ``level`` ``city`` and role ``stated_total``. ``deadlines`` has one
    row per place that sets its own (the city's row first): ``start_by``, ``finish_by`` (ISO
    days), ``checks`` (ISO days, comma-joined), ``report_day`` (day of the following month
    the monthly report is due, or missing), ``source``. A start or finish before
    ``programme_start`` cannot belong to the programme. ``quarantine`` holds the template's
    refused rows; ``rows`` counts the rows read (template rows, or figures taken).
    """

    city: str
    province: str
    adcode: str
    year: int
    targets: pd.DataFrame
    deadlines: pd.DataFrame
    programme_start: int = records.PROGRAMME_START
    quarantine: pd.DataFrame = dataclasses.field(
        default_factory=lambda: pd.DataFrame(
            columns=["row", "reason", "column", "detail_zh", "detail_en", "detail_params"]
        )
    )
    rows: int = 0
    name: str | None = None

    def summary(self) -> dict[str, object]:
        """The one-line report: city, year, places, targets and the rows' fate."""
        by_reason = self.quarantine["reason"].value_counts().sort_index()
        return {
            "city": self.city,
            "year": self.year,
            "places": int(self.targets["adcode"].nunique()),
            "targets": len(self.targets),
            "rows": self.rows,
            "clean": self.rows - len(self.quarantine),
            "quarantined": len(self.quarantine),
            "by_reason": {str(k): int(v) for k, v in by_reason.items()},
        }

    def planned(self) -> pd.DataFrame:
        """
        One row per place: ``adcode``, ``place``, ``level``, a column per metric planned.

        Each metric has its ``<metric>_qualifier`` (``exact``, ``approx``, ``at_least``,
        ``at_most``) as the document wrote it. The city's row (level ``city``) comes first
        when the plan states one; a metric a place has no target for is missing, never 0.
        """
        frame = self.targets
        places = frame.drop_duplicates("adcode")[["adcode", "place", "level"]]
        values = frame.pivot_table(
            index="adcode", columns="metric", values="value", aggfunc="first"
        )
        # Each metric's qualifier as the document wrote it (约, 不足, 余): ``<metric>_qualifier``.
        qualifiers = frame.assign(qualifier=frame["qualifier"].astype(object).fillna("exact"))
        qualifiers = qualifiers.pivot_table(
            index="adcode", columns="metric", values="qualifier", aggfunc="first"
        ).add_suffix("_qualifier")
        table = places.join(values, on="adcode").join(qualifiers, on="adcode")
        order = (table["level"] != "city").astype(int)
        return table.assign(_order=order).sort_values(["_order", "adcode"]).drop(columns="_order")

    def deadline(self, adcode: str) -> dict[str, object]:
        """
        The deadlines of a place: its own row's, each missing one taken from the city's row.

        Keys ``start_by``, ``finish_by`` (``datetime.date`` or None), ``checks`` (list of
        dates), ``report_day`` (int or None) and ``source`` (where each was set, ``;``-joined).
        """
        rows = self.deadlines.set_index("adcode")
        found: dict[str, Any] = {}  # a frame row's values, as pandas gives them
        sources = []
        for code in (adcode, self.adcode):
            if code not in rows.index:
                continue
            row = rows.loc[code]
            for key in ("start_by", "finish_by", "checks", "report_day"):
                value = row[key]
                if key not in found and not pd.isna(value) and value != "":
                    found[key] = value
                    sources.append(str(row["source"]))
        checks = str(found.get("checks", "") or "")
        return {
            "start_by": _day(found.get("start_by")),
            "finish_by": _day(found.get("finish_by")),
            "checks": [dates.parse_day(c) for c in checks.split(",") if c],
            "report_day": int(found["report_day"]) if "report_day" in found else None,
            "source": ";".join(dict.fromkeys(s for s in sources if s)),
        }

    def to_meta(self) -> dict[str, object]:
        """What the workspace keeps beside the targets (JSON-ready)."""
        deadlines = self.deadlines.astype(object).where(self.deadlines.notna(), None)
        return {
            "city": self.city,
            "province": self.province,
            "adcode": self.adcode,
            "year": int(self.year),
            "programme_start": int(self.programme_start),
            "deadlines": deadlines.to_dict("records"),
            "rows": int(self.rows),
            "name": self.name,
        }

    @classmethod
    def from_meta(cls, targets: pd.DataFrame, quarantine: pd.DataFrame, meta: dict) -> Plan:
        """The plan :meth:`to_meta` described, with its saved targets and quarantine."""
        deadlines = pd.DataFrame(meta["deadlines"], columns=_DEADLINE_COLUMNS)
        return cls(
            meta["city"],
            meta["province"],
            meta["adcode"],
            int(meta["year"]),
            targets,
            _typed_deadlines(deadlines),
            int(meta["programme_start"]),
            quarantine,
            int(meta["rows"]),
            meta.get("name"),
        )


def _day(value: object) -> datetime.date | None:
    return None if value is None or pd.isna(value) else dates.parse_day(str(value))


def _typed_deadlines(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reindex(columns=_DEADLINE_COLUMNS)
    for column in ("adcode", "place", "level", "start_by", "finish_by", "checks", "source"):
        out[column] = out[column].astype("string")
    for column in ("report_day", "table_row"):
        out[column] = pd.array(pd.to_numeric(out[column]), dtype="Int64")
    return out.reset_index(drop=True)


# --- from reported figures --------------------------------------------------------------------


def plan_from_figures(
    figures: pd.DataFrame,
    *,
    city: str,
    year: int,
    start_by: datetime.date | str | None = None,
    finish_by: datetime.date | str | None = None,
    checks: tuple[datetime.date | str, ...] = (),
    report_day: int | None = None,
    programme_start: int = records.PROGRAMME_START,
    document: str | None = None,
    source: str = "",
) -> Plan:
    """
    The plan the reported figures of ``city`` state for ``year`` (status ``plan``).

    ``figures`` are :func:`geo.figures.load_figures`'s, or the seed and saved ones together
    (:func:`geo.figures.combine_figures`); each target keeps its document and line. The
    deadlines apply to the whole city (``source`` says where they were read, e.g. the
    document's line). ``document`` (a ``doc_id`` or a document number) picks one document
    when several plan the same places. Raises :class:`InputError` with code
    ``no_plan_figures`` when there is no such figure (the message lists the cities and years
    that have some), and when two documents plan one place and ``document`` does not choose.
    """
    found = gazetteer.resolve_city(city)
    plans = _plan_figures(figures)
    rows = _plan_rows(plans, found["city"], year)
    if document:
        rows = rows[(rows["doc_id"] == document) | (rows.get("doc_number") == document)]
    if rows.empty:
        _no_plan_figures(figures, found["city"], year)
    clash = rows[rows.duplicated(["adcode", "metric"], keep=False)]
    if not clash.empty:
        docs = sorted(set(clash["doc_id"].astype(str)))
        place, metric = str(clash["place"].iloc[0]), str(clash["metric"].iloc[0])
        raise InputError(
            f"Expected one document to plan each place; {', '.join(docs)} all plan "
            f"{place} ({metric}). Choose one with document= (atlas plan save --document DOC_ID).",
            code="plan_documents",
            details={"documents": "/".join(docs), "place": place, "metric": metric},
        )
    targets = rows.reindex(columns=[*FIGURE_COLUMNS, "table_row"]).reset_index(drop=True)
    targets["table_row"] = pd.array([pd.NA] * len(targets), dtype="Int64")
    city_row = {
        "adcode": found["adcode"],
        "place": "全市",
        "level": "city",
        "start_by": _iso(start_by),
        "finish_by": _iso(finish_by),
        "checks": ",".join(_iso(c) or "" for c in checks) or None,
        "report_day": report_day,
        "source": source,
        "table_row": None,
    }
    return Plan(
        found["city"],
        found["province"],
        found["adcode"],
        int(year),
        targets,
        _typed_deadlines(pd.DataFrame([city_row])),
        int(programme_start),
        rows=len(targets),
    )


def _iso(day: str | datetime.date | None) -> str | None:
    return None if day is None or day == "" else dates.parse_day(day).isoformat()


def _plan_figures(figures: pd.DataFrame) -> pd.DataFrame:
    """The figures that are plans with a year: status ``plan`` and a ``period_start``."""
    return figures[(figures["status"] == "plan") & figures["period_start"].notna()]


def _plan_rows(plans: pd.DataFrame, city: str, year: int) -> pd.DataFrame:
    """The targets a plan of ``city`` for ``year`` takes: one year, a plan metric, a place."""
    return plans[
        (plans["city"] == city)
        & (plans["period_start"] == year)
        & (plans["period_end"] == year)
        & plans["metric"].isin(PLAN_METRICS)
        & plans["level"].isin(["district", "zone", "city"])
    ]


#: Why the figures of a city's year that are plans make no plan (:func:`plannable`).
UNPLANNABLE = ("no_plan_metric", "not_one_year", "no_place_level", "duplicate_target")


def plannable(figures: pd.DataFrame) -> pd.DataFrame:
    """
    Every city and year the figures hold plans for, and whether :func:`plan_from_figures` takes it.

    One row per city, year and document whose targets make a plan (``reason`` missing), and
    one per city and year whose figures make none, with ``reason`` (:data:`UNPLANNABLE`):
    ``no_plan_metric`` (no target among :data:`PLAN_METRICS`, e.g. an award's money),
    ``not_one_year`` (targets over several years, 2021-2025: not the year's),
    ``no_place_level`` (no district, zone or city row), ``duplicate_target`` (one document
    plans a place's metric twice). Columns ``city``, ``year``, ``document`` (the ``doc_id``
    to pass as ``document=``), ``doc_number``, ``places``, ``targets``, ``reason``; sorted by
    city, then year, latest first.
    """
    plans = _plan_figures(figures)
    rows = []
    for (city, year), group in plans.groupby(["city", "period_start"], sort=True):
        taken = _plan_rows(group, str(city), int(year))
        base = {"city": str(city), "year": int(year)}
        if taken.empty:
            rows.append(base | {"reason": _unplannable(group, int(year))})
            continue
        for doc_id, mine in taken.groupby("doc_id", sort=True):
            numbers = mine.get("doc_number", pd.Series(dtype=object)).dropna().astype(str)
            rows.append(
                base
                | {
                    "document": str(doc_id),
                    "doc_number": numbers.iloc[0] if len(numbers) else "",
                    "places": int(mine["adcode"].nunique()),
                    "targets": len(mine),
                    "reason": "duplicate_target"
                    if mine.duplicated(["adcode", "metric"]).any()
                    else None,
                }
            )
    columns = ["city", "year", "document", "doc_number", "places", "targets", "reason"]
    out = pd.DataFrame(rows, columns=columns)
    out["places"] = pd.array(out["places"], dtype="Int64")
    out["targets"] = pd.array(out["targets"], dtype="Int64")
    return out.sort_values(["city", "year"], ascending=[True, False], ignore_index=True)


def _unplannable(group: pd.DataFrame, year: int) -> str:
    """Why plan figures of one city and year make no plan: the first filter that empties them."""
    kept = group[group["metric"].isin(PLAN_METRICS)]
    if kept.empty:
        return "no_plan_metric"
    kept = kept[kept["period_end"] == year]
    return "not_one_year" if kept.empty else "no_place_level"


def _no_plan_figures(figures: pd.DataFrame, city: str, year: int) -> None:
    found = plannable(figures)
    found = found[found["reason"].isna()].drop_duplicates(["city", "year"])
    listed = "、".join(f"{c} {y}" for c, y in zip(found["city"], found["year"], strict=True))
    raise InputError(
        f"Expected figures with status plan for {city} in {year}; the figures hold plans for "
        f"{listed or 'no city'}. Save the plan's figures first (atlas figures, or the figures "
        "page), or fill in the plan template (atlas plan template).",
        code="no_plan_figures",
        details={"city": city, "year": str(year), "found": listed or "-"},
    )


# --- the plan template --------------------------------------------------------------------------


def read_plan(
    source: str | Path | bytes,
    *,
    name: str | None = None,
    sheet: str | None = None,
    city: str | None = None,
    year: int | None = None,
) -> Plan:
    """
    Read a filled-in plan template (CSV or XLSX) and sort every row into the plan or quarantine.

    One row per place (全市/合计 or the city's name for the city itself): targets, deadlines
    (a month such as 2023年3月底 means its last day), source. ``city`` is that of rows without a
    城市 cell; ``year`` that of rows without a 年度 cell. Raises :class:`InputError` for a
    file that cannot be read as a whole, or whose rows name no city or several cities or
    years; a bad row never raises.
    """
    data, name = _sheets.load_bytes(source, name)
    table = _sheets.read_rows(data, name=name, sheet=sheet)
    start = _sheets.find_header(table.rows, _SYNONYMS, "、".join(w[0] for w in FIELDS.values()))
    header, body, numbers, broken, formulas = _sheets.table_body(table, start)
    raw, ragged, blank = _sheets.text_frame(
        body, header, short_is_ragged=table.short_rows_are_ragged
    )
    columns = _map_columns(header)
    flags = _sheets.Flags(len(raw))
    _sheets.flag_read_problems(flags, raw, header, (broken, blank, ragged), formulas)
    folded = _sheets.Folded(raw)
    _check_rows(folded, columns, flags)
    places = _places(folded, columns, city, flags)
    plan_city, plan_year = _city_and_year(folded, columns, places, flags, city, year)
    metrics = _metrics(raw, columns, flags)
    deadlines = _deadlines(folded, columns, plan_year, flags)
    _flag_duplicates(places, metrics, numbers, flags)
    ok = flags.ok()
    targets = _targets(raw, columns, places, metrics, numbers, ok, plan_year, name, data)
    quarantine = _sheets.quarantine_frame(
        raw, numbers, flags, REASONS, adcode=places["adcode"].to_numpy(dtype=object)
    )
    own = deadlines[ok].assign(**places[ok][["adcode", "place", "level"]])
    own = own.assign(source=_sources(folded, columns)[ok], table_row=numbers[ok])
    own = own[own[["start_by", "finish_by", "checks", "report_day"]].notna().any(axis=1)]
    starts = deadlines.loc[ok & (places["level"] == "city").to_numpy(), "programme_start"]
    return Plan(
        plan_city["city"],
        plan_city["province"],
        plan_city["adcode"],
        plan_year,
        targets,
        _typed_deadlines(own.sort_values("level", key=lambda s: s != "city")),
        int(starts.dropna().iloc[0]) if starts.notna().any() else records.PROGRAMME_START,
        quarantine,
        len(raw),
        name,
    )


def _map_columns(header: list[str]) -> dict[str, str]:
    """Field → header; two headers for one field, or no place column, are refused."""
    columns = _sheets.claim_columns(header, _SYNONYMS)
    if not {"place", "adcode"} & set(columns):
        raise InputError(
            f"Expected a 地区 (place) or 行政区划代码 (adcode) column; the header has {header!r}. "
            "Start from the template (atlas plan template --out plan.xlsx).",
            code="plan_place_column",
            details={"header": "、".join(map(str, header))},
        )
    return columns


def _check_rows(folded: _sheets.Folded, columns: dict[str, str], flags: _sheets.Flags) -> None:
    """The template's example row, and rows that set no target and no deadline."""
    if "note" in columns:
        example = folded[columns["note"]].str.startswith(_EXAMPLE).to_numpy()
        flags.flag(example, "example_row", column=columns["note"])
    given = [columns[f] for f in (*_METRIC_FIELDS, *_DEADLINE_FIELDS[:4]) if f in columns]
    empty = np.logical_and.reduce([(folded[c] == "").to_numpy() for c in given] or [True])
    flags.flag(empty, "missing_required", column="/".join(given))


def _places(
    folded: _sheets.Folded, columns: dict[str, str], city: str | None, flags: _sheets.Flags
) -> pd.DataFrame:
    """Place, adcode, level, city and province of every row, through the gazetteer."""
    blank = pd.Series("", index=folded.raw.index)
    cells = {f: folded[columns[f]] if f in columns else blank for f in ("place", "city", "adcode")}
    distinct: dict[tuple, tuple] = {}
    parsed = []
    for key in zip(cells["place"], cells["city"], cells["adcode"], strict=True):
        if key not in distinct:
            place, row_city, code = key
            distinct[key] = figure_table.resolve_place(place, city=row_city or city, code=code)
        parsed.append(distinct[key])
    where = "/".join(columns[f] for f in ("place", "city", "adcode") if f in columns)
    for reason in ("no_district", "ambiguous_district", "district_mismatch"):
        mask = np.array([p[5] == reason for p in parsed], dtype=bool)
        notes = np.array([p[6] if m else "" for p, m in zip(parsed, mask, strict=True)], object)
        flags.flag(mask, reason, column=where, detail=notes)
    fields = ("place", "adcode", "level", "city", "province")
    return pd.DataFrame(
        {f: [p[i] for p in parsed] for i, f in enumerate(fields)}, index=blank.index
    )


def _city_and_year(
    folded: _sheets.Folded,
    columns: dict[str, str],
    places: pd.DataFrame,
    flags: _sheets.Flags,
    city: str | None,
    year: int | None,
) -> tuple[dict[str, str], int]:
    """The plan's one city and one year; rows of another year are refused as ``bad_value``."""
    cities = set(places.loc[flags.ok(), "city"].dropna())
    if city:
        cities |= {_city(city)["city"]}
    if len(cities) != 1:
        raise InputError(
            f"Expected the rows of one city's plan, got {sorted(cities) or 'no city'}. Fill in "
            "the 城市 column, or give the city (atlas plan save --city).",
            code="plan_cities" if cities else "plan_no_city",
            details={"cities": "/".join(sorted(cities))} if cities else {},
        )
    years = pd.Series(year, index=folded.raw.index, dtype="Int64")
    if "year" in columns:
        cells = folded[columns["year"]]
        read, _, problems = _cells.parse_years(cells)
        years = read.fillna(year) if year is not None else read
        bad = (problems == "bad_value").to_numpy()
        flags.flag(bad, "bad_value", column=columns["year"], detail=_sheets.quoted(cells, bad))
    found = sorted({int(y) for y in years[flags.ok()].dropna()})
    if len(found) != 1:
        raise InputError(
            f"Expected the rows of one year's plan, got years {found or 'none'}. Fill in the "
            "年度 column, or give the year (atlas plan save --year).",
            code="plan_years" if found else "plan_no_year",
            details={"years": "/".join(map(str, found))} if found else {},
        )
    return _city(cities.pop()), found[0]


def _city(name: str) -> dict[str, str]:
    """The plan's city by name; one no name matches is refused with the close ones."""
    try:
        return gazetteer.resolve_city(name)
    except UnknownPlaceError as exc:
        raise InputError(
            str(exc),
            code="plan_city_unknown",
            details={"city": exc.value, "suggestions": "/".join(exc.suggestions) or "-"},
        ) from None


def _metrics(raw: pd.DataFrame, columns: dict[str, str], flags: _sheets.Flags) -> pd.DataFrame:
    """Each target as an exact number in its metric's unit; bad or approximate cells refused."""
    out = pd.DataFrame(index=raw.index)
    for field, (metric, integer, base) in _METRIC_FIELDS.items():
        if field not in columns:
            continue
        header = columns[field]
        scale = _cells.unit_scale(header, base=base) if base else None
        if field == "investment" and scale is None:
            raise InputError(
                f"Expected the investment column {header!r} to state its unit; rename it "
                f"{header}（万元） or {header}（元）.",
                code="plan_investment_unit",
                details={"header": header},
            )
        values, problems = _cells.parse_numbers(
            raw[header], scale=scale or Decimal(1), integer=integer
        )
        # A plan's row words every number it cannot take alike (row_figures_bad_number).
        unread = ("out_of_range", "too_precise", "negative_number", "not_whole")
        problems = problems.replace(dict.fromkeys(unread, "bad_number"))
        for reason in ("approximate_number", "bad_number"):
            mask = (problems == reason).to_numpy()
            flags.flag(mask, reason, column=header, detail=_sheets.quoted(raw[header], mask))
        out[metric] = values.astype("Float64")
    return out


def _deadlines(
    folded: _sheets.Folded, columns: dict[str, str], year: int, flags: _sheets.Flags
) -> pd.DataFrame:
    """Start by, finish by, self-check days, report day and programme start of every row."""
    index = folded.raw.index
    out = pd.DataFrame(index=index)
    for field in ("start_by", "finish_by", "checks"):
        cells = folded[columns[field]] if field in columns else pd.Series("", index=index)
        read = [_deadline_days(text, year) for text in cells]
        bad = np.array([r is None for r in read], dtype=bool)
        if field in columns:
            flags.flag(bad, "bad_value", column=columns[field], detail=_sheets.quoted(cells, bad))
        out[field] = pd.array([",".join(r) if r else None for r in read], dtype="string")
    for field, low, high in (("report_day", 1, 31), ("programme_start", 1990, 2100)):
        cells = folded[columns[field]] if field in columns else pd.Series("", index=index)
        digits = cells.str.extract(r"^\D{0,2}(\d{1,4})\D{0,2}$", expand=False)
        number = pd.to_numeric(digits, errors="coerce")
        bad = ((cells != "") & ~number.between(low, high)).to_numpy()
        if field in columns:
            flags.flag(bad, "bad_value", column=columns[field], detail=_sheets.quoted(cells, bad))
        out[field] = pd.array(number.where(number.between(low, high)), dtype="Int64")
    return out


def _deadline_days(text: str, year: int) -> list[str] | None:
    """ISO days of a deadline cell: 2023-03-31, 2023年3月底 (its last day), 6月底、11月底."""
    days = []
    for part in (p for p in _SPLIT.split(text) if p):
        part = _DEADLINE_SUFFIX.sub("", part)
        if re.fullmatch(r"\d{1,2}月(?:\d{1,2}日?)?", part):
            part = f"{year}年{part}"
        read, problem = _cells.parse_dates(pd.Series([part]))
        if problem.iloc[0] is not None or pd.isna(read.iloc[0]):
            return None
        day = str(read.iloc[0])
        days.append(dates.month_end(day).isoformat() if len(day) == 7 else day)
    return days


def _sources(folded: _sheets.Folded, columns: dict[str, str]) -> pd.Series:
    """Each row's source as written: document number, issuer, line or page."""
    parts = [folded[columns[f]] for f in ("doc_number", "issuer", "source_line") if f in columns]
    if not parts:
        return pd.Series("", index=folded.raw.index, dtype="string")
    joined = pd.concat(parts, axis=1).apply(lambda r: " ".join(v for v in r if v), axis=1)
    return joined.astype("string")


def _flag_duplicates(
    places: pd.DataFrame, metrics: pd.DataFrame, rows: np.ndarray, flags: _sheets.Flags
) -> None:
    """Two rows for one place: different targets flag both, the same flag the later."""
    frame = pd.concat([places[["adcode"]], metrics], axis=1).assign(row=rows)[flags.ok()]
    frame = frame[frame["adcode"].notna() & frame.duplicated("adcode", keep=False)]
    if frame.empty:
        return
    listed = frame.groupby("adcode")["row"].transform(lambda r: "、".join(map(str, r)))
    values = frame.drop(columns=["adcode", "row"]).astype(str).agg("|".join, axis=1)
    conflict = (values.groupby(frame["adcode"]).transform("nunique") > 1).to_numpy()
    detail = np.full(len(rows), "", dtype=object)
    at = frame.index.to_numpy()
    detail[at] = ("rows " + listed).to_numpy(dtype=object)
    mask = np.zeros(len(rows), dtype=bool)
    mask[at[conflict]] = True
    flags.flag(mask, "duplicate_conflict", detail=detail)
    repeat = frame[~conflict].duplicated("adcode", keep="first").to_numpy()
    mask[:] = False
    mask[at[~conflict][repeat]] = True
    flags.flag(mask, "duplicate_row", detail=detail)


def _targets(
    raw: pd.DataFrame,
    columns: dict[str, str],
    places: pd.DataFrame,
    metrics: pd.DataFrame,
    rows: np.ndarray,
    ok: np.ndarray,
    year: int,
    name: str,
    data: bytes,
) -> pd.DataFrame:
    """The clean rows' targets as figures: one per place and metric given."""
    from geo.figures import load_metrics

    units = load_metrics().set_index("metric")
    text = {f: raw[c].fillna("").str.strip() for f, c in columns.items()}
    blank = pd.Series("", index=raw.index)
    doc = text.get("doc_number", blank) + "|" + text.get("issuer", blank)
    doc_ids = doc.map(lambda s: "plan-" + hashlib.sha1(s.encode()).hexdigest()[:10])
    lines = [
        figure_table.read_source_line(t) or (None, None) for t in text.get("source_line", blank)
    ]
    parts = []
    for field, (metric, _, _) in _METRIC_FIELDS.items():
        if metric not in metrics:
            continue
        has = ok & metrics[metric].notna().to_numpy()
        unit_word = _header_unit(columns[field]) or units.at[metric, "unit_zh"]
        part = places[has].assign(
            metric=metric,
            value=metrics.loc[has, metric].astype(float),
            unit=units.at[metric, "unit"],
            as_written=text[field][has] + " " + unit_word,
            doc_id=doc_ids[has],
            doc_number=text.get("doc_number", blank)[has],
            issuer=text.get("issuer", blank)[has],
            title=text.get("title", blank)[has],
            seed_line=pd.array([lines[i][0] for i in np.flatnonzero(has)], dtype="Int64"),
            page=pd.array([lines[i][1] for i in np.flatnonzero(has)], dtype="Int64"),
            table_row=rows[has],
        )
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=[*FIGURE_COLUMNS, "table_row"])
    targets = pd.concat(parts).sort_values(["table_row", "metric"], kind="stable")
    targets = targets.assign(
        figure_id=lambda t: "plan-" + str(year) + "-" + t["adcode"] + "-" + t["metric"],
        period_start=year,
        period_end=year,
        period_label=dates.period_code(year, year),
        status="plan",
        qualifier="exact",
        role=np.where(targets["level"] == "city", "stated_total", "part"),
        doc_date="",
        seed_file=name,
        doc_sha256=hashlib.sha256(data).hexdigest(),
        label_zh=targets["metric"].map(units["label_zh"]),
        label_en=targets["metric"].map(units["label_en"]),
    )
    typed = targets[[*FIGURE_COLUMNS, "table_row"]].reset_index(drop=True)
    for column in ("period_start", "period_end", "table_row"):
        typed[column] = pd.array(typed[column], dtype="Int64")
    return typed


def _header_unit(header: str) -> str:
    """The unit a header declares in brackets: 建筑面积（万m²） → 万m²."""
    found = re.search(r"[(（\[【]\s*([^)）\]】]+?)\s*[)）\]】]", header)
    return found.group(1) if found else ""


# --- the blank template -------------------------------------------------------------------------


_EXAMPLE_ROW = {
    "place": "卫滨区", "city": "新乡市", "adcode": "410703", "year": "2023",
    "communities": "27", "households": "3279", "buildings": "87", "floor_area": "29.19",
    "investment": "", "start_by": "", "finish_by": "", "checks": "", "report_day": "",
    "programme_start": "", "doc_number": "新百城提质办〔2023〕2号",
    "issuer": "新乡市百城建设提质工程领导小组办公室", "title": "", "source_line": "第31行",
    "note": "示例行，读取时忽略（example row: skipped when read）",
}  # fmt: skip
_CITY_ROW = {
    "place": "全市", "city": "新乡市", "year": "2023", "communities": "138",
    "households": "22149", "buildings": "620", "floor_area": "213.91",
    "start_by": "2023年3月底", "finish_by": "2023年10月底", "checks": "6月底、11月底",
    "report_day": "5", "programme_start": "2019", "doc_number": "新百城提质办〔2023〕2号",
    "source_line": "第27行",
    "note": "示例行，读取时忽略；全市一行的截止日期适用于未填写的区县（example row: skipped）",
}  # fmt: skip
_HEADERS = {"floor_area": "建筑面积（万m²）", "investment": "总投资（万元）"}


def template_bytes() -> bytes:
    """
    The blank plan template as XLSX: one row per place, Chinese headers with English beside.

    Two example rows (marked in 备注, skipped when read): the city's (its targets and the
    deadlines every district without its own keeps) and a district's. A guide sheet says
    what each column takes.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "plan 年度计划"
    fields = list(FIELDS)
    sheet.append([f"{_HEADERS.get(f, FIELDS[f][0])} ({_ENGLISH[f]})" for f in fields])
    for example in (_CITY_ROW, _EXAMPLE_ROW):
        sheet.append([example.get(f, "") for f in fields])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in (2, 3):
        for cell in sheet[row]:
            cell.fill = PatternFill("solid", fgColor="FFF2CC")
    sheet.freeze_panes = "A2"
    for i in range(1, len(fields) + 1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = 14
    guide = book.create_sheet("说明 guide")
    for line in _GUIDE:
        guide.append(list(line))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_GUIDE = (
    ("列 column", "填写 what to fill in"),
    ("地区 place", "区县、开发区名称；全市（或合计、城市名）一行为全市目标和默认截止日期"),
    ("年度 year", "计划年度，如 2023；全表同一年度"),
    ("目标 targets", "小区个数、户数、楼栋数为确数；建筑面积、总投资按表头单位；约数不能作为目标"),
    ("开工/完工截止 deadlines", "2023-03-31 或 2023年3月底（月底即该月最后一天）"),
    ("自查日期 self-checks", "多个日期用、分隔：6月底、11月底"),
    ("月报报送日 report day", "信息月报在次月几日前报送，如 5"),
    ("改造起始年份 programme start", "早于此年份的开工、完工日期不计入（默认 2019）"),
    ("出处 source", "文号、发文机关、行号或页码：每个目标都注明出处"),
)
