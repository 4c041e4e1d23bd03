"""
The map in its own tab (``GET /atlas/map``, app_pages/_ui/quick_map.py), on both back ends.

Who may read it (local user, a live session's account, nobody), what each account gets, that
a ledger's words stay data, the answers' headers, and that a kept map is redrawn after a save.
"""

from __future__ import annotations

import asyncio
import threading
import urllib.parse

import pytest
from starlette.applications import Starlette

from app_pages._ui import quick_map, session
from geo import infra, records
from store import auth

from .conftest import PASSWORD, SURVEY

HOSTILE = "</script><img src=x onerror=alert(1)>小区"
LEDGER = (
    "小区名称,所属城市,所属区县,户数,经度,纬度,坐标系\n"
    "卫滨甲小区,新乡市,卫滨区,100,113.856585,35.278208,wgs84\n"
    "红旗乙小区,新乡市,红旗区,80,113.906585,35.278208,wgs84\n"
    f"{HOSTILE},新乡市,卫滨区,60,113.846585,35.288208,wgs84\n"
)
JIAOZUO = "小区名称,所属城市,所属区县,户数\n焦作甲小区,焦作市,解放区,100\n"


def _get(query: str, *, cookie: str | None = None, **headers: str):
    """``GET /atlas/map?query`` through the route as served: (status, headers, body text)."""
    sent = [(b"host", b"atlas.test")]
    sent += [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    if cookie is not None:
        sent.append((b"cookie", f"{auth.COOKIE}={cookie}".encode()))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": "/atlas/map", "raw_path": b"/atlas/map",
        "query_string": urllib.parse.quote(query, safe="=&").encode(), "root_path": "",
        "headers": sent, "client": ("127.0.0.1", 50000), "server": ("atlas.test", 80),
    }  # fmt: skip
    answers: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        answers.append(message)

    app = Starlette(routes=quick_map.routes())
    # A thread of its own: a browser test's Playwright may hold this thread's event loop.
    served = threading.Thread(target=asyncio.run, args=(app(scope, receive, send),))
    served.start()
    served.join()
    start = next(m for m in answers if m["type"] == "http.response.start")
    said = {k.decode("latin-1"): v.decode("latin-1") for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in answers if m["type"] == "http.response.body")
    return start["status"], said, body.decode("utf-8")


def _save(workspace, text: str, name: str, user=None) -> None:
    data = text.encode()
    ledger = records.read_ledger(data, name=f"{name}.csv")
    workspace.save_ledger(ledger, name=name, user=user, data=data, file_name=f"{name}.csv")


@pytest.fixture
def served(workspace, workspace_url, monkeypatch):
    """The route over the test workspace, with no map kept from another test."""
    monkeypatch.setenv("ATLAS_DATABASE_URL", workspace_url)
    monkeypatch.setenv("ATLAS_SECRET_KEY", "s" * 40)
    session._workspace.cache_clear()
    quick_map._kept.clear()
    yield workspace
    if session._workspace.cache_info().currsize:
        session._workspace().close()
    session._workspace.cache_clear()
    quick_map._kept.clear()


def test_local_mode_draws_the_view_keeps_it_and_redraws_after_a_save(served):
    _save(served, LEDGER, "xinxiang")
    status, said, body = _get("city=新乡市")
    assert status == 200 and said["content-type"] == "text/html; charset=utf-8"
    assert "卫滨甲小区" in body and "红旗乙小区" in body
    assert 'http-equiv="Content-Security-Policy"' in body  # scripts by hash, nothing fetched
    assert "frame-ancestors 'self'" in said["content-security-policy"]  # no other site frames it
    assert (said["x-content-type-options"], said["cache-control"], said["vary"]) == (
        "nosniff", "private, no-cache", "Cookie"
    )  # fmt: skip
    again = _get("city=新乡市", if_none_match=said["etag"])
    assert again[0] == 304 and again[2] == ""
    _save(served, LEDGER.replace("卫滨甲小区", "卫滨丙小区"), "xinxiang")
    status, after, body = _get("city=新乡市", if_none_match=said["etag"])
    assert status == 200 and after["etag"] != said["etag"]
    assert "卫滨丙小区" in body and "卫滨甲小区" not in body


def test_a_saved_survey_named_in_the_address_is_drawn_and_named(served):
    survey = infra.read_infra(SURVEY)
    served.save_infra(
        survey, name="survey", user=None, data=SURVEY.read_bytes(), file_name=SURVEY.name
    )
    status, _, drawn = _get("city=新乡市&infra=survey@1")
    # Its features (by source id) and, on the map's face, the version drawn.
    assert status == 200 and '"S00001"' in drawn and "survey@1" in drawn
    # A version the workspace lacks: said, in the page's language.
    status, _, body = _get("city=新乡市&infra=survey@9&lang=en")
    assert status == 404 and "survey" in body


def test_a_ledgers_words_stay_data_in_the_page(served):
    _save(served, LEDGER, "xinxiang")
    status, _, body = _get("city=新乡市")
    assert status == 200
    assert "<img src=x" not in body and "</script><img" not in body
    assert "onerror=alert(1)" in body.replace("\\u003c", "<")  # the name is there, as text


def test_team_mode_without_a_live_session_gets_no_map(served, team, monkeypatch):
    monkeypatch.setenv("ATLAS_AUTH", "on")
    _save(served, LEDGER, "xinxiang", user=team["admin"])
    for cookie in (None, "not-a-signed-token"):
        status, said, body = _get("city=新乡市&figure=households", cookie=cookie)
        assert status == 401 and "卫滨甲小区" not in body
        assert "default-src 'none'" in said["content-security-policy"]
        # A link to the map page, which offers the login, with the same view.
        assert 'href="/?city=%E6%96%B0%E4%B9%A1%E5%B8%82&amp;figure=households"' in body
    # A link followed from another site brings no SameSite=Strict cookie: asked once more, by
    # this page (same-origin), it would; a request of this site is not asked again.
    asked = '<meta http-equiv="refresh" content="0">'
    assert asked in _get("city=新乡市", sec_fetch_site="cross-site")[2]
    assert asked not in _get("city=新乡市", sec_fetch_site="same-origin")[2]
    token = served.login("weibin", PASSWORD).token
    assert _get("city=新乡市", cookie=auth.make_cookie(token))[0] == 200
    served.logout(token)  # a logout ends the map too
    assert _get("city=新乡市", cookie=auth.make_cookie(token))[0] == 401


def test_each_account_gets_what_it_may_read(served, team, monkeypatch):
    monkeypatch.setenv("ATLAS_AUTH", "on")
    _save(served, LEDGER, "xinxiang", user=team["admin"])
    _save(served, JIAOZUO, "jz", user=team["jiaozuo"])

    def cookie(name: str) -> str:
        return auth.make_cookie(served.login(name, PASSWORD).token)

    # Another city's office draws 新乡's outlines without its unpublished communities.
    status, _, body = _get("city=新乡市", cookie=cookie("jiaozuo"))
    assert status == 200 and "卫滨区" in body and "卫滨甲小区" not in body
    status, _, body = _get("city=新乡市", cookie=cookie("xinxiang"))
    assert status == 200 and "卫滨甲小区" in body and "红旗乙小区" in body
    # Another city's unpublished version, named in the link: refused, in the page's language.
    status, _, body = _get("city=焦作市&ledger=jz@1&lang=en", cookie=cookie("weibin"))
    assert status == 403 and "No access" in body and "焦作甲小区" not in body
    # The same address read by two accounts is never one kept map.
    assert len({*quick_map._kept.values()}) == len(quick_map._kept) == 2


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("province=nowhere", "province"),
        ("city=新乡市&district=<b>卫滨区", "district"),
        ("figure=<script>alert(1)</script>", "figure"),
        ("years=2019", "years"),
        ("classes=9", "classes"),
        ("status=completed", "status"),  # a ledger filter with no ledger in view
    ],
)
def test_an_address_the_page_would_drop_is_refused_saying_which_value(served, query, key):
    status, said, body = _get(query)
    assert status == 400 and f"{key}=" in body
    assert "<script>alert" not in body and "<b>卫滨区" not in body
    assert "default-src 'none'" in said["content-security-policy"]


def test_the_server_mounts_the_route_under_its_base_path(monkeypatch):
    from streamlit import config

    monkeypatch.setattr(config, "get_option", lambda key: "atlas-base")
    (route,) = quick_map.routes()
    assert (route.path, route.methods) == ("/atlas-base/atlas/map", {"GET", "HEAD"})


def test_kept_maps_stay_within_their_bytes_least_recently_asked_first(monkeypatch):
    monkeypatch.setattr(quick_map, "KEPT_BYTES", 10)
    monkeypatch.setattr(quick_map, "_kept", type(quick_map._kept)())
    quick_map._keep("a", b"1234")
    quick_map._keep("b", b"5678")
    quick_map._kept.move_to_end("a")  # asked again
    quick_map._keep("c", b"901")
    assert list(quick_map._kept) == ["a", "c"]
    quick_map._keep("huge", b"x" * 11)  # larger than all: drawn, not kept
    assert list(quick_map._kept) == []
