"""Shared fixtures: paths to the seed documents and the shared OSM extracts."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

# No test touches a planner's own workspace: the embedded file lives in a temporary folder,
# and a team server named in the environment is ignored (tests/workspace names its own).
os.environ["ATLAS_DATA_DIR"] = tempfile.mkdtemp(prefix="atlas-test-data-")
os.environ.pop("ATLAS_DATABASE_URL", None)

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


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
