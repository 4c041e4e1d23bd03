"""
Renovation Atlas: the Streamlit entry point. Page config, language, navigation.

Run with `make app` (http://localhost:8501). Each page is a module of ``app_pages/`` exposing
``render(lang)``; what several pages share is in ``app_pages/_ui/`` (the language switch and
the filters kept across it, the login gate, the navigation, the data in view). Before any
page, the gate: local mode needs no login; a team server shows the login form until there is
a session. A page that meets a version its account may not read shows "无权访问".
"""

from __future__ import annotations

from collections.abc import Callable

from app_pages import (
    account,
    compare,
    export,
    figures,
    history,
    infra,
    ledger,
    lifecircle,
    priorities,
    progress,
    quality,
    reach,
    report,
    siting,
)
from app_pages import map as map_page
from app_pages._ui import gate, nav, state
from app_pages._ui.datasets import sidebar_sources
from app_pages._ui.language import choose_language
from store import AccessError

#: (url_path, render, title key) of every page, in the navigation's order. The url_paths are
#: the addresses planners' links use; the first is served at the root (/?city=...), and its
#: url_path opens the root with the same query (/map?city=... → /?city=...).
PAGES: list[tuple[str, Callable[[str], None], str]] = [
    ("map", map_page.render, "page_map"),
    ("compare", compare.render, "page_compare"),
    ("quality", quality.render, "page_quality"),
    ("export", export.render, "page_export"),
    ("report", report.render, "page_report"),
    ("ledger", ledger.render, "page_ledger"),
    ("accessibility", infra.render, "page_infra"),
    ("reach", reach.render, "page_reach"),
    ("siting", siting.render, "page_siting"),
    ("priorities", priorities.render, "page_priorities"),
    ("lifecircle", lifecircle.render, "page_lifecircle"),
    ("figures", figures.render, "page_figures"),
    ("progress", progress.render, "page_progress"),
    ("history", history.render, "page_history"),
    ("account", account.render, "page_account"),
]


def main() -> None:
    """One run of the app: language, login, navigation, then the chosen page."""
    lang = choose_language()
    gate.require_login(lang)
    pages = nav.pages(PAGES, lang)
    nav.register(pages)
    page = nav.navigation(pages)  # /map?... opens the map at the root, its query kept
    # The saved ledger and infrastructure every page shows (?ledger=xinxiang@3), in the address.
    sidebar_sources(lang)
    state.publish(["lang", "ledger", "infra"], defaults={"lang": "zh", "ledger": "", "infra": ""})
    try:
        page.run()
    except AccessError:  # a permalink to another city's version: no rows, no traceback
        gate.no_access(lang)


# Streamlit runs this file as __main__; geo._worker's fork server imports it again as
# __mp_main__ in each child reading an upload, where the app must not run.
if __name__ != "__mp_main__":
    main()
