"""AppTest of the login gate: local mode, the refusal off loopback, team mode's login form
(posted to the server's route, which sets the cookie: tests/e2e/test_session_browser.py), a
link to another city's version answered "无权访问 no access", and the password change."""

from __future__ import annotations

import re
from pathlib import Path

import argon2
import pytest
import streamlit as st
from streamlit import config
from streamlit.testing.v1 import AppTest

from geo import records
from store import Workspace

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 120
PASSWORD = "correct horse battery"
JIAOZUO = (
    "小区名称,所属城市,所属区县,户数\n焦作甲小区,焦作市,解放区,100\n焦作乙小区,焦作市,山阳区,80\n"
)


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """An empty embedded workspace of its own, and no cached workspace handle."""
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path))
    st.cache_resource.clear()
    yield tmp_path
    st.cache_resource.clear()


@pytest.fixture
def team(fresh, monkeypatch):
    """ATLAS_AUTH=on, a signing key, and a 卫滨区 clerk, a 焦作 office with a ledger."""
    monkeypatch.setenv("ATLAS_AUTH", "on")
    monkeypatch.setenv("ATLAS_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("ATLAS_SESSION_ROUTES", "1")  # as server.py mounts the login routes
    monkeypatch.setattr(
        "store.accounts._HASHER", argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    with Workspace() as workspace:
        workspace.add_account("boss", role="admin", password=PASSWORD)
        boss = workspace.login("boss", PASSWORD).account
        workspace.add_account(
            "weibin", role="district", city="新乡市", districts=["卫滨区"], password=PASSWORD,
            user=boss,
        )  # fmt: skip
        workspace.add_account("jiaozuo", role="city", city="焦作市", password=PASSWORD, user=boss)
        office = workspace.login("jiaozuo", PASSWORD).account
        data = JIAOZUO.encode()
        ledger = records.read_ledger(data, name="jiaozuo.csv")
        workspace.save_ledger(ledger, name="jz", user=office, data=data, file_name="jiaozuo.csv")


def _text(markdown: str) -> str:
    """What the reader sees of Markdown whose every punctuation mark is escaped."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def _logged_in(name: str, **params: str) -> AppTest:
    """A browser session whose cookie the login route set for ``name`` (its token, here)."""
    with Workspace() as workspace:
        token = workspace.login(name, PASSWORD).token
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["session_token"] = token
    for key, value in params.items():
        at.query_params[key] = value
    return at


def _form(at: AppTest) -> str:
    """The login form's HTML (st.html), as the browser gets it."""
    return next(h.proto.body for h in at.get("html") if "<form" in h.proto.body)


def test_local_mode_opens_the_map_without_a_login(fresh):
    at = _run(AppTest.from_file(APP, default_timeout=TIMEOUT))
    assert at.title[0].value == "老旧小区改造图集"
    assert not at.text_input  # no login form


def test_a_non_loopback_address_serves_nothing_without_atlas_auth(fresh):
    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        at = _run(AppTest.from_file(APP, default_timeout=TIMEOUT))
    finally:
        config.set_option("server.address", before)
    assert _text(at.error[0].value).startswith(
        "拒绝在非本机地址上无登录运行： Refusing to serve on 0.0.0.0 without logins"
    )
    assert "ATLAS_AUTH=on" in _text(at.error[0].value)
    assert not at.title and not at.text_input


def test_team_mode_asks_for_a_login_with_a_form_the_server_answers(team):
    at = _run(AppTest.from_file(APP, default_timeout=TIMEOUT))
    assert at.title[0].value == "登录"
    form = _form(at)
    assert form.startswith('<form class="atlas-login" method="post" action="/atlas/login">')
    assert 'name="account"' in form and 'type="password"' in form
    assert "<script" not in str([h.proto for h in at.get("html")])  # no cookie from a script
    # The route sends a failed login back with ?login=wrong, whatever the reason.
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["login"] = "wrong"
    assert _run(at).error[0].value == "账户名或密码错误。"
    assert "login" not in at.query_params  # said once
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["login"] = "text"
    assert _run(at).error[0].value == (
        "账户名或密码中含有无法保存的字符（空字符或不成对的代理字符），请重新输入。"
    )
    at = _run(_logged_in("weibin"))
    assert at.title[0].value == "老旧小区改造图集"
    assert at.sidebar.caption[0].value == "当前账户：weibin（区县，新乡市 410703）"


def test_team_mode_served_without_the_login_routes_says_how_to_start_it(team, monkeypatch):
    monkeypatch.delenv("ATLAS_SESSION_ROUTES")
    at = _run(AppTest.from_file(APP, default_timeout=TIMEOUT))
    assert _text(at.error[0].value).startswith(
        "团队服务器须用 atlas serve（或 streamlit run server.py）"
    )
    assert not at.get("html") or all("<form" not in h.proto.body for h in at.get("html"))


def test_a_link_to_another_citys_version_shows_no_access(team):
    # The clerk opens a colleague's link to 焦作's ledger: the map page it names shows nothing.
    at = _run(_logged_in("weibin", ledger="jz@1"))
    assert [e.value for e in at.error] == ["无权访问 no access"]
    assert not at.dataframe or all("焦作甲小区" not in str(d.value) for d in at.dataframe)
    assert not at.json
    # A name that does not exist reads the same (it never tells another city what there is).
    at = _run(_logged_in("weibin", ledger="nosuchname@1"))
    assert [e.value for e in at.error] == ["无权访问 no access"]


def _change_password(at: AppTest, current: str, new: str) -> AppTest:
    fields = {t.label: t for t in at.text_input}
    fields["当前密码"].input(current)
    fields["新密码（至少 10 个字符）"].input(new)
    fields["再次输入新密码"].input(new)
    next(b for b in at.button if b.label == "修改密码").click()
    return _run(at)


def test_the_account_page_asks_for_the_current_password(team):
    at = _run(_logged_in("weibin"))
    at.switch_page("app_pages/account.py")
    at = _run(at)
    at = _change_password(at, "not the password", "tactile paving reaches the gate")
    assert [e.value for e in at.error] == [
        "当前密码不正确；密码未修改（每次输错都记为一次登录失败）。"
    ]
    at = _change_password(at, PASSWORD, "aaaaaaaaaa")
    assert at.error[0].value.startswith("新密码太容易猜到")
    at = _change_password(at, PASSWORD, "weibin2024!")
    assert at.error[0].value.startswith("新密码太容易猜到")
    at = _change_password(at, PASSWORD, "tactile paving reaches the gate")
    assert at.success[0].value == "密码已修改，其他会话已结束，请重新登录。"
    with Workspace() as workspace:
        assert workspace.login("weibin", "tactile paving reaches the gate").account.name
