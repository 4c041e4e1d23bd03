"""What several pages share: the figures, the chosen language, the session's ledger."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from geo import boundaries, coverage, crs, figures, gazetteer, records
from geo.coverage import Coverage
from geo.errors import InputError
from geo.infra import Infra
from geo.records import Ledger
from layers.labels import label

LEDGER_KEY = "ledger"
INFRA_KEY = "infra"
INFRA_METRICS_KEY = "infra_metrics"
#: The map page's current View (layers.view.View), read by the export page.
VIEW_KEY = "view"


@dataclass
class LoadedLedger:
    """A ledger read in this session, its file name and its reconciliation table."""

    ledger: Ledger
    name: str
    reconciliation: pd.DataFrame

    @functools.cached_property
    def synthetic(self) -> bool:
        """True for the shipped example, or any file that says it is synthetic."""
        labelled = (
            self.ledger.projects.head(1000).astype(str).apply(lambda c: c.str.contains("synthetic"))
        )
        return "synthetic" in self.name or bool(labelled.any().any())


@dataclass
class LoadedInfra:
    """Infrastructure read in this session, its file name and a token of its bytes."""

    infra: Infra
    name: str
    token: str

    @functools.cached_property
    def synthetic(self) -> bool:
        """True for the shipped example, or a file whose features say they are synthetic."""
        labelled = self.infra.features.head(1000).drop(columns="geometry").astype(str)
        return "synthetic" in self.name or bool(
            labelled.apply(lambda c: c.str.contains("synthetic")).any().any()
        )


@st.cache_data
def load_display_outlines() -> pd.DataFrame:
    """All county-level display outlines (simplified), by adcode."""
    return boundaries.load_boundaries("district", display=True).set_index("adcode")


@st.cache_data
def load_figures() -> pd.DataFrame:
    """The reported figures from data/, validated once per server."""
    return figures.load_figures()


def current_lang() -> str:
    """``zh`` or ``en``, from the language switch in app.py."""
    return st.session_state.get("lang", "zh")


def current_ledger() -> LoadedLedger | None:
    """The ledger read on the ledger page, kept only in this browser session."""
    return st.session_state.get(LEDGER_KEY)


def current_infra() -> LoadedInfra | None:
    """The infrastructure read on the accessibility page, kept only in this browser session."""
    return st.session_state.get(INFRA_KEY)


def infra_metrics(
    loaded: LoadedInfra, projects, radii: tuple[int, ...], covers: tuple[str, ...]
) -> Coverage:
    """
    :func:`geo.coverage.measure` of the session's infrastructure, kept per infrastructure,
    ledger, radii and declared districts (the newest result only, so a session holds one).
    """
    key = (loaded.token, id(projects), radii, covers)
    memo = st.session_state.setdefault(INFRA_METRICS_KEY, {})
    if key not in memo:
        measured = coverage.measure(loaded.infra, projects, radii=radii, covers=covers)
        memo.clear()
        memo[key] = measured
    return memo[key]


def current_infra_metrics() -> Coverage | None:
    """The newest coverage computed on the accessibility page, or ``None``."""
    memo = st.session_state.get(INFRA_METRICS_KEY) or {}
    return next(iter(memo.values()), None)


def session_infra_metrics() -> tuple[LoadedInfra, pd.DataFrame] | None:
    """
    The session's infrastructure and its district metrics, for the compare and quality pages.

    The metrics the accessibility page computed for this infrastructure (with its radii and
    declared districts) when there are some, else computed once with that page's defaults.
    ``None`` when no infrastructure is loaded.
    """
    loaded = current_infra()
    if loaded is None:
        return None
    memo = st.session_state.get(INFRA_METRICS_KEY) or {}
    for key, measured in memo.items():
        if key[0] == loaded.token:
            return loaded, measured.table
    ledger = current_ledger()
    projects = ledger.ledger.projects if ledger is not None else None
    return loaded, infra_metrics(loaded, projects, coverage.RADII_M, ()).table


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
    return st.selectbox(
        label("datum", lang),
        [None, *crs.DATUMS],
        format_func=lambda d: label(in_file, lang) if d is None else label(f"datum_{d}", lang),
        key=f"{key}-file",
    )


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


def page_style(lang: str) -> None:
    """The app's few style rules (uploader text, card values), once per page."""
    st.markdown(_PAGE_CSS, unsafe_allow_html=True)
    if lang == "zh":
        # The text is the catalogue's own (no user value), quoted for CSS.
        button = label("upload_button", lang).replace("\\", "").replace('"', "")
        st.markdown(_UPLOAD_BUTTON_CSS % button, unsafe_allow_html=True)


def upload_note(types: list[str], lang: str) -> None:
    """Under an uploader: the size limit and the file types, in the interface's language."""
    limit = int(st.get_option("server.maxUploadSize"))
    sep = "、" if lang == "zh" else ", "
    names = sep.join(t.upper() for t in types)
    st.caption(label("upload_limit", lang).format(mb=limit, types=names))


@st.cache_data
def load_city_names() -> list[str]:
    """Every prefecture-level city of China, by adcode."""
    return gazetteer.list_cities()["city"].tolist()
