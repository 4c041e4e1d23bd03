"""
The coverage of the session's infrastructure, measured once per inputs and kept in the session.

The accessibility page measures it with its radii and declared districts; the map, export,
compare and quality pages show the newest measure, or one with that page's defaults.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages._ui.cache import kept_newest
from app_pages._ui.common import current_infra, current_ledger
from app_pages._ui.loaded import LoadedInfra
from geo import coverage
from geo.coverage import Coverage

__all__ = ["current_infra_metrics", "infra_metrics", "session_infra_metrics"]

INFRA_METRICS_KEY = "infra_metrics"


def infra_metrics(
    loaded: LoadedInfra, projects, radii: tuple[int, ...], covers: tuple[str, ...]
) -> Coverage:
    """
    :func:`geo.coverage.measure` of the session's infrastructure, kept for its inputs.

    Kept per infrastructure, ledger, radii and declared districts (the newest result only, so
    a session holds one).
    """
    return kept_newest(
        INFRA_METRICS_KEY,
        (loaded.token, id(projects), radii, covers),
        lambda: coverage.measure(projects, loaded.infra, radii=radii, covers=covers),
    )


def current_infra_metrics() -> Coverage | None:
    """The newest coverage computed on the accessibility page, or ``None``."""
    memo = st.session_state.get(INFRA_METRICS_KEY) or {}
    return next(iter(memo.values()), None)


def session_infra_metrics() -> tuple[LoadedInfra, pd.DataFrame] | None:
    """
    The session's infrastructure and its district metrics, for the compare and quality pages.

    The metrics the accessibility page computed for this infrastructure (with its radii and
    declared districts) when there are some, else computed once with that page's defaults.
    ``None`` when no infrastructure is loaded.
    """
    loaded = current_infra()
    if loaded is None:
        return None
    memo = st.session_state.get(INFRA_METRICS_KEY) or {}
    for key, measured in memo.items():
        if key[0] == loaded.token:
            return loaded, measured.table
    ledger = current_ledger()
    projects = ledger.ledger.projects if ledger is not None else None
    return loaded, infra_metrics(loaded, projects, coverage.RADII_M, ()).table
