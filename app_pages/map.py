"""
Map page: districts coloured by reported figures, city cards, provenance, the loaded layers.

When loaded on their pages, the ledger's communities and the accessibility layers are drawn
too, under a layer control.

Every filter lives in the address bar (:mod:`app_pages._ui.state`), so a copied link reopens the
same view, and the export page draws the same filters. Uploaded files are not part of a link:
they stay in the browser session that read them.
"""

from __future__ import annotations

import os
import urllib.parse

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from app_pages._ui import nav, quick_map, session
from app_pages._ui.common import current_infra, current_ledger, load_figures
from app_pages._ui.filters import district_names, map_view
from app_pages._ui.loaded import INFRA_KEY, LEDGER_KEY
from app_pages._ui.measured import current_infra_metrics
from app_pages._ui.widgets import map_page_style
from geo import figures, selection
from layers._html import esc_md, md_lines
from layers.maps import fill_frame
from layers.tables import card_texts, figure_table
from layers.view import MAX_DISTRICTS_DRAWN, View, projects_in_view, view_map_layers
from layers.wording import colon, label, periods_text, place_text


@st.cache_data
def load_notes() -> pd.DataFrame:
    """The documents' named examples of renovated communities."""
    return figures.load_notes()


def city_cards(all_figures: pd.DataFrame, view: View, lang: str) -> None:
    """
    One card per city: its figure, or a sum saying what it covers; never a silent 0.

    A sum over every district and zone, or a sum saying how many of how many it covers
    (:func:`geo.selection.city_summary`).
    """
    # With the documents' own city totals, which the filtered table leaves out.
    whole = selection.filter_figures(all_figures, view.selection, stated_totals=True)
    summary = selection.city_summary(whole, view.figure, list(view.cities))
    if len(view.cities) > 10:
        with_data = int((summary["basis"] != "none").sum())
        st.caption(label("many_cities", lang).format(n=len(view.cities), with_data=with_data))
        return
    cards = st.columns(max(1, min(len(view.cities), 5)))
    for i, card in summary.iterrows():
        headline, value, caption = card_texts(card, lang, districts=view.districts)
        with cards[i % len(cards)].container(border=True):
            st.markdown(f"**{esc_md(headline)}**")
            st.metric(esc_md(headline), value, label_visibility="collapsed")
            if caption:
                st.caption(md_lines(caption.split("  \n")))


def captions(view: View, kept, metric, loaded, found, lang: str) -> None:
    """What the map draws and leaves out: ledger rows, synthetic data, mixed periods."""
    if len(district_names(view.cities)) > MAX_DISTRICTS_DRAWN:
        st.caption(label("drawn_by_city", lang).format(limit=MAX_DISTRICTS_DRAWN))
    if loaded is not None:
        shown = projects_in_view(view, loaded.ledger.projects)
        drawn = int((shown["located"] == "point").sum())
        text = label("ledger_caption", lang).format(
            name=loaded.name,
            drawn=drawn,
            by_name=len(shown) - drawn,
            quarantined=len(loaded.ledger.quarantine),
        )
        # Every clean row is drawn, placed by name, or left out by the view: never unsaid.
        outside = len(loaded.ledger.projects) - len(shown)
        if outside:
            more = label("ledger_caption_outside", lang).format(outside=f"{outside:,}")
            text += ("" if lang == "zh" else " ") + more
        st.caption(esc_md(text))
        if loaded.synthetic:
            st.warning(label("synthetic_warning", lang))
    if found is not None and found.synthetic:
        st.warning(label("synthetic_survey_warning", lang))
    coloured = kept[(kept["metric"] == metric) & (kept["level"] == "district")]
    periods = selection.distinct_periods(coloured)
    if len(periods) > 1:
        warning = f"⚠ {label('mixed_periods', lang)}{colon(lang)}{periods_text(periods, lang)}"
        st.caption(esc_md(warning))


def tables(kept: pd.DataFrame, cities: tuple, lang: str) -> None:
    """City-level figures, zones without an outline, named examples, every kept figure."""
    city_level = kept[kept["level"].isin(["city", "urban_area"])]
    if not city_level.empty:
        with st.expander(f"{label('city_figures', lang)} ({len(city_level)})"):
            st.dataframe(
                figure_table(city_level, lang, kind="city"), hide_index=True, width="stretch"
            )
    zones = kept[kept["level"] == "zone"]
    if not zones.empty:
        st.subheader(label("zones", lang))
        st.dataframe(figure_table(zones, lang, kind="zones"), hide_index=True)
    notes = load_notes()
    notes = notes[notes["city"].isin(cities)]
    if not notes.empty:
        st.subheader(label("notes", lang))
        for _, note in notes.iterrows():
            # The documents' own tags are Chinese words: listed in the Chinese interface only.
            tags = f"（{note['content_tags'].replace(';', '、')}）" if lang == "zh" else ""
            place = esc_md(f"{place_text(note['district'], lang)} · {note['community']}")
            summary = note["summary_zh" if lang == "zh" else "summary_en"]
            st.markdown(f"- **{place}**{colon(lang)}{esc_md(summary + tags)}")

    st.subheader(label("table", lang))
    st.dataframe(figure_table(kept, lang), hide_index=True, width="stretch")


def the_map(view: View, all_figures: pd.DataFrame, tile_key: str) -> None:
    """The districts, the ledger's communities and the accessibility layers in one map."""
    loaded, found, computed = current_ledger(), current_infra(), current_infra_metrics()
    layers = view_map_layers(
        view,
        all_figures,
        projects=loaded.ledger.projects if loaded is not None else None,
        infra=found.infra.features if found is not None else None,
        measured=computed,
        tile_key=tile_key,
    )
    # The base map stays while filters change; the layers are swapped in it, so pan and zoom
    # stay unless the extent changes (layers.maps.MapLayers). Its frame fills the window below
    # the cards (map_page_style); 560 px is the height before the page's style applies.
    map_page_style()
    st_folium(
        fill_frame(layers.base),
        feature_group_to_add=layers.groups,
        layer_control=layers.control,
        height=560,
        use_container_width=True,
        returned_objects=[],
        key="map",
    )


def tab_link(lang: str) -> None:
    """
    A button opening this view's offline map in a tab of its own, when the server has it.

    The tab reads the workspace: a ledger or survey read in this session and not saved is
    not on it, and the button says so.
    """
    if not os.environ.get(session.ENV_MOUNTED):  # served by server.py, which answers it
        return
    query = [(k, v) for k in st.query_params for v in st.query_params.get_all(k)]
    address = f"{quick_map.quick_path()}?{urllib.parse.urlencode(query)}"
    unsaved = any(st.session_state.get(key) is not None for key in (LEDGER_KEY, INFRA_KEY))
    help_text = label("quick_unsaved", lang) if unsaved else None
    st.link_button(
        label("quick_link", lang), address, icon=":material/open_in_new:", help=help_text
    )
    if unsaved:
        st.caption(label("quick_unsaved", lang))


def render(lang: str) -> None:
    """The map page: filters in the sidebar, city cards, the map, what it leaves out, tables."""
    all_figures = load_figures()
    loaded, found, computed = current_ledger(), current_infra(), current_infra_metrics()
    view, kept, tile_key = map_view(all_figures, loaded, computed, lang)
    st.title(label("title", lang))
    stop = "。" if lang == "zh" else ". "
    st.caption(f"{label('subtitle', lang)}{stop}{label('datum_note', lang)}")
    city_cards(all_figures, view, lang)
    if kept.empty:
        st.warning(label("no_figures", lang))
    the_map(view, all_figures, tile_key)
    tab_link(lang)
    captions(view, kept, view.figure, loaded, found, lang)
    tables(kept, view.cities, lang)
    st.page_link(nav.page("export"), label=label("to_export", lang), icon="⬇️")
