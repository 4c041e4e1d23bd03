"""
Siting made visible: candidates, existing and chosen sites on a map, the table, the curve.

Takes what :func:`geo.siting.plan` returns. Every tooltip is text built here from the
catalogue with each value escaped (a candidate's name comes from an uploaded file).
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.siting import WEIGHS, elderly_column
from layers._html import esc
from layers.export import Download, geojson_bytes
from layers.maps import MapLayers, _base_map, _view_group, extent_of
from layers.wording import label

__all__ = [
    "alternatives_text",
    "counted",
    "curve_frame",
    "fewer_text",
    "file_read_text",
    "refused_rows",
    "siting_downloads",
    "siting_layers",
    "siting_table",
    "status_text",
    "summary_notes",
    "totals_text",
    "units",
    "weighs_offered",
]

#: Chosen, candidate and existing sites (ColorBrewer Dark2 pink, grey, and green).
CHOSEN_COLOUR = "#e7298a"
CANDIDATE_COLOUR = "#969696"
EXISTING_COLOUR = "#1b9e77"


def units(weigh: str = "households", lang: str = "zh") -> dict[str, str]:
    """What a count of ``weigh`` (:data:`geo.siting.WEIGHS`) is called: unit, title, data."""
    return {
        "unit": label(f"siting_unit_{weigh}", lang),
        "what": label(f"siting_what_{weigh}", lang),
        "data": label(f"siting_data_{weigh}", lang),
    }


def _count(value) -> str:
    return "" if pd.isna(value) else f"{round(float(value)):,}"


#: At most this many equal alternatives are named beside a chosen site; the rest are counted.
NAMED_ALTERNATIVES = 3


def alternatives_text(candidates: pd.DataFrame, order: int, lang: str = "zh") -> str:
    """
    The candidates as good as chosen site ``order`` (``equal_to``): ``或 乙（同等）``; "" if none.

    The first :data:`NAMED_ALTERNATIVES` by name in input order, the others counted.
    """
    names = candidates.loc[candidates["equal_to"].eq(order).fillna(False), "name"].astype(str)
    if names.empty:
        return ""
    sep = "、" if lang == "zh" else ", "
    shown = sep.join(names.iloc[:NAMED_ALTERNATIVES])
    if len(names) > NAMED_ALTERNATIVES:
        shown = label("siting_alternatives_more", lang).format(
            names=shown, more=f"{len(names) - NAMED_ALTERNATIVES:,}"
        )
    return label("siting_alternatives", lang).format(names=shown)


def _chosen_tip(candidates: pd.DataFrame, row, unit: str, lang: str) -> str:
    """A chosen site's tooltip text: its order, name and gain, and its equal alternatives."""
    words = {"order": int(row.order), "name": row.name, "adds": _count(row.adds_households)}
    alternatives = alternatives_text(candidates, int(row.order), lang)
    if alternatives:
        return label("siting_tip_chosen_equal", lang).format(
            **words, unit=unit, alternatives=alternatives
        )
    return label("siting_tip_chosen", lang).format(**words, unit=unit)


def _candidate_tip(row, unit: str, lang: str) -> str:
    """An unchosen candidate's tooltip text; the chosen site it is as good as, if one."""
    words = {"name": row.name, "covers": _count(row.covers_households), "unit": unit}
    if pd.isna(row.equal_to):
        return label("siting_tip_candidate", lang).format(**words)
    return label("siting_tip_equal", lang).format(**words, order=int(row.equal_to))


def _points(frame: gpd.GeoDataFrame, tips: list[str], colour: str, radius: int, name: str):
    shown = gpd.GeoDataFrame({"tip": tips}, geometry=frame.geometry.to_numpy(), crs="EPSG:4326")
    group = folium.FeatureGroup(name=name, show=True)
    if len(shown):
        folium.GeoJson(
            shown.to_geo_dict(),
            marker=folium.CircleMarker(radius=radius, weight=1, fill=True, fill_opacity=0.85),
            style_function=lambda _: {"color": colour, "fillColor": colour},
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        ).add_to(group)
    return group


def _rows(frame: pd.DataFrame):
    """The rows' values by column name (``order``, ``name``, ``equal_to``, …)."""
    return frame.drop(columns="geometry").itertuples(index=False)


def siting_layers(
    candidates: gpd.GeoDataFrame,
    existing: gpd.GeoDataFrame,
    *,
    lang: str = "zh",
    weigh: str = "households",
) -> MapLayers:
    """Unchosen candidates, existing sites and chosen sites (numbered), fitted to all three."""
    parts = MapLayers(_base_map(None, None, lang), control=folium.LayerControl(collapsed=False))
    unit = units(weigh, lang)["unit"]
    chosen = candidates[candidates["chosen"]].sort_values("order")
    others = candidates[~candidates["chosen"]]
    parts.groups.append(
        _points(
            others,
            [esc(_candidate_tip(row, unit, lang)) for row in _rows(others)],
            CANDIDATE_COLOUR,
            3,
            label("siting_layer_candidates", lang),
        )
    )
    parts.groups.append(
        _points(
            existing,
            [esc(label("siting_tip_existing", lang).format(name=n)) for n in existing["name"]],
            EXISTING_COLOUR,
            5,
            label("siting_layer_existing", lang),
        )
    )
    parts.groups.append(
        _points(
            chosen,
            [esc(_chosen_tip(candidates, row, unit, lang)) for row in _rows(chosen)],
            CHOSEN_COLOUR,
            8,
            label("siting_layer_chosen", lang),
        )
    )
    rows = [
        f'<span style="color:{colour}">&#9679;</span> {esc(label(key, lang))}'
        for colour, key in (
            (CHOSEN_COLOUR, "siting_layer_chosen"),
            (EXISTING_COLOUR, "siting_layer_existing"),
            (CANDIDATE_COLOUR, "siting_layer_candidates"),
        )
    ]
    legend = (
        '<div style="background:rgba(255,255,255,.92);padding:6px 10px;border-radius:4px;'
        f'font:12px sans-serif"><b>{esc(label("siting_legend", lang))}</b><br>'
        + "<br>".join(rows)
        + "</div>"
    )
    bounds = extent_of([candidates, existing])
    parts.groups.append(_view_group(legend, bounds, lang))
    return parts


def siting_table(
    candidates: gpd.GeoDataFrame, lang: str = "zh", weigh: str = "households"
) -> pd.DataFrame:
    """The chosen sites in order: name, its equal alternatives, what it adds, alone, where."""
    what = units(weigh, lang)["what"]
    chosen = candidates[candidates["chosen"]].sort_values("order")
    points = chosen.geometry
    return pd.DataFrame(
        {
            label("siting_col_order", lang): chosen["order"].astype(int).to_numpy(),
            label("siting_col_name", lang): chosen["name"].astype(str).to_numpy(),
            # Beside the name, not off to the right of a half-page table: either site will do.
            label("siting_col_alternatives", lang): [
                alternatives_text(candidates, int(o), lang) or label("siting_no_alternative", lang)
                for o in chosen["order"]
            ],
            label("siting_col_adds", lang).format(what=what): [
                _count(v) for v in chosen["adds_households"]
            ],
            label("siting_col_covers", lang).format(what=what): [
                _count(v) for v in chosen["covers_households"]
            ],
            label("siting_col_lonlat", lang): [
                f"{x:.6f}, {y:.6f}" for x, y in zip(points.x, points.y, strict=True)
            ],
        }
    )


def curve_frame(
    curve: pd.DataFrame,
    lang: str = "zh",
    weigh: str = "households",
    *,
    before: float | None = None,
) -> pd.DataFrame:
    """
    Households covered with 1..N new sites, optimum and greedy: one row per count and solution.

    Long, with worded columns (new sites, households covered, solution), so a chart's axes and
    legend are titled in ``lang``. With ``before`` (what the existing sites cover), the curve
    starts at 0 new sites, so the first site's gain shows as a step like the others.
    """
    solutions = (("optimum", "siting_curve_optimum"), ("greedy", "siting_curve_greedy"))
    covered = label("siting_curve_households", lang).format(what=units(weigh, lang)["what"])
    sites = curve["sites"].to_numpy()
    start = np.zeros(0 if before is None else 1, dtype=sites.dtype)
    return pd.concat(
        [
            pd.DataFrame(
                {
                    label("siting_curve_sites", lang): np.concatenate([start, sites]),
                    covered: np.concatenate(
                        [[] if before is None else [before], curve[f"{k}_households"]]
                    ),
                    label("siting_curve_solution", lang): label(key, lang),
                }
            )
            for k, key in solutions
        ],
        ignore_index=True,
    )


def totals_text(summary: dict, lang: str = "zh") -> str:
    """One sentence: covered before, with the optimum and with greedy, of how many."""
    placed_total = summary["households_total"] - summary["households_unplaced"]
    return label("siting_totals", lang).format(
        **units(summary.get("weigh", "households"), lang),
        before=_count(summary["covered_before"]),
        count=summary["chosen"],
        optimum=_count(summary["covered_optimum"]),
        greedy=_count(summary["covered_greedy"]),
        total=_count(placed_total),
    )


def status_text(summary: dict, lang: str = "zh") -> str:
    """The solver's status in words, with the gap when a time limit stopped it."""
    status = summary["status"]
    gap = summary.get("gap")
    if status == "time_limit":
        words = label("no_data", lang) if gap is None or not np.isfinite(gap) else f"{gap:.1%}"
        return label("siting_status_time_limit", lang).format(gap=words)
    return label(f"siting_status_{status}", lang)


def refused_rows(refused: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The rows of a site file that are not one point (:func:`geo.siting.read_sites`), worded."""
    return pd.DataFrame(
        {
            label("siting_col_file_row", lang): refused["row"].to_numpy(),
            label("siting_col_refused", lang): [
                label(f"siting_refused_{r}", lang) for r in refused["reason"]
            ],
        }
    )


def counted(summary: dict) -> bool:
    """
    Whether any community counts: a point near the network and a household (or other) count.

    A ledger of addresses or district names alone has none: what the sites cover is then
    unknown, not 0, and neither the totals nor the curve are shown as numbers.
    """
    placed = summary["households_total"] - summary["households_unplaced"]
    return bool(np.isfinite(placed) and placed > 0)


def summary_notes(summary: dict, lang: str = "zh") -> list[tuple[str, str]]:
    """
    What the page says above the map, each as (``caption``/``success``/``warning``, text).

    Candidates and existing sites counted, the totals (:func:`totals_text`; a warning that
    nothing can be measured where no community counts, :func:`counted`), the solver's status
    (:func:`status_text`) and the communities that count for nothing, when some do.
    """
    counts = label("siting_counts", lang).format(
        candidates=f"{summary['candidates']:,}", existing=f"{summary['existing']:,}"
    )
    totals = (
        ("success", totals_text(summary, lang))
        if counted(summary)
        else ("warning", label("siting_nothing_counted", lang).format(
            **units(summary.get("weigh", "households"), lang)
        ))
    )  # fmt: skip
    notes = [("caption", counts), totals]
    notes.append(("caption", status_text(summary, lang)))
    if sites := summary.get("sites_with_alternatives", 0):
        notes.append(("info", label("siting_alternatives_note", lang).format(sites=f"{sites:,}")))
    unplaced = summary["communities_unplaced"] + summary["communities_without_weight"]
    if unplaced:
        text = label("siting_unplaced", lang).format(
            count=f"{unplaced:,}",
            households=_count(summary["households_unplaced"]),
            **units(summary.get("weigh", "households"), lang),
        )
        notes.append(("caption", text))
    return notes


def fewer_text(summary: dict, lang: str = "zh") -> str:
    """When fewer sites than asked add anyone, how many and why ("" otherwise)."""
    if not 0 < summary["chosen"] < summary["count"]:
        return ""
    return label("siting_fewer", lang).format(
        chosen=summary["chosen"],
        count=summary["count"],
        radius=f"{summary.get('radius_m', 0):,.0f}",
    )


def file_read_text(points: int, refused: int, lang: str = "zh") -> str:
    """How many points a site file gave, and how many rows were not one point."""
    return label("siting_file_read", lang).format(points=f"{points:,}", refused=f"{refused:,}")


def siting_downloads(candidates: gpd.GeoDataFrame, name: str, lang: str = "zh") -> list[Download]:
    """
    The chosen sites in order, and every candidate (``chosen: false`` for the others).

    As GeoJSON, each written when its button is clicked (:class:`layers.export.Download`):
    the files ``atlas site --out`` writes without and with ``--all-candidates``.
    """
    chosen = candidates[candidates["chosen"]].sort_values("order")
    every = candidates.sort_values("order", na_position="last")
    every_file = f"candidates-{name}.geojson"
    return [
        Download(label("download_siting", lang), f"sites-{name}.geojson", geojson_bytes, (chosen,)),
        Download(label("download_siting_all", lang), every_file, geojson_bytes, (every,)),
    ]


def weighs_offered(projects: pd.DataFrame) -> list[str]:
    """
    What a site's reach may count for this ledger (:data:`geo.siting.WEIGHS`), in order.

    Elderly residents only where the ledger has their column (:func:`geo.siting.elderly_column`):
    without it, every community would count for nothing.
    """
    return [w for w in WEIGHS if w != "elderly" or elderly_column(projects)]
