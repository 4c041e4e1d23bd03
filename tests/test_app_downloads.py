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

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages._ui.widgets import NO_RERUN
from tests._pages import open_page

APP = str(Path(__file__).resolve().parent.parent / "app.py")
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
