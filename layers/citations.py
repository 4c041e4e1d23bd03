"""
A report's figures and their sources in words: what the reply and the atlas both print.

:func:`geo.report.gather_report` gives each figure as codes and numbers with its sources;
this module words them in the interface's language from the catalogue: the value as the
documents write it (:func:`layers.wording.figure_text`, 暂无数据 where there is none, never 0),
its period and kind (a plan stays a plan), its rank in the city, and one citation per source
(document, number, issuer, date and line; ledger versions, who saved them and how many rows;
the measure and the data it was computed from).
"""

from __future__ import annotations

import datetime

import pandas as pd

from geo.figures import load_metrics
from geo.report import DataSource, DocumentSource, LedgerSource, MeasureSource
from layers.wording import (
    LABELS,
    figure_text,
    label,
    measure_name,
    period_text,
    place_text,
    rank_label,
    value_text,
    years_text,
)

__all__ = [
    "BEIJING",
    "citation",
    "citation_key",
    "figure_name",
    "filters_text",
    "item_citations",
    "item_value",
    "key_name",
    "kind_text",
    "ledger_table_citation",
    "merged_citation",
    "no_data",
    "rank_words",
    "saved_text",
    "source_name",
    "status_words",
]

#: Times are shown in Beijing time; the workspace records UTC.
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def no_data(lang: str = "zh") -> str:
    """暂无数据: what a report writes where there is no figure, never 0."""
    return label("report_no_data", lang)


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, tuple) and pd.isna(value))


def figure_name(item, lang: str = "zh", *, short: bool = False) -> str:
    """
    The figure's name: the metric's label, 台账·户数, or an accessibility measure's name.

    ``short`` drops 台账· where the sentence already names the ledger.
    """
    kind = item["source_kind"]
    if kind == "reported":
        return str(item["label_zh"] if lang == "zh" else item["label_en"])
    if kind == "ledger":
        return label(_LEDGER_SHORT[item["key"]] if short else f"metric_{item['key']}", lang)
    return measure_name(item["metric"], lang)


def key_name(key: str, lang: str = "zh") -> str:
    """A figure's name from its key alone: a reported metric, ``ledger_…`` or ``infra_…``."""
    if key.startswith("infra_"):
        return measure_name(key.removeprefix("infra_"), lang)
    if f"metric_{key}" in LABELS and key.startswith("ledger_"):
        return label(f"metric_{key}", lang)
    metrics = load_metrics().set_index("metric")
    if key in metrics.index:
        return str(metrics.at[key, f"label_{lang}"])
    return key


#: A ledger figure's name where the sentence already says it is the ledger's.
_LEDGER_SHORT = {
    "ledger_communities": "reply_col_communities",
    "ledger_households": "reply_col_households",
    "ledger_buildings": "reply_col_buildings",
    "ledger_floor_area_m2": "reply_col_floor_area",
    "ledger_investment_cny": "reply_col_inv",
}


def item_value(item, lang: str = "zh", *, short: bool = False) -> str:
    """
    The value as a planner reads it, said to be partial where it is, 暂无数据 where missing.

    A document's figure as it wrote it (4.2 万余户); a city's sum over some districts with how
    many; a ledger sum some rows lack, or a measure over part of a district, with why.
    ``short`` (a table's cell, whose row or caption says why) leaves the reasons out: 暂无数据,
    不少于 148.8 千米, 覆盖部分为 90.5%.
    """
    status = item["completeness"]
    if _missing(item["value"]):
        if _missing(status) or status == "ok" or short:
            return no_data(lang)
        reason = _missing_reason(item, lang)
        return _with_reason(no_data(lang), reason, lang)
    if status == "ok":
        word = None if _missing(item["unit_word"]) else item["unit_word"]
        written = None if _missing(item["as_written"]) else item["as_written"]
        return figure_text(
            item["value"], item["unit"], lang,
            qualifier=item["qualifier"], as_written=written, unit_word=word,
        )  # fmt: skip
    row = {
        "value": item["value"],
        "unit": item["unit"],
        "status": status,
        "qualifier": item["qualifier"],
        "parts_n": item["n_parts"],
        "places_n": item["n_places"],
        "zones_n": item["n_zones"],
    }
    if short and status in ("incomplete", "partial_extent"):
        word = None if _missing(item["unit_word"]) else item["unit_word"]
        text = figure_text(item["value"], item["unit"], lang, unit_word=word)
        if item["unit"] in _ADDITIVE and float(item["value"]) > 0:
            return label("report_at_least", lang).format(value=text)
        return label("in_covered_part", lang).format(value=text)
    return value_text(row, lang)


#: Units whose sum over part of a place is a lower bound (rates and shares are not).
_ADDITIVE = ("count", "households", "persons", "m2", "km", "m", "cny")


def _with_reason(text: str, reason: str, lang: str) -> str:
    return f"{text}（{reason}）" if lang == "zh" else f"{text} ({reason})"


def _missing_reason(item, lang: str, short: bool = False) -> str:
    """
    Why a value is missing: a city's measure says how many districts are complete.

    ``short``: a measure's reason as a narrow table cell words it (``reason_short_<code>``).
    """
    if (
        item["scope"] == "city"
        and item["source_kind"] == "measure"
        and not _missing(item["n_places"])
    ):
        return label("report_city_measure", lang).format(
            n=int(item["n_parts"]), total=int(item["n_places"])
        )
    brief = f"reason_short_{item['completeness']}"
    return label(brief if short and brief in LABELS else f"reason_{item['completeness']}", lang)


def status_words(items, lang: str = "zh", *, short: bool = False) -> str:
    """
    A row's completeness: 完整, or each distinct reason a value is missing or partial.

    ``items`` are figures (a frame, or a list of rows); ``short`` words a measure's reasons
    as a narrow table cell does (``reason_short_<code>``: "outside the data's extent").
    """
    rows = [item for _, item in items.iterrows()] if isinstance(items, pd.DataFrame) else items
    if not len(rows):
        return no_data(lang)
    reasons = [_missing_reason(item, lang, short) for item in rows if item["completeness"] != "ok"]
    sep = "；" if lang == "zh" else "; "
    return sep.join(dict.fromkeys(reasons)) if reasons else label("status_ok", lang)


def kind_text(item, lang: str = "zh") -> str:
    """
    The period and kind of a figure: ``2023年 计划``, ``2021年以来 已完成（增量）``.

    A reported figure of what was done in a period beside stocks is marked a flow; a ledger
    sum names its rows' years and ledger status; a measure says it is measured from data.
    """
    kind = item["source_kind"]
    if kind == "measure":
        return label("report_measured_kind", lang)
    if not _missing(item["period_label"]) and str(item["period_label"]).strip():
        period = period_text(item["period_label"], lang)
    else:
        period = years_text(item["period_start"], item["period_end"], lang)
    status = item["status"]
    words = label("report_status_unknown", lang) if _missing(status) else label(str(status), lang)
    if kind == "ledger":
        words = label("report_ledger_kind", lang).format(status=words)
    text = f"{period} {words}"
    is_flow = not _missing(item["measure"]) and not item["comparable"]
    return text + label("report_flow", lang) if kind == "reported" and is_flow else text


def rank_words(item, lang: str = "zh") -> str:
    """``新乡市内第 3 名（共 11）``; "" for a figure not ranked (a city's, or not complete)."""
    if _missing(item["rank"]):
        return ""
    return rank_label(item, lang, city=item["city"])


def saved_text(at: datetime.datetime | None, lang: str = "zh") -> str:
    """A save time in Beijing time, to the minute; the workspace records UTC."""
    if at is None:
        return ""
    moment = at.replace(tzinfo=datetime.UTC) if at.tzinfo is None else at
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def source_name(source: DataSource, lang: str = "zh") -> str:
    """
    A ledger's or survey's origin: ``xinxiang@1（张三 2026-12-01 09:30 保存）``, or its file.

    A made-up example says so.
    """
    sep = "、" if lang == "zh" else "; "
    if source.versions:
        text = sep.join(
            label("report_saved_version", lang).format(
                ref=f"{v.dataset}@{v.version}", by=v.saved_by, at=saved_text(v.saved_at, lang)
            )
            for v in source.versions
        )
    else:
        text = label("report_unsaved_file", lang).format(name=source.name)
    return text + (label("report_synthetic", lang) if source.synthetic else "")


def _date_text(iso: str, lang: str) -> str:
    """2023-02-07 → 2023年2月7日; empty → 未注明日期."""
    if not iso:
        return label("undated_doc", lang)
    day = datetime.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else day.isoformat()


def _document_citation(source: DocumentSource, lang: str) -> str:
    """The document by number (its title where it has none), issuer, date and line."""
    title = f"《{source.title}》" if lang == "zh" else f"“{source.title}”"
    text = label("report_cite_document", lang).format(
        document=source.doc_number or title,
        issuer=place_text(source.issuer, lang),
        date=_date_text(source.doc_date, lang),
        line="" if source.line is None else source.line,
    )
    if source.dataset:
        page = "" if source.page is None else label("report_cite_page", lang).format(n=source.page)
        ref = source.dataset + ("" if source.version is None else f"@{source.version}")
        text += label("report_cite_dataset", lang).format(ref=ref, page=page)
    return text


def _ledger_citation(source: LedgerSource, lang: str) -> str:
    years = (
        ""
        if source.years is None
        else label("report_cite_years", lang).format(
            years=years_text(source.years[0], source.years[1], lang)
        )
    )
    text = label("report_cite_ledger", lang).format(
        source=source_name(source.source, lang), rows=source.rows, years=years
    )
    if source.missing:
        text += label("report_cite_missing", lang).format(n=source.missing)
    return text


def ledger_table_citation(item, lang: str = "zh") -> str:
    """A ledger table's one note: the ledger, its years; each row's count is in the table."""
    source = item["sources"][0]
    years = "" if source.years is None else years_text(source.years[0], source.years[1], lang)
    return label("report_cite_ledger_table", lang).format(
        source=source_name(source.source, lang),
        years=label("report_cite_years", lang).format(years=years) if years else "",
    )


def _measure_citation(source: MeasureSource, lang: str, *, method: bool = True) -> str:
    """A measure's data and extent, and with ``method`` how its distances were taken."""
    share = (
        ""
        if source.extent_share is None
        else label("report_cite_extent", lang).format(
            share=f"{min(source.extent_share, 1.0) * 100:.0f}%"
        )
    )
    return label("report_cite_measure", lang).format(
        kind=label(f"kind_{source.data_kind}", lang),
        source=source_name(source.source, lang),
        extent=share,
        method=_measure_method(source, lang) if method else "",
    )


def _measure_method(source: MeasureSource, lang: str) -> str:
    """``，距离为直线距离`` or along which network; "" for a measure that is no distance."""
    if source.profile is not None:
        network = source_name(source.network, lang) if source.network is not None else ""
        return label("report_cite_network", lang).format(
            profile=label(f"profile_{source.profile}", lang), network=network
        )
    if source.radius is not None:
        return label("report_cite_straight", lang)
    return ""


def citation(source, lang: str = "zh") -> str:
    """One source in words: a document and line, a ledger's rows, or a measure and its data."""
    if isinstance(source, DocumentSource):
        return _document_citation(source, lang)
    if isinstance(source, LedgerSource):
        return _ledger_citation(source, lang)
    return _measure_citation(source, lang)


def _words(source) -> str:
    return source.as_written if isinstance(source, DocumentSource) else ""


def merged_citation(
    items: pd.DataFrame, lang: str = "zh", *, names: bool = True, words: bool = True
) -> str:
    """
    The sources of several figures as one note: figures of one source named together.

    ``户数、楼栋数：新百城提质办〔2023〕2号，…，第 31 行，原文“3279 户”“87 栋”``. A sum has a
    source per part; a source cited twice is written once. ``names=False`` leaves out the
    figures' names (a note after one figure), ``words=False`` the words as written (a table
    whose cells show them).
    """
    # Figures measured from one survey (or extract) share one note of it, whatever distance
    # each took: the survey is cited once, then each distance method with its figures.
    cited: dict[str, tuple[str, list[str], list[str], dict[str, list[str]]]] = {}
    for _, item in items.iterrows():
        name = figure_name(item, lang)
        for source in item["sources"]:
            measured = isinstance(source, MeasureSource)
            whole = citation(source, lang)
            key = _measure_citation(source, lang, method=False) if measured else whole
            _, found, said, methods = cited.setdefault(key, (whole, [], [], {}))
            if name not in found:
                found.append(name)
            method = _measure_method(source, lang) if measured else ""
            if name not in methods.setdefault(method, []):
                methods[method].append(name)
            if words and _words(source) and _words(source) not in said:
                said.append(_words(source))
    sep, colon = ("、", "：") if lang == "zh" else (", ", ": ")
    semicolon = "；" if lang == "zh" else "; "
    parts = []
    for key, (whole, found, said, methods) in cited.items():
        quoted = "".join(f"“{w}”" for w in said)
        tail = label("report_cite_words", lang).format(words=quoted) if said else ""
        # One method sits inside the sentence, as citation() writes it; several follow it.
        text = whole if len(methods) == 1 else key + "".join(
            semicolon + label("report_cite_of_which", lang).format(figures=sep.join(named)) + how
            for how, named in methods.items()
            if how
        )  # fmt: skip
        parts.append(f"{sep.join(found)}{colon}{text}{tail}" if names else f"{text}{tail}")
    return semicolon.join(parts)


def item_citations(item, lang: str = "zh") -> str:
    """Every source of one figure (a sum has one per part), each once, with its words."""
    return merged_citation(pd.DataFrame([item]), lang, names=False)


def citation_key(item, lang: str = "zh") -> str:
    """What a figure's note says without its words: figures with one key share a note."""
    return "|".join(dict.fromkeys(citation(s, lang) for s in item["sources"]))


def filters_text(chosen, lang: str = "zh") -> str:
    """What a report was filtered by: cities, districts, period and kinds."""
    sep, colon = ("、", "：") if lang == "zh" else (", ", ": ")
    everything = label("all", lang)
    years = years_text(chosen.years[0], chosen.years[1], lang) if chosen.years else everything
    kinds = sep.join(label(k, lang) for k in chosen.statuses) or everything
    parts = [
        f"{label('cities', lang)}{colon}{sep.join(chosen.cities)}",
        f"{label('districts_short', lang)}{colon}{sep.join(chosen.districts) or everything}",
        f"{label('period', lang)}{colon}{years}",
        f"{label('report_kinds', lang)}{colon}{kinds}",
    ]
    return " · ".join(parts)
