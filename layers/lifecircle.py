"""
Life-circle indicators made visible: names, clauses, maps, popups, tables and files.

Districts coloured by any indicator, the checklist in each community's popup, walksheds with
the services inside, the screen's tables and the export's sheets.

Every indicator is named with what it counts and cited with the clause it answers to
(:func:`clause_text`): a radius that could not be checked against the standard's text says it
is a setting. Districts are coloured only where the status is ``ok``; elsewhere hatched
"数据不足" with the reason, never 0. Every user value put into HTML passes
:func:`layers._html.esc`; the popups are written as text by :mod:`layers.projects`.

The districts are written compactly (:class:`layers._html.CompactGeoJson`): a national
ledger's map of China's 2,875 districts was 4.72 MB with them as folium's GeoJSON, 0.88 MB so
(河南省's 157, 0.62 MB and 0.15 MB).
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.facilities import FILE_FIELDS, Registry
from geo.lifecircle import Indicators
from layers._html import CompactGeoJson, esc, tipped_geojson
from layers.choropleth import class_colours, classify
from layers.coverage import HATCH_FILL, _coverage_style, wgs84
from layers.export import Download, geojson_bytes
from layers.projects import Check
from layers.tables import quarantine_rows, reason_name
from layers.wording import (
    PARAMS,
    format_value,
    label,
    listed_text,
    quarantine_details,
    reason_text,
)

__all__ = [
    "FACILITY_COLOUR",
    "category_name",
    "checks",
    "city_table",
    "clause_text",
    "community_table",
    "district_table",
    "downloads",
    "export_sheets",
    "export_xlsx",
    "facilities_caption",
    "facility_quarantine",
    "indicator_name",
    "inside_heading",
    "inside_table",
    "radius_text",
    "share_layer",
    "sources_text",
    "tables",
    "template_bytes",
    "verdicts",
    "walkshed_layers",
    "walkshed_legend",
]

#: Services inside a walkshed (ColorBrewer Dark2 magenta, apart from the districts' ramp).
FACILITY_COLOUR = "#e7298a"
#: Walkshed fills, 300 m darkest (ColorBrewer Purples).
_SHED_COLOURS = {300: "#54278f", 500: "#807dba", 1000: "#bcbddc"}


def category_name(key: str, lang: str = "zh") -> str:
    """A category (``kindergarten``) as a planner names it (幼儿园)."""
    return label(f"fac_{key}", lang)


def _named(key: str, lang: str) -> str:
    """A category as an indicator's name reads it: in English with its article (an, a)."""
    name = category_name(key, lang)
    if lang != "en":
        return name
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _metres(value: float, lang: str) -> str:
    return format_value(round(float(value)), "m", lang)


def indicator_name(column: str, registry: Registry, profile: str, lang: str = "zh") -> str:
    """The name of a share column (``share_kindergarten_500m``, ``share_complete``)."""
    how = label(f"profile_{profile}", lang)
    if column == "share_complete":
        return label("lc_share_complete", lang).format(profile=how)
    key, radius = _parts(column, registry)
    name = _named(key, lang)
    if radius is None:
        category = registry.categories[key]
        key = "lc_share_tiers" if category.tiers else "lc_share"
        return label(key, lang).format(
            radius=radius_text(category, lang),
            tiers=radius_text(category, lang),
            category=name,
            profile=how,
        )
    circle = next(c for c in registry.life_circles if c.radius_m == radius)
    return label("lc_share_circle", lang).format(
        minutes=circle.minutes, radius=_metres(radius, lang), category=name, profile=how
    )


def radius_text(category, lang: str = "zh") -> str:
    """``300 米``; for a park, each size's: ``5,000 m²及以上者 500 米、2,000 m²及以上者 300 米``."""
    if not category.tiers:
        return _metres(category.radius_m, lang)
    tiers = (
        label("lc_tier", lang).format(
            area=format_value(t.min_area_m2, "m2", lang), radius=_metres(t.radius_m, lang)
        )
        for t in category.rules
    )
    return listed_text(tiers, lang)


def _parts(column: str, registry: Registry) -> tuple[str, float | None]:
    """(category, life-circle radius or None) of a share column."""
    body = column.removeprefix("share_")
    for circle in registry.life_circles:
        suffix = f"_{int(circle.radius_m)}m"
        if body.endswith(suffix) and body[: -len(suffix)] in registry.categories:
            return body[: -len(suffix)], circle.radius_m
    if body not in registry.categories:
        raise ValueError(
            f"Expected a share column of geo.lifecircle (share_<category>[_<radius>m] or "
            f"share_complete); got {column!r}."
        )
    return body, None


def clause_text(sources: pd.DataFrame, column: str, lang: str = "zh") -> str:
    """``依据：GB 50180-2018 …（2018）；设定值，未核对原文`` for one column of the sources table."""
    row = sources.set_index("column").loc[column]
    suffix = "_en" if lang == "en" else ""
    text = label("lc_clause", lang).format(
        code=row[f"code{suffix}"], clause=row[f"clause{suffix}"], edition=row[f"edition{suffix}"]
    )
    if row["setting"]:
        text += ("；" if lang == "zh" else "; ") + label("lc_setting", lang)
    return text


def _value(value: float, status: str, lang: str) -> str:
    if status == "ok" and pd.notna(value):
        return format_value(round(float(value), 1), "percent", lang)
    if status == "partial_extent" and pd.notna(value):
        shown = format_value(round(float(value), 1), "percent", lang)
        covered = label("in_covered_part", lang).format(value=shown)
        return (
            f"{covered}（{reason_text(status, lang)}）"
            if lang == "zh"
            else (f"{covered} ({reason_text(status, lang)})")
        )
    return reason_text(status, lang)


def share_layer(
    districts: gpd.GeoDataFrame,
    column: str,
    *,
    registry: Registry,
    sources: pd.DataFrame,
    profile: str,
    lang: str = "zh",
) -> tuple[folium.FeatureGroup, list[float], list[str]]:
    """
    Districts coloured by one share column where its status is ``ok``, hatched elsewhere.

    Each tooltip names the district, the indicator, its value or why there is none, and the
    clause. Returns the layer, the class upper bounds and their colours (for the legend).
    """
    districts = wgs84(districts)
    status = districts[f"{column}_status"].to_numpy(dtype=object)
    values = districts[column].astype(float).round(1).where(status == "ok")
    bins, colours = classify(values)
    name = indicator_name(column, registry, profile, lang)
    clause = clause_text(sources, column, lang)
    tips = [
        f"<b>{esc(row['district'])}</b> · {esc(row['city'])}<br>{esc(name)}"
        f"{'：' if lang == 'zh' else ': '}<b>{esc(_value(row[column], s, lang))}</b>"
        f"<br><small>{esc(clause)}</small>"
        for (_, row), s in zip(districts.iterrows(), status, strict=True)
    ]
    shown = gpd.GeoDataFrame(
        {"tip": tips, "fill": colours.where(values.notna(), HATCH_FILL).to_numpy()},
        geometry=districts.geometry.to_numpy(),
        crs="EPSG:4326",
        index=districts["adcode"].to_numpy(),
    )
    group = folium.FeatureGroup(name=name, show=True)
    if not shown.empty:
        tipped_geojson(shown, _coverage_style, kind=CompactGeoJson).add_to(group)
    return group, bins, class_colours(len(bins)) if bins else []


def checks(registry: Registry, profile: str, lang: str = "zh") -> list[Check]:
    """The popup's checklist: one line per category, required ones first, ✔/✘ and metres."""
    required = registry.complete_community
    ordered = [*required, *(k for k in registry.categories if k not in required)]
    out = []
    for key in ordered:
        radius = radius_text(registry.categories[key], lang)
        text = label("lc_check", lang).format(category=category_name(key, lang), radius=radius)
        out.append(Check(text, f"pass_{key}", f"dist_{key}_m", f"status_{key}"))
    return out


def verdicts(communities: pd.DataFrame, profile: str, lang: str = "zh") -> pd.Series:
    """Each community's first popup line: complete or not, and the profile measured."""
    words = {True: "lc_complete_yes", False: "lc_complete_no"}
    how = label("lc_popup_profile", lang).format(profile=label(f"profile_{profile}", lang))
    texts = [
        label(words[bool(v)] if pd.notna(v) else "lc_complete_unknown", lang)
        for v in communities["complete"]
    ]
    return pd.Series([f"{t} · {how}" for t in texts], index=communities.index)


def walkshed_layers(
    sheds: gpd.GeoDataFrame, inside: gpd.GeoDataFrame, origin_name: str, *, lang: str = "zh"
) -> list[folium.FeatureGroup]:
    """
    Walksheds and the services inside, as listed layers with escaped tooltips.

    ``sheds`` and ``inside`` are :func:`geo.lifecircle.walkshed_facilities`' (largest first).
    """
    groups = []
    for _, row in sheds.iterrows():
        if row.geometry is None:
            continue
        distance = _metres(row["distance_m"], lang)
        colour = _SHED_COLOURS.get(int(row["distance_m"]), "#756bb1")
        tip = label("walkshed_tip", lang).format(
            origin=esc(origin_name),
            distance=esc(distance),
            profile=esc(label(f"profile_{row['profile']}", lang)),
            km=esc(format_value(round(float(row["reachable_km"]), 2), "km", lang)),
        )
        group = folium.FeatureGroup(name=label("lc_walkshed_layer", lang).format(distance=distance))
        folium.GeoJson(
            gpd.GeoSeries([row.geometry], crs="EPSG:4326").to_json(),
            style_function=lambda _, c=colour: {
                "color": c,
                "weight": 2,
                "fillColor": c,
                "fillOpacity": 0.3,
            },
            tooltip=folium.Tooltip(tip),
        ).add_to(group)
        groups.append(group)
    places = folium.FeatureGroup(name=label("lc_facilities_layer", lang).format(n=len(inside)))
    for _, row in inside.iterrows():
        point = row.geometry.representative_point()
        tip = label("lc_facility_tip", lang).format(
            category=esc(category_name(row["category"], lang)),
            name=esc(row["name"] if pd.notna(row["name"]) else row["source_id"]),
            distance=esc(_metres(row["distance_m"], lang)),
        )
        folium.CircleMarker(
            (point.y, point.x),
            radius=5,
            color="#ffffff",
            weight=1,
            fill=True,
            fill_color=FACILITY_COLOUR,
            fill_opacity=0.95,
            tooltip=folium.Tooltip(tip),
        ).add_to(places)
    return [*groups, places]


def walkshed_legend(
    sheds: gpd.GeoDataFrame, inside: pd.DataFrame, *, lang: str = "zh"
) -> list[tuple[str, str, str]]:
    """
    The legend's entries for :func:`walkshed_layers`: each walkshed, nearest first.

    Then the services inside; ``points`` of :func:`layers._html.legend_html`.
    """
    entries = [
        (
            _SHED_COLOURS.get(int(m), "#756bb1"),
            label("lc_walkshed_layer", lang).format(distance=_metres(m, lang)),
            "area",
        )
        for m in sorted(sheds.loc[sheds.geometry.notna(), "distance_m"])
    ]
    name = label("lc_facilities_layer", lang).format(n=len(inside))
    return [*entries, (FACILITY_COLOUR, name, "point")]


# --- tables and files ----------------------------------------------------------------------------


def _distance_cells(communities: pd.DataFrame, key: str, lang: str) -> list[str]:
    metres = communities[f"dist_{key}_m"].to_numpy("float64")
    status = communities[f"status_{key}"].to_numpy(dtype=object)
    passed = communities[f"pass_{key}"]
    cells = []
    for m, s, p in zip(metres, status, passed, strict=True):
        mark = "" if pd.isna(p) else "✔ " if p else "✘ "
        cells.append(mark + (_metres(m, lang) if s == "ok" else label(f"reach_{s}", lang)))
    return cells


def _names(codes: pd.Series, lang: str) -> list[str]:
    sep = "、" if lang == "zh" else ", "
    return [sep.join(category_name(k, lang) for k in str(c).split(";") if k) for c in codes]


def community_table(
    communities: pd.DataFrame, registry: Registry, profile: str, lang: str = "zh"
) -> pd.DataFrame:
    """Per community: complete or not, what is missing, then ✔/✘ and metres per category."""
    words = {True: label("lc_yes", lang), False: label("lc_no", lang)}
    out = pd.DataFrame(
        {
            label("col_name", lang): communities["name"].astype("string").fillna("").to_numpy(),
            label("district_col", lang): communities["district"].to_numpy(),
            label("households_col", lang): [
                format_value(v, "households", lang) for v in communities["households"]
            ],
            label("lc_col_complete", lang): [
                words.get(v, label("insufficient_data", lang))
                if pd.notna(v)
                else label("insufficient_data", lang)
                for v in communities["complete"]
            ],
            label("lc_col_missing", lang): _names(communities["missing"], lang),
            label("lc_col_unmeasured", lang): _names(communities["unmeasured"], lang),
        }
    )
    how = label(f"profile_{profile}", lang)
    for key in registry.categories:
        name = category_name(key, lang)
        out[label("lc_col_nearest", lang).format(category=name, profile=how)] = _distance_cells(
            communities, key, lang
        )
        out[label("lc_col_straight", lang).format(category=name)] = [
            format_value(v if pd.isna(v) else round(float(v)), "m", lang)
            for v in communities[f"straight_{key}_m"]
        ]
    return out


def district_table(
    table: pd.DataFrame, columns: list[str], registry: Registry, profile: str, lang: str = "zh"
) -> pd.DataFrame:
    """Per district: place, then each share column named with its radius, or why none."""
    out = pd.DataFrame(
        {
            label("district_col", lang): table["district"].to_numpy(),
            label("compare_city", lang): table["city"].to_numpy(),
        }
    )
    for column in columns:
        out[indicator_name(column, registry, profile, lang)] = [
            _value(v, s, lang)
            for v, s in zip(table[column], table[f"{column}_status"], strict=True)
        ]
    return out


def city_table(
    cities: pd.DataFrame, columns: list[str], registry: Registry, profile: str, lang: str = "zh"
) -> pd.DataFrame:
    """Per city, as :func:`district_table` (a city value only where every district has one)."""
    out = pd.DataFrame({label("compare_city", lang): cities["city"].to_numpy()})
    words = {"no_projects": "lc_city_no_projects"}
    for column in columns:
        out[indicator_name(column, registry, profile, lang)] = [
            _value(v, s, lang)
            if s in ("ok", "not_in_source")
            else label(words.get(s, "lc_city_incomplete"), lang)
            for v, s in zip(cities[column], cities[f"{column}_status"], strict=True)
        ]
    return out


def sources_text(
    sources: pd.DataFrame, columns: list[str], registry: Registry, profile: str, lang: str = "zh"
) -> pd.DataFrame:
    """The clause behind each indicator shown, and whether its radius is a setting."""
    rows = sources.set_index("column").loc[columns]
    suffix = "_en" if lang == "en" else ""
    sep = " " if lang == "zh" else ", "
    # A standard with no number of its own (城市体检指标体系) opens its title with its name.
    titles = [
        title if title.startswith(code) else f"{code}{sep}{title}"
        for code, title in zip(rows[f"code{suffix}"], rows[f"title{suffix}"], strict=True)
    ]
    return pd.DataFrame(
        {
            label("lc_col_indicator", lang): [
                indicator_name(c, registry, profile, lang) for c in columns
            ],
            label("lc_col_standard", lang): titles,
            label("lc_col_clause", lang): rows[f"clause{suffix}"].to_numpy(),
            label("lc_col_edition", lang): rows[f"edition{suffix}"].to_numpy(),
            label("lc_col_radius", lang): [
                "" if pd.isna(m) else _metres(m, lang) for m in rows["radius_m"]
            ],
            label("lc_col_checked", lang): [
                label("lc_setting", lang) if s else label("lc_yes", lang) for s in rows["setting"]
            ],
        }
    )


def tables(
    found: Indicators, quarantine: pd.DataFrame, lang: str = "zh"
) -> list[tuple[str, pd.DataFrame]]:
    """
    The page's tables under their headings: districts, cities, communities, clauses.

    Only districts with a located community are listed; the facilities file's quarantine
    follows, headed with its count, when it holds any row.
    """
    registry, profile = found.registry, found.profile
    shown = [f"share_{k}" for k in registry.categories] + ["share_complete"]
    counted = found.districts[found.districts["projects_with_point"] > 0]
    listed = [
        (label("lc_districts", lang), district_table(counted, shown, registry, profile, lang)),
        (label("lc_cities", lang), city_table(found.cities, shown, registry, profile, lang)),
        (
            label("lc_communities", lang),
            community_table(found.communities, registry, profile, lang),
        ),
        (label("lc_sources", lang), sources_text(found.sources, shown, registry, profile, lang)),
    ]
    if len(quarantine):
        heading = label("facilities_quarantine", lang).format(n=len(quarantine))
        listed.append((heading, quarantine_rows(facility_quarantine(quarantine), lang)))
    return listed


def downloads(
    found: Indicators, quarantine: pd.DataFrame, districts: gpd.GeoDataFrame, lang: str = "zh"
) -> list[Download]:
    """
    The page's files, named by profile: the XLSX with its clauses, communities, districts.

    ``districts`` are ``found.districts`` with the outlines shown on the map.
    """
    profile = found.profile
    return [
        Download(
            label("download_lc_xlsx", lang),
            f"lifecircle-{profile}.xlsx",
            export_xlsx,
            (found, quarantine),
        ),
        Download(
            label("download_lc_communities", lang),
            f"lifecircle-communities-{profile}.geojson",
            geojson_bytes,
            (found.communities,),
        ),
        Download(
            label("download_lc_districts", lang),
            f"lifecircle-districts-{profile}.geojson",
            geojson_bytes,
            (districts,),
        ),
    ]


def facility_quarantine(quarantine: pd.DataFrame) -> pd.DataFrame:
    """
    The facilities file's quarantine in the records' shape, every raw cell kept.

    ``message_zh`` and ``message_en`` are worded here from each row's reason code, column and
    detail (both, since a bureau shares the files across languages).
    """
    out = quarantine.drop(columns=["detail_zh", "detail_en", PARAMS], errors="ignore")
    for lang in ("zh", "en"):
        out.insert(
            3 + (lang == "en"),
            f"message_{lang}",
            [
                label("facility_row_problem", lang)
                .format(column=c or "", reason=reason_name(r, lang), detail=d or "")
                .strip()
                for r, c, d in zip(
                    quarantine["reason"],
                    quarantine["column"],
                    quarantine_details(quarantine, lang),
                    strict=True,
                )
            ],
        )
    return out


def template_bytes(registry: Registry, lang: str = "zh") -> bytes:
    """
    The facilities template as XLSX bytes.

    An empty first sheet with the header the reader knows, and a second sheet listing each
    category's words, the radius it is judged by and its clause.
    """
    from layers.spreadsheets import xlsx_bytes

    fields = ("id", "name", "category", "address", "lon", "lat", "datum")
    header = [FILE_FIELDS[f][0] for f in fields] + ["面积（m²）"]
    categories = pd.DataFrame(
        {
            label("lc_col_category", lang): [category_name(k, lang) for k in registry.categories],
            FILE_FIELDS["category"][0]: [
                "、".join(c.words[:4]) for c in registry.categories.values()
            ],
            label("lc_col_radius", lang): [
                radius_text(c, lang) for c in registry.categories.values()
            ],
            label("lc_col_clause", lang): [
                registry.citation(k) if lang == "zh" else c.clause_en
                for k, c in registry.categories.items()
            ],
        }
    )
    return xlsx_bytes({"设施": pd.DataFrame(columns=header), "类别": categories})


def export_sheets(found: Indicators, quarantine: pd.DataFrame | None = None) -> dict:
    """The sheets of the XLSX export: communities (lon/lat), districts, cities, sources."""
    communities = pd.DataFrame(found.communities.drop(columns=found.communities.geometry.name))
    points = found.communities.geometry
    is_point = points.notna() & (points.geom_type == "Point")
    communities["lon"] = np.where(is_point, points.x.where(is_point), np.nan)
    communities["lat"] = np.where(is_point, points.y.where(is_point), np.nan)
    sheets = {
        "communities": communities,
        "districts": pd.DataFrame(found.districts.drop(columns=found.districts.geometry.name)),
        "cities": found.cities,
        "sources": found.sources,
    }
    if quarantine is not None and len(quarantine):
        sheets["facility_quarantine"] = facility_quarantine(quarantine)
    return sheets


def export_xlsx(found: Indicators, quarantine: pd.DataFrame | None = None) -> bytes:
    """:func:`export_sheets` as one XLSX workbook, for the page's download and the CLI."""
    from layers.spreadsheets import xlsx_bytes

    return xlsx_bytes(export_sheets(found, quarantine))


def facilities_caption(counts: dict[str, int], lang: str = "zh") -> str:
    """The facilities found, by category (``counts`` as :meth:`Facilities.counts` gives them)."""
    sep = "、" if lang == "zh" else ", "
    listed = sep.join(f"{category_name(k, lang)} {n}" for k, n in counts.items())
    return label("facilities_counts", lang).format(counts=listed)


def inside_heading(
    name: str, sheds: pd.DataFrame, inside: pd.DataFrame, profile: str, lang: str = "zh"
) -> str:
    """
    What a community's walksheds hold, as the heading over their list (or in its place).

    Says the community, the longest walk, the walker and how many services are inside; with
    none inside, that there are none.
    """
    words = {
        "name": name,
        "distance": format_value(round(sheds["distance_m"].max()), "m", lang),
        "profile": label(f"profile_{profile}", lang),
        "n": len(inside),
    }
    return label("lc_inside_none" if inside.empty else "lc_inside_title", lang).format(**words)


def inside_table(inside: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """
    The services inside a community's walksheds: category, name, distance and radius.

    ``inside`` is :func:`geo.lifecircle.walkshed_facilities`'s; a facility without a name is
    listed by its source id. Distances in whole metres.
    """
    return pd.DataFrame(
        {
            label("lc_col_category", lang): [category_name(k, lang) for k in inside["category"]],
            label("lc_col_facility", lang): inside["name"].fillna(inside["source_id"]).astype(str),
            label("lc_col_distance", lang): [
                format_value(round(m), "m", lang) for m in inside["distance_m"]
            ],
            label("lc_col_within", lang): [format_value(m, "m", lang) for m in inside["within_m"]],
        },
        index=inside.index,
    ).reset_index(drop=True)
