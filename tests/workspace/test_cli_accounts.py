"""`atlas user`, `--user`, `atlas audit`, `atlas publish` and `atlas serve`, on both back ends."""

from __future__ import annotations

import json
from pathlib import Path

import argon2
import pandas as pd
import pytest

from cli import main
from store import LoginError, audit, auth

from .conftest import LEDGER

PASSWORD = "correct horse battery"


@pytest.fixture
def atlas(workspace, workspace_url, monkeypatch, capsys):
    """Run `atlas …` against the test workspace; returns (status, JSON lines, stderr)."""
    monkeypatch.setenv("ATLAS_DATABASE_URL", workspace_url)
    monkeypatch.setenv("ATLAS_NEW_PASSWORD", PASSWORD)
    monkeypatch.setenv("ATLAS_PASSWORD", PASSWORD)
    monkeypatch.setattr(
        "store.accounts._HASHER", argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )

    def run(*args: str):
        status = main(list(args))
        out, err = capsys.readouterr()
        return status, [json.loads(line) for line in out.splitlines()], err

    return run


def test_a_team_server_from_its_first_admin_to_a_district_save(atlas, monkeypatch):
    status, lines, _ = atlas("user", "add", "boss", "--role", "admin")
    assert (status, lines) == (
        0,
        [{"name": "boss", "role": "admin", "city": None, "districts": [], "disabled": False}],
    )
    status, lines, _ = atlas(
        "user", "add", "weibin", "--role", "district", "--city", "新乡",
        "--district", "卫滨区", "--user", "boss",
    )  # fmt: skip
    assert (status, lines[0]["city"], lines[0]["districts"]) == (0, "新乡市", ["410703"])
    status, lines, _ = atlas("user", "list", "--user", "boss")
    assert [a["name"] for a in lines] == ["boss", "weibin"]
    assert PASSWORD not in json.dumps(lines) and "argon2" not in json.dumps(lines)

    status, lines, _ = atlas(
        "ingest", str(LEDGER), "--crs", "gcj02", "--save", "--dataset", "xx", "--user", "weibin"
    )
    assert status == 0
    assert lines[0]["rows"] == 31 and lines[0]["version"] == 1
    status, lines, _ = atlas("history", "xx", "--user", "weibin")
    (version,) = lines
    assert version["saved_by"] == "weibin" and version["covers"] == ["410703"]
    assert version["rows"] == version["clean"] + version["quarantined"]
    assert version["by_reason"]["out_of_scope"] == 31 - 5 - version["clean"]

    status, lines, _ = atlas("audit", "--user", "boss", "--action", "save")
    assert [(a["actor"], a["target"], a["address"][:4]) for a in lines] == [
        ("weibin", "xx@1", "cli:")
    ]
    status, lines, _ = atlas("publish", "xx@1", "--user", "boss")
    assert lines == [{"published": True, "ref": "xx@1"}]
    status, lines, _ = atlas("user", "disable", "weibin", "--user", "boss")
    assert lines[0]["disabled"] is True
    status, _, err = atlas("datasets", "--user", "weibin")
    assert (status, err) == (2, "atlas datasets: Wrong name or password.\n")


def test_without_user_or_with_a_wrong_password_a_team_server_says_what_to_do(atlas, monkeypatch):
    atlas("user", "add", "boss", "--role", "admin")
    status, _, err = atlas("datasets")
    assert status == 2
    assert err == (
        "atlas datasets: This workspace has accounts (or ATLAS_AUTH=on): log in first. On the "
        "command line pass --user NAME (password from ATLAS_PASSWORD or the prompt).\n"
    )
    monkeypatch.setenv("ATLAS_PASSWORD", "not the password")
    status, _, err = atlas("datasets", "--user", "boss")
    assert (status, err) == (2, "atlas datasets: Wrong name or password.\n")
    status, _, err = atlas("datasets", "--user", "nobody")
    assert (status, err) == (2, "atlas datasets: Wrong name or password.\n")
    assert "not the password" not in err
    status, _, err = atlas("user", "add", "--role", "viewer", "--user", "boss")
    assert (status, err) == (2, "atlas user: Expected the account's NAME: atlas user add NAME.\n")


def test_a_password_change_from_the_command_line(atlas, monkeypatch):
    atlas("user", "add", "boss", "--role", "admin")
    monkeypatch.setenv("ATLAS_NEW_PASSWORD", "a brand new passphrase")
    status, lines, _ = atlas("user", "passwd", "boss", "--user", "boss")
    assert (status, lines[0]["name"]) == (0, "boss")
    status, _, _ = atlas("datasets", "--user", "boss")
    assert status == 2  # the old password no longer works
    monkeypatch.setenv("ATLAS_PASSWORD", "a brand new passphrase")
    assert atlas("datasets", "--user", "boss")[0] == 0


def test_a_clerk_changes_its_own_password_and_hears_just_that(atlas, monkeypatch):
    atlas("user", "add", "boss", "--role", "admin")
    atlas(
        "user", "add", "weibin", "--role", "district", "--city", "新乡", "--district", "卫滨区",
        "--user", "boss",
    )  # fmt: skip
    monkeypatch.setenv("ATLAS_NEW_PASSWORD", "aaaaaaaaaa")
    status, lines, err = atlas("user", "passwd", "weibin", "--user", "weibin")
    assert (status, lines) == (2, [])
    assert err.startswith("atlas user: Expected a password that is hard to guess;")
    monkeypatch.setenv("ATLAS_NEW_PASSWORD", "a brand new passphrase")
    status, lines, err = atlas("user", "passwd", "weibin", "--user", "weibin")
    # Before: exit 2, "Only an admin may list accounts", although the password was changed.
    assert (status, err) == (0, "")
    assert lines == [
        {
            "name": "weibin", "role": "district", "city": "新乡市", "districts": ["410703"],
            "disabled": False, "password_changed": True,
        }
    ]  # fmt: skip
    assert atlas("datasets", "--user", "weibin")[0] == 2  # the old password no longer works
    monkeypatch.setenv("ATLAS_PASSWORD", "a brand new passphrase")
    assert atlas("datasets", "--user", "weibin")[0] == 0
    status, _, err = atlas("user", "passwd", "boss", "--user", "weibin")
    assert (status, err) == (
        2,
        "atlas user: Only an admin may change another account's password; 'weibin' is a "
        "district.\n",
    )


@pytest.mark.parametrize("ref", ["xx@99999999999999999999", "xx@²", "xx@0"])
def test_a_malformed_reference_is_refused_on_the_command_line(atlas, ref):
    status, _, err = atlas("publish", ref)
    assert status == 2
    assert err.startswith("atlas publish: Expected NAME or NAME@VERSION (e.g. xinxiang@3, a ")
    assert "internal error" not in err


def test_serve_refuses_to_start_open_on_a_non_loopback_address(atlas, monkeypatch):
    monkeypatch.delenv("ATLAS_AUTH", raising=False)
    started = []
    monkeypatch.setattr("subprocess.call", lambda command, env: started.append(command) or 0)
    status, _, err = atlas("serve", "--address", "0.0.0.0")
    assert status == 2 and started == []
    assert err.startswith(
        "atlas serve: Refusing to serve on 0.0.0.0 without logins: anyone who reaches it would "
        "read and change the workspace."
    )
    assert "set ATLAS_AUTH=on and ATLAS_SECRET_KEY" in err
    assert atlas("serve", "--address", "127.0.0.1", "--port", "8600")[0] == 0
    assert started[0][-7:-3] == ["127.0.0.1", "--server.port", "8600", "--server.headless"]
    assert Path(started[0][4]).name == "server.py"  # the app with the routes that log in


def test_serve_passes_the_trusted_proxies_to_streamlits_server(atlas, monkeypatch):
    started = []
    monkeypatch.setattr("subprocess.call", lambda command, env: started.append(env) or 0)
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "*")  # uvicorn's own setting: replaced, not kept
    monkeypatch.delenv("ATLAS_TRUSTED_PROXIES", raising=False)
    assert atlas("serve")[0] == 0
    monkeypatch.setenv("ATLAS_TRUSTED_PROXIES", "127.0.0.1 10.1.0.0/16")
    assert atlas("serve")[0] == 0
    assert [env["FORWARDED_ALLOW_IPS"] for env in started] == ["", "127.0.0.1/32,10.1.0.0/16"]
    monkeypatch.setenv("ATLAS_TRUSTED_PROXIES", "nginx")
    status, _, err = atlas("serve")
    assert (status, len(started)) == (2, 2)
    assert err.startswith("atlas serve: Expected ATLAS_TRUSTED_PROXIES to list the addresses")


def test_guesses_on_the_web_do_not_lock_the_admin_out_of_the_command_line(
    atlas, workspace, monkeypatch
):
    atlas("user", "add", "boss", "--role", "admin")
    atlas("user", "add", "weibin", "--role", "viewer", "--user", "boss")
    for index in range(3):  # someone guessing on the web, from many addresses
        for name in ("boss", "weibin"):
            with pytest.raises(LoginError):
                workspace.login(name, "wrong password!", address=f"203.0.113.{index}")
    with workspace._begin(write=True) as conn:  # and, as those left it, 12 more just now
        for index in range(12):
            for name in ("boss", "weibin"):
                audit.record(conn, name, "login_failed", address=f"203.0.114.{index}")
    status, lines, _ = atlas("user", "list", "--user", "boss")
    assert (status, len(lines)) == (0, 2)
    with pytest.raises(auth.Throttled):
        workspace.login("weibin", PASSWORD, address="198.51.100.7")
    # The admin starts weibin's count again: weibin logs in on the web at once.
    status, lines, _ = atlas("user", "unlock", "weibin", "--user", "boss")
    assert (status, lines[0]["name"]) == (0, "weibin")
    assert workspace.login("weibin", PASSWORD, address="198.51.100.7").account.name == "weibin"
    status, _, err = atlas("user", "unlock", "boss", "--user", "weibin")
    assert (status, err) == (
        2,
        "atlas user: Only an admin may unlock accounts; 'weibin' is a viewer.\n",
    )


def test_a_district_save_prints_and_reports_what_its_version_holds(atlas, tmp_path):
    atlas("user", "add", "boss", "--role", "admin")
    atlas(
        "user", "add", "weibin", "--role", "district", "--city", "新乡",
        "--district", "卫滨区", "--user", "boss",
    )  # fmt: skip
    report = tmp_path / "quarantine.csv"
    status, lines, _ = atlas(
        "ingest", str(LEDGER), "--crs", "gcj02", "--save", "--dataset", "xx",
        "--user", "weibin", "--report", str(report),
    )  # fmt: skip
    # Not the file's 26 clean rows: the 8 of 卫滨区, and the 18 others refused by the save.
    assert status == 0
    assert lines == [
        {
            "rows": 31,
            "clean": 8,
            "quarantined": 23,
            "by_reason": {
                "approximate_number": 1,
                "duplicate_conflict": 2,
                "out_of_scope": 18,
                "swapped_lon_lat": 1,
                "total_row": 1,
            },
            "dataset": "xx",
            "version": 1,
        }
    ]
    written = pd.read_csv(report, dtype=str)
    assert len(written) == 23 and (written["reason"] == "out_of_scope").sum() == 18
    status, history, _ = atlas("history", "xx", "--user", "weibin")
    assert (history[0]["clean"], history[0]["quarantined"]) == (8, 23)


def test_a_save_with_no_clean_row_is_refused_on_the_command_line(atlas, tmp_path):
    atlas("user", "add", "boss", "--role", "admin")
    atlas("user", "add", "jz", "--role", "city", "--city", "焦作市", "--user", "boss")
    status, lines, err = atlas(
        "ingest", str(LEDGER), "--crs", "gcj02", "--save", "--dataset", "xx", "--user", "jz"
    )
    assert (status, lines) == (2, [])
    assert err.startswith("atlas ingest: Expected at least one clean row to save; all 31 rows ")
    assert atlas("datasets", "--user", "boss")[1] == []


def test_a_new_password_without_a_terminal_says_how_to_give_it(atlas, monkeypatch):
    monkeypatch.delenv("ATLAS_NEW_PASSWORD")

    def no_terminal(prompt: str = "") -> str:
        raise EOFError  # what getpass does with no terminal and nothing on standard input

    monkeypatch.setattr("getpass.getpass", no_terminal)
    status, lines, err = atlas("user", "add", "boss", "--role", "admin")
    assert (status, lines) == (2, [])
    assert err == (
        "atlas user: Expected the new password for 'boss' from $ATLAS_NEW_PASSWORD or typed at "
        "a terminal; got neither (no terminal, and the standard input is empty). Set "
        "ATLAS_NEW_PASSWORD in the environment of the command, or run it in a terminal.\n"
    )
