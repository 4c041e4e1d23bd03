"""
The ingest's fast paths give the plain way's answers: a CSV split by Arrow's reader against
:mod:`csv`, row by row and cell by cell; the datum note's shortcut against reading every
point again (:func:`geo.records._datum_suspicions`); reconciliation's grouped tables against
a loop over figures and ledger groups (missing years, districts with no rows, repeated
figures, values missing in some rows or all). Speed is measured in bench/ (``ledger``,
``national``), never here.
"""

from __future__ import annotations

import csv
import itertools
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from geo import boundaries, crs, gazetteer, reconcile, records
from geo.dates import period_code
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


# --- reconciliation: the grouped tables against a loop over figures and ledger groups ---------

_METRICS = {"communities": None, "households": "households", "buildings": "buildings"}
_METRICS["floor_area_m2"] = "floor_area_m2"
_PERIODS = [(2019, 2020, ""), (2021, 2021, "2021年"), (2019, 2022, ""), (None, None, "")]


def _na(value):
    return None if value is None or pd.isna(value) else value


def _judge(result, rows, mapped, missing, reported, qualifier) -> str:
    if result:
        return result
    if rows == 0:
        return "not_in_ledger"
    if mapped is None:
        return "no_mapped_value"
    if missing > 0:
        return "incomplete"
    if qualifier == "at_least":
        return "at_least_met" if mapped >= reported else "below_at_least"
    return "match" if mapped == reported else "differs"


def _measure(rows: list[dict], metric: str) -> tuple[object, int]:
    """The ledger's count or sum over ``rows`` (None when no row has the value), rows lacking it."""
    column = _METRICS[metric]
    if column is None:
        return (len(rows) if rows else None), 0
    known = [r[column] for r in rows if r[column] is not None]
    return (float(sum(known)) if known else None), len(rows) - len(known)


def _reconcile_by_loops(projects: pd.DataFrame, figures: pd.DataFrame) -> Counter[tuple]:
    """What reconcile should give, one figure and one ledger group at a time."""
    rows = [{k: _na(v) for k, v in r.items()} for r in projects.to_dict("records")]
    by_year = any(r["year"] is not None for r in rows)
    dated = [r for r in rows if r["year"] is not None] if by_year else rows
    cities = {r["city"] for r in dated}

    def holds(figure: dict, year) -> bool:
        return not by_year or figure["period_start"] <= year <= figure["period_end"]

    out: Counter[tuple] = Counter()
    covered = []
    for figure in (_na_dict(f) for f in figures.to_dict("records")):
        if figure["city"] not in cities or (by_year and figure["period_start"] is None):
            continue
        if not any(r["city"] == figure["city"] and holds(figure, r["year"]) for r in dated):
            continue  # nothing from its city in its period: no row for it
        mine = [r for r in dated if r["adcode"] == figure["adcode"] and holds(figure, r["year"])]
        mapped, missing = _measure(mine, figure["metric"]) if mine else (None, 0)
        start, end, label = figure["period_start"], figure["period_end"], figure["period_label"]
        period = label or period_code(start, end) or ""
        result = _judge(None, len(mine), mapped, missing, figure["value"], figure["qualifier"])
        out[(figure["adcode"], period, figure["metric"], figure["value"], mapped, len(mine),
             missing, result)] += 1  # fmt: skip
        covered.append(figure)
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        if r["adcode"] is not None:
            groups.setdefault((r["adcode"], r["year"] if by_year else None), []).append(r)
    for (adcode, year), members in groups.items():
        if any(f["adcode"] == adcode and (not by_year or (year is not None and holds(f, year)))
               for f in covered):  # fmt: skip
            continue
        for metric in _METRICS:
            mapped, missing = _measure(members, metric)
            result = "no_year" if by_year and year is None else "no_reported_figure"
            period = period_code(year, year) or ""
            out[(adcode, period, metric, None, mapped, len(members), missing, result)] += 1
    return out


def _na_dict(record: dict) -> dict:
    return {k: _na(v) for k, v in record.items()}


def _rows_of(table: pd.DataFrame) -> Counter[tuple]:
    columns = ["adcode", "period", "metric", "reported", "mapped", "ledger_rows"]
    columns += ["rows_missing_value", "result"]
    out: Counter[tuple] = Counter()
    for r in table[columns].to_dict("records"):
        r = _na_dict(r)
        mapped = r["mapped"]
        if mapped is not None and r["metric"] == "communities":
            mapped = int(mapped)
        elif mapped is not None:
            mapped = float(mapped)
        reported = float(r["reported"]) if r["reported"] is not None else None
        out[(r["adcode"], r["period"], r["metric"], reported, mapped, int(r["ledger_rows"]),
             int(r["rows_missing_value"]), r["result"])] += 1  # fmt: skip
    return out


_VALUE = st.one_of(st.none(), st.integers(min_value=0, max_value=3))


@st.composite
def _ledger_and_figures(draw) -> tuple[pd.DataFrame, pd.DataFrame]:
    # Districts 1-3 in the ledger (or none), 4 only in the figures; years with gaps or none.
    years = draw(st.sampled_from([[2019, 2020, 2021, None], [2020, 2022], [None]]))
    rows = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "adcode": st.sampled_from(["1", "2", "3", None]),
                    "year": st.sampled_from(years),
                    "households": _VALUE,
                    "buildings": _VALUE,
                    "floor_area_m2": st.one_of(st.none(), st.sampled_from([0.5, 1.25])),
                }
            ),
            max_size=14,
        )
    )
    projects = pd.DataFrame(rows, columns=["adcode", "year", *list(_METRICS)[1:]])
    projects = projects.assign(city="甲市", district="区" + projects["adcode"].fillna("?"))
    projects["year"] = projects["year"].astype("Int64")
    for column in ("households", "buildings"):
        projects[column] = projects[column].astype("Int64")
    figures = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["1", "2", "4"]),
                st.sampled_from(_PERIODS),
                st.sampled_from(list(_METRICS)),
                st.integers(min_value=0, max_value=6),
                st.sampled_from([None, "at_least"]),
                st.sampled_from(["district", "district", "city"]),
                st.sampled_from([None, None, "stated_total"]),
            ),
            max_size=8,
        )
    )
    table = pd.DataFrame(
        [
            {
                "city": "甲市",
                "place": "区" + code,
                "adcode": code,
                "level": level,
                "role": role,
                "metric": metric,
                "value": float(value),
                "qualifier": qualifier,
                "status": "reported",
                "period_start": start,
                "period_end": end,
                "period_label": label,
                "figure_id": f"f{i}",
                "doc_number": "",
                "seed_file": "",
                "seed_line": i,
                "as_written": str(value),
            }
            for i, (code, (start, end, label), metric, value, qualifier, level, role) in enumerate(
                figures
            )
        ],
        columns=[
            "city",
            "place",
            "adcode",
            "level",
            "role",
            "metric",
            "value",
            "qualifier",
            "status",
            "period_start",
            "period_end",
            "period_label",
            "figure_id",
            "doc_number",
            "seed_file",
            "seed_line",
            "as_written",
        ],
    )
    for column in ("period_start", "period_end"):
        table[column] = table[column].astype("Int64")
    return projects, table


@settings(max_examples=60, deadline=None)
@given(_ledger_and_figures())
def test_reconcile_equals_a_loop_over_figures_and_groups(inputs):
    projects, figures_table = inputs
    wanted = figures_table[
        (figures_table["level"] == "district") & (figures_table["role"] != "stated_total")
    ]
    table = reconcile.reconcile(projects, figures_table)
    assert _rows_of(table) == _reconcile_by_loops(projects, wanted)
