"""
The app's server: ``app.py`` with the routes that set and clear the session cookie.

The routes are :mod:`app_pages.session`'s, so that no page script ever holds the cookie.

    streamlit run server.py --server.address localhost  # as `make app` and `atlas serve` do

Streamlit finds ``app`` below (an ``st.App``) and serves it with uvicorn; its options
(``--server.port``, ``.streamlit/config.toml``) apply as to ``streamlit run app.py``, which
still serves a workspace in local mode but cannot log anyone in.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app_pages import session

app = st.App(Path(__file__).with_name("app.py"), routes=session.routes())
