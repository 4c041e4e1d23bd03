"""
A save cut to the acting account's scope: rows of other districts quarantined, never lost.

A city account writes the rows of its city's districts, a district account those of its own
districts. Every other clean row moves to the quarantine as ``out_of_scope``, with its row
number and its raw cells (a ledger's are read again from the file as uploaded), so that
rows = clean + quarantined still holds. A save's ``covers`` given outside the scope is
refused whole: covering a district replaces its rows in the current state.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import shapely

from geo import records
from geo.errors import AtlasError
from store._draft import REFUSED, Draft
from store.accounts import city_index
from store.errors import AccessError

__all__ = ["DETAILS", "OUT_OF_SCOPE", "scope_draft"]

OUT_OF_SCOPE = "out_of_scope"
#: Its detail's code and parameters (layers words it, ``qdetail_<code>``): the row's place
#: and district code, and the districts (or the city) the account may write.
DETAILS: dict[str, tuple[str, ...]] = {"outside_scope": ("place", "adcode", "scope")}
_QUARANTINE = [*REFUSED, "adcode"]


def _inside(adcodes: pd.Series, city: str | None, districts: tuple[str, ...] | None) -> np.ndarray:
    if districts is not None:
        return adcodes.isin(list(districts)).to_numpy(dtype=bool)
    return (adcodes.map(city_index()) == city).fillna(False).to_numpy(dtype=bool)


def _scope_words(city: str | None, districts: tuple[str, ...] | None) -> str:
    return "、".join(districts) if districts is not None else str(city)


def _scope_codes(city: str | None, districts: tuple[str, ...] | None) -> list[str]:
    """What the account may write: its districts' codes, else its city."""
    return list(districts) if districts is not None else [str(city)]


def scope_draft(draft: Draft, scope: tuple[str | None, tuple[str, ...] | None]) -> None:
    """Cut ``draft`` (a :class:`~store._draft.Draft`) to ``scope`` = (city, districts), in place."""
    city, districts = scope
    if city is None and districts is None:
        return
    own = draft.own.get("adcode") if draft.kind == "infra" else None
    if own is not None:
        codes = pd.Series(own, dtype="object")
    elif "adcode" in draft.frame and len(draft.frame):
        codes = draft.frame["adcode"].astype("object").reset_index(drop=True)
    else:
        codes = pd.Series([None] * len(draft.frame), dtype="object")
    if draft.covers_given:
        given = pd.Series(list(draft.covers), dtype="object")
        outside = given[~_inside(given, city, districts)].tolist()
        if outside:
            raise AccessError(
                f"Expected districts this account may write ({_scope_words(city, districts)}) "
                f"to cover; got {', '.join(outside)}. Covering a district replaces its rows.",
                code="covers_outside",
                details={
                    "scope": "/".join(_scope_codes(city, districts)),
                    "outside": "/".join(map(str, outside)),
                },
            )
    inside = _inside(codes, city, districts)
    if not inside.all():
        refused = _refused(draft, ~inside, codes, city, districts)
        draft.frame = draft.frame[inside].reset_index(drop=True)
        if own is not None:
            draft.own = {"adcode": [c for c, keep in zip(own, inside, strict=True) if keep]}
        draft.quarantine = (
            pd.concat([draft.quarantine, refused], ignore_index=True)
            if len(draft.quarantine)
            else refused
        )
    if not draft.covers_given:
        kept = pd.Series([c for c, keep in zip(codes, inside, strict=True) if keep])
        draft.covers = sorted({str(c) for c in kept.dropna()})


def _refused(
    draft: Draft,
    outside: np.ndarray,
    codes: pd.Series,
    city: str | None,
    districts: tuple[str, ...] | None,
) -> pd.DataFrame:
    """
    The quarantine rows of the clean rows outside the scope: reason, detail, raw cells.

    The detail is coded (``outside_scope``, :data:`DETAILS`) as a reader's are; layers
    words it (:func:`layers.wording.quarantine_messages`).
    """
    frame = draft.frame[outside].reset_index(drop=True)
    where = codes[outside].reset_index(drop=True)
    scope = _scope_codes(city, districts)
    places = frame["district"] if "district" in frame else frame.get("place", where)
    places = pd.Series(places).reset_index(drop=True)
    params = [
        json.dumps(
            {"code": "outside_scope", "place": _text(p), "adcode": _text(c), "scope": scope},
            ensure_ascii=False,
        )
        for p, c in zip(places, where, strict=True)
    ]
    report = pd.DataFrame(
        {
            "row": frame["row"].to_numpy() if "row" in frame else [None] * len(frame),
            "reason": OUT_OF_SCOPE,
            "column": draft.meta.get("columns", {}).get("district", "adcode"),
            "detail_zh": "",
            "detail_en": "",
            "detail_params": params,
            "adcode": pd.array(where.astype("object"), dtype="string"),
        }
    )
    return pd.concat([report, _raw(draft, frame)], axis=1)


def _text(value: object) -> str | None:
    """A place or code as JSON keeps it: text, or None where missing."""
    return None if value is None or pd.isna(value) else str(value)


def _raw(draft: Draft, frame: pd.DataFrame) -> pd.DataFrame:
    """The refused rows' cells as written: from the uploaded ledger, else the saved values."""
    if draft.kind == "ledger" and draft.data is not None and "row" in frame:
        try:
            cells = records.raw_cells(draft.data, name=draft.file_name, sheet=draft.meta["sheet"])
        except AtlasError:
            cells = None  # not the file the ledger was read from: keep the values as saved
        if cells is not None and frame["row"].isin(cells["row"]).all():
            picked = cells.set_index("row").loc[frame["row"].to_numpy()].reset_index(drop=True)
            return _renamed(picked)
    values = frame.drop(columns=[c for c in ("row",) if c in frame])
    if isinstance(values, pd.DataFrame) and "geometry" in values:
        shapes = np.asarray(values["geometry"].array, dtype=object)
        values = pd.DataFrame(values.drop(columns="geometry")).assign(
            geometry=shapely.to_wkt(shapes, rounding_precision=7)
        )
    text = pd.DataFrame(values).astype("object").where(pd.DataFrame(values).notna(), None)
    return _renamed(text.map(lambda v: v if v is None else str(v)))


def _renamed(cells: pd.DataFrame) -> pd.DataFrame:
    cells = cells.reset_index(drop=True)
    cells.columns = [f"raw:{c}" if c in _QUARANTINE else c for c in cells.columns]
    return cells
