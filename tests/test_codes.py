"""
Every code a reader can produce has its words in both languages.

geo/ and store/ emit codes (a quarantine reason, a figure's qualifier, a status, how a row is
located…); layers/ words them from the catalogue by a key built from the code
(``qualifier_approx``). A code with no entry raises on the page that shows it. The codes are
taken from the readers' own lists, never copied here, so a code added to a reader without
its words fails this test.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from geo import (
    addresses,
    compare,
    completeness,
    coverage,
    crs,
    dates,
    errors,
    facilities,
    figures,
    gazetteer,
    infra,
    plans,
    progress,
    reach,
    reconcile,
    records,
)
from geo.documents import quantities
from geo.documents import table as figure_table
from geo.io import sheets
from layers import basemaps, choropleth
from layers.wording import _UNIT_TEXT, LABELS, LANGS, label, qualifier_text
from store import _scope, audit, changes
from store import errors as store_errors
from store._scope import OUT_OF_SCOPE
from store.accounts import PASSWORD_REASONS
from store.auth import LOGIN_FAILURES
from store.schema import KINDS, ROLES

REPO = Path(__file__).resolve().parent.parent


def _but_ok(codes) -> list[str]:
    return [c for c in codes if c != "ok"]


#: The resolver's notes (geo.gazetteer, geo.addresses), a ledger row's detail where its
#: district is not found: code → the parameters their words take.
NOTES = {code: params for code, (params, _) in {**gazetteer.NOTES, **addresses.NOTES}.items()}
#: A quarantined row's coded details (code → the parameters its words take), of every reader.
DETAILS = {**sheets.DETAILS, **records.DETAILS, **infra.DETAILS, **_scope.DETAILS, **NOTES}

#: Catalogue prefix → every code of the readers worded under it, and where they come from.
FAMILIES: dict[str, tuple[str, list[str]]] = {
    "qualifier_": ("geo.documents.quantities.QUALIFIERS", list(quantities.QUALIFIERS)),
    "level_": ("geo.figures.LEVELS", list(figures.LEVELS)),
    "located_": ("geo.records.LOCATED", list(records.LOCATED)),
    "tag_": ("geo.records.CONTENT_TAGS", list(records.CONTENT_TAGS)),
    "qreason_": (
        "REASONS of geo.records, geo.infra, geo.documents.table, geo.facilities, geo.plans; "
        "out_of_scope",
        [
            *records.REASONS,
            *infra.REASONS,
            *figure_table.REASONS,
            *facilities.REASONS,
            *plans.REASONS,
            OUT_OF_SCOPE,
        ],
    ),
    # A quarantined row's reason in full, filled with its column and detail (issue 28).
    "row_": (
        "REASONS of geo.records, geo.infra; out_of_scope",
        [*records.REASONS, *infra.REASONS, OUT_OF_SCOPE],
    ),
    # A detail that needs words: its code, filled with its parameters (issue 28).
    "qdetail_": (
        "DETAILS of geo.io.sheets, geo.records, geo.infra, store._scope; NOTES of geo.gazetteer, "
        "geo.addresses",
        list(DETAILS),
    ),
    "ledger_field_": ("geo.records.PLAUSIBLE_MAXIMUM", list(records.PLAUSIBLE_MAXIMUM)),
    "column_needed_": ("geo.records.NEEDED_COLUMNS", list(records.NEEDED_COLUMNS)),
    "figures_column_": (
        "geo.documents.table.NEEDED_COLUMNS",
        list(figure_table.NEEDED_COLUMNS),
    ),
    "geometry_": ("geo.infra.GEOMETRY_NAMES", [str(n).lower() for n in infra.GEOMETRY_NAMES]),
    "fac_": ("the categories of data/lifecircle.toml", list(facilities.load_registry().categories)),
    # The plan and its progress (issue 24).
    "progress_status_": ("geo.progress.STATUSES", list(progress.STATUSES)),
    "progress_unranked_": ("geo.progress.UNRANKED", list(progress.UNRANKED)),
    "progress_basis_": ("geo.progress.MONTH_BASES", list(progress.MONTH_BASES)),
    "progress_unplannable_": ("geo.plans.UNPLANNABLE", list(plans.UNPLANNABLE)),
    "progress_note_": ("geo.progress.NOTES", list(progress.NOTES)),
    "month_": ("geo.progress.MONTH_STATUSES", list(progress.MONTH_STATUSES)),
    "late_": ("geo.progress.LATE", list(progress.LATE)),
    "uncounted_": ("geo.progress.UNCOUNTED", list(progress.UNCOUNTED)),
    "rate_": ("geo.progress.RATES", list(progress.RATES)),
    "report_sheet_rank_": ("geo.progress.RATES", list(progress.RATES)),
    "result_": ("geo.reconcile.RESULTS", list(reconcile.RESULTS)),
    "result_name_": ("geo.reconcile.RESULTS", list(reconcile.RESULTS)),
    "reconcile_by_": ("geo.reconcile.BY", list(reconcile.BY)),
    "reason_": (
        "STATUSES of geo.coverage and geo.compare",
        _but_ok({**coverage.STATUSES, **compare.STATUSES}),
    ),
    # A measure's reason in the district atlas's narrow table cells (layers.atlas_pdf).
    "reason_short_": ("STATUSES of geo.coverage", _but_ok(coverage.STATUSES)),
    "reach_": ("geo.reach.COMMUNITY_STATUSES", _but_ok(reach.COMMUNITY_STATUSES)),
    "profile_": ("geo.coverage.WALK_PROFILES", list(coverage.WALK_PROFILES)),
    "infra_": ("geo.infra.FEATURE_TYPES", list(infra.FEATURE_TYPES)),
    "nearest_": ("geo.coverage.DISTANCE_TYPES", list(coverage.DISTANCE_TYPES)),
    "metric_": ("geo.coverage.MEASURES", list(coverage.MEASURES)),
    "family_": ("geo.completeness.FAMILIES, and other", [*completeness.FAMILIES, "other"]),
    "kind_": ("geo.infra.KINDS", list(infra.KINDS)),
    "geom_": ("geo.infra.GEOMETRY_TYPES", [t.lower() for t in infra.GEOMETRY_TYPES]),
    "datum_": ("geo.crs.DATUMS", list(crs.DATUMS)),
    "fix_": ("geo.errors.FIXES", list(errors.FIXES)),
    "error_": ("geo.errors.CODES, store.errors.CODES", [*errors.CODES, *store_errors.CODES]),
    "change_": ("store.changes.CHANGES", list(changes.CHANGES)),
    "role_": ("store.schema.ROLES", list(ROLES)),
    # The workspace's kinds, audit actions and why a login failed, on the account page.
    "dataset_kind_": ("store.schema.KINDS", list(KINDS)),
    "audit_": ("store.audit.ACTIONS", list(audit.ACTIONS)),
    "audit_why_": ("store.auth.LOGIN_FAILURES", list(LOGIN_FAILURES)),
    "password_refused_": ("store.accounts.PASSWORD_REASONS", list(PASSWORD_REASONS)),
    "relative_": ("geo.compare.RELATIVE", list(compare.RELATIVE)),
    # A period no document named, from its years (geo.dates.period_code): 截至2023年, by 2023.
    "period_": ("geo.dates.PERIOD_FORMS", list(dates.PERIOD_FORMS)),
    "scheme_": ("layers.choropleth.SCHEMES", list(choropleth.SCHEMES)),
    "basemap_": ("layers.basemaps.BASEMAPS", [b or "none" for b in basemaps.BASEMAPS]),
    # Statuses (of a figure: the map's 数据性质; of a ledger row) are keys by themselves.
    "": (
        "STATUSES of geo.figures and geo.records",
        [*figures.STATUSES, *records.STATUSES],
    ),
}


def coded_keys() -> set[str]:
    """Every catalogue key built from a reader's code (for tests/test_wording.py)."""
    return {prefix + code for prefix, (_, codes) in FAMILIES.items() for code in codes}


@pytest.mark.parametrize("prefix", list(FAMILIES))
def test_every_code_has_its_words_in_both_languages(prefix):
    source, codes = FAMILIES[prefix]
    assert codes, f"no codes found in {source}"
    missing = [f"{prefix}{c}" for c in codes if set(LABELS.get(prefix + c, {})) != set(LANGS)]
    assert missing == [], f"codes of {source} without words in data/wording.toml"
    for lang in LANGS:
        assert all(label(prefix + c, lang).strip() for c in codes)


@pytest.mark.parametrize(
    ("source", "codes"),
    [("geo.documents.table.REASONS", figure_table.REASONS), ("geo.plans.REASONS", plans.REASONS)],
)
def test_a_figures_table_or_plan_reason_has_its_words_its_own_or_a_ledgers(source, codes):
    # layers.wording.quarantine_messages words them row_figures_<code>, else row_<code>.
    missing = [c for c in codes if f"row_figures_{c}" not in LABELS and f"row_{c}" not in LABELS]
    assert missing == [], f"codes of {source} without words in data/wording.toml"


def test_every_coded_detail_takes_the_parameters_its_reader_gives():
    # The words may quote the row's detail as read ({detail}) besides the parameters.
    sources = [sheets.DETAILS, records.DETAILS, infra.DETAILS, _scope.DETAILS]
    sources += [gazetteer.NOTES, addresses.NOTES]
    assert sum(len(d) for d in sources) == len(DETAILS), "two readers give one code"
    for code, params in DETAILS.items():
        for lang in LANGS:
            text = label(f"qdetail_{code}", lang)
            fields = {f for _, f, _, _ in string.Formatter().parse(text)} - {None, "detail"}
            assert fields == set(params), (code, lang)


def test_every_period_form_is_worded_with_the_years_it_has():
    for form, years in dates.PERIOD_FORMS.items():
        for lang in LANGS:
            fields = {f for _, f, _, _ in string.Formatter().parse(label(f"period_{form}", lang))}
            assert fields - {None} == set(years), (form, lang)


def test_every_qualifier_a_figure_keeps_reads_after_its_number():
    # A saved figure's qualifier (all but exact) is written after it: 4.2 万户（不少于）.
    assert set(figures.QUALIFIERS) == set(quantities.QUALIFIERS) - {"range"}
    for lang in LANGS:
        written = {q: qualifier_text(q, lang) for q in figures.QUALIFIERS}
        assert written.pop("exact") == ""
        assert all(written.values()), written


def test_every_unit_a_figure_or_a_measure_has_is_worded():
    units = {*figures.UNITS, *(m.unit for m in coverage.MEASURES.values())}
    for lang in LANGS:
        assert sorted(units - set(_UNIT_TEXT[lang])) == [], lang


# InputError(code="…") and the details it passes: a literal scan of geo/ and store/.
_RAISED_CODE = re.compile(r"""\bcode=(?:"([a-z_]+)"(?: if \w+ else "([a-z_]+)")?)""")


def test_every_error_code_raised_is_listed_and_worded_with_its_details():
    raised = {
        code
        for path in [*REPO.glob("geo/**/*.py"), *REPO.glob("store/*.py")]
        for found in _RAISED_CODE.findall(path.read_text(encoding="utf-8"))
        for code in found
        if code
    }
    listed = {**errors.CODES, **store_errors.CODES}
    assert raised and raised <= set(listed)
    for code, details in listed.items():
        for lang in LANGS:
            fields = {f for _, f, _, _ in string.Formatter().parse(label(f"error_{code}", lang))}
            assert fields - {None} == set(details), (code, lang)
