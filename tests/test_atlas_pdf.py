"""Tests for layers/atlas_pdf.py: the district atlas read back with pypdf."""

from __future__ import annotations

import datetime
import io

import pytest
from _reports import SURVEY, example_survey, xinxiang
from pypdf import PdfReader

from geo import report
from geo.figures import load_figures
from geo.selection import Selection
from layers import atlas_pdf as atlas_module
from layers.atlas_pdf import FontMissingError, atlas_pdf, wrap

TODAY = datetime.date(2026, 12, 7)


@pytest.fixture(scope="module")
def pages() -> list[str]:
    """The text of each page of the 新乡 atlas of 卫滨区, 新乡县 and 高新区, spaces removed."""
    data = atlas_pdf(xinxiang(), today=TODAY)
    return ["".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]


def test_a_cover_then_one_page_per_district_and_zone_each_named_in_real_text(pages):
    assert len(pages) == 1 + 3
    assert "新乡市老旧小区改造与无障碍设施图集" in pages[0]
    for page, place in zip(pages[1:], ("卫滨区", "新乡县", "高新区"), strict=True):
        assert f"{place}新乡市·" in page  # the page's title, then its city
        assert "导出日期2026-12-07" in page


def test_figures_carry_their_rank_and_numbered_source(pages):
    weibin = pages[1]
    assert "3279户2023年计划第3名（共11）[1]" in weibin
    assert (
        "[1]新百城提质办〔2023〕2号，新乡市百城建设提质工程领导小组办公室，2023年2月7日，第31行"
        in weibin
    )
    assert "合成示例数据，非真实" in weibin  # the example ledger and survey say so


def test_a_district_without_data_says_no_data_never_zero(pages):
    xinxiang_county = pages[2]
    assert "文件：暂无数据" in xinxiang_county
    assert "台账：暂无数据" in xinxiang_county
    assert "暂无数据（" not in xinxiang_county or "本区不在数据范围内" in xinxiang_county
    assert "本区不在数据范围内" in xinxiang_county


def test_a_zone_without_an_outline_gets_a_page_without_a_map_saying_why(pages):
    assert "高新区是开发区，没有官方行政区划边界，因此本页不绘制地图" in pages[3]
    assert "1044户" in pages[3]
    assert "无障碍设施：开发区没有边界，无法按区测算" in pages[3]


def test_a_district_the_survey_does_not_reach_says_no_data_not_that_it_has_no_outline():
    # 新乡's example survey, loaded for a 焦作 atlas: 解放区 has an outline, and no measure.
    made = report.gather_report(
        load_figures(),
        Selection(cities=("焦作市",), districts=("解放区",)),
        infra=example_survey(),
        infra_source=report.DataSource(SURVEY.name, synthetic=True),
    )
    reader = PdfReader(io.BytesIO(atlas_pdf(made, today=TODAY)))
    text = "".join(reader.pages[1].extract_text().split())
    assert text.startswith("解放区焦作市·")
    assert "无障碍设施：暂无数据（所载设施数据不覆盖本区县）" in text
    assert "开发区没有边界" not in text


def test_a_city_without_figures_or_data_gets_an_atlas_that_says_so():
    made = report.gather_report(
        load_figures(), Selection(cities=("洛阳市",), districts=("西工区",))
    )
    text = "".join(
        PdfReader(io.BytesIO(atlas_pdf(made, today=TODAY))).pages[0].extract_text().split()
    )
    assert "洛阳市在所选时期和性质下暂无数据" in text
    assert "各区县户数均暂无数据" in text


@pytest.mark.parametrize(
    "text",
    ["新乡高新技术产业开发区" * 8, "Renovation Atlas of a very long district name " * 4,
     "卫滨区 3279 户（新百城提质办〔2023〕2号，第 31 行）" * 3],
)  # fmt: skip
def test_long_text_wraps_within_its_width_and_nothing_is_cut(text):
    lines = wrap(text, 40, 7)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(atlas_module._width_em(line) * 7 * 0.3528 <= 40 + 1e-9 for line in lines)
    assert len(lines) > 1
    assert not any(line.startswith(("，", "）", "。")) for line in lines)


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("Households within 300 m", 25, ["Households within", "300 m"]),
        ("卫滨区共 3279 户", 14, ["卫滨区共", "3279 户"]),
        # Closing punctuation moves on with the word it closes, never past the width.
        ("新百城提质办第 31 行）", 25, ["新百城提质办第", "31 行）"]),
    ],
)
def test_a_number_keeps_to_its_unit_and_a_bracket_to_its_word(text, width, lines):
    assert wrap(text, width, 7) == lines
    assert all(atlas_module._width_em(line) * 7 * 0.3528 <= width for line in lines)


def test_a_missing_font_is_refused_with_the_fix(monkeypatch, tmp_path):
    monkeypatch.setattr(atlas_module, "FONT_FILES", (tmp_path / "NotoSansCJK-Regular.ttc",))
    atlas_module._font_family.cache_clear()
    try:
        with pytest.raises(FontMissingError, match="apt-get install fonts-noto-cjk"):
            atlas_pdf(xinxiang(), today=TODAY)
    finally:
        atlas_module._font_family.cache_clear()


def test_straight_line_and_walking_shares_are_labelled_apart_and_the_walk_cites_its_extract():
    from _reports import walked

    data = atlas_pdf(walked(), today=TODAY)
    weibin = "".join(PdfReader(io.BytesIO(data)).pages[1].extract_text().split())
    assert "改造小区住户到最近设施的距离（直线距离与沿路网步行距离）" in weibin
    # Each radius has a straight-line column, then a walking one, each header saying which.
    assert "300米内户数占比（直线）500米内户数占比（直线）300米内户数占比（沿路网步行）" in weibin
    assert "距离为沿路网步行距离（路网：OSM提取，文件synthetic-network-xinxiang.osm.pbf" in weibin


def test_with_a_network_every_district_holds_its_tables_and_sources_on_its_own_page():
    """The whole city with walking shares: a cover, then exactly one page per place."""
    from _reports import walked

    made = walked(())
    data = atlas_pdf(made, today=TODAY)
    pages = ["".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]
    places = made.places["place"].tolist()
    assert len(places) == 13
    assert len(pages) == 1 + len(places), [page[:8] for page in pages]
    for page, place in zip(pages[1:], places, strict=True):
        assert page.startswith(f"{place}新乡市·"), page[:20]
        assert "（续）" not in page
    hongqi = pages[1 + places.index("红旗区")]
    assert "数据来源[1]" in hongqi and "[7]按调查数据" in hongqi


def test_without_a_network_no_share_is_called_a_walking_one(pages):
    weibin = pages[1]
    assert "改造小区住户到最近设施的距离（直线距离）" in weibin
    assert "距离为直线距离" in weibin
    assert "步行" not in weibin and "沿路网" not in weibin


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_walked_shares_headers_wrap_before_a_bracket_never_inside_it(lang):
    """'300 米内户数占比' / '（沿路网步行）', never '…占比（沿' / '路网步行）' (at 6.8 pt)."""
    import re

    from _reports import walked

    made = walked()
    atlas = atlas_module._Atlas(made, None, figure="households", today=TODAY, lang=lang)  # type: ignore[arg-type]
    items = made.place_items(made.places["adcode"].iloc[0])
    *_tables, (_title, headers, _rows, widths) = atlas.parts(items, atlas_module._Sources())
    assert len(headers) == len(widths) == 7  # a type, 2 radii × 2 methods, the status, source
    wrapped = atlas_module._cell_lines(headers, widths, bold=True)
    checked = 0
    for header, lines, width in zip(headers[1:5], wrapped[1:5], widths[1:5], strict=True):
        assert "".join(lines).replace(" ", "") == header.replace(" ", "")
        limit = (width - atlas_module._CELL_PAD_MM) / (atlas_module._TABLE_PT * 0.3528)
        for group in re.findall(r"（[^）]*）|\([^)]*\)", header):
            assert atlas_module._width_em(group, bold=True) <= limit  # each fits its column
            assert any(group in line for line in lines), (group, lines)
            checked += 1
    assert checked == 4
    # The headers keep to two lines: the district's page does not grow.
    assert max(len(lines) for lines in wrapped) == 2
    if lang == "zh":
        assert wrapped[3] == ["300 米内户数占比", "（沿路网步行）"]
    else:
        # The header's short words (the table's title says them in full), its number kept
        # with its unit.
        assert wrapped[3] == ["Households within", "300 m (on foot, network)"]
        assert wrapped[1] == ["Households within", "300 m (straight line)"]
    assert not [line for lines in wrapped for line in lines if re.search(r"\d$", line)]


def _laid_out(monkeypatch, made, lang: str) -> list[tuple[str, float]]:
    """
    Each page of ``made``'s atlas as laid out, unwritten: its title, the room (mm) left above
    its footer when it is finished (below zero, its text runs into the footer).
    """
    pages = []

    def finish(self, page):
        pages.append((page.words.lines[0][2], page.room()))

    monkeypatch.setattr(atlas_module._Atlas, "finish", finish)
    atlas = atlas_module._Atlas(made, None, figure="households", today=TODAY, lang=lang)  # type: ignore[arg-type]
    atlas.cover()
    for place in made.places.itertuples(index=False):
        atlas.place_page(place)
    return pages


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("network", [False, True], ids=["straight", "walked"])
def test_each_place_keeps_to_one_page_in_either_language(monkeypatch, lang, network):
    """
    新乡 with the example ledger and survey (and network): a cover, then one page per
    district and zone, in English as in Chinese. English ran to 16 pages (23 with the
    network): its tables wrapped in columns sized for the Chinese text.
    """
    from _reports import walked

    made = walked(()) if network else xinxiang(())
    pages = _laid_out(monkeypatch, made, lang)
    places = made.places["place"].tolist()
    assert len(pages) == 1 + len(places), [title for title, _room in pages]
    assert [title for title, _room in pages[1:]] == places  # none of them continued
    # No page's text runs into its footer: the sources were counted a line each.
    assert [(title, room) for title, room in pages if room < 0] == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_table_row_is_taller_than_its_own_lines_in_either_language(lang):
    """
    Columns are sized from the text shown: a row takes the lines its values need (a value
    and its rank: two), in either language; a header at most two. The shares of a district
    the survey misses took a line more in English ("the district is outside the data's
    extent" beside four headers of two lines did not fit on one line): the table words its
    reasons and headers short (``reason_short_``, ``sheets_method_network_short``).
    """
    from _reports import walked

    made = walked(())
    atlas = atlas_module._Atlas(made, None, figure="households", today=TODAY, lang=lang)  # type: ignore[arg-type]
    sources = atlas_module._Sources()
    tables = [atlas.parts(made.place_items(code), sources) for code in made.places["adcode"]]
    city = atlas.city_rows(sources)
    city_head = atlas.columns(["name", "value", "kind", "source"])
    tables.append(
        [("sheets_city_figures", city_head, city, atlas_module._fit_widths(city_head, city))]
    )
    checked = 0
    for parts in tables:
        for title, headers, rows, widths in parts:
            assert sum(widths) == pytest.approx(atlas_module._TABLE_MM)
            head = atlas_module._cell_lines(headers, widths, bold=True)
            assert max(map(len, head)) <= 2, (title, head)
            for row in rows:
                own = max(str(cell).count("\n") + 1 for cell in row)
                lines = atlas_module._cell_lines(row, widths)
                assert max(map(len, lines)) == own, (title, lines)
                for cell, wrapped in zip(row, lines, strict=True):  # nothing cut
                    assert "".join(wrapped).replace(" ", "") == "".join(cell.split())
                checked += 1
    assert checked > 100


@pytest.mark.parametrize("network", [False, True], ids=["straight", "walked"])
def test_no_english_table_is_taller_than_the_chinese_one(network):
    """
    新乡's every place, table by table: English takes no more height than Chinese. With the
    network, English shares ran to 72 lines of rows against Chinese 45 (370 mm to 280 mm
    over the 13 places): its reasons, three times as wide, wrapped beside long headers.
    """
    from _reports import walked

    made = walked(()) if network else xinxiang(())

    def heights(lang: str) -> dict[tuple[str, int], float]:
        atlas = atlas_module._Atlas(made, None, figure="households", today=TODAY, lang=lang)  # type: ignore[arg-type]
        sources = atlas_module._Sources()
        return {
            (code, index): atlas_module._table_height(headers, rows, widths)
            for code in made.places["adcode"]
            for index, (_title, headers, rows, widths) in enumerate(
                atlas.parts(made.place_items(code), sources)
            )
        }

    zh, en = heights("zh"), heights("en")
    taller = {key: (zh[key], en[key]) for key in zh if en[key] > zh[key] + 1e-9}
    assert taller == {}
    assert sum(zh.values()) > 0


def test_the_width_left_goes_to_the_column_whose_text_still_wraps():
    """
    60 mm for three columns: the rank's line and the source keep their own width, the label
    (two lines at least, beside the value and its rank) takes what is left, not a share.
    """
    least = atlas_module._least_width
    headers = ["Ledger", "Communities", "Source"]
    rows = [["2023 ledger projects (started)", "1\ntied rank 2 of 5 (4 tied)", "[3]"]]
    label, value, source = atlas_module._fit_widths(headers, rows, total=60.0)
    assert value == pytest.approx(least(rows[0][1], 2, False), abs=0.01)
    assert source == pytest.approx(least("Source", 1, True), abs=0.01)
    assert label == pytest.approx(60.0 - value - source)
    assert least(rows[0][0], 2, False) < label < least(rows[0][0], 1, False)
    assert len(atlas_module._cell_lines(rows[0], [label, value, source])[0]) == 2


@pytest.mark.parametrize("bold", [False, True], ids=["regular", "bold"])
def test_text_is_measured_as_the_font_draws_it(bold):
    """English measured at a flat 0.56 em a letter wrapped 28% early ('the data cover…')."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    family = atlas_module._font_family()
    figure = Figure(dpi=720)
    renderer = FigureCanvasAgg(figure).get_renderer()
    prop = atlas_module._font(family, 10, "bold" if bold else "normal")
    for text in ["the data cover only part of the district", "TACTILE PAVING 28,520,000 CNY",
                 "卫滨区 3279 户（第 31 行）", "rank 1 of 3 (2 tied)"]:  # fmt: skip
        drawn = figure.text(0, 0, text, fontproperties=prop).get_window_extent(renderer)
        width_pt = drawn.width / figure.dpi * 72
        assert atlas_module._width_em(text, bold=bold) * 10 == pytest.approx(width_pt, rel=0.01)


def test_a_map_keys_the_data_extent_only_where_it_draws_it(pages):
    """卫滨区 is partly covered by the survey: both keys; 新乡县 not at all: no 'covered' key."""
    assert "设施数据覆盖范围" in pages[1] and "暂无数据" in pages[1]
    assert "设施数据覆盖范围" not in pages[2]


def _key_box_on_map(page, ax):
    """The key as drawn, in the map's data units (metres), shrunk by the key's tolerance."""
    import shapely

    page.figure.draw_without_rendering()
    renderer = page.figure._get_renderer()
    extent = ax.get_legend().get_window_extent(renderer)
    (x0, y0), (x1, y1) = ax.transData.inverted().transform(extent.get_points())
    shrink = atlas_module._KEY_TOLERANCE_MM * page.figure.dpi / 25.4  # pixels
    per_px = (x1 - x0) / extent.width
    return shapely.box(x0, y0, x1, y1).buffer(-shrink * per_px, join_style="mitre"), extent


def _drawn_district(made, layers, adcode):
    """What a district's map draws that its key must not cover: its outline, its communities."""
    import numpy as np

    own = layers.outlines.loc[layers.outlines["adcode"] == adcode, "geometry"].to_numpy()
    points = made.projects[made.projects["adcode"] == adcode].to_crs(layers.crs).geometry
    return np.concatenate([own, points.to_numpy()])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_district_s_key_covers_neither_its_outline_nor_its_communities(lang):
    """
    Every 新乡 district at the smallest, a middling and the largest map: the key sits beside
    the map, in a corner it leaves empty, or beside a narrowed map; never over the district.
    """
    import shapely
    from matplotlib import rc_context

    made = xinxiang(())
    family = atlas_module._font_family()
    layers = atlas_module._CityLayers(made, "新乡市")
    places = made.places[made.places["has_outline"].astype(bool)]
    seen = set()
    for adcode in places["adcode"]:
        for height in (60.0, 90.0, 125.0):
            page = atlas_module._Page(None, family)  # type: ignore[arg-type]  # never saved
            with rc_context({"font.family": [family]}):
                ax, place = atlas_module._map_axes(page, layers, adcode, height, lang)
                key, extent = _key_box_on_map(page, ax)
            drawn = _drawn_district(made, layers, adcode)
            assert not shapely.intersects(key, drawn).any(), (adcode, height, place)
            sheet = page.figure.bbox
            margin = atlas_module._MARGIN_MM / atlas_module._A4_MM[0] * sheet.width
            assert sheet.x0 + margin - 1 <= extent.x0 and extent.x1 <= sheet.x1 - margin + 1
            seen.add(place.where)
    # The districts exercise every placement: 牧野区 at 90 mm leaves its upper left empty,
    # 原阳县 at 125 mm its lower left; 红旗区 at 125 mm fills the width and both corners.
    assert seen == {"beside", "lower left", "upper left", "narrowed"}, seen


def test_a_wide_district_s_key_goes_beside_its_map_when_the_page_s_width_holds_both():
    """牧野区 at 70 mm leaves 40 mm of the width: the map moves left, its key beside it."""
    from matplotlib import rc_context

    made = xinxiang(("牧野区",))
    family = atlas_module._font_family()
    page = atlas_module._Page(None, family)  # type: ignore[arg-type]
    layers = atlas_module._CityLayers(made, "新乡市")
    with rc_context({"font.family": [family]}):
        ax, place = atlas_module._map_axes(page, layers, "410711", 70.0, "en")
        page.figure.draw_without_rendering()
        renderer = page.figure._get_renderer()
        key, box = ax.get_legend().get_window_extent(renderer), ax.get_window_extent(renderer)
    assert place.where == "beside"
    assert key.x0 >= box.x1  # right of the map as drawn
    assert not ax.get_legend().get_frame_on()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_cover_s_legend_covers_no_district(lang):
    """The 新乡 cover's legend sat over 获嘉县 and 原阳县 in the map's lower-left corner."""
    import shapely
    from matplotlib import rc_context

    made = xinxiang(())
    atlas = atlas_module._Atlas(made, None, figure="households", today=TODAY, lang=lang)  # type: ignore[arg-type]
    outlines = made.outlines.to_crs(atlas.city_layers["新乡市"].crs).geometry.to_numpy()
    for height in (90.0, 120.0, 150.0):  # the cover's map is between 90 and 150 mm tall
        page = atlas.page()
        page.y = 30.0
        with rc_context({"font.family": [atlas.family]}):
            _caption, place = atlas.cover_map(page, made.colour_items("households"), height)
            key, _extent = _key_box_on_map(page, page.figure.axes[0])
        covered = made.outlines["district"][shapely.intersects(key, outlines)].tolist()
        assert covered == [], (height, covered, place)


def test_the_north_label_stands_on_white_so_an_outline_does_not_run_through_it():
    page = atlas_module._Page(None, atlas_module._font_family())  # type: ignore[arg-type]
    ax = page.axes(20.0, 60.0)
    atlas_module._furniture(ax, "en")
    (north,) = [t for t in ax.texts if t.get_text() == "N"]
    patch = north.get_bbox_patch()
    assert patch is not None and patch.get_facecolor()[:3] == (1.0, 1.0, 1.0)


def test_the_cover_s_district_names_stand_on_a_white_halo():
    """牧野区's name sits on the darkest class (6,205 户): black on dark red needs a halo."""
    made = xinxiang(())
    atlas = atlas_module._Atlas(made, None, figure="households", today=TODAY, lang="zh")  # type: ignore[arg-type]
    page = atlas.page()
    atlas.cover_map(page, made.colour_items("households"), 120.0)
    ax = page.figure.axes[0]
    halo, name = [t for t in ax.texts if t.get_text() == "牧野区"]
    (stroke,) = halo.get_path_effects()
    assert stroke._gc["foreground"] == "white"
    assert name.get_path_effects() == []  # the name on top stays real text
    cover = PdfReader(io.BytesIO(atlas_pdf(made, today=TODAY))).pages[0]
    assert "".join(cover.extract_text().split()).count("牧野区") == 2  # the map, the contents


@pytest.mark.parametrize(
    ("lang", "said"),
    [("zh", "无障碍设施：暂无数据（没有覆盖焦作市所列区县的设施调查）"),
     ("en", "Accessibility: no data yet (no survey loaded covers the districts of 焦作市 in "
            "this atlas)")],
)  # fmt: skip
def test_a_survey_covering_none_of_the_atlas_s_districts_is_not_cited_as_its_source(lang, said):
    """新乡's survey, loaded for the 焦作 atlas: true of what was loaded, no source of 焦作's."""
    made = report.gather_report(
        load_figures(),
        Selection(cities=("焦作市",), districts=("解放区", "山阳区")),
        infra=example_survey(),
        infra_source=report.DataSource(SURVEY.name, synthetic=True),
    )
    data = atlas_pdf(made, today=TODAY, lang=lang)
    text = " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    assert "synthetic-survey-xinxiang" not in text
    assert said.replace(" ", "") in text.replace(" ", "")


def test_a_survey_covering_a_district_of_the_atlas_is_its_source(pages):
    assert "无障碍设施：文件synthetic-survey-xinxiang.geojson" in pages[0]
    assert "没有覆盖" not in pages[0]
