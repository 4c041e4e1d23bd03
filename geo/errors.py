"""
The few exception classes a caller of `geo` catches; each subclasses a built-in.

- :class:`UnknownPlaceError` (a ``KeyError``): a place name that matches nothing.
- :class:`InputError` (a ``ValueError``): a file or option a user gave, refused as a whole
  (encoding, format, headers, datum, safety checks). Bad rows never raise: they are
  quarantined.
- :class:`DataError` (a ``ValueError``): a table shipped in ``data/`` breaks its own schema.
- :class:`BoundaryCacheError` (a ``FileNotFoundError``): the outline cache is missing.

Messages say what was expected, what arrived and how to fix it, in words that hold for every
front end. Where the fix is a setting the user gives, :attr:`InputError.fix` names it
(:data:`FIXES`), and the CLI or the app adds its own way to give it (a flag, a widget).
"""

from __future__ import annotations

__all__ = [
    "CODES",
    "FIXES",
    "AtlasError",
    "BoundaryCacheError",
    "DataError",
    "InputError",
    "UnknownPlaceError",
]

#: Settings an :class:`InputError` may name as its fix, and what each means.
FIXES = {
    "datum": "the datum of the coordinates (wgs84, cgcs2000, gcj02 or bd09)",
    "sheet": "the workbook sheet to read",
    "layer": "the GeoPackage layer to read",
    "city": "the city the named districts belong to",
    "output": "the path of a file to write",
}

#: Kinds of refusal an :class:`InputError` may name as its ``code``, each with the keys of the
#: ``details`` it carries: a front end words each in its own language (the app's catalogue has
#: ``error_<code>``), the message stays English for logs and the CLI.
CODES: dict[str, tuple[str, ...]] = {
    "no_datum": (),
    "no_datum_hint": ("best", "tally"),
    "unknown_datum": ("value",),
    "encoding_big5": ("sample",),
    # No reported figure plans this city and year (geo.plans.plan_from_figures).
    "no_plan_figures": ("city", "year", "found"),
}


class AtlasError(Exception):
    """Base class; never raised directly."""


class UnknownPlaceError(AtlasError, KeyError):
    """A city, province or district name that matches nothing, with close matches."""

    def __init__(self, kind: str, value: str, suggestions: list[str]) -> None:
        self.kind = kind
        self.value = value
        self.suggestions = list(suggestions)
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"Unknown {kind} {value!r}.{hint}")

    def __str__(self) -> str:
        """The message as written (KeyError would repr() it)."""
        return self.args[0]


class BoundaryCacheError(AtlasError, FileNotFoundError):
    """The converted outline cache is missing or stale."""


class DataError(AtlasError, ValueError):
    """A table shipped in ``data/`` breaks its own schema or sums."""


class InputError(AtlasError, ValueError):
    """
    A file or option a user gave, refused as a whole.

    ``fix`` is a key of :data:`FIXES` when the fix is a setting the user gives (the CLI
    names its flag, the app its widget), else ``None``. ``code`` names the kind of refusal
    and ``details`` its values, so a front end can say it in the user's language (the app's
    ``layers.labels.error_text``); the message itself is English, for logs and the CLI.
    """

    def __init__(
        self,
        message: str,
        *,
        fix: str | None = None,
        code: str | None = None,
        details: dict[str, str] | None = None,
    ) -> None:
        if fix is not None and fix not in FIXES:
            raise ValueError(f"Expected fix to be one of {sorted(FIXES)}, got {fix!r}.")
        if code is not None and (code not in CODES or set(details or {}) != set(CODES[code])):
            raise ValueError(
                f"Expected code to be one of {sorted(CODES)} with its details, got {code!r} "
                f"with {sorted(details or {})}; add the code to geo.errors.CODES."
            )
        self.fix = fix
        self.code = code
        self.details = dict(details or {})
        super().__init__(message)
