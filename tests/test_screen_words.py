"""
Every page of the app, in both languages, with data loaded, speaks the planner's language.

A team workspace holds the example ledger saved twice (the second a 卫滨区 monthly ledger, so
History has two versions), the example survey and figures saved from a seed document, each
twice too (a bus stop moved and renamed, every figure's value changed); the session logs in
as its admin, loads the example ledger and survey on their pages, proposes a seed document's
figures and uploads a figures table (one row refused) on the figures page. Then each page of
app.py's navigation is run, the account page again with a version open and History of the
survey and of the figures, and checked with :mod:`tests._screen`: no snake_case code,
``None``, Python repr, UTC time, bare long number or word of the other language on screen,
except what the planner's own data say (place names, the documents' wording, the files'
cells, account and dataset names). A failure lists every finding, page by page.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
from pathlib import Path

import argon2
import numpy as np
import pandas as pd
import pytest
import shapely
import streamlit as st
from _screen import screen_problems, screen_texts
from streamlit.testing.v1 import AppTest

from geo import figures, infra, records
from geo.boundaries import read_admin_index
from geo.documents.extract import extract_figures
from geo.documents.read import read_document
from geo.documents.review import accept_figures, suggest_decisions
from geo.gazetteer import list_zones
from store import Workspace
from store.accounts import acting_user
from tests._pages import open_page
from tests.workspace.conftest import LEDGER, SURVEY, monthly_ledger

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "app.py")
TIMEOUT = 180
PASSWORD = "correct horse battery"
LEDGER_NAME = "synthetic-ledger-xinxiang"
SEED = "002_b03d685b680bd4c7.txt"
MOVED_NAME = "新站"  # the bus stop the survey's second version renames
#: A filled-in figures table: one good row, one the reader refuses (an unknown metric).
FIGURE_TABLE_TEXT = (
    "地区,城市,时期,状态,指标,数值（原文）,文号,发文机关,日期,文件名称,行号或页码\n"
    "红旗区,新乡市,2024,计划,户数,2673户,新测〔2024〕1号,新乡市住建局,2024-03-01,测试方案,第5行\n"
    "卫滨区,新乡市,2024,计划,路灯数,12个,新测〔2024〕1号,新乡市住建局,2024-03-01,测试方案,第6行\n"
)
#: The pages of app.py's navigation, in its order.
PAGES = re.findall(r'^    \("(\w+)", ', (REPO / "app.py").read_text("utf-8"), flags=re.MULTILINE)


def _save_figures(workspace: Workspace, seed: Path, user) -> pd.DataFrame:
    """Figures proposed from a seed document, accepted as suggested, saved; the proposals."""
    document = read_document(seed.read_bytes(), name=seed.name)
    extraction = extract_figures(document)
    proposals = extraction.figures.assign(decision=suggest_decisions(extraction.figures))
    info = extraction.info
    source = {k: str(info.get(k) or "") for k in ("doc_number", "issuer", "doc_date", "title")}
    accepted, _ = accept_figures(
        proposals, document, doc_id=f"doc-{document.sha256[:12]}", source=source
    )
    # Saved twice, the second with every value one more, so History has changed figures.
    for version in (accepted, accepted.assign(value=accepted["value"] + 1)):
        workspace.save_figures(
            version, name="xinxiang-2023", user=user, documents={seed.name: document.text()},
            data=seed.read_bytes(), file_name=seed.name,
        )  # fmt: skip
    return proposals


def _save_survey(workspace: Workspace, user) -> None:
    """The example survey saved twice, the second with a bus stop moved and renamed."""
    survey = infra.read_infra(SURVEY)
    moved = survey.features.copy()
    stop = int(np.flatnonzero(moved["type"] == "accessible_bus_stop")[0])
    moved.loc[stop, "geometry"] = shapely.affinity.translate(moved.geometry[stop], xoff=0.0001)
    moved.loc[stop, "name"] = MOVED_NAME
    for features in (survey.features, moved):
        workspace.save_infra(
            dataclasses.replace(survey, features=features), name=SURVEY.stem, user=user,
            data=SURVEY.read_bytes(), file_name=SURVEY.name,
        )  # fmt: skip


def _file_strings(path: Path) -> set[str]:
    """Every header and cell of a CSV ledger, or every property of a GeoJSON survey."""
    if path.suffix == ".csv":
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    else:
        table = pd.DataFrame(infra.read_infra(path).features.drop(columns="geometry"))
        table = pd.concat([table, pd.read_json(path)["features"].map(lambda f: f["properties"])
                           .apply(pd.Series)])  # fmt: skip
    cells = [str(c) for c in table.to_numpy().ravel() if not pd.isna(c)]
    # A cell listing things (管网、外墙; a/b) is shown item by item too.
    items = [item for cell in cells for item in re.split(r"[、,，;；/|]", cell)]
    return {*map(str, table.columns), *cells, *items}


def _team_settings(patch: pytest.MonkeyPatch) -> None:
    """A team server's settings (login required), with a quick password hash for the tests."""
    patch.setenv("ATLAS_AUTH", "on")
    patch.setenv("ATLAS_SECRET_KEY", "s" * 40)
    patch.setenv("ATLAS_SESSION_ROUTES", "1")  # as server.py mounts the login routes
    patch.setattr(
        "store.accounts._HASHER", argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture(scope="module")
def team_workspace(tmp_path_factory, workspace_template, seeds_dir):
    """
    A team workspace with every kind of dataset saved, built once for the module: the folder
    of its file, and the planner's own strings.
    """
    folder, files = tmp_path_factory.mktemp("team"), tmp_path_factory.mktemp("team-files")
    # An empty workspace, made as `atlas db init` makes it (conftest's template).
    shutil.copyfile(workspace_template, folder / workspace_template.name)
    with pytest.MonkeyPatch.context() as patch:
        _team_settings(patch)
        patch.setenv("ATLAS_DATA_DIR", str(folder))
        month = monthly_ledger(files)
        with Workspace() as workspace:
            workspace.add_account("admin", role="admin", password=PASSWORD)
            admin = workspace.login("admin", PASSWORD).account
            workspace.add_account(
                "weibin", role="district", city="新乡市", districts=["卫滨区"],
                password=PASSWORD, user=admin,
            )  # fmt: skip
            for path in (LEDGER, month):
                workspace.save_ledger(
                    records.read_ledger(path, crs_name="gcj02"), name=LEDGER_NAME, user=admin,
                    data=path.read_bytes(), file_name=path.name, datum="gcj02",
                )  # fmt: skip
            _save_survey(workspace, admin)
            proposals = _save_figures(workspace, seeds_dir / SEED, admin)
    table = files / "figures-table.csv"
    table.write_text(FIGURE_TABLE_TEXT, encoding="utf-8")
    return folder, _planners_strings(proposals, month, table)


@pytest.fixture
def team(team_workspace, monkeypatch):
    """The team workspace copied in as this test's own; returns the planner's own strings."""
    folder, strings = team_workspace
    _team_settings(monkeypatch)
    st.cache_resource.clear()
    st.cache_data.clear()
    # The file and what lies beside it (its last commit's record), over conftest's empty one.
    mine = Path(os.environ["ATLAS_DATA_DIR"])
    for path in folder.glob("atlas.sqlite*"):
        shutil.copyfile(path, mine / path.name)
    yield strings
    st.cache_resource.clear()
    st.cache_data.clear()


def _planners_strings(proposals: pd.DataFrame, month: Path, table: Path) -> set[str]:
    """What the planner's data say: place names, document wording, files' cells, names."""
    places = read_admin_index()[["province", "city", "district"]].to_numpy().ravel()
    zones = list_zones()[["name", "city"]].to_numpy().ravel()
    seed = figures.load_figures()
    wording = seed[["place", "as_written", "doc_number", "issuer", "title", "period_label"]]
    notes = figures.load_notes()[["district", "community", "content_tags"]]
    # The document's own words, as the figures page proposes them (its text, units, places).
    document = proposals[["as_written", "context", "place", "unit"]].astype(str)
    strings = {
        *map(str, places), *map(str, zones), *wording.astype(str).to_numpy().ravel(),
        *notes.astype(str).to_numpy().ravel(), *document.to_numpy().ravel(),
        *_file_strings(LEDGER), *_file_strings(month), *_file_strings(SURVEY),
        *_file_strings(table),
        LEDGER_NAME, SURVEY.stem, "xinxiang-2023", "admin", "weibin", "新乡市卫滨区", MOVED_NAME,
        acting_user(),  # the machine's user, who prepared the workspace (the audit's first row)
        # What the exported files call their layers, as QGIS lists them (app_pages/export.py).
        *("districts", "projects", "quarantine", "reconciliation", "infra_points"),
        *("infra_lines", "coverage"),
    }  # fmt: skip
    # Words and names, not numbers: a cell "2000" must not hide the 2000 of CGCS2000.
    return {s for s in strings if re.search(r"[^\W\d_]", s)}


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def _session(lang: str, seeds_dir: Path) -> AppTest:
    """Logged in as the admin, the example ledger and survey read, a seed document proposed."""
    # The session the server's login route starts (its cookie's token, here).
    with Workspace() as workspace:
        token = workspace.login("admin", PASSWORD).token
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["session_token"] = token
    at.query_params["lang"] = lang
    at.query_params["dataset"] = LEDGER_NAME
    _run(at)
    open_page(at, "ledger")
    _run(at)
    at.button[1].click()  # the example ledger
    _run(at)
    open_page(at, "accessibility")
    _run(at)
    at.button[1].click()  # the example survey
    _run(at)
    open_page(at, "figures")
    _run(at)
    seed = seeds_dir / SEED
    at.file_uploader(key="doc-upload").upload(seed.name, seed.read_bytes(), "text/plain")
    _run(at)
    at.button(key="doc-extract").click()
    _run(at)
    table = FIGURE_TABLE_TEXT.encode()
    at.file_uploader(key="table-upload").upload("figures-table.csv", table, "text/csv")
    _run(at)
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_speaks_the_planners_language(lang, team, seeds_dir):
    assert len(PAGES) == 15  # the scan found app.py's navigation (the 优先 page is the 15th)
    at = _session(lang, seeds_dir)
    problems = []
    for page in PAGES:
        open_page(at, page)
        _run(at)
        problems += [f"{page} {p}" for p in screen_problems(screen_texts(at), lang, data=team)]
    # A version opened on the account page: its record and rows.
    open_page(at, "account")
    at.selectbox(key="account_version").set_value(f"{LEDGER_NAME}@2")
    _run(at)
    problems += [f"account@2 {p}" for p in screen_problems(screen_texts(at), lang, data=team)]
    # History of the survey (a bus stop moved and renamed) and of the figures (values changed).
    open_page(at, "history")
    _run(at)
    for name in (SURVEY.stem, "xinxiang-2023"):
        at.selectbox(key="dataset").set_value(name)
        _run(at)
        assert at.dataframe, f"no changes shown for {name}"
        shown = screen_problems(screen_texts(at), lang, data=team)
        problems += [f"history {name} {p}" for p in shown]
    assert problems == [], "\n".join(problems)
