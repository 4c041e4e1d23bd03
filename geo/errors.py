"""Exception classes raised by `geo`; each subclasses a built-in so callers may catch that."""


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

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.args[0]


class BoundaryCacheError(AtlasError, FileNotFoundError):
    """The converted outline cache is missing or stale."""


class DataError(AtlasError, ValueError):
    """A shipped data table breaks its own schema or sums."""


class TableError(DataError):
    """A CSV or XLSX table that cannot be read as a whole: encoding, format or header."""


class LedgerError(TableError):
    """A ledger file that cannot be read as a whole: encoding, format, headers or datum."""


class UploadError(DataError):
    """An uploaded vector file refused as a whole: format, safety checks or CRS."""


class DocumentError(DataError):
    """A document (.txt, .docx, .pdf) refused as a whole: format, size, safety or no text."""
