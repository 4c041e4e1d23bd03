"""
Accessibility page: infrastructure loaded, coverage by district, distances from communities.

Load infrastructure (OSM or a survey), see district coverage and how far each renovated
community is from an accessible stop, a curb ramp and an accessible toilet.

The infrastructure stays in this browser session (or comes from the workspace, ``?infra=``);
the radii, the declared districts and the measure shown live in the address
(``/accessibility?near=200&far=800&coverage=curb_ramps``). Metrics are recomputed only when the
infrastructure, the ledger or the radii change. Districts whose data is missing or partial
are hatched ("insufficient data"), never coloured as zero.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from app_pages._ui import state
from app_pages._ui.common import current_ledger, load_figures
from app_pages._ui.datasets import in_view, read_buttons, save_form, source_caption
from app_pages._ui.loaded import INFRA_KEY, LoadedInfra
from app_pages._ui.measured import infra_metrics
from app_pages._ui.widgets import (
    button_row,
    coverage_view,
    datum_select,
    display_outlines,
    download,
    map_outlines,
    refused,
    upload_note,
)
from geo import coverage, infra
from geo._data import EXAMPLES_DIR
from geo.errors import BoundaryCacheError, InputError
from layers._html import esc_md
from layers.export import geojson_bytes
from layers.maps import coverage_layers
from layers.spreadsheets import csv_bytes
from layers.tables import coverage_table, quarantine_rows, reported_table
from layers.wording import label, measure_name, sheet_text

EXAMPLE_FILE = EXAMPLES_DIR / "synthetic-survey-xinxiang.geojson"
UPLOAD_TYPES = ["pbf", "osm", "geojson", "json", "gpkg", "zip", "csv", "xlsx"]


def read(data: bytes, name: str, lang: str, datum: str | None = None, sheet: str | None = None):
    """Read an infrastructure file into the session; a refused file shows why."""
    with st.spinner(label("reading", lang)):
        try:
            found = infra.read_infra(data, name=name, crs_name=datum, sheet=sheet)
        except InputError as exc:
            refused(exc, lang)
            return
    token = hashlib.sha1(data).hexdigest() + str(datum)
    st.session_state[INFRA_KEY] = LoadedInfra(found, name, token, data=data, datum=datum)


def upload_section(lang: str) -> None:
    """The file, its datum and sheet, the buttons that read it or the example, saved ones."""
    upload = st.file_uploader(label("upload_infra", lang), type=UPLOAD_TYPES, key="infra_upload")
    upload_note(UPLOAD_TYPES, lang)
    datum = datum_select(lang, key="infra_datum", in_file="datum_in_file_survey")
    sheet = st.text_input(label("sheet", lang), "", key="infra_sheet") or None
    read_buttons("infra", upload, read, EXAMPLE_FILE, lang, datum=datum, sheet=sheet)


def summary_section(loaded, lang: str) -> dict:
    """Features by kind and quarantined; the file; save. The counts by kind."""
    found = loaded.infra
    if loaded.synthetic:
        st.warning(label("synthetic_survey_warning", lang))
    counts = found.counts()
    columns = st.columns(len(counts) + 1)
    for column, (kind, count) in zip(columns, counts.items(), strict=False):
        column.metric(label(f"infra_{kind}", lang), count)
    columns[-1].metric(label("quarantined", lang), len(found.quarantine))
    st.caption(
        esc_md(
            f"{loaded.name} · {label(f'kind_{found.kind}', lang)} "
            f"{sheet_text(found.sheet, found.sheets, lang)}"
        )
    )
    source_caption(loaded, lang)
    save_form("infra", loaded, lang)
    return counts


def declared_districts(found, projects, lang: str) -> tuple[str, ...]:
    """The districts a survey declares it covers, picked among those it touches."""
    touched = coverage.coverage_districts(found, projects)
    if found.kind != "survey" or touched.empty:
        return ()
    names = dict(zip(touched["adcode"], touched["city"] + touched["district"], strict=True))
    dropped = state.seed("covers", options=list(names), default=[], multi=True)
    state.warn_dropped("covers", dropped, lang)
    return tuple(
        st.multiselect(
            label("covers", lang),
            list(names),
            format_func=names.get,
            key="covers",
            placeholder=label("choose", lang),
        )
    )


def measured_section(loaded, projects, lang: str):
    """The radii and declared districts, then the metrics by district; stops without outlines."""
    st.sidebar.subheader(label("radii", lang))
    near_r = state.number("near", label("radius_near", lang), (50, 2000), 300, lang, step=50)
    far_r = state.number("far", label("radius_far", lang), (50, 3000), 500, lang, step=50)
    radii = tuple(sorted({near_r, far_r}))
    try:
        covers = declared_districts(loaded.infra, projects, lang)
        return infra_metrics(loaded, projects, radii, covers)
    except BoundaryCacheError as exc:
        st.error(esc_md(exc))
        st.stop()


def choose_metric(keys: list[str], lang: str) -> str:
    """The measure the map colours by; the radii, districts and measure go in the address."""
    default = "tactile_rate"
    state.warn_dropped("coverage", state.seed("coverage", options=keys, default=default), lang)
    metric = st.selectbox(
        label("coverage_metric", lang),
        keys,
        format_func=lambda k: measure_name(k, lang),
        key="coverage",
    )
    # The radii, declared districts and measure are in the address, as the map's filters are.
    state.publish(
        ["near", "far", "covers", "coverage"],
        defaults={"near": 300, "far": 500, "covers": [], "coverage": default},
    )
    return metric


def metrics_section(table, shown, keys: list[str], lang: str) -> None:
    """The metrics by district, their GeoJSON, and the documents' figures beside them."""
    st.subheader(label("district_metrics", lang))
    st.dataframe(coverage_table(table, keys, lang), hide_index=True, width="stretch")
    # Written when clicked, not on each rerun.
    download(label("download_coverage", lang), "coverage.geojson", geojson_bytes, shown)
    st.subheader(label("reported_vs_computed", lang))
    st.caption(label("reported_vs_computed_help", lang))
    figures = load_figures()
    reported = reported_table(coverage.compare_reported(table, figures), figures, lang)
    if reported.empty:
        st.info(label("no_reported_here", lang))
    else:
        st.dataframe(reported, hide_index=True, width="stretch")


def downloads_section(found, counts: dict, near, lang: str) -> None:
    """Each kind of feature, the communities' proximity, the quarantine."""
    st.subheader(label("infra_layers_download", lang))
    with button_row():
        for kind in (k for k in infra.FEATURE_TYPES if counts[k]):
            chosen = found.features[found.features["type"] == kind]
            text = f"{label(f'infra_{kind}', lang)} GeoJSON"
            download(text, f"{kind}.geojson", geojson_bytes, chosen, key=f"download-{kind}")
    if near is not None:
        text = label("download_proximity", lang)
        download(text, "projects-proximity.geojson", geojson_bytes, near)
    if not found.quarantine.empty:
        st.subheader(label("quarantine", lang))
        shown = quarantine_rows(found.quarantine, lang, kind="infra")
        st.dataframe(shown, hide_index=True, width="stretch")
        download("CSV", "infra-quarantine.csv", csv_bytes, found.quarantine, key="iq-csv")


def render(lang: str) -> None:
    """The accessibility page: upload, counts, coverage by district on a map, downloads."""
    loaded = in_view("infra", upload_section, lang)
    counts = summary_section(loaded, lang)
    ledger = current_ledger()
    projects = ledger.ledger.projects if ledger is not None else None
    measured = measured_section(loaded, projects, lang)
    table, near = measured.table, measured.near
    keys = measured.measured_keys()
    metric = choose_metric(keys, lang)
    if table.empty:
        st.info(label("infra_outside_china", lang))
    # Drawn with the display outlines (simplified); the metrics were computed on the full ones.
    shown = display_outlines(table)
    layers = coverage_layers(
        map_outlines(table), metric, infra=loaded.infra.features, projects=near, lang=lang
    )
    coverage_view(layers, "coverage_map")
    st.caption(label("coverage_caption", lang))
    if not table.empty:
        metrics_section(table, shown, keys, lang)
    downloads_section(loaded.infra, counts, near, lang)
