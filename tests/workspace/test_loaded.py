"""Tests for store/loaded.py: a version, a dataset's current state, every dataset's, as the
pages open them (the same objects the readers return, rows tagged with their version)."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely

from geo import boundaries, infra, records
from layers.wording import error_text
from store import DatasetError, UnknownDatasetError
from store.loaded import open_figures, open_infra, open_ledger

from .conftest import LEDGER, SURVEY, monthly_ledger


def _save(workspace, path, name, user="clerk", **kwargs):
    ledger = records.read_ledger(path, crs_name="gcj02")
    return workspace.save_ledger(
        ledger, name=name, user=user, data=path.read_bytes(), file_name=path.name, **kwargs
    )


def test_nothing_saved_opens_nothing(workspace):
    assert open_ledger(workspace, None) is None
    assert open_infra(workspace, "") is None
    with pytest.raises(UnknownDatasetError):
        open_ledger(workspace, "nobody@1")


def test_a_version_a_dataset_and_every_dataset(workspace, tmp_path):
    first = _save(workspace, LEDGER, "xinxiang")
    month = monthly_ledger(tmp_path)
    _save(workspace, month, "xinxiang", user="weibin")
    one = open_ledger(workspace, "xinxiang@1")
    assert one.refs == ["xinxiang@1"] and len(one.content.projects) == first.clean
    assert set(one.content.projects["version"]) == {1}
    assert len(one.content.quarantine) == first.quarantined
    current = open_ledger(workspace, "xinxiang")
    assert current.refs == ["xinxiang@1", "xinxiang@2"]
    by_version = current.content.projects.groupby("adcode")["version"].agg(set)
    assert by_version["410703"] == {2} and by_version["410702"] == {1}
    # The quarantine is that of the versions the rows come from, and the counts add up.
    ledger = current.content
    assert ledger.rows == len(ledger.projects) + len(ledger.quarantine)
    assert set(ledger.quarantine["version"]) <= {1, 2}
    assert ledger.projects.crs.to_epsg() == 4326
    everything = open_ledger(workspace, "")
    assert everything.refs == current.refs


def test_the_current_infrastructure_extent_is_each_version_within_its_districts(workspace):
    survey = infra.read_infra(SURVEY)
    weibin = "410703"
    workspace.save_infra(
        survey,
        name="survey",
        user="clerk",
        data=SURVEY.read_bytes(),
        file_name=SURVEY.name,
        covers=[weibin],
    )
    opened = open_infra(workspace, "survey")
    outline = boundaries.load_boundaries("district").set_index("adcode").geometry[weibin]
    # Features of every district are saved, but only 卫滨区 is spoken for: the extent is
    # the survey's extent within 卫滨区, so the neighbours stay "no data", never 0.
    extent = opened.content.extent
    assert extent.area <= outline.area * 1.000001
    expected = shapely.intersection(survey.extent, outline)
    assert shapely.symmetric_difference(expected, extent).area < expected.area * 1e-9
    assert set(opened.content.features["version"]) == {1}
    assert opened.content.kind == survey.kind


def test_the_current_quarantine_is_that_of_the_version_current_for_each_district(
    workspace, tmp_path
):
    _save(workspace, LEDGER, "xinxiang")
    month = monthly_ledger(tmp_path)
    _save(workspace, month, "xinxiang", user="weibin")
    refused = open_ledger(workspace, "xinxiang").content.quarantine
    # @2 replaced 卫滨区: @1's four 卫滨区 rows are gone; its total row (no district) stays
    # while @1 gives the other districts; each row says which file its number is in.
    assert refused[["dataset", "version", "row", "reason"]].values.tolist() == [
        ["xinxiang", 1, 32, "total_row"],
        ["xinxiang", 2, 9, "approximate_number"],
        ["xinxiang", 2, 10, "swapped_lon_lat"],
    ]
    assert refused["adcode"].tolist() == [pd.NA, "410703", "410703"]
    # The version itself keeps all of its own quarantine.
    assert len(open_ledger(workspace, "xinxiang@1").content.quarantine) == 5
    # Another dataset covering 卫滨区 replaces nothing of this one's.
    _save(workspace, month, "weibin-monthly", user="weibin")
    everything = open_ledger(workspace, "").content.quarantine
    assert everything.groupby(["dataset", "version"]).size().to_dict() == {
        ("weibin-monthly", 1): 2,
        ("xinxiang", 1): 1,
        ("xinxiang", 2): 2,
    }


def test_a_district_no_later_version_covers_keeps_its_quarantined_rows(workspace, tmp_path):
    # 获嘉县's only row is refused (an approximate count), so no version covers 获嘉县: the
    # row stays in view whatever later versions replace.
    text = LEDGER.read_text(encoding="utf-8-sig")
    extra = "获嘉小区,新乡市,获嘉县,2023,约100,2,1.0,外墙,计划,50,,,gcj02,合成示例 (synthetic),,\n"
    first = tmp_path / "first.csv"
    first.write_text(text + extra, encoding="utf-8")
    _save(workspace, first, "xinxiang")
    _save(workspace, monthly_ledger(tmp_path), "xinxiang", user="weibin")
    refused = open_ledger(workspace, "xinxiang").content.quarantine
    huojia = refused[refused["adcode"] == "410724"]
    assert huojia[["version", "reason"]].values.tolist() == [[1, "approximate_number"]]


def test_a_version_of_another_kind_is_refused_by_name(workspace):
    _save(workspace, LEDGER, "xinxiang")
    survey = infra.read_infra(SURVEY)
    workspace.save_infra(
        survey, name="survey", user="clerk", data=SURVEY.read_bytes(), file_name=SURVEY.name
    )
    with pytest.raises(DatasetError) as ledger_asked:
        open_infra(workspace, "xinxiang@1")
    assert str(ledger_asked.value) == (
        "Expected an infrastructure dataset, got 'xinxiang@1', which holds a ledger. Name "
        "one (`atlas datasets` lists them)."
    )
    assert [error_text(ledger_asked.value, lang) for lang in ("zh", "en")] == [
        "xinxiang@1 是台账数据，这里需要无障碍设施数据。请选择一份无障碍设施数据。",
        "xinxiang@1 holds ledger, and this needs accessibility features. Choose a dataset of "
        "accessibility features.",
    ]
    with pytest.raises(DatasetError, match=r"^Expected a ledger dataset, got 'survey@1', which"):
        open_ledger(workspace, "survey@1")
    with pytest.raises(DatasetError, match=r"^Expected a figures dataset, got 'survey@1', which"):
        open_figures(workspace, "survey@1")
