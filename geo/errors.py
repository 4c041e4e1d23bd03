"""
The few exception classes a caller of `geo` catches; each subclasses a built-in.

- :class:`UnknownPlaceError` (a ``KeyError``): a place name that matches nothing.
- :class:`InputError` (a ``ValueError``): a file or option a user gave, refused as a whole
  (encoding, format, headers, datum, safety checks). Bad rows never raise: they are
  quarantined.
- :class:`DataError` (a ``ValueError``): a table shipped in ``data/`` breaks its own schema.
- :class:`BoundaryCacheError` (a ``FileNotFoundError``): the outline cache is missing.

Messages say what was expected, what arrived and how to fix it, in words that hold for every
front end. Where the fix is a setting the user gives, :attr:`InputError.fix` names it
(:data:`FIXES`), and the CLI or the app adds its own way to give it (a flag, a widget).
"""

from __future__ import annotations

__all__ = [
    "CODES",
    "FIXES",
    "AtlasError",
    "BoundaryCacheError",
    "DataError",
    "InputError",
    "UnknownPlaceError",
]

#: Settings an :class:`InputError` may name as its fix, and what each means.
FIXES = {
    "datum": "the datum of the coordinates (wgs84, cgcs2000, gcj02 or bd09)",
    "sheet": "the workbook sheet to read",
    "layer": "the GeoPackage layer to read",
    "city": "the city the named districts belong to",
    "output": "the path of a file to write",
}

#: Kinds of refusal an :class:`InputError` may name as its ``code``, each with the keys of the
#: ``details`` it carries: a front end words each in its own language (the app's catalogue has
#: ``error_<code>``), the message stays English for logs and the CLI.
CODES: dict[str, tuple[str, ...]] = {
    "no_datum": (),
    "no_datum_hint": ("best", "tally"),
    "unknown_datum": ("value",),
    "encoding_big5": ("sample",),
    # A document refused whole (geo.documents.read), then what a document, an OSM extract or a
    # network file may cost (issue 29), each cap named with its value. geo.documents.read,
    # geo.documents.extract, geo._worker:
    "document_missing": ("name",),
    "document_empty": ("name",),
    "document_no_text": ("name",),
    "document_suffix": ("name",),
    "document_doc": ("name",),
    "document_encoding": ("name",),
    "document_nul": ("name",),
    "docx_magic": ("name",),
    "docx_open": ("name",),
    "docx_password": ("name",),
    "docx_member_name": ("name",),
    "docx_xml_broken": ("name",),
    "pdf_magic": ("name",),
    "pdf_unreadable": ("name",),
    "pdf_password": ("name",),
    "pdf_crypto": ("name",),
    "pdf_scan": ("name", "pages"),
    "document_bytes": ("name", "mib", "cap"),
    "document_chars": ("name", "cap"),
    "document_lines": ("name", "cap"),
    "document_line_length": ("name", "line", "chars", "cap"),
    "document_figures": ("name", "figures", "cap"),
    "docx_entries": ("name", "entries", "cap"),
    "docx_unpacked": ("name", "mib", "cap"),
    "docx_ratio": ("name", "ratio", "cap"),
    "docx_entities": ("name",),
    "docx_xml": ("name", "mib", "cap"),
    "pdf_pages": ("name", "pages", "cap"),
    "pdf_page_tree": ("name",),
    "pdf_page_cycle": ("name",),
    "pdf_stream": ("name", "page", "cap"),
    "pdf_decoded": ("name", "page", "cap"),
    "read_timeout": ("name", "seconds"),
    "read_memory": ("name", "mib"),
    "read_stopped": ("name", "code"),
    # geo.io.osm: an OSM extract, before anything is built from it (geo.network, geo.infra).
    "osm_bytes": ("name", "cap"),
    "osm_suffix": ("name",),
    "osm_missing": ("name",),
    "osm_not_xml": ("name",),
    "osm_doctype": ("name",),
    "osm_root": ("name",),
    "osm_pbf_header": ("name",),
    "osm_truncated": ("name",),
    "osm_unreadable": ("name",),
    "osm_way_refs": ("name", "way", "refs", "cap"),
    "osm_refs": ("name", "cap"),
    "osm_negative_ids": ("name", "way"),
    # geo.network.read_network: a network GeoPackage is read only as atlas network wrote it.
    "network_unreadable": ("name",),
    "network_layers": ("name", "layers"),
    "network_schema": ("name",),
    "network_columns": ("name", "layer", "columns"),
    "network_size": ("name", "layer", "rows", "cap"),
    "network_crs": ("name", "crs"),
    "network_empty": ("name",),
    "network_nodes": ("name", "edges"),
    "network_lengths": ("name", "edges"),
    "network_changed": ("name",),
    # reports (geo/report.py)
    "report_bad_period": ("value",),
    "report_too_many_places": ("n", "cap"),
    "report_nothing_readable": ("cities",),
    # A file whose header lacks a column it needs (geo.records, geo.infra, geo.facilities):
    # ``missing`` the columns' kinds joined by "/" (geo.records.NEEDED_COLUMNS), ``header``
    # the file's header as written; a ledger's investment column with no unit anywhere.
    "ledger_columns": ("missing", "header"),
    "investment_unit": ("header", "cells", "sample"),
    "survey_type_column": ("header",),
    "survey_coordinates": ("header",),
    "facility_category_column": ("header",),
    # An infrastructure file or option refused (geo.infra, geo.facilities): OSM declared in
    # another datum than WGS84, an extract libosmium cannot read in one pass (unsorted), a
    # district declared covered that is several (``candidates`` "/" between), a development
    # zone (no outline) or none.
    "osm_datum": ("datum",),
    "osm_unsorted": ("name",),
    "coverage_ambiguous": ("name", "candidates"),
    "coverage_zone": ("name",),
    "coverage_unknown": ("name",),
    # A file path refused before reading (geo.io.sheets.read_source): missing, not a regular
    # file, too large (``mib`` its size, ``cap`` the limit, both in MB).
    "file_missing": ("name",),
    "file_not_regular": ("name",),
    "file_bytes": ("name", "mib", "cap"),
    # A table refused whole (geo.io.sheets): no header row (``expected`` the fields' names,
    # ``first`` the first row's cells, " | " between), a binary or mis-encoded CSV (``byte``
    # the first bad byte's offset), a line that splits into no cells, too many rows, columns
    # or cells (``cap`` each limit), an old .xls, two columns for one field.
    "no_header": ("expected", "first"),
    "csv_binary": (),
    "csv_encoding": ("byte",),
    "csv_malformed": ("line",),
    "csv_rows": ("rows", "cap"),
    "csv_columns": ("columns", "cap"),
    "csv_cells": ("cells", "cap"),
    "xls_file": ("name",),
    "same_field_columns": ("columns",),
    # A workbook refused whole (geo.io.xlsx): entities or a DTD, unreadable, too large
    # unpacked, too many rows, columns or cells (``cap``), no sheet, the first sheet hidden or
    # the sheet named not there (``sheets`` the workbook's, "/" between).
    "xlsx_entities": ("name",),
    "xlsx_unreadable": ("name",),
    "xlsx_unpacked": ("name", "mib", "cap"),
    "xlsx_rows": ("cap",),
    "xlsx_columns": ("cap",),
    "xlsx_cells": ("cap",),
    "xlsx_no_sheet": (),
    "xlsx_first_hidden": ("sheet", "sheets"),
    "xlsx_no_such_sheet": ("sheet", "sheets"),
    # A survey's vector file refused whole (geo.io.vector): unreadable, too large (``cap`` in
    # bytes), not a format read, of another format than its name says (``found``), not a
    # GeoPackage or no such layer (``layers`` "/" between), not GeoJSON or with several or
    # unnamed CRS, a Shapefile zip that is not one layer's parts, a .cpg or .dbf text in no
    # code page read, a projected file declared GCJ-02/BD-09, no CRS, a CRS of no kind read,
    # or lon/lat that look like metres (``row``).
    "vector_unreadable": ("name",),
    "vector_bytes": ("name", "cap"),
    "vector_suffix": ("name",),
    "vector_format": ("name", "found"),
    "gpkg_magic": ("name",),
    "gpkg_layer": ("name", "layers"),
    "geojson_not": ("name",),
    "geojson_crs_mixed": ("name",),
    "geojson_crs_member": ("name",),
    "shp_zip": ("name",),
    "shp_cpg": ("value",),
    "shp_dbf_encoding": (),
    "vector_projected_datum": ("name", "datum"),
    "vector_no_crs": ("name",),
    "vector_crs_kind": ("name", "crs"),
    "vector_projected": ("name", "row"),
    # The projects `atlas ingest` wrote, read back (geo.records.read_projects): ``columns``
    # the ones it lacks, "/" between.
    "projects_unreadable": ("name",),
    "projects_columns": ("name", "columns"),
    # No reported figure plans this city and year (geo.plans.plan_from_figures).
    "no_plan_figures": ("city", "year", "found"),
    # A plan refused whole (geo.plans): two documents plan one place (``documents`` "/"
    # between, ``metric`` its code), no place column, rows of several cities or years or of
    # none ("/" between), a city no name matches (``suggestions`` "/" between, "-" for none),
    # an investment column without its unit.
    "plan_documents": ("documents", "place", "metric"),
    "plan_place_column": ("header",),
    "plan_cities": ("cities",),
    "plan_no_city": (),
    "plan_years": ("years",),
    "plan_no_year": (),
    "plan_city_unknown": ("city", "suggestions"),
    "plan_investment_unit": ("header",),
    # Sites refused (geo.siting): weighed by elderly residents with no such column (``columns``
    # the names read, "/" between); neither an OSM extract nor both candidate and existing files.
    "siting_no_elderly": ("columns",),
    "siting_no_candidates": (),
    # A figures table lacking columns (geo.documents.table.NEEDED_COLUMNS, ``needed`` "/"
    # between), ``header`` as written.
    "figures_columns": ("needed", "header"),
    # A place name that matches nothing (UnknownPlaceError, code unknown_<kind>): close
    # matches "/" between, "-" for none.
    "unknown_city": ("value", "suggestions"),
    "unknown_province": ("value", "suggestions"),
    "unknown_district": ("value", "suggestions"),
    # One city of a batch (geo.batch.FAILURE_CODES): the others go on.
    "empty_network": (),
    "empty_extract": (),
    "internal_error": (),
    "worker_lost": (),
}


class AtlasError(Exception):
    """Base class; never raised directly."""


class UnknownPlaceError(AtlasError, KeyError):
    """
    A city, province or district name that matches nothing, with close matches.

    ``code`` (``unknown_<kind>``) and ``details`` let a front end word it, as an
    :class:`InputError`'s.
    """

    def __init__(self, kind: str, value: str, suggestions: list[str]) -> None:
        self.kind = kind
        self.value = value
        self.suggestions = list(suggestions)
        self.code = f"unknown_{kind}"
        self.details = {"value": value, "suggestions": "/".join(self.suggestions) or "-"}
        hint = f" Did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"Unknown {kind} {value!r}.{hint}")

    def __str__(self) -> str:
        """The message as written (KeyError would repr() it)."""
        return self.args[0]

    def __reduce__(self) -> tuple[type, tuple[str, str, list[str]]]:
        """Pickled with what built it, so it crosses from a worker process (geo._worker)."""
        return type(self), (self.kind, self.value, self.suggestions)


class BoundaryCacheError(AtlasError, FileNotFoundError):
    """The converted outline cache is missing or stale."""


class DataError(AtlasError, ValueError):
    """A table shipped in ``data/`` breaks its own schema or sums."""


class InputError(AtlasError, ValueError):
    """
    A file or option a user gave, refused as a whole.

    ``fix`` is a key of :data:`FIXES` when the fix is a setting the user gives (the CLI
    names its flag, the app its widget), else ``None``. ``code`` names the kind of refusal
    and ``details`` its values, so a front end can say it in the user's language (the app's
    ``layers.wording.error_text``); the message itself is English, for logs and the CLI.
    """

    def __init__(
        self,
        message: str,
        *,
        fix: str | None = None,
        code: str | None = None,
        details: dict[str, str] | None = None,
    ) -> None:
        if fix is not None and fix not in FIXES:
            raise ValueError(f"Expected fix to be one of {sorted(FIXES)}, got {fix!r}.")
        if code is not None and (code not in CODES or set(details or {}) != set(CODES[code])):
            raise ValueError(
                f"Expected code to be one of {sorted(CODES)} with its details, got {code!r} "
                f"with {sorted(details or {})}; add the code to geo.errors.CODES."
            )
        self.fix = fix
        self.code = code
        self.details = dict(details or {})
        super().__init__(message)
