"""The 新乡 example reports the report tests share, each built once per test session."""

from __future__ import annotations

import functools

from geo import infra, records, report
from geo._data import DATA_DIR
from geo.figures import load_figures
from geo.selection import Selection

EXAMPLES = DATA_DIR / "examples"
LEDGER = EXAMPLES / "synthetic-ledger-xinxiang.csv"
SURVEY = EXAMPLES / "synthetic-survey-xinxiang.geojson"
#: Three places: one with figures and data, one with nothing, and the zone without an outline.
PLACES = ("卫滨区", "新乡县", "高新区")


@functools.cache
def example_ledger() -> records.Ledger:
    return records.read_ledger(LEDGER, crs_name="gcj02")


@functools.cache
def example_survey() -> infra.Infra:
    return infra.read_infra(SURVEY)


@functools.cache
def xinxiang(districts: tuple[str, ...] = PLACES, *, data: bool = True) -> report.Report:
    """新乡's report: the seed figures, and with ``data`` the example ledger and survey."""
    options = {}
    if data:
        options = {
            "projects": example_ledger().projects,
            "ledger_source": report.DataSource(LEDGER.name, synthetic=True),
            "infra": example_survey(),
            "infra_source": report.DataSource(SURVEY.name, synthetic=True),
        }
    chosen = Selection(cities=("新乡市",), districts=districts)
    return report.gather_report(load_figures(), chosen, **options)


NETWORK = EXAMPLES / "synthetic-network-xinxiang.osm.pbf"


@functools.cache
def walked(districts: tuple[str, ...] = PLACES) -> report.Report:
    """新乡's report with the example data and the walking shares along the example network."""
    from geo import network

    chosen = Selection(cities=("新乡市",), districts=districts)
    return report.gather_report(
        load_figures(),
        chosen,
        projects=example_ledger().projects,
        ledger_source=report.DataSource(LEDGER.name, synthetic=True),
        infra=example_survey(),
        infra_source=report.DataSource(SURVEY.name, synthetic=True),
        network=network.build_network(NETWORK, use_cache=False),
        network_source=report.DataSource(NETWORK.name, synthetic=True),
    )
