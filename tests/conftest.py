"""Shared fixtures: paths to the seed documents and the shared OSM extracts."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

# Tests never touch the user's own workspace: the app and the CLI get an empty embedded one
# for the run, in local mode (tests of team mode set their own).
_DATA = tempfile.mkdtemp(prefix="atlas-test-data-")
atexit.register(shutil.rmtree, _DATA, ignore_errors=True)
os.environ["ATLAS_DATA_DIR"] = _DATA
for _name in ("ATLAS_DATABASE_URL", "ATLAS_AUTH", "ATLAS_USER"):
    os.environ.pop(_name, None)


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The five seed documents; tests that read them skip when ../shared is absent."""
    folder = SHARED / "seeds"
    if not folder.is_dir():
        pytest.skip(f"seed documents not found at {folder} (CI has shared/ beside the checkout)")
    return folder


@pytest.fixture(autouse=True)
def empty_workspace(tmp_path, monkeypatch):
    """Each test starts with an empty embedded workspace, also for the app's cached handle."""
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path / "atlas-data"))
    if "streamlit" in sys.modules:
        import streamlit as st

        st.cache_resource.clear()  # closes the app's handle (on_release) on the old one


def unescaped(markdown: str) -> str:
    """What a reader sees of Markdown whose punctuation the pages escaped (layers._html.esc_md)."""
    return re.sub(r"\\(.)", r"\1", markdown)
