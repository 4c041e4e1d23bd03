"""
A saved quarantine is worded when it is shown, whenever it was saved.

The readers emit a reason code with its column and detail, and layers words them; a version
saved before they did holds its words (``message_zh``, ``message_en``) instead. Both open,
side by side in one current state, and read the same on screen and in the files.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import types

import openpyxl
import pandas as pd

from geo import records
from layers import wording
from layers.spreadsheets import csv_bytes, xlsx_bytes
from layers.tables import quarantine_rows
from layers.wording import label, quarantine_messages

from .conftest import LEDGER


def _save(workspace, ledger, name: str):
    return workspace.save_ledger(
        ledger, name=name, user="clerk", data=LEDGER.read_bytes(), file_name=LEDGER.name
    )


def test_a_quarantine_saved_with_its_words_still_reads_and_beside_a_coded_one(
    workspace, example_ledger
):
    # What a reader wrote before it emitted codes: the messages in place of the details.
    worded = quarantine_messages(example_ledger.quarantine)
    assert "detail_zh" not in worded and "message_zh" in worded
    _save(workspace, dataclasses.replace(example_ledger, quarantine=worded), "before")
    _save(workspace, example_ledger, "now")

    before = workspace.load("before").content.quarantine
    pd.testing.assert_frame_equal(before, worded)
    now = workspace.load("now").content.quarantine
    assert {"detail_zh", "detail_en"} <= set(now.columns)
    for lang in ("zh", "en"):
        assert quarantine_rows(before, lang).equals(quarantine_rows(now, lang))
    shown = quarantine_rows(now, "zh").set_index("台账行号")
    assert shown.loc[32, "说明"] == "合计行，不是小区"

    # One current state holding both: every row worded, none empty.
    current = workspace.current_quarantine("ledger")
    assert sorted(set(current["dataset"])) == ["before", "now"]
    rows = quarantine_rows(current, "en")
    assert rows["Message"].str.len().gt(0).all()
    by_dataset = rows.groupby(rows.iloc[:, 0].str.split("@").str[0])["Message"].apply(list)
    assert by_dataset["before"] == by_dataset["now"]

    # A file carries the code and both languages' words, as it did before.
    written = pd.read_csv(io.BytesIO(csv_bytes(now)), dtype=str, keep_default_na=False)
    assert written.columns[:5].tolist() == ["row", "reason", "column", "message_zh", "message_en"]
    total = written[written["reason"] == "total_row"].iloc[0]
    assert (total["message_zh"], total["message_en"]) == (
        "合计行，不是小区",
        "a total row, not a community",
    )


# A row whose words name no district, beside a point in 红旗区 (GCJ-02 read as WGS84), then
# a clean row: the quarantine's detail quotes the words, its words come from a code.
WRITTEN = (
    "小区名称,所属区县,所属城市,改造年度,户数,经度,纬度\n"
    "甲,幸福<b>区,新乡,2023,80,113.8687,35.3017\n"
    "乙,卫滨区,新乡,2023,80,,\n"
)
SAID = {
    "zh": "所填区县与坐标所在区县不一致：所填 '幸福<b>区' / '新乡' 未指明唯一区县，坐标落在 红旗区",
    "en": "the named district disagrees with the point: '幸福<b>区' / '新乡' as written names no "
    "single district; the point is in 红旗区",
}


def _save_written(workspace, name: str, edit=None):
    data = WRITTEN.encode()
    ledger = records.read_ledger(data, name="t.csv", crs_name="wgs84")
    if edit is not None:
        ledger = dataclasses.replace(ledger, quarantine=edit(ledger.quarantine.copy()))
    workspace.save_ledger(ledger, name=name, user="clerk", data=data, file_name="t.csv")
    return workspace.load(name).content.quarantine


def _messages(quarantine, lang: str) -> list[str]:
    return quarantine_rows(quarantine, lang)[label("col_message", lang)].tolist()


def test_a_saved_quarantine_keeps_codes_and_is_worded_in_the_language_shown(workspace, monkeypatch):
    saved = _save_written(workspace, "written")
    # Saved as the reader gave it: a code, its parameters and the words as written, no words.
    assert "message_zh" not in saved and "message_en" not in saved
    assert saved["detail_zh"].tolist() == saved["detail_en"].tolist() == ["'幸福<b>区' / '新乡'"]
    assert json.loads(saved["detail_params"].iloc[0])["code"] == "written_point_elsewhere"
    for lang in ("zh", "en"):
        assert _messages(saved, lang) == [SAID[lang]]
    current = workspace.current_quarantine("ledger")
    assert _messages(current, "en") == [SAID["en"]]
    assert not re.search(r"[A-Za-z]{3,}", _messages(current, "zh")[0].replace("<b>", ""))

    # The words change after the save: the saved version reads in the new ones, in each
    # language, on screen and in its files (CSV, XLSX), not in the words of its save.
    changed = {"zh": "所填 {detail}；坐标在 {county}", "en": "wrote {detail}; point in {county}"}
    labels = {**wording.LABELS, "qdetail_written_point_elsewhere": changed}
    monkeypatch.setattr(wording, "LABELS", types.MappingProxyType(labels))
    again = workspace.load("written").content.quarantine
    now = {
        "zh": "所填区县与坐标所在区县不一致：所填 '幸福<b>区' / '新乡'；坐标在 红旗区",
        "en": "the named district disagrees with the point: wrote '幸福<b>区' / '新乡'; point in "
        "红旗区",
    }
    for lang in ("zh", "en"):
        assert _messages(again, lang) == [now[lang]]
    written = pd.read_csv(io.BytesIO(csv_bytes(again)), dtype=str, keep_default_na=False)
    assert written[["message_zh", "message_en"]].values.tolist() == [[now["zh"], now["en"]]]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"quarantine": again}))).active
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[1][cells[0].index("message_zh")] == now["zh"]
    assert cells[1][cells[0].index("message_en")] == now["en"]


def test_a_version_saved_with_a_detail_code_no_longer_given_still_reads_in_both_languages(
    workspace,
):
    # Before the words a row wrote were quoted, such a row was saved as
    # unnamed_point_elsewhere with no detail: its words stay, in each language.
    def before(quarantine):
        params = json.dumps(
            {"code": "unnamed_point_elsewhere", "county": "红旗区"}, ensure_ascii=False
        )
        return quarantine.assign(detail_zh="", detail_en="", detail_params=params)

    saved = _save_written(workspace, "before", before)
    assert _messages(saved, "zh") == [
        "所填区县与坐标所在区县不一致：所填区县/城市与坐标不符，坐标落在 红旗区"
    ]
    assert _messages(saved, "en") == [
        "the named district disagrees with the point: the named place does not match; the point "
        "is in 红旗区"
    ]
