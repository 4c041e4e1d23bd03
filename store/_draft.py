"""
What one save writes: the record's facts, the frames and the districts covered, checked whole.

:class:`store.workspace.Workspace` fills a :class:`Draft` from what a reader returned,
:func:`store._scope.scope_draft` cuts it to the acting account's scope, and
:meth:`Draft.check` refuses it (a bad name or text, uneven counts, no clean row) before
anything is written.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import shapely

from store import _columns
from store.errors import DatasetError, NothingToSaveError
from store.names import check_text, normalise_name
from store.schema import ROWS_TABLE, quarantine

__all__ = ["REFUSED", "Draft"]

#: The columns every quarantine has, before its raw cells: a code and what the reader found,
#: with the detail's own code and parameters (layers words them); a version saved before
#: holds message_zh/message_en, or worded details and no detail_params, instead.
REFUSED = ["row", "reason", "column", "detail_zh", "detail_en", "detail_params"]


@dataclasses.dataclass
class Draft:
    """What one save writes: the record's facts, the frames, the districts covered."""

    kind: str
    name: str
    user: str
    data: bytes | None
    file_name: str | None
    datum: str | None
    rows: int
    frame: pd.DataFrame = None
    quarantine: pd.DataFrame = dataclasses.field(
        default_factory=lambda: pd.DataFrame(columns=REFUSED)
    )
    own: dict = dataclasses.field(default_factory=dict)
    meta: dict = dataclasses.field(default_factory=dict)
    covers: list[str] = dataclasses.field(default_factory=list)
    extent: shapely.Geometry | None = None
    texts: dict[str, str] = dataclasses.field(default_factory=dict)
    note: str | None = None
    covers_given: bool = False

    def by_reason(self) -> dict[str, int]:
        """Quarantined rows by reason, reasons sorted."""
        counts = self.quarantine["reason"].value_counts() if len(self.quarantine) else {}
        return {str(k): int(v) for k, v in sorted(dict(counts).items())}

    def check(self) -> dict[str, list]:
        """
        Refuse a bad name or text, no user, uneven counts or no clean row; the frames' specs.

        Called once the account's scope is applied: rows it refused are no clean rows.
        """
        self.name = normalise_name(self.name)
        for what, text in (("file name", self.file_name), ("note", self.note)):
            if text is not None:
                check_text(text, what)
        for document, body in self.texts.items():
            check_text(document, "document name")
            check_text(body, f"text of {document}")
        if not self.user:
            raise DatasetError("Expected the acting user's name; got an empty one.")
        if self.rows != len(self.frame) + len(self.quarantine):
            raise DatasetError(
                f"Expected rows = clean + quarantined; got {self.rows} ≠ {len(self.frame)} + "
                f"{len(self.quarantine)}. Save what the reader returned, unchanged."
            )
        if len(self.frame) == 0:
            # A version with no row replaces nothing and shows nothing: refused, said why.
            by_reason = self.by_reason()
            listed = ", ".join(f"{k} {v}" for k, v in by_reason.items()) or "none"
            raise NothingToSaveError(
                f"Expected at least one clean row to save; all {self.rows} rows are "
                f"quarantined (by reason: {listed}), so no version was made. Fix the "
                "quarantined rows, or save as an account that may write their districts.",
                rows=self.rows,
                by_reason=by_reason,
            )
        return {
            "rows": _columns.spec_of(self.frame, ROWS_TABLE[self.kind], own=tuple(self.own)),
            "quarantine": _columns.spec_of(self.quarantine, quarantine),
        }
