"""`atlas export --gpkg`: the export page's GeoPackage, with the filters of `atlas export`."""

from __future__ import annotations

import json

import pyogrio
import pytest

from cli import main
from geo import coverage, infra, reconcile, records
from geo._data import EXAMPLES_DIR
from geo.figures import load_figures
from layers.export import geopackage_layers
from layers.view import View, export_layers

LEDGER = EXAMPLES_DIR / "synthetic-ledger-xinxiang.csv"
SURVEY = EXAMPLES_DIR / "synthetic-survey-xinxiang.geojson"


@pytest.fixture
def inputs(tmp_path):
    """The example ledger and survey, as `atlas ingest` and `atlas infra` write them."""
    projects, features = tmp_path / "p.gpkg", tmp_path / "i.gpkg"
    args = ["ingest", str(LEDGER), "--crs", "gcj02", "--out", str(projects)]
    assert main([*args, "--report", str(tmp_path / "q.csv")]) == 0
    assert main(["infra", str(SURVEY), "--out", str(features)]) == 0
    return projects, features


def test_export_gpkg_writes_the_pages_layers_of_the_filtered_view(inputs, tmp_path, capsys):
    projects, features = inputs
    capsys.readouterr()
    gpkg, geojson = tmp_path / "view.gpkg", tmp_path / "districts.geojson"
    args = ["export", "--city", "新乡", "--district", "卫滨区", "--from", "2019", "--to", "2023"]
    args += ["--projects", str(projects), "--infra", str(features)]
    assert main([*args, "--gpkg", str(gpkg), "--out", str(geojson)]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0].startswith(f"wrote 1 features to {geojson} ")
    summary = json.loads(said[1])
    # What the export page builds for the same view, data and coverage.
    view = View(cities=("新乡市",), districts=("卫滨区",), years=(2019, 2023))
    figures = load_figures()
    read = records.read_projects(projects)
    found = infra.read_infra(features)
    page = export_layers(
        view,
        figures,
        projects=read,
        reconciliation=reconcile.reconcile(read, figures),
        infra=found.features,
        measured=coverage.measure(read, found, radii=coverage.RADII_M),
    )
    expected = {name: len(frame) for name, frame in geopackage_layers(page).items()}
    assert summary == {"out": str(gpkg), "layers": expected}
    assert list(expected) == [
        "districts", "projects", "reconciliation", "infra_points", "infra_lines", "coverage"
    ]  # fmt: skip
    assert dict(pyogrio.list_layers(gpkg)).keys() == expected.keys()
    written = pyogrio.read_dataframe(gpkg, layer="projects")
    assert set(written["adcode"]) == {"410703"} and len(written) == expected["projects"] > 0
    # The districts layer is the GeoJSON's, filtered alike.
    districts = pyogrio.read_dataframe(gpkg, layer="districts")
    alone = pyogrio.read_dataframe(geojson)
    assert districts["adcode"].tolist() == alone["adcode"].tolist() == ["410703"]


def test_export_gpkg_of_figures_alone_keeps_the_figure_filter(tmp_path, capsys):
    gpkg = tmp_path / "v.gpkg"
    args = ["export", "--city", "新乡市", "--figure", "households", "--gpkg", str(gpkg)]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out) == {"out": str(gpkg), "layers": {"districts": 13}}
    districts = pyogrio.read_dataframe(gpkg, layer="districts")
    assert "households" in districts and "communities" not in districts


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "atlas export: Expected --out FILE.geojson, --gpkg FILE.gpkg, or both.\n"),
        (
            ["--gpkg", "v.geojson"],
            "atlas export: Expected --gpkg to end in .gpkg, got 'v.geojson'.\n",
        ),
    ],
)
def test_export_needs_an_output_of_its_kind(capsys, args, message):
    assert main(["export", "--city", "新乡市", *args]) == 2
    assert capsys.readouterr().err == message
