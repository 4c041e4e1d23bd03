"""The pages are functions: app.py's navigation lists every page module, each runs nothing alone."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parent.parent
#: The url_path of every page in app.py's navigation, in its order.
URL_PATHS = re.findall(r'^    \("(\w+)", ', (REPO / "app.py").read_text("utf-8"), re.MULTILINE)
PAGES = sorted(p.stem for p in (REPO / "app_pages").glob("*.py") if p.stem != "__init__")


def test_the_navigation_keeps_every_address_and_the_map_at_the_root():
    assert URL_PATHS == [
        "map", "compare", "quality", "export", "report", "ledger", "accessibility", "reach",
        "siting", "priorities", "lifecircle", "figures", "progress", "history", "account",
    ]  # fmt: skip
    # app_pages/ holds pages only: every module is in the navigation (infra at /accessibility).
    assert sorted(["infra" if u == "accessibility" else u for u in URL_PATHS]) == sorted(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_a_page_module_exposes_render_and_draws_nothing_run_alone(page):
    module = importlib.import_module(f"app_pages.{page}")
    assert callable(module.render)
    at = AppTest.from_file(str(REPO / "app_pages" / f"{page}.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    assert not at.main.children and not at.sidebar.children


def test_a_reading_child_that_imports_the_app_again_runs_nothing(monkeypatch):
    # The fork server behind geo._worker imports Streamlit's __main__ (app.py) again as
    # __mp_main__ in each child reading an upload; the app ran there, met no session at the
    # login gate and the read failed ("the reader stopped without an answer").
    import runpy

    import streamlit

    calls: list[str] = []
    monkeypatch.setattr(streamlit, "set_page_config", lambda *a, **k: calls.append("config"))
    runpy.run_path(str(REPO / "app.py"), run_name="__mp_main__")
    assert calls == []
