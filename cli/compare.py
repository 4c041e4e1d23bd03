"""
``atlas compare``: two or more places side by side, as the compare page's table.

The places of ``--city``/``--province`` (cities, districts, zones) are chosen with
``--place`` (adcode or name; default: the first two districts that report households),
compared on ``--metric`` (default: households, and the ledger's households with a ledger)
over ``--from``/``--to`` (default: every year), as values or ``--show share_of_city`` /
``per_household``. The table is :func:`layers.compare.compare_places`'s, written as the
page's download (:func:`layers.tables.compare_csv`): CSV or XLSX, headers and words in
``--lang``, ranks as ``--lang`` shows the values.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cli._common import (
    acting_user,
    add_user_option,
    declare_files,
    readable_figures,
    stored_layers,
    write_table,
)
from geo import boundaries, compare, coverage, gazetteer, infra, records
from geo import figures as figures_io
from layers.compare import compare_places, default_metrics
from layers.tables import compare_csv
from layers.wording import label

#: What the page opens with: households, and the ledger's households when there is a ledger.
DEFAULT_METRIC = "households"


def _cities(args: argparse.Namespace) -> list[str]:
    """The cities of ``--province``, or those ``--city`` names (each once)."""
    if args.province:
        province = gazetteer.resolve_province(args.province)["province"]
        return list(gazetteer.list_cities(province)["city"])
    return list(dict.fromkeys(gazetteer.resolve_city(name)["city"] for name in args.city))


def _chosen_places(given: list[str] | None, places, figures) -> list[str]:
    """``--place`` values (adcodes or names) as adcodes; default: the page's two."""
    if not given:
        return compare.default_places(places, figures, DEFAULT_METRIC)
    chosen = []
    for value in given:
        found = places[(places["adcode"] == value) | (places["place"] == value)]
        if len(found) != 1:
            how = "names several places" if len(found) else "is not a place of these cities"
            known = "、".join(f"{p} ({a})" for a, p in places[["adcode", "place"]].values[:30])
            raise ValueError(
                f"Expected --place to be an adcode or name of a place of the chosen cities; "
                f"{value!r} {how}. Use the adcode; places: {known}."
            )
        chosen.append(found["adcode"].iloc[0])
    return list(dict.fromkeys(chosen))


def _chosen_metrics(given: list[str] | None, options: list[str]) -> list[str]:
    """The metrics to compare: ``--metric``'s, checked, else the page's (households...)."""
    if not given:
        return default_metrics(options)
    unknown = [m for m in given if m not in options]
    if unknown:
        raise ValueError(
            f"Expected --metric to be one of {', '.join(options)}; got "
            f"{', '.join(map(repr, unknown))}."
        )
    return list(dict.fromkeys(given))


def _inputs(args: argparse.Namespace, cities: list[str]):
    """The communities (``--projects``, ``--dataset``) and the coverage of ``--infra``."""
    projects = records.read_projects(Path(args.projects)) if args.projects else None
    names = [Path(args.projects).name] if args.projects else []
    if args.dataset:
        projects, _ = stored_layers(args.dataset, tuple(cities), projects, None, acting_user(args))
        names += args.dataset
    measured = None
    if args.infra:
        found = infra.read_infra(Path(args.infra))
        measured = coverage.measure(projects, found, radii=coverage.RADII_M)
    return projects, "、".join(names), measured


def _compare(args: argparse.Namespace) -> int:
    """``atlas compare``: places side by side, as the compare page's table, to CSV or Excel."""
    boundaries.build_boundaries()
    cities = _cities(args)
    figures = readable_figures(args)
    projects, ledger_source, measured = _inputs(args, cities)
    outlines = boundaries.load_boundaries("district", display=True)
    places = compare.list_places(outlines, figures, cities, projects=projects)
    chosen = _chosen_places(args.place, places, figures)
    if len(chosen) < 2:
        raise ValueError(f"Expected two places or more to compare; got {len(chosen)}.")
    infra_table = None if measured is None else measured.table
    options = compare.metric_options(
        figures,
        cities,
        order=figures_io.load_metrics()["metric"].tolist(),
        has_ledger=projects is not None,
        infra_table=infra_table,
    )
    metrics = _chosen_metrics(args.metric, options)
    if not metrics:
        raise ValueError(f"Expected a metric to compare (--metric); one of {', '.join(options)}.")
    modes = compare.relative_modes(metrics, figures)
    if args.show not in modes:
        raise ValueError(
            f"Expected --show to be one of {', '.join(modes)} for these metrics; got "
            f"{args.show!r} (a share of the city suits counts that add up; per household, "
            "those that are not households themselves)."
        )
    bounds = compare.year_range(figures, projects)
    years = (args.year_from or bounds[0], args.year_to or bounds[1])
    compared = compare_places(
        figures,
        places,
        chosen,
        metrics,
        years=years,
        show=args.show,
        projects=projects,
        ledger_source=ledger_source,
        infra_table=infra_table,
        infra_source=Path(args.infra).name if args.infra else "",
        lang=args.lang,
    )
    out = Path(args.out)
    sheet = label("compare_title", args.lang)
    write_table(compare_csv(compared.table, compared.titles, compared.lang), out, sheet)
    table = compared.table
    summary = {
        "out": str(out),
        "places": chosen,
        "metrics": metrics,
        "years": list(years),
        "show": args.show,
        "rows": len(table),
        "status": {str(k): int(v) for k, v in table["status"].value_counts().items()},
        "mixed_periods": sorted(compare.mixed_periods(table)),
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def add_commands(sub) -> None:
    """``atlas compare``."""
    command = sub.add_parser("compare", help="places side by side, ranked, as the compare page")
    where = command.add_mutually_exclusive_group(required=True)
    where.add_argument("--city", action="append", help="a city (repeatable), e.g. 新乡市")
    where.add_argument("--province", help="every city of a province, e.g. 河南省")
    command.add_argument(
        "--place", action="append", help="a place: adcode or name (repeatable); default: two"
    )
    command.add_argument(
        "--metric", action="append", help="a metric (repeatable); default: households"
    )
    command.add_argument("--from", dest="year_from", type=int, help="first year of the period")
    command.add_argument("--to", dest="year_to", type=int, help="last year of the period")
    command.add_argument(
        "--show", choices=compare.RELATIVE, default="value", help="value (default) or relative"
    )
    command.add_argument("--projects", help="renovated communities: `atlas ingest` .gpkg")
    command.add_argument(
        "--dataset", action="append", metavar="NAME[@VERSION]", help="communities saved"
    )
    command.add_argument("--infra", help="features whose coverage is compared: `atlas infra`")
    command.add_argument("--lang", choices=["zh", "en"], default="zh", help="the table's language")
    command.add_argument("--out", required=True, help="the table: .csv or .xlsx")
    add_user_option(command)
    declare_files(command, inputs=("projects", "infra"), suffixes=(".csv", ".xlsx"))
    command.set_defaults(func=_compare)
