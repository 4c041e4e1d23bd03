"""Saving, loading, the current state and changes, on both back ends with the same code."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

from geo import infra, records
from geo.figures import load_figures
from store import DatasetError, UnknownDatasetError, Workspace, parse_ref
from store.changes import compare

from .conftest import LEDGER, SURVEY, monthly_ledger


def _save_example(workspace: Workspace, ledger, name: str = "xinxiang"):
    return workspace.save_ledger(
        ledger,
        name=name,
        user="clerk",
        data=LEDGER.read_bytes(),
        file_name=LEDGER.name,
        datum="gcj02",
    )


def test_a_saved_ledger_loads_back_equal_frames_bytes_and_counts(workspace, example_ledger):
    info = _save_example(workspace, example_ledger)
    assert (info.ref, info.saved_by, info.datum, info.file_name) == (
        "xinxiang@1",
        "clerk",
        "gcj02",
        "synthetic-ledger-xinxiang.csv",
    )
    assert (info.rows, info.clean, info.quarantined) == (31, 26, 5)
    assert info.by_reason == {
        "approximate_number": 1,
        "duplicate_conflict": 2,
        "swapped_lon_lat": 1,
        "total_row": 1,
    }
    assert info.covers == ("410702", "410703", "410704", "410711", "410771")
    saved = workspace.load("xinxiang", 1)
    assert saved.data == LEDGER.read_bytes()
    assert saved.info.sha256 == "7cbd7bdf749066fa2d203e18b096649eda5e15feb5ff18ed42618cfc24fea519"
    ledger = saved.content
    assert_geodataframe_equal(ledger.projects, example_ledger.projects)
    pd.testing.assert_frame_equal(ledger.quarantine, example_ledger.quarantine)
    assert ledger.projects["adcode"].dtype == example_ledger.projects["adcode"].dtype
    assert ledger.summary() == example_ledger.summary()
    assert (ledger.columns, ledger.stages) == (example_ledger.columns, example_ledger.stages)
    assert (ledger.encoding, ledger.sheet) == ("utf-8-sig", None)


def test_a_saved_survey_loads_back_equal_features_extent_and_quarantine(workspace):
    survey = infra.read_infra(SURVEY)
    info = workspace.save_infra(
        survey, name="survey", user="surveyor", data=SURVEY.read_bytes(), file_name=SURVEY.name
    )
    assert (info.kind, info.clean, info.quarantined, info.rows) == ("infra", 3162, 2, 3164)
    assert info.covers == ("410702", "410703", "410711")
    back = workspace.load("survey").content
    assert_geodataframe_equal(back.features, survey.features)
    pd.testing.assert_frame_equal(back.quarantine, survey.quarantine)
    assert back.extent.equals_exact(survey.extent, 0)
    assert (back.source, back.kind) == (survey.source, survey.kind)
    current = workspace.current_features(city="新乡市")
    assert len(current) == 3162 and set(current["version"]) == {1}


def test_a_figures_table_keeps_its_rows_and_document_text(workspace):
    table = load_figures()
    workspace.save_figures(
        table, name="figures", user="editor", documents={"doc.txt": "正文 29.19 万㎡"}
    )
    back = workspace.load("figures").content
    pd.testing.assert_frame_equal(back.figures, table)
    assert back.documents == {"doc.txt": "正文 29.19 万㎡"}
    assert (back.figures["doc_number"] == "").any()  # an empty text stays empty, not missing


def test_a_monthly_ledger_replaces_only_its_districts_rows(workspace, example_ledger, tmp_path):
    _save_example(workspace, example_ledger)
    month = monthly_ledger(tmp_path)
    ledger = records.read_ledger(month, crs_name="gcj02")
    info = workspace.save_ledger(
        ledger, name="xinxiang", user="weibin", data=month.read_bytes(), file_name=month.name
    )
    assert (info.version, info.covers) == (2, ("410703",))
    current = workspace.current_projects(city="新乡市")
    first = example_ledger.projects
    others = first[first["adcode"] != "410703"]
    assert len(current) == len(others) + len(ledger.projects)
    weibin = current[current["adcode"] == "410703"]
    assert set(weibin["version"]) == {2}
    assert sorted(weibin["name"]) == sorted(ledger.projects["name"])
    kept = current[current["adcode"] != "410703"]
    assert set(kept["version"]) == {1}
    assert sorted(kept["name"]) == sorted(others["name"])
    assert set(current["dataset"]) == {"xinxiang"}
    assert (
        len(workspace.current_projects(districts=["410704"])) == (first["adcode"] == "410704").sum()
    )
    assert workspace.current_projects(city="焦作市").empty


def test_changes_between_two_versions_name_the_rows_and_columns(
    workspace, example_ledger, tmp_path
):
    _save_example(workspace, example_ledger)
    month = monthly_ledger(tmp_path)
    workspace.save_ledger(
        records.read_ledger(month, crs_name="gcj02"),
        name="xinxiang",
        user="weibin",
        data=month.read_bytes(),
        file_name=month.name,
        covers=["410703"],
    )
    changes = workspace.diff("xinxiang", 1, 2)
    weibin = changes[changes["adcode"] == "410703"]
    assert weibin[["change", "name"]].values.tolist() == [
        ["added", "新建小区"],
        ["changed", "幸小区"],
        ["removed", "福东小区"],
    ]
    changed = weibin[weibin["change"] == "changed"].iloc[0]
    assert changed["columns"] == "status, households, finish_date"
    assert (changed["before"], changed["after"]) == (
        {"status": "started", "households": 352, "finish_date": None},
        {"status": "completed", "households": 360, "finish_date": "2024-05-20"},
    )
    # v2 holds only 卫滨区, so the other districts' rows are 'removed' in the version diff.
    assert set(changes.loc[changes["adcode"] != "410703", "change"]) == {"removed"}
    assert workspace.diff("xinxiang", 1, 1).empty


def test_a_version_against_itself_is_read_once_and_changes_nothing(
    workspace, example_ledger, monkeypatch
):
    # The history page of a dataset of one version compares it with itself: a national
    # ledger's version (300,000 rows) was read twice and compared row by row, for nothing.
    _save_example(workspace, example_ledger)
    read = []
    load = Workspace.load
    monkeypatch.setattr(
        Workspace, "load", lambda self, *args, **kw: read.append(args) or load(self, *args, **kw)
    )
    same = workspace.diff("xinxiang", 1, 1, covered=True)
    assert read == [("xinxiang", 1)]
    assert same.empty
    monkeypatch.undo()
    compared = compare("ledger", example_ledger.projects, example_ledger.projects.copy())
    assert compared.empty
    assert same.columns.tolist() == compared.columns.tolist()


def test_changes_of_a_survey_and_of_figures_name_their_districts(workspace):
    # A later version of each covering fewer rows: the History page's default (the districts
    # the later version covers) once raised KeyError 'adcode' for both kinds.
    survey = infra.read_infra(SURVEY)
    for features in (survey.features, survey.features.iloc[5:].reset_index(drop=True)):
        part = dataclasses.replace(survey, features=features)
        workspace.save_infra(part, name="survey", user="surveyor", data=b"x", file_name=SURVEY.name)
    removed = workspace.diff("survey", 1, 2, covered=True)
    assert removed["change"].tolist() == ["removed"] * 5
    assert sorted(removed["source_id"]) == sorted(survey.features["source_id"].iloc[:5])
    assert set(removed["adcode"]) <= set(workspace.info("survey", 2).covers)
    seed = load_figures()
    table = seed[seed["city"] == "新乡市"].reset_index(drop=True)
    workspace.save_figures(table, name="figures", user="editor")
    workspace.save_figures(table.assign(value=table["value"] + 1), name="figures", user="editor")
    changed = workspace.diff("figures", 1, 2, covered=True)
    assert set(changed["change"]) == {"changed"} and len(changed) == len(table)
    assert changed["place"].tolist() == table.sort_values("figure_id")["place"].tolist()


def test_history_and_the_dataset_list_say_who_when_and_how_many(workspace, example_ledger):
    _save_example(workspace, example_ledger)
    _save_example(workspace, example_ledger)
    history = workspace.history("xinxiang")
    assert [v.version for v in history] == [1, 2]
    assert history[0].to_dict()["saved_at"].endswith("Z")
    assert workspace.list_datasets() == [
        {
            "name": "xinxiang",
            "kind": "ledger",
            "versions": 2,
            "latest": 2,
            "saved_at": history[1].to_dict()["saved_at"],
            "saved_by": "clerk",
        }
    ]


def test_unknown_names_and_versions_say_what_there_is(workspace, example_ledger):
    with pytest.raises(UnknownDatasetError, match=r"No dataset 'nope' .* it holds: none yet"):
        workspace.load("nope")
    _save_example(workspace, example_ledger)
    with pytest.raises(UnknownDatasetError) as caught:
        workspace.load("xinxiang", 7)
    assert str(caught.value) == (
        "Dataset 'xinxiang' has no version 7; it has versions 1–1. See `atlas history xinxiang`."
    )
    with pytest.raises(UnknownDatasetError):
        workspace.current_projects(dataset="nope")


def test_a_save_into_another_kind_or_with_bad_counts_is_refused_whole(workspace, example_ledger):
    _save_example(workspace, example_ledger, name="mixed")
    survey = infra.read_infra(SURVEY)
    with pytest.raises(DatasetError, match="holds ledger versions; a infra cannot be saved"):
        workspace.save_infra(survey, name="mixed", user="u", data=b"x", file_name="s.geojson")
    broken = records.Ledger(
        example_ledger.projects, example_ledger.quarantine, 99, {}, [], None, None
    )
    with pytest.raises(DatasetError, match=r"Expected rows = clean \+ quarantined; got 99"):
        workspace.save_ledger(broken, name="mixed", user="u", data=b"x", file_name="l.csv")
    assert [v.version for v in workspace.history("mixed")] == [1]


@pytest.mark.parametrize("name", ["", " ", "\x01x", "a@b", "a/b", "x" * 101])
def test_dataset_names_are_checked(workspace, example_ledger, name):
    with pytest.raises(DatasetError, match="Expected a dataset name"):
        _save_example(workspace, example_ledger, name=name)


@pytest.mark.parametrize(
    ("text", "expected"), [("xinxiang", ("xinxiang", None)), ("新乡-2026@3", ("新乡-2026", 3))]
)
def test_parse_ref(text, expected):
    assert parse_ref(text) == expected
    with pytest.raises(DatasetError):
        parse_ref("x@latest")


def test_the_table_rows_hold_the_same_frames_as_the_snapshot(workspace, example_ledger):
    from sqlalchemy import select

    from store.schema import projects, quarantine, versions

    _save_example(workspace, example_ledger)
    with workspace._begin() as conn:
        version_id, specs = conn.execute(select(versions.c.id, versions.c.frames)).one()
        rows = workspace._read_frame(conn, projects, version_id, specs["rows"])
        refused = workspace._read_frame(conn, quarantine, version_id, specs["quarantine"])
    assert_geodataframe_equal(rows, example_ledger.projects)
    pd.testing.assert_frame_equal(refused, example_ledger.quarantine)
