"""
In Chromium, a team server (ATLAS_AUTH=on): two users logged in at once in two browser
contexts; the 卫滨区 clerk cannot open 焦作's ledger, even by typing its link; a reload keeps
a session, a tampered cookie does not, and logging out ends the session for good.
"""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest

from geo import records
from store import Workspace, auth
from tests.e2e.conftest import (
    ARTIFACTS,
    REPO,
    app_server,
    drawn_districts,
    new_page,
    open_app,
    wait_idle,
)

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
KEY = "e2e-signing-key-" + "x" * 32
JIAOZUO = (
    "小区名称,所属城市,所属区县,户数\n焦作甲小区,焦作市,解放区,100\n焦作乙小区,焦作市,山阳区,80\n"
)
LEDGER = REPO / "data" / "examples" / "synthetic-ledger-xinxiang.csv"


@pytest.fixture(scope="module")
def team_server(tmp_path_factory):
    """A team server (`streamlit run server.py`, ATLAS_AUTH=on): three accounts, two ledgers."""
    data_dir = tmp_path_factory.mktemp("team")
    with Workspace(f"sqlite:///{data_dir / 'atlas.sqlite'}") as workspace:
        workspace.init()
        workspace.add_account("boss", role="admin", password=PASSWORD)
        boss = workspace.login("boss", PASSWORD).account
        workspace.add_account(
            "weibin", role="district", city="新乡市", districts=["卫滨区"], password=PASSWORD,
            user=boss,
        )  # fmt: skip
        workspace.add_account("jiaozuo", role="city", city="焦作市", password=PASSWORD, user=boss)
        xinxiang = records.read_ledger(LEDGER, crs_name="gcj02")
        workspace.save_ledger(
            xinxiang, name="xx", user=boss, data=LEDGER.read_bytes(), file_name=LEDGER.name
        )
        office = workspace.login("jiaozuo", PASSWORD).account
        ledger = records.read_ledger(JIAOZUO.encode(), name="jiaozuo.csv")
        workspace.save_ledger(
            ledger, name="jz", user=office, data=JIAOZUO.encode(), file_name="jiaozuo.csv"
        )
    env = {"ATLAS_AUTH": "on", "ATLAS_SECRET_KEY": KEY}
    with app_server(data_dir, env=env, name="team-server", script="server.py") as server:
        yield server.url


def tampered(cookie: str) -> str:
    """``cookie`` with one bit of its signature changed (the signature's bytes, not its text)."""
    head, signature = cookie.rsplit(".", 1)
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[0] ^= 0x01
    return f"{head}.{base64.urlsafe_b64encode(bytes(raw)).decode().rstrip('=')}"


def _login_button(page):
    return page.get_by_role("button", name="登录", exact=True)  # not 退出登录


def _log_in(page, url: str, name: str) -> None:
    open_app(page, url)
    page.get_by_label("账户名", exact=True).fill(name)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    # A form posted to the server's login route: its answer sets the cookie and comes back here.
    with page.expect_navigation():
        _login_button(page).click()
    wait_idle(page)
    page.get_by_text(f"当前账户：{name}").wait_for()


def _session_cookie(page) -> dict:
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "atlas_session"]
    return cookie


def test_two_users_at_once_each_sees_only_their_city(team_server, browser):
    weibin, jiaozuo = new_page(browser), new_page(browser)
    try:
        _log_in(weibin, team_server, "weibin")
        _log_in(jiaozuo, team_server, "jiaozuo")
        # The map draws on what `make app` serves: server.py loads the layers before serving,
        # and a map component loaded there (outside a script run) would leave the frame blank.
        assert drawn_districts(weibin)
        cookie = _session_cookie(weibin)
        assert cookie["sameSite"] == "Strict" and "weibin" not in cookie["value"]

        # 焦作's office opens its own ledger by link.
        open_app(jiaozuo, f"{team_server}/account?ledger={quote('jz@1')}")
        # The version's record is a table (a canvas grid: its cells are hidden, not absent).
        jiaozuo.get_by_text("jiaozuo.csv").first.wait_for(state="attached")
        jiaozuo.screenshot(path=str(ARTIFACTS / "accounts-jiaozuo.png"), full_page=True)

        # The 卫滨区 clerk reads its city's ledger, and not 焦作's, even by typing its link.
        open_app(weibin, f"{team_server}/account?ledger={quote('xx@1')}")
        weibin.get_by_text("synthetic-ledger-xinxiang.csv").first.wait_for(state="attached")
        open_app(weibin, f"{team_server}/account?ledger={quote('jz@1')}")
        weibin.get_by_text("无权访问", exact=True).wait_for()
        weibin.screenshot(path=str(ARTIFACTS / "accounts-no-access.png"), full_page=True)
        body = weibin.locator("body").inner_text()
        assert "jiaozuo.csv" not in body and "Traceback" not in body

        # A reload keeps the session (the cookie); a tampered cookie opens nothing.
        open_app(weibin, f"{team_server}/account")
        weibin.get_by_text("当前账户：weibin").wait_for()
        forged_value = tampered(cookie["value"])
        assert auth.read_cookie(cookie["value"], key=KEY) is not None
        assert auth.read_cookie(forged_value, key=KEY) is None  # really tampered
        forged = new_page(browser)
        forged.context.add_cookies([cookie | {"value": forged_value}])
        open_app(forged, f"{team_server}/account?ledger={quote('xx@1')}")
        _login_button(forged).wait_for()
        assert "synthetic-ledger-xinxiang.csv" not in forged.locator("body").inner_text()
        forged.context.close()

        # Logging out ends the session: a reload, or the old cookie elsewhere, meets the login.
        with weibin.expect_navigation():  # a form posted to the server's logout route
            weibin.get_by_role("button", name="退出登录", exact=True).click()
        wait_idle(weibin)
        weibin.get_by_text("已退出登录。").wait_for()
        open_app(weibin, f"{team_server}/account?ledger={quote('xx@1')}")
        _login_button(weibin).wait_for()
        weibin.screenshot(path=str(ARTIFACTS / "accounts-logged-out.png"), full_page=True)
        replay = new_page(browser)
        replay.context.add_cookies([cookie])
        open_app(replay, f"{team_server}/account?ledger={quote('xx@1')}")
        _login_button(replay).wait_for()
        assert "synthetic-ledger-xinxiang.csv" not in replay.locator("body").inner_text()
        replay.context.close()

        # 焦作's office is still logged in.
        open_app(jiaozuo, f"{team_server}/account")
        jiaozuo.get_by_text("当前账户：jiaozuo").wait_for()
    finally:
        weibin.context.close()
        jiaozuo.context.close()
