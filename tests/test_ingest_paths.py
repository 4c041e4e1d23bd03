"""
The ingest's fast paths give the plain way's answers: a CSV split by Arrow's reader against
:mod:`csv`, row by row and cell by cell; the datum note's shortcut against reading every
point again (:func:`geo.records._datum_suspicions`). Speed is measured in bench/ (``ledger``,
``national``), never here.
"""

from __future__ import annotations

import csv
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from geo import boundaries, crs, gazetteer, records
from geo.io import sheets as _sheets

# --- a CSV by column (Arrow) against csv, row by row ------------------------------------------


def _by_csv(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(_sheets._lines(text), delimiter=delimiter))


def _frames_equal(header: list[str], body_a, body_b) -> None:
    """text_frame of both readings' bodies: the same cells, ragged and blank rows."""
    frame_a, ragged_a, blank_a = _sheets.text_frame(body_a, header)
    frame_b, ragged_b, blank_b = _sheets.text_frame(body_b, header)
    assert_frame_equal(frame_a, frame_b, check_exact=True)
    assert np.array_equal(ragged_a, ragged_b)
    assert np.array_equal(blank_a, blank_b)


# Every space but the line breaks csv knows (those end records, drawn apart below).
_SPACES = _sheets.SPACE.replace("\r", "").replace("\n", "")
# Cells of what a hostile or sloppy file holds: separators, every kind of space, line breaks
# csv does not know (\v, \x85, \u2028), words pandas or Arrow might read as missing.
_CELL = st.one_of(
    st.sampled_from(["", "NA", "null", "NaN", "N/A", "-", "0", "新乡市", "1.5", "#", "'"]),
    st.text(alphabet=[*_SPACES, "a", "中", "，", ";", "|", "\t", "'"], max_size=4),
)
_ROW = st.lists(_CELL, min_size=0, max_size=5)


@st.composite
def _rows(draw) -> list[list[str]]:
    """Mostly rows as wide as the first (Arrow's case), now and then a short, long or empty one."""
    width = draw(st.integers(min_value=1, max_value=5))
    even = st.lists(_CELL, min_size=width, max_size=width)
    return draw(st.lists(st.one_of(even, even, even, _ROW), min_size=1, max_size=12))


@settings(max_examples=400, deadline=None)
@given(
    rows=_rows(),
    delimiter=st.sampled_from([",", "\t", ";", "|"]),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
    last=st.booleans(),
)
def test_arrow_split_equals_csv_or_declines(rows, delimiter, ending, last):
    text = ending.join(delimiter.join(c.replace(delimiter, "") for c in r) for r in rows)
    text += ending if last else ""
    by_column = _sheets._arrow_rows(text, delimiter)
    plain = _by_csv(text, delimiter)
    if by_column is None:
        return  # the caller reads it with csv: nothing to compare
    assert [by_column[i] for i in range(len(by_column))] == plain
    assert list(by_column) == plain
    header = _sheets.unique_headers(plain[0])
    _frames_equal(header, by_column[1:], plain[1:])


def test_arrow_split_declines_what_csv_reads_otherwise():
    for text in (
        'a,b\n"x,y",z\n',  # quotes: csv and Arrow differ on malformed ones, never tried
        "a,b\n\nc,d\n",  # a blank line is a row of no cells to csv
        "a,b\nc,d,e\n",  # a long row
        "a,b\nc\n",  # a short row
        "a\nb\n",  # one column: a blank line would read as one empty cell
        "",
        "a,b\n" + "x" * (csv.field_size_limit() + 1) + ",y\n",  # past csv's field limit
    ):
        assert _sheets._arrow_rows(text, ",") is None, text[:40]


def test_arrow_split_keeps_spaces_missing_words_and_blank_rows():
    text = "名称,户数\r\n NA ,\u3000\r\n,\r\n\u3000, \t\r\nnull,0\r\n"
    by_column = _sheets._arrow_rows(text, ",")
    assert by_column is not None
    assert list(by_column) == _by_csv(text, ",")
    frame, ragged, blank = _sheets.text_frame(by_column[1:], ["名称", "户数"])
    assert frame["名称"].tolist() == [" NA ", "", "\u3000", "null"]
    assert frame["名称"].dtype == pd.StringDtype("pyarrow")
    assert blank.tolist() == [False, True, True, False]
    assert not ragged.any()


def test_space_is_every_character_str_strip_removes():
    assert set(_sheets.SPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}


def test_read_rows_gives_the_same_table_by_column_as_by_csv(monkeypatch):
    data = "\ufeff标题,,\n小区名称,经度,纬度\n甲, 113.9 ,35.3\n\u3000,,\n乙,113.8,35.2\n".encode()
    fast = _sheets.read_rows(data, name="a.csv")
    assert isinstance(fast.rows, _sheets.ColumnRows)
    monkeypatch.setattr(_sheets, "_arrow_rows", lambda text, delimiter: None)
    plain = _sheets.read_rows(data, name="a.csv")
    assert list(fast.rows) == plain.rows
    assert (fast.numbers, fast.broken, fast.encoding) == (plain.numbers, plain.broken, "utf-8-sig")
    (header, body, numbers, _, _), plain_parts = (_sheets.table_body(t, 1) for t in (fast, plain))
    assert isinstance(body, _sheets.ColumnRows)
    assert header == plain_parts[0]
    assert np.array_equal(numbers, plain_parts[2])
    _frames_equal(header, body, plain_parts[1])


# --- the datum note: read again in other datums only when a note is possible -------------

# Amap points of 卫滨区, Xinxiang: the first three by its border with 红旗区 (they fall there
# read as WGS84), the last two well inside.
_AMAP_WEIBIN = [
    (113.8687, 35.3017),
    (113.8687, 35.3021),
    (113.8690, 35.3014),
    (113.856585, 35.278208),
    (113.872870, 35.247795),
]
_HEADER = ["小区名称", "所属区县", "所属城市", "改造年度", "户数", "楼栋数", "经度", "纬度"]


def _read_points(points, datum: str) -> records.Ledger:
    lines = [",".join(_HEADER)]
    lines += [f"小区{i},卫滨区,新乡,2023,80,2,{x:.6f},{y:.6f}" for i, (x, y) in enumerate(points)]
    return records.read_ledger("\n".join(lines).encode(), name="t.csv", crs_name=datum)


def _notes_reading_every_point(points, declared: str) -> list[dict[str, object]]:
    """The datum note as its rule says, every point read in every datum (all name 卫滨区)."""
    weibin = gazetteer.resolve_district("卫滨区", city="新乡市").adcode
    lon, lat = np.array(points, dtype="float64").T
    fits = {}
    for datum in (declared, *records._ALTERNATIVES[declared]):
        found = boundaries.assign_districts(*crs.to_wgs84(lon, lat, datum))
        fits[datum] = int((found == weibin).sum())
    top, total = max(fits.values()), len(points)
    gain = top - fits[declared]
    if not (gain >= 2 or (gain >= 1 and top == total)):
        return []
    best = "/".join(d for d, n in fits.items() if n == top)
    return [
        {
            "code": "datum_suspect",
            "declared": declared,
            "best": best,
            "rows": total,
            "fits_declared": fits[declared],
            "fits_best": top,
        }
    ]


@pytest.mark.parametrize("chunk", [1, records._CHUNK])
@pytest.mark.parametrize("datum", ["wgs84", "bd09"])
@pytest.mark.parametrize("subset", [*itertools.combinations(range(5), 3), tuple(range(5))])
def test_datum_notes_equal_those_of_reading_every_point_again(monkeypatch, subset, datum, chunk):
    monkeypatch.setattr(records, "_CHUNK", chunk)
    points = [_AMAP_WEIBIN[i] for i in subset]
    assert _read_points(points, datum).notes == _notes_reading_every_point(points, datum)


def test_one_point_off_that_another_datum_places_gives_the_note():
    # One border point off, two inside: a gain of one that places every point.
    ledger = _read_points([_AMAP_WEIBIN[i] for i in (0, 3, 4)], "wgs84")
    assert [(n["code"], n["fits_declared"], n["fits_best"]) for n in ledger.notes] == [
        ("datum_suspect", 2, 3)
    ]
