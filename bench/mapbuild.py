"""
Map build: folium HTML payload bytes and build time for the views a planner opens.

Each view is built as the map and accessibility pages build it (:func:`layers.view.view_map`
with the reported households, and the ledger's communities; :func:`layers.maps.coverage_map`
with the coverage metrics and every infrastructure feature) and rendered to the HTML
Streamlit sends to the browser. Timed: the map call plus ``render()``, warm (the page's
simplified outlines are cached after the first build, as in the app). Payload: the rendered
HTML's UTF-8 bytes, against the issue's 2 MB ceiling. There is no peer: the number is the
payload itself.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from bench import synthetic
from bench.timing import ATLAS, measure, peer_result
from geo import boundaries, coverage, figures, gazetteer, records
from geo.infra import Infra

TITLE = "Map build: HTML payload and build time per view"
PAYLOAD_LIMIT = 2 * 2**20


def _figure_view(cities: tuple[str, ...], projects=None):
    """A function that builds the map page's map of ``cities``, with ``projects`` drawn."""
    from layers.view import View, view_map

    view = View(cities=cities)
    reported = figures.load_figures()

    def build() -> int:
        fmap = view_map(view, reported, projects=projects)
        return len(fmap.get_root().render().encode("utf-8"))

    return build


def _coverage_view(spec: synthetic.Spec):
    """The accessibility page's map over the seed cities, with every feature drawn."""
    from layers.maps import coverage_map

    features = gpd.read_parquet(synthetic.infra_path(spec))
    districts = synthetic.region_districts(spec.region)
    # The survey is declared to cover every seed district, so every metric is drawn.
    extent = shapely.box(*districts.total_bounds).buffer(0.1)
    quarantine = pd.DataFrame(columns=["row", "reason"])
    infra = Infra(features, extent, quarantine, synthetic.infra_path(spec).name, "survey")
    table = coverage.district_metrics(infra, districts)

    def build() -> int:
        fmap = coverage_map(table, "tactile_km", infra=features)
        return len(fmap.get_root().render().encode("utf-8"))

    return build


def _ledger_projects(spec: synthetic.Spec) -> gpd.GeoDataFrame:
    return records.read_ledger(synthetic.ledger_path(spec)).projects


def views(full: bool) -> dict[str, object]:
    """View name → builder. Projects come from the synthetic ledgers (five seed cities)."""
    seed = tuple(boundaries.SEED_CITIES)
    henan = tuple(gazetteer.list_cities("河南省")["city"])
    china = tuple(gazetteer.list_cities()["city"].drop_duplicates())
    chosen = {
        "city: 新乡市": lambda: _figure_view(("新乡市",)),
        "seed cities (default view)": lambda: _figure_view(seed),
        "province: 河南省": lambda: _figure_view(henan),
        "all China": lambda: _figure_view(china),
        "seed cities + 10k ledger points": lambda: _figure_view(
            seed, _ledger_projects(synthetic.LEDGER_SPECS[0])
        ),
        "coverage: seed cities + 100k features": lambda: _coverage_view(synthetic.INFRA_SPECS[0]),
    }
    if full:
        chosen["seed cities + 100k ledger points"] = lambda: _figure_view(
            seed, _ledger_projects(synthetic.LEDGER_SPECS[1])
        )
    return chosen


def run(*, full: bool, repeat: int, qgis: bool) -> dict:
    results = []
    for name, prepare in views(full).items():
        entry = {"case": name, "unit": "bytes", "peers": {}}
        try:
            timing, payload = measure(prepare(), repeat)
        # The pages change often: a view that no longer builds is reported, not fatal.
        except (ImportError, TypeError, KeyError, ValueError, AttributeError) as exc:
            entry["peers"][ATLAS] = peer_result(None, error=f"{type(exc).__name__}: {exc}")
            results.append(entry)
            continue
        entry["size"] = payload
        entry["payload_bytes"] = payload
        entry["within_limit"] = payload <= PAYLOAD_LIMIT
        entry["peers"][ATLAS] = peer_result(timing, payload_bytes=payload)
        results.append(entry)
    return {"job": "mapbuild", "title": TITLE, "cases": results, "limit_bytes": PAYLOAD_LIMIT}
