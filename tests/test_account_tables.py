"""Tests for layers/accounts.py: the workspace's datasets, accounts and audit in words."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from layers.accounts import accounts_table, audit_table, datasets_table
from store import Account

FOUND = [
    {"name": "xinxiang", "kind": "ledger", "versions": 2, "latest": 2,
     "saved_at": "2026-12-06T05:02:33Z", "saved_by": "admin"},
    {"name": "survey", "kind": "infra", "versions": 1, "latest": 1,
     "saved_at": "2026-12-06T16:00:00Z", "saved_by": "weibin"},
]  # fmt: skip


def test_datasets_table_names_kinds_and_gives_beijing_time():
    zh = datasets_table(FOUND, "zh")
    assert zh.columns.tolist() == [
        "数据集",
        "类型",
        "版本数",
        "最新版本",
        "保存时间（北京时间）",
        "保存人",
    ]
    assert zh["类型"].tolist() == ["台账", "无障碍设施"]
    assert zh["保存时间（北京时间）"].tolist() == ["2026-12-06 13:02", "2026-12-07 00:00"]
    en = datasets_table(FOUND, "en", kinds=False)
    assert en.columns.tolist() == [
        "Dataset",
        "Versions",
        "Latest",
        "Saved (Beijing time)",
        "Saved by",
    ]


def test_accounts_table_names_roles_and_districts():
    accounts = [
        Account("admin", "admin"),
        Account("weibin", "district", "新乡市", ("410703",), disabled=True),
    ]
    table = accounts_table(accounts, "zh").set_index("账户")
    assert table.loc["weibin"].tolist() == ["区县", "新乡市", "卫滨区", "已停用"]
    assert table.loc["admin"].tolist() == ["管理员", "", "", "启用"]


LOG = pd.DataFrame(
    {
        "id": [3, 2, 1],
        "at": [dt.datetime(2026, 12, 6, 13, 2), dt.datetime(2026, 12, 6, 13, 1),
               dt.datetime(2026, 12, 6, 13, 0)],
        "actor": ["weibin", "admin", "weibin"],
        "action": ["save", "account_add", "login_failed"],
        "target": ["xinxiang@2", "weibin", None],
        "address": [None, "127.0.0.1", None],
        "detail": [
            {"kind": "ledger", "file_name": "卫滨区-2024-05.csv", "rows": 10, "clean": 8,
             "quarantined": 2, "out_of_scope": 0, "covers": ["410703"]},
            {"name": "weibin", "role": "district", "city": "新乡市", "districts": ["410703"],
             "disabled": False},
            {"why": "password"},
        ],
    }
)  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh", [
            ["2026-12-06 21:02", "weibin", "保存", "xinxiang@2", "",
             "台账 · 卫滨区-2024-05.csv · 10 行：可用 8，隔离 2 · 覆盖 卫滨区"],
            ["2026-12-06 21:01", "admin", "添加账户", "weibin", "127.0.0.1",
             "区县 · 新乡市 · 卫滨区"],
            ["2026-12-06 21:00", "weibin", "登录失败", "", "", "密码错误"],
        ]),
        ("en", [
            ["2026-12-06 21:02", "weibin", "save", "xinxiang@2", "",
             "ledger · 卫滨区-2024-05.csv · 10 rows: 8 clean, 2 quarantined · covers 卫滨区"],
            ["2026-12-06 21:01", "admin", "add account", "weibin", "127.0.0.1",
             "district · 新乡市 · 卫滨区"],
            ["2026-12-06 21:00", "weibin", "failed login", "", "", "wrong password"],
        ]),
    ],
)  # fmt: skip
def test_audit_table_words_actions_and_details_in_beijing_time(lang, expected):
    table = audit_table(LOG, lang)
    assert table.to_numpy().tolist() == expected


def test_audit_table_words_a_refused_login_and_an_unlock():
    log = pd.DataFrame(
        {
            "id": [2, 1],
            "at": [dt.datetime(2026, 12, 6, 13, 1), dt.datetime(2026, 12, 6, 13, 0)],
            "actor": ["admin", "admin"],
            "action": ["account_unlock", "login_throttled"],
            "target": ["weibin", None],
            "address": [None, "10.0.0.7"],
            "detail": [None, {"wait_s": 180}],
        }
    )
    assert audit_table(log, "zh").iloc[:, 2:].to_numpy().tolist() == [
        ["解除登录限制", "weibin", "", ""],
        ["登录过于频繁，未核对密码", "", "10.0.0.7", "需等待 180 秒"],
    ]
    assert audit_table(log, "en").iloc[1, 2:].tolist() == [
        "login refused unchecked",
        "",
        "10.0.0.7",
        "to wait 180 s",
    ]
