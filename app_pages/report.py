"""
Reports page: the reply draft (答复函, Word) and the district atlas (PDF) of a selection.

The same pipeline as ``atlas report reply|sheets`` (:func:`geo.report.gather_report`, then
:mod:`layers.reply` and :mod:`layers.atlas_pdf`): the figures in view, the ledger and the
infrastructure in view (this session's, else the workspace's), as the account may read them.
Cities, districts, period and kinds live in the address (``/report?city=新乡市&period=2023``);
the files are made when their button is clicked (Streamlit's deferred download), by the
callables :func:`layers.report_view.downloads` returns, which the page also keeps in the
session for tests. What the page shows is built by :mod:`layers.report_view`.
"""

from __future__ import annotations

import streamlit as st

from app_pages._ui import state
from app_pages._ui.cache import kept_newest, walking_network
from app_pages._ui.common import (
    current_account,
    current_infra,
    current_ledger,
    load_city_names,
    load_figures,
    workspace,
)
from app_pages._ui.widgets import NO_RERUN
from geo import boundaries, report
from geo.errors import AtlasError
from geo.figures import STATUSES
from geo.selection import Selection
from layers import report_view
from layers._html import esc_md
from layers.citations import key_name
from layers.wording import dropped_text, error_text, label
from store import StoreError
from store.loaded import readable_places, saved_source

KEYS = ["city", "district", "period", "kind", "cover"]
MEMO_KEY = "report_memo"
#: The documents the page offered on its last run (:class:`Download`), by button.
DOWNLOADS_KEY = "report_downloads"


def _source(loaded) -> report.DataSource | None:
    """What the report cites for the ledger or infrastructure in view."""
    if loaded is None:
        return None
    return saved_source(loaded.name, loaded.sources, synthetic=loaded.synthetic)


def _readable() -> frozenset[str] | None:
    try:
        return readable_places(workspace(), user=current_account())
    except StoreError:
        return None if current_account() is None else frozenset()


def _network(found):
    """
    The pedestrian network of the OSM extract in view, to walk the shares along; else None.

    A survey has no streets: its shares stay straight-line, and the documents say so.
    """
    if found is None or found.data is None or found.infra.kind != "osm":
        return None
    return walking_network(found.data, found.name)


def gathered(chosen, loaded, found) -> report.Report:
    """The report of the selection, rebuilt only when the selection or the data change."""
    key = (chosen, id(loaded), id(found), getattr(current_account(), "name", None))

    def gather() -> report.Report:
        walked = _network(found)
        return report.gather_report(
            load_figures(),
            chosen,
            projects=loaded.ledger.projects if loaded else None,
            ledger_source=_source(loaded),
            infra=found.infra if found else None,
            infra_source=_source(found),
            readable=_readable(),
            network=walked,
            network_source=_source(found) if walked is not None else None,
        )

    return kept_newest(MEMO_KEY, key, gather)


def choices(lang: str):
    """The page's filters (in the address): cities, districts, period, kinds."""
    cities = load_city_names()
    dropped = state.seed("city", options=cities, default=["新乡市"], multi=True)
    chosen_cities = st.multiselect(
        label("cities", lang), cities, key="city", placeholder=label("pick_placeholder", lang)
    )
    index = boundaries.read_admin_index()
    districts = index.loc[
        (index["level"] == "district") & index["city"].isin(chosen_cities), "district"
    ].tolist()
    dropped += state.seed("district", options=districts, default=[], multi=True)
    chosen_districts = st.multiselect(
        label("districts", lang),
        districts,
        key="district",
        placeholder=label("pick_placeholder", lang),
    )
    state.seed("period", default="")
    period = st.text_input(label("report_period_input", lang), key="period")
    dropped += state.seed("kind", options=list(STATUSES), default=[], multi=True)
    kinds = st.multiselect(
        label("report_kinds", lang),
        list(STATUSES),
        key="kind",
        format_func=lambda k: label(k, lang),
        placeholder=label("pick_placeholder", lang),
    )
    if dropped:
        st.warning(esc_md(dropped_text(dropped, lang)))
    return chosen_cities, chosen_districts, period, kinds


def preview(made: report.Report, lang: str) -> None:
    """The city figures the draft opens with, then each place's shares, each with its source."""
    figures = report_view.figures_table(made, lang)
    if len(figures):
        st.dataframe(figures, hide_index=True, width="stretch")
    for city in report_view.empty_cities(made):
        st.info(label("report_nothing", lang).format(city=esc_md(city)))
    shares = report_view.shares_table(made, lang)
    if len(shares):
        st.subheader(label("report_shares_heading", lang))
        st.dataframe(shares, hide_index=True, width="stretch")


def render(lang: str) -> None:
    """The reports page: choices, a preview, the reply and the sheets to download."""
    st.title(label("report_title", lang))
    st.caption(label("report_help", lang))
    cities, districts, period, kinds = choices(lang)
    state.publish(KEYS, defaults={"district": [], "period": "", "kind": []})
    if not cities:
        st.info(label("report_choose_city", lang))
        return
    loaded, found = current_ledger(), current_infra()
    try:
        chosen = Selection(
            cities=tuple(cities),
            districts=tuple(districts),
            years=report.parse_period(period),
            statuses=tuple(kinds),
        )
        made = gathered(chosen, loaded, found)
    except (AtlasError, ValueError) as exc:
        st.error(esc_md(error_text(exc, lang)))
        return
    used = [d.name for d in (loaded, found) if d is not None]
    st.caption(esc_md(report_view.summary_text(made, used, lang)))
    preview(made, lang)
    left, right = st.columns(2)
    keys = list(dict.fromkeys(made.items.loc[made.items["scope"] == "place", "key"]))
    state.seed("cover", options=keys or ["households"], default="households")
    figure = right.selectbox(
        label("report_cover_figure", lang),
        keys or ["households"],
        key="cover",
        format_func=lambda k: key_name(k, lang),
    )
    files = report_view.downloads(made, figure, lang)
    st.session_state[DOWNLOADS_KEY] = files
    for column, found in zip((left, right), files, strict=True):
        column.download_button(
            found.label,
            found.build,
            found.file_name,
            found.mime,
            type="primary" if found.key == "dl-reply" else "secondary",
            key=found.key,
            on_click=NO_RERUN,
        )
