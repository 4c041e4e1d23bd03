"""
Tables for the screen: the app's tables in the interface's language.

The screen tables (:func:`side_by_side`, :func:`completeness_matrix`, ...) name columns, codes
and values in Chinese or English from the same frames the CLI writes. The CSV and XLSX files
for Excel are written by :mod:`layers.spreadsheets`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geo import compare, completeness, coverage, reconcile
from geo.boundaries import read_admin_index
from geo.figures import load_metrics
from geo.gazetteer import list_zones
from layers.sources import cited_lines, line_text, lines_text
from layers.wording import (
    LABELS,
    city_mean_text,
    colon,
    figure_text,
    format_value,
    label,
    listed_text,
    measure_name,
    period_text,
    place_labels,
    place_text,
    quarantine_messages,
    rank_text,
    reason_text,
    source_words,
    tags_text,
    time_text,
    unit_text,
    value_text,
)

__all__ = [
    "card_texts",
    "card_value",
    "changes_table",
    "compare_csv",
    "compare_titles",
    "compare_values",
    "compared_versions",
    "completeness_detail",
    "completeness_matrix",
    "coverage_table",
    "district_names",
    "figure_table",
    "layers_summary",
    "metric_names",
    "missing_names",
    "period_values",
    "plain_table",
    "projects_table",
    "quarantine_by_reason",
    "quarantine_rows",
    "reason_name",
    "reconciliation_counts",
    "reconciliation_table",
    "reported_table",
    "side_by_side",
    "source_texts",
    "versions_table",
    "with_labels",
]

#: A GeoPackage layer's suffix (geopackage_layers) → the label of its geometry.
_FAMILY_WORDS = {"points": "geom_point", "lines": "geom_linestring", "polygons": "geom_polygon"}


def layers_summary(layers: dict[str, pd.DataFrame], lang: str = "zh") -> pd.DataFrame:
    """
    Each layer of an export: what it holds, in ``lang``, and its name in the files.

    With how many features or rows it has, and its geometry.
    """

    def geometry(frame: pd.DataFrame) -> str:
        if not isinstance(frame, gpd.GeoDataFrame):
            return label("table_only", lang)
        kinds = sorted(set(frame.geometry.geom_type.dropna().str.removeprefix("Multi")))
        words = [label(f"geom_{k.lower()}", lang) for k in kinds]
        if frame.geometry.isna().any():
            words.append(label("geom_none", lang))
        return listed_text(words, lang)

    def named(layer: str) -> str:
        # infra_points: the infra layer's points, as geopackage_layers splits it.
        base, _, family = layer.partition("_")
        if family not in _FAMILY_WORDS:
            base, family = layer, ""
        name = label(f"layer_{base}", lang) if f"layer_{base}" in LABELS else layer
        if not family:
            return name
        part = label(_FAMILY_WORDS[family], lang)
        return f"{name}（{part}）" if lang == "zh" else f"{name} ({part})"

    return pd.DataFrame(
        {
            label("layer", lang): [named(n) for n in layers],
            label("layer_in_file", lang): list(layers),
            label("features", lang): [len(f) for f in layers.values()],
            label("geometry", lang): [geometry(f) for f in layers.values()],
        }
    )


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


def reason_name(code: object, lang: str = "zh") -> str:
    """A quarantine reason code (``duplicate_conflict``) as a short name in ``lang``."""
    text = str(code)
    return label(f"qreason_{text}", lang) if f"qreason_{text}" in LABELS else text


def quarantine_by_reason(
    quarantine: pd.DataFrame, lang: str = "zh", *, kind: str = "ledger"
) -> pd.DataFrame:
    """
    Quarantine counts by reason (:func:`geo.completeness.quarantine_by_reason`), headed.

    The reason is named in ``lang`` and its first row's message is the one in ``lang``
    (:func:`layers.wording.quarantine_messages`, for a quarantine of ``kind``); the reason
    codes and both messages stay in the files (CSV, XLSX, GeoPackage).
    """
    counts = quarantine_messages(completeness.quarantine_by_reason(quarantine), kind)
    counts = counts.assign(reason=[reason_name(r, lang) for r in counts["reason"]])
    shown = counts[["reason", "rows", "first_row", f"message_{lang}"]]
    return shown.rename(columns=_quarantine_headers(lang))


def _quarantine_headers(lang: str, *, kind: str = "ledger") -> dict[str, str]:
    """The headers of a quarantine's fixed columns; a survey's rows are features or rows."""
    return {
        "row": label("infra_row" if kind == "infra" else "ledger_row", lang),
        "reason": label("col_reason_name", lang),
        "rows": label("col_rows", lang),
        "first_row": label("col_first_row", lang),
        "column": label("col_column", lang),
        f"message_{lang}": label("col_message", lang),
    }


def quarantine_rows(
    quarantine: pd.DataFrame, lang: str = "zh", *, kind: str = "ledger"
) -> pd.DataFrame:
    """
    Every quarantined row as read, its fixed columns named in ``lang``, its reason named.

    ``kind`` is ``"ledger"`` (rows of a ledger), ``"infra"`` (a survey's features or rows,
    an extract's OSM elements), ``"figures"`` or ``"plan"`` (a table's rows). The message is
    the one in ``lang`` (:func:`layers.wording.quarantine_messages`). Rows from the workspace
    (with ``dataset`` and ``version``) start with their version, ``name@3``, since two files
    number their rows each from 2; a row's district (``adcode``) is shown by name. The raw
    cells keep the file's own headers and text: they are what the file said.
    """
    quarantine = quarantine_messages(quarantine, kind)
    other = "message_en" if lang == "zh" else "message_zh"
    shown = quarantine.drop(columns=other, errors="ignore").assign(
        reason=[reason_name(r, lang) for r in quarantine["reason"]]
    )
    if "adcode" in shown:
        codes = shown["adcode"].astype("string")
        places = _place_names()
        names = {a: district_names([a], lang, places) for a in codes.dropna().unique()}
        # As objects before the blanks: a quarantine without one district (every row an
        # address or a place not found) maps to an all-missing float column "" cannot fill.
        shown["adcode"] = codes.map(names).astype(object).fillna("")
    named = _quarantine_headers(lang, kind=kind) | {"adcode": label("compare_place", lang)}
    if {"dataset", "version"} <= set(shown.columns):
        refs = shown["dataset"].astype(str) + "@" + shown["version"].astype(str)
        shown = shown.drop(columns=["dataset", "version"])
        shown.insert(0, label("history_col_version", lang), refs)
    return shown.rename(columns=named)


def reconciliation_counts(
    reconciliation: pd.DataFrame, metric_names: dict[str, str], lang: str = "zh"
) -> pd.DataFrame:
    """A reconciliation counted by result and metric, each result named and explained."""
    counts = completeness.reconciliation_by_result(reconciliation, reconcile.RESULTS)
    counts.insert(1, "meaning", [label(f"result_{r}", lang) for r in counts["result"]])
    counts["result"] = [label(f"result_name_{r}", lang) for r in counts["result"]]
    return _headed(counts[["result", "meaning", "rows"]], lang).join(
        counts.drop(columns=["result", "meaning", "rows"]).rename(columns=metric_names)
    )


#: The unit of each reconciled metric (geo.reconcile.COMPARED), for its numbers.
_RECONCILED_UNITS = {
    "communities": "count",
    "households": "households",
    "buildings": "count",
    "floor_area_m2": "m2",
}


def reconciliation_table(
    reconciliation: pd.DataFrame, metric_names: dict[str, str], lang: str = "zh"
) -> pd.DataFrame:
    """
    Every reconciliation row for the screen: named, formatted, explained, in ``lang``.

    ``reconciliation`` is :func:`geo.reconcile.reconcile`. Reported, ledger and difference
    values carry their unit; a missing one reads "无数据", never 0; a ledger compared over all
    periods says so in its period.
    """
    units = reconciliation["metric"].map(_RECONCILED_UNITS).fillna("count")

    def amounts(column: str) -> list[str]:
        return [
            format_value(v, u, lang) for v, u in zip(reconciliation[column], units, strict=True)
        ]

    def period(row) -> str:
        text = period_text(row.period, lang) if row.period else ""
        if row.compared != "all":
            return text or label("undated", lang)
        ledger = label("all_ledger_years", lang)
        return f"{text} · {ledger}" if text else ledger

    lines = reconciliation["seed_file"].fillna("").astype(str)
    numbers = reconciliation["seed_line"]
    seed = [line_text(n, lang) if f else "" for f, n in zip(lines, numbers, strict=True)]
    return pd.DataFrame(
        {
            label("compare_city", lang): reconciliation["city"],
            label("compare_place", lang): [place_text(p, lang) for p in reconciliation["place"]],
            label("period", lang): [period(r) for r in reconciliation.itertuples(index=False)],
            label("compare_metric", lang): reconciliation["metric"].map(metric_names),
            label("col_reported", lang): [
                figure_text(v, u, lang, qualifier=q, as_written=w)
                for v, u, q, w in zip(
                    reconciliation["reported"],
                    units,
                    reconciliation["qualifier"],
                    reconciliation["as_written"],
                    strict=True,
                )
            ],
            label("col_qualifier", lang): [
                "" if not isinstance(q, str) else label(f"qualifier_{q}", lang)
                for q in reconciliation["qualifier"]
            ],
            label("col_mapped", lang): amounts("mapped"),
            label("col_difference", lang): amounts("difference"),
            label("col_result", lang): [
                label(f"result_name_{r}", lang) for r in reconciliation["result"]
            ],
            label("col_meaning", lang): [
                label(f"result_{r}", lang) for r in reconciliation["result"]
            ],
            label("compare_rows_used", lang): reconciliation["ledger_rows"],
            label("col_rows_missing", lang): reconciliation["rows_missing_value"].fillna(0),
            label("compare_figure_status", lang): [
                "" if not isinstance(v, str) else label(v, lang)
                for v in reconciliation["reported_status"]
            ],
            label("col_doc_number", lang): reconciliation["doc_number"].fillna(""),
            label("col_seed_lines", lang): seed,
        }
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
    unit = [units.get(m, "count") for m in reported["metric"]]
    shown = reported.assign(
        metric=reported["metric"].map(names),
        reported=[
            figure_text(v, u, lang, qualifier=q, as_written=w)
            for v, u, q, w in zip(
                reported["reported"],
                unit,
                reported["qualifier"],
                reported["as_written"],
                strict=True,
            )
        ],
        period=[period_text(p, lang) for p in reported["period"]],
        computed=[
            label("no_data", lang) if pd.isna(v) else format_value(v, u, lang)
            for v, u in zip(reported["computed"], unit, strict=True)
        ],
        doc_id=reported["doc_id"].map(documents).fillna(reported["doc_id"]),
        computed_status=[
            label("status_ok", lang) if s == "ok" else label(f"reason_{s}", lang)
            for s in reported["computed_status"]
        ],
    )
    # The qualifier is written into the reported value (1500 余万元), not a column of codes.
    return _headed(shown.drop(columns="qualifier"), lang)


def coverage_table(table: pd.DataFrame, keys: list[str], lang: str = "zh") -> pd.DataFrame:
    """
    Per-district coverage for the screen: place, extent share, each measure and its status.

    Measures are named in ``lang`` with their unit, values rounded as :func:`format_value`
    writes them; a value whose status is not ``ok`` is marked, a missing one reads "无数据".
    """
    out = pd.DataFrame(
        {
            label("district_col", lang): table["district"].to_numpy(),
            label("compare_city", lang): table["city"].to_numpy(),
            label("extent_share", lang): [
                format_value(None if pd.isna(v) else round(float(v) * 100, 1), "percent", lang)
                for v in table["extent_share"]
            ],
        }
    )
    for key in keys:
        unit = coverage.describe(key).unit
        name = measure_name(key, lang)
        rows = table[[key, f"{key}_status"]].rename(
            columns={key: "value", f"{key}_status": "status"}
        )
        out[name] = [
            value_text({"value": r.value, "unit": unit, "status": r.status}, lang)
            for r in rows.itertuples(index=False)
        ]
    return out


def reach_table(communities: pd.DataFrame, profile: str, lang: str = "zh") -> pd.DataFrame:
    """
    Per community: straight-line and network metres to each destination type.

    From :func:`geo.reach.community_reach`: the straight-line metres to each
    destination type and, beside them, the metres along the network for ``profile``, or why
    there are none (off the network, no route...); and the share of the route to the nearest
    accessible bus stop that had none of the tags the profile reads.
    """
    out = pd.DataFrame(
        {
            label("col_name", lang): communities["name"].astype("string").fillna("").to_numpy(),
            label("district_col", lang): communities["district"].to_numpy(),
            label("households_col", lang): _amounts("households", communities["households"], lang),
        }
    )
    for kind in coverage.DISTANCE_TYPES:
        name = label(f"nearest_{kind}", lang)
        if f"dist_{kind}_m" in communities:
            out[label("nearest_straight", lang).format(name=name)] = _amounts(
                "m", communities[f"dist_{kind}_m"].round(), lang
            )
        column = f"{profile}_{kind}"
        metres = _amounts("m", communities[f"{column}_m"].round(), lang)
        status = communities[f"{column}_status"].to_numpy(dtype=object)
        header = label("nearest_on_network", lang).format(
            name=name, profile=label(f"profile_{profile}", lang)
        )
        out[header] = [
            m if s == "ok" else label(f"reach_{s}", lang)
            for m, s in zip(metres, status, strict=True)
        ]
    untagged = f"{profile}_accessible_bus_stop_untagged_share"
    if untagged in communities:
        out[label("reach_untagged_col", lang)] = _amounts(
            "percent", (communities[untagged] * 100).round(1), lang
        )
    return out


#: The clean ledger rows as the screen shows them: column → header key, in order.
_PROJECT_COLUMNS = [
    ("row", "ledger_row"),
    ("name", "col_name"),
    ("city", "compare_city"),
    ("district", "district_col"),
    ("year", "ledger_years"),
    ("batch", "batch"),
    ("status", "status"),
    ("start_date", "progress_col_start_date"),
    ("finish_date", "progress_col_finish_date"),
    ("report_date", "col_report_date"),
    ("content_tags", "content_col"),
    ("households", "households_col"),
    ("buildings", "col_buildings"),
    ("floor_area_m2", "col_floor_area"),
    ("investment_cny", "col_investment"),
    ("located", "col_located"),
    ("address", "col_address"),
    ("lon", "col_lon"),
    ("lat", "col_lat"),
    ("datum", "col_datum"),
    ("lon_source", "col_lon_source"),
    ("lat_source", "col_lat_source"),
]
_PROJECT_UNITS = {
    "households": "households",
    "buildings": "count",
    "floor_area_m2": "m2",
    "investment_cny": "cny",
}


def _by_value(values: pd.Series, write) -> list[str]:
    """
    ``write`` of each cell, called once per distinct value, missing ones included.

    A national ledger's 300,000 rows repeat their statuses, contents, years and counts: each
    is worded once, not once per row.
    """
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
    except TypeError:  # unhashable cells (lists): worded one by one
        return [write(x) for x in values]
    return np.asarray([write(u) for u in uniques] or [""], dtype=object)[codes].tolist()


def _amounts(unit: str, values: pd.Series, lang: str) -> list[str]:
    return _by_value(values, lambda x: format_value(x, unit, lang))


def _plain_one(value: object, lang: str = "zh") -> str:
    return "" if pd.isna(value) else str(value)


def _plain(values: pd.Series) -> list[str]:
    return [_plain_one(v) for v in values]


#: How one cell of each clean-ledger column is written: column → (value, lang) → text.
_PROJECT_CELL = {
    "status": lambda x, lang: "" if pd.isna(x) else label(str(x), lang),
    "content_tags": tags_text,
    "located": lambda x, lang: label(f"located_{x}", lang) if isinstance(x, str) else "",
    "row": lambda x, lang: "" if pd.isna(x) else str(int(x)),
    "year": lambda x, lang: "" if pd.isna(x) else str(int(x)),
    "lon": lambda x, lang: "" if pd.isna(x) else f"{float(x):.6f}",
    "lat": lambda x, lang: "" if pd.isna(x) else f"{float(x):.6f}",
    "datum": lambda x, lang: "" if pd.isna(x) else label(f"datum_{x}", lang),
} | {
    column: (lambda x, lang, unit=unit: format_value(x, unit, lang))
    for column, unit in _PROJECT_UNITS.items()
}
# Written cell by cell: a row number or a coordinate seldom repeats.
_DISTINCT = {"row", "lon", "lat"}


def _project_cells(column: str, values: pd.Series, lang: str) -> list[str]:
    """A clean-ledger column's cells in ``lang``, each repeated value worded once."""
    write = _PROJECT_CELL.get(column, _plain_one)
    if column in _DISTINCT:
        return [write(x, lang) for x in values]
    return _by_value(values, lambda x: write(x, lang))


def projects_table(projects: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """
    A ledger's clean rows for the screen: named in ``lang``, statuses and content as words.

    Content tags and statuses are written as the ledger wrote them in Chinese, or in English
    (:func:`layers.wording.tags_text`); figures carry their unit; a missing figure reads
    "无数据". Columns the ledger does not have are left out; its own extra columns follow.
    """
    out = {
        label(key, lang): _project_cells(column, projects[column], lang)
        for column, key in _PROJECT_COLUMNS
        if column in projects
    }
    known = {c for c, _ in _PROJECT_COLUMNS} | _PROJECT_INTERNAL
    table = pd.DataFrame(out, index=projects.index)
    for column in projects.columns:
        if column not in known and column != "geometry":
            table[column] = _plain(projects[column])
    return table.reset_index(drop=True)


# Columns a ledger read adds that a planner does not read (codes, datums, levels).
_PROJECT_INTERNAL = {"adcode", "level", "county_adcode", "province"}


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
    # All empty (a city without documents) the dates are floats, which take no "" in.
    out[label("col_latest_doc_date", lang)] = places["latest_doc_date"].astype(object).fillna("")
    # A place without documents has no age: an empty cell, not the grid's "None".
    out[label("col_doc_age", lang)] = _numbers(places["doc_age_years"])
    out[label("col_latest_period_end", lang)] = _numbers(places["latest_period_end"])
    out[label("col_period_age", lang)] = _numbers(places["period_age_years"])
    return out.reset_index(drop=True)


def _numbers(values: pd.Series) -> list[str]:
    """Years and ages as text: 2023, 3.8; a missing one empty."""
    return [
        "" if pd.isna(v) else str(int(v)) if float(v).is_integer() else f"{float(v):.1f}"
        for v in values
    ]


def _listed_codes(cells: pd.Series, words, lang: str) -> list[str]:
    """Cells listing codes or periods ("households; buildings") with each one worded."""
    return [
        "" if pd.isna(cell) else _listed((words(part) for part in str(cell).split("; ")), lang)
        for cell in cells
    ]


def completeness_detail(table: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """
    The long completeness table (place × family) with its provenance, headed in ``lang``.

    Metrics by name, periods as the interface writes them, each document's lines cited.
    """
    shown = table[table["has_figure"]]
    metrics = load_metrics()
    metric_names = dict(zip(metrics["metric"], metrics[f"label_{lang}"], strict=True))
    return pd.DataFrame(
        {
            label("compare_city", lang): shown["city"],
            label("compare_place", lang): shown["place"],
            label("col_family", lang): [label(f"family_{f}", lang) for f in shown["family"]],
            label("col_figures", lang): shown["n_figures"],
            label("col_metrics", lang): _listed_codes(
                shown["metrics"], lambda m: metric_names.get(m, m), lang
            ),
            label("col_periods", lang): _listed_codes(
                shown["periods"], lambda p: period_text(p, lang), lang
            ),
            label("col_documents", lang): shown["documents"],
            label("col_issuers", lang): shown["issuers"],
            label("col_latest_doc_date", lang): shown["latest_doc_date"].fillna(
                label("undated_doc", lang)
            ),
            label("col_doc_age", lang): _numbers(shown["doc_age_years"]),
            label("col_latest_period_end", lang): _numbers(shown["latest_period_end"]),
            label("col_period_age", lang): _numbers(shown["period_age_years"]),
            label("col_document_lines", lang): [lines_text(r, lang) for r in shown["seed_lines"]],
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


def metric_names(figures: pd.DataFrame, lang: str = "zh") -> dict[str, str]:
    """Each metric of ``figures`` (or of data/metrics.csv) by its name in ``lang``."""
    return dict(zip(figures["metric"], figures[f"label_{lang}"], strict=False))


def compare_titles(keys: list[str], figures: pd.DataFrame, lang: str = "zh") -> dict[str, str]:
    """The display name of each compare metric: a reported figure, a ledger sum or a measure."""
    names = metric_names(figures, lang)
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
            out.append(cited_lines(source_words(row.source, lang), lang))
    return pd.Series(out, index=rows.index, dtype="string")


def with_labels(rows: pd.DataFrame, places: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """
    Compare values with each place's short ``label`` and their source as the screen writes it.

    Labels come from :func:`layers.wording.place_labels`; the source is in both ``source``
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
            label("period", lang): [
                "" if pd.isna(p) else period_text(p, lang) for p in table["period_label"]
            ],
            label("compare_figure_status", lang): [
                label(s, lang) if isinstance(s, str) else "" for s in table["figure_status"]
            ],
            label("compare_data_status", lang): _status_texts(table, lang),
            label("source", lang): table["source_text"],
        }
    )


def _worded(codes: pd.Series, lang: str, prefix: str = "") -> list[str]:
    """Codes (``plan``, ``at_least``) as the catalogue words them; a missing one empty."""
    return [label(prefix + c, lang) if isinstance(c, str) and c else "" for c in codes]


def compare_csv(table: pd.DataFrame, titles: dict[str, str], lang: str = "zh") -> pd.DataFrame:
    """
    The comparison for the CSV and XLSX download: numbers as numbers, words in ``lang``.

    Each value at full precision (the data) beside the value as shown, the figure its rank
    is taken on (12,345 households is 12300, 1.23 万户, in Chinese), then the rank, how many
    places share it (equal as shown) and how many were ranked: as ``lang`` writes the values,
    ``table`` being :func:`layers.compare.compare_places`'s in that language. A value that
    cannot be compared is empty, never 0, its status saying why; a city's own row has no city
    average, nor its counts. Headers, units, statuses and kinds are worded in ``lang``.
    """
    table = table.reset_index(drop=True)
    whole = table["tier"] == "city"
    columns = {
        "compare_metric": table["metric"].map(titles),
        "col_adcode": table["adcode"],
        "compare_place": table["label"],
        "compare_city": table["city"],
        "compare_csv_value": table["value"],
        "compare_csv_shown": table["value_shown"],
        "compare_csv_unit": [unit_text(u, lang) for u in table["unit"]],
        "compare_csv_rank": table["rank"],
        "compare_csv_tied": table["n_tied"],
        "compare_csv_ranked": table["n_ranked"],
        "compare_data_status": _status_texts(table, lang),
        "city_average": table["city_mean"],
        "compare_csv_mean_n": table["city_mean_n"].mask(whole),
        "compare_csv_places_n": table["city_places_n"].mask(whole),
        "period": ["" if pd.isna(p) else period_text(p, lang) for p in table["period_label"]],
        "compare_figure_status": _worded(table["figure_status"], lang),
        "col_qualifier": _worded(table["qualifier"], lang, "qualifier_"),
        "as_written": table["as_written"],
        "source": table["source_text"],
    }
    return pd.DataFrame({label(key, lang): cells for key, cells in columns.items()})


def period_values(rows: pd.DataFrame, titles: dict[str, str], lang: str = "zh") -> pd.DataFrame:
    """The time view's values (:func:`geo.compare.by_period`, with ``label`` and ``source``)."""
    return pd.DataFrame(
        {
            label("compare_metric", lang): rows["metric"].map(titles),
            label("compare_place", lang): rows["label"],
            label("period", lang): [
                "" if pd.isna(p) else period_text(p, lang) for p in rows["period_label"]
            ],
            label("compare_batch", lang): rows["batch"].fillna(""),
            label("compare_value", lang): [value_text(r, lang) for _, r in rows.iterrows()],
            label("compare_data_status", lang): _status_texts(rows, lang),
            label("source", lang): rows["source"],
        }
    )


# --- the map page's tables ------------------------------------------------------------------

#: Columns of the figure tables: the table kind → (column, header key) in order.
_FIGURE_COLUMNS = {
    "all": [
        ("city", "compare_city"),
        ("place", "compare_place"),
        ("level", "col_level"),
        ("period_label", "period"),
        ("status", "compare_figure_status"),
        ("label", "compare_metric"),
        ("value", "compare_value"),
        ("qualifier", "col_qualifier"),
        ("as_written", "as_written"),
        ("doc_number", "col_doc_number"),
        ("issuer", "col_issuer"),
        ("doc_date", "col_doc_date"),
        ("seed", "col_seed_lines"),
    ],
    "city": [
        ("city", "compare_city"),
        ("place", "compare_place"),
        ("period_label", "period"),
        ("status", "compare_figure_status"),
        ("label", "compare_metric"),
        ("value", "compare_value"),
        ("as_written", "as_written"),
        ("doc_number", "col_doc_number"),
        ("seed", "col_seed_lines"),
    ],
    "zones": [
        ("city", "compare_city"),
        ("place", "compare_place"),
        ("adcode", "col_adcode"),
        ("period_label", "period"),
        ("label", "compare_metric"),
        ("value", "compare_value"),
        ("as_written", "as_written"),
        ("doc_number", "col_doc_number"),
    ],
}


def _code_texts(values: pd.Series, lang: str, prefix: str = "") -> list[str]:
    """Codes (``plan``, ``at_least``) as the catalogue words them; missing as "无数据"."""
    return [
        label("no_data", lang) if not isinstance(v, str) or not v else label(prefix + v, lang)
        for v in values
    ]


def _document_numbers(figures: pd.DataFrame) -> list[str]:
    number = figures["doc_number"].fillna("").astype(str)
    return number.where(number != "", figures["title"].astype(str)).tolist()


def _undated(values: pd.Series, lang: str) -> list[str]:
    return [d if isinstance(d, str) and d else label("undated_doc", lang) for d in values]


#: How each column of a figure table is written: column → (figures, lang) → cells.
_FIGURE_CELLS = {
    "value": lambda f, lang: [
        figure_text(v, u, lang, qualifier=q, as_written=w)
        for v, u, q, w in zip(f["value"], f["unit"], f["qualifier"], f["as_written"], strict=True)
    ],
    "label": lambda f, lang: f[f"label_{lang}"].astype(str).tolist(),
    "status": lambda f, lang: _code_texts(f["status"], lang),
    "qualifier": lambda f, lang: _code_texts(f["qualifier"], lang, "qualifier_"),
    "level": lambda f, lang: _code_texts(f["level"], lang, "level_"),
    "period_label": lambda f, lang: [period_text(p, lang) for p in f["period_label"]],
    "place": lambda f, lang: [place_text(p, lang) or label("no_data", lang) for p in f["place"]],
    "issuer": lambda f, lang: [place_text(p, lang) or label("no_data", lang) for p in f["issuer"]],
    "doc_date": lambda f, lang: _undated(f["doc_date"], lang),
    "doc_number": lambda f, lang: _document_numbers(f),
    "seed": lambda f, lang: [line_text(n, lang) for n in f["seed_line"]],
}


def _figure_cell(figures: pd.DataFrame, column: str, lang: str) -> list[str]:
    """One column of a figure table as the screen writes it."""
    if column in _FIGURE_CELLS:
        return _FIGURE_CELLS[column](figures, lang)
    return [label("no_data", lang) if pd.isna(v) else str(v) for v in figures[column]]


def figure_table(figures: pd.DataFrame, lang: str = "zh", *, kind: str = "all") -> pd.DataFrame:
    """
    Reported figures with their provenance, for the screen, all text in ``lang``.

    ``kind`` is ``all`` (every figure), ``city`` (city-level figures) or ``zones`` (zones
    without an outline). Headers, kinds, qualifiers and levels are named in ``lang``; values
    carry their unit, in 万/亿 as the documents write them; missing cells read "无数据"; the
    source is the document number (or title) and the seed file with its line.
    """
    return pd.DataFrame(
        {
            label(key, lang): _figure_cell(figures, column, lang)
            for column, key in _FIGURE_COLUMNS[kind]
        },
        index=figures.index,
    ).reset_index(drop=True)


def card_texts(
    card: pd.Series, lang: str = "zh", *, districts: tuple[str, ...] = ()
) -> tuple[str, str, str]:
    """
    A city card of :func:`geo.selection.city_summary`: headline, value and caption.

    The headline names the city, what the value covers, its period and its kind
    (``新乡市 · 全市 · 2023年 计划``); a sum over every district and zone is a city total
    (``区县+开发区合计``), a sum over some of them says how many of how many
    (``9 个区县中 1 个有数据``) and the caption which ones, "not a city total"; with
    ``districts`` filtered, the places summed (``新乡市 · 卫滨区``). The value is written as
    the document wrote it, qualifier included (``4.2 万余户``). The caption names the
    documents by number and title. A city without the figure reads "no data", never 0.
    """
    city = card["city"]
    if card["basis"] == "none":
        return city, label("no_data", lang), ""
    places = str(card.get("places") or "").split("、")
    lines = []
    if card["basis"] in ("parts", "partial") and districts:
        place = (
            places[0] if len(places) == 1 else label("selected_total", lang).format(n=len(places))
        )
    elif card["basis"] == "parts":
        place = label("city_total", lang)
    elif card["basis"] == "partial":
        place = _partial_text(card, lang)
        named = listed_text(places, lang)
        key = "partial_one" if len(places) == 1 else "partial_sum"
        lines.append(label(key, lang).format(places=named))
    else:
        place = place_text(card["place"], lang)
        place = label("city_wide", lang) if place == city else place
    when = f"{period_text(card['period_label'], lang)} {label(card['status'], lang)}"
    if card["others"]:
        lines.append(label("more_figures_n", lang).format(n=card["others"]))
    caption = "".join(f"{line}  \n" for line in lines) + str(
        card.get("documents") or card["source"]
    )
    return f"{city} · {place} · {when}", card_value(card, lang), caption


def _partial_text(card, lang: str) -> str:
    """``9 个区县中 1 个有数据`` (or 区县和开发区 where the city has zones)."""
    key = "partial_of_places" if int(card.get("n_zones") or 0) else "partial_of_districts"
    return label(key, lang).format(n=int(card["n_parts"]), total=int(card["n_places"]))


def card_value(card, lang: str = "zh") -> str:
    """A city headline's value as the documents write it: ``4.2 万余户``, ``22149 户``."""
    return figure_text(
        card["value"],
        card["unit"],
        lang,
        qualifier=card.get("qualifier"),
        as_written=card.get("as_written"),
        unit_word=card.get("unit_word"),
    )


# --- the workspace's history ----------------------------------------------------------------


def _place_names() -> dict[str, str]:
    """
    Adcode (or zone code) → the place's name, built once per table.

    A district's name wins over a zone's; a city's or province's own code (410700) names the
    city or province; a code with none keeps no entry (it is shown as itself). Built once
    rather than per code: the outline index is ~3,000 rows, and a national ledger names every
    district.
    """
    index = read_admin_index().drop_duplicates("adcode").set_index("adcode")
    named = index["district"].fillna(index["city"]).fillna(index["province"])
    zones = list_zones().drop_duplicates("code").set_index("code")["name"]
    return {k: v for k, v in zones.items() if v} | {k: v for k, v in named.items() if v}


def district_names(
    adcodes: Iterable[object], lang: str = "zh", names: dict[str, str] | None = None
) -> str:
    """
    The places of ``adcodes`` by name, listed in ``lang``: 卫滨区、新乡市、高新区.

    Districts, zones, and cities for a city's own code; a code nothing names stays. ``names``
    is :func:`_place_names`' lookup when a table names many places.
    """
    names = _place_names() if names is None else names
    return _listed((str(names.get(str(a)) or a) for a in adcodes), lang)


def _listed(items: Iterable[str], lang: str) -> str:
    """Items as a list reads in ``lang``: 甲、乙 or a, b."""
    return listed_text(items, lang)


def compared_versions(numbers: list[int], linked: int | None = None) -> tuple[int, int]:
    """
    The two versions History compares first: ``linked`` and the one before it.

    ``linked`` is the version a link or the sidebar names (``?ledger=xinxiang@3``: 2 and 3);
    without one, or one the dataset does not hold, the newest two. The first version is
    compared with itself (nothing before it); ``numbers`` are the versions, oldest first.
    """
    new = linked if linked in numbers else numbers[-1]
    at = numbers.index(new)
    return numbers[max(at - 1, 0)], new


def versions_table(versions: list[dict], lang: str = "zh") -> pd.DataFrame:
    """
    Every version of a dataset (``VersionInfo.to_dict()`` of each): who, when, which file.

    With the time in Beijing time, its SHA-256 (first 12 digits), datum, counts (rows = clean +
    quarantined), the reasons rows were quarantined by name, and the districts it covers.
    """
    rows = pd.DataFrame(versions)
    places = _place_names()
    return pd.DataFrame(
        {
            label("history_col_version", lang): rows["version"],
            label("workspace_col_saved_by", lang): rows["saved_by"],
            label("workspace_col_saved_at", lang): [time_text(t) for t in rows["saved_at"]],
            label("history_col_file", lang): rows["file_name"].fillna(""),
            "SHA-256": rows["sha256"].fillna("").str[:12],
            label("col_datum", lang): [
                # None: no datum was declared, as for a file of addresses or district names
                # alone as for one with a 坐标系 column; the version does not say which.
                label(f"datum_{d}" if isinstance(d, str) else "datum_not_declared", lang)
                for d in rows["datum"]
            ],
            label("rows", lang): rows["rows"],
            label("clean", lang): rows["clean"],
            label("quarantined", lang): rows["quarantined"],
            label("col_reason_name", lang): [
                _listed((f"{reason_name(k, lang)} {v}" for k, v in reasons.items()), lang)
                for reasons in rows["by_reason"]
            ],
            label("history_col_covers", lang): [
                district_names(c, lang, places) for c in rows["covers"]
            ],
        }
    )


def _change_places(changes: pd.DataFrame, lang: str) -> list[str]:
    """Where each changed row is: a ledger's district, a figure's place, else by its code."""
    for column in ("district", "place"):
        if column in changes:
            return changes[column].fillna("").astype(str).tolist()
    codes = changes["adcode"].astype("string")
    places = _place_names()
    names = {a: district_names([a], lang, places) for a in codes.dropna().unique()}
    return codes.map(names).astype(object).fillna("").astype(str).tolist()


def _change_names(changes: pd.DataFrame, lang: str) -> list[str]:
    """What each changed row is: a community, a feature (its type and id), a figure's metric."""
    if "name" in changes:
        return changes["name"].fillna("").astype(str).tolist()
    if "type" in changes:
        return [
            f"{label(f'infra_{t}', lang)} {i}"
            for t, i in zip(changes["type"], changes["source_id"], strict=True)
        ]
    # A figure by its metric's name; its place is in the place column.
    names = load_metrics().set_index("metric")[f"label_{lang}"]
    return [str(names.get(m, label("figures_metric_other", lang))) for m in changes["metric"]]


#: A changed column of a survey's features, or of saved figures, → its header key (a
#: ledger's columns are named as the ledger table names them, ``_PROJECT_COLUMNS``).
_CHANGE_HEADERS = {
    "infra": {
        "type": "infra_col_type",
        "source": "infra_col_source",
        "source_id": "infra_col_source_id",
        "name": "infra_col_name",
        "geometry": "history_col_location",
    },
    "figures": {
        **dict(_FIGURE_COLUMNS["all"]),
        "metric": "compare_metric",
        "period_start": "figures_col_from",
        "period_end": "figures_col_to",
        "unit": "figures_col_unit",
        "seed_line": "col_seed_lines",
        "adcode": "col_adcode",
    },
}
_GEOD = pyproj.Geod(ellps="WGS84")


def _moved_text(before: object, after: object, lang: str) -> str:
    """How far a feature moved (its centre, on the ellipsoid), or that its shape changed."""
    if not isinstance(before, str) or not isinstance(after, str):
        return label("no_data", lang)
    old, new = shapely.centroid(shapely.from_wkt([before, after]))
    metres = _GEOD.inv(old.x, old.y, new.x, new.y)[2]
    if metres < 0.5:
        return label("history_reshaped", lang)
    return label("history_moved", lang).format(
        m=f"{round(metres):,}" if lang == "en" else round(metres)
    )


def _metric_unit(metric: object) -> tuple[str, str | None]:
    """A metric's unit code and its Chinese word (栋, 平方米); a count for one not listed."""
    metrics = load_metrics().set_index("metric")
    if metric not in metrics.index:
        return "count", None
    return str(metrics.at[metric, "unit"]), str(metrics.at[metric, "unit_zh"])


def _exact_amount(value: object, unit: str, lang: str, word: str | None = None) -> str:
    """A number with every digit it has and its unit (347,901 平方米), never rounded."""
    if value is None or pd.isna(value):
        return label("no_data", lang)
    number = f"{Decimal(str(value)).normalize():,f}"
    words = word if word and lang == "zh" else unit_text(unit, lang)
    return f"{number} {words}".strip()


def _figure_change(column: str, value: object, metric: object, lang: str) -> str:
    """One value of a saved figure's changed column, written as the figure tables write it."""
    if column == "value":
        unit, word = _metric_unit(metric)
        return format_value(value, unit, lang, unit_word=word)
    if column == "metric":
        metrics = load_metrics().set_index("metric")[f"label_{lang}"]
        return str(metrics.get(metric, value)) if isinstance(value, str) else label("no_data", lang)
    if column == "unit":
        return unit_text(value, lang) if isinstance(value, str) else label("no_data", lang)
    if column in ("period_start", "period_end", "seed_line") and not pd.isna(value):
        return line_text(value, lang) if column == "seed_line" else str(int(value))
    if column in _FIGURE_CELLS and column not in ("seed", "label", "doc_number"):
        return _FIGURE_CELLS[column](pd.DataFrame({column: [value]}), lang)[0]
    return label("no_data", lang) if value is None or pd.isna(value) else str(value)


def _change_text(
    column: str, before: object, after: object, lang: str, kind: str = "ledger", metric=None
) -> str:
    """One changed column: its header and both values as the tables write them."""
    key = _CHANGE_HEADERS.get(kind, {}).get(column)
    key = key or dict(_PROJECT_COLUMNS).get(column) or _HEADERS.get(column)
    name = label(key, lang) if key else column
    after_name = colon(lang)
    if kind == "infra" and column == "geometry":
        return f"{name}{after_name}{_moved_text(before, after, lang)}"
    if kind == "infra" and column == "type":
        old, new = (label(f"infra_{v}", lang) if v else "" for v in (before, after))
    elif kind == "figures":
        old, new = (_figure_change(column, v, metric, lang) for v in (before, after))
    else:
        write = _PROJECT_CELL.get(column, _plain_one)
        old, new = (write(v, lang) for v in (before, after))
    if old == new and before != after:  # two amounts the tables round alike (3.48 万): exact
        unit, word = _metric_unit(metric) if kind == "figures" else (None, None)
        unit = unit if column == "value" else _PROJECT_UNITS.get(column)
        if unit:
            old, new = (_exact_amount(v, unit, lang, word) for v in (before, after))
    # A value filled in (or emptied) reads as coming from, or going to, no data: never blank.
    old, new = (text or label("no_data", lang) for text in (old, new))
    return f"{name}{after_name}{old} → {new}"


def changes_table(changes: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """
    Rows added, removed and changed between two versions (``Workspace.diff``), in ``lang``.

    Each changed row names its changed columns in ``lang`` with the values before and after,
    written as the ledger table writes them (状态：已开工 → 已完成；户数：352 户 → 360 户).
    """
    kind = "infra" if "type" in changes else "figures" if "figure_id" in changes else "ledger"
    # A figure's metric names in both languages follow its metric: the one in ``lang`` is
    # written as the metric, the other not at all.
    skipped = {"label_zh", "label_en"} if kind == "figures" else set()

    def values(before, after, metric) -> str:
        if not isinstance(before, dict) or not isinstance(after, dict):
            return ""
        sep = "；" if lang == "zh" else "; "
        return sep.join(
            _change_text(k, before.get(k), after.get(k), lang, kind, metric)
            for k in after
            if k not in skipped
        )

    return pd.DataFrame(
        {
            label("history_col_change", lang): [
                label(f"change_{c}", lang) for c in changes["change"]
            ],
            label("compare_place", lang): _change_places(changes, lang),
            label("history_col_name", lang): _change_names(changes, lang),
            label("history_col_rows", lang): [
                "→".join(str(int(r)) for r in (old, new) if pd.notna(r))
                for old, new in zip(changes["row_old"], changes["row_new"], strict=True)
            ],
            label("history_col_values", lang): [
                values(b, a, m)
                for b, a, m in zip(
                    changes["before"],
                    changes["after"],
                    changes["metric"] if "metric" in changes else [None] * len(changes),
                    strict=True,
                )
            ],
        }
    )
