"""Exception classes raised by `store`; each subclasses a built-in so callers may catch that."""

from __future__ import annotations

from geo.errors import AtlasError

#: Kinds of refusal a store error may name as its ``code``, each with the keys of its
#: ``details``, so a front end can word it (the app's catalogue has ``error_<code>``).
CODES: dict[str, tuple[str, ...]] = {
    "nothing_to_save": ("rows", "by_reason"),
    # A workspace missing, broken or full, and files a backup will not overwrite (_files).
    "workspace_missing": ("where",),
    "workspace_gone": ("where", "entry"),
    "workspace_empty": ("where",),
    "workspace_not_sqlite": ("where",),
    "workspace_not_atlas": ("where",),
    "workspace_behind": ("where", "found", "entry"),
    "disk_full": ("where",),
    "disk_write_failed": ("where",),
    "file_exists": ("where",),
    "folder_missing": ("where",),
    "workspace_unusable": ("where",),
    "backup_missing": ("where",),
    "copy_incomplete": (),
    "restore_not_empty": ("where", "datasets"),
    # A dataset or version this account may not read, or that is not there: the same refusal
    # (store.workspace), with the versions of it the account may read (``versions``, 2–5 or 3).
    "no_access": ("account", "ref"),
    "no_access_versions": ("account", "ref", "name", "versions"),
    # An admin's reference to a version or dataset the workspace does not hold (``versions``
    # those it has, ``datasets`` "/" between, "-" for none).
    "no_version": ("name", "version", "versions"),
    "no_dataset": ("name", "where", "datasets"),
    # A dataset of another kind than the page or command reads (store.loaded; kinds as codes).
    "dataset_kind": ("ref", "kind_wanted", "kind_held"),
    # A name, reference or text refused (store.names): ``cap`` the longest name or the highest
    # version number.
    "name_refused": ("value", "cap"),
    "version_refused": ("value", "cap"),
    "ref_refused": ("ref", "cap"),
    "text_unstorable": (),
    # What an account may not do (store.accounts, store.workspace, store._scope): no login, an
    # account disabled or gone, a viewer saving, its scope changed during a save, publishing
    # (not a city's account), covering districts outside ``scope`` ("/" between).
    "login_first": (),
    "account_gone": ("account",),
    "account_viewer": ("account",),
    "scope_changed": ("account",),
    "publish_refused": ("account",),
    "covers_outside": ("scope", "outside"),
}


class StoreError(AtlasError, RuntimeError):
    """
    The workspace database cannot be used: missing, broken, full, locked, unreachable, refused.

    ``code`` names the kind of refusal and ``details`` its values, so a front end can say it
    in the user's language (``layers.wording.error_text``); the message itself is English, for
    logs and the command line, and says what was expected, what was found and the fix.
    """

    def __init__(
        self, message: str, *, code: str | None = None, details: dict[str, object] | None = None
    ) -> None:
        self.code = code
        self.details = dict(details or {})
        super().__init__(message)


class SchemaError(StoreError):
    """The workspace has no atlas tables yet, or tables of an older or newer atlas."""


class DatasetError(StoreError, ValueError):
    """A dataset name refused, or a save that does not fit the dataset it names."""


class NothingToSaveError(DatasetError):
    """
    A save in which no row is clean (every one quarantined): no version is made.

    ``details`` gives ``rows`` and ``by_reason`` (quarantine reason → rows), under the
    ``code`` ``nothing_to_save``, so each front end can say it in its own words.
    """

    def __init__(self, message: str, *, rows: int, by_reason: dict[str, int]) -> None:
        details = {"rows": rows, "by_reason": dict(by_reason)}
        super().__init__(message, code="nothing_to_save", details=details)


class UnknownDatasetError(DatasetError, LookupError):
    """A dataset name or version that the workspace does not hold."""

    def __str__(self) -> str:  # LookupError subclasses would repr() the message
        return self.args[0]


class AccessError(StoreError, PermissionError):
    """The acting account may not read or write this: no login, another city, a viewer."""


class AccountError(StoreError, ValueError):
    """An account option refused: a taken name, a role without its city, a short password."""


class TextError(StoreError, ValueError):
    """Text no database can keep (a NUL byte, an unpaired surrogate), refused before it is sent."""


class LoginError(StoreError, PermissionError):
    """A login refused. The message never says whether the account exists."""
