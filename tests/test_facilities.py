"""Tests for geo/facilities.py: the registry as data, OSM tags, the bureau's facilities file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _osm import lonlat, osm_xml

from geo import facilities
from geo.errors import InputError

REPO = Path(__file__).resolve().parent.parent
REGISTRY = facilities.load_registry()


def test_registry_cites_a_standard_clause_and_edition_for_every_category():
    assert len(REGISTRY.categories) >= 8
    for key, category in REGISTRY.categories.items():
        standard = REGISTRY.standards[category.standard]
        assert standard.code and standard.edition and category.clause, key
        assert category.radius_m > 0 and category.osm and category.words, key
        assert REGISTRY.citation(key).startswith(standard.code)
    assert [c.radius_m for c in REGISTRY.life_circles] == [300, 500, 1000]
    park = REGISTRY.categories["park"]
    assert [(t.min_area_m2, t.radius_m) for t in park.rules] == [(5000, 500), (2000, 300)]


def test_data_readme_lists_the_registry_and_what_could_not_be_checked():
    text = (REPO / "data" / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## lifecircle.toml") :]
    assert "setting" in section and "not checked" in section
    for key in REGISTRY.categories:
        assert f"`{key}`" in section, key


def test_a_radius_changed_by_the_planner_is_a_setting():
    changed = REGISTRY.with_radii({"park": 400, "kindergarten": 500})
    assert changed.categories["kindergarten"].radius_m == 500
    assert changed.categories["kindergarten"].setting
    assert [t.radius_m for t in changed.categories["park"].rules] == [400, 240]
    assert not REGISTRY.categories["kindergarten"].setting  # the loaded one is unchanged
    with pytest.raises(facilities.RegistryError, match="Expected a facility category among"):
        REGISTRY.with_radii({"library": 300})
    with pytest.raises(facilities.RegistryError, match="above 0 for park"):
        REGISTRY.with_radii({"park": 0})


def test_a_registry_citing_an_unknown_standard_is_refused(tmp_path):
    text = (REPO / "data" / "lifecircle.toml").read_text(encoding="utf-8")
    broken = tmp_path / "registry.toml"
    broken.write_text(text.replace('standard = "gb50180"', 'standard = "gb99999"', 1), "utf-8")
    with pytest.raises(facilities.RegistryError, match="'gb99999'"):
        facilities.load_registry(broken)


@pytest.mark.parametrize(
    ("tags", "categories"),
    [
        ({"amenity": "kindergarten", "name": "第一幼儿园"}, ["kindergarten"]),
        ({"amenity": "school", "name": "胜利路小学"}, ["primary_school"]),
        ({"amenity": "school", "name": "新乡市第一中学"}, ["middle_school"]),
        ({"amenity": "school", "name": "新乡市高级中学"}, []),
        ({"amenity": "school", "name": "实验学校"}, []),
        ({"amenity": "social_facility", "social_facility:for": "senior"}, ["elderly_care"]),
        ({"amenity": "social_facility", "social_facility:for": "homeless"}, []),
        ({"amenity": "doctors"}, ["community_health"]),
        ({"amenity": "hospital"}, ["health_centre"]),
        ({"railway": "station", "station": "subway"}, ["metro_station"]),
        ({"railway": "station"}, []),
    ],
)
def test_osm_tags_name_categories(tmp_path, tags, categories):
    nodes = {1: (0, 0, tags), 2: (50, 0, {})}
    path = osm_xml(nodes, {3: ([1, 2], {"highway": "footway"})}, tmp_path / "t.osm")
    found = facilities.read_osm_facilities(path, registry=REGISTRY, extent=None)
    assert found.features["category"].tolist() == categories
    assert found.features["source_id"].tolist() == ["node/1"] * len(categories)


def test_a_refused_osm_file_says_why(tmp_path):
    path = tmp_path / "bad.osm"
    path.write_text('<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY a "x">]><osm></osm>')
    with pytest.raises(InputError, match="declares a DOCTYPE"):
        facilities.read_osm_facilities(path, registry=REGISTRY, extent=None)


HEADER = "编号,名称,设施类别,地址,经度,纬度,坐标系,面积（m²）"


def _read(tmp_path: Path, rows: list[str], **options) -> facilities.Facilities:
    path = tmp_path / "facilities.csv"
    path.write_text("\n".join([HEADER, *rows]), encoding="utf-8")
    return facilities.read_facility_file(path, registry=REGISTRY, **options)


def test_facilities_file_rows_end_clean_or_quarantined_with_a_reason(tmp_path):
    lon, lat = lonlat(0, 0)
    rows = [
        f"F1,阳光幼儿园,幼儿园,,{lon},{lat},wgs84,",
        f'F2,=HYPERLINK("x"),社区卫生服务站,,{lon},{lat},wgs84,',
        f"F3,人民公园,公园,,{lon},{lat},wgs84,12000",
        f"F4,小游园,公园,,{lon},{lat},wgs84,",
        f"F5,某图书馆,图书馆,,{lon},{lat},wgs84,",
        f"F6,无类别,,,{lon},{lat},wgs84,",
        "F7,地址幼儿园,幼儿园,河南省新乡市卫滨区健康路18号,,,,",
        f"F8,填反,托儿所,,{lat},{lon},wgs84,",
        f"F9,面积不明,公园,,{lon},{lat},wgs84,约3000",
    ]
    found = _read(tmp_path, rows, covers=None)
    assert found.features["source_id"].tolist() == ["F1", "F2", "F3"]
    assert found.features["category"].tolist() == ["kindergarten", "community_health", "park"]
    # A formula-like name stays text here; files written from it neutralise it.
    assert found.features["name"].iloc[1] == '=HYPERLINK("x")'
    assert found.features["area_m2"].iloc[2] == 12000
    reasons = dict(zip(found.quarantine["row"], found.quarantine["reason"], strict=True))
    assert reasons == {
        5: "no_area",
        6: "unknown_category",
        7: "missing_category",
        8: "no_point",
        9: "swapped_lon_lat",
        10: "bad_area",
    }
    assert len(found.features) + len(found.quarantine) == len(rows)
    quarantined = found.quarantine.set_index("row")
    assert quarantined.loc[6, "detail_zh"] == "'图书馆'"
    assert quarantined.loc[8, "detail_zh"] == "'河南省新乡市卫滨区健康路18号'"
    assert quarantined.loc[8, "名称"] == "地址幼儿园"  # every raw cell kept


def test_coordinates_without_a_datum_are_refused_not_guessed(tmp_path):
    path = tmp_path / "f.csv"
    lon, lat = lonlat(0, 0)
    path.write_text(f"名称,设施类别,经度,纬度\n甲,幼儿园,{lon},{lat}\n", encoding="utf-8")
    with pytest.raises(InputError, match="Expected the datum of the coordinates"):
        facilities.read_facility_file(path, registry=REGISTRY)
    found = facilities.read_facility_file(path, registry=REGISTRY, crs_name="gcj02")
    # GCJ-02 in, WGS84 out: about 500 m west-south-west in 新乡.
    point = found.features.geometry.iloc[0]
    shift = np.hypot(point.x - lon, point.y - lat)
    assert 0.002 < shift < 0.01


def test_a_file_without_a_category_column_says_what_to_add(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("名称,经度,纬度\n甲,114,35\n", encoding="utf-8")
    with pytest.raises(InputError, match="Expected a column naming each facility's category"):
        facilities.read_facility_file(path, registry=REGISTRY)


def test_the_file_covers_the_districts_its_facilities_lie_in():
    rows = ["名称,设施类别,经度,纬度,坐标系", "卫滨幼儿园,幼儿园,113.8383,35.2741,wgs84"]
    found = facilities.read_facility_file(
        "\n".join(rows).encode("utf-8"), name="f.csv", registry=REGISTRY
    )
    extent = found.extent("kindergarten")
    from geo import boundaries

    weibin = boundaries.load_boundaries("district", adcodes=["410703"]).geometry.iloc[0]
    assert extent is not None and extent.equals(weibin)
    assert found.extent("nursery") is None  # the file lists no nursery anywhere


@pytest.mark.parametrize(
    ("source", "code"),
    [(lambda tmp: tmp / "gone.osm.pbf", "osm_missing"), (lambda tmp: b"x" * 101, "osm_bytes")],
)
def test_an_extract_refused_before_reading_has_its_code(tmp_path, monkeypatch, source, code):
    # Worded in the app's language by layers.wording.error_text, not English after Chinese.
    from geo.io import osm as _osm
    from layers.wording import error_text

    monkeypatch.setattr(_osm, "MAX_OSM_BYTES", 100)
    with pytest.raises(InputError) as error:
        facilities.read_osm_facilities(
            source(tmp_path), registry=REGISTRY, extent=None, name="gone.osm.pbf"
        )
    assert error.value.code == code
    worded = ("找不到 OSM 数据 gone.osm.pbf", "gone.osm.pbf 超过")
    assert error_text(error.value, "zh").startswith(worded)
