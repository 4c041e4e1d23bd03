"""Hand-built OSM XML scenes in metres, placed in 新乡 (EPSG:4547, central meridian 114°E)."""

from __future__ import annotations

import warnings
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pandas as pd
import pyproj
import shapely

from geo import infra

# A metre grid whose origin sits at about 114.0°E, 35.2°N; the network's metric CRS is this one.
EPSG = 4547
X0, Y0 = 500_000.0, 3_896_000.0
_TO_LONLAT = pyproj.Transformer.from_crs(EPSG, "EPSG:4326", always_xy=True)


def lonlat(x: float, y: float) -> tuple[float, float]:
    """WGS84 lon, lat of the scene's point (x, y) metres, to OSM's 7 decimals."""
    lon, lat = _TO_LONLAT.transform(X0 + x, Y0 + y)
    return round(lon, 7), round(lat, 7)


def osm_xml(nodes: dict[int, tuple], ways: dict[int, tuple], path: Path) -> Path:
    """
    Write OSM XML: ``nodes`` id → (x, y, tags), ``ways`` id → (node ids, tags).

    Coordinates have OSM's 7 decimals (about 1 cm), so lengths are the scene's within 2 cm.
    Elements are written in id order, as OSM exports are (libosmium assembles areas only
    from sorted files).
    """
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for node_id, (x, y, tags) in sorted(nodes.items()):
        lon, lat = lonlat(x, y)
        body = "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())
        lines.append(
            f'<node id="{node_id}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">{body}</node>'
        )
    for way_id, (refs, tags) in sorted(ways.items()):
        body = "".join(f'<nd ref="{r}"/>' for r in refs)
        body += "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())
        lines.append(f'<way id="{way_id}" version="1">{body}</way>')
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def wall_scene(shortcut: dict[str, str] | None = None, *, kerb: str | None = None) -> tuple:
    """
    A 100 m straight line that is a 900 m walk: A(0,0) → B(400,0) → C(400,100) → D(0,100).

    A wall (barrier=wall, not a highway) runs between A and D; a footway along three sides
    of (-100, -100)–(500, 200), joined to nothing, makes that box the extent of both the
    network and the infrastructure. ``shortcut`` adds a way
    A → S(-20,50) → D with those tags (107.70 m); ``kerb`` tags S as a kerb of that kind.
    An accessible bus stop stands on D.
    """
    nodes = {
        1: (0, 0, {}),
        2: (400, 0, {}),
        3: (400, 100, {}),
        4: (0, 100, {"highway": "bus_stop", "wheelchair": "yes", "name": "站"}),
        10: (-50, 50, {}),
        11: (350, 50, {}),
        20: (-100, -100, {}),
        21: (500, -100, {}),
        22: (500, 200, {}),
        23: (-100, 200, {}),
    }
    ways = {
        100: ([1, 2, 3, 4], {"highway": "footway"}),
        101: ([10, 11], {"barrier": "wall"}),
        900: ([20, 21, 22, 23], {"highway": "footway", "name": "外围步道"}),
    }
    if shortcut is not None:
        nodes[5] = (-20, 50, {"barrier": "kerb", "kerb": kerb} if kerb else {})
        ways[102] = ([1, 5, 4], shortcut)
    return nodes, ways


def assert_layer_reads_as_pyogrio_frame(path: Path) -> None:
    """Each layer read_osm reads holds the cells and geometries of pyogrio's own frame."""
    from geo.io import gdal as _gdal

    options = infra._osm_options(path)
    for layer, kwargs in (
        ("points", {}),
        ("lines", {}),
        ("multipolygons", {"on_invalid": "ignore", "where": infra._AREA_WHERE}),
    ):
        read = infra._read_layer(path, layer, path.name, options, **kwargs)
        frame, geometry = pd.DataFrame(read.cells, dtype=object), read.geometry
        with warnings.catch_warnings():
            # Rings an extract leaves open: GDAL warns per ring, as read_osm hears it.
            warnings.filterwarnings("ignore", category=RuntimeWarning, module="pyogrio")
            expected = _gdal.read_own(path, "OSM", options, layer=layer, use_arrow=False, **kwargs)
        assert list(frame.columns) == [c for c in expected.columns if c != "geometry"]
        assert len(frame) == len(expected) == len(geometry)
        for column in frame.columns:
            missing = expected[column].isna().to_numpy()
            assert (frame[column].isna().to_numpy() == missing).all(), column
            cells = frame[column].to_numpy(dtype=object)[~missing]
            assert cells.tolist() == expected[column].to_numpy(dtype=object)[~missing].tolist()
        assert shapely.to_wkb(geometry).tolist() == shapely.to_wkb(expected.geometry).tolist()
