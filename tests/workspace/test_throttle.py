"""
Failed logins on both back ends (store/throttle.py): delays that grow per name, address and
both, never a lock an attacker holds; known addresses and the command line as ways in; the
spray gate; X-Forwarded-For believed from trusted proxies only; counting and checking as one
step under 24 parallel guesses; the bound on argon2 hashes in flight.

The workspace's clock is moved by hand: no test sleeps through a delay.
"""

from __future__ import annotations

import asyncio
import datetime
import threading

import argon2
import pytest
import uvicorn

from store import LoginError, StoreError, Workspace, accounts, audit, auth, throttle

PASSWORD = "correct horse battery"
POLICY = throttle.POLICY
DESK = "10.0.0.1"  # where boss logged in before: a known address for boss


class Clock:
    """The time a workspace judges logins at; ``advance`` moves it."""

    def __init__(self) -> None:
        self.at = audit.now()

    def __call__(self) -> datetime.datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += datetime.timedelta(seconds=seconds)


@pytest.fixture
def clock(workspace) -> Clock:
    workspace.clock = Clock()
    return workspace.clock


@pytest.fixture
def team(workspace, clock, monkeypatch):
    """boss (admin, logged in from DESK) and weibin (never logged in); cheap argon2."""
    cheap = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr("store.accounts._HASHER", cheap)
    # What a name that is no account is checked against, at the same cheap cost.
    monkeypatch.setattr("store.accounts._DUMMY_HASH", cheap.hash("no such account"))
    workspace.add_account("boss", role="admin", password=PASSWORD)
    boss = workspace.login("boss", PASSWORD, address=DESK).account
    workspace.add_account(
        "weibin", role="district", city="新乡市", districts=["卫滨区"], password=PASSWORD,
        user=boss,
    )  # fmt: skip
    return boss


def _try(workspace, name: str, password: str, address: str | None) -> str | int:
    """ "ok", "wrong", or the seconds a throttled attempt was told to wait."""
    try:
        workspace.login(name, password, address=address)
    except auth.Throttled as exc:
        return exc.seconds
    except LoginError:
        return "wrong"
    return "ok"


def _checked(workspace, boss) -> int:
    """Passwords checked so far and refused: the audit's failed logins."""
    return len(workspace.audit_log(user=boss, action="login_failed", limit=None))


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (2, 0), (3, 2), (4, 4), (5, 8), (11, 512), (12, 900), (10_000, 900)],
)
def test_a_delay_doubles_after_the_free_failures_up_to_its_cap(failures, seconds):
    assert POLICY.name.after(failures).total_seconds() == seconds


def _guess(workspace, clock: Clock, name: str, address: str, times: int = 1) -> list[int]:
    """``times`` wrong passwords checked, each as soon as its delay has passed: the waits."""
    waits = []
    while times:
        outcome = _try(workspace, name, "wrong password!", address)
        if outcome == "wrong":
            times -= 1
        else:
            waits.append(outcome)
            clock.advance(outcome)
    return waits


def test_others_cannot_lock_the_admin_out(workspace, team, clock):
    # An attacker guesses boss's password from one address, each time its delay ends.
    waits = _guess(workspace, clock, "boss", "203.0.113.66", times=40)
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 512] + [900] * 28  # a delay, never a lock
    # Right after a guess: from an address boss never used, the name's delay.
    assert _try(workspace, "boss", PASSWORD, "198.51.100.7") == 900
    # At his own desk and on the server's command line, boss logs in at once.
    assert _try(workspace, "boss", PASSWORD, "cli:atlas-server") == "ok"
    assert _try(workspace, "boss", PASSWORD, DESK) == "ok"
    # His logins do not free the attacker's address (its own count for the name)...
    assert _try(workspace, "boss", "wrong password!", "203.0.113.66") == 900
    # ...and from a new address, the right password logs in once the delay has passed.
    assert _guess(workspace, clock, "boss", "203.0.113.67", times=4) == [2]
    assert _try(workspace, "boss", PASSWORD, "198.51.100.8") == 4
    clock.advance(4)
    assert _try(workspace, "boss", PASSWORD, "198.51.100.8") == "ok"


def test_an_attacker_behind_the_bureaus_proxy_does_not_lock_out_the_bureau(workspace, team, clock):
    # Every browser behind an unlisted proxy is 127.0.0.1; weibin has logged in through it.
    assert workspace.login("weibin", PASSWORD, address="127.0.0.1")
    for index in range(30):
        _try(workspace, f"guess-{index}", "wrong password!", "127.0.0.1")
        clock.advance(1)
    assert _try(workspace, "weibin", PASSWORD, "127.0.0.1") == "ok"
    # boss never logged in through it: he waits for the address's delay, then gets in.
    left = _try(workspace, "boss", PASSWORD, "127.0.0.1")
    assert isinstance(left, int) and left > 0
    clock.advance(left)
    assert _try(workspace, "boss", PASSWORD, "127.0.0.1") == "ok"


def test_spraying_four_names_from_twenty_addresses_is_slowed(workspace, team, clock):
    names = ["boss", "weibin", "nobody", "xinxiang"]  # two accounts, two names that are none
    outcomes = [
        _try(workspace, names[index % 4], "wrong password!", f"198.51.100.{index}")
        for index in range(20)
    ]
    assert outcomes.count("wrong") == 4 * POLICY.name.free
    assert _checked(workspace, team) == 12
    assert {o for o in outcomes if o != "wrong"} == {2}  # seconds, the same for every name
    clock.advance(2)
    assert _try(workspace, "nobody", "wrong password!", "198.51.100.99") == "wrong"
    assert _try(workspace, "nobody", "wrong password!", "198.51.100.98") == 4


def test_a_wide_spray_meets_the_spray_gate_and_spares_known_addresses(workspace, team, clock):
    outcomes = [
        _try(workspace, f"clerk{index}", "wrong password!", f"198.51.100.{index}")
        for index in range(30)
    ]
    assert outcomes.count("wrong") == POLICY.spray.free == 10
    assert set(outcomes[10:]) == {1}
    assert _try(workspace, "boss", PASSWORD, DESK) == "ok"  # at his desk, during the spray
    clock.advance(1)
    assert _try(workspace, "clerk99", "wrong password!", "198.51.100.99") == "wrong"
    assert _try(workspace, "clerk98", "wrong password!", "198.51.100.98") == 2


def test_unlock_starts_a_names_count_again(workspace, team, clock):
    for index in range(POLICY.name.free):
        _try(workspace, "weibin", "wrong password!", f"203.0.113.{index}")
    assert _try(workspace, "weibin", PASSWORD, "198.51.100.7") == 2
    assert workspace.unlock_account("weibin", user=team).name == "weibin"
    assert _try(workspace, "weibin", PASSWORD, "198.51.100.7") == "ok"
    with pytest.raises(StoreError) as unknown:
        workspace.unlock_account("nobody", user=team)
    assert str(unknown.value) == "No account 'nobody'; the accounts are: boss, weibin."
    weibin = workspace.login("weibin", PASSWORD, address="198.51.100.7").account
    with pytest.raises(StoreError) as refused:
        workspace.unlock_account("boss", user=weibin)
    assert str(refused.value) == "Only an admin may unlock accounts; 'weibin' is a district."
    (row,) = workspace.audit_log(user=team, action="account_unlock").to_dict("records")
    assert (row["actor"], row["target"]) == ("boss", "weibin")


def test_a_throttled_attempt_is_recorded_and_counts_toward_nothing(workspace, team, clock):
    for _ in range(POLICY.name.free):
        _try(workspace, "nobody", "wrong password!", "203.0.113.9")
    for _ in range(50):  # hammering during the delay
        assert _try(workspace, "nobody", "wrong password!", "203.0.113.9") == 2
    clock.advance(2)
    assert _try(workspace, "nobody", "wrong password!", "203.0.113.9") == "wrong"
    assert _try(workspace, "nobody", "wrong password!", "203.0.113.9") == 4  # not 2 ** 50
    log = workspace.audit_log(user=team, actor="nobody", limit=None)
    assert log["action"].value_counts().to_dict() == {"login_throttled": 51, "login_failed": 4}
    assert log["detail"].iloc[0] == {"wait_s": 4}


def test_failures_older_than_the_window_are_forgotten(workspace, team, clock):
    assert _guess(workspace, clock, "boss", DESK, times=8) == [2, 4, 8]
    assert _try(workspace, "boss", PASSWORD, DESK) == 16
    clock.advance(POLICY.window.total_seconds() + 1)
    assert _guess(workspace, clock, "boss", DESK, times=5) == []
    assert _try(workspace, "boss", PASSWORD, DESK) == 2


def test_another_server_process_sees_the_count(workspace, workspace_url, team, clock):
    for _ in range(POLICY.name.free):
        _try(workspace, "weibin", "wrong password!", "203.0.113.1")
        _try(workspace, "nobody", "wrong password!", "203.0.113.2")
    with Workspace(workspace_url) as other:
        other.clock = clock
        with pytest.raises(auth.Throttled) as caught:
            other.login("weibin", PASSWORD, address="203.0.113.3")
        with pytest.raises(auth.Throttled) as missing:
            other.login("nobody", PASSWORD, address="203.0.113.4")
    # A name that is no account: the same delay, in the same words.
    assert (
        str(caught.value)
        == str(missing.value)
        == ("Too many failed logins for this name or from this address: try again in 2 s.")
    )


# --- where a request comes from: uvicorn's proxy handling, as Streamlit's server has it ----------


def _served_address(peer: str, forwarded_for: str | None) -> str:
    """The address the login gate records for a connection from ``peer``."""
    seen = {}

    async def app(scope, receive, send) -> None:
        seen["client"] = scope["client"][0]

    config = uvicorn.Config(app)  # as Streamlit builds it: proxy handling from the environment
    config.load()
    headers = [(b"x-forwarded-for", forwarded_for.encode())] if forwarded_for else []
    scope = {"type": "websocket", "client": (peer, 50000), "headers": headers, "scheme": "ws"}
    # A thread of its own: a browser test's Playwright may hold this thread's event loop.
    served = threading.Thread(target=asyncio.run, args=(config.loaded_app(scope, None, None),))
    served.start()
    served.join()
    client = seen["client"]  # Streamlit's st.context.ip_address is None for loopback
    return auth.client_address(None if client in ("127.0.0.1", "::1") else client, forwarded_for)


@pytest.mark.parametrize("started_by", ["atlas serve", "streamlit run"])
def test_a_rotating_forwarded_for_from_an_untrusted_peer_is_one_address(
    workspace, team, clock, monkeypatch, started_by
):
    monkeypatch.delenv("ATLAS_TRUSTED_PROXIES", raising=False)
    if started_by == "atlas serve":
        monkeypatch.setenv("FORWARDED_ALLOW_IPS", auth.forwarded_allow_ips())
    else:  # uvicorn's default believes the header from loopback
        monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    for peer in ("127.0.0.1", "203.0.113.50"):
        addresses = {_served_address(peer, f"6.6.{i}.{i}") for i in range(25)}
        assert addresses == {peer}
    outcomes = [
        _try(workspace, f"guess-{i}", "wrong password!", _served_address("127.0.0.1", f"6.6.{i}.1"))
        for i in range(25)
    ]
    assert outcomes.count("wrong") == POLICY.spray.free
    failed = workspace.audit_log(user=team, action="login_failed", limit=None)
    assert set(failed["address"]) == {"127.0.0.1"}


def test_forwarded_for_from_a_trusted_proxy_names_the_client(workspace, team, clock, monkeypatch):
    monkeypatch.setenv("ATLAS_TRUSTED_PROXIES", "10.0.0.5, 192.168.7.0/24")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", auth.forwarded_allow_ips())  # as atlas serve does
    assert auth.forwarded_allow_ips() == "10.0.0.5/32,192.168.7.0/24"
    # The proxy appends the client it saw; what the client wrote before it is not believed.
    assert _served_address("10.0.0.5", "6.6.6.6, 198.51.100.20") == "198.51.100.20"
    assert _served_address("192.168.7.9", "198.51.100.21") == "198.51.100.21"
    assert _served_address("203.0.113.5", "198.51.100.20") == "203.0.113.5"  # not a proxy
    # Text that is no address, or another spelling of one, from a proxy's header.
    assert _served_address("10.0.0.5", "cli:atlas-server") == "10.0.0.5/32,192.168.7.0/24"
    assert _served_address("10.0.0.5", "::FFFF:198.51.100.20") == "198.51.100.20"
    assert _served_address("10.0.0.5", "2001:DB8:0::1") == "2001:db8::1"
    attacker = _served_address("10.0.0.5", "6.6.6.6, 198.51.100.66")
    for index in range(27):
        _guess(workspace, clock, f"guess-{index}", attacker)
    assert _try(workspace, "weibin", PASSWORD, attacker) == 256  # the address's 27 failures
    # weibin behind the same proxy, from his own machine, logging in there for the first time:
    # not the attacker's address, so only the spray gate of new addresses (a minute at most).
    owner = _served_address("10.0.0.5", "198.51.100.20")
    left = _try(workspace, "weibin", PASSWORD, owner)
    assert isinstance(left, int) and left <= POLICY.spray.cap.total_seconds()
    clock.advance(left)
    assert _try(workspace, "weibin", PASSWORD, owner) == "ok"


def test_a_malformed_trusted_proxies_setting_is_refused(monkeypatch):
    monkeypatch.setenv("ATLAS_TRUSTED_PROXIES", "10.0.0.5,proxy.bureau,10.0.0.0/33")
    with pytest.raises(StoreError) as caught:
        auth.forwarded_allow_ips()
    assert str(caught.value) == (
        "Expected ATLAS_TRUSTED_PROXIES to list the addresses or networks of the reverse "
        "proxies in front of atlas (e.g. 127.0.0.1/32,10.0.0.0/24); got 'proxy.bureau', "
        "'10.0.0.0/33'. Fix it, or unset it when no proxy stands in front (then no "
        "X-Forwarded-For header is believed)."
    )


# --- counting and checking in one step; hashes in flight ------------------------------------


def _at_once(task, count: int) -> None:
    start = threading.Barrier(count)

    def run(index: int) -> None:
        start.wait()
        task(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.parametrize(
    ("where", "allowed"),
    [("one new address", POLICY.name.free), ("24 addresses", POLICY.name.free),
     ("the known address", POLICY.pair.free)],
)  # fmt: skip
def test_24_parallel_guesses_check_no_more_passwords_than_the_policy_allows(
    workspace, team, where, allowed
):
    def address(index: int) -> str:
        return {"one new address": "203.0.113.7", "24 addresses": f"203.0.113.{index}"}.get(
            where, DESK
        )

    outcomes = []
    _at_once(lambda i: outcomes.append(_try(workspace, "boss", "wrong", address(i))), 24)
    assert _checked(workspace, team) == allowed
    assert outcomes.count("wrong") == allowed and len(outcomes) == 24


def test_hashes_in_flight_are_bounded(monkeypatch):
    active, peak, guard, release = [0], [0], threading.Lock(), threading.Event()

    class Watched:
        """A hasher that counts how many of its calls run at once and waits to be released."""

        def verify(self, stored: str, password: str) -> bool:
            with guard:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            release.wait(timeout=30)
            with guard:
                active[0] -= 1
            return False

    monkeypatch.setattr("store.accounts._HASHER", Watched())
    for setting, bound in ((None, 2), ("3", 3)):
        if setting:
            monkeypatch.setenv("ATLAS_HASHES_IN_FLIGHT", setting)
        accounts.hashes_in_flight.cache_clear()
        peak[0] = 0
        release.clear()
        threads = [
            threading.Thread(target=accounts.verify_password, args=("$argon2id$x", "guess"))
            for _ in range(12)
        ]
        for thread in threads:
            thread.start()
        for _ in range(3000):  # until the bound's worth run (at most 30 s)
            if peak[0] >= bound:
                break
            threading.Event().wait(0.01)
        threading.Event().wait(0.3)  # room for a call beyond the bound to start, if one could
        assert (peak[0], active[0]) == (bound, bound)
        release.set()
        for thread in threads:
            thread.join()
    accounts.hashes_in_flight.cache_clear()


@pytest.mark.parametrize("setting", ["0", "two", "-1", "100"])
def test_a_bad_hashes_in_flight_setting_is_refused(setting, monkeypatch):
    monkeypatch.setenv("ATLAS_HASHES_IN_FLIGHT", setting)
    accounts.hashes_in_flight.cache_clear()
    with pytest.raises(StoreError, match=r"Expected ATLAS_HASHES_IN_FLIGHT to be how many .* got"):
        accounts.verify_password(None, "guess")
    monkeypatch.delenv("ATLAS_HASHES_IN_FLIGHT")
    accounts.hashes_in_flight.cache_clear()
