"""
The map page on a national workspace, as the browser meets it: cold, warm, bytes sent.

A script, not a job of ``python -m bench`` (it needs a national workspace, built once):

    .venv/bin/python -m bench.map_page --workspace sqlite:////tmp/national/atlas.sqlite \\
        [--view china --view 河南省 --view seed] [--repeat 3] [--shots DIR] [--out FILE.json]

Build the workspace as the ``national`` job does (``bench/national.py``), from
:mod:`bench.synthetic`'s 300k-row distinct ledger (~370 cities)::

    ATLAS_DATABASE_URL=sqlite:////tmp/national/atlas.sqlite ATLAS_USER=bench atlas db init
    ATLAS_DATABASE_URL=… ATLAS_USER=bench atlas ingest \\
        bench/data/synthetic-ledger-china-300k-distinct.csv --save --dataset national

First, the **floor**: the same loads of a page of the bench's own (:data:`_FLOOR_PAGE`: a
title and a one-marker map through streamlit-folium, on the project's local Leaflet), which is
what any Streamlit page with a map costs on this machine. Then, for each view
(``?province=china``: all of China; a province; ``seed``: the five seed cities, the page's
default) it starts the server ``make app`` serves (``streamlit run server.py``) afresh on a
free loopback port against that workspace and drives Debian's Chromium through Playwright:

- **cold**: the first page load of the fresh server, from navigation until the map's frame
  has drawn the district outlines (``path.leaflet-interactive``) and the ledger's
  communities (a ``.marker-cluster`` of communities, or the circle marker of a community or,
  when the view holds more than ``layers.projects.MAX_POINTS_DRAWN``, of a district's total);
- **warm**: the same address in a new browser session of the same server (``--repeat``
  times; the median is reported): a returning planner's new tab, and a new browser;
- **rerun**: on a drawn page, a filter changed (the class scheme), from the click until the
  map's legend names the new scheme (:func:`rerun_times`): what a planner at work waits for.
- **tab map**: the same view's map in its own tab (``/atlas/map?…``, the offline map the
  server keeps, :func:`tab_map_times`) on a fresh server of its own: cold, a new tab, a new
  browser, to outlines and communities drawn.

Each load's bytes received over Streamlit's websocket are summed (the map component's HTML,
sent as the component's argument, is most of them). The issue's targets: ≤ 5 s cold, ≤ 1 s
warm, first view ≤ 2 MB. Writes one JSON object (to ``--out`` or stdout): the floor, and per
view its loads, the load average beside each, and its cold load and warm median above the
floor's. The machine is shared, and a load of 7 doubles any time measured here.

Measured on 7 Dec 2026, 12:05 (300k-row ledger saved as one version; 2 cores, load 2.1-2.9,
``--view china --view seed --repeat 4``), seconds to a drawn map (in brackets: until the map's
HTML arrived), against the morning's run of a3c2c85 (load 0.7-1.6):

========================  =========  ==================  ==================  ==========
                          floor      all China, before   all China, after    seeds after
========================  =========  ==================  ==================  ==========
cold                      2.03       6.03 (4.49)         4.39 (2.94)         4.25
warm, returning tab       0.80-1.30  3.09-3.42           2.12-2.30           2.06-2.42
warm, new browser         1.51-1.59  3.34-3.45           2.62-2.91           2.48-2.67
rerun, a filter changed   -          -                   0.58-0.70           0.47-0.54
========================  =========  ==================  ==================  ==========

Cold lost 1.6 s: the server decodes the workspace's current ledgers as it starts
(``server.warm_workspace``, :meth:`store.Workspace.warm`: 1.5 s for the 300k rows) and every
session reads those frames (:mod:`store._decoded`); a page that asks first waits for the same
decoding. Warm lost 1.0 s: each outline's label point, a city's places and each reconciled
period are found once. What is left of warm is the browser's: a timeline of a warm load
(``add_init_script`` marks, all China) has the page shell from the cache at 0.37 s, the
first websocket frame at 0.5-0.6 s, the map's HTML at 0.8-1.1 s, streamlit-folium's frame
created 0.6 s later (React drawing the page: 1.0 s of a 2.6 s CPU profile) and the outlines
drawn 0.3-0.5 s after that. So <= 1 s for a new tab is below what Streamlit itself takes here
for a page of this size (the one-marker floor page takes 0.8-1.3 s); a filter changed on the
open page redraws the map in 0.5-0.7 s.

Measured on 7 Dec 2026, 14:05 (same workspace and options, load 1.4-3.2), the map in its own
tab: all China cold 2.06 s (the page: 6.06 s in that run, 4.2-5.3 s in eight runs at load
1.7-2.7), warm in a new tab 0.54-0.61 s, in a new browser 0.45-0.57 s; the seeds cold 1.92 s,
warm 0.45-0.55 s. The floor page in that run: warm 0.86-1.52 s, new browser 1.63-1.94 s.

At 14:15, with the server drawing the usual views once as it starts (``server.warm_maps``;
``--repeat 3``, load 1.7-2.8): the page cold 4.26 s for all China (HTML at 2.89 s), 3.56 s for
the seeds; warm 2.32-2.84 s and 1.97-2.23 s; the tab map cold 1.47 s and 1.17 s, warm
0.51-0.61 s and 0.39-0.44 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.app_speed import CHROMIUM, CHROMIUM_ARGS, REPO, _Server
from layers.projects import PROJECT_COLOUR

_TIMEOUT_MS = int(os.environ.get("MAP_PAGE_TIMEOUT_MS", 300_000))
#: A cluster of communities, or a community's (or a district's total's) circle marker.
_COMMUNITIES = f'.marker-cluster, path[fill="{PROJECT_COLOUR}"]'
BUDGET = {"cold_s": 5.0, "warm_s": 1.0, "bytes": 2 * 2**20}


def _load() -> float:
    """The machine's one-minute load average."""
    return os.getloadavg()[0]


def _context(browser):
    """A new browser context: its own cookies and an empty HTTP cache, as a first visit."""
    return browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")


def _open(context, address: str, shot: Path | None) -> dict:
    """
    One page load in a new tab of ``context``: a new Streamlit session, the browser's cache
    as ``context`` left it. Seconds to a drawn map, websocket bytes, map bytes.
    """
    page = context.new_page()
    received = {"bytes": 0, "frames": 0, "big_at": 0.0}

    def on_socket(socket) -> None:
        def on_frame(payload) -> None:
            received["bytes"] += len(payload)
            received["frames"] += 1
            if len(payload) > 100_000:  # the map's component: what the server sends last
                received["big_at"] = time.perf_counter()

        socket.on("framereceived", on_frame)

    page.on("websocket", on_socket)
    load = _load()
    start = time.perf_counter()
    page.goto(address)
    frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').first
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=_TIMEOUT_MS)
    outlines_s = time.perf_counter() - start
    try:
        frame.locator(_COMMUNITIES).first.wait_for(timeout=_TIMEOUT_MS)
    except PlaywrightTimeout:
        if shot is not None:
            page.screenshot(path=str(shot))
        raise
    seconds = time.perf_counter() - start
    drawn = frame.locator(_COMMUNITIES).count()
    if shot is not None:
        page.screenshot(path=str(shot))
    # The whole page's own reruns end before the next load is timed.
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=_TIMEOUT_MS
    )
    page.close()
    return {
        "seconds": round(seconds, 2),
        "outlines_s": round(outlines_s, 2),
        "load": round(load, 2),
        # From navigation until the map's HTML arrived: the server's part; the rest, the
        # browser's (parsing, drawing the outlines and markers).
        "map_sent_s": round(received["big_at"] - start, 2) if received["big_at"] else None,
        "websocket_bytes": received["bytes"],
        "websocket_frames": received["frames"],
        "communities_drawn": drawn,
    }


#: Streamlit's own floor: a page with a title and a map of one marker, on the project's local
#: Leaflet (``static/``, linked beside it), drawn through streamlit-folium as the map page is.
_FLOOR_PAGE = f"""
import sys
sys.path.insert(0, {str(REPO)!r})
import folium
import streamlit as st
from streamlit_folium import st_folium
from layers.assets import use_local_leaflet

st.title("floor")
fmap = use_local_leaflet(folium.Map(location=[35, 114], zoom_start=5, tiles=None, maxZoom=18))
folium.CircleMarker([35, 114], radius=8, fill_color={PROJECT_COLOUR!r}, fill=True).add_to(fmap)
st_folium(fmap, height=560, returned_objects=[], key="map")
"""


def measure_floor(browser, repeat: int) -> dict:
    """
    The same loads of :data:`_FLOOR_PAGE`: what any Streamlit page with a map costs here.

    The map page's own time is what it takes above this floor, measured in the same run.
    """
    with tempfile.TemporaryDirectory(prefix="atlas-floor-") as folder:
        page = Path(folder) / "floor.py"
        page.write_text(_FLOOR_PAGE, encoding="utf-8")
        (Path(folder) / "static").symlink_to(REPO / "static", target_is_directory=True)
        log = Path(folder) / "server.log"
        with _Server({}, log, script=page) as url:
            return {"view": "floor", **_loads(browser, url + "/", repeat, None)}


def _loads(browser, address: str, repeat: int, shot: str | None, opener=None) -> dict:
    """
    The cold load, then ``repeat`` warm loads of each kind, with their medians.

    - ``cold``: the first load, in a new browser context (empty cache) on a fresh server;
    - ``warm``: a returning planner: a new tab (a new Streamlit session) of the browser that
      made the cold load, its HTTP cache holding Streamlit's and Leaflet's scripts;
    - ``warm_new_browser``: a new browser context each time (an empty cache, as a first visit
      from another machine), on the warm server.

    ``opener`` times one load (default :func:`_open`, the map page).
    """
    opener = opener or _open
    first = _context(browser)
    try:
        cold = opener(first, address, shot and Path(f"{shot}-cold.png"))
        warm = [opener(first, address, shot and Path(f"{shot}-warm.png")) for _ in range(repeat)]
    finally:
        first.close()
    fresh = []
    for _ in range(repeat):
        context = _context(browser)
        try:
            fresh.append(opener(context, address, None))
        finally:
            context.close()
    return {
        "cold": cold,
        "warm": warm,
        "warm_new_browser": fresh,
        "warm_median_s": statistics.median(run["seconds"] for run in warm) if warm else None,
        "warm_new_browser_median_s": (
            statistics.median(run["seconds"] for run in fresh) if fresh else None
        ),
    }


#: What a filter change on the page is timed by: the class scheme (any view has one), each
#: choice's words as the Chinese interface shows them, and the map's legend, which names it.
_SCHEMES = ("分位数", "等间距")
_IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"


def rerun_times(context, address: str, repeat: int) -> list[float]:
    """
    Seconds from a filter change on a drawn map page to the map redrawn, ``repeat`` times.

    What a planner waits for most: the page is open, a filter changes. The class scheme is
    switched (:data:`_SCHEMES`, alternately, away from the default), from the click on its
    option until a legend in streamlit-folium's frame names the new one: the script's rerun,
    the map's layers sent and swapped in the frame (pan and zoom kept).
    """
    page = context.new_page()
    try:
        page.goto(address)
        frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]').first
        legend = frame.locator(".atlas-legend").first
        legend.wait_for(timeout=_TIMEOUT_MS)
        page.wait_for_function(_IDLE, timeout=_TIMEOUT_MS)
        times = []
        for i in range(repeat):
            name = _SCHEMES[i % len(_SCHEMES)]
            page.locator(".st-key-scheme input").first.click()
            page.keyboard.type(name)
            option = page.get_by_role("option", name=name, exact=True).first
            option.wait_for(timeout=_TIMEOUT_MS)
            start = time.perf_counter()
            option.click()
            # The legend says "分位数，2 级": the scheme's name, then a full-width comma.
            frame.locator(".atlas-legend", has_text=f"{name}，").first.wait_for(timeout=_TIMEOUT_MS)
            times.append(round(time.perf_counter() - start, 2))
            page.keyboard.press("Escape")
            page.wait_for_function(_IDLE, timeout=_TIMEOUT_MS)
        return times
    finally:
        page.close()


def _open_tab_map(context, address: str, shot: Path | None) -> dict:
    """One load of the map in its own tab (``/atlas/map``): seconds to outlines and communities."""
    page = context.new_page()
    load = _load()
    start = time.perf_counter()
    answer = page.goto(address)
    page.locator("path.leaflet-interactive").first.wait_for(timeout=_TIMEOUT_MS)
    page.locator(_COMMUNITIES).first.wait_for(timeout=_TIMEOUT_MS)
    seconds = time.perf_counter() - start
    drawn = page.locator(_COMMUNITIES).count()
    if shot is not None:
        page.screenshot(path=str(shot))
    page.close()
    return {
        "seconds": round(seconds, 2),
        "load": round(load, 2),
        "status": answer.status if answer else None,
        "communities_drawn": drawn,
    }


def tab_map_times(browser, env: dict, query: str, repeat: int) -> dict:
    """
    The view's map in its own tab (``/atlas/map?…``, :mod:`app_pages._ui.quick_map`).

    On a fresh server as the page's cold: ``cold`` is its first request; ``warm`` a new tab
    of the same browser (its cache revalidates the map: 304); ``warm_new_browser`` a new
    browser context each time (the server's kept map, downloaded).
    """
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"atlas-tab-map-{os.getpid()}.log"
    with _Server(env, log, script=REPO / "server.py") as url:
        return _loads(browser, f"{url}/atlas/map{query}", repeat, None, opener=_open_tab_map)


def measure_view(browser, workspace: str, view: str, repeat: int, shots: Path | None) -> dict:
    """Cold (fresh server, first load), then ``repeat`` warm loads in new sessions."""
    query = "" if view == "seed" else "?" + urllib.parse.urlencode({"province": view})
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"atlas-map-page-{os.getpid()}.log"
    env = {"ATLAS_DATABASE_URL": workspace, "ATLAS_USER": os.environ.get("ATLAS_USER", "bench")}
    # What `make app` serves (`atlas serve`: server.py, which loads the layers before serving).
    with _Server(env, log, script=REPO / "server.py") as url:
        started = _load()
        shot = shots and str(shots / f"map-{view.replace('/', '_')}")
        loads = _loads(browser, url + "/" + query, repeat, shot)
        context = _context(browser)
        try:
            reruns = rerun_times(context, url + "/" + query, max(repeat, 2))
        finally:
            context.close()
    tab = tab_map_times(browser, env, query, repeat)
    median, cold = loads["warm_median_s"], loads["cold"]
    rerun = statistics.median(reruns)
    return {
        "view": view,
        "load_at_start": round(started, 2),
        **loads,
        "rerun": reruns,
        "rerun_median_s": rerun,
        "tab_map": tab,
        "within_budget": {
            "cold": cold["seconds"] <= BUDGET["cold_s"],
            "warm": median is not None and median <= BUDGET["warm_s"],
            "rerun": rerun <= BUDGET["warm_s"],
            "bytes": cold["websocket_bytes"] <= BUDGET["bytes"],
            "tab_map_cold": tab["cold"]["seconds"] <= BUDGET["cold_s"],
            "tab_map_warm": max(tab["warm_median_s"], tab["warm_new_browser_median_s"])
            <= BUDGET["warm_s"],
        },
    }


def above_floor(result: dict, floor: dict) -> dict:
    """Seconds of ``result``'s cold load and warm medians above the floor's, in one run."""
    above = {"cold_above_floor_s": round(result["cold"]["seconds"] - floor["cold"]["seconds"], 2)}
    for key in ("warm_median_s", "warm_new_browser_median_s"):
        pair = result.get(key), floor.get(key)
        name = key.replace("_median_s", "_above_floor_s")
        above[name] = None if None in pair else round(pair[0] - pair[1], 2)
    return above


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--workspace", required=True, help="ATLAS_DATABASE_URL of the workspace")
    parser.add_argument(
        "--view", action="append", help="china (default), seed, or a province, e.g. 河南省"
    )
    parser.add_argument("--repeat", type=int, default=3, help="warm loads per view")
    parser.add_argument("--shots", type=Path, help="folder for a screenshot of each load")
    parser.add_argument("--out", type=Path, help="write the JSON here (default: stdout)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing (`make browser` installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        floor = measure_floor(browser, args.repeat)
        print(json.dumps(floor, ensure_ascii=False), file=sys.stderr, flush=True)
        for view in args.view or ["china"]:
            result = measure_view(browser, args.workspace, view, args.repeat, args.shots)
            results.append(result | above_floor(result, floor))
            print(json.dumps(results[-1], ensure_ascii=False), file=sys.stderr, flush=True)
        browser.close()
    text = json.dumps(
        {"budget": BUDGET, "floor": floor, "views": results}, ensure_ascii=False, indent=1
    )
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
