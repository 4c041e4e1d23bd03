"""
The app's server: ``app.py`` with the routes that set and clear the session cookie.

The routes are :mod:`app_pages._ui.session`'s, so that no page script ever holds the cookie.

    atlas serve --address localhost  # as `make app` does: streamlit run server.py

Streamlit finds ``app`` below (an ``st.App``) and serves it with uvicorn; its options
(``--server.port``, ``.streamlit/config.toml``) apply as to ``streamlit run app.py``, which
still serves a workspace in local mode but cannot log anyone in.

uvicorn reads which proxies' ``X-Forwarded-For`` it believes (``FORWARDED_ALLOW_IPS``) before
it imports this file, so this file cannot set it: ``atlas serve`` does, from
``ATLAS_TRUSTED_PROXIES`` (unset: no one). Started with a plain ``streamlit run server.py``,
uvicorn believes loopback, and :func:`store.auth.client_address` counts an address that came
out of the header as loopback's.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import threading
from pathlib import Path

import streamlit as st

import layers
from app_pages._ui import quick_map, session
from geo import figures
from geo.errors import InputError
from layers.address_view import view_from_address
from layers.view import view_map
from store import StoreError, open_workspace

log = logging.getLogger(__name__)


def import_layers() -> list[str]:
    """
    Import every module of :mod:`layers`, and so what the pages need, before serving.

    ``app.py`` is run as a script for each visitor; the first would otherwise wait for these
    imports (about 3 s: geopandas, folium, mapclassify and SciPy, pyogrio). Done here, the
    server answers its health check once they are loaded, and its first page is as quick as the
    next. :mod:`layers` never imports Streamlit; the pages themselves are left to the first
    run, since streamlit-folium registers its component only when imported inside a script run
    (imported here, the map's frame would stay blank). Returns the modules' names.
    """
    names = [m.name for m in pkgutil.walk_packages(layers.__path__, "layers.")]
    for name in names:
        importlib.import_module(name)
    return names


#: The map page's views drawn once at start: its default (the five seed cities) and all of China.
WARM_VIEWS: tuple[dict[str, list[str]], ...] = ({}, {"province": ["china"]})


def warm_maps() -> int:
    """
    Draw :data:`WARM_VIEWS` once from the seed figures, and let them go; returns how many.

    What the first map page would otherwise compute, whoever opens it: the outlines simplified
    for display, each outline's label point, each city's places (0.2-0.45 s of the first
    all-China page here). Only the seed figures are read, nothing of the workspace: what an
    account may read is never drawn ahead.
    """
    seed = figures.load_figures()
    for query in WARM_VIEWS:
        view_map(view_from_address(query, seed), seed)
    return len(WARM_VIEWS)


def warm_workspace() -> threading.Thread:
    """
    In a thread while the server starts: decode the workspace, then draw the usual maps.

    The workspace's current ledgers and surveys are decoded, then the map page's usual views
    drawn once (:func:`warm_maps`). The first page opened after a start would otherwise read
    them: all of China's 300,000 communities take 1.5-3 s to decode
    (:meth:`store.Workspace.warm`). A page that asks while this runs waits for the same
    decoding, never for a second one. A workspace that cannot be read is left to the pages,
    which say why; the server starts either way.
    """

    def warm() -> None:
        try:
            with open_workspace() as workspace:  # the pages' own shares what it decodes
                rows = workspace.warm()
        except StoreError as exc:
            log.warning("workspace not read ahead: %s", exc)
        else:
            log.info("workspace read ahead: %d rows", rows)
        try:
            warm_maps()
        except (InputError, OSError) as exc:  # outlines not built: the pages say so
            log.warning("maps not drawn ahead: %s", exc)

    thread = threading.Thread(target=warm, name="atlas-warm-workspace", daemon=True)
    thread.start()
    return thread


import_layers()
warm_workspace()
app = st.App(Path(__file__).with_name("app.py"), routes=session.routes() + quick_map.routes())
