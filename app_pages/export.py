"""
Export page: the map page's view, as files, in four forms.

- GeoJSON (RFC 7946), one file per layer;
- one GeoPackage holding every layer;
- CSV and XLSX tables, with the provenance columns of each layer;
- a single-file offline HTML map for intranets (政务网): Leaflet inlined, no tiles.

The view comes from the map's own filters (:func:`app_pages._ui.filters.map_view`, in the sidebar
and the address), so a shared ``/export?city=洛阳市`` exports 洛阳 whether or not the map page
ran in this session. Everything is in WGS84 (EPSG:4326), whatever basemap the map page shows.
Files are written when their button is clicked, not on every rerun. The layers are
:func:`layers.view.export_layers`'s, as ``atlas export --gpkg`` writes them.
"""

from __future__ import annotations

import datetime

import geopandas as gpd
import pandas as pd
import streamlit as st

from app_pages._ui.common import (
    current_infra,
    current_ledger,
    ledger_reconciliation,
    load_figures,
    reconcile_choice,
)
from app_pages._ui.filters import map_view
from app_pages._ui.measured import current_infra_metrics
from app_pages._ui.widgets import button_row, download
from layers._html import esc_md
from layers.export import geojson_bytes, geopackage_bytes, geopackage_layers, layer_csv, layers_xlsx
from layers.offline import offline_html_bytes
from layers.tables import layers_summary
from layers.view import View, export_layers, view_heading, view_map
from layers.wording import label


def memo_layers(view: View, projects, loaded, found, computed) -> dict[str, pd.DataFrame]:
    """The view's layers, rebuilt only when the view or the session's data change."""
    compared = reconcile_choice(loaded) if loaded else None
    key = (view, id(projects), id(found), id(computed), compared)
    memo = st.session_state.setdefault("export_layers", {})
    if key not in memo:
        memo.clear()
        memo[key] = export_layers(
            view,
            load_figures(),
            projects=projects,
            quarantine=loaded.ledger.quarantine if loaded else None,
            reconciliation=ledger_reconciliation(loaded) if loaded else None,
            infra=found.infra.features if found else None,
            measured=computed,
        )
    return memo[key]


def offline_map(view: View, projects, loaded, found, computed) -> bytes:
    """The view's map without tiles, as one self-contained HTML file with its heading."""
    infra = found.infra.features if found else None
    fmap = view_map(view, load_figures(), projects=projects, infra=infra, measured=computed)
    names = tuple(d.name for d in (loaded, found) if d is not None)
    heading = view_heading(view, load_figures(), today=datetime.date.today(), data_names=names)
    return offline_html_bytes(fmap, title=label("title", view.lang), heading=heading)


def heading_section(view: View, lang: str) -> None:
    """What is exported, as the offline map's face says it: filters, sources, date."""
    heading = view_heading(view, load_figures(), today=datetime.date.today())
    st.markdown(esc_md(heading[1]))
    st.caption(f"{esc_md(heading[2])}  \n{esc_md(label('export_wgs84', lang))}")


def geopackage_section(layers: dict[str, pd.DataFrame], lang: str) -> None:
    """Every layer in one GeoPackage."""
    st.subheader("GeoPackage")
    text = label("download_gpkg_view", lang)
    download(text, "renovation-atlas.gpkg", geopackage_bytes, layers, type="primary", key="dl-gpkg")


def offline_section(view: View, projects, loaded, found, computed, lang: str) -> None:
    """The single-file offline HTML map, for intranets."""
    st.subheader(label("offline_html", lang))
    st.caption(label("offline_html_help", lang))
    shown = (view, projects, loaded, found, computed)
    download(
        label("download_html", lang),
        "renovation-atlas-offline.html",
        offline_map,
        *shown,
        key="dl-html",
    )


def geojson_section(layers: dict[str, pd.DataFrame]) -> None:
    """One RFC 7946 GeoJSON file per spatial layer."""
    st.subheader("GeoJSON (RFC 7946)")
    spatial = {n: f for n, f in layers.items() if isinstance(f, gpd.GeoDataFrame)}
    with button_row():
        for name, frame in spatial.items():
            file_name = f"{name}.geojson"
            download(file_name, file_name, geojson_bytes, frame, key=f"dl-geojson-{name}")


def tables_section(layers: dict[str, pd.DataFrame], lang: str) -> None:
    """Every layer as a sheet of one workbook, and each as a CSV file."""
    st.subheader(label("tables", lang))
    st.caption(label("tables_help", lang))
    download(
        label("download_xlsx_all", lang),
        "renovation-atlas.xlsx",
        layers_xlsx,
        layers,
        key="dl-xlsx",
    )
    with button_row():
        for name, frame in layers.items():
            download(f"{name}.csv", f"{name}.csv", layer_csv, frame, key=f"dl-csv-{name}")


def render(lang: str) -> None:
    """The export page: the map's view as a GeoPackage, an offline map, GeoJSON and tables."""
    st.title(label("export_title", lang))
    loaded, found, computed = current_ledger(), current_infra(), current_infra_metrics()
    view, _, _ = map_view(load_figures(), loaded, computed, lang, basemap_choice=False)
    projects = loaded.ledger.projects if loaded is not None else None
    heading_section(view, lang)
    layers = memo_layers(view, projects, loaded, found, computed)
    st.dataframe(layers_summary(geopackage_layers(layers), lang), hide_index=True)
    geopackage_section(layers, lang)
    offline_section(view, projects, loaded, found, computed, lang)
    geojson_section(layers)
    tables_section(layers, lang)
