"""
Reported figures copied by hand from the seed documents, with their sources and checks.

Four tables ship in ``data/``: ``sources.csv`` (one row per document), ``metrics.csv`` (the
metric vocabulary and each metric's canonical unit), ``figures.csv`` (one row per figure, with
the seed file line it was copied from) and ``notes.csv`` (named examples without figures).
Every loader reads its CSV once per folder, validates it, and returns a fresh copy. Problems are
collected across the whole table and raised together as one :class:`geo.errors.DataError`;
no row is ever dropped silently. Codes (``adcode``) stay strings.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from geo._data import DATA_DIR
from geo.errors import DataError

__all__ = [
    "LEVELS",
    "QUALIFIERS",
    "ROLES",
    "SEED_DATASET",
    "STATUSES",
    "UNITS",
    "check_totals",
    "combine_figures",
    "combined_qualifier",
    "load_figures",
    "load_metrics",
    "load_notes",
    "load_sources",
]

#: Geographic level of a figure's place; ``zone`` is a development zone with no outline.
LEVELS = ("district", "zone", "city", "urban_area")
#: ``plan`` target, ``completed`` work, ``in_progress`` work, ``stock`` as of the document.
STATUSES = ("plan", "completed", "in_progress", "stock")
#: ``at_least`` where the document writes 余/多/超/以上, ``at_most`` for 不足/以下, ``approx``
#: for 约/近/左右: those :mod:`geo.documents.quantities` reads, but ``range``, which is no
#: one figure.
QUALIFIERS = ("exact", "at_least", "at_most", "approx")
#: ``part`` rows sum to the ``stated_total`` of the same document and metric.
ROLES = ("part", "stated_total", "reported")
#: Canonical units of ``value``.
UNITS = ("count", "households", "persons", "m2", "km", "percent", "cny")

_COLUMNS = {
    "sources.csv": (
        "doc_id",
        "doc_number",
        "title",
        "issuer",
        "doc_date",
        "date_note",
        "seed_file",
        "city",
        "province",
    ),
    "metrics.csv": ("metric", "label_zh", "label_en", "unit", "unit_zh"),
    "figures.csv": (
        "figure_id",
        "doc_id",
        "seed_line",
        "province",
        "city",
        "place",
        "adcode",
        "level",
        "period_start",
        "period_end",
        "period_label",
        "status",
        "metric",
        "value",
        "unit",
        "qualifier",
        "as_written",
        "role",
    ),
    "notes.csv": (
        "note_id",
        "doc_id",
        "seed_line",
        "province",
        "city",
        "district",
        "adcode",
        "community",
        "content_tags",
        "summary_zh",
        "summary_en",
    ),
}
_DOC_COLUMNS = ["doc_number", "issuer", "doc_date", "seed_file", "title"]
_ADCODE = r"\d{6}"
_ISO_DATE = r"\d{4}-\d{2}-\d{2}"
# Tolerance of check_totals, relative to the stated total.
_REL_TOL = 1e-6

# A problem is (CSV line number, row key, message); line 1 is the header.
_Problem = tuple[int, str, str]


def _resolve(folder: Path | None) -> Path:
    return DATA_DIR if folder is None else Path(folder).resolve()


@functools.lru_cache(maxsize=32)
def _read_table(folder: Path, name: str) -> pd.DataFrame:
    """Read one CSV as strings, empty cells kept as ``""``; checks file and columns only."""
    path = folder / name
    if not path.is_file():
        raise DataError(
            f"Expected the table {name} in {folder}, but no such file exists. "
            f"Fix: restore it from git, or pass the folder that holds it as `folder=`."
        )
    # Everything as text: "NA" must not become a missing value, and codes must not become ints.
    frame = pd.read_csv(path, dtype="string", keep_default_na=False, encoding="utf-8")
    missing = [column for column in _COLUMNS[name] if column not in frame.columns]
    if missing:
        raise DataError(
            f"{path} lacks the columns {missing}; expected {list(_COLUMNS[name])}, "
            f"got {list(frame.columns)}. Fix: add the missing columns to the header."
        )
    return frame


def _raise_problems(name: str, folder: Path, problems: list[_Problem]) -> None:
    """Raise one DataError listing every problem, or return if there are none."""
    if not problems:
        return
    lines = [f"  line {line} ({key!r}): {message}" for line, key, message in sorted(problems)]
    raise DataError(
        f"{folder / name} has {len(problems)} problem(s):\n"
        + "\n".join(lines)
        + f"\nFix these rows in {folder / name}, then run `pytest tests/test_figures.py`."
    )


def _check_rows(frame: pd.DataFrame, key: str, mask: pd.Series, message: str) -> list[_Problem]:
    """One problem per row where ``mask`` is true; ``message`` may use ``{column}`` fields."""
    return [
        (int(index) + 2, str(row[key]), message.format(**row))
        for index, row in frame[mask.fillna(False).to_numpy(dtype=bool)].iterrows()
    ]


def _check_common(frame: pd.DataFrame, key: str, doc_ids: pd.Series) -> list[_Problem]:
    """Problems shared by figures and notes: duplicate keys, unknown documents, bad codes."""
    seed_line = pd.to_numeric(frame["seed_line"], errors="coerce")
    return [
        *_check_rows(frame, key, frame[key].duplicated(keep=False), f"{key} is not unique."),
        *_check_rows(
            frame,
            key,
            ~frame["doc_id"].isin(doc_ids),
            "doc_id expected one of sources.csv, got {doc_id!r}; add the document there first.",
        ),
        *_check_rows(
            frame,
            key,
            ~frame["adcode"].str.fullmatch(_ADCODE),
            "adcode expected 6 digits as text, got {adcode!r}.",
        ),
        *_check_rows(
            frame,
            key,
            ~(seed_line.notna() & (seed_line >= 1) & (seed_line % 1 == 0)),
            "seed_line expected a line number >= 1, got {seed_line!r}.",
        ),
    ]


def _check_vocabulary(frame: pd.DataFrame, key: str) -> list[_Problem]:
    """Problems where level, status, qualifier or role lies outside its vocabulary."""
    problems: list[_Problem] = []
    for column, allowed in (
        ("level", LEVELS),
        ("status", STATUSES),
        ("qualifier", QUALIFIERS),
        ("role", ROLES),
    ):
        message = f"{column} expected one of {list(allowed)}, got {{{column}!r}}."
        problems += _check_rows(frame, key, ~frame[column].isin(allowed), message)
    return problems


def _is_year_or_empty(text: pd.Series) -> pd.Series:
    """True where the cell is empty or a whole number."""
    number = pd.to_numeric(text, errors="coerce")
    return (text == "") | (number.notna() & (number % 1 == 0))


def _check_numbers(frame: pd.DataFrame, key: str) -> list[_Problem]:
    """Problems with value and the period years: not numbers, or a period that runs backwards."""
    value = pd.to_numeric(frame["value"], errors="coerce")
    start = pd.to_numeric(frame["period_start"], errors="coerce")
    end = pd.to_numeric(frame["period_end"], errors="coerce")
    return [
        *_check_rows(frame, key, value.isna(), "value expected a number, got {value!r}."),
        *_check_rows(
            frame,
            key,
            ~_is_year_or_empty(frame["period_start"]),
            "period_start expected a year or empty, got {period_start!r}.",
        ),
        *_check_rows(
            frame,
            key,
            ~_is_year_or_empty(frame["period_end"]),
            "period_end expected a year or empty, got {period_end!r}.",
        ),
        *_check_rows(
            frame,
            key,
            start > end,
            "period_start {period_start} is after period_end {period_end}; swap them.",
        ),
    ]


def _check_links(
    figures: pd.DataFrame, sources: pd.DataFrame, metrics: pd.DataFrame
) -> list[_Problem]:
    """Problems linking figures to metrics and documents: metric, unit, city, provenance."""
    key = "figure_id"
    unit_of = metrics.set_index("metric")["unit"]
    expected_unit = figures["metric"].map(unit_of)
    docs = sources.set_index("doc_id")
    seed_file = figures["doc_id"].map(docs["seed_file"]).fillna("")
    known_doc = figures["doc_id"].isin(docs.index)
    doc_city = figures["doc_id"].map(docs["city"])
    wrong_city = known_doc & (figures["city"] != doc_city)
    rows = figures.assign(expected_unit=expected_unit.fillna(""), doc_city=doc_city.fillna(""))
    return [
        *_check_rows(
            rows,
            key,
            expected_unit.isna(),
            "metric expected one of metrics.csv, got {metric!r}; add it there first.",
        ),
        *_check_rows(
            rows,
            key,
            expected_unit.notna() & (figures["unit"] != expected_unit),
            "unit expected {expected_unit!r} (the unit of metric {metric!r}), got {unit!r}.",
        ),
        *_check_rows(
            rows, key, wrong_city, "city expected {doc_city!r} (its document's), got {city!r}."
        ),
        *_check_rows(rows, key, known_doc & (seed_file == ""), "its document has no seed_file."),
        *_check_rows(rows, key, figures["doc_id"] == "", "doc_id is empty; name the document."),
        *_check_rows(
            rows, key, figures["as_written"] == "", "as_written is empty; copy the figure."
        ),
    ]


def _type_figures(figures: pd.DataFrame) -> pd.DataFrame:
    """Convert validated text columns to their dtypes: ints, nullable years, float values."""
    return figures.assign(
        seed_line=figures["seed_line"].astype("int64"),
        period_start=pd.to_numeric(figures["period_start"], errors="coerce").astype("Int64"),
        period_end=pd.to_numeric(figures["period_end"], errors="coerce").astype("Int64"),
        value=figures["value"].astype("float64"),
    )


@functools.lru_cache(maxsize=8)
def _build_figures(folder: Path) -> pd.DataFrame:
    """Validate figures.csv against sources.csv and metrics.csv and join their columns."""
    sources = load_sources(folder=folder)
    metrics = load_metrics(folder=folder)
    figures = _read_table(folder, "figures.csv")
    problems = [
        *_check_common(figures, "figure_id", sources["doc_id"]),
        *_check_vocabulary(figures, "figure_id"),
        *_check_numbers(figures, "figure_id"),
        *_check_links(figures, sources, metrics),
    ]
    _raise_problems("figures.csv", folder, problems)
    return (
        _type_figures(figures)
        .merge(sources[["doc_id", *_DOC_COLUMNS]], on="doc_id", how="left", validate="m:1")
        .merge(metrics[["metric", "label_zh", "label_en"]], on="metric", how="left", validate="m:1")
    )


def load_sources(*, folder: Path | None = None) -> pd.DataFrame:
    """
    Read the seed documents: number, title, issuer, date and seed file of each.

    ``doc_number`` and ``doc_date`` are ``""`` where the document prints none; ``issuer`` is
    ``"未注明"`` where the document does not name it. Raises DataError on duplicate ``doc_id``,
    a date that is not ISO ``YYYY-MM-DD``, or an empty title, issuer or seed file.
    """
    folder = _resolve(folder)
    sources = _read_table(folder, "sources.csv")
    key = "doc_id"
    problems = [
        *_check_rows(sources, key, sources[key].duplicated(keep=False), "doc_id is not unique."),
        *_check_rows(
            sources,
            key,
            (sources["doc_date"] != "") & ~sources["doc_date"].str.fullmatch(_ISO_DATE),
            "doc_date expected YYYY-MM-DD or empty, got {doc_date!r}.",
        ),
    ]
    for column, fix in (
        ("title", "copy the title as printed"),
        ("issuer", "copy the issuing body as printed, or write 未注明 if none is named"),
        ("seed_file", "name the seed file the figures were copied from"),
    ):
        message = f"{column} expected text, got an empty cell; {fix}."
        problems += _check_rows(sources, key, sources[column] == "", message)
    _raise_problems("sources.csv", folder, problems)
    return sources.copy()


def load_metrics(*, folder: Path | None = None) -> pd.DataFrame:
    """
    Read the metric vocabulary: Chinese and English labels and the canonical unit of each.

    Raises DataError on a duplicate metric or a unit outside :data:`UNITS`.
    """
    folder = _resolve(folder)
    metrics = _read_table(folder, "metrics.csv")
    key = "metric"
    problems = [
        *_check_rows(metrics, key, metrics[key].duplicated(keep=False), "metric is not unique."),
        *_check_rows(
            metrics,
            key,
            ~metrics["unit"].isin(UNITS),
            f"unit expected one of {list(UNITS)}, got {{unit!r}}.",
        ),
    ]
    _raise_problems("metrics.csv", folder, problems)
    return metrics.copy()


def load_notes(*, folder: Path | None = None) -> pd.DataFrame:
    """
    Read the named, qualitative examples (no figures), with ``adcode`` as text.

    ``district`` is ``"未注明"`` with the city's adcode where the document names no district.
    Raises DataError on a duplicate ``note_id``, an unknown ``doc_id``, a bad adcode or line.
    """
    folder = _resolve(folder)
    sources = load_sources(folder=folder)
    notes = _read_table(folder, "notes.csv")
    _raise_problems("notes.csv", folder, _check_common(notes, "note_id", sources["doc_id"]))
    return notes.assign(seed_line=notes["seed_line"].astype("int64"))


def load_figures(*, folder: Path | None = None) -> pd.DataFrame:
    """
    Read every reported figure with its document and metric labels joined on.

    Columns are those of ``figures.csv`` plus ``doc_number``, ``issuer``, ``doc_date``,
    ``seed_file``, ``title``, ``label_zh`` and ``label_en``. ``adcode`` is text, ``value`` a
    float in the metric's canonical unit, and ``period_start``/``period_end`` nullable years
    (missing where the document gives no year). Any broken row fails the whole load: one
    DataError lists every problem with its CSV line number. The read is cached per folder;
    each call returns a fresh copy.
    """
    return _build_figures(_resolve(folder)).copy()


#: The name the shipped seed figures go by beside the figures datasets saved in a workspace.
SEED_DATASET = "seed"
#: Columns saved figures may add: where they were saved, the document's SHA-256, its page.
_SAVED_COLUMNS = {"dataset": "string", "version": "Int64", "doc_sha256": "string", "page": "Int64"}


def combine_figures(seed: pd.DataFrame, *saved: pd.DataFrame) -> pd.DataFrame:
    """
    The seed figures and figures saved from other documents and tables, as one table.

    Every part keeps the columns of :func:`load_figures` in their dtypes, plus ``dataset``
    (``seed`` for the shipped figures), ``version``, ``doc_sha256`` and ``page`` (missing
    where a part has none). Rows are never merged: a figure keeps the document and line it
    came from.
    """
    columns = list(seed.columns)
    parts = [seed.assign(dataset=SEED_DATASET)]
    parts += [part.reindex(columns=[*columns, *_SAVED_COLUMNS]) for part in saved if len(part)]
    combined = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    combined = combined.reindex(columns=[*columns, *_SAVED_COLUMNS])
    types = {c: str(seed[c].dtype) for c in columns} | _SAVED_COLUMNS
    # A saved part's line numbers may be missing (a table row without one): nullable ints.
    types["seed_line"] = "Int64"
    return combined.astype(types)


def combined_qualifier(qualifiers: Iterable[object]) -> str:
    """
    The qualifier of a sum of figures with these qualifiers.

    Exact parts make an exact sum; one kind of bound among exact parts bounds the sum the
    same way (4.2 万余户 + 3279 户 is still "at least"); bounds of both kinds, or any
    estimate, make an estimate (``approx``). Missing qualifiers count as exact.
    """
    kinds = {q for q in qualifiers if isinstance(q, str) and q and q != "exact"}
    if not kinds:
        return "exact"
    return kinds.pop() if len(kinds) == 1 else "approx"


def check_totals(figures: pd.DataFrame) -> pd.DataFrame:
    """
    Compare each stated total with the sum of its parts, per document and metric.

    Returns one row per (``doc_id``, ``metric``) that has a ``stated_total`` row, with
    ``stated_total``, ``parts_sum``, ``n_parts`` and ``matches`` (difference within 1e-6 of
    the total). Raises DataError when a document states two totals for one metric.
    """
    totals = figures[figures["role"] == "stated_total"]
    doubled = totals[totals.duplicated(["doc_id", "metric"], keep=False)]
    if not doubled.empty:
        raise DataError(
            f"Expected at most one stated_total per doc_id and metric, got several: "
            f"{sorted(doubled['figure_id'])}. Fix: keep one, mark the others `reported`."
        )
    parts = (
        figures[figures["role"] == "part"]
        .groupby(["doc_id", "metric"])["value"]
        .agg(parts_sum="sum", n_parts="count")
        .reset_index()
    )
    checked = totals[["doc_id", "metric", "value"]].rename(columns={"value": "stated_total"})
    checked = checked.merge(parts, on=["doc_id", "metric"], how="left")
    checked = checked.fillna({"parts_sum": 0.0, "n_parts": 0}).astype({"n_parts": "int64"})
    gap = (checked["stated_total"] - checked["parts_sum"]).abs()
    checked["matches"] = (gap <= _REL_TOL * checked["stated_total"].abs()) & (
        checked["n_parts"] > 0
    )
    return checked.reset_index(drop=True)
