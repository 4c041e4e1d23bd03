"""What several pages share: the figures, the chosen language, the session's ledger."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from geo import boundaries, coverage, crs, figures, gazetteer
from geo.coverage import Coverage
from geo.infra import Infra
from geo.records import Ledger
from layers.labels import label

LEDGER_KEY = "ledger"
INFRA_KEY = "infra"
INFRA_METRICS_KEY = "infra_metrics"
#: The map page's current View (layers.view.View), read by the export page.
VIEW_KEY = "view"


@dataclass
class LoadedLedger:
    """A ledger read in this session, its file name and its reconciliation table."""

    ledger: Ledger
    name: str
    reconciliation: pd.DataFrame

    @functools.cached_property
    def synthetic(self) -> bool:
        """True for the shipped example, or any file that says it is synthetic."""
        labelled = (
            self.ledger.projects.head(1000).astype(str).apply(lambda c: c.str.contains("synthetic"))
        )
        return "synthetic" in self.name or bool(labelled.any().any())


@dataclass
class LoadedInfra:
    """Infrastructure read in this session, its file name and a token of its bytes."""

    infra: Infra
    name: str
    token: str

    @functools.cached_property
    def synthetic(self) -> bool:
        """True for the shipped example, or a file whose features say they are synthetic."""
        labelled = self.infra.features.head(1000).drop(columns="geometry").astype(str)
        return "synthetic" in self.name or bool(
            labelled.apply(lambda c: c.str.contains("synthetic")).any().any()
        )


@st.cache_data
def load_display_outlines() -> pd.DataFrame:
    """All county-level display outlines (simplified), by adcode."""
    return boundaries.load_boundaries("district", display=True).set_index("adcode")


@st.cache_data
def load_figures() -> pd.DataFrame:
    """The reported figures from data/, validated once per server."""
    return figures.load_figures()


def current_lang() -> str:
    """``zh`` or ``en``, from the language switch in app.py."""
    return st.session_state.get("lang", "zh")


def current_ledger() -> LoadedLedger | None:
    """The ledger read on the ledger page, kept only in this browser session."""
    return st.session_state.get(LEDGER_KEY)


def current_infra() -> LoadedInfra | None:
    """The infrastructure read on the accessibility page, kept only in this browser session."""
    return st.session_state.get(INFRA_KEY)


def infra_metrics(
    loaded: LoadedInfra, projects, radii: tuple[int, ...], covers: tuple[str, ...]
) -> Coverage:
    """
    :func:`geo.coverage.measure` of the session's infrastructure, kept per infrastructure,
    ledger, radii and declared districts (the newest result only, so a session holds one).
    """
    key = (loaded.token, id(projects), radii, covers)
    memo = st.session_state.setdefault(INFRA_METRICS_KEY, {})
    if key not in memo:
        measured = coverage.measure(loaded.infra, projects, radii=radii, covers=covers)
        memo.clear()
        memo[key] = measured
    return memo[key]


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


def datum_select(lang: str, *, key: str | None = None) -> str | None:
    """The datum of an upload's coordinates: declared in the file (None), or one of crs.DATUMS."""
    return st.selectbox(
        label("datum", lang),
        [None, *crs.DATUMS],
        format_func=lambda d: (
            label("datum_in_file", lang) if d is None else label(f"datum_{d}", lang)
        ),
        key=key,
    )


@st.cache_data
def load_city_names() -> list[str]:
    """Every prefecture-level city of China, by adcode."""
    return gazetteer.list_cities()["city"].tolist()
