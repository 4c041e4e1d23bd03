"""In Chromium: the 选址 page sites uploaded candidates on the example network, names as text."""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e.conftest import ARTIFACTS, map_frame, open_app, rerun

pytestmark = pytest.mark.browser

#: Candidates by two communities of the synthetic ledger on the synthetic network (WGS84, as
#: the ledger reads them): 幸西小区 (375 households) and 福西小区 (358), each named with a
#: payload; and one far from every community.
CANDIDATES = (
    ("<img src=x onerror=alert(1)>坡道", (113.834742, 35.302217)),
    ("\"'><svg onload=alert(4)>口", (113.810393, 35.309782)),
    ("远处", (113.60, 35.10)),
)
#: One existing site far from every community: it covers nobody, so both candidates add.
EXISTING = (("已有</script><script>alert(3)</script>", (113.61, 35.11)),)

# The tooltip of every drawn site, opened one by one (folium binds one tooltip to each GeoJson
# group, worded per feature); Leaflet writes its HTML into the page then.
_TIPS = """() => {
    const texts = [];
    window.map.eachLayer(group => {
        if (!group.feature && group.eachLayer && group.getTooltip && group.getTooltip()) {
            group.eachLayer(site => {
                // As a pointer over the site does: the event reaches the group's tooltip.
                site.fire("mouseover", {latlng: site.getLatLng()}, true);
                texts.push(group.getTooltip().getElement().innerText);
            });
        }
    });
    return texts;
}"""


def _points(features) -> dict:
    return {
        "name": "sites.geojson",
        "mimeType": "application/geo+json",
        "buffer": json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"名称": name},
                        "geometry": {"type": "Point", "coordinates": list(point)},
                    }
                    for name, point in features
                ],
            },
            ensure_ascii=False,
        ).encode("utf-8"),
    }


def _upload(page, label: str, features) -> None:
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text=label)
    with rerun(page):
        uploader.locator('input[type="file"]').set_input_files(_points(features))


def test_uploaded_candidates_are_sited_and_their_names_stay_text(server_url, page):
    open_app(page, f"{server_url}/siting")
    with rerun(page):  # builds the example's walking network: the longest run here
        page.get_by_role("button", name="加载合成示例路网", exact=True).click()
    page.get_by_text("候选点与已有设施文件（可选）", exact=True).click()
    _upload(page, "已有设施文件", EXISTING)
    _upload(page, "候选点文件", CANDIDATES)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("候选点 3 处，已有设施 1 处", exact=True).wait_for()
    main.get_by_text("读入 3 个点；0 行不是单个点，未使用。", exact=True).wait_for()
    success = main.locator('[data-testid="stAlertContentSuccess"]').inner_text()
    assert re.match(r"已有设施覆盖 0 户；新增 2 处后覆盖 (\d+) 户（最优解）", success), success
    assert int(re.search(r"覆盖 (\d+) 户（最优解）", success).group(1)) >= 375 + 358
    main.get_by_text("已证明为最优解", exact=True).wait_for()

    component = map_frame(page)
    frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').first
    frame.locator("path.leaflet-interactive").first.wait_for()
    tips = component.evaluate(_TIPS)
    page.screenshot(path=str(ARTIFACTS / "siting-uploaded.png"), full_page=True)
    # Chosen in order (幸西 reaches more), the far candidate unchosen, the existing site: text.
    assert tips[-2:] == [
        "第 1 处：<img src=x onerror=alert(1)>坡道，新增覆盖 375 户",
        "第 2 处：\"'><svg onload=alert(4)>口，新增覆盖 358 户",
    ], tips
    assert "候选：远处，单独覆盖 0 户" in tips
    assert "已有：已有</script><script>alert(3)</script>" in tips
    assert frame.locator("img[src='x'], svg[onload]").count() == 0
    assert page.dialogs == [] and page.errors == []
