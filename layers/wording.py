"""
Interface wording in Chinese (default) and English, shared by the app, layers and exports.

Labels by key (the catalogue is the shipped file ``data/wording.toml``, read once), measure
names, and numbers and values formatted the way a planner reads them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from geo import coverage, shown
from geo._data import data_path
from geo.dates import period_code, period_form
from geo.figures import load_metrics
from geo.selection import UNDATED

__all__ = [
    "LABELS",
    "LANGS",
    "WHOLE_UNITS",
    "city_mean_text",
    "class_texts",
    "colon",
    "detail_text",
    "encoding_text",
    "error_text",
    "figure_text",
    "format_value",
    "label",
    "listed_text",
    "mean_value",
    "measure_name",
    "metric_label",
    "mixed_periods_text",
    "note_text",
    "period_text",
    "periods_text",
    "place_labels",
    "place_text",
    "qualifier_text",
    "quarantine_details",
    "quarantine_messages",
    "rank_label",
    "rank_text",
    "reason_text",
    "reasons_text",
    "saved_text",
    "sheet_text",
    "source_words",
    "tag_text",
    "tags_text",
    "time_text",
    "unit_text",
    "value_text",
    "years_text",
]

LANGS = ("zh", "en")
#: Where the interface text lives: one table per key, with a string per language.
CATALOGUE = "wording.toml"


def _read_catalogue() -> Mapping[str, Mapping[str, str]]:
    with data_path(CATALOGUE).open("rb") as file:
        return MappingProxyType(tomllib.load(file))


#: The interface text, key → {"zh": ..., "en": ...}, read once when the module loads.
LABELS = _read_catalogue()


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
            f"data/{CATALOGUE}."
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
        if found.profile:
            return label("metric_households_on_foot", lang).format(
                radius=found.radius, type=kind, profile=label(f"profile_{found.profile}", lang)
            )
        return label("metric_households_within", lang).format(radius=found.radius, type=kind)
    return label(f"metric_{key}", lang)


def periods_text(pairs, lang: str = "zh") -> str:
    """
    (period, status) pairs as a planner reads them: ``2023年 计划；2019年至2022年 已完成``.

    An undated period is named as such.
    """
    sep = "；" if lang == "zh" else "; "
    return sep.join(
        f"{period_text(period, lang)} {label(status, lang) if status else ''}".strip()
        for period, status in pairs
    )


# How the documents name periods, and the same in English: 2023年, 2019年至2022年, 2019-2023年,
# 2021年以来, 截至目前; in the words of a period named from its years (period_<form>). A label
# none of these matches is shown as written.
_PERIODS_EN = (
    (re.compile(r"^(\d{4})年?$"), "{0}"),
    (re.compile(r"^(\d{4})年?\s*(?:至|到|-|–|—|~)\s*(\d{4})年?$"), "{0}–{1}"),
    (re.compile(r"^(\d{4})年(?:以来|起|来)$"), "since {0}"),
    (re.compile(r"^截至(\d{4})年?(?:底|末)?$"), "by {0}"),
    (re.compile(r"^截至目前$|^至今$"), "to date"),
)
# Place and issuer words the documents use that are not names: shown in the interface's
# language (全市 and 主城区 are scopes, 未注明 an issuer nobody stated).
_WORDS = {"全市": "city_wide", "主城区": "main_urban_area", "未注明": "not_stated"}


def period_text(period: object, lang: str = "zh") -> str:
    """
    A period as the interface writes it; missing reads "未注明时期".

    In Chinese as the document wrote it (2023年); in English ``2023``, ``2019–2022``,
    ``since 2021``, ``by 2023``, ``to date``. A period no document named, only its years
    (:func:`geo.dates.period_code`: ``2019/2022``, ``../2023``), in the words of its form:
    2019年至2022年 / 2019–2022, 截至2023年 / by 2023.
    """
    if period is None or pd.isna(period) or not str(period).strip():
        return label("undated", lang)
    text = str(period).strip()
    coded = period_form(text)
    if coded is not None:
        form, years = coded
        return label(f"period_{form}", lang).format(**years)
    if lang == "zh":
        return text
    for pattern, english in _PERIODS_EN:
        found = pattern.match(text)
        if found:
            return english.format(*found.groups())
    return text


def years_text(start: object, end: object, lang: str = "zh") -> str:
    """
    A period named from its first and last years (either may be missing), in ``lang``.

    2023年, 2019年至2023年, 截至2024年, 2021年起; in English 2023, 2019–2023, by 2024,
    since 2021; neither year: "未注明时期".
    """
    return period_text(period_code(start, end), lang)


def place_text(place: object, lang: str = "zh") -> str:
    """A place, or an issuer, as written, except the words that are scopes (全市, 主城区)."""
    if place is None or pd.isna(place):
        return ""
    text = str(place)
    return label(_WORDS[text], lang) if text in _WORDS else text


def source_words(text: object, lang: str = "zh") -> str:
    """
    A source line of :func:`geo.selection.source_text` in the interface's language.

    geo writes sources in the documents' language; only its two stock words change here
    (未注明日期 for a missing date, 未注明 for a missing issuer), so the screen stays English.
    """
    if text is None or pd.isna(text):
        return ""
    if lang == "zh":
        return str(text)

    def words(line: str) -> str:
        parts = line.split(" · ")
        return " · ".join(
            label("undated_doc", lang) if p == UNDATED else place_text(p, lang) for p in parts
        )

    return " | ".join(words(line) for line in str(text).split(" | "))


def tag_text(tag: object, lang: str = "zh") -> str:
    """
    A ledger content tag as a reader sees it: 加装电梯 or "Elevator retrofit" for ``elevator``.

    Tags a ledger wrote that are no known key (``外墙保温层``) are shown as written.
    """
    text = "" if tag is None or pd.isna(tag) else str(tag)
    return label(f"tag_{text}", lang) if f"tag_{text}" in LABELS else text


def tags_text(tags: object, lang: str = "zh") -> str:
    """A ledger's ``content_tags`` (``elevator|外墙``) as a list: ``加装电梯、外墙``."""
    if tags is None or pd.isna(tags) or not str(tags):
        return ""
    sep = "、" if lang == "zh" else ", "
    return sep.join(tag_text(tag, lang) for tag in str(tags).split("|"))


def metric_label(row, lang: str = "zh") -> str:
    """Name of a metric from a figures row or mapping with ``label_zh``/``label_en``."""
    return str(row["label_zh"] if lang == "zh" else row["label_en"])


#: Unit words by language, as :func:`format_value` writes them after a number.
_UNIT_TEXT = {
    "zh": {
        "households": "户",
        "buildings": "栋",
        "m2": "m²",
        "persons": "人",
        "km": "千米",
        "percent": "%",
        "cny": "元",
        "count": "个",
        "count_per_km": "个/千米",
        "m": "米",
        "count_per_household": "个/户",
        "m2_per_household": "m²/户",
        "cny_per_household": "元/户",
        "persons_per_household": "人/户",
    },
    "en": {
        "households": "households",
        "buildings": "buildings",
        "m2": "m²",
        "persons": "persons",
        "km": "km",
        "percent": "%",
        "cny": "CNY",
        "count": "",
        "count_per_km": "per km",
        "m": "m",
        "count_per_household": "per household",
        "m2_per_household": "m² per household",
        "cny_per_household": "CNY per household",
        "persons_per_household": "persons per household",
    },
}


def unit_text(unit: str, lang: str = "zh") -> str:
    """
    The word for ``unit`` after a number: 户, households, m², 千米..., or the code itself.

    A ratio to households (``km_per_household``) is the unit's word per household (千米/户).
    """
    if unit not in _UNIT_TEXT[lang] and unit.endswith(_PER_HOUSEHOLD):
        base = unit_text(unit.removesuffix(_PER_HOUSEHOLD), lang)
        return label("unit_per_household", lang).format(unit=base).strip()
    return _UNIT_TEXT[lang].get(unit, unit)


_PER_HOUSEHOLD = "_per_household"


def _rounded(value: float, decimals: int) -> str:
    """``value`` to ``decimals`` places, half up (:func:`geo.shown.rounded`), zeros trimmed."""
    text = f"{shown.rounded(value, decimals):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _wan(lang: str) -> bool:
    """True where ``lang`` writes figures in 万 and 亿 (:data:`geo.shown.WRITES_WAN`)."""
    return shown.WRITES_WAN.get(lang, False)


def _scale(value: float, unit: str, lang: str) -> tuple[float, str]:
    """The divisor and unit words a figure is written with: 万户 from 10,000 in Chinese."""
    words = unit_text(unit, lang)
    divisor = shown.divisor(value, unit, wan=_wan(lang))
    if divisor == shown.YI:
        return divisor, "亿元"
    if divisor == shown.WAN:
        return divisor, f"万{words}".replace("万m²", "万 m²")
    return divisor, words


def _parts(value: float, unit: str, lang: str, unit_word: str | None) -> tuple[str, str, str]:
    """The number, its 万/亿 and its unit words, as :func:`format_value` joins them."""
    divisor, words = _scale(value, unit, lang)
    if unit_word and lang == "zh":
        # The document's own word for a unit it wrote without a factor (处, 栋, 平方米).
        words = unit_word
    # The decimals are geo.shown's, the ones ranks are taken on: at most two, none invented
    # (46.8 stays 46.8, never 46.80), a small ratio keeping two significant digits (0.0041).
    places = shown.decimals(value / divisor, unit, divisor)
    if divisor != 1:
        scale, words = ("亿", words.removeprefix("亿")) if divisor == shown.YI else ("万", words)
        words = words.removeprefix("万").strip()
        return _rounded(value / divisor, places), scale, words
    return _rounded(value, places), "", words


def format_value(value: float, unit: str, lang: str = "zh", *, unit_word: str | None = None) -> str:
    """
    A figure formatted the way a planner reads it.

    In Chinese, household, area, person and money figures from 10,000 are written in 万 (亿 for
    money from 10⁸) with at most two decimals, as reports write them (2.21 万户); in English,
    thousands separators. No decimal is invented (46.8, not 46.80). Percentages keep one
    decimal. ``unit_word`` is the unit as the documents wrote it (处 for ``count``), used in
    Chinese. Missing values read "无数据"/"No data", never 0.
    """
    if value is None or pd.isna(value):  # None, NaN and pandas' NA all mean "no data"
        return label("no_data", lang)
    if unit == "percent":
        return f"{_rounded(value, shown.PERCENT_DECIMALS)}%"
    number, scale, words = _parts(value, unit, lang, unit_word)
    if scale:
        return f"{number} {scale}{_spaced(words)}"
    return f"{number} {words}".strip()


def _spaced(words: str) -> str:
    """Unit words as they follow 万 or 余: a symbol (m², km) after a space, 户 straight on."""
    return f" {words}" if words[:1].isascii() and words[:1].isalpha() else words


_BOUNDS = ("at_least", "approx", "at_most")


def figure_text(
    value: float,
    unit: str,
    lang: str = "zh",
    *,
    qualifier: object = None,
    as_written: object = None,
    unit_word: str | None = None,
) -> str:
    """
    A reported figure as the documents write it: number, unit and qualifier (余, 约, 以上).

    In Chinese, a figure whose ``as_written`` states this very value is shown in the
    document's words (``4.2 万余户``, ``1230处``, ``46.8公里``); any other value (a sum, a
    share) is formatted by :func:`format_value` (with ``unit_word``, the unit the documents
    wrote), its qualifier written into it: ``4.2 万余户``, ``约 2.9 万户``, ``97.7%以上``.
    In English: ``at least 42,000 households``, ``about 29,000 households``. Missing reads
    "无数据", never 0.
    """
    if value is None or pd.isna(value):
        return label("no_data", lang)
    if lang == "zh" and shown.is_written_as(as_written, value, unit, qualifier):
        return str(as_written).strip()
    kind = qualifier if isinstance(qualifier, str) and qualifier in _BOUNDS else None
    if kind == "at_least" and float(value) == 0:
        kind = None  # "at least 0" says nothing
    if kind is None:
        return format_value(value, unit, lang, unit_word=unit_word)
    if kind == "at_least" and unit != "percent":
        number, scale, words = _parts(value, unit, lang, unit_word)
        text = label("figure_at_least", lang).format(
            number=number, scale=scale, unit=_spaced(words)
        )
        return " ".join(text.split())
    text = format_value(value, unit, lang, unit_word=unit_word)
    key = "figure_at_least_percent" if kind == "at_least" else f"figure_{kind}"
    return label(key, lang).format(text=text)


def class_texts(
    ranges: list[tuple[float, float] | None], unit: str, lang: str = "zh"
) -> tuple[str, list[str]]:
    """
    A legend's unit and one text per class (``lowest – highest``), all in that one unit.

    Chinese legends use 万 only when every class starts at 10,000 or more, so no legend mixes
    户 with 万户; an empty class reads "—".
    """
    lows = [r[0] for r in ranges if r is not None]
    divisor, words = _scale(min(lows, key=abs) if lows else 0.0, unit, lang)
    decimals = shown.PERCENT_DECIMALS if unit == "percent" else shown.DECIMALS

    def number(value: float) -> str:
        return _rounded(value / divisor, decimals)

    texts = []
    for found in ranges:
        if found is None:
            texts.append("—")
        else:
            low, high = found
            texts.append(number(low) if low == high else f"{number(low)} – {number(high)}")
    return words, texts


def reason_text(status: str, lang: str = "zh") -> str:
    """Why a value is missing or not ranked: "数据不足：…" (the status code as a fallback)."""
    try:
        reason = label(f"reason_{status}", lang)
    except KeyError:
        reason = str(status)
    return f"{label('insufficient_data', lang)}{'：' if lang == 'zh' else ': '}{reason}"


#: Units whose partial sums are lower bounds: things counted or measured, not rates.
_ADDITIVE_UNITS = ("count", "households", "persons", "m2", "km", "m", "cny")


def value_text(row, lang: str = "zh") -> str:
    """
    A value as a planner reads it; a partial value is said to be one, a missing one explained.

    A complete value is written as its document wrote it (:func:`figure_text`). A city's sum
    over some of its districts says how many of how many (``4.2 万余户（9 个区县中 1 个有数据，
    不是全市合计）``); a count or length over part of a district is "at least" that much, and a
    rate or a zero over part of it is said to be the covered part's; never "at least 0".
    """
    value, status, unit = row["value"], row["status"], row["unit"]
    if status != "ok" and pd.isna(value):
        return reason_text(status, lang)
    # A document's own figure (a place's, or the main urban area's) is shown as written.
    written = row.get("as_written") if status in ("ok", "urban_area") else None
    text = figure_text(value, unit, lang, qualifier=row.get("qualifier"), as_written=written)
    if status == "ok":
        return text
    if status == "sum_of_parts" and not pd.isna(row.get("parts_n", np.nan)):
        key = "partial_of_places" if int(row.get("zones_n") or 0) else "partial_of_districts"
        scope = label(key, lang).format(n=int(row["parts_n"]), total=int(row["places_n"]))
        return label("partial_value", lang).format(value=text, scope=scope)
    if status == "partial_extent" and (unit not in _ADDITIVE_UNITS or float(value) == 0):
        text = label("in_covered_part", lang).format(value=text)
    elif status != "urban_area" and unit in _ADDITIVE_UNITS and float(value) > 0:
        text += label("at_least", lang)
    return (
        f"{text}（{reason_text(status, lang)}）"
        if lang == "zh"
        else (f"{text} ({reason_text(status, lang)})")
    )


def colon(lang: str = "zh") -> str:
    """What follows a heading in a sentence: the full-width ： in Chinese, ": " in English."""
    return "：" if lang == "zh" else ": "


def listed_text(values, lang: str = "zh") -> str:
    """Several words as one list: 红旗区、卫滨区 in Chinese, "households, buildings" in English."""
    return ("、" if lang == "zh" else ", ").join(map(str, values))


def dropped_text(values: list, lang: str = "zh") -> str:
    """The warning naming the values of a link that are no choice on its page (not escaped)."""
    return label("compare_dropped", lang).format(values=listed_text(values, lang))


def mixed_periods_text(mixed: dict, titles: dict[str, str], lang: str = "zh") -> str:
    """
    The warning for metrics whose values mix periods or kinds.

    ``mixed`` is metric → (period, status) pairs (:func:`geo.compare.mixed_periods`).
    """
    listed = listed_text(
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
    """
    A rank as read: ``新乡市内第 3 名（共 11）``, ``第 1 名（共 2）``, or "not ranked".

    A district is ranked within its city, a city among the cities.
    """
    if pd.isna(row.get("rank")):
        return label("not_ranked", lang)
    if row.get("tier") == "district" and isinstance(row.get("city"), str):
        return rank_label(row, lang, city=row["city"])
    return rank_label(row, lang)


def rank_label(row, lang: str = "zh", *, city: str | None = None) -> str:
    """
    A rank, as read: ``第 3 名（共 11）``, or ``{city}内第 3 名（共 11）`` with ``city``.

    Places that share the rank (``n_tied`` > 1) read ``并列第 1 名（3 个并列，共 3）``. Ranks
    are taken on the values as shown, which in English are not in 万: a row's ``rank_en``
    and ``n_tied_en`` (:func:`geo.shown.ranks`), where it has them, are the English ones.
    """
    suffix = "" if lang == "zh" or pd.isna(row.get(f"rank_{lang}", pd.NA)) else f"_{lang}"
    rank, n = int(row[f"rank{suffix}"]), int(row["n_ranked"])
    tied = row.get(f"n_tied{suffix}")
    tied = 1 if tied is None or pd.isna(tied) else int(tied)
    key = ("rank_tied" if tied > 1 else "rank") + ("_in_city" if city else "_of")
    return label(key, lang).format(city=city, rank=rank, n=n, tied=tied)


#: Units counted in whole things: an average of them is rounded to a whole one (2,014 户).
WHOLE_UNITS = ("households", "count", "persons")


def mean_value(mean: float, unit: str) -> float:
    """An average as shown: to a whole one (half up) for :data:`WHOLE_UNITS`, else as it is."""
    if unit in WHOLE_UNITS:
        return float(shown.rounded(mean, 0))
    return float(mean)


def city_mean_text(row, lang: str = "zh") -> str:
    """A city average with how many districts it used: ``2,014 户（11/13）``; "" if none."""
    if pd.isna(row["city_mean"]):
        return ""
    mean = mean_value(row["city_mean"], row["unit"])
    value = value_text({"value": mean, "unit": row["unit"], "status": "ok"}, lang)
    used = f"{row['city_mean_n']}/{row['city_places_n']}"
    return f"{value}（{used}）" if lang == "zh" else f"{value} ({used})"


def error_text(exc: Exception, lang: str = "zh") -> str:
    """
    An error's message for the app, in ``lang``, with the app's way to give the setting it names.

    An :class:`geo.errors.InputError` with a ``code`` the catalogue knows (``error_<code>``)
    is written from the catalogue with its ``details``; one without reads as geo wrote it
    (English), after the catalogue's line for its ``fix`` in Chinese. The setting is
    :attr:`geo.errors.InputError.fix`: the datum choice under the upload, the sheet field...
    """
    code, fix = getattr(exc, "code", None), getattr(exc, "fix", None)
    if code and f"error_{code}" in LABELS:
        details = {k: _error_detail(k, v, lang) for k, v in getattr(exc, "details", {}).items()}
        text = label(f"error_{code}", lang).format(**details)
    elif fix and lang != "en" and f"error_fix_{fix}" in LABELS:
        text = f"{label(f'error_fix_{fix}', lang)}（{exc}）"
    else:
        text = str(exc)
    return f"{text} {label(f'fix_{fix}', lang)}" if fix else text


#: Details that are codes joined by "/", each worded by its key prefix: the columns a file lacks.
_CODED_DETAILS = {
    "missing": "column_needed_",
    "needed": "figures_column_",
    "kind_wanted": "dataset_kind_",
    "kind_held": "dataset_kind_",
}
#: Details that are names joined by "/", listed the way each language lists them.
_LISTED_DETAILS = {
    "candidates", "columns", "sheets", "layers", "documents", "cities", "years", "suggestions",
    "datasets", "scope", "outside",
}  # fmt: skip


def _error_detail(key: str, value: object, lang: str) -> object:
    """A refusal's detail as its words take it: counts by reason and codes worded."""
    if isinstance(value, Mapping):
        # Counts by quarantine reason (a save refused: store.errors.NothingToSaveError).
        return reasons_text(value, lang)
    if key in _CODED_DETAILS and isinstance(value, str):
        sep = "；" if lang == "zh" else "; "
        return sep.join(label(_CODED_DETAILS[key] + c, lang) for c in value.split("/"))
    if key == "datum" and f"datum_{value}" in LABELS:
        return label(f"datum_{value}", lang)  # a datum's code (gcj02) in words
    if key == "metric" and isinstance(value, str):
        names = (
            load_metrics()
        )  # a reported figure's metric (households) named.set_index("metric")[f"label_{lang}"]
        return names.get(value, value)
    if key in _LISTED_DETAILS and isinstance(value, str):
        return listed_text(value.split("/"), lang)
    return value


def note_text(note: dict, lang: str = "zh") -> str:
    """
    A file-wide note of :attr:`geo.records.Ledger.notes` in ``lang``, datums named in words.

    ``datum_overridden``: the 坐标系 column was followed over the declared datum;
    ``datum_suspect``: the points fit another datum better (a hint; nothing was converted).
    """
    sep = "或" if lang == "zh" else " or "

    def datums(codes: object) -> str:
        return sep.join(label(f"datum_{d}", lang) for d in str(codes).split("/"))

    details = {k: v for k, v in note.items() if k != "code"}
    for key in ("declared", "best", "datums"):
        if key in details:
            details[key] = datums(details[key])
    return label(f"note_{note['code']}", lang).format(**details)


def reasons_text(by_reason: Mapping[str, int], lang: str = "zh") -> str:
    """Quarantined rows by reason as read: ``不属本账户的区县 18、约数 1`` (a code as itself)."""
    names = {c: f"qreason_{c}" for c in by_reason}
    sep = "、" if lang == "zh" else ", "
    return sep.join(
        f"{label(names[c], lang) if names[c] in LABELS else c} {n}" for c, n in by_reason.items()
    )


#: Where a reader words a code its own way (``row_figures_<code>``): figures tables and plans.
_ROW_WORDS = {"figures": "row_figures_", "plan": "row_figures_"}
_DETAILS = ("detail_zh", "detail_en")
#: A coded detail's column: JSON text ``{"code": ..., **params}`` (geo.io.sheets.Flags).
PARAMS = "detail_params"


def _listed(values: object, lang: str) -> str:
    return listed_text(values, lang) if isinstance(values, list | tuple) else str(values)


#: How a detail's parameter is worded, by its name; any other is written as it is.
_PARAM_WORDS = {
    "unit": lambda v, lang: unit_text(str(v), lang),
    "top": lambda v, lang: f"{v:,}",
    "span": lambda v, lang: f"{float(v):.1f}",
    "rows": _listed,
    "scope": _listed,
    "fields": lambda v, lang: _listed([label(f"ledger_field_{f}", lang) for f in v], lang),
    "geometry": lambda v, lang: label(f"geometry_{str(v).lower()}", lang),
    "fix": lambda v, lang: label(f"datum_{v}", lang),  # the datum that would fit: gcj02
    # The resolver's notes (geo.gazetteer.NOTES, geo.addresses.NOTES): names listed, where a
    # name's history comes from after it, or nothing.
    "names": _listed,
    "cities": _listed,
    "then": _listed,
    "places": _listed,
    "closest": lambda v, lang: _listed(v, lang) or ("无" if lang == "zh" else "none"),
    "source": lambda v, lang: (
        (f"（来源：{v}）" if lang == "zh" else f" (source: {v})") if v else ""
    ),
}


def _detail_words(params: str | Mapping[str, object], lang: str) -> tuple[str, dict[str, str]]:
    """A coded detail's words (``qdetail_<code>``) and its parameters worded in ``lang``."""
    found = dict(json.loads(params) if isinstance(params, str) else params)
    code = found.pop("code")
    words = {
        name: _PARAM_WORDS[name](value, lang) if name in _PARAM_WORDS else str(value)
        for name, value in found.items()
    }
    return label(f"qdetail_{code}", lang), words


def detail_text(params: str | Mapping[str, object], detail: object, lang: str = "zh") -> str:
    """
    A coded detail worded in ``lang``: ``qdetail_<code>`` filled with its parameters.

    ``params`` is a quarantined row's ``detail_params`` (JSON text, or the dict it holds),
    ``detail`` the row's detail as read (a quoted cell, a point), which the words may quote.
    """
    template, words = _detail_words(params, lang)
    return template.format(detail=detail, **words)


def quarantine_details(quarantine: pd.DataFrame, lang: str = "zh") -> pd.Series:
    """
    Each quarantined row's detail in ``lang``: its coded detail worded, else as read.

    A version saved before the details were coded holds them worded (``detail_<lang>``,
    no ``detail_params``): those read as saved. Each distinct code and parameters is read
    once, then filled with each row's detail.
    """
    details = quarantine[f"detail_{lang}"].astype(object).fillna("")
    if PARAMS not in quarantine:
        return details
    coded = quarantine[PARAMS].astype(object).to_numpy()
    rows = np.flatnonzero(pd.notna(coded) & (coded != ""))
    if not rows.size:
        return details
    texts = details.to_numpy(dtype=object, copy=True)
    groups, distinct = pd.factorize(coded[rows])
    for number, params in enumerate(distinct):
        at = rows[groups == number]
        template, words = _detail_words(params, lang)
        texts[at] = [template.format(detail=d, **words) for d in texts[at]]
    return pd.Series(texts, index=quarantine.index, dtype=object)


def quarantine_messages(quarantine: pd.DataFrame, kind: str = "ledger") -> pd.DataFrame:
    """
    ``quarantine`` with each row's reason worded in both languages, as the files carry it.

    A reader's row (geo/, store/) holds a code (``reason``), its ``column``, what the check
    found (``detail_zh``, ``detail_en``: the same text) and, for a detail that needs words,
    its code and parameters (``detail_params``, :func:`detail_text`); they are worded here
    into ``message_zh`` and ``message_en``, in the details' place, from ``row_<code>`` (for
    a ``kind`` of ``figures`` or ``plan``, ``row_figures_<code>`` first). A row that already
    has a message (saved before the readers emitted codes) keeps it; one saved before the
    details were coded reads its worded details. The reason code stays beside the words.
    """
    columns = list(quarantine.columns)
    if not set(_DETAILS) <= set(columns):
        return quarantine
    worded = [c for c in (*_DETAILS, PARAMS, "message_zh", "message_en") if c in columns]
    at = min(columns.index(c) for c in worded)
    out = quarantine.drop(columns=worded)
    for offset, lang in enumerate(LANGS):
        messages = _row_messages(quarantine, _ROW_WORDS.get(kind, "row_"), lang)
        if f"message_{lang}" in columns:
            saved = quarantine[f"message_{lang}"].astype(object)
            messages = saved.where(saved.notna(), messages)
        out.insert(at + offset, f"message_{lang}", messages)
    return out


def _row_messages(quarantine: pd.DataFrame, own: str, lang: str) -> pd.Series:
    """Each row's reason worded in ``lang`` with its column and detail (the code if unknown)."""
    templates = {}
    for code in quarantine["reason"].dropna().unique():
        keys = [f"{own}{code}", f"row_{code}"]
        key = next((k for k in keys if k in LABELS), None)
        # A code with no words (tests/test_codes.py keeps there from being one) reads as itself.
        templates[code] = label(key, lang) if key else f"{code}: {{detail}}"
    columns = quarantine["column"].astype(object).fillna("")
    details = quarantine_details(quarantine, lang)
    texts = [
        templates[r].format(column=c, detail=d) if r in templates else ""
        for r, c, d in zip(quarantine["reason"], columns, details, strict=True)
    ]
    return pd.Series(texts, index=quarantine.index, dtype=object)


def saved_text(
    ref: str, clean: int, by_reason: Mapping[str, int], lang: str = "zh", *, kind: str = "ledger"
) -> str:
    """
    What a save made, from its version's record.

    The clean rows (figures) it holds and, when it holds quarantined rows too, how many and
    why, ``out_of_scope`` rows included.
    """
    quarantined = sum(by_reason.values())
    if kind == "figures":
        if quarantined:
            reasons = reasons_text(by_reason, lang)
            return label("figures_saved_quarantined", lang).format(
                ref=ref, n=clean, quarantined=quarantined, reasons=reasons
            )
        return label("figures_saved", lang).format(ref=ref, n=clean)
    if quarantined:
        return label("workspace_saved_quarantined", lang).format(
            ref=ref, rows=clean, quarantined=quarantined, reasons=reasons_text(by_reason, lang)
        )
    return label("workspace_saved", lang).format(ref=ref, rows=clean)


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
    listed = listed_text(names, lang) or sheet
    return label("sheet_read", lang).format(sheet=sheet, sheets=listed)


#: Beijing time: UTC+8 all year (China keeps no daylight saving time).
BEIJING = dt.timezone(dt.timedelta(hours=8), "UTC+8")


def time_text(moment: object) -> str:
    """
    A time the workspace keeps in UTC, as a planner reads it: Beijing time, to the minute.

    ``moment`` is a naive UTC ``datetime`` (as the store keeps it), an aware one, or ISO 8601
    text (``2026-12-06T05:02:33Z``); missing reads "".
    """
    if moment is None or (not isinstance(moment, str | dt.datetime) and pd.isna(moment)):
        return ""
    when = dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def encoding_text(encoding: str | None, lang: str = "zh") -> str:
    """A text file's encoding as its name is written: UTF-8（带 BOM）, GB18030; none reads ""."""
    if not encoding:
        return ""
    name = encoding.upper().removesuffix("-SIG")
    return label("encoding_bom", lang).format(name=name) if encoding.endswith("-sig") else name
