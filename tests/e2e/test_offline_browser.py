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
