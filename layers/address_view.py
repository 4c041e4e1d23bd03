"""
The map page's view read from its address alone, for the map that opens in its own tab.

The map page keeps every filter in the address (``?province=china&figure=households``), and
its widgets read them (:mod:`app_pages._ui.filters`). :func:`view_from_address` reads the same
parameters the same way without Streamlit, so the server can draw the view outside a page
script (:mod:`app_pages._ui.quick_map`): the same cities, districts, period, kinds, figure,
classes and ledger filters. Where the page drops a value it does not know and warns, this
raises :class:`AddressError` naming the parameter: a link drawn with a filter left out
would show a map that says less than its address.

The basemap and the coverage shading are not read: the tab's map is the offline map, with no
tiles, and coverage is computed on the pages.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from geo import boundaries, gazetteer, selection
from geo.errors import InputError
from geo.figures import STATUSES as FIGURE_KINDS
from layers.choropleth import CLASS_COUNTS, DEFAULT_CLASSES, SCHEMES
from layers.view import ALL_CHINA, SEED_CITIES, View, city_group, figure_choices

__all__ = [
    "ALL_KINDS",
    "LANGS",
    "LEDGER_FILTERS",
    "AddressError",
    "Refs",
    "group_cities",
    "group_district_names",
    "refs_from_address",
    "view_from_address",
]

#: The page's value of ``kind`` for every kind of figure.
ALL_KINDS = "all"
LANGS = ("zh", "en")
#: The ledger's filters: address key → (facet of :func:`geo.selection.ledger_facets`, the
#: label key of the sidebar's widget, cast).
LEDGER_FILTERS = {
    "ledger_year": ("years", "ledger_years", int),
    "batch": ("batches", "batch", str),
    "status": ("statuses", "status", str),
    "tag": ("tags", "content_col", str),
}


class AddressError(InputError):
    """A parameter of the address that names no choice the map page offers."""

    def __init__(self, key: str, values: Sequence[str]) -> None:
        self.key, self.values = key, list(values)
        shown = ", ".join(repr(v) for v in self.values)
        super().__init__(f"Expected a value the map page offers for {key!r}, got {shown}.")


@dataclass(frozen=True)
class Refs:
    """The saved data an address names: ``?ledger=`` and ``?infra=`` ("" = every current state)."""

    ledger: str = ""
    infra: str = ""


def _one(query: Mapping[str, Sequence[str]], key: str, options: Sequence, default, cast=str):
    values = list(query.get(key) or [])
    if not values:
        return default
    try:
        value = cast(values[-1])
    except ValueError:
        raise AddressError(key, values[-1:]) from None
    if value not in options:
        raise AddressError(key, values[-1:])
    return value


def _many(query: Mapping[str, Sequence[str]], key: str, options: Sequence, cast=str) -> tuple:
    values = list(query.get(key) or [])
    try:
        cast_values = [cast(v) for v in values]
    except ValueError:
        raise AddressError(key, values) from None
    unknown = [str(v) for v in cast_values if v not in set(options)]
    if unknown:
        raise AddressError(key, unknown)
    return tuple(dict.fromkeys(cast_values))


@functools.lru_cache(maxsize=64)
def group_cities(group: str) -> tuple[str, ...]:
    """The cities of a group: the seed cities, all of China, or a province's."""
    if group == SEED_CITIES:
        return tuple(boundaries.SEED_CITIES)
    if group == ALL_CHINA:
        return tuple(gazetteer.list_cities()["city"])
    return tuple(gazetteer.list_cities(group)["city"])


@functools.lru_cache(maxsize=64)
def group_district_names(cities: tuple[str, ...]) -> tuple[str, ...]:
    """The county-level districts of ``cities``, by name, in outline order."""
    outlines = selection.select_outlines(selection.Selection(cities=cities), display=True)
    return tuple(outlines["district"])


def view_from_address(
    query: Mapping[str, Sequence[str]],
    figures: pd.DataFrame,
    projects: pd.DataFrame | None = None,
) -> View:
    """
    The :class:`~layers.view.View` that the map page would show for ``query``.

    ``query`` maps each parameter to its values, as a URL's query string repeats them
    (``city=新乡市&city=焦作市``). ``figures`` are the figures the reader may see, and
    ``projects`` the ledger in view (its facets are the ledger filters' choices; None: no
    ledger, and ledger filters are refused). Defaults are the page's: the five seed cities,
    every year, every kind, households. Raises :class:`AddressError` for a value the page
    would drop.
    """
    lang = _one(query, "lang", LANGS, "zh")
    provinces = [SEED_CITIES, ALL_CHINA, *gazetteer.list_cities()["province"].drop_duplicates()]
    group = _one(query, "province", provinces, city_group(query.get("city") or []))
    offered = group_cities(group)
    named = [gazetteer.full_city_name(c) for c in query.get("city") or []]
    cities = _many({"city": named}, "city", offered) or offered
    zones = figures.loc[figures["city"].isin(cities) & (figures["level"] == "zone"), "place"]
    districts = _many(query, "district", {*group_district_names(cities), *zones})
    first, last = int(figures["period_start"].min()), int(figures["period_end"].max())
    years = _years(query, first, last)
    kind = _one(query, "kind", [ALL_KINDS, *FIGURE_KINDS], ALL_KINDS)
    kinds = () if kind == ALL_KINDS else (kind,)
    chosen = selection.Selection(cities=cities, districts=districts, years=years, statuses=kinds)
    options, default = figure_choices(selection.filter_figures(figures, chosen))
    facets = selection.ledger_facets(projects) if projects is not None else {}
    ledger = {
        key: _many(query, key, facets.get(facet, []), cast=cast)
        for key, (facet, _, cast) in LEDGER_FILTERS.items()
    }
    view = View(
        cities=cities,
        districts=districts,
        years=years,
        figure=_one(query, "figure", options, default),
        ledger_years=ledger["ledger_year"],
        batches=ledger["batch"],
        statuses=ledger["status"],
        tags=ledger["tag"],
        basemap=None,
        coverage_metric=None,
        lang=lang,
        kinds=kinds,
        scheme=_one(query, "scheme", list(SCHEMES), next(iter(SCHEMES))),
        classes=_one(query, "classes", CLASS_COUNTS, DEFAULT_CLASSES, cast=int),
    )
    return view


def _years(query: Mapping[str, Sequence[str]], first: int, last: int) -> tuple[int, int]:
    """Two years, clamped to the figures' period as the page's slider clamps them."""
    values = list(query.get("years") or [])
    if not values:
        return first, last
    try:
        span = [int(v) for v in values]
    except ValueError:
        raise AddressError("years", values) from None
    if len(span) != 2:
        raise AddressError("years", values)
    low, high = sorted(min(max(y, first), last) for y in span)
    return low, high


def refs_from_address(query: Mapping[str, Sequence[str]]) -> Refs:
    """The saved ledger and survey the address names (the last of each; none: every one)."""
    ledger, infra = (list(query.get(key) or [""])[-1] for key in ("ledger", "infra"))
    return Refs(ledger=ledger, infra=infra)
