"""
Interface wording in Chinese (default) and English, shared by the app, layers and exports.

Labels by key (the catalogue is :mod:`layers._catalogue`), measure names, and numbers and
values formatted the way a planner reads them.
"""

from __future__ import annotations

import pandas as pd

from geo import coverage
from layers._catalogue import LABELS

__all__ = [
    "LANGS",
    "city_mean_text",
    "error_text",
    "format_value",
    "label",
    "measure_name",
    "metric_label",
    "mixed_periods_text",
    "periods_text",
    "place_labels",
    "qualifier_text",
    "rank_text",
    "reason_text",
    "sheet_text",
    "value_text",
]

LANGS = ("zh", "en")


def label(key: str, lang: str = "zh") -> str:
    """
    The interface text for ``key`` in ``lang`` (``zh`` or ``en``).

    Raises KeyError naming the key and where to add it when the catalogue has no such key,
    and ValueError for a language other than :data:`LANGS`.
    """
    if lang not in LANGS:
        raise ValueError(f"Expected lang to be one of {LANGS}, got {lang!r}.")
    try:
        return LABELS[key][lang]
    except KeyError:
        raise KeyError(
            f"No interface text for {key!r} in {lang!r}: add it, in both zh and en, to "
            "layers/_catalogue.py."
        ) from None


def measure_name(key: str, lang: str = "zh") -> str:
    """
    The name of accessibility measure ``key`` in ``lang``, e.g. "盲道长度" for ``tactile_km``.

    Raises ValueError, saying what is expected, for a key :func:`geo.coverage.describe`
    does not know.
    """
    found = coverage.describe(key)
    if found.kind == "share":
        # Lower-cased to sit mid-sentence in English; Chinese has no case.
        kind = label(f"infra_{found.feature}", lang).lower()
        return label("metric_households_within", lang).format(radius=found.radius, type=kind)
    return label(f"metric_{key}", lang)


def periods_text(pairs, lang: str = "zh") -> str:
    """
    (period, status) pairs as a planner reads them: ``2023年 计划；2019年至2022年 已完成``.

    An undated period is named as such.
    """
    return "；".join(
        f"{period or label('undated', lang)} {label(status, lang) if status else ''}".strip()
        for period, status in pairs
    )


def metric_label(row, lang: str = "zh") -> str:
    """Name of a metric from a figures row or mapping with ``label_zh``/``label_en``."""
    return str(row["label_zh"] if lang == "zh" else row["label_en"])


def format_value(value: float, unit: str, lang: str = "zh") -> str:
    """
    A figure formatted the way a planner reads it.

    In Chinese, large household and area counts use 万 (万户, 万 m²); in English, thousands
    separators. Missing values read "无数据"/"No data", never 0.
    """
    if value is None or pd.isna(value):  # None, NaN and pandas' NA all mean "no data"
        return label("no_data", lang)
    unit_text = {
        "zh": {
            "households": "户",
            "m2": "m²",
            "persons": "人",
            "km": "千米",
            "percent": "%",
            "cny": "元",
            "count": "个",
            "count_per_km": "个/千米",
            "m": "米",
        },
        "en": {
            "households": "households",
            "m2": "m²",
            "persons": "persons",
            "km": "km",
            "percent": "%",
            "cny": "CNY",
            "count": "",
            "count_per_km": "per km",
            "m": "m",
        },
    }[lang].get(unit, unit)
    if unit == "percent":
        return f"{value:g}%"
    if lang == "zh" and abs(value) >= 10000 and unit in ("households", "m2", "persons", "cny"):
        if unit == "cny" and abs(value) >= 1e8:
            return f"{value / 1e8:,.4g} 亿元"
        return f"{value / 10000:,.6g} 万{unit_text}".replace("万m²", "万 m²")
    number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return f"{number} {unit_text}".strip()


def reason_text(status: str, lang: str = "zh") -> str:
    """Why a value is missing or not ranked: "数据不足：…" (the status code as a fallback)."""
    try:
        reason = label(f"reason_{status}", lang)
    except KeyError:
        reason = str(status)
    return f"{label('insufficient_data', lang)}{'：' if lang == 'zh' else ': '}{reason}"


def value_text(row, lang: str = "zh") -> str:
    """A value as a planner reads it; a partial value is marked, a missing one explained."""
    value, status = row["value"], row["status"]
    if row["unit"] == "percent" and not pd.isna(value):
        value = round(float(value), 1)  # 57.98%, not 57.9842%: a rate's digits are not that good
    if status == "ok":
        text = format_value(value, row["unit"], lang)
        return text + qualifier_text(row.get("qualifier"), lang)
    if pd.isna(value):
        return reason_text(status, lang)
    partial = f"{format_value(value, row['unit'], lang)}{label('at_least', lang)}"
    if status == "urban_area":
        partial = format_value(value, row["unit"], lang)
    return (
        f"{partial}（{reason_text(status, lang)}）"
        if lang == "zh"
        else (f"{partial} ({reason_text(status, lang)})")
    )


def mixed_periods_text(mixed: dict, titles: dict[str, str], lang: str = "zh") -> str:
    """
    The warning for metrics whose values mix periods or kinds.

    ``mixed`` is metric → (period, status) pairs (:func:`geo.compare.mixed_periods`).
    """
    listed = "、".join(
        f"{titles[m]}（{periods_text(pairs, lang)}）"
        if lang == "zh"
        else f"{titles[m]} ({periods_text(pairs, lang)})"
        for m, pairs in mixed.items()
    )
    return label("compare_mixed_periods", lang).format(metrics=listed)


def place_labels(places: pd.DataFrame, lang: str = "zh") -> pd.Series:
    """
    A short, unique name per place.

    The district; the city's name for a whole city (新乡市（全市）); the city in front where
    two places share a name (two 鼓楼区).
    """
    names = places["place"].astype(str)
    whole = places["tier"] == "city"
    suffix = f"（{label('city_wide', lang)}）" if lang == "zh" else f" ({label('city_wide', lang)})"
    names = names.where(~whole, names + suffix)
    clash = names.duplicated(keep=False)
    return names.where(~clash, places["city"].astype(str) + " " + names)


def rank_text(row, lang: str = "zh") -> str:
    """``第3名（共11）``, or "not ranked" for a value without a rank."""
    if pd.isna(row.get("rank")):
        return label("not_ranked", lang)
    return label("rank_of", lang).format(rank=int(row["rank"]), n=int(row["n_ranked"]))


def city_mean_text(row, lang: str = "zh") -> str:
    """A city average with how many districts it used: ``2,013.55 户（11/13）``; "" if none."""
    if pd.isna(row["city_mean"]):
        return ""
    value = value_text({"value": row["city_mean"], "unit": row["unit"], "status": "ok"}, lang)
    used = f"{row['city_mean_n']}/{row['city_places_n']}"
    return f"{value}（{used}）" if lang == "zh" else f"{value} ({used})"


def error_text(exc: Exception, lang: str = "zh") -> str:
    """
    An error's message for the app, with the app's way to give the setting it names.

    The setting is :attr:`geo.errors.InputError.fix`: the datum choice under the upload, the
    sheet field...
    """
    fix = getattr(exc, "fix", None)
    return f"{exc} {label(f'fix_{fix}', lang)}" if fix else str(exc)


def qualifier_text(qualifier: object, lang: str = "zh") -> str:
    """How a figure's qualifier reads after it: （不少于） for 余/多, （约） for 约, else ""."""
    if isinstance(qualifier, str) and qualifier in ("at_least", "approx", "at_most"):
        return label(qualifier, lang)
    return ""


def sheet_text(sheet: str | None, sheets: list[tuple[str, str]], lang: str = "zh") -> str:
    """
    Which workbook sheet was read, and the workbook's sheets: "读取的工作表：台账（工作簿中：…）".

    Empty for a CSV (``sheet`` is None). ``sheets`` are (title, state) pairs as
    :class:`geo.records.Ledger` keeps them; hidden sheets say so.
    """
    if sheet is None:
        return ""
    hidden = label("sheet_hidden", lang)
    names = [title if state == "visible" else f"{title} ({hidden})" for title, state in sheets]
    listed = ("、" if lang == "zh" else ", ").join(names) or sheet
    return label("sheet_read", lang).format(sheet=sheet, sheets=listed)
