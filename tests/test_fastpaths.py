"""
The fast paths give the plain way's answers: district grid, clipped lengths, nearest
distances, text folding and coordinate parsing. Speed is measured in bench/, never here.
"""

from __future__ import annotations

import re
import unicodedata

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import boundaries, coverage
from geo.infra import Infra
from geo.io import cells as _cells

# --- point → district: the grid against an exact test of every outline -------------------


def _plain_assign(lon, lat, outlines: np.ndarray, adcodes: np.ndarray) -> np.ndarray:
    """geopandas.sjoin(predicate="intersects"), then the lowest adcode of each point."""
    found = np.full(len(lon), None, dtype=object)
    finite = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    points = gpd.GeoDataFrame(
        {"i": finite}, geometry=gpd.points_from_xy(lon[finite], lat[finite]), crs="EPSG:4326"
    )
    polygons = gpd.GeoDataFrame({"adcode": adcodes}, geometry=outlines, crs="EPSG:4326")
    joined = gpd.sjoin(points, polygons, predicate="intersects", how="inner")
    lowest = joined.groupby("i")["adcode"].min()
    found[lowest.index.to_numpy()] = lowest.to_numpy(dtype=object)
    return found


@pytest.fixture(scope="module")
def districts():
    boundaries.build_boundaries()  # no-op when the cache exists
    return boundaries.load_boundaries("district").sort_values("adcode", ignore_index=True)


def _border_points(districts) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of Xinxiang's outlines (many shared by two districts) and edge midpoints."""
    xinxiang = districts[districts["city"] == "新乡市"].geometry.to_numpy()
    xy = shapely.get_coordinates(shapely.boundary(xinxiang))
    middle = (xy[1:] + xy[:-1]) / 2
    both = np.concatenate([xy[::7], middle[::11]])
    return both[:, 0], both[:, 1]


def _cell_edge_points(rng) -> tuple[np.ndarray, np.ndarray]:
    """Points exactly on the grid's cell edges and corners around the seed cities."""
    step = 1 / boundaries.GRID_CELLS_PER_DEGREE
    lon = np.round(rng.uniform(112.5, 115.5, 3000) / step) * step
    lat = np.round(rng.uniform(33.7, 37.0, 3000) / step) * step
    lat[:1000] = rng.uniform(33.7, 37.0, 1000)  # on a vertical edge only
    return lon, lat


def test_assign_districts_equals_sjoin_on_random_border_and_odd_points(districts):
    rng = np.random.default_rng(5)
    parts = [
        (rng.uniform(73, 135, 20_000), rng.uniform(3, 54, 20_000)),  # China, sea and abroad
        (rng.uniform(112.5, 115.5, 20_000), rng.uniform(33.7, 37.0, 20_000)),  # seed cities
        _border_points(districts),
        _cell_edge_points(rng),
        (np.array([np.nan, 113.9, np.inf, 2.35, -200.0, 113.9]),  # NaN, inf, Paris, nonsense
         np.array([35.3, np.nan, 35.3, 48.86, 95.0, 35.3])),
    ]  # fmt: skip
    lon = np.concatenate([p[0] for p in parts])
    lat = np.concatenate([p[1] for p in parts])
    ours = boundaries.assign_districts(lon, lat)
    plain = _plain_assign(lon, lat, districts.geometry.to_numpy(), districts["adcode"].to_numpy())
    assert list(ours) == list(plain)
    assert pd.isna(ours[-6:-1]).all() and ours[-1] == "410702"  # 红旗区
    # The border points really test the tie rule: some lie in two districts at once.
    border_lon, border_lat = _border_points(districts)
    tree = shapely.STRtree(districts.geometry.to_numpy())
    rows, _ = tree.query(shapely.points(border_lon, border_lat), predicate="intersects")
    assert (np.bincount(rows) > 1).sum() > 100


def _squares() -> np.ndarray:
    """Two squares sharing an edge, a square with a hole, a two-part multipolygon."""
    left, right = shapely.box(0.0, 0.0, 1.0, 1.0), shapely.box(1.0, 0.0, 2.0, 1.0)
    holed = shapely.box(3.0, 0.0, 4.0, 1.0).difference(shapely.box(3.3, 0.3, 3.7, 0.7))
    split = shapely.MultiPolygon([shapely.box(5, 0, 5.2, 0.2), shapely.box(5.5, 0.5, 6, 1)])
    return np.array([left, right, holed, split], dtype=object)


def test_grid_of_hand_built_outlines_matches_an_exact_test():
    outlines = _squares()
    shapely.prepare(outlines)
    codes = np.array(["a", "b", "c", "d"], dtype=object)
    grid = boundaries._DistrictGrid.from_arrays(codes, outlines, boundaries._build_grid(outlines))
    rng = np.random.default_rng(9)
    step = 1 / boundaries.GRID_CELLS_PER_DEGREE
    on_edges = np.round(rng.uniform((-1, -1), (7, 2), (5000, 2)) / step) * step
    lon = np.concatenate([rng.uniform(-1, 7, 20_000), on_edges[:, 0]])
    lat = np.concatenate([rng.uniform(-1, 2, 20_000), on_edges[:, 1]])
    lon = np.concatenate([lon, [1.0, 1.0, 3.3, 3.5, 5.2]])  # shared edge, hole edge and inside
    lat = np.concatenate([lat, [0.5, 1.0, 0.5, 0.5, 0.1]])
    rows, outline = shapely.STRtree(outlines).query(shapely.points(lon, lat), "intersects")
    lowest = pd.Series(outline).groupby(rows).min()
    expected = np.full(len(lon), -1)
    expected[lowest.index.to_numpy()] = lowest.to_numpy()
    found = grid.rows(lon, lat)
    assert list(found) == list(expected)
    assert list(found[-5:]) == [0, 0, 2, -1, 3]
    # Most points are answered by the raster alone, the point of the grid.
    ix, iy, _ = grid.cells(lon, lat)
    assert (grid.labels[iy, ix] != boundaries._MIXED).mean() > 0.5


def test_a_saved_grid_for_other_outlines_is_rebuilt(tmp_path, monkeypatch):
    path = boundaries._grid_path(tmp_path)
    boundaries._save_grid(path, {"origin": np.zeros(2)}, np.array(["000000"], dtype=object))
    monkeypatch.setattr(boundaries, "load_boundaries", _fake_outlines)
    monkeypatch.setattr(boundaries, "read_index", lambda level, folder=None: _fake_outlines())
    boundaries._district_grid.cache_clear()
    try:
        grid = boundaries._district_grid(tmp_path)
    finally:
        boundaries._district_grid.cache_clear()
    assert list(grid.adcodes) == ["110101", "110102", "110105", "110106"]
    assert list(grid.rows(np.array([0.5, 1.5]), np.array([0.5, 0.5]))) == [0, 1]


def _fake_outlines(level=None, *, folder=None, display=False, adcodes=None) -> gpd.GeoDataFrame:
    codes = ["110105", "110101", "110106", "110102"]
    outlines = gpd.GeoDataFrame(
        {"adcode": codes}, geometry=_squares()[[2, 0, 3, 1]], crs="EPSG:4326"
    )
    return outlines if adcodes is None else outlines[outlines["adcode"].isin(adcodes)]


# --- clipped lengths and counts: against geopandas.overlay -------------------------------


def _lines(rng, bounds, n: int) -> np.ndarray:
    minx, miny, maxx, maxy = bounds
    x, y = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
    dx, dy = rng.normal(0, 0.002, (2, n))  # about 200 m
    return shapely.linestrings(np.stack([np.c_[x, y], np.c_[x + dx, y + dy]], axis=1))


def test_clipped_lengths_and_counts_equal_the_overlay_way(districts):
    xinxiang = districts[districts["city"] == "新乡市"].reset_index(drop=True)
    rng = np.random.default_rng(11)
    lines = _lines(rng, xinxiang.total_bounds, 4000)
    points = shapely.points(
        rng.uniform(*xinxiang.total_bounds[[0, 2]], 3000),
        rng.uniform(*xinxiang.total_bounds[[1, 3]], 3000),
    )
    features = gpd.GeoDataFrame(
        {"type": ["tactile_paving"] * len(lines) + ["curb_ramp"] * len(points)},
        geometry=np.concatenate([lines, points]),
        crs="EPSG:4326",
    ).assign(source="test", source_id="row", name=None)
    extent = shapely.box(*xinxiang.total_bounds).buffer(0.1)
    infra = Infra(features, extent, pd.DataFrame(columns=["row", "reason"]), "t", "survey")
    out = coverage.district_metrics(infra, xinxiang).set_index("adcode")
    crs = coverage._metric_crs(xinxiang)
    cut = gpd.overlay(
        features.iloc[: len(lines)][["geometry"]].to_crs(crs),
        xinxiang[["adcode", "geometry"]].to_crs(crs),
        how="intersection",
        keep_geom_type=True,
    )
    km = (cut.length.groupby(cut["adcode"]).sum() / 1000).reindex(out.index, fill_value=0)
    np.testing.assert_allclose(out["tactile_km"], km, rtol=1e-6)
    # Some lines do cross a border, so the cut really runs.
    line, _ = shapely.STRtree(xinxiang.geometry.to_numpy()).query(lines, predicate="intersects")
    assert (np.bincount(line) > 1).sum() > 20
    ramps = gpd.sjoin(features.iloc[len(lines) :], xinxiang, predicate="intersects")
    counts = ramps.groupby(level=0)["adcode"].min().value_counts()
    assert out["curb_ramps"].to_dict() == counts.reindex(out.index, fill_value=0).to_dict()


def test_first_hit_gives_border_points_to_the_lower_outline():
    outlines = _squares()
    points = shapely.points([1.0, 0.5, 1.5, 9.0], [0.5, 0.5, 0.5, 9.0])
    assert list(coverage._first_hit(outlines, points)) == [0, 0, 1, -1]
    assert list(coverage._first_hit(outlines, np.array([None, points[0]]))) == [-1, 0]


# --- proximity: the k-d tree against STRtree.query_nearest -------------------------------


def test_nearest_distances_equal_strtree_query_nearest():
    rng = np.random.default_rng(13)
    crs = pyproj.CRS.from_epsg(4547)
    lon, lat = rng.uniform(113.6, 114.2, 6000), rng.uniform(35.0, 35.6, 6000)
    stops = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(lon[:300], lat[:300]), crs="EPSG:4326"
    ).assign(type="accessible_bus_stop", source="t", source_id="s", name=None)
    projects = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(lon[300:], lat[300:]), crs="EPSG:4326"
    ).assign(households=10)
    projects.loc[[0, 1], "geometry"] = [None, shapely.Point(120.0, 20.0)]  # no point; outside
    extent = shapely.box(113.5, 35.0, 114.3, 36.0)
    infra = Infra(stops, extent, pd.DataFrame(columns=["row", "reason"]), "t", "survey")
    near = coverage.project_proximity(projects, infra, types=("accessible_bus_stop",), metric=crs)
    ours = near["dist_accessible_bus_stop_m"].to_numpy()
    to_m = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform
    tree = shapely.STRtree(shapely.points(*to_m(lon[:300], lat[:300])))
    origins = shapely.points(*to_m(lon[302:], lat[302:]))
    (_, _), plain = tree.query_nearest(origins, return_distance=True, all_matches=False)
    assert np.isnan(ours[:2]).all()
    np.testing.assert_allclose(ours[2:], plain, rtol=1e-12)


# --- text: folding and coordinates against the plain per-cell way ------------------------

_ALPHABET = (
    " \t\n\x0b\x0c\r\x1c\x1f\x85\xa0\u3000\u2028\u200b"  # Python's whitespace and a few more
    "aZ09.,-+_°（）：ａ１２，．²½ﬁ㎡①"  # ASCII, full-width, compatibility forms
    "万户约区县号小区卫滨\u4e00\u9fff\u3400\uf900"  # CJK, its first and last, extension A
    "e\u0301\u1100\u1161"  # combining acute; Hangul jamo that compose
)


def _plain_fold(text):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=_ALPHABET, max_size=8)), max_size=40))
def test_normalise_text_equals_plain_nfkc_and_whitespace_removal(cells):
    column = pd.Series(cells, dtype=object)
    expected = pd.Series([None if c is None else _plain_fold(c) for c in cells], dtype="string")
    folded = _cells.normalise_text(column)
    assert folded.dtype == expected.dtype
    assert folded.fillna("<NA>").tolist() == expected.fillna("<NA>").tolist()


def test_fast_fold_characters_are_nfkc_stable_and_not_whitespace():
    # The premise of the Arrow fast path, checked character by character.
    # RE2's \x{...} written as Python's \u...; the class is otherwise the same text.
    pattern = re.compile(
        _cells._FOLDED.replace(r"\x{4e00}", r"\u4e00").replace(r"\x{9fff}", r"\u9fff")
    )
    chars = [chr(c) for c in [*range(0x80), *range(0x4E00, 0xA000)]]
    fast = [c for c in chars if pattern.fullmatch(c)]
    assert len(fast) == 128 - 10 + (0xA000 - 0x4E00)  # all but the 10 ASCII chars \s matches
    assert all(unicodedata.normalize("NFKC", c) == c and not c.isspace() for c in fast)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.floats(allow_nan=False, allow_infinity=False).map(repr),
            st.decimals(places=8, allow_nan=False, allow_infinity=False).map(str),
            st.sampled_from(["113.87°", "-0", ".5", "5.", "1e5", "inf", "nan", "1_0", "abc", ""]),
            st.text(alphabet="0123456789.-+e ", max_size=12),
        ),
        max_size=40,
    )
)
def test_parse_coordinates_equals_float_per_cell(cells):
    numbers, problems = _cells.parse_coordinates(pd.Series(cells, dtype=object))
    for cell, number, problem in zip(cells, numbers, problems, strict=True):
        text = "" if cell is None else _plain_fold(cell)
        if text == "":
            assert np.isnan(number) and problem is None
            continue
        expected, expected_problem = _cells._read_coordinate(text)
        assert problem == expected_problem
        if expected is None:
            assert np.isnan(number)
        else:
            assert number == expected and np.signbit(number) == np.signbit(expected)


# --- figures: plain numbers read in one go, against Decimal cell by cell -------------------------

_FIGURE_CELLS = [
    *["0", "00", "007", "0.0", "12.0", "12.50", "12.5", "0.1", "0.3", "2.675", "1.005"],
    *["9" * 15, "9" * 16, "1" + "0" * 14, "0." + "0" * 14 + "1", "0." + "0" * 15 + "1"],
    *["99999.99999", "100000", "100000.0", "100000.00001", "99999.999999999", "1000000"],
    # Not plain: the cell by cell reader's, whatever they give.
    *[".5", "5.", "1e3", "١٢", "１２", "12户", "3.5万", "约100", "1-2", "-5", "+1", "1,000"],
    *["", " ", "nan", "inf", None],
]


@pytest.mark.parametrize(
    ("scale", "integer", "maximum"),
    [
        ("1", True, "100000"),
        ("1", False, None),
        ("10000", False, "99999.99999"),
        ("10000", True, "1e6"),
        ("100000000", False, "1e12"),
        ("1e22", False, None),
        ("0.5", True, None),  # not a power of ten: every cell read one by one
    ],
)
@settings(max_examples=40, deadline=None)
@given(
    extra=st.lists(
        st.one_of(
            st.text(alphabet="0123456789.", min_size=1, max_size=18),
            st.decimals(min_value=0, max_value=10**16, places=6, allow_nan=False).map(str),
        ),
        max_size=30,
    )
)
def test_parse_numbers_equals_decimal_per_cell(scale, integer, maximum, extra):
    from decimal import Decimal

    cells = [*_FIGURE_CELLS, *extra]
    limit = Decimal(maximum) if maximum else None
    numbers, problems = _cells.parse_numbers(
        pd.Series(cells, dtype=object), scale=Decimal(scale), integer=integer, maximum=limit
    )
    for cell, number, problem in zip(cells, numbers, problems, strict=True):
        text = "" if cell is None else _plain_fold(cell)
        expected, expected_problem = (
            _cells._read_number(text, Decimal(scale), integer, limit) if text else (None, None)
        )
        assert problem == expected_problem, cell
        assert (pd.isna(number) and expected is None) or number == expected, cell


# --- a ledger's district words: equal keys grouped as drop_duplicates and a merge group them ----


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "红旗区", "卫滨区", "1", None]),
            st.sampled_from(["", "新乡市", None]),
            st.integers(min_value=0, max_value=3),
        ),
        max_size=30,
    )
)
def test_key_groups_are_those_of_drop_duplicates_and_merge(rows):
    from geo import records

    keys = pd.DataFrame(rows, columns=["key_district", "key_city", "key_year"], dtype=object)
    keys.index = pd.RangeIndex(len(keys)) * 3 + 7  # labels that are not positions
    group, first = records._key_groups(keys)
    unique = keys.drop_duplicates()
    assert keys.iloc[first].index.tolist() == unique.index.tolist()
    numbered = unique.assign(g=range(len(unique)))
    merged = keys.merge(numbered, on=list(keys.columns), how="left")
    assert group.tolist() == merged["g"].tolist()
