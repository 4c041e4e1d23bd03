"""Plans in the workspace and progress from its monthly versions, on both back ends: saving a
plan, the schema revision that lets a dataset be one, `atlas plan` and `atlas progress`, and
the 进度 page."""

from __future__ import annotations

import datetime
import io

import argon2
import pytest
from openpyxl import load_workbook

from geo import dates, figures, plans, progress, records
from store import Workspace, migrate
from store.loaded import ledger_reports, open_plan
from tests._pages import open_page

from .conftest import LEDGER, app_session, at_revision

HEADER = "小区名称,所属城市,所属区县,改造年度,户数,状态,开工日期,完工日期"
# March: 卫滨区 and 红旗区 report; April: 卫滨区 alone (红旗区 did not report).
MARCH = [
    "甲,新乡市,卫滨区,2023,100,开工,2023-03-15,",
    "乙,新乡市,卫滨区,2023,50,开工,2023-03,",
    "戊,新乡市,红旗区,2023,200,开工,2023/02/10,",
]
APRIL = [*MARCH[:2], "丙,新乡市,卫滨区,2023,60,开工,45017,"]


def _seed_plan(**deadlines) -> plans.Plan:
    return plans.plan_from_figures(
        figures.load_figures(), city="新乡市", year=2023, start_by="2023-03-31",
        finish_by="2023-10-31", **deadlines,
    )  # fmt: skip


def _save_month(workspace, tmp_path, rows, day: str, name: str = "月报") -> None:
    path = tmp_path / f"{day}.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    ledger = records.read_ledger(path, report_date=day)
    workspace.save_ledger(
        ledger, name=name, user="clerk", data=path.read_bytes(), file_name=path.name
    )


def test_a_plan_is_a_versioned_dataset(workspace):
    info = workspace.save_plan(_seed_plan(), name="新乡-2023", user="planner")
    assert (info.kind, info.version, info.clean, info.quarantined) == ("plan", 1, 48, 0)
    assert "410700" in info.covers and "410703" in info.covers
    again = workspace.save_plan(_seed_plan(report_day=5), name="新乡-2023", user="planner")
    plan, found = open_plan(workspace, "新乡-2023")
    assert (found.ref, plan.deadline("410703")["report_day"]) == ("新乡-2023@2", 5)
    first, _ = open_plan(workspace, "新乡-2023@1")
    assert first.deadline("410703")["report_day"] is None
    assert first.planned().set_index("place").loc["卫滨区", "households"] == 3279
    assert workspace.diff("新乡-2023", 1, again.version).empty  # same targets, other deadlines
    assert [d["kind"] for d in workspace.list_datasets()] == ["plan"]


def test_the_schema_revision_keeps_every_saved_version(workspace_url, example_ledger):
    at_revision(workspace_url, "0003")  # the workspace of an atlas before plans
    with Workspace(workspace_url) as old:
        old._ready = True  # as an atlas of revision 0003 would: no upgrade on first use
        old.save_ledger(
            example_ledger, name="xx", user="clerk", data=LEDGER.read_bytes(), file_name="x.csv"
        )
    with Workspace(workspace_url) as new:
        new.upgrade()
        assert new.status()["schema"] == migrate.head()
        assert [(i.ref, i.clean) for i in new.history("xx")] == [("xx@1", 26)]
        assert len(new.current_projects()) == 26
        assert new.save_plan(_seed_plan(), name="p", user="planner").kind == "plan"


def test_months_from_saved_versions_say_who_did_not_report(workspace, tmp_path):
    _save_month(workspace, tmp_path, MARCH, "2023-03-31")
    _save_month(workspace, tmp_path, APRIL, "2023-04-30")
    reports = ledger_reports(workspace, "月报")
    assert [(r.ref, r.report_date.isoformat(), r.covers) for r in reports] == [
        ("月报@1", "2023-03-31", ("410702", "410703")),
        ("月报@2", "2023-04-30", ("410703",)),
    ]
    months = progress.monthly(_seed_plan(), reports, through="2023-04-30")
    months = months.set_index(["month", "place"])
    assert months.loc[("2023-03", "红旗区"), ["status", "started"]].tolist() == ["reported", 1]
    assert months.loc[("2023-04", "卫滨区"), ["status", "started", "source"]].tolist() == [
        "reported",
        3,
        "月报@2",
    ]
    assert months.loc[("2023-04", "红旗区"), "status"] == "not_reported"
    assert set(months["basis"].dropna()) == {"report_date"}
    # Up to version 1 only: April is not reported by anyone.
    early = progress.monthly(
        _seed_plan(), ledger_reports(workspace, "月报@1"), through="2023-04-30"
    )
    assert set(early.loc[early["month"] == "2023-04", "status"]) == {"not_reported", "partial"}


def test_a_version_without_a_report_date_is_dated_by_its_save(workspace, tmp_path):
    path = tmp_path / "undated.csv"
    path.write_text("\n".join([HEADER, *MARCH]) + "\n", encoding="utf-8")
    ledger = records.read_ledger(path)  # no 填报日期, no date given: read today
    assert ledger.report_date_source == "read"
    info = workspace.save_ledger(
        ledger, name="月报", user="clerk", data=path.read_bytes(), file_name=path.name
    )
    (report,) = ledger_reports(workspace, "月报")
    saved = info.saved_at.replace(tzinfo=datetime.UTC).astimezone(dates.BEIJING).date()
    assert (report.basis, report.report_date, report.saved_at) == ("saved_at", saved, saved)


def test_atlas_plan_save_and_atlas_progress_write_the_monthly_report(atlas, workspace, tmp_path):
    status, lines, err = atlas(
        "plan", "save", "--from-figures", "--city", "新乡", "--year", "2023", "--start-by",
        "2023-03-31", "--finish-by", "2023-10-31", "--report-day", "5", "--dataset", "plan",
    )  # fmt: skip
    assert (status, err) == (0, "")
    assert (lines[0]["targets"], lines[0]["version"]) == (48, 1)
    _save_month(workspace, tmp_path, MARCH, "2023-03-31")
    _save_month(workspace, tmp_path, APRIL, "2023-04-30")
    out = tmp_path / "月报.xlsx"
    status, lines, err = atlas(
        "progress", "--plan", "plan@1", "--ledger", "月报", "--as-of", "2023-04-30",
        "--out", str(out),
    )  # fmt: skip
    assert (status, err) == (0, ""), err
    summary = lines[0]
    assert (summary["plan"], summary["ledgers"]) == ("plan@1", ["月报@1", "月报@2"])
    # The current state: 卫滨区 from April (3 started), 红旗区 from March (1).
    assert (summary["planned"], summary["started"], summary["reporting"]) == (138, 4, "partial")
    book = load_workbook(io.BytesIO(out.read_bytes()))
    assert book.sheetnames[:3] == ["全市", "红旗区", "卫滨区"]
    months = {(r[0].value, r[1].value): [c.value for c in r[2:]] for r in book["逐月"].iter_rows()}
    # On 30 April, April's report is not due before 5 May: 红旗区 has not sent it yet.
    assert months[("2023年4月", "红旗区")][:4] == ["未到报送期", "未报送", "未报送", "11"]
    # Saved today, long after the 5th of the next month, but its ledger is dated 30 April:
    # April's report as it closed, on time, and the sheet says what dated it.
    assert months[("2023年4月", "卫滨区")][:4] == ["已报送", "3", "0", "27"]
    assert months[("2023年4月", "卫滨区")][5] == "台账填报日期 2023-04-30"
    status, _, err = atlas(
        "progress", "--plan", "月报", "--ledger", "月报", "--as-of", "2023-04-30",
        "--out", str(out),
    )  # fmt: skip
    assert status == 2 and "Expected a plan dataset" in err


@pytest.mark.usefixtures("app_backend")
def test_the_progress_page_in_both_languages(tmp_path, deferred):
    from store import open_workspace

    with open_workspace() as workspace:
        workspace.upgrade()
        workspace.save_plan(_seed_plan(), name="plan", user="planner")
        _save_month(workspace, tmp_path, MARCH, "2023-03-31")
    at = app_session(as_of="2023-03-31")
    open_page(at, "progress").run()
    assert not at.exception, at.exception
    assert at.query_params["plan"] == "plan@1" and at.query_params["as_of"] == "2023-03-31"
    table = at.dataframe[0].value.set_index("地区")
    assert table.loc["卫滨区", "开工率"] == "7.4%"  # 2 of 27 by 31 March
    assert table.loc["牧野区", "开工率"] == "未报送"
    assert "滞后清单" in [s.value for s in at.subheader]
    assert "开工截止 2023-03-31" in " ".join(c.value for c in at.caption)
    # The monthly report is made on click, not on each rerun: the button holds a deferred
    # file, and clicking it gives the workbook.
    (button,) = [b for b in at.get("download_button") if b.proto.label == "下载月报（XLSX）"]
    assert button.proto.deferred_file_id and not button.proto.url
    # Clicked, these buttons start no run, which would drop the file's answer (widgets.NO_RERUN).
    (template,) = [
        b for b in at.get("download_button") if b.proto.label == "下载空白计划模板（XLSX）"
    ]
    assert button.proto.ignore_rerun and template.proto.ignore_rerun
    book = load_workbook(io.BytesIO(deferred[button.proto.deferred_file_id]()))
    assert book.sheetnames[:3] == ["全市", "红旗区", "卫滨区"]
    # Both read 0 % finished on 31 March: one rank, said shared on the page and in the sheet.
    finished = at.dataframe[2].value.set_index("地区")
    assert (
        finished.loc[["红旗区", "卫滨区"], "排名"].tolist() == ["并列第 1 名（2 个并列，共 2）"] * 2
    )
    sheet = [[c.value for c in row] for row in book["季排名（完工率）"].iter_rows()]
    assert sheet[1][:8] == ["并列第 1 名（2 个并列，共 2）", "红旗区", "0%", 0, 0, 1, 2, 2]
    # Only the figures that can make a plan are offered; the rest are said with their reason.
    assert at.selectbox(key="plan-of").options == [
        "新乡市 2023 年 · 新百城提质办〔2023〕2号（12 个地区）"
    ]
    refused = " ".join(c.value for c in at.caption)
    assert "邯郸市 2017：没有可作目标的指标（小区、户数、楼栋、建筑面积、投资）" in refused
    # A link naming other ledger versions says so, its text inert (no image, no link).
    hostile = app_session(as_of="2023-03-31", ledger_versions="![x](http://e/x.png)")
    open_page(hostile, "progress").run()
    warning = " ".join(w.value for w in hostile.warning)
    assert r"\!\[x\]\(http\:\/\/e\/x\.png\)" in warning and "](" not in warning
    english = app_session(lang="en", as_of="2023-03-31", plan="plan@1")
    open_page(english, "progress").run()
    assert not english.exception, english.exception
    table = english.dataframe[0].value.set_index("Place")
    assert table.loc["牧野区", "Start rate"] == "Not reported"
    started = english.dataframe[1].value.set_index("Place")
    assert started.loc[["红旗区", "卫滨区"], "Rank"].tolist() == ["rank 1 of 2", "rank 2 of 2"]
    finished = english.dataframe[2].value.set_index("Place")
    assert finished.loc["卫滨区", ["Rank", "Note"]].tolist() == [
        "tied rank 1 of 2 (2 tied)",
        "tied with 红旗区",
    ]
    assert english.selectbox(key="plan-of").options == [
        "新乡市 2023 · 新百城提质办〔2023〕2号 (12 places)"
    ]


@pytest.mark.usefixtures("app_backend")
def test_a_saved_ledger_reporting_no_month_of_the_plan_is_not_called_unsaved(tmp_path):
    # A 2023 plan and a ledger version reporting December 2026: the months of 2023 hold no
    # version. The page said "the ledger read in this session is not saved", which it is.
    from store import open_workspace

    with open_workspace() as workspace:
        workspace.upgrade()
        workspace.save_plan(_seed_plan(), name="plan", user="planner")
        _save_month(workspace, tmp_path, MARCH[:1], "2026-12-07")
    for lang, expected in (
        ("zh", "逐月进度：工作区中保存的台账版本没有一个报送本计划年度内的月份"),
        ("en", "Month by month: no ledger version saved in the workspace reports a month"),
    ):
        at = app_session(lang=lang, as_of="2023-12-31")
        open_page(at, "progress").run()
        assert not at.exception, at.exception
        infos = [i.value for i in at.info]
        assert any(i.startswith(expected) for i in infos), infos
        assert not any("尚未保存" in i or "is not saved" in i for i in infos), infos


@pytest.mark.usefixtures("app_backend")
def test_a_ledger_without_dates_does_not_say_no_community_is_late(tmp_path):
    # No 开工日期 or 完工日期 column: who is late cannot be told. The page said "no community
    # is overdue as of that day" in green.
    from store import open_workspace

    path = tmp_path / "no-dates.csv"
    path.write_text(
        "小区名称,所属城市,所属区县,改造年度,户数,状态\n甲,新乡市,卫滨区,2023,100,计划\n"
    )
    with open_workspace() as workspace:
        workspace.upgrade()
        workspace.save_plan(_seed_plan(), name="plan", user="planner")
        ledger = records.read_ledger(path)
        workspace.save_ledger(
            ledger, name="月报", user="clerk", data=path.read_bytes(), file_name=path.name
        )
    for lang, expected in (
        ("zh", "台账缺少开工或完工日期列，无法判断哪些小区滞后（不等于没有滞后）。"),
        ("en", "The ledger lacks a start- or finish-date column, so which communities are late "
         "cannot be told (not that none is)."),
    ):  # fmt: skip
        at = app_session(lang=lang, as_of="2023-12-31")
        open_page(at, "progress").run()
        assert not at.exception, at.exception
        assert expected in [i.value for i in at.info]
        assert not at.success


@pytest.fixture
def deferred(monkeypatch) -> dict:
    """The callables deferred download buttons register, by file id: what a click runs."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    made = {}
    register = MediaFileManager.add_deferred

    def record(self, data_callable, *args, **kwargs):
        file_id = register(self, data_callable, *args, **kwargs)
        made[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return made


def test_a_plan_from_a_document_on_the_command_line(atlas, seeds_dir, tmp_path):
    # The plan document through the figures extractor and its suggested review, saved; then
    # the plan from those figures (the seed plans the same places: --document chooses).
    document = tmp_path / "新百城提质办〔2023〕2号.txt"
    document.write_bytes((seeds_dir / "002_b03d685b680bd4c7.txt").read_bytes())
    status, lines, err = atlas("figures", "extract", str(document), "--save", "--dataset", "doc")
    assert (status, err) == (0, ""), err
    status, _, err = atlas(
        "plan", "save", "--from-figures", "--city", "新乡市", "--year", "2023", "--dataset", "p"
    )
    assert status == 2 and "Choose one with document=" in err
    doc_id = "doc-" + lines[0]["sha256"][:12]
    status, lines, err = atlas(
        "plan", "save", "--from-figures", "--city", "新乡市", "--year", "2023", "--document",
        doc_id, "--start-by", "2023-03-31", "--dataset", "p",
    )  # fmt: skip
    assert (status, err) == (0, ""), err
    assert (lines[0]["places"], lines[0]["targets"], lines[0]["version"]) == (12, 48, 1)


def test_plan_commands_act_as_an_account_of_a_team_server(atlas, monkeypatch):
    monkeypatch.setenv("ATLAS_NEW_PASSWORD", "correct horse battery")
    monkeypatch.setenv("ATLAS_PASSWORD", "correct horse battery")
    monkeypatch.setattr(
        "store.accounts._HASHER", argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    assert atlas("user", "add", "boss", "--role", "admin")[0] == 0
    plan = ("plan", "save", "--from-figures", "--city", "新乡市", "--year", "2023")
    status, _, err = atlas(*plan, "--dataset", "p")
    assert status == 2 and "--user NAME" in err  # the workspace has accounts: who acts?
    status, lines, err = atlas(*plan, "--dataset", "p", "--user", "boss")
    assert (status, err, lines[0]["version"]) == (0, "", 1)
    status, lines, err = atlas("plan", "plannable", "--user", "boss")
    assert status == 0, err
    assert [(r["city"], r["year"], r["document"], r["reason"]) for r in lines] == [
        ("新乡市", 2023, "xinxiang-2023-2", None),
        ("邯郸市", 2017, None, "no_plan_metric"),
    ]
