"""
A click on a download button whose file is written on click starts no script run.

The browser asks for such a file over the websocket (Streamlit's deferred download) and waits
for the answer. With Streamlit's default ``on_click="rerun"`` the click also starts a run, and
the start of a run empties the session's queue of messages not yet sent to the browser: when
the file was written quickly and its answer still waited in that queue, the answer was
dropped. The button then spun until the browser gave up, no file came and the server logged
nothing (the lost download of tests/e2e/test_app_browser.py, 7 Dec). So every such button is
made with ``on_click=NO_RERUN`` (app_pages/_ui/widgets.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages._ui.widgets import NO_RERUN
from tests._pages import open_page

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "app.py")
TIMEOUT = 180

# A page with its address, and the download buttons it shows there (their labels).
PAGES = {
    "export": (
        {"city": "新乡市", "district": "卫滨区"},
        {"下载 GeoPackage（全部图层，一个文件）", "districts.geojson", "districts.csv"},
    ),
    "report": ({"city": "焦作市"}, {"下载答复函（Word）", "下载区县图集（PDF）"}),
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_download_written_on_click_reruns_nothing(page):
    params, expected = PAGES[page]
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    open_page(at, page).run()
    assert not at.exception, at.exception
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    assert expected <= set(buttons), sorted(buttons)
    for name, proto in buttons.items():
        # Written on click (no file at a URL yet) and, clicked, asks for no run.
        assert proto.deferred_file_id and not proto.url, name
        assert proto.ignore_rerun, name
    assert NO_RERUN == "ignore"  # Streamlit's value for a click that reruns nothing


def _download_buttons(tree: ast.AST):
    """The calls ``<anything>.download_button(...)`` in ``tree``, each with its ``data``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "download_button":
            given = {k.arg: k.value for k in node.keywords}
            yield node, node.args[1] if len(node.args) > 1 else given.get("data"), given


def test_every_download_button_whose_data_may_be_a_callable_reruns_nothing():
    """
    Data computed in the call (``csv_bytes(table)``) is the file itself; data a name or an
    attribute (``make``, ``found.build``, ``plans.template_bytes``) may be a callable, a file
    written on click: those buttons pass ``on_click=NO_RERUN``. A page found here is checked
    whatever data it needs to show its buttons.
    """
    checked, missing = 0, []
    for path in sorted((REPO / "app_pages").rglob("*.py")):
        for call, data, given in _download_buttons(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(data, ast.Call):
                continue
            checked += 1
            on_click = given.get("on_click")
            if not (isinstance(on_click, ast.Name) and on_click.id == "NO_RERUN"):
                missing.append(f"{path.relative_to(REPO)}:{call.lineno}")
    assert missing == []
    # widgets.download (progress, priorities, siting and the rest go through it), report,
    # plan_forms (the template).
    assert checked == 3
