"""AppTest of the login gate: local mode, the refusal off loopback, team mode's login form
(posted to the server's route, which sets the cookie: tests/e2e/test_session_browser.py), a
link to another city's version answered "无权访问", and the password change."""

from __future__ import annotations

import asyncio
import re
import threading
import urllib.parse
from pathlib import Path

import argon2
import pytest
import streamlit as st
import uvicorn
from starlette.applications import Starlette
from streamlit import config
from streamlit.testing.v1 import AppTest

from app_pages._ui import session
from geo import records
from store import Workspace, audit, auth
from tests._pages import open_page

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
    assert at.sidebar.caption[0].value == "当前账户：weibin（区县，新乡市 卫滨区）"


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
    assert [e.value for e in at.error] == ["无权访问"]
    assert not at.dataframe or all("焦作甲小区" not in str(d.value) for d in at.dataframe)
    assert not at.json
    # A name that does not exist reads the same (it never tells another city what there is).
    at = _run(_logged_in("weibin", ledger="nosuchname@1"))
    assert [e.value for e in at.error] == ["无权访问"]


def test_a_link_to_a_version_the_workspace_lacks_says_so_in_the_pages_language(team):
    # The admin reads everything: a version not there is named, with those there are.
    at = _run(_logged_in("boss", ledger="jz@9"))
    warned = [_text(w.value) for w in at.warning]
    assert (
        "链接中的数据 jz@9 在工作区中不存在，改为显示当前状态。数据集 jz 没有第 9 版；现有版本：1。"
        in (warned)
    )
    at = _run(_logged_in("boss", ledger="jz@9", lang="en"))
    warned = [_text(w.value) for w in at.warning]
    assert (
        "The data jz@9 named in the link are not in the workspace; showing the current state "
        "instead. The dataset jz has no version 9; it has versions 1."
    ) in warned


def _change_password(at: AppTest, current: str, new: str) -> AppTest:
    fields = {t.label: t for t in at.text_input}
    fields["当前密码"].input(current)
    fields["新密码（至少 10 个字符）"].input(new)
    fields["再次输入新密码"].input(new)
    next(b for b in at.button if b.label == "修改密码").click()
    return _run(at)


def test_the_account_page_asks_for_the_current_password(team):
    at = _run(_logged_in("weibin"))
    open_page(at, "account")
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


def test_the_account_page_says_how_long_a_throttled_current_password_waits(team):
    at = _run(_logged_in("weibin"))
    open_page(at, "account")
    at = _run(at)
    # Seven wrong current passwords just now: the name's delay (32 s) before the next try.
    with Workspace() as workspace, workspace._begin(write=True) as conn:
        for _ in range(7):
            audit.record(conn, "weibin", "login_failed", address="127.0.0.1")
    at = _change_password(at, PASSWORD, "tactile paving reaches the gate")
    (refused,) = _audit("login_throttled")
    assert 0 < refused["detail"]["wait_s"] <= 32
    assert [e.value for e in at.error] == [
        f"登录失败次数过多，请 {refused['detail']['wait_s']} 秒后再试。"
    ]


# --- the login route: the throttle's wait on the page, the address it counts -------------------


def _post_login(
    fields: dict[str, str], *, peer: str, forwarded_for: str | None = None, **headers: str
) -> tuple[int, dict[str, str]]:
    """
    A login form posted to the server's route from ``peer``: (status, headers).

    The route runs as Streamlit's server (uvicorn) has it: behind uvicorn's proxy handling,
    set from the environment (``FORWARDED_ALLOW_IPS``, which ``atlas serve`` sets).
    """
    config = uvicorn.Config(Starlette(routes=session.routes()))
    config.load()
    sent = [
        (b"host", b"atlas.test"),
        (b"origin", b"http://atlas.test"),
        (b"content-type", b"application/x-www-form-urlencoded"),
        *[(k.lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items()],
    ]
    if forwarded_for is not None:
        sent.append((b"x-forwarded-for", forwarded_for.encode()))
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/atlas/login", "raw_path": b"/atlas/login",
        "query_string": b"", "root_path": "", "headers": sent, "client": (peer, 50000),
        "server": ("atlas.test", 80),
    }  # fmt: skip
    body = urllib.parse.urlencode(fields).encode()
    answers: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        answers.append(message)

    # A thread of its own: a browser test's Playwright may hold this thread's event loop.
    served = threading.Thread(target=asyncio.run, args=(config.loaded_app(scope, receive, send),))
    served.start()
    served.join()
    start = next(m for m in answers if m["type"] == "http.response.start")
    said: dict[str, str] = {}
    for key, value in start["headers"]:
        said.setdefault(key.decode("latin-1"), value.decode("latin-1"))
    return start["status"], said


@pytest.fixture
def routes(team, monkeypatch):
    """The login route over the team's workspace, no X-Forwarded-For believed (atlas serve)."""
    monkeypatch.delenv("ATLAS_TRUSTED_PROXIES", raising=False)
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", auth.forwarded_allow_ips())  # as atlas serve does
    session._workspace.cache_clear()
    yield
    if session._workspace.cache_info().currsize:
        session._workspace().close()
    session._workspace.cache_clear()


def _audit(action: str) -> list[dict]:
    with Workspace() as workspace:
        boss = workspace.login("boss", PASSWORD, address="cli:test").account
        return workspace.audit_log(user=boss, action=action, limit=None).to_dict("records")


def test_the_login_route_says_nothing_of_the_account_and_logs_in(routes):
    wrong = {"account": "weibin", "password": "not the password", "next": "/account"}
    for fields in (wrong, wrong | {"account": "nobody"}):
        status, said = _post_login(fields, peer="203.0.113.7")
        assert (status, said["location"], "set-cookie" in said) == (
            303, "/account?login=wrong", False
        )  # fmt: skip
    status, said = _post_login(wrong | {"password": PASSWORD}, peer="203.0.113.7")
    assert (status, said["location"]) == (303, "/account")
    assert said["set-cookie"].startswith(f"{auth.COOKIE}=")


@pytest.mark.parametrize(
    ("failures", "zh", "en"),
    [
        (7, "登录失败次数过多，请 {s} 秒后再试。", "Too many failed logins: try again in {s} s."),
        (
            12,
            "登录失败次数过多，请 {m} 分钟后再试。",
            "Too many failed logins: try again in {m} min.",
        ),
    ],
)
def test_a_throttled_login_through_the_route_says_how_long_to_wait(routes, failures, zh, en):
    # Guesses at weibin from elsewhere just now: 32 s, then 15 min (the cap) before the next try.
    with Workspace() as workspace, workspace._begin(write=True) as conn:
        for _ in range(failures):
            audit.record(conn, "weibin", "login_failed", address="203.0.113.9")
    fields = {"account": "weibin", "password": PASSWORD, "next": "/account?ledger=jz%401"}
    status, said = _post_login(fields, peer="198.51.100.4")
    (refused,) = _audit("login_throttled")
    seconds = refused["detail"]["wait_s"]
    assert refused["address"] == "198.51.100.4"
    assert (seconds < 60) == (failures == 7) and 0 < seconds <= 900
    assert (status, said["location"]) == (
        303,
        f"/account?ledger=jz%401&login=throttled&seconds={seconds}",
    )
    assert "set-cookie" not in said
    # The page the route sends the browser back to says the wait, in either language.
    words = {"s": seconds, "m": -(-seconds // 60)}
    for lang, wording in (("zh", zh), ("en", en)):
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        for key, value in {"lang": lang, "login": "throttled", "seconds": str(seconds)}.items():
            at.query_params[key] = value
        assert [e.value for e in _run(at).error] == [wording.format(**words)]
        assert "seconds" not in at.query_params and "login" not in at.query_params  # said once
    if failures == 12:
        assert words["m"] == 15


def test_a_throttled_flash_without_a_wait_the_throttle_gives_says_later(team):
    # A hand-made link (?seconds= missing, or longer than any delay) names no wait.
    for seconds in (None, "100000", "²"):
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        at.query_params["login"] = "throttled"
        if seconds is not None:
            at.query_params["seconds"] = seconds
        assert [e.value for e in _run(at).error] == ["登录失败次数过多，请稍后再试。"]


@pytest.mark.parametrize("started_by", ["atlas serve", "streamlit run"])
def test_the_login_route_records_an_untrusted_peer_not_its_forwarded_for(
    routes, monkeypatch, started_by
):
    if started_by == "streamlit run":  # uvicorn's default believes the header from loopback
        monkeypatch.delenv("FORWARDED_ALLOW_IPS")
    wrong = {"password": "not the password", "next": "/"}
    for peer in ("127.0.0.1", "::1", "203.0.113.50"):
        for index in range(3):  # a rotating header makes no peer many addresses
            fields = wrong | {"account": f"guess-{peer}-{index}"}
            _post_login(fields, peer=peer, forwarded_for=f"6.6.{index}.{index}")
    addresses = [row["address"] for row in _audit("login_failed")]
    assert sorted(addresses) == ["127.0.0.1"] * 6 + ["203.0.113.50"] * 3
    # Nor is its X-Forwarded-Proto: the cookie is Secure only over HTTPS a trusted proxy saw.
    fields = {"account": "weibin", "password": PASSWORD, "next": "/"}
    status, said = _post_login(fields, peer="127.0.0.1", x_forwarded_proto="https")
    assert status == 303 and said["set-cookie"].startswith(f"{auth.COOKIE}=")
    if started_by == "atlas serve":
        assert "secure" not in said["set-cookie"].lower()


def test_the_login_route_believes_a_trusted_proxy(routes, monkeypatch):
    monkeypatch.setenv("ATLAS_TRUSTED_PROXIES", "10.0.0.5")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", auth.forwarded_allow_ips())  # as atlas serve does
    fields = {"account": "weibin", "password": PASSWORD, "next": "/"}
    # The proxy appends the client it saw; what the client wrote before it is not believed.
    status, said = _post_login(
        fields, peer="10.0.0.5", forwarded_for="6.6.6.6, 198.51.100.20", x_forwarded_proto="https"
    )
    assert status == 303
    assert "; secure" in said["set-cookie"].lower()  # behind the proxy's TLS
    assert [row["address"] for row in _audit("login") if row["actor"] == "weibin"][:1] == [
        "198.51.100.20"
    ]


def test_the_server_makes_the_unknown_name_hash_before_any_login(monkeypatch):
    """A login with an unknown name costs a verify, never a hash more, from the first one on."""
    from store import accounts

    monkeypatch.setattr(accounts, "_DUMMY_HASH", None)
    monkeypatch.delenv(session.ENV_MOUNTED, raising=False)
    session.routes()
    assert accounts._DUMMY_HASH is not None
    assert accounts._HASHER.verify(accounts._DUMMY_HASH, "atlas: no such account")
