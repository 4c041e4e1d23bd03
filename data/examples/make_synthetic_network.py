"""
Write synthetic-network-xinxiang.osm.pbf: a made-up street network with facilities. Not real.

Run from the repository root with `.venv/bin/python data/examples/make_synthetic_network.py`.
Over the WGS84 outlines of 卫滨区, 红旗区 and 牧野区 (凤泉区 is left out, so its communities in
the example ledger read "no data") it lays a street grid of 200 m blocks (seed 2025): every
fifth line a main road, the rest residential streets; 6 % of the segments missing (walled
compounds, rail lines), 3 % of them steps, and a raised kerb at 2 % of the crossings, so a
wheelchair's distances differ from a walker's (a lowered kerb, a curb ramp, at 10 %).
Facilities of the life-circle standards stand 20-60 m off the streets, denser in 卫滨区
than in 红旗区 and 牧野区; parks are closed ways of 1,500-60,000 m²; bus stops sit along the
main roads. There is no metro (新乡 has none), so
that category reads "not in the data". Every way and facility says it is synthetic
(`note=合成示例，非真实路网 (synthetic)`, `synthetic=yes`), as does the file's name.
The same seed writes the same bytes.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import osmium
import pyproj
import shapely

from geo import boundaries, crs

OUT = Path(__file__).with_name("synthetic-network-xinxiang.osm.pbf")
NOTE = "合成示例，非真实路网 (synthetic)"
SYNTHETIC = {"note": NOTE, "synthetic": "yes"}
DISTRICTS = ("卫滨区", "红旗区", "牧野区")
BLOCK_M = 200.0
#: Facilities per km² in 卫滨区, 红旗区, 牧野区, and the tags and names that make each.
DENSITY = {
    "kindergarten": ((10.0, 4.0, 1.5), {"amenity": "kindergarten"}, "幼儿园"),
    "nursery": ((8.0, 2.5, 0.0), {"amenity": "childcare"}, "托育园"),
    "elderly_care": (
        (8.0, 3.0, 1.0),
        {
            "amenity": "social_facility",
            "social_facility": "day_care",
            "social_facility:for": "senior",
        },
        "老年服务站",
    ),
    "community_health": ((10.0, 4.0, 1.5), {"amenity": "doctors"}, "社区卫生服务站"),
    "community_service": ((10.0, 4.0, 1.5), {"amenity": "community_centre"}, "社区综合服务站"),
    "primary_school": ((3.0, 1.5, 1.0), {"amenity": "school"}, "小学"),
    "middle_school": ((1.0, 0.6, 0.4), {"amenity": "school"}, "中学"),
    "health_centre": ((0.5, 0.3, 0.2), {"amenity": "hospital"}, "医院"),
    "market": ((3.0, 1.5, 1.0), {"amenity": "marketplace"}, "菜市场"),
}
PARKS_PER_KM2 = (2.0, 1.0, 0.6)


def _outlines() -> tuple[list, pyproj.Transformer, pyproj.Transformer]:
    districts = boundaries.load_boundaries("district").set_index("district")
    xinxiang = districts[districts["city"] == "新乡市"]
    metric = crs.metric_crs([113.9], [35.3])
    to_m = pyproj.Transformer.from_crs("EPSG:4326", metric, always_xy=True)
    to_wgs = pyproj.Transformer.from_crs(metric, "EPSG:4326", always_xy=True)
    outlines = [
        shapely.transform(
            xinxiang.loc[name].geometry, lambda xy: np.column_stack(to_m.transform(*xy.T))
        ).buffer(-50)
        for name in DISTRICTS
    ]
    return outlines, to_m, to_wgs


def _grid(area, rng) -> tuple[np.ndarray, list]:
    """Grid nodes inside ``area`` (metric) and its segments as (i, j, tags) by row/column."""
    minx, miny, maxx, maxy = area.bounds
    xs = np.arange(np.floor(minx / BLOCK_M), np.ceil(maxx / BLOCK_M) + 1) * BLOCK_M
    ys = np.arange(np.floor(miny / BLOCK_M), np.ceil(maxy / BLOCK_M) + 1) * BLOCK_M
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    inside = shapely.contains_xy(area, gx, gy)
    index = np.full(gx.shape, -1)
    index[inside] = np.arange(inside.sum())
    nodes = np.column_stack([gx[inside], gy[inside]])
    runs = []
    for axis in (0, 1):
        lines = index if axis == 1 else index.T
        for k, line in enumerate(lines):
            main = k % 5 == 0
            for a, b in itertools.pairwise(line):
                if a < 0 or b < 0 or rng.random() < 0.06:
                    runs.append(None)
                    continue
                kind = "secondary" if main else "residential"
                if not main and rng.random() < 0.03:
                    kind = "steps"
                runs.append((int(a), int(b), kind, k, axis))
            runs.append(None)
    return nodes, runs


def _ways(runs: list) -> list[tuple[list[int], dict]]:
    """Consecutive segments of one kind along a line joined into one way."""
    ways, current, kind = [], [], None
    for run in [*runs, None]:
        if run is None or run[2] != kind or (current and current[-1] != run[0]):
            if len(current) > 1:
                ways.append((current, kind))
            current, kind = ([], None) if run is None else ([run[0]], run[2])
        if run is not None:
            current.append(run[1])
    named = []
    for refs, kind in ways:
        tags = {"highway": kind} | SYNTHETIC
        if kind != "steps":
            tags["name"] = f"合成{'大道' if kind == 'secondary' else '街'}"
        named.append((refs, tags))
    return named


def _offset_point(nodes: np.ndarray, rng) -> tuple[float, float]:
    """A point 20-60 m off a random grid node, beside the street."""
    base = nodes[rng.integers(len(nodes))]
    angle = rng.uniform(0, 2 * np.pi)
    return tuple(base + rng.uniform(20, 60) * np.array([np.cos(angle), np.sin(angle)]))


def _facilities(area, nodes, share: int, rng) -> list[tuple[tuple[float, float], dict]]:
    km2 = area.area / 1e6
    out = []
    for density, tags, word in DENSITY.values():
        for k in range(rng.poisson(density[share] * km2)):
            name = f"合成{DISTRICTS[share][:2]}{word}{k + 1}号"
            out.append((_offset_point(nodes, rng), tags | {"name": name} | SYNTHETIC))
    return out


def _parks(area, nodes, share: int, rng) -> list[tuple[np.ndarray, dict]]:
    """Rectangular parks next to the streets, 1,500-60,000 m² (log-uniform)."""
    out = []
    for k in range(rng.poisson(PARKS_PER_KM2[share] * area.area / 1e6)):
        size = float(np.exp(rng.uniform(np.log(1500), np.log(60000))))
        width = min(np.sqrt(size) * rng.uniform(0.7, 1.4), 180.0)
        height = size / width
        x, y = nodes[rng.integers(len(nodes))] + 10
        ring = np.array([(x, y), (x + width, y), (x + width, y + height), (x, y + height)])
        name = f"合成{DISTRICTS[share][:2]}公园{k + 1}号（{size:,.0f} 平方米）"
        out.append((ring, {"leisure": "park", "name": name} | SYNTHETIC))
    return out


def _bus_stops(runs: list, nodes: np.ndarray, rng) -> list[tuple[tuple[float, float], dict]]:
    """A stop on one main-road segment in three, 12 m off the road."""
    out = []
    for run in runs:
        if run is not None and run[2] == "secondary" and rng.random() < 0.33:
            middle = (nodes[run[0]] + nodes[run[1]]) / 2 + 12
            tags = {"highway": "bus_stop", "name": "合成公交站"} | SYNTHETIC
            if rng.random() < 0.5:
                tags["wheelchair"] = "yes"
            out.append((tuple(middle), tags))
    return out


def main() -> None:
    rng = np.random.default_rng(2025)
    outlines, _, to_wgs = _outlines()
    area = shapely.union_all(outlines)
    nodes, runs = _grid(area, rng)
    ways = _ways(runs)
    # 2 % of crossings with a raised kerb (no way for a wheelchair), 10 % lowered (curb ramps).
    kerbs = rng.choice(len(nodes), size=len(nodes) * 12 // 100, replace=False).tolist()
    raised = {k: "raised" for k in kerbs[: len(nodes) // 50]}
    raised |= {k: "lowered" for k in kerbs[len(nodes) // 50 :]}
    points: list = []
    rings: list = []
    for share, outline in enumerate(outlines):
        inside = nodes[shapely.contains_xy(outline, nodes[:, 0], nodes[:, 1])]
        points += _facilities(outline, inside, share, rng)
        rings += _parks(outline, inside, share, rng)
    points += _bus_stops(runs, nodes, rng)
    _write(nodes, ways, raised, points, rings, to_wgs)
    print(
        f"wrote {OUT} ({OUT.stat().st_size:,} bytes): {len(nodes):,} street nodes, "
        f"{len(ways):,} ways, {len(points):,} facilities, {len(rings):,} parks"
    )


def _write(nodes, ways, raised, points, rings, to_wgs) -> None:
    """Nodes (streets, facilities, park corners) in id order, then ways, as OSM PBF."""
    lon, lat = to_wgs.transform(nodes[:, 0], nodes[:, 1])
    records = [
        ((lo, la), {"barrier": "kerb", "kerb": raised[i]} if i in raised else {})
        for i, (lo, la) in enumerate(zip(lon, lat, strict=True))
    ]
    for (x, y), tags in points:
        records.append((to_wgs.transform(x, y), tags))
    park_ways = []
    for ring, tags in rings:
        first = len(records) + 1
        for x, y in ring:
            records.append((to_wgs.transform(x, y), {}))
        park_ways.append(([first, first + 1, first + 2, first + 3, first], tags))
    header = osmium.io.Header()
    header.set("generator", "renovation-atlas make_synthetic_network.py (synthetic)")
    OUT.unlink(missing_ok=True)
    with osmium.SimpleWriter(str(OUT), header=header) as writer:
        for i, ((lo, la), tags) in enumerate(records, start=1):
            location = osmium.osm.Location(round(lo, 7), round(la, 7))
            writer.add_node(osmium.osm.mutable.Node(id=i, location=location, tags=tags))
        every = [([r + 1 for r in refs], tags) for refs, tags in ways] + park_ways
        for k, (refs, tags) in enumerate(every, start=1):
            writer.add_way(osmium.osm.mutable.Way(id=k, nodes=refs, tags=tags))


if __name__ == "__main__":
    main()
