"""
What a bureau's reply and district atlas say: every figure of a selection, with its source.

:func:`gather_report` collects, for the cities and districts of a
:class:`~geo.selection.Selection`, one long table of figures (:data:`ITEM_COLUMNS`), each
with the sources it came from:

- ``reported``: the documents' figures (a district's, a zone's, a city's, or a city's sum
  over its districts by :func:`geo.selection.city_headline`, the one city-total rule), each
  with its :class:`DocumentSource` (document number, issuer, date, line);
- ``ledger``: a ledger's count of communities and sums of households, buildings, floor area
  and investment per place and ledger status, with the :class:`LedgerSource` (the saved
  versions, who saved them, how many rows, how many lack the value);
- ``measure``: accessibility measured from a survey or an OSM extract
  (:func:`geo.coverage.measure`), with its completeness status and :class:`MeasureSource`.
  Shares of households near a feature are by straight-line distance; given the pedestrian
  network of an OSM extract, the walking shares along it (:func:`geo.reach.measure`) come
  beside them, each citing the extract it walked. A straight-line share is never called a
  walking one: :attr:`MeasureSource.profile` is ``None`` for it.

A figure of one period and kind is never added to another's: sums are made only within one
period and kind, and a reported flow (what was built since 2021) is marked as not comparable
with a mapped stock. A missing value stays missing (never 0), with the reason in
``completeness``. Each place's figure is ranked within its city among the places with a
complete value of the same figure, source, period and kind.

Places the account may not read (``readable``) are left out, figures and all; a city of
which it may read nothing is left out whole. A selection of more than :data:`MAX_PLACES`
places is refused, as is one that leaves nothing to report. geo emits codes; the documents'
words are chosen in :mod:`layers` (:mod:`layers.reply`, :mod:`layers.atlas_pdf`).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import boundaries, compare, coverage, gazetteer, reach, selection, shown
from geo.completeness import metric_family
from geo.errors import InputError
from geo.infra import Infra
from geo.network import Network

__all__ = [
    "ELDERLY_METRICS",
    "ITEM_COLUMNS",
    "LEDGER_FIGURES",
    "LEDGER_KINDS",
    "MAX_PLACES",
    "MEASURED",
    "REPORTED_MEASURES",
    "DataSource",
    "DocumentSource",
    "LedgerSource",
    "MeasureSource",
    "Report",
    "SavedSource",
    "gather_report",
    "looks_synthetic",
    "parse_period",
    "report_places",
]

#: Most districts and zones one reply or atlas holds; a province (河南: 157) is refused.
MAX_PLACES = 60
#: Ledger figures: key → (ledger column, unit); ``None`` counts the communities.
LEDGER_FIGURES: dict[str, tuple[str | None, str]] = {
    **compare.LEDGER_METRICS,
    "ledger_investment_cny": ("investment_cny", "cny"),
}
#: A report's kind of figure → the ledger status it keeps (a ledger holds no stock).
LEDGER_KINDS = {"plan": "plan", "in_progress": "started", "completed": "completed"}
#: The measure word a ledger count is written with, as the documents write theirs (620 栋).
LEDGER_UNIT_WORDS = {"ledger_buildings": "栋"}
#: Accessibility measures a report gives per district and, where complete, per city.
MEASURED = (
    "tactile_km",
    "sidewalk_km",
    "tactile_rate",
    "curb_ramps",
    "accessible_bus_stops",
    "accessible_stop_share",
    "accessible_toilets",
    "elevators",
)
#: Figures of elderly-friendly retrofits, which a reply gives beside accessibility.
ELDERLY_METRICS = ("elderly_homes_retrofitted", "elderly_retrofit_investment_cny")
#: Reported accessibility figure → the measure it is reported beside. Only a reported
#: stock compares with a mapped one; a figure of what was built in a period is a flow.
REPORTED_MEASURES = {
    "tactile_paving_km": "tactile_km",
    "tactile_paving_new_km": "tactile_km",
    "sidewalk_km": "sidewalk_km",
    "tactile_paving_rate": "tactile_rate",
    "curb_ramps": "curb_ramps",
    "accessible_bus_stops": "accessible_bus_stops",
    "accessible_toilets": "accessible_toilets",
    "elevators_added": "elevators",
}

#: Columns of :attr:`Report.items`, one row per figure.
ITEM_COLUMNS = [
    "scope",  # city | place
    "city",
    "adcode",
    "place",
    "level",  # district | zone | city | urban_area
    "key",  # the figure: a reported metric, ledger_<...> or infra_<measure>
    "metric",  # the reported metric, ledger column or measure key
    "family",  # programme | accessibility | elderly
    "source_kind",  # reported | ledger | measure
    "value",
    "unit",
    "unit_word",
    "qualifier",
    "as_written",
    "period_label",
    "period_start",
    "period_end",
    "status",  # a figure's kind (plan, completed…) or a ledger status; missing for measures
    "basis",  # own | reported | parts | partial (a city's)
    "n_parts",
    "n_places",
    "n_zones",
    "completeness",  # ok, or why the value is missing or partial
    "measure",  # the measure a reported accessibility figure is reported beside
    "comparable",  # a reported stock beside a mapped stock
    "rank",
    "n_ranked",
    "n_tied",  # places sharing this rank (1: no tie), equal as shown in Chinese
    "rank_en",  # the rank and ties as English writes the values (no 万: 22,100 households)
    "n_tied_en",
    "label_zh",
    "label_en",
    "sources",  # tuple of DocumentSource | LedgerSource | MeasureSource
]


@dataclasses.dataclass(frozen=True)
class SavedSource:
    """A saved version rows come from, as the workspace records it (``saved_at`` in UTC)."""

    dataset: str
    version: int
    saved_by: str
    saved_at: datetime.datetime | None = None
    file_name: str | None = None


@dataclasses.dataclass(frozen=True)
class DataSource:
    """
    Where a ledger's or a survey's rows come from: saved versions, or a file read unsaved.

    ``name`` is the file or the datasets as a reader names them; ``synthetic`` marks the
    shipped examples, which every document that uses them must say are made up.
    """

    name: str
    versions: tuple[SavedSource, ...] = ()
    synthetic: bool = False


@dataclasses.dataclass(frozen=True)
class DocumentSource:
    """A reported figure's document and line (and the saved figures' dataset, if any)."""

    doc_number: str
    title: str
    issuer: str
    doc_date: str
    seed_file: str
    line: int | None
    as_written: str
    dataset: str | None = None
    version: int | None = None
    page: int | None = None


@dataclasses.dataclass(frozen=True)
class LedgerSource:
    """A ledger sum: the versions summed, how many rows, how many lack the value."""

    source: DataSource
    rows: int
    missing: int
    years: tuple[int, int] | None


@dataclasses.dataclass(frozen=True)
class MeasureSource:
    """A measure computed from a survey or an OSM extract, and how much of the place it covers."""

    source: DataSource
    measure: str
    data_kind: str  # survey | osm
    extent_share: float | None
    radius: int | None = None
    #: A walking share's profile (``walk``…) and the extract its network was built from;
    #: ``None`` for a straight-line share or a measure that is no share.
    profile: str | None = None
    network: DataSource | None = None


@dataclasses.dataclass
class Report:
    """
    What :func:`gather_report` collected.

    ``places`` are the districts and zones reported on (``adcode``, ``place``, ``city``,
    ``level``, ``has_outline``), cities in the order asked, each place by adcode;
    ``left_out`` how many the account may not read; ``items`` every figure
    (:data:`ITEM_COLUMNS`); ``outlines`` the display outlines of every district of the
    cities (EPSG:4326, for maps); ``projects`` and ``features`` the ledger's communities and
    the infrastructure in the places (or ``None``), ``extent`` the infrastructure's extent.
    """

    selection: selection.Selection
    cities: tuple[str, ...]
    places: pd.DataFrame
    left_out: int
    items: pd.DataFrame
    outlines: gpd.GeoDataFrame
    projects: gpd.GeoDataFrame | None = None
    features: gpd.GeoDataFrame | None = None
    extent: object = None
    ledger_source: DataSource | None = None
    infra_source: DataSource | None = None
    radii: tuple[int, ...] = coverage.RADII_M
    network_source: DataSource | None = None
    profiles: tuple[str, ...] = ()

    def share_method(self) -> str:
        """How the shares of households near a feature were measured: ``walk…`` or ``straight``."""
        return self.profiles[0] if self.profiles else "straight"

    def has_data(self) -> bool:
        """True when any figure has a value."""
        return bool(self.items["value"].notna().any())

    def place_items(self, adcode: str) -> pd.DataFrame:
        """The figures of one district or zone."""
        return self.items[(self.items["scope"] == "place") & (self.items["adcode"] == adcode)]

    def colour_items(self, key: str) -> pd.DataFrame:
        """
        The places' values of figure ``key`` a map colours: one period and kind only.

        The group (source, period, kind) with the most places, the latest on a tie; empty
        when no place has the figure. Mixing a plan in one district with completed work in
        another would colour unlike things alike.
        """
        rows = self.items[
            (self.items["scope"] == "place")
            & (self.items["key"] == key)
            & self.items["value"].notna()
        ]
        if rows.empty:
            return rows
        keys = [
            rows[c].astype("string").fillna("") for c in ("source_kind", "period_label", "status")
        ]
        sizes = rows.groupby(keys, sort=False).agg(n=("adcode", "size"), end=("period_end", "max"))
        best = sizes.sort_values(["n", "end"], ascending=False, na_position="last").index[0]
        keep = pd.Series(True, index=rows.index)
        for column, value in zip(keys, best, strict=True):
            keep &= column == value
        return rows[keep]

    def city_items(self, city: str) -> pd.DataFrame:
        """A city's own figures: reported for the city, its sums, its ledger and measures."""
        return self.items[(self.items["scope"] == "city") & (self.items["city"] == city)]


def looks_synthetic(names: Sequence[str], rows: pd.DataFrame | None = None) -> bool:
    """
    True for the shipped examples: a name, or a text cell of the first rows, says synthetic.

    Every document that uses them must say they are made up.
    """
    if any("synthetic" in str(n) for n in names):
        return True
    if rows is None or rows.empty:
        return False
    text = pd.DataFrame(rows.head(1000)).drop(columns="geometry", errors="ignore")
    text = text.select_dtypes(include=["object", "string"])
    return bool(text.apply(lambda c: c.astype(str).str.contains("synthetic")).any().any())


def parse_period(text: str | None) -> tuple[int, int] | None:
    """
    ``2023`` → (2023, 2023); ``2019-2023`` → (2019, 2023); ``None`` or ``""`` → ``None``.

    Raises :class:`~geo.errors.InputError` for anything else, saying what is expected.
    """
    if text is None or not str(text).strip():
        return None
    parts = str(text).strip().replace("–", "-").replace("至", "-").split("-")
    try:
        years = [int(p.strip().removesuffix("年")) for p in parts]
    except ValueError:
        years = []
    if len(years) not in (1, 2) or not all(1949 <= y <= 2100 for y in years):
        raise InputError(
            f"Expected a period as a year (2023) or a range (2019-2023), got {text!r}.",
            code="report_bad_period",
            details={"value": str(text)},
        )
    first, last = years[0], years[-1]
    return (min(first, last), max(first, last))


def report_places(
    chosen: selection.Selection,
    figures: pd.DataFrame,
    *,
    projects: pd.DataFrame | None = None,
    readable: frozenset[str] | None = None,
) -> tuple[pd.DataFrame, int]:
    """
    The districts and zones a report covers, and how many the account may not read.

    Every district of the selected cities (or the districts named, resolved through the
    gazetteer: 顺河区 finds 顺河回族区) and every zone with a figure or a ledger row (or named).
    ``readable`` is the set of adcodes the account may read (``None``: all). Raises
    :class:`~geo.errors.InputError` when more than :data:`MAX_PLACES` remain.
    """
    cities = [gazetteer.resolve_city(c)["city"] for c in chosen.cities]
    index = boundaries.read_admin_index()
    outlined = index[(index["level"] == "district") & index["city"].isin(cities)]
    listed = compare.list_places(outlined, figures, cities, projects=projects)
    places = listed[listed["tier"] == "district"].copy()
    if chosen.districts:
        codes = set(
            selection.select_outlines(dataclasses.replace(chosen, cities=tuple(cities)))["adcode"]
        )
        codes |= _zone_codes(chosen.districts, cities)
        places = places[places["adcode"].isin(codes)]
    places["has_outline"] = places["level"] == "district"
    kept = places if readable is None else places[places["adcode"].isin(readable)]
    if len(kept) > MAX_PLACES:
        raise InputError(
            f"Expected at most {MAX_PLACES} districts and zones in one report, got {len(kept)} "
            f"({'、'.join(cities[:3])}{'…' if len(cities) > 3 else ''}). Choose a city, or "
            "name the districts.",
            code="report_too_many_places",
            details={"n": str(len(kept)), "cap": str(MAX_PLACES)},
        )
    columns = ["adcode", "place", "city", "level", "has_outline"]
    return kept[columns].reset_index(drop=True), len(places) - len(kept)


def _zone_codes(names: Sequence[str], cities: list[str]) -> set[str]:
    """Codes of the named development zones (outlined districts are found elsewhere)."""
    found = (gazetteer.resolve_district(n, city=c) for n in names for c in cities)
    return {str(r.adcode) for r in found if r.status == "zone" and r.adcode}


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def _whole(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(str(value))


def _document_source(row: pd.Series) -> DocumentSource:
    """A figure row's document, line and words (and the dataset it was saved in, if any)."""
    dataset = _text(row.get("dataset"))
    return DocumentSource(
        doc_number=_text(row["doc_number"]),
        title=_text(row["title"]),
        issuer=_text(row["issuer"]),
        doc_date=_text(row["doc_date"]),
        seed_file=_text(row["seed_file"]),
        line=_whole(row["seed_line"]),
        as_written=_text(row["as_written"]),
        dataset=None if dataset in ("", "seed") else dataset,
        version=_whole(row.get("version")),
        page=_whole(row.get("page")),
    )


def _item(**values: object) -> dict[str, object]:
    row = dict.fromkeys(ITEM_COLUMNS, pd.NA)
    row.update(values)
    return row


def _figure_item(row: pd.Series, scope: str) -> dict[str, object]:
    """A reported figure as an item, with its document and the measure it is reported beside."""
    measure = REPORTED_MEASURES.get(row["metric"])
    return _item(
        scope=scope,
        city=row["city"],
        adcode=row["adcode"],
        place=row["place"],
        level=row["level"],
        key=row["metric"],
        metric=row["metric"],
        family=_family(row["metric"]),
        source_kind="reported",
        value=row["value"],
        unit=row["unit"],
        qualifier=row["qualifier"],
        as_written=row["as_written"],
        period_label=row["period_label"],
        period_start=row["period_start"],
        period_end=row["period_end"],
        status=row["status"],
        basis="own" if scope == "place" else "reported",
        completeness="ok",
        measure=measure if measure else pd.NA,
        comparable=bool(measure) and row["status"] == "stock",
        label_zh=row["label_zh"],
        label_en=row["label_en"],
        sources=(_document_source(row),),
    )


def _family(metric: str) -> str:
    """``accessibility``, ``elderly`` (a reply's third section) or ``programme``."""
    if metric in ELDERLY_METRICS:
        return "elderly"
    return "accessibility" if metric_family(metric) == "accessibility" else "programme"


def _reported_items(
    figures: pd.DataFrame, places: pd.DataFrame, cities: list[str]
) -> list[dict[str, object]]:
    """Each place's own figures, each city's, and a city's sums over its places."""
    codes = set(places["adcode"])
    own = figures[
        figures["level"].isin(["district", "zone"])
        & (figures["role"] != "stated_total")
        & figures["adcode"].isin(codes)
    ]
    items = [_figure_item(row, "place") for _, row in own.iterrows()]
    whole = figures[figures["level"].isin(["city", "urban_area"]) & figures["city"].isin(cities)]
    items += [_figure_item(row, "city") for _, row in whole.iterrows()]
    expected = selection.city_places(cities)
    for (city, metric, period, status), rows in own.groupby(
        ["city", "metric", own["period_label"].fillna(""), "status"], sort=False
    ):
        said = whole[
            (whole["city"] == city)
            & (whole["metric"] == metric)
            & (whole["period_label"].fillna("") == period)
            & (whole["status"] == status)
        ]
        if len(said):
            continue  # the document states the city's figure itself: no sum beside it
        items.append(_sum_item(rows, city, expected.get(city, (frozenset(), 0))))
    return items


def _sum_item(
    rows: pd.DataFrame, city: str, expected: tuple[frozenset[str], int]
) -> dict[str, object]:
    """A city's sum of its places' figures of one period and kind (parts or partial)."""
    places, n_zones = expected
    found = selection.city_headline(rows, places, n_zones=n_zones)
    first = rows.iloc[0]
    return _item(
        scope="city",
        city=city,
        adcode=pd.NA,
        place=city,
        level="city",
        key=first["metric"],
        metric=first["metric"],
        family=_family(first["metric"]),
        source_kind="reported",
        value=found["value"],
        unit=found["unit"],
        unit_word=found["unit_word"] or pd.NA,
        qualifier=found["qualifier"],
        as_written=found["as_written"] or pd.NA,
        period_label=found["period_label"],
        period_start=found["period_start"],
        period_end=found["period_end"],
        status=found["status"],
        basis=found["basis"],
        n_parts=found["n_parts"],
        n_places=found["n_places"],
        n_zones=found["n_zones"],
        completeness="ok" if found["basis"] == "parts" else "sum_of_parts",
        comparable=False,
        label_zh=first["label_zh"],
        label_en=first["label_en"],
        sources=tuple(_document_source(r) for _, r in rows.loc[found["rows"]].iterrows()),
    )


def _ledger_rows(
    projects: pd.DataFrame, places: pd.DataFrame, chosen: selection.Selection
) -> pd.DataFrame:
    """The ledger rows of the report's places, period and kinds, with a ``_status`` key."""
    rows = projects[projects["adcode"].isin(set(places["adcode"])).fillna(False).astype(bool)]
    if chosen.years is not None:
        years = pd.to_numeric(rows["year"], errors="coerce")
        rows = rows[years.between(*chosen.years).fillna(False).astype(bool)]
    if chosen.statuses:
        kept = {LEDGER_KINDS[k] for k in chosen.statuses if k in LEDGER_KINDS}
        rows = rows[rows["status"].isin(kept).fillna(False).astype(bool)]
    city_of = places.set_index("adcode")["city"]
    return rows.assign(_status=rows["status"].astype(object), _city=rows["adcode"].map(city_of))


def _narrowed(source: DataSource, rows: pd.DataFrame) -> DataSource:
    """``source`` with only the saved versions ``rows`` come from."""
    if not source.versions or "dataset" not in rows or "version" not in rows:
        return source
    used = set(zip(rows["dataset"], pd.to_numeric(rows["version"]), strict=True))
    kept = tuple(v for v in source.versions if (v.dataset, v.version) in used)
    return dataclasses.replace(source, versions=kept or source.versions)


def _ledger_value(rows: pd.DataFrame, column: str | None) -> tuple[float, int, str]:
    """A count of rows, or a column's sum: (value, rows lacking it, completeness)."""
    if column is None:
        return float(len(rows)), 0, "ok"
    values = pd.to_numeric(rows[column], errors="coerce")
    missing = int(values.isna().sum())
    if missing == len(values):
        return np.nan, missing, "no_mapped_value"
    return float(values.sum()), missing, "incomplete" if missing else "ok"


def _ledger_items(
    projects: pd.DataFrame,
    places: pd.DataFrame,
    source: DataSource,
    chosen: selection.Selection,
    *,
    whole: bool,
) -> list[dict[str, object]]:
    """
    Per place and per city, per ledger status: communities and sums, each with its rows.

    ``whole`` is false when only some of a city's places are reported on: no sum over them is
    then given as the city's.
    """
    rows = _ledger_rows(projects, places, chosen)
    names = places.set_index("adcode")[["place", "level"]]
    items = []
    scopes = (("place", "adcode"), ("city", "_city")) if whole else (("place", "adcode"),)
    for scope, key in scopes:
        for (where, status), group in rows.groupby([key, "_status"], dropna=False, sort=True):
            place, level = names.loc[where] if scope == "place" else (where, "city")
            where_fields = {
                "scope": scope,
                "city": group["_city"].iloc[0],
                "adcode": where if scope == "place" else pd.NA,
                "place": place,
                "level": level,
                "status": status,
                "basis": "own" if scope == "place" else "ledger",
            }
            items += _ledger_group_items(group, where_fields, _narrowed(source, group))
    return items


def _ledger_group_items(
    group: pd.DataFrame, where: dict[str, object], source: DataSource
) -> list[dict[str, object]]:
    """The ledger figures of one place (or city) and status."""
    years = pd.to_numeric(group["year"], errors="coerce").dropna()
    span = (int(years.min()), int(years.max())) if len(years) else None
    items = []
    for figure, (column, unit) in LEDGER_FIGURES.items():
        value, missing, complete = _ledger_value(group, column)
        items.append(
            _item(
                **where,
                key=figure,
                metric=column or "communities",
                family="programme",
                source_kind="ledger",
                value=value,
                unit=unit,
                unit_word=LEDGER_UNIT_WORDS.get(figure, pd.NA),
                # A sum some rows lack is a lower bound: ``completeness`` says so, and the
                # words come from it, so the value itself is not qualified twice.
                qualifier="exact",
                period_start=span[0] if span else pd.NA,
                period_end=span[1] if span else pd.NA,
                completeness=complete,
                comparable=False,
                sources=(LedgerSource(source, len(group), missing, span),),
            )
        )
    return items


def _measure_items(
    table: pd.DataFrame,
    places: pd.DataFrame,
    cities: list[str],
    source: DataSource,
    data_kind: str,
    *,
    whole: bool,
    network: DataSource | None = None,
) -> list[dict[str, object]]:
    """
    Each place's measures with their statuses; a city's where every district is complete.

    A value whose status is neither ``ok`` nor ``partial_extent`` is left missing. Zones have
    no outline, so nothing is measured in them. ``whole`` is false when places of the cities
    were left out: no city value is then given.
    """
    keys = [k for k in (*MEASURED, *_share_keys(table)) if f"{k}_status" in table]
    by_code = table.set_index("adcode")
    items = []
    for place in places[places["has_outline"]].itertuples(index=False):
        if place.adcode not in by_code.index:
            continue
        row = by_code.loc[place.adcode]
        share = float(row["extent_share"]) if "extent_share" in row else None
        for key in keys:
            status = row[f"{key}_status"]
            value = row[key] if status in ("ok", "partial_extent") else np.nan
            items.append(
                _measure_item(
                    place, key, value, status, source, data_kind, share,
                    scope="place", network=network,
                )
            )  # fmt: skip
    for city in cities if whole else ():
        rows = table[table["city"] == city] if "city" in table else table[:0]
        for key in keys:
            if coverage.describe(key).kind == "share":
                continue  # a share of households belongs to districts
            value, status = coverage.city_value(rows, key)
            place = pd.Series({"adcode": pd.NA, "place": city, "city": city, "level": "city"})
            item = _measure_item(place, key, value, status, source, data_kind, None, scope="city")
            # How many districts are complete: a city value needs every one of them.
            item.update(n_parts=int((rows[f"{key}_status"] == "ok").sum()), n_places=len(rows))
            items.append(item)
    return items


def _share_keys(table: pd.DataFrame) -> list[str]:
    """The household-share keys ``table`` holds, by radius then feature type."""
    shares = [
        c.removesuffix("_status")
        for c in table.columns
        if c.startswith("households_within_") and c.endswith("_status")
    ]
    return sorted(shares, key=lambda k: (coverage.describe(k).radius, k))


def _measure_item(
    place: pd.Series,
    key: str,
    value: float,
    status: str,
    source: DataSource,
    data_kind: str,
    share: float | None,
    *,
    scope: str,
    network: DataSource | None = None,
) -> dict[str, object]:
    found = coverage.describe(key)
    walked = network if found.profile else None
    return _item(
        scope=scope,
        city=place.city,
        adcode=place.adcode,
        place=place.place,
        level=place.level,
        key=compare.INFRA_PREFIX + key,
        metric=key,
        family="accessibility",
        source_kind="measure",
        value=value,
        unit=found.unit,
        qualifier="exact",  # a partial value is worded from its status, not as a bound
        basis="own" if scope == "place" else "measured",
        completeness=status,
        measure=key,
        comparable=True,
        sources=(
            MeasureSource(
                source, key, data_kind, share, found.radius, profile=found.profile, network=walked
            ),
        ),
    )


def _ranked(items: pd.DataFrame) -> pd.DataFrame:
    """
    Each place's rank within its city (1 = largest), and how many places share it.

    Ties share the lowest rank, and ``n_tied`` counts them: three districts at 0 % are tied
    first, not one of them leading. Values equal as shown are tied (:func:`geo.shown.ranks`:
    ``rank`` and ``n_tied`` as Chinese writes them, ``rank_en`` and ``n_tied_en`` as English
    does). Among the places with a complete value of the same figure, source, period and kind.
    """
    keys = ["city", "key", "source_kind", "period_label", "status"]
    ok = items[(items["scope"] == "place") & (items["completeness"] == "ok")]
    ok = ok[ok["value"].notna()]
    by = [ok[k].astype(str) for k in keys]
    items = items.copy()
    # On the values as shown (geo.shown): 56.79 % and 56.81 % both read 56.8 %, one rank.
    found = shown.ranks(ok, by)
    items.loc[ok.index, list(shown.RANK_COLUMNS)] = found[list(shown.RANK_COLUMNS)].to_numpy()
    for column in (*shown.RANK_COLUMNS, "n_parts", "n_places", "n_zones"):
        items[column] = pd.to_numeric(items[column], errors="coerce").astype("Int64")
    return items


def _frame(items: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(items, columns=ITEM_COLUMNS)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    return _ranked(frame)


def gather_report(
    figures: pd.DataFrame,
    chosen: selection.Selection,
    *,
    projects: gpd.GeoDataFrame | None = None,
    ledger_source: DataSource | None = None,
    infra: Infra | None = None,
    infra_source: DataSource | None = None,
    readable: frozenset[str] | None = None,
    radii: Sequence[int] = coverage.RADII_M,
    network: Network | None = None,
    network_source: DataSource | None = None,
    profile: str = "walk",
) -> Report:
    """
    Every figure of ``chosen`` with its sources: documents, a ledger, measured accessibility.

    ``figures`` are the figures in view (:func:`geo.figures.load_figures`, with saved ones);
    ``chosen`` gives the cities, districts, period (``years``) and kinds (``statuses``:
    ``plan``, ``completed``, ``in_progress``, ``stock``; a ledger's rows follow
    :data:`LEDGER_KINDS`). ``projects`` (a ledger's clean rows) and ``infra`` are what the
    account may read, with their :class:`DataSource`; the measures are computed here
    (:func:`geo.coverage.measure`), whatever the period, as of the data. ``readable`` is the
    set of adcodes the account may read, ``None`` for all. With the pedestrian ``network`` of
    an OSM extract (and its ``network_source``), the shares of households within each radius
    on foot (``profile``) are measured along it too (:func:`geo.reach.measure`). Raises
    :class:`~geo.errors.InputError` (``report_too_many_places``, ``report_nothing_readable``)
    when there are too many places or none the account may read.
    """
    places, left_out = report_places(chosen, figures, projects=projects, readable=readable)
    if places.empty:
        raise InputError(
            "Expected at least one district this account may read in "
            f"{'、'.join(chosen.cities)}; it may read none of them. Ask an admin to publish "
            "the data, or choose the account's own city.",
            code="report_nothing_readable",
            details={"cities": "、".join(chosen.cities)},
        )
    cities = list(dict.fromkeys(places["city"]))
    # Ranks and city values are over every place of the cities the account reads, whichever
    # districts are chosen (卫滨区 is 3rd of 11 for households, alone or not).
    universe, hidden = _universe(chosen, figures, projects, readable, places, left_out)
    kept = selection.filter_figures(
        figures, dataclasses.replace(chosen, cities=tuple(cities), districts=()), stated_totals=True
    )
    kept = kept[
        kept["level"].isin(["city", "urban_area"]) | kept["adcode"].isin(universe["adcode"])
    ]
    items = _reported_items(kept, universe, cities)
    whole = hidden == 0
    if projects is not None and ledger_source is not None:
        items += _ledger_items(projects, universe, ledger_source, chosen, whole=whole)
    measured = walked_source = None
    if infra is not None and infra_source is not None:
        measured = coverage.measure(projects, infra, radii=radii)
        items += _measure_items(
            measured.table, universe, cities, infra_source, infra.kind, whole=whole
        )
        if network is not None and projects is not None:
            walked = reach.measure(
                projects, infra, network, profiles=(profile,), radii=tuple(radii)
            )
            walked_source = network_source or DataSource(network.source)
            items += _measure_items(
                walked.table, universe, cities, infra_source, infra.kind,
                whole=whole, network=walked_source,
            )  # fmt: skip
    ranked = _frame(items)
    chosen_places = (ranked["scope"] == "city") | ranked["adcode"].isin(places["adcode"])
    ranked = ranked[chosen_places.fillna(False).astype(bool)].reset_index(drop=True)
    outlines = boundaries.load_boundaries("district", display=True)
    outlines = outlines[outlines["city"].isin(cities)].reset_index(drop=True)
    return Report(
        selection=chosen,
        cities=tuple(cities),
        places=places,
        left_out=left_out,
        items=ranked,
        outlines=outlines,
        projects=_in_places(projects, places),
        features=None if infra is None else _features_in(infra.features, outlines),
        extent=None if infra is None else infra.extent,
        ledger_source=ledger_source,
        infra_source=infra_source,
        radii=tuple(sorted(set(radii))) if measured is not None else (),
        network_source=walked_source,
        profiles=(profile,) if walked_source is not None else (),
    )


def _universe(
    chosen: selection.Selection,
    figures: pd.DataFrame,
    projects: pd.DataFrame | None,
    readable: frozenset[str] | None,
    places: pd.DataFrame,
    left_out: int,
) -> tuple[pd.DataFrame, int]:
    """
    Every place of the chosen cities the account reads (ranks and city values are over them).

    The chosen places themselves when no district is named, or when the whole cities would
    pass :data:`MAX_PLACES`.
    """
    if not chosen.districts:
        return places, left_out
    try:
        return report_places(
            dataclasses.replace(chosen, districts=()), figures, projects=projects, readable=readable
        )
    except InputError:
        return places, left_out + 1  # not the whole cities: no city value


def _in_places(projects: gpd.GeoDataFrame | None, places: pd.DataFrame) -> gpd.GeoDataFrame | None:
    if projects is None:
        return None
    return projects[projects["adcode"].isin(set(places["adcode"])).fillna(False).astype(bool)]


def _features_in(features: gpd.GeoDataFrame, outlines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The features that touch the cities' bounding box (a map's worth, not the country's)."""
    if features.empty or outlines.empty:
        return features.iloc[:0]
    minx, miny, maxx, maxy = outlines.total_bounds
    return features.cx[minx:maxx, miny:maxy]
