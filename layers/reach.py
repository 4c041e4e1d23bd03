"""
Walking reach on the map: a walkshed polygon and a route to the nearest accessible stop.

Both take the one-row frames of :func:`geo.reach.walkshed` and :func:`geo.reach.route` and
give a listed folium layer whose tooltip is text built here, every value escaped (a
community's name is the ledger's).
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from geo import coverage, network, reach
from layers._html import esc, esc_md
from layers.export import Download, geojson_bytes
from layers.maps import MapLayers, coverage_layers
from layers.tables import coverage_table, reach_table
from layers.wording import format_value, label

#: Walkshed fill and route line (ColorBrewer Dark2 purple and orange: apart from the
#: coverage ramp and the infrastructure's colours).
WALKSHED_COLOUR = "#7570b3"
ROUTE_COLOUR = "#d95f02"


def _share(value, lang: str) -> str:
    return (
        label("no_data", lang)
        if pd.isna(value)
        else format_value(round(float(value) * 100, 1), "percent", lang)
    )


def walkshed_layer(shed: gpd.GeoDataFrame, origin_name: str, *, lang: str = "zh"):
    """The walkshed of :func:`geo.reach.walkshed` as a listed layer with an escaped tooltip."""
    row = shed.iloc[0]
    text = label("walkshed_tip", lang).format(
        origin=esc(origin_name),
        distance=esc(format_value(row["distance_m"], "m", lang)),
        profile=esc(label(f"profile_{row['profile']}", lang)),
        km=esc(format_value(round(float(row["reachable_km"]), 2), "km", lang)),
    )
    group = folium.FeatureGroup(name=label("walkshed_layer", lang), show=True)
    folium.GeoJson(
        shed[["geometry"]].to_geo_dict(),
        style_function=lambda _: {
            "color": WALKSHED_COLOUR,
            "weight": 2,
            "fillColor": WALKSHED_COLOUR,
            "fillOpacity": 0.25,
        },
        tooltip=folium.Tooltip(text),
    ).add_to(group)
    return group


def route_text(found: gpd.GeoDataFrame, origin_name: str, lang: str = "zh") -> str:
    """One line for the screen: where the route goes, how long it is, how much is untagged."""
    row = found.iloc[0]
    text = label("route_tip", lang).format(
        origin=origin_name,
        kind=label(f"infra_{row['kind']}", lang),
        profile=label(f"profile_{row['profile']}", lang),
        length=format_value(round(float(row["length_m"])), "m", lang),
    )
    if "untagged_share" in found:
        text += label("route_untagged", lang).format(share=_share(row["untagged_share"], lang))
    if "tactile_share" in found:
        text += label("route_tactile", lang).format(share=_share(row["tactile_share"], lang))
    return text


def route_layer(found: gpd.GeoDataFrame, origin_name: str, *, lang: str = "zh"):
    """The route of :func:`geo.reach.route` as a listed layer with an escaped tooltip."""
    line = found.geometry.iloc[0]
    group = folium.FeatureGroup(name=label("route_layer", lang), show=True)
    folium.PolyLine(
        [(y, x) for x, y in line.coords],
        color=ROUTE_COLOUR,
        weight=5,
        opacity=0.9,
        tooltip=folium.Tooltip(esc(route_text(found, origin_name, lang))),
    ).add_to(group)
    return group


def network_caption(counts: dict[str, int], name: str, lang: str = "zh") -> str:
    """The network built from the extract ``name``: its nodes and edges, thousands separated."""
    return label("reach_network_counts", lang).format(
        name=name, nodes=f"{counts['nodes']:,}", edges=f"{counts['edges']:,}"
    )


def reach_keys(radii: tuple[int, ...], profile: str) -> list[str]:
    """
    The reach page's measures for ``profile``: each radius, then each kind of destination.

    The columns of :func:`geo.reach.measure`'s district table the map may colour by.
    """
    return [coverage.share_key(r, t, profile) for r in radii for t in coverage.DISTANCE_TYPES]


def on_network(communities: pd.DataFrame, profile: str | None = None) -> tuple[list, pd.Series]:
    """
    The communities a walk can start from for ``profile`` (snapped to the network), and names.

    The index labels of those with a snap distance (``{profile}_snap_m``, or ``snap_m`` with
    no ``profile``: the life circle measures one walker at a time), and every community's
    name as text, by the same labels (what a choice of them shows).
    """
    snapped = f"{profile}_snap_m" if profile else "snap_m"
    placed = communities.index[communities[snapped].notna()].tolist()
    return placed, communities["name"].astype(str)


def address_defaults(measure: str | None = None) -> dict[str, object]:
    """
    The reach page's settings when the address names none: walker, radii, snap, measure.

    The first walker of :data:`geo.network.PROFILES`, :data:`geo.coverage.RADII_M` and
    :data:`geo.reach.MAX_SNAP_M` in whole metres; ``measure`` when given.
    """
    found: dict[str, object] = {
        "profile": next(iter(network.PROFILES)),
        "radii": list(coverage.RADII_M),
        "snap": int(reach.MAX_SNAP_M),
    }
    return found if measure is None else found | {"measure": measure}


def drawn_for(drawn: dict[str, tuple], sha256: str, profile: str) -> dict[str, tuple]:
    """
    What was drawn on the network ``sha256`` for ``profile``: ``{kind: (name, frame)}``.

    ``drawn`` holds ``{kind: ((sha256, profile), name, frame)}``; what another network or
    walker drew is left out.
    """
    return {kind: kept[1:] for kind, kept in drawn.items() if kept[0] == (sha256, profile)}


def downloads(
    communities: gpd.GeoDataFrame,
    table: gpd.GeoDataFrame,
    drawn: dict[str, tuple],
    profile: str,
    lang: str = "zh",
) -> list[Download | None]:
    """
    The reach page's files: per community, per district, the walkshed drawn (GeoJSON).

    None in the place of the districts' where no district was measured, and of the
    walkshed's where none was drawn (``drawn`` as in :func:`drawn_for`), so each file keeps
    its place in the row. The walkshed's words name its community, escaped for Markdown.
    """
    files: list[Download | None] = [
        Download(
            label("download_reach_communities", lang),
            f"reach-communities-{profile}.geojson",
            geojson_bytes,
            (communities,),
        ),
        None,
        None,
    ]
    if not table.empty:
        text, name = label("download_reach_districts", lang), f"reach-districts-{profile}.geojson"
        files[1] = Download(text, name, geojson_bytes, (table,))
    if "walkshed" in drawn:
        _, origin, shed = drawn["walkshed"]
        distance = format_value(shed["distance_m"].iloc[0], "m", lang)
        text = esc_md(label("download_walkshed", lang).format(name=origin, distance=distance))
        name = f"walkshed-{shed['profile'].iloc[0]}.geojson"
        files[2] = Download(text, name, geojson_bytes, (shed.assign(origin=origin),))
    return files


def tables(
    table: pd.DataFrame, communities: pd.DataFrame, keys: list[str], profile: str, lang: str = "zh"
) -> list[tuple[str, pd.DataFrame | str]]:
    """
    The page's tables under their headings: reach by district, then by community.

    In the place of the districts' table, the words saying why there is none when no
    district was measured (data outside China).
    """
    communities_table = reach_table(communities, profile, lang)
    if table.empty:
        return [
            (label("district_metrics", lang), label("infra_outside_china", lang)),
            (label("reach_communities", lang), communities_table),
        ]
    return [
        (label("district_metrics", lang), coverage_table(table, keys, lang)),
        (label("reach_communities", lang), communities_table),
    ]


def reach_layers(
    table: gpd.GeoDataFrame,
    metric: str,
    *,
    infra: gpd.GeoDataFrame,
    communities: gpd.GeoDataFrame,
    drawn: dict[str, tuple[str, gpd.GeoDataFrame]],
    lang: str = "zh",
) -> MapLayers:
    """
    The reach map: districts by ``metric``, the infrastructure, the communities, what was drawn.

    ``drawn`` is ``walkshed`` and/or ``route`` → (the community's name, the frame of
    :func:`geo.reach.walkshed` or :func:`geo.reach.route`); each is a listed layer above the
    others (under the legend), and the view fits them when there are some.
    """
    layers = coverage_layers(
        table,
        metric,
        infra=infra,
        projects=communities,
        fit=[frame for _, frame in drawn.values()] or None,
        lang=lang,
    )
    for what, (name, frame) in drawn.items():
        make = walkshed_layer if what == "walkshed" else route_layer
        layers.groups.insert(-1, make(frame, name, lang=lang))
    return layers
