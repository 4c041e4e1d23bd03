"""Tests for tests/_screen.py: the checker finds each kind of word a planner should not see."""

from __future__ import annotations

import pytest
from _screen import Shown, screen_problems, screen_texts
from streamlit.testing.v1 import AppTest


@pytest.mark.parametrize(
    ("lang", "text", "finding"),
    [
        ("zh", "不同项：households", "English in the Chinese interface ['households']"),
        ("zh", "floor_area_m2", "code 'floor_area_m2'"),
        ("en", "rows 3、30 differ", "Chinese in the English interface ['、']"),
        ("en", "Point 不能作为该类设施的几何", "Chinese in the English interface"),
        ("en", "None", "missing value 'None'"),
        ("en", "area: nan", "missing value 'nan'"),
        ("en", "{'kind': 'ledger'}", "Python repr"),
        ("en", "2026-12-06T05:02:33Z", "UTC/ISO time"),
        ("zh", "数值 1240000000", "bare number '1240000000'"),
    ],
)
def test_each_kind_of_finding(lang, text, finding):
    (problem,) = screen_problems([Shown("cell", text)], lang)
    assert finding in problem


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("zh", "下载 GeoJSON（WGS84，GCJ-02）、CSV、XLSX；200 MB"),
        ("zh", "台账 synthetic-ledger-xinxiang.csv：23 个小区"),  # a file name is the planner's
        ("zh", "不走 wheelchair=no 的路段"),  # an OSM tag, in OSM's words
        ("zh", "SHA-256 88ebcf9c0bf8…"),
        ("en", "新乡市 · districts + zones summed · 2023 plan"),  # a place name
        ("en", "None (offline)"),
        ("en", "22,149 households"),
    ],
)
def test_what_may_stand_in_either_interface(lang, text):
    assert screen_problems([Shown("cell", text)], lang, data={"新乡市"}) == []


def test_the_planners_own_data_may_be_in_either_language():
    shown = [Shown("cell", "幸东小区 · 卫滨区"), Shown("cell", "status: synthetic")]
    assert screen_problems(shown[:1], "en", data={"幸东小区", "卫滨区"}) == []
    assert screen_problems(shown[1:], "zh", data={"synthetic"}) != []  # "status" is no data


def _page():
    import pandas as pd
    import streamlit as st

    frame = pd.DataFrame({"decision": ["accept"], "n": [None], "value": [2139100]})
    st.dataframe(
        frame,
        column_config={
            "decision": st.column_config.SelectboxColumn(
                "采用", options=["accept"], format_func=lambda d: "采用"
            ),
            "value": st.column_config.NumberColumn("数值", format="localized"),
        },
    )
    st.multiselect("区县", [], key="none_to_choose")
    st.selectbox("语言 Language", ["zh", "en"], key="lang")


def test_screen_texts_reads_tables_as_the_grid_shows_them_and_widgets_placeholders():
    at = AppTest.from_function(_page).run()
    shown = {(s.where, s.text) for s in screen_texts(at)}
    assert ("dataframe[0] header", "采用") in shown  # the column_config label, not "decision"
    assert ("dataframe[0] cell of 'decision'", "采用") in shown  # the option's name
    assert ("dataframe[0] header", "n") in shown and ("dataframe[0] cell of 'n'", "None") in shown
    assert not any("2139100" in text for _, text in shown)  # formatted by its column
    problems = screen_problems(screen_texts(at), "zh")
    assert problems == [
        "dataframe[0] header: English in the Chinese interface ['n']: 'n'",
        "dataframe[0] cell of 'n': missing value 'None': 'None'",
        "multiselect[0] placeholder: Streamlit's own placeholder (English): "
        '"Streamlit\'s own placeholder (English)"',
    ]  # and nothing of the language switch, bilingual on purpose


def _escaped_page():
    import streamlit as st

    from layers._html import esc_md

    st.caption(esc_md("台账 synthetic-ledger.csv · UTF-8"))
    st.button(f"查看 {esc_md('xinxiang-2023@2')}")
    st.text("a\\-b")  # plain text: its backslash is shown


def test_escaped_markdown_is_read_as_the_reader_sees_it():
    # The pages escape every user value's punctuation (synthetic\-ledger\.csv); the screen
    # shows the marks, not the backslashes, and the data's words are the planner's.
    at = AppTest.from_function(_escaped_page).run()
    texts = [s.text for s in screen_texts(at)]
    assert texts == ["台账 synthetic-ledger.csv · UTF-8", "查看 xinxiang-2023@2", "a\\-b"]
    data = {"synthetic-ledger.csv", "xinxiang-2023"}
    assert screen_problems(screen_texts(at)[:2], "zh", data=data) == []
