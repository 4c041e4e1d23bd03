"""
Where the shipped data lives.

``data/`` of the repository is installed as the package ``atlas_data`` (package data), so a
non-editable install carries it too.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["DATA_DIR", "EXAMPLES_DIR", "data_path"]

#: The folder of the shipped tables (data/ in the repository).
DATA_DIR = Path(str(resources.files("atlas_data")))
#: The synthetic example ledger and survey, and the scripts that write them.
EXAMPLES_DIR = DATA_DIR / "examples"


def data_path(name: str) -> Path:
    """The shipped file ``name`` (e.g. ``figures.csv``); FileNotFoundError if it is not there."""
    path = DATA_DIR / name
    if not path.is_file():
        raise FileNotFoundError(
            f"Expected the shipped file {name!r} in {DATA_DIR}; it is missing. Reinstall the "
            "project (make install) or restore data/ from the repository."
        )
    return path
