"""
Every page keeps the planner's choices across the language switch, and a click after it works.

The switch renames every label and option: a widget the page does not carry over is a new
one to Streamlit, drawn with its default (the choice silently lost), and in the browser the
next click sent the other language's option name back (the 优先 page raised
``KeyError: 'Balanced'``). For each page of app.py, with the example ledger and survey in
view: two choices made in one language, the switch, a third choice; every choice is still
chosen, by its value, and nothing raised. Both ways, zh → en and en → zh.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages import infra, ledger
from app_pages._ui.loaded import INFRA_KEY, LEDGER_KEY, LoadedInfra, LoadedLedger
from geo import crs, reconcile, records
from geo import infra as geo_infra
from geo.figures import load_figures
from layers.wording import label
from store import Workspace
from store.accounts import local_account
from tests._pages import open_page

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "app.py")
TIMEOUT = 120
#: The url_path of every page in app.py's navigation.
URL_PATHS = re.findall(r'^    \("(\w+)", ', (REPO / "app.py").read_text("utf-8"), re.MULTILINE)
KINDS = ("radio", "selectbox", "multiselect")
OTHER = {"zh": "en", "en": "zh"}
#: The button a page needs clicked before it offers its choices (the example network, a plan
#: saved from the reported figures).
SETUP = {
    "reach": "reach_example",
    "siting": "siting_example",
    "lifecircle": "lc_example",
    "progress": "plan-save-figures",
}
#: The pages that offer choices among the workspace's saved versions: two saved first.
SAVED = {"history", "account"}


@pytest.fixture(scope="module")
def example():
    """The shipped example ledger and survey, read once, as their buttons read them."""
    data = ledger.EXAMPLE_FILE.read_bytes()
    read = records.read_ledger(data, name=ledger.EXAMPLE_FILE.name)
    table = reconcile.reconcile(read.projects, load_figures())
    loaded = LoadedLedger(read, ledger.EXAMPLE_FILE.name, table, data=data)
    survey = infra.EXAMPLE_FILE.read_bytes()
    found = geo_infra.read_infra(survey, name=infra.EXAMPLE_FILE.name)
    return loaded, LoadedInfra(found, infra.EXAMPLE_FILE.name, "example", data=survey)


def _options(at: AppTest, widget) -> list:
    """The widget's options as values (AppTest names them only by their words)."""
    metadata = at.session_state._state._state._new_widget_state.widget_metadata[widget.id]
    return list(metadata.deserializer.__self__.options)


def _choices(at: AppTest) -> list:
    """The page's choice widgets that have a key, the language switch aside, page first."""
    found = [w for kind in KINDS for w in at.get(kind) if w.key and w.key != "lang"]
    sidebar = {w.id for kind in KINDS for w in at.sidebar.get(kind)}
    return sorted(found, key=lambda w: w.id in sidebar)


def _choose(at: AppTest, avoid: set[str]) -> tuple[str, object] | None:
    """Make one choice that differs from the page's, on a widget not in ``avoid``; run."""
    for widget in _choices(at):
        if widget.key in avoid or widget.disabled:
            continue
        options = _options(at, widget)
        if widget.type == "multiselect":
            chosen = list(widget.value)
            rest = [o for o in options if o not in chosen]
            value = [*chosen, rest[0]] if rest else chosen[:-1]
        else:
            rest = [o for o in options if o != widget.value]
            value = rest[-1] if rest else None
        if not rest and not (widget.type == "multiselect" and chosen):
            continue
        widget.set_value(value).run()
        assert not at.exception, (widget.key, at.exception)
        return widget.key, value
    return None


def _held(at: AppTest, before: dict) -> None:
    """
    What the browser sends after the switch: a widget the server sent no value keeps its word.

    The browser holds each choice by its words and changes them only on a click or when the
    server sets the widget's value; AppTest words the session's value anew, which hid the bug.
    """
    for widget in _choices(at):
        if widget.id in before and not widget.proto.set_value:
            state = before[widget.id]
            kind = type(widget)
            stale = property(lambda self, state=state: state)
            widget.__class__ = type(f"Held{kind.__name__}", (kind,), {"_widget_state": stale})


def _widgets(at: AppTest, keys) -> dict:
    return {w.key: w for kind in KINDS for w in at.get(kind) if w.key in keys}


def _kept(at: AppTest, made: dict) -> dict:
    """
    The choices ``made`` as the page now holds them; those a later choice took away skipped.

    A choice can take another's option away (a district chosen, a figure it lacks): that is
    the page's filter at work, not the language switch.
    """
    widgets = _widgets(at, made)
    held = {}
    for key, value in made.items():
        options = _options(at, widgets[key])
        if all(v in options for v in (value if isinstance(value, list) else [value])):
            held[key] = widgets[key].value
    return held


def _opened(page: str, example, lang: str, *, saved: bool) -> AppTest:
    """``page`` run in ``lang`` in a session holding the examples; ``saved``: the ledger twice."""
    if saved:
        loaded = example[0]
        with Workspace() as workspace:
            for _ in range(2):
                workspace.save_ledger(
                    loaded.ledger, name="xinxiang", data=loaded.data, file_name=loaded.name,
                    user=local_account(),
                )  # fmt: skip
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state[LEDGER_KEY], at.session_state[INFRA_KEY] = example
    at.session_state["lang"] = lang
    open_page(at, page).run()
    return at


@pytest.mark.parametrize("first", ["zh", "en"])
@pytest.mark.parametrize("page", URL_PATHS)
def test_a_page_keeps_its_choices_across_the_language_switch(page, first, example):
    at = _opened(page, example, first, saved=page in SAVED)
    if page in SETUP:
        at.button(key=SETUP[page]).click().run()
    assert not at.exception, at.exception
    made: dict[str, object] = {}
    for _ in range(2):
        choice = _choose(at, set(made))
        if choice:
            made[choice[0]] = choice[1]
    kept = _kept(at, made)  # each choice stays made while the next is made
    assert kept == {key: made[key] for key in kept}
    made = kept
    before = {w.id: w._widget_state for w in _choices(at)}
    at.radio(key="lang").set_value(OTHER[first]).run()
    assert not at.exception, at.exception
    _held(at, before)
    assert made and {key: widget.value for key, widget in _widgets(at, made).items()} == made
    # A click after the switch (the browser's KeyError came here).
    choice = _choose(at, set(made))
    if choice:
        made[choice[0]] = choice[1]
    else:  # no other choice on the page: any click sends every widget's state again
        at.run()
    assert not at.exception, at.exception
    kept = _kept(at, made)
    assert kept == {key: made[key] for key in kept}


#: Every page with the shared datum widget (app_pages._ui.widgets.datum_select): its key, and
#: how the page comes to draw it (a button, or a list uploaded on the 优先 page).
DATUM_PAGES = {
    "ledger": ("datum-pick", None),  # no file yet: nothing assumed, a datum to choose
    "accessibility": ("infra_datum-file", None),  # a survey: the file's own first
    "lifecircle": ("lc_fac_datum-file", "lc_example"),
    "priorities": ("priorities_datum-file", "upload"),  # a list with a 坐标系 column
}
#: A list of candidates with a point and its datum column.
DATUM_LIST = (
    "小区名称,所属城市,所属区县,户数,经度,纬度,坐标系\n甲小区,新乡市,卫滨区,300,113.9,35.3,wgs84\n"
)


def _shown(widget, held: str | None) -> str | None:
    """
    The words the browser shows in a selectbox: what the server set, else what it held.

    A selectbox set to nothing shows Streamlit's own "Choose an option" (no placeholder).
    """
    proto = widget.proto
    if not proto.set_value:
        return held
    return proto.raw_value if proto.HasField("raw_value") else None


@pytest.mark.parametrize("page", list(DATUM_PAGES))
def test_the_datum_chosen_for_an_upload_outlives_the_language_switch(page):
    key, setup = DATUM_PAGES[page]
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["lang"] = "zh"
    open_page(at, page).run()
    if setup == "upload":
        at.radio(key="priorities_candidates").set_value("uploaded").run()
        data = ("候选.csv", DATUM_LIST.encode("utf-8"), "text/csv")
        at.file_uploader(key="priorities_upload").set_value(data).run()
    elif setup:
        at.button(key=setup).click().run()
    assert not at.exception, at.exception
    in_file = "datum_in_file_survey" if page == "accessibility" else "datum_in_file"
    options = _options(at, at.selectbox(key=key))
    # The datums in order, then (where the file may state it) the file's own.
    chosen = ["gcj02", *(o for o in options if o not in crs.DATUMS)]
    assert len(chosen) == (1 if key.endswith("-pick") else 2)
    for datum in chosen:
        words = {
            lang: label(in_file if datum not in crs.DATUMS else f"datum_{datum}", lang)
            for lang in OTHER
        }
        at.selectbox(key=key).set_value(datum).run()
        for lang in ("en", "zh"):
            held = _shown(at.selectbox(key=key), words[OTHER[lang]])
            at.radio(key="lang").set_value(lang).run()
            assert not at.exception, at.exception
            widget = at.selectbox(key=key)
            assert (_shown(widget, held), widget.value) == (words[lang], datum), (page, lang)


#: The choices a page takes as None for "nothing particular" (a site file's datum as the file
#: says, the city as the document says, no saved version opened), and other worded choices no
#: filter list carries over: page, key (a prefix when it ends in "-"), setup (a button, or
#: "saved": two versions saved first), the first choice's words in English.
WORDED_CHOICES = [
    (
        "siting",
        "siting_candidates_datum-file",
        "siting_example",
        "Stated in the file (GeoJSON: WGS84 unless stated)",
    ),
    ("figures", "doc-city", None, "As the document says"),
    ("account", "account_version", "saved", "(no version opened)"),
    # Not None but "": every dataset's current state, worded as the others are.
    ("ledger", "ledger-open", "saved", "Current state of every dataset"),
    ("progress", "plan-of", None, "新乡市 2023 · 新百城提质办〔2023〕2号 (12 places)"),
    (
        "ledger",
        "reconcile-by-",
        None,
        "By year (ledger rows whose year lies in the reported period)",
    ),
]


def _worded(at: AppTest, key: str):
    """The selectbox or radio ``key`` (or the first whose key starts so, for ``…-``)."""
    found = [
        w
        for kind in ("selectbox", "radio")
        for w in at.get(kind)
        if w.key == key or (key.endswith("-") and (w.key or "").startswith(key))
    ]
    assert found, key
    return found[0]


@pytest.mark.parametrize(("page", "key", "setup", "first"), WORDED_CHOICES)
def test_a_worded_choice_outlives_the_language_switch_in_its_words(
    page, key, setup, first, example
):
    """
    Each choice, the first ("nothing particular") too, is shown in the new language's words.

    Streamlit takes a widget's None as "nothing chosen": a None option was drawn after the
    switch as "Choose an option", the page still acting on it; a choice not carried over kept
    the other language's words.
    """
    at = _opened(page, example, "zh", saved=setup == "saved")
    if setup not in (None, "saved"):
        at.button(key=setup).click().run()
    assert not at.exception, at.exception
    widget = _worded(at, key)
    options = _options(at, widget)
    held = _shown(widget, widget.options[widget.proto.default])
    for value in (options[0], options[-1], options[0]):
        if value != widget.value:
            _worded(at, key).set_value(value).run()
            held = _shown(_worded(at, key), held)
        for lang in ("en", "zh"):
            at.radio(key="lang").set_value(lang).run()
            assert not at.exception, at.exception
            widget = _worded(at, key)
            words = widget.options[_options(at, widget).index(value)]
            held = _shown(widget, held)
            assert (held, widget.value) == (words, value), (page, lang)
    at.radio(key="lang").set_value("en").run()
    assert _worded(at, key).options[0] == first
