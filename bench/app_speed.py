"""
The app as a planner meets it: script rerun after a filter change, and time to first map.

- **Rerun** (Streamlit's AppTest, in this process): the map page's script after a filter
  change, alternating the city filter between 新乡市 and 焦作市 (and, with a synthetic ledger
  of 10k communities in the session, the same). AppTest runs the whole script as the server
  would, without a browser; the widgets are found by their keys (``city``).
- **First map** (headless Chromium through Playwright, against ``streamlit run app.py`` on a
  free loopback port): a fresh page load until the districts are drawn; and, with a
  synthetic ledger of 10k (100k with ``--full``) uploaded and read on the ledger page, the
  click on 地图 until the first cluster of communities is drawn in the map's frame.

No peer: these are the app's own numbers against the issue's targets (0.5 s; 2 s at 10k and
4 s at 100k points).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from functools import partial
from pathlib import Path

from bench import synthetic
from bench.timing import ATLAS, Timing, measure, peer_result, scratch_workspace

TITLE = "App: rerun after a filter change, time to first map"
REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
_TIMEOUT_MS = 120_000  # a page element; reading a 100k-row ledger gets _READ_TIMEOUT_MS
_READ_TIMEOUT_MS = 900_000


def _rerun_case(repeat: int, ledger_spec: synthetic.Spec | None) -> dict:
    """Median seconds of an AppTest rerun after the city filter changes."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=600)
    if ledger_spec is not None:
        from app_pages._ui.common import LEDGER_KEY

        app.session_state[LEDGER_KEY] = _loaded_ledger(ledger_spec)
    app.run()
    # Both views once untimed: the page's st.cache_data then holds each, as in a session.
    for city in ("新乡市", "焦作市"):
        app.sidebar.multiselect(key="city").set_value([city]).run()
    cities = iter(["新乡市", "焦作市"] * (repeat + 1))

    def change() -> None:
        app.sidebar.multiselect(key="city").set_value([next(cities)]).run()
        if app.exception:
            raise RuntimeError(f"the app raised: {app.exception}")

    timing, _ = measure(change, repeat)
    return peer_result(timing)


def _loaded_ledger(spec: synthetic.Spec):
    from app_pages._ui.common import LoadedLedger
    from geo import figures, reconcile, records

    path = synthetic.ledger_path(spec)
    ledger = records.read_ledger(path)
    table = reconcile.reconcile(ledger.projects, figures.load_figures())
    return LoadedLedger(ledger, path.name, table)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Server:
    """
    ``streamlit run app.py`` on a free loopback port, until the ``with`` block ends.

    ``env`` is added to this process's environment (a workspace, a user); the server's
    output goes to ``log``. ``script`` runs instead of app.py (``server.py``, as ``make app``
    serves, or a page of the bench's own).
    """

    def __init__(
        self, env: dict[str, str] | None = None, log: Path | None = None, script: Path | None = None
    ) -> None:
        self.env, self.log_path = env or {}, log or synthetic.DATA / "app-server.log"
        self.script = script or REPO / "app.py"

    def __enter__(self) -> str:
        port = _free_port()
        command = [sys.executable, "-m", "streamlit", "run", str(self.script),
                   "--server.port", str(port), "--server.address", "127.0.0.1",
                   "--server.headless", "true", "--browser.gatherUsageStats", "false"]  # fmt: skip
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command, cwd=REPO, env=os.environ | self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.read() == b"ok":
                        return url
            except OSError:
                time.sleep(0.5)
        raise TimeoutError(f"{url} was not healthy after 120 s")

    def __exit__(self, *_) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def _wait_idle(page) -> None:
    """Until the script has run: the sidebar's pages are drawn and nothing is running."""
    page.locator('[data-testid="stSidebarNav"]').wait_for(timeout=_TIMEOUT_MS)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=_TIMEOUT_MS
    )


def _first_map(browser, url: str, repeat: int) -> dict:
    """Fresh page loads until the district outlines are drawn in the map's frame."""
    timing = Timing()
    for attempt in range(repeat + 1):
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url)
        frame = page.frame_locator("iframe").first
        frame.locator("path.leaflet-interactive").first.wait_for(timeout=_TIMEOUT_MS)
        if attempt:
            timing.runs_s.append(time.perf_counter() - start)
        context.close()
    return peer_result(timing)


def _ledger_map(browser, url: str, spec: synthetic.Spec, repeat: int) -> dict:
    """Upload and read a ledger, then time each click on 地图 until a cluster is drawn."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(_TIMEOUT_MS)
    page.goto(f"{url}/ledger")
    upload = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    upload.wait_for(state="attached")
    path = synthetic.ledger_path(spec)
    upload.set_input_files(str(path))
    # The button is enabled once the file is uploaded (its name is shown shortened).
    read = page.locator("button:not([disabled])", has_text="读取台账")
    read.wait_for()
    start = time.perf_counter()
    read.click()
    page.locator('[data-testid="stMetricValue"]').nth(3).wait_for(timeout=_READ_TIMEOUT_MS)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=_READ_TIMEOUT_MS,
    )
    read_s = time.perf_counter() - start
    nav = page.locator('[data-testid="stSidebarNav"]')
    timing = Timing()
    for attempt in range(repeat + 1):
        nav.get_by_text("台账").click()  # away, so the next click on 地图 draws the map anew
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').wait_for(state="attached")
        _wait_idle(page)
        start = time.perf_counter()
        nav.get_by_text("地图").click()
        page.frame_locator("iframe").first.locator(".marker-cluster").first.wait_for()
        if attempt:
            timing.runs_s.append(time.perf_counter() - start)
    context.close()
    return peer_result(timing, ledger_read_in_browser_s=read_s)


def _browser_cases(full: bool, repeat: int) -> list[dict]:
    if not Path(CHROMIUM).exists():
        error = f"{CHROMIUM} is missing (`make browser` installs Debian's chromium)"
        return [{"case": "first map", "peers": {ATLAS: peer_result(None, error=error)}}]
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    specs = [s for s in synthetic.LEDGER_SPECS if s.size <= (100_000 if full else 10_000)]
    cases = []
    with _Server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        jobs = [("first map, no ledger (page load)", 0, lambda: _first_map(browser, url, repeat))]
        jobs += [
            (
                f"first map, {s.size:,} ledger points",
                s.size,
                partial(_ledger_map, browser, url, s, repeat),
            )
            for s in specs
        ]
        for name, size, job in jobs:
            try:
                result = job()
            except (PlaywrightError, RuntimeError) as exc:
                result = peer_result(None, error=f"{type(exc).__name__}: {str(exc)[:300]}")
            cases.append({"case": name, "size": size, "peers": {ATLAS: result}})
        browser.close()
    return cases


def run(*, full: bool, repeat: int, qgis: bool) -> dict:
    cases = []
    reruns = (("rerun, no ledger", None), ("rerun, 10k ledger", synthetic.LEDGER_SPECS[0]))
    # An empty workspace of the run's own, for the pages and the server alike: on a fresh
    # machine there is none, and a planner's own would change what is measured.
    with scratch_workspace():
        for name, spec in reruns:
            try:
                result = _rerun_case(repeat, spec)
            except (RuntimeError, KeyError, TypeError, ValueError, AssertionError) as exc:
                result = peer_result(None, error=f"{type(exc).__name__}: {str(exc)[:300]}")
            size = spec.size if spec else 0
            cases.append({"case": name, "size": size, "peers": {ATLAS: result}})
        cases += _browser_cases(full, repeat)
    return {"job": "app", "title": TITLE, "cases": cases}
