"""
The workspace: saved, versioned ledgers, infrastructure files and figure tables.

One interface over two back ends: an embedded SQLite file (the default, under
``$ATLAS_DATA_DIR``, created by ``atlas db init``) and PostgreSQL + PostGIS for a team
(``ATLAS_DATABASE_URL=postgresql://…``). ``store`` reads and writes; ``geo`` computes. Nothing
here imports streamlit or folium.

    workspace = open_workspace()
    login = workspace.login("weibin", password, address="10.0.0.7")   # team mode
    saved = workspace.save_ledger(ledger, name="xinxiang", data=raw, file_name="台账.csv",
                                  user=login.account)    # local mode: user="clerk" or None
    workspace.current_projects(city="新乡市", user=login.account)
"""

from store.accounts import Account, acting_user, local_account
from store.errors import (
    AccessError,
    AccountError,
    DatasetError,
    LoginError,
    NothingToSaveError,
    SchemaError,
    StoreError,
    TextError,
    UnknownDatasetError,
)
from store.names import parse_ref
from store.workspace import (
    KINDS,
    SavedFigures,
    SavedVersion,
    VersionInfo,
    Workspace,
    open_workspace,
)

__all__ = [
    "KINDS",
    "AccessError",
    "Account",
    "AccountError",
    "DatasetError",
    "LoginError",
    "NothingToSaveError",
    "SavedFigures",
    "SavedVersion",
    "SchemaError",
    "StoreError",
    "TextError",
    "UnknownDatasetError",
    "VersionInfo",
    "Workspace",
    "acting_user",
    "local_account",
    "open_workspace",
    "parse_ref",
]
