"""
What the reports page shows of a :class:`geo.report.Report`: its tables, summary and files.

The page (``app_pages/report.py``) lays these out; they are built here, without Streamlit,
so the CLI's documents and the page's screen come from the same report. The city figures
the reply opens with, each with its source; the households' shares near a feature per place,
each saying how its distance was taken (straight line, or walked along an OSM extract's
streets) and citing what it was measured from; the summary line; and the two documents
(:mod:`layers.reply`, :mod:`layers.atlas_pdf`), built only when asked (:class:`Download`).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Callable, Sequence

import pandas as pd

from geo import coverage
from geo.report import Report
from layers.citations import figure_name, item_citations, item_value, kind_text, status_words
from layers.wording import label

__all__ = [
    "DOCX_MIME",
    "Download",
    "atlas_bytes",
    "downloads",
    "empty_cities",
    "figures_table",
    "reply_bytes",
    "shares_table",
    "summary_text",
    "today",
]

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"


def today() -> datetime.date:
    """Today in Beijing time: the date the documents are dated."""
    return datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()


def figures_table(made: Report, lang: str) -> pd.DataFrame:
    """The cities' programme figures the reply opens with: name, value, kind, source."""
    rows = [
        {
            label("sheets_col_name", lang): figure_name(item, lang),
            label("sheets_col_value", lang): item_value(item, lang),
            label("sheets_col_kind", lang): kind_text(item, lang),
            label("sheets_col_source", lang): item_citations(item, lang),
        }
        for city in made.cities
        for _, item in made.city_items(city).iterrows()
        if item["family"] == "programme"
    ]
    return pd.DataFrame(rows)


def _distance(metric: str, lang: str) -> str:
    """How a share's distance was taken: 直线, or 沿路网步行 (the walker named)."""
    profile = coverage.describe(metric).profile
    if profile is None:
        return label("sheets_method_straight", lang)
    return label("sheets_method_network", lang).format(profile=label(f"profile_{profile}", lang))


def shares_table(made: Report, lang: str) -> pd.DataFrame:
    """
    Each place's shares of households near a feature: straight-line and walking apart.

    A row per place and share, in the report's place order: the place, the share's name,
    how its distance was taken, its value (暂无数据 where there is none, never 0), its
    completeness and its source. Empty when the report measured no share.
    """
    items = made.items
    shares = items[
        (items["scope"] == "place")
        & items["metric"].astype(str).str.startswith("households_within_")
    ]
    order = {code: i for i, code in enumerate(made.places["adcode"])}
    shares = shares.assign(_order=shares["adcode"].map(order)).sort_values("_order", kind="stable")
    rows = [
        {
            label("districts_short", lang): item["place"],
            label("sheets_col_name", lang): figure_name(item, lang),
            label("report_col_distance", lang): _distance(str(item["metric"]), lang),
            label("sheets_col_value", lang): item_value(item, lang, short=True),
            label("sheets_col_status", lang): status_words([item], lang),
            label("sheets_col_source", lang): item_citations(item, lang),
        }
        for _, item in shares.iterrows()
    ]
    return pd.DataFrame(rows)


def empty_cities(made: Report) -> list[str]:
    """The cities of ``made`` without one figure with a value: the page says so of each."""
    return [city for city in made.cities if not made.city_items(city)["value"].notna().any()]


def summary_text(made: Report, used: Sequence[str], lang: str) -> str:
    """
    The line under the choices: places, figures with a value, the data used, who is left out.

    ``used`` names the ledger and infrastructure in view (plain text: the page escapes it).
    """
    sep = "、" if lang == "zh" else ", "
    text = label("report_summary", lang).format(
        places=len(made.places),
        figures=int(made.items["value"].notna().sum()),
        data=sep.join(used) or label("report_no_data_loaded", lang),
    )
    if made.left_out:
        text += label("report_left_out", lang).format(n=made.left_out)
    return text


def reply_bytes(made: Report, lang: str) -> bytes:
    """The reply to a proposal as a Word document, dated today."""
    from layers.reply import reply_docx

    return reply_docx(made, today=today(), lang=lang)


def atlas_bytes(made: Report, figure: str, lang: str) -> bytes:
    """The district atlas as a PDF dated today, its cover showing ``figure``."""
    from layers.atlas_pdf import atlas_pdf

    return atlas_pdf(made, today=today(), figure=figure, lang=lang)


@dataclasses.dataclass(frozen=True)
class Download:
    """
    A document the page offers, built only when its button is clicked (``build``).

    The page keeps the ones it offered in its session: the very callables its buttons were
    given, so a test builds what a click would.
    """

    key: str
    label: str
    build: Callable[[], bytes]
    file_name: str
    mime: str


def downloads(made: Report, figure: str, lang: str) -> list[Download]:
    """The reply draft and the district atlas of ``made``, as the page's buttons offer them."""
    cities = "、".join(made.cities)
    return [
        Download(
            "dl-reply",
            label("report_download_reply", lang),
            functools.partial(reply_bytes, made, lang),
            label("report_reply_file", lang).format(cities=cities),
            DOCX_MIME,
        ),
        Download(
            "dl-sheets",
            label("report_download_sheets", lang),
            functools.partial(atlas_bytes, made, figure, lang),
            label("report_sheets_file", lang).format(cities=cities),
            PDF_MIME,
        ),
    ]
