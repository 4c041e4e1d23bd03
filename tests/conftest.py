"""Shared fixtures: paths to the seed documents and the shared OSM extracts."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The five seed documents; tests that read them skip when ../shared is absent."""
    folder = SHARED / "seeds"
    if not folder.is_dir():
        pytest.skip(f"seed documents not found at {folder} (CI has shared/ beside the checkout)")
    return folder
