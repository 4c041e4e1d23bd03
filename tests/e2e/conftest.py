"""
A real app server on a free loopback port, a headless Chromium page for each test, and
helpers that read the map out of streamlit-folium's iframe.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "screenshots" / "e2e"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} was not healthy after {timeout} s")


@pytest.fixture(scope="session")
def server_url():
    """`streamlit run app.py` on a free port; stopped after the session."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; `make test` installs Debian's chromium.")
    port = _free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"),
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--server.headless", "true", "--browser.gatherUsageStats", "false"]  # fmt: skip
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with (ARTIFACTS / "server.log").open("wb") as log:
        server = subprocess.Popen(
            command, cwd=REPO, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, server)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=20)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page that records dialogs (alert, confirm) and page errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.dialogs = []
    page.errors = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield page
    context.close()


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script (no 'running' indicator)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout
    )


# The features of the map's figure choropleth (they carry ``has_data``), read from Leaflet.
_DRAWN_TIPS = """() => {
    if (!window.map) { return null; }
    const tips = [];
    window.map.eachLayer(layer => {
        const props = layer.feature && layer.feature.properties;
        if (props && "has_data" in props) { tips.push(props.tip); }
    });
    return tips;
}"""


def drawn_districts(page, *, count: int | None = None, timeout: float = 60) -> list[str]:
    """
    The tooltips of the districts the map draws, once the map shows ``count`` of them.

    streamlit-folium renders the map in its own iframe and may replace it on a rerun, so the
    frame is looked up again on every try.
    """
    deadline = time.monotonic() + timeout
    tips = None
    while time.monotonic() < deadline:
        # Chromium may not load an iframe until it is on screen.
        iframe = page.locator('iframe[title="streamlit_folium.st_folium"]').first
        with contextlib.suppress(PlaywrightError):  # replaced by a rerun; try again
            iframe.scroll_into_view_if_needed(timeout=2_000)
        for frame in page.frames:
            if "st_folium" not in frame.url:
                continue
            try:
                tips = frame.evaluate(_DRAWN_TIPS)
            except PlaywrightError:  # the frame was replaced while we read it
                tips = None
            if tips is not None and (count is None or len(tips) == count):
                return tips
        time.sleep(0.25)
    raise AssertionError(f"the map did not show {count} districts in {timeout} s: {tips}")


def widget(page, label: str):
    """The multiselect or selectbox labelled ``label``."""
    return page.locator('[data-testid="stMultiSelect"], [data-testid="stSelectbox"]').filter(
        has=page.get_by_text(label, exact=True)
    )


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the multiselect or selectbox labelled ``label`` (by typing it)."""
    widget(page, label).locator("input").first.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).first.click()
    page.keyboard.press("Escape")
