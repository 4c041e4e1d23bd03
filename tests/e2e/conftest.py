"""
Browser tests: app servers the tests own, headless Chromium pages, and waits that follow
Streamlit's own script runs, so the tests hold while both cores are busy.

Servers
-------
``app_server(data_dir, env=..., name=...)`` (a context manager) runs ``streamlit run app.py``
over the workspace in ``data_dir`` and yields an :class:`AppServer` (``url``, ``data_dir``,
``log``). Its environment is this process's without any ``ATLAS_*`` variable, plus
``ATLAS_DATA_DIR=data_dir`` and ``env`` (``{"ATLAS_AUTH": "on", ...}`` for a team server):
nothing leaks in from the test run. The server binds a port itself (``--server.port 0``) and
its URL is read from its own output; the health check asks for a token this server alone was
started with, so another server on a reused port never passes for it. The ``server_url``
fixture is one such server per test module, over an empty workspace of its own::

    def test_x(server_url, page):
        open_app(page, f"{server_url}/?city={quote('新乡市')}")

    @pytest.fixture(scope="module")
    def team_server(tmp_path_factory):
        data_dir = tmp_path_factory.mktemp("team")
        ...  # fill the workspace in data_dir first
        with app_server(data_dir, env={"ATLAS_AUTH": "on", ...}, name="team") as server:
            yield server.url

Pages and waits
---------------
``new_page(browser)`` opens a page in a context of its own that records dialogs
(``page.dialogs``) and page errors (``page.errors``) and watches the app's websocket for the
script runs it asks for and the runs that finish; the ``page`` fixture is one. Then:

- ``open_app(page, url)`` goes to ``url`` and waits until the run the page asked for is over;
- ``with rerun(page): <action>`` wraps an action that makes the app rerun (a click, an
  upload, a choice) and waits until a run asked for after it is over;
- ``wait_idle(page)`` waits until no run is pending and the page has stopped changing.

"Over" means: a run finished (not cut short by a newer one) after the last one asked for,
Streamlit's app element says ``notRunning`` and connected, no element is stale, and the page
has not changed for :data:`QUIET_MS`. Pick widgets by their exact label (``exact=True``).
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from google.protobuf.message import DecodeError
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from store import Workspace

__all__ = [
    "ARTIFACTS",
    "CHROMIUM",
    "REPO",
    "AppServer",
    "app_server",
    "choose",
    "drawn_districts",
    "map_frame",
    "new_page",
    "open_app",
    "pick",
    "rerun",
    "wait_idle",
    "widget",
]

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "screenshots" / "e2e"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
#: How long a server may take to start, and a run (or any wait of Playwright's) may take, on a
#: machine under load: waits, never asserts; a passing test waits only as long as it must.
START_S = 300
RUN_MS = 300_000
#: The page counts as settled once nothing in it has changed for this long.
QUIET_MS = 400
_URL = re.compile(rb"URL: (http://127\.0\.0\.1:\d+)")


# Servers -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppServer:
    """A running app server: its address, its workspace folder and its log file."""

    url: str
    data_dir: Path
    log: Path


def _server_env(data_dir: Path, env: dict[str, str] | None) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    return clean | {"ATLAS_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"} | (env or {})


def _get(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.read()
    except OSError:
        return None


def _started(server: subprocess.Popen, log: Path, token: str) -> str:
    """The URL ``server`` printed, once it answers with our token; raises if it never does."""
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.returncode}; see {log}")
        found = _URL.search(log.read_bytes())
        if found:
            url = found.group(1).decode()
            config = _get(f"{url}/_stcore/host-config")
            if _get(f"{url}/_stcore/health") == b"ok" and config is not None:
                if token not in json.loads(config).get("allowedOrigins", []):
                    raise RuntimeError(f"{url} answers, but it is not the server started here")
                return url
        time.sleep(0.5)
    raise TimeoutError(f"the app server did not start in {START_S} s; see {log}")


@contextlib.contextmanager
def app_server(
    data_dir: Path,
    *,
    env: dict[str, str] | None = None,
    name: str = "server",
    script: str = "app.py",
    command: list[str] | None = None,
) -> Iterator[AppServer]:
    """
    ``streamlit run <script>`` over the workspace in ``data_dir``, stopped on exit.

    ``script`` is ``app.py``, or ``server.py`` for the login routes a team server has;
    ``command`` runs another command that starts Streamlit (``atlas serve --port 0``). ``env``
    is added to a clean environment (see the module). The log is
    ``screenshots/e2e/<name>.log`` (``<name>-gw0.log`` on pytest-xdist's worker gw0). Fails
    the test when Chromium is missing.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; `make test` installs Debian's chromium.")
    # As `make app` does before it serves: only `atlas db init` creates a workspace.
    if not (data_dir / "atlas.sqlite").exists():
        with Workspace(f"sqlite:///{data_dir / 'atlas.sqlite'}") as workspace:
            workspace.init()
    # An origin that cannot exist (.invalid), allowed to embed this server only: its token,
    # given as Streamlit's environment setting so that a command around Streamlit passes it on.
    token = f"https://atlas-e2e-{secrets.token_hex(8)}.invalid"
    command = command or [
        sys.executable, "-m", "streamlit", "run", str(REPO / script),
        "--server.port", "0", "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # Under pytest-xdist, a log per worker: two servers never write (and are read) in one file.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    log = ARTIFACTS / (f"{name}-{worker}.log" if worker else f"{name}.log")
    with log.open("wb") as out:
        # A process group of its own: a command and the Streamlit server it runs stop together.
        server = subprocess.Popen(
            command,
            cwd=REPO,
            env=_server_env(data_dir, env) | {"STREAMLIT_CLIENT_ALLOWED_ORIGINS": token},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield AppServer(_started(server, log, token), data_dir, log)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


@pytest.fixture(scope="module")
def server_url(request, tmp_path_factory) -> Iterator[str]:
    """The URL of an app server for this test module, over an empty workspace of its own."""
    name = request.module.__name__.rsplit(".", 1)[-1]
    with app_server(tmp_path_factory.mktemp(f"{name}-data"), name=name) as server:
        yield server.url


# Pages -------------------------------------------------------------------------------------

# Records, on the page's own clock, when anything in the page last changed.
_WATCH_CHANGES = """
window.__atlasChanged = 0;
new MutationObserver(() => { window.__atlasChanged = performance.now(); })
    .observe(document, {childList: true, subtree: true, attributes: true, characterData: true});
"""
_IDLE = """quiet => {
    const app = document.querySelector('[data-testid="stApp"]');
    return Boolean(app)
        && app.getAttribute("data-test-script-state") === "notRunning"
        && app.getAttribute("data-test-connection-state") === "CONNECTED"
        && !document.querySelector('[data-testid="stStatusWidget"]')
        && !document.querySelector('[data-stale="true"]')
        && performance.now() - window.__atlasChanged >= quiet;
}"""


#: How many of the websocket's last messages a page keeps, to say what happened on a failure.
FRAMES_KEPT = 400


class _Runs:
    """
    The script runs a page asked for and those that finished, in the order the websocket
    carried them (a sequence number per event); and the kinds of the last messages both ways
    (``frames``: time, ``"sent"`` or ``"received"``, the BackMsg or ForwardMsg type).
    """

    def __init__(self) -> None:
        self.seq = self.asked = self.finished = 0
        self.frames: collections.deque[tuple[float, str, str]] = collections.deque(
            maxlen=FRAMES_KEPT
        )

    def sent(self, payload: str | bytes) -> None:
        kind = _kind(BackMsg, payload) if isinstance(payload, bytes) else None
        self.frames.append((time.monotonic(), "sent", kind or "?"))
        if kind == "rerun_script":
            self.seq += 1
            self.asked = self.seq

    def received(self, payload: str | bytes) -> None:
        kind = _kind(ForwardMsg, payload) if isinstance(payload, bytes) else None
        self.frames.append((time.monotonic(), "received", kind or "?"))
        if kind != "script_finished":
            return
        # A run cut short by a newer request is not the end: the newer run follows.
        if ForwardMsg.FromString(payload).script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            self.seq += 1
            self.finished = self.seq

    @property
    def pending(self) -> bool:
        return self.asked >= self.finished

    def since(self, start: float) -> str:
        """The messages since ``start`` (``time.monotonic()``), a run of one kind as one line."""
        lines: list[list] = []
        for at, way, kind in self.frames:
            if at < start:
                continue
            if lines and lines[-1][1:3] == [way, kind]:
                lines[-1][3] += 1
            else:
                lines.append([at, way, kind, 1])
        return "\n".join(
            f"  +{(at - start) * 1000:7.0f} ms {way} {kind}" + (f" ×{n}" if n > 1 else "")
            for at, way, kind, n in lines
        )


def _kind(message, payload: bytes) -> str | None:
    try:
        return message.FromString(payload).WhichOneof("type")
    except DecodeError:
        return None


def _watch(page) -> None:
    runs = _Runs()

    def on_socket(socket) -> None:
        socket.on("framesent", runs.sent)
        socket.on("framereceived", runs.received)

    page.on("websocket", on_socket)
    page.runs = runs


def new_page(browser, *, width: int = 1400, height: int = 1000, locale: str = "zh-CN"):
    """A page in a fresh context (no shared session) that records dialogs and page errors."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    context.set_default_timeout(RUN_MS)
    context.add_init_script(_WATCH_CHANGES)
    page = context.new_page()
    page.dialogs, page.errors = [], []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    _watch(page)
    return page


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page of :func:`new_page`; its context is closed after the test."""
    page = new_page(browser)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield page
    page.context.close()


def _until(page, done, what: str, timeout: float) -> None:
    """Poll ``done()`` while Playwright delivers the page's events (frames, errors)."""
    deadline = time.monotonic() + timeout / 1000
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} after {timeout / 1000:.0f} s ({page.url})")
        page.wait_for_timeout(100)


def _idle(page) -> bool:
    try:
        return bool(page.evaluate(_IDLE, QUIET_MS))
    except PlaywrightError:  # a navigation replaced the document while we asked
        return False


def wait_idle(page, timeout: float = RUN_MS) -> None:
    """
    Wait until no script run is pending and the page has stopped changing (see the module).

    Twice in a row, so a change that was on its way when the page first looked quiet is seen.
    """
    runs = getattr(page, "runs", None)
    for _ in range(2):
        _until(
            page,
            lambda: (runs is None or not runs.pending) and _idle(page),
            "the app did not settle",
            timeout,
        )


@contextlib.contextmanager
def rerun(page, timeout: float = RUN_MS) -> Iterator[None]:
    """Around an action that makes the app rerun: wait until a run asked for after it is over."""
    mark = page.runs.seq
    yield
    _until(page, lambda: page.runs.asked > mark, "the action started no script run", timeout)
    wait_idle(page, timeout)


def downloaded(page, name: str, *, timeout_ms: float = 300_000):
    """
    The download a click on the button ``name`` gives, clicked once the page is idle.

    The app writes a file when its button is clicked (Streamlit's deferred download: the
    browser asks for it over the websocket and waits for the answer), so the click waits until
    no run is pending and the page is still, and the click must start no script run: the start
    of a run empties the session's queue of messages not yet sent, and drops the file's answer
    if it waits there (``NO_RERUN`` in app_pages/_ui/widgets.py; 7 Dec, a click gave no
    download and the server logged nothing). A click that gives no download fails the test,
    after a screenshot (``download-lost.png``), with the websocket's messages since the click
    in the message: a bug to find, not a click to repeat.
    """
    wait_idle(page)
    button = page.get_by_role("button", name=name, exact=True)
    button.scroll_into_view_if_needed()
    wait_idle(page)  # again: what the scroll brought on screen may have asked for a run
    runs, mark, start = page.runs, page.runs.seq, time.monotonic()
    try:
        with page.expect_download(timeout=timeout_ms) as clicked:
            button.click()
    except PlaywrightTimeoutError as exc:
        page.screenshot(path=str(ARTIFACTS / "download-lost.png"), full_page=True)
        shown = page.locator('[data-testid="stDownloadButtonError"]').all_inner_texts()
        raise AssertionError(
            f"no download from {name!r} in {timeout_ms / 1000:.0f} s ({page.url}); the button "
            f"says {shown}; the websocket since the click, as the test saw it:\n"
            f"{runs.since(start)}"
        ) from exc
    download = clicked.value
    wait_idle(page)
    assert runs.asked <= mark, f"the click on {name!r} started a run:\n{runs.since(start)}"
    return download


def open_app(page, url: str, timeout: float = RUN_MS) -> None:
    """Go to ``url`` (a page of the app) and wait until its first run is over."""
    with rerun(page, timeout):
        page.goto(url)


# The features of the map's outlines that carry the property ``kept`` (the figure
# choropleth's ``has_data`` tells its districts from a city outline), read from Leaflet.
_DRAWN_TIPS = """(kept) => {
    if (!window.map) { return null; }
    const tips = [];
    window.map.eachLayer(layer => {
        const props = layer.feature && layer.feature.properties;
        if (props && kept in props) { tips.push(props.tip); }
    });
    return tips;
}"""


def map_frame(page, timeout: float = RUN_MS / 1000):
    """
    The frame of streamlit-folium's map, once it has a Leaflet map.

    Chromium may not load an iframe until it is on screen, and a rerun may replace it, so the
    frame is scrolled to and looked up again on every try.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        iframe = page.locator('iframe[title="streamlit_folium.st_folium"]').first
        with contextlib.suppress(PlaywrightError):  # replaced by a rerun; try again
            iframe.scroll_into_view_if_needed(timeout=2_000)
        for frame in page.frames:
            if "st_folium" in frame.url:
                with contextlib.suppress(PlaywrightError):
                    if frame.evaluate("() => Boolean(window.map)"):
                        return frame
        page.wait_for_timeout(250)
    raise AssertionError(f"no map on the page after {timeout} s ({page.url})")


def drawn_districts(
    page, *, count: int | None = None, kept: str = "has_data", timeout: float = RUN_MS / 1000
) -> list[str]:
    """
    The tooltips of the districts the map draws, once the map shows ``count`` of them.

    Districts are the features with the property ``kept``: the figure choropleth's by default.
    """
    deadline = time.monotonic() + timeout
    tips = None
    while time.monotonic() < deadline:
        frame = map_frame(page, timeout=max(deadline - time.monotonic(), 1))
        try:
            tips = frame.evaluate(_DRAWN_TIPS, kept)
        except PlaywrightError:  # the frame was replaced while we read it
            tips = None
        if tips is not None and (count is None or len(tips) == count):
            return tips
        page.wait_for_timeout(250)
    raise AssertionError(f"the map did not show {count} districts in {timeout} s: {tips}")


def widget(page, label: str):
    """The multiselect or selectbox labelled exactly ``label``."""
    return page.locator('[data-testid="stMultiSelect"], [data-testid="stSelectbox"]').filter(
        has=page.get_by_text(label, exact=True)
    )


def pick(page, label: str, option: str) -> None:
    """Pick ``option`` in the multiselect or selectbox labelled ``label`` (by typing it)."""
    widget(page, label).locator("input").first.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).first.click()
    page.keyboard.press("Escape")


def choose(page, label: str, option: str) -> None:
    """:func:`pick`, then wait until the rerun it makes is over."""
    with rerun(page):
        pick(page, label, option)
