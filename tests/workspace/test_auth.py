"""
Logins on both back ends: one message whether or not the account exists, sessions that end,
cookies that refuse tampering, and the server that will not start open. Throttling is in
test_throttle.py.
"""

from __future__ import annotations

import base64
import time

import argon2
import pytest

from store import LoginError, StoreError, audit, auth

PASSWORD = "correct horse battery"
KEY = "k" * 40


@pytest.fixture
def accounts(workspace, monkeypatch):
    """An admin and a district clerk (cheap argon2 parameters: many logins here)."""
    monkeypatch.setattr(
        "store.accounts._HASHER", argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    workspace.add_account("admin", role="admin", password=PASSWORD)
    admin = workspace.login("admin", PASSWORD).account
    workspace.add_account(
        "weibin", role="district", city="新乡市", districts=["卫滨区"], password=PASSWORD,
        user=admin,
    )  # fmt: skip
    return admin


def _fail(workspace, name, address, times):
    for _ in range(times):
        with pytest.raises(LoginError) as caught:
            workspace.login(name, "wrong password!", address=address)
    return str(caught.value)


def test_a_wrong_password_and_a_missing_account_read_the_same(workspace, accounts):
    wrong = _fail(workspace, "weibin", "10.0.0.1", 1)
    missing = _fail(workspace, "nobody", "10.0.0.1", 1)
    assert wrong == missing == "Wrong name or password."
    workspace.disable_account("weibin", user=accounts)
    with pytest.raises(LoginError) as caught:
        workspace.login("weibin", PASSWORD, address="10.0.0.1")
    assert str(caught.value) == wrong  # disabled: the same words


def test_logout_password_change_and_disabling_end_sessions(workspace, accounts):
    first = workspace.login("weibin", PASSWORD, address="10.0.0.1")
    second = workspace.login("weibin", PASSWORD, address="10.0.0.2")
    assert workspace.session(first.token).name == "weibin"
    workspace.logout(first.token, address="10.0.0.1")
    assert workspace.session(first.token) is None
    assert workspace.session(second.token).name == "weibin"
    workspace.set_password("weibin", "another long password", user=accounts)
    assert workspace.session(second.token) is None
    third = workspace.login("weibin", "another long password")
    workspace.disable_account("weibin", user=accounts)
    assert workspace.session(third.token) is None
    assert workspace.session("made-up-token") is None
    actions = workspace.audit_log(user=accounts)["action"].tolist()
    assert actions[:3] == ["account_disable", "login", "account_password"]
    assert "logout" in actions


def test_an_expired_session_is_refused(workspace, accounts, monkeypatch):
    monkeypatch.setenv("ATLAS_SESSION_HOURS", "0")
    done = workspace.login("weibin", PASSWORD)
    assert done.expires_at <= audit.now()
    assert workspace.session(done.token) is None


def test_cookies_are_signed_and_a_tampered_one_is_refused(monkeypatch):
    monkeypatch.setenv("ATLAS_SECRET_KEY", KEY)
    cookie = auth.make_cookie("the-token")
    assert auth.read_cookie(cookie) == "the-token"
    payload, stamp, signature = cookie.split(".")  # base64 JSON, timestamp, HMAC
    # The first character of the signature: every one of its six bits is signed (the last
    # character's two low bits are base64 padding, so flipping A to B there changed nothing).
    flipped = ".".join([payload, stamp, ("A" if signature[0] != "A" else "B") + signature[1:]])
    # Another token under the first one's timestamp and signature.
    other = base64.urlsafe_b64encode(b'"admin-token"').decode().rstrip("=")
    swapped = ".".join([other, stamp, signature])
    forged = auth.make_cookie("another-token", key="x" * 40)
    for bad in (flipped, swapped, forged, "", None, "garbage", "a.b.c"):
        assert auth.read_cookie(bad) is None
    monkeypatch.setenv("ATLAS_SECRET_KEY", "y" * 40)
    assert auth.read_cookie(cookie) is None  # another server key


def test_an_old_cookie_is_refused(monkeypatch):
    monkeypatch.setenv("ATLAS_SECRET_KEY", KEY)
    cookie = auth.make_cookie("the-token")
    monkeypatch.setenv("ATLAS_SESSION_HOURS", "0.0001")  # 0.36 s, read as whole seconds: 0
    time.sleep(1.1)
    assert auth.read_cookie(cookie) is None


def test_the_signing_key_must_be_set_and_long(monkeypatch):
    monkeypatch.delenv("ATLAS_SECRET_KEY", raising=False)
    with pytest.raises(StoreError, match=r"Expected ATLAS_SECRET_KEY .* it is unset"):
        auth.make_cookie("t")
    monkeypatch.setenv("ATLAS_SECRET_KEY", "short")
    with pytest.raises(StoreError, match="too short"):
        auth.read_cookie("t")


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("", False),
        (None, False),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("atlas.example.gov.cn", False),
    ],
)
def test_a_server_off_loopback_needs_atlas_auth(address, loopback, monkeypatch):
    monkeypatch.delenv("ATLAS_AUTH", raising=False)
    assert auth.is_loopback(address) is loopback
    if loopback:
        auth.check_server_address(address)
    else:
        with pytest.raises(StoreError, match=r"Refusing to serve on .* set ATLAS_AUTH=on"):
            auth.check_server_address(address)
    monkeypatch.setenv("ATLAS_AUTH", "on")
    auth.check_server_address(address)
