"""
Priorities made visible: every rank explained by its parts, ties and missing inputs said, a map.

Takes what :func:`geo.priorities.prioritise` returns and words it in the interface's language
from the catalogue. A part without data is named ("no build year in this ledger: age not
scored"), never written 0. Every tooltip is built here with each value escaped (a community's
name comes from the planner's ledger).
"""

from __future__ import annotations

import functools
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.priorities import (
    CONSENT_MIN,
    PARTS,
    PRESETS,
    SCORE_DECIMALS,
    ListMeasures,
    parts_without_data,
)
from layers._html import esc, esc_md
from layers.export import Download
from layers.maps import MapLayers, _base_map, _view_group, extent_of
from layers.spreadsheets import csv_bytes, xlsx_bytes
from layers.wording import label, listed_text

__all__ = [
    "BAND_COLOURS",
    "TIED_GROUPS",
    "TIED_NAMES",
    "consent_note",
    "explanations",
    "ledger_measured_text",
    "list_measured_text",
    "list_read_text",
    "map_page_text",
    "measured_text",
    "missing_notes",
    "page_map",
    "part_name",
    "preset_name",
    "preset_percents",
    "priorities_layers",
    "ranked_file",
    "ranked_table",
    "ranking_downloads",
    "ranking_notes",
    "ties_text",
    "unplaced_text",
]

#: The first, middle and last third of the ranking (ColorBrewer Reds, dark to light).
BAND_COLOURS = ("#cb181d", "#fb6a4a", "#fcbba1")


def preset_name(preset: str, lang: str = "zh") -> str:
    """安全优先, 无障碍优先, 均衡 (Safety first, …) for a key of :data:`geo.priorities.PRESETS`."""
    return label(f"priorities_preset_{preset}", lang)


def part_name(part: str, lang: str = "zh") -> str:
    """A part of the score (:data:`geo.priorities.PARTS`) as the planner reads it."""
    return label(f"priorities_part_{part}", lang)


def preset_percents(preset: str) -> dict[str, int]:
    """
    Each part's weight in ``preset`` as the page's sliders hold it: whole percents, 0 unweighed.

    ``安全优先`` (safety) gives ``{"households": 20, "age": 50, ...}``: choosing a preset puts
    these on the sliders, so a preset restores its weights after the planner moved one.
    """
    chosen = PRESETS[preset]
    return {part: round(100 * chosen.get(part, 0.0)) for part in PARTS}


def _sep(lang: str) -> str:
    return "；" if lang == "zh" else "; "


def _fixed(values: object, spec: str) -> np.ndarray:
    """Each number written with the printf ``spec`` (``%.2f``: as ``f"{v:.2f}"``), as text."""
    return np.char.mod(spec, np.asarray(values, dtype="float64")).astype(object)


def _filled(key: str, lang: str, **values: object) -> np.ndarray | str:
    """
    ``label(key, lang).format(**values)`` for arrays of texts, cell by cell, without a loop.

    The catalogue's sentence is split at its fields once; the arrays are joined into it.
    """
    marks = {name: f"\x00{i}\x00" for i, name in enumerate(values)}
    pieces = re.split("\x00(\\d+)\x00", label(key, lang).format(**marks))
    names = list(values)
    out: object = pieces[0]
    for i in range(1, len(pieces), 2):
        out = out + np.asarray(values[names[int(pieces[i])]], dtype=object) + pieces[i + 1]
    return out  # type: ignore[return-value]


def explanations(ranked: pd.DataFrame, weights: dict[str, float], lang: str = "zh") -> list[str]:
    """
    Each row's score as its parts: value × weight for each part with data, then the score.

    ``户数 1.00 × 权重 20%；房龄 0.87 × 权重 50% → 得分 0.91（按有数据的权重 70% 折算）``: when
    a weighed part has no data, the score is the mean over the weights that have data, and
    the text says over how much. A row with no weighed part at all says so. Written part by
    part over every row at once (a national ranking has 300,000 rows), not row by row.
    """
    used = [p for p in PARTS if weights.get(p, 0) > 0]
    total = sum(weights[p] for p in used)
    rows = len(ranked)
    known = np.zeros(rows, dtype="float64")
    parts = np.full(rows, "", dtype=object)
    for part in used:
        values = ranked[f"part_{part}"].to_numpy(dtype="float64", na_value=np.nan)
        has = ~np.isnan(values)
        known = np.where(has, known + weights[part], known)
        piece = _filled(
            "priorities_explain_part",
            lang,
            part=part_name(part, lang),
            value=_fixed(values, "%.2f"),
            weight=f"{weights[part] / total:.0%}",
        )
        joined = np.where(parts == "", piece, parts + _sep(lang) + piece)
        parts = np.where(has, joined, parts)
    score = _fixed(
        ranked["score"].to_numpy(dtype="float64", na_value=np.nan), f"%.{SCORE_DECIMALS}f"
    )
    texts = _filled("priorities_explain_score", lang, parts=parts, score=score)
    if total:
        with np.errstate(invalid="ignore", divide="ignore"):
            share = _filled(
                "priorities_explain_partial", lang, share=_fixed(known / total * 100, "%.0f%%")
            )
        texts = np.where(known < total, texts + share, texts)
    nothing = label("priorities_explain_nothing", lang)
    return np.where(parts == "", nothing, np.broadcast_to(texts, (rows,))).tolist()


def _missing_cells(ranked: pd.DataFrame, lang: str, everywhere: set[str]) -> list[str]:
    """
    Each row's weighed parts without data, but those no row has (``everywhere``).

    Worded once per distinct cell (a national ranking has 300,000 rows, a few distinct cells).
    """
    cells = ranked["parts_missing"]
    words = {
        cell: listed_text(
            (part_name(p, lang) for p in cell.split(",") if p and p not in everywhere), lang
        )
        for cell in cells.dropna().unique()
        if isinstance(cell, str)
    }
    return [words.get(cell, "") if isinstance(cell, str) else "" for cell in cells]


def _consent_cells(ranked: pd.DataFrame, lang: str) -> list[str]:
    """A share as a percent, a word as its level (同意 is not written 80 %), else no data."""
    cells = []
    levels = ranked.get("consent_level", pd.Series(pd.NA, index=ranked.index))
    given = ranked.get("consent_share", pd.Series(np.nan, index=ranked.index))
    rows = zip(ranked["part_consent"], ranked["consent_below_80"], levels, given, strict=True)
    for share, below, level, number in rows:
        if pd.isna(share):
            cells.append(label("no_data", lang))
        elif pd.isna(number) and not pd.isna(level):
            cells.append(label(f"priorities_consent_{level}", lang))
        elif bool(below):
            cells.append(label("priorities_consent_below", lang).format(share=f"{share:.0%}"))
        else:
            cells.append(f"{share:.0%}")
    return cells


def _rank_cells(ranked: pd.DataFrame, lang: str) -> list[str]:
    key = "priorities_rank_tied"
    return [
        label("priorities_unranked", lang)
        if pd.isna(r)
        else label(key, lang).format(rank=int(r))
        if t
        else str(int(r))
        for r, t in zip(ranked["rank"], ranked["tied"], strict=True)
    ]


def _text(values: pd.Series | None, rows: int, empty: str) -> list[str]:
    if values is None:
        return [empty] * rows
    return [empty if pd.isna(v) else str(v) for v in values]


def ranked_table(
    ranked: pd.DataFrame,
    weights: dict[str, float],
    lang: str = "zh",
    *,
    rows: slice | None = None,
) -> pd.DataFrame:
    """
    The ranked communities for the screen and the download, every cell text in ``lang``.

    Rank (tied ranks marked), community, district, households, score, consent (below 80 %
    marked), the weighed parts this row lacks (those no row has are said once, by
    :func:`missing_notes`) and how the score is made. ``rows`` (positions in ``ranked``)
    writes only those, as the whole table writes them: the page of the table on screen.
    """
    everywhere = set(parts_without_data(ranked))
    if rows is not None:
        ranked = ranked.iloc[rows]
    count = len(ranked)
    none = label("no_data", lang)
    return pd.DataFrame(
        {
            label("priorities_col_rank", lang): _rank_cells(ranked, lang),
            label("priorities_col_name", lang): _text(ranked.get("name"), count, none),
            label("priorities_col_district", lang): _text(ranked.get("district"), count, none),
            label("priorities_col_households", lang): [
                none if pd.isna(v) else f"{int(v):,}"
                for v in ranked.get("households", pd.Series(np.nan, index=ranked.index))
            ],
            label("priorities_col_score", lang): [
                none if pd.isna(s) else f"{s:.{SCORE_DECIMALS}f}" for s in ranked["score"]
            ],
            label("priorities_col_consent", lang): _consent_cells(ranked, lang),
            label("priorities_col_missing", lang): _missing_cells(ranked, lang, everywhere),
            label("priorities_col_explained", lang): explanations(ranked, weights, lang),
        }
    )


def ranked_file(ranked: pd.DataFrame, weights: dict[str, float], lang: str = "zh") -> pd.DataFrame:
    """
    The ranked table for XLSX and CSV: numbers as numbers, so a spreadsheet sorts them.

    Rank (empty when not ranked) and whether it is tied, community, district, households,
    score, consent as the screen says it (85%, 同意（达到 80%）), each part's value 0..1 (empty
    when it has no data, never 0), the parts without data (those no row has too: the file
    has no notes above it) and how the score is made, headers in ``lang``.
    """
    shown = ranked_table(ranked, weights, lang)
    # A file is read without the page's notes: a part no row has is named in every row too.
    shown[label("priorities_col_missing", lang)] = _missing_cells(ranked, lang, set())
    tied = label("priorities_col_tied", lang)
    parts = {
        label("priorities_col_part", lang).format(part=part_name(p, lang)): ranked[f"part_{p}"]
        .round(4)
        .to_numpy()
        for p in PARTS
    }
    columns = {
        label("priorities_col_rank", lang): ranked["rank"].to_numpy(),
        tied: [tied if t else "" for t in ranked["tied"]],
        label("priorities_col_name", lang): shown[label("priorities_col_name", lang)].to_numpy(),
        label("priorities_col_district", lang): ranked.get(
            "district", pd.Series(pd.NA, index=ranked.index)
        ).to_numpy(),
        label("priorities_col_households", lang): ranked.get(
            "households", pd.Series(pd.NA, index=ranked.index)
        ).to_numpy(),
        label("priorities_col_score", lang): ranked["score"].round(4).to_numpy(),
        label("priorities_col_consent", lang): shown[
            label("priorities_col_consent", lang)
        ].to_numpy(),
        **parts,
        label("priorities_col_missing", lang): shown[
            label("priorities_col_missing", lang)
        ].to_numpy(),
        label("priorities_col_explained", lang): shown[
            label("priorities_col_explained", lang)
        ].to_numpy(),
    }
    return pd.DataFrame(columns)


def _unmeasured_text(part: str, reason: str, lang: str) -> str:
    """Why a list's measured part has no data (a code of :data:`geo.priorities.UNMEASURED`)."""
    if reason == "not_in_source":
        return label(f"priorities_list_not_in_source_{part}", lang)
    return label(f"priorities_list_{reason}", lang).format(part=part_name(part, lang))


def missing_notes(
    ranked: pd.DataFrame,
    weights: dict[str, float],
    lang: str = "zh",
    *,
    unmeasured: dict[str, str] | None = None,
) -> list[str]:
    """
    One sentence per weighed part no candidate has: "此台账没有建成年份：房龄不计分".

    ``unmeasured`` (:attr:`geo.priorities.ListMeasures.unmeasured`, for a list measured on
    its own) says why a measured part has no data there instead of pointing to another page.
    """
    reasons = unmeasured or {}
    return [
        _unmeasured_text(part, reasons[part], lang)
        if part in reasons
        else label(f"priorities_missing_{part}", lang)
        for part in parts_without_data(ranked)
        if weights.get(part, 0) > 0
    ]


def list_measured_text(measures: ListMeasures, extract: str, lang: str = "zh") -> str:
    """How many of a list's rows were measured on the extract (named, escaped for Markdown)."""
    counts = measures.measured
    if not any(counts.values()):
        return ""
    return label("priorities_list_measured", lang).format(
        extract=esc_md(extract),
        access=f"{counts['access_gap']:,}",
        circle=f"{counts['life_circle_gap']:,}",
    )


def ledger_measured_text(measures: ListMeasures, extract: str, lang: str = "zh") -> str:
    """
    How many of a ledger's candidates got each part on the extract ("" when none did).

    Only the parts measured here are named: a part measured on its own page is that page's.
    """
    counts = [(part, n) for part, n in measures.measured.items() if n]
    if not counts:
        return ""
    parts = [
        label(f"priorities_measured_count_{part}", lang).format(count=f"{n:,}")
        for part, n in counts
    ]
    sep = "，" if lang == "zh" else ", "
    return label("priorities_ledger_measured", lang).format(
        extract=esc_md(extract), parts=sep.join(parts)
    )


def measured_text(measures: ListMeasures, extract: str, lang: str = "zh", *, listed: bool) -> str:
    """:func:`list_measured_text` for an uploaded list, else :func:`ledger_measured_text`."""
    return (list_measured_text if listed else ledger_measured_text)(measures, extract, lang)


def list_read_text(rows: int, clean: int, quarantined: int, lang: str = "zh") -> str:
    """A list's rows, ranked and quarantined: "清单共 3 行：2 行参与排序，1 行隔离。"."""
    return label("priorities_upload_read", lang).format(
        rows=f"{rows:,}", clean=f"{clean:,}", quarantined=f"{quarantined:,}"
    )


def ranking_notes(
    ranked: pd.DataFrame,
    weights: dict[str, float],
    preset: str,
    lang: str = "zh",
    *,
    unmeasured: dict[str, str] | None = None,
) -> list[tuple[str, str]]:
    """
    What the page says above the table, each as (``caption``/``info``/``warning``, text).

    How many ranked and by which preset, the weighed parts without data (and why), the ties
    (names escaped for Markdown) and the consent rule.
    """
    counted = label("priorities_counted", lang).format(
        count=f"{len(ranked):,}", preset=preset_name(preset, lang)
    )
    notes = [("caption", counted)]
    notes += [("info", n) for n in missing_notes(ranked, weights, lang, unmeasured=unmeasured)]
    if ties := ties_text(ranked, lang):
        notes.append(("warning", esc_md(ties)))
    if consent := consent_note(ranked, lang):
        notes.append(("warning", consent))
    return notes


def unplaced_text(ranked: gpd.GeoDataFrame, lang: str = "zh") -> str:
    """How many ranked communities have no point, so are not on the map ("" when none)."""
    unplaced = int((ranked.geometry.isna() | ranked.geometry.is_empty).sum())
    if not unplaced:
        return ""
    return label("priorities_unplaced", lang).format(count=f"{unplaced:,}")


def map_page_text(ranked: gpd.GeoDataFrame, rows: slice, lang: str = "zh") -> str:
    """
    What the map of ``rows`` (a page of the table) draws of ``ranked``; "" when it is all.

    The map draws the page's ranked communities with a point, not the whole ranking.
    """
    page = ranked.iloc[rows]
    if len(page) >= len(ranked):
        return ""
    drawn = ~(page.geometry.isna() | page.geometry.is_empty) & page["rank"].notna()
    total = f"{len(ranked):,}"
    return label("priorities_map_page", lang).format(count=f"{int(drawn.sum()):,}", total=total)


def page_map(
    ranked: gpd.GeoDataFrame, rows: slice, lang: str = "zh"
) -> tuple[str, MapLayers] | None:
    """
    The map of a page of the ranking (``rows``) with what it draws of the whole; None: no map.

    None when no community of the page has a point (a district's list often has none): no
    empty map is drawn. Else :func:`map_page_text` ("" when the page is the whole ranking)
    and :func:`priorities_layers` of those rows.
    """
    page = ranked.iloc[rows]
    if (page.geometry.isna() | page.geometry.is_empty).all():
        return None
    return map_page_text(ranked, rows, lang), priorities_layers(ranked, lang=lang, rows=rows)


#: The tied groups :func:`ties_text` names (the first ranks), and the names it gives of each:
#: a national ranking ties tens of thousands of communities at two decimals; the table marks
#: every tied rank, the text names the first.
TIED_GROUPS = 10
TIED_NAMES = 10


def ties_text(ranked: pd.DataFrame, lang: str = "zh") -> str:
    """
    The tied groups, each with its rank and names ("" when no score is tied).

    The first :data:`TIED_GROUPS` groups by rank with up to :data:`TIED_NAMES` names each;
    how many more names a group has, and how many more groups and communities tie, are said.
    """
    tied = ranked[ranked["tied"].to_numpy(dtype=bool)]
    if tied.empty:
        return ""
    sizes = tied.groupby("rank", sort=True).size()
    groups = []
    for rank in sizes.index[:TIED_GROUPS]:
        group = tied[(tied["rank"] == rank).to_numpy(dtype=bool)].iloc[:TIED_NAMES]
        names = listed_text(_text(group.get("name"), len(group), ""), lang)
        if (more := int(sizes[rank]) - len(group)) > 0:
            names += label("priorities_tie_more", lang).format(count=f"{more:,}")
        groups.append(label("priorities_tie_group", lang).format(rank=int(rank), names=names))
    text = label("priorities_ties", lang).format(groups=_sep(lang).join(groups))
    if len(sizes) > TIED_GROUPS:
        rest = sizes.iloc[TIED_GROUPS:]
        text += label("priorities_ties_more", lang).format(
            groups=f"{len(rest):,}", count=f"{int(rest.sum()):,}"
        )
    return text


def _bands(ranks: np.ndarray, count: int) -> np.ndarray:
    """0, 1 or 2: the third of the ranking each rank falls in."""
    return np.minimum(((ranks - 1) * 3) // max(count, 1), 2).astype(int)


def priorities_layers(
    ranked: gpd.GeoDataFrame, *, lang: str = "zh", rows: slice | None = None
) -> MapLayers:
    """
    The ranked communities with a point, coloured by their third of the ranking.

    ``rows`` (positions in ``ranked``) draws only those, each in its third of the whole
    ranking: the page of the table on screen.
    """
    parts = MapLayers(_base_map(None, None, lang), control=folium.LayerControl(collapsed=False))
    points = ranked if rows is None else ranked.iloc[rows]
    points = points[~(points.geometry.is_empty | points.geometry.isna())]
    points = points[points["rank"].notna().to_numpy(dtype=bool)]
    bands = _bands(points["rank"].to_numpy(dtype="int64"), len(ranked))
    names = _text(points.get("name"), len(points), "")
    tips = [
        esc(
            label("priorities_tip", lang).format(
                rank=int(r), name=n, score=f"{s:.{SCORE_DECIMALS}f}"
            )
        )
        for r, n, s in zip(points["rank"], names, points["score"], strict=True)
    ]
    group = folium.FeatureGroup(name=label("priorities_layer", lang), show=True)
    if len(points):
        shown = gpd.GeoDataFrame(
            {"tip": tips, "colour": [BAND_COLOURS[b] for b in bands]},
            geometry=points.geometry.to_numpy(),
            crs="EPSG:4326",
        )
        folium.GeoJson(
            shown.to_geo_dict(),
            marker=folium.CircleMarker(radius=7, weight=1, fill=True, fill_opacity=0.9),
            style_function=lambda f: {
                "color": "#67000d",
                "fillColor": f["properties"]["colour"],
            },
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        ).add_to(group)
    parts.groups.append(group)
    rows = [
        f'<span style="color:{colour}">&#9679;</span> {esc(label(f"priorities_band_{i}", lang))}'
        for i, colour in enumerate(BAND_COLOURS)
    ]
    legend = (
        '<div style="background:rgba(255,255,255,.92);padding:6px 10px;border-radius:4px;'
        f'font:12px sans-serif"><b>{esc(label("priorities_legend", lang))}</b><br>'
        + "<br>".join(rows)
        + "</div>"
    )
    parts.groups.append(_view_group(legend, extent_of([points]), lang))
    return parts


def consent_note(ranked: pd.DataFrame, lang: str = "zh") -> str:
    """How many candidates are below the 80 % consent rule ("" when none or no column)."""
    below = int(ranked["consent_below_80"].fillna(False).astype(bool).sum())
    if not below:
        return ""
    return label("priorities_consent_note", lang).format(count=below, share=f"{CONSENT_MIN:.0%}")


def ranking_downloads(
    ranked: pd.DataFrame, weights: dict[str, float], preset: str, lang: str = "zh"
) -> list[Download]:
    """
    The ranked table (:func:`ranked_file`) as XLSX and CSV, for two download buttons.

    The files ``atlas priorities --out`` writes, named for the ``preset``; each is written
    when its button is clicked (:class:`layers.export.Download`), not on every run of the page.
    """
    sheet = label("page_priorities", lang)
    table = functools.partial(ranked_file, ranked, weights, lang)
    return [
        Download(
            label("download_priorities_xlsx", lang),
            f"priorities-{preset}.xlsx",
            lambda: xlsx_bytes({sheet: table()}),
        ),
        Download(
            label("download_priorities_csv", lang),
            f"priorities-{preset}.csv",
            lambda: csv_bytes(table()),
        ),
    ]
