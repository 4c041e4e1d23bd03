"""
A planner's selection: which outlines and reported figures a filter keeps, and how they join.

The map and the exports both start here, so what a planner sees and what they download are
the same rows. Figures stay in the long format of :func:`geo.figures.load_figures` until
:func:`colour_values` (one value per district, for the map) or :func:`export_frame` (one
feature per place and period, for files). Districts without a figure keep their row with
missing values; they are never filled with zero.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import gazetteer
from geo.boundaries import SEED_CITIES, load_boundaries, read_admin_index
from geo.documents.quantities import written_quantity
from geo.errors import UnknownPlaceError
from geo.figures import combined_qualifier
from geo.records import STATUSES

__all__ = [
    "PROVENANCE_COLUMNS",
    "UNDATED",
    "Selection",
    "city_headline",
    "city_places",
    "city_summary",
    "colour_values",
    "distinct_periods",
    "document_text",
    "export_frame",
    "filter_figures",
    "filter_projects",
    "ledger_facets",
    "select_outlines",
    "source_text",
]

#: What a source says for a document that states no date.
UNDATED = "未注明日期"
#: Columns that travel with every figure to the screen and into every export.
PROVENANCE_COLUMNS = ("doc_number", "issuer", "doc_date", "seed_file", "seed_line", "as_written")


@dataclass(frozen=True)
class Selection:
    """
    What a planner filtered: cities, districts, years and figures.

    Empty ``districts``, ``metrics`` or ``statuses`` mean "all". ``years`` keeps figures whose
    period overlaps the closed range; ``None`` keeps every period. ``statuses`` keeps figures
    of those kinds (``plan``, ``completed``, ``in_progress``, ``stock``), so like is compared
    with like.
    """

    cities: tuple[str, ...] = SEED_CITIES
    districts: tuple[str, ...] = ()
    years: tuple[int, int] | None = None
    metrics: tuple[str, ...] = ()
    province: str | None = None
    statuses: tuple[str, ...] = ()

    @classmethod
    def for_province(cls, province: str, **kwargs: Any) -> Selection:
        """Every city of ``province`` (a name such as 河南 or 河南省)."""
        info = gazetteer.resolve_province(province)
        cities = gazetteer.list_cities(info["province"])["city"].tolist()
        return cls(cities=tuple(cities), province=info["province"], **kwargs)


def _canonical_cities(cities: tuple[str, ...]) -> list[str]:
    # Raises UnknownPlaceError with close matches for a name that is no city.
    return [gazetteer.resolve_city(name)["city"] for name in cities]


def select_outlines(selection: Selection, *, display: bool = False) -> gpd.GeoDataFrame:
    """
    County-level outlines of the selected cities (and districts), in EPSG:4326.

    District names are resolved through the gazetteer, so 顺河区 finds 顺河回族区; a name that
    resolves to no outline of the selected cities raises
    :class:`~geo.errors.UnknownPlaceError` naming close matches.
    """
    cities = _canonical_cities(selection.cities)
    districts = load_boundaries("district", display=display)
    districts = districts[districts["city"].isin(cities)]
    if selection.districts:
        codes = _district_codes(selection.districts, cities)
        districts = districts[districts["adcode"].isin(codes)]
    return districts.reset_index(drop=True)


def _district_codes(names: Iterable[str], cities: list[str]) -> set[str]:
    """
    Adcodes (outline or zone codes) for district names within the selected cities.

    Suggestions for a name that matches nothing come from the admin index (names only), so
    no outline is read to validate a filter.
    """
    codes: set[str] = set()
    for name in names:
        found = [gazetteer.resolve_district(name, city=city) for city in cities]
        hits = [r for r in found if r.status in ("ok", "historical", "zone")]
        if not hits:
            index = read_admin_index()
            in_cities = (index["level"] == "district") & index["city"].isin(cities)
            choices = index.loc[in_cities, "district"].tolist()
            raise UnknownPlaceError(
                "district", name, gazetteer.close_matches(name, choices, limit=5)
            )
        codes.update(r.adcode for r in hits if r.adcode is not None)
    return codes


def filter_figures(
    figures: pd.DataFrame, selection: Selection, *, stated_totals: bool = False
) -> pd.DataFrame:
    """
    Figures of the selected places, years and metrics.

    Stated totals (a document's own total whose parts are also rows) are left out: they are
    checks, not places, and keeping them would count every household twice. Figures without
    a year are kept by any year range. ``stated_totals=True`` keeps them, for
    :func:`city_summary`, which reads a document's own city total as the city's figure.
    """
    cities = _canonical_cities(selection.cities)
    keep = figures["city"].isin(cities)
    if not stated_totals:
        keep &= figures["role"] != "stated_total"
    if selection.districts:
        codes = _district_codes(selection.districts, cities)
        keep &= figures["adcode"].isin(codes)
    if selection.years is not None:
        first, last = selection.years
        start = figures["period_start"].fillna(figures["period_end"])
        end = figures["period_end"].fillna(figures["period_start"])
        # An undated figure (Handan's reply has no date) cannot be excluded by a year it does
        # not state; it stays, and the screen labels it 未注明时期.
        keep &= ((end >= first) & (start <= last)).fillna(True).astype(bool)
    if selection.metrics:
        keep &= figures["metric"].isin(selection.metrics)
    if selection.statuses:
        keep &= figures["status"].isin(selection.statuses)
    return figures[keep].reset_index(drop=True)


def colour_values(
    districts: gpd.GeoDataFrame, figures: pd.DataFrame, metric: str
) -> gpd.GeoDataFrame:
    """
    One value of ``metric`` per district outline, with its provenance, for a choropleth.

    Where a district has the metric for several periods, the latest period is shown and
    ``n_periods`` says how many there were. Districts with no figure keep their row with
    ``value`` missing. Output CRS is that of ``districts``.
    """
    rows = figures[(figures["metric"] == metric) & (figures["level"] == "district")]
    rows = rows.sort_values(["period_end", "period_start"])
    counts = rows.groupby("adcode").size().rename("n_periods")
    latest = rows.drop_duplicates("adcode", keep="last").set_index("adcode")
    cols = ["value", "unit", "qualifier", "period_label", "status", "label_zh", "label_en"]
    joined = districts.join(latest[[*cols, *PROVENANCE_COLUMNS]], on="adcode")
    joined = joined.join(counts, on="adcode")
    joined["n_periods"] = joined["n_periods"].fillna(0).astype(int)
    # The left join turns line numbers into floats where districts have no figure.
    joined["seed_line"] = joined["seed_line"].astype("Int64")
    return joined


def city_summary(figures: pd.DataFrame, metric: str, cities: list[str]) -> pd.DataFrame:
    """
    One headline value of ``metric`` per city, saying how it was obtained and what it covers.

    ``basis`` is

    - ``reported``: a figure the document states for the city (a city-level figure, or a
      document's own total such as Xinxiang's 全市 22149 户 when ``figures`` keep stated
      totals) or for its main urban area (``place`` says which);
    - ``parts``: the sum over districts and zones of one period and kind (the latest) when
      every district and zone of the city has the figure: a city total;
    - ``partial``: that sum when only some have it (``n_parts`` of ``n_places``): not a city
      total, and never worded as one;
    - ``none``: no figure; ``value`` is then missing, not zero.

    A city-wide figure, reported or summed, comes first (the later period when there are
    both), then a main-urban-area figure, then a partial sum. ``qualifier`` is that of the
    value (a sum of parts "at least" something is "at least"; see
    :func:`geo.figures.combined_qualifier`); ``as_written`` the document's words where the
    value is one figure; ``unit_word`` the unit the documents wrote when they all wrote the
    same one (处, 栋), else missing. ``n_zones`` is how many of ``n_places`` are development
    zones. ``others`` counts the city's figures of the metric for other periods or kinds;
    ``places`` names the places summed or reported (``、``-joined) and ``documents`` their
    documents by number and title.
    """
    rows = figures[figures["metric"] == metric]
    expected = city_places(cities)
    # One pass over the figures, not one filter per city (all of China: 370 cities, most
    # without a figure).
    by_city = dict(tuple(rows.groupby("city", sort=False))) if len(rows) else {}
    empty = rows.iloc[:0]
    records = []
    for city in cities:
        places, n_zones = expected.get(city, (frozenset(), 0))
        found = city_headline(by_city.get(city, empty), places, n_zones=n_zones)
        found.pop("rows", None)
        records.append({"city": city, **found})
    return pd.DataFrame.from_records(records)


def city_places(cities: Iterable[str]) -> Mapping[str, tuple[frozenset[str], int]]:
    """
    Each city's district and zone adcodes (what a sum must cover to be a city total).

    With how many of them are development zones (data/zones.csv). A city the outline index
    does not know has no places, so no sum is ever its total. Kept per list of cities: the
    map page asks twice a run, for all of China's 370 cities.
    """
    return _city_places(tuple(cities))


@functools.lru_cache(maxsize=16)
def _city_places(cities: tuple[str, ...]) -> Mapping[str, tuple[frozenset[str], int]]:
    index = read_admin_index()
    districts = index[(index["level"] == "district") & index["city"].isin(cities)]
    zones = gazetteer.list_zones()
    zones = zones[zones["city"].isin(cities)]
    by_city = districts.groupby("city", sort=False)["adcode"].agg(set).to_dict()
    zones_by_city = zones.groupby("city", sort=False)["code"].agg(set).to_dict()
    out = {}
    for city in cities:
        codes = by_city.get(city, set())
        zone_codes = zones_by_city.get(city, set()) - codes
        out[city] = (frozenset(codes | zone_codes), len(zone_codes))
    return MappingProxyType(out)


def _latest_group(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of the latest period and kind (the last row's) of rows sorted by period."""
    last = rows.iloc[-1]
    same = rows["period_label"].fillna("").eq(
        "" if pd.isna(last["period_label"]) else last["period_label"]
    ) & rows["status"].eq(last["status"])
    return rows[same.to_numpy(dtype=bool)]


def _period_key(rows: pd.DataFrame) -> tuple[float, float]:
    """(end, start) of a group's period for "which is later"; an undated one is earliest."""
    end, start = rows["period_end"].iloc[0], rows["period_start"].iloc[0]
    return (
        float("-inf") if pd.isna(end) else float(end),
        float("-inf") if pd.isna(start) else float(start),
    )


def city_headline(
    rows: pd.DataFrame, places: set[str] | frozenset[str], *, n_zones: int = 0
) -> dict[str, Any]:
    """
    The headline of one city's figures of one metric: its value and ``basis``.

    ``rows`` are the city's figures of the metric (stated totals included or not);
    ``places`` the adcodes of every district and zone of the city, of which ``n_zones`` are
    zones. See :func:`city_summary` for the fields and the order of preference; ``rows`` is
    the index of the rows reported or summed. Shared by the
    city cards, the maps drawn by city and :func:`geo.compare.reported_values`, so that all
    three say the same about a city.
    """
    if rows.empty:  # no figure: nothing to sort or sum (most cities of a national view)
        return {
            "basis": "none",
            "value": float("nan"),
            "others": 0,
            "n_places": len(set(places)),
            "n_zones": n_zones,
        }
    rows = rows.sort_values(["period_end", "period_start"], na_position="first", kind="stable")
    whole = rows[rows["level"] == "city"]
    urban = rows[rows["level"] == "urban_area"]
    parts = rows[rows["level"].isin(["district", "zone"]) & (rows["role"] != "stated_total")]
    summed = _latest_group(parts) if len(parts) else parts
    covered = set(summed["adcode"]) if len(summed) else set()
    complete = bool(places) and set(places) <= covered
    n_places = len(set(places) | covered)
    candidates = []
    if len(whole):
        candidates.append(("reported", whole.iloc[[-1]]))
    if complete:
        candidates.append(("parts", summed))
    if candidates:
        # The later of a city-wide figure and a complete sum; a tie goes to the document's own.
        basis, chosen = max(reversed(candidates), key=lambda c: _period_key(c[1]))
    elif len(urban):
        basis, chosen = "reported", urban.iloc[[-1]]
    elif len(summed):
        basis, chosen = "partial", summed
    else:
        return {
            "basis": "none",
            "value": float("nan"),
            "others": 0,
            "n_places": n_places,
            "n_zones": n_zones,
        }
    return _headline_fields(basis, chosen, rows, n_places=n_places, n_zones=n_zones)


def _headline_fields(
    basis: str, chosen: pd.DataFrame, rows: pd.DataFrame, *, n_places: int, n_zones: int
) -> dict[str, Any]:
    """The fields of a city headline from the rows it reports or sums."""
    first = chosen.iloc[0]
    one = len(chosen) == 1
    same_period = rows["period_label"].fillna("").eq(
        "" if pd.isna(first["period_label"]) else first["period_label"]
    ) & rows["status"].eq(first["status"])
    words = {_unit_word(w) for w in chosen["as_written"]}
    return {
        "basis": basis,
        "value": float(chosen["value"].sum()),
        "unit": first["unit"],
        "qualifier": combined_qualifier(chosen["qualifier"]),
        "as_written": first["as_written"] if one else None,
        "unit_word": words.pop() if len(words) == 1 else None,
        "place": first["place"] if basis == "reported" else None,
        "level": first["level"] if basis == "reported" else None,
        "period_label": first["period_label"],
        "period_start": first["period_start"],
        "period_end": first["period_end"],
        "status": first["status"],
        "n_parts": chosen["adcode"].nunique() if basis in ("parts", "partial") else 0,
        "n_places": n_places,
        "n_zones": n_zones,
        "source": " | ".join(dict.fromkeys(source_text(chosen))),
        "places": "、".join(dict.fromkeys(chosen["place"].astype(str))),
        "documents": " | ".join(dict.fromkeys(document_text(chosen))),
        "others": int((~same_period.to_numpy(dtype=bool)).sum()),
        "rows": list(chosen.index),
    }


def _unit_word(as_written: object) -> str | None:
    """The unit a figure's words give it (处 in 926处), or None."""
    if not isinstance(as_written, str):
        return None
    found = written_quantity(as_written)
    return None if found is None else found.unit_word


def export_frame(districts: gpd.GeoDataFrame, figures: pd.DataFrame) -> gpd.GeoDataFrame:
    """
    One feature per place and period, figures as columns, provenance as properties.

    District outlines without figures are kept with empty values. Zones and city-level
    figures, which have no outline in a district layer, become features with no geometry;
    nothing is dropped. Output CRS is EPSG:4326.
    """
    keys = ["adcode", "level", "place", "city", "period_label", "period_start", "period_end"]
    wide = _pivot_figures(figures, keys)
    outline_cols = ["adcode", "province", "city", "district", "geometry"]
    by_outline = districts[outline_cols].merge(
        wide[wide["level"] == "district"].drop(columns=["city"]), on="adcode", how="left"
    )
    by_outline["level"] = by_outline["level"].fillna("district")
    by_outline["place"] = by_outline["place"].fillna(by_outline["district"])
    # Figures at places with no district outline in this layer: zones, cities, urban areas,
    # and district figures whose outline the filter left out.
    shown = set(districts["adcode"])
    loose = wide[(wide["level"] != "district") | ~wide["adcode"].isin(shown)].copy()
    province = figures.drop_duplicates("city").set_index("city")["province"]
    loose["province"] = loose["city"].map(province)
    loose["district"] = loose["place"].where(loose["level"].isin(["district", "zone"]))
    frame = pd.concat([by_outline, loose], ignore_index=True)
    frame["has_data"] = frame["sources"].notna()
    return gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")


def document_text(figures: pd.DataFrame) -> pd.Series:
    """Each figure's document as a reader names it: its number and its title."""
    number = figures["doc_number"].fillna("").astype(str)
    title = figures["title"].fillna("").astype(str)
    return (number + " " + title).str.strip()


def source_text(figures: pd.DataFrame) -> pd.Series:
    """One readable source per figure: document number (or title), issuer, date, seed file."""
    number = figures["doc_number"].fillna("")
    doc = number.where(number != "", figures["title"])
    date = figures["doc_date"].fillna("")
    date = date.where(date != "", UNDATED)
    return doc + " · " + figures["issuer"] + " · " + date + " · " + figures["seed_file"]


def _pivot_figures(figures: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Wide table: a value, an as-written and a qualifier column per metric; sources joined."""
    if figures.empty:
        return pd.DataFrame(columns=[*keys, "status", "sources", "seed_lines"])
    fields = ["value", "as_written", "qualifier"]
    wide = figures.groupby([*keys, "metric"], dropna=False)[fields].first().unstack("metric")
    wide.columns = [m if f == "value" else f"{m}_{f}" for f, m in wide.columns]
    figures = figures.assign(
        source=source_text(figures),
        line=figures["seed_file"] + ":" + figures["seed_line"].astype(str),
    )
    grouped = figures.groupby(keys, dropna=False)
    wide["status"] = grouped["status"].agg(lambda s: "; ".join(sorted(set(s))))
    wide["sources"] = grouped["source"].agg(lambda s: " | ".join(dict.fromkeys(s)))
    wide["seed_lines"] = grouped["line"].agg(lambda s: "; ".join(dict.fromkeys(s)))
    return wide.reset_index()


def filter_projects(
    projects: gpd.GeoDataFrame,
    *,
    cities: tuple[str, ...] = (),
    districts: tuple[str, ...] = (),
    years: tuple[int, ...] = (),
    batches: tuple[str, ...] = (),
    statuses: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
) -> gpd.GeoDataFrame:
    """
    A ledger's clean projects narrowed by city, district, year, batch, status and content tags.

    An empty filter keeps everything. ``tags`` keeps projects with any of the tags (keys of
    :data:`geo.records.CONTENT_TAGS` or words as written). Rows missing the filtered value are
    dropped by that filter, since they cannot be said to match.
    """
    keep = pd.Series(True, index=projects.index)
    if cities:
        keep &= projects["city"].isin(cities).fillna(False)
    if districts:
        keep &= projects["district"].isin(districts).fillna(False)
    if years:
        keep &= projects["year"].isin(years).fillna(False)
    if batches:
        keep &= projects["batch"].isin(batches).fillna(False)
    if statuses:
        keep &= projects["status"].isin(statuses).fillna(False)
    if tags:
        pattern = "|".join(rf"(?:^|\|){re.escape(t)}(?:\||$)" for t in tags)
        keep &= projects["content_tags"].str.contains(pattern, regex=True).fillna(False)
    return projects[keep.astype(bool)]


def ledger_facets(projects: pd.DataFrame) -> dict[str, list]:
    """
    The choices of a ledger's filters, each sorted.

    ``years`` (ints), ``batches``,
    ``statuses`` (in :data:`geo.records.STATUSES` order) and content ``tags``. A facet the
    ledger has no value for is an empty list.
    """
    # Distinct values first, then Python over those: a national ledger's 300k rows hold a few
    # dozen statuses and tag lists (iterating every row took 1.8 s of each map page's run).
    present = set(projects["status"].dropna().unique())
    tag_lists = projects["content_tags"].dropna().unique()
    return {
        "years": sorted(int(y) for y in projects["year"].dropna().unique()),
        "batches": sorted(str(b) for b in projects["batch"].dropna().unique()),
        "statuses": [s for s in STATUSES if s in present],
        "tags": sorted({t for v in tag_lists for t in str(v).split("|")}),
    }


def distinct_periods(rows: pd.DataFrame, *, status: str = "status") -> list[tuple]:
    """
    The distinct (``period_label``, ``status``) pairs of ``rows``, in order of appearance.

    More than one means the values mix periods, or plans with completed work.
    """
    pairs = (
        rows[["period_label", status]]
        .astype(object)
        .where(rows[["period_label", status]].notna(), None)
    )
    return list(dict.fromkeys(pairs.itertuples(index=False, name=None)))
