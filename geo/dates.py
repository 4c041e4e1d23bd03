"""
Dates as ledgers and plans give them: a day or a month alone, its first and last day, months.

A ledger's date is ISO text that keeps its precision (:func:`geo.io.cells.parse_dates`):
``2023-03-15`` is a day, ``2023-03`` a month, never made its 1st. Whether a project had
started by a day is then a question with three answers: a month-only start in March had
surely started by 31 March, surely not by 28 February, and on 15 March nobody can tell;
:func:`bounds` gives each date's first and last possible day so callers can say which. Days
are ``datetime64[D]``; "today" is Beijing's (UTC+8), the bureaus' calendar.

A period no document named (a ledger's year, a plan's, a figure with its years only) is
written from its years in ISO 8601 notation, never in words: ``2023``, ``2019/2022``, open
ends ``../2023`` (up to 2023) and ``2021/..`` (from 2021) (:func:`period_code`). Its form and
years (:func:`period_form`, :data:`PERIOD_FORMS`) are worded by layers in either language:
2023年 / 2023, 2019年至2022年 / 2019–2022, 截至2023年 / by 2023, 2021年起 / since 2021.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = [
    "BEIJING",
    "PERIOD_FORMS",
    "bounds",
    "is_month",
    "month_end",
    "months_between",
    "parse_day",
    "period_code",
    "period_form",
    "quarter_end",
    "quarter_of",
    "today",
]

#: The bureaus' time zone (China Standard Time has no daylight saving).
BEIJING = datetime.timezone(datetime.timedelta(hours=8), "Asia/Shanghai")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
_NAT = np.datetime64("NaT", "D")

#: The forms of a period named from its years, each with the years its words take
#: (``period_<form>`` in the catalogue).
PERIOD_FORMS: dict[str, tuple[str, ...]] = {
    "year": ("year",),
    "span": ("start", "end"),
    "to": ("end",),
    "since": ("start",),
}
_PERIOD_CODE = re.compile(r"^(\d{4}|\.\.)(?:/(\d{4}|\.\.))?$")


def period_code(start: object, end: object) -> str | None:
    """
    A period named from its first and last years, as :func:`period_form` reads it back.

    ``2023`` (one year), ``2019/2022``, ``../2023`` (no first year), ``2021/..`` (no last
    year); None when neither year is known.
    """
    first = None if start is None or pd.isna(start) else int(start)  # type: ignore[call-overload]
    last = None if end is None or pd.isna(end) else int(end)  # type: ignore[call-overload]
    if first is None and last is None:
        return None
    if first == last:
        return str(first)
    return f"{'..' if first is None else first}/{'..' if last is None else last}"


def period_form(text: object) -> tuple[str, dict[str, int]] | None:
    """
    The form of :data:`PERIOD_FORMS` and years of a :func:`period_code`; None for other text.

    ``"2019/2022"`` → ``("span", {"start": 2019, "end": 2022})``; a label a document wrote
    (``2023年``, ``截至目前``) is no code: None.
    """
    found = _PERIOD_CODE.match(text.strip()) if isinstance(text, str) else None
    if found is None:
        return None
    first, last = found.group(1), found.group(2)
    if last is None:
        return None if first == ".." else ("year", {"year": int(first)})
    if first == ".." and last == "..":
        return None
    if first == "..":
        return "to", {"end": int(last)}
    if last == "..":
        return "since", {"start": int(first)}
    if first == last:
        return "year", {"year": int(first)}
    return "span", {"start": int(first), "end": int(last)}


def today() -> datetime.date:
    """Today in Beijing."""
    return datetime.datetime.now(BEIJING).date()


def parse_day(text: str | datetime.date) -> datetime.date:
    """
    A day given as ``YYYY-MM-DD`` (an option, an address); :class:`ValueError` otherwise.

    The message says what was expected and what arrived.
    """
    if isinstance(text, datetime.date):
        return text
    try:
        return datetime.date.fromisoformat(str(text).strip())
    except ValueError:
        raise ValueError(f"Expected a day as YYYY-MM-DD (e.g. 2023-06-30), got {text!r}.") from None


def parse_days(text: str) -> tuple[datetime.date, ...]:
    """
    Days typed as a list (``2023-06-30, 2023-11-30``; ``，`` and ``、`` separate too).

    An empty text is no day. :class:`ValueError` (from :func:`parse_day`) when one is no day.
    """
    parts = [p.strip() for p in text.replace("，", ",").replace("、", ",").split(",")]
    return tuple(parse_day(p) for p in parts if p)


def is_month(dates: pd.Series) -> np.ndarray:
    """True where an ISO date is a month alone (``2023-03``)."""
    text = dates.astype("string").fillna("")
    return text.str.fullmatch(_ISO_MONTH.pattern).to_numpy(dtype=bool)


def bounds(dates: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """
    The first and last day each ISO date may be, as ``datetime64[D]`` arrays.

    A day is both; a month runs from its 1st to its last day; missing or unreadable text is
    ``NaT`` in both.
    """
    text = dates.astype("string").fillna("").to_numpy(dtype=object)
    first = np.full(len(text), _NAT)
    last = np.full(len(text), _NAT)
    day = np.array([bool(_ISO_DAY.match(t)) for t in text], dtype=bool)
    month = np.array([bool(_ISO_MONTH.match(t)) for t in text], dtype=bool)
    if day.any():
        first[day] = last[day] = text[day].astype("datetime64[D]")
    if month.any():
        start = text[month].astype("datetime64[M]")
        first[month] = start.astype("datetime64[D]")
        last[month] = (start + 1).astype("datetime64[D]") - 1
    return first, last


def month_end(month: str | datetime.date) -> datetime.date:
    """The last day of a month given as ``2023-03`` or as any of its days."""
    start = np.datetime64(str(month)[:7], "M")
    return ((start + 1).astype("datetime64[D]") - 1).astype(datetime.date)


def months_between(first: str, last: str) -> list[str]:
    """The months ``2023-01`` … ``2023-06`` from ``first`` to ``last`` (ISO, months or days)."""
    start, end = np.datetime64(str(first)[:7], "M"), np.datetime64(str(last)[:7], "M")
    return [str(m) for m in np.arange(start, end + 1)]


def quarter_of(day: datetime.date) -> tuple[int, int]:
    """``(year, quarter)`` of a day: 2023-05-31 is (2023, 2)."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_end(day: datetime.date) -> datetime.date:
    """
    The last quarter end on or before ``day``: 2023-05-31 → 2023-03-31, 2023-06-30 itself.

    Rankings by quarter (季排名) are taken there, so a ranking never counts a quarter's
    unfinished weeks as if the quarter had ended.
    """
    year, quarter = quarter_of(day)
    end = month_end(f"{year}-{quarter * 3:02d}")
    if end <= day:
        return end
    return (
        month_end(f"{year - 1}-12") if quarter == 1 else month_end(f"{year}-{quarter * 3 - 3:02d}")
    )


def latest(dates: Iterable[str | None]) -> str | None:
    """The latest of ISO days (missing ones skipped), or None."""
    found = [d for d in dates if isinstance(d, str) and d]
    return max(found) if found else None
