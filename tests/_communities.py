"""Generated ledgers of communities with every pattern of missing parts, for priorities tests."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely


def with_holes(n: int, seed: int, *, holes: float = 0.3, points: bool = False) -> pd.DataFrame:
    """
    ``n`` communities, each part's column empty at random (a share ``holes`` of it).

    Indexed by the ledger's own labels (a permutation, not positions). ``points`` makes it a
    GeoDataFrame in EPSG:4326 where every third community has no point.
    """
    rng = np.random.default_rng(seed)

    def holed(values):
        return pd.Series(values).mask(rng.random(n) < holes)

    frame = pd.DataFrame(
        {
            "name": [f"小区{i}" for i in range(n)],
            "households": holed(rng.integers(1, 900, n).astype(float)),
            "built_year": holed(rng.integers(1960, 2010, n).astype(float)),
            "wheelchair_accessible_bus_stop_m": holed(rng.random(n) * 1500),
            "pass_pharmacy": holed(rng.random(n) < 0.5).astype("boolean"),
            "consent_share": holed(rng.random(n)),
        }
    )
    if points:
        shapes = [shapely.Point(113 + i / n, 35) if i % 3 else None for i in range(n)]
        frame = gpd.GeoDataFrame(frame, geometry=shapes, crs="EPSG:4326")
    return frame.set_index(rng.permutation(n) + 7)
