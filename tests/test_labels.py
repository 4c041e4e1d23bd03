"""Tests for layers/labels.py and its catalogue: both languages, the same placeholders, every
key the code asks for present, and a clear error for one that is missing."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from geo import (
    _osm,
    _worker,
    compare,
    coverage,
    documents,
    errors,
    figure_table,
    figures,
    infra,
    network,
    reconcile,
    records,
)
from layers import basemaps, choropleth, tables
from layers._catalogue import LABELS
from layers.labels import LANGS, label, measure_name
from store.schema import ROLES

REPO = Path(__file__).resolve().parent.parent
SOURCES = [
    REPO / "app.py",
    REPO / "cli.py",
    *REPO.glob("app_pages/*.py"),
    *REPO.glob("layers/*.py"),
]
# label("key", ...) and label('key', ...) with a literal key.
LITERAL = re.compile(r"""\blabel\(\s*["']([a-z0-9_]+)["']""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _keys_in_code() -> set[str]:
    return {key for path in SOURCES for key in LITERAL.findall(path.read_text(encoding="utf-8"))}


def _keys_built_from_names() -> set[str]:
    """The keys the code builds from a code (f"reason_{status}"), for every code it can meet."""
    keys = {f"reason_{s}" for s in coverage.STATUSES if s != "ok"}
    keys |= {f"infra_{t}" for t in infra.FEATURE_TYPES}
    keys |= {f"nearest_{t}" for t in coverage.DISTANCE_TYPES}
    keys |= {f"metric_{m}" for m in coverage.MEASURES}
    keys |= {f"result_{r}" for r in reconcile.RESULTS}
    keys |= {f"datum_{d}" for d in ("wgs84", "cgcs2000", "gcj02", "bd09")}
    keys |= {f"basemap_{b or 'none'}" for b in basemaps.BASEMAPS}
    keys |= {f"kind_{k}" for k in ("osm", "survey")}
    keys |= {f"level_{v}" for v in ("city", "district", "zone")}
    keys |= {f"fix_{f}" for f in errors.FIXES}
    keys |= set(figures.STATUSES) | set(records.STATUSES)  # shown as label(status)
    keys |= {f"role_{r}" for r in ROLES}
    # Added for issue 18: every code a table or the map writes as a word.
    keys |= {f"tag_{t}" for t in records.CONTENT_TAGS}
    keys |= {f"qreason_{r}" for r in {*records.REASONS, *infra.REASONS, *figure_table.REASONS}}
    keys |= {"qreason_out_of_scope"}  # the workspace's, for rows outside an account's scope
    keys |= {f"result_name_{r}" for r in reconcile.RESULTS}
    keys |= {f"reconcile_by_{b}" for b in reconcile.BY}
    keys |= {f"scheme_{s}" for s in choropleth.SCHEMES}
    keys |= {f"relative_{r}" for r in compare.RELATIVE}
    keys |= {f"reason_{s}" for s in compare.STATUSES if s != "ok"}
    keys |= {f"qualifier_{q}" for q in ("exact", "at_least")}
    keys |= {f"located_{v}" for v in ("point", "district", "zone")}
    keys |= {f"level_{v}" for v in ("urban_area",)}
    keys |= {f"error_{c}" for c in ("no_datum", "no_datum_hint", "unknown_datum")}
    # What a document, an OSM extract or a network file may cost (issue 29).
    keys |= {f"error_{c}" for c in (*documents.ERROR_CODES, *_worker.ERROR_CODES)}
    keys |= {f"error_{c}" for c in (*_osm.ERROR_CODES, *network.ERROR_CODES)}
    keys |= {"error_document_figures"}
    return keys | set(tables._HEADERS.values())  # table headers by column


def test_every_entry_has_both_languages_with_the_same_placeholders():
    for key, texts in LABELS.items():
        assert set(texts) == set(LANGS), key
        assert all(texts[lang].strip() for lang in LANGS), key
        assert _placeholders(texts["zh"]) == _placeholders(texts["en"]), key


def test_every_key_the_code_uses_is_in_the_catalogue():
    used = _keys_in_code()
    assert len(used) > 150  # the scan found the calls, not nothing
    missing = sorted((used | _keys_built_from_names()) - set(LABELS))
    assert missing == []


def test_every_measure_has_a_name_in_both_languages():
    for key in coverage.measure_keys((300, 500)):
        for lang in LANGS:
            assert measure_name(key, lang)


def test_a_missing_key_names_itself_and_the_catalogue():
    with pytest.raises(KeyError, match=r"'no_such_key'.*layers/_catalogue.py"):
        label("no_such_key")
    with pytest.raises(ValueError, match="Expected lang to be one of"):
        label("title", "fr")


def test_a_missing_qualifier_reads_as_nothing():
    import pandas as pd

    from layers.labels import qualifier_text

    assert [qualifier_text(q) for q in (pd.NA, None, float("nan"), "exact")] == [""] * 4
    assert qualifier_text("approx", "en") == " (about)"


@pytest.mark.parametrize(
    ("value", "unit", "zh", "en"),
    [
        (22149, "households", "2.21 万户", "22,149 households"),  # not 2.2149 万户
        (42000, "households", "4.2 万户", "42,000 households"),
        (11250, "households", "1.13 万户", "11,250 households"),  # half up, as toFixed
        (3279, "households", "3,279 户", "3,279 households"),
        (1_800_000_000, "cny", "18 亿元", "1,800,000,000 CNY"),
        (102100, "m2", "10.21 万 m²", "102,100 m²"),
        (57.9842, "percent", "58%", "58%"),
        (float("nan"), "km", "无数据", "No data"),
    ],
)
def test_figures_read_as_reports_write_them(value, unit, zh, en):
    from layers.labels import format_value

    assert (format_value(value, unit, "zh"), format_value(value, unit, "en")) == (zh, en)


def test_a_legend_writes_every_class_in_one_unit():
    from layers.labels import class_texts

    # The map once read "6,205 户 – 4.2 万户": now 万 only when every class reaches it.
    assert class_texts([(117, 292), (1354, 3843), (6205, 42000)], "households") == (
        "户",
        ["117 – 292", "1,354 – 3,843", "6,205 – 42,000"],
    )
    assert class_texts([(42000, 42000), (126000, 189800)], "households") == (
        "万户",
        ["4.2", "12.6 – 18.98"],
    )
    assert class_texts([(1.0, 2.0), None], "count", "en") == ("", ["1 – 2", "—"])


@pytest.mark.parametrize(
    ("period", "english"),
    [
        ("2023年", "2023"),
        ("2019年至2022年", "2019–2022"),
        ("2019-2023年", "2019–2023"),
        ("2021年以来", "since 2021"),
        ("截至目前", "to date"),
        ("", "period not stated"),
        (None, "period not stated"),
    ],
)
def test_periods_are_english_in_english(period, english):
    from layers.labels import period_text

    assert period_text(period, "en") == english
    assert period_text(period, "zh") == (period or "未注明时期")


def test_sources_and_scopes_lose_their_chinese_stock_words_in_english():
    from layers.labels import place_text, source_words, tags_text

    line = "x号 · 未注明 · 未注明日期 · 003.txt:5 | y号 · 新乡市 · 2023-02-07 · a.txt:1"
    assert source_words(line, "en") == (
        "x号 · not stated · undated · 003.txt:5 | y号 · 新乡市 · 2023-02-07 · a.txt:1"
    )
    assert source_words(line, "zh") == line
    assert (place_text("主城区", "en"), place_text("全市", "en")) == (
        "main urban area",
        "city-wide",
    )
    assert tags_text("facade|pipes|外墙保温层", "zh") == "外墙、管网、外墙保温层"
    assert tags_text("facade|pipes|外墙保温层", "en") == "Facades, Pipes and networks, 外墙保温层"


def test_a_datum_error_is_written_in_the_interfaces_language():
    from geo.errors import InputError
    from layers.labels import error_text

    hinted = InputError(
        "Expected a declared datum ...",
        fix="datum",
        code="no_datum_hint",
        details={"best": "gcj02", "tally": "wgs84 0/5, gcj02 5/5, bd09 0/5"},
    )
    zh = error_text(hinted, "zh")
    assert zh.startswith("坐标未声明坐标系，未做任何转换。提示（未采用）：按 gcj02 读取时")
    assert "--crs" not in zh and "Expected" not in zh
    assert zh.endswith("请在上传框下方的“坐标系”中选择数据的坐标系。")
    assert error_text(hinted, "en").startswith("The coordinates have no declared datum")
    # A datum error geo has no words for is still introduced in Chinese, its detail kept.
    other = InputError("OSM data is always WGS84; got the datum 'bd09'.", fix="datum")
    assert error_text(other, "zh").startswith("坐标系有误或未声明（OSM data is always WGS84")


def test_network_shares_are_named_with_their_profile():
    assert measure_name("households_within_500m_curb_ramp_wheelchair") == (
        "沿路网轮椅通行 500 米内有缘石坡道的户数占比"
    )
    assert measure_name("households_within_300m_accessible_bus_stop_walk", "en") == (
        "Share of households within 300 m on foot along the network of the nearest "
        "accessible bus stop"
    )


def _refusals(tmp_path) -> list[Exception]:
    """One real refusal of each cap on what a file may cost (issue 29)."""
    import hostile_files

    from geo.documents import read_document

    found = []
    for data, name in [
        (b"1\n" * 100_001, "lines.txt"),
        (b"1" * 10_001, "line.txt"),
        (("改" * 9_999 + "\n").encode() * 201, "chars.txt"),
        (hostile_files.pdf_deep_tree(120), "deep.pdf"),
        (hostile_files.pdf_cyclic_tree(), "cycle.pdf"),
        (hostile_files.pdf_pages([b" " * 17_000_000]), "stream.pdf"),
        (hostile_files.pdf_pages([b" " * 10_000_000] * 7, shared=True), "pages.pdf"),
    ]:
        with pytest.raises(errors.InputError) as error:
            read_document(data, name=name)
        found.append(error.value)
    path = hostile_files.long_way_pbf(tmp_path / "long.osm.pbf", 2_001)
    with pytest.raises(errors.InputError) as error:
        network.build_network(path, use_cache=False)
    found.append(error.value)
    found += [
        _worker._timeout("a.pdf", 120),
        _worker._out_of_memory("a.pdf", 2**30),
        _worker._stopped("a.pdf", -9),
        _osm._too_many_refs("a.osm.pbf", 1_000_000),
        _osm.negative_ids("a.osm", -5),
    ]
    return found


def test_every_cost_refusal_is_worded_in_both_languages(tmp_path):
    from layers.labels import error_text

    refusals = _refusals(tmp_path)
    assert len({e.code for e in refusals}) == len(refusals)
    for refusal in refusals:
        zh, en = error_text(refusal, "zh"), error_text(refusal, "en")
        assert "Expected" not in zh and not re.search(r"[\u4e00-\u9fff]", en), refusal.code
        for value in refusal.details.values():
            assert value in zh and value in en, (refusal.code, value)
