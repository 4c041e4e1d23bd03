"""Coverage metrics on hand-built districts whose lengths, counts and distances are known."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

from geo import coverage
from geo.figures import load_figures
from geo.infra import Infra

# CGCS2000 / 3-degree Gauss-Krüger CM 114E: the metric CRS geo.crs picks near Xinxiang.
GK = pyproj.CRS.from_epsg(4547)
TO_WGS = pyproj.Transformer.from_crs(GK, "EPSG:4326", always_xy=True).transform
X0, Y0 = 490_000.0, 3_910_000.0  # about 113.89 E, 35.33 N


def _wgs(geometry):
    return shapely.transform(geometry, lambda xy: np.column_stack(TO_WGS(xy[:, 0], xy[:, 1])))


def _square(x: float, y: float, side: float = 1000.0):
    return shapely.box(X0 + x, Y0 + y, X0 + x + side, Y0 + y + side)


def _line(*xy):
    return shapely.LineString([(X0 + x, Y0 + y) for x, y in xy])


def _point(x, y):
    return shapely.Point(X0 + x, Y0 + y)


def _infra(rows, extent) -> Infra:
    kinds, geoms = zip(*rows, strict=True)
    features = gpd.GeoDataFrame(
        {
            "type": list(kinds),
            "source": "hand-built",
            "source_id": [f"row {i}" for i in range(len(rows))],
            "name": None,
        },
        geometry=[_wgs(g) for g in geoms],
        crs="EPSG:4326",
    )
    quarantine = pd.DataFrame(columns=["row", "reason"])
    return Infra(features, _wgs(extent) if extent is not None else None, quarantine, "t", "survey")


@pytest.fixture
def districts():
    # A (0..1 km), B (1..2 km) side by side; C far east, outside the data's extent.
    return gpd.GeoDataFrame(
        {"adcode": ["410701", "410702", "410703"], "district": ["甲区", "乙区", "丙区"]},
        geometry=[_wgs(_square(0, 0)), _wgs(_square(1000, 0)), _wgs(_square(5000, 0))],
        crs="EPSG:4326",
    )


@pytest.fixture
def infra():
    rows = [
        # 400 m of tactile paving in A, plus a 600 m line crossing into B (300 m each side).
        ("tactile_paving", _line((100, 100), (500, 100))),
        ("tactile_paving", _line((700, 500), (1300, 500))),
        ("tactile_paving", _point(50, 50)),  # a tactile crossing node: no length
        # 1,000 m of sidewalk in A; 500 m in B.
        ("sidewalk", _line((0, 200), (1000, 200))),
        ("sidewalk", _line((1200, 300), (1700, 300))),
        ("curb_ramp", _point(200, 200)),
        ("curb_ramp", _point(800, 200)),
        ("curb_ramp", _point(1500, 300)),
        ("bus_stop", _point(300, 600)),
        ("bus_stop", _point(900, 900)),
        ("accessible_bus_stop", _point(300, 600)),
        ("bus_stop", _point(1500, 800)),
    ]
    # The extent covers A and B (0..2 km) but not C.
    return _infra(rows, shapely.box(X0 - 10, Y0 - 10, X0 + 2010, Y0 + 1010))


def test_lengths_are_clipped_to_each_district_in_metres(districts, infra):
    out = coverage.district_metrics(infra, districts)
    a, b, c = out.to_dict("records")
    assert a["tactile_km"] == pytest.approx(0.7, rel=1e-6)  # 400 + 300 m
    assert b["tactile_km"] == pytest.approx(0.3, rel=1e-6)
    assert a["sidewalk_km"] == pytest.approx(1.0, rel=1e-6)
    assert b["sidewalk_km"] == pytest.approx(0.5, rel=1e-6)
    assert a["tactile_rate"] == pytest.approx(70.0, rel=1e-6)
    assert b["tactile_rate"] == pytest.approx(60.0, rel=1e-6)
    assert (a["tactile_rate_status"], b["tactile_rate_status"]) == ("ok", "ok")
    assert np.isnan(c["tactile_km"]) and c["tactile_km_status"] == "outside_extent"


def test_counts_rates_and_shares(districts, infra):
    out = coverage.district_metrics(infra, districts).set_index("adcode")
    assert out.loc["410701", "curb_ramps"] == 2
    assert out.loc["410702", "curb_ramps"] == 1
    assert out.loc["410701", "curb_ramps_per_km"] == pytest.approx(2.0)
    assert out.loc["410702", "curb_ramps_per_km"] == pytest.approx(2.0)
    assert out.loc["410701", "bus_stops"] == 2
    assert out.loc["410701", "accessible_stop_share"] == pytest.approx(50.0)
    assert out.loc["410702", "accessible_stop_share"] == 0.0
    assert out.loc["410702", "accessible_stop_share_status"] == "ok"
    assert out.loc["410701", "extent_share"] == pytest.approx(1.0)
    assert out.loc["410703", "extent_share"] == 0.0


def test_a_type_absent_from_the_source_is_not_zero(districts, infra):
    out = coverage.district_metrics(infra, districts)
    assert out["accessible_toilets_status"].eq("not_in_source").all()
    assert out["accessible_toilets"].isna().all()


def test_rate_without_denominator_is_not_computed(districts, infra):
    # Drop B's sidewalk: B still has tactile paving, but no rate.
    features = infra.features.drop(index=4).reset_index(drop=True)
    thin = Infra(features, infra.extent, infra.quarantine, "t", "survey")
    out = coverage.district_metrics(thin, districts).set_index("adcode")
    assert out.loc["410702", "sidewalk_km"] == 0.0
    assert np.isnan(out.loc["410702", "tactile_rate"])
    assert out.loc["410702", "tactile_rate_status"] == "no_denominator"
    assert out.loc["410702", "curb_ramps_per_km_status"] == "no_denominator"
    assert out.loc["410701", "tactile_rate_status"] == "ok"


def test_partial_extent_is_flagged_as_a_lower_bound(districts, infra):
    # The extent now stops halfway through B.
    half = Infra(
        infra.features,
        _wgs(shapely.box(X0 - 10, Y0 - 10, X0 + 1500, Y0 + 1010)),
        infra.quarantine,
        "t",
        "survey",
    )
    out = coverage.district_metrics(half, districts).set_index("adcode")
    assert out.loc["410702", "extent_share"] == pytest.approx(0.5, abs=0.01)
    assert out.loc["410702", "tactile_km_status"] == "partial_extent"
    assert out.loc["410702", "tactile_rate_status"] == "partial_extent"
    assert out.loc["410701", "tactile_km_status"] == "ok"


def _projects(rows):
    return gpd.GeoDataFrame(
        {
            "name": [f"小区{i}" for i in range(len(rows))],
            "adcode": [r[0] for r in rows],
            "households": [r[1] for r in rows],
        },
        geometry=[_wgs(r[2]) if r[2] is not None else None for r in rows],
        crs="EPSG:4326",
    )


def test_project_distances_are_straight_line_metres(infra):
    projects = _projects(
        [
            ("410701", 100, _point(300, 200)),  # 400 m from the accessible stop at (300, 600)
            ("410701", 50, None),  # located by district name only
            ("410703", 80, _point(5500, 500)),  # outside the extent
        ]
    )
    near = coverage.project_proximity(projects, infra)
    assert near.loc[0, "dist_accessible_bus_stop_m"] == pytest.approx(400.0, abs=0.01)
    assert near.loc[0, "dist_curb_ramp_m"] == pytest.approx(100.0, abs=0.01)
    assert np.isnan(near.loc[0, "dist_accessible_toilet_m"])  # none in the source
    assert near.loc[1].isna().all()
    assert near.loc[2].isna().all()


def test_household_shares_within_radii(districts, infra):
    projects = _projects(
        [
            ("410701", 100, _point(300, 200)),  # 400 m to the accessible stop
            ("410701", 300, _point(300, 500)),  # 100 m
            ("410701", None, _point(310, 600)),  # households unknown: not in the share
            ("410702", 40, _point(1500, 500)),  # 1,200 m
        ]
    )
    out = coverage.district_metrics(infra, districts, projects=projects).set_index("adcode")
    assert out.loc["410701", "households_within_300m_accessible_bus_stop"] == pytest.approx(75.0)
    assert out.loc["410701", "households_within_500m_accessible_bus_stop"] == pytest.approx(100.0)
    assert out.loc["410702", "households_within_500m_accessible_bus_stop"] == 0.0
    assert out.loc["410701", "households_total"] == 400
    assert out.loc["410703", "households_within_300m_curb_ramp_status"] == "no_projects"
    assert out.loc["410701", "households_within_300m_accessible_toilet_status"] == "not_in_source"
    custom = coverage.district_metrics(infra, districts, projects=projects, radii=(150,))
    assert custom.set_index("adcode").loc[
        "410701", "households_within_150m_accessible_bus_stop"
    ] == pytest.approx(75.0)


def test_jiaozuo_reported_figures_sit_beside_computed_ones(districts, infra):
    out = coverage.district_metrics(infra, districts)
    out["city"] = "焦作市"
    out = out[out["tactile_km_status"] == "ok"]
    table = coverage.compare_reported(out, load_figures()).set_index("metric")
    assert table.loc["tactile_paving_rate", "reported"] == pytest.approx(97.7)
    assert table.loc["tactile_paving_km", "reported"] == 1039
    assert table.loc["sidewalk_km", "reported"] == 1063
    assert table.loc["tactile_paving_km", "computed"] == pytest.approx(1.0)
    assert table.loc["tactile_paving_rate", "computed"] == pytest.approx(100 * 1.0 / 1.5)
    assert table.loc["curb_ramps", "computed_status"] == "not_comparable"
    # Only the cities the data reach are listed: a 新乡 survey lists none of 焦作's figures.
    elsewhere = coverage.compare_reported(out.assign(city="新乡市"), load_figures())
    assert elsewhere.empty and "computed_status" in elsewhere
    # A city in the metrics whose districts are not all covered has no computed figure.
    partial = out.assign(tactile_km_status="partial_extent", tactile_rate_status="partial_extent")
    table = coverage.compare_reported(partial, load_figures()).set_index("metric")
    assert pd.isna(table.loc["tactile_paving_km", "computed"])
    assert table.loc["tactile_paving_km", "computed_status"] == "partial_extent"


def test_network_share_keys_carry_their_profile():
    key = coverage.share_key(500, "curb_ramp", "wheelchair")
    assert key == "households_within_500m_curb_ramp_wheelchair"
    found = coverage.describe(key)
    assert (found.kind, found.radius, found.feature, found.profile) == (
        "share",
        500,
        "curb_ramp",
        "wheelchair",
    )
    assert coverage.describe("households_within_500m_curb_ramp").profile is None
    with pytest.raises(ValueError, match="walking profile"):
        coverage.share_key(500, "curb_ramp", "bicycle")
    with pytest.raises(ValueError, match="Expected a coverage measure"):
        coverage.describe("households_within_500m_curb_ramp_bicycle")


def test_default_radii_are_the_life_circles_both_measures_use():
    # One set of radii: the 5- and 10-minute life circles of GB 50180-2018, as shipped.
    from geo import reach
    from geo.facilities import load_registry

    registry = load_registry()
    circles = {c.minutes: int(c.radius_m) for c in registry.life_circles}
    assert coverage.RADII_M == (circles[5], circles[10]) == (300, 500)
    assert registry.categories["bus_stop"].radius_m in coverage.RADII_M
    assert not hasattr(reach, "RADII_M")
    assert reach.measure.__kwdefaults__["radii"] is coverage.RADII_M
