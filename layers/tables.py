"""
Tables: the app's tables in the interface's language, and CSV and XLSX files for Excel.

The screen tables (:func:`side_by_side`, :func:`completeness_matrix`, ...) name columns, codes
and values in Chinese or English from the same frames the CLI writes.

Both writers first pass the frame through `neutralise_formulas`, so a project name or
remark typed by someone else (``=HYPERLINK(...)``, ``+1``, ``@SUM(A1)``) reaches the planner
as text, never as a formula (the OWASP advice on CSV injection: prefix ``'``). Only ``str``
values are touched; numeric, boolean and datetime columns keep their type, so ``-3`` in a
numeric column is still a number. Missing values become empty cells, never ``nan`` or
``<NA>``. HTML in a value is kept verbatim: escaping it is the job of whatever renders HTML.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Iterable
from decimal import Decimal

import geopandas as gpd
import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from geo import compare, completeness, reconcile
from geo.boundaries import read_admin_index
from geo.gazetteer import list_zones
from layers.labels import (
    city_mean_text,
    format_value,
    label,
    measure_name,
    place_labels,
    rank_text,
    reason_text,
    value_text,
)

__all__ = [
    "FORMULA_TRIGGERS",
    "SHEET_TITLE_MAX",
    "card_texts",
    "changes_table",
    "compare_csv",
    "compare_titles",
    "compare_values",
    "completeness_detail",
    "completeness_matrix",
    "coverage_table",
    "csv_bytes",
    "figure_table",
    "missing_names",
    "neutralise_formulas",
    "period_values",
    "plain_table",
    "quarantine_by_reason",
    "quarantine_rows",
    "reconciliation_counts",
    "reported_table",
    "side_by_side",
    "source_texts",
    "versions_table",
    "with_labels",
    "xlsx_bytes",
]

#: Leading characters that make Excel, LibreOffice or Sheets evaluate a cell (OWASP list).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: Excel refuses sheet titles longer than this.
SHEET_TITLE_MAX = 31

_FORBIDDEN_IN_TITLE = re.compile(r"[\[\]:*?/\\]")


# What a spreadsheet may skip before it reads a cell's first character: spaces (ASCII,
# ideographic, no-break) and invisible format characters (zero-width space, BOM).
_SKIPPED = " \u3000\u00a0\u200b\u200c\u200d\u2060\ufeff"


def _neutralised(value: object) -> object:
    """
    Text cleaned for a spreadsheet, then made inert: the cleaning first, the check last.

    Control characters that XML 1.0 cannot hold (``\x01``, ``\x0b``) are removed first, so
    ``"\x01=HYPERLINK(...)"`` cannot lose its ``\x01`` after the check and become a formula.
    Idempotent: a prefixed value starts with ``'``, which is no trigger.
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_TRIGGERS) or value.lstrip(_SKIPPED).startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _holds_text(column: pd.Series) -> bool:
    return column.dtype == object or isinstance(column.dtype, pd.StringDtype | pd.CategoricalDtype)


def _neutralised_column(column: pd.Series) -> pd.Series:
    values = [_neutralised(value) for value in column.array]
    if all(new is old for new, old in zip(values, column.array, strict=True)):
        return column
    # Categories are a closed set; a prefixed value only fits in a plain object column.
    dtype = object if isinstance(column.dtype, pd.CategoricalDtype) else column.dtype
    return pd.Series(values, index=column.index, name=column.name, dtype=dtype)


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """
    Return a copy of ``frame`` where no text can be read as a spreadsheet formula.

    Every ``str`` value or column label first loses the control characters XML cannot hold
    (``\x00``-``\x08``, ``\x0b``, ``\x0c``, ``\x0e``-``\x1f``); then one starting with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, also after spaces or zero-width
    characters, gets a leading ``'``. Numbers, booleans, datetimes and missing values are
    left alone, and so is the dtype of each column, except that a categorical column holding
    such a value becomes ``object``. No row is dropped; ``frame`` is not modified.
    """
    out = frame.rename(columns=_neutralised)
    # Positions, not labels, so that duplicate column names are each handled once.
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if _holds_text(column):
            out.isetitem(position, _neutralised_column(column))
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """
    The CSV of ``frame`` as UTF-8 bytes with a BOM, for a download button.

    The BOM makes Excel on Chinese Windows read UTF-8 instead of GBK. The index is not
    written, missing values are empty cells and text is written as-is, so a code such as
    ``"0410703"`` reads back unchanged with ``pd.read_csv(..., dtype=str)`` (Excel itself
    drops leading zeros when it opens any CSV; use `xlsx_bytes` to keep them in Excel).
    Formula-like text is prefixed with ``'`` by `neutralise_formulas`.
    """
    text = neutralise_formulas(frame).to_csv(index=False, na_rep="", lineterminator="\r\n")
    return text.encode("utf-8-sig")


def _cell_value(value: object) -> object:
    # Neutralised again here because str() of an odd object can itself look like a formula;
    # _neutralised also drops the control characters XML 1.0 cannot hold, before its check.
    if isinstance(value, str):
        return _neutralised(value)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    # Excel has no time zones and keeps at most microseconds: keep the wall-clock time.
    if isinstance(value, dt.datetime | np.datetime64):
        return pd.Timestamp(value).tz_localize(None).floor("us").to_pydatetime()
    if isinstance(value, dt.timedelta | np.timedelta64):
        return pd.Timedelta(value).floor("us").to_pytimedelta()
    if isinstance(value, np.generic):
        value = value.item()
    # Excel has no infinity; an empty cell is the honest "no usable number".
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int | float | Decimal | dt.date | dt.time):
        return value
    return _cell_value(str(value))


def _column_cells(column: pd.Series) -> list[object]:
    if pd.api.types.is_datetime64_any_dtype(column):
        stamps = column.dt.tz_localize(None) if column.dt.tz is not None else column
        present = stamps.dropna()
        # A column of midnights is a column of dates; Excel then shows no 00:00:00.
        if (present == present.dt.normalize()).all():
            return [None if pd.isna(stamp) else stamp.date() for stamp in stamps]
        return [_cell_value(stamp) for stamp in stamps]
    return [_cell_value(value) for value in column.array]


def _sheet_titles(names: Iterable[object]) -> list[str]:
    # Excel reserves "History" and compares titles case-insensitively.
    seen = {"history"}
    titles = []
    for name in names:
        cleaned = ILLEGAL_CHARACTERS_RE.sub("", _FORBIDDEN_IN_TITLE.sub("", str(name)))
        # Excel also rejects a title that starts or ends with an apostrophe.
        base = cleaned.strip("'")[:SHEET_TITLE_MAX].strip("'") or "Sheet"
        title, number = base, 1
        while title.casefold() in seen:
            number += 1
            suffix = f" ({number})"
            title = base[: SHEET_TITLE_MAX - len(suffix)].rstrip("'") + suffix
        seen.add(title.casefold())
        titles.append(title)
    return titles


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """
    An Excel workbook with one sheet per entry of ``sheets``, as bytes.

    Sheet titles lose the characters ``[]:*?/\\``, are cut to 31 characters and get a
    `` (2)``-style suffix where two would clash. The header row is bold and frozen. Text is
    always a text cell (codes keep their leading zeros) and formula-like text is prefixed
    with ``'``; nullable ``Int64``/``Float64`` values are numbers; missing values and
    infinities are empty cells; datetime columns whose values are all midnight are written
    as dates, others as date-times in wall-clock time. A row of missing values is an empty row.
    """
    if not sheets:
        raise ValueError(
            "xlsx_bytes needs at least one sheet, got an empty dict; pass {'name': frame}."
        )
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, raw in zip(_sheet_titles(sheets), sheets.values(), strict=True):
        frame = neutralise_formulas(raw)
        sheet = workbook.create_sheet(title)
        sheet.append([_cell_value(str(label)) for label in frame.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        columns = [_column_cells(frame.iloc[:, i]) for i in range(frame.shape[1])]
        for row in zip(*columns, strict=True):
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- tables for the screen: column names, codes and values in the interface's language -------


def plain_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A layer as a plain table: geometry as WKT, plus lon/lat for points, for Excel users."""
    if not isinstance(frame, gpd.GeoDataFrame):
        return frame
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    geoms = frame.geometry
    if len(frame) and (geoms.geom_type == "Point").all():
        table["lon"], table["lat"] = geoms.x.round(7), geoms.y.round(7)
    else:
        table["geometry_wkt"] = geoms.to_wkt(rounding_precision=7)
    return table


#: Column → the label key of its header, for every table the pages show headed.
_HEADERS = {
    "reason": "col_reason",
    "rows": "col_rows",
    "first_row": "col_first_row",
    "message_zh": "col_message_zh",
    "message_en": "col_message_en",
    "row": "ledger_row",
    "column": "col_column",
    "result": "col_result",
    "meaning": "col_meaning",
    "city": "compare_city",
    "metric": "compare_metric",
    "reported": "col_reported",
    "as_written": "as_written",
    "period": "period",
    "computed": "col_computed",
    "computed_status": "compare_data_status",
    "doc_id": "col_documents",
    "seed_line": "col_seed_line",
}


def _headed(frame: pd.DataFrame, lang: str, extra: dict[str, str] | None = None) -> pd.DataFrame:
    """``frame`` with the columns :data:`_HEADERS` knows named in ``lang`` (and ``extra``)."""
    names = {c: label(_HEADERS[c], lang) for c in frame.columns if c in _HEADERS}
    return frame.rename(columns=names | (extra or {}))


def quarantine_by_reason(quarantine: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Quarantine counts by reason (:func:`geo.completeness.quarantine_by_reason`), headed."""
    return _headed(completeness.quarantine_by_reason(quarantine), lang)


def quarantine_rows(quarantine: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Every quarantined row as read, its fixed columns named in ``lang``."""
    fixed = ["row", "reason", "column", "message_zh", "message_en"]
    return quarantine.rename(columns={c: label(_HEADERS[c], lang) for c in fixed})


def reconciliation_counts(
    reconciliation: pd.DataFrame, metric_names: dict[str, str], lang: str = "zh"
) -> pd.DataFrame:
    """A reconciliation counted by result and metric, each result with its meaning."""
    counts = completeness.reconciliation_by_result(reconciliation, reconcile.RESULTS)
    counts.insert(1, "meaning", [label(f"result_{r}", lang) for r in counts["result"]])
    return _headed(counts[["result", "meaning", "rows"]], lang).join(
        counts.drop(columns=["result", "meaning", "rows"]).rename(columns=metric_names)
    )


def reported_table(reported: pd.DataFrame, figures: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """
    Reported accessibility figures beside the computed ones, named and formatted.

    ``reported`` is :func:`geo.coverage.compare_reported`; documents are named by number.
    """
    if reported.empty:
        return reported
    names = dict(zip(figures["metric"], figures[f"label_{lang}"], strict=False))
    units = dict(zip(figures["metric"], figures["unit"], strict=False))
    documents = figures.drop_duplicates("doc_id").set_index("doc_id")["doc_number"]
    shown = reported.assign(
        metric=reported["metric"].map(names),
        computed=[
            "" if pd.isna(v) else format_value(v, units.get(m, "count"), lang)
            for v, m in zip(reported["computed"], reported["metric"], strict=True)
        ],
        doc_id=reported["doc_id"].map(documents).fillna(reported["doc_id"]),
        computed_status=[
            label("status_ok", lang) if s == "ok" else label(f"reason_{s}", lang)
            for s in reported["computed_status"]
        ],
    )
    return _headed(shown, lang)


def coverage_table(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per-district coverage: place, extent share, then each measure beside its status."""
    columns = ["district", "city", "extent_share"] + [c for k in keys for c in (k, f"{k}_status")]
    return pd.DataFrame(table[columns])


def _family_cell(row, lang: str) -> str:
    """``✓ 4 项（2023年）`` or ``无``: one cell of the place × family matrix."""
    if not row["has_figure"]:
        return label("cell_none", lang)
    text = label("cell_figures", lang).format(n=row["n_figures"])
    if not row["periods"]:
        return text
    return f"{text}（{row['periods']}）" if lang == "zh" else f"{text} ({row['periods']})"


def completeness_matrix(table: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """
    Places as rows, figure families as columns, then each place's documents and their age.

    ``table`` is :func:`geo.completeness.completeness`.
    """
    cells = table.assign(cell=[_family_cell(r, lang) for _, r in table.iterrows()])
    wide = cells.pivot(index="adcode", columns="family", values="cell")
    families = list(dict.fromkeys(table["family"]))
    places = completeness.by_place(table).set_index("adcode")
    out = pd.DataFrame(
        {
            label("compare_city", lang): places["city"],
            label("compare_place", lang): places["place"],
            label("col_level", lang): [label(f"level_{v}", lang) for v in places["level"]],
            label("col_has_any", lang): [
                label("yes" if v else "no", lang) for v in places["has_any_figure"]
            ],
        }
    )
    for family in families:
        out[label(f"family_{family}", lang)] = wide.loc[places.index, family]
    out[label("col_documents", lang)] = places["documents"]
    out[label("col_issuers", lang)] = places["issuers"]
    out[label("col_latest_doc_date", lang)] = places["latest_doc_date"].fillna("")
    out[label("col_doc_age", lang)] = places["doc_age_years"]
    out[label("col_latest_period_end", lang)] = places["latest_period_end"]
    out[label("col_period_age", lang)] = places["period_age_years"]
    return out.reset_index(drop=True)


def completeness_detail(table: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The long completeness table (place × family) with its provenance, headed in ``lang``."""
    shown = table[table["has_figure"]]
    return pd.DataFrame(
        {
            label("compare_city", lang): shown["city"],
            label("compare_place", lang): shown["place"],
            label("col_family", lang): [label(f"family_{f}", lang) for f in shown["family"]],
            label("col_figures", lang): shown["n_figures"],
            label("col_metrics", lang): shown["metrics"],
            label("col_periods", lang): shown["periods"],
            label("col_documents", lang): shown["documents"],
            label("col_issuers", lang): shown["issuers"],
            label("col_latest_doc_date", lang): shown["latest_doc_date"].fillna(
                label("undated_doc", lang)
            ),
            label("col_doc_age", lang): shown["doc_age_years"],
            label("col_latest_period_end", lang): shown["latest_period_end"],
            label("col_period_age", lang): shown["period_age_years"],
            label("col_seed_lines", lang): shown["seed_lines"],
        }
    )


def missing_names(missing: pd.DataFrame, lang: str = "zh") -> str:
    """``新乡市：新乡县、获嘉县；开封市：全市、龙亭区``: the places without figures, by city."""
    named = missing.assign(
        name=missing["place"].where(missing["level"] != "city", label("level_city", lang))
    )
    sep = ("：", "、", "；") if lang == "zh" else (": ", ", ", "; ")
    return sep[2].join(
        f"{city}{sep[0]}{sep[1].join(rows['name'])}"
        for city, rows in named.groupby("city", sort=False)
    )


# --- the compare page's tables --------------------------------------------------------------


def compare_titles(keys: list[str], figures: pd.DataFrame, lang: str = "zh") -> dict[str, str]:
    """The display name of each compare metric: a reported figure, a ledger sum or a measure."""
    names = dict(zip(figures["metric"], figures[f"label_{lang}"], strict=False))
    titles = {}
    for key in keys:
        kind = compare.metric_kind(key)
        if kind == "ledger":
            titles[key] = label(f"metric_{key}", lang)
        elif kind == "infra":
            inner = measure_name(key.removeprefix(compare.INFRA_PREFIX), lang)
            titles[key] = label("metric_infra", lang).format(name=inner)
        else:
            titles[key] = names.get(key, key)
    return titles


def source_texts(rows: pd.DataFrame, lang: str = "zh") -> pd.Series:
    """The source of each value on screen: document and seed line, ledger file and rows."""
    out = []
    for row in rows.itertuples(index=False):
        if row.source_kind == "ledger":
            out.append(label("source_ledger", lang).format(name=row.source, rows=row.source_rows))
        elif row.source_kind == "infra":
            out.append(label("source_infra", lang).format(name=row.source))
        else:
            out.append("" if pd.isna(row.source) else str(row.source))
    return pd.Series(out, index=rows.index, dtype="string")


def with_labels(rows: pd.DataFrame, places: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """
    Compare values with each place's short ``label`` and their source as the screen writes it.

    Labels come from :func:`layers.labels.place_labels`; the source is in both ``source``
    and ``source_text``.
    """
    labels = dict(zip(places["adcode"], place_labels(places, lang), strict=True))
    sources = source_texts(rows, lang)
    return rows.assign(label=rows["adcode"].map(labels), source=sources, source_text=sources)


def _status_texts(rows: pd.DataFrame, lang: str) -> list[str]:
    return [label("status_ok", lang) if s == "ok" else reason_text(s, lang) for s in rows["status"]]


def _value_and_rank(row, lang: str) -> str:
    rank = "" if pd.isna(row["rank"]) else f" · {rank_text(row, lang)}"
    return value_text(row, lang) + rank


def side_by_side(table: pd.DataFrame, titles: dict[str, str], lang: str = "zh") -> pd.DataFrame:
    """
    Places as rows, metrics as columns (value and rank), then one row per city average.

    ``table`` is :func:`geo.compare.compare_table` with a ``label`` per place.
    """
    cells = table.assign(cell=[_value_and_rank(r, lang) for _, r in table.iterrows()])
    wide = cells.pivot_table(
        index="label", columns="metric", values="cell", aggfunc="first", sort=False
    )
    wide = wide.reindex(index=list(dict.fromkeys(cells["label"])), columns=list(titles))
    # One row per city: each cell its average with how many districts it used (11/13).
    averages: dict[str, dict[str, str]] = {}
    districts = cells[cells["tier"] == "district"]
    for (city, metric), rows in districts.groupby(["city", "metric"], sort=False):
        name = label("city_average_row", lang).format(city=city)
        averages.setdefault(name, {})[metric] = city_mean_text(rows.iloc[0], lang) or label(
            "no_city_average", lang
        ).format(city=city)
    wide = pd.concat([wide, pd.DataFrame.from_dict(averages, orient="index")])
    wide = wide.rename(columns=titles).rename_axis(label("compare_place", lang)).reset_index()
    return wide.fillna("")


def compare_values(table: pd.DataFrame, titles: dict[str, str], lang: str = "zh") -> pd.DataFrame:
    """
    Every compared value with rank, city average, period, status and source, in ``lang``.

    Rank and average are text here, so a place without one shows an empty cell, not "None";
    :func:`compare_csv` has the plain numbers.
    """
    return pd.DataFrame(
        {
            label("compare_metric", lang): table["metric"].map(titles),
            label("compare_place", lang): table["label"],
            label("compare_city", lang): table["city"],
            label("compare_value", lang): [value_text(r, lang) for _, r in table.iterrows()],
            label("compare_rank", lang): [
                "" if pd.isna(r["rank"]) else rank_text(r, lang) for _, r in table.iterrows()
            ],
            label("city_average", lang): [city_mean_text(r, lang) for _, r in table.iterrows()],
            label("period", lang): table["period_label"].fillna(""),
            label("compare_figure_status", lang): [
                label(s, lang) if isinstance(s, str) else "" for s in table["figure_status"]
            ],
            label("compare_data_status", lang): _status_texts(table, lang),
            label("source", lang): table["source_text"],
        }
    )


def compare_csv(table: pd.DataFrame, titles: dict[str, str]) -> pd.DataFrame:
    """The comparison with plain numbers and codes, for the CSV download."""
    columns = [
        "metric",
        "adcode",
        "place",
        "city",
        "value",
        "unit",
        "status",
        "rank",
        "n_ranked",
        "city_mean",
        "city_mean_n",
        "city_places_n",
        "period_label",
        "figure_status",
        "qualifier",
        "as_written",
        "source_kind",
        "source_text",
    ]
    return table[columns].assign(metric_name=table["metric"].map(titles))


def period_values(rows: pd.DataFrame, titles: dict[str, str], lang: str = "zh") -> pd.DataFrame:
    """The time view's values (:func:`geo.compare.by_period`, with ``label`` and ``source``)."""
    return pd.DataFrame(
        {
            label("compare_metric", lang): rows["metric"].map(titles),
            label("compare_place", lang): rows["label"],
            label("period", lang): rows["period_label"].fillna(""),
            label("compare_batch", lang): rows["batch"].fillna(""),
            label("compare_value", lang): [value_text(r, lang) for _, r in rows.iterrows()],
            label("compare_data_status", lang): _status_texts(rows, lang),
            label("source", lang): rows["source"],
        }
    )


# --- the map page's tables ------------------------------------------------------------------

_FIGURE_COLUMNS = [
    "city",
    "place",
    "level",
    "period_label",
    "status",
    "label",
    "value",
    "unit",
    "qualifier",
    "as_written",
    "doc_number",
    "issuer",
    "doc_date",
    "seed_file",
    "seed_line",
]
_CITY_FIGURE_COLUMNS = [
    "city",
    "place",
    "period_label",
    "status",
    "label",
    "value",
    "unit",
    "as_written",
    "doc_number",
    "seed_file",
    "seed_line",
]
_ZONE_COLUMNS = [
    "city",
    "place",
    "adcode",
    "period_label",
    "label",
    "value",
    "as_written",
    "doc_number",
]


_TABLE_COLUMNS = {"all": _FIGURE_COLUMNS, "city": _CITY_FIGURE_COLUMNS, "zones": _ZONE_COLUMNS}


def figure_table(figures: pd.DataFrame, lang: str = "zh", *, kind: str = "all") -> pd.DataFrame:
    """
    Reported figures with their provenance columns, for the screen.

    ``kind`` is ``all`` (every figure), ``city`` (city-level figures) or ``zones`` (zones
    without an outline).
    """
    columns = _TABLE_COLUMNS[kind]
    return figures[[f"label_{lang}" if c == "label" else c for c in columns]]


def card_texts(card: pd.Series, lang: str = "zh") -> tuple[str, str, str]:
    """
    A city card of :func:`geo.selection.city_summary`: headline, value and caption.

    A city without the figure reads "no data", never 0.
    """
    if card["basis"] == "none":
        return card["city"], label("no_data", lang), ""
    place = label("city_total", lang) if card["basis"] == "parts" else card["place"]
    place = label("city_wide", lang) if place == card["city"] else place
    period = card["period_label"] or label("undated", lang)
    more = f" · +{card['others']} {label('more_figures', lang)}" if card["others"] else ""
    caption = f"{period} · {label(card['status'], lang)}{more}  \n{card['source']}"
    return f"{card['city']} · {place}", format_value(card["value"], card["unit"], lang), caption


# --- the workspace's history ----------------------------------------------------------------


def _district_names(adcodes) -> str:
    index = read_admin_index().drop_duplicates("adcode").set_index("adcode")["district"]
    zones = list_zones().drop_duplicates("code").set_index("code")["name"]
    names = [index.get(a) or zones.get(a) or a for a in adcodes]
    return "、".join(str(n) for n in names)


def versions_table(versions: list[dict], lang: str = "zh") -> pd.DataFrame:
    """
    Every version of a dataset (``VersionInfo.to_dict()`` of each): who, when, which file.

    With its SHA-256 (first 12 digits), datum, counts (rows = clean + quarantined), the
    reasons rows were quarantined, and the districts it covers by name.
    """
    rows = pd.DataFrame(versions)
    return pd.DataFrame(
        {
            label("history_col_version", lang): rows["version"],
            label("workspace_col_saved_by", lang): rows["saved_by"],
            label("workspace_col_saved_at", lang): rows["saved_at"],
            label("history_col_file", lang): rows["file_name"].fillna(""),
            "SHA-256": rows["sha256"].fillna("").str[:12],
            label("datum", lang): rows["datum"].fillna(label("datum_in_file", lang)),
            label("rows", lang): rows["rows"],
            label("clean", lang): rows["clean"],
            label("quarantined", lang): rows["quarantined"],
            label("col_reason", lang): [
                "、".join(f"{k} {v}" for k, v in reasons.items()) for reasons in rows["by_reason"]
            ],
            label("history_col_covers", lang): [_district_names(c) for c in rows["covers"]],
        }
    )


def changes_table(changes: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """
    Rows added, removed and changed between two versions (``Workspace.diff``), in ``lang``.

    Each changed row names its changed columns with the values before and after.
    """

    def values(before, after) -> str:
        if not isinstance(before, dict) or not isinstance(after, dict):
            return ""
        return "；".join(f"{k}: {before.get(k)} → {after.get(k)}" for k in after)

    return pd.DataFrame(
        {
            label("history_col_change", lang): [
                label(f"change_{c}", lang) for c in changes["change"]
            ],
            label("compare_place", lang): changes["district"].fillna(""),
            label("history_col_name", lang): changes["name"],
            label("history_col_rows", lang): [
                "→".join(str(int(r)) for r in (old, new) if pd.notna(r))
                for old, new in zip(changes["row_old"], changes["row_new"], strict=True)
            ],
            label("history_col_values", lang): [
                values(b, a) for b, a in zip(changes["before"], changes["after"], strict=True)
            ],
        }
    )
