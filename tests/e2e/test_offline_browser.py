"""In Chromium: the offline HTML map draws its districts and clusters and asks for nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from layers.offline import offline_html
from tests.e2e.conftest import ARTIFACTS, CHROMIUM
from tests.test_offline import xinxiang_map

pytestmark = pytest.mark.browser

# Records what the page's policy refused; a policy block never reaches the network or a route.
RECORD_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def test_the_offline_map_renders_under_its_csp_with_no_outside_request(page, tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; `make test` installs Debian's chromium.")
    path = tmp_path / "offline-map.html"
    path.write_text(offline_html(xinxiang_map(), title="新乡市 户数"), encoding="utf-8")
    url = path.as_uri()
    outside = []

    def refuse(route):
        if route.request.url == url:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    def record(request):
        if request.url != url and not request.url.startswith("data:"):
            outside.append(request.url)

    page.route("**/*", refuse)
    page.on("request", record)  # every request, whether or not a route saw it
    page.add_init_script(RECORD_CSP)
    page.goto(url)
    page.locator(".marker-cluster").first.wait_for()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(ARTIFACTS / "offline-map.png"), full_page=True)

    assert outside == []
    assert page.errors == [] and page.dialogs == []
    assert page.evaluate("window.cspViolations") == []
    assert page.evaluate("L.version") == "1.9.4"
    assert page.title() == "新乡市 户数"
    # 新乡's 12 districts and its city outline, each an SVG path; communities are blue paths.
    community = "path.leaflet-interactive[fill='#1f78b4']"
    shapes = page.locator("path.leaflet-interactive").count() - page.locator(community).count()
    assert shapes == 13
    # Every community with a point is in a cluster or alone; the layer control says how many.
    counts = page.locator(".marker-cluster span").all_inner_texts()
    assert len(counts) > 0
    drawn = sum(map(int, counts)) + page.locator(community).count()
    assert f"({drawn})" in page.locator(".leaflet-control-layers-overlays").inner_text()
    # The cluster bubble is styled by MarkerCluster.Default.css (green for fewer than 10 ...).
    colour = page.locator(".marker-cluster div").first.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    assert colour.startswith("rgba(") and colour != "rgba(0, 0, 0, 0)"
    # The layer control's icon is layers.png from a data: URI.
    toggle = page.locator(".leaflet-control-layers-toggle").evaluate(
        "e => getComputedStyle(e).backgroundImage"
    )
    assert toggle.startswith('url("data:image/png;base64,')
    assert page.locator(".atlas-legend").inner_text().startswith("户数")


def test_the_compact_districts_are_decoded_drawn_and_tipped_as_text(page, tmp_path):
    # The coverage map writes its districts as Encoded Polylines a script of the page decodes.
    import numpy as np

    from layers.maps import coverage_map
    from tests.test_coverage_layer import metrics

    hostile = "<img src=x onerror=alert(1)> {{ 7*7 }}"
    districts = metrics([12.3, np.nan, np.nan, 0.0], ["ok", "no_denominator", "ok", "ok"])
    districts.loc[1, "district"] = hostile
    districts.loc[2, "geometry"] = None  # a district without an outline is not drawn
    page_text = offline_html(coverage_map(districts, "tactile_rate"), title="覆盖")
    assert '"coords":"' in page_text and '"coordinates"' not in page_text
    path = tmp_path / "coverage-map.html"
    path.write_text(page_text, encoding="utf-8")
    page.goto(path.as_uri())  # after the page's load event: its scripts have drawn the map
    drawn = page.locator("path.leaflet-interactive")
    assert drawn.count() == 3
    # Decoded where they are: three equal squares side by side, west to east, the gap between
    # the second and the third where the district without an outline would be.
    boxes = [drawn.nth(i).bounding_box() for i in range(3)]
    assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]
    assert boxes[2]["x"] - boxes[1]["x"] > 1.9 * (boxes[1]["x"] - boxes[0]["x"])
    for box in boxes[1:]:
        assert abs(box["y"] - boxes[0]["y"]) < 1 and abs(box["height"] - boxes[0]["height"]) < 1
    # Hover the hostile district away from its name's label: its tooltip shows the name as text.
    box = drawn.nth(1).bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.8)
    tooltip = page.locator(".leaflet-tooltip", has_text="onerror")
    tooltip.wait_for()
    assert tooltip.inner_text().startswith(f"{hostile} · 新乡市\n")
    page.screenshot(path=str(ARTIFACTS / "offline-coverage-map.png"))
    assert "49" not in tooltip.inner_text()
    assert page.locator("img[src='x']").count() == 0 and tooltip.locator("img").count() == 0
    assert page.errors == [] and page.dialogs == []
