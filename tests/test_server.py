"""server.py, what `make app` serves: what it loads before its first visitor."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_the_server_loads_every_layer_module_but_no_component_before_serving():
    # A fresh interpreter, as `atlas serve` starts: what importing server.py has loaded.
    script = (
        "import pkgutil, sys, layers, server\n"
        "names = [m.name for m in pkgutil.walk_packages(layers.__path__, 'layers.')]\n"
        "print(len(names), all(n in sys.modules for n in names),\n"
        "      'mapclassify' in sys.modules, 'streamlit_folium' in sys.modules,\n"
        "      'app_pages.map' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    count, loaded, classify, component, page = done.stdout.split()
    assert int(count) >= 20 and loaded == "True" and classify == "True"
    # streamlit-folium registers its component only inside a script run: left to the pages,
    # or the map's frame would stay blank.
    assert component == "False" and page == "False"
