"""
Widgets several pages share: an upload's datum, the note under an uploader, the style rules.

Widgets only: which columns a ledger names is :func:`geo.records.ledger_fields`.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Final

import streamlit as st
from streamlit_folium import st_folium

from app_pages._ui import state
from app_pages._ui.common import current_ledger, load_figures
from app_pages._ui.loaded import INFRA_KEY, LEDGER_KEY, LoadedInfra, LoadedLedger
from geo import boundaries, crs, infra, reconcile, records
from geo._data import EXAMPLES_DIR
from geo.errors import InputError
from layers._html import esc_md
from layers.export import Download
from layers.view import simplified_outlines
from layers.wording import error_text, label

__all__ = [
    "NETWORK_EXAMPLE",
    "NO_RERUN",
    "button_row",
    "community_choice",
    "datum_select",
    "download",
    "load_network_example",
    "map_page_style",
    "offer",
    "osm_extract",
    "page_style",
    "refused",
    "say",
    "upload_fields",
    "upload_note",
]

#: The synthetic street network with facilities over 新乡 (data/examples/make_synthetic_network.py).
NETWORK_EXAMPLE = EXAMPLES_DIR / "synthetic-network-xinxiang.osm.pbf"
_LEDGER_EXAMPLE = EXAMPLES_DIR / "synthetic-ledger-xinxiang.csv"
#: The datum widget's choice "stated in the file" (its words: the label ``in_file``).
_IN_FILE = "in_file"


def datum_select(
    lang: str, *, key: str, fields: set[str] | None = None, in_file: str = "datum_in_file"
) -> str | None:
    """
    The datum of an upload's coordinates: declared in the file (None), or one of crs.DATUMS.

    ``fields`` are the upload's recognised columns when known (:func:`geo.records.ledger_fields`):
    with a 坐标系 column the default is the file's own; with coordinates and none, nothing is
    chosen until the planner picks one (the app never guesses); without coordinates, no datum
    is asked. ``None`` (unknown: a survey, or no upload yet) offers the file's own first,
    named by the label ``in_file``.
    """
    # Both choices are worded: the language switch would draw them anew, nothing chosen.
    state.keep([f"{key}-pick", f"{key}-file"])
    if fields is not None and not {"lon", "lat"} & fields:
        st.caption(label("datum_not_needed", lang))
        return None
    if fields is not None and "datum" not in fields:
        return st.selectbox(
            label("datum", lang),
            list(crs.DATUMS),
            index=None,
            placeholder=label("datum_choose", lang),
            format_func=lambda d: label(f"datum_{d}", lang),
            key=f"{key}-pick",
        )
    if fields is not None:
        st.caption(label("datum_column_found", lang))
    # The file's own is an option of its own, not None: Streamlit takes a widget's None as
    # "nothing chosen", and after the language switch drew "Choose an option" in its place.
    chosen = st.selectbox(
        label("datum", lang),
        [_IN_FILE, *crs.DATUMS],
        format_func=lambda d: label(in_file if d == _IN_FILE else f"datum_{d}", lang),
        key=f"{key}-file",
    )
    return None if chosen == _IN_FILE else chosen


@st.cache_data(max_entries=4)
def upload_fields(data: bytes, name: str, sheet: str | None) -> set[str] | None:
    """The recognised columns of an uploaded ledger, or None when it cannot be read yet."""
    try:
        return records.ledger_fields(data, name=name, sheet=sheet)
    except InputError:
        return None  # the read itself will say why


# Streamlit writes its uploader's limit in English ("200MB per file • CSV"); it is hidden and
# said under the uploader in the interface's language (upload_note). Card values wrap rather
# than end in "…" in narrow columns.
_PAGE_CSS = """<style>
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
[data-testid="stMetricValue"] { font-size: 1.75rem; line-height: 1.25; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
</style>"""
_UPLOAD_BUTTON_CSS = """<style>
[data-testid="stFileUploaderDropzone"] button p { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button p::after { content: "%s"; font-size: 14px; }
</style>"""


# The map page: the map is the page. Its frame reaches the bottom of the window from where
# it starts below the title and the cards (285 px in Chinese, 312 in English, on a 1366×768
# laptop), never shorter than 420 px; the title is smaller and the cards compact (headline in
# small type, two lines of caption).
_MAP_PAGE_CSS = """<style>
iframe[title="streamlit_folium.st_folium"] {
  height: max(420px, calc(100vh - 290px)) !important; }
[data-testid="stMainBlockContainer"] { padding-top: 3.5rem; }
[data-testid="stMain"] h1 { font-size: 2rem; padding: 0.25rem 0 0; }
[data-testid="stMetricValue"] { font-size: 1.4rem; line-height: 1.2; }
[data-testid="stColumn"] [data-testid="stLayoutWrapper"] > [data-testid="stVerticalBlock"] {
  gap: 0.25rem; padding: 0.5rem 0.75rem; }
[data-testid="stColumn"] [data-testid="stMarkdown"] p { font-size: 0.85rem; line-height: 1.35; }
[data-testid="stColumn"] [data-testid="stCaptionContainer"] {
  font-size: 0.75rem; line-height: 1.35; display: -webkit-box; -webkit-line-clamp: 2;
  -webkit-box-orient: vertical; overflow: hidden; }
</style>"""


def map_page_style() -> None:
    """The map page's own rules: a map as tall as the window allows, compact city cards."""
    st.html(_MAP_PAGE_CSS)


def page_style(lang: str) -> None:
    """The app's few style rules (uploader text, card values), once per page."""
    # st.html with styles only takes no room on the page (st.markdown took a row each).
    st.html(_PAGE_CSS)
    if lang == "zh":
        # The text is the catalogue's own (no user value), quoted for CSS.
        button = label("upload_button", lang).replace("\\", "").replace('"', "")
        st.html(_UPLOAD_BUTTON_CSS % button)


def refused(exc: Exception, lang: str) -> None:
    """A file refused whole: why, in the interface's language (the file's name escaped)."""
    st.error(esc_md(f"{label('unreadable', lang)}: {error_text(exc, lang)}"))


def say(notes: Iterable[tuple[str, str]]) -> None:
    """
    What a layer words for the page, each ``(kind, text)`` as ``st.<kind>(text)``, in order.

    ``kind`` is a Streamlit element: ``caption``, ``info``, ``success`` or ``warning``.
    """
    for kind, text in notes:
        getattr(st, kind)(text)


def upload_note(types: list[str], lang: str) -> None:
    """Under an uploader: the size limit and the file types, in the interface's language."""
    limit = int(st.get_option("server.maxUploadSize"))
    sep = "、" if lang == "zh" else ", "
    names = sep.join(t.upper() for t in types)
    st.caption(label("upload_limit", lang).format(mb=limit, types=names))


#: ``on_click`` of every download button whose file is written on click (``data`` a callable).
#: Streamlit's default reruns the page on the click, at the moment the browser asks for the
#: file over the websocket; the new run's start empties the session's queue of messages not
#: yet sent, and the file's answer with them if it is still waiting there. The button then
#: spins until the browser gives up (180 s), no file comes and the server logs nothing.
NO_RERUN: Final = "ignore"

#: The media type of each file a page offers, by the file name's suffix.
MEDIA_TYPES = {
    "csv": "text/csv",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "html": "text/html",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download(text: str, file_name: str, write: Callable[..., bytes], *args, where=None, **kwargs):
    """
    A download button for ``file_name``, written by ``write(*args)`` when it is clicked.

    Not on every rerun: a national ledger's GeoPackage or workbook takes seconds. The media
    type follows the file name's suffix (:data:`MEDIA_TYPES`); ``where`` is a column or
    container (the page's body by default); ``kwargs`` go to ``st.download_button``.

    The click reruns nothing (:data:`NO_RERUN`): the browser asks for the file over the
    websocket, and a run that starts while the file's answer waits to be sent drops it.
    """
    mime = MEDIA_TYPES[Path(file_name).suffix.removeprefix(".")]
    data = functools.partial(write, *args)
    return (where or st).download_button(text, data, file_name, mime, on_click=NO_RERUN, **kwargs)


def offer(files: list[Download | None]) -> None:
    """A row of :func:`download` buttons, one a file, each in its column (None: left empty)."""
    for column, file in zip(st.columns(len(files)), files, strict=True):
        if file is not None:
            download(file.text, file.file_name, file.write, *file.args, where=column)


def button_row():
    """
    A row for several buttons that wraps onto a new line rather than cutting their labels.

    Equal columns gave each download button a seventh of the page, and ``无障碍公交站 GeoJSON``
    read ``无障碍公交站 Ge…`` at 1366 px.
    """
    return st.container(horizontal=True, wrap=True)


def display_outlines(table):
    """``table`` (full outlines, by ``adcode``) with the stored display outlines, for files."""
    return boundaries.with_display_outlines(table)


def map_outlines(table):
    """
    ``table`` (full outlines, by ``adcode``) drawn on a map: simplified for the extent it spans.

    :func:`layers.view.simplified_outlines`, as the map page draws: a city's districts as
    finely as the display outlines, all of China's 2,875 in 1.6 MB of GeoJSON instead of 27 MB.
    Files keep the display outlines (:func:`display_outlines`).
    """
    return table if table.empty else simplified_outlines(table, "district")


def coverage_view(layers, key: str, *, height: int = 560) -> None:
    """
    A coverage map as the pages draw it, ``height`` pixels high.

    The base map stays and the layers are swapped, so a new measure keeps the planner's pan
    and zoom.
    """
    st_folium(
        layers.base,
        feature_group_to_add=layers.groups,
        layer_control=layers.control,
        height=height,
        width="stretch",
        returned_objects=[],
        key=key,
    )


def community_choice(with_point: list, names: dict, lang: str):
    """
    A community on the network (the reach and 生活圈 pages' forms), named by ``names``.

    Without any, a placeholder in the page's language: else Streamlit's own English "No
    options to select" shows on the Chinese page too.
    """
    return st.selectbox(
        label("reach_community", lang), with_point, format_func=names.get,
        placeholder=label("reach_no_community", lang),
    )  # fmt: skip


def osm_extract(loaded, lang: str, *, key: str) -> tuple[bytes, str] | None:
    """
    The OSM extract a page walks on, with its name: uploaded here, else the one in view.

    The one in view is the infrastructure read from an OSM file in this session (``loaded``,
    or None); a saved dataset keeps its features, not the extract. None without either.
    """
    upload = st.file_uploader(label("upload_network", lang), type=["pbf", "osm"], key=key)
    if upload is not None:
        return upload.getvalue(), upload.name
    return None if loaded is None else loaded.extract


def load_network_example() -> None:
    """
    Put the synthetic example network in view as this session's OSM data.

    Its stops and kerbs as infrastructure, its streets to walk, and the synthetic ledger when
    no ledger is in view: the walking-reach and life-circle pages then work with what ships.
    """
    data = NETWORK_EXAMPLE.read_bytes()
    found = infra.read_infra(data, name=NETWORK_EXAMPLE.name)
    token = hashlib.sha1(data).hexdigest()
    st.session_state[INFRA_KEY] = LoadedInfra(found, NETWORK_EXAMPLE.name, token, data=data)
    if current_ledger() is None:
        raw = _LEDGER_EXAMPLE.read_bytes()
        ledger = records.read_ledger(raw, name=_LEDGER_EXAMPLE.name)
        table = reconcile.reconcile(ledger.projects, load_figures())
        st.session_state[LEDGER_KEY] = LoadedLedger(
            ledger, _LEDGER_EXAMPLE.name, table, data=raw, datum=None
        )
