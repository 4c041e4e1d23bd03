"""
AppTest of what a save says and what the workspace then shows, on both back ends: a district
account is told what its version holds, the refused rows too; a save with no clean row is
refused in words; the current state's quarantine names each row's version; and one
session's choice never changes what another session is shown.
"""

from __future__ import annotations

import argon2
import pytest
from streamlit.testing.v1 import AppTest

from geo import records
from store import open_workspace
from tests._pages import open_page
from tests.conftest import unescaped

from .conftest import APP, APP_TIMEOUT, app_session, monthly_ledger

PASSWORD = "correct horse battery"
NAME = "synthetic-ledger-xinxiang"
#: Two of 洛阳's figures, as a planner fills in the template.
LUOYANG = (
    "地区,城市,时期,状态,指标,数值,单位,文号,发文机关,日期,行号或页码\n"
    "全市,洛阳市,2023,计划,老旧小区,412个,,,洛阳日报,2023-10-16,第3行\n"
    "全市,洛阳市,2023,计划,户数,约2.2万户,,,洛阳日报,2023-10-16,第3行\n"
)

pytestmark = pytest.mark.usefixtures("app_backend")


@pytest.fixture
def team(app_backend, monkeypatch):
    """A team server (ATLAS_AUTH=on) with an admin and 卫滨区's district office."""
    monkeypatch.setenv("ATLAS_AUTH", "on")
    monkeypatch.setenv("ATLAS_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("ATLAS_SESSION_ROUTES", "1")  # as server.py mounts the login routes
    monkeypatch.setattr(
        "store.accounts._HASHER", argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    with open_workspace() as workspace:
        workspace.add_account("boss", role="admin", password=PASSWORD)
        boss = workspace.login("boss", PASSWORD).account
        workspace.add_account(
            "weibin", role="district", city="新乡市", districts=["卫滨区"], password=PASSWORD,
            user=boss,
        )  # fmt: skip


def _logged_in(name: str) -> AppTest:
    """A browser session whose cookie the login route set for ``name`` (its token, here)."""
    with open_workspace() as workspace:
        token = workspace.login(name, PASSWORD).token
    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    at.session_state["session_token"] = token
    at.run()
    assert not at.exception, at.exception
    return at


def _save_the_example(at: AppTest) -> AppTest:
    open_page(at, "ledger").run()
    next(b for b in at.button if b.label == "加载合成示例台账").click().run()
    at.button(key="ledger-save").click().run()
    assert not at.exception, at.exception
    return at


@pytest.mark.usefixtures("team")
def test_a_district_office_is_told_the_rows_its_save_refused():
    at = _save_the_example(_logged_in("weibin"))
    assert [unescaped(w.value) for w in at.warning if "已保存为" in w.value] == [
        f"已保存为 {NAME}@1（8 条有效记录；23 行已隔离：约数 1、同名记录冲突 2、"
        "不属本账户的区县 18、经纬度填反 1、合计行 1）。"
    ]
    assert not [s.value for s in at.success if "已保存为" in s.value]
    # The version in view holds them too: 31 rows, 8 clean, 23 quarantined.
    assert [m.value for m in at.metric][:3] == ["31", "8", "23"]


@pytest.mark.usefixtures("team")
def test_figures_all_of_other_districts_are_not_saved_and_the_page_says_why():
    at = _logged_in("weibin")
    open_page(at, "figures").run()
    at.file_uploader(key="table-upload").set_value(("洛阳.csv", LUOYANG.encode(), "text/csv"))
    at.run()
    at.button(key="table-save").click().run()
    assert not at.exception, at.exception
    assert [unescaped(e.value) for e in at.error] == [
        "未保存： 没有可保存的有效记录：2 行全部被隔离（不属本账户的区县 2），未建立新版本。"
        "请修正被隔离的行，或由负责这些区县的账户保存。"
    ]
    assert not at.success
    with open_workspace() as workspace:
        boss = workspace.login("boss", PASSWORD).account
        assert workspace.list_datasets(user=boss) == []


def test_the_current_quarantine_shows_each_rows_version(tmp_path):
    _save_the_example(app_session())
    month = monthly_ledger(tmp_path)
    with open_workspace() as workspace:
        workspace.save_ledger(
            records.read_ledger(month, crs_name="gcj02"),
            name=NAME,
            user="weibin",
            data=month.read_bytes(),
            file_name=month.name,
        )
    at = app_session()
    open_page(at, "quality").run()
    assert not at.exception, at.exception
    rows = next(d.value for d in at.dataframe if "版本" in d.value.columns)
    # @1's 卫滨区 rows are gone with 卫滨区's replacement; row numbers say which file.
    assert rows[["版本", "台账行号", "原因"]].values.tolist() == [
        [f"{NAME}@1", 32, "合计行"],
        [f"{NAME}@2", 9, "约数"],
        [f"{NAME}@2", 10, "经纬度填反"],
    ]


def test_one_sessions_comparison_choice_stays_in_that_session():
    _save_the_example(app_session())
    # Two planners have the saved ledger in view; one compares it over all periods.
    mine, theirs = app_session(), app_session()
    open_page(mine, "ledger").run()
    choice = next(r for r in mine.radio if r.label == "比较方式")
    choice.set_value("all").run()
    assert not mine.exception, mine.exception

    def periods(at: AppTest) -> set[str]:
        open_page(at, "quality").run()
        assert not at.exception, at.exception
        table = next(d.value for d in at.dataframe if "台账合计" in d.value.columns)
        return set(table["时期"])

    assert all("台账全部年度" in p for p in periods(mine))
    assert not any("台账全部年度" in p for p in periods(theirs))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_saved_rows_reason_reads_in_the_language_shown_on_the_quality_page(lang):
    # Saved as a code, its parameters and the words the row wrote; worded as the page shows
    # it, in its language (tests/workspace/test_worded_quarantine.py: and the files).
    from .test_worded_quarantine import SAID, WRITTEN

    data = WRITTEN.encode()
    with open_workspace() as workspace:
        workspace.save_ledger(
            records.read_ledger(data, name="t.csv", crs_name="wgs84"),
            name="written",
            user="clerk",
            data=data,
            file_name="t.csv",
        )
    at = app_session(lang=lang)
    open_page(at, "quality").run()
    assert not at.exception, at.exception
    message = "说明" if lang == "zh" else "Message"
    rows = next(d.value for d in at.dataframe if message in d.value.columns and len(d.value))
    assert rows[message].tolist() == [SAID[lang]]
