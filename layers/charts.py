"""
Altair charts of the compare page: one metric across places, and values by year or period.

Every place name, value and source reaches the chart as a data value (fixed ASCII field
names, no expression built from text), so Vega draws it as text and its tooltip escapes it.
A place without a complete value gets no bar: it is written "数据不足" with the reason where
the bar would start, never drawn as 0. Charts render offline (Streamlit ships Vega).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from layers.sources import cited_lines
from layers.wording import (
    format_value,
    label,
    mean_value,
    period_text,
    rank_text,
    source_words,
    value_text,
)

__all__ = ["compare_chart", "period_chart"]

_BAR = "#2c7fb8"
_MEAN = "#222222"
_MISSING = "#757575"
_ROW_PX = 30


def _axis_title(metric_name: str, unit: str, lang: str) -> str:
    """``户数（户）``, ``tactile paving length (km)``; no unit where it repeats the name."""
    unit_text = format_value(1, unit, lang).removeprefix("1").strip()
    if not metric_name:
        return unit_text
    # "households", "Ledger: households": a name that ends in its unit's word says it already.
    if not unit_text or metric_name.casefold().endswith(unit_text.casefold()):
        return metric_name
    return f"{metric_name}（{unit_text}）" if lang == "zh" else f"{metric_name} ({unit_text})"


def compare_chart(rows: pd.DataFrame, *, metric_name: str, lang: str = "zh") -> alt.LayerChart:
    """
    Horizontal bars of one metric, one per place, with the city average as a tick.

    ``rows`` are the :func:`geo.compare.compare_table` rows of one metric, with a ``label``
    column (:func:`layers.wording.place_labels`) and a ``source`` text. Only ``ok`` values get
    a bar, labelled with the value and its rank; the other places are listed in order with the
    reason in grey italics. The black tick on each row is that place's city average (tooltip:
    over how many districts).
    """
    unit = rows["unit"].dropna().iloc[0] if rows["unit"].notna().any() else "count"
    data = _compare_data(rows, lang)
    y = alt.Y("label:N", sort=data["label"].tolist(), title=None, axis=alt.Axis(labelLimit=220))
    title = _axis_title(metric_name, unit, lang)
    tips = [
        alt.Tooltip("label:N", title=label("compare_place", lang)),
        alt.Tooltip("text:N", title=label("compare_value", lang)),
        alt.Tooltip("rank:N", title=label("compare_rank", lang)),
        alt.Tooltip("period:N", title=label("period", lang)),
        alt.Tooltip("source:N", title=label("source", lang)),
    ]
    ranked = data[data["value"].notna()]
    missing = data[data["value"].isna()]
    # The x axis reaches past the longest bar so its label fits, and always starts at 0.
    top = pd.concat([data["value"], data["mean"]]).max()
    scale = alt.Scale(domain=[0, float(top) * 1.5 if pd.notna(top) and top > 0 else 1.0])
    x = alt.X("value:Q", title=title, scale=scale, axis=alt.Axis(tickCount=6))
    layers = [alt.Chart(ranked).mark_bar(color=_BAR).encode(y=y, x=x, tooltip=tips)]
    means = data[data["mean"].notna()]
    if len(means):
        # Drawn before the text, so a label that crosses the tick stays on top and readable.
        layers.append(_mean_ticks(means, y, alt.X("mean:Q", title=title, scale=scale), lang))
    layers += [
        alt.Chart(ranked)
        .mark_text(align="left", dx=4, color="#333333")
        .encode(y=y, x=x, text="bar_text:N", tooltip=tips),
        alt.Chart(missing)
        .mark_text(align="left", dx=4, color=_MISSING, fontStyle="italic")
        .encode(y=y, x=alt.datum(0), text="text:N", tooltip=tips),
    ]
    # A fixed step per place: every label gets its row, however many places are chosen.
    return alt.layer(*layers).properties(height=alt.Step(_ROW_PX), width="container")


def _sources(rows: pd.DataFrame, lang: str) -> list[str]:
    """Each row's source in ``lang``, its document's line cited (第 31 行), not its file."""
    return [cited_lines(source_words(s, lang), lang) for s in rows["source"].fillna("")]


def _compare_data(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """One row per place: its bar (ok values only), texts, period, source and city mean."""
    data = pd.DataFrame(
        {
            "label": rows["label"].astype(str),
            "value": rows["value"].where(rows["status"] == "ok"),
            "text": [value_text(r, lang) for _, r in rows.iterrows()],
            "rank": [rank_text(r, lang) for _, r in rows.iterrows()],
            "period": ["" if pd.isna(p) else period_text(p, lang) for p in rows["period_label"]],
            "source": _sources(rows, lang),
            "mean": rows["city_mean"],
            "mean_text": [_mean_text(r, lang) for _, r in rows.iterrows()],
        }
    )
    data["bar_text"] = data["text"] + "  " + data["rank"]
    return data


def _mean_ticks(means: pd.DataFrame, y: alt.Y, x: alt.X, lang: str) -> alt.Chart:
    """A black tick at each place's city average, its tooltip saying over how many."""
    return (
        alt.Chart(means)
        .mark_tick(color=_MEAN, thickness=2, size=_ROW_PX * 0.8, opacity=0.7)
        .encode(
            y=y,
            x=x.axis(tickCount=6),
            tooltip=[alt.Tooltip("mean_text:N", title=label("city_average", lang))],
        )
    )


def _mean_text(row, lang: str) -> str:
    if pd.isna(row.get("city_mean")):
        return label("no_city_average", lang).format(city=row["city"])
    return label("city_average_of", lang).format(
        city=row["city"],
        value=format_value(mean_value(row["city_mean"], row["unit"]), row["unit"], lang),
        n=int(row["city_mean_n"]),
        total=int(row["city_places_n"]),
    )


def _period_data(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """One row per place and period: the period named with its kind and batch, value, texts."""
    # A document may report one period twice (2024: stock and in progress): name the kind.
    period = pd.Series(
        ["" if pd.isna(p) else period_text(p, lang) for p in rows["period_label"]],
        index=rows.index,
    )
    kind = pd.Series(
        [label(s, lang) if isinstance(s, str) and s else "" for s in rows["figure_status"]],
        index=rows.index,
    )
    batch = rows["batch"].fillna("").astype(str) if "batch" in rows else ""
    return pd.DataFrame(
        {
            "label": rows["label"].astype(str),
            "period": (period + " " + kind + " " + batch).str.split().str.join(" "),
            "value": rows["value"],
            "text": [value_text(r, lang) for _, r in rows.iterrows()],
            "status": kind,
            "source": _sources(rows, lang),
        }
    )


def period_chart(
    rows: pd.DataFrame,
    *,
    places: list[str] | None = None,
    lang: str = "zh",
) -> alt.Chart:
    """
    Grouped bars of one metric by year or period, one colour per place.

    ``rows`` are :func:`geo.compare.by_period` rows of one metric with ``label`` and
    ``source`` text; only ``ok`` values are drawn (the table beside it lists the rest).
    Periods are ordered by their start, then end; a ledger batch is written after its year.
    ``places`` (labels, in order) fixes the colours, so that one place keeps its colour across
    the charts of a page.
    """
    rows = rows[rows["status"] == "ok"].sort_values(["period_start", "period_end"])
    unit = rows["unit"].dropna().iloc[0] if rows["unit"].notna().any() else "count"
    data = _period_data(rows, lang)
    periods = list(dict.fromkeys(data["period"]))
    places = list(places or dict.fromkeys(data["label"]))
    # Ten colours run out at eleven places; twenty keep neighbours apart.
    colours = alt.Scale(domain=places, scheme="tableau10" if len(places) <= 10 else "tableau20")
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "period:N",
                sort=periods,
                title=label("period", lang),
                axis=alt.Axis(labelAngle=0, labelLimit=260),
            ),
            xOffset=alt.XOffset("label:N", sort=places),
            # The metric's name heads the chart; a long name would not fit up the y axis.
            y=alt.Y(
                "value:Q",
                title=_axis_title("", unit, lang) or None,
                # Level, above the axis: a one-character unit (户) reads badly on its side.
                axis=alt.Axis(titleAngle=0, titleAnchor="end", titleAlign="right", titleY=-10),
            ),
            color=alt.Color(
                "label:N",
                sort=places,
                scale=colours,
                title=label("compare_place", lang),
                legend=alt.Legend(orient="bottom", columns=min(len(places), 7)),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=label("compare_place", lang)),
                alt.Tooltip("period:N", title=label("period", lang)),
                alt.Tooltip("text:N", title=label("compare_value", lang)),
                alt.Tooltip("status:N", title=label("status", lang)),
                alt.Tooltip("source:N", title=label("source", lang)),
            ],
        )
        # Streamlit fits the whole chart, legend and axes included, into this height.
        .properties(height=380, width="container")
    )
