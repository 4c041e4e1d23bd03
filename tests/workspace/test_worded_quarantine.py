"""
A saved quarantine is worded when it is shown, whenever it was saved.

The readers emit a reason code with its column and detail, and layers words them; a version
saved before they did holds its words (``message_zh``, ``message_en``) instead. Both open,
side by side in one current state, and read the same on screen and in the files.
"""

from __future__ import annotations

import dataclasses
import io

import pandas as pd

from layers.tables import csv_bytes, quarantine_rows
from layers.wording import quarantine_messages

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
