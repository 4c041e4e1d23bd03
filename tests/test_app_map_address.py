"""
The map page's own address: ``/map?lang=zh&city=新乡市`` opens the map with its query.

The map is the default page, served at the root; a planner who types or shares its url_path
got Streamlit's "Page not found". A browser asks for a page by its address's name with no
page hash; AppTest sends a hash only, so these tests give AppTest's request the name, as the
browser's request has it, and watch Streamlit's own "page not found" message.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import streamlit.commands.navigation as navigation_command
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.testing.v1 import AppTest, local_script_runner
from streamlit.util import calc_hash

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def not_found(monkeypatch) -> list[str]:
    """The pages Streamlit said it could not find, filled as the app runs."""
    said: list[str] = []
    real = navigation_command.send_page_not_found

    def send(ctx) -> None:
        said.append(ctx.pages_manager.intended_page_name or "")
        real(ctx)

    monkeypatch.setattr(navigation_command, "send_page_not_found", send)
    return said


def _by_address(monkeypatch, name: str, **query: str) -> AppTest:
    """The app as a browser opens ``/<name>?<query>``: the page asked by name, no hash."""
    asked = functools.partial(RerunData, page_name=name)
    monkeypatch.setattr(local_script_runner, "RerunData", asked)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(query)
    return at.run()


def test_the_map_s_own_address_opens_the_map_at_the_root_with_its_query(monkeypatch, not_found):
    at = _by_address(monkeypatch, "map", lang="zh", city="新乡市", classes="4")
    assert not at.exception, at.exception
    assert not_found == []
    # The map page ran, as the root serves it (the navigation marks 地图), the query kept.
    assert at._finished_page_script_hash == calc_hash("")
    assert at.title[0].value == "老旧小区改造图集"
    assert at.query_params["city"] == "新乡市" and at.query_params["classes"] == "4"
    assert at.session_state["city"] == ["新乡市"]


def test_another_page_s_address_still_opens_that_page(monkeypatch, not_found):
    at = _by_address(monkeypatch, "history", lang="en")
    assert not at.exception, at.exception
    assert not_found == [] and at._finished_page_script_hash == calc_hash("history")
    assert at.query_params["lang"] == "en"


def test_an_address_that_names_no_page_is_still_not_found(monkeypatch, not_found):
    # What the watch sees: the map's address is found because it is served, not because
    # nothing is ever said.
    at = _by_address(monkeypatch, "mpa", lang="zh")
    assert not at.exception, at.exception
    assert not_found == ["mpa"]


def _tab_link(at: AppTest) -> str | None:
    """The address of the map page's button that opens the map in its own tab, if any."""
    found = [b.proto.url for b in at.get("link_button") if "/atlas/map" in b.proto.url]
    return found[0] if found else None


def test_the_map_page_links_its_view_to_the_servers_map_in_its_own_tab(monkeypatch):
    from urllib.parse import parse_qs, urlsplit

    from geo import figures
    from layers.address_view import view_from_address

    monkeypatch.setenv("ATLAS_SESSION_ROUTES", "1")  # served by server.py, which has the route
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(lang="en", city="新乡市", classes="4", scheme="quantiles")
    at.run()
    assert not at.exception, at.exception
    link = urlsplit(_tab_link(at))
    assert link.path == "/atlas/map"
    view = view_from_address(parse_qs(link.query), figures.load_figures())
    assert (view.cities, view.classes, view.scheme, view.lang, view.figure) == (
        ("新乡市",), 4, "quantiles", "en", at.session_state["figure"]
    )  # fmt: skip
    # Started as `streamlit run app.py`, no route answers it: no link.
    monkeypatch.delenv("ATLAS_SESSION_ROUTES")
    assert _tab_link(AppTest.from_file(APP, default_timeout=120).run()) is None


def test_the_tab_link_says_a_ledger_read_in_this_session_is_not_on_it(monkeypatch):
    from app_pages._ui.loaded import LEDGER_KEY, LoadedLedger
    from geo import figures, reconcile, records

    monkeypatch.setenv("ATLAS_SESSION_ROUTES", "1")
    data = "小区名称,所属城市,所属区县,户数\n甲小区,新乡市,卫滨区,100\n".encode()
    ledger = records.read_ledger(data, name="unsaved.csv")
    table = reconcile.reconcile(ledger.projects, figures.load_figures())
    for lang, said in (("zh", "未保存的台账"), ("en", "not saved is not on it")):
        at = AppTest.from_file(APP, default_timeout=120)
        at.session_state[LEDGER_KEY] = LoadedLedger(ledger, "unsaved.csv", table)
        at.query_params.update(lang=lang, city="新乡市")
        at.run()
        assert not at.exception, at.exception
        assert _tab_link(at) is not None
        assert any(said in c.value for c in at.caption)
