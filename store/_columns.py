"""
Frames ⇄ table columns: each column in its own SQL column or in ``extra``, dtypes kept.

A frame column whose name is a data column of the table and whose dtype fits it (text,
whole numbers, floats) is stored there; every other column goes in the row's ``extra`` JSON
under its own name. The frame's columns, in order, with each dtype and where it went, are the
*spec* saved beside the version, so :func:`decode` gives back the frame that was saved: same
columns, same dtypes, codes as text, missing as missing, geometry as WKB in EPSG:4326.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Double, Integer, Table, Text

from store.errors import DatasetError

__all__ = ["BOOKKEEPING", "decode", "encode", "from_parquet", "spec_of", "to_parquet"]

#: Columns the store fills, never taken from a frame.
BOOKKEEPING = {"version_id", "seq", "extra", "geom"}
GEOMETRY = "geometry"


def _dtype_spec(dtype: Any) -> str | dict:
    if isinstance(dtype, gpd.array.GeometryDtype):
        return GEOMETRY
    if isinstance(dtype, pd.StringDtype):
        # "string" (missing is pd.NA) and pandas 3's "str" (missing is NaN) differ only here.
        return {"string": dtype.storage, "na": "NA" if dtype.na_value is pd.NA else "nan"}
    return str(dtype)


def _dtype(spec: str | dict) -> Any:
    if isinstance(spec, dict):
        return pd.StringDtype(spec["string"], na_value=pd.NA if spec["na"] == "NA" else np.nan)
    return pd.api.types.pandas_dtype(spec)


def _fits(series: pd.Series, sql_type: Any) -> bool:
    dtype = series.dtype
    if isinstance(sql_type, Text):
        if isinstance(dtype, pd.StringDtype):
            return True
        return dtype == np.dtype(object) and pd.api.types.infer_dtype(series, skipna=True) in (
            "string",
            "empty",
        )
    if isinstance(sql_type, Integer):
        return pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    if isinstance(sql_type, Double):
        return pd.api.types.is_float_dtype(dtype)
    return False


def spec_of(frame: pd.DataFrame, table: Table, *, own: Sequence[str] = ()) -> list[dict]:
    """Each column's name, dtype and place: ``column``, ``extra`` or ``geometry``."""
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0:
        raise DatasetError(
            f"Expected a frame with a plain 0..n-1 index, as the readers return; got "
            f"{type(frame.index).__name__}. Call .reset_index(drop=True) before saving."
        )
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    if geometry is not None and frame.crs is not None and frame.crs.to_epsg() != 4326:
        raise DatasetError(
            f"Expected geometry in EPSG:4326 (WGS84), got {frame.crs.to_string()}. Convert "
            "it with the geo readers, which return WGS84, before saving."
        )
    data = {c.name: c.type for c in table.columns if c.name not in BOOKKEEPING}
    data = {name: kind for name, kind in data.items() if name not in own}
    spec = []
    for name in frame.columns:
        if not isinstance(name, str):
            raise DatasetError(f"Expected text column names, got {name!r}; rename the column.")
        series = frame[name]
        if name == geometry:
            place = GEOMETRY
        elif name in data and _fits(series, data[name]):
            place = "column"
        else:
            place = "extra"
        spec.append({"name": name, "dtype": _dtype_spec(series.dtype), "at": place})
    return spec


def _is_text(series: pd.Series) -> bool:
    return isinstance(series.dtype, pd.StringDtype) or (
        series.dtype == np.dtype(object)
        and pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")
    )


def _values(series: pd.Series) -> list:
    """Plain Python values, None where missing (drivers bind neither numpy scalars nor NaN)."""
    missing = series.isna().to_numpy()
    if pd.api.types.is_integer_dtype(series.dtype):
        filled = series.fillna(0) if missing.any() else series
        values = filled.to_numpy(dtype="int64").tolist()
    elif pd.api.types.is_float_dtype(series.dtype):
        values = series.to_numpy(dtype="float64", na_value=np.nan).tolist()
    elif pd.api.types.is_bool_dtype(series.dtype):
        cells = series.to_numpy(dtype=object)
        values = [None if m else bool(v) for v, m in zip(cells, missing, strict=True)]
    else:
        values = series.to_numpy(dtype=object, na_value=None).tolist()
    for at in np.flatnonzero(missing):
        values[at] = None
    return values


def encode(frame: pd.DataFrame, spec: list[dict]) -> dict[str, list | np.ndarray]:
    """SQL column → values: own columns, ``extra`` as JSON text, ``geom`` as shapely objects."""
    out: dict[str, list | np.ndarray] = {}
    extras = {}
    for column in spec:
        series = frame[column["name"]]
        if column["at"] == GEOMETRY:
            out["geom"] = np.asarray(series.array, dtype=object)
        elif column["at"] == "column":
            out[column["name"]] = _values(series)
        else:
            extras[column["name"]] = _values(series)
    if extras and all(_is_text(frame[name]) for name in extras):
        # Text cells only: pandas writes every row's JSON in one call (exact for text).
        lines = frame[list(extras)].to_json(orient="records", lines=True, force_ascii=False)
        # Split on "\n" only: JSON escapes it inside strings, but not U+2028 and its kin.
        out["extra"] = lines.rstrip("\n").split("\n") if len(frame) else []
    elif extras:
        keys = list(extras)
        try:
            out["extra"] = [
                json.dumps(dict(zip(keys, row, strict=True)), ensure_ascii=False)
                for row in zip(*extras.values(), strict=True)
            ]
        except TypeError as exc:
            raise DatasetError(
                f"Expected text, numbers or empty cells in the extra columns {keys}; {exc}. "
                "Convert such columns to text before saving."
            ) from None
    return out


def parse_json(texts: Sequence) -> list:
    """JSON texts (dicts pass through, None stays None) parsed in one call, not one per row."""
    if any(not (t is None or isinstance(t, str)) for t in texts[:1]):
        return list(texts)
    return json.loads("[" + ",".join("null" if t is None else t for t in texts) + "]")


def decode(columns: Mapping[str, Sequence], spec: list[dict], rows: int) -> pd.DataFrame:
    """The saved frame from its stored columns (``extra`` parsed, ``geom`` as WKB bytes)."""
    parsed: list = []
    if any(c["at"] == "extra" for c in spec):
        parsed = parse_json(columns.get("extra") or [None] * rows)
    data = {}
    geometry = None
    for column in spec:
        name = column["name"]
        if column["at"] == GEOMETRY:
            geometry = name
            wkb = np.asarray(columns["geom"], dtype=object)
            data[name] = gpd.GeoSeries(shapely.from_wkb(wkb), crs="EPSG:4326")
            continue
        values = columns[name] if column["at"] == "column" else [p and p.get(name) for p in parsed]
        dtype = _dtype(column["dtype"])
        data[name] = pd.Series(values, dtype=dtype)
    frame = pd.DataFrame(data, index=pd.RangeIndex(rows), columns=[c["name"] for c in spec])
    if geometry is not None:
        return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
    return frame


def to_parquet(frame: pd.DataFrame) -> bytes:
    """The frame as Parquet bytes (GeoParquet, geometry as WKB, when it has geometry)."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def from_parquet(
    data: bytes, spec: list[dict], *, extra: Sequence[str] = (), filters: Any = None
) -> pd.DataFrame:
    """
    The frame :func:`to_parquet` wrote, each column cast back to its saved dtype.

    Parquet reads text columns of dtype object as pandas' ``str``. ``extra`` columns, stored beside
    the frame's own, are kept at the end; ``filters`` (pyarrow's) keep rows before any is
    converted.
    """
    read = gpd.read_parquet if any(c["at"] == GEOMETRY for c in spec) else pd.read_parquet
    frame = read(io.BytesIO(data), filters=filters)
    for column in spec:
        if column["at"] == GEOMETRY:
            continue
        name, dtype = column["name"], _dtype(column["dtype"])
        if repr(frame[name].dtype) != repr(dtype):
            cast = frame[name].astype(dtype)
            frame[name] = cast.where(cast.notna(), None) if dtype == np.dtype(object) else cast
    return frame[[c["name"] for c in spec] + list(extra)]
