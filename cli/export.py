"""
``atlas export`` and ``atlas map``: a view of the map page, as files.

``export`` writes the filtered district layer, or the view's layers as one GeoPackage;
``map`` one HTML map that opens offline.
"""

from __future__ import annotations

import argparse
import datetime
import json
from pathlib import Path

from cli._common import (
    acting_user,
    add_dataset_option,
    add_place_options,
    add_user_option,
    declare_files,
    readable_figures,
    stored_layers,
)
from geo import boundaries, coverage, gazetteer, infra, reconcile, records, selection
from layers.export import geopackage_layers, write_bytes, write_geojson, write_geopackage
from layers.view import View, export_layers, view_heading, view_map


def _selection_from(args: argparse.Namespace) -> selection.Selection:
    """The cities, districts, years and figures the export options choose, as the map's filters."""
    years = None
    if args.year_from is not None or args.year_to is not None:
        years = (args.year_from or 0, args.year_to or 9999)
    common = {
        "districts": tuple(args.district or ()),
        "years": years,
        "metrics": tuple(args.figure or ()),
    }
    if args.province:
        return selection.Selection.for_province(args.province, **common)
    if args.all:
        return selection.Selection(cities=_all_cities(), **common)
    cities = boundaries.SEED_CITIES if args.all_seed else tuple(args.city)
    return selection.Selection(cities=cities, **common)


def _all_cities() -> tuple[str, ...]:
    """Every prefecture-level city of China, by adcode."""
    return tuple(gazetteer.list_cities()["city"].drop_duplicates())


def _cities_of(args: argparse.Namespace) -> tuple[tuple[str, ...], str]:
    """``atlas map``'s cities (full names) and the map's title: --city, --province or --all."""
    if args.all:
        return _all_cities(), "全国"
    if args.province:
        province = gazetteer.resolve_province(args.province)["province"]
        return tuple(gazetteer.list_cities(province)["city"]), province
    # Full names, so the ledger's city column (新乡市) matches a city typed as 新乡.
    cities = tuple(gazetteer.resolve_city(name)["city"] for name in args.city)
    return cities, "、".join(cities)


def _export(args: argparse.Namespace) -> int:
    """``atlas export``: the districts and their figures as GeoJSON, or the view as a GeoPackage."""
    if not (args.out or args.gpkg):
        raise ValueError("Expected --out FILE.geojson, --gpkg FILE.gpkg, or both.")
    boundaries.build_boundaries()
    chosen = _selection_from(args)
    if args.out and args.dataset:
        _export_dataset(args, chosen)
    elif args.out:
        _export_geojson(args, chosen)
    if args.gpkg:
        _export_gpkg(args, chosen)
    return 0


def _known_figures(args: argparse.Namespace, chosen: selection.Selection):
    """The figures the acting account may read; an unknown ``--figure`` is refused."""
    all_figures = readable_figures(args)
    unknown = sorted(set(chosen.metrics) - set(all_figures["metric"]))
    if unknown:
        known = sorted(set(all_figures["metric"]))
        raise ValueError(
            f"Unknown figure {', '.join(map(repr, unknown))}; expected one of: {', '.join(known)}."
        )
    return all_figures


def _export_geojson(args: argparse.Namespace, chosen: selection.Selection) -> None:
    """``atlas export --out``: the district layer of the selection, as GeoJSON."""
    all_figures = _known_figures(args, chosen)
    districts = selection.select_outlines(chosen)
    kept = selection.filter_figures(all_figures, chosen)
    layer = selection.export_frame(districts, kept)
    write_geojson(layer, args.out)
    outlined = int(layer.geometry.notna().sum())
    print(
        f"wrote {len(layer)} features to {args.out} "
        f"({outlined} with an outline, {len(layer) - outlined} without; "
        f"{int(layer['has_data'].sum())} with figures)"
    )


def _export_gpkg(args: argparse.Namespace, chosen: selection.Selection) -> None:
    """
    ``atlas export --gpkg``: the view's layers in one GeoPackage, as the export page writes.

    The layers are :func:`layers.view.export_layers`'s.

    The communities of ``--projects`` and ``--dataset``, reconciled with the figures as the
    ledger page compares them by default; with ``--infra``, its features and their coverage
    measured with the accessibility page's default radii.
    """
    all_figures = _known_figures(args, chosen)
    shown = all_figures[all_figures["metric"].isin(chosen.metrics)] if chosen.metrics else None
    cities = _all_cities() if args.all else tuple(_full_name(c) for c in chosen.cities)
    view = View(cities=cities, districts=chosen.districts, years=chosen.years)
    projects = records.read_projects(Path(args.projects)) if args.projects else None
    found = infra.read_infra(Path(args.infra)) if args.infra else None
    features = found.features if found is not None else None
    if args.dataset:
        chosen_cities = None if args.all else cities
        user = acting_user(args)
        projects, features = stored_layers(args.dataset, chosen_cities, projects, features, user)
    measured = None
    if found is not None:
        measured = coverage.measure(projects, found, radii=coverage.RADII_M)
    layers = export_layers(
        view,
        all_figures if shown is None else shown,
        projects=projects,
        reconciliation=None if projects is None else reconcile.reconcile(projects, all_figures),
        infra=features,
        measured=measured,
    )
    write_geopackage(layers, Path(args.gpkg))
    written = {name: len(frame) for name, frame in geopackage_layers(layers).items()}
    print(json.dumps({"out": args.gpkg, "layers": written}, ensure_ascii=False))


def _full_name(city: str) -> str:
    """A city as typed (新乡) by its full name (新乡市), as the ledger's city column has it."""
    return gazetteer.resolve_city(city)["city"]


def _export_dataset(args: argparse.Namespace, chosen: selection.Selection) -> None:
    """``atlas export --dataset``: the stored communities of the selection, as GeoJSON."""
    cities = None if args.all else tuple(_full_name(c) for c in chosen.cities)
    projects, _ = stored_layers(args.dataset, cities, None, None, acting_user(args))
    if projects is None:
        raise ValueError(f"Expected a ledger dataset for export; {args.dataset} holds none.")
    years = tuple(range(chosen.years[0], chosen.years[1] + 1)) if chosen.years else ()
    kept = selection.filter_projects(projects, districts=chosen.districts, years=years)
    write_geojson(kept, args.out)
    print(json.dumps({"out": args.out, "communities": len(kept)}, ensure_ascii=False))


def _map(args: argparse.Namespace) -> int:
    # The map's modules (folium, mapclassify, scipy.stats) cost 150 MB: loaded only here.
    """``atlas map``: one figure's district map as a single HTML file that opens offline."""
    from layers.offline import offline_html_bytes

    out = Path(args.out)
    boundaries.build_boundaries()
    all_figures = readable_figures(args)
    if args.figure not in set(all_figures["metric"]):
        known = ", ".join(sorted(set(all_figures["metric"])))
        raise ValueError(f"Unknown figure {args.figure!r}; expected one of: {known}.")
    cities, title = _cities_of(args)
    projects = records.read_projects(Path(args.projects)) if args.projects else None
    found = infra.read_infra(Path(args.infra)) if args.infra else None
    features = found.features if found else None
    if args.dataset:
        chosen = None if args.all else cities
        user = acting_user(args)
        projects, features = stored_layers(args.dataset, chosen, projects, features, user)
    view = View(cities=cities, figure=args.figure)
    fmap = view_map(view, all_figures, projects=projects, infra=features)
    names = tuple(Path(p).name for p in (args.projects, args.infra) if p) + tuple(
        args.dataset or ()
    )
    heading = view_heading(view, all_figures, today=datetime.date.today(), data_names=names)
    write_bytes(offline_html_bytes(fmap, title=title, heading=heading), out)
    print(json.dumps({"out": str(out), "bytes": out.stat().st_size}, ensure_ascii=False))
    return 0


def add_commands(sub) -> None:
    """``atlas export`` and ``atlas map``."""
    export = sub.add_parser(
        "export", help="the filtered district layer as GeoJSON; the view's layers as a GeoPackage"
    )
    add_place_options(export, all_seed=True)
    export.add_argument("--district", action="append", help="keep only this district (repeatable)")
    export.add_argument("--from", dest="year_from", type=int, help="first year of the period")
    export.add_argument("--to", dest="year_to", type=int, help="last year of the period")
    export.add_argument("--figure", action="append", help="keep only this metric (repeatable)")
    export.add_argument("--out", help="the district layer (or --dataset's communities): .geojson")
    export.add_argument(
        "--gpkg", help="the view's layers in one .gpkg, as the export page's GeoPackage"
    )
    export.add_argument("--projects", help="--gpkg: renovated communities, `atlas ingest` .gpkg")
    export.add_argument("--infra", help="--gpkg: features and their coverage, `atlas infra` .gpkg")
    add_dataset_option(export)
    add_user_option(export)
    declare_files(
        export,
        inputs=("projects", "infra"),
        outputs=("out", "gpkg"),
        suffixes={"gpkg": (".gpkg",)},
    )
    export.set_defaults(func=_export)

    offline = sub.add_parser("map", help="one self-contained offline HTML map (no tiles, no CDN)")
    add_place_options(offline)
    offline.add_argument("--figure", default="households", help="the metric coloured")
    offline.add_argument("--infra", help="accessibility features: `atlas infra` output")
    offline.add_argument("--projects", help="renovated communities: `atlas ingest` .gpkg")
    offline.add_argument("--out", required=True, help="output .html")
    add_dataset_option(offline)
    add_user_option(offline)
    declare_files(offline, inputs=("infra", "projects"), suffixes=(".html",))
    offline.set_defaults(func=_map)
