"""AppTest of the login gate: local mode, the refusal off loopback, team mode's login form,
and a link to another city's version answered "无权访问 no access"."""

from __future__ import annotations

import re
from pathlib import Path

import argon2
import pytest
import streamlit as st
from streamlit import config
from streamlit.testing.v1 import AppTest

from geo import records
from store import Workspace, audit

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
    with Workspace() as workspace:
        workspace.init()
    st.cache_resource.clear()
    yield tmp_path
    st.cache_resource.clear()


@pytest.fixture
def team(fresh, monkeypatch):
    """ATLAS_AUTH=on, a signing key, and a 卫滨区 clerk, a 焦作 office with a ledger."""
    monkeypatch.setenv("ATLAS_AUTH", "on")
    monkeypatch.setenv("ATLAS_SECRET_KEY", "s" * 40)
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


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def _log_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="login_name").input(name)
    at.text_input[1].input(password)
    at.button[0].click()
    return _run(at)


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
    assert at.error[0].value.startswith(
        "拒绝在非本机地址上无登录运行： Refusing to serve on 0.0.0.0 without logins"
    )
    assert "ATLAS_AUTH=on" in at.error[0].value
    assert not at.title and not at.text_input


def test_team_mode_asks_for_a_login_and_says_nothing_of_the_account(team):
    at = _run(AppTest.from_file(APP, default_timeout=TIMEOUT))
    assert at.title[0].value == "登录"
    wrong = _log_in(at, "weibin", "not the password").error[0].value
    missing = _log_in(at, "nobody", "not the password").error[0].value
    assert wrong == missing == "账户名或密码错误。"
    at = _log_in(at, "weibin", PASSWORD)
    assert at.title[0].value == "老旧小区改造图集"
    assert at.sidebar.caption[0].value == "当前账户：weibin（区县，新乡市 410703）"


def test_a_link_to_another_citys_version_shows_no_access(team):
    # The clerk opens a colleague's link to 焦作's ledger: the map page it names shows nothing.
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["ledger"] = "jz@1"
    _log_in(_run(at), "weibin", PASSWORD)
    assert [e.value for e in at.error] == ["无权访问 no access"]
    assert not at.dataframe or all("焦作甲小区" not in str(d.value) for d in at.dataframe)
    assert not at.json


@pytest.mark.parametrize(
    ("failures", "words"),
    [(7, r"登录失败次数过多，请 \d+ 秒后再试。"), (12, r"登录失败次数过多，请 15 分钟后再试。")],
)
def test_a_throttled_login_says_how_long_to_wait(team, failures, words):
    # Guesses at weibin from elsewhere just now: 32 s, then 15 min (the cap) before the next try.
    with Workspace() as workspace, workspace._begin(write=True) as conn:
        for _ in range(failures):
            audit.record(conn, "weibin", "login_failed", address="203.0.113.9")
    at = _log_in(_run(AppTest.from_file(APP, default_timeout=TIMEOUT)), "weibin", PASSWORD)
    assert re.fullmatch(words, at.error[0].value)
    assert at.title[0].value == "登录"
