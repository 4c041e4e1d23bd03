"""Tests of layers/siting.py: the sites drawn with escaped, worded tooltips; the curve; refusals."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from layers import siting as shown


def _tips(parts) -> list[str]:
    """Every drawn site's tooltip, as the GeoJSON handed to Leaflet holds it."""
    return [
        feature["properties"]["tip"]
        for group in parts.groups
        for child in group._children.values()
        if isinstance(child, folium.GeoJson)
        for feature in child.data["features"]
    ]


def _candidates():
    # As geo.siting.plan returns them: the order of an unchosen site is missing.
    return gpd.GeoDataFrame(
        {
            "name": ["<img src=x onerror=alert(1)>", "乙", "丙"],
            "chosen": [True, True, False],
            "order": [2.0, 1.0, np.nan],
            "adds_households": [120.0, 300.0, 0.0],
            "covers_households": [150.0, 300.0, 40.0],
        },
        geometry=[shapely.Point(113.85 + i / 100, 35.27) for i in range(3)],
        crs="EPSG:4326",
    )


@pytest.mark.parametrize(
    ("lang", "chosen"),
    [
        (
            "zh",
            [
                "第 1 处：乙，新增覆盖 300 户",
                "第 2 处：&lt;img src=x onerror=alert(1)&gt;，新增覆盖 120 户",
            ],
        ),
        (
            "en",
            [
                "No. 1: 乙, adds 300 households",
                "No. 2: &lt;img src=x onerror=alert(1)&gt;, adds 120 households",
            ],
        ),
    ],
)
def test_the_sites_are_drawn_numbered_in_order_and_escaped(lang, chosen):
    existing = gpd.GeoDataFrame(
        {"name": ["</script>"]}, geometry=[shapely.Point(113.8, 35.2)], crs="EPSG:4326"
    )
    tips = _tips(shown.siting_layers(_candidates(), existing, lang=lang))
    assert tips[-2:] == chosen
    assert tips[1] == {"zh": "已有：&lt;/script&gt;", "en": "Existing: &lt;/script&gt;"}[lang]


def test_the_curve_is_long_with_worded_columns():
    curve = pd.DataFrame(
        {
            "sites": [1, 2],
            "optimum_households": [300.0, 420.0],
            "optimum_gain": [300.0, 120.0],
            "greedy_households": [300.0, 400.0],
            "greedy_gain": [300.0, 100.0],
        }
    )
    frame = shown.curve_frame(curve, "en")
    assert frame.columns.tolist() == ["New sites", "Households covered", "Solution"]
    assert frame["Solution"].tolist() == ["Optimum"] * 2 + ["Greedy"] * 2
    assert frame["Households covered"].tolist() == [300.0, 420.0, 300.0, 400.0]
