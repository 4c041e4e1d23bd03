"""Tests for bench/pages.py: its opens run on a small workspace and report every page's shape."""

from __future__ import annotations

from store import Workspace
from store.accounts import local_account
from tests._reports import LEDGER, example_ledger
from tests.conftest import REPO


def test_each_page_is_opened_first_and_again_and_reported_with_its_tables(monkeypatch):
    # The bench opens app.py from the current directory, as it does from the tree's root.
    monkeypatch.chdir(REPO)
    with Workspace() as workspace:
        workspace.save_ledger(
            example_ledger(), name="xinxiang", data=LEDGER.read_bytes(), file_name=LEDGER.name,
            datum="gcj02", user=local_account(),
        )  # fmt: skip
    from bench import pages

    found = pages.main(["--pages", "ledger,quality", "--lang", "zh", "--repeat", "1", "--warm", ""])
    assert found["warm"] is None and list(found["pages"]) == ["ledger-zh", "quality-zh"]
    for name, timed in found["pages"].items():
        opens = [timed["first"], *timed["next"]]
        assert len(opens) == 2, name
        for opened in opens:
            # Each open ran the page without an error, was timed, and counted what it showed.
            assert opened["exceptions"] == [], (name, opened)
            assert opened["seconds"] > 0 and opened["cpu_s"] > 0 and opened["load"] >= 0
            assert opened["table_rows"] and all(rows > 0 for rows in opened["table_rows"])
            assert opened["table_bytes"] > 0, (name, opened)
