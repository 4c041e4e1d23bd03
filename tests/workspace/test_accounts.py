"""
Accounts and roles on both back ends: each role's reads and writes, the refused ones too;
out_of_scope rows and their counts; publication; the local user; the upgrade from 0001.
"""

from __future__ import annotations

import pandas as pd
import pytest
from alembic import command
from sqlalchemy import inspect, select, text

from geo import infra
from geo.figures import load_figures
from layers.wording import error_text, quarantine_messages
from store import AccessError, AccountError, NothingToSaveError, Workspace, _files, migrate
from store.schema import audit

from .conftest import LEDGER, PASSWORD, SURVEY, TEAM


def _save(workspace, ledger, user, name="xinxiang", **options):
    return workspace.save_ledger(
        ledger, name=name, user=user, data=LEDGER.read_bytes(), file_name=LEDGER.name, **options
    )


def test_accounts_have_their_scope_and_no_password_in_sight(workspace, team):
    assert team["weibin"].districts == ("410703",) and team["weibin"].city == "新乡市"
    assert team["xinxiang"].city == "新乡市"
    listed = [a.to_dict() for a in workspace.list_accounts(user=team["admin"])]
    assert [a["name"] for a in listed] == sorted(TEAM)
    assert PASSWORD not in repr(listed) + repr(team)
    logged = workspace.audit_log(user=team["admin"])
    assert PASSWORD not in logged.to_string()


def test_passwords_are_stored_as_argon2id_with_the_default_cost(workspace):
    workspace.add_account("boss", role="admin", password=PASSWORD)
    with workspace._begin() as conn:
        (stored,) = conn.execute(text("SELECT password_hash FROM accounts")).scalars().all()
    # argon2-cffi's PasswordHasher defaults: 64 MiB, 3 passes, 4 lanes; salted.
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and PASSWORD not in stored
    assert workspace.login("boss", PASSWORD).account.name == "boss"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"role": "city"}, "Expected --city for a city account"),
        ({"role": "district", "city": "新乡市"}, "Expected --district"),
        ({"role": "district", "city": "新乡市", "districts": ["解放区"]}, "a district of 新乡市"),
        ({"role": "district", "city": "新乡市", "districts": ["410802"]}, "410802 is in 焦作市"),
        ({"role": "admin", "city": "新乡市"}, "An admin reads and writes every city"),
        ({"role": "boss"}, "Expected a role among admin, city, district, viewer"),
        ({"role": "viewer", "password": "short"}, "at least 10 characters"),
    ],
)
def test_account_options_are_checked(workspace, team, options, message):
    options = {"password": PASSWORD} | options
    with pytest.raises(AccountError, match=message):
        workspace.add_account("new", user=team["admin"], **options)
    with pytest.raises(AccountError, match="exists"):
        workspace.add_account("weibin", role="viewer", password=PASSWORD, user=team["admin"])


def test_only_an_admin_manages_accounts_and_the_first_must_be_one(
    workspace, tmp_path, cheap_hashes
):
    with pytest.raises(AccessError, match="The first account of a workspace must be an admin"):
        workspace.add_account("clerk", role="city", city="新乡市", password=PASSWORD)
    workspace.add_account("boss", role="admin", password=PASSWORD)
    city = workspace.add_account(
        "xx",
        role="city",
        city="新乡市",
        password=PASSWORD,
        user=workspace.login("boss", PASSWORD).account,
    )
    for call in (
        lambda: workspace.add_account("x2", role="viewer", password=PASSWORD, user=city),
        lambda: workspace.list_accounts(user=city),
        lambda: workspace.disable_account("boss", user=city),
        lambda: workspace.audit_log(user=city),
        lambda: workspace.backup(tmp_path / "b.sqlite", user=city),
        lambda: workspace.set_password("boss", "another long one", user=city),
    ):
        with pytest.raises(AccessError, match="Only an admin may"):
            call()
    boss = workspace.login("boss", PASSWORD).account
    with pytest.raises(AccessError, match="last admin"):
        workspace.disable_account("boss", user=boss)


def test_the_local_user_is_refused_once_the_workspace_has_accounts(workspace, example_ledger, team):
    for call in (
        lambda: _save(workspace, example_ledger, "clerk"),
        lambda: workspace.list_datasets(),
        lambda: workspace.current_projects(city="新乡市", user=None),
    ):
        with pytest.raises(AccessError, match="log in first"):
            call()
    assert workspace.requires_login()


def test_local_mode_needs_no_login_until_atlas_auth_is_on(workspace, example_ledger, monkeypatch):
    assert not workspace.requires_login()
    assert _save(workspace, example_ledger, None).saved_by  # the login name
    monkeypatch.setenv("ATLAS_AUTH", "on")
    assert workspace.requires_login()
    with pytest.raises(AccessError, match="log in first"):
        workspace.load("xinxiang")


def test_a_district_saves_its_own_rows_and_quarantines_the_others(workspace, example_ledger, team):
    info = _save(workspace, example_ledger, team["weibin"])
    projects = example_ledger.projects
    mine = projects[projects["adcode"] == "410703"]
    assert (info.rows, info.clean) == (31, len(mine))
    assert info.quarantined == 31 - len(mine) == 5 + (projects["adcode"] != "410703").sum()
    assert info.by_reason["out_of_scope"] == (projects["adcode"] != "410703").sum()
    assert info.covers == ("410703",)
    saved = workspace.load("xinxiang", 1, user=team["weibin"]).content
    assert set(saved.projects["adcode"]) == {"410703"}
    refused = saved.quarantine[saved.quarantine["reason"] == "out_of_scope"]
    assert sorted(refused["row"]) == sorted(projects.loc[projects["adcode"] != "410703", "row"])
    assert saved.summary()["rows"] == len(saved.projects) + len(saved.quarantine)
    # The raw cells as the file has them, not the values read from them.
    hongqi = refused[refused["所属区县"] == "红旗区"].iloc[0]
    line = LEDGER.read_text(encoding="utf-8-sig").splitlines()[int(hongqi["row"]) - 1]
    assert line.split(",")[:3] == [hongqi["小区名称"], hongqi["所属城市"], "红旗区"]
    assert hongqi["建筑面积（万m²）"] == line.split(",")[6]
    # The store saves the code and its parameters; the words are layers' (issue 28).
    worded = quarantine_messages(refused.loc[[hongqi.name]]).iloc[0]
    assert worded["message_en"].endswith("it may write 410703 only")
    assert worded["message_zh"].startswith("不在本账户可写范围内：红旗区（410702）")


def test_a_district_saving_never_touches_another_districts_current_rows(
    workspace, example_ledger, team
):
    _save(workspace, example_ledger, team["xinxiang"])
    _save(workspace, example_ledger, team["hongqi"])
    current = workspace.current_projects(city="新乡市", user=team["weibin"])
    assert len(current) == len(example_ledger.projects)
    assert set(current.loc[current["adcode"] == "410702", "version"]) == {2}
    assert set(current.loc[current["adcode"] != "410702", "version"]) == {1}
    with pytest.raises(AccessError, match=r"it may write|this account may write \(410703\)"):
        _save(workspace, example_ledger, team["weibin"], covers=["410702"])
    assert [v.version for v in workspace.history("xinxiang", user=team["admin"])] == [1, 2]


def test_a_city_keeps_its_city_and_quarantines_another_citys_rows(workspace, example_ledger, team):
    info = _save(workspace, example_ledger, team["xinxiang"])
    assert (info.clean, info.quarantined, info.by_reason.get("out_of_scope")) == (26, 5, None)
    # 焦作's office saving 新乡's ledger would keep no row: no empty version is made (issue 22).
    with pytest.raises(NothingToSaveError, match=r"^Expected at least one clean row to save; "):
        _save(workspace, example_ledger, team["jiaozuo"], name="jiaozuo")
    assert [d["name"] for d in workspace.list_datasets(user=team["admin"])] == ["xinxiang"]


def test_a_save_with_no_clean_row_is_refused_and_says_what_was_refused(workspace, team):
    # A report whose figures are all of another district: refused whole, with the counts.
    figures = load_figures()
    others = figures[figures["city"] == "新乡市"]
    others = others[others["adcode"] != "410703"].reset_index(drop=True)
    with pytest.raises(NothingToSaveError) as refused:
        workspace.save_figures(others, name="luoyang-2024", user=team["weibin"])
    assert refused.value.code == "nothing_to_save"
    n = len(others)
    assert refused.value.details == {"rows": n, "by_reason": {"out_of_scope": n}}
    assert str(refused.value) == (
        f"Expected at least one clean row to save; all {len(others)} rows are quarantined (by "
        f"reason: out_of_scope {len(others)}), so no version was made. Fix the quarantined "
        "rows, or save as an account that may write their districts."
    )
    assert workspace.list_datasets(user=team["admin"]) == []
    assert workspace.audit_log(user=team["admin"], action="save").empty


def test_a_viewer_saves_nothing(workspace, example_ledger, team):
    with pytest.raises(AccessError, match="is a viewer") as refused:
        _save(workspace, example_ledger, team["reader"])
    assert error_text(refused.value, "zh") == (
        "账户 reader 是只读账户：可以查看，不能保存。请由本城市或区县的账户保存。"
    )
    survey = infra.read_infra(SURVEY)
    with pytest.raises(AccessError, match="is a viewer"):
        workspace.save_infra(
            survey, name="s", user=team["visitor"], data=b"x", file_name="s.geojson"
        )
    assert workspace.list_datasets(user=team["admin"]) == []


def test_reads_follow_the_city(workspace, example_ledger, team):
    _save(workspace, example_ledger, team["xinxiang"])
    for name in ("admin", "xinxiang", "weibin", "hongqi", "reader"):
        assert len(workspace.load("xinxiang", 1, user=team[name]).content.projects) == 26
        assert len(workspace.current_projects(city="新乡市", user=team[name])) == 26
        assert [d["name"] for d in workspace.list_datasets(user=team[name])] == ["xinxiang"]
    for name in ("jiaozuo", "visitor"):
        with pytest.raises(AccessError, match="No access") as refused:
            workspace.load("xinxiang", 1, user=team[name])
        assert refused.value.code == "no_access"
        with pytest.raises(AccessError, match="No access") as refused:
            workspace.history("xinxiang", user=team[name])
        assert refused.value.code == "no_access"
        with pytest.raises(AccessError):
            workspace.diff("xinxiang", 1, 1, user=team[name])
        assert workspace.current_projects(city="新乡市", user=team[name]).empty
        assert workspace.current_projects(user=team[name]).empty
        assert workspace.list_datasets(user=team[name]) == []


def test_an_unknown_name_reads_as_one_the_account_may_not_read(workspace, example_ledger, team):
    _save(workspace, example_ledger, team["xinxiang"], name="xinxiang-secret")
    with pytest.raises(AccessError, match="may read no nope ") as caught:
        workspace.load("nope", user=team["jiaozuo"])
    assert "xinxiang-secret" not in str(caught.value)
    with pytest.raises(AccessError) as hidden:
        workspace.load("xinxiang-secret", user=team["jiaozuo"])
    assert str(hidden.value) == str(caught.value).replace("nope", "xinxiang-secret")


def test_what_is_published_every_account_reads(workspace, example_ledger, team):
    _save(workspace, example_ledger, team["xinxiang"])
    _save(workspace, example_ledger, team["xinxiang"])
    with pytest.raises(AccessError, match="may not publish") as refused:
        workspace.publish("xinxiang", 1, user=team["weibin"])
    assert error_text(refused.value, "en") == (
        "The account weibin may not publish data: an admin or a city's account may."
    )
    with pytest.raises(AccessError, match="No access") as refused:
        workspace.publish("xinxiang", 1, user=team["jiaozuo"])
    assert refused.value.code == "no_access"
    workspace.publish("xinxiang", 1, user=team["xinxiang"])
    with pytest.raises(AccessError, match="No access"):  # published, yet not 焦作's to withdraw
        workspace.publish("xinxiang", 1, user=team["jiaozuo"], withdraw=True)
    for name in ("jiaozuo", "visitor"):
        assert len(workspace.load("xinxiang", 1, user=team[name]).content.projects) == 26
        with pytest.raises(AccessError):
            workspace.load("xinxiang", 2, user=team[name])
        assert [v.version for v in workspace.history("xinxiang", user=team[name])] == [1]
        current = workspace.current_projects(city="新乡市", user=team[name])
        assert set(current["version"]) == {1}  # the latest version it may read
    workspace.publish("xinxiang", 1, user=team["admin"], withdraw=True)
    with pytest.raises(AccessError):
        workspace.load("xinxiang", 1, user=team["visitor"])


def test_figures_of_other_districts_are_quarantined_too(workspace, team):
    table = load_figures()
    info = workspace.save_figures(table, name="figures", user=team["weibin"])
    mine = (table["adcode"] == "410703").sum()
    assert (info.rows, info.clean) == (len(table), mine)
    assert info.by_reason == {"out_of_scope": len(table) - mine}
    back = workspace.load("figures", user=team["weibin"]).content
    assert set(back.figures["adcode"]) == {"410703"}


def test_features_of_other_districts_are_quarantined_with_their_geometry(workspace, team):
    survey = infra.read_infra(SURVEY)
    info = workspace.save_infra(
        survey, name="survey", user=team["weibin"], data=SURVEY.read_bytes(),
        file_name=SURVEY.name,
    )  # fmt: skip
    assert (
        info.rows == len(survey.features) + len(survey.quarantine) == info.clean + info.quarantined
    )
    assert info.covers == ("410703",)
    refused = workspace.load("survey", user=team["weibin"]).content.quarantine
    out = refused[refused["reason"] == "out_of_scope"]
    assert len(out) == info.by_reason["out_of_scope"] > 0
    assert out["geometry"].str.startswith(("POINT", "LINESTRING")).all()
    assert out["source_id"].notna().all()


def test_every_change_is_on_record_and_the_record_cannot_change(
    workspace, example_ledger, team, tmp_path
):
    _save(workspace, example_ledger, team["weibin"])
    workspace.disable_account("visitor", user=team["admin"])
    workspace.set_password("weibin", "a new long password", current=PASSWORD, user=team["weibin"])
    with pytest.raises(Exception, match="Wrong name or password"):
        workspace.login("weibin", PASSWORD, address="10.9.9.9")
    workspace.backup(tmp_path / "b.sqlite", user=team["admin"])
    workspace.restore(tmp_path / "b.sqlite", replace=True, user=team["admin"])
    log = workspace.audit_log(user=team["admin"])
    assert list(log["action"][:7]) == [
        "restore",
        "backup",
        "login_failed",
        "account_password",
        "login",  # the current password, checked as a login is
        "account_disable",
        "save",
    ]
    save = log[log["action"] == "save"].iloc[0]
    assert (save["actor"], save["target"], save["address"]) == ("weibin", "xinxiang@1", "10.1.1.1")
    assert save["detail"]["out_of_scope"] == 26 - save["detail"]["clean"]
    failed = log[log["action"] == "login_failed"].iloc[0]
    assert (failed["actor"], failed["address"]) == ("weibin", "10.9.9.9")
    assert (log["action"] == "account_add").sum() == len(TEAM)
    with workspace.engine.connect() as conn:
        for statement in ("UPDATE audit SET actor = 'nobody'", "DELETE FROM audit"):
            with pytest.raises(Exception, match="append-only"), conn.begin():
                conn.execute(text(statement))
        assert conn.execute(select(audit.c.actor).where(audit.c.actor == "nobody")).first() is None
    assert len(workspace.audit_log(user=team["admin"])) == len(log)


def test_a_0001_workspace_with_data_upgrades_and_keeps_it(
    workspace_url, example_ledger, cheap_hashes
):
    with Workspace(workspace_url) as old:
        old.init()
        _save(old, example_ledger, "clerk")
        before = old.load("xinxiang", 1)
        with old.engine.begin() as conn:
            command.downgrade(migrate._config(conn), "0001")
            assert migrate.revision(conn) == "0001"
            assert not inspect(conn).has_table("accounts")
        if old.path is not None:
            # The downgrade drops the audit: the file's last-commit record would call it lost.
            _files.record_path(old.path).unlink()
    with Workspace(workspace_url) as new:
        assert new.upgrade() == ("0001", migrate.head())
        after = new.load("xinxiang", 1)
        assert after.info == before.info and after.data == before.data
        pd.testing.assert_frame_equal(after.content.quarantine, before.content.quarantine)
        assert not new.requires_login()
        new.add_account("boss", role="admin", password=PASSWORD)
        boss = new.login("boss", PASSWORD).account
        assert len(new.current_projects(city="新乡市", user=boss)) == 26
        assert new.audit_log(user=boss)["action"].tolist() == ["login", "account_add", "upgrade"]
