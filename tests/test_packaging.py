"""The shipped data travels with the package: data/ is the package atlas_data, every file in
it is package data, and the code finds it through geo/_data.py, not a path of its own."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

from geo import _data

REPO = Path(__file__).resolve().parent.parent


def test_every_shipped_file_is_package_data():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    assert config["setuptools"]["package-dir"]["atlas_data"] == "data"
    patterns = config["setuptools"]["package-data"]
    shipped = [
        p for p in (REPO / "data").rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ]
    assert len(shipped) >= 10
    for path in shipped:
        relative = path.relative_to(REPO / "data")
        package = ".".join(["atlas_data", *relative.parent.parts])
        assert package in config["setuptools"]["packages"], relative
        if path.suffix == ".py":
            continue  # modules of the package
        assert any(fnmatch.fnmatch(path.name, p) for p in patterns.get(package, [])), relative


def test_the_code_reads_data_through_one_module():
    assert _data.DATA_DIR.resolve() == (REPO / "data").resolve()
    assert _data.data_path("figures.csv").is_file()
    # No module builds its own path to data/ from where it sits: DATA_DIR is geo/_data.py's.
    own = re.compile(r"""__file__.*["']data["']""")
    for path in [*REPO.glob("geo/*.py"), *REPO.glob("layers/*.py"), *REPO.glob("app_pages/*.py")]:
        assert not own.search(path.read_text(encoding="utf-8")), path
