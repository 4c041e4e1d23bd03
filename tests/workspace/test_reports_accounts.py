"""The reply and the atlas hold only what the account may read, on both back ends."""

from __future__ import annotations

import datetime
import io
import json

import argon2
import docx
import pytest

from cli import main
from geo import report
from geo.errors import InputError
from geo.selection import Selection
from layers.reply import reply_docx
from store import AccessError
from store.loaded import data_source, figures_in_view, open_ledger, readable_places

from .conftest import LEDGER

PASSWORD = "correct horse battery"
TODAY = datetime.date(2026, 12, 7)
TEAM = {
    "xinxiang": ("city", "新乡市", ()),
    "weibin": ("district", "新乡市", ("卫滨区",)),
    "jiaozuo": ("city", "焦作市", ()),
}


@pytest.fixture
def team(workspace, monkeypatch):
    """An admin, two city accounts and a district one; 新乡's ledger saved by its city."""
    monkeypatch.setattr(
        "store.accounts._HASHER", argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    workspace.add_account("admin", role="admin", password=PASSWORD)
    admin = workspace.login("admin", PASSWORD).account
    for name, (role, city, districts) in TEAM.items():
        workspace.add_account(
            name, role=role, password=PASSWORD, city=city, districts=districts, user=admin
        )
    accounts = {name: workspace.login(name, PASSWORD).account for name in ["admin", *TEAM]}
    from geo import records

    ledger = records.read_ledger(LEDGER, crs_name="gcj02")
    workspace.save_ledger(
        ledger, name="xinxiang", user=accounts["xinxiang"], data=LEDGER.read_bytes(),
        file_name=LEDGER.name,
    )  # fmt: skip
    return accounts


def _report(workspace, user, cities):
    opened = open_ledger(workspace, "", user=user)
    return report.gather_report(
        figures_in_view(workspace, user=user),
        Selection(cities=cities),
        projects=opened.content.projects if opened else None,
        ledger_source=data_source(opened),
        readable=readable_places(workspace, user=user),
    )


def test_a_district_accounts_reply_holds_its_city_and_leaves_the_other_out(workspace, team):
    weibin = team["weibin"]
    assert readable_places(workspace, user=team["admin"]) is None
    made = _report(workspace, weibin, ("新乡市", "焦作市"))
    assert made.cities == ("新乡市",) and len(made.places) == 13 and made.left_out == 10
    ledger = made.items[made.items["source_kind"] == "ledger"]
    assert len(ledger) and {s.source.versions[0].saved_by for s in ledger["sources"].str[0]} == {
        "xinxiang"
    }
    text = "\n".join(
        p.text for p in docx.Document(io.BytesIO(reply_docx(made, today=TODAY))).paragraphs
    )
    assert "焦作" not in text and "解放区" not in text
    assert "新乡市" in text


def test_another_citys_account_reads_none_of_it_until_it_is_published(workspace, team):
    jiaozuo = team["jiaozuo"]
    with pytest.raises(AccessError, match="No access"):
        open_ledger(workspace, "xinxiang@1", user=jiaozuo)
    with pytest.raises(InputError, match="it may read none of them"):
        _report(workspace, jiaozuo, ("新乡市",))
    workspace.publish("xinxiang", 1, user=team["xinxiang"])
    made = _report(workspace, jiaozuo, ("新乡市",))
    # The published version covers four districts and 高新区: those, and nothing else.
    assert set(made.places["place"]) == {"红旗区", "卫滨区", "凤泉区", "牧野区", "高新区"}
    assert made.left_out == 8


def test_atlas_report_as_a_district_account(
    workspace, workspace_url, team, monkeypatch, capsys, tmp_path
):
    monkeypatch.setenv("ATLAS_DATABASE_URL", workspace_url)
    monkeypatch.setenv("ATLAS_PASSWORD", PASSWORD)
    out = tmp_path / "答复.docx"
    status = main(["report", "reply", "--city", "新乡", "--city", "焦作", "--ledger", "xinxiang",
                   "--user", "weibin", "--out", str(out)])  # fmt: skip
    printed, errors = capsys.readouterr()
    assert status == 0, errors
    summary = json.loads(printed)
    assert (summary["places"], summary["left_out"]) == (13, 10)
    assert out.stat().st_size == summary["bytes"]
    status = main(["report", "sheets", "--city", "新乡", "--ledger", "xinxiang@1",
                   "--user", "jiaozuo", "--out", str(tmp_path / "x.pdf")])  # fmt: skip
    assert status == 2
    assert "No access: the account 'jiaozuo'" in capsys.readouterr().err


def test_atlas_report_uses_the_current_state_unless_told_otherwise(
    workspace, workspace_url, team, monkeypatch, capsys, tmp_path
):
    monkeypatch.setenv("ATLAS_DATABASE_URL", workspace_url)
    monkeypatch.setenv("ATLAS_PASSWORD", PASSWORD)
    out = str(tmp_path / "答复.docx")
    # As on the reports page: the current state of every dataset the account reads.
    assert main(["report", "reply", "--city", "新乡", "--user", "weibin", "--out", out]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["ledger"], summary["infra"]) == (["xinxiang@1"], [])
    text = "\n".join(p.text for p in docx.Document(out).paragraphs)
    assert "据台账，新乡市" in text
    status = main(["report", "reply", "--city", "新乡", "--figures-only", "--user", "weibin",
                   "--out", out])  # fmt: skip
    assert status == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["ledger"], summary["infra"]) == ([], [])
    assert "据台账" not in "\n".join(p.text for p in docx.Document(out).paragraphs)
    # The other city's account reads none of 新乡's ledger: its draft has the documents only.
    assert main(["report", "reply", "--city", "焦作", "--user", "jiaozuo", "--out", out]) == 0
    assert json.loads(capsys.readouterr().out)["ledger"] == []


def test_atlas_report_walks_the_shares_along_the_network_it_is_given(
    workspace, workspace_url, team, monkeypatch, capsys, tmp_path
):
    from geo import infra

    from .conftest import EXAMPLES, SURVEY

    network = EXAMPLES / "synthetic-network-xinxiang.osm.pbf"
    monkeypatch.setenv("ATLAS_DATABASE_URL", workspace_url)
    monkeypatch.setenv("ATLAS_PASSWORD", PASSWORD)
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    out = str(tmp_path / "答复.docx")
    # No infrastructure saved yet: nothing to walk to, said so.
    status = main(["report", "reply", "--city", "新乡", "--network", str(network),
                   "--user", "xinxiang", "--out", out])  # fmt: skip
    assert status == 2
    assert "Expected infrastructure to walk to with --network" in capsys.readouterr().err
    workspace.save_infra(
        infra.read_infra(SURVEY), name="survey", user=team["xinxiang"],
        data=SURVEY.read_bytes(), file_name=SURVEY.name,
    )  # fmt: skip
    status = main(["report", "reply", "--city", "新乡", "--network", str(network),
                   "--user", "xinxiang", "--out", out])  # fmt: skip
    assert status == 0
    assert json.loads(capsys.readouterr().out)["network"] == network.name
    text = "\n".join(p.text for p in docx.Document(out).paragraphs)
    assert "表中户数占比按沿路网步行距离计算，路网取自 OSM 提取（文件 " + network.name in text
