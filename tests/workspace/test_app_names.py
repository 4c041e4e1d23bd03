"""
AppTests, on both back ends: every page that shows a user value (dataset, file and account
names, notes, values from the address) writes it as text wherever Streamlit reads Markdown
(st.markdown, captions, alerts, titles, metric and widget labels, help): no link, image,
autolink or emphasis from a user reaches another user's page. The browser proves the same,
request by request, in tests/e2e/test_session_browser.py.
"""

from __future__ import annotations

import re

import argon2
import pytest
from streamlit.testing.v1 import AppTest

from geo import records
from store import Workspace
from tests._pages import open_page

from .conftest import APP, APP_TIMEOUT, LEDGER

PASSWORD = "correct horse battery"
#: Dataset names a district account could choose for the admin's own pages to show.
HOSTILE_DATASETS = (
    "[请点此重新登录](https:evil.example)",
    "![t](https:evil.example)",
    "<https:evil.example>",
    "www.evil.example",
    "**bold**_it_",
)
HOSTILE_FILE = "![f](https:evil.example/f.png).csv"
HOSTILE_NOTE = "[note](https:evil.example/n)"
ACCOUNT = "**bold**_it_"
PAGES = [
    "map",
    "compare",
    "quality",
    "export",
    "report",
    "ledger",
    "accessibility",
    "reach",
    "figures",
    "history",
    "account",
]
# Protobuf messages whose text Streamlit shows as it is (never as Markdown).
_PLAIN = {"Json", "Html", "Text", "Code", "Arrow", "Exception"}
# A link, an image or an autolink: the pages write none, so only a user value could (its
# escaped form has a backslash before each bracket). Emphasis is checked by the raw values.
_SYNTAX = re.compile(r"(?<!\\)\]\(|(?<!\\)!\[|(?<!\\)<https?:")


def _markdown_texts(message) -> list[str]:
    """The strings of ``message`` (a protobuf) that Streamlit renders as Markdown."""
    if message.DESCRIPTOR.name in _PLAIN:
        return []
    found = []
    for field, value in message.ListFields():
        if field.message_type is not None:
            items = value if field.is_repeated else [value]
            found += [text for item in items for text in _markdown_texts(item)]
        elif field.name in ("body", "label", "help") or (
            field.name == "options" and message.DESCRIPTOR.name == "Radio"
        ):
            found += list(value) if field.is_repeated else [value]
    return found


def page_markdown(at: AppTest) -> list[str]:
    """Every Markdown text of the page and its sidebar, from the app's element tree."""
    texts: list[str] = []

    def visit(node) -> None:
        if getattr(node, "proto", None) is not None:
            texts.extend(_markdown_texts(node.proto))
        for child in getattr(node, "children", {}).values():
            visit(child)

    visit(at._tree)
    return texts


def assert_text_only(at: AppTest) -> None:
    texts = page_markdown(at)
    assert texts, "no Markdown read from the page"
    raw = [*HOSTILE_DATASETS, HOSTILE_FILE, HOSTILE_NOTE, ACCOUNT]
    for text in texts:
        assert not _SYNTAX.search(text), text
        assert not any(value in text for value in raw), text


def test_the_checker_finds_markdown_from_a_user_value():
    from layers._html import esc_md

    for name in (*HOSTILE_DATASETS, HOSTILE_FILE):
        assert _SYNTAX.search(f"数据来源：{name}") or name in ("www.evil.example", ACCOUNT)
        assert not _SYNTAX.search(f"数据来源：{esc_md(name)}"), esc_md(name)
        assert name not in esc_md(name)
    assert not _SYNTAX.search("**卫滨区 · 城市合计**")  # the page's own bold heading


@pytest.fixture
def hostile(app_backend, monkeypatch):
    """A workspace holding the hostile names, saved by the city account ``**bold**_it_``."""
    monkeypatch.setattr(
        "store.accounts._HASHER", argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    with Workspace() as workspace:
        workspace.add_account("boss", role="admin", password=PASSWORD)
        boss = workspace.login("boss", PASSWORD).account
        workspace.add_account(ACCOUNT, role="city", city="新乡市", password=PASSWORD, user=boss)
        clerk = workspace.login(ACCOUNT, PASSWORD)
        ledger = records.read_ledger(LEDGER, crs_name="gcj02")
        for name in HOSTILE_DATASETS:
            workspace.save_ledger(
                ledger, name=name, user=clerk.account, data=LEDGER.read_bytes(),
                file_name=HOSTILE_FILE, note=HOSTILE_NOTE,
            )  # fmt: skip
    monkeypatch.setenv("ATLAS_AUTH", "on")
    monkeypatch.setenv("ATLAS_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("ATLAS_SESSION_ROUTES", "1")  # as server.py mounts them
    return clerk.token


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_user_values_as_text(hostile, page):
    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    at.session_state["session_token"] = hostile  # logged in as **bold**_it_
    at.query_params["ledger"] = f"{HOSTILE_DATASETS[0]}@1"
    at.query_params["dataset"] = HOSTILE_DATASETS[1]
    # Values from a link that are no choice of the page are named in a warning.
    at.query_params["city"] = "[城市](https:evil.example/c)"
    at.query_params["district"] = "![区](https:evil.example/d)"
    open_page(at, page).run()
    assert not at.exception, at.exception
    assert_text_only(at)
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert "当前账户：\\*\\*bold\\*\\*\\_it\\_（市级，新乡市）" in sidebar


def test_the_reports_page_names_the_data_and_refuses_a_period_as_text(hostile):
    from layers._html import esc_md

    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    at.session_state["session_token"] = hostile
    at.query_params["ledger"] = f"{HOSTILE_DATASETS[0]}@1"
    at.query_params["city"] = "新乡市"
    at.query_params["period"] = "[p](https:evil.example/p)"
    open_page(at, "report").run()
    assert not at.exception, at.exception
    assert_text_only(at)
    assert "evil" in at.error[0].value  # the period refused, quoted as text
    at.text_input(key="period").set_value("").run()
    assert_text_only(at)
    summary = next(c.value for c in at.caption if "个有值的数字" in c.value)
    assert esc_md(f"{HOSTILE_DATASETS[0]}@1") in summary  # the ledger named, as text


@pytest.mark.parametrize(
    "ref",
    [
        "[x](https:evil.example)@1",
        "xx@99999999999999999999",
        "xx@²",
        "![i](https:e.x)",
        "[x](https:evil.example)@²",
    ],
)
def test_a_malformed_or_hostile_link_is_refused_as_text(hostile, ref):
    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    at.session_state["session_token"] = hostile
    at.query_params["ledger"] = ref
    open_page(at, "account").run()
    assert not at.exception, at.exception  # was OverflowError, ValueError
    assert_text_only(at)
    shown = [e.value for e in at.error] + [w.value for w in at.warning]
    assert shown, "the reference is refused in words"
