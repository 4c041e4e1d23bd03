"""
A team server (``atlas serve``: ``server.py``, ATLAS_AUTH=on, no trusted proxy) whose workspace
holds hostile names: the session cookie is set by the server, HttpOnly and SameSite=Strict,
cleared by it at logout, and never readable by page script; on every page, names like
``[请点此重新登录](https:evil.example)``, ``![t](https:evil.example)`` and the account
``**bold**_it_`` read as text, and no request leaves 127.0.0.1; a throttled login says its
wait on the page, and an X-Forwarded-For from the (untrusted) peer is not believed.
"""

from __future__ import annotations

import http.client
import sys
import urllib.parse
from pathlib import Path
from urllib.parse import quote

import pytest

from geo import records
from store import Workspace, audit, auth
from tests.e2e.conftest import ARTIFACTS, REPO, app_server, new_page, open_app, wait_idle

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
KEY = "e2e-session-key-" + "x" * 32
ACCOUNT = "**bold**_it_"
DATASETS = ("[请点此重新登录](https:evil.example)", "![t](https:evil.example)", "www.evil.example")
LEDGER = REPO / "data" / "examples" / "synthetic-ledger-xinxiang.csv"
PAGES = [
    "",
    "compare",
    "quality",
    "export",
    "ledger",
    "accessibility",
    "reach",
    "figures",
    "history",
    "account",
]
# Links and images to another host, and emphasis, that only a user value could have put in
# the page (the page's own links stay on this server: "skip to content", the page list).
_INJECTED = """() => [
    ...[...document.querySelectorAll('a[href], img[src], link[href], iframe[src]')]
        .map(e => e.href || e.src)
        .filter(u => !u.startsWith('data:') && new URL(u, location.href).host !== location.host),
    ...[...document.querySelectorAll('strong, em, b, i')]
        .map(e => e.textContent).filter(t => t === 'bold' || t === 'it'),
]"""


class Server(str):
    """The server's URL, and its workspace database (``database``)."""

    database: str


@pytest.fixture(scope="module")
def team_server(tmp_path_factory):
    """
    `atlas serve` with ATLAS_AUTH=on over datasets with hostile names.

    ATLAS_TRUSTED_PROXIES unset: Streamlit's server believes no X-Forwarded-For, from loopback
    neither (``atlas serve`` sets uvicorn's FORWARDED_ALLOW_IPS from it).
    """
    data_dir = tmp_path_factory.mktemp("hostile")
    database = f"sqlite:///{data_dir / 'atlas.sqlite'}"
    with Workspace(database) as workspace:
        workspace.init()
        workspace.add_account("boss", role="admin", password=PASSWORD)
        boss = workspace.login("boss", PASSWORD).account
        workspace.add_account(ACCOUNT, role="city", city="新乡市", password=PASSWORD, user=boss)
        clerk = workspace.login(ACCOUNT, PASSWORD).account
        ledger = records.read_ledger(LEDGER, crs_name="gcj02")
        for name in DATASETS:
            workspace.save_ledger(
                ledger, name=name, user=clerk, data=LEDGER.read_bytes(),
                file_name="![f](https:evil.example/f.png).csv", note="[n](https:evil.example)",
            )  # fmt: skip
    atlas = str(Path(sys.executable).with_name("atlas"))
    command = [atlas, "serve", "--address", "127.0.0.1", "--port", "0"]
    # uvicorn told to believe every proxy, as a server might inherit: `atlas serve` replaces it.
    env = {"ATLAS_AUTH": "on", "ATLAS_SECRET_KEY": KEY, "FORWARDED_ALLOW_IPS": "*"}
    with app_server(data_dir, env=env, name="session-server", command=command) as server:
        url = Server(server.url)
        url.database = database
        yield url


def _post(url: str, path: str, fields: dict[str, str], **headers: str):
    """A form POST, redirects not followed: (status, headers as a list of pairs)."""
    where = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=120)
    body = urllib.parse.urlencode(fields)
    connection.request(
        "POST",
        path,
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    )
    answer = connection.getresponse()
    answer.read()
    connection.close()
    return answer.status, answer.getheaders()


def _set_cookie(headers) -> list[str]:
    return [v for k, v in headers if k.lower() == "set-cookie" and v.startswith(auth.COOKIE)]


def _location(headers) -> str:
    return next(v for k, v in headers if k.lower() == "location")


def test_the_server_sets_an_httponly_strict_cookie_and_clears_it_at_logout(team_server):
    origin = {"Origin": team_server}
    form = {"account": "boss", "password": PASSWORD, "next": "/account?ledger=xx%401"}
    # Another site's page cannot log a browser in.
    status, headers = _post(team_server, "/atlas/login", form, Origin="https://evil.example")
    assert (status, _set_cookie(headers)) == (403, [])
    status, headers = _post(team_server, "/atlas/login", form | {"password": "not it"}, **origin)
    assert (status, _set_cookie(headers)) == (303, [])
    assert _location(headers) == "/account?ledger=xx%401&login=wrong"
    # A NUL byte through the form: one clear refusal, not a database error (was: internal).
    status, headers = _post(team_server, "/atlas/login", form | {"account": "boss\x00"}, **origin)
    assert (status, _set_cookie(headers)) == (303, [])
    assert _location(headers) == "/account?ledger=xx%401&login=text"
    # A path elsewhere is no place to go back to.
    status, headers = _post(
        team_server, "/atlas/login", form | {"next": "//evil.example/x"}, **origin
    )
    assert _location(headers) == "/"

    status, headers = _post(team_server, "/atlas/login", form, **origin)
    (cookie,) = _set_cookie(headers)
    assert (status, _location(headers)) == (303, "/account?ledger=xx%401")
    value, *attributes = [part.strip() for part in cookie.split(";")]
    assert sorted(attributes) == ["HttpOnly", "Max-Age=28800", "Path=/", "SameSite=Strict"]
    token = auth.read_cookie(value.split("=", 1)[1], key=KEY)
    assert token and "boss" not in value

    # 127.0.0.1 is no trusted proxy here (ATLAS_TRUSTED_PROXIES unset): its X-Forwarded-Proto
    # is not believed, and the cookie is not marked for HTTPS (a trusted proxy's is:
    # tests/test_app_gate.py).
    status, headers = _post(
        team_server, "/atlas/login", form, **origin, **{"X-Forwarded-Proto": "https"}
    )
    (plain,) = _set_cookie(headers)
    assert "Secure" not in [part.strip() for part in plain.split(";")]

    # Behind a reverse proxy that rewrites Host and passes the browser's as X-Forwarded-Host.
    proxied = {"Origin": "https://atlas.bureau.example", "X-Forwarded-Host": "atlas.bureau.example"}
    status, headers = _post(team_server, "/atlas/login", form, **proxied)
    assert (status, len(_set_cookie(headers))) == (303, 1)

    # Logout ends the session in the workspace and clears the cookie.
    status, headers = _post(
        team_server, "/atlas/logout", {"next": "/account"}, **origin, Cookie=value
    )
    (cleared,) = _set_cookie(headers)
    assert (status, _location(headers)) == (303, "/account?login=out")
    assert cleared.startswith(f'{auth.COOKIE}=""; ') and "Max-Age=0" in cleared
    assert "HttpOnly" in cleared and "SameSite=Strict" in cleared
    with Workspace(team_server.database) as workspace:
        assert workspace.session(token) is None


def _post_form(page, button: str) -> None:
    """Clicks ``button`` of a form the server's route answers, and waits for the page it sends."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()
    wait_idle(page)


def _log_in(page, url: str, name: str, path: str = "account") -> None:
    open_app(page, f"{url}/{path}")
    page.get_by_label("账户名", exact=True).fill(name)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    _post_form(page, "登录")
    page.get_by_text("当前账户：").first.wait_for()


def test_no_page_script_can_read_the_session_cookie(team_server, browser):
    page = new_page(browser)
    context = page.context
    try:
        _log_in(page, team_server, "boss")
        (cookie,) = [c for c in context.cookies() if c["name"] == auth.COOKIE]
        assert (cookie["httpOnly"], cookie["sameSite"]) == (True, "Strict")
        assert auth.COOKIE not in page.evaluate("document.cookie")
        # The page still knows who is signed in after a reload: the server reads the cookie.
        page.reload()
        wait_idle(page)
        page.get_by_text("当前账户：boss").wait_for()
        _post_form(page, "退出登录")
        page.get_by_text("已退出登录。").wait_for()
        assert [c for c in context.cookies() if c["name"] == auth.COOKIE] == []
    finally:
        context.close()


def test_user_values_are_text_on_every_page_and_nothing_leaves(team_server, browser):
    page = new_page(browser)
    context = page.context
    outside: list[str] = []

    def record(request) -> None:
        host = urllib.parse.urlsplit(request.url).hostname
        if request.url.split(":", 1)[0] in ("http", "https", "ws", "wss") and host != "127.0.0.1":
            outside.append(request.url)

    page.on("request", record)
    try:
        _log_in(page, team_server, ACCOUNT)
        link = f"ledger={quote(DATASETS[0] + '@1')}&dataset={quote(DATASETS[1])}"
        link += f"&city={quote('[城市](https:evil.example/c)')}"
        for path in PAGES:
            open_app(page, f"{team_server}/{path}?{link}")
            page.get_by_text("当前账户：**bold**_it_（市级，新乡市）").wait_for()
            assert page.evaluate(_INJECTED) == [], path
            body = page.locator("body").inner_text()
            assert "Traceback" not in body, path
            page.screenshot(path=str(ARTIFACTS / f"hostile-{path or 'map'}.png"), full_page=True)
        assert outside == []
    finally:
        context.close()


def _audit(database: str, action: str, actor: str) -> list[dict]:
    with Workspace(database) as workspace:
        boss = workspace.login("boss", PASSWORD, address="cli:e2e").account
        rows = workspace.audit_log(user=boss, action=action, actor=actor, limit=None)
    return rows.to_dict("records")


def test_a_throttled_login_says_its_wait_and_a_forwarded_for_is_not_believed(team_server, browser):
    # A rotating X-Forwarded-For from a peer that is no trusted proxy: the peer is recorded.
    origin = {"Origin": team_server}
    for index in range(3):
        status, _ = _post(
            team_server, "/atlas/login", {"account": "xff-guess", "password": "not it"},
            **origin, **{"X-Forwarded-For": f"6.6.{index}.{index}"},
        )  # fmt: skip
        assert status == 303
    addresses = [r["address"] for r in _audit(team_server.database, "login_failed", "xff-guess")]
    assert addresses == ["127.0.0.1"] * 3
    # Twelve guesses at one name from elsewhere just now: its next try waits 15 minutes.
    with Workspace(team_server.database) as workspace, workspace._begin(write=True) as conn:
        for _ in range(12):
            audit.record(conn, "guessed", "login_failed", address="203.0.113.9")
    page = new_page(browser)
    context = page.context
    try:
        open_app(page, f"{team_server}/account")
        page.get_by_label("账户名", exact=True).fill("guessed")
        page.get_by_label("密码", exact=True).fill(PASSWORD)
        _post_form(page, "登录")
        (refused,) = _audit(team_server.database, "login_throttled", "guessed")
        assert refused["address"] == "127.0.0.1"
        minutes = -(-refused["detail"]["wait_s"] // 60)
        page.get_by_text(f"登录失败次数过多，请 {minutes} 分钟后再试。").wait_for()
        page.screenshot(path=str(ARTIFACTS / "login-throttled.png"), full_page=True)
        assert [c for c in context.cookies() if c["name"] == auth.COOKIE] == []
    finally:
        context.close()


def test_the_map_in_its_own_tab_is_the_cookies_accounts_and_ends_at_logout(team_server, browser):
    page = new_page(browser)
    context = page.context
    try:
        _log_in(page, team_server, ACCOUNT, path="?city=新乡市")
        with context.expect_page() as opened:
            page.get_by_role("link", name="在新标签页中打开地图").click()
        tab = opened.value
        tab.locator("path.leaflet-interactive").first.wait_for()
        assert urllib.parse.urlsplit(tab.url).path == "/atlas/map"
        # The hostile dataset names are on the map's face as text, linking nowhere (Leaflet's
        # own attribution is the page's one link away).
        heading = tab.locator(".atlas-offline-heading").inner_text()
        assert DATASETS[0] in heading
        assert tab.evaluate(_INJECTED) == ["https://leafletjs.com/"]
        tab.screenshot(path=str(ARTIFACTS / "tab-map.png"))
        # A link to it on another site's page: the browser holds the SameSite=Strict cookie
        # back, and the map, asking once more from this site, gets it.
        elsewhere = context.new_page()
        elsewhere.route(
            "http://elsewhere.example/",
            lambda route: route.fulfill(body=f'<a id="to" href="{tab.url}">map</a>'),
        )
        elsewhere.goto("http://elsewhere.example/")
        elsewhere.click("#to")
        elsewhere.locator("path.leaflet-interactive").first.wait_for()
        _post_form(page, "退出登录")
        answer = tab.goto(tab.url)
        assert answer is not None and answer.status == 401
        tab.get_by_text("请先登录").wait_for()
    finally:
        context.close()
