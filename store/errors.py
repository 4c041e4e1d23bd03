"""Exception classes raised by `store`; each subclasses a built-in so callers may catch that."""

from __future__ import annotations

from geo.errors import AtlasError


class StoreError(AtlasError, RuntimeError):
    """
    The workspace database cannot be used: missing, broken, full, locked, unreachable, refused.

    ``code`` names the kind of refusal and ``details`` its values, so a front end can say it
    in the user's language (``layers.labels.error_text``); the message itself is English, for
    logs and the command line, and says what was expected, what was found and the fix.
    """

    def __init__(
        self, message: str, *, code: str | None = None, details: dict[str, str] | None = None
    ) -> None:
        self.code = code
        self.details = dict(details or {})
        super().__init__(message)


class SchemaError(StoreError):
    """The workspace has no atlas tables yet, or tables of an older or newer atlas."""


class DatasetError(StoreError, ValueError):
    """A dataset name refused, or a save that does not fit the dataset it names."""


class UnknownDatasetError(DatasetError, LookupError):
    """A dataset name or version that the workspace does not hold."""

    def __str__(self) -> str:  # LookupError subclasses would repr() the message
        return self.args[0]


class AccessError(StoreError, PermissionError):
    """The acting account may not read or write this: no login, another city, a viewer."""


class AccountError(StoreError, ValueError):
    """An account option refused: a taken name, a role without its city, a short password."""


class LoginError(StoreError, PermissionError):
    """A login refused. The message never says whether the account exists."""
