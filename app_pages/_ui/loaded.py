"""
A ledger or infrastructure a session has in view, with its name and where it comes from.

Frozen values: a cached opening is shared by every session, so no page changes what another
session is shown. :mod:`app_pages._ui.common` says which one is in view.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field

import pandas as pd

from geo.infra import Infra
from geo.records import Ledger
from geo.report import looks_synthetic
from store import VersionInfo

__all__ = ["INFRA_KEY", "LEDGER_KEY", "LoadedInfra", "LoadedLedger"]

#: Session keys of a ledger or infrastructure read in this session and not yet saved.
LEDGER_KEY = "ledger_read"
INFRA_KEY = "infra_read"


@dataclass(frozen=True)
class _Loaded:
    """
    What a loaded ledger and infrastructure share: where they come from, whether synthetic.

    ``ref`` is the workspace reference (``None`` while unsaved) and ``sources`` the saved
    versions the rows come from; ``data`` and ``datum`` are what a save needs of a file read
    in this session. Given by keyword, after each kind's own fields.
    """

    ref: str | None = field(default=None, kw_only=True)
    sources: list[VersionInfo] = field(default_factory=list, kw_only=True)
    data: bytes | None = field(default=None, kw_only=True)
    datum: str | None = field(default=None, kw_only=True)

    def _rows(self) -> pd.DataFrame:
        raise NotImplementedError

    @functools.cached_property
    def synthetic(self) -> bool:
        """True for the shipped examples, or a file whose rows say they are synthetic."""
        return looks_synthetic([self.name], self._rows())


@dataclass(frozen=True)
class LoadedLedger(_Loaded):
    """
    A ledger in view: its name, its reconciliation table, and where it comes from.

    ``reconciliation`` is compared as :func:`geo.reconcile.reconcile` chooses; a session's
    own choice is :func:`app_pages._ui.common.ledger_reconciliation`'s.
    """

    ledger: Ledger
    name: str
    reconciliation: pd.DataFrame

    def _rows(self) -> pd.DataFrame:
        return self.ledger.projects

    @functools.cached_property
    def token(self) -> str:
        """What names this ledger's content: the saved versions, or the file as read."""
        if self.sources:
            return "workspace:" + "|".join(info.ref for info in self.sources)
        digest = hashlib.sha256(self.data or b"").hexdigest()[:16]
        return f"session:{self.name}:{self.datum}:{digest}"


@dataclass(frozen=True)
class LoadedInfra(_Loaded):
    """Infrastructure in view: its name, a token of its content, and where it comes from."""

    infra: Infra
    name: str
    token: str

    def _rows(self) -> pd.DataFrame:
        return self.infra.features

    @property
    def extract(self) -> tuple[bytes, str] | None:
        """
        The OSM extract read in this session and its name, the file a page walks on; or None.

        None for a saved dataset (it keeps the features, not the extract) and for any other
        kind of file (a table of ramps has no streets).
        """
        if self.data is None or self.infra.kind != "osm":
            return None
        return self.data, self.name
