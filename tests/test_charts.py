"""Tests of layers/charts.py: no-data places get no bar, and names stay data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from layers import charts, wording

HOSTILE = '<img src=x onerror="alert(1)">区'


def _rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "adcode": ["1", "2", "3"],
            "place": ["一区", HOSTILE, "三区"],
            "city": "甲市",
            "tier": "district",
            "metric": "households",
            "value": [100.0, np.nan, 40.0],
            "unit": "households",
            "status": ["ok", "no_figure", "partial_extent"],
            "qualifier": ["exact", pd.NA, pd.NA],
            "period_label": ["2023年", pd.NA, pd.NA],
            "source": ["甲建〔2023〕1号 · seed.txt:31", pd.NA, "survey.geojson"],
            "rank": pd.array([1, None, None], dtype="Int64"),
            "n_ranked": pd.array([1, None, None], dtype="Int64"),
            "city_mean": [100.0, 100.0, 100.0],
            "city_mean_n": pd.array([1, 1, 1], dtype="Int64"),
            "city_places_n": pd.array([3, 3, 3], dtype="Int64"),
        }
    )


def _layer_values(spec: dict) -> list[list[dict]]:
    datasets = spec["datasets"]
    return [datasets[layer["data"]["name"]] for layer in spec["layer"]]


def test_only_complete_values_get_a_bar():
    rows = _rows().assign(label=lambda f: wording.place_labels(f))
    spec = charts.compare_chart(rows, metric_name="户数").to_dict()
    bars = _layer_values(spec)[0]
    assert spec["layer"][0]["mark"]["type"] == "bar"
    assert [b["label"] for b in bars] == ["一区"]  # the partial and the missing get no bar
    texts = [v for layer in _layer_values(spec) for v in layer if v.get("value") is None]
    missing = {v["label"]: v["text"] for v in texts if "text" in v}
    assert missing[HOSTILE] == "数据不足：文件未上报此项（无数据，不是零）"
    assert missing["三区"].startswith("40 户（不少于）")
    assert "数据不足" in missing["三区"]


def test_names_and_sources_are_data_not_expressions():
    rows = _rows().assign(label=lambda f: wording.place_labels(f))
    spec = charts.compare_chart(rows, metric_name="户数").to_dict()
    for layer in spec["layer"]:
        # The y order lists the names as values; nothing else outside the data names them.
        assert layer["encoding"]["y"]["sort"] == ["一区", HOSTILE, "三区"]
        layer["encoding"]["y"].pop("sort")
    text = json.dumps({k: v for k, v in spec.items() if k != "datasets"}, ensure_ascii=False)
    assert "onerror" not in text
    assert "transform" not in text and "expr" not in text
    values = [v for layer in _layer_values(spec) for v in layer]
    assert any(v.get("label") == HOSTILE for v in values)


def test_place_labels_name_the_city_where_names_clash():
    places = pd.DataFrame(
        {
            "place": ["鼓楼区", "鼓楼区", "开封市"],
            "city": ["开封市", "南京市", "开封市"],
            "tier": ["district", "district", "city"],
        }
    )
    assert wording.place_labels(places).tolist() == [
        "开封市 鼓楼区",
        "南京市 鼓楼区",
        "开封市（全市）",
    ]
    assert wording.place_labels(places, "en").tolist()[2] == "开封市 (city-wide)"


def test_period_chart_keeps_each_place_colour_across_charts():
    rows = pd.DataFrame(
        {
            "label": ["一区", "二区"],
            "period_label": ["2022年", "2023年"],
            "period_start": [2022, 2023],
            "period_end": [2022, 2023],
            "batch": [pd.NA, "第一批"],
            "value": [10.0, 20.0],
            "unit": "households",
            "status": ["ok", "ok"],
            "figure_status": [pd.NA, pd.NA],
            "source": ["a", "b"],
        }
    )
    spec = charts.period_chart(rows, places=["二区", "一区", "三区"]).to_dict()
    assert spec["encoding"]["color"]["scale"]["domain"] == ["二区", "一区", "三区"]
    periods = [v["period"] for v in next(iter(spec["datasets"].values()))]
    assert periods == ["2022年", "2023年 第一批"]


def test_value_text_marks_partial_and_missing():
    assert wording.value_text({"value": 57.98421, "unit": "percent", "status": "ok"}) == "58%"
    assert wording.value_text({"value": np.nan, "unit": "count", "status": "outside_extent"}) == (
        "数据不足：本区不在数据范围内"
    )
    assert wording.reason_text("unheard_of") == "数据不足：unheard_of"


@pytest.mark.parametrize(
    ("unit", "lang", "title"),
    [
        ("count_per_household", "zh", "楼栋 · 每户（个/户）"),
        ("km_per_household", "zh", "楼栋 · 每户（千米/户）"),
        ("m2_per_household", "en", "楼栋 · 每户 (m² per household)"),
    ],
)
def test_an_axis_names_its_unit_in_words(unit, lang, title):
    assert charts._axis_title("楼栋 · 每户", unit, lang) == title


def test_a_bars_source_cites_the_documents_line_in_the_interfaces_language():
    rows = _rows().assign(label=lambda f: wording.place_labels(f))
    for lang, line in (("zh", "第 31 行"), ("en", "line 31")):
        spec = charts.compare_chart(rows, metric_name="households", lang=lang).to_dict()
        sources = {v.get("source") for layer in _layer_values(spec) for v in layer}
        assert f"甲建〔2023〕1号 · {line}" in sources
        assert not any(".txt:" in s for s in sources if s)


def test_an_axis_does_not_repeat_a_unit_its_metric_name_ends_in():
    rows = _rows().assign(label=lambda f: wording.place_labels(f))
    spec = charts.compare_chart(rows, metric_name="Ledger: households", lang="en").to_dict()
    titles = json.dumps(spec, ensure_ascii=False)
    assert '"title": "Ledger: households"' in titles and "(households)" not in titles
    spec = charts.compare_chart(rows, metric_name="户数", lang="zh").to_dict()
    assert '"title": "户数（户）"' in json.dumps(spec, ensure_ascii=False)
