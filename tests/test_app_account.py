"""AppTest smoke test of the account page (app_pages/account.py) in local mode, through app.py."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from geo import records
from store import Workspace
from store.accounts import local_account
from tests._pages import open_page

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 120
LEDGER = "小区名称,所属城市,所属区县,户数\n幸福小区,新乡市,卫滨区,352\n"


def _account_page(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    open_page(at, "account").run()
    assert not at.exception, at.exception
    return at


def test_the_account_page_in_local_mode_says_so_and_lists_the_audit():
    at = _account_page()
    assert at.title[0].value == "账户与权限"
    assert at.info[0].value == "本地模式：工作区没有账户，本机用户拥有全部权限，无需登录。"
    assert at.info[1].value == "暂无可读的数据集。"
    assert [s.value for s in at.main.subheader] == ["本账户可读的数据集", "审计记录（最新在前）"]
    # No password to change and no list of accounts: local mode has none.
    assert not at.main.text_input
    assert at.selectbox(key="account_version").value == ""  # no version opened


def test_the_account_page_opens_the_version_a_link_names():
    data = LEDGER.encode()
    with Workspace() as workspace:
        ledger = records.read_ledger(data, name="ledger.csv")
        workspace.save_ledger(
            ledger, name="xinxiang", data=data, file_name="ledger.csv", user=local_account()
        )
    at = _account_page(ledger="xinxiang@1")
    assert at.selectbox(key="account_version").value == "xinxiang@1"
    assert at.selectbox(key="account_version").options == ["（不打开版本）", "xinxiang@1"]
    rows = at.main.dataframe[2].value  # the datasets, the version's record, then its rows
    assert "幸福小区" in rows.to_string()
