"""What several pages share: the figures, the chosen language, the session's ledger."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from geo import figures
from geo.records import Ledger

LEDGER_KEY = "ledger"


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
