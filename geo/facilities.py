"""
Service facilities a renovated community is judged against, and the registry of standards.

The registry (:func:`load_registry`, ``data/lifecircle.toml``) is data: each category of the
life-circle and complete-community standards (幼儿园, 托儿所, 社区卫生服务站, 公园 …), the OSM
tags and file words that name it, and the walking radius its standard sets, with the
standard, clause and edition, and whether that radius was checked against the clause's text.
A radius that was not is a setting (:meth:`Registry.with_radii` changes it) and says so.

Facilities come from two sources, each a :class:`Facilities`:

- an OpenStreetMap extract (:func:`read_osm_facilities`): nodes, ways and areas (closed ways
  and multipolygons, assembled by libosmium) whose tags match a category's rules; a park
  keeps its area (m², in the extract's metric CRS), which decides its radius;
- a facilities file the bureau keeps (:func:`read_facility_file`, CSV or XLSX of the
  template :data:`FILE_FIELDS`): read with the ledger's hostile-file rules
  (:mod:`geo.io.sheets`), every bad row quarantined with a reason code, its column and the
  cell, never dropped.

What a source covers is per category (:meth:`Facilities.extent`): an OSM extract covers its
network's extent for the categories it maps at all; a facilities file covers the districts
its placed facilities lie in (or the districts declared). Outside, a category has no data,
never zero facilities. Output CRS is EPSG:4326.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import tempfile
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import boundaries, crs
from geo._data import DATA_DIR
from geo.errors import InputError
from geo.io import cells as _cells
from geo.io import osm as _osm
from geo.io import sheets as _sheets

if TYPE_CHECKING:  # imported when an extract is read, not when atlas starts
    import osmium

__all__ = [
    "FILE_FIELDS",
    "REASONS",
    "REGISTRY_PATH",
    "Category",
    "Facilities",
    "LifeCircle",
    "Registry",
    "RegistryError",
    "Source",
    "Standard",
    "Tier",
    "combine",
    "load_registry",
    "read_facility_file",
    "read_osm_facilities",
]

REGISTRY_PATH = DATA_DIR / "lifecircle.toml"

#: Facilities-file column → header synonyms (compared like ledger headers).
FILE_FIELDS: dict[str, tuple[str, ...]] = {
    "category": ("设施类别", "设施类型", "类别", "类型", "category", "type"),
    "name": ("名称", "设施名称", "name"),
    "id": ("编号", "设施编号", "id", "code"),
    "address": ("地址", "详细地址", "address"),
    "lon": ("经度", "lon", "lng", "longitude", "x"),
    "lat": ("纬度", "lat", "latitude", "y"),
    "datum": ("坐标系", "坐标系统", "datum", "crs"),
    "area": ("面积", "占地面积", "用地面积", "area", "area_m2"),
}
_FIELD_SYNONYMS = {
    _sheets.header_key(w): field for field, words in FILE_FIELDS.items() for w in words
}

#: Reason codes of a quarantined facilities-file row, beyond :data:`geo.io.sheets.ROW_REASONS`
#: (layers words each, with its ``column`` and ``detail``).
REASONS = (
    "missing_category",
    "unknown_category",
    "no_point",
    "no_area",
    "bad_area",
)


class RegistryError(ValueError):
    """The registry file says something the indicators cannot use; the message says what."""


@dataclasses.dataclass(frozen=True)
class Standard:
    """A standard cited by the registry: its code, title, issuer and edition (and in English)."""

    key: str
    code: str
    title: str
    issuer: str
    edition: str
    title_en: str
    edition_en: str
    code_en: str


@dataclasses.dataclass(frozen=True)
class Tier:
    """Facilities of at least ``min_area_m2`` serve within ``radius_m`` (a park's size rule)."""

    min_area_m2: float
    radius_m: float


@dataclasses.dataclass(frozen=True)
class LifeCircle:
    """A life circle of GB 50180-2018: minutes on foot, metres, its clause."""

    minutes: int
    radius_m: float
    standard: str
    clause: str
    clause_en: str
    checked: bool


@dataclasses.dataclass(frozen=True)
class Category:
    """
    One facility category: its standard and clause, radius (or tiers), and how it is named.

    ``osm`` is a tuple of rules, each a mapping of tag → value that must all hold (a key
    ending in ``~`` is a regular expression searched in that tag); ``words`` are what a
    facilities file may write in its category column. ``checked`` is true only where the
    radius was read in the clause's text; else the radius is a setting. ``setting`` marks a
    radius a planner changed.
    """

    key: str
    standard: str
    clause: str
    clause_en: str
    radius_m: float
    checked: bool
    complete_community: bool
    osm: tuple[tuple[tuple[str, str], ...], ...]
    words: tuple[str, ...]
    life_circle: int | None = None
    tiers: tuple[Tier, ...] = ()
    setting: bool = False

    @property
    def rules(self) -> tuple[Tier, ...]:
        """The size tiers, largest first; one tier of every size when the standard has none."""
        return self.tiers or (Tier(0.0, self.radius_m),)

    @property
    def min_area_m2(self) -> float:
        """The smallest facility counted (0 but for parks)."""
        return min(t.min_area_m2 for t in self.rules)


@dataclasses.dataclass(frozen=True)
class Registry:
    """
    The categories (in display order), the standards they cite, the life circles.

    ``complete_clause`` is the clause that makes a community complete: (standard key,
    clause, clause in English).
    """

    categories: dict[str, Category]
    standards: dict[str, Standard]
    life_circles: tuple[LifeCircle, ...]
    complete_clause: tuple[str, str, str]

    @property
    def complete_community(self) -> tuple[str, ...]:
        """The categories a complete community must have within reach."""
        return tuple(k for k, c in self.categories.items() if c.complete_community)

    def citation(self, key: str) -> str:
        """``GB 50180-2018 附录 C …`` for a category: the standard's code and the clause."""
        category = self.categories[key]
        return f"{self.standards[category.standard].code} {category.clause}"

    def with_radii(self, radii: dict[str, float]) -> Registry:
        """
        The registry with some categories' radii set by the planner (marked ``setting``).

        A tiered category (parks) scales every tier by the new largest radius. Raises
        :class:`RegistryError` for an unknown category or a radius that is not positive.
        """
        categories = dict(self.categories)
        for key, radius in radii.items():
            if key not in categories:
                raise RegistryError(
                    f"Expected a facility category among {', '.join(categories)}; got {key!r}."
                )
            if not float(radius) > 0:
                raise RegistryError(
                    f"Expected a radius in metres above 0 for {key}; got {radius!r}."
                )
            found = categories[key]
            scale = float(radius) / found.radius_m
            tiers = tuple(Tier(t.min_area_m2, t.radius_m * scale) for t in found.tiers)
            categories[key] = dataclasses.replace(
                found, radius_m=float(radius), tiers=tiers, setting=True
            )
        return dataclasses.replace(self, categories=categories)


def _require(table: dict, keys: tuple[str, ...], where: str) -> None:
    missing = [k for k in keys if k not in table]
    if missing:
        raise RegistryError(
            f"Expected {where} to give {', '.join(keys)}; it lacks {', '.join(missing)}. "
            f"Add them to {REGISTRY_PATH.name} (see data/README.md)."
        )


def _category(entry: dict, standards: dict[str, Standard]) -> Category:
    where = f"category {entry.get('key', '?')!r}"
    needed = ("key", "standard", "clause", "clause_en", "radius_m", "checked", "osm", "words")
    _require(entry, needed, where)
    if entry["standard"] not in standards:
        raise RegistryError(
            f"Expected {where} to cite one of the standards {sorted(standards)}; got "
            f"{entry['standard']!r}. Add it under [standards]."
        )
    tiers = tuple(
        Tier(float(t["min_area_m2"]), float(t["radius_m"]))
        for t in sorted(entry.get("tiers", ()), key=lambda t: -t["min_area_m2"])
    )
    if tiers and max(t.radius_m for t in tiers) != float(entry["radius_m"]):
        raise RegistryError(f"Expected {where}'s radius_m to be its largest tier's radius.")
    rules = tuple(tuple(sorted((str(k), str(v)) for k, v in rule.items())) for rule in entry["osm"])
    for rule in rules:
        for key, value in rule:
            if key.endswith("~"):
                re.compile(value)  # a broken pattern fails here, at load, not per element
    return Category(
        key=entry["key"],
        standard=entry["standard"],
        clause=entry["clause"],
        clause_en=entry["clause_en"],
        radius_m=float(entry["radius_m"]),
        checked=bool(entry["checked"]),
        complete_community=bool(entry.get("complete_community", False)),
        osm=rules,
        words=tuple(entry["words"]),
        life_circle=entry.get("life_circle"),
        tiers=tiers,
    )


def load_registry(path: str | Path | None = None) -> Registry:
    """
    The registry of categories and standards (``data/lifecircle.toml`` unless ``path``).

    Raises :class:`RegistryError` naming what is missing or inconsistent. The shipped one is
    read once per process (a :class:`Registry` is frozen: :meth:`Registry.with_radii` makes
    a new one).
    """
    return _registry(str(Path(path or REGISTRY_PATH).resolve()))


@functools.lru_cache(maxsize=4)
def _registry(path: str) -> Registry:
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    standards = {}
    for key, entry in data.get("standards", {}).items():
        fields = ("code", "title", "issuer", "edition", "title_en", "edition_en", "code_en")
        _require(entry, fields, f"standard {key!r}")
        standards[key] = Standard(key, *(entry[f] for f in fields))
    categories = {}
    for entry in data.get("category", []):
        category = _category(entry, standards)
        if category.key in categories:
            raise RegistryError(f"Expected each category once; {category.key!r} is repeated.")
        categories[category.key] = category
    circles = []
    for entry in data.get("life_circle", []):
        _require(
            entry,
            ("minutes", "radius_m", "standard", "clause", "clause_en", "checked"),
            "[[life_circle]]",
        )
        circles.append(
            LifeCircle(
                int(entry["minutes"]),
                float(entry["radius_m"]),
                entry["standard"],
                entry["clause"],
                entry["clause_en"],
                bool(entry["checked"]),
            )
        )
    if not categories:
        raise RegistryError(f"Expected [[category]] entries in {path}.")
    complete = data.get("complete_community", {})
    _require(complete, ("standard", "clause", "clause_en"), "[complete_community]")
    for cited in [complete["standard"], *(c.standard for c in circles)]:
        if cited not in standards:
            raise RegistryError(f"Expected a standard among {sorted(standards)}; got {cited!r}.")
    clause = (complete["standard"], complete["clause"], complete["clause_en"])
    return Registry(categories, standards, tuple(circles), clause)


# --- what a source holds ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Source:
    """One source of facilities: its name, kind (``osm`` or ``file``), extent, categories."""

    name: str
    kind: str
    extent: shapely.Geometry | None
    categories: frozenset[str]


@dataclasses.dataclass
class Facilities:
    """
    Facilities from one or more sources, in EPSG:4326.

    ``features`` has ``category``, ``source``, ``source_id`` (``node/1``, ``way/2``,
    ``row 7``), ``name``, ``area_m2`` (missing unless an area was known) and the geometry:
    a point, or the facility's outline (a park), a line for an unclosed way. A facility of
    two categories has a row for each. ``quarantine`` lists refused file rows: ``row``,
    ``reason`` (:data:`REASONS` and those of :data:`geo.io.sheets.ROW_REASONS`), ``column``,
    ``detail_zh``/``detail_en`` (the cell, as the shared readers quote it), ``detail_params``
    (a detail's code and parameters where it needs words) and every raw cell.
    """

    features: gpd.GeoDataFrame
    sources: list[Source]
    quarantine: pd.DataFrame

    def extent(self, category: str) -> shapely.Geometry | None:
        """Where some source says whether there is a ``category`` facility (None: nowhere)."""
        parts = [
            s.extent for s in self.sources if category in s.categories and s.extent is not None
        ]
        return shapely.union_all(parts) if parts else None

    def counts(self) -> dict[str, int]:
        """Facilities per category (0 when absent), in the features' order of categories."""
        return {str(k): int(v) for k, v in self.features["category"].value_counts().items()}

    def summary(self) -> dict[str, object]:
        """The CLI's one JSON line: sources, counts per category, quarantined rows by reason."""
        by_reason = self.quarantine["reason"].value_counts().sort_index()
        return {
            "sources": [s.name for s in self.sources],
            "facilities": self.counts(),
            "quarantined": len(self.quarantine),
            "by_reason": {str(k): int(v) for k, v in by_reason.items()},
        }


def _empty_features() -> gpd.GeoDataFrame:
    columns = {c: pd.Series(dtype=object) for c in ("category", "source", "source_id", "name")}
    return gpd.GeoDataFrame(
        columns | {"area_m2": pd.Series(dtype="float64")},
        geometry=gpd.GeoSeries([], crs="EPSG:4326"),
    )


def combine(*parts: Facilities) -> Facilities:
    """Facilities of several sources together (every row and quarantined row kept)."""
    features = [p.features for p in parts if len(p.features)]
    joined = (
        gpd.GeoDataFrame(pd.concat(features, ignore_index=True), crs="EPSG:4326")
        if features
        else _empty_features()
    )
    quarantine = pd.concat([p.quarantine for p in parts], ignore_index=True)
    return Facilities(joined, [s for p in parts for s in p.sources], quarantine)


# --- OpenStreetMap ----------------------------------------------------------------------------


def _matches(tags: dict[str, str], rule: tuple[tuple[str, str], ...]) -> bool:
    for key, value in rule:
        if key.endswith("~"):
            found = tags.get(key[:-1])
            if found is None or re.search(value, found) is None:
                return False
        elif tags.get(key) != value:
            return False
    return True


def _categories_of(tags: dict[str, str], registry: Registry) -> list[str]:
    return [
        key
        for key, category in registry.categories.items()
        if any(_matches(tags, rule) for rule in category.osm)
    ]


def _tag_filter(registry: Registry) -> osmium.filter.TagFilter:
    """A C++ filter passing only elements with the first plain tag of some rule."""
    import osmium

    pairs = {
        next((k, v) for k, v in rule if not k.endswith("~"))
        for category in registry.categories.values()
        for rule in category.osm
    }
    return osmium.filter.TagFilter(*sorted(pairs))


def _osm_elements(path: Path, registry: Registry) -> list[tuple]:
    """(categories, source id, name, WKB or (lon, lat), is area) of every matching element."""
    import osmium

    wkb = osmium.geom.WKBFactory()
    tags_filter = _tag_filter(registry)
    processor = osmium.FileProcessor(str(path)).with_areas(tags_filter).with_filter(tags_filter)
    found: list[tuple[list[str], str, str | None, object, bool]] = []
    area_ways = set()
    for obj in processor:
        tags = dict(obj.tags)
        kinds = _categories_of(tags, registry)
        if not kinds:
            continue
        name = tags.get("name")
        try:
            if isinstance(obj, osmium.osm.Node):
                found.append((kinds, f"node/{obj.id}", name, (obj.lon, obj.lat), False))
            elif isinstance(obj, osmium.osm.Area):
                ident = f"{'way' if obj.from_way() else 'relation'}/{obj.orig_id()}"
                if obj.from_way():
                    area_ways.add(obj.orig_id())
                found.append((kinds, ident, name, wkb.create_multipolygon(obj), True))
            elif isinstance(obj, osmium.osm.Way):
                found.append((kinds, f"way/{obj.id}", name, wkb.create_linestring(obj), False))
        except (RuntimeError, osmium.InvalidLocationError):
            # A way cut at the extract's edge, or a ring libosmium cannot close: no geometry.
            continue
    # A closed way comes as a way and as its area: the area is kept.
    return [
        e
        for e in found
        if not (e[1].startswith("way/") and not e[4] and int(e[1][4:]) in area_ways)
    ]


def read_osm_facilities(
    source: str | Path | bytes,
    *,
    registry: Registry,
    extent: shapely.Geometry | None,
    name: str | None = None,
) -> Facilities:
    """
    The facilities an OSM extract (a path, or its bytes and ``name``) maps, by tag rules.

    ``extent`` is where the extract says something (its network's extent,
    :meth:`geo.network.Network.extent`): it covers every category the extract maps at all.
    The file passes :func:`geo.io.osm.check_osm` first. Areas keep their outline and their
    area in m² (in the extract's Gauss-Krüger zone); nodes are points; an unclosed way is
    its line.
    """
    if isinstance(source, bytes | bytearray):
        label = name or "upload.osm.pbf"
        if len(source) > _osm.MAX_OSM_BYTES:
            raise _osm.too_large(label, len(source))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / ("upload" + "".join(Path(label).suffixes[-2:]))
            path.write_bytes(source)
            sha256 = hashlib.sha256(source).hexdigest()
            return _read_osm_facilities(path, label, registry, extent, sha256)
    path = Path(source)
    return _read_osm_facilities(path, name or path.name, registry, extent, None)


def _read_osm_facilities(
    path: Path,
    label: str,
    registry: Registry,
    extent: shapely.Geometry | None,
    sha256: str | None,
) -> Facilities:
    # An upload's whole-file check is known by its content (geo.io.osm.read_whole).
    _osm.check_osm(path, label, sha256=sha256)
    try:
        elements = _osm_elements(path, registry)
    except RuntimeError as exc:
        # libosmium assembles areas in one pass over a file sorted by type and id.
        raise InputError(
            f"Expected an OSM extract sorted by type and id, as OSM exports are; {label!r} "
            f"could not be read for its facilities: {exc}. Sort it (osmium sort IN -o OUT).",
            code="osm_unsorted",
            details={"name": label},
        ) from exc
    rows = []
    for kinds, ident, title, shape, is_area in elements:
        geometry = shapely.Point(shape) if isinstance(shape, tuple) else shapely.from_wkb(shape)
        for kind in kinds:
            rows.append((kind, label, ident, title, geometry, is_area))
    if not rows:
        return Facilities(
            _empty_features(), [Source(label, "osm", extent, frozenset())], _empty_quarantine()
        )
    frame = pd.DataFrame(rows, columns=["category", "source", "source_id", "name", "geometry", "a"])
    geometry = frame["geometry"].to_numpy()
    area = np.where(frame["a"].to_numpy(dtype=bool), _areas_m2(geometry), np.nan)
    features = gpd.GeoDataFrame(
        frame.drop(columns=["geometry", "a"]).assign(area_m2=area),
        geometry=geometry,
        crs="EPSG:4326",
    )
    read = Source(label, "osm", extent, frozenset(features["category"]))
    return Facilities(features, [read], _empty_quarantine())


def _areas_m2(geometries: np.ndarray) -> np.ndarray:
    """Each geometry's area in m², in the Gauss-Krüger (or UTM) zone of their centre."""
    if not len(geometries):
        return np.zeros(0)
    bounds = shapely.total_bounds(geometries)
    metric = crs.metric_crs([(bounds[0] + bounds[2]) / 2], [(bounds[1] + bounds[3]) / 2])
    return gpd.GeoSeries(geometries, crs="EPSG:4326").to_crs(metric).area.to_numpy()


def _empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame(
        columns=["row", "reason", "column", "detail_zh", "detail_en", "detail_params"]
    )


# --- the bureau's facilities file ---------------------------------------------------------------


def _field(columns: list[str], field: str) -> str | None:
    return next((c for c in columns if _FIELD_SYNONYMS.get(_sheets.header_key(c)) == field), None)


def _word_lookup(registry: Registry) -> dict[str, str]:
    return {
        _cells.normalise_text(pd.Series([w])).iloc[0].lower().replace(" ", ""): key
        for key, category in registry.categories.items()
        for w in (*category.words, key)
    }


def _file_categories(raw: pd.DataFrame, registry: Registry, flags: _sheets.Flags) -> np.ndarray:
    columns = list(raw.columns)
    column = _field(columns, "category")
    if column is None:
        raise InputError(
            f"Expected a column naming each facility's category "
            f"({'、'.join(FILE_FIELDS['category'])}); the file has {columns!r}. Add one, with "
            "values such as 幼儿园、托儿所、社区卫生服务站 (the template lists them).",
            code="facility_category_column",
            details={"header": "、".join(map(str, columns))},
        )
    folded = _cells.normalise_text(raw[column]).fillna("").str.lower().str.replace(" ", "")
    kinds = folded.map(_word_lookup(registry)).to_numpy(dtype=object)
    empty = (folded == "").to_numpy()
    flags.flag(empty, "missing_category", column=column)
    flags.flag(
        pd.isna(kinds),
        "unknown_category",
        column=column,
        detail=_sheets.quoted(raw[column], pd.isna(kinds)),
    )
    return kinds


def _file_points(raw: pd.DataFrame, crs_name: str | None, flags: _sheets.Flags) -> np.ndarray:
    """WGS84 points from each row's lon/lat in its datum; a row with none is quarantined."""
    columns = {f: c for f in ("lon", "lat", "datum") if (c := _field(list(raw.columns), f))}
    lon = lat = np.full(len(raw), np.nan)
    if "lon" in columns and "lat" in columns:
        lon, lat = _sheets.wgs84_points(raw, columns, crs_name, flags)
    address = _field(list(raw.columns), "address")
    detail = _sheets.quoted(raw[address]) if address else np.full(len(raw), "", dtype=object)
    # An address alone is not placed (no geocoder): the row says so, with the address.
    flags.flag(np.isnan(lon), "no_point", column=address or "", detail=detail)
    return shapely.points(lon, lat)


def _file_areas(
    raw: pd.DataFrame, kinds: np.ndarray, registry: Registry, flags: _sheets.Flags
) -> np.ndarray:
    """Areas in m² (the header's unit: 面积（万m²） or m²); a park needs one."""
    column = _field(list(raw.columns), "area")
    sized = np.isin(kinds.astype(str), [k for k, c in registry.categories.items() if c.tiers])
    if column is None:
        flags.flag(sized, "no_area")
        return np.full(len(raw), np.nan)
    scale = _cells.unit_scale(column, base="m2") or Decimal(1)
    values, problems = _cells.parse_numbers(raw[column], scale=scale)
    bad = problems.notna().to_numpy()
    flags.flag(bad, "bad_area", column=column, detail=_sheets.quoted(raw[column], bad))
    area = values.to_numpy(dtype="float64", na_value=np.nan)
    flags.flag(sized & np.isnan(area), "no_area", column=column)
    return area


def read_facility_file(
    source: str | Path | bytes,
    *,
    registry: Registry,
    name: str | None = None,
    crs_name: str | None = None,
    sheet: str | None = None,
    covers: shapely.Geometry | None = None,
    folder: Path | None = None,
) -> Facilities:
    """
    Read a bureau's facilities file (CSV or XLSX): name, category, address, lon/lat, datum.

    The file's bytes pass the ledger's caps and checks (:mod:`geo.io.sheets`); each row is a
    facility or quarantined with a reason (:data:`REASONS`): an unknown or missing category,
    no coordinates (an address alone cannot be placed: no geocoder is used), a park without
    its area, and the shared reasons (bad coordinates, outside China …). Coordinates need a
    declared datum (``crs_name`` or a 坐标系 column), as ledgers do. The file covers the
    districts its facilities lie in (full outlines), or ``covers`` when given.
    """
    crs.check_datum(crs_name)
    data, label = _sheets.load_bytes(source, name)
    table = _sheets.read_rows(data, name=label, sheet=sheet)
    start = _sheets.find_header(table.rows, _FIELD_SYNONYMS, "、".join(FILE_FIELDS["category"]))
    header, body, numbers, broken, formulas = _sheets.table_body(table, start)
    raw, ragged, blank = _sheets.text_frame(
        body, header, short_is_ragged=table.short_rows_are_ragged
    )
    flags = _sheets.Flags(len(raw))
    _sheets.flag_read_problems(flags, raw, header, (broken, blank, ragged), formulas)
    kinds = _file_categories(raw, registry, flags)
    points = _file_points(raw, crs_name, flags)
    area = _file_areas(raw, kinds, registry, flags)
    ok = flags.ok()
    columns = list(raw.columns)
    ids = (
        raw[c].to_numpy(dtype=object)
        if (c := _field(columns, "id"))
        else np.array([f"row {n}" for n in numbers], dtype=object)
    )
    titles = raw[c].to_numpy(dtype=object) if (c := _field(columns, "name")) else None
    features = gpd.GeoDataFrame(
        {
            "category": kinds[ok],
            "source": label,
            "source_id": ids[ok],
            "name": titles[ok] if titles is not None else None,
            "area_m2": area[ok],
        },
        geometry=points[ok],
        crs="EPSG:4326",
    )
    extent = covers if covers is not None else _districts_of(features, folder)
    source_entry = Source(label, "file", extent, frozenset(features["category"]))
    return Facilities(
        features.reset_index(drop=True), [source_entry], _quarantine(raw, numbers, flags)
    )


def _districts_of(features: gpd.GeoDataFrame, folder: Path | None) -> shapely.Geometry | None:
    """The union of the full outlines of the districts holding a facility (None: none)."""
    if features.empty:
        return None
    geometry = features.geometry.to_numpy()
    codes = boundaries.assign_districts(
        shapely.get_x(geometry), shapely.get_y(geometry), folder=folder
    )
    found = sorted({str(c) for c in codes if c is not None})
    if not found:
        return None
    outlines = boundaries.load_boundaries("district", folder=folder, adcodes=found)
    return shapely.union_all(outlines.geometry.to_numpy())


def _quarantine(raw: pd.DataFrame, rows: np.ndarray, flags: _sheets.Flags) -> pd.DataFrame:
    """Quarantined rows as codes with their parameters (layers words them), then raw cells."""
    bad = ~flags.ok()
    report = pd.DataFrame(
        {
            "row": rows[bad],
            "reason": flags.reason[bad],
            "column": flags.column[bad],
            "detail_zh": flags.detail[bad],
            "detail_en": flags.detail[bad],
            "detail_params": flags.detail_params(bad),
        }
    )
    cells = raw[bad].reset_index(drop=True)
    cells.columns = [f"raw:{c}" if c in report.columns else c for c in cells.columns]
    return pd.concat([report, cells], axis=1)
