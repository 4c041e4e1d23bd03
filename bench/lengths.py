"""
Kilometres of tactile paving per district, against the obvious geopandas way and its peers.

Input: the tactile paving lines of a synthetic infrastructure file (10-200 m each, some
across district borders) and the full outlines of its region. Every peer measures in the
same CGCS2000 Gauss-Krüger zone (the one :func:`geo.coverage.district_metrics` picks) and
must give the same km per district within 1e-6 relative. Timed from WGS84 inputs:

- ``atlas``: :func:`geo.coverage.district_metrics` end to end; it computes every metric and
  completeness status, more work than the peers do.
- ``geopandas.overlay``: ``to_crs`` both, ``overlay(how="intersection")``, ``length``,
  ``groupby``.
- ``duckdb``: ``ST_Transform`` both, a join on ``ST_Intersects``, ``ST_Length`` of
  ``ST_Intersection``, ``GROUP BY``; all cores (2).
- ``qgis_process``: ``native:sumlinelengths`` on GeoPackages already in the metric CRS, with
  ``--ELLIPSOID=NONE`` so lengths are planar metres like everyone else's.
"""

from __future__ import annotations

from functools import partial

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bench import peers, synthetic
from bench.timing import ATLAS, Mismatch, measure, peer_result
from geo import coverage
from geo.infra import Infra

TITLE = "Tactile paving km per district (lines clipped to outlines)"
_REL = 1e-6


def cases(full: bool) -> list[synthetic.Spec]:
    return [s for s in synthetic.INFRA_SPECS if full or s.size < 1_000_000]


def tactile_infra(spec: synthetic.Spec, districts: gpd.GeoDataFrame) -> Infra:
    """
    The file's tactile paving lines as an :class:`Infra` whose extent covers every district,
    so every district's km is computed (``ok``), as it is by the peers.
    """
    features = gpd.read_parquet(synthetic.infra_path(spec))
    lines = features[features["type"] == "tactile_paving"].reset_index(drop=True)
    extent = shapely.box(*districts.total_bounds).buffer(0.1)
    quarantine = pd.DataFrame(columns=["row", "reason"])
    return Infra(lines, extent, quarantine, synthetic.infra_path(spec).name, "survey")


def run_atlas(infra: Infra, districts: gpd.GeoDataFrame) -> pd.Series:
    return coverage.district_metrics(infra, districts).set_index("adcode")["tactile_km"]


def run_overlay(lines: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, crs) -> pd.Series:
    cut = gpd.overlay(
        lines[["geometry"]].to_crs(crs),
        districts[["adcode", "geometry"]].to_crs(crs),
        how="intersection",
        keep_geom_type=True,
    )
    return cut.geometry.length.groupby(cut["adcode"].to_numpy()).sum() / 1000.0


_DUCKDB_SQL = """
WITH l AS (SELECT ST_Transform(ST_GeomFromWKB(wkb), 'EPSG:4326', '{crs}', always_xy := true)
           AS g FROM lines_arrow),
     d AS (SELECT adcode, ST_Transform(geom, 'EPSG:4326', '{crs}', always_xy := true) AS g
           FROM districts)
SELECT d.adcode, sum(ST_Length(ST_Intersection(l.g, d.g))) / 1000.0 AS km
FROM l JOIN d ON ST_Intersects(l.g, d.g)
GROUP BY d.adcode
"""


def run_duckdb(con, crs: str) -> pd.Series:
    answer = con.execute(_DUCKDB_SQL.format(crs=crs)).arrow().read_all()
    return pd.Series(answer["km"].to_numpy(), index=answer["adcode"].to_pylist())


def _check(name: str, case: str, ours: pd.Series, theirs: pd.Series) -> dict:
    theirs = theirs.reindex(ours.index, fill_value=0.0).astype(float)
    scale = np.maximum(ours.abs(), 1e-9)
    off = (theirs - ours).abs() / scale
    bad = off[off > _REL]
    if len(bad):
        code = bad.index[0]
        raise Mismatch(
            f"lengths/{case}: {name} differs from atlas by more than {_REL:g} relative in "
            f"{len(bad)} districts, e.g. {code}: atlas {ours[code]!r} km, {name} {theirs[code]!r}."
        )
    return {"check": f"km within {_REL:g} in all {len(ours):,} districts (max {off.max():.1e})"}


def run(*, full: bool, repeat: int, qgis: bool) -> dict:
    results = []
    con = peers.duckdb_connect()
    for spec in cases(full):
        districts = synthetic.region_districts(spec.region)
        infra = tactile_infra(spec, districts)
        crs = coverage._metric_crs(districts)
        epsg = f"EPSG:{crs.to_epsg()}"
        con.register("lines_arrow", peers.geometry_table(infra.features, ["source_id"]))
        con.register("d_arrow", peers.geometry_table(districts, ["adcode"]))
        con.execute(
            "CREATE OR REPLACE TABLE districts AS "
            "SELECT adcode, ST_GeomFromWKB(wkb) AS geom FROM d_arrow"
        )

        timing, ours = measure(partial(run_atlas, infra, districts), repeat)
        entry = {
            "case": spec.tag,
            "size": len(infra.features),
            "districts": len(districts),
            "crs": epsg,
            "peers": {ATLAS: peer_result(timing)},
        }
        runs = {
            "geopandas.overlay": partial(run_overlay, infra.features, districts, crs),
            "duckdb": partial(run_duckdb, con, epsg),
        }
        for name, peer in runs.items():
            timing, theirs = measure(peer, repeat)
            entry["peers"][name] = peer_result(timing, **_check(name, spec.tag, ours, theirs))
        if qgis:
            entry["peers"]["qgis_process"] = _qgis_peer(infra, districts, crs, spec, repeat, ours)
        results.append(entry)
    con.close()
    return {"job": "lengths", "title": TITLE, "cases": results}


def _qgis_peer(infra, districts, crs, spec, repeat, ours) -> dict:
    folder = synthetic.DATA / "qgis"
    lines_gpkg = folder / f"synthetic-tactile-{spec.tag}-{crs.to_epsg()}.gpkg"
    districts_gpkg = folder / f"synthetic-bench-districts-{spec.region}-{crs.to_epsg()}.gpkg"
    if not lines_gpkg.exists():
        peers.write_gpkg(infra.features[["source_id", "geometry"]].to_crs(crs), lines_gpkg, "lines")
    if not districts_gpkg.exists():
        peers.write_gpkg(districts[["adcode", "geometry"]].to_crs(crs), districts_gpkg, "districts")
    out = folder / f"lengths-{spec.tag}.gpkg"

    def run_qgis() -> pd.Series:
        out.unlink(missing_ok=True)
        peers.qgis_run(
            "native:sumlinelengths",
            {
                "POLYGONS": f"{districts_gpkg}|layername=districts",
                "LINES": f"{lines_gpkg}|layername=lines",
                "LEN_FIELD": "LENGTH",
                "COUNT_FIELD": "COUNT",
                "OUTPUT": str(out),
            },
            ellipsoid="NONE",
        )
        summed = gpd.read_file(out, ignore_geometry=True)
        return summed.set_index("adcode")["LENGTH"].astype(float) / 1000.0

    try:
        timing, theirs = measure(run_qgis, repeat)
    except RuntimeError as exc:
        return peer_result(None, error=str(exc))
    return peer_result(timing, **_check("qgis_process", spec.tag, ours, theirs))
