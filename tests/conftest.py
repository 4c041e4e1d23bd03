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
# for the run, in local mode (tests of team mode set their own). It is made with `atlas db
# init` (Workspace.init), as on a fresh machine: nothing creates a workspace by itself.
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


@pytest.fixture(scope="session", autouse=True)
def workspace_template(tmp_path_factory) -> Path:
    """
    An empty embedded workspace made once, copied for each test (the run's, too).

    Session-wide, so it is ready before any other session fixture (a browser test's server
    opens the run's workspace).
    """
    from store import Workspace

    path = tmp_path_factory.mktemp("workspace-template") / "atlas.sqlite"
    with Workspace(f"sqlite:///{path}") as made:
        made.init()
    shutil.copyfile(path, Path(_DATA) / path.name)
    return path


@pytest.fixture(autouse=True)
def empty_workspace(tmp_path_factory, monkeypatch, workspace_template):
    """Each test starts with an empty embedded workspace, also for the app's cached handle."""
    folder = tmp_path_factory.mktemp("atlas-data")  # beside tmp_path: tests list theirs
    shutil.copyfile(workspace_template, folder / workspace_template.name)
    monkeypatch.setenv("ATLAS_DATA_DIR", str(folder))
    if "streamlit" in sys.modules:
        import streamlit as st

        st.cache_resource.clear()  # closes the app's handle (on_release) on the old one


def pytest_sessionfinish(session) -> None:
    """
    Remove the folder Streamlit's AppTest makes when imported: left to the interpreter's exit,
    it warns (ResourceWarning) in each pytest-xdist worker.
    """
    app_test = sys.modules.get("streamlit.testing.v1.app_test")
    if app_test is not None:
        app_test.TMP_DIR.cleanup()


def unescaped(markdown: str) -> str:
    """What a reader sees of Markdown whose punctuation the pages escaped (layers._html.esc_md)."""
    return re.sub(r"\\(.)", r"\1", markdown)
