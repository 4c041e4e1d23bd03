"""Tests of layers/priorities.py: every rank explained by its parts, ties and gaps said, a map."""

from __future__ import annotations

import io

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import priorities
from layers import priorities as shown
from layers.wording import label
from tests._communities import with_holes


def _ledger(n: int, seed: int):
    """A generated ledger with points, a third of them missing, parts empty at random."""
    return with_holes(n, seed, holes=0.35, points=True)


def _ranked(preset="safety", **drop):
    communities = gpd.GeoDataFrame(
        {
            "name": ["甲<script>", "乙", "丙", "丁"],
            "district": ["卫滨区", "红旗区", "红旗区", None],
            "households": [400, 200, 200, None],
            "built_year": [1980, 2000, 2000, 1990],
            "wheelchair_accessible_bus_stop_m": [100.0, 1500.0, 1500.0, None],
            "consent_share": [0.9, 0.7, 0.7, None],
        },
        geometry=[shapely.Point(113.9, 35.3), None, shapely.Point(113.91, 35.31), None],
        crs="EPSG:4326",
    )
    return priorities.prioritise(communities.drop(columns=list(drop)), preset=preset, year=2026)


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "zh",
            "户数 1.00 × 权重 20%；房龄 1.00 × 权重 50%；无障碍公交站缺口 0.10 × 权重 10%；"
            "居民同意率 0.90 × 权重 10% → 得分 0.89（按有数据的权重 90% 折算）",
        ),
        (
            "en",
            "Households 1.00 × weight 20%; Building age 1.00 × weight 50%; Accessible-stop gap "
            "0.10 × weight 10%; Residents' consent 0.90 × weight 10% → score 0.89 (over the "
            "90% of the weight with data)",
        ),
    ],
)
def test_each_rank_is_explained_by_each_parts_value_and_weight(lang, text):
    ranked = _ranked()
    assert shown.explanations(ranked, priorities.PRESETS["safety"], lang)[0] == text


def test_the_table_names_ties_gaps_and_the_consent_rule():
    ranked = _ranked()
    table = shown.ranked_table(ranked, priorities.PRESETS["safety"], "zh")
    assert table.columns.tolist() == [
        *("名次", "小区", "区县", "户数", "得分（0 至 1）"),
        *("居民同意率", "无数据（不计分）", "得分构成"),
    ]
    assert table["名次"].tolist() == ["1", "2", "3（并列）", "3（并列）"]
    assert table["小区"].tolist() == ["甲<script>", "丁", "乙", "丙"]
    assert table["户数"].tolist() == ["400", "无数据", "200", "200"]
    assert table["区县"].tolist()[1] == "无数据"
    assert table["居民同意率"].tolist() == ["90%", "无数据", "70%（低于 80%）", "70%（低于 80%）"]
    # No row has a life-circle measure: said once (missing_notes), not in every row.
    assert table["无数据（不计分）"].tolist() == ["", "户数、无障碍公交站缺口、居民同意率", "", ""]
    assert shown.ties_text(ranked, "zh") == "得分并列：第 3 名 乙、丙"
    assert shown.ties_text(ranked, "en") == "Tied scores: rank 3: 乙, 丙"
    assert shown.consent_note(ranked, "en").startswith(
        "Candidates with residents' consent below 80%: 2. The plans ask"
    )


@pytest.mark.parametrize(
    ("lang", "cells"),
    [
        ("zh", ["意愿强烈", "同意（达到 80%）", "75%（低于 80%）", "不同意（低于 80%）"]),
        (
            "en",
            ["Strong wish", "Agreed (80 % reached)", "75% (below 80 %)", "Not agreed (below 80 %)"],
        ),
    ],
)
def test_consent_in_words_is_shown_as_its_word_never_as_a_percent_it_did_not_say(lang, cells):
    communities = pd.DataFrame(
        {
            "name": ["甲", "乙", "丙", "丁"],
            "consent_share": pd.array([None, None, 0.75, None], dtype="Float64"),
            "consent_level": pd.array(["strong", "agreed", None, "not_agreed"], dtype="string"),
        }
    )
    ranked = priorities.prioritise(communities, weights={"consent": 1.0})
    table = shown.ranked_table(ranked, {"consent": 1.0}, lang)
    assert table.iloc[:, 5].tolist() == cells


def test_a_part_no_candidate_has_is_said_once_and_only_when_weighed():
    ranked = _ranked(built_year=True)
    weights = priorities.PRESETS["balanced"]
    assert shown.missing_notes(ranked, weights, "zh") == [
        "此台账没有建成年份：房龄不计分。",
        "尚未测算生活圈指标（生活圈页）：生活圈缺项不计分。",
    ]
    assert shown.missing_notes(ranked, {"households": 1.0}, "en") == []
    # Never written as a zero: the age part is absent from every explanation.
    assert not any("房龄" in t for t in shown.explanations(ranked, weights, "zh"))


def test_the_map_draws_the_ranked_points_escaped_and_fitted():
    ranked = _ranked()
    parts = shown.priorities_layers(ranked, lang="zh")
    (drawn,) = [c for c in parts.groups[0]._children.values() if isinstance(c, folium.GeoJson)]
    tips = [f["properties"]["tip"] for f in drawn.data["features"]]
    # 丁 and 乙 have no point: not drawn, still in the table.
    assert tips == ["第 1 名：甲&lt;script&gt;，得分 0.89", "第 3 名：丙，得分 0.61"]
    colours = [f["properties"]["colour"] for f in drawn.data["features"]]
    assert colours == [shown.BAND_COLOURS[0], shown.BAND_COLOURS[1]]  # ranks 1 and 3 of 4
    html = parts.assembled().get_root().render()
    assert "\\u7532<script>" not in html and "\\u6392\\u540d\\u524d" in html  # 排名前三分之一


def test_presets_and_parts_are_worded_in_both_languages():
    for preset in priorities.PRESETS:
        assert shown.preset_name(preset, "zh") != shown.preset_name(preset, "en")
    assert shown.preset_name("safety", "zh") == "安全优先"
    assert shown.preset_name("accessibility", "zh") == "无障碍优先"
    assert shown.preset_name("balanced", "zh") == "均衡"
    assert [shown.part_name(p, "en") for p in priorities.PARTS] == [
        *("Households", "Building age", "Accessible-stop gap"),
        *("Life-circle gaps", "Residents' consent"),
    ]
    assert isinstance(shown.ranked_table(_ranked().iloc[:0], {"age": 1.0}), pd.DataFrame)


def test_the_download_keeps_numbers_as_numbers_and_no_data_empty():
    table = shown.ranked_file(_ranked(), priorities.PRESETS["safety"], "en")
    assert table["Rank"].tolist() == [1, 2, 3, 3]
    assert table["Tied"].tolist() == ["", "", "Tied", "Tied"]
    assert table["Score (0 to 1)"].iloc[0] == pytest.approx(0.8889)
    assert table["Building age (0 to 1)"].iloc[0] == 1.0
    # 丁 has no households: an empty cell, never 0.
    assert pd.isna(table["Households"].iloc[1]) and pd.isna(table["Households (0 to 1)"].iloc[1])
    assert table["How the score is made"].iloc[0].startswith("Households 1.00 × weight 20%")
    assert table["Residents' consent"].tolist() == ["90%", "No data", *["70% (below 80 %)"] * 2]


@pytest.mark.parametrize(
    ("lang", "no_points", "stops"),
    [
        (
            "zh",
            "无障碍公交站缺口不计分：清单中没有一个小区有坐标（经度、纬度），"
            "无法在街道网络上测算。",
            "无障碍公交站缺口不计分：OSM 摘录中没有一个标注轮椅可达（wheelchair=yes）的公交站。",
        ),
        (
            "en",
            "Accessible-stop gap not scored: not one community in the list has a point "
            "(longitude and latitude) to measure on the street network.",
            "Accessible-stop gap not scored: the OSM extract tags not one bus stop as wheelchair "
            "accessible (wheelchair=yes).",
        ),
    ],
)
def test_a_lists_unmeasured_part_says_why_instead_of_pointing_to_another_page(
    lang, no_points, stops
):
    ranked = _ranked("accessibility", wheelchair_accessible_bus_stop_m=True)
    weights = priorities.PRESETS["accessibility"]
    generic = shown.missing_notes(ranked, weights, lang)
    assert label("priorities_missing_access_gap", lang) in generic
    said = shown.missing_notes(ranked, weights, lang, unmeasured={"access_gap": "no_points"})
    assert no_points in said and label("priorities_missing_access_gap", lang) not in said
    said = shown.missing_notes(ranked, weights, lang, unmeasured={"access_gap": "not_in_source"})
    assert stops in said
    # A part with data somewhere is never said unmeasured, whatever the reason given.
    assert not any(
        "公交站" in n or "stop" in n
        for n in shown.missing_notes(
            _ranked("accessibility"), weights, lang, unmeasured={"access_gap": "off_network"}
        )
    )


def test_the_notes_above_the_table_count_say_ties_escaped_and_the_consent_rule():
    ranked = _ranked("balanced")
    ranked["name"] = ranked["name"].replace({"乙": "乙<b>"})
    notes = shown.ranking_notes(ranked, priorities.PRESETS["balanced"], "balanced", "zh")
    kinds = [k for k, _ in notes]
    assert notes[0] == ("caption", "参与排序的小区 4 个；预设：均衡。")
    assert kinds.count("warning") == 2
    assert ("warning", "得分并列：第 3 名 乙\\<b\\>、丙") in notes
    assert ("info", "尚未测算生活圈指标（生活圈页）：生活圈缺项不计分。") in notes


def test_what_a_list_measured_and_read_is_counted_in_words():
    measures = priorities.ListMeasures((), {"access_gap": 2, "life_circle_gap": 1}, {})
    assert shown.list_measured_text(measures, "a_b*.osm", "en").startswith(
        "Measured on the street network of the OSM extract a\\_b\\*\\.osm for"
    )
    none = priorities.ListMeasures((), {"access_gap": 0, "life_circle_gap": 0}, {})
    assert shown.list_measured_text(none, "x.osm") == ""
    # A ledger's candidates: only the parts measured here, each with its count.
    circle = priorities.ListMeasures((), {"access_gap": 0, "life_circle_gap": 1_200}, {})
    assert shown.measured_text(circle, "a_b.osm", "zh", listed=False) == (
        "台账中有坐标的候选小区在 OSM 摘录 a\\_b\\.osm 的街道网络上测算：生活圈缺项 1,200 个"
        "（步行，标准半径）；其余没有数据，不计分。"
    )
    assert shown.measured_text(measures, "x.osm", "en", listed=False) == (
        "Measured on the street network of the OSM extract x\\.osm for the ledger's candidates "
        "with a point: the accessible-stop gap of 2 (wheelchair), the life-circle gaps of 1 "
        "(on foot, standard radii); the others have no data and are not scored."
    )
    assert shown.measured_text(none, "x.osm", listed=False) == ""
    assert shown.measured_text(measures, "x.osm", listed=True) == shown.list_measured_text(
        measures, "x.osm"
    )
    assert (
        shown.list_read_text(1200, 1199, 1, "zh") == "清单共 1,200 行：1,199 行参与排序，1 行隔离。"
    )
    assert shown.unplaced_text(_ranked(), "en") == (
        "Candidates without a point, not drawn (they are in the table): 2."
    )
    assert shown.unplaced_text(_ranked().iloc[[0]], "en") == ""


def test_the_downloads_are_the_cli_file_in_xlsx_and_csv_named_for_the_preset():
    ranked = _ranked("safety")
    weights = priorities.PRESETS["safety"]
    (xlsx, name, data, args), (csv, csv_name, text, csv_args) = shown.ranking_downloads(
        ranked, weights, "safety", "en"
    )
    assert (xlsx, name) == ("Download the ranking (XLSX)", "priorities-safety.xlsx")
    assert data(*args)[:2] == b"PK"
    assert (csv, csv_name) == ("Download the ranking (CSV)", "priorities-safety.csv")
    written = pd.read_csv(io.BytesIO(text(*csv_args)), encoding="utf-8-sig")
    assert (
        written["Community"].tolist()
        == shown.ranked_file(ranked, weights, "en")["Community"].tolist()
    )


def _explained_row_by_row(ranked, weights, lang):
    """How explanations were written before, one row at a time: what they must still say."""
    used = [p for p in priorities.PARTS if weights.get(p, 0) > 0]
    total = sum(weights[p] for p in used)
    texts = []
    for _, row in ranked.iterrows():
        parts, known = [], 0.0
        for part in used:
            value = row[f"part_{part}"]
            if pd.isna(value):
                continue
            known += weights[part]
            parts.append(
                label("priorities_explain_part", lang).format(
                    part=shown.part_name(part, lang),
                    value=f"{value:.2f}",
                    weight=f"{weights[part] / total:.0%}",
                )
            )
        if not parts:
            texts.append(label("priorities_explain_nothing", lang))
            continue
        text = label("priorities_explain_score", lang).format(
            parts=("；" if lang == "zh" else "; ").join(parts), score=f"{row['score']:.2f}"
        )
        if known < total:
            text += label("priorities_explain_partial", lang).format(share=f"{known / total:.0%}")
        texts.append(text)
    return texts


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    "weights",
    [
        *priorities.PRESETS.values(),
        {"households": 0.3, "consent": 0.3},
        {"age": 1.0},
        {"households": 0.0},
    ],
)
def test_explanations_written_part_by_part_equal_the_row_by_row_ones(lang, weights):
    ranked = priorities.prioritise(_ledger(500, 5), weights=weights, year=2026)
    texts = shown.explanations(ranked, weights, lang)
    assert texts == _explained_row_by_row(ranked, weights, lang)
    assert len(set(texts)) > (1 if sum(weights.values()) else 0)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_page_of_the_table_is_those_rows_of_the_whole_table(lang):
    weights = priorities.PRESETS["balanced"]
    ranked = priorities.prioritise(_ledger(300, 8), weights=weights, year=2026)
    whole = shown.ranked_table(ranked, weights, lang)
    page = shown.ranked_table(ranked, weights, lang, rows=slice(100, 200))
    pd.testing.assert_frame_equal(page, whole.iloc[100:200].reset_index(drop=True))
    # A part no row has is said once, whatever the page: not in a page's cells either.
    no_age = ranked.assign(part_age=np.nan)
    cells = shown.ranked_table(no_age, weights, lang, rows=slice(0, 5)).iloc[:, 6]
    assert not any(shown.part_name("age", lang) in c for c in cells)


def test_the_map_draws_the_rows_of_the_page_each_in_its_third_of_the_whole_ranking():
    ranked = priorities.prioritise(_ledger(300, 9), year=2026)
    page = slice(250, 300)
    layers = shown.priorities_layers(ranked, lang="zh", rows=page)
    drawn = [c for g in layers.groups for c in g._children.values()]
    features = next(c for c in drawn if isinstance(c, folium.GeoJson)).data["features"]
    expected = ranked.iloc[page]
    expected = expected[~expected.geometry.isna() & expected["rank"].notna()]
    assert len(features) == len(expected) > 0
    # The last sixth of the whole ranking is in its last third, not spread over three.
    colours = {f["properties"]["colour"] for f in features}
    assert colours == {shown.BAND_COLOURS[2]}


def test_ties_name_the_first_groups_and_names_and_count_the_rest():
    n = 3000
    rows = pd.DataFrame(
        {"name": [f"社区{i}号" for i in range(n)], "households": [61 + i % 40 for i in range(n)]}
    )
    ranked = priorities.prioritise(rows, weights={"households": 1.0}, year=2026)
    groups = ranked[ranked["tied"]].groupby("rank").size()
    assert len(groups) == 40 > shown.TIED_GROUPS
    zh, en = shown.ties_text(ranked, "zh"), shown.ties_text(ranked, "en")
    first = ranked[ranked["rank"] == 1]["name"].tolist()
    assert zh.startswith(f"得分并列：第 1 名 {'、'.join(first[:10])}等 65 个；第 ")
    assert en.startswith(f"Tied scores: rank 1: {', '.join(first[:10])} and 65 more; rank ")
    shown_groups = zh.count("名 ")
    rest = groups.iloc[shown.TIED_GROUPS :]
    assert shown_groups == shown.TIED_GROUPS
    assert zh.endswith(f"；另有 30 组并列，共 {rest.sum():,} 个小区（名次列标出“并列”）")
    assert en.endswith(
        f"; 30 more tied groups, {rest.sum():,} communities (marked tied in the rank column)"
    )
    assert sum(n in zh for n in ranked["name"]) == shown.TIED_GROUPS * shown.TIED_NAMES


@pytest.mark.parametrize(
    ("lang", "column", "every", "ding"),
    [
        (
            "zh",
            "无数据（不计分）",
            "房龄、生活圈缺项、居民同意率",
            "户数、房龄、无障碍公交站缺口、生活圈缺项、居民同意率",
        ),
        (
            "en",
            "No data (not scored)",
            "Building age, Life-circle gaps, Residents' consent",
            "Households, Building age, Accessible-stop gap, Life-circle gaps, Residents' consent",
        ),
    ],
)
def test_the_downloads_name_the_parts_no_row_has_in_every_row(lang, column, every, ding):
    # A ledger without a build-year or a consent column: the page says once that those parts
    # are not scored; a file has no such note, so its every row names them.
    ranked = _ranked("safety", built_year=True, consent_share=True)
    weights = priorities.PRESETS["safety"]
    on_screen = shown.ranked_table(ranked, weights, lang)[column].tolist()
    assert on_screen[:3] == ["", "", ""]
    (_, _, xlsx, _), (_, _, csv, _) = shown.ranking_downloads(ranked, weights, "safety", lang)
    written = pd.read_csv(io.BytesIO(csv()), encoding="utf-8-sig", keep_default_na=False)
    book = pd.read_excel(io.BytesIO(xlsx()), keep_default_na=False)
    assert written[column].tolist() == book[column].tolist() == [every, every, every, ding]


def test_a_preset_puts_its_weights_on_the_sliders_in_whole_percents():
    assert shown.preset_percents("safety") == {
        "households": 20, "age": 50, "access_gap": 10, "life_circle_gap": 10, "consent": 10,
    }  # fmt: skip
    for preset in priorities.PRESETS:
        percents = shown.preset_percents(preset)
        assert list(percents) == list(priorities.PARTS) and sum(percents.values()) == 100


def test_a_page_of_the_ranking_without_a_point_draws_no_map():
    ranked = _ranked()
    placed = ~(ranked.geometry.isna() | ranked.geometry.is_empty).to_numpy()
    first_unplaced = int(np.flatnonzero(~placed)[0])
    assert shown.page_map(ranked, slice(first_unplaced, first_unplaced + 1), "en") is None
    # The whole ranking on one page: a map, and no caption (the map draws it all).
    caption, layers = shown.page_map(ranked, slice(0, len(ranked)), "en")
    assert caption == "" and isinstance(layers, shown.MapLayers)
    first_placed = int(np.flatnonzero(placed)[0])
    caption, _ = shown.page_map(ranked, slice(first_placed, first_placed + 1), "en")
    assert caption.startswith("The map shows the 1 communities with a point on this page")
