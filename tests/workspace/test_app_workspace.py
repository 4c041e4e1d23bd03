"""
AppTest of the workspace in the app: a saved ledger outlives the session, a monthly ledger
for one district shows in History as exactly the rows it changed, and a link names a version.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from geo import records
from store import Workspace, open_workspace
from tests._pages import open_page
from tests.conftest import unescaped

from .conftest import LEDGER, app_session, monthly_ledger

NAME = "synthetic-ledger-xinxiang"


pytestmark = pytest.mark.usefixtures("app_backend")


def _save_example_from_the_ledger_page() -> AppTest:
    at = app_session()
    open_page(at, "ledger").run()
    at.button[1].click().run()  # 加载合成示例台账
    assert any("尚未保存" in c.value for c in at.caption)
    assert at.text_input(key="ledger-name").value == NAME
    at.button(key="ledger-save").click().run()
    assert not at.exception, at.exception
    return at


def _ledger_caption(at: AppTest) -> str:
    return next(unescaped(c.value) for c in at.caption if "个小区有坐标" in c.value)


def test_a_saved_ledger_is_there_in_a_newapp_session():
    saved = _save_example_from_the_ledger_page()
    # What the version holds, its quarantined rows by reason too.
    assert [unescaped(s.value) for s in saved.success if "已保存为" in s.value] == [
        f"已保存为 {NAME}@1（26 条有效记录；5 行已隔离：约数 1、同名记录冲突 2、经纬度填反 1、"
        "合计行 1）。"
    ]
    assert saved.query_params["ledger"] == f"{NAME}@1"
    # Close the tab: a new session with no address sees the current state on the map.
    fresh = app_session()
    assert "工作区：" in _ledger_caption(fresh) and f"{NAME}@1" in _ledger_caption(fresh)
    assert "23 个小区有坐标；3 个仅按区县名称定位" in _ledger_caption(fresh)
    assert fresh.sidebar.selectbox(key="ledger").value == ""


def test_a_monthly_ledger_shows_as_the_rows_it_changed_and_a_link_names_each_version(
    tmp_path,
):
    _save_example_from_the_ledger_page()
    # 卫滨区's office saves its monthly ledger (as `atlas ingest --save` would).
    month = monthly_ledger(tmp_path)
    with open_workspace() as workspace:
        workspace.save_ledger(
            records.read_ledger(month, crs_name="gcj02"),
            name=NAME,
            user="weibin",
            data=month.read_bytes(),
            file_name=month.name,
            datum="gcj02",
        )
    history = app_session(dataset=NAME)
    open_page(history, "history").run()
    assert not history.exception, history.exception
    assert [m.value for m in history.metric] == ["1", "1", "1"]  # added, removed, changed
    versions, changes = history.dataframe[0].value, history.dataframe[1].value
    assert versions["版本"].tolist() == [1, 2] and versions["保存人"].tolist()[1] == "weibin"
    assert sorted(changes["小区/设施"]) == ["幸小区", "新建小区", "福东小区"]
    assert set(changes["地点"]) == {"卫滨区"}
    changed = changes[changes["变化"] == "改动"]
    assert changed["改动（前 → 后）"].tolist() == [
        "状态：已开工 → 已完成；户数：352 户 → 360 户；完工日期：无数据 → 2024-05-20"
    ]
    # A colleague's link to version 1 shows version 1; with no version, the current state.
    first = app_session(ledger=f"{NAME}@1")
    assert f"{NAME}@1" in _ledger_caption(first) and "@2" not in _ledger_caption(first)
    current = app_session()
    assert f"{NAME}@1" in _ledger_caption(current) and f"{NAME}@2" in _ledger_caption(current)


def test_the_history_page_compares_two_versions_once_per_server(tmp_path, monkeypatch):
    # A national ledger's two versions are 300,000 rows each: read and compared on every run
    # (a click, a new tab), the page took seconds whatever the planner did.
    _save_example_from_the_ledger_page()
    _save_monthly_as(tmp_path, NAME)
    compared = []
    diff = Workspace.diff
    monkeypatch.setattr(
        Workspace,
        "diff",
        lambda self, *args, **kw: compared.append(kw["covered"]) or diff(self, *args, **kw),
    )
    history = app_session(dataset=NAME)
    open_page(history, "history").run()
    history.run()
    assert [m.value for m in history.metric] == ["1", "1", "1"]
    history.toggle(key="covered").set_value(False).run()
    every = [m.value for m in history.metric]
    history.toggle(key="covered").set_value(True).run()
    another = app_session(dataset=NAME)
    open_page(another, "history").run()
    assert [m.value for m in another.metric] == ["1", "1", "1"]
    assert every[1] != "1"  # every district's change: the other districts' rows removed
    assert compared == [True, False]


def test_a_link_to_a_version_that_does_not_exist_says_so():
    _save_example_from_the_ledger_page()
    at = app_session(ledger=f"{NAME}@9")
    assert any("@9" in w.value for w in [*at.sidebar.warning, *at.warning])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_history_page_without_datasets_says_nothing_is_saved(lang):
    at = app_session(lang=lang)
    open_page(at, "history").run()
    assert not at.exception
    assert [i.value for i in at.info] == [
        "工作区中还没有保存的数据集。"
        if lang == "zh"
        else "Nothing has been saved in the workspace yet."
    ]


def test_a_language_switch_names_the_open_ledger_anew_without_reading_it_again(monkeypatch):
    # A national ledger takes seconds to read: the switch only words its name anew.
    from app_pages._ui import common

    _save_example_from_the_ledger_page()
    reads = []
    read = common.open_ledger
    monkeypatch.setattr(common, "open_ledger", lambda *a, **k: reads.append(a[1]) or read(*a, **k))
    at = app_session()
    assert "工作区：" in _ledger_caption(at)
    before = len(reads)
    at.radio(key="lang").set_value("en").run()
    assert not at.exception, at.exception
    english = next(unescaped(c.value) for c in at.caption if "communities with a point" in c.value)
    assert f"{NAME}@1" in english and "工作区" not in english
    at.radio(key="lang").set_value("zh").run()
    assert "工作区：" in _ledger_caption(at)
    assert len(reads) == before


def test_each_session_gets_its_own_copy_of_a_shared_ledger(example_ledger):
    # One opening per server is shared; a session changing its copy leaves the others' alone.
    from app_pages._ui.common import session_copy
    from app_pages._ui.loaded import LoadedLedger

    shared = LoadedLedger(example_ledger, NAME, example_ledger.quarantine.head(0), ref="x")
    assert shared.synthetic
    mine = session_copy(shared)
    before = shared.ledger.projects.copy()
    mine.ledger.projects.loc[mine.ledger.projects.index[0], "name"] = "改名小区"
    mine.ledger.projects["households"] = 0
    mine.ledger.stages.append({"stage": "mine"})
    assert shared.ledger.projects.equals(before)
    assert mine.ledger.projects["name"].iloc[0] == "改名小区"
    assert {"stage": "mine"} not in shared.ledger.stages
    assert (mine.name, mine.ref, vars(mine)["synthetic"]) == (NAME, "x", True)


def test_an_account_whose_scope_changed_does_not_open_what_its_old_scope_read(monkeypatch):
    # The shared openings are keyed by the revision: an admin moving an account from one
    # district to another (same name, same datasets) must give a new key, not the old rows.
    from app_pages._ui import common
    from store.accounts import Account

    class _Store:
        def list_datasets(self, user=None):
            return [{"name": "台账", "latest": 3}]

    monkeypatch.setattr(common, "workspace", _Store)
    seen = []
    for districts in (("410702",), ("410703",)):
        account = Account("planner", "editor", city="新乡市", districts=districts)
        monkeypatch.setattr(common, "current_account", lambda a=account: a)
        seen.append(common.workspace_revision())
    assert seen[0] != seen[1]
    assert seen[0][1:] == seen[1][1:] == (("台账", 3),)


def _save_monthly_as(tmp_path, name: str) -> None:
    month = monthly_ledger(tmp_path)
    with open_workspace() as workspace:
        workspace.save_ledger(
            records.read_ledger(month, crs_name="gcj02"), name=name, user="weibin",
            data=month.read_bytes(), file_name=month.name, datum="gcj02",
        )  # fmt: skip


def test_the_history_page_shows_the_ledger_in_view(tmp_path):
    # Two saved ledgers; the sidebar (or ?ledger=) shows the second: History shows it too,
    # not the first by name.
    _save_example_from_the_ledger_page()
    _save_monthly_as(tmp_path, "weibin-monthly")
    history = app_session(ledger="weibin-monthly")
    open_page(history, "history").run()
    assert not history.exception, history.exception
    assert history.selectbox(key="dataset").value == "weibin-monthly"
    assert history.dataframe[0].value["保存人"].tolist() == ["weibin"]
    assert history.query_params["dataset"] == "weibin-monthly"
    # The page's own chooser still works.
    history.selectbox(key="dataset").set_value(NAME).run()
    assert history.dataframe[0].value["保存人"].tolist() != ["weibin"]
    # Another choice in the sidebar on this page (a version names its dataset): History
    # follows it.
    history.sidebar.selectbox(key="ledger").set_value("weibin-monthly@1").run()
    assert history.selectbox(key="dataset").value == "weibin-monthly"
    # A link naming the dataset keeps it, whatever ledger is in view.
    linked = app_session(ledger="weibin-monthly", dataset=NAME)
    open_page(linked, "history").run()
    assert linked.selectbox(key="dataset").value == NAME


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_history_page_lists_ignored_link_values_in_its_language(lang):
    _save_example_from_the_ledger_page()
    at = app_session(lang=lang, dataset=NAME, **{"from": "abc", "to": "99"})
    open_page(at, "history").run()
    assert not at.exception, at.exception
    warning = unescaped(next(w.value for w in at.warning if "abc" in w.value))
    assert warning.endswith("abc、99" if lang == "zh" else "abc, 99")


def _three_versions(tmp_path) -> None:
    """The example ledger saved (version 1), 卫滨区's month (2), the example again (3)."""
    month = monthly_ledger(tmp_path)
    with open_workspace() as workspace:
        for user, path in (("clerk", LEDGER), ("weibin", month), ("clerk", LEDGER)):
            workspace.save_ledger(
                records.read_ledger(path, crs_name="gcj02"), name=NAME, user=user,
                data=path.read_bytes(), file_name=path.name, datum="gcj02",
            )  # fmt: skip


def _compared(at: AppTest) -> tuple[int, int]:
    return at.selectbox(key="from").value, at.selectbox(key="to").value


def test_the_history_page_compares_the_version_a_link_names(tmp_path):
    _three_versions(tmp_path)
    # A colleague's link to version 2: History shows that dataset, version 2 against 1.
    linked = app_session(ledger=f"{NAME}@2")
    open_page(linked, "history").run()
    assert not linked.exception, linked.exception
    assert linked.selectbox(key="dataset").value == NAME
    assert _compared(linked) == (1, 2)
    assert (linked.query_params["from"], linked.query_params["to"]) == ("1", "2")
    assert [m.value for m in linked.metric] == ["1", "1", "1"]  # what 卫滨区's month changed
    # Another version chosen in the sidebar on this page: History follows it, though the
    # address still names the versions compared before.
    linked.sidebar.selectbox(key="ledger").set_value(f"{NAME}@3").run()
    assert _compared(linked) == (2, 3) and linked.query_params["to"] == "3"
    # Without a version (the current state), the newest two; the page's own choice stays.
    current = app_session(ledger=NAME)
    open_page(current, "history").run()
    assert _compared(current) == (2, 3)
    current.selectbox(key="to").set_value(2).run()
    current.run()
    assert _compared(current) == (2, 2)
    # A link naming the versions compared keeps them, whatever version is in view.
    both = app_session(ledger=f"{NAME}@2", **{"from": "1", "to": "3"})
    open_page(both, "history").run()
    assert _compared(both) == (1, 3)
