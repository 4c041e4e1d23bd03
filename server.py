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

from pathlib import Path

import streamlit as st

from app_pages._ui import session

app = st.App(Path(__file__).with_name("app.py"), routes=session.routes())
