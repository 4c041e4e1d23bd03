"""`atlas indicators`: the same tables as the page, by suffix, with the clause of every column."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from _osm import lonlat, osm_xml

import cli


@pytest.fixture
def scene(tmp_path):
    """A street with a kindergarten at 150 m, a clinic only up steps, and two communities."""
    nodes = {
        1: (0, 0, {}),
        2: (600, 0, {}),
        3: (150, 0, {"amenity": "kindergarten", "name": "街边幼儿园"}),
        4: (0, 250, {"amenity": "clinic"}),
        5: (-100, -100, {}),
        6: (700, -100, {}),
        7: (700, 400, {}),
    }
    ways = {
        100: ([1, 3, 2], {"highway": "footway"}),
        101: ([1, 4], {"highway": "steps"}),
        900: ([5, 6, 7], {"highway": "footway"}),
    }
    osm = osm_xml(nodes, ways, tmp_path / "scene.osm")
    rows = ["小区名称,所属城市,所属区县,户数,经度,纬度,坐标系"]
    for name, (x, y) in {"甲小区": (0, 0), "乙小区": (600, 0)}.items():
        lon, lat = lonlat(x, y)
        rows.append(f"{name},新乡市,延津县,100,{lon},{lat},wgs84")
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("\n".join(rows), encoding="utf-8")
    return ledger, osm


def test_xlsx_has_every_table_and_the_clause_of_every_column(scene, tmp_path, capsys):
    ledger, osm = scene
    out = tmp_path / "out.xlsx"
    argv = ["indicators", "--projects", str(ledger), "--osm", str(osm), "--out", str(out)]
    assert cli.main([*argv, "--profile", "wheelchair", "--radius", "kindergarten=500"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["profile"] == "wheelchair" and summary["communities"] == 2
    assert summary["status"]["community_health"] == {"unreachable": 2}
    sheets = pd.read_excel(out, sheet_name=None)
    assert set(sheets) == {"communities", "districts", "cities", "sources"}
    communities = sheets["communities"].set_index("name")
    assert communities.loc["甲小区", "dist_kindergarten_m"] == pytest.approx(150, abs=0.05)
    assert communities.loc["乙小区", "dist_kindergarten_m"] == pytest.approx(450, abs=0.05)
    assert bool(communities.loc["乙小区", "pass_kindergarten"]) is True  # 500 m, a setting
    # Unreachable by wheelchair: empty, never 0.
    assert communities["dist_community_health_m"].isna().all()
    sources = sheets["sources"].set_index("column")
    row = sources.loc["dist_kindergarten_m"]
    assert row["code"] == "GB 50180-2018" and row["radius_m"] == 500 and bool(row["setting"])
    assert sheets["districts"]["clause_kindergarten"].str.startswith("GB 50180-2018").all()


def test_geojson_by_suffix_and_a_bad_radius_says_how(scene, tmp_path, capsys):
    ledger, osm = scene
    out = tmp_path / "out.geojson"
    argv = ["indicators", "--projects", str(ledger), "--osm", str(osm), "--out", str(out)]
    assert cli.main(argv) == 0
    feature = json.loads(out.read_text(encoding="utf-8"))["features"][0]["properties"]
    assert feature["dist_community_health_m"] == pytest.approx(250, abs=0.05)  # on foot
    assert (tmp_path / "out-districts.geojson").is_file()
    capsys.readouterr()
    assert cli.main([*argv, "--radius", "kindergarten"]) == 2
    assert "Expected --radius CATEGORY=METRES" in capsys.readouterr().err
    assert cli.main([*argv[:-1], str(tmp_path / "out.csv")]) == 2
    assert "Expected --out to end in .gpkg, .geojson, .json, .xlsx" in capsys.readouterr().err
