"""
A district's share inside the data's extent: each district against the extent's parts near
it equals the whole extent cut at once, and only the parts that are invalid are repaired.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import boundaries, coverage
from geo.infra import Infra, survey_extent


@pytest.fixture(scope="module")
def xinxiang():
    boundaries.build_boundaries()  # no-op when the cache exists
    districts = boundaries.load_boundaries("district").sort_values("adcode", ignore_index=True)
    return districts[districts["city"] == "新乡市"].reset_index(drop=True)


def _infra(features: np.ndarray, extent) -> Infra:
    frame = gpd.GeoDataFrame(geometry=features, crs="EPSG:4326").assign(
        type="curb_ramp", source="test", source_id="row", name=None
    )
    return Infra(frame, extent, pd.DataFrame(columns=["row", "reason"]), "t", "survey")


def _plain_share(districts: gpd.GeoDataFrame, extent) -> np.ndarray:
    """The whole extent, repaired, cut by every outline: the way before the parts' tree."""
    to_m = coverage._to_metric(coverage._metric_crs(districts))
    outlines = coverage._projected(districts.geometry.to_numpy(), to_m)
    whole = shapely.make_valid(coverage._projected(extent, to_m))
    return shapely.area(shapely.intersection(outlines, whole)) / shapely.area(outlines)


def test_shares_against_a_survey_extent_equal_the_whole_extent_cut(xinxiang):
    rng = np.random.default_rng(5)
    # Points over the city's box and a little beyond: some districts are covered in part,
    # and the extent is one piece per district cut to its outline, as a survey's is.
    minx, miny, maxx, maxy = xinxiang.total_bounds
    points = shapely.points(rng.uniform(minx, maxx, 400), rng.uniform(miny, maxy, 400))
    pieces = survey_extent(_infra(points, None).features)
    assert shapely.get_num_geometries(pieces) > 5
    # One district declared whole besides (its box reaches into its neighbours' pieces).
    extent = shapely.union_all([pieces, shapely.box(*xinxiang.geometry[3].bounds)])
    out = coverage.district_metrics(_infra(points, extent), xinxiang)
    expected = _plain_share(xinxiang, extent)
    np.testing.assert_allclose(out["extent_share"], expected, rtol=1e-9, atol=1e-12)
    # The declared district merged its neighbours' pieces into a part too large to cut whole.
    vertices = shapely.get_num_coordinates(shapely.get_parts(extent))
    assert vertices.max() > coverage._PIECE_VERTICES
    assert len(coverage._pieces(extent)) > len(vertices)
    shares = out["extent_share"].to_numpy()
    assert ((shares > 0.05) & (shares < 0.95)).any() and (shares > 0.99).any()


def test_only_the_invalid_part_of_an_extent_is_repaired(xinxiang, monkeypatch):
    # Two districts' outlines as parts, and a bow-tie (a ring crossing itself) beside them.
    first, second = xinxiang.geometry.to_numpy()[:2]
    x, y = first.representative_point().x + 5, first.representative_point().y
    bow_tie = shapely.Polygon([(x, y), (x + 0.1, y + 0.1), (x + 0.1, y), (x, y + 0.1)])
    parts = [*shapely.get_parts(first), *shapely.get_parts(second), bow_tie]
    extent = shapely.multipolygons(parts)
    repaired = []
    make_valid = shapely.make_valid

    def spy(geometry, *args, **kwargs):
        repaired.extend(np.atleast_1d(geometry))
        return make_valid(geometry, *args, **kwargs)

    monkeypatch.setattr(shapely, "make_valid", spy)
    out = coverage.district_metrics(_infra(np.array([], dtype=object), extent), xinxiang)
    assert len(repaired) == 1
    assert shapely.get_num_coordinates(repaired[0]) == 5  # the bow-tie, not the whole extent
    monkeypatch.setattr(shapely, "make_valid", make_valid)
    share = out.set_index("adcode")["extent_share"]
    np.testing.assert_allclose(share.iloc[:2], 1.0, rtol=1e-9)
    np.testing.assert_allclose(share, _plain_share(xinxiang, extent), rtol=1e-9, atol=1e-12)
