"""`atlas figures extract|read --save`: figures saved from the CLI as the figures page does."""

from __future__ import annotations

from pathlib import Path

from geo.documents.extract import propose_figures
from geo.documents.review import accept_figures, suggest_decisions
from store import open_workspace

REPO = Path(__file__).resolve().parents[2]
REPORT = REPO / "tests" / "data" / "documents" / "luoyang-news-2023.txt"
# The report's first figures, as a planner would type them into the template, and a bad row.
TABLE = (
    "地区,城市,时期,状态,指标,数值,单位,文号,发文机关,日期,行号或页码\n"
    "全市,洛阳市,2023,计划,老旧小区,412个,,,洛阳日报,2023-10-16,第3行\n"
    "全市,洛阳市,2023,计划,户数,2.2万户,,,洛阳日报,2023-10-16,第3行\n"
    "全市,洛阳市,2023,计划,户数,很多,,,洛阳日报,2023-10-17,第4行\n"
)


def _saved_figures(name: str, version: int):
    with open_workspace() as workspace:
        return workspace.load(name, version).content.figures


def test_extract_save_keeps_the_figures_the_review_suggests_with_their_lines(atlas, tmp_path):
    out = tmp_path / "proposed.csv"
    status, lines, err = atlas(
        "figures", "extract", str(REPORT), "--save", "--dataset", "luoyang", "--out", str(out)
    )
    assert (status, err) == (0, "")
    (summary,) = lines
    # What the page saves when the planner keeps the suggested decisions.
    extraction = propose_figures(REPORT)
    review = extraction.figures.assign(decision=suggest_decisions(extraction.figures))
    info = extraction.info
    expected, problems = accept_figures(
        review,
        extraction.document,
        doc_id=f"doc-{extraction.document.sha256[:12]}",
        source={k: str(info.get(k) or "") for k in ("doc_number", "issuer", "doc_date", "title")},
    )
    assert len(expected) == 12
    assert (summary["dataset"], summary["version"]) == ("luoyang", 1)
    assert summary["accepted"] == summary["saved"] == len(expected)
    assert summary["problems"] == problems.to_dict("records")
    assert summary["figures"] == len(extraction.figures) == 24
    saved = _saved_figures("luoyang", 1)
    assert sorted(saved["figure_id"]) == sorted(expected["figure_id"])
    assert set(saved["seed_file"]) == {"luoyang-news-2023.txt"}
    assert set(saved["doc_sha256"]) == {extraction.document.sha256}
    # Estimates are left to a planner: none is saved unreviewed.
    assert not saved["qualifier"].isin(["approx"]).any()
    # The proposals are written as before, every one of them.
    assert len(out.read_text(encoding="utf-8").splitlines()) == 24 + 1


def test_read_save_keeps_the_clean_rows_and_the_refused_as_quarantine(atlas, tmp_path):
    table = tmp_path / "洛阳数据.csv"
    table.write_text(TABLE, encoding="utf-8")
    status, lines, err = atlas("figures", "read", str(table), "--save")
    assert (status, err) == (0, "")
    (summary,) = lines
    assert summary["dataset"] == "洛阳数据"  # the file's name, as the page's default
    assert (summary["version"], summary["saved"]) == (1, 2)
    assert summary["saved_quarantined"] == summary["quarantined"] == 1
    saved = _saved_figures("洛阳数据", 1)
    assert sorted(saved["value"]) == [412.0, 22000.0]


def test_extract_save_refuses_a_document_with_nothing_accepted_and_saves_nothing(atlas, tmp_path):
    document = tmp_path / "note.txt"
    document.write_text("洛阳市老旧小区改造工作会议召开。\n", encoding="utf-8")
    status, lines, err = atlas("figures", "extract", str(document), "--save", "--city", "洛阳市")
    assert (status, lines) == (2, [])
    assert err == (
        "atlas figures: Expected at least one figure the review accepts in 'note.txt'; got none "
        "of 0 proposals (0 accepted but not a figure). Nothing was saved: write them with "
        "--out, review them in the app's figures page, or save them from a figures table "
        "(`atlas figures read`).\n"
    )
    assert atlas("datasets")[1] == []


def test_extract_needs_out_or_save(atlas):
    status, _, err = atlas("figures", "extract", str(REPORT))
    assert status == 2
    assert err == (
        "atlas figures: Expected --out, or --save to keep it in the workspace, or both.\n"
    )
