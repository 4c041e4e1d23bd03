"""
Leaflet served from this machine, so maps render with no network.

streamlit-folium loads each element's script and stylesheet links inside its iframe; folium
points them at public CDNs, which a housing bureau's intranet (or this project's CI) cannot
reach. Leaflet 1.9.4 comes from the PyPI package ``django-js-lib-leaflet`` (BSD-2-Clause;
Django is not needed, the package only holds the files), is copied into the app's
``static/`` folder, and is served by Streamlit's static file serving at ``/app/static/``.

Leaflet.markercluster 1.5.3 (MIT) has no PyPI package; ``make install`` fetches its npm
tarball once (``npm pack``, checked against the registry's SHA-1) into the virtualenv's
``share/renovation-atlas/``, and :func:`install_markercluster` unpacks its three built files.
"""

from __future__ import annotations

import importlib.resources
import shutil
import sys
import tarfile
from pathlib import Path

import folium

__all__ = [
    "LEAFLET_URL_PREFIX",
    "MARKERCLUSTER_TARBALL",
    "MARKERCLUSTER_URL_PREFIX",
    "install_leaflet",
    "install_markercluster",
    "leaflet_source",
    "use_local_leaflet",
    "use_local_markercluster",
]

#: Where Streamlit serves ``<app folder>/static/leaflet/`` (``server.enableStaticServing``).
LEAFLET_URL_PREFIX = "/app/static/leaflet"
_FILES = ("leaflet.js", "leaflet.css", "images")
#: Where ``make install`` puts the npm tarball (inside the virtualenv, never in the repo).
MARKERCLUSTER_TARBALL = (
    Path(sys.prefix) / "share" / "renovation-atlas" / "leaflet.markercluster-1.5.3.tgz"
)
MARKERCLUSTER_URL_PREFIX = "/app/static/leaflet.markercluster"
_CLUSTER_FILES = ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css")


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


def install_markercluster(static_dir: Path, *, tarball: Path = MARKERCLUSTER_TARBALL) -> Path:
    """
    Unpack Leaflet.markercluster's built script and stylesheets into ``static_dir``.

    Only the three files under ``package/dist/`` are read from the tarball, by name, so no
    path inside it can write elsewhere. Raises FileNotFoundError, saying to run
    ``make install``, when the tarball is missing.
    """
    if not tarball.exists():
        raise FileNotFoundError(
            f"Expected Leaflet.markercluster at {tarball}; it is fetched by `make install` "
            "(npm pack leaflet.markercluster@1.5.3). Run `make install`, then `atlas build`."
        )
    target = static_dir / "leaflet.markercluster"
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball, "r:gz") as archive:
        for name in _CLUSTER_FILES:
            member = archive.extractfile(f"package/dist/{name}")
            if member is None:
                raise FileNotFoundError(f"{tarball} has no package/dist/{name}.")
            (target / name).write_bytes(member.read())
    return target


def use_local_markercluster(
    cluster: folium.MacroElement, *, prefix: str = MARKERCLUSTER_URL_PREFIX
) -> folium.MacroElement:
    """Point a MarkerCluster or FastMarkerCluster at the local copy instead of cdnjs."""
    cluster.default_js = [("markerclusterjs", f"{prefix}/leaflet.markercluster.js")]
    cluster.default_css = [
        ("markerclustercss", f"{prefix}/MarkerCluster.css"),
        ("markerclusterdefaultcss", f"{prefix}/MarkerCluster.Default.css"),
    ]
    return cluster
