"""Tests for layers/labels.py and its catalogue: both languages, the same placeholders, every
key the code asks for present, and a clear error for one that is missing."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from geo import coverage, errors, figures, infra, reconcile, records
from layers import basemaps, tables
from layers._catalogue import LABELS
from layers.labels import LANGS, label, measure_name
from store.schema import ROLES

REPO = Path(__file__).resolve().parent.parent
SOURCES = [
    REPO / "app.py",
    REPO / "cli.py",
    *REPO.glob("app_pages/*.py"),
    *REPO.glob("layers/*.py"),
]
# label("key", ...) and label('key', ...) with a literal key.
LITERAL = re.compile(r"""\blabel\(\s*["']([a-z0-9_]+)["']""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _keys_in_code() -> set[str]:
    return {key for path in SOURCES for key in LITERAL.findall(path.read_text(encoding="utf-8"))}


def _keys_built_from_names() -> set[str]:
    """The keys the code builds from a code (f"reason_{status}"), for every code it can meet."""
    keys = {f"reason_{s}" for s in coverage.STATUSES if s != "ok"}
    keys |= {f"infra_{t}" for t in infra.FEATURE_TYPES}
    keys |= {f"nearest_{t}" for t in coverage.DISTANCE_TYPES}
    keys |= {f"metric_{m}" for m in coverage.MEASURES}
    keys |= {f"result_{r}" for r in reconcile.RESULTS}
    keys |= {f"datum_{d}" for d in ("wgs84", "cgcs2000", "gcj02", "bd09")}
    keys |= {f"basemap_{b or 'none'}" for b in basemaps.BASEMAPS}
    keys |= {f"kind_{k}" for k in ("osm", "survey")}
    keys |= {f"level_{v}" for v in ("city", "district", "zone")}
    keys |= {f"fix_{f}" for f in errors.FIXES}
    keys |= set(figures.STATUSES) | set(records.STATUSES)  # shown as label(status)
    keys |= {f"role_{r}" for r in ROLES}
    return keys | set(tables._HEADERS.values())  # table headers by column


def test_every_entry_has_both_languages_with_the_same_placeholders():
    for key, texts in LABELS.items():
        assert set(texts) == set(LANGS), key
        assert all(texts[lang].strip() for lang in LANGS), key
        assert _placeholders(texts["zh"]) == _placeholders(texts["en"]), key


def test_every_key_the_code_uses_is_in_the_catalogue():
    used = _keys_in_code()
    assert len(used) > 150  # the scan found the calls, not nothing
    missing = sorted((used | _keys_built_from_names()) - set(LABELS))
    assert missing == []


def test_every_measure_has_a_name_in_both_languages():
    for key in coverage.measure_keys((300, 500)):
        for lang in LANGS:
            assert measure_name(key, lang)


def test_a_missing_key_names_itself_and_the_catalogue():
    with pytest.raises(KeyError, match=r"'no_such_key'.*layers/_catalogue.py"):
        label("no_such_key")
    with pytest.raises(ValueError, match="Expected lang to be one of"):
        label("title", "fr")


def test_a_missing_qualifier_reads_as_nothing():
    import pandas as pd

    from layers.labels import qualifier_text

    assert [qualifier_text(q) for q in (pd.NA, None, float("nan"), "exact")] == [""] * 4
    assert qualifier_text("approx", "en") == " (about)"
