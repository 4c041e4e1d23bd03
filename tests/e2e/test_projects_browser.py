"""In Chromium: ledger communities cluster, and popups read as text, from 6 points to the cap."""

from __future__ import annotations

import time

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from layers.assets import use_local_leaflet
from layers.offline import offline_html
from layers.projects import MAX_POINTS_DRAWN, projects_layer
from layers.wording import format_value, label
from tests.e2e.conftest import ARTIFACTS
from tests.test_projects import PAYLOADS, projects

pytestmark = pytest.mark.browser

# Records when the first cluster bubble enters the page, on the page's own clock.
WATCH_CLUSTERS = """
window.firstCluster = null;
new MutationObserver((changes, observer) => {
    if (document.querySelector(".marker-cluster")) {
        window.firstCluster = performance.now();
        observer.disconnect();
    }
}).observe(document, {childList: true, subtree: true});
"""
# Opens the popup of every community drawn on the map; returns the popups' text.
OPEN_EVERY_POPUP = """map => {
    const texts = [];
    window[map].eachLayer(layer => {
        if (layer instanceof L.CircleMarker && layer.getPopup()) {
            layer.openPopup();
            texts.push(layer.getPopup().getElement().querySelector(".leaflet-popup-content").innerText);
        }
    });
    return texts;
}"""
COMMUNITY = "path.leaflet-interactive[fill='#1f78b4']"


def open_map(page, tmp_path, frame: gpd.GeoDataFrame, *, lang: str = "zh", zoom: int = 12):
    """
    Write ``frame``'s layer on an offline map to a file and open it.

    Returns the JavaScript names of the map and of the cluster group.
    """
    lon, lat = frame.geometry.x.mean(), frame.geometry.y.mean()
    fmap = folium.Map(tiles=None, maxZoom=18, location=[lat, lon], zoom_start=zoom)
    layer = projects_layer(frame, lang=lang).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    path = tmp_path / f"projects-{lang}.html"
    path.write_text(offline_html(use_local_leaflet(fmap)), encoding="utf-8")
    page.add_init_script(WATCH_CLUSTERS)
    page.goto(path.as_uri())
    return fmap.get_name(), layer.get_name()


def expected_popup(row: pd.Series, lang: str) -> str:
    """The popup's text as Python formats each value: what the browser must show."""
    colon = "：" if lang == "zh" else ": "
    lines = [row["name"], f"{label('district_col', lang)}{colon}{row['district']}"]
    lines.append(
        f"{label('households_col', lang)}{colon}"
        f"{format_value(row['households'], 'households', lang)}"
    )
    content = "加装电梯、<b>外墙</b>" if lang == "zh" else "Elevator retrofit, <b>外墙</b>"
    lines.append(f"{label('content_col', lang)}{colon}{content}")
    lines.append(f"{label('status', lang)}{colon}{label('completed', lang)}")
    for kind in ("accessible_bus_stop", "curb_ramp"):
        metres = round(row[f"dist_{kind}_m"]) if pd.notna(row[f"dist_{kind}_m"]) else np.nan
        lines.append(f"{label(f'nearest_{kind}', lang)}{colon}{format_value(metres, 'm', lang)}")
    lines.append(f"{label('ledger_row', lang)}{colon}{row['row']}")
    return "\n".join(lines)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_popups_format_values_as_python_does_and_show_payloads_as_text(page, tmp_path, lang):
    frame = projects([*PAYLOADS, "幸福小区", "和平小区"])  # 7 communities
    frame["households"] = pd.array([None, 0, 1234, 12345, 1234567, 120, 99999], dtype="Int64")
    frame["dist_accessible_bus_stop_m"] = [np.nan, 0.0, 0.4, 230.5, 1234.4, 99999.6, 7.0]
    frame["dist_curb_ramp_m"] = [87.0, np.nan, np.nan, 1.5, 2.5, 10_000.0, 0.5]
    map_name, _ = open_map(page, tmp_path, frame, lang=lang, zoom=17)
    page.locator(COMMUNITY).first.wait_for()
    assert page.locator(COMMUNITY).count() == len(frame)  # at street level, none clustered
    texts = sorted(page.evaluate(OPEN_EVERY_POPUP, map_name))
    assert texts == sorted(expected_popup(row, lang) for _, row in frame.iterrows())
    # Spot checks of the rules the comparison relies on: no data is never 0, 万 from 10,000.
    if lang == "zh":
        assert any("户数：无数据" in text for text in texts)
        assert any("户数：1.23 万户" in text for text in texts)  # 万 with two decimals
        assert any("最近缘石坡道：87 米" in text for text in texts)
    assert page.locator("img, svg[onload], .leaflet-popup svg").count() == 0
    assert page.dialogs == [] and page.errors == []


def many_communities(count: int, seed: int = 7) -> gpd.GeoDataFrame:
    """``count`` random communities around 新乡; the first is hostile, the rest plain."""
    rng = np.random.default_rng(seed)
    lon, lat = rng.uniform(113.7, 114.1, count), rng.uniform(35.2, 35.4, count)
    households = pd.array(rng.integers(20, 3000, count), dtype="Int64")
    households[rng.random(count) < 0.05] = pd.NA
    frame = gpd.GeoDataFrame(
        {
            "row": np.arange(2, count + 2),
            "name": pd.array([f"小区{i}" for i in range(count)], dtype="string"),
            "district": rng.choice(["卫滨区", "红旗区", "牧野区", "凤泉区"], count),
            "city": "新乡市",
            "households": households,
            "content_tags": rng.choice(["elevator", "elevator|<b>外墙</b>", "pipes"], count),
            "status": rng.choice(["plan", "started", "completed"], count),
            "year": rng.integers(2019, 2025, count),
            "dist_curb_ramp_m": rng.uniform(0, 3000, count),
            "located": "point",
        },
        geometry=shapely.points(lon, lat),
        crs="EPSG:4326",
    )
    frame.loc[0, ["name", "households", "content_tags", "status"]] = (
        PAYLOADS[0], pd.NA, "elevator|<b>外墙</b>", "completed"
    )  # fmt: skip
    frame.loc[0, "dist_curb_ramp_m"] = np.nan
    return frame


def test_communities_up_to_the_cap_cluster_and_open_a_popup_at_street_level(page, tmp_path):
    # Every community is drawn up to MAX_POINTS_DRAWN (above it, one marker per district).
    frame = many_communities(MAX_POINTS_DRAWN)
    started = time.monotonic()
    map_name, group_name = open_map(page, tmp_path, frame, zoom=11)
    page.locator(".marker-cluster").first.wait_for()
    seconds = time.monotonic() - started
    clusters_at = page.evaluate("() => window.firstCluster")
    print(
        f"{len(frame)}: first cluster {clusters_at:.0f} ms after navigation ({seconds:.1f} s here)"
    )
    assert page.evaluate("group => window[group].getLayers().length", group_name) == len(frame)
    counts = page.locator(".marker-cluster span").all_inner_texts()
    assert sum(map(int, counts)) <= len(frame) and len(counts) > 0
    assert (
        f"台账小区 ({MAX_POINTS_DRAWN})"
        in page.locator(".leaflet-control-layers-overlays").inner_text()
    )

    # Street level at the hostile community: its cluster splits; point at it as a user would.
    # (Returning nothing: Playwright would serialise a returned map, every marker and all.)
    place = {"map": map_name, "group": group_name, "lat": frame.geometry.y[0]}
    place["lon"] = frame.geometry.x[0]
    page.evaluate(
        """({map, group, lat, lon}) => {
            window[map].setView([lat, lon], 17, {animate: false});
            window.hostile = window[group].getLayers().find(marker => marker.index === 0);
        }""",
        place,
    )
    page.wait_for_function(
        "() => window.hostile.getElement() && window.hostile.getElement().getBBox().width > 0"
    )
    x, y = page.evaluate(
        """({map, lat, lon}) => {
            const box = window[map].getContainer().getBoundingClientRect();
            const at = window[map].latLngToContainerPoint([lat, lon]);
            return [box.left + at.x, box.top + at.y];
        }""",
        place,
    )
    page.mouse.move(x, y)
    assert page.locator(".leaflet-tooltip").inner_text() == PAYLOADS[0]
    page.mouse.click(x, y)
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert popup.split("\n") == [
        PAYLOADS[0],
        f"区县：{frame['district'][0]}",
        "户数：无数据",
        "改造内容：加装电梯、<b>外墙</b>",
        "状态：已完成",
        "最近缘石坡道：无数据",
        "台账行号：2",
    ]
    page.wait_for_function(  # the popup has faded in
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    page.screenshot(path=str(ARTIFACTS / "projects-many.png"))
    assert page.locator("img, svg[onload], .leaflet-popup svg").count() == 0
    assert page.dialogs == [] and page.errors == []
