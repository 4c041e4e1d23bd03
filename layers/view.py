"""
What the map shows, as one value: the filters of a view, its layers, and its map.

The map page and the export page both start from a :class:`View`, so the files a planner
downloads hold exactly what the map showed, in WGS84 with their sources. :func:`export_layers`
builds the layers (the full outlines, for files), :func:`view_map` the folium map (the
display outlines, simplified for the extent shown).

Large views are drawn by city: over :data:`MAX_DISTRICTS_DRAWN` county outlines (a province
such as Hebei, or all of China with 2,875) the map colours city outlines instead, with each
city's headline figure (:func:`geo.selection.city_summary`), so the page stays under 2 MB.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import boundaries, gazetteer, selection
from layers.choropleth import DEFAULT_CLASSES
from layers.maps import MapLayers, extent_of, figure_layers
from layers.wording import colon, label

if TYPE_CHECKING:
    from geo.coverage import Coverage

__all__ = [
    "ALL_CHINA",
    "MAX_DISTRICTS_DRAWN",
    "SEED_CITIES",
    "View",
    "city_group",
    "export_layers",
    "figure_choices",
    "projects_in_view",
    "simplified_outlines",
    "view_bounds",
    "view_communities",
    "view_heading",
    "view_map",
    "view_map_layers",
]

#: The groups of cities a view starts from, beside each province: the seed cities, all China.
SEED_CITIES = "seed"
ALL_CHINA = "china"
#: Above this many county outlines, the map draws city outlines instead.
MAX_DISTRICTS_DRAWN = 400
#: Display tolerance as a share of the view's larger side: under a pixel on a 2,000 px wide map.
_TOLERANCE_SHARE = 1 / 3000


@dataclass(frozen=True)
class View:
    """
    A planner's filters, in plain values (the same values the page keeps in its address).

    Empty tuples mean "all". ``years`` and ``kinds`` (plan, completed, in_progress, stock)
    filter the reported figures by period and kind; the ``ledger_*`` fields, ``statuses`` and
    ``tags`` filter the ledger's communities. ``scheme`` and ``classes`` class the colours
    (:data:`layers.choropleth.SCHEMES`).
    """

    cities: tuple[str, ...] = boundaries.SEED_CITIES
    districts: tuple[str, ...] = ()
    years: tuple[int, int] | None = None
    figure: str = "households"
    ledger_years: tuple[int, ...] = ()
    batches: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    basemap: str | None = None
    coverage_metric: str | None = "tactile_rate"
    lang: str = "zh"
    kinds: tuple[str, ...] = ()
    scheme: str = "fisher_jenks"
    classes: int = DEFAULT_CLASSES

    @property
    def selection(self) -> selection.Selection:
        """The view's places, period and kinds as a :class:`geo.selection.Selection`."""
        return selection.Selection(
            cities=self.cities, districts=self.districts, years=self.years, statuses=self.kinds
        )


def _simplified_dir() -> Path:
    """Where simplified outlines are kept between processes: beside the outlines' cache."""
    return boundaries.cache_dir() / "simplified"


@functools.lru_cache(maxsize=32)
def _simplified(level: str, tolerance: float, adcodes: tuple[str, ...]) -> gpd.GeoSeries:
    """
    The outlines of ``adcodes`` simplified together, kept in memory and on disk.

    On disk in :func:`_simplified_dir`, named by the outlines' version and build, the level,
    the tolerance and the adcodes: all of China's 370 city outlines take ~5 s to simplify,
    which a fresh server (a map page's cold start) reads back in ~0.05 s.
    """
    # The outlines file's time too: `atlas build --force` writes them anew.
    built = boundaries.boundaries_cache_path().stat().st_mtime_ns
    key = hashlib.blake2b(f"{built}|{'|'.join(adcodes)}".encode(), digest_size=8).hexdigest()
    grid = display_grid(tolerance)
    name = f"simplified-{boundaries.source_version()}-{level}-{tolerance:g}-{grid:g}-{key}.parquet"
    path = _simplified_dir() / name
    with contextlib.suppress(OSError, ValueError):
        kept = gpd.read_parquet(path)
        if tuple(kept["adcode"]) == adcodes:
            return gpd.GeoSeries(kept.geometry.to_numpy(), index=kept["adcode"], crs=kept.crs)
    shapes = _simplify(level, tolerance, adcodes)
    frame = gpd.GeoDataFrame({"adcode": list(adcodes)}, geometry=shapes.to_numpy(), crs=shapes.crs)
    with contextlib.suppress(OSError):
        # Written aside, then renamed: a reader never sees half a file. The aside file is the
        # thread's own: the server's start (server.warm_maps) and a first page may both write.
        path.parent.mkdir(parents=True, exist_ok=True)
        aside = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        frame.to_parquet(aside, index=False)
        os.replace(aside, path)
    return shapes


def _simplify(level: str, tolerance: float, adcodes: tuple[str, ...]) -> gpd.GeoSeries:
    full = boundaries.load_boundaries(level).set_index("adcode").geometry
    shapes = full.reindex(list(adcodes))
    # Coverage simplification of the full outlines (a valid coverage) keeps shared borders
    # shared: neighbours still meet, with no gaps or overlaps, at any tolerance.
    present = shapes.notna().to_numpy()
    out = shapes.to_numpy().copy()
    simple = shapely.coverage_simplify(out[present], tolerance)
    # Snap to a grid a tenth of the tolerance or finer (display_grid): shared vertices snap
    # alike, and the GeoJSON carries no more decimals than the view can show.
    out[present] = shapely.set_precision(simple, display_grid(tolerance))
    return gpd.GeoSeries(out, index=shapes.index, crs=full.crs)


def display_grid(tolerance: float) -> float:
    """
    The grid outlines simplified by ``tolerance`` are snapped to: a power of ten in degrees.

    The largest power of ten at most a tenth of the tolerance, never finer than the stored
    outlines' grid (:data:`geo.boundaries.DISPLAY_GRID_DEG`, ~1 m): 1e-5° for a city, 1e-3°
    (~100 m, a thirtieth of a pixel) for all of China, whose 370 outlines then carry 21 %
    fewer bytes.
    """
    grid = 10.0 ** np.floor(np.log10(tolerance / 10))
    return float(max(grid, boundaries.DISPLAY_GRID_DEG))


def simplified_outlines(frame: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    """
    ``frame`` (outlines of ``level``, with ``adcode``) with geometry simplified for display.

    The tolerance follows the extent: ~1/3000 of its larger side (rounded up to a power of
    two, so nearby extents share a cached result), never finer than the stored display
    outlines. The full outlines of ``frame``'s adcodes are simplified together, so borders
    still meet. A city is ~0.01 s; all 370 city outlines of China ~5 s, once per process.
    """
    if frame.empty:
        return frame
    minx, miny, maxx, maxy = frame.total_bounds
    tolerance = float(max(maxx - minx, maxy - miny)) * _TOLERANCE_SHARE
    tolerance = float(2.0 ** np.ceil(np.log2(max(tolerance, boundaries.DISPLAY_TOLERANCE_DEG))))
    shapes = _simplified(level, tolerance, tuple(frame["adcode"]))
    return frame.set_geometry(shapes.to_numpy(), crs=frame.crs)


def _figures_in_view(view: View, figures: pd.DataFrame) -> pd.DataFrame:
    return selection.filter_figures(figures, view.selection)


def projects_in_view(view: View, projects: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """The ledger's projects the view's cities, districts and ledger filters keep."""
    if projects is None:
        return None
    return selection.filter_projects(
        projects,
        cities=view.cities,
        districts=view.districts,
        years=view.ledger_years,
        batches=view.batches,
        statuses=view.statuses,
        tags=view.tags,
    )


def _infra_in_view(infra: gpd.GeoDataFrame | None, outlines: gpd.GeoDataFrame):
    if infra is None:
        return None
    tree = shapely.STRtree(infra.geometry.to_numpy())
    hits = np.unique(tree.query(outlines.geometry.to_numpy(), predicate="intersects")[1])
    return infra.iloc[np.sort(hits)]


def _coverage_in_view(coverage: pd.DataFrame | None, outlines: gpd.GeoDataFrame):
    if coverage is None:
        return None
    return coverage[coverage["adcode"].isin(set(outlines["adcode"]))]


def view_communities(
    projects: gpd.GeoDataFrame | None, measured: Coverage | None = None
) -> gpd.GeoDataFrame | None:
    """
    The communities a view's map and files hold, before its filters (:func:`projects_in_view`).

    With coverage measured over them, ``measured.near`` (the ledger's rows with their
    distances to the nearest features); else ``projects`` as read; None without either.
    """
    if measured is not None and measured.near is not None:
        return measured.near
    return projects


def export_layers(
    view: View,
    figures: pd.DataFrame,
    *,
    projects: gpd.GeoDataFrame | None = None,
    quarantine: pd.DataFrame | None = None,
    reconciliation: pd.DataFrame | None = None,
    infra: gpd.GeoDataFrame | None = None,
    measured: Coverage | None = None,
) -> dict[str, pd.DataFrame]:
    """
    The view's layers for files, by layer name, in EPSG:4326, each with its provenance.

    What the export page offers and ``atlas export --gpkg`` writes. ``districts`` has one
    feature per place and period with the figures as columns and their sources
    (:func:`geo.selection.export_frame`; full outlines). ``projects`` are the view's
    communities (:func:`view_communities`: a ledger's clean rows, with their distances to
    the nearest features when ``measured``), filtered by the view; ``quarantine`` and
    ``reconciliation`` are the ledger's tables, kept whole. ``infra`` keeps the features
    touching the view's districts; ``coverage`` is ``measured``'s metrics of the view's
    districts, with their statuses. Layers not given are left out, not written empty.
    """
    outlines = selection.select_outlines(view.selection)
    communities = view_communities(projects, measured)
    given = {
        "projects": projects_in_view(view, communities),
        "quarantine": quarantine,
        "reconciliation": reconciliation,
        "infra": _infra_in_view(infra, outlines),
        "coverage": _coverage_in_view(None if measured is None else measured.table, outlines),
    }
    districts = selection.export_frame(outlines, _figures_in_view(view, figures))
    return {"districts": districts} | {k: v for k, v in given.items() if v is not None}


def city_group(names: Iterable[str]) -> str:
    """
    The group of cities a link's ``names`` open in: :data:`SEED_CITIES`, a province, or all.

    The seeds when they hold every named city (names as typed: 新乡 is 新乡市), else the one
    province of the named cities, else :data:`ALL_CHINA`; so a link opens what it names
    rather than dropping a city that is not a seed. A name that is no city is left out (the
    city filter says so).
    """
    cities = gazetteer.list_cities()
    named = {gazetteer.full_city_name(text) for text in names} & set(cities["city"])
    if named <= set(boundaries.SEED_CITIES):
        return SEED_CITIES
    provinces = set(cities.loc[cities["city"].isin(named), "province"])
    return provinces.pop() if len(provinces) == 1 else ALL_CHINA


def figure_choices(kept: pd.DataFrame) -> tuple[list[str], str]:
    """
    The figures a view may colour by (those ``kept`` by its filters), and the default.

    Households when kept (else the first kept); households alone when nothing is kept, so
    the choice is never empty and the map says there is no figure.
    """
    options = kept["metric"].drop_duplicates().tolist() or ["households"]
    return options, "households" if "households" in options else options[0]


def view_bounds(view: View, outlines: gpd.GeoDataFrame, cities: gpd.GeoDataFrame):
    """
    The extent a view's map fits: ``[[south, west], [north, east]]``, or None.

    What the view names, never the extent of the data drawn on it (a ledger in one city of a
    province view would hide the rest): the chosen districts' outlines when districts are
    filtered (a zone without an outline keeps its city's extent), else the cities' outlines
    (:func:`layers.maps.extent_of` leaves far islands out, so 全国 fills the frame).
    """
    if view.districts and not outlines.empty:
        return extent_of([outlines])
    return extent_of([cities if not cities.empty else outlines])


def view_map_layers(
    view: View,
    figures: pd.DataFrame,
    *,
    projects: gpd.GeoDataFrame | None = None,
    infra: gpd.GeoDataFrame | None = None,
    measured: Coverage | None = None,
    tile_key: str | None = None,
) -> MapLayers:
    """
    The map of ``view`` as :class:`layers.maps.MapLayers`: base map, then its layers.

    Figure choropleth, city outlines, names and the optional layers: the view's communities
    (:func:`view_communities` of ``projects``, a ledger's clean rows, and ``measured``; the
    view filters them), ``infra`` (accessibility features) and ``measured``'s district
    metrics are drawn when given. Above
    :data:`MAX_DISTRICTS_DRAWN` outlines, cities are coloured instead. The view fits
    :func:`view_bounds`.
    """
    lang = view.lang
    kept = _figures_in_view(view, figures)
    metric_rows = figures[figures["metric"] == view.figure].iloc[:1]
    metric_name = metric_rows[f"label_{lang}"].iloc[0] if len(metric_rows) else view.figure
    unit = metric_rows["unit"].iloc[0] if len(metric_rows) else "count"
    outlines = selection.select_outlines(view.selection, display=True)
    cities = boundaries.load_boundaries("city", display=True)
    cities = cities[cities["city"].isin(set(outlines["city"]))].reset_index(drop=True)
    city_level = kept[kept["level"].isin(["city", "urban_area"])]
    if len(outlines) > MAX_DISTRICTS_DRAWN:
        whole = selection.filter_figures(figures, view.selection, stated_totals=True)
        coloured = _city_values(simplified_outlines(cities, "city"), whole, view.figure, lang)
        drawn_cities = None
    else:
        coloured = selection.colour_values(
            simplified_outlines(outlines, "district"), kept, view.figure
        )
        drawn_cities = simplified_outlines(cities, "city")
    shown_coverage = _coverage_in_view(None if measured is None else measured.table, outlines)
    if shown_coverage is not None and not shown_coverage.empty:
        shapes = simplified_outlines(shown_coverage[["adcode", "geometry"]], "district")
        shown_coverage = shown_coverage.set_geometry(shapes.geometry.to_numpy())
    shown_projects = projects_in_view(view, view_communities(projects, measured))
    shown_infra = _infra_in_view(infra, outlines)
    return figure_layers(
        coloured,
        metric_name=metric_name,
        unit=unit,
        cities=drawn_cities,
        city_figures=city_level,
        basemap=view.basemap,
        tile_key=tile_key,
        projects=shown_projects,
        infra=shown_infra,
        coverage=shown_coverage,
        coverage_metric=view.coverage_metric,
        scheme=view.scheme,
        classes=view.classes,
        bounds=view_bounds(view, outlines, cities),
        lang=lang,
    )


def view_map(view: View, figures: pd.DataFrame, **layers) -> folium.Map:
    """:func:`view_map_layers` as one folium map (for files, the CLI and tests)."""
    return view_map_layers(view, figures, **layers).assembled()


def view_heading(
    view: View,
    figures: pd.DataFrame,
    *,
    today: datetime.date,
    data_names: tuple[str, ...] = (),
) -> list[str]:
    """
    The lines an exported map carries on its face: title, filters, sources, export date.

    Sources are the documents of the figures in view (by number or title, the first three
    and how many more), the outline source, and ``data_names`` (a ledger's or a survey's file).
    """
    lang, sep = view.lang, "、" if view.lang == "zh" else ", "
    after = colon(lang)
    everything = label("all", lang)
    cities = view.cities if len(view.cities) <= 6 else (*view.cities[:6], "…")
    named = figures.drop_duplicates("metric").set_index("metric")[f"label_{lang}"]
    years = f"{view.years[0]}–{view.years[1]}" if view.years else everything
    kinds = sep.join(label(k, lang) for k in view.kinds) or everything
    filters = [
        f"{label('cities', lang)}{after}{sep.join(cities)}",
        f"{label('districts_short', lang)}{after}{sep.join(view.districts) or everything}",
        f"{label('years', lang)}{after}{years}",
        f"{label('figure_kind', lang)}{after}{kinds}",
        f"{label('figure', lang)}{after}{named.get(view.figure, view.figure)}",
    ]
    documents = list(dict.fromkeys(selection.document_text(_figures_in_view(view, figures))))
    # Three documents by name and how many more; a fourth is named rather than counted.
    named = documents if len(documents) <= 4 else documents[:3]
    shown = sep.join(named)
    if len(documents) > len(named):
        shown += label("and_more", lang).format(n=len(documents) - len(named))
    sources = [s for s in (shown, label("outline_source", lang), *data_names) if s]
    joined = ("；" if lang == "zh" else "; ").join(sources)
    return [
        label("title", lang),
        " · ".join(filters),
        f"{label('source', lang)}{after}{joined}",
        label("exported_on", lang).format(date=today.isoformat()),
    ]


def _city_values(
    cities: gpd.GeoDataFrame, figures: pd.DataFrame, metric: str, lang: str
) -> gpd.GeoDataFrame:
    """
    City outlines with each city's headline value, in the columns the choropleth reads.

    ``figures`` keep the documents' stated totals (a city's own total). The value is the one
    its city card shows (:func:`geo.selection.city_summary`), and ``note`` says what it
    covers: a city's figure, every district and zone summed, or only some of them.
    """
    summary = selection.city_summary(figures, metric, cities["city"].tolist())
    summary = summary.set_index("city").reindex(cities["city"])
    frame = cities[["adcode", "province", "city", "geometry"]].copy()
    frame["district"] = frame["city"]
    frame["city"] = frame["province"]
    columns = ("value", "unit", "period_label", "status", "qualifier", "as_written", "unit_word")
    for column in columns:
        frame[column] = summary.get(column, pd.Series(index=summary.index)).to_numpy()
    frame["note"] = [_city_note(card, lang) for _, card in summary.iterrows()]
    frame["doc_number"] = summary.get("source", pd.Series(index=summary.index)).to_numpy()
    frame["issuer"] = frame["doc_date"] = frame["seed_file"] = ""
    frame["seed_line"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    frame["n_periods"] = 1
    return frame


def _city_note(card: pd.Series, lang: str) -> str | None:
    """What a city's value on a map drawn by city covers, in ``lang``; None without one."""
    basis = card.get("basis")
    if basis == "parts":
        return f"{int(card['n_parts'])}{label('parts_summed', lang)}"
    if basis == "partial":
        key = "partial_of_places" if int(card.get("n_zones") or 0) else "partial_of_districts"
        return label(key, lang).format(n=int(card["n_parts"]), total=int(card["n_places"]))
    if basis == "reported":
        return label("city_figure", lang)
    return None
