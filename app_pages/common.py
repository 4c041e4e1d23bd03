"""What several pages share: the figures, the chosen language, the session's ledger."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from geo import boundaries, figures
from geo.infra import Infra
from geo.records import Ledger

LEDGER_KEY = "ledger"
INFRA_KEY = "infra"


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
