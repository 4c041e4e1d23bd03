"""
The workspace: saved, versioned ledgers, infrastructure files and figure tables.

One interface over two back ends: an embedded SQLite file (the default, created on first
use under ``$ATLAS_DATA_DIR``) and PostgreSQL + PostGIS for a team
(``ATLAS_DATABASE_URL=postgresql://…``). ``store`` reads and writes; ``geo`` computes. Nothing
here imports streamlit or folium.

    workspace = open_workspace()
    saved = workspace.save_ledger(ledger, name="xinxiang", data=raw, file_name="台账.csv",
                                  user="clerk")
    workspace.current_projects(city="新乡市")
"""

from store.errors import DatasetError, SchemaError, StoreError, UnknownDatasetError
from store.workspace import (
    KINDS,
    SavedFigures,
    SavedVersion,
    VersionInfo,
    Workspace,
    acting_user,
    open_workspace,
    parse_ref,
)

__all__ = [
    "KINDS",
    "DatasetError",
    "SavedFigures",
    "SavedVersion",
    "SchemaError",
    "StoreError",
    "UnknownDatasetError",
    "VersionInfo",
    "Workspace",
    "acting_user",
    "open_workspace",
    "parse_ref",
]
