"""
Write synthetic-survey-xinxiang.geojson: a made-up accessibility survey. Not real data.

Run from the repository root with `.venv/bin/python data/examples/make_synthetic_survey.py`.
For three Xinxiang districts it lays a street grid (600 m blocks, seed 2024) over the whole
district, and records each block edge inside it as a sidewalk; a share of them (90%,
60%, 30% by district) also as tactile paving. Curb ramps sit at some corners, bus stops along
some streets (a share of them accessible), and a few accessible toilets and elevators. The
other Xinxiang districts have no survey, so the app shows them as "no data" once the survey
is declared to cover 卫滨区, 红旗区 and 牧野区. Three rows carry
deliberate problems (an unknown type, a sidewalk given as a point, HTML in a name) so the
quarantine and the escaping have something to show. Every feature says it is synthetic.
Coordinates are WGS84 (RFC 7946).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pyproj
import shapely

from geo import boundaries, crs

OUT = Path(__file__).with_name("synthetic-survey-xinxiang.geojson")
SYNTHETIC = "合成示例，非真实调查 (synthetic)"
TACTILE_SHARE = {"卫滨区": 0.9, "红旗区": 0.6, "牧野区": 0.3}
BLOCK_M = 600.0


def _feature(kind: str, geometry, name: str, number: int) -> dict:
    return {
        "type": "Feature",
        "properties": {
            "编号": f"S{number:05d}",
            "设施类型": kind,
            "名称": name,
            "数据性质": SYNTHETIC,
        },
        "geometry": shapely.geometry.mapping(geometry) if geometry is not None else None,
    }


def _grid(bounds: tuple[float, float, float, float]) -> tuple[list, list]:
    """Block edges (lines) and corners (points) of a square grid over ``bounds``."""
    minx, miny, maxx, maxy = (round(b / BLOCK_M) * BLOCK_M for b in bounds)
    edges, corners = [], []
    for x in np.arange(minx, maxx + 1, BLOCK_M):
        for y in np.arange(miny, maxy + 1, BLOCK_M):
            corners.append(shapely.Point(x, y))
            edges.append(shapely.LineString([(x, y), (x + BLOCK_M, y)]))
            edges.append(shapely.LineString([(x, y), (x, y + BLOCK_M)]))
    return edges, corners


def _project(geometry, transformer):
    return shapely.transform(
        geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )


def _district_features(district, outline_m, share, rng, to_wgs, features: list) -> None:
    """Sidewalks, tactile paving, stops and ramps on a grid of blocks, then toilets and lifts."""
    edges, corners = _grid(outline_m.bounds)
    for edge in edges:
        if not outline_m.contains(edge):
            continue
        line = _project(edge, to_wgs)
        features.append(_feature("人行道", line, f"{district}人行道", len(features)))
        if rng.random() < share:
            features.append(_feature("盲道", line, f"{district}盲道", len(features)))
        if rng.random() < 0.15:
            stop = _project(edge.interpolate(0.5, normalized=True), to_wgs)
            kind = "无障碍公交站" if rng.random() < share else "公交站"
            features.append(_feature(kind, stop, f"{district}公交站", len(features)))
    for corner in corners:
        if outline_m.contains(corner) and rng.random() < share:
            ramp = _project(corner, to_wgs)
            features.append(_feature("缘石坡道", ramp, f"{district}路口", len(features)))
    inside = [c for c in corners if outline_m.contains(c)]
    for kind, count in (("无障碍厕所", 3), ("电梯", 2)):
        for k in rng.choice(len(inside), size=count, replace=False):
            point = _project(inside[int(k)], to_wgs)
            features.append(_feature(kind, point, f"{district}{kind}", len(features)))


def main() -> None:
    rng = np.random.default_rng(2024)
    districts = boundaries.load_boundaries("district")
    xinxiang = districts[districts["city"] == "新乡市"].set_index("district")
    metric = crs.metric_crs([113.9], [35.3])
    to_m = pyproj.Transformer.from_crs("EPSG:4326", metric, always_xy=True)
    to_wgs = pyproj.Transformer.from_crs(metric, "EPSG:4326", always_xy=True)
    features: list = []
    for district, share in TACTILE_SHARE.items():
        outline_m = _project(xinxiang.loc[district].geometry, to_m).buffer(-100)
        _district_features(district, outline_m, share, rng, to_wgs, features)
    probe = features[0]["geometry"]["coordinates"][0]
    features += [
        _feature("路灯", shapely.Point(probe), "类型未知的设施", len(features)),
        _feature("人行道", shapely.Point(probe), "以点表示的人行道", len(features)),
        _feature("缘石坡道", shapely.Point(probe), "<img src=x onerror=alert(1)>", len(features)),
    ]
    collection = {"type": "FeatureCollection", "features": features}
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    # Six decimals (~10 cm), as RFC 7946 suggests; keeps the file small.
    text = re.sub(r"(\d+\.\d{6})\d+", r"\1", text)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {len(features)} features to {OUT}")


if __name__ == "__main__":
    main()
