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
    for path in [
        *REPO.glob("geo/**/*.py"),
        *REPO.glob("layers/*.py"),
        *REPO.glob("app_pages/**/*.py"),
    ]:
        assert not own.search(path.read_text(encoding="utf-8")), path


# --- what `make app` installs: the runtime only (issue 22) ------------------------------------

RUNTIME_CODE = ["app.py", "server.py", "cli", "geo", "layers", "store", "app_pages"]
OWN = {"geo", "layers", "store", "app_pages", "atlas_data", "cli", "bench", "tests"}


def _requirement_names(requirements: list[str]) -> list[str]:
    return [
        re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements
    ]


def _imported_top_modules(paths: list[str]) -> set[str]:
    import ast
    import sys

    found = set()
    for name in paths:
        root = REPO / name
        for path in [root] if root.is_file() else root.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - OWN - {"__future__"}


def test_runtime_imports_are_declared_dependencies_and_no_test_tool_is_one():
    import importlib.metadata

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = _requirement_names(project["dependencies"])
    tools = _requirement_names(project["optional-dependencies"]["test"])
    bench = (REPO / "bench" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    bench = _requirement_names([b for b in bench if b.strip() and not b.startswith("#")])
    assert len(runtime) == len(set(runtime)), "a dependency is listed twice"
    assert not set(runtime) & (set(tools) | set(bench))
    providers = importlib.metadata.packages_distributions()
    for module in sorted(_imported_top_modules(RUNTIME_CODE)):
        names = {d.lower().replace("_", "-") for d in providers.get(module, [module])}
        assert names & set(runtime), f"{module} is imported at run time but not a dependency"


def test_make_app_installs_the_runtime_and_make_test_adds_the_test_extra():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert not (REPO / "requirements.txt").exists()  # one list: pyproject.toml
    assert "pip install --quiet -e .\n" in makefile  # the runtime stamp: no extra
    assert "pip install --quiet -e '.[test]'" in makefile
    targets = dict(re.findall(r"^([\w-]+):([^\n=]*)$", makefile, re.M))
    assert "install-test" not in targets["app"] and "install-test" not in targets["build"]
    assert "install-test" in targets["test"] and "install-test" in targets["lint"]
