"""
In Chromium, a team server (ATLAS_AUTH=on): two users logged in at once in two browser
contexts; the 卫滨区 clerk cannot open 焦作's ledger, even by typing its link; a reload keeps
a session, a tampered cookie does not, and logging out ends the session for good.
"""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import quote

import pytest

from geo import records
from store import Workspace
from tests.e2e.conftest import ARTIFACTS, REPO, _free_port, _wait_healthy, wait_idle

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
KEY = "e2e-signing-key-" + "x" * 32
JIAOZUO = (
    "小区名称,所属城市,所属区县,户数\n焦作甲小区,焦作市,解放区,100\n焦作乙小区,焦作市,山阳区,80\n"
)
LEDGER = REPO / "data" / "examples" / "synthetic-ledger-xinxiang.csv"


@pytest.fixture(scope="module")
def team_server(tmp_path_factory):
    """`streamlit run server.py` with ATLAS_AUTH=on over a workspace with three accounts."""
    data_dir = tmp_path_factory.mktemp("team")
    env = os.environ | {
        "ATLAS_AUTH": "on",
        "ATLAS_SECRET_KEY": KEY,
        "ATLAS_DATA_DIR": str(data_dir),
    }
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
    port = _free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(REPO / "server.py"),
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--server.headless", "true", "--browser.gatherUsageStats", "false"]  # fmt: skip
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with (ARTIFACTS / "team-server.log").open("wb") as log:
        server = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, server)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=20)


def _context(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    return context, context.new_page()


def _log_in(page, url: str, name: str) -> None:
    page.goto(url)
    wait_idle(page)
    page.get_by_label("账户名").fill(name)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()  # the server's answer sets the cookie and comes back here
    wait_idle(page)
    page.get_by_text(f"当前账户：{name}").wait_for(timeout=60_000)


def _open(page, url: str) -> None:
    page.goto(url)
    wait_idle(page)


def _session_cookie(context) -> dict:
    (cookie,) = [c for c in context.cookies() if c["name"] == "atlas_session"]
    return cookie


def test_two_users_at_once_each_sees_only_their_city(team_server, browser):
    weibin_context, weibin = _context(browser)
    jiaozuo_context, jiaozuo = _context(browser)
    try:
        _log_in(weibin, team_server, "weibin")
        _log_in(jiaozuo, team_server, "jiaozuo")
        cookie = _session_cookie(weibin_context)
        assert cookie["sameSite"] == "Strict" and "weibin" not in cookie["value"]

        # 焦作's office opens its own ledger by link.
        _open(jiaozuo, f"{team_server}/account?ledger={quote('jz@1')}")
        jiaozuo.get_by_text("jiaozuo.csv").first.wait_for(timeout=30_000)
        jiaozuo.screenshot(path=str(ARTIFACTS / "accounts-jiaozuo.png"), full_page=True)

        # The 卫滨区 clerk reads its city's ledger, and not 焦作's, even by typing its link.
        _open(weibin, f"{team_server}/account?ledger={quote('xx@1')}")
        weibin.get_by_text("synthetic-ledger-xinxiang.csv").first.wait_for(timeout=30_000)
        _open(weibin, f"{team_server}/account?ledger={quote('jz@1')}")
        weibin.get_by_text("无权访问 no access").wait_for(timeout=30_000)
        weibin.screenshot(path=str(ARTIFACTS / "accounts-no-access.png"), full_page=True)
        body = weibin.locator("body").inner_text()
        assert "jiaozuo.csv" not in body and "Traceback" not in body

        # A reload keeps the session (the cookie); a tampered cookie opens nothing.
        _open(weibin, f"{team_server}/account")
        weibin.get_by_text("当前账户：weibin").wait_for(timeout=30_000)
        forged_context, forged = _context(browser)
        value = cookie["value"]
        tampered = value[:-1] + ("A" if value[-1] != "A" else "B")
        forged_context.add_cookies([cookie | {"value": tampered}])
        _open(forged, f"{team_server}/account?ledger={quote('xx@1')}")
        forged.get_by_role("button", name="登录").wait_for(timeout=30_000)
        assert "synthetic-ledger-xinxiang.csv" not in forged.locator("body").inner_text()
        forged_context.close()

        # Logging out ends the session: a reload, or the old cookie elsewhere, meets the login.
        weibin.get_by_role("button", name="退出登录").click()
        weibin.get_by_text("已退出登录。").wait_for(timeout=30_000)
        _open(weibin, f"{team_server}/account?ledger={quote('xx@1')}")
        weibin.get_by_role("button", name="登录").wait_for(timeout=30_000)
        weibin.screenshot(path=str(ARTIFACTS / "accounts-logged-out.png"), full_page=True)
        replay_context, replay = _context(browser)
        replay_context.add_cookies([cookie])
        _open(replay, f"{team_server}/account?ledger={quote('xx@1')}")
        replay.get_by_role("button", name="登录").wait_for(timeout=30_000)
        assert "synthetic-ledger-xinxiang.csv" not in replay.locator("body").inner_text()
        replay_context.close()

        # 焦作's office is still logged in.
        _open(jiaozuo, f"{team_server}/account")
        jiaozuo.get_by_text("当前账户：jiaozuo").wait_for(timeout=30_000)
    finally:
        weibin_context.close()
        jiaozuo_context.close()
