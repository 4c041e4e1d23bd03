"""The map page's view read from its address alone (layers/address_view.py)."""

from __future__ import annotations

import pytest

from geo import boundaries, figures, gazetteer, records
from layers.address_view import AddressError, Refs, refs_from_address, view_from_address
from layers.view import View

FIGURES = figures.load_figures()


def _view(projects=None, **query) -> View:
    given = {k: v if isinstance(v, list) else [v] for k, v in query.items()}
    return view_from_address(given, FIGURES, projects)


def test_no_parameter_is_the_pages_default_view():
    first, last = int(FIGURES["period_start"].min()), int(FIGURES["period_end"].max())
    view = _view()
    assert view == View(
        cities=tuple(boundaries.SEED_CITIES), years=(first, last), basemap=None,
        coverage_metric=None,
    )  # fmt: skip
    assert refs_from_address({}) == Refs("", "")


def test_a_group_and_cities_as_the_page_reads_them():
    assert len(_view(province="china").cities) == len(gazetteer.list_cities()) > 300
    henan = gazetteer.list_cities("河南省")["city"]
    assert _view(province="河南省").cities == tuple(henan)
    # A city named short, with no province: its group is the one that holds it.
    assert _view(city=["新乡", "洛阳市"]).cities == ("新乡市", "洛阳市")
    with pytest.raises(AddressError, match="'city'"):
        _view(province="seed", city="洛阳市")  # not a seed city


def test_districts_years_kind_figure_and_classes():
    view = _view(
        city="新乡市", district="卫滨区", years=["2030", "2000"], kind="completed",
        scheme="quantiles", classes="3", lang="en",
    )  # fmt: skip
    first, last = int(FIGURES["period_start"].min()), int(FIGURES["period_end"].max())
    assert (view.districts, view.years, view.kinds) == (("卫滨区",), (first, last), ("completed",))
    assert (view.scheme, view.classes, view.lang) == ("quantiles", 3, "en")


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ({"province": "nowhere"}, "province"),
        ({"city": "新乡市", "district": "朝阳区"}, "district"),
        ({"years": ["2019", "x"]}, "years"),
        ({"years": ["2019", "2020", "2021"]}, "years"),
        ({"kind": "rumoured"}, "kind"),
        ({"figure": "<b>households</b>"}, "figure"),
        ({"scheme": "made_up"}, "scheme"),
        ({"classes": "many"}, "classes"),
        ({"lang": "fr"}, "lang"),
        ({"status": "completed"}, "status"),
    ],
)
def test_a_value_the_page_would_drop_names_its_parameter(query, key):
    with pytest.raises(AddressError) as raised:
        _view(**query)
    assert raised.value.key == key


def test_ledger_filters_are_the_ledgers_own_choices():
    data = (
        "小区名称,所属城市,所属区县,改造年度,户数,状态\n"
        "甲小区,新乡市,卫滨区,2023,100,完工\n乙小区,新乡市,红旗区,2022,80,计划\n"
    ).encode()
    projects = records.read_ledger(data, name="l.csv").projects
    view = _view(projects, city="新乡市", ledger_year="2023", status="completed")
    assert (view.ledger_years, view.statuses) == ((2023,), ("completed",))
    with pytest.raises(AddressError, match="'ledger_year'"):
        _view(projects, ledger_year="2019")
    assert refs_from_address({"ledger": ["a", "xinxiang@3"], "infra": ["s"]}) == Refs(
        "xinxiang@3", "s"
    )
