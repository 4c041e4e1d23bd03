"""
Leaflet served from this machine, so maps render with no network.

streamlit-folium loads each element's script and stylesheet links inside its iframe; folium
points them at public CDNs, which a housing bureau's intranet (or this project's CI) cannot
reach. Leaflet 1.9.4 comes from the PyPI package ``django-js-lib-leaflet`` (BSD-2-Clause;
Django is not needed, the package only holds the files), is copied into the app's
``static/`` folder, and is served by Streamlit's static file serving at ``/app/static/``.
"""

from __future__ import annotations

import importlib.resources
import shutil
from pathlib import Path

import folium

__all__ = ["LEAFLET_URL_PREFIX", "install_leaflet", "leaflet_source", "use_local_leaflet"]

#: Where Streamlit serves ``<app folder>/static/leaflet/`` (``server.enableStaticServing``).
LEAFLET_URL_PREFIX = "/app/static/leaflet"
_FILES = ("leaflet.js", "leaflet.css", "images")


def leaflet_source() -> Path:
    """Folder of Leaflet's built files inside the installed package."""
    return Path(str(importlib.resources.files("js_lib_leaflet"))) / "static" / "js_lib_leaflet"


def install_leaflet(static_dir: Path) -> Path:
    """
    Copy Leaflet's script, stylesheet and images into ``static_dir/leaflet``.

    A no-op when the copy is already there and current. Returns the target folder.
    """
    source = leaflet_source()
    target = static_dir / "leaflet"
    marker = target / "leaflet.js"
    if marker.exists() and marker.stat().st_size == (source / "leaflet.js").stat().st_size:
        return target
    target.mkdir(parents=True, exist_ok=True)
    for name in _FILES:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name, dirs_exist_ok=True)
        else:
            shutil.copy2(source / name, target / name)
    return target


def use_local_leaflet(fmap: folium.Map, *, prefix: str = LEAFLET_URL_PREFIX) -> folium.Map:
    """
    Point ``fmap`` at the local Leaflet copy and drop folium's other CDN links.

    jQuery, Bootstrap and awesome-markers are only needed for marker icons and popups styled
    by Bootstrap, which these maps do not use.
    """
    fmap.default_js = [("leaflet", f"{prefix}/leaflet.js")]
    fmap.default_css = [("leaflet_css", f"{prefix}/leaflet.css")]
    return fmap
